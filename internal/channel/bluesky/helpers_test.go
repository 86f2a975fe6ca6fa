// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedNow is the connector's clock in tests, so createdAt is stable.
var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// recorder wraps the fake and keeps every request, normalised: tokens are
// replaced by their kind, JSON bodies indented, binary bodies summarised.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	reqs []string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
	if a := r.Header.Get("Authorization"); a != "" {
		fmt.Fprintf(&b, "Authorization: Bearer <%s>\n", tokenKind(strings.TrimPrefix(a, "Bearer ")))
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		fmt.Fprintf(&b, "Content-Type: %s\n", ct)
	}
	switch {
	case len(body) == 0:
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		var out bytes.Buffer
		if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
			b.Write(body)
		} else {
			b.Write(out.Bytes())
		}
		b.WriteByte('\n')
	default:
		fmt.Fprintf(&b, "<%d bytes>\n", len(body))
	}
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, b.String())
	rc.mu.Unlock()
	rc.h.ServeHTTP(w, r)
}

func (rc *recorder) String() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return strings.Join(rc.reqs, "\n")
}

func (rc *recorder) reset() {
	rc.mu.Lock()
	rc.reqs = nil
	rc.mu.Unlock()
}

// tokenKind reads the scope of the fake's JWT-shaped tokens.
func tokenKind(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "token"
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "token"
	}
	var claims struct{ Scope string }
	_ = json.Unmarshal(raw, &claims)
	switch claims.Scope {
	case "com.atproto.refresh":
		return "refresh"
	case "com.atproto.appPass":
		return "access"
	}
	return "token"
}

// env is a connector talking to a fake PDS through a recorder.
type env struct {
	c    *bluesky.Connector
	fake *blueskytest.Server
	rec  *recorder
	acct channel.Account
}

func newEnv(t *testing.T, opts blueskytest.Options, timeout time.Duration) *env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	fake := blueskytest.New(opts)
	rec := &recorder{h: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c := bluesky.New(&http.Client{Timeout: timeout})
	bluesky.SetNow(c, func() time.Time { return fixedNow })
	handle := opts.Handle
	if handle == "" {
		handle = blueskytest.DefaultHandle
	}
	pw := opts.AppPassword
	if pw == "" {
		pw = blueskytest.DefaultAppPassword
	}
	return &env{c: c, fake: fake, rec: rec, acct: channel.Account{ID: "acct-1", Platform: channel.Bluesky,
		BaseURL: srv.URL, Handle: handle, Credentials: channel.Credentials{channel.CredAppPassword: pw}, Sandbox: true}}
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

// pngImage is a small real PNG of w×h pixels, so the fake sniffs
// image/png as the PDS would.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 120, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
