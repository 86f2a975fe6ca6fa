// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// ImportRow is one line of a plan spreadsheet, as read.
type ImportRow struct {
	Line                          int // in the file, from 1 (the header)
	Date, Time, Title, Text, Link string
	Channels                      []string // account or platform names
	Campaign, Office              string
	// Errors are the problems of the row read on its own.
	Errors []RowError
}

// RowError is a problem of one column of one row: Key is an i18n key,
// Value what the cell said when that helps ("Instagram" unknown).
type RowError struct {
	Column string
	Key    string
	Value  string
}

// columns maps accepted headers (Italian and English, folded: lower case,
// no accents) to fields.
var columns = map[string]string{
	"data": "date", "date": "date", "giorno": "date", "data pubblicazione": "date", "publication date": "date", "day": "date",
	"ora": "time", "orario": "time", "time": "time", "ora pubblicazione": "time", "hour": "time",
	"titolo": "title", "title": "title", "oggetto": "title", "subject": "title",
	"testo": "text", "text": "text", "messaggio": "text", "message": "text", "contenuto": "text", "content": "text",
	"canali": "channels", "canale": "channels", "channels": "channels", "channel": "channels", "social": "channels",
	"piattaforma": "channels", "piattaforme": "channels", "platform": "channels", "platforms": "channels",
	"campagna": "campaign", "campaign": "campaign",
	"link": "link", "url": "link", "collegamento": "link",
	"ufficio": "office", "office": "office", "settore": "office",
}

// platformAliases are names teams use for a platform in their sheets.
var platformAliases = map[string]string{
	"twitter": "x", "tw": "x", "fb": "facebook", "ig": "instagram", "tg": "telegram",
	"rss": "feed", "atom": "feed", "sito": "feed", "website": "feed",
}

// Bounds of an import: a plan, not a database.
const (
	maxImportBytes = 10 << 20
	maxImportRows  = 5000
)

// ParsePlanCSV reads the spreadsheet most teams keep their plan in:
// separated by commas, semicolons (Italian Excel) or tabs, in UTF-8 with
// or without a byte order mark (UTF-16 with one, and Windows-1252, what
// Excel's plain "CSV" gives on an Italian Windows, are read too), headers
// in Italian or English. Dates are 2026-11-23 or 23/11/2026 (also with -
// or .), times 09:30 (or 9.30); a row without a time is planned at 09:00.
// A bad row keeps its errors and does not stop the others; only a file
// that is not a plan at all is an error.
func ParsePlanCSV(r io.Reader) ([]ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("editorial: read plan: %w", err)
	}
	if len(data) > maxImportBytes {
		return nil, valid.New("file", "editorial.import.too_big", maxImportBytes>>20)
	}
	data = decodeText(data)
	sep := separator(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, valid.New("file", "editorial.import.empty")
	}
	if err != nil {
		return nil, valid.New("file", "editorial.import.unreadable")
	}
	idx := map[string]int{}
	for i, h := range header {
		if f, ok := columns[strings.Join(foldWords(h), " ")]; ok {
			if _, dup := idx[f]; !dup {
				idx[f] = i
			}
		}
	}
	var missing valid.Errors
	if _, ok := idx["date"]; !ok {
		missing.Add("file", "editorial.import.no_date_column")
	}
	if _, ok := idx["text"]; !ok {
		missing.Add("file", "editorial.import.no_text_column")
	}
	if err := missing.Err(); err != nil {
		return nil, err
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			rows = append(rows, ImportRow{Line: line, Errors: []RowError{{Key: "editorial.import.row_unreadable"}}})
		} else if strings.TrimSpace(strings.Join(rec, "")) != "" { // an empty line of the sheet is no row
			line, _ := cr.FieldPos(0)
			rows = append(rows, parseRow(line, rec, idx))
		}
		if len(rows) > maxImportRows {
			return nil, valid.New("file", "editorial.import.too_many_rows", maxImportRows)
		}
	}
	if len(rows) == 0 {
		return nil, valid.New("file", "editorial.import.empty")
	}
	return rows, nil
}

// decodeText returns data as UTF-8 without a byte order mark.
func decodeText(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		// The decoder reads the BOM to pick the byte order.
		if out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data); err == nil {
			return out
		}
	}
	if !utf8.Valid(data) {
		// Windows-1252 maps every byte, so this cannot fail.
		if out, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil {
			return out
		}
	}
	return data
}

