// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

type updateOut struct {
	UpdateID int64           `json:"update_id"`
	Message  json.RawMessage `json:"message"`
}

func getUpdates(t *testing.T, base string, params map[string]any) []updateOut {
	t.Helper()
	status, a := postJSON(t, base, "getUpdates", params)
	if status != 200 {
		t.Fatalf("getUpdates: %d %s", status, a.Description)
	}
	var out []updateOut
	if err := json.Unmarshal(a.Result, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(ups []updateOut) []int64 {
	out := []int64{}
	for _, u := range ups {
		out = append(out, u.UpdateID)
	}
	return out
}

func TestGetUpdatesOffset(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	var first int64
	for i := range 5 {
		var u updateOut
		if err := json.Unmarshal(fake.SendFromUser(100, "anna", "messaggio"), &u); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = u.UpdateID
		}
	}
	if got := ids(getUpdates(t, base, map[string]any{})); len(got) != 5 || got[0] != first {
		t.Fatalf("all: %v", got)
	}
	// Unconfirmed updates come again; limit bounds the batch.
	if got := ids(getUpdates(t, base, map[string]any{"limit": 2})); !reflect.DeepEqual(got, []int64{first, first + 1}) {
		t.Errorf("limit: %v", got)
	}
	// An offset confirms every earlier update, which is forgotten.
	if got := ids(getUpdates(t, base, map[string]any{"offset": first + 3})); !reflect.DeepEqual(got, []int64{first + 3, first + 4}) {
		t.Errorf("offset: %v", got)
	}
	if got := ids(getUpdates(t, base, map[string]any{})); !reflect.DeepEqual(got, []int64{first + 3, first + 4}) {
		t.Errorf("after confirming: %v", got)
	}
	// A negative offset keeps the last ones.
	fake.SendFromUser(100, "anna", "ancora")
	if got := ids(getUpdates(t, base, map[string]any{"offset": -1})); !reflect.DeepEqual(got, []int64{first + 5}) {
		t.Errorf("offset -1: %v", got)
	}
	if got := ids(getUpdates(t, base, map[string]any{"offset": first + 6})); len(got) != 0 || fake.PendingUpdates() != 0 {
		t.Errorf("all confirmed: %v, pending %d", got, fake.PendingUpdates())
	}
}

func TestGetUpdatesAllowed(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	// By default everything but chat_member and reactions.
	fake.QueueUpdate("channel_post", map[string]any{"message_id": 1})
	fake.QueueUpdate("chat_member", map[string]any{})
	if n := fake.PendingUpdates(); n != 1 {
		t.Errorf("default: %d pending", n)
	}
	// Unreadable or unknown lists change nothing.
	for _, v := range []any{"not json", []any{1}, map[string]any{}} {
		getUpdates(t, base, map[string]any{"allowed_updates": v})
		fake.QueueUpdate("edited_message", map[string]any{})
	}
	if n := fake.PendingUpdates(); n != 4 {
		t.Errorf("after bad lists: %d pending", n)
	}
	getUpdates(t, base, map[string]any{"offset": -1, "allowed_updates": []string{"message", "CALLBACK_QUERY", "nonsense"}})
	body := fake.QueueUpdate("edited_message", map[string]any{})
	if n := fake.PendingUpdates(); n != 1 || !strings.Contains(string(body), `"edited_message":{}`) {
		t.Errorf("edits queued: %d pending, %s", n, body)
	}
	fake.SendFromUser(7, "", "ciao")
	fake.PressButton(7, 1, "x")
	if n := fake.PendingUpdates(); n != 3 {
		t.Errorf("allowed: %d pending", n)
	}
	// An empty list is the default again.
	getUpdates(t, base, map[string]any{"allowed_updates": []string{}})
	fake.QueueUpdate("edited_message", map[string]any{})
	if n := fake.PendingUpdates(); n != 4 {
		t.Errorf("default again: %d pending", n)
	}
}

func TestWebhook(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	fake.SendFromUser(7, "", "ciao")
	tests := []struct {
		params map[string]any
		desc   string
	}{
		{map[string]any{"url": "http://piazza.example.it/hook"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
		{map[string]any{"url": "https://piazza.example.it:8080/hook"},
			"Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"},
		{map[string]any{"url": "https://"}, "Bad Request: invalid webhook URL specified"},
		{map[string]any{"url": "https://piazza.example.it/hook", "secret_token": "a b"},
			"Bad Request: secret token contains unallowed characters"},
		{map[string]any{"url": "https://piazza.example.it/hook", "secret_token": strings.Repeat("a", 257)},
			"Bad Request: secret token is too long"},
	}
	for _, tt := range tests {
		if status, a := postJSON(t, base, "setWebhook", tt.params); status != 400 || a.Description != tt.desc {
			t.Errorf("%v: %d %q", tt.params, status, a.Description)
		}
	}
	if u, _ := fake.Webhook(); u != "" {
		t.Fatalf("webhook %q after refusals", u)
	}

	status, a := postJSON(t, base, "setWebhook", map[string]any{"url": "piazza.example.it:8443/telegram/hook",
		"secret_token": "Abc_123-x", "allowed_updates": []string{"message", "callback_query"}})
	if status != 200 || string(a.Result) != "true" {
		t.Fatalf("setWebhook: %d %s", status, a.Description)
	}
	if u, s := fake.Webhook(); u != "https://piazza.example.it:8443/telegram/hook" || s != "Abc_123-x" {
		t.Errorf("webhook %q %q", u, s)
	}
	status, a = postJSON(t, base, "getUpdates", map[string]any{})
	if status != 409 || a.Description !=
		"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Errorf("getUpdates with a webhook: %d %q", status, a.Description)
	}
	_, a = postJSON(t, base, "getWebhookInfo", nil)
	var info struct {
		URL            string   `json:"url"`
		Pending        int      `json:"pending_update_count"`
		AllowedUpdates []string `json:"allowed_updates"`
	}
	if err := json.Unmarshal(a.Result, &info); err != nil || info.URL != "https://piazza.example.it:8443/telegram/hook" ||
		info.Pending != 1 || !reflect.DeepEqual(info.AllowedUpdates, []string{"message", "callback_query"}) {
		t.Errorf("info %+v %v", info, err)
	}

	if status, a := postJSON(t, base, "deleteWebhook", map[string]any{"drop_pending_updates": true}); status != 200 {
		t.Fatalf("deleteWebhook: %d %s", status, a.Description)
	}
	if u, s := fake.Webhook(); u != "" || s != "" || fake.PendingUpdates() != 0 {
		t.Errorf("after delete: %q %q, %d pending", u, s, fake.PendingUpdates())
	}
	if got := getUpdates(t, base, map[string]any{}); len(got) != 0 {
		t.Errorf("dropped updates came back: %v", ids(got))
	}
	// An empty url removes the webhook too.
	postJSON(t, base, "setWebhook", map[string]any{"url": "https://piazza.example.it/hook"})
	postJSON(t, base, "setWebhook", map[string]any{"url": ""})
	if u, _ := fake.Webhook(); u != "" {
		t.Errorf("webhook %q", u)
	}
}

func TestPrivateChats(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	var u struct {
		Message struct {
			MessageID int64 `json:"message_id"`
			From      struct {
				ID        int64  `json:"id"`
				IsBot     bool   `json:"is_bot"`
				FirstName string `json:"first_name"`
				Username  string `json:"username"`
				Lang      string `json:"language_code"`
			} `json:"from"`
			Chat struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"chat"`
			Date int64  `json:"date"`
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(fake.SendFromUser(555, "gino", "Buongiorno"), &u); err != nil {
		t.Fatal(err)
	}
	m := u.Message
	if m.MessageID != 1 || m.From.ID != 555 || m.From.IsBot || m.From.Username != "gino" || m.From.FirstName == "" ||
		m.Chat.ID != 555 || m.Chat.Type != "private" || m.Date == 0 || m.Text != "Buongiorno" {
		t.Errorf("update %+v", m)
	}

	status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 555, "text": "Risposta &amp; saluti",
		"parse_mode": "HTML", "reply_parameters": map[string]any{"message_id": 1}})
	if status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	var sent struct {
		MessageID int64 `json:"message_id"`
		From      struct {
			IsBot bool `json:"is_bot"`
		} `json:"from"`
		SenderChat     *json.RawMessage `json:"sender_chat"`
		ReplyToMessage struct {
			MessageID int64  `json:"message_id"`
			Text      string `json:"text"`
		} `json:"reply_to_message"`
	}
	if err := json.Unmarshal(a.Result, &sent); err != nil || sent.MessageID != 2 || !sent.From.IsBot || sent.SenderChat != nil ||
		sent.ReplyToMessage.MessageID != 1 || sent.ReplyToMessage.Text != "Buongiorno" {
		t.Errorf("sent %s (%v)", a.Result, err)
	}
	// A chat the fake never saw: a private chat is there once the user wrote.
	if status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": "777", "text": "x"}); status != 200 {
		t.Errorf("unseen user: %d %s", status, a.Description)
	}
	msgs := fake.Messages()
	if len(msgs) != 3 || msgs[0].From != 555 || msgs[0].Chat != "555" || msgs[1].From != 0 || msgs[1].ReplyTo != 1 ||
		msgs[1].Text != "Risposta & saluti" || msgs[2].Chat != "777" {
		t.Errorf("messages %+v", msgs)
	}
	if n := len(fake.Received()); n != 0 {
		t.Errorf("answers listed as %d posts", n)
	}

	tests := []struct {
		name   string
		method string
		params map[string]any
		status int
		desc   string
	}{
		{"reply to nothing", "sendMessage", map[string]any{"chat_id": 555, "text": "x",
			"reply_parameters": map[string]any{"message_id": 99}}, 400, "Bad Request: message to be replied not found"},
		{"legacy reply to nothing", "sendMessage", map[string]any{"chat_id": 555, "text": "x", "reply_to_message_id": 99},
			400, "Bad Request: message to be replied not found"},
		{"reply parameters not JSON", "sendMessage", map[string]any{"chat_id": 555, "text": "x",
			"reply_parameters": "{"}, 400, "Bad Request: can't parse reply parameters JSON object"},
		{"reply parameters not an object", "sendMessage", map[string]any{"chat_id": 555, "text": "x",
			"reply_parameters": []int{1}}, 400, "Bad Request: object expected as reply parameters"},
		{"edit the user's message", "editMessageText", map[string]any{"chat_id": 555, "message_id": 1, "text": "y"},
			400, "Bad Request: message can't be edited"},
		{"a group is unknown", "sendMessage", map[string]any{"chat_id": -4001, "text": "x"}, 400, "Bad Request: chat not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, a := postJSON(t, base, tt.method, tt.params); status != tt.status || a.Description != tt.desc {
				t.Errorf("%d %q", status, a.Description)
			}
		})
	}
	// Without a reply allowed, the answer goes out all the same.
	if status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 555, "text": "x",
		"reply_parameters": map[string]any{"message_id": 99, "allow_sending_without_reply": true}}); status != 200 {
		t.Errorf("allow_sending_without_reply: %d %s", status, a.Description)
	}
	// The bot may delete what the user wrote; the channel posts are untouched.
	if status, a := postJSON(t, base, "deleteMessage", map[string]any{"chat_id": 555, "message_id": 1}); status != 200 {
		t.Errorf("delete: %d %s", status, a.Description)
	}

	fake.Block(555)
	if status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": 555, "text": "x"}); status != 403 ||
		a.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("blocked: %d %q", status, a.Description)
	}
}

func TestPressButton(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{})
	postJSON(t, base, "sendMessage", map[string]any{"chat_id": 31, "text": "Quali allerte?"})
	var u struct {
		UpdateID      int64 `json:"update_id"`
		CallbackQuery struct {
			ID   string `json:"id"`
			From struct {
				ID int64 `json:"id"`
			} `json:"from"`
			Message struct {
				MessageID int64  `json:"message_id"`
				Text      string `json:"text"`
				Date      int64  `json:"date"`
			} `json:"message"`
			Data string `json:"data"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(fake.PressButton(31, 1, "sub:meteo"), &u); err != nil {
		t.Fatal(err)
	}
	cq := u.CallbackQuery
	if cq.ID == "" || cq.From.ID != 31 || cq.Message.MessageID != 1 || cq.Message.Text != "Quali allerte?" ||
		cq.Message.Date == 0 || cq.Data != "sub:meteo" {
		t.Errorf("callback %+v", cq)
	}
	if got := getUpdates(t, base, nil); len(got) != 1 || got[0].UpdateID != u.UpdateID {
		t.Errorf("queued %v", ids(got))
	}
}
