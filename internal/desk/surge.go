// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
)

// Surge is an emergency in progress as the desk sees it (the alert
// service provides it): a night of Bora brings a thousand private
// messages, and each citizen should get the live page and the emergency
// numbers at once, before anyone reads.
type Surge struct {
	IncidentID string
	Title      string
	LiveURL    string
	// Numbers are the incident's useful numbers, one "label number" each.
	Numbers []string
	// Keywords say a message is about the incident (lower case stems).
	Keywords []string
	// Exercise is a drill: only messages on sandbox channels are part of
	// it; real citizens never get a drill's answer.
	Exercise bool
}

// about reports whether a message belongs to the surge: it names the
// incident's words, or it is urgent or for civil protection while the
// emergency lasts.
func (sg *Surge) about(text, urgency, office string) bool {
	if urgency == "alta" || office == "protezione_civile" {
		return true
	}
	low := strings.ToLower(text)
	for _, k := range sg.Keywords {
		if k != "" && strings.Contains(low, k) {
			return true
		}
	}
	return false
}

// surgeFor picks the incident a new message is about, if any.
func (c *orgConfig) surgeFor(in *Inbound, urgency, office string) *Surge {
	for i := range c.surges {
		sg := &c.surges[i]
		if sg.Exercise && !c.sandbox[in.AccountID] {
			continue
		}
		if sg.about(in.Msg.Text, urgency, office) {
			return sg
		}
	}
	return nil
}

// loadSurges fills the configuration with the emergencies in progress and
// the sandbox accounts a drill may answer on.
func (s *Service) loadSurges(ctx context.Context, orgID string, c *orgConfig) error {
	c.sandbox = map[string]bool{}
	if s.Surges == nil {
		return nil
	}
	surges, err := s.Surges(ctx, orgID)
	if err != nil {
		return fmt.Errorf("desk: incidents in progress: %w", err)
	}
	c.surges = surges
	if len(surges) == 0 {
		return nil
	}
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id FROM channel_accounts WHERE org_id = $1 AND sandbox`, orgID)
	if err != nil {
		return fmt.Errorf("desk: sandbox accounts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		c.sandbox[id] = true
	}
	return rows.Err()
}

// surgeReply queues the automatic first reply of an emergency, once per
// citizen and incident; it reports whether it queued one.
func (s *Service) surgeReply(ctx context.Context, tx *sql.Tx, w *pending, convID string) (string, error) {
	in := w.in
	if w.surge == nil || in.Msg.Visibility != channel.Private || !s.canAutoReply(in) {
		return "", nil
	}
	author := in.Msg.AuthorID
	if author == "" {
		author = "thread:" + in.Msg.Thread
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO desk_surge_replies (incident_id, channel_key, author_key, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, w.surge.IncidentID, w.key, author, s.now())
	if err != nil {
		return "", fmt.Errorf("surge reply: %w", store.Normalize(err))
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return "", nil // this citizen already has it
	}
	m, err := s.queueReplyTx(ctx, tx, in.OrgID, convID, ReplyInput{Text: surgeText(w.cfg.settings, w.surge)}, Auto, Scope{All: true})
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// surgeText is the emergency's first answer: the emergency number, where
// to follow the incident, the useful numbers, and the privacy line.
func surgeText(st Settings, sg *Surge) string {
	var b strings.Builder
	if sg.Exercise {
		b.WriteString("[ESERCITAZIONE] ")
	}
	b.WriteString("Abbiamo ricevuto il vostro messaggio. Siamo in emergenza: " + sg.Title + ". ")
	b.WriteString("Se ci sono persone in pericolo chiamate subito il 112.")
	if sg.LiveURL != "" {
		b.WriteString("\n\nAggiornamenti in diretta: " + sg.LiveURL)
	}
	if len(sg.Numbers) > 0 {
		b.WriteString("\n\nNumeri utili:")
		for _, n := range sg.Numbers {
			b.WriteString("\n" + n)
		}
	}
	b.WriteString("\n\nVi risponderemo appena possibile.")
	if st.PrivacyURL != "" || st.DPOContact != "" {
		b.WriteString("\n\nPrivacy:")
		if st.PrivacyURL != "" {
			b.WriteString(" " + st.PrivacyURL)
		}
		if st.DPOContact != "" {
			b.WriteString(" — RPD: " + st.DPOContact)
		}
	}
	return b.String()
}
