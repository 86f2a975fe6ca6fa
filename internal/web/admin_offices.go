// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
)

func (s *Server) offices(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.officesPage(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) officesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	list, err := s.Orgs.Offices(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "offices", &page{Title: s.t(rc, "admin.offices"), Data: list, Errors: errs, Form: form})
}

func officeInput(r *http.Request) org.OfficeInput {
	return org.OfficeInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email")}
}

func (s *Server) officeCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := officeInput(r)
	if _, err := s.Orgs.CreateOffice(r.Context(), rc.Org.ID, in); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.officesPage(w, r, rc, http.StatusUnprocessableEntity, errs, map[string]string{"code": in.Code, "name": in.Name, "email": in.Email})
		}
		return err
	}
	return redirect(w, r, "/admin/offices?ok=flash.office_created")
}

func (s *Server) officeEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	o, err := s.Orgs.Office(r.Context(), rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "office_edit", &page{Title: o.Name, Data: o,
		Form: map[string]string{"code": o.Code, "name": o.Name, "email": o.Email}})
}

func (s *Server) officeUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	in := officeInput(r)
	if _, err := s.Orgs.UpdateOffice(r.Context(), rc.Org.ID, id, in); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			o, oerr := s.Orgs.Office(r.Context(), rc.Org.ID, id)
			if oerr != nil {
				return oerr
			}
			return s.render(w, r, rc, http.StatusUnprocessableEntity, "office_edit", &page{Title: o.Name, Data: o, Errors: errs,
				Form: map[string]string{"code": in.Code, "name": in.Name, "email": in.Email}})
		}
		return err
	}
	return redirect(w, r, "/admin/offices?ok=flash.office_saved")
}

func (s *Server) officeDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Orgs.DeleteOffice(r.Context(), rc.Org.ID, r.PathValue("id")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.officesPage(w, r, rc, http.StatusConflict, map[string]string{"list": errs["office"]}, nil)
		}
		return err
	}
	return redirect(w, r, "/admin/offices?ok=flash.office_deleted")
}
