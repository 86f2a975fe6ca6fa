// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"fmt"
)

// Citizen names one person on one channel: the channel key (an account
// id, "webform" or "email") and the platform's id of the author.
type Citizen struct {
	ChannelKey string
	AuthorID   string
}

// Export is everything the desk holds about one citizen (GDPR art. 15).
type Export struct {
	Citizen       Citizen
	Conversations []ExportedConversation
}

// ExportedConversation is one conversation with its messages, notes left
// out (they are the office's working papers, not the citizen's data).
type ExportedConversation struct {
	Conversation Conversation
	Messages     []Message
}

// CitizenOf returns who wrote a conversation.
func (s *Service) CitizenOf(ctx context.Context, orgID, convID string, sc Scope) (Citizen, error) {
	c, err := s.conversation(ctx, s.DB.Read, orgID, convID)
	if err != nil {
		return Citizen{}, err
	}
	if !sc.allows(c.OfficeID) {
		return Citizen{}, ErrForbidden
	}
	if c.AuthorID == "" {
		return Citizen{}, invalidf("this conversation has no known author")
	}
	return Citizen{ChannelKey: c.ChannelKey, AuthorID: c.AuthorID}, nil
}

// ExportCitizen gathers a citizen's conversations and messages.
func (s *Service) ExportCitizen(ctx context.Context, orgID string, who Citizen) (Export, error) {
	if who.AuthorID == "" || who.ChannelKey == "" {
		return Export{}, invalidf("citizen missing")
	}
	ids, err := queryIDs(ctx, s.DB.Read, `SELECT id FROM desk_conversations WHERE org_id = $1 AND channel_key = $2 AND author_id = $3
		ORDER BY created_at`, orgID, who.ChannelKey, who.AuthorID)
	if err != nil {
		return Export{}, fmt.Errorf("desk: export: %w", err)
	}
	out := Export{Citizen: who}
	for _, id := range ids {
		c, msgs, err := s.Get(ctx, orgID, id, Scope{All: true})
		if err != nil {
			return Export{}, err
		}
		var kept []Message
		for _, m := range msgs {
			if m.Direction != Note {
				kept = append(kept, m)
			}
		}
		out.Conversations = append(out.Conversations, ExportedConversation{Conversation: c, Messages: kept})
	}
	return out, nil
}

// EraseCitizen anonymises every conversation of a citizen (GDPR art. 17):
// texts and identity go, the desk's figures stay.
func (s *Service) EraseCitizen(ctx context.Context, orgID string, who Citizen) (int, error) {
	if who.AuthorID == "" || who.ChannelKey == "" {
		return 0, invalidf("citizen missing")
	}
	return s.anonymise(ctx, orgID, `SELECT id FROM desk_conversations WHERE org_id = $1 AND channel_key = $2 AND author_id = $3`,
		orgID, who.ChannelKey, who.AuthorID)
}
