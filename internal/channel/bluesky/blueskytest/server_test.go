// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package blueskytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
)

var _ channeltest.Recorder = (*Server)(nil)

// client calls the fake directly with raw XRPC requests.
type client struct {
	t   *testing.T
	url string
}

func (c client) do(method, nsid, token, ctype string, body []byte) (int, http.Header, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, c.url+"/xrpc/"+nsid, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, resp.Header, out
}

func (c client) post(nsid, token string, in any) (int, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(in)
	status, _, out := c.do(http.MethodPost, nsid, token, "application/json", b)
	return status, out
}

func (c client) login() (access, refresh, did string) {
	c.t.Helper()
	status, out := c.post("com.atproto.server.createSession", "", map[string]string{
		"identifier": DefaultHandle, "password": DefaultAppPassword})
	if status != http.StatusOK {
		c.t.Fatalf("login: %d %v", status, out)
	}
	return out["accessJwt"].(string), out["refreshJwt"].(string), out["did"].(string)
}

func start(t *testing.T, opts Options) (*Server, client) {
	t.Helper()
	s := New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, client{t: t, url: srv.URL}
}

// xrpcErr is "status error: message" of an answer.
func xrpcErr(status int, out map[string]any) string {
	return fmt.Sprintf("%d %v: %v", status, out["error"], out["message"])
}

func TestAuth(t *testing.T) {
	s, c := start(t, Options{})
	access, refresh, did := c.login()
	if did != s.DID(DefaultHandle) || !strings.HasPrefix(did, "did:plc:") {
		t.Errorf("did %q", did)
	}
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"no token", "", "401 AuthMissing: Authentication Required"},
		{"unknown token", "abc", "400 InvalidToken: Token could not be verified"},
		{"refresh token as access", refresh, "400 InvalidToken: Bad token scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, out := c.do(http.MethodGet, "com.atproto.server.getSession", tt.token, "", nil)
			if got := xrpcErr(status, out); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if status, _, out := c.do(http.MethodGet, "com.atproto.server.getSession", access, "", nil); status != 200 || out["did"] != did {
		t.Errorf("getSession %d %v", status, out)
	}
	status, out := c.post("com.atproto.server.createSession", "", map[string]string{"identifier": DefaultHandle, "password": "x"})
	if got := xrpcErr(status, out); got != "401 AuthenticationRequired: Invalid identifier or password" {
		t.Errorf("wrong password: %s", got)
	}
	s.ExpireAccessTokens()
	status, _, out = c.do(http.MethodGet, "com.atproto.server.getSession", access, "", nil)
	if got := xrpcErr(status, out); got != "400 ExpiredToken: Token has expired" {
		t.Errorf("expired: %s", got)
	}
	status, _, out = c.do(http.MethodPost, "com.atproto.server.refreshSession", refresh, "", nil)
	if status != 200 || out["accessJwt"] == nil {
		t.Fatalf("refresh: %d %v", status, out)
	}
	status, _, out = c.do(http.MethodPost, "com.atproto.server.refreshSession", refresh, "", nil)
	if got := xrpcErr(status, out); got != "400 InvalidToken: Token could not be verified" {
		t.Errorf("refresh token reused: %s", got)
	}
	if n := s.Logins(); n != 1 {
		t.Errorf("%d logins", n)
	}
}

func TestRouting(t *testing.T) {
	_, c := start(t, Options{})
	status, _, out := c.do(http.MethodGet, "com.atproto.repo.createRecord", "", "", nil)
	if got := xrpcErr(status, out); got != "400 InvalidRequest: Incorrect HTTP method (GET) expected POST" {
		t.Error(got)
	}
	status, _, out = c.do(http.MethodGet, "app.bsky.feed.getTimeline", "", "", nil)
	if got := xrpcErr(status, out); got != "501 MethodNotImplemented: Method Not Implemented" {
		t.Error(got)
	}
	status, _, out = c.do(http.MethodPost, "com.atproto.server.createSession", "", "text/plain", []byte("x"))
	if got := xrpcErr(status, out); got != "400 InvalidRequest: Wrong request encoding (Content-Type): text/plain" {
		t.Error(got)
	}
}

