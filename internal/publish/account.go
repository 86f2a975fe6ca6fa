// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// AccountStatus says whether an account can publish.
type AccountStatus string

// The account statuses.
const (
	AccountActive AccountStatus = "active"
	// AccountAttention: the platform refused the credentials; the account's
	// publications wait (state waiting) until a person reconnects it.
	AccountAttention AccountStatus = "attention"
	AccountDisabled  AccountStatus = "disabled"
)

// Cadence is the guard against flooding a channel ("10 post oggi, 15 post
// domani"): a most posts per local day, a least spacing between two, and
// quiet hours (local HH:MM, may wrap midnight). Zero values mean no limit.
type Cadence struct {
	MaxPerDay  int
	MinSpacing time.Duration
	QuietStart string
	QuietEnd   string
}

// Account is a connected channel account of an organisation. Its
// credentials never leave this package except inside a channel.Account
// handed to a connector.
type Account struct {
	ID             string
	OrgID          string
	OfficeID       string
	Platform       channel.Platform
	Name           string
	Handle         string
	BaseURL        string
	Sandbox        bool
	Settings       map[string]string
	Status         AccountStatus
	StatusReason   string
	TokenExpiresAt time.Time
	CheckedAt      time.Time
	Cadence        Cadence
	RatePerMinute  int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// HasCredentials is true when sealed credentials are stored.
	HasCredentials bool
}

// AccountInput creates or edits an account. Credentials, when not nil,
// replace the stored ones.
type AccountInput struct {
	Platform      channel.Platform
	Name          string
	Handle        string
	BaseURL       string
	OfficeID      string
	Sandbox       bool
	Credentials   channel.Credentials
	Cadence       Cadence
	RatePerMinute int
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

func (in *AccountInput) validate(creating bool) error {
	var es valid.Errors
	in.Name = strings.TrimSpace(in.Name)
	in.Handle = strings.TrimSpace(in.Handle)
	in.BaseURL = strings.TrimRight(strings.TrimSpace(in.BaseURL), "/")
	if creating && !in.Platform.Valid() {
		es.Add("platform", "publish.account.platform_invalid")
	}
	if in.Name == "" || len(in.Name) > 200 {
		es.Add("name", "publish.account.name_invalid")
	}
	if in.Handle == "" || len(in.Handle) > 300 {
		es.Add("handle", "publish.account.handle_invalid")
	}
	if in.BaseURL != "" {
		u, err := url.Parse(in.BaseURL)
		if err != nil || (u.Scheme != "https" && (!in.Sandbox || u.Scheme != "http")) || u.Host == "" {
			es.Add("base_url", "publish.account.base_url_invalid")
		}
	}
	if in.Platform == channel.Mastodon && in.BaseURL == "" {
		es.Add("base_url", "publish.account.base_url_required")
	}
	c := in.Cadence
	if c.MaxPerDay < 0 || c.MaxPerDay > 1000 {
		es.Add("max_per_day", "publish.cadence.max_invalid")
	}
	if c.MinSpacing < 0 || c.MinSpacing > 24*time.Hour {
		es.Add("min_spacing", "publish.cadence.spacing_invalid")
	}
	if (c.QuietStart == "") != (c.QuietEnd == "") ||
		(c.QuietStart != "" && (!hhmm.MatchString(c.QuietStart) || !hhmm.MatchString(c.QuietEnd))) {
		es.Add("quiet", "publish.cadence.quiet_invalid")
	}
	if in.RatePerMinute < 0 || in.RatePerMinute > 10000 {
		es.Add("rate", "publish.cadence.rate_invalid")
	}
	return es.Err()
}

const accountColumns = `id, org_id, COALESCE(office_id, ''), platform, name, handle, base_url, sandbox, credentials <> '',
	settings, status, status_reason, token_expires_at, checked_at, max_per_day, min_spacing_minutes, quiet_start,
	quiet_end, rate_per_minute, created_at, updated_at`

func scanAccount(sc interface{ Scan(...any) error }) (Account, error) {
	var (
		a                Account
		settings         string
		expires, checked sql.NullTime
		spacing          int
		platform, status string
	)
	err := sc.Scan(&a.ID, &a.OrgID, &a.OfficeID, &platform, &a.Name, &a.Handle, &a.BaseURL, &a.Sandbox, &a.HasCredentials,
		&settings, &status, &a.StatusReason, &expires, &checked, &a.Cadence.MaxPerDay, &spacing, &a.Cadence.QuietStart,
		&a.Cadence.QuietEnd, &a.RatePerMinute, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	a.Platform, a.Status = channel.Platform(platform), AccountStatus(status)
	a.Cadence.MinSpacing = time.Duration(spacing) * time.Minute
	a.TokenExpiresAt, a.CheckedAt = expires.Time, checked.Time
	a.Settings = map[string]string{}
	_ = json.Unmarshal([]byte(settings), &a.Settings) // written by us; a bad value means no settings
	return a, nil
}

// CreateAccount connects a channel account.
func (s *Service) CreateAccount(ctx context.Context, orgID string, in AccountInput) (Account, error) {
	if err := in.validate(true); err != nil {
		return Account{}, err
	}
	if _, ok := s.reg.Platform(in.Platform); !ok {
		return Account{}, valid.New("platform", "publish.account.platform_unavailable")
	}
	id, now := store.NewID(), store.Now()
	sealed, err := s.seal(id, in.Credentials)
	if err != nil {
		return Account{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO channel_accounts (id, org_id, office_id, platform, name, handle, base_url,
			sandbox, credentials, max_per_day, min_spacing_minutes, quiet_start, quiet_end, rate_per_minute, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
			id, orgID, nullable(in.OfficeID), string(in.Platform), in.Name, in.Handle, in.BaseURL, in.Sandbox, sealed,
			in.Cadence.MaxPerDay, int(in.Cadence.MinSpacing/time.Minute), in.Cadence.QuietStart, in.Cadence.QuietEnd,
			in.RatePerMinute, now)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.connect", TargetType: "channel_account",
			TargetID: id, TargetLabel: in.Name, After: map[string]any{"platform": in.Platform, "handle": in.Handle, "sandbox": in.Sandbox}})
	})
	if err != nil {
		return Account{}, fmt.Errorf("publish: create account: %w", err)
	}
	return s.Account(ctx, orgID, id)
}

