// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command telegram measures the Telegram fan-out of an alert: -n
// subscriber chats receive one message each through telegram.Fanout, from
// the fake Bot API on loopback enforcing Telegram's limits (-rate messages
// a second in any sliding second, one a second per chat). It prints the
// rate achieved, its ratio to the allowed rate (goal: at least 0.95), the
// 429s the fan-out caused (goal: none), and whether every chat got its
// message exactly once.
//
//	go run ./bench/telegram -n 10000   # about 5.5 minutes at 30 a second
//	go run ./bench/telegram -n 1500    # about 50 seconds
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/httpx"
)

const token = "123456:BENCH-token"

func main() {
	var (
		n       = flag.Int("n", 10000, "subscriber chats")
		limit   = flag.Int("rate", telegram.DefaultRate, "messages a second the fake allows, and the fan-out's rate")
		fanRate = flag.Float64("fanout-rate", 0, "the fan-out's rate, when it should differ from -rate")
		perChat = flag.Duration("per-chat", telegram.DefaultPerChat, "least time between two messages to one chat")
		senders = flag.Int("senders", telegram.DefaultSenders, "concurrent requests")
		blocked = flag.Int("blocked", 0, "every how many chats one has blocked the bot (0: none)")
	)
	flag.Parse()
	if *fanRate <= 0 {
		*fanRate = float64(*limit)
	}
	if err := run(*n, *limit, *fanRate, *perChat, *senders, *blocked); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n, limit int, fanRate float64, perChat time.Duration, senders, blockedEvery int) error {
	fake := telegramtest.New(telegramtest.Options{Token: token, MaxMessages: max(n, 1)})
	fake.EnforceLimits(limit, perChat)
	l, err := channeltest.Serve(fake)
	if err != nil {
		return err
	}
	defer func() { _ = l.Close() }()

	conn := telegram.New(httpx.NewClient(httpx.Options{AllowPrivate: true, Timeout: 10 * time.Second}))
	acct := channel.Account{ID: "bench", Platform: channel.Telegram, BaseURL: l.URL, Handle: "@comune",
		Credentials: channel.Credentials{channel.CredToken: token}, Sandbox: true}
	f := telegram.NewFanout(conn, acct, telegram.FanoutOptions{Rate: fanRate, PerChat: perChat, Senders: senders})

	const first = 100_000_000
	targets := make([]telegram.Target, n)
	for i := range targets {
		id := int64(first + i)
		targets[i] = telegram.Target{ChatID: id,
			Text: "⚠️ Allerta meteo arancione dalle 14: chiudete le vetrine e ritirate i dehors. Dettagli: https://comune.example/allerta"}
		if blockedEvery > 0 && i%blockedEvery == blockedEvery-1 {
			fake.Block(id)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var done atomic.Int64
	report := func(d telegram.Delivery) error {
		if d.Outcome != telegram.Sending {
			done.Add(1)
		}
		return nil
	}
	ticker := time.NewTicker(30 * time.Second)
	defer ticker.Stop()
	start := time.Now()
	go func() {
		for range ticker.C {
			fmt.Fprintf(os.Stderr, "%s: %d of %d\n", time.Since(start).Round(time.Second), done.Load(), n)
		}
	}()
	sum, err := f.Send(ctx, targets, report)
	elapsed := time.Since(start)
	if err != nil {
		return err
	}

	st := fake.Stats()
	// Every request that reached the fake counts against the limit:
	// messages sent and refusals of blocked chats.
	requests := st.Sent + st.Blocked
	achieved := float64(requests-1) / elapsed.Seconds() // n requests span n-1 intervals
	per := map[string]int{}
	for _, m := range fake.Messages() {
		per[m.Chat]++
	}
	dup, lost := 0, 0
	for i, tg := range targets {
		c := per[strconv.FormatInt(tg.ChatID, 10)]
		switch {
		case blockedEvery > 0 && i%blockedEvery == blockedEvery-1:
		case c == 0:
			lost++
		case c > 1:
			dup++
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	fmt.Printf("chats            %d (senders %d, fan-out rate %.1f/s, fake limit %d/s and 1 per %s per chat)\n",
		n, senders, fanRate, limit, perChat)
	fmt.Printf("outcomes         delivered %d, blocked %d, failed %d, unknown %d, not sent %d, skipped %d\n",
		sum.Delivered, sum.Blocked, sum.Failed, sum.Unknown, sum.NotSent, sum.Skipped)
	fmt.Printf("elapsed          %s\n", elapsed.Round(time.Millisecond))
	fmt.Printf("achieved rate    %.2f requests/s\n", achieved)
	fmt.Printf("ratio to %d/s    %.3f (goal >= 0.95) %s\n", limit, achieved/float64(limit), verdict(achieved/float64(limit) >= 0.95))
	fmt.Printf("429 caused       %d (goal 0) %s\n", st.Throttled, verdict(st.Throttled == 0))
	fmt.Printf("exactly once     duplicates %d, lost %d %s\n", dup, lost, verdict(dup == 0 && lost == 0))
	fmt.Printf("heap in use      %.1f MiB\n", float64(ms.HeapInuse)/(1<<20))
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
