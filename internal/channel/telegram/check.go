// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"fmt"
	"strconv"

	"github.com/piazza-pa/piazza/internal/channel"
)

// CheckCredentials verifies that the token works (getMe), that the channel
// exists for the bot (getChat) and that the bot may post in it
// (getChatMember: an administrator with can_post_messages, or the
// creator). The identity is the channel's: its title, @username and
// public link.
//
// Specs: https://core.telegram.org/bots/api#available-methods
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = "check"
	chatRef, cerr := chatID(acct, op)
	if cerr != nil {
		return channel.Identity{}, cerr
	}
	bot, err := c.getMe(ctx, acct)
	if err != nil {
		return channel.Identity{}, err
	}
	ch, err := c.getChat(ctx, acct, chatRef)
	if err != nil {
		return channel.Identity{}, err
	}
	if ch.Type != "channel" {
		return channel.Identity{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
			Message: fmt.Sprintf("%s is a %s, not a channel", chatRef, ch.Type)}
	}
	member, err := c.getChatMember(ctx, acct, chatRef, bot.ID)
	if err != nil {
		return channel.Identity{}, err
	}
	if member.Status != "creator" && (member.Status != "administrator" || !member.CanPostMessages) {
		return channel.Identity{}, &channel.Error{Kind: channel.Auth, Platform: channel.Telegram, Op: op,
			Code: member.Status,
			Message: fmt.Sprintf("the bot @%s is not an administrator of %s with the right to post messages (status: %s)",
				bot.Username, chatRef, member.Status)}
	}
	id := channel.Identity{Name: ch.Title, Handle: strconv.FormatInt(ch.ID, 10)}
	if ch.Username != "" {
		id.Handle = "@" + ch.Username
		id.URL = "https://t.me/" + ch.Username
	}
	return id, nil
}

// getMe returns the bot behind the token.
//
// Specs: https://core.telegram.org/bots/api#getme
func (c *Connector) getMe(ctx context.Context, acct channel.Account) (user, error) {
	var u user
	err := c.callJSON(ctx, acct, "check", "getMe", struct{}{}, &u)
	return u, err
}

// getChat returns the channel.
//
// Specs: https://core.telegram.org/bots/api#getchat
func (c *Connector) getChat(ctx context.Context, acct channel.Account, chatRef string) (chat, error) {
	var ch chat
	err := c.callJSON(ctx, acct, "check", "getChat", map[string]any{"chat_id": chatIDValue(chatRef)}, &ch)
	return ch, err
}

// getChatMember returns the bot's membership of the channel.
//
// Specs: https://core.telegram.org/bots/api#getchatmember
func (c *Connector) getChatMember(ctx context.Context, acct channel.Account, chatRef string, userID int64) (chatMember, error) {
	var m chatMember
	err := c.callJSON(ctx, acct, "check", "getChatMember",
		map[string]any{"chat_id": chatIDValue(chatRef), "user_id": userID}, &m)
	return m, err
}
