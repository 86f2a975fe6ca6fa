// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// PostURL is the public link to a Page post, photo or video by its id.
func PostURL(id string) string { return "https://www.facebook.com/" + id }

// idAnswer is the answer of a create call.
type idAnswer struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

// successAnswer is the answer of an edit or delete.
type successAnswer struct {
	Success bool `json:"success"`
}

// Publish creates the post on the Page:
//
//   - text alone: POST /{page-id}/feed with message and, when the post has
//     a link card, link (Facebook builds the card from the page itself);
//   - one photo: POST /{page-id}/photos with the file as source, the text
//     as message and the alternative text as alt_text_custom;
//   - several photos: each is uploaded with published=false, then
//     POST /{page-id}/feed attaches them with attached_media[i];
//   - one video: POST /{page-id}/videos (a single non-resumable upload)
//     with the text as description and Post.Title as title.
//
// With photos or a video Facebook shows no link card: the link must be in
// the text. Published.RemoteID is the post id ("{page-id}_{post-id}"), or
// a video's id while Facebook has not yet made its post; URL is
// https://www.facebook.com/{id}.
//
// Specs: https://developers.facebook.com/docs/pages-api/posts
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = "publish"
	page, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	var images, videos []channel.Media
	for _, m := range p.Media {
		if m.Kind == channel.Video {
			videos = append(videos, m)
		} else {
			images = append(images, m)
		}
	}
	var id string
	var err error
	switch {
	case len(videos) > 0 && (len(videos) > 1 || len(images) > 0):
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
			Message: "a Facebook post holds one video alone, or photos"}
	case len(images) > MaxImages:
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("a post holds at most %d photos, this one has %d", MaxImages, len(images))}
	case len(videos) == 1:
		id, err = c.publishVideo(ctx, acct, page, token, p, videos[0])
	case len(images) == 1:
		id, err = c.publishPhoto(ctx, acct, page, token, p, images[0])
	case len(images) > 1:
		id, err = c.publishAlbum(ctx, acct, page, token, p, images)
	default:
		id, err = c.publishText(ctx, acct, page, token, p)
	}
	if err != nil {
		return channel.Published{}, err
	}
	if !idRe.MatchString(id) {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("Facebook answered an unexpected post id %q", id)}
	}
	return channel.Published{RemoteID: id, URL: PostURL(id), At: c.now().UTC()}, nil
}

// publishText publishes text and an optional link.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#publish
func (c *Connector) publishText(ctx context.Context, acct channel.Account, page, token string, p channel.Post) (string, error) {
	form := url.Values{}
	if msg := Format(p.Text); strings.TrimSpace(msg) != "" {
		form.Set("message", msg)
	}
	if p.Link != nil && p.Link.URL != "" {
		form.Set("link", p.Link.URL)
	}
	if len(form) == 0 {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: "publish",
			Message: "the post has no text, link or media"}
	}
	var a idAnswer
	err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: apiBase(acct), path: page + "/feed",
		form: form, token: token, effects: true}, &a)
	return a.ID, err
}

// uploadPhoto uploads one photo to the Page; published=false keeps it off
// the Page until a post attaches it.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/photos#upload
func (c *Connector) uploadPhoto(ctx context.Context, acct channel.Account, page, token, message string, m channel.Media,
	i int, published bool) (idAnswer, error) {
	body := newMultipart()
	if strings.TrimSpace(message) != "" {
		body.field("message", message)
	}
	if alt := strings.TrimSpace(Format(m.AltText)); alt != "" {
		body.field("alt_text_custom", alt)
	}
	if !published {
		body.field("published", "false")
	}
	body.file("source", filename(m, i), m.ContentType, m.Data)
	var a idAnswer
	err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: apiBase(acct), path: page + "/photos",
		body: body, token: token, effects: published}, &a)
	return a, err
}

// publishPhoto publishes one photo with the text as its message.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/photos#upload
func (c *Connector) publishPhoto(ctx context.Context, acct channel.Account, page, token string, p channel.Post, m channel.Media) (string, error) {
	a, err := c.uploadPhoto(ctx, acct, page, token, Format(p.Text), m, 0, true)
	if err != nil {
		return "", err
	}
	if a.PostID != "" {
		return a.PostID, nil
	}
	return a.ID, nil
}

// attachment is one entry of attached_media.
type attachment struct {
	MediaFBID string `json:"media_fbid"`
}

// publishAlbum uploads the photos unpublished, then publishes one post
// with all of them. A failed upload leaves nothing on the Page: unpublished
// photos are not shown, so a retry starts again from the first.
//
// Specs: https://developers.facebook.com/docs/pages-api/posts#publish-a-multi-photo-post
func (c *Connector) publishAlbum(ctx context.Context, acct channel.Account, page, token string, p channel.Post, images []channel.Media) (string, error) {
	form := url.Values{}
	for i, m := range images {
		a, err := c.uploadPhoto(ctx, acct, page, token, "", m, i, false)
		if err != nil {
			return "", err
		}
		if !idRe.MatchString(a.ID) {
			return "", &channel.Error{Kind: channel.Retryable, Platform: channel.Facebook, Op: "publish",
				Message: fmt.Sprintf("Facebook answered an unexpected photo id %q", a.ID)}
		}
		ref, _ := json.Marshal(attachment{MediaFBID: a.ID})
		form.Set("attached_media["+strconv.Itoa(i)+"]", string(ref))
	}
	if msg := Format(p.Text); strings.TrimSpace(msg) != "" {
		form.Set("message", msg)
	}
	var a idAnswer
	err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: apiBase(acct), path: page + "/feed",
		form: form, token: token, effects: true}, &a)
	return a.ID, err
}

