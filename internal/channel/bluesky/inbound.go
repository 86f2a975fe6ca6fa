// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// op names of the inbound side.
const (
	opPoll  = "poll"
	opReply = "reply"
)

// Polling bounds: listNotifications gives at most 100 per page. A poll
// imports at most MaxPollMessages (the oldest ones; the rest comes with
// the next poll) and reads at most maxPollPages pages back.
const (
	pollPage        = 100
	maxPollPages    = 20
	MaxPollMessages = 400
)

// The notification reasons Poll imports: a post that mentions the
// account, and a reply in one of its threads.
var pollReasons = []string{"mention", "reply"}

// notificationView is the part of app.bsky.notification.listNotifications
// #notification that Poll reads. The record is decoded apart, so that one
// record of an unexpected shape does not spoil the page.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
type notificationView struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Reason        string          `json:"reason"`
	ReasonSubject string          `json:"reasonSubject"`
	Record        json.RawMessage `json:"record"`
	IndexedAt     string          `json:"indexedAt"`
}

// notificationsOut is listNotifications' answer.
type notificationsOut struct {
	Cursor        string             `json:"cursor"`
	Notifications []notificationView `json:"notifications"`
}

// strongRef is com.atproto.repo.strongRef.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// replyRef is app.bsky.feed.post#replyRef.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// inboundPost is what Poll reads of a citizen's post record.
type inboundPost struct {
	Text      string          `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Langs     []string        `json:"langs"`
	Reply     *replyRef       `json:"reply"`
	Embed     json.RawMessage `json:"embed"`
}

// inboundEmbed is the part of a post's embed the desk keeps: images, a
// video, a link card, or media beside a quoted post.
type inboundEmbed struct {
	Type   string `json:"$type"`
	Images []struct {
		Image inboundBlob `json:"image"`
		Alt   string      `json:"alt"`
	} `json:"images"`
	Video    *inboundBlob `json:"video"`
	External *struct {
		URI   string `json:"uri"`
		Title string `json:"title"`
	} `json:"external"`
	Media *inboundEmbed `json:"media"`
}

// inboundBlob is a blob reference, read leniently.
type inboundBlob struct {
	Ref struct {
		Link string `json:"$link"`
	} `json:"ref"`
	MimeType string `json:"mimeType"`
}

// cdnImage is where the Bluesky app shows an image of a post.
const cdnImage = "https://cdn.bsky.app/img/feed_fullsize/plain/"

// parsedNotification is a notification as Poll needs it: the message, if
// it is one to import, and when the AppView indexed it.
type parsedNotification struct {
	in        channel.Inbound
	ok        bool
	indexedAt time.Time
}

// ParseNotifications reads a page of listNotifications and returns its
// mentions and replies, in the order of the page (newest first); other
// reasons (likes, reposts, follows, quotes) are left out. It is what Poll
// uses.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
func ParseNotifications(body []byte) ([]channel.Inbound, error) {
	var out notificationsOut
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	var msgs []channel.Inbound
	for _, n := range out.Notifications {
		if p := parseNotification(n); p.ok {
			msgs = append(msgs, p.in)
		}
	}
	return msgs, nil
}

// parseNotification maps one notification. The thread is the root of the
// reply chain, or the post itself when it starts one; Raw keeps the
// references (at:// URI and CID) of the post and of its root, which a
// reply needs. PostID is the account's post the comment belongs to: for a
// reply, the thread's root when it is the account's own, else the post
// answered (reasonSubject, the account's).
func parseNotification(n notificationView) parsedNotification {
	p := parsedNotification{}
	p.indexedAt, _ = time.Parse(time.RFC3339Nano, n.IndexedAt)
	if !slices.Contains(pollReasons, n.Reason) || n.URI == "" {
		return p
	}
	var rec inboundPost
	if err := json.Unmarshal(n.Record, &rec); err != nil {
		return p
	}
	in := channel.Inbound{RemoteID: n.URI, Thread: n.URI, Visibility: channel.Public, AuthorID: n.Author.DID,
		AuthorName: strings.TrimSpace(n.Author.DisplayName), Text: rec.Text,
		Raw: map[string]string{"uri": n.URI, "cid": n.CID, "root_uri": n.URI, "root_cid": n.CID}}
	if n.Author.Handle != "" {
		in.AuthorHandle = "@" + n.Author.Handle
	}
	if in.AuthorName == "" {
		in.AuthorName = n.Author.Handle
	}
	if r := rec.Reply; r != nil && r.Root.URI != "" {
		in.Thread, in.InReplyTo = r.Root.URI, r.Parent.URI
		in.Raw["root_uri"], in.Raw["root_cid"] = r.Root.URI, r.Root.CID
		if n.Reason == "reply" {
			in.PostID = n.ReasonSubject
			if in.PostID == "" {
				in.PostID = r.Parent.URI
			}
			if ours, _, _, ok := parseATURI(in.PostID); ok {
				if root, _, _, ok := parseATURI(r.Root.URI); ok && root == ours {
					in.PostID = r.Root.URI
				}
			}
		}
	}
	if len(rec.Langs) > 0 {
		in.Lang = rec.Langs[0]
	}
	in.At = p.indexedAt
	if t, err := time.Parse(time.RFC3339Nano, rec.CreatedAt); err == nil {
		in.At = t
	}
	if len(rec.Embed) > 0 {
		var e inboundEmbed
		if json.Unmarshal(rec.Embed, &e) == nil {
			in.Attachments = attachments(e, n.Author.DID)
		}
	}
	p.in, p.ok = in, true
	return p
}

// attachments lists the media of an embed.
func attachments(e inboundEmbed, did string) []channel.Attachment {
	var out []channel.Attachment
	for _, im := range e.Images {
		cid := im.Image.Ref.Link
		if cid == "" {
			continue
		}
		out = append(out, channel.Attachment{Kind: "photo", RemoteID: cid, URL: cdnImage + did + "/" + cid + "@jpeg",
			ContentType: im.Image.MimeType, Name: im.Alt})
	}
	if v := e.Video; v != nil && v.Ref.Link != "" {
		out = append(out, channel.Attachment{Kind: "video", RemoteID: v.Ref.Link, ContentType: v.MimeType})
	}
	if x := e.External; x != nil && x.URI != "" {
		out = append(out, channel.Attachment{Kind: "link", URL: x.URI, Name: x.Title})
	}
	if e.Media != nil {
		// recordWithMedia: the media beside a quoted post.
		out = append(out, attachments(*e.Media, did)...)
	}
	return out
}

// Poll returns the mentions and replies that reached the account after
// cursor, oldest first, and the next cursor.
//
// listNotifications only pages back in time, and its own cursor is
// opaque, so Piazza's cursor is a time: the indexedAt of the newest
// notification taken in (RFC 3339). The API's seenAt is not used: it is
// set by updateSeen, which would clear the unread badge of the people
// who read the account in the Bluesky app. A poll reads pages, newest
// first, until it reaches the cursor's time, and imports what is newer;
// when that is more than MaxPollMessages it imports the oldest of them
// and the cursor stops there, so the next poll takes the rest.
//
// The first poll (empty cursor) imports nothing: the cursor becomes the
// newest notification's time (the Unix epoch when there is none), so the
// mentions of before Piazza do not flood the desk.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
func (c *Connector) Poll(ctx context.Context, acct channel.Account, cursor string) ([]channel.Inbound, string, error) {
	const op = opPoll
	cursor = strings.TrimSpace(cursor)
	if cursor == "" {
		out, err := c.listNotifications(ctx, acct, op, 1, "")
		if err != nil {
			return nil, "", err
		}
		next := time.Unix(0, 0).UTC()
		for _, n := range out.Notifications {
			if t, err := time.Parse(time.RFC3339Nano, n.IndexedAt); err == nil && t.After(next) {
				next = t
			}
		}
		return nil, formatCursor(next), nil
	}
	since, err := time.Parse(time.RFC3339Nano, cursor)
	if err != nil {
		return nil, cursor, errorf(channel.Permanent, op, "%q is not a Bluesky poll cursor (an RFC 3339 time)", cursor)
	}
	var fresh []parsedNotification
	page := ""
	for range maxPollPages {
		out, err := c.listNotifications(ctx, acct, op, pollPage, page)
		if err != nil {
			return nil, cursor, err
		}
		reached := false
		for _, n := range out.Notifications {
			p := parseNotification(n)
			if p.indexedAt.IsZero() {
				continue
			}
			if !p.indexedAt.After(since) {
				reached = true
				continue
			}
			fresh = append(fresh, p)
		}
		if reached || out.Cursor == "" || out.Cursor == page || len(out.Notifications) == 0 {
			break
		}
		page = out.Cursor
	}
	slices.SortStableFunc(fresh, func(a, b parsedNotification) int { return a.indexedAt.Compare(b.indexedAt) })
	var msgs []channel.Inbound
	seen := map[string]bool{}
	next := since
	for _, p := range fresh {
		if len(msgs) == MaxPollMessages {
			break
		}
		next = p.indexedAt
		if p.ok && !seen[p.in.RemoteID] {
			seen[p.in.RemoteID] = true
			msgs = append(msgs, p.in)
		}
	}
	if next.Equal(since) {
		return msgs, cursor, nil
	}
	return msgs, formatCursor(next), nil
}

// formatCursor writes a poll cursor.
func formatCursor(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// listNotifications reads one page of the account's mentions and replies.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
func (c *Connector) listNotifications(ctx context.Context, acct channel.Account, op string, limit int, cursor string) (notificationsOut, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}, "reasons": pollReasons}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var out notificationsOut
	err := c.authed(ctx, acct, op, func(s *session) error {
		return c.call(ctx, acct, op, request{method: "app.bsky.notification.listNotifications", query: q, token: s.AccessJwt}, &out)
	})
	// A read publishes nothing: an unanswered one is retried.
	return out, sessionError(err)
}

// replyRecord is a post record with its reply references.
type replyRecord struct {
	postRecord
	Reply replyRef `json:"reply"`
}

// Reply answers a citizen's post with a post in its thread: the parent
// is the citizen's post and the root is its thread's root, both from
// Inbound.Raw (uri, cid, root_uri, root_cid). The text gets the facets
// Publish gives (links, mentions, hashtags) and the language the citizen
// wrote in. As with Publish, the record key derives from Reply.Key, so a
// retry finds the reply of the first attempt instead of making another.
//
// Bluesky has no private reply an account with an app password can send
// (direct messages go through the chat service, which Piazza does not
// use): a private reply is a Permanent error.
//
// Specs: https://docs.bsky.app/docs/advanced-guides/posts#replies
func (c *Connector) Reply(ctx context.Context, acct channel.Account, r channel.Reply) (channel.Published, error) {
	const op = opReply
	if r.Private {
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Bluesky, Op: op,
			Code: "NoPrivateReply", Message: "Bluesky has no private reply for this account: answer in public " +
				"(Bluesky chat is not supported)"}
	}
	parent := strongRef{URI: strings.TrimSpace(r.To.Raw["uri"]), CID: strings.TrimSpace(r.To.Raw["cid"])}
	if parent.URI == "" {
		parent.URI = strings.TrimSpace(r.To.RemoteID)
	}
	root := strongRef{URI: strings.TrimSpace(r.To.Raw["root_uri"]), CID: strings.TrimSpace(r.To.Raw["root_cid"])}
	if root.URI == "" || root.CID == "" {
		root = parent
	}
	if _, _, _, ok := parseATURI(parent.URI); !ok || parent.CID == "" {
		return channel.Published{}, errorf(channel.Permanent, op, "the message has no reference (at:// URI and CID) to reply to")
	}
	text := Text(r.Text)
	if strings.TrimSpace(text) == "" {
		return channel.Published{}, errorf(channel.Permanent, op, "the reply has no text")
	}
	if n := Count(text); n > MaxGraphemes {
		return channel.Published{}, errorf(channel.Permanent, op, "the reply counts %d characters, over Bluesky's limit of %d", n, MaxGraphemes)
	}
	s, err := c.session(ctx, acct, op)
	if err != nil {
		return channel.Published{}, err
	}
	rec := replyRecord{postRecord: postRecord{Type: Collection, Text: text, CreatedAt: c.now().UTC().Format("2006-01-02T15:04:05.000Z")},
		Reply: replyRef{Root: root, Parent: parent}}
	if lang := strings.TrimSpace(r.To.Lang); ValidLanguage(lang) {
		rec.Langs = []string{lang}
	}
	dids := map[string]string{}
	for _, h := range MentionHandles(text) {
		if did, err := c.resolveHandle(ctx, acct, op, h); err == nil {
			dids[h] = did
		}
	}
	rec.Facets = Facets(text, func(h string) string { return dids[h] })
	return c.createOnce(ctx, acct, op, s, RecordKey(r.Key), rec, text)
}

// The connector reads mentions and replies and answers them.
var (
	_ channel.Poller  = (*Connector)(nil)
	_ channel.Replier = (*Connector)(nil)
)
