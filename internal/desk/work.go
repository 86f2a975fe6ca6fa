// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Scope limits what a person sees: all offices, or some (an office
// liaison sees the conversations routed to their office).
type Scope struct {
	All     bool
	Offices []string
}

func (sc Scope) allows(officeID string) bool {
	return sc.All || slices.Contains(sc.Offices, officeID)
}

// Filter selects conversations for a view of the inbox.
type Filter struct {
	Scope    Scope
	Status   string // a Status, "open" (new, assigned, waiting) or "" (all)
	OfficeID string
	Assignee string // a person id
	Urgent   bool
	Overdue  bool
	GroupID  string
	// Incident shows the conversations filed under an emergency.
	Incident string
	Source   string
	Query    string // words in the subject or the author
	// Before is the keyset cursor: conversations whose last message is
	// older than this (LastInAt|ID of the previous page's last row).
	Before string
	Limit  int
}

// Page is one page of the inbox.
type Page struct {
	Conversations []Conversation
	// Next is the cursor of the following page, empty at the end.
	Next string
}

const convColumns = `c.id, c.org_id, COALESCE(c.account_id, ''), c.source, c.channel_key, c.thread, c.visibility, c.author_id,
	c.author_handle, c.author_name, c.author_contact, c.post_id, c.subject, c.status, COALESCE(c.office_id, ''),
	COALESCE(o.code, ''), COALESCE(o.name, ''), COALESCE(c.assignee_id, ''), COALESCE(p.name, ''), c.category, c.urgency,
	c.moderation, c.confidence, c.triage_confirmed, c.group_id, c.token, c.message_count, c.created_at, c.updated_at,
	c.last_in_at, c.first_response_at, c.resolved_at, c.due_at`

const convFrom = ` FROM desk_conversations c LEFT JOIN offices o ON o.id = c.office_id LEFT JOIN people p ON p.id = c.assignee_id`

func scanConversation(sc interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var vis, status, conf string
	var first, resolved, due sql.NullTime
	err := sc.Scan(&c.ID, &c.OrgID, &c.AccountID, &c.Source, &c.ChannelKey, &c.Thread, &vis, &c.AuthorID, &c.AuthorHandle,
		&c.AuthorName, &c.AuthorContact, &c.PostID, &c.Subject, &status, &c.OfficeID, &c.OfficeCode, &c.OfficeName,
		&c.AssigneeID, &c.AssigneeName, &c.Labels.Category, &c.Labels.Urgency, &c.Labels.Moderation, &conf,
		&c.TriageConfirmed, &c.GroupID, &c.Token, &c.MessageCount, &c.CreatedAt, &c.UpdatedAt, &c.LastInAt, &first, &resolved, &due)
	if err != nil {
		return Conversation{}, err
	}
	c.Visibility, c.Status = channel.Visibility(vis), Status(status)
	c.Labels.Office = c.OfficeCode
	_ = json.Unmarshal([]byte(conf), &c.Confidence)
	c.FirstResponseAt, c.ResolvedAt, c.DueAt = first.Time, resolved.Time, due.Time
	return c, nil
}

