// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

//go:embed templates
var templateFS embed.FS

// parseTemplates builds, for each language, every page on top of the
// layout and partials. Translation is bound at parse time (the t function), so
// a page is a plain template per language.
func parseTemplates(c *i18n.Catalog) (map[i18n.Lang]map[string]*template.Template, error) {
	pageFiles, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[i18n.Lang]map[string]*template.Template{}
	for _, lang := range i18n.Supported {
		base, err := template.New("layout").Funcs(funcs(c, lang)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: parse layout: %w", err)
		}
		out[lang] = map[string]*template.Template{}
		for _, f := range pageFiles {
			t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
			if err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", f, err)
			}
			out[lang][strings.TrimSuffix(path.Base(f), ".html")] = t
		}
	}
	return out, nil
}

func funcs(c *i18n.Catalog, lang i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t":    func(key string, args ...any) string { return c.T(lang, key, args...) },
		"lang": func() string { return string(lang) },
		"roleName": func(r org.Role) string {
			return c.T(lang, "admin.role."+string(r))
		},
		"roleDesc": func(r org.Role) string {
			return c.T(lang, "admin.role."+string(r)+".desc")
		},
		"permName": func(p org.Permission) string {
			return c.T(lang, "perm."+string(p))
		},
		"hasPerm": func(r org.Role, p org.Permission) bool {
			for _, x := range r.Permissions() {
				if x == p {
					return true
				}
			}
			return false
		},
		"list":   func(xs ...string) []string { return xs },
		"join":   strings.Join,
		"add":    func(a, b int) int { return a + b },
		"mul100": func(f float64) float64 { return f * 100 },
		// when writes an instant in the organisation's zone.
		"when": func(t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return "–"
			}
			return t.In(loc).Format("02/01/2006 15:04")
		},
		// dur writes a duration for people: "2 h 05 min", "45 min".
		"dur": func(d time.Duration) string {
			if d <= 0 {
				return "–"
			}
			d = d.Round(time.Minute)
			h, m := int(d.Hours()), int(d.Minutes())%60
			if h >= 48 {
				return fmt.Sprintf("%d g %d h", h/24, h%24)
			}
			if h > 0 {
				return fmt.Sprintf("%d h %02d min", h, m)
			}
			return fmt.Sprintf("%d min", m)
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, errors.New("dict: key not a string")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// settingsPages belong to the Impostazioni area of the navigation.
var settingsPages = map[string]bool{
	"settings": true, "security": true, "tokens": true, "notification_prefs": true, "people": true, "person": true,
	"roles": true, "offices": true, "office_edit": true, "organisation": true, "audit": true, "tasks": true,
}

// page is what every template receives.
type page struct {
	*reqCtx
	Name          string // template name
	Area          string // active navigation area
	Title         string
	Flash         string
	Errors        map[string]string // field → translated message
	Form          map[string]string // values to show again after an error
	Data          any
	VendorMissing bool
	Demo          bool
	Unread        int
	Status        int
}

// Can reports a permission of the current person, for menus.
func (p *page) Can(perm string) bool { return p.Grants.Can(org.Permission(perm)) }

// FormatTime shows a stored UTC time in the organisation's time zone.
func (p *page) FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	loc := time.UTC
	if p.Org != nil {
		loc = p.Org.Location()
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

// FormatTimePtr is FormatTime for nullable columns.
func (p *page) FormatTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.FormatTime(*t)
}

// render writes a page. A template error is caught before anything is sent,
// so the client never gets half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, name string, p *page) error {
	t, ok := s.pages[rc.Lang][name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	if p == nil {
		p = &page{}
	}
	p.reqCtx = rc
	p.Name = name
	if p.Area == "" && settingsPages[name] {
		p.Area = "settings"
	}
	p.VendorMissing = VendorMissing()
	p.Demo = s.Demo
	p.Status = status
	if p.Flash == "" {
		if key := r.URL.Query().Get("ok"); strings.HasPrefix(key, "flash.") && s.catalog.Has(rc.Lang, key) {
			p.Flash = s.catalog.T(rc.Lang, key)
		}
	}
	if rc.loggedIn() && rc.Org != nil && s.Notify != nil {
		if n, err := s.Notify.Unread(r.Context(), rc.Org.ID, rc.Person.ID); err == nil {
			p.Unread = n
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// t translates for the request's language.
func (s *Server) t(rc *reqCtx, key string, args ...any) string {
	return s.catalog.T(rc.Lang, key, args...)
}

// formErrors translates validation errors for the form, or returns false
// when err is not one.
func (s *Server) formErrors(rc *reqCtx, err error) (map[string]string, bool) {
	es, ok := valid.As(err)
	if !ok {
		return nil, false
	}
	m := map[string]string{}
	for _, e := range es {
		if _, dup := m[e.Field]; !dup {
			m[e.Field] = s.t(rc, e.Key, e.Args...)
		}
	}
	return m, true
}

// fail turns a handler error into a page: not found, forbidden, or an
// internal error whose details go to the log, never to the browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.failStatus(w, r, rc, http.StatusNotFound, "errors.not_found")
	case errors.Is(err, store.ErrForbidden):
		s.failStatus(w, r, rc, http.StatusForbidden, "errors.forbidden")
	case errors.Is(err, errBadRequest):
		s.failStatus(w, r, rc, http.StatusBadRequest, "errors.bad_request")
	default:
		if es, ok := valid.As(err); ok && len(es) > 0 {
			s.failStatus(w, r, rc, http.StatusUnprocessableEntity, es[0].Key)
			return
		}
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		s.failStatus(w, r, rc, http.StatusInternalServerError, "errors.internal")
	}
}

func (s *Server) failStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, key string) {
	p := &page{Title: s.t(rc, "errors.title"), Data: s.t(rc, key)}
	if err := s.render(w, r, rc, status, "error", p); err != nil {
		s.Logger.Error("render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther) //nolint:gosec // G710: callers pass fixed paths or safeNext ones
	return nil
}
