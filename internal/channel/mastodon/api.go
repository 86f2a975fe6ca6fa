// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// maxAnswer bounds an API answer: a page of 20 statuses with their
// accounts and media, or an instance with its rules, is well under it.
const maxAnswer = 4 << 20

// apiError is the body of Mastodon's error answers: {"error": "..."},
// with error_description for the OAuth endpoints (Doorkeeper).
//
// Specs: https://docs.joinmastodon.org/entities/Error/
type apiError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// request is one API call.
type request struct {
	method string
	path   string // from the instance root, e.g. /api/v1/statuses
	query  url.Values
	// Exactly one body, if any: JSON, a form, or a prepared multipart one.
	json      any
	form      url.Values
	multipart *multipartBody
	token     string // Bearer token, if any
	// idempotencyKey is sent as Idempotency-Key.
	idempotencyKey string
	// basicUser and basicPassword authenticate an OAuth client.
	basicUser, basicPassword string
}

// multipartBody is an encoded multipart/form-data body.
type multipartBody struct {
	data        []byte
	contentType string
}

// base is the instance root of the account.
func base(acct channel.Account, op string) (string, error) {
	b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/")
	if b == "" {
		b = DefaultBaseURL
	}
	if b == "" {
		return "", errorf(channel.Permanent, op, "the account has no Mastodon instance (base URL)")
	}
	u, err := url.Parse(b)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errorf(channel.Permanent, op, "%q is not the address of a Mastodon instance", b)
	}
	return b, nil
}

// call sends a request to the account's instance and decodes a
// successful answer into out (when not nil). It returns the HTTP status
// of a successful answer, which tells 200 from 202 and 206 for media.
//
// Specs: https://docs.joinmastodon.org/client/intro/
func (c *Connector) call(ctx context.Context, acct channel.Account, op string, rq request, out any) (int, error) {
	root, err := base(acct, op)
	if err != nil {
		return 0, err
	}
	u := root + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case rq.multipart != nil:
		body, ctype = bytes.NewReader(rq.multipart.data), rq.multipart.contentType
	case rq.form != nil:
		body, ctype = strings.NewReader(rq.form.Encode()), "application/x-www-form-urlencoded"
	case rq.json != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rq.json); err != nil {
			return 0, &channel.Error{Kind: channel.Permanent, Platform: channel.Mastodon, Op: op, Err: err}
		}
		body, ctype = &buf, "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return 0, &channel.Error{Kind: channel.Permanent, Platform: channel.Mastodon, Op: op,
			Message: "invalid Mastodon instance address: " + root, Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	if rq.basicUser != "" {
		req.SetBasicAuth(rq.basicUser, rq.basicPassword)
	}
	if rq.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", rq.idempotencyKey)
	}
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		return 0, httpx.Transport(channel.Mastodon, op, err)
	}
	defer resp.Body.Close()
	data, rerr := httpx.ReadLimited(resp.Body, maxAnswer)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if rerr != nil {
			// The instance acted; we could not read what it said.
			return resp.StatusCode, &channel.Error{Kind: channel.Unknown, Platform: channel.Mastodon, Op: op,
				Status: resp.StatusCode, Err: rerr}
		}
		if out != nil {
			if err := json.Unmarshal(data, out); err != nil {
				return resp.StatusCode, &channel.Error{Kind: channel.Unknown, Platform: channel.Mastodon, Op: op,
					Status: resp.StatusCode, Message: "unreadable answer from the Mastodon instance", Err: err}
			}
		}
		return resp.StatusCode, nil
	}
	return resp.StatusCode, c.statusError(op, resp, data)
}

// statusError maps an error answer: Mastodon's own message in Message
// (error_description, for the OAuth endpoints, which put a code in
// error), then the kinds Mastodon means beyond the status code.
//
// Specs: https://docs.joinmastodon.org/entities/Error/
func (c *Connector) statusError(op string, resp *http.Response, data []byte) *channel.Error {
	var ae apiError
	_ = json.Unmarshal(data, &ae)
	msg, code := ae.Error, ""
	if ae.ErrorDescription != "" {
		msg, code = ae.ErrorDescription, ae.Error
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := httpx.Status(channel.Mastodon, op, resp, code, msg)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.RetryAfter = c.rateLimitReset(resp.Header)
	case resp.StatusCode == http.StatusForbidden && authProblem(ae.Error):
		// The token lacks a scope, or the user cannot log in any more.
		e.Kind = channel.Auth
	case resp.StatusCode == http.StatusUnprocessableEntity && ae.Error == "This method requires an authenticated user":
		// An app token, not a user's.
		e.Kind = channel.Auth
	}
	return e
}

// authProblem tells the 403 answers that need a person to reconnect the
// account from those about one request (Api::BaseController#require_user!
// and Doorkeeper's insufficient scope).
func authProblem(msg string) bool {
	return strings.Contains(msg, "outside the authorized scopes") || strings.HasPrefix(msg, "Your login ")
}

// rateLimitReset reads X-RateLimit-Reset (an ISO 8601 time, when the
// window ends), falling back to Retry-After; at least one second, at most
// a day (Mastodon's longest window is 3 hours, more is a skewed clock).
//
// Specs: https://docs.joinmastodon.org/api/rate-limits/
func (c *Connector) rateLimitReset(h http.Header) time.Duration {
	now := c.now()
	d := httpx.RetryAfter(h, now)
	if v := h.Get("X-RateLimit-Reset"); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			d = t.Sub(now)
		}
	}
	d = (d + time.Second - 1).Truncate(time.Second)
	return min(max(d, time.Second), 24*time.Hour)
}

// errorf is a connector error that comes from no answer of the instance.
func errorf(kind channel.Kind, op, format string, args ...any) *channel.Error {
	return &channel.Error{Kind: kind, Platform: channel.Mastodon, Op: op, Message: fmt.Sprintf(format, args...)}
}

// nothingPublished turns an outcome that might be a publication into a
// Retryable one, for calls that publish nothing (uploads, reads): a
// timeout there never leaves a post behind.
func nothingPublished(err error) error {
	if e := channel.AsError(err); e != nil && e.Kind == channel.Unknown {
		cp := *e
		cp.Kind = channel.Retryable
		return &cp
	}
	return err
}

// token is the account's access token, or an Auth error: an account
// without one needs connecting again.
func token(acct channel.Account, op string) (string, error) {
	t := strings.TrimSpace(acct.Credentials[channel.CredToken])
	if t == "" {
		return "", errorf(channel.Auth, op, "the account has no access token: connect it again")
	}
	return t, nil
}
