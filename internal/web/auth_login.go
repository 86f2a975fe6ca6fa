// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.loggedIn() {
		return redirect(w, r, "/dashboard")
	}
	return redirect(w, r, "/login")
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.loggedIn() {
		return redirect(w, r, safeNext(r.URL.Query().Get("next")))
	}
	return s.render(w, r, rc, http.StatusOK, "login", &page{Title: s.t(rc, "auth.login_title"),
		Form: map[string]string{"next": r.URL.Query().Get("next")}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	p, err := s.Auth.Authenticate(r.Context(), email, r.PostFormValue("password"), rc.IP)
	if err != nil {
		status, msg, err := s.loginFailure(w, rc, err, auth.ErrBadCredentials, "auth.bad_credentials")
		if err != nil {
			return err
		}
		return s.render(w, r, rc, status, "login", &page{Title: s.t(rc, "auth.login_title"),
			Errors: map[string]string{"form": msg}, Form: map[string]string{"email": email, "next": next}})
	}
	orgID := ""
	if orgs, err := s.Orgs.OrganisationsOf(r.Context(), p.ID); err == nil && len(orgs) > 0 {
		orgID = orgs[0].ID
	}
	// A new session on login: a token planted before login is never reused.
	token, _, err := s.Auth.CreateSession(r.Context(), auth.SessionInput{PersonID: p.ID, OrgID: orgID,
		MFAPending: p.TOTPEnabled, IP: rc.IP, UserAgent: r.UserAgent(), Lifetime: s.SessionLifetime})
	if err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, token, s.SessionLifetime)
	s.clearCookie(w, csrfCookie)
	if p.TOTPEnabled {
		return redirect(w, r, "/login/2fa?next="+url.QueryEscape(next))
	}
	return redirect(w, r, next)
}

// loginFailure turns a failed login step into a status and a message: the
// expected refusal (wrong) gets one generic message, throttling says how
// long to wait; anything else is returned as an error.
func (s *Server) loginFailure(w http.ResponseWriter, rc *reqCtx, err, wrong error, wrongKey string) (int, string, error) {
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", retryAfterSeconds(te.RetryAfter))
		return http.StatusTooManyRequests, s.t(rc, "auth.throttled", s.minutes(rc, te.RetryAfter)), nil
	case errors.Is(err, wrong):
		return http.StatusUnauthorized, s.t(rc, wrongKey), nil
	}
	return 0, "", err
}

func retryAfterSeconds(d time.Duration) string {
	return strings.TrimSuffix((d.Round(time.Second) + time.Second).String(), "s")
}

func (s *Server) secondFactorForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "login_2fa", &page{Title: s.t(rc, "auth.2fa_title"),
		Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	err := s.Auth.CompleteSecondFactor(r.Context(), *rc.Session, r.PostFormValue("code"), rc.IP)
	if err != nil {
		status, msg, err := s.loginFailure(w, rc, err, auth.ErrBadCode, "auth.2fa_bad_code")
		if err != nil {
			return err
		}
		return s.render(w, r, rc, status, "login_2fa", &page{Title: s.t(rc, "auth.2fa_title"), Errors: map[string]string{"form": msg},
			Form: map[string]string{"next": safeNext(r.PostFormValue("next"))}})
	}
	return redirect(w, r, safeNext(r.PostFormValue("next")))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Session != nil {
		if err := s.Auth.EndSession(r.Context(), rc.Session.TokenHash); err != nil {
			return err
		}
	}
	s.clearCookie(w, sessionCookie)
	return redirect(w, r, "/login?ok=flash.logged_out")
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		lang = i18n.Italian
	}
	if rc.loggedIn() {
		if err := s.Auth.SetLanguage(r.Context(), rc.Person.ID, string(lang)); err != nil {
			return err
		}
	}
	s.setCookie(w, langCookie, string(lang), 365*24*time.Hour)
	back := "/"
	if ref := r.Header.Get("Referer"); ref != "" {
		if i := strings.Index(ref, "://"); i >= 0 {
			if j := strings.Index(ref[i+3:], "/"); j >= 0 {
				back = ref[i+3+j:]
			}
		}
	}
	return redirect(w, r, safeNext(back))
}

// minutes says a wait in whole minutes, in the person's language.
func (s *Server) minutes(rc *reqCtx, d time.Duration) string {
	n := int((d + time.Minute - 1) / time.Minute)
	return s.catalog.TN(rc.Lang, "common.minutes", n)
}
