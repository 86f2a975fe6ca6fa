// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// maxAnswer bounds an XRPC answer: a record with four images, a profile
// or a page of records are a few kilobytes.
const maxAnswer = 1 << 20

// xrpcError is the body of every XRPC error answer.
//
// Specs: https://atproto.com/specs/xrpc#error-responses
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// blobRef is a blob as uploadBlob returns it and a record embeds it.
//
// Specs: https://atproto.com/specs/data-model#blob-type
type blobRef struct {
	Type     string `json:"$type"`
	Ref      cidRef `json:"ref"`
	MimeType string `json:"mimeType"`
	Size     int64  `json:"size"`
}

type cidRef struct {
	Link string `json:"$link"`
}

// request is one XRPC call.
type request struct {
	method string // the NSID, e.g. com.atproto.repo.createRecord
	query  url.Values
	// body is JSON-encoded for a procedure; raw with contentType when
	// contentType is set (uploadBlob).
	body        any
	raw         []byte
	contentType string
	post        bool   // a procedure without input (refreshSession)
	token       string // Bearer token, if any
}

// base is the PDS root of the account.
func base(acct channel.Account) string {
	b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/")
	if b == "" {
		return DefaultBaseURL
	}
	return b
}

// call sends an XRPC request (a procedure, POST, when it has a body; a
// query, GET, otherwise) and decodes a successful answer into out.
//
// Specs: https://atproto.com/specs/xrpc
func (c *Connector) call(ctx context.Context, acct channel.Account, op string, rq request, out any) error {
	u := base(acct) + "/xrpc/" + rq.method
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	method := http.MethodGet
	ctype := ""
	switch {
	case rq.contentType != "":
		method, ctype, body = http.MethodPost, rq.contentType, bytes.NewReader(rq.raw)
	case rq.body != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rq.body); err != nil {
			return &channel.Error{Kind: channel.Permanent, Platform: channel.Bluesky, Op: op, Err: err}
		}
		method, ctype, body = http.MethodPost, "application/json", &buf
	case rq.post:
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Bluesky, Op: op,
			Message: "invalid PDS address: " + base(acct), Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		return httpx.Transport(channel.Bluesky, op, err)
	}
	defer resp.Body.Close()
	data, rerr := httpx.ReadLimited(resp.Body, maxAnswer)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if rerr != nil {
			// The PDS acted; we could not read what it said.
			return &channel.Error{Kind: channel.Unknown, Platform: channel.Bluesky, Op: op, Status: resp.StatusCode, Err: rerr}
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return &channel.Error{Kind: channel.Unknown, Platform: channel.Bluesky, Op: op, Status: resp.StatusCode,
				Message: "unreadable answer from the PDS", Err: err}
		}
		return nil
	}
	return c.apiError(op, resp, data)
}

// apiError maps an XRPC error answer: the PDS's own error name in Code and
// message in Message, then the kinds the PDS means beyond the status.
//
// Specs: https://atproto.com/specs/xrpc#error-responses
func (c *Connector) apiError(op string, resp *http.Response, data []byte) *channel.Error {
	var xe xrpcError
	_ = json.Unmarshal(data, &xe)
	msg := xe.Message
	if msg == "" {
		msg = xe.Error
	}
	if msg == "" {
		msg = strings.TrimSpace(http.StatusText(resp.StatusCode))
	}
	e := httpx.Status(channel.Bluesky, op, resp, xe.Error, msg)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || xe.Error == "RateLimitExceeded":
		e.Kind = channel.RateLimited
		e.RetryAfter = c.rateLimitReset(resp.Header)
	case xe.Error == "ExpiredToken" || xe.Error == "InvalidToken" || xe.Error == "AccountTakedown" ||
		xe.Error == "AccountDeactivated":
		// The session no longer works (a 400 for tokens): the account
		// needs attention unless a renewed session helps (see authed).
		e.Kind = channel.Auth
	}
	return e
}

// rateLimitReset reads the PDS's RateLimit-Reset header (a Unix time in
// seconds), falling back to Retry-After; at least one second.
//
// Specs: https://docs.bsky.app/docs/advanced-guides/rate-limits
func (c *Connector) rateLimitReset(h http.Header) time.Duration {
	d := httpx.RetryAfter(h, c.now())
	if v := h.Get("RateLimit-Reset"); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			d = time.Unix(s, 0).Sub(c.now())
		}
	}
	// Whole seconds, rounded up: the header has no finer grain. The
	// longest window of the PDS is a day; more means a skewed clock.
	d = (d + time.Second - 1).Truncate(time.Second)
	return min(max(d, time.Second), 24*time.Hour)
}

// errorf is a connector error that comes from no answer of the PDS.
func errorf(kind channel.Kind, op, format string, args ...any) *channel.Error {
	return &channel.Error{Kind: kind, Platform: channel.Bluesky, Op: op, Message: fmt.Sprintf(format, args...)}
}
