// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/httpx"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

type env struct {
	ctx      context.Context
	db       *store.DB
	org      org.Organisation
	alerts   *alert.Service
	pub      *publish.Service
	tg       *telegramtest.Server
	md       *mastodontest.Server
	bs       *blueskytest.Server
	ig       *instagramtest.Server
	accounts map[channel.Platform]string
	real     string // a real (not sandbox) Telegram account
	notify   *notify.Service
}

const channelRef = "@comune_prova"

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("allerta-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, db: db, org: o, accounts: map[channel.Platform]string{},
		tg: telegramtest.New(telegramtest.Options{Titles: map[string]string{channelRef: "Comune di Prova"}}),
		md: mastodontest.New(mastodontest.Options{AnyToken: true}),
		bs: blueskytest.New(blueskytest.Options{AnyAccount: true}),
		ig: instagramtest.New(instagramtest.Options{Open: true, PageID: facebooktest.DefaultPageID, PageName: facebooktest.DefaultPageName}),
	}
	client := httpx.NewClient(httpx.Options{AllowPrivate: true})
	reg := channel.NewRegistry()
	reg.Add(telegram.New(client), telegram.New(client))
	reg.Add(mastodon.New(client), mastodon.New(client))
	reg.Add(bluesky.New(client), bluesky.New(client))
	reg.Add(instagram.New(client), instagram.New(client))
	key, _ := auth.GenerateSecretKey()
	raw, _ := auth.ParseSecretKey(key)
	sealer, _ := auth.NewSealer(raw)
	e.pub = publish.NewService(publish.Deps{DB: db, Registry: reg, Sealer: sealer, Editorial: editorial.NewService(db),
		Notify: notify.NewService(db, nil, "http://piazza.test"), Log: slog.New(slog.DiscardHandler)})
	serve := func(p channel.Platform, srv *httptest.Server, handle string, creds channel.Credentials, sandbox bool) string {
		a, err := e.pub.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: p, Name: "Sandbox " + string(p), Handle: handle,
			BaseURL: srv.URL, Sandbox: sandbox, Credentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	tgSrv, mdSrv, bsSrv, igSrv := httptest.NewServer(e.tg), httptest.NewServer(e.md), httptest.NewServer(e.bs), httptest.NewServer(e.ig)
	t.Cleanup(func() { tgSrv.Close(); mdSrv.Close(); bsSrv.Close(); igSrv.Close() })
	e.accounts[channel.Telegram] = serve(channel.Telegram, tgSrv, channelRef, channel.Credentials{channel.CredToken: "7000000001:test"}, true)
	e.accounts[channel.Mastodon] = serve(channel.Mastodon, mdSrv, "@"+mastodontest.DefaultUsername+"@"+mastodontest.DefaultDomain,
		channel.Credentials{channel.CredToken: mastodontest.DefaultToken}, true)
	e.accounts[channel.Bluesky] = serve(channel.Bluesky, bsSrv, blueskytest.DefaultHandle,
		channel.Credentials{channel.CredAppPassword: blueskytest.DefaultAppPassword}, true)
	e.accounts[channel.Instagram] = serve(channel.Instagram, igSrv, instagramtest.DefaultIGUserID,
		channel.Credentials{channel.CredToken: instagramtest.DefaultToken}, true)
	// Never called: a drill must be refused before reaching it.
	realAcct, err := e.pub.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Canale ufficiale",
		Handle: channelRef, BaseURL: "https://api.telegram.invalid", Credentials: channel.Credentials{channel.CredToken: "7000000002:real"}})
	if err != nil {
		t.Fatal(err)
	}
	e.real = realAcct.ID
	e.notify = notify.NewService(db, nil, "http://piazza.test")
	e.alerts = alert.NewService(alert.Deps{DB: db, Publish: e.pub, PublicURL: "https://piazza.example", Log: slog.New(slog.DiscardHandler),
		Notify: e.notify})
	return e
}

// person adds someone with role to the organisation.
func (e *env) person(t *testing.T, role org.Role) auth.Person { return e.personIn(t, role, "it") }

