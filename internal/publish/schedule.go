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
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/editorial/media"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// VariantCheck is what the editor shows beside a variant: the length as
// the platform counts it, the limit, and what stops it from being
// scheduled.
type VariantCheck struct {
	VariantID string
	AccountID string
	Platform  channel.Platform
	Count     int
	Limit     int
	Unit      string
	Problems  []channel.Problem
}

// OK reports whether the variant can be scheduled.
func (c VariantCheck) OK() bool { return len(c.Problems) == 0 }

// ProblemsError lists the variants that cannot be scheduled.
type ProblemsError struct{ Checks []VariantCheck }

func (e *ProblemsError) Error() string {
	var parts []string
	for _, c := range e.Checks {
		for _, p := range c.Problems {
			parts = append(parts, fmt.Sprintf("%s %s: %s (%d/%d)", c.Platform, c.VariantID, p.Code, p.Actual, p.Limit))
		}
	}
	return "publish: variants not publishable: " + strings.Join(parts, "; ")
}

// ErrSuspended is returned for a publish-now while the organisation's
// publications are suspended.
var ErrSuspended = errors.New("publish: publications are suspended")

// CheckText checks a text as it would go to an account, without saving:
// the live counter of the editor.
func (s *Service) CheckText(ctx context.Context, orgID, accountID, text string, mediaIDs []string, linkURL string) (VariantCheck, error) {
	acct, err := s.Account(ctx, orgID, accountID)
	if err != nil {
		return VariantCheck{}, err
	}
	conn, ok := s.reg.For(channel.Account{Platform: acct.Platform, Sandbox: acct.Sandbox})
	if !ok {
		return VariantCheck{}, fmt.Errorf("publish: no connector for %s", acct.Platform)
	}
	ca := channel.Account{ID: acct.ID, Platform: acct.Platform, BaseURL: acct.BaseURL, Handle: acct.Handle,
		Settings: acct.Settings, Sandbox: acct.Sandbox}
	post := editorial.Post{LinkURL: linkURL}
	cp, err := s.channelPost(ctx, conn, ca, post, editorial.Variant{OrgID: orgID, Text: text, MediaIDs: mediaIDs})
	if err != nil {
		return VariantCheck{}, err
	}
	return s.check(conn, ca, cp, ""), nil
}

func (s *Service) check(conn channel.Connector, ca channel.Account, cp channel.Post, variantID string) VariantCheck {
	lim := conn.Limits(ca)
	limit := lim.MaxText
	if len(cp.Media) > 0 && lim.MaxTextWithMedia > 0 {
		limit = lim.MaxTextWithMedia
	}
	return VariantCheck{
		VariantID: variantID, AccountID: ca.ID, Platform: ca.Platform,
		Count: conn.Count(ca, cp.Text), Limit: limit, Unit: lim.TextUnit,
		Problems: channel.Check(conn, ca, cp),
	}
}

// CheckPost checks every variant of a post.
func (s *Service) CheckPost(ctx context.Context, orgID, postID string) ([]VariantCheck, error) {
	post, err := s.editorial.Post(ctx, orgID, postID)
	if err != nil {
		return nil, err
	}
	vs, err := s.editorial.Variants(ctx, orgID, postID)
	if err != nil {
		return nil, err
	}
	out := make([]VariantCheck, 0, len(vs))
	for _, v := range vs {
		acct, err := s.Account(ctx, orgID, v.AccountID)
		if err != nil {
			return nil, err
		}
		conn, ok := s.reg.For(channel.Account{Platform: acct.Platform, Sandbox: acct.Sandbox})
		if !ok {
			return nil, fmt.Errorf("publish: no connector for %s", acct.Platform)
		}
		ca := channel.Account{ID: acct.ID, Platform: acct.Platform, BaseURL: acct.BaseURL, Handle: acct.Handle,
			Settings: acct.Settings, Sandbox: acct.Sandbox}
		cp, err := s.channelPost(ctx, conn, ca, post, v)
		if err != nil {
			return nil, err
		}
		c := s.check(conn, ca, cp, v.ID)
		if acct.Status == AccountDisabled {
			c.Problems = append(c.Problems, channel.Problem{Code: "publish.problem.account_disabled"})
		}
		out = append(out, c)
	}
	return out, nil
}

// channelPost turns a variant into what a connector publishes: its text,
// its media fitted to the platform's limits (type, bytes, size), the link
// card of the post.
func (s *Service) channelPost(ctx context.Context, conn channel.Connector, ca channel.Account, post editorial.Post, v editorial.Variant) (channel.Post, error) {
	cp := channel.Post{Text: v.Text, Language: v.Language, Title: post.Title}
	if post.LinkURL != "" {
		cp.Link = &channel.LinkCard{URL: post.LinkURL, Title: post.LinkTitle, Description: post.LinkDescription}
	}
	lim := conn.Limits(ca)
	for _, id := range v.MediaIDs {
		m, data, err := s.editorial.MediaData(ctx, v.OrgID, id)
		if err != nil {
			return channel.Post{}, err
		}
		cm := channel.Media{Kind: channel.MediaKind(m.Kind), ContentType: m.ContentType, Data: data, AltText: m.AltText,
			Captions: m.Captions, Width: m.Width, Height: m.Height, Filename: m.Filename, URL: s.mediaURL(v.OrgID, m.ID)}
		if cm.Kind == channel.Image && lim.MaxImages > 0 {
			// Fit to the platform: a 4 MB photo goes to Bluesky as a JPEG
			// under 1 MB. If it cannot be fitted, the original goes to the
			// validator, which says why.
			out, typ, w, h, err := media.Fit(data, m.ContentType, media.Target{Types: lim.ImageTypes,
				MaxBytes: lim.MaxImageBytes, MaxSide: lim.MaxImageSide})
			if err == nil {
				cm.Data, cm.ContentType, cm.Width, cm.Height = out, typ, w, h
			}
		}
		cp.Media = append(cp.Media, cm)
	}
	return cp, nil
}

