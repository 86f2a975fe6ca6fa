// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mastodontest is a fake Mastodon instance for tests and for demo
// mode's sandbox channels. It serves the REST API methods the connector
// uses, at the same paths, with the same HTTP methods, request encodings
// (JSON, forms and multipart, as Rails accepts them), Bearer token checks,
// answer shapes and error bodies ({"error": "..."}, with
// error_description on the OAuth endpoints) as Mastodon 4:
//
//   - GET /api/v2/instance: the instance and its configuration (limits
//     from Options);
//   - GET /api/v1/accounts/verify_credentials, GET
//     /api/v1/accounts/:id/statuses (limit, max_id, since_id, min_id,
//     only_media, pinned);
//   - POST /api/v2/media (multipart file, description): 200 for an
//     image, 202 with a null url for a video, which GET /api/v1/media/:id
//     then answers 206 for Options.ProcessingPolls times and 200 after;
//     PUT /api/v1/media/:id changes the description. The type is sniffed
//     from the content, as Mastodon does, falling back on the declared
//     one for formats the sniffer does not know (HEIC, AVIF, QuickTime);
//   - POST /api/v1/statuses, PUT and DELETE /api/v1/statuses/:id, GET
//     /api/v1/statuses/:id and /api/v1/statuses/:id/source. Creation
//     honours Idempotency-Key as Mastodon does: the same key from the
//     same account within an hour returns the status already created,
//     records nothing new, and answers 404 if that status was deleted;
//   - POST /api/v1/apps, GET /oauth/authorize (no login page: the
//     account of Options.AccountUsername approves at once, and the
//     answer is the redirect with the code), POST /oauth/token
//     (authorization_code with PKCE S256, and client_credentials).
//
// It enforces what Mastodon enforces, with Mastodon's own messages (422
// unless said otherwise): the instance's max_characters counted
// Mastodon's way (mastodon.Count) "Validation failed: Text character
// limit of 500 exceeded", a blank text without media, at most
// max_media_attachments media, media ids that are not the account's
// unattached uploads, a video beside other media, media not yet
// processed, file size and description length limits; an unknown token
// is 401 "The access token is invalid", a token without the scope 403.
//
// Faults injected with Inject apply to status creation, edit and
// deletion, after the token is checked: FaultRateLimit is 429 "Too many
// requests" with Mastodon's X-RateLimit-* headers (reset in one second),
// FaultServer 500, FaultAuth 401 "The access token is invalid" (for that
// call only: the token keeps working), FaultBadRequest 422 "Validation
// failed: Text character limit of N exceeded", FaultLost does the work
// and then answers nothing until the client gives up.
//
// The fake keeps sizes, not file contents, and no request log: it stays
// cheap under thousands of statuses from many accounts.
package mastodontest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
)

// Defaults of Options. The credentials are public test values.
const (
	DefaultToken        = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
	DefaultUsername     = "comune_vallebella"
	DefaultDisplayName  = "Comune di Vallebella"
	DefaultDomain       = "mastodon.example"
	DefaultClientID     = "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"
	DefaultClientSecret = "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"
	DefaultVersion      = "4.4.0"
)

// Options configure the fake.
type Options struct {
	// Token is the access token of the account AccountUsername
	// (DefaultToken, DefaultUsername), with every scope.
	Token           string
	AccountUsername string
	DisplayName     string
	// Domain is the instance's domain (DefaultDomain): the @user@domain
	// of its accounts. Links to statuses use the address the fake is
	// reached at, so that they work in the demo.
	Domain string
	// Limits of configuration in GET /api/v2/instance, enforced: zero
	// means Mastodon's default (500 characters, 4 media, 16 MB images, 99
	// MB videos, 1500 characters of description).
	MaxCharacters       int
	MaxMediaAttachments int
	ImageSizeLimit      int64
	VideoSizeLimit      int64
	DescriptionLimit    int
	// ClientID and ClientSecret are an OAuth app already registered
	// (DefaultClientID, DefaultClientSecret), with the scopes "read write
	// follow push" and RedirectURI; an empty RedirectURI lets that app use
	// any redirect URI.
	ClientID, ClientSecret, RedirectURI string
	// AnyToken accepts any non-empty token, each the token of an account
	// of its own, made at its first use: demo mode, where a sandbox
	// account may carry any token, and benchmarks with many accounts.
	AnyToken bool
	// ProcessingPolls is how many times GET /api/v1/media/:id answers 206
	// for a video before it is processed (0: processed at the first look).
	ProcessingPolls int
	// Now is the fake's clock (time.Now when nil).
	Now func() time.Time
}

// Server is the fake instance. It is safe for concurrent use.
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts Options
	mux  *http.ServeMux
	seq  atomic.Int64

	mu         sync.Mutex
	tokens     map[string]*token
	accounts   map[string]*account // by id
	byUsername map[string]*account
	apps       map[string]*app // by client id
	codes      map[string]*grant

	statuses sync.Map // id → *status, of every account
}

type token struct {
	account *account // nil for an app token (client_credentials)
	scopes  []string
}

type app struct {
	name, website, clientID, clientSecret string
	redirectURIs                          []string // empty: any
	scopes                                []string
}

type grant struct {
	account                          *account
	clientID, redirectURI, challenge string
	scopes                           []string
	used                             bool
}

