// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
)

// APIToken lets a program act for one person in one organisation. Only the
// hash is stored: the token is shown once, when created.
type APIToken struct {
	ID         string
	PersonID   string
	OrgID      string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// APITokenPrefix starts every API token, so leaked ones are easy to spot
// (e.g. by secret scanners).
const APITokenPrefix = "pz_"

// CreateAPIToken issues a token for a person in an organisation and returns
// the plain token, which is never stored.
func (s *Service) CreateAPIToken(ctx context.Context, orgID, personID, name string) (string, APIToken, error) {
	plain, hash, err := NewToken(APITokenPrefix)
	if err != nil {
		return "", APIToken{}, fmt.Errorf("auth: create token: %w", err)
	}
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		name = name[:100]
	}
	t := APIToken{ID: store.NewID(), PersonID: personID, OrgID: orgID, Name: name, CreatedAt: s.now()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM people WHERE id = $1`, personID).Scan(&email); err != nil {
			return store.Normalize(err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, token_hash, person_id, org_id, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, hash, personID, orgID, name, t.CreatedAt)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "token.create", TargetType: "api_token", TargetID: t.ID,
			TargetLabel: email, After: map[string]string{"name": name}})
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("auth: create token: %w", err)
	}
	return plain, t, nil
}

// AuthenticateToken returns the token and its person for a bearer token.
// Revoked tokens and tokens of disabled people are refused.
func (s *Service) AuthenticateToken(ctx context.Context, plain string) (APIToken, Person, error) {
	if !strings.HasPrefix(plain, APITokenPrefix) || len(plain) > 200 {
		return APIToken{}, Person{}, ErrBadToken
	}
	var t APIToken
	err := s.db.Read.QueryRowContext(ctx, `SELECT id, person_id, org_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = $1`, HashToken(plain)).
		Scan(&t.ID, &t.PersonID, &t.OrgID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, Person{}, ErrBadToken
	}
	if err != nil {
		return APIToken{}, Person{}, fmt.Errorf("auth: token: %w", err)
	}
	if t.RevokedAt != nil {
		return APIToken{}, Person{}, ErrBadToken
	}
	p, err := s.Person(ctx, t.PersonID)
	if err != nil || p.Disabled {
		return APIToken{}, Person{}, ErrBadToken
	}
	now := s.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_, _ = s.db.Write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, t.ID, now)
	}
	return t, p, nil
}

// APITokens lists a person's tokens in an organisation.
func (s *Service) APITokens(ctx context.Context, orgID, personID string) ([]APIToken, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, person_id, org_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE org_id = $1 AND person_id = $2 ORDER BY created_at DESC`, orgID, personID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		if err := rows.Scan(&t.ID, &t.PersonID, &t.OrgID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
			return nil, fmt.Errorf("auth: list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes one of a person's tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, orgID, personID, id string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $4 WHERE org_id = $1 AND person_id = $2 AND id = $3 AND revoked_at IS NULL`,
			orgID, personID, id, s.now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "token.revoke", TargetType: "api_token", TargetID: id})
	})
	if err != nil {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}
