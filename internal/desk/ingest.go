// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Limits on what a citizen sends. A longer text is kept whole up to
// MaxText (the edge refuses bigger bodies); triage reads its beginning.
const (
	MaxText        = 64 << 10
	maxSubjectRune = 120
	maxAttachments = 20
	maxNameRunes   = 200
)

// Inbound is a citizen's message on its way into the desk.
type Inbound struct {
	OrgID string
	// AccountID is the channel account it arrived on; empty for the web
	// form and email, whose Source says where it came from.
	AccountID string
	Source    string
	Msg       channel.Inbound
	// Contact is how to reach a web form's author (email), optional.
	Contact string
	// Files are what the citizen sent along on the web form (a photo),
	// stored with the message in the same transaction.
	Files []File
}

// Ingested is what became of an inbound message.
type Ingested struct {
	ConversationID string
	MessageID      string
	Token          string
	// Duplicate is true when the message was already stored (a webhook
	// retry): nothing changed.
	Duplicate bool
	// NewConversation is true when the message opened a conversation.
	NewConversation bool
	Labels          triage.Labels
	// AutoReplyID is the automatic answer with the emergency numbers
	// queued for an urgent message, if any.
	AutoReplyID string
}

func (in *Inbound) channelKey() string {
	if in.AccountID != "" {
		return in.AccountID
	}
	return in.Source
}

func (in *Inbound) validate() error {
	if in.OrgID == "" {
		return invalidf("organisation missing")
	}
	if in.Source == "" {
		return invalidf("source missing")
	}
	m := &in.Msg
	if m.RemoteID == "" {
		return invalidf("message id missing")
	}
	if m.Thread == "" {
		m.Thread = m.RemoteID
	}
	if m.Visibility != channel.Public && m.Visibility != channel.Private {
		return invalidf("visibility %q", m.Visibility)
	}
	if !utf8.ValidString(m.Text) {
		m.Text = strings.ToValidUTF8(m.Text, "\uFFFD")
	}
	m.Text = strings.ReplaceAll(m.Text, "\x00", "")
	if len(m.Text) > MaxText {
		return invalidf("message longer than %d bytes", MaxText)
	}
	for i := range in.Files {
		if err := checkFile(&in.Files[i]); err != nil {
			return err
		}
	}
	m.Attachments = append(m.Attachments, fileAttachments(in.Files)...)
	if strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		return invalidf("empty message")
	}
	if len(m.Attachments) > maxAttachments {
		m.Attachments = m.Attachments[:maxAttachments]
	}
	m.AuthorName = clip(strings.ToValidUTF8(m.AuthorName, ""), maxNameRunes)
	m.AuthorHandle = clip(strings.ToValidUTF8(m.AuthorHandle, ""), maxNameRunes)
	if m.At.IsZero() {
		m.At = store.Now()
	}
	m.At = m.At.UTC().Truncate(time.Microsecond)
	return nil
}

