// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Alert is one message about an incident: the first alert, an update, or
// the all-clear.
type Alert struct {
	ID          string
	OrgID       string
	IncidentID  string
	Kind        Kind
	Colour      Colour
	Headline    string
	Body        string
	Instruction string
	Texts       map[string]Texts
	Exercise    bool
	CreatedBy   string
	SentAt      time.Time
}

// Delivery is an alert on one target: a channel account, or the bot's or
// Web Push's subscribers.
type Delivery struct {
	ID        string
	AlertID   string
	Target    string
	AccountID string
	Platform  string
	// Label is the account's name; for subscribers, the Italian text of
	// LabelKey. LabelIn is what a person reads.
	Label     string
	State     string
	RemoteID  string
	RemoteURL string
	// Error is the last error: the platform's words, or the Italian text
	// of ErrorKey, Piazza's own words with ErrorArgs. ErrorIn is what a
	// person reads.
	Error     string
	ErrorKey  string
	ErrorArgs []any
	Attempts  int
	Total     int
	Done      int
	UpdatedAt time.Time
}

// Settled reports whether no attempt will be made any more.
func (d Delivery) Settled() bool {
	return d.State == StateSent || d.State == StateFailed || d.State == StateUnknown
}

// SendInput is the composer's form.
type SendInput struct {
	Kind Kind
	// Headline, Body and Instruction are the crisis team's Italian words;
	// empty ones come from the incident and its type's template.
	Headline    string
	Body        string
	Instruction string
	// Languages besides Italian.
	Languages []string
	// Texts are the edited texts per language; a missing language or an
	// empty field takes the composer's proposal.
	Texts map[string]Texts
	// AccountIDs are the channel accounts to publish on.
	AccountIDs []string
	// Subscribers sends to the citizens subscribed to the Telegram bot
	// and to Web Push, when there are any.
	Subscribers bool
}

const alertColumns = `id, org_id, incident_id, kind, colour, headline, body, instruction, texts, exercise, COALESCE(created_by, ''), sent_at`

func scanAlert(sc interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var kind, colour, texts string
	if err := sc.Scan(&a.ID, &a.OrgID, &a.IncidentID, &kind, &colour, &a.Headline, &a.Body, &a.Instruction, &texts, &a.Exercise,
		&a.CreatedBy, &a.SentAt); err != nil {
		return Alert{}, err
	}
	a.Kind, a.Colour = Kind(kind), Colour(colour)
	_ = json.Unmarshal([]byte(texts), &a.Texts)
	return a, nil
}

