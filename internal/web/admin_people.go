// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

type peopleView struct {
	Members []org.Member
	Offices []org.Office
	Roles   []org.Role
}

func (s *Server) people(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.peoplePage(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	members, err := s.Orgs.Members(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "people", &page{Title: s.t(rc, "admin.people"),
		Data: peopleView{Members: members, Offices: offices, Roles: org.Roles}, Errors: errs, Form: form})
}

// personCreate adds a person with a first role, in one transaction. Without
// an initial password the person gets an email to choose one.
func (s *Server) personCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := auth.PersonInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Password: r.PostFormValue("password"), Lang: r.PostFormValue("lang")}
	role, officeID := org.Role(r.PostFormValue("role")), r.PostFormValue("office")
	form := map[string]string{"email": in.Email, "name": in.Name, "role": string(role), "office": officeID, "lang": in.Lang}
	var p auth.Person
	err := s.DB.Tx(r.Context(), func(tx *sql.Tx) error {
		var err error
		if p, err = s.Auth.CreatePerson(r.Context(), tx, in); err != nil {
			return err
		}
		_, err = s.Orgs.GrantTx(r.Context(), tx, rc.Org.ID, p.ID, role, officeID)
		return err
	})
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.peoplePage(w, r, rc, http.StatusUnprocessableEntity, errs, form)
		}
		return err
	}
	if in.Password != "" {
		return redirect(w, r, "/admin/people?ok=flash.person_created")
	}
	if err := s.invite(r, rc, p.Email); err != nil {
		s.Logger.Error("invitation mail failed", "person", p.ID, "err", err)
		return redirect(w, r, "/admin/people?ok=flash.person_created_no_mail")
	}
	return redirect(w, r, "/admin/people?ok=flash.person_invited")
}

// invite mails a link to choose a password.
func (s *Server) invite(r *http.Request, rc *reqCtx, email string) error {
	token, p, found, err := s.Auth.RequestPasswordReset(r.Context(), email)
	if err != nil || !found {
		return errors.Join(err, errors.New("web: invite: person not found"))
	}
	lang, _ := i18n.Parse(p.Lang)
	link := s.PublicURL + "/password/reset?token=" + url.QueryEscape(token)
	return s.Mail.Send(r.Context(), mail.Message{
		To:      []string{p.Email},
		Subject: s.catalog.T(lang, "admin.invite_subject", rc.Org.Name),
		Text: fmt.Sprintf("%s\n\n%s\n\n%s\n", s.catalog.T(lang, "admin.invite_intro", p.Name, rc.Org.Name, rc.Person.Name),
			link, s.catalog.T(lang, "auth.reset_mail_outro")),
	})
}

type personView struct {
	Member  org.Member
	Offices []org.Office
	Roles   []org.Role
}

func (s *Server) findMember(r *http.Request, rc *reqCtx) (org.Member, error) {
	members, err := s.Orgs.Members(r.Context(), rc.Org.ID)
	if err != nil {
		return org.Member{}, err
	}
	id := r.PathValue("id")
	for _, m := range members {
		if m.PersonID == id {
			return m, nil
		}
	}
	return org.Member{}, store.ErrNotFound
}

func (s *Server) person(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.personPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	m, err := s.findMember(r, rc)
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "person", &page{Title: m.Name, Data: personView{Member: m, Offices: offices, Roles: org.Roles}, Errors: errs})
}

func (s *Server) roleGrant(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMember(r, rc)
	if err != nil {
		return err
	}
	_, err = s.Orgs.Grant(r.Context(), rc.Org.ID, m.PersonID, org.Role(r.PostFormValue("role")), r.PostFormValue("office"))
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.personPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/admin/people/"+m.PersonID+"?ok=flash.role_granted")
}

func (s *Server) roleRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMember(r, rc)
	if err != nil {
		return err
	}
	if err := s.Orgs.Revoke(r.Context(), rc.Org.ID, r.PathValue("mid")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.personPage(w, r, rc, http.StatusConflict, errs)
		}
		return err
	}
	// The person may have had a single role: back to the list then.
	if len(m.Memberships) == 1 {
		return redirect(w, r, "/admin/people?ok=flash.role_revoked")
	}
	return redirect(w, r, "/admin/people/"+m.PersonID+"?ok=flash.role_revoked")
}