type account struct {
	id, username, displayName string
	// domain is set for an account of another instance (a citizen's
	// remote account): its acct is username@domain.
	domain  string
	created time.Time

	mu       sync.Mutex
	statuses []*status // oldest first
	live     int       // statuses not deleted
	lastAt   time.Time // when the last one was posted
	media    map[string]*media
	idem     map[string]idempotent
	// notifications are the account's, oldest first (see inbound.go).
	notifications []*notification
}

type idempotent struct {
	statusID string
	at       time.Time
}

type status struct {
	id, text, language, visibility string
	account                        *account
	// inReplyTo is the status answered, if any; mentions are the
	// accounts the text mentions (rendered as links in its content).
	inReplyTo       *status
	mentions        []*account
	created, edited time.Time
	media           []*media
	deleted         bool
	log             int // index in the Log
}

type media struct {
	id, kind, contentType, description string
	size                               int
	polls                              int // 206 answers left before processed
	processed                          bool
	statusID                           string
}

// New returns a fake instance with one account.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.AccountUsername == "" {
		opts.AccountUsername = DefaultUsername
	}
	if opts.DisplayName == "" {
		opts.DisplayName = DefaultDisplayName
	}
	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	if opts.MaxCharacters <= 0 {
		opts.MaxCharacters = mastodon.DefaultMaxCharacters
	}
	if opts.MaxMediaAttachments <= 0 {
		opts.MaxMediaAttachments = mastodon.DefaultMaxMedia
	}
	if opts.ImageSizeLimit <= 0 {
		opts.ImageSizeLimit = mastodon.DefaultImageMaxBytes
	}
	if opts.VideoSizeLimit <= 0 {
		opts.VideoSizeLimit = mastodon.DefaultVideoMaxBytes
	}
	if opts.DescriptionLimit <= 0 {
		opts.DescriptionLimit = mastodon.DefaultAltTextMax
	}
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = DefaultClientID, DefaultClientSecret
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tokens: map[string]*token{}, accounts: map[string]*account{},
		byUsername: map[string]*account{}, apps: map[string]*app{}, codes: map[string]*grant{}}
	s.AddAccount(opts.Token, opts.AccountUsername, opts.DisplayName)
	a := &app{name: "Piazza", clientID: opts.ClientID, clientSecret: opts.ClientSecret,
		scopes: []string{"read", "write", "follow", "push"}}
	if opts.RedirectURI != "" {
		a.redirectURIs = []string{opts.RedirectURI}
	}
	s.apps[a.clientID] = a
	s.mux = s.routes()
	return s
}

// routes lists every endpoint of the fake.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v2/instance", s.instance)
	m.HandleFunc("GET /api/v1/accounts/verify_credentials", s.verifyCredentials)
	m.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	m.HandleFunc("POST /api/v2/media", s.uploadMedia)
	m.HandleFunc("GET /api/v1/media/{id}", s.getMedia)
	m.HandleFunc("PUT /api/v1/media/{id}", s.updateMedia)
	m.HandleFunc("POST /api/v1/statuses", s.createStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}", s.getStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}/source", s.statusSource)
	m.HandleFunc("PUT /api/v1/statuses/{id}", s.editStatus)
	m.HandleFunc("DELETE /api/v1/statuses/{id}", s.deleteStatus)
	m.HandleFunc("POST /api/v1/apps", s.createApp)
	m.HandleFunc("GET /oauth/authorize", s.authorize)
	m.HandleFunc("POST /oauth/token", s.issueToken)
	m.HandleFunc("GET /api/v1/notifications", s.listNotifications)
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "Record not found")
	})
	return m
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Platform is channel.Mastodon.
func (*Server) Platform() channel.Platform { return channel.Mastodon }

// AddAccount adds an account whose access token is tok (with every
// scope); an account already there with that username gets the token
// too. It returns the account's id.
func (s *Server) AddAccount(tok, username, displayName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byUsername[strings.ToLower(username)]
	if a == nil {
		a = &account{id: s.nextID(), username: username, displayName: displayName, created: s.opts.Now().UTC().Truncate(24 * time.Hour),
			media: map[string]*media{}, idem: map[string]idempotent{}}
		s.accounts[a.id] = a
		s.byUsername[strings.ToLower(username)] = a
	}
	if tok != "" {
		s.tokens[tok] = &token{account: a, scopes: []string{"read", "write", "follow", "push"}}
	}
	return a.id
}

// AccountID returns the id of the account with that username, "" if none.
func (s *Server) AccountID(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.byUsername[strings.ToLower(username)]; a != nil {
		return a.id
	}
	return ""
}

// nextID is a new id: Mastodon's ids are 18-digit numbers as strings,
// increasing over time.
func (s *Server) nextID() string {
	return strconv.FormatInt(110_000_000_000_000_000+s.seq.Add(1), 10)
}

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

// Errors and answers.

// errorBody is Mastodon's error entity.
//
// Specs: https://docs.joinmastodon.org/entities/Error/
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// invalidToken is Doorkeeper's answer to a missing, unknown or revoked
// token.
func invalidToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"`)
	writeError(w, http.StatusUnauthorized, "The access token is invalid")
}

