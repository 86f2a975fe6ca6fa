// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
)

// hookTTL is how long a webhook's organisation and account secrets are
// reused before they are read again. During a surge a thousand calls a
// second would otherwise cost three or more queries each before the
// message itself (the desk's configuration is kept as long, for the same
// reason). A secret changed in the meantime is still honoured at once:
// a call that fails the check with a kept secret is checked again with
// the stored one.
const hookTTL = 5 * time.Second

// hookCacheSweep is the number of entries above which storing one first
// drops the expired ones, so that the accounts of deleted organisations
// do not stay in memory.
const hookCacheSweep = 256

// hookIdentity is what a webhook needs to check a call: the organisation
// of its path and the accounts it may be for, with their credentials open.
type hookIdentity struct {
	org    org.Organisation
	accts  []publish.Account
	cas    []channel.Account
	loaded time.Time
}

// hookCache keeps hook identities by path for hookTTL. Only what was
// found is kept: an unknown organisation or account is looked up each
// time, as before.
type hookCache struct {
	mu  sync.Mutex
	m   map[string]*hookIdentity
	now func() time.Time
}

func newHookCache() *hookCache {
	return &hookCache{m: map[string]*hookIdentity{}, now: time.Now}
}

// get returns the identity kept under key, or loads and keeps it. fresh
// skips what is kept. cached says whether the identity came from memory,
// so that a failed check can be tried once more with fresh secrets.
func (c *hookCache) get(ctx context.Context, key string, fresh bool, load func(context.Context) (*hookIdentity, error)) (id *hookIdentity, cached bool, err error) {
	now := c.now()
	if !fresh {
		c.mu.Lock()
		id = c.m[key]
		c.mu.Unlock()
		if id != nil && now.Sub(id.loaded) < hookTTL {
			return id, true, nil
		}
	}
	id, err = load(ctx)
	if err != nil {
		return nil, false, err
	}
	id.loaded = now
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= hookCacheSweep {
		for k, v := range c.m {
			if now.Sub(v.loaded) >= hookTTL {
				delete(c.m, k)
			}
		}
	}
	c.m[key] = id
	return id, false, nil
}
