// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package xtest is a fake of the X API v2 for the connector's tests and
// the demo's sandbox channels. It serves, at the same paths, with the same
// methods, bodies and answers:
//
//   - GET /2/users/me;
//   - POST /2/tweets (JSON: text, media.media_ids; the other documented
//     fields are accepted and ignored, unknown ones refused) and
//     DELETE /2/tweets/:id;
//   - GET /2/users/:id/tweets (max_results 5–100, start_time, end_time,
//     pagination_token, tweet.fields, exclude), newest first;
//   - media upload v2: the one-shot POST /2/media/upload (multipart or
//     JSON with base64, media_category tweet_image), the chunked
//     POST /2/media/upload/initialize, /{id}/append and /{id}/finalize,
//     GET /2/media/upload?command=STATUS (a video or GIF is "pending",
//     then "in_progress", then "succeeded" on the following calls), and
//     POST /2/media/metadata for alternative text;
//   - OAuth 2.0 with PKCE: GET /i/oauth2/authorize answers at once with a
//     redirect to redirect_uri carrying a code and the state (the sandbox
//     user always agrees: it is x.com's consent page, served on the API
//     host for tests), and POST /2/oauth2/token trades a code (checking
//     the S256 or plain verifier and the redirect_uri) or a refresh token
//     for an access token of two hours and a new refresh token; the
//     refresh token used stops working, as on X.
//
// Every API call needs "Authorization: Bearer" with a token the fake
// knows (Options.Token, or one it issued); otherwise it answers 401 with
// X's problem {"title":"Unauthorized","type":"about:blank","status":401,
// "detail":"Unauthorized"}. Every answer carries x-rate-limit-limit,
// -remaining and -reset (Unix seconds) for the user's 15-minute window of
// that endpoint, with X's documented limits (200 posts and 50 deletions a
// user); Options.PostsPer15Min makes the fake refuse posts over it with
// 429 {"title":"Too Many Requests","detail":"Too Many Requests",
// "type":"about:blank","status":429}.
//
// What X checks, the fake checks: a text of at most 280 weighted
// characters (counted with x.WeightedLength; over it, 400 invalid-request
// "Your Tweet text is too long. ..."), the same text as a post of the
// user's still online (403 "You are not allowed to create a Tweet with
// duplicate content."), media ids that exist, belong to the user, are
// processed, and make four images at most or one GIF or video alone (400
// "Your media IDs are invalid."), uploads that are what they say (sniffed),
// within X's sizes (5 MB images, 15 MB GIFs, 512 MB videos, 5 MB a chunk)
// and whose chunks add up, and alternative text of at most 1000
// characters. Where X's exact words are not documented, the fake's are its
// own, in X's shapes.
//
// X stores and answers a post's text with its links wrapped in t.co links,
// "&", "<" and ">" escaped, and a t.co link to the media at the end; the
// fake does the same (with entities.urls), while Received keeps the text
// as the author sent it.
//
// Faults injected with Inject apply to POST /2/tweets and
// DELETE /2/tweets/:id, after the token is checked: FaultRateLimit is 429
// with x-rate-limit-remaining 0 and x-rate-limit-reset one second ahead,
// FaultServer 503 {"title":"Service Unavailable",...}, FaultAuth 401
// Unauthorized, FaultBadRequest 400 invalid-request, FaultLost does the
// work and then answers nothing until the client gives up.
//
// The fake keeps uploads' sizes, not their bytes, and everything in memory
// behind one lock: it is cheap and safe for heavy concurrent use.
package xtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	_ "image/gif"  // to read uploaded images' sizes
	_ "image/jpeg" // to read uploaded images' sizes
	_ "image/png"  // to read uploaded images' sizes
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/x"
)

// Defaults of Options.
const (
	DefaultToken        = "xsandbox-access-token"
	DefaultRefreshToken = "xsandbox-refresh-token"
	DefaultUserID       = "1580000000000000001"
	DefaultUsername     = "VallebellaPA"
	DefaultName         = "Comune di Vallebella"
	DefaultClientID     = "xsandbox-client-id"
)

