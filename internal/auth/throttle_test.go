// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var throttleStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestThrottleLockoutAndRecovery(t *testing.T) {
	th := NewThrottle(3, 10*time.Minute, 15*time.Minute)
	now := throttleStart
	key := "email:anna@comune.example.it"

	for i := range 2 {
		th.Fail(key, now.Add(time.Duration(i)*time.Minute))
		if ok, _ := th.Allow(key, now.Add(time.Duration(i)*time.Minute)); !ok {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	lockedAt := now.Add(2 * time.Minute)
	th.Fail(key, lockedAt)

	ok, wait := th.Allow(key, lockedAt)
	if ok || wait != 15*time.Minute {
		t.Fatalf("Allow after 3 failures = %v, %v; want false, 15m", ok, wait)
	}
	ok, wait = th.Allow(key, lockedAt.Add(10*time.Minute))
	if ok || wait != 5*time.Minute {
		t.Fatalf("Allow 10m into lockout = %v, %v; want false, 5m", ok, wait)
	}
	// A failure during lockout neither extends it nor resets it.
	th.Fail(key, lockedAt.Add(10*time.Minute))
	if _, wait := th.Allow(key, lockedAt.Add(10*time.Minute)); wait != 5*time.Minute {
		t.Fatalf("lockout changed by a failure while locked: %v", wait)
	}
	if ok, wait := th.Allow("ip:192.0.2.1", lockedAt); !ok || wait != 0 {
		t.Fatal("another key is locked too")
	}

	recovered := lockedAt.Add(15 * time.Minute)
	if ok, wait := th.Allow(key, recovered); !ok || wait != 0 {
		t.Fatalf("Allow after lockout = %v, %v; want true, 0", ok, wait)
	}
	// The count starts again from zero after the lockout.
	th.Fail(key, recovered)
	th.Fail(key, recovered)
	if ok, _ := th.Allow(key, recovered); !ok {
		t.Fatal("locked again after two failures")
	}
}

func TestThrottleWindowExpires(t *testing.T) {
	th := NewThrottle(3, 10*time.Minute, 15*time.Minute)
	key := "ip:192.0.2.1"
	th.Fail(key, throttleStart)
	th.Fail(key, throttleStart.Add(time.Minute))
	// The third failure comes after the window: it starts a new count.
	th.Fail(key, throttleStart.Add(10*time.Minute))
	if ok, _ := th.Allow(key, throttleStart.Add(10*time.Minute)); !ok {
		t.Fatal("failures outside the window counted")
	}
}

func TestThrottleSucceedResets(t *testing.T) {
	th := NewThrottle(2, time.Hour, time.Hour)
	key := "email:anna@comune.example.it"
	th.Fail(key, throttleStart)
	th.Succeed(key)
	th.Fail(key, throttleStart)
	if ok, _ := th.Allow(key, throttleStart); !ok {
		t.Fatal("failure before success still counted")
	}
	th.Fail(key, throttleStart)
	if ok, _ := th.Allow(key, throttleStart); ok {
		t.Fatal("not locked after two failures")
	}
	th.Succeed(key)
	if ok, _ := th.Allow(key, throttleStart); !ok {
		t.Fatal("Succeed did not lift the lock")
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th := NewThrottle(2, time.Hour, time.Hour)
	th.maxKeys = 100
	locked := "email:victim@comune.example.it"
	th.Fail(locked, throttleStart)
	th.Fail(locked, throttleStart)

	for i := range 1000 {
		th.Fail(fmt.Sprintf("email:spray%d@example.com", i), throttleStart)
		if n := len(th.entries); n > th.maxKeys {
			t.Fatalf("%d entries; cap is %d", n, th.maxKeys)
		}
	}
	if ok, _ := th.Allow(locked, throttleStart); ok {
		t.Fatal("a spray of unlocked keys evicted a lock")
	}

	// Once the map is full again, expired entries go before any other.
	later := throttleStart.Add(2 * time.Hour)
	for i := range 20 {
		th.Fail(fmt.Sprintf("email:new%d@example.com", i), later)
	}
	if n := len(th.entries); n > 20 {
		t.Fatalf("%d entries after expiry sweep; want at most 20", n)
	}
}

func TestThrottleBoundedMemoryAllLocked(t *testing.T) {
	th := NewThrottle(1, time.Hour, time.Hour)
	th.maxKeys = 50
	for i := range 500 {
		th.Fail(fmt.Sprintf("ip:%d", i), throttleStart)
		if n := len(th.entries); n > th.maxKeys {
			t.Fatalf("%d entries; cap is %d", n, th.maxKeys)
		}
	}
}

func TestThrottleAllowDoesNotStore(t *testing.T) {
	th := NewThrottle(3, time.Hour, time.Hour)
	for i := range 100 {
		th.Allow(fmt.Sprintf("ip:%d", i), throttleStart)
	}
	if n := len(th.entries); n != 0 {
		t.Fatalf("Allow stored %d entries", n)
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(1000, time.Hour, time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("k%d", i%10)
				th.Allow(key, throttleStart)
				th.Fail(key, throttleStart)
				if i%50 == g {
					th.Succeed(key)
				}
			}
		})
	}
	wg.Wait()
}

func TestNewThrottlePanicsOnBadArguments(t *testing.T) {
	tests := []struct {
		name            string
		max             int
		window, lockout time.Duration
	}{
		{"zero failures", 0, time.Minute, time.Minute},
		{"zero window", 1, 0, time.Minute},
		{"negative lockout", 1, time.Minute, -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			NewThrottle(tt.max, tt.window, tt.lockout)
		})
	}
}
