// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/jobs"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Attempts and leases of a delivery.
const (
	maxAttempts    = 6
	attemptTimeout = 30 * time.Second
	// lease covers one attempt; a delivery still "sending" after it was
	// left by a crash, and its outcome is unknown.
	lease = 2 * time.Minute
)

// leaseUntil is a lease's end on the wall clock, whatever the service's
// clock says (the demo writes its past with a clock set back): Recover
// compares it with the time now.
func leaseUntil() time.Time { return store.Now().Add(lease) }

type deliverArgs struct {
	DeliveryID string `json:"delivery_id"`
}

func (deliverArgs) Kind() string { return "alert.deliver" }

func (deliverArgs) InsertOpts() river.InsertOpts {
	// The alert lane has workers of its own; our retries go through the
	// row, River's only cover a database error inside the worker.
	return river.InsertOpts{Queue: string(jobs.LaneAlert), MaxAttempts: 3}
}

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	after, err := w.s.attempt(ctx, job.Args.DeliveryID)
	if err != nil {
		return err
	}
	if after > 0 {
		return river.JobSnooze(after)
	}
	return nil
}

func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration {
	return attemptTimeout + 30*time.Second
}

// Register adds the alert jobs and periodic tasks to the runner.
func (s *Service) Register(r *jobs.Runner) {
	jobs.Register(r, &deliverWorker{s: s})
	r.Periodic("alert.recover", 30*time.Second, jobs.LaneAlert, s.Recover)
}

// enqueue starts a delivery. Without a job runner (tests, the CLI) it
// runs here, retries included.
func (s *Service) enqueue(ctx context.Context, deliveryIDs ...string) {
	// The rows are committed: a person closing the page now must not stop
	// the alert from going out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if s.Jobs == nil {
		for _, id := range deliveryIDs {
			s.runInline(ctx, id)
		}
		return
	}
	params := make([]river.InsertManyParams, len(deliveryIDs))
	for i, id := range deliveryIDs {
		params[i] = river.InsertManyParams{Args: deliverArgs{DeliveryID: id}}
	}
	// Together: a worker's fetch finds every channel of the alert at once.
	if err := s.Jobs.InsertMany(ctx, params); err != nil {
		// The rows stay queued; Recover enqueues them again.
		s.Log.Error("alert: queue deliveries", "deliveries", deliveryIDs, "err", err)
	}
}

// runInline makes a delivery's attempts in the caller, without a job
// runner (tests).
func (s *Service) runInline(ctx context.Context, deliveryID string) {
	for range maxAttempts {
		after, err := s.attempt(ctx, deliveryID)
		if err != nil {
			s.Log.Warn("alert: delivery", "delivery", deliveryID, "err", err)
			return
		}
		if after == 0 {
			return
		}
	}
}

