// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package telegramtest is a fake Telegram Bot API for the connector's
// tests and the demo's sandbox channels. It follows the real server
// (tdlib/telegram-bot-api): the paths /bot{token}/{method}, parameters in
// the query string, a JSON body, a urlencoded or a multipart form, the
// {"ok":...} envelope and the real error descriptions. It parses
// parse_mode=HTML as Telegram does and counts texts after parsing, in code
// points, against the 4096 and 1024 limits, so that a connector that
// escapes or counts wrongly is refused here as it would be there.
//
// It keeps channels and their messages in memory, with message ids that
// grow per channel (the oldest forgotten beyond Options.MaxMessages), and
// is safe for heavy concurrent use. EnforceLimits makes it answer 429 as
// Telegram does to a bot that sends too fast.
//
// Citizens write to the bot in private chats (SendFromUser, PressButton):
// their messages become updates that getUpdates returns, or that a test
// posts to a webhook itself (the fake records setWebhook but delivers
// nothing). The bot may answer any private chat, named by its positive
// numeric id, with an inline keyboard under the message; button presses,
// answerCallbackQuery, editMessageReplyMarkup and setMyCommands are
// recorded for tests to read.
package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // to measure uploaded photos
	_ "image/jpeg" // to measure uploaded photos
	_ "image/png"  // to measure uploaded photos
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
)

// The limits the fake enforces, those of the Bot API.
const (
	MaxText       = 4096     // sendMessage: "1-4096 characters after entities parsing"
	MaxCaption    = 1024     // captions: "0-1024 characters after entities parsing"
	MaxAlbum      = 10       // sendMediaGroup: "2-10 items"
	MaxPhotoBytes = 10 << 20 // tdlib's MAX_PHOTO_SIZE
	MaxUpload     = 50 << 20 // "Bots can currently send files of up to 50 MB"
	maxRawText    = 1 << 15  // the server's own bound on a text before parsing
	maxParams     = 1 << 20  // a body without files
)

// Options configure the fake.
type Options struct {
	// Token is the bot token accepted ("123456:secret"): the number before
	// ':' is the bot's user id. Empty accepts any token of that shape.
	Token string
	// BotUsername is the bot's username, without '@' (default
	// "piazza_sandbox_bot").
	BotUsername string
	// Channels are where the bot is an administrator allowed to post:
	// "@username" or numeric ids ("-1001234567890"). Any other chat is
	// "Bad Request: chat not found", except a positive id, which is a
	// user's private chat with the bot. Nil makes every other chat id a
	// channel of the bot, created when first named.
	Channels []string
	// Visible are public channels ("@username") the bot can read but is not
	// a member of: getChat answers, getChatMember says "left", posting
	// is "Forbidden: bot is not a member of the channel chat".
	Visible []string
	// Titles are the channels' display titles, by the names used in
	// Channels and Visible; a channel without one is titled by its
	// username.
	Titles map[string]string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MaxMessages is how many messages the fake keeps, the oldest
	// forgotten first (default DefaultMaxMessages), so that a broadcast to
	// many chats does not grow it without bound. A forgotten message can
	// no longer be edited, deleted or answered.
	MaxMessages int
}

// DefaultMaxMessages is Options.MaxMessages when unset.
const DefaultMaxMessages = 100_000

// Message is one message the fake holds.
type Message struct {
	Chat string // "@username", or the numeric id of a channel without one or of a private chat
	ID   int64
	// From is the user who wrote the message in a private chat; 0 for the
	// bot's own messages.
	From int64
	// ReplyTo is the message this one answers (reply_parameters), if any.
	ReplyTo int64
	// HTML is the text or caption as received; Text is its plain text
	// after entity parsing, as Telegram stores it.
	HTML         string
	Text         string
	ParseMode    string
	Media        *channeltest.ReceivedMedia
	MediaGroupID string
	LinkPreview  string // the URL of the link preview, if any
	// Keyboard is the inline keyboard under the message (reply_markup),
	// nil for none. It is replaced, never changed in place.
	Keyboard [][]Button
	Date     time.Time
	EditDate time.Time
	Deleted  bool
}

