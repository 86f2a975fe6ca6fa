// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
)

// Session is a browser login. The cookie holds the token; the database
// holds only its hash, so a leaked database cannot be replayed.
type Session struct {
	TokenHash  string
	PersonID   string
	OrgID      string // the organisation the person is working in
	CSRFToken  string
	MFAPending bool // password accepted, second factor still due
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionInput describes a new session.
type SessionInput struct {
	PersonID   string
	OrgID      string
	MFAPending bool
	IP         string
	UserAgent  string
	Lifetime   time.Duration
}

// CreateSession starts a session and returns the cookie token.
func (s *Service) CreateSession(ctx context.Context, in SessionInput) (string, Session, error) {
	token, hash, err := NewToken("")
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	csrf, _, err := NewToken("")
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	now := s.now()
	ua := in.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := Session{TokenHash: hash, PersonID: in.PersonID, OrgID: in.OrgID, CSRFToken: csrf, MFAPending: in.MFAPending,
		IP: in.IP, UserAgent: ua, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(in.Lifetime)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, person_id, org_id, csrf_token, mfa_pending, ip, user_agent, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
			hash, in.PersonID, nullable(in.OrgID), csrf, in.MFAPending, in.IP, ua, now, sess.ExpiresAt)
		if err != nil || in.MFAPending {
			return err
		}
		return recordLogin(ctx, tx, in.PersonID, in.OrgID, in.IP)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("auth: create session: %w", err)
	}
	return token, sess, nil
}

func recordLogin(ctx context.Context, tx *sql.Tx, personID, orgID, ip string) error {
	var email string
	if err := tx.QueryRowContext(ctx, `SELECT email FROM people WHERE id = $1`, personID).Scan(&email); err != nil {
		return err
	}
	ctx = audit.WithActor(ctx, audit.Actor{PersonID: personID, Label: email, IP: ip})
	return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "auth.login", TargetType: "person", TargetID: personID, TargetLabel: email})
}

// SessionByToken returns the live session for a cookie token and its person.
// Sessions of disabled people, and expired ones, are refused.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, Person, error) {
	if token == "" {
		return Session{}, Person{}, ErrSessionExpired
	}
	var sess Session
	var org sql.NullString
	err := s.db.Read.QueryRowContext(ctx, `SELECT token_hash, person_id, org_id, csrf_token, mfa_pending, ip, user_agent, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1`, HashToken(token)).
		Scan(&sess.TokenHash, &sess.PersonID, &org, &sess.CSRFToken, &sess.MFAPending, &sess.IP, &sess.UserAgent, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Person{}, ErrSessionExpired
	}
	if err != nil {
		return Session{}, Person{}, fmt.Errorf("auth: session: %w", err)
	}
	sess.OrgID = org.String
	if !s.now().Before(sess.ExpiresAt) {
		return Session{}, Person{}, ErrSessionExpired
	}
	p, err := s.person(ctx, s.db.Read, `id = $1`, sess.PersonID)
	if err != nil || p.Disabled {
		return Session{}, Person{}, ErrSessionExpired
	}
	return sess, p, nil
}

// TouchSession records activity; it writes at most once a minute per
// session, so browsing does not turn every page view into a write.
func (s *Service) TouchSession(ctx context.Context, sess Session) error {
	now := s.now()
	if now.Sub(sess.LastSeenAt) < time.Minute {
		return nil
	}
	_, err := s.db.Write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, sess.TokenHash, now)
	if err != nil {
		return fmt.Errorf("auth: touch session: %w", err)
	}
	return nil
}

// SwitchOrganisation moves a session to another organisation the person
// belongs to (the caller checks membership).
func (s *Service) SwitchOrganisation(ctx context.Context, tokenHash, orgID string) error {
	_, err := s.db.Write.ExecContext(ctx, `UPDATE sessions SET org_id = $2 WHERE token_hash = $1`, tokenHash, orgID)
	if err != nil {
		return fmt.Errorf("auth: switch organisation: %w", err)
	}
	return nil
}

// EndSession logs out.
func (s *Service) EndSession(ctx context.Context, tokenHash string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var personID string
		var org sql.NullString
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING person_id, org_id`, tokenHash).Scan(&personID, &org)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: org.String, Action: "auth.logout", TargetType: "person", TargetID: personID})
	})
	if err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// PurgeExpiredSessions deletes expired sessions and used or expired reset
// tokens; a periodic job runs it.
func (s *Service) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.Write.ExecContext(ctx, `DELETE FROM password_resets WHERE expires_at <= $1 OR used_at IS NOT NULL`, now.Add(-24*time.Hour)); err != nil {
		return n, fmt.Errorf("auth: purge reset tokens: %w", err)
	}
	return n, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