const deliveryColumns = `id, alert_id, target, COALESCE(account_id, ''), platform, label, state, remote_id, remote_url, error, error_key,
	error_args, attempts, total, done, updated_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var args string
	err := sc.Scan(&d.ID, &d.AlertID, &d.Target, &d.AccountID, &d.Platform, &d.Label, &d.State, &d.RemoteID, &d.RemoteURL, &d.Error,
		&d.ErrorKey, &args, &d.Attempts, &d.Total, &d.Done, &d.UpdatedAt)
	if d.ErrorKey != "" {
		d.ErrorArgs = parseArgs(args)
	}
	return d, err
}

// Send broadcasts an alert about an incident to every selected target in
// one action. The alert, its deliveries and the audit entry commit
// together; then each delivery goes out on its own job, so one channel
// down never delays the others. A first alert opens the live page, the
// all-clear (KindCancel) closes the incident.
func (s *Service) Send(ctx context.Context, orgID, personID, incidentID string, in SendInput) (Alert, []Delivery, error) {
	var es valid.Errors
	if !in.Kind.Valid() {
		es.Add("kind", "alert.send.kind_unknown", string(in.Kind))
	}
	for _, f := range []struct{ field, text string }{{"headline", in.Headline}, {"body", in.Body}, {"instruction", in.Instruction}} {
		if utf8.RuneCountInString(f.text) > maxText {
			es.Add(f.field, "alert.text_too_long", maxText)
		}
	}
	if err := es.Err(); err != nil {
		return Alert{}, nil, err
	}
	inc, err := s.Incident(ctx, orgID, incidentID)
	if err != nil {
		return Alert{}, nil, err
	}
	accounts, err := s.targets(ctx, orgID, inc.Exercise, in.AccountIDs)
	if err != nil {
		return Alert{}, nil, err
	}
	slug, err := s.slugOf(ctx, orgID)
	if err != nil {
		return Alert{}, nil, err
	}
	d := Compose(inc, in.Kind, in.Languages, s.LiveURL(slug, inc.ID), in.Headline, in.Body, in.Instruction)
	for lang, t := range in.Texts {
		cur, ok := d.Texts[lang]
		if !ok {
			continue
		}
		for _, f := range []struct {
			name      string // the composer's field is text_<lang>_<name>
			cur, edit *string
		}{{"headline", &cur.Headline, &t.Headline}, {"short", &cur.Short, &t.Short}, {"full", &cur.Full, &t.Full}, {"push", &cur.Push, &t.Push}} {
			if v := strings.TrimSpace(*f.edit); v != "" {
				if utf8.RuneCountInString(v) > maxText {
					es.Add("text_"+lang+"_"+f.name, "alert.text_too_long", maxText)
					continue
				}
				*f.cur = v
			}
		}
		d.Texts[lang] = cur
	}
	if err := es.Err(); err != nil {
		return Alert{}, nil, err
	}
	a := Alert{ID: store.NewID(), OrgID: orgID, IncidentID: inc.ID, Kind: in.Kind, Colour: inc.Colour, Headline: d.Headline,
		Body: d.Body, Instruction: d.Instruction, Texts: d.Texts, Exercise: inc.Exercise, CreatedBy: personID, SentAt: s.now()}
	var subscriberTargets []Delivery
	if in.Subscribers {
		if subscriberTargets, err = s.subscriberDeliveries(ctx, orgID, inc, a); err != nil {
			return Alert{}, nil, err
		}
	}
	var deliveries []Delivery
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The incident is read again inside the transaction: two people
		// pressing "send" at once must not both open it.
		var status string
		var sent int
		if err := tx.QueryRowContext(ctx, `SELECT status, (SELECT COUNT(*) FROM alerts WHERE incident_id = $1) FROM incidents WHERE id = $1`,
			inc.ID).Scan(&status, &sent); err != nil {
			return store.Normalize(err)
		}
		switch {
		case Status(status) == StatusResolved:
			return valid.New("status", "alert.send.resolved")
		case in.Kind == KindAlert && sent > 0:
			return valid.New("kind", "alert.send.already_alerted")
		case in.Kind != KindAlert && sent == 0:
			return valid.New("kind", "alert.send.not_alerted")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO alerts (id, org_id, incident_id, kind, colour, headline, body, instruction, texts,
			exercise, created_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			a.ID, orgID, inc.ID, string(a.Kind), string(a.Colour), a.Headline, a.Body, a.Instruction, jsonOf(a.Texts, "{}"),
			a.Exercise, nullable(personID), a.SentAt)
		if err != nil {
			return err
		}
		switch a.Kind {
		case KindAlert:
			_, err = tx.ExecContext(ctx, `UPDATE incidents SET status = 'active', started_at = $1, updated_at = $1 WHERE id = $2`, a.SentAt, inc.ID)
		case KindCancel:
			_, err = tx.ExecContext(ctx, `UPDATE incidents SET status = 'resolved', resolved_at = $1, updated_at = $1 WHERE id = $2`, a.SentAt, inc.ID)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE incidents SET updated_at = $1 WHERE id = $2`, a.SentAt, inc.ID)
		}
		if err != nil {
			return err
		}
		for _, acct := range accounts {
			d := Delivery{ID: store.NewID(), AlertID: a.ID, Target: TargetAccount, AccountID: acct.ID, Platform: string(acct.Platform),
				Label: acct.Name, State: StateQueued, UpdatedAt: a.SentAt}
			if err := insertDelivery(ctx, tx, orgID, d); err != nil {
				return err
			}
			deliveries = append(deliveries, d)
		}
		for _, d := range subscriberTargets {
			if err := insertDelivery(ctx, tx, orgID, d); err != nil {
				return err
			}
			deliveries = append(deliveries, d)
		}
		labels := make([]string, 0, len(deliveries))
		for _, d := range deliveries {
			labels = append(labels, d.Platform+": "+d.Label)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.sent", TargetType: "incident", TargetID: inc.ID,
			TargetLabel: inc.Title, After: map[string]any{"alert": a.ID, "kind": a.Kind, "colour": a.Colour, "exercise": a.Exercise,
				"targets": labels, "exempt": "emergency alert: cadence guard, quiet hours and suspension do not apply"}})
	})
	if err != nil {
		return Alert{}, nil, fmt.Errorf("alert: send: %w", err)
	}
	ids := make([]string, len(deliveries))
	for i, d := range deliveries {
		ids[i] = d.ID
	}
	s.enqueue(ctx, ids...)
	if a.Exercise && a.Kind == KindAlert && s.OnDrill != nil {
		s.OnDrill(inc)
	}
	return a, deliveries, nil
}

func insertDelivery(ctx context.Context, tx *sql.Tx, orgID string, d Delivery) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_deliveries (id, org_id, alert_id, target, account_id, platform, label, state,
		total, next_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)`,
		d.ID, orgID, d.AlertID, d.Target, nullable(d.AccountID), d.Platform, d.Label, d.State, d.Total, d.UpdatedAt)
	return err
}

// targets checks the chosen accounts: the organisation's own, usable, and
// in a drill sandbox ones only — a drill can never publish for real.
func (s *Service) targets(ctx context.Context, orgID string, exercise bool, ids []string) ([]publish.Account, error) {
	if s.Publish == nil {
		return nil, nil
	}
	var out []publish.Account
	for _, id := range ids {
		if slices.ContainsFunc(out, func(a publish.Account) bool { return a.ID == id }) {
			continue
		}
		a, err := s.Publish.Account(ctx, orgID, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, valid.New("account", "alert.send.channel_unknown", truncate(id, 100))
		}
		if err != nil {
			return nil, err
		}
		if exercise && !a.Sandbox {
			return nil, valid.New("account", "alert.send.channel_real", a.Name)
		}
		if a.Status == publish.AccountDisabled {
			return nil, valid.New("account", "alert.send.channel_disabled", a.Name)
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Service) slugOf(ctx context.Context, orgID string) (string, error) {
	var slug string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT slug FROM organisations WHERE id = $1`, orgID).Scan(&slug); err != nil {
		return "", fmt.Errorf("alert: organisation: %w", store.Normalize(err))
	}
	return slug, nil
}

