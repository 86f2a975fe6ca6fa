// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

// reports collects a broadcast's reports by target index, and notices
// any that comes after Send returned.
type reports struct {
	mu sync.Mutex
	by map[int][]telegram.Delivery
	// refused are the targets whose Sending report failed: no outcome
	// follows, since nothing was sent.
	refused map[int]bool
	done    atomic.Bool
	late    atomic.Int32
	onAny   func(telegram.Delivery) error
}

func newReports() *reports {
	return &reports{by: map[int][]telegram.Delivery{}, refused: map[int]bool{}}
}

func (r *reports) report(d telegram.Delivery) error {
	if r.done.Load() {
		r.late.Add(1)
	}
	r.mu.Lock()
	r.by[d.Index] = append(r.by[d.Index], d)
	r.mu.Unlock()
	if r.onAny == nil {
		return nil
	}
	err := r.onAny(d)
	if err != nil && d.Outcome == telegram.Sending {
		r.mu.Lock()
		r.refused[d.Index] = true
		r.mu.Unlock()
	}
	return err
}

// final is the outcome of target i, and whether it has one.
func (r *reports) final(i int) (telegram.Delivery, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := r.by[i]
	if len(ds) == 0 || ds[len(ds)-1].Outcome == telegram.Sending {
		return telegram.Delivery{}, false
	}
	return ds[len(ds)-1], true
}

// send runs a broadcast and checks what every broadcast must hold:
// Sending then exactly one outcome per reported target (an invalid one
// has its outcome alone), the summary agreeing with the reports, nothing
// reported after Send returned.
func (r *reports) send(ctx context.Context, t *testing.T, f *telegram.Fanout, targets []telegram.Target) (telegram.Summary, error) {
	t.Helper()
	sum, err := f.Send(ctx, targets, r.report)
	r.done.Store(true)
	time.Sleep(10 * time.Millisecond) // a stray sender would report now
	if n := r.late.Load(); n > 0 {
		t.Errorf("%d reports after Send returned", n)
	}
	var got telegram.Summary
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, tg := range targets {
		ds := r.by[i]
		switch {
		case len(ds) == 0, len(ds) == 1 && r.refused[i]:
			got.Skipped++
			continue
		case len(ds) == 1 && ds[0].Outcome == telegram.Failed:
		case len(ds) != 2 || ds[0].Outcome != telegram.Sending || ds[1].Outcome == telegram.Sending:
			t.Errorf("target %d: reports %+v", i, ds)
			continue
		}
		d := ds[len(ds)-1]
		if d.ChatID != tg.ChatID || d.Index != i {
			t.Errorf("target %d: report %+v", i, d)
		}
		switch d.Outcome {
		case telegram.Delivered:
			got.Delivered++
			if d.MessageID <= 0 || d.Err != nil {
				t.Errorf("target %d: delivered %+v", i, d)
			}
		case telegram.Blocked:
			got.Blocked++
		case telegram.Failed:
			got.Failed++
		case telegram.Unknown:
			got.Unknown++
		case telegram.NotSent:
			got.NotSent++
		}
		if d.Outcome != telegram.Delivered && d.Err == nil {
			t.Errorf("target %d: %s without a reason", i, d.Outcome)
		}
	}
	if got != sum {
		t.Errorf("summary %+v, reports say %+v", sum, got)
	}
	return sum, err
}

// subscribers are n chats from first, each with the alert.
func subscribers(first int64, n int) []telegram.Target {
	out := make([]telegram.Target, n)
	for i := range out {
		out[i] = telegram.Target{ChatID: first + int64(i), Text: "⚠️ Allerta meteo arancione: chiudete le <vetrine> & i dehors"}
	}
	return out
}

// perChat counts the bot's messages in each private chat of the fake.
func perChat(e *env) map[int64]int {
	out := map[int64]int{}
	for _, m := range e.fake.Messages() {
		if id, err := strconv.ParseInt(m.Chat, 10, 64); err == nil && id > 0 && m.From == 0 {
			out[id]++
		}
	}
	return out
}

