// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package blueskytest is a fake Bluesky PDS for tests and for demo mode's
// sandbox channels. It serves the XRPC methods the connector uses, at the
// same paths, with the same HTTP methods, request encodings, Bearer token
// checks, answer shapes and error bodies ({"error","message"}) as the
// reference PDS (bluesky-social/atproto, packages/pds):
//
//   - com.atproto.server.createSession, refreshSession, getSession:
//     sessions with an access token that expires after two hours
//     (ExpireAccessTokens ends them now) and a refresh token that is
//     rotated on use; a wrong password is 401 AuthenticationRequired
//     "Invalid identifier or password", an expired token 400 ExpiredToken,
//     an unknown one 400 InvalidToken;
//   - com.atproto.identity.resolveHandle and app.bsky.actor.getProfile,
//     for the accounts of the fake and the Directory of other handles;
//   - com.atproto.repo.uploadBlob: the bytes are hashed into a CID and
//     their type sniffed, as the PDS does; over the upload limit (the
//     PDS's default, 5 MiB) the answer is 413 PayloadTooLarge;
//   - app.bsky.notification.listNotifications (limit, cursor, reasons),
//     the AppView's notifications of the account, newest first: the
//     mentions and replies of the posts citizens make with AddPost and of
//     the posts created through the API;
//   - com.atproto.repo.createRecord, getRecord, deleteRecord and
//     listRecords for app.bsky.feed.post records. createRecord validates
//     the record against the lexicon as the PDS does and answers its
//     messages ("Invalid app.bsky.feed.post record: grapheme too big
//     (maximum 300, got 301) at $.record.text"): text at most 3000 bytes
//     and 300 graphemes, createdAt a datetime, at most 3 langs, at most 4
//     images each with alt text and a blob within MaxImageBytes, the
//     link card's uri, title and description. The record key of a post
//     must be a TID. Blobs must have been uploaded by the same account.
//     A record key already taken is answered as the PDS answers it: a
//     bare 500 InternalServerError, since its repository refuses the
//     write deep down.
//
// The fake is stricter than the PDS in two ways, so that a connector bug
// shows: every facet must be a non-empty slice of the text on UTF-8
// boundaries, and facets must not overlap; the root and the parent of a
// reply must be posts the fake holds, with their current CID (the PDS
// stores a reply to anything, which the AppView then shows as a reply to
// a deleted post). It knows no other collection and no other embed than
// images and external.
//
// Faults injected with Inject apply to createRecord and deleteRecord, after
// the token is checked: FaultRateLimit is 429 RateLimitExceeded with the
// PDS's RateLimit-* headers (reset in one second), FaultServer 500
// InternalServerError, FaultAuth 400 InvalidToken "Token could not be
// verified" (the session is revoked), FaultBadRequest 400 InvalidRequest
// with a lexicon message, FaultLost creates the record and answers nothing
// until the client gives up.
package blueskytest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
)

// Defaults of Options.
const (
	DefaultHandle      = "comune-vallebella.bsky.social"
	DefaultAppPassword = "abcd-efgh-ijkl-mnop"
	DefaultDisplayName = "Comune di Vallebella"
	// DefaultMaxImageBytes is the image blob limit the fake enforces: the
	// 1,000,000 bytes of app.bsky.embed.images before April 2026, which a
	// PDS not yet updated still applies.
	DefaultMaxImageBytes = 1_000_000
	// DefaultBlobUploadLimit is the PDS's PDS_BLOB_UPLOAD_LIMIT default.
	DefaultBlobUploadLimit = 5 << 20
)

// Token lifetimes of the PDS (account-manager/helpers/auth.ts).
const (
	accessTTL  = 120 * time.Minute
	refreshTTL = 90 * 24 * time.Hour
)

// maxJSON is createRecord's jsonLimit (and the bound of every JSON input).
const maxJSON = 1_000_000

// Options configure the fake.
type Options struct {
	// Handle, DID and AppPassword are the account that may log in
	// (createSession's identifier is the handle or the DID). Defaults:
	// DefaultHandle, a did:plc derived from the handle, DefaultAppPassword.
	Handle      string
	DID         string
	AppPassword string
	DisplayName string
	// AnyAccount lets any handle log in with AppPassword, each with a
	// repository of its own, created at its first login: demo mode, where
	// a sandbox account may have any handle, and benchmarks with many
	// accounts.
	AnyAccount bool
	// Directory maps other handles to their DIDs, for resolveHandle and
	// getProfile (the people a post mentions).
	Directory map[string]string
	// MaxImageBytes is the largest image blob a post may embed
	// (DefaultMaxImageBytes when zero).
	MaxImageBytes int64
	// BlobUploadLimit is the largest upload (DefaultBlobUploadLimit when
	// zero).
	BlobUploadLimit int64
	// Now is the fake's clock (time.Now when nil).
	Now func() time.Time
}

