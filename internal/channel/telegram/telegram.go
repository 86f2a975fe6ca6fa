// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package telegram is the connector of Telegram channels through the Bot
// API: the organisation's bot, an administrator of the channel with the
// right to post, publishes text, photos, videos and albums, corrects and
// deletes them.
//
// Account.Handle is the channel: "@username" (also accepted as "username"
// or "https://t.me/username") or its numeric id ("-1001234567890").
// Account.Credentials[channel.CredToken] is the bot token from @BotFather.
// Requests go to {BaseURL}/bot{token}/{method}.
//
// The author's plain text is sent with parse_mode "HTML", escaped by
// FormatHTML. Links stay plain text: Telegram turns them into links by
// itself, and an inline <a href> link would make the apps ask "Open this
// link?" before following it. The Bot API cannot read a channel's history,
// so there is no Finder, and nothing makes a retry idempotent.
package telegram

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// DefaultBaseURL is the Bot API's root, used when Account.BaseURL is empty.
const DefaultBaseURL = "https://api.telegram.org"

// The Bot API's limits. Text lengths are counted by Count.
const (
	// MaxText is sendMessage's limit: "1-4096 characters after entities
	// parsing".
	MaxText = 4096
	// MaxCaption is the limit of a photo's or video's caption: "0-1024
	// characters after entities parsing".
	MaxCaption = 1024
	// MaxMedia is sendMediaGroup's limit: "must include 2-10 items".
	MaxMedia = 10
	// MaxPhotoBytes: "The photo must be at most 10 MB in size."
	MaxPhotoBytes = 10 << 20
	// MaxVideoBytes: "Bots can currently send video files of up to 50 MB
	// in size".
	MaxVideoBytes = 50 << 20
	// MaxPhotoSide keeps a photo within "width and height must not exceed
	// 10000 in total" whatever its shape.
	MaxPhotoSide = 5000
)

// Connector publishes to Telegram channels. It is safe for concurrent use.
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

// Platform is channel.Telegram.
func (*Connector) Platform() channel.Platform { return channel.Telegram }

// Capabilities of a bot in a channel: no Finder (the Bot API has no way to
// read the channel's messages), so an unknown outcome is settled by a
// person. Citizens write to the bot in private chats, answered in the same
// chat: there are no public comments to answer in private or to moderate.
// A bot without a public webhook address is polled.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Edit: true, Delete: true, Images: true, Video: true,
		LinkCard: true, CheckAccount: true, Reply: true, Poll: true}
}

// Limits of the Bot API. Telegram has no alternative text for media.
func (*Connector) Limits(channel.Account) channel.Limits {
	return channel.Limits{
		MaxText: MaxText, MaxTextWithMedia: MaxCaption, TextUnit: "characters",
		MaxImages: MaxMedia, MaxVideos: MaxMedia, MixMedia: true,
		ImageTypes:    []string{"image/jpeg", "image/png", "image/webp"},
		VideoTypes:    []string{"video/mp4"},
		MaxImageBytes: MaxPhotoBytes, MaxVideoBytes: MaxVideoBytes, MaxImageSide: MaxPhotoSide,
	}
}

// Count is the package's Count.
func (*Connector) Count(_ channel.Account, text string) int { return Count(text) }

// Count returns the length of text as the Bot API counts it against
// MaxText and MaxCaption. The documentation says "characters after
// entities parsing"; the Bot API server (tdlib) measures them as Unicode
// code points (utf8_length in td/telegram/MessageContent.cpp), after it
// has cleaned the text (clean_input_string: control characters become
// spaces, '\r' and a few invisible marks are dropped) and trimmed spaces
// and newlines at both ends (fix_formatted_text). FormatHTML's entities
// decode back to one character each, so the plain text is what counts.
func Count(text string) int {
	return utf8.RuneCountInString(plain(text))
}

// plain is text as Telegram stores it: cleaned and trimmed.
func plain(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\r':
			// dropped
		case r < ' ' && r != '\n':
			b.WriteByte(' ')
		case r >= 0x2028 && r <= 0x202E: // line/paragraph separators, bidi embeddings
		case r == 0x030A || r == 0x0333 || r == 0x033F: // combining marks Telegram removes
		default:
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), " \n")
}

// htmlEscaper escapes the three characters the Bot API's HTML style
// requires: "All <, > and & symbols that are not a part of a tag or an
// HTML entity must be replaced with the corresponding HTML entities".
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// FormatHTML turns the author's plain text into the Bot API's HTML style,
// for parse_mode "HTML": it escapes &, < and > and nothing else, so the
// message reads exactly as written. Invalid UTF-8, which Telegram refuses,
// becomes U+FFFD.
//
// Specs: https://core.telegram.org/bots/api#html-style
func FormatHTML(text string) string {
	return htmlEscaper.Replace(strings.ToValidUTF8(text, "\uFFFD"))
}
