// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mastodon is the connector of Mastodon accounts, on any
// instance, through Mastodon's REST API: it publishes statuses with
// images or a video, corrects them in place, deletes them, finds them
// again after an unknown outcome, checks the account and learns the
// instance's own limits, and connects accounts with OAuth (an app
// registered on the instance with RegisterApp, then "Collega account").
//
// Account.BaseURL is the instance (https://mastodon.example): there is no
// default instance, and DefaultBaseURL is empty only so that the
// connector has the same shape as the others; a call without BaseURL
// fails with a Permanent error. Account.Credentials[channel.CredToken] is
// the user's access token (Bearer); CredClientID and CredClientSecret are
// the OAuth app registered on that instance, needed only to connect.
// Mastodon's tokens do not expire, so there is no Refresher.
//
// Limits are the instance's own: CheckCredentials reads them from
// GET /api/v2/instance into Identity.Settings (the channel.Setting* keys
// and this package's Setting* keys), and Limits reads them back from
// Account.Settings, with Mastodon's defaults for what is missing. Count
// measures text as the server does (see Count).
//
// Publishing sends the header Idempotency-Key: Post.Key, which Mastodon
// keeps for an hour: a retry within the hour returns the status already
// created instead of a second one. Mastodon builds the link card itself
// from the first link of the text, so the post's link (Post.Link.URL) is
// appended to the text when the text does not hold it already (see
// ComposeText); it then counts 23 characters like any link.
package mastodon

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// DefaultBaseURL is empty: every Mastodon account names its instance in
// Account.BaseURL, and there is no instance to fall back on.
const DefaultBaseURL = ""

// Scopes are the OAuth scopes Piazza asks for: reading the account and
// its statuses, writing statuses and media.
const Scopes = "read write"

// Mastodon's defaults, used when Account.Settings has no value (an
// account never checked, or an instance that does not say).
//
// Specs: https://docs.joinmastodon.org/entities/Instance/#configuration
const (
	DefaultMaxCharacters = 500
	DefaultURLLength     = 23 // characters_reserved_per_url
	DefaultMaxMedia      = 4  // max_media_attachments
	DefaultImageMaxBytes = 16 << 20
	DefaultVideoMaxBytes = 99 << 20
	DefaultAltTextMax    = 1500 // media_attachments.description_limit
	// DefaultImageMatrix is image_matrix_limit, in pixels: Mastodon scales
	// down a larger image.
	DefaultImageMatrix = 16_777_216
)

// DefaultImageTypes and DefaultVideoTypes are Mastodon's
// MediaAttachment::IMAGE_MIME_TYPES and VIDEO_MIME_TYPES.
var (
	DefaultImageTypes = []string{"image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp", "image/avif"}
	DefaultVideoTypes = []string{"video/webm", "video/mp4", "video/quicktime", "video/ogg"}
)

// Setting names of this package in Account.Settings, beside
// channel.SettingMaxChars, SettingURLLength, SettingMaxMedia and
// SettingImageMaxBytes.
const (
	SettingVideoMaxBytes = "video_max_bytes"    // media_attachments.video_size_limit
	SettingImageTypes    = "image_types"        // image types of supported_mime_types, comma-separated
	SettingVideoTypes    = "video_types"        // video types of supported_mime_types, comma-separated
	SettingAltTextMax    = "alt_text_max"       // media_attachments.description_limit
	SettingImageMatrix   = "image_matrix_limit" // media_attachments.image_matrix_limit
	SettingAccountID     = "account_id"         // the account's id on the instance, for Find
	SettingVersion       = "version"            // the instance's Mastodon version
)

// Connector publishes to Mastodon. It is safe for concurrent use: it
// keeps nothing between calls, everything comes from the Account.
type Connector struct {
	client *http.Client
	now    func() time.Time
	// pollInterval is the first wait before asking whether an uploaded
	// video is processed; it doubles up to maxPollInterval.
	pollInterval time.Duration
}

// maxPollInterval bounds the wait between two looks at a video being
// processed.
const maxPollInterval = 5 * time.Second

// New returns the connector; a nil client means one from httpx with its
// SSRF guard.
func New(c *http.Client) *Connector {
	if c == nil {
		c = httpx.NewClient(httpx.Options{})
	}
	return &Connector{client: c, now: time.Now, pollInterval: 500 * time.Millisecond}
}

// Platform is channel.Mastodon.
func (*Connector) Platform() channel.Platform { return channel.Mastodon }