func (s *Server) personDisable(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMember(r, rc)
	if err != nil {
		return err
	}
	if m.PersonID == rc.Person.ID {
		return s.personPage(w, r, rc, http.StatusConflict, map[string]string{"status": s.t(rc, "admin.person.cannot_disable_self")})
	}
	disable := r.PostFormValue("disabled") == "1"
	if err := s.Auth.SetDisabled(r.Context(), rc.Org.ID, m.PersonID, disable); err != nil {
		return err
	}
	flash := "flash.person_enabled"
	if disable {
		flash = "flash.person_disabled"
	}
	return redirect(w, r, "/admin/people/"+m.PersonID+"?ok="+flash)
}

// personReset2FA lets an administrator turn off a colleague's second
// factor when their phone is lost; they set it up again at next login.
func (s *Server) personReset2FA(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.findMember(r, rc)
	if err != nil {
		return err
	}
	if !rc.Grants.IsAdmin() {
		return store.ErrForbidden
	}
	if err := s.Auth.DisableTOTP(r.Context(), rc.Org.ID, m.PersonID); err != nil {
		return err
	}
	return redirect(w, r, "/admin/people/"+m.PersonID+"?ok=flash.2fa_reset")
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "roles", &page{Title: s.t(rc, "admin.roles"),
		Data: map[string]any{"Roles": org.Roles, "Permissions": org.AllPermissions}})
}

func (s *Server) organisation(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.organisationPage(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	if form == nil {
		o := rc.Org
		form = map[string]string{"name": o.Name, "timezone": o.Timezone, "languages": strings.Join(o.Languages, ",")}
		if o.RequireAdmin2FA {
			form["require_admin_2fa"] = "1"
		}
	}
	return s.render(w, r, rc, status, "organisation", &page{Title: s.t(rc, "admin.organisation"), Data: rc.Orgs, Errors: errs, Form: form})
}

func orgInput(r *http.Request) org.OrganisationInput {
	var langs []string
	for _, l := range strings.Split(r.PostFormValue("languages"), ",") {
		if l = strings.TrimSpace(strings.ToLower(l)); l != "" {
			langs = append(langs, l)
		}
	}
	return org.OrganisationInput{Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name"), Timezone: r.PostFormValue("timezone"),
		Languages: langs, RequireAdmin2FA: r.PostFormValue("require_admin_2fa") == "1"}
}

func (s *Server) organisationUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := orgInput(r)
	if _, err := s.Orgs.UpdateOrganisation(r.Context(), rc.Org.ID, in); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			form := map[string]string{"name": in.Name, "timezone": in.Timezone, "languages": r.PostFormValue("languages")}
			if in.RequireAdmin2FA {
				form["require_admin_2fa"] = "1"
			}
			return s.organisationPage(w, r, rc, http.StatusUnprocessableEntity, errs, form)
		}
		return err
	}
	return redirect(w, r, "/admin/organisation?ok=flash.org_saved")
}

// organisationCreate adds another organisation (e.g. a comune of the
// metropolitan city) with the creator as its first administrator.
func (s *Server) organisationCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := orgInput(r)
	if _, err := s.Orgs.CreateOrganisationWithAdmin(r.Context(), in, rc.Person.ID); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			renamed := map[string]string{}
			for k, v := range errs {
				renamed["new_"+k] = v
			}
			return s.organisationPage(w, r, rc, http.StatusUnprocessableEntity, renamed, nil)
		}
		return err
	}
	return redirect(w, r, "/admin/organisation?ok=flash.org_created")
}

func (s *Server) tasks(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.Tasks.Tasks(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "tasks", &page{Title: s.t(rc, "admin.tasks"), Data: list})
}

func (s *Server) taskRun(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := r.PathValue("name")
	if err := s.Tasks.RunNow(r.Context(), name); err != nil {
		return err
	}
	if err := audit.Record(r.Context(), s.DB.Write, audit.Change{OrgID: rc.Org.ID, Action: "task.run", TargetType: "task", TargetID: name, TargetLabel: name}); err != nil {
		return err
	}
	return redirect(w, r, "/admin/tasks?ok=flash.task_queued")
}
