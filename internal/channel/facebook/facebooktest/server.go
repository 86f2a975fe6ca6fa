// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package facebooktest is a fake of Meta's Graph API for Facebook Pages,
// for the connector's tests and the demo's sandbox channels. It serves, at
// the same paths (with or without a /vNN.N version prefix), with the same
// methods, parameters (query string, urlencoded or multipart form, the
// token as access_token or in an "Authorization: Bearer" or "OAuth"
// header) and answers:
//
//   - POST /{page-id}/feed (message, link, attached_media[i]),
//     POST /{page-id}/photos (multipart source, message, alt_text_custom,
//     published=false for a photo a post attaches later) and
//     POST /{page-id}/videos (multipart source, description, title);
//   - POST /{post-id} (message), DELETE /{id};
//   - citizens' comments and Messenger messages, made with AddComment,
//     AddReply and AddMessage (which return the webhook payload, signed
//     with Sign), and the Page's answers and moderation:
//     POST /{comment-id}/comments, POST /{page-id}/messages (a Messenger
//     message or a Private Reply), POST /{comment-id} (is_hidden),
//     DELETE /{comment-id} and GET /{comment-id} (see comments.go);
//   - GET /{page-id}/published_posts (fields, limit, since, until, after),
//     GET /{id} for Pages, posts, photos and videos, GET /me and
//     GET /me/accounts;
//   - Facebook Login: GET /dialog/oauth answers at once with a redirect to
//     redirect_uri carrying a code and the state (the sandbox user always
//     agrees), and /oauth/access_token trades the code for a short-lived
//     user token and, with grant_type=fb_exchange_token, a user token for
//     a long-lived one (60 days).
//
// Errors have the Graph API's shape, {"error":{"message","type","code",
// "error_subcode","fbtrace_id"}}: an unknown or expired token is 190 (with
// a WWW-Authenticate header), a user token on a Page edge 200, an object
// that does not exist or belongs to another Page 100/33. The fake checks
// what Facebook checks: a message of at most 63,206 characters (code
// points), a link that is an http(s) URL, uploads that are images or MP4
// videos, attached_media that are unpublished photos of the same Page not
// attached yet. Where Meta documents no message for a refusal (an
// over-long message, a photo over 4 MB), the fake's wording is its own,
// with code 100 as Meta uses for invalid parameters.
//
// Faults injected with Inject apply to the calls that create, edit or
// delete a post (feed, published photos, videos, POST /{post-id}, DELETE)
// and to the Page's answers and moderation (comments, messages, hiding),
// after the token is checked: FaultRateLimit is 400 code 80001 "There have
// been too many calls to this Page account" with an X-Business-Use-Case-Usage
// header whose estimated_time_to_regain_access is 1 (minute: Meta's unit,
// so the shortest hint it can give), FaultServer 500 code 2 (is_transient),
// FaultAuth 400 code 190/463 (expired session), FaultBadRequest 400 code
// 100 "(#100) Invalid parameter", FaultLost creates the post and answers
// nothing until the client gives up.
//
// The fake keeps everything in memory behind one lock, and is safe for
// heavy concurrent use.
package facebooktest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // to recognise uploaded photos
	_ "image/jpeg" // to recognise uploaded photos
	_ "image/png"  // to recognise uploaded photos
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
)

// Defaults of Options.
const (
	DefaultPageID   = "102030405060708"
	DefaultPageName = "Comune di Vallebella"
	DefaultToken    = "EAAGsandboxPageToken"
	DefaultUserID   = "100000000000001"
	DefaultUserName = "Sandbox Admin"
)

// Limits the fake enforces.
const (
	MaxText       = facebook.MaxText       // message, description: code points
	MaxPhotoBytes = facebook.MaxImageBytes // "Photos should be less than 4 MB"
	MaxUpload     = 1 << 30                // a non-resumable upload
	maxForm       = 1 << 20                // a body without files
	// ShortLivedTTL and LongLivedTTL are the lifetimes of the user tokens
	// the fake issues.
	ShortLivedTTL = 2 * time.Hour
	LongLivedTTL  = 60 * 24 * time.Hour
)

// Page is one Page of the fake.
type Page struct {
	ID    string
	Name  string
	Token string // its Page access token
	// IGUserID and IGUsername are the Instagram professional account
	// linked to the Page, shown by /me/accounts; empty for none.
	IGUserID   string
	IGUsername string
}

