// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// replyParameters is ReplyParameters: the message answered. With
// allow_sending_without_reply the answer still goes out when the citizen
// has deleted their message meanwhile.
//
// Specs: https://core.telegram.org/bots/api#replyparameters
type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// replyParams are sendMessage's parameters for an answer.
type replyParams struct {
	ChatID          any              `json:"chat_id"`
	Text            string           `json:"text"`
	ParseMode       string           `json:"parse_mode"`
	ReplyParameters *replyParameters `json:"reply_parameters,omitempty"`
}

// Reply answers a citizen in their private chat with the bot: sendMessage
// to r.To.Raw["chat_id"] (or r.To.Thread), quoting r.To.Raw["message_id"]
// when known, the text escaped as Publish escapes it. Telegram has no
// public comments, so r.Private changes nothing; and nothing makes a retry
// idempotent (r.Key is not sent). Published.RemoteID is
// "<chat_id>:<message_id>", as ParseUpdate names messages.
//
// A citizen who blocked the bot, or a chat that does not exist, makes the
// answer fail as Permanent rather than Auth: the bot and its channel are
// fine, only this conversation is closed.
//
// Specs: https://core.telegram.org/bots/api#sendmessage
func (c *Connector) Reply(ctx context.Context, acct channel.Account, r channel.Reply) (channel.Published, error) {
	const op = "reply"
	chat := strings.TrimSpace(r.To.Raw["chat_id"])
	if chat == "" {
		chat = strings.TrimSpace(r.To.Thread)
	}
	if _, err := strconv.ParseInt(chat, 10, 64); err != nil {
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
			Message: fmt.Sprintf("%q is not a Telegram chat id to answer", chat)}
	}
	// Checked here so that no request is made for an answer Telegram would
	// refuse with "message text is empty" or "message is too long".
	switch n := Count(r.Text); {
	case n == 0:
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
			Message: "the answer is empty"}
	case n > MaxText:
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
			Message: fmt.Sprintf("the answer has %d characters, Telegram allows at most %d", n, MaxText)}
	}
	p := replyParams{ChatID: chatIDValue(chat), Text: FormatHTML(r.Text), ParseMode: parseMode}
	if id, err := strconv.ParseInt(strings.TrimSpace(r.To.Raw["message_id"]), 10, 64); err == nil && id > 0 {
		p.ReplyParameters = &replyParameters{MessageID: id, AllowSendingWithoutReply: true}
	}
	var m message
	if err := c.callJSON(ctx, acct, op, "sendMessage", p, &m); err != nil {
		if e := channel.AsError(err); e != nil && e.Kind == channel.Auth &&
			(e.Status == http.StatusForbidden || e.Status == http.StatusBadRequest) {
			// "Forbidden: bot was blocked by the user", "Bad Request: chat
			// not found": about the citizen, not the bot's credentials.
			e.Kind = channel.Permanent
		}
		return channel.Published{}, err
	}
	if m.MessageID <= 0 {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Telegram, Op: op,
			Message: "sendMessage answered no message id"}
	}
	sentChat := chat
	if m.Chat.ID != 0 {
		sentChat = strconv.FormatInt(m.Chat.ID, 10)
	}
	return channel.Published{RemoteID: sentChat + ":" + strconv.FormatInt(m.MessageID, 10), At: c.at(m.Date)}, nil
}

var _ channel.Replier = (*Connector)(nil)
