// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
)

// Import of an existing plan from the spreadsheet most teams keep: the
// file is read and every row previewed with its problems; a second step
// imports the good rows as drafts. The file travels between the steps in
// the form itself (nothing kept on the server) and is read again, and
// checked again, on import.

// maxImportFile bounds the spreadsheet: 5,000 rows of a plan fit well
// within it, and the file travels back in the confirm form, whose
// url-encoded body Go reads up to 10 MB.
const maxImportFile = 2 << 20

type importRowView struct {
	Line     int
	When     string
	Title    string
	Text     string
	Channels string
	OK       bool
	Errors   []string
}

type importData struct {
	Rows    []importRowView
	Good    int
	Data    string // the file, base64, for the second step
	Created int
	Skipped int
	Done    bool
}

func (s *Server) planImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "plan_import", &page{Area: "plan", Title: s.t(rc, "import.title"), Data: importData{}})
}

// planImportPreview reads the uploaded file (step 1) or, with confirm,
// imports the rows without problems (step 2).
func (s *Server) planImportPreview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var raw []byte
	if enc := r.PostFormValue("data"); enc != "" {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return s.importFail(w, r, rc, s.t(rc, "editorial.import.unreadable"))
		}
		raw = b
	} else {
		f, _, err := r.FormFile("file")
		if err != nil {
			return s.importFail(w, r, rc, s.t(rc, "editorial.import.empty"))
		}
		defer f.Close()
		if raw, err = io.ReadAll(io.LimitReader(f, maxImportFile+1)); err != nil {
			return s.importFail(w, r, rc, s.t(rc, "editorial.import.unreadable"))
		}
	}
	if len(raw) > maxImportFile {
		return s.importFail(w, r, rc, s.t(rc, "editorial.import.too_big", maxImportFile>>20))
	}
	rows, err := editorial.ParsePlanCSV(bytes.NewReader(raw))
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.importFail(w, r, rc, errs["file"])
		}
		return err
	}
	d := importData{Data: base64.StdEncoding.EncodeToString(raw)}
	var previews []editorial.ImportPreview
	if r.PostFormValue("confirm") == "1" {
		res, err := s.Editorial.Import(r.Context(), actor(rc), rc.Org.ID, rows)
		if err != nil {
			return err
		}
		d.Done, d.Created, d.Skipped, previews = true, len(res.Created), res.Skipped, res.Rows
	} else if previews, err = s.Editorial.PreviewImport(r.Context(), rc.Org.ID, rows); err != nil {
		return err
	}
	for _, p := range previews {
		v := importRowView{Line: p.Row.Line, Title: p.Row.Title, Text: p.Row.Text, Channels: strings.Join(p.Row.Channels, ", "), OK: p.OK()}
		if !p.At.IsZero() {
			v.When = p.At.In(rc.Org.Location()).Format("02/01/2006 15:04")
		}
		for _, e := range p.Errors {
			msg := s.t(rc, e.Key)
			if e.Value != "" {
				msg += " (" + e.Value + ")"
			}
			v.Errors = append(v.Errors, msg)
		}
		if v.OK {
			d.Good++
		}
		d.Rows = append(d.Rows, v)
	}
	return s.render(w, r, rc, http.StatusOK, "plan_import", &page{Area: "plan", Title: s.t(rc, "import.title"), Data: d})
}

func (s *Server) importFail(w http.ResponseWriter, r *http.Request, rc *reqCtx, msg string) error {
	return s.render(w, r, rc, http.StatusUnprocessableEntity, "plan_import", &page{Area: "plan", Title: s.t(rc, "import.title"),
		Data: importData{}, Errors: map[string]string{"file": msg}})
}

// planImportTemplate is an example file to start from, in the shape
// Italian Excel writes (semicolons, UTF-8 with a byte order mark so that
// Excel reads the accents), dated next week so that it imports as is.
func (s *Server) planImportTemplate(w http.ResponseWriter, _ *http.Request, rc *reqCtx) error {
	next := monday(time.Now().In(rc.Org.Location())).AddDate(0, 0, 7)
	day := func(n int) string { return next.AddDate(0, 0, n).Format("02/01/2006") }
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	_ = cw.WriteAll([][]string{
		{"data", "ora", "titolo", "testo", "canali", "link", "campagna", "ufficio"},
		{day(0), "09:30", "Raccolta differenziata", "Da lunedì cambia il calendario della raccolta porta a porta: ecco i nuovi giorni.",
			"Telegram, Facebook", "https://www.comune.example.it/rifiuti", "", ""},
		{day(1), "18:00", "Consiglio comunale", "Stasera alle 20 il Consiglio comunale in diretta streaming.", "Mastodon", "", "", ""},
		{day(3), "", "Biblioteca: nuovi orari", "Da venerdì la biblioteca civica apre anche il sabato mattina.", "Telegram", "", "", ""},
	})
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="piano-editoriale-esempio.csv"`)
	_, err := buf.WriteTo(w)
	return err
}
