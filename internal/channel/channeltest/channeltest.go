// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package channeltest is the shared kit of the platform fakes
// (internal/channel/<platform>/<platform>test): what a fake received, the
// faults a test can inject, and a loopback listener. Demo mode runs the
// same fakes in-process as sandbox channels and shows their Received lists.
package channeltest

import (
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Received is one post as a fake platform stored it, for tests and for the
// demo's "what the sandbox received" page.
type Received struct {
	Platform channel.Platform
	// Target is where it went: the channel, page, account or repo.
	Target   string
	RemoteID string
	URL      string
	// Text is the text as the platform stores it (Telegram's HTML, the
	// Bluesky record text, ...).
	Text  string
	Media []ReceivedMedia
	// Link is the link card URL, if the post carried one.
	Link     string
	Language string
	At       time.Time
	Edited   bool
	Deleted  bool
}

// ReceivedMedia is one attachment a fake received.
type ReceivedMedia struct {
	ContentType string
	Bytes       int
	AltText     string
}

// Recorder is implemented by every fake.
type Recorder interface {
	Platform() channel.Platform
	// Received returns what the fake holds, oldest first.
	Received() []Received
}

// Fault is a failure a test asks a fake to produce on its next calls that
// would create, edit or delete a post.
type Fault int

// The faults every fake can produce, each in its platform's own way (error
// body, status, headers).
const (
	FaultNone Fault = iota
	// FaultRateLimit answers the platform's rate-limit error with a retry
	// hint of one second.
	FaultRateLimit
	// FaultServer answers 500 (or the platform's equivalent) without
	// creating anything.
	FaultServer
	// FaultAuth answers the platform's "token invalid or expired".
	FaultAuth
	// FaultBadRequest answers the platform's validation error.
	FaultBadRequest
	// FaultLost creates the post, then never answers until the client gives
	// up: the outcome the publishing engine must never retry blindly.
	FaultLost
)

// Faults is a queue of faults, embedded by fakes.
type Faults struct {
	mu sync.Mutex
	q  []Fault
}

// Inject queues f for the next n calls.
func (f *Faults) Inject(fault Fault, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.q = append(f.q, fault)
	}
}

// Next pops the next fault, FaultNone when there is none.
func (f *Faults) Next() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.q) == 0 {
		return FaultNone
	}
	x := f.q[0]
	f.q = slices.Delete(f.q, 0, 1)
	return x
}

// Log is a concurrency-safe list of Received, embedded by fakes.
type Log struct {
	mu    sync.Mutex
	items []Received
}

// Add appends r and returns its index.
func (l *Log) Add(r Received) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, r)
	return len(l.items) - 1
}

// Update changes the item at index i with fn.
func (l *Log) Update(i int, fn func(*Received)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i >= 0 && i < len(l.items) {
		fn(&l.items[i])
	}
}

// Find returns the index of the first item for which match is true, or -1.
func (l *Log) Find(match func(Received) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.IndexFunc(l.items, match)
}

// Received returns a copy of the items.
func (l *Log) Received() []Received {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.items)
}

// Listener serves a fake on a loopback port.
type Listener struct {
	URL string
	srv *http.Server
	ln  net.Listener
}

// Serve starts h on 127.0.0.1 on a free port. Tests may use httptest
// instead; demo mode uses this, since httptest belongs in tests.
func Serve(h http.Handler) (*Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Listener{URL: "http://" + ln.Addr().String(), ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// Close stops the listener.
func (l *Listener) Close() error { return l.srv.Close() }
