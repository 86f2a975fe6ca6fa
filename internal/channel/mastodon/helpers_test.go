// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedNow is the clock of the connector and of the fake in tests.
var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// recorder wraps the fake and keeps every request, normalised: tokens
// replaced by their role, multipart boundaries by <boundary>, JSON
// indented, file contents summarised, and the values of replace (random
// codes and secrets) by their names.
type recorder struct {
	h       http.Handler
	mu      sync.Mutex
	reqs    []string
	replace map[string]string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
	switch a := r.Header.Get("Authorization"); {
	case a == "Bearer "+mastodontest.DefaultToken:
		b.WriteString("Authorization: Bearer <token>\n")
	case strings.HasPrefix(a, "Bearer "):
		b.WriteString("Authorization: Bearer <other token>\n")
	case a != "":
		b.WriteString("Authorization: <other>\n")
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		fmt.Fprintf(&b, "Idempotency-Key: %s\n", k)
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		b.WriteString("Content-Type: multipart/form-data; boundary=<boundary>\n")
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(part)
			fmt.Fprintf(&b, "--part %s", part.Header.Get("Content-Disposition"))
			if pct := part.Header.Get("Content-Type"); pct != "" {
				fmt.Fprintf(&b, "; Content-Type: %s", pct)
			}
			if part.FileName() != "" {
				fmt.Fprintf(&b, "\n<%d bytes>\n", len(data))
			} else {
				fmt.Fprintf(&b, "\n%s\n", data)
			}
		}
	case r.Header.Get("Content-Type") != "":
		fmt.Fprintf(&b, "Content-Type: %s\n", r.Header.Get("Content-Type"))
	}
	switch {
	case len(body) == 0 || ct == "multipart/form-data":
	case ct == "application/json":
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
			b.Write(body)
		} else {
			b.Write(out.Bytes())
		}
		b.WriteByte('\n')
	default:
		b.Write(body)
		b.WriteByte('\n')
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, b.String())
	rc.mu.Unlock()
	rc.h.ServeHTTP(w, r)
}

func (rc *recorder) String() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := strings.Join(rc.reqs, "\n")
	for old, name := range rc.replace {
		s = strings.ReplaceAll(s, old, name)
	}
	return s
}

func (rc *recorder) reset() {
	rc.mu.Lock()
	rc.reqs = nil
	rc.mu.Unlock()
}

// env is a connector talking to a fake instance through a recorder.
type env struct {
	c    *mastodon.Connector
	fake *mastodontest.Server
	rec  *recorder
	url  string
	acct channel.Account
}

func newEnv(t *testing.T, opts mastodontest.Options, timeout time.Duration) *env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	fake := mastodontest.New(opts)
	rec := &recorder{h: fake, replace: map[string]string{}}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c := mastodon.New(&http.Client{Timeout: timeout})
	mastodon.SetNow(c, func() time.Time { return fixedNow })
	mastodon.SetPollInterval(c, time.Millisecond)
	tok := opts.Token
	if tok == "" {
		tok = mastodontest.DefaultToken
	}
	return &env{c: c, fake: fake, rec: rec, url: srv.URL, acct: channel.Account{ID: "acct-1", Platform: channel.Mastodon,
		BaseURL: srv.URL, Handle: "@" + mastodontest.DefaultUsername + "@" + mastodontest.DefaultDomain,
		Credentials: channel.Credentials{channel.CredToken: tok,
			channel.CredClientID: mastodontest.DefaultClientID, channel.CredClientSecret: mastodontest.DefaultClientSecret},
		Sandbox: true}}
}

// golden compares got with testdata/name.golden, rewriting it with -update.
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

// pngImage is a small real PNG, so that the fake sniffs image/png as
// Mastodon would.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x * 5), G: uint8(y * 7), B: 90, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mp4Video is the start of an MP4 file: enough for content sniffing.
func mp4Video() []byte {
	b := []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2', 0, 0, 0, 0, 'm', 'p', '4', '2', 'i', 's', 'o', 'm'}
	return append(b, make([]byte, 2048)...)
}
