// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"context"
	"net/url"

	"github.com/piazza-pa/piazza/internal/channel"
)

// profile is the part of app.bsky.actor.defs#profileViewDetailed the
// connector reads.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile
type profile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
}

// CheckCredentials logs in with the app password (a new session, which
// replaces the cached one, so a changed or revoked password shows at
// once) and reads the account's profile: its display name, @handle and
// public page. A profile the AppView refuses to show (an account it has
// not indexed yet) does not fail the check: the session's handle serves.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = opCheck
	s, err := c.createSession(ctx, acct, op)
	if err != nil {
		return channel.Identity{}, err
	}
	sl := c.slot(acct)
	if err := sl.acquire(ctx, op); err != nil {
		return channel.Identity{}, err
	}
	sl.s = s
	sl.release()
	pr, err := c.getProfile(ctx, acct, op, s.DID)
	if err != nil && channel.KindOf(err) != channel.Permanent {
		return channel.Identity{}, err
	}
	handle := pr.Handle
	if handle == "" {
		handle = s.profileHandle()
	}
	name := pr.DisplayName
	if name == "" {
		name = handle
	}
	return channel.Identity{Name: name, Handle: "@" + handle, URL: "https://bsky.app/profile/" + handle}, nil
}

// getProfile reads a profile; the PDS passes the call on to the Bluesky
// AppView.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile
func (c *Connector) getProfile(ctx context.Context, acct channel.Account, op, actor string) (profile, error) {
	var pr profile
	err := c.authed(ctx, acct, op, func(s *session) error {
		return c.call(ctx, acct, op, request{method: "app.bsky.actor.getProfile", query: url.Values{"actor": {actor}},
			token: s.AccessJwt}, &pr)
	})
	return pr, err
}