// Ingest stores a citizen's message: deduplicated, triaged, routed, timed
// against the SLA and grouped with near-duplicates. Urgent messages
// notify the people who answer for the office. It is safe to call again
// with the same message: the second call changes nothing.
func (s *Service) Ingest(ctx context.Context, in Inbound) (Ingested, error) {
	// A retry after a lost race starts again from what the caller gave.
	orig := in
	in.Files = slices.Clone(in.Files)
	in.Msg.Attachments = slices.Clone(in.Msg.Attachments)
	if err := in.validate(); err != nil {
		return Ingested{}, err
	}
	key := in.channelKey()
	// At most a few messages are prepared at once: a surge of requests
	// queues here instead of fighting over the CPU and the connections.
	select {
	case s.prep <- struct{}{}:
	case <-ctx.Done():
		return Ingested{}, ctx.Err()
	}
	prepared := false
	release := func() {
		if !prepared {
			prepared = true
			<-s.prep
		}
	}
	defer release()
	// A webhook retry is the common duplicate: answer it before spending
	// triage's time on it.
	var dup Ingested
	err := s.DB.Read.QueryRowContext(ctx, `SELECT m.id, m.conversation_id, c.token FROM desk_messages m
		JOIN desk_conversations c ON c.id = m.conversation_id
		WHERE m.org_id = $1 AND m.channel_key = $2 AND m.remote_id = $3 AND m.remote_id <> ''`, in.OrgID, key, in.Msg.RemoteID).
		Scan(&dup.MessageID, &dup.ConversationID, &dup.Token)
	if err == nil {
		dup.Duplicate = true
		return dup, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Ingested{}, fmt.Errorf("desk: ingest: %w", store.Normalize(err))
	}

	res := triage.Result{Labels: triage.Labels{Category: "altro", Office: "urp", Urgency: "normale", Moderation: "ok"}}
	if strings.TrimSpace(in.Msg.Text) != "" && s.Triage != nil {
		if res, err = s.Triage.Classify(ctx, in.OrgID, in.Msg.Text); err != nil {
			return Ingested{}, fmt.Errorf("desk: ingest: %w", err)
		}
	}
	// A privately sent address or phone number is not a leak: the flag is
	// for public comments only (TAXONOMY.md).
	if res.Moderation == "personal_data" && in.Msg.Visibility == channel.Private {
		res.Moderation = "ok"
	}
	cfg, err := s.config(ctx, in.OrgID)
	if err != nil {
		return Ingested{}, err
	}
	officeCode := cfg.route(in.Source, in.Msg.Text, res.Labels)
	officeID := cfg.offices[officeCode]
	// A blocked author's messages are archived, not queued; a call for
	// help still gets through.
	blocked := in.Msg.AuthorID != "" && cfg.blocked[[2]string{key, in.Msg.AuthorID}]
	status := StatusNew
	if blocked && res.Urgency != "alta" {
		status = StatusClosed
	}

	attachments, err := json.Marshal(in.Msg.Attachments)
	if err != nil {
		return Ingested{}, fmt.Errorf("desk: ingest: %w", err)
	}
	raw, err := json.Marshal(in.Msg.Raw)
	if err != nil {
		return Ingested{}, fmt.Errorf("desk: ingest: %w", err)
	}
	confidence, err := json.Marshal(res.Confidence)
	if err != nil {
		return Ingested{}, fmt.Errorf("desk: ingest: %w", err)
	}
	var surge *Surge
	if !blocked {
		surge = cfg.surgeFor(&in, res.Urgency, officeCode)
	}
	w := &pending{in: in, key: key, res: res, cfg: cfg, officeCode: officeCode, officeID: officeID, blocked: blocked, status: status, surge: surge,
		attachments: string(attachments), raw: string(raw), confidence: string(confidence),
		convID: store.NewID(), token: newToken(),
		out: Ingested{MessageID: store.NewID(), Labels: res.Labels}, done: make(chan struct{})}
	release()
	err = s.batch.write(ctx, w)
	if errors.Is(err, errDuplicate) {
		// Another delivery of the same message won the race.
		return s.Ingest(ctx, orig)
	}
	if err != nil {
		return Ingested{}, fmt.Errorf("desk: ingest: %w", err)
	}
	if w.out.AutoReplyID != "" {
		s.enqueue(ctx, in.OrgID, w.out.AutoReplyID)
	}
	return w.out, nil
}