// rateLimited is Rack::Attack's answer, as Mastodon configures it.
//
// Specs: https://docs.joinmastodon.org/api/rate-limits/
func (s *Server) rateLimited(w http.ResponseWriter) {
	w.Header().Set("X-RateLimit-Limit", "300")
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", s.now().Add(time.Second).Format("2006-01-02T15:04:05.000000Z"))
	writeError(w, http.StatusTooManyRequests, "Too many requests")
}

// fault answers an injected fault, if any; lost is true for FaultLost,
// whose handler does the work and then waits for the client to give up.
func (s *Server) fault(w http.ResponseWriter) (answered, lost bool) {
	switch s.Next() {
	case channeltest.FaultRateLimit:
		s.rateLimited(w)
	case channeltest.FaultServer:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "error": "Internal Server Error"})
	case channeltest.FaultAuth:
		invalidToken(w)
	case channeltest.FaultBadRequest:
		writeError(w, http.StatusUnprocessableEntity, s.tooLong())
	case channeltest.FaultLost:
		return false, true
	default:
		return false, false
	}
	return true, false
}

// lose waits for the client to give up on a FaultLost request.
func lose(r *http.Request) { <-r.Context().Done() }

func (s *Server) tooLong() string {
	return fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.opts.MaxCharacters)
}

// auth checks the Bearer token and its scope (one of scopes, or the
// broader one before its colon); user requires a user's token, not an
// app's. It answers the failure itself.
//
// Specs: https://docs.joinmastodon.org/api/oauth-scopes/
func (s *Server) auth(w http.ResponseWriter, r *http.Request, user bool, scopes ...string) (*account, bool) {
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	if !found || tok == "" {
		invalidToken(w)
		return nil, false
	}
	s.mu.Lock()
	t := s.tokens[tok]
	if t == nil && s.opts.AnyToken {
		t = s.anyTokenLocked(tok)
	}
	s.mu.Unlock()
	if t == nil {
		invalidToken(w)
		return nil, false
	}
	if len(scopes) > 0 && !slices.ContainsFunc(scopes, func(want string) bool {
		broad, _, _ := strings.Cut(want, ":")
		return slices.Contains(t.scopes, want) || slices.Contains(t.scopes, broad)
	}) {
		writeError(w, http.StatusForbidden, "This action is outside the authorized scopes")
		return nil, false
	}
	if user && t.account == nil {
		writeError(w, http.StatusUnprocessableEntity, "This method requires an authenticated user")
		return nil, false
	}
	return t.account, true
}

// anyTokenLocked makes the account of an unknown token (AnyToken).
func (s *Server) anyTokenLocked(tok string) *token {
	h := sha256.Sum256([]byte(tok))
	username := "utente_" + hex.EncodeToString(h[:4])
	a := s.byUsername[username]
	if a == nil {
		a = &account{id: s.nextID(), username: username, displayName: "Account " + username[7:],
			created: s.now().Truncate(24 * time.Hour), media: map[string]*media{}, idem: map[string]idempotent{}}
		s.accounts[a.id] = a
		s.byUsername[username] = a
	}
	t := &token{account: a, scopes: []string{"read", "write", "follow", "push"}}
	s.tokens[tok] = t
	return t
}

// Entities.

