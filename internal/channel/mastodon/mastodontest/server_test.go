// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodontest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

var _ channeltest.Recorder = (*mastodontest.Server)(nil)

// client talks to a fake as a Mastodon app would.
type client struct {
	t     *testing.T
	url   string
	token string
}

func newFake(t *testing.T, opts mastodontest.Options) (*mastodontest.Server, *client) {
	t.Helper()
	s := mastodontest.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, &client{t: t, url: srv.URL, token: mastodontest.DefaultToken}
}

// do sends a request and decodes the JSON answer into a map or a list.
func (c *client) do(method, path, ctype string, body []byte, header map[string]string) (int, http.Header, any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, resp.Header, out
}

func (c *client) postJSON(path string, v any, header map[string]string) (int, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	code, _, out := c.do(http.MethodPost, path, "application/json", b, header)
	m, _ := out.(map[string]any)
	return code, m
}

// upload sends a file to POST /api/v2/media.
func (c *client) upload(ctype string, data []byte, description string) (int, map[string]any) {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{multipart.FileContentDisposition("file", "f")}
	h["Content-Type"] = []string{ctype}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(data)
	if description != "" {
		_ = w.WriteField("description", description)
	}
	_ = w.Close()
	code, _, out := c.do(http.MethodPost, "/api/v2/media", w.FormDataContentType(), b.Bytes(), nil)
	m, _ := out.(map[string]any)
	return code, m
}

var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

var mp4 = append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i', 's', 'o', 'm'},
	make([]byte, 100)...)

func errorOf(v map[string]any) string { s, _ := v["error"].(string); return s }

func TestStatusRules(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{MaxCharacters: 50})
	_, img := c.upload("image/png", png1x1, "Una foto")
	_, img2 := c.upload("image/png", png1x1, "")
	code, vid := c.upload("video/mp4", mp4, "Un video")
	if code != http.StatusAccepted || vid["url"] != nil || img["url"] == nil || img["description"] != "Una foto" {
		t.Fatalf("uploads: video %d %v, image %v", code, vid, img)
	}
	imgID, img2ID, vidID := img["id"].(string), img2["id"].(string), vid["id"].(string)
	tests := []struct {
		name string
		body map[string]any
		code int
		err  string
	}{
		{"too long", map[string]any{"status": strings.Repeat("a", 51)}, 422, "Validation failed: Text character limit of 50 exceeded"},
		{"links count 23", map[string]any{"status": strings.Repeat("a", 26) + " https://www.comune.vallebella.it/" + strings.Repeat("x", 60)}, 200, ""},
		{"remote mention counts short", map[string]any{"status": strings.Repeat("a", 40) + " @ab@" + strings.Repeat("c", 30) + ".it"}, 200, ""},
		{"stripped", map[string]any{"status": "  " + strings.Repeat("a", 50) + "\n\n"}, 200, ""},
		{"blank", map[string]any{"status": " "}, 422, "Validation failed: Text can't be blank"},
		{"unknown media", map[string]any{"status": "x", "media_ids": []string{imgID, "999"}}, 422,
			"Media 999 not found or already attached to another post"},
		{"video not processed", map[string]any{"status": "x", "media_ids": []string{vidID}}, 422,
			"Cannot attach files that have not finished processing. Try again in a moment!"},
		{"too many", map[string]any{"status": "x", "media_ids": []string{"1", "2", "3", "4", "5"}}, 422, "Cannot attach more than 4 files"},
		{"bad visibility", map[string]any{"status": "x", "visibility": "everyone"}, 422, "'everyone' is not a valid visibility"},
		{"media without text", map[string]any{"media_ids": []string{imgID}}, 200, ""},
		{"media already attached", map[string]any{"status": "x", "media_ids": []string{imgID}}, 422,
			"Media " + imgID + " not found or already attached to another post"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := c.postJSON("/api/v1/statuses", tt.body, nil)
			if code != tt.code || errorOf(out) != tt.err {
				t.Errorf("answered %d %v", code, out)
			}
		})
	}
	// A video, once processed, goes alone.
	if code, _, _ := c.do(http.MethodGet, "/api/v1/media/"+vidID, "", nil, nil); code != 200 {
		t.Fatalf("media processed: %d", code)
	}
	code, out := c.postJSON("/api/v1/statuses", map[string]any{"status": "x", "media_ids": []string{img2ID, vidID}}, nil)
	if code != 422 || errorOf(out) != "Cannot attach a video to a post that already contains images" {
		t.Errorf("video with an image: %d %v", code, out)
	}
	if got := s.Received(); len(got) != 4 || got[2].Text != strings.Repeat("a", 50) || got[3].Media[0].AltText != "Una foto" {
		t.Errorf("received %+v", got)
	}
}

