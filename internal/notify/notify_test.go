// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package notify_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/mail/mailtest"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

const publicURL = "https://piazza.comune.example/"

// fixture is one organisation of its own, with services to fill it.
type fixture struct {
	ctx    context.Context
	db     *store.DB
	orgs   *org.Service
	people *auth.Service
	org    org.Organisation
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	sealer, err := auth.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: ctx, db: db, orgs: org.NewService(db), people: auth.NewService(db, sealer)}
	f.org, err = f.orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("notify-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// person creates a person with a unique email and grants them role (with
// officeID for office-scoped roles); role "" grants nothing.
func (f *fixture) person(t *testing.T, lang string, role org.Role, officeID string) auth.Person {
	t.Helper()
	email := storetest.Unique("persona") + "@comune.example"
	p, err := f.people.CreatePerson(f.ctx, nil, auth.PersonInput{Email: email, Name: "Persona " + string(role), Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := f.orgs.Grant(f.ctx, f.org.ID, p.ID, role, officeID); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (f *fixture) office(t *testing.T, code string) org.Office {
	t.Helper()
	o, err := f.orgs.CreateOffice(f.ctx, f.org.ID, org.OfficeInput{Code: code, Name: "Ufficio " + code, Email: code + "@comune.example"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newSender(t *testing.T, server *mailtest.Server) mail.Sender {
	t.Helper()
	s, err := mail.New(server.URL(), "Piazza <piazza@comune.example>", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// to returns the messages addressed to addr.
func to(msgs []mailtest.Received, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range msgs {
		if slices.Contains(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

func emailedAt(t *testing.T, db *store.DB, personID string) []sql.NullTime {
	t.Helper()
	rows, err := db.Read.QueryContext(context.Background(), `SELECT emailed_at FROM notifications WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sql.NullTime
	for rows.Next() {
		var at sql.NullTime
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		out = append(out, at)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNotifyListUnreadMarkRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := notify.NewService(db, nil, publicURL)
		anna := f.person(t, "it", org.RoleEditor, "")
		bruno := f.person(t, "it", org.RoleEditor, "")
		other := newFixture(t, db)

		kinds := []notify.Kind{notify.KindPostAwaitingApproval, notify.KindPublicationFailed, notify.KindUrgentMessage}
		for i, k := range kinds {
			err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: anna.ID, Kind: k,
				Title: "Titolo " + string(k), Body: "Corpo", Link: "/editorial/posts/" + string(rune('a'+i))})
			if err != nil {
				t.Fatal(err)
			}
		}
		// Bruno's bell and Anna's bell in another organisation stay apart.
		if err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: bruno.ID, Kind: notify.KindRequestOverdue, Title: "B"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: other.org.ID, PersonID: anna.ID, Kind: notify.KindRequestOverdue, Title: "Altro ente"}); err != nil {
			t.Fatal(err)
		}

		list, err := svc.List(f.ctx, f.org.ID, anna.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("list: got %d notifications, want 3", len(list))
		}
		// Newest first.
		for i, n := range list {
			want := kinds[len(kinds)-1-i]
			if n.Kind != want || n.Title != "Titolo "+string(want) || n.Body != "Corpo" || n.OrgID != f.org.ID ||
				n.PersonID != anna.ID || n.ReadAt != nil || n.CreatedAt.IsZero() || !strings.HasPrefix(n.Link, "/editorial/posts/") {
				t.Errorf("list[%d] = %+v, want kind %s", i, n, want)
			}
		}
		if limited, err := svc.List(f.ctx, f.org.ID, anna.ID, 2); err != nil || len(limited) != 2 || limited[0].ID != list[0].ID {
			t.Fatalf("list with limit 2: %d, %v", len(limited), err)
		}
		unread := func(orgID, personID string, want int) {
			t.Helper()
			n, err := svc.Unread(f.ctx, orgID, personID)
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("unread(%s) = %d, want %d", personID, n, want)
			}
		}
		unread(f.org.ID, anna.ID, 3)
		unread(f.org.ID, bruno.ID, 1)
		unread(other.org.ID, anna.ID, 1)

		// Someone else cannot mark Anna's notification read.
		if err := svc.MarkRead(f.ctx, f.org.ID, bruno.ID, list[1].ID); err != nil {
			t.Fatal(err)
		}
		unread(f.org.ID, anna.ID, 3)

		if err := svc.MarkRead(f.ctx, f.org.ID, anna.ID, list[1].ID); err != nil {
			t.Fatal(err)
		}
		unread(f.org.ID, anna.ID, 2)
		list, err = svc.List(f.ctx, f.org.ID, anna.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range list {
			if (n.ReadAt != nil) != (i == 1) {
				t.Errorf("after marking one: list[%d].ReadAt = %v", i, n.ReadAt)
			}
		}
		readAt := *list[1].ReadAt

		if err := svc.MarkRead(f.ctx, f.org.ID, anna.ID, ""); err != nil {
			t.Fatal(err)
		}
		unread(f.org.ID, anna.ID, 0)
		unread(f.org.ID, bruno.ID, 1)
		unread(other.org.ID, anna.ID, 1)
		list, err = svc.List(f.ctx, f.org.ID, anna.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range list {
			if n.ReadAt == nil {
				t.Errorf("after marking all: list[%d] unread", i)
			}
		}
		// Marking all keeps the time a notification was first read.
		if !list[1].ReadAt.Equal(readAt) {
			t.Errorf("read time changed from %v to %v", readAt, list[1].ReadAt)
		}
	})
}

func TestNotifyRejectsUnknownKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := notify.NewService(db, nil, publicURL)
		p := f.person(t, "it", org.RoleEditor, "")
		for _, k := range []notify.Kind{"", "post.published", "DESK.URGENT"} {
			if k.Valid() {
				t.Errorf("kind %q valid", k)
			}
			err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: p.ID, Kind: k, Title: "x"})
			if err == nil {
				t.Errorf("kind %q accepted", k)
			}
		}
		for _, k := range notify.Kinds {
			if !k.Valid() {
				t.Errorf("kind %q not valid", k)
			}
		}
		if n, err := svc.Unread(f.ctx, f.org.ID, p.ID); err != nil || n != 0 {
			t.Fatalf("unread = %d, %v; want 0", n, err)
		}
	})
}

func TestNotifyPermitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := notify.NewService(db, nil, publicURL)
		urp := f.office(t, "urp")
		tributi := f.office(t, "tributi")

		byRole := map[org.Role]auth.Person{}
		for _, r := range org.Roles {
			office := ""
			if r.NeedsOffice() {
				office = urp.ID
			}
			byRole[r] = f.person(t, "it", r, office)
		}
		// A disabled manager hears nothing; a manager who is also an
		// editor hears once.
		disabled := f.person(t, "it", org.RoleManager, "")
		if err := f.people.SetDisabled(f.ctx, f.org.ID, disabled.ID, true); err != nil {
			t.Fatal(err)
		}
		double := f.person(t, "it", org.RoleManager, "")
		if _, err := f.orgs.Grant(f.ctx, f.org.ID, double.ID, org.RoleEditor, ""); err != nil {
			t.Fatal(err)
		}
		// An approver of another organisation is not notified.
		other := newFixture(t, db)
		outsider := other.person(t, "it", org.RoleAdmin, "")

		everyone := []auth.Person{disabled, double, outsider}
		for _, p := range byRole {
			everyone = append(everyone, p)
		}
		// notified runs NotifyPermitted and returns who got something.
		notified := func(perm org.Permission, officeID string) map[string]bool {
			t.Helper()
			before := map[string]int{}
			for _, p := range everyone {
				before[p.ID], _ = svc.Unread(f.ctx, f.org.ID, p.ID)
			}
			var n int
			err := db.Tx(f.ctx, func(tx *sql.Tx) error {
				var err error
				n, err = svc.NotifyPermitted(f.ctx, tx, perm, officeID, notify.Notification{OrgID: f.org.ID,
					Kind: notify.KindPostAwaitingApproval, Title: "Post da approvare", Link: "/editorial/posts/1"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, p := range everyone {
				after, err := svc.Unread(f.ctx, f.org.ID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				switch after - before[p.ID] {
				case 0:
				case 1:
					got[p.ID] = true
				default:
					t.Errorf("%s: %s notified %d times", perm, p.Email, after-before[p.ID])
				}
			}
			if n != len(got) {
				t.Errorf("%s: NotifyPermitted returned %d, %d people notified", perm, n, len(got))
			}
			if u, _ := svc.Unread(f.ctx, other.org.ID, outsider.ID); u != 0 {
				t.Errorf("%s: outsider notified", perm)
			}
			return got
		}
		check := func(perm org.Permission, officeID string, want ...org.Role) {
			t.Helper()
			got := notified(perm, officeID)
			wantIDs := map[string]bool{double.ID: slices.Contains(want, org.RoleManager) || slices.Contains(want, org.RoleEditor)}
			for _, r := range want {
				wantIDs[byRole[r].ID] = true
			}
			for _, r := range org.Roles {
				if got[byRole[r].ID] != wantIDs[byRole[r].ID] {
					t.Errorf("%s in office %q: %s notified = %v, want %v", perm, officeID, r, got[byRole[r].ID], wantIDs[byRole[r].ID])
				}
			}
			if got[double.ID] != wantIDs[double.ID] {
				t.Errorf("%s: manager+editor notified = %v", perm, got[double.ID])
			}
			if got[disabled.ID] {
				t.Errorf("%s: disabled person notified", perm)
			}
		}

		check(org.PermPostApprove, urp.ID, org.RoleAdmin, org.RoleManager)
		check(org.PermPostApprove, "", org.RoleAdmin, org.RoleManager)
		deskReaders := []org.Role{org.RoleAdmin, org.RoleManager, org.RoleEditor, org.RoleCommunity, org.RoleCrisis}
		// The liaison reads the desk of its own office only.
		check(org.PermDeskRead, urp.ID, append(slices.Clone(deskReaders), org.RoleLiaison)...)
		check(org.PermDeskRead, tributi.ID, deskReaders...)
		check(org.PermDeskRead, "", deskReaders...)
		check(org.PermAlertSend, urp.ID, org.RoleAdmin, org.RoleCrisis)
		check(org.PermOrgManage, "", org.RoleAdmin)

		// Each notification carries what the raiser gave it.
		list, err := svc.List(f.ctx, f.org.ID, byRole[org.RoleAdmin].ID, 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("admin list: %v, %v", list, err)
		}
		if n := list[0]; n.Kind != notify.KindPostAwaitingApproval || n.Title != "Post da approvare" || n.Link != "/editorial/posts/1" || n.PersonID != byRole[org.RoleAdmin].ID {
			t.Errorf("admin notification = %+v", n)
		}
	})
}

func TestPreferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		svc := notify.NewService(db, nil, publicURL)
		p := f.person(t, "it", org.RoleEditor, "")

		prefs, err := svc.Preferences(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[notify.Kind]bool{
			notify.KindPostAwaitingApproval: false,
			notify.KindPublicationFailed:    true,
			notify.KindRequestOverdue:       false,
			notify.KindUrgentMessage:        true,
			notify.KindAssigned:             false,
			notify.KindConsulted:            false,
			notify.KindAlertDelivery:        true,
			notify.KindIncidentImported:     true,
		}
		if len(prefs) != len(want) {
			t.Fatalf("defaults: %v", prefs)
		}
		for k, v := range want {
			if prefs[k] != v {
				t.Errorf("default %s = %v, want %v", k, prefs[k], v)
			}
		}

		set := map[notify.Kind]bool{notify.KindPostAwaitingApproval: true, notify.KindRequestOverdue: true}
		if err := svc.SetPreferences(f.ctx, p.ID, set); err != nil {
			t.Fatal(err)
		}
		prefs, err = svc.Preferences(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range notify.Kinds {
			// Kinds missing from the map are off, defaults included.
			if prefs[k] != set[k] {
				t.Errorf("after set: %s = %v, want %v", k, prefs[k], set[k])
			}
		}
		// Setting again overwrites.
		if err := svc.SetPreferences(f.ctx, p.ID, map[notify.Kind]bool{notify.KindUrgentMessage: true}); err != nil {
			t.Fatal(err)
		}
		prefs, err = svc.Preferences(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range notify.Kinds {
			if prefs[k] != (k == notify.KindUrgentMessage) {
				t.Errorf("after second set: %s = %v", k, prefs[k])
			}
		}

		// Each change is audited, with the choice in full.
		rows, err := db.Read.QueryContext(f.ctx, `SELECT actor_label, target_type, after_state FROM audit_log
			WHERE action = 'notify.preferences' AND target_id = $1 ORDER BY id`, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var afters []map[string]bool
		for rows.Next() {
			var actor, targetType, after string
			if err := rows.Scan(&actor, &targetType, &after); err != nil {
				t.Fatal(err)
			}
			if actor != "test" || targetType != "person" {
				t.Errorf("audit entry: actor %q, target type %q", actor, targetType)
			}
			var m map[string]bool
			if err := json.Unmarshal([]byte(after), &m); err != nil {
				t.Fatalf("audit after %q: %v", after, err)
			}
			afters = append(afters, m)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(afters) != 2 {
			t.Fatalf("got %d audit entries, want 2", len(afters))
		}
		for _, k := range notify.Kinds {
			if v, ok := afters[0][string(k)]; !ok || v != set[k] {
				t.Errorf("audit after[%s] = %v (present %v), want %v", k, v, ok, set[k])
			}
		}
		if !afters[1][string(notify.KindUrgentMessage)] || afters[1][string(notify.KindPostAwaitingApproval)] {
			t.Errorf("second audit entry = %v", afters[1])
		}
	})
}

func TestSendPendingEmails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		server := mailtest.NewServer(t)
		svc := notify.NewService(db, newSender(t, server), publicURL)

		anna := f.person(t, "it", org.RoleEditor, "") // defaults
		bob := f.person(t, "en", org.RoleEditor, "")  // only approvals
		if err := svc.SetPreferences(f.ctx, bob.ID, map[notify.Kind]bool{notify.KindPostAwaitingApproval: true}); err != nil {
			t.Fatal(err)
		}
		carla := f.person(t, "it", org.RoleEditor, "") // disabled
		for _, p := range []auth.Person{anna, bob, carla} {
			for _, k := range notify.Kinds {
				err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: p.ID, Kind: k,
					Title: "Avviso " + string(k), Body: "Dettagli", Link: "/x/" + string(k)})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := f.people.SetDisabled(f.ctx, f.org.ID, carla.ID, true); err != nil {
			t.Fatal(err)
		}

		sent, err := svc.SendPendingEmails(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs := server.Messages()
		if sent != len(msgs) {
			t.Errorf("SendPendingEmails returned %d, server received %d", sent, len(msgs))
		}

		annas := to(msgs, anna.Email)
		if len(annas) != 4 {
			t.Fatalf("anna got %d emails, want 4 (failed, urgent, alert not delivered, alert imported)", len(annas))
		}
		wantIT := map[string]notify.Kind{"Pubblicazione non riuscita": notify.KindPublicationFailed, "Messaggio urgente": notify.KindUrgentMessage,
			"Allerta non consegnata": notify.KindAlertDelivery, "Allerta importata da un feed CAP": notify.KindIncidentImported}
		for _, m := range annas {
			subject, text := m.Subject(), m.Text()
			var kind notify.Kind
			for label, k := range wantIT {
				if strings.Contains(subject, label) {
					kind = k
				}
			}
			if kind == "" {
				t.Errorf("anna: unexpected subject %q", subject)
				continue
			}
			if !strings.Contains(subject, f.org.Name) || !strings.Contains(subject, "Avviso "+string(kind)) {
				t.Errorf("anna: subject %q lacks organisation or title", subject)
			}
			if !strings.Contains(text, "https://piazza.comune.example/x/"+string(kind)) {
				t.Errorf("anna: text lacks the full link:\n%s", text)
			}
			if !strings.Contains(text, "Dettagli") || !strings.Contains(text, "Ricevi questa email") {
				t.Errorf("anna: text lacks body or Italian footer:\n%s", text)
			}
		}

		bobs := to(msgs, bob.Email)
		if len(bobs) != 1 {
			t.Fatalf("bob got %d emails, want 1 (awaiting approval)", len(bobs))
		}
		if s := bobs[0].Subject(); !strings.Contains(s, "Post awaiting approval") || !strings.Contains(s, "Avviso post.awaiting_approval") {
			t.Errorf("bob: subject %q not in English", s)
		}
		if text := bobs[0].Text(); !strings.Contains(text, "https://piazza.comune.example/x/post.awaiting_approval") ||
			!strings.Contains(text, "You receive this email") {
			t.Errorf("bob: text:\n%s", text)
		}
		if got := to(msgs, carla.Email); len(got) != 0 {
			t.Errorf("disabled person got %d emails", len(got))
		}

		// Every row of the mailed people was considered, sent or not.
		for _, p := range []auth.Person{anna, bob} {
			for i, at := range emailedAt(t, db, p.ID) {
				if !at.Valid {
					t.Errorf("%s: notification %d not marked", p.Email, i)
				}
			}
		}

		// A second run sends nothing again.
		sent, err = svc.SendPendingEmails(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sent != 0 || len(server.Messages()) != len(msgs) {
			t.Errorf("second run sent %d, server has %d messages (had %d)", sent, len(server.Messages()), len(msgs))
		}
	})
}

func TestSendPendingEmailsRetriesRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rejecting := mailtest.NewServer(t)
		svc := notify.NewService(db, newSender(t, rejecting), publicURL)
		ok := f.person(t, "it", org.RoleEditor, "")
		bounced := f.person(t, "it", org.RoleEditor, "")
		rejecting.Reject(bounced.Email)
		for _, p := range []auth.Person{ok, bounced} {
			err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: p.ID,
				Kind: notify.KindUrgentMessage, Title: "Allagamento sottopasso"})
			if err != nil {
				t.Fatal(err)
			}
		}

		sent, err := svc.SendPendingEmails(f.ctx)
		if err == nil {
			t.Error("rejected recipient: no error")
		}
		if sent != 1 || len(to(rejecting.Messages(), ok.Email)) != 1 || len(to(rejecting.Messages(), bounced.Email)) != 0 {
			t.Fatalf("first run: sent %d, messages %d", sent, len(rejecting.Messages()))
		}
		if at := emailedAt(t, db, ok.ID); len(at) != 1 || !at[0].Valid {
			t.Errorf("delivered row not marked: %v", at)
		}
		if at := emailedAt(t, db, bounced.ID); len(at) != 1 || at[0].Valid {
			t.Fatalf("rejected row marked: %v", at)
		}

		// Once the relay accepts the address, the next run delivers it.
		working := mailtest.NewServer(t)
		svc = notify.NewService(db, newSender(t, working), publicURL)
		sent, err = svc.SendPendingEmails(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs := working.Messages()
		if sent != len(msgs) || len(to(msgs, bounced.Email)) != 1 || len(to(msgs, ok.Email)) != 0 {
			t.Fatalf("retry: sent %d, to bounced %d, to ok %d", sent, len(to(msgs, bounced.Email)), len(to(msgs, ok.Email)))
		}
		if at := emailedAt(t, db, bounced.ID); len(at) != 1 || !at[0].Valid {
			t.Errorf("retried row not marked: %v", at)
		}
	})
}

func TestSendPendingEmailsSkipsStale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		server := mailtest.NewServer(t)
		svc := notify.NewService(db, newSender(t, server), publicURL)
		p := f.person(t, "it", org.RoleEditor, "")

		_, err := db.Write.ExecContext(f.ctx, `INSERT INTO notifications (id, org_id, person_id, kind, title, body, link, created_at)
			VALUES ($1, $2, $3, $4, $5, '', '', $6)`, store.NewID(), f.org.ID, p.ID, string(notify.KindPublicationFailed),
			"Vecchia", store.Now().Add(-25*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: p.ID, Kind: notify.KindPublicationFailed, Title: "Recente"}); err != nil {
			t.Fatal(err)
		}

		if _, err := svc.SendPendingEmails(f.ctx); err != nil {
			t.Fatal(err)
		}
		got := to(server.Messages(), p.Email)
		if len(got) != 1 || !strings.Contains(got[0].Subject(), "Recente") {
			var subjects []string
			for _, m := range got {
				subjects = append(subjects, m.Subject())
			}
			t.Fatalf("got %v, want only the recent notification", subjects)
		}
		// The stale one still shows in the bell.
		if n, err := svc.Unread(f.ctx, f.org.ID, p.ID); err != nil || n != 2 {
			t.Errorf("unread = %d, %v; want 2", n, err)
		}
	})
}

// A notification worded by a phrase reaches each person in their own
// language, in the bell and by email; the arguments that are phrases are
// translated too, the others stay as given.
func TestNotifyInRecipientsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		server := mailtest.NewServer(t)
		svc := notify.NewService(db, newSender(t, server), publicURL)
		anna, bob := f.person(t, "it", org.RoleCrisis, ""), f.person(t, "en", org.RoleCrisis, "")

		failed := notify.Notification{OrgID: f.org.ID, Kind: notify.KindAlertDelivery, Title: "Bora: scuole chiuse",
			Link: "/alerts/incidents/1", BodyPhrase: notify.Phrase{Key: "alert.notify.delivery_failed", Args: []any{"telegram",
				notify.Phrase{Key: "alert.delivery.target.telegram_bot"},
				notify.Phrase{Key: "alert.delivery.error.bot_paused", Args: []any{3, 10}}}}}
		err := db.Tx(f.ctx, func(tx *sql.Tx) error {
			n, err := svc.NotifyPermitted(f.ctx, tx, org.PermAlertSend, "", failed)
			if err == nil && n != 2 {
				t.Errorf("%d notified, want 2", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// One person, and a body given as text: it stays as given.
		imported := notify.Notification{OrgID: f.org.ID, PersonID: bob.ID, Kind: notify.KindIncidentImported, Title: "Allerta gialla",
			BodyPhrase: notify.Phrase{Key: "alert.notify.imported", Args: []any{"Protezione civile regionale"}}}
		if err := svc.Notify(f.ctx, db.Write, imported); err != nil {
			t.Fatal(err)
		}
		if err := svc.Notify(f.ctx, db.Write, notify.Notification{OrgID: f.org.ID, PersonID: bob.ID, Kind: notify.KindUrgentMessage,
			Title: "Allagamento", Body: "Via Roma è allagata"}); err != nil {
			t.Fatal(err)
		}
		imported.PersonID = "nobody"
		if err := svc.Notify(f.ctx, db.Write, imported); err == nil {
			t.Error("a phrase for nobody was stored")
		}

		want := map[string][]string{
			anna.ID: {"Iscritti al bot Telegram (telegram): non inviata. Invio interrotto dopo 3 messaggi su 10: riprende dal punto in cui si è fermato."},
			bob.ID: {"Via Roma è allagata", "A draft to confirm, imported from Protezione civile regionale.",
				"Telegram bot subscribers (telegram): not sent. Sending stopped after 3 messages of 10: it resumes where it stopped."},
		}
		for id, bodies := range want {
			ns, err := svc.List(f.ctx, f.org.ID, id, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range ns {
				got = append(got, n.Body)
			}
			slices.Sort(got)
			slices.Sort(bodies)
			if !slices.Equal(got, bodies) {
				t.Errorf("bodies %q, want %q", got, bodies)
			}
		}

		if _, err := svc.SendPendingEmails(f.ctx); err != nil {
			t.Fatal(err)
		}
		msgs := server.Messages()
		if m := to(msgs, anna.Email); len(m) != 1 || !strings.Contains(m[0].Text(), "non inviata. Invio interrotto dopo 3 messaggi su 10") {
			t.Errorf("anna's email: %+v", m)
		}
		for _, m := range to(msgs, bob.Email) {
			if strings.Contains(m.Subject(), "Allerta non consegnata") || strings.Contains(m.Text(), "non inviata") {
				t.Errorf("bob's email is in Italian: %s\n%s", m.Subject(), m.Text())
			}
		}
		if m := to(msgs, bob.Email); len(m) != 3 || !slices.ContainsFunc(m, func(r mailtest.Received) bool {
			return strings.Contains(r.Text(), "not sent. Sending stopped after 3 messages of 10")
		}) {
			t.Errorf("bob's emails: %d, none with the English body", len(m))
		}
	})
}

func TestPhraseIn(t *testing.T) {
	c := i18n.Default()
	p := notify.Phrase{Key: "alert.notify.delivery_unknown", Args: []any{"webpush", notify.Phrase{Key: "alert.delivery.target.webpush"},
		"HTTP 503 «Service Unavailable»"}}
	for lang, want := range map[i18n.Lang]string{
		i18n.Italian: "Notifiche push (webpush): esito incerto, verificare sulla piattaforma. HTTP 503 «Service Unavailable»",
		i18n.English: "Push notifications (webpush): outcome unknown, check on the platform. HTTP 503 «Service Unavailable»",
		"de":         "Notifiche push (webpush): esito incerto, verificare sulla piattaforma. HTTP 503 «Service Unavailable»",
	} {
		if got := p.In(c, lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
