// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package app_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestRestartKeepsDeskGroups restarts Piazza in the middle of a storm: the
// reports grouped before the restart stay a group, and a report of the
// same thing arriving after it joins them instead of starting a group of
// its own (the groups live in memory and are rebuilt at start-up).
func TestRestartKeepsDeskGroups(t *testing.T) {
	engines := []store.Engine{store.SQLite}
	if os.Getenv(storetest.EnvURL) != "" {
		engines = append(engines, store.Postgres)
	}
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			// The same database for both runs: the data directory holds
			// SQLite's, and PostgreSQL's is the package's. (This file
			// sorts after sandbox_test.go, whose TestDemoSandbox wants to
			// be the one that seeds that database's demo organisation.)
			dataDir := t.TempDir()
			// A street no other test writes about, on a shared database.
			street := "via " + storetest.Unique("Frassinelli")
			var group string
			report := func(t *testing.T, in *apptest.Instance, text string) desk.Conversation {
				t.Helper()
				ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
				o, err := in.App.Orgs.OrganisationBySlug(ctx, demo.Slug)
				if err != nil {
					t.Fatal(err)
				}
				id := storetest.Unique("storm-")
				res, err := in.App.Desk.Ingest(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{
					RemoteID: id, Visibility: channel.Private, AuthorID: "citizen-" + id, AuthorName: "Cittadino", Text: text, At: time.Now()}})
				if err != nil {
					t.Fatal(err)
				}
				c, _, err := in.App.Desk.Get(ctx, o.ID, res.ConversationID, desk.Scope{All: true})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}

			t.Run("before the restart", func(t *testing.T) {
				in := apptest.Start(t, engine, apptest.Env("PIAZZA_DATA_DIR", dataDir))
				a := report(t, in, "I cassonetti di "+street+" sono pieni da quattro giorni, la spazzatura è per terra")
				b := report(t, in, "in "+street+" i cassonetti sono pieni da giorni e la spazzatura è sul marciapiede")
				if a.GroupID == "" || b.GroupID != a.GroupID {
					t.Fatalf("the two reports are not one group: %q and %q", a.GroupID, b.GroupID)
				}
				group = a.GroupID
			})
			if group == "" {
				t.FailNow()
			}
			t.Run("after the restart", func(t *testing.T) {
				in := apptest.Start(t, engine, apptest.Env("PIAZZA_DATA_DIR", dataDir))
				c := report(t, in, "CASSONETTI PIENI IN "+street+" da quattro giorni, spazzatura ovunque")
				if c.GroupID != group {
					t.Errorf("a report after the restart started group %q instead of joining %q", c.GroupID, group)
				}
				if c.GroupSize != 3 {
					t.Errorf("the group has %d reports, want 3", c.GroupSize)
				}
			})
		})
	}
}
