// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command alerts measures the emergency broadcast against the goal of the
// alerts issue: "Broadcast action → last channel call for the channels
// above: p99 under 1 s (fakes)".
//
// A Piazza (app.Open, River started as serve starts it) on a fresh
// database sends -n alerts, one every -every: even ones open a new
// incident, odd ones update it. Each goes to six sandbox accounts
// (Telegram channel, Facebook, Instagram, X, Mastodon, Bluesky) served by
// the platform fakes on loopback, to -subs subscribers of the Telegram bot
// (the same bot, Telegram's limits enforced by its fake) and to -push Web
// Push subscribers of the fake push service. The Atom and CAP feeds are
// rows: they are delivered when Send commits.
//
// Every fake's handler is wrapped to time the call that makes the post
// exist (sendPhoto, /photos, media_publish, /2/tweets, statuses,
// createRecord, each bot message), placed by the marker that leads the
// alert's headline ("BENCH-000123"). Web Push bodies are encrypted: the
// push client times each accepted message and the fake's decrypted copies
// say which alert it carried. From the call of Send to those times, it
// prints p50/p95/p99/max of the last channel call of each alert, each
// channel's figures, the River jobs' pickup and run times, and every
// delivery that was not sent.
//
// Telegram allows a bot one message a second per chat, the channel
// included: the default pace of five alerts a second is an overload that
// shows how the lanes back up; one alert's latency wants -every 3s.
//
// Usage:
//
//	go run ./bench/alerts -db sqlite|postgres [-n 200 -every 200ms -subs 20 -push 20]
//	go run ./bench/alerts -db postgres -n 100 -every 3s -ig-poll 100ms
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/bench/internal/benchenv"
	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

const (
	channelRef = "@comune_bench"
	botToken   = "7000000001:bench" //nolint:gosec // G101: the fake bot of a benchmark
	firstChat  = 100_000_001
)

type options struct {
	engine, pgURL  string
	n, subs, push  int
	every, wait    time.Duration
	igPoll         time.Duration
	workers        int
	telegramLimits bool
}

func main() {
	var o options
	flag.StringVar(&o.engine, "db", "sqlite", "sqlite or postgres")
	flag.StringVar(&o.pgURL, "pg", benchenv.DefaultPostgres(),
		"PostgreSQL server to create the benchmark database on")
	flag.IntVar(&o.n, "n", 200, "broadcasts")
	flag.DurationVar(&o.every, "every", 200*time.Millisecond, "time between two broadcasts")
	flag.IntVar(&o.subs, "subs", 20, "subscribers of the Telegram bot")
	flag.IntVar(&o.push, "push", 20, "Web Push subscribers")
	flag.DurationVar(&o.wait, "wait", 5*time.Minute, "longest wait for the deliveries after the last broadcast")
	flag.DurationVar(&o.igPoll, "ig-poll", 0, "the Instagram connector's first wait for a container (0: its default, instagram.DefaultPollInterval)")
	flag.IntVar(&o.workers, "workers", 0, "PIAZZA_WORKERS (0: the default; the alert lane gets twice as many, at least 4)")
	flag.BoolVar(&o.telegramLimits, "telegram-limits", true, "the Telegram fake enforces 30 messages a second and one a second per chat")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(o); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "alerts bench:", err)
		os.Exit(1)
	}
}

// Where an alert arrives, in the report's order.
const (
	chFeeds = iota // Send committed: the Atom and CAP feeds read the rows
	chTelegram
	chFacebook
	chInstagram
	chX
	chMastodon
	chBluesky
	chBot
	chPush
	nChannels
)

var channelNames = [nChannels]string{"feeds (Send committed)", "telegram channel", "facebook", "instagram", "x", "mastodon",
	"bluesky", "telegram bot, last subscriber", "web push, last subscriber"}

// fanout reports whether a channel is one message per subscriber.
func fanout(ch int) bool { return ch == chBot || ch == chPush }