// videoInfo is the part of a Video node the connector reads.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/video
type videoInfo struct {
	ID     string `json:"id"`
	PostID string `json:"post_id"`
}

// publishVideo uploads and publishes one video, then asks for the post
// Facebook made of it. The video is published already; when the post id
// cannot be read (Facebook makes it while processing), the video id stands
// for it: Edit, Delete and links work with either.
//
// Specs: https://developers.facebook.com/docs/video-api/guides/publishing
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/videos#Creating
func (c *Connector) publishVideo(ctx context.Context, acct channel.Account, page, token string, p channel.Post, m channel.Media) (string, error) {
	body := newMultipart()
	if msg := Format(p.Text); strings.TrimSpace(msg) != "" {
		body.field("description", msg)
	}
	if t := strings.TrimSpace(Format(p.Title)); t != "" {
		body.field("title", t)
	}
	body.file("source", filename(m, 0), m.ContentType, m.Data)
	var a idAnswer
	if err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: videoBase(acct), path: page + "/videos",
		body: body, token: token, effects: true}, &a); err != nil {
		return "", err
	}
	if !idRe.MatchString(a.ID) {
		return a.ID, nil // Publish reports it
	}
	var v videoInfo
	err := c.call(ctx, request{op: "publish", method: http.MethodGet, base: apiBase(acct), path: a.ID,
		query: url.Values{"fields": {"post_id"}}, token: token}, &v)
	if err == nil && idRe.MatchString(v.PostID) {
		return v.PostID, nil
	}
	return a.ID, nil
}

// Edit corrects the text of a published post: POST /{post-id} with the
// new message. Facebook keeps the photos, video and link of the post; a
// post without text gets one.
//
// Specs: https://developers.facebook.com/docs/pages-api/posts#update-a-post
func (c *Connector) Edit(ctx context.Context, acct channel.Account, remote channel.Published, p channel.Post) (channel.Published, error) {
	const op = "edit"
	_, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	id, cerr := remoteID(remote.RemoteID, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	var a successAnswer
	if err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: id,
		form: url.Values{"message": {Format(p.Text)}}, token: token, effects: true}, &a); err != nil {
		return channel.Published{}, err
	}
	out := channel.Published{RemoteID: remote.RemoteID, URL: remote.URL, At: c.now().UTC()}
	if out.URL == "" {
		out.URL = PostURL(id)
	}
	return out, nil
}

// Delete removes the post. A post already gone is no error, so a delete
// can be repeated.
//
// Specs: https://developers.facebook.com/docs/pages-api/posts#delete-a-post
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = "delete"
	_, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return cerr
	}
	id, cerr := remoteID(remote.RemoteID, op)
	if cerr != nil {
		return cerr
	}
	var a successAnswer
	err := c.call(ctx, request{op: op, method: http.MethodDelete, base: apiBase(acct), path: id, token: token, effects: true}, &a)
	if e := channel.AsError(err); e != nil && (e.Code == "100/33" || e.Status == http.StatusNotFound) {
		// "Unsupported delete request. Object with ID '...' does not
		// exist": deleted already.
		return nil
	}
	return err
}

// remoteID checks a RemoteID written by Publish.
func remoteID(id, op string) (string, *channel.Error) {
	id = strings.TrimSpace(id)
	if !idRe.MatchString(id) {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("%q is not a Facebook post id", id)}
	}
	return id, nil
}

// Find settings for the Finder.
const (
	findPageSize = 25
	findMaxPages = 4
	// findSlack widens the window for the clocks of Piazza and Meta.
	findSlack = time.Minute
)

// pagePost is the part of a Page post that Find reads.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/published_posts
type pagePost struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	CreatedTime  string `json:"created_time"`
	PermalinkURL string `json:"permalink_url"`
}

// postsPage is a page of GET /{page-id}/published_posts.
type postsPage struct {
	Data   []pagePost `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// Find looks among the Page's latest published posts (up to 100, newest
// first, created since since less a minute for clock skew) for one whose
// message is exactly the text Publish would send. The Graph API keeps no
// key of ours, so the text is all there is to go by.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/published_posts
func (c *Connector) Find(ctx context.Context, acct channel.Account, p channel.Post, since time.Time) (channel.Published, bool, error) {
	const op = "find"
	page, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return channel.Published{}, false, cerr
	}
	want := strings.TrimSpace(Format(p.Text))
	from := since.Add(-findSlack)
	q := url.Values{"fields": {"id,message,created_time,permalink_url"}, "limit": {strconv.Itoa(findPageSize)}}
	if !since.IsZero() {
		q.Set("since", strconv.FormatInt(from.Unix(), 10))
	}
	for range findMaxPages {
		var pp postsPage
		if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: page + "/published_posts",
			query: q, token: token}, &pp); err != nil {
			return channel.Published{}, false, err
		}
		older := false
		for _, post := range pp.Data {
			at, ok := graphTime(post.CreatedTime)
			if ok && at.Before(from) {
				older = true
				continue
			}
			if strings.TrimSpace(post.Message) == want && idRe.MatchString(post.ID) {
				return channel.Published{RemoteID: post.ID, URL: PostURL(post.ID), At: at}, true, nil
			}
		}
		after := pp.Paging.Cursors.After
		if older || after == "" || pp.Paging.Next == "" || len(pp.Data) == 0 {
			break
		}
		q.Set("after", after)
	}
	return channel.Published{}, false, nil
}
