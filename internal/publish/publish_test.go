// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// scripted is a connector whose answers a test decides, and which counts
// what it published by key: the engine's promises (exactly once, waits as
// told) are checked against it.
type scripted struct {
	platform channel.Platform
	caps     channel.Capabilities

	mu        sync.Mutex
	outcomes  []error // next answers; nil = success
	published map[string]int
	texts     map[string]string
	calls     int
	checkErr  error
}

func newScripted(p channel.Platform, caps channel.Capabilities) *scripted {
	caps.Publish = true
	return &scripted{platform: p, caps: caps, published: map[string]int{}, texts: map[string]string{}}
}

func (s *scripted) script(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes = append(s.outcomes, errs...)
}

func (s *scripted) Platform() channel.Platform         { return s.platform }
func (s *scripted) Capabilities() channel.Capabilities { return s.caps }
func (s *scripted) Limits(channel.Account) channel.Limits {
	return channel.Limits{MaxText: 50, TextUnit: "characters", MaxImages: 4, ImageTypes: []string{"image/png", "image/jpeg"}, AltTextSupported: true}
}
func (s *scripted) Count(_ channel.Account, t string) int { return utf8.RuneCountInString(t) }

func (s *scripted) Publish(_ context.Context, acct channel.Account, p channel.Post) (channel.Published, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if acct.Credentials[channel.CredToken] == "" {
		return channel.Published{}, &channel.Error{Kind: channel.Auth, Platform: s.platform, Message: "no token"}
	}
	var err error
	if len(s.outcomes) > 0 {
		err, s.outcomes = s.outcomes[0], s.outcomes[1:]
	}
	if err != nil && channel.KindOf(err) != channel.Unknown {
		return channel.Published{}, err
	}
	// Success, or "sent but no answer": either way the post now exists.
	s.published[p.Key]++
	s.texts[p.Key] = p.Text
	if err != nil {
		return channel.Published{}, err
	}
	return channel.Published{RemoteID: "r-" + p.Key, URL: "https://example.org/" + p.Key}, nil
}

func (s *scripted) Find(_ context.Context, _ channel.Account, p channel.Post, _ time.Time) (channel.Published, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.published[p.Key] > 0 {
		return channel.Published{RemoteID: "r-" + p.Key, URL: "https://example.org/" + p.Key}, true, nil
	}
	return channel.Published{}, false, nil
}

func (s *scripted) CheckCredentials(context.Context, channel.Account) (channel.Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkErr != nil {
		return channel.Identity{}, s.checkErr
	}
	return channel.Identity{Name: "Canale", Settings: map[string]string{"checked": "yes"}}, nil
}

func (s *scripted) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.published[key]
}

type env struct {
	db        *store.DB
	pub       *publish.Service
	ed        *editorial.Service
	runner    *jobs.Runner
	org       org.Organisation
	manager   editorial.Actor
	plain     *scripted // telegram: neither idempotent nor able to find
	idem      *scripted // mastodon: idempotent
	finder    *scripted // facebook: can find
	accounts  map[channel.Platform]string
	cancelRun context.CancelFunc
}

// only Publish, no Find: wraps scripted without exposing its Find method.
type plainConn struct{ s *scripted }

