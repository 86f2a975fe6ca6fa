// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/mail"
)

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "forgot", &page{Title: s.t(rc, "auth.forgot_title")})
}

// forgot answers the same whether or not the email has an account.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	token, p, found, err := s.Auth.RequestPasswordReset(r.Context(), email)
	if err != nil {
		return err
	}
	if found {
		lang, _ := i18n.Parse(p.Lang)
		link := s.PublicURL + "/password/reset?token=" + url.QueryEscape(token)
		msg := mail.Message{
			To:      []string{p.Email},
			Subject: s.catalog.T(lang, "auth.reset_mail_subject"),
			Text:    fmt.Sprintf("%s\n\n%s\n\n%s\n", s.catalog.T(lang, "auth.reset_mail_intro", p.Name), link, s.catalog.T(lang, "auth.reset_mail_outro")),
		}
		if err := s.Mail.Send(r.Context(), msg); err != nil {
			// The person sees the same answer; the operator sees the failure.
			s.Logger.Error("password reset mail failed", "person", p.ID, "err", err)
		}
	}
	return s.render(w, r, rc, http.StatusOK, "forgot", &page{Title: s.t(rc, "auth.forgot_title"), Data: true})
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "reset", &page{Title: s.t(rc, "auth.reset_title"),
		Form: map[string]string{"token": r.URL.Query().Get("token")}})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	token := r.PostFormValue("token")
	_, err := s.Auth.ResetPassword(r.Context(), token, r.PostFormValue("password"))
	if err != nil {
		p := &page{Title: s.t(rc, "auth.reset_title"), Form: map[string]string{"token": token}}
		if errs, ok := s.formErrors(rc, err); ok {
			p.Errors = errs
			return s.render(w, r, rc, http.StatusUnprocessableEntity, "reset", p)
		}
		if errors.Is(err, auth.ErrBadToken) {
			p.Errors = map[string]string{"form": s.t(rc, "auth.reset_bad_token")}
			return s.render(w, r, rc, http.StatusBadRequest, "reset", p)
		}
		return err
	}
	return redirect(w, r, "/login?ok=flash.password_reset")
}
