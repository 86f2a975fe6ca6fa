// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package bluesky is the connector of Bluesky accounts through the AT
// Protocol's XRPC API on the account's PDS: it publishes posts with
// images or a link card, deletes them, finds them again by their record
// key and checks the app password.
//
// Account.BaseURL is the PDS (DefaultBaseURL, https://bsky.social, when
// empty); Account.Handle is the handle ("comune.bsky.social") or the DID;
// Account.Credentials[channel.CredAppPassword] is an app password. The
// connector keeps one session per account (createSession, renewed with
// refreshSession when the PDS answers ExpiredToken, created anew when the
// refresh fails), since the PDS rate-limits createSession tightly.
//
// A post is an app.bsky.feed.post record whose record key Piazza chooses
// (RecordKey, derived from Post.Key): a retry of the same post hits the
// record already there instead of creating a second one, so publishing is
// idempotent, and Find settles an unknown outcome with getRecord. Bluesky
// posts cannot be edited. The author's plain text is sent as is, with
// facets (Facets) that make links, @mentions and #hashtags live, as the
// Bluesky app detects them. Published.RemoteID is the record's at:// URI.
package bluesky

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rivo/uniseg"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// DefaultBaseURL is Bluesky's own PDS entryway, used when Account.BaseURL
// is empty.
const DefaultBaseURL = "https://bsky.social"

// Collection is the NSID of a post record.
const Collection = "app.bsky.feed.post"

// The platform's limits.
const (
	// MaxGraphemes and MaxTextBytes are app.bsky.feed.post's text limits:
	// "maxLength": 3000 (UTF-8 bytes) and "maxGraphemes": 300.
	//
	// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
	MaxGraphemes = 300
	MaxTextBytes = 3000
	// MaxImages is app.bsky.embed.images' "maxLength": 4.
	MaxImages = 4
	// MaxImageBytes is the blob limit of an embedded image. The lexicon
	// allows 2,000,000 bytes since April 2026 ("May be up to 2 MB, formerly
	// limited to 1 MB"), but a PDS that has not been updated, as a
	// self-hosted one may be, still refuses more than 1,000,000: the old
	// limit is the one every PDS accepts.
	//
	// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
	MaxImageBytes = 1_000_000
	// MaxThumbBytes is app.bsky.embed.external's thumb "maxSize".
	MaxThumbBytes = 1_000_000
	// MaxAltText has no limit in the lexicon; the Bluesky app stops the
	// author at 2000 characters, and so does Piazza.
	MaxAltText = 2000
	// MaxImageSide is the side the Bluesky app scales images down to
	// before upload (POST_IMG_MAX in bluesky-social/social-app: 2000 px,
	// 1,000,000 bytes).
	MaxImageSide = 2000
)

// Connector publishes to Bluesky. It is safe for concurrent use.
type Connector struct {
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	sessions map[string]*sessionSlot
}

// New returns the connector; a nil client means one from httpx with its
// SSRF guard.
func New(c *http.Client) *Connector {
	if c == nil {
		c = httpx.NewClient(httpx.Options{})
	}
	return &Connector{client: c, now: time.Now, sessions: map[string]*sessionSlot{}}
}

// Platform is channel.Bluesky.
func (*Connector) Platform() channel.Platform { return channel.Bluesky }

// Capabilities of a Bluesky account: no editing (a post record cannot be
// changed once published), no video yet. Mentions and replies are polled
// and answered in public only (direct messages are Bluesky chat, which
// Piazza does not use); another account's post cannot be hidden or deleted.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Delete: true, Images: true, LinkCard: true,
		Find: true, Idempotent: true, CheckAccount: true, Reply: true, Poll: true}
}

// Limits of a post. Count measures text in graphemes (and makes a text
// over MaxTextBytes count as too long as well).
func (*Connector) Limits(channel.Account) channel.Limits {
	return channel.Limits{
		MaxText: MaxGraphemes, TextUnit: "graphemes",
		MaxImages:        MaxImages,
		ImageTypes:       []string{"image/jpeg", "image/png", "image/webp"},
		MaxImageBytes:    MaxImageBytes,
		MaxImageSide:     MaxImageSide,
		MaxAltText:       MaxAltText,
		AltTextSupported: true,
	}
}

// Count is the package's Count.
func (*Connector) Count(_ channel.Account, text string) int { return Count(text) }

// Count returns the length of text against MaxGraphemes, as the PDS
// measures it when it validates the record: extended grapheme clusters
// (UAX #29) of the text as sent (invalid UTF-8 becomes U+FFFD, see Text).
// The PDS counts them with unicode-segmenter; uniseg follows the same
// rules of Unicode 15.0, without the later rule that joins Indic
// conjuncts (GB9c), so a Devanagari conjunct may count one grapheme more
// here than on the PDS: never less. Links count in full: Bluesky shortens
// nothing that the author does not shorten.
//
// The lexicon also bounds the text to MaxTextBytes UTF-8 bytes, which
// only a text of long clusters (emoji sequences, stacked combining marks)
// reaches before 300 graphemes. The contract has a single limit, so a
// text over MaxTextBytes counts at least ceil(bytes/10), more than
// MaxGraphemes: the editor then reports it too long. Below that the count
// is exactly the number of graphemes.
func Count(text string) int {
	text = Text(text)
	n := uniseg.GraphemeClusterCount(text)
	if len(text) > MaxTextBytes {
		n = max(n, (len(text)+9)/10)
	}
	return n
}

// Text is the text as the connector sends it: the author's text with
// invalid UTF-8 replaced by U+FFFD, so that facet byte offsets and the
// count match what the PDS stores.
func Text(text string) string { return strings.ToValidUTF8(text, "\uFFFD") }

// op names used in errors.
const (
	opPublish = "publish"
	opDelete  = "delete"
	opFind    = "find"
	opCheck   = "check"
)