// attempt is one try at a delivery. It returns how long to wait before
// the next try when the platform asked for one.
func (s *Service) attempt(ctx context.Context, id string) (time.Duration, error) {
	now := s.now()
	d, err := scanDelivery(s.DB.Write.QueryRowContext(ctx, `UPDATE alert_deliveries SET state = 'sending', attempts = attempts + 1,
		lease_until = $1, updated_at = $2 WHERE id = $3 AND state IN ('queued', 'retrying') RETURNING `+deliveryColumns,
		leaseUntil(), now, id))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // settled, or another worker holds it
	}
	if err != nil {
		return 0, fmt.Errorf("alert: claim %s: %w", id, err)
	}
	var orgID string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT org_id FROM alert_deliveries WHERE id = $1`, id).Scan(&orgID); err != nil {
		return 0, fmt.Errorf("alert: delivery %s: %w", id, err)
	}
	a, err := s.AlertByID(ctx, orgID, d.AlertID)
	if err != nil {
		return 0, s.settle(ctx, orgID, d, channel.Published{}, &channel.Error{Kind: channel.Permanent, Op: "alert", Err: err})
	}
	inc, err := s.Incident(ctx, orgID, a.IncidentID)
	if err != nil {
		return 0, s.settle(ctx, orgID, d, channel.Published{}, &channel.Error{Kind: channel.Permanent, Op: "alert", Err: err})
	}
	var pub channel.Published
	var perr error
	switch d.Target {
	case TargetAccount:
		pub, perr = s.publishTo(ctx, orgID, d, a, inc)
	case TargetTelegramBot:
		perr = s.botFanout(ctx, orgID, d, a, inc)
	case TargetWebPush:
		perr = s.pushFanout(ctx, orgID, d, a, inc)
	default:
		perr = keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, "alert.delivery.error.target_unknown", d.Target)
	}
	if perr == nil {
		return 0, s.settle(ctx, orgID, d, pub, nil)
	}
	kind := channel.KindOf(perr)
	if kind == channel.RateLimited || (kind == channel.Retryable && d.Attempts < maxAttempts) {
		after := time.Duration(d.Attempts) * 2 * time.Second
		if e := channel.AsError(perr); e != nil && e.RetryAfter > 0 {
			after = e.RetryAfter
		}
		// A rate limit is the platform's pacing, not a failure: it does
		// not use up an attempt.
		spent := 0
		if kind == channel.RateLimited {
			spent = 1
		}
		f := failureOf(perr)
		_, err := s.DB.Write.ExecContext(ctx, `UPDATE alert_deliveries SET state = 'retrying', error = $1, error_key = $6,
			error_args = $7, lease_until = NULL, next_at = $2, updated_at = $3, attempts = attempts - $5 WHERE id = $4 AND state = 'sending'`,
			truncate(f.text, 500), now.Add(after), s.now(), d.ID, spent, f.key, f.argsJSON())
		if err != nil {
			return 0, err
		}
		return after, nil
	}
	return 0, s.settle(ctx, orgID, d, pub, perr)
}

// publishTo publishes an alert on one channel account: the full text
// where it fits the platform's limits, the short one otherwise, with the
// alert card where the platform takes images (Instagram needs one).
func (s *Service) publishTo(ctx context.Context, orgID string, d Delivery, a Alert, inc Incident) (channel.Published, error) {
	if s.Publish == nil {
		return channel.Published{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, "alert.delivery.error.publish_off")
	}
	acct, ca, err := s.Publish.Connect(ctx, orgID, d.AccountID)
	if err != nil {
		return channel.Published{}, err
	}
	if a.Exercise && !acct.Sandbox {
		// Checked when sending too; a drill never reaches a real channel
		// whatever happened to the account since.
		return channel.Published{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, "alert.delivery.error.drill_real_channel")
	}
	if acct.Status == publish.AccountDisabled {
		return channel.Published{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, "alert.delivery.error.channel_disabled")
	}
	conn, ok := s.Publish.Registry().For(ca)
	if !ok {
		return channel.Published{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, "alert.delivery.error.platform_missing")
	}
	slug, err := s.slugOf(ctx, orgID)
	if err != nil {
		return channel.Published{}, err
	}
	post, err := s.postFor(ctx, conn, ca, d, a, inc, slug)
	if err != nil {
		return channel.Published{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	pub, err := conn.Publish(cctx, ca, post)
	if err != nil && channel.KindOf(err) == channel.Unknown && conn.Capabilities().Idempotent {
		// The same key can never publish twice here: try again.
		return pub, keyed(&channel.Error{Kind: channel.Retryable, Platform: ca.Platform, Op: "publish", Err: err},
			"alert.delivery.error.no_answer_retry")
	}
	return pub, err
}

// postFor builds the post of a delivery.
func (s *Service) postFor(ctx context.Context, conn channel.Connector, ca channel.Account, d Delivery, a Alert, inc Incident, slug string) (channel.Post, error) {
	t := a.Texts["it"]
	post := channel.Post{Key: d.ID, Text: t.Full, Language: "it", Title: t.Headline, Summary: t.Push}
	if conn.Capabilities().Images {
		// PNG keeps the card's type sharp; a platform that takes JPEG only
		// (Instagram) gets a JPEG, at the address it fetches from.
		format := "png"
		if types := conn.Limits(ca).ImageTypes; len(types) > 0 && !slices.Contains(types, "image/png") && slices.Contains(types, "image/jpeg") {
			format = "jpg"
		}
		img, err := s.cardImage(ctx, a, inc, Square, format)
		if err != nil {
			return channel.Post{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert", Err: err}, "alert.delivery.error.card")
		}
		post.Media = []channel.Media{{Kind: channel.Image, ContentType: cardTypes[format], Data: img,
			URL: s.CardURL(slug, a.ID, format), AltText: t.Headline, Filename: "allerta." + format, Width: 1080, Height: 1080}}
	}
	if len(channel.Check(conn, ca, post)) == 0 {
		return post, nil
	}
	post.Text = t.Short
	if probs := channel.Check(conn, ca, post); len(probs) > 0 {
		// The card cannot go (a size or a count): the text alone is
		// better than nothing in an emergency.
		post.Media = nil
		if probs = channel.Check(conn, ca, post); len(probs) > 0 {
			// The problem's own message says which limit, as the editor does.
			return channel.Post{}, keyed(&channel.Error{Kind: channel.Permanent, Op: "alert"}, probs[0].Code, probs[0].Args()...)
		}
	}
	return post, nil
}

// settle writes a delivery's outcome; only a row still "sending" changes,
// so a late answer never overwrites what a person or Recover decided.
func (s *Service) settle(ctx context.Context, orgID string, d Delivery, pub channel.Published, perr error) error {
	now := s.now()
	state, f := StateSent, failureOf(perr)
	if perr != nil {
		state = StateFailed
		if channel.KindOf(perr) == channel.Unknown {
			state = StateUnknown // never re-sent blindly: a person decides
		}
	}
	changed := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET state = $1, remote_id = $2, remote_url = $3, error = $4,
			error_key = $7, error_args = $8, lease_until = NULL, updated_at = $5 WHERE id = $6 AND state = 'sending'`,
			state, pub.RemoteID, pub.URL, truncate(f.text, 500), now, d.ID, f.key, f.argsJSON())
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 || state == StateSent {
			return nil
		}
		changed = true
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.delivery_" + state, TargetType: "alert_delivery",
			TargetID: d.ID, TargetLabel: d.Platform + ": " + d.Label, After: map[string]string{"error": truncate(f.text, 300)}})
	})
	if err != nil || !changed {
		return err
	}
	// Apart from the outcome: a notification that cannot be written must
	// not undo what is known of the delivery.
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.notifyDelivery(ctx, tx, orgID, d, state, f) }); err != nil {
		s.Log.Error("alert: notify of a delivery not sent", "delivery", d.ID, "err", err)
	}
	return nil
}