// personIn adds someone with role who reads Piazza in lang.
func (e *env) personIn(t *testing.T, role org.Role, lang string) auth.Person {
	t.Helper()
	p, err := auth.NewService(e.db, nil).CreatePerson(e.ctx, nil, auth.PersonInput{Email: storetest.Unique("persona") + "@comune.example",
		Name: "Persona " + string(role), Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.NewService(e.db).Grant(e.ctx, e.org.ID, p.ID, role, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) incident(t *testing.T, exercise bool) alert.Incident {
	t.Helper()
	in, err := e.alerts.CreateIncident(e.ctx, e.org.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red,
		Title: "Bora a 150 km/h sul Carso e in città", Hashtag: "#boraTS", AreaDesc: "Trieste",
		Numbers:  []alert.Number{{Label: "Protezione civile", Number: "800 500 300"}},
		Area:     alert.Area{Polygon: []alert.Point{{Lat: 45.70, Lon: 13.70}, {Lat: 45.70, Lon: 13.80}, {Lat: 45.62, Lon: 13.80}}},
		Exercise: exercise})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// wantRefused checks that err refuses field with key and, when given,
// these arguments; it reports whether it does.
func wantRefused(t *testing.T, what string, err error, field, key string, args ...any) bool {
	t.Helper()
	es, _ := valid.As(err)
	for _, e := range es {
		if e.Field == field && e.Key == key && (len(args) == 0 || reflect.DeepEqual(e.Args, args)) {
			return true
		}
	}
	t.Errorf("%s: %v, want %s on %s %v", what, err, key, field, args)
	return false
}

func (e *env) all() []string {
	return []string{e.accounts[channel.Telegram], e.accounts[channel.Mastodon], e.accounts[channel.Bluesky], e.accounts[channel.Instagram]}
}

func TestBroadcastUpdateAndAllClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		inc := e.incident(t, false)
		if inc.Status != alert.StatusDraft || inc.Area.Polygon[0] != inc.Area.Polygon[len(inc.Area.Polygon)-1] {
			t.Fatalf("incident %+v: a draft with its ring closed", inc)
		}
		_, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindUpdate})
		wantRefused(t, "an update before the alert", err, "kind", "alert.send.not_alerted")
		first, deliveries, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert,
			Headline: "Scuole chiuse domani", Languages: []string{"en"}, AccountIDs: e.all()})
		if err != nil {
			t.Fatal(err)
		}
		if len(deliveries) != 4 {
			t.Fatalf("%d deliveries", len(deliveries))
		}
		got, err := e.alerts.Deliveries(e.ctx, e.org.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			if d.State != alert.StateSent || d.RemoteID == "" {
				t.Errorf("%s: %s %q", d.Platform, d.State, d.Error)
			}
		}
		// Each platform got the alert once, in the form it takes.
		if msgs := e.tg.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "ALLERTA ROSSA") ||
			!strings.Contains(msgs[0].Text, "Scuole chiuse domani") || !strings.Contains(msgs[0].Text, "800 500 300") {
			t.Errorf("telegram received %+v", msgs)
		}
		for _, r := range []channeltest.Recorder{e.md, e.bs, e.ig} {
			rec := r.Received()
			if len(rec) != 1 {
				t.Errorf("%s received %d posts", r.Platform(), len(rec))
				continue
			}
			if !strings.Contains(rec[0].Text, "/live/"+inc.ID) {
				t.Errorf("%s: no link to the live page in %q", r.Platform(), rec[0].Text)
			}
		}
		if rec := e.ig.Received(); len(rec) == 1 && len(rec[0].Media) != 1 {
			t.Errorf("instagram needs the alert card: %+v", rec[0].Media)
		}
		if rec := e.bs.Received(); len(rec) == 1 && len([]rune(rec[0].Text)) > 300 {
			t.Errorf("bluesky got the full text (%d characters)", len([]rune(rec[0].Text)))
		}
		inc, _ = e.alerts.Incident(e.ctx, e.org.ID, inc.ID)
		if inc.Status != alert.StatusActive || inc.StartedAt.IsZero() {
			t.Errorf("after the alert: %s", inc.Status)
		}
		_, _, err = e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert})
		wantRefused(t, "a second first alert", err, "kind", "alert.send.already_alerted")

		update, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindUpdate,
			Headline: "Raffiche fino a 170 km/h nella notte", AccountIDs: []string{e.accounts[channel.Telegram]}})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := e.alerts.CAP(e.ctx, update)
		if err != nil {
			t.Fatal(err)
		}
		if msg.MsgType != cap.MsgTypeUpdate || !strings.Contains(msg.References, ","+first.ID+",") || msg.Status != cap.StatusActual {
			t.Errorf("update CAP: %s %q %s", msg.MsgType, msg.References, msg.Status)
		}
		if _, err := cap.Marshal(msg); err != nil {
			t.Errorf("update CAP invalid: %v", err)
		}
		end, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindCancel, Headline: "La bora è calata",
			AccountIDs: []string{e.accounts[channel.Telegram]}})
		if err != nil {
			t.Fatal(err)
		}
		msg, err = e.alerts.CAP(e.ctx, end)
		if err != nil {
			t.Fatal(err)
		}
		if msg.MsgType != cap.MsgTypeCancel || strings.Count(msg.References, first.ID)+strings.Count(msg.References, update.ID) != 2 ||
			msg.Info[0].ResponseType[0] != cap.ResponseTypeAllClear {
			t.Errorf("all-clear CAP: %s %q", msg.MsgType, msg.References)
		}
		out, err := cap.Marshal(msg)
		if err != nil {
			t.Fatalf("all-clear CAP invalid: %v", err)
		}
		if strings.Contains(string(out), "Z<") || !strings.Contains(string(out), "<areaDesc>") {
			t.Errorf("CAP times must carry an offset and areas a description:\n%s", out)
		}
		if msgs := e.tg.Messages(); len(msgs) != 3 || !strings.Contains(msgs[2].Text, "CESSATO ALLARME") {
			t.Errorf("telegram after the all-clear: %d messages", len(msgs))
		}
		inc, _ = e.alerts.Incident(e.ctx, e.org.ID, inc.ID)
		if inc.Status != alert.StatusResolved {
			t.Errorf("after the all-clear: %s", inc.Status)
		}
		_, _, err = e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindUpdate})
		wantRefused(t, "an update after the all-clear", err, "status", "alert.send.resolved")
		_, err = e.alerts.UpdateIncident(e.ctx, e.org.ID, inc.ID, alert.IncidentInput{Type: inc.Type, Colour: alert.Green, Title: inc.Title})
		wantRefused(t, "a change after the all-clear", err, "status", "alert.incident.resolved")
		timeline, err := e.alerts.Alerts(e.ctx, e.org.ID, inc.ID)
		if err != nil || len(timeline) != 3 {
			t.Errorf("timeline: %d alerts (%v)", len(timeline), err)
		}
	})
}

