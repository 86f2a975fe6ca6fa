// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// RawIGSID is the Raw key of an inbound direct message that holds the
// sender's Instagram-scoped id (the Facebook connector's ParseWebhook
// writes it).
const RawIGSID = "igsid"

// messageAnswer is the answer of the Send API.
type messageAnswer struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// Reply answers a citizen on the Instagram account:
//
//   - a comment: POST /{ig-comment-id}/replies with the text as message,
//     under the thread's top-level comment (Instagram replies to top-level
//     comments only);
//   - a comment with Private set: a private reply, POST
//     /{ig-user-id}/messages with recipient {"comment_id"} (one per
//     comment, within seven days of it);
//   - a direct message: POST /{ig-user-id}/messages with recipient {"id":
//     igsid} (within 24 hours of the citizen's last message).
//
// Published.RemoteID is the new comment's id or the message's mid.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/replies
// Specs: https://developers.facebook.com/docs/instagram-platform/private-replies
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/messaging-api
func (c *Connector) Reply(ctx context.Context, acct channel.Account, r channel.Reply) (channel.Published, error) {
	const op = "reply"
	user, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return channel.Published{}, cerr
	}
	text := Format(r.Text)
	if strings.TrimSpace(text) == "" {
		return channel.Published{}, permanent(op, "the reply has no text")
	}
	if r.To.Visibility == channel.Private {
		igsid := r.To.Raw[RawIGSID]
		if igsid == "" {
			igsid = r.To.AuthorID
		}
		if !idRe.MatchString(igsid) {
			return channel.Published{}, permanent(op, fmt.Sprintf("%q is not an Instagram-scoped user id", igsid))
		}
		return c.sendMessage(ctx, acct, user, token, map[string]string{"id": igsid}, text)
	}
	comment := strings.TrimSpace(r.To.RemoteID)
	if !idRe.MatchString(comment) {
		return channel.Published{}, permanent(op, fmt.Sprintf("%q is not an Instagram comment id", r.To.RemoteID))
	}
	if r.Private {
		return c.sendMessage(ctx, acct, user, token, map[string]string{"comment_id": comment}, text)
	}
	target := comment
	if t := strings.TrimSpace(r.To.Thread); idRe.MatchString(t) {
		target = t
	}
	var a idAnswer
	if err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: target + "/replies",
		form: url.Values{"message": {text}}, token: token, effects: true}, &a); err != nil {
		return channel.Published{}, err
	}
	if !idRe.MatchString(a.ID) {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Instagram, Op: op,
			Message: fmt.Sprintf("Instagram answered an unexpected comment id %q", a.ID)}
	}
	return channel.Published{RemoteID: a.ID, At: c.now().UTC()}, nil
}

// sendMessage sends text with the Send API; recipient and message go as
// JSON-valued form parameters.
func (c *Connector) sendMessage(ctx context.Context, acct channel.Account, user, token string, recipient map[string]string,
	text string) (channel.Published, error) {
	const op = "reply"
	rcpt, _ := json.Marshal(recipient)
	msg, _ := json.Marshal(map[string]string{"text": text})
	var a messageAnswer
	err := c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: user + "/messages",
		form: url.Values{"recipient": {string(rcpt)}, "message": {string(msg)}}, token: token, effects: true}, &a)
	if err != nil {
		// Outside the messaging window, a comment answered privately
		// already, a person who cannot be reached: about this message,
		// not a permission the account lost.
		if e := channel.AsError(err); e != nil && (strings.HasPrefix(e.Code, "10/2018") || strings.HasPrefix(e.Code, "551")) {
			e.Kind = channel.Permanent
		}
		return channel.Published{}, err
	}
	if a.MessageID == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Platform: channel.Instagram, Op: op,
			Message: "Instagram answered no message id"}
	}
	return channel.Published{RemoteID: a.MessageID, At: c.now().UTC()}, nil
}

// Moderate hides a comment on the account's media (POST /{ig-comment-id}
// hide=true: its author still sees it) or deletes it (DELETE
// /{ig-comment-id}). Deleting a comment already gone is no error.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment
func (c *Connector) Moderate(ctx context.Context, acct channel.Account, remoteID string, action channel.ModerationAction) error {
	const op = "moderate"
	_, token, cerr := accountOf(acct, op)
	if cerr != nil {
		return cerr
	}
	id := strings.TrimSpace(remoteID)
	if !idRe.MatchString(id) {
		return permanent(op, fmt.Sprintf("%q is not an Instagram comment id", remoteID))
	}
	switch action {
	case channel.Hide:
		return c.call(ctx, request{op: op, method: http.MethodPost, base: apiBase(acct), path: id,
			form: url.Values{"hide": {"true"}}, token: token, effects: true}, nil)
	case channel.Delete:
		err := c.call(ctx, request{op: op, method: http.MethodDelete, base: apiBase(acct), path: id, token: token, effects: true}, nil)
		if e := channel.AsError(err); e != nil && (e.Code == "100/33" || e.Status == http.StatusNotFound) {
			return nil
		}
		return err
	}
	return permanent(op, fmt.Sprintf("Instagram cannot %q a comment", action))
}
