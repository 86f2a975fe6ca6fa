// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package org_test

import (
	"context"
	"errors"
	"testing"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

func person(t *testing.T, db *store.DB, email string) string {
	t.Helper()
	id := store.NewID()
	_, err := db.Write.ExecContext(context.Background(), `INSERT INTO people (id, email, name, created_at, updated_at) VALUES ($1, $2, $2, $3, $3)`, id, email, store.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRolesAreConsistent(t *testing.T) {
	all := map[org.Permission]bool{}
	for _, p := range org.AllPermissions {
		all[p] = true
	}
	for _, r := range org.Roles {
		if !r.Valid() {
			t.Errorf("role %s not valid", r)
		}
		for _, p := range r.Permissions() {
			if !all[p] {
				t.Errorf("role %s has undeclared permission %s", r, p)
			}
		}
	}
	if org.Role("root").Valid() {
		t.Error("unknown role valid")
	}
	// Guests write and submit, never approve nor publish.
	g := org.NewGrants("o", []org.Membership{{Role: org.RoleGuest}})
	if !g.Can(org.PermPostWrite) || g.Can(org.PermPostApprove) || g.Can(org.PermPostPublish) {
		t.Error("guest grants wrong")
	}
	// A liaison's rights hold in its own office only.
	l := org.NewGrants("o", []org.Membership{{Role: org.RoleLiaison, OfficeID: "urp"}})
	if !l.CanInOffice(org.PermDeskReply, "urp") || l.CanInOffice(org.PermDeskReply, "tributi") || l.CanEverywhere(org.PermDeskReply) {
		t.Error("liaison scope wrong")
	}
	if !l.Can(org.PermDeskRead) {
		t.Error("liaison should see the desk area")
	}
}

func TestOrganisationsOfficesMemberships(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		s := org.NewService(db)
		slug := storetest.Unique("comune-")
		o, err := s.CreateOrganisation(ctx, org.OrganisationInput{Slug: slug, Name: "Comune di Prova"})
		if err != nil {
			t.Fatal(err)
		}
		if o.Timezone != "Europe/Rome" || len(o.Languages) != 2 {
			t.Fatalf("defaults: %+v", o)
		}
		if _, err := s.CreateOrganisation(ctx, org.OrganisationInput{Slug: slug, Name: "Again"}); err == nil {
			t.Fatal("duplicate slug accepted")
		}
		if _, err := s.CreateOrganisation(ctx, org.OrganisationInput{Slug: "Bad Slug!", Name: ""}); err == nil {
			t.Fatal("bad slug accepted")
		}

		urp, err := s.CreateOffice(ctx, o.ID, org.OfficeInput{Code: "urp", Name: "URP", Email: "urp@comune.example"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateOffice(ctx, o.ID, org.OfficeInput{Code: "urp", Name: "Doppio"})
		if es, ok := valid.As(err); !ok || es[0].Key != "admin.office.code.taken" {
			t.Fatalf("duplicate office: %v", err)
		}
		_, err = s.CreateOffice(ctx, o.ID, org.OfficeInput{Code: "Not A Code", Name: "x", Email: "nope"})
		if es, ok := valid.As(err); !ok || len(es) != 2 {
			t.Fatalf("invalid office: %v", err)
		}

		admin := person(t, db, storetest.Unique("admin")+"@x.example")
		liaison := person(t, db, storetest.Unique("liaison")+"@x.example")
		adm, err := s.Grant(ctx, o.ID, admin, org.RoleAdmin, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Grant(ctx, o.ID, liaison, org.RoleLiaison, ""); err == nil {
			t.Fatal("liaison without office accepted")
		}
		if _, err := s.Grant(ctx, o.ID, liaison, org.RoleLiaison, urp.ID); err != nil {
			t.Fatal(err)
		}
		// Granting twice is harmless.
		if _, err := s.Grant(ctx, o.ID, liaison, org.RoleLiaison, urp.ID); err != nil {
			t.Fatal(err)
		}
		members, err := s.Members(ctx, o.ID)
		if err != nil || len(members) != 2 {
			t.Fatalf("members: %d %v", len(members), err)
		}
		g, err := s.GrantsOf(ctx, o.ID, liaison)
		if err != nil || !g.CanInOffice(org.PermDeskReply, urp.ID) || g.Can(org.PermOfficesManage) {
			t.Fatalf("liaison grants: %+v %v", g, err)
		}
		// The office is in use: it cannot be deleted.
		if err := s.DeleteOffice(ctx, o.ID, urp.ID); err == nil {
			t.Fatal("deleted an office in use")
		}
		// The last administrator cannot be removed.
		err = s.Revoke(ctx, o.ID, adm.ID)
		if es, ok := valid.As(err); !ok || es[0].Key != "admin.role.last_admin" {
			t.Fatalf("revoke last admin: %v", err)
		}
		// Another organisation sees none of this one's offices.
		other, err := s.CreateOrganisationWithAdmin(ctx, org.OrganisationInput{Slug: storetest.Unique("altro-"), Name: "Altro"}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Office(ctx, other.ID, urp.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("office across organisations: %v", err)
		}
		orgs, err := s.OrganisationsOf(ctx, admin)
		if err != nil || len(orgs) != 2 {
			t.Fatalf("admin belongs to %d organisations: %v", len(orgs), err)
		}
		// Every change above is in the audit log of its organisation.
		entries, err := audit.NewLog(db).List(ctx, audit.Filter{OrgID: o.ID, Action: "office."})
		if err != nil || len(entries) != 1 || entries[0].Action != "office.create" || entries[0].ActorLabel != "test" {
			t.Fatalf("audit: %+v %v", entries, err)
		}
		entries, err = audit.NewLog(db).List(ctx, audit.Filter{OrgID: o.ID, Action: "role.grant"})
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit role.grant: %d %v", len(entries), err)
		}
	})
}
