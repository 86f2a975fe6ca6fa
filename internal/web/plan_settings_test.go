// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
)

// TestPlanSettings: a manager records an electoral period and an official
// from the page; the guard then asks a reason of a post planned inside it
// and flags the official's name; an editor cannot change the settings;
// an invalid period is refused in words.
func TestPlanSettings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		if code, _ := manager.get("/plan/settings"); code != 200 {
			t.Fatalf("settings: %d", code)
		}
		from := time.Now().AddDate(0, 0, 10)
		to := from.AddDate(0, 0, 20)
		code, _, loc := manager.post("/plan/settings", url.Values{"what": {"period"}, "name": {"Comunali 2027"},
			"starts_on": {from.Format("2006-01-02")}, "ends_on": {to.Format("2006-01-02")}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "flash.plan_settings_saved") {
			t.Fatalf("add period: %d %s", code, loc)
		}
		if code, _, _ := manager.post("/plan/settings", url.Values{"what": {"official"}, "name": {"Giulia Ferraris"}, "role": {"Assessora"}}); code != http.StatusSeeOther {
			t.Fatalf("add official: %d", code)
		}
		if code, body, _ := manager.post("/plan/settings", url.Values{"what": {"period"}, "name": {"Al contrario"},
			"starts_on": {to.Format("2006-01-02")}, "ends_on": {from.Format("2006-01-02")}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="settings-error"`) {
			t.Fatalf("inverted period: %d", code)
		}
		offices, _ := in.App.Orgs.Offices(context.Background(), mustOrg(t, in).ID)
		if code, _, _ := manager.post("/plan/settings", url.Values{"what": {"second_approval"}, "office": {offices[0].ID}, "on": {"1"}}); code != http.StatusSeeOther {
			t.Fatalf("second approval: %d", code)
		}
		if second, _ := in.App.Editorial.SecondApprovalOffices(context.Background(), mustOrg(t, in).ID); !second[offices[0].ID] {
			t.Error("the office does not need a second approval")
		}
		_, body := manager.get("/plan/settings")
		if !strings.Contains(body, "Comunali 2027") || !strings.Contains(body, "Giulia Ferraris") {
			t.Fatal("the period and the official are not listed")
		}

		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, _ := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		editor.get("/plan/posts/new")
		_, _, loc = editor.post("/plan/posts", url.Values{"title": {"Inaugurazione"}, "body": {"L'assessora Giulia Ferraris inaugura la biblioteca."},
			"planned_at": {from.AddDate(0, 0, 2).Format("2006-01-02") + "T10:00"}})
		m := postPath.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("create: %s", loc)
		}
		_, body = editor.get("/plan/posts/" + m[1])
		if !strings.Contains(body, `id="election"`) || !strings.Contains(body, "Giulia Ferraris") {
			t.Fatal("the editor should show the electoral period and the official named")
		}
		if st, err := in.App.Editorial.ElectionCheck(ctx, o.ID, editorial.Post{ScheduledAt: from.AddDate(0, 0, 2)}, nil); err != nil || !st.InPeriod {
			t.Fatalf("election check: %+v %v", st, err)
		}
		if code, _, _ := editor.post("/plan/settings", url.Values{"what": {"official"}, "name": {"Qualcuno"}}); code != http.StatusForbidden {
			t.Fatalf("editor changing settings: %d, want 403", code)
		}
		if _, body := editor.get("/plan/settings"); strings.Contains(body, `id="period-form"`) || strings.Contains(body, `id="suspend-form"`) {
			t.Error("an editor is offered forms they may not use")
		}

		// Edits: a period's days and an official's role, then a bad edit
		// that comes back inside that item's form.
		var period editorial.ElectoralPeriod
		periods, _ := in.App.Editorial.ElectoralPeriods(ctx, o.ID)
		for _, p := range periods {
			if p.Name == "Comunali 2027" {
				period = p
			}
		}
		newEnd := to.AddDate(0, 0, 5)
		if code, _, _ := manager.post("/plan/settings", url.Values{"what": {"period_update"}, "id": {period.ID}, "name": {"Comunali 2027"},
			"starts_on": {from.Format("2006-01-02")}, "ends_on": {newEnd.Format("2006-01-02")}}); code != http.StatusSeeOther {
			t.Fatalf("update period: %d", code)
		}
		if p, _ := in.App.Editorial.ElectoralPeriod(ctx, o.ID, period.ID); p.EndsAt.In(o.Location()).Format("2006-01-02") != newEnd.AddDate(0, 0, 1).Format("2006-01-02") {
			t.Errorf("period ends %v, want the day after %s", p.EndsAt, newEnd.Format("2006-01-02"))
		}
		if code, body, _ := manager.post("/plan/settings", url.Values{"what": {"period_update"}, "id": {period.ID}, "name": {"Comunali 2027"},
			"starts_on": {to.Format("2006-01-02")}, "ends_on": {from.Format("2006-01-02")}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="pe-to-`+period.ID+`-err"`) {
			t.Fatalf("inverted period edit: %d", code)
		}
		var official editorial.Official
		officials, _ := in.App.Editorial.Officials(ctx, o.ID)
		for _, of := range officials {
			if of.Name == "Giulia Ferraris" {
				official = of
			}
		}
		if code, _, _ := manager.post("/plan/settings", url.Values{"what": {"official_update"}, "id": {official.ID}, "name": {"Giulia Ferraris"}, "role": {"Vicesindaca"}}); code != http.StatusSeeOther {
			t.Fatalf("update official: %d", code)
		}
		if _, body := manager.get("/plan/settings"); !strings.Contains(body, "Giulia Ferraris — Vicesindaca") {
			t.Error("the official's new role is not shown")
		}

		// The suspension switch: shown here, worked by the channels' own
		// handlers; the calendar says publishing is suspended.
		_, body = manager.get("/plan/settings")
		if !strings.Contains(body, `action="/channels/suspend"`) || !strings.Contains(body, `for="suspend-reason"`) {
			t.Fatal("no suspension form")
		}
		if code, _, _ := manager.post("/channels/suspend", url.Values{"reason": {"Lutto cittadino"}}); code != http.StatusSeeOther {
			t.Fatalf("suspend: %d", code)
		}
		_, body = manager.get("/plan/settings")
		if !strings.Contains(body, `id="suspended-banner"`) || !strings.Contains(body, "Lutto cittadino") || !strings.Contains(body, `action="/channels/resume"`) {
			t.Error("the settings do not show the suspension")
		}
		if _, body := manager.get("/plan/calendar"); !strings.Contains(body, `id="cal-suspended"`) {
			t.Error("the calendar does not say publishing is suspended")
		}
		if code, _, _ := manager.post("/channels/resume", nil); code != http.StatusSeeOther {
			t.Fatalf("resume: %d", code)
		}
		if sp, _ := in.App.Publish.Suspension(ctx, o.ID); sp.Suspended {
			t.Error("still suspended")
		}

		// The crisis coordinator manages the cadence, not the periods.
		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		if _, body := crisis.get("/plan/settings"); !strings.Contains(body, `action="/plan/settings/cadence"`) || strings.Contains(body, `id="period-form"`) {
			t.Error("the crisis coordinator's settings page")
		}
		if code, _, _ := crisis.post("/plan/settings", url.Values{"what": {"period_delete"}, "id": {period.ID}}); code != http.StatusForbidden {
			t.Errorf("crisis deleting a period: %d, want 403", code)
		}
		if code, _, _ := manager.post("/plan/settings", url.Values{"what": {"period_delete"}, "id": {period.ID}}); code != http.StatusSeeOther {
			t.Errorf("delete period: %d", code)
		}
	})
}

func mustOrg(t *testing.T, in *apptest.Instance) org.Organisation {
	t.Helper()
	o, err := in.App.Orgs.OrganisationBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return o
}
