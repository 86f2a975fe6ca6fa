// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Button is an inline keyboard button as the fake received it: Data is
// its callback_data, URL the link of a URL button.
type Button struct {
	Text string
	Data string
	URL  string
}

// CallbackAnswer is an answerCallbackQuery the bot made.
type CallbackAnswer struct {
	ID        string
	Text      string
	ShowAlert bool
}

// Command is one of the bot's commands (setMyCommands).
type Command struct {
	Name        string
	Description string
}

// The Bot API's limits on keyboards and commands.
const (
	MaxCallbackData = 64  // callback_data: "1-64 bytes"
	MaxCommands     = 100 // setMyCommands: "At most 100 commands can be specified."
	maxCommandName  = 32
	maxCommandDesc  = 256
)

type buttonJSON struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

// markupJSON is an InlineKeyboardMarkup as the Bot API answers it.
//
// Specs: https://core.telegram.org/bots/api#inlinekeyboardmarkup
type markupJSON struct {
	InlineKeyboard [][]buttonJSON `json:"inline_keyboard"`
}

// markup is the reply_markup of a message, nil without a keyboard.
func markup(kb [][]Button) *markupJSON {
	if len(kb) == 0 {
		return nil
	}
	m := &markupJSON{InlineKeyboard: make([][]buttonJSON, len(kb))}
	for i, row := range kb {
		m.InlineKeyboard[i] = make([]buttonJSON, len(row))
		for j, b := range row {
			m.InlineKeyboard[i][j] = buttonJSON{Text: b.Text, URL: b.URL, CallbackData: b.Data}
		}
	}
	return m
}

// inlineKeyboard reads reply_markup as the Bot API server does
// (get_reply_markup): a JSON object whose inline_keyboard is an array of
// rows of buttons, each with a text and a callback_data or url. Other
// kinds of markup (a reply keyboard, its removal) are accepted and not
// recorded. Telegram itself refuses callback data over 64 bytes.
//
// Specs: https://core.telegram.org/bots/api#inlinekeyboardbutton
func inlineKeyboard(raw string) ([][]Button, *apiErr) {
	if raw == "" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, bad("can't parse reply keyboard markup JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, bad("object expected as reply markup")
	}
	rawRows, ok := obj["inline_keyboard"]
	if !ok || rawRows == nil {
		return nil, nil
	}
	rows, ok := rawRows.([]any)
	if !ok {
		return nil, bad(`field "inline_keyboard" must be of type Array`)
	}
	var kb [][]Button
	for _, r := range rows {
		row, ok := r.([]any)
		if !ok {
			return nil, bad(`field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`)
		}
		var out []Button
		for _, b := range row {
			btn, problem := inlineButton(b)
			if problem != "" {
				return nil, bad("can't parse inline keyboard button: " + problem)
			}
			if len(btn.Data) > MaxCallbackData {
				return nil, bad("BUTTON_DATA_INVALID")
			}
			out = append(out, btn)
		}
		kb = append(kb, out)
	}
	return kb, nil
}

// inlineButton reads one InlineKeyboardButton of the kinds the fake knows.
// The problem is said in the server's words, "" when there is none.
func inlineButton(v any) (Button, string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return Button{}, "InlineKeyboardButton must be an Object"
	}
	var b Button
	for _, f := range []struct {
		name     string
		to       *string
		required bool
	}{{"text", &b.Text, true}, {"url", &b.URL, false}, {"callback_data", &b.Data, false}} {
		raw, ok := obj[f.name]
		if !ok {
			if f.required {
				return Button{}, fmt.Sprintf("Can't find field %q", f.name)
			}
			continue
		}
		s, ok := raw.(string)
		if !ok {
			return Button{}, fmt.Sprintf("Field %q must be of type String", f.name)
		}
		*f.to = s
	}
	if b.URL == "" && b.Data == "" {
		return Button{}, "Text buttons are unallowed in the inline keyboard"
	}
	if b.URL != "" {
		b.Data = "" // a URL button: the server ignores the other fields
	}
	return b, ""
}

