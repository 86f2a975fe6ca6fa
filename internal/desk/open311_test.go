// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

func TestOpen311ServiceCode(t *testing.T) {
	for code, want := range map[string]bool{
		"lavori_pubblici.intervento": true, "urp.altro": true, "urp": false, "urp.": false, ".intervento": false,
		"urp.ignota": false, "Urp.altro": false, "a.b.intervento": false, "lavori_pubblici.intervento.json": false,
	} {
		office, cat, ok := desk.ParseServiceCode(code)
		if ok != want {
			t.Errorf("%q: ok %v", code, ok)
		}
		if ok && desk.ServiceCode(office, cat) != code {
			t.Errorf("%q: round trip %q", code, desk.ServiceCode(office, cat))
		}
	}
	for s, want := range map[string]bool{"45.650000,13.770000": true, "91,0": false, "0,181": false, "NaN,0": false, "1": false, "x,y": false} {
		if _, _, ok := desk.ParsePosition(s); ok != want {
			t.Errorf("position %q: %v", s, ok)
		}
	}
}

// Requests routed by the service the citizen chose, and the query the
// Open311 API answers from: only Open311 and web form requests, web form
// content kept out, the last reply that reached the citizen as the note.
func TestOpen311Requests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		orgs := org.NewService(db)
		o, err := orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("o311-"), Name: "Comune di Prova"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []org.OfficeInput{{Code: "urp", Name: "URP"}, {Code: "lavori_pubblici", Name: "Lavori Pubblici"}} {
			if _, err := orgs.CreateOffice(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		d := desk.NewService(desk.Deps{DB: db})
		at := time.Now().Add(-time.Hour)
		msg := func(id, text string, atts ...channel.Attachment) channel.Inbound {
			return channel.Inbound{RemoteID: id, Visibility: channel.Private, AuthorID: "a-" + id, Text: text, Attachments: atts, At: at}
		}

		// The citizen's service decides office and category.
		pothole, err := d.IngestRouted(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceOpen311, Contact: "c@example.org",
			Msg: msg("r1", "Buca profonda davanti alla scuola",
				channel.Attachment{Kind: desk.AttachLocation, Name: desk.FormatPosition(45.65, 13.77)},
				channel.Attachment{Kind: desk.AttachAddress, Name: "Via Roma 1"},
				channel.Attachment{Kind: "photo", URL: "https://example.org/buca.jpg"})}, "lavori_pubblici", "intervento")
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := d.Get(ctx, o.ID, pothole.ConversationID, desk.Scope{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if c.OfficeCode != "lavori_pubblici" || c.Labels.Category != "intervento" || c.TriageConfirmed {
			t.Errorf("routed: office %q category %q confirmed %v", c.OfficeCode, c.Labels.Category, c.TriageConfirmed)
		}
		if _, err := d.IngestRouted(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceOpen311, Msg: msg("r2", "x")}, "tributi", "intervento"); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("unknown office: %v", err)
		}
		if _, err := d.IngestRouted(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceOpen311, Msg: msg("r3", "x")}, "urp", "nessuna"); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("unknown category: %v", err)
		}
		info, err := d.IngestRouted(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceOpen311,
			Msg: msg("r4", "Orari dell'ufficio?", channel.Attachment{Kind: desk.AttachAddress, Name: "Piazza Grande"})}, "urp", "informazione")
		if err != nil {
			t.Fatal(err)
		}
		form, err := d.Ingest(ctx, desk.Inbound{OrgID: o.ID, Source: desk.SourceWebForm, Msg: msg("w1", "Mi chiamo Anna, abito in via Verdi 3")})
		if err != nil {
			t.Fatal(err)
		}
		social, err := d.Ingest(ctx, desk.Inbound{OrgID: o.ID, Source: string(channel.Telegram), Msg: msg("t1", "Messaggio privato")})
		if err != nil {
			t.Fatal(err)
		}

		all, err := d.Open311Requests(ctx, o.ID, desk.Open311Filter{})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]desk.Open311Request{}
		for _, r := range all {
			byID[r.ID] = r
		}
		if len(all) != 3 || byID[social.ConversationID].ID != "" {
			t.Fatalf("listed %d requests (social media listed: %v)", len(all), byID[social.ConversationID].ID != "")
		}
		p := byID[pothole.ConversationID]
		if p.ServiceCode() != "lavori_pubblici.intervento" || p.OfficeName != "Lavori Pubblici" || p.Description != "Buca profonda davanti alla scuola" ||
			!p.HasPosition || p.Lat != 45.65 || p.Long != 13.77 || p.Address != "Via Roma 1" || p.MediaURL != "https://example.org/buca.jpg" ||
			p.Open311Status() != "open" || p.CreatedAt.IsZero() {
			t.Errorf("pothole: %+v", p)
		}
		if w := byID[form.ConversationID]; w.Description != "" || w.Source != desk.SourceWebForm {
			t.Errorf("web form content in the public API: %+v", w)
		}

		// A reply shows as the note once it reached the citizen.
		m, err := d.Reply(ctx, o.ID, pothole.ConversationID, desk.ReplyInput{Text: "Squadra inviata, grazie."}, desk.Scope{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.Exec(`UPDATE desk_messages SET state = 'failed' WHERE id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		got, err := d.Open311Requests(ctx, o.ID, desk.Open311Filter{IDs: []string{pothole.ConversationID}})
		if err != nil || len(got) != 1 {
			t.Fatalf("by id: %v %d", err, len(got))
		}
		if got[0].Notes != "" || got[0].Open311Status() != "closed" {
			t.Errorf("after a failed reply: notes %q status %s", got[0].Notes, got[0].Status)
		}
		if _, err := db.Write.Exec(`UPDATE desk_messages SET state = 'sent' WHERE id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = d.Open311Requests(ctx, o.ID, desk.Open311Filter{IDs: []string{pothole.ConversationID}})
		if len(got) != 1 || got[0].Notes != "Squadra inviata, grazie." {
			t.Errorf("after the reply was sent: %+v", got)
		}

		// Filters.
		count := func(f desk.Open311Filter) int {
			t.Helper()
			rs, err := d.Open311Requests(ctx, o.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(rs)
		}
		if n := count(desk.Open311Filter{Status: "open"}); n != 2 {
			t.Errorf("open: %d", n)
		}
		if n := count(desk.Open311Filter{Status: "closed"}); n != 1 {
			t.Errorf("closed: %d", n)
		}
		if n := count(desk.Open311Filter{Services: []string{"urp.informazione", "ambiente.reclamo"}}); n != 1 {
			t.Errorf("by service: %d", n)
		}
		if n := count(desk.Open311Filter{Start: time.Now().Add(-2 * time.Hour), End: time.Now().Add(-90 * time.Minute)}); n != 0 {
			t.Errorf("before any request: %d", n)
		}
		if n := count(desk.Open311Filter{Start: time.Now().Add(-2 * time.Hour), End: time.Now().Add(time.Minute)}); n != 3 {
			t.Errorf("window with every request: %d", n)
		}
		if n := count(desk.Open311Filter{IDs: []string{info.ConversationID, social.ConversationID, "nope"}, Status: "closed"}); n != 1 {
			t.Errorf("by ids (other filters ignored): %d", n)
		}
		if n := count(desk.Open311Filter{Limit: 1}); n != 1 {
			t.Errorf("limit: %d", n)
		}
		if _, err := d.Open311Requests(ctx, o.ID, desk.Open311Filter{Status: "pending"}); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("bad status: %v", err)
		}
		if _, err := d.Open311Requests(ctx, o.ID, desk.Open311Filter{Services: []string{"nope"}}); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("bad service: %v", err)
		}
	})
}
