// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// dialogBase is where Facebook Login's dialog is for acct.
func dialogBase(acct channel.Account) string {
	if b := strings.TrimRight(strings.TrimSpace(acct.Settings[SettingDialogBaseURL]), "/"); b != "" {
		return b
	}
	if b := strings.TrimRight(strings.TrimSpace(acct.BaseURL), "/"); b != "" {
		return b
	}
	return DialogBaseURL
}

// AuthorizeURL is Facebook Login's dialog for the Meta app of
// acct.Credentials[channel.CredClientID], asking for Scopes. Facebook
// Login's web flow authenticates the app with its secret, so the PKCE
// challenge is not sent.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
func (c *Connector) AuthorizeURL(acct channel.Account, state, redirectURI, _ string) string {
	q := url.Values{
		"client_id":     {acct.Credentials[channel.CredClientID]},
		"redirect_uri":  {redirectURI},
		"state":         {state},
		"response_type": {"code"},
		"scope":         {strings.Join(Scopes, ",")},
	}
	return dialogBase(acct) + "/" + APIVersion + "/dialog/oauth?" + q.Encode()
}

// tokenAnswer is the answer of /oauth/access_token.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// clientOf returns the Meta app's id and secret.
func clientOf(acct channel.Account, op string) (id, secret string, err *channel.Error) {
	id = strings.TrimSpace(acct.Credentials[channel.CredClientID])
	secret = strings.TrimSpace(acct.Credentials[channel.CredClientSecret])
	if id == "" || secret == "" {
		return "", "", &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op,
			Message: "the Meta app's id and secret are missing"}
	}
	return id, secret, nil
}

// accessToken calls /oauth/access_token with params. It is sent as a POST
// form rather than the GET of Meta's examples (the endpoint takes both), so
// that the app secret and the tokens never sit in a URL.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#confirm
func (c *Connector) accessToken(ctx context.Context, acct channel.Account, op string, params url.Values) (tokenAnswer, error) {
	var a tokenAnswer
	err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: "oauth/access_token",
		form: params}, &a)
	if e := channel.AsError(err); e != nil && e.Code == "1" && strings.Contains(e.Message, "client secret") {
		// "Error validating client secret." comes as code 1, which
		// elsewhere means a passing failure: here the app's settings
		// need a person.
		e.Kind = channel.Auth
	}
	if err == nil && a.AccessToken == "" {
		err = &channel.Error{Kind: channel.Retryable, Platform: channel.Facebook, Op: op, Message: "Facebook answered no access token"}
	}
	return a, err
}

// longLived trades a user token for a long-lived one (about 60 days):
// grant_type=fb_exchange_token.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
func (c *Connector) longLived(ctx context.Context, acct channel.Account, op, token string) (tokenAnswer, error) {
	id, secret, cerr := clientOf(acct, op)
	if cerr != nil {
		return tokenAnswer{}, cerr
	}
	return c.accessToken(ctx, acct, op, url.Values{"grant_type": {"fb_exchange_token"}, "client_id": {id},
		"client_secret": {secret}, "fb_exchange_token": {token}})
}

// Exchange trades the code of Facebook Login for a short-lived user token,
// then for a long-lived one, kept as CredUserToken. When the account
// already names its Page (a reconnection), CredToken becomes that Page's
// token, read with the new user token; otherwise it holds the user token
// until the Page is chosen among PageTokens. The expiry is the user
// token's: a Page token read from a long-lived user token does not expire
// by itself, but Refresh renews both before the user token would.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#confirm
func (c *Connector) Exchange(ctx context.Context, acct channel.Account, code, redirectURI, _ string) (channel.Credentials, time.Time, error) {
	const op = "exchange"
	id, secret, cerr := clientOf(acct, op)
	if cerr != nil {
		return nil, time.Time{}, cerr
	}
	short, err := c.accessToken(ctx, acct, op, url.Values{"client_id": {id}, "client_secret": {secret},
		"redirect_uri": {redirectURI}, "code": {code}})
	if err != nil {
		return nil, time.Time{}, err
	}
	long, err := c.longLived(ctx, acct, op, short.AccessToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	return c.withPageToken(ctx, acct, op, long)
}

// Refresh renews the long-lived user token (fb_exchange_token) and reads
// the Page's token again with it.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
func (c *Connector) Refresh(ctx context.Context, acct channel.Account) (channel.Credentials, time.Time, error) {
	const op = "refresh"
	user := strings.TrimSpace(acct.Credentials[CredUserToken])
	if user == "" {
		return nil, time.Time{}, &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op,
			Message: "no user token to renew: connect the account again"}
	}
	long, err := c.longLived(ctx, acct, op, user)
	if err != nil {
		return nil, time.Time{}, err
	}
	return c.withPageToken(ctx, acct, op, long)
}

