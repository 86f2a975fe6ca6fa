// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// postRecord is an app.bsky.feed.post record.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
type postRecord struct {
	Type      string   `json:"$type"`
	Text      string   `json:"text"`
	Facets    []Facet  `json:"facets,omitempty"`
	Langs     []string `json:"langs,omitempty"`
	Embed     any      `json:"embed,omitempty"`
	CreatedAt string   `json:"createdAt"`
}

// imagesEmbed is app.bsky.embed.images.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
type imagesEmbed struct {
	Type   string       `json:"$type"`
	Images []embedImage `json:"images"`
}

type embedImage struct {
	Image       blobRef      `json:"image"`
	Alt         string       `json:"alt"`
	AspectRatio *aspectRatio `json:"aspectRatio,omitempty"`
}

// aspectRatio is app.bsky.embed.defs#aspectRatio.
type aspectRatio struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// externalEmbed is app.bsky.embed.external, the link card.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/external.json
type externalEmbed struct {
	Type     string   `json:"$type"`
	External external `json:"external"`
}

type external struct {
	URI         string   `json:"uri"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Thumb       *blobRef `json:"thumb,omitempty"`
}

// createRecordIn is the input of createRecord.
type createRecordIn struct {
	Repo       string `json:"repo"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	Record     any    `json:"record"` // a postRecord, or a replyRecord
}

