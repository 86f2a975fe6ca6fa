// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
)

// Personal settings: profile, password and second factor, API tokens,
// notifications. Every page acts on the signed-in person only, so the
// routes need membership but no permission.

// profileView is the profile page: roles in the current organisation.
type profileView struct {
	Memberships []org.Membership
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var v profileView
	if rc.Org != nil {
		ms, err := s.Orgs.Memberships(r.Context(), rc.Org.ID, rc.Person.ID)
		if err != nil {
			return err
		}
		v.Memberships = ms
	}
	return s.render(w, r, rc, http.StatusOK, "settings", &page{Title: s.t(rc, "settings.profile"), Data: v})
}

// securityView is the security page in its states: two-factor off, being
// set up (QR code shown), just enabled (recovery codes shown once), on.
type securityView struct {
	Required      bool // the organisation requires a second factor of this administrator
	TOTPEnabled   bool
	Setup         *totpSetup
	Retry         bool     // a setup code was wrong: the code form is shown again, without the secret
	RecoveryCodes []string // shown once, right after enabling
}

// totpSetup is what an authenticator app needs to enrol.
type totpSetup struct {
	QRCode template.URL // data: URL of a PNG, allowed by the CSP's img-src
	Secret string       // the same key, grouped for typing by hand
}

func (s *Server) security(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.securityPage(w, r, rc, http.StatusOK, securityView{}, nil)
}

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v securityView, errs map[string]string) error {
	v.Required = r.URL.Query().Get("required") == "1" || s.needs2FASetup(rc)
	v.TOTPEnabled = rc.Person.TOTPEnabled
	if v.RecoveryCodes != nil {
		// Enabled in this very request: rc.Person was loaded before.
		v.TOTPEnabled, v.Required = true, false
	}
	return s.render(w, r, rc, status, "security", &page{Title: s.t(rc, "settings.security"), Data: v, Errors: errs})
}

// checkCurrentPassword asks for the password again before a sensitive
// change, so an unattended open session is not enough. It answers the
// message and status to show on the field, or an unexpected error.
func (s *Server) checkCurrentPassword(r *http.Request, rc *reqCtx, password string) (msg string, status int, err error) {
	if password == "" {
		return s.t(rc, "settings.password.current_required"), http.StatusUnprocessableEntity, nil
	}
	_, err = s.Auth.Authenticate(r.Context(), rc.Person.Email, password, rc.IP)
	var te *auth.ThrottledError
	switch {
	case err == nil:
		return "", 0, nil
	case errors.As(err, &te):
		return s.t(rc, "auth.throttled", te.RetryAfter.Round(time.Minute).String()), http.StatusTooManyRequests, nil
	case errors.Is(err, auth.ErrBadCredentials):
		return s.t(rc, "settings.password.current_wrong"), http.StatusUnprocessableEntity, nil
	default:
		return "", 0, err
	}
}

// changePassword sets a new password after checking the current one; the
// person's other sessions end, this one stays.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	msg, status, err := s.checkCurrentPassword(r, rc, r.PostFormValue("current_password"))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.securityPage(w, r, rc, status, securityView{}, map[string]string{"current_password": msg})
	}
	if err := s.Auth.SetPassword(r.Context(), rc.Person.ID, r.PostFormValue("password"), rc.Session.TokenHash); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.securityPage(w, r, rc, http.StatusUnprocessableEntity, securityView{}, errs)
		}
		return err
	}
	return redirect(w, r, "/settings/security?ok=flash.password_changed")
}

// totpIssuer names the installation in the authenticator app. A colon
// would split the otpauth label, so none gets through.
func totpIssuer(rc *reqCtx) string {
	if rc.Org == nil {
		return "Piazza"
	}
	return "Piazza - " + strings.TrimSpace(strings.ReplaceAll(rc.Org.Name, ":", " "))
}

// groupSecret writes a base32 secret in blocks of four, easier to copy by
// hand; authenticator apps ignore the spaces.
func groupSecret(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// totpBegin stores a new pending secret and shows it as a QR code and as
// text. The secret is shown in this response only: a later page cannot
// show it again, so a failed setup starts over.
func (s *Server) totpBegin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Person.TOTPEnabled {
		return redirect(w, r, "/settings/security")
	}
	secret, otpauthURL, err := s.Auth.BeginTOTP(r.Context(), rc.Person.ID, totpIssuer(rc))
	if err != nil {
		return err
	}
	png, err := auth.TOTPQRCodePNG(otpauthURL, 240)
	if err != nil {
		return err
	}
	setup := &totpSetup{
		// The URL is built here from our own PNG bytes, never from input.
		QRCode: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), //nolint:gosec // G203: our own PNG, base64-encoded
		Secret: groupSecret(secret),
	}
	return s.securityPage(w, r, rc, http.StatusOK, securityView{Setup: setup}, nil)
}

// totpConfirm enables the second factor when the code from the app is
// right, and shows the recovery codes once.
func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Person.TOTPEnabled {
		return redirect(w, r, "/settings/security")
	}
	codes, err := s.Auth.ConfirmTOTP(r.Context(), rc.Person.ID, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		// The pending secret stays stored: the next code from the app still
		// works. If the app was never set up, the page offers to start over.
		return s.securityPage(w, r, rc, http.StatusUnprocessableEntity, securityView{Retry: true},
			map[string]string{"code": s.t(rc, "settings.2fa.bad_code")})
	}
	if err != nil {
		return err
	}
	return s.securityPage(w, r, rc, http.StatusOK, securityView{RecoveryCodes: codes}, nil)
}