func TestFanoutWithinLimits(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	e := newEnv(t, telegramtest.Options{}, 5*time.Second)
	e.fake.EnforceLimits(20, time.Second)
	f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 20, Senders: 8})
	targets := subscribers(1001, 45)
	// Shopkeepers first; one of them is in two segments, and one blocked
	// the bot.
	targets = append(targets[:2], append([]telegram.Target{targets[0]}, targets[2:]...)...)
	targets[3].Keyboard = &telegram.Keyboard{Rows: [][]telegram.Button{{{Text: "Disiscriviti", Data: "stop"}}}}
	e.fake.Block(1004)

	r := newReports()
	sum, err := r.send(context.Background(), t, f, targets)
	if err != nil {
		t.Fatal(err)
	}
	if want := (telegram.Summary{Delivered: 45, Blocked: 1}); sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	if d, _ := r.final(4); d.Outcome != telegram.Blocked || !telegram.IsBlocked(d.Err) {
		t.Errorf("blocked chat: %+v", d)
	}
	counts := perChat(e)
	for _, tg := range subscribers(1001, 45) {
		want := 1
		switch tg.ChatID {
		case 1001:
			want = 2 // asked twice, a second apart
		case 1004:
			want = 0
		}
		if counts[tg.ChatID] != want {
			t.Errorf("chat %d received %d messages, want %d", tg.ChatID, counts[tg.ChatID], want)
		}
	}
	// The delivered ids are the fake's.
	for i := range targets {
		d, _ := r.final(i)
		if d.Outcome != telegram.Delivered {
			continue
		}
		if m := findMessage(e, d.ChatID, d.MessageID); m == nil || m.Text != "⚠️ Allerta meteo arancione: chiudete le <vetrine> & i dehors" {
			t.Errorf("target %d: %+v in the fake", i, m)
		}
	}
	if m := findMessage(e, 1003, 1); m == nil || len(m.Keyboard) != 1 || m.Keyboard[0][0].Data != "stop" {
		t.Errorf("keyboard of a target: %+v", m)
	}
	if st := e.fake.Stats(); st.Throttled != 0 || st.Sent != 45 || st.Blocked != 1 {
		t.Errorf("fake stats %+v: the fan-out caused 429s within the limits it shares with the fake", st)
	}
}

func findMessage(e *env, chat, id int64) *telegramtest.Message {
	for _, m := range e.fake.Messages() {
		if m.Chat == strconv.FormatInt(chat, 10) && m.ID == id {
			return &m
		}
	}
	return nil
}

func TestFanoutHonoursRetryAfter(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	e := newEnv(t, telegramtest.Options{}, 5*time.Second)
	// Telegram is stricter than the fan-out believes: 429s come, each
	// pauses every sender, and everything is delivered once.
	e.fake.EnforceLimits(4, time.Second)
	f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 30, Senders: 8})
	targets := subscribers(2001, 12)
	r := newReports()
	sum, err := r.send(context.Background(), t, f, targets)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (telegram.Summary{Delivered: 12}) {
		t.Errorf("summary %+v", sum)
	}
	counts := perChat(e)
	for _, tg := range targets {
		if counts[tg.ChatID] != 1 {
			t.Errorf("chat %d received %d messages", tg.ChatID, counts[tg.ChatID])
		}
	}
	if st := e.fake.Stats(); st.Throttled == 0 || st.Sent != 12 {
		t.Errorf("fake stats %+v: expected 429s and 12 messages", st)
	}
}

func TestFanoutUnknownAndRetryable(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	e := newEnv(t, telegramtest.Options{}, 300*time.Millisecond)
	f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Senders: 1})
	targets := subscribers(3001, 3)
	e.fake.Hang(3002)
	// The first request meets a 500: nothing was sent, so it is tried
	// again.
	e.fake.Inject(channeltest.FaultServer, 1)
	r := newReports()
	sum, err := r.send(context.Background(), t, f, targets)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (telegram.Summary{Delivered: 2, Unknown: 1}) {
		t.Errorf("summary %+v", sum)
	}
	if d, _ := r.final(1); d.Outcome != telegram.Unknown || channel.KindOf(d.Err) != channel.Unknown {
		t.Errorf("hung chat: %+v", d)
	}
	// The message reached the chat once: an unknown outcome is not sent
	// again.
	if counts := perChat(e); counts[3001] != 1 || counts[3002] != 1 || counts[3003] != 1 {
		t.Errorf("messages per chat %v", counts)
	}
}

func TestFanoutCancelAndResume(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	e := newEnv(t, telegramtest.Options{}, 5*time.Second)
	e.fake.EnforceLimits(20, time.Second)
	f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 20, Senders: 4})
	targets := subscribers(4001, 40)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var delivered atomic.Int32
	r := newReports()
	r.onAny = func(d telegram.Delivery) error {
		if d.Outcome == telegram.Delivered && delivered.Add(1) == 5 {
			cancel()
		}
		return nil
	}
	sum, err := r.send(ctx, t, f, targets)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if sum.Skipped == 0 || sum.Delivered < 5 || sum.Unknown != 0 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}

	// The caller resumes with the targets it holds no outcome for, or
	// NotSent: every chat ends with exactly one message.
	var rest []telegram.Target
	for i, tg := range targets {
		if d, ok := r.final(i); !ok || d.Outcome == telegram.NotSent {
			rest = append(rest, tg)
		}
	}
	r2 := newReports()
	sum2, err := r2.send(context.Background(), t, f, rest)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Delivered != len(rest) || sum.Delivered+sum2.Delivered != len(targets) {
		t.Errorf("resumed %+v after %+v", sum2, sum)
	}
	counts := perChat(e)
	for _, tg := range targets {
		if counts[tg.ChatID] != 1 {
			t.Errorf("chat %d received %d messages", tg.ChatID, counts[tg.ChatID])
		}
	}
	if st := e.fake.Stats(); st.Throttled != 0 {
		t.Errorf("fake stats %+v", st)
	}
}

