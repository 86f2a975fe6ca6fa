// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// newOrg creates an organisation of the test's own; its creation is the
// first entry of its log ("org.create").
func newOrg(t *testing.T, db *store.DB) org.Organisation {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "setup"})
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("audit-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func record(ctx context.Context, t *testing.T, db *store.DB, c audit.Change) {
	t.Helper()
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return audit.Record(ctx, tx, c) }); err != nil {
		t.Fatal(err)
	}
}

func list(t *testing.T, l *audit.Log, f audit.Filter) []audit.Entry {
	t.Helper()
	es, err := l.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func actions(es []audit.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }

func TestRecordActor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		l := audit.NewLog(db)
		actorID := store.NewID()
		ctx := audit.WithActor(context.Background(), audit.Actor{PersonID: actorID, Label: "anna@comune.example", IP: "192.0.2.7"})
		if got := audit.ActorFrom(ctx); got.PersonID != actorID || got.Label != "anna@comune.example" || got.IP != "192.0.2.7" {
			t.Fatalf("ActorFrom = %+v", got)
		}
		if got := audit.ActorFrom(context.Background()); got != (audit.Actor{Label: "system"}) {
			t.Fatalf("ActorFrom without actor = %+v", got)
		}

		start := store.Now()
		record(ctx, t, db, audit.Change{OrgID: o.ID, Action: "office.create", TargetType: "office", TargetID: "off-1",
			TargetLabel: "URP", After: map[string]string{"code": "urp", "name": "URP"}})
		record(context.Background(), t, db, audit.Change{OrgID: o.ID, Action: "office.delete", TargetType: "office", TargetID: "off-1",
			TargetLabel: "URP", Before: map[string]string{"code": "urp"}})
		end := store.Now()

		es := list(t, l, audit.Filter{OrgID: o.ID, Action: "office."})
		if len(es) != 2 {
			t.Fatalf("got %d entries, want 2", len(es))
		}
		sys, person := es[0], es[1] // newest first
		if person.ActorID != actorID || person.ActorLabel != "anna@comune.example" || person.IP != "192.0.2.7" ||
			person.OrgID != o.ID || person.Action != "office.create" || person.TargetType != "office" ||
			person.TargetID != "off-1" || person.TargetLabel != "URP" || person.Before != "" {
			t.Errorf("entry with actor = %+v", person)
		}
		var after map[string]string
		if err := json.Unmarshal([]byte(person.After), &after); err != nil || after["code"] != "urp" || after["name"] != "URP" {
			t.Errorf("after = %q (%v)", person.After, err)
		}
		if person.CreatedAt.Before(start) || person.CreatedAt.After(end) {
			t.Errorf("created at %v not within [%v, %v]", person.CreatedAt, start, end)
		}
		if sys.ActorID != "" || sys.ActorLabel != "system" || sys.IP != "" || sys.After != "" || sys.Before != `{"code":"urp"}` {
			t.Errorf("system entry = %+v", sys)
		}
		if person.ID >= sys.ID {
			t.Errorf("ids not increasing: %s then %s", person.ID, sys.ID)
		}
	})
}

func TestRecordRollsBackWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := audit.Record(ctx, tx, audit.Change{OrgID: o.ID, Action: "test.rolled_back"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx error = %v", err)
		}
		if es := list(t, audit.NewLog(db), audit.Filter{OrgID: o.ID, Action: "test."}); len(es) != 0 {
			t.Errorf("rolled back entry listed: %v", actions(es))
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		other := newOrg(t, db)
		l := audit.NewLog(db)
		as := func(label string) context.Context {
			return audit.WithActor(context.Background(), audit.Actor{PersonID: store.NewID(), Label: label})
		}
		anna, bruno := as("Anna.Rossi@comune.example"), as("bruno_verdi@comune.example")

		// Times between entries, for the range filter.
		var marks []time.Time
		mark := func() {
			time.Sleep(3 * time.Millisecond)
			marks = append(marks, store.Now())
			time.Sleep(3 * time.Millisecond)
		}
		mark()
		record(anna, t, db, audit.Change{OrgID: o.ID, Action: "office.create", TargetType: "office", TargetID: "id-urp", TargetLabel: "Ufficio URP"})
		mark()
		record(anna, t, db, audit.Change{OrgID: o.ID, Action: "office.update", TargetType: "office", TargetID: "id-tributi", TargetLabel: "Tributi"})
		mark()
		record(bruno, t, db, audit.Change{OrgID: o.ID, Action: "officeXcreate", TargetType: "office", TargetID: "id-x", TargetLabel: "100% sconto"})
		mark()
		record(bruno, t, db, audit.Change{OrgID: o.ID, Action: "role.grant", TargetType: "person", TargetID: "id-urp-2", TargetLabel: "lucia@comune.example"})
		mark()
		// The same actions in another organisation never show up.
		for _, a := range []string{"office.create", "office.update", "role.grant"} {
			record(anna, t, db, audit.Change{OrgID: other.ID, Action: a, TargetType: "office", TargetID: "id-urp", TargetLabel: "Ufficio URP"})
		}
		record(anna, t, db, audit.Change{Action: "person.create", TargetID: "id-urp", TargetLabel: "Ufficio URP"}) // no organisation

		all := list(t, l, audit.Filter{OrgID: o.ID})
		if want := []string{"role.grant", "officeXcreate", "office.update", "office.create", "org.create"}; !equal(actions(all), want) {
			t.Fatalf("all = %v, want %v", actions(all), want)
		}
		for _, e := range all {
			if e.OrgID != o.ID {
				t.Errorf("entry of organisation %q listed", e.OrgID)
			}
		}
		if es := list(t, l, audit.Filter{OrgID: other.ID, Action: "office.create"}); len(es) != 1 || es[0].OrgID != other.ID {
			t.Errorf("other organisation: %v", es)
		}

		cases := []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"actor substring, any case", audit.Filter{Actor: "anna.ROSSI"}, []string{"office.update", "office.create"}},
			{"actor domain", audit.Filter{Actor: "@comune.example"}, []string{"role.grant", "officeXcreate", "office.update", "office.create"}},
			{"actor underscore", audit.Filter{Actor: "o_v"}, []string{"role.grant", "officeXcreate"}},
			{"actor underscore is literal", audit.Filter{Actor: "a_r"}, nil}, // not "Anna.Rossi"
			{"actor percent is literal", audit.Filter{Actor: "%"}, nil},
			{"actor none", audit.Filter{Actor: "carla"}, nil},
			{"action prefix", audit.Filter{Action: "office."}, []string{"office.update", "office.create"}},
			{"action exact", audit.Filter{Action: "office.create"}, []string{"office.create"}},
			{"action prefix is not a pattern", audit.Filter{Action: "office_"}, nil},
			{"action is case-sensitive prefix", audit.Filter{Action: "create"}, nil},
			{"target label substring", audit.Filter{Target: "urp"}, []string{"office.create"}},
			{"target label any case", audit.Filter{Target: "TRIBUTI"}, []string{"office.update"}},
			{"target percent is literal", audit.Filter{Target: "100%"}, []string{"officeXcreate"}},
			{"target exact id", audit.Filter{Target: "id-tributi"}, []string{"office.update"}},
			{"target id is exact, not substring", audit.Filter{Target: "id-urp-2"}, []string{"role.grant"}},
			{"target id prefix does not match", audit.Filter{Target: "id-trib"}, nil},
			{"from", audit.Filter{From: marks[2]}, []string{"role.grant", "officeXcreate"}},
			{"to is exclusive of later", audit.Filter{To: marks[2]}, []string{"office.update", "office.create", "org.create"}},
			{"from and to", audit.Filter{From: marks[1], To: marks[3]}, []string{"officeXcreate", "office.update"}},
			{"range in another zone", audit.Filter{From: marks[1].In(time.FixedZone("CEST", 2*3600)), To: marks[2].In(time.FixedZone("X", -5*3600))}, []string{"office.update"}},
			{"empty range", audit.Filter{From: marks[4]}, nil},
			{"combined", audit.Filter{Actor: "anna", Action: "office.", Target: "urp"}, []string{"office.create"}},
		}
		for _, c := range cases {
			c.f.OrgID = o.ID
			if got := actions(list(t, l, c.f)); !equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
	})
}

func TestListPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		l := audit.NewLog(db)
		ctx := context.Background()
		const n = 520
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for range n {
				if err := audit.Record(ctx, tx, audit.Change{OrgID: o.ID, Action: "test.step", TargetID: store.NewID()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		f := audit.Filter{OrgID: o.ID, Action: "test."}
		if got := len(list(t, l, f)); got != 50 {
			t.Errorf("default limit: got %d, want 50", got)
		}
		f.Limit = 10000
		if got := len(list(t, l, f)); got != 500 {
			t.Errorf("limit cap: got %d, want 500", got)
		}
		f.Limit = -3
		if got := len(list(t, l, f)); got != 50 {
			t.Errorf("negative limit: got %d, want 50", got)
		}

		// Paging newest first with Before visits every entry exactly once.
		f.Limit = 150
		seen := map[string]bool{}
		var pages int
		last := ""
		for {
			page := list(t, l, f)
			if len(page) == 0 {
				break
			}
			pages++
			for _, e := range page {
				if seen[e.ID] {
					t.Fatalf("entry %s seen twice", e.ID)
				}
				if last != "" && e.ID >= last {
					t.Fatalf("not newest first: %s after %s", e.ID, last)
				}
				seen[e.ID] = true
				last = e.ID
			}
			f.Before = page[len(page)-1].ID
		}
		if len(seen) != n || pages != 4 {
			t.Errorf("paging: saw %d entries in %d pages, want %d in 4", len(seen), pages, n)
		}
	})
}

func TestListRequiresOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		record(context.Background(), t, db, audit.Change{Action: "person.create", TargetID: "p"})
		es, err := audit.NewLog(db).List(context.Background(), audit.Filter{Action: "person."})
		if !errors.Is(err, store.ErrForbidden) || es != nil {
			t.Fatalf("List without organisation = %v, %v; want ErrForbidden", es, err)
		}
	})
}

func TestSnapshots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg(t, db)
		l := audit.NewLog(db)
		ctx := context.Background()
		type state struct {
			Name   string   `json:"name"`
			Emails []string `json:"emails"`
		}
		record(ctx, t, db, audit.Change{OrgID: o.ID, Action: "test.small", Before: state{Name: "Mobilità", Emails: []string{"a@b.example"}},
			After: state{Name: "Mobilità e Trasporti"}})
		es := list(t, l, audit.Filter{OrgID: o.ID, Action: "test.small"})
		if len(es) != 1 {
			t.Fatalf("got %d entries", len(es))
		}
		var before, after state
		if err := json.Unmarshal([]byte(es[0].Before), &before); err != nil || before.Name != "Mobilità" || len(before.Emails) != 1 {
			t.Errorf("before = %q (%v)", es[0].Before, err)
		}
		if err := json.Unmarshal([]byte(es[0].After), &after); err != nil || after.Name != "Mobilità e Trasporti" {
			t.Errorf("after = %q (%v)", es[0].After, err)
		}

		// Huge snapshots are cut, on a character boundary even when the
		// text is not ASCII (PostgreSQL refuses invalid UTF-8).
		huge := map[string]string{"text": strings.Repeat("x", 5000)}
		accented := map[string]string{"tx": strings.Repeat("à", 3000)} // the cut falls inside a character
		record(ctx, t, db, audit.Change{OrgID: o.ID, Action: "test.huge", Before: huge, After: accented})
		es = list(t, l, audit.Filter{OrgID: o.ID, Action: "test.huge"})
		if len(es) != 1 {
			t.Fatalf("got %d entries", len(es))
		}
		for name, s := range map[string]string{"before": es[0].Before, "after": es[0].After} {
			if !utf8.ValidString(s) {
				t.Errorf("%s: invalid UTF-8", name)
			}
			if !strings.HasSuffix(s, "…") || len(s) > 2000+len("…") || len(s) < 1990 {
				t.Errorf("%s: %d bytes, suffix %q; want about 2000 and an ellipsis", name, len(s), s[max(0, len(s)-8):])
			}
		}
		if !strings.HasPrefix(es[0].Before, `{"text":"xxx`) || !strings.HasPrefix(es[0].After, `{"tx":"ààà`) {
			t.Errorf("truncated snapshots lost their beginning")
		}

		// A value JSON cannot hold is refused.
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Record(ctx, tx, audit.Change{OrgID: o.ID, Action: "test.bad", After: func() {}})
		})
		if err == nil {
			t.Error("unmarshallable snapshot accepted")
		}
	})
}
