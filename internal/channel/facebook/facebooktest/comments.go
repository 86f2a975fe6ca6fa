// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What citizens write to the Page, and how the Page answers and moderates
// them. Tests (and the demo) make citizens write with AddComment,
// AddReply and AddMessage, which return the webhook payload Meta would
// send; the Page answers through the Graph API:
//
//   - POST /{comment-id}/comments (message): a reply under the comment's
//     top-level comment (Facebook has two levels), or POST
//     /{post-id}/comments a top-level comment of the Page;
//   - POST /{page-id}/messages (recipient, message, messaging_type): a
//     Messenger message to a PSID that wrote to the Page in the last 24
//     hours (else 10/2018278), or a Private Reply to a comment
//     (recipient {"comment_id"}): one per comment (else 10900), within
//     seven days of it;
//   - POST /{comment-id} (is_hidden, or message for the Page's own
//     comment) and DELETE /{comment-id}; GET /{comment-id}.

// PrivateReplyWindow is how long after a comment the Page may answer it
// privately; MessagingWindow how long after a citizen's message the Page
// may answer with messaging_type RESPONSE.
const (
	PrivateReplyWindow = 7 * 24 * time.Hour
	MessagingWindow    = 24 * time.Hour
)

// Citizen is a person who writes to the Page: ID is their id as the Page
// sees it (the PSID in Messenger).
type Citizen struct {
	ID   string
	Name string
}

// Comment is a comment the fake holds: a citizen's, or the Page's.
type Comment struct {
	ID     string
	Page   string
	PostID string
	// ParentID is the post for a top-level comment, the top-level comment
	// for a reply.
	ParentID string
	FromID   string
	FromName string
	Message  string
	Created  time.Time
	Hidden   bool
	Deleted  bool
	// PrivateReply is the mid of the Page's Private Reply to it, if any.
	PrivateReply string
}

// Message is a Messenger message the fake holds: a citizen's to the Page,
// or the Page's to a citizen.
type Message struct {
	MID  string
	Page string
	From string // the sender's id: a PSID, or the Page
	To   string // the recipient's id
	// CommentID is the comment a Private Reply answers.
	CommentID     string
	Text          string
	MessagingType string
	At            time.Time
}

