// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// planner acts in the demo organisation as one of its people, through the
// services, to set up what a test then looks at through the pages.
type planner struct {
	t     *testing.T
	in    *apptest.Instance
	ctx   context.Context
	org   org.Organisation
	actor editorial.Actor
}

func plannerFor(t *testing.T, in *apptest.Instance, email string) planner {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: email})
	o := mustOrg(t, in)
	p, err := in.App.Auth.PersonByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	g, err := in.App.Orgs.GrantsOf(ctx, o.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return planner{t: t, in: in, ctx: ctx, org: o, actor: editorial.Actor{PersonID: p.ID, Grants: g}}
}

// post writes a draft planned at `at` with a variant on each account.
func (p planner) post(title string, at time.Time, accounts ...string) editorial.Post {
	p.t.Helper()
	post, err := p.in.App.Editorial.CreatePost(p.ctx, p.actor, p.org.ID, editorial.PostInput{Title: title,
		Body: "Testo di " + title + ".", PlannedAt: at})
	if err != nil {
		p.t.Fatal(err)
	}
	var vs []editorial.VariantInput
	for _, a := range accounts {
		vs = append(vs, editorial.VariantInput{AccountID: a, Text: "Testo di " + title + "."})
	}
	if len(vs) > 0 {
		if _, err := p.in.App.Editorial.SetVariants(p.ctx, p.actor, p.org.ID, post.ID, post.Version, vs); err != nil {
			p.t.Fatal(err)
		}
	}
	return p.reload(post.ID)
}

func (p planner) reload(id string) editorial.Post {
	p.t.Helper()
	post, err := p.in.App.Editorial.Post(p.ctx, p.org.ID, id)
	if err != nil {
		p.t.Fatal(err)
	}
	return post
}

// schedule takes a draft through review and approval to the engine.
func (p planner) schedule(id string, at time.Time) editorial.Post {
	p.t.Helper()
	for _, a := range []editorial.Action{editorial.ActionSubmit, editorial.ActionApprove} {
		if _, err := p.in.App.Editorial.Transition(p.ctx, p.actor, p.org.ID, id, p.reload(id).Version, a, ""); err != nil {
			p.t.Fatalf("%s: %v", a, err)
		}
	}
	if _, err := p.in.App.Publish.Schedule(p.ctx, p.actor, p.org.ID, id, p.reload(id).Version, at); err != nil {
		p.t.Fatal(err)
	}
	return p.reload(id)
}

// sandboxAccount is the demo's working sandbox account of a platform.
func sandboxAccount(t *testing.T, in *apptest.Instance, pl channel.Platform) publish.Account {
	t.Helper()
	accts, err := in.App.Publish.Accounts(context.Background(), mustOrg(t, in).ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.Platform == pl && a.Sandbox && a.Status == publish.AccountActive && strings.Contains(a.Name, "omune") {
			return a
		}
	}
	t.Fatalf("no demo sandbox account for %s", pl)
	return publish.Account{}
}

// dayAhead is a local time n days from now, at hh:mm, in the
// organisation's zone: the calendar is drawn in it.
func dayAhead(o org.Organisation, n, hh, mm int) time.Time {
	now := time.Now().In(o.Location())
	return time.Date(now.Year(), now.Month(), now.Day()+n, hh, mm, 0, 0, o.Location())
}

var moveFormCSRF = regexp.MustCompile(`(?s)<form method="post" action="/plan/calendar/move"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+"`)