// separator picks the character the header line is split by most,
// outside quotes: ';' for Italian Excel, ',' elsewhere, tab for pasted
// sheets.
func separator(data []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
		}
		if !quoted && c == '\n' {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func parseRow(line int, rec []string, idx map[string]int) ImportRow {
	get := func(f string) string {
		if i, ok := idx[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := ImportRow{Line: line, Date: get("date"), Time: get("time"), Title: get("title"), Text: get("text"),
		Link: get("link"), Campaign: get("campaign"), Office: get("office")}
	// A sheet may hold date and time in one cell ("23/11/2026 09:30").
	if d, t, ok := strings.Cut(row.Date, " "); ok && row.Time == "" {
		row.Date, row.Time = d, strings.TrimSpace(t)
	}
	for _, c := range strings.FieldsFunc(get("channels"), func(r rune) bool { return r == '|' || r == ',' || r == ';' || r == '\n' }) {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(row.Channels, c) {
			row.Channels = append(row.Channels, c)
		}
	}
	add := func(column, key string) { row.Errors = append(row.Errors, RowError{Column: column, Key: key}) }
	switch _, err := parseDateTime(row.Date, row.Time, time.UTC); {
	case row.Date == "":
		add("date", "editorial.import.date_missing")
	case errors.Is(err, errBadTime):
		add("time", "editorial.import.time_invalid")
	case err != nil:
		add("date", "editorial.import.date_invalid")
	}
	if strings.TrimSpace(row.Text) == "" {
		add("text", "editorial.import.text_missing")
	} else if utf8.RuneCountInString(row.Text) > maxBody {
		add("text", "editorial.import.text_too_long")
	}
	if utf8.RuneCountInString(row.Title) > maxTitle {
		add("title", "editorial.import.title_too_long")
	}
	if row.Link != "" && !validLink(row.Link) {
		add("link", "editorial.import.link_invalid")
	}
	if len(row.Channels) == 0 {
		add("channels", "editorial.import.channels_missing")
	}
	return row
}

var errBadTime = errors.New("editorial: bad time")

// dateLayouts are the ways sheets write a day: ISO, then Italian.
var dateLayouts = []string{time.DateOnly, "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006", "2.1.2006",
	"02/01/06", "2/1/06"}

// parseDateTime reads a day and a time of day in loc; no time means 09:00.
func parseDateTime(d, t string, loc *time.Location) (time.Time, error) {
	var day time.Time
	err := errors.New("editorial: bad date")
	for _, layout := range dateLayouts {
		if day, err = time.ParseInLocation(layout, d, loc); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, err
	}
	h, m := 9, 0
	if t != "" {
		t = strings.ReplaceAll(t, ".", ":")
		var tt time.Time
		var terr error
		for _, layout := range []string{"15:04", "15:04:05", "15"} {
			if tt, terr = time.Parse(layout, t); terr == nil {
				break
			}
		}
		if terr != nil {
			return time.Time{}, errBadTime
		}
		h, m = tt.Hour(), tt.Minute()
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc), nil
}

// ImportPreview is a row resolved against the organisation: its time, the
// accounts its channels name, its campaign and office, and every problem.
type ImportPreview struct {
	Row        ImportRow
	At         time.Time // UTC
	AccountIDs []string
	CampaignID string
	OfficeID   string
	Errors     []RowError
}

// OK reports whether the row can be imported.
func (p ImportPreview) OK() bool { return len(p.Errors) == 0 }

// PreviewImport resolves rows: channels by account name or platform name
// (a platform names all its accounts), campaign by name, office by code or
// name, all case-insensitively; times are read in the organisation's zone.
func (s *Service) PreviewImport(ctx context.Context, orgID string, rows []ImportRow) ([]ImportPreview, error) {
	var tz string
	if err := s.db.Read.QueryRowContext(ctx, `SELECT timezone FROM organisations WHERE id = $1`, orgID).Scan(&tz); err != nil {
		return nil, fmt.Errorf("editorial: preview import: %w", store.Normalize(err))
	}
	loc := org.Organisation{Timezone: tz}.Location()
	type account struct{ id, name, platform string }
	var accounts []account
	err := s.each(ctx, `SELECT id, name, platform FROM channel_accounts WHERE org_id = $1 AND status IN ('active', 'attention')
		ORDER BY platform, name`, orgID, func(rows *sql.Rows) error {
		var a account
		err := rows.Scan(&a.id, &a.name, &a.platform)
		accounts = append(accounts, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	campaigns := map[string]string{}
	err = s.each(ctx, `SELECT id, name FROM campaigns WHERE org_id = $1`, orgID, func(rows *sql.Rows) error {
		var id, name string
		err := rows.Scan(&id, &name)
		campaigns[strings.ToLower(strings.TrimSpace(name))] = id
		return err
	})
	if err != nil {
		return nil, err
	}
	offices := map[string]string{}
	err = s.each(ctx, `SELECT id, code, name FROM offices WHERE org_id = $1`, orgID, func(rows *sql.Rows) error {
		var id, code, name string
		err := rows.Scan(&id, &code, &name)
		offices[strings.ToLower(code)], offices[strings.ToLower(name)] = id, id
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]ImportPreview, 0, len(rows))
	for _, r := range rows {
		p := ImportPreview{Row: r, Errors: slices.Clone(r.Errors)}
		if at, err := parseDateTime(r.Date, r.Time, loc); err == nil {
			p.At = at.UTC()
		}
		for _, c := range r.Channels {
			name := strings.ToLower(c)
			platform := name
			if alias, ok := platformAliases[name]; ok {
				platform = alias
			}
			found := false
			for _, a := range accounts {
				if strings.ToLower(a.name) == name || a.platform == platform {
					if !slices.Contains(p.AccountIDs, a.id) {
						p.AccountIDs = append(p.AccountIDs, a.id)
					}
					found = true
				}
			}
			if !found {
				p.Errors = append(p.Errors, RowError{Column: "channels", Key: "editorial.import.channel_unknown", Value: c})
			}
		}
		if r.Campaign != "" {
			if p.CampaignID = campaigns[strings.ToLower(r.Campaign)]; p.CampaignID == "" {
				p.Errors = append(p.Errors, RowError{Column: "campaign", Key: "editorial.import.campaign_unknown", Value: r.Campaign})
			}
		}
		if r.Office != "" {
			if p.OfficeID = offices[strings.ToLower(r.Office)]; p.OfficeID == "" {
				p.Errors = append(p.Errors, RowError{Column: "office", Key: "editorial.import.office_unknown", Value: r.Office})
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// each runs scan on every row of a query with one argument.
func (s *Service) each(ctx context.Context, q, arg string, scan func(*sql.Rows) error) error {
	rows, err := s.db.Read.QueryContext(ctx, q, arg)
	if err != nil {
		return fmt.Errorf("editorial: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("editorial: %w", err)
		}
	}
	return rows.Err()
}

// ImportResult says what an import did, row by row.
type ImportResult struct {
	Created []string        // ids of the new draft posts, in file order
	Rows    []ImportPreview // every row with its problems; those with any were left out
	Skipped int             // rows left out
}

// Import creates the rows without problems as draft posts of the actor,
// each with a variant per channel in the organisation's first language
// (text = the row's text), all in one transaction: either the whole valid
// part of the plan is in, or nothing is. Rows for an office the actor
// cannot write for are left out with their error.
func (s *Service) Import(ctx context.Context, actor Actor, orgID string, rows []ImportRow) (ImportResult, error) {
	if !actor.Grants.Can(org.PermPostWrite) {
		return ImportResult{}, fmt.Errorf("editorial: import: %w", store.ErrForbidden)
	}
	previews, err := s.PreviewImport(ctx, orgID, rows)
	if err != nil {
		return ImportResult{}, err
	}
	langs, err := orgLanguagesTx(ctx, s.db.Read, orgID)
	if err != nil {
		return ImportResult{}, fmt.Errorf("editorial: import: %w", err)
	}
	res := ImportResult{Rows: previews}
	for i, p := range previews {
		if p.OK() && !actor.Grants.CanInOffice(org.PermPostWrite, p.OfficeID) {
			res.Rows[i].Errors = append(res.Rows[i].Errors, RowError{Column: "office", Key: "editorial.import.office_forbidden", Value: p.Row.Office})
		}
		if !res.Rows[i].OK() {
			res.Skipped++
		}
	}
	if res.Skipped == len(previews) {
		return res, nil
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res.Created = res.Created[:0] // the transaction may run again on SQLite
		now := store.Now()
		for _, p := range res.Rows {
			if !p.OK() {
				continue
			}
			title := strings.TrimSpace(p.Row.Title)
			if title == "" {
				title = firstWords(p.Row.Text, 80)
			}
			id := store.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO posts (id, org_id, office_id, campaign_id, title, body, link_url, state,
					scheduled_at, author_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $10)`,
				id, orgID, nullable(p.OfficeID), nullable(p.CampaignID), title, p.Row.Text, p.Row.Link, p.At,
				nullable(actor.PersonID), now); err != nil {
				return err
			}
			for _, a := range p.AccountIDs {
				if _, err := tx.ExecContext(ctx, `INSERT INTO variants (id, org_id, post_id, account_id, language, text,
					created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
					store.NewID(), orgID, id, a, langs[0], p.Row.Text, now); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.create", TargetType: "post", TargetID: id,
				TargetLabel: title, After: map[string]any{"title": title, "import_line": p.Row.Line, "channels": len(p.AccountIDs)}}); err != nil {
				return err
			}
			res.Created = append(res.Created, id)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "plan.import", TargetType: "organisation", TargetID: orgID,
			After: map[string]int{"created": len(res.Created), "skipped": res.Skipped}})
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("editorial: import: %w", err)
	}
	return res, nil
}

// firstWords shortens text to n characters on one line, for a title.
func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
