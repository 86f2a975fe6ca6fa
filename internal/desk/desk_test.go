// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/triage"
)

type fixture struct {
	db      *store.DB
	desk    *desk.Service
	org     org.Organisation
	offices map[string]string
	ctx     context.Context
}

// triageService is shared: the base model trains once per test binary.
var triageService = sync.OnceValue(func() map[*store.DB]*triage.Service { return map[*store.DB]*triage.Service{} })

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	orgs := org.NewService(db)
	o, err := orgs.CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("desk-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, org: o, offices: map[string]string{}, ctx: ctx}
	for _, code := range []string{"urp", "lavori_pubblici", "ambiente", "mobilita", "protezione_civile", "anagrafe", "gabinetto", "polizia_locale"} {
		of, err := orgs.CreateOffice(ctx, o.ID, org.OfficeInput{Code: code, Name: "Ufficio " + code})
		if err != nil {
			t.Fatal(err)
		}
		f.offices[code] = of.ID
	}
	tri := triageService()[db]
	if tri == nil {
		tri = triage.NewService(db)
		triageService()[db] = tri
	}
	f.desk = desk.NewService(desk.Deps{DB: db, Triage: tri, Notify: notify.NewService(db, nil, "http://piazza.test"),
		PublicURL: "http://piazza.test"})
	return f
}

