// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func keys(errs []editorial.RowError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Column+":"+e.Key)
	}
	return out
}

func TestParsePlanCSV(t *testing.T) {
	type row struct {
		line                  int
		date, time, title     string
		text                  string
		channels              []string
		campaign, office, url string
		errs                  []string
	}
	tests := []struct {
		name string
		in   string
		want []row
	}{
		{"Italian Excel: semicolons, BOM, Italian headers",
			"\ufeffData;Ora;Titolo;Testo;Canali;Campagna;Ufficio;Link\r\n" +
				"23/11/2026;9.30;Mercato;Torna il mercato, in piazza;Canale Telegram|mastodon;Cantieri;mobilita;https://www.comune.example/m\r\n",
			[]row{{2, "23/11/2026", "9.30", "Mercato", "Torna il mercato, in piazza", []string{"Canale Telegram", "mastodon"}, "Cantieri", "mobilita", "https://www.comune.example/m", nil}}},
		{"English headers, commas, quotes",
			"Date,Time,Title,Text,Channels\n2026-11-23,09:30,Market,\"Back in the square, \"\"again\"\"\",\"telegram, mastodon\"\n",
			[]row{{2, "2026-11-23", "09:30", "Market", `Back in the square, "again"`, []string{"telegram", "mastodon"}, "", "", "", nil}}},
		{"UTF-16 with BOM", utf16LE("data\ttesto\tcanali\n23/11/2026\tCittà\ttelegram\n"),
			[]row{{2, "23/11/2026", "", "", "Città", []string{"telegram"}, "", "", "", nil}}},
		{"Windows-1252", "Data;Testo;Canali\n23/11/2026;Citt\xe0 \x80 10;telegram\n",
			[]row{{2, "23/11/2026", "", "", "Città € 10", []string{"telegram"}, "", "", "", nil}}},
		{"date and time in one cell, two-digit year", "data;testo;canali\n23/11/26 18:45;x;telegram\n",
			[]row{{2, "23/11/26", "18:45", "", "x", []string{"telegram"}, "", "", "", nil}}},
		{"headers in any case, with accents and spaces", " DATA PUBBLICAZIONE ;Contenuto;Piattaforme;Settore\n2026-11-23;x;telegram;URP\n",
			[]row{{2, "2026-11-23", "", "", "x", []string{"telegram"}, "", "URP", "", nil}}},
		{"per-row errors, empty lines skipped, multi-line cell",
			"data;ora;titolo;testo;canali;link\n" +
				"31/02/2026;10:00;Errore;Data impossibile;telegram;\n" +
				"\n;;;;;\n" +
				";10:00;;senza data;telegram;\n" +
				"2026-11-23;25:00;;\"due\nrighe\";telegram;ftp://x\n" +
				"2026-11-24;;" + strings.Repeat("t", 301) + ";;;\n",
			[]row{
				{2, "31/02/2026", "10:00", "Errore", "Data impossibile", []string{"telegram"}, "", "", "", []string{"date:editorial.import.date_invalid"}},
				{5, "", "10:00", "", "senza data", []string{"telegram"}, "", "", "", []string{"date:editorial.import.date_missing"}},
				{6, "2026-11-23", "25:00", "", "due\nrighe", []string{"telegram"}, "", "", "ftp://x",
					[]string{"time:editorial.import.time_invalid", "link:editorial.import.link_invalid"}},
				{8, "2026-11-24", "", strings.Repeat("t", 301), "", nil, "", "", "", []string{"text:editorial.import.text_missing",
					"title:editorial.import.title_too_long", "channels:editorial.import.channels_missing"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := editorial.ParsePlanCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(tt.want), rows)
			}
			for i, w := range tt.want {
				r := rows[i]
				got := row{r.Line, r.Date, r.Time, r.Title, r.Text, r.Channels, r.Campaign, r.Office, r.Link, keys(r.Errors)}
				if got.line != w.line || got.date != w.date || got.time != w.time || got.title != w.title || got.text != w.text ||
					!slices.Equal(got.channels, w.channels) || got.campaign != w.campaign || got.office != w.office || got.url != w.url ||
					!slices.Equal(got.errs, w.errs) {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, got, w)
				}
			}
		})
	}
}

