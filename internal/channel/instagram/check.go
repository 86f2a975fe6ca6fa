// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// userInfo is the part of an IG User CheckCredentials reads.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user
type userInfo struct {
	ID                string `json:"id"`
	Username          string `json:"username"`
	Name              string `json:"name"`
	ProfilePictureURL string `json:"profile_picture_url"`
}

// CheckCredentials reads the professional account with the token:
// GET /{ig-user-id}?fields=id,username,name,profile_picture_url. The
// identity is the account's name (its username when it has none), its id
// as Handle, and its public profile.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user
func (c *Connector) CheckCredentials(ctx context.Context, acct channel.Account) (channel.Identity, error) {
	const op = "check"
	user, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return channel.Identity{}, cerr
	}
	var u userInfo
	if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: user,
		query: url.Values{"fields": {"id,username,name,profile_picture_url"}}, token: token}, &u); err != nil {
		return channel.Identity{}, err
	}
	if u.ID != user || u.Username == "" {
		return channel.Identity{}, &channel.Error{Kind: channel.Auth, Platform: channel.Instagram, Op: op,
			Message: fmt.Sprintf("%s is not an Instagram professional account this token can reach", user)}
	}
	id := channel.Identity{Name: u.Name, Handle: u.ID, URL: "https://www.instagram.com/" + url.PathEscape(u.Username) + "/"}
	if id.Name == "" {
		id.Name = "@" + u.Username
	}
	return id, nil
}

// Quota is the account's use of its content publishing limit.
type Quota struct {
	Used  int           // posts published through the API in the window
	Total int           // posts allowed in the window
	Span  time.Duration // the moving window, 24 hours
}

// Left is how many posts may still be published now.
func (q Quota) Left() int { return max(q.Total-q.Used, 0) }

// quotaAnswer is the answer of GET /{ig-user-id}/content_publishing_limit.
type quotaAnswer struct {
	Data []struct {
		QuotaUsage int `json:"quota_usage"`
		Config     struct {
			QuotaTotal    int `json:"quota_total"`
			QuotaDuration int `json:"quota_duration"`
		} `json:"config"`
	} `json:"data"`
}

// PublishingLimit reads how many posts the account has published through
// the API in the moving 24 hours, and how many it may: media_publish
// refuses more (code 9, subcode 2207042).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
func (c *Connector) PublishingLimit(ctx context.Context, acct channel.Account) (Quota, error) {
	const op = "quota"
	user, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return Quota{}, cerr
	}
	var a quotaAnswer
	if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: user + "/content_publishing_limit",
		query: url.Values{"fields": {"config,quota_usage"}}, token: token}, &a); err != nil {
		return Quota{}, err
	}
	q := Quota{Total: PublishLimit, Span: 24 * time.Hour}
	if len(a.Data) > 0 {
		d := a.Data[0]
		q.Used = d.QuotaUsage
		if d.Config.QuotaTotal > 0 {
			q.Total = d.Config.QuotaTotal
		}
		if d.Config.QuotaDuration > 0 {
			q.Span = time.Duration(d.Config.QuotaDuration) * time.Second
		}
	}
	return q, nil
}
