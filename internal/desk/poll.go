// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk/mailbox"
	"github.com/piazza-pa/piazza/internal/publish"
)

// Polling: platforms without webhooks (Mastodon and Bluesky mentions,
// Telegram without a public address) and the mailbox are read from where
// the last poll stopped, every half minute (Telegram bots every 3 s). A cursor moves only after the
// messages it covers are stored, so a crash reads them again and the
// deduplication keeps them once.

func (s *Service) cursor(ctx context.Context, key string) (string, error) {
	var c string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT cursor FROM desk_cursors WHERE key = $1`, key).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}

func (s *Service) saveCursor(ctx context.Context, orgID, key, cursor, pollErr string) error {
	_, err := s.DB.Write.ExecContext(ctx, `INSERT INTO desk_cursors (key, org_id, cursor, error, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, error = excluded.error, updated_at = excluded.updated_at`,
		key, orgID, cursor, clip(pollErr, 500), s.now())
	return err
}

// pollLease is how long a poll may hold an account: a crashed instance's
// lease runs out after it.
const pollLease = 2 * time.Minute

// claimPoll takes the polling lease of the cursor key; false means
// another poll holds it. A key never polled gets its row, with an empty
// cursor (the start, as with no row).
func (s *Service) claimPoll(ctx context.Context, orgID, key string) (bool, error) {
	now := s.now()
	r, err := s.DB.Write.ExecContext(ctx, `INSERT INTO desk_cursors (key, org_id, cursor, error, updated_at, lease_until)
		VALUES ($1, $2, '', '', $3, $4) ON CONFLICT (key) DO UPDATE SET lease_until = excluded.lease_until
		WHERE desk_cursors.lease_until IS NULL OR desk_cursors.lease_until < $3`, key, orgID, now, now.Add(pollLease))
	if err != nil {
		return false, fmt.Errorf("desk: poll lease %s: %w", key, err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

func (s *Service) releasePoll(ctx context.Context, key string) {
	if _, err := s.DB.Write.ExecContext(context.WithoutCancel(ctx), `UPDATE desk_cursors SET lease_until = NULL WHERE key = $1`,
		key); err != nil {
		s.Log.Warn("desk: poll lease not released; it runs out by itself", "key", key, "err", err)
	}
}

// PollChannels reads every active account of the given platforms (of
// every platform whose connector polls, channel.Capabilities.Poll, when
// none is given). Telegram accounts with a webhook secret receive webhooks
// instead.
func (s *Service) PollChannels(ctx context.Context, platforms ...channel.Platform) error {
	if s.Publish == nil {
		return nil
	}
	orgs, err := queryIDs(ctx, s.DB.Read, `SELECT id FROM organisations`)
	if err != nil {
		return fmt.Errorf("desk: poll: %w", err)
	}
	var errs []error
	for _, orgID := range orgs {
		accts, err := s.Publish.Accounts(ctx, orgID)
		if err != nil {
			return fmt.Errorf("desk: poll: %w", err)
		}
		for _, a := range accts {
			if a.Status != publish.AccountActive {
				continue
			}
			if len(platforms) > 0 && !slices.Contains(platforms, a.Platform) {
				continue
			}
			if conn, ok := s.Publish.Registry().Platform(a.Platform); !ok || !conn.Capabilities().Poll {
				continue
			}
			if err := s.pollAccount(ctx, orgID, a); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Service) pollAccount(ctx context.Context, orgID string, a publish.Account) error {
	// Runs of the poll task may overlap (a slow platform, a manual run):
	// two polls from the same cursor would read the same updates, and a
	// bot command would be answered twice.
	if _, busy := s.polling.LoadOrStore(a.ID, true); busy {
		return nil
	}
	defer s.polling.Delete(a.ID)
	// And across instances: a periodic run goes to any of them.
	if ok, err := s.claimPoll(ctx, orgID, a.ID); err != nil || !ok {
		return err
	}
	defer s.releasePoll(ctx, a.ID)
	_, acct, err := s.Publish.Connect(ctx, orgID, a.ID)
	if err != nil {
		return err
	}
	if a.Platform == channel.Telegram && acct.Credentials["webhook_secret"] != "" {
		return nil
	}
	conn, ok := s.Publish.Registry().For(acct)
	if !ok {
		return nil
	}
	p, ok := conn.(channel.Poller)
	if s.Pollers != nil {
		if q := s.Pollers(ctx, orgID, a, conn); q != nil {
			p, ok = q, true
		}
	}
	if !ok {
		return nil
	}
	cur, err := s.cursor(ctx, a.ID)
	if err != nil {
		return err
	}
	msgs, next, pollErr := p.Poll(ctx, acct, cur)
	stored := 0
	for _, m := range msgs {
		if m.Bot {
			continue
		}
		if _, err := s.Ingest(ctx, Inbound{OrgID: orgID, AccountID: a.ID, Source: string(a.Platform), Msg: m}); err != nil {
			if errors.Is(err, ErrInvalid) {
				s.Log.Warn("desk: poll: message refused", "account", a.ID, "err", err)
				continue
			}
			// Not stored: the cursor stays, the next poll reads it again.
			return fmt.Errorf("desk: poll %s: %w", a.ID, err)
		}
		stored++
	}
	if next == "" {
		next = cur
	}
	msg := ""
	if pollErr != nil {
		msg = pollErr.Error()
		s.Log.Warn("desk: poll", "account", a.ID, "platform", a.Platform, "err", pollErr)
	}
	if err := s.saveCursor(ctx, orgID, a.ID, next, msg); err != nil {
		return err
	}
	if c, ok := p.(CommittingPoller); ok {
		c.Committed(ctx)
	}
	return nil
}

// A CommittingPoller is told once what its Poll returned is stored and
// the cursor moved past it. The alerts bot answers the commands it read
// only then: a poll that failed half-way is read again, and its commands
// must not be answered twice.
type CommittingPoller interface {
	channel.Poller
	Committed(ctx context.Context)
}

// MailboxConfig reads an imaps:// or imap:// URL (PIAZZA_IMAP_URL).
func MailboxConfig(raw string) (mailbox.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return mailbox.Config{}, invalidf("IMAP URL")
	}
	pw, _ := u.User.Password()
	cfg := mailbox.Config{Addr: u.Host, Username: u.User.Username(), Password: pw, Folder: strings.TrimPrefix(u.Path, "/")}
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		cfg.TLS = true
		if u.Port() == "" {
			cfg.Addr += ":993"
		}
	case "imap":
		cfg.StartTLS = true
		if u.Port() == "" {
			cfg.Addr += ":143"
		}
	default:
		return mailbox.Config{}, invalidf("IMAP URL scheme %q", u.Scheme)
	}
	return cfg, nil
}

// PollMailbox reads new messages of the organisation's mailbox into the
// desk. The cursor is "uidvalidity:nextuid"; a new UIDVALIDITY (the folder
// was recreated) starts over, and deduplication by Message-ID keeps what
// was already stored once.
func (s *Service) PollMailbox(ctx context.Context, orgID string, cfg mailbox.Config) (int, error) {
	key := "imap:" + orgID
	cur, err := s.cursor(ctx, key)
	if err != nil {
		return 0, err
	}
	validity, since := parseMailCursor(cur)
	msgs, next, gotValidity, err := mailbox.Fetch(ctx, cfg, since, 200)
	if err == nil && validity != 0 && gotValidity != validity {
		msgs, next, gotValidity, err = mailbox.Fetch(ctx, cfg, 0, 200)
	}
	if err != nil {
		_ = s.saveCursor(ctx, orgID, key, cur, err.Error())
		return 0, fmt.Errorf("desk: mailbox: %w", err)
	}
	n := 0
	for _, m := range msgs {
		in := m.Inbound
		// Replies to one newsletter from many citizens share a thread
		// root: the sender keeps them apart, so nobody receives an answer
		// meant for someone else.
		in.Thread = in.Thread + " " + strings.ToLower(m.Contact)
		if _, err := s.Ingest(ctx, Inbound{OrgID: orgID, Source: SourceEmail, Contact: m.Contact, Msg: in}); err != nil {
			if errors.Is(err, ErrInvalid) {
				s.Log.Warn("desk: mailbox: message refused", "err", err)
				continue
			}
			return n, fmt.Errorf("desk: mailbox: %w", err)
		}
		n++
	}
	return n, s.saveCursor(ctx, orgID, key, strconv.FormatUint(uint64(gotValidity), 10)+":"+strconv.FormatUint(uint64(next), 10), "")
}

func parseMailCursor(c string) (validity, next uint32) {
	a, b, ok := strings.Cut(c, ":")
	if !ok {
		return 0, 0
	}
	v, err1 := strconv.ParseUint(a, 10, 32)
	n, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return uint32(v), uint32(n)
}
