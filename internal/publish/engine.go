// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/store"
)

// State is where a publication stands.
type State string

// The publication states.
const (
	StateScheduled  State = "scheduled"  // waits for its time
	StateQueued     State = "queued"     // due: a job is on its way
	StatePublishing State = "publishing" // an attempt is in flight (leased)
	StateRetrying   State = "retrying"   // waits for next_attempt_at after a retryable failure
	StateWaiting    State = "waiting"    // the account needs attention; resumes when it is reconnected
	StatePublished  State = "published"
	StateFailed     State = "failed"  // the platform refused it, in its own words
	StateUnknown    State = "unknown" // sent, no answer: a person decides
	StateCancelled  State = "cancelled"
	StateDeleted    State = "deleted" // removed from the platform (rettifica)
)

// pending are the states in which a publication may still be attempted.
var pending = []State{StateScheduled, StateQueued, StatePublishing, StateRetrying, StateWaiting}

// Settled reports whether no attempt will be made any more.
func (st State) Settled() bool {
	for _, p := range pending {
		if st == p {
			return false
		}
	}
	return true
}

// Publication is one variant of a post on one account.
type Publication struct {
	ID            string
	OrgID         string
	PostID        string
	VariantID     string
	AccountID     string
	State         State
	DueAt         time.Time
	NextAttemptAt time.Time
	Attempts      int
	RemoteID      string
	RemoteURL     string
	PublishedAt   time.Time
	LastError     string
	ErrorKind     string
	Exempt        bool
	UpdatedAt     time.Time
}

const publicationColumns = `id, org_id, post_id, variant_id, account_id, state, due_at, next_attempt_at, attempts,
	remote_id, remote_url, published_at, last_error, error_kind, exempt, updated_at`

func scanPublication(sc interface{ Scan(...any) error }) (Publication, error) {
	var (
		p         Publication
		st        string
		published sql.NullTime
	)
	err := sc.Scan(&p.ID, &p.OrgID, &p.PostID, &p.VariantID, &p.AccountID, &st, &p.DueAt, &p.NextAttemptAt, &p.Attempts,
		&p.RemoteID, &p.RemoteURL, &published, &p.LastError, &p.ErrorKind, &p.Exempt, &p.UpdatedAt)
	p.State, p.PublishedAt = State(st), published.Time
	return p, err
}

// Publications lists the publications of a post.
func (s *Service) Publications(ctx context.Context, orgID, postID string) ([]Publication, error) {
	return s.publications(ctx, `SELECT `+publicationColumns+` FROM publications WHERE org_id = $1 AND post_id = $2
		ORDER BY created_at, id`, orgID, postID)
}

