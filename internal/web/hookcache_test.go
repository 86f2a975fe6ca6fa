// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/web"
)

// Webhooks keep their organisation and secrets for a few seconds, but a
// secret changed or a page connected in between takes effect at once: a
// new secret is accepted and the old one refused right after the change,
// and a second page of the same Meta app gets its comments.
func TestWebhookSecretsChangeAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		tg := telegramtest.New(telegramtest.Options{Token: "1:bot"})
		bot, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Bot rotazione",
			Handle: "@rotazione_test", BaseURL: "http://127.0.0.1:1", Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: "1:bot", web.CredWebhookSecret: "primo-segreto-1234"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = in.App.Publish.SetAccountStatus(ctx, o.ID, bot.ID, publish.AccountDisabled) })
		hook := in.URL + "/o/demo/hooks/telegram/" + bot.ID
		send := func(id int64, secret string) int {
			return postHook(t, hook, tg.SendFromUser(id, "cittadino", "Buche in via Roma, quando le sistemate?"),
				map[string]string{"X-Telegram-Bot-Api-Secret-Token": secret})
		}
		if code := send(101, "primo-segreto-1234"); code != http.StatusOK {
			t.Fatalf("first secret: %d", code)
		}
		if err := in.App.Publish.SetCredentials(ctx, o.ID, bot.ID, channel.Credentials{channel.CredToken: "1:bot",
			web.CredWebhookSecret: "secondo-segreto-5678"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if code := send(102, "secondo-segreto-5678"); code != http.StatusOK {
			t.Errorf("new secret right after the change: %d", code)
		}
		if code := send(103, "primo-segreto-1234"); code != http.StatusUnauthorized {
			t.Errorf("old secret once the new one was seen: %d", code)
		}
		if n := countMessages(t, in.App.DB, bot.ID); n != 2 {
			t.Errorf("stored %d messages, want 2", n)
		}
		if code := postHook(t, in.URL+"/o/demo/hooks/telegram/nessuno", tg.SendFromUser(104, "x", "ciao"),
			map[string]string{"X-Telegram-Bot-Api-Secret-Token": "secondo-segreto-5678"}); code != http.StatusNotFound {
			t.Errorf("unknown account: %d", code)
		}

		// Two pages of one Meta app share its secret.
		const appSecret = "app-secret-condiviso"
		page := func(id, name string) publish.Account {
			a, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Facebook, Name: name,
				Handle: id, BaseURL: "http://127.0.0.1:1", Sandbox: true,
				Credentials: channel.Credentials{channel.CredToken: "page-token", web.CredAppSecret: appSecret}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = in.App.Publish.SetAccountStatus(ctx, o.ID, a.ID, publish.AccountDisabled) })
			return a
		}
		comment := func(pageID, n string) int {
			payload := []byte(`{"object":"page","entry":[{"id":"` + pageID + `","time":1764950400,"changes":[{"field":"feed","value":{"item":"comment",
				"verb":"add","comment_id":"` + pageID + `_1_` + n + `","post_id":"` + pageID + `_1","parent_id":"` + pageID + `_1",
				"from":{"id":"2718","name":"Anna Verdi"},"message":"La biblioteca è aperta domenica?","created_time":1764950400}}]}]}`)
			return postHook(t, in.URL+"/o/demo/hooks/meta", payload, map[string]string{"X-Hub-Signature-256": facebooktest.Sign(payload, appSecret)})
		}
		first := page("2"+strings.Repeat("1", 14), "Pagina uno")
		if code := comment(first.Handle, "1"); code != http.StatusOK {
			t.Fatalf("first page: %d", code)
		}
		second := page("2"+strings.Repeat("2", 14), "Pagina due")
		if code := comment(second.Handle, "2"); code != http.StatusOK {
			t.Fatalf("second page: %d", code)
		}
		if n := countMessages(t, in.App.DB, first.ID); n != 1 {
			t.Errorf("first page: %d messages, want 1", n)
		}
		if n := countMessages(t, in.App.DB, second.ID); n != 1 {
			t.Errorf("second page connected after the first call: %d messages, want 1", n)
		}
	})
}
