// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
)

const (
	verifier    = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	redirectURI = "https://piazza.comune.example/oauth/x/callback"
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestAuthorizeURL(t *testing.T) {
	c := x.New(nil)
	acct := channel.Account{Platform: channel.X, Credentials: channel.Credentials{channel.CredClientID: "abc123"}}
	got := c.AuthorizeURL(acct, "st4te", redirectURI, "ch4llenge")
	want := "https://x.com/i/oauth2/authorize?client_id=abc123&code_challenge=ch4llenge&code_challenge_method=S256" +
		"&redirect_uri=https%3A%2F%2Fpiazza.comune.example%2Foauth%2Fx%2Fcallback&response_type=code" +
		"&scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access&state=st4te"
	if got != want {
		t.Errorf("AuthorizeURL =\n%s\nwant\n%s", got, want)
	}
	acct.BaseURL = "http://127.0.0.1:9999/"
	if got := c.AuthorizeURL(acct, "s", redirectURI, "c"); !strings.HasPrefix(got, "http://127.0.0.1:9999/i/oauth2/authorize?") {
		t.Errorf("with a base URL: %s", got)
	}
	acct.Settings = map[string]string{x.SettingAuthorizeURL: "https://twitter.com/i/oauth2/authorize"}
	if got := c.AuthorizeURL(acct, "s", redirectURI, "c"); !strings.HasPrefix(got, "https://twitter.com/i/oauth2/authorize?") {
		t.Errorf("with the setting: %s", got)
	}
}

// authorize follows the consent page of the fake and returns the code.
func authorize(t *testing.T, e *env, acct channel.Account, state string) string {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Get(e.conn.AuthorizeURL(acct, state, redirectURI, challenge(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent page answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") || loc.Query().Get("state") != state {
		t.Fatalf("redirected to %s", resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func TestOAuthFlow(t *testing.T) {
	for _, confidential := range []bool{false, true} {
		name := "public"
		opts := xtest.Options{}
		if confidential {
			name, opts.ClientSecret = "confidential", "s3cret"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, opts, 2*time.Second)
			acct := channel.Account{Platform: channel.X, BaseURL: e.url, Sandbox: true,
				Credentials: channel.Credentials{channel.CredClientID: xtest.DefaultClientID}}
			if confidential {
				acct.Credentials[channel.CredClientSecret] = "s3cret"
			}
			code := authorize(t, e, acct, "st4te")
			e.rec.take()
			creds, expires, err := e.conn.Exchange(context.Background(), acct, code, redirectURI, verifier)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "exchange_"+name, render(t, e.rec.take()))
			if creds[channel.CredToken] == "" || creds[channel.CredRefreshToken] == "" ||
				creds[channel.CredClientID] != xtest.DefaultClientID || !expires.Equal(testNow.Add(2*time.Hour)) {
				t.Fatalf("credentials %v, expiring %v", creds, expires)
			}
			acct.Credentials = creds
			id, err := e.conn.CheckCredentials(context.Background(), acct)
			if err != nil || id.Handle != "@"+xtest.DefaultUsername {
				t.Fatalf("check with the new token: %+v, %v", id, err)
			}
			// A code works once.
			if _, _, err := e.conn.Exchange(context.Background(), acct, code, redirectURI, verifier); channel.KindOf(err) != channel.Auth {
				t.Errorf("second exchange: %v", err)
			}

			e.clock.Advance(90 * time.Minute)
			e.rec.take()
			renewed, expires, err := e.conn.Refresh(context.Background(), acct)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "refresh_"+name, render(t, e.rec.take()))
			if renewed[channel.CredToken] == creds[channel.CredToken] || renewed[channel.CredRefreshToken] == creds[channel.CredRefreshToken] ||
				renewed[channel.CredRefreshToken] == "" || !expires.Equal(testNow.Add(90*time.Minute+2*time.Hour)) {
				t.Errorf("renewed %v, expiring %v", renewed, expires)
			}
			// X rotates refresh tokens: the old one is spent.
			_, _, err = e.conn.Refresh(context.Background(), acct)
			if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Auth || ce.Code != "invalid_request" ||
				ce.Message != "Value passed for the token was invalid." || ce.Op != "refresh" {
				t.Errorf("refresh with a spent token: %#v", ce)
			}
			acct.Credentials = renewed
			if _, err := e.conn.CheckCredentials(context.Background(), acct); err != nil {
				t.Errorf("check with the renewed token: %v", err)
			}
			// The first access token expires two hours after it was
			// issued.
			e.clock.Advance(31 * time.Minute)
			acct.Credentials = creds
			if _, err := e.conn.CheckCredentials(context.Background(), acct); channel.KindOf(err) != channel.Auth {
				t.Errorf("expired token: %v", err)
			}
		})
	}
}

func TestOAuthErrors(t *testing.T) {
	tests := []struct {
		name     string
		secret   string // the fake's
		creds    channel.Credentials
		verifier string
		kind     channel.Kind
		code     string
		msg      string
	}{
		{"wrong verifier", "", channel.Credentials{channel.CredClientID: xtest.DefaultClientID}, "another-verifier-another-verifier-another",
			channel.Auth, "invalid_request", "Value passed for the authorization code was invalid."},
		{"wrong client", "", channel.Credentials{channel.CredClientID: "other"}, verifier,
			channel.Auth, "invalid_request", "Value passed for the client_id was invalid."},
		{"no client", "", channel.Credentials{}, verifier, channel.Auth, "", "the X app's OAuth 2.0 client id is missing"},
		{"wrong secret", "s3cret", channel.Credentials{channel.CredClientID: xtest.DefaultClientID, channel.CredClientSecret: "nope"}, verifier,
			channel.Auth, "unauthorized_client", "Missing valid authorization header"},
		{"missing secret", "s3cret", channel.Credentials{channel.CredClientID: xtest.DefaultClientID}, verifier,
			channel.Auth, "unauthorized_client", "Missing valid authorization header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xtest.Options{ClientSecret: tt.secret}, 2*time.Second)
			acct := channel.Account{Platform: channel.X, BaseURL: e.url, Credentials: channel.Credentials{channel.CredClientID: xtest.DefaultClientID}}
			code := authorize(t, e, acct, "s")
			acct.Credentials = tt.creds
			_, _, err := e.conn.Exchange(context.Background(), acct, code, redirectURI, tt.verifier)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || ce.Message != tt.msg || ce.Op != "exchange" {
				t.Fatalf("error %#v, want %s %q %q", ce, tt.kind, tt.code, tt.msg)
			}
		})
	}
	c := x.New(nil)
	_, _, err := c.Refresh(context.Background(), channel.Account{Credentials: channel.Credentials{channel.CredClientID: "c"}})
	if channel.KindOf(err) != channel.Auth || !strings.Contains(err.Error(), "no refresh token") {
		t.Errorf("refresh without a refresh token: %v", err)
	}
	acct := stub(t, 503, nil, `{"title":"Service Unavailable"}`)
	_, _, err = x.New(&http.Client{Timeout: time.Second}).Refresh(context.Background(), acct)
	if channel.KindOf(err) != channel.Retryable {
		t.Errorf("refresh on a 503: %v", err)
	}
	var ce *channel.Error
	if !errors.As(err, &ce) || ce.Op != "refresh" {
		t.Errorf("error %v", err)
	}
}

// TestConsentPage checks the fake's consent page refuses what x.com
// refuses.
func TestConsentPage(t *testing.T) {
	e := newEnv(t, xtest.Options{}, 2*time.Second)
	good := url.Values{"response_type": {"code"}, "client_id": {xtest.DefaultClientID}, "redirect_uri": {redirectURI},
		"scope": {"tweet.read users.read"}, "state": {"s"}, "code_challenge": {"c"}, "code_challenge_method": {"S256"}}
	for _, change := range []func(url.Values){
		func(q url.Values) { q.Set("client_id", "other") },
		func(q url.Values) { q.Del("code_challenge") },
		func(q url.Values) { q.Set("code_challenge_method", "md5") },
		func(q url.Values) { q.Set("scope", "tweet.read everything") },
		func(q url.Values) { q.Set("redirect_uri", "/relative") },
		func(q url.Values) { q.Del("state") },
	} {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		change(q)
		resp, err := http.Get(e.url + "/i/oauth2/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d", q, resp.StatusCode)
		}
	}
}
