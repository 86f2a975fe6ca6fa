// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// TestMain fails the package when a test leaves a goroutine behind: a
// fan-out cancelled midway must not.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const contact = "mailto:protezione.civile@comune.example.it"

func newFake(t *testing.T) *webpushtest.Server {
	t.Helper()
	s := webpushtest.NewServer()
	t.Cleanup(s.Close)
	return s
}

func newSender(t *testing.T, client *http.Client) (*webpush.Sender, webpush.VAPIDKeys) {
	t.Helper()
	keys, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	s, err := webpush.NewSender(client, keys, contact)
	if err != nil {
		t.Fatal(err)
	}
	return s, keys
}

func noProblems(t *testing.T, fakes ...*webpushtest.Server) {
	t.Helper()
	for _, f := range fakes {
		for _, p := range f.Problems() {
			t.Errorf("push service refused: %s", p)
		}
	}
}

func TestVAPIDKeys(t *testing.T) {
	keys, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := base64.RawURLEncoding.DecodeString(keys.Private)
	if err != nil || len(priv) != 32 {
		t.Errorf("private key %q: %d bytes, %v; want 32 bytes of base64url", keys.Private, len(priv), err)
	}
	pub, err := base64.RawURLEncoding.DecodeString(keys.Public)
	if err != nil || len(pub) != 65 || pub[0] != 0x04 {
		t.Errorf("public key %q: want the 65-byte uncompressed point", keys.Public)
	}
	parsed, err := webpush.ParseVAPID(keys.Private)
	if err != nil || parsed != keys {
		t.Errorf("ParseVAPID = %+v, %v; want %+v", parsed, err, keys)
	}
	if s := fmt.Sprintf("%v %+v", keys, keys); strings.Contains(s, keys.Private) {
		t.Errorf("formatting shows the private key: %s", s)
	}
	for _, bad := range []string{"", "not base64!", "AAAA", strings.Repeat("_", 43)} {
		if _, err := webpush.ParseVAPID(bad); err == nil {
			t.Errorf("ParseVAPID(%q) accepted", bad)
		}
	}
}

