// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/web"
)

// postHook sends a webhook body with its headers, as a platform would.
func postHook(t *testing.T, target string, body []byte, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func countMessages(t *testing.T, db *store.DB, accountID string) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_messages WHERE channel_key = $1 AND direction = 'in'`, accountID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A citizen writes to the bot; the webhook is checked, the message is
// stored once, triaged and routed; a community manager answers from the
// conversation page and the answer reaches the citizen's chat.
func TestDeskTelegramNight(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		const token, secret = "987654:bot-dello-sportello", "segreto-del-webhook-1234"
		tg := telegramtest.New(telegramtest.Options{Token: token})
		tsrv := httptest.NewServer(tg)
		t.Cleanup(tsrv.Close)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Bot sportello",
			Handle: "@sportello_test", BaseURL: tsrv.URL, Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: token, web.CredWebhookSecret: secret}})
		if err != nil {
			t.Fatal(err)
		}
		// On PostgreSQL the demo organisation is shared by the package's
		// tests: the account must not receive their posts once its fake stops.
		t.Cleanup(func() { _ = in.App.Publish.SetAccountStatus(ctx, o.ID, acct.ID, publish.AccountDisabled) })
		hook := in.URL + "/o/demo/hooks/telegram/" + acct.ID
		body := tg.SendFromUser(4242, "mario_rossi", "C'è un albero caduto in via Roma, blocca la strada! <script>alert(1)</script> javascript:alert(2)")

		// Forged or missing secret: 401 and nothing stored.
		if code := postHook(t, hook, body, nil); code != http.StatusUnauthorized {
			t.Errorf("no secret: %d", code)
		}
		if code := postHook(t, hook, body, map[string]string{"X-Telegram-Bot-Api-Secret-Token": "sbagliato"}); code != http.StatusUnauthorized {
			t.Errorf("wrong secret: %d", code)
		}
		if n := countMessages(t, in.App.DB, acct.ID); n != 0 {
			t.Fatalf("stored %d messages from forged calls", n)
		}
		auth := map[string]string{"X-Telegram-Bot-Api-Secret-Token": secret}
		// Malformed: 400, nothing stored.
		if code := postHook(t, hook, []byte(`{"update_id": "x"`), auth); code != http.StatusBadRequest {
			t.Errorf("malformed: %d", code)
		}
		// The real thing, delivered twice (Telegram retries): stored once.
		for range 2 {
			if code := postHook(t, hook, body, auth); code != http.StatusOK {
				t.Fatalf("webhook: %d", code)
			}
		}
		if n := countMessages(t, in.App.DB, acct.ID); n != 1 {
			t.Fatalf("stored %d messages, want 1", n)
		}
		// A command goes to the alert subscriptions, not to the desk.
		if code := postHook(t, hook, tg.SendFromUser(4242, "mario_rossi", "/start"), auth); code != http.StatusOK {
			t.Fatalf("command: %d", code)
		}
		if n := countMessages(t, in.App.DB, acct.ID); n != 1 {
			t.Fatalf("a bot command reached the desk (%d messages)", n)
		}

		page, err := in.App.Desk.List(ctx, o.ID, desk.Filter{Scope: desk.Scope{All: true}, Source: "telegram", Status: "open"})
		if err != nil {
			t.Fatal(err)
		}
		var conv desk.Conversation
		for _, c := range page.Conversations {
			if c.AccountID == acct.ID {
				conv = c
			}
		}
		if conv.ID == "" {
			t.Fatal("the conversation is not in the open queue")
		}
		if conv.AuthorHandle != "@mario_rossi" || conv.Labels.Category == "" || conv.DueAt.IsZero() {
			t.Errorf("conversation: %+v", conv)
		}
		// A road blocked by a fallen tree is urgent: the citizen gets the
		// emergency number at once, before anyone reads.
		if conv.Urgent() {
			deadline := time.Now().Add(15 * time.Second)
			for !slices.ContainsFunc(tg.Messages(), func(m telegramtest.Message) bool { return m.Chat == "4242" && strings.Contains(m.Text, "112") }) {
				if time.Now().After(deadline) {
					t.Fatal("no automatic answer with 112 for an urgent message")
				}
				time.Sleep(100 * time.Millisecond)
			}
		}

		cm := newClient(t, in.URL)
		cm.login("community@demo.piazza.test")
		code, html := cm.get("/desk?view=open")
		if code != 200 || !strings.Contains(html, "conv-"+conv.ID) {
			t.Fatalf("inbox: %d, conversation listed %v", code, strings.Contains(html, "conv-"+conv.ID))
		}
		code, html = cm.get("/desk/c/" + conv.ID)
		if code != 200 {
			t.Fatalf("conversation page: %d", code)
		}
		// Citizen text is escaped, never markup.
		if strings.Contains(html, "<script>alert(1)</script>") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("citizen text not escaped on the conversation page")
		}
		if regexp.MustCompile(`href="javascript:`).MatchString(html) {
			t.Error("a javascript: link became a link")
		}

		// The answer goes back to the citizen's own chat.
		code, _, loc := cm.post("/desk/c/"+conv.ID+"/reply", url.Values{"text": {"Grazie, la squadra è in arrivo. Per pericoli chiama il 112."}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "flash.desk_replied") {
			t.Fatalf("reply: %d %s", code, loc)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			var got *telegramtest.Message
			for _, m := range tg.Messages() {
				if m.Chat == "4242" && m.From == 0 && strings.Contains(m.Text, "squadra") {
					got = &m
				}
			}
			if got != nil {
				if !strings.Contains(got.Text, "squadra è in arrivo") || got.ReplyTo == 0 {
					t.Errorf("reply on Telegram: %+v", *got)
				}
				break
			}
			if time.Now().After(deadline) {
				_, msgs, _ := in.App.Desk.Get(ctx, o.ID, conv.ID, desk.Scope{All: true})
				t.Fatalf("the reply never reached Telegram: %+v", msgs)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Once sent, the page says so and the conversation is answered.
		deadline = time.Now().Add(10 * time.Second)
		for {
			c, msgs, err := in.App.Desk.Get(ctx, o.ID, conv.ID, desk.Scope{All: true})
			if err != nil {
				t.Fatal(err)
			}
			last := msgs[len(msgs)-1]
			if last.State == desk.StateSent {
				if c.Status != desk.StatusAnswered || c.FirstResponseAt.IsZero() {
					t.Errorf("after the reply: status %s, first response %v", c.Status, c.FirstResponseAt)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("reply state %s (%s)", last.State, last.Error)
			}
			time.Sleep(100 * time.Millisecond)
		}

		// A guest author cannot read the desk.
		guest := newClient(t, in.URL)
		guest.login("ospite@demo.piazza.test")
		if code, _ := guest.get("/desk/c/" + conv.ID); code != http.StatusForbidden {
			t.Errorf("guest reads a conversation: %d", code)
		}
	})
}

// Meta webhooks: the subscription challenge, and signatures checked
// before anything is stored.
func TestDeskMetaWebhook(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		const appSecret, verify = "app-secret-del-comune", "verifica-123"
		pageID := "1" + strings.Repeat("7", 14)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Facebook, Name: "Pagina test",
			Handle: pageID, BaseURL: "http://127.0.0.1:1", Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: "page-token", web.CredAppSecret: appSecret, web.CredVerifyToken: verify}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = in.App.Publish.SetAccountStatus(ctx, o.ID, acct.ID, publish.AccountDisabled) })
		hook := in.URL + "/o/demo/hooks/meta"
		resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=" + verify + "&hub.challenge=1158201444")
		if err != nil {
			t.Fatal(err)
		}
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || b.String() != "1158201444" {
			t.Errorf("challenge: %d %q", resp.StatusCode, b.String())
		}
		if resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1"); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("wrong verify token accepted")
		} else {
			_ = resp.Body.Close()
		}

		payload := []byte(`{"object":"page","entry":[{"id":"` + pageID + `","time":1764950400,"changes":[{"field":"feed","value":{"item":"comment",
			"verb":"add","comment_id":"` + pageID + `_555_777","post_id":"` + pageID + `_555","parent_id":"` + pageID + `_555",
			"from":{"id":"31415","name":"Giulia Bianchi"},"message":"Quando riapre la biblioteca di quartiere?","created_time":1764950400}}]}]}`)
		if code := postHook(t, hook, payload, map[string]string{"X-Hub-Signature-256": facebooktest.Sign(payload, "forged")}); code != http.StatusUnauthorized {
			t.Errorf("forged signature: %d", code)
		}
		if code := postHook(t, hook, payload, nil); code != http.StatusUnauthorized {
			t.Errorf("no signature: %d", code)
		}
		if n := countMessages(t, in.App.DB, acct.ID); n != 0 {
			t.Fatalf("stored %d from forged calls", n)
		}
		sig := map[string]string{"X-Hub-Signature-256": facebooktest.Sign(payload, appSecret)}
		for range 2 {
			if code := postHook(t, hook, payload, sig); code != http.StatusOK {
				t.Fatalf("signed webhook: %d", code)
			}
		}
		if n := countMessages(t, in.App.DB, acct.ID); n != 1 {
			t.Fatalf("stored %d, want 1", n)
		}
		bad := []byte(`{"object":"page","entry":`)
		if code := postHook(t, hook, bad, map[string]string{"X-Hub-Signature-256": facebooktest.Sign(bad, appSecret)}); code != http.StatusBadRequest {
			t.Errorf("malformed: %d", code)
		}
	})
}

