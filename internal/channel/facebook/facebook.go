// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package facebook is the connector of Facebook Pages through Meta's Graph
// API: it publishes text (with a link card), one photo, an album of photos
// or a video on the organisation's Page, corrects a post's text, deletes
// it, finds it again among the Page's latest posts, and connects the Page
// with Facebook Login ("Collega account").
//
// Account.Handle is the Page id (numeric). Account.Credentials[channel.CredToken]
// is a Page access token of that Page; the connector sends it in the
// Authorization header ("Bearer"), never in a URL. CredUserToken holds the
// long-lived user token that Facebook Login gave, from which Page tokens
// are read (PageTokens) and which Refresh renews; CredClientID and
// CredClientSecret are the Meta app's id and secret.
//
// Every path carries the Graph API version APIVersion. The author's text
// is plain text on Facebook: there is no markup to escape, and Format only
// makes it valid UTF-8 without stray control characters.
package facebook

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// APIVersion is the Graph API version in every path. Meta keeps a version
// for about two years after the next one ships; v23.0 (May 2025) is the
// one this connector and its fake were written against.
const APIVersion = "v23.0"

// Where requests go when Account.BaseURL is empty. A non-empty BaseURL (a
// fake, a sandbox account) serves all of them.
const (
	// DefaultBaseURL is the Graph API's root.
	DefaultBaseURL = "https://graph.facebook.com"
	// DefaultVideoBaseURL is the host Meta documents for video uploads
	// (POST /{page-id}/videos).
	DefaultVideoBaseURL = "https://graph-video.facebook.com"
	// DialogBaseURL is where the browser goes for Facebook Login's dialog.
	// Account.Settings[SettingDialogBaseURL] overrides it, and so does
	// Account.BaseURL (the fake serves the dialog too).
	DialogBaseURL = "https://www.facebook.com"
)

// SettingDialogBaseURL names the Account.Settings entry that replaces
// DialogBaseURL.
const SettingDialogBaseURL = "dialog_base_url"

// CredUserToken names the long-lived user access token in Credentials.
const CredUserToken = "user_token"

// Scopes are the permissions "Collega account" asks for: publishing and
// reading the Page, its comments and messages, and the Instagram
// professional account linked to it. instagram_manage_contents lets the
// Instagram connector delete media (DELETE /{ig-media-id}, since December
// 2025).
var Scopes = []string{
	"pages_manage_posts", "pages_read_engagement", "pages_manage_engagement", "pages_read_user_content",
	"pages_messaging", "instagram_basic", "instagram_content_publish", "instagram_manage_contents",
}

// The limits of a Page post.
const (
	// MaxText is the longest message of a post, 63,206 characters; the
	// Graph API documents no unit, so Count counts code points.
	MaxText = 63206
	// MaxImages is Piazza's own bound on photos per post. Facebook takes
	// more in attached_media, but ten keeps an album readable and matches
	// what Instagram and Telegram accept, so one variant fits all three.
	MaxImages = 10
	// MaxImageBytes: "Photos should be less than 4 MB".
	MaxImageBytes = 4_000_000
	// MaxVideoBytes is what a single non-resumable upload carries (1 GB);
	// larger videos need the resumable upload, which the connector does
	// not use.
	MaxVideoBytes = 1 << 30
	// MaxImageSide is the longest side Facebook keeps (2048 px); larger
	// photos are scaled down.
	MaxImageSide = 2048
)

// Connector publishes to Facebook Pages. It is safe for concurrent use.
type Connector struct {
	client *http.Client
	now    func() time.Time
}

// New returns the connector; a nil client means one from httpx with its
// SSRF guard.
func New(c *http.Client) *Connector {
	if c == nil {
		c = httpx.NewClient(httpx.Options{})
	}
	return &Connector{client: c, now: time.Now}
}

// Platform is channel.Facebook.
func (*Connector) Platform() channel.Platform { return channel.Facebook }

// Capabilities of a Page: everything but idempotency, since the Graph API
// keeps no key of ours; Find settles an unknown outcome instead. Comments
// and Messenger messages arrive by webhook; a comment is answered in
// public or privately, hidden or deleted.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Edit: true, Delete: true, Images: true, Video: true,
		LinkCard: true, Find: true, CheckAccount: true, Refresh: true,
		Reply: true, ReplyPrivate: true, Hide: true, DeleteComment: true}
}

// Limits of a Page post: up to MaxImages photos or one video, not both.
func (*Connector) Limits(channel.Account) channel.Limits {
	return channel.Limits{
		MaxText: MaxText, TextUnit: "characters",
		MaxImages: MaxImages, MaxVideos: 1,
		ImageTypes:    []string{"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"},
		VideoTypes:    []string{"video/mp4"},
		MaxImageBytes: MaxImageBytes, MaxVideoBytes: MaxVideoBytes, MaxImageSide: MaxImageSide,
		AltTextSupported: true,
	}
}

// Count is the package's Count.
func (*Connector) Count(_ channel.Account, text string) int { return Count(text) }

// Count returns the length of text against MaxText: the code points of the
// text as Format sends it.
func Count(text string) int { return utf8.RuneCountInString(Format(text)) }

// Format is the author's plain text as the connector sends it: invalid
// UTF-8 becomes U+FFFD, "\r\n" and a lone "\r" become "\n", and control
// characters other than newline and tab are dropped (they would show as
// boxes, or make the request fail).
func Format(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	clean := true
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c < ' ' && c != '\n' && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\r':
			b.WriteByte('\n')
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
		case (c < ' ' && c != '\n' && c != '\t') || c == 0x7f:
			// dropped
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
