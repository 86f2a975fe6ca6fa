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
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// ResetLifetime is how long a password reset link works.
const ResetLifetime = time.Hour

// RequestPasswordReset creates a reset token for the email's owner. found
// is false for unknown or disabled accounts: the caller must answer the
// same either way, so the form does not reveal who has an account.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) (token string, p Person, found bool, err error) {
	p, err = s.person(ctx, s.db.Read, `email = $1`, NormalizeEmail(email))
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Disabled) {
		return "", Person{}, false, nil
	}
	if err != nil {
		return "", Person{}, false, fmt.Errorf("auth: reset request: %w", err)
	}
	token, hash, err := NewToken("")
	if err != nil {
		return "", Person{}, false, fmt.Errorf("auth: reset request: %w", err)
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// One live link at a time: a new request voids the older ones.
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $2 WHERE person_id = $1 AND used_at IS NULL`, p.ID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, p.ID, now, now.Add(ResetLifetime)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "person.password_reset_request", TargetType: "person", TargetID: p.ID, TargetLabel: p.Email})
	})
	if err != nil {
		return "", Person{}, false, fmt.Errorf("auth: reset request: %w", err)
	}
	return token, p, true, nil
}

// ResetPassword sets a new password with a reset token, once.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (Person, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return Person{}, &valid.Error{Field: "password", Key: ve.Key}
		}
		return Person{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return Person{}, fmt.Errorf("auth: reset password: %w", err)
	}
	var p Person
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var personID string
		err := tx.QueryRowContext(ctx, `UPDATE password_resets SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING person_id`, HashToken(token), now).Scan(&personID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrBadToken
		}
		if err != nil {
			return err
		}
		if p, err = s.person(ctx, tx, `id = $1`, personID); err != nil {
			return err
		}
		ctx := audit.WithActor(ctx, audit.Actor{PersonID: p.ID, Label: p.Email, IP: audit.ActorFrom(ctx).IP})
		return s.setPasswordTx(ctx, tx, personID, hash, "")
	})
	if err != nil {
		if errors.Is(err, ErrBadToken) {
			return Person{}, ErrBadToken
		}
		return Person{}, fmt.Errorf("auth: reset password: %w", err)
	}
	return p, nil
}
