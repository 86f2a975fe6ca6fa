// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
)

// meJSON is who a token acts for (components.schemas.Me).
type meJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	Lang         string     `json:"lang"`
	TwoFactor    bool       `json:"two_factor"`
	Organisation orgJSON    `json:"organisation"`
	Roles        []roleJSON `json:"roles"`
	Permissions  []string   `json:"permissions"`
}

type orgJSON struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// me answers GET /api/v1/me: the token's person, organisation, roles and
// permissions, so a program can check what it may do before trying.
func (s *server) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	o, err := s.Orgs.Organisation(ctx, c.OrgID)
	if err != nil {
		return err
	}
	ms, err := s.Orgs.Memberships(ctx, c.OrgID, c.Person.ID)
	if err != nil {
		return err
	}
	codes, err := s.officeCodes(ctx, c.OrgID)
	if err != nil {
		return err
	}
	perms := []string{}
	for _, p := range org.AllPermissions {
		if c.Grants.Can(p) {
			perms = append(perms, string(p))
		}
	}
	writeJSON(w, http.StatusOK, meJSON{
		ID: c.Person.ID, Name: c.Person.Name, Email: c.Person.Email, Lang: c.Person.Lang,
		TwoFactor:    c.Person.TOTPEnabled,
		Organisation: orgJSON{ID: o.ID, Slug: o.Slug, Name: o.Name},
		Roles:        codes.roles(ms), Permissions: perms,
	})
	return nil
}
