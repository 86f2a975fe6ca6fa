// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package org holds organisations (enti), their offices and who belongs to
// them with which role. An organisation owns everything else in Piazza; a
// person may belong to several (a metropolitan city and its comuni).
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Organisation is an ente: a comune, a region, a metropolitan city.
type Organisation struct {
	ID              string
	Slug            string
	Name            string
	Timezone        string
	Languages       []string // content languages enabled, e.g. it, en, sl, de
	RequireAdmin2FA bool
	CreatedAt       time.Time
}

// Location returns the organisation's time zone, Europe/Rome when unknown.
func (o Organisation) Location() *time.Location {
	if loc, err := time.LoadLocation(o.Timezone); err == nil {
		return loc
	}
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}

// Office is a unit of the organisation that citizen requests and posts are
// routed to (URP, Polizia Locale, …). Codes follow shared/data/TAXONOMY.md.
type Office struct {
	ID        string
	OrgID     string
	Code      string
	Name      string
	Email     string
	CreatedAt time.Time
}

// Membership gives a person a role in an organisation, with an office for
// roles that need one.
type Membership struct {
	ID         string
	OrgID      string
	PersonID   string
	Role       Role
	OfficeID   string
	OfficeName string
	CreatedAt  time.Time
}

// Member is a person of the organisation with all their memberships.
type Member struct {
	PersonID    string
	Name        string
	Email       string
	Disabled    bool
	TOTPEnabled bool
	Memberships []Membership
}

// Service manages organisations, offices and memberships.
type Service struct{ db *store.DB }

// NewService returns the organisation service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)
	codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
)

// ValidSlug reports whether s can be an organisation slug (used in URLs).
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// OrganisationInput is what a person fills in for an organisation.
type OrganisationInput struct {
	Slug            string
	Name            string
	Timezone        string
	Languages       []string
	RequireAdmin2FA bool
}

var contentLanguages = map[string]bool{"it": true, "en": true, "sl": true, "de": true, "fr": true, "fur": true}

func (in *OrganisationInput) validate() error {
	var es valid.Errors
	in.Slug = strings.TrimSpace(strings.ToLower(in.Slug))
	in.Name = strings.TrimSpace(in.Name)
	if !slugPattern.MatchString(in.Slug) {
		es.Add("slug", "admin.org.slug.invalid")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		es.Add("name", "admin.org.name.invalid")
	}
	if in.Timezone == "" {
		in.Timezone = "Europe/Rome"
	}
	if _, err := time.LoadLocation(in.Timezone); err != nil {
		es.Add("timezone", "admin.org.timezone.invalid")
	}
	if len(in.Languages) == 0 {
		in.Languages = []string{"it", "en"}
	}
	for _, l := range in.Languages {
		if !contentLanguages[l] {
			es.Add("languages", "admin.org.languages.invalid")
			break
		}
	}
	return es.Err()
}

// CreateOrganisation creates an organisation.
func (s *Service) CreateOrganisation(ctx context.Context, in OrganisationInput) (Organisation, error) {
	return s.CreateOrganisationWithAdmin(ctx, in, "")
}

// CreateOrganisationWithAdmin creates an organisation and, in the same
// transaction, makes adminID (when not empty) its first administrator, so
// no organisation is ever left without one.
func (s *Service) CreateOrganisationWithAdmin(ctx context.Context, in OrganisationInput, adminID string) (Organisation, error) {
	if err := in.validate(); err != nil {
		return Organisation{}, err
	}
	now := store.Now()
	o := Organisation{ID: store.NewID(), Slug: in.Slug, Name: in.Name, Timezone: in.Timezone,
		Languages: in.Languages, RequireAdmin2FA: in.RequireAdmin2FA, CreatedAt: now}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, slug, name, timezone, languages, require_admin_2fa, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, o.ID, o.Slug, o.Name, o.Timezone, strings.Join(o.Languages, ","), o.RequireAdmin2FA, now)
		if err != nil {
			return store.Normalize(err)
		}
		err = audit.Record(ctx, tx, audit.Change{OrgID: o.ID, Action: "org.create", TargetType: "organisation",
			TargetID: o.ID, TargetLabel: o.Slug, After: orgSnapshot(o)})
		if err != nil || adminID == "" {
			return err
		}
		_, err = s.grant(ctx, o.ID, adminID, RoleAdmin, "", tx)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return Organisation{}, &valid.Error{Field: "slug", Key: "admin.org.slug.taken"}
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("org: create organisation %s: %w", in.Slug, err)
	}
	return o, nil
}

