// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// user is the authenticated user of GET /2/users/me.
type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// me reads the user the access token belongs to.
//
// Specs: https://developer.x.com/en/docs/twitter-api/users/lookup/api-reference/get-users-me
func (c *Connector) me(ctx context.Context, acct channel.Account, token, op string) (user, error) {
	var a struct {
		Data user `json:"data"`
	}
	if err := c.call(ctx, acct, request{op: op, method: http.MethodGet, path: "/2/users/me", token: token}, &a); err != nil {
		return user{}, err
	}
	if !idRe.MatchString(a.Data.ID) || !usernameRe.MatchString(a.Data.Username) {
		return user{}, &channel.Error{Kind: channel.Retryable, Platform: channel.X, Op: op,
			Message: "X answered without the user's id or username"}
	}
	return a.Data, nil
}

// CheckCredentials reads the user the access token belongs to
// (GET /2/users/me): its name, @username and profile link, and, as
// Settings, its id (SettingUserID, for Find) and username
// (SettingUsername, for the links to posts). When Account.Handle names a
// user, the token must be that user's: publishing on another account is
// an Auth error.
//
// Specs: https://developer.x.com/en/docs/twitter-api/users/lookup/api-reference/get-users-me
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = "check"
	token, cerr := tokenOf(acct, op)
	if cerr != nil {
		return channel.Identity{}, cerr
	}
	u, err := c.me(ctx, acct, token, op)
	if err != nil {
		return channel.Identity{}, err
	}
	h := strings.TrimSpace(acct.Handle)
	switch name, isName := strings.CutPrefix(h, "@"); {
	case h == "":
	case idRe.MatchString(h) && !isName:
		if h != u.ID {
			return channel.Identity{}, mismatch(op, h, u)
		}
	case !strings.EqualFold(name, u.Username):
		return channel.Identity{}, mismatch(op, h, u)
	}
	return channel.Identity{
		Name:     u.Name,
		Handle:   "@" + u.Username,
		URL:      "https://x.com/" + u.Username,
		Settings: map[string]string{SettingUserID: u.ID, SettingUsername: u.Username},
	}, nil
}

// mismatch is the error of a token that belongs to another user.
func mismatch(op, handle string, u user) *channel.Error {
	return &channel.Error{Kind: channel.Auth, Platform: channel.X, Op: op,
		Message: fmt.Sprintf("the access token belongs to @%s (id %s), not to %s: connect the right X account", u.Username, u.ID, handle)}
}