// TestCalendar: the month and the week show a planned post with its
// channel and state; a drop on another day keeps the time of day; the
// "Sposta" form moves it to a date and a time, through htmx too; stale,
// past and malformed moves are refused in words; a viewer sees no move
// and gets 403; a scheduled post moves in the engine, and not for who may
// not publish; the iCalendar export has an event per post.
func TestCalendar(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		mgr := plannerFor(t, in, "manager@demo.piazza.test")
		loc := mgr.org.Location()
		tg := sandboxAccount(t, in, channel.Telegram)
		title := storetest.Unique("Festa del quartiere ")
		p := mgr.post(title, dayAhead(mgr.org, 3, 10, 30), tg.ID)
		date := p.ScheduledAt.In(loc).Format("2006-01-02")

		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		code, body := manager.get("/plan/calendar?date=" + date)
		if code != 200 || !strings.Contains(body, `data-post="`+p.ID+`"`) || !strings.Contains(body, `id="cal-move-form"`) {
			t.Fatalf("calendar: %d, post shown %v", code, strings.Contains(body, p.ID))
		}
		item := body[strings.Index(body, `id="cal-item-`+p.ID+`"`):]
		item = item[:strings.Index(item, "</details>")]
		if !strings.Contains(body, `class="cal-item border-secondary" id="cal-item-`+p.ID+`"`) {
			t.Error("a draft is not coloured as one")
		}
		for _, want := range []string{title, "10:30", tg.Name, "Bozza", `draggable="true"`, `name="at"`, `for="move-` + p.ID + `"`} {
			if !strings.Contains(item, want) {
				t.Errorf("the calendar item lacks %q", want)
			}
		}
		if !moveFormCSRF.MatchString(body) {
			t.Error("the move forms carry no CSRF token")
		}
		if code, body := manager.get("/plan/calendar?view=week&date=" + date); code != 200 || !strings.Contains(body, p.ID) || !strings.Contains(body, "Settimana dal") {
			t.Fatalf("week view: %d", code)
		}
		if code, body := manager.get("/plan/calendar?account=" + tg.ID + "&date=" + date); code != 200 || !strings.Contains(body, p.ID) {
			t.Fatalf("filtered on its channel: %d", code)
		}

		// A drop on another day: same time of day.
		to := p.ScheduledAt.In(loc).AddDate(0, 0, 2)
		code, _, where := manager.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(p.Version)},
			"date": {to.Format("2006-01-02")}, "view": {"month"}, "back": {date}})
		if code != http.StatusSeeOther || !strings.Contains(where, "flash.post_moved") || !strings.Contains(where, to.Format("2006-01-02")) {
			t.Fatalf("move: %d %s", code, where)
		}
		moved := mgr.reload(p.ID)
		if got := moved.ScheduledAt.In(loc); got.Format("2006-01-02 15:04") != to.Format("2006-01-02 15:04") {
			t.Errorf("moved to %v, want %v", got, to)
		}
		// The same drop again, with the version read before: refused.
		code, body, _ = manager.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(p.Version)}, "date": {date}, "back": {date}})
		if code != http.StatusConflict || !strings.Contains(body, `id="cal-message"`) || !strings.Contains(body, "nel frattempo") || !strings.Contains(body, `id="calendar"`) {
			t.Fatalf("stale move: %d", code)
		}
		// The keyboard's form, through htmx: a date and a time; the
		// calendar comes back with the outcome and the new address.
		at := dayAhead(mgr.org, 4, 8, 15)
		code, body, h := manager.do("POST", "/plan/calendar/move", url.Values{"csrf": {manager.csrf}, "post": {p.ID},
			"version": {strconv.Itoa(moved.Version)}, "at": {at.Format("2006-01-02T15:04")}, "view": {"week"}, "back": {date}},
			map[string]string{"HX-Request": "true"})
		if code != 200 || !strings.Contains(body, `id="cal-message"`) || !strings.Contains(body, "spostato al "+at.Format("02/01/2006 15:04")) ||
			!strings.Contains(h.Get("HX-Push-Url"), "view=week") {
			t.Fatalf("htmx move: %d %q", code, h.Get("HX-Push-Url"))
		}
		if got := mgr.reload(p.ID).ScheduledAt.In(loc); !got.Equal(at) {
			t.Errorf("moved to %v, want %v", got, at)
		}
		cur := mgr.reload(p.ID)
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"past", url.Values{"at": {dayAhead(mgr.org, -1, 9, 0).Format("2006-01-02T15:04")}}, "nel passato"},
			{"malformed", url.Values{"at": {"domani"}}, "Data e ora non valide"},
			{"no date", url.Values{"date": {"31/02/2027"}}, "Data e ora non valide"},
		} {
			tc.form.Set("post", p.ID)
			tc.form.Set("version", strconv.Itoa(cur.Version))
			if code, body, _ := manager.post("/plan/calendar/move", tc.form); code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
				t.Errorf("%s move: %d, want 422 saying %q", tc.name, code, tc.want)
			}
		}
		if mgr.reload(p.ID).Version != cur.Version {
			t.Error("a refused move changed the post")
		}

		// The mayor reads the plan, moves nothing.
		viewer := newClient(t, in.URL)
		viewer.login("sindaco@demo.piazza.test")
		if code, body := viewer.get("/plan/calendar?date=" + at.Format("2006-01-02")); code != 200 || !strings.Contains(body, p.ID) ||
			strings.Contains(body, `id="cal-move-form"`) || strings.Contains(body, `draggable="true"`) || strings.Contains(body, `name="at"`) {
			t.Fatalf("viewer calendar: %d", code)
		}
		if code, _, _ := viewer.post("/plan/calendar/move", url.Values{"post": {p.ID}, "version": {strconv.Itoa(cur.Version)}, "date": {date}}); code != http.StatusForbidden {
			t.Fatalf("viewer move: %d, want 403", code)
		}

		// A scheduled post moves in the engine, for who may publish; an
		// editor may not move it.
		sp := mgr.post(storetest.Unique("Concerto in piazza "), dayAhead(mgr.org, 5, 18, 0), tg.ID)
		sp = mgr.schedule(sp.ID, dayAhead(mgr.org, 5, 18, 0))
		if sp.State != editorial.StateScheduled {
			t.Fatalf("not scheduled: %s", sp.State)
		}
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		editor.get("/plan/calendar")
		if code, body, _ := editor.post("/plan/calendar/move", url.Values{"post": {sp.ID}, "version": {strconv.Itoa(sp.Version)},
			"at": {dayAhead(mgr.org, 6, 18, 0).Format("2006-01-02T15:04")}}); code != http.StatusForbidden || !strings.Contains(body, "già programmato") {
			t.Fatalf("editor moving a scheduled post: %d", code)
		}
		if code, _, _ := manager.post("/plan/calendar/move", url.Values{"post": {sp.ID}, "version": {strconv.Itoa(sp.Version)},
			"at": {dayAhead(mgr.org, 6, 19, 0).Format("2006-01-02T15:04")}}); code != http.StatusSeeOther {
			t.Fatalf("manager moving a scheduled post: %d", code)
		}
		sp = mgr.reload(sp.ID)
		if sp.State != editorial.StateScheduled || !sp.ScheduledAt.Equal(dayAhead(mgr.org, 6, 19, 0)) {
			t.Errorf("rescheduled post: %s at %v", sp.State, sp.ScheduledAt)
		}
		pubs, err := in.App.Publish.Publications(mgr.ctx, mgr.org.ID, sp.ID)
		if err != nil || len(pubs) != 1 || !pubs[0].DueAt.Equal(sp.ScheduledAt) || pubs[0].State != publish.StateScheduled {
			t.Errorf("publications after the move: %+v %v", pubs, err)
		}

		// iCalendar: an event per post, for Outlook and Google Calendar.
		code, body, h = manager.do("GET", "/plan/calendar.ics", nil, nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") || !strings.HasPrefix(body, "BEGIN:VCALENDAR") ||
			!strings.Contains(body, "END:VCALENDAR") || strings.Count(body, "BEGIN:VEVENT") != strings.Count(body, "END:VEVENT") {
			t.Fatalf("ics: %d %s", code, h.Get("Content-Type"))
		}
		for _, id := range []string{p.ID, sp.ID} {
			if !strings.Contains(body, id) {
				t.Errorf("ics: no event for post %s", id)
			}
		}
		code, one, _ := manager.do("GET", "/plan/calendar.ics?account="+tg.ID, nil, nil)
		if code != 200 || strings.Count(one, "BEGIN:VEVENT") > strings.Count(body, "BEGIN:VEVENT") || !strings.Contains(one, p.ID) {
			t.Fatalf("ics of one channel: %d", code)
		}
		if !strings.Contains(manager.mustGet("/plan/calendar"), `href="/plan/calendar.ics"`) {
			t.Error("no link to the iCalendar export")
		}
	})
}

