// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command webpush measures the Web Push fan-out of emergency alerts. In one
// run it measures the RFC 8291 encryption alone on every core, then sends
// the same number of messages with Sender.SendMany to a local push-service
// sink (webpushtest.NewSink, TLS on loopback, in this process), and prints
// both rates and their ratio. The goal is a ratio of at least 0.60: the
// HTTP side, token included, costs less than the encryption it carries.
// Both phases share the machine, so the ratio holds on any core count.
//
//	go run ./bench/webpush -n 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/piazza-pa/piazza/bench/internal/benchenv"
	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// goal is the least acceptable ratio of the fan-out rate to the
// encryption-only rate.
const goal = 0.60

func main() {
	var (
		n       = flag.Int("n", 100000, "messages (subscribers) in each phase")
		size    = flag.Int("payload", 512, "plaintext bytes per message")
		workers = flag.Int("workers", 0, "SendMany workers (0: 4 × GOMAXPROCS)")
		profile = flag.String("cpuprofile", "", "write a CPU profile of the SendMany phase to this file")
	)
	flag.Parse()
	if *workers <= 0 {
		*workers = 4 * runtime.GOMAXPROCS(0)
	}
	if err := run(*n, *size, *workers, *profile); err != nil {
		fmt.Fprintln(os.Stderr, "webpush bench:", err)
		os.Exit(1)
	}
}

func run(n, size, workers int, profile string) error {
	procs := runtime.GOMAXPROCS(0)
	fmt.Printf("machine: %s\n", benchenv.Machine())

	sink := webpushtest.NewSink()
	defer sink.Close()
	start := time.Now()
	subs := make([]webpush.Subscription, n)
	parallel(n, procs, func(i int) { subs[i] = sink.NewSubscription() })
	fmt.Printf("setup: %d subscriptions in %s\n", n, time.Since(start).Round(time.Millisecond))
	payload := []byte(strings.Repeat("A", size))

	// Phase 1: encryption alone, one goroutine per core.
	var failed atomic.Int64
	runtime.GC()
	cpu := cpuTime()
	start = time.Now()
	parallel(n, procs, func(i int) {
		if _, err := webpush.Encrypt(subs[i], payload, webpush.EncryptOptions{}); err != nil {
			failed.Add(1)
		}
	})
	encElapsed, encCPU := time.Since(start), cpuTime()-cpu
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d encryptions failed", f)
	}
	encRate := float64(n) / encElapsed.Seconds()
	fmt.Printf("encrypt only: %d messages in %s on %d goroutines: %.0f msg/s (%.1f µs of CPU per message)\n",
		n, encElapsed.Round(time.Millisecond), procs, encRate, perMessage(encCPU, n))

	// Phase 2: the fan-out to the sink.
	keys, err := webpush.GenerateVAPID()
	if err != nil {
		return err
	}
	sender, err := webpush.NewSender(sink.Client(), keys, "mailto:bench@piazza.invalid")
	if err != nil {
		return err
	}
	var outcomes [webpush.Unknown + 1]atomic.Int64
	var firstErr atomic.Value
	runtime.GC()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	cpu = cpuTime()
	start = time.Now()
	err = sender.SendMany(context.Background(), subs, payload,
		webpush.Options{TTL: time.Hour, Urgency: webpush.UrgencyHigh, Topic: "bench"}, workers,
		func(_ int, r webpush.Result) {
			outcomes[r.Outcome].Add(1)
			if r.Outcome != webpush.Delivered {
				firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %d %s %v", r.Outcome, r.Status, r.Reason, r.Err))
			}
		})
	sendElapsed, sendCPU := time.Since(start), cpuTime()-cpu
	pprof.StopCPUProfile() // a no-op when not started
	if err != nil {
		return err
	}
	sendRate := float64(n) / sendElapsed.Seconds()
	fmt.Printf("SendMany:     %d messages in %s with %d workers: %.0f msg/s (%.1f µs of CPU per message, sink included)\n",
		n, sendElapsed.Round(time.Millisecond), workers, sendRate, perMessage(sendCPU, n))
	var counts []string
	for o := webpush.Delivered; o <= webpush.Unknown; o++ {
		if c := outcomes[o].Load(); c > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", o, c))
		}
	}
	fmt.Printf("outcomes: %s; sink: %d requests on %d connections, %d VAPID token(s)\n",
		strings.Join(counts, ", "), sink.Requests(), sink.Connections(), sink.Tokens())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first failure: %s\n", e)
	}

	ratio := sendRate / encRate
	verdict := "PASS"
	if ratio < goal || outcomes[webpush.Delivered].Load() != int64(n) {
		verdict = "FAIL"
	}
	fmt.Printf("ratio: %.2f (goal ≥ %.2f): %s\n", ratio, goal, verdict)
	if encCPU > 0 && sendCPU > 0 {
		// Wall-clock rates move with whatever else the machine runs; the
		// CPU this process spent per message does much less.
		fmt.Printf("CPU ratio: %.2f (encryption %.1f µs / fan-out %.1f µs per message)\n",
			float64(encCPU)/float64(sendCPU), perMessage(encCPU, n), perMessage(sendCPU, n))
	}
	if verdict != "PASS" {
		return fmt.Errorf("goal not met")
	}
	return nil
}

// perMessage is d spread over n messages, in microseconds.
func perMessage(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / float64(n)
}

// parallel calls f for 0..n-1 on g goroutines.
func parallel(n, g int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
