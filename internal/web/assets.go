// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// staticFS holds our own files (css/, js/, favicon.svg), committed, and
// static/vendor/, which `make assets` (npm ci, then npm run build:assets)
// fills from node_modules and git ignores. "all:" keeps files whose names
// start with a dot or an underscore, which some packages ship.
//
//go:embed all:static
var staticFS embed.FS

// vendorFiles are the files the layout links; without any of them the pages
// say how to build the assets (app.assets_missing).
var vendorFiles = []string{
	"static/vendor/bootstrap-italia/css/bootstrap-italia.min.css",
	"static/vendor/bootstrap-italia/css/fonts.css",
	"static/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js",
	"static/vendor/bootstrap-italia/svg/sprites.svg",
	"static/vendor/htmx/htmx.min.js",
}

var vendorMissing = sync.OnceValue(func() bool {
	for _, name := range vendorFiles {
		if _, err := fs.Stat(staticFS, name); err != nil {
			return true
		}
	}
	return false
})

// VendorMissing reports whether the npm-built vendor files are absent from this binary.
func VendorMissing() bool { return vendorMissing() }

// contentTypes is explicit rather than read from the system's MIME tables,
// which differ between machines and often lack the font types.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".ttf":   "font/ttf",
	".txt":   "text/plain; charset=utf-8",
}

// Vendor files change only with a new package version, so browsers keep
// them a week; their URLs carry no version, so they are not "immutable", and
// the ETag makes the check after that week cheap. Our own files change with
// every release: browsers revalidate each time. A request whose URL carries
// ?v=… is cached for a year: the page that links it changes v when the file
// changes.
const (
	cacheVendor    = "public, max-age=604800"
	cacheOwn       = "no-cache"
	cacheVersioned = "public, max-age=31536000, immutable"
)

// etags caches the content hash of each embedded file, computed on first request.
var etags sync.Map // name → string

func etag(f fs.File, name string) (string, error) {
	if v, ok := etags.Load(name); ok {
		return v.(string), nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	tag := `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]) + `"`
	etags.Store(name, tag)
	return tag, nil
}

// StaticHandler serves the embedded static folder: vendor files with a long
// cache, our own with an ETag to revalidate, each with its Content-Type set
// from the extension. Paths are relative to the folder, so mount it behind
// http.StripPrefix("/static", …). Folders are not listed.
func StaticHandler() http.Handler {
	root, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // "static" is a constant, valid path
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		f, err := root.Open(name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				http.NotFound(w, r)
				return
			}
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		content, ok := f.(io.ReadSeeker)
		if !ok { // embed.FS files always seek; this guards a future fs.FS
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		tag, err := etag(f, name)
		if err == nil {
			_, err = content.Seek(0, io.SeekStart)
		}
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}

		h := w.Header()
		ctype, known := contentTypes[strings.ToLower(path.Ext(name))]
		if !known {
			ctype = "application/octet-stream"
		}
		h.Set("Content-Type", ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", tag)
		switch {
		case r.URL.Query().Get("v") != "":
			h.Set("Cache-Control", cacheVersioned)
		case strings.HasPrefix(name, "vendor/"):
			h.Set("Cache-Control", cacheVendor)
		default:
			h.Set("Cache-Control", cacheOwn)
		}
		// ServeContent answers If-None-Match with 304, HEAD and ranges.
		// Embedded files have no modification time, so no Last-Modified.
		http.ServeContent(w, r, name, info.ModTime(), content)
	})
}