// Publication returns one publication.
func (s *Service) Publication(ctx context.Context, orgID, id string) (Publication, error) {
	p, err := scanPublication(s.db.Read.QueryRowContext(ctx, `SELECT `+publicationColumns+` FROM publications
		WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Publication{}, fmt.Errorf("publish: publication %s: %w", id, store.Normalize(err))
	}
	return p, nil
}

func (s *Service) publications(ctx context.Context, q string, args ...any) ([]Publication, error) {
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("publish: publications: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		p, err := scanPublication(rows)
		if err != nil {
			return nil, fmt.Errorf("publish: publications: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Run dispatches due publications and recovers dead attempts until ctx is
// done. Every instance runs it: claiming a row is a single conditional
// UPDATE, so instances sharing a PostgreSQL database never take the same
// row twice.
func (s *Service) Run(ctx context.Context) {
	poll := time.NewTicker(s.PollInterval)
	defer poll.Stop()
	recoverTick := time.NewTicker(s.RecoverInterval)
	defer recoverTick.Stop()
	s.recoverDead(ctx) // a restart after a crash settles the crash's leftovers first
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-s.wake:
		case <-recoverTick.C:
			s.recoverDead(ctx)
			continue
		}
		for {
			n, err := s.Dispatch(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("publish: dispatch", "err", err)
				}
				break
			}
			if n < dispatchBatch {
				break
			}
		}
	}
}

// Wake makes Run look for due rows now (after scheduling something due).
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

const dispatchBatch = 500

// staleQueued is how long a queued row waits for its job before recovery
// enqueues another: a job is lost only when the process dies between
// queueing the row and enqueueing the job, or the job failed for good.
const staleQueued = 90 * time.Second

// Dispatch moves due publications to "queued" and enqueues a job for
// each. A suspended organisation's publications stay put unless exempt
// (emergency alerts); one due in its account's quiet hours is moved to
// their end. It returns how many rows it looked at.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	now := store.Now()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.id, p.org_id, p.account_id, p.exempt, a.quiet_start, a.quiet_end,
			o.timezone, COALESCE(ps.suspended, FALSE)
		FROM publications p
		JOIN channel_accounts a ON a.id = p.account_id
		JOIN organisations o ON o.id = p.org_id
		LEFT JOIN publishing_settings ps ON ps.org_id = p.org_id
		WHERE p.state IN ('scheduled', 'retrying') AND p.next_attempt_at <= $1
			AND (p.exempt OR NOT COALESCE(ps.suspended, FALSE))
		ORDER BY p.next_attempt_at LIMIT $2`, now, dispatchBatch)
	if err != nil {
		return 0, fmt.Errorf("publish: due: %w", err)
	}
	// Iterating to the end closes the rows; the defer covers the early returns.
	defer rows.Close()
	type due struct {
		id, org, account, quietStart, quietEnd, tz string
		exempt, suspended                          bool
	}
	var all []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.org, &d.account, &d.exempt, &d.quietStart, &d.quietEnd, &d.tz, &d.suspended); err != nil {
			return 0, fmt.Errorf("publish: due: %w", err)
		}
		all = append(all, d)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var ready []string
	deferred := map[string]time.Time{}
	exempted := map[string]string{} // id → org, for the audit log
	for _, d := range all {
		if d.exempt {
			// An emergency alert goes out whatever the switch and the quiet
			// hours say; each such exemption is on record.
			if _, quiet := quietUntil(now, d.quietStart, d.quietEnd, d.tz); quiet || d.suspended {
				exempted[d.id] = d.org
			}
			ready = append(ready, d.id)
			continue
		}
		if d.suspended {
			continue
		}
		if end, quiet := quietUntil(now, d.quietStart, d.quietEnd, d.tz); quiet {
			deferred[d.id] = end
			continue
		}
		ready = append(ready, d.id)
	}
	if len(ready) == 0 && len(deferred) == 0 {
		return 0, nil
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for id, at := range deferred {
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET next_attempt_at = $1, updated_at = $2
				WHERE id = $3 AND state IN ('scheduled', 'retrying')`, store.Time(at), now, id); err != nil {
				return err
			}
		}
		for id, orgID := range exempted {
			if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "publication.exempt", TargetType: "publication",
				TargetID: id, After: map[string]string{"reason": "emergency alert: cadence, quiet hours and suspension do not apply"}}); err != nil {
				return err
			}
		}
		for chunk := range chunks(ready, 200) {
			args := []any{now}
			ph := make([]string, len(chunk))
			for i, id := range chunk {
				args = append(args, id)
				ph[i] = fmt.Sprintf("$%d", i+2)
			}
			// The state is checked again here: another instance may have
			// queued the row since we read it.
			q := `UPDATE publications SET state = 'queued', updated_at = $1 WHERE id IN (` + strings.Join(ph, ",") + `) AND state IN ('scheduled', 'retrying')` //nolint:gosec // G202: placeholders only
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("publish: queue: %w", err)
	}
	// Together, so that a worker's next fetch finds them all: inserted one
	// by one on PostgreSQL, the jobs after the first waited for River's
	// next poll (jobs.Runner.InsertMany).
	params := make([]river.InsertManyParams, len(ready))
	for i, id := range ready {
		params[i] = river.InsertManyParams{Args: publishArgs{PublicationID: id}}
	}
	for i := 0; i < len(params); i += enqueueBatch {
		if err := s.jobs.InsertMany(ctx, params[i:min(i+enqueueBatch, len(params))]); err != nil {
			// The rows stay queued; recovery enqueues them again.
			return 0, err
		}
	}
	return len(ready) + len(deferred), nil
}

// enqueueBatch bounds the jobs inserted in one statement.
const enqueueBatch = 500

func chunks(ids []string, n int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for i := 0; i < len(ids); i += n {
			if !yield(ids[i:min(i+n, len(ids))]) {
				return
			}
		}
	}
}

// quietUntil reports whether now falls in the quiet hours start–end (local
// HH:MM in tz, possibly wrapping midnight) and when they end.
func quietUntil(now time.Time, start, end, tz string) (time.Time, bool) {
	if start == "" || end == "" || start == end {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	local := now.In(loc)
	sm, em := minutesOf(start), minutesOf(end)
	cur := local.Hour()*60 + local.Minute()
	var in bool
	if sm < em {
		in = cur >= sm && cur < em
	} else {
		in = cur >= sm || cur < em
	}
	if !in {
		return time.Time{}, false
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	until := day.Add(time.Duration(em) * time.Minute)
	if !until.After(local) {
		until = day.AddDate(0, 0, 1).Add(time.Duration(em) * time.Minute)
	}
	return until.UTC(), true
}

func minutesOf(hhmm string) int {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return h*60 + m
}

// attempt is one try at a publication, run by its job.
func (s *Service) attempt(ctx context.Context, id string) error {
	now := store.Now()
	var p Publication
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanPublication(tx.QueryRowContext(ctx, `UPDATE publications SET state = 'publishing',
			attempts = attempts + 1, lease_until = $1, updated_at = $2
			WHERE id = $3 AND state = 'queued' RETURNING `+publicationColumns, store.Time(now.Add(s.Lease)), now, id))
		return err
	})
	if errors.Is(store.Normalize(err), store.ErrNotFound) {
		return nil // settled, or another job holds it
	}
	if err != nil {
		return fmt.Errorf("publish: claim %s: %w", id, err)
	}
	acct, err := s.Account(ctx, p.OrgID, p.AccountID)
	if err != nil {
		return s.settle(ctx, p, Published{}, err)
	}
	switch acct.Status {
	case AccountAttention:
		return s.park(ctx, p, acct.StatusReason)
	case AccountDisabled:
		return s.settle(ctx, p, Published{}, &channel.Error{Kind: channel.Permanent, Platform: acct.Platform,
			Op: "publish", Message: "account disattivato"})
	}
	if wait := s.limiter(acct).reserve(); wait > 0 {
		return s.retryAt(ctx, p, now.Add(wait), false, "")
	}
	conn, ca, post, err := s.prepare(ctx, p, acct)
	if err != nil {
		return s.settle(ctx, p, Published{}, err)
	}
	cctx, cancel := context.WithTimeout(ctx, s.AttemptTimeout)
	pub, perr := conn.Publish(cctx, ca, post)
	cancel()
	if perr != nil && channel.KindOf(perr) == channel.Unknown {
		// The post may exist. Settle it from the platform where we can.
		pub, perr = s.resolveUnknown(ctx, conn, ca, post, p, perr)
	}
	return s.settle(ctx, p, Published{Published: pub}, perr)
}

// Published wraps a connector's answer for settle.
type Published struct{ channel.Published }

// resolveUnknown turns an unknown outcome into a known one when the
// connector allows: an idempotent retry is safe (retryable), a Finder can
// look. Otherwise the outcome stays unknown.
func (s *Service) resolveUnknown(ctx context.Context, conn channel.Connector, ca channel.Account, post channel.Post,
	p Publication, cause error) (channel.Published, error) {
	if conn.Capabilities().Idempotent {
		return channel.Published{}, &channel.Error{Kind: channel.Retryable, Platform: ca.Platform, Op: "publish",
			Message: "nessuna risposta; nuovo tentativo con la stessa chiave di idempotenza", Err: cause}
	}
	finder, ok := conn.(channel.Finder)
	if !ok {
		return channel.Published{}, cause
	}
	fctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	found, ok, err := finder.Find(fctx, ca, post, p.UpdatedAt.Add(-time.Minute))
	switch {
	case err != nil:
		return channel.Published{}, cause
	case ok:
		return found, nil
	default:
		return channel.Published{}, &channel.Error{Kind: channel.Retryable, Platform: ca.Platform, Op: "publish",
			Message: "nessuna risposta; il post non risulta pubblicato, nuovo tentativo", Err: cause}
	}
}

// prepare builds what the connector needs: the connector, the account with
// its credentials, and the post with media fitted to the platform.
func (s *Service) prepare(ctx context.Context, p Publication, acct Account) (channel.Connector, channel.Account, channel.Post, error) {
	conn, ok := s.reg.For(channel.Account{Platform: acct.Platform, Sandbox: acct.Sandbox})
	if !ok {
		return nil, channel.Account{}, channel.Post{}, &channel.Error{Kind: channel.Permanent, Platform: acct.Platform,
			Op: "publish", Message: "piattaforma non disponibile in questa installazione"}
	}
	ca, err := s.channelAccount(ctx, acct)
	if err != nil {
		return nil, channel.Account{}, channel.Post{}, err
	}
	post, err := s.editorial.Post(ctx, p.OrgID, p.PostID)
	if err != nil {
		return nil, channel.Account{}, channel.Post{}, err
	}
	v, err := s.editorial.Variant(ctx, p.OrgID, p.VariantID)
	if err != nil {
		return nil, channel.Account{}, channel.Post{}, err
	}
	cp, err := s.channelPost(ctx, conn, ca, post, v)
	if err != nil {
		return nil, channel.Account{}, channel.Post{}, err
	}
	cp.Key = p.ID
	return conn, ca, cp, nil
}

// settle writes the outcome of an attempt. Only a row still in
// "publishing" is changed, so a late answer never overwrites what
// recovery or a person decided meanwhile.
func (s *Service) settle(ctx context.Context, p Publication, pub Published, perr error) error {
	now := store.Now()
	if perr == nil {
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			at := pub.At
			if at.IsZero() {
				at = now
			}
			res, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'published', remote_id = $1, remote_url = $2,
				published_at = $3, lease_until = NULL, last_error = '', error_kind = '', updated_at = $4
				WHERE id = $5 AND state = 'publishing'`, pub.RemoteID, pub.URL, store.Time(at), now, p.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			if err := audit.Record(ctx, tx, audit.Change{OrgID: p.OrgID, Action: "publication.published",
				TargetType: "publication", TargetID: p.ID, After: map[string]string{"remote_url": pub.URL}}); err != nil {
				return err
			}
			return s.settlePostTx(ctx, tx, p)
		})
	}
	e := channel.AsError(perr)
	kind := channel.KindOf(perr)
	if e == nil {
		// Our own failure (database, a deleted variant): nothing was sent.
		e = &channel.Error{Kind: channel.Retryable, Op: "publish", Err: perr}
		kind = channel.Retryable
		if errors.Is(perr, store.ErrNotFound) {
			e.Kind, kind = channel.Permanent, channel.Permanent
		}
	}
	msg := e.Message
	if msg == "" {
		msg = perr.Error()
	}
	switch kind {
	case channel.RateLimited:
		wait := max(e.RetryAfter, time.Second)
		s.holdAccount(p.AccountID, wait)
		return s.retryAt(ctx, p, now.Add(wait), true, msg)
	case channel.Retryable:
		if p.Attempts >= s.MaxAttempts {
			return s.fail(ctx, p, StateFailed, kind, msg)
		}
		return s.retryAt(ctx, p, now.Add(max(e.RetryAfter, backoff(p.Attempts))), false, msg)
	case channel.Auth:
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			return markAttentionTx(ctx, tx, p.OrgID, p.AccountID, truncate(msg, 500), now)
		})
		if err != nil {
			return err
		}
		return s.park(ctx, p, msg)
	case channel.Permanent:
		return s.fail(ctx, p, StateFailed, kind, msg)
	default:
		return s.fail(ctx, p, StateUnknown, kind, msg)
	}
}

