// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"fmt"

	"github.com/piazza-pa/piazza/internal/channel"
)

// ErrNotOffered refuses an action the conversation's channel does not
// allow: an answer in private on Bluesky, hiding a comment on Mastodon, a
// reply through X. The pages do not offer it; the API gets a 422.
var ErrNotOffered = fmt.Errorf("%w: not possible on this channel", ErrInvalid)

// Actions are what the desk can do with a conversation on the channel the
// citizen used, as the channel's connector declares it (channel.Capabilities).
// Warning and blocking an author are Piazza's own and always possible.
type Actions struct {
	Reply        bool // answer through the citizen's channel
	ReplyPrivate bool // answer a public comment in private ("Sposta in privato")
	Hide         bool // hide the citizen's comment on the platform
	Delete       bool // delete it on the platform
}

// Actions returns what can be done with c.
func (s *Service) Actions(c Conversation) Actions {
	return s.actions(c.Source, c.AccountID, c.Visibility)
}

// actions decides from the source: the web form, Open311 and email are
// answered by the desk itself (status page, mail) and have nothing public
// to moderate; a platform's conversation can do what its connector can.
// A conversation whose account was removed can do nothing on it.
func (s *Service) actions(source, accountID string, vis channel.Visibility) Actions {
	switch source {
	case SourceWebForm, SourceOpen311, SourceEmail:
		return Actions{Reply: true}
	}
	if accountID == "" || s.Publish == nil {
		return Actions{}
	}
	conn, ok := s.Publish.Registry().Platform(channel.Platform(source))
	if !ok {
		return Actions{}
	}
	caps := conn.Capabilities()
	public := vis == channel.Public
	return Actions{
		Reply:        caps.Reply,
		ReplyPrivate: caps.Reply && caps.ReplyPrivate && public,
		Hide:         caps.Hide && public,
		Delete:       caps.DeleteComment && public,
	}
}

// allows reports whether the moderation action needs the platform and the
// platform allows it; warn and block are Piazza's own.
func (a Actions) allows(action string) bool {
	switch action {
	case ActHide:
		return a.Hide
	case ActDelete:
		return a.Delete
	}
	return true
}
