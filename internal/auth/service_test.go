// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

func newService(t *testing.T, db *store.DB) *auth.Service {
	t.Helper()
	key, err := auth.ParseSecretKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewService(db, sealer)
}

const goodPassword = "una-password-lunga-2026"

func TestPeopleAndLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		email := storetest.Unique("anna") + "@comune.example"

		_, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: "not-an-email", Name: "", Password: "short"})
		es, ok := valid.As(err)
		if !ok || len(es) != 3 {
			t.Fatalf("invalid person: got %v, want 3 field errors", err)
		}
		p, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: " " + email + " ", Name: "Anna", Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: email, Name: "Anna 2", Password: goodPassword}); err == nil {
			t.Fatal("duplicate email accepted")
		}
		got, err := s.Authenticate(ctx, email, goodPassword, "10.0.0.1")
		if err != nil || got.ID != p.ID {
			t.Fatalf("login: %v", err)
		}
		if _, err := s.Authenticate(ctx, email, "wrong password!", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody@comune.example", goodPassword, "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown email: %v", err)
		}
		// Repeated failures lock the email out, even with the right password.
		for range 5 {
			_, _ = s.Authenticate(ctx, email, "still wrong!!", "10.0.0.2")
		}
		var te *auth.ThrottledError
		if _, err := s.Authenticate(ctx, email, goodPassword, "10.0.0.3"); !errors.As(err, &te) || te.RetryAfter <= 0 {
			t.Fatalf("after 5 failures: got %v, want throttled", err)
		}
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND target_label = $1`, email).Scan(&n); err != nil || n < 5 {
			t.Fatalf("failed logins audited: %d %v", n, err)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		p, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: storetest.Unique("s") + "@x.example", Name: "S", Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		token, sess, err := s.CreateSession(ctx, auth.SessionInput{PersonID: p.ID, Lifetime: time.Hour, IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		got, person, err := s.SessionByToken(ctx, token)
		if err != nil || got.TokenHash != sess.TokenHash || person.ID != p.ID || got.CSRFToken == "" {
			t.Fatalf("session lookup: %v", err)
		}
		if _, _, err := s.SessionByToken(ctx, token+"x"); !errors.Is(err, auth.ErrSessionExpired) {
			t.Fatalf("wrong token: %v", err)
		}
		// An already expired session is refused and purged.
		old, _, err := s.CreateSession(ctx, auth.SessionInput{PersonID: p.ID, Lifetime: -time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, old); !errors.Is(err, auth.ErrSessionExpired) {
			t.Fatalf("expired session: %v", err)
		}
		n, err := s.PurgeExpiredSessions(ctx)
		if err != nil || n < 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if _, _, err := s.SessionByToken(ctx, token); err != nil {
			t.Fatalf("live session purged: %v", err)
		}
		// Disabling a person ends their sessions.
		if err := s.SetDisabled(ctx, "", p.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, token); !errors.Is(err, auth.ErrSessionExpired) {
			t.Fatalf("session of disabled person: %v", err)
		}
		if _, err := s.Authenticate(ctx, p.Email, goodPassword, "1.1.1.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("disabled login: %v", err)
		}
	})
}

func TestTwoFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		p, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: storetest.Unique("tf") + "@x.example", Name: "T", Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		secret, url, err := s.BeginTOTP(ctx, p.ID, "Piazza")
		if err != nil || secret == "" || url == "" {
			t.Fatalf("begin: %v", err)
		}
		var stored string
		if err := db.Read.QueryRowContext(ctx, `SELECT totp_secret FROM people WHERE id = $1`, p.ID).Scan(&stored); err != nil || stored == secret || stored == "" {
			t.Fatalf("TOTP secret must be stored sealed, got %q", stored)
		}
		if _, err := s.ConfirmTOTP(ctx, p.ID, "000000"); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("wrong confirm code: %v", err)
		}
		code := func(at time.Time) string {
			c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		recovery, err := s.ConfirmTOTP(ctx, p.ID, code(time.Now()))
		if err != nil || len(recovery) != 10 {
			t.Fatalf("confirm: %d codes, %v", len(recovery), err)
		}
		_, sess, err := s.CreateSession(ctx, auth.SessionInput{PersonID: p.ID, MFAPending: true, Lifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteSecondFactor(ctx, sess, "123", "ip"); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("bad code: %v", err)
		}
		next := code(time.Now().Add(30 * time.Second))
		if err := s.CompleteSecondFactor(ctx, sess, next, "ip"); err != nil {
			t.Fatalf("good code: %v", err)
		}
		// The same code again is a replay.
		if err := s.CompleteSecondFactor(ctx, sess, next, "ip"); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("replayed code: %v", err)
		}
		// A recovery code works once.
		if err := s.CompleteSecondFactor(ctx, sess, recovery[0], "ip"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if err := s.CompleteSecondFactor(ctx, sess, recovery[0], "ip"); !errors.Is(err, auth.ErrBadCode) {
			t.Fatalf("reused recovery code: %v", err)
		}
	})
}

func TestResetAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		p, err := s.CreatePerson(ctx, nil, auth.PersonInput{Email: storetest.Unique("r") + "@x.example", Name: "R"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, p.Email, "", "ip-r"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("login without a password set: %v", err)
		}
		if _, _, found, err := s.RequestPasswordReset(ctx, "nobody@x.example"); err != nil || found {
			t.Fatalf("unknown email: found=%v err=%v", found, err)
		}
		token, _, found, err := s.RequestPasswordReset(ctx, p.Email)
		if err != nil || !found {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, token, "short"); err == nil {
			t.Fatal("short password accepted")
		}
		if _, err := s.ResetPassword(ctx, token, goodPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, token, goodPassword); !errors.Is(err, auth.ErrBadToken) {
			t.Fatalf("reset token reused: %v", err)
		}
		if _, err := s.Authenticate(ctx, p.Email, goodPassword, "ip-r2"); err != nil {
			t.Fatal(err)
		}

		var orgID = store.NewID()
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO organisations (id, slug, name, created_at, updated_at) VALUES ($1, $2, 'O', $3, $3)`, orgID, storetest.Unique("o"), store.Now()); err != nil {
			t.Fatal(err)
		}
		plain, tok, err := s.CreateAPIToken(ctx, orgID, p.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		var hash string
		if err := db.Read.QueryRowContext(ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, tok.ID).Scan(&hash); err != nil || hash == plain {
			t.Fatalf("token must be stored hashed: %v", err)
		}
		got, person, err := s.AuthenticateToken(ctx, plain)
		if err != nil || got.OrgID != orgID || person.ID != p.ID {
			t.Fatalf("token auth: %v", err)
		}
		for _, bad := range []string{"", "pz_", "nope", plain + "x"} {
			if _, _, err := s.AuthenticateToken(ctx, bad); !errors.Is(err, auth.ErrBadToken) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
		if err := s.RevokeAPIToken(ctx, orgID, p.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AuthenticateToken(ctx, plain); !errors.Is(err, auth.ErrBadToken) {
			t.Fatalf("revoked token: %v", err)
		}
	})
}