// backoff is the wait before retry n (1-based): 5 s doubling to 30 min,
// with jitter so a platform's outage does not end in a stampede.
func backoff(n int) time.Duration {
	d := 5 * time.Second << min(n-1, 9)
	d = min(d, 30*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) //nolint:gosec // G404: jitter, not a secret
}

func (s *Service) retryAt(ctx context.Context, p Publication, at time.Time, rateLimited bool, msg string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// A rate limit is the platform's pacing, not a failure: it does not
		// use up an attempt.
		undo := 0
		if rateLimited || msg == "" {
			undo = 1
		}
		kind := ""
		if msg != "" {
			kind = channel.Retryable.String()
			if rateLimited {
				kind = channel.RateLimited.String()
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'retrying', next_attempt_at = $1, lease_until = NULL,
			attempts = attempts - $2, last_error = $3, error_kind = $4, updated_at = $5
			WHERE id = $6 AND state = 'publishing'`, store.Time(at), undo, truncate(msg, 1000), kind, store.Now(), p.ID)
		return err
	})
}

// park makes a publication wait for its account to be reconnected.
func (s *Service) park(ctx context.Context, p Publication, reason string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'waiting', lease_until = NULL, attempts = attempts - 1,
			last_error = $1, error_kind = 'auth', updated_at = $2 WHERE id = $3 AND state = 'publishing'`,
			truncate(reason, 1000), store.Now(), p.ID)
		return err
	})
}