// Limits and lifetimes of the fake.
const (
	// AccessTokenTTL is the life of an access token the fake issues
	// (expires_in 7200); Options.Token does not expire.
	AccessTokenTTL = 2 * time.Hour
	// Window is X's rate-limit window.
	Window = 15 * time.Minute
	// PostsLimit and DeletesLimit are X's documented limits a user, shown
	// in the headers.
	PostsLimit   = 200
	DeletesLimit = 50
	// MaxChunk is the largest APPEND.
	MaxChunk = 5 << 20
	// MediaTTL is how long an upload can be used (expires_after_secs).
	MediaTTL = 24 * time.Hour
	// codeTTL is the life of an authorization code.
	codeTTL = 30 * time.Second
	maxJSON = 1 << 20
)

// User is an X user of the fake.
type User struct {
	ID       string
	Username string
	Name     string
	// Token is an access token of the user that does not expire; empty
	// for none.
	Token string
}

// Options configure the fake. The first user is UserID, Username and
// Name (the defaults above) with the access token Token and the refresh
// token RefreshToken; Users adds more.
type Options struct {
	Token        string
	RefreshToken string
	UserID       string
	Username     string
	Name         string
	Users        []User
	// ClientID is the X app's OAuth 2.0 client id (DefaultClientID).
	// ClientSecret, when set, makes the app a confidential client: the
	// token endpoint then wants HTTP Basic authentication with both.
	ClientID     string
	ClientSecret string
	// PostsPer15Min caps the posts a user may create in 15 minutes; 0
	// means no cap.
	PostsPer15Min int
	// AllowDuplicates turns off X's refusal of a text the user already
	// has online (a load test may repeat its texts).
	AllowDuplicates bool
	// Open makes any bearer token a user of its own, created when first
	// seen (the load benchmark's many accounts).
	Open bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Tweet is a post the fake holds.
type Tweet struct {
	ID     string
	UserID string
	// Text is the text as the author sent it (NFC); APIText is the text
	// as X answers it: links wrapped in t.co, a media link at the end,
	// not yet HTML-escaped.
	Text     string
	APIText  string
	MediaIDs []string
	Created  time.Time
	Deleted  bool
}

type entity struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	DisplayURL  string `json:"display_url"`
	MediaKey    string `json:"media_key,omitempty"`
}

type tweet struct {
	Tweet
	urls []entity
	log  int
}

type medium struct {
	id, user, ctype, category string
	total                     int
	segments                  map[int]int // index → bytes
	head                      []byte      // the first bytes, to sniff
	state                     string      // initialized, pending, in_progress, succeeded, failed
	alt                       string
	w, h                      int
	expires                   time.Time
}

type grant struct {
	clientID, redirectURI, challenge, method, scope, user string
	expires                                               time.Time
}

type accessToken struct {
	user    string
	expires time.Time // zero: never
}

type window struct {
	start time.Time
	used  int
}

// Server is the fake X API. Received lists one entry per post.
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts Options
	now  func() time.Time
	mux  *http.ServeMux

	mu       sync.Mutex
	users    map[string]*User
	tokens   map[string]accessToken
	refresh  map[string]string // refresh token → user id
	codes    map[string]grant
	tweets   map[string]*tweet
	timeline map[string][]*tweet // user id → posts, oldest first
	media    map[string]*medium
	windows  map[string]*window
	seq      int64 // ids
	secrets  int64 // codes and tokens
}

// New returns a fake with the given options.
func New(opts Options) *Server {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&opts.Token, DefaultToken)
	def(&opts.RefreshToken, DefaultRefreshToken)
	def(&opts.UserID, DefaultUserID)
	def(&opts.Username, DefaultUsername)
	def(&opts.Name, DefaultName)
	def(&opts.ClientID, DefaultClientID)
	s := &Server{opts: opts, now: opts.Now, users: map[string]*User{}, tokens: map[string]accessToken{},
		refresh: map[string]string{}, codes: map[string]grant{}, tweets: map[string]*tweet{},
		timeline: map[string][]*tweet{}, media: map[string]*medium{}, windows: map[string]*window{},
		seq: 1_900_000_000_000_000_000}
	if s.now == nil {
		s.now = time.Now
	}
	s.addUser(User{ID: opts.UserID, Username: opts.Username, Name: opts.Name, Token: opts.Token})
	s.refresh[opts.RefreshToken] = opts.UserID
	for _, u := range opts.Users {
		s.addUser(u)
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /i/oauth2/authorize", s.authorize)
	m.HandleFunc("POST /2/oauth2/token", s.token)
	m.HandleFunc("GET /2/users/me", s.me)
	m.HandleFunc("POST /2/tweets", s.createTweet)
	m.HandleFunc("DELETE /2/tweets/{id}", s.deleteTweet)
	m.HandleFunc("GET /2/users/{id}/tweets", s.userTweets)
	m.HandleFunc("POST /2/media/upload", s.uploadOneShot)
	m.HandleFunc("GET /2/media/upload", s.uploadStatus)
	m.HandleFunc("POST /2/media/upload/initialize", s.uploadInit)
	m.HandleFunc("POST /2/media/upload/{id}/append", s.uploadAppend)
	m.HandleFunc("POST /2/media/upload/{id}/finalize", s.uploadFinalize)
	m.HandleFunc("POST /2/media/metadata", s.mediaMetadata)
	s.mux = m
	return s
}

