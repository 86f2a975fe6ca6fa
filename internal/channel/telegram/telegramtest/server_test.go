// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

const token = "42:fake-token"

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func newFake(t *testing.T, opts telegramtest.Options) (*telegramtest.Server, string) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	fake := telegramtest.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func do(t *testing.T, req *http.Request) (int, answer, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer is not JSON: %s", body)
	}
	if a.OK != (resp.StatusCode == 200) || (!a.OK && a.ErrorCode != resp.StatusCode) {
		t.Fatalf("envelope does not match status %d: %s", resp.StatusCode, body)
	}
	return resp.StatusCode, a, resp.Header
}

func postJSON(t *testing.T, base, method string, params any) (int, answer) {
	t.Helper()
	b, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/"+method, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	status, a, _ := do(t, req)
	return status, a
}

type part struct {
	name, filename, contentType string
	data                        []byte
}

func postMultipart(t *testing.T, base, method string, parts ...part) (int, answer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.filename == "" {
			_ = w.WriteField(p.name, string(p.data))
			continue
		}
		h := map[string][]string{
			"Content-Disposition": {fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename)},
			"Content-Type":        {p.contentType},
		}
		pw, _ := w.CreatePart(h)
		_, _ = pw.Write(p.data)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/"+method, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	status, a, _ := do(t, req)
	return status, a
}

var jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")

func TestRequestFormats(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	text := "a &lt;b&gt; <b>c</b>"
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"query string", func() *http.Request {
			q := url.Values{"chat_id": {"@canale"}, "text": {text}, "parse_mode": {"HTML"}}
			req, _ := http.NewRequest(http.MethodGet, base+"/bot"+token+"/sendMessage?"+q.Encode(), nil)
			return req
		}},
		{"urlencoded", func() *http.Request {
			q := url.Values{"chat_id": {"@canale"}, "text": {text}, "parse_mode": {"html"}}
			req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/SENDMESSAGE", strings.NewReader(q.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		}},
		{"json", func() *http.Request {
			b, _ := json.Marshal(map[string]any{"chat_id": "@CANALE", "text": text, "parse_mode": "HTML"})
			req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/sendMessage", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			return req
		}},
		{"multipart", func() *http.Request {
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			_ = w.WriteField("chat_id", "@canale")
			_ = w.WriteField("text", text)
			_ = w.WriteField("parse_mode", "HTML")
			_ = w.Close()
			req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/sendMessage", &b)
			req.Header.Set("Content-Type", w.FormDataContentType())
			return req
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a, _ := do(t, tt.req())
			if status != 200 {
				t.Fatalf("%d %s", status, a.Description)
			}
			var m struct {
				MessageID int64  `json:"message_id"`
				Text      string `json:"text"`
				Chat      struct {
					ID       int64  `json:"id"`
					Username string `json:"username"`
					Type     string `json:"type"`
				} `json:"chat"`
				Date int64 `json:"date"`
			}
			if err := json.Unmarshal(a.Result, &m); err != nil {
				t.Fatal(err)
			}
			if m.MessageID != int64(i+1) || m.Text != "a <b> c" || m.Chat.Username != "canale" || m.Chat.Type != "channel" ||
				m.Chat.ID != -1001000000001 || m.Date == 0 {
				t.Errorf("message %+v", m)
			}
		})
	}
	msgs := fake.Messages()
	if len(msgs) != 4 || msgs[0].HTML != text || msgs[0].Text != "a <b> c" || msgs[0].Chat != "@canale" {
		t.Errorf("messages %+v", msgs)
	}
}

