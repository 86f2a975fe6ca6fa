// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"fmt"
	"math"
	"net/http/httptrace"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Telegram's limits for a bot's messages: "avoid sending more than one
// message per second" to a chat, and "the API will not allow bulk
// notifications to more than ~30 users per second".
//
// Specs: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
const (
	DefaultRate    = 30
	DefaultPerChat = time.Second
	// DefaultSenders is enough concurrent requests to keep 30 a second
	// going with a few hundred milliseconds of latency.
	DefaultSenders = 12
)

// How often a chat is tried again when Telegram asks to wait (429) or
// fails on its side (5xx, a connection refused) before it is given up as
// NotSent.
const (
	maxRateLimited = 10
	maxRetryable   = 3
)

// FanoutOptions configure a Fanout; zero values are the defaults.
type FanoutOptions struct {
	// Rate is how many messages a second the bot may send in all
	// (DefaultRate).
	Rate float64
	// PerChat is the least time between two messages to one chat
	// (DefaultPerChat).
	PerChat time.Duration
	// Senders is how many requests may be under way at once
	// (DefaultSenders).
	Senders int
}

// Fanout sends one bot's messages to many chats (an alert to its
// subscribers) within Telegram's limits. It keeps the limits of the bot
// across calls: one Fanout per bot, shared by every broadcast and by
// Throttle, so that two alerts at once do not add up past them.
//
// Three things keep it within the limits as Telegram measures them, at
// its end of the network: a token bucket spaces the requests at Rate a
// second with a burst of one; a sliding window lets no request start
// while Rate others were answered less than a second ago or are still
// under way (a request reaches Telegram between its start and its
// answer, so this holds whatever the network's delays; it costs one
// round trip a second); and a 429 pauses every sender for its
// retry_after. The same per chat: a chat is written again PerChat after
// the answer to the previous message.
//
// It is safe for concurrent use.
type Fanout struct {
	conn    *Connector
	acct    channel.Account
	senders int
	gate    *gate
}

// NewFanout returns a fan-out of the account's bot (its token and base
// URL) through conn.
func NewFanout(conn *Connector, acct channel.Account, opts FanoutOptions) *Fanout {
	if opts.Rate <= 0 {
		opts.Rate = DefaultRate
	}
	if opts.PerChat <= 0 {
		opts.PerChat = DefaultPerChat
	}
	if opts.Senders <= 0 {
		opts.Senders = DefaultSenders
	}
	return &Fanout{conn: conn, acct: acct, senders: opts.Senders, gate: newGate(opts.Rate, opts.PerChat)}
}

// Target is one chat of a broadcast and what it receives: the text in
// the subscriber's language, and an optional keyboard ("Disiscriviti").
type Target struct {
	ChatID   int64
	Text     string
	Keyboard *Keyboard
}

// Outcome is where a target's delivery stands.
type Outcome int

// The outcomes a report carries. Sending comes first, then exactly one
// of the others, except for a target that fails its checks (Failed
// alone).
const (
	// Sending: the message is about to be sent. Recorded before any
	// request, so that a target left in this state by a crash counts as
	// Unknown and is never sent again blindly.
	Sending Outcome = iota
	// Delivered: Telegram accepted the message; Delivery.MessageID is its
	// id in the chat.
	Delivered
	// Blocked: the chat cannot receive the bot's messages (IsBlocked);
	// the subscriber should be unsubscribed.
	Blocked
	// Failed: Telegram refused the message as it is (Permanent); Err
	// says why.
	Failed
	// Unknown: the request left and no answer came; the message may have
	// been delivered. It is not retried: a person decides.
	Unknown
	// NotSent: the message surely did not arrive (the broadcast was
	// stopped, Telegram kept asking to wait or failing on its side); a
	// resumed broadcast may send it.
	NotSent
)