func (s *Server) addUser(u User) {
	if u.Name == "" {
		u.Name = u.Username
	}
	s.users[u.ID] = &u
	if u.Token != "" {
		s.tokens[u.Token] = accessToken{user: u.ID}
	}
}

// Platform is channel.X.
func (*Server) Platform() channel.Platform { return channel.X }

// ServeHTTP serves the X API; an unknown path is X's 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []map[string]any{
			{"message": "Sorry, that page does not exist", "code": 34}}})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Tweets returns every post the fake holds, oldest first.
func (s *Server) Tweets() []Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Tweet, 0, len(s.tweets))
	for _, t := range s.tweets {
		out = append(out, t.Tweet)
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

// Seed puts a post of the user on the fake, as if published at at,
// without going through the API (a post made elsewhere); it returns its
// id.
func (s *Server) Seed(userID, text string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil {
		return ""
	}
	return s.store(u, norm.NFC.String(text), nil, at).ID
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// nextID returns a new 19-digit id; the caller holds s.mu.
func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10)
}

// Problems, in X's shapes.

const (
	typeInvalid  = "https://api.twitter.com/2/problems/invalid-request"
	typeNotFound = "https://api.twitter.com/2/problems/resource-not-found"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// problem answers an "about:blank" problem: the HTTP status says it all.
func problem(w http.ResponseWriter, status int, detail string) {
	title := http.StatusText(status)
	if detail == "" {
		detail = title
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"title": title, "detail": detail, "type": "about:blank", "status": status})
}

// invalid answers 400 invalid-request with one error, and the parameters
// it concerns.
func invalid(w http.ResponseWriter, message string, params map[string][]string) {
	e := map[string]any{"message": message}
	if len(params) > 0 {
		e["parameters"] = params
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{e}, "title": "Invalid Request",
		"detail": "One or more parameters to your request was invalid.", "type": typeInvalid})
}

// oauthError answers the token endpoint's errors.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// Authentication and rate limits.

// bearer returns the user of the request's access token, or answers 401.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (*User, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	s.mu.Lock()
	u := s.userOf(token)
	s.mu.Unlock()
	if !ok || u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api.x.com"`)
		problem(w, http.StatusUnauthorized, "")
		return nil, false
	}
	return u, true
}

// userOf returns the user of an access token; the caller holds s.mu.
func (s *Server) userOf(token string) *User {
	if token == "" {
		return nil
	}
	t, ok := s.tokens[token]
	if ok && (t.expires.IsZero() || s.now().Before(t.expires)) {
		return s.users[t.user]
	}
	if ok || !s.opts.Open || strings.ContainsAny(token, " \t") {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(token))
	sum := h.Sum64()
	u := &User{ID: strconv.FormatUint(1_000_000_000_000_000_000+sum%8_000_000_000_000_000_000, 10),
		Username: fmt.Sprintf("u%012x", sum>>16), Token: token}
	u.Name = u.Username
	if old, taken := s.users[u.ID]; taken {
		u = old
	} else {
		s.users[u.ID] = u
	}
	s.tokens[token] = accessToken{user: u.ID}
	return u
}