func TestForms(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{})
	_, img := c.upload("image/png", png1x1, "")
	id := img["id"].(string)
	form := url.Values{"status": {"Dal modulo"}, "media_ids[]": {id}, "language": {"it"}}
	code, _, out := c.do(http.MethodPost, "/api/v1/statuses", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	st, _ := out.(map[string]any)
	if code != 200 || st["language"] != "it" || len(st["media_attachments"].([]any)) != 1 {
		t.Fatalf("form post: %d %v", code, out)
	}
	// Edit with media_attributes as a form.
	form = url.Values{"status": {"Dal modulo, corretto"}, "media_ids[]": {id}, "media_attributes[][id]": {id},
		"media_attributes[][description]": {"Descrizione nuova"}}
	code, _, out = c.do(http.MethodPut, "/api/v1/statuses/"+st["id"].(string), "application/x-www-form-urlencoded",
		[]byte(form.Encode()), nil)
	if edited, _ := out.(map[string]any); code != 200 || edited["edited_at"] == nil {
		t.Fatalf("form edit: %d %v", code, out)
	}
	// A multipart status.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("status", "In più parti")
	_ = w.Close()
	if code, _, out := c.do(http.MethodPost, "/api/v1/statuses", w.FormDataContentType(), b.Bytes(), nil); code != 200 {
		t.Fatalf("multipart post: %d %v", code, out)
	}
	got := s.Received()
	if len(got) != 2 || got[0].Text != "Dal modulo, corretto" || got[0].Media[0].AltText != "Descrizione nuova" ||
		!got[0].Edited || got[1].Text != "In più parti" {
		t.Errorf("received %+v", got)
	}
	// Broken JSON.
	if code, _, _ := c.do(http.MethodPost, "/api/v1/statuses", "application/json", []byte("{"), nil); code != 400 {
		t.Errorf("broken JSON: %d", code)
	}
}

func TestIdempotency(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, c := newFake(t, mastodontest.Options{Now: clock})
	key := map[string]string{"Idempotency-Key": "chiave-1"}
	_, first := c.postJSON("/api/v1/statuses", map[string]any{"status": "Una volta"}, key)
	_, again := c.postJSON("/api/v1/statuses", map[string]any{"status": "Anche diverso"}, key)
	if first["id"] != again["id"] || len(s.Received()) != 1 {
		t.Fatalf("first %v, again %v", first["id"], again["id"])
	}
	// Another account's key is its own.
	s.AddAccount("altro-token", "pro_loco", "Pro Loco")
	other := &client{t: t, url: c.url, token: "altro-token"}
	if _, st := other.postJSON("/api/v1/statuses", map[string]any{"status": "Una volta"}, key); st["id"] == first["id"] {
		t.Error("the key crossed accounts")
	}
	// Deleted: 404 within the hour.
	if code, _, _ := c.do(http.MethodDelete, "/api/v1/statuses/"+first["id"].(string), "", nil, nil); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	if code, out := c.postJSON("/api/v1/statuses", map[string]any{"status": "Una volta"}, key); code != 404 || errorOf(out) != "Record not found" {
		t.Errorf("key of a deleted status: %d %v", code, out)
	}
	// After an hour the key is forgotten.
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if code, st := c.postJSON("/api/v1/statuses", map[string]any{"status": "Una volta"}, key); code != 200 || st["id"] == first["id"] {
		t.Errorf("after an hour: %d %v", code, st)
	}
	if n := len(s.Received()); n != 3 {
		t.Errorf("%d statuses", n)
	}
}

func TestAuth(t *testing.T) {
	_, c := newFake(t, mastodontest.Options{})
	c.token = ""
	code, h, out := c.do(http.MethodPost, "/api/v1/statuses", "application/json", []byte(`{"status":"x"}`), nil)
	if code != 401 || errorOf(out.(map[string]any)) != "The access token is invalid" || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("no token: %d %v %v", code, h, out)
	}
	c.token = "sconosciuto"
	if code, _ := c.postJSON("/api/v1/statuses", map[string]any{"status": "x"}, nil); code != 401 {
		t.Errorf("unknown token: %d", code)
	}
	// An app token (client_credentials, read only).
	c.token = ""
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mastodontest.DefaultClientID},
		"client_secret": {mastodontest.DefaultClientSecret}, "scope": {"read"}}
	_, _, out = c.do(http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	c.token, _ = out.(map[string]any)["access_token"].(string)
	if code, out := c.postJSON("/api/v1/statuses", map[string]any{"status": "x"}, nil); code != 403 ||
		errorOf(out) != "This action is outside the authorized scopes" {
		t.Errorf("read token posting: %d %v", code, out)
	}
	if code, _, out := c.do(http.MethodGet, "/api/v1/accounts/verify_credentials", "", nil, nil); code != 422 ||
		errorOf(out.(map[string]any)) != "This method requires an authenticated user" {
		t.Errorf("app token reading the account: %d %v", code, out)
	}
	// The instance is public.
	c.token = ""
	if code, _, out := c.do(http.MethodGet, "/api/v2/instance", "", nil, nil); code != 200 || out.(map[string]any)["domain"] != "mastodon.example" {
		t.Errorf("instance: %d %v", code, out)
	}
}