// Options configure the fake. The first Page is PageID (DefaultPageID),
// named PageName (DefaultPageName), with the Page token Token
// (DefaultToken) and the Instagram account IGUserID/Username; Pages adds
// more.
type Options struct {
	PageID   string
	PageName string
	Token    string
	IGUserID string
	Username string // the linked Instagram account's username
	Pages    []Page
	// Open makes every numeric id a Page of the fake, created when first
	// named, and accepts on it any token that is not a user token (the
	// load benchmark's many accounts).
	Open bool
	// ClientID and ClientSecret are the Meta app's; empty accepts any.
	ClientID     string
	ClientSecret string
	// UserID and UserName are the person who logs in with Facebook Login
	// and manages every Page (defaults DefaultUserID, DefaultUserName).
	UserID   string
	UserName string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Object is a post, photo or video the fake holds.
type Object struct {
	Kind    string // "post", "photo" or "video"
	ID      string
	Page    string
	PostID  string // a photo's or video's post, if published
	Message string // message, or a video's description
	Title   string
	Link    string
	// Published is false for a photo uploaded with published=false.
	Published   bool
	Attached    bool     // an unpublished photo a post has taken
	Media       []string // the ids of a post's photos or video
	AltText     string
	ContentType string
	Bytes       int
	Created     time.Time
	Updated     time.Time
	Deleted     bool
}

// Server is the fake Graph API. Received lists one entry per post.
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts Options
	now  func() time.Time

	mu      sync.Mutex
	pages   map[string]*Page
	byToken map[string]*Page
	users   map[string]time.Time // user token → expiry
	codes   map[string]grant     // login code → what it was issued for
	objects map[string]*object
	posts   map[string][]*object // a Page's posts, oldest first
	seq     int64
	scopes  []string // granted by the last login
	// comments, messages and lastInbound are what citizens wrote and the
	// Page answered (comments.go); lastInbound keys are "page/psid".
	comments    map[string]*Comment
	messages    []Message
	lastInbound map[string]time.Time
}

type grant struct {
	clientID, redirectURI string
}

type object struct {
	Object
	log int // index in Log, -1 for none
	seq int64
}

// New returns a fake with the given options.
func New(opts Options) *Server {
	if opts.PageID == "" {
		opts.PageID = DefaultPageID
	}
	if opts.PageName == "" {
		opts.PageName = DefaultPageName
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.UserID == "" {
		opts.UserID = DefaultUserID
	}
	if opts.UserName == "" {
		opts.UserName = DefaultUserName
	}
	s := &Server{opts: opts, now: opts.Now, pages: map[string]*Page{}, byToken: map[string]*Page{},
		users: map[string]time.Time{}, codes: map[string]grant{}, objects: map[string]*object{},
		posts: map[string][]*object{}, seq: 1000, comments: map[string]*Comment{}, lastInbound: map[string]time.Time{}}
	if s.now == nil {
		s.now = time.Now
	}
	s.addPage(Page{ID: opts.PageID, Name: opts.PageName, Token: opts.Token, IGUserID: opts.IGUserID, IGUsername: opts.Username})
	for _, p := range opts.Pages {
		s.addPage(p)
	}
	return s
}

func (s *Server) addPage(p Page) *Page {
	if p.Name == "" {
		p.Name = "Page " + p.ID
	}
	pp := &p
	s.pages[p.ID] = pp
	if p.Token != "" {
		s.byToken[p.Token] = pp
	}
	return pp
}

// Platform is channel.Facebook.
func (*Server) Platform() channel.Platform { return channel.Facebook }

// Objects returns every post, photo and video the fake holds, in the
// order they were made.
func (s *Server) Objects() []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Object, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, o.Object)
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(seqKey(a.ID), seqKey(b.ID)) })
	return out
}

// seqKey orders ids by their sequence number, which every id ends with.
func seqKey(id string) string {
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		id = id[i+1:]
	}
	return fmt.Sprintf("%020s", id)
}

// Scopes are the permissions the last Facebook Login asked for.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.scopes)
}

// IssueUserToken returns a new long-lived user token of the fake's
// person, as if they had logged in.
func (s *Server) IssueUserToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newUserToken(LongLivedTTL)
}

// ExpireUserTokens ends every user token now.
func (s *Server) ExpireUserTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.users {
		s.users[t] = time.Time{}
	}
}