// limit counts a request of user on endpoint in its 15-minute window and
// writes the rate-limit headers; it reports whether the request is over
// capacity (only when enforce).
func (s *Server) limit(w http.ResponseWriter, user, endpoint string, limit int, enforce bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	key := user + " " + endpoint
	win := s.windows[key]
	if win == nil || !now.Before(win.start.Add(Window)) {
		win = &window{start: now}
		s.windows[key] = win
	}
	over := enforce && win.used >= limit
	if !over {
		win.used++
	}
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(max(limit-win.used, 0)))
	h.Set("x-rate-limit-reset", strconv.FormatInt(win.start.Add(Window).Unix(), 10))
	return over
}

// fault answers an injected fault; it reports whether it answered
// (FaultLost is left to the caller, which does the work first).
func (s *Server) fault(w http.ResponseWriter, f channeltest.Fault, limit int) bool {
	switch f {
	case channeltest.FaultRateLimit:
		h := w.Header()
		h.Set("x-rate-limit-limit", strconv.Itoa(limit))
		h.Set("x-rate-limit-remaining", "0")
		h.Set("x-rate-limit-reset", strconv.FormatInt(s.now().Unix()+1, 10))
		problem(w, http.StatusTooManyRequests, "")
	case channeltest.FaultServer:
		problem(w, http.StatusServiceUnavailable, "")
	case channeltest.FaultAuth:
		problem(w, http.StatusUnauthorized, "")
	case channeltest.FaultBadRequest:
		invalid(w, "The request was refused by the sandbox (injected fault).", nil)
	default:
		return false
	}
	return true
}

// lost blocks until the client gives up: the work is done, the answer
// never comes.
func lost(r *http.Request) { <-r.Context().Done() }

// Users.

// me serves GET /2/users/me.
//
// Specs: https://developer.x.com/en/docs/twitter-api/users/lookup/api-reference/get-users-me
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "users/me", 75, false)
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"id": u.ID, "name": u.Name, "username": u.Username}})
}

// Posts.

// createFields are the documented fields of POST /2/tweets.
var createFields = []string{"card_uri", "community_id", "direct_message_deep_link", "edit_options",
	"for_super_followers_only", "geo", "media", "nullcast", "poll", "quote_tweet_id", "reply", "reply_settings",
	"share_with_followers", "text"}

// createTweet serves POST /2/tweets.
//
// Specs: https://docs.x.com/x-api/posts/create-post
func (s *Server) createTweet(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	limit, enforce := PostsLimit, s.opts.PostsPer15Min > 0
	if enforce {
		limit = s.opts.PostsPer15Min
	}
	if s.limit(w, u.ID, "tweets", limit, enforce) {
		problem(w, http.StatusTooManyRequests, "")
		return
	}
	f := s.Next()
	if s.fault(w, f, limit) {
		return
	}
	var fields map[string]json.RawMessage
	if err := decodeJSON(r, &fields); err != nil {
		invalid(w, err.Error(), nil)
		return
	}
	for k := range fields {
		if !slices.Contains(createFields, k) {
			invalid(w, fmt.Sprintf("$.%s: is not defined in the schema and the schema does not allow additional properties", k), nil)
			return
		}
	}
	var text string
	if raw, ok := fields["text"]; ok && json.Unmarshal(raw, &text) != nil {
		invalid(w, "$.text: string found, "+kind(raw)+" expected", nil)
		return
	}
	var media struct {
		MediaIDs      []string `json:"media_ids"`
		TaggedUserIDs []string `json:"tagged_user_ids"`
	}
	if raw, ok := fields["media"]; ok {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&media); err != nil || len(media.MediaIDs) == 0 || len(media.MediaIDs) > x.MaxImages {
			invalid(w, "$.media.media_ids: must hold 1 to 4 media ids", nil)
			return
		}
	}
	text = norm.NFC.String(text)
	if strings.TrimSpace(text) == "" && len(media.MediaIDs) == 0 {
		invalid(w, "Post text or media is required.", map[string][]string{"text": {text}})
		return
	}
	if !utf8.ValidString(text) || strings.ContainsAny(text, "\uFFFE\uFEFF\uFFFF") {
		invalid(w, "Post text contains invalid characters.", map[string][]string{"text": {text}})
		return
	}
	if x.WeightedLength(text) > x.MaxText {
		invalid(w, "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.",
			map[string][]string{"text": {text}})
		return
	}
	s.mu.Lock()
	if bad := s.checkMedia(u, media.MediaIDs); len(bad) > 0 {
		s.mu.Unlock()
		invalid(w, "Your media IDs are invalid.", map[string][]string{"media.media_ids": bad})
		return
	}
	if !s.opts.AllowDuplicates && strings.TrimSpace(text) != "" && s.duplicate(u.ID, text) {
		s.mu.Unlock()
		problem(w, http.StatusForbidden, "You are not allowed to create a Tweet with duplicate content.")
		return
	}
	t := s.store(u, text, media.MediaIDs, s.now())
	answer := map[string]any{"data": map[string]any{"id": t.ID, "text": escapeText(t.APIText),
		"edit_history_tweet_ids": []string{t.ID}}}
	s.mu.Unlock()
	if f == channeltest.FaultLost {
		lost(r)
		return
	}
	writeJSON(w, http.StatusCreated, answer)
}

