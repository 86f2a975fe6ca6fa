// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Update is one Bot API Update as Piazza reads it: a citizen's message or
// command in a private chat (Msg, when HasMsg), a button press (Callback,
// with Msg describing it as a Bot message), or something else Piazza does
// not use (neither). ID is the update_id, which getUpdates' offset counts.
//
// Specs: https://core.telegram.org/bots/api#update
type Update struct {
	ID       int64
	Msg      channel.Inbound
	HasMsg   bool
	Callback *Callback
}

// Callback is a callback_query: a press on an inline keyboard button of a
// message the bot sent. ChatID and MessageID name that message; they are
// zero when Telegram no longer gives it (a message of an inline query).
//
// Specs: https://core.telegram.org/bots/api#callbackquery
type Callback struct {
	// ID is what answerCallbackQuery needs to stop the button's spinner.
	ID        string
	ChatID    int64
	MessageID int64
	Data      string
	From      Sender
}

// Sender is the Telegram user behind a message or a button press.
//
// Specs: https://core.telegram.org/bots/api#user
type Sender struct {
	ID        int64
	Username  string // without '@'
	FirstName string
	LastName  string
	// Lang is the IETF language tag of the user's app, when Telegram
	// gives it.
	Lang string
}

// The JSON shapes ParseUpdate reads: only the fields it uses. Pointers
// tell a field Telegram always sends from a missing one, so that a body
// that is not an Update is refused instead of read as an empty message.

type updateJSON struct {
	UpdateID      *int64         `json:"update_id"`
	Message       *inMessage     `json:"message"`
	EditedMessage *inMessage     `json:"edited_message"`
	CallbackQuery *callbackQuery `json:"callback_query"`
}

type inUser struct {
	ID           *int64 `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Username     string `json:"username"`
	LanguageCode string `json:"language_code"`
}

type inChat struct {
	ID   *int64 `json:"id"`
	Type string `json:"type"`
}

type fileJSON struct {
	FileID   string `json:"file_id"`
	Width    int64  `json:"width"`
	Height   int64  `json:"height"`
	FileSize int64  `json:"file_size"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	Emoji    string `json:"emoji"` // stickers
}

type locationJSON struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

type inMessage struct {
	MessageID *int64  `json:"message_id"`
	From      *inUser `json:"from"`
	Chat      *inChat `json:"chat"`
	Date      *int64  `json:"date"`
	Text      string  `json:"text"`
	Caption   string  `json:"caption"`
	// ReplyTo is the message quoted, for InReplyTo.
	ReplyTo *struct {
		MessageID int64 `json:"message_id"`
	} `json:"reply_to_message"`
	Photo     []fileJSON    `json:"photo"`
	Document  *fileJSON     `json:"document"`
	Video     *fileJSON     `json:"video"`
	VideoNote *fileJSON     `json:"video_note"`
	Voice     *fileJSON     `json:"voice"`
	Audio     *fileJSON     `json:"audio"`
	Sticker   *fileJSON     `json:"sticker"`
	Location  *locationJSON `json:"location"`
}

type callbackQuery struct {
	ID      string  `json:"id"`
	From    *inUser `json:"from"`
	Message *struct {
		MessageID int64 `json:"message_id"`
		Chat      *struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	} `json:"message"`
	Data string `json:"data"`
}

// ParseUpdate reads one Update, as a webhook receives it or as an item of
// getUpdates' result.
//
// A message in a private chat is a citizen writing to the organisation's
// bot: Msg is filled and HasMsg set; a text starting with "/" is a command
// for the alerts bot (Msg.Bot). Messages in groups and channels are not
// addressed to the desk and are ignored. Edits (edited_message) are
// ignored too: the desk keeps what the citizen sent and may already have
// answered it, and the contract has no way to say "this replaces message
// X" (a new RemoteID would show the edit as a second message). A
// callback_query fills Callback, and Msg with Bot set. Any other update is
// returned with only its ID, so that a poller still moves past it.
//
// A body that is not an Update (malformed JSON, no update_id, a message
// without id, chat, date or author) is an error.
//
// Specs: https://core.telegram.org/bots/api#update
func ParseUpdate(body []byte) (upd Update, err error) {
	var u updateJSON
	if err := json.Unmarshal(body, &u); err != nil {
		return Update{}, fmt.Errorf("telegram update: %w", err)
	}
	if u.UpdateID == nil {
		return Update{}, errors.New("telegram update: no update_id")
	}
	upd.ID = *u.UpdateID
	switch {
	case u.Message != nil:
		msg, private, err := u.Message.inbound()
		if err != nil {
			return Update{}, err
		}
		upd.Msg, upd.HasMsg = msg, private
	case u.EditedMessage != nil:
		// Ignored (see above), but still checked: a body that claims to be
		// an edit and is not one is not an Update.
		if _, _, err := u.EditedMessage.inbound(); err != nil {
			return Update{}, err
		}
	case u.CallbackQuery != nil:
		cb, msg, err := u.CallbackQuery.parse()
		if err != nil {
			return Update{}, err
		}
		upd.Callback, upd.Msg, upd.HasMsg = cb, msg, true
	}
	return upd, nil
}