func TestNewSenderRefuses(t *testing.T) {
	keys, _ := webpush.GenerateVAPID()
	other, _ := webpush.GenerateVAPID()
	for _, tc := range []struct {
		name    string
		client  *http.Client
		keys    webpush.VAPIDKeys
		contact string
	}{
		{"no client", nil, keys, contact},
		{"no contact", http.DefaultClient, keys, ""},
		{"bare mailto", http.DefaultClient, keys, "mailto:"},
		{"http contact", http.DefaultClient, keys, "http://comune.example.it"},
		{"mismatched keys", http.DefaultClient, webpush.VAPIDKeys{Private: keys.Private, Public: other.Public}, contact},
		{"no private key", http.DefaultClient, webpush.VAPIDKeys{Public: keys.Public}, contact},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := webpush.NewSender(tc.client, tc.keys, tc.contact); err == nil {
				t.Error("NewSender accepted")
			}
		})
	}
	if _, err := webpush.NewSender(http.DefaultClient, webpush.VAPIDKeys{Private: keys.Private}, "https://comune.example.it/contatti"); err != nil {
		t.Errorf("NewSender with only the private key: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	fake := newFake(t)
	sender, keys := newSender(t, fake.Client())
	sub := fake.NewSubscription()
	payload := []byte(`{"title":"Allerta meteo rossa","body":"Scuole chiuse domani"}`)
	opts := webpush.Options{TTL: 6 * time.Hour, Urgency: webpush.UrgencyHigh, Topic: "incident-42"}

	r, err := sender.Send(t.Context(), sub, payload, opts)
	if err != nil || r.Outcome != webpush.Delivered || r.Status != http.StatusCreated {
		t.Fatalf("Send = %+v, %v; want Delivered 201", r, err)
	}
	noProblems(t, fake)
	got := fake.Received()
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	want := webpushtest.Message{Endpoint: sub.Endpoint, Payload: payload, TTL: 6 * 3600, Urgency: "high",
		Topic: "incident-42", Subject: contact, Key: keys.Public}
	if m := got[0]; !bytes.Equal(m.Payload, want.Payload) || m.Endpoint != want.Endpoint || m.TTL != want.TTL ||
		m.Urgency != want.Urgency || m.Topic != want.Topic || m.Subject != want.Subject || m.Key != want.Key {
		t.Errorf("received %+v\nwant %+v", m, want)
	}
}

func TestPayloadSize(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	sub := fake.NewSubscription()
	if r, err := sender.Send(t.Context(), sub, make([]byte, webpush.MaxPayload), webpush.Options{}); err != nil || r.Outcome != webpush.Delivered {
		t.Errorf("largest payload: %+v, %v; want Delivered", r, err)
	}
	r, err := sender.Send(t.Context(), sub, make([]byte, webpush.MaxPayload+1), webpush.Options{})
	if !errors.Is(err, webpush.ErrPayloadTooLarge) || r.Outcome != webpush.Rejected {
		t.Errorf("payload too large: %+v, %v; want Rejected and ErrPayloadTooLarge", r, err)
	}
	if !strings.Contains(fmt.Sprint(err), "3994 bytes, at most 3993") {
		t.Errorf("error %q does not say the sizes", err)
	}
	if n := fake.Requests(); n != 1 {
		t.Errorf("%d requests reached the service, want 1", n)
	}
	noProblems(t, fake)
}

func TestInvalidInputIsNotSent(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	good := fake.NewSubscription()
	for _, tc := range []struct {
		name string
		sub  webpush.Subscription
		opts webpush.Options
		want error
	}{
		{"http endpoint", webpush.Subscription{Endpoint: strings.Replace(good.Endpoint, "https:", "http:", 1), P256dh: good.P256dh, Auth: good.Auth}, webpush.Options{}, webpush.ErrInvalidSubscription},
		{"short auth", webpush.Subscription{Endpoint: good.Endpoint, P256dh: good.P256dh, Auth: "AAAA"}, webpush.Options{}, webpush.ErrInvalidSubscription},
		{"bad key", webpush.Subscription{Endpoint: good.Endpoint, P256dh: good.Auth, Auth: good.Auth}, webpush.Options{}, webpush.ErrInvalidSubscription},
		{"urgency", good, webpush.Options{Urgency: "urgent"}, webpush.ErrInvalidOptions},
		{"topic too long", good, webpush.Options{Topic: strings.Repeat("a", 33)}, webpush.ErrInvalidOptions},
		{"topic alphabet", good, webpush.Options{Topic: "allerta meteo"}, webpush.ErrInvalidOptions},
		{"negative TTL", good, webpush.Options{TTL: -time.Second}, webpush.ErrInvalidOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := sender.Send(t.Context(), tc.sub, []byte("x"), tc.opts)
			if !errors.Is(err, tc.want) || !errors.Is(r.Err, tc.want) || r.Outcome != webpush.Rejected {
				t.Errorf("Send = %+v, %v; want Rejected with %v", r, err, tc.want)
			}
		})
	}
	if n := fake.Requests(); n != 0 {
		t.Errorf("%d requests reached the service, want none", n)
	}
}

func TestTokenReuse(t *testing.T) {
	a, b := newFake(t), newFake(t)
	sender, _ := newSender(t, webpushtest.Client(a, b))
	subA := make([]webpush.Subscription, 100)
	for i := range subA {
		subA[i] = a.NewSubscription()
	}
	var mu sync.Mutex
	delivered := 0
	err := sender.SendMany(t.Context(), subA, []byte("allerta"), webpush.Options{TTL: time.Hour}, 8, func(i int, r webpush.Result) {
		mu.Lock()
		defer mu.Unlock()
		if r.Outcome == webpush.Delivered {
			delivered++
		}
	})
	if err != nil || delivered != 100 {
		t.Fatalf("SendMany: %v, %d delivered; want 100", err, delivered)
	}
	if n := a.Tokens(); n != 1 {
		t.Errorf("100 messages to one service signed %d tokens, want 1", n)
	}
	for range 3 {
		if r, err := sender.Send(t.Context(), b.NewSubscription(), []byte("allerta"), webpush.Options{}); err != nil || r.Outcome != webpush.Delivered {
			t.Fatalf("Send to the second service: %+v, %v", r, err)
		}
	}
	if na, nb := a.Tokens(), b.Tokens(); na != 1 || nb != 1 {
		t.Errorf("two services saw %d and %d tokens, want one each", na, nb)
	}
	if ka, kb := a.Received()[0].Key, b.Received()[0].Key; ka != kb {
		t.Errorf("the services saw different keys %s and %s", ka, kb)
	}
	noProblems(t, a, b)
}