func (s *Server) newUserToken(ttl time.Duration) string {
	t := "EAAGuser" + randomHex(12)
	s.users[t] = s.now().Add(ttl)
	return t
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// apiErr is a Graph API error answer.
type apiErr struct {
	status    int
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	Transient bool   `json:"is_transient,omitempty"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	TraceID   string `json:"fbtrace_id"`
	header    http.Header
}

func invalid(format string, args ...any) *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 100,
		Message: "(#100) " + fmt.Sprintf(format, args...)}
}

// notFound is the answer for an object that does not exist, or that the
// token may not see.
func notFound(method, id string) *apiErr {
	verb := map[string]string{http.MethodGet: "get", http.MethodPost: "post", http.MethodDelete: "delete"}[method]
	return &apiErr{status: http.StatusBadRequest, Type: "GraphMethodException", Code: 100, Subcode: 33,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to "+
			"missing permissions, or does not support this operation. Please read the Graph API documentation at "+
			"https://developers.facebook.com/docs/graph-api", verb, id)}
}

func badToken(msg string, subcode int) *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 190, Subcode: subcode, Message: msg,
		header: http.Header{"Www-Authenticate": {`OAuth "Facebook Platform" "invalid_token" "` + msg + `"`}}}
}

// params are a request's parameters and upload.
type params struct {
	vals   url.Values
	upload *upload
}

func (p *params) get(k string) string { return p.vals.Get(k) }

// upload is the "source" file of a multipart request; photos are kept
// whole (to recognise them), videos only by their first bytes.
type upload struct {
	contentType string
	size        int
	data        []byte
}

// versionRe is the version prefix of a path.
var versionRe = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// idRe is a node id.
var idRe = regexp.MustCompile(`^[0-9]{1,30}(_[0-9]{1,30})?$`)

// ServeHTTP answers the Graph API.
//
// Specs: https://developers.facebook.com/docs/graph-api/overview
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) > 0 && versionRe.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) == 0 || len(segs) > 2 || segs[0] == "" {
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 2500,
			Message: "Unknown path components: " + r.URL.Path})
		return
	}
	node, edge := segs[0], ""
	if len(segs) == 2 {
		edge = segs[1]
	}
	if node == "dialog" && edge == "oauth" && r.Method == http.MethodGet {
		s.dialog(w, r)
		return
	}
	p, e := parseParams(w, r)
	if e != nil {
		s.fail(w, e)
		return
	}
	if node == "oauth" && edge == "access_token" {
		s.answer(w, r, nil, func() (any, *apiErr) { return s.accessToken(p) })
		return
	}
	token := tokenOf(r, p)
	if token == "" {
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 104,
			Message: "An access token is required to request this resource."})
		return
	}
	who, e := s.identify(token)
	if e != nil {
		s.fail(w, e)
		return
	}
	switch {
	case node == "me" && edge == "" && r.Method == http.MethodGet:
		s.answer(w, r, nil, func() (any, *apiErr) { return s.me(who, p), nil })
	case node == "me" && edge == "accounts" && r.Method == http.MethodGet:
		s.answer(w, r, nil, func() (any, *apiErr) { return s.accounts(who) })
	case !idRe.MatchString(node):
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 803,
			Message: fmt.Sprintf("(#803) Some of the aliases you requested do not exist: %s", node)})
	case edge == "" && r.Method == http.MethodGet:
		s.answer(w, r, nil, func() (any, *apiErr) { return s.getNode(who, node, p) })
	case edge == "" && r.Method == http.MethodPost && s.isComment(node):
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.editComment(who, node, p) })
	case edge == "" && r.Method == http.MethodPost:
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.edit(who, node, p) })
	case edge == "" && r.Method == http.MethodDelete && s.isComment(node):
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.removeComment(who, node) })
	case edge == "" && r.Method == http.MethodDelete:
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.remove(who, node) })
	case r.Method == http.MethodPost && edge == "comments":
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.newComment(who, node, p) })
	case r.Method == http.MethodPost && edge == "messages":
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.sendMessage(who, node, p) })
	case r.Method == http.MethodPost && edge == "feed":
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.feed(who, node, p) })
	case r.Method == http.MethodPost && edge == "photos":
		var f *faultFn
		if p.get("published") != "false" {
			f = s.faulty()
		}
		s.answer(w, r, f, func() (any, *apiErr) { return s.photo(who, node, p) })
	case r.Method == http.MethodPost && edge == "videos":
		s.answer(w, r, s.faulty(), func() (any, *apiErr) { return s.video(who, node, p) })
	case r.Method == http.MethodGet && (edge == "published_posts" || edge == "posts" || edge == "feed"):
		s.answer(w, r, nil, func() (any, *apiErr) { return s.publishedPosts(who, node, p) })
	default:
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 2500,
			Message: fmt.Sprintf("Unknown path components: /%s", edge)})
	}
}

// faultFn is the fault to apply to a write call.
type faultFn struct {
	fault channeltest.Fault
}

// faulty pops the next injected fault for a call that creates, edits or
// deletes a post.
func (s *Server) faulty() *faultFn {
	return &faultFn{fault: s.Next()}
}

// answer runs h under the faults of f and writes its result.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, f *faultFn, h func() (any, *apiErr)) {
	lost := false
	if f != nil {
		switch f.fault {
		case channeltest.FaultRateLimit:
			usage := fmt.Sprintf(`{"%s":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":15,`+
				`"estimated_time_to_regain_access":1}]}`, s.opts.PageID)
			s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 80001,
				Message: "There have been too many calls to this Page account. Wait a bit and try again. For more info, " +
					"please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
				header: http.Header{"X-Business-Use-Case-Usage": {usage}}})
			return
		case channeltest.FaultServer:
			s.fail(w, &apiErr{status: http.StatusInternalServerError, Type: "OAuthException", Code: 2, Transient: true,
				Message: "An unexpected error has occurred. Please retry your request later."})
			return
		case channeltest.FaultAuth:
			now := s.now()
			s.fail(w, badToken(fmt.Sprintf("Error validating access token: Session has expired on %s. The current time is %s.",
				now.Add(-time.Hour).Format("Monday, 02-Jan-06 15:04:05 MST"), now.Format("Monday, 02-Jan-06 15:04:05 MST")), 463))
			return
		case channeltest.FaultBadRequest:
			s.fail(w, invalid("Invalid parameter"))
			return
		case channeltest.FaultLost:
			lost = true
		}
	}
	out, e := h()
	if lost {
		// Done, but the answer never leaves: the client gives up.
		<-r.Context().Done()
		return
	}
	if e != nil {
		s.fail(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) fail(w http.ResponseWriter, e *apiErr) {
	for k, v := range e.header {
		w.Header()[k] = v
	}
	e.TraceID = "A" + randomHex(8)
	writeJSON(w, e.status, struct {
		Error *apiErr `json:"error"`
	}{e})
}

// parseParams reads the query string and a urlencoded or multipart body,
// as the Graph API takes parameters from either.
func parseParams(w http.ResponseWriter, r *http.Request) (*params, *apiErr) {
	p := &params{vals: url.Values{}}
	for k, v := range r.URL.Query() {
		p.vals[k] = v
	}
	ct, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxForm))
		if err != nil {
			return nil, invalid("The request body is too large")
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, invalid("Invalid form body")
		}
		for k, v := range vals {
			p.vals[k] = v
		}
	case "application/json":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxForm))
		if err != nil {
			return nil, invalid("The request body is too large")
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			return nil, invalid("Invalid JSON body")
		}
		for k, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				p.vals.Set(k, s)
			} else {
				p.vals.Set(k, string(raw))
			}
		}
	case "multipart/form-data":
		if mp["boundary"] == "" {
			return nil, invalid("Invalid multipart body")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, invalid("Invalid multipart body")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, invalid("Invalid multipart body")
			}
			if part.FileName() == "" {
				v, err := io.ReadAll(io.LimitReader(part, maxForm+1))
				if err != nil || len(v) > maxForm {
					return nil, invalid("The parameter %s is too large", part.FormName())
				}
				p.vals.Add(part.FormName(), string(v))
				continue
			}
			up := &upload{contentType: part.Header.Get("Content-Type")}
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(part, MaxPhotoBytes+1))
			if err != nil {
				return nil, invalid("Invalid multipart body")
			}
			rest, err := io.Copy(io.Discard, io.LimitReader(part, MaxUpload))
			if err != nil {
				return nil, invalid("Invalid multipart body")
			}
			up.size = int(n + rest)
			up.data = buf.Bytes()
			if part.FormName() == "source" {
				p.upload = up
			}
		}
	}
	return p, nil
}