// UpdateOrganisation changes name, time zone, languages and the 2FA rule;
// the slug stays, since public links use it.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, in OrganisationInput) (Organisation, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.organisation(ctx, tx, `id = $1`, id)
		if err != nil {
			return err
		}
		in.Slug = before.Slug
		if err := in.validate(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE organisations SET name = $2, timezone = $3, languages = $4, require_admin_2fa = $5, updated_at = $6 WHERE id = $1`,
			id, in.Name, in.Timezone, strings.Join(in.Languages, ","), in.RequireAdmin2FA, store.Now())
		if err != nil {
			return err
		}
		after := before
		after.Name, after.Timezone, after.Languages, after.RequireAdmin2FA = in.Name, in.Timezone, in.Languages, in.RequireAdmin2FA
		return audit.Record(ctx, tx, audit.Change{OrgID: id, Action: "org.update", TargetType: "organisation",
			TargetID: id, TargetLabel: before.Slug, Before: orgSnapshot(before), After: orgSnapshot(after)})
	})
	if err != nil {
		return Organisation{}, wrap("update organisation", err)
	}
	return s.Organisation(ctx, id)
}

func orgSnapshot(o Organisation) map[string]any {
	return map[string]any{"slug": o.Slug, "name": o.Name, "timezone": o.Timezone, "languages": o.Languages, "require_admin_2fa": o.RequireAdmin2FA}
}

const orgColumns = `id, slug, name, timezone, languages, require_admin_2fa, created_at`

func scanOrg(sc interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var langs string
	if err := sc.Scan(&o.ID, &o.Slug, &o.Name, &o.Timezone, &langs, &o.RequireAdmin2FA, &o.CreatedAt); err != nil {
		return o, store.Normalize(err)
	}
	o.Languages = strings.Split(langs, ",")
	return o, nil
}

func (s *Service) organisation(ctx context.Context, q store.Querier, where string, arg any) (Organisation, error) {
	return scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE `+where, arg))
}

// Organisation returns an organisation by ID.
func (s *Service) Organisation(ctx context.Context, id string) (Organisation, error) {
	o, err := s.organisation(ctx, s.db.Read, `id = $1`, id)
	return o, wrap("organisation "+id, err)
}

// OrganisationBySlug returns an organisation by slug.
func (s *Service) OrganisationBySlug(ctx context.Context, slug string) (Organisation, error) {
	o, err := s.organisation(ctx, s.db.Read, `slug = $1`, slug)
	return o, wrap("organisation "+slug, err)
}

// Organisations lists every organisation of the installation.
func (s *Service) Organisations(ctx context.Context) ([]Organisation, error) {
	return s.listOrgs(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name`)
}

// OrganisationsOf lists the organisations a person belongs to.
func (s *Service) OrganisationsOf(ctx context.Context, personID string) ([]Organisation, error) {
	return s.listOrgs(ctx, `SELECT `+orgColumns+` FROM organisations
		WHERE id IN (SELECT org_id FROM memberships WHERE person_id = $1) ORDER BY name`, personID)
}

func (s *Service) listOrgs(ctx context.Context, q string, args ...any) ([]Organisation, error) {
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("org: list organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("org: list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountOrganisations returns how many organisations exist.
func (s *Service) CountOrganisations(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM organisations`).Scan(&n)
	return n, wrap("count organisations", err)
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := valid.As(err); ok {
		return err
	}
	return fmt.Errorf("org: %s: %w", what, err)
}

// OfficeInput is what a person fills in for an office.
type OfficeInput struct {
	Code  string
	Name  string
	Email string
}

