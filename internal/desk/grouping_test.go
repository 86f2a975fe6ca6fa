// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk_test

import (
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestRestoreGroups: a fresh service (a restart) knows no group until
// RestoreGroups has read them back from the conversations; then a new
// report of the same thing joins the group of the reports before it.
func TestRestoreGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := f.form(t, "r1", "I cassonetti di via Verdi sono pieni da quattro giorni, la spazzatura è per terra")
		b := f.form(t, "r2", "in via Verdi i cassonetti sono pieni da giorni e la spazzatura è sul marciapiede")
		group := f.groupOf(t, f.desk, a.ConversationID)
		if group == "" || f.groupOf(t, f.desk, b.ConversationID) != group {
			t.Fatal("the first two reports are not grouped")
		}

		restarted := desk.NewService(f.desk.Deps)
		if err := restarted.RestoreGroups(f.ctx); err != nil {
			t.Fatal(err)
		}
		c := f.report(t, restarted, "r3", "CASSONETTI PIENI IN VIA VERDI da quattro giorni, spazzatura ovunque")
		if got := f.groupOf(t, restarted, c); got != group {
			t.Errorf("after the restart a report started group %q instead of joining %q", got, group)
		}

		// Without RestoreGroups the same report would have started a
		// group of its own: what the call at start-up is for.
		forgetful := desk.NewService(f.desk.Deps)
		d := f.report(t, forgetful, "r4", "via Verdi: cassonetti pieni da quattro giorni, la spazzatura è per terra")
		if got := f.groupOf(t, forgetful, d); got == group {
			t.Error("a fresh service joined the group without restoring it: the test proves nothing")
		}
	})
}

func (f *fixture) report(t *testing.T, s *desk.Service, id, text string) string {
	t.Helper()
	res, err := s.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: id,
		Visibility: channel.Private, AuthorID: "citizen-" + id, AuthorName: "Cittadino " + id, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return res.ConversationID
}

func (f *fixture) groupOf(t *testing.T, s *desk.Service, convID string) string {
	t.Helper()
	c, _, err := s.Get(f.ctx, f.org.ID, convID, all)
	if err != nil {
		t.Fatal(err)
	}
	return c.GroupID
}
