// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package audit keeps the append-only record of every state-changing
// action: who, in which organisation, what, on which target, when, and a
// short before/after. Entries are written in the same transaction as the
// change they describe, so the log never misses nor invents an action.
// Nothing updates or deletes entries (the database refuses it too).
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/store"
)

// Actor is who performs an action; it travels in the context from the
// edge (web session, API token, CLI) to the domain that records it.
type Actor struct {
	PersonID string // empty for the system or the CLI
	Label    string // email or "cli", "system", kept as it was at the time
	IP       string
}

type actorKey struct{}

// WithActor returns ctx carrying the acting person.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the system actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Label: "system"}
}

// Entry is one recorded action.
type Entry struct {
	ID          string
	OrgID       string
	ActorID     string
	ActorLabel  string
	Action      string // dotted verb, e.g. "office.create"
	TargetType  string
	TargetID    string
	TargetLabel string
	Before      string // short JSON, empty when nothing existed
	After       string // short JSON, empty when nothing remains
	IP          string
	CreatedAt   time.Time
}

// Change describes an action for Record.
type Change struct {
	OrgID       string
	Action      string
	TargetType  string
	TargetID    string
	TargetLabel string
	Before      any // marshalled to JSON; nil for none
	After       any
}

// maxState bounds the before/after snapshots: the log is a record, not a
// copy of the data.
const maxState = 2000

// Record appends an entry for the actor in ctx, using q so that it commits
// or rolls back with the change itself.
func Record(ctx context.Context, q store.Querier, c Change) error {
	a := ActorFrom(ctx)
	before, err := snapshot(c.Before)
	if err != nil {
		return err
	}
	after, err := snapshot(c.After)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_log
		(id, org_id, actor_id, actor_label, action, target_type, target_id, target_label, before_state, after_state, ip, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		store.NewID(), nullable(c.OrgID), nullable(a.PersonID), a.Label, c.Action, c.TargetType, c.TargetID,
		c.TargetLabel, before, after, a.IP, store.Now())
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", c.Action, err)
	}
	return nil
}

func snapshot(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit: snapshot: %w", err)
	}
	s := string(b)
	if len(s) > maxState {
		// Cut on a character boundary: PostgreSQL refuses invalid UTF-8.
		cut := maxState
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	OrgID  string // required
	Actor  string // substring of the actor label
	Action string // prefix, e.g. "office." or "office.create"
	Target string // substring of target label or exact target id
	From   time.Time
	To     time.Time
	Before string // entry ID to page from (newest first)
	Limit  int    // default 50, at most 500
}

// Log reads the audit log.
type Log struct{ db *store.DB }

// NewLog returns a reader over db.
func NewLog(db *store.DB) *Log { return &Log{db: db} }

// List returns matching entries, newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	if f.OrgID == "" {
		return nil, fmt.Errorf("audit: list: %w", store.ErrForbidden)
	}
	d := l.db.Dialect()
	var where []string
	args := []any{f.OrgID}
	where = append(where, "org_id = $1")
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Actor != "" {
		add(d.ILike("actor_label", "?"), store.LikePattern(f.Actor))
	}
	if f.Action != "" {
		add("action LIKE ? ESCAPE '\\'", strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Action)+"%")
	}
	if f.Target != "" {
		args = append(args, store.LikePattern(f.Target), f.Target)
		n := len(args)
		where = append(where, fmt.Sprintf("(%s OR target_id = $%d)", d.ILike("target_label", fmt.Sprintf("$%d", n-1)), n))
	}
	if !f.From.IsZero() {
		add("created_at >= ?", store.Time(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < ?", store.Time(f.To))
	}
	if f.Before != "" {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	// Only fixed conditions with placeholders are concatenated; values are bound.
	const columns = `SELECT id, COALESCE(org_id, ''), COALESCE(actor_id, ''), actor_label, action, target_type, target_id,
		target_label, before_state, after_state, ip, created_at FROM audit_log WHERE `
	q := columns + strings.Join(where, " AND ") + fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit) //nolint:gosec // G202: see above
	rows, err := l.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.OrgID, &e.ActorID, &e.ActorLabel, &e.Action, &e.TargetType, &e.TargetID,
			&e.TargetLabel, &e.Before, &e.After, &e.IP, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}
