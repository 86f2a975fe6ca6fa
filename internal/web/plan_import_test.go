// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial"
)

// TestPlanImport: a spreadsheet in Italian Excel's shape (semicolons) is
// previewed row by row, a bad row says why, and confirming imports only
// the good rows as the person's drafts.
func TestPlanImport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		csv := "data;ora;titolo;testo;canali\n" +
			"23/11/2027;09:30;Mercato <b>natalizio</b>;Il mercato apre in piazza.;Telegram\n" +
			"31/02/2027;10:00;Data sbagliata;Testo.;Telegram\n" +
			"24/11/2027;18:00;Canale ignoto;Testo.;MySpace\n"
		editor := newClient(t, in.URL)
		editor.login("redazione@demo.piazza.test")
		editor.get("/plan/import")
		code, body, _ := editor.upload("/plan/import", nil, "piano.csv", []byte(csv))
		if code != 200 || !strings.Contains(body, `id="import-rows"`) || strings.Count(body, "row-error") != 2 || strings.Count(body, "row-ok") != 1 {
			t.Fatalf("preview: %d, %d errors, %d ok", code, strings.Count(body, "row-error"), strings.Count(body, "row-ok"))
		}
		if !strings.Contains(body, "MySpace") || strings.Contains(body, "<b>natalizio</b>") {
			t.Fatal("the unknown channel should be named, the title escaped")
		}
		data := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(body)
		if data == nil {
			t.Fatal("no confirm form")
		}
		code, body, _ = editor.post("/plan/import", url.Values{"data": {strings.ReplaceAll(data[1], "&#43;", "+")}, "confirm": {"1"}})
		if code != 200 || !strings.Contains(body, `id="import-done"`) {
			t.Fatalf("import: %d %.300s", code, body)
		}
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, _ := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		posts, err := in.App.Editorial.Posts(ctx, o.ID, editorial.PostFilter{Search: "Mercato"})
		if err != nil || len(posts) != 1 || posts[0].State != editorial.StateDraft {
			t.Fatalf("imported drafts: %+v %v", posts, err)
		}
		// Not a plan at all.
		editor.get("/plan/import")
		if code, body, _ := editor.upload("/plan/import", nil, "x.csv", []byte("nome,cognome\nMario,Rossi\n")); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="import-error"`) {
			t.Fatalf("not a plan: %d", code)
		}
		// A row error is said in words, the value that caused it named.
		editor.get("/plan/import")
		if _, body, _ := editor.upload("/plan/import", nil, "piano.csv", []byte(csv)); !strings.Contains(body, "Data non valida") || !strings.Contains(body, "Canale sconosciuto. (MySpace)") {
			t.Error("the row errors are not translated")
		}
		// The example file imports as it is.
		code, tpl, h := editor.do("GET", "/plan/import/template.csv", nil, nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("template: %d %s", code, h.Get("Content-Type"))
		}
		editor.get("/plan/import")
		if code, body, _ := editor.upload("/plan/import", nil, "esempio.csv", []byte(tpl)); code != 200 || strings.Count(body, "row-ok") != 3 || strings.Contains(body, "row-error") {
			t.Fatalf("the example file: %d, %d ok, %d errors", code, strings.Count(body, "row-ok"), strings.Count(body, "row-error"))
		}
		// Too big a file is refused before it is read.
		editor.get("/plan/import")
		big := []byte("data;testo;canali\n" + strings.Repeat("23/11/2027;"+strings.Repeat("x", 200)+";Telegram\n", 12000))
		if code, body, _ := editor.upload("/plan/import", nil, "grande.csv", big); code != http.StatusUnprocessableEntity || !strings.Contains(body, "supera 2 MB") {
			t.Fatalf("big file: %d", code)
		}
		// And so is a tampered second step.
		editor.get("/plan/import")
		if code, body, _ := editor.post("/plan/import", url.Values{"data": {"%%%"}, "confirm": {"1"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="import-error"`) {
			t.Fatalf("tampered data: %d", code)
		}

		viewer := newClient(t, in.URL)
		viewer.login("sindaco@demo.piazza.test")
		if code, _ := viewer.get("/plan/import"); code != http.StatusForbidden {
			t.Fatalf("viewer import page: %d", code)
		}
	})
}
