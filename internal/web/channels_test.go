// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
	"github.com/piazza-pa/piazza/internal/publish"
)

// TestChannelAccounts covers the accounts pages: creating one by hand with
// a secret that is never shown again, "Verifica" against the platform's
// fake, "Collega account" through X's OAuth consent and back, and the
// server refusing the same actions to a role without the permission.
func TestChannelAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		admin := newClient(t, in.URL)
		admin.login("admin@demo.piazza.test")

		// By hand: a Telegram channel with its bot token.
		const token = "123456:segretissimo-del-bot"
		if code, _ := admin.get("/channels"); code != 200 {
			t.Fatalf("channels: %d", code)
		}
		code, body, loc := admin.post("/channels", url.Values{"platform": {"telegram"}, "name": {"Canale <b>Comune</b>"},
			"handle": {"@comune_test"}, "cred_token": {token}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/channels/") {
			t.Fatalf("create: %d %s %.300s", code, loc, body)
		}
		code, body = admin.get(loc)
		if code != 200 || strings.Contains(body, token) || strings.Contains(body, "<b>Comune</b>") || !strings.Contains(body, `id="limits"`) {
			t.Fatalf("account page: %d, token shown %v, name unescaped %v", code, strings.Contains(body, token), strings.Contains(body, "<b>Comune</b>"))
		}

		// Verifica against the Telegram fake (a sandbox account may reach loopback).
		tg := telegramtest.New(telegramtest.Options{Token: token})
		tsrv := httptest.NewServer(tg)
		t.Cleanup(tsrv.Close)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Sandbox Telegram",
			Handle: "@comune_test", BaseURL: tsrv.URL, Sandbox: true, Credentials: channel.Credentials{channel.CredToken: token}})
		if err != nil {
			t.Fatal(err)
		}
		admin.get("/channels/" + acct.ID)
		code, body, _ = admin.post("/channels/"+acct.ID+"/check", nil)
		if code != 200 || !strings.Contains(body, `id="check-ok"`) {
			t.Fatalf("check: %d %.500s", code, body)
		}
		wrong, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Token sbagliato",
			Handle: "@comune_test", BaseURL: tsrv.URL, Sandbox: true, Credentials: channel.Credentials{channel.CredToken: "999:wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		admin.get("/channels/" + wrong.ID)
		code, body, _ = admin.post("/channels/"+wrong.ID+"/check", nil)
		if code != 200 || !strings.Contains(body, `id="check-error"`) || !strings.Contains(body, "Unauthorized") {
			t.Fatalf("check with a wrong token: %d %.500s", code, body)
		}
		if a, _ := in.App.Publish.Account(ctx, o.ID, wrong.ID); a.Status != publish.AccountAttention {
			t.Errorf("a refused token should mark the account for attention, got %q", a.Status)
		}

		// Collega account: X's consent page, then back to Piazza.
		fake := xtest.New(xtest.Options{})
		xsrv := httptest.NewServer(fake)
		t.Cleanup(xsrv.Close)
		xa, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.X, Name: "X sandbox",
			Handle: "@" + xtest.DefaultUsername, BaseURL: xsrv.URL, Sandbox: true,
			Credentials: channel.Credentials{channel.CredClientID: xtest.DefaultClientID}})
		if err != nil {
			t.Fatal(err)
		}
		_, body = admin.get("/channels/" + xa.ID)
		if !strings.Contains(body, `id="connect-form"`) {
			t.Fatal("no Collega account button on an X account")
		}
		code, _, loc = admin.post("/channels/"+xa.ID+"/connect", nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, xsrv.URL+"/i/oauth2/authorize") {
			t.Fatalf("connect: %d %s", code, loc)
		}
		resp, err := admin.http.Get(loc) // the platform's page, which agrees at once
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		back, _ := url.Parse(resp.Header.Get("Location"))
		if back == nil || back.Path != "/channels/oauth/callback" || back.Query().Get("code") == "" {
			t.Fatalf("the fake did not send the browser back: %s", resp.Header.Get("Location"))
		}
		code, _, h := admin.do("GET", back.RequestURI(), nil, nil)
		if code != http.StatusSeeOther || h.Get("Location") != "/channels/"+xa.ID+"?ok=flash.channel_connected" {
			t.Fatalf("callback: %d %s", code, h.Get("Location"))
		}
		if a, _ := in.App.Publish.Account(ctx, o.ID, xa.ID); !a.HasCredentials || a.TokenExpiresAt.IsZero() {
			t.Errorf("after connect: %+v", a)
		}
		// The same callback replayed by someone else is refused.
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if code, _, _ := editor.do("GET", back.RequestURI(), nil, nil); code != http.StatusForbidden && code != http.StatusBadRequest {
			t.Errorf("callback replayed by an editor: %d", code)
		}

		// An editor sees the accounts but may not change them: the server says no.
		if code, _ := editor.get("/channels"); code != 200 {
			t.Fatalf("editor channels: %d", code)
		}
		for _, path := range []string{"/channels", "/channels/" + acct.ID, "/channels/" + acct.ID + "/check", "/channels/" + xa.ID + "/connect"} {
			if code, _, _ := editor.post(path, url.Values{"platform": {"telegram"}, "name": {"x"}}); code != http.StatusForbidden {
				t.Errorf("editor POST %s: %d, want 403", path, code)
			}
		}
	})
}
