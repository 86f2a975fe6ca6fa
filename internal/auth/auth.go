// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package auth holds the people who operate Piazza and how they prove who
// they are: argon2id passwords, database sessions, optional TOTP second
// factor with recovery codes, password reset tokens and API tokens bound to
// a person and an organisation. Every operator has a named login; there are
// no shared accounts (DPR 81/2023).
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Errors the edges map to messages. ErrBadCredentials is deliberately the
// same for an unknown email and a wrong password.
var (
	ErrBadCredentials = errors.New("auth: wrong email or password")
	ErrSessionExpired = errors.New("auth: session expired")
	ErrBadToken       = errors.New("auth: invalid or revoked token")
	ErrBadCode        = errors.New("auth: wrong two-factor code")
)

// ThrottledError says to wait before trying again.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many attempts, retry in %s", e.RetryAfter.Round(time.Second))
}

// Person is an operator with a named login.
type Person struct {
	ID          string
	Email       string
	Name        string
	Lang        string
	TOTPEnabled bool
	Disabled    bool
	CreatedAt   time.Time
	// passwordHash and totpSecret never leave the package.
	passwordHash string
	totpSecret   string
}

// Service manages people and their credentials.
type Service struct {
	db       *store.DB
	sealer   *Sealer
	throttle *Throttle
	now      func() time.Time
}

// NewService returns the auth service. The sealer encrypts TOTP secrets at
// rest with the installation's secret key.
func NewService(db *store.DB, sealer *Sealer) *Service {
	return &Service{
		db:     db,
		sealer: sealer,
		// Five failures in 15 minutes lock the email (and, separately, the
		// client address) for 15 minutes.
		throttle: NewThrottle(5, 15*time.Minute, 15*time.Minute),
		now:      store.Now,
	}
}

// PersonInput is what an administrator fills in for a new person.
type PersonInput struct {
	Email    string
	Name     string
	Password string // empty: the person sets it through a reset link
	Lang     string
}

// NormalizeEmail lowercases and trims an email; logins compare this form.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (in *PersonInput) validate() error {
	var es valid.Errors
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		es.Add("email", "auth.email.invalid")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		es.Add("name", "auth.name.invalid")
	}
	if in.Password != "" {
		if err := CheckPasswordPolicy(in.Password); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				es.Add("password", ve.Key)
			} else {
				es.Add("password", "auth.password.invalid")
			}
		}
	}
	if in.Lang != "en" {
		in.Lang = "it"
	}
	return es.Err()
}

// CreatePerson creates a person; pass tx to create them together with
// their first membership, or nil.
func (s *Service) CreatePerson(ctx context.Context, tx *sql.Tx, in PersonInput) (Person, error) {
	if err := in.validate(); err != nil {
		return Person{}, err
	}
	hash := ""
	if in.Password != "" {
		var err error
		if hash, err = HashPassword(in.Password); err != nil {
			return Person{}, fmt.Errorf("auth: create person: %w", err)
		}
	}
	now := s.now()
	p := Person{ID: store.NewID(), Email: in.Email, Name: in.Name, Lang: in.Lang, CreatedAt: now}
	do := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO people (id, email, name, password_hash, lang, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, p.ID, p.Email, p.Name, hash, p.Lang, now)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{Action: "person.create", TargetType: "person", TargetID: p.ID,
			TargetLabel: p.Email, After: map[string]string{"email": p.Email, "name": p.Name}})
	}
	var err error
	if tx != nil {
		err = do(tx)
	} else {
		err = s.db.Tx(ctx, do)
	}
	if errors.Is(err, store.ErrConflict) {
		return Person{}, &valid.Error{Field: "email", Key: "auth.email.taken"}
	}
	if err != nil {
		return Person{}, fmt.Errorf("auth: create person %s: %w", in.Email, err)
	}
	return p, nil
}

const personColumns = `id, email, name, lang, totp_enabled, disabled, created_at, password_hash, totp_secret`

func scanPerson(sc interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := sc.Scan(&p.ID, &p.Email, &p.Name, &p.Lang, &p.TOTPEnabled, &p.Disabled, &p.CreatedAt, &p.passwordHash, &p.totpSecret)
	return p, store.Normalize(err)
}