// kind names a JSON value's type for an error.
func kind(raw json.RawMessage) string {
	switch b := bytes.TrimSpace(raw); {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == '"':
		return "string"
	case b[0] == 't' || b[0] == 'f':
		return "boolean"
	case b[0] == 'n':
		return "null"
	}
	return "number"
}

// checkMedia returns the media ids that cannot go on a post of u: unknown,
// another user's, expired, not processed, or a mix X refuses (a GIF or a
// video with anything else); the caller holds s.mu.
func (s *Server) checkMedia(u *User, ids []string) []string {
	var bad []string
	alone := 0
	for _, id := range ids {
		m := s.media[id]
		if m == nil || m.user != u.ID || m.state != "succeeded" || !s.now().Before(m.expires) {
			bad = append(bad, id)
			continue
		}
		if m.category != "tweet_image" {
			alone++
		}
	}
	if len(bad) == 0 && alone > 0 && len(ids) > 1 {
		return ids
	}
	return bad
}

// duplicate reports whether u has text online already; the caller holds
// s.mu.
func (s *Server) duplicate(user, text string) bool {
	want := strings.TrimSpace(text)
	for _, t := range s.timeline[user] {
		if !t.Deleted && strings.TrimSpace(t.Text) == want {
			return true
		}
	}
	return false
}

// store makes a post; the caller holds s.mu.
func (s *Server) store(u *User, text string, mediaIDs []string, at time.Time) *tweet {
	id := s.nextID()
	t := &tweet{Tweet: Tweet{ID: id, UserID: u.ID, Text: text, MediaIDs: mediaIDs, Created: at.UTC()}}
	t.APIText, t.urls = s.wrap(id, u, text, mediaIDs)
	s.tweets[id] = t
	s.timeline[u.ID] = append(s.timeline[u.ID], t)
	rec := channeltest.Received{Platform: channel.X, Target: "@" + u.Username, RemoteID: id,
		URL: x.PostURL(u.Username, id), Text: text, At: t.Created}
	if links := x.ExtractURLs(text); len(links) > 0 {
		// X's card shows the last link of the text.
		rec.Link = links[len(links)-1].URL
	}
	for _, mid := range mediaIDs {
		m := s.media[mid]
		rec.Media = append(rec.Media, channeltest.ReceivedMedia{ContentType: m.ctype, Bytes: m.total, AltText: m.alt})
	}
	t.log = s.Add(rec)
	return t
}

