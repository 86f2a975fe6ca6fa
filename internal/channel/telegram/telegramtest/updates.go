// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// User is a Telegram user who writes to the bot.
type User struct {
	ID        int64 // positive: it is also the id of their private chat with the bot
	FirstName string
	LastName  string
	Username  string // without '@'
	Lang      string // language_code
}

// pendingUpdate is one Update waiting for getUpdates, kept as the JSON
// the server would send.
type pendingUpdate struct {
	id   int64
	body json.RawMessage
}

// updateTypes are the names allowed_updates knows.
//
// Specs: https://core.telegram.org/bots/api#update
var updateTypes = []string{
	"message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
	"edited_business_message", "deleted_business_messages", "message_reaction", "message_reaction_count",
	"inline_query", "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
	"purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request",
	"chat_boost", "removed_chat_boost",
}

// notByDefault are the types sent only when asked for: "If not
// specified, the previous setting will be used ... all update types
// except chat_member, message_reaction, and message_reaction_count".
var notByDefault = []string{"chat_member", "message_reaction", "message_reaction_count"}

// privateChat returns the private chat with user id, made when first
// named; the caller holds s.mu.
func (s *Server) privateChat(id int64) *fakeChat {
	key := strconv.FormatInt(id, 10)
	if c := s.chats[key]; c != nil {
		return c
	}
	c := &fakeChat{id: id, admin: true, private: true, msgs: map[int64]*stored{},
		user: userJSON{ID: id, FirstName: "Utente", LastName: key, LanguageCode: "it"}}
	s.chats[key] = c
	return c
}

// SendFromUser is a citizen writing text to the bot in their private
// chat: the message is stored (Messages lists it, From set) and queued as
// an update for getUpdates. It returns the update's JSON, for a test to
// post to a webhook instead. A text starting with "/" carries a
// bot_command entity, as Telegram marks commands.
func (s *Server) SendFromUser(userID int64, username, text string) []byte {
	return s.Send(User{ID: userID, Username: username}, text)
}