func TestFaults(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{})
	_, st := c.postJSON("/api/v1/statuses", map[string]any{"status": "Primo"}, nil)
	id := st["id"].(string)
	tests := []struct {
		fault  channeltest.Fault
		method string
		code   int
		err    string
		header string
	}{
		{channeltest.FaultRateLimit, http.MethodPost, 429, "Too many requests", "X-RateLimit-Reset"},
		{channeltest.FaultServer, http.MethodPut, 500, "Internal Server Error", ""},
		{channeltest.FaultAuth, http.MethodDelete, 401, "The access token is invalid", "WWW-Authenticate"},
		{channeltest.FaultBadRequest, http.MethodPost, 422, "Validation failed: Text character limit of 500 exceeded", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.fault), func(t *testing.T) {
			s.Inject(tt.fault, 1)
			path := "/api/v1/statuses"
			if tt.method != http.MethodPost {
				path += "/" + id
			}
			code, h, out := c.do(tt.method, path, "application/json", []byte(`{"status":"Altro"}`), nil)
			if code != tt.code || errorOf(out.(map[string]any)) != tt.err || (tt.header != "" && h.Get(tt.header) == "") {
				t.Errorf("answered %d %v %v", code, h, out)
			}
		})
	}
	if got := s.Received(); len(got) != 1 || got[0].Text != "Primo" || got[0].Deleted {
		t.Errorf("faults changed statuses: %+v", got)
	}
	// FaultLost on a delete: done, then no answer until the client gives up.
	s.Inject(channeltest.FaultLost, 1)
	req, _ := http.NewRequest(http.MethodDelete, c.url+"/api/v1/statuses/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+mastodontest.DefaultToken)
	if _, err := (&http.Client{Timeout: 100 * time.Millisecond}).Do(req); err == nil {
		t.Error("lost delete answered")
	}
	if got := s.Received(); !got[0].Deleted {
		t.Error("lost delete not done")
	}
}

func TestAccountStatuses(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{})
	var ids []string
	for i := range 5 {
		_, st := c.postJSON("/api/v1/statuses", map[string]any{"status": fmt.Sprintf("Stato %d", i)}, nil)
		ids = append(ids, st["id"].(string))
	}
	acct := s.AccountID(mastodontest.DefaultUsername)
	list := func(q string) []string {
		code, _, out := c.do(http.MethodGet, "/api/v1/accounts/"+acct+"/statuses?"+q, "", nil, nil)
		if code != 200 {
			t.Fatalf("list %s: %d", q, code)
		}
		var got []string
		for _, v := range out.([]any) {
			got = append(got, v.(map[string]any)["id"].(string))
		}
		return got
	}
	if got := list("limit=2"); strings.Join(got, ",") != ids[4]+","+ids[3] {
		t.Errorf("limit 2: %v", got)
	}
	if got := list("max_id=" + ids[3] + "&limit=2"); strings.Join(got, ",") != ids[2]+","+ids[1] {
		t.Errorf("max_id: %v", got)
	}
	if got := list("min_id=" + ids[1] + "&limit=2"); strings.Join(got, ",") != ids[3]+","+ids[2] {
		t.Errorf("min_id: %v", got)
	}
	if got := list("pinned=true"); len(got) != 0 {
		t.Errorf("pinned: %v", got)
	}
	if code, _, _ := c.do(http.MethodGet, "/api/v1/accounts/42/statuses", "", nil, nil); code != 404 {
		t.Errorf("unknown account: %d", code)
	}
	// The source of someone else's status is not found.
	s.AddAccount("altro", "altro", "Altro")
	other := &client{t: t, url: c.url, token: "altro"}
	if code, _, _ := other.do(http.MethodGet, "/api/v1/statuses/"+ids[0]+"/source", "", nil, nil); code != 404 {
		t.Errorf("source of another's status: %d", code)
	}
	if code, _, out := c.do(http.MethodGet, "/api/v1/statuses/"+ids[0]+"/source", "", nil, nil); code != 200 ||
		out.(map[string]any)["text"] != "Stato 0" {
		t.Errorf("source: %d %v", code, out)
	}
}

