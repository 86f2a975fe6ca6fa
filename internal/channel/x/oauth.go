// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// authorizeURL is where the browser goes for acct: the setting, then the
// account's base URL (a fake serves /i/oauth2/authorize), then x.com.
func authorizeURL(acct channel.Account) string {
	if u := strings.TrimSpace(acct.Settings[SettingAuthorizeURL]); u != "" {
		return u
	}
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b + "/i/oauth2/authorize"
	}
	return DefaultAuthorizeURL
}

// AuthorizeURL is X's consent page for the app of
// acct.Credentials[channel.CredClientID], asking for Scopes, with the
// PKCE S256 challenge. X answers on redirectURI with "code" and "state".
// To point it elsewhere (tests, a sandbox), set
// Account.Settings[SettingAuthorizeURL] or Account.BaseURL.
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
func (c *Connector) AuthorizeURL(acct channel.Account, state, redirectURI, challenge string) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {strings.TrimSpace(acct.Credentials[channel.CredClientID])},
		"redirect_uri":          {redirectURI},
		"scope":                 {strings.Join(Scopes, " ")},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	// X's examples write spaces as %20; url.Values writes "+".
	return authorizeURL(acct) + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// tokenAnswer is the answer of POST /2/oauth2/token.
type tokenAnswer struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// token calls the token endpoint with params, as the app of acct: its
// client id in the form, and, for a confidential client (one with a
// secret), HTTP Basic authentication with the id and secret.
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
func (c *Connector) token(ctx context.Context, acct channel.Account, op string, params url.Values) (tokenAnswer, error) {
	id := strings.TrimSpace(acct.Credentials[channel.CredClientID])
	if id == "" {
		return tokenAnswer{}, &channel.Error{Kind: channel.Auth, Platform: channel.X, Op: op,
			Message: "the X app's OAuth 2.0 client id is missing"}
	}
	params.Set("client_id", id)
	var a tokenAnswer
	err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/oauth2/token", form: params,
		clientID: id, secret: strings.TrimSpace(acct.Credentials[channel.CredClientSecret]), oauth: true}, &a)
	if err == nil && a.AccessToken == "" {
		err = &channel.Error{Kind: channel.Retryable, Platform: channel.X, Op: op, Message: "X answered no access token"}
	}
	return a, err
}

// credentials merges a token answer over acct's credentials and returns
// them with the access token's expiry.
func (c *Connector) credentials(acct channel.Account, a tokenAnswer) (channel.Credentials, time.Time) {
	creds := maps.Clone(acct.Credentials)
	if creds == nil {
		creds = channel.Credentials{}
	}
	creds[channel.CredToken] = a.AccessToken
	if a.RefreshToken != "" {
		creds[channel.CredRefreshToken] = a.RefreshToken
	}
	var expires time.Time
	if a.ExpiresIn > 0 {
		expires = c.now().UTC().Add(time.Duration(a.ExpiresIn) * time.Second)
	}
	return creds, expires
}

// Exchange trades the code X sent back for an access token (two hours)
// and, with offline.access, a refresh token, proving the PKCE verifier.
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
func (c *Connector) Exchange(ctx context.Context, acct channel.Account, code, redirectURI, verifier string) (channel.Credentials, time.Time, error) {
	const op = "exchange"
	a, err := c.token(ctx, acct, op, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}})
	if err != nil {
		return nil, time.Time{}, err
	}
	creds, expires := c.credentials(acct, a)
	if a.RefreshToken == "" {
		// Without offline.access there is nothing to renew with: a
		// refresh token of an earlier connection would not work either.
		delete(creds, channel.CredRefreshToken)
	}
	return creds, expires, nil
}

// Refresh renews the access token with the refresh token. X rotates
// refresh tokens: the answer holds a new one, and the one just used stops
// working, so the returned credentials must replace the stored ones.
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code
func (c *Connector) Refresh(ctx context.Context, acct channel.Account) (channel.Credentials, time.Time, error) {
	const op = "refresh"
	refresh := strings.TrimSpace(acct.Credentials[channel.CredRefreshToken])
	if refresh == "" {
		return nil, time.Time{}, &channel.Error{Kind: channel.Auth, Platform: channel.X, Op: op,
			Message: "no refresh token: connect the X account again"}
	}
	a, err := c.token(ctx, acct, op, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if err != nil {
		return nil, time.Time{}, err
	}
	creds, expires := c.credentials(acct, a)
	return creds, expires, nil
}