// TestTokenRefresh moves the sender's clock: a token is reused while more
// than an hour of its 12 is left, then replaced.
func TestTokenRefresh(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	sub := fake.NewSubscription()
	start := time.Now()
	for _, tc := range []struct {
		after  time.Duration
		tokens int
	}{
		{0, 1},
		{10*time.Hour + 50*time.Minute, 1},
		{11*time.Hour + 30*time.Minute, 2}, // 30 minutes left: a new one
		{11*time.Hour + 40*time.Minute, 2},
	} {
		webpush.SetClock(sender, func() time.Time { return start.Add(tc.after) })
		if r, err := sender.Send(t.Context(), sub, []byte("x"), webpush.Options{}); err != nil || r.Outcome != webpush.Delivered {
			t.Fatalf("after %s: %+v, %v", tc.after, r, err)
		}
		if n := fake.Tokens(); n != tc.tokens {
			t.Errorf("after %s: %d tokens, want %d", tc.after, n, tc.tokens)
		}
	}
	noProblems(t, fake)
}

func TestOutcomes(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	for _, tc := range []struct {
		name       string
		answer     webpushtest.Answer
		want       webpush.Outcome
		retryAfter time.Duration
		reason     string
	}{
		{"404", webpushtest.Answer{Status: 404}, webpush.Gone, 0, "Not Found"},
		{"410", webpushtest.Answer{Status: 410, Body: `{"code":410,"errno":106,"error":"Gone","message":"Request did not validate"}`}, webpush.Gone, 0, "Request did not validate"},
		{"429 seconds", webpushtest.Answer{Status: 429, RetryAfter: "120"}, webpush.RateLimited, 2 * time.Minute, "Too Many Requests"},
		{"429 without Retry-After", webpushtest.Answer{Status: 429}, webpush.RateLimited, 0, "Too Many Requests"},
		{"400", webpushtest.Answer{Status: 400, Body: `{"reason":"BadJwtToken"}`}, webpush.Rejected, 0, "BadJwtToken"},
		{"403 text", webpushtest.Answer{Status: 403, Body: "key mismatch\nmore detail"}, webpush.Rejected, 0, "key mismatch"},
		{"413", webpushtest.Answer{Status: 413}, webpush.Rejected, 0, "Request Entity Too Large"},
		{"408", webpushtest.Answer{Status: 408}, webpush.Retryable, 0, "Request Timeout"},
		{"500", webpushtest.Answer{Status: 500}, webpush.Retryable, 0, "Internal Server Error"},
		{"503 Retry-After", webpushtest.Answer{Status: 503, RetryAfter: "30"}, webpush.Retryable, 30 * time.Second, "Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := fake.NewSubscription()
			fake.Respond(sub.Endpoint, tc.answer)
			r, err := sender.Send(t.Context(), sub, []byte("x"), webpush.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != tc.want || r.Status != tc.answer.Status || r.RetryAfter != tc.retryAfter || r.Reason != tc.reason {
				t.Errorf("got %s %d retry %s %q, want %s %d retry %s %q", r.Outcome, r.Status, r.RetryAfter, r.Reason,
					tc.want, tc.answer.Status, tc.retryAfter, tc.reason)
			}
		})
	}
	t.Run("withdrawn subscription", func(t *testing.T) {
		sub := fake.NewSubscription()
		fake.Forget(sub.Endpoint)
		if r, _ := sender.Send(t.Context(), sub, []byte("x"), webpush.Options{}); r.Outcome != webpush.Gone {
			t.Errorf("got %+v, want Gone", r)
		}
	})
	noProblems(t, fake)
}