// totpDisable turns the second factor off after checking the password.
func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !rc.Person.TOTPEnabled {
		return redirect(w, r, "/settings/security")
	}
	msg, status, err := s.checkCurrentPassword(r, rc, r.PostFormValue("disable_password"))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.securityPage(w, r, rc, status, securityView{}, map[string]string{"disable_password": msg})
	}
	orgID := ""
	if rc.Org != nil {
		orgID = rc.Org.ID
	}
	if err := s.Auth.DisableTOTP(r.Context(), orgID, rc.Person.ID); err != nil {
		return err
	}
	return redirect(w, r, "/settings/security?ok=flash.2fa_disabled")
}

// tokensView lists a person's API tokens; Created holds a token made in
// this request, whose plain value is never shown again.
type tokensView struct {
	Tokens    []auth.APIToken
	Created   string
	PublicURL string
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.tokensPage(w, r, rc, http.StatusOK, "", nil, nil)
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, created string, errs, form map[string]string) error {
	v := tokensView{Created: created, PublicURL: strings.TrimRight(s.PublicURL, "/")}
	if v.PublicURL == "" {
		scheme := "http"
		if s.secure {
			scheme = "https"
		}
		v.PublicURL = scheme + "://" + r.Host
	}
	if rc.Org != nil {
		list, err := s.Auth.APITokens(r.Context(), rc.Org.ID, rc.Person.ID)
		if err != nil {
			return err
		}
		v.Tokens = list
	}
	return s.render(w, r, rc, status, "tokens", &page{Title: s.t(rc, "settings.tokens"), Data: v, Errors: errs, Form: form})
}

// tokenCreate issues a token acting for the person in the current
// organisation and shows it once.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Org == nil {
		return redirect(w, r, "/settings/tokens")
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		return s.tokensPage(w, r, rc, http.StatusUnprocessableEntity, "",
			map[string]string{"name": s.t(rc, "settings.tokens.name_required")}, nil)
	}
	if len(name) > 100 { // bytes, as the token store counts them
		return s.tokensPage(w, r, rc, http.StatusUnprocessableEntity, "",
			map[string]string{"name": s.t(rc, "settings.tokens.name_too_long")}, map[string]string{"name": name})
	}
	plain, _, err := s.Auth.CreateAPIToken(r.Context(), rc.Org.ID, rc.Person.ID, name)
	if err != nil {
		return err
	}
	return s.tokensPage(w, r, rc, http.StatusOK, plain, nil, nil)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Org == nil {
		return redirect(w, r, "/settings/tokens")
	}
	if err := s.Auth.RevokeAPIToken(r.Context(), rc.Org.ID, rc.Person.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/settings/tokens?ok=flash.token_revoked")
}

// notificationItem is one line of the bell's list.
type notificationItem struct {
	notify.Notification
	Href string // Link when it is a path inside Piazza, else empty
}

type notificationsView struct {
	Items  []notificationItem
	Unread int
}

// notificationLimit is how many notifications the list shows; older ones
// stay in the database but are of little use on screen.
const notificationLimit = 100

func (s *Server) notifications(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var v notificationsView
	if rc.Org != nil {
		list, err := s.Notify.List(r.Context(), rc.Org.ID, rc.Person.ID, notificationLimit)
		if err != nil {
			return err
		}
		for _, n := range list {
			if n.ReadAt == nil {
				v.Unread++
			}
			v.Items = append(v.Items, notificationItem{Notification: n, Href: internalPath(n.Link)})
		}
	}
	return s.render(w, r, rc, http.StatusOK, "notifications", &page{Title: s.t(rc, "notify.title"), Data: v})
}

// internalPath keeps a stored link only when it stays inside Piazza.
func internalPath(link string) string {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/\\") || strings.ContainsAny(link, "\r\n") {
		return ""
	}
	return link
}

// notificationsRead marks one notification (field id) or all as read.
func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Org == nil {
		return redirect(w, r, "/notifications")
	}
	id := r.PostFormValue("id")
	if err := s.Notify.MarkRead(r.Context(), rc.Org.ID, rc.Person.ID, id); err != nil {
		return err
	}
	if id != "" {
		return redirect(w, r, "/notifications?ok=flash.notification_read")
	}
	return redirect(w, r, "/notifications?ok=flash.notifications_read")
}

// notificationPref is one kind and whether it also goes by email.
type notificationPref struct {
	Kind  notify.Kind
	Email bool
}

func (s *Server) notificationPrefs(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	prefs, err := s.Notify.Preferences(r.Context(), rc.Person.ID)
	if err != nil {
		return err
	}
	v := make([]notificationPref, 0, len(notify.Kinds))
	for _, k := range notify.Kinds {
		v = append(v, notificationPref{Kind: k, Email: prefs[k]})
	}
	return s.render(w, r, rc, http.StatusOK, "notification_prefs", &page{Title: s.t(rc, "settings.notifications"), Data: v})
}

// notificationPrefsSave records the ticked kinds; an unticked box is absent
// from the form, so every kind not sent is off.
func (s *Server) notificationPrefsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	email := make(map[notify.Kind]bool, len(notify.Kinds))
	for _, k := range notify.Kinds {
		email[k] = false
	}
	for _, v := range r.PostForm["email"] {
		if k := notify.Kind(v); k.Valid() {
			email[k] = true
		}
	}
	if err := s.Notify.SetPreferences(r.Context(), rc.Person.ID, email); err != nil {
		return err
	}
	return redirect(w, r, "/settings/notifications?ok=flash.notification_prefs_saved")
}