// TestCalendarCadence: a day that floods an account, two posts too close
// and a post in the quiet hours are marked on the calendar, and a move
// says which limit it breaks.
func TestCalendarCadence(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		mgr := plannerFor(t, in, "manager@demo.piazza.test")
		acct, err := in.App.Publish.CreateAccount(mgr.ctx, mgr.org.ID, publish.AccountInput{Platform: channel.Telegram,
			Name: storetest.Unique("Canale cadenza "), Handle: "@piazza_cadenza_test"})
		if err != nil {
			t.Fatal(err)
		}
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		manager.get("/plan/settings")
		code, _, where := manager.post("/plan/settings/cadence", url.Values{"account": {acct.ID}, "max_per_day": {"2"},
			"min_spacing": {"60"}, "quiet_start": {"22:00"}, "quiet_end": {"07:00"}})
		if code != http.StatusSeeOther || !strings.Contains(where, "flash.cadence_saved") {
			t.Fatalf("cadence: %d %s", code, where)
		}
		if a, _ := in.App.Publish.Account(mgr.ctx, mgr.org.ID, acct.ID); a.Cadence.MaxPerDay != 2 || a.Cadence.MinSpacing != time.Hour ||
			a.Cadence.QuietStart != "22:00" || a.Name != acct.Name || a.Handle != acct.Handle {
			t.Fatalf("cadence stored: %+v", a)
		}
		day := dayAhead(mgr.org, 8, 0, 0)
		for _, hm := range [][2]int{{9, 0}, {9, 30}, {23, 0}} {
			mgr.post(storetest.Unique("Post fitto "), day.Add(time.Duration(hm[0])*time.Hour+time.Duration(hm[1])*time.Minute), acct.ID)
		}
		_, body := manager.get("/plan/calendar?account=" + acct.ID + "&date=" + day.Format("2006-01-02"))
		for _, want := range []string{"3 post, oltre il massimo di 2", "a 30 minuti, meno dei 60", "alle 23:00, nelle ore di silenzio (22:00–07:00)"} {
			if !strings.Contains(body, want) {
				t.Errorf("the calendar does not warn %q", want)
			}
		}
		if strings.Count(body, "cal-item-warn") < 3 {
			t.Errorf("%d items marked, want 3", strings.Count(body, "cal-item-warn"))
		}
		// A move onto a full day says so.
		other := mgr.post(storetest.Unique("Post in più "), day.AddDate(0, 0, 1).Add(12*time.Hour), acct.ID)
		code, body, _ = manager.do("POST", "/plan/calendar/move", url.Values{"csrf": {manager.csrf}, "post": {other.ID},
			"version": {strconv.Itoa(other.Version)}, "date": {day.Format("2006-01-02")}}, map[string]string{"HX-Request": "true"})
		if code != 200 || !strings.Contains(body, "spostato") || !strings.Contains(body, "oltre il massimo di 2") {
			t.Fatalf("move onto a full day: %d", code)
		}
		// Bad figures are refused next to the account.
		if code, body, _ := manager.post("/plan/settings/cadence", url.Values{"account": {acct.ID}, "max_per_day": {"molti"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="cad-max-`+acct.ID+`-err"`) {
			t.Fatalf("bad cadence: %d", code)
		}
		if code, body, _ := manager.post("/plan/settings/cadence", url.Values{"account": {acct.ID}, "quiet_start": {"22:00"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="cad-qs-`+acct.ID+`-err"`) {
			t.Fatalf("half quiet hours: %d", code)
		}
		// Who may not manage the cadence cannot change it.
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if _, body := editor.get("/plan/settings"); strings.Contains(body, `action="/plan/settings/cadence"`) {
			t.Error("an editor is offered the cadence form")
		}
		if code, _, _ := editor.post("/plan/settings/cadence", url.Values{"account": {acct.ID}, "max_per_day": {"50"}}); code != http.StatusForbidden {
			t.Fatalf("editor cadence: %d, want 403", code)
		}
	})
}

