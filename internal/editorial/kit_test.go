// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

// kit is an organisation with two offices, people in every role that
// matters here and channel accounts in each status.
type kit struct {
	t               *testing.T
	db              *store.DB
	s               *editorial.Service
	org             org.Organisation
	office, office2 org.Office
	// accounts: telegram (active), mastodon (attention), bluesky (disabled)
	telegram, mastodon, bluesky string
	admin, manager, manager2    editorial.Actor
	editor, guest, guest2       editorial.Actor
	liaison                     editorial.Actor // of office
	crisis                      editorial.Actor // may send alerts
	viewer                      editorial.Actor
}

func newKit(t *testing.T, db *store.DB) *kit {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "setup"})
	orgs := org.NewService(db)
	o, err := orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("ed-"), Name: "Comune di Vallebella",
		Languages: []string{"it", "en"}, Timezone: "Europe/Rome"})
	if err != nil {
		t.Fatal(err)
	}
	k := &kit{t: t, db: db, s: editorial.NewService(db), org: o}
	if k.office, err = orgs.CreateOffice(ctx, o.ID, org.OfficeInput{Code: "mobilita", Name: "Mobilità"}); err != nil {
		t.Fatal(err)
	}
	if k.office2, err = orgs.CreateOffice(ctx, o.ID, org.OfficeInput{Code: "cultura", Name: "Cultura"}); err != nil {
		t.Fatal(err)
	}
	person := func(name string, role org.Role, officeID string) editorial.Actor {
		id := store.NewID()
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO people (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
			id, storetest.Unique(name)+"@example.org", name, store.Now()); err != nil {
			t.Fatal(err)
		}
		m, err := orgs.Grant(ctx, o.ID, id, role, officeID)
		if err != nil {
			t.Fatal(err)
		}
		return editorial.Actor{PersonID: id, Grants: org.NewGrants(o.ID, []org.Membership{m})}
	}
	k.admin = person("admin", org.RoleAdmin, "")
	k.manager = person("manager", org.RoleManager, "")
	k.manager2 = person("manager2", org.RoleManager, "")
	k.editor = person("editor", org.RoleEditor, "")
	k.guest = person("guest", org.RoleGuest, "")
	k.guest2 = person("guest2", org.RoleGuest, "")
	k.liaison = person("liaison", org.RoleLiaison, k.office.ID)
	k.crisis = person("crisis", org.RoleCrisis, "")
	k.viewer = person("viewer", org.RoleViewer, "")
	k.telegram = k.addAccount("telegram", "Canale Telegram", "active")
	k.mastodon = k.addAccount("mastodon", "Mastodon Comune", "attention")
	k.bluesky = k.addAccount("bluesky", "Bluesky Comune", "disabled")
	return k
}

// addAccount inserts a channel account: its service belongs to package
// publish, which this package must not need.
func (k *kit) addAccount(platform, name, status string) string {
	k.t.Helper()
	id := store.NewID()
	if _, err := k.db.Write.ExecContext(context.Background(), `INSERT INTO channel_accounts (id, org_id, platform, name, handle,
		status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, k.org.ID, platform, name, "@"+platform, status, store.Now()); err != nil {
		k.t.Fatal(err)
	}
	return id
}

func ctxOf(a editorial.Actor) context.Context {
	return audit.WithActor(context.Background(), audit.Actor{PersonID: a.PersonID, Label: a.PersonID})
}

// future is a planned time well outside any period the tests create.
func future(days int) time.Time {
	return store.Now().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
}

// draft writes a post planned in two days, with one Telegram variant.
func (k *kit) draft(a editorial.Actor, office string) editorial.Post {
	k.t.Helper()
	return k.draftAt(a, office, future(2))
}

func (k *kit) draftAt(a editorial.Actor, office string, at time.Time) editorial.Post {
	k.t.Helper()
	ctx := ctxOf(a)
	p, err := k.s.CreatePost(ctx, a, k.org.ID, editorial.PostInput{OfficeID: office, Title: "Chiusura di via Roma",
		Body: "Da lunedì via Roma è chiusa per lavori.", PlannedAt: at})
	if err != nil {
		k.t.Fatal(err)
	}
	if _, err := k.s.SetVariants(ctx, a, k.org.ID, p.ID, p.Version, []editorial.VariantInput{{AccountID: k.telegram, Text: "Via Roma chiusa da lunedì."}}); err != nil {
		k.t.Fatal(err)
	}
	return k.post(p.ID)
}

func (k *kit) post(id string) editorial.Post {
	k.t.Helper()
	p, err := k.s.Post(context.Background(), k.org.ID, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return p
}

// do applies an action and fails the test on error.
func (k *kit) do(a editorial.Actor, p editorial.Post, act editorial.Action, comment string) editorial.Post {
	k.t.Helper()
	p, err := k.s.Transition(ctxOf(a), a, k.org.ID, p.ID, p.Version, act, comment)
	if err != nil {
		k.t.Fatalf("%s: %v", act, err)
	}
	return p
}

// approved takes a post of the editor to approved by the manager.
func (k *kit) approved(office string) editorial.Post {
	k.t.Helper()
	p := k.draft(k.editor, office)
	p = k.do(k.editor, p, editorial.ActionSubmit, "")
	p = k.do(k.manager, p, editorial.ActionApprove, "")
	if p.State != editorial.StateApproved {
		k.t.Fatalf("approved post in %s", p.State)
	}
	return p
}

func (k *kit) schedule(a editorial.Actor, p editorial.Post, at time.Time) (editorial.Post, error) {
	var out editorial.Post
	err := k.db.Tx(ctxOf(a), func(tx *sql.Tx) error {
		var err error
		out, err = k.s.ScheduleTx(ctxOf(a), tx, a, k.org.ID, p.ID, p.Version, at)
		return err
	})
	return out, err
}

func (k *kit) outcome(p editorial.Post, to editorial.State) error {
	return k.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return k.s.SetOutcomeTx(context.Background(), tx, k.org.ID, p.ID, to)
	})
}

// entries returns the audit entries of the organisation whose action
// starts with prefix, newest first.
func (k *kit) entries(prefix string) []audit.Entry {
	k.t.Helper()
	es, err := audit.NewLog(k.db).List(context.Background(), audit.Filter{OrgID: k.org.ID, Action: prefix, Limit: 500})
	if err != nil {
		k.t.Fatal(err)
	}
	return es
}

// wantKey fails unless err is a validation error carrying key.
func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	es, ok := valid.As(err)
	if !ok {
		t.Fatalf("want validation error %s, got %v", key, err)
	}
	for _, e := range es {
		if e.Key == key {
			return
		}
	}
	t.Fatalf("want validation error %s, got %v", key, err)
}

func wantForbidden(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrForbidden) {
		t.Fatalf("want forbidden, got %v", err)
	}
}
