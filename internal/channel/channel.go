// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package channel is the contract between Piazza's domains and the
// connectors of each platform (internal/channel/<platform>). It holds only
// types and small pure helpers: what a post is on the way out, what a
// platform allows (limits counted the platform's way), what came back, and
// the typed errors the publishing engine acts on.
//
// A connector implements Connector and, for what its platform supports, the
// optional interfaces (CredentialChecker, Editor, Deleter, Finder,
// Refresher; Replier, Moderator and Poller for the citizen desk). Domains
// call an optional capability through a type assertion, and the
// Capabilities of the connector say the same thing as data, for the editor,
// the account page and the desk, which offers only what the platform
// allows.
package channel

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Platform names a social network (or the organisation's own feed).
type Platform string

// The platforms Piazza publishes to. YouTube and TikTok come later: the
// contract carries video media and a title for them.
const (
	Telegram  Platform = "telegram"
	Mastodon  Platform = "mastodon"
	Bluesky   Platform = "bluesky"
	Facebook  Platform = "facebook"
	Instagram Platform = "instagram"
	X         Platform = "x"
	Feed      Platform = "feed" // the organisation's own Atom feed of published posts
)

// Platforms lists every platform in display order.
func Platforms() []Platform {
	return []Platform{Telegram, Facebook, Instagram, X, Mastodon, Bluesky, Feed}
}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool { return slices.Contains(Platforms(), p) }

// Credentials are the secrets of an account (tokens, app passwords), by
// name. They are sealed at rest by the domain that stores them and never
// printed: String and GoString redact the values, so a stray %v in a log
// line shows only the names.
type Credentials map[string]string

// Common credential names; a connector documents which ones it reads.
const (
	CredToken        = "token"         // bot token, access token, page token
	CredRefreshToken = "refresh_token" // OAuth refresh token
	CredAppPassword  = "app_password"  // Bluesky app password
	CredClientID     = "client_id"     // OAuth client (Mastodon app, X app)
	CredClientSecret = "client_secret"
)

func (c Credentials) String() string {
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprintf("Credentials%v(redacted)", names)
}

// GoString redacts for %#v too.
func (c Credentials) GoString() string { return c.String() }

// Account is one connected channel account as a connector sees it.
type Account struct {
	ID       string
	Platform Platform
	// BaseURL is the platform's API root: the Mastodon instance, the Bluesky
	// PDS, a fake server in tests and sandbox accounts. Empty means the
	// connector's default.
	BaseURL string
	// Handle identifies where to publish on the platform: the Telegram
	// channel (@name or numeric id), the Facebook page id, the Instagram
	// business account id, the Bluesky DID or handle, the Mastodon account.
	Handle      string
	Credentials Credentials
	// Settings are non-secret facts learnt when the account was checked,
	// such as a Mastodon instance's own character limit (SettingMaxChars).
	Settings map[string]string
	// Sandbox accounts talk to an in-process fake: they may reach loopback
	// addresses, which the SSRF guard refuses for real accounts.
	Sandbox bool
}

// Setting names stored in Account.Settings.
const (
	SettingMaxChars      = "max_chars"       // the instance's own limit (Mastodon)
	SettingURLLength     = "url_length"      // characters a link counts for (Mastodon)
	SettingMaxMedia      = "max_media"       // attachments per post (Mastodon)
	SettingImageMaxBytes = "image_max_bytes" // the instance's image size limit (Mastodon)
)

// MediaKind is an image or a video.
type MediaKind string

// The media kinds.
const (
	Image MediaKind = "image"
	Video MediaKind = "video"
)

// Media is one attachment, already fitted by the caller to the platform's
// Limits (type, bytes, dimensions).
type Media struct {
	Kind        MediaKind
	ContentType string // image/jpeg, image/png, video/mp4, ...
	Data        []byte
	// URL is where the platform can fetch the file itself: Instagram's
	// Graph API only accepts a public URL (PIAZZA_PUBLIC_URL/media/...).
	URL     string
	AltText string // required for images: the editor blocks scheduling without it
	// Captions are subtitles for a video, as WebVTT.
	Captions string
	Width    int
	Height   int
	Filename string
}

// LinkCard is the preview of a link to the institutional site, where the
// platform shows one (Bluesky builds it from these fields; Facebook and
// Mastodon fetch the page themselves).
type LinkCard struct {
	URL         string
	Title       string
	Description string
	Thumb       *Media
}

// Post is one variant on its way to one account: the text as written for
// that channel, its media and link.
type Post struct {
	// Key is chosen by Piazza (the publication id) and stable across
	// retries: Mastodon's Idempotency-Key, Bluesky's record key, and what a
	// Finder looks for, so that a retry never publishes twice.
	Key string
	// Text is plain text as the author wrote it; each connector escapes or
	// formats it the platform's way (Telegram HTML entities, Bluesky facets).
	Text     string
	Media    []Media
	Link     *LinkCard
	Language string // BCP 47, e.g. "it", "en", "sl", "de"
	// Title is for platforms that want one (a video, a feed entry).
	Title string
	// Summary is a short text for the feed entry; optional.
	Summary string
}

// Published says where a post landed.
type Published struct {
	RemoteID string // the platform's id, enough to edit or delete it later
	URL      string // a public link to it, when the platform has one
	At       time.Time
}

// Identity is what a credential check learns about an account.
type Identity struct {
	Name   string // display name ("Comune di Vallebella")
	Handle string // @handle, page id, DID, ...
	URL    string // public profile link
	// Settings to store on the account (instance limits and the like).
	Settings map[string]string
	// ExpiresAt is when the access token stops working, when known.
	ExpiresAt time.Time
}

// Connector publishes to one platform. Implementations are safe for
// concurrent use; the Account carries everything specific to one call.
type Connector interface {
	Platform() Platform
	// Capabilities say what the connector can do, for the editor and the
	// account page.
	Capabilities() Capabilities
	// Limits are the platform's rules for this account (they may depend on
	// Account.Settings, as a Mastodon instance's length does).
	Limits(acct Account) Limits
	// Count returns the length of text as the platform counts it, in the
	// unit of Limits.MaxText.
	Count(acct Account, text string) int
	// Publish creates the post. Errors are *Error.
	Publish(ctx context.Context, acct Account, p Post) (Published, error)
}

// CredentialChecker verifies an account's credentials with the platform
// ("Verifica", `piazza channel test`).
type CredentialChecker interface {
	CheckCredentials(ctx context.Context, acct Account) (Identity, error)
}

// Editor corrects a published post in place (rettifica).
type Editor interface {
	Edit(ctx context.Context, acct Account, remote Published, p Post) (Published, error)
}

// Deleter removes a published post.
type Deleter interface {
	Delete(ctx context.Context, acct Account, remote Published) error
}

// Finder looks among the account's latest posts for one published with
// key (or, where the platform keeps no key, with exactly this text since
// the given time), so that an attempt whose outcome is unknown can be
// settled before any retry. found is false when nothing matches.
type Finder interface {
	Find(ctx context.Context, acct Account, p Post, since time.Time) (pub Published, found bool, err error)
}

// Refresher renews OAuth tokens before they expire. It returns the new
// credentials (all of them) and when they expire.
type Refresher interface {
	Refresh(ctx context.Context, acct Account) (Credentials, time.Time, error)
}

// OAuth is implemented by connectors whose accounts are connected with the
// platform's OAuth flow ("Collega account": Meta, X, Mastodon). The app's
// client id and secret travel in Account.Credentials (CredClientID,
// CredClientSecret); Account.BaseURL names the Mastodon instance.
type OAuth interface {
	// AuthorizeURL is where the browser goes to grant access. challenge is
	// the PKCE S256 challenge (platforms without PKCE ignore it).
	AuthorizeURL(acct Account, state, redirectURI, challenge string) string
	// Exchange trades the code the platform sent back for credentials (the
	// new ones merged over acct.Credentials) and their expiry, zero when
	// they do not expire.
	Exchange(ctx context.Context, acct Account, code, redirectURI, verifier string) (Credentials, time.Time, error)
}