// wrap returns text as X stores it: every link replaced by a t.co link,
// then a t.co link to the media, with the entities of those links
// (indices in code points).
func (s *Server) wrap(id string, u *User, text string, mediaIDs []string) (string, []entity) {
	var b strings.Builder
	var urls []entity
	last, n := 0, 0
	for i, l := range x.ExtractURLs(text) {
		b.WriteString(text[last:l.Start])
		short := fmt.Sprintf("https://t.co/%s%c", tcoSlug(id), 'a'+rune(i%26))
		start := utf8.RuneCountInString(b.String())
		b.WriteString(short)
		expanded := l.URL
		if lower := strings.ToLower(expanded); !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			expanded = "http://" + expanded
		}
		display := strings.TrimPrefix(strings.TrimPrefix(expanded, "https://"), "http://")
		if utf8.RuneCountInString(display) > 26 {
			display = string([]rune(display)[:25]) + "…"
		}
		urls = append(urls, entity{Start: start, End: start + utf8.RuneCountInString(short), URL: short,
			ExpandedURL: expanded, DisplayURL: display})
		last = l.End
		n++
	}
	b.WriteString(text[last:])
	if len(mediaIDs) > 0 {
		m := s.media[mediaIDs[0]]
		kind := "photo"
		if m.category == "tweet_video" {
			kind = "video"
		}
		short := "https://t.co/" + tcoSlug(id) + "m"
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		start := utf8.RuneCountInString(b.String())
		b.WriteString(short)
		urls = append(urls, entity{Start: start, End: start + utf8.RuneCountInString(short), URL: short,
			ExpandedURL: "https://x.com/" + u.Username + "/status/" + id + "/" + kind + "/1",
			DisplayURL:  "pic.x.com/" + tcoSlug(id), MediaKey: mediaKey(m)})
	}
	return b.String(), urls
}

// tcoSlug is a t.co-like slug made from a post id.
func tcoSlug(id string) string {
	n, _ := strconv.ParseUint(id, 10, 64)
	const digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b []byte
	for n > 0 {
		b = append(b, digits[n%62])
		n /= 62
	}
	return string(b)
}

func mediaKey(m *medium) string {
	switch m.category {
	case "tweet_video":
		return "7_" + m.id
	case "tweet_gif":
		return "16_" + m.id
	}
	return "3_" + m.id
}

// escapeText escapes "&", "<" and ">" as X does in the text it answers.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

var idRe = regexp.MustCompile(`^[0-9]{1,19}$`)

// deleteTweet serves DELETE /2/tweets/:id.
//
// Specs: https://docs.x.com/x-api/posts/delete-post
func (s *Server) deleteTweet(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "tweets/delete", DeletesLimit, false)
	f := s.Next()
	if s.fault(w, f, DeletesLimit) {
		return
	}
	id := r.PathValue("id")
	if !idRe.MatchString(id) {
		invalid(w, fmt.Sprintf("The `id` query parameter value [%s] does not match ^[0-9]{1,19}$", id),
			map[string][]string{"id": {id}})
		return
	}
	s.mu.Lock()
	t := s.tweets[id]
	switch {
	case t == nil || t.Deleted:
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"title": "Not Found Error", "type": typeNotFound,
			"detail": fmt.Sprintf("Could not find tweet with id: [%s].", id), "resource_type": "tweet",
			"resource_id": id, "parameter": "id", "value": id})
		return
	case t.UserID != u.ID:
		s.mu.Unlock()
		problem(w, http.StatusForbidden, "You are not permitted to perform this action.")
		return
	}
	t.Deleted = true
	s.Update(t.log, func(rec *channeltest.Received) { rec.Deleted = true })
	s.mu.Unlock()
	if f == channeltest.FaultLost {
		lost(r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]bool{"deleted": true}})
}

// tweetFields are the tweet.fields the fake knows.
var tweetFields = []string{"article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
	"conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids", "entities",
	"geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics", "note_tweet",
	"organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
	"reply_settings", "scopes", "source", "text", "withheld"}

