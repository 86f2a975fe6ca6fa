// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/feed"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// withAlerts gives the fixture's API the alert service, publishing on the
// fixture's feed account in process (no job runner: deliveries run inside
// the call that sends them).
func (fx *fixture) withAlerts(t *testing.T) *alert.Service {
	t.Helper()
	key, err := auth.ParseSecretKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	reg := channel.NewRegistry()
	reg.Add(feed.New(), nil)
	log := slog.New(slog.DiscardHandler)
	pub := publish.NewService(publish.Deps{DB: fx.db, Registry: reg, Sealer: sealer, Editorial: editorial.NewService(fx.db),
		Notify: notify.NewService(fx.db, nil, "http://piazza.test"), Log: log})
	alerts := alert.NewService(alert.Deps{DB: fx.db, Publish: pub, Log: log, PublicURL: "http://piazza.test"})
	fx.api = New(Deps{DB: fx.db, Orgs: fx.orgs, Auth: fx.auth, Version: "test", Publish: pub, Alerts: alerts, Logger: log})
	return alerts
}

// keep remembers a value of the answer for the next scenarios.
func keep(name, path string) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, body any) {
		t.Helper()
		v, ok := get(body, path).(string)
		if !ok || v == "" {
			t.Fatalf("no %s in %v", path, body)
		}
		fx.vars["{"+name+"}"] = v
	}
}

// setDelivery puts a delivery in a state, as a crash (unknown) or a
// platform's refusal (failed) would have left it.
func setDelivery(state string) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		if _, err := fx.db.Write.ExecContext(context.Background(), `UPDATE alert_deliveries SET state = $1 WHERE id = $2`,
			state, fx.vars["{delivery.id}"]); err != nil {
			t.Fatal(err)
		}
	}
}

const zonesGeoJSON = `{"type": "FeatureCollection", "features": [
	{"type": "Feature", "properties": {"name": "Rive"}, "geometry": {"type": "Polygon",
		"coordinates": [[[13.76, 45.65], [13.77, 45.65], [13.77, 45.66], [13.76, 45.66], [13.76, 45.65]]]}},
	{"type": "Feature", "properties": {"nome": "Barcola"}, "geometry": {"type": "MultiPolygon",
		"coordinates": [[[[13.73, 45.67], [13.74, 45.67], [13.74, 45.68]]]]}}]}`

