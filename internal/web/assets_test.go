// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// staticServer mounts StaticHandler the way routes does.
func staticServer() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static", StaticHandler()))
	return mux
}

func TestStaticHandler(t *testing.T) {
	h := staticServer()
	tests := []struct {
		name, method, url string
		status            int
		contentType       string
		cache             string
	}{
		{"own css", "GET", "/static/css/piazza.css", http.StatusOK, "text/css; charset=utf-8", "no-cache"},
		{"own js", "GET", "/static/js/piazza.js", http.StatusOK, "text/javascript; charset=utf-8", "no-cache"},
		{"favicon", "GET", "/static/favicon.svg", http.StatusOK, "image/svg+xml", "no-cache"},
		{"head", "HEAD", "/static/css/piazza.css", http.StatusOK, "text/css; charset=utf-8", "no-cache"},
		{"versioned", "GET", "/static/css/piazza.css?v=1", http.StatusOK, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"missing file", "GET", "/static/css/nope.css", http.StatusNotFound, "", ""},
		{"folder", "GET", "/static/css/", http.StatusNotFound, "", ""},
		{"root", "GET", "/static/", http.StatusNotFound, "", ""},
		{"escape", "GET", "/static/../assets.go", http.StatusNotFound, "", ""},
		{"encoded escape", "GET", "/static/%2e%2e/assets.go", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.url, nil))
			// The mux may answer a path with ".." by a redirect to the
			// cleaned path, which lies outside /static/ and is not served.
			if tt.status == http.StatusNotFound && rec.Code >= 300 && rec.Code < 400 {
				if loc := rec.Header().Get("Location"); strings.HasPrefix(loc, "/static/") {
					t.Fatalf("redirected to %s inside /static/", loc)
				}
				return
			}
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if rec.Header().Get("ETag") == "" {
				t.Error("no ETag")
			}
			if tt.method == "GET" && rec.Body.Len() == 0 {
				t.Error("empty body")
			}
		})
	}
}

func TestStaticHandlerNotModified(t *testing.T) {
	h := staticServer()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/css/piazza.css", nil))
	tag := rec.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest("GET", "/static/css/piazza.css", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("status = %d, want 304", rec.Code)
	}
}

// TestVendor checks the npm-built files when this checkout has them (after
// `make assets`).
func TestVendor(t *testing.T) {
	if VendorMissing() {
		t.Skip("vendor files not built (make assets)")
	}
	h := staticServer()
	tests := []struct{ url, contentType string }{
		{"/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css", "text/css; charset=utf-8"},
		{"/static/vendor/bootstrap-italia/css/fonts.css", "text/css; charset=utf-8"},
		{"/static/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js", "text/javascript; charset=utf-8"},
		{"/static/vendor/bootstrap-italia/svg/sprites.svg", "image/svg+xml"},
		{"/static/vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", "font/woff2"},
		{"/static/vendor/htmx/htmx.min.js", "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tt.url, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := rec.Header().Get("Cache-Control"); got != cacheVendor {
				t.Errorf("Cache-Control = %q, want %q", got, cacheVendor)
			}
		})
	}

	// Every font fonts.css names is embedded next to it.
	css, err := fs.ReadFile(staticFS, "static/vendor/bootstrap-italia/css/fonts.css")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, part := range strings.Split(string(css), `url("../fonts/`)[1:] {
		file := part[:strings.IndexByte(part, '"')]
		if _, err := fs.Stat(staticFS, "static/vendor/bootstrap-italia/fonts/"+file); err != nil {
			t.Errorf("fonts.css names %s: %v", file, err)
		}
		n++
	}
	if n == 0 {
		t.Error("fonts.css declares no font")
	}
}