// tokenOf reads the access token of a request.
func tokenOf(r *http.Request, p *params) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return strings.TrimSpace(p.get("access_token"))
}

// caller is who a token stands for: a Page, or the person (user token).
type caller struct {
	page *Page
	user bool
}

// identify checks a token.
func (s *Server) identify(token string) (caller, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.users[token]; ok {
		if !s.now().Before(exp) {
			return caller{}, badToken("Error validating access token: Session has expired.", 463)
		}
		return caller{user: true}, nil
	}
	if p := s.byToken[token]; p != nil {
		return caller{page: p}, nil
	}
	if s.opts.Open {
		return caller{page: nil}, nil // any Page, bound per call
	}
	return caller{}, badToken("Invalid OAuth access token - Cannot parse access token", 0)
}

// pageFor returns the Page id as the caller may act on it; the caller
// holds s.mu.
func (s *Server) pageFor(who caller, id string) (*Page, *apiErr) {
	if who.user {
		return nil, &apiErr{status: http.StatusForbidden, Type: "OAuthException", Code: 200,
			Message: "(#200) If posting to a Page, requires both pages_read_engagement and pages_manage_posts " +
				"permissions with a Page access token of that Page"}
	}
	p := s.pages[id]
	if p == nil && s.opts.Open && !strings.Contains(id, "_") {
		p = s.addPage(Page{ID: id})
	}
	if p == nil || (who.page != nil && who.page != p) {
		return nil, notFound(http.MethodPost, id)
	}
	return p, nil
}

