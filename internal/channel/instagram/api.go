// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// maxAnswer bounds an answer: a page of media is a few kilobytes.
const maxAnswer = 4 << 20

// DefaultRateLimitWait is how long a throttled call waits when the answer
// says nothing about when access comes back.
const DefaultRateLimitWait = 60 * time.Second

// PublishLimitWait is how long a post waits once the account has used its
// PublishLimit: the 24 hours move, and the oldest post's slot frees some
// time within them.
const PublishLimitWait = time.Hour

// graphError is the error object of every Graph API error answer.
//
// Specs: https://developers.facebook.com/docs/graph-api/guides/error-handling
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode"`
	UserTitle   string `json:"error_user_title"`
	UserMsg     string `json:"error_user_msg"`
	IsTransient bool   `json:"is_transient"`
	FBTraceID   string `json:"fbtrace_id"`
}

// idRe is a Graph node id (an IG user, container or media id), checked
// before it goes into a path.
var idRe = regexp.MustCompile(`^[0-9]{1,30}$`)

// request is one Graph API call.
type request struct {
	op     string
	method string
	base   string
	path   string // node and edge, without the version: "1784.../media"
	query  url.Values
	form   url.Values // urlencoded body
	token  string     // sent as "Authorization: Bearer"
	// effects is true when the call may create or delete a post: a lost
	// answer then means it may have happened (Unknown). A lost answer to
	// any other call only means "try again" (Retryable).
	effects bool
}

// apiBase is the API root for acct.
func apiBase(acct channel.Account) string {
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b
	}
	return DefaultBaseURL
}

// accountOf returns the IG user id and the token, or an Auth error.
func accountOf(acct channel.Account, op string) (user, token string, err *channel.Error) {
	user = strings.TrimSpace(acct.Handle)
	if !idRe.MatchString(user) {
		return "", "", &channel.Error{Kind: channel.Auth, Platform: channel.Instagram, Op: op,
			Message: fmt.Sprintf("%q is not the numeric id of an Instagram professional account", acct.Handle)}
	}
	token = strings.TrimSpace(acct.Credentials[channel.CredToken])
	if token == "" {
		return "", "", &channel.Error{Kind: channel.Auth, Platform: channel.Instagram, Op: op, Message: "no access token"}
	}
	return user, token, nil
}

// call sends r and decodes a successful answer into out (nil skips it).
//
// Specs: https://developers.facebook.com/docs/graph-api/overview
func (c *Connector) call(ctx context.Context, r request, out any) error {
	u := r.base + "/" + APIVersion + "/" + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var req *http.Request
	var err error
	if r.form != nil {
		req, err = http.NewRequestWithContext(ctx, r.method, u, strings.NewReader(r.form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, r.method, u, nil)
	}
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Instagram, Op: r.op, Err: err}
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		e := httpx.Transport(channel.Instagram, r.op, err)
		if !r.effects && e.Kind == channel.Unknown {
			e.Kind = channel.Retryable
		}
		return e
	}
	defer func() { _ = resp.Body.Close() }()
	data, rerr := httpx.ReadLimited(resp.Body, maxAnswer)
	var env struct {
		Error *graphError `json:"error"`
	}
	_ = json.Unmarshal(data, &env)
	if resp.StatusCode/100 != 2 || env.Error != nil {
		return apiError(r.op, resp, env.Error)
	}
	if rerr == nil && out != nil {
		rerr = json.Unmarshal(data, out)
	}
	if rerr != nil {
		kind := channel.Retryable
		if r.effects {
			kind = channel.Unknown
		}
		return &channel.Error{Kind: kind, Platform: channel.Instagram, Op: r.op, Status: resp.StatusCode,
			Message: "unreadable answer", Err: rerr}
	}
	return nil
}

