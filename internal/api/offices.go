// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"net/url"

	"github.com/piazza-pa/piazza/internal/org"
)

// listOffices answers GET /api/v1/offices, by name. No pagination: an
// organisation has tens of offices.
func (s *server) listOffices(w http.ResponseWriter, r *http.Request, c *caller) error {
	offices, err := s.Orgs.Offices(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	out := make([]officeJSON, 0, len(offices))
	for _, o := range offices {
		out = append(out, officeView(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"offices": out})
	return nil
}

// getOffice answers GET /api/v1/offices/{code}.
func (s *server) getOffice(w http.ResponseWriter, r *http.Request, c *caller) error {
	o, err := s.Orgs.OfficeByCode(r.Context(), c.OrgID, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, officeView(o))
	return nil
}

// officeCreateRequest is the body of POST /api/v1/offices.
type officeCreateRequest struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// createOffice answers POST /api/v1/offices.
func (s *server) createOffice(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req officeCreateRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	o, err := s.Orgs.CreateOffice(r.Context(), c.OrgID, org.OfficeInput{Code: req.Code, Name: req.Name, Email: req.Email})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/offices/"+url.PathEscape(o.Code))
	writeJSON(w, http.StatusCreated, officeView(o))
	return nil
}

// officePatchRequest is the body of PATCH /api/v1/offices/{code}: fields
// left out keep their value; an empty email removes it.
type officePatchRequest struct {
	Code  *string `json:"code"`
	Name  *string `json:"name"`
	Email *string `json:"email"`
}

// updateOffice answers PATCH /api/v1/offices/{code}.
func (s *server) updateOffice(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req officePatchRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	o, err := s.Orgs.OfficeByCode(ctx, c.OrgID, r.PathValue("code"))
	if err != nil {
		return err
	}
	if req.Code == nil && req.Name == nil && req.Email == nil {
		writeJSON(w, http.StatusOK, officeView(o)) // nothing to change, nothing to audit
		return nil
	}
	in := org.OfficeInput{Code: o.Code, Name: o.Name, Email: o.Email}
	if req.Code != nil {
		in.Code = *req.Code
	}
	if req.Name != nil {
		in.Name = *req.Name
	}
	if req.Email != nil {
		in.Email = *req.Email
	}
	updated, err := s.Orgs.UpdateOffice(ctx, c.OrgID, o.ID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, officeView(updated))
	return nil
}

// deleteOffice answers DELETE /api/v1/offices/{code}. An office that a
// membership still refers to is refused with 422.
func (s *server) deleteOffice(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	o, err := s.Orgs.OfficeByCode(ctx, c.OrgID, r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.Orgs.DeleteOffice(ctx, c.OrgID, o.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
