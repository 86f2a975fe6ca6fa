// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// usernameRe is an X username.
var usernameRe = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// Username is the account's @username without "@": Account.Handle when it
// names one, otherwise what CheckCredentials learnt (SettingUsername); ""
// when neither says.
func Username(acct channel.Account) string {
	h := strings.TrimSpace(acct.Handle)
	if name, ok := strings.CutPrefix(h, "@"); ok && usernameRe.MatchString(name) {
		return name
	}
	if usernameRe.MatchString(h) && !idRe.MatchString(h) {
		return h
	}
	if name := strings.TrimPrefix(strings.TrimSpace(acct.Settings[SettingUsername]), "@"); usernameRe.MatchString(name) {
		return name
	}
	return ""
}

// UserID is the account's numeric user id: Account.Handle when it is one,
// otherwise what CheckCredentials learnt (SettingUserID); "" when neither
// says.
func UserID(acct channel.Account) string {
	if h := strings.TrimSpace(acct.Handle); idRe.MatchString(h) {
		return h
	}
	if id := strings.TrimSpace(acct.Settings[SettingUserID]); idRe.MatchString(id) {
		return id
	}
	return ""
}

// PostURL is the public link to a post: https://x.com/{username}/status/{id},
// or https://x.com/i/status/{id} (which X redirects) when the username is
// not known.
func PostURL(username, id string) string {
	if username == "" {
		username = "i"
	}
	return "https://x.com/" + username + "/status/" + id
}

// createRequest is the body of POST /2/tweets.
type createRequest struct {
	Text  string    `json:"text,omitempty"`
	Media *mediaIDs `json:"media,omitempty"`
}

type mediaIDs struct {
	MediaIDs []string `json:"media_ids"`
}