// One channel down never delays or stops the others, and its failure is
// on record with the platform's words.
func TestOneChannelDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		coordinator, editor := e.person(t, org.RoleCrisis), e.person(t, org.RoleEditor)
		english := e.personIn(t, org.RoleCrisis, "en")
		inc := e.incident(t, false)
		e.md.Inject(channeltest.FaultBadRequest, 1)
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert, AccountIDs: e.all()})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		for _, d := range got {
			want := alert.StateSent
			if d.Platform == string(channel.Mastodon) {
				want = alert.StateFailed
			}
			if d.State != want {
				t.Errorf("%s: %s (%s), want %s", d.Platform, d.State, d.Error, want)
			}
			if d.State == alert.StateFailed && d.Error == "" {
				t.Errorf("%s failed without a reason", d.Platform)
			}
			// The platform's words are shown as they came, in any language.
			if d.State == alert.StateFailed && (d.ErrorKey != "" || d.ErrorIn(i18n.Default(), i18n.English) != d.Error) {
				t.Errorf("%s: the platform's error %q became key %q", d.Platform, d.Error, d.ErrorKey)
			}
		}
		// The crisis coordinator is told at once; an editor, who does not
		// send alerts, is not.
		ns, err := e.notify.List(e.ctx, e.org.ID, coordinator.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 1 || ns[0].Kind != notify.KindAlertDelivery || !strings.Contains(ns[0].Body, "mastodon") ||
			ns[0].Link != "/alerts/incidents/"+inc.ID {
			t.Errorf("the coordinator's notifications: %+v", ns)
		}
		if len(ns) == 1 && !strings.Contains(ns[0].Body, "Sandbox mastodon (mastodon): non inviata. ") {
			t.Errorf("the coordinator's notification in Italian: %q", ns[0].Body)
		}
		// Each reads it in their language; the platform's words stay as they are.
		if ns, _ := e.notify.List(e.ctx, e.org.ID, english.ID, 10); len(ns) != 1 ||
			!strings.HasPrefix(ns[0].Body, "Sandbox mastodon (mastodon): not sent. ") || strings.Contains(ns[0].Body, "non inviata") {
			t.Errorf("the English coordinator's notifications: %+v", ns)
		}
		if ns, _ := e.notify.List(e.ctx, e.org.ID, editor.ID, 10); len(ns) != 0 {
			t.Errorf("the editor was notified: %+v", ns)
		}
		// A person sends it again once the platform is back.
		for _, d := range got {
			if d.State == alert.StateFailed {
				if err := e.alerts.Settle(e.ctx, e.org.ID, d.ID, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, _ = e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		for _, d := range got {
			if d.State != alert.StateSent {
				t.Errorf("%s after the retry: %s", d.Platform, d.State)
			}
		}
		if n := len(e.md.Received()); n != 1 {
			t.Errorf("mastodon holds %d posts", n)
		}
	})
}

// A drill can never publish for real: a real channel is refused when
// sending, and again at delivery time if it became real since.
func TestDrillNeverReachesRealChannels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		drill := e.incident(t, true)
		_, _, err := e.alerts.Send(e.ctx, e.org.ID, "", drill.ID, alert.SendInput{Kind: alert.KindAlert,
			AccountIDs: []string{e.accounts[channel.Mastodon], e.real}})
		if !wantRefused(t, "a real channel in a drill", err, "account", "alert.send.channel_real", "Canale ufficiale") {
			t.FailNow()
		}
		if n := len(e.tg.Messages()) + len(e.md.Received()); n != 0 {
			t.Fatalf("a refused drill published %d posts", n)
		}
		if list, _ := e.alerts.Alerts(e.ctx, e.org.ID, drill.ID); len(list) != 0 {
			t.Fatal("a refused drill left an alert")
		}
		// The account turns real after the drill was sent: its delivery,
		// tried again, is refused at the door.
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", drill.ID, alert.SendInput{Kind: alert.KindAlert,
			AccountIDs: []string{e.accounts[channel.Telegram]}})
		if err != nil {
			t.Fatal(err)
		}
		msgs := e.tg.Messages()
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "ESERCITAZIONE") {
			t.Fatalf("the drill on the sandbox: %+v", msgs)
		}
		_, err = e.alerts.UpdateIncident(e.ctx, e.org.ID, drill.ID, alert.IncidentInput{Type: drill.Type, Colour: drill.Colour,
			Title: drill.Title, Exercise: false})
		wantRefused(t, "a drill turned real once broadcast", err, "exercise", "alert.incident.exercise_locked")
		if _, err := db.Write.ExecContext(e.ctx, `UPDATE channel_accounts SET sandbox = FALSE WHERE id = $1`, e.accounts[channel.Telegram]); err != nil {
			t.Fatal(err)
		}
		got, _ := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if _, err := db.Write.ExecContext(e.ctx, `UPDATE alert_deliveries SET state = 'failed' WHERE id = $1`, got[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.alerts.Settle(e.ctx, e.org.ID, got[0].ID, false); err != nil {
			t.Fatal(err)
		}
		got, _ = e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if got[0].State != alert.StateFailed || got[0].ErrorKey != "alert.delivery.error.drill_real_channel" ||
			!strings.Contains(got[0].Error, "esercitazione") || len(e.tg.Messages()) != 1 {
			t.Errorf("drill resent to a real channel: %s %q %q, %d messages", got[0].State, got[0].ErrorKey, got[0].Error, len(e.tg.Messages()))
		}
		msg, err := e.alerts.CAP(e.ctx, a)
		if err != nil || msg.Status != cap.StatusExercise {
			t.Errorf("a drill's CAP status: %v %v", msg, err)
		}
	})
}

