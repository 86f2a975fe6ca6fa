// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

const redirectURI = "https://piazza.comune.vallebella.it/canali/oauth/mastodon"

// authorize follows AuthorizeURL on the fake as a browser would, up to
// the redirect back to Piazza, and returns its query.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestOAuth(t *testing.T) {
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()

	// A new instance: register the app first.
	id, secret, err := mastodon.RegisterApp(ctx, &http.Client{Timeout: 2 * time.Second}, e.url+"/", "Piazza", redirectURI,
		"https://piazza.comune.vallebella.it")
	if err != nil {
		t.Fatal(err)
	}
	e.rec.replace[id], e.rec.replace[secret] = "<client id>", "<client secret>"
	acct := channel.Account{Platform: channel.Mastodon, BaseURL: e.url,
		Credentials: channel.Credentials{channel.CredClientID: id, channel.CredClientSecret: secret}}

	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	authURL := e.c.AuthorizeURL(acct, "stato-123", redirectURI, challenge(verifier))
	u, _ := url.Parse(authURL)
	q := u.Query()
	if u.Path != "/oauth/authorize" || q.Get("response_type") != "code" || q.Get("client_id") != id ||
		q.Get("redirect_uri") != redirectURI || q.Get("scope") != "read write" || q.Get("state") != "stato-123" ||
		q.Get("code_challenge") != challenge(verifier) || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorize URL %s", authURL)
	}
	back := authorize(t, authURL)
	if back.Get("state") != "stato-123" || back.Get("code") == "" {
		t.Fatalf("redirected with %v", back)
	}
	e.rec.replace[back.Get("code")] = "<code>"

	creds, expires, err := e.c.Exchange(ctx, acct, back.Get("code"), redirectURI, verifier)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "oauth", e.rec.String())
	if !expires.IsZero() || creds[channel.CredToken] == "" || creds[channel.CredClientID] != id ||
		creds[channel.CredClientSecret] != secret {
		t.Fatalf("credentials %v, expiry %v", creds, expires)
	}
	if acct.Credentials[channel.CredToken] != "" {
		t.Error("Exchange changed the account's credentials in place")
	}
	// The token works.
	acct.Credentials = creds
	ident, err := e.c.CheckCredentials(ctx, acct)
	if err != nil || ident.Handle != "@comune_vallebella@mastodon.example" {
		t.Fatalf("check with the new token: %+v, %v", ident, err)
	}
	// A code serves once.
	_, _, err = e.c.Exchange(ctx, acct, back.Get("code"), redirectURI, verifier)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "invalid_grant" ||
		!strings.HasPrefix(ce.Message, "The provided authorization grant is invalid") {
		t.Errorf("code used twice: %+v", err)
	}
}

