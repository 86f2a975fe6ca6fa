// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
)

// totpAD binds a sealed TOTP secret to its person, so a secret copied to
// another row does not decrypt.
func totpAD(personID string) []byte { return []byte("totp:" + personID) }

// BeginTOTP generates a new secret for a person, stored sealed but not yet
// enabled, and returns the otpauth URL for the authenticator app.
func (s *Service) BeginTOTP(ctx context.Context, personID, issuer string) (secret, otpauthURL string, err error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return "", "", err
	}
	if p.TOTPEnabled {
		return "", "", fmt.Errorf("auth: two-factor already enabled: %w", store.ErrConflict)
	}
	secret, otpauthURL, err = NewTOTPKey(issuer, p.Email)
	if err != nil {
		return "", "", fmt.Errorf("auth: begin totp: %w", err)
	}
	sealed, err := s.sealer.Seal([]byte(secret), totpAD(personID))
	if err != nil {
		return "", "", fmt.Errorf("auth: begin totp: %w", err)
	}
	if _, err := s.db.Write.ExecContext(ctx, `UPDATE people SET totp_secret = $2 WHERE id = $1 AND NOT totp_enabled`, personID, sealed); err != nil {
		return "", "", fmt.Errorf("auth: begin totp: %w", err)
	}
	return secret, otpauthURL, nil
}

func (s *Service) totpSecret(p Person) (string, error) {
	if p.totpSecret == "" {
		return "", ErrBadCode
	}
	b, err := s.sealer.Open(p.totpSecret, totpAD(p.ID))
	if err != nil {
		return "", fmt.Errorf("auth: open totp secret: %w", err)
	}
	return string(b), nil
}

// ConfirmTOTP enables two-factor login once the person proves their app
// produces valid codes, and returns one-time recovery codes to keep.
func (s *Service) ConfirmTOTP(ctx context.Context, personID, code string) ([]string, error) {
	p, err := s.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	secret, err := s.totpSecret(p)
	if err != nil {
		return nil, err
	}
	if !ValidateTOTP(secret, code, s.now()) {
		return nil, ErrBadCode
	}
	plain, hashes, err := NewRecoveryCodes(10)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET totp_enabled = TRUE, updated_at = $2 WHERE id = $1`, personID, s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE person_id = $1`, personID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (person_id, code_hash) VALUES ($1, $2)`, personID, h); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Change{Action: "person.2fa_enable", TargetType: "person", TargetID: personID, TargetLabel: p.Email})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: confirm totp: %w", err)
	}
	return plain, nil
}

// DisableTOTP turns two-factor login off for a person.
func (s *Service) DisableTOTP(ctx context.Context, orgID, personID string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.person(ctx, tx, `id = $1`, personID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET totp_enabled = FALSE, totp_secret = '', updated_at = $2 WHERE id = $1`, personID, s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE person_id = $1`, personID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "person.2fa_disable", TargetType: "person", TargetID: personID, TargetLabel: p.Email})
	})
	if err != nil {
		return fmt.Errorf("auth: disable totp: %w", err)
	}
	return nil
}

// CompleteSecondFactor checks a TOTP or recovery code for a session whose
// password step passed, and makes it a full session. Wrong codes count
// towards the same throttle as wrong passwords.
func (s *Service) CompleteSecondFactor(ctx context.Context, sess Session, code, ip string) error {
	now := s.now()
	key := "2fa:" + sess.PersonID
	if ok, wait := s.throttle.Allow(key, now); !ok {
		return &ThrottledError{RetryAfter: wait}
	}
	p, err := s.Person(ctx, sess.PersonID)
	if err != nil {
		return err
	}
	secret, err := s.totpSecret(p)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok := false
		if step, valid := ValidateTOTPStep(secret, code, now); valid {
			// Accept each time step once: a code seen over a shoulder or
			// replayed within its 90 seconds is refused.
			res, err := tx.ExecContext(ctx, `UPDATE people SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, sess.PersonID, step)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			ok = n == 1
		}
		if !ok {
			res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL`,
				sess.PersonID, HashRecoveryCode(code), now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			ok = n == 1
		}
		if !ok {
			s.throttle.Fail(key, now)
			return ErrBadCode
		}
		s.throttle.Succeed(key)
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_pending = FALSE WHERE token_hash = $1`, sess.TokenHash); err != nil {
			return err
		}
		return recordLogin(ctx, tx, sess.PersonID, sess.OrgID, ip)
	})
}
