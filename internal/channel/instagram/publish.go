// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// idAnswer is the answer of a create call.
type idAnswer struct {
	ID string `json:"id"`
}

// containerStatus is the part of an IG Container the connector reads.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
type containerStatus struct {
	ID         string `json:"id"`
	StatusCode string `json:"status_code"`
	Status     string `json:"status"`
}

// Publish publishes the post in three steps:
//
//  1. a media container per photo or video, POST /{ig-user-id}/media:
//     image_url with the caption and alt_text for a photo, media_type=REELS
//     with video_url and share_to_feed for a video; for a carousel (2 to
//     10), an item container each (is_carousel_item=true, media_type=VIDEO
//     for a video) and then a CAROUSEL container with the children and
//     the caption;
//  2. GET /{container-id}?fields=status_code,status until FINISHED, with
//     waits from PollInterval up, bounded by MaxWait and ctx;
//  3. POST /{ig-user-id}/media_publish with creation_id, the only step
//     that creates the post.
//
// Instagram downloads every file from its Media.URL: a post whose media
// have none is refused before anything is sent. Published.RemoteID is the
// media id, URL its permalink (empty if Instagram did not say it).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/content-publishing/
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = "publish"
	user, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	switch n := len(p.Media); {
	case n == 0:
		return channel.Published{}, permanent(op, "Instagram publishes only posts with at least one photo or video")
	case n > MaxCarousel:
		return channel.Published{}, permanent(op, fmt.Sprintf("a carousel holds at most %d photos and videos, this post has %d", MaxCarousel, n))
	}
	for i, m := range p.Media {
		if err := checkMediaURL(m, i); err != nil {
			return channel.Published{}, err
		}
	}
	caption := Format(p.Text)
	if strings.TrimSpace(caption) == "" {
		caption = ""
	}
	var creation string
	var err error
	if len(p.Media) == 1 {
		creation, err = c.container(ctx, acct, user, token, itemParams(p.Media[0], caption, false))
	} else {
		children := make([]string, len(p.Media))
		for i, m := range p.Media {
			if children[i], err = c.container(ctx, acct, user, token, itemParams(m, "", true)); err != nil {
				return channel.Published{}, err
			}
		}
		for _, id := range children {
			if err := c.waitFinished(ctx, acct, token, id); err != nil {
				return channel.Published{}, err
			}
		}
		params := url.Values{"media_type": {"CAROUSEL"}, "children": {strings.Join(children, ",")}}
		if caption != "" {
			params.Set("caption", caption)
		}
		creation, err = c.container(ctx, acct, user, token, params)
	}
	if err != nil {
		return channel.Published{}, err
	}
	if err := c.waitFinished(ctx, acct, token, creation); err != nil {
		return channel.Published{}, err
	}
	id, err := c.mediaPublish(ctx, acct, user, token, creation)
	if err != nil {
		return channel.Published{}, err
	}
	return channel.Published{RemoteID: id, URL: c.permalink(ctx, acct, token, id), At: c.now().UTC()}, nil
}

func permanent(op, msg string) *channel.Error {
	return &channel.Error{Kind: channel.Permanent, Platform: channel.Instagram, Op: op, Message: msg}
}

// checkMediaURL refuses a medium Instagram could not download.
func checkMediaURL(m channel.Media, i int) *channel.Error {
	raw := strings.TrimSpace(m.URL)
	if raw == "" {
		return permanent("publish", fmt.Sprintf("media %d has no public address: Instagram downloads every photo and video "+
			"itself, from under PIAZZA_PUBLIC_URL, which must be set and reachable from the internet", i+1))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return permanent("publish", fmt.Sprintf("media %d: %q is not an http(s) address Instagram can download", i+1, raw))
	}
	return nil
}

// itemParams are the parameters of one photo's or video's container.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
func itemParams(m channel.Media, caption string, carousel bool) url.Values {
	v := url.Values{}
	if m.Kind == channel.Video {
		v.Set("video_url", strings.TrimSpace(m.URL))
		if carousel {
			v.Set("media_type", "VIDEO")
		} else {
			// Feed videos are reels since 2023; share_to_feed shows them
			// in the feed too, where followers of a comune look.
			v.Set("media_type", "REELS")
			v.Set("share_to_feed", "true")
		}
	} else {
		v.Set("image_url", strings.TrimSpace(m.URL))
		if alt := strings.TrimSpace(Format(m.AltText)); alt != "" {
			v.Set("alt_text", alt)
		}
	}
	if carousel {
		v.Set("is_carousel_item", "true")
	}
	if caption != "" {
		v.Set("caption", caption)
	}
	return v
}

// container creates a media container. Nothing is published yet, so any
// failure is safe to retry.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#creating
func (c *Connector) container(ctx context.Context, acct channel.Account, user, token string, params url.Values) (string, error) {
	var a idAnswer
	if err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: apiBase(acct), path: user + "/media",
		form: params, token: token}, &a); err != nil {
		return "", err
	}
	if !idRe.MatchString(a.ID) {
		return "", &channel.Error{Kind: channel.Retryable, Platform: channel.Instagram, Op: "publish",
			Message: fmt.Sprintf("Instagram answered an unexpected container id %q", a.ID)}
	}
	return a.ID, nil
}

// maxPollFactor bounds the growth of the wait between two looks.
const maxPollFactor = 120