// withPageToken merges the new user token over acct's credentials, with
// the Page's token as CredToken when the account names its Page.
func (c *Connector) withPageToken(ctx context.Context, acct channel.Account, op string, long tokenAnswer) (channel.Credentials, time.Time, error) {
	creds := maps.Clone(acct.Credentials)
	if creds == nil {
		creds = channel.Credentials{}
	}
	creds[CredUserToken] = long.AccessToken
	creds[channel.CredToken] = long.AccessToken
	var expires time.Time
	if long.ExpiresIn > 0 {
		expires = c.now().UTC().Add(time.Duration(long.ExpiresIn) * time.Second)
	}
	page := strings.TrimSpace(acct.Handle)
	if page == "" {
		return creds, expires, nil
	}
	pages, err := c.pages(ctx, acct, op, long.AccessToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, p := range pages {
		if p.ID == page && p.Token != "" {
			creds[channel.CredToken] = p.Token
			return creds, expires, nil
		}
	}
	return nil, time.Time{}, &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op,
		Message: fmt.Sprintf("the Facebook user who logged in does not manage the Page %s, or did not grant it to the app", page)}
}

// Page is a Facebook Page the logged-in person manages, with its Page
// access token and the Instagram professional account linked to it.
type Page struct {
	ID    string
	Name  string
	Token string
	// Tasks are what the person may do on the Page ("CREATE_CONTENT",
	// "MANAGE", "MODERATE", ...).
	Tasks []string
	// InstagramID and InstagramUsername name the Instagram professional
	// account linked to the Page, if any: the Handle of an Instagram
	// account in Piazza, which uses the same Page token.
	InstagramID       string
	InstagramUsername string
}

// accountsPage is a page of GET /me/accounts.
type accountsPage struct {
	Data []struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		AccessToken string   `json:"access_token"`
		Tasks       []string `json:"tasks"`
		Instagram   *struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"instagram_business_account"`
	} `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// maxAccountPages bounds the pages of /me/accounts read (100 Pages each).
const maxAccountPages = 10

// PageTokens lists the Pages the person behind the account's user token
// (CredUserToken, or CredToken right after Exchange) manages, with their
// Page tokens: what "Collega account" shows to choose the Page to connect.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/user/accounts
func (c *Connector) PageTokens(ctx context.Context, acct channel.Account) ([]Page, error) {
	const op = "pages"
	token := strings.TrimSpace(acct.Credentials[CredUserToken])
	if token == "" {
		token = strings.TrimSpace(acct.Credentials[channel.CredToken])
	}
	if token == "" {
		return nil, &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op, Message: "no user access token"}
	}
	return c.pages(ctx, acct, op, token)
}

// pages reads /me/accounts with a user token.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/user/accounts
func (c *Connector) pages(ctx context.Context, acct channel.Account, op, token string) ([]Page, error) {
	q := url.Values{"fields": {"id,name,access_token,tasks,instagram_business_account{id,username}"},
		"limit": {strconv.Itoa(100)}}
	var out []Page
	for range maxAccountPages {
		var ap accountsPage
		if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: "me/accounts",
			query: q, token: token}, &ap); err != nil {
			return nil, err
		}
		for _, d := range ap.Data {
			p := Page{ID: d.ID, Name: d.Name, Token: d.AccessToken, Tasks: d.Tasks}
			if d.Instagram != nil {
				p.InstagramID, p.InstagramUsername = d.Instagram.ID, d.Instagram.Username
			}
			out = append(out, p)
		}
		if ap.Paging.Next == "" || ap.Paging.Cursors.After == "" || len(ap.Data) == 0 {
			break
		}
		q.Set("after", ap.Paging.Cursors.After)
	}
	return out, nil
}
