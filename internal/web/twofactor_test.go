// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

func TestTwoFactorLogin(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		a := in.App
		// An organisation that requires a second factor of its administrators.
		admin, err := a.Auth.CreatePerson(ctx, nil, auth.PersonInput{Email: storetest.Unique("capo") + "@ente.example", Name: "Capo", Password: demo.Password})
		if err != nil {
			t.Fatal(err)
		}
		o, err := a.Orgs.CreateOrganisationWithAdmin(ctx, org.OrganisationInput{Slug: storetest.Unique("ente-"), Name: "Ente sicuro", RequireAdmin2FA: true}, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(t, in.URL)
		c.login(admin.Email)
		code, _, h := c.do("GET", "/admin/offices", nil, nil)
		if code != http.StatusSeeOther || h.Get("Location") != "/settings/security?required=1" {
			t.Fatalf("admin without 2FA in %s: %d %s, want the security page", o.Slug, code, h.Get("Location"))
		}

		// Set it up, then log in again: the password alone is not enough.
		secret, _, err := a.Auth.BeginTOTP(ctx, admin.ID, "Piazza")
		if err != nil {
			t.Fatal(err)
		}
		gen := func(at time.Time) string {
			code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		if _, err := a.Auth.ConfirmTOTP(ctx, admin.ID, gen(time.Now())); err != nil {
			t.Fatal(err)
		}
		c = newClient(t, in.URL)
		c.get("/login")
		code, _, loc := c.post("/login", url.Values{"email": {admin.Email}, "password": {demo.Password}, "next": {"/admin/offices?x=1&y=2"}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/2fa?next=") {
			t.Fatalf("login with 2FA: %d %s", code, loc)
		}
		if code, _, h := c.do("GET", "/dashboard", nil, nil); code != http.StatusSeeOther || h.Get("Location") != "/login/2fa" {
			t.Fatalf("half-logged-in session reached the dashboard: %d %s", code, h.Get("Location"))
		}
		_, page := c.get(loc)
		// The page carries the destination in a hidden field, as a browser sends it.
		if !strings.Contains(page, `name="next" value="/admin/offices?x=1&amp;y=2"`) {
			t.Fatal("2FA page lost the destination")
		}
		next := "/admin/offices?x=1&y=2"
		if code, _, _ := c.post("/login/2fa", url.Values{"code": {"000000"}, "next": {next}}); code != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d", code)
		}
		code, _, loc = c.post("/login/2fa", url.Values{"code": {gen(time.Now().Add(30 * time.Second))}, "next": {next}})
		if code != http.StatusSeeOther || loc != "/admin/offices?x=1&y=2" {
			t.Fatalf("right code: %d %s", code, loc)
		}
		if code, _ := c.get("/admin/offices"); code != http.StatusOK {
			t.Fatalf("after the second factor: %d", code)
		}
	})
}