// arrival is what one channel received of one alert.
type arrival struct {
	first, last time.Time
	calls       int
}

// ledger keeps, by alert number, when Send was called and what each
// channel received.
type ledger struct {
	mu    sync.Mutex
	sent  []time.Time
	got   [][nChannels]arrival
	stray int // final calls that carried no known alert
	// refused counts the final calls a fake refused, by channel and
	// status (429: Telegram's limits).
	refused [nChannels]map[int]int
	// channel429 splits the channel posts Telegram's fake refused: within
	// a second of the channel's previous post (its per-chat limit), or
	// not (the bot's 30 a second, shared with the fan-out).
	channel429 struct{ perChat, global int }
	// byStamp finds an alert by its sent_at in milliseconds, which Web
	// Push payloads carry (their texts do not hold the headline).
	byStamp map[int64]int
}

func newLedger(n int) *ledger {
	return &ledger{sent: make([]time.Time, n), got: make([][nChannels]arrival, n), byStamp: map[int64]int{}}
}

func (l *ledger) start(i int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent[i] = at
}

func (l *ledger) stamp(i int, sentAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byStamp[sentAt.UnixMilli()] = i
}

func (l *ledger) refuse(ch, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refused[ch] == nil {
		l.refused[ch] = map[int]int{}
	}
	l.refused[ch][status]++
}

func (l *ledger) refuseChannelPost(perChat bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if perChat {
		l.channel429.perChat++
	} else {
		l.channel429.global++
	}
}

func (l *ledger) arrive(ch, i int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < 0 || i >= len(l.got) {
		l.stray++
		return
	}
	a := &l.got[i][ch]
	if a.calls == 0 || at.Before(a.first) {
		a.first = at
	}
	if at.After(a.last) {
		a.last = at
	}
	a.calls++
}

// The marker leads each alert's headline, so it is in every text of it.
const markerPrefix = "BENCH-"

func marker(i int) string { return fmt.Sprintf("%s%06d", markerPrefix, i) }

// findMarker returns the alert number of the first marker in b.
func findMarker(b []byte) (int, bool) {
	for {
		k := bytes.Index(b, []byte(markerPrefix))
		if k < 0 {
			return 0, false
		}
		b = b[k+len(markerPrefix):]
		if len(b) >= 6 {
			if n, err := strconv.Atoi(string(b[:6])); err == nil && n >= 0 {
				return n, true
			}
		}
	}
}

// route says which channel a fake's call delivers to, and whether it is
// the call that makes the post exist.
type route func(r *http.Request, body []byte) (ch int, final bool)

func post(r *http.Request, suffixes ...string) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for _, s := range suffixes {
		if strings.HasSuffix(r.URL.Path, s) {
			return true
		}
	}
	return false
}

// botChat matches a JSON body sent to a private chat (a positive id):
// the bot's messages to its subscribers; the channel is "@comune_bench".
var botChat = regexp.MustCompile(`"chat_id":\s*[1-9][0-9]*[,}]`)

var routes = map[channel.Platform]route{
	channel.Telegram: func(r *http.Request, body []byte) (int, bool) {
		if !post(r, "/sendMessage", "/sendPhoto", "/sendVideo", "/sendMediaGroup") {
			return 0, false
		}
		if botChat.Match(body) {
			return chBot, true
		}
		return chTelegram, true
	},
	channel.Facebook:  func(r *http.Request, _ []byte) (int, bool) { return chFacebook, post(r, "/photos", "/feed") },
	channel.Instagram: func(r *http.Request, _ []byte) (int, bool) { return chInstagram, post(r, "/media_publish") },
	channel.X:         func(r *http.Request, _ []byte) (int, bool) { return chX, post(r, "/2/tweets") },
	channel.Mastodon:  func(r *http.Request, _ []byte) (int, bool) { return chMastodon, post(r, "/api/v1/statuses") },
	channel.Bluesky: func(r *http.Request, _ []byte) (int, bool) {
		return chBluesky, post(r, "/com.atproto.repo.createRecord")
	},
}