// notifyDelivery tells those who send alerts that one did not reach a
// channel, or may not have: in an emergency nobody should learn it from a
// citizen. Each reads it in their language; the title is the alert's
// headline, the crisis team's own words.
func (s *Service) notifyDelivery(ctx context.Context, tx *sql.Tx, orgID string, d Delivery, state string, f failure) error {
	if s.Notify == nil {
		return nil
	}
	var incidentID, headline string
	if err := tx.QueryRowContext(ctx, `SELECT incident_id, headline FROM alerts WHERE id = $1`, d.AlertID).Scan(&incidentID,
		&headline); err != nil {
		return fmt.Errorf("alert: notify delivery: %w", err)
	}
	key := "alert.notify.delivery_failed"
	if state == StateUnknown {
		key = "alert.notify.delivery_unknown"
	}
	var label, reason any = d.Label, truncate(f.text, 300)
	if k := d.LabelKey(); k != "" {
		label = notify.Phrase{Key: k}
	}
	if f.key != "" {
		reason = notify.Phrase{Key: f.key, Args: f.args}
	}
	_, err := s.Notify.NotifyPermitted(ctx, tx, org.PermAlertSend, "", notify.Notification{OrgID: orgID,
		Kind: notify.KindAlertDelivery, Title: truncate(headline, 120),
		BodyPhrase: notify.Phrase{Key: key, Args: []any{d.Platform, label, reason}}, Link: "/alerts/incidents/" + incidentID})
	return err
}

