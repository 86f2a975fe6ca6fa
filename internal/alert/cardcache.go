// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"fmt"
	"slices"
	"sync"
)

// cardCache keeps the latest drawn cards. When an alert goes out, every
// channel's delivery, the platforms fetching the image by its address and
// every open live page want the same image at once, and drawing one costs
// tens of milliseconds of CPU: it is drawn once, and whoever asks while it
// is being drawn waits for that drawing. A kept card is not drawn again
// when the incident is edited (its zone or hashtag): the platforms have
// the first one anyway. A failed drawing is not kept.
type cardCache struct {
	mu   sync.Mutex
	max  int
	m    map[string]*cardEntry
	keys []string // oldest first
}

type cardEntry struct {
	done chan struct{}
	img  []byte
	err  error
}

func newCardCache(n int) *cardCache { return &cardCache{max: n, m: map[string]*cardEntry{}} }

func (c *cardCache) get(key string, draw func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.mu.Unlock()
		<-e.done
		return e.img, e.err
	}
	e := &cardEntry{done: make(chan struct{})}
	if len(c.keys) >= c.max {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.m[key], c.keys = e, append(c.keys, key)
	c.mu.Unlock()
	func() {
		// A drawing that panics must not leave its waiters hanging.
		defer func() {
			if r := recover(); r != nil {
				e.img, e.err = nil, fmt.Errorf("alert: card: drawing panicked: %v", r)
			}
			close(e.done)
		}()
		e.img, e.err = draw()
	}()
	if e.err != nil {
		c.mu.Lock()
		if c.m[key] == e {
			delete(c.m, key)
			c.keys = slices.DeleteFunc(c.keys, func(k string) bool { return k == key })
		}
		c.mu.Unlock()
	}
	return e.img, e.err
}
