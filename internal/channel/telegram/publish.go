// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// parseMode is the formatting the connector writes (FormatHTML).
const parseMode = "HTML"

// Publish sends the post to the channel: sendMessage for text alone (with
// the link card's URL as the preview), sendPhoto or sendVideo for one
// medium, sendMediaGroup for an album of 2 to 10, with the text as the
// caption of its first item. Telegram shows no link preview under media,
// so with media the link card is not shown: the link must be in the text.
//
// Published.RemoteID is the message id, or for an album every message id
// in order, comma-separated ("12,13,14"): Edit corrects the caption on the
// first, Delete removes them all. Published.URL is https://t.me/{username}/{id}
// for a public channel, https://t.me/c/{id without -100}/{id} for a private
// one (a link only its members can open).
//
// Specs: https://core.telegram.org/bots/api#available-methods
func (c *Connector) Publish(ctx context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	const op = "publish"
	chat, cerr := chatID(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	var msgs []message
	switch n := len(p.Media); {
	case n == 0:
		var m message
		if err := c.sendMessage(ctx, acct, chat, p, &m); err != nil {
			return channel.Published{}, err
		}
		msgs = []message{m}
	case n == 1:
		var m message
		if err := c.sendMedia(ctx, acct, chat, p, &m); err != nil {
			return channel.Published{}, err
		}
		msgs = []message{m}
	case n > MaxMedia:
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
			Message: fmt.Sprintf("an album holds at most %d photos and videos, this post has %d", MaxMedia, n)}
	default:
		if err := c.sendMediaGroup(ctx, acct, chat, p, &msgs); err != nil {
			return channel.Published{}, err
		}
		if len(msgs) == 0 {
			return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Telegram, Op: op,
				Message: "sendMediaGroup answered no messages"}
		}
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = strconv.FormatInt(m.MessageID, 10)
	}
	return channel.Published{RemoteID: strings.Join(ids, ","), URL: messageURL(msgs[0]), At: c.at(msgs[0].Date)}, nil
}

// sendMessageParams are sendMessage's and editMessageText's parameters.
type sendMessageParams struct {
	ChatID             any          `json:"chat_id"`
	MessageID          int64        `json:"message_id,omitempty"`
	Text               string       `json:"text"`
	ParseMode          string       `json:"parse_mode"`
	LinkPreviewOptions *linkPreview `json:"link_preview_options,omitempty"`
}

func textParams(chat string, p channel.Post) sendMessageParams {
	sp := sendMessageParams{ChatID: chatIDValue(chat), Text: FormatHTML(p.Text), ParseMode: parseMode}
	if p.Link != nil && p.Link.URL != "" {
		sp.LinkPreviewOptions = &linkPreview{URL: p.Link.URL}
	}
	return sp
}

// sendMessage publishes text alone.
//
// Specs: https://core.telegram.org/bots/api#sendmessage
func (c *Connector) sendMessage(ctx context.Context, acct channel.Account, chat string, p channel.Post, out *message) error {
	return c.callJSON(ctx, acct, "publish", "sendMessage", textParams(chat, p), out)
}

// caption is the text as a caption; empty when there is none, since the
// Bot API keeps an empty caption as no caption.
func caption(text string) string {
	if plain(text) == "" {
		return ""
	}
	return FormatHTML(text)
}

// sendMedia publishes one photo or video, uploaded as multipart.
//
// Specs: https://core.telegram.org/bots/api#sendphoto
// Specs: https://core.telegram.org/bots/api#sendvideo
func (c *Connector) sendMedia(ctx context.Context, acct channel.Account, chat string, p channel.Post, out *message) error {
	m := p.Media[0]
	f := newForm()
	f.field("chat_id", chat)
	if cp := caption(p.Text); cp != "" {
		f.field("caption", cp)
		f.field("parse_mode", parseMode)
	}
	method, field := "sendPhoto", "photo"
	if m.Kind == channel.Video {
		method, field = "sendVideo", "video"
		if m.Width > 0 && m.Height > 0 {
			f.field("width", strconv.Itoa(m.Width))
			f.field("height", strconv.Itoa(m.Height))
		}
		f.field("supports_streaming", "true")
	}
	f.file(field, filename(m, 0), m.ContentType, m.Data)
	return c.callForm(ctx, acct, "publish", method, f, out)
}

// inputMedia is InputMediaPhoto or InputMediaVideo in an album.
//
// Specs: https://core.telegram.org/bots/api#inputmedia
type inputMedia struct {
	Type              string `json:"type"`
	Media             string `json:"media"`
	Caption           string `json:"caption,omitempty"`
	ParseMode         string `json:"parse_mode,omitempty"`
	Width             int    `json:"width,omitempty"`
	Height            int    `json:"height,omitempty"`
	SupportsStreaming bool   `json:"supports_streaming,omitempty"`
}

