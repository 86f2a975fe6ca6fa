// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// Web Push to the citizens who subscribed on the public pages.
//
// A Web Push delivery is one row of alert_deliveries for all the
// subscribers, and one row of alert_sends per subscriber, written as
// "sending" before the message goes out. A run that stops half-way (a
// crash, a lost lease) leaves those rows behind: the next run turns them
// into "unknown" — the browser may have shown the message — and skips
// every subscriber that already has a row, so nothing delivered is sent
// twice and nothing uncertain is sent blindly.

// Subscriber kinds.
const (
	SubscriberWebPush  = "webpush"
	SubscriberTelegram = "telegram"
)

// Subscriber is a citizen's device (a browser's push subscription) or
// chat (the Telegram bot) that receives the alerts.
type Subscriber struct {
	ID    string
	OrgID string
	Kind  string // SubscriberWebPush or SubscriberTelegram
	// Address is the push endpoint, or the Telegram chat id.
	Address string
	Lang    string
	// Topics are the incident types wanted; empty means every type.
	Topics []Type
	// ZoneIDs are the zones wanted; empty means everywhere.
	ZoneIDs []string
	// Exercise marks a device of the crisis team that receives drills;
	// citizens' devices never do.
	Exercise bool
	// Label names a test device for the team ("telefono di turno").
	Label string
	// CreatedAt equals UpdatedAt when the subscription is new.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of a subscription and of the fan-out.
const (
	maxSubscriberZones = 50
	// pushBatch is how many subscribers are claimed, sent to and recorded
	// together: one multi-row statement each way.
	pushBatch = 500
	// pushWorkers stays at httpx's MaxIdleConnsPerHost, so that every
	// worker keeps its connection to the push service (webpush.SendMany).
	pushWorkers = 16
	// pushTTL is how long a push service keeps an alert for a device that
	// is offline: past it, the alert is stale news.
	pushTTL = 6 * time.Hour
	// pushRetries bounds the sends again, in the same run, of messages
	// that did not reach the push service (5xx, 429, connection refused).
	pushRetries = 2
	// pushMaxWait is the longest wait before such a retry: a push service
	// that asks for more gets the message marked failed.
	pushMaxWait = time.Minute
	// pushTimeout bounds the time one run of a fan-out starts batches in;
	// what is left then is sent by the next attempt. The job's timeout
	// (deliverWorker.Timeout) must leave room for a last batch after it.
	pushTimeout = 15 * time.Minute
	// pushPayloadText bounds the body of a notification, far below what
	// fits in a push message (webpush.MaxPayload) and more than a
	// notification shows.
	pushPayloadText = 600
)

// pushBackoff is the first wait before sending again; it doubles with
// each round. A variable so that tests need not wait.
var pushBackoff = 2 * time.Second

// VAPIDKeys returns the installation's VAPID key pair, generating and
// storing it the first time. The private key is sealed with the
// installation's secret key. Two instances starting at once both insert
// and both read back the one that won.
func (s *Service) VAPIDKeys(ctx context.Context) (webpush.VAPIDKeys, error) {
	if s.Sealer == nil {
		return webpush.VAPIDKeys{}, errors.New("alert: VAPID keys: no sealer configured")
	}
	keys, err := s.loadVAPID(ctx)
	if !errors.Is(err, store.ErrNotFound) {
		return keys, err
	}
	gen, err := webpush.GenerateVAPID()
	if err != nil {
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: %w", err)
	}
	sealed, err := s.Sealer.Seal([]byte(gen.Private), []byte(vapidName))
	if err != nil {
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: seal VAPID key: %w", err)
	}
	if _, err := s.DB.Write.ExecContext(ctx, `INSERT INTO installation_keys (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, vapidName, sealed, s.now()); err != nil {
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: store VAPID key: %w", err)
	}
	return s.loadVAPID(ctx)
}

// vapidName is the key's row in installation_keys, and the associated
// data of its seal.
const vapidName = "vapid"

func (s *Service) loadVAPID(ctx context.Context) (webpush.VAPIDKeys, error) {
	var sealed string
	// The write pool: the row may have been inserted a moment ago.
	err := s.DB.Write.QueryRowContext(ctx, `SELECT value FROM installation_keys WHERE name = $1`, vapidName).Scan(&sealed)
	if err != nil {
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: VAPID key: %w", store.Normalize(err))
	}
	private, err := s.Sealer.Open(sealed, []byte(vapidName))
	if err != nil {
		// Never replaced by a new pair: that would silently orphan every
		// subscription. The operator restores the secret key.
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: the stored VAPID key does not open with this secret key (PIAZZA_SECRET_KEY changed?): %w", err)
	}
	keys, err := webpush.ParseVAPID(string(private))
	if err != nil {
		return webpush.VAPIDKeys{}, fmt.Errorf("alert: %w", err)
	}
	return keys, nil
}

// SubscribeWebPush records a browser's push subscription, or updates the
// language and choices of one already known by its endpoint. topics and
// zoneIDs narrow what it receives; empty means everything.
func (s *Service) SubscribeWebPush(ctx context.Context, orgID string, sub webpush.Subscription, lang string, topics []Type, zoneIDs []string) (Subscriber, error) {
	if err := sub.Validate(); err != nil {
		detail := strings.TrimPrefix(err.Error(), webpush.ErrInvalidSubscription.Error()+": ")
		return Subscriber{}, valid.New("subscription", "alert.push.subscription_invalid", detail)
	}
	sb := Subscriber{OrgID: orgID, Kind: SubscriberWebPush, Address: sub.Endpoint, Lang: subscriberLang(lang)}
	for _, t := range topics {
		if !t.Valid() {
			return Subscriber{}, valid.New("topics", "alert.incident.type_unknown", truncate(string(t), 40))
		}
		if !slices.Contains(sb.Topics, t) {
			sb.Topics = append(sb.Topics, t)
		}
	}
	for _, z := range zoneIDs {
		if !slices.Contains(sb.ZoneIDs, z) {
			sb.ZoneIDs = append(sb.ZoneIDs, z)
		}
	}
	if len(sb.ZoneIDs) > maxSubscriberZones {
		return Subscriber{}, valid.New("zones", "alert.push.too_many_zones", maxSubscriberZones)
	}
	if err := s.checkZones(ctx, orgID, sb.ZoneIDs); err != nil {
		return Subscriber{}, err
	}
	keys, err := json.Marshal(map[string]string{"p256dh": sub.P256dh, "auth": sub.Auth})
	if err != nil {
		return Subscriber{}, fmt.Errorf("alert: subscribe: %w", err)
	}
	now := s.now()
	err = s.DB.Write.QueryRowContext(ctx, `INSERT INTO alert_subscribers (id, org_id, kind, address, keys, lang, topics, zones,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT (org_id, kind, account_id, address) DO UPDATE SET keys = excluded.keys, lang = excluded.lang, topics = excluded.topics,
			zones = excluded.zones, updated_at = excluded.updated_at
		RETURNING id, exercise, created_at, updated_at`,
		store.NewID(), orgID, SubscriberWebPush, sub.Endpoint, string(keys), sb.Lang, jsonOf(nonNil(sb.Topics), "[]"),
		jsonOf(nonNil(sb.ZoneIDs), "[]"), now).Scan(&sb.ID, &sb.Exercise, &sb.CreatedAt, &sb.UpdatedAt)
	if err != nil {
		return Subscriber{}, fmt.Errorf("alert: subscribe: %w", store.Normalize(err))
	}
	return sb, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// subscriberLang is the language of the alerts a subscriber receives:
// one an alert can be written in, Italian otherwise.
func subscriberLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if slices.Contains(Languages, lang) {
		return lang
	}
	return "it"
}

// checkZones reports a zone id that is not one of the organisation's.
func (s *Service) checkZones(ctx context.Context, orgID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{orgID}
	q := `SELECT id FROM alert_zones WHERE org_id = $1 AND id IN (` + placeholders(&args, ids) + `)` //nolint:gosec // G202: placeholders only
	rows, err := s.DB.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("alert: zones: %w", err)
	}
	defer func() { _ = rows.Close() }()
	found := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("alert: zones: %w", err)
		}
		found[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("alert: zones: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			return valid.New("zones", "alert.incident.zone_unknown", truncate(id, 40))
		}
	}
	return nil
}

// placeholders appends values to args and returns their placeholders,
// "$n, $n+1, …", for an IN list.
func placeholders[T any](args *[]any, values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		*args = append(*args, v)
		b.WriteString("$" + strconv.Itoa(len(*args)))
	}
	return b.String()
}

// UnsubscribeWebPush forgets a browser's subscription. Forgetting one that
// is not known is not an error: the browser's wish is fulfilled.
func (s *Service) UnsubscribeWebPush(ctx context.Context, orgID, endpoint string) error {
	if _, err := s.DB.Write.ExecContext(ctx, `DELETE FROM alert_subscribers WHERE org_id = $1 AND kind = $2 AND address = $3`,
		orgID, SubscriberWebPush, endpoint); err != nil {
		return fmt.Errorf("alert: unsubscribe: %w", err)
	}
	return nil
}

// SetSubscriberExercise makes a Web Push subscription one of the crisis
// team's test devices, which receive drills, or a citizen's again.
func (s *Service) SetSubscriberExercise(ctx context.Context, orgID, endpoint string, exercise bool) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `UPDATE alert_subscribers SET exercise = $1, updated_at = $2
			WHERE org_id = $3 AND kind = $4 AND address = $5 RETURNING id`, exercise, s.now(), orgID, SubscriberWebPush, endpoint).Scan(&id)
		if err != nil {
			return fmt.Errorf("alert: subscriber: %w", store.Normalize(err))
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.subscriber_exercise", TargetType: "alert_subscriber",
			TargetID: id, After: map[string]bool{"exercise": exercise}})
	})
}

// SubscriberCounts counts the organisation's subscribers by kind.
func (s *Service) SubscriberCounts(ctx context.Context, orgID string) (map[string]int, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT kind, COUNT(*) FROM alert_subscribers WHERE org_id = $1 GROUP BY kind`, orgID)
	if err != nil {
		return nil, fmt.Errorf("alert: subscriber counts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("alert: subscriber counts: %w", err)
		}
		out[kind] = n
	}
	return out, rows.Err()
}

// pushAudience counts the Web Push subscribers an alert about inc
// reaches: Send makes a delivery only when there are some.
func (s *Service) pushAudience(ctx context.Context, orgID string, inc Incident) (int, error) {
	ids, err := s.pushTargets(ctx, orgID, inc, inc.Exercise, "")
	return len(ids), err
}

// pushTargets lists, in id order, the Web Push subscribers an alert about
// inc reaches and that deliveryID ("" for none) has not tried yet. In a
// drill only the crisis team's test devices are reached.
//
// The choices are JSON lists, which the two engines query differently:
// they are read and matched here, which at 100,000 subscribers is a few
// megabytes and well under a second.
func (s *Service) pushTargets(ctx context.Context, orgID string, inc Incident, drill bool, deliveryID string) ([]string, error) {
	q := `SELECT s.id, s.topics, s.zones FROM alert_subscribers s WHERE s.org_id = $1 AND s.kind = $2`
	args := []any{orgID, SubscriberWebPush}
	if drill {
		q += ` AND s.exercise`
	}
	if deliveryID != "" {
		args = append(args, deliveryID)
		q += ` AND NOT EXISTS (SELECT 1 FROM alert_sends x WHERE x.delivery_id = $3 AND x.subscriber_id = s.id)`
	}
	rows, err := s.DB.Read.QueryContext(ctx, q+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("alert: push subscribers: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var id, topics, zones string
		if err := rows.Scan(&id, &topics, &zones); err != nil {
			return nil, fmt.Errorf("alert: push subscribers: %w", err)
		}
		if reaches(inc, topics, zones) {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

// reaches reports whether a subscriber with these choices (JSON lists)
// wants an alert about inc. An incident without named zones concerns the
// whole territory, so it reaches those who chose zones too: in an
// emergency, one alert too many is better than one missing.
func reaches(inc Incident, topics, zones string) bool {
	if topics != "[]" && topics != "" {
		var ts []Type
		if json.Unmarshal([]byte(topics), &ts) == nil && len(ts) > 0 && !slices.Contains(ts, inc.Type) {
			return false
		}
	}
	if len(inc.ZoneIDs) > 0 && zones != "[]" && zones != "" {
		var zs []string
		if json.Unmarshal([]byte(zones), &zs) == nil && len(zs) > 0 &&
			!slices.ContainsFunc(zs, func(z string) bool { return slices.Contains(inc.ZoneIDs, z) }) {
			return false
		}
	}
	return true
}

// pushMessage is what every subscriber of a delivery receives: the
// payload in each language of the alert, and the delivery headers.
type pushMessage struct {
	payloads map[string][]byte
	opts     webpush.Options
}

// pushPayload is the JSON the service worker (web/static/sw.js) reads.
type pushPayload struct {
	Title     string `json:"title"`
	Body      string `json:"body"`
	URL       string `json:"url"`
	Tag       string `json:"tag"`
	Lang      string `json:"lang"`
	Urgent    bool   `json:"urgent,omitempty"`
	Timestamp int64  `json:"timestamp"` // milliseconds, as Notification.timestamp
}

func newPushMessage(a Alert, inc Incident, liveURL string) (pushMessage, error) {
	urgent := (a.Colour == Red || a.Colour == Orange) && a.Kind != KindCancel
	m := pushMessage{payloads: map[string][]byte{}, opts: webpush.Options{TTL: pushTTL, Urgency: webpush.UrgencyNormal, Topic: pushTopic(inc.ID)}}
	if urgent {
		m.opts.Urgency = webpush.UrgencyHigh
	}
	texts := a.Texts
	if _, ok := texts["it"]; !ok {
		texts = maps.Clone(texts)
		if texts == nil {
			texts = map[string]Texts{}
		}
		texts["it"] = Texts{Headline: a.Headline, Push: a.Instruction}
	}
	for lang, t := range texts {
		title := t.Headline
		if a.Exercise {
			title = "[" + labels[lang].exercise + "] " + title
		}
		body := t.Push
		if body == "" {
			body = t.Short
		}
		p, err := json.Marshal(pushPayload{Title: cutWords(title, 200), Body: cutWords(body, pushPayloadText), URL: liveURL,
			// One notification per incident on the device: an update
			// replaces the alert it follows.
			Tag: "alert-" + inc.ID, Lang: lang, Urgent: urgent, Timestamp: a.SentAt.UnixMilli()})
		if err != nil {
			return pushMessage{}, fmt.Errorf("alert: push payload: %w", err)
		}
		if len(p) > webpush.MaxPayload {
			return pushMessage{}, fmt.Errorf("alert: push payload in %s: %d bytes, at most %d", lang, len(p), webpush.MaxPayload)
		}
		m.payloads[lang] = p
	}
	return m, nil
}

// pushTopic is the incident's Topic header: a newer alert about it
// replaces one still waiting at the push service for an offline device.
// A UUID without its dashes is exactly the 32 characters allowed; anything
// longer is hashed.
func pushTopic(incidentID string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if t := strings.ReplaceAll(incidentID, "-", ""); len(t) <= 32 && strings.Trim(t, alphabet) == "" {
		return t
	}
	sum := sha256.Sum256([]byte(incidentID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// pushTarget is a claimed subscriber ready to be sent to.
type pushTarget struct {
	id   string
	sub  webpush.Subscription
	lang string
}

// sendRow is the outcome of one subscriber.
type sendRow struct {
	id, state, err string
}

// Outcomes of a subscriber's send (alert_sends.state).
const (
	sendSending = "sending"
	sendSent    = "sent"
	sendFailed  = "failed"
	sendUnknown = "unknown"
	sendGone    = "gone"
)

// pushFanout sends an alert to the Web Push subscribers it reaches, for a
// delivery that attempt has claimed. It returns nil when every subscriber
// has an outcome (sent, gone, failed or unknown, each in alert_sends);
// done and total on the delivery show the progress meanwhile. An error
// says why it stopped, as a channel.Error: Retryable when what is left
// can be sent by the next attempt, which resumes where this one ended.
func (s *Service) pushFanout(ctx context.Context, orgID string, d Delivery, a Alert, inc Incident) error {
	if s.Push == nil {
		return keyed(&channel.Error{Kind: channel.Permanent, Op: "webpush"}, "alert.delivery.error.push_off")
	}
	// Past the deadline no new batch starts; the one under way ends with
	// the job's context, so that none of its messages is cut off midway
	// (which would leave its outcome unknown).
	deadline := time.Now().Add(pushTimeout)
	slug, err := s.slugOf(ctx, orgID)
	if err != nil {
		return pushRetryable(err)
	}
	msg, err := newPushMessage(a, inc, s.LiveURL(slug, inc.ID))
	if err != nil {
		return keyed(&channel.Error{Kind: channel.Permanent, Op: "webpush", Err: err}, "alert.delivery.error.push_invalid")
	}
	drill := a.Exercise || inc.Exercise

	// Rows a previous run left "sending" may have reached the browser.
	if _, err := s.DB.Write.ExecContext(ctx, `UPDATE alert_sends SET state = $1, error = $2, updated_at = $3
		WHERE delivery_id = $4 AND state = $5`, sendUnknown, "interrotto durante l'invio", s.now(), d.ID, sendSending); err != nil {
		return pushRetryable(err)
	}
	var done int
	if err := s.DB.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_sends WHERE delivery_id = $1`, d.ID).Scan(&done); err != nil {
		return pushRetryable(err)
	}
	ids, err := s.pushTargets(ctx, orgID, inc, drill, d.ID)
	if err != nil {
		return pushRetryable(err)
	}
	total := done + len(ids)

	keeper := s.keepLease(ctx, d.ID)
	defer keeper.stop()
	if owned, err := s.pushProgress(ctx, s.DB.Write, d.ID, done, total); err != nil {
		return pushRetryable(err)
	} else if !owned {
		return errLeaseLost
	}
	for start := 0; start < len(ids); start += pushBatch {
		if keeper.lost.Load() {
			return errLeaseLost
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return keyed(&channel.Error{Kind: channel.Retryable, Op: "webpush", RetryAfter: time.Second, Err: ctx.Err()},
				"alert.delivery.error.push_paused", done, total)
		}
		n, owned, err := s.pushBatch(ctx, orgID, d.ID, drill, ids[start:min(start+pushBatch, len(ids))], msg, done, total)
		done += n
		if err != nil {
			return pushRetryable(err)
		}
		if !owned {
			return errLeaseLost
		}
	}
	return nil
}

var errLeaseLost = keyed(&channel.Error{Kind: channel.Unknown, Op: "webpush"}, "alert.delivery.error.lease_lost")

func pushRetryable(err error) error {
	return keyed(&channel.Error{Kind: channel.Retryable, Op: "webpush", Err: err}, "alert.delivery.error.database")
}

// leaseKeeper renews a delivery's lease while its fan-out runs, so that
// Recover does not take a long broadcast for a crashed one.
type leaseKeeper struct {
	lost atomic.Bool
	stop func()
}

func (s *Service) keepLease(ctx context.Context, deliveryID string) *leaseKeeper {
	l := &leaseKeeper{}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	l.stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		t := time.NewTicker(leaseRenewal)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r, err := s.DB.Write.ExecContext(ctx, `UPDATE alert_deliveries SET lease_until = $1 WHERE id = $2 AND state = $3`,
					leaseUntil(), deliveryID, StateSending)
				if err != nil {
					continue // the next tick tries again; the lease has room for it
				}
				if n, _ := r.RowsAffected(); n == 0 {
					l.lost.Store(true)
					return
				}
			}
		}
	}()
	return l
}

// leaseRenewal leaves three renewals' room before the lease runs out.
const leaseRenewal = lease / 4

// pushProgress writes the delivery's counters and reports whether the
// delivery is still this run's.
func (s *Service) pushProgress(ctx context.Context, q store.Querier, deliveryID string, done, total int) (bool, error) {
	now := s.now()
	r, err := q.ExecContext(ctx, `UPDATE alert_deliveries SET done = $1, total = $2, lease_until = $3, updated_at = $4
		WHERE id = $5 AND state = $6`, done, total, leaseUntil(), now, deliveryID, StateSending)
	if err != nil {
		return false, fmt.Errorf("alert: progress %s: %w", deliveryID, err)
	}
	n, _ := r.RowsAffected()
	return n > 0, nil
}

// pushBatch claims a batch of subscribers for the delivery, sends to
// them and records each outcome with the delivery's progress in one
// transaction. It returns how many outcomes it recorded and whether the
// delivery is still this run's.
func (s *Service) pushBatch(ctx context.Context, orgID, deliveryID string, drill bool, ids []string, msg pushMessage, done, total int) (int, bool, error) {
	claimed, err := s.claimSends(ctx, deliveryID, ids)
	if err != nil || len(claimed) == 0 {
		return 0, true, err
	}
	targets, rows, err := s.loadTargets(ctx, orgID, drill, claimed)
	if err != nil {
		// Nothing was sent: give the claims back for the next run.
		args := []any{deliveryID, sendSending}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		q := `DELETE FROM alert_sends WHERE delivery_id = $1 AND state = $2 AND subscriber_id IN (` + placeholders(&args, claimed) + `)` //nolint:gosec // G202: placeholders only
		_, _ = s.DB.Write.ExecContext(wctx, q, args...)
		return 0, true, err
	}
	results := s.sendRounds(ctx, deliveryID, targets, msg)
	var release, gone []string
	for i, t := range targets {
		r := results[i]
		row := sendRow{id: t.id}
		switch r.Outcome {
		case webpush.Delivered:
			row.state = sendSent
		case webpush.Gone:
			row.state, row.err = sendGone, pushReason(r)
			gone = append(gone, t.id)
		case webpush.Unknown:
			row.state, row.err = sendUnknown, pushReason(r)
		case webpush.Retryable, webpush.RateLimited:
			if ctx.Err() != nil {
				// Stopped before it reached the push service: the next
				// run sends it.
				release = append(release, t.id)
				continue
			}
			row.state, row.err = sendFailed, "non accettato dal servizio push dopo più tentativi: "+pushReason(r)
		default:
			row.state, row.err = sendFailed, pushReason(r)
		}
		rows = append(rows, row)
	}
	// The outcomes are facts: recorded even when the run's context ended.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	owned := true
	err = s.DB.Tx(wctx, func(tx *sql.Tx) error {
		if err := recordSends(wctx, tx, deliveryID, rows, s.now()); err != nil {
			return err
		}
		if len(release) > 0 {
			args := []any{deliveryID, sendSending}
			q := `DELETE FROM alert_sends WHERE delivery_id = $1 AND state = $2 AND subscriber_id IN (` + placeholders(&args, release) + `)` //nolint:gosec // G202: placeholders only
			if _, err := tx.ExecContext(wctx, q, args...); err != nil {
				return err
			}
		}
		if len(gone) > 0 {
			// Expired or withdrawn (404, 410): the subscription is dead.
			// By id alone, as in loadTargets: they were read as the
			// organisation's.
			var args []any
			q := `DELETE FROM alert_subscribers WHERE id IN (` + placeholders(&args, gone) + `)` //nolint:gosec // G202: placeholders only
			if _, err := tx.ExecContext(wctx, q, args...); err != nil {
				return err
			}
		}
		var err error
		owned, err = s.pushProgress(wctx, tx, deliveryID, done+len(rows), total)
		return err
	})
	if err != nil {
		return 0, true, fmt.Errorf("alert: record sends of %s: %w", deliveryID, err)
	}
	return len(rows), owned, nil
}

// claimSends writes the "sending" rows of a batch before anything is
// sent, and returns the subscribers it claimed: one that already has a
// row (a previous run, or a concurrent one) is skipped.
func (s *Service) claimSends(ctx context.Context, deliveryID string, ids []string) ([]string, error) {
	args := []any{deliveryID, sendSending, s.now()}
	var b strings.Builder
	b.WriteString(`INSERT INTO alert_sends (delivery_id, subscriber_id, state, updated_at) VALUES `)
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, id)
		b.WriteString("($1, $" + strconv.Itoa(len(args)) + ", $2, $3)")
	}
	b.WriteString(` ON CONFLICT (delivery_id, subscriber_id) DO NOTHING RETURNING subscriber_id`)
	rows, err := s.DB.Write.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("alert: claim sends of %s: %w", deliveryID, err)
	}
	defer func() { _ = rows.Close() }()
	claimed := make([]string, 0, len(ids))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("alert: claim sends of %s: %w", deliveryID, err)
		}
		claimed = append(claimed, id)
	}
	return claimed, rows.Err()
}

// loadTargets reads the claimed subscribers' subscriptions. Those gone
// since the selection (unsubscribed), and in a drill any that is not a
// test device, get their outcome in rows instead.
func (s *Service) loadTargets(ctx context.Context, orgID string, drill bool, ids []string) ([]pushTarget, []sendRow, error) {
	// By id alone: with the organisation in the condition, PostgreSQL's
	// generic plan scans the organisation's subscribers through
	// (org_id, kind, address), a second per batch at 100,000.
	var args []any
	q := `SELECT id, org_id, kind, address, keys, lang, exercise FROM alert_subscribers WHERE id IN (` + //nolint:gosec // G202: placeholders only
		placeholders(&args, ids) + `)`
	rs, err := s.DB.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("alert: push subscribers: %w", err)
	}
	defer func() { _ = rs.Close() }()
	byID := map[string]pushTarget{}
	var rows []sendRow
	for rs.Next() {
		var t pushTarget
		var org, kind, keys string
		var exercise bool
		if err := rs.Scan(&t.id, &org, &kind, &t.sub.Endpoint, &keys, &t.lang, &exercise); err != nil {
			return nil, nil, fmt.Errorf("alert: push subscribers: %w", err)
		}
		if org != orgID || kind != SubscriberWebPush {
			continue // cannot happen: the ids are the organisation's push subscribers
		}
		if drill && !exercise {
			// Checked again here: a drill never reaches a citizen.
			rows = append(rows, sendRow{id: t.id, state: sendFailed, err: "esercitazione: non è un dispositivo di prova"})
			continue
		}
		var k struct{ P256dh, Auth string }
		_ = json.Unmarshal([]byte(keys), &k) // a damaged row fails Validate in Send, as Rejected
		t.sub.P256dh, t.sub.Auth = k.P256dh, k.Auth
		byID[t.id] = t
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("alert: push subscribers: %w", err)
	}
	targets := make([]pushTarget, 0, len(byID))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			targets = append(targets, t)
		} else if !slices.ContainsFunc(rows, func(r sendRow) bool { return r.id == id }) {
			rows = append(rows, sendRow{id: id, state: sendGone, err: "disiscritto prima dell'invio"})
		}
	}
	return targets, rows, nil
}

// sendRounds sends to every target and again, after a wait, to those
// whose message did not reach the push service, at most pushRetries
// times. Each result is the target's last.
func (s *Service) sendRounds(ctx context.Context, deliveryID string, targets []pushTarget, msg pushMessage) []webpush.Result {
	results := make([]webpush.Result, len(targets))
	pending := make([]int, len(targets))
	for i := range pending {
		pending[i] = i
	}
	for round := 0; ; round++ {
		s.sendOnce(ctx, targets, pending, msg, results)
		var again []int
		var wait time.Duration
		for _, i := range pending {
			if o := results[i].Outcome; o == webpush.Retryable || o == webpush.RateLimited {
				again = append(again, i)
				wait = max(wait, results[i].RetryAfter)
			}
		}
		if len(again) == 0 || round == pushRetries || ctx.Err() != nil {
			return results
		}
		wait = max(wait, pushBackoff<<round)
		if wait > pushMaxWait {
			return results
		}
		s.Log.Info("alert: push service busy, sending again", "delivery", deliveryID, "count", len(again), "wait", wait)
		select {
		case <-ctx.Done():
			return results
		case <-time.After(wait):
		}
		pending = again
	}
}

// sendOnce sends to the targets at the indexes given, one SendMany per
// language, and writes each result at its index.
func (s *Service) sendOnce(ctx context.Context, targets []pushTarget, indexes []int, msg pushMessage, results []webpush.Result) {
	byLang := map[string][]int{}
	for _, i := range indexes {
		lang := targets[i].lang
		if _, ok := msg.payloads[lang]; !ok {
			lang = "it"
		}
		byLang[lang] = append(byLang[lang], i)
	}
	for _, lang := range slices.Sorted(maps.Keys(byLang)) {
		idx := byLang[lang]
		subs := make([]webpush.Subscription, len(idx))
		for j, i := range idx {
			subs[j] = targets[i].sub
			// What a target gets when SendMany stops before it.
			results[i] = webpush.Result{Outcome: webpush.Retryable, Reason: "not sent"}
		}
		err := s.Push.SendMany(ctx, subs, msg.payloads[lang], msg.opts, pushWorkers, func(j int, r webpush.Result) {
			results[idx[j]] = r // each index is written by one report only
		})
		if err != nil && ctx.Err() == nil {
			// The message itself was refused before any send.
			for _, i := range idx {
				results[i] = webpush.Result{Outcome: webpush.Rejected, Reason: "invalid message", Err: err}
			}
		}
	}
}

// pushReason is the short text kept with a subscriber's outcome.
func pushReason(r webpush.Result) string {
	var parts []string
	if r.Status != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(r.Status))
	}
	if r.Reason != "" {
		parts = append(parts, r.Reason)
	}
	if r.Err != nil {
		parts = append(parts, r.Err.Error())
	}
	return truncate(strings.Join(parts, ": "), 300)
}

// recordSends writes the outcomes of a batch, one statement per distinct
// outcome and reason: a batch where everything went well is one UPDATE.
// Only rows still "sending" change.
func recordSends(ctx context.Context, tx *sql.Tx, deliveryID string, rows []sendRow, now time.Time) error {
	type outcome struct{ state, err string }
	groups := map[outcome][]string{}
	var order []outcome
	for _, r := range rows {
		o := outcome{r.state, r.err}
		if _, ok := groups[o]; !ok {
			order = append(order, o)
		}
		groups[o] = append(groups[o], r.id)
	}
	for _, o := range order {
		args := []any{o.state, o.err, now, deliveryID, sendSending}
		q := `UPDATE alert_sends SET state = $1, error = $2, updated_at = $3 WHERE delivery_id = $4 AND state = $5 AND subscriber_id IN (` + //nolint:gosec // G202: placeholders only
			placeholders(&args, groups[o]) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