func TestParsePlanCSVFileErrors(t *testing.T) {
	many := "data,testo,canali\n" + strings.Repeat("2026-01-01,x,telegram\n", 5001)
	tests := []struct {
		name, in string
		keys     []string
	}{
		{"empty", "", []string{"editorial.import.empty"}},
		{"header only", "date,text\n", []string{"editorial.import.empty"}},
		{"blank rows only", "date,text\n,\n\n", []string{"editorial.import.empty"}},
		{"no date, no text", "titolo,canali\na,b\n", []string{"editorial.import.no_date_column", "editorial.import.no_text_column"}},
		{"no text", "data,titolo\n2026-01-01,b\n", []string{"editorial.import.no_text_column"}},
		{"too many rows", many, []string{"editorial.import.too_many_rows"}},
		{"too big", "data,testo\n" + strings.Repeat("x", 10<<20), []string{"editorial.import.too_big"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := editorial.ParsePlanCSV(strings.NewReader(tt.in))
			es, ok := valid.As(err)
			if !ok || len(es) != len(tt.keys) {
				t.Fatalf("got %v, want %v", err, tt.keys)
			}
			for i, k := range tt.keys {
				if es[i].Key != k {
					t.Errorf("got %v, want %v", err, tt.keys)
				}
			}
		})
	}
}

const planCSV = "\ufeffData;Ora;Titolo;Testo;Canali;Campagna;Ufficio;Link\r\n" +
	"23/11/2026;9.30;Mercato;Torna il mercato in piazza;Canale Telegram|mastodon;Cantieri;mobilita;https://www.comune.example/mercato\r\n" +
	"31/02/2026;10:00;Errore;Data impossibile;telegram;;;\r\n" +
	"24/11/2026;;Senza canale;Testo;Instagram;;;\r\n" +
	"2026-11-25;18:00;;\"Testo lungo, con virgola; e \"\"virgolette\"\" che fa da titolo quando manca, e continua ancora per parecchie parole\";telegram, Mastodon Comune;;;\r\n" +
	"25/11/2026;08:00;Ufficio ignoto;Testo;telegram;;Tributi;\r\n" +
	"26/11/2026;08:00;Campagna ignota;Testo;tg;Natale;;\r\n"

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := context.Background()
		if _, err := k.s.CreateCampaign(ctxOf(k.manager), k.manager, k.org.ID, editorial.CampaignInput{Name: "Cantieri", StartsOn: "2026-01-01", EndsOn: "2026-12-31"}); err != nil {
			t.Fatal(err)
		}
		rows, err := editorial.ParsePlanCSV(strings.NewReader(planCSV))
		if err != nil || len(rows) != 6 {
			t.Fatalf("parse: %v %+v", err, rows)
		}
		prev, err := k.s.PreviewImport(ctx, k.org.ID, rows)
		if err != nil {
			t.Fatal(err)
		}
		wantErrs := [][]string{
			nil,
			{"date:editorial.import.date_invalid"},
			{"channels:editorial.import.channel_unknown"},
			nil,
			{"office:editorial.import.office_unknown"},
			{"campaign:editorial.import.campaign_unknown"},
		}
		for i, w := range wantErrs {
			if got := keys(prev[i].Errors); !slices.Equal(got, w) {
				t.Errorf("row %d errors %v, want %v", i, got, w)
			}
		}
		if prev[2].Errors[0].Value != "Instagram" || prev[4].Errors[0].Value != "Tributi" {
			t.Errorf("error values %+v %+v", prev[2].Errors, prev[4].Errors)
		}
		// 09:30 in Rome in November is 08:30 UTC.
		if !prev[0].At.Equal(time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)) || prev[0].OfficeID != k.office.ID || prev[0].CampaignID == "" ||
			!slices.Equal(prev[0].AccountIDs, []string{k.telegram, k.mastodon}) {
			t.Errorf("row 0 %+v", prev[0])
		}
		if !slices.Equal(prev[3].AccountIDs, []string{k.telegram, k.mastodon}) || !slices.Equal(prev[5].AccountIDs, []string{k.telegram}) {
			t.Errorf("channels by platform, name and alias: %+v / %+v", prev[3].AccountIDs, prev[5].AccountIDs)
		}

		_, err = k.s.Import(ctxOf(k.viewer), k.viewer, k.org.ID, rows)
		wantForbidden(t, err)
		// A liaison imports for their office only.
		res, err := k.s.Import(ctxOf(k.liaison), k.liaison, k.org.ID, rows)
		if err != nil || len(res.Created) != 1 || res.Skipped != 5 || keys(res.Rows[3].Errors)[0] != "office:editorial.import.office_forbidden" {
			t.Fatalf("liaison import %v %+v", err, res)
		}
		res, err = k.s.Import(ctxOf(k.editor), k.editor, k.org.ID, rows)
		if err != nil || len(res.Created) != 2 || res.Skipped != 4 || len(res.Rows) != 6 {
			t.Fatalf("import %v %+v", err, res)
		}
		p := k.post(res.Created[0])
		if p.Title != "Mercato" || p.State != editorial.StateDraft || p.AuthorID != k.editor.PersonID || p.OfficeID != k.office.ID ||
			p.LinkURL != "https://www.comune.example/mercato" || !p.ScheduledAt.Equal(prev[0].At) || p.CampaignID != prev[0].CampaignID {
			t.Errorf("imported post %+v", p)
		}
		vs, _ := k.s.Variants(ctx, k.org.ID, p.ID)
		if len(vs) != 2 || vs[0].Text != "Torna il mercato in piazza" || vs[0].Language != "it" {
			t.Errorf("imported variants %+v", vs)
		}
		if q := k.post(res.Created[1]); !strings.HasPrefix(q.Title, "Testo lungo, con virgola;") || !strings.HasSuffix(q.Title, "…") {
			t.Errorf("title from text: %q", q.Title)
		}
		if es := k.entries("plan.import"); len(es) != 2 || es[0].After != `{"created":2,"skipped":4}` {
			t.Errorf("import audit %+v", es)
		}
		if es := k.entries("post.create"); len(es) != 3 {
			t.Errorf("%d post.create entries, want 3", len(es))
		}

		// Nothing to import: nothing done.
		res, err = k.s.Import(ctxOf(k.editor), k.editor, k.org.ID, rows[1:3])
		if err != nil || len(res.Created) != 0 || res.Skipped != 2 {
			t.Errorf("import of bad rows %v %+v", err, res)
		}
	})
}

