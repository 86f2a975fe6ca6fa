// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// clock is a hand-moved clock for the limits, so that no test depends on
// how fast it runs.
type clock struct{ t time.Time }

func (c *clock) now() time.Time            { return c.t }
func (c *clock) advance(d time.Duration)   { c.t = c.t.Add(d) }
func newClock() *clock                     { return &clock{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)} }
func (c *clock) install(s *Server) *Server { s.limits.now = c.now; return s }

type reply struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// send posts sendMessage to chat straight to the handler.
func send(t *testing.T, s *Server, chat string) (int, reply, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"chat_id": chat, "text": "Allerta meteo"})
	req := httptest.NewRequest(http.MethodPost, "/bot42:fake-token/sendMessage", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	var r reply
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("answer %s", w.Body)
	}
	return w.Code, r, w.Body.String()
}

func TestEnforceLimitsGlobal(t *testing.T) {
	c := newClock()
	s := c.install(New(Options{}))
	s.EnforceLimits(3, 0)
	for i := range 3 {
		if code, r, _ := send(t, s, strconv.Itoa(100+i)); code != 200 || !r.OK {
			t.Fatalf("send %d: %d %+v", i, code, r)
		}
		c.advance(300 * time.Millisecond)
	}
	// At 0.9 s the window (0.9-1 s, 0.9 s] holds three sends: refused, with
	// the wait rounded up to whole seconds.
	code, _, body := send(t, s, "200")
	want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
	if code != http.StatusTooManyRequests || body != want {
		t.Errorf("over the limit: %d %s", code, body)
	}
	// A refused send does not count: at 1 s the first send leaves the
	// window, and one more fits.
	c.advance(100 * time.Millisecond)
	if code, r, _ := send(t, s, "200"); code != 200 {
		t.Errorf("after the window moved: %d %+v", code, r)
	}
	if code, _, _ = send(t, s, "201"); code != http.StatusTooManyRequests {
		t.Errorf("window full again: %d", code)
	}
	if st := s.Stats(); st.Throttled != 2 || st.Sent != 4 {
		t.Errorf("stats %+v", st)
	}
	// Zero turns the limits off.
	s.EnforceLimits(0, 0)
	for i := range 10 {
		if code, _, _ := send(t, s, strconv.Itoa(300+i)); code != 200 {
			t.Fatalf("without limits: %d", code)
		}
	}
}

func TestEnforceLimitsPerChat(t *testing.T) {
	c := newClock()
	s := c.install(New(Options{}))
	s.EnforceLimits(30, time.Second)
	s.Block(102)
	if code, _, _ := send(t, s, "101"); code != 200 {
		t.Fatal(code)
	}
	c.advance(999 * time.Millisecond)
	code, r, _ := send(t, s, "101")
	if code != http.StatusTooManyRequests || r.Parameters == nil || r.Parameters.RetryAfter != 1 {
		t.Errorf("same chat within a second: %d %+v", code, r)
	}
	// Another chat is fine, and a blocked one still counts as a send.
	if code, _, _ := send(t, s, "103"); code != 200 {
		t.Errorf("other chat: %d", code)
	}
	if code, r, _ := send(t, s, "102"); code != http.StatusForbidden || r.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("blocked: %d %+v", code, r)
	}
	if code, _, _ := send(t, s, "102"); code != http.StatusTooManyRequests {
		t.Errorf("blocked chat again: %d", code)
	}
	c.advance(time.Millisecond)
	if code, _, _ := send(t, s, "101"); code != 200 {
		t.Errorf("a second later: %d", code)
	}
	if st := s.Stats(); st.Throttled != 2 || st.Sent != 3 || st.Blocked != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestLimitsMemoryBounded(t *testing.T) {
	c := newClock()
	s := c.install(New(Options{MaxMessages: 100}))
	s.EnforceLimits(5, time.Second)
	for i := range 2500 {
		if code, r, _ := send(t, s, strconv.Itoa(10000+i)); code != 200 {
			t.Fatalf("send %d: %d %+v", i, code, r)
		}
		c.advance(200 * time.Millisecond)
	}
	s.mu.Lock()
	kept := len(s.order)
	s.mu.Unlock()
	s.limits.mu.Lock()
	window, chats := len(s.limits.window), len(s.limits.last)
	s.limits.mu.Unlock()
	if kept > 125 || window != 5 || chats > 2*minSweep {
		t.Errorf("kept %d messages, a window of %d, %d chats", kept, window, chats)
	}
	if msgs := s.Messages(); msgs[len(msgs)-1].Chat != "12499" || s.Stats().Sent != 2500 {
		t.Errorf("last message %+v, stats %+v", msgs[len(msgs)-1], s.Stats())
	}
}