// ScheduleResult says what scheduling did and what the cadence guard
// thinks of it (advice: the plan is the team's decision).
type ScheduleResult struct {
	Post     editorial.Post
	Warnings []CadenceWarning
}

// Schedule makes an approved post go out at `at` on every variant's
// account. A variant over its platform's limits, or an image without
// alternative text, stops it and says why (ProblemsError).
func (s *Service) Schedule(ctx context.Context, actor editorial.Actor, orgID, postID string, version int, at time.Time) (ScheduleResult, error) {
	checks, err := s.CheckPost(ctx, orgID, postID)
	if err != nil {
		return ScheduleResult{}, err
	}
	if len(checks) == 0 {
		return ScheduleResult{}, valid.New("variants", "publish.schedule.no_variants")
	}
	var bad []VariantCheck
	for _, c := range checks {
		if !c.OK() {
			bad = append(bad, c)
		}
	}
	if len(bad) > 0 {
		return ScheduleResult{}, &ProblemsError{Checks: bad}
	}
	now := store.Now()
	if at.IsZero() || at.Before(now) {
		at = now
	}
	at = store.Time(at)
	vs, err := s.editorial.Variants(ctx, orgID, postID)
	if err != nil {
		return ScheduleResult{}, err
	}
	warnings, err := s.CadenceWarnings(ctx, orgID, postID, vs, at)
	if err != nil {
		return ScheduleResult{}, err
	}
	var post editorial.Post
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		post, err = s.editorial.ScheduleTx(ctx, tx, actor, orgID, postID, version, at)
		if err != nil {
			return err
		}
		for _, v := range vs {
			// A variant scheduled before (then unscheduled) reuses its row;
			// a published or pending one is never touched.
			_, err := tx.ExecContext(ctx, `INSERT INTO publications (id, org_id, post_id, variant_id, account_id, state,
					due_at, next_attempt_at, exempt, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $6, $7, $8, $8)
				ON CONFLICT (variant_id) DO UPDATE SET state = 'scheduled', due_at = excluded.due_at,
					next_attempt_at = excluded.next_attempt_at, attempts = 0, last_error = '', error_kind = '',
					updated_at = excluded.updated_at
				WHERE publications.state IN ('cancelled', 'failed')`,
				store.NewID(), orgID, postID, v.ID, v.AccountID, at, post.IsAlert, now)
			if err != nil {
				return err
			}
		}
		if len(warnings) > 0 {
			return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.cadence_override", TargetType: "post",
				TargetID: postID, TargetLabel: post.Title, After: warnings})
		}
		return nil
	})
	if err != nil {
		return ScheduleResult{}, fmt.Errorf("publish: schedule %s: %w", postID, err)
	}
	if !at.After(store.Now()) {
		s.Wake()
	}
	return ScheduleResult{Post: post, Warnings: warnings}, nil
}

// Unschedule takes a scheduled post back to approved. Publications
// already under way (or done) stay as they are: only those still waiting
// for their time are cancelled.
func (s *Service) Unschedule(ctx context.Context, actor editorial.Actor, orgID, postID string, version int) (editorial.Post, error) {
	var post editorial.Post
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var busy int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications WHERE post_id = $1 AND org_id = $2
			AND state NOT IN ('scheduled', 'cancelled')`, postID, orgID).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return valid.New("state", "publish.schedule.already_started")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'cancelled', updated_at = $1
			WHERE post_id = $2 AND org_id = $3 AND state = 'scheduled'`, store.Now(), postID, orgID); err != nil {
			return err
		}
		var err error
		post, err = s.editorial.TransitionTx(ctx, tx, actor, orgID, postID, version, editorial.ActionUnschedule, "")
		return err
	})
	if err != nil {
		return editorial.Post{}, fmt.Errorf("publish: unschedule %s: %w", postID, err)
	}
	return post, nil
}

// Reschedule moves a scheduled post whose publications have not started.
func (s *Service) Reschedule(ctx context.Context, actor editorial.Actor, orgID, postID string, version int, at time.Time) (ScheduleResult, error) {
	if _, err := s.Unschedule(ctx, actor, orgID, postID, version); err != nil {
		return ScheduleResult{}, err
	}
	p, err := s.editorial.Post(ctx, orgID, postID)
	if err != nil {
		return ScheduleResult{}, err
	}
	return s.Schedule(ctx, actor, orgID, postID, p.Version, at)
}