// userTweets serves GET /2/users/:id/tweets.
//
// Specs: https://developer.x.com/en/docs/twitter-api/tweets/timelines/api-reference/get-users-id-tweets
func (s *Server) userTweets(w http.ResponseWriter, r *http.Request) {
	u, ok := s.bearer(w, r)
	if !ok {
		return
	}
	s.limit(w, u.ID, "users/tweets", 900, false)
	id := r.PathValue("id")
	q := r.URL.Query()
	if !idRe.MatchString(id) {
		invalid(w, fmt.Sprintf("The `id` query parameter value [%s] does not match ^[0-9]{1,19}$", id),
			map[string][]string{"id": {id}})
		return
	}
	size := 10
	if v := q.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 100 {
			invalid(w, fmt.Sprintf("The `max_results` query parameter value [%s] is not between 5 and 100", v),
				map[string][]string{"max_results": {v}})
			return
		}
		size = n
	}
	var from, until time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start_time", &from}, {"end_time", &until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				invalid(w, fmt.Sprintf("Invalid '%s':'%s'. '%s' must be a valid RFC 3339 timestamp.", p.name, v, p.name),
					map[string][]string{p.name: {v}})
				return
			}
			*p.t = t
		}
	}
	fields := map[string]bool{}
	if v := q.Get("tweet.fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			if !slices.Contains(tweetFields, f) {
				invalid(w, fmt.Sprintf("The `tweet.fields` query parameter value [%s] is not one of [%s]", f,
					strings.Join(tweetFields, ",")), map[string][]string{"tweet.fields": {f}})
				return
			}
			fields[f] = true
		}
	}
	for _, e := range strings.Split(q.Get("exclude"), ",") {
		if e != "" && e != "replies" && e != "retweets" {
			invalid(w, fmt.Sprintf("The `exclude` query parameter value [%s] is not one of [replies,retweets]", e),
				map[string][]string{"exclude": {e}})
			return
		}
	}
	offset := 0
	if v := q.Get("pagination_token"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "pg"))
		if err != nil || n < 0 || !strings.HasPrefix(v, "pg") {
			invalid(w, fmt.Sprintf("The `pagination_token` query parameter value [%s] is not valid", v),
				map[string][]string{"pagination_token": {v}})
			return
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] == nil {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{"value": id,
			"detail": fmt.Sprintf("Could not find user with id: [%s].", id), "title": "Not Found Error",
			"resource_type": "user", "parameter": "id", "resource_id": id, "type": typeNotFound}}})
		return
	}
	var list []*tweet
	posts := s.timeline[id]
	for i := len(posts) - 1; i >= 0; i-- {
		t := posts[i]
		if t.Deleted || (!from.IsZero() && t.Created.Before(from)) || (!until.IsZero() && t.Created.After(until)) {
			continue
		}
		list = append(list, t)
	}
	// Newest first, by creation, as X's ids are.
	sort.SliceStable(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	meta := map[string]any{"result_count": 0}
	var data []any
	if offset < len(list) {
		page := list[offset:min(offset+size, len(list))]
		for _, t := range page {
			d := map[string]any{"id": t.ID, "text": escapeText(t.APIText), "edit_history_tweet_ids": []string{t.ID}}
			if fields["created_at"] {
				d["created_at"] = t.Created.Format("2006-01-02T15:04:05.000Z")
			}
			if fields["author_id"] {
				d["author_id"] = t.UserID
			}
			if fields["entities"] && len(t.urls) > 0 {
				d["entities"] = map[string]any{"urls": t.urls}
			}
			if fields["attachments"] && len(t.MediaIDs) > 0 {
				var keys []string
				for _, mid := range t.MediaIDs {
					keys = append(keys, mediaKey(s.media[mid]))
				}
				d["attachments"] = map[string]any{"media_keys": keys}
			}
			data = append(data, d)
		}
		meta = map[string]any{"result_count": len(page), "newest_id": page[0].ID, "oldest_id": page[len(page)-1].ID}
		if offset+size < len(list) {
			meta["next_token"] = "pg" + strconv.Itoa(offset+size)
		}
	}
	answer := map[string]any{"meta": meta}
	if len(data) > 0 {
		answer["data"] = data
	}
	writeJSON(w, http.StatusOK, answer)
}

// OAuth 2.0.

// knownScopes are the scopes X's OAuth 2.0 offers.
var knownScopes = []string{"block.read", "bookmark.read", "bookmark.write", "dm.read", "dm.write", "follows.read",
	"follows.write", "like.read", "like.write", "list.read", "list.write", "media.write", "mute.read", "mute.write",
	"offline.access", "space.read", "timeline.read", "tweet.moderate.write", "tweet.read", "tweet.write", "users.read"}

