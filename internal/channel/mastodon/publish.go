// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// status is the part of a Status entity the connector reads.
//
// Specs: https://docs.joinmastodon.org/entities/Status/
type status struct {
	ID        string  `json:"id"`
	CreatedAt string  `json:"created_at"`
	EditedAt  *string `json:"edited_at"`
	URI       string  `json:"uri"`
	URL       *string `json:"url"`
	Reblog    *struct {
		ID string `json:"id"`
	} `json:"reblog"`
}

// mediaAttachment is the part of a MediaAttachment entity the connector
// reads; url is null while the instance is still processing the file.
//
// Specs: https://docs.joinmastodon.org/entities/MediaAttachment/
type mediaAttachment struct {
	ID   string  `json:"id"`
	Type string  `json:"type"`
	URL  *string `json:"url"`
}

// statusParams are the parameters of POST /api/v1/statuses.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
type statusParams struct {
	Status     string   `json:"status"`
	MediaIDs   []string `json:"media_ids,omitempty"`
	Visibility string   `json:"visibility"`
	Language   string   `json:"language,omitempty"`
}

// editParams are the parameters of PUT /api/v1/statuses/:id. media_ids is
// always sent, empty to remove the media: left out, the media would stay.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#edit
type editParams struct {
	Status          string           `json:"status"`
	MediaIDs        []string         `json:"media_ids"`
	MediaAttributes []mediaAttribute `json:"media_attributes,omitempty"`
	Language        string           `json:"language,omitempty"`
}

type mediaAttribute struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

// Publish creates a public status: each attachment is uploaded (a video
// is then awaited until the instance has processed it, within ctx), then
// the status is created with the header Idempotency-Key: Post.Key, so
// that a retry within the hour returns the status already created.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = opPublish
	tok, err := token(acct, op)
	if err != nil {
		return channel.Published{}, err
	}
	text := ComposeText(p)
	if err := checkPost(acct, op, p, text); err != nil {
		return channel.Published{}, err
	}
	ids, err := c.uploadAll(ctx, acct, op, tok, p.Media)
	if err != nil {
		return channel.Published{}, err
	}
	var st status
	_, err = c.call(ctx, acct, op, request{method: http.MethodPost, path: "/api/v1/statuses", token: tok,
		idempotencyKey: p.Key,
		json:           statusParams{Status: text, MediaIDs: ids, Visibility: "public", Language: language(p.Language)}}, &st)
	if err != nil {
		return channel.Published{}, err
	}
	return c.published(st, false), nil
}

// checkPost refuses, before anything is uploaded, what the instance
// would refuse anyway: too many attachments, a video beside other media,
// an empty file, and a text that the appended link (ComposeText) makes
// too long, which the editor could not see.
func checkPost(acct channel.Account, op string, p channel.Post, text string) error {
	l := limitsOf(acct)
	if len(p.Media) > l.maxMedia {
		return errorf(channel.Permanent, op, "this instance accepts at most %d attachments, not %d", l.maxMedia, len(p.Media))
	}
	for i, m := range p.Media {
		if m.Kind == channel.Video && len(p.Media) > 1 {
			return errorf(channel.Permanent, op, "a video must be the only attachment of a Mastodon status (attachment %d)", i+1)
		}
		if len(m.Data) == 0 {
			return errorf(channel.Permanent, op, "attachment %d has no data to upload", i+1)
		}
	}
	if text != Text(p.Text) {
		if n := Count(text, l.urlLength); n > l.maxChars {
			return errorf(channel.Permanent, op, "with the link added for its preview the text counts %d characters, over this instance's limit of %d",
				n, l.maxChars)
		}
	}
	return nil
}

// language is the ISO 639 code Mastodon takes from a BCP 47 tag: its
// primary subtag ("it" for "it-IT"); empty, and so left out (Mastodon
// then uses the account's default), when the tag has none.
func language(tag string) string {
	primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	if len(primary) < 2 || len(primary) > 3 {
		return ""
	}
	for i := 0; i < len(primary); i++ {
		if c := primary[i] | 0x20; c < 'a' || c > 'z' {
			return ""
		}
	}
	return strings.ToLower(primary)
}

