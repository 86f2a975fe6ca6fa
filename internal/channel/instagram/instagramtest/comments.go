// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagramtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// What citizens write to the account, and how the account answers and
// moderates them. Tests (and the demo) make citizens write with
// AddComment, AddReply and AddMessage, which return the webhook payload
// Meta would send; the account answers through the Graph API:
//
//   - POST /{ig-comment-id}/replies (message): a reply under the
//     comment's top-level comment (Instagram replies to those only);
//   - POST /{ig-user-id}/messages (recipient, message): a direct message
//     to an IGSID that wrote in the last 24 hours (else 10/2018278), or a
//     private reply to a comment (recipient {"comment_id"}): one per
//     comment (else 10900), within seven days of it;
//   - POST /{ig-comment-id} (hide), DELETE /{ig-comment-id} and
//     GET /{ig-comment-id}.

// PrivateReplyWindow is how long after a comment the account may answer
// it privately; MessagingWindow how long after a citizen's message the
// account may answer it.
const (
	PrivateReplyWindow = 7 * 24 * time.Hour
	MessagingWindow    = 24 * time.Hour
	// MaxMessageText bounds a direct message's text (Instagram documents
	// 1000 bytes of UTF-8).
	MaxMessageText = 1000
	// MaxCommentText bounds a reply, as a caption's.
	MaxCommentText = 2200
)

// Citizen is an Instagram user who writes to the account: ID is their
// Instagram-scoped id.
type Citizen struct {
	ID       string
	Username string
}

// Comment is a comment the fake holds: a citizen's, or the account's.
type Comment struct {
	ID      string
	User    string // the account whose media it is under
	MediaID string
	// ParentID is the top-level comment a reply answers; empty for a
	// top-level comment.
	ParentID string
	FromID   string
	Username string
	Text     string
	Created  time.Time
	Hidden   bool
	Deleted  bool
	// PrivateReply is the mid of the account's private reply, if any.
	PrivateReply string
}

// Message is a direct message the fake holds.
type Message struct {
	MID  string
	User string // the account
	From string // the sender's id: an IGSID, or the account
	To   string
	// CommentID is the comment a private reply answers.
	CommentID string
	Text      string
	At        time.Time
}

