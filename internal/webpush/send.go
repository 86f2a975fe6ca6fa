// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/httpx"
)

// ErrInvalidOptions is wrapped when Options cannot be sent as headers.
var ErrInvalidOptions = errors.New("webpush: invalid options")

// Urgency tells the push service how soon to wake the device (RFC 8030
// section 5.3).
type Urgency string

// The urgencies of RFC 8030 section 5.3.
const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

// Options are the delivery headers of a message.
type Options struct {
	// TTL is how long the push service keeps the message for a browser that
	// is offline, sent in whole seconds. Zero asks it to deliver now or
	// drop the message.
	TTL time.Duration
	// Urgency is left out when empty, which push services read as normal.
	Urgency Urgency
	// Topic, when set, replaces a message with the same topic that is still
	// waiting for the browser: at most 32 characters of the base64url
	// alphabet (RFC 8030 section 5.4).
	Topic string
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// headers are Options checked and formatted once for every message.
type headers struct {
	ttl, urgency, topic string
}

func (o Options) headers() (headers, error) {
	if o.TTL < 0 {
		return headers{}, fmt.Errorf("%w: negative TTL %s", ErrInvalidOptions, o.TTL)
	}
	switch o.Urgency {
	case "", UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
	default:
		return headers{}, fmt.Errorf("%w: urgency %q is not very-low, low, normal or high", ErrInvalidOptions, o.Urgency)
	}
	// Trimming the alphabet from both ends leaves any other character.
	if len(o.Topic) > 32 || strings.Trim(o.Topic, base64URLAlphabet) != "" {
		return headers{}, fmt.Errorf("%w: topic %q must be at most 32 characters of A-Z, a-z, 0-9, - and _", ErrInvalidOptions, o.Topic)
	}
	return headers{
		ttl:     strconv.FormatInt(int64(o.TTL/time.Second), 10),
		urgency: string(o.Urgency),
		topic:   o.Topic,
	}, nil
}

// Outcome is what became of a message.
type Outcome int

// The outcomes of a push.
const (
	// Delivered: the push service accepted the message (201 or 202).
	Delivered Outcome = iota + 1
	// Gone: the subscription expired or was withdrawn (404, 410); the
	// caller deletes it.
	Gone
	// RateLimited: the push service asks to wait (429), Result.RetryAfter
	// says how long when it said.
	RateLimited
	// Rejected: permanent, sending again will not help (other 4xx, an
	// invalid subscription, an address the client refuses); Result.Reason
	// says why.
	Rejected
	// Retryable: nothing reached the push service (connection refused, DNS,
	// a context done before sending), or it failed with a 5xx: safe to send
	// again later.
	Retryable
	// Unknown: the request went out and no answer came (timeout,
	// connection lost). The browser may have the message: the caller
	// records the outcome and does not send again blindly.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Gone:
		return "gone"
	case RateLimited:
		return "rate_limited"
	case Rejected:
		return "rejected"
	case Retryable:
		return "retryable"
	case Unknown:
		return "unknown"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result is the outcome of one message.
type Result struct {
	Outcome Outcome
	// Status is the push service's HTTP status, zero when none came.
	Status int
	// RetryAfter is the push service's Retry-After (RateLimited, and
	// Retryable on a 5xx), zero when it gave none.
	RetryAfter time.Duration
	// Reason is the push service's short explanation of a refusal, or ours
	// when the message was not sent.
	Reason string
	// Err is the transport error (Retryable, Unknown) or why the message
	// could not be sent (Rejected without Status).
	Err error
}

// Sender posts encrypted messages with VAPID, caching one token per push
// service. It is safe for concurrent use.
type Sender struct {
	client  *http.Client
	key     *ecdsa.PrivateKey
	public  string
	subject string
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]vapidToken // by audience (push service origin)
}

// NewSender returns a Sender that posts with client (built by httpx, so
// that the SSRF guard applies) and signs as keys. contact is the
// installation's mailto: or https: address, which push services use to
// reach the operator.
func NewSender(client *http.Client, keys VAPIDKeys, contact string) (*Sender, error) {
	if client == nil {
		return nil, errors.New("webpush: no HTTP client")
	}
	if err := checkSubject(contact); err != nil {
		return nil, err
	}
	key, err := parsePrivate(keys.Private)
	if err != nil {
		return nil, err
	}
	derived, err := encodeVAPID(key)
	if err != nil {
		return nil, err
	}
	// Browsers bound their subscriptions to the public key they were
	// given; a stored pair that disagrees would fail every push.
	if keys.Public != "" && strings.TrimRight(keys.Public, "=") != derived.Public {
		return nil, errors.New("webpush: VAPID public key does not match the private key")
	}
	return &Sender{
		client:  client,
		key:     key,
		public:  derived.Public,
		subject: contact,
		now:     time.Now,
		tokens:  map[string]vapidToken{},
	}, nil
}

// authorization returns the Authorization header for a push service,
// signing a token only when there is none with more than tokenRefresh
// left. Signing under the lock means concurrent first messages to a
// service share one token.
func (s *Sender) authorization(audience string) (string, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[audience]; ok && t.exp.Sub(now) > tokenRefresh {
		return t.header, nil
	}
	t, err := signToken(s.key, s.public, audience, s.subject, now)
	if err != nil {
		return "", err
	}
	// Subscriptions come from the public: forget services whose token
	// lapsed, so the cache holds only those in use.
	for aud, old := range s.tokens {
		if !old.exp.After(now) {
			delete(s.tokens, aud)
		}
	}
	s.tokens[audience] = t
	return t.header, nil
}

// Send encrypts payload for sub and posts it.
//
// The error is non-nil only when nothing was sent because of the input
// (invalid subscription or options, payload larger than MaxPayload) or the
// VAPID signature failed; Result then says Rejected (Retryable for the
// signature) with the same Err, so a caller that reads only Result still
// acts right. Every answer and transport failure is a Result.
//
// Specs: https://www.rfc-editor.org/rfc/rfc8030#section-5
func (s *Sender) Send(ctx context.Context, sub Subscription, payload []byte, opts Options) (Result, error) {
	h, err := prepare(payload, opts)
	if err != nil {
		return Result{Outcome: Rejected, Reason: "invalid message", Err: err}, err
	}
	return s.send(ctx, s.client, sub, payload, h)
}

func prepare(payload []byte, opts Options) (headers, error) {
	h, err := opts.headers()
	if err != nil {
		return headers{}, err
	}
	if err := checkSize(len(payload), EncryptOptions{}); err != nil {
		return headers{}, err
	}
	return h, nil
}

func (s *Sender) send(ctx context.Context, client *http.Client, sub Subscription, payload []byte, h headers) (Result, error) {
	// A context already done would only waste an ECDH: not sent.
	select {
	case <-ctx.Done():
		return Result{Outcome: Retryable, Reason: "not sent", Err: ctx.Err()}, nil
	default:
	}
	k, err := sub.parse()
	if err != nil {
		return Result{Outcome: Rejected, Reason: "invalid subscription", Err: err}, err
	}
	body, err := encrypt(k, payload, EncryptOptions{})
	if err != nil {
		return Result{Outcome: Rejected, Reason: "not encrypted", Err: err}, err
	}
	auth, err := s.authorization(k.origin)
	if err != nil {
		return Result{Outcome: Retryable, Reason: "not signed", Err: err}, err
	}
	return s.post(ctx, client, sub.Endpoint, body, auth, h), nil
}

// Bounds on what is read of an answer's body and kept of a refusal.
const (
	maxErrorBody = 4096
	maxReason    = 200
)

func (s *Sender) post(ctx context.Context, client *http.Client, endpoint string, body []byte, auth string, h headers) Result {
	// Whether the request was written whole is the line between Retryable
	// and Unknown. The flag is atomic because the transport may report
	// from its writer goroutine after Do returned on a cancelled context.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return Result{Outcome: Rejected, Reason: "invalid endpoint", Err: fmt.Errorf("webpush: %w", err)}
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", h.ttl)
	if h.urgency != "" {
		req.Header.Set("Urgency", h.urgency)
	}
	if h.topic != "" {
		req.Header.Set("Topic", h.topic)
	}
	resp, err := client.Do(req) //nolint:gosec // G704: the endpoint is the browser's; the caller's httpx client guards the dial
	if err != nil {
		switch {
		case errors.Is(err, httpx.ErrBlocked):
			return Result{Outcome: Rejected, Reason: "address not allowed", Err: fmt.Errorf("webpush: %w", err)}
		case wrote.Load():
			return Result{Outcome: Unknown, Reason: "no answer after sending", Err: fmt.Errorf("webpush: %w", err)}
		default:
			return Result{Outcome: Retryable, Reason: "not sent", Err: fmt.Errorf("webpush: %w", err)}
		}
	}
	defer func() {
		// Read to the end so that the connection goes back to the pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
	}()
	r := Result{Status: resp.StatusCode}
	switch st := resp.StatusCode; {
	case st >= 200 && st < 300:
		r.Outcome = Delivered
		return r
	case st == http.StatusNotFound || st == http.StatusGone:
		r.Outcome = Gone
	case st == http.StatusTooManyRequests:
		r.Outcome = RateLimited
		r.RetryAfter = httpx.RetryAfter(resp.Header, s.now())
	case st == http.StatusRequestTimeout || st >= 500:
		// 408: the service gave up waiting for our request, so it has not
		// acted on it.
		r.Outcome = Retryable
		r.RetryAfter = httpx.RetryAfter(resp.Header, s.now())
	default:
		r.Outcome = Rejected
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	r.Reason = reason(b, resp.StatusCode)
	return r
}

// reason extracts a short explanation from an error body: the JSON that
// Mozilla (message), Apple (reason) and others send, or the first line of
// text.
func reason(body []byte, status int) string {
	var j map[string]any
	var s string
	if json.Unmarshal(body, &j) == nil {
		for _, k := range []string{"message", "reason", "error"} {
			switch v := j[k].(type) {
			case string:
				s = v
			case map[string]any: // {"error": {"message": …}}
				s, _ = v["message"].(string)
			}
			if s != "" {
				break
			}
		}
	} else {
		s, _, _ = strings.Cut(strings.TrimSpace(string(body)), "\n")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return http.StatusText(status)
	}
	if len(s) > maxReason {
		s = s[:maxReason]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// SendMany sends payload to every subscription with a bounded number of
// workers, each encrypting and posting in turn, and calls report exactly
// once per subscription with its index. report is called from the workers
// concurrently and must be safe for that; SendMany returns when every
// report has returned.
//
// When ctx is done, requests in flight end Unknown or Retryable as Send
// says, and the subscriptions not yet tried are reported Retryable with
// ctx's error, which SendMany then returns. It returns an error without
// sending anything when the payload or opts are invalid.
//
// Connections are kept alive between messages. When the client's
// Transport is an *http.Transport (or nil, the default) keeping fewer
// idle connections per host than workers, SendMany posts through a clone
// of it with MaxIdleConnsPerHost raised to workers (and MaxConnsPerHost
// at most workers), closed at the end: otherwise every worker past that
// number would dial and handshake for each message. A wrapped Transport, such as httpx.NewClient's, cannot be
// tuned: keep workers at or below its MaxIdleConnsPerHost (16 for httpx).
func (s *Sender) SendMany(ctx context.Context, subs []Subscription, payload []byte, opts Options, workers int, report func(i int, r Result)) error {
	h, err := prepare(payload, opts)
	if err != nil {
		return err
	}
	workers = min(max(workers, 1), len(subs))
	if workers == 0 {
		return nil
	}
	client, release := s.fanOutClient(workers)
	defer release()

	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(subs) {
					return
				}
				r, _ := s.send(ctx, client, subs[i], payload, h)
				report(i, r)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// fanOutClient returns the client to post with from workers goroutines,
// and what to call when done.
func (s *Sender) fanOutClient(workers int) (*http.Client, func()) {
	rt := s.client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return s.client, func() {}
	}
	idle := t.MaxIdleConnsPerHost
	if idle == 0 {
		idle = http.DefaultMaxIdleConnsPerHost
	}
	if idle >= workers {
		return s.client, func() {}
	}
	// A clone, not the caller's Transport changed in place: it may be in
	// use by other goroutines. The cap on connections stops the transport
	// from dialling a spare while a worker waits for a busy one, which
	// leaves idle connections behind.
	t = t.Clone()
	t.MaxIdleConnsPerHost = workers
	if t.MaxIdleConns != 0 && t.MaxIdleConns < workers {
		t.MaxIdleConns = workers
	}
	if t.MaxConnsPerHost == 0 || t.MaxConnsPerHost > workers {
		t.MaxConnsPerHost = workers
	}
	c := *s.client
	c.Transport = t
	return &c, t.CloseIdleConnections
}
