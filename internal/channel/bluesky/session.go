// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
)

// session is what createSession and refreshSession return.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
type session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
	Active     *bool  `json:"active"`
	Status     string `json:"status"`
}

// profileHandle is the handle for public links: the DID when the handle
// no longer verifies.
func (s *session) profileHandle() string {
	if s.Handle == "" || s.Handle == "handle.invalid" {
		return s.DID
	}
	return s.Handle
}

// sessionSlot holds the session of one account. Its lock is a one-place
// channel, so that a caller waiting for another's createSession gives up
// with its context.
type sessionSlot struct {
	lock chan struct{}
	s    *session
}

func (sl *sessionSlot) acquire(ctx context.Context, op string) error {
	select {
	case sl.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &channel.Error{Kind: channel.Retryable, Platform: channel.Bluesky, Op: op, Err: ctx.Err()}
	}
}

func (sl *sessionSlot) release() { <-sl.lock }

// slot returns the session slot of the account: one per PDS, identifier
// and app password, so that new credentials get a new session.
func (c *Connector) slot(acct channel.Account) *sessionSlot {
	h := sha256.Sum256([]byte(base(acct) + "\x00" + strings.ToLower(strings.TrimSpace(acct.Handle)) + "\x00" +
		acct.Credentials[channel.CredAppPassword]))
	key := hex.EncodeToString(h[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	sl, ok := c.sessions[key]
	if !ok {
		sl = &sessionSlot{lock: make(chan struct{}, 1)}
		c.sessions[key] = sl
	}
	return sl
}

// session returns the account's session, creating it when there is none.
func (c *Connector) session(ctx context.Context, acct channel.Account, op string) (*session, error) {
	sl := c.slot(acct)
	if err := sl.acquire(ctx, op); err != nil {
		return nil, err
	}
	defer sl.release()
	if sl.s != nil {
		return sl.s, nil
	}
	s, err := c.createSession(ctx, acct, op)
	if err != nil {
		return nil, err
	}
	sl.s = s
	return s, nil
}

// renew replaces the stale session: refreshSession, or createSession when
// the refresh token no longer works. Another caller may have renewed it
// meanwhile; then its session is used.
func (c *Connector) renew(ctx context.Context, acct channel.Account, op string, stale *session) (*session, error) {
	sl := c.slot(acct)
	if err := sl.acquire(ctx, op); err != nil {
		return nil, err
	}
	defer sl.release()
	if sl.s != nil && sl.s != stale {
		return sl.s, nil
	}
	s, err := c.refreshSession(ctx, acct, op, stale)
	if err != nil && channel.KindOf(err) == channel.Auth {
		s, err = c.createSession(ctx, acct, op)
	}
	if err != nil {
		if channel.KindOf(err) == channel.Auth {
			sl.s = nil
		}
		return nil, err
	}
	sl.s = s
	return s, nil
}

// forget drops the session, so that the next call creates a new one.
func (c *Connector) forget(acct channel.Account, stale *session) {
	sl := c.slot(acct)
	sl.lock <- struct{}{}
	defer sl.release()
	if sl.s == stale {
		sl.s = nil
	}
}

// authed runs fn with the account's session. When the PDS answers
// ExpiredToken, the session is renewed and fn runs once more: the PDS
// refused the request before acting on it. InvalidToken (a session the
// PDS no longer recognises) is returned as Auth, and the session is
// dropped so that the next call starts with a new one.
func (c *Connector) authed(ctx context.Context, acct channel.Account, op string, fn func(*session) error) error {
	s, err := c.session(ctx, acct, op)
	if err != nil {
		return err
	}
	err = fn(s)
	if errCode(err) == "ExpiredToken" {
		if s, err = c.renew(ctx, acct, op, s); err != nil {
			return err
		}
		err = fn(s)
	}
	if code := errCode(err); code == "InvalidToken" || code == "ExpiredToken" {
		c.forget(acct, s)
	}
	return err
}

// errCode is the XRPC error name of err, if any.
func errCode(err error) string {
	if e := channel.AsError(err); e != nil {
		return e.Code
	}
	return ""
}

// sessionError keeps a failed session call from meaning "the post may
// exist": nothing was published, whatever happened to the session call.
func sessionError(err error) error {
	if e := channel.AsError(err); e != nil && e.Kind == channel.Unknown {
		e.Kind = channel.Retryable
	}
	return err
}

// createSession logs in with the app password.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
func (c *Connector) createSession(ctx context.Context, acct channel.Account, op string) (*session, error) {
	id := strings.TrimPrefix(strings.TrimSpace(acct.Handle), "@")
	if id == "" {
		return nil, errorf(channel.Auth, op, "no Bluesky handle or DID for the account")
	}
	pw := strings.TrimSpace(acct.Credentials[channel.CredAppPassword])
	if pw == "" {
		return nil, errorf(channel.Auth, op, "no app password")
	}
	var s session
	err := c.call(ctx, acct, op, request{method: "com.atproto.server.createSession",
		body: map[string]string{"identifier": id, "password": pw}}, &s)
	if err != nil {
		return nil, sessionError(err)
	}
	return checkSession(&s, op)
}

// refreshSession trades the refresh token for a new session.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
func (c *Connector) refreshSession(ctx context.Context, acct channel.Account, op string, old *session) (*session, error) {
	var s session
	err := c.call(ctx, acct, op, request{method: "com.atproto.server.refreshSession", post: true,
		token: old.RefreshJwt}, &s)
	if err != nil {
		return nil, sessionError(err)
	}
	return checkSession(&s, op)
}

// checkSession refuses a session the account cannot post with.
func checkSession(s *session, op string) (*session, error) {
	if s.Active != nil && !*s.Active {
		st := s.Status
		if st == "" {
			st = "inactive"
		}
		return nil, &channel.Error{Kind: channel.Auth, Platform: channel.Bluesky, Op: op, Code: st,
			Message: "the Bluesky account is " + st}
	}
	if s.AccessJwt == "" || !strings.HasPrefix(s.DID, "did:") {
		return nil, errorf(channel.Retryable, op, "the PDS answered a session without token or DID")
	}
	return s, nil
}
