// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"net/http"
	"strings"
	"testing"
)

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"code":410,"errno":106,"error":"Gone","message":"Request did not validate"}`, 410, "Request did not validate"},
		{`{"reason":"BadJwtToken"}`, 403, "BadJwtToken"},
		{`{"error":{"code":400,"message":"Invalid TTL"}}`, 400, "Invalid TTL"},
		{`{"error":"Bad Request"}`, 400, "Bad Request"},
		{"  plain text\nsecond line", 400, "plain text"},
		{"", 404, "Not Found"},
		{`{}`, 400, "Bad Request"},
		{strings.Repeat("è", 150), 400, strings.Repeat("è", 100)},
	} {
		if got := reason([]byte(tc.body), tc.status); got != tc.want {
			t.Errorf("reason(%.40q) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestFanOutClient checks when SendMany posts through a tuned clone of the
// caller's transport.
func TestFanOutClient(t *testing.T) {
	keys, err := GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	wrapped := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		return http.DefaultTransport.RoundTrip(r)
	})}
	for _, tc := range []struct {
		name     string
		client   *http.Client
		workers  int
		cloned   bool
		wantIdle int
	}{
		{"default transport", &http.Client{}, 8, true, 8},
		{"few idle connections", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, 8, true, 8},
		{"enough idle connections", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}, 8, false, 16},
		{"two workers on the default", &http.Client{}, 2, false, 0},
		{"wrapped transport", wrapped, 64, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSender(tc.client, keys, "mailto:a@example.it")
			if err != nil {
				t.Fatal(err)
			}
			c, release := s.fanOutClient(tc.workers)
			defer release()
			if cloned := c != tc.client; cloned != tc.cloned {
				t.Fatalf("cloned %v, want %v", cloned, tc.cloned)
			}
			if tr, ok := c.Transport.(*http.Transport); ok && tc.wantIdle != 0 && tr.MaxIdleConnsPerHost != tc.wantIdle {
				t.Errorf("MaxIdleConnsPerHost %d, want %d", tr.MaxIdleConnsPerHost, tc.wantIdle)
			}
			if orig, ok := tc.client.Transport.(*http.Transport); ok && tc.cloned && orig.MaxIdleConnsPerHost == tc.workers {
				t.Error("the caller's transport was changed")
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
