// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
)

// The citizen desk over the API: triage of any text with the
// organisation's model (DESIGN.md's stable interface), and the
// conversations of the inbox.

type triageRequest struct {
	Text string `json:"text"`
}

type triageConfidence struct {
	Category   float64 `json:"category"`
	Office     float64 `json:"office"`
	Urgency    float64 `json:"urgency"`
	Moderation float64 `json:"moderation"`
}

type triageResponse struct {
	Category   string           `json:"category"`
	Office     string           `json:"office"`
	Urgency    string           `json:"urgency"`
	Moderation string           `json:"moderation"`
	Confidence triageConfidence `json:"confidence"`
}

// maxTriageText bounds the text classified; the model reads its start.
const maxTriageText = 64 << 10

// triage answers POST /api/v1/triage.
func (s *server) triage(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req triageRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Text) == "" {
		return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: "text", Code: "required", Message: "text is required"}}}
	}
	if len(req.Text) > maxTriageText || !utf8.ValidString(req.Text) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: "text", Code: "too_long", Message: "text is longer than 64 KiB"}}}
	}
	res, err := s.Triage.Classify(r.Context(), c.OrgID, req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, triageResponse{Category: res.Category, Office: res.Office, Urgency: res.Urgency,
		Moderation: res.Moderation, Confidence: triageConfidence{Category: res.Confidence.Category, Office: res.Confidence.Office,
			Urgency: res.Confidence.Urgency, Moderation: res.Confidence.Moderation}})
	return nil
}

type conversationJSON struct {
	ID            string      `json:"id"`
	Source        string      `json:"source"`
	Visibility    string      `json:"visibility"`
	Author        string      `json:"author"`
	Subject       string      `json:"subject"`
	Status        string      `json:"status"`
	Office        string      `json:"office"`
	Assignee      string      `json:"assignee"`
	Category      string      `json:"category"`
	Urgency       string      `json:"urgency"`
	Moderation    string      `json:"moderation"`
	Confirmed     bool        `json:"triage_confirmed"`
	Group         string      `json:"group"`
	Messages      int         `json:"message_count"`
	CreatedAt     time.Time   `json:"created_at"`
	LastMessageAt time.Time   `json:"last_message_at"`
	DueAt         *time.Time  `json:"due_at"`
	FirstResponse *time.Time  `json:"first_response_at"`
	Actions       actionsJSON `json:"actions"`
}

// actionsJSON is what the conversation's channel allows
// (components.schemas.ConversationActions): a client offers nothing else,
// and the API refuses the rest with 422.
type actionsJSON struct {
	Reply        bool `json:"reply"`
	ReplyPrivate bool `json:"reply_private"`
	Hide         bool `json:"hide"`
	Delete       bool `json:"delete"`
}

func (s *server) conversationView(c desk.Conversation) conversationJSON {
	author := c.AuthorHandle
	if author == "" {
		author = c.AuthorName
	}
	v := conversationJSON{ID: c.ID, Source: c.Source, Visibility: string(c.Visibility), Author: author, Subject: c.Subject,
		Status: string(c.Status), Office: c.OfficeCode, Assignee: c.AssigneeID, Category: c.Labels.Category, Urgency: c.Labels.Urgency,
		Moderation: c.Labels.Moderation, Confirmed: c.TriageConfirmed, Group: c.GroupID, Messages: c.MessageCount,
		CreatedAt: c.CreatedAt.UTC(), LastMessageAt: c.LastInAt.UTC()}
	a := s.Desk.Actions(c)
	v.Actions = actionsJSON{Reply: a.Reply, ReplyPrivate: a.ReplyPrivate, Hide: a.Hide, Delete: a.Delete}
	if !c.DueAt.IsZero() {
		t := c.DueAt.UTC()
		v.DueAt = &t
	}
	if !c.FirstResponseAt.IsZero() {
		t := c.FirstResponseAt.UTC()
		v.FirstResponse = &t
	}
	return v
}

