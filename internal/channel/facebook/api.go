// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// maxAnswer bounds an answer: a page of 100 posts or Pages is well below.
const maxAnswer = 4 << 20

// DefaultRateLimitWait is how long a throttled call waits when the answer
// says nothing about when access comes back (no usage header with
// estimated_time_to_regain_access).
const DefaultRateLimitWait = 60 * time.Second

// graphError is the error object of every Graph API error answer.
//
// Specs: https://developers.facebook.com/docs/graph-api/guides/error-handling
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

// idRe is a Graph node id: a Page, photo or video id ("123"), or a Page
// post id ("{page-id}_{post-id}"). Ids are checked before they go into a
// path, where a '/' or '?' would change the request.
var idRe = regexp.MustCompile(`^[0-9]{1,30}(_[0-9]{1,30})?$`)

// request is one Graph API call.
type request struct {
	op     string
	method string
	base   string // API root: DefaultBaseURL, DefaultVideoBaseURL or Account.BaseURL
	path   string // node and edge, without the version: "123/feed"
	query  url.Values
	form   url.Values     // urlencoded body
	body   *multipartBody // multipart body (uploads)
	token  string         // sent as "Authorization: Bearer"
	// effects is true when the call changes something on the platform: a
	// lost answer then means the change may have happened (Unknown). A
	// lost answer to any other call only means "try again" (Retryable).
	effects bool
}

// apiBase is the API root for acct.
func apiBase(acct channel.Account) string {
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b
	}
	return DefaultBaseURL
}

// videoBase is the root for video uploads.
func videoBase(acct channel.Account) string {
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b
	}
	return DefaultVideoBaseURL
}

// pageOf returns the Page id and its token, or an Auth error: a missing or
// malformed Page id or token needs a person.
func pageOf(acct channel.Account, op string) (page, token string, err *channel.Error) {
	page = strings.TrimSpace(acct.Handle)
	if !idRe.MatchString(page) || strings.Contains(page, "_") {
		return "", "", &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("the Page id %q is not a numeric Facebook Page id", acct.Handle)}
	}
	token = strings.TrimSpace(acct.Credentials[channel.CredToken])
	if token == "" {
		return "", "", &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op, Message: "no Page access token"}
	}
	return page, token, nil
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
	switch {
	case r.body != nil:
		if err = r.body.finish(); err == nil {
			req, err = http.NewRequestWithContext(ctx, r.method, u, r.body.reader())
		}
		if err == nil {
			req.ContentLength = r.body.size()
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(r.body.reader()), nil }
			req.Header.Set("Content-Type", r.body.w.FormDataContentType())
		}
	case r.form != nil:
		req, err = http.NewRequestWithContext(ctx, r.method, u, strings.NewReader(r.form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		req, err = http.NewRequestWithContext(ctx, r.method, u, nil)
	}
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: r.op, Err: err}
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		e := httpx.Transport(channel.Facebook, r.op, err)
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
		// Meta said yes but the answer is unreadable: what was done, and
		// where, is unknown.
		kind := channel.Retryable
		if r.effects {
			kind = channel.Unknown
		}
		return &channel.Error{Kind: kind, Platform: channel.Facebook, Op: r.op, Status: resp.StatusCode,
			Message: "unreadable answer", Err: rerr}
	}
	return nil
}