// root is the address the fake is reached at.
func root(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// accountJSON is the Account entity.
//
// Specs: https://docs.joinmastodon.org/entities/Account/
func (s *Server) accountJSON(r *http.Request, a *account) map[string]any {
	base := root(r)
	a.mu.Lock()
	n := a.live
	var last any
	if !a.lastAt.IsZero() {
		last = a.lastAt.Format("2006-01-02")
	}
	a.mu.Unlock()
	return map[string]any{
		"id": a.id, "username": a.username, "acct": a.acct(), "display_name": a.displayName,
		"locked": false, "bot": false, "discoverable": true, "group": false,
		"created_at": stamp(a.created), "note": "", "url": a.profileURL(base),
		"uri": a.actorURI(base), "avatar": base + "/avatars/original/missing.png",
		"avatar_static": base + "/avatars/original/missing.png", "header": base + "/headers/original/missing.png",
		"header_static": base + "/headers/original/missing.png", "followers_count": 0, "following_count": 0,
		"statuses_count": n, "last_status_at": last, "emojis": []any{}, "fields": []any{},
	}
}

// mediaJSON is the MediaAttachment entity; url is null until processed.
//
// Specs: https://docs.joinmastodon.org/entities/MediaAttachment/
func mediaJSON(r *http.Request, m *media) map[string]any {
	base := root(r) + "/system/media_attachments/files/" + m.id
	var u, desc any
	if m.processed {
		u = base + "/original/media" + extension(m.contentType)
	}
	if m.description != "" {
		desc = m.description
	}
	return map[string]any{
		"id": m.id, "type": m.kind, "url": u, "preview_url": base + "/small/media.png",
		"remote_url": nil, "preview_remote_url": nil, "text_url": nil, "meta": map[string]any{},
		"description": desc, "blurhash": nil,
	}
}

func extension(ct string) string {
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// statusJSON is the Status entity; withText adds the source text, as
// DELETE answers.
//
// Specs: https://docs.joinmastodon.org/entities/Status/
func (s *Server) statusJSON(r *http.Request, st *status, withText bool) map[string]any {
	a := st.account
	base := root(r)
	a.mu.Lock()
	ms := make([]any, 0, len(st.media))
	for _, m := range st.media {
		ms = append(ms, mediaJSON(r, m))
	}
	text, lang, edited, created := st.text, st.language, st.edited, st.created
	a.mu.Unlock()
	var language, editedAt, replyID, replyAccount any
	if lang != "" {
		language = lang
	}
	if st.inReplyTo != nil {
		replyID, replyAccount = st.inReplyTo.id, st.inReplyTo.account.id
	}
	mentions := make([]any, 0, len(st.mentions))
	for _, m := range st.mentions {
		mentions = append(mentions, map[string]any{"id": m.id, "username": m.username, "url": m.profileURL(base), "acct": m.acct()})
	}
	if !edited.IsZero() {
		editedAt = stamp(edited)
	}
	out := map[string]any{
		"id": st.id, "created_at": stamp(created), "in_reply_to_id": replyID, "in_reply_to_account_id": replyAccount,
		"sensitive": false, "spoiler_text": "", "visibility": st.visibility, "language": language,
		"uri": a.actorURI(base) + "/statuses/" + st.id, "url": a.profileURL(base) + "/" + st.id,
		"replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": editedAt,
		"content": withMentions(contentHTML(text), st.mentions, base, s.opts.Domain), "reblog": nil,
		"application": map[string]any{"name": "Piazza", "website": nil},
		"account":     s.accountJSON(r, a), "media_attachments": ms, "mentions": mentions, "tags": []any{},
		"emojis": []any{}, "card": nil, "poll": nil,
	}
	if withText {
		out["text"] = text
	}
	return out
}

// contentHTML renders a text as Mastodon's TextFormatter does, in short:
// escaped, paragraphs on blank lines, <br /> on line breaks, links.
func contentHTML(text string) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" && i > 0 {
			continue
		}
		b.WriteString("<p>")
		last := 0
		for _, l := range mastodon.Links(para) {
			b.WriteString(lineBreaks(html.EscapeString(para[last:l.Start])))
			u := html.EscapeString(l.URL)
			fmt.Fprintf(&b, `<a href="%s" target="_blank" rel="nofollow noopener" translate="no">%s</a>`, u, u)
			last = l.End
		}
		b.WriteString(lineBreaks(html.EscapeString(para[last:])))
		b.WriteString("</p>")
	}
	return b.String()
}

func lineBreaks(s string) string { return strings.ReplaceAll(s, "\n", "<br />") }

// Handlers.

// instance serves the v2 Instance entity.
//
// Specs: https://docs.joinmastodon.org/methods/instance/#v2
func (s *Server) instance(w http.ResponseWriter, r *http.Request) {
	o := s.opts
	types := append(slices.Clone(mastodon.DefaultImageTypes), mastodon.DefaultVideoTypes...)
	types = append(types, "audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wave", "audio/vnd.wave", "audio/ogg",
		"audio/vorbis", "audio/mpeg", "audio/mp3", "audio/webm", "audio/flac", "audio/aac", "audio/m4a", "audio/x-m4a",
		"audio/mp4", "audio/3gpp", "video/x-ms-asf")
	writeJSON(w, http.StatusOK, map[string]any{
		"domain": o.Domain, "title": "Mastodon di prova", "version": DefaultVersion,
		"source_url": "https://github.com/mastodon/mastodon", "description": "Istanza finta di Piazza",
		"usage":     map[string]any{"users": map[string]any{"active_month": len(s.accountsSnapshot())}},
		"thumbnail": map[string]any{"url": root(r) + "/packs/media/images/preview.png"},
		"languages": []string{"it", "en"},
		"configuration": map[string]any{
			"urls":     map[string]any{"streaming": "wss://" + r.Host, "status": nil},
			"accounts": map[string]any{"max_featured_tags": 10, "max_pinned_statuses": 5},
			"statuses": map[string]any{"max_characters": o.MaxCharacters, "max_media_attachments": o.MaxMediaAttachments,
				"characters_reserved_per_url": mastodon.DefaultURLLength},
			"media_attachments": map[string]any{"supported_mime_types": types, "description_limit": o.DescriptionLimit,
				"image_size_limit": o.ImageSizeLimit, "image_matrix_limit": mastodon.DefaultImageMatrix,
				"video_size_limit": o.VideoSizeLimit, "video_frame_rate_limit": 120, "video_matrix_limit": 8_294_400},
			"polls": map[string]any{"max_options": 4, "max_characters_per_option": 50,
				"min_expiration": 300, "max_expiration": 2_629_746},
			"translation": map[string]any{"enabled": false},
		},
		"registrations": map[string]any{"enabled": false, "approval_required": false, "message": nil},
		"contact":       map[string]any{"email": "admin@" + o.Domain, "account": nil},
		"rules":         []any{},
	})
}

func (s *Server) accountsSnapshot() []*account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*account, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, a)
	}
	return out
}

// verifyCredentials serves the token's account, with its source.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
func (s *Server) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "read:accounts", "profile")
	if !ok {
		return
	}
	out := s.accountJSON(r, a)
	out["source"] = map[string]any{"privacy": "public", "sensitive": false, "language": "it", "note": "",
		"fields": []any{}, "follow_requests_count": 0}
	writeJSON(w, http.StatusOK, out)
}