// sendMediaGroup publishes an album: each file is a part named fileN,
// referred to as "attach://fileN" in the media array.
//
// Specs: https://core.telegram.org/bots/api#sendmediagroup
func (c *Connector) sendMediaGroup(ctx context.Context, acct channel.Account, chat string, p channel.Post, out *[]message) error {
	items := make([]inputMedia, len(p.Media))
	for i, m := range p.Media {
		it := inputMedia{Type: "photo", Media: fmt.Sprintf("attach://file%d", i+1)}
		if m.Kind == channel.Video {
			it.Type, it.SupportsStreaming = "video", true
			if m.Width > 0 && m.Height > 0 {
				it.Width, it.Height = m.Width, m.Height
			}
		}
		items[i] = it
	}
	if cp := caption(p.Text); cp != "" {
		items[0].Caption, items[0].ParseMode = cp, parseMode
	}
	media, err := marshal(items)
	if err != nil {
		return &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: "publish", Err: err}
	}
	f := newForm()
	f.field("chat_id", chat)
	f.field("media", string(media))
	for i, m := range p.Media {
		f.file(fmt.Sprintf("file%d", i+1), filename(m, i), m.ContentType, m.Data)
	}
	return c.callForm(ctx, acct, "publish", "sendMediaGroup", f, out)
}

// Edit corrects the text of a published post in place: editMessageText
// for a text message, editMessageCaption on the first message of a photo,
// video or album (where the caption is). Media cannot be changed this way.
// A correction identical to what the channel shows is no error.
//
// Specs: https://core.telegram.org/bots/api#updating-messages
func (c *Connector) Edit(ctx context.Context, acct channel.Account, remote channel.Published, p channel.Post) (channel.Published, error) {
	const op = "edit"
	chat, cerr := chatID(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	ids, cerr := messageIDs(remote.RemoteID, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	var m message
	var err error
	if len(p.Media) > 0 {
		err = c.editCaption(ctx, acct, chat, ids[0], p, &m)
	} else {
		err = c.editText(ctx, acct, chat, ids[0], p, &m)
	}
	if e := channel.AsError(err); e != nil && strings.Contains(e.Message, "message is not modified") {
		return channel.Published{RemoteID: remote.RemoteID, URL: remote.URL, At: c.now().UTC()}, nil
	}
	if err != nil {
		return channel.Published{}, err
	}
	out := channel.Published{RemoteID: remote.RemoteID, URL: messageURL(m), At: c.at(m.EditDate)}
	if out.URL == "" {
		out.URL = remote.URL
	}
	return out, nil
}

// editText replaces a text message.
//
// Specs: https://core.telegram.org/bots/api#editmessagetext
func (c *Connector) editText(ctx context.Context, acct channel.Account, chat string, id int64, p channel.Post, out *message) error {
	sp := textParams(chat, p)
	sp.MessageID = id
	return c.callJSON(ctx, acct, "edit", "editMessageText", sp, out)
}

// editCaptionParams are editMessageCaption's parameters.
type editCaptionParams struct {
	ChatID    any    `json:"chat_id"`
	MessageID int64  `json:"message_id"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode,omitempty"`
}

// editCaption replaces the caption of a photo, a video or an album.
//
// Specs: https://core.telegram.org/bots/api#editmessagecaption
func (c *Connector) editCaption(ctx context.Context, acct channel.Account, chat string, id int64, p channel.Post, out *message) error {
	ep := editCaptionParams{ChatID: chatIDValue(chat), MessageID: id, Caption: caption(p.Text)}
	if ep.Caption != "" {
		ep.ParseMode = parseMode
	}
	return c.callJSON(ctx, acct, "edit", "editMessageCaption", ep, out)
}

// deleteParams are deleteMessage's parameters.
type deleteParams struct {
	ChatID    any   `json:"chat_id"`
	MessageID int64 `json:"message_id"`
}

// Delete removes every message of the post. A message already gone is no
// error, so a delete interrupted half-way can be repeated.
//
// Specs: https://core.telegram.org/bots/api#deletemessage
func (c *Connector) Delete(ctx context.Context, acct channel.Account, remote channel.Published) error {
	const op = "delete"
	chat, cerr := chatID(acct, op)
	if cerr != nil {
		return cerr
	}
	ids, cerr := messageIDs(remote.RemoteID, op)
	if cerr != nil {
		return cerr
	}
	for _, id := range ids {
		err := c.callJSON(ctx, acct, op, "deleteMessage", deleteParams{ChatID: chatIDValue(chat), MessageID: id}, nil)
		if e := channel.AsError(err); e != nil && strings.Contains(e.Message, "message to delete not found") {
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// messageIDs reads a RemoteID written by Publish.
func messageIDs(remote, op string) ([]int64, *channel.Error) {
	var ids []int64
	for s := range strings.SplitSeq(remote, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, &channel.Error{Kind: channel.Permanent, Platform: channel.Telegram, Op: op,
				Message: fmt.Sprintf("%q is not a Telegram message id", remote)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// messageURL is the public link to a channel message.
func messageURL(m message) string {
	switch {
	case m.MessageID <= 0:
		return ""
	case m.Chat.Username != "":
		return fmt.Sprintf("https://t.me/%s/%d", m.Chat.Username, m.MessageID)
	default:
		// A private channel's id is -100 followed by its internal id,
		// which t.me/c links use.
		if id, ok := strings.CutPrefix(strconv.FormatInt(m.Chat.ID, 10), "-100"); ok && id != "" {
			return fmt.Sprintf("https://t.me/c/%s/%d", id, m.MessageID)
		}
		return ""
	}
}

// at is a Bot API date (Unix seconds), or now when it is missing.
func (c *Connector) at(unix int64) time.Time {
	if unix <= 0 {
		return c.now().UTC()
	}
	return time.Unix(unix, 0).UTC()
}
