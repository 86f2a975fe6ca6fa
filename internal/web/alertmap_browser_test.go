// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// tileServer is a fake tile server: a plain 256×256 PNG for any
// /{z}/{x}/{y}.png, and a count of the tiles it served.
func tileServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			c := color.RGBA{R: 0xe8, G: 0xee, B: 0xe4, A: 0xff}
			if x == 0 || y == 0 {
				c = color.RGBA{R: 0xb0, G: 0xb8, B: 0xb0, A: 0xff} // the grid shows the map moving
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	tile := buf.Bytes()
	path := regexp.MustCompile(`^/\d+/-?\d+/-?\d+\.png$`)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !path.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		served.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tile)
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

// TestAlertMapMarkup: with a tile server, the incident form carries the map
// (hidden until alertmap.js shows it), the page's CSP allows that server's
// images and the zones are served as GeoJSON; a circle survives an edit
// made without the map. Without one (none), none of it.
func TestAlertMapMarkup(t *testing.T) {
	const tiles = "https://{s}.tiles.example.it/osm/{z}/{x}/{y}.png"
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		code, body, h := crisis.do("GET", "/alerts", nil, nil)
		if code != http.StatusOK {
			t.Fatalf("/alerts: %d", code)
		}
		for _, want := range []string{`data-alert-map`, `data-tiles="https://{s}.tiles.example.it/osm/{z}/{x}/{y}.png"`,
			`data-attribution="© Tiles of the test"`, `/static/js/alertmap.js`, `/static/vendor/leaflet/leaflet.js`,
			`data-map-action="polygon"`, `>Disegna poligono</button>`, `>Disegna cerchio</button>`, `>Cancella</button>`, `aria-live="polite"`} {
			if !strings.Contains(body, want) {
				t.Errorf("/alerts lacks %s", want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://*.tiles.example.it;") {
			t.Errorf("CSP does not allow the tiles: %s", csp)
		}
		if strings.Contains(body, "data-attribution-url") {
			t.Error("a configured credit is made a link")
		}

		code, body, h = crisis.do("GET", "/alerts/zones.geojson", nil, nil)
		if code != http.StatusOK || h.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("zones: %d %s", code, h.Get("Content-Type"))
		}
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Properties struct{ Name string } `json:"properties"`
				Geometry   struct {
					Type        string           `json:"type"`
					Coordinates [][][][2]float64 `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal([]byte(body), &fc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range fc.Features {
			if f.Properties.Name == "Centro storico" && f.Geometry.Type == "MultiPolygon" {
				found = true
				// GeoJSON order: longitude first (the demo comune is at 13.7 E, 45.6 N).
				if p := f.Geometry.Coordinates[0][0][0]; p[0] < 13 || p[0] > 14 || p[1] < 45 || p[1] > 46 {
					t.Errorf("first point %v is not lon,lat", p)
				}
			}
		}
		if fc.Type != "FeatureCollection" || !found {
			t.Errorf("zones GeoJSON lacks the demo's Centro storico: %s", body[:min(len(body), 300)])
		}

		// A circle shows in the field as JSON; the form saved unchanged keeps it.
		circle := `{"circle":{"center":{"lat":45.651,"lon":13.766},"radius_km":1.5}}`
		code, _, loc := crisis.post("/alerts/incidents", url.Values{"type": {"vento"}, "colour": {"gialla"},
			"title": {"Cerchio " + storetest.Unique("mappa")}, "area": {circle}})
		if code != http.StatusSeeOther {
			t.Fatalf("create with a circle: %d", code)
		}
		path := strings.Split(loc, "?")[0]
		_, body = crisis.get(path)
		m := regexp.MustCompile(`name="area"[^>]*value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("edit form without the area field")
		}
		value := strings.ReplaceAll(m[1], "&#34;", `"`)
		if value != circle {
			t.Errorf("edit form area = %q, want %q", value, circle)
		}
		form := url.Values{"type": {"vento"}, "colour": {"arancione"}, "title": {"Cerchio modificato"}, "area": {value}}
		if code, _, _ := crisis.post(path, form); code != http.StatusSeeOther {
			t.Fatalf("edit: %d", code)
		}
		inc := incidentAt(t, in, path)
		if inc.Area.Circle == nil || inc.Area.Circle.RadiusKm != 1.5 || inc.Colour != alert.Orange {
			t.Errorf("after the edit the area is %+v", inc.Area)
		}
	}, apptest.Env("PIAZZA_MAP_TILES", tiles), apptest.Env("PIAZZA_MAP_ATTRIBUTION", "© Tiles of the test"))

	// OpenStreetMap's default credit links its copyright page.
	t.Run("default credit", func(t *testing.T) {
		in := apptest.Start(t, store.SQLite, apptest.Env("PIAZZA_MAP_TILES", tiles))
		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		_, body := crisis.get("/alerts")
		if want := `data-attribution="© OpenStreetMap contributors" data-attribution-url="https://www.openstreetmap.org/copyright"`; !strings.Contains(body, want) {
			t.Errorf("/alerts lacks %s", want)
		}
	})

	t.Run("none", func(t *testing.T) {
		in := apptest.Start(t, store.SQLite) // apptest's default: no map
		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		code, body, h := crisis.do("GET", "/alerts", nil, nil)
		if code != http.StatusOK || strings.Contains(body, "data-alert-map") || strings.Contains(body, "leaflet") || !strings.Contains(body, `name="area"`) {
			t.Errorf("/alerts without a map: %d, map or Leaflet present, or the typed field missing", code)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("CSP allows other images without a map: %s", csp)
		}
	})
}

