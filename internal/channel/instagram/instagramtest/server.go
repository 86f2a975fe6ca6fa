// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package instagramtest is a fake of the Instagram Content Publishing API
// (Meta's Graph API, Instagram API with Facebook Login) for the
// connector's tests and the demo's sandbox channels. It serves, at the
// same paths (with or without a /vNN.N version prefix), with the same
// methods, parameters (query string or urlencoded form, the token as
// access_token or in an "Authorization: Bearer" or "OAuth" header) and
// answers:
//
//   - POST /{ig-user-id}/media: a container for a photo (image_url,
//     caption, alt_text), a reel (media_type=REELS, video_url), a carousel
//     item (is_carousel_item=true, media_type=VIDEO for a video) or a
//     carousel (media_type=CAROUSEL, children: 2 to 10 FINISHED items of
//     the same account);
//   - GET /{container-id}?fields=status_code,status: IN_PROGRESS the
//     first time it is asked, FINISHED afterwards, EXPIRED after 24 hours,
//     so a connector that does not wait is caught;
//   - POST /{ig-user-id}/media_publish (creation_id): the post, if the
//     container is FINISHED (else 9007/2207027) and the account has not
//     used its publishing limit (else 9/2207042);
//   - GET /{ig-user-id}, GET /{ig-user-id}/media (fields, limit, since,
//     until, after), GET /{ig-media-id}, DELETE /{ig-media-id} and
//     GET /{ig-user-id}/content_publishing_limit;
//   - citizens' comments and direct messages, made with AddComment,
//     AddReply and AddMessage (which return the webhook payload, signed
//     with Sign), and the account's answers and moderation:
//     POST /{ig-comment-id}/replies, POST /{ig-user-id}/messages (a
//     direct message or a private reply), POST /{ig-comment-id} (hide),
//     DELETE /{ig-comment-id} and GET /{ig-comment-id} (see comments.go).
//
// Errors have the Graph API's shape, {"error":{"message","type","code",
// "error_subcode","is_transient","error_user_title","error_user_msg",
// "fbtrace_id"}}, with Instagram's codes: a caption over 2,200 characters
// (code points), with more than 30 hashtags or 20 @mentions is 36004/2207010
// (the wording is the fake's: Meta does not publish it), a URL that is not
// an absolute http(s) one 9004/2207052. When Options.Client is set the
// fake downloads every image_url and video_url with it, as Instagram does,
// and checks what Instagram checks: a JPEG of at most 8 MiB
// (36001/2207005, 36000/2207004) with an aspect ratio between 4:5 and
// 1.91:1 (36003/2207009), and a video whose processing ends in the
// container's ERROR status with subcode 2207026 unless it is an MP4 or
// QuickTime file. The connector's tests give it a client that reaches
// loopback addresses only; demo mode may give it one that reaches
// Piazza's own media server.
//
// Faults injected with Inject apply to the calls that create or delete a
// post, media_publish and DELETE, and to the account's answers and
// moderation (replies, messages, hiding), after the token is checked:
// FaultRateLimit is 400 code 80002 "There have been too many calls to this
// Instagram account" with an X-Business-Use-Case-Usage header whose
// estimated_time_to_regain_access is 1 (minute, Meta's unit), FaultServer
// 500 code 2 (is_transient), FaultAuth 400 code 190/463 (expired session),
// FaultBadRequest 400 code 100 "(#100) Invalid parameter", FaultLost
// publishes and answers nothing until the client gives up.
//
// The fake keeps everything in memory behind one lock, and is safe for
// heavy concurrent use.
package instagramtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // to measure downloaded photos
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
	"github.com/piazza-pa/piazza/internal/channel/instagram"
)

// Defaults of Options.
const (
	DefaultIGUserID = "17841400000000001"
	DefaultUsername = "comune.vallebella"
	DefaultName     = "Comune di Vallebella"
	// DefaultToken is the Facebook fake's default Page token: an
	// Instagram account is reached with the token of its Page.
	DefaultToken = "EAAGsandboxPageToken"
)

