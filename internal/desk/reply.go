// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/store"
)

// A reply is a row first (queued), then a job sends it through the
// citizen's channel. The row is claimed (sending) before the platform is
// called, so two workers never send it twice; a row left "sending" by a
// crash is an unknown outcome that a person settles (DESIGN.md).

// StateSending is a reply being handed to the platform; StateUnknown one
// that may or may not have reached the citizen (a timeout after sending).
const (
	StateSending = "sending"
	StateUnknown = "unknown"
)

// maxReplyRunes bounds a reply; each platform's own limit is checked by
// its connector, which refuses before sending.
const maxReplyRunes = 5000

// ReplyInput is an answer to a conversation.
type ReplyInput struct {
	PersonID string
	Text     string
	// Private answers a public comment in private ("Sposta in privato"),
	// for a comment that exposes personal data.
	Private bool
}

// Reply queues an answer to a conversation, sent through the channel the
// citizen used. The conversation becomes answered.
func (s *Service) Reply(ctx context.Context, orgID, convID string, in ReplyInput, sc Scope) (Message, error) {
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" {
		return Message{}, invalidf("empty reply")
	}
	if !utf8.ValidString(in.Text) || utf8.RuneCountInString(in.Text) > maxReplyRunes {
		return Message{}, invalidf("reply longer than %d characters", maxReplyRunes)
	}
	var m Message
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = s.queueReplyTx(ctx, tx, orgID, convID, in, Out, sc)
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("desk: reply: %w", err)
	}
	s.enqueue(ctx, orgID, m.ID)
	return m, nil
}

