// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// deskChannels gives the desk's scenarios conversations on channels that
// allow different actions: a comment on the Page of the fake Graph API
// (everything), the same Page's comment after its account was removed
// (nothing), a Bluesky comment (a reply, never in private), and an urgent
// web form request (never hidden).
func (fx *fixture) deskChannels(t *testing.T, pub *publish.Service, dsk *desk.Service) {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ingest := func(name string, in desk.Inbound) {
		t.Helper()
		in.OrgID = fx.orgA.ID
		res, err := dsk.Ingest(ctx, in)
		must(err)
		fx.vars["{"+name+".conversation}"] = res.ConversationID
		fx.vars["{"+name+".message}"] = res.MessageID
	}

	fx.facebook = facebooktest.New(facebooktest.Options{})
	srv := httptest.NewServer(fx.facebook)
	t.Cleanup(srv.Close)
	page, err := pub.CreateAccount(ctx, fx.orgA.ID, publish.AccountInput{Platform: channel.Facebook, Name: "Pagina del Comune",
		Handle: facebooktest.DefaultPageID, BaseURL: srv.URL, Sandbox: true,
		Credentials: channel.Credentials{channel.CredToken: facebooktest.DefaultToken}})
	must(err)
	_, acct, err := pub.Connect(ctx, fx.orgA.ID, page.ID)
	must(err)
	conn, _ := pub.Registry().For(acct)
	post, err := conn.Publish(ctx, acct, channel.Post{Text: "Da lunedì la biblioteca civica cambia orari."})
	must(err)
	comment, payload, err := fx.facebook.AddComment(post.RemoteID, facebooktest.Citizen{ID: "6543210987654321", Name: "Maria Rossi"},
		"Il sabato pomeriggio la biblioteca resterà aperta? Ci vado a studiare")
	must(err)
	events, err := facebook.ParseWebhook(payload)
	must(err)
	if len(events) != 1 {
		t.Fatalf("the comment's webhook carries %d events", len(events))
	}
	ingest("fb", desk.Inbound{AccountID: page.ID, Source: string(channel.Facebook), Msg: events[0].Msg})
	fx.vars["{fb.comment}"] = comment.ID

	ingest("orphan", desk.Inbound{Source: string(channel.Facebook), Msg: channel.Inbound{RemoteID: "1029384756_5647382910",
		Visibility: channel.Public, AuthorID: "7777777777", AuthorName: "Luca Bianchi",
		Text: "Il mercato del giovedì si sposta in piazza Garibaldi anche a dicembre?"}})

	sky, err := pub.CreateAccount(ctx, fx.orgA.ID, publish.AccountInput{Platform: channel.Bluesky, Name: "Bluesky del Comune",
		Handle: "comune.bsky.social"})
	must(err)
	ingest("sky", desk.Inbound{AccountID: sky.ID, Source: string(channel.Bluesky), Msg: channel.Inbound{
		RemoteID: "at://did:plc:cittadina/app.bsky.feed.post/3kabc", Visibility: channel.Public, AuthorID: "did:plc:cittadina",
		AuthorHandle: "cittadina.bsky.social", Text: "Come si rinnova il contrassegno per la sosta dei residenti?"}})

	ingest("urgent", desk.Inbound{Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "form-urgent",
		Visibility: channel.Private, AuthorID: "soccorso@example.org",
		Text: "Albero caduto in via Roma, la strada è bloccata e c'è una macchina sotto con una persona ferita!"}})
}

// conversationOf reads a conversation through the API, as the admin.
func (fx *fixture) conversationOf(t *testing.T, idVar string) any {
	t.Helper()
	return fx.call(t, scenario{method: "GET", path: "/api/v1/conversations/" + idVar, token: "admin", status: 200})
}

// wantMessage checks a message of a conversation as the API shows it.
func wantMessage(convVar, idVar string, want map[string]any) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		m := find(list(fx.conversationOf(t, convVar), "messages"), "id", fx.vars[idVar])
		if m == nil {
			t.Fatalf("message %s is not in conversation %s", idVar, convVar)
		}
		for path, v := range want {
			if got := get(m, path); got != v {
				t.Errorf("message %s: %s = %#v, want %#v", idVar, path, got, v)
			}
		}
	}
}

