// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// maxAnswer bounds an answer: an album of ten messages with their photo
// sizes is a few kilobytes.
const maxAnswer = 4 << 20

// apiResponse is the envelope of every Bot API answer.
//
// Specs: https://core.telegram.org/bots/api#making-requests
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// chat is the part of Chat and ChatFullInfo the connector reads.
//
// Specs: https://core.telegram.org/bots/api#chatfullinfo
type chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username"`
}

// message is the part of Message the connector reads.
//
// Specs: https://core.telegram.org/bots/api#message
type message struct {
	MessageID int64 `json:"message_id"`
	Date      int64 `json:"date"`
	EditDate  int64 `json:"edit_date"`
	Chat      chat  `json:"chat"`
}

// user is the part of User the connector reads (getMe).
//
// Specs: https://core.telegram.org/bots/api#user
type user struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// chatMember is the part of ChatMember the connector reads.
//
// Specs: https://core.telegram.org/bots/api#chatmember
type chatMember struct {
	Status          string `json:"status"`
	CanPostMessages bool   `json:"can_post_messages"`
}

// linkPreview is LinkPreviewOptions: the URL of the link card to show.
//
// Specs: https://core.telegram.org/bots/api#linkpreviewoptions
type linkPreview struct {
	URL string `json:"url,omitempty"`
}