// alertScenarios follow an incident from its opening to the all-clear.
// Each leaves what the next ones need in the fixture's vars.
func alertScenarios() []scenario {
	return []scenario{
		{name: "viewer lists no incidents", method: "GET", path: "/api/v1/incidents", token: "viewer", status: 200,
			check: func(t *testing.T, _ *fixture, body any) {
				if l, ok := get(body, "incidents").([]any); !ok || len(l) != 0 {
					t.Errorf("incidents = %v, want an empty list", get(body, "incidents"))
				}
			}},
		{name: "viewer cannot open an incident", method: "POST", path: "/api/v1/incidents", token: "viewer", status: 403,
			body: `{"type": "vento", "colour": "gialla", "title": "Bora"}`, want: map[string]any{"error.code": "forbidden"}},
		{name: "editor cannot open an incident", method: "POST", path: "/api/v1/incidents", token: "writer", status: 403,
			body: `{"type": "vento", "colour": "gialla", "title": "Bora"}`},
		{name: "incident of an unknown colour", method: "POST", path: "/api/v1/incidents", token: "admin", status: 422,
			body: `{"type": "vento", "colour": "blu", "title": "Bora"}`,
			want: map[string]any{"error.code": "invalid", "error.fields.0.field": "colour", "error.fields.0.code": "unknown",
				"error.fields.0.message": "colour must be one of verde, gialla, arancione, rossa"}},
		{name: "incident without type and title", method: "POST", path: "/api/v1/incidents", token: "admin", status: 422,
			body: `{"colour": "gialla"}`, want: map[string]any{"error.fields.0.field": "type", "error.fields.1.field": "title"}},
		{name: "incident with a bad link", method: "POST", path: "/api/v1/incidents", token: "admin", status: 422,
			body: `{"type": "vento", "colour": "gialla", "title": "Bora", "links": [{"label": "x", "url": "ftp://comune.example"}]}`,
			want: map[string]any{"error.code": "invalid", "error.fields.0.field": "links", "error.fields.0.code": "alert.incident.link_invalid",
				"error.fields.0.message": "Invalid link (“ftp://comune.example”): a full address starting with http:// or https:// is needed."}},
		{name: "incident with a bad number and hashtag", method: "POST", path: "/api/v1/incidents", token: "admin", status: 422,
			body: `{"type": "vento", "colour": "gialla", "title": "Bora", "hashtag": "bora forte", "numbers": [{"label": "x", "number": "chiamate"}]}`,
			want: map[string]any{"error.fields.0.field": "hashtag", "error.fields.0.code": "alert.incident.hashtag_invalid",
				"error.fields.1.field": "numbers", "error.fields.1.code": "alert.incident.number_invalid"}},
		{name: "incident with an unknown field", method: "POST", path: "/api/v1/incidents", token: "admin", status: 400,
			body: `{"type": "vento", "colour": "gialla", "title": "Bora", "color": "red"}`, want: map[string]any{"error.code": "bad_request"}},
		{name: "open an incident", method: "POST", path: "/api/v1/incidents", token: "admin", status: 201,
			body: `{"type": "vento", "colour": "arancione", "title": "Bora forte", "description": "Raffiche fino a 130 km/h.",
				"hashtag": "BoraTrieste", "numbers": [{"label": "Protezione civile", "number": "040 675 4000"}],
				"links": [{"label": "Bollettino", "url": "https://www.meteo.fvg.it"}],
				"area": {"polygon": [{"lat": 45.65, "lon": 13.76}, {"lat": 45.65, "lon": 13.78}, {"lat": 45.67, "lon": 13.77}]}}`,
			want: map[string]any{"status": "draft", "colour": "arancione", "hashtag": "#BoraTrieste", "numbers.0.number": "040 675 4000",
				"area.circle": nil, "area_desc": "Area indicata sulla mappa", "started_at": nil, "created_by": "{admin.id}",
				"exercise": false},
			header: map[string]string{"Location": "/api/v1/incidents/"},
			check: func(t *testing.T, fx *fixture, body any) {
				keep("incident.id", "id")(t, fx, body)
				if n := len(list(body, "area.polygon")); n != 4 {
					t.Errorf("the ring has %d points, want it closed with 4", n)
				}
				if u, _ := get(body, "live_url").(string); u != "http://piazza.test/o/"+fx.orgA.Slug+"/live/"+fx.vars["{incident.id}"] {
					t.Errorf("live_url = %q", u)
				}
				fx.wantAudit(t, "incident.created", fx.vars["{incident.id}"])
			}},
		{name: "organisation B opens an incident", method: "POST", path: "/api/v1/incidents", token: "adminB", status: 201,
			body:  `{"type": "neve", "colour": "gialla", "title": "Neve sul Carso", "exercise": true}`,
			want:  map[string]any{"exercise": true},
			check: keep("incidentB.id", "id")},
		{name: "viewer lists the incident", method: "GET", path: "/api/v1/incidents", token: "viewer", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				l := list(body, "incidents")
				if len(l) != 1 || get(l[0], "id") != fx.vars["{incident.id}"] {
					t.Errorf("incidents = %v, want organisation A's only", l)
				}
			}},
		{name: "incidents: limit out of range", method: "GET", path: "/api/v1/incidents?limit=0", token: "viewer", status: 400,
			want: map[string]any{"error.code": "bad_request"}},
		{name: "another organisation's incident", method: "GET", path: "/api/v1/incidents/{incidentB.id}", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "another organisation's incident cannot be patched", method: "PATCH", path: "/api/v1/incidents/{incidentB.id}",
			token: "admin", status: 404, body: `{"colour": "rossa"}`, want: map[string]any{"error.code": "not_found"}},
		{name: "unknown incident", method: "GET", path: "/api/v1/incidents/nessuno", token: "admin", status: 404},
		{name: "viewer cannot patch", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "viewer", status: 403,
			body: `{"colour": "rossa"}`},
		{name: "patch the colour only", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 200,
			body: `{"colour": "rossa"}`,
			want: map[string]any{"colour": "rossa", "title": "Bora forte", "hashtag": "#BoraTrieste", "links.0.url": "https://www.meteo.fvg.it",
				"area_desc": "Area indicata sulla mappa"},
			check: func(t *testing.T, fx *fixture, body any) {
				fx.wantAudit(t, "incident.updated", fx.vars["{incident.id}"])
			}},
		{name: "patch nothing", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 200,
			body: `{}`, want: map[string]any{"colour": "rossa"}},
		{name: "patch an unknown type", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 422,
			body: `{"type": "tsunami"}`, want: map[string]any{"error.fields.0.field": "type"}},
		{name: "patch a circle and a polygon", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 422,
			body: `{"area": {"polygon": [{"lat": 45, "lon": 13}, {"lat": 45, "lon": 14}, {"lat": 46, "lon": 14}], "circle": {"center": {"lat": 45, "lon": 13}, "radius_km": 2}}}`,
			want: map[string]any{"error.fields.0.field": "area", "error.fields.0.code": "alert.area.polygon_and_circle",
				"error.fields.0.message": "The area is a polygon or a circle, not both."}},

		// The composer.
		{name: "viewer cannot preview", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts/preview", token: "viewer",
			status: 403, body: `{}`},
		{name: "preview in Italian and English", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts/preview", token: "admin",
			status: 200, body: `{"languages": ["en"], "body": "Chiuse le rive."}`,
			want: map[string]any{"kind": "alert", "headline": "Bora forte", "body": "Chiuse le rive."},
			check: func(t *testing.T, fx *fixture, body any) {
				full, _ := get(body, "texts.it.full").(string)
				if !strings.Contains(full, "Chiuse le rive.") || !strings.Contains(full, "/live/"+fx.vars["{incident.id}"]) {
					t.Errorf("texts.it.full = %q, want the body and the live page", full)
				}
				if en, _ := get(body, "texts.en.short").(string); en == "" {
					t.Errorf("no English short text in %v", body)
				}
				if get(body, "texts.de") != nil {
					t.Error("German was not asked for")
				}
			}},
		{name: "preview in an unknown language", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts/preview", token: "admin",
			status: 422, body: `{"languages": ["fr"]}`, want: map[string]any{"error.fields.0.field": "languages"}},
		{name: "preview of another organisation's incident", method: "POST", path: "/api/v1/incidents/{incidentB.id}/alerts/preview",
			token: "admin", status: 404, body: `{}`},

		// Sending.
		{name: "viewer cannot send", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "viewer", status: 403,
			body: `{"kind": "alert"}`, want: map[string]any{"error.code": "forbidden"}},
		{name: "send without a kind", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 422,
			body: `{}`, want: map[string]any{"error.fields.0.field": "kind"}},
		{name: "texts of a language not asked for", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin",
			status: 422, body: `{"kind": "alert", "texts": {"en": {"short": "Strong bora"}}}`,
			want: map[string]any{"error.fields.0.field": "texts.en"}},
		{name: "an update before the alert", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 422,
			body: `{"kind": "update"}`, want: map[string]any{"error.fields.0.field": "kind", "error.fields.0.code": "alert.send.not_alerted"}},
		{name: "send to another organisation's incident", method: "POST", path: "/api/v1/incidents/{incidentB.id}/alerts",
			token: "admin", status: 404, body: `{"kind": "alert"}`},
		{name: "send to an unknown channel", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 422,
			body: `{"kind": "alert", "account_ids": ["nessuno"]}`,
			want: map[string]any{"error.fields.0.field": "account_ids", "error.fields.0.code": "alert.send.channel_unknown",
				"error.fields.0.message": "Unknown channel (“nessuno”)."}},
		{name: "send the alert to no channel", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 201,
			body: `{"kind": "alert", "languages": ["en"], "texts": {"en": {"push": "Stay indoors."}}}`,
			want: map[string]any{"alert.kind": "alert", "alert.colour": "rossa", "alert.incident_id": "{incident.id}",
				"alert.texts.en.push": "Stay indoors.", "alert.created_by": "{admin.id}", "alert.exercise": false},
			header: map[string]string{"Location": "/api/v1/alerts/"},
			check: func(t *testing.T, fx *fixture, body any) {
				keep("alert.id", "alert.id")(t, fx, body)
				if d, ok := get(body, "deliveries").([]any); !ok || len(d) != 0 {
					t.Errorf("deliveries = %v, want an empty list", get(body, "deliveries"))
				}
				fx.wantAudit(t, "alert.sent", fx.vars["{incident.id}"])
			}},
		{name: "a second first alert", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 422,
			body: `{"kind": "alert"}`, want: map[string]any{"error.fields.0.field": "kind", "error.fields.0.code": "alert.send.already_alerted"}},
		{name: "the incident shows its alert", method: "GET", path: "/api/v1/incidents/{incident.id}", token: "viewer", status: 200,
			want: map[string]any{"incident.status": "active", "alerts.0.alert.id": "{alert.id}", "alerts.0.alert.kind": "alert"},
			check: func(t *testing.T, _ *fixture, body any) {
				if get(body, "incident.started_at") == nil {
					t.Error("started_at is null after the first alert")
				}
				if d, ok := get(body, "alerts.0.deliveries").([]any); !ok || len(d) != 0 {
					t.Errorf("deliveries = %v, want an empty list", get(body, "alerts.0.deliveries"))
				}
			}},
		{name: "an update on the site's feed", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 201,
			body: `{"kind": "update", "body": "Raffiche in calo.", "account_ids": ["{feed.id}"]}`,
			want: map[string]any{"alert.kind": "update", "deliveries.0.account_id": "{feed.id}", "deliveries.0.target": "account",
				"deliveries.0.platform": "feed"},
			check: func(t *testing.T, fx *fixture, body any) {
				keep("alert2.id", "alert.id")(t, fx, body)
				keep("delivery.id", "deliveries.0.id")(t, fx, body)
			}},
		{name: "the update went out", method: "GET", path: "/api/v1/alerts/{alert2.id}", token: "viewer", status: 200,
			want: map[string]any{"alert.id": "{alert2.id}", "deliveries.0.id": "{delivery.id}", "deliveries.0.state": "sent",
				"deliveries.0.attempts": float64(1)},
			check: func(t *testing.T, _ *fixture, body any) {
				if u, _ := get(body, "deliveries.0.remote_url").(string); !strings.HasPrefix(u, "https://comune.example/feeds/posts.atom#") {
					t.Errorf("remote_url = %q", u)
				}
			}},
		{name: "the incident shows both alerts", method: "GET", path: "/api/v1/incidents/{incident.id}", token: "viewer", status: 200,
			want: map[string]any{"alerts.1.alert.id": "{alert2.id}", "alerts.1.deliveries.0.state": "sent"}},
		{name: "another organisation's alert", method: "GET", path: "/api/v1/alerts/{alert2.id}", token: "adminB", status: 404,
			want: map[string]any{"error.code": "not_found"}},

		// Settling a delivery.
		{name: "a sent delivery cannot be settled", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "admin",
			status: 422, body: `{"outcome": "resend"}`, want: map[string]any{"error.code": "invalid"},
			check: setDelivery(alert.StateUnknown)},
		{name: "viewer cannot settle", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "viewer", status: 403,
			body: `{"outcome": "sent"}`},
		{name: "settle with an unknown outcome", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "admin",
			status: 422, body: `{"outcome": "ok"}`, want: map[string]any{"error.fields.0.field": "outcome"}},
		{name: "another organisation cannot settle", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "adminB",
			status: 422, body: `{"outcome": "sent"}`},
		{name: "seen on the platform", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "admin", status: 204,
			body: `{"outcome": "sent"}`,
			check: func(t *testing.T, fx *fixture, body any) {
				fx.wantAudit(t, "alert.delivery_confirmed", fx.vars["{delivery.id}"])
				setDelivery(alert.StateFailed)(t, fx, body)
			}},
		{name: "send a failed delivery again", method: "POST", path: "/api/v1/deliveries/{delivery.id}/settle", token: "admin",
			status: 204, body: `{"outcome": "resend"}`},
		{name: "the delivery went out again", method: "GET", path: "/api/v1/alerts/{alert2.id}", token: "admin", status: 200,
			want: map[string]any{"deliveries.0.state": "sent", "deliveries.0.attempts": float64(1)}},

		// Zones.
		{name: "viewer lists no zones", method: "GET", path: "/api/v1/zones", token: "viewer", status: 200},
		{name: "viewer cannot import zones", method: "POST", path: "/api/v1/zones", token: "viewer", status: 403, body: zonesGeoJSON},
		{name: "import zones", method: "POST", path: "/api/v1/zones", token: "admin", status: 200, body: zonesGeoJSON,
			want: map[string]any{"zones.0.name": "Rive", "zones.1.name": "Barcola"},
			check: func(t *testing.T, fx *fixture, body any) {
				keep("zone.id", "zones.0.id")(t, fx, body)
				if ring := list(body, "zones.1.polygons.0"); len(ring) != 4 || get(ring[0], "lon") != 13.73 || get(ring[0], "lat") != 45.67 {
					t.Errorf("Barcola's ring = %v, want it closed, latitude and longitude in place", ring)
				}
				fx.wantAudit(t, "alert.zones_imported", "")
			}},
		{name: "the zones are listed", method: "GET", path: "/api/v1/zones", token: "viewer", status: 200,
			want: map[string]any{"zones.0.name": "Barcola", "zones.1.name": "Rive", "zones.1.id": "{zone.id}"}},
		{name: "a zone without a name", method: "POST", path: "/api/v1/zones", token: "admin", status: 422,
			body: `{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[13, 45], [14, 45], [14, 46]]]}}]}`,
			want: map[string]any{"error.fields.0.field": "geojson", "error.fields.0.code": "alert.zone.unnamed",
				"error.fields.0.message": "Zone no. 1 has no name: it needs the property “name” or “nome”."}},
		{name: "a zone with a flat polygon", method: "POST", path: "/api/v1/zones", token: "admin", status: 422,
			body: `{"type": "Feature", "properties": {"name": "Costa"}, "geometry": {"type": "Polygon", "coordinates": [[[13, 45], [14, 45], [15, 45]]]}}`,
			want: map[string]any{"error.fields.0.field": "geojson", "error.fields.0.code": "alert.zone.no_surface",
				"error.fields.0.message": "Zone “Costa”: a polygon encloses no surface (its vertices lie on a line or repeat)."}},
		{name: "zones that are not GeoJSON", method: "POST", path: "/api/v1/zones", token: "admin", status: 422, body: `[1, 2]`,
			want: map[string]any{"error.fields.0.field": "geojson", "error.fields.0.code": "alert.zones.unreadable"}},
		{name: "an incident in a zone", method: "POST", path: "/api/v1/incidents", token: "admin", status: 201,
			body: `{"type": "acqua_alta", "colour": "gialla", "title": "Acqua alta", "zone_ids": ["{zone.id}"]}`,
			want: map[string]any{"zone_ids.0": "{zone.id}", "area_desc": "Rive"}},
		{name: "an incident in another organisation's zone", method: "POST", path: "/api/v1/incidents", token: "adminB", status: 422,
			body: `{"type": "acqua_alta", "colour": "gialla", "title": "Acqua alta", "zone_ids": ["{zone.id}"]}`,
			want: map[string]any{"error.fields.0.field": "zone_ids", "error.fields.0.code": "alert.incident.zone_unknown"}},
		{name: "the area follows the zones", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 200,
			body: `{"zone_ids": ["{zone.id}"], "area": {}}`,
			want: map[string]any{"area_desc": "Rive", "area.circle": nil},
			check: func(t *testing.T, _ *fixture, body any) {
				if p, ok := get(body, "area.polygon").([]any); !ok || len(p) != 0 {
					t.Errorf("area.polygon = %v, want it removed", get(body, "area.polygon"))
				}
			}},

		// Subscriptions.
		{name: "viewer reads the subscriptions summary", method: "GET", path: "/api/v1/subscriptions/summary", token: "viewer",
			status: 200, want: map[string]any{"total": float64(0), "by_kind.webpush": float64(0), "by_kind.telegram": float64(0)}},

		// The all-clear.
		{name: "the all-clear", method: "POST", path: "/api/v1/incidents/{incident.id}/alerts", token: "admin", status: 201,
			body: `{"kind": "cancel"}`, want: map[string]any{"alert.kind": "cancel"}},
		{name: "the incident is resolved", method: "GET", path: "/api/v1/incidents/{incident.id}", token: "viewer", status: 200,
			want: map[string]any{"incident.status": "resolved", "alerts.2.alert.kind": "cancel"}},
		{name: "a resolved incident cannot change", method: "PATCH", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 422,
			body: `{"colour": "verde"}`, want: map[string]any{"error.fields.0.field": "status", "error.fields.0.code": "alert.incident.resolved",
				"error.fields.0.message": "The incident is closed and can no longer be changed: open a new one."}},
		{name: "incidents take PATCH", method: "PUT", path: "/api/v1/incidents/{incident.id}", token: "admin", status: 405,
			body: `{}`, header: map[string]string{"Allow": "GET, HEAD, PATCH"}},
	}
}