// List returns one page of conversations, the most recent first.
func (s *Service) List(ctx context.Context, orgID string, f Filter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where := []string{"c.org_id = $1"}
	args := []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.Scope.All {
		if len(f.Scope.Offices) == 0 {
			return Page{}, nil
		}
		ph := make([]string, len(f.Scope.Offices))
		for i, o := range f.Scope.Offices {
			ph[i] = arg(o)
		}
		where = append(where, "c.office_id IN ("+strings.Join(ph, ", ")+")")
	}
	switch {
	case f.Status == "open":
		where = append(where, "c.status IN ('new', 'assigned', 'waiting')")
	case f.Status != "":
		if !Status(f.Status).Valid() {
			return Page{}, invalidf("status %q", f.Status)
		}
		where = append(where, "c.status = "+arg(f.Status))
	}
	if f.OfficeID != "" {
		where = append(where, "c.office_id = "+arg(f.OfficeID))
	}
	if f.Assignee != "" {
		where = append(where, "c.assignee_id = "+arg(f.Assignee))
	}
	if f.Urgent {
		where = append(where, "c.urgency = 'alta'")
	}
	if f.Overdue {
		where = append(where, "c.first_response_at IS NULL AND c.status IN ('new', 'assigned', 'waiting') AND c.due_at < "+arg(s.now()))
	}
	if f.GroupID != "" {
		where = append(where, "c.group_id = "+arg(f.GroupID))
	}
	if f.Incident != "" {
		where = append(where, "c.incident_id = "+arg(f.Incident))
	}
	if f.Source != "" {
		where = append(where, "c.source = "+arg(f.Source))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg(store.LikePattern(q))
		d := s.DB.Dialect()
		where = append(where, "("+d.ILike("c.subject", p)+" OR "+d.ILike("c.author_name", p)+" OR "+d.ILike("c.author_handle", p)+")")
	}
	if f.Before != "" {
		at, id, ok := parseCursor(f.Before)
		if !ok {
			return Page{}, invalidf("cursor")
		}
		a, b := arg(at), arg(id)
		where = append(where, "(c.last_in_at < "+a+" OR (c.last_in_at = "+a+" AND c.id < "+b+"))")
	}
	q := "SELECT " + convColumns + convFrom + " WHERE " + strings.Join(where, " AND ") + //nolint:gosec // G202: only placeholders

		" ORDER BY c.last_in_at DESC, c.id DESC LIMIT " + arg(f.Limit+1)
	rows, err := s.DB.Read.QueryContext(ctx, q, args...) //nolint:gosec // G202: only placeholders are concatenated
	if err != nil {
		return Page{}, fmt.Errorf("desk: list: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var p Page
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return Page{}, fmt.Errorf("desk: list: %w", err)
		}
		p.Conversations = append(p.Conversations, c)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("desk: list: %w", err)
	}
	if len(p.Conversations) > f.Limit {
		p.Conversations = p.Conversations[:f.Limit]
		last := p.Conversations[f.Limit-1]
		p.Next = last.LastInAt.UTC().Format(time.RFC3339Nano) + "|" + last.ID
	}
	if err := s.groupSizes(ctx, orgID, p.Conversations); err != nil {
		return Page{}, err
	}
	return p, nil
}

func parseCursor(s string) (time.Time, string, bool) {
	a, id, ok := strings.Cut(s, "|")
	if !ok || id == "" {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, a)
	return t, id, err == nil
}