// Send is SendFromUser with the user's names and language. Empty names
// keep what the fake knows of the user ("Utente <id>" at first).
func (s *Server) Send(u User, text string) []byte {
	if u.ID <= 0 {
		panic(fmt.Sprintf("telegramtest: a user id is positive, not %d", u.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.privateChat(u.ID)
	if u.FirstName != "" {
		c.user.FirstName, c.user.LastName = u.FirstName, u.LastName
	}
	if u.Username != "" {
		c.user.Username = u.Username
	}
	if u.Lang != "" {
		c.user.LanguageCode = u.Lang
	}
	m := s.add(c, Message{HTML: text, Text: text, From: u.ID})
	m.log, m.group = -1, []int64{m.ID}
	return s.queue("message", s.messageJSON(m))
}

// PressButton is the user pressing an inline keyboard button with
// callback data on the bot's message messageID of their private chat. It
// queues the callback_query and returns the update's JSON.
func (s *Server) PressButton(userID, messageID int64, data string) []byte {
	if userID <= 0 {
		panic(fmt.Sprintf("telegramtest: a user id is positive, not %d", userID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.privateChat(userID)
	s.nextFile++
	q := map[string]any{
		"id": strconv.FormatInt(userID, 10) + strconv.FormatInt(s.nextFile, 10), "from": c.user,
		"chat_instance": strconv.FormatInt(-c.id*7919, 10), "data": data,
	}
	if m := c.message(strconv.FormatInt(messageID, 10)); m != nil {
		q["message"] = s.messageJSON(m)
	} else {
		// An InaccessibleMessage: "date: Always 0".
		q["message"] = map[string]any{"chat": c.json(), "message_id": messageID, "date": 0}
	}
	return s.queue("callback_query", q)
}

// QueueUpdate queues any update, {"update_id":..., kind: payload}, for
// updates the helpers above do not make (a photo, a location, a channel
// post), and returns its JSON. The message it may describe is not stored.
func (s *Server) QueueUpdate(kind string, payload any) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue(kind, payload)
}

// queue adds an update with the next update_id; the caller holds s.mu.
// Types the bot did not ask for (allowed_updates) are not queued, as
// Telegram does not make them, but their JSON is still returned.
func (s *Server) queue(kind string, payload any) []byte {
	s.nextUpdate++
	k, err := json.Marshal(kind)
	if err != nil {
		panic(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: update payload: %v", err))
	}
	body := fmt.Appendf(nil, `{"update_id":%d,%s:%s}`, s.nextUpdate, k, p)
	if s.wants(kind) {
		s.updates = append(s.updates, pendingUpdate{id: s.nextUpdate, body: body})
	}
	return body
}

// wants reports whether the bot receives updates of kind; the caller
// holds s.mu.
func (s *Server) wants(kind string) bool {
	if s.allowed == nil {
		return !slices.Contains(notByDefault, kind)
	}
	return s.allowed[kind]
}

// Block is the user blocking the bot: sending to their chat is then
// "Forbidden: bot was blocked by the user".
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChat(userID).blocked = true
}

// Webhook returns the URL and secret_token of the webhook set, empty
// when none is.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// PendingUpdates is how many updates wait to be confirmed by getUpdates.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// setAllowed applies allowed_updates as the server does: a JSON array of
// names, kept for later calls; unknown names are ignored, none known means
// the default, anything unreadable changes nothing. The caller holds
// s.mu.
func (s *Server) setAllowed(raw string) {
	if raw == "" {
		return
	}
	var names []string
	if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return
	}
	set := map[string]bool{}
	for _, n := range names {
		if n = strings.ToLower(n); slices.Contains(updateTypes, n) {
			set[n] = true
		}
	}
	if len(set) == 0 {
		s.allowed = nil
		return
	}
	s.allowed = set
}

// intArg reads an integer parameter, def when absent or unreadable.
func intArg(args map[string]string, name string, def int64) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(args[name]), 10, 64)
	if err != nil {
		return def
	}
	return v
}

// getUpdates answers the queued updates from offset. An offset confirms
// every update before it, which is then forgotten; a negative offset
// keeps only the last -offset updates. The fake answers at once: it does
// not wait for timeout.
//
// Specs: https://core.telegram.org/bots/api#getupdates
func (s *Server) getUpdates(q *query) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook != "" {
		return nil, &apiErr{code: http.StatusConflict,
			desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	offset := intArg(q.args, "offset", 0)
	limit := min(max(intArg(q.args, "limit", 100), 1), 100)
	s.setAllowed(q.args["allowed_updates"])
	switch {
	case offset < 0:
		if keep := -offset; int64(len(s.updates)) > keep {
			s.updates = slices.Delete(s.updates, 0, len(s.updates)-int(keep))
		}
	case offset > 0 && offset <= s.nextUpdate+1:
		// An offset past the queue is ignored, as the server reads from
		// its head when the offset is not one of its events.
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = slices.Delete(s.updates, 0, i)
	}
	n := min(int64(len(s.updates)), limit)
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = s.updates[i].body
	}
	return out, nil
}

// secretRe is what secret_token may hold: "1-256 characters. Only
// characters A-Z, a-z, 0-9, _ and - are allowed."
var secretRe = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// webhookPorts are the ports Telegram delivers to.
var webhookPorts = []string{"", "80", "88", "443", "8443"}

// setWebhook records the webhook: its URL and secret_token. The fake
// delivers nothing: tests post the JSON of SendFromUser themselves. An
// empty url removes the webhook.
//
// Specs: https://core.telegram.org/bots/api#setwebhook
func (s *Server) setWebhook(q *query) (any, *apiErr) {
	raw := strings.TrimSpace(q.args["url"])
	if raw == "" {
		return s.deleteWebhook(q)
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw // the server's default protocol
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, bad("invalid webhook URL specified")
	}
	secret := q.args["secret_token"]
	switch {
	case len(secret) > 256:
		return nil, bad("secret token is too long")
	case !secretRe.MatchString(secret):
		return nil, bad("secret token contains unallowed characters")
	case !strings.EqualFold(u.Scheme, "https"):
		return nil, bad("bad webhook: An HTTPS URL must be provided for webhook")
	case !slices.Contains(webhookPorts, u.Port()):
		return nil, bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, _ := strconv.ParseBool(q.args["drop_pending_updates"]); b {
		s.updates = nil
	}
	s.setAllowed(q.args["allowed_updates"])
	s.webhook, s.secret = u.String(), secret
	return true, nil
}

// deleteWebhook removes the webhook, so that getUpdates works again.
//
// Specs: https://core.telegram.org/bots/api#deletewebhook
func (s *Server) deleteWebhook(q *query) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, _ := strconv.ParseBool(q.args["drop_pending_updates"]); b {
		s.updates = nil
	}
	s.webhook, s.secret = "", ""
	return true, nil
}

// getWebhookInfo answers the webhook's state.
//
// Specs: https://core.telegram.org/bots/api#getwebhookinfo
func (s *Server) getWebhookInfo(*query) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": s.webhook, "has_custom_certificate": false, "pending_update_count": len(s.updates)}
	if s.webhook != "" {
		info["max_connections"] = 40
	}
	if s.allowed != nil {
		var names []string
		for _, n := range updateTypes {
			if s.allowed[n] {
				names = append(names, n)
			}
		}
		info["allowed_updates"] = names
	}
	return info, nil
}

// replyTo reads reply_parameters (or the older reply_to_message_id) and
// returns the id of the message answered in chat c, 0 for none; the
// caller holds s.mu.
//
// Specs: https://core.telegram.org/bots/api#replyparameters
func replyTo(args map[string]string, c *fakeChat) (int64, *apiErr) {
	var p struct {
		MessageID                *int64 `json:"message_id"`
		AllowSendingWithoutReply bool   `json:"allow_sending_without_reply"`
	}
	if raw, ok := args["reply_parameters"]; ok {
		if raw == "" {
			return 0, nil
		}
		var obj map[string]json.RawMessage
		var probe any
		if err := json.Unmarshal([]byte(raw), &probe); err != nil {
			return 0, bad("can't parse reply parameters JSON object")
		}
		if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
			return 0, bad("object expected as reply parameters")
		}
		if len(obj) == 0 {
			return 0, nil
		}
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return 0, bad(`field "message_id" must be of type Number`)
		}
		if p.MessageID == nil {
			return 0, bad(`can't find field "message_id"`)
		}
	} else {
		id := intArg(args, "reply_to_message_id", 0)
		p.MessageID = &id
		p.AllowSendingWithoutReply, _ = strconv.ParseBool(args["allow_sending_without_reply"])
	}
	id := *p.MessageID
	if id <= 0 {
		return 0, nil
	}
	if m := c.msgs[id]; m != nil && !m.Deleted {
		return id, nil
	}
	if p.AllowSendingWithoutReply {
		return 0, nil
	}
	return 0, bad("message to be replied not found")
}

// entityJSON is a MessageEntity.
//
// Specs: https://core.telegram.org/bots/api#messageentity
type entityJSON struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// commandRe is a command at the start of a text: "/start", "/start@bot".
var commandRe = regexp.MustCompile(`^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?`)

// commandEntities marks a command at the start of a user's text, in
// UTF-16 code units as Telegram counts offsets.
func commandEntities(text string) []entityJSON {
	cmd := commandRe.FindString(text)
	if cmd == "" {
		return nil
	}
	return []entityJSON{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(cmd)))}}
}
