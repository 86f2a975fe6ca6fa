// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

// lastMessage is the fake's newest message.
func lastMessage(t *testing.T, e *env) telegramtest.Message {
	t.Helper()
	msgs := e.fake.Messages()
	if len(msgs) == 0 {
		t.Fatal("the fake holds no message")
	}
	return msgs[len(msgs)-1]
}

var topics = &telegram.Keyboard{Rows: [][]telegram.Button{
	{{Text: "Meteo ☂", Data: "topic:meteo"}, {Text: "Viabilità", Data: "topic:viabilita"}},
	{{Text: "Zona <Centro> & Borgo", Data: "zone:centro"}},
}}

func TestSendTextKeyboardRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	e.fake.SendFromUser(777, "anna", "/start")
	e.rec.take()

	id, err := e.conn.SendText(ctx, e.acct, 777, "Scegli i <temi> & le zone", topics)
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || !strings.HasSuffix(reqs[0].path, "/sendMessage") {
		t.Fatalf("requests %+v", reqs)
	}
	var p struct {
		ChatID      int64  `json:"chat_id"`
		Text        string `json:"text"`
		ParseMode   string `json:"parse_mode"`
		ReplyMarkup struct {
			InlineKeyboard [][]struct {
				Text         string `json:"text"`
				CallbackData string `json:"callback_data"`
			} `json:"inline_keyboard"`
		} `json:"reply_markup"`
	}
	if err := json.Unmarshal(reqs[0].body, &p); err != nil {
		t.Fatal(err)
	}
	if p.ChatID != 777 || p.ParseMode != "HTML" || p.Text != "Scegli i &lt;temi&gt; &amp; le zone" ||
		len(p.ReplyMarkup.InlineKeyboard) != 2 || p.ReplyMarkup.InlineKeyboard[1][0].CallbackData != "zone:centro" {
		t.Errorf("request %s", reqs[0].body)
	}

	m := lastMessage(t, e)
	want := [][]telegramtest.Button{
		{{Text: "Meteo ☂", Data: "topic:meteo"}, {Text: "Viabilità", Data: "topic:viabilita"}},
		{{Text: "Zona <Centro> & Borgo", Data: "zone:centro"}},
	}
	if m.ID != id || m.Chat != "777" || m.Text != "Scegli i <temi> & le zone" || !reflect.DeepEqual(m.Keyboard, want) {
		t.Errorf("fake holds %+v (id %d)", m, id)
	}

	// The citizen presses a button: the update names the message and the
	// data, and the bot answers the press.
	u, err := telegram.ParseUpdate(e.fake.PressButton(777, id, "topic:meteo"))
	if err != nil || u.Callback == nil {
		t.Fatalf("%+v %v", u, err)
	}
	if u.Callback.Data != "topic:meteo" || u.Callback.MessageID != id || u.Callback.ChatID != 777 {
		t.Errorf("callback %+v", u.Callback)
	}
	if err := e.conn.AnswerCallback(ctx, e.acct, u.Callback.ID, "Meteo attivato ✓"); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.CallbackAnswers(); len(got) != 1 || got[0].ID != u.Callback.ID || got[0].Text != "Meteo attivato ✓" {
		t.Errorf("answers %+v", got)
	}
	// Once only: Telegram forgets a press it answered.
	err = e.conn.AnswerCallback(ctx, e.acct, u.Callback.ID, "")
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || telegram.IsBlocked(err) ||
		!strings.Contains(ce.Message, "query ID is invalid") {
		t.Errorf("second answer: %v", err)
	}

	// The keyboard is replaced: the ticked topic shows it.
	ticked := &telegram.Keyboard{Rows: [][]telegram.Button{{{Text: "✓ Meteo", Data: "topic:meteo"}}}}
	if err := e.conn.EditKeyboard(ctx, e.acct, 777, id, ticked); err != nil {
		t.Fatal(err)
	}
	if m := lastMessage(t, e); !reflect.DeepEqual(m.Keyboard, [][]telegramtest.Button{{{Text: "✓ Meteo", Data: "topic:meteo"}}}) {
		t.Errorf("edited keyboard %+v", m.Keyboard)
	}
	// The same again is no error (a double tap), and no keyboard removes it.
	if err := e.conn.EditKeyboard(ctx, e.acct, 777, id, ticked); err != nil {
		t.Errorf("not modified: %v", err)
	}
	if err := e.conn.EditKeyboard(ctx, e.acct, 777, id, nil); err != nil {
		t.Fatal(err)
	}
	if m := lastMessage(t, e); m.Keyboard != nil {
		t.Errorf("keyboard not removed: %+v", m.Keyboard)
	}
	if reqs := e.rec.take(); strings.Contains(string(reqs[len(reqs)-1].body), "reply_markup") {
		body := reqs[len(reqs)-1].body
		t.Errorf("removal sent a markup: %s", body)
	}
	// The citizen's own message cannot be edited.
	err = e.conn.EditKeyboard(ctx, e.acct, 777, 1, ticked)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent {
		t.Errorf("citizen's message: %v", err)
	}
}

func TestSendTextRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	kb := func(b ...telegram.Button) *telegram.Keyboard { return &telegram.Keyboard{Rows: [][]telegram.Button{b}} }
	tests := []struct {
		name string
		chat int64
		text string
		kb   *telegram.Keyboard
	}{
		{"no chat", 0, "ciao", nil},
		{"empty text", 777, " \n", nil},
		{"too long", 777, strings.Repeat("a", telegram.MaxText+1), nil},
		{"empty data", 777, "ciao", kb(telegram.Button{Text: "Meteo"})},
		{"data too long", 777, "ciao", kb(telegram.Button{Text: "Meteo", Data: strings.Repeat("x", telegram.MaxCallbackData+1)})},
		{"data not UTF-8", 777, "ciao", kb(telegram.Button{Text: "Meteo", Data: "\xff"})},
		{"no button text", 777, "ciao", kb(telegram.Button{Text: " ", Data: "topic:meteo"})},
		{"empty row", 777, "ciao", &telegram.Keyboard{Rows: [][]telegram.Button{{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.conn.SendText(ctx, e.acct, tt.chat, tt.text, tt.kb)
			if channel.KindOf(err) != channel.Permanent || telegram.IsBlocked(err) {
				t.Errorf("error %v", err)
			}
			if n := len(e.rec.take()); n != 0 {
				t.Errorf("%d requests made", n)
			}
		})
	}
	// 64 bytes of data is the limit, and an empty keyboard is none.
	full := kb(telegram.Button{Text: "è", Data: strings.Repeat("è", telegram.MaxCallbackData/2)})
	if _, err := e.conn.SendText(ctx, e.acct, 777, "ciao", full); err != nil {
		t.Errorf("at limit: %v", err)
	}
	if _, err := e.conn.SendText(ctx, e.acct, 777, "ciao", &telegram.Keyboard{}); err != nil {
		t.Errorf("empty keyboard: %v", err)
	}
	if m := lastMessage(t, e); m.Keyboard != nil {
		t.Errorf("keyboard %+v", m.Keyboard)
	}
}

func TestSendTextErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)

	// A citizen who blocked the bot is recognisable, and is not the bot's
	// problem.
	e.fake.Block(42)
	_, err := e.conn.SendText(ctx, e.acct, 42, "Allerta meteo", nil)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Status != http.StatusForbidden ||
		ce.Op != "send" || !telegram.IsBlocked(err) {
		t.Errorf("blocked: %v", err)
	}
	// A chat the bot does not know (a channel id it is not in).
	_, err = e.conn.SendText(ctx, e.acct, -1009999999999, "Allerta meteo", nil)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || !telegram.IsBlocked(err) {
		t.Errorf("chat not found: %v", err)
	}
	// A revoked token needs attention, and blocks nobody.
	bad := e.acct
	bad.Credentials = channel.Credentials{channel.CredToken: "123456:revoked"}
	_, err = e.conn.SendText(ctx, bad, 43, "Allerta meteo", nil)
	if channel.KindOf(err) != channel.Auth || telegram.IsBlocked(err) {
		t.Errorf("revoked token: %v", err)
	}
	// 429 carries the wait Telegram asks for.
	e.fake.Inject(channeltest.FaultRateLimit, 1)
	_, err = e.conn.SendText(ctx, e.acct, 43, "Allerta meteo", nil)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.RateLimited || ce.RetryAfter != time.Second ||
		telegram.IsBlocked(err) {
		t.Errorf("rate limited: %v", err)
	}
	// An answer lost after sending is Unknown.
	e.fake.Inject(channeltest.FaultLost, 1)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := e.conn.SendText(short, e.acct, 43, "Allerta meteo", nil); channel.KindOf(err) != channel.Unknown {
		t.Errorf("lost answer: %v", err)
	}
}

