// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
)

// The Bot API's limits on what the bot says in private chats.
const (
	// MaxCallbackData is a button's callback_data: "1-64 bytes".
	MaxCallbackData = 64
	// MaxCallbackText is answerCallbackQuery's text: "0-200 characters".
	MaxCallbackText = 200
	// MaxCommands: "At most 100 commands can be specified."
	MaxCommands = 100
	// MaxCommandName is a command's length: "1-32 characters".
	MaxCommandName = 32
	// MaxCommandDescription is a command's description: "1-256
	// characters".
	MaxCommandDescription = 256
)

// Keyboard is an inline keyboard under a message: rows of buttons. A nil
// keyboard, or one without rows, is no keyboard.
//
// Specs: https://core.telegram.org/bots/api#inlinekeyboardmarkup
type Keyboard struct {
	Rows [][]Button
}

// Button is an inline keyboard button. Text is plain text; Data comes
// back in the callback query when the citizen presses it (1 to 64 bytes).
//
// Specs: https://core.telegram.org/bots/api#inlinekeyboardbutton
type Button struct {
	Text string
	Data string
}

// Command is one entry of the bot's command menu. Name is without the
// slash: 1 to 32 lowercase letters, digits and underscores.
//
// Specs: https://core.telegram.org/bots/api#botcommand
type Command struct {
	Name        string
	Description string
}

type buttonJSON struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type markupJSON struct {
	InlineKeyboard [][]buttonJSON `json:"inline_keyboard"`
}

// empty reports whether kb shows nothing.
func (kb *Keyboard) empty() bool { return kb == nil || len(kb.Rows) == 0 }

// markup checks kb and returns its reply_markup, nil for no keyboard. It
// is checked here because Telegram refuses the whole message for one bad
// button, and a long callback_data is a programming error, not the
// citizen's.
func (kb *Keyboard) markup(op string) (*markupJSON, *channel.Error) {
	if kb.empty() {
		return nil, nil
	}
	m := &markupJSON{InlineKeyboard: make([][]buttonJSON, len(kb.Rows))}
	for i, row := range kb.Rows {
		if len(row) == 0 {
			return nil, permanent(op, fmt.Sprintf("row %d of the keyboard has no buttons", i+1))
		}
		m.InlineKeyboard[i] = make([]buttonJSON, len(row))
		for j, b := range row {
			switch {
			case plain(b.Text) == "":
				return nil, permanent(op, fmt.Sprintf("button %d of row %d has no text", j+1, i+1))
			case b.Data == "" || len(b.Data) > MaxCallbackData:
				return nil, permanent(op, fmt.Sprintf("the data of button %q has %d bytes, Telegram wants 1 to %d",
					b.Text, len(b.Data), MaxCallbackData))
			case !utf8.ValidString(b.Data):
				return nil, permanent(op, fmt.Sprintf("the data of button %q is not UTF-8", b.Text))
			}
			m.InlineKeyboard[i][j] = buttonJSON{Text: strings.ToValidUTF8(b.Text, "\uFFFD"), CallbackData: b.Data}
		}
	}
	return m, nil
}

func permanent(op, msg string) *channel.Error {
	return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op, Message: msg}
}

// checkText refuses, before any request, a text Telegram would refuse
// with "message text is empty" or "message is too long".
func checkText(op, text string) *channel.Error {
	switch n := Count(text); {
	case n == 0:
		return permanent(op, "the message is empty")
	case n > MaxText:
		return permanent(op, fmt.Sprintf("the message has %d characters, Telegram allows at most %d", n, MaxText))
	}
	return nil
}

// sendTextParams are sendMessage's parameters for a private chat.
type sendTextParams struct {
	ChatID      int64       `json:"chat_id"`
	Text        string      `json:"text"`
	ParseMode   string      `json:"parse_mode"`
	ReplyMarkup *markupJSON `json:"reply_markup,omitempty"`
}

// SendText sends text to a chat (a citizen's private chat with the bot,
// named by its numeric id), with an inline keyboard under it when kb has
// buttons, and returns the message id. The text is plain text, escaped
// as Publish escapes it (FormatHTML, parse_mode HTML).
//
// A citizen who blocked the bot, deleted their account or never started
// it makes the call fail as Permanent, with IsBlocked true: the bot is
// fine, this chat is closed. Nothing makes a retry idempotent: an Unknown
// error (no answer after sending) may have delivered the message.
//
// Specs: https://core.telegram.org/bots/api#sendmessage
func (c *Connector) SendText(ctx context.Context, acct channel.Account, chatID int64, text string, kb *Keyboard) (int64, error) {
	const op = "send"
	if chatID == 0 {
		return 0, permanent(op, "no chat to send to")
	}
	if e := checkText(op, text); e != nil {
		return 0, e
	}
	markup, e := kb.markup(op)
	if e != nil {
		return 0, e
	}
	var m message
	p := sendTextParams{ChatID: chatID, Text: FormatHTML(text), ParseMode: parseMode, ReplyMarkup: markup}
	if err := c.callJSON(ctx, acct, op, "sendMessage", p, &m); err != nil {
		return 0, aboutChat(err)
	}
	if m.MessageID <= 0 {
		return 0, &channel.Error{Kind: channel.Unknown, Platform: channel.Telegram, Op: op,
			Message: "sendMessage answered no message id"}
	}
	return m.MessageID, nil
}

// editMarkupParams are editMessageReplyMarkup's parameters; without
// reply_markup the keyboard is removed.
type editMarkupParams struct {
	ChatID      int64       `json:"chat_id"`
	MessageID   int64       `json:"message_id"`
	ReplyMarkup *markupJSON `json:"reply_markup,omitempty"`
}