// accountStatuses serves an account's statuses, newest first. The
// endpoint is public; a token, when sent, must be valid.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#statuses
func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		if _, ok := s.auth(w, r, false, "read:statuses"); !ok {
			return
		}
	}
	s.mu.Lock()
	a := s.accounts[r.PathValue("id")]
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 40)
	}
	idNum := func(key string) int64 {
		n, _ := strconv.ParseInt(q.Get(key), 10, 64)
		return n
	}
	maxID, sinceID, minID := idNum("max_id"), idNum("since_id"), idNum("min_id")
	var picked []*status
	a.mu.Lock()
	if q.Get("pinned") != "true" {
		for i := len(a.statuses) - 1; i >= 0; i-- {
			st := a.statuses[i]
			id, _ := strconv.ParseInt(st.id, 10, 64)
			if st.deleted || (maxID > 0 && id >= maxID) || (sinceID > 0 && id <= sinceID) || (minID > 0 && id <= minID) ||
				(q.Get("only_media") == "true" && len(st.media) == 0) {
				continue
			}
			picked = append(picked, st)
		}
	}
	a.mu.Unlock()
	if minID > 0 {
		// min_id pages forward: the statuses just after it, still newest first.
		picked = picked[max(len(picked)-limit, 0):]
	} else if len(picked) > limit {
		picked = picked[:limit]
	}
	out := make([]any, 0, len(picked))
	for _, st := range picked {
		out = append(out, s.statusJSON(r, st, false))
	}
	writeJSON(w, http.StatusOK, out)
}

// uploadMedia takes a file for a future status: 200 when ready (images),
// 202 with a null url when still processing (videos).
//
// Specs: https://docs.joinmastodon.org/methods/media/#v2
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:media")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.VideoSizeLimit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	var m media
	hasFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
			return
		}
		switch part.FormName() {
		case "file":
			hasFile = true
			head := make([]byte, 512)
			n, _ := io.ReadFull(part, head)
			rest, err := io.Copy(io.Discard, part)
			if err != nil {
				writeError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
				return
			}
			m.size = n + int(rest)
			m.contentType = sniff(head[:n], part.Header.Get("Content-Type"))
		case "description":
			b, _ := io.ReadAll(io.LimitReader(part, 1<<20))
			m.description = strings.TrimSpace(string(b))
		}
		_ = part.Close()
	}
	if msg := s.checkMedia(&m, hasFile); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	m.id = s.nextID()
	m.processed = m.kind == "image"
	m.polls = s.opts.ProcessingPolls
	a.mu.Lock()
	a.media[m.id] = &m
	out := mediaJSON(r, &m)
	a.mu.Unlock()
	code := http.StatusOK
	if !m.processed {
		code = http.StatusAccepted
	}
	writeJSON(w, code, out)
}

// sniff is the file's type as Mastodon sees it, from its content; the
// declared type serves for the formats Go's sniffer does not know.
func sniff(head []byte, declared string) string {
	declared, _, _ = mime.ParseMediaType(declared)
	got := http.DetectContentType(head)
	if got != "application/octet-stream" && !strings.HasPrefix(got, "text/") {
		return got
	}
	if slices.Contains([]string{"image/heic", "image/heif", "image/avif", "video/quicktime", "video/ogg"}, declared) {
		return declared
	}
	return got
}

// checkMedia validates an upload as MediaAttachment does, and sets its
// kind.
func (s *Server) checkMedia(m *media, hasFile bool) string {
	switch {
	case !hasFile:
		return "Validation failed: File can't be blank"
	case slices.Contains(mastodon.DefaultImageTypes, m.contentType):
		m.kind = "image"
		if m.contentType == "image/gif" {
			m.kind = "gifv" // Mastodon turns GIFs into silent videos
		}
		if int64(m.size) > s.opts.ImageSizeLimit {
			return "Validation failed: File file size must be less than " + humanSize(s.opts.ImageSizeLimit)
		}
	case slices.Contains(mastodon.DefaultVideoTypes, m.contentType):
		m.kind = "video"
		if int64(m.size) > s.opts.VideoSizeLimit {
			return "Validation failed: File file size must be less than " + humanSize(s.opts.VideoSizeLimit)
		}
	default:
		return "Validation failed: File content type is invalid, File is invalid"
	}
	if n := utf8.RuneCountInString(m.description); n > s.opts.DescriptionLimit {
		return fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", s.opts.DescriptionLimit)
	}
	return ""
}

// humanSize is Rails' number_to_human_size for whole megabytes.
func humanSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d Bytes", n)
}

// getMedia answers 206 while a file is being processed, 200 after; a
// file already attached to a status is not found.
//
// Specs: https://docs.joinmastodon.org/methods/media/#get
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:media")
	if !ok {
		return
	}
	a.mu.Lock()
	m := a.media[r.PathValue("id")]
	if m == nil || m.statusID != "" {
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if !m.processed {
		if m.polls > 0 {
			m.polls--
		} else {
			m.processed = true
		}
	}
	out, code := mediaJSON(r, m), http.StatusOK
	if !m.processed {
		code = http.StatusPartialContent
	}
	a.mu.Unlock()
	writeJSON(w, code, out)
}

