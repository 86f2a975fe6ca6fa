// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// What the web desk does with a conversation, for programs: its status,
// internal notes and the consultation of another office, the triage a
// person confirms, moderation under the policy and a failed reply sent
// again. Each calls the same desk.Service method as the page, with the
// same permission (routes.go); the desk checks the office scope and what
// the channel offers.

// writeConversation answers with the conversation as it now is.
func (s *server) writeConversation(w http.ResponseWriter, r *http.Request, c *caller, id string) error {
	cv, _, err := s.Desk.Get(r.Context(), c.OrgID, id, deskScope(c))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.conversationView(cv))
	return nil
}

type statusRequest struct {
	Status string `json:"status"`
}

// setConversationStatus answers PUT /api/v1/conversations/{id}/status.
func (s *server) setConversationStatus(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req statusRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	st := desk.Status(req.Status)
	if !st.Valid() {
		var fe fieldErrors
		fe.add("status", "unknown", "status must be one of "+enumList(desk.Statuses))
		return fe.err()
	}
	id := r.PathValue("id")
	if _, err := s.Desk.SetStatus(r.Context(), c.OrgID, []string{id}, st, deskScope(c)); err != nil {
		return deskError(err, "")
	}
	return s.writeConversation(w, r, c, id)
}

// checkNote names what the desk would refuse in a note's text.
func checkNote(fe *fieldErrors, text string) {
	requireText(fe, "text", text)
	if len(text) > desk.MaxText {
		fe.add("text", "too_long", "text is longer than 64 KiB")
	}
}

type noteRequest struct {
	Text string `json:"text"`
}

// addNote answers POST /api/v1/conversations/{id}/notes: an internal
// note, for the desk's people only.
func (s *server) addNote(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req noteRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	checkNote(&fe, req.Text)
	if err := fe.err(); err != nil {
		return err
	}
	m, err := s.Desk.AddNote(r.Context(), c.OrgID, r.PathValue("id"), c.Person.ID, req.Text, "", deskScope(c))
	if err != nil {
		return deskError(err, "")
	}
	writeJSON(w, http.StatusCreated, messageView(m))
	return nil
}

type consultationRequest struct {
	Office string `json:"office"` // an office code
	Text   string `json:"text"`   // the question, kept as an internal note
}

// consultOffice answers POST /api/v1/conversations/{id}/consultations:
// the question goes in an internal note, the conversation waits for the
// office, whose people are notified.
func (s *server) consultOffice(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req consultationRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	var officeID string
	if req.Office == "" {
		fe.add("office", "required", "office is required")
	} else {
		o, err := s.Orgs.OfficeByCode(r.Context(), c.OrgID, req.Office)
		switch {
		case errors.Is(err, store.ErrNotFound):
			fe.add("office", "unknown", "no office with this code")
		case err != nil:
			return err
		default:
			officeID = o.ID
		}
	}
	checkNote(&fe, req.Text)
	if err := fe.err(); err != nil {
		return err
	}
	m, err := s.Desk.AddNote(r.Context(), c.OrgID, r.PathValue("id"), c.Person.ID, req.Text, officeID, deskScope(c))
	if err != nil {
		return deskError(err, "")
	}
	writeJSON(w, http.StatusCreated, messageView(m))
	return nil
}

type triageLabelsRequest struct {
	Category   string `json:"category"`
	Office     string `json:"office"`
	Urgency    string `json:"urgency"`
	Moderation string `json:"moderation"`
}

// confirmTriage answers PUT /api/v1/conversations/{id}/triage: the labels
// a person confirmed or corrected, which the organisation's model learns.
func (s *server) confirmTriage(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req triageLabelsRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	for _, f := range []struct {
		name, value string
		codes       []string
	}{
		{"category", req.Category, triage.Categories},
		{"office", req.Office, triage.Offices},
		{"urgency", req.Urgency, triage.Urgencies},
		{"moderation", req.Moderation, triage.Moderations},
	} {
		switch {
		case f.value == "":
			fe.add(f.name, "required", f.name+" is required")
		case !slices.Contains(f.codes, f.value):
			fe.add(f.name, "unknown", f.name+" must be one of "+strings.Join(f.codes, ", "))
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	id := r.PathValue("id")
	l := triage.Labels{Category: req.Category, Office: req.Office, Urgency: req.Urgency, Moderation: req.Moderation}
	if err := s.Desk.ConfirmTriage(r.Context(), c.OrgID, id, c.Person.ID, l, deskScope(c)); err != nil {
		return deskError(err, "")
	}
	return s.writeConversation(w, r, c, id)
}

// moderationActions are desk.Moderate's actions, in the document's order.
var moderationActions = []string{desk.ActWarn, desk.ActHide, desk.ActDelete, desk.ActBlock}

type moderationRequest struct {
	Action string `json:"action"`
	Rule   int    `json:"rule"` // the number of the policy rule applied
}

// moderationJSON is the outcome of a moderation (components.schemas.Moderation).
type moderationJSON struct {
	ID         string `json:"id"`
	Action     string `json:"action"`
	Rule       int    `json:"rule"`
	Outcome    string `json:"outcome"`
	Violations int    `json:"violations"`
	BlockAfter int    `json:"block_after"`
	Blocked    bool   `json:"blocked"`
}

// moderateMessage answers POST /api/v1/messages/{id}/moderation.
func (s *server) moderateMessage(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req moderationRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	if !slices.Contains(moderationActions, req.Action) {
		fe.add("action", "unknown", "action must be one of "+strings.Join(moderationActions, ", "))
	}
	if !slices.Contains(desk.PolicyRules, req.Rule) {
		rules := make([]string, len(desk.PolicyRules))
		for i, n := range desk.PolicyRules {
			rules[i] = strconv.Itoa(n)
		}
		fe.add("rule", "unknown", "rule must be the number of a rule of the social media policy: "+strings.Join(rules, ", "))
	}
	if err := fe.err(); err != nil {
		return err
	}
	mod, err := s.Desk.Moderate(r.Context(), c.OrgID, r.PathValue("id"), req.Action, req.Rule, c.Person.ID, deskScope(c))
	if err != nil {
		return deskError(err, "action")
	}
	writeJSON(w, http.StatusOK, moderationJSON{ID: mod.ID, Action: mod.Action, Rule: mod.Rule, Outcome: mod.Outcome,
		Violations: mod.Violations, BlockAfter: mod.BlockAfter, Blocked: mod.Blocked})
	return nil
}

// retryReply answers POST /api/v1/messages/{id}/retry: a failed reply, or
// one whose outcome is unknown, is queued again. The person decides: one
// left unknown may have reached the citizen.
func (s *server) retryReply(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.Desk.Retry(r.Context(), c.OrgID, r.PathValue("id"), deskScope(c)); err != nil {
		return deskError(err, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