// apiError maps a Graph API error answer to the channel contract, with the
// error's message (and its message for people, when it has one) as the
// Message and "code" or "code/subcode" as the Code. On top of the Graph
// API's codes (as in the Facebook connector), Instagram's: -1 and -2 are
// server errors and download timeouts worth another try, 9 the
// publishing limit, 24 a container gone stale (a new one will do), 25 an
// account Instagram has restricted, 9007 a container not ready yet.
//
// Specs: https://developers.facebook.com/docs/graph-api/guides/error-handling
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
func apiError(op string, resp *http.Response, ge *graphError) *channel.Error {
	if ge == nil {
		return httpx.Status(channel.Instagram, op, resp, "", http.StatusText(resp.StatusCode))
	}
	code := strconv.Itoa(ge.Code)
	if ge.Subcode != 0 {
		code += "/" + strconv.Itoa(ge.Subcode)
	}
	msg := ge.Message
	if ge.UserMsg != "" && ge.UserMsg != msg {
		if msg != "" {
			msg += ": "
		}
		msg += ge.UserMsg
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := httpx.Status(channel.Instagram, op, resp, code, msg)
	e.RetryAfter = retryAfter(resp.Header, time.Now())
	switch c := ge.Code; {
	case c == 190 || c == 102 || c == 104 || c == 101 || c == 25:
		e.Kind = channel.Auth
	case c == 10 || (c >= 200 && c <= 299):
		e.Kind = channel.Auth
	case c == 9:
		e.Kind = channel.RateLimited
		e.RetryAfter = max(PublishLimitWait, usageWait(resp.Header, time.Now()))
	case rateLimited(c):
		e.Kind = channel.RateLimited
		e.RetryAfter = max(e.RetryAfter, usageWait(resp.Header, time.Now()))
		if e.RetryAfter <= 0 {
			e.RetryAfter = DefaultRateLimitWait
		}
	case c == 1 || c == 2 || c == -1 || c == -2 || c == 24 || c == 9007 || ge.IsTransient:
		e.Kind = channel.Retryable
	case c == 100 || c == 368 || c == 506:
		e.Kind = channel.Permanent
	}
	return e
}

// rateLimited reports whether code is a throttling error: 4, 17, 32, 341,
// 613 and the Business Use Case codes 80000-80099 (80002 for Instagram).
func rateLimited(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 341 || code == 613 || (code >= 80000 && code < 80100)
}

// usageHeaders are the usage headers that may carry
// estimated_time_to_regain_access, in minutes.
var usageHeaders = []string{"X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"}

// maxUsageWait bounds a wait read from a header.
const maxUsageWait = 24 * time.Hour

// usageWait reads how long to wait from the usage headers of a throttled
// answer (estimated_time_to_regain_access, in minutes) and Retry-After;
// the longest wait wins, zero when none says.
//
// Specs: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
func usageWait(h http.Header, now time.Time) time.Duration {
	wait := retryAfter(h, now)
	for _, name := range usageHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		var flat map[string]json.RawMessage
		if json.Unmarshal([]byte(v), &flat) != nil {
			continue
		}
		wait = max(wait, minutes(flat["estimated_time_to_regain_access"]))
		for _, raw := range flat {
			var list []map[string]json.RawMessage
			if json.Unmarshal(raw, &list) != nil {
				continue
			}
			for _, u := range list {
				wait = max(wait, minutes(u["estimated_time_to_regain_access"]))
			}
		}
	}
	return min(wait, maxUsageWait)
}

// retryAfter reads a Retry-After header within [0, maxUsageWait]: a
// number of seconds too large for a time.Duration must not wrap around.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if s, err := strconv.ParseInt(strings.TrimSpace(h.Get("Retry-After")), 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return min(time.Duration(min(s, int64(maxUsageWait/time.Second)))*time.Second, maxUsageWait)
	}
	return min(max(httpx.RetryAfter(h, now), 0), maxUsageWait)
}

// minutes reads a JSON number of minutes (0 when absent or invalid).
func minutes(raw json.RawMessage) time.Duration {
	if len(raw) == 0 {
		return 0
	}
	var m float64
	if json.Unmarshal(raw, &m) != nil || math.IsNaN(m) || m <= 0 {
		return 0
	}
	if m > maxUsageWait.Minutes() {
		return maxUsageWait
	}
	return time.Duration(m * float64(time.Minute))
}

// graphTime parses a Graph API time ("2026-11-23T09:30:00+0000").
func graphTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
