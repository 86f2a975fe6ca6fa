// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// Web Push from the organisation's public pages (static/js/push.js), under
// /o/{slug} and, for the default organisation, without it:
//
//	GET  /push/key          the VAPID public key, with the widget's texts and the incident types
//	POST /push/subscribe    {"subscription": PushSubscription.toJSON(), "lang": "it", "topics": [...], "zones": [...]}
//	POST /push/unsubscribe  {"endpoint": "..."}
//	GET  /sw.js             the service worker that shows the alerts (static/sw.js)
//
// The service worker is served under the organisation's prefix so that
// its scope, /o/{slug}/, covers the organisation's public pages and each
// organisation gets a subscription (an endpoint) of its own.
//
// The two POSTs are JSON endpoints without a CSRF token, registered apart
// from s.handle, which demands one. A token protects what a request does
// on behalf of someone signed in; these act for nobody: they ignore the
// session, and the only thing a forged call could do is subscribe or
// unsubscribe an endpoint the forger already knows, which is its own
// browser's (an endpoint is an unguessable URL that only the browser and
// its push service hold). Cross-site calls are refused all the same: a
// JSON body cannot be sent by a plain form, and Origin and Sec-Fetch-Site
// are checked when the browser sends them (crossSite), as
// http.CrossOriginProtection does for the whole server.
func (s *Server) alertPushRoutes(mux *http.ServeMux) {
	limits := newPushLimiter()
	static := StaticHandler()
	s.public(mux, "GET", "/push/key", s.pushKey, true)
	s.public(mux, "GET", "/sw.js", func(w http.ResponseWriter, r *http.Request, _ *reqCtx, _ org.Organisation) error {
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/sw.js", ""
		static.ServeHTTP(w, r2) // Content-Type text/javascript, ETag, revalidated on every check
		return nil
	}, true)
	for path, h := range map[string]pushHandler{"/push/subscribe": s.pushSubscribe, "/push/unsubscribe": s.pushUnsubscribe} {
		mux.HandleFunc("POST /o/{slug}"+path, s.pushJSON(limits, h))
		mux.HandleFunc("POST "+path, s.pushJSON(limits, h))
	}
}

// maxPushBody bounds a subscription request: an endpoint is at most 2 KB
// (webpush), the keys and choices a few hundred bytes.
const maxPushBody = 8 << 10

// pushHandler handles a JSON call and returns the status and the value to
// answer with (nil for no body).
type pushHandler func(r *http.Request, rc *reqCtx, o org.Organisation, body []byte) (int, any)

// pushError is the JSON of a refusal: error in the visitor's language,
// detail the service's own words when it has some.
type pushError struct {
	Error  string `json:"error"`
	Detail string `json:"detail,omitempty"`
}

func (s *Server) pushJSON(limits *pushLimiter, h pushHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc := &reqCtx{IP: clientIP(r), Lang: i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))}
		if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
			rc.Lang = l
		}
		status, v := s.pushCall(w, r, rc, limits, h)
		writePushJSON(w, status, v)
	}
}

func (s *Server) pushCall(w http.ResponseWriter, r *http.Request, rc *reqCtx, limits *pushLimiter, h pushHandler) (int, any) {
	if crossSite(r) {
		return http.StatusForbidden, pushError{Error: s.t(rc, "errors.forbidden")}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, pushError{Error: s.t(rc, "errors.bad_request"), Detail: "Content-Type must be application/json"}
	}
	if !limits.allow(rc.IP) {
		return http.StatusTooManyRequests, pushError{Error: s.t(rc, "errors.too_many_requests")}
	}
	var o org.Organisation
	var err error
	if slug := r.PathValue("slug"); slug != "" {
		if !org.ValidSlug(slug) {
			return http.StatusNotFound, pushError{Error: s.t(rc, "errors.not_found")}
		}
		o, err = s.Orgs.OrganisationBySlug(r.Context(), slug)
	} else {
		o, err = s.defaultOrg(r.Context())
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, pushError{Error: s.t(rc, "errors.not_found")}
	case err != nil:
		s.Logger.Error("push: organisation", "err", err)
		return http.StatusInternalServerError, pushError{Error: s.t(rc, "errors.internal")}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		return http.StatusRequestEntityTooLarge, pushError{Error: s.t(rc, "errors.bad_request"), Detail: "body over 8 KB"}
	}
	return h(r, rc, o, body)
}

func writePushJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// crossSite reports a request that another site made the browser send:
// Sec-Fetch-Site says so, or else an Origin other than this host. Tools
// that send neither (curl, tests) pass, as they act for nobody.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

type subscribeRequest struct {
	Subscription *webpush.Subscription `json:"subscription"`
	Lang         string                `json:"lang"`
	Topics       []alert.Type          `json:"topics"`
	Zones        []string              `json:"zones"`
}

