// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mailbox reads citizens' email for the desk from an IMAP folder.
//
// Fetch is a poll with a cursor: the caller keeps the folder's UIDVALIDITY
// and the last UID it has seen, and asks for what came after. The folder
// is opened read-only (EXAMINE, BODY.PEEK) so Piazza never changes what
// the office sees in its own mail client. Each message is parsed into a
// channel.Inbound threaded by Message-ID, References and In-Reply-To;
// automatic mail (auto-replies, bounces, bulk) is dropped so an
// out-of-office loop cannot flood the desk.
package mailbox

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Config says how to reach the mailbox.
type Config struct {
	Addr     string // host:port
	TLS      bool   // implicit TLS (port 993)
	StartTLS bool   // upgrade a clear connection (port 143)
	Username string
	Password string
	Folder   string // default INBOX
	// TLSConfig overrides the TLS settings; tests use it to trust a
	// self-signed certificate. Nil verifies the server's certificate
	// against the system roots for the host of Addr.
	TLSConfig *tls.Config
	// Log receives the messages that could not be read; nil is
	// slog.Default().
	Log *slog.Logger
}

// Message is one citizen email ready for desk.Service.Ingest with Source
// desk.SourceEmail.
type Message struct {
	UID     uint32
	Inbound channel.Inbound
	// Contact is where an answer goes: Reply-To when the message has one
	// (web forms send on the citizen's behalf), else the From address.
	Contact string
	// Attachments describe Inbound.Attachments, in order, with sizes.
	Attachments []Attachment
	Size        int64 // the whole message, as the server counts it
}

// Defaults and limits of a poll.
const (
	defaultMax = 50
	maxBatch   = 500
	// maxRaw caps the bytes fetched per message: attachments are only
	// described, and the text comes first in any sane message.
	maxRaw      = 8 << 20
	dialTimeout = 30 * time.Second
	// pollTimeout bounds a whole poll when ctx has no deadline, so a
	// server that stops answering cannot hang the poller.
	pollTimeout = 5 * time.Minute
)

// Fetch returns the messages of the folder with a UID above sinceUID,
// oldest first and at most limit of them (0 means 50), with the cursor to
// pass next time and the folder's UIDVALIDITY.
//
// When uidValidity differs from the one stored with the cursor, the
// server has renumbered the folder: the caller must drop the batch and
// call again with sinceUID 0 (the desk deduplicates by Message-ID, so
// the messages already seen are not stored twice).
//
// Automatic mail, the mailbox's own messages, empty ones and those that
// cannot be read are not returned but advance the cursor, so one bad
// message never blocks the folder. On error the cursor is sinceUID: the
// whole batch is fetched again next time.
func Fetch(ctx context.Context, cfg Config, sinceUID uint32, limit int) (msgs []Message, nextUID, uidValidity uint32, err error) {
	if limit <= 0 {
		limit = defaultMax
	}
	limit = min(limit, maxBatch)
	folder := cfg.Folder
	if folder == "" {
		folder = "INBOX"
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pollTimeout)
		defer cancel()
	}

	c, err := dial(ctx, cfg)
	if err != nil {
		return nil, sinceUID, 0, err
	}
	defer c.Close()

	if err := c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		return nil, sinceUID, 0, fmt.Errorf("mailbox: login: %w", ctxErr(ctx, err))
	}
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, sinceUID, 0, fmt.Errorf("mailbox: select %q: %w", folder, ctxErr(ctx, err))
	}
	uidValidity = sel.UIDValidity
	if sel.NumMessages == 0 || sinceUID == ^uint32(0) ||
		(sel.UIDNext != 0 && uint32(sel.UIDNext) <= sinceUID+1) {
		logout(c)
		return nil, sinceUID, uidValidity, nil
	}

	// "n:*" always matches the last message, even below n: filter.
	found, err := c.UIDSearch(&imap.SearchCriteria{
		UID: []imap.UIDSet{{{Start: imap.UID(sinceUID + 1), Stop: 0}}},
	}, nil).Wait()
	if err != nil {
		return nil, sinceUID, uidValidity, fmt.Errorf("mailbox: search: %w", ctxErr(ctx, err))
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > sinceUID {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	if len(uids) > limit {
		uids = uids[:limit]
	}
	if len(uids) == 0 {
		logout(c)
		return nil, sinceUID, uidValidity, nil
	}

	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxRaw}}
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:          true,
		InternalDate: true,
		RFC822Size:   true,
		BodySection:  []*imap.FetchItemBodySection{section},
	})
	for {
		data := cmd.Next()
		if data == nil {
			break
		}
		buf, err := data.Collect() // one message at a time, at most maxRaw
		if err != nil {
			cmd.Close()
			return nil, sinceUID, uidValidity, fmt.Errorf("mailbox: fetch: %w", ctxErr(ctx, err))
		}
		uid := uint32(buf.UID)
		if uid <= sinceUID || !slices.Contains(uids, buf.UID) {
			continue // unsolicited FETCH data (a flag change)
		}
		p, err := parse(buf.FindBodySection(section))
		if err != nil {
			log.Warn("mailbox: unreadable message skipped", "folder", folder, "uid", uid, "err", err)
			continue
		}
		if p.skip || isSelf(cfg.Username, p.in.AuthorID) {
			log.Debug("mailbox: automatic message skipped", "folder", folder, "uid", uid)
			continue
		}
		if strings.TrimSpace(p.in.Text) == "" && len(p.in.Attachments) == 0 {
			log.Debug("mailbox: empty message skipped", "folder", folder, "uid", uid)
			continue // the desk would refuse it
		}
		fillIn(&p.in, uidValidity, uid, buf.InternalDate)
		msgs = append(msgs, Message{UID: uid, Inbound: p.in, Contact: p.contact, Attachments: p.attachments, Size: buf.RFC822Size})
	}
	if err := cmd.Close(); err != nil {
		return nil, sinceUID, uidValidity, fmt.Errorf("mailbox: fetch: %w", ctxErr(ctx, err))
	}
	logout(c)
	slices.SortFunc(msgs, func(a, b Message) int { return cmp.Compare(a.UID, b.UID) })
	// The cursor passes every UID asked for: one the server did not
	// return was expunged meanwhile.
	return msgs, uint32(uids[len(uids)-1]), uidValidity, nil
}

