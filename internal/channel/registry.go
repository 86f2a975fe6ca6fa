// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

import "fmt"

// Registry holds one connector per platform, with a second set for sandbox
// accounts: those use an HTTP client allowed to reach loopback addresses,
// where the in-process fakes listen.
type Registry struct {
	real    map[Platform]Connector
	sandbox map[Platform]Connector
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{real: map[Platform]Connector{}, sandbox: map[Platform]Connector{}}
}

// Add registers the connector for real accounts and the one for sandbox
// accounts of the same platform (they differ only in their HTTP client).
// It panics on a platform added twice: a wiring mistake.
func (r *Registry) Add(live, sandbox Connector) {
	p := live.Platform()
	if _, dup := r.real[p]; dup {
		panic(fmt.Sprintf("channel: platform %s registered twice", p))
	}
	if sandbox == nil {
		sandbox = live
	}
	r.real[p] = live
	r.sandbox[p] = sandbox
}

// For returns the connector for acct, or false when its platform has none.
func (r *Registry) For(acct Account) (Connector, bool) {
	m := r.real
	if acct.Sandbox {
		m = r.sandbox
	}
	c, ok := m[acct.Platform]
	return c, ok
}

// Platform returns the connector for real accounts of p.
func (r *Registry) Platform(p Platform) (Connector, bool) {
	c, ok := r.real[p]
	return c, ok
}

// Platforms lists the registered platforms in display order.
func (r *Registry) Platforms() []Platform {
	var out []Platform
	for _, p := range Platforms() {
		if _, ok := r.real[p]; ok {
			out = append(out, p)
		}
	}
	return out
}