// writeOne stores one prepared message inside the batch's transaction.
func (s *Service) writeOne(ctx context.Context, tx *sql.Tx, w *pending) error {
	in, key, res, cfg, officeCode, officeID, blocked := w.in, w.key, w.res, w.cfg, w.officeCode, w.officeID, w.blocked
	now := s.now()
	// A retried transaction runs this again: start from a clean result.
	w.out = Ingested{MessageID: w.out.MessageID, Labels: res.Labels}
	out := &w.out
	var curStatus, urgency string
	err := tx.QueryRowContext(ctx, `SELECT id, token, status, urgency FROM desk_conversations
		WHERE org_id = $1 AND channel_key = $2 AND thread = $3`, in.OrgID, key, in.Msg.Thread).
		Scan(&out.ConversationID, &out.Token, &curStatus, &urgency)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		out.NewConversation = true
		// The ids were chosen once, before the batch: a batch written
		// again never leaves the grouper a phantom conversation.
		out.ConversationID, out.Token = w.convID, w.token
		group := s.grouper.assign(in.OrgID, out.ConversationID, in.Msg.Text, officeCode+"/"+res.Category, in.Msg.At)
		_, err = tx.ExecContext(ctx, insertRows("desk_conversations", newConvColumns, 1), w.convArgs(group, now)...)
		if errors.Is(store.Normalize(err), store.ErrConflict) {
			// A concurrent batch opened the same conversation: the message
			// is tried again and joins it.
			return errDuplicate
		}
		if err != nil {
			return fmt.Errorf("conversation: %w", store.Normalize(err))
		}
	case err != nil:
		return fmt.Errorf("conversation: %w", store.Normalize(err))
	default:
		// A new message in a known conversation: it comes back to the
		// queue if it was answered or closed, and an urgent message
		// raises its urgency (never lowers it).
		next := curStatus
		if !Status(curStatus).Open() && (!blocked || res.Urgency == "alta") {
			next = string(StatusNew)
		}
		if urgency != "alta" && res.Urgency == "alta" {
			urgency = "alta"
		} else {
			res.Urgency = "" // not a new urgency: no notification
		}
		// A conversation that turns to the emergency is filed under it.
		_, err = tx.ExecContext(ctx, `UPDATE desk_conversations SET status = $1, urgency = $2, message_count = message_count + 1,
			updated_at = $3, last_in_at = $4, resolved_at = CASE WHEN $1 = 'new' THEN NULL ELSE resolved_at END,
			incident_id = CASE WHEN incident_id = '' THEN $6 ELSE incident_id END WHERE id = $5`,
			next, urgency, now, in.Msg.At, out.ConversationID, w.incidentID())
		if err != nil {
			return fmt.Errorf("conversation: %w", store.Normalize(err))
		}
	}
	r, err := tx.ExecContext(ctx, insertRows("desk_messages", newMsgColumns, 1)+
		" ON CONFLICT (org_id, channel_key, remote_id) WHERE remote_id <> '' DO NOTHING", w.msgArgs()...)
	if err != nil {
		return fmt.Errorf("message: %w", store.Normalize(err))
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errDuplicate
	}
	if err := writeFiles(ctx, tx, in.OrgID, out.MessageID, in.Files, now); err != nil {
		return err
	}
	if out.AutoReplyID, err = s.surgeReply(ctx, tx, w, out.ConversationID); err != nil {
		return err
	}
	if res.Urgency == "alta" {
		// People may be in danger: the citizen gets the emergency
		// numbers at once, once per conversation, before anyone reads.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $1 AND direction = 'auto'`,
			out.ConversationID).Scan(&n); err != nil {
			return err
		}
		if n == 0 && s.canAutoReply(in) {
			m, err := s.queueReplyTx(ctx, tx, in.OrgID, out.ConversationID, ReplyInput{Text: helpText(cfg.settings)}, Auto, Scope{All: true})
			if err != nil {
				return err
			}
			out.AutoReplyID = m.ID
		}
	}
	if res.Urgency == "alta" && s.Notify != nil {
		_, err := s.Notify.NotifyPermitted(ctx, tx, org.PermDeskReply, officeID, notify.Notification{
			OrgID: in.OrgID, Kind: notify.KindUrgentMessage, Title: subject(in.Msg.Text),
			Body: clip(in.Msg.Text, 500), Link: "/desk/c/" + out.ConversationID,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var errDuplicate = errors.New("desk: duplicate")

// canAutoReply: automatic answers go where the desk can reply; a web form
// author without an address reads them on the status page. A request
// through Open311 gets none: the client application that sent it answers
// its user itself.
func (s *Service) canAutoReply(in Inbound) bool {
	return in.Source != SourceOpen311 && s.actions(in.Source, in.AccountID, in.Msg.Visibility).Reply
}

// helpText is the automatic answer to a message that may report people
// in danger: the emergency number first, then what happens next, and the
// privacy line GDPR asks of automatic replies.
func helpText(st Settings) string {
	var b strings.Builder
	b.WriteString("Se ci sono persone in pericolo chiamate subito il 112, il numero unico di emergenza. " +
		"Abbiamo ricevuto il vostro messaggio e lo abbiamo segnalato con urgenza all'ufficio competente.")
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

func authorLabel(m channel.Inbound) string {
	switch {
	case m.AuthorName != "" && m.AuthorHandle != "":
		return m.AuthorName + " (" + m.AuthorHandle + ")"
	case m.AuthorName != "":
		return m.AuthorName
	default:
		return m.AuthorHandle
	}
}

// subject is the first line of a message, short, for lists.
func subject(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return clip(strings.TrimSpace(line), maxSubjectRune)
}

// clip shortens s to n runes, with an ellipsis when it cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// newToken is the secret of a citizen's status link: 128 random bits.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
