// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Group commit. A surge is a thousand webhooks a second, each answered
// only once its message is stored. Triage and the checks run in the
// request, in parallel; the writes of the messages that arrive together go
// into one transaction. Under load the batches grow by themselves (what
// arrived while the previous transaction ran); when quiet, a message is
// written alone at once. On SQLite's single writer this turns a commit per
// message into a commit per batch.
//
// On PostgreSQL a batch is first written set-based: one lookup of its
// threads, one multi-row insert of the new conversations and one of their
// messages; the rest (a thread already open, an urgent message, a photo)
// one by one after them. Statements per message, not rows, were
// PostgreSQL's cost. If anything in that transaction fails (a webhook
// retry racing its first delivery, a bad row), and always on SQLite, the
// batch is written message by message, each in a savepoint, so one bad
// message never takes the others down.

const maxBatch = 200

// writers is how many batches are written at once: one on SQLite (one
// writer anyway), a few on PostgreSQL, where a batch's round trips would
// otherwise be the limit. Each writer owns a share of the threads, so two
// batches never touch the same conversation at once: no lock waits or
// deadlocks between them, and a webhook retry queues behind its first
// delivery.
func writers(engine store.Engine) int {
	if engine == store.Postgres {
		return 4
	}
	return 1
}

// pending is one prepared message waiting for its batch.
type pending struct {
	in          Inbound
	key         string
	res         triage.Result
	cfg         *orgConfig
	officeCode  string
	officeID    string
	blocked     bool
	status      Status
	attachments string
	raw         string
	confidence  string
	// surge is the emergency the message is about, if any.
	surge *Surge
	// convID and token are chosen once: a batch written twice opens the
	// same conversation.
	convID string
	token  string

	out  Ingested
	err  error
	done chan struct{}
}

type batcher struct {
	s      *Service
	shards []shard
}

type shard struct {
	mu      sync.Mutex
	queue   []*pending
	running bool
}

func newBatcher(s *Service) *batcher {
	return &batcher{s: s, shards: make([]shard, writers(s.DB.Engine))}
}

// write queues w and waits until its batch is committed (or failed).
func (b *batcher) write(ctx context.Context, w *pending) error {
	h := fnv.New32a()
	for _, part := range []string{w.in.OrgID, w.key, w.in.Msg.Thread} {
		_, _ = h.Write([]byte(part))
		_, _ = h.Write([]byte{0})
	}
	sh := &b.shards[h.Sum32()%uint32(len(b.shards))]
	sh.mu.Lock()
	sh.queue = append(sh.queue, w)
	if !sh.running {
		sh.running = true
		go b.loop(sh)
	}
	sh.mu.Unlock()
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		// The batch may still store it: a retry of the webhook finds it.
		return ctx.Err()
	}
}

// loop writes a shard's batches until its queue is empty, then stops: no
// goroutine lingers while the desk is quiet.
func (b *batcher) loop(sh *shard) {
	for {
		sh.mu.Lock()
		if len(sh.queue) == 0 {
			sh.running = false
			sh.mu.Unlock()
			return
		}
		n := min(len(sh.queue), maxBatch)
		batch := make([]*pending, n)
		copy(batch, sh.queue)
		sh.queue = append(sh.queue[:0], sh.queue[n:]...)
		sh.mu.Unlock()
		b.run(batch)
	}
}

func (b *batcher) run(batch []*pending) {
	// The batch serves many requests: none of their contexts may cancel it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Set-based on PostgreSQL, where each statement is a round trip and
	// server work; statement by statement on SQLite, in process, where a
	// multi-row insert of thousands of parameters (a new statement to
	// prepare for each batch size) measured half as fast.
	write := b.s.writeSet
	if b.s.DB.Engine == store.SQLite {
		write = b.s.writeEach
	}
	err := b.s.DB.Tx(ctx, func(tx *sql.Tx) error { return write(ctx, tx, batch) })
	if err != nil && ctx.Err() == nil {
		err = b.s.DB.Tx(ctx, func(tx *sql.Tx) error { return b.s.writeEach(ctx, tx, batch) })
	}
	for _, w := range batch {
		if err != nil {
			w.err = err
		}
		close(w.done)
	}
}

// writeEach writes the batch one message at a time, each in a savepoint:
// the slow path that isolates a bad message.
func (s *Service) writeEach(ctx context.Context, tx *sql.Tx, batch []*pending) error {
	for i, w := range batch {
		sp := fmt.Sprintf("m%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
			return err
		}
		w.err = s.writeOne(ctx, tx, w)
		if w.err != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
			return err
		}
	}
	return nil
}

// threadKey names a conversation: organisation, channel and thread.
type threadKey struct{ org, channel, thread string }