// TestImportZonesBody covers what a scenario cannot send: GeoJSON's own
// media type, another one, and a file over the limit.
func TestImportZonesBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.withAlerts(t)
		for _, c := range []struct {
			name        string
			contentType string
			body        string
			status      int
		}{
			{"geo+json", "application/geo+json", zonesGeoJSON, http.StatusOK},
			{"json with a charset", "application/json; charset=utf-8", zonesGeoJSON, http.StatusOK},
			{"plain text", "text/plain", zonesGeoJSON, http.StatusBadRequest},
			{"no media type", "", zonesGeoJSON, http.StatusBadRequest},
			{"empty", "application/geo+json", " ", http.StatusBadRequest},
			{"over the limit", "application/geo+json", `{"type": "FeatureCollection", "features": [], "x": "` +
				strings.Repeat("a", alert.MaxZonesFile) + `"}`, http.StatusBadRequest},
		} {
			t.Run(c.name, func(t *testing.T) {
				req := httptest.NewRequest("POST", "/api/v1/zones", strings.NewReader(c.body))
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				req.Header.Set("Authorization", "Bearer "+fx.tokens["admin"])
				rec := httptest.NewRecorder()
				fx.api.ServeHTTP(rec, req)
				if rec.Code != c.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
				}
				var body any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatal(err)
				}
				if c.status == http.StatusOK {
					if n := len(list(body, "zones")); n != 2 {
						t.Errorf("%d zones, want 2", n)
					}
				} else if get(body, "error.code") != "bad_request" {
					t.Errorf("error = %v", body)
				}
			})
		}
	})
}

