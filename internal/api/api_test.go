// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/feed"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/triage"
)

// fixture is two organisations with people, offices and tokens, built
// through the domain services as an administrator would.
type fixture struct {
	db     *store.DB
	orgs   *org.Service
	auth   *auth.Service
	api    http.Handler
	orgA   org.Organisation
	orgB   org.Organisation
	tokens map[string]string // by scenario token name
	vars   map[string]string // {placeholders} in scenario paths and bodies
	people map[string]auth.Person
	// facebook is the fake Graph API behind the desk's Facebook Page.
	facebook *facebooktest.Server
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	key, err := auth.ParseSecretKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{db: db, orgs: org.NewService(db), auth: auth.NewService(db, sealer),
		tokens: map[string]string{}, vars: map[string]string{}, people: map[string]auth.Person{}}
	// The plan publishes to the site's Atom feed: a connector with no
	// network, so scheduling really goes through the engine's checks.
	reg := channel.NewRegistry()
	reg.Add(feed.New(), nil)
	// The desk's channels: a Page on the fake Graph API, and Bluesky,
	// which answers comments but never in private.
	reg.Add(facebook.New(&http.Client{Timeout: 10 * time.Second}), nil)
	reg.Add(bluesky.New(&http.Client{Timeout: 10 * time.Second}), nil)
	ed := editorial.NewService(db)
	pub := publish.NewService(publish.Deps{DB: db, Registry: reg, Sealer: sealer, Editorial: ed,
		Jobs: jobs.New(db, jobs.Config{Logger: slog.New(slog.DiscardHandler)}), Notify: notify.NewService(db, nil, "http://piazza.test"),
		Log: slog.New(slog.DiscardHandler)})
	tri := triage.NewService(db)
	dsk := desk.NewService(desk.Deps{DB: db, Triage: tri, Publish: pub, Notify: notify.NewService(db, nil, "http://piazza.test"),
		Log: slog.New(slog.DiscardHandler), PublicURL: "http://piazza.test"})
	alerts := alert.NewService(alert.Deps{DB: db, Publish: pub, Log: slog.New(slog.DiscardHandler), PublicURL: "http://piazza.test"})
	fx.api = New(Deps{DB: db, Orgs: fx.orgs, Auth: fx.auth, Version: "test", Editorial: ed, Publish: pub, Triage: tri, Desk: dsk,
		Alerts: alerts, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	fx.orgA, err = fx.orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("comune-a"), Name: "Comune di Prova"})
	must(err)
	fx.orgB, err = fx.orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("comune-b"), Name: "Comune Vicino"})
	must(err)
	office := func(o org.Organisation, code, name, email string) org.Office {
		t.Helper()
		off, err := fx.orgs.CreateOffice(ctx, o.ID, org.OfficeInput{Code: code, Name: name, Email: email})
		must(err)
		return off
	}
	office(fx.orgA, "urp", "Ufficio Relazioni con il Pubblico", "urp@comune.example")
	office(fx.orgA, "anagrafe", "Anagrafe", "anagrafe@comune.example")
	tributi := office(fx.orgA, "tributi", "Tributi", "")
	office(fx.orgB, "polizia_locale", "Polizia Locale", "")

	person := func(name string, o org.Organisation, role org.Role, officeID string) (auth.Person, org.Membership) {
		t.Helper()
		p, err := fx.auth.CreatePerson(ctx, nil, auth.PersonInput{Email: storetest.Unique(name) + "@comune.example", Name: name})
		must(err)
		m, err := fx.orgs.Grant(ctx, o.ID, p.ID, role, officeID)
		must(err)
		fx.people[name] = p
		return p, m
	}
	token := func(name string, o org.Organisation, p auth.Person) auth.APIToken {
		t.Helper()
		plain, tok, err := fx.auth.CreateAPIToken(ctx, o.ID, p.ID, "test")
		must(err)
		fx.tokens[name] = plain
		return tok
	}
	admin, _ := person("admin", fx.orgA, org.RoleAdmin, "")
	token("admin", fx.orgA, admin)
	viewer, _ := person("viewer", fx.orgA, org.RoleViewer, "")
	token("viewer", fx.orgA, viewer)
	liaison, _ := person("liaison", fx.orgA, org.RoleLiaison, tributi.ID)
	token("liaison", fx.orgA, liaison)
	adminB, _ := person("adminB", fx.orgB, org.RoleAdmin, "")
	token("adminB", fx.orgB, adminB)

	revoked := token("revoked", fx.orgA, viewer)
	must(fx.auth.RevokeAPIToken(ctx, fx.orgA.ID, viewer.ID, revoked.ID))
	former, membership := person("former", fx.orgA, org.RoleEditor, "")
	token("former", fx.orgA, former)
	must(fx.orgs.Revoke(ctx, fx.orgA.ID, membership.ID))

	// A writer's draft with a variant on the feed, for the plan's scenarios.
	writer, _ := person("writer", fx.orgA, org.RoleEditor, "")
	token("writer", fx.orgA, writer)
	actx := audit.WithActor(ctx, audit.Actor{PersonID: writer.ID, Label: "writer"})
	feedAcct, err := pub.CreateAccount(actx, fx.orgA.ID, publish.AccountInput{Platform: channel.Feed, Name: "Feed del sito",
		Handle: "sito", BaseURL: "https://comune.example/feeds/posts.atom"})
	must(err)
	grants, err := fx.orgs.GrantsOf(ctx, fx.orgA.ID, writer.ID)
	must(err)
	draft, err := ed.CreatePost(actx, editorial.Actor{PersonID: writer.ID, Grants: grants}, fx.orgA.ID,
		editorial.PostInput{Title: "Isola ecologica", Body: "Nuovi orari dell'isola ecologica."})
	must(err)
	fx.vars["{feed.id}"] = feedAcct.ID
	fx.vars["{post.id}"] = draft.ID
	fx.vars["{post.version}"] = strconv.Itoa(draft.Version)

	fx.tokens["bad"] = "pz_" + strings.Repeat("0", 43)
	for name, p := range fx.people {
		fx.vars["{"+name+".id}"] = p.ID
		fx.vars["{"+name+".email}"] = p.Email
	}
	for name, tok := range fx.tokens {
		fx.vars["{token."+name+"}"] = tok
	}
	fx.vars["{slugA}"] = fx.orgA.Slug
	for _, name := range []string{"new1", "new2", "new3"} {
		fx.vars["{"+name+".email}"] = storetest.Unique(name) + "@comune.example"
	}
	// A citizen's request on the web form, for the desk's scenarios.
	in, err := dsk.Ingest(ctx, desk.Inbound{OrgID: fx.orgA.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "form-1",
		Visibility: channel.Private, AuthorID: "cittadino@example.org", Text: "Buongiorno, quando apre l'anagrafe il sabato?"}})
	must(err)
	fx.vars["{conversation}"] = in.ConversationID
	fx.vars["{form.message}"] = in.MessageID
	fx.deskChannels(t, pub, dsk)
	return fx
}