func (s *Service) person(ctx context.Context, q store.Querier, where string, arg any) (Person, error) {
	return scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE `+where, arg))
}

// Person returns a person by ID.
func (s *Service) Person(ctx context.Context, id string) (Person, error) {
	p, err := s.person(ctx, s.db.Read, `id = $1`, id)
	if err != nil {
		return p, fmt.Errorf("auth: person %s: %w", id, err)
	}
	return p, nil
}

// PersonByEmail returns a person by email.
func (s *Service) PersonByEmail(ctx context.Context, email string) (Person, error) {
	p, err := s.person(ctx, s.db.Read, `email = $1`, NormalizeEmail(email))
	if err != nil {
		return p, fmt.Errorf("auth: person %s: %w", email, err)
	}
	return p, nil
}

// HasPassword reports whether the person has set a password yet.
func (p Person) HasPassword() bool { return p.passwordHash != "" }

// Authenticate checks an email and password. Failures are throttled per
// email and per client address; an unknown email costs the same time as a
// wrong password, so neither timing nor message reveals who has an account.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (Person, error) {
	email = NormalizeEmail(email)
	now := s.now()
	for _, key := range []string{"email:" + email, "ip:" + ip} {
		if ok, wait := s.throttle.Allow(key, now); !ok {
			return Person{}, &ThrottledError{RetryAfter: wait}
		}
	}
	p, err := s.person(ctx, s.db.Read, `email = $1`, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Person{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	hash := p.passwordHash
	if hash == "" {
		hash = dummyHash()
	}
	ok, rehash, verr := VerifyPassword(hash, password)
	if err != nil || verr != nil || !ok || p.passwordHash == "" || p.Disabled {
		s.throttle.Fail("email:"+email, now)
		s.throttle.Fail("ip:"+ip, now)
		_ = s.db.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Record(audit.WithActor(ctx, audit.Actor{Label: email, IP: ip}), tx,
				audit.Change{Action: "auth.login_failed", TargetType: "person", TargetID: p.ID, TargetLabel: email})
		})
		return Person{}, ErrBadCredentials
	}
	// Only the email's counter resets: owning one account must not clear
	// the counter of an address that is guessing other people's passwords.
	s.throttle.Succeed("email:" + email)
	if rehash {
		if h, err := HashPassword(password); err == nil {
			_, _ = s.db.Write.ExecContext(ctx, `UPDATE people SET password_hash = $2 WHERE id = $1`, p.ID, h)
		}
	}
	return p, nil
}

// SetPassword changes a person's password after checking the policy, and
// ends their other sessions (keepSession is the hash of the current one, or "").
func (s *Service) SetPassword(ctx context.Context, personID, password, keepSession string) error {
	if err := CheckPasswordPolicy(password); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return &valid.Error{Field: "password", Key: ve.Key}
		}
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.setPasswordTx(ctx, tx, personID, hash, keepSession)
	})
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	return nil
}

func (s *Service) setPasswordTx(ctx context.Context, tx *sql.Tx, personID, hash, keepSession string) error {
	p, err := s.person(ctx, tx, `id = $1`, personID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $2, updated_at = $3 WHERE id = $1`, personID, hash, s.now()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2`, personID, keepSession); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Change{Action: "person.password_change", TargetType: "person", TargetID: personID, TargetLabel: p.Email})
}

// SetLanguage records the interface language a person chose.
func (s *Service) SetLanguage(ctx context.Context, personID, lang string) error {
	if lang != "it" && lang != "en" {
		return &valid.Error{Field: "lang", Key: "settings.language.invalid"}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.person(ctx, tx, `id = $1`, personID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET lang = $2, updated_at = $3 WHERE id = $1`, personID, lang, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "person.language", TargetType: "person", TargetID: personID,
			TargetLabel: p.Email, Before: map[string]string{"lang": p.Lang}, After: map[string]string{"lang": lang}})
	})
	if err != nil {
		return fmt.Errorf("auth: set language: %w", err)
	}
	return nil
}

// SetDisabled blocks or unblocks a person's login in every organisation
// and ends their sessions. Accounts are disabled, never deleted, so the
// audit log keeps pointing at a named person.
func (s *Service) SetDisabled(ctx context.Context, orgID, personID string, disabled bool) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.person(ctx, tx, `id = $1`, personID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET disabled = $2, updated_at = $3 WHERE id = $1`, personID, disabled, s.now()); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE person_id = $1`, personID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL`, personID, s.now()); err != nil {
				return err
			}
		}
		action := "person.enable"
		if disabled {
			action = "person.disable"
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: action, TargetType: "person", TargetID: personID, TargetLabel: p.Email})
	})
	if err != nil {
		return fmt.Errorf("auth: disable person: %w", err)
	}
	return nil
}
