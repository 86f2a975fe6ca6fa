// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

import (
	"context"
	"time"
)

// Visibility says whether a citizen wrote in public (a comment under a
// post, a mention) or in private (a direct message, an email, the web form).
type Visibility string

// The visibilities.
const (
	Public  Visibility = "public"
	Private Visibility = "private"
)

// Attachment is a file a citizen sent, as the platform describes it; the
// desk keeps the reference, not the bytes.
type Attachment struct {
	Kind        string `json:"kind"` // photo, video, document, location, ...
	URL         string `json:"url,omitempty"`
	RemoteID    string `json:"remote_id,omitempty"` // Telegram file_id and the like
	ContentType string `json:"content_type,omitempty"`
	Name        string `json:"name,omitempty"`
}

// Inbound is one message a citizen sent, parsed from a webhook or a poll.
// RemoteID is unique on the account (with the account it deduplicates
// webhook retries); Thread groups the messages of one conversation (the
// chat, the top comment, the email thread root).
type Inbound struct {
	RemoteID   string
	Thread     string
	Visibility Visibility
	// AuthorID is the platform's stable id of the author (chat id, PSID,
	// account id, DID, email address); AuthorHandle and AuthorName are for
	// people to read.
	AuthorID     string
	AuthorHandle string
	AuthorName   string
	Text         string
	Attachments  []Attachment
	// InReplyTo is the remote id the message answers: the institutional
	// post a comment is under, or the message a reply quotes.
	InReplyTo string
	// PostID is the remote id of the institutional post a public comment
	// belongs to, when known.
	PostID string
	// Lang is the language the platform reports, when it does (BCP 47).
	Lang string
	At   time.Time
	// Bot is set for a Telegram message that is a command or a button:
	// those go to alert subscriptions, not to the desk (DESIGN.md).
	Bot bool
	// Raw keeps the fields a reply needs later (a Bluesky reply's root and
	// parent references, a Messenger recipient), by name.
	Raw map[string]string
}

// Reply is the answer to one inbound message, sent through the same
// channel: Text is plain text, escaped by the connector.
type Reply struct {
	// Key is chosen by Piazza and stable across retries (idempotency).
	Key  string
	Text string
	// To is the message answered (its RemoteID, Thread, AuthorID and Raw).
	To Inbound
	// Private asks to answer a public comment in private ("Sposta in
	// privato"): a direct message instead of a public reply, where the
	// platform allows it.
	Private bool
}

// Replier answers a citizen on the platform they wrote on.
type Replier interface {
	Reply(ctx context.Context, acct Account, r Reply) (Published, error)
}

// ModerationAction is what a moderator does to a citizen's public content.
type ModerationAction string

// The moderation actions a platform may allow.
const (
	Hide   ModerationAction = "hide"
	Delete ModerationAction = "delete"
)

// Moderator hides or deletes a citizen's comment on the platform. Which of
// the two it can do, its Capabilities say (Hide, DeleteComment).
type Moderator interface {
	Moderate(ctx context.Context, acct Account, remoteID string, action ModerationAction) error
}

// Poller fetches what citizens sent since cursor (empty: from now on) and
// returns the next cursor. Platforms without webhooks implement it
// (Mastodon notifications, Bluesky notifications).
type Poller interface {
	Poll(ctx context.Context, acct Account, cursor string) (msgs []Inbound, next string, err error)
}