// fieldsOf reads a fields parameter; nested field lists
// ("instagram_business_account{id,username}") count by their name.
func fieldsOf(v string, defaults ...string) map[string]bool {
	out := map[string]bool{}
	depth, start := 0, 0
	add := func(f string) {
		if i := strings.IndexByte(f, '{'); i >= 0 {
			f = f[:i]
		}
		if f = strings.TrimSpace(f); f != "" {
			out[f] = true
		}
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				add(v[start:i])
				start = i + 1
			}
		}
	}
	add(v[start:])
	if len(out) == 0 {
		for _, f := range defaults {
			out[f] = true
		}
	}
	out["id"] = true
	return out
}

// pick keeps the requested fields of all.
func pick(fields map[string]bool, all map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range all {
		if fields[k] && v != nil {
			out[k] = v
		}
	}
	return out
}

// me answers GET /me: the Page for a Page token, the person for a user
// token.
//
// Specs: https://developers.facebook.com/docs/graph-api/overview#me
func (s *Server) me(who caller, p *params) any {
	f := fieldsOf(p.get("fields"), "id", "name")
	if who.user {
		return pick(f, map[string]any{"id": s.opts.UserID, "name": s.opts.UserName})
	}
	page := who.page
	if page == nil {
		s.mu.Lock()
		page = s.pages[s.opts.PageID]
		s.mu.Unlock()
	}
	return pick(f, map[string]any{"id": page.ID, "name": page.Name})
}

