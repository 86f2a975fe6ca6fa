// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package web is Piazza's server-rendered interface: the pages of every
// area, in Italian first and in English, with the look of Bootstrap Italia.
// Every route is listed with the permission it needs in routes.go; one file
// per area holds its handlers. Domains do the work; this package maps
// their results and errors to pages and status codes, in one place.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// TaskRunner is the part of the job runner the admin pages use.
type TaskRunner interface {
	Tasks(ctx context.Context) ([]jobs.Task, error)
	RunNow(ctx context.Context, name string) error
}

// Deps is what the interface needs from the rest of Piazza.
type Deps struct {
	DB      *store.DB
	Orgs    *org.Service
	Auth    *auth.Service
	Audit   *audit.Log
	Notify  *notify.Service
	Mail    mail.Sender
	Tasks   TaskRunner
	Logger  *slog.Logger
	Metrics prometheus.Registerer
	// PublicURL is the address people reach Piazza at; https means secure cookies.
	PublicURL       string
	SessionLifetime time.Duration
	// DefaultOrg is the slug public paths without /o/{slug} use, if set.
	DefaultOrg string
	Demo       bool
	// API serves /api/v1/ when set.
	API http.Handler
	// Health answers /healthz.
	Health func(ctx context.Context) error
	// MetricsHandler serves /metrics when set.
	MetricsHandler http.Handler

	Editorial *editorial.Service
	Publish   *publish.Service
	Desk      *desk.Service
	Alerts    *alert.Service
	// MediaURL is the public signed link of a media file; VerifyMedia
	// checks such a link's signature.
	MediaURL    func(orgID, mediaID string) string
	VerifyMedia func(orgID, mediaID, sig string) bool
	// Sandbox lists what the demo's fake platforms received; nil outside
	// demo mode.
	Sandbox Sandbox
	// MapTiles is the tile URL template of the map on which an incident's
	// area is drawn ({z}, {x}, {y}, as Leaflet takes it); empty = no map,
	// the area is typed. MapAttribution is the credit the map shows.
	MapTiles       string
	MapAttribution string
}

// Sandbox is the demo's set of in-process fake platforms.
type Sandbox interface {
	Platforms() []SandboxPlatform
}

// SandboxPlatform is one fake platform and what it received.
type SandboxPlatform struct {
	Platform channel.Platform
	URL      string
	Received []channeltest.Received
}

// Server renders the interface.
type Server struct {
	Deps
	catalog *i18n.Catalog
	pages   map[i18n.Lang]map[string]*template.Template
	secure  bool
	// csp is the Content-Security-Policy of the pages, with the map's tile
	// server among the image sources when there is a map.
	csp     string
	metrics *httpMetrics
	// formLimits keeps floods of the public forms (web form, Open311) out,
	// per server so that instances (and tests) do not share budgets.
	formLimits *formLimiter
	// hooks keeps webhooks' organisations and secrets for a few seconds.
	hooks *hookCache
}

// New parses every template (failing at start, not at the first request)
// and returns the server.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.SessionLifetime == 0 {
		d.SessionLifetime = 12 * time.Hour
	}
	s := &Server{Deps: d, catalog: i18n.Default(), secure: strings.HasPrefix(d.PublicURL, "https://"),
		formLimits: &formLimiter{byIP: map[string]*rate.Limiter{}}, hooks: newHookCache()}
	origin, err := tileOrigin(d.MapTiles)
	if err != nil {
		return nil, err
	}
	s.csp = contentSecurityPolicy(origin)
	pages, err := parseTemplates(s.catalog)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.metrics = newHTTPMetrics(d.Metrics)
	return s, nil
}

// Handler returns the whole HTTP interface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	// Browsers send Sec-Fetch-Site/Origin: cross-site form posts are refused
	// before they reach a handler, on top of the per-form CSRF token.
	cop := http.NewCrossOriginProtection()
	var h http.Handler = mux
	h = cop.Handler(h)
	h = limitBody(h)
	h = s.metrics.wrap(h)
	h = securityHeaders(h, s.csp)
	h = s.recoverer(h)
	return h
}

// maxBody bounds every request body: the largest is a media upload
// (editorial.MaxUpload) with its form fields. Forms are parsed before the
// handler runs (the CSRF check), so the bound must come first.
const maxBody = editorial.MaxUpload + 1<<20

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}
