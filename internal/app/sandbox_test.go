// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/demo"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestDemoSandbox runs Piazza in demo mode as `serve --demo` does: the
// sandbox platforms run, the demo's past posts went out through them, the
// /sandbox page shows them to a manager and the Atom feed lists them.
func TestDemoSandbox(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := c.Get(in.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}

		code, feed := get("/o/" + demo.Slug + "/feeds/posts.atom")
		if code != http.StatusOK || strings.Count(feed, "<entry") != 3 || !strings.Contains(feed, "Raccolta differenziata porta a porta") {
			t.Errorf("feed: %d\n%s", code, feed)
		}

		_, page := get("/login")
		m := csrfInput.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF token on /login")
		}
		resp, err := c.PostForm(in.URL+"/login", url.Values{"csrf": {m[1]}, "email": {"manager@demo.piazza.test"}, "password": {demo.Password}})
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		code, body := get("/sandbox")
		if code != http.StatusOK {
			t.Fatalf("/sandbox: %d", code)
		}
		for _, want := range []string{"Da lunedì la raccolta differenziata porta a porta", "#RaccoltaDifferenziata", "Via Roma chiusa",
			"http://127.0.0.1:"} {
			if !strings.Contains(body, want) {
				t.Errorf("/sandbox lacks %q", want)
			}
		}
		if n := strings.Count(body, "sandbox-item"); n < 15 {
			t.Errorf("/sandbox shows %d posts, want the 15 sent to the six fakes", n)
		}

		// The past incident: resolved, three alerts, each delivered to
		// every sandbox channel.
		o, err := in.App.Orgs.OrganisationBySlug(context.Background(), demo.Slug)
		if err != nil {
			t.Fatal(err)
		}
		incs, err := in.App.Alerts.Incidents(context.Background(), o.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var past, drill *alert.Incident
		for i := range incs {
			switch incs[i].Title {
			case "Bora forte sulla costa":
				past = &incs[i]
			case "Esercitazione: acqua alta in centro storico":
				drill = &incs[i]
			}
		}
		if past == nil || past.Status != alert.StatusResolved || past.Exercise {
			t.Fatalf("the demo's past incident: %+v", past)
		}
		if drill == nil || drill.Status != alert.StatusDraft || !drill.Exercise {
			t.Errorf("the demo's drill, a draft ready to run: %+v", drill)
		}
		list, err := in.App.Alerts.Alerts(context.Background(), o.ID, past.ID)
		if err != nil || len(list) != 3 || list[2].Kind != alert.KindCancel || list[1].Colour != alert.Red {
			t.Fatalf("the past incident's alerts: %d %v", len(list), err)
		}
		for _, a := range list {
			ds, err := in.App.Alerts.Deliveries(context.Background(), o.ID, a.ID)
			if err != nil || len(ds) < 6 {
				t.Fatalf("%s: %d deliveries (%v)", a.Kind, len(ds), err)
			}
			for _, d := range ds {
				if d.State != alert.StateSent {
					t.Errorf("%s on %s: %s %s", a.Kind, d.Platform, d.State, d.Error)
				}
			}
		}
	})
}
