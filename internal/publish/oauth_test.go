// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestConnectAndRefresh walks "Collega account" against the X fake: the
// authorize page sends the browser back with a code, the code becomes
// sealed tokens, and a token near its expiry is renewed by RefreshTokens;
// a refresh token the platform refuses marks the account for attention.
func TestConnectAndRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("oa-"), Name: "Comune"})
		if err != nil {
			t.Fatal(err)
		}
		fake := xtest.New(xtest.Options{Token: "initial-token"})
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		reg := channel.NewRegistry()
		reg.Add(x.New(srv.Client()), nil)
		key, _ := auth.GenerateSecretKey()
		raw, _ := auth.ParseSecretKey(key)
		sealer, _ := auth.NewSealer(raw)
		ed := editorial.NewService(db)
		svc := publish.NewService(publish.Deps{DB: db, Registry: reg, Sealer: sealer, Editorial: ed,
			Jobs:   jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler)}),
			Notify: notify.NewService(db, nil, "http://piazza.test"), Log: slog.New(slog.DiscardHandler)})

		a, err := svc.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.X, Name: "X del Comune", Handle: "@" + xtest.DefaultUsername, BaseURL: srv.URL,
			Sandbox: true, Credentials: channel.Credentials{channel.CredClientID: xtest.DefaultClientID}})
		if err != nil {
			t.Fatal(err)
		}
		const redirect = "https://piazza.test/channels/oauth/callback"
		authorize, err := svc.StartConnect(ctx, o.ID, a.ID, "person-1", redirect)
		if err != nil {
			t.Fatal(err)
		}
		// The browser's visit to the consent page: the fake agrees at once.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(authorize)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		back, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || back.Query().Get("code") == "" {
			t.Fatalf("no code in the redirect %q (status %d)", resp.Header.Get("Location"), resp.StatusCode)
		}
		state, code := back.Query().Get("state"), back.Query().Get("code")

		if _, err := svc.FinishConnect(ctx, "someone-else", state, code, redirect); !errors.Is(err, publish.ErrConnectExpired) {
			t.Fatalf("another person's state: %v, want ErrConnectExpired", err)
		}
		if _, err := svc.FinishConnect(ctx, "person-1", state+"x", code, redirect); !errors.Is(err, publish.ErrConnectExpired) {
			t.Fatalf("tampered state: %v, want ErrConnectExpired", err)
		}
		got, err := svc.FinishConnect(ctx, "person-1", state, code, redirect)
		if err != nil {
			t.Fatal(err)
		}
		if !got.HasCredentials || got.Status != publish.AccountActive || got.TokenExpiresAt.IsZero() {
			t.Fatalf("after connect: %+v", got)
		}
		if _, err := svc.CheckAccount(ctx, o.ID, a.ID); err != nil {
			t.Fatalf("the issued token does not work: %v", err)
		}

		// X's tokens last two hours: within the refresh window at once.
		n, err := svc.RefreshTokens(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RefreshTokens = %d, %v; want 1 renewed", n, err)
		}
		after, _ := svc.Account(ctx, o.ID, a.ID)
		if !after.TokenExpiresAt.After(time.Now().Add(time.Hour)) {
			t.Errorf("expiry after refresh: %v", after.TokenExpiresAt)
		}
		if _, err := svc.CheckAccount(ctx, o.ID, a.ID); err != nil {
			t.Fatalf("the renewed token does not work: %v", err)
		}

		// A refresh token the platform no longer knows: attention, not a loop.
		if err := svc.SetCredentials(ctx, o.ID, a.ID, channel.Credentials{channel.CredClientID: xtest.DefaultClientID,
			channel.CredToken: "gone", channel.CredRefreshToken: "revoked"}, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.RefreshTokens(ctx); err != nil || n != 0 {
			t.Fatalf("RefreshTokens with a revoked token = %d, %v", n, err)
		}
		after, _ = svc.Account(ctx, o.ID, a.ID)
		if after.Status != publish.AccountAttention || after.StatusReason == "" {
			t.Errorf("a refused refresh should ask for attention: %q %q", after.Status, after.StatusReason)
		}
	})
}