// TestCampaigns: a manager creates a campaign with its channels, KPIs and
// budget, edits it and sees its posts; bad input comes back next to its
// field; an editor and the mayor read but cannot create; forms carry the
// CSRF token and a post without it is refused.
func TestCampaigns(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		mgr := plannerFor(t, in, "manager@demo.piazza.test")
		tg := sandboxAccount(t, in, channel.Telegram)
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		code, body := manager.get("/plan/campaigns")
		if code != 200 || !strings.Contains(body, `id="campaign-form"`) || !strings.Contains(body, `name="csrf"`) {
			t.Fatalf("campaigns: %d", code)
		}
		name := storetest.Unique("Estate sicura ")
		from, to := dayAhead(mgr.org, 1, 0, 0), dayAhead(mgr.org, 40, 0, 0)
		form := url.Values{"name": {name}, "objective": {"Meno annegamenti"}, "audience": {"Famiglie"},
			"starts_on": {from.Format("2006-01-02")}, "ends_on": {to.Format("2006-01-02")}, "kpis": {"Copertura 50.000"},
			"ad_budget": {"1.500,50"}, "channels": {tg.ID}}
		code, _, where := manager.post("/plan/campaigns", form)
		m := regexp.MustCompile(`^/plan/campaigns/([0-9a-zA-Z-]+)\?ok=flash.campaign_created$`).FindStringSubmatch(where)
		if code != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %s", code, where)
		}
		id := m[1]
		c, err := in.App.Editorial.Campaign(mgr.ctx, mgr.org.ID, id)
		if err != nil || c.AdBudgetCents != 150050 || len(c.Channels) != 1 || c.Channels[0] != tg.ID || c.KPIs != "Copertura 50.000" {
			t.Fatalf("stored: %+v %v", c, err)
		}
		post, err := in.App.Editorial.CreatePost(mgr.ctx, mgr.actor, mgr.org.ID, editorial.PostInput{Title: "Bandiera rossa in spiaggia",
			Body: "Con la bandiera rossa non si fa il bagno.", CampaignID: id, PlannedAt: dayAhead(mgr.org, 2, 9, 0)})
		if err != nil {
			t.Fatal(err)
		}
		_, body = manager.get("/plan/campaigns/" + id)
		for _, want := range []string{name, "1.500,50", tg.Name, "Meno annegamenti", "Post della campagna (1)", post.ID, `id="campaign-delete"`} {
			if !strings.Contains(body, want) {
				t.Errorf("campaign page lacks %q", want)
			}
		}
		if _, body = manager.get("/plan/campaigns"); !strings.Contains(body, name) {
			t.Error("the campaign is not listed")
		}
		// Edit, then bad input.
		form.Set("name", name+" bis")
		form.Set("ad_budget", "")
		if code, _, where := manager.post("/plan/campaigns/"+id, form); code != http.StatusSeeOther || !strings.Contains(where, "flash.campaign_saved") {
			t.Fatalf("update: %d %s", code, where)
		}
		if c, _ := in.App.Editorial.Campaign(mgr.ctx, mgr.org.ID, id); c.Name != name+" bis" || c.AdBudgetCents != 0 {
			t.Errorf("updated: %+v", c)
		}
		bad := url.Values{"name": {"Al contrario"}, "starts_on": {to.Format("2006-01-02")}, "ends_on": {from.Format("2006-01-02")}}
		if code, body, _ := manager.post("/plan/campaigns", bad); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-ends_on-err"`) ||
			!strings.Contains(body, `value="Al contrario"`) {
			t.Fatalf("inverted period: %d", code)
		}
		bad.Set("ends_on", to.Format("2006-01-02"))
		bad.Set("starts_on", from.Format("2006-01-02"))
		bad.Set("ad_budget", "tanti")
		if code, body, _ := manager.post("/plan/campaigns/"+id, bad); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-ad_budget-err"`) {
			t.Fatalf("bad budget: %d", code)
		}
		if code, _, _ := manager.do("POST", "/plan/campaigns", url.Values{"name": {"Senza token"}}, nil); code != http.StatusForbidden {
			t.Fatalf("no CSRF token: %d, want 403", code)
		}

		// Roles, checked on the server.
		for _, email := range []string{"redazione@demo.piazza.test", "sindaco@demo.piazza.test"} {
			c := newClient(t, in.URL)
			c.login(email)
			if code, body := c.get("/plan/campaigns/" + id); code != 200 || strings.Contains(body, `id="campaign-form"`) {
				t.Fatalf("%s reading the campaign: %d", email, code)
			}
			if code, _, _ := c.post("/plan/campaigns", url.Values{"name": {"Abusiva"}, "starts_on": {"2027-01-01"}, "ends_on": {"2027-01-02"}}); code != http.StatusForbidden {
				t.Errorf("%s creating a campaign: %d, want 403", email, code)
			}
			if code, _, _ := c.post("/plan/campaigns/"+id+"/delete", nil); code != http.StatusForbidden {
				t.Errorf("%s deleting a campaign: %d, want 403", email, code)
			}
		}
		guest := newClient(t, in.URL)
		guest.login("ospite@demo.piazza.test")
		if code, _ := guest.get("/plan/campaigns"); code != http.StatusForbidden {
			t.Errorf("guest author on campaigns: %d, want 403", code)
		}

		manager.get("/plan/campaigns/" + id)
		if code, _, where := manager.post("/plan/campaigns/"+id+"/delete", nil); code != http.StatusSeeOther || !strings.Contains(where, "flash.campaign_deleted") {
			t.Fatalf("delete: %d", code)
		}
		if code, _ := manager.get("/plan/campaigns/" + id); code != http.StatusNotFound {
			t.Errorf("deleted campaign: %d", code)
		}
		if p, _ := in.App.Editorial.Post(mgr.ctx, mgr.org.ID, post.ID); p.CampaignID != "" {
			t.Error("the post still names the deleted campaign")
		}
	})
}