// wantRecorded checks how many moderation records and replies a message's
// conversation has: a refused action writes nothing.
func wantRecorded(msgVar, convVar string, moderations, replies int) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		var m, r int
		if err := fx.db.Read.QueryRowContext(context.Background(), `SELECT
			(SELECT COUNT(*) FROM desk_moderation WHERE message_id = $1),
			(SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $2 AND direction = 'out')`,
			fx.vars[msgVar], fx.vars[convVar]).Scan(&m, &r); err != nil {
			t.Fatal(err)
		}
		if m != moderations || r != replies {
			t.Errorf("%d moderations and %d replies recorded, want %d and %d", m, r, moderations, replies)
		}
	}
}

func checkAll(checks ...func(t *testing.T, fx *fixture, body any)) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, body any) {
		t.Helper()
		for _, c := range checks {
			c(t, fx, body)
		}
	}
}

// deskScenarios drive what the web desk does with a conversation through
// the API: each action with the permission of its page, the office scope,
// and what the citizen's channel offers. They run after scenarios(),
// whose desk scenarios routed {conversation} to urp and answered it.
func deskScenarios() []scenario {
	noActions := map[string]any{"reply": false, "reply_private": false, "hide": false, "delete": false}
	actions := func(prefix string, a map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range a {
			out[prefix+"actions."+k] = v
		}
		return out
	}
	return []scenario{
		// What each channel allows.
		{name: "a web form request is answered, with nothing to hide", method: "GET", path: "/api/v1/conversations/{conversation}",
			token: "admin", status: 200, want: actions("conversation.", map[string]any{"reply": true, "reply_private": false, "hide": false, "delete": false})},
		{name: "a Facebook comment allows everything", method: "GET", path: "/api/v1/conversations/{fb.conversation}",
			token: "admin", status: 200, want: actions("conversation.", map[string]any{"reply": true, "reply_private": true, "hide": true, "delete": true})},
		{name: "a Bluesky comment is answered in public only", method: "GET", path: "/api/v1/conversations/{sky.conversation}",
			token: "admin", status: 200, want: actions("conversation.", map[string]any{"reply": true, "reply_private": false, "hide": false, "delete": false})},
		{name: "a comment whose account was removed allows nothing", method: "GET", path: "/api/v1/conversations/{orphan.conversation}",
			token: "admin", status: 200, want: actions("conversation.", noActions)},
		{name: "the list says what each channel allows", method: "GET", path: "/api/v1/conversations", token: "admin", status: 200,
			check: func(t *testing.T, fx *fixture, body any) {
				cs := list(body, "conversations")
				if c := find(cs, "id", fx.vars["{fb.conversation}"]); get(c, "actions.hide") != true {
					t.Errorf("Facebook comment in the list: %v", c)
				}
				if c := find(cs, "id", fx.vars["{orphan.conversation}"]); c == nil || get(c, "actions.reply") != false {
					t.Errorf("orphan comment in the list: %v", c)
				}
			}},

		// Status: desk.reply, as on the web desk.
		{name: "close a conversation", method: "PUT", path: "/api/v1/conversations/{conversation}/status", token: "admin", status: 200,
			body: `{"status": "closed"}`, want: map[string]any{"id": "{conversation}", "status": "closed"},
			check: func(t *testing.T, fx *fixture, body any) { fx.wantAudit(t, "desk.status", fx.vars["{conversation}"]) }},
		{name: "an editor cannot change a status", method: "PUT", path: "/api/v1/conversations/{conversation}/status", token: "writer",
			status: 403, body: `{"status": "assigned"}`, want: map[string]any{"error.code": "forbidden"}},
		{name: "a liaison cannot change another office's status", method: "PUT", path: "/api/v1/conversations/{conversation}/status",
			token: "liaison", status: 403, body: `{"status": "assigned"}`,
			want:  map[string]any{"error.code": "forbidden", "error.message": "this conversation belongs to another office"},
			check: wantStatus("{conversation}", "closed")},
		{name: "an unknown status", method: "PUT", path: "/api/v1/conversations/{conversation}/status", token: "admin", status: 422,
			body: `{"status": "done"}`, want: map[string]any{"error.fields.0.field": "status", "error.fields.0.code": "unknown"},
			check: wantStatus("{conversation}", "closed")},
		{name: "a status under another name", method: "PUT", path: "/api/v1/conversations/{conversation}/status", token: "admin",
			status: 400, body: `{"stato": "new"}`, want: map[string]any{"error.code": "bad_request"}},
		{name: "the status of an unknown conversation", method: "PUT", path: "/api/v1/conversations/nope/status", token: "admin",
			status: 404, body: `{"status": "closed"}`, want: map[string]any{"error.code": "not_found"}},
		{name: "the status of another organisation's conversation", method: "PUT", path: "/api/v1/conversations/{conversation}/status",
			token: "adminB", status: 404, body: `{"status": "new"}`, check: wantStatus("{conversation}", "closed")},
		{name: "reopen a conversation", method: "PUT", path: "/api/v1/conversations/{conversation}/status", token: "admin", status: 200,
			body: `{"status": "assigned"}`, want: map[string]any{"status": "assigned"}},

		// Internal notes: desk.read.
		{name: "an editor adds a note", method: "POST", path: "/api/v1/conversations/{conversation}/notes", token: "writer", status: 201,
			body: `{"text": "Chiesto all'anagrafe se il sabato c'è il turno."}`,
			want: map[string]any{"direction": "note", "state": "received", "author": "writer", "private": false},
			check: checkAll(keep("note", "id"), wantMessage("{conversation}", "{note}", map[string]any{"direction": "note",
				"text": "Chiesto all'anagrafe se il sabato c'è il turno."}))},
		{name: "viewer cannot add a note", method: "POST", path: "/api/v1/conversations/{conversation}/notes", token: "viewer",
			status: 403, body: `{"text": "x"}`},
		{name: "a liaison cannot note another office's conversation", method: "POST", path: "/api/v1/conversations/{conversation}/notes",
			token: "liaison", status: 403, body: `{"text": "x"}`, want: map[string]any{"error.code": "forbidden"}},
		{name: "an empty note", method: "POST", path: "/api/v1/conversations/{conversation}/notes", token: "admin", status: 422,
			body: `{"text": " \n "}`, want: map[string]any{"error.fields.0.field": "text", "error.fields.0.code": "required"}},
		{name: "a note over 64 KiB", method: "POST", path: "/api/v1/conversations/{conversation}/notes", token: "admin", status: 422,
			body: `{"text": "` + strings.Repeat("a", desk.MaxText+1) + `"}`,
			want: map[string]any{"error.fields.0.field": "text", "error.fields.0.code": "too_long"}},
		{name: "a note on an unknown conversation", method: "POST", path: "/api/v1/conversations/nope/notes", token: "admin",
			status: 404, body: `{"text": "x"}`},

		// Consulting another office: desk.assign.
		{name: "consult the tributi office", method: "POST", path: "/api/v1/conversations/{conversation}/consultations", token: "admin",
			status: 201, body: `{"office": "tributi", "text": "Il sabato l'ufficio tributi riceve su appuntamento?"}`,
			want: map[string]any{"direction": "note", "text": "Il sabato l'ufficio tributi riceve su appuntamento?"},
			check: checkAll(wantStatus("{conversation}", "waiting"), func(t *testing.T, fx *fixture, _ any) {
				fx.wantAudit(t, "desk.consult", fx.vars["{conversation}"])
				var n int
				if err := fx.db.Read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notifications WHERE org_id = $1
					AND person_id = $2 AND kind = $3`, fx.orgA.ID, fx.people["liaison"].ID, string(notify.KindConsulted)).Scan(&n); err != nil || n == 0 {
					t.Errorf("the tributi liaison was not notified of the consultation: %d, %v", n, err)
				}
			})},
		{name: "an editor cannot consult", method: "POST", path: "/api/v1/conversations/{conversation}/consultations", token: "writer",
			status: 403, body: `{"office": "tributi", "text": "x"}`},
		{name: "consult an unknown office", method: "POST", path: "/api/v1/conversations/{conversation}/consultations", token: "admin",
			status: 422, body: `{"office": "polizia_locale", "text": "x"}`,
			want: map[string]any{"error.fields.0.field": "office", "error.fields.0.code": "unknown"}},
		{name: "consult nobody about nothing", method: "POST", path: "/api/v1/conversations/{conversation}/consultations", token: "admin",
			status: 422, body: `{"office": "", "text": ""}`,
			want: map[string]any{"error.fields.0.field": "office", "error.fields.1.field": "text"}},

		// Confirming the triage: desk.assign.
		{name: "correct the triage", method: "PUT", path: "/api/v1/conversations/{conversation}/triage", token: "admin", status: 200,
			body:  `{"category": "informazione", "office": "tributi", "urgency": "bassa", "moderation": "ok"}`,
			want:  map[string]any{"triage_confirmed": true, "office": "tributi", "category": "informazione", "urgency": "bassa"},
			check: func(t *testing.T, fx *fixture, _ any) { fx.wantAudit(t, "desk.triage", fx.vars["{conversation}"]) }},
		{name: "a liaison cannot confirm the triage", method: "PUT", path: "/api/v1/conversations/{conversation}/triage", token: "liaison",
			status: 403, body: `{"category": "informazione", "office": "tributi", "urgency": "bassa", "moderation": "ok"}`},
		{name: "triage with codes outside the taxonomy", method: "PUT", path: "/api/v1/conversations/{conversation}/triage", token: "admin",
			status: 422, body: `{"category": "domanda", "office": "urp", "moderation": "ok"}`,
			want: map[string]any{"error.fields.0.field": "category", "error.fields.0.code": "unknown",
				"error.fields.1.field": "urgency", "error.fields.1.code": "required"}},

		// Replies in private where the channel allows them.
		{name: "answer a Facebook comment in private", method: "POST", path: "/api/v1/conversations/{fb.conversation}/replies",
			token: "admin", status: 202, body: `{"text": "Le scriviamo in privato per i dati della tessera.", "private": true}`,
			want: map[string]any{"direction": "out", "private": true},
			check: checkAll(keep("private.reply", "id"), wantMessage("{fb.conversation}", "{private.reply}", map[string]any{"state": "sent"}),
				func(t *testing.T, fx *fixture, _ any) {
					for _, m := range fx.facebook.Messages() {
						if m.CommentID == fx.vars["{fb.comment}"] && strings.Contains(m.Text, "in privato") {
							return
						}
					}
					t.Errorf("the Page sent no Private Reply to the comment: %+v", fx.facebook.Messages())
				})},
		{name: "no answer in private on Bluesky", method: "POST", path: "/api/v1/conversations/{sky.conversation}/replies",
			token: "admin", status: 422, body: `{"text": "Le scriviamo in privato.", "private": true}`,
			want:  map[string]any{"error.code": "invalid", "error.fields.0.field": "private", "error.fields.0.code": "not_offered"},
			check: wantRecorded("{sky.message}", "{sky.conversation}", 0, 0)},
		{name: "no answer where the account was removed", method: "POST", path: "/api/v1/conversations/{orphan.conversation}/replies",
			token: "admin", status: 422, body: `{"text": "Sì, anche a dicembre."}`,
			check: checkAll(wantRecorded("{orphan.message}", "{orphan.conversation}", 0, 0), func(t *testing.T, _ *fixture, body any) {
				if msg, _ := get(body, "error.message").(string); !strings.HasPrefix(msg, "not possible on this channel: reply through facebook") {
					t.Errorf("message %q", msg)
				}
			})},

		// A failed reply sent again: desk.reply.
		{name: "a reply the Page refuses", method: "POST", path: "/api/v1/conversations/{fb.conversation}/replies", token: "admin",
			status: 202, body: `{"text": "Il sabato la biblioteca è aperta fino alle 19."}`,
			setup: func(t *testing.T, fx *fixture) { fx.facebook.Inject(channeltest.FaultBadRequest, 1) },
			check: checkAll(keep("failed.reply", "id"), wantMessage("{fb.conversation}", "{failed.reply}", map[string]any{"state": "failed"}))},
		{name: "an editor cannot send a reply again", method: "POST", path: "/api/v1/messages/{failed.reply}/retry", token: "writer",
			status: 403, check: wantMessage("{fb.conversation}", "{failed.reply}", map[string]any{"state": "failed"})},
		{name: "a reply that was sent is not sent again", method: "POST", path: "/api/v1/messages/{private.reply}/retry", token: "admin",
			status: 422, want: map[string]any{"error.code": "invalid"}},
		{name: "a citizen's message is no reply", method: "POST", path: "/api/v1/messages/{fb.message}/retry", token: "admin", status: 404},
		{name: "another organisation's reply", method: "POST", path: "/api/v1/messages/{failed.reply}/retry", token: "adminB", status: 404,
			check: wantMessage("{fb.conversation}", "{failed.reply}", map[string]any{"state": "failed"})},
		{name: "send the failed reply again", method: "POST", path: "/api/v1/messages/{failed.reply}/retry", token: "admin", status: 204,
			check: checkAll(wantMessage("{fb.conversation}", "{failed.reply}", map[string]any{"state": "sent"}),
				func(t *testing.T, fx *fixture, _ any) {
					for _, c := range fx.facebook.Comments() {
						if c.FromID == facebooktest.DefaultPageID && strings.Contains(c.Message, "fino alle 19") {
							return
						}
					}
					t.Error("the Page's answer is not under the comment")
				})},

		// Moderation citing a rule: desk.moderate.
		{name: "warn the author of a web form request", method: "POST", path: "/api/v1/messages/{form.message}/moderation",
			token: "admin", status: 200, body: `{"action": "warn", "rule": 1}`,
			want: map[string]any{"action": "warn", "rule": float64(1), "outcome": "done", "violations": float64(1), "blocked": false},
			check: func(t *testing.T, fx *fixture, _ any) {
				fx.wantAudit(t, "desk.moderate.warn", fx.vars["{form.message}"])
			}},
		{name: "nothing to hide on the web form", method: "POST", path: "/api/v1/messages/{form.message}/moderation", token: "admin",
			status: 422, body: `{"action": "hide", "rule": 5}`,
			want:  map[string]any{"error.fields.0.field": "action", "error.fields.0.code": "not_offered"},
			check: wantRecorded("{form.message}", "{conversation}", 1, 1)},
		{name: "nothing to delete where the account was removed", method: "POST", path: "/api/v1/messages/{orphan.message}/moderation",
			token: "admin", status: 422, body: `{"action": "delete", "rule": 5}`,
			want:  map[string]any{"error.fields.0.code": "not_offered"},
			check: wantRecorded("{orphan.message}", "{orphan.conversation}", 0, 0)},
		{name: "a request for help is never hidden", method: "POST", path: "/api/v1/messages/{urgent.message}/moderation",
			token: "admin", status: 422, body: `{"action": "hide", "rule": 1}`,
			want:  map[string]any{"error.fields.0.field": "action", "error.fields.0.code": "help_request"},
			check: wantRecorded("{urgent.message}", "{urgent.conversation}", 0, 0)},
		{name: "an editor cannot moderate", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "writer",
			status: 403, body: `{"action": "hide", "rule": 5}`},
		{name: "a liaison cannot moderate", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "liaison",
			status: 403, body: `{"action": "hide", "rule": 5}`, check: wantRecorded("{fb.message}", "{fb.conversation}", 0, 2)},
		{name: "moderation outside the policy", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "admin",
			status: 422, body: `{"action": "ban", "rule": 11}`,
			want: map[string]any{"error.fields.0.field": "action", "error.fields.1.field": "rule", "error.fields.1.code": "unknown"}},
		{name: "moderation without a rule", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "admin",
			status: 422, body: `{"action": "hide"}`, want: map[string]any{"error.fields.0.field": "rule"}},
		{name: "a rule as text", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "admin",
			status: 400, body: `{"action": "hide", "rule": "5"}`, want: map[string]any{"error.code": "bad_request"}},
		{name: "a reply is not moderated", method: "POST", path: "/api/v1/messages/{failed.reply}/moderation", token: "admin",
			status: 422, body: `{"action": "warn", "rule": 1}`, want: map[string]any{"error.code": "invalid"}},
		{name: "moderate an unknown message", method: "POST", path: "/api/v1/messages/nope/moderation", token: "admin",
			status: 404, body: `{"action": "warn", "rule": 1}`},
		{name: "moderate another organisation's message", method: "POST", path: "/api/v1/messages/{fb.message}/moderation",
			token: "adminB", status: 404, body: `{"action": "hide", "rule": 5}`, check: wantRecorded("{fb.message}", "{fb.conversation}", 0, 2)},
		{name: "hide a Facebook comment", method: "POST", path: "/api/v1/messages/{fb.message}/moderation", token: "admin",
			status: 200, body: `{"action": "hide", "rule": 5}`,
			want: map[string]any{"action": "hide", "rule": float64(5), "outcome": "done", "violations": float64(1)},
			check: checkAll(wantMessage("{fb.conversation}", "{fb.message}", map[string]any{"hidden": true}),
				func(t *testing.T, fx *fixture, _ any) {
					fx.wantAudit(t, "desk.moderate.hide", fx.vars["{fb.message}"])
					c := find(commentsOf(fx.facebook), "id", fx.vars["{fb.comment}"])
					if get(c, "hidden") != true {
						t.Errorf("the comment is not hidden on the Page: %v", c)
					}
				})},
	}
}

// commentsOf lists the fake Page's comments as find can search them.
func commentsOf(fake *facebooktest.Server) []any {
	var out []any
	for _, c := range fake.Comments() {
		out = append(out, map[string]any{"id": c.ID, "hidden": c.Hidden, "deleted": c.Deleted})
	}
	return out
}

// wantStatus checks a conversation's status in the database.
func wantStatus(convVar, status string) func(t *testing.T, fx *fixture, body any) {
	return func(t *testing.T, fx *fixture, _ any) {
		t.Helper()
		if got := get(fx.conversationOf(t, convVar), "conversation.status"); got != status {
			t.Errorf("status %v, want %s", got, status)
		}
	}
}

// TestDeskError: each refusal of the desk becomes the answer a client can
// act on, in words without the desk's wrapping.
func TestDeskError(t *testing.T) {
	unexpected := errors.New("desk: the database went away")
	for _, tc := range []struct {
		name   string
		err    error
		field  string
		status int
		msg    string
		fields string
	}{
		{"another office", fmt.Errorf("desk: status: %w", desk.ErrForbidden), "", http.StatusForbidden,
			"this conversation belongs to another office", ""},
		{"a reply not offered", fmt.Errorf("desk: reply: %w", fmt.Errorf("%w: reply through x", desk.ErrNotOffered)), "",
			http.StatusUnprocessableEntity, "not possible on this channel: reply through x (see the conversation's actions)", ""},
		{"a private reply not offered", fmt.Errorf("desk: reply: %w", fmt.Errorf("%w: reply in private through bluesky", desk.ErrNotOffered)),
			"private", http.StatusUnprocessableEntity, "not possible on this channel: reply in private through bluesky (see the conversation's actions)",
			"private:not_offered"},
		{"help request", desk.ErrHelpRequest, "action", http.StatusUnprocessableEntity, "the request has invalid fields", "action:help_request"},
		{"invalid input", fmt.Errorf("desk: retry: %w", fmt.Errorf("%w: only a failed reply can be sent again", desk.ErrInvalid)), "",
			http.StatusUnprocessableEntity, "invalid input: only a failed reply can be sent again", ""},
		{"not found", fmt.Errorf("desk: moderate: %w", store.ErrNotFound), "action", http.StatusNotFound, "not found", ""},
		{"anything else", unexpected, "", http.StatusInternalServerError, "internal error; the server log has the details", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := toError(deskError(tc.err, tc.field))
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field+":"+f.Code)
			}
			if e.Status != tc.status || e.Message != tc.msg || strings.Join(fields, ",") != tc.fields {
				t.Errorf("answer %d %q %v, want %d %q %s", e.Status, e.Message, fields, tc.status, tc.msg, tc.fields)
			}
		})
	}
}
