// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// The cache reads once per hookTTL, again when asked for fresh secrets,
// never keeps a failed lookup, and drops expired entries as it grows.
func TestHookCache(t *testing.T) {
	c := newHookCache()
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	loads := 0
	load := func(context.Context) (*hookIdentity, error) {
		loads++
		return &hookIdentity{}, nil
	}
	get := func(key string, fresh bool) bool {
		t.Helper()
		_, cached, err := c.get(t.Context(), key, fresh, load)
		if err != nil {
			t.Fatal(err)
		}
		return cached
	}
	if get("a", false) || !get("a", false) || loads != 1 {
		t.Fatalf("second call within the TTL: loads %d", loads)
	}
	if get("a", true) || loads != 2 {
		t.Fatalf("fresh: loads %d", loads)
	}
	now = now.Add(hookTTL)
	if get("a", false) || loads != 3 {
		t.Fatalf("after the TTL: loads %d", loads)
	}
	failed := errors.New("database down")
	for range 2 {
		if _, _, err := c.get(t.Context(), "b", false, func(context.Context) (*hookIdentity, error) { return nil, failed }); !errors.Is(err, failed) {
			t.Fatalf("failed lookup: %v", err)
		}
	}
	if _, kept := c.m["b"]; kept {
		t.Error("a failed lookup was kept")
	}
	for i := range hookCacheSweep {
		get(fmt.Sprint("k", i), false)
	}
	now = now.Add(hookTTL)
	get("last", false)
	if len(c.m) != 1 {
		t.Errorf("%d entries after the sweep, want 1", len(c.m))
	}
}