// sender reads a User; Telegram always sends its id.
func (u *inUser) sender() (Sender, error) {
	if u == nil || u.ID == nil {
		return Sender{}, errors.New("no sender")
	}
	return Sender{ID: *u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName,
		Lang: u.LanguageCode}, nil
}

// fill sets the author fields of an Inbound.
func (s Sender) fill(in *channel.Inbound) {
	in.AuthorID = strconv.FormatInt(s.ID, 10)
	if s.Username != "" {
		in.AuthorHandle = "@" + s.Username
	}
	in.AuthorName = strings.TrimSpace(s.FirstName + " " + s.LastName)
	in.Lang = s.Lang
}

// inbound reads a Message; private is false for a message of a group or
// channel, which the desk ignores.
func (m *inMessage) inbound() (in channel.Inbound, private bool, err error) {
	switch {
	case m.MessageID == nil:
		return in, false, errors.New("telegram update: message without message_id")
	case m.Chat == nil || m.Chat.ID == nil:
		return in, false, errors.New("telegram update: message without chat")
	case m.Date == nil:
		return in, false, errors.New("telegram update: message without date")
	}
	if m.Chat.Type != "private" {
		return in, false, nil
	}
	from, err := m.From.sender()
	if err != nil {
		// In a private chat the author is always given.
		return in, false, fmt.Errorf("telegram update: private message: %w", err)
	}
	chat := strconv.FormatInt(*m.Chat.ID, 10)
	id := strconv.FormatInt(*m.MessageID, 10)
	in = channel.Inbound{
		RemoteID:   chat + ":" + id,
		Thread:     chat,
		Visibility: channel.Private,
		Text:       m.Text,
		At:         time.Unix(*m.Date, 0).UTC(),
		// A command is for the alerts bot, not the desk (DESIGN.md).
		Bot: strings.HasPrefix(m.Text, "/"),
		Raw: map[string]string{"chat_id": chat, "message_id": id},
	}
	from.fill(&in)
	if in.Text == "" {
		in.Text = m.Caption
	}
	if m.ReplyTo != nil && m.ReplyTo.MessageID > 0 {
		in.InReplyTo = chat + ":" + strconv.FormatInt(m.ReplyTo.MessageID, 10)
	}
	in.Attachments = m.attachments()
	return in, true, nil
}

// attachments lists what came with the message, by reference: the desk
// fetches a file with getFile when someone opens it.
func (m *inMessage) attachments() []channel.Attachment {
	var out []channel.Attachment
	if len(m.Photo) > 0 {
		// Telegram sends every size it made; the largest is the original.
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height >= best.Width*best.Height {
				best = p
			}
		}
		out = append(out, channel.Attachment{Kind: "photo", RemoteID: best.FileID, ContentType: "image/jpeg"})
	}
	for _, f := range []struct {
		kind string
		file *fileJSON
	}{
		{"document", m.Document}, {"video", m.Video}, {"video_note", m.VideoNote}, {"voice", m.Voice},
		{"audio", m.Audio}, {"sticker", m.Sticker},
	} {
		if f.file == nil || f.file.FileID == "" {
			continue
		}
		name := f.file.FileName
		if f.kind == "sticker" {
			name = f.file.Emoji
		}
		out = append(out, channel.Attachment{Kind: f.kind, RemoteID: f.file.FileID, ContentType: f.file.MimeType,
			Name: name})
	}
	if l := m.Location; l != nil && l.Latitude != nil && l.Longitude != nil {
		out = append(out, channel.Attachment{Kind: "location",
			Name: strconv.FormatFloat(*l.Latitude, 'f', -1, 64) + "," + strconv.FormatFloat(*l.Longitude, 'f', -1, 64)})
	}
	return out
}