// deleteRecordIn is the input of deleteRecord.
type deleteRecordIn struct {
	Repo       string `json:"repo"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
}

// recordOut is the answer of createRecord.
type recordOut struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// recordValue is what the connector reads of a stored post.
type recordValue struct {
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
}

// bcp47Re is the "language" string format of the lexicons, the regular
// expression of the reference implementation (packages/syntax/src/
// language.ts in bluesky-social/atproto).
//
// Specs: https://atproto.com/specs/lexicon#string-formats
var bcp47Re = regexp.MustCompile(`^((en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE)|(art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang)|((([A-Za-z]{2,3}(-([A-Za-z]{3}(-[A-Za-z]{3}){0,2}))?)|[A-Za-z]{4}|[A-Za-z]{5,8})(-([A-Za-z]{4}))?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-([0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+))*(-([xX](-[A-Za-z0-9]{1,8})+))?)|([xX](-[A-Za-z0-9]{1,8})+))$`)

// ValidLanguage reports whether tag is a language the lexicons accept: a
// malformed Post.Language is left out rather than failing the record.
func ValidLanguage(tag string) bool { return bcp47Re.MatchString(tag) }

// Publish creates the post: each image is uploaded as a blob, mentions
// are resolved into DIDs, then the record is created under the record key
// derived from Post.Key. The PDS answers a record key already taken with
// a bare "500 Internal Server Error" (the repository refuses the second
// write), so after any 5xx the connector reads the record at that key: if
// it holds the same text, it is this post, published by an earlier
// attempt, and Publish succeeds.
//
// Images take precedence over the link card: a post has one embed, and
// the link then stays a link in the text.
//
// Specs: https://docs.bsky.app/docs/advanced-guides/posts
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = opPublish
	if err := checkMedia(p, op); err != nil {
		return channel.Published{}, err
	}
	s, err := c.session(ctx, acct, op)
	if err != nil {
		return channel.Published{}, err
	}
	text := Text(p.Text)
	rec := postRecord{Type: Collection, Text: text, CreatedAt: c.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	if lang := strings.TrimSpace(p.Language); ValidLanguage(lang) {
		rec.Langs = []string{lang}
	}
	dids := map[string]string{}
	for _, h := range MentionHandles(text) {
		// A handle that does not resolve stays plain text, as in the
		// Bluesky app; so does one the PDS cannot resolve right now.
		if did, err := c.resolveHandle(ctx, acct, op, h); err == nil {
			dids[h] = did
		}
	}
	rec.Facets = Facets(text, func(h string) string { return dids[h] })
	switch {
	case len(p.Media) > 0:
		e := imagesEmbed{Type: "app.bsky.embed.images"}
		for _, m := range p.Media {
			b, err := c.uploadBlob(ctx, acct, op, m)
			if err != nil {
				return channel.Published{}, err
			}
			img := embedImage{Image: b, Alt: m.AltText}
			if m.Width > 0 && m.Height > 0 {
				img.AspectRatio = &aspectRatio{Width: m.Width, Height: m.Height}
			}
			e.Images = append(e.Images, img)
		}
		rec.Embed = e
	case p.Link != nil && strings.TrimSpace(p.Link.URL) != "":
		ext := external{URI: strings.TrimSpace(p.Link.URL), Title: p.Link.Title, Description: p.Link.Description}
		// The thumbnail is optional: one the lexicon would refuse (too
		// big, not an image) is left out rather than failing the post.
		if t := p.Link.Thumb; t != nil && len(t.Data) > 0 && len(t.Data) <= MaxThumbBytes &&
			strings.HasPrefix(t.ContentType, "image/") {
			b, err := c.uploadBlob(ctx, acct, op, *t)
			if err != nil {
				return channel.Published{}, err
			}
			ext.Thumb = &b
		}
		rec.Embed = externalEmbed{Type: "app.bsky.embed.external", External: ext}
	}
	return c.createOnce(ctx, acct, op, s, RecordKey(p.Key), rec, text)
}

// createOnce creates the record at rkey, or finds it there: a record key
// already taken is a bare 500, and when the record there holds the same
// text it is an earlier attempt's, not a new post.
func (c *Connector) createOnce(ctx context.Context, acct channel.Account, op string, s *session, rkey string, rec any, text string) (channel.Published, error) {
	pub, err := c.createRecord(ctx, acct, op, rkey, rec)
	if err == nil {
		return pub, nil
	}
	if e := channel.AsError(err); e == nil || e.Status < 500 {
		return channel.Published{}, err
	}
	prev, v, found, ferr := c.getRecord(ctx, acct, op, s, rkey)
	switch {
	case ferr != nil || !found:
		return channel.Published{}, err
	case v.Text != text:
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Bluesky, Op: op,
			Code: "RecordKeyTaken", Message: fmt.Sprintf("the record key %s already holds another post (%s)", rkey, prev.RemoteID)}
	}
	return prev, nil
}

// checkMedia refuses what no Bluesky post can carry, before anything is
// uploaded.
func checkMedia(p channel.Post, op string) error {
	if len(p.Media) > MaxImages {
		return errorf(channel.Permanent, op, "a Bluesky post has at most %d images, not %d", MaxImages, len(p.Media))
	}
	for i, m := range p.Media {
		if m.Kind == channel.Video {
			return errorf(channel.Permanent, op, "Piazza does not publish videos to Bluesky yet (attachment %d)", i+1)
		}
		if len(m.Data) == 0 {
			return errorf(channel.Permanent, op, "image %d has no data to upload", i+1)
		}
	}
	return nil
}

// createRecord creates the post record under rkey.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-create-record
func (c *Connector) createRecord(ctx context.Context, acct channel.Account, op, rkey string, rec any) (channel.Published, error) {
	var out recordOut
	var handle string
	err := c.authed(ctx, acct, op, func(s *session) error {
		handle = s.profileHandle()
		return c.call(ctx, acct, op, request{method: "com.atproto.repo.createRecord", token: s.AccessJwt,
			body: createRecordIn{Repo: s.DID, Collection: Collection, RKey: rkey, Record: rec}}, &out)
	})
	if err != nil {
		return channel.Published{}, err
	}
	return published(out.URI, handle, c.now()), nil
}

// published is where a record is: its at:// URI and its page on bsky.app.
func published(uri, handle string, at time.Time) channel.Published {
	rkey := uri[strings.LastIndexByte(uri, '/')+1:]
	return channel.Published{RemoteID: uri, URL: "https://bsky.app/profile/" + handle + "/post/" + rkey, At: at}
}

// getRecord reads the post at rkey; found is false when there is none.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
func (c *Connector) getRecord(ctx context.Context, acct channel.Account, op string, s *session, rkey string) (channel.Published, recordValue, bool, error) {
	var out struct {
		URI   string      `json:"uri"`
		CID   string      `json:"cid"`
		Value recordValue `json:"value"`
	}
	q := url.Values{"repo": {s.DID}, "collection": {Collection}, "rkey": {rkey}}
	err := c.authed(ctx, acct, op, func(s *session) error {
		return c.call(ctx, acct, op, request{method: "com.atproto.repo.getRecord", query: q, token: s.AccessJwt}, &out)
	})
	if errCode(err) == "RecordNotFound" {
		return channel.Published{}, recordValue{}, false, nil
	}
	if err != nil {
		return channel.Published{}, recordValue{}, false, err
	}
	return published(out.URI, s.profileHandle(), createdAt(out.Value, c.now())), out.Value, true, nil
}

// createdAt is when the record says it was made, or def.
func createdAt(v recordValue, def time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, v.CreatedAt); err == nil {
		return t
	}
	return def
}

// uploadBlob uploads the bytes of an image; the PDS answers the blob
// reference the record embeds.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob
func (c *Connector) uploadBlob(ctx context.Context, acct channel.Account, op string, m channel.Media) (blobRef, error) {
	var out struct {
		Blob blobRef `json:"blob"`
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	err := c.authed(ctx, acct, op, func(s *session) error {
		return c.call(ctx, acct, op, request{method: "com.atproto.repo.uploadBlob", raw: m.Data, contentType: ct,
			token: s.AccessJwt}, &out)
	})
	if err != nil {
		// Nothing is published by an upload: an unanswered one is retried.
		return blobRef{}, sessionError(err)
	}
	if out.Blob.Ref.Link == "" {
		return blobRef{}, errorf(channel.Retryable, op, "the PDS answered the upload without a blob")
	}
	return out.Blob, nil
}

// resolveHandle returns the DID of a handle.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-identity-resolve-handle
func (c *Connector) resolveHandle(ctx context.Context, acct channel.Account, op, handle string) (string, error) {
	var out struct {
		DID string `json:"did"`
	}
	err := c.call(ctx, acct, op, request{method: "com.atproto.identity.resolveHandle",
		query: url.Values{"handle": {handle}}}, &out)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.DID, "did:") {
		return "", errorf(channel.Permanent, op, "handle %s resolves to no DID", handle)
	}
	return out.DID, nil
}

// Delete removes the post. Deleting a post that is already gone
// succeeds, as the PDS answers.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-delete-record
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = opDelete
	did, collection, rkey, ok := parseATURI(remote.RemoteID)
	if !ok || collection != Collection {
		return errorf(channel.Permanent, op, "%q is not the at:// URI of a Bluesky post", remote.RemoteID)
	}
	return c.authed(ctx, acct, op, func(s *session) error {
		if did != s.DID {
			return errorf(channel.Permanent, op, "the post %s belongs to another account than %s", remote.RemoteID, s.DID)
		}
		return c.call(ctx, acct, op, request{method: "com.atproto.repo.deleteRecord", token: s.AccessJwt,
			body: deleteRecordIn{Repo: s.DID, Collection: Collection, RKey: rkey}}, nil)
	})
}

// parseATURI splits at://did/collection/rkey.
//
// Specs: https://atproto.com/specs/at-uri-scheme
func parseATURI(u string) (did, collection, rkey string, ok bool) {
	rest, found := strings.CutPrefix(u, "at://")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "did:") || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// Find looks for the post of p: the record at the record key derived from
// Post.Key, which the engine always sets. A post without a key is looked
// for among the account's latest 100 posts, by its exact text, created
// since the given time.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
func (c *Connector) Find(ctx context.Context, acct channel.Account, p channel.Post, since time.Time) (channel.Published, bool, error) {
	const op = opFind
	s, err := c.session(ctx, acct, op)
	if err != nil {
		return channel.Published{}, false, err
	}
	if p.Key != "" {
		pub, _, found, err := c.getRecord(ctx, acct, op, s, RecordKey(p.Key))
		return pub, found, err
	}
	return c.findByText(ctx, acct, op, s, Text(p.Text), since)
}

// findByText scans the latest posts of the account.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-list-records
func (c *Connector) findByText(ctx context.Context, acct channel.Account, op string, s *session, text string, since time.Time) (channel.Published, bool, error) {
	var out struct {
		Records []struct {
			URI   string      `json:"uri"`
			Value recordValue `json:"value"`
		} `json:"records"`
	}
	q := url.Values{"repo": {s.DID}, "collection": {Collection}, "limit": {"100"}}
	err := c.authed(ctx, acct, op, func(s *session) error {
		return c.call(ctx, acct, op, request{method: "com.atproto.repo.listRecords", query: q, token: s.AccessJwt}, &out)
	})
	if err != nil {
		return channel.Published{}, false, err
	}
	for _, r := range out.Records {
		at := createdAt(r.Value, time.Time{})
		if r.Value.Text == text && !at.Before(since) {
			return published(r.URI, s.profileHandle(), at), true, nil
		}
	}
	return channel.Published{}, false, nil
}
