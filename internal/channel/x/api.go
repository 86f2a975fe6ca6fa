// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// maxAnswer bounds an answer: a page of posts is well below.
const maxAnswer = 4 << 20

// Waits after a rate-limit answer.
const (
	// DefaultRateLimitWait is used when a 429 answer says nothing about
	// when the window resets: X's windows are 15 minutes long.
	DefaultRateLimitWait = 15 * time.Minute
	// maxRateLimitWait bounds a wait read from the headers (a monthly
	// usage cap may reset weeks later: the engine asks again every day).
	maxRateLimitWait = 24 * time.Hour
)

// idRe is a post, media or user id: X's ids are 64-bit numbers written as
// strings. Ids are checked before they go into a path.
var idRe = regexp.MustCompile(`^[0-9]{1,19}$`)

// request is one X API call.
type request struct {
	op     string
	method string
	path   string // "/2/tweets"
	query  url.Values
	json   any        // JSON body
	form   url.Values // urlencoded body (OAuth)
	// body and contentType are a ready body (multipart uploads).
	body        []byte
	contentType string
	token       string // sent as "Authorization: Bearer"
	// clientID and secret are sent with HTTP Basic authentication
	// (OAuth's token endpoint, confidential clients).
	clientID, secret string
	// effects is true when the call changes what the public sees (a post
	// created or deleted): a lost answer then means it may have happened
	// (Unknown). A lost answer to any other call only means "try again".
	effects bool
	// oauth is true for the token endpoint, whose errors have OAuth's
	// shape ({"error": ..., "error_description": ...}).
	oauth bool
}

