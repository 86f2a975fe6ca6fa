// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// CheckOverdue notifies, once, the people of the office (or the assignee)
// of every conversation whose first-response target has passed, and
// queues again the replies a failed enqueue left behind.
func (s *Service) CheckOverdue(ctx context.Context) error {
	now := s.now()
	list, err := queryRows(ctx, s.DB.Read, 5, `SELECT id, org_id, COALESCE(office_id, ''), COALESCE(assignee_id, ''), subject
		FROM desk_conversations WHERE due_at < $1 AND first_response_at IS NULL AND overdue_notified = FALSE
		AND status IN ('new', 'assigned', 'waiting') ORDER BY due_at LIMIT 500`, now)
	if err != nil {
		return fmt.Errorf("desk: overdue: %w", err)
	}
	type late struct{ id, orgID, office, assignee, subject string }
	for _, r := range list {
		l := late{r[0], r[1], r[2], r[3], r[4]}
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			n := notify.Notification{OrgID: l.orgID, Kind: notify.KindRequestOverdue, Title: l.subject, Link: "/desk/c/" + l.id}
			if l.assignee != "" {
				n.PersonID = l.assignee
				if err := s.Notify.Notify(ctx, tx, n); err != nil {
					return err
				}
			} else if _, err := s.Notify.NotifyPermitted(ctx, tx, org.PermDeskAssign, l.office, n); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET overdue_notified = TRUE, updated_at = $1 WHERE id = $2`, now, l.id)
			return err
		})
		if err != nil {
			return fmt.Errorf("desk: overdue %s: %w", l.id, err)
		}
	}
	// Replies still queued a minute after they were written lost their job.
	stale, err := queryRows(ctx, s.DB.Read, 2, `SELECT org_id, id FROM desk_messages WHERE state = 'queued' AND created_at < $1 LIMIT 500`,
		now.Add(-time.Minute))
	if err != nil {
		return fmt.Errorf("desk: stale replies: %w", err)
	}
	for _, x := range stale {
		s.enqueue(ctx, x[0], x[1])
	}
	return nil
}

// queryRows runs a query selecting n text columns.
func queryRows(ctx context.Context, q store.Querier, n int, query string, args ...any) ([][]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out [][]string
	for rows.Next() {
		row := make([]string, n)
		ptrs := make([]any, n)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// ApplyRetention anonymises the private conversations of every
// organisation older than its retention: the text of the messages and
// the author's identity go, the figures (counts, times, labels) stay.
func (s *Service) ApplyRetention(ctx context.Context) (int, error) {
	orgs, err := queryRows(ctx, s.DB.Read, 2, `SELECT o.id, CAST(COALESCE(d.retention_days, 365) AS TEXT) FROM organisations o
		LEFT JOIN desk_settings d ON d.org_id = o.id`)
	if err != nil {
		return 0, fmt.Errorf("desk: retention: %w", err)
	}
	total := 0
	for _, r := range orgs {
		orgID := r[0]
		days, _ := strconv.Atoi(r[1])
		if days <= 0 {
			continue
		}
		cutoff := s.now().AddDate(0, 0, -days)
		for {
			n, err := s.anonymise(ctx, orgID, `SELECT id FROM desk_conversations WHERE org_id = $1 AND visibility = 'private'
				AND last_in_at < $2 AND author_id <> '' LIMIT 200`, orgID, cutoff)
			if err != nil {
				return total, err
			}
			total += n
			if n < 200 {
				break
			}
		}
	}
	return total, nil
}

// anonymise erases the personal content of the conversations the query
// selects, in one transaction.
func (s *Service) anonymise(ctx context.Context, orgID, query string, args ...any) (int, error) {
	n := 0
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		ids, err := queryIDs(ctx, tx, query, args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM desk_files WHERE message_id IN (SELECT id FROM desk_messages
				WHERE conversation_id = $1)`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE desk_messages SET text = '[rimosso]', attachments = '[]', raw = '{}',
				author_name = CASE WHEN direction = 'in' THEN '' ELSE author_name END WHERE conversation_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET author_id = '', author_handle = '', author_name = '',
				author_contact = '', subject = '[rimosso]', updated_at = $1 WHERE id = $2 AND org_id = $3`, s.now(), id, orgID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE desk_moderation SET archived_text = '[rimosso]', author_id = ''
				WHERE message_id IN (SELECT id FROM desk_messages WHERE conversation_id = $1)`, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("desk: anonymise: %w", err)
	}
	return n, nil
}