// TestSubscriptionsSummary counts real subscriptions, which no API call
// makes: browsers subscribe on the public pages.
func TestSubscriptionsSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		alerts := fx.withAlerts(t)
		push := webpushtest.NewServer()
		t.Cleanup(push.Close)
		for range 2 {
			if _, err := alerts.SubscribeWebPush(context.Background(), fx.orgA.ID, push.NewSubscription(), "it", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		for token, want := range map[string]float64{"viewer": 2, "adminB": 0} {
			body := fx.call(t, scenario{method: "GET", path: "/api/v1/subscriptions/summary", token: token, status: 200})
			if get(body, "total") != want || get(body, "by_kind.webpush") != want || get(body, "by_kind.telegram") != 0.0 {
				t.Errorf("%s: summary = %v, want %v browsers", token, body, want)
			}
		}
	})
}

// call makes one call and returns its decoded answer.
func (fx *fixture) call(t *testing.T, sc scenario) any {
	t.Helper()
	rec := fx.do(sc)
	if rec.Code != sc.status {
		t.Fatalf("%s %s: status %d, want %d: %s", sc.method, sc.path, rec.Code, sc.status, rec.Body)
	}
	var body any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	return body
}

// TestAlertError: the domain names the web form's fields, the API its
// JSON's; the key and the arguments pass unchanged.
func TestAlertError(t *testing.T) {
	err := fmt.Errorf("alert: send: %w", valid.Errors{
		{Field: "account", Key: "alert.send.channel_unknown", Args: []any{"x"}},
		{Field: "text_en_full", Key: "alert.text_too_long", Args: []any{4000}},
		{Field: "zone", Key: "alert.incident.zone_unknown"},
		{Field: "kind", Key: "alert.send.kind_unknown"},
	})
	es, ok := valid.As(alertError(err))
	if !ok || len(es) != 4 {
		t.Fatalf("alertError = %v", alertError(err))
	}
	for i, want := range []string{"account_ids", "texts.en.full", "zone_ids", "kind"} {
		if es[i].Field != want {
			t.Errorf("field %d = %q, want %q", i, es[i].Field, want)
		}
	}
	if es[1].Key != "alert.text_too_long" || es[1].Args[0] != 4000 {
		t.Errorf("key and arguments changed: %+v", es[1])
	}
	if e := toError(alertError(err)); e.Status != http.StatusUnprocessableEntity || e.Fields[1].Message != "The text can have at most 4000 characters." {
		t.Errorf("answer %+v", e)
	}
}
