// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
)

// The external social media policy (002): moderation cites one of its
// numbered rules. The numbers are stable; the texts are in the catalogs
// (desk.policy.N).
var PolicyRules = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

// Policy rule numbers the code refers to.
const (
	RuleInsults     = 1
	RulePersonal    = 4
	RuleSpam        = 5
	RuleAdvertising = 8
	RulePolitical   = 9
)

// Moderation actions: warn the author, hide or delete the content on the
// platform, block the author after repeated violations.
const (
	ActWarn   = "warn"
	ActHide   = "hide"
	ActDelete = "delete"
	ActBlock  = "block"
)

// ErrHelpRequest refuses to hide a message asking for help: it gets the
// emergency numbers and is escalated instead.
var ErrHelpRequest = errors.New("desk: a message asking for help is never hidden")

// Moderation is the outcome of an action.
type Moderation struct {
	ID         string
	Action     string
	Rule       int
	Outcome    string // what the platform said: done, not supported, the error
	Violations int    // the author's violations so far, this one included
	BlockAfter int
	// Blocked is true when this action reached the policy's limit and
	// blocked the author.
	Blocked bool
}

// SuggestRule maps triage's moderation flag to the policy rule a person
// would likely apply.
func SuggestRule(flag string) int {
	switch flag {
	case "offensive":
		return RuleInsults
	case "spam":
		return RuleSpam
	case "personal_data":
		return RulePersonal
	}
	return 0
}

// Moderate applies the policy to one citizen message: the content is
// archived (records requests), hidden or deleted on the platform where
// its API allows (elsewhere hide and delete are ErrNotOffered), and the
// action is audited with its rule.
func (s *Service) Moderate(ctx context.Context, orgID, messageID, action string, rule int, personID string, sc Scope) (Moderation, error) {
	if !slices.Contains([]string{ActWarn, ActHide, ActDelete, ActBlock}, action) {
		return Moderation{}, invalidf("action %q", action)
	}
	if !slices.Contains(PolicyRules, rule) {
		return Moderation{}, invalidf("policy rule %d", rule)
	}
	var convID, text, remote, dir string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT conversation_id, text, remote_id, direction FROM desk_messages WHERE id = $1 AND org_id = $2`,
		messageID, orgID).Scan(&convID, &text, &remote, &dir)
	if err != nil {
		return Moderation{}, fmt.Errorf("desk: moderate: %w", store.Normalize(err))
	}
	if dir != string(In) {
		return Moderation{}, invalidf("only citizens' messages are moderated")
	}
	c, err := s.conversation(ctx, s.DB.Read, orgID, convID)
	if err != nil {
		return Moderation{}, err
	}
	if !sc.allows(c.OfficeID) {
		return Moderation{}, ErrForbidden
	}
	if c.Urgent() && action != ActWarn {
		return Moderation{}, ErrHelpRequest
	}
	if !s.Actions(c).allows(action) {
		return Moderation{}, fmt.Errorf("%w: %s", ErrNotOffered, action)
	}
	mod := Moderation{ID: store.NewID(), Action: action, Rule: rule, Outcome: "done"}
	if action == ActHide || action == ActDelete {
		mod.Outcome = s.moderateRemote(ctx, c, remote, channel.ModerationAction(action))
	}
	st, err := s.Settings(ctx, orgID)
	if err != nil {
		return Moderation{}, err
	}
	mod.BlockAfter = st.BlockAfter
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO desk_moderation (id, org_id, message_id, source, author_id, action, rule,
			archived_text, person_id, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			mod.ID, orgID, messageID, c.ChannelKey, c.AuthorID, action, fmt.Sprint(rule), text, nullable(personID), mod.Outcome, s.now()); err != nil {
			return err
		}
		if (action == ActHide || action == ActDelete) && mod.Outcome == "done" {
			if _, err := tx.ExecContext(ctx, `UPDATE desk_messages SET hidden = TRUE WHERE id = $1`, messageID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_moderation WHERE org_id = $1 AND source = $2 AND author_id = $3
			AND action <> 'block'`, orgID, c.ChannelKey, c.AuthorID).Scan(&mod.Violations); err != nil {
			return err
		}
		// Warnings first, then the block: the policy's number of
		// violations blocks the author without waiting for a person.
		if action != ActBlock && c.AuthorID != "" && mod.Violations >= mod.BlockAfter {
			var blocks int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_moderation WHERE org_id = $1 AND source = $2 AND author_id = $3
				AND action = 'block'`, orgID, c.ChannelKey, c.AuthorID).Scan(&blocks); err != nil {
				return err
			}
			if blocks == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO desk_moderation (id, org_id, message_id, source, author_id, action, rule,
					archived_text, person_id, outcome, created_at) VALUES ($1, $2, $3, $4, $5, 'block', $6, '', $7, 'automatic', $8)`,
					store.NewID(), orgID, messageID, c.ChannelKey, c.AuthorID, fmt.Sprint(rule), nullable(personID), s.now()); err != nil {
					return err
				}
				mod.Blocked = true
				if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.moderate.block", TargetType: "message",
					TargetID: messageID, TargetLabel: c.Subject, After: map[string]any{"rule": rule, "automatic": true,
						"violations": mod.Violations}}); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET updated_at = $1 WHERE id = $2`, s.now(), convID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.moderate." + action, TargetType: "message",
			TargetID: messageID, TargetLabel: c.Subject, After: map[string]any{"rule": rule, "outcome": mod.Outcome}})
	})
	if err != nil {
		return Moderation{}, fmt.Errorf("desk: moderate: %w", err)
	}
	if action == ActBlock || mod.Blocked {
		s.forget(orgID)
	}
	return mod, nil
}

// moderateRemote asks the platform, which Moderate has found allows the
// action; its answer is recorded, never hidden.
func (s *Service) moderateRemote(ctx context.Context, c Conversation, remote string, act channel.ModerationAction) string {
	_, acct, err := s.Publish.Connect(ctx, c.OrgID, c.AccountID)
	if err != nil {
		return clip(err.Error(), 300)
	}
	conn, ok := s.Publish.Registry().For(acct)
	if !ok {
		return "not_supported"
	}
	m, ok := conn.(channel.Moderator)
	if !ok {
		return "not_supported"
	}
	if err := m.Moderate(ctx, acct, remote, act); err != nil {
		return clip(err.Error(), 300)
	}
	return "done"
}

// Blocked reports whether the author of a conversation has been blocked.
func (s *Service) Blocked(ctx context.Context, orgID, channelKey, authorID string) (bool, error) {
	if authorID == "" {
		return false, nil
	}
	var n int
	err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_moderation WHERE org_id = $1 AND source = $2 AND author_id = $3
		AND action = 'block'`, orgID, channelKey, authorID).Scan(&n)
	return n > 0, err
}

// Violations returns how many times an author was moderated.
func (s *Service) Violations(ctx context.Context, orgID, channelKey, authorID string) (int, error) {
	if authorID == "" {
		return 0, nil
	}
	var n int
	err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_moderation WHERE org_id = $1 AND source = $2 AND author_id = $3
		AND action <> 'block'`, orgID, channelKey, authorID).Scan(&n)
	return n, err
}