func (in *OfficeInput) validate() error {
	var es valid.Errors
	in.Code = strings.TrimSpace(strings.ToLower(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	if !codePattern.MatchString(in.Code) {
		es.Add("code", "admin.office.code.invalid")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		es.Add("name", "admin.office.name.invalid")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			es.Add("email", "admin.office.email.invalid")
		}
	}
	return es.Err()
}

// CreateOffice adds an office to an organisation.
func (s *Service) CreateOffice(ctx context.Context, orgID string, in OfficeInput) (Office, error) {
	if err := in.validate(); err != nil {
		return Office{}, err
	}
	now := store.Now()
	o := Office{ID: store.NewID(), OrgID: orgID, Code: in.Code, Name: in.Name, Email: in.Email, CreatedAt: now}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO offices (id, org_id, code, name, email, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, o.ID, orgID, o.Code, o.Name, o.Email, now)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "office.create", TargetType: "office",
			TargetID: o.ID, TargetLabel: o.Name, After: officeSnapshot(o)})
	})
	if errors.Is(err, store.ErrConflict) {
		return Office{}, &valid.Error{Field: "code", Key: "admin.office.code.taken"}
	}
	return o, wrap("create office", err)
}

// UpdateOffice changes an office's name, code and email.
func (s *Service) UpdateOffice(ctx context.Context, orgID, id string, in OfficeInput) (Office, error) {
	if err := in.validate(); err != nil {
		return Office{}, err
	}
	var after Office
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.office(ctx, tx, orgID, `id = $2`, id)
		if err != nil {
			return err
		}
		after = before
		after.Code, after.Name, after.Email = in.Code, in.Name, in.Email
		_, err = tx.ExecContext(ctx, `UPDATE offices SET code = $3, name = $4, email = $5, updated_at = $6 WHERE org_id = $1 AND id = $2`,
			orgID, id, in.Code, in.Name, in.Email, store.Now())
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "office.update", TargetType: "office",
			TargetID: id, TargetLabel: in.Name, Before: officeSnapshot(before), After: officeSnapshot(after)})
	})
	if errors.Is(err, store.ErrConflict) {
		return Office{}, &valid.Error{Field: "code", Key: "admin.office.code.taken"}
	}
	return after, wrap("update office", err)
}

// DeleteOffice removes an office that no membership refers to.
func (s *Service) DeleteOffice(ctx context.Context, orgID, id string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.office(ctx, tx, orgID, `id = $2`, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE office_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &valid.Error{Field: "office", Key: "admin.office.in_use", Args: []any{n}}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM offices WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "office.delete", TargetType: "office",
			TargetID: id, TargetLabel: before.Name, Before: officeSnapshot(before)})
	})
	return wrap("delete office", err)
}

func officeSnapshot(o Office) map[string]string {
	return map[string]string{"code": o.Code, "name": o.Name, "email": o.Email}
}

const officeColumns = `id, org_id, code, name, email, created_at`

func scanOffice(sc interface{ Scan(...any) error }) (Office, error) {
	var o Office
	err := sc.Scan(&o.ID, &o.OrgID, &o.Code, &o.Name, &o.Email, &o.CreatedAt)
	return o, store.Normalize(err)
}

func (s *Service) office(ctx context.Context, q store.Querier, orgID, where string, arg any) (Office, error) {
	return scanOffice(q.QueryRowContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE org_id = $1 AND `+where, orgID, arg))
}

// Office returns an office of the organisation by ID.
func (s *Service) Office(ctx context.Context, orgID, id string) (Office, error) {
	o, err := s.office(ctx, s.db.Read, orgID, `id = $2`, id)
	return o, wrap("office "+id, err)
}

// OfficeByCode returns an office of the organisation by code.
func (s *Service) OfficeByCode(ctx context.Context, orgID, code string) (Office, error) {
	o, err := s.office(ctx, s.db.Read, orgID, `code = $2`, code)
	return o, wrap("office "+code, err)
}

// Offices lists the organisation's offices by name.
func (s *Service) Offices(ctx context.Context, orgID string) ([]Office, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+officeColumns+` FROM offices WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: list offices: %w", err)
	}
	defer rows.Close()
	var out []Office
	for rows.Next() {
		o, err := scanOffice(rows)
		if err != nil {
			return nil, fmt.Errorf("org: list offices: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
