// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

func TestPublic(t *testing.T) {
	tests := map[string]bool{
		"8.8.8.8": true, "2a00:1450:4001::1": true, "151.101.1.1": true,
		"127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "172.16.0.1": false, "169.254.169.254": false,
		"::1": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false, "100.64.0.1": false,
		"::ffff:127.0.0.1": false, "224.0.0.1": false, "64:ff9b::a00:1": false,
	}
	for ip, want := range tests {
		if got := Public(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Public(%s) = %v, want %v", ip, got, want)
		}
	}
}

func TestGuardRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := Do(NewClient(Options{}), req)
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("loopback reached: %v", err)
	}
	if e := Transport(channel.Mastodon, "publish", err); e.Kind != channel.Permanent {
		t.Errorf("blocked kind = %v", e.Kind)
	}
	// A host name resolving to loopback is refused too: the guard looks at
	// the dialled address, not the name.
	req, _ = http.NewRequest(http.MethodGet, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), nil)
	if _, err := Do(NewClient(Options{}), req); !errors.Is(err, ErrBlocked) {
		t.Fatalf("localhost reached: %v", err)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := Do(NewClient(Options{AllowPrivate: true}), req)
	if err != nil {
		t.Fatalf("sandbox client refused: %v", err)
	}
	resp.Body.Close()
}

func TestTransportSentOrNot(t *testing.T) {
	// Not sent: nothing listens.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/x", strings.NewReader("a"))
	_, err := Do(NewClient(Options{AllowPrivate: true}), req)
	if e := Transport(channel.Telegram, "publish", err); e.Kind != channel.Retryable {
		t.Errorf("refused connection kind = %v (%v)", e.Kind, err)
	}
	// Sent, then no answer.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: the server notices the client leaving only
		// once it reads the connection again.
		_, _ = io.ReadAll(r.Body)
		<-r.Context().Done()
	}))
	defer hang.Close()
	c := NewClient(Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, hang.URL, strings.NewReader("a"))
	_, err = Do(c, req)
	if e := Transport(channel.Telegram, "publish", err); e.Kind != channel.Unknown {
		t.Errorf("timeout after sending kind = %v (%v)", e.Kind, err)
	}
}

func TestStatusAndRetryAfter(t *testing.T) {
	now := time.Now()
	h := http.Header{}
	h.Set("Retry-After", "7")
	tests := []struct {
		status int
		want   channel.Kind
	}{
		{429, channel.RateLimited}, {401, channel.Auth}, {500, channel.Retryable}, {503, channel.Retryable},
		{408, channel.Retryable}, {400, channel.Permanent}, {403, channel.Permanent}, {422, channel.Permanent},
	}
	for _, tt := range tests {
		e := Status(channel.X, "publish", &http.Response{StatusCode: tt.status, Header: h}, "c", "m")
		if e.Kind != tt.want {
			t.Errorf("%d: kind %v, want %v", tt.status, e.Kind, tt.want)
		}
		if tt.status == 429 && e.RetryAfter != 7*time.Second {
			t.Errorf("429 RetryAfter = %v", e.RetryAfter)
		}
	}
	h.Set("Retry-After", now.Add(90*time.Second).UTC().Format(http.TimeFormat))
	if d := RetryAfter(h, now); d < 88*time.Second || d > 91*time.Second {
		t.Errorf("date Retry-After = %v", d)
	}
	for _, v := range []string{"", "-3", "soon"} {
		h.Set("Retry-After", v)
		if d := RetryAfter(h, now); d != 0 {
			t.Errorf("RetryAfter(%q) = %v", v, d)
		}
	}
	// Absurd waits are capped at a day instead of wrapping to negative.
	for _, v := range []string{"99999999999", "9223372036854775807", now.AddDate(5, 0, 0).UTC().Format(http.TimeFormat)} {
		h.Set("Retry-After", v)
		if d := RetryAfter(h, now); d != 24*time.Hour {
			t.Errorf("RetryAfter(%q) = %v, want the 24h cap", v, d)
		}
	}
}

func TestReadLimited(t *testing.T) {
	if b, err := ReadLimited(strings.NewReader("abc"), 3); err != nil || string(b) != "abc" {
		t.Errorf("exact size: %q %v", b, err)
	}
	if _, err := ReadLimited(strings.NewReader("abcd"), 3); err == nil {
		t.Error("oversized body accepted")
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"5", "Wed, 21 Oct 2015 07:28:00 GMT", "", "-1", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		if d := RetryAfter(h, time.Now()); d < 0 {
			t.Fatalf("negative wait %v for %q", d, v)
		}
	})
}