// Limits the fake enforces.
const (
	MaxCaption    = instagram.MaxCaption
	MaxHashtags   = instagram.MaxHashtags
	MaxMentions   = instagram.MaxMentions
	MaxCarousel   = instagram.MaxCarousel
	MaxImageBytes = instagram.MaxImageBytes
	MaxVideoBytes = 300 << 20 // a reel
	ContainerTTL  = 24 * time.Hour
	maxForm       = 1 << 20
)

// Options configure the fake.
type Options struct {
	// IGUserID, Username and Name are the professional account (defaults
	// DefaultIGUserID, DefaultUsername, DefaultName).
	IGUserID string
	Username string
	Name     string
	// PageID and PageName are the Facebook Page linked to the account,
	// for the record (the fake serves no Page).
	PageID   string
	PageName string
	// Token is the access token accepted (default DefaultToken).
	Token string
	// Open makes every numeric id an account of the fake, created when
	// first named, and accepts any token (the load benchmark's many
	// accounts).
	Open bool
	// Client, when set, downloads image_url and video_url as Instagram
	// does; nil only checks that they are absolute http(s) URLs.
	Client *http.Client
	// PublishLimit is the number of posts an account may publish in a
	// moving 24 hours: 0 means instagram.PublishLimit (100), a negative
	// number no limit.
	PublishLimit int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Container is a media container the fake holds.
type Container struct {
	ID           string
	User         string
	MediaType    string // IMAGE, VIDEO, REELS or CAROUSEL
	ImageURL     string
	VideoURL     string
	Caption      string
	AltText      string
	CarouselItem bool
	Children     []string
	Status       string // IN_PROGRESS, FINISHED, EXPIRED, PUBLISHED
	ContentType  string // of the downloaded file, when the fake downloads
	Bytes        int
	Created      time.Time
}

// Media is a published post the fake holds.
type Media struct {
	ID        string
	User      string
	Container string
	Caption   string
	Permalink string
	Published time.Time
	Deleted   bool
}

// Server is the fake Graph API for Instagram. Received lists one entry per
// published post.
type Server struct {
	channeltest.Log
	channeltest.Faults

	opts  Options
	now   func() time.Time
	limit int

	mu         sync.Mutex
	accounts   map[string]*account
	containers map[string]*container
	media      map[string]*media
	seq        int64
	// comments, messages and lastInbound are what citizens wrote and the
	// account answered (comments.go); lastInbound keys are "user/igsid".
	comments    map[string]*Comment
	messages    []Message
	lastInbound map[string]time.Time
}

type account struct {
	id, username, name string
	media              []*media    // oldest first
	published          []time.Time // media_publish times, for the limit
}

type container struct {
	Container
	polled bool
	fail   string // the subcode a video's processing fails with
}

type media struct {
	Media
	seq int64
	log int
}

// New returns a fake with the given options.
func New(opts Options) *Server {
	if opts.IGUserID == "" {
		opts.IGUserID = DefaultIGUserID
	}
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	s := &Server{opts: opts, now: opts.Now, limit: opts.PublishLimit, accounts: map[string]*account{},
		containers: map[string]*container{}, media: map[string]*media{}, seq: 17900000000000000,
		comments: map[string]*Comment{}, lastInbound: map[string]time.Time{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limit == 0 {
		s.limit = instagram.PublishLimit
	}
	s.accounts[opts.IGUserID] = &account{id: opts.IGUserID, username: opts.Username, name: opts.Name}
	return s
}

// Platform is channel.Instagram.
func (*Server) Platform() channel.Platform { return channel.Instagram }

// Containers returns every container the fake holds, oldest first.
func (s *Server) Containers() []Container {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Container, 0, len(s.containers))
	for _, c := range s.containers {
		out = append(out, c.Container)
	}
	slices.SortFunc(out, func(a, b Container) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Media returns every post the fake holds, oldest first.
func (s *Server) Media() []Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Media, 0, len(s.media))
	for _, m := range s.media {
		out = append(out, m.Media)
	}
	slices.SortFunc(out, func(a, b Media) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// apiErr is a Graph API error answer.
type apiErr struct {
	status    int
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	Transient bool   `json:"is_transient"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	TraceID   string `json:"fbtrace_id"`
	header    http.Header
}

func invalid(format string, args ...any) *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 100,
		Message: "(#100) " + fmt.Sprintf(format, args...)}
}

// igErr is one of Instagram's publishing errors.
func igErr(code, subcode int, msg, title, userMsg string) *apiErr {
	return &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: code, Subcode: subcode,
		Message: msg, UserTitle: title, UserMsg: userMsg}
}

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

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	versionRe = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	idRe      = regexp.MustCompile(`^[0-9]{1,30}$`)
)

// ServeHTTP answers the Graph API.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/content-publishing/
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) > 0 && versionRe.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) == 0 || len(segs) > 2 || !idRe.MatchString(segs[0]) {
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 2500,
			Message: "Unknown path components: " + r.URL.Path})
		return
	}
	node, edge := segs[0], ""
	if len(segs) == 2 {
		edge = segs[1]
	}
	vals, e := parseParams(w, r)
	if e != nil {
		s.fail(w, e)
		return
	}
	token := tokenOf(r, vals)
	switch {
	case token == "":
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 104,
			Message: "An access token is required to request this resource."})
		return
	case token != s.opts.Token && !s.opts.Open:
		s.fail(w, badToken("Invalid OAuth access token - Cannot parse access token", 0))
		return
	}
	switch {
	case edge == "" && r.Method == http.MethodGet:
		s.answer(w, r, false, func() (any, *apiErr) { return s.getNode(node, vals) })
	case edge == "" && r.Method == http.MethodDelete && s.isComment(node):
		s.answer(w, r, true, func() (any, *apiErr) { return s.removeComment(node) })
	case edge == "" && r.Method == http.MethodDelete:
		s.answer(w, r, true, func() (any, *apiErr) { return s.remove(node) })
	case edge == "" && r.Method == http.MethodPost && s.isComment(node):
		s.answer(w, r, true, func() (any, *apiErr) { return s.hide(node, vals) })
	case edge == "" && r.Method == http.MethodPost:
		s.fail(w, notFound(http.MethodPost, node))
	case edge == "replies" && r.Method == http.MethodPost:
		s.answer(w, r, true, func() (any, *apiErr) { return s.reply(node, vals) })
	case edge == "messages" && r.Method == http.MethodPost:
		s.answer(w, r, true, func() (any, *apiErr) { return s.sendMessage(node, vals) })
	case edge == "media" && r.Method == http.MethodPost:
		s.answer(w, r, false, func() (any, *apiErr) { return s.createContainer(r.Context(), node, vals) })
	case edge == "media" && r.Method == http.MethodGet:
		s.answer(w, r, false, func() (any, *apiErr) { return s.listMedia(node, vals) })
	case edge == "media_publish" && r.Method == http.MethodPost:
		s.answer(w, r, true, func() (any, *apiErr) { return s.publish(node, vals) })
	case edge == "content_publishing_limit" && r.Method == http.MethodGet:
		s.answer(w, r, false, func() (any, *apiErr) { return s.quota(node) })
	default:
		s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 2500,
			Message: fmt.Sprintf("Unknown path components: /%s", edge)})
	}
}

// answer runs h, under the injected faults when it creates or deletes a
// post, and writes its result.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, write bool, h func() (any, *apiErr)) {
	lost := false
	if write {
		switch s.Next() {
		case channeltest.FaultRateLimit:
			usage := fmt.Sprintf(`{"%s":[{"type":"instagram","call_count":100,"total_cputime":12,"total_time":15,`+
				`"estimated_time_to_regain_access":1}]}`, s.opts.IGUserID)
			s.fail(w, &apiErr{status: http.StatusBadRequest, Type: "OAuthException", Code: 80002,
				Message: "There have been too many calls to this Instagram account. Wait a bit and try again. For more info, " +
					"please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
				header: http.Header{"X-Business-Use-Case-Usage": {usage}}})
			return
		case channeltest.FaultServer:
			s.fail(w, &apiErr{status: http.StatusInternalServerError, Type: "OAuthException", Code: 2, Transient: true,
				Message: "An unexpected error has occurred. Please retry your request later."})
			return
		case channeltest.FaultAuth:
			s.fail(w, badToken("Error validating access token: Session has expired.", 463))
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

// parseParams reads the query string and a urlencoded or JSON body.
func parseParams(w http.ResponseWriter, r *http.Request) (url.Values, *apiErr) {
	vals := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxForm))
		if err != nil {
			return nil, invalid("The request body is too large")
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, invalid("Invalid form body")
		}
		for k, v := range form {
			vals[k] = v
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
				vals.Set(k, s)
			} else {
				vals.Set(k, string(raw))
			}
		}
	}
	return vals, nil
}

func tokenOf(r *http.Request, vals url.Values) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return strings.TrimSpace(vals.Get("access_token"))
}

// accountFor returns the account id names; the caller holds s.mu.
func (s *Server) accountFor(id string) *account {
	a := s.accounts[id]
	if a == nil && s.opts.Open && idRe.MatchString(id) {
		a = &account{id: id, username: "account" + id, name: "Account " + id}
		s.accounts[id] = a
	}
	return a
}

// nextID returns a new id; the caller holds s.mu.
func (s *Server) nextID() (string, int64) {
	s.seq++
	return strconv.FormatInt(s.seq, 10), s.seq
}

// fieldsOf reads a fields parameter.
func fieldsOf(v string, defaults ...string) map[string]bool {
	out := map[string]bool{"id": true}
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out[f] = true
		}
	}
	if len(out) == 1 {
		for _, f := range defaults {
			out[f] = true
		}
	}
	return out
}

func pick(fields map[string]bool, all map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range all {
		if fields[k] && v != nil {
			out[k] = v
		}
	}
	return out
}

func emptyNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

// mentionRe is an @mention as Instagram links it.
var mentionRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@])@[A-Za-z0-9._]{1,30}`)

// checkCaption applies the caption's limits.
func checkCaption(caption string) *apiErr {
	n, tags, mentions := utf8.RuneCountInString(caption), len(channel.Hashtags(caption)), len(mentionRe.FindAllString(caption, -1))
	if !utf8.ValidString(caption) || n > MaxCaption || tags > MaxHashtags || mentions > MaxMentions {
		return igErr(36004, 2207010, "The caption is too long or has too many hashtags or mentions.", "Caption not valid",
			fmt.Sprintf("The caption has %d characters, %d hashtags and %d @mentions: at most %d, %d and %d are allowed.",
				n, tags, mentions, MaxCaption, MaxHashtags, MaxMentions))
	}
	return nil
}

// fetchErr is the answer for a file Instagram could not download.
func fetchErr(u string) *apiErr {
	return igErr(9004, 2207052, "Only photo or video can be accepted as media type.", "Media download has failed.",
		"The media could not be fetched from this URI: "+u)
}

// createContainer answers POST /{ig-user-id}/media.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#creating
func (s *Server) createContainer(ctx context.Context, user string, v url.Values) (any, *apiErr) {
	c := &container{Container: Container{User: user, MediaType: strings.ToUpper(v.Get("media_type")), ImageURL: v.Get("image_url"),
		VideoURL: v.Get("video_url"), Caption: v.Get("caption"), AltText: v.Get("alt_text"),
		CarouselItem: v.Get("is_carousel_item") == "true", Status: "IN_PROGRESS"}}
	if c.MediaType == "" {
		c.MediaType = "IMAGE"
	}
	if e := checkCaption(c.Caption); e != nil {
		return nil, e
	}
	switch {
	case c.MediaType == "CAROUSEL":
		if c.CarouselItem {
			return nil, invalid("A carousel cannot be an item of another carousel")
		}
		for id := range strings.SplitSeq(v.Get("children"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.Children = append(c.Children, id)
			}
		}
		if n := len(c.Children); n < 2 || n > MaxCarousel {
			return nil, igErr(100, 2207028, "Carousel validation failed", "Cannot create carousel",
				"Your post won't work as a carousel. Carousels need at least 2 photos/videos and no more than 10 photos/videos.")
		}
	case c.MediaType == "IMAGE":
		if c.ImageURL == "" {
			return nil, invalid("The parameter image_url is required.")
		}
		if e := s.download(ctx, c, c.ImageURL, true); e != nil {
			return nil, e
		}
	case c.MediaType == "REELS" || (c.MediaType == "VIDEO" && c.CarouselItem):
		if c.VideoURL == "" {
			return nil, invalid("The parameter video_url is required.")
		}
		if c.CarouselItem && c.MediaType == "REELS" {
			return nil, invalid("A reel cannot be a carousel item")
		}
		if e := s.download(ctx, c, c.VideoURL, false); e != nil {
			return nil, e
		}
	default:
		return nil, igErr(100, 2207023, "The media type "+c.MediaType+" is unknown.", "Unknown media type",
			"The media type "+c.MediaType+" is unknown: use IMAGE, REELS, VIDEO for a carousel item, or CAROUSEL.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accountFor(user) == nil {
		return nil, notFound(http.MethodPost, user)
	}
	for _, id := range c.Children {
		ch := s.containers[id]
		switch {
		case ch == nil || ch.User != user || !ch.CarouselItem:
			return nil, invalid("The carousel child %s is not a carousel item container of this account", id)
		case s.status(ch) != "FINISHED":
			return nil, igErr(9007, 2207027, "Media ID is not available", "Media not ready",
				"The media is not ready for publishing, please wait for a moment")
		}
	}
	c.ID, _ = s.nextID()
	c.Created = s.now().UTC()
	s.containers[c.ID] = c
	return map[string]string{"id": c.ID}, nil
}

// download fetches a container's file when the fake has a client, and
// checks it as Instagram does; without one it only checks the URL.
func (s *Server) download(ctx context.Context, c *container, raw string, photo bool) *apiErr {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fetchErr(raw)
	}
	if s.opts.Client == nil {
		if photo {
			c.ContentType = "image/jpeg"
		} else {
			c.ContentType = "video/mp4"
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fetchErr(raw)
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return fetchErr(raw)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fetchErr(raw)
	}
	limit := int64(MaxVideoBytes)
	if photo {
		limit = MaxImageBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fetchErr(raw)
	}
	c.Bytes = len(data)
	if !photo {
		// Instagram processes a video after the container is made: what
		// it finds wrong shows as the container's ERROR status.
		if int64(len(data)) > limit || len(data) < 12 || string(data[4:8]) != "ftyp" {
			c.fail = "2207026"
		}
		c.ContentType = "video/mp4"
		return nil
	}
	if int64(len(data)) > limit {
		return igErr(36000, 2207004, "The image size is too large.", "Image size too large",
			"The image is too large to download. It should be less than 8 MiB.")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != "jpeg" {
		return igErr(36001, 2207005, "The image format is not supported.", "Unsupported image format",
			"The image format is not supported. Use a JPEG image.")
	}
	if r := float64(cfg.Width) / float64(cfg.Height); cfg.Height <= 0 || r < 0.8-0.001 || r > 1.91+0.001 {
		return igErr(36003, 2207009, "The aspect ratio is not supported.", "Unsupported aspect ratio",
			fmt.Sprintf("The submitted image with aspect ratio ('%d/%d') cannot be published. Please submit an image with a valid aspect ratio.",
				cfg.Width, cfg.Height))
	}
	c.ContentType = "image/jpeg"
	return nil
}

// status is a container's status now; the caller holds s.mu.
func (s *Server) status(c *container) string {
	if c.Status != "PUBLISHED" && s.now().Sub(c.Created) >= ContainerTTL {
		c.Status = "EXPIRED"
	}
	return c.Status
}

// getNode answers GET /{id} for an account, a container or a media.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
func (s *Server) getNode(id string, v url.Values) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.comments[id] != nil {
		return s.getComment(id, v)
	}
	if c := s.containers[id]; c != nil {
		st := s.status(c)
		if st == "IN_PROGRESS" {
			switch {
			case c.polled && c.fail != "":
				c.Status, st = "ERROR", "ERROR"
			case c.polled:
				c.Status, st = "FINISHED", "FINISHED"
			}
			c.polled = true
		}
		f := fieldsOf(v.Get("fields"), "id")
		status := st
		switch st {
		case "FINISHED":
			status = "Finished: Media has been uploaded and it is ready to be published."
		case "ERROR":
			// "If status_code is ERROR, this value will be an error
			// subcode."
			status = c.fail
		}
		return pick(f, map[string]any{"id": c.ID, "status_code": st, "status": status}), nil
	}
	if m := s.media[id]; m != nil {
		if m.Deleted {
			return nil, notFound(http.MethodGet, id)
		}
		return pick(fieldsOf(v.Get("fields"), "id"), s.mediaFields(m)), nil
	}
	a := s.accountFor(id)
	if a == nil {
		return nil, notFound(http.MethodGet, id)
	}
	f := fieldsOf(v.Get("fields"), "username")
	return pick(f, map[string]any{"id": a.id, "username": a.username, "name": a.name,
		"profile_picture_url": "https://scontent.cdninstagram.com/v/" + a.id + ".jpg", "media_count": len(a.media)}), nil
}

func (s *Server) mediaFields(m *media) map[string]any {
	c := s.containers[m.Container]
	kind, product := "IMAGE", "FEED"
	switch c.MediaType {
	case "REELS":
		kind, product = "VIDEO", "REELS"
	case "CAROUSEL":
		kind = "CAROUSEL_ALBUM"
	}
	return map[string]any{"id": m.ID, "caption": emptyNil(m.Caption), "timestamp": graphTime(m.Published),
		"permalink": m.Permalink, "media_type": kind, "media_product_type": product, "username": s.accounts[m.User].username,
		"alt_text": emptyNil(c.AltText)}
}

// publish answers POST /{ig-user-id}/media_publish.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish
func (s *Server) publish(user string, v url.Values) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountFor(user)
	if a == nil {
		return nil, notFound(http.MethodPost, user)
	}
	creation := v.Get("creation_id")
	c := s.containers[creation]
	if c == nil || c.User != user {
		return nil, igErr(24, 2207006, "The media with id "+creation+" cannot be found.", "Media not found",
			"The media with id "+creation+" cannot be found.")
	}
	switch st := s.status(c); {
	case c.CarouselItem:
		return nil, invalid("A carousel item cannot be published alone: publish the carousel")
	case st == "EXPIRED":
		return nil, igErr(-2, 2207020, "The media has expired.", "Media expired",
			"The media you are trying to access has expired. Please try to upload again.")
	case st == "PUBLISHED":
		return nil, invalid("The media container %s has been published already", creation)
	case st != "FINISHED":
		return nil, igErr(9007, 2207027, "Media ID is not available", "Media not ready",
			"The media is not ready for publishing, please wait for a moment")
	}
	now := s.now().UTC()
	recent := a.published[:0]
	for _, t := range a.published {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	a.published = recent
	if s.limit > 0 && len(recent) >= s.limit {
		return nil, igErr(9, 2207042, "Application request limit reached", "Publishing limit reached",
			"You reached maximum number of posts that is allowed to be published by Content Publishing API.")
	}
	a.published = append(a.published, now)
	c.Status = "PUBLISHED"
	id, seq := s.nextID()
	short := shortcode(seq)
	m := &media{Media: Media{ID: id, User: user, Container: creation, Caption: c.Caption,
		Permalink: "https://www.instagram.com/p/" + short + "/", Published: now}, seq: seq}
	rec := channeltest.Received{Platform: channel.Instagram, Target: user, RemoteID: id, URL: m.Permalink,
		Text: c.Caption, At: now}
	items := []*container{c}
	if c.MediaType == "CAROUSEL" {
		items = items[:0]
		for _, ch := range c.Children {
			items = append(items, s.containers[ch])
		}
	}
	for _, it := range items {
		rec.Media = append(rec.Media, channeltest.ReceivedMedia{ContentType: it.ContentType, Bytes: it.Bytes, AltText: it.AltText})
	}
	m.log = s.Add(rec)
	s.media[id] = m
	a.media = append(a.media, m)
	return map[string]string{"id": id}, nil
}

// shortcode makes a permalink's code from a sequence number.
func shortcode(n int64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b [11]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[n%64]
		n /= 64
	}
	return string(b[:])
}

// remove answers DELETE /{ig-media-id}.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
func (s *Server) remove(id string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[id]
	if m == nil || m.Deleted {
		return nil, notFound(http.MethodDelete, id)
	}
	m.Deleted = true
	s.Update(m.log, func(r *channeltest.Received) { r.Deleted = true })
	return map[string]any{"success": true, "deleted_id": id}, nil
}

// listMedia answers GET /{ig-user-id}/media: newest first, limit at a time
// (25 by default, 100 at most), from the cursor after, published within
// since and until (Unix times).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reading
func (s *Server) listMedia(user string, v url.Values) (any, *apiErr) {
	limit := 25
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return nil, invalid("param limit must be a positive number")
		}
		limit = min(n, 100)
	}
	var since, until time.Time
	for name, t := range map[string]*time.Time{"since": &since, "until": &until} {
		if x := v.Get(name); x != "" {
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, invalid("param %s must be a Unix time", name)
			}
			*t = time.Unix(n, 0).UTC()
		}
	}
	var after int64 = -1
	if x := v.Get("after"); x != "" {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return nil, invalid("Invalid cursor after")
		}
		after = n
	}
	f := fieldsOf(v.Get("fields"), "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountFor(user)
	if a == nil {
		return nil, notFound(http.MethodGet, user)
	}
	data := []map[string]any{}
	more := false
	var first, last int64
	for i := len(a.media) - 1; i >= 0; i-- {
		m := a.media[i]
		if m.Deleted || (after >= 0 && m.seq >= after) || (!until.IsZero() && m.Published.After(until)) {
			continue
		}
		if !since.IsZero() && m.Published.Before(since) {
			break
		}
		if len(data) == limit {
			more = true
			break
		}
		if len(data) == 0 {
			first = m.seq
		}
		last = m.seq
		data = append(data, pick(f, s.mediaFields(m)))
	}
	out := map[string]any{"data": data}
	if len(data) > 0 {
		paging := map[string]any{"cursors": map[string]string{"before": strconv.FormatInt(first, 10), "after": strconv.FormatInt(last, 10)}}
		if more {
			q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {strconv.FormatInt(last, 10)}}
			if x := v.Get("fields"); x != "" {
				q.Set("fields", x)
			}
			paging["next"] = "https://graph.facebook.com/" + instagram.APIVersion + "/" + user + "/media?" + q.Encode()
		}
		out["paging"] = paging
	}
	return out, nil
}

// quota answers GET /{ig-user-id}/content_publishing_limit.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
func (s *Server) quota(user string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountFor(user)
	if a == nil {
		return nil, notFound(http.MethodGet, user)
	}
	now := s.now()
	used := 0
	for _, t := range a.published {
		if now.Sub(t) < 24*time.Hour {
			used++
		}
	}
	total := s.limit
	if total < 0 {
		total = 0
	}
	return map[string]any{"data": []map[string]any{{"quota_usage": used,
		"config": map[string]int{"quota_total": total, "quota_duration": 86400}}}}, nil
}
