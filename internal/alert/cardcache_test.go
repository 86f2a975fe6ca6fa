// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Every channel of an alert asks for the card at once: it is drawn once;
// a failed drawing is tried again at the next ask; the oldest card goes
// when the cache is full.
func TestCardCache(t *testing.T) {
	c := newCardCache(3)
	var draws atomic.Int32
	release := make(chan struct{})
	draw := func() ([]byte, error) {
		draws.Add(1)
		<-release
		return []byte("png"), nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if img, err := c.get("a/0.png", draw); err != nil || string(img) != "png" {
				t.Errorf("get: %q %v", img, err)
			}
		})
	}
	close(release)
	wg.Wait()
	if n := draws.Load(); n != 1 {
		t.Errorf("8 concurrent asks drew %d times, want 1", n)
	}

	boom := errors.New("boom")
	if _, err := c.get("b/0.png", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed drawing: %v", err)
	}
	if img, err := c.get("b/0.png", func() ([]byte, error) { return []byte("b"), nil }); err != nil || string(img) != "b" {
		t.Errorf("a failed drawing was kept: %q %v", img, err)
	}

	// A drawing that panics fails its asker and is drawn again next time.
	if _, err := c.get("p/0.png", func() ([]byte, error) { panic("bad glyph") }); err == nil || !strings.Contains(err.Error(), "bad glyph") {
		t.Errorf("panicking drawing: %v", err)
	}
	if img, err := c.get("p/0.png", func() ([]byte, error) { return []byte("p"), nil }); err != nil || string(img) != "p" {
		t.Errorf("after a panic: %q %v", img, err)
	}

	_, _ = c.get("c/0.png", func() ([]byte, error) { return []byte("c"), nil })
	redrawn := false
	_, _ = c.get("a/0.png", func() ([]byte, error) { redrawn = true; return []byte("png"), nil })
	if !redrawn {
		t.Error("the oldest card was not evicted from a full cache")
	}
}
