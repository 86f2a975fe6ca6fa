// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Grant gives a person a role in an organisation (with an office when the
// role needs one). Granting the same role twice is a no-op.
func (s *Service) Grant(ctx context.Context, orgID, personID string, role Role, officeID string) (Membership, error) {
	return s.grant(ctx, orgID, personID, role, officeID, nil)
}

// GrantTx is Grant inside a caller's transaction (e.g. creating a person
// and their first role together).
func (s *Service) GrantTx(ctx context.Context, tx *sql.Tx, orgID, personID string, role Role, officeID string) (Membership, error) {
	return s.grant(ctx, orgID, personID, role, officeID, tx)
}

func (s *Service) grant(ctx context.Context, orgID, personID string, role Role, officeID string, outer *sql.Tx) (Membership, error) {
	var es valid.Errors
	if !role.Valid() {
		es.Add("role", "admin.role.invalid")
	}
	if role.NeedsOffice() && officeID == "" {
		es.Add("office", "admin.role.needs_office")
	}
	if err := es.Err(); err != nil {
		return Membership{}, err
	}
	if !role.NeedsOffice() {
		// Only office-scoped roles carry an office; others hold everywhere.
		officeID = ""
	}
	m := Membership{ID: store.NewID(), OrgID: orgID, PersonID: personID, Role: role, OfficeID: officeID, CreatedAt: store.Now()}
	do := func(tx *sql.Tx) error {
		var label string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM people WHERE id = $1`, personID).Scan(&label); err != nil {
			return store.Normalize(err)
		}
		if officeID != "" {
			o, err := s.office(ctx, tx, orgID, `id = $2`, officeID)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return &valid.Error{Field: "office", Key: "admin.office.unknown"}
				}
				return err
			}
			m.OfficeName = o.Name
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (id, org_id, person_id, role, office_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, orgID, personID, string(role), nullable(officeID), m.CreatedAt)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "role.grant", TargetType: "person",
			TargetID: personID, TargetLabel: label, After: map[string]string{"role": string(role), "office": m.OfficeName}})
	}
	var err error
	if outer != nil {
		err = do(outer)
	} else {
		err = s.db.Tx(ctx, do)
	}
	if errors.Is(err, store.ErrConflict) {
		return m, nil
	}
	return m, wrap("grant "+string(role), err)
}

// Revoke removes one membership. The last administrator of an organisation
// cannot be removed, so nobody is ever locked out of its settings.
func (s *Service) Revoke(ctx context.Context, orgID, membershipID string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var m Membership
		var office sql.NullString
		var label string
		err := tx.QueryRowContext(ctx, `SELECT m.person_id, m.role, m.office_id, p.email FROM memberships m
			JOIN people p ON p.id = m.person_id WHERE m.org_id = $1 AND m.id = $2`, orgID, membershipID).
			Scan(&m.PersonID, &m.Role, &office, &label)
		if err != nil {
			return store.Normalize(err)
		}
		if m.Role == RoleAdmin {
			var admins int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'admin'`, orgID).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return &valid.Error{Field: "role", Key: "admin.role.last_admin"}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = $1 AND id = $2`, orgID, membershipID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "role.revoke", TargetType: "person",
			TargetID: m.PersonID, TargetLabel: label, Before: map[string]string{"role": string(m.Role), "office": office.String}})
	})
	return wrap("revoke membership", err)
}

// Memberships returns a person's memberships in an organisation.
func (s *Service) Memberships(ctx context.Context, orgID, personID string) ([]Membership, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT m.id, m.org_id, m.person_id, m.role, COALESCE(m.office_id, ''), COALESCE(o.name, ''), m.created_at
		FROM memberships m LEFT JOIN offices o ON o.id = m.office_id
		WHERE m.org_id = $1 AND m.person_id = $2 ORDER BY m.created_at`, orgID, personID)
	if err != nil {
		return nil, fmt.Errorf("org: memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.ID, &m.OrgID, &m.PersonID, &m.Role, &m.OfficeID, &m.OfficeName, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("org: memberships: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GrantsOf returns what a person may do in an organisation.
func (s *Service) GrantsOf(ctx context.Context, orgID, personID string) (Grants, error) {
	ms, err := s.Memberships(ctx, orgID, personID)
	if err != nil {
		return Grants{}, err
	}
	return NewGrants(orgID, ms), nil
}

// Members lists the people of an organisation with their memberships.
func (s *Service) Members(ctx context.Context, orgID string) ([]Member, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT p.id, p.name, p.email, p.disabled, p.totp_enabled,
		m.id, m.role, COALESCE(m.office_id, ''), COALESCE(o.name, ''), m.created_at
		FROM memberships m JOIN people p ON p.id = m.person_id LEFT JOIN offices o ON o.id = m.office_id
		WHERE m.org_id = $1 ORDER BY p.name, p.id, m.created_at`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var p Member
		m := Membership{OrgID: orgID}
		if err := rows.Scan(&p.PersonID, &p.Name, &p.Email, &p.Disabled, &p.TOTPEnabled,
			&m.ID, &m.Role, &m.OfficeID, &m.OfficeName, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("org: members: %w", err)
		}
		m.PersonID = p.PersonID
		if n := len(out); n > 0 && out[n-1].PersonID == p.PersonID {
			out[n-1].Memberships = append(out[n-1].Memberships, m)
			continue
		}
		p.Memberships = []Membership{m}
		out = append(out, p)
	}
	return out, rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