// updateMedia changes an unattached file's description.
//
// Specs: https://docs.joinmastodon.org/methods/media/#update
func (s *Server) updateMedia(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:media")
	if !ok {
		return
	}
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
		return
	}
	a.mu.Lock()
	m := a.media[r.PathValue("id")]
	if m == nil || m.statusID != "" {
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if d, ok := p.str("description"); ok {
		if utf8.RuneCountInString(d) > s.opts.DescriptionLimit {
			a.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity,
				fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", s.opts.DescriptionLimit))
			return
		}
		m.description = strings.TrimSpace(d)
	}
	out, code := mediaJSON(r, m), http.StatusOK
	if !m.processed {
		code = http.StatusPartialContent
	}
	a.mu.Unlock()
	writeJSON(w, code, out)
}

// createStatus publishes a status, honouring Idempotency-Key.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:statuses")
	if !ok {
		return
	}
	answered, lost := s.fault(w)
	if answered {
		return
	}
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	now := s.now()
	// The status answered and the accounts mentioned are looked up before
	// the account is locked: they may be the account's own.
	parentID, _ := p.str("in_reply_to_id")
	parent, parentOK := s.replyTarget(strings.TrimSpace(parentID), a)
	text, _ := p.str("status")
	text = rubyStrip(text)
	mentioned := s.mentioned(text)
	a.mu.Lock()
	if key != "" {
		if prev, ok := a.idem[key]; ok && now.Sub(prev.at) < time.Hour {
			a.mu.Unlock()
			st := s.lookup(prev.statusID)
			if st == nil || st.deleted {
				writeError(w, http.StatusNotFound, "Record not found")
				return
			}
			s.answer(w, r, lost, s.statusJSON(r, st, false))
			return
		}
	}
	ms, msg := s.attachable(a, p.list("media_ids"), nil)
	if msg == "" {
		msg = s.checkText(text, len(ms))
	}
	visibility, _ := p.str("visibility")
	if visibility == "" {
		visibility = "public"
	}
	if msg == "" && !slices.Contains([]string{"public", "unlisted", "private", "direct"}, visibility) {
		msg = fmt.Sprintf("'%s' is not a valid visibility", visibility)
	}
	if msg != "" {
		a.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	if !parentOK {
		// StatusesController#set_thread: a status that is gone or that
		// the account may not see.
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "The post you are trying to reply to does not appear to exist.")
		return
	}
	lang, _ := p.str("language")
	st := &status{id: s.nextID(), text: text, language: strings.TrimSpace(lang), visibility: visibility, account: a,
		created: now, media: ms, inReplyTo: parent, mentions: mentioned}
	for _, m := range ms {
		m.statusID = st.id
	}
	a.statuses = append(a.statuses, st)
	a.live++
	a.lastAt = now
	if key != "" {
		a.idem[key] = idempotent{statusID: st.id, at: now}
	}
	st.log = s.Add(s.received(r, st))
	s.statuses.Store(st.id, st)
	a.mu.Unlock()
	s.notifyMentions(st)
	s.answer(w, r, lost, s.statusJSON(r, st, false))
}

// answer writes a status, or for a lost request waits for the client to
// give up.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, lost bool, v any) {
	if lost {
		lose(r)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// received is what the fake shows of a status. Called with the
// account's lock held.
func (s *Server) received(r *http.Request, st *status) channeltest.Received {
	rc := channeltest.Received{Platform: channel.Mastodon, Target: "@" + st.account.username + "@" + s.opts.Domain,
		RemoteID: st.id, URL: root(r) + "/@" + st.account.username + "/" + st.id, Text: st.text, Language: st.language,
		At: st.created, Edited: !st.edited.IsZero(), Deleted: st.deleted}
	for _, m := range st.media {
		rc.Media = append(rc.Media, channeltest.ReceivedMedia{ContentType: m.contentType, Bytes: m.size, AltText: m.description})
	}
	// Mastodon previews the first http(s) link of the text.
	for _, l := range mastodon.Links(st.text) {
		if lower := strings.ToLower(l.URL); strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
			rc.Link = l.URL
			break
		}
	}
	return rc
}