// parse reads a CallbackQuery, and describes it as an Inbound for the
// alerts bot: its Text is the button's data, it answers the message that
// carried the button, and its RemoteID is the query's own id, since one
// message's buttons can be pressed many times.
func (q *callbackQuery) parse() (*Callback, channel.Inbound, error) {
	if q.ID == "" {
		return nil, channel.Inbound{}, errors.New("telegram update: callback_query without id")
	}
	from, err := q.From.sender()
	if err != nil {
		return nil, channel.Inbound{}, fmt.Errorf("telegram update: callback_query: %w", err)
	}
	cb := &Callback{ID: q.ID, Data: q.Data, From: from}
	if q.Message != nil && q.Message.Chat != nil {
		cb.ChatID, cb.MessageID = q.Message.Chat.ID, q.Message.MessageID
	}
	// A private chat's id is the user's: answer there when the message is
	// not given.
	chatID := cb.ChatID
	if chatID == 0 {
		chatID = from.ID
	}
	chat := strconv.FormatInt(chatID, 10)
	in := channel.Inbound{
		RemoteID:   "cb:" + q.ID,
		Thread:     chat,
		Visibility: channel.Private,
		Text:       q.Data,
		Bot:        true,
		Raw:        map[string]string{"chat_id": chat, "callback_query_id": q.ID},
	}
	if cb.MessageID > 0 {
		id := strconv.FormatInt(cb.MessageID, 10)
		in.InReplyTo = chat + ":" + id
		in.Raw["message_id"] = id
	}
	from.fill(&in)
	return cb, in, nil
}

// CheckSecret reports whether got, the X-Telegram-Bot-Api-Secret-Token
// header of a webhook request, is the secret_token given to setWebhook.
// Without a secret nothing is accepted: anyone who guesses the webhook
// URL could otherwise post fake messages. Both sides are hashed first so
// that the comparison takes the same time whatever their lengths.
//
// Specs: https://core.telegram.org/bots/api#setwebhook
func CheckSecret(got, want string) bool {
	if want == "" {
		return false
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// AllowedUpdates are the update types Piazza asks for, in getUpdates and
// setWebhook: citizens' messages and button presses.
var AllowedUpdates = []string{"message", "callback_query"}

// pollLimit is getUpdates' largest batch: "Values between 1-100 are
// accepted. Defaults to 100."
const pollLimit = 100

// getUpdatesParams are getUpdates' parameters.
type getUpdatesParams struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

// PollUpdates fetches the updates Telegram holds for the bot after cursor
// (getUpdates with offset=cursor, no long polling: the caller loops) and
// returns them all, commands and button presses included, with the next
// cursor: the last update_id + 1. Asking with that cursor confirms the
// updates, and Telegram forgets them, so one bot must have one poller.
// An empty cursor starts from the oldest update Telegram still holds
// (unconfirmed ones are kept 24 hours): messages that reached the bot
// while nobody polled are still messages to answer.
//
// An update that cannot be read is skipped, not returned as an error:
// retrying would read it again forever, and the cursor moves past it.
// Polling only reads, so an unreadable answer or a lost connection is
// Retryable, never Unknown. A webhook set on the bot makes getUpdates
// fail with "Conflict: can't use getUpdates method while webhook is
// active" (Permanent).
//
// Specs: https://core.telegram.org/bots/api#getupdates
func (c *Connector) PollUpdates(ctx context.Context, acct channel.Account, cursor string) ([]Update, string, error) {
	const op = "poll"
	p := getUpdatesParams{Limit: pollLimit, AllowedUpdates: AllowedUpdates}
	if cursor = strings.TrimSpace(cursor); cursor != "" {
		off, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || off <= 0 {
			return nil, cursor, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
				Message: fmt.Sprintf("%q is not a Telegram update cursor", cursor)}
		}
		p.Offset = off
	}
	var raw []json.RawMessage
	if err := c.callJSON(ctx, acct, op, "getUpdates", p, &raw); err != nil {
		if e := channel.AsError(err); e != nil && e.Kind == channel.Unknown {
			e.Kind = channel.Retryable
		}
		return nil, cursor, err
	}
	next := p.Offset
	ups := make([]Update, 0, len(raw))
	for _, r := range raw {
		u, err := ParseUpdate(r)
		if err != nil {
			// Move past it if at least its id is readable.
			var id struct {
				UpdateID int64 `json:"update_id"`
			}
			if json.Unmarshal(r, &id) == nil && id.UpdateID >= next {
				next = id.UpdateID + 1
			}
			continue
		}
		if u.ID >= next {
			next = u.ID + 1
		}
		ups = append(ups, u)
	}
	if next <= 0 {
		return ups, cursor, nil
	}
	return ups, strconv.FormatInt(next, 10), nil
}

// Poll is channel.Poller for a bot without a public webhook URL: what
// PollUpdates returns, keeping only the citizens' messages for the desk
// (commands and button presses are the alerts bot's). The cursor moves
// past everything, so an alerts bot on the same token must use
// PollUpdates instead.
//
// Specs: https://core.telegram.org/bots/api#getupdates
func (c *Connector) Poll(ctx context.Context, acct channel.Account, cursor string) ([]channel.Inbound, string, error) {
	ups, next, err := c.PollUpdates(ctx, acct, cursor)
	if err != nil {
		return nil, next, err
	}
	var msgs []channel.Inbound
	for _, u := range ups {
		if u.HasMsg && !u.Msg.Bot {
			msgs = append(msgs, u.Msg)
		}
	}
	return msgs, next, nil
}

var _ channel.Poller = (*Connector)(nil)
