// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

func TestCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.manager)
		in := editorial.CampaignInput{Name: " Estate sicura ", Objective: "Prevenire i colpi di calore", Audience: "Over 65",
			StartsOn: "2026-06-01", EndsOn: "2026-08-31", Channels: []string{k.telegram, k.mastodon, k.telegram}, KPIs: "Copertura 50.000",
			AdBudgetCents: 150000}
		_, err := k.s.CreateCampaign(ctxOf(k.editor), k.editor, k.org.ID, in)
		wantForbidden(t, err)
		bad := []struct {
			name string
			in   editorial.CampaignInput
			key  string
		}{
			{"no name", editorial.CampaignInput{StartsOn: "2026-06-01", EndsOn: "2026-06-02"}, "editorial.campaign.name_invalid"},
			{"Italian date", editorial.CampaignInput{Name: "x", StartsOn: "01/06/2026", EndsOn: "2026-06-02"}, "editorial.campaign.date_invalid"},
			{"ends before", editorial.CampaignInput{Name: "x", StartsOn: "2026-06-02", EndsOn: "2026-06-01"}, "editorial.campaign.date_invalid"},
			{"negative budget", editorial.CampaignInput{Name: "x", StartsOn: "2026-06-01", EndsOn: "2026-06-01", AdBudgetCents: -1}, "editorial.campaign.budget_invalid"},
			{"long objective", editorial.CampaignInput{Name: "x", StartsOn: "2026-06-01", EndsOn: "2026-06-01", Objective: strings.Repeat("a", 5001)}, "editorial.plan.text_too_long"},
			{"unknown channel", editorial.CampaignInput{Name: "x", StartsOn: "2026-06-01", EndsOn: "2026-06-01", Channels: []string{newKit(t, db).telegram}}, "editorial.campaign.channel_unknown"},
		}
		for _, tt := range bad {
			_, err := k.s.CreateCampaign(ctx, k.manager, k.org.ID, tt.in)
			if err == nil {
				t.Errorf("%s: accepted", tt.name)
				continue
			}
			wantKey(t, err, tt.key)
		}
		c, err := k.s.CreateCampaign(ctx, k.manager, k.org.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Estate sicura" || !slices.Equal(c.Channels, []string{k.telegram, k.mastodon}) || c.AdBudgetCents != 150000 ||
			c.StartsOn != "2026-06-01" || c.Objective != in.Objective || c.Audience != "Over 65" || c.KPIs != in.KPIs {
			t.Errorf("created %+v", c)
		}
		in.AdBudgetCents, in.Channels, in.EndsOn = 0, nil, "2026-09-15"
		c, err = k.s.UpdateCampaign(ctx, k.manager, k.org.ID, c.ID, in)
		if err != nil || c.AdBudgetCents != 0 || c.Channels != nil || c.EndsOn != "2026-09-15" {
			t.Fatalf("update: %v %+v", err, c)
		}
		if _, err := k.s.UpdateCampaign(ctx, k.manager, k.org.ID, store.NewID(), in); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update unknown: %v", err)
		}
		later, err := k.s.CreateCampaign(ctx, k.manager, k.org.ID, editorial.CampaignInput{Name: "Natale", StartsOn: "2026-12-01", EndsOn: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := k.s.Campaigns(context.Background(), k.org.ID)
		if err != nil || len(cs) != 2 || cs[0].ID != later.ID {
			t.Errorf("campaigns %v %+v", err, cs)
		}
		// A post of the campaign outlives it.
		p, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Bevi acqua", CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		wantForbidden(t, k.s.DeleteCampaign(ctxOf(k.editor), k.editor, k.org.ID, c.ID))
		if err := k.s.DeleteCampaign(ctx, k.manager, k.org.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if p = k.post(p.ID); p.CampaignID != "" {
			t.Errorf("post still in the deleted campaign: %+v", p)
		}
		if _, err := k.s.Campaign(context.Background(), k.org.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted campaign: %v", err)
		}
		for _, a := range []string{"campaign.create", "campaign.update", "campaign.delete"} {
			if len(k.entries(a)) == 0 {
				t.Errorf("%s not audited", a)
			}
		}
		if es := k.entries("campaign.update"); !strings.Contains(es[0].Before, `"budget":150000`) || !strings.Contains(es[0].After, `"budget":0`) {
			t.Errorf("campaign update audit %+v", es[0])
		}
	})
}

func TestRubrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.manager)
		in := editorial.RubricInput{Name: "Lunedì in Comune", Description: "Le notizie della settimana", Weekday: 1, TimeOfDay: "09:30",
			Channels: []string{k.telegram}}
		_, err := k.s.CreateRubric(ctxOf(k.editor), k.editor, k.org.ID, in)
		wantForbidden(t, err)
		for _, tt := range []struct {
			in  editorial.RubricInput
			key string
		}{
			{editorial.RubricInput{Weekday: 1, TimeOfDay: "09:00"}, "editorial.rubric.name_invalid"},
			{editorial.RubricInput{Name: "x", Weekday: 8, TimeOfDay: "09:00"}, "editorial.rubric.weekday_invalid"},
			{editorial.RubricInput{Name: "x", Weekday: 3, TimeOfDay: "24:00"}, "editorial.rubric.time_invalid"},
			{editorial.RubricInput{Name: "x", Weekday: 3}, "editorial.rubric.time_invalid"},
			{editorial.RubricInput{Name: "x", Channels: []string{"nope"}}, "editorial.rubric.channel_unknown"},
		} {
			_, err := k.s.CreateRubric(ctx, k.manager, k.org.ID, tt.in)
			wantKey(t, err, tt.key)
		}
		r, err := k.s.CreateRubric(ctx, k.manager, k.org.ID, in)
		if err != nil || r.Weekday != 1 || r.TimeOfDay != "09:30" || !slices.Equal(r.Channels, []string{k.telegram}) || r.Description != in.Description {
			t.Fatalf("create: %v %+v", err, r)
		}
		_, err = k.s.CreateRubric(ctx, k.manager, k.org.ID, in)
		wantKey(t, err, "editorial.rubric.name_taken")
		other, err := k.s.CreateRubric(ctx, k.manager, k.org.ID, editorial.RubricInput{Name: "Speciali", TimeOfDay: "10:00"})
		if err != nil || other.TimeOfDay != "" || other.Weekday != 0 {
			t.Fatalf("rubric without recurrence: %v %+v", err, other)
		}
		_, err = k.s.UpdateRubric(ctx, k.manager, k.org.ID, other.ID, in)
		wantKey(t, err, "editorial.rubric.name_taken")
		in.Weekday, in.TimeOfDay = 5, "18:00"
		r, err = k.s.UpdateRubric(ctx, k.manager, k.org.ID, r.ID, in)
		if err != nil || r.Weekday != 5 || r.TimeOfDay != "18:00" {
			t.Fatalf("update: %v %+v", err, r)
		}
		rs, err := k.s.Rubrics(context.Background(), k.org.ID)
		if err != nil || len(rs) != 2 || rs[0].Name != "Lunedì in Comune" {
			t.Errorf("rubrics %v %+v", err, rs)
		}
		p, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Puntata 1", RubricID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.s.DeleteRubric(ctx, k.manager, k.org.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if k.post(p.ID).RubricID != "" {
			t.Error("post still in the deleted rubric")
		}
		if err := k.s.DeleteRubric(ctx, k.manager, k.org.ID, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
		for _, a := range []string{"rubric.create", "rubric.update", "rubric.delete"} {
			if len(k.entries(a)) == 0 {
				t.Errorf("%s not audited", a)
			}
		}
	})
}

