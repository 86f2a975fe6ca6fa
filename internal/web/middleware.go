// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
)

// handlerFunc is a page handler: it gets the request context and returns
// an error that fail turns into the right page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

const (
	sessionCookie = "piazza_session"
	csrfCookie    = "piazza_csrf"
	langCookie    = "piazza_lang"
	csrfField     = "csrf"
)

// handle registers a route with its access rule and permission. The
// permission is checked here, on the server, for every request.
func (s *Server) handle(mux *http.ServeMux, pattern string, acc access, perm org.Permission, h handlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rc, err := s.load(w, r)
		if err != nil {
			s.fail(w, r, &reqCtx{Lang: i18n.Italian}, err)
			return
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, rc) {
			s.failStatus(w, r, rc, http.StatusForbidden, "errors.csrf")
			return
		}
		switch acc {
		case mfaStep:
			if rc.Session == nil || !rc.Session.MFAPending {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
		case signedIn, anyMember:
			if !rc.loggedIn() {
				if rc.Session != nil && rc.Session.MFAPending {
					http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
					return
				}
				http.Redirect(w, r, "/login?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther) //nolint:gosec // G710: safeNext keeps it local
				return
			}
			if acc == signedIn && rc.Org == nil {
				http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
				return
			}
			if s.needs2FASetup(rc) && !strings.HasPrefix(r.URL.Path, "/settings") && r.URL.Path != "/dashboard" {
				http.Redirect(w, r, "/settings/security?required=1", http.StatusSeeOther)
				return
			}
			if perm != "" && !rc.Grants.Can(perm) {
				s.failStatus(w, r, rc, http.StatusForbidden, "errors.forbidden")
				return
			}
		}
		ctx := r.Context()
		if rc.Person != nil {
			ctx = audit.WithActor(ctx, audit.Actor{PersonID: rc.Person.ID, Label: rc.Person.Email, IP: rc.IP})
		} else {
			ctx = audit.WithActor(ctx, audit.Actor{Label: "anonymous", IP: rc.IP})
		}
		if err := h(w, r.WithContext(ctx), rc); err != nil {
			s.fail(w, r, rc, err)
		}
	})
}

// needs2FASetup: an organisation may require administrators to use a
// second factor; until they set it up, only their settings are reachable.
func (s *Server) needs2FASetup(rc *reqCtx) bool {
	return rc.Org != nil && rc.Org.RequireAdmin2FA && rc.Grants.IsAdmin() && rc.Person != nil && !rc.Person.TOTPEnabled
}

// load reads the session cookie and works out person, organisation,
// grants, language and the CSRF token for this request.
func (s *Server) load(w http.ResponseWriter, r *http.Request) (*reqCtx, error) {
	rc := &reqCtx{IP: clientIP(r)}
	if c, err := r.Cookie(s.cookieName(sessionCookie)); err == nil {
		sess, p, err := s.Auth.SessionByToken(r.Context(), c.Value)
		switch {
		case err == nil:
			rc.Session, rc.Person = &sess, &p
			rc.CSRF = sess.CSRFToken
			_ = s.Auth.TouchSession(r.Context(), sess)
		case errors.Is(err, auth.ErrSessionExpired):
			s.clearCookie(w, sessionCookie)
		default:
			return nil, err
		}
	}
	if rc.CSRF == "" {
		rc.CSRF = s.anonCSRF(w, r)
	}
	rc.Lang = s.language(r, rc)
	if rc.loggedIn() {
		orgs, err := s.Orgs.OrganisationsOf(r.Context(), rc.Person.ID)
		if err != nil {
			return nil, err
		}
		rc.Orgs = orgs
		for i := range orgs {
			if orgs[i].ID == rc.Session.OrgID {
				rc.Org = &orgs[i]
			}
		}
		if rc.Org == nil && len(orgs) > 0 {
			// The session's organisation is gone or was never set: use the first.
			rc.Org = &orgs[0]
			_ = s.Auth.SwitchOrganisation(r.Context(), rc.Session.TokenHash, rc.Org.ID)
		}
		if rc.Org != nil {
			g, err := s.Orgs.GrantsOf(r.Context(), rc.Org.ID, rc.Person.ID)
			if err != nil {
				return nil, err
			}
			rc.Grants = g
		}
	}
	return rc, nil
}