func (f *fixture) form(t *testing.T, id, text string) desk.Ingested {
	t.Helper()
	res, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: id,
		Visibility: channel.Private, AuthorID: "citizen-" + id, AuthorName: "Cittadino " + id, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var all = desk.Scope{All: true}

func TestIngestDeduplicatesAndRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := f.form(t, "m1", "Buongiorno, che documenti servono per la carta d'identità elettronica?")
		again := f.form(t, "m1", "Buongiorno, che documenti servono per la carta d'identità elettronica?")
		if !first.NewConversation || first.Duplicate || !again.Duplicate || again.ConversationID != first.ConversationID {
			t.Fatalf("first %+v, again %+v", first, again)
		}
		c, msgs, err := f.desk.Get(f.ctx, f.org.ID, first.ConversationID, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || c.OfficeCode != "anagrafe" || c.Status != desk.StatusNew || c.DueAt.IsZero() {
			t.Errorf("conversation %+v with %d messages", c, len(msgs))
		}
		// Concurrent deliveries of one message store it once.
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{
					RemoteID: "race", Visibility: channel.Private, AuthorID: "x", Text: "Buca enorme in via Verdi"}}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_messages WHERE org_id = $1 AND remote_id = 'race'`, f.org.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("race stored %d (%v)", n, err)
		}

		// A routing rule goes before the model.
		if _, err := f.desk.AddRule(f.ctx, f.org.ID, desk.Rule{Keywords: []string{"ZTL"}, OfficeID: f.offices["polizia_locale"]}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.desk.AddRule(f.ctx, f.org.ID, desk.Rule{}); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("empty rule: %v", err)
		}
		r := f.form(t, "m2", "Ho preso una multa al varco ZTL ma avevo il permesso")
		c, _, _ = f.desk.Get(f.ctx, f.org.ID, r.ConversationID, all)
		if c.OfficeCode != "polizia_locale" {
			t.Errorf("rule ignored: office %s", c.OfficeCode)
		}
		// "ZTL" inside another word does not match.
		r = f.form(t, "m3", "Quando apre la biblioteca ZTLX di quartiere?")
		if c, _, _ = f.desk.Get(f.ctx, f.org.ID, r.ConversationID, all); c.OfficeCode == "polizia_locale" {
			t.Error("a keyword matched inside a word")
		}

		// Bad input is refused in words, nothing stored.
		for _, in := range []desk.Inbound{
			{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{Visibility: channel.Private, Text: "senza id"}},
			{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "e", Visibility: channel.Private, Text: "   "}},
			{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "big", Visibility: channel.Private, Text: strings.Repeat("a", desk.MaxText+1)}},
		} {
			if _, err := f.desk.Ingest(f.ctx, in); !errors.Is(err, desk.ErrInvalid) {
				t.Errorf("%q: %v", in.Msg.RemoteID, err)
			}
		}
		// A huge message within the limit is kept whole.
		huge := strings.Repeat("è ", desk.MaxText/4)
		r = f.form(t, "huge", huge)
		if _, msgs, _ := f.desk.Get(f.ctx, f.org.ID, r.ConversationID, all); msgs[0].Text != strings.TrimSpace(huge) && msgs[0].Text != huge {
			t.Error("a long message was not kept whole")
		}
	})
}

func TestUrgentGetsHelpAndCannotBeHidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := f.form(t, "u1", "Aiuto! Mia madre anziana è sola in casa, è svenuta e non risponde, c'è odore di gas")
		c, msgs, err := f.desk.Get(f.ctx, f.org.ID, r.ConversationID, all)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Urgent() {
			t.Fatalf("not urgent: %+v", c.Labels)
		}
		var auto *desk.Message
		for i := range msgs {
			if msgs[i].Direction == desk.Auto {
				auto = &msgs[i]
			}
		}
		if auto == nil || !strings.Contains(auto.Text, "112") || auto.State != desk.StateSent {
			t.Fatalf("automatic answer: %+v", auto)
		}
		if c.Status != desk.StatusNew || !c.FirstResponseAt.IsZero() {
			t.Errorf("the automatic answer is not the desk's answer: status %s, first response %v", c.Status, c.FirstResponseAt)
		}
		if _, err := f.desk.Moderate(f.ctx, f.org.ID, msgs[0].ID, desk.ActHide, desk.RuleInsults, "", all); !errors.Is(err, desk.ErrHelpRequest) {
			t.Errorf("hiding a call for help: %v", err)
		}
		// The citizen's status page shows the exchange, never notes.
		if _, err := f.desk.AddNote(f.ctx, f.org.ID, c.ID, mustPerson(t, f), "nota interna riservata", "", all); err != nil {
			t.Fatal(err)
		}
		_, public, err := f.desk.ByToken(f.ctx, f.org.ID, c.Token)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range public {
			if strings.Contains(m.Text, "riservata") {
				t.Error("an internal note reached the status page")
			}
		}
	})
}

func mustPerson(t *testing.T, f *fixture) string {
	t.Helper()
	id := store.NewID()
	now := time.Now().UTC()
	if _, err := f.db.Write.Exec(`INSERT INTO people (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'Anna', '', $3, $3)`,
		id, storetest.Unique("anna")+"@example.org", now); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestGroupsModerationAndGDPR(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var group []string
		for i, text := range []string{
			"Albero caduto in via Roma, la strada è bloccata!",
			"c'è un albero caduto in mezzo alla strada in via Roma",
			"ALBERO CADUTO IN VIA ROMA!!! mandate qualcuno",
		} {
			group = append(group, f.form(t, fmt.Sprintf("g%d", i), text).ConversationID)
		}
		other := f.form(t, "g-other", "Albero caduto in via Verdi, la strada è bloccata!")
		convs := map[string]desk.Conversation{}
		for _, id := range append(group, other.ConversationID) {
			c, _, err := f.desk.Get(f.ctx, f.org.ID, id, all)
			if err != nil {
				t.Fatal(err)
			}
			convs[id] = c
		}
		g := convs[group[0]].GroupID
		for _, id := range group {
			if convs[id].GroupID != g {
				t.Errorf("%q is not grouped with the others", convs[id].Subject)
			}
		}
		if convs[other.ConversationID].GroupID == g {
			t.Error("another street joined the group")
		}
		n, err := f.desk.ReplyGroup(f.ctx, f.org.ID, g, desk.ReplyInput{Text: "La squadra è in arrivo in via Roma."}, all)
		if err != nil || n != len(group) {
			t.Fatalf("group reply: %d %v", n, err)
		}
		for _, id := range group {
			c, msgs, _ := f.desk.Get(f.ctx, f.org.ID, id, all)
			last := msgs[len(msgs)-1]
			if c.Status != desk.StatusAnswered || last.Direction != desk.Out || last.State != desk.StateSent {
				t.Errorf("after the group reply: %s, last %s %s", c.Status, last.Direction, last.State)
			}
		}

		// Moderation: archived with its rule, counted; then a block closes
		// the author's next messages, except a call for help.
		spam := f.form(t, "s1", "Guadagna 5000 euro al mese da casa!!! clicca qui bit.ly/soldi")
		_, msgs, _ := f.desk.Get(f.ctx, f.org.ID, spam.ConversationID, all)
		mod, err := f.desk.Moderate(f.ctx, f.org.ID, msgs[0].ID, desk.ActBlock, desk.RuleSpam, "", all)
		if err != nil || mod.Violations != 0 {
			t.Fatalf("block: %+v %v", mod, err)
		}
		next, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "s2",
			Visibility: channel.Private, AuthorID: "citizen-s1", Text: "Offerta imperdibile, clicca qui"}})
		if err != nil {
			t.Fatal(err)
		}
		if c, _, _ := f.desk.Get(f.ctx, f.org.ID, next.ConversationID, all); c.Status != desk.StatusClosed {
			t.Errorf("a blocked author's message is %s", c.Status)
		}

		// Warnings, then the block the policy sets (3 by default).
		var lastMod desk.Moderation
		for i := range 3 {
			r := f.desk
			res, err := r.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{
				RemoteID: fmt.Sprintf("ins%d", i), Visibility: channel.Private, AuthorID: "troll", Text: "Siete dei ladri incapaci"}})
			if err != nil {
				t.Fatal(err)
			}
			_, ms, _ := r.Get(f.ctx, f.org.ID, res.ConversationID, all)
			if lastMod, err = r.Moderate(f.ctx, f.org.ID, ms[0].ID, desk.ActWarn, desk.RuleInsults, "", all); err != nil {
				t.Fatal(err)
			}
			if lastMod.Blocked != (i == 2) {
				t.Errorf("warning %d: blocked %v", i+1, lastMod.Blocked)
			}
		}
		if blocked, _ := f.desk.Blocked(f.ctx, f.org.ID, desk.SourceWebForm, "troll"); !blocked || lastMod.Violations != 3 {
			t.Errorf("after 3 warnings: blocked %v, violations %d", blocked, lastMod.Violations)
		}

		// GDPR: export, then erasure keeps the figures and drops the words.
		who, err := f.desk.CitizenOf(f.ctx, f.org.ID, group[0], all)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := f.desk.ExportCitizen(f.ctx, f.org.ID, who)
		if err != nil || len(exp.Conversations) != 1 || len(exp.Conversations[0].Messages) < 2 ||
			exp.Conversations[0].Messages[0].Direction != desk.In {
			t.Fatalf("export: %+v %v", exp, err)
		}
		if n, err := f.desk.EraseCitizen(f.ctx, f.org.ID, who); err != nil || n != 1 {
			t.Fatalf("erase: %d %v", n, err)
		}
		c, msgs, _ := f.desk.Get(f.ctx, f.org.ID, group[0], all)
		if c.AuthorName != "" || strings.Contains(msgs[0].Text, "Roma") || c.Status != desk.StatusAnswered {
			t.Errorf("after erasure: %+v %q", c, msgs[0].Text)
		}
	})
}

// The first-response target counts business hours, with a category's own
// target over the urgency's; urgent messages count wall time.
func TestSLA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st := desk.DefaultSettings()
		st.Hours = "lun-ven 09:00-17:00"
		st.SLACategory = map[string]time.Duration{"reclamo": 30 * time.Minute}
		if err := f.desk.SaveSettings(f.ctx, f.org.ID, st); err != nil {
			t.Fatal(err)
		}
		st.PolicyRules = map[int]string{1: "Niente insulti né volgarità verso chiunque", 4: "  "}
		st.PolicyURL = "https://www.comune.example.it/social-policy"
		if err := f.desk.SaveSettings(f.ctx, f.org.ID, st); err != nil {
			t.Fatal(err)
		}
		got, err := f.desk.Settings(f.ctx, f.org.ID)
		if err != nil || got.PolicyRules[1] != "Niente insulti né volgarità verso chiunque" || got.PolicyRules[4] != "" ||
			got.PolicyURL != st.PolicyURL || got.SLACategory["reclamo"] != 30*time.Minute {
			t.Errorf("settings read back: %+v %v", got, err)
		}
		bad := st
		bad.PolicyRules = map[int]string{11: "una regola che non c'è"}
		if err := f.desk.SaveSettings(f.ctx, f.org.ID, bad); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("rule 11 saved: %v", err)
		}
		bad = st
		bad.SLACategory = map[string]time.Duration{"boh": time.Hour}
		if err := f.desk.SaveSettings(f.ctx, f.org.ID, bad); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("unknown category saved: %v", err)
		}
		rome, _ := time.LoadLocation("Europe/Rome")
		// Friday 16:30 in Rome: half an hour left that day.
		at := time.Date(2026, 12, 11, 16, 30, 0, 0, rome)
		ingest := func(id, text string) desk.Conversation {
			res, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: id,
				Visibility: channel.Private, AuthorID: id, Text: text, At: at}})
			if err != nil {
				t.Fatal(err)
			}
			c, _, _ := f.desk.Get(f.ctx, f.org.ID, res.ConversationID, all)
			return c
		}
		info := ingest("s1", "Buongiorno, quali sono gli orari dell'anagrafe il martedì?")
		// 8 business hours (normale) or 24 (bassa) from Friday 16:30 land
		// on Monday or later, never at the weekend.
		if d := info.DueAt.In(rome); d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || !d.After(at.Add(48*time.Hour)) {
			t.Errorf("%s (%s): due %v", info.Labels.Category, info.Labels.Urgency, d)
		}
		complaint := ingest("s2", "Reclamo: l'impiegato allo sportello dei tributi è stato scortese e mi ha fatto aspettare due ore")
		if complaint.Labels.Category != "reclamo" || complaint.Labels.Urgency == "alta" {
			t.Fatalf("the complaint was triaged %+v", complaint.Labels)
		}
		if want := time.Date(2026, 12, 11, 17, 0, 0, 0, rome); !complaint.DueAt.Equal(want) {
			t.Errorf("complaint due %v, want %v", complaint.DueAt.In(rome), want)
		}
		urgent := ingest("s3", "Aiuto, c'è un uomo a terra in via Roma che non respira, chiamate qualcuno")
		if !urgent.Urgent() {
			t.Fatalf("a man not breathing was triaged %+v", urgent.Labels)
		}
		if !urgent.DueAt.Equal(at.Add(time.Hour)) {
			t.Errorf("urgent due %v, want wall time %v", urgent.DueAt, at.Add(time.Hour))
		}
	})
}

func TestListScopeAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i := range 7 {
			f.form(t, fmt.Sprintf("p%d", i), fmt.Sprintf("Che documenti servono per il cambio di residenza numero %d?", i))
		}
		seen := map[string]bool{}
		cursor := ""
		for {
			p, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: all, Status: "open", Limit: 3, Before: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Conversations {
				if seen[c.ID] {
					t.Fatalf("%s on two pages", c.ID)
				}
				seen[c.ID] = true
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		if len(seen) != 7 {
			t.Errorf("pages gave %d conversations, want 7", len(seen))
		}
		// An office liaison sees their office only.
		p, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: desk.Scope{Offices: []string{f.offices["ambiente"]}}})
		if err != nil || len(p.Conversations) != 0 {
			t.Errorf("another office sees %d (%v)", len(p.Conversations), err)
		}
		if _, _, err := f.desk.Get(f.ctx, f.org.ID, p.Next+"x", all); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown conversation: %v", err)
		}
		if _, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: all, Before: "garbage"}); !errors.Is(err, desk.ErrInvalid) {
			t.Errorf("bad cursor: %v", err)
		}
	})
}

func TestPhotoSniffing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for name, tc := range map[string]struct {
			data []byte
			ok   bool
		}{
			"jpeg":  {[]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"), true},
			"png":   {[]byte("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"), true},
			"gif":   {[]byte("GIF89a\x01\x00\x01\x00"), true},
			"webp":  {[]byte("RIFF\x1a\x00\x00\x00WEBPVP8 "), true},
			"html":  {[]byte("<html><script>alert(1)</script>"), false},
			"exe":   {[]byte("MZ\x90\x00"), false},
			"empty": {nil, false},
		} {
			_, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Files: []desk.File{{Name: name, Data: tc.data}},
				Msg: channel.Inbound{RemoteID: "photo-" + name, Visibility: channel.Private, AuthorID: "x", Text: "foto"}})
			if (err == nil) != tc.ok {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// A surge writes batches set-based; threads already open, repeated
// deliveries and urgent messages in the same batches must come out as if
// written one by one.
func TestSurgeBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const threads, perThread = 40, 3
		var wg sync.WaitGroup
		for i := range threads {
			for j := range perThread {
				text := fmt.Sprintf("Buongiorno, il lampione di via Rossi %d è spento da una settimana (%d)", i, j)
				if i%10 == 0 && j == 1 {
					text = "Aiuto! Mia madre anziana è sola in casa, è svenuta e non risponde, c'è odore di gas"
				}
				in := desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{
					RemoteID: fmt.Sprintf("s%d-%d", i, j), Thread: fmt.Sprintf("t%d", i), Visibility: channel.Private,
					AuthorID: fmt.Sprintf("c%d", i), Text: text}}
				// Each message is delivered twice, as webhook retries do.
				for range 2 {
					wg.Go(func() {
						if _, err := f.desk.Ingest(f.ctx, in); err != nil {
							t.Error(err)
						}
					})
				}
			}
		}
		wg.Wait()
		var convs, msgs, autos int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_conversations WHERE org_id = $1`, f.org.ID).Scan(&convs); err != nil {
			t.Fatal(err)
		}
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_messages WHERE org_id = $1 AND direction = 'in'`, f.org.ID).Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_messages WHERE org_id = $1 AND direction = 'auto'`, f.org.ID).Scan(&autos); err != nil {
			t.Fatal(err)
		}
		if convs != threads || msgs != threads*perThread || autos != threads/10 {
			t.Errorf("%d conversations, %d messages, %d automatic answers; want %d, %d, %d",
				convs, msgs, autos, threads, threads*perThread, threads/10)
		}
		var bad int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM desk_conversations c WHERE org_id = $1 AND message_count <>
			(SELECT COUNT(*) FROM desk_messages m WHERE m.conversation_id = c.id AND m.direction = 'in')`, f.org.ID).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d conversations count their messages wrong (%v)", bad, err)
		}
		page, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: all, Urgent: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Conversations) != threads/10 {
			t.Errorf("%d urgent conversations, want %d", len(page.Conversations), threads/10)
		}
	})
}

// While an emergency lasts, each citizen writing privately about it gets
// one automatic first reply with the live page and the emergency numbers,
// and the conversations are filed under the incident.
func TestSurgeAutoReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		surges := []desk.Surge{{IncidentID: "inc-bora", Title: "Bora a 150 km/h", LiveURL: "http://piazza.test/o/x/live/inc-bora",
			Numbers: []string{"Protezione civile 800 500 300"}, Keywords: []string{"bora", "albero"}}}
		f.desk.Surges = func(context.Context, string) ([]desk.Surge, error) { return surges, nil }
		send := func(id, author, text string, vis channel.Visibility) desk.Ingested {
			t.Helper()
			res, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: id,
				Thread: "t-" + id, Visibility: vis, AuthorID: author, Text: text}})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		autos := func(convID string) []desk.Message {
			_, msgs, err := f.desk.Get(f.ctx, f.org.ID, convID, all)
			if err != nil {
				t.Fatal(err)
			}
			var out []desk.Message
			for _, m := range msgs {
				if m.Direction == desk.Auto {
					out = append(out, m)
				}
			}
			return out
		}
		a := send("s1", "anna", "La bora ha fatto cadere un vaso dal balcone in via Roma", channel.Private)
		if got := autos(a.ConversationID); len(got) != 1 || !strings.Contains(got[0].Text, "live/inc-bora") ||
			!strings.Contains(got[0].Text, "112") || !strings.Contains(got[0].Text, "800 500 300") {
			t.Fatalf("first reply: %+v", got)
		}
		// The same citizen again, in another thread: no second reply.
		if b := send("s2", "anna", "Un albero pende sulla strada, sempre per la bora", channel.Private); len(autos(b.ConversationID)) != 0 {
			t.Error("a citizen got the emergency reply twice")
		}
		if c := send("s3", "bruno", "C'è un albero caduto in via Verdi", channel.Private); len(autos(c.ConversationID)) != 1 {
			t.Error("another citizen got no reply")
		}
		if d := send("s4", "carla", "Che orari ha l'anagrafe domani?", channel.Private); len(autos(d.ConversationID)) != 0 {
			t.Error("a message about something else got the emergency reply")
		}
		if e := send("s5", "dario", "La bora ha rotto il lampione", channel.Public); len(autos(e.ConversationID)) != 0 {
			t.Error("a public comment got a private automatic reply")
		}
		page, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: all, Incident: "inc-bora"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Conversations) != 4 {
			t.Errorf("%d conversations filed under the incident, want 4", len(page.Conversations))
		}
	})
}

// A drill's surge answers only on sandbox channels: a real citizen never
// gets an exercise's reply.
func TestSurgeDrillStaysOnSandbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.desk.Surges = func(context.Context, string) ([]desk.Surge, error) {
			return []desk.Surge{{IncidentID: "drill", Title: "Esercitazione alluvione", Keywords: []string{"alluvione"}, Exercise: true}}, nil
		}
		res, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: "r1",
			Visibility: channel.Private, AuthorID: "x", Text: "Ho paura dell'alluvione, cosa devo fare?"}})
		if err != nil {
			t.Fatal(err)
		}
		_, msgs, _ := f.desk.Get(f.ctx, f.org.ID, res.ConversationID, all)
		for _, m := range msgs {
			if m.Direction == desk.Auto && strings.Contains(m.Text, "ESERCITAZIONE") {
				t.Fatal("a real citizen got a drill's reply")
			}
		}
	})
}