// Server is the fake Bot API. Received lists one entry per post: a text
// message, a photo or video, or a whole album (RemoteID "12,13,14", as the
// connector writes it).
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts  Options
	botID int64
	now   func() time.Time

	mu       sync.Mutex
	chats    map[string]*fakeChat // by "@username" (lower case) and by id
	order    []*stored            // every message, oldest first
	nextChat int64
	nextFile int64

	// The update queue of getUpdates, oldest first.
	updates    []pendingUpdate
	nextUpdate int64
	allowed    map[string]bool // nil: Telegram's default
	webhook    string
	secret     string

	// The button presses answered (answerCallbackQuery), by id, and the
	// answers.
	answered map[string]bool
	answers  []CallbackAnswer
	// commands are the bot's commands by language_code ("" for all).
	commands map[string][]Command
	// hang are the chats whose sends are carried out but never answered.
	hang    map[string]bool
	sent    int // messages the bot sent
	refused int // sends refused because the user blocked the bot

	limits limiter
}

type fakeChat struct {
	id       int64
	username string
	title    string
	admin    bool
	lastID   int64
	msgs     map[int64]*stored
	// A private chat with a user (id > 0): user is who the bot talks to,
	// blocked when they blocked the bot.
	private bool
	user    userJSON
	blocked bool
}

// ref is how Received names the chat.
func (c *fakeChat) ref() string {
	if c.username != "" && !c.private {
		return "@" + c.username
	}
	return strconv.FormatInt(c.id, 10)
}

type stored struct {
	Message
	chat  *fakeChat
	log   int     // index of its post in Log
	group []int64 // the album's ids, first carries the caption
	video bool
	w, h  int
	file  string
}

// New returns a fake with the given options.
func New(opts Options) *Server {
	if opts.BotUsername == "" {
		opts.BotUsername = "piazza_sandbox_bot"
	}
	if opts.MaxMessages <= 0 {
		opts.MaxMessages = DefaultMaxMessages
	}
	s := &Server{opts: opts, botID: 7000000001, now: opts.Now, chats: map[string]*fakeChat{}, nextChat: 1000000000,
		nextUpdate: 500000000, answered: map[string]bool{}, commands: map[string][]Command{}, hang: map[string]bool{}}
	s.limits.now = time.Now
	if s.now == nil {
		s.now = time.Now
	}
	if id, ok := tokenBotID(opts.Token); ok {
		s.botID = id
	}
	for _, c := range opts.Channels {
		s.addChat(c, true)
	}
	for _, c := range opts.Visible {
		s.addChat(c, false)
	}
	return s
}

// Platform is channel.Telegram.
func (*Server) Platform() channel.Platform { return channel.Telegram }

// Messages returns every message the fake holds, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.order))
	for i, m := range s.order {
		out[i] = m.Message
	}
	return out
}

// addChat registers a channel named by "@username" or its id; the caller
// holds s.mu or is New.
func (s *Server) addChat(ref string, admin bool) *fakeChat {
	ref = strings.TrimSpace(ref)
	c := &fakeChat{admin: admin, msgs: map[int64]*stored{}}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		c.id, c.title = id, fmt.Sprintf("Channel %d", id)
	} else {
		s.nextChat++
		c.id = -(1_000_000_000_000 + s.nextChat) // "-100" and the channel's own id
		c.username = strings.TrimPrefix(ref, "@")
		c.title = c.username
		s.chats["@"+strings.ToLower(c.username)] = c
	}
	if t := s.opts.Titles[ref]; t != "" {
		c.title = t
	}
	s.chats[strconv.FormatInt(c.id, 10)] = c
	return c
}

// tokenRe is the shape of a bot token.
var tokenRe = regexp.MustCompile(`^([0-9]{1,20}):[A-Za-z0-9_-]{1,128}$`)

func tokenBotID(token string) (int64, bool) {
	m := tokenRe.FindStringSubmatch(token)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil && id > 0
}

// apiErr is an error answer: {"ok":false,"error_code":...}.
type apiErr struct {
	code       int
	desc       string
	retryAfter int
}

