// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/triage"
)

// A drill's simulated citizens write on sandbox channels only, and never
// for a real incident.
func TestDrillSurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		s := engine(t, db)
		o, err := s.Orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("drill-"), Name: "Comune di Prova"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []publish.AccountInput{
			{Platform: channel.Telegram, Name: "Sandbox Telegram", Handle: "@prova", BaseURL: "http://127.0.0.1:9", Sandbox: true,
				Credentials: channel.Credentials{channel.CredToken: "1:x"}},
			{Platform: channel.Mastodon, Name: "Mastodon ufficiale", Handle: "@comune@social.example", BaseURL: "https://social.example",
				Credentials: channel.Credentials{channel.CredToken: "x"}},
		} {
			if _, err := s.Publish.CreateAccount(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		dsk := desk.NewService(desk.Deps{DB: db, Triage: triage.NewService(db), Publish: s.Publish, Log: slog.New(slog.DiscardHandler)})
		alerts := alert.NewService(alert.Deps{DB: db, Publish: s.Publish})
		genuine, err := alerts.CreateIncident(ctx, o.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red, Title: "Bora vera"})
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.DrillSurge(ctx, dsk, s, genuine, nil, 3, 0); err == nil {
			t.Fatal("a real incident got simulated citizens")
		}
		drill, err := alerts.CreateIncident(ctx, o.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red,
			Title: "Esercitazione bora", Exercise: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.DrillSurge(ctx, dsk, s, drill, nil, 6, 0); err != nil {
			t.Fatal(err)
		}
		page, err := dsk.List(ctx, o.ID, desk.Filter{Scope: desk.Scope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Conversations) != 6 {
			t.Fatalf("%d simulated conversations, want 6", len(page.Conversations))
		}
		for _, c := range page.Conversations {
			if c.Source != string(channel.Telegram) || !strings.HasPrefix(c.AuthorName, "Cittadino simulato") {
				t.Errorf("a simulated citizen outside the sandbox: %s %s", c.Source, c.AuthorName)
			}
		}
	})
}