// TestImportAtomic: a row failing in the database takes the whole import
// back with it.
func TestImportAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := context.Background()
		ddl := []string{`CREATE TRIGGER boom_import BEFORE INSERT ON posts WHEN NEW.title = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END`}
		undo := []string{`DROP TRIGGER boom_import`}
		if db.Engine == store.Postgres {
			ddl = []string{`CREATE OR REPLACE FUNCTION boom_import() RETURNS trigger AS $$ BEGIN
					IF NEW.title = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
				`CREATE TRIGGER boom_import BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION boom_import()`}
			undo = []string{`DROP TRIGGER boom_import ON posts`, `DROP FUNCTION boom_import()`}
		}
		for _, q := range ddl {
			if _, err := db.Write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			for _, q := range undo {
				_, _ = db.Write.ExecContext(ctx, q)
			}
		})
		rows, err := editorial.ParsePlanCSV(strings.NewReader("data,titolo,testo,canali\n2026-11-23,Primo,a,telegram\n2026-11-24,BOOM,b,telegram\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.Import(ctxOf(k.editor), k.editor, k.org.ID, rows); err == nil {
			t.Fatal("import went through")
		}
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE org_id = $1`, k.org.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d posts left after a failed import (%v)", n, err)
		}
		if len(k.entries("plan.import")) != 0 {
			t.Error("failed import audited")
		}
		if _, err := k.s.PreviewImport(ctx, store.NewID(), rows); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("preview for an unknown organisation: %v", err)
		}
	})
}

func FuzzParsePlanCSV(f *testing.F) {
	f.Add(planCSV)
	f.Add("date,text\n\"a,b\",\"c\"\"d\"\n")
	f.Add("data;testo\n\"aperta;x\n")
	f.Add(utf16LE("data\ttesto\n1/1/26\tx\n"))
	f.Add("data;testo;canali\n23/11/2026 09:30;x;a|b,c;d\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := editorial.ParsePlanCSV(strings.NewReader(in))
		if err != nil {
			if _, ok := valid.As(err); !ok {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		if len(rows) == 0 || len(rows) > 5000 {
			t.Fatalf("%d rows and no error", len(rows))
		}
		for _, r := range rows {
			if r.Line < 0 {
				t.Fatalf("line %d", r.Line)
			}
			for _, c := range r.Channels {
				if strings.TrimSpace(c) == "" || strings.ContainsAny(c, "|,;\n") {
					t.Fatalf("channel %q", c)
				}
			}
			for _, e := range r.Errors {
				if !strings.HasPrefix(e.Key, "editorial.import.") {
					t.Fatalf("error key %q", e.Key)
				}
			}
		}
	})
}