// tap times the calls of one fake: the arrival of each successful final
// call, under the alert its marker names. Instagram's final call,
// media_publish, names only the container, whose creation carried the
// caption: the containers' ids are kept from those answers.
type tap struct {
	next       http.Handler
	route      route
	led        *ledger
	instagram  bool
	containers sync.Map // container id → alert number

	mu            sync.Mutex
	lastChannelOK time.Time // the Telegram channel's last accepted post
}

func (t *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	i, found := findMarker(body)
	rw := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
	if t.instagram && post(r, "/media_publish") {
		id := r.URL.Query().Get("creation_id")
		if v, err := url.ParseQuery(string(body)); id == "" && err == nil {
			id = v.Get("creation_id")
		}
		if v, ok := t.containers.Load(id); ok {
			i, found = v.(int), true
		}
	}
	rw.keep = t.instagram && found && post(r, "/media")
	t.next.ServeHTTP(rw, r)
	if rw.keep {
		var a struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(rw.body.Bytes(), &a) == nil && a.ID != "" {
			t.containers.Store(a.ID, i)
		}
	}
	ch, final := t.route(r, body)
	if !final {
		return
	}
	if ch == chTelegram {
		t.mu.Lock()
		perChat := at.Sub(t.lastChannelOK) < telegram.DefaultPerChat
		if rw.status/100 == 2 {
			t.lastChannelOK = at
		}
		t.mu.Unlock()
		if rw.status == http.StatusTooManyRequests {
			t.led.refuseChannelPost(perChat)
		}
	}
	if rw.status/100 != 2 {
		t.led.refuse(ch, rw.status)
		return
	}
	if !found {
		i = -1
	}
	t.led.arrive(ch, i, at)
}