// Server is the fake PDS. It is safe for concurrent use.
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts   Options
	routes map[string]method

	mu       sync.Mutex
	accounts map[string]*account // by DID
	handles  map[string]*account // by lower-case handle
	access   map[string]token
	refresh  map[string]token
	logins   int

	// notifications are every account's, oldest first, and lastIndexed
	// the indexedAt of the newest (see inbound.go).
	notifications []*notification
	lastIndexed   time.Time
}

type token struct {
	did     string
	expires time.Time
}

type account struct {
	did, handle, password, displayName string

	mu      sync.Mutex
	records map[string]*storedRecord // by record key
	blobs   map[string]blobMeta      // by CID
}

type storedRecord struct {
	uri, cid string
	value    json.RawMessage
	log      int // index in the Log
}

type blobMeta struct {
	mime string
	size int64
}

// New returns a fake PDS with one account.
func New(opts Options) *Server {
	if opts.Handle == "" {
		opts.Handle = DefaultHandle
	}
	if opts.DID == "" {
		opts.DID = didFor(opts.Handle)
	}
	if opts.AppPassword == "" {
		opts.AppPassword = DefaultAppPassword
	}
	if opts.DisplayName == "" {
		opts.DisplayName = DefaultDisplayName
	}
	if opts.MaxImageBytes <= 0 {
		opts.MaxImageBytes = DefaultMaxImageBytes
	}
	if opts.BlobUploadLimit <= 0 {
		opts.BlobUploadLimit = DefaultBlobUploadLimit
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, accounts: map[string]*account{}, handles: map[string]*account{},
		access: map[string]token{}, refresh: map[string]token{}}
	s.routes = s.methods()
	s.AddAccount(opts.Handle, opts.DID, opts.AppPassword, opts.DisplayName)
	return s
}

// didFor is the did:plc the fake gives a handle: 24 base32 characters of
// its hash, the shape of a real one.
func didFor(handle string) string {
	h := sha256.Sum256([]byte(strings.ToLower(handle)))
	return "did:plc:" + strings.ToLower(base32.StdEncoding.EncodeToString(h[:15]))
}