// tokenRe is the shape of a bot token ("123456:ABC-DEF1234ghIkl"). A token
// of another shape is refused before it is put in a URL path, where a '/'
// or '?' would change the request.
var tokenRe = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,128}$`)

// usernameRe is a public chat's username.
var usernameRe = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// endpoint is the URL of a Bot API method for the account.
func endpoint(acct channel.Account, op, method string) (string, *channel.Error) {
	token := strings.TrimSpace(acct.Credentials[channel.CredToken])
	if token == "" {
		return "", &channel.Error{Kind: channel.Auth, Platform: channel.Telegram, Op: op, Message: "no bot token"}
	}
	if !tokenRe.MatchString(token) {
		return "", &channel.Error{Kind: channel.Auth, Platform: channel.Telegram, Op: op,
			Message: "the bot token is malformed (expected the form 123456:ABC-DEF from @BotFather)"}
	}
	base := strings.TrimRight(acct.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	return base + "/bot" + token + "/" + method, nil
}

// chatID turns Account.Handle into the Bot API's chat_id: "@username" or a
// numeric id.
func chatID(acct channel.Account, op string) (string, *channel.Error) {
	h := strings.TrimSpace(acct.Handle)
	for _, p := range []string{"https://t.me/", "http://t.me/", "t.me/"} {
		if rest, ok := strings.CutPrefix(h, p); ok {
			h = strings.TrimRight(rest, "/")
			break
		}
	}
	if _, err := strconv.ParseInt(h, 10, 64); err == nil {
		return h, nil
	}
	h = strings.TrimPrefix(h, "@")
	if !usernameRe.MatchString(h) {
		return "", &channel.Error{Kind: channel.Auth, Platform: channel.Telegram, Op: op,
			Message: fmt.Sprintf("the channel %q is neither a @username nor a numeric chat id", acct.Handle)}
	}
	return "@" + h, nil
}

// chatIDValue is chat_id for a JSON body: a number when the handle is one,
// as the documentation types it ("Integer or String").
func chatIDValue(id string) any {
	if _, err := strconv.ParseInt(id, 10, 64); err == nil {
		return json.Number(id)
	}
	return id
}

// callJSON calls method with params as a JSON body and decodes the result
// into out.
//
// Specs: https://core.telegram.org/bots/api#making-requests
func (c *Connector) callJSON(ctx context.Context, acct channel.Account, op, method string, params, out any) error {
	u, cerr := endpoint(acct, op, method)
	if cerr != nil {
		return cerr
	}
	body, err := marshal(params)
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op, Err: redact(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, op, out)
}

// marshal encodes v as JSON without escaping <, > and & (json.Marshal's
// habit for HTML pages), so the bodies read as the text was written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// callForm calls method with a multipart/form-data body (file uploads).
//
// Specs: https://core.telegram.org/bots/api#sending-files
func (c *Connector) callForm(ctx context.Context, acct channel.Account, op, method string, f *form, out any) error {
	u, cerr := endpoint(acct, op, method)
	if cerr != nil {
		return cerr
	}
	if err := f.finish(); err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, f.reader())
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op, Err: redact(err)}
	}
	req.ContentLength = f.size()
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(f.reader()), nil }
	req.Header.Set("Content-Type", f.w.FormDataContentType())
	return c.do(req, op, out)
}

// do sends req and reads the Bot API's answer into out.
//
// Specs: https://core.telegram.org/bots/api#making-requests
func (c *Connector) do(req *http.Request, op string, out any) error {
	resp, err := httpx.Do(c.client, req)
	if err != nil {
		return httpx.Transport(channel.Telegram, op, redact(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := httpx.ReadLimited(resp.Body, maxAnswer)
	var r apiResponse
	if err == nil {
		err = json.Unmarshal(body, &r)
	}
	ok := resp.StatusCode/100 == 2
	switch {
	case ok && err == nil && r.OK:
	case ok && err != nil:
		// Telegram said yes but the answer is unreadable: the post may
		// exist, and nothing tells where.
		return &channel.Error{Kind: channel.Unknown, Platform: channel.Telegram, Op: op, Status: resp.StatusCode,
			Message: "unreadable answer", Err: redact(err)}
	default:
		return apiError(op, resp, r)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return &channel.Error{Kind: channel.Unknown, Platform: channel.Telegram, Op: op, Status: resp.StatusCode,
			Message: "unexpected result", Err: err}
	}
	return nil
}

// apiError maps a Bot API error to the channel contract. The description
// ("Bad Request: message is too long") is shown to the author as it is.
//
// Specs: https://core.telegram.org/bots/api#making-requests
func apiError(op string, resp *http.Response, r apiResponse) *channel.Error {
	code := ""
	if r.ErrorCode != 0 {
		code = strconv.Itoa(r.ErrorCode)
	}
	msg := r.Description
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := httpx.Status(channel.Telegram, op, resp, code, msg)
	if r.Parameters != nil && r.Parameters.RetryAfter > 0 {
		// "parameters.retry_after: the number of seconds left to wait
		// before the request can be repeated".
		e.Kind = channel.RateLimited
		e.RetryAfter = time.Duration(r.Parameters.RetryAfter) * time.Second
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusNotFound:
		// 401 a revoked token, 404 a malformed one (the method paths are
		// fixed), 403 "bot was kicked from the channel chat", "bot is not
		// a member of the channel chat".
		e.Kind = channel.Auth
	case s == http.StatusBadRequest && needsAttention(msg):
		e.Kind = channel.Auth
	}
	return e
}

// attention are the Bad Request descriptions that no change to the post
// can fix: the channel or the bot's rights need a person.
var attention = []string{
	"chat not found", "chat_id is empty", "not enough rights", "need administrator rights", "have no rights",
	"chat_admin_required", "chat_write_forbidden", "bot is not a member", "bot was kicked",
}

func needsAttention(desc string) bool {
	d := strings.ToLower(desc)
	for _, a := range attention {
		if strings.Contains(d, a) {
			return true
		}
	}
	return false
}

// botPath matches the token in a request URL, for redact.
var botPath = regexp.MustCompile(`/bot[^/]*`)

// redact removes the bot token from the URL that net/http puts in its
// errors, so that it never reaches a log or the author.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = botPath.ReplaceAllString(ue.URL, "/bot<token>")
	}
	return err
}

// quoteEscaper is what mime/multipart does to names in
// Content-Disposition.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// form is a multipart/form-data body kept as segments: the media bytes
// are not copied, and the length is known in advance.
type form struct {
	w    *multipart.Writer
	cur  bytes.Buffer
	segs [][]byte
	err  error
}

func newForm() *form {
	f := &form{}
	f.w = multipart.NewWriter(&f.cur)
	return f
}

func (f *form) field(name, value string) {
	if f.err == nil {
		f.err = f.w.WriteField(name, value)
	}
}

func (f *form) file(name, filename, contentType string, data []byte) {
	if f.err != nil {
		return
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition",
		fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(name), quoteEscaper.Replace(filename)))
	h.Set("Content-Type", contentType)
	if _, err := f.w.CreatePart(h); err != nil {
		f.err = err
		return
	}
	f.flush()
	f.segs = append(f.segs, data)
}

func (f *form) flush() {
	if f.cur.Len() > 0 {
		f.segs = append(f.segs, bytes.Clone(f.cur.Bytes()))
		f.cur.Reset()
	}
}

func (f *form) finish() error {
	if f.err != nil {
		return f.err
	}
	if err := f.w.Close(); err != nil {
		return err
	}
	f.flush()
	return nil
}

func (f *form) reader() io.Reader {
	rs := make([]io.Reader, len(f.segs))
	for i, s := range f.segs {
		rs[i] = bytes.NewReader(s)
	}
	return io.MultiReader(rs...)
}

func (f *form) size() int64 {
	var n int64
	for _, s := range f.segs {
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
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
		"video/mp4": ".mp4"}[m.ContentType]
	if ext == "" {
		ext = ".bin"
	}
	kind := "photo"
	if m.Kind == channel.Video {
		kind = "video"
	}
	return fmt.Sprintf("%s%d%s", kind, i+1, ext)
}
