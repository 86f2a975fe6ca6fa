// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/store"
)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "dashboard", &page{Title: s.t(rc, "nav.dashboard"), Data: rc.Grants.Member()})
}

// area shows an area that later versions fill, saying so plainly: never
// fake content.
func (s *Server) area(name string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return s.render(w, r, rc, http.StatusOK, "area", &page{Title: s.t(rc, "nav."+name), Area: name})
	}
}

func (s *Server) switchOrg(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PostFormValue("org")
	for _, o := range rc.Orgs {
		if o.ID == id {
			if err := s.Auth.SwitchOrganisation(r.Context(), rc.Session.TokenHash, id); err != nil {
				return err
			}
			return redirect(w, r, "/dashboard")
		}
	}
	return store.ErrForbidden
}