func TestRubricOccurrences(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, rome) }
	tests := []struct {
		name     string
		r        editorial.Rubric
		from, to time.Time
		want     []time.Time
	}{
		{"mondays across spring DST", editorial.Rubric{Weekday: 1, TimeOfDay: "09:00"}, day(2026, 3, 20, 0, 0), day(2026, 4, 7, 0, 0),
			[]time.Time{day(2026, 3, 23, 9, 0), day(2026, 3, 30, 9, 0), day(2026, 4, 6, 9, 0)}},
		{"sunday in the missing hour", editorial.Rubric{Weekday: 7, TimeOfDay: "02:30"}, day(2026, 3, 29, 0, 0), day(2026, 3, 30, 0, 0),
			[]time.Time{day(2026, 3, 29, 3, 30)}},
		{"from is included, to is not", editorial.Rubric{Weekday: 3, TimeOfDay: "12:15"}, day(2026, 11, 4, 12, 15), day(2026, 11, 11, 12, 15),
			[]time.Time{day(2026, 11, 4, 12, 15)}},
		{"same day, time already past", editorial.Rubric{Weekday: 3, TimeOfDay: "08:00"}, day(2026, 11, 4, 12, 0), day(2026, 11, 12, 0, 0),
			[]time.Time{day(2026, 11, 11, 8, 0)}},
		{"from in UTC, the day in Rome", editorial.Rubric{Weekday: 2, TimeOfDay: "00:30"}, time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC),
			day(2026, 11, 4, 0, 0), []time.Time{day(2026, 11, 3, 0, 30)}},
		{"no recurrence", editorial.Rubric{Weekday: 0}, day(2026, 1, 1, 0, 0), day(2026, 2, 1, 0, 0), nil},
		{"bad time", editorial.Rubric{Weekday: 1, TimeOfDay: "9"}, day(2026, 1, 1, 0, 0), day(2026, 2, 1, 0, 0), nil},
		{"empty range", editorial.Rubric{Weekday: 1, TimeOfDay: "09:00"}, day(2026, 2, 1, 0, 0), day(2026, 1, 1, 0, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := editorial.RubricOccurrences(tt.r, tt.from, tt.to, rome)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].Equal(tt.want[i]) || got[i].Location() != rome {
					t.Errorf("occurrence %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
	// A year of Mondays at 09:00 keeps the local hour through both changes.
	for _, o := range editorial.RubricOccurrences(editorial.Rubric{Weekday: 1, TimeOfDay: "09:00"}, day(2026, 1, 1, 0, 0), day(2027, 1, 1, 0, 0), rome) {
		if o.Hour() != 9 || o.Weekday() != time.Monday {
			t.Fatalf("occurrence %v", o)
		}
	}
	if got := editorial.RubricOccurrences(editorial.Rubric{Weekday: 1, TimeOfDay: "09:00"}, day(2026, 3, 20, 0, 0), day(2026, 3, 24, 0, 0), nil); len(got) != 1 || got[0].Location() != time.UTC {
		t.Errorf("nil location: %v", got)
	}
}

func TestCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := context.Background()
		c, err := k.s.CreateCampaign(ctxOf(k.manager), k.manager, k.org.ID, editorial.CampaignInput{Name: "Cantieri", StartsOn: "2026-01-01", EndsOn: "2027-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		draft := k.draftAt(k.editor, "", future(3))
		draft, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, draft.ID, draft.Version, editorial.PostInput{Title: draft.Title,
			Body: draft.Body, CampaignID: c.ID, PlannedAt: draft.ScheduledAt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.SetVariants(ctxOf(k.editor), k.editor, k.org.ID, draft.ID, draft.Version, []editorial.VariantInput{
			{AccountID: k.telegram, Text: "a"}, {AccountID: k.mastodon, Text: "b"}, {AccountID: k.telegram, Language: "en", Text: "c"}}); err != nil {
			t.Fatal(err)
		}
		sched, err := k.schedule(k.manager, k.approved(""), future(1))
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := k.s.Variants(ctx, k.org.ID, sched.ID)
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO publications (id, org_id, post_id, variant_id, account_id, state, due_at,
			next_attempt_at, remote_url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'published', $6, $6, $7, $6, $6)`,
			store.NewID(), k.org.ID, sched.ID, vs[0].ID, k.telegram, store.Now(), "https://t.me/comune/42"); err != nil {
			t.Fatal(err)
		}
		cancelled := k.draftAt(k.editor, "", future(2))
		k.do(k.editor, cancelled, editorial.ActionCancel, "")
		k.draftAt(k.editor, "", future(30)) // out of range
		if _, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Senza data"}); err != nil {
			t.Fatal(err)
		}

		items, err := k.s.Calendar(ctx, k.org.ID, future(0), future(7))
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].Post.ID != sched.ID || items[1].Post.ID != draft.ID {
			t.Fatalf("calendar %+v", items)
		}
		s := items[0]
		if len(s.Channels) != 1 || s.Channels[0].State != "published" || s.Channels[0].URL != "https://t.me/comune/42" ||
			s.Channels[0].Platform != "telegram" || s.Channels[0].AccountName != "Canale Telegram" || s.Channels[0].VariantID != vs[0].ID {
			t.Errorf("scheduled item %+v", s)
		}
		d := items[1]
		if d.Campaign != "Cantieri" || len(d.Channels) != 3 || d.Channels[0].Platform != "mastodon" ||
			d.Channels[1].Language != "en" || d.Channels[2].Language != "it" || d.Channels[1].State != "" {
			t.Errorf("draft item %+v", d)
		}
		if none, _ := k.s.Calendar(ctx, newKit(t, db).org.ID, future(0), future(7)); len(none) != 0 {
			t.Errorf("calendar of another organisation: %d items", len(none))
		}

		// Drag to reschedule: writers of the post or publishers; a
		// scheduled post goes to the publishing engine.
		at := future(5)
		_, err = k.s.Reschedule(ctxOf(k.guest), k.guest, k.org.ID, draft.ID, k.post(draft.ID).Version, at)
		wantForbidden(t, err)
		_, err = k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, draft.ID, k.post(draft.ID).Version, time.Time{})
		wantKey(t, err, "editorial.schedule.time_required")
		_, err = k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, draft.ID, draft.Version, at)
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale reschedule: %v", err)
		}
		moved, err := k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, draft.ID, k.post(draft.ID).Version, at)
		if err != nil || !moved.ScheduledAt.Equal(at) || moved.State != editorial.StateDraft {
			t.Errorf("reschedule: %v %+v", err, moved)
		}
		ap := k.approved("")
		ap, err = k.s.Reschedule(ctxOf(k.manager), k.manager, k.org.ID, ap.ID, ap.Version, at)
		if err != nil || ap.State != editorial.StateApproved || ap.ApprovedBy == "" {
			t.Errorf("reschedule keeps the approval: %v %+v", err, ap)
		}
		_, err = k.s.Reschedule(ctxOf(k.manager), k.manager, k.org.ID, sched.ID, sched.Version, at)
		if !errors.Is(err, editorial.ErrScheduled) {
			t.Errorf("reschedule of a scheduled post: %v", err)
		}
		cancelled = k.post(cancelled.ID)
		_, err = k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, cancelled.ID, cancelled.Version, at)
		wantKey(t, err, "editorial.post.not_editable")
		if es := k.entries("post.replan"); len(es) != 2 {
			t.Errorf("replan audit: %d entries", len(es))
		}
	})
}

func TestElectoralPeriodsAndOfficials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.manager)
		start := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)
		in := editorial.ElectoralPeriodInput{Name: "Comunali", StartsAt: start, EndsAt: start.AddDate(0, 1, 0)}
		_, err := k.s.CreateElectoralPeriod(ctxOf(k.editor), k.editor, k.org.ID, in)
		wantForbidden(t, err)
		_, err = k.s.CreateElectoralPeriod(ctx, k.manager, k.org.ID, editorial.ElectoralPeriodInput{Name: " ", StartsAt: start, EndsAt: start})
		wantKey(t, err, "editorial.election.name_invalid")
		wantKey(t, err, "editorial.election.period_invalid")
		p, err := k.s.CreateElectoralPeriod(ctx, k.manager, k.org.ID, in)
		if err != nil || p.Name != "Comunali" || !p.StartsAt.Equal(start) {
			t.Fatalf("create period: %v %+v", err, p)
		}
		in.Name, in.EndsAt = "Comunali e referendum", start.AddDate(0, 2, 0)
		p, err = k.s.UpdateElectoralPeriod(ctx, k.manager, k.org.ID, p.ID, in)
		if err != nil || p.Name != "Comunali e referendum" || !p.EndsAt.Equal(start.AddDate(0, 2, 0)) {
			t.Fatalf("update period: %v %+v", err, p)
		}
		older, err := k.s.CreateElectoralPeriod(ctx, k.manager, k.org.ID, editorial.ElectoralPeriodInput{Name: "Europee", StartsAt: start.AddDate(-2, 0, 0), EndsAt: start.AddDate(-2, 1, 0)})
		if err != nil {
			t.Fatal(err)
		}
		ps, err := k.s.ElectoralPeriods(context.Background(), k.org.ID)
		if err != nil || len(ps) != 2 || ps[0].ID != p.ID || ps[1].ID != older.ID {
			t.Errorf("periods %v %+v", err, ps)
		}
		wantForbidden(t, k.s.DeleteElectoralPeriod(ctxOf(k.editor), k.editor, k.org.ID, older.ID))
		if err := k.s.DeleteElectoralPeriod(ctx, k.manager, k.org.ID, older.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.ElectoralPeriod(context.Background(), k.org.ID, older.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted period: %v", err)
		}
		// The guard reads the period: a post planned inside it is flagged.
		st, err := k.s.ElectionCheck(context.Background(), k.org.ID, editorial.Post{ScheduledAt: start.AddDate(0, 1, 10)}, nil)
		if err != nil || !st.InPeriod || st.Period.ID != p.ID || !st.NeedsReason {
			t.Errorf("check inside the extended period: %v %+v", err, st)
		}
		if st, _ := k.s.ElectionCheck(context.Background(), k.org.ID, editorial.Post{ScheduledAt: start.AddDate(0, 2, 0)}, nil); st.InPeriod {
			t.Error("the end of a period is not part of it")
		}

		_, err = k.s.CreateOfficial(ctx, k.manager, k.org.ID, editorial.OfficialInput{Name: " - "})
		wantKey(t, err, "editorial.official.name_invalid")
		_, err = k.s.CreateOfficial(ctxOf(k.editor), k.editor, k.org.ID, editorial.OfficialInput{Name: "Marco Rossi"})
		wantForbidden(t, err)
		o, err := k.s.CreateOfficial(ctx, k.manager, k.org.ID, editorial.OfficialInput{Name: "Marco Rossi", Role: "sindaco"})
		if err != nil {
			t.Fatal(err)
		}
		o, err = k.s.UpdateOfficial(ctx, k.manager, k.org.ID, o.ID, editorial.OfficialInput{Name: "Marco Rossi", Role: "sindaco uscente"})
		if err != nil || o.Role != "sindaco uscente" {
			t.Fatalf("update official: %v %+v", err, o)
		}
		b, err := k.s.CreateOfficial(ctx, k.manager, k.org.ID, editorial.OfficialInput{Name: "Anna De Luca", Role: "assessora"})
		if err != nil {
			t.Fatal(err)
		}
		os, err := k.s.Officials(context.Background(), k.org.ID)
		if err != nil || len(os) != 2 || os[0].ID != b.ID {
			t.Errorf("officials %v %+v", err, os)
		}
		if err := k.s.DeleteOfficial(ctx, k.manager, k.org.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.UpdateOfficial(ctx, k.manager, k.org.ID, o.ID, editorial.OfficialInput{Name: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update deleted official: %v", err)
		}
		for _, a := range []string{"election.period.create", "election.period.update", "election.period.delete",
			"election.official.create", "election.official.update", "election.official.delete"} {
			if len(k.entries(a)) == 0 {
				t.Errorf("%s not audited", a)
			}
		}
	})
}

func TestNamedOfficials(t *testing.T) {
	officials := []editorial.Official{{ID: "1", Name: "Marco Rossi", Role: "sindaco"}, {ID: "2", Name: "Lucia Bianchi", Role: "assessora"},
		{ID: "3", Name: "Anna De Luca", Role: "assessora"}, {ID: "4", Name: "Massimo D'Alema"}}
	tests := []struct {
		text string
		want []string
	}{
		{"Il sindaco Rossi inaugura", []string{"1"}},
		{"MARCO ROSSI al mercato", []string{"1"}},
		{"Rossini in concerto", nil},
		{"l'assessora Bianchi e Marco Rossi", []string{"1", "2"}},
		{"Bianchi da sola", []string{"2"}},
		{"assessora Bianchì (con accento)", []string{"2"}},
		{"Lucia al mercato", nil},
		{"Luca suona in piazza", nil},
		{"De Luca presenta il bilancio", []string{"3"}},
		{"#MarcoRossi", nil}, // one word: a hashtag is no whole-word match
		{"Rossi-Bianchi: l'accordo", []string{"1", "2"}},
		{"D’Alema in visita", []string{"4"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, o := range editorial.NamedOfficials(tt.text, officials) {
			got = append(got, o.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.text, got, tt.want)
		}
	}
}
