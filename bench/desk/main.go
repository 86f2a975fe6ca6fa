// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command desk measures the citizen desk (issue #4):
//
//   - ingest: signed Telegram webhooks sent at a fixed rate (open loop) to a
//     running Piazza; each answer 200 means the message is stored, triaged,
//     routed and in the inbox. It reports the rate reached and the latency
//     of every call (p50, p99, max), then checks that every message is in
//     the inbox exactly once. With -history N the organisation first holds
//     N earlier messages (half as many conversations) and the database is
//     analysed, as an installation in use is: a surge on tables the
//     planner last saw empty measures the plans of an empty database
//     (on PostgreSQL without autovacuum they stay that way).
//   - inbox: the inbox queries on an organisation with a million stored
//     messages (written straight into the tables), p50/p95/p99 per view.
//
// Usage:
//
//	go run ./bench/desk -db sqlite|postgres -mode ingest -rate 1000 -duration 30s [-history 100000]
//	go run ./bench/desk -db sqlite|postgres -mode inbox -messages 1000000
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/piazza-pa/piazza/bench/internal/benchenv"
	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

const secret = "bench-webhook-secret-0123456789" //nolint:gosec // G101: the fake bot of a benchmark

func main() {
	var (
		engine   = flag.String("db", "sqlite", "sqlite or postgres")
		pgURL    = flag.String("pg", benchenv.DefaultPostgres(), "PostgreSQL server to create the benchmark database on")
		mode     = flag.String("mode", "ingest", "ingest or inbox")
		rate     = flag.Int("rate", 1000, "ingest: webhooks per second")
		duration = flag.Duration("duration", 30*time.Second, "ingest: how long to send")
		messages = flag.Int("messages", 1000000, "inbox: messages stored before measuring")
		history  = flag.Int("history", 0, "ingest: earlier messages stored (and the database analysed) before the surge")
		queries  = flag.Int("queries", 300, "inbox: queries per view")
		profile  = flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	)
	flag.Parse()
	if bp := os.Getenv("BLOCKPROFILE"); bp != "" {
		runtime.SetBlockProfileRate(100000)
		defer func() {
			f, err := os.Create(bp) //nolint:gosec // G703: a path the person running the benchmark chose
			if err == nil {
				_ = pprof.Lookup("block").WriteTo(f, 0)
				_ = f.Close()
			}
		}()
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch *mode {
	case "ingest":
		err = runIngest(*engine, *pgURL, *rate, *duration, *history)
	case "inbox":
		err = runInbox(*engine, *pgURL, *messages, *queries)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "desk bench:", err)
		os.Exit(1)
	}
}

// startApp runs a Piazza (not in demo mode) with the demo organisation's
// offices and people, on a fresh database.
func startApp(ctx context.Context, engine, pgURL string) (*app.App, string, func(), error) {
	dir, err := os.MkdirTemp("", "piazza-desk-bench-")
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	url := "http://" + ln.Addr().String()
	env := map[string]string{
		"PIAZZA_DATA_DIR":   filepath.Join(dir, "data"),
		"PIAZZA_PUBLIC_URL": url,
		"PIAZZA_SECRET_KEY": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	}
	drop := func() {}
	if engine == "postgres" {
		if env["PIAZZA_DATABASE_URL"], drop, err = benchenv.FreshPostgres(ctx, pgURL); err != nil {
			return nil, "", nil, err
		}
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return nil, "", nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: true})
	if err != nil {
		return nil, "", nil, err
	}
	if _, err := demo.Seed(ctx, a.DB, a.Orgs, a.Auth); err != nil {
		return nil, "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
		_ = a.Close()
		_ = os.RemoveAll(dir)
		drop()
	}
	for range 200 {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			_ = resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return a, url, stop, nil
}

// texts are the shipped labelled messages, the realistic mix of a desk.
func texts() ([]string, error) {
	f, err := os.Open("internal/triage/data/desk-messages.jsonl")
	if err != nil {
		return nil, fmt.Errorf("run from the module root: %w", err)
	}
	defer func() { _ = f.Close() }()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err == nil && m.Text != "" {
			out = append(out, m.Text)
		}
	}
	return out, sc.Err()
}

