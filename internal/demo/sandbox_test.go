// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/sandbox"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/web"
)

const feedURL = "http://piazza.test/o/demo/feeds/posts.atom"

// engine builds the services as the App does, with the publishing engine
// running until the test ends.
func engine(t *testing.T, db *store.DB) demo.Services {
	t.Helper()
	sealer, err := auth.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	runner := jobs.New(db, jobs.Config{Logger: log})
	ed := editorial.NewService(db)
	pub := publish.NewService(publish.Deps{DB: db, Registry: app.Connectors(false), Sealer: sealer, Editorial: ed, Jobs: runner,
		Notify: notify.NewService(db, nil, "http://piazza.test"), Log: log, PublicURL: "http://piazza.test",
		MediaURL: func(orgID, mediaID string) string { return "http://piazza.test/media/" + orgID + "/" + mediaID }})
	pub.PollInterval = 20 * time.Millisecond
	pub.Register(runner)
	if err := runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); pub.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = runner.Stop(sctx)
	})
	return demo.Services{DB: db, Orgs: org.NewService(db), Auth: auth.NewService(db, sealer), Editorial: ed, Publish: pub}
}

func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// planSnapshot describes the plan and the channels, to compare runs.
func planSnapshot(t *testing.T, s demo.Services, orgID string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	accounts, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		fmt.Fprintf(&b, "account %s %s %s %s sandbox=%v\n", a.ID, a.Platform, a.Name, a.Handle, a.Sandbox)
	}
	posts, err := s.Editorial.Posts(ctx, orgID, editorial.PostFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		fmt.Fprintf(&b, "post %s %s %s %s\n", p.ID, p.State, p.ScheduledAt.UTC().Format(time.RFC3339), p.Title)
	}
	cs, err := s.Editorial.Campaigns(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Editorial.Rubrics(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "campaigns %d rubrics %d\n", len(cs), len(rs))
	return b.String()
}

func TestSeedSandbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := engine(t, db)
		if _, err := demo.Seed(ctx, db, s.Orgs, s.Auth); err != nil {
			t.Fatal(err)
		}
		o, err := s.Orgs.OrganisationBySlug(ctx, demo.Slug)
		if err != nil {
			t.Fatal(err)
		}
		first := startSandbox(t)
		created, err := demo.SeedSandbox(ctx, s, first.Accounts(), feedURL)
		if err != nil {
			t.Fatal(err)
		}
		// SQLite starts empty; the PostgreSQL database is shared by the
		// package and may hold the demo's plan already.
		if !created && db.Engine == store.SQLite {
			t.Fatal("SeedSandbox on a new demo reported created=false")
		}
		if created {
			// What went out is on the fakes, as each platform got it.
			for _, p := range first.Platforms() {
				if len(p.Received) == 0 {
					t.Errorf("the %s fake received nothing", p.Platform)
				}
				for _, r := range p.Received {
					if r.Text == "" || r.RemoteID == "" {
						t.Errorf("%s received %+v", p.Platform, r)
					}
				}
			}
			ig := slices.IndexFunc(first.Platforms(), func(p web.SandboxPlatform) bool { return p.Platform == channel.Instagram })
			if r := first.Platforms()[ig].Received; len(r) != 1 || len(r[0].Media) != 1 || r[0].Media[0].AltText == "" ||
				!strings.Contains(r[0].Text, "#RaccoltaDifferenziata") {
				t.Errorf("instagram received %+v", r)
			}
		}

		// A second start: the fakes listen elsewhere, the accounts follow
		// them, and nothing is created twice.
		before := planSnapshot(t, s, o.ID)
		second := startSandbox(t)
		created, err = demo.SeedSandbox(ctx, s, second.Accounts(), feedURL)
		if err != nil {
			t.Fatal(err)
		}
		if created {
			t.Error("second SeedSandbox reported created=true")
		}
		if after := planSnapshot(t, s, o.ID); after != before {
			t.Errorf("second SeedSandbox changed the demo:\nbefore:\n%s\nafter:\n%s", before, after)
		}

		// Seven sandbox accounts, one per platform, at this run's fakes.
		accounts, err := s.Publish.Accounts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		byPlatform := map[channel.Platform]publish.Account{}
		for _, a := range accounts {
			if !a.Sandbox {
				continue
			}
			if _, dup := byPlatform[a.Platform]; dup {
				t.Errorf("two sandbox accounts on %s", a.Platform)
			}
			byPlatform[a.Platform] = a
		}
		for _, p := range channel.Platforms() {
			a, ok := byPlatform[p]
			want := second.URL(p)
			if p == channel.Feed {
				want = feedURL
			}
			if !ok || a.BaseURL != want || a.Status != publish.AccountActive || !a.HasCredentials && p != channel.Feed {
				t.Errorf("sandbox account on %s: %+v (want base URL %s)", p, a, want)
			}
		}
		if len(byPlatform) != 7 {
			t.Errorf("%d sandbox accounts, want 7", len(byPlatform))
		}

		// The plan: a campaign, a rubric, posts in every state of the week.
		cs, err := s.Editorial.Campaigns(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].Name != demo.CampaignName || cs[0].Objective == "" || cs[0].KPIs == "" || len(cs[0].Channels) != 7 {
			t.Errorf("campaigns %+v", cs)
		}
		rs, err := s.Editorial.Rubrics(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Name != demo.RubricName || rs[0].Weekday != 1 {
			t.Errorf("rubrics %+v", rs)
		}
		posts, err := s.Editorial.Posts(ctx, o.ID, editorial.PostFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		states := map[editorial.State]int{}
		now := time.Now()
		for _, p := range posts {
			states[p.State]++
			switch p.State {
			case editorial.StatePublished:
				if !p.ScheduledAt.Before(now.Add(-30*time.Minute)) || p.ScheduledAt.Before(now.AddDate(0, 0, -8)) {
					t.Errorf("published post %q dated %s, want in the past week", p.Title, p.ScheduledAt)
				}
				pubs, err := s.Publish.Publications(ctx, o.ID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, pb := range pubs {
					if pb.State != publish.StatePublished || pb.RemoteID == "" || !pb.PublishedAt.Equal(p.ScheduledAt) {
						t.Errorf("publication of %q: %+v", p.Title, pb)
					}
				}
			case editorial.StateScheduled:
				if !p.ScheduledAt.After(now) || p.ScheduledAt.After(now.Add(36*time.Hour)) {
					t.Errorf("scheduled post %q at %s, want in the next hours", p.Title, p.ScheduledAt)
				}
			}
		}
		want := map[editorial.State]int{editorial.StatePublished: 3, editorial.StateScheduled: 2, editorial.StateApproved: 1,
			editorial.StateReview: 2, editorial.StateDraft: 2}
		if len(posts) != 10 || fmt.Sprint(states) != fmt.Sprint(want) {
			t.Errorf("%d posts in states %v, want %v", len(posts), states, want)
		}

		// The Atom feed lists what was published, newest first.
		entries, err := s.Publish.FeedEntries(ctx, o.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 {
			t.Fatalf("%d feed entries, want 3", len(entries))
		}
		for i, e := range entries {
			if e.Title == "" || e.Text == "" || e.Language != "it" || (i > 0 && e.PublishedAt.After(entries[i-1].PublishedAt)) {
				t.Errorf("feed entry %d: %+v", i, e)
			}
		}

		// The workflow really ran: the editor submitted, the manager approved.
		approvals, err := audit.NewLog(db).List(ctx, audit.Filter{OrgID: o.ID, Action: "post.approve", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(approvals) != 6 {
			t.Errorf("%d approvals, want 6", len(approvals))
		}
		for _, e := range approvals {
			if e.ActorLabel != "manager@demo.piazza.test" || e.ActorID == "" {
				t.Errorf("approval by %q", e.ActorLabel)
			}
		}

		// The election guard has a past period and the officials.
		periods, err := s.Editorial.ElectoralPeriods(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(periods) != 1 || !periods[0].EndsAt.Before(now.AddDate(0, 0, -30)) {
			t.Errorf("electoral periods %+v, want one in the past", periods)
		}
		officials, err := s.Editorial.Officials(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(officials) == 0 {
			t.Error("no officials")
		}
	})
}