// Sign returns the X-Hub-Signature-256 header of payload for an app
// secret, as Meta signs its webhooks.
func Sign(payload []byte, appSecret string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(payload)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// errUnknown is returned by the helpers for an object the fake does not
// hold.
var errUnknown = errors.New("facebooktest: no such object")

// AddComment makes citizen comment text under a post of a Page (a post id,
// or a photo or video that has one) and returns the comment and the
// webhook payload of its "feed" change.
func (s *Server) AddComment(postID string, from Citizen, text string) (Comment, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[postID]
	if o != nil && o.Kind != "post" && o.PostID != "" {
		o = s.objects[o.PostID]
	}
	if o == nil || o.Deleted || o.Kind != "post" {
		return Comment{}, nil, fmt.Errorf("%w: post %q", errUnknown, postID)
	}
	c := s.addComment(o, o.ID, from, text)
	return *c, s.feedPayload(c), nil
}

// AddReply makes citizen answer a comment; on Facebook the answer to a
// reply joins the same top-level comment.
func (s *Server) AddReply(commentID string, from Citizen, text string) (Comment, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := s.comments[commentID]
	if parent == nil || parent.Deleted {
		return Comment{}, nil, fmt.Errorf("%w: comment %q", errUnknown, commentID)
	}
	c := s.addComment(s.objects[parent.PostID], s.topOf(parent).ID, from, text)
	return *c, s.feedPayload(c), nil
}

// AddMessage makes citizen send text to the Page in Messenger and returns
// the message and the webhook payload of its messaging event. It opens the
// 24-hour window in which the Page may answer.
func (s *Server) AddMessage(pageID string, from Citizen, text string) (Message, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages[pageID] == nil {
		return Message{}, nil, fmt.Errorf("%w: page %q", errUnknown, pageID)
	}
	m := Message{MID: "m_" + randomHex(16), Page: pageID, From: from.ID, To: pageID, Text: text, At: s.now().UTC()}
	s.messages = append(s.messages, m)
	s.lastInbound[pageID+"/"+from.ID] = m.At
	ms := m.At.UnixMilli()
	body, _ := json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
		"id": pageID, "time": ms, "messaging": []any{map[string]any{
			"sender": map[string]string{"id": from.ID}, "recipient": map[string]string{"id": pageID}, "timestamp": ms,
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
	slices.SortFunc(out, func(a, b Comment) int { return strings.Compare(seqKey(a.ID), seqKey(b.ID)) })
	return out
}

// Messages returns every Messenger message the fake holds, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// addComment stores a comment under post; the caller holds s.mu.
func (s *Server) addComment(post *object, parent string, from Citizen, text string) *Comment {
	_, obj, _ := strings.Cut(post.ID, "_")
	s.seq++
	c := &Comment{ID: obj + "_" + strconv.FormatInt(s.seq, 10), Page: post.Page, PostID: post.ID, ParentID: parent,
		FromID: from.ID, FromName: from.Name, Message: text, Created: s.now().UTC()}
	s.comments[c.ID] = c
	return c
}

// topOf is a comment's top-level comment; the caller holds s.mu.
func (s *Server) topOf(c *Comment) *Comment {
	if p := s.comments[c.ParentID]; p != nil {
		return p
	}
	return c
}

// feedPayload is the webhook payload of a new comment; the caller holds
// s.mu.
//
// Specs: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
func (s *Server) feedPayload(c *Comment) []byte {
	post := s.objects[c.PostID]
	_, obj, _ := strings.Cut(c.PostID, "_")
	body, _ := json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
		"id": c.Page, "time": c.Created.Unix(), "changes": []any{map[string]any{"field": "feed", "value": map[string]any{
			"from": map[string]string{"id": c.FromID, "name": c.FromName},
			"post": map[string]any{"id": c.PostID, "status_type": "mobile_status_update", "is_published": true,
				"updated_time": post.Updated.Format("2006-01-02T15:04:05-0700"), "promotion_status": "inactive",
				"permalink_url": "https://www.facebook.com/" + c.Page + "/posts/" + obj},
			"message": c.Message, "post_id": c.PostID, "comment_id": c.ID, "created_time": c.Created.Unix(),
			"item": "comment", "parent_id": c.ParentID, "verb": "add"}}}}}})
	return body
}