// fail settles a publication as failed or unknown and tells its author,
// in the platform's own words.
func (s *Service) fail(ctx context.Context, p Publication, st State, kind channel.Kind, msg string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE publications SET state = $1, lease_until = NULL, last_error = $2,
			error_kind = $3, updated_at = $4 WHERE id = $5 AND state = 'publishing'`,
			string(st), truncate(msg, 1000), kind.String(), store.Now(), p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := audit.Record(ctx, tx, audit.Change{OrgID: p.OrgID, Action: "publication." + string(st),
			TargetType: "publication", TargetID: p.ID, After: map[string]string{"error": truncate(msg, 300)}}); err != nil {
			return err
		}
		if err := s.notifyAuthorTx(ctx, tx, p, st, msg); err != nil {
			return err
		}
		return s.settlePostTx(ctx, tx, p)
	})
}

func (s *Service) notifyAuthorTx(ctx context.Context, tx *sql.Tx, p Publication, st State, msg string) error {
	if s.notify == nil {
		return nil
	}
	var title, author, account string
	err := tx.QueryRowContext(ctx, `SELECT p.title, COALESCE(p.author_id, ''), a.name FROM posts p
		JOIN channel_accounts a ON a.id = $1 WHERE p.id = $2`, p.AccountID, p.PostID).Scan(&title, &author, &account)
	if err != nil || author == "" {
		return nil //nolint:nilerr // no author to tell: nothing more to do
	}
	n := notify.Notification{OrgID: p.OrgID, PersonID: author, Kind: notify.KindPublicationFailed,
		Title: title, Body: truncate(account+": "+msg, 900), Link: "/plan/posts/" + p.PostID}
	if st == StateUnknown {
		// In the author's language; the platform's words stay as they are.
		n.BodyPhrase = notify.Phrase{Key: "notify.body.publication_unknown", Args: []any{account, truncate(msg, 700)}}
	}
	return s.notify.Notify(ctx, tx, n)
}

// settlePostTx moves the post to published or failed once none of its
// publications is pending.
func (s *Service) settlePostTx(ctx context.Context, tx *sql.Tx, p Publication) error {
	// Lock the post first: two publications of one post settling at once
	// would otherwise each see the other still open (PostgreSQL, READ
	// COMMITTED) and neither would settle the post.
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET updated_at = updated_at WHERE id = $1`, p.PostID); err != nil {
		return err
	}
	var open, bad int
	err := tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN state IN ('scheduled','queued','publishing','retrying','waiting') THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state IN ('failed','unknown') THEN 1 ELSE 0 END), 0)
		FROM publications WHERE post_id = $1`, p.PostID).Scan(&open, &bad)
	if err != nil || open > 0 {
		return err
	}
	to := editorial.StatePublished
	if bad > 0 {
		to = editorial.StateFailed
	}
	return s.editorial.SetOutcomeTx(ctx, tx, p.OrgID, p.PostID, to)
}

// recoverDead settles attempts whose lease ran out (the process died
// mid-call) and re-enqueues queued rows whose job was lost (the process
// died between queueing and enqueueing).
func (s *Service) recoverDead(ctx context.Context) {
	now := store.Now()
	dead, err := s.publications(ctx, `SELECT `+publicationColumns+` FROM publications
		WHERE state = 'publishing' AND lease_until < $1 LIMIT 200`, now)
	if err != nil {
		s.log.Warn("publish: recover", "err", err)
		return
	}
	for _, p := range dead {
		if err := s.recoverOne(ctx, p); err != nil && ctx.Err() == nil {
			s.log.Warn("publish: recover", "publication", p.ID, "err", err)
		}
	}
	stale, err := s.publications(ctx, `SELECT `+publicationColumns+` FROM publications
		WHERE state = 'queued' AND updated_at < $1 LIMIT 500`, store.Time(now.Add(-staleQueued)))
	if err != nil {
		s.log.Warn("publish: recover", "err", err)
		return
	}
	// Should a job still exist after all, the second one finds the row
	// claimed and does nothing.
	params := make([]river.InsertManyParams, len(stale))
	for i, p := range stale {
		params[i] = river.InsertManyParams{Args: publishArgs{PublicationID: p.ID}}
	}
	if err := s.jobs.InsertMany(ctx, params); err != nil {
		s.log.Warn("publish: re-enqueue", "publications", len(stale), "err", err)
	}
}

func (s *Service) recoverOne(ctx context.Context, p Publication) error {
	acct, err := s.Account(ctx, p.OrgID, p.AccountID)
	if err != nil {
		return err
	}
	conn, ca, post, err := s.prepare(ctx, p, acct)
	if err != nil {
		return s.settle(ctx, p, Published{}, err)
	}
	lost := &channel.Error{Kind: channel.Unknown, Platform: acct.Platform, Op: "publish",
		Message: "il tentativo si è interrotto (riavvio) dopo l'invio: esito sconosciuto"}
	pub, perr := s.resolveUnknown(ctx, conn, ca, post, p, lost)
	if perr != nil && channel.KindOf(perr) == channel.Retryable {
		// The retry happens through the row; the interrupted attempt counts.
		return s.retryAt(ctx, p, store.Now(), false, channel.AsError(perr).Message)
	}
	return s.settle(ctx, p, Published{Published: pub}, perr)
}

// accountLimiter paces one account's publications on this instance.
type accountLimiter struct {
	mu        sync.Mutex
	perMinute int
	lim       *rate.Limiter
	until     time.Time // a platform's 429 asked us to wait until then
}

func (s *Service) limiter(a Account) *accountLimiter {
	v, _ := s.limiters.LoadOrStore(a.ID, &accountLimiter{perMinute: -1})
	l := v.(*accountLimiter)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perMinute != a.RatePerMinute {
		l.perMinute, l.lim = a.RatePerMinute, nil
		if a.RatePerMinute > 0 {
			l.lim = rate.NewLimiter(rate.Limit(float64(a.RatePerMinute)/60), max(1, a.RatePerMinute/10))
		}
	}
	return l
}

// reserve returns how long to wait before the next call may go out; zero
// means go now (and the call is counted).
func (l *accountLimiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := time.Until(l.until); w > 0 {
		return w
	}
	if l.lim == nil {
		return 0
	}
	r := l.lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d
	}
	return 0
}

// holdAccount records a platform's rate-limit answer for the account, so
// its other publications wait too instead of each hitting the limit.
func (s *Service) holdAccount(accountID string, wait time.Duration) {
	v, _ := s.limiters.LoadOrStore(accountID, &accountLimiter{perMinute: -1})
	l := v.(*accountLimiter)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(wait); until.After(l.until) {
		l.until = until
	}
}
