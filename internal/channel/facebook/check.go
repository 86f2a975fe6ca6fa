// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/piazza-pa/piazza/internal/channel"
)

// node is the id and name of a Graph node (a user or a Page).
type node struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// pageInfo is the part of a Page node CheckCredentials reads.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page
type pageInfo struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Link     string `json:"link"`
	FanCount int    `json:"fan_count"`
}

// CheckCredentials verifies that the token is a Page access token of the
// account's Page: GET /me answers the Page itself for a Page token (a user
// token answers the person, another Page's token that Page), then
// GET /{page-id} reads its name and link. Only what a Page token may do is
// asked; /debug_token would need the app's own token.
//
// Specs: https://developers.facebook.com/docs/pages-api/getting-started
// Specs: https://developers.facebook.com/docs/graph-api/reference/page
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = "check"
	page, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return channel.Identity{}, cerr
	}
	var me node
	if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: "me",
		query: url.Values{"fields": {"id,name"}}, token: token}, &me); err != nil {
		return channel.Identity{}, err
	}
	if me.ID != page {
		return channel.Identity{}, &channel.Error{Kind: channel.Auth, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("the token belongs to %q (%s), not to the Page %s: it must be that Page's access token",
				me.Name, me.ID, page)}
	}
	var info pageInfo
	if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: page,
		query: url.Values{"fields": {"id,name,link,fan_count"}}, token: token}, &info); err != nil {
		return channel.Identity{}, err
	}
	id := channel.Identity{Name: info.Name, Handle: page, URL: info.Link}
	if id.URL == "" {
		id.URL = PostURL(page)
	}
	return id, nil
}