func (o Outcome) String() string {
	switch o {
	case Sending:
		return "sending"
	case Delivered:
		return "delivered"
	case Blocked:
		return "blocked"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	case NotSent:
		return "not_sent"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Delivery is one report of a broadcast.
type Delivery struct {
	Index     int // in the targets given to Send
	ChatID    int64
	Outcome   Outcome
	MessageID int64 // Delivered
	Err       error // Blocked, Failed, Unknown, NotSent
}

// Summary counts the outcomes of a broadcast. Skipped targets were never
// reported: the broadcast stopped before them.
type Summary struct {
	Delivered, Blocked, Failed, Unknown, NotSent, Skipped int
}

// Send sends each target its message, in the order given as far as the
// concurrent senders allow (the caller sorts by priority: shopkeepers
// first), and reports every step through report, which is called from
// several goroutines at once and must be safe for that.
//
// For each target, report first receives Sending, before any request;
// when it returns an error the target is not sent and the broadcast
// stops. Then it receives the outcome. A caller that records each
// delivery can therefore resume after a crash or a cancellation without
// sending anything twice: it calls Send again with the targets it has no
// record of, or whose record is NotSent; a record left at Sending is
// Unknown.
//
// Cancelling ctx stops the broadcast: no new message is sent, targets
// waiting for their turn are reported NotSent, and requests already
// under way are let finish (within the HTTP client's timeout), so that
// their outcome is known rather than Unknown. Send returns once every
// sender has stopped, never reporting after that. Its error is the
// context's, report's, or an Auth error when the bot's token no longer
// works (which stops the broadcast too); nil when every target has its
// outcome.
func (f *Fanout) Send(ctx context.Context, targets []Target, report func(Delivery) error) (Summary, error) {
	work, stop := context.WithCancel(ctx)
	defer stop()
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		sum     Summary
		stopErr error
	)
	rep := func(d Delivery) error {
		if d.Outcome != Sending {
			mu.Lock()
			switch d.Outcome {
			case Delivered:
				sum.Delivered++
			case Blocked:
				sum.Blocked++
			case Failed:
				sum.Failed++
			case Unknown:
				sum.Unknown++
			case NotSent:
				sum.NotSent++
			}
			mu.Unlock()
		}
		if err := report(d); err != nil {
			return fmt.Errorf("telegram: broadcast: report %s of chat %d: %w", d.Outcome, d.ChatID, err)
		}
		return nil
	}
	for range min(f.senders, len(targets)) {
		wg.Go(func() {
			for work.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(targets) {
					return
				}
				if err := f.deliver(work, i, targets[i], rep); err != nil {
					mu.Lock()
					if stopErr == nil {
						stopErr = err
					}
					mu.Unlock()
					stop()
					return
				}
			}
		})
	}
	wg.Wait()
	sum.Skipped = len(targets) - (sum.Delivered + sum.Blocked + sum.Failed + sum.Unknown + sum.NotSent)
	switch {
	case stopErr != nil:
		return sum, stopErr
	case ctx.Err() != nil && sum.Skipped+sum.NotSent > 0:
		return sum, fmt.Errorf("telegram: broadcast stopped: %w", ctx.Err())
	}
	return sum, nil
}

