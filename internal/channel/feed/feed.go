// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package feed is the connector of the organisation's own Atom feed of
// published posts (/o/{slug}/feeds/posts.atom). Nothing travels over the
// network: publishing records the entry, which the feed then lists from
// the publications table, so the institutional site and the local press
// can follow the channel without a social network in between.
package feed

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
)

// MaxText bounds an entry: a feed has no limit of its own, but an entry is
// a post, not a document (the institutional site keeps those).
const MaxText = 20000

// Connector publishes entries of the Atom feed.
type Connector struct{ now func() time.Time }

// New returns the feed connector.
func New() *Connector { return &Connector{now: time.Now} }

// Platform is channel.Feed.
func (*Connector) Platform() channel.Platform { return channel.Feed }

// Capabilities: entries are edited and removed in place.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Edit: true, Delete: true, Images: true, Idempotent: true, LinkCard: true}
}

// Limits of a feed entry; images become enclosures.
func (*Connector) Limits(channel.Account) channel.Limits {
	return channel.Limits{MaxText: MaxText, TextUnit: "characters", MaxImages: 4,
		ImageTypes:    []string{"image/jpeg", "image/png", "image/webp", "image/gif"},
		MaxImageBytes: 10 << 20, AltTextSupported: true, MaxAltText: 1000, MaxImageSide: 4096}
}

// Count counts characters.
func (*Connector) Count(_ channel.Account, text string) int { return utf8.RuneCountInString(text) }

// Publish records nothing by itself: the publication row is the entry.
// The entry's id is the publication's key, its URL the feed's with the
// key as fragment (Account.BaseURL is the feed URL).
func (c *Connector) Publish(_ context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	return channel.Published{RemoteID: p.Key, URL: acct.BaseURL + "#" + p.Key, At: c.now()}, nil
}

// Edit updates the entry: the feed reads the corrected variant.
func (c *Connector) Edit(_ context.Context, _ channel.Account, remote channel.Published, _ channel.Post) (channel.Published, error) {
	remote.At = c.now()
	return remote, nil
}

// Delete removes the entry: the feed skips deleted publications.
func (*Connector) Delete(context.Context, channel.Account, channel.Published) error { return nil }