func TestFanoutStops(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 5*time.Second)
	targets := subscribers(5001, 30)

	t.Run("revoked token", func(t *testing.T) {
		bad := e.acct
		bad.Credentials = channel.Credentials{channel.CredToken: "123456:revoked"}
		f := telegram.NewFanout(e.conn, bad, telegram.FanoutOptions{Rate: 1000, Senders: 2})
		r := newReports()
		sum, err := r.send(ctx, t, f, targets)
		if channel.KindOf(err) != channel.Auth {
			t.Errorf("error %v", err)
		}
		if sum.Skipped == 0 || sum.Blocked != 0 || sum.Delivered != 0 {
			t.Errorf("summary %+v", sum)
		}
	})

	t.Run("report fails", func(t *testing.T) {
		errRecord := errors.New("database is locked")
		f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 1000, Senders: 2})
		r := newReports()
		r.onAny = func(d telegram.Delivery) error {
			if d.Index == 3 && d.Outcome == telegram.Sending {
				return errRecord
			}
			return nil
		}
		before := e.fake.Stats().Sent
		sum, err := r.send(ctx, t, f, targets)
		if !errors.Is(err, errRecord) {
			t.Errorf("error %v", err)
		}
		if sum.Skipped == 0 {
			t.Errorf("summary %+v", sum)
		}
		// Target 3 was not recorded as sending, so it was not sent.
		if counts := perChat(e); counts[5004] != 0 {
			t.Errorf("chat 5004 received %d messages", counts[5004])
		}
		if sent := e.fake.Stats().Sent - before; sent != sum.Delivered {
			t.Errorf("%d sent, %d delivered", sent, sum.Delivered)
		}
	})

	t.Run("invalid targets", func(t *testing.T) {
		f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 1000})
		bad := []telegram.Target{{ChatID: 0, Text: "ciao"}, {ChatID: 6001, Text: " "},
			{ChatID: 6002, Text: "ciao", Keyboard: &telegram.Keyboard{Rows: [][]telegram.Button{{{Text: "x"}}}}},
			{ChatID: 6003, Text: "ciao"}}
		r := newReports()
		sum, err := r.send(ctx, t, f, bad)
		if err != nil || sum != (telegram.Summary{Delivered: 1, Failed: 3}) {
			t.Errorf("summary %+v, %v", sum, err)
		}
	})

	t.Run("nothing to send", func(t *testing.T) {
		f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{})
		if sum, err := f.Send(ctx, nil, newReports().report); err != nil || sum != (telegram.Summary{}) {
			t.Errorf("%+v %v", sum, err)
		}
	})
}

func TestFanoutThrottle(t *testing.T) {
	t.Parallel() // each waits on the limits of its own fake
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 5*time.Second)
	e.fake.EnforceLimits(20, time.Second)
	f := telegram.NewFanout(e.conn, e.acct, telegram.FanoutOptions{Rate: 20})
	// The alert's post on the channel goes through the same limits as the
	// broadcast running beside it.
	var wg sync.WaitGroup
	r := newReports()
	wg.Go(func() {
		if _, err := f.Send(ctx, subscribers(7001, 25), r.report); err != nil {
			t.Error(err)
		}
	})
	var pub channel.Published
	err := f.Throttle(ctx, func(ctx context.Context) error {
		var err error
		pub, err = e.conn.Publish(ctx, e.acct, channel.Post{Text: "Allerta meteo arancione"})
		return err
	})
	wg.Wait()
	if err != nil || pub.RemoteID == "" {
		t.Fatalf("%+v %v", pub, err)
	}
	if st := e.fake.Stats(); st.Throttled != 0 || st.Sent != 26 {
		t.Errorf("fake stats %+v", st)
	}
	// A 429 it meets is returned as it is.
	e.fake.Inject(channeltest.FaultRateLimit, 1)
	err = f.Throttle(ctx, func(ctx context.Context) error {
		_, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Aggiornamento"})
		return err
	})
	if channel.KindOf(err) != channel.RateLimited {
		t.Errorf("error %v", err)
	}
}