// Capabilities of a Mastodon account: everything but token refresh.
// Mentions are polled and answered, in private with a direct status; the
// API gives an account no way to hide or delete another's status (that is
// the instance moderators' work).
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Edit: true, Delete: true, Images: true, Video: true, LinkCard: true,
		Find: true, Idempotent: true, CheckAccount: true, Reply: true, ReplyPrivate: true, Poll: true}
}

// instanceLimits are an instance's limits as Account.Settings hold them.
type instanceLimits struct {
	maxChars, urlLength, maxMedia, altText, matrix int
	imageBytes, videoBytes                         int64
	imageTypes, videoTypes                         []string
}

// limitsOf reads the instance's limits from the account's settings.
func limitsOf(acct channel.Account) instanceLimits {
	num := func(key string, def int) int {
		if n, err := strconv.Atoi(strings.TrimSpace(acct.Settings[key])); err == nil && n > 0 {
			return n
		}
		return def
	}
	types := func(key string, def []string) []string {
		var out []string
		for t := range strings.SplitSeq(acct.Settings[key], ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		if len(out) == 0 {
			return slices.Clone(def)
		}
		return out
	}
	return instanceLimits{
		maxChars:   num(channel.SettingMaxChars, DefaultMaxCharacters),
		urlLength:  num(channel.SettingURLLength, DefaultURLLength),
		maxMedia:   num(channel.SettingMaxMedia, DefaultMaxMedia),
		altText:    num(SettingAltTextMax, DefaultAltTextMax),
		matrix:     num(SettingImageMatrix, DefaultImageMatrix),
		imageBytes: int64(num(channel.SettingImageMaxBytes, DefaultImageMaxBytes)),
		videoBytes: int64(num(SettingVideoMaxBytes, DefaultVideoMaxBytes)),
		imageTypes: types(SettingImageTypes, DefaultImageTypes),
		videoTypes: types(SettingVideoTypes, DefaultVideoTypes),
	}
}

// Limits of a status on the account's instance. A status carries up to
// max_media_attachments images, or one video alone (Mastodon refuses a
// video beside anything else). MaxImageSide is the side of a square of
// image_matrix_limit pixels: an image no longer than that on any side is
// never scaled down by Mastodon. Alternative text counts code points, as
// Mastodon's length validation of the description does.
func (*Connector) Limits(acct channel.Account) channel.Limits {
	l := limitsOf(acct)
	return channel.Limits{
		MaxText: l.maxChars, TextUnit: "graphemes",
		MaxImages: l.maxMedia, MaxVideos: 1,
		ImageTypes: l.imageTypes, VideoTypes: l.videoTypes,
		MaxImageBytes: l.imageBytes, MaxVideoBytes: l.videoBytes,
		MaxImageSide:     isqrt(l.matrix),
		MaxAltText:       l.altText,
		AltTextSupported: true,
	}
}

// isqrt is the integer square root of n ≥ 0.
func isqrt(n int) int {
	r := 0
	for b := 1 << 30; b > 0; b >>= 1 {
		if (r+b)*(r+b) <= n {
			r += b
		}
	}
	return r
}

// Count is the package's Count with the instance's characters per link.
// It counts the text alone: a link card URL that Publish appends (see
// ComposeText) is not part of it.
func (*Connector) Count(acct channel.Account, text string) int {
	return Count(text, limitsOf(acct).urlLength)
}

// Text is the text as the connector sends it: invalid UTF-8 replaced by
// U+FFFD, as JSON encoding would.
func Text(text string) string { return strings.ToValidUTF8(text, "\uFFFD") }

// ComposeText is the status text Publish and Edit send for p: the
// author's text, then, when the post has a link that the text does not
// already hold, a blank line and the link, from which Mastodon builds the
// link card (it previews the first link of a status, so a text with links
// of its own shows the card of its first one).
func ComposeText(p channel.Post) string {
	text := Text(p.Text)
	if p.Link == nil {
		return text
	}
	u := strings.TrimSpace(Text(p.Link.URL))
	if u == "" || strings.Contains(text, u) {
		return text
	}
	if strings.TrimSpace(text) == "" {
		return u
	}
	return strings.TrimRight(text, " \t\r\n") + "\n\n" + u
}

// op names used in errors.
const (
	opPublish  = "publish"
	opEdit     = "edit"
	opDelete   = "delete"
	opFind     = "find"
	opCheck    = "check"
	opExchange = "exchange"
	opRegister = "register"
)
