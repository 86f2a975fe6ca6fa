// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sends are the methods that make a message, which Telegram's limits
// count.
var sends = map[string]bool{"sendmessage": true, "sendphoto": true, "sendvideo": true, "sendmediagroup": true}

// Stats counts what the fake answered to the bot's sends.
type Stats struct {
	// Sent is how many messages the bot sent (an album counts each item).
	Sent int
	// Throttled is how many sends were answered 429 because they broke
	// the limits of EnforceLimits; faults injected with FaultRateLimit are
	// not counted.
	Throttled int
	// Blocked is how many sends were answered 403 because the user had
	// blocked the bot.
	Blocked int
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := Stats{Sent: s.sent, Blocked: s.refused}
	s.mu.Unlock()
	s.limits.mu.Lock()
	st.Throttled = s.limits.throttled
	s.limits.mu.Unlock()
	return st
}

// EnforceLimits makes the fake refuse sends beyond Telegram's limits for
// bots, as Telegram does, with 429 "Too Many Requests: retry after N" and
// parameters.retry_after: more than global sends (sendMessage, sendPhoto,
// sendVideo, sendMediaGroup) in any sliding window of one second, or two
// sends to the same chat less than perChat apart. Every send that is not
// refused counts, whatever its outcome. Zero turns a limit off; both are
// off until this is called. The limits are measured on the real clock,
// not Options.Now.
//
// Specs: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
func (s *Server) EnforceLimits(global int, perChat time.Duration) {
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.global, l.perChat = max(global, 0), max(perChat, 0)
	l.window, l.next = make([]time.Time, 0, l.global), 0
	l.last, l.sweepAt = map[string]time.Time{}, minSweep
}

// Hang makes sends to the chat take effect (the message is stored) but
// never be answered, until the client gives up: the timeout after sending
// whose outcome the sender cannot know.
func (s *Server) Hang(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang[strconv.FormatInt(chatID, 10)] = true
}

// hangs reports whether sends to chat_id are never answered.
func (s *Server) hangs(chatArg string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hang[chatKey(chatArg)]
}

// minSweep is the size of the per-chat table below which it is not swept.
const minSweep = 1024

// limiter is the state of EnforceLimits. Its memory is bounded: the
// window holds at most global times, and the per-chat table forgets
// chats whose last send is older than perChat.
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	global  int
	perChat time.Duration
	// window is a ring of the last global accepted sends; next is the
	// oldest once it is full.
	window  []time.Time
	next    int
	last    map[string]time.Time // the last accepted send to each chat
	sweepAt int

	throttled int
}

// throttle accepts a send to chat_id, or answers the 429 that Telegram
// would.
func (s *Server) throttle(chatArg string) *apiErr {
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.global == 0 && l.perChat == 0 {
		return nil
	}
	now := l.now()
	key := chatKey(chatArg)
	if l.perChat > 0 && key != "" {
		if t, ok := l.last[key]; ok && now.Sub(t) < l.perChat {
			return l.tooMany(t.Add(l.perChat).Sub(now))
		}
	}
	if l.global > 0 && len(l.window) == l.global {
		if oldest := l.window[l.next]; now.Sub(oldest) < time.Second {
			return l.tooMany(oldest.Add(time.Second).Sub(now))
		}
	}
	if l.global > 0 {
		if len(l.window) < l.global {
			l.window = append(l.window, now)
		} else {
			l.window[l.next] = now
			l.next = (l.next + 1) % l.global
		}
	}
	if l.perChat > 0 && key != "" {
		l.last[key] = now
		l.sweep(now)
	}
	return nil
}

// tooMany is the 429 answer; Telegram gives whole seconds, at least one.
// The caller holds l.mu.
func (l *limiter) tooMany(wait time.Duration) *apiErr {
	l.throttled++
	n := max(int(math.Ceil(wait.Seconds())), 1)
	return &apiErr{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", n),
		retryAfter: n}
}

// sweep forgets the chats that may be written again, once the table has
// doubled since the last sweep; the caller holds l.mu.
func (l *limiter) sweep(now time.Time) {
	if len(l.last) < l.sweepAt {
		return
	}
	for k, t := range l.last {
		if now.Sub(t) >= l.perChat {
			delete(l.last, k)
		}
	}
	l.sweepAt = max(minSweep, 2*len(l.last))
}

// chatKey is chat_id as the chat tables key it: "@username" in lower case
// or the canonical number; "" when it is neither.
func chatKey(ref string) string {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "@") {
		return strings.ToLower(ref)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return strconv.FormatInt(id, 10)
	}
	return ""
}