// Sign returns the X-Hub-Signature-256 header of payload for an app
// secret, as Meta signs its webhooks.
func Sign(payload []byte, appSecret string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(payload)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

var errUnknown = errors.New("instagramtest: no such object")

// AddComment makes citizen comment text under a published media and
// returns the comment and the webhook payload of its "comments" change.
func (s *Server) AddComment(mediaID string, from Citizen, text string) (Comment, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[mediaID]
	if m == nil || m.Deleted {
		return Comment{}, nil, fmt.Errorf("%w: media %q", errUnknown, mediaID)
	}
	c := s.addComment(m.User, m.ID, "", from, text)
	return *c, s.commentPayload(c), nil
}

// AddReply makes citizen answer a comment; the answer joins the comment's
// top-level comment.
func (s *Server) AddReply(commentID string, from Citizen, text string) (Comment, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.comments[commentID]
	if p == nil || p.Deleted {
		return Comment{}, nil, fmt.Errorf("%w: comment %q", errUnknown, commentID)
	}
	c := s.addComment(p.User, p.MediaID, s.topOf(p).ID, from, text)
	return *c, s.commentPayload(c), nil
}

// AddMessage makes citizen send text to the account and returns the
// message and the webhook payload of its messaging event. It opens the
// 24-hour window in which the account may answer.
func (s *Server) AddMessage(igUserID string, from Citizen, text string) (Message, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accountFor(igUserID) == nil {
		return Message{}, nil, fmt.Errorf("%w: account %q", errUnknown, igUserID)
	}
	m := Message{MID: "aWdfZAG1faXRlbTox" + randomHex(16), User: igUserID, From: from.ID, To: igUserID, Text: text,
		At: s.now().UTC()}
	s.messages = append(s.messages, m)
	s.lastInbound[igUserID+"/"+from.ID] = m.At
	ms := m.At.UnixMilli()
	body, _ := json.Marshal(map[string]any{"object": "instagram", "entry": []any{map[string]any{
		"id": igUserID, "time": ms, "messaging": []any{map[string]any{
			"sender": map[string]string{"id": from.ID}, "recipient": map[string]string{"id": igUserID}, "timestamp": ms,
			"message": map[string]any{"mid": m.MID, "text": text}}}}}})
	return m, body, nil
}

// Comments returns every comment the fake holds, oldest first.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, 0, len(s.comments))
	for _, c := range s.comments {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Comment) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Messages returns every direct message the fake holds, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// addComment stores a comment; the caller holds s.mu.
func (s *Server) addComment(user, mediaID, parent string, from Citizen, text string) *Comment {
	id, _ := s.nextID()
	c := &Comment{ID: id, User: user, MediaID: mediaID, ParentID: parent, FromID: from.ID, Username: from.Username,
		Text: text, Created: s.now().UTC()}
	s.comments[id] = c
	return c
}

// topOf is a comment's top-level comment; the caller holds s.mu.
func (s *Server) topOf(c *Comment) *Comment {
	if p := s.comments[c.ParentID]; p != nil {
		return p
	}
	return c
}

// commentPayload is the webhook payload of a new comment; the caller
// holds s.mu.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/webhooks/examples
func (s *Server) commentPayload(c *Comment) []byte {
	product := "FEED"
	if m := s.media[c.MediaID]; m != nil {
		if ct := s.containers[m.Container]; ct != nil && ct.MediaType == "REELS" {
			product = "REELS"
		}
	}
	value := map[string]any{"from": map[string]string{"id": c.FromID, "username": c.Username},
		"media": map[string]string{"id": c.MediaID, "media_product_type": product}, "id": c.ID, "text": c.Text}
	if c.ParentID != "" {
		value["parent_id"] = c.ParentID
	}
	body, _ := json.Marshal(map[string]any{"object": "instagram", "entry": []any{map[string]any{
		"id": c.User, "time": c.Created.Unix(), "changes": []any{map[string]any{"field": "comments", "value": value}}}}})
	return body
}

// commentFor returns a live comment; the caller holds s.mu.
func (s *Server) commentFor(method, id string) (*Comment, *apiErr) {
	c := s.comments[id]
	if c == nil || c.Deleted {
		return nil, notFound(method, id)
	}
	return c, nil
}

// isComment reports whether id is a comment the fake holds.
func (s *Server) isComment(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.comments[id] != nil
}

// reply answers POST /{ig-comment-id}/replies.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/replies
func (s *Server) reply(id string, v url.Values) (any, *apiErr) {
	msg := v.Get("message")
	if strings.TrimSpace(msg) == "" {
		return nil, invalid("The parameter message is required.")
	}
	if !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > MaxCommentText {
		return nil, invalid("param message must be at most %d characters", MaxCommentText)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.commentFor(http.MethodPost, id)
	if e != nil {
		return nil, e
	}
	a := s.accounts[p.User]
	c := s.addComment(p.User, p.MediaID, s.topOf(p).ID, Citizen{ID: a.id, Username: a.username}, msg)
	return map[string]string{"id": c.ID}, nil
}

// hide answers POST /{ig-comment-id} with hide=true or false.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment#updating
func (s *Server) hide(id string, v url.Values) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.commentFor(http.MethodPost, id)
	if e != nil {
		return nil, e
	}
	switch v.Get("hide") {
	case "true", "1":
		c.Hidden = true
	case "false", "0":
		c.Hidden = false
	default:
		return nil, invalid("The parameter hide is required and must be a boolean.")
	}
	return map[string]bool{"success": true}, nil
}

// removeComment answers DELETE /{ig-comment-id}; a top-level comment's
// replies go with it.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment#deleting
func (s *Server) removeComment(id string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.commentFor(http.MethodDelete, id)
	if e != nil {
		return nil, e
	}
	c.Deleted = true
	for _, r := range s.comments {
		if r.ParentID == c.ID {
			r.Deleted = true
		}
	}
	return map[string]bool{"success": true}, nil
}

// getComment answers GET /{ig-comment-id}; the caller holds s.mu.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment
func (s *Server) getComment(id string, v url.Values) (any, *apiErr) {
	c, e := s.commentFor(http.MethodGet, id)
	if e != nil {
		return nil, e
	}
	all := map[string]any{"id": c.ID, "text": c.Text, "username": c.Username, "hidden": c.Hidden,
		"timestamp": graphTime(c.Created), "media": map[string]string{"id": c.MediaID},
		"from": map[string]string{"id": c.FromID, "username": c.Username}, "parent_id": emptyNil(c.ParentID)}
	return pick(fieldsOf(v.Get("fields"), "text", "timestamp"), all), nil
}

// sendMessage answers POST /{ig-user-id}/messages.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/private-replies
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api
func (s *Server) sendMessage(user string, v url.Values) (any, *apiErr) {
	var rcpt struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	}
	var msg struct {
		Text string `json:"text"`
	}
	if json.Unmarshal([]byte(v.Get("recipient")), &rcpt) != nil || (rcpt.ID == "") == (rcpt.CommentID == "") {
		return nil, invalid("param recipient must be an object with an id or a comment_id")
	}
	if json.Unmarshal([]byte(v.Get("message")), &msg) != nil || strings.TrimSpace(msg.Text) == "" {
		return nil, invalid("param message must be an object with a non-empty text")
	}
	if !utf8.ValidString(msg.Text) || len(msg.Text) > MaxMessageText {
		return nil, invalid("param message[text] must be valid UTF-8 of at most %d bytes", MaxMessageText)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountFor(user)
	if a == nil {
		return nil, notFound(http.MethodPost, user)
	}
	now := s.now().UTC()
	m := Message{MID: "aWdfZAG1faXRlbTox" + randomHex(16), User: a.id, From: a.id, Text: msg.Text, At: now}
	if rcpt.CommentID != "" {
		c := s.comments[rcpt.CommentID]
		switch {
		case c == nil || c.Deleted || c.User != a.id:
			return nil, invalid("param recipient[comment_id] must be a comment on this account's media")
		case c.FromID == a.id:
			return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 10903,
				Message: "(#10903) This activity can't be replied to"}
		case c.PrivateReply != "":
			return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 10900,
				Message: "(#10900) Activity already replied to"}
		case now.Sub(c.Created) > PrivateReplyWindow:
			return nil, outsideWindow()
		}
		c.PrivateReply = m.MID
		m.To, m.CommentID = c.FromID, c.ID
	} else {
		last, ok := s.lastInbound[a.id+"/"+rcpt.ID]
		if !ok {
			return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 100, Subcode: 2018001,
				Message: "(#100) No matching user found"}
		}
		if now.Sub(last) > MessagingWindow {
			return nil, outsideWindow()
		}
		m.To = rcpt.ID
	}
	s.messages = append(s.messages, m)
	return map[string]string{"recipient_id": m.To, "message_id": m.MID}, nil
}

func outsideWindow() *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 10, Subcode: 2018278,
		Message: "(#10) This message is sent outside of allowed window."}
}