// TestRubrics: a rubric with its weekday, time and channel shows its next
// occurrences; an impossible time is refused; an editor cannot add one.
func TestRubrics(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		tg := sandboxAccount(t, in, channel.Telegram)
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		manager.get("/plan/rubrics")
		name := storetest.Unique("Venerdì cultura ")
		code, _, where := manager.post("/plan/rubrics", url.Values{"name": {name}, "weekday": {"5"}, "time_of_day": {"17:00"},
			"description": {"Mostre e concerti del fine settimana."}, "channels": {tg.ID}})
		m := regexp.MustCompile(`^/plan/rubrics/([0-9a-zA-Z-]+)\?ok=flash.rubric_created$`).FindStringSubmatch(where)
		if code != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %s", code, where)
		}
		id := m[1]
		_, body := manager.get("/plan/rubrics/" + id)
		if !strings.Contains(body, "ogni venerdì alle 17:00") || !strings.Contains(body, tg.Name) || strings.Count(body, " 17:00 · ") < 1 {
			t.Errorf("rubric page: day, channel or occurrences missing")
		}
		_, body = manager.get("/plan/rubrics")
		if !strings.Contains(body, name) || strings.Count(body, `class="rubric-next"`) < 3 {
			t.Errorf("rubric list: %d occurrences", strings.Count(body, `class="rubric-next"`))
		}
		if code, _, _ := manager.post("/plan/rubrics/"+id, url.Values{"name": {name}, "weekday": {"1"}, "time_of_day": {"09:00"}}); code != http.StatusSeeOther {
			t.Fatalf("update: %d", code)
		}
		if code, body, _ := manager.post("/plan/rubrics/"+id, url.Values{"name": {name}, "weekday": {"1"}, "time_of_day": {"25:00"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `id="f-time_of_day-err"`) {
			t.Fatalf("impossible time: %d", code)
		}
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		if code, body := editor.get("/plan/rubrics"); code != 200 || strings.Contains(body, `id="rubric-form"`) {
			t.Fatalf("editor rubrics: %d", code)
		}
		if code, _, _ := editor.post("/plan/rubrics", url.Values{"name": {"Abusiva"}}); code != http.StatusForbidden {
			t.Fatalf("editor creating a rubric: %d, want 403", code)
		}
		if code, _, _ := manager.post("/plan/rubrics/"+id+"/delete", nil); code != http.StatusSeeOther {
			t.Fatalf("delete: %d", code)
		}
	})
}