// EditKeyboard replaces the inline keyboard of one of the bot's messages
// (a topic ticked, a zone added); an empty kb removes it. Asking for the
// keyboard the message already has succeeds: the citizen sees what was
// asked for, and a double tap is not an error.
//
// Specs: https://core.telegram.org/bots/api#editmessagereplymarkup
func (c *Connector) EditKeyboard(ctx context.Context, acct channel.Account, chatID, messageID int64, kb *Keyboard) error {
	const op = "edit_keyboard"
	if chatID == 0 || messageID <= 0 {
		return permanent(op, "no message to edit")
	}
	markup, e := kb.markup(op)
	if e != nil {
		return e
	}
	err := c.callJSON(ctx, acct, op, "editMessageReplyMarkup",
		editMarkupParams{ChatID: chatID, MessageID: messageID, ReplyMarkup: markup}, nil)
	if e := channel.AsError(err); e != nil && e.Status == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(e.Message), "message is not modified") {
		return nil
	}
	return aboutChat(err)
}

// answerParams are answerCallbackQuery's parameters.
type answerParams struct {
	CallbackQueryID string `json:"callback_query_id"`
	Text            string `json:"text,omitempty"`
}

// AnswerCallback answers a button press (Callback.ID), which stops the
// spinner on the button; text, when not empty, shows briefly at the top
// of the chat ("Iscrizione a Meteo attivata"). Telegram accepts the
// answer only shortly after the press, and only once: a late one fails
// as Permanent and can be ignored.
//
// Specs: https://core.telegram.org/bots/api#answercallbackquery
func (c *Connector) AnswerCallback(ctx context.Context, acct channel.Account, callbackID, text string) error {
	const op = "answer_callback"
	if strings.TrimSpace(callbackID) == "" {
		return permanent(op, "no button press to answer")
	}
	if n := Count(text); n > MaxCallbackText {
		return permanent(op, fmt.Sprintf("the answer has %d characters, Telegram allows at most %d", n,
			MaxCallbackText))
	}
	// Plain text: answerCallbackQuery has no parse_mode.
	err := c.callJSON(ctx, acct, op, "answerCallbackQuery",
		answerParams{CallbackQueryID: callbackID, Text: strings.ToValidUTF8(text, "\uFFFD")}, nil)
	return aboutChat(err)
}

// commandJSON is a BotCommand.
type commandJSON struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// setCommandsParams are setMyCommands' parameters, for the default scope.
type setCommandsParams struct {
	Commands     []commandJSON `json:"commands"`
	LanguageCode string        `json:"language_code,omitempty"`
}

var (
	commandNameRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	langRe        = regexp.MustCompile(`^[a-z]{2}$`)
)

// SetCommands sets the bot's command menu (/start, /stop, ...) for the
// users whose app is in lang, a two-letter ISO 639-1 code, or for every
// user without commands in their language when lang is "". No commands
// clears the menu of that language.
//
// Specs: https://core.telegram.org/bots/api#setmycommands
func (c *Connector) SetCommands(ctx context.Context, acct channel.Account, cmds []Command, lang string) error {
	const op = "set_commands"
	if lang != "" && !langRe.MatchString(lang) {
		return permanent(op, fmt.Sprintf("%q is not a two-letter language code", lang))
	}
	if len(cmds) > MaxCommands {
		return permanent(op, fmt.Sprintf("%d commands, Telegram allows at most %d", len(cmds), MaxCommands))
	}
	p := setCommandsParams{Commands: make([]commandJSON, len(cmds)), LanguageCode: lang}
	for i, cmd := range cmds {
		name := strings.TrimPrefix(cmd.Name, "/")
		desc := strings.TrimSpace(cmd.Description)
		switch n := utf8.RuneCountInString(desc); {
		case !commandNameRe.MatchString(name):
			return permanent(op, fmt.Sprintf("command %q: 1 to %d lowercase letters, digits and underscores",
				cmd.Name, MaxCommandName))
		case n == 0 || n > MaxCommandDescription || !utf8.ValidString(desc):
			return permanent(op, fmt.Sprintf("command %q: the description must have 1 to %d characters", name,
				MaxCommandDescription))
		}
		p.Commands[i] = commandJSON{Command: name, Description: desc}
	}
	return c.callJSON(ctx, acct, op, "setMyCommands", p, nil)
}

// aboutChat makes the refusals that concern one chat Permanent rather
// than Auth, as Reply does: "Forbidden: bot was blocked by the user" or
// "Bad Request: chat not found" close a conversation, not the bot's
// account. A revoked token (401) stays Auth.
func aboutChat(err error) error {
	if e := channel.AsError(err); e != nil && e.Kind == channel.Auth &&
		(e.Status == http.StatusForbidden || e.Status == http.StatusBadRequest) {
		e.Kind = channel.Permanent
	}
	return err
}

// gone are the Bad Request descriptions of a chat that no longer exists
// for the bot.
var gone = []string{"chat not found", "user is deactivated", "peer_id_invalid", "user not found"}

// IsBlocked reports whether err, from SendText or EditKeyboard, says
// that the chat can no longer receive the bot's messages: "Forbidden:
// bot was blocked by the user", "Forbidden: user is deactivated", "Bad
// Request: chat not found" and the like. The subscriber behind it should
// be unsubscribed.
func IsBlocked(err error) bool {
	var e *channel.Error
	if !errors.As(err, &e) || e.Platform != channel.Telegram || e.Kind != channel.Permanent {
		return false
	}
	switch e.Status {
	case http.StatusForbidden:
		return true
	case http.StatusBadRequest:
		d := strings.ToLower(e.Message)
		for _, g := range gone {
			if strings.Contains(d, g) {
				return true
			}
		}
	}
	return false
}