// recordingWriter keeps the status and, when asked, the body.
type recordingWriter struct {
	http.ResponseWriter
	status int
	keep   bool
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.keep {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// pushTap times, on the sender's side, each message the push service
// accepted, by endpoint and in order; the fake's decrypted copies tell
// which alert each one carried.
type pushTap struct {
	next http.RoundTripper
	mu   sync.Mutex
	at   map[string][]time.Time
}

func (p *pushTap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err == nil && resp.StatusCode/100 == 2 {
		now := time.Now()
		p.mu.Lock()
		p.at[req.URL.String()] = append(p.at[req.URL.String()], now)
		p.mu.Unlock()
	}
	return resp, err
}

// fakes are the platforms on loopback, each behind its tap.
type fakes struct {
	telegram  *telegramtest.Server
	push      *webpushtest.Server
	pushTap   *pushTap
	listeners []*channeltest.Listener
	accounts  []publish.AccountInput
}

func startFakes(led *ledger, telegramLimits bool) (*fakes, error) {
	f := &fakes{
		telegram: telegramtest.New(telegramtest.Options{Titles: map[string]string{channelRef: "Comune di Prova"}}),
		push:     webpushtest.NewServer(),
	}
	if telegramLimits {
		f.telegram.EnforceLimits(telegram.DefaultRate, telegram.DefaultPerChat)
	}
	serve := func(p channel.Platform, h http.Handler, handle string, creds channel.Credentials) error {
		ln, err := channeltest.Serve(&tap{next: h, route: routes[p], led: led, instagram: p == channel.Instagram})
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		f.listeners = append(f.listeners, ln)
		f.accounts = append(f.accounts, publish.AccountInput{Platform: p, Name: "Sandbox " + string(p), Handle: handle,
			BaseURL: ln.URL, Sandbox: true, Credentials: creds})
		return nil
	}
	// As internal/sandbox starts them, but Instagram without its
	// publishing limit (100 a day) and X taking repeated texts: a load,
	// not a test of those rules. Without a client the Instagram fake
	// checks the card's address but does not download it.
	err := errors.Join(
		serve(channel.Telegram, f.telegram, channelRef, channel.Credentials{channel.CredToken: botToken}),
		serve(channel.Facebook, facebooktest.New(facebooktest.Options{Open: true, IGUserID: instagramtest.DefaultIGUserID,
			Username: instagramtest.DefaultUsername}), facebooktest.DefaultPageID, channel.Credentials{channel.CredToken: facebooktest.DefaultToken}),
		serve(channel.Instagram, instagramtest.New(instagramtest.Options{Open: true, PageID: facebooktest.DefaultPageID,
			PageName: facebooktest.DefaultPageName, PublishLimit: -1}), instagramtest.DefaultIGUserID,
			channel.Credentials{channel.CredToken: instagramtest.DefaultToken}),
		serve(channel.X, xtest.New(xtest.Options{Open: true, AllowDuplicates: true}), "@"+xtest.DefaultUsername,
			channel.Credentials{channel.CredToken: xtest.DefaultToken}),
		serve(channel.Mastodon, mastodontest.New(mastodontest.Options{AnyToken: true}),
			"@"+mastodontest.DefaultUsername+"@"+mastodontest.DefaultDomain, channel.Credentials{channel.CredToken: mastodontest.DefaultToken}),
		serve(channel.Bluesky, blueskytest.New(blueskytest.Options{AnyAccount: true}), blueskytest.DefaultHandle,
			channel.Credentials{channel.CredAppPassword: blueskytest.DefaultAppPassword}),
	)
	if err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// pushClient posts to the fake push service through the tap. It keeps
// as many idle connections as the alert's push workers (16), as httpx's
// client does in production: otherwise each message past two would dial.
func (f *fakes) pushClient() *http.Client {
	c := f.push.Client()
	if t, ok := c.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = 16
	}
	f.pushTap = &pushTap{next: c.Transport, at: map[string][]time.Time{}}
	c.Transport = f.pushTap
	c.Timeout = 10 * time.Second
	return c
}

// pushArrivals places each accepted push message under its alert, found
// by the payload's timestamp (the alert's sent_at).
func (f *fakes) pushArrivals(led *ledger) {
	f.pushTap.mu.Lock()
	defer f.pushTap.mu.Unlock()
	led.mu.Lock()
	byStamp := led.byStamp
	led.mu.Unlock()
	seen := map[string]int{}
	for _, m := range f.push.Received() {
		k := seen[m.Endpoint]
		seen[m.Endpoint]++
		times := f.pushTap.at[m.Endpoint]
		var p struct {
			Timestamp int64 `json:"timestamp"`
		}
		i, ok := -1, json.Unmarshal(m.Payload, &p) == nil
		if ok {
			i, ok = byStamp[p.Timestamp]
		}
		if !ok || k >= len(times) {
			i = -1
		}
		var at time.Time
		if k < len(times) {
			at = times[k]
		}
		led.arrive(chPush, i, at)
	}
}

func (f *fakes) close() {
	for _, ln := range f.listeners {
		_ = ln.Close()
	}
	f.push.Close()
}

// openApp opens a Piazza (not in demo mode) on a fresh database, without
// starting it.
func openApp(ctx context.Context, o options) (*app.App, net.Listener, func(), error) {
	dir, err := os.MkdirTemp("", "piazza-alerts-bench-")
	if err != nil {
		return nil, nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, err
	}
	env := map[string]string{
		"PIAZZA_DATA_DIR":   filepath.Join(dir, "data"),
		"PIAZZA_PUBLIC_URL": "http://" + ln.Addr().String(),
		"PIAZZA_SECRET_KEY": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		// The app's push sender wants a mailto: contact; setup replaces
		// it with one that reaches the fake push service.
		"PIAZZA_MAIL_FROM": "Piazza <bench@piazza.test>",
	}
	if o.workers > 0 {
		env["PIAZZA_WORKERS"] = strconv.Itoa(o.workers)
	}
	drop := func() {}
	if o.engine == "postgres" {
		if env["PIAZZA_DATABASE_URL"], drop, err = benchenv.FreshPostgres(ctx, o.pgURL); err != nil {
			return nil, nil, nil, err
		}
	}
	cleanup := func() {
		_ = os.RemoveAll(dir)
		drop()
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: true})
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return a, ln, cleanup, nil
}

// serve starts the app as `piazza serve` does (River, then HTTP) and
// returns once it answers; stop shuts it down in order.
func serve(ctx context.Context, a *app.App, ln net.Listener) (stop func()) {
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	url := "http://" + ln.Addr().String()
	for range 200 {
		if resp, err := http.Get(url + "/healthz"); err == nil { //nolint:gosec // G107: our own loopback server
			_ = resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
	}
}

func run(o options) error {
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "bench"})
	loadBefore := loadAverage()
	led := newLedger(o.n)
	fk, err := startFakes(led, o.telegramLimits)
	if err != nil {
		return err
	}
	defer fk.close()
	a, ln, cleanup, err := openApp(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	closed := false
	defer func() {
		if !closed {
			_ = a.Close()
		}
	}()
	og, accounts, err := setup(ctx, a, fk, o)
	if err != nil {
		return err
	}
	stop := serve(ctx, a, ln)

	type sendErr struct {
		i   int
		err error
	}
	var errs []sendErr
	start := time.Now()
	var incidentID string
	for i := range o.n {
		if d := time.Until(start.Add(time.Duration(i) * o.every)); d > 0 {
			time.Sleep(d)
		}
		kind, headline := alert.KindUpdate, marker(i)+" raffiche fino a 170 km/h nella notte"
		if i%2 == 0 {
			// Opening the incident is the crisis team's preparation, not
			// the broadcast action: it stays outside the clock.
			inc, err := a.Alerts.CreateIncident(ctx, og.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red,
				Title: "Bora a 150 km/h sul Carso e in città", Hashtag: "#boraTS", AreaDesc: "Trieste",
				Numbers: []alert.Number{{Label: "Protezione civile", Number: "800 500 300"}}})
			if err != nil {
				errs = append(errs, sendErr{i, err})
				continue
			}
			incidentID, kind, headline = inc.ID, alert.KindAlert, marker(i)+" scuole e parchi chiusi domani"
		}
		t0 := time.Now()
		led.start(i, t0)
		sent, _, err := a.Alerts.Send(ctx, og.ID, "", incidentID, alert.SendInput{Kind: kind, Headline: headline,
			AccountIDs: accounts, Subscribers: o.subs > 0 || o.push > 0})
		if err != nil {
			errs = append(errs, sendErr{i, err})
			continue
		}
		led.arrive(chFeeds, i, time.Now())
		led.stamp(i, sent.SentAt)
	}
	sendSpan := time.Since(start)

	// Every delivery settled (sent, failed or unknown), or the wait ran out.
	deadline := time.Now().Add(o.wait)
	open := -1
	for time.Now().Before(deadline) {
		if err := a.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_deliveries WHERE org_id = $1
			AND state IN ('queued', 'sending', 'retrying')`, og.ID).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the taps record right after the fakes answer
	fk.pushArrivals(led)

	rep, err := collect(ctx, a.DB, og.ID)
	if err != nil {
		return err
	}
	stop()
	closed = true
	if err := a.Close(); err != nil {
		return err
	}

	fmt.Printf("alerts broadcast  db=%s  machine=%s\n", o.engine, benchenv.Machine())
	fmt.Printf("load average before %s, after %s (the machine is shared)\n", loadBefore, loadAverage())
	fmt.Printf("command: go run ./bench/alerts %s\n", strings.Join(os.Args[1:], " "))
	lane := max(2*a.Config.Workers, 4) // jobs.Runner's alert lane
	fmt.Printf("%d broadcasts (%d alerts on new incidents, %d updates) every %s, sent over %s; each to 6 channel accounts, "+
		"%d bot subscribers, %d Web Push subscribers; Telegram limits %v; alert lane %d workers; Instagram first poll %s\n",
		o.n, (o.n+1)/2, o.n/2, o.every, sendSpan.Round(time.Millisecond), o.subs, o.push, o.telegramLimits, lane,
		igPoll(o.igPoll))
	if open > 0 {
		fmt.Printf("WAIT RAN OUT: %d deliveries still open %s after the last broadcast\n", open, o.wait)
	}
	report(led, o, rep)
	for k, e := range errs {
		if k == 3 {
			fmt.Printf("  … %d more\n", len(errs)-k)
			break
		}
		fmt.Printf("  Send %s: %v\n", marker(e.i), e.err)
	}
	return nil
}

// loadAverage is the one-minute load of a Linux machine, "?" elsewhere.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func igPoll(d time.Duration) string {
	if d <= 0 {
		return "1s (connector default)"
	}
	return d.String()
}

// setup creates the organisation, its six sandbox accounts, the bot's
// subscribers (written straight into alert_subscribers, as /start leaves
// them) and the Web Push subscribers, and gives the alert service a push
// sender that trusts the fake push service's certificate (the app's goes
// through the SSRF-guarded client, which refuses loopback).
func setup(ctx context.Context, a *app.App, fk *fakes, o options) (org.Organisation, []string, error) {
	og, err := a.Orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: "allerta-bench", Name: "Comune di Prova"})
	if err != nil {
		return og, nil, err
	}
	var ids []string
	botAccount := ""
	for _, in := range fk.accounts {
		acct, err := a.Publish.CreateAccount(ctx, og.ID, in)
		if err != nil {
			return og, nil, fmt.Errorf("%s account: %w", in.Platform, err)
		}
		ids = append(ids, acct.ID)
		if in.Platform == channel.Telegram {
			botAccount = acct.ID
		}
	}
	now := store.Now()
	for k := range o.subs {
		if _, err := a.DB.Write.ExecContext(ctx, `INSERT INTO alert_subscribers (id, org_id, kind, account_id, address, lang,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'it', $6, $6)`,
			store.NewID(), og.ID, alert.SubscriberTelegram, botAccount, strconv.Itoa(firstChat+k), now); err != nil {
			return og, nil, fmt.Errorf("bot subscriber: %w", err)
		}
	}
	for range o.push {
		if _, err := a.Alerts.SubscribeWebPush(ctx, og.ID, fk.push.NewSubscription(), "it", nil, nil); err != nil {
			return og, nil, err
		}
	}
	keys, err := a.Alerts.VAPIDKeys(ctx)
	if err != nil {
		return og, nil, err
	}
	if a.Alerts.Push, err = webpush.NewSender(fk.pushClient(), keys, "mailto:bench@piazza.test"); err != nil {
		return og, nil, err
	}
	if o.igPoll > 0 {
		if c, ok := a.Channels.For(channel.Account{Platform: channel.Instagram, Sandbox: true}); ok {
			if ig, ok := c.(*instagram.Connector); ok {
				ig.PollInterval = o.igPoll // before River starts: nothing uses it yet
			}
		}
	}
	return og, ids, nil
}

// outcomes are what the database says of the run.
type outcomes struct {
	notSent map[string]int // "platform state" → deliveries
	sends   map[string]int // subscriber sends by state
	errors  []string       // a few delivery errors
	pickup  [nChannels][]time.Duration
	work    [nChannels][]time.Duration
	retried [nChannels]int // jobs snoozed or tried again
}

var platformChannel = map[string]int{
	string(channel.Telegram): chTelegram, string(channel.Facebook): chFacebook, string(channel.Instagram): chInstagram,
	string(channel.X): chX, string(channel.Mastodon): chMastodon, string(channel.Bluesky): chBluesky,
}

func collect(ctx context.Context, db *store.DB, orgID string) (outcomes, error) {
	out := outcomes{notSent: map[string]int{}, sends: map[string]int{}}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, target, platform, state, error, attempts FROM alert_deliveries
		WHERE org_id = $1`, orgID)
	if err != nil {
		return out, err
	}
	byID := map[string]int{}
	retried := map[string]bool{}
	for rows.Next() {
		var id, target, platform, state, msg string
		var attempts int
		if err := rows.Scan(&id, &target, &platform, &state, &msg, &attempts); err != nil {
			_ = rows.Close()
			return out, err
		}
		ch := platformChannel[platform]
		switch target {
		case alert.TargetTelegramBot:
			ch = chBot
		case alert.TargetWebPush:
			ch = chPush
		}
		byID[id] = ch
		if attempts > 1 {
			retried[id] = true
		}
		if state != alert.StateSent {
			out.notSent[channelNames[ch]+" "+state]++
			if len(out.errors) < 5 {
				out.errors = append(out.errors, channelNames[ch]+": "+msg)
			}
		}
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	rows, err = db.Read.QueryContext(ctx, `SELECT x.state, COUNT(*) FROM alert_sends x JOIN alert_deliveries d ON d.id = x.delivery_id
		WHERE d.org_id = $1 GROUP BY x.state`, orgID)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			_ = rows.Close()
			return out, err
		}
		out.sends[state] = n
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	// River keeps finished jobs for a day: how long each delivery waited
	// for a worker, and how long the worker took.
	rows, err = db.Read.QueryContext(ctx, `SELECT args, metadata, attempt, created_at, attempted_at, finalized_at FROM river_job
		WHERE kind = 'alert.deliver'`)
	if err != nil {
		return out, err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var args, metadata []byte
		var attempt int
		var created, attempted, finalized any
		if err := rows.Scan(&args, &metadata, &attempt, &created, &attempted, &finalized); err != nil {
			return out, err
		}
		var job struct {
			DeliveryID string `json:"delivery_id"`
		}
		var meta struct {
			Snoozes int `json:"snoozes"`
		}
		if json.Unmarshal(args, &job) != nil {
			continue
		}
		_ = json.Unmarshal(metadata, &meta)
		ch, ok := byID[job.DeliveryID]
		if !ok {
			continue
		}
		if attempt > 1 || meta.Snoozes > 0 || retried[job.DeliveryID] {
			// A rate limit snoozes the job without using an attempt;
			// either way attempted_at is the last try's.
			out.retried[ch]++
			continue
		}
		c, ok1 := asTime(created)
		at, ok2 := asTime(attempted)
		f, ok3 := asTime(finalized)
		if ok1 && ok2 {
			out.pickup[ch] = append(out.pickup[ch], at.Sub(c))
		}
		if ok2 && ok3 {
			out.work[ch] = append(out.work[ch], f.Sub(at))
		}
	}
	return out, rows.Err()
}

