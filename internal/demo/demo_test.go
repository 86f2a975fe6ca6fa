// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// taxonomyPath is shared/data/TAXONOMY.md seen from this package.
const taxonomyPath = "../../../shared/data/TAXONOMY.md"

var (
	fieldLine = regexp.MustCompile(`^- "([a-z_]+)":`)
	valueLine = regexp.MustCompile(`^\s+- "([a-z_]+)"`)
)

// taxonomyOffices returns the office codes TAXONOMY.md lists, without
// "none" (nothing to route).
func taxonomyOffices(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(taxonomyPath)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found: cannot compare the demo offices with the desk taxonomy", taxonomyPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	in := false
	for line := range strings.SplitSeq(string(b), "\n") {
		if m := fieldLine.FindStringSubmatch(line); m != nil {
			in = m[1] == "office"
			continue
		}
		if !in {
			continue
		}
		m := valueLine.FindStringSubmatch(line)
		if m == nil {
			in = false
			continue
		}
		if m[1] != "none" {
			codes = append(codes, m[1])
		}
	}
	if len(codes) == 0 {
		t.Fatalf("%s: no office codes found", taxonomyPath)
	}
	slices.Sort(codes)
	return codes
}

// snapshot describes everything Seed made, to compare before and after.
func snapshot(t *testing.T, db *store.DB, orgs *org.Service, orgID string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	offices, err := orgs.Offices(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offices {
		fmt.Fprintf(&b, "office %s %s %s %s\n", o.ID, o.Code, o.Name, o.Email)
	}
	members, err := orgs.Members(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		for _, ms := range m.Memberships {
			fmt.Fprintf(&b, "member %s %s %s %s %s\n", m.PersonID, m.Email, ms.ID, ms.Role, ms.OfficeID)
		}
	}
	entries, err := audit.NewLog(db).List(ctx, audit.Filter{OrgID: orgID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit %d\n", len(entries))
	var people int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE email LIKE '%@demo.piazza.test'`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "people %d\n", people)
	return b.String()
}

func TestSeed(t *testing.T) {
	want := taxonomyOffices(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sealer, err := auth.NewSealer(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		orgs, people := org.NewService(db), auth.NewService(db, sealer)

		created, err := demo.Seed(ctx, db, orgs, people)
		if err != nil {
			t.Fatal(err)
		}
		// SQLite starts empty; the PostgreSQL database is shared by the
		// package and may hold the demo already.
		if !created && db.Engine == store.SQLite {
			t.Fatal("Seed on an empty database reported created=false")
		}

		o, err := orgs.OrganisationBySlug(ctx, demo.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name == "" || o.Timezone != "Europe/Rome" || !slices.Contains(o.Languages, "it") {
			t.Errorf("demo organisation = %+v", o)
		}

		// The offices are exactly the taxonomy's.
		offices, err := orgs.Offices(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		officeID := map[string]string{}
		for _, off := range offices {
			codes = append(codes, off.Code)
			officeID[off.Code] = off.ID
			if off.Name == "" || !strings.Contains(off.Email, "@") {
				t.Errorf("office %s incomplete: %+v", off.Code, off)
			}
		}
		slices.Sort(codes)
		if !slices.Equal(codes, want) {
			t.Errorf("office codes = %v, want the taxonomy's %v", codes, want)
		}

		// One person per role, each able to log in.
		members, err := orgs.Members(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		byEmail := map[string]org.Member{}
		roles := map[org.Role]int{}
		for _, m := range members {
			byEmail[m.Email] = m
			for _, ms := range m.Memberships {
				roles[ms.Role]++
			}
		}
		for _, r := range org.Roles {
			if roles[r] != 1 {
				t.Errorf("role %s held by %d people, want 1", r, roles[r])
			}
		}
		if len(demo.Logins) != len(org.Roles) {
			t.Errorf("%d demo logins for %d roles", len(demo.Logins), len(org.Roles))
		}
		for _, l := range demo.Logins {
			m, ok := byEmail[l.Email]
			if !ok {
				t.Errorf("%s (%s) is not a member", l.Email, l.Role)
				continue
			}
			if len(m.Memberships) != 1 || m.Memberships[0].Role != l.Role || m.Name != l.Name || m.Disabled {
				t.Errorf("%s: member %+v, want role %s", l.Email, m, l.Role)
			}
			if l.Role.NeedsOffice() {
				if l.Office == "" || m.Memberships[0].OfficeID == "" || m.Memberships[0].OfficeID != officeID[l.Office] {
					t.Errorf("%s: office %q, want %s (%s)", l.Email, m.Memberships[0].OfficeID, l.Office, officeID[l.Office])
				}
			} else if m.Memberships[0].OfficeID != "" {
				t.Errorf("%s: unexpected office %s", l.Email, m.Memberships[0].OfficeID)
			}
			p, err := people.Authenticate(ctx, l.Email, demo.Password, "192.0.2.1")
			if err != nil {
				t.Errorf("%s cannot log in: %v", l.Email, err)
				continue
			}
			if p.ID != m.PersonID || p.Lang != "it" {
				t.Errorf("%s: authenticated as %+v", l.Email, p)
			}
		}
		if _, err := people.Authenticate(ctx, demo.Logins[0].Email, demo.Password+"x", "192.0.2.2"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		// The liaison's rights hold in their office only.
		var liaison org.Member
		for _, m := range members {
			if m.Memberships[0].Role == org.RoleLiaison {
				liaison = m
			}
		}
		g, err := orgs.GrantsOf(ctx, o.ID, liaison.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		if !g.CanInOffice(org.PermDeskReply, officeID["urp"]) || g.CanInOffice(org.PermDeskReply, officeID["tributi"]) {
			t.Errorf("liaison grants wrong: %+v", g)
		}

		// What the demo did is in its log, under the demo actor.
		entries, err := audit.NewLog(db).List(ctx, audit.Filter{OrgID: o.ID, Action: "org.create"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].ActorLabel != "demo" {
			t.Errorf("org.create entries: %+v", entries)
		}

		// A second Seed leaves the demo as it is.
		before := snapshot(t, db, orgs, o.ID)
		created, err = demo.Seed(ctx, db, orgs, people)
		if err != nil {
			t.Fatal(err)
		}
		if created {
			t.Error("second Seed reported created=true")
		}
		if after := snapshot(t, db, orgs, o.ID); after != before {
			t.Errorf("second Seed changed the demo:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

func TestOfficesMatchTaxonomy(t *testing.T) {
	want := taxonomyOffices(t)
	var codes []string
	for _, o := range demo.Offices {
		codes = append(codes, o.Code)
	}
	slices.Sort(codes)
	if !slices.Equal(codes, want) {
		t.Errorf("demo.Offices codes = %v, want %v", codes, want)
	}
}