func TestIsBlockedDescriptions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		status  int
		desc    string
		blocked bool
	}{
		{403, "Forbidden: bot was blocked by the user", true},
		{403, "Forbidden: user is deactivated", true},
		{403, "Forbidden: bot can't initiate conversation with a user", true},
		{400, "Bad Request: chat not found", true},
		{400, "Bad Request: PEER_ID_INVALID", true},
		{400, "Bad Request: message is too long", false},
		{401, "Unauthorized", false},
		{500, "Internal Server Error", false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": tt.status, "description": tt.desc})
			}))
			defer srv.Close()
			acct := channel.Account{BaseURL: srv.URL, Credentials: channel.Credentials{channel.CredToken: token}, Sandbox: true}
			_, err := telegram.New(&http.Client{Timeout: 2 * time.Second}).SendText(ctx, acct, 42, "ciao", nil)
			if err == nil || telegram.IsBlocked(err) != tt.blocked {
				t.Errorf("IsBlocked(%v) = %v", err, telegram.IsBlocked(err))
			}
		})
	}
	if telegram.IsBlocked(nil) || telegram.IsBlocked(context.Canceled) {
		t.Error("IsBlocked of a non-Telegram error")
	}
}

func TestSetCommands(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	it := []telegram.Command{{Name: "start", Description: "Iscriviti agli avvisi"},
		{Name: "/stop", Description: "  Annulla l'iscrizione  "}}
	en := []telegram.Command{{Name: "start", Description: "Subscribe to alerts"}}
	if err := e.conn.SetCommands(ctx, e.acct, it, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.conn.SetCommands(ctx, e.acct, en, "en"); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Commands(""); !reflect.DeepEqual(got, []telegramtest.Command{
		{Name: "start", Description: "Iscriviti agli avvisi"}, {Name: "stop", Description: "Annulla l'iscrizione"}}) {
		t.Errorf("default commands %+v", got)
	}
	if got := e.fake.Commands("en"); len(got) != 1 || got[0].Description != "Subscribe to alerts" {
		t.Errorf("English commands %+v", got)
	}
	body := string(e.rec.take()[1].body)
	if !strings.Contains(body, `"language_code":"en"`) {
		t.Errorf("request %s", body)
	}
	// No commands clears the language's menu.
	if err := e.conn.SetCommands(ctx, e.acct, nil, "en"); err != nil || len(e.fake.Commands("en")) != 0 {
		t.Errorf("clear: %v %+v", err, e.fake.Commands("en"))
	}
	e.rec.take()

	many := make([]telegram.Command, telegram.MaxCommands+1)
	for i := range many {
		many[i] = telegram.Command{Name: "c", Description: "d"}
	}
	refused := []struct {
		name string
		cmds []telegram.Command
		lang string
	}{
		{"language", en, "eng"},
		{"language case", en, "EN"},
		{"upper case", []telegram.Command{{Name: "Start", Description: "x"}}, ""},
		{"name too long", []telegram.Command{{Name: strings.Repeat("a", telegram.MaxCommandName+1), Description: "x"}}, ""},
		{"no description", []telegram.Command{{Name: "start", Description: " "}}, ""},
		{"description too long", []telegram.Command{{Name: "start", Description: strings.Repeat("d", telegram.MaxCommandDescription+1)}}, ""},
		{"too many", many, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.conn.SetCommands(ctx, e.acct, tt.cmds, tt.lang); channel.KindOf(err) != channel.Permanent {
				t.Errorf("error %v", err)
			}
			if n := len(e.rec.take()); n != 0 {
				t.Errorf("%d requests made", n)
			}
		})
	}
}

func TestAnswerCallbackRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	if err := e.conn.AnswerCallback(ctx, e.acct, " ", ""); channel.KindOf(err) != channel.Permanent {
		t.Errorf("no id: %v", err)
	}
	if err := e.conn.AnswerCallback(ctx, e.acct, "123", strings.Repeat("a", telegram.MaxCallbackText+1)); channel.KindOf(err) != channel.Permanent {
		t.Errorf("too long: %v", err)
	}
	if n := len(e.rec.take()); n != 0 {
		t.Errorf("%d requests made", n)
	}
	// An id Telegram does not know.
	if err := e.conn.AnswerCallback(ctx, e.acct, "not-a-query", ""); channel.KindOf(err) != channel.Permanent {
		t.Errorf("unknown id: %v", err)
	}
}
