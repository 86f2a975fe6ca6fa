// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// CadenceWarning says how a planned post breaks an account's cadence.
type CadenceWarning struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	// Code is an i18n key: publish.cadence.too_many, .too_close, .quiet.
	Code string `json:"code"`
	// Limit and Actual fill the message: posts per day, or minutes.
	Limit  int `json:"limit"`
	Actual int `json:"actual"`
}

// The cadence warning codes.
const (
	CadenceTooMany  = "publish.cadence.too_many"
	CadenceTooClose = "publish.cadence.too_close"
	CadenceQuiet    = "publish.cadence.quiet"
)

// CadenceWarnings checks a post planned at `at` on the accounts of vs
// against each account's cadence: posts that local day, spacing from the
// nearest other post, quiet hours. Other posts count when scheduled,
// published or planned (approved with a time); the post itself does not.
func (s *Service) CadenceWarnings(ctx context.Context, orgID, postID string, vs []editorial.Variant, at time.Time) ([]CadenceWarning, error) {
	tz := "Europe/Rome"
	_ = s.db.Read.QueryRowContext(ctx, `SELECT timezone FROM organisations WHERE id = $1`, orgID).Scan(&tz)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	var out []CadenceWarning
	seen := map[string]bool{}
	for _, v := range vs {
		if seen[v.AccountID] {
			continue // language editions on one account count once
		}
		seen[v.AccountID] = true
		acct, err := s.Account(ctx, orgID, v.AccountID)
		if err != nil {
			return nil, err
		}
		c := acct.Cadence
		if c.MaxPerDay == 0 && c.MinSpacing == 0 && c.QuietStart == "" {
			continue
		}
		local := at.In(loc)
		dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		times, err := s.plannedTimes(ctx, acct.ID, postID, dayStart.Add(-24*time.Hour), dayStart.Add(48*time.Hour))
		if err != nil {
			return nil, err
		}
		if c.MaxPerDay > 0 {
			n := 1
			for _, t := range times {
				if !t.Before(dayStart) && t.Before(dayStart.AddDate(0, 0, 1)) {
					n++
				}
			}
			if n > c.MaxPerDay {
				out = append(out, CadenceWarning{AccountID: acct.ID, AccountName: acct.Name, Code: CadenceTooMany, Limit: c.MaxPerDay, Actual: n})
			}
		}
		if c.MinSpacing > 0 {
			closest := time.Duration(-1)
			for _, t := range times {
				d := t.Sub(at)
				if d < 0 {
					d = -d
				}
				if closest < 0 || d < closest {
					closest = d
				}
			}
			if closest >= 0 && closest < c.MinSpacing {
				out = append(out, CadenceWarning{AccountID: acct.ID, AccountName: acct.Name, Code: CadenceTooClose,
					Limit: int(c.MinSpacing / time.Minute), Actual: int(closest / time.Minute)})
			}
		}
		if _, quiet := quietUntil(at, c.QuietStart, c.QuietEnd, tz); quiet {
			out = append(out, CadenceWarning{AccountID: acct.ID, AccountName: acct.Name, Code: CadenceQuiet})
		}
	}
	return out, nil
}

