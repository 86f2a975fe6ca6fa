// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
)

// ErrNoOAuth is returned when an account's platform is not connected with
// OAuth ("Collega account"): its credentials are typed in instead.
var ErrNoOAuth = errors.New("publish: this platform is not connected with OAuth")

// ErrConnectExpired is returned when the platform sends the browser back
// with a state that does not open, belongs to someone else or is too old.
var ErrConnectExpired = errors.New("publish: the connection attempt expired or is not yours; start again")

// connectTTL is how long a person has to grant access on the platform.
const connectTTL = 15 * time.Minute

// connectState travels through the platform inside the OAuth state
// parameter, sealed: nothing is stored server-side, and the PKCE verifier
// never leaves Piazza in the clear.
type connectState struct {
	Org      string    `json:"o"`
	Account  string    `json:"a"`
	Person   string    `json:"p"`
	Verifier string    `json:"v"`
	Expires  time.Time `json:"e"`
}

// connectAD binds a sealed state to its purpose, so a sealed credential
// can never pass for one.
var connectAD = []byte("publish.oauth.state")

// StartConnect begins "Collega account": it returns the platform's page
// where the person grants access. The account's app id and secret must be
// set already (CredClientID, CredClientSecret).
func (s *Service) StartConnect(ctx context.Context, orgID, accountID, personID, redirectURI string) (string, error) {
	a, err := s.Account(ctx, orgID, accountID)
	if err != nil {
		return "", err
	}
	conn, ok := s.reg.For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox})
	if !ok {
		return "", fmt.Errorf("publish: no connector for %s", a.Platform)
	}
	oa, ok := conn.(channel.OAuth)
	if !ok {
		return "", ErrNoOAuth
	}
	ca, err := s.channelAccount(ctx, a)
	if err != nil {
		return "", err
	}
	verifier := rand.Text() + rand.Text() // 52 characters of base32: within PKCE's 43–128
	b, err := json.Marshal(connectState{Org: orgID, Account: accountID, Person: personID, Verifier: verifier,
		Expires: store.Now().Add(connectTTL)})
	if err != nil {
		return "", err
	}
	state, err := s.sealer.Seal(b, connectAD)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	return oa.AuthorizeURL(ca, state, redirectURI, challenge), nil
}

// FinishConnect completes "Collega account" when the platform sends the
// browser back: it checks the state was made for this person less than
// connectTTL ago, trades the code for tokens, stores them sealed and
// marks the account active, releasing publications that waited for it.
// Once the state opens, the account is returned even with an error, so
// the caller can show the platform's refusal on the account's page.
func (s *Service) FinishConnect(ctx context.Context, personID, state, code, redirectURI string) (Account, error) {
	pt, err := s.sealer.Open(state, connectAD)
	if err != nil {
		return Account{}, ErrConnectExpired
	}
	var st connectState
	if json.Unmarshal(pt, &st) != nil || st.Person != personID || store.Now().After(st.Expires) {
		return Account{}, ErrConnectExpired
	}
	a, err := s.Account(ctx, st.Org, st.Account)
	if err != nil {
		return Account{}, err
	}
	conn, ok := s.reg.For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox})
	if !ok {
		return Account{}, fmt.Errorf("publish: no connector for %s", a.Platform)
	}
	oa, ok := conn.(channel.OAuth)
	if !ok {
		return Account{}, ErrNoOAuth
	}
	ca, err := s.channelAccount(ctx, a)
	if err != nil {
		return Account{}, err
	}
	creds, expires, err := oa.Exchange(ctx, ca, code, redirectURI, st.Verifier)
	if err != nil {
		return a, err
	}
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.setCredentialsTx(ctx, tx, st.Org, a.ID, creds, expires); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: st.Org, Action: "channel.connect", TargetType: "channel_account",
			TargetID: a.ID, TargetLabel: a.Name, After: map[string]string{"expires": formatExpiry(expires)}})
	}); err != nil {
		return a, fmt.Errorf("publish: connect: %w", err)
	}
	s.Wake()
	return s.Account(ctx, st.Org, a.ID)
}

// refreshAhead is how early tokens are renewed: well before they expire,
// so a platform that is down for a while does not strand the plan.
const refreshAhead = 7 * 24 * time.Hour

// RefreshTokens renews the tokens that expire within refreshAhead on every
// account whose platform can renew them (Meta long-lived tokens, X's
// refresh tokens). A refusal marks the account as needing attention and
// its publications wait; a platform that does not answer is tried again
// at the next run. It returns how many accounts were renewed.
func (s *Service) RefreshTokens(ctx context.Context) (int, error) {
	now := store.Now()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+accountColumns+` FROM channel_accounts
		WHERE status = 'active' AND token_expires_at IS NOT NULL AND token_expires_at < $1
		ORDER BY token_expires_at LIMIT 500`, now.Add(refreshAhead))
	if err != nil {
		return 0, fmt.Errorf("publish: expiring tokens: %w", err)
	}
	defer rows.Close()
	var due []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return 0, fmt.Errorf("publish: expiring tokens: %w", err)
		}
		due = append(due, a)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("publish: expiring tokens: %w", err)
	}
	renewed := 0
	var errs []error
	for _, a := range due {
		ok, err := s.refresh(ctx, a)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			renewed++
		}
	}
	return renewed, errors.Join(errs...)
}

func (s *Service) refresh(ctx context.Context, a Account) (bool, error) {
	conn, ok := s.reg.For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox})
	if !ok {
		return false, nil
	}
	r, ok := conn.(channel.Refresher)
	if !ok {
		return false, nil
	}
	ca, err := s.channelAccount(ctx, a)
	if err != nil {
		return false, err
	}
	creds, expires, rerr := r.Refresh(ctx, ca)
	now := store.Now()
	if rerr != nil {
		if channel.KindOf(rerr) != channel.Auth {
			s.log.Warn("token refresh failed, will retry", "account", a.ID, "platform", a.Platform, "error", reasonOf(rerr))
			return false, nil
		}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error { return markAttentionTx(ctx, tx, a.OrgID, a.ID, reasonOf(rerr), now) })
		if err != nil {
			return false, fmt.Errorf("publish: refresh %s: %w", a.ID, err)
		}
		return false, nil
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.setCredentialsTx(ctx, tx, a.OrgID, a.ID, creds, expires); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: a.OrgID, Action: "channel.refresh", TargetType: "channel_account",
			TargetID: a.ID, TargetLabel: a.Name, After: map[string]string{"expires": formatExpiry(expires)}})
	})
	if err != nil {
		return false, fmt.Errorf("publish: refresh %s: %w", a.ID, err)
	}
	return true, nil
}

func formatExpiry(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