func runIngest(engine, pgURL string, rate int, duration time.Duration, history int) error {
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "bench"})
	a, url, stop, err := startApp(ctx, engine, pgURL)
	if err != nil {
		return err
	}
	defer stop()
	o, err := a.Orgs.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		return err
	}
	if history > 0 {
		offices, err := a.Orgs.Offices(ctx, o.ID)
		if err != nil {
			return err
		}
		t0 := time.Now()
		if err := fill(ctx, a.DB, o.ID, offices, history); err != nil {
			return err
		}
		if _, err := a.DB.Write.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
		fmt.Printf("history: %d messages stored and analysed in %s\n", history, time.Since(t0).Round(time.Second))
	}
	if engine == "postgres" {
		var av string
		if err := a.DB.Read.QueryRowContext(ctx, `SHOW autovacuum`).Scan(&av); err == nil && av != "on" {
			fmt.Printf("note: autovacuum is %s on this server: the planner's statistics stay as they were at the start\n", av)
		}
	}
	// A Telegram bot whose webhook carries the secret; replies are not
	// sent in this benchmark, so its API address is never called.
	acct, err := a.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Bot",
		Handle: "@bench_bot", BaseURL: "http://127.0.0.1:1", Sandbox: true,
		Credentials: channel.Credentials{channel.CredToken: "1:bench", "webhook_secret": secret}})
	if err != nil {
		return err
	}
	ts, err := texts()
	if err != nil {
		return err
	}
	total := int(duration.Seconds() * float64(rate))
	bodies := make([][]byte, total)
	for i := range bodies {
		// Every message from its own chat: a surge of distinct citizens.
		user := 100000 + i
		bodies[i] = fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private","first_name":"Cittadino"},`+
			`"from":{"id":%d,"is_bot":false,"first_name":"Cittadino","username":"c%d","language_code":"it"},"text":%q}}`,
			i+1, 1, time.Now().Unix(), user, user, user, ts[i%len(ts)]+fmt.Sprintf(" (%d)", i))
	}
	hook := url + "/o/" + demo.Slug + "/hooks/telegram/" + acct.ID
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: 60 * time.Second}
	lat := make([]time.Duration, total)
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	sem := make(chan struct{}, 512)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range total {
		// Open loop: each call leaves at its scheduled time, whether or
		// not the previous ones have answered.
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			sent := start.Add(time.Duration(i) * interval)
			req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(bodies[i]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			// From the scheduled time: a backlog shows as latency.
			lat[i] = time.Since(sent)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var stored, inbox int
	if err := a.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_messages WHERE channel_key = $1 AND direction = 'in'`, acct.ID).Scan(&stored); err != nil {
		return err
	}
	p, err := a.Desk.List(ctx, o.ID, desk.Filter{Scope: desk.Scope{All: true}, Status: "open", Limit: 50})
	if err != nil {
		return err
	}
	inbox = len(p.Conversations)
	// Latency by when the call was scheduled, in five-second windows: a
	// backlog that builds and drains shows where a run's p99 comes from.
	var windows []string
	per := 5 * rate
	for w := 0; w < total; w += per {
		part := slices.Clone(lat[w:min(total, w+per)])
		slices.Sort(part)
		windows = append(windows, fmt.Sprintf("%ds p50 %s max %s", w/rate,
			part[len(part)/2].Round(time.Millisecond), part[len(part)-1].Round(time.Millisecond)))
	}
	slices.Sort(lat)
	pct := func(q float64) time.Duration {
		return lat[min(len(lat)-1, int(q*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("desk ingest  db=%s  machine=%s\n", engine, benchenv.Machine())
	fmt.Printf("sent %d webhooks at %d/s target over %s: achieved %.0f/s\n", total, rate, duration, float64(total)/elapsed.Seconds())
	fmt.Printf("latency (scheduled send → 200 stored, triaged, routed): p50 %s  p99 %s  max %s\n", pct(0.50), pct(0.99), lat[len(lat)-1].Round(time.Millisecond))
	fmt.Printf("by send time: %s\n", strings.Join(windows, "; "))
	fmt.Printf("stored %d of %d (duplicates none by construction), failed %d %v; first inbox page %d conversations\n",
		stored, total, failed.Load(), firstErr.Load(), inbox)
	return nil
}

func runInbox(engine, pgURL string, n, queries int) error {
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "bench"})
	a, _, stop, err := startApp(ctx, engine, pgURL)
	if err != nil {
		return err
	}
	defer stop()
	o, err := a.Orgs.OrganisationBySlug(ctx, demo.Slug)
	if err != nil {
		return err
	}
	offices, err := a.Orgs.Offices(ctx, o.ID)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := fill(ctx, a.DB, o.ID, offices, n); err != nil {
		return err
	}
	fmt.Printf("desk inbox  db=%s  machine=%s\n", engine, benchenv.Machine())
	fmt.Printf("stored %d messages in %d conversations in %s\n", n, n/2, time.Since(t0).Round(time.Second))
	if engine == "postgres" {
		if _, err := a.DB.Write.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	} else if _, err := a.DB.Write.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	all := desk.Scope{All: true}
	office := offices[0].ID
	views := []struct {
		name string
		f    desk.Filter
	}{
		{"open queue, first page", desk.Filter{Scope: all, Status: "open"}},
		{"one office's open queue", desk.Filter{Scope: desk.Scope{Offices: []string{office}}, Status: "open"}},
		{"urgent", desk.Filter{Scope: all, Status: "open", Urgent: true}},
		{"all, page 20 (cursor)", desk.Filter{Scope: all}},
		{"search by subject", desk.Filter{Scope: all, Query: "lampione"}},
	}
	for _, v := range views {
		f := v.f
		if v.name == "all, page 20 (cursor)" {
			for range 19 {
				p, err := a.Desk.List(ctx, o.ID, f)
				if err != nil {
					return err
				}
				f.Before = p.Next
			}
		}
		var ds []time.Duration
		for range queries {
			t := time.Now()
			if _, err := a.Desk.List(ctx, o.ID, f); err != nil {
				return err
			}
			ds = append(ds, time.Since(t))
		}
		slices.Sort(ds)
		report(v.name, ds)
	}
	// The inbox page also shows the desk's figures of the last week.
	var ds []time.Duration
	for range queries / 10 {
		t := time.Now()
		if _, err := a.Desk.Figures(ctx, o.ID, all, 7*24*time.Hour); err != nil {
			return err
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	report("figures of the last 7 days", ds)
	return nil
}

func report(name string, ds []time.Duration) {
	{
		q := func(p float64) time.Duration {
			return ds[min(len(ds)-1, int(p*float64(len(ds))))].Round(10 * time.Microsecond)
		}
		fmt.Printf("%-28s p50 %-10s p95 %-10s p99 %s\n", name, q(0.50), q(0.95), q(0.99))
	}
}

// fill writes n messages in n/2 conversations (a citizen's message and
// a reply) spread over a year, generated by the database itself in
// chunks: statuses, offices, categories and urgencies vary with the row
// number, one subject in eight is about a street light.
func fill(ctx context.Context, db *store.DB, orgID string, offices []org.Office, n int) error {
	ids := make([]string, len(offices))
	for i, o := range offices {
		ids[i] = "'" + o.ID + "'"
	}
	officeCase := "CASE (k % " + fmt.Sprint(len(ids)) + ")"
	for i, id := range ids {
		officeCase += fmt.Sprintf(" WHEN %d THEN %s", i, id)
	}
	officeCase += " END"
	at := "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '-' || (k * 63 % 31536000) || ' seconds')"
	seq := "WITH RECURSIVE seq(k) AS (SELECT $2 UNION ALL SELECT k + 1 FROM seq WHERE k < $3) "
	if db.Engine == store.Postgres {
		at = "(now() - ((k * 63 % 31536000) || ' seconds')::interval)"
		seq = "WITH seq(k) AS (SELECT generate_series($2::bigint, $3::bigint)) "
	}
	convs := n / 2
	const chunk = 50000
	for start := 0; start < convs; start += chunk {
		end := min(start+chunk, convs) - 1
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, seq+`INSERT INTO desk_conversations (id, org_id, source, channel_key, thread, visibility,
				author_id, author_name, subject, status, office_id, category, urgency, moderation, token, message_count, created_at,
				updated_at, last_in_at, group_id)
				SELECT 'b' || lpad_k, $1, 'webform', 'webform', 't' || lpad_k, 'private', 'c' || lpad_k, 'Cittadino ' || lpad_k,
					CASE (k % 8) WHEN 0 THEN 'Lampione spento in via ' || lpad_k ELSE 'Segnalazione n. ' || lpad_k END,
					CASE (k % 8) WHEN 0 THEN 'new' WHEN 1 THEN 'assigned' WHEN 2 THEN 'waiting' WHEN 3 THEN 'answered' ELSE 'closed' END,
					`+officeCase+`,
					CASE (k % 5) WHEN 0 THEN 'intervento' WHEN 1 THEN 'informazione' WHEN 2 THEN 'reclamo' WHEN 3 THEN 'proposta' ELSE 'altro' END,
					CASE (k % 6) WHEN 0 THEN 'alta' WHEN 1 THEN 'bassa' ELSE 'normale' END, 'ok', 'tok' || lpad_k, 2, ts, ts, ts, ''
				FROM (SELECT k, `+lpad("k", db)+` AS lpad_k, `+at+` AS ts FROM seq) x`, orgID, start, end)
			if err != nil {
				return fmt.Errorf("conversations: %w", err)
			}
			_, err = tx.ExecContext(ctx, seq+`INSERT INTO desk_messages (id, org_id, conversation_id, channel_key, remote_id, direction,
				author_name, text, state, created_at)
				SELECT 'm' || lpad_k || d.dir, $1, 'b' || lpad_k, 'webform', CASE d.dir WHEN 'in' THEN 'r' || lpad_k ELSE '' END, d.dir,
					'Cittadino', 'Testo del messaggio numero ' || lpad_k, CASE d.dir WHEN 'in' THEN 'received' ELSE 'sent' END, ts
				FROM (SELECT k, `+lpad("k", db)+` AS lpad_k, `+at+` AS ts FROM seq) x CROSS JOIN (SELECT 'in' AS dir UNION ALL SELECT 'out') d`,
				orgID, start, end)
			if err != nil {
				return fmt.Errorf("messages: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// lpad is the row number as 9 digits, so generated ids sort like numbers.
func lpad(col string, db *store.DB) string {
	if db.Engine == store.Postgres {
		return "lpad(" + col + "::text, 9, '0')"
	}
	return "printf('%09d', " + col + ")"
}
