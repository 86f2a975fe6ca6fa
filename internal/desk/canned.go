// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/store"
)

// Canned answers: ready texts per office (or for everyone), with
// variables filled from the conversation. The one whose purpose is
// "political" is suggested for political polemics: a redirect to the
// councillor's own page, never an argument (003).

// PurposePolitical marks the answer suggested for political polemics.
const PurposePolitical = "political"

// Canned is one ready answer.
type Canned struct {
	ID         string
	OfficeID   string // empty: every office
	OfficeName string
	Title      string
	Body       string
	Purpose    string
}

// CannedVariables are the placeholders a canned answer may use.
var CannedVariables = []string{"{nome}", "{ente}", "{ufficio}", "{link}"}

// CannedAnswers returns the answers a scope may use: the common ones and
// those of its offices.
func (s *Service) CannedAnswers(ctx context.Context, orgID string, sc Scope) ([]Canned, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT c.id, COALESCE(c.office_id, ''), COALESCE(o.name, ''), c.title, c.body, c.purpose
		FROM desk_canned c LEFT JOIN offices o ON o.id = c.office_id WHERE c.org_id = $1 ORDER BY c.title, c.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("desk: canned answers: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Canned
	for rows.Next() {
		var c Canned
		if err := rows.Scan(&c.ID, &c.OfficeID, &c.OfficeName, &c.Title, &c.Body, &c.Purpose); err != nil {
			return nil, fmt.Errorf("desk: canned answers: %w", err)
		}
		if c.OfficeID == "" || sc.allows(c.OfficeID) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// AddCanned stores a ready answer.
func (s *Service) AddCanned(ctx context.Context, orgID string, c Canned) (Canned, error) {
	c.Title, c.Body = strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	if c.Title == "" || c.Body == "" {
		return Canned{}, invalidf("a canned answer needs a title and a text")
	}
	if utf8.RuneCountInString(c.Title) > 120 || utf8.RuneCountInString(c.Body) > maxReplyRunes {
		return Canned{}, invalidf("canned answer too long")
	}
	if c.Purpose != "" && c.Purpose != PurposePolitical {
		return Canned{}, invalidf("purpose %q", c.Purpose)
	}
	c.ID = store.NewID()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if c.OfficeID != "" {
			if err := belongs(ctx, tx, "offices", c.OfficeID, orgID); err != nil {
				return err
			}
		}
		now := s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_canned (id, org_id, office_id, title, body, purpose, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, c.ID, orgID, nullable(c.OfficeID), c.Title, c.Body, c.Purpose, now)
		return err
	})
	if err != nil {
		return Canned{}, fmt.Errorf("desk: add canned answer: %w", err)
	}
	return c, nil
}

// DeleteCanned removes a ready answer.
func (s *Service) DeleteCanned(ctx context.Context, orgID, id string) error {
	r, err := s.DB.Write.ExecContext(ctx, `DELETE FROM desk_canned WHERE id = $1 AND org_id = $2`, id, orgID)
	if err != nil {
		return fmt.Errorf("desk: delete canned answer: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// FillCanned writes a canned answer for a conversation: {nome} is the
// citizen's name, {ente} the organisation, {ufficio} the office, {link}
// the citizen's status page.
func FillCanned(body string, c Conversation, orgName, statusURL string) string {
	name := c.AuthorName
	if name == "" {
		name = strings.TrimPrefix(c.AuthorHandle, "@")
	}
	return strings.NewReplacer("{nome}", name, "{ente}", orgName, "{ufficio}", c.OfficeName, "{link}", statusURL).Replace(body)
}

// Political reports whether triage sees a political polemic: a message
// for the mayor's office that asks nothing (TAXONOMY.md: altro/gabinetto).
func (c Conversation) Political() bool {
	return c.OfficeCode == "gabinetto" && c.Labels.Category == "altro"
}
