// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/desk/similar"
)

// Near-duplicate grouping: during a storm a thousand messages about the
// same fallen tree become a few groups answered once. A new conversation
// joins the most similar open group of its organisation with the same
// office and category (a fallen tree never merges with a bus timetable);
// groups close after a quiet window.

// groupWindow closes a group after a quiet night; the similarity
// threshold is the one measured on the storm corpus (similar.DefaultThreshold).
const groupWindow = 12 * time.Hour

type grouping struct{ g *similar.Grouper }

func newGrouping() *grouping {
	return &grouping{g: similar.NewGrouper(similar.DefaultThreshold, groupWindow)}
}

// assign returns the group of a new conversation: an existing group's id,
// or the conversation's own id when it starts one.
func (g *grouping) assign(orgID, convID, text, scope string, at time.Time) string {
	if text == "" {
		return convID
	}
	id, _ := g.g.Assign(convID, text, at, orgID+"/"+scope)
	return id
}

// RestoreGroups rebuilds the open groups from the conversations of the
// last window, after a restart.
func (s *Service) RestoreGroups(ctx context.Context) error {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT c.org_id, c.id, c.group_id, COALESCE(o.code, ''), c.category, c.created_at,
		(SELECT m.text FROM desk_messages m WHERE m.conversation_id = c.id AND m.direction = 'in' ORDER BY m.created_at, m.id LIMIT 1)
		FROM desk_conversations c LEFT JOIN offices o ON o.id = c.office_id
		WHERE c.created_at > $1 ORDER BY c.created_at`, s.now().Add(-groupWindow))
	if err != nil {
		return fmt.Errorf("desk: restore groups: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var orgID, id, group, office, category string
		var at time.Time
		var text *string
		if err := rows.Scan(&orgID, &id, &group, &office, &category, &at, &text); err != nil {
			return fmt.Errorf("desk: restore groups: %w", err)
		}
		if text != nil && *text != "" && group != "" {
			s.grouper.g.Restore(group, *text, at, orgID+"/"+office+"/"+category)
		}
	}
	return rows.Err()
}
