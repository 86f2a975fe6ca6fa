// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// AuthorizeURL is the instance's page where the person grants Piazza's
// app access to their account: the authorisation code flow with PKCE
// (S256, which Mastodon supports since 4.3; older instances ignore the
// challenge). It is empty when the account names no instance, since there
// is nowhere to send the browser.
//
// Specs: https://docs.joinmastodon.org/methods/oauth/#authorize
func (c *Connector) AuthorizeURL(acct channel.Account, state, redirectURI, challenge string) string {
	root, err := base(acct, "authorize")
	if err != nil {
		return ""
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {acct.Credentials[channel.CredClientID]},
		"redirect_uri":  {redirectURI},
		"scope":         {Scopes},
		"state":         {state},
	}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	return root + "/oauth/authorize?" + q.Encode()
}

// tokenAnswer is the Token entity.
//
// Specs: https://docs.joinmastodon.org/entities/Token/
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	CreatedAt    int64  `json:"created_at"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// Exchange trades the authorisation code for an access token, with the
// PKCE verifier. Mastodon's tokens do not expire: the expiry is zero
// unless the instance says otherwise (expires_in).
//
// Specs: https://docs.joinmastodon.org/methods/oauth/#token
func (c *Connector) Exchange(ctx context.Context, acct channel.Account, code, redirectURI, verifier string) (channel.Credentials, time.Time, error) {
	const op = opExchange
	id, secret := acct.Credentials[channel.CredClientID], acct.Credentials[channel.CredClientSecret]
	if id == "" || secret == "" {
		return nil, time.Time{}, errorf(channel.Permanent, op, "no OAuth app registered on the instance (client id and secret)")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"client_id":     {id},
		"client_secret": {secret},
		"redirect_uri":  {redirectURI},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	var out tokenAnswer
	if _, err := c.call(ctx, acct, op, request{method: http.MethodPost, path: "/oauth/token", form: form}, &out); err != nil {
		return nil, time.Time{}, nothingPublished(err)
	}
	if out.AccessToken == "" {
		return nil, time.Time{}, errorf(channel.Retryable, op, "the instance answered without an access token")
	}
	creds := maps.Clone(acct.Credentials)
	if creds == nil {
		creds = channel.Credentials{}
	}
	creds[channel.CredToken] = out.AccessToken
	if out.RefreshToken != "" {
		creds[channel.CredRefreshToken] = out.RefreshToken
	}
	var expires time.Time
	if out.ExpiresIn > 0 {
		from := c.now()
		if out.CreatedAt > 0 {
			from = time.Unix(out.CreatedAt, 0)
		}
		expires = from.Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return creds, expires, nil
}

// appAnswer is the Application entity with its client credentials.
//
// Specs: https://docs.joinmastodon.org/entities/Application/
type appAnswer struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// RegisterApp registers Piazza as an OAuth app on an instance (once per
// instance and redirect URI): the client id and secret go into the
// account's Credentials (CredClientID, CredClientSecret) before
// AuthorizeURL. A nil client means one from httpx with its SSRF guard.
//
// Specs: https://docs.joinmastodon.org/methods/apps/#create
func RegisterApp(ctx context.Context, client *http.Client, baseURL, name, redirectURI, website string) (clientID, clientSecret string, err error) {
	const op = opRegister
	c := New(client)
	form := url.Values{
		"client_name":   {strings.TrimSpace(name)},
		"redirect_uris": {redirectURI},
		"scopes":        {Scopes},
	}
	if website != "" {
		form.Set("website", website)
	}
	var out appAnswer
	acct := channel.Account{Platform: channel.Mastodon, BaseURL: baseURL}
	if _, err := c.call(ctx, acct, op, request{method: http.MethodPost, path: "/api/v1/apps", form: form}, &out); err != nil {
		return "", "", nothingPublished(err)
	}
	if out.ClientID == "" || out.ClientSecret == "" {
		return "", "", errorf(channel.Retryable, op, "the instance answered without client credentials")
	}
	return out.ClientID, out.ClientSecret, nil
}