// authorize serves x.com's consent page, GET /i/oauth2/authorize: the
// sandbox user agrees at once, and the browser goes back to redirect_uri
// with a code and the state.
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	refuse := func() {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "Something went wrong\nYou weren't able to give access to the App. Go back and try logging in again.\n")
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	method := q.Get("code_challenge_method")
	scopes := strings.Fields(q.Get("scope"))
	if q.Get("response_type") != "code" || (q.Get("client_id") != s.opts.ClientID && !s.opts.Open) ||
		err != nil || !redirect.IsAbs() || q.Get("state") == "" || q.Get("code_challenge") == "" ||
		(method != "S256" && method != "plain") || len(scopes) == 0 {
		refuse()
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(knownScopes, sc) {
			refuse()
			return
		}
	}
	s.mu.Lock()
	code := s.secret("code")
	s.codes[code] = grant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		method: method, scope: strings.Join(scopes, " "), user: s.opts.UserID, expires: s.now().Add(codeTTL)}
	s.mu.Unlock()
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	back.Set("code", code)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// secret returns a new unguessable-looking value; the caller holds s.mu.
func (s *Server) secret(kind string) string {
	s.secrets++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s-%d-%d", kind, s.secrets, s.now().UnixNano())))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// token serves POST /2/oauth2/token: grant_type authorization_code or
// refresh_token, with the client id in the form (public client) or HTTP
// Basic authentication (confidential client).
//
// Specs: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.limit(w, "app", "oauth2/token", 500, false)
	r.Body = http.MaxBytesReader(w, r.Body, maxJSON)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [grant_type].")
		return
	}
	client := r.PostForm.Get("client_id")
	if s.opts.ClientSecret != "" {
		id, secret, ok := r.BasicAuth()
		if !ok || id != s.opts.ClientID || secret != s.opts.ClientSecret {
			oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
			return
		}
		client = id
	} else if client == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [client_id].")
		return
	} else if client != s.opts.ClientID && !s.opts.Open {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the client_id was invalid.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var user, scope string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g, ok := s.codes[code]
		delete(s.codes, code)
		if !ok || !s.now().Before(g.expires) || g.clientID != client || g.redirectURI != r.PostForm.Get("redirect_uri") ||
			!verifies(g, r.PostForm.Get("code_verifier")) {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the authorization code was invalid.")
			return
		}
		user, scope = g.user, g.scope
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		u, ok := s.refresh[rt]
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the token was invalid.")
			return
		}
		// X rotates refresh tokens: this one is spent.
		delete(s.refresh, rt)
		user, scope = u, strings.Join(x.Scopes, " ")
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [grant_type].")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Value passed for the grant_type was invalid.")
		return
	}
	access := s.secret("access")
	s.tokens[access] = accessToken{user: user, expires: s.now().Add(AccessTokenTTL)}
	answer := map[string]any{"token_type": "bearer", "expires_in": int(AccessTokenTTL.Seconds()), "access_token": access,
		"scope": scope}
	if slices.Contains(strings.Fields(scope), "offline.access") {
		rt := s.secret("refresh")
		s.refresh[rt] = user
		answer["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, answer)
}

// verifies checks a PKCE verifier against the grant's challenge.
func verifies(g grant, verifier string) bool {
	if verifier == "" {
		return false
	}
	if g.method == "plain" {
		return verifier == g.challenge
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == g.challenge
}

// decodeJSON reads a JSON body of at most maxJSON bytes.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return fmt.Errorf("the Content-Type must be application/json")
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	if err != nil || len(data) > maxJSON {
		return fmt.Errorf("the request body is too large")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("the request body is not valid JSON")
	}
	return nil
}

// imageSize reads an image's width and height when the standard library
// knows its format.
func imageSize(head []byte, all io.Reader) (int, int) {
	cfg, _, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head), all))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// formFile reads the "media" part and the fields of a multipart body,
// keeping at most keep bytes of the file (the rest is only counted).
func formFile(r *http.Request, maxBytes int64, keep int) (fields url.Values, head []byte, size int, err error) {
	_, params, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || params["boundary"] == "" {
		return nil, nil, 0, fmt.Errorf("the request must be multipart/form-data")
	}
	fields = url.Values{}
	mr := multipart.NewReader(io.LimitReader(r.Body, maxBytes+1<<20), params["boundary"])
	found := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("the multipart body is malformed")
		}
		if p.FormName() == "media" {
			found = true
			buf := make([]byte, keep)
			n, _ := io.ReadFull(p, buf)
			rest, _ := io.Copy(io.Discard, p)
			head, size = buf[:n], n+int(rest)
			continue
		}
		v, _ := io.ReadAll(io.LimitReader(p, 4096))
		fields.Add(p.FormName(), string(v))
	}
	if !found {
		return nil, nil, 0, fmt.Errorf("$.media: is missing but it is required")
	}
	return fields, head, size, nil
}
