// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Media upload.
const (
	// ChunkSize is the size of each APPEND of a chunked upload; X takes
	// up to 5 MB a chunk.
	ChunkSize = 4 << 20
	// maxProcessingWait bounds the wait for X to process a video.
	maxProcessingWait = 10 * time.Minute
)

// oneShotTypes are the image types the one-shot upload takes (its
// media_type enum); GIFs go through the chunked upload.
var oneShotTypes = []string{"image/jpeg", "image/png", "image/webp", "image/bmp", "image/pjpeg", "image/tiff"}

// processingInfo says where X is with a video or GIF.
type processingInfo struct {
	State          string `json:"state"` // pending, in_progress, succeeded, failed
	CheckAfterSecs int    `json:"check_after_secs"`
	Progress       int    `json:"progress_percent"`
	Error          *struct {
		Code    int    `json:"code"`
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
}

// mediaAnswer is the answer of the upload calls.
type mediaAnswer struct {
	Data struct {
		ID             string          `json:"id"`
		MediaKey       string          `json:"media_key"`
		ProcessingInfo *processingInfo `json:"processing_info"`
	} `json:"data"`
}

// upload sends one medium and returns its media id: an image in one
// request (media category tweet_image), a video or an animated GIF in
// chunks (tweet_video, tweet_gif), waiting for X to process it. The
// alternative text of an image or GIF follows through the metadata
// endpoint.
func (c *Connector) upload(ctx context.Context, acct channel.Account, token, op string, m channel.Media, i int) (string, error) {
	if len(m.Data) == 0 {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op,
			Message: fmt.Sprintf("attachment %d is empty", i+1)}
	}
	var id string
	var err error
	switch {
	case m.Kind == channel.Video:
		ctype := m.ContentType
		if ctype == "" {
			ctype = "video/mp4"
		}
		id, err = c.chunked(ctx, acct, token, op, m, ctype, "tweet_video", i)
	case m.ContentType == "image/gif":
		id, err = c.chunked(ctx, acct, token, op, m, m.ContentType, "tweet_gif", i)
	default:
		id, err = c.simpleUpload(ctx, acct, token, op, m, i)
	}
	if err != nil {
		return "", err
	}
	if alt := strings.TrimSpace(m.AltText); alt != "" && m.Kind != channel.Video {
		if err := c.altText(ctx, acct, token, op, id, alt); err != nil {
			return "", err
		}
	}
	return id, nil
}

// simpleUpload sends an image in one multipart request: media,
// media_category and media_type.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (c *Connector) simpleUpload(ctx context.Context, acct channel.Account, token, op string, m channel.Media, i int) (string, error) {
	var fields [][2]string
	fields = append(fields, [2]string{"media_category", "tweet_image"})
	for _, t := range oneShotTypes {
		if m.ContentType == t {
			fields = append(fields, [2]string{"media_type", t})
		}
	}
	body, ctype, err := multipartBody(fields, filename(m, i), m.ContentType, m.Data)
	if err != nil {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op, Err: err}
	}
	var a mediaAnswer
	if err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/media/upload", body: body,
		contentType: ctype, token: token}, &a); err != nil {
		return "", err
	}
	if !idRe.MatchString(a.Data.ID) {
		return "", noMediaID(op)
	}
	return a.Data.ID, c.processed(ctx, acct, token, op, a.Data.ID, a.Data.ProcessingInfo)
}

// initRequest is the body of the chunked upload's initialize call.
type initRequest struct {
	MediaType     string `json:"media_type"`
	TotalBytes    int    `json:"total_bytes"`
	MediaCategory string `json:"media_category"`
}

// chunked sends a video or GIF: initialize with its type, size and
// category, append it in ChunkSize segments, finalize, then wait for the
// processing to succeed.
//
// Specs: https://docs.x.com/x-api/media/media-upload
func (c *Connector) chunked(ctx context.Context, acct channel.Account, token, op string, m channel.Media, ctype, category string, i int) (string, error) {
	var a mediaAnswer
	if err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/media/upload/initialize",
		json: initRequest{MediaType: ctype, TotalBytes: len(m.Data), MediaCategory: category}, token: token}, &a); err != nil {
		return "", err
	}
	id := a.Data.ID
	if !idRe.MatchString(id) {
		return "", noMediaID(op)
	}
	for seg, off := 0, 0; off < len(m.Data); seg, off = seg+1, off+ChunkSize {
		chunk := m.Data[off:min(off+ChunkSize, len(m.Data))]
		body, bctype, err := multipartBody([][2]string{{"segment_index", strconv.Itoa(seg)}}, filename(m, i),
			"application/octet-stream", chunk)
		if err != nil {
			return "", &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op, Err: err}
		}
		if err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/media/upload/" + id + "/append",
			body: body, contentType: bctype, token: token}, nil); err != nil {
			return "", err
		}
	}
	var f mediaAnswer
	if err := c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/media/upload/" + id + "/finalize",
		token: token}, &f); err != nil {
		return "", err
	}
	return id, c.processed(ctx, acct, token, op, id, f.Data.ProcessingInfo)
}