func TestOAuthErrors(t *testing.T) {
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()
	const verifier = "a-verifier-of-at-least-forty-three-characters-long"
	code := func() string {
		return authorize(t, e.c.AuthorizeURL(e.acct, "s", redirectURI, challenge(verifier))).Get("code")
	}
	tests := []struct {
		name     string
		creds    channel.Credentials
		verifier string
		kind     channel.Kind
		code     string
	}{
		{"wrong verifier", nil, "another-verifier", channel.Permanent, "invalid_grant"},
		{"wrong secret", channel.Credentials{channel.CredClientID: mastodontest.DefaultClientID, channel.CredClientSecret: "x"},
			verifier, channel.Auth, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := e.acct
			if tt.creds != nil {
				acct.Credentials = tt.creds
			}
			_, _, err := e.c.Exchange(ctx, acct, code(), redirectURI, tt.verifier)
			if ce := channel.AsError(err); ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || ce.Op != "exchange" {
				t.Errorf("error %+v", err)
			}
		})
	}
	acct := e.acct
	acct.Credentials = nil
	if _, _, err := e.c.Exchange(ctx, acct, "c", redirectURI, verifier); channel.KindOf(err) != channel.Permanent {
		t.Errorf("exchange without an app: %v", err)
	}
	acct.BaseURL = ""
	if got := e.c.AuthorizeURL(acct, "s", redirectURI, "c"); got != "" {
		t.Errorf("authorize URL without an instance: %q", got)
	}
	_, _, err := mastodon.RegisterApp(ctx, &http.Client{}, e.url, " ", redirectURI, "")
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Status != 422 ||
		ce.Message != "Validation failed: Application name can't be blank" {
		t.Errorf("register without a name: %+v", err)
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		kind   channel.Kind
		code   string
		msg    string
		retry  time.Duration
	}{
		{"missing scope", 403, nil, `{"error":"This action is outside the authorized scopes"}`, channel.Auth, "",
			"This action is outside the authorized scopes", 0},
		{"login disabled", 403, nil, `{"error":"Your login is currently disabled"}`, channel.Auth, "",
			"Your login is currently disabled", 0},
		{"other forbidden", 403, nil, `{"error":"This action is not allowed"}`, channel.Permanent, "", "This action is not allowed", 0},
		{"app token", 422, nil, `{"error":"This method requires an authenticated user"}`, channel.Auth, "",
			"This method requires an authenticated user", 0},
		{"rate limit with reset", 429, map[string]string{"X-RateLimit-Reset": "2026-03-14T09:35:00.000000Z"},
			`{"error":"Too many requests"}`, channel.RateLimited, "", "Too many requests", 5 * time.Minute},
		{"rate limit with retry-after", 429, map[string]string{"Retry-After": "30"}, `{"error":"Too many requests"}`,
			channel.RateLimited, "", "Too many requests", 30 * time.Second},
		{"rate limit reset past", 429, map[string]string{"X-RateLimit-Reset": "2026-03-14T09:00:00Z"}, `{"error":"Too many requests"}`,
			channel.RateLimited, "", "Too many requests", time.Second},
		{"rate limit far reset", 429, map[string]string{"X-RateLimit-Reset": "2027-01-01T00:00:00Z"}, `{"error":"Too many requests"}`,
			channel.RateLimited, "", "Too many requests", 24 * time.Hour},
		{"bad gateway page", 502, nil, `<html><body>502 Bad Gateway</body></html>`, channel.Retryable, "", "Bad Gateway", 0},
		{"unavailable", 503, map[string]string{"Retry-After": "120"}, `{"error":"Service Unavailable"}`, channel.Retryable, "",
			"Service Unavailable", 2 * time.Minute},
		{"gone", 410, nil, `{"error":"Gone"}`, channel.Permanent, "", "Gone", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := mastodon.New(&http.Client{Timeout: 2 * time.Second})
			mastodon.SetNow(c, func() time.Time { return fixedNow })
			acct := channel.Account{BaseURL: srv.URL, Credentials: channel.Credentials{channel.CredToken: "t"}}
			_, err := c.Publish(context.Background(), acct, channel.Post{Key: key1, Text: "Ciao"})
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || ce.Message != tt.msg || ce.Status != tt.status ||
				ce.RetryAfter != tt.retry {
				t.Errorf("error %+v", ce)
			}
		})
	}
}

func TestUnreadableAnswer(t *testing.T) {
	// The status may exist: an answer we cannot read is Unknown.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>ok</html>"))
	}))
	defer srv.Close()
	c := mastodon.New(&http.Client{Timeout: 2 * time.Second})
	_, err := c.Publish(context.Background(), channel.Account{BaseURL: srv.URL,
		Credentials: channel.Credentials{channel.CredToken: "t"}}, channel.Post{Key: key1, Text: "Ciao"})
	if channel.KindOf(err) != channel.Unknown {
		t.Errorf("error %v", err)
	}
	// Nothing listening: Retryable.
	srv.Close()
	_, err = c.Publish(context.Background(), channel.Account{BaseURL: srv.URL,
		Credentials: channel.Credentials{channel.CredToken: "t"}}, channel.Post{Key: key1, Text: "Ciao"})
	if channel.KindOf(err) != channel.Retryable {
		t.Errorf("error %v", err)
	}
}

func TestGuardedClient(t *testing.T) {
	// The default client refuses the loopback address of a test server:
	// a Mastodon instance is typed by a person.
	e := newEnv(t, mastodontest.Options{}, time.Second)
	c := mastodon.New(nil)
	_, err := c.Publish(context.Background(), e.acct, channel.Post{Key: key1, Text: "Ciao"})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent {
		t.Errorf("error %+v", err)
	}
	if len(e.fake.Received()) != 0 {
		t.Error("published through the guard")
	}
}