// accounts answers GET /me/accounts: every Page of the fake with its
// token, for a user token.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/user/accounts
func (s *Server) accounts(who caller) (any, *apiErr) {
	if !who.user {
		return nil, invalid("Tried accessing nonexisting field (accounts) on node type (Page)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.pages))
	for id := range s.pages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	data := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		p := s.pages[id]
		if p.Token == "" {
			continue
		}
		d := map[string]any{"id": p.ID, "name": p.Name, "access_token": p.Token, "category": "Government Organization",
			"tasks": []string{"ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"}}
		if p.IGUserID != "" {
			d["instagram_business_account"] = map[string]any{"id": p.IGUserID, "username": p.IGUsername}
		}
		data = append(data, d)
	}
	cursor := ""
	if len(ids) > 0 {
		cursor = ids[len(ids)-1]
	}
	return map[string]any{"data": data, "paging": map[string]any{"cursors": map[string]string{"before": cursor, "after": cursor}}}, nil
}

// getNode answers GET /{id} for a Page, post, photo or video.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page
// Specs: https://developers.facebook.com/docs/graph-api/reference/post
func (s *Server) getNode(who caller, id string, p *params) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.comments[id] != nil {
		return s.getComment(who, id, p)
	}
	if page := s.pages[id]; page != nil {
		f := fieldsOf(p.get("fields"), "id", "name")
		return pick(f, map[string]any{"id": page.ID, "name": page.Name, "link": facebook.PostURL(page.ID),
			"fan_count": 1234}), nil
	}
	o := s.objects[id]
	if o == nil || o.Deleted || (who.page != nil && who.page.ID != o.Page) {
		return nil, notFound(http.MethodGet, id)
	}
	f := fieldsOf(p.get("fields"), "id", "message", "created_time")
	all := map[string]any{"id": o.ID, "created_time": o.Created.UTC().Format("2006-01-02T15:04:05-0700"),
		"updated_time": o.Updated.UTC().Format("2006-01-02T15:04:05-0700")}
	switch o.Kind {
	case "post":
		all["message"] = emptyNil(o.Message)
		all["permalink_url"] = permalink(o.ID)
	case "photo":
		all["name"] = emptyNil(o.Message)
		all["alt_text_custom"] = emptyNil(o.AltText)
		all["page_story_id"] = emptyNil(o.PostID)
	case "video":
		all["description"] = emptyNil(o.Message)
		all["title"] = emptyNil(o.Title)
		all["post_id"] = emptyNil(o.PostID)
		all["permalink_url"] = "/" + o.Page + "/videos/" + o.ID + "/"
	}
	return pick(f, all), nil
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// permalink is a post's permalink_url.
func permalink(postID string) string {
	page, post, _ := strings.Cut(postID, "_")
	return "https://www.facebook.com/" + page + "/posts/" + post
}

// checkMessage applies the message limit.
func checkMessage(name, msg string) *apiErr {
	if !utf8.ValidString(msg) {
		return invalid("Param %s must be valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(msg); n > MaxText {
		return invalid("The %s is too long: %d characters, at most %d are allowed", name, n, MaxText)
	}
	return nil
}

// newID returns the next object id; the caller holds s.mu.
func (s *Server) newID(page string, post bool) (string, int64) {
	s.seq++
	if post {
		return page + "_" + strconv.FormatInt(s.seq, 10), s.seq
	}
	return strconv.FormatInt(s.seq, 10), s.seq
}

// addPost stores a post and logs it; the caller holds s.mu.
func (s *Server) addPost(page *Page, msg, link string, media []*object) *object {
	id, seq := s.newID(page.ID, true)
	now := s.now().UTC()
	o := &object{Object: Object{Kind: "post", ID: id, Page: page.ID, Message: msg, Link: link, Published: true,
		Created: now, Updated: now}, seq: seq}
	rec := channeltest.Received{Platform: channel.Facebook, Target: page.ID, RemoteID: id, URL: facebook.PostURL(id),
		Text: msg, Link: link, At: now}
	for _, m := range media {
		m.PostID, m.Attached = id, true
		o.Media = append(o.Media, m.ID)
		rec.Media = append(rec.Media, channeltest.ReceivedMedia{ContentType: m.ContentType, Bytes: m.Bytes, AltText: m.AltText})
	}
	o.log = s.Add(rec)
	s.objects[id] = o
	s.posts[page.ID] = append(s.posts[page.ID], o)
	return o
}

// attachmentRe matches attached_media[N].
var attachmentRe = regexp.MustCompile(`^attached_media\[([0-9]+)\]$`)

// feed answers POST /{page-id}/feed.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#publish
func (s *Server) feed(who caller, pageID string, p *params) (any, *apiErr) {
	msg, link := p.get("message"), p.get("link")
	if e := checkMessage("message", msg); e != nil {
		return nil, e
	}
	if link != "" {
		if u, err := url.Parse(link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, invalid("link URL is not properly formatted")
		}
	}
	refs, e := attachments(p)
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(msg) == "" && link == "" && len(refs) == 0 {
		return nil, invalid("Missing message or attachment")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page, e := s.pageFor(who, pageID)
	if e != nil {
		return nil, e
	}
	var media []*object
	for i, ref := range refs {
		o := s.objects[ref]
		if o == nil || o.Kind != "photo" || o.Page != page.ID || o.Published || o.Attached || o.Deleted ||
			slices.Contains(media, o) {
			return nil, invalid("param attached_media[%d] has an invalid media_fbid %q: it must be an unpublished photo of this Page", i, ref)
		}
		media = append(media, o)
	}
	o := s.addPost(page, msg, link, media)
	return map[string]string{"id": o.ID}, nil
}

// attachments reads attached_media, as attached_media[N] parameters or a
// JSON array in attached_media, in order.
func attachments(p *params) ([]string, *apiErr) {
	type ref struct {
		MediaFBID json.Number `json:"media_fbid"`
	}
	byIndex := map[int]string{}
	for k, v := range p.vals {
		m := attachmentRe.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		var r ref
		if json.Unmarshal([]byte(v[0]), &r) != nil || r.MediaFBID == "" {
			return nil, invalid("param %s must be a JSON object with media_fbid", k)
		}
		byIndex[i] = string(r.MediaFBID)
	}
	if v := p.get("attached_media"); v != "" {
		var rs []ref
		if json.Unmarshal([]byte(v), &rs) != nil {
			return nil, invalid("param attached_media must be an array of objects with media_fbid")
		}
		for i, r := range rs {
			byIndex[i] = string(r.MediaFBID)
		}
	}
	out := make([]string, 0, len(byIndex))
	for i := range len(byIndex) {
		id, ok := byIndex[i]
		if !ok {
			return nil, invalid("param attached_media[%d] is missing", i)
		}
		out = append(out, id)
	}
	return out, nil
}

// photo answers POST /{page-id}/photos: a published photo makes a post,
// an unpublished one waits for a post to attach it.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/photos#upload
func (s *Server) photo(who caller, pageID string, p *params) (any, *apiErr) {
	msg := p.get("message")
	if msg == "" {
		msg = p.get("caption")
	}
	if e := checkMessage("message", msg); e != nil {
		return nil, e
	}
	up := p.upload
	if up == nil || up.size == 0 {
		if p.get("url") != "" {
			return nil, invalid("The fake does not fetch photos by url: upload them as source")
		}
		return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 324, Message: "(#324) Requires upload file"}
	}
	if up.size > MaxPhotoBytes {
		return nil, invalid("The photo is %d bytes, more than the %d allowed", up.size, MaxPhotoBytes)
	}
	_, format, err := image.DecodeConfig(bytes.NewReader(up.data))
	if err != nil {
		return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 324,
			Message: "(#324) Missing or invalid image file"}
	}
	published := p.get("published") != "false"
	s.mu.Lock()
	defer s.mu.Unlock()
	page, e := s.pageFor(who, pageID)
	if e != nil {
		return nil, e
	}
	id, seq := s.newID(page.ID, false)
	now := s.now().UTC()
	o := &object{Object: Object{Kind: "photo", ID: id, Page: page.ID, Message: msg, Published: published,
		AltText: p.get("alt_text_custom"), ContentType: "image/" + format, Bytes: up.size, Created: now, Updated: now},
		seq: seq, log: -1}
	s.objects[id] = o
	if !published {
		return map[string]string{"id": id}, nil
	}
	post := s.addPost(page, msg, "", []*object{o})
	return map[string]string{"id": id, "post_id": post.ID}, nil
}

// video answers POST /{page-id}/videos; the post is made at once (Meta
// makes it once the video is processed).
//
// Specs: https://developers.facebook.com/docs/video-api/guides/publishing
func (s *Server) video(who caller, pageID string, p *params) (any, *apiErr) {
	desc := p.get("description")
	if e := checkMessage("description", desc); e != nil {
		return nil, e
	}
	up := p.upload
	if up == nil || up.size == 0 {
		return nil, invalid("No video file was uploaded: send it as source")
	}
	if len(up.data) < 12 || string(up.data[4:8]) != "ftyp" {
		return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 352,
			Message: "Sorry, the video file you selected is in a format that we don't support."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page, e := s.pageFor(who, pageID)
	if e != nil {
		return nil, e
	}
	id, seq := s.newID(page.ID, false)
	now := s.now().UTC()
	o := &object{Object: Object{Kind: "video", ID: id, Page: page.ID, Message: desc, Title: p.get("title"),
		Published: true, ContentType: "video/mp4", Bytes: up.size, Created: now, Updated: now}, seq: seq, log: -1}
	s.objects[id] = o
	s.addPost(page, desc, "", []*object{o})
	return map[string]string{"id": id}, nil
}

// edit answers POST /{post-id}: a new message for the post (or for the
// post of a photo or video).
//
// Specs: https://developers.facebook.com/docs/pages-api/posts#update-a-post
func (s *Server) edit(who caller, id string, p *params) (any, *apiErr) {
	msg, ok := p.vals["message"]
	if !ok {
		return nil, invalid("The parameter message is required")
	}
	if e := checkMessage("message", msg[0]); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[id]
	if o != nil && o.Kind != "post" && o.PostID != "" {
		o = s.objects[o.PostID]
	}
	if o == nil || o.Deleted || o.Kind != "post" || who.user || (who.page != nil && who.page.ID != o.Page) {
		return nil, notFound(http.MethodPost, id)
	}
	o.Message, o.Updated = msg[0], s.now().UTC()
	for _, mid := range o.Media {
		if m := s.objects[mid]; m != nil && m.Kind == "video" {
			m.Message = msg[0]
		}
	}
	s.Update(o.log, func(r *channeltest.Received) { r.Text, r.Edited = msg[0], true })
	return map[string]bool{"success": true}, nil
}

// remove answers DELETE /{id}: a post (with its photos or video), or a
// photo or video (with its post).
//
// Specs: https://developers.facebook.com/docs/pages-api/posts#delete-a-post
func (s *Server) remove(who caller, id string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[id]
	if o == nil || o.Deleted || who.user || (who.page != nil && who.page.ID != o.Page) {
		return nil, notFound(http.MethodDelete, id)
	}
	post := o
	if o.Kind != "post" && o.PostID != "" {
		// A photo of an album goes alone; the only photo or the video of
		// a post takes the post with it.
		if post = s.objects[o.PostID]; post != nil && len(post.Media) > 1 {
			post = nil
		}
	}
	for _, x := range []*object{o, post} {
		if x == nil {
			continue
		}
		x.Deleted = true
		for _, mid := range x.Media {
			if m := s.objects[mid]; m != nil {
				m.Deleted = true
			}
		}
		if x.log >= 0 {
			s.Update(x.log, func(r *channeltest.Received) { r.Deleted = true })
		}
	}
	return map[string]bool{"success": true}, nil
}

// publishedPosts answers GET /{page-id}/published_posts: the Page's posts,
// newest first, limit at a time (25 by default, 100 at most), from the
// cursor after, created within since and until (Unix times).
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/published_posts
func (s *Server) publishedPosts(who caller, pageID string, p *params) (any, *apiErr) {
	limit := 25
	if v := p.get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, invalid("param limit must be a positive number")
		}
		limit = min(n, 100)
	}
	since, e := unixParam(p, "since")
	if e != nil {
		return nil, e
	}
	until, e := unixParam(p, "until")
	if e != nil {
		return nil, e
	}
	var after int64 = -1
	if v := p.get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, invalid("Invalid cursor after")
		}
		after = n
	}
	f := fieldsOf(p.get("fields"), "id", "message", "created_time")
	s.mu.Lock()
	defer s.mu.Unlock()
	page, e := s.pageFor(who, pageID)
	if e != nil {
		return nil, e
	}
	posts := s.posts[page.ID]
	data := []map[string]any{}
	more := false
	var first, last int64
	for i := len(posts) - 1; i >= 0; i-- {
		o := posts[i]
		if o.Deleted || (after >= 0 && o.seq >= after) || (!until.IsZero() && o.Created.After(until)) {
			continue
		}
		if !since.IsZero() && o.Created.Before(since) {
			break
		}
		if len(data) == limit {
			more = true
			break
		}
		if len(data) == 0 {
			first = o.seq
		}
		last = o.seq
		data = append(data, pick(f, map[string]any{"id": o.ID, "message": emptyNil(o.Message),
			"created_time": o.Created.UTC().Format("2006-01-02T15:04:05-0700"), "permalink_url": permalink(o.ID)}))
	}
	out := map[string]any{"data": data}
	if len(data) > 0 {
		paging := map[string]any{"cursors": map[string]string{"before": strconv.FormatInt(first, 10), "after": strconv.FormatInt(last, 10)}}
		if more {
			q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {strconv.FormatInt(last, 10)}}
			if v := p.get("fields"); v != "" {
				q.Set("fields", v)
			}
			paging["next"] = "https://graph.facebook.com/" + facebook.APIVersion + "/" + page.ID + "/published_posts?" + q.Encode()
		}
		out["paging"] = paging
	}
	return out, nil
}