// processed waits until X has processed the medium: it asks for the
// upload's status after the seconds X suggests (check_after_secs), until
// the state is succeeded or failed, for maxProcessingWait at most.
//
// Specs: https://docs.x.com/x-api/media/media-upload-status
func (c *Connector) processed(ctx context.Context, acct channel.Account, token, op, id string, info *processingInfo) error {
	var waited time.Duration
	for info != nil && info.State != "succeeded" {
		if info.State == "failed" {
			msg := "X could not process the attachment"
			code := ""
			if info.Error != nil {
				if info.Error.Message != "" {
					msg = info.Error.Message
				}
				code = info.Error.Name
			}
			return &channel.Error{Kind: channel.Permanent, Platform: channel.X, Op: op, Code: code, Message: msg}
		}
		d := time.Duration(max(info.CheckAfterSecs, 1)) * time.Second
		if waited += d; waited > maxProcessingWait {
			return &channel.Error{Kind: channel.Retryable, Platform: channel.X, Op: op,
				Message: "X is still processing the attachment"}
		}
		if err := c.sleep(ctx, d); err != nil {
			return &channel.Error{Kind: channel.Retryable, Platform: channel.X, Op: op, Err: err}
		}
		var a mediaAnswer
		if err := c.call(ctx, acct, request{op: op, method: http.MethodGet, path: "/2/media/upload",
			query: url.Values{"command": {"STATUS"}, "media_id": {id}}, token: token}, &a); err != nil {
			return err
		}
		info = a.Data.ProcessingInfo
	}
	return nil
}

// metadataRequest is the body of POST /2/media/metadata.
type metadataRequest struct {
	ID       string `json:"id"`
	Metadata struct {
		AltText struct {
			Text string `json:"text"`
		} `json:"alt_text"`
	} `json:"metadata"`
}

// altText sets the alternative text of an uploaded medium.
//
// Specs: https://docs.x.com/x-api/media/media-metadata-create
func (c *Connector) altText(ctx context.Context, acct channel.Account, token, op, id, alt string) error {
	var body metadataRequest
	body.ID = id
	body.Metadata.AltText.Text = alt
	return c.call(ctx, acct, request{op: op, method: http.MethodPost, path: "/2/media/metadata", json: body,
		token: token}, nil)
}

func noMediaID(op string) *channel.Error {
	return &channel.Error{Kind: channel.Retryable, Platform: channel.X, Op: op, Message: "X answered without a media id"}
}

// quoteEscaper is what mime/multipart does to names in
// Content-Disposition.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// multipartBody is a multipart/form-data body with fields, then one file
// part named "media".
func multipartBody(fields [][2]string, name, ctype string, data []byte) ([]byte, string, error) {
	var b bytes.Buffer
	b.Grow(len(data) + 512)
	w := multipart.NewWriter(&b)
	var err error
	for _, f := range fields {
		if err == nil {
			err = w.WriteField(f[0], f[1])
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"`, quoteEscaper.Replace(name)))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	if err == nil {
		var part io.Writer
		if part, err = w.CreatePart(h); err == nil {
			_, err = part.Write(data)
		}
	}
	if err == nil {
		err = w.Close()
	}
	return b.Bytes(), w.FormDataContentType(), err
}

// filename is the name a medium is uploaded under: its own when it is a
// plain one, otherwise one made from its type.
func filename(m channel.Media, i int) string {
	if name := path.Base(strings.ReplaceAll(m.Filename, "\\", "/")); m.Filename != "" && name != "." && name != "/" &&
		!strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return name
	}
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
		"video/mp4": ".mp4"}[m.ContentType]
	if ext == "" {
		ext = ".bin"
	}
	kind := "image"
	if m.Kind == channel.Video {
		kind = "video"
	}
	return fmt.Sprintf("%s%d%s", kind, i+1, ext)
}