func (s *Server) language(r *http.Request, rc *reqCtx) i18n.Lang {
	if rc.Person != nil {
		if l, ok := i18n.Parse(rc.Person.Lang); ok {
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// anonCSRF returns the double-submit token of a visitor without a session,
// setting the cookie on first sight.
func (s *Server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.cookieName(csrfCookie)); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	token, _, err := auth.NewToken("")
	if err != nil {
		return ""
	}
	s.setCookie(w, csrfCookie, token, 0)
	// Make the new value visible to a check in this same request.
	r.AddCookie(&http.Cookie{Name: s.cookieName(csrfCookie), Value: token}) //nolint:gosec // G124: request side, never sent
	return token
}

func (s *Server) checkCSRF(r *http.Request, rc *reqCtx) bool {
	got := r.PostFormValue(csrfField)
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	if got == "" || rc.CSRF == "" {
		return false
	}
	if rc.Session == nil {
		// Double submit: the form must carry the value of the cookie, which a
		// foreign site can neither read nor set.
		c, err := r.Cookie(s.cookieName(csrfCookie))
		if err != nil {
			return false
		}
		return auth.ConstantTimeEqual(c.Value, got)
	}
	return auth.ConstantTimeEqual(rc.CSRF, got)
}

// cookieName uses the __Host- prefix over HTTPS, which pins the cookie to
// this host and path / and requires Secure.
func (s *Server) cookieName(name string) string {
	if s.secure {
		return "__Host-" + name
	}
	return name
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	// Secure follows PIAZZA_PUBLIC_URL: a plain-http installation (the demo on
	// localhost) would otherwise never keep a session.
	c := &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode} //nolint:gosec // G124: see above
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(name), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}) //nolint:gosec // G124: as in setCookie
}

// clientIP is the peer address. Piazza does not trust X-Forwarded-For:
// behind a proxy, all clients share the proxy's throttle bucket, which errs
// on the safe side.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// safeNext keeps redirects after login inside Piazza.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/dashboard"
	}
	return next
}

// contentSecurityPolicy allows only Piazza's own files, plus the images
// of the map's tile server (origin, "" when there is no map).
func contentSecurityPolicy(tileOrigin string) string {
	img := "img-src 'self' data:"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'self'; " + img + "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
}

// cspSource is what an origin may look like in the policy: no space,
// quote, comma or semicolon that would end or add a directive.
var cspSource = regexp.MustCompile(`^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]+)?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// tileOrigin is the scheme and host of a tile URL template, as a CSP
// source: https://tile.openstreetmap.org, or https://*.tiles.example.it
// for a {s} subdomain. config checked the template; this refuses anything
// that would not make a clean source, since it goes into a header.
func tileOrigin(template string) (string, error) {
	if template == "" {
		return "", nil
	}
	scheme, rest, ok := strings.Cut(template, "://")
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	if sub, found := strings.CutPrefix(host, "{s}."); found {
		host = "*." + sub
	}
	origin := strings.ToLower(scheme) + "://" + strings.ToLower(host)
	if !ok || !cspSource.MatchString(origin) {
		return "", fmt.Errorf("web: map tiles %q: want an http(s) URL template with a fixed host", template)
	}
	return origin, nil
}

func securityHeaders(next http.Handler, csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", csp)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				s.Logger.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// httpMetrics counts requests per route pattern (never per raw path, which
// would let anyone grow the series without bound).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "piazza_http_requests_total", Help: "HTTP requests by route and status code."}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "piazza_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.duration)
	}
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush keeps Server-Sent Events working through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (m *httpMetrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		m.requests.WithLabelValues(r.Method, route, fmt.Sprint(rec.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if s.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := s.Health(ctx); err != nil {
			s.Logger.Warn("health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable"}` + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}