// problem is an X API error answer: a problem details object (RFC 7807)
// with, for an invalid request, the errors found; or the older shape
// {"errors":[{"code":88,"message":"..."}]}; or OAuth's.
//
// Specs: https://docs.x.com/x-api/fundamentals/response-codes-and-errors
type problem struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
	Status int    `json:"status"`
	Reason string `json:"reason"`
	Errors []struct {
		Message string          `json:"message"`
		Detail  string          `json:"detail"`
		Code    json.RawMessage `json:"code"`
		Type    string          `json:"type"`
	} `json:"errors"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// problemTypes are the prefixes of problem types; the rest is the Code.
var problemTypes = []string{"https://api.twitter.com/2/problems/", "https://api.x.com/2/problems/"}

// code is the error's own code: the problem type ("invalid-request",
// "usage-capped"), the numeric code of the older shape, or OAuth's error.
func (p problem) code() string {
	for _, pre := range problemTypes {
		if strings.HasPrefix(p.Type, pre) {
			return strings.TrimPrefix(p.Type, pre)
		}
	}
	for _, e := range p.Errors {
		for _, pre := range problemTypes {
			if strings.HasPrefix(e.Type, pre) {
				return strings.TrimPrefix(e.Type, pre)
			}
		}
		if n, err := strconv.Atoi(string(e.Code)); err == nil {
			return strconv.Itoa(n)
		}
	}
	return p.Error
}

// message is X's own words: the messages of the errors found when there
// are some (they say more than "One or more parameters to your request was
// invalid."), otherwise the detail, the title or OAuth's description.
func (p problem) message() string {
	var msgs []string
	for _, e := range p.Errors {
		m := e.Message
		if m == "" {
			m = e.Detail
		}
		if m != "" && !contains(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	switch {
	case len(msgs) > 0:
		return strings.Join(msgs, "; ")
	case p.Detail != "":
		return p.Detail
	case p.Title != "":
		return p.Title
	case p.ErrorDescription != "":
		return p.ErrorDescription
	}
	return p.Error
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// apiBase is the API root for acct.
func apiBase(acct channel.Account) string {
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b
	}
	return DefaultBaseURL
}

// tokenOf returns the account's access token, or an Auth error.
func tokenOf(acct channel.Account, op string) (string, *channel.Error) {
	token := strings.TrimSpace(acct.Credentials[channel.CredToken])
	if token == "" {
		return "", &channel.Error{Kind: channel.Auth, Platform: channel.X, Op: op,
			Message: "no access token: connect the X account"}
	}
	return token, nil
}

// call sends r and decodes a successful answer into out (nil skips it).
//
// Specs: https://docs.x.com/x-api/fundamentals/response-codes-and-errors
func (c *Connector) call(ctx context.Context, acct channel.Account, r request, out any) error {
	u := apiBase(acct) + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.json != nil:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.json); err != nil {
			return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: r.op, Err: err}
		}
		body, ctype = bytes.NewReader(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), "application/json"
	case r.form != nil:
		body, ctype = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.body != nil:
		body, ctype = bytes.NewReader(r.body), r.contentType
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: r.op, Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.secret != "" {
		req.SetBasicAuth(r.clientID, r.secret)
	}
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		e := httpx.Transport(channel.X, r.op, err)
		if !r.effects && e.Kind == channel.Unknown {
			e.Kind = channel.Retryable
		}
		return e
	}
	defer func() { _ = resp.Body.Close() }()
	data, rerr := httpx.ReadLimited(resp.Body, maxAnswer)
	if resp.StatusCode/100 != 2 {
		var p problem
		_ = json.Unmarshal(data, &p)
		return c.apiError(r, resp, p)
	}
	if rerr == nil && !r.oauth {
		// A 200 may carry only errors (a timeline of a user that does not
		// exist): no data means the call failed.
		var env struct {
			Data json.RawMessage `json:"data"`
			Meta json.RawMessage `json:"meta"`
			problem
		}
		if json.Unmarshal(data, &env) == nil && len(env.Data) == 0 && len(env.Meta) == 0 && len(env.Errors) > 0 {
			return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: r.op, Status: resp.StatusCode,
				Code: env.code(), Message: env.message()}
		}
	}
	if rerr == nil && out != nil && len(bytes.TrimSpace(data)) > 0 {
		rerr = json.Unmarshal(data, out)
	}
	if rerr != nil {
		// X said yes but the answer is unreadable: what was done is
		// unknown.
		kind := channel.Retryable
		if r.effects {
			kind = channel.Unknown
		}
		return &channel.Error{Kind: kind, Platform: channel.X, Op: r.op, Status: resp.StatusCode,
			Message: "unreadable answer", Err: rerr}
	}
	return nil
}

// apiError maps an error answer to the channel contract, with X's own
// words as the Message and the problem type as the Code.
//
// Specs: https://docs.x.com/x-api/fundamentals/response-codes-and-errors
// Specs: https://docs.x.com/x-api/fundamentals/rate-limits
func (c *Connector) apiError(r request, resp *http.Response, p problem) *channel.Error {
	msg := p.message()
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := httpx.Status(channel.X, r.op, resp, p.code(), msg)
	lower := strings.ToLower(msg)
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		// X sends no Retry-After: the x-rate-limit-* headers say when the
		// window (15 minutes, or 24 hours for the daily caps) resets.
		e.Kind = channel.RateLimited
		e.RetryAfter = rateLimitWait(resp.Header, c.now())
	case s == http.StatusPaymentRequired:
		// The app's credits or plan ran out: no change to the post helps,
		// and the account needs a person before anything is published.
		e.Kind = channel.Auth
	case s == http.StatusForbidden:
		switch {
		case e.Code == "client-forbidden", e.Code == "unsupported-authentication", p.Reason == "client-not-enrolled",
			strings.Contains(lower, "suspended"), strings.Contains(lower, "locked"):
			// The app is not allowed to call the API, the token is of
			// the wrong kind, or the account is suspended or locked.
			e.Kind = channel.Auth
		default:
			// "You are not allowed to create a Tweet with duplicate
			// content.", "You are not permitted to perform this action.":
			// the post as it is will never go through.
			e.Kind = channel.Permanent
		}
	case r.oauth && (s == http.StatusBadRequest || s == http.StatusUnauthorized):
		// invalid_request ("Value passed for the token was invalid."),
		// invalid_grant, invalid_client, unauthorized_client: the tokens
		// or the app's settings need a person.
		e.Kind = channel.Auth
	}
	return e
}

// rateLimitHeaders are the prefixes of X's rate-limit headers: the
// endpoint's 15-minute window, then the daily caps of the user and the
// app (POST /2/tweets).
var rateLimitHeaders = []string{"x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"}

// rateLimitWait reads how long to wait from a 429 answer's headers: the
// latest reset (Unix seconds) among the windows with nothing remaining,
// or of any window when none says so, or a Retry-After; rounded up to a
// second, at least one second, at most maxRateLimitWait.
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	var spent, reset time.Duration
	seen, seenSpent := false, false
	for _, p := range rateLimitHeaders {
		unix, err := strconv.ParseInt(strings.TrimSpace(h.Get(p+"-reset")), 10, 64)
		if err != nil {
			continue
		}
		d := time.Unix(unix, 0).Sub(now)
		seen, reset = true, max(reset, d)
		if strings.TrimSpace(h.Get(p+"-remaining")) == "0" {
			seenSpent, spent = true, max(spent, d)
		}
	}
	var wait time.Duration
	switch {
	case seenSpent:
		wait = spent
	case seen:
		wait = reset
	default:
		if wait = httpx.RetryAfter(h, now); wait <= 0 {
			wait = DefaultRateLimitWait
		}
	}
	wait = (wait + time.Second - 1).Truncate(time.Second)
	return min(max(wait, time.Second), maxRateLimitWait)
}

// sleepCtx waits d, or less when ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
