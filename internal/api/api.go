// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package api serves Piazza's JSON REST API under /api/v1. Programs call it
// with a bearer token (`piazza token create`) that acts for one person in
// one organisation; the OpenAPI 3.1 document at /api/v1/openapi.json
// describes every operation and a test keeps it true to routes.go.
//
// Handlers only translate between HTTP and the domains: the domains hold
// the rules and write the audit log, and every error reaches the client
// through one mapping (errors.go).
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Prefix is where the web server mounts the API; handlers receive full
// paths starting with it.
const Prefix = "/api/v1"

// Deps are the services the API calls.
type Deps struct {
	// DB opens the transactions that span two domains (a person and their
	// first role), so nothing is half-written when a step fails.
	DB      *store.DB
	Orgs    *org.Service
	Auth    *auth.Service
	Logger  *slog.Logger
	Version string // Piazza's version, shown in the OpenAPI document

	Editorial *editorial.Service
	Publish   *publish.Service
	Triage    *triage.Service
	Desk      *desk.Service
	Alerts    *alert.Service
}

// server is the API with its dependencies.
type server struct {
	Deps
	openAPI []byte
}

// caller is who a request acts for: the token's person in the token's
// organisation, with what they may do there.
type caller struct {
	Token  auth.APIToken
	Person auth.Person
	OrgID  string
	Grants org.Grants
}

// handler serves one action; a returned error goes through fail.
type handler func(s *server, w http.ResponseWriter, r *http.Request, c *caller) error

// New returns the API handler, to be mounted at "/api/v1/".
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{Deps: d, openAPI: openAPIDocument(d.Version)}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	// Any other method on a known path gets 405 with Allow: the patterns
	// above carry a method, so these method-less ones only catch the rest.
	for path, methods := range allowedMethods() {
		allow := strings.Join(methods, ", ")
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.fail(w, r, errMethodNotAllowed)
		})
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errNoRoute)
	})
	return s.recoverer(mux)
}

// wrap authenticates the request, checks the route's permission, puts the
// actor in the context for the audit log and runs the handler.
func (s *server) wrap(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &caller{}
		if rt.Access != public {
			var err error
			if c, err = s.authenticate(r.Context(), r); err != nil {
				s.fail(w, r, err)
				return
			}
			// The same token may reach other data tomorrow: responses
			// that depend on it are never cached.
			w.Header().Set("Cache-Control", "no-store")
			if rt.Perm != "" && !c.Grants.Can(rt.Perm) {
				s.fail(w, r, forbidden("this token's person lacks the permission "+string(rt.Perm)))
				return
			}
			r = r.WithContext(audit.WithActor(r.Context(), audit.Actor{
				PersonID: c.Person.ID, Label: c.Person.Email, IP: clientIP(r)}))
		}
		if err := rt.Handle(s, w, r, c); err != nil {
			s.fail(w, r, err)
		}
	}
}

// authenticate reads the bearer token and works out who the request acts
// for. A token whose person no longer belongs to its organisation may do
// nothing there.
func (s *server) authenticate(ctx context.Context, r *http.Request) (*caller, error) {
	plain, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, errUnauthorized
	}
	tok, p, err := s.Auth.AuthenticateToken(ctx, plain)
	if err != nil {
		return nil, err // auth.ErrBadToken maps to 401, anything else to 500
	}
	g, err := s.Orgs.GrantsOf(ctx, tok.OrgID, p.ID)
	if err != nil {
		return nil, err
	}
	if !g.Member() {
		return nil, forbidden("this token's person no longer belongs to the token's organisation")
	}
	return &caller{Token: tok, Person: p, OrgID: tok.OrgID, Grants: g}, nil
}

// bearerToken extracts the token of an "Authorization: Bearer …" header
// (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110 §11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// recoverer turns a panic into a 500 answer instead of a dropped
// connection; handlers must not panic, but if one does the client still
// gets JSON and the log gets the stack.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v) // net/http's own way to abort a response
				}
				s.fail(w, r, fmt.Errorf("api: panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address, as in web: X-Forwarded-For is not trusted.
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