// attachable returns the media of ids as a status may carry them, or
// Mastodon's message for why not: too many, not the account's unattached
// uploads (or this status's own, for an edit), a video beside anything
// else, not processed yet. Called with the account's lock held.
func (s *Server) attachable(a *account, ids []string, editing *status) ([]*media, string) {
	if len(ids) == 0 {
		return nil, ""
	}
	if len(ids) > s.opts.MaxMediaAttachments {
		return nil, fmt.Sprintf("Cannot attach more than %d files", s.opts.MaxMediaAttachments)
	}
	var out []*media
	var missing []string
	for _, id := range ids {
		m := a.media[id]
		if m == nil || (m.statusID != "" && (editing == nil || m.statusID != editing.id)) {
			missing = append(missing, id)
			continue
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if len(missing) > 0 {
		return nil, "Media " + strings.Join(missing, ", ") + " not found or already attached to another post"
	}
	if len(out) > 1 && slices.ContainsFunc(out, func(m *media) bool { return m.kind == "video" }) {
		return nil, "Cannot attach a video to a post that already contains images"
	}
	if slices.ContainsFunc(out, func(m *media) bool { return !m.processed }) {
		return nil, "Cannot attach files that have not finished processing. Try again in a moment!"
	}
	return out, ""
}

// checkText is Status's validation of its text: not blank unless it has
// media, and within max_characters counted Mastodon's way.
func (s *Server) checkText(text string, media int) string {
	if strings.TrimSpace(text) == "" && media == 0 {
		return "Validation failed: Text can't be blank"
	}
	if mastodon.Count(text, mastodon.DefaultURLLength) > s.opts.MaxCharacters {
		return s.tooLong()
	}
	return ""
}

// rubyStrip is Ruby's String#strip, which Status applies to its text.
func rubyStrip(s string) string { return strings.Trim(s, "\x00\t\n\v\f\r ") }

func (s *Server) lookup(id string) *status {
	if v, ok := s.statuses.Load(id); ok {
		return v.(*status)
	}
	return nil
}

// own is the account's status of the request's id, or nil.
func (s *Server) own(a *account, r *http.Request) *status {
	st := s.lookup(r.PathValue("id"))
	if st == nil || st.account != a {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if st.deleted {
		return nil
	}
	return st
}

// getStatus serves a public status.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#get
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		if _, ok := s.auth(w, r, false, "read:statuses"); !ok {
			return
		}
	}
	st := s.lookup(r.PathValue("id"))
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	st.account.mu.Lock()
	deleted := st.deleted
	st.account.mu.Unlock()
	if deleted {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, s.statusJSON(r, st, false))
}

// statusSource serves the plain text of one of the account's statuses.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#source
func (s *Server) statusSource(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "read:statuses")
	if !ok {
		return
	}
	st := s.own(a, r)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	a.mu.Lock()
	text := st.text
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": st.id, "text": text, "spoiler_text": ""})
}

// editStatus changes a status's text, language and media (media_ids: the
// new list, media_attributes: their descriptions).
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#edit
func (s *Server) editStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:statuses")
	if !ok {
		return
	}
	answered, lost := s.fault(w)
	if answered {
		return
	}
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
		return
	}
	st := s.own(a, r)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	a.mu.Lock()
	if st.deleted { // meanwhile
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	ms := st.media
	msg := ""
	if p.has("media_ids") {
		ms, msg = s.attachable(a, p.list("media_ids"), st)
	}
	text := st.text
	if t, ok := p.str("status"); ok {
		text = rubyStrip(t)
	}
	if msg == "" {
		msg = s.checkText(text, len(ms))
	}
	descs := map[string]string{}
	for _, at := range p.attrs {
		descs[at.id] = at.description
	}
	for _, m := range ms {
		if d, ok := descs[m.id]; ok && utf8.RuneCountInString(d) > s.opts.DescriptionLimit && msg == "" {
			msg = fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", s.opts.DescriptionLimit)
		}
	}
	if msg != "" {
		a.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	changed := text != st.text
	for _, m := range ms {
		if d, ok := descs[m.id]; ok && strings.TrimSpace(d) != m.description {
			m.description = strings.TrimSpace(d)
			changed = true
		}
	}
	if !slices.Equal(ms, st.media) {
		changed = true
		for _, m := range ms {
			m.statusID = st.id
		}
	}
	if lang, ok := p.str("language"); ok && strings.TrimSpace(lang) != "" && strings.TrimSpace(lang) != st.language {
		st.language = strings.TrimSpace(lang)
		changed = true
	}
	st.text, st.media = text, ms
	if changed {
		st.edited = s.now()
	}
	rc := s.received(r, st)
	a.mu.Unlock()
	s.Update(st.log, func(x *channeltest.Received) {
		x.Text, x.Media, x.Link, x.Language, x.Edited = rc.Text, rc.Media, rc.Link, rc.Language, x.Edited || changed
	})
	s.answer(w, r, lost, s.statusJSON(r, st, false))
}

// deleteStatus removes a status and answers it with its source text.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#delete
func (s *Server) deleteStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := s.auth(w, r, true, "write:statuses")
	if !ok {
		return
	}
	answered, lost := s.fault(w)
	if answered {
		return
	}
	st := s.own(a, r)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	a.mu.Lock()
	if st.deleted { // meanwhile
		a.mu.Unlock()
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	st.deleted = true
	a.live--
	a.mu.Unlock()
	out := s.statusJSON(r, st, true)
	s.Update(st.log, func(x *channeltest.Received) { x.Deleted = true })
	s.answer(w, r, lost, out)
}

// createApp registers an OAuth app.
//
// Specs: https://docs.joinmastodon.org/methods/apps/#create
func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
		return
	}
	name, _ := p.str("client_name")
	var redirects []string
	if p.has("redirect_uris") {
		for _, v := range p.list("redirect_uris") {
			redirects = append(redirects, strings.Fields(v)...)
		}
	}
	scopes := []string{"read"}
	if sc, ok := p.str("scopes"); ok && strings.TrimSpace(sc) != "" {
		scopes = strings.Fields(sc)
	}
	website, _ := p.str("website")
	switch {
	case strings.TrimSpace(name) == "":
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Application name can't be blank")
		return
	case len(redirects) == 0:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI can't be blank")
		return
	}
	for _, u := range redirects {
		if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || pu.Fragment != "" {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI must be an absolute URI.")
			return
		}
	}
	for _, sc := range scopes {
		if !validScope(sc) {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Scopes must be one of: read, write, follow, push, profile, admin:read, admin:write, and their sub-scopes")
			return
		}
	}
	ap := &app{name: strings.TrimSpace(name), website: website, clientID: randomToken(), clientSecret: randomToken(),
		redirectURIs: redirects, scopes: scopes}
	id := s.nextID()
	s.mu.Lock()
	s.apps[ap.clientID] = ap
	s.mu.Unlock()
	var site any
	if website != "" {
		site = website
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "name": ap.name, "website": site, "scopes": scopes, "redirect_uri": strings.Join(redirects, "\n"),
		"redirect_uris": redirects, "client_id": ap.clientID, "client_secret": ap.clientSecret,
		"client_secret_expires_at": 0, "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=",
	})
}