// pushSubscribe records a browser's subscription: 201 when new, 204 when
// it updated one already known (new choices, or the page asked again).
func (s *Server) pushSubscribe(r *http.Request, rc *reqCtx, o org.Organisation, body []byte) (int, any) {
	var req subscribeRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Subscription == nil {
		return http.StatusBadRequest, pushError{Error: s.t(rc, "errors.bad_request"), Detail: "want {\"subscription\": PushSubscription.toJSON(), …}"}
	}
	if l, ok := i18n.Parse(req.Lang); ok {
		rc.Lang = l
	}
	sub, err := s.Alerts.SubscribeWebPush(r.Context(), o.ID, *req.Subscription, req.Lang, req.Topics, req.Zones)
	if es, ok := valid.As(err); ok && len(es) > 0 {
		return http.StatusUnprocessableEntity, pushError{Error: s.t(rc, "push.invalid"), Detail: s.t(rc, es[0].Key, es[0].Args...)}
	}
	switch {
	case err != nil:
		s.Logger.Error("push: subscribe", "org", o.Slug, "err", err)
		return http.StatusInternalServerError, pushError{Error: s.t(rc, "errors.internal")}
	case sub.CreatedAt.Equal(sub.UpdatedAt):
		return http.StatusCreated, map[string]string{"status": "subscribed"}
	default:
		return http.StatusNoContent, nil
	}
}

// pushUnsubscribe forgets a subscription; one not known is already
// forgotten, so the answer is the same.
func (s *Server) pushUnsubscribe(r *http.Request, rc *reqCtx, o org.Organisation, body []byte) (int, any) {
	var req struct {
		Endpoint string `json:"endpoint"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Endpoint == "" || len(req.Endpoint) > 2048 {
		return http.StatusBadRequest, pushError{Error: s.t(rc, "errors.bad_request"), Detail: "want {\"endpoint\": \"…\"}"}
	}
	if err := s.Alerts.UnsubscribeWebPush(r.Context(), o.ID, req.Endpoint); err != nil {
		s.Logger.Error("push: unsubscribe", "org", o.Slug, "err", err)
		return http.StatusInternalServerError, pushError{Error: s.t(rc, "errors.internal")}
	}
	return http.StatusNoContent, nil
}

// pushTopic is an incident type the visitor may choose.
type pushTopic struct {
	Value alert.Type `json:"value"`
	Label string     `json:"label"`
}

// pushKey answers the VAPID public key that pushManager.subscribe needs,
// with the widget's texts and the incident types in the page's language
// (?lang=), so that the pages only place an empty element.
func (s *Server) pushKey(w http.ResponseWriter, r *http.Request, rc *reqCtx, _ org.Organisation) error {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		rc.Lang = l
	}
	keys, err := s.Alerts.VAPIDKeys(r.Context())
	if err != nil {
		s.Logger.Error("push: VAPID keys", "err", err)
		writePushJSON(w, http.StatusServiceUnavailable, pushError{Error: s.t(rc, "push.unavailable")})
		return nil
	}
	topics := make([]pushTopic, 0, len(alert.Types))
	for _, t := range alert.Types {
		topics = append(topics, pushTopic{Value: t, Label: s.t(rc, "alerts.type."+string(t))})
	}
	texts := map[string]string{
		"intro":        s.t(rc, "push.intro"),
		"subscribe":    s.t(rc, "push.subscribe"),
		"unsubscribe":  s.t(rc, "push.unsubscribe"),
		"subscribed":   s.t(rc, "push.subscribed"),
		"unsubscribed": s.t(rc, "push.unsubscribed"),
		"saved":        s.t(rc, "push.saved"),
		"working":      s.t(rc, "push.working"),
		"denied":       s.t(rc, "push.denied"),
		"unsupported":  s.t(rc, "push.unsupported"),
		"ios":          s.t(rc, "push.ios"),
		"failed":       s.t(rc, "push.failed"),
		"topics":       s.t(rc, "push.topics"),
		"topics_help":  s.t(rc, "push.topics_help"),
	}
	// Texts follow the language; the key changes only with a new
	// installation. The session cookie may be set by s.public: private.
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{"key": keys.Public, "texts": texts, "topics": topics})
}

// pushLimiter keeps a flood of subscriptions out, per address. It is
// generous, unlike the web form's: in an emergency many people subscribe
// at once, and those behind one carrier NAT, or all of them behind a
// reverse proxy (clientIP does not trust X-Forwarded-For), share a budget.
type pushLimiter struct {
	mu    sync.Mutex
	byIP  map[string]*rate.Limiter
	reset time.Time
}

func newPushLimiter() *pushLimiter {
	return &pushLimiter{byIP: map[string]*rate.Limiter{}, reset: time.Now()}
}

func (l *pushLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.reset) > time.Hour || len(l.byIP) > 100000 {
		l.byIP, l.reset = map[string]*rate.Limiter{}, time.Now()
	}
	lim, ok := l.byIP[ip]
	if !ok {
		lim = rate.NewLimiter(5, 50)
		l.byIP[ip] = lim
	}
	return lim.Allow()
}