// writeSet writes the batch set-based; any error fails the whole
// transaction and the caller falls back to writeEach.
func (s *Service) writeSet(ctx context.Context, tx *sql.Tx, batch []*pending) error {
	open, err := openThreads(ctx, tx, batch)
	if err != nil {
		return err
	}
	now := s.now()
	var simple, rest []*pending
	seen := make(map[threadKey]bool, len(batch))
	for _, w := range batch {
		k := threadKey{w.in.OrgID, w.key, w.in.Msg.Thread}
		// Only a message that opens its conversation, without a photo and
		// not urgent (which queues an answer and notifies), goes in the set.
		if open[k] || seen[k] || len(w.in.Files) > 0 || w.res.Urgency == "alta" || w.surge != nil {
			rest = append(rest, w)
		} else {
			simple = append(simple, w)
		}
		seen[k] = true
	}
	if len(simple) > 0 {
		convs := make([]any, 0, len(simple)*len(newConvColumns))
		msgs := make([]any, 0, len(simple)*len(newMsgColumns))
		for _, w := range simple {
			in := w.in
			w.out = Ingested{MessageID: w.out.MessageID, Labels: w.res.Labels, NewConversation: true,
				ConversationID: w.convID, Token: w.token}
			group := s.grouper.assign(in.OrgID, w.convID, in.Msg.Text, w.officeCode+"/"+w.res.Category, in.Msg.At)
			convs = append(convs, w.convArgs(group, now)...)
			msgs = append(msgs, w.msgArgs()...)
		}
		if _, err := tx.ExecContext(ctx, insertRows("desk_conversations", newConvColumns, len(simple)), convs...); err != nil {
			return fmt.Errorf("conversations: %w", store.Normalize(err))
		}
		if _, err := tx.ExecContext(ctx, insertRows("desk_messages", newMsgColumns, len(simple)), msgs...); err != nil {
			return fmt.Errorf("messages: %w", store.Normalize(err))
		}
	}
	for _, w := range rest {
		if w.err = s.writeOne(ctx, tx, w); w.err != nil {
			return w.err
		}
	}
	return nil
}

// openThreads returns which of the batch's threads already have a
// conversation, in one query.
func openThreads(ctx context.Context, tx *sql.Tx, batch []*pending) (map[threadKey]bool, error) {
	var q strings.Builder
	args := make([]any, 0, 3*len(batch))
	q.WriteString(`SELECT org_id, channel_key, thread FROM desk_conversations WHERE (org_id, channel_key, thread) IN (VALUES `)
	for i, w := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, w.in.OrgID, w.key, w.in.Msg.Thread)
	}
	q.WriteString(")")
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("threads: %w", store.Normalize(err))
	}
	defer func() { _ = rows.Close() }()
	open := make(map[threadKey]bool)
	for rows.Next() {
		var k threadKey
		if err := rows.Scan(&k.org, &k.channel, &k.thread); err != nil {
			return nil, err
		}
		open[k] = true
	}
	return open, rows.Err()
}

// The columns a new conversation and an incoming message are written
// with, shared by the set and the one-by-one paths.
var (
	newConvColumns = []string{"id", "org_id", "account_id", "source", "channel_key", "thread", "visibility", "author_id",
		"author_handle", "author_name", "author_contact", "post_id", "subject", "status", "office_id", "category", "urgency",
		"moderation", "confidence", "group_id", "token", "message_count", "created_at", "updated_at", "last_in_at", "due_at",
		"resolved_at", "incident_id"}
	newMsgColumns = []string{"id", "org_id", "conversation_id", "channel_key", "remote_id", "direction", "author_name", "text",
		"attachments", "state", "raw", "created_at"}
)

// convArgs are a new conversation's values, in newConvColumns' order.
func (w *pending) convArgs(group string, now time.Time) []any {
	in, res := &w.in, &w.res
	due, resolved := w.timing(now)
	return []any{w.convID, in.OrgID, nullable(in.AccountID), in.Source, w.key, in.Msg.Thread,
		string(in.Msg.Visibility), in.Msg.AuthorID, in.Msg.AuthorHandle, in.Msg.AuthorName, clip(in.Contact, maxNameRunes),
		in.Msg.PostID, subject(in.Msg.Text), string(w.status), nullable(w.officeID), res.Category, res.Urgency, res.Moderation,
		w.confidence, group, w.token, 1, now, now, in.Msg.At, due, resolved, w.incidentID()}
}

// incidentID is the incident the message is filed under, "" for none.
func (w *pending) incidentID() string {
	if w.surge == nil {
		return ""
	}
	return w.surge.IncidentID
}

// msgArgs are the incoming message's values, in newMsgColumns' order.
func (w *pending) msgArgs() []any {
	in := &w.in
	return []any{w.out.MessageID, in.OrgID, w.out.ConversationID, w.key, in.Msg.RemoteID, "in", authorLabel(in.Msg),
		in.Msg.Text, w.attachments, "received", w.raw, in.Msg.At}
}

// timing is a new conversation's SLA deadline and, for a blocked
// author's archived message, its resolution time.
func (w *pending) timing(now time.Time) (due, resolved any) {
	due = w.cfg.due(w.res.Urgency, w.res.Category, w.in.Msg.At)
	if w.status == StatusClosed {
		return nil, now
	}
	return due, nil
}

// insertRows is a multi-row INSERT of n rows.
func insertRows(table string, cols []string, n int) string {
	var q strings.Builder
	q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range cols {
			if j > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "$%d", p)
			p++
		}
		q.WriteByte(')')
	}
	return q.String()
}