// published is where a status is; edited takes the time of its last edit.
func (c *Connector) published(st status, edited bool) channel.Published {
	at := parseTime(st.CreatedAt, c.now())
	if edited && st.EditedAt != nil {
		at = parseTime(*st.EditedAt, at)
	}
	u := st.URI
	if st.URL != nil && *st.URL != "" {
		u = *st.URL
	}
	return channel.Published{RemoteID: st.ID, URL: u, At: at}
}

// parseTime reads Mastodon's ISO 8601 times, def when unreadable.
func parseTime(s string, def time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return def
}

// uploadAll uploads the attachments in order and returns their ids.
func (c *Connector) uploadAll(ctx context.Context, acct channel.Account, op, tok string, media []channel.Media) ([]string, error) {
	var ids []string
	for _, m := range media {
		id, err := c.upload(ctx, acct, op, tok, m)
		if err != nil {
			// Nothing is published by an upload: whatever happened, a
			// retry is safe.
			return nil, nothingPublished(err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// upload sends one file with its alternative text. Mastodon answers 200
// when the file is ready and 202 when it is still processing it (videos,
// large images): then the connector waits for it, since a status cannot
// carry an attachment that is not ready.
//
// Specs: https://docs.joinmastodon.org/methods/media/#v2
func (c *Connector) upload(ctx context.Context, acct channel.Account, op, tok string, m channel.Media) (string, error) {
	body, err := mediaBody(m)
	if err != nil {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.Mastodon, Op: op, Err: err}
	}
	var out mediaAttachment
	code, err := c.call(ctx, acct, op, request{method: http.MethodPost, path: "/api/v2/media", token: tok, multipart: body}, &out)
	if err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errorf(channel.Retryable, op, "the instance answered the upload without a media id")
	}
	if code == http.StatusAccepted || out.URL == nil || *out.URL == "" {
		if err := c.waitProcessed(ctx, acct, op, tok, out.ID); err != nil {
			return "", err
		}
	}
	return out.ID, nil
}

// mediaBody encodes the upload: the file with its content type and a
// name with the matching extension, and the alternative text as
// description.
func mediaBody(m channel.Media) (*multipartBody, error) {
	ct := strings.TrimSpace(m.ContentType)
	if ct == "" {
		ct = "application/octet-stream"
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", filename(m, ct)))
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(m.Data); err != nil {
		return nil, err
	}
	if alt := strings.TrimSpace(Text(m.AltText)); alt != "" {
		if err := w.WriteField("description", alt); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &multipartBody{data: buf.Bytes(), contentType: w.FormDataContentType()}, nil
}

// extensions are the file extensions of Mastodon's media types: the
// instance checks that a file's name agrees with its content.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/heic": ".heic",
	"image/heif": ".heif", "image/avif": ".avif", "video/mp4": ".mp4", "video/webm": ".webm",
	"video/quicktime": ".mov", "video/ogg": ".ogv",
}

// filename is the name the file is uploaded under: the media's own name
// (without its directories) or "media" with the extension of its type.
func filename(m channel.Media, ct string) string {
	if name := strings.TrimSpace(m.Filename); name != "" {
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		if name != "" {
			return name
		}
	}
	ext := extensions[ct]
	if ext == "" {
		if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return "media" + ext
}

// waitProcessed asks for an uploaded file until the instance has
// processed it (206 Partial Content until then), waiting a little longer
// each time, within ctx.
//
// Specs: https://docs.joinmastodon.org/methods/media/#get
func (c *Connector) waitProcessed(ctx context.Context, acct channel.Account, op, tok, id string) error {
	wait := c.pollInterval
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			e := errorf(channel.Retryable, op, "the instance was still processing the video when the time ran out")
			e.Err = ctx.Err()
			return e
		case <-t.C:
		}
		var m mediaAttachment
		code, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v1/media/" + url.PathEscape(id), token: tok}, &m)
		if err != nil {
			return err
		}
		if code == http.StatusOK && m.URL != nil && *m.URL != "" {
			return nil
		}
		wait = min(wait*2, maxPollInterval)
	}
}

// Edit corrects a published status in place: its text, its language and
// its media. Mastodon cannot tell which files of an edit are the ones it
// already has, so the post's media are uploaded again and the status
// points to the new ones, with their alternative text set again through
// media_attributes.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#edit
func (c *Connector) Edit(ctx context.Context, acct channel.Account, remote channel.Published, p channel.Post) (channel.Published, error) {
	const op = opEdit
	tok, err := token(acct, op)
	if err != nil {
		return channel.Published{}, err
	}
	if strings.TrimSpace(remote.RemoteID) == "" {
		return channel.Published{}, errorf(channel.Permanent, op, "no status id to edit")
	}
	text := ComposeText(p)
	if err := checkPost(acct, op, p, text); err != nil {
		return channel.Published{}, err
	}
	ids, err := c.uploadAll(ctx, acct, op, tok, p.Media)
	if err != nil {
		return channel.Published{}, err
	}
	in := editParams{Status: text, MediaIDs: make([]string, 0, len(ids)), Language: language(p.Language)}
	for i, id := range ids {
		in.MediaIDs = append(in.MediaIDs, id)
		in.MediaAttributes = append(in.MediaAttributes, mediaAttribute{ID: id, Description: strings.TrimSpace(Text(p.Media[i].AltText))})
	}
	var st status
	if _, err := c.call(ctx, acct, op, request{method: http.MethodPut, path: "/api/v1/statuses/" + url.PathEscape(remote.RemoteID),
		token: tok, json: in}, &st); err != nil {
		return channel.Published{}, err
	}
	return c.published(st, true), nil
}

// Delete removes a status. A status already gone (404) counts as
// deleted.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#delete
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = opDelete
	tok, err := token(acct, op)
	if err != nil {
		return err
	}
	if strings.TrimSpace(remote.RemoteID) == "" {
		return errorf(channel.Permanent, op, "no status id to delete")
	}
	_, err = c.call(ctx, acct, op, request{method: http.MethodDelete, path: "/api/v1/statuses/" + url.PathEscape(remote.RemoteID),
		token: tok}, nil)
	if e := channel.AsError(err); e != nil && e.Status == http.StatusNotFound {
		return nil
	}
	return err
}

// findSkew widens Find's window for the clocks of Piazza and of the
// instance, which stamps created_at.
const findSkew = time.Minute

// findPage is how many of the account's latest statuses Find reads.
const findPage = 20

// Find looks among the account's latest 20 statuses, created since the
// given time (less a minute for clock skew), for one whose text is
// exactly the text Publish sends for p. The HTML content of a status
// does not give the text back as written (a remote mention shows as
// @user), so each candidate's source text is read and compared.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#statuses
func (c *Connector) Find(ctx context.Context, acct channel.Account, p channel.Post, since time.Time) (channel.Published, bool, error) {
	const op = opFind
	pub, found, err := c.find(ctx, acct, op, p, since)
	return pub, found, nothingPublished(err)
}

// find is Find before its errors are made Retryable.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#statuses
func (c *Connector) find(ctx context.Context, acct channel.Account, op string, p channel.Post, since time.Time) (channel.Published, bool, error) {
	tok, err := token(acct, op)
	if err != nil {
		return channel.Published{}, false, err
	}
	id := strings.TrimSpace(acct.Settings[SettingAccountID])
	if id == "" {
		a, err := c.verifyCredentials(ctx, acct, op, tok)
		if err != nil {
			return channel.Published{}, false, err
		}
		id = a.ID
	}
	var page []status
	q := url.Values{"limit": {"20"}, "exclude_reblogs": {"true"}}
	if _, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v1/accounts/" + url.PathEscape(id) + "/statuses",
		query: q, token: tok}, &page); err != nil {
		return channel.Published{}, false, err
	}
	want := rubyStrip(ComposeText(p))
	from := since.Add(-findSkew)
	for i, st := range page {
		if i >= findPage {
			break
		}
		if st.Reblog != nil {
			continue
		}
		if at := parseTime(st.CreatedAt, time.Time{}); !since.IsZero() && at.Before(from) {
			continue
		}
		text, ok, err := c.source(ctx, acct, op, tok, st.ID)
		if err != nil {
			return channel.Published{}, false, err
		}
		if ok && text == want {
			return c.published(st, false), true, nil
		}
	}
	return channel.Published{}, false, nil
}

// source reads the plain text of one of the account's statuses; ok is
// false when it is gone.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#source
func (c *Connector) source(ctx context.Context, acct channel.Account, op, tok, id string) (string, bool, error) {
	var out struct {
		Text string `json:"text"`
	}
	_, err := c.call(ctx, acct, op, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(id) + "/source",
		token: tok}, &out)
	if e := channel.AsError(err); e != nil && e.Status == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return out.Text, true, nil
}