func (fx *fixture) expand(s string) string {
	for k, v := range fx.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// scenario is one HTTP call and what must come of it.
type scenario struct {
	name   string
	method string
	path   string // {placeholders} of the fixture are expanded
	token  string // "", "bad", "revoked", "former", "viewer", "writer", "liaison", "admin", "adminB"
	authz  string // a raw Authorization header instead of token
	body   string
	status int
	want   map[string]any                  // dotted JSON paths (list indices as numbers) → value
	header map[string]string               // header → substring it must contain
	setup  func(t *testing.T, fx *fixture) // runs before the call
	check  func(t *testing.T, fx *fixture, body any)
}

func scenarios() []scenario {
	return []scenario{
		// The document needs no token.
		{name: "openapi without token", method: "GET", path: "/api/v1/openapi.json", status: 200,
			want: map[string]any{"openapi": "3.1.0", "info.version": "test"}},

		// Authentication.
		{name: "no token", method: "GET", path: "/api/v1/me", status: 401,
			want:   map[string]any{"error.code": "unauthorized"},
			header: map[string]string{"WWW-Authenticate": `Bearer realm="piazza"`}},
		{name: "basic scheme", method: "GET", path: "/api/v1/me", authz: "Basic YWRtaW46YWRtaW4=", status: 401,
			want: map[string]any{"error.code": "unauthorized"}, header: map[string]string{"WWW-Authenticate": "Bearer"}},
		{name: "bearer without token", method: "GET", path: "/api/v1/me", authz: "Bearer ", status: 401,
			want: map[string]any{"error.code": "unauthorized"}},
		{name: "bearer with two words", method: "GET", path: "/api/v1/me", authz: "Bearer {token.admin} x", status: 401,
			want: map[string]any{"error.code": "unauthorized"}},
		{name: "token without prefix", method: "GET", path: "/api/v1/me", authz: "Bearer abcdef", status: 401,
			want:   map[string]any{"error.code": "unauthorized"},
			header: map[string]string{"WWW-Authenticate": `error="invalid_token"`}},
		{name: "unknown token", method: "GET", path: "/api/v1/me", token: "bad", status: 401,
			want:   map[string]any{"error.code": "unauthorized"},
			header: map[string]string{"WWW-Authenticate": `Bearer realm="piazza"`}},
		{name: "revoked token", method: "GET", path: "/api/v1/offices", token: "revoked", status: 401,
			want: map[string]any{"error.code": "unauthorized"}},
		{name: "token of a former member", method: "GET", path: "/api/v1/offices", token: "former", status: 403,
			want: map[string]any{"error.code": "forbidden"}},

		// Who am I.
		{name: "me as admin", method: "GET", path: "/api/v1/me", token: "admin", status: 200,
			want: map[string]any{"id": "{admin.id}", "email": "{admin.email}", "organisation.slug": "{slugA}",
				"roles.0.role": "admin", "roles.0.office": nil},
			header: map[string]string{"Cache-Control": "no-store"},
			check: func(t *testing.T, fx *fixture, body any) {
				if perms := strs(get(body, "permissions")); len(perms) != len(org.AllPermissions) {
					t.Errorf("admin permissions = %v, want all", perms)
				}
			}},
		{name: "me as viewer, lower-case scheme", method: "GET", path: "/api/v1/me", authz: "bearer {token.viewer}", status: 200,
			want: map[string]any{"id": "{viewer.id}", "roles.0.role": "viewer"},
			check: func(t *testing.T, fx *fixture, body any) {
				perms := strs(get(body, "permissions"))
				if !slices.Contains(perms, "plan.read") || slices.Contains(perms, "people.read") {
					t.Errorf("viewer permissions = %v", perms)
				}
			}},

		// People.
		{name: "viewer cannot list people", method: "GET", path: "/api/v1/people", token: "viewer", status: 403,
			want: map[string]any{"error.code": "forbidden"}},
		{name: "admin lists people", method: "GET", path: "/api/v1/people", token: "admin", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				people := list(body, "people")
				if p := find(people, "id", fx.people["liaison"].ID); p == nil || get(p, "roles.0.office.code") != "tributi" {
					t.Errorf("liaison missing or without office: %v", p)
				}
				for _, name := range []string{"admin", "viewer"} {
					if find(people, "id", fx.people[name].ID) == nil {
						t.Errorf("%s missing from %v", name, people)
					}
				}
				for _, name := range []string{"adminB", "former"} {
					if find(people, "id", fx.people[name].ID) != nil {
						t.Errorf("%s listed, but is no member", name)
					}
				}
			}},
		{name: "admin gets a person", method: "GET", path: "/api/v1/people/{viewer.id}", token: "admin", status: 200,
			want: map[string]any{"id": "{viewer.id}", "name": "viewer", "roles.0.role": "viewer", "disabled": false}},
		{name: "person of another organisation", method: "GET", path: "/api/v1/people/{adminB.id}", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "unknown person", method: "GET", path: "/api/v1/people/nobody", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "viewer cannot add people", method: "POST", path: "/api/v1/people", token: "viewer", status: 403,
			body: `{"name": "Nuova", "email": "{new1.email}", "role": "editor"}`,
			want: map[string]any{"error.code": "forbidden"}},
		{name: "admin adds a person", method: "POST", path: "/api/v1/people", token: "admin", status: 201,
			body:   `{"name": "Nuova Redattrice", "email": "{new1.email}", "role": "editor", "lang": "en"}`,
			want:   map[string]any{"name": "Nuova Redattrice", "email": "{new1.email}", "roles.0.role": "editor"},
			header: map[string]string{"Location": "/api/v1/people/"},
			check: func(t *testing.T, fx *fixture, body any) {
				p, err := fx.auth.PersonByEmail(context.Background(), fx.vars["{new1.email}"])
				if err != nil || p.ID != get(body, "id") || p.Lang != "en" {
					t.Fatalf("person not created as answered: %+v, %v", p, err)
				}
				fx.wantAudit(t, "role.grant", p.ID)
			}},
		{name: "new person is listed", method: "GET", path: "/api/v1/people", token: "admin", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				if find(list(body, "people"), "email", fx.vars["{new1.email}"]) == nil {
					t.Error("created person missing from the list")
				}
			}},
		{name: "duplicate email", method: "POST", path: "/api/v1/people", token: "admin", status: 422,
			body: `{"name": "Doppia", "email": "{new1.email}", "role": "editor"}`,
			want: map[string]any{"error.code": "invalid", "error.fields.0.field": "email", "error.fields.0.code": "auth.email.taken"}},
		{name: "role refused: no person half-written", method: "POST", path: "/api/v1/people", token: "admin", status: 422,
			body:  `{"name": "Referente", "email": "{new2.email}", "role": "liaison"}`,
			want:  map[string]any{"error.fields.0.field": "office"},
			check: wantNoPerson("{new2.email}")},
		{name: "unknown role: no person half-written", method: "POST", path: "/api/v1/people", token: "admin", status: 422,
			body:  `{"name": "Capo", "email": "{new2.email}", "role": "superuser"}`,
			want:  map[string]any{"error.fields.0.field": "role"},
			check: wantNoPerson("{new2.email}")},
		{name: "unknown office", method: "POST", path: "/api/v1/people", token: "admin", status: 422,
			body:  `{"name": "Referente", "email": "{new2.email}", "role": "liaison", "office": "polizia_locale"}`,
			want:  map[string]any{"error.fields.0.field": "office", "error.fields.0.code": "admin.office.unknown"},
			check: wantNoPerson("{new2.email}")},
		{name: "invalid person fields", method: "POST", path: "/api/v1/people", token: "admin", status: 422,
			body: `{"name": "", "email": "not an email", "role": "editor"}`,
			check: func(t *testing.T, fx *fixture, body any) {
				var fields []string
				for _, f := range list(body, "error.fields") {
					fields = append(fields, get(f, "field").(string))
				}
				if !slices.Contains(fields, "name") || !slices.Contains(fields, "email") {
					t.Errorf("fields = %v, want name and email", fields)
				}
			}},
		{name: "liaison with office", method: "POST", path: "/api/v1/people", token: "admin", status: 201,
			body: `{"name": "Referente URP", "email": "{new3.email}", "role": "liaison", "office": "urp"}`,
			want: map[string]any{"roles.0.role": "liaison", "roles.0.office.code": "urp"}},
		{name: "person with unknown field", method: "POST", path: "/api/v1/people", token: "admin", status: 400,
			body: `{"nome": "Refuso", "email": "{new2.email}", "role": "editor"}`,
			want: map[string]any{"error.code": "bad_request"}},

		// The editorial plan.
		{name: "viewer lists channels", method: "GET", path: "/api/v1/channels", token: "viewer", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				ch := find(list(body, "channels"), "id", fx.vars["{feed.id}"])
				if ch == nil || get(ch, "platform") != "feed" || get(ch, "credentials") != nil {
					t.Errorf("feed channel: %v", ch)
				}
			}},
		{name: "add a channel", method: "POST", path: "/api/v1/channels", token: "admin", status: 201,
			body: `{"platform": "feed", "name": "Secondo feed", "handle": "sito2", "base_url": "https://comune.example/feed2.atom", "credentials": {"token": "segreto-mai-mostrato"}}`,
			want: map[string]any{"platform": "feed", "name": "Secondo feed"}, header: map[string]string{"Location": "/api/v1/channels/"},
			check: func(t *testing.T, fx *fixture, body any) {
				if b, _ := json.Marshal(body); strings.Contains(string(b), "segreto-mai-mostrato") {
					t.Error("the credentials came back")
				}
			}},
		{name: "an editor cannot add a channel", method: "POST", path: "/api/v1/channels", token: "writer", status: 403,
			body: `{"platform": "feed", "name": "x", "handle": "x"}`},
		{name: "a channel of an unknown platform", method: "POST", path: "/api/v1/channels", token: "admin", status: 422,
			body: `{"platform": "myspace", "name": "x", "handle": "x"}`, want: map[string]any{"error.code": "invalid"}},
		{name: "check a channel", method: "POST", path: "/api/v1/channels/{feed.id}/check", token: "admin", status: 200,
			want: map[string]any{"ok": true}},
		{name: "one channel", method: "GET", path: "/api/v1/channels/{feed.id}", token: "admin", status: 200,
			want: map[string]any{"name": "Feed del sito", "has_credentials": false}},
		{name: "another organisation's channel", method: "GET", path: "/api/v1/channels/{feed.id}", token: "adminB", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "check a text", method: "POST", path: "/api/v1/check", token: "writer", status: 200,
			body: `{"account_id": "{feed.id}", "text": "Nuovi orari"}`, want: map[string]any{"count": float64(11), "ok": true}},
		{name: "viewer cannot check", method: "POST", path: "/api/v1/check", token: "viewer", status: 403,
			body: `{"account_id": "{feed.id}", "text": "x"}`},
		{name: "list posts", method: "GET", path: "/api/v1/posts", token: "admin", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				if find(list(body, "posts"), "id", fx.vars["{post.id}"]) == nil {
					t.Errorf("the draft is not listed: %v", body)
				}
			}},
		{name: "list posts by an unknown state", method: "GET", path: "/api/v1/posts?state=boh", token: "admin", status: 400},
		{name: "write a post", method: "POST", path: "/api/v1/posts", token: "writer", status: 201,
			body: `{"title": "Mercato", "body": "Il mercato si sposta.", "variants": [{"account_id": "{feed.id}", "text": "Il mercato si sposta in piazza."}]}`,
			want: map[string]any{"state": "draft", "variants.0.account_id": "{feed.id}"}, header: map[string]string{"Location": "/api/v1/posts/"}},
		{name: "a post with a variant for an unknown account", method: "POST", path: "/api/v1/posts", token: "writer", status: 422,
			body: `{"title": "Sbagliato", "body": "x", "variants": [{"account_id": "nessuno", "text": "x"}]}`,
			want: map[string]any{"error.code": "invalid"},
			check: func(t *testing.T, fx *fixture, body any) {
				if f := list(body, "error.fields"); len(f) == 0 || get(f[0], "code") != "editorial.variant.account_unknown" {
					t.Errorf("fields: %v", f)
				}
				var state string
				if err := fx.db.Read.QueryRowContext(context.Background(), `SELECT state FROM posts WHERE org_id = $1 AND title = 'Sbagliato'`,
					fx.orgA.ID).Scan(&state); err != nil || state != "cancelled" {
					t.Errorf("the refused draft should be withdrawn: %q %v", state, err)
				}
			}},
		{name: "viewer cannot write", method: "POST", path: "/api/v1/posts", token: "viewer", status: 403, body: `{"title": "x"}`},
		{name: "set the variants", method: "PUT", path: "/api/v1/posts/{post.id}/variants", token: "writer", status: 200,
			body: `{"version": {post.version}, "variants": [{"account_id": "{feed.id}", "text": "Isola ecologica: nuovi orari."}]}`,
			want: map[string]any{"variants.0.text": "Isola ecologica: nuovi orari."}, check: keepVersion},
		{name: "stale variants", method: "PUT", path: "/api/v1/posts/{post.id}/variants", token: "writer", status: 409,
			body: `{"version": 0, "variants": []}`, want: map[string]any{"error.code": "conflict"}},
		{name: "get the post", method: "GET", path: "/api/v1/posts/{post.id}", token: "viewer", status: 200,
			want: map[string]any{"id": "{post.id}", "state": "draft"}},
		{name: "another organisation's post", method: "GET", path: "/api/v1/posts/{post.id}", token: "adminB", status: 404},
		{name: "viewer cannot approve", method: "POST", path: "/api/v1/posts/{post.id}/transitions", token: "viewer", status: 403,
			body: `{"action": "approve", "version": {post.version}}`},
		{name: "unknown action", method: "POST", path: "/api/v1/posts/{post.id}/transitions", token: "writer", status: 400,
			body: `{"action": "publish", "version": {post.version}}`},
		{name: "submit", method: "POST", path: "/api/v1/posts/{post.id}/transitions", token: "writer", status: 200,
			body: `{"action": "submit", "version": {post.version}}`, want: map[string]any{"state": "review"}, check: keepVersion},
		{name: "approve", method: "POST", path: "/api/v1/posts/{post.id}/transitions", token: "admin", status: 200,
			body: `{"action": "approve", "version": {post.version}}`, want: map[string]any{"state": "approved", "approved_by": "{admin.id}"}, check: keepVersion},
		{name: "schedule", method: "POST", path: "/api/v1/posts/{post.id}/transitions", token: "admin", status: 200,
			body: `{"action": "schedule", "version": {post.version}}`, want: map[string]any{"state": "scheduled"}, check: keepVersion},
		{name: "publications", method: "GET", path: "/api/v1/posts/{post.id}/publications", token: "viewer", status: 200,
			want: map[string]any{"publications.0.account_id": "{feed.id}", "publications.0.state": "scheduled"}},
		{name: "list campaigns", method: "GET", path: "/api/v1/campaigns", token: "viewer", status: 200},
		{name: "add a campaign", method: "POST", path: "/api/v1/campaigns", token: "admin", status: 201,
			body: `{"name": "Differenziata", "objective": "Più raccolta", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "channels": ["{feed.id}"]}`,
			want: map[string]any{"name": "Differenziata", "channels.0": "{feed.id}"}},
		{name: "writer cannot add a campaign", method: "POST", path: "/api/v1/campaigns", token: "writer", status: 403, body: `{"name": "x"}`},

		// Offices.
		// The citizen desk.
		{name: "triage of a citizen's message", method: "POST", path: "/api/v1/triage", token: "admin", status: 200,
			body: `{"text": "Albero caduto in via Roma, la strada è bloccata e c'è una macchina sotto!"}`,
			check: func(t *testing.T, _ *fixture, body any) {
				m, _ := body.(map[string]any)
				conf, _ := m["confidence"].(map[string]any)
				for _, f := range []string{"category", "office", "urgency", "moderation"} {
					if s, _ := m[f].(string); s == "" {
						t.Errorf("%s missing in %v", f, m)
					}
					if c, ok := conf[f].(float64); !ok || c < 0 || c > 1 {
						t.Errorf("confidence.%s = %v", f, conf[f])
					}
				}
				if m["urgency"] != "alta" {
					t.Errorf("a car under a fallen tree is urgency %v, want alta", m["urgency"])
				}
			}},
		{name: "triage needs text", method: "POST", path: "/api/v1/triage", token: "admin", status: 422, body: `{"text": "  "}`,
			want: map[string]any{"error.fields.0.field": "text"}},
		{name: "viewer cannot triage", method: "POST", path: "/api/v1/triage", token: "viewer", status: 403, body: `{"text": "ciao"}`},
		{name: "conversations of the desk", method: "GET", path: "/api/v1/conversations", token: "admin", status: 200,
			check: func(t *testing.T, _ *fixture, body any) {
				if find(list(body, "conversations"), "source", "webform") == nil {
					t.Errorf("the web form request is not listed: %v", body)
				}
			}},
		{name: "one conversation", method: "GET", path: "/api/v1/conversations/{conversation}", token: "admin", status: 200,
			want: map[string]any{"conversation.status": "new", "messages.0.direction": "in", "conversation.office": "anagrafe"}},
		{name: "route a conversation", method: "PUT", path: "/api/v1/conversations/{conversation}/assignment", token: "admin", status: 200,
			body: `{"office": "urp", "status": "waiting"}`, want: map[string]any{"office": "urp", "status": "waiting"}},
		{name: "route to an unknown office", method: "PUT", path: "/api/v1/conversations/{conversation}/assignment", token: "admin", status: 422,
			body: `{"office": "nessuno"}`, want: map[string]any{"error.fields.0.field": "office"}},
		{name: "answer a citizen", method: "POST", path: "/api/v1/conversations/{conversation}/replies", token: "admin", status: 202,
			body: `{"text": "Il sabato l'anagrafe è aperta dalle 9 alle 12."}`, want: map[string]any{"direction": "out", "state": "queued"}},
		{name: "an empty answer", method: "POST", path: "/api/v1/conversations/{conversation}/replies", token: "admin", status: 422,
			body: `{"text": " "}`},
		{name: "viewer cannot answer", method: "POST", path: "/api/v1/conversations/{conversation}/replies", token: "viewer", status: 403,
			body: `{"text": "ciao"}`},
		{name: "another organisation's conversation", method: "GET", path: "/api/v1/conversations/{conversation}", token: "adminB", status: 404},
		{name: "conversations: unknown status", method: "GET", path: "/api/v1/conversations?status=boh", token: "admin", status: 400},
		{name: "unknown conversation", method: "GET", path: "/api/v1/conversations/nope", token: "admin", status: 404},
		{name: "viewer lists offices", method: "GET", path: "/api/v1/offices", token: "viewer", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				offices := list(body, "offices")
				if find(offices, "code", "urp") == nil || find(offices, "code", "polizia_locale") != nil {
					t.Errorf("offices = %v, want urp and not the other organisation's", offices)
				}
			}},
		{name: "viewer cannot create an office", method: "POST", path: "/api/v1/offices", token: "viewer", status: 403,
			body: `{"code": "ragioneria", "name": "Ragioneria"}`,
			want: map[string]any{"error.code": "forbidden"}, check: wantOffice("ragioneria", false)},
		{name: "invalid office code", method: "POST", path: "/api/v1/offices", token: "admin", status: 422,
			body: `{"code": "Bad Code!", "name": "Ragioneria"}`,
			want: map[string]any{"error.code": "invalid", "error.fields.0.field": "code", "error.fields.0.code": "admin.office.code.invalid"}},
		{name: "duplicate office code", method: "POST", path: "/api/v1/offices", token: "admin", status: 422,
			body: `{"code": "urp", "name": "Un altro URP"}`,
			want: map[string]any{"error.fields.0.field": "code", "error.fields.0.code": "admin.office.code.taken"}},
		{name: "unknown field", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `{"code": "ragioneria", "name": "Ragioneria", "colour": "red"}`,
			want: map[string]any{"error.code": "bad_request"}, check: wantOffice("ragioneria", false)},
		{name: "malformed JSON", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `{"code": "ragioneria",`, want: map[string]any{"error.code": "bad_request"}},
		{name: "empty body", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			want: map[string]any{"error.code": "bad_request"}},
		{name: "wrong type", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `{"code": 5, "name": "Ragioneria"}`, want: map[string]any{"error.code": "bad_request"}},
		{name: "not an object", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `["ragioneria"]`, want: map[string]any{"error.code": "bad_request"}},
		{name: "two objects", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `{"code": "ragioneria", "name": "Ragioneria"} {}`, want: map[string]any{"error.code": "bad_request"},
			check: wantOffice("ragioneria", false)},
		{name: "body over 1 MiB", method: "POST", path: "/api/v1/offices", token: "admin", status: 400,
			body: `{"code": "ragioneria", "name": "` + strings.Repeat("a", maxBody) + `"}`,
			want: map[string]any{"error.code": "bad_request"}},
		{name: "admin creates an office", method: "POST", path: "/api/v1/offices", token: "admin", status: 201,
			body:   `{"code": "ragioneria", "name": "Ragioneria", "email": "ragioneria@comune.example"}`,
			want:   map[string]any{"code": "ragioneria", "name": "Ragioneria", "email": "ragioneria@comune.example"},
			header: map[string]string{"Location": "/api/v1/offices/ragioneria"},
			check: func(t *testing.T, fx *fixture, body any) {
				wantOffice("ragioneria", true)(t, fx, body)
				fx.wantAudit(t, "office.create", get(body, "id").(string))
			}},
		{name: "created office can be read", method: "GET", path: "/api/v1/offices/ragioneria", token: "viewer", status: 200,
			want: map[string]any{"code": "ragioneria", "name": "Ragioneria"}},
		{name: "created office is listed", method: "GET", path: "/api/v1/offices", token: "viewer", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				if find(list(body, "offices"), "code", "ragioneria") == nil {
					t.Error("created office missing from the list")
				}
			}},
		{name: "patch the name only", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "admin", status: 200,
			body: `{"name": "Servizi demografici"}`,
			want: map[string]any{"code": "anagrafe", "name": "Servizi demografici", "email": "anagrafe@comune.example"},
			check: func(t *testing.T, fx *fixture, body any) {
				fx.wantAudit(t, "office.update", get(body, "id").(string))
			}},
		{name: "patch nothing", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "admin", status: 200,
			body: `{}`, want: map[string]any{"code": "anagrafe", "name": "Servizi demografici"}},
		{name: "patch to a taken code", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "admin", status: 422,
			body: `{"code": "urp"}`, want: map[string]any{"error.fields.0.field": "code"}},
		{name: "patch a bad email", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "admin", status: 422,
			body: `{"email": "not an address"}`, want: map[string]any{"error.fields.0.field": "email"}},
		{name: "viewer cannot patch", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "viewer", status: 403,
			body: `{"name": "X"}`, want: map[string]any{"error.code": "forbidden"}},
		{name: "patch the code", method: "PATCH", path: "/api/v1/offices/anagrafe", token: "admin", status: 200,
			body: `{"code": "servizi_demografici", "email": ""}`,
			want: map[string]any{"code": "servizi_demografici", "name": "Servizi demografici", "email": ""},
			check: func(t *testing.T, fx *fixture, body any) {
				wantOffice("anagrafe", false)(t, fx, body)
				wantOffice("servizi_demografici", true)(t, fx, body)
			}},
		{name: "old code is gone", method: "GET", path: "/api/v1/offices/anagrafe", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "patch an unknown office", method: "PATCH", path: "/api/v1/offices/nessuno", token: "admin", status: 404,
			body: `{"name": "X"}`, want: map[string]any{"error.code": "not_found"}},
		{name: "office in use cannot be deleted", method: "DELETE", path: "/api/v1/offices/tributi", token: "admin", status: 422,
			want:  map[string]any{"error.fields.0.field": "office", "error.fields.0.code": "admin.office.in_use"},
			check: wantOffice("tributi", true)},
		{name: "viewer cannot delete", method: "DELETE", path: "/api/v1/offices/ragioneria", token: "viewer", status: 403,
			want: map[string]any{"error.code": "forbidden"}, check: wantOffice("ragioneria", true)},
		{name: "admin deletes an office", method: "DELETE", path: "/api/v1/offices/ragioneria", token: "admin", status: 204,
			check: func(t *testing.T, fx *fixture, body any) {
				wantOffice("ragioneria", false)(t, fx, body)
				fx.wantAudit(t, "office.delete", "")
			}},
		{name: "deleted office is not found", method: "GET", path: "/api/v1/offices/ragioneria", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "delete twice", method: "DELETE", path: "/api/v1/offices/ragioneria", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},

		// One organisation never reaches another's data.
		{name: "other organisation's office is not found", method: "GET", path: "/api/v1/offices/polizia_locale", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "other organisation's office cannot be patched", method: "PATCH", path: "/api/v1/offices/polizia_locale", token: "admin", status: 404,
			body: `{"name": "Presa"}`, want: map[string]any{"error.code": "not_found"}},
		{name: "other organisation's office cannot be deleted", method: "DELETE", path: "/api/v1/offices/polizia_locale", token: "admin", status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "organisation B sees its own offices", method: "GET", path: "/api/v1/offices", token: "adminB", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				offices := list(body, "offices")
				if len(offices) != 1 || get(offices[0], "code") != "polizia_locale" || get(offices[0], "name") != "Polizia Locale" {
					t.Errorf("organisation B offices = %v", offices)
				}
			}},
		{name: "codes are per organisation", method: "POST", path: "/api/v1/offices", token: "adminB", status: 201,
			body: `{"code": "urp", "name": "URP del Comune Vicino"}`, want: map[string]any{"code": "urp"}},

		// Outside the routes.
		{name: "wrong method", method: "PUT", path: "/api/v1/offices", token: "admin", status: 405,
			want: map[string]any{"error.code": "method_not_allowed"}, header: map[string]string{"Allow": "GET, HEAD, POST"}},
		{name: "wrong method on a resource", method: "POST", path: "/api/v1/offices/urp", token: "admin", status: 405,
			body: `{}`, want: map[string]any{"error.code": "method_not_allowed"},
			header: map[string]string{"Allow": "DELETE, GET, HEAD, PATCH"}},
		{name: "wrong method on me", method: "DELETE", path: "/api/v1/me", status: 405,
			want: map[string]any{"error.code": "method_not_allowed"}},
		{name: "unknown endpoint", method: "GET", path: "/api/v1/nothing/here", status: 404,
			want: map[string]any{"error.code": "not_found"}},
	}
}

