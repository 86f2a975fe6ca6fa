// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/triage"
	"github.com/piazza-pa/piazza/internal/valid"
)

func newOrg(t *testing.T, db *store.DB) org.Organisation {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "setup"})
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("triage-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestServiceConfirmStoresAndAudits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		s := triage.NewService(db)
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "anna@comune.example", IP: "192.0.2.1"})
		ex := triage.Example{Text: "  Il chiosco dei giardini ha la tettoia rotta  ", Labels: triage.Labels{
			Category: "intervento", Office: "lavori_pubblici", Urgency: "normale", Moderation: "ok"}}
		if err := s.Confirm(ctx, o.ID, ex); err != nil {
			t.Fatal(err)
		}
		var text, office string
		var person any
		err := db.Read.QueryRowContext(ctx, `SELECT text, office, person_id FROM triage_examples WHERE org_id = $1`, o.ID).Scan(&text, &office, &person)
		if err != nil {
			t.Fatal(err)
		}
		if text != "Il chiosco dei giardini ha la tettoia rotta" || office != "lavori_pubblici" || person != nil {
			t.Errorf("stored %q, %q, %v", text, office, person)
		}
		es, err := audit.NewLog(db).List(ctx, audit.Filter{OrgID: o.ID, Action: "triage.confirm"})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].ActorLabel != "anna@comune.example" || es[0].TargetType != "triage_example" {
			t.Fatalf("audit entries %+v", es)
		}
		if es[0].After != `{"category":"intervento","moderation":"ok","office":"lavori_pubblici","urgency":"normale"}` {
			t.Errorf("audit after = %s", es[0].After)
		}
	})
}

func TestServiceConfirmValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		s := triage.NewService(db)
		ctx := context.Background()
		good := triage.Labels{Category: "intervento", Office: "ambiente", Urgency: "normale", Moderation: "ok"}
		bad := []triage.Example{
			{Text: "", Labels: good},
			{Text: "testo", Labels: triage.Labels{Category: "boh", Office: "ambiente", Urgency: "normale", Moderation: "ok"}},
			{Text: "testo", Labels: triage.Labels{Category: "intervento", Office: "ufficio", Urgency: "normale", Moderation: "ok"}},
			{Text: "testo", Labels: triage.Labels{Category: "intervento", Office: "ambiente", Urgency: "subito", Moderation: "ok"}},
			{Text: "testo", Labels: triage.Labels{Category: "intervento", Office: "ambiente", Urgency: "normale", Moderation: ""}},
		}
		for _, ex := range bad {
			err := s.Confirm(ctx, o.ID, ex)
			if _, ok := valid.As(err); !ok {
				t.Errorf("Confirm(%+v) = %v, want a validation error", ex, err)
			}
		}
		err := s.Confirm(ctx, store.NewID(), triage.Example{Text: "testo", Labels: good})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown organisation: %v, want ErrNotFound", err)
		}
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM triage_examples WHERE org_id = $1`, o.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d examples stored (%v)", n, err)
		}
	})
}

// A correction teaches the organisation's model, and only its model.
func TestServiceLearnsPerOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b := newOrg(t, db), newOrg(t, db)
		s := triage.NewService(db)
		ctx := context.Background()
		const text = "Il chiosco delle bibite nel parco Valentino è chiuso da mesi e nessuno sa perché"
		before, err := s.Classify(ctx, a.ID, text)
		if err != nil {
			t.Fatal(err)
		}
		if other, _ := s.Classify(ctx, b.ID, text); other != before {
			t.Fatalf("two organisations without examples disagree: %+v, %+v", before, other)
		}
		// The kiosk is run by the commerce desk at the URP in this comune.
		fixed := triage.Labels{Category: "reclamo", Office: "urp", Urgency: "bassa", Moderation: "ok"}
		if fixed.Office == before.Office {
			t.Fatalf("pick another correction: the model already says %s", before.Office)
		}
		if err := s.Confirm(ctx, a.ID, triage.Example{Text: text, Labels: fixed}); err != nil {
			t.Fatal(err)
		}
		near := "il chiosco delle bibite nel parco Valentino è chiuso da mesi e nessuno sa perché!!"
		got, err := s.Classify(ctx, a.ID, near)
		if err != nil {
			t.Fatal(err)
		}
		if got.Labels != fixed {
			t.Errorf("organisation a after the correction: %+v, want %+v", got.Labels, fixed)
		}
		other, err := s.Classify(ctx, b.ID, near)
		if err != nil {
			t.Fatal(err)
		}
		if other.Office != before.Office {
			t.Errorf("organisation b changed too: %+v", other)
		}
		// A second service (another instance on the same database) sees the
		// correction as well.
		if got, err := triage.NewService(db).Classify(ctx, a.ID, near); err != nil || got.Labels != fixed {
			t.Errorf("another instance: %+v, %v", got.Labels, err)
		}
	})
}

// Many messages at once train an organisation's model once, and a
// confirmation arriving meanwhile is safe.
func TestServiceConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		s := triage.NewService(db)
		ctx := context.Background()
		labels := triage.Labels{Category: "intervento", Office: "ambiente", Urgency: "normale", Moderation: "ok"}
		if err := s.Confirm(ctx, o.ID, triage.Example{Text: "sacchi abbandonati al parco", Labels: labels}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 17)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Classify(ctx, o.ID, "ci sono sacchi abbandonati al parco giochi")
				errs <- err
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Confirm(ctx, o.ID, triage.Example{Text: "rifiuti in strada", Labels: labels})
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}
