// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// botTimeout bounds one run of a bot broadcast: 10,000 subscribers at
// Telegram's 30 a second take under six minutes; a longer list resumes in
// the next run where this one stopped.
const botTimeout = 15 * time.Minute

// botTarget is one subscriber of a bot broadcast.
type botTarget struct {
	id     string
	chatID int64
	lang   string
}

// botAudience lists the Telegram subscribers an alert about inc reaches
// and that deliveryID ("" for none) has not tried, shopkeepers first (003:
// they have goods to bring in), then by age of subscription.
func (s *Service) botAudience(ctx context.Context, orgID, botAccount string, inc Incident, drill bool, deliveryID string) ([]botTarget, error) {
	q := `SELECT s.id, s.address, s.lang, s.topics, s.zones FROM alert_subscribers s WHERE s.org_id = $1 AND s.kind = $2
		AND s.account_id = $3`
	args := []any{orgID, SubscriberTelegram, botAccount}
	if drill {
		q += ` AND s.exercise`
	}
	if deliveryID != "" {
		args = append(args, deliveryID)
		q += ` AND NOT EXISTS (SELECT 1 FROM alert_sends x WHERE x.delivery_id = $4 AND x.subscriber_id = s.id)`
	}
	q += ` ORDER BY CASE s.segment WHEN 'commercianti' THEN 0 ELSE 1 END, s.created_at, s.id`
	rows, err := s.DB.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("alert: bot subscribers: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []botTarget
	for rows.Next() {
		var t botTarget
		var addr, topics, zones string
		if err := rows.Scan(&t.id, &addr, &t.lang, &topics, &zones); err != nil {
			return nil, fmt.Errorf("alert: bot subscribers: %w", err)
		}
		if t.chatID, err = strconv.ParseInt(addr, 10, 64); err != nil || !reaches(inc, topics, zones) {
			continue
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// botFanout sends an alert to the bot's subscribers for a claimed
// delivery. Each message is recorded as "sending" before it goes; a run
// that stops leaves those rows for the next one to count as unknown, and
// the next run skips every subscriber that has a row, so nothing sent is
// sent twice. A chat that blocked the bot is unsubscribed.
func (s *Service) botFanout(ctx context.Context, orgID string, d Delivery, a Alert, inc Incident) error {
	if s.Bots == nil {
		return keyed(&channel.Error{Kind: channel.Permanent, Op: "telegram"}, "alert.delivery.error.no_bot")
	}
	bot, err := s.Bots(ctx, orgID, d.AccountID)
	if err != nil || bot == nil {
		return keyed(&channel.Error{Kind: channel.Permanent, Op: "telegram", Err: err}, "alert.delivery.error.no_bot")
	}
	drill := a.Exercise || inc.Exercise
	if drill && !bot.Sandbox() {
		return keyed(&channel.Error{Kind: channel.Permanent, Op: "telegram"}, "alert.delivery.error.drill_real_bot")
	}
	ctx, cancel := context.WithTimeout(ctx, botTimeout)
	defer cancel()
	if _, err := s.DB.Write.ExecContext(ctx, `UPDATE alert_sends SET state = $1, error = $2, updated_at = $3
		WHERE delivery_id = $4 AND state = $5`, sendUnknown, "interrotto durante l'invio", s.now(), d.ID, sendSending); err != nil {
		return pushRetryable(err)
	}
	var done int
	if err := s.DB.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_sends WHERE delivery_id = $1`, d.ID).Scan(&done); err != nil {
		return pushRetryable(err)
	}
	subs, err := s.botAudience(ctx, orgID, bot.AccountID(), inc, drill, d.ID)
	if err != nil {
		return pushRetryable(err)
	}
	total := done + len(subs)
	keeper := s.keepLease(ctx, d.ID)
	defer keeper.stop()
	if owned, err := s.pushProgress(ctx, s.DB.Write, d.ID, done, total); err != nil {
		return pushRetryable(err)
	} else if !owned {
		return errLeaseLost
	}
	targets := make([]BotTarget, len(subs))
	for i, sub := range subs {
		t, ok := a.Texts[sub.lang]
		if !ok || t.Full == "" {
			t = a.Texts["it"]
		}
		targets[i] = BotTarget{ChatID: sub.chatID, Text: t.Full}
	}
	blocked, attempted := 0, 0
	record := func(r BotResult) error {
		sub := subs[r.Index]
		now := s.now()
		var err error
		switch r.Outcome {
		case BotSending:
			if keeper.lost.Load() {
				return errLeaseLost
			}
			// A token that fits no chat (another bot's) would unsubscribe
			// everyone: stop instead, for a person to look.
			if attempted >= 50 && blocked*10 >= attempted*9 {
				return keyed(&channel.Error{Kind: channel.Permanent, Op: "telegram"}, "alert.delivery.error.bot_refused")
			}
			attempted++
			_, err = s.DB.Write.ExecContext(ctx, `INSERT INTO alert_sends (delivery_id, subscriber_id, state, updated_at) VALUES ($1, $2, $3, $4)`,
				d.ID, sub.id, sendSending, now)
			return err
		case BotDelivered:
			err = s.setSend(ctx, d.ID, sub.id, sendSent, "")
			done++
		case BotBlocked:
			blocked++
			done++
			if err = s.setSend(ctx, d.ID, sub.id, sendGone, "il cittadino ha bloccato il bot"); err == nil {
				_, err = s.DB.Write.ExecContext(ctx, `DELETE FROM alert_subscribers WHERE id = $1`, sub.id)
			}
		case BotFailed:
			err = s.setSend(ctx, d.ID, sub.id, sendFailed, errString(r.Err))
			done++
		case BotUnknown:
			err = s.setSend(ctx, d.ID, sub.id, sendUnknown, errString(r.Err))
			done++
		case BotNotSent:
			// Never sent: the next run tries it.
			_, err = s.DB.Write.ExecContext(ctx, `DELETE FROM alert_sends WHERE delivery_id = $1 AND subscriber_id = $2 AND state = $3`,
				d.ID, sub.id, sendSending)
		}
		if err == nil && done%50 == 0 {
			_, err = s.pushProgress(ctx, s.DB.Write, d.ID, done, total)
		}
		return err
	}
	berr := bot.Broadcast(ctx, targets, record)
	if _, err := s.pushProgress(context.WithoutCancel(ctx), s.DB.Write, d.ID, done, total); err != nil {
		return pushRetryable(err)
	}
	var ke *keyedError
	var ce *channel.Error
	switch {
	case berr == nil:
		return nil
	case errors.As(berr, &ke): // ours, from record: before the channel.Error it wraps
		return ke
	case errors.As(berr, &ce):
		return ce
	case ctx.Err() != nil:
		return keyed(&channel.Error{Kind: channel.Retryable, Op: "telegram", RetryAfter: time.Second},
			"alert.delivery.error.bot_paused", done, total)
	default:
		return keyed(&channel.Error{Kind: channel.Retryable, Op: "telegram", Err: berr}, "alert.delivery.error.bot_interrupted")
	}
}

func (s *Service) setSend(ctx context.Context, deliveryID, subscriberID, state, msg string) error {
	// An upsert: a target refused before its send has no row yet.
	_, err := s.DB.Write.ExecContext(ctx, `INSERT INTO alert_sends (delivery_id, subscriber_id, state, error, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id, subscriber_id) DO UPDATE SET state = excluded.state,
		error = excluded.error, updated_at = excluded.updated_at`, deliveryID, subscriberID, state, truncate(msg, 300), s.now())
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return errText(err)
}