// deliver takes one target through its reports; an error stops the
// broadcast.
func (f *Fanout) deliver(ctx context.Context, i int, t Target, rep func(Delivery) error) error {
	const op = "send"
	select {
	case <-ctx.Done():
		return nil // skipped: stopped between taking the target and starting it
	default:
	}
	d := Delivery{Index: i, ChatID: t.ChatID}
	if e := checkTarget(op, t); e != nil {
		d.Outcome, d.Err = Failed, e
		return rep(d)
	}
	d.Outcome = Sending
	if err := rep(d); err != nil {
		return err
	}
	// A request under way is not cancelled with the broadcast: its
	// answer turns what would be Unknown into a known outcome.
	send, answered := traceAnswer(context.WithoutCancel(ctx))
	limited, failures := 0, 0
	for {
		if err := f.gate.acquire(ctx, t.ChatID); err != nil {
			d.Outcome, d.Err = NotSent, err
			return rep(d)
		}
		answered.Store(nil)
		id, err := f.conn.SendText(send, f.acct, t.ChatID, t.Text, t.Keyboard)
		f.gate.release(t.ChatID, answered.Load())
		if err == nil {
			d.Outcome, d.MessageID, d.Err = Delivered, id, nil
			return rep(d)
		}
		d.Err = err
		e := channel.AsError(err)
		kind := channel.KindOf(err)
		switch {
		case IsBlocked(err):
			d.Outcome = Blocked
		case kind == channel.Permanent:
			d.Outcome = Failed
		case kind == channel.Unknown:
			d.Outcome = Unknown
		case kind == channel.Auth:
			// The token no longer works: every other chat would fail
			// the same way.
			d.Outcome = NotSent
			if rerr := rep(d); rerr != nil {
				return rerr
			}
			return err
		case kind == channel.RateLimited && limited < maxRateLimited:
			limited++
			f.gate.pause(max(e.RetryAfter, time.Second))
			continue
		case kind == channel.Retryable && failures < maxRetryable-1:
			failures++
			wait := max(e.RetryAfter, time.Duration(failures)*time.Second)
			if err := sleep(ctx, wait, nil); err != nil {
				d.Outcome, d.Err = NotSent, err
				return rep(d)
			}
			continue
		default:
			d.Outcome = NotSent
		}
		return rep(d)
	}
}

// checkTarget refuses a target Telegram would refuse, before it is
// reported as Sending.
func checkTarget(op string, t Target) *channel.Error {
	if t.ChatID == 0 {
		return permanent(op, "no chat to send to")
	}
	if e := checkText(op, t.Text); e != nil {
		return e
	}
	_, e := t.Keyboard.markup(op)
	return e
}

// Throttle runs send, another message of the same bot (the alert's post
// on the channel, an answer in a conversation), within the limits the
// broadcasts keep, so that it does not push the bot over them; a 429 it
// returns pauses the broadcasts too.
func (f *Fanout) Throttle(ctx context.Context, send func(context.Context) error) error {
	if err := f.gate.acquire(ctx, 0); err != nil {
		return err
	}
	traced, answered := traceAnswer(ctx)
	err := send(traced)
	f.gate.release(0, answered.Load())
	if e := channel.AsError(err); e != nil && e.Kind == channel.RateLimited {
		f.gate.pause(max(e.RetryAfter, time.Second))
	}
	return err
}

// gate holds the bot's limits: the token bucket, the sliding window of
// answered requests, the pause after a 429 and the per-chat spacing.
type gate struct {
	bucket  *rate.Limiter
	limit   int // requests in any second
	perChat time.Duration

	mu      sync.Mutex
	paused  time.Time // no request starts before
	running int       // requests under way
	// answered are when the requests of the last second were answered,
	// oldest first.
	answered []time.Time
	// chats are the chats written recently, or being written.
	chats   map[int64]chatState
	sweepAt int
	// changed is closed, and replaced, when a request is answered.
	changed chan struct{}
}

type chatState struct {
	busy bool      // a request to the chat is under way
	free time.Time // when the chat may be written again
}

// minSweep is the size below which the chat table is not swept.
const minSweep = 1024

func newGate(perSecond float64, perChat time.Duration) *gate {
	return &gate{
		bucket: rate.NewLimiter(rate.Limit(perSecond), 1),
		// A fractional rate still lets one request a second through
		// the window; the bucket spaces them.
		limit:   max(1, int(math.Floor(perSecond))),
		perChat: perChat,
		chats:   map[int64]chatState{},
		sweepAt: minSweep,
		changed: make(chan struct{}),
	}
}

