// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

// Updates shaped as the Bot API sends them (https://core.telegram.org/bots/api#update),
// with the fields Piazza does not read left in.
var (
	updText = `{"update_id":812345601,"message":{"message_id":57,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria","last_name":"Rossi","username":"mariarossi","language_code":"it"},` +
		`"chat":{"id":123456789,"first_name":"Maria","last_name":"Rossi","username":"mariarossi","type":"private"},` +
		`"date":1763890200,"text":"Buongiorno, il lampione in via Roma 12 è spento da tre giorni <sic> & nessuno interviene"}}`
	updPhoto = `{"update_id":812345602,"message":{"message_id":58,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria","language_code":"it"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},` +
		`"date":1763890260,"photo":[` +
		`{"file_id":"AgACAgQAAxkBAAM6small","file_unique_id":"AQADs","file_size":1210,"width":90,"height":67},` +
		`{"file_id":"AgACAgQAAxkBAAM6large","file_unique_id":"AQADl","file_size":98012,"width":1280,"height":960},` +
		`{"file_id":"AgACAgQAAxkBAAM6medium","file_unique_id":"AQADm","file_size":22000,"width":320,"height":240}],` +
		`"caption":"Ecco la buca","caption_entities":[]}}`
	updLocation = `{"update_id":812345603,"message":{"message_id":59,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},"date":1763890300,` +
		`"location":{"latitude":45.464211,"longitude":9.191383,"horizontal_accuracy":12.5}}}`
	updDocument = `{"update_id":812345604,"message":{"message_id":60,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},"date":1763890400,` +
		`"document":{"file_name":"segnalazione.pdf","mime_type":"application/pdf","file_id":"BQACAgQAAxkBdoc",` +
		`"file_unique_id":"AgADdoc","file_size":51234},"caption":"Il modulo compilato"}}`
	updVoice = `{"update_id":812345605,"message":{"message_id":61,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},"date":1763890500,` +
		`"reply_to_message":{"message_id":56,"from":{"id":7000000001,"is_bot":true,"first_name":"Comune"},` +
		`"chat":{"id":123456789,"type":"private"},"date":1763890000,"text":"Come possiamo aiutarla?"},` +
		`"voice":{"duration":4,"mime_type":"audio/ogg","file_id":"AwACAgQAAxkBvoice","file_unique_id":"AgADv","file_size":9000}}}`
	updVideo = `{"update_id":812345606,"message":{"message_id":62,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},"date":1763890600,` +
		`"video":{"duration":7,"width":720,"height":1280,"file_name":"allagamento.mp4","mime_type":"video/mp4",` +
		`"file_id":"BAACAgQAAxkBvideo","file_unique_id":"AgADvid","file_size":2048000}}}`
	updCommand = `{"update_id":812345607,"message":{"message_id":63,"from":{"id":987654321,"is_bot":false,` +
		`"first_name":"Luca","username":"luca_b","language_code":"en"},` +
		`"chat":{"id":987654321,"first_name":"Luca","username":"luca_b","type":"private"},"date":1763890700,` +
		`"text":"/start allerte","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}`
	updCallback = `{"update_id":812345608,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":987654321,` +
		`"is_bot":false,"first_name":"Luca","username":"luca_b","language_code":"en"},` +
		`"message":{"message_id":64,"from":{"id":7000000001,"is_bot":true,"first_name":"Comune","username":"comune_bot"},` +
		`"chat":{"id":987654321,"first_name":"Luca","type":"private"},"date":1763890710,"text":"Quali allerte?"},` +
		`"chat_instance":"-4318472047320","data":"sub:meteo"}}`
	updGroup = `{"update_id":812345609,"message":{"message_id":1201,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":-1001987654321,"title":"Vallebella in comune","type":"supergroup"},` +
		`"date":1763890800,"text":"ciao a tutti"}}`
	updChannelPost = `{"update_id":812345610,"channel_post":{"message_id":88,"sender_chat":{"id":-1001234567890,` +
		`"title":"Comune di Vallebella","type":"channel"},"chat":{"id":-1001234567890,"title":"Comune di Vallebella",` +
		`"type":"channel"},"date":1763890900,"text":"Avviso"}}`
	updEdited = `{"update_id":812345611,"edited_message":{"message_id":57,"from":{"id":123456789,"is_bot":false,` +
		`"first_name":"Maria"},"chat":{"id":123456789,"first_name":"Maria","type":"private"},"date":1763890200,` +
		`"edit_date":1763890999,"text":"Buongiorno, il lampione in via Roma 14 è spento"}}`
	updMember = `{"update_id":812345612,"my_chat_member":{"chat":{"id":123456789,"first_name":"Maria","type":"private"},` +
		`"from":{"id":123456789,"is_bot":false,"first_name":"Maria"},"date":1763891000,` +
		`"old_chat_member":{"user":{"id":7000000001,"is_bot":true,"first_name":"Comune"},"status":"member"},` +
		`"new_chat_member":{"user":{"id":7000000001,"is_bot":true,"first_name":"Comune"},"status":"kicked","until_date":0}}}`
)