// asTime reads a timestamp as either driver returns it.
func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case []byte:
		return asTime(string(t))
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999",
			"2006-01-02T15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p, true
			}
		}
	}
	return time.Time{}, false
}

// stats are the percentiles of a sorted sample.
type stats struct {
	n                   int
	p50, p95, p99, pmax time.Duration
}

func statsOf(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return stats{n: len(ds), p50: q(0.50), p95: q(0.95), p99: q(0.99), pmax: ds[len(ds)-1]}
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

func (s stats) row(name, extra string) {
	fmt.Printf("  %-32s %9s %9s %9s %9s   %s\n", name, dur(s.p50), dur(s.p95), dur(s.p99), dur(s.pmax), extra)
}

func report(led *ledger, o options, rep outcomes) {
	led.mu.Lock()
	defer led.mu.Unlock()
	want := [nChannels]int{1, 1, 1, 1, 1, 1, 1, o.subs, o.push}
	var per [nChannels][]time.Duration
	var spread [nChannels][]time.Duration
	var complete [nChannels]int
	var all, direct, noIG []time.Duration
	incomplete := 0
	for i := range led.got {
		if led.sent[i].IsZero() {
			continue
		}
		whole, lastAll, lastDirect, lastNoIG := true, time.Duration(0), time.Duration(0), time.Duration(0)
		for ch := range nChannels {
			a := led.got[i][ch]
			if want[ch] == 0 {
				continue
			}
			if a.calls < want[ch] {
				whole = false
				continue
			}
			complete[ch]++
			d := a.last.Sub(led.sent[i])
			per[ch] = append(per[ch], d)
			if fanout(ch) {
				spread[ch] = append(spread[ch], a.last.Sub(a.first))
			} else {
				lastDirect = max(lastDirect, d)
				if ch != chInstagram {
					lastNoIG = max(lastNoIG, d)
				}
			}
			lastAll = max(lastAll, d)
		}
		if !whole {
			incomplete++
			continue
		}
		all = append(all, lastAll)
		direct = append(direct, lastDirect)
		noIG = append(noIG, lastNoIG)
	}
	sAll, sDirect := statsOf(all), statsOf(direct)
	fmt.Printf("  %-32s %9s %9s %9s %9s   %s\n", "action → call", "p50", "p95", "p99", "max", "alerts complete")
	sAll.row("last call, every channel", fmt.Sprintf("%d/%d", sAll.n, o.n))
	sDirect.row("last call, without the fan-outs", fmt.Sprintf("%d/%d", sDirect.n, o.n))
	statsOf(noIG).row("  … and without Instagram", "")
	for ch := range nChannels {
		if want[ch] == 0 {
			continue
		}
		extra := fmt.Sprintf("%d/%d", complete[ch], o.n)
		if fanout(ch) {
			extra += fmt.Sprintf(" (%d messages each)", want[ch])
		}
		statsOf(per[ch]).row(channelNames[ch], extra)
	}
	for _, ch := range []int{chBot, chPush} {
		if want[ch] > 0 {
			statsOf(spread[ch]).row(strings.SplitN(channelNames[ch], ",", 2)[0]+": first → last", "")
		}
	}
	fmt.Println("River alert.deliver jobs done in one attempt (pickup: created → attempted, run: attempted → finalized):")
	for ch := chTelegram; ch < nChannels; ch++ {
		if want[ch] == 0 {
			continue
		}
		p, w := statsOf(rep.pickup[ch]), statsOf(rep.work[ch])
		fmt.Printf("  %-32s pickup p50 %-8s p99 %-8s  run p50 %-8s p99 %-8s  retried %d\n", channelNames[ch],
			dur(p.p50), dur(p.p99), dur(w.p50), dur(w.p99), rep.retried[ch])
	}
	verdict := func(s stats) string {
		if s.n == 0 {
			return "no complete alert"
		}
		if s.p99 < time.Second && s.n == o.n {
			return "holds (p99 " + dur(s.p99) + ")"
		}
		return "does not hold (p99 " + dur(s.p99) + fmt.Sprintf(", %d/%d complete)", s.n, o.n)
	}
	fmt.Printf("goal p99 < 1s: without the fan-outs %s; with bot and push (S=%d, P=%d) %s\n", verdict(sDirect), o.subs, o.push, verdict(sAll))
	failed := 0
	for _, n := range rep.notSent {
		failed += n
	}
	sendsNotSent := 0
	for state, n := range rep.sends {
		if state != "sent" {
			sendsNotSent += n
		}
	}
	fmt.Printf("failures: %d deliveries not sent %v; %d subscriber messages not sent %v; %d alerts incomplete at the fakes; %d stray calls\n",
		failed, rep.notSent, sendsNotSent, rep.sends, incomplete, led.stray)
	for ch, m := range led.refused {
		if len(m) > 0 {
			fmt.Printf("  calls refused by the %s fake, by status: %v", channelNames[ch], m)
			if ch == chTelegram {
				fmt.Printf("; 429s within 1s of the channel's previous post %d, others (the bot's 30/s) %d",
					led.channel429.perChat, led.channel429.global)
			}
			fmt.Println()
		}
	}
	for _, e := range rep.errors {
		fmt.Printf("  %s\n", e)
	}
}