// postAnswer is the answer of POST /2/tweets.
type postAnswer struct {
	Data struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"data"`
}

// Publish creates the post: every image or video is uploaded first (see
// upload), then POST /2/tweets carries the text and the media ids. The
// text is Compose(p): Post.Link's URL is appended when the text lacks it,
// since X builds the link card from the text. Published.RemoteID is the
// post's id and URL its public link (PostURL).
//
// Specs: https://docs.x.com/x-api/posts/create-post
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = "publish"
	token, cerr := tokenOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	text := Compose(p)
	if cerr := checkPost(text, p.Media, op); cerr != nil {
		return channel.Published{}, cerr
	}
	body := createRequest{Text: text}
	for i, m := range p.Media {
		id, err := c.upload(ctx, acct, token, op, m, i)
		if err != nil {
			return channel.Published{}, err
		}
		if body.Media == nil {
			body.Media = &mediaIDs{}
		}
		body.Media.MediaIDs = append(body.Media.MediaIDs, id)
	}
	var a postAnswer
	if err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/tweets", json: body,
		token: token, effects: true}, &a); err != nil {
		return channel.Published{}, err
	}
	if !idRe.MatchString(a.Data.ID) {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.X, Op: op,
			Message: "X answered without the post's id"}
	}
	return channel.Published{RemoteID: a.Data.ID, URL: PostURL(Username(acct), a.Data.ID), At: c.now().UTC()}, nil
}

// checkPost refuses, before anything is uploaded, what X would refuse
// after the uploads: no content, a text over MaxText, or media X does not
// combine (four images at most, or one animated GIF or one video alone).
func checkPost(text string, media []channel.Media, op string) *channel.Error {
	refuse := func(format string, args ...any) *channel.Error {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op, Message: fmt.Sprintf(format, args...)}
	}
	images, videos := 0, 0
	for _, m := range media {
		if m.Kind == channel.Video {
			videos++
		} else {
			images++
		}
	}
	switch {
	case text == "" && len(media) == 0:
		return refuse("the post has no text, link or media")
	case WeightedLength(text) > MaxText:
		return refuse("the text is %d characters as X counts them, over the limit of %d", WeightedLength(text), MaxText)
	case videos > 1 || (videos == 1 && images > 0):
		return refuse("a post on X holds one video alone, or images")
	case gifs(media) > 0 && len(media) > 1:
		return refuse("a post on X holds one animated GIF alone")
	case images > MaxImages:
		return refuse("a post on X holds at most %d images, this one has %d", MaxImages, images)
	}
	return nil
}

// deleteAnswer is the answer of DELETE /2/tweets/:id.
type deleteAnswer struct {
	Data struct {
		Deleted bool `json:"deleted"`
	} `json:"data"`
}

// Delete removes the post. A post X no longer has counts as deleted.
//
// Specs: https://docs.x.com/x-api/posts/delete-post
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = "delete"
	token, cerr := tokenOf(acct, op)
	if cerr != nil {
		return cerr
	}
	id := strings.TrimSpace(remote.RemoteID)
	if !idRe.MatchString(id) {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op,
			Message: fmt.Sprintf("%q is not the id of a post on X", remote.RemoteID)}
	}
	var a deleteAnswer
	err := c.call(ctx, acct, request{op: op, method: http.MethodDelete, path: "/2/tweets/" + id, token: token,
		effects: true}, &a)
	if e := channel.AsError(err); e != nil && e.Code == "resource-not-found" {
		return nil
	}
	if err != nil {
		return err
	}
	if !a.Data.Deleted {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op, Status: http.StatusOK,
			Message: "X did not delete the post"}
	}
	return nil
}

// Find settles an unknown outcome.
const (
	findPageSize = 10
	findMaxPages = 5
	// findSlack widens the search before since, for clocks that differ.
	findSlack = time.Minute
)

// timelinePage is a page of GET /2/users/:id/tweets.
type timelinePage struct {
	Data []struct {
		ID          string `json:"id"`
		Text        string `json:"text"`
		CreatedAt   string `json:"created_at"`
		Attachments struct {
			MediaKeys []string `json:"media_keys"`
		} `json:"attachments"`
		Entities struct {
			URLs []struct {
				URL        string `json:"url"`
				DisplayURL string `json:"display_url"`
				MediaKey   string `json:"media_key"`
			} `json:"urls"`
		} `json:"entities"`
	} `json:"data"`
	Meta struct {
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

// Find looks among the account's posts since since (a minute earlier, for
// clocks that differ) for one with the text Publish would send. X keeps
// no key of ours, and answers the text as it stores it: links wrapped in
// t.co, "&", "<" and ">" escaped, a link to the media at the end. Find
// undoes the escaping, drops the media links (entities.urls with a
// media_key) and compares the texts with every link masked, so a link
// matches whatever t.co made of it; the number of attachments must match
// too. The user id comes from the Handle or
// Settings, or from GET /2/users/me when neither has it.
//
// Specs: https://developer.x.com/en/docs/twitter-api/tweets/timelines/api-reference/get-users-id-tweets
func (c *Connector) Find(ctx context.Context, acct channel.Account, p channel.Post, since time.Time) (channel.Published, bool, error) {
	const op = "find"
	token, cerr := tokenOf(acct, op)
	if cerr != nil {
		return channel.Published{}, false, cerr
	}
	user := UserID(acct)
	if user == "" {
		me, err := c.me(ctx, acct, token, op)
		if err != nil {
			return channel.Published{}, false, err
		}
		user = me.ID
		// acct is a copy: the username serves the links below only.
		acct.Settings = maps.Clone(acct.Settings)
		if acct.Settings == nil {
			acct.Settings = map[string]string{}
		}
		acct.Settings[SettingUsername] = me.Username
	}
	want := matchKey(Compose(p))
	q := url.Values{"max_results": {strconv.Itoa(findPageSize)}, "tweet.fields": {"created_at,entities,attachments"},
		"exclude": {"replies,retweets"}}
	if !since.IsZero() {
		from := since.Add(-findSlack).UTC()
		if now := c.now().UTC(); !from.Before(now) {
			from = now.Add(-findSlack)
		}
		q.Set("start_time", from.Format(time.RFC3339))
	}
	for range findMaxPages {
		var page timelinePage
		if err := c.call(ctx, acct, request{op: op, method: http.MethodGet, path: "/2/users/" + user + "/tweets",
			query: q, token: token}, &page); err != nil {
			return channel.Published{}, false, err
		}
		for _, t := range page.Data {
			text := unescapeText(t.Text)
			for _, u := range t.Entities.URLs {
				if u.MediaKey != "" || strings.HasPrefix(u.DisplayURL, "pic.x.com/") || strings.HasPrefix(u.DisplayURL, "pic.twitter.com/") {
					if i := strings.LastIndex(text, u.URL); i >= 0 && u.URL != "" {
						text = text[:i] + text[i+len(u.URL):]
					}
				}
			}
			if matchKey(text) != want || len(t.Attachments.MediaKeys) != len(p.Media) || !idRe.MatchString(t.ID) {
				continue
			}
			at, err := time.Parse(time.RFC3339, t.CreatedAt)
			if err != nil {
				at = time.Time{}
			}
			return channel.Published{RemoteID: t.ID, URL: PostURL(Username(acct), t.ID), At: at.UTC()}, true, nil
		}
		if page.Meta.NextToken == "" || len(page.Data) == 0 {
			break
		}
		q.Set("pagination_token", page.Meta.NextToken)
	}
	return channel.Published{}, false, nil
}

// unescapeText undoes the HTML escaping of "&", "<" and ">" in the text
// of a post as X answers it.
func unescapeText(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// matchKey is a text reduced for comparison: NFC, every link replaced by
// the same mark, white space runs made one space, trimmed.
func matchKey(s string) string {
	s = Format(s)
	var b strings.Builder
	last := 0
	for _, u := range ExtractURLs(s) {
		b.WriteString(s[last:u.Start])
		b.WriteString("\x00")
		last = u.End
	}
	b.WriteString(s[last:])
	return strings.Join(strings.Fields(b.String()), " ")
}