func TestMediaLimits(t *testing.T) {
	_, c := newFake(t, mastodontest.Options{ImageSizeLimit: 1 << 20, DescriptionLimit: 10})
	tests := []struct {
		name  string
		ctype string
		data  []byte
		desc  string
		code  int
		err   string
	}{
		{"image", "image/png", png1x1, "", 200, ""},
		{"declared wrong", "application/octet-stream", png1x1, "", 200, ""},
		{"video", "video/mp4", mp4, "", 202, ""},
		{"text file", "image/png", []byte("hello, not an image"), "", 422, "Validation failed: File content type is invalid, File is invalid"},
		{"too big", "image/png", append(append([]byte{}, png1x1...), make([]byte, 1<<20)...), "", 422,
			"Validation failed: File file size must be less than 1 MB"},
		{"description too long", "image/png", png1x1, "undici caratteri", 422,
			"Validation failed: Description is too long (maximum is 10 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := c.upload(tt.ctype, tt.data, tt.desc)
			if code != tt.code || errorOf(out) != tt.err {
				t.Errorf("answered %d %v", code, out)
			}
		})
	}
	if code, _, _ := c.do(http.MethodGet, "/api/v1/media/1", "", nil, nil); code != 404 {
		t.Errorf("unknown media: %d", code)
	}
}

func TestOAuthPages(t *testing.T) {
	_, c := newFake(t, mastodontest.Options{RedirectURI: "https://piazza.example/cb"})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(q url.Values) *http.Response {
		resp, err := noFollow.Get(c.url + "/oauth/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	base := url.Values{"response_type": {"code"}, "client_id": {mastodontest.DefaultClientID},
		"redirect_uri": {"https://piazza.example/cb"}, "scope": {"read write"}, "state": {"s"}}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key, vals := range base {
			q[key] = vals
		}
		q.Set(k, v)
		return q
	}
	if resp := get(with("client_id", "nessuno")); resp.StatusCode != 400 {
		t.Errorf("unknown client: %d", resp.StatusCode)
	}
	if resp := get(with("redirect_uri", "https://evil.example/cb")); resp.StatusCode != 400 {
		t.Errorf("other redirect: %d", resp.StatusCode)
	}
	resp := get(with("scope", "admin:write"))
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != 302 || loc.Query().Get("error") != "invalid_scope" ||
		loc.Query().Get("state") != "s" {
		t.Errorf("bad scope: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = get(with("code_challenge_method", "plain"))
	resp2 := get(base)
	if resp.StatusCode != 302 || resp2.StatusCode != 302 {
		t.Errorf("authorize: %d %d", resp.StatusCode, resp2.StatusCode)
	}
	// No PKCE: the code works without a verifier.
	loc, _ := url.Parse(resp2.Header.Get("Location"))
	c.token = ""
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"https://piazza.example/cb"}}
	req, _ := http.NewRequest(http.MethodPost, c.url+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(mastodontest.DefaultClientID, mastodontest.DefaultClientSecret)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var tok map[string]any
	_ = json.NewDecoder(r.Body).Decode(&tok)
	if r.StatusCode != 200 || tok["token_type"] != "Bearer" || tok["scope"] != "read write" {
		t.Errorf("token: %d %v", r.StatusCode, tok)
	}
	if code, _, out := c.do(http.MethodPost, "/oauth/token", "application/x-www-form-urlencoded",
		[]byte("grant_type=password&client_id="+mastodontest.DefaultClientID+"&client_secret="+mastodontest.DefaultClientSecret), nil); code != 400 ||
		errorOf(out.(map[string]any)) != "unsupported_grant_type" {
		t.Errorf("password grant: %d %v", code, out)
	}
}

// TestConcurrent posts from many accounts at once, as the benchmark does.
func TestConcurrent(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{AnyToken: true})
	const accounts, posts = 50, 20
	var wg sync.WaitGroup
	for a := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ac := &client{t: t, url: c.url, token: fmt.Sprintf("token-%d", a)}
			for p := range posts {
				key := map[string]string{"Idempotency-Key": fmt.Sprintf("k-%d", p%(posts/2))}
				if code, _ := ac.postJSON("/api/v1/statuses", map[string]any{"status": fmt.Sprintf("Stato %d", p)}, key); code != 200 {
					t.Errorf("account %d post %d: %d", a, p, code)
				}
			}
		}()
	}
	wg.Wait()
	got := s.Received()
	if len(got) != accounts*posts/2 {
		t.Fatalf("%d statuses, want %d", len(got), accounts*posts/2)
	}
	seen := map[string]bool{}
	targets := map[string]bool{}
	for _, r := range got {
		if seen[r.RemoteID] || r.Platform != channel.Mastodon {
			t.Fatalf("duplicate or foreign %+v", r)
		}
		seen[r.RemoteID] = true
		targets[r.Target] = true
	}
	if len(targets) != accounts {
		t.Errorf("%d accounts", len(targets))
	}
}