// A crash while sending leaves the delivery unknown, never re-sent
// blindly; a person settles it.
func TestCrashLeavesUnknown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		coordinator, english := e.person(t, org.RoleCrisis), e.personIn(t, org.RoleCrisis, "en")
		inc := e.incident(t, false)
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert,
			AccountIDs: []string{e.accounts[channel.Telegram]}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		// As a crash leaves it: claimed, lease run out.
		if _, err := db.Write.ExecContext(e.ctx, `UPDATE alert_deliveries SET state = 'sending', lease_until = $1 WHERE id = $2`,
			store.Now().Add(-time.Minute), got[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.alerts.Recover(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, _ = e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if got[0].State != alert.StateUnknown || len(e.tg.Messages()) != 1 {
			t.Fatalf("after the crash: %s, %d messages", got[0].State, len(e.tg.Messages()))
		}
		// Piazza's own words: a key, shown in the reader's language, with
		// the Italian text kept for the API and the audit log.
		c := i18n.Default()
		if d := got[0]; d.ErrorKey != "alert.delivery.error.interrupted" ||
			d.Error != "Interrotto durante l'invio: verificare sulla piattaforma." ||
			d.ErrorIn(c, i18n.English) != "Interrupted while sending: check on the platform." {
			t.Errorf("the crash's reason: key %q, text %q, in English %q", d.ErrorKey, d.Error, d.ErrorIn(c, i18n.English))
		}
		// Someone must look on the platform: the coordinator is told.
		if ns, err := e.notify.List(e.ctx, e.org.ID, coordinator.ID, 10); err != nil || len(ns) != 1 ||
			ns[0].Kind != notify.KindAlertDelivery || !strings.Contains(ns[0].Body, "esito incerto") {
			t.Errorf("the coordinator's notifications after the crash: %+v %v", ns, err)
		}
		if ns, err := e.notify.List(e.ctx, e.org.ID, english.ID, 10); err != nil || len(ns) != 1 || ns[0].Body !=
			"Sandbox telegram (telegram): outcome unknown, check on the platform. Interrupted while sending: check on the platform." {
			t.Errorf("the English coordinator's notifications after the crash: %+v %v", ns, err)
		}
		if err := e.alerts.Settle(e.ctx, e.org.ID, got[0].ID, true); err != nil {
			t.Fatal(err)
		}
		got, _ = e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if got[0].State != alert.StateSent || len(e.tg.Messages()) != 1 {
			t.Errorf("settled as sent: %s, %d messages", got[0].State, len(e.tg.Messages()))
		}
		if got[0].Error != "" || got[0].ErrorKey != "" || got[0].ErrorArgs != nil {
			t.Errorf("settled as sent, the reason stays: %q %q %v", got[0].Error, got[0].ErrorKey, got[0].ErrorArgs)
		}
	})
}

func TestIncidentInputRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ok := alert.IncidentInput{Type: alert.TypeFlood, Colour: alert.Orange, Title: "Seveso esondato"}
		for _, tc := range []struct {
			name   string
			mutate func(*alert.IncidentInput)
			field  string
			key    string
			args   []any
		}{
			{"type", func(in *alert.IncidentInput) { in.Type = "tsunami" }, "type", "alert.incident.type_unknown", []any{"tsunami"}},
			{"colour", func(in *alert.IncidentInput) { in.Colour = "viola" }, "colour", "alert.incident.colour_unknown", []any{"viola"}},
			{"title", func(in *alert.IncidentInput) { in.Title = "  " }, "title", "alert.incident.title_required", nil},
			{"long title", func(in *alert.IncidentInput) { in.Title = strings.Repeat("a", 201) }, "title", "alert.incident.title_too_long", []any{200}},
			{"long instructions", func(in *alert.IncidentInput) { in.Instructions = strings.Repeat("a", 4001) },
				"instructions", "alert.text_too_long", []any{4000}},
			{"latitude", func(in *alert.IncidentInput) {
				in.Area.Polygon = []alert.Point{{Lat: 95, Lon: 9}, {Lat: 45, Lon: 9.1}, {Lat: 45.1, Lon: 9}}
			}, "area", "alert.area.out_of_range", []any{"95", "9"}},
			{"line", func(in *alert.IncidentInput) {
				in.Area.Polygon = []alert.Point{{Lat: 45, Lon: 9}, {Lat: 45.1, Lon: 9.1}, {Lat: 45.2, Lon: 9.2}}
			}, "area", "alert.area.no_surface", nil},
			{"two", func(in *alert.IncidentInput) {
				in.Area.Polygon = []alert.Point{{Lat: 45, Lon: 9}, {Lat: 45.1, Lon: 9.1}}
			}, "area", "alert.area.too_few_vertices", nil},
			{"radius", func(in *alert.IncidentInput) {
				in.Area.Circle = &alert.Circle{Center: alert.Point{Lat: 45, Lon: 9}, RadiusKm: 0}
			}, "area", "alert.area.radius", []any{500}},
			{"both", func(in *alert.IncidentInput) {
				in.Area = alert.Area{Polygon: []alert.Point{{Lat: 45, Lon: 9}}, Circle: &alert.Circle{RadiusKm: 1}}
			}, "area", "alert.area.polygon_and_circle", nil},
			{"link", func(in *alert.IncidentInput) { in.Links = []alert.Link{{Label: "x", URL: "javascript:alert(1)"}} },
				"links", "alert.incident.link_invalid", []any{"javascript:alert(1)"}},
			{"number", func(in *alert.IncidentInput) { in.Numbers = []alert.Number{{Number: "chiamate"}} },
				"numbers", "alert.incident.number_invalid", []any{"chiamate"}},
			{"hashtag", func(in *alert.IncidentInput) { in.Hashtag = "#due parole" }, "hashtag", "alert.incident.hashtag_invalid",
				[]any{"#due parole", 100}},
			{"zone", func(in *alert.IncidentInput) { in.ZoneIDs = []string{"nessuna"} }, "zone", "alert.incident.zone_unknown", []any{"nessuna"}},
		} {
			in := ok
			tc.mutate(&in)
			_, err := e.alerts.CreateIncident(e.ctx, e.org.ID, "", in)
			wantRefused(t, tc.name, err, tc.field, tc.key, tc.args...)
		}
		// Every invalid field is named at once, for the form to show them all.
		_, err := e.alerts.CreateIncident(e.ctx, e.org.ID, "", alert.IncidentInput{Colour: "blu", Hashtag: "a b"})
		if es, _ := valid.As(err); len(es) != 4 {
			t.Errorf("an incident wrong in four fields: %v", err)
		}
		for field, key := range map[string]string{"type": "alert.incident.type_unknown", "colour": "alert.incident.colour_unknown",
			"title": "alert.incident.title_required", "hashtag": "alert.incident.hashtag_invalid"} {
			wantRefused(t, "four fields", err, field, key)
		}
		if list, _ := e.alerts.Incidents(e.ctx, e.org.ID, 0); len(list) != 0 {
			t.Errorf("refused incidents stored: %d", len(list))
		}
		zones, err := e.alerts.ImportZones(e.ctx, e.org.ID, []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"nome":"Barcola"},"geometry":{"type":"Polygon","coordinates":[[[13.72,45.67],[13.75,45.67],[13.75,45.69],[13.72,45.69],[13.72,45.67]]]}},
			{"type":"Feature","properties":{"name":"Rive"},"geometry":{"type":"MultiPolygon","coordinates":[[[[13.76,45.64],[13.77,45.64],[13.77,45.65],[13.76,45.64]]]]}}]}`))
		if err != nil || len(zones) != 2 {
			t.Fatalf("zones: %v %v", zones, err)
		}
		in := ok
		in.ZoneIDs = []string{zones[0].ID, zones[1].ID}
		inc, err := e.alerts.CreateIncident(e.ctx, e.org.ID, "", in)
		if err != nil || inc.AreaDesc != "Barcola, Rive" {
			t.Fatalf("incident on zones: %q %v", inc.AreaDesc, err)
		}
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := e.alerts.CAP(e.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg.Info[0].Area) != 2 || msg.Info[0].Area[0].AreaDesc != "Barcola" || !strings.HasPrefix(msg.Info[0].Area[0].Polygon[0], "45.67,13.72 ") {
			t.Errorf("CAP areas (lat,lon order): %+v", msg.Info[0].Area)
		}
		if _, err := cap.Marshal(msg); err != nil {
			t.Error(err)
		}
	})
}