// plannedTimes are the times of the other posts on an account between
// from and to.
func (s *Service) plannedTimes(ctx context.Context, accountID, exceptPost string, from, to time.Time) ([]time.Time, error) {
	rows, err := s.db.Read.QueryContext(ctx, `
		SELECT pub.published_at, pub.due_at FROM publications pub
		WHERE pub.account_id = $1 AND pub.post_id <> $2 AND pub.state NOT IN ('cancelled', 'failed', 'deleted')
			AND COALESCE(pub.published_at, pub.due_at) >= $3 AND COALESCE(pub.published_at, pub.due_at) < $4
		UNION ALL
		SELECT NULL, p.scheduled_at FROM posts p JOIN variants v ON v.post_id = p.id
		WHERE v.account_id = $1 AND p.id <> $2 AND p.state IN ('review', 'approved') AND p.scheduled_at IS NOT NULL
			AND p.scheduled_at >= $3 AND p.scheduled_at < $4`,
		accountID, exceptPost, store.Time(from), store.Time(to))
	if err != nil {
		return nil, fmt.Errorf("publish: planned times: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		// Two columns rather than COALESCE: SQLite would hand back the
		// coalesced value as text.
		var (
			published sql.NullTime
			due       time.Time
		)
		if err := rows.Scan(&published, &due); err != nil {
			return nil, err
		}
		if published.Valid {
			due = published.Time
		}
		out = append(out, due)
	}
	return out, rows.Err()
}

// Suspension is the state of the organisation's kill switch.
type Suspension struct {
	Suspended bool
	Reason    string
	By        string
	At        time.Time
	// Held is how many publications wait because of it.
	Held int
}

// Suspension returns the switch's state.
func (s *Service) Suspension(ctx context.Context, orgID string) (Suspension, error) {
	var (
		sp Suspension
		at sql.NullTime
	)
	err := s.db.Read.QueryRowContext(ctx, `SELECT suspended, suspended_reason, COALESCE(suspended_by, ''), suspended_at
		FROM publishing_settings WHERE org_id = $1`, orgID).Scan(&sp.Suspended, &sp.Reason, &sp.By, &at)
	if errors.Is(store.Normalize(err), store.ErrNotFound) {
		return sp, nil // never suspended: no settings row yet
	}
	if err != nil {
		return sp, fmt.Errorf("publish: suspension: %w", err)
	}
	sp.At = at.Time
	if sp.Suspended {
		err = s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications WHERE org_id = $1 AND NOT exempt
			AND state IN ('scheduled', 'retrying') AND next_attempt_at <= $2`, orgID, store.Now()).Scan(&sp.Held)
	}
	return sp, err
}

// Suspend stops every publication of the organisation that is not an
// emergency alert ("sospendi tutte le pubblicazioni"): in a crisis, the
// planned cheerful post must not go out. Publications already queued go
// back to wait; one in flight finishes.
func (s *Service) Suspend(ctx context.Context, orgID, personID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return valid.New("reason", "publish.suspend.reason_required")
	}
	now := store.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO publishing_settings (org_id, suspended, suspended_reason, suspended_by, suspended_at, updated_at)
			VALUES ($1, TRUE, $2, $3, $4, $4)
			ON CONFLICT (org_id) DO UPDATE SET suspended = TRUE, suspended_reason = excluded.suspended_reason,
				suspended_by = excluded.suspended_by, suspended_at = excluded.suspended_at, updated_at = excluded.updated_at`,
			orgID, reason, nullable(personID), now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'scheduled', updated_at = $1
			WHERE org_id = $2 AND NOT exempt AND state = 'queued'`, now, orgID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "publishing.suspend", TargetType: "organisation",
			TargetID: orgID, After: map[string]string{"reason": reason}})
	})
}

// Resume lifts the suspension. Publications whose time passed meanwhile
// go out now, spaced by the accounts' own rates; the page that resumes
// lists them first so a person can unschedule what no longer fits.
func (s *Service) Resume(ctx context.Context, orgID string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE publishing_settings SET suspended = FALSE, updated_at = $1
			WHERE org_id = $2 AND suspended`, store.Now(), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "publishing.resume", TargetType: "organisation", TargetID: orgID})
	})
	if err == nil {
		s.Wake()
	}
	return err
}

// Held lists the publications held by the suspension whose time has come.
func (s *Service) Held(ctx context.Context, orgID string) ([]Publication, error) {
	return s.publications(ctx, `SELECT `+publicationColumns+` FROM publications WHERE org_id = $1 AND NOT exempt
		AND state IN ('scheduled', 'retrying') AND next_attempt_at <= $2 ORDER BY due_at`, orgID, store.Now())
}