// AddAccount adds an account that may log in; an empty did is derived
// from the handle. It returns the DID.
func (s *Server) AddAccount(handle, did, password, displayName string) string {
	if did == "" {
		did = didFor(handle)
	}
	a := &account{did: did, handle: strings.ToLower(handle), password: password, displayName: displayName,
		records: map[string]*storedRecord{}, blobs: map[string]blobMeta{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[did] = a
	s.handles[a.handle] = a
	return did
}

// Platform is channel.Bluesky.
func (*Server) Platform() channel.Platform { return channel.Bluesky }

// DID is the DID of the account with handle ("" when there is none).
func (s *Server) DID(handle string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.handles[strings.ToLower(handle)]; a != nil {
		return a.did
	}
	return ""
}

// Logins is how many sessions createSession has opened.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// ExpireAccessTokens makes every access token expired, as two hours
// later: the next call with one is answered ExpiredToken.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.opts.Now().Add(-time.Second)
	for k, t := range s.access {
		t.expires = past
		s.access[k] = t
	}
}

// Record returns the stored record at an at:// URI, as JSON.
func (s *Server) Record(uri string) (json.RawMessage, bool) {
	rest, _ := strings.CutPrefix(uri, "at://")
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != bluesky.Collection {
		return nil, false
	}
	a := s.repo(parts[0])
	if a == nil {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.records[parts[2]]
	if r == nil {
		return nil, false
	}
	return slices.Clone(r.value), true
}

// repo finds an account by DID or handle.
func (s *Server) repo(id string) *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[id]; a != nil {
		return a
	}
	return s.handles[strings.ToLower(id)]
}

// method is one XRPC method of the fake.
type method struct {
	post    bool // a procedure (POST); a query (GET) otherwise
	handler func(w http.ResponseWriter, r *http.Request)
}

// ServeHTTP routes /xrpc/{nsid}.
//
// Specs: https://atproto.com/specs/xrpc
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	m, ok := s.routes[nsid]
	if !ok {
		xrpcError(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
		return
	}
	want := http.MethodGet
	if m.post {
		want = http.MethodPost
	}
	if r.Method != want {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Incorrect HTTP method (%s) expected %s", r.Method, want))
		return
	}
	m.handler(w, r)
}

func (s *Server) methods() map[string]method {
	return map[string]method{
		"com.atproto.server.createSession":        {true, s.createSession},
		"com.atproto.server.refreshSession":       {true, s.refreshSession},
		"com.atproto.server.getSession":           {false, s.getSession},
		"com.atproto.identity.resolveHandle":      {false, s.resolveHandle},
		"app.bsky.actor.getProfile":               {false, s.getProfile},
		"com.atproto.repo.uploadBlob":             {true, s.uploadBlob},
		"com.atproto.repo.createRecord":           {true, s.createRecord},
		"com.atproto.repo.getRecord":              {false, s.getRecord},
		"com.atproto.repo.deleteRecord":           {true, s.deleteRecord},
		"com.atproto.repo.listRecords":            {false, s.listRecords},
		"app.bsky.notification.listNotifications": {false, s.listNotifications},
	}
}

// xrpcError writes the XRPC error body.
//
// Specs: https://atproto.com/specs/xrpc#error-responses
func xrpcError(w http.ResponseWriter, status int, name, message string) {
	writeJSON(w, status, map[string]string{"error": name, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// readJSON decodes a procedure's JSON input, answering the PDS's errors
// for a wrong encoding or a body over the limit.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
		return false
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Wrong request encoding (Content-Type): "+mt)
		return false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	if err != nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Unable to read input")
		return false
	}
	if len(data) > maxJSON {
		xrpcError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Unable to parse input: "+err.Error())
		return false
	}
	return true
}

// authorize checks the Bearer access token as the PDS's auth verifier
// does, answering its errors.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (*account, string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		xrpcError(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return nil, "", false
	}
	typ, tok, ok := strings.Cut(h, " ")
	if !ok || strings.Contains(tok, " ") {
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Malformed authorization header")
		return nil, "", false
	}
	if !strings.EqualFold(typ, "Bearer") {
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Unsupported authorization type: "+typ)
		return nil, "", false
	}
	s.mu.Lock()
	t, isAccess := s.access[tok]
	_, isRefresh := s.refresh[tok]
	a := s.accounts[t.did]
	s.mu.Unlock()
	switch {
	case isRefresh:
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Bad token scope")
	case !isAccess || a == nil:
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	case !s.opts.Now().Before(t.expires):
		xrpcError(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
	default:
		return a, tok, true
	}
	return nil, "", false
}

// sessionOut is createSession's and refreshSession's answer.
type sessionOut struct {
	AccessJwt      string `json:"accessJwt"`
	RefreshJwt     string `json:"refreshJwt"`
	Handle         string `json:"handle"`
	DID            string `json:"did"`
	Active         bool   `json:"active"`
	EmailConfirmed bool   `json:"emailConfirmed"`
}

// newSession issues an access and a refresh token. Call with s.mu held.
func (s *Server) newSession(a *account) sessionOut {
	now := s.opts.Now()
	acc := jwt("at+jwt", "com.atproto.appPass", a.did, now, now.Add(accessTTL))
	ref := jwt("refresh+jwt", "com.atproto.refresh", a.did, now, now.Add(refreshTTL))
	s.access[acc] = token{did: a.did, expires: now.Add(accessTTL)}
	s.refresh[ref] = token{did: a.did, expires: now.Add(refreshTTL)}
	return sessionOut{AccessJwt: acc, RefreshJwt: ref, Handle: a.handle, DID: a.did, Active: true, EmailConfirmed: true}
}

// jwt makes a token of the PDS's shape (unsigned: only the fake reads it).
func jwt(typ, scope, did string, iat, exp time.Time) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"typ": typ, "alg": "HS256"})
	body, _ := json.Marshal(map[string]any{"scope": scope, "sub": did, "aud": "did:web:pds.example",
		"iat": iat.Unix(), "exp": exp.Unix(), "jti": randomHex(8)})
	return enc.EncodeToString(head) + "." + enc.EncodeToString(body) + "." + randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// createSession logs in with a handle or DID and a password.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.Identifier == "" || in.Password == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Missing required key "identifier" at $`)
		return
	}
	id := strings.ToLower(strings.TrimPrefix(in.Identifier, "@"))
	s.mu.Lock()
	a := s.accounts[in.Identifier]
	if a == nil {
		a = s.handles[id]
	}
	if a == nil && s.opts.AnyAccount && in.Password == s.opts.AppPassword && !strings.HasPrefix(id, "did:") {
		a = &account{did: didFor(id), handle: id, password: s.opts.AppPassword, displayName: id,
			records: map[string]*storedRecord{}, blobs: map[string]blobMeta{}}
		s.accounts[a.did] = a
		s.handles[id] = a
	}
	if a == nil || a.password != in.Password {
		s.mu.Unlock()
		xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	s.logins++
	out := s.newSession(a)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// refreshSession trades a refresh token for a new session; the old
// refresh token is revoked.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
func (s *Server) refreshSession(w http.ResponseWriter, r *http.Request) {
	typ, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(typ, "Bearer") || tok == "" {
		xrpcError(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[tok]
	a := s.accounts[t.did]
	switch {
	case !ok || a == nil:
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
		return
	case !s.opts.Now().Before(t.expires):
		xrpcError(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
		return
	}
	delete(s.refresh, tok)
	writeJSON(w, http.StatusOK, s.newSession(a))
}

// getSession describes the session of the access token.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-get-session
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authorize(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"handle": a.handle, "did": a.did, "active": true, "emailConfirmed": true})
}

// resolveHandle answers the DID of a handle of the fake or its Directory.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-identity-resolve-handle
func (s *Server) resolveHandle(w http.ResponseWriter, r *http.Request) {
	h := strings.ToLower(r.URL.Query().Get("handle"))
	if h == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Missing required key "handle" at $`)
		return
	}
	if did := s.lookup(h); did != "" {
		writeJSON(w, http.StatusOK, map[string]string{"did": did})
		return
	}
	xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
}

// lookup is the DID of a handle, "" when unknown.
func (s *Server) lookup(handle string) string {
	if a := s.repo(handle); a != nil {
		return a.did
	}
	for h, did := range s.opts.Directory {
		if strings.EqualFold(h, handle) {
			return did
		}
	}
	return ""
}

// getProfile answers the profile of an account of the fake, or a bare
// one for a Directory entry.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.authorize(w, r); !ok {
		return
	}
	actor := r.URL.Query().Get("actor")
	if a := s.repo(actor); a != nil {
		a.mu.Lock()
		posts := 0
		for _, rec := range a.records {
			if rec != nil {
				posts++
			}
		}
		a.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"did": a.did, "handle": a.handle, "displayName": a.displayName,
			"followersCount": 0, "followsCount": 0, "postsCount": posts})
		return
	}
	for h, did := range s.opts.Directory {
		if strings.EqualFold(h, actor) || did == actor {
			writeJSON(w, http.StatusOK, map[string]any{"did": did, "handle": strings.ToLower(h)})
			return
		}
	}
	xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
}

// uploadBlob stores an upload's CID, size and sniffed type (the bytes
// themselves are not kept).
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob
func (s *Server) uploadBlob(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authorize(w, r)
	if !ok {
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Request encoding (Content-Type) required but not provided")
		return
	}
	limit := s.opts.BlobUploadLimit
	if r.ContentLength > limit {
		xrpcError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	h := sha256.New()
	var head prefix
	n, err := io.Copy(h, io.TeeReader(io.LimitReader(r.Body, limit+1), &head))
	if err != nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Unable to read input")
		return
	}
	if n > limit {
		xrpcError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	// The PDS sniffs the type from the bytes and falls back on the
	// declared one.
	mt, _, _ := mime.ParseMediaType(ct)
	if sniffed := http.DetectContentType(head.b); sniffed != "application/octet-stream" && !strings.HasPrefix(sniffed, "text/") {
		mt, _, _ = mime.ParseMediaType(sniffed)
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	sum := h.Sum(nil)
	cid := cidString(0x55, sum)
	a.mu.Lock()
	a.blobs[cid] = blobMeta{mime: mt, size: n}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"blob": map[string]any{
		"$type": "blob", "ref": map[string]string{"$link": cid}, "mimeType": mt, "size": n}})
}

// prefix keeps the first 512 bytes written to it, what
// http.DetectContentType reads.
type prefix struct{ b []byte }

func (p *prefix) Write(b []byte) (int, error) {
	if n := 512 - len(p.b); n > 0 {
		p.b = append(p.b, b[:min(n, len(b))]...)
	}
	return len(b), nil
}

// cidString is a CIDv1 (sha2-256) in base32: codec 0x55 is raw (a blob),
// 0x71 dag-cbor (a record).
//
// Specs: https://atproto.com/specs/data-model#link-and-cid-formats
func cidString(codec byte, digest []byte) string {
	b := append([]byte{0x01, codec, 0x12, 0x20}, digest...)
	return "b" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// inject answers the queued fault of a write, if any; done is true when
// the request has been answered. FaultLost is handled by the caller.
func (s *Server) inject(w http.ResponseWriter, f channeltest.Fault, tok string) (done bool) {
	switch f {
	case channeltest.FaultRateLimit:
		reset := s.opts.Now().Add(time.Second).Unix()
		w.Header().Set("RateLimit-Limit", "5000")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
		w.Header().Set("RateLimit-Policy", "5000;w=3600")
		xrpcError(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
	case channeltest.FaultServer:
		xrpcError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
	case channeltest.FaultAuth:
		s.mu.Lock()
		delete(s.access, tok)
		s.mu.Unlock()
		xrpcError(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
	case channeltest.FaultBadRequest:
		xrpcError(w, http.StatusBadRequest, "InvalidRequest",
			"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text")
	default:
		return false
	}
	return true
}

// createRecordIn is createRecord's input.
type createRecordIn struct {
	Repo       string          `json:"repo"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Validate   *bool           `json:"validate"`
	Record     json.RawMessage `json:"record"`
	SwapCommit string          `json:"swapCommit"`
}

// createRecord validates and stores a post.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-create-record
func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) {
	a, tok, ok := s.authorize(w, r)
	if !ok {
		return
	}
	var in createRecordIn
	if !readJSON(w, r, &in) {
		return
	}
	for _, k := range []struct{ name, v string }{{"repo", in.Repo}, {"collection", in.Collection}} {
		if k.v == "" {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf(`Missing required key %q at $`, k.name))
			return
		}
	}
	if len(in.Record) == 0 || string(in.Record) == "null" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Missing required key "record" at $`)
		return
	}
	if in.Repo != a.did && !strings.EqualFold(in.Repo, a.handle) {
		xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
		return
	}
	if in.Collection != bluesky.Collection {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "this fake PDS stores only "+bluesky.Collection+" records")
		return
	}
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(in.Record))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil || rec == nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Invalid record: expected an object")
		return
	}
	if t, ok := rec["$type"]; ok && t != in.Collection {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Invalid $type: expected %s, got %v", in.Collection, t))
		return
	}
	rkey := in.RKey
	if rkey != "" {
		if !validRecordKey(rkey) {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Invalid record key: "+rkey)
			return
		}
		if !bluesky.ValidTID(rkey) {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest",
				fmt.Sprintf("Invalid record key for %s: Invalid TID string (got %q) at $", in.Collection, rkey))
			return
		}
	} else {
		rkey = bluesky.RecordKey("")
	}
	var post validPost
	if in.Validate == nil || *in.Validate {
		var issue string
		if post, issue = s.validatePost(rec); issue != "" {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Invalid "+in.Collection+" record: "+issue)
			return
		}
	}
	f := s.Next()
	if s.inject(w, f, tok) {
		return
	}
	if name, msg := a.checkBlobs(post.blobs); name != "" {
		xrpcError(w, http.StatusBadRequest, name, msg)
		return
	}
	if msg := s.checkReply(post.reply); msg != "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Invalid "+in.Collection+" record: "+msg)
		return
	}
	if _, ok := rec["$type"]; !ok {
		rec["$type"] = in.Collection
	}
	value, _ := json.Marshal(rec)
	sum := sha256.Sum256(value)
	uri := "at://" + a.did + "/" + in.Collection + "/" + rkey
	cid := cidString(0x71, sum[:])
	a.mu.Lock()
	if _, taken := a.records[rkey]; taken {
		a.mu.Unlock()
		// The repository's tree refuses a second leaf at the same key
		// with a plain Error, which the XRPC server turns into a bare 500.
		xrpcError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	stored := &storedRecord{uri: uri, cid: cid, value: value}
	a.records[rkey] = stored
	stored.log = s.Add(channeltest.Received{Platform: channel.Bluesky, Target: a.handle, RemoteID: uri,
		URL: "https://bsky.app/profile/" + a.handle + "/post/" + rkey, Text: post.text, Media: post.media,
		Link: post.link, Language: post.lang, At: s.opts.Now()})
	a.mu.Unlock()
	s.index(a, uri, cid, value, post.reply)
	if f == channeltest.FaultLost {
		<-r.Context().Done()
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"uri": uri, "cid": cid,
		"commit": map[string]string{"cid": cidString(0x71, sum[:]), "rev": bluesky.RecordKey("")}, "validationStatus": "valid"})
}

// checkBlobs verifies that the record's blobs were uploaded to this
// account as they are described (the PDS's verifyBlob).
func (a *account) checkBlobs(refs []blobRef) (name, message string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range refs {
		m, ok := a.blobs[b.cid]
		switch {
		case !ok:
			return "BlobNotFound", "Could not find blob: " + b.cid
		case m.mime != b.mime:
			return "InvalidMimeType", fmt.Sprintf("Referenced Mimetype does not match stored blob. Expected: %s, Got: %s", m.mime, b.mime)
		case m.size != b.size:
			return "InvalidSize", fmt.Sprintf("Referenced Size does not match stored blob. Expected: %d, Got: %d", m.size, b.size)
		}
	}
	return "", ""
}

// validRecordKey is the record key syntax.
//
// Specs: https://atproto.com/specs/record-key
func validRecordKey(k string) bool {
	if k == "" || len(k) > 512 || k == "." || k == ".." {
		return false
	}
	return strings.IndexFunc(k, func(c rune) bool {
		return (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("_~.:-", c)
	}) < 0
}

// getRecord answers a stored record.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"repo", "collection", "rkey"} {
		if q.Get(k) == "" {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf(`Missing required key %q at $`, k))
			return
		}
	}
	a := s.repo(q.Get("repo"))
	if a == nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Could not locate record")
		return
	}
	uri := "at://" + a.did + "/" + q.Get("collection") + "/" + q.Get("rkey")
	a.mu.Lock()
	rec := a.records[q.Get("rkey")]
	a.mu.Unlock()
	if rec == nil || q.Get("collection") != bluesky.Collection {
		xrpcError(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record: "+uri)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.value})
}

// deleteRecord removes a post; a record that does not exist is a no-op,
// as on the PDS.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-delete-record
func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request) {
	a, tok, ok := s.authorize(w, r)
	if !ok {
		return
	}
	var in struct {
		Repo       string `json:"repo"`
		Collection string `json:"collection"`
		RKey       string `json:"rkey"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if in.Repo == "" || in.Collection == "" || in.RKey == "" {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", `Missing required key "rkey" at $`)
		return
	}
	if in.Repo != a.did && !strings.EqualFold(in.Repo, a.handle) {
		xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
		return
	}
	f := s.Next()
	if s.inject(w, f, tok) {
		return
	}
	a.mu.Lock()
	rec := a.records[in.RKey]
	if rec != nil && in.Collection == bluesky.Collection {
		delete(a.records, in.RKey)
		s.Update(rec.log, func(x *channeltest.Received) { x.Deleted = true })
	}
	a.mu.Unlock()
	if f == channeltest.FaultLost {
		<-r.Context().Done()
		return
	}
	if rec == nil {
		writeJSON(w, http.StatusOK, map[string]any{})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"commit": map[string]string{"cid": rec.cid, "rev": bluesky.RecordKey("")}})
}

