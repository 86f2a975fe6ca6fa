// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// What a person reads of a delivery: the subscribers' targets and
// Piazza's own errors in their language, an account's name and a
// platform's words as they are, and rows written before keys were kept
// as they were written.
func TestDeliveryInLanguage(t *testing.T) {
	c := i18n.Default()
	for _, tc := range []struct {
		name         string
		d            alert.Delivery
		label, error map[i18n.Lang]string
	}{
		{"bot subscribers", alert.Delivery{Target: alert.TargetTelegramBot, Label: "Iscritti al bot Telegram"},
			map[i18n.Lang]string{i18n.Italian: "Iscritti al bot Telegram", i18n.English: "Telegram bot subscribers"}, nil},
		{"push subscribers", alert.Delivery{Target: alert.TargetWebPush, Label: "Notifiche push"},
			map[i18n.Lang]string{i18n.Italian: "Notifiche push", i18n.English: "Push notifications"}, nil},
		{"an account keeps its name", alert.Delivery{Target: alert.TargetAccount, Label: "Comune di Prova su Facebook"},
			map[i18n.Lang]string{i18n.Italian: "Comune di Prova su Facebook", i18n.English: "Comune di Prova su Facebook"}, nil},
		{"own words with figures", alert.Delivery{Target: alert.TargetWebPush, Error: "(testo italiano)",
			ErrorKey: "alert.delivery.error.push_paused", ErrorArgs: []any{40, 120}}, nil,
			map[i18n.Lang]string{i18n.Italian: "Invio interrotto dopo 40 notifiche su 120: riprende dal punto in cui si è fermato.",
				i18n.English: "Sending stopped after 40 notifications of 120: it resumes where it stopped."}},
		{"a platform's words", alert.Delivery{Target: alert.TargetAccount, Error: "Rate limit exceeded"}, nil,
			map[i18n.Lang]string{i18n.Italian: "Rate limit exceeded", i18n.English: "Rate limit exceeded"}},
		{"a key no catalog has any more", alert.Delivery{Target: alert.TargetAccount, Error: "canale disattivato",
			ErrorKey: "alert.delivery.error.gone_since"}, nil,
			map[i18n.Lang]string{i18n.Italian: "canale disattivato", i18n.English: "canale disattivato"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for lang, want := range tc.label {
				if got := tc.d.LabelIn(c, lang); got != want {
					t.Errorf("label in %s: %q, want %q", lang, got, want)
				}
			}
			for lang, want := range tc.error {
				if got := tc.d.ErrorIn(c, lang); got != want {
					t.Errorf("error in %s: %q, want %q", lang, got, want)
				}
			}
		})
	}
}

// A post that fits a platform in no form fails in Piazza's words, the
// problem the editor would show, with its figures: they come back from
// either engine as the numbers the message formats.
func TestDeliveryProblemKeepsFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		english := e.personIn(t, org.RoleCrisis, "en")
		inc := e.incident(t, false)
		long := strings.Repeat("vento ", 70) // 420 characters: over Bluesky's 300 in both texts
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert,
			AccountIDs: []string{e.accounts[channel.Bluesky]}, Texts: map[string]alert.Texts{"it": {Full: long, Short: long}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("deliveries: %+v %v", got, err)
		}
		d := got[0]
		if d.State != alert.StateFailed || d.ErrorKey != channel.ProblemTooLong || !reflect.DeepEqual(d.ErrorArgs, []any{300, 419, 119, 0}) {
			t.Fatalf("delivery: %s, key %q, args %#v", d.State, d.ErrorKey, d.ErrorArgs)
		}
		if want := "Il testo supera il limite di 300 di 119 (419 su 300)."; d.Error != want {
			t.Errorf("stored text %q, want %q", d.Error, want)
		}
		if got, want := d.ErrorIn(i18n.Default(), i18n.English), "The text is 119 over the limit of 300 (419 of 300)."; got != want {
			t.Errorf("in English %q, want %q", got, want)
		}
		if len(e.bs.Received()) != 0 {
			t.Error("a post over the limit reached Bluesky")
		}
		ns, err := e.notify.List(e.ctx, e.org.ID, english.ID, 10)
		if err != nil || len(ns) != 1 || ns[0].Body != "Sandbox bluesky (bluesky): not sent. The text is 119 over the limit of 300 (419 of 300)." {
			t.Errorf("the English coordinator's notifications: %+v %v", ns, err)
		}
	})
}

// The reasons earlier versions stored as fixed Italian text get their keys
// when the database is migrated (store migration 0009): a person then
// reads them in their language. Other texts stay as they were.
func TestOldErrorTextsGetKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		raw, err := os.ReadFile(filepath.Join("..", "store", "migrations", string(db.Engine), "0009_delivery_error_key.sql"))
		if err != nil {
			t.Fatal(err)
		}
		migration := string(raw)
		update := migration[strings.Index(migration, "UPDATE alert_deliveries"):]
		pairs := regexp.MustCompile(`WHEN '((?:[^']|'')*)' THEN '([a-z_.]+)'`).FindAllStringSubmatch(update, -1)
		if len(pairs) < 10 {
			t.Fatalf("the migration maps %d texts", len(pairs))
		}
		e := newEnv(t, db)
		inc := e.incident(t, false)
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"Rate limit exceeded": ""} // a platform's words
		for _, p := range pairs {
			want[strings.ReplaceAll(p[1], "''", "'")] = p[2]
		}
		for text := range want {
			if _, err := db.Write.ExecContext(e.ctx, `INSERT INTO alert_deliveries (id, org_id, alert_id, target, label, state, error,
				next_at, created_at, updated_at) VALUES ($1, $2, $3, 'account', 'Canale', 'failed', $4, $5, $5, $5)`,
				store.NewID(), e.org.ID, a.ID, text, store.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Write.ExecContext(e.ctx, update); err != nil {
			t.Fatal(err)
		}
		got, err := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if err != nil || len(got) != len(want) {
			t.Fatalf("%d deliveries, want %d (%v)", len(got), len(want), err)
		}
		c := i18n.Default()
		for _, d := range got {
			key := want[d.Error]
			if d.ErrorKey != key {
				t.Errorf("%q: key %q, want %q", d.Error, d.ErrorKey, key)
				continue
			}
			if key != "" && (!c.Has(i18n.Italian, key) || !c.Has(i18n.English, key) || d.ErrorIn(c, i18n.English) == d.Error) {
				t.Errorf("%q as %s: in Italian %q, in English %q", d.Error, key, d.ErrorIn(c, i18n.Italian), d.ErrorIn(c, i18n.English))
			}
		}
	})
}