func (p plainConn) Platform() channel.Platform              { return p.s.Platform() }
func (p plainConn) Capabilities() channel.Capabilities      { return p.s.Capabilities() }
func (p plainConn) Limits(a channel.Account) channel.Limits { return p.s.Limits(a) }
func (p plainConn) Count(a channel.Account, t string) int   { return p.s.Count(a, t) }
func (p plainConn) Publish(ctx context.Context, a channel.Account, post channel.Post) (channel.Published, error) {
	return p.s.Publish(ctx, a, post)
}
func (p plainConn) CheckCredentials(ctx context.Context, a channel.Account) (channel.Identity, error) {
	return p.s.CheckCredentials(ctx, a)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "setup"})
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("pub-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, org: o, accounts: map[channel.Platform]string{},
		plain:  newScripted(channel.Telegram, channel.Capabilities{}),
		idem:   newScripted(channel.Mastodon, channel.Capabilities{Idempotent: true}),
		finder: newScripted(channel.Facebook, channel.Capabilities{Find: true}),
	}
	reg := channel.NewRegistry()
	reg.Add(plainConn{e.plain}, nil)
	reg.Add(plainConn{e.idem}, nil)
	reg.Add(e.finder, nil)
	key, _ := auth.GenerateSecretKey()
	raw, _ := auth.ParseSecretKey(key)
	sealer, _ := auth.NewSealer(raw)
	e.ed = editorial.NewService(db)
	e.runner = jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	e.pub = publish.NewService(publish.Deps{DB: db, Registry: reg, Sealer: sealer, Editorial: e.ed, Jobs: e.runner,
		Notify: notify.NewService(db, nil, "http://piazza.test"), Log: slog.New(slog.DiscardHandler)})
	e.pub.PollInterval = 20 * time.Millisecond
	e.pub.RecoverInterval = 100 * time.Millisecond
	e.pub.AttemptTimeout = 2 * time.Second
	e.pub.Register(e.runner)
	pid := store.NewID()
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO people (id, email, name, created_at, updated_at) VALUES ($1, $2, 'Manager', $3, $3)`,
		pid, storetest.Unique("m")+"@example.org", store.Now()); err != nil {
		t.Fatal(err)
	}
	e.manager = editorial.Actor{PersonID: pid, Grants: org.NewGrants(o.ID, []org.Membership{{OrgID: o.ID, PersonID: pid, Role: org.RoleManager}})}
	for _, p := range []channel.Platform{channel.Telegram, channel.Mastodon, channel.Facebook} {
		in := publish.AccountInput{Platform: p, Name: "Account " + string(p), Handle: "@comune", Credentials: channel.Credentials{channel.CredToken: "secret-" + string(p)}}
		if p == channel.Mastodon {
			in.BaseURL = "https://mastodon.example"
		}
		a, err := e.pub.CreateAccount(ctx, o.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		e.accounts[p] = a.ID
	}
	return e
}

func (e *env) start(t *testing.T) {
	t.Helper()
	if err := e.runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancelRun = cancel
	done := make(chan struct{})
	go func() { defer close(done); e.pub.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = e.runner.Stop(sctx)
	})
}

// approvedPost writes a post with a variant per platform and approves it.
func (e *env) approvedPost(t *testing.T, text string, platforms ...channel.Platform) editorial.Post {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{PersonID: e.manager.PersonID, Label: "manager"})
	p, err := e.ed.CreatePost(ctx, e.manager, e.org.ID, editorial.PostInput{Title: "Avviso"})
	if err != nil {
		t.Fatal(err)
	}
	var vs []editorial.VariantInput
	for _, pl := range platforms {
		vs = append(vs, editorial.VariantInput{AccountID: e.accounts[pl], Text: text})
	}
	if _, err := e.ed.SetVariants(ctx, e.manager, e.org.ID, p.ID, p.Version, vs); err != nil {
		t.Fatal(err)
	}
	p, _ = e.ed.Post(ctx, e.org.ID, p.ID)
	if p, err = e.ed.Transition(ctx, e.manager, e.org.ID, p.ID, p.Version, editorial.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if p, err = e.ed.Transition(ctx, e.manager, e.org.ID, p.ID, p.Version, editorial.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) schedule(t *testing.T, p editorial.Post, at time.Time) {
	t.Helper()
	if _, err := e.pub.Schedule(context.Background(), e.manager, e.org.ID, p.ID, p.Version, at); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls the publications of a post until cond holds.
func (e *env) waitFor(t *testing.T, postID string, what string, cond func([]publish.Publication) bool) []publish.Publication {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		pubs, err := e.pub.Publications(context.Background(), e.org.ID, postID)
		if err != nil {
			t.Fatal(err)
		}
		if cond(pubs) {
			return pubs
		}
		if time.Now().After(deadline) {
			rows, _ := e.db.Read.QueryContext(context.Background(), `SELECT state, kind FROM river_job`)
			for rows != nil && rows.Next() {
				var a, b string
				_ = rows.Scan(&a, &b)
				t.Logf("river job %s %s", a, b)
			}
			var states []string
			for _, p := range pubs {
				states = append(states, fmt.Sprintf("%s:%s(%s)", p.AccountID[len(p.AccountID)-4:], p.State, p.LastError))
			}
			t.Fatalf("timed out waiting for %s: %v", what, states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func allIn(st publish.State) func([]publish.Publication) bool {
	return func(ps []publish.Publication) bool {
		for _, p := range ps {
			if p.State != st {
				return false
			}
		}
		return len(ps) > 0
	}
}

func TestPublishesOnceOnEveryChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.start(t)
		p := e.approvedPost(t, "Via Roma chiusa da lunedì.", channel.Telegram, channel.Mastodon, channel.Facebook)
		e.schedule(t, p, time.Now().Add(300*time.Millisecond))
		pubs := e.waitFor(t, p.ID, "published", allIn(publish.StatePublished))
		for _, pb := range pubs {
			if pb.RemoteURL != "https://example.org/"+pb.ID || pb.Attempts != 1 {
				t.Errorf("publication %+v", pb)
			}
		}
		for _, s := range []*scripted{e.plain, e.idem, e.finder} {
			for _, pb := range pubs {
				if n := s.count(pb.ID); n > 1 {
					t.Errorf("%s published %s %d times", s.platform, pb.ID, n)
				}
			}
		}
		post, _ := e.ed.Post(context.Background(), e.org.ID, p.ID)
		if post.State != editorial.StatePublished || post.ApprovedBy != e.manager.PersonID {
			t.Errorf("post state %s approver %q", post.State, post.ApprovedBy)
		}
		// Dispatching again, or a duplicate job, finds nothing to do.
		if n, err := e.pub.Dispatch(context.Background()); err != nil || n != 0 {
			t.Errorf("dispatch after publishing: %d %v", n, err)
		}
	})
}

func TestOverLimitCannotBeScheduled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.approvedPost(t, strings.Repeat("x", 57), channel.Telegram)
		_, err := e.pub.Schedule(context.Background(), e.manager, e.org.ID, p.ID, p.Version, time.Now())
		var pe *publish.ProblemsError
		if !errors.As(err, &pe) || len(pe.Checks) != 1 || pe.Checks[0].Problems[0].Code != channel.ProblemTooLong || pe.Checks[0].Problems[0].Over() != 7 {
			t.Fatalf("over-limit schedule: %v", err)
		}
		post, _ := e.ed.Post(context.Background(), e.org.ID, p.ID)
		if post.State != editorial.StateApproved {
			t.Errorf("post moved to %s", post.State)
		}
	})
}

func TestRetriesAndRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.start(t)
		e.plain.script(
			&channel.Error{Kind: channel.RateLimited, RetryAfter: time.Second, Message: "Too Many Requests: retry after 1"},
			&channel.Error{Kind: channel.Retryable, Status: 502, RetryAfter: 100 * time.Millisecond, Message: "Bad Gateway"},
		)
		p := e.approvedPost(t, "Allerta meteo gialla.", channel.Telegram)
		start := time.Now()
		e.schedule(t, p, time.Now())
		pubs := e.waitFor(t, p.ID, "published after a 429 and a 502", allIn(publish.StatePublished))
		if time.Since(start) < time.Second {
			t.Errorf("published %v after a 429 asking for 1 s", time.Since(start))
		}
		// The rate limit does not use up an attempt; the 502 does.
		if pubs[0].Attempts != 2 || e.plain.count(pubs[0].ID) != 1 {
			t.Errorf("attempts %d, published %d times", pubs[0].Attempts, e.plain.count(pubs[0].ID))
		}
	})
}

func TestPermanentFailureNotifiesAuthor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.start(t)
		e.plain.script(&channel.Error{Kind: channel.Permanent, Status: 400, Message: "Bad Request: message caption is too long"})
		p := e.approvedPost(t, "Avviso", channel.Telegram)
		e.schedule(t, p, time.Now())
		pubs := e.waitFor(t, p.ID, "failed", allIn(publish.StateFailed))
		if pubs[0].LastError != "Bad Request: message caption is too long" {
			t.Errorf("last error %q", pubs[0].LastError)
		}
		post, _ := e.ed.Post(context.Background(), e.org.ID, p.ID)
		if post.State != editorial.StateFailed {
			t.Errorf("post state %s", post.State)
		}
		ns, err := notify.NewService(db, nil, "").List(context.Background(), e.org.ID, e.manager.PersonID, 10)
		if err != nil || len(ns) != 1 || !strings.Contains(ns[0].Body, "caption is too long") {
			t.Errorf("notifications %v %+v", err, ns)
		}
	})
}

func TestExpiredTokenPausesNeverDrops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.start(t)
		e.plain.script(&channel.Error{Kind: channel.Auth, Status: 401, Message: "Unauthorized"})
		p := e.approvedPost(t, "Avviso", channel.Telegram)
		e.schedule(t, p, time.Now())
		e.waitFor(t, p.ID, "waiting", allIn(publish.StateWaiting))
		a, _ := e.pub.Account(context.Background(), e.org.ID, e.accounts[channel.Telegram])
		if a.Status != publish.AccountAttention || a.StatusReason != "Unauthorized" {
			t.Errorf("account %s %q", a.Status, a.StatusReason)
		}
		// Reconnecting releases what waited.
		if err := e.pub.SetCredentials(context.Background(), e.org.ID, a.ID, channel.Credentials{channel.CredToken: "new"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		e.waitFor(t, p.ID, "published after reconnecting", allIn(publish.StatePublished))
	})
}

func TestUnknownOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// The author reads Piazza in English: the notification of the
		// unknown outcome is in English, the platform's words as they came.
		if _, err := db.Write.ExecContext(context.Background(), `UPDATE people SET lang = 'en' WHERE id = $1`, e.manager.PersonID); err != nil {
			t.Fatal(err)
		}
		e.start(t)
		lost := &channel.Error{Kind: channel.Unknown, Message: "no answer after sending"}
		e.plain.script(lost)
		e.idem.script(lost)
		e.finder.script(lost)
		p := e.approvedPost(t, "Avviso", channel.Telegram, channel.Mastodon, channel.Facebook)
		e.schedule(t, p, time.Now())
		pubs := e.waitFor(t, p.ID, "settled", func(ps []publish.Publication) bool {
			for _, p := range ps {
				if !p.State.Settled() {
					return false
				}
			}
			return true
		})
		for _, pb := range pubs {
			switch pb.AccountID {
			case e.accounts[channel.Telegram]:
				// Nothing can tell: a person decides, nothing is re-sent.
				if pb.State != publish.StateUnknown || e.plain.count(pb.ID) != 1 {
					t.Errorf("telegram: %s, sent %d times", pb.State, e.plain.count(pb.ID))
				}
				ns, err := notify.NewService(db, nil, "").List(context.Background(), e.org.ID, e.manager.PersonID, 10)
				if err != nil || len(ns) != 1 || !strings.Contains(ns[0].Body, "outcome unknown, check on the platform") ||
					!strings.Contains(ns[0].Body, "no answer after sending") {
					t.Errorf("the author's notification: %v %+v", err, ns)
				}
				if err := e.pub.Resolve(context.Background(), e.org.ID, pb.ID, true, "https://t.me/comune/1"); err != nil {
					t.Fatal(err)
				}
			case e.accounts[channel.Mastodon]:
				// The same idempotency key makes the retry safe; the scripted
				// platform counts it twice, as the real one would return the
				// first status for the second call.
				if pb.State != publish.StatePublished {
					t.Errorf("mastodon: %s", pb.State)
				}
			case e.accounts[channel.Facebook]:
				// The finder sees the post: published, never re-sent.
				if pb.State != publish.StatePublished || e.finder.count(pb.ID) != 1 {
					t.Errorf("facebook: %s, sent %d times", pb.State, e.finder.count(pb.ID))
				}
			}
		}
		post, _ := e.ed.Post(context.Background(), e.org.ID, p.ID)
		if post.State != editorial.StatePublished {
			t.Errorf("post after resolving: %s", post.State)
		}
	})
}

func TestRecoversAttemptsCutByACrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.approvedPost(t, "Avviso", channel.Telegram, channel.Facebook)
		e.schedule(t, p, time.Now())
		// As if a process had claimed the rows, sent the Facebook post, and died.
		past := store.Time(time.Now().Add(-time.Minute))
		if _, err := db.Write.ExecContext(context.Background(), `UPDATE publications SET state = 'publishing', attempts = 1,
			lease_until = $1 WHERE post_id = $2`, past, p.ID); err != nil {
			t.Fatal(err)
		}
		pubs, _ := e.pub.Publications(context.Background(), e.org.ID, p.ID)
		for _, pb := range pubs {
			if pb.AccountID == e.accounts[channel.Facebook] {
				e.finder.published[pb.ID] = 1
			}
		}
		e.start(t)
		pubs = e.waitFor(t, p.ID, "recovered", func(ps []publish.Publication) bool {
			for _, p := range ps {
				if !p.State.Settled() {
					return false
				}
			}
			return true
		})
		for _, pb := range pubs {
			if pb.AccountID == e.accounts[channel.Facebook] && (pb.State != publish.StatePublished || e.finder.count(pb.ID) != 1) {
				t.Errorf("facebook after crash: %s, sent %d times", pb.State, e.finder.count(pb.ID))
			}
			if pb.AccountID == e.accounts[channel.Telegram] && (pb.State != publish.StateUnknown || e.plain.count(pb.ID) != 0) {
				t.Errorf("telegram after crash: %s, sent %d times (must not be re-sent blindly)", pb.State, e.plain.count(pb.ID))
			}
		}
	})
}

func TestSuspensionHoldsAllButAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := audit.WithActor(context.Background(), audit.Actor{PersonID: e.manager.PersonID, Label: "manager"})
		if err := e.pub.Suspend(ctx, e.org.ID, e.manager.PersonID, ""); err == nil {
			t.Error("suspension without a reason accepted")
		}
		if err := e.pub.Suspend(ctx, e.org.ID, e.manager.PersonID, "Allerta rossa: lutto cittadino"); err != nil {
			t.Fatal(err)
		}
		e.start(t)
		p := e.approvedPost(t, "Torna il mercato", channel.Telegram)
		e.schedule(t, p, time.Now())
		alert := e.approvedPost(t, "Allerta: evacuare la zona rossa", channel.Mastodon)
		if _, err := db.Write.ExecContext(ctx, `UPDATE posts SET is_alert = TRUE WHERE id = $1`, alert.ID); err != nil {
			t.Fatal(err)
		}
		alert, _ = e.ed.Post(ctx, e.org.ID, alert.ID)
		e.schedule(t, alert, time.Now())
		e.waitFor(t, alert.ID, "the alert published during the suspension", allIn(publish.StatePublished))
		pubs, _ := e.pub.Publications(ctx, e.org.ID, p.ID)
		if pubs[0].State != publish.StateScheduled {
			t.Errorf("a normal post went out during the suspension: %s", pubs[0].State)
		}
		sp, _ := e.pub.Suspension(ctx, e.org.ID)
		if !sp.Suspended || sp.Held != 1 {
			t.Errorf("suspension %+v", sp)
		}
		es, _ := audit.NewLog(db).List(ctx, audit.Filter{OrgID: e.org.ID, Action: "publication.exempt"})
		if len(es) != 1 {
			t.Errorf("exemption audit entries: %d", len(es))
		}
		if err := e.pub.Resume(ctx, e.org.ID); err != nil {
			t.Fatal(err)
		}
		e.waitFor(t, p.ID, "published after resuming", allIn(publish.StatePublished))
	})
}

func TestCadenceWarnings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a, _ := e.pub.Account(ctx, e.org.ID, e.accounts[channel.Telegram])
		if _, err := e.pub.UpdateAccount(ctx, e.org.ID, a.ID, publish.AccountInput{Name: a.Name, Handle: a.Handle,
			Cadence: publish.Cadence{MaxPerDay: 1, MinSpacing: 2 * time.Hour}}); err != nil {
			t.Fatal(err)
		}
		// Ten in the morning two days ahead, in the organisation's time
		// zone: both posts fall on the same day whatever the hour of the
		// run (at 22:45 UTC, now+48h and 30 minutes later were two days in
		// Rome, and the daily limit was not reached).
		loc := e.org.Location()
		day := time.Now().In(loc).AddDate(0, 0, 2)
		at := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc)
		first := e.approvedPost(t, "Primo", channel.Telegram)
		e.schedule(t, first, at)
		second := e.approvedPost(t, "Secondo", channel.Telegram)
		res, err := e.pub.Schedule(ctx, e.manager, e.org.ID, second.ID, second.Version, at.Add(30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]bool{}
		for _, w := range res.Warnings {
			codes[w.Code] = true
		}
		if !codes[publish.CadenceTooMany] || !codes[publish.CadenceTooClose] {
			t.Errorf("warnings %+v", res.Warnings)
		}
	})
}

func TestCheckAccountMarksAttention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		id := e.accounts[channel.Telegram]
		if _, err := e.pub.CheckAccount(ctx, e.org.ID, id); err != nil {
			t.Fatal(err)
		}
		a, _ := e.pub.Account(ctx, e.org.ID, id)
		if a.Settings["checked"] != "yes" || a.CheckedAt.IsZero() {
			t.Errorf("check did not store settings: %+v", a)
		}
		e.plain.checkErr = &channel.Error{Kind: channel.Auth, Message: "Unauthorized"}
		if _, err := e.pub.CheckAccount(ctx, e.org.ID, id); channel.KindOf(err) != channel.Auth {
			t.Fatalf("check error %v", err)
		}
		a, _ = e.pub.Account(ctx, e.org.ID, id)
		if a.Status != publish.AccountAttention {
			t.Errorf("status %s", a.Status)
		}
		// Credentials are sealed: the table never holds the token in clear.
		var sealed string
		_ = db.Read.QueryRowContext(ctx, `SELECT credentials FROM channel_accounts WHERE id = $1`, id).Scan(&sealed)
		if strings.Contains(sealed, "secret-telegram") || !strings.HasPrefix(sealed, "v1:") {
			t.Errorf("credentials stored as %q", sealed)
		}
	})
}
