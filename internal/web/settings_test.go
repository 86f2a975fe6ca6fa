// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/notify"
)

var (
	totpSecretShown = regexp.MustCompile(`id="twofa-secret">([A-Z2-7 ]+)<`)
	recoveryCode    = regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`)
	tokenShown      = regexp.MustCompile(`id="token-value" type="text" class="[^"]*" value="(pz_[^"]+)"`)
	tokenRevokeForm = regexp.MustCompile(`action="/settings/tokens/([^/"]+)/revoke"`)
)

func TestSettingsScenarios(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		const email = "redazione@demo.piazza.test"
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		person, err := in.App.Auth.PersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}

		ed := newClient(t, in.URL)
		ed.login(email)
		other := newClient(t, in.URL) // a second session of the same person
		other.login(email)

		// Every page of the area, in both languages, finds all its messages.
		for _, lang := range []string{"en", "it"} {
			ed.get("/settings")
			ed.post("/lang", url.Values{"lang": {lang}})
			for _, path := range []string{"/settings", "/settings/security?required=1", "/settings/tokens", "/notifications", "/settings/notifications"} {
				if code, body := ed.get(path); code != http.StatusOK || strings.Contains(body, "⟦") {
					t.Fatalf("%s in %s: %d, missing message: %v", path, lang, code, strings.Contains(body, "⟦"))
				}
			}
		}

		t.Run("profile", func(t *testing.T) {
			code, body := ed.get("/settings")
			if code != http.StatusOK || !strings.Contains(body, person.Name) || !strings.Contains(body, email) ||
				!strings.Contains(body, `id="profile-roles"`) || !strings.Contains(body, `action="/lang"`) {
				t.Fatalf("profile: %d", code)
			}
		})

		t.Run("password", func(t *testing.T) {
			ed.get("/settings/security")
			code, body, _ := ed.post("/settings/password", url.Values{"current_password": {"non-e-questa-password"}, "password": {"una-password-nuova-lunga"}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-current_password-err"`) {
				t.Fatalf("wrong current password: %d", code)
			}
			code, body, _ = ed.post("/settings/password", url.Values{"current_password": {demo.Password}, "password": {"corta"}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-password-err"`) {
				t.Fatalf("short new password: %d", code)
			}
			code, _, loc := ed.post("/settings/password", url.Values{"current_password": {demo.Password}, "password": {"una-password-nuova-lunga"}})
			if code != http.StatusSeeOther || loc != "/settings/security?ok=flash.password_changed" {
				t.Fatalf("change password: %d %s", code, loc)
			}
			// This session stays; the other one has ended.
			if code, _ := ed.get("/settings"); code != http.StatusOK {
				t.Fatalf("own session after change: %d", code)
			}
			if code, _ := other.get("/settings"); code != http.StatusSeeOther {
				t.Fatalf("other session after change: %d", code)
			}
			if _, err := in.App.Auth.Authenticate(ctx, email, "una-password-nuova-lunga", "192.0.2.1"); err != nil {
				t.Fatalf("new password refused: %v", err)
			}
		})
		const password = "una-password-nuova-lunga"

		t.Run("two factor", func(t *testing.T) {
			if _, body := ed.get("/settings/security?required=1"); !strings.Contains(body, `id="twofa-required"`) || !strings.Contains(body, `id="twofa-begin"`) {
				t.Fatal("security page: banner or begin button missing")
			}
			code, body, _ := ed.post("/settings/2fa/begin", nil)
			m := totpSecretShown.FindStringSubmatch(body)
			if code != http.StatusOK || m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
				t.Fatalf("begin: %d, secret shown: %v", code, m != nil)
			}
			secret := strings.ReplaceAll(m[1], " ", "")
			good, err := totp.GenerateCode(secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			bad := "000000"
			if good == bad {
				bad = "111111"
			}
			code, body, _ = ed.post("/settings/2fa/confirm", url.Values{"code": {bad}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-code-err"`) || !strings.Contains(body, `id="twofa-restart"`) {
				t.Fatalf("bad code: %d", code)
			}
			// The pending secret survived the wrong code.
			code, body, _ = ed.post("/settings/2fa/confirm", url.Values{"code": {good}})
			if codes := recoveryCode.FindAllStringSubmatch(body, -1); code != http.StatusOK || len(codes) != 10 {
				t.Fatalf("confirm: %d, %d recovery codes", code, len(codes))
			}
			if _, body := ed.get("/settings/security"); !strings.Contains(body, `id="twofa-disable"`) || strings.Contains(body, "recovery-codes") {
				t.Fatal("after enabling: disable form missing or recovery codes shown again")
			}
			code, body, _ = ed.post("/settings/2fa/disable", url.Values{"disable_password": {"non-e-questa-password"}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-disable_password-err"`) {
				t.Fatalf("disable with wrong password: %d", code)
			}
			code, _, loc := ed.post("/settings/2fa/disable", url.Values{"disable_password": {password}})
			if code != http.StatusSeeOther || loc != "/settings/security?ok=flash.2fa_disabled" {
				t.Fatalf("disable: %d %s", code, loc)
			}
			if p, _ := in.App.Auth.PersonByEmail(ctx, email); p.TOTPEnabled {
				t.Fatal("two-factor still on")
			}
		})

		t.Run("tokens", func(t *testing.T) {
			ed.get("/settings/tokens")
			code, body, _ := ed.post("/settings/tokens", url.Values{"name": {"  "}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-name-err"`) {
				t.Fatalf("token without name: %d", code)
			}
			code, body, _ = ed.post("/settings/tokens", url.Values{"name": {"Sito istituzionale"}})
			m := tokenShown.FindStringSubmatch(body)
			if code != http.StatusOK || m == nil || !strings.Contains(body, "/api/v1/openapi.json") {
				t.Fatalf("create token: %d, shown: %v", code, m != nil)
			}
			token := m[1]
			anon := newClient(t, in.URL)
			if code, _, _ := anon.do("GET", "/api/v1/offices", nil, map[string]string{"Authorization": "Bearer " + token}); code != http.StatusOK {
				t.Fatalf("API with new token: %d", code)
			}
			_, body = ed.get("/settings/tokens")
			if strings.Contains(body, token) || !strings.Contains(body, "Sito istituzionale") {
				t.Fatal("token list: plain token shown again or name missing")
			}
			ids := tokenRevokeForm.FindStringSubmatch(body)
			if ids == nil {
				t.Fatal("no revoke button")
			}
			// Another person's token cannot be revoked from here.
			admin, err := in.App.Auth.PersonByEmail(ctx, "admin@demo.piazza.test")
			if err != nil {
				t.Fatal(err)
			}
			_, foreign, err := in.App.Auth.CreateAPIToken(ctx, o.ID, admin.ID, "altrui")
			if err != nil {
				t.Fatal(err)
			}
			if code, _, _ := ed.post("/settings/tokens/"+foreign.ID+"/revoke", nil); code != http.StatusNotFound {
				t.Fatalf("revoking someone else's token: %d", code)
			}
			ed.get("/settings/tokens")
			code, _, loc := ed.post("/settings/tokens/"+ids[1]+"/revoke", nil)
			if code != http.StatusSeeOther || loc != "/settings/tokens?ok=flash.token_revoked" {
				t.Fatalf("revoke: %d %s", code, loc)
			}
			if code, _, _ := anon.do("GET", "/api/v1/offices", nil, map[string]string{"Authorization": "Bearer " + token}); code != http.StatusUnauthorized {
				t.Fatalf("API with revoked token: %d", code)
			}
		})

		t.Run("notifications", func(t *testing.T) {
			if code, body := ed.get("/notifications"); code != http.StatusOK || !strings.Contains(body, `id="notifications-empty"`) {
				t.Fatalf("empty notifications: %d", code)
			}
			for _, n := range []notify.Notification{
				{OrgID: o.ID, PersonID: person.ID, Kind: notify.KindPublicationFailed, Title: "Pubblicazione su Mastodon", Link: "/plan"},
				{OrgID: o.ID, PersonID: person.ID, Kind: notify.KindUrgentMessage, Title: "Messaggio urgente", Link: "//evil.example/x"},
			} {
				if err := in.App.Notify.Notify(ctx, in.App.DB.Write, n); err != nil {
					t.Fatal(err)
				}
			}
			code, body := ed.get("/notifications")
			if code != http.StatusOK || strings.Count(body, "notification-unread") != 2 || !strings.Contains(body, `href="/plan"`) ||
				strings.Contains(body, "evil.example") || !strings.Contains(body, `id="notifications-read-all"`) {
				t.Fatalf("notification list: %d", code)
			}
			id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(body)
			if id == nil {
				t.Fatal("no mark-read button")
			}
			if code, _, _ := ed.post("/notifications/read", url.Values{"id": {id[1]}}); code != http.StatusSeeOther {
				t.Fatalf("mark one read: %d", code)
			}
			if n, _ := in.App.Notify.Unread(ctx, o.ID, person.ID); n != 1 {
				t.Fatalf("unread after marking one: %d", n)
			}
			ed.get("/notifications")
			code, _, loc := ed.post("/notifications/read", nil)
			if code != http.StatusSeeOther || loc != "/notifications?ok=flash.notifications_read" {
				t.Fatalf("mark all read: %d %s", code, loc)
			}
			if n, _ := in.App.Notify.Unread(ctx, o.ID, person.ID); n != 0 {
				t.Fatalf("unread after marking all: %d", n)
			}
		})

		t.Run("notification preferences", func(t *testing.T) {
			code, body := ed.get("/settings/notifications")
			if code != http.StatusOK {
				t.Fatalf("preferences page: %d", code)
			}
			for _, k := range notify.Kinds {
				if !strings.Contains(body, `for="pref-`+string(k)+`"`) {
					t.Fatalf("no labelled checkbox for %s", k)
				}
			}
			code, _, loc := ed.post("/settings/notifications", url.Values{"email": {string(notify.KindRequestOverdue), "not.a.kind"}})
			if code != http.StatusSeeOther || loc != "/settings/notifications?ok=flash.notification_prefs_saved" {
				t.Fatalf("save preferences: %d %s", code, loc)
			}
			prefs, err := in.App.Notify.Preferences(ctx, person.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[notify.Kind]bool{notify.KindRequestOverdue: true}
			for _, k := range notify.Kinds {
				if prefs[k] != want[k] {
					t.Errorf("preference %s = %v, want %v", k, prefs[k], want[k])
				}
			}
		})
	})
}
