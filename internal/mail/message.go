// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// reservedHeaders are written by compose; letting Headers set them could
// make the visible recipients differ from the envelope or break the MIME
// structure.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true, "Date": true,
	"Message-Id": true, "Mime-Version": true, "Content-Type": true,
	"Content-Transfer-Encoding": true, "Sender": true, "Return-Path": true,
}

// parseAddress accepts one address, with or without a display name.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: address contains a line break", ErrInvalidMessage)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: address %q: %v", ErrInvalidMessage, s, err)
	}
	// Internationalised addresses would need SMTPUTF8 end to end; public
	// administration addresses are ASCII, display names may not be.
	for _, r := range a.Address {
		if r < 0x21 || r > 0x7e {
			return nil, fmt.Errorf("%w: address %q has characters other than ASCII", ErrInvalidMessage, s)
		}
	}
	return a, nil
}

// checkMessage validates m and returns its parsed recipients.
func checkMessage(m Message) ([]*mail.Address, error) {
	if len(m.To) == 0 {
		return nil, fmt.Errorf("%w: no recipients", ErrInvalidMessage)
	}
	to := make([]*mail.Address, 0, len(m.To))
	for _, s := range m.To {
		a, err := parseAddress(s)
		if err != nil {
			return nil, err
		}
		to = append(to, a)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("%w: subject contains a line break", ErrInvalidMessage)
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, fmt.Errorf("%w: no text", ErrInvalidMessage)
	}
	for k, v := range m.Headers {
		if !validFieldName(k) {
			return nil, fmt.Errorf("%w: invalid header name %q", ErrInvalidMessage, k)
		}
		if reservedHeaders[textproto.CanonicalMIMEHeaderKey(k)] {
			return nil, fmt.Errorf("%w: header %s is set by the mail package", ErrInvalidMessage, k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%w: header %s contains a line break", ErrInvalidMessage, k)
		}
	}
	return to, nil
}

// validFieldName follows RFC 5322 section 3.6.8: printable ASCII but colon.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// envelope is what compose needs beyond the message: fixed in tests,
// random and current otherwise.
type envelope struct {
	from      *mail.Address
	to        []*mail.Address
	date      time.Time
	messageID string // without angle brackets
	boundary  string // multipart boundary; empty: random
}

// newEnvelope fills in a fresh date and Message-ID.
func newEnvelope(from *mail.Address, to []*mail.Address) envelope {
	return envelope{from: from, to: to, date: time.Now(), messageID: rand.Text() + "@" + messageIDDomain(from)}
}

// messageIDDomain is the sender's domain, the usual right-hand side of a
// Message-ID, or a safe stand-in when it has characters a header cannot.
func messageIDDomain(from *mail.Address) string {
	d := from.Address[strings.LastIndex(from.Address, "@")+1:]
	if d == "" || strings.ContainsAny(d, "<>\"\\ ") {
		return "localhost"
	}
	return d
}

// compose writes m as an RFC 5322 message with CRLF line endings. Bodies
// are quoted-printable so the message is 7-bit clean whatever the relay.
func compose(env envelope, m Message) ([]byte, error) {
	var b bytes.Buffer
	writeHeader(&b, "From", env.from.String())
	tos := make([]string, len(env.to))
	for i, a := range env.to {
		tos[i] = a.String()
	}
	writeHeader(&b, "To", strings.Join(tos, ", "))
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	writeHeader(&b, "Date", env.date.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", "<"+env.messageID+">")
	writeHeader(&b, "MIME-Version", "1.0")
	// RFC 3834: tells autoresponders not to answer, unless the caller
	// chose another value.
	extra := map[string]string{"Auto-Submitted": "auto-generated"}
	for k, v := range m.Headers {
		for old := range extra {
			if strings.EqualFold(old, k) {
				delete(extra, old)
			}
		}
		extra[k] = v
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		writeHeader(&b, k, mime.QEncoding.Encode("utf-8", extra[k]))
	}

	if m.HTML == "" {
		writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
		writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		// SMTP ends the data with a line break anyway; a part of a
		// multipart body needs none, as the boundary brings its own.
		if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
			b.WriteString("\r\n")
		}
		return b.Bytes(), nil
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if env.boundary != "" {
		if err := mw.SetBoundary(env.boundary); err != nil {
			return nil, fmt.Errorf("mail: boundary: %w", err)
		}
	}
	// Least preferred first (RFC 2046 section 5.1.4).
	for _, part := range []struct{ typ, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		if err := writeQP(w, part.content); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	writeHeader(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// writeQP writes s quoted-printable, with CRLF line breaks.
func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return nil
}

// maxLine is the line length RFC 5322 section 2.1.1 asks senders to keep to.
const maxLine = 78

// writeHeader writes one field, folded at spaces so lines stay short.
// Folding puts CRLF before an existing space, which unfolding removes
// again, so the value is unchanged; encoded words are separated by spaces,
// so an encoded subject folds between them.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ":"
	hasContent := false
	for _, word := range strings.Split(value, " ") {
		if hasContent && word != "" && len(line)+1+len(word) > maxLine {
			b.WriteString(line)
			b.WriteString("\r\n")
			line, hasContent = "", false
		}
		line += " " + word
		hasContent = hasContent || word != ""
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
