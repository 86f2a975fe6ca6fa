// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpushtest_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func sender(t *testing.T, c *http.Client) *webpush.Sender {
	t.Helper()
	keys, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	s, err := webpush.NewSender(c, keys, "mailto:test@example.it")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSinkAccepts(t *testing.T) {
	sink := webpushtest.NewSink()
	defer sink.Close()
	s := sender(t, sink.Client())
	subs := make([]webpush.Subscription, 30)
	for i := range subs {
		subs[i] = sink.NewSubscription()
	}
	gone := subs[4]
	sink.Respond(gone.Endpoint, webpushtest.Answer{Status: http.StatusGone})
	results := make([]webpush.Result, len(subs))
	if err := s.SendMany(t.Context(), subs, []byte("allerta"), webpush.Options{TTL: time.Minute, Urgency: webpush.UrgencyHigh},
		3, func(i int, r webpush.Result) { results[i] = r }); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		want := webpush.Delivered
		if i == 4 {
			want = webpush.Gone
		}
		if r.Outcome != want {
			t.Errorf("subscription %d: %+v, want %s", i, r, want)
		}
	}
	if n, c, tok := sink.Requests(), sink.Connections(), sink.Tokens(); n != 30 || c > 3 || tok != 1 {
		t.Errorf("%d requests on %d connections with %d tokens; want 30 on at most 3 with 1", n, c, tok)
	}
	if p := sink.Problems(); len(p) > 0 {
		t.Errorf("problems: %q", p)
	}
	if got := sink.Received(); len(got) != 0 {
		t.Errorf("a sink kept %d messages", len(got))
	}
}

// tamper changes each request on its way out, to break the protocol in a
// way the Sender never would.
type tamper struct {
	rt   http.RoundTripper
	edit func(*http.Request)
}

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	t.edit(r)
	return t.rt.RoundTrip(r)
}

// TestRefusals checks that both kinds of fake refuse what a push service
// refuses, each with its status.
func TestRefusals(t *testing.T) {
	otherKeys, err := webpush.GenerateVAPID()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []struct {
		name string
		new  func() *webpushtest.Server
	}{{"server", webpushtest.NewServer}, {"sink", webpushtest.NewSink}} {
		t.Run(kind.name, func(t *testing.T) {
			fake, other := kind.new(), kind.new()
			defer fake.Close()
			defer other.Close()
			for _, tc := range []struct {
				name   string
				edit   func(*http.Request)
				status int
			}{
				{"no TTL", func(r *http.Request) { r.Header.Del("TTL") }, 400},
				{"TTL not a number", func(r *http.Request) { r.Header.Set("TTL", "soon") }, 400},
				{"urgency", func(r *http.Request) { r.Header.Set("Urgency", "urgent") }, 400},
				{"topic", func(r *http.Request) { r.Header.Set("Topic", "allerta meteo") }, 400},
				{"content encoding", func(r *http.Request) { r.Header.Set("Content-Encoding", "aesgcm") }, 415},
				{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
				{"old scheme", func(r *http.Request) {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "vapid ", "WebPush ", 1))
				}, 401},
				{"another key", func(r *http.Request) {
					a := r.Header.Get("Authorization")
					r.Header.Set("Authorization", a[:strings.Index(a, "k=")+2]+otherKeys.Public)
				}, 401},
				{"forged signature", func(r *http.Request) {
					a := r.Header.Get("Authorization")
					i := strings.Index(a, ",") - 3
					c := byte('A')
					if a[i] == 'A' {
						c = 'B'
					}
					r.Header.Set("Authorization", a[:i]+string(c)+a[i+1:])
				}, 401},
				{"token for another service", func(r *http.Request) {
					r.URL.Host = strings.TrimPrefix(other.URL, "https://")
					r.Host = ""
				}, 401},
				{"GET", func(r *http.Request) { r.Method = http.MethodGet }, 405},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c := webpushtest.Client(fake, other)
					c.Transport = tamper{rt: c.Transport, edit: tc.edit}
					defer c.CloseIdleConnections()
					r, err := sender(t, c).Send(t.Context(), fake.NewSubscription(), []byte("x"), webpush.Options{})
					if err != nil || r.Status != tc.status {
						t.Errorf("Send = %+v, %v; want status %d", r, err, tc.status)
					}
				})
			}
			if n := len(fake.Problems()) + len(other.Problems()); n != 11 {
				t.Errorf("%d problems recorded, want 11: %q %q", n, fake.Problems(), other.Problems())
			}
		})
	}
}

// TestSinkMalformed writes requests that the sink's own HTTP reader must
// refuse, on one TLS connection each.
func TestSinkMalformed(t *testing.T) {
	sink := webpushtest.NewSink()
	defer sink.Close()
	tr := sink.Client().Transport.(*http.Transport)
	host := strings.TrimPrefix(sink.URL, "https://")
	for _, req := range []string{
		"POST /push/sub1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"NONSENSE\r\n\r\n",
		"POST /push/sub1 HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n",
		"POST /push/sub1 HTTP/1.1\r\nno colon here\r\n\r\n",
	} {
		c, err := tls.Dial("tcp", host, tr.TLSClientConfig)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("%q: %v", req, err)
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !resp.Close {
				t.Errorf("%q: status %d, close %v; want 400 and the connection closed", req, resp.StatusCode, resp.Close)
			}
		}
		c.Close()
	}
}

// TestCloseReleasesHang checks that Close ends a request held by Hang.
func TestCloseReleasesHang(t *testing.T) {
	for _, newFake := range []func() *webpushtest.Server{webpushtest.NewServer, webpushtest.NewSink} {
		fake := newFake()
		sub := fake.NewSubscription()
		fake.Respond(sub.Endpoint, webpushtest.Answer{Hang: true})
		c := fake.Client()
		done := make(chan webpush.Result)
		go func() {
			r, _ := sender(t, c).Send(t.Context(), sub, []byte("x"), webpush.Options{})
			done <- r
		}()
		for fake.Requests() == 0 {
			time.Sleep(time.Millisecond)
		}
		fake.Close()
		if r := <-done; r.Outcome != webpush.Unknown {
			t.Errorf("%+v, want Unknown", r)
		}
		c.CloseIdleConnections()
	}
}