func bad(desc string) *apiErr {
	return &apiErr{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// query is one request: its arguments and uploaded files.
type query struct {
	args  map[string]string
	files map[string]*upload
	botID int64
}

// upload is a file part of a multipart request; only its beginning is
// kept, to recognise and measure an image.
type upload struct {
	contentType string
	size        int64
	head        []byte
}

type handler func(*Server, *query) (any, *apiErr)

// methods are the Bot API methods the fake knows, by lower-case name (the
// server ignores the case of method names).
var methods = map[string]handler{
	"getme":              (*Server).getMe,
	"getchat":            (*Server).getChat,
	"getchatmember":      (*Server).getChatMember,
	"sendmessage":        (*Server).sendMessage,
	"sendphoto":          (*Server).sendPhoto,
	"sendvideo":          (*Server).sendVideo,
	"sendmediagroup":     (*Server).sendMediaGroup,
	"editmessagetext":    (*Server).editMessageText,
	"editmessagecaption": (*Server).editMessageCaption,
	"deletemessage":      (*Server).deleteMessage,
	"getupdates":         (*Server).getUpdates,
	"setwebhook":         (*Server).setWebhook,
	"deletewebhook":      (*Server).deleteWebhook,
	"getwebhookinfo":     (*Server).getWebhookInfo,
	// Specs: https://core.telegram.org/bots/api#updating-messages
	"editmessagereplymarkup": (*Server).editMessageReplyMarkup,
	"answercallbackquery":    (*Server).answerCallbackQuery,
	"setmycommands":          (*Server).setMyCommands,
	"getmycommands":          (*Server).getMyCommands,
}

// writes are the methods that create, edit or delete, where injected
// faults apply; badRequest is the validation error each answers then.
var writes = map[string]string{
	"sendmessage":        "message is too long",
	"sendphoto":          "message caption is too long",
	"sendvideo":          "message caption is too long",
	"sendmediagroup":     "message caption is too long",
	"editmessagetext":    "MESSAGE_TOO_LONG",
	"editmessagecaption": "MEDIA_CAPTION_TOO_LONG",
	"deletemessage":      "message can't be deleted for everyone",
	// A keyboard the server cannot take.
	"editmessagereplymarkup": "BUTTON_DATA_INVALID",
}

// ServeHTTP answers {base}/bot{token}/{method}.
//
// Specs: https://core.telegram.org/bots/api#making-requests
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeErr(w, &apiErr{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	botID, ok := tokenBotID(token)
	if !ok {
		// api.telegram.org routes only well-formed tokens.
		writeErr(w, &apiErr{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if s.opts.Token != "" && token != s.opts.Token {
		writeErr(w, &apiErr{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	method = strings.ToLower(method)
	h := methods[method]
	if h == nil {
		writeErr(w, &apiErr{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	q, e := parseQuery(w, r)
	if e != nil {
		writeErr(w, e)
		return
	}
	q.botID = botID
	if sends[method] {
		if e := s.throttle(q.args["chat_id"]); e != nil {
			writeErr(w, e)
			return
		}
	}
	lost := false
	if validation, ok := writes[method]; ok {
		switch s.Next() {
		case channeltest.FaultRateLimit:
			writeErr(w, &apiErr{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after 1", retryAfter: 1})
			return
		case channeltest.FaultServer:
			writeErr(w, &apiErr{code: http.StatusInternalServerError, desc: "Internal Server Error"})
			return
		case channeltest.FaultAuth:
			writeErr(w, &apiErr{code: http.StatusUnauthorized, desc: "Unauthorized"})
			return
		case channeltest.FaultBadRequest:
			writeErr(w, bad(validation))
			return
		case channeltest.FaultLost:
			lost = true
		}
	}
	result, e := h(s, q)
	if e == nil && sends[method] && s.hangs(q.args["chat_id"]) {
		lost = true
	}
	if lost {
		// Done, but the answer never leaves: the client gives up.
		<-r.Context().Done()
		return
	}
	if e != nil {
		writeErr(w, e)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		OK     bool `json:"ok"`
		Result any  `json:"result"`
	}{true, result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeErr answers an error as the Bot API does, with parameters and a
// Retry-After header on 429.
func writeErr(w http.ResponseWriter, e *apiErr) {
	type params struct {
		RetryAfter int `json:"retry_after"`
	}
	body := struct {
		OK          bool    `json:"ok"`
		ErrorCode   int     `json:"error_code"`
		Description string  `json:"description"`
		Parameters  *params `json:"parameters,omitempty"`
	}{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		body.Parameters = &params{RetryAfter: e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.code, body)
}

// parseQuery reads the arguments as the Bot API does: the query string,
// then a JSON object (strings decoded, other values kept as JSON text),
// a urlencoded form or a multipart form whose parts with a file name are
// uploads.
//
// Specs: https://core.telegram.org/bots/api#making-requests
func parseQuery(w http.ResponseWriter, r *http.Request) (*query, *apiErr) {
	q := &query{args: map[string]string{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		q.args[k] = v[0]
	}
	tooLarge := &apiErr{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxParams))
		if err != nil {
			return nil, tooLarge
		}
		if err := jsonArgs(body, q.args); err != nil {
			return nil, err
		}
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxParams))
		if err != nil {
			return nil, tooLarge
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, bad("can't parse form parameters")
		}
		for k, v := range vals {
			q.args[k] = v[0]
		}
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, bad("can't parse multipart form")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, bad("can't parse multipart form")
		}
		var total int64
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, bad("can't parse multipart form")
			}
			name := p.FormName()
			if p.FileName() == "" {
				b, err := io.ReadAll(io.LimitReader(p, maxParams+1))
				if err != nil {
					return nil, bad("can't parse multipart form")
				}
				if len(b) > maxParams {
					return nil, tooLarge
				}
				q.args[name] = string(b)
				continue
			}
			up := &upload{contentType: p.Header.Get("Content-Type")}
			head := make([]byte, 64<<10)
			n, err := io.ReadFull(p, head)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				return nil, bad("can't parse multipart form")
			}
			up.head = head[:n]
			rest, err := io.Copy(io.Discard, p)
			if err != nil {
				return nil, bad("can't parse multipart form")
			}
			up.size = int64(n) + rest
			total += up.size
			if total > MaxUpload {
				return nil, tooLarge
			}
			q.files[name] = up
		}
	}
	return q, nil
}

// jsonArgs flattens a JSON object into arguments, as tdlib's HttpReader
// does.
func jsonArgs(body []byte, args map[string]string) *apiErr {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] == '"' {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return bad("JSON object expected")
	}
	for k, raw := range obj {
		if len(raw) > 0 && raw[0] == '"' {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return bad("can't parse parameter value")
			}
			args[k] = v
			continue
		}
		args[k] = string(raw)
	}
	return nil
}

// formatted is a text or caption parameter parsed as the Bot API does,
// then normalized: the text Telegram stores and counts.
func formatted(raw, parseMode string) (string, *apiErr) {
	if len(raw) > maxRawText {
		return "", bad("text is too long")
	}
	if !utf8.ValidString(raw) {
		return "", bad("strings must be encoded in UTF-8")
	}
	text := raw
	switch strings.ToLower(parseMode) {
	case "", "none":
	case "html":
		t, err := ParseHTML(raw)
		if err != nil {
			return "", bad(err.Error())
		}
		text = t
	case "markdown", "markdownv2":
		// Not parsed by the fake: kept as written.
	default:
		return "", bad("unsupported parse_mode")
	}
	return Normalize(text), nil
}

// chat resolves chat_id; the caller holds s.mu. write asks for the right
// to post, edit or delete.
func (s *Server) chat(ref string, write bool) (*fakeChat, *apiErr) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, bad("chat_id is empty")
	}
	var key string
	if strings.HasPrefix(ref, "@") {
		key = strings.ToLower(ref)
	} else if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		key = strconv.FormatInt(id, 10)
	} else {
		return nil, bad("chat not found")
	}
	c := s.chats[key]
	if id, err := strconv.ParseInt(key, 10, 64); c == nil && err == nil && id > 0 {
		// A user's private chat: it exists once they wrote to the bot,
		// which the fake takes for granted.
		c = s.privateChat(id)
	}
	if c == nil && s.opts.Channels == nil && key != "@" {
		c = s.addChat(ref, true)
	}
	if c == nil {
		return nil, bad("chat not found")
	}
	if write && c.blocked {
		s.refused++
		return nil, &apiErr{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	if write && !c.admin {
		return nil, &apiErr{code: http.StatusForbidden, desc: "Forbidden: bot is not a member of the channel chat"}
	}
	return c, nil
}

// urlRe finds the first link of a text, which Telegram previews when no
// preview URL is given.
var urlRe = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkPreview reads link_preview_options (or the legacy
// disable_web_page_preview) and returns the URL Telegram would preview.
//
// Specs: https://core.telegram.org/bots/api#linkpreviewoptions
func linkPreview(args map[string]string, text string) (string, *apiErr) {
	opts := struct {
		IsDisabled bool   `json:"is_disabled"`
		URL        string `json:"url"`
	}{}
	if raw := args["link_preview_options"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &opts); err != nil {
			return "", bad("can't parse link preview options JSON object")
		}
	} else if b, _ := strconv.ParseBool(args["disable_web_page_preview"]); b {
		opts.IsDisabled = true
	}
	switch {
	case opts.IsDisabled:
		return "", nil
	case opts.URL != "":
		return opts.URL, nil
	default:
		return urlRe.FindString(text), nil
	}
}

// getMe answers the bot.
//
// Specs: https://core.telegram.org/bots/api#getme
func (s *Server) getMe(q *query) (any, *apiErr) {
	return s.bot(q.botID), nil
}

type userJSON struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	LastName                string `json:"last_name,omitempty"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           *bool  `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages *bool  `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   *bool  `json:"supports_inline_queries,omitempty"`
}

func (s *Server) bot(id int64) userJSON {
	t, f := true, false
	return userJSON{ID: id, IsBot: true, FirstName: "Piazza sandbox", Username: s.opts.BotUsername,
		CanJoinGroups: &t, CanReadAllGroupMessages: &f, SupportsInlineQueries: &f}
}

type chatJSON struct {
	ID        int64  `json:"id"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Type      string `json:"type"`
}

func (c *fakeChat) json() chatJSON {
	if c.private {
		return chatJSON{ID: c.id, FirstName: c.user.FirstName, LastName: c.user.LastName, Username: c.user.Username,
			Type: "private"}
	}
	return chatJSON{ID: c.id, Title: c.title, Username: c.username, Type: "channel"}
}

// getChat answers a ChatFullInfo.
//
// Specs: https://core.telegram.org/bots/api#getchat
func (s *Server) getChat(q *query) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], false)
	if e != nil {
		return nil, e
	}
	return struct {
		chatJSON
		AccentColorID    int `json:"accent_color_id"`
		MaxReactionCount int `json:"max_reaction_count"`
	}{c.json(), 0, 11}, nil
}

// getChatMember answers the bot's own membership of a channel.
//
// Specs: https://core.telegram.org/bots/api#getchatmember
func (s *Server) getChatMember(q *query) (any, *apiErr) {
	userID, _ := strconv.ParseInt(strings.TrimSpace(q.args["user_id"]), 10, 64)
	if userID <= 0 {
		return nil, bad("invalid user_id specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], false)
	if e != nil {
		return nil, e
	}
	if userID != q.botID {
		return nil, bad("user not found")
	}
	if !c.admin {
		return map[string]any{"status": "left", "user": s.bot(q.botID)}, nil
	}
	return map[string]any{
		"status": "administrator", "user": s.bot(q.botID), "can_be_edited": false, "is_anonymous": false,
		"can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": false,
		"can_restrict_members": false, "can_promote_members": false, "can_change_info": false,
		"can_invite_users": true, "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false,
		"can_post_messages": true, "can_edit_messages": true,
	}, nil
}

// sendMessage posts a text.
//
// Specs: https://core.telegram.org/bots/api#sendmessage
func (s *Server) sendMessage(q *query) (any, *apiErr) {
	raw := q.args["text"]
	if raw == "" {
		return nil, bad("message text is empty")
	}
	text, e := formatted(raw, q.args["parse_mode"])
	if e != nil {
		return nil, e
	}
	preview, e := linkPreview(q.args, text)
	if e != nil {
		return nil, e
	}
	kb, e := inlineKeyboard(q.args["reply_markup"])
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	if text == "" && preview == "" {
		return nil, bad("text must be non-empty")
	}
	if Length(text) > MaxText {
		return nil, bad("message is too long")
	}
	replyTo, e := replyTo(q.args, c)
	if e != nil {
		return nil, e
	}
	m := s.add(c, Message{HTML: raw, Text: text, ParseMode: q.args["parse_mode"], LinkPreview: preview,
		ReplyTo: replyTo, Keyboard: kb})
	s.post([]*stored{m})
	return s.messageJSON(m), nil
}

// media is one photo or video of a request, checked.
type media struct {
	video bool
	up    *upload
	html  string
	text  string
	mode  string
}

// file finds the upload a parameter names: attach://name, or the part
// named as the parameter itself.
func (q *query) file(field, value string) (*upload, *apiErr) {
	name := field
	if value != "" {
		n, ok := strings.CutPrefix(value, "attach://")
		if !ok {
			// A file_id or an HTTP URL: the fake has no files to reuse
			// and does not fetch.
			return nil, bad("wrong file identifier/HTTP URL specified")
		}
		name = n
	}
	return q.files[name], nil
}

// check applies the Bot API's rules on an uploaded medium and its caption.
func (m media) check() *apiErr {
	if m.up.size == 0 {
		return bad("file must be non-empty")
	}
	if !m.video {
		if m.up.size > MaxPhotoBytes {
			return bad(fmt.Sprintf("file of size %d bytes is too big for a photo; the maximum size is %d bytes",
				m.up.size, MaxPhotoBytes))
		}
		if !strings.HasPrefix(http.DetectContentType(m.up.head), "image/") {
			return bad("IMAGE_PROCESS_FAILED")
		}
	}
	if Length(m.text) > MaxCaption {
		return bad("message caption is too long")
	}
	return nil
}

// sendPhoto posts a photo.
//
// Specs: https://core.telegram.org/bots/api#sendphoto
func (s *Server) sendPhoto(q *query) (any, *apiErr) { return s.sendOne(q, "photo") }

// sendVideo posts a video.
//
// Specs: https://core.telegram.org/bots/api#sendvideo
func (s *Server) sendVideo(q *query) (any, *apiErr) { return s.sendOne(q, "video") }

func (s *Server) sendOne(q *query, field string) (any, *apiErr) {
	up, e := q.file(field, q.args[field])
	if e != nil {
		return nil, e
	}
	if up == nil {
		return nil, bad(fmt.Sprintf("there is no %s in the request", field))
	}
	md := media{video: field == "video", up: up, html: q.args["caption"], mode: q.args["parse_mode"]}
	if md.text, e = formatted(md.html, md.mode); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	if e := md.check(); e != nil {
		return nil, e
	}
	m := s.addMedia(c, md, q.args, "")
	s.post([]*stored{m})
	return s.messageJSON(m), nil
}

// sendMediaGroup posts an album.
//
// Specs: https://core.telegram.org/bots/api#sendmediagroup
func (s *Server) sendMediaGroup(q *query) (any, *apiErr) {
	raw := q.args["media"]
	if raw == "" {
		return nil, bad(`parameter "media" is required`)
	}
	var items []json.RawMessage
	var probe any
	if err := json.Unmarshal([]byte(raw), &probe); err != nil {
		return nil, bad("can't parse media JSON object")
	}
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, bad("expected an Array of InputMedia")
	}
	var mds []media
	for _, it := range items {
		var in struct {
			Type      string `json:"type"`
			Media     string `json:"media"`
			Caption   string `json:"caption"`
			ParseMode string `json:"parse_mode"`
		}
		if err := json.Unmarshal(it, &in); err != nil {
			return nil, bad("can't parse InputMedia: expected an Object")
		}
		if in.Type != "photo" && in.Type != "video" {
			return nil, bad("can't parse InputMedia: invalid type specified")
		}
		up, e := q.file("", in.Media)
		if e != nil || up == nil || in.Media == "" {
			return nil, bad("can't parse InputMedia: media not found")
		}
		md := media{video: in.Type == "video", up: up, html: in.Caption, mode: in.ParseMode}
		if md.text, e = formatted(in.Caption, in.ParseMode); e != nil {
			// The album's parser names the item it could not read, and
			// keeps the capital of the inner message.
			inner := strings.TrimPrefix(e.desc, "Bad Request: ")
			return nil, bad("can't parse InputMedia: " + strings.ToUpper(inner[:1]) + inner[1:])
		}
		mds = append(mds, md)
	}
	switch {
	case len(mds) > MaxAlbum:
		return nil, bad("too many messages to send as an album")
	case len(mds) == 0:
		return nil, bad("there are no messages to send")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	for _, md := range mds {
		if e := md.check(); e != nil {
			return nil, e
		}
	}
	group := ""
	if len(mds) > 1 {
		s.nextFile++
		group = strconv.FormatInt(13_000_000_000_000_000+s.nextFile, 10)
	}
	msgs := make([]*stored, len(mds))
	out := make([]messageJSON, len(mds))
	for i, md := range mds {
		msgs[i] = s.addMedia(c, md, nil, group)
	}
	s.post(msgs)
	for i, m := range msgs {
		out[i] = s.messageJSON(m)
	}
	return out, nil
}

// add stores a new message with the chat's next id; the caller holds s.mu.
func (s *Server) add(c *fakeChat, m Message) *stored {
	c.lastID++
	m.Chat, m.ID, m.Date = c.ref(), c.lastID, s.now().UTC().Truncate(time.Second)
	st := &stored{Message: m, chat: c}
	c.msgs[m.ID] = st
	s.order = append(s.order, st)
	if m.From == 0 {
		s.sent++
	}
	s.forget()
	return st
}

// forget drops the oldest messages beyond Options.MaxMessages; the caller
// holds s.mu. It waits for a quarter more than the bound, so that the
// copy is paid once per many messages.
func (s *Server) forget() {
	limit := s.opts.MaxMessages
	if len(s.order) <= limit+limit/4 {
		return
	}
	drop := len(s.order) - limit
	for _, m := range s.order[:drop] {
		if m.chat.msgs[m.ID] == m {
			delete(m.chat.msgs, m.ID)
		}
	}
	s.order = slices.Clone(s.order[drop:])
}

// addMedia stores a photo or video message; the caller holds s.mu.
func (s *Server) addMedia(c *fakeChat, md media, args map[string]string, group string) *stored {
	ct := md.up.contentType
	if ct == "" || ct == "application/octet-stream" {
		ct = http.DetectContentType(md.up.head)
	}
	m := s.add(c, Message{HTML: md.html, Text: md.text, ParseMode: md.mode, MediaGroupID: group,
		Media: &channeltest.ReceivedMedia{ContentType: ct, Bytes: int(md.up.size)}})
	m.video = md.video
	s.nextFile++
	m.file = strconv.FormatInt(s.nextFile, 10)
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(md.up.head)); err == nil {
		m.w, m.h = cfg.Width, cfg.Height
	}
	if md.video && args != nil {
		m.w, _ = strconv.Atoi(args["width"])
		m.h, _ = strconv.Atoi(args["height"])
	}
	return m
}

// post records the messages of one post in the Log; the caller holds s.mu.
func (s *Server) post(msgs []*stored) {
	ids := make([]string, len(msgs))
	group := make([]int64, len(msgs))
	var rm []channeltest.ReceivedMedia
	for i, m := range msgs {
		ids[i] = strconv.FormatInt(m.ID, 10)
		group[i] = m.ID
		if m.Media != nil {
			rm = append(rm, *m.Media)
		}
	}
	first := msgs[0]
	if first.chat.private {
		// Answers to citizens are not posts: Messages lists them, the
		// Log of posts does not.
		for _, m := range msgs {
			m.log, m.group = -1, group
		}
		return
	}
	idx := s.Add(channeltest.Received{
		Platform: channel.Telegram, Target: first.Chat, RemoteID: strings.Join(ids, ","), URL: link(first),
		Text: first.Text, Media: rm, Link: first.LinkPreview, At: first.Date,
	})
	for _, m := range msgs {
		m.log, m.group = idx, group
	}
}

// link is the public link of a message.
func link(m *stored) string {
	if m.chat.username != "" {
		return fmt.Sprintf("https://t.me/%s/%d", m.chat.username, m.ID)
	}
	if id, ok := strings.CutPrefix(strconv.FormatInt(m.chat.id, 10), "-100"); ok {
		return fmt.Sprintf("https://t.me/c/%s/%d", id, m.ID)
	}
	return ""
}

type photoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size"`
}

type videoJSON struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size"`
}

// messageJSON is a Message as the Bot API answers it (entities left out).
//
// Specs: https://core.telegram.org/bots/api#message
type messageJSON struct {
	MessageID          int64        `json:"message_id"`
	From               *userJSON    `json:"from,omitempty"`
	SenderChat         *chatJSON    `json:"sender_chat,omitempty"`
	Chat               chatJSON     `json:"chat"`
	Date               int64        `json:"date"`
	EditDate           int64        `json:"edit_date,omitempty"`
	ReplyToMessage     *messageJSON `json:"reply_to_message,omitempty"`
	MediaGroupID       string       `json:"media_group_id,omitempty"`
	Text               string       `json:"text,omitempty"`
	Entities           []entityJSON `json:"entities,omitempty"`
	Photo              []photoSize  `json:"photo,omitempty"`
	Video              *videoJSON   `json:"video,omitempty"`
	Caption            string       `json:"caption,omitempty"`
	LinkPreviewOptions *previewJSON `json:"link_preview_options,omitempty"`
	ReplyMarkup        *markupJSON  `json:"reply_markup,omitempty"`
}

type previewJSON struct {
	URL string `json:"url"`
}

func (s *Server) messageJSON(m *stored) messageJSON { return s.msgJSON(m, true) }

// msgJSON is messageJSON with the message it replies to, or without:
// Telegram gives one level, "will not contain further reply_to_message
// fields even if it itself is a reply".
func (s *Server) msgJSON(m *stored, withReply bool) messageJSON {
	out := messageJSON{MessageID: m.ID, Chat: m.chat.json(), Date: m.Date.Unix(), MediaGroupID: m.MediaGroupID}
	switch {
	case !m.chat.private:
		sc := m.chat.json()
		out.SenderChat = &sc
	case m.From != 0:
		u := m.chat.user
		out.From = &u
		out.Entities = commandEntities(m.Text)
	default:
		b := s.bot(s.botID)
		b.CanJoinGroups, b.CanReadAllGroupMessages, b.SupportsInlineQueries = nil, nil, nil
		out.From = &b
	}
	if r := m.chat.msgs[m.ReplyTo]; withReply && r != nil && !r.Deleted {
		rj := s.msgJSON(r, false)
		out.ReplyToMessage = &rj
	}
	if !m.EditDate.IsZero() {
		out.EditDate = m.EditDate.Unix()
	}
	out.ReplyMarkup = markup(m.Keyboard)
	switch {
	case m.Media == nil:
		out.Text = m.Text
		if m.LinkPreview != "" {
			out.LinkPreviewOptions = &previewJSON{URL: m.LinkPreview}
		}
	case m.video:
		out.Caption = m.Text
		out.Video = &videoJSON{FileID: "BAACAgQAAx0C" + m.file, FileUniqueID: "AgAD" + m.file, Width: m.w, Height: m.h,
			MimeType: m.Media.ContentType, FileSize: m.Media.Bytes}
	default:
		out.Caption = m.Text
		out.Photo = []photoSize{{FileID: "AgACAgQAAx0C" + m.file, FileUniqueID: "AQAD" + m.file, Width: m.w, Height: m.h,
			FileSize: m.Media.Bytes}}
	}
	return out
}

// message finds a live message of a chat; the caller holds s.mu.
func (c *fakeChat) message(arg string) *stored {
	id, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 32)
	if err != nil || id <= 0 {
		return nil
	}
	m := c.msgs[id]
	if m == nil || m.Deleted {
		return nil
	}
	return m
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same " +
	"as a current content and reply markup of the message"

// editMessageText replaces a text message.
//
// Specs: https://core.telegram.org/bots/api#editmessagetext
func (s *Server) editMessageText(q *query) (any, *apiErr) {
	raw := q.args["text"]
	if raw == "" {
		return nil, bad("message text is empty")
	}
	text, e := formatted(raw, q.args["parse_mode"])
	if e != nil {
		return nil, e
	}
	preview, e := linkPreview(q.args, text)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	m := c.message(q.args["message_id"])
	switch {
	case m == nil:
		return nil, bad("message to edit not found")
	case m.From != 0:
		return nil, bad("message can't be edited")
	case m.Media != nil:
		return nil, bad("there is no text in the message to edit")
	case text == "":
		return nil, bad("text must be non-empty")
	case Length(text) > MaxText:
		return nil, bad("MESSAGE_TOO_LONG")
	case m.HTML == raw && m.Text == text && m.LinkPreview == preview:
		return nil, bad(notModified)
	}
	m.HTML, m.Text, m.ParseMode, m.LinkPreview = raw, text, q.args["parse_mode"], preview
	s.edited(m)
	return s.messageJSON(m), nil
}

// editMessageCaption replaces the caption of a photo or video.
//
// Specs: https://core.telegram.org/bots/api#editmessagecaption
func (s *Server) editMessageCaption(q *query) (any, *apiErr) {
	raw := q.args["caption"]
	text, e := formatted(raw, q.args["parse_mode"])
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	m := c.message(q.args["message_id"])
	switch {
	case m == nil:
		return nil, bad("message to edit not found")
	case m.From != 0:
		return nil, bad("message can't be edited")
	case m.Media == nil:
		return nil, bad("there is no caption in the message to edit")
	case Length(text) > MaxCaption:
		return nil, bad("MEDIA_CAPTION_TOO_LONG")
	case m.HTML == raw && m.Text == text:
		return nil, bad(notModified)
	}
	m.HTML, m.Text, m.ParseMode = raw, text, q.args["parse_mode"]
	s.edited(m)
	return s.messageJSON(m), nil
}

// edited stamps an edit and shows it in the post's Received entry; the
// caller holds s.mu.
func (s *Server) edited(m *stored) {
	m.EditDate = s.now().UTC().Truncate(time.Second)
	first := m.group[0] == m.ID
	s.Update(m.log, func(r *channeltest.Received) {
		r.Edited = true
		if first {
			r.Text, r.Link = m.Text, m.LinkPreview
		}
	})
}

// deleteMessage deletes a message; an album is deleted one message at a
// time.
//
// Specs: https://core.telegram.org/bots/api#deletemessage
func (s *Server) deleteMessage(q *query) (any, *apiErr) {
	if strings.TrimSpace(q.args["chat_id"]) == "" {
		return nil, bad("chat identifier is not specified")
	}
	if id, _ := strconv.ParseInt(strings.TrimSpace(q.args["message_id"]), 10, 32); id <= 0 {
		return nil, bad("message identifier is not specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.chat(q.args["chat_id"], true)
	if e != nil {
		return nil, e
	}
	m := c.message(q.args["message_id"])
	if m == nil {
		return nil, bad("message to delete not found")
	}
	m.Deleted = true
	all := !slices.ContainsFunc(m.group, func(id int64) bool { return !c.msgs[id].Deleted })
	if all {
		s.Update(m.log, func(r *channeltest.Received) { r.Deleted = true })
	}
	return true, nil
}