// listRecords pages through an account's posts by record key, newest
// first unless reverse.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-list-records
func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := s.repo(q.Get("repo"))
	if a == nil {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Could not find repo: "+q.Get("repo"))
		return
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "limit must be an integer from 1 to 100")
			return
		}
		limit = n
	}
	reverse := q.Get("reverse") == "true"
	cursor := q.Get("cursor")
	type item struct {
		URI   string          `json:"uri"`
		CID   string          `json:"cid"`
		Value json.RawMessage `json:"value"`
	}
	a.mu.Lock()
	keys := make([]string, 0, len(a.records))
	for k := range a.records {
		if q.Get("collection") == bluesky.Collection {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if !reverse {
		slices.Reverse(keys)
	}
	out := []item{}
	for _, k := range keys {
		if cursor != "" && (!reverse && k >= cursor || reverse && k <= cursor) {
			continue
		}
		rec := a.records[k]
		out = append(out, item{URI: rec.uri, CID: rec.cid, Value: rec.value})
		if len(out) == limit {
			break
		}
	}
	a.mu.Unlock()
	body := map[string]any{"records": out}
	if len(out) > 0 {
		last := out[len(out)-1].URI
		body["cursor"] = last[strings.LastIndexByte(last, '/')+1:]
	}
	writeJSON(w, http.StatusOK, body)
}