// The public web form: honeypot, privacy, the status link.
func TestDeskWebForm(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		anon := newClient(t, in.URL)
		code, html := anon.get("/o/demo/segnala")
		if code != 200 || !strings.Contains(html, `name="website"`) || !strings.Contains(html, "112") {
			t.Fatalf("form: %d", code)
		}
		nonce := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(html)
		if nonce == nil {
			t.Fatal("no nonce")
		}
		text := "Lampione spento in via Verdi 12 da una settimana <img src=x onerror=alert(1)>"
		// A bot fills the honeypot: thanked, nothing stored.
		code, _, _ = anon.post("/o/demo/segnala", url.Values{"text": {text}, "website": {"http://spam.example"}, "privacy": {"1"}, "nonce": {"bot-" + nonce[1]}})
		if code != 200 {
			t.Errorf("honeypot: %d", code)
		}
		var n int
		if err := in.App.DB.Read.QueryRow(`SELECT COUNT(*) FROM desk_messages WHERE remote_id = $1`, "bot-"+nonce[1]).Scan(&n); err != nil || n != 0 {
			t.Errorf("honeypot stored %d (%v)", n, err)
		}
		// Without the privacy acknowledgement: refused in words, text kept.
		code, html, _ = anon.post("/o/demo/segnala", url.Values{"text": {text}, "nonce": {nonce[1]}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(html, "f-privacy-err") || !strings.Contains(html, "Lampione spento") {
			t.Errorf("privacy missing: %d", code)
		}
		code, _, loc := anon.post("/o/demo/segnala", url.Values{"text": {text}, "privacy": {"1"}, "nonce": {nonce[1]}, "contact": {"cittadino@example.org"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "/o/demo/richieste/") {
			t.Fatalf("submit: %d %s", code, loc)
		}
		// The same nonce again (a double click, or someone replaying it) is
		// thanked without the status link.
		code, html, again := anon.post("/o/demo/segnala", url.Values{"text": {"altro testo"}, "privacy": {"1"}, "nonce": {nonce[1]}})
		if code != http.StatusOK || again != "" || strings.Contains(html, "/richieste/") {
			t.Errorf("replayed nonce: %d %q", code, again)
		}
		code, html = anon.get(loc)
		if code != 200 || !strings.Contains(html, "Lampione spento") || strings.Contains(html, "<img src=x") {
			t.Fatalf("status page: %d, escaped %v", code, !strings.Contains(html, "<img src=x"))
		}
		if code, _ := anon.get("/o/demo/richieste/not-a-token"); code != http.StatusNotFound {
			t.Errorf("unknown token: %d", code)
		}

		// A photo goes with the request; only the desk sees it.
		anon.get("/o/demo/segnala")
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
		post := func(name string, data []byte) (int, string) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range map[string]string{"csrf": anon.csrf, "text": "Buca enorme in via Verdi, vedi foto", "privacy": "1",
				"nonce": storetest.Unique("photo-")} {
				_ = mw.WriteField(k, v)
			}
			fw, _ := mw.CreateFormFile("photo", name)
			_, _ = fw.Write(data)
			_ = mw.Close()
			req, _ := http.NewRequest(http.MethodPost, in.URL+"/o/demo/segnala", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			resp, err := anon.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}
		if code, _ := post("virus.exe", []byte("MZ\x90\x00 not an image")); code != http.StatusUnprocessableEntity {
			t.Errorf("a non-image as photo: %d", code)
		}
		code, loc = post("buca.png", png)
		if code != http.StatusSeeOther || !strings.Contains(loc, "/richieste/") {
			t.Fatalf("photo upload: %d %s", code, loc)
		}
		var fileID string
		if err := in.App.DB.Read.QueryRow(`SELECT f.id FROM desk_files f JOIN desk_messages m ON m.id = f.message_id
			WHERE m.text = 'Buca enorme in via Verdi, vedi foto' ORDER BY f.created_at DESC LIMIT 1`).Scan(&fileID); err != nil {
			t.Fatalf("photo not stored: %v", err)
		}
		if code, _ := anon.get("/desk/files/" + fileID); code == http.StatusOK {
			t.Error("a citizen's photo is public")
		}
		cm := newClient(t, in.URL)
		cm.login("community@demo.piazza.test")
		code, _, h := cm.do("GET", "/desk/files/"+fileID, nil, nil)
		if code != http.StatusOK || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("photo for the desk: %d %q", code, h.Get("Content-Type"))
		}
	})
}
