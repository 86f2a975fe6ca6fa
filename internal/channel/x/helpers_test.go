// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// testNow is the clock of the connector and the fake in tests.
var testNow = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// clock is a settable clock shared by the connector and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorder keeps the exact requests the connector sends to the fake.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, uri, auth, contentType string
	body                           []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
	rec.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.h.ServeHTTP(w, r)
}

func (rec *recorder) take() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

// env is a connector talking to a fake through a recorder.
type env struct {
	fake  *xtest.Server
	rec   *recorder
	conn  *x.Connector
	acct  channel.Account
	url   string
	clock *clock
	// sleeps are the waits the connector asked for.
	sleeps []time.Duration
}

func newEnv(t *testing.T, opts xtest.Options, timeout time.Duration) *env {
	t.Helper()
	e := &env{clock: &clock{t: testNow}}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	e.fake = xtest.New(opts)
	e.rec = &recorder{h: e.fake}
	srv := httptest.NewServer(e.rec)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.conn = x.New(&http.Client{Timeout: timeout})
	x.SetNow(e.conn, e.clock.Now)
	var mu sync.Mutex
	x.SetSleep(e.conn, func(_ context.Context, d time.Duration) error {
		mu.Lock()
		e.sleeps = append(e.sleeps, d)
		mu.Unlock()
		return nil
	})
	e.acct = channel.Account{ID: "a1", Platform: channel.X, BaseURL: srv.URL, Handle: "@" + xtest.DefaultUsername,
		Credentials: channel.Credentials{channel.CredToken: xtest.DefaultToken, channel.CredRefreshToken: xtest.DefaultRefreshToken,
			channel.CredClientID: xtest.DefaultClientID},
		Settings: map[string]string{x.SettingUserID: xtest.DefaultUserID}, Sandbox: true}
	return e
}

// Test media: small but real files, so the fake recognises them.
var (
	pngBytes = func() []byte {
		img := image.NewRGBA(image.Rect(0, 0, 4, 3))
		img.Set(1, 1, color.RGBA{R: 200, A: 255})
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			panic(err)
		}
		return b.Bytes()
	}()
	gifBytes = func() []byte {
		img := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White})
		var b bytes.Buffer
		if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{img, img}, Delay: []int{10, 10}}); err != nil {
			panic(err)
		}
		return b.Bytes()
	}()
	mp4Head = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free")
)

func photo(alt string) channel.Media {
	return channel.Media{Kind: channel.Image, ContentType: "image/png", Data: pngBytes, AltText: alt, Width: 4, Height: 3,
		Filename: "municipio.png"}
}

func animation(alt string) channel.Media {
	return channel.Media{Kind: channel.Image, ContentType: "image/gif", Data: gifBytes, AltText: alt, Filename: "bandiera.gif"}
}

// video is an MP4 of size bytes (its header, then padding).
func video(size int) channel.Media {
	data := make([]byte, size)
	copy(data, mp4Head)
	return channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: data, Width: 1280, Height: 720,
		Filename: "consiglio.mp4"}
}

// secretForms are form parameters whose values are replaced in goldens.
var secretForms = map[string]bool{"code": true, "code_verifier": true, "refresh_token": true}

// boundaryRe finds multipart boundaries, which are random.
var boundaryRe = regexp.MustCompile(`boundary=[0-9a-f]+`)

// render writes requests in a stable, readable form: the token by its
// kind, JSON indented, form parameters sorted with secrets hidden,
// multipart parts in order with files as their size and digest.
func render(t *testing.T, reqs []recorded) string {
	t.Helper()
	var b strings.Builder
	for _, r := range reqs {
		u, _ := url.QueryUnescape(r.uri)
		fmt.Fprintf(&b, "%s %s\n", r.method, u)
		switch {
		case r.auth == "":
		case r.auth == "Bearer "+xtest.DefaultToken:
			b.WriteString("Authorization: Bearer <access token>\n")
		case strings.HasPrefix(r.auth, "Bearer "):
			b.WriteString("Authorization: Bearer <issued access token>\n")
		case strings.HasPrefix(r.auth, "Basic "):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.auth, "Basic "))
			id, _, _ := strings.Cut(string(raw), ":")
			fmt.Fprintf(&b, "Authorization: Basic <%s:secret>\n", id)
		default:
			b.WriteString("Authorization: <other>\n")
		}
		mt, params, _ := mime.ParseMediaType(r.contentType)
		switch mt {
		case "":
		case "application/json":
			fmt.Fprintf(&b, "Content-Type: %s\n\n", r.contentType)
			var out bytes.Buffer
			if err := json.Indent(&out, r.body, "", "  "); err != nil {
				t.Fatalf("bad JSON body %q: %v", r.body, err)
			}
			b.Write(out.Bytes())
			b.WriteString("\n")
		case "application/x-www-form-urlencoded":
			fmt.Fprintf(&b, "Content-Type: %s\n\n", r.contentType)
			vals, err := url.ParseQuery(string(r.body))
			if err != nil {
				t.Fatalf("bad form body: %v", err)
			}
			keys := make([]string, 0, len(vals))
			for k := range vals {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := vals.Get(k)
				if secretForms[k] {
					v = "<" + k + ">"
				}
				fmt.Fprintf(&b, "%s=%s\n", k, v)
			}
		case "multipart/form-data":
			b.WriteString("Content-Type: " + boundaryRe.ReplaceAllString(r.contentType, "boundary=<boundary>") + "\n\n")
			mr := multipart.NewReader(bytes.NewReader(r.body), params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("bad multipart body: %v", err)
				}
				data, _ := io.ReadAll(p)
				if p.FileName() == "" {
					fmt.Fprintf(&b, "--- %s\n%s\n", p.FormName(), data)
				} else {
					fmt.Fprintf(&b, "--- %s (file %q, %s)\n<%d bytes, sha256 %x>\n", p.FormName(), p.FileName(),
						p.Header.Get("Content-Type"), len(data), sha256.Sum256(data))
				}
			}
		default:
			fmt.Fprintf(&b, "Content-Type: %s\n\n<%d bytes>\n", r.contentType, len(r.body))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// golden compares got with testdata/name.golden, rewriting it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("requests differ from %s (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// stub answers every request with one canned answer, for error shapes the
// fake has no reason to produce.
func stub(t *testing.T, status int, headers map[string]string, body string) channel.Account {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return channel.Account{ID: "a1", Platform: channel.X, BaseURL: srv.URL, Handle: "@" + xtest.DefaultUsername,
		Credentials: channel.Credentials{channel.CredToken: "t", channel.CredRefreshToken: "r", channel.CredClientID: "c"},
		Settings:    map[string]string{x.SettingUserID: xtest.DefaultUserID}, Sandbox: true}
}