// updatePayloads are the seeds of FuzzParseUpdate too.
var updatePayloads = []string{updText, updPhoto, updLocation, updDocument, updVoice, updVideo, updCommand, updCallback,
	updGroup, updChannelPost, updEdited, updMember,
	`{}`, `null`, `[]`, `{"update_id":1}`, `{"update_id":1,"message":{}}`, `{"update_id":"1"}`,
	`{"update_id":2,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1}}`,
	`{"update_id":3,"callback_query":{"id":"x","from":{"id":5}}}`,
}

func TestParseUpdate(t *testing.T) {
	at := func(unix int64) time.Time { return time.Unix(unix, 0).UTC() }
	maria := func(in channel.Inbound) channel.Inbound {
		in.Thread, in.Visibility, in.AuthorID, in.AuthorName = "123456789", channel.Private, "123456789", "Maria"
		id := strings.TrimPrefix(in.RemoteID, "123456789:")
		in.Raw = map[string]string{"chat_id": "123456789", "message_id": id}
		return in
	}
	tests := []struct {
		name   string
		body   string
		id     int64
		hasMsg bool
		msg    channel.Inbound
		cb     *telegram.Callback
	}{
		{"text", updText, 812345601, true, channel.Inbound{RemoteID: "123456789:57", Thread: "123456789",
			Visibility: channel.Private, AuthorID: "123456789", AuthorHandle: "@mariarossi", AuthorName: "Maria Rossi",
			Text: "Buongiorno, il lampione in via Roma 12 è spento da tre giorni <sic> & nessuno interviene",
			Lang: "it", At: at(1763890200), Raw: map[string]string{"chat_id": "123456789", "message_id": "57"}}, nil},
		{"photo with caption", updPhoto, 812345602, true, func() channel.Inbound {
			in := maria(channel.Inbound{RemoteID: "123456789:58", Text: "Ecco la buca", Lang: "it", At: at(1763890260),
				Attachments: []channel.Attachment{{Kind: "photo", RemoteID: "AgACAgQAAxkBAAM6large", ContentType: "image/jpeg"}}})
			return in
		}(), nil},
		{"location", updLocation, 812345603, true, maria(channel.Inbound{RemoteID: "123456789:59", At: at(1763890300),
			Attachments: []channel.Attachment{{Kind: "location", Name: "45.464211,9.191383"}}}), nil},
		{"document", updDocument, 812345604, true, maria(channel.Inbound{RemoteID: "123456789:60", Text: "Il modulo compilato",
			At: at(1763890400), Attachments: []channel.Attachment{{Kind: "document", RemoteID: "BQACAgQAAxkBdoc",
				ContentType: "application/pdf", Name: "segnalazione.pdf"}}}), nil},
		{"voice in reply", updVoice, 812345605, true, maria(channel.Inbound{RemoteID: "123456789:61", InReplyTo: "123456789:56",
			At: at(1763890500), Attachments: []channel.Attachment{{Kind: "voice", RemoteID: "AwACAgQAAxkBvoice",
				ContentType: "audio/ogg"}}}), nil},
		{"video", updVideo, 812345606, true, maria(channel.Inbound{RemoteID: "123456789:62", At: at(1763890600),
			Attachments: []channel.Attachment{{Kind: "video", RemoteID: "BAACAgQAAxkBvideo", ContentType: "video/mp4",
				Name: "allagamento.mp4"}}}), nil},
		{"command", updCommand, 812345607, true, channel.Inbound{RemoteID: "987654321:63", Thread: "987654321",
			Visibility: channel.Private, AuthorID: "987654321", AuthorHandle: "@luca_b", AuthorName: "Luca",
			Text: "/start allerte", Lang: "en", At: at(1763890700), Bot: true,
			Raw: map[string]string{"chat_id": "987654321", "message_id": "63"}}, nil},
		{"callback_query", updCallback, 812345608, true, channel.Inbound{RemoteID: "cb:4382bfdwdsb323b2d9",
			Thread: "987654321", Visibility: channel.Private, AuthorID: "987654321", AuthorHandle: "@luca_b",
			AuthorName: "Luca", Text: "sub:meteo", InReplyTo: "987654321:64", Lang: "en", Bot: true,
			Raw: map[string]string{"chat_id": "987654321", "message_id": "64", "callback_query_id": "4382bfdwdsb323b2d9"}},
			&telegram.Callback{ID: "4382bfdwdsb323b2d9", ChatID: 987654321, MessageID: 64, Data: "sub:meteo",
				From: telegram.Sender{ID: 987654321, Username: "luca_b", FirstName: "Luca", Lang: "en"}}},
		{"group message ignored", updGroup, 812345609, false, channel.Inbound{}, nil},
		{"channel post ignored", updChannelPost, 812345610, false, channel.Inbound{}, nil},
		{"edit ignored", updEdited, 812345611, false, channel.Inbound{}, nil},
		{"other update", updMember, 812345612, false, channel.Inbound{}, nil},
		{"no content", `{"update_id":2,"message":{"message_id":1,"from":{"id":5,"first_name":"A"},` +
			`"chat":{"id":5,"type":"private"},"date":1}}`, 2, true, channel.Inbound{RemoteID: "5:1", Thread: "5",
			Visibility: channel.Private, AuthorID: "5", AuthorName: "A", At: at(1),
			Raw: map[string]string{"chat_id": "5", "message_id": "1"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := telegram.ParseUpdate([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != tt.id || u.HasMsg != tt.hasMsg {
				t.Fatalf("id %d has %v, want %d %v", u.ID, u.HasMsg, tt.id, tt.hasMsg)
			}
			if !reflect.DeepEqual(u.Msg, tt.msg) {
				t.Errorf("msg\n got %+v\nwant %+v", u.Msg, tt.msg)
			}
			if !reflect.DeepEqual(u.Callback, tt.cb) {
				t.Errorf("callback %+v, want %+v", u.Callback, tt.cb)
			}
		})
	}
}

func TestParseUpdateRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"empty":                  ``,
		"not JSON":               `update_id=1`,
		"truncated":              updText[:len(updText)/2],
		"trailing data":          updText + `{}`,
		"null":                   `null`,
		"array":                  `[{"update_id":1}]`,
		"no update_id":           `{"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,"from":{"id":5}}}`,
		"update_id as string":    `{"update_id":"1"}`,
		"update_id fractional":   `{"update_id":1.5}`,
		"update_id too large":    `{"update_id":92233720368547758070}`,
		"message empty":          `{"update_id":1,"message":{}}`,
		"no message_id":          `{"update_id":1,"message":{"chat":{"id":5,"type":"private"},"date":1,"from":{"id":5}}}`,
		"no chat":                `{"update_id":1,"message":{"message_id":1,"date":1,"from":{"id":5}}}`,
		"chat without id":        `{"update_id":1,"message":{"message_id":1,"chat":{"type":"private"},"date":1,"from":{"id":5}}}`,
		"no date":                `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5}}}`,
		"private without from":   `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1}}`,
		"text not a string":      `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,"from":{"id":5},"text":3}}`,
		"photo not an array":     `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,"from":{"id":5},"photo":{}}}`,
		"edit without chat":      `{"update_id":1,"edited_message":{"message_id":1,"date":1}}`,
		"callback without id":    `{"update_id":1,"callback_query":{"from":{"id":5},"data":"x"}}`,
		"callback without from":  `{"update_id":1,"callback_query":{"id":"1","data":"x"}}`,
		"callback with bad chat": `{"update_id":1,"callback_query":{"id":"1","from":{"id":5},"message":{"chat":"x"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if u, err := telegram.ParseUpdate([]byte(body)); err == nil {
				t.Errorf("parsed %+v", u)
			}
		})
	}
}

func TestCheckSecret(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"s3cr3t_Token-1", "s3cr3t_Token-1", true},
		{"s3cr3t_Token-2", "s3cr3t_Token-1", false},
		{"s3cr3t_Token", "s3cr3t_Token-1", false},
		{"", "s3cr3t_Token-1", false},
		{"", "", false}, // no secret configured: nothing is trusted
		{"anything", "", false},
	}
	for _, tt := range tests {
		if got := telegram.CheckSecret(tt.got, tt.want); got != tt.ok {
			t.Errorf("CheckSecret(%q, %q) = %v", tt.got, tt.want, got)
		}
	}
}

// TestWebhookRoundTrip parses what the fake would post to a webhook.
func TestWebhookRoundTrip(t *testing.T) {
	fake := telegramtest.New(telegramtest.Options{})
	body := fake.Send(telegramtest.User{ID: 4242, FirstName: "Gino", LastName: "Bianchi", Username: "gino", Lang: "it"},
		"Quando passa la raccolta della carta?")
	u, err := telegram.ParseUpdate(body)
	if err != nil {
		t.Fatal(err)
	}
	want := channel.Inbound{RemoteID: "4242:1", Thread: "4242", Visibility: channel.Private, AuthorID: "4242",
		AuthorHandle: "@gino", AuthorName: "Gino Bianchi", Text: "Quando passa la raccolta della carta?", Lang: "it",
		Raw: map[string]string{"chat_id": "4242", "message_id": "1"}}
	u.Msg.At = time.Time{}
	if !u.HasMsg || !reflect.DeepEqual(u.Msg, want) {
		t.Errorf("got %+v", u.Msg)
	}
	cmd, err := telegram.ParseUpdate(fake.SendFromUser(4242, "", "/stop@piazza_sandbox_bot"))
	if err != nil || !cmd.Msg.Bot || cmd.ID != u.ID+1 || cmd.Msg.RemoteID != "4242:2" {
		t.Errorf("command %+v, %v", cmd, err)
	}
	var raw struct {
		Message struct {
			Entities []struct {
				Type   string `json:"type"`
				Length int    `json:"length"`
			} `json:"entities"`
		} `json:"message"`
	}
	if err := json.Unmarshal(fake.SendFromUser(4242, "", "/stop@piazza_sandbox_bot"), &raw); err != nil ||
		len(raw.Message.Entities) != 1 || raw.Message.Entities[0].Type != "bot_command" || raw.Message.Entities[0].Length != 24 {
		t.Errorf("command entities %+v, %v", raw, err)
	}
}

func TestPoll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	msgs, next, err := e.conn.Poll(ctx, e.acct, "")
	if err != nil || len(msgs) != 0 || next != "" {
		t.Fatalf("empty queue: %v %q %v", msgs, next, err)
	}
	first := e.fake.SendFromUser(111, "anna", "Buongiorno")
	e.fake.SendFromUser(222, "", "/start")
	e.fake.PressButton(222, 1, "sub:meteo")
	e.fake.SendFromUser(111, "anna", "C'è una buca in via Po")
	e.fake.QueueUpdate("channel_post", map[string]any{"message_id": 9, "date": 1,
		"chat": map[string]any{"id": -1001234567890, "type": "channel", "title": "Comune"}})
	e.fake.QueueUpdate("message", map[string]any{"message_id": 3, "date": 1, "from": map[string]any{"id": 333},
		"chat": map[string]any{"id": 333, "type": "private"}, "photo": []map[string]any{{"file_id": "AgAC1", "width": 10, "height": 10}}})
	first0, _ := telegram.ParseUpdate(first)

	msgs, next, err = e.conn.Poll(ctx, e.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.RemoteID+" "+m.Text)
	}
	want := []string{"111:1 Buongiorno", "111:2 C'è una buca in via Po", "333:3 "}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("desk messages %q, want %q", texts, want)
	}
	if next != strconv.FormatInt(first0.ID+6, 10) {
		t.Errorf("next cursor %q, first update %d", next, first0.ID)
	}
	reqs := e.rec.take()
	var p map[string]any
	if err := json.Unmarshal(reqs[len(reqs)-1].body, &p); err != nil {
		t.Fatal(err)
	}
	if _, ok := p["offset"]; ok || p["timeout"] != 0.0 || !reflect.DeepEqual(p["allowed_updates"], []any{"message", "callback_query"}) ||
		!strings.HasSuffix(reqs[len(reqs)-1].path, "/getUpdates") {
		t.Errorf("request %s %s", reqs[len(reqs)-1].path, reqs[len(reqs)-1].body)
	}

	// The cursor confirms: nothing again, and the fake forgets them.
	msgs, next2, err := e.conn.Poll(ctx, e.acct, next)
	if err != nil || len(msgs) != 0 || next2 != next || e.fake.PendingUpdates() != 0 {
		t.Errorf("second poll %v %q %v, pending %d", msgs, next2, err, e.fake.PendingUpdates())
	}
	e.fake.SendFromUser(111, "anna", "Grazie")
	msgs, next3, err := e.conn.Poll(ctx, e.acct, next)
	if err != nil || len(msgs) != 1 || msgs[0].Text != "Grazie" || next3 != strconv.FormatInt(first0.ID+7, 10) {
		t.Errorf("third poll %v %q %v", msgs, next3, err)
	}
	// Allowed updates are kept by the server: a channel post is no longer queued.
	e.fake.QueueUpdate("channel_post", map[string]any{"message_id": 10})
	if e.fake.PendingUpdates() != 1 { // "Grazie", not yet confirmed
		t.Errorf("pending %d", e.fake.PendingUpdates())
	}
}

func TestPollUpdates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	e.fake.SendFromUser(222, "luca", "/start")
	e.fake.PressButton(222, 99, "sub:meteo")
	e.fake.SendFromUser(222, "luca", "ciao")
	ups, next, err := e.conn.PollUpdates(ctx, e.acct, "")
	if err != nil || len(ups) != 3 {
		t.Fatalf("%v %v", ups, err)
	}
	if !ups[0].HasMsg || !ups[0].Msg.Bot || ups[0].Msg.Text != "/start" {
		t.Errorf("command %+v", ups[0])
	}
	// The button is on a message the bot never sent: Telegram gives an
	// inaccessible message, still with its chat and id.
	if cb := ups[1].Callback; cb == nil || cb.Data != "sub:meteo" || cb.ChatID != 222 || cb.MessageID != 99 ||
		cb.From.Username != "luca" || !ups[1].Msg.Bot {
		t.Errorf("callback %+v", ups[1])
	}
	if ups[2].Msg.Bot || ups[2].Msg.Text != "ciao" || next != strconv.FormatInt(ups[2].ID+1, 10) {
		t.Errorf("message %+v next %q", ups[2], next)
	}
}

func TestPollSkipsUnreadable(t *testing.T) {
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	e.fake.QueueUpdate("message", map[string]any{"text": "no ids"})
	e.fake.SendFromUser(5, "", "dopo")
	ups, next, err := e.conn.PollUpdates(context.Background(), e.acct, "")
	if err != nil || len(ups) != 1 || ups[0].Msg.Text != "dopo" || next != strconv.FormatInt(ups[0].ID+1, 10) {
		t.Errorf("%+v %q %v", ups, next, err)
	}
}

func TestPollErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	e.fake.SendFromUser(5, "", "ciao")

	// A bad cursor is refused before any call.
	for _, c := range []string{"abc", "-3", "0", "1.5"} {
		if _, next, err := e.conn.Poll(ctx, e.acct, c); channel.KindOf(err) != channel.Permanent || next != c {
			t.Errorf("cursor %q: %v", c, err)
		}
	}
	if n := len(e.rec.take()); n != 0 {
		t.Errorf("%d requests for bad cursors", n)
	}

	// A webhook makes getUpdates a conflict.
	if err := setWebhook(t, e, "https://piazza.example.it/telegram/hook", "abc"); err != nil {
		t.Fatal(err)
	}
	_, next, err := e.conn.Poll(ctx, e.acct, "7")
	ce := channel.AsError(err)
	if ce == nil || ce.Kind != channel.Permanent || ce.Status != http.StatusConflict || next != "7" ||
		ce.Message != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Errorf("webhook set: %v", err)
	}

	// A revoked token needs attention.
	bad := e.acct
	bad.Credentials = channel.Credentials{channel.CredToken: "123456:revoked"}
	if _, _, err := e.conn.Poll(ctx, bad, ""); channel.KindOf(err) != channel.Auth {
		t.Errorf("revoked token: %v", err)
	}

	// Polling only reads: an unreadable answer is worth retrying, where a
	// publication's would be Unknown.
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true,"result":[`))
	}))
	t.Cleanup(garbled.Close)
	down := e.acct
	down.BaseURL = garbled.URL
	if _, _, err := e.conn.Poll(ctx, down, ""); channel.KindOf(err) != channel.Retryable {
		t.Errorf("unreadable answer: %v", err)
	}
}

// setWebhook calls the fake's setWebhook as the lead's code would.
func setWebhook(t *testing.T, e *env, url, secret string) error {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"url": url, "secret_token": secret, "allowed_updates": telegram.AllowedUpdates})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/bot"+token+"/setWebhook", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setWebhook: %s", resp.Status)
	}
	if u, s := e.fake.Webhook(); u != url || s != secret {
		t.Fatalf("webhook %q %q", u, s)
	}
	return nil
}