// UpdateAccount changes an account's name, handle, office and cadence, and
// its credentials when in.Credentials is not nil. New credentials make a
// paused account active again and release its waiting publications.
func (s *Service) UpdateAccount(ctx context.Context, orgID, id string, in AccountInput) (Account, error) {
	old, err := s.Account(ctx, orgID, id)
	if err != nil {
		return Account{}, err
	}
	in.Platform, in.Sandbox = old.Platform, old.Sandbox
	if err := in.validate(false); err != nil {
		return Account{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET name = $1, handle = $2, base_url = $3, office_id = $4,
			max_per_day = $5, min_spacing_minutes = $6, quiet_start = $7, quiet_end = $8, rate_per_minute = $9, updated_at = $10
			WHERE org_id = $11 AND id = $12`,
			in.Name, in.Handle, in.BaseURL, nullable(in.OfficeID), in.Cadence.MaxPerDay, int(in.Cadence.MinSpacing/time.Minute),
			in.Cadence.QuietStart, in.Cadence.QuietEnd, in.RatePerMinute, store.Now(), orgID, id)
		if err != nil {
			return err
		}
		if in.Credentials != nil {
			if err := s.setCredentialsTx(ctx, tx, orgID, id, in.Credentials, time.Time{}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.update", TargetType: "channel_account",
			TargetID: id, TargetLabel: in.Name,
			Before: map[string]any{"name": old.Name, "handle": old.Handle, "cadence": old.Cadence},
			After:  map[string]any{"name": in.Name, "handle": in.Handle, "cadence": in.Cadence, "credentials_changed": in.Credentials != nil}})
	})
	if err != nil {
		return Account{}, fmt.Errorf("publish: update account: %w", err)
	}
	return s.Account(ctx, orgID, id)
}

// SetCredentials stores new credentials (after "Collega account" or a
// token refresh), makes the account active and releases its waiting
// publications.
func (s *Service) SetCredentials(ctx context.Context, orgID, id string, creds channel.Credentials, expires time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.setCredentialsTx(ctx, tx, orgID, id, creds, expires); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.credentials", TargetType: "channel_account", TargetID: id})
	})
}

func (s *Service) setCredentialsTx(ctx context.Context, tx *sql.Tx, orgID, id string, creds channel.Credentials, expires time.Time) error {
	sealed, err := s.seal(id, creds)
	if err != nil {
		return err
	}
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET credentials = $1, token_expires_at = $2, status = 'active',
		status_reason = '', updated_at = $3 WHERE org_id = $4 AND id = $5`, sealed, nullTime(expires), now, orgID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return releaseWaitingTx(ctx, tx, id, now)
}

// releaseWaitingTx sends back to the queue the publications that waited
// for the account to be reconnected.
func releaseWaitingTx(ctx context.Context, tx *sql.Tx, accountID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'retrying', next_attempt_at = $1, updated_at = $1
		WHERE account_id = $2 AND state = 'waiting'`, now, accountID)
	return err
}

// Account returns one account of the organisation.
func (s *Service) Account(ctx context.Context, orgID, id string) (Account, error) {
	a, err := scanAccount(s.db.Read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM channel_accounts
		WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Account{}, fmt.Errorf("publish: account %s: %w", id, store.Normalize(err))
	}
	return a, nil
}

// Accounts lists the organisation's accounts by platform and name.
func (s *Service) Accounts(ctx context.Context, orgID string) ([]Account, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+accountColumns+` FROM channel_accounts
		WHERE org_id = $1 ORDER BY platform, name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("publish: accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("publish: accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAccountStatus enables or disables an account by hand.
func (s *Service) SetAccountStatus(ctx context.Context, orgID, id string, st AccountStatus) error {
	if st != AccountActive && st != AccountDisabled {
		return valid.New("status", "publish.account.status_invalid")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET status = $1, status_reason = '', updated_at = $2
			WHERE org_id = $3 AND id = $4`, string(st), store.Now(), orgID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.status", TargetType: "channel_account",
			TargetID: id, After: map[string]string{"status": string(st)}})
	})
}

// channelAccount opens the credentials of an account for a connector call.
func (s *Service) channelAccount(ctx context.Context, a Account) (channel.Account, error) {
	var sealed string
	err := s.db.Read.QueryRowContext(ctx, `SELECT credentials FROM channel_accounts WHERE id = $1`, a.ID).Scan(&sealed)
	if err != nil {
		return channel.Account{}, fmt.Errorf("publish: credentials of %s: %w", a.ID, store.Normalize(err))
	}
	creds := channel.Credentials{}
	if sealed != "" {
		pt, err := s.sealer.Open(sealed, []byte(a.ID))
		if err != nil {
			return channel.Account{}, fmt.Errorf("publish: open credentials of %s: %w", a.ID, err)
		}
		if err := json.Unmarshal(pt, &creds); err != nil {
			return channel.Account{}, fmt.Errorf("publish: credentials of %s: %w", a.ID, err)
		}
	}
	return channel.Account{ID: a.ID, Platform: a.Platform, BaseURL: a.BaseURL, Handle: a.Handle, Credentials: creds,
		Settings: a.Settings, Sandbox: a.Sandbox}, nil
}

// seal encrypts credentials bound to the account id, so a sealed value
// copied onto another account does not open.
func (s *Service) seal(id string, creds channel.Credentials) (string, error) {
	if len(creds) == 0 {
		return "", nil
	}
	b, err := json.Marshal(map[string]string(creds))
	if err != nil {
		return "", err
	}
	return s.sealer.Seal(b, []byte(id))
}

// CheckAccount asks the platform whether the credentials work
// ("Verifica", `piazza channel test`). A refusal marks the account as
// needing attention; a success stores what the platform said about it
// (instance limits) and releases publications that waited.
func (s *Service) CheckAccount(ctx context.Context, orgID, id string) (channel.Identity, error) {
	a, err := s.Account(ctx, orgID, id)
	if err != nil {
		return channel.Identity{}, err
	}
	conn, ok := s.reg.For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox})
	if !ok {
		return channel.Identity{}, fmt.Errorf("publish: no connector for %s", a.Platform)
	}
	checker, ok := conn.(channel.CredentialChecker)
	if !ok {
		return channel.Identity{Name: a.Name, Handle: a.Handle}, nil
	}
	ca, err := s.channelAccount(ctx, a)
	if err != nil {
		return channel.Identity{}, err
	}
	id2, checkErr := checker.CheckCredentials(ctx, ca)
	now := store.Now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if checkErr != nil {
			if channel.KindOf(checkErr) != channel.Auth {
				return nil // the platform did not answer: nothing learnt about the credentials
			}
			return markAttentionTx(ctx, tx, orgID, id, reasonOf(checkErr), now)
		}
		settings := a.Settings
		for k, v := range id2.Settings {
			settings[k] = v
		}
		b, _ := json.Marshal(settings)
		if _, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET settings = $1, checked_at = $2, status = 'active',
			status_reason = '', token_expires_at = COALESCE($3, token_expires_at), updated_at = $2
			WHERE id = $4 AND status <> 'disabled'`, string(b), now, nullTime(id2.ExpiresAt), id); err != nil {
			return err
		}
		if err := releaseWaitingTx(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.check", TargetType: "channel_account",
			TargetID: id, TargetLabel: a.Name, After: map[string]string{"result": "ok", "name": id2.Name}})
	})
	if err != nil {
		return channel.Identity{}, fmt.Errorf("publish: check account: %w", err)
	}
	return id2, checkErr
}

func markAttentionTx(ctx context.Context, tx *sql.Tx, orgID, id, reason string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET status = 'attention', status_reason = $1, updated_at = $2
		WHERE id = $3 AND status = 'active'`, reason, now, id); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "channel.attention", TargetType: "channel_account",
		TargetID: id, After: map[string]string{"reason": reason}})
}

// reasonOf is the platform's own words for an error, for people.
func reasonOf(err error) string {
	if e := channel.AsError(err); e != nil && e.Message != "" {
		return truncate(e.Message, 500)
	}
	var ve valid.Errors
	if errors.As(err, &ve) {
		return ve.Error()
	}
	return truncate(err.Error(), 500)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.Time(t)
}

// AccountByID returns an account whatever its organisation, for the
// command line, which names accounts by id.
func (s *Service) AccountByID(ctx context.Context, id string) (Account, error) {
	a, err := scanAccount(s.db.Read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM channel_accounts WHERE id = $1`, id))
	if err != nil {
		return Account{}, fmt.Errorf("publish: account %s: %w", id, store.Normalize(err))
	}
	return a, nil
}

// Connect returns an account with its credentials opened, for another
// domain's connector call (the desk's replies and moderation). The
// credentials stay inside the channel.Account handed to the connector.
func (s *Service) Connect(ctx context.Context, orgID, id string) (Account, channel.Account, error) {
	a, err := s.Account(ctx, orgID, id)
	if err != nil {
		return Account{}, channel.Account{}, err
	}
	ca, err := s.channelAccount(ctx, a)
	return a, ca, err
}
