// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// defaultTimeout bounds a whole SMTP session when ctx has no deadline, so
// a stuck relay cannot hold a worker forever.
const defaultTimeout = 30 * time.Second

// smtpSender opens one SMTP session per message: system mail is rare, and
// a fresh session never trips over a connection the relay dropped.
type smtpSender struct {
	settings *Settings
	from     *mail.Address
	log      *slog.Logger
	helo     string

	// Seams for tests: where to connect and which roots to trust.
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	tlsConfig *tls.Config
}

func newSMTPSender(st *Settings, from *mail.Address, log *slog.Logger) *smtpSender {
	return &smtpSender{
		settings:  st,
		from:      from,
		log:       log,
		helo:      heloName(),
		dial:      (&net.Dialer{}).DialContext,
		tlsConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// heloName is this machine's name for EHLO; some relays refuse a bare
// "localhost" from a remote peer, so the real name is worth sending.
func heloName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || !validHost(h) {
		return "localhost"
	}
	return h
}

func (s *smtpSender) Send(ctx context.Context, m Message) error {
	to, err := checkMessage(m)
	if err != nil {
		return err
	}
	data, err := compose(newEnvelope(s.from, to), m)
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, to, data); err != nil {
		// A deadline or a cancellation shows up as an I/O error on the
		// connection; report the cause the caller can act on.
		if ctxErr := contextErr(ctx); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		return fmt.Errorf("mail: send to %s via %s: %w", recipients(to), s.addr(), err)
	}
	s.log.DebugContext(ctx, "mail sent", "to", m.To, "subject", m.Subject)
	return nil
}

// contextErr is ctx.Err(), also in the instant when the connection's
// deadline, copied from ctx, has passed but ctx has not noticed yet.
func contextErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func (s *smtpSender) addr() string {
	return net.JoinHostPort(s.settings.Host, strconv.Itoa(s.settings.Port))
}

func recipients(to []*mail.Address) string {
	addrs := make([]string, len(to))
	for i, a := range to {
		addrs[i] = a.Address
	}
	return strings.Join(addrs, ", ")
}

// deliver runs one SMTP session (RFC 5321) and sends data to every
// recipient; any refused recipient fails the whole message, so the caller
// never has to track a partial delivery.
func (s *smtpSender) deliver(ctx context.Context, to []*mail.Address, data []byte) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	dialCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := s.dial(dialCtx, "tcp", s.addr())
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// net/smtp knows nothing of contexts: a cancellation pulls the
	// deadline in, which fails whatever read or write is blocked.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	st := s.settings
	tlsConfig := s.tlsConfig.Clone()
	tlsConfig.ServerName = st.Host
	if st.ImplicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(dialCtx); err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, st.Host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.helo); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if !st.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		} else if !st.plainAllowed() {
			return errors.New("the server does not offer STARTTLS; refusing to send in clear text (use smtps://, or add ?insecure=true to the URL if the network is trusted)")
		}
	}
	if st.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return errors.New("the server does not offer AUTH, but the URL has credentials")
		}
		if !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
			return fmt.Errorf("the server does not offer AUTH PLAIN (it offers %s)", mechs)
		}
		// PlainAuth itself refuses to send the password in clear to a
		// host other than localhost, even with insecure=true.
		if err := c.Auth(smtp.PlainAuth("", st.Username, st.Password, st.Host)); err != nil {
			return fmt.Errorf("AUTH as %s: %w", st.Username, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM <%s>: %w", s.from.Address, err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("RCPT TO <%s>: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted once DATA is answered; a failed QUIT
	// changes nothing for the caller.
	_ = c.Quit()
	return nil
}
