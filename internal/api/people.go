// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// listPeople answers GET /api/v1/people: the organisation's members with
// their roles. No pagination: an organisation has tens of people.
func (s *server) listPeople(w http.ResponseWriter, r *http.Request, c *caller) error {
	members, err := s.Orgs.Members(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	codes, err := s.officeCodes(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	out := make([]personJSON, 0, len(members))
	for _, m := range members {
		out = append(out, codes.person(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": out})
	return nil
}

// getPerson answers GET /api/v1/people/{id}. People of other
// organisations are not found, whether they exist or not.
func (s *server) getPerson(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := s.member(r.Context(), c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) member(ctx context.Context, orgID, personID string) (personJSON, error) {
	ms, err := s.Orgs.Memberships(ctx, orgID, personID)
	if err != nil {
		return personJSON{}, err
	}
	if len(ms) == 0 {
		return personJSON{}, store.ErrNotFound
	}
	p, err := s.Auth.Person(ctx, personID)
	if err != nil {
		return personJSON{}, err
	}
	codes, err := s.officeCodes(ctx, orgID)
	if err != nil {
		return personJSON{}, err
	}
	return codes.person(org.Member{PersonID: p.ID, Name: p.Name, Email: p.Email, Disabled: p.Disabled,
		TOTPEnabled: p.TOTPEnabled, Memberships: ms}), nil
}

// personCreateRequest is the body of POST /api/v1/people.
type personCreateRequest struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"` // optional: without it, the person chooses one through a reset link
	Lang     string `json:"lang"`     // "it" (default) or "en"
	Role     string `json:"role"`
	Office   string `json:"office"` // office code, for roles that need one
}

// createPerson answers POST /api/v1/people: a person and their first role
// in the token's organisation, in one transaction, so a refused role never
// leaves a person without one behind.
func (s *server) createPerson(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req personCreateRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	officeID := ""
	if req.Office != "" {
		o, err := s.Orgs.OfficeByCode(ctx, c.OrgID, req.Office)
		if errors.Is(err, store.ErrNotFound) {
			return &valid.Error{Field: "office", Key: "admin.office.unknown"}
		}
		if err != nil {
			return err
		}
		officeID = o.ID
	}
	var p auth.Person
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.Auth.CreatePerson(ctx, tx, auth.PersonInput{Email: req.Email, Name: req.Name, Password: req.Password, Lang: req.Lang})
		if err != nil {
			return err
		}
		_, err = s.Orgs.GrantTx(ctx, tx, c.OrgID, p.ID, org.Role(req.Role), officeID)
		return err
	})
	if err != nil {
		return err
	}
	out, err := s.member(ctx, c.OrgID, p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/people/"+url.PathEscape(p.ID))
	writeJSON(w, http.StatusCreated, out)
	return nil
}
