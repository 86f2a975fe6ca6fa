// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
)

func TestTileOrigin(t *testing.T) {
	tests := []struct {
		template, want string
		wantErr        bool
	}{
		{"", "", false},
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org", false},
		{"https://{s}.tiles.example.it/osm/{z}/{x}/{y}{r}.png", "https://*.tiles.example.it", false},
		{"HTTPS://Tiles.Example.it:8443/{z}/{x}/{y}.png?key=abc", "https://tiles.example.it:8443", false},
		{"https://tiles.example.it?layer=base&z={z}&x={x}&y={y}", "https://tiles.example.it", false},
		{"http://127.0.0.1:41234/{z}/{x}/{y}.png", "http://127.0.0.1:41234", false},
		{"http://[::1]:41234/{z}/{x}/{y}.png", "http://[::1]:41234", false},
		// Anything that would not be one clean CSP source is refused.
		{"https://tiles.example.it; script-src *; /{z}/{x}/{y}.png", "", true},
		{"https://tiles-{z}.example.it/{z}/{x}/{y}.png", "", true},
		{"tile.openstreetmap.org/{z}/{x}/{y}.png", "", true},
		{"javascript://tiles.example.it/{z}/{x}/{y}.png", "", true},
		{"https://user@tiles.example.it/{z}/{x}/{y}.png", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			got, err := tileOrigin(tt.template)
			if (err != nil) != tt.wantErr {
				t.Fatalf("tileOrigin error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("tileOrigin = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	const without = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
	if got := contentSecurityPolicy(""); got != without {
		t.Errorf("without a map:\n%s\nwant\n%s", got, without)
	}
	got := contentSecurityPolicy("https://tile.openstreetmap.org")
	if !strings.Contains(got, "; img-src 'self' data: https://tile.openstreetmap.org; ") {
		t.Errorf("the tile server's images are not allowed: %s", got)
	}
	if strings.Count(got, "tile.openstreetmap.org") != 1 || !strings.Contains(got, "script-src 'self';") {
		t.Errorf("the tile server reaches another directive: %s", got)
	}
}

// TestAreaValue: the form's field shows a stored area in a notation the
// form reads back, so saving an incident unchanged keeps its area.
func TestAreaValue(t *testing.T) {
	poly := alert.Area{Polygon: []alert.Point{{Lat: 45.65, Lon: 13.76}, {Lat: 45.66, Lon: 13.78}, {Lat: 45.64, Lon: 13.79}, {Lat: 45.65, Lon: 13.76}}}
	if got, want := areaValue(poly), "45.65,13.76 45.66,13.78 45.64,13.79 45.65,13.76"; got != want {
		t.Errorf("polygon: %q, want %q", got, want)
	}
	circle := alert.Area{Circle: &alert.Circle{Center: alert.Point{Lat: 45.6512, Lon: 13.7734}, RadiusKm: 1.25}}
	got := areaValue(circle)
	var back alert.Area
	if err := json.Unmarshal([]byte(got), &back); err != nil || !reflect.DeepEqual(back, circle) {
		t.Errorf("circle: %q reads back as %+v (%v)", got, back, err)
	}
	if got := areaValue(alert.Area{}); got != "" {
		t.Errorf("no area: %q", got)
	}
}

// TestLeafletVendor checks the Leaflet files the incident form links, when
// this checkout has built them (make assets).
func TestLeafletVendor(t *testing.T) {
	if VendorMissing() {
		t.Skip("vendor files not built (make assets)")
	}
	if _, err := fs.Stat(staticFS, "static/vendor/leaflet/leaflet.js"); err != nil {
		t.Skip("Leaflet not built (make assets)")
	}
	h := staticServer()
	for url, ctype := range map[string]string{
		"/static/vendor/leaflet/leaflet.js":             "text/javascript; charset=utf-8",
		"/static/vendor/leaflet/leaflet.css":            "text/css; charset=utf-8",
		"/static/vendor/leaflet/images/layers.png":      "image/png",
		"/static/vendor/leaflet/LICENSE":                "application/octet-stream",
		"/static/js/alertmap.js":                        "text/javascript; charset=utf-8",
		"/static/vendor/leaflet/images/marker-icon.png": "image/png",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctype {
			t.Errorf("%s: %d %s, want 200 %s", url, rec.Code, rec.Header().Get("Content-Type"), ctype)
		}
	}
	// Every image leaflet.css names is embedded next to it.
	css, err := fs.ReadFile(staticFS, "static/vendor/leaflet/leaflet.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(css), "url(")[1:] {
		name := strings.Trim(part[:strings.IndexByte(part, ')')], `"'`)
		if strings.HasPrefix(name, "data:") || strings.HasPrefix(name, "#") { // #default#VML: old IE
			continue
		}
		if _, err := fs.Stat(staticFS, "static/vendor/leaflet/"+name); err != nil {
			t.Errorf("leaflet.css names %s: %v", name, err)
		}
	}
}