// groupSizes fills GroupSize for the conversations of one page.
func (s *Service) groupSizes(ctx context.Context, orgID string, cs []Conversation) error {
	var ids []any
	seen := map[string]bool{}
	for _, c := range cs {
		if c.GroupID != "" && !seen[c.GroupID] {
			seen[c.GroupID] = true
			ids = append(ids, c.GroupID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ph := make([]string, len(ids))
	for i := range ids {
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT group_id, COUNT(*) FROM desk_conversations WHERE org_id = $1 AND group_id IN (`+ //nolint:gosec // G202: only placeholders
		strings.Join(ph, ", ")+`) GROUP BY group_id`, append([]any{orgID}, ids...)...)
	if err != nil {
		return fmt.Errorf("desk: groups: %w", err)
	}
	defer func() { _ = rows.Close() }()
	sizes := map[string]int{}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return fmt.Errorf("desk: groups: %w", err)
		}
		sizes[g] = n
	}
	for i := range cs {
		cs[i].GroupSize = sizes[cs[i].GroupID]
	}
	return rows.Err()
}

// Get returns a conversation and its messages, oldest first.
func (s *Service) Get(ctx context.Context, orgID, id string, sc Scope) (Conversation, []Message, error) {
	c, err := s.conversation(ctx, s.DB.Read, orgID, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	if !sc.allows(c.OfficeID) {
		return Conversation{}, nil, store.ErrNotFound
	}
	cs := []Conversation{c}
	if err := s.groupSizes(ctx, orgID, cs); err != nil {
		return Conversation{}, nil, err
	}
	c = cs[0]
	msgs, err := s.messages(ctx, orgID, id)
	return c, msgs, err
}

func (s *Service) conversation(ctx context.Context, q store.Querier, orgID, id string) (Conversation, error) {
	c, err := scanConversation(q.QueryRowContext(ctx, "SELECT "+convColumns+convFrom+" WHERE c.org_id = $1 AND c.id = $2", orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, store.ErrNotFound
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("desk: conversation %s: %w", id, err)
	}
	return c, nil
}

// ByToken returns the conversation of a citizen's status link.
func (s *Service) ByToken(ctx context.Context, orgID, token string) (Conversation, []Message, error) {
	if token == "" || len(token) > 64 {
		return Conversation{}, nil, store.ErrNotFound
	}
	c, err := scanConversation(s.DB.Read.QueryRowContext(ctx, "SELECT "+convColumns+convFrom+" WHERE c.org_id = $1 AND c.token = $2", orgID, token))
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, nil, store.ErrNotFound
	}
	if err != nil {
		return Conversation{}, nil, fmt.Errorf("desk: request: %w", err)
	}
	msgs, err := s.messages(ctx, orgID, c.ID)
	if err != nil {
		return Conversation{}, nil, err
	}
	// The citizen sees the exchange, never the internal notes.
	var public []Message
	for _, m := range msgs {
		if m.Direction != Note && (m.Direction == In || m.State == StateSent) {
			public = append(public, m)
		}
	}
	return c, public, nil
}

func (s *Service) messages(ctx context.Context, orgID, convID string) ([]Message, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, conversation_id, remote_id, direction, COALESCE(person_id, ''), author_name,
		text, attachments, state, private, error, remote_url, attempts, hidden, created_at
		FROM desk_messages WHERE org_id = $1 AND conversation_id = $2 ORDER BY created_at, id`, orgID, convID)
	if err != nil {
		return nil, fmt.Errorf("desk: messages: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Message
	for rows.Next() {
		var m Message
		var dir, att string
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.RemoteID, &dir, &m.PersonID, &m.AuthorName, &m.Text, &att, &m.State,
			&m.Private, &m.Error, &m.RemoteURL, &m.Attempts, &m.Hidden, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("desk: messages: %w", err)
		}
		m.Direction = Direction(dir)
		_ = json.Unmarshal([]byte(att), &m.Attachments)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Assignment routes a conversation to an office and, optionally, a person.
type Assignment struct {
	OfficeID   string
	AssigneeID string // empty: the office as a whole
}

// Assign routes conversations (one or many: bulk actions) to an office and
// a person. The person must be a member of the organisation.
func (s *Service) Assign(ctx context.Context, orgID string, ids []string, a Assignment, sc Scope) (int, error) {
	if len(ids) == 0 {
		return 0, invalidf("no conversation selected")
	}
	n := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if a.OfficeID != "" {
			if err := belongs(ctx, tx, "offices", a.OfficeID, orgID); err != nil {
				return err
			}
		}
		if a.AssigneeID != "" {
			var k int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND org_id = $2`, a.AssigneeID, orgID).Scan(&k); err != nil {
				return err
			}
			if k == 0 {
				return invalidf("person not in this organisation")
			}
		}
		for _, id := range ids {
			c, err := s.conversation(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if !sc.allows(c.OfficeID) {
				return ErrForbidden
			}
			office := a.OfficeID
			if office == "" {
				office = c.OfficeID
			}
			status := c.Status
			if status == StatusNew {
				status = StatusAssigned
			}
			_, err = tx.ExecContext(ctx, `UPDATE desk_conversations SET office_id = $1, assignee_id = $2, status = $3, updated_at = $4
				WHERE id = $5`, nullable(office), nullable(a.AssigneeID), string(status), s.now(), id)
			if err != nil {
				return err
			}
			if a.AssigneeID != "" && a.AssigneeID != c.AssigneeID && a.AssigneeID != audit.ActorFrom(ctx).PersonID {
				if err := s.Notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, PersonID: a.AssigneeID, Kind: notify.KindAssigned,
					Title: c.Subject, Body: "", Link: "/desk/c/" + id}); err != nil {
					return err
				}
			}
			if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.assign", TargetType: "conversation", TargetID: id,
				TargetLabel: c.Subject, Before: map[string]string{"office": c.OfficeID, "assignee": c.AssigneeID},
				After: map[string]string{"office": office, "assignee": a.AssigneeID}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("desk: assign: %w", err)
	}
	return n, nil
}

func belongs(ctx context.Context, q store.Querier, table, id, orgID string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return invalidf("%s not in this organisation", strings.TrimSuffix(table, "s"))
	}
	return nil
}

// SetStatus moves conversations to a status (bulk actions too).
func (s *Service) SetStatus(ctx context.Context, orgID string, ids []string, st Status, sc Scope) (int, error) {
	if !st.Valid() {
		return 0, invalidf("status %q", st)
	}
	if len(ids) == 0 {
		return 0, invalidf("no conversation selected")
	}
	n := 0
	now := s.now()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			c, err := s.conversation(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if !sc.allows(c.OfficeID) {
				return ErrForbidden
			}
			var resolved any
			if !st.Open() {
				resolved = now
			}
			if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET status = $1, resolved_at = $2, updated_at = $3 WHERE id = $4`,
				string(st), resolved, now, id); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.status", TargetType: "conversation", TargetID: id,
				TargetLabel: c.Subject, Before: map[string]string{"status": string(c.Status)},
				After: map[string]string{"status": string(st)}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("desk: status: %w", err)
	}
	return n, nil
}

// AddNote adds an internal note. With consult set, the conversation waits
// for that office, whose people are notified (the community manager
// answers after consulting the competent office, 004).
func (s *Service) AddNote(ctx context.Context, orgID, convID, personID, text, consult string, sc Scope) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Message{}, invalidf("empty note")
	}
	if len(text) > MaxText || !utf8.ValidString(text) {
		return Message{}, invalidf("note too long or not text")
	}
	m := Message{ID: store.NewID(), ConversationID: convID, Direction: Note, PersonID: personID, Text: text, State: StateReceived,
		CreatedAt: s.now()}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.conversation(ctx, tx, orgID, convID)
		if err != nil {
			return err
		}
		if !sc.allows(c.OfficeID) {
			return ErrForbidden
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, personID).Scan(&m.AuthorName); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO desk_messages (id, org_id, conversation_id, channel_key, direction, person_id,
			author_name, text, state, created_at) VALUES ($1, $2, $3, $4, 'note', $5, $6, $7, 'received', $8)`,
			m.ID, orgID, convID, c.ChannelKey, personID, m.AuthorName, text, m.CreatedAt); err != nil {
			return err
		}
		if consult == "" {
			_, err = tx.ExecContext(ctx, `UPDATE desk_conversations SET updated_at = $1 WHERE id = $2`, m.CreatedAt, convID)
			return err
		}
		if err := belongs(ctx, tx, "offices", consult, orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET status = 'waiting', updated_at = $1 WHERE id = $2`, m.CreatedAt, convID); err != nil {
			return err
		}
		if _, err := s.Notify.NotifyPermitted(ctx, tx, org.PermDeskReply, consult, notify.Notification{OrgID: orgID,
			Kind: notify.KindConsulted, Title: c.Subject, Body: clip(text, 500), Link: "/desk/c/" + convID}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.consult", TargetType: "conversation", TargetID: convID,
			TargetLabel: c.Subject, After: map[string]string{"office": consult}})
	})
	if err != nil {
		return Message{}, fmt.Errorf("desk: note: %w", err)
	}
	return m, nil
}