func TestScenarios(t *testing.T) {
	doc := loadOpenAPI(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		succeeded := map[string]bool{} // routes answered with 2xx
		for _, sc := range slices.Concat(scenarios(), deskScenarios(), alertScenarios()) {
			t.Run(sc.name, func(t *testing.T) {
				rt, routed := routeOf(sc.method, sc.path)
				if routed && sc.status < 300 {
					succeeded[rt.Method+" "+rt.Path] = true
				}
				if sc.setup != nil {
					sc.setup(t, fx)
				}
				rec := fx.do(sc)
				res := rec.Result()
				raw, _ := io.ReadAll(res.Body)
				if res.StatusCode != sc.status {
					t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, sc.path, res.StatusCode, sc.status, raw)
				}
				for h, want := range sc.header {
					if got := res.Header.Get(h); !strings.Contains(got, fx.expand(want)) {
						t.Errorf("header %s = %q, want it to contain %q", h, got, want)
					}
				}
				if res.StatusCode == http.StatusNoContent {
					if len(raw) != 0 {
						t.Errorf("204 with a body: %s", raw)
					}
				} else {
					if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
						t.Errorf("Content-Type = %q, want JSON", ct)
					}
				}
				var body any
				if len(raw) > 0 {
					if err := json.Unmarshal(raw, &body); err != nil {
						t.Fatalf("body is not JSON: %v: %s", err, raw)
					}
				}
				sc.body = fx.expand(sc.body) // placeholders may stand for numbers, outside quotes
				checkAgainstSpec(t, doc, sc, rt, routed, res.StatusCode, body)
				for _, f := range list(body, "error.fields") {
					if msg, _ := get(f, "message").(string); msg == "" || msg == "invalid value" || strings.Contains(msg, "⟦") {
						t.Errorf("field error %v has no English message in the catalog", f)
					}
				}
				for path, want := range sc.want {
					if s, ok := want.(string); ok {
						want = fx.expand(s)
					}
					if got := get(body, path); got != want {
						t.Errorf("%s = %#v, want %#v", path, got, want)
					}
				}
				if sc.check != nil {
					sc.check(t, fx, body)
				}
			})
		}
		for _, rt := range routes {
			if !succeeded[rt.Method+" "+rt.Path] {
				t.Errorf("no scenario calls %s %s successfully", rt.Method, rt.Path)
			}
		}
	})
}