// logout ends the session politely; the connection closes anyway.
func logout(c *imapclient.Client) {
	_ = c.Logout().Wait()
}

// isSelf spots the mailbox's own address as sender (a copy of the desk's
// answer): answering it would loop.
func isSelf(username, from string) bool {
	return strings.Contains(username, "@") && strings.EqualFold(username, from)
}

// uidRemoteID identifies a message without Message-ID; UIDVALIDITY keeps
// it unique when the folder is renumbered.
func uidRemoteID(uidValidity, uid uint32) string {
	return "uid:" + strconv.FormatUint(uint64(uidValidity), 10) + ":" + strconv.FormatUint(uint64(uid), 10)
}

// dial connects and secures the connection. A password never travels in
// clear text except to a loopback server (a local relay, tests).
func dial(ctx context.Context, cfg Config) (*imapclient.Client, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox: address %q: %w", cfg.Addr, err)
	}
	if !cfg.TLS && !cfg.StartTLS && !loopback(host) {
		return nil, errors.New("mailbox: TLS or STARTTLS is required for a remote server")
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	// The client has no context: a deadline and a close on cancel stand
	// in for one.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	closeConn := func() {
		stop()
		conn.Close()
	}

	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	opts := &imapclient.Options{TLSConfig: tc}
	var c *imapclient.Client
	switch {
	case cfg.TLS:
		if len(tc.NextProtos) == 0 {
			tc.NextProtos = []string{"imap"}
		}
		tlsConn := tls.Client(conn, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			closeConn()
			return nil, fmt.Errorf("mailbox: TLS: %w", err)
		}
		c = imapclient.New(tlsConn, opts)
	case cfg.StartTLS:
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			closeConn()
			return nil, fmt.Errorf("mailbox: STARTTLS: %w", ctxErr(ctx, err))
		}
	default:
		c = imapclient.New(conn, opts)
	}
	go func() {
		<-c.Closed()
		stop()
	}()
	return c, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ctxErr prefers the context's error to the "use of closed connection"
// its cancellation causes.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
