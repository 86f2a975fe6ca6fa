// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// scopedIDRe is a page-scoped id (PSID) of a Messenger user.
var scopedIDRe = regexp.MustCompile(`^[0-9]{1,30}$`)

// messageAnswer is the answer of the Send API.
//
// Specs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
type messageAnswer struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Reply answers a citizen on the Page:
//
//   - a public comment: POST /{comment-id}/comments with the text as
//     message, under the thread's top-level comment (Facebook keeps two
//     levels: an answer to a reply goes beside it);
//   - a public comment with Private set: a Private Reply, POST
//     /{page-id}/messages with recipient {"comment_id"} (one per comment,
//     within seven days of it);
//   - a Messenger message: POST /{page-id}/messages with recipient {"id":
//     psid} and messaging_type RESPONSE (within 24 hours of the citizen's
//     last message).
//
// Published.RemoteID is the new comment's id or the message's mid.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/object/comments#publish
// Specs: https://developers.facebook.com/docs/messenger-platform/discovery/private-replies
// Specs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
func (c *Connector) Reply(ctx context.Context, acct channel.Account, r channel.Reply) (channel.Published, error) {
	const op = "reply"
	page, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	text := Format(r.Text)
	if strings.TrimSpace(text) == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
			Message: "the reply has no text"}
	}
	if r.To.Visibility == channel.Private {
		psid := r.To.Raw[RawPSID]
		if psid == "" {
			psid = r.To.AuthorID
		}
		if !scopedIDRe.MatchString(psid) {
			return channel.Published{}, &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
				Message: fmt.Sprintf("%q is not a Messenger user id", psid)}
		}
		return c.sendMessage(ctx, acct, page, token, map[string]string{"id": psid}, text)
	}
	comment, cerr := commentID(r.To.RemoteID, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	if r.Private {
		return c.sendMessage(ctx, acct, page, token, map[string]string{"comment_id": comment}, text)
	}
	// Answer under the top-level comment: a reply to a reply would make a
	// third level, which the Graph API does not have.
	target := comment
	if t := strings.TrimSpace(r.To.Thread); t != "" && idRe.MatchString(t) {
		target = t
	}
	var a idAnswer
	if err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: target + "/comments",
		form: url.Values{"message": {text}}, token: token, effects: true}, &a); err != nil {
		return channel.Published{}, err
	}
	if !idRe.MatchString(a.ID) {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("Facebook answered an unexpected comment id %q", a.ID)}
	}
	return channel.Published{RemoteID: a.ID, At: c.now().UTC()}, nil
}

// sendMessage sends text with the Send API. recipient and message go as
// JSON-valued form parameters, as the Graph API takes them.
func (c *Connector) sendMessage(ctx context.Context, acct channel.Account, page, token string, recipient map[string]string,
	text string) (channel.Published, error) {
	const op = "reply"
	rcpt, _ := json.Marshal(recipient)
	msg, _ := json.Marshal(map[string]string{"text": text})
	form := url.Values{"recipient": {string(rcpt)}, "message": {string(msg)}, "messaging_type": {"RESPONSE"}}
	var a messageAnswer
	err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: page + "/messages",
		form: form, token: token, effects: true}, &a)
	if err != nil {
		return channel.Published{}, messagingError(err)
	}
	if a.MessageID == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Facebook, Op: op,
			Message: "Facebook answered no message id"}
	}
	return channel.Published{RemoteID: a.MessageID, At: c.now().UTC()}, nil
}

// messagingError corrects the kind of a Send API refusal: code 10 with a
// 2018xxx subcode (outside the messaging window, a comment answered
// privately already) and 551 (the person cannot be reached) are about
// this one message, not a permission the account lost.
//
// Specs: https://developers.facebook.com/docs/messenger-platform/error-codes
func messagingError(err error) error {
	e := channel.AsError(err)
	if e == nil {
		return err
	}
	if strings.HasPrefix(e.Code, "10/2018") || strings.HasPrefix(e.Code, "551") {
		e.Kind = channel.Permanent
	}
	return err
}

// commentID checks a comment id ("{post}_{comment}" or a number) before
// it goes into a path.
func commentID(id, op string) (string, *channel.Error) {
	id = strings.TrimSpace(id)
	if !idRe.MatchString(id) {
		return "", &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
			Message: fmt.Sprintf("%q is not a Facebook comment id", id)}
	}
	return id, nil
}

// Moderate hides a citizen's comment (POST /{comment-id} is_hidden=true:
// the author and their friends still see it, nobody else does) or deletes
// it (DELETE /{comment-id}). Deleting a comment already gone is no error.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/comment#updating
// Specs: https://developers.facebook.com/docs/graph-api/reference/comment#deleting
func (c *Connector) Moderate(ctx context.Context, acct channel.Account, remoteID string, action channel.ModerationAction) error {
	const op = "moderate"
	_, token, cerr := pageOf(acct, op)
	if cerr != nil {
		return cerr
	}
	id, cerr := commentID(remoteID, op)
	if cerr != nil {
		return cerr
	}
	var a successAnswer
	switch action {
	case channel.Hide:
		return c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: id,
			form: url.Values{"is_hidden": {"true"}}, token: token, effects: true}, &a)
	case channel.Delete:
		err := c.call(ctx, request{op: op, method: http.MethodDelete, base: apiBase(acct), path: id, token: token, effects: true}, &a)
		if e := channel.AsError(err); e != nil && (e.Code == "100/33" || e.Status == http.StatusNotFound) {
			return nil
		}
		return err
	}
	return &channel.Error{Kind: channel.Permanent, Platform: channel.Facebook, Op: op,
		Message: fmt.Sprintf("Facebook cannot %q a comment", action)}
}