// checkAgainstSpec validates an answer against the schema openapi.json
// documents for its operation and status (every answer of a routed
// operation must be documented), and a successful call's request body
// against the documented request schema.
func checkAgainstSpec(t *testing.T, doc openAPI, sc scenario, rt route, routed bool, status int, body any) {
	t.Helper()
	var schema map[string]any
	if routed {
		var documented bool
		var err error
		schema, documented, err = doc.responseSchema(rt.Method, specPath(rt), status)
		if err != nil {
			t.Fatal(err)
		}
		if !documented {
			t.Errorf("openapi.json does not document status %d for %s %s", status, rt.Method, specPath(rt))
			return
		}
		if rs := doc.requestSchema(rt.Method, specPath(rt)); rs != nil && status < 300 {
			var req any
			if err := json.Unmarshal([]byte(sc.body), &req); err != nil {
				t.Fatalf("scenario body: %v", err)
			}
			for _, p := range doc.check(rs, req, "request") {
				t.Errorf("accepted request does not follow openapi.json: %s", p)
			}
		}
	} else {
		// 404 and 405 outside the routes still share the error shape.
		schema = map[string]any{"$ref": "#/components/schemas/Error"}
	}
	if schema == nil {
		if body != nil {
			t.Errorf("status %d is documented without content, but the answer has a body", status)
		}
		return
	}
	for _, p := range doc.check(schema, body, "") {
		t.Errorf("answer does not follow openapi.json: %s", p)
	}
}

