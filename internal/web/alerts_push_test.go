// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// TestPushEndpoints drives the public Web Push endpoints as the page's
// script and the browser call them, on the routes alertPushRoutes
// registers.
func TestPushEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		orgs := org.NewService(db)
		o, err := orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("push-"), Name: "Comune di Prova"})
		if err != nil {
			t.Fatal(err)
		}
		// apptest's key: on PostgreSQL the package's tests share the
		// installation's VAPID key, sealed with it.
		key, err := auth.ParseSecretKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
		if err != nil {
			t.Fatal(err)
		}
		sealer, err := auth.NewSealer(key)
		if err != nil {
			t.Fatal(err)
		}
		alerts := alert.NewService(alert.Deps{DB: db, Sealer: sealer, Log: slog.New(slog.DiscardHandler)})
		s, err := New(Deps{DB: db, Orgs: orgs, Alerts: alerts, DefaultOrg: o.Slug, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		s.alertPushRoutes(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		fake := webpushtest.NewServer()
		t.Cleanup(fake.Close)
		sub := fake.NewSubscription()
		subJSON, _ := json.Marshal(sub)
		base := "/o/" + o.Slug

		count := func() int {
			n, err := alerts.SubscriberCounts(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n[alert.SubscriberWebPush]
		}
		for _, tc := range []struct {
			name, method, path, body string
			header                   map[string]string
			status                   int
			want                     string // in the body
			subscribers              int    // afterwards, -1 to skip
		}{
			{name: "key", method: "GET", path: base + "/push/key?lang=en", status: 200, want: `"subscribe":"Turn on alert notifications"`, subscribers: 0},
			{name: "service worker", method: "GET", path: base + "/sw.js", status: 200, want: "showNotification", subscribers: -1},
			{name: "service worker of the default organisation", method: "GET", path: "/sw.js", status: 200, want: "notificationclick", subscribers: -1},
			{name: "no service worker for an unknown organisation", method: "GET", path: "/o/nessuno/sw.js", status: 404, subscribers: -1},
			{name: "subscribe", method: "POST", path: base + "/push/subscribe",
				body: `{"subscription":` + string(subJSON) + `,"lang":"it","topics":["vento"],"zones":[]}`, status: 201, subscribers: 1},
			{name: "subscribe again with new choices", method: "POST", path: base + "/push/subscribe",
				body: `{"subscription":` + string(subJSON) + `,"lang":"en","topics":[]}`, status: 204, subscribers: 1},
			{name: "invalid keys", method: "POST", path: base + "/push/subscribe",
				body:   `{"subscription":{"endpoint":"` + sub.Endpoint + `x","keys":{"p256dh":"AAAA","auth":"` + sub.Auth + `"}},"lang":"it"}`,
				status: 422, want: "p256dh must be 65 bytes", subscribers: 1},
			{name: "unknown type", method: "POST", path: base + "/push/subscribe",
				body: `{"subscription":` + string(subJSON) + `,"topics":["terremoto"]}`, status: 422, want: "Tipo di evento sconosciuto", subscribers: 1},
			{name: "not JSON", method: "POST", path: base + "/push/subscribe", body: `subscription=x`, status: 400, subscribers: 1},
			{name: "no subscription", method: "POST", path: base + "/push/subscribe", body: `{"lang":"it"}`, status: 400, subscribers: 1},
			{name: "a form's content type", method: "POST", path: base + "/push/subscribe", body: string(subJSON),
				header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415, subscribers: 1},
			{name: "cross-site", method: "POST", path: base + "/push/unsubscribe", body: `{"endpoint":"` + sub.Endpoint + `"}`,
				header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, status: 403, subscribers: 1},
			{name: "another origin", method: "POST", path: base + "/push/unsubscribe", body: `{"endpoint":"` + sub.Endpoint + `"}`,
				header: map[string]string{"Origin": "https://evil.example"}, status: 403, subscribers: 1},
			{name: "too large", method: "POST", path: base + "/push/subscribe",
				body: `{"subscription":` + string(subJSON) + `,"zones":["` + strings.Repeat("z", 9000) + `"]}`, status: 413, subscribers: 1},
			{name: "unknown organisation", method: "POST", path: "/o/nessuno/push/subscribe", body: string(subJSON), status: 404, subscribers: 1},
			{name: "unsubscribe", method: "POST", path: "/push/unsubscribe", body: `{"endpoint":"` + sub.Endpoint + `"}`,
				header: map[string]string{"Sec-Fetch-Site": "same-origin"}, status: 204, subscribers: 0},
			{name: "unsubscribe twice", method: "POST", path: base + "/push/unsubscribe", body: `{"endpoint":"` + sub.Endpoint + `"}`,
				status: 204, subscribers: 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				if tc.method == "POST" {
					req.Header.Set("Content-Type", "application/json")
				}
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
					t.Fatalf("%s %s: %d %s, want %d with %q", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.want)
				}
				ct := resp.Header.Get("Content-Type")
				switch {
				case strings.HasSuffix(tc.path, "sw.js") && tc.status == 200:
					if ct != "text/javascript; charset=utf-8" {
						t.Errorf("service worker served as %q", ct)
					}
				case resp.StatusCode >= 400 && tc.method == "POST":
					var e pushError
					if ct != "application/json" || json.Unmarshal(b, &e) != nil || e.Error == "" {
						t.Errorf("refusal %q %s: want a JSON error", ct, b)
					}
				}
				if tc.subscribers >= 0 {
					if n := count(); n != tc.subscribers {
						t.Errorf("%d subscribers, want %d", n, tc.subscribers)
					}
				}
			})
		}

		// The key is the installation's, and the one the alert service signs with.
		resp, err := http.Get(srv.URL + base + "/push/key")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Key    string            `json:"key"`
			Texts  map[string]string `json:"texts"`
			Topics []struct{ Value, Label string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&got)
		_ = resp.Body.Close()
		keys, err := alerts.VAPIDKeys(ctx)
		if err != nil || got.Key != keys.Public || len(got.Topics) != len(alert.Types) || got.Texts["denied"] == "" {
			t.Errorf("key answer %+v (%v)", got, err)
		}

		// A flood from one address is turned away.
		refused := 0
		for range 80 {
			req, _ := http.NewRequest("POST", srv.URL+base+"/push/unsubscribe", strings.NewReader(`{"endpoint":"https://x.example/1"}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused == 0 {
			t.Error("80 calls at once from one address were all accepted")
		}
	})
}