// TestUnknown is the case DESIGN.md keeps for a person: the request went
// out and no answer came.
func TestUnknown(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	sub := fake.NewSubscription()
	fake.Respond(sub.Endpoint, webpushtest.Answer{Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	r, err := sender.Send(ctx, sub, []byte("x"), webpush.Options{})
	if err != nil || r.Outcome != webpush.Unknown || !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Errorf("Send = %+v, %v; want Unknown after the deadline", r, err)
	}
}

func TestNotSentIsRetryable(t *testing.T) {
	t.Run("refused connection", func(t *testing.T) {
		fake := webpushtest.NewServer()
		sub := fake.NewSubscription()
		client := fake.Client()
		fake.Close()
		sender, _ := newSender(t, client)
		r, err := sender.Send(t.Context(), sub, []byte("x"), webpush.Options{})
		if err != nil || r.Outcome != webpush.Retryable || r.Err == nil {
			t.Errorf("Send = %+v, %v; want Retryable", r, err)
		}
	})
	t.Run("context done before sending", func(t *testing.T) {
		fake := newFake(t)
		sender, _ := newSender(t, fake.Client())
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		r, err := sender.Send(ctx, fake.NewSubscription(), []byte("x"), webpush.Options{})
		if err != nil || r.Outcome != webpush.Retryable || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("Send = %+v, %v; want Retryable", r, err)
		}
		if n := fake.Requests(); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
}

func TestSendMany(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	subs := make([]webpush.Subscription, 40)
	want := make([]webpush.Outcome, len(subs))
	for i := range subs {
		subs[i] = fake.NewSubscription()
		want[i] = webpush.Delivered
		switch i % 10 {
		case 3:
			fake.Forget(subs[i].Endpoint)
			want[i] = webpush.Gone
		case 7:
			subs[i].Auth = ""
			want[i] = webpush.Rejected
		}
	}
	got := make([]webpush.Outcome, len(subs))
	calls := make([]int, len(subs))
	var mu sync.Mutex
	err := sender.SendMany(t.Context(), subs, []byte("allerta"), webpush.Options{TTL: time.Hour}, 5, func(i int, r webpush.Result) {
		mu.Lock()
		defer mu.Unlock()
		got[i] = r.Outcome
		calls[i]++
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range subs {
		if calls[i] != 1 || got[i] != want[i] {
			t.Errorf("subscription %d: reported %d times, %s; want once, %s", i, calls[i], got[i], want[i])
		}
	}
	if n := len(fake.Received()); n != 32 {
		t.Errorf("%d messages received, want 32", n)
	}
	if n := fake.Connections(); n > 5 {
		t.Errorf("%d connections for 5 workers: keep-alive not reused", n)
	}
	noProblems(t, fake)

	if err := sender.SendMany(t.Context(), subs, make([]byte, webpush.MaxPayload+1), webpush.Options{}, 5, func(int, webpush.Result) {
		t.Error("reported a payload too large")
	}); !errors.Is(err, webpush.ErrPayloadTooLarge) {
		t.Errorf("SendMany with a payload too large: %v", err)
	}
}

// TestSendManyCancel stops a fan-out whose requests hang: the ones in
// flight are Unknown, the rest not sent, each reported once, and no
// goroutine is left (TestMain checks).
func TestSendManyCancel(t *testing.T) {
	fake := newFake(t)
	sender, _ := newSender(t, fake.Client())
	subs := make([]webpush.Subscription, 50)
	for i := range subs {
		subs[i] = fake.NewSubscription()
		fake.Respond(subs[i].Endpoint, webpushtest.Answer{Hang: true})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	var mu sync.Mutex
	count := map[webpush.Outcome]int{}
	reported := map[int]bool{}
	err := sender.SendMany(ctx, subs, []byte("x"), webpush.Options{}, 4, func(i int, r webpush.Result) {
		mu.Lock()
		defer mu.Unlock()
		if reported[i] {
			t.Errorf("subscription %d reported twice", i)
		}
		reported[i] = true
		count[r.Outcome]++
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendMany = %v, want the deadline", err)
	}
	if len(reported) != len(subs) || count[webpush.Unknown] != 4 || count[webpush.Retryable] != len(subs)-4 {
		t.Errorf("reported %d: %v; want 4 unknown and %d retryable", len(reported), count, len(subs)-4)
	}
}
