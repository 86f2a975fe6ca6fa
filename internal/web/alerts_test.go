// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// The crisis coordinator opens an incident, previews the texts, edits
// one and sends to a channel in one action; the timeline shows the
// delivery. Roles are checked on the server.
func TestAlertsCrisisDesk(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		const token = "987654:bot-delle-allerte"
		tg := telegramtest.New(telegramtest.Options{Token: token, Titles: map[string]string{"@allerte_test": "Allerte"}})
		tsrv := httptest.NewServer(tg)
		t.Cleanup(tsrv.Close)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Canale allerte test",
			Handle: "@allerte_test", BaseURL: tsrv.URL, Sandbox: true, Credentials: channel.Credentials{channel.CredToken: token}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = in.App.Publish.SetAccountStatus(context.Background(), o.ID, acct.ID, publish.AccountDisabled)
		})

		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		if code, body := crisis.get("/alerts"); code != http.StatusOK || !strings.Contains(body, `action="/alerts/incidents"`) {
			t.Fatalf("alerts page: %d", code)
		}
		// A bad area is refused in words, in the person's language, and
		// nothing is created.
		before, err := in.App.Alerts.Incidents(ctx, o.ID, 500)
		if err != nil {
			t.Fatal(err)
		}
		bad := url.Values{"type": {"vento"}, "colour": {"rossa"}, "title": {"Bora test"}, "area": {"95,13 45,13.1 45.1,13"}}
		code, body, _ := crisis.post("/alerts/incidents", bad)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, shownMessage(t, i18n.Italian, "alert.area.out_of_range", "95", "13")) {
			t.Fatalf("bad area: %d", code)
		}
		// Next to its field too, tied to it for screen readers.
		if !strings.Contains(body, `id="i-area-error"`) || !strings.Contains(body, `aria-describedby="i-area-help i-area-error"`) ||
			strings.Contains(body, `id="i-title-error"`) {
			t.Errorf("bad area: the message is not next to the area field alone")
		}
		crisis.post("/lang", url.Values{"lang": {"en"}})
		bad.Set("title", " ")
		code, body, _ = crisis.post("/alerts/incidents", bad)
		for _, want := range []string{shownMessage(t, i18n.English, "alert.incident.title_required"),
			shownMessage(t, i18n.English, "alert.area.out_of_range", "95", "13")} {
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
				t.Errorf("bad title and area in English: %d, want %q", code, want)
			}
		}
		crisis.post("/lang", url.Values{"lang": {"it"}})
		if list, _ := in.App.Alerts.Incidents(ctx, o.ID, 500); len(list) != len(before) {
			t.Fatalf("refused incidents stored: %d, want %d", len(list), len(before))
		}
		code, _, loc := crisis.post("/alerts/incidents", url.Values{"type": {"vento"}, "colour": {"rossa"},
			"title": {"Bora <b>forte</b> test"}, "hashtag": {"#boraTest"}, "numbers": {"Protezione civile: 800 500 300"},
			"area": {"45.70,13.70 45.70,13.80 45.62,13.80"}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/alerts/incidents/") {
			t.Fatalf("create: %d %s", code, loc)
		}
		page := strings.Split(strings.TrimPrefix(loc, "/alerts/incidents/"), "?")[0]
		path := "/alerts/incidents/" + page
		code, body = crisis.get(path)
		if code != http.StatusOK || strings.Contains(body, "<b>forte</b>") || !strings.Contains(body, "Bora &lt;b&gt;forte&lt;/b&gt; test") {
			t.Fatalf("incident page %d: the title must be escaped", code)
		}
		// Preview: the texts per language and channel, editable.
		code, body, _ = crisis.post(path+"/send", url.Values{"action": {"preview"}, "kind": {"alert"}, "headline": {"Scuole chiuse"},
			"lang": {"en"}, "account": {acct.ID}})
		if code != http.StatusOK || !strings.Contains(body, `name="text_en_full"`) || !strings.Contains(body, "ALLERTA ROSSA") {
			t.Fatalf("preview: %d", code)
		}
		// An update cannot come before the alert.
		code, body, _ = crisis.post(path+"/send", url.Values{"action": {"send"}, "kind": {"update"}, "account": {acct.ID}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, shownMessage(t, i18n.Italian, "alert.send.not_alerted")) {
			t.Errorf("an update before the alert: %d", code)
		}
		// The viewer (the mayor) reads but cannot send.
		mayor := newClient(t, in.URL)
		mayor.login("sindaco@demo.piazza.test")
		if code, _ := mayor.get(path); code != http.StatusOK {
			t.Errorf("the mayor reads the incident: %d", code)
		}
		if code, _, _ := mayor.post(path+"/send", url.Values{"action": {"send"}, "kind": {"alert"}, "account": {acct.ID}}); code != http.StatusForbidden {
			t.Errorf("the mayor sent an alert: %d", code)
		}
		code, _, loc = crisis.post(path+"/send", url.Values{"action": {"send"}, "kind": {"alert"}, "headline": {"Scuole chiuse"},
			"account": {acct.ID}, "text_it_full": {"Testo rivisto dalla protezione civile: restate a casa."}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "flash.alert_sent") {
			t.Fatalf("send: %d %s", code, loc)
		}
		// The delivery runs on the alert lane: wait for it, within reason.
		waitUntil(t, func() bool { return len(tg.Messages()) > 0 })
		msgs := tg.Messages()
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Testo rivisto dalla protezione civile") {
			t.Fatalf("telegram received %+v", msgs)
		}
		waitUntil(t, func() bool { _, b := crisis.get(path + "/deliveries"); return strings.Contains(b, "delivery-sent") })
		code, body = crisis.get(path + "/deliveries")
		if code != http.StatusOK || !strings.Contains(body, "Canale allerte test") || !strings.Contains(body, "delivery-sent") {
			t.Errorf("deliveries fragment: %d %s", code, body)
		}
		inc, err := in.App.Alerts.Incident(ctx, o.ID, page)
		if err != nil || inc.Status != alert.StatusActive {
			t.Errorf("incident after the alert: %v %v", inc.Status, err)
		}
		// A CAP feed to follow; a bad address is refused in words.
		if code, body, _ := crisis.post("/alerts/sources", url.Values{"url": {"ftp://x"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, shownMessage(t, i18n.Italian, "alert.source.url_invalid", "ftp://x")) {
			t.Errorf("bad CAP source: %d", code)
		}
		if code, _, _ := crisis.post("/alerts/sources", url.Values{"url": {"https://protezionecivile.regione.example/allerte.atom"},
			"label": {"Protezione civile regionale"}}); code != http.StatusSeeOther {
			t.Errorf("CAP source: %d", code)
		}
		if _, body := crisis.get("/alerts"); !strings.Contains(body, "Protezione civile regionale") {
			t.Error("the CAP source is not listed")
		}
		// The composer now offers the update and the all-clear.
		_, body = crisis.get(path)
		if !strings.Contains(body, `value="update"`) || !strings.Contains(body, `value="cancel"`) || strings.Contains(body, `id="k-alert"`) {
			t.Error("after the first alert the composer offers update and all-clear only")
		}
	})
}

// shownMessage is a message of the catalog as a page shows it, escaped.
func shownMessage(t *testing.T, lang i18n.Lang, key string, args ...any) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, i18n.Default().T(lang, key, args...)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// waitUntil polls cond until it holds; a background job that never does
// fails the test after a generous bound (this is not a timing assertion).
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The timeline speaks the viewer's language: the subscribers' targets and
// Piazza's own reasons are translated, a channel's name and a platform's
// words are shown as they are, and a row stored before reasons had keys
// shows its text as stored.
func TestAlertDeliveriesInViewersLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		inc, err := in.App.Alerts.CreateIncident(ctx, o.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Yellow,
			Title: "Raffiche sul Carso " + storetest.Unique("")})
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := in.App.Alerts.Send(ctx, o.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert}) // feeds only
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for _, r := range []struct{ target, platform, label, err, key, args string }{
			{alert.TargetWebPush, "webpush", "Notifiche push", "(testo italiano)", "alert.delivery.error.push_paused", "[40,120]"},
			{alert.TargetTelegramBot, "telegram", "Iscritti al bot Telegram", "canale disattivato (vecchia riga)", "", "[]"},
			{alert.TargetAccount, "mastodon", "Comune su Mastodon", "Rate limit <exceeded>", "", "[]"},
		} {
			if _, err := in.App.DB.Write.ExecContext(ctx, `INSERT INTO alert_deliveries (id, org_id, alert_id, target, platform, label,
				state, error, error_key, error_args, next_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'failed', $7, $8, $9,
				$10, $10, $10)`, store.NewID(), o.ID, a.ID, r.target, r.platform, r.label, r.err, r.key, r.args, now); err != nil {
				t.Fatal(err)
			}
		}
		path := "/alerts/incidents/" + inc.ID + "/deliveries"
		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		crisis.get("/alerts") // the session's form token
		for _, tc := range []struct {
			lang      string
			want, not []string
		}{
			{"en", []string{"Push notifications", "Sending stopped after 40 notifications of 120: it resumes where it stopped.",
				"Telegram bot subscribers", "canale disattivato (vecchia riga)", "Comune su Mastodon", "Rate limit <exceeded>"},
				[]string{"Notifiche push", "Iscritti al bot Telegram", "(testo italiano)"}},
			{"it", []string{"Notifiche push", "Invio interrotto dopo 40 notifiche su 120: riprende dal punto in cui si è fermato.",
				"Iscritti al bot Telegram", "canale disattivato (vecchia riga)", "Comune su Mastodon", "Rate limit <exceeded>"},
				[]string{"Push notifications", "(testo italiano)"}},
		} {
			if code, _, _ := crisis.post("/lang", url.Values{"lang": {tc.lang}}); code != http.StatusSeeOther {
				t.Fatalf("language %s: %d", tc.lang, code)
			}
			code, body := crisis.get(path)
			if code != http.StatusOK {
				t.Fatalf("%s: %d", tc.lang, code)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, template.HTMLEscapeString(w)) {
					t.Errorf("%s: the timeline lacks %q", tc.lang, w)
				}
			}
			for _, n := range append(tc.not, "<exceeded>") { // a platform's words are text, never markup
				if strings.Contains(body, n) {
					t.Errorf("%s: the timeline shows %q", tc.lang, n)
				}
			}
		}
	})
}