// TestCalendarPagesTranslated opens every page of the plan this file
// serves, in both languages, and fails on a message left untranslated.
func TestCalendarPagesTranslated(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		mgr := plannerFor(t, in, "manager@demo.piazza.test")
		c, err := in.App.Editorial.CreateCampaign(mgr.ctx, mgr.actor, mgr.org.ID, editorial.CampaignInput{Name: storetest.Unique("Campagna "),
			StartsOn: "2027-01-01", EndsOn: "2027-01-31", AdBudgetCents: 1000})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := in.App.Editorial.CreateRubric(mgr.ctx, mgr.actor, mgr.org.ID, editorial.RubricInput{Name: storetest.Unique("Rubrica "), Weekday: 1, TimeOfDay: "09:00"})
		if err != nil {
			t.Fatal(err)
		}
		manager := newClient(t, in.URL)
		manager.login("manager@demo.piazza.test")
		for _, lang := range []string{"en", "it"} {
			manager.post("/lang", url.Values{"lang": {lang}})
			for _, path := range []string{"/plan/calendar", "/plan/calendar?view=week", "/plan/campaigns", "/plan/campaigns/" + c.ID,
				"/plan/rubrics", "/plan/rubrics/" + rb.ID, "/plan/import", "/plan/settings"} {
				code, body := manager.get(path)
				if code != 200 {
					t.Errorf("%s %s: %d", lang, path, code)
				}
				if i := strings.Index(body, "⟦"); i >= 0 {
					t.Errorf("%s %s: untranslated %s", lang, path, body[i:min(len(body), i+60)])
				}
			}
		}
	})
}

func (c *client) mustGet(path string) string {
	c.t.Helper()
	code, body := c.get(path)
	if code != 200 {
		c.t.Fatalf("GET %s: %d", path, code)
	}
	return body
}
