// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// publicHandler serves a public page of one organisation.
type publicHandler func(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error

// public registers a page under /o/{slug}/path and, when unprefixed is
// true, under /path for the default organisation: PIAZZA_DEFAULT_ORG, or
// the only organisation of the installation.
func (s *Server) public(mux *http.ServeMux, method, path string, h publicHandler, unprefixed bool) {
	s.handle(mux, method+" /o/{slug}"+path, public, "", func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		slug := r.PathValue("slug")
		if !org.ValidSlug(slug) {
			return store.ErrNotFound
		}
		o, err := s.Orgs.OrganisationBySlug(r.Context(), slug)
		if err != nil {
			return err
		}
		return h(w, r, rc, o)
	})
	if !unprefixed {
		return
	}
	s.handle(mux, method+" "+path, public, "", func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		o, err := s.defaultOrg(r.Context())
		if err != nil {
			return err
		}
		return h(w, r, rc, o)
	})
}

func (s *Server) defaultOrg(ctx context.Context) (org.Organisation, error) {
	if s.DefaultOrg != "" {
		return s.Orgs.OrganisationBySlug(ctx, s.DefaultOrg)
	}
	orgs, err := s.Orgs.Organisations(ctx)
	if err != nil {
		return org.Organisation{}, err
	}
	if len(orgs) != 1 {
		return org.Organisation{}, errors.Join(store.ErrNotFound, errors.New("web: no default organisation"))
	}
	return orgs[0], nil
}

func (s *Server) publicHome(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	return s.render(w, r, rc, http.StatusOK, "public_home", &page{Title: o.Name, Data: o})
}
