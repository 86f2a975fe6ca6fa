// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mail sends Piazza's own email (notifications, invitations,
// password resets) through the SMTP server named by PIAZZA_SMTP_URL.
//
// Transport security is not negotiable downwards: smtps:// is TLS from the
// first byte, smtp:// upgrades with STARTTLS whenever the server offers it
// and goes on in clear text only to a loopback host or with
// ?insecure=true; a password is never sent in clear to a remote host.
// Without a URL, mail is disabled and each message is logged (recipients
// and subject, never the body, which may hold a reset link) and dropped,
// so a fresh installation works before anyone configures a relay.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
)

// Message is one email. Text is required: it is what screen readers and
// text-only clients show; HTML, when set, is offered as an alternative.
type Message struct {
	To      []string // addresses, optionally with a name: "Mario Rossi <m.rossi@comune.example.it>"
	Subject string
	Text    string
	HTML    string            // optional
	Headers map[string]string // optional extra headers, such as List-Unsubscribe
}

// Sender delivers messages. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage wraps every error about the message itself (a bad
// address, a line break in a header): sending it again cannot succeed.
var ErrInvalidMessage = errors.New("mail: invalid message")

// New returns the Sender for smtpURL (see ParseURL) with from as the
// sender address, such as "Comune di Esempio <noreply@comune.example.it>".
// An empty smtpURL gives a Sender that only logs. log may be nil.
func New(smtpURL, from string, log *slog.Logger) (Sender, error) {
	if log == nil {
		log = slog.Default()
	}
	var fromAddr *mail.Address
	if strings.TrimSpace(from) != "" {
		var err error
		if fromAddr, err = parseAddress(from); err != nil {
			return nil, fmt.Errorf("mail: sender address: %w", err)
		}
	}
	if strings.TrimSpace(smtpURL) == "" {
		return &logSender{log: log}, nil
	}
	st, err := ParseURL(smtpURL)
	if err != nil {
		return nil, err
	}
	if fromAddr == nil {
		return nil, errors.New("mail: a sender address is required when SMTP is configured")
	}
	return newSMTPSender(st, fromAddr, log), nil
}

// logSender stands in when mail is not configured.
type logSender struct{ log *slog.Logger }

func (s *logSender) Send(ctx context.Context, m Message) error {
	// Validate all the same, so a bad message fails in development as it
	// would in production.
	if _, err := checkMessage(m); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "mail not configured (PIAZZA_SMTP_URL is empty): message dropped",
		"to", m.To, "subject", m.Subject)
	return nil
}