// incidentAt reads the incident whose page is path (/alerts/incidents/ID).
func incidentAt(t *testing.T, in *apptest.Instance, path string) alert.Incident {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.Split(path, "?")[0], "/alerts/incidents/")
	inc, err := in.App.Alerts.Incident(ctx, o.ID, id)
	if err != nil {
		t.Fatalf("incident %s: %v", id, err)
	}
	return inc
}

// TestBrowserAlertMap is the crisis coordinator drawing an incident's area
// on a phone: the map shows the tiles of the configured server (a fake
// here) and the demo comune's zones; a polygon drawn with four taps (the
// last on the first vertex) and a circle drawn with two are written into
// the form's field, stored with the incident, and shown again on the
// incident's edit form.
func TestBrowserAlertMap(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	tiles, served := tileServer(t)
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := browser(t)
		w := watchPage(ctx, t)
		do(ctx, t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		deskLogin(ctx, t, in.URL, "crisi@demo.piazza.test")
		zones := zoneBounds(t, in)

		openForm := func(title string) {
			t.Helper()
			do(ctx, t, chromedp.Navigate(in.URL+"/alerts"), chromedp.WaitVisible(chromedp.CSS(`#incident-form`)))
			deskReady(ctx, t)
			deskWait(ctx, t, "the map shows tiles", `document.querySelectorAll("[data-map-canvas] img.leaflet-tile-loaded").length + " " + !document.getElementById("i-area-map").hidden`,
				func(s string) bool { return s != "0 true" && strings.HasSuffix(s, " true") })
			deskWait(ctx, t, "the zones are drawn", `String(document.querySelectorAll("[data-map-canvas] .leaflet-overlay-pane path").length)`,
				func(s string) bool { n, _ := strconv.Atoi(s); return n >= 3 })
			do(ctx, t, chromedp.SendKeys(chromedp.CSS(`#i-title`), title))
		}
		submit := func() alert.Incident {
			t.Helper()
			run(ctx, t, chromedp.Evaluate[bool](`document.getElementById("incident-form").requestSubmit(), true`))
			path := deskWait(ctx, t, "the incident page", `location.pathname`, func(s string) bool { return strings.HasPrefix(s, "/alerts/incidents/") })
			deskReady(ctx, t)
			return incidentAt(t, in, path)
		}
		status := func() string {
			return run(ctx, t, chromedp.Evaluate[string](`document.querySelector("[data-map-status]").textContent`))
		}

		t.Run("polygon", func(t *testing.T) {
			openForm("Mareggiata " + storetest.Unique("poligono"))
			if served.Load() == 0 {
				t.Fatal("no tile was asked of the tile server")
			}
			deskFits(ctx, t, "alerts form")
			phoneShot(ctx, t, "map-01-form")
			mapTool(ctx, t, "polygon")
			if got := run(ctx, t, chromedp.Evaluate[string](`document.querySelector('[data-map-action="polygon"]').getAttribute("aria-pressed")`)); got != "true" {
				t.Errorf("the polygon button is not pressed: %q", got)
			}
			mapTap(ctx, t, 0.3, 0.3)
			mapTap(ctx, t, 0.75, 0.3)
			if got := status(); got != "Poligono in corso: 2 vertici." {
				t.Errorf("status after two taps: %q", got)
			}
			mapTap(ctx, t, 0.6, 0.75)
			phoneShot(ctx, t, "map-02-drawing")
			mapTap(ctx, t, 0.3, 0.3) // the first vertex closes it
			if got := status(); got != "Poligono di 3 vertici." {
				t.Errorf("status after closing: %q", got)
			}
			field := run(ctx, t, chromedp.Evaluate[string](`document.getElementById("i-area").value`))
			typed := parsePairs(t, field)
			if len(typed) != 3 {
				t.Fatalf("the field holds %q, want three vertices", field)
			}
			inc := submit()
			ring := inc.Area.Polygon
			if len(ring) != 4 || ring[0] != ring[3] || inc.Area.Circle != nil {
				t.Fatalf("stored area %+v, want the three vertices closed", inc.Area)
			}
			for i, p := range ring[:3] {
				if p != typed[i] {
					t.Errorf("vertex %d stored as %v, the field said %v", i, p, typed[i])
				}
				if !zones.near(p) {
					t.Errorf("vertex %d at %v is far from the demo comune's zones %+v: the map was not centred on them", i, p, zones)
				}
			}
			// Top-left, top-right, bottom: the taps land where they were made.
			if !(ring[0].Lat > ring[2].Lat && ring[0].Lon < ring[1].Lon && ring[1].Lat == ring[0].Lat) {
				t.Errorf("vertices %v do not follow the taps", ring[:3])
			}
			// The edit form shows the stored polygon on its map.
			deskWait(ctx, t, "the edit form's map", `document.querySelector("[data-map-status]") ? document.querySelector("[data-map-status]").textContent : ""`,
				func(s string) bool { return s == "Poligono di 4 vertici." || s == "Poligono di 3 vertici." })
			if got := status(); got != "Poligono di 3 vertici." {
				t.Errorf("edit form status %q: the closed ring counts its first vertex twice", got)
			}
			phoneShot(ctx, t, "map-03-edit")
		})

		t.Run("circle", func(t *testing.T) {
			openForm("Nube tossica " + storetest.Unique("cerchio"))
			mapTool(ctx, t, "circle")
			if got := status(); got != "Fai clic sul centro del cerchio." {
				t.Errorf("status after Disegna cerchio: %q", got)
			}
			mapTap(ctx, t, 0.5, 0.5)
			mapTap(ctx, t, 0.8, 0.5)
			if got := status(); !strings.HasPrefix(got, "Cerchio di raggio ") || !strings.HasSuffix(got, " km.") {
				t.Errorf("status after the radius: %q", got)
			}
			field := run(ctx, t, chromedp.Evaluate[string](`document.getElementById("i-area").value`))
			var typed alert.Area
			if err := json.Unmarshal([]byte(field), &typed); err != nil || typed.Circle == nil {
				t.Fatalf("the field holds %q, want a circle (%v)", field, err)
			}
			inc := submit()
			c := inc.Area.Circle
			if c == nil || len(inc.Area.Polygon) != 0 {
				t.Fatalf("stored area %+v, want a circle", inc.Area)
			}
			if *c != *typed.Circle || c.RadiusKm <= 0 || !zones.near(c.Center) {
				t.Errorf("stored circle %+v, the field said %+v (zones %+v)", *c, *typed.Circle, zones)
			}
			deskWait(ctx, t, "the edit form's map", `document.querySelector("[data-map-status]") ? document.querySelector("[data-map-status]").textContent : ""`,
				func(s string) bool { return strings.HasPrefix(s, "Cerchio di raggio ") })

			// Cancella empties the field; the typed field then redraws the map.
			mapTool(ctx, t, "clear")
			if got := run(ctx, t, chromedp.Evaluate[string](`document.getElementById("i-area").value`)); got != "" || status() != "Area cancellata." {
				t.Errorf("after Cancella: field %q, status %q", got, status())
			}
			do(ctx, t,
				chromedp.SendKeys(chromedp.CSS(`#i-area`), "45.650,13.760 45.650,13.770 45.655,13.765"),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("i-area").dispatchEvent(new Event("change", {bubbles: true}))`),
			)
			if got := status(); got != "Poligono di 3 vertici." {
				t.Errorf("status after typing a polygon: %q", got)
			}
		})
		w.check(t, "incident map")
	}, apptest.Env("PIAZZA_MAP_TILES", tiles.URL+"/{z}/{x}/{y}.png"), apptest.Env("PIAZZA_MAP_ATTRIBUTION", "© Tiles of the test"))
}

// mapTap taps the map at a fraction of its width and height. The scroll is
// instant: Bootstrap makes scrolling smooth, and a tap measured mid-scroll
// would land elsewhere.
func mapTap(ctx context.Context, t *testing.T, fx, fy float64) {
	t.Helper()
	mapSettled(ctx, t)
	r := run(ctx, t, chromedp.Evaluate[[]float64](`(() => {
		const c = document.querySelector("[data-map-canvas]");
		c.scrollIntoView({block: "center", behavior: "instant"});
		const r = c.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];
	})()`))
	do(ctx, t, chromedp.MouseClickXY(r[0]+fx*r[2], r[1]+fy*r[3]))
}

// mapTool presses a tool's button and waits until a drawing tool shows as
// pressed. The button gets the click event itself: a click aimed at
// coordinates missed it on a busy machine (the page still settling after
// the web font or the scroll), while what the test is about is drawing on
// the map, whose taps do go by coordinates.
func mapTool(ctx context.Context, t *testing.T, action string) {
	t.Helper()
	mapSettled(ctx, t)
	run(ctx, t, chromedp.Evaluate[bool](`(() => {
		const b = document.querySelector('[data-map-action="`+action+`"]');
		b.scrollIntoView({block: "center", behavior: "instant"});
		b.click();
		return true;
	})()`))
	if action == "clear" {
		return
	}
	deskWait(ctx, t, "the "+action+" tool pressed", `document.querySelector('[data-map-action="`+action+`"]').getAttribute("aria-pressed")`,
		func(s string) bool { return s == "true" })
}

// mapSettled waits until the map is not zooming or panning: a tap during
// Leaflet's animation is measured against a moving map.
func mapSettled(ctx context.Context, t *testing.T) {
	t.Helper()
	deskWait(ctx, t, "the map at rest", `document.querySelector("[data-map-canvas] .leaflet-zoom-anim, [data-map-canvas] .leaflet-pan-anim") ? "moving" : "still"`,
		func(s string) bool { return s == "still" })
}

func parsePairs(t *testing.T, s string) []alert.Point {
	t.Helper()
	var out []alert.Point
	for pair := range strings.FieldsSeq(s) {
		lat, lon, _ := strings.Cut(pair, ",")
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("vertex %q in %q", pair, s)
		}
		out = append(out, alert.Point{Lat: la, Lon: lo})
	}
	return out
}

// bounds is a box of latitudes and longitudes.
type bounds struct{ South, West, North, East float64 }

// near reports whether p lies within the box grown by its own size on
// every side: on the map fitted to the zones, every tap does.
func (b bounds) near(p alert.Point) bool {
	dLat, dLon := b.North-b.South, b.East-b.West
	return p.Lat >= b.South-dLat && p.Lat <= b.North+dLat && p.Lon >= b.West-dLon && p.Lon <= b.East+dLon
}

func zoneBounds(t *testing.T, in *apptest.Instance) bounds {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	zones, err := in.App.Alerts.Zones(ctx, o.ID)
	if err != nil || len(zones) == 0 {
		t.Fatalf("demo zones: %d, %v", len(zones), err)
	}
	b := bounds{South: math.Inf(1), West: math.Inf(1), North: math.Inf(-1), East: math.Inf(-1)}
	for _, z := range zones {
		for _, ring := range z.Rings {
			for _, p := range ring {
				b.South, b.North = min(b.South, p.Lat), max(b.North, p.Lat)
				b.West, b.East = min(b.West, p.Lon), max(b.East, p.Lon)
			}
		}
	}
	return b
}

// TestBrowserAlertMapCredit: under the map, OpenStreetMap's default credit
// is a link to its copyright page; a credit configured otherwise is text,
// whatever it holds.
func TestBrowserAlertMapCredit(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	tiles, _ := tileServer(t)
	for _, tc := range []struct {
		name, credit string
		want         string // in the credit's HTML
		links        int    // Leaflet's own, and OpenStreetMap's
	}{
		{"default", "", `<a href="https://www.openstreetmap.org/copyright" rel="noopener">© OpenStreetMap contributors</a>`, 2},
		{"configured", `© Tiles <a href="https://x.example">of</a> the test`, `© Tiles &lt;a href="https://x.example"&gt;of&lt;/a&gt; the test`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []apptest.Option{apptest.Env("PIAZZA_MAP_TILES", tiles.URL+"/{z}/{x}/{y}.png")}
			if tc.credit != "" {
				opts = append(opts, apptest.Env("PIAZZA_MAP_ATTRIBUTION", tc.credit))
			}
			in := apptest.Start(t, store.SQLite, opts...)
			ctx := browser(t)
			w := watchPage(ctx, t)
			deskLogin(ctx, t, in.URL, "crisi@demo.piazza.test")
			do(ctx, t, chromedp.Navigate(in.URL+"/alerts"), chromedp.WaitVisible(chromedp.CSS(`#incident-form`)))
			deskReady(ctx, t)
			credit := `document.querySelector("#i-area-map .leaflet-control-attribution")`
			got := deskWait(ctx, t, "the map's credit", `(`+credit+` || {}).innerHTML || ""`,
				func(s string) bool { return strings.Contains(s, "Tiles") || strings.Contains(s, "OpenStreetMap") })
			links := run(ctx, t, chromedp.Evaluate[int](credit+`.querySelectorAll("a").length`))
			if !strings.Contains(got, tc.want) || links != tc.links {
				t.Errorf("credit %s (%d links), want %s and %d links", got, links, tc.want, tc.links)
			}
			w.check(t, "map credit")
		})
	}
}