type messageJSON struct {
	ID        string    `json:"id"`
	Direction string    `json:"direction"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	State     string    `json:"state"`
	Error     string    `json:"error,omitempty"`
	Private   bool      `json:"private"`
	Hidden    bool      `json:"hidden"`
	CreatedAt time.Time `json:"created_at"`
}

func messageView(m desk.Message) messageJSON {
	return messageJSON{ID: m.ID, Direction: string(m.Direction), Author: m.AuthorName, Text: m.Text, State: m.State,
		Error: m.Error, Private: m.Private, Hidden: m.Hidden, CreatedAt: m.CreatedAt.UTC()}
}

func deskScope(c *caller) desk.Scope {
	ids, all := c.Grants.Offices(org.PermDeskRead)
	return desk.Scope{All: all, Offices: ids}
}

// listConversations answers GET /api/v1/conversations.
func (s *server) listConversations(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	f := desk.Filter{Scope: deskScope(c), Status: q.Get("status"), Before: q.Get("cursor"), Urgent: q.Get("urgent") == "true"}
	if code := q.Get("office"); code != "" {
		o, err := s.Orgs.OfficeByCode(r.Context(), c.OrgID, code)
		if err != nil {
			return badRequest("unknown office %q", code)
		}
		f.OfficeID = o.ID
	}
	p, err := s.Desk.List(r.Context(), c.OrgID, f)
	if err != nil {
		if strings.Contains(err.Error(), "invalid input") {
			return badRequest("%s", strings.TrimPrefix(err.Error(), "desk: invalid input: "))
		}
		return err
	}
	out := make([]conversationJSON, 0, len(p.Conversations))
	for _, cv := range p.Conversations {
		out = append(out, s.conversationView(cv))
	}
	body := map[string]any{"conversations": out}
	if p.Next != "" {
		body["next_cursor"] = p.Next
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// getConversation answers GET /api/v1/conversations/{id}.
func (s *server) getConversation(w http.ResponseWriter, r *http.Request, c *caller) error {
	cv, msgs, err := s.Desk.Get(r.Context(), c.OrgID, r.PathValue("id"), deskScope(c))
	if err != nil {
		return err
	}
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, messageView(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversation": s.conversationView(cv), "messages": out})
	return nil
}

// deskError turns the desk's refusals into answers a client can act on.
// field names the request field that asked for what the conversation's
// channel does not offer; "" when the route itself is that action.
func deskError(err error, field string) error {
	switch {
	case errors.Is(err, desk.ErrForbidden):
		return forbidden("this conversation belongs to another office")
	case errors.Is(err, desk.ErrHelpRequest):
		var fe fieldErrors
		fe.add("action", "help_request", "a message asking for help is never hidden or deleted: it gets the emergency numbers and is escalated")
		return fe.err()
	case errors.Is(err, desk.ErrNotOffered):
		e := &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid,
			Message: deskDetail(err) + " (see the conversation's actions)"}
		if field != "" {
			e.Fields = []FieldError{{Field: field, Code: "not_offered", Message: "the conversation's channel does not allow it"}}
		}
		return e
	case errors.Is(err, desk.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "invalid input: " + deskDetail(err)}
	}
	return err
}

// deskDetail is what the desk said of an invalid input, without the
// prefixes its wrapping adds ("desk: reply: desk: invalid input: …").
func deskDetail(err error) string {
	msg := err.Error()
	const marker = "invalid input: "
	if i := strings.LastIndex(msg, marker); i >= 0 {
		return msg[i+len(marker):]
	}
	return strings.TrimPrefix(msg, "desk: ")
}

// requireText names an empty text field; the desk checks the length.
func requireText(fe *fieldErrors, field, text string) {
	if strings.TrimSpace(text) == "" {
		fe.add(field, "required", field+" is required")
	}
}

type replyRequest struct {
	Text    string `json:"text"`
	Private bool   `json:"private"`
}

// replyConversation answers POST /api/v1/conversations/{id}/replies: the
// reply is queued and sent through the citizen's channel.
func (s *server) replyConversation(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req replyRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	requireText(&fe, "text", req.Text)
	if err := fe.err(); err != nil {
		return err
	}
	m, err := s.Desk.Reply(r.Context(), c.OrgID, r.PathValue("id"), desk.ReplyInput{PersonID: c.Person.ID, Text: req.Text,
		Private: req.Private}, deskScope(c))
	if err != nil {
		field := ""
		if req.Private {
			field = "private" // a channel without replies has no private ones either
		}
		return deskError(err, field)
	}
	writeJSON(w, http.StatusAccepted, messageView(m))
	return nil
}

type assignmentRequest struct {
	Office   string `json:"office"`   // an office code; empty keeps the office
	Assignee string `json:"assignee"` // a person id; empty: the office as a whole
	Status   string `json:"status"`   // optional new status
}

// assignConversation answers PUT /api/v1/conversations/{id}/assignment.
func (s *server) assignConversation(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req assignmentRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	a := desk.Assignment{AssigneeID: req.Assignee}
	if req.Office != "" {
		o, err := s.Orgs.OfficeByCode(r.Context(), c.OrgID, req.Office)
		if err != nil {
			return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "the request has invalid fields",
				Fields: []FieldError{{Field: "office", Code: "unknown", Message: "no office with this code"}}}
		}
		a.OfficeID = o.ID
	}
	id := r.PathValue("id")
	if _, err := s.Desk.Assign(r.Context(), c.OrgID, []string{id}, a, deskScope(c)); err != nil {
		return deskError(err, "")
	}
	if req.Status != "" {
		if _, err := s.Desk.SetStatus(r.Context(), c.OrgID, []string{id}, desk.Status(req.Status), deskScope(c)); err != nil {
			return deskError(err, "")
		}
	}
	return s.writeConversation(w, r, c, id)
}