// apiError maps a Graph API error answer to the channel contract, with the
// error's message (and its message for people, when it has one) as the
// Message and "code" or "code/subcode" as the Code. The HTTP status says
// little: Meta answers most errors, throttling included, with 400 or 403.
//
// Specs: https://developers.facebook.com/docs/graph-api/guides/error-handling
// Specs: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
func apiError(op string, resp *http.Response, ge *graphError) *channel.Error {
	if ge == nil {
		return httpx.Status(channel.Facebook, op, resp, "", http.StatusText(resp.StatusCode))
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
	e := httpx.Status(channel.Facebook, op, resp, code, msg)
	e.RetryAfter = retryAfter(resp.Header, time.Now())
	switch c := ge.Code; {
	case c == 190 || c == 102 || c == 104 || c == 101:
		// The token expired, was revoked or is missing; 101 is an
		// unknown app id.
		e.Kind = channel.Auth
	case c == 10 || (c >= 200 && c <= 299):
		// A permission is missing or was removed: no change to the post
		// helps, the account needs a person.
		e.Kind = channel.Auth
	case rateLimited(c):
		e.Kind = channel.RateLimited
		e.RetryAfter = max(e.RetryAfter, usageWait(resp.Header, time.Now()))
		if e.RetryAfter <= 0 {
			e.RetryAfter = DefaultRateLimitWait
		}
	case c == 1 || c == 2 || ge.IsTransient:
		e.Kind = channel.Retryable
	case c == 100 || c == 368 || c == 506:
		// Invalid parameter, blocked for a policy, duplicate post.
		e.Kind = channel.Permanent
	}
	return e
}

// rateLimited reports whether code is one of the throttling errors: 4 (the
// app), 17 (the user), 32 (the Page), 341 (the app's limit), 613 (the
// endpoint's limit) and the Business Use Case codes 80000-80099 (80001 for
// Pages).
func rateLimited(code int) bool {
	return code == 4 || code == 17 || code == 32 || code == 341 || code == 613 || (code >= 80000 && code < 80100)
}

// usageHeaders are the usage headers that may carry
// estimated_time_to_regain_access, in minutes.
var usageHeaders = []string{"X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"}

// maxUsageWait bounds a wait read from a header.
const maxUsageWait = 24 * time.Hour

// usageWait reads how long to wait from the usage headers Meta sends with
// a throttled answer: estimated_time_to_regain_access, in minutes, in
// X-Business-Use-Case-Usage ({"<id>":[{"type":"pages",...}]}) or in a flat
// object (X-App-Usage and the like), and a Retry-After header if one is
// there. The longest wait wins; zero when none says.
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

// quoteEscaper is what mime/multipart does to names in
// Content-Disposition.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// multipartBody is a multipart/form-data body kept as segments, so that
// media bytes are not copied and the length is known in advance.
type multipartBody struct {
	w    *multipart.Writer
	cur  bytes.Buffer
	segs [][]byte
	err  error
	done bool
}

func newMultipart() *multipartBody {
	m := &multipartBody{}
	m.w = multipart.NewWriter(&m.cur)
	return m
}

func (m *multipartBody) field(name, value string) {
	if m.err == nil {
		m.err = m.w.WriteField(name, value)
	}
}

func (m *multipartBody) file(name, filename, contentType string, data []byte) {
	if m.err != nil {
		return
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		quoteEscaper.Replace(name), quoteEscaper.Replace(filename)))
	h.Set("Content-Type", contentType)
	if _, err := m.w.CreatePart(h); err != nil {
		m.err = err
		return
	}
	m.flush()
	m.segs = append(m.segs, data)
}

func (m *multipartBody) flush() {
	if m.cur.Len() > 0 {
		m.segs = append(m.segs, bytes.Clone(m.cur.Bytes()))
		m.cur.Reset()
	}
}

func (m *multipartBody) finish() error {
	if m.err != nil || m.done {
		return m.err
	}
	m.done = true
	if err := m.w.Close(); err != nil {
		return err
	}
	m.flush()
	return nil
}

func (m *multipartBody) reader() io.Reader {
	rs := make([]io.Reader, len(m.segs))
	for i, s := range m.segs {
		rs[i] = bytes.NewReader(s)
	}
	return io.MultiReader(rs...)
}

func (m *multipartBody) size() int64 {
	var n int64
	for _, s := range m.segs {
		n += int64(len(s))
	}
	return n
}

// filename is the name a medium is uploaded under: its own when it is a
// plain one, otherwise one made from its type.
func filename(m channel.Media, i int) string {
	if name := path.Base(strings.ReplaceAll(m.Filename, "\\", "/")); m.Filename != "" && name != "." && name != "/" &&
		!strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return name
	}
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/bmp": ".bmp",
		"image/tiff": ".tiff", "video/mp4": ".mp4"}[m.ContentType]
	if ext == "" {
		ext = ".bin"
	}
	kind := "photo"
	if m.Kind == channel.Video {
		kind = "video"
	}
	return fmt.Sprintf("%s%d%s", kind, i+1, ext)
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