// ConfirmTriage records the labels a person confirmed or corrected: the
// conversation takes them (the office too) and the organisation's model
// learns from the first message.
func (s *Service) ConfirmTriage(ctx context.Context, orgID, convID, personID string, l triage.Labels, sc Scope) error {
	if err := l.Validate(); err != nil {
		return invalidf("%v", err)
	}
	cfg, err := s.config(ctx, orgID)
	if err != nil {
		return err
	}
	officeID := cfg.offices[l.Office]
	var first string
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.conversation(ctx, tx, orgID, convID)
		if err != nil {
			return err
		}
		if !sc.allows(c.OfficeID) {
			return ErrForbidden
		}
		if err := tx.QueryRowContext(ctx, `SELECT text FROM desk_messages WHERE conversation_id = $1 AND direction = 'in'
			ORDER BY created_at, id LIMIT 1`, convID).Scan(&first); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET category = $1, urgency = $2, moderation = $3, office_id = $4,
			triage_confirmed = TRUE, updated_at = $5 WHERE id = $6`, l.Category, l.Urgency, l.Moderation, nullable(officeID), s.now(), convID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.triage", TargetType: "conversation", TargetID: convID,
			TargetLabel: c.Subject, Before: c.Labels, After: l})
	})
	if err != nil {
		return fmt.Errorf("desk: confirm triage: %w", err)
	}
	if s.Triage != nil && strings.TrimSpace(first) != "" {
		if err := s.Triage.Confirm(ctx, orgID, triage.Example{Text: first, Labels: l}); err != nil {
			return fmt.Errorf("desk: confirm triage: %w", err)
		}
	}
	return nil
}

// queryIDs runs a query that selects one text column.
func queryIDs(ctx context.Context, q store.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
