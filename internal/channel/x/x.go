// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package x is the connector of X (formerly Twitter) through the X API v2:
// it publishes a post with up to four images or one video (media upload
// v2, alternative text through the metadata endpoint), deletes it, finds it
// again among the account's latest posts, checks the account and connects
// it with OAuth 2.0 Authorization Code with PKCE ("Collega account"),
// renewing the tokens before they expire.
//
// Credentials: channel.CredToken is the OAuth 2.0 user access token, sent
// as "Authorization: Bearer"; channel.CredRefreshToken renews it (X
// rotates refresh tokens: every renewal returns a new one, and the old one
// stops working); channel.CredClientID is the X app's OAuth 2.0 client id
// and channel.CredClientSecret its secret, present only for a confidential
// client. Account.Handle is "@username" or the numeric user id; the user id
// and username learnt by CheckCredentials are kept in Account.Settings
// (SettingUserID, SettingUsername).
//
// Text is plain text on X, with no markup to escape: Format only makes it
// valid NFC UTF-8 without control characters. Its length is counted the way
// X counts it (WeightedLength, twitter-text's configuration v3). X builds a
// link card itself from the last URL in the text, so a Post.Link is
// appended to the text when the text does not already carry it.
package x

import (
	"context"
	"net/http"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// DefaultBaseURL is the X API's root, used when Account.BaseURL is empty.
// A non-empty BaseURL (a fake, a sandbox account) serves every call,
// OAuth's token endpoint and authorization page included.
const DefaultBaseURL = "https://api.x.com"

// DefaultAuthorizeURL is where the browser goes to grant access: it is on
// x.com, not on the API host. Account.Settings[SettingAuthorizeURL]
// replaces it; otherwise a non-empty Account.BaseURL does, with the path
// /i/oauth2/authorize (where the fake serves its consent page).
const DefaultAuthorizeURL = "https://x.com/i/oauth2/authorize"

// Setting names in Account.Settings.
const (
	// SettingUserID is the numeric id of the account's X user, learnt by
	// CheckCredentials: Find reads the user's timeline with it.
	SettingUserID = "x_user_id"
	// SettingUsername is the user's @username without "@", learnt by
	// CheckCredentials: the public links to posts carry it.
	SettingUsername = "x_username"
	// SettingAuthorizeURL replaces DefaultAuthorizeURL (a full URL).
	SettingAuthorizeURL = "x_authorize_url"
)

// Scopes are what "Collega account" asks for: reading and writing posts,
// reading the user, uploading media, and offline.access for a refresh
// token.
var Scopes = []string{"tweet.read", "tweet.write", "users.read", "media.write", "offline.access"}

// The limits of a post.
//
// Specs: https://docs.x.com/x-api/media/quickstart/best-practices
const (
	// MaxText is the longest text in weighted characters
	// (maxWeightedTweetLength of twitter-text's configuration v3). Paying
	// accounts may post longer texts; Piazza keeps to what every account
	// can publish.
	MaxText = 280
	// URLLength is what every link counts for (transformedURLLength): X
	// wraps each link in a t.co link of that length.
	URLLength = 23
	// MaxImages is the number of photos a post holds; an animated GIF or
	// a video is alone.
	MaxImages = 4
	// MaxImageBytes: images up to 5 MB.
	MaxImageBytes = 5 << 20
	// MaxGIFBytes: animated GIFs (media category tweet_gif) up to 15 MB.
	MaxGIFBytes = 15 << 20
	// MaxVideoBytes: videos up to 512 MB.
	MaxVideoBytes = 512 << 20
	// MaxAltText is the longest alternative text, in characters.
	MaxAltText = 1000
)

// Connector publishes to X. It is safe for concurrent use: everything
// specific to a call comes from the channel.Account.
type Connector struct {
	client *http.Client
	now    func() time.Time
	// sleep waits between polls of a video's processing; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns the connector; a nil client means one from httpx with its
// SSRF guard.
func New(c *http.Client) *Connector {
	if c == nil {
		c = httpx.NewClient(httpx.Options{})
	}
	return &Connector{client: c, now: time.Now, sleep: sleepCtx}
}

// Platform is channel.X.
func (*Connector) Platform() channel.Platform { return channel.X }

// Capabilities of an X account. Editing a post through the API is open to
// paying accounts only, so Piazza does not offer it; X keeps no key of
// ours, so Find settles an unknown outcome instead of idempotency. Nothing
// of the citizen desk yet: mentions are neither read nor answered.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Delete: true, Images: true, Video: true, LinkCard: true,
		Find: true, CheckAccount: true, Refresh: true}
}

// Limits of a post: the weighted text, up to four images or one video (not
// both), and alternative text for images.
func (*Connector) Limits(channel.Account) channel.Limits {
	return channel.Limits{
		MaxText: MaxText, TextUnit: "weighted",
		MaxImages: MaxImages, MaxVideos: 1,
		ImageTypes:    []string{"image/jpeg", "image/png", "image/webp", "image/gif"},
		VideoTypes:    []string{"video/mp4"},
		MaxImageBytes: MaxImageBytes, MaxVideoBytes: MaxVideoBytes,
		MaxAltText: MaxAltText, AltTextSupported: true,
	}
}

// Count is the weighted length of text as Publish sends it.
func (*Connector) Count(_ channel.Account, text string) int { return WeightedLength(Format(text)) }

// Validate is channel.ValidateWith plus what Count cannot see: the link
// Publish appends to the text (Post.Link), counted with the text, and an
// animated GIF, which X shows alone.
func (c *Connector) Validate(acct channel.Account, p channel.Post) []channel.Problem {
	problems := channel.ValidateWith(c, acct, p)
	if p.Link != nil && p.Link.URL != "" {
		if n := WeightedLength(Compose(p)); n > MaxText && WeightedLength(Format(p.Text)) <= MaxText {
			problems = append(problems, channel.Problem{Code: channel.ProblemTooLong, Limit: MaxText, Actual: n})
		}
	}
	if gifs(p.Media) > 0 && len(p.Media) > 1 {
		problems = append(problems, channel.Problem{Code: channel.ProblemMixedMedia})
	}
	return problems
}

// gifs counts the GIF images of media.
func gifs(media []channel.Media) int {
	n := 0
	for _, m := range media {
		if m.Kind != channel.Video && m.ContentType == "image/gif" {
			n++
		}
	}
	return n
}