// editMessageReplyMarkup replaces the inline keyboard of one of the bot's
// messages; without reply_markup it removes it.
//
// Specs: https://core.telegram.org/bots/api#editmessagereplymarkup
func (s *Server) editMessageReplyMarkup(q *query) (any, *apiErr) {
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
	m := c.message(q.args["message_id"])
	switch {
	case m == nil:
		return nil, bad("message to edit not found")
	case m.From != 0:
		return nil, bad("message can't be edited")
	case slices.EqualFunc(m.Keyboard, kb, slices.Equal):
		return nil, bad(notModified)
	}
	m.Keyboard = kb
	m.EditDate = s.now().UTC().Truncate(time.Second)
	return s.messageJSON(m), nil
}

// answerCallbackQuery answers a button press once. The fake takes any
// numeric id it has not answered yet; the server reads the id as a
// number, so anything else is a query it does not know.
//
// Specs: https://core.telegram.org/bots/api#answercallbackquery
func (s *Server) answerCallbackQuery(q *query) (any, *apiErr) {
	id := strings.TrimSpace(q.args["callback_query_id"])
	n, err := strconv.ParseInt(id, 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || n == 0 || s.answered[id] {
		return nil, bad("query is too old and response timeout expired or query ID is invalid")
	}
	show, _ := strconv.ParseBool(q.args["show_alert"])
	s.answered[id] = true
	s.answers = append(s.answers, CallbackAnswer{ID: id, Text: q.args["text"], ShowAlert: show})
	return true, nil
}

// CallbackAnswers returns the answers to button presses, oldest first.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// commandRe is what Telegram accepts as a command: "Can contain only
// lowercase English letters, digits and underscores."
var commandNameRe = regexp.MustCompile(`^[a-z0-9_]+$`)

// setMyCommands replaces the bot's commands for a language (the default
// scope only). Its checks are the Bot API server's (the JSON), tdlib's
// (lengths, language) and Telegram's (the characters, the count).
//
// Specs: https://core.telegram.org/bots/api#setmycommands
func (s *Server) setMyCommands(q *query) (any, *apiErr) {
	var cmds []Command
	if raw := q.args["commands"]; raw != "" {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, bad("can't parse commands JSON object")
		}
		items, ok := v.([]any)
		if !ok {
			return nil, bad("expected an Array of BotCommand")
		}
		for _, it := range items {
			obj, ok := it.(map[string]any)
			if !ok {
				return nil, bad("can't parse BotCommand: expected an Object")
			}
			var c Command
			for _, f := range []struct {
				name string
				to   *string
			}{{"command", &c.Name}, {"description", &c.Description}} {
				raw, ok := obj[f.name]
				if !ok {
					return nil, bad(fmt.Sprintf("can't parse BotCommand: Can't find field %q", f.name))
				}
				if *f.to, ok = raw.(string); !ok {
					return nil, bad(fmt.Sprintf("can't parse BotCommand: Field %q must be of type String", f.name))
				}
			}
			cmds = append(cmds, c)
		}
	}
	lang := q.args["language_code"]
	if lang != "" && (len(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z') {
		return nil, bad("invalid language code specified")
	}
	for i := range cmds {
		c := &cmds[i]
		c.Name = strings.TrimPrefix(strings.TrimSpace(c.Name), "/")
		c.Description = strings.TrimSpace(c.Description)
		switch {
		case c.Name == "":
			return nil, bad("command must be non-empty")
		case utf8.RuneCountInString(c.Name) > maxCommandName:
			return nil, bad(fmt.Sprintf("command length must not exceed %d", maxCommandName))
		case c.Description == "":
			return nil, bad("command description must be non-empty")
		case utf8.RuneCountInString(c.Description) > maxCommandDesc:
			return nil, bad(fmt.Sprintf("command description length must not exceed %d", maxCommandDesc))
		case !commandNameRe.MatchString(c.Name):
			return nil, bad("BOT_COMMAND_INVALID")
		}
	}
	if len(cmds) > MaxCommands {
		return nil, bad("BOT_COMMANDS_TOO_MUCH")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, lang)
	} else {
		s.commands[lang] = cmds
	}
	return true, nil
}

// getMyCommands answers the commands of a language.
//
// Specs: https://core.telegram.org/bots/api#getmycommands
func (s *Server) getMyCommands(q *query) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]string{}
	for _, c := range s.commands[q.args["language_code"]] {
		out = append(out, map[string]string{"command": c.Name, "description": c.Description})
	}
	return out, nil
}

// Commands returns the bot's commands for a language_code ("" for the
// default ones), as set with setMyCommands.
func (s *Server) Commands(lang string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[lang])
}