// record is a valid post record with changes.
func record(changes map[string]any) map[string]any {
	r := map[string]any{"$type": bluesky.Collection, "text": "Ciao", "createdAt": "2026-03-14T09:30:00.000Z"}
	for k, v := range changes {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

func TestCreateRecordValidation(t *testing.T) {
	s, c := start(t, Options{})
	access, _, did := c.login()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	status, _, up := c.do(http.MethodPost, "com.atproto.repo.uploadBlob", access, "image/png", png)
	if status != 200 {
		t.Fatalf("upload %d %v", status, up)
	}
	blob := up["blob"].(map[string]any)
	if blob["mimeType"] != "image/png" || blob["size"] != float64(len(png)) ||
		!strings.HasPrefix(blob["ref"].(map[string]any)["$link"].(string), "bafkrei") {
		t.Errorf("blob %v", blob)
	}
	withSize := func(n int) map[string]any {
		b := map[string]any{}
		for k, v := range blob {
			b[k] = v
		}
		b["size"] = n
		return b
	}
	img := func(b map[string]any, alt any) map[string]any {
		m := map[string]any{"image": b}
		if alt != nil {
			m["alt"] = alt
		}
		return m
	}
	images := func(imgs ...any) map[string]any {
		return map[string]any{"$type": "app.bsky.embed.images", "images": imgs}
	}
	facet := func(start, end int) map[string]any {
		return map[string]any{"index": map[string]any{"byteStart": start, "byteEnd": end},
			"features": []any{map[string]any{"$type": bluesky.FeatureTag, "tag": "x"}}}
	}
	const prefix = "400 InvalidRequest: Invalid app.bsky.feed.post record: "
	tests := []struct {
		name string
		rkey string
		rec  map[string]any
		want string // "" for success
	}{
		{"valid", "", record(nil), ""},
		{"300 graphemes", "", record(map[string]any{"text": strings.Repeat("🇮🇹", 300)}), ""},
		{"301 graphemes", "", record(map[string]any{"text": strings.Repeat("è", 301)}),
			prefix + "grapheme too big (maximum 300, got 301) at $.record.text"},
		{"3001 bytes", "", record(map[string]any{"text": strings.Repeat("👨‍👩‍👧‍👦", 120) + "a"}),
			prefix + "string too big (maximum 3000, got 3001) at $.record.text"},
		{"no text", "", record(map[string]any{"text": nil}), prefix + `Missing required key "text" at $.record`},
		{"bad createdAt", "", record(map[string]any{"createdAt": "ieri"}), prefix + `Invalid datetime (got "ieri") at $.record.createdAt`},
		{"four langs", "", record(map[string]any{"langs": []any{"it", "en", "de", "sl"}}),
			prefix + "array too big (maximum 3, got 4) at $.record.langs"},
		{"bad lang", "", record(map[string]any{"langs": []any{"it_IT"}}), prefix + `Invalid language (got "it_IT") at $.record.langs[0]`},
		{"facet outside", "", record(map[string]any{"facets": []any{facet(2, 9)}}),
			prefix + "byte range [2, 9) is not a slice of the text (4 bytes) on character boundaries at $.record.facets[0].index"},
		{"facets overlap", "", record(map[string]any{"facets": []any{facet(0, 3), facet(2, 4)}}),
			prefix + "facets [0, 3) and [2, 4) overlap at $.record.facets"},
		{"facet inside a character", "", record(map[string]any{"text": "città", "facets": []any{facet(0, 5)}}),
			prefix + "byte range [0, 5) is not a slice of the text (6 bytes) on character boundaries at $.record.facets[0].index"},
		{"image", "", record(map[string]any{"embed": images(img(blob, "Una foto"))}), ""},
		{"five images", "", record(map[string]any{"embed": images(img(blob, "a"), img(blob, "b"), img(blob, "c"), img(blob, "d"), img(blob, "e"))}),
			prefix + "array too big (maximum 4, got 5) at $.record.embed.images"},
		{"image without alt", "", record(map[string]any{"embed": images(img(blob, nil))}),
			prefix + `Missing required key "alt" at $.record.embed.images[0]`},
		{"image too big", "", record(map[string]any{"embed": images(img(withSize(1_000_001), "a"))}),
			prefix + "blob too big (maximum 1000000, got 1000001) at $.record.embed.images[0].image"},
		{"blob size lie", "", record(map[string]any{"embed": images(img(withSize(7), "a"))}),
			fmt.Sprintf("400 InvalidSize: Referenced Size does not match stored blob. Expected: %d, Got: 7", len(png))},
		{"external without title", "", record(map[string]any{"embed": map[string]any{"$type": "app.bsky.embed.external",
			"external": map[string]any{"uri": "https://x.it", "description": ""}}}),
			prefix + `Missing required key "title" at $.record.embed.external`},
		{"rkey not a TID", "post-1", record(nil),
			`400 InvalidRequest: Invalid record key for app.bsky.feed.post: Invalid TID string (got "post-1") at $`},
		{"rkey syntax", "a/b", record(nil), "400 InvalidRequest: Invalid record key: a/b"},
		{"rkey taken", "3kyby3f4szqmv", record(nil), ""},
		{"rkey taken again", "3kyby3f4szqmv", record(nil), "500 InternalServerError: Internal Server Error"},
		{"wrong $type", "", record(map[string]any{"$type": "app.bsky.feed.like"}),
			"400 InvalidRequest: Invalid $type: expected app.bsky.feed.post, got app.bsky.feed.like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"repo": did, "collection": bluesky.Collection, "record": tt.rec}
			if tt.rkey != "" {
				in["rkey"] = tt.rkey
			}
			status, out := c.post("com.atproto.repo.createRecord", access, in)
			if tt.want == "" {
				if status != 200 || !strings.HasPrefix(out["uri"].(string), "at://"+did+"/app.bsky.feed.post/") {
					t.Errorf("%s", xrpcErr(status, out))
				}
				return
			}
			if got := xrpcErr(status, out); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// Another account's repo.
	status, out := c.post("com.atproto.repo.createRecord", access, map[string]any{"repo": "did:plc:other",
		"collection": bluesky.Collection, "record": record(nil)})
	if got := xrpcErr(status, out); got != "401 AuthenticationRequired: Authentication Required" {
		t.Errorf("other repo: %s", got)
	}
	if n := len(s.Received()); n != 4 {
		t.Errorf("%d posts received", n)
	}
}

func TestUploadLimit(t *testing.T) {
	_, c := start(t, Options{BlobUploadLimit: 100})
	access, _, _ := c.login()
	status, _, out := c.do(http.MethodPost, "com.atproto.repo.uploadBlob", access, "image/jpeg", make([]byte, 101))
	if got := xrpcErr(status, out); got != "413 PayloadTooLarge: request entity too large" {
		t.Error(got)
	}
	status, _, out = c.do(http.MethodPost, "com.atproto.repo.uploadBlob", access, "image/jpeg", make([]byte, 100))
	if status != 200 || out["blob"].(map[string]any)["mimeType"] != "image/jpeg" {
		t.Errorf("%d %v", status, out)
	}
}

func TestFaults(t *testing.T) {
	s, c := start(t, Options{})
	access, _, did := c.login()
	create := func() (int, http.Header, map[string]any) {
		b, _ := json.Marshal(map[string]any{"repo": did, "collection": bluesky.Collection, "record": record(nil)})
		return c.do(http.MethodPost, "com.atproto.repo.createRecord", access, "application/json", b)
	}
	s.Inject(channeltest.FaultRateLimit, 1)
	status, h, out := create()
	if got := xrpcErr(status, out); got != "429 RateLimitExceeded: Rate Limit Exceeded" || h.Get("RateLimit-Reset") == "" ||
		h.Get("RateLimit-Remaining") != "0" {
		t.Errorf("rate limit: %s %v", got, h)
	}
	s.Inject(channeltest.FaultServer, 1)
	if status, _, out := create(); status != 500 || out["error"] != "InternalServerError" {
		t.Errorf("server: %d %v", status, out)
	}
	s.Inject(channeltest.FaultBadRequest, 1)
	if status, _, out := create(); status != 400 || out["error"] != "InvalidRequest" {
		t.Errorf("bad request: %d %v", status, out)
	}
	if n := len(s.Received()); n != 0 {
		t.Errorf("%d posts after failed writes", n)
	}
	s.Inject(channeltest.FaultAuth, 1)
	if status, _, out := create(); xrpcErr(status, out) != "400 InvalidToken: Token could not be verified" {
		t.Errorf("auth: %d %v", status, out)
	}
	if status, _, _ := create(); status != 400 {
		t.Errorf("the revoked token still works: %d", status)
	}

	// FaultLost: stored, then no answer until the client gives up.
	access, _, _ = c.login()
	s.Inject(channeltest.FaultLost, 1)
	b, _ := json.Marshal(map[string]any{"repo": did, "collection": bluesky.Collection, "record": record(nil)})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+access)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("a lost answer arrived")
	}
	if n := len(s.Received()); n != 1 {
		t.Errorf("%d posts after a lost answer", n)
	}
}

func TestListAndDelete(t *testing.T) {
	s, c := start(t, Options{})
	access, _, did := c.login()
	var keys []string
	for i := range 5 {
		k := bluesky.RecordKey(fmt.Sprintf("k%d", i))
		keys = append(keys, k)
		if status, out := c.post("com.atproto.repo.createRecord", access, map[string]any{"repo": did,
			"collection": bluesky.Collection, "rkey": k, "record": record(map[string]any{"text": fmt.Sprint(i)})}); status != 200 {
			t.Fatal(xrpcErr(status, out))
		}
	}
	var got []string
	cursor := ""
	for range 5 {
		u := "com.atproto.repo.listRecords?collection=app.bsky.feed.post&limit=2&repo=" + did
		if cursor != "" {
			u += "&cursor=" + cursor
		}
		_, _, out := c.do(http.MethodGet, u, "", "", nil)
		for _, r := range out["records"].([]any) {
			uri := r.(map[string]any)["uri"].(string)
			got = append(got, uri[strings.LastIndexByte(uri, '/')+1:])
		}
		c, _ := out["cursor"].(string)
		if c == "" {
			break
		}
		cursor = c
	}
	if len(got) != 5 {
		t.Fatalf("listed %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] {
			t.Errorf("not newest first: %v", got)
		}
	}
	in := map[string]any{"repo": did, "collection": bluesky.Collection, "rkey": keys[0]}
	if status, out := c.post("com.atproto.repo.deleteRecord", access, in); status != 200 || out["commit"] == nil {
		t.Errorf("delete: %s", xrpcErr(status, out))
	}
	if status, out := c.post("com.atproto.repo.deleteRecord", access, in); status != 200 || out["commit"] != nil {
		t.Errorf("delete again: %d %v", status, out)
	}
	status, _, out := c.do(http.MethodGet, "com.atproto.repo.getRecord?collection=app.bsky.feed.post&repo="+did+"&rkey="+keys[0], "", "", nil)
	if got := xrpcErr(status, out); !strings.HasPrefix(got, "400 RecordNotFound: Could not locate record: at://") {
		t.Error(got)
	}
	deleted := 0
	for _, r := range s.Received() {
		if r.Deleted {
			deleted++
		}
	}
	if deleted != 1 {
		t.Errorf("%d deleted", deleted)
	}
}

func TestResolveAndProfile(t *testing.T) {
	_, c := start(t, Options{Directory: map[string]string{"Prefettura.bsky.social": "did:plc:pref"}})
	access, _, did := c.login()
	for h, want := range map[string]string{DefaultHandle: did, "prefettura.bsky.social": "did:plc:pref"} {
		if _, _, out := c.do(http.MethodGet, "com.atproto.identity.resolveHandle?handle="+h, "", "", nil); out["did"] != want {
			t.Errorf("resolve %s: %v", h, out)
		}
	}
	status, _, out := c.do(http.MethodGet, "com.atproto.identity.resolveHandle?handle=nobody.example.org", "", "", nil)
	if got := xrpcErr(status, out); got != "400 InvalidRequest: Unable to resolve handle" {
		t.Error(got)
	}
	if _, _, out := c.do(http.MethodGet, "app.bsky.actor.getProfile?actor="+did, access, "", nil); out["displayName"] != DefaultDisplayName ||
		out["handle"] != DefaultHandle {
		t.Errorf("profile %v", out)
	}
}

// TestConcurrentAccounts publishes from many accounts at once through the
// connector (run with -race).
func TestConcurrentAccounts(t *testing.T) {
	s := New(Options{AnyAccount: true})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := bluesky.New(&http.Client{Timeout: 5 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for a := range 10 {
		acct := channel.Account{ID: fmt.Sprint(a), BaseURL: srv.URL, Handle: fmt.Sprintf("ufficio%d.bsky.social", a),
			Credentials: channel.Credentials{channel.CredAppPassword: DefaultAppPassword}}
		for p := range 10 {
			wg.Go(func() {
				_, err := c.Publish(context.Background(), acct, channel.Post{Key: fmt.Sprintf("%d-%d", a, p), Text: "Avviso"})
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.Received()); n != 100 {
		t.Errorf("%d posts", n)
	}
	if n := s.Logins(); n != 10 {
		t.Errorf("%d logins for 10 accounts", n)
	}
}
