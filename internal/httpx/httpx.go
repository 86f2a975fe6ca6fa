// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package httpx is Piazza's outbound HTTP: a client that refuses private,
// loopback and link-local addresses at dial time (the SSRF guard: a
// Mastodon instance URL or a link to preview is typed by a person, and must
// not reach the server's own network), bounded reads, and the mapping of
// transport failures and HTTP answers to the typed errors of the channel
// contract.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// ErrBlocked is returned when a connection would reach a private address.
var ErrBlocked = errors.New("httpx: address not allowed (private, loopback or link-local network)")

// Options configure a client.
type Options struct {
	// AllowPrivate lets the client reach private and loopback addresses:
	// sandbox accounts (in-process fakes) and PIAZZA_ALLOW_PRIVATE_NETWORKS.
	AllowPrivate bool
	// Timeout bounds a whole request (default 30 s).
	Timeout time.Duration
	// UserAgent is sent on every request (default "Piazza").
	UserAgent string
}

// NewClient returns a client with the SSRF guard, unless AllowPrivate.
// The guard runs in the dialer's Control hook, on the address actually
// dialled after DNS resolution, so a name that resolves to 127.0.0.1 (or
// changes its answer between a check and the dial) is still refused.
func NewClient(opts Options) *http.Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Piazza"
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		d.Control = guard
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = d.DialContext
	t.Proxy = nil // a proxy would dial on our behalf and bypass the guard
	t.MaxIdleConnsPerHost = 16
	t.ResponseHeaderTimeout = opts.Timeout
	return &http.Client{
		Timeout:   opts.Timeout,
		Transport: userAgent{rt: t, ua: opts.UserAgent},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("httpx: too many redirects")
			}
			return nil
		},
	}
}

type userAgent struct {
	rt http.RoundTripper
	ua string
}

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("User-Agent") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("User-Agent", u.ua)
	}
	return u.rt.RoundTrip(r)
}

func guard(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("httpx: %s: %w", address, ErrBlocked)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("httpx: %s: %w", address, ErrBlocked)
	}
	return nil
}

// Public reports whether ip is a globally routable unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// reserved are the special-purpose ranges not covered by netip's methods.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 may map to private IPv4
	netip.MustParsePrefix("2001:db8::/32"),
}

// ReadLimited reads at most n bytes of r and fails when there is more, so
// that a hostile or broken server cannot exhaust memory.
func ReadLimited(r io.Reader, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > n {
		return b[:n], fmt.Errorf("httpx: response larger than %d bytes", n)
	}
	return b, nil
}

// SendError is a transport failure, saying whether the request had been
// fully written when it happened.
type SendError struct {
	// Sent is true when the request went out whole: the server may have
	// acted on it.
	Sent bool
	Err  error
}

func (e *SendError) Error() string {
	if e.Sent {
		return "no answer after sending: " + e.Err.Error()
	}
	return "not sent: " + e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Do sends req with c and, on a transport failure, returns a *SendError
// that tells whether the request had been written: the difference between
// "nothing happened, retry" and "the post may exist".
func Do(c *http.Client, req *http.Request) (*http.Response, error) {
	var wrote bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { wrote = i.Err == nil },
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := c.Do(req) //nolint:gosec // G704: the client's dialer refuses private addresses (NewClient)
	if err != nil {
		return nil, &SendError{Sent: wrote, Err: err}
	}
	return resp, nil
}

// Transport turns a transport failure into a channel error: Retryable when
// the request never left (connection refused, DNS, the SSRF guard is
// Permanent), Unknown when it was sent and no answer came.
func Transport(p channel.Platform, op string, err error) *channel.Error {
	e := &channel.Error{Kind: channel.Unknown, Platform: p, Op: op, Err: err}
	var se *SendError
	switch {
	case errors.Is(err, ErrBlocked):
		e.Kind = channel.Permanent
		e.Message = "indirizzo non consentito (rete privata)"
	case errors.As(err, &se) && !se.Sent:
		e.Kind = channel.Retryable
	case errors.As(err, &se) && se.Sent:
		e.Kind = channel.Unknown
	case errors.Is(err, context.Canceled):
		e.Kind = channel.Unknown
	}
	return e
}

// Status turns an HTTP error answer into a channel error with the
// platform's own code and message: 429 is RateLimited (with Retry-After),
// 401 is Auth, 408, 425 and 5xx are Retryable, other 4xx Permanent. A
// connector overrides Kind where its platform says more (a 403 that means
// an expired token, a 400 that means a rate limit).
func Status(p channel.Platform, op string, resp *http.Response, code, message string) *channel.Error {
	e := &channel.Error{Platform: p, Op: op, Status: resp.StatusCode, Code: code, Message: message}
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e.Kind = channel.RateLimited
		e.RetryAfter = RetryAfter(resp.Header, time.Now())
	case s == http.StatusUnauthorized:
		e.Kind = channel.Auth
	case s == http.StatusRequestTimeout || s == http.StatusTooEarly || s >= 500:
		e.Kind = channel.Retryable
		e.RetryAfter = RetryAfter(resp.Header, time.Now())
	default:
		e.Kind = channel.Permanent
	}
	return e
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date); zero
// when absent or unreadable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		// A day is more than any platform asks; a larger figure would
		// overflow the Duration and wrap to a negative wait.
		return min(time.Duration(min(s, int(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// maxRetryAfter bounds the wait a server can ask for.
const maxRetryAfter = 24 * time.Hour