// unixParam reads a time parameter given as Unix seconds.
func unixParam(p *params, name string) (time.Time, *apiErr) {
	v := p.get(name)
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, invalid("param %s must be a Unix time", name)
	}
	return time.Unix(n, 0).UTC(), nil
}

// dialog answers Facebook Login's dialog: the sandbox person agrees at
// once, and the browser goes back to redirect_uri with a code and the
// state.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login
func (s *Server) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, redirect := q.Get("client_id"), q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	switch {
	case clientID == "" || (s.opts.ClientID != "" && clientID != s.opts.ClientID):
		http.Error(w, "Invalid App ID: the app ID is not valid.", http.StatusBadRequest)
		return
	case err != nil || !u.IsAbs() || u.Host == "":
		http.Error(w, "URL blocked: the redirect_uri is not an absolute URL.", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := "AQ" + randomHex(16)
	s.codes[code] = grant{clientID: clientID, redirectURI: redirect}
	s.scopes = strings.Split(q.Get("scope"), ",")
	s.mu.Unlock()
	back := u.Query()
	back.Set("code", code)
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	u.RawQuery = back.Encode()
	u.Fragment = "_=_"
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// accessToken answers /oauth/access_token: a code for a short-lived user
// token, or (grant_type=fb_exchange_token) a user token for a long-lived
// one.
//
// Specs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#confirm
// Specs: https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
func (s *Server) accessToken(p *params) (any, *apiErr) {
	clientID, secret := p.get("client_id"), p.get("client_secret")
	switch {
	case clientID == "" || (s.opts.ClientID != "" && clientID != s.opts.ClientID):
		return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 101,
			Message: "Error validating application. Invalid application ID."}
	case secret == "" || (s.opts.ClientSecret != "" && secret != s.opts.ClientSecret):
		return nil, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 1,
			Message: "Error validating client secret."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.get("grant_type") == "fb_exchange_token" {
		exp, ok := s.users[p.get("fb_exchange_token")]
		if !ok || !s.now().Before(exp) {
			return nil, badToken("Error validating access token: Session has expired.", 463)
		}
		t := s.newUserToken(LongLivedTTL)
		return map[string]any{"access_token": t, "token_type": "bearer", "expires_in": int64(LongLivedTTL / time.Second)}, nil
	}
	code := p.get("code")
	g, ok := s.codes[code]
	switch {
	case !ok:
		return nil, invalid("Invalid verification code format.")
	case g.clientID != clientID:
		return nil, invalid("Invalid verification code format.")
	case g.redirectURI != p.get("redirect_uri"):
		e := invalid("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		e.Message = strings.TrimPrefix(e.Message, "(#100) ")
		e.Subcode = 36008
		return nil, e
	}
	delete(s.codes, code)
	t := s.newUserToken(ShortLivedTTL)
	return map[string]any{"access_token": t, "token_type": "bearer", "expires_in": int64(ShortLivedTTL / time.Second)}, nil
}