// routeOf finds the route that serves method and path, as the mux would.
func routeOf(method, path string) (route, bool) {
	segs := strings.Split(path, "/")
	for _, rt := range routes {
		if rt.Method != method {
			continue
		}
		pat := strings.Split(rt.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		match := true
		for i := range pat {
			if !strings.HasPrefix(pat[i], "{") && pat[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			return rt, true
		}
	}
	return route{}, false
}

func (fx *fixture) do(sc scenario) *httptest.ResponseRecorder {
	var body io.Reader
	if sc.body != "" {
		body = strings.NewReader(fx.expand(sc.body))
	}
	req := httptest.NewRequest(sc.method, fx.expand(sc.path), body)
	req.RemoteAddr = "192.0.2.10:51234"
	if sc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case sc.authz != "":
		req.Header.Set("Authorization", fx.expand(sc.authz))
	case sc.token != "":
		req.Header.Set("Authorization", "Bearer "+fx.tokens[sc.token])
	}
	rec := httptest.NewRecorder()
	fx.api.ServeHTTP(rec, req)
	return rec
}

// wantAudit checks that the admin's token left an audit entry for action
// in organisation A (on targetID, when given), with the client's address.
func (fx *fixture) wantAudit(t *testing.T, action, targetID string) {
	t.Helper()
	var n int
	err := fx.db.Read.QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log
		WHERE org_id = $1 AND action = $2 AND actor_id = $3 AND ip = $4 AND ($5 = '' OR target_id = $5)`,
		fx.orgA.ID, action, fx.people["admin"].ID, "192.0.2.10", targetID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("no audit entry %s by the token's person", action)
	}
}

// wantOffice checks whether organisation A has an office with code.
func wantOffice(code string, exists bool) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		_, err := fx.orgs.OfficeByCode(context.Background(), fx.orgA.ID, code)
		switch {
		case exists && err != nil:
			t.Errorf("office %s: %v, want it to exist", code, err)
		case !exists && !errors.Is(err, store.ErrNotFound):
			t.Errorf("office %s: %v, want it not to exist", code, err)
		}
	}
}

// wantNoPerson checks that nobody has the email: a failed request wrote
// nothing.
func wantNoPerson(emailVar string) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		if p, err := fx.auth.PersonByEmail(context.Background(), fx.vars[emailVar]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("person %s exists after a failed request: %+v, %v", fx.vars[emailVar], p, err)
		}
	}
}

// get reads a dotted path such as "error.fields.0.field" from decoded
// JSON; nil when absent.
func get(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func list(v any, path string) []any {
	l, _ := get(v, path).([]any)
	return l
}

func strs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// find returns the first object of list whose key equals value.
func find(list []any, key string, value any) any {
	for _, x := range list {
		if get(x, key) == value {
			return x
		}
	}
	return nil
}

// keepVersion remembers the post's version after a change, for the next
// scenario.
func keepVersion(t *testing.T, fx *fixture, body any) {
	t.Helper()
	v, ok := get(body, "version").(float64)
	if !ok {
		t.Fatalf("no version in %v", body)
	}
	fx.vars["{post.version}"] = strconv.Itoa(int(v))
}