func TestErrors(t *testing.T) {
	_, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}, Visible: []string{"@altrui"}})
	long := strings.Repeat("x", telegramtest.MaxText+1)
	tests := []struct {
		name   string
		method string
		params map[string]any
		status int
		desc   string
	}{
		{"empty text", "sendMessage", map[string]any{"chat_id": "@canale", "text": ""}, 400, "Bad Request: message text is empty"},
		{"blank text", "sendMessage", map[string]any{"chat_id": "@canale", "text": " \n "}, 400, "Bad Request: text must be non-empty"},
		{"too long", "sendMessage", map[string]any{"chat_id": "@canale", "text": long}, 400, "Bad Request: message is too long"},
		{"raw '<'", "sendMessage", map[string]any{"chat_id": "@canale", "text": "1 < 2", "parse_mode": "HTML"}, 400,
			`Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"parse mode", "sendMessage", map[string]any{"chat_id": "@canale", "text": "x", "parse_mode": "BBCode"}, 400,
			"Bad Request: unsupported parse_mode"},
		{"unknown chat", "sendMessage", map[string]any{"chat_id": "@nessuno", "text": "x"}, 400, "Bad Request: chat not found"},
		{"no chat", "sendMessage", map[string]any{"text": "x"}, 400, "Bad Request: chat_id is empty"},
		{"not a member", "sendMessage", map[string]any{"chat_id": "@altrui", "text": "x"}, 403,
			"Forbidden: bot is not a member of the channel chat"},
		{"no photo", "sendPhoto", map[string]any{"chat_id": "@canale"}, 400, "Bad Request: there is no photo in the request"},
		{"photo by URL", "sendPhoto", map[string]any{"chat_id": "@canale", "photo": "https://x.it/a.jpg"}, 400,
			"Bad Request: wrong file identifier/HTTP URL specified"},
		{"no media", "sendMediaGroup", map[string]any{"chat_id": "@canale"}, 400, `Bad Request: parameter "media" is required`},
		{"edit missing", "editMessageText", map[string]any{"chat_id": "@canale", "message_id": 99, "text": "x"}, 400,
			"Bad Request: message to edit not found"},
		{"delete missing", "deleteMessage", map[string]any{"chat_id": "@canale", "message_id": 99}, 400,
			"Bad Request: message to delete not found"},
		{"delete no id", "deleteMessage", map[string]any{"chat_id": "@canale"}, 400, "Bad Request: message identifier is not specified"},
		{"member of another", "getChatMember", map[string]any{"chat_id": "@canale", "user_id": 7}, 400, "Bad Request: user not found"},
		{"unknown method", "sendDice", map[string]any{}, 404, "Not Found: method not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a := postJSON(t, base, tt.method, tt.params)
			if status != tt.status || a.Description != tt.desc {
				t.Errorf("%d %q, want %d %q", status, a.Description, tt.status, tt.desc)
			}
		})
	}
	t.Run("tokens", func(t *testing.T) {
		for tok, want := range map[string]int{"42:other": 401, "nonsense": 404, "42:fake/token": 401} {
			req, _ := http.NewRequest(http.MethodGet, base+"/bot"+tok+"/getMe", nil)
			if status, a, _ := do(t, req); status != want {
				t.Errorf("token %q: %d %s", tok, status, a.Description)
			}
		}
	})
}

func TestMedia(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	mp4 := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	media := `[{"type":"photo","media":"attach://a","caption":"<i>festa</i> &amp; paese","parse_mode":"HTML"},` +
		`{"type":"video","media":"attach://b"}]`
	status, a := postMultipart(t, base, "sendMediaGroup", part{name: "chat_id", data: []byte("@canale")},
		part{name: "media", data: []byte(media)},
		part{name: "a", filename: "a.jpg", contentType: "image/jpeg", data: jpeg},
		part{name: "b", filename: "b.mp4", contentType: "video/mp4", data: mp4})
	if status != 200 {
		t.Fatalf("%d %s", status, a.Description)
	}
	var msgs []struct {
		MessageID    int64             `json:"message_id"`
		MediaGroupID string            `json:"media_group_id"`
		Caption      string            `json:"caption"`
		Photo        []json.RawMessage `json:"photo"`
		Video        json.RawMessage   `json:"video"`
	}
	if err := json.Unmarshal(a.Result, &msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].MessageID != 1 || msgs[1].MessageID != 2 || msgs[0].Caption != "festa & paese" ||
		msgs[0].MediaGroupID == "" || msgs[0].MediaGroupID != msgs[1].MediaGroupID || len(msgs[0].Photo) != 1 || msgs[1].Video == nil {
		t.Errorf("album %s", a.Result)
	}
	r := fake.Received()
	if len(r) != 1 || r[0].RemoteID != "1,2" || r[0].Text != "festa & paese" || len(r[0].Media) != 2 ||
		r[0].Media[0].ContentType != "image/jpeg" || r[0].Media[1].Bytes != len(mp4) || r[0].URL != "https://t.me/canale/1" {
		t.Errorf("received %+v", r)
	}

	tests := []struct {
		name   string
		method string
		parts  []part
		desc   string
	}{
		{"not an image", "sendPhoto", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "photo", filename: "x.jpg", contentType: "image/jpeg", data: []byte("hello")}}, "Bad Request: IMAGE_PROCESS_FAILED"},
		{"empty file", "sendPhoto", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "photo", filename: "x.jpg", contentType: "image/jpeg"}}, "Bad Request: file must be non-empty"},
		{"photo too big", "sendPhoto", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "photo", filename: "x.jpg", contentType: "image/jpeg", data: append(jpeg, make([]byte, telegramtest.MaxPhotoBytes)...)}},
			fmt.Sprintf("Bad Request: file of size %d bytes is too big for a photo; the maximum size is 10485760 bytes", len(jpeg)+telegramtest.MaxPhotoBytes)},
		{"caption too long", "sendVideo", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "caption", data: []byte(strings.Repeat("è", telegramtest.MaxCaption+1))},
			{name: "video", filename: "v.mp4", contentType: "video/mp4", data: mp4}}, "Bad Request: message caption is too long"},
		{"missing attachment", "sendMediaGroup", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "media", data: []byte(`[{"type":"photo","media":"attach://zzz"}]`)}}, "Bad Request: can't parse InputMedia: media not found"},
		{"album caption markup", "sendMediaGroup", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "media", data: []byte(`[{"type":"photo","media":"attach://a","caption":"<x>","parse_mode":"HTML"}]`)},
			{name: "a", filename: "a.jpg", contentType: "image/jpeg", data: jpeg}},
			`Bad Request: can't parse InputMedia: Can't parse entities: Unsupported start tag "x" at byte offset 0`},
		{"eleven", "sendMediaGroup", []part{{name: "chat_id", data: []byte("@canale")},
			{name: "media", data: []byte("[" + strings.TrimSuffix(strings.Repeat(`{"type":"photo","media":"attach://a"},`, 11), ",") + "]")},
			{name: "a", filename: "a.jpg", contentType: "image/jpeg", data: jpeg}}, "Bad Request: too many messages to send as an album"},
		{"not json", "sendMediaGroup", []part{{name: "chat_id", data: []byte("@canale")}, {name: "media", data: []byte("[")}},
			"Bad Request: can't parse media JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a := postMultipart(t, base, tt.method, tt.parts...)
			if status != 400 || a.Description != tt.desc {
				t.Errorf("%d %q, want %q", status, a.Description, tt.desc)
			}
		})
	}

	// Captions are edited on media, texts on text messages only.
	if _, a := postJSON(t, base, "editMessageText", map[string]any{"chat_id": "@canale", "message_id": 1, "text": "x"}); a.Description != "Bad Request: there is no text in the message to edit" {
		t.Errorf("edit text of a photo: %s", a.Description)
	}
	if _, a := postJSON(t, base, "editMessageCaption", map[string]any{"chat_id": "@canale", "message_id": 1, "caption": "<i>festa</i> &amp; paese", "parse_mode": "HTML"}); !strings.HasPrefix(a.Description, "Bad Request: message is not modified") {
		t.Errorf("same caption: %s", a.Description)
	}
	if status, a := postJSON(t, base, "deleteMessage", map[string]any{"chat_id": "@canale", "message_id": 1}); status != 200 || string(a.Result) != "true" {
		t.Errorf("delete: %d %s", status, a.Description)
	}
	if fake.Received()[0].Deleted {
		t.Errorf("an album is deleted only when all its messages are")
	}
	postJSON(t, base, "deleteMessage", map[string]any{"chat_id": "@canale", "message_id": 2})
	if !fake.Received()[0].Deleted {
		t.Errorf("album not deleted")
	}
}

func TestFaultsAndLost(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{Channels: []string{"@canale"}})
	send := map[string]any{"chat_id": "@canale", "text": "x"}

	fake.Inject(channeltest.FaultRateLimit, 1)
	b, _ := json.Marshal(send)
	req, _ := http.NewRequest(http.MethodPost, base+"/bot"+token+"/sendMessage", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	status, a, h := do(t, req)
	if status != 429 || a.Parameters.RetryAfter != 1 || h.Get("Retry-After") != "1" || a.Description != "Too Many Requests: retry after 1" {
		t.Errorf("rate limit: %d %+v %v", status, a, h)
	}
	// Reads are never faulted.
	fake.Inject(channeltest.FaultServer, 1)
	if status, a := postJSON(t, base, "getMe", nil); status != 200 {
		t.Errorf("getMe faulted: %s", a.Description)
	}
	if status, _ := postJSON(t, base, "sendMessage", send); status != 500 {
		t.Errorf("server fault: %d", status)
	}

	fake.Inject(channeltest.FaultLost, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+token+"/sendMessage", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a lost answer arrived")
	}
	if n := len(fake.Received()); n != 1 {
		t.Errorf("the lost post should exist: %d", n)
	}
	// httptest's Close (at cleanup) waits for the blocked handler: it must
	// have returned with the client's context.
}

func TestConcurrentIDs(t *testing.T) {
	fake, base := newFake(t, telegramtest.Options{})
	const workers, each = 50, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ch := fmt.Sprintf("@canale%d", w%5)
				status, a := postJSON(t, base, "sendMessage", map[string]any{"chat_id": ch, "text": fmt.Sprintf("%d-%d", w, i)})
				if status != 200 {
					t.Errorf("%d %s", status, a.Description)
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]map[int64]bool{}
	for _, m := range fake.Messages() {
		if seen[m.Chat] == nil {
			seen[m.Chat] = map[int64]bool{}
		}
		if seen[m.Chat][m.ID] {
			t.Fatalf("id %d twice in %s", m.ID, m.Chat)
		}
		seen[m.Chat][m.ID] = true
	}
	if len(seen) != 5 {
		t.Fatalf("%d chats", len(seen))
	}
	for ch, ids := range seen {
		for id := int64(1); id <= workers*each/5; id++ {
			if !ids[id] {
				t.Errorf("%s lacks id %d", ch, id)
			}
		}
	}
	if n := len(fake.Received()); n != workers*each {
		t.Errorf("received %d", n)
	}
}