// validScope tells Mastodon's scopes: read, write, follow, push, profile
// and the admin ones, with their read:… and write:… parts.
func validScope(sc string) bool {
	broad, _, _ := strings.Cut(sc, ":")
	switch broad {
	case "read", "write", "follow", "push", "profile":
		return true
	case "admin":
		return strings.HasPrefix(sc, "admin:read") || strings.HasPrefix(sc, "admin:write")
	}
	return false
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// appFor finds the app of a client id, and whether redirect is one of its
// redirect URIs.
func (s *Server) appFor(clientID, redirect string) (*app, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ap := s.apps[clientID]
	if ap == nil {
		return nil, false
	}
	return ap, len(ap.redirectURIs) == 0 || slices.Contains(ap.redirectURIs, redirect)
}

// authorize is the page where a person grants an app access. The fake
// has no login: the account of Options.AccountUsername approves at once,
// and the answer is the redirect to the app with the code. Errors about
// the client or the redirect URI are a page, as Doorkeeper shows them;
// the others go back to the app.
//
// Specs: https://docs.joinmastodon.org/methods/oauth/#authorize
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	ap, redirectOK := s.appFor(q.Get("client_id"), redirect)
	if ap == nil {
		oauthPage(w, "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	if !redirectOK {
		oauthPage(w, "The requested redirect uri is malformed or doesn't match client redirect URI.")
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" {
			params.Set("state", st)
		}
		sep := "?"
		if strings.Contains(redirect, "?") {
			sep = "&"
		}
		http.Redirect(w, r, redirect+sep+params.Encode(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"},
			"error_description": {"The authorization server does not support this response type."}})
		return
	case slices.ContainsFunc(scopes, func(sc string) bool { return !slices.Contains(ap.scopes, sc) }):
		back(url.Values{"error": {"invalid_scope"},
			"error_description": {"The requested scope is invalid, unknown, or malformed."}})
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		back(url.Values{"error": {"invalid_request"},
			"error_description": {"The code_challenge_method must be S256."}})
		return
	}
	s.mu.Lock()
	user := s.byUsername[strings.ToLower(s.opts.AccountUsername)]
	code := randomToken()
	s.codes[code] = &grant{account: user, clientID: ap.clientID, redirectURI: redirect, challenge: q.Get("code_challenge"),
		scopes: scopes}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

func oauthPage(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!DOCTYPE html><html><body><h1>An error has occurred</h1><p>%s</p></body></html>", html.EscapeString(msg))
}

// issueToken trades an authorisation code (with its PKCE verifier), or
// the client's own credentials, for an access token.
//
// Specs: https://docs.joinmastodon.org/methods/oauth/#token
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Error occurred while parsing request parameters")
		return
	}
	id, _ := p.str("client_id")
	secret, _ := p.str("client_secret")
	if u, pw, ok := r.BasicAuth(); ok {
		id, secret = u, pw
	}
	oauthError := func(code int, e, desc string) {
		writeJSON(w, code, errorBody{Error: e, ErrorDescription: desc})
	}
	s.mu.Lock()
	ap := s.apps[id]
	s.mu.Unlock()
	if ap == nil || ap.clientSecret != secret {
		oauthError(http.StatusUnauthorized, "invalid_client",
			"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	grantType, _ := p.str("grant_type")
	var t *token
	switch grantType {
	case "authorization_code":
		code, _ := p.str("code")
		redirect, _ := p.str("redirect_uri")
		verifier, _ := p.str("code_verifier")
		s.mu.Lock()
		g := s.codes[code]
		ok := g != nil && !g.used && g.clientID == ap.clientID && g.redirectURI == redirect && pkceOK(g.challenge, verifier)
		if ok {
			g.used = true
			t = &token{account: g.account, scopes: g.scopes}
		}
		s.mu.Unlock()
		if !ok {
			oauthError(http.StatusBadRequest, "invalid_grant",
				"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
			return
		}
	case "client_credentials":
		scopes := []string{"read"}
		if sc, ok := p.str("scope"); ok && strings.TrimSpace(sc) != "" {
			scopes = strings.Fields(sc)
		}
		t = &token{scopes: scopes}
	default:
		oauthError(http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server.")
		return
	}
	access := randomToken()
	s.mu.Lock()
	s.tokens[access] = t
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"scope": strings.Join(t.scopes, " "), "created_at": s.now().Unix()})
}

// pkceOK checks a PKCE verifier against the S256 challenge, if any.
func pkceOK(challenge, verifier string) bool {
	if challenge == "" {
		return true
	}
	sum := sha256.Sum256([]byte(verifier))
	return verifier != "" && base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}
