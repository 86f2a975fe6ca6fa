// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial"
)

// TestCalendar: the month shows the demo's plan, a post dropped on
// another day keeps its time of day, a stale drop is refused in words,
// a viewer cannot move posts, and the iCalendar export has an event per
// post.
func TestCalendar(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		posts, err := in.App.Editorial.Posts(ctx, o.ID, editorial.PostFilter{States: []editorial.State{editorial.StateDraft, editorial.StateReview}})
		if err != nil {
			t.Fatal(err)
		}
		var p editorial.Post
		// Other tests add posts to the demo organisation on a shared
		// PostgreSQL database (an import plans some a year ahead): take one
		// of this month's.
		for _, c := range posts {
			if d := time.Until(c.ScheduledAt); !c.ScheduledAt.IsZero() && d > -7*24*time.Hour && d < 30*24*time.Hour {
				p = c
				break
			}
		}
		if p.ID == "" {
			t.Fatal("the demo plan has no planned draft or post in review")
		}
		loc := o.Location()
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		date := p.ScheduledAt.In(loc).Format("2006-01-02")
		code, body := manager.get("/plan/calendar?date=" + date)
		if code != 200 || !strings.Contains(body, `data-post="`+p.ID+`"`) || !strings.Contains(body, `id="move-form"`) {
			t.Fatalf("calendar: %d, post shown %v", code, strings.Contains(body, p.ID))
		}
		if code, body := manager.get("/plan/calendar?view=week&date=" + date); code != 200 || !strings.Contains(body, p.ID) {
			t.Fatalf("week view: %d", code)
		}

		to := p.ScheduledAt.In(loc).AddDate(0, 0, 2)
		code, _, loc2 := manager.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(p.Version)}, "date": {to.Format("2006-01-02")}})
		if code != http.StatusSeeOther || !strings.Contains(loc2, "flash.post_moved") {
			t.Fatalf("move: %d %s", code, loc2)
		}
		moved, _ := in.App.Editorial.Post(ctx, o.ID, p.ID)
		if got := moved.ScheduledAt.In(loc); got.Format("2006-01-02 15:04") != to.Format("2006-01-02 15:04") {
			t.Errorf("moved to %v, want %v", got, to)
		}
		if code, body, _ := manager.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(p.Version)}, "date": {date}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "ricarica") {
			t.Fatalf("stale move: %d", code)
		}

		viewer := newClient(t, in.URL)
		viewer.login("sindaco@demo.piazza.test")
		if code, body := viewer.get("/plan/calendar?date=" + date); code != 200 || strings.Contains(body, `id="move-form"`) {
			t.Fatalf("viewer calendar: %d", code)
		}
		if code, _, _ := viewer.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(moved.Version)}, "date": {date}}); code != http.StatusForbidden {
			t.Fatalf("viewer move: %d, want 403", code)
		}

		code, body, h := manager.do("GET", "/plan/calendar.ics", nil, nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") || !strings.HasPrefix(body, "BEGIN:VCALENDAR") ||
			strings.Count(body, "BEGIN:VEVENT") < 5 || !strings.Contains(body, p.ID) {
			t.Fatalf("ics: %d %s, %d events", code, h.Get("Content-Type"), strings.Count(body, "BEGIN:VEVENT"))
		}
	})
}