func (s *Service) queueReplyTx(ctx context.Context, tx *sql.Tx, orgID, convID string, in ReplyInput, dir Direction, sc Scope) (Message, error) {
	c, err := s.conversation(ctx, tx, orgID, convID)
	if err != nil {
		return Message{}, err
	}
	if !sc.allows(c.OfficeID) {
		return Message{}, ErrForbidden
	}
	if in.Private && c.Visibility != channel.Public {
		in.Private = false // already private
	}
	// Refused here, in words, rather than failing later in the job: a
	// reply meant to be private never goes out in public.
	can := s.Actions(c)
	switch {
	case !can.Reply:
		return Message{}, fmt.Errorf("%w: reply through %s", ErrNotOffered, c.Source)
	case in.Private && !can.ReplyPrivate:
		return Message{}, fmt.Errorf("%w: reply in private through %s", ErrNotOffered, c.Source)
	}
	now := s.now()
	m := Message{ID: store.NewID(), ConversationID: convID, Direction: dir, PersonID: in.PersonID, Text: in.Text,
		State: StateQueued, Private: in.Private, CreatedAt: now}
	if in.PersonID != "" {
		if err := tx.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, in.PersonID).Scan(&m.AuthorName); err != nil {
			return Message{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_messages (id, org_id, conversation_id, channel_key, direction, person_id,
		author_name, text, state, private, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10)`,
		m.ID, orgID, convID, c.ChannelKey, string(dir), nullable(in.PersonID), m.AuthorName, m.Text, m.Private, now); err != nil {
		return Message{}, err
	}
	// An automatic reply is not the desk's answer: the conversation stays
	// in the queue and its SLA keeps running.
	if dir == Out {
		if _, err := tx.ExecContext(ctx, `UPDATE desk_conversations SET status = 'answered', updated_at = $1,
			first_response_at = COALESCE(first_response_at, $1) WHERE id = $2`, now, convID); err != nil {
			return Message{}, err
		}
		if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "desk.reply", TargetType: "conversation", TargetID: convID,
			TargetLabel: c.Subject, After: map[string]any{"message": m.ID, "private": m.Private}}); err != nil {
			return Message{}, err
		}
	}
	return m, nil
}

// ReplyGroup answers every open conversation of a near-duplicate group
// with the same text, each citizen on their own channel. It returns how
// many replies were queued.
func (s *Service) ReplyGroup(ctx context.Context, orgID, groupID string, in ReplyInput, sc Scope) (int, error) {
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" {
		return 0, invalidf("empty reply")
	}
	if !utf8.ValidString(in.Text) || utf8.RuneCountInString(in.Text) > maxReplyRunes {
		return 0, invalidf("reply longer than %d characters", maxReplyRunes)
	}
	ids, err := queryIDs(ctx, s.DB.Read, `SELECT id FROM desk_conversations WHERE org_id = $1 AND group_id = $2
		AND status IN ('new', 'assigned', 'waiting') ORDER BY id`, orgID, groupID)
	if err != nil {
		return 0, fmt.Errorf("desk: group reply: %w", err)
	}
	var queued []string
	// Batches keep each transaction short on SQLite's single writer.
	for start := 0; start < len(ids); start += 100 {
		batch := ids[start:min(start+100, len(ids))]
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, id := range batch {
				m, err := s.queueReplyTx(ctx, tx, orgID, id, in, Out, sc)
				if errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotOffered) {
					continue // another office's conversation, or one the desk cannot answer
				}
				if err != nil {
					return err
				}
				queued = append(queued, m.ID)
			}
			return nil
		})
		if err != nil {
			return len(queued), fmt.Errorf("desk: group reply: %w", err)
		}
	}
	for _, id := range queued {
		s.enqueue(ctx, orgID, id)
	}
	return len(queued), nil
}

// Retry queues a failed reply, or one whose outcome is unknown, again.
// The person decides: a reply left "sending" by a crash may have reached
// the citizen.
func (s *Service) Retry(ctx context.Context, orgID, messageID string, sc Scope) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var convID, state string
		if err := tx.QueryRowContext(ctx, `SELECT conversation_id, state FROM desk_messages WHERE id = $1 AND org_id = $2
			AND direction IN ('out', 'auto')`, messageID, orgID).Scan(&convID, &state); err != nil {
			return store.Normalize(err)
		}
		c, err := s.conversation(ctx, tx, orgID, convID)
		if err != nil {
			return err
		}
		if !sc.allows(c.OfficeID) {
			return ErrForbidden
		}
		if state != StateFailed && state != StateSending && state != StateUnknown {
			return invalidf("only a failed reply can be sent again")
		}
		_, err = tx.ExecContext(ctx, `UPDATE desk_messages SET state = 'queued', error = '' WHERE id = $1`, messageID)
		return err
	})
	if err != nil {
		return fmt.Errorf("desk: retry: %w", err)
	}
	s.enqueue(ctx, orgID, messageID)
	return nil
}

type replyArgs struct {
	OrgID     string `json:"org_id"`
	MessageID string `json:"message_id"`
}

func (replyArgs) Kind() string { return "desk.reply" }

func (replyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: string(jobs.LaneIngest), MaxAttempts: 4}
}

type replyWorker struct {
	river.WorkerDefaults[replyArgs]
	s *Service
}

func (w *replyWorker) Work(ctx context.Context, job *river.Job[replyArgs]) error {
	err := w.s.send(ctx, job.Args.OrgID, job.Args.MessageID, job.Attempt >= job.MaxAttempts)
	var retry *retryable
	if errors.As(err, &retry) {
		if retry.after > 0 {
			return river.JobSnooze(retry.after)
		}
		return retry.err
	}
	return err
}

func (w *replyWorker) Timeout(*river.Job[replyArgs]) time.Duration { return 2 * time.Minute }

type retryable struct {
	err   error
	after time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }

func (s *Service) enqueue(ctx context.Context, orgID, messageID string) {
	if s.Jobs == nil {
		if err := s.send(ctx, orgID, messageID, true); err != nil {
			s.Log.Warn("desk: reply", "message", messageID, "err", err)
		}
		return
	}
	if err := s.Jobs.Insert(ctx, replyArgs{OrgID: orgID, MessageID: messageID}, nil); err != nil {
		// The row stays queued; the SLA sweep queues it again.
		s.Log.Error("desk: queue reply", "message", messageID, "err", err)
	}
}

// send hands one queued reply to the platform. last says this is the
// final attempt: a retryable failure becomes a failure a person sees.
func (s *Service) send(ctx context.Context, orgID, messageID string, last bool) error {
	var convID, text string
	var private bool
	r, err := s.DB.Write.ExecContext(ctx, `UPDATE desk_messages SET state = 'sending', attempts = attempts + 1
		WHERE id = $1 AND org_id = $2 AND state = 'queued'`, messageID, orgID)
	if err != nil {
		return fmt.Errorf("desk: claim reply: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil // sent, failed or claimed by another worker
	}
	if err := s.DB.Write.QueryRowContext(ctx, `SELECT conversation_id, text, private FROM desk_messages WHERE id = $1`, messageID).
		Scan(&convID, &text, &private); err != nil {
		return fmt.Errorf("desk: reply: %w", err)
	}
	c, err := s.conversation(ctx, s.DB.Write, orgID, convID)
	if err != nil {
		return err
	}
	pub, sendErr := s.deliver(ctx, c, messageID, text, private)
	if sendErr == nil {
		_, err := s.DB.Write.ExecContext(ctx, `UPDATE desk_messages SET state = 'sent', remote_id = $1, remote_url = $2, error = ''
			WHERE id = $3`, pub.RemoteID, pub.URL, messageID)
		if err != nil {
			return fmt.Errorf("desk: reply sent: %w", err)
		}
		return s.touch(ctx, convID)
	}
	kind := channel.KindOf(sendErr)
	if !last && (kind == channel.Retryable || kind == channel.RateLimited) {
		_, err := s.DB.Write.ExecContext(ctx, `UPDATE desk_messages SET state = 'queued', error = $1 WHERE id = $2`,
			clip(sendErr.Error(), 500), messageID)
		if err != nil {
			return fmt.Errorf("desk: reply: %w", err)
		}
		var after time.Duration
		if ce := channel.AsError(sendErr); ce != nil {
			after = ce.RetryAfter
		}
		return &retryable{err: sendErr, after: after}
	}
	state := StateFailed
	if ce := channel.AsError(sendErr); ce != nil && ce.Kind == channel.Unknown {
		state = StateUnknown // never re-sent blindly: a person decides
	}
	_, err = s.DB.Write.ExecContext(ctx, `UPDATE desk_messages SET state = $1, error = $2 WHERE id = $3`,
		state, clip(sendErr.Error(), 500), messageID)
	if err != nil {
		return fmt.Errorf("desk: reply failed: %w", err)
	}
	s.Log.Warn("desk: reply failed", "message", messageID, "source", c.Source, "err", sendErr)
	return s.touch(ctx, convID)
}

// touch marks a conversation changed, so live views refresh.
func (s *Service) touch(ctx context.Context, convID string) error {
	_, err := s.DB.Write.ExecContext(ctx, `UPDATE desk_conversations SET updated_at = $1 WHERE id = $2`, s.now(), convID)
	return err
}

// deliver sends through the conversation's channel.
func (s *Service) deliver(ctx context.Context, c Conversation, messageID, text string, private bool) (channel.Published, error) {
	switch c.Source {
	case SourceWebForm, SourceOpen311:
		// The answer is on the citizen's status page; an email tells them
		// when they left an address.
		if strings.Contains(c.AuthorContact, "@") && s.Mail != nil {
			err := s.Mail.Send(ctx, mail.Message{To: []string{c.AuthorContact}, Subject: "Re: " + c.Subject, Text: text})
			if err != nil {
				return channel.Published{}, err
			}
		}
		return channel.Published{}, nil
	case SourceEmail:
		if s.Mail == nil {
			return channel.Published{}, ErrNoReply
		}
		// The answer continues the citizen's thread: In-Reply-To names
		// their last message, References the thread's first.
		to, err := s.lastInbound(ctx, c)
		if err != nil {
			return channel.Published{}, err
		}
		root, _, _ := strings.Cut(c.Thread, " ")
		headers := map[string]string{}
		if strings.HasPrefix(to.RemoteID, "<") {
			headers["In-Reply-To"] = to.RemoteID
			headers["References"] = strings.TrimSpace(root + " " + to.RemoteID)
			if root == to.RemoteID {
				headers["References"] = root
			}
		}
		err = s.Mail.Send(ctx, mail.Message{To: []string{c.AuthorContact}, Subject: "Re: " + c.Subject, Text: text, Headers: headers})
		return channel.Published{}, err
	}
	if c.AccountID == "" || s.Publish == nil {
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Err: errors.New("the channel account was removed")}
	}
	_, acct, err := s.Publish.Connect(ctx, c.OrgID, c.AccountID)
	if err != nil {
		return channel.Published{}, err
	}
	conn, ok := s.Publish.Registry().For(acct)
	if !ok {
		return channel.Published{}, ErrNoReply
	}
	rep, ok := conn.(channel.Replier)
	if !ok {
		return channel.Published{}, &channel.Error{Kind: channel.Permanent, Err: fmt.Errorf("%s: %w", c.Source, ErrNoReply)}
	}
	to, err := s.lastInbound(ctx, c)
	if err != nil {
		return channel.Published{}, err
	}
	return rep.Reply(ctx, acct, channel.Reply{Key: messageID, Text: text, To: to, Private: private})
}

// lastInbound rebuilds the citizen's latest message as the connector
// needs it to answer.
func (s *Service) lastInbound(ctx context.Context, c Conversation) (channel.Inbound, error) {
	var remote, raw string
	err := s.DB.Write.QueryRowContext(ctx, `SELECT remote_id, raw FROM desk_messages WHERE conversation_id = $1 AND direction = 'in'
		ORDER BY created_at DESC, id DESC LIMIT 1`, c.ID).Scan(&remote, &raw)
	if err != nil {
		return channel.Inbound{}, fmt.Errorf("desk: the citizen's message: %w", store.Normalize(err))
	}
	in := channel.Inbound{RemoteID: remote, Thread: c.Thread, Visibility: c.Visibility, AuthorID: c.AuthorID,
		AuthorHandle: c.AuthorHandle, AuthorName: c.AuthorName, PostID: c.PostID}
	_ = json.Unmarshal([]byte(raw), &in.Raw)
	return in, nil
}
