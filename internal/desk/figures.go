// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Figures are the desk's numbers over a period: volumes, first-response
// and resolution times per office and category (PRODUCT.md §5).
type Figures struct {
	Since    time.Time
	Received int
	Open     int
	Urgent   int
	Overdue  int
	// Median first response and resolution over the period.
	FirstResponse time.Duration
	Resolution    time.Duration
	Offices       []FigureRow
	Categories    []FigureRow
}

// FigureRow is one office's or category's figures.
type FigureRow struct {
	Key           string // office name or category code
	Received      int
	Open          int
	FirstResponse time.Duration
	Resolution    time.Duration
}

// Figures computes the desk's figures for the conversations opened in the
// last period that the scope shows.
func (s *Service) Figures(ctx context.Context, orgID string, sc Scope, period time.Duration) (Figures, error) {
	now := s.now()
	f := Figures{Since: now.Add(-period)}
	where := "c.org_id = $1 AND c.created_at >= $2"
	args := []any{orgID, f.Since}
	if !sc.All {
		if len(sc.Offices) == 0 {
			return f, nil
		}
		ph := make([]string, len(sc.Offices))
		for i, o := range sc.Offices {
			args = append(args, o)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where += " AND c.office_id IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT COALESCE(o.name, ''), c.category, c.status, c.urgency, c.created_at,
		c.first_response_at, c.resolved_at, c.due_at FROM desk_conversations c LEFT JOIN offices o ON o.id = c.office_id
		WHERE `+where, args...) //nolint:gosec // G202: only placeholders are concatenated
	if err != nil {
		return f, fmt.Errorf("desk: figures: %w", err)
	}
	defer func() { _ = rows.Close() }()
	type acc struct {
		received, open int
		first, resol   []time.Duration
	}
	byOffice, byCat := map[string]*acc{}, map[string]*acc{}
	var all acc
	get := func(m map[string]*acc, k string) *acc {
		if m[k] == nil {
			m[k] = &acc{}
		}
		return m[k]
	}
	for rows.Next() {
		var office, cat, status, urgency string
		var created time.Time
		var first, resolved, due sql.NullTime
		if err := rows.Scan(&office, &cat, &status, &urgency, &created, &first, &resolved, &due); err != nil {
			return f, fmt.Errorf("desk: figures: %w", err)
		}
		open := Status(status).Open()
		for _, a := range []*acc{&all, get(byOffice, office), get(byCat, cat)} {
			a.received++
			if open {
				a.open++
			}
			if first.Valid {
				a.first = append(a.first, first.Time.Sub(created))
			}
			if resolved.Valid && !open {
				a.resol = append(a.resol, resolved.Time.Sub(created))
			}
		}
		if open && urgency == "alta" {
			f.Urgent++
		}
		if open && !first.Valid && due.Valid && now.After(due.Time) {
			f.Overdue++
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("desk: figures: %w", err)
	}
	f.Received, f.Open, f.FirstResponse, f.Resolution = all.received, all.open, median(all.first), median(all.resol)
	rowsOf := func(m map[string]*acc) []FigureRow {
		var out []FigureRow
		for k, a := range m {
			out = append(out, FigureRow{Key: k, Received: a.received, Open: a.open, FirstResponse: median(a.first), Resolution: median(a.resol)})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Received != out[j].Received {
				return out[i].Received > out[j].Received
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	f.Offices, f.Categories = rowsOf(byOffice), rowsOf(byCat)
	return f, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2].Round(time.Minute)
}

// Changes returns the conversations of the scope changed after since,
// oldest change first, and the time to ask from next (live updates).
func (s *Service) Changes(ctx context.Context, orgID string, sc Scope, since time.Time, limit int) ([]Conversation, time.Time, error) {
	rows, err := s.DB.Read.QueryContext(ctx, "SELECT "+convColumns+convFrom+
		" WHERE c.org_id = $1 AND c.updated_at > $2 ORDER BY c.updated_at LIMIT $3", orgID, since, limit)
	if err != nil {
		return nil, since, fmt.Errorf("desk: changes: %w", err)
	}
	defer func() { _ = rows.Close() }()
	next := since
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, since, fmt.Errorf("desk: changes: %w", err)
		}
		if c.UpdatedAt.After(next) {
			next = c.UpdatedAt
		}
		if sc.allows(c.OfficeID) {
			out = append(out, c)
		}
	}
	return out, next, rows.Err()
}

// Top is the busiest office's volume, the scale of the bars.
func (f Figures) Top() int {
	top := 0
	for _, r := range f.Offices {
		top = max(top, r.Received)
	}
	return top
}