// Alerts lists an incident's alerts, oldest first: the live page's
// timeline.
func (s *Service) Alerts(ctx context.Context, orgID, incidentID string) ([]Alert, error) {
	return s.alerts(ctx, `SELECT `+alertColumns+` FROM alerts WHERE org_id = $1 AND incident_id = $2 ORDER BY sent_at, id`, orgID, incidentID)
}

// RecentAlerts lists the organisation's latest real alerts, newest
// first, for the public feeds: a drill's alerts stay out of them, as the
// press and other systems read the feeds as real channels.
func (s *Service) RecentAlerts(ctx context.Context, orgID string, limit int) ([]Alert, error) {
	return s.alerts(ctx, `SELECT `+alertColumns+` FROM alerts WHERE org_id = $1 AND NOT exercise ORDER BY sent_at DESC, id DESC
		LIMIT $2`, orgID, limit)
}

// AlertByID returns one alert.
func (s *Service) AlertByID(ctx context.Context, orgID, id string) (Alert, error) {
	a, err := scanAlert(s.DB.Read.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Alert{}, fmt.Errorf("alert: %s: %w", id, store.Normalize(err))
	}
	return a, nil
}

func (s *Service) alerts(ctx context.Context, q string, args ...any) ([]Alert, error) {
	rows, err := s.DB.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("alert: alerts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("alert: alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Deliveries lists an alert's deliveries, in the order they were made.
func (s *Service) Deliveries(ctx context.Context, orgID, alertID string) ([]Delivery, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM alert_deliveries WHERE org_id = $1 AND alert_id = $2
		ORDER BY created_at, id`, orgID, alertID)
	if err != nil {
		return nil, fmt.Errorf("alert: deliveries: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("alert: deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Signature changes whenever an alert of the incident is sent or one of
// its deliveries moves: the crisis page refreshes on it.
func (s *Service) Signature(ctx context.Context, orgID, incidentID string) (string, error) {
	var alerts, deliveries, attempts, done, states int
	err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.id), COUNT(d.id), COALESCE(SUM(d.attempts), 0),
		COALESCE(SUM(d.done), 0), COALESCE(SUM(CASE d.state WHEN 'sending' THEN 1 WHEN 'retrying' THEN 3 WHEN 'sent' THEN 7
			WHEN 'failed' THEN 15 WHEN 'unknown' THEN 31 ELSE 0 END), 0)
		FROM alerts a LEFT JOIN alert_deliveries d ON d.alert_id = a.id WHERE a.org_id = $1 AND a.incident_id = $2`, orgID, incidentID).
		Scan(&alerts, &deliveries, &attempts, &done, &states)
	if err != nil {
		return "", fmt.Errorf("alert: signature: %w", err)
	}
	return fmt.Sprintf("%d/%d/%d/%d/%d", alerts, deliveries, attempts, done, states), nil
}

// subscriberDeliveries are the deliveries to the citizens subscribed by
// Telegram bot and Web Push that an alert reaches: none for a channel
// with nobody to reach, or without a bot or push keys.
func (s *Service) subscriberDeliveries(ctx context.Context, orgID string, inc Incident, a Alert) ([]Delivery, error) {
	var out []Delivery
	if s.Bots != nil {
		bot, err := s.Bots(ctx, orgID, "")
		if err != nil {
			return nil, err
		}
		if bot != nil && (!inc.Exercise || bot.Sandbox()) {
			subs, err := s.botAudience(ctx, orgID, bot.AccountID(), inc, inc.Exercise, "")
			if err != nil {
				return nil, err
			}
			if len(subs) > 0 {
				out = append(out, Delivery{ID: store.NewID(), AlertID: a.ID, Target: TargetTelegramBot, AccountID: bot.AccountID(), Platform: "telegram",
					Label: italian(labelTelegramBot), State: StateQueued, Total: len(subs), UpdatedAt: a.SentAt})
			}
		}
	}
	if s.Push != nil {
		n, err := s.pushAudience(ctx, orgID, inc)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, Delivery{ID: store.NewID(), AlertID: a.ID, Target: TargetWebPush, Platform: "webpush",
				Label: italian(labelWebPush), State: StateQueued, Total: n, UpdatedAt: a.SentAt})
		}
	}
	return out, nil
}
