// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

func TestInlineKeyboard(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	kb := map[string]any{"inline_keyboard": [][]map[string]any{
		{{"text": "Meteo", "callback_data": "topic:meteo"}, {"text": "Sito", "url": "https://comune.example"}},
	}}
	status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 777, "text": "Temi", "reply_markup": kb})
	if status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	var m struct {
		MessageID   int64 `json:"message_id"`
		ReplyMarkup struct {
			InlineKeyboard [][]map[string]string `json:"inline_keyboard"`
		} `json:"reply_markup"`
	}
	if err := json.Unmarshal(a.Result, &m); err != nil {
		t.Fatal(err)
	}
	if got := m.ReplyMarkup.InlineKeyboard; len(got) != 1 || got[0][0]["callback_data"] != "topic:meteo" ||
		got[0][1]["url"] != "https://comune.example" {
		t.Errorf("answered markup %s", a.Result)
	}
	want := [][]telegramtest.Button{{{Text: "Meteo", Data: "topic:meteo"}, {Text: "Sito", URL: "https://comune.example"}}}
	if got := fake.Messages()[0].Keyboard; !reflect.DeepEqual(got, want) {
		t.Errorf("recorded %+v", got)
	}
	// The button press carries the message with its keyboard.
	var up struct {
		CallbackQuery struct {
			Message struct {
				ReplyMarkup json.RawMessage `json:"reply_markup"`
			} `json:"message"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(fake.PressButton(777, m.MessageID, "topic:meteo"), &up); err != nil ||
		!strings.Contains(string(up.CallbackQuery.Message.ReplyMarkup), "topic:meteo") {
		t.Errorf("callback %+v %v", up, err)
	}

	refused := []struct {
		name, markup, desc string
	}{
		{"not JSON", `{`, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"not an object", `[]`, "Bad Request: object expected as reply markup"},
		{"rows not arrays", `{"inline_keyboard":[{}]}`,
			`Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`},
		{"no text", `{"inline_keyboard":[[{"callback_data":"x"}]]}`,
			`Bad Request: can't parse inline keyboard button: Can't find field "text"`},
		{"text button", `{"inline_keyboard":[[{"text":"x"}]]}`,
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"data too long", `{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`,
			"Bad Request: BUTTON_DATA_INVALID"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 777, "text": "Temi",
				"reply_markup": json.RawMessage(`"` + strings.ReplaceAll(tt.markup, `"`, `\"`) + `"`)})
			if status != 400 || a.Description != tt.desc {
				t.Errorf("%d %q", status, a.Description)
			}
		})
	}
	// 64 bytes is allowed.
	if status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 777, "text": "Temi",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "x", "callback_data": strings.Repeat("d", 64)}}}}}); status != 200 {
		t.Errorf("64 bytes: %d %s", status, a.Description)
	}
}

func TestEditMessageReplyMarkup(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	fake.SendFromUser(777, "anna", "/start")
	kb := func(data string) map[string]any {
		return map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Meteo", "callback_data": data}}}}
	}
	_, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 777, "text": "Temi", "reply_markup": kb("a")})
	var m struct {
		MessageID int64 `json:"message_id"`
	}
	_ = json.Unmarshal(a.Result, &m)
	edit := func(id int64, markup any) (int, answer) {
		p := map[string]any{"chat_id": 777, "message_id": id}
		if markup != nil {
			p["reply_markup"] = markup
		}
		return postJSON(t, base, "editMessageReplyMarkup", p)
	}
	if status, a := edit(m.MessageID, kb("b")); status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	if got := fake.Messages()[1]; got.Keyboard[0][0].Data != "b" || got.EditDate.IsZero() {
		t.Errorf("edited %+v", got)
	}
	if status, a := edit(m.MessageID, kb("b")); status != 400 || !strings.Contains(a.Description, "message is not modified") {
		t.Errorf("same keyboard: %d %s", status, a.Description)
	}
	if status, _ := edit(m.MessageID, nil); status != 200 || fake.Messages()[1].Keyboard != nil {
		t.Errorf("removal: %d %+v", status, fake.Messages()[1])
	}
	if status, a := edit(1, kb("c")); status != 400 || a.Description != "Bad Request: message can't be edited" {
		t.Errorf("citizen's message: %d %s", status, a.Description)
	}
	if status, a := edit(99, kb("c")); status != 400 || a.Description != "Bad Request: message to edit not found" {
		t.Errorf("missing message: %d %s", status, a.Description)
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	var up struct {
		CallbackQuery struct {
			ID string `json:"id"`
		} `json:"callback_query"`
	}
	_ = json.Unmarshal(fake.PressButton(777, 1, "topic:meteo"), &up)
	status, a := postJSON(t, base, "answerCallbackQuery", map[string]any{"callback_query_id": up.CallbackQuery.ID,
		"text": "Fatto", "show_alert": true})
	if status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	if got := fake.CallbackAnswers(); !reflect.DeepEqual(got, []telegramtest.CallbackAnswer{{ID: up.CallbackQuery.ID, Text: "Fatto", ShowAlert: true}}) {
		t.Errorf("answers %+v", got)
	}
	for _, id := range []string{up.CallbackQuery.ID, "abc", ""} {
		status, a := postJSON(t, base, "answerCallbackQuery", map[string]any{"callback_query_id": id})
		if status != 400 || a.Description != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
			t.Errorf("id %q: %d %s", id, status, a.Description)
		}
	}
}

func TestSetMyCommands(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	status, a := postJSON(t, base, "setMyCommands", map[string]any{"language_code": "it",
		"commands": []map[string]string{{"command": "/start", "description": " Iscriviti "}, {"command": "stop", "description": "Basta"}}})
	if status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	if got := fake.Commands("it"); !reflect.DeepEqual(got, []telegramtest.Command{{Name: "start", Description: "Iscriviti"}, {Name: "stop", Description: "Basta"}}) {
		t.Errorf("commands %+v", got)
	}
	if _, a := postJSON(t, base, "getMyCommands", map[string]any{"language_code": "it"}); !strings.Contains(string(a.Result), `"command":"start"`) {
		t.Errorf("getMyCommands %s", a.Result)
	}
	if len(fake.Commands("")) != 0 {
		t.Error("commands leaked to the default language")
	}
	cmd := func(name, desc string) []map[string]string {
		return []map[string]string{{"command": name, "description": desc}}
	}
	refused := []struct {
		name   string
		params map[string]any
		desc   string
	}{
		{"language", map[string]any{"language_code": "ita", "commands": cmd("a", "b")}, "Bad Request: invalid language code specified"},
		{"empty", map[string]any{"commands": cmd(" ", "b")}, "Bad Request: command must be non-empty"},
		{"long", map[string]any{"commands": cmd(strings.Repeat("a", 33), "b")}, "Bad Request: command length must not exceed 32"},
		{"no description", map[string]any{"commands": cmd("a", " ")}, "Bad Request: command description must be non-empty"},
		{"upper case", map[string]any{"commands": cmd("Start", "b")}, "Bad Request: BOT_COMMAND_INVALID"},
		{"not an array", map[string]any{"commands": map[string]string{}}, "Bad Request: expected an Array of BotCommand"},
		{"no field", map[string]any{"commands": []map[string]string{{"command": "a"}}},
			`Bad Request: can't parse BotCommand: Can't find field "description"`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if status, a := postJSON(t, base, "setMyCommands", tt.params); status != 400 || a.Description != tt.desc {
				t.Errorf("%d %q", status, a.Description)
			}
		})
	}
}

func TestHang(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	fake.Hang(777)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+token+"/sendMessage",
		strings.NewReader(`{"chat_id":777,"text":"Allerta"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("answered")
	}
	// Stored all the same; other chats are answered.
	if msgs := fake.Messages(); len(msgs) != 1 || msgs[0].Chat != "777" {
		t.Errorf("messages %+v", msgs)
	}
	if status, _ := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 778, "text": "Allerta"}); status != 200 {
		t.Errorf("other chat: %d", status)
	}
}