// commentFor returns the comment id names if the caller may act on it;
// the caller holds s.mu.
func (s *Server) commentFor(who caller, method, id string) (*Comment, *apiErr) {
	c := s.comments[id]
	if c == nil || c.Deleted || who.user || (who.page != nil && who.page.ID != c.Page) {
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

// newComment answers POST /{id}/comments: the Page comments a post or
// answers a comment.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/object/comments#publish
func (s *Server) newComment(who caller, id string, p *params) (any, *apiErr) {
	msg := p.get("message")
	if e := checkMessage("message", msg); e != nil {
		return nil, e
	}
	if strings.TrimSpace(msg) == "" {
		return nil, invalid("Missing message or attachment")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var post *object
	var parent string
	if c := s.comments[id]; c != nil {
		c, e := s.commentFor(who, http.MethodPost, id)
		if e != nil {
			return nil, e
		}
		post, parent = s.objects[c.PostID], s.topOf(c).ID
	} else {
		post = s.objects[id]
		if post != nil && post.Kind != "post" && post.PostID != "" {
			post = s.objects[post.PostID]
		}
		if post == nil || post.Deleted || post.Kind != "post" || who.user || (who.page != nil && who.page.ID != post.Page) {
			return nil, notFound(http.MethodPost, id)
		}
		parent = post.ID
	}
	page := s.pages[post.Page]
	c := s.addComment(post, parent, Citizen{ID: page.ID, Name: page.Name}, msg)
	return map[string]string{"id": c.ID}, nil
}

// editComment answers POST /{comment-id}: is_hidden hides or shows a
// comment, message corrects one of the Page's own.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/comment#updating
func (s *Server) editComment(who caller, id string, p *params) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.commentFor(who, http.MethodPost, id)
	if e != nil {
		return nil, e
	}
	hidden, hasHidden := p.vals["is_hidden"]
	msg, hasMsg := p.vals["message"]
	switch {
	case hasHidden:
		switch hidden[0] {
		case "true", "1":
			c.Hidden = true
		case "false", "0":
			c.Hidden = false
		default:
			return nil, invalid("Param is_hidden must be a boolean")
		}
	case hasMsg:
		if c.FromID != c.Page {
			return nil, &apiErr{status: http.StatusForbidden, Type: "OAuthException", Code: 200,
				Message: "(#200) Permissions error: a Page can only edit its own comments"}
		}
		if e := checkMessage("message", msg[0]); e != nil {
			return nil, e
		}
		c.Message = msg[0]
	default:
		return nil, invalid("The parameter is_hidden or message is required")
	}
	return map[string]bool{"success": true}, nil
}

// removeComment answers DELETE /{comment-id}; the replies of a top-level
// comment go with it.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/comment#deleting
func (s *Server) removeComment(who caller, id string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.commentFor(who, http.MethodDelete, id)
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

// getComment answers GET /{comment-id}; the caller holds s.mu.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/comment
func (s *Server) getComment(who caller, id string, p *params) (any, *apiErr) {
	c, e := s.commentFor(who, http.MethodGet, id)
	if e != nil {
		return nil, e
	}
	f := fieldsOf(p.get("fields"), "id", "message", "created_time", "from")
	all := map[string]any{"id": c.ID, "message": c.Message, "is_hidden": c.Hidden,
		"created_time": c.Created.Format("2006-01-02T15:04:05-0700"),
		"from":         map[string]string{"id": c.FromID, "name": c.FromName}}
	if c.ParentID != c.PostID {
		all["parent"] = map[string]string{"id": c.ParentID}
	}
	return pick(f, all), nil
}

// sendMessage answers POST /{page-id}/messages, the Send API.
//
// Specs: https://developers.facebook.com/docs/messenger-platform/reference/send-api/
// Specs: https://developers.facebook.com/docs/messenger-platform/discovery/private-replies
func (s *Server) sendMessage(who caller, pageID string, p *params) (any, *apiErr) {
	var rcpt struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	}
	var msg struct {
		Text string `json:"text"`
	}
	if json.Unmarshal([]byte(p.get("recipient")), &rcpt) != nil || (rcpt.ID == "") == (rcpt.CommentID == "") {
		return nil, invalid("param recipient must be an object with an id or a comment_id")
	}
	if json.Unmarshal([]byte(p.get("message")), &msg) != nil || strings.TrimSpace(msg.Text) == "" {
		return nil, invalid("param message must be an object with a non-empty text")
	}
	if e := checkMessage("message[text]", msg.Text); e != nil {
		return nil, e
	}
	if n := len([]rune(msg.Text)); n > MaxMessageText {
		return nil, invalid("param message[text] must be at most %d characters", MaxMessageText)
	}
	mtype := p.get("messaging_type")
	s.mu.Lock()
	defer s.mu.Unlock()
	page, e := s.pageFor(who, pageID)
	if e != nil {
		return nil, e
	}
	now := s.now().UTC()
	m := Message{MID: "m_" + randomHex(16), Page: page.ID, From: page.ID, Text: msg.Text, MessagingType: mtype, At: now}
	if rcpt.CommentID != "" {
		c := s.comments[rcpt.CommentID]
		switch {
		case c == nil || c.Deleted || c.Page != page.ID:
			return nil, invalid("param recipient[comment_id] must be a comment on this Page")
		case c.FromID == page.ID:
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
		switch mtype {
		case "RESPONSE", "UPDATE", "MESSAGE_TAG":
		default:
			return nil, invalid("param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG")
		}
		last, ok := s.lastInbound[page.ID+"/"+rcpt.ID]
		if !ok {
			return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 100, Subcode: 2018001,
				Message: "(#100) No matching user found"}
		}
		if mtype != "MESSAGE_TAG" && now.Sub(last) > MessagingWindow {
			return nil, outsideWindow()
		}
		m.To = rcpt.ID
	}
	s.messages = append(s.messages, m)
	return map[string]string{"recipient_id": m.To, "message_id": m.MID}, nil
}

// MaxMessageText is the Send API's bound on a text message, in
// characters.
const MaxMessageText = 2000

func outsideWindow() *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 10, Subcode: 2018278,
		Message: "(#10) This message is sent outside of allowed window. Learn more about the new policy here: " +
			"https://developers.facebook.com/docs/messenger-platform/policy-overview"}
}