// acquire waits until a request to chat (0: no chat to space) may start
// and counts it as under way; release must follow.
func (g *gate) acquire(ctx context.Context, chat int64) error {
	for {
		// Wait for the window, the chat and any pause without holding a
		// token, so that the bucket's slots go to senders that can use
		// them.
		if _, err := g.await(ctx, chat, false); err != nil {
			return err
		}
		if err := g.bucket.Wait(ctx); err != nil {
			return err
		}
		// Holding the token, wait only for the window and the chat to
		// clear; a pause begun meanwhile means starting again.
		ok, err := g.await(ctx, chat, true)
		if err != nil || ok {
			return err
		}
	}
}

// await waits until nothing blocks a request to chat. With take it counts
// the request as started and returns true, or returns false at once if
// a pause is on.
func (g *gate) await(ctx context.Context, chat int64, take bool) (bool, error) {
	for {
		g.mu.Lock()
		now := time.Now()
		if take && now.Before(g.paused) {
			g.mu.Unlock()
			return false, nil
		}
		wait, onAnswer := g.blocked(now, chat)
		if wait <= 0 && !onAnswer {
			if take {
				g.running++
				if chat != 0 {
					g.chats[chat] = chatState{busy: true}
				}
			}
			g.mu.Unlock()
			return take, nil
		}
		var changed chan struct{}
		if onAnswer {
			changed = g.changed
		}
		g.mu.Unlock()
		if err := sleep(ctx, wait, changed); err != nil {
			return false, err
		}
	}
}

// blocked says how long a request to chat must wait, and whether it must
// wait for a request under way to be answered; the caller holds g.mu.
func (g *gate) blocked(now time.Time, chat int64) (wait time.Duration, onAnswer bool) {
	wait = g.paused.Sub(now)
	if s, ok := g.chats[chat]; ok && chat != 0 {
		if s.busy {
			onAnswer = true
		} else {
			wait = max(wait, s.free.Sub(now))
		}
	}
	g.trim(now)
	// over+1 answers must leave the window before one more may start.
	if over := g.running + len(g.answered) - g.limit; over >= 0 {
		if over < len(g.answered) {
			wait = max(wait, g.answered[over].Add(time.Second).Sub(now))
		} else {
			onAnswer = true
		}
	}
	return wait, onAnswer
}

// trim forgets the answers older than a second; the caller holds g.mu.
func (g *gate) trim(now time.Time) {
	n := 0
	for n < len(g.answered) && now.Sub(g.answered[n]) >= time.Second {
		n++
	}
	if n > 0 {
		g.answered = append(g.answered[:0], g.answered[n:]...)
	}
}

// traceAnswer returns ctx with a trace that stores when the first byte
// of an answer arrives. The request reached Telegram before that: an
// earlier bound than the return of the call, which also spans reading
// and decoding the answer and waking the sender.
func traceAnswer(ctx context.Context) (context.Context, *atomic.Pointer[time.Time]) {
	var at atomic.Pointer[time.Time]
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() {
		now := time.Now()
		at.Store(&now)
	}}), &at
}

// release records the answer to a request acquired for chat, answered at
// *at (nil: now).
func (g *gate) release(chat int64, at *time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.running--
	answer := now
	if at != nil && at.Before(now) {
		answer = *at
	}
	// Answers come back out of order: keep them sorted.
	i, _ := slices.BinarySearchFunc(g.answered, answer, time.Time.Compare)
	g.answered = slices.Insert(g.answered, i, answer)
	g.trim(now)
	if chat != 0 {
		g.chats[chat] = chatState{free: answer.Add(g.perChat)}
		if len(g.chats) >= g.sweepAt {
			for id, s := range g.chats {
				if !s.busy && !now.Before(s.free) {
					delete(g.chats, id)
				}
			}
			g.sweepAt = max(minSweep, 2*len(g.chats))
		}
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// pause stops every request from starting for d, as a 429 asks.
func (g *gate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := time.Now().Add(d); until.After(g.paused) {
		g.paused = until
	}
}

// sleep waits for d (none when d <= 0 and changed is not nil), for
// changed to be closed, or for ctx.
func sleep(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	} else if changed == nil {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return nil
	case <-changed:
		return nil
	}
}