// waitFinished looks at a container's status until it is FINISHED: ERROR
// and EXPIRED are Permanent (the media as they are cannot be published),
// running out of MaxWait or ctx is Retryable (nothing was published).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
func (c *Connector) waitFinished(ctx context.Context, acct channel.Account, token, id string) error {
	const op = "publish"
	interval := c.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	longest := interval * maxPollFactor
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, maxWait)
	defer cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		var st containerStatus
		if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: id,
			query: url.Values{"fields": {"status_code,status"}}, token: token}, &st); err != nil {
			return err
		}
		switch st.StatusCode {
		case "FINISHED":
			return nil
		case "ERROR":
			// status holds the error subcode ("2207026": a video format
			// Instagram does not take).
			code, msg := "ERROR", "Instagram could not process the media"
			if idRe.MatchString(st.Status) {
				code, msg = st.Status, msg+" (error "+st.Status+")"
			} else if st.Status != "" {
				msg += ": " + st.Status
			}
			return &channel.Error{Kind: channel.Permanent, Platform: channel.Instagram, Op: op, Code: code, Message: msg}
		case "EXPIRED":
			return &channel.Error{Kind: channel.Permanent, Platform: channel.Instagram, Op: op, Code: "EXPIRED",
				Message: "the media container expired before it was published"}
		case "PUBLISHED":
			return &channel.Error{Kind: channel.Permanent, Platform: channel.Instagram, Op: op, Code: "PUBLISHED",
				Message: "the media container was published already"}
		case "IN_PROGRESS":
		default:
			return &channel.Error{Kind: channel.Retryable, Platform: channel.Instagram, Op: op, Code: st.StatusCode,
				Message: fmt.Sprintf("unexpected status %q of the media container", st.StatusCode)}
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return &channel.Error{Kind: channel.Retryable, Platform: channel.Instagram, Op: op, Code: st.StatusCode,
				Message: fmt.Sprintf("the media were not ready in time (status %s)", st.StatusCode), Err: ctx.Err()}
		case <-timer.C:
		}
		interval = min(interval*2, longest)
	}
}

// mediaPublish publishes a FINISHED container: the post exists once this
// succeeds, and may exist when no answer comes.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish
func (c *Connector) mediaPublish(ctx context.Context, acct channel.Account, user, token, creation string) (string, error) {
	var a idAnswer
	if err := c.call(ctx, request{op: "publish", method: http.MethodPost, base: apiBase(acct), path: user + "/media_publish",
		form: url.Values{"creation_id": {creation}}, token: token, effects: true}, &a); err != nil {
		return "", err
	}
	if !idRe.MatchString(a.ID) {
		return "", &channel.Error{Kind: channel.Unknown, Platform: channel.Instagram, Op: "publish",
			Message: fmt.Sprintf("Instagram answered an unexpected media id %q", a.ID)}
	}
	return a.ID, nil
}

// mediaInfo is the part of an IG Media the connector reads.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
type mediaInfo struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
}

// permalink reads a published media's public link; the post exists
// whatever happens here, so a failure only leaves the link empty.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
func (c *Connector) permalink(ctx context.Context, acct channel.Account, token, id string) string {
	var m mediaInfo
	if err := c.call(ctx, request{op: "publish", method: http.MethodGet, base: apiBase(acct), path: id,
		query: url.Values{"fields": {"permalink"}}, token: token}, &m); err != nil {
		return ""
	}
	if u, err := url.Parse(m.Permalink); err != nil || u.Scheme != "https" {
		return ""
	}
	return m.Permalink
}

// Delete removes a published post (a photo, a reel or a whole carousel):
// DELETE /{ig-media-id}, which the Instagram API with Facebook Login
// offers since December 2025 with the instagram_manage_contents
// permission. A post already gone is no error.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = "delete"
	_, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return cerr
	}
	id := strings.TrimSpace(remote.RemoteID)
	if !idRe.MatchString(id) {
		return permanent(op, fmt.Sprintf("%q is not an Instagram media id", remote.RemoteID))
	}
	err := c.call(ctx, request{op: op, method: http.MethodDelete, base: apiBase(acct), path: id, token: token, effects: true}, nil)
	if e := channel.AsError(err); e != nil && (e.Code == "100/33" || e.Status == http.StatusNotFound) {
		return nil
	}
	return err
}

// Find settings for the Finder.
const (
	findPageSize = 25
	findMaxPages = 4
	findSlack    = time.Minute
)

// mediaPage is a page of GET /{ig-user-id}/media.
type mediaPage struct {
	Data   []mediaInfo `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// Find looks among the account's latest media (up to 100, newest first,
// published since since less a minute for clock skew) for one whose
// caption is exactly the caption Publish would send.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reading
func (c *Connector) Find(ctx context.Context, acct channel.Account, p channel.Post, since time.Time) (channel.Published, bool, error) {
	const op = "find"
	user, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return channel.Published{}, false, cerr
	}
	want := strings.TrimSpace(Format(p.Text))
	from := since.Add(-findSlack)
	q := url.Values{"fields": {"id,caption,timestamp,permalink"}, "limit": {strconv.Itoa(findPageSize)}}
	if !since.IsZero() {
		q.Set("since", strconv.FormatInt(from.Unix(), 10))
	}
	for range findMaxPages {
		var mp mediaPage
		if err := c.call(ctx, request{op: op, method: http.MethodGet, base: apiBase(acct), path: user + "/media",
			query: q, token: token}, &mp); err != nil {
			return channel.Published{}, false, err
		}
		older := false
		for _, m := range mp.Data {
			at, ok := graphTime(m.Timestamp)
			if ok && at.Before(from) {
				older = true
				continue
			}
			if strings.TrimSpace(m.Caption) == want && idRe.MatchString(m.ID) {
				return channel.Published{RemoteID: m.ID, URL: m.Permalink, At: at}, true, nil
			}
		}
		after := mp.Paging.Cursors.After
		if older || after == "" || mp.Paging.Next == "" || len(mp.Data) == 0 {
			break
		}
		q.Set("after", after)
	}
	return channel.Published{}, false, nil
}