// Recover settles what a crash left: a delivery still "sending" after
// its lease may have gone out, so it becomes unknown for a person to
// decide; a queued or retrying one whose job was lost is queued again.
func (s *Service) Recover(ctx context.Context) error {
	now := s.now()
	// A channel post left "sending" may be out: a person decides. A
	// subscribers' fan-out resumes instead: its per-subscriber rows make
	// that safe (the messages caught mid-send become unknown, never sent
	// again).
	unknown, err := s.recoverSending(ctx, now)
	if err != nil {
		return fmt.Errorf("alert: recover: %w", err)
	}
	// As settle does for an answer that never came: audited, and the
	// senders are told, each apart so one failure does not hide the rest.
	for _, u := range unknown {
		err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Record(ctx, tx, audit.Change{OrgID: u.orgID, Action: "alert.delivery_" + StateUnknown,
				TargetType: "alert_delivery", TargetID: u.d.ID, TargetLabel: u.d.Platform + ": " + u.d.Label,
				After: map[string]string{"error": u.d.Error}})
		})
		if err == nil {
			f := failure{text: u.d.Error, key: u.d.ErrorKey, args: u.d.ErrorArgs}
			err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.notifyDelivery(ctx, tx, u.orgID, u.d, StateUnknown, f) })
		}
		if err != nil {
			s.Log.Error("alert: recover: audit or notify", "delivery", u.d.ID, "err", err)
		}
	}
	ids, err := s.lostDeliveries(ctx, now.Add(-30*time.Second), now)
	if err != nil {
		return fmt.Errorf("alert: recover: %w", err)
	}
	s.enqueue(ctx, ids...)
	return nil
}

type recovered struct {
	orgID string
	d     Delivery
}

// recoverSending settles the deliveries a crash left "sending" once their
// lease ran out and returns those that became unknown.
func (s *Service) recoverSending(ctx context.Context, now time.Time) ([]recovered, error) {
	const resumed, interrupted = "alert.delivery.error.resumed", "alert.delivery.error.interrupted"
	rows, err := s.DB.Write.QueryContext(ctx, `UPDATE alert_deliveries SET
		state = CASE WHEN target IN ('telegram_bot', 'webpush') THEN 'retrying' ELSE 'unknown' END,
		error = CASE WHEN target IN ('telegram_bot', 'webpush') THEN $3 ELSE $4 END,
		error_key = CASE WHEN target IN ('telegram_bot', 'webpush') THEN $5 ELSE $6 END, error_args = '[]',
		lease_until = NULL, next_at = $1, updated_at = $1 WHERE state = 'sending' AND lease_until < $2
		RETURNING org_id, `+deliveryColumns, now, store.Now(), italian(resumed), italian(interrupted), resumed, interrupted)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []recovered
	for rows.Next() {
		var orgID string
		// scanDelivery reads deliveryColumns; org_id comes first here.
		d, err := scanDelivery(scanFunc(func(dest ...any) error { return rows.Scan(append([]any{&orgID}, dest...)...) }))
		if err != nil {
			return nil, err
		}
		if d.State == StateUnknown {
			out = append(out, recovered{orgID: orgID, d: d})
		}
	}
	return out, rows.Err()
}

// scanFunc adapts a function to scanDelivery's scanner.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// lostDeliveries are the queued deliveries whose job has not picked them
// up by before, and the retrying ones due by now (a second job for a row
// is harmless: only one claims it).
func (s *Service) lostDeliveries(ctx context.Context, before, now time.Time) ([]string, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id FROM alert_deliveries WHERE (state = 'queued' AND updated_at < $1)
		OR (state = 'retrying' AND next_at <= $2) ORDER BY updated_at, id LIMIT 500`, before, now)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Settle is a person's decision on a delivery whose outcome is unknown or
// that failed: sent (they saw it on the platform), or send again.
func (s *Service) Settle(ctx context.Context, orgID, deliveryID string, sent bool) error {
	now := s.now()
	var r sql.Result
	var err error
	if sent {
		r, err = s.DB.Write.ExecContext(ctx, `UPDATE alert_deliveries SET state = 'sent', error = '', error_key = '', error_args = '[]',
			updated_at = $1 WHERE id = $2 AND org_id = $3 AND state = 'unknown'`, now, deliveryID, orgID)
	} else {
		r, err = s.DB.Write.ExecContext(ctx, `UPDATE alert_deliveries SET state = 'queued', attempts = 0, updated_at = $1
			WHERE id = $2 AND org_id = $3 AND state IN ('unknown', 'failed')`, now, deliveryID, orgID)
	}
	if err != nil {
		return fmt.Errorf("alert: settle: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return valid.New("delivery", "alert.delivery.not_settleable")
	}
	action := "alert.delivery_confirmed"
	if !sent {
		action = "alert.delivery_resent"
		s.enqueue(ctx, deliveryID)
	}
	return audit.Record(ctx, s.DB.Write, audit.Change{OrgID: orgID, Action: action, TargetType: "alert_delivery", TargetID: deliveryID})
}

// errText is an error as one subscriber's send keeps it.
func errText(err error) string { return failureOf(err).text }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
