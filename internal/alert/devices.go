// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// Test devices: a drill reaches no citizen, only the crisis team's own
// devices, so that the team sees the notification as a citizen would. A
// browser becomes one from the alerts page; the chats of a sandbox bot
// are test devices from their /start.

// maxDeviceLabel bounds a test device's label, in characters.
const maxDeviceLabel = 80

// AddTestDevice subscribes a browser of the crisis team to every alert and
// marks it a test device, so that drills reach it too. label says whose it
// is. A browser already subscribed as a citizen keeps its subscription and
// becomes a test device.
func (s *Service) AddTestDevice(ctx context.Context, orgID string, sub webpush.Subscription, lang, label string) (Subscriber, error) {
	label = strings.Join(strings.Fields(label), " ")
	switch {
	case label == "":
		return Subscriber{}, valid.New("label", "alert.device.label_required")
	case utf8.RuneCountInString(label) > maxDeviceLabel:
		return Subscriber{}, valid.New("label", "alert.device.label_long", maxDeviceLabel)
	}
	sb, err := s.SubscribeWebPush(ctx, orgID, sub, lang, nil, nil)
	if err != nil {
		return Subscriber{}, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE alert_subscribers SET exercise = $1, label = $2, updated_at = $3 WHERE id = $4`,
			true, label, s.now(), sb.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.test_device_add", TargetType: "alert_subscriber",
			TargetID: sb.ID, After: map[string]string{"label": label}})
	})
	if err != nil {
		return Subscriber{}, fmt.Errorf("alert: test device: %w", err)
	}
	sb.Exercise, sb.Label = true, label
	return sb, nil
}

// TestDevices lists the devices that receive drills, newest first: the
// browsers marked as test devices and the chats of the sandbox bots.
func (s *Service) TestDevices(ctx context.Context, orgID string) ([]Subscriber, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, kind, address, lang, label, created_at, updated_at FROM alert_subscribers
		WHERE org_id = $1 AND exercise ORDER BY created_at DESC, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("alert: test devices: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Subscriber
	for rows.Next() {
		sb := Subscriber{OrgID: orgID, Exercise: true}
		if err := rows.Scan(&sb.ID, &sb.Kind, &sb.Address, &sb.Lang, &sb.Label, &sb.CreatedAt, &sb.UpdatedAt); err != nil {
			return nil, fmt.Errorf("alert: test devices: %w", err)
		}
		out = append(out, sb)
	}
	return out, rows.Err()
}

// RemoveTestDevice forgets a test device: it receives nothing more, drills
// or alerts. An id that is not a test device of the organisation is
// store.ErrNotFound: a citizen's subscription is never removed from here.
func (s *Service) RemoveTestDevice(ctx context.Context, orgID, id string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var kind, label string
		err := tx.QueryRowContext(ctx, `DELETE FROM alert_subscribers WHERE id = $1 AND org_id = $2 AND exercise
			RETURNING kind, label`, id, orgID).Scan(&kind, &label)
		if err != nil {
			return fmt.Errorf("alert: remove test device: %w", store.Normalize(err))
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.test_device_remove", TargetType: "alert_subscriber",
			TargetID: id, Before: map[string]string{"kind": kind, "label": label}})
	})
}
