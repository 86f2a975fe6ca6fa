// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"sync"
	"time"
)

// Throttle locks a key out for a while after too many failed logins within
// a window. It lives in memory: a restart forgives everyone, which is an
// acceptable price for needing no table and no cleanup job.
//
// The login code checks two keys per attempt, the normalised email and the
// client IP, and refuses if either is locked. On failure it calls Fail on
// both. On success it calls Succeed on the email only: the IP key is left
// to expire, so that someone who owns one account cannot clear the counter
// of an address that is guessing the passwords of others.
//
// A Throttle is safe for concurrent use.
type Throttle struct {
	maxFailures int
	window      time.Duration
	lockout     time.Duration
	maxKeys     int

	mu      sync.Mutex
	entries map[string]*throttleEntry
}

type throttleEntry struct {
	failures     int
	firstFailure time.Time
	lockedUntil  time.Time // zero while not locked
}

// defaultThrottleMaxKeys caps memory at a few tens of megabytes even when
// an attacker sprays random emails.
const defaultThrottleMaxKeys = 100_000

// NewThrottle locks a key for lockout once it has failed maxFailures times
// within window. It panics on non-positive arguments, which are programming
// errors.
func NewThrottle(maxFailures int, window time.Duration, lockout time.Duration) *Throttle {
	if maxFailures < 1 || window <= 0 || lockout <= 0 {
		panic("auth: NewThrottle needs positive maxFailures, window and lockout")
	}
	return &Throttle{
		maxFailures: maxFailures,
		window:      window,
		lockout:     lockout,
		maxKeys:     defaultThrottleMaxKeys,
		entries:     make(map[string]*throttleEntry),
	}
}

// Allow reports whether an attempt for key may proceed at now and, if not,
// how long until it may.
func (t *Throttle) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return true, 0
	}
	if t.expired(e, now) {
		delete(t.entries, key)
		return true, 0
	}
	if !e.lockedUntil.IsZero() {
		return false, e.lockedUntil.Sub(now)
	}
	return true, 0
}

// Fail records a failed attempt for key at now.
func (t *Throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e != nil && t.expired(e, now) {
		delete(t.entries, key)
		e = nil
	}
	if e == nil {
		if len(t.entries) >= t.maxKeys {
			t.makeRoom(now)
		}
		e = &throttleEntry{firstFailure: now}
		t.entries[key] = e
	}
	if !e.lockedUntil.IsZero() {
		// Already locked: the caller should not have tried; the lock
		// stands as it is rather than growing without end.
		return
	}
	e.failures++
	if e.failures >= t.maxFailures {
		e.lockedUntil = now.Add(t.lockout)
	}
}

// Succeed forgets the failures of key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// expired reports whether e no longer counts: its lockout is over, or,
// when not locked, its window has passed.
func (t *Throttle) expired(e *throttleEntry, now time.Time) bool {
	if !e.lockedUntil.IsZero() {
		return !now.Before(e.lockedUntil)
	}
	return now.Sub(e.firstFailure) >= t.window
}

// makeRoom drops expired entries and, if the map is still full, enough
// others to free a tenth of it, unlocked ones first, because a lock is the
// state worth keeping. Freeing a tenth at a time keeps the full scan rare.
func (t *Throttle) makeRoom(now time.Time) {
	for k, e := range t.entries {
		if t.expired(e, now) {
			delete(t.entries, k)
		}
	}
	target := t.maxKeys - t.maxKeys/10
	if target >= t.maxKeys {
		target = t.maxKeys - 1
	}
	for _, evictLocked := range []bool{false, true} {
		for k, e := range t.entries {
			if len(t.entries) <= target {
				return
			}
			if evictLocked || e.lockedUntil.IsZero() {
				delete(t.entries, k)
			}
		}
	}
}
