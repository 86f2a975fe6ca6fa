// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Group commit. A surge is a thousand webhooks a second, each answered
// only once its message is stored. Triage and the checks run in the
// request, in parallel; the writes of the messages that arrive together go
// into one transaction, each in a savepoint of its own so that one bad
// message never takes the others down. Under load the batches grow by
// themselves (what arrived while the previous transaction ran); when
// quiet, a message is written alone at once. On SQLite's single writer
// this turns a commit per message into a commit per batch.

const maxBatch = 200

// writers is how many batches are written at once: one on SQLite (one
// writer anyway), a few on PostgreSQL, where a batch's round trips would
// otherwise be the limit.
func (b *batcher) writers() int {
	if b.s.DB.Engine == store.Postgres {
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

	out  Ingested
	err  error
	done chan struct{}
}

type batcher struct {
	s       *Service
	mu      sync.Mutex
	queue   []*pending
	running int
}

// write queues w and waits until its batch is committed (or failed).
func (b *batcher) write(ctx context.Context, w *pending) error {
	b.mu.Lock()
	b.queue = append(b.queue, w)
	if b.running < b.writers() {
		b.running++
		go b.loop()
	}
	b.mu.Unlock()
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		// The batch may still store it: a retry of the webhook finds it.
		return ctx.Err()
	}
}

// loop writes batches until the queue is empty, then stops: no goroutine
// lingers while the desk is quiet.
func (b *batcher) loop() {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		n := min(len(b.queue), maxBatch)
		batch := make([]*pending, n)
		copy(batch, b.queue)
		b.queue = append(b.queue[:0], b.queue[n:]...)
		b.mu.Unlock()
		b.run(batch)
	}
}

func (b *batcher) run(batch []*pending) {
	// The batch serves many requests: none of their contexts may cancel it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := b.s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i, w := range batch {
			sp := fmt.Sprintf("m%d", i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				return err
			}
			w.err = b.s.writeOne(ctx, tx, w)
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
	})
	for _, w := range batch {
		if err != nil {
			w.err = err
		}
		close(w.done)
	}
}
