// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/mail/mailtest"
)

const from = "Comune di Città <noreply@comune.example.it>"

func newSender(t *testing.T, url string) mail.Sender {
	t.Helper()
	s, err := mail.New(url, from, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestSendPlainText(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv.URL())
	text := "Gentile Mario,\n\nla Città più bella è la tua.\n.una riga che inizia con un punto\n..e una con due\n.\nFine.\n"
	err := s.Send(context.Background(), mail.Message{
		To:      []string{"Mario Rossi <m.rossi@example.org>"},
		Subject: "Città più bella",
		Text:    text,
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessages(1, 5*time.Second)[0]
	if got.From != "noreply@comune.example.it" {
		t.Errorf("envelope from = %q", got.From)
	}
	if len(got.To) != 1 || got.To[0] != "m.rossi@example.org" {
		t.Errorf("envelope to = %q", got.To)
	}
	if got.Username != "" {
		t.Errorf("AUTH as %q without credentials", got.Username)
	}
	if s := got.Subject(); s != "Città più bella" {
		t.Errorf("Subject = %q", s)
	}
	if body := got.Text(); body != text {
		t.Errorf("Text =\n%q\nwant\n%q", body, text)
	}
	if got.HTML() != "" {
		t.Errorf("HTML = %q, want none", got.HTML())
	}
	// The line starting with a dot arrived unstuffed, and the body really
	// was quoted-printable on the wire.
	if !bytes.Contains(got.Data, []byte("\r\n.una riga")) || !bytes.Contains(got.Data, []byte("\r\n..e una")) {
		t.Errorf("dot-stuffing not undone:\n%s", got.Data)
	}
	if !bytes.Contains(got.Body, []byte("Citt=C3=A0")) {
		t.Errorf("body not quoted-printable:\n%s", got.Body)
	}
	h := got.Header
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@comune.example.it>") {
		t.Errorf("Message-ID = %q", id)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	for k, want := range map[string]string{
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
	} {
		if v := h.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Mario Rossi" {
		t.Errorf("To = %v (%v)", to, err)
	}
	fromList, err := h.AddressList("From")
	if err != nil || len(fromList) != 1 || fromList[0].Name != "Comune di Città" || fromList[0].Address != "noreply@comune.example.it" {
		t.Errorf("From = %v (%v)", fromList, err)
	}
}

func TestSendHTML(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv.URL())
	msg := mail.Message{
		To:      []string{"a@example.org", "b@example.org"},
		Subject: "Nuovo messaggio",
		Text:    "Hai un nuovo messaggio: è urgente.\n",
		HTML:    "<p>Hai un <strong>nuovo</strong> messaggio: è urgente.</p>\n<p>" + strings.Repeat("lunga riga ", 20) + "</p>\n",
		Headers: map[string]string{"List-Id": "Avvisi <avvisi.comune.example.it>"},
	}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessages(1, 5*time.Second)[0]
	if len(got.To) != 2 {
		t.Errorf("envelope to = %q", got.To)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type = %q", ct)
	}
	if got.Text() != msg.Text {
		t.Errorf("Text = %q, want %q", got.Text(), msg.Text)
	}
	if got.HTML() != msg.HTML {
		t.Errorf("HTML = %q, want %q", got.HTML(), msg.HTML)
	}
	if v := got.Header.Get("List-Id"); v != msg.Headers["List-Id"] {
		t.Errorf("List-Id = %q", v)
	}
}

func TestSendAuth(t *testing.T) {
	srv := mailtest.NewServer(t)
	// net/smtp sends AUTH PLAIN in clear text only to localhost, which is
	// where the fake server is.
	url := strings.Replace(srv.URL(), "smtp://", "smtp://noreply%40comune.example.it:S3cr3t@", 1)
	s := newSender(t, url)
	if err := s.Send(context.Background(), mail.Message{To: []string{"a@example.org"}, Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.WaitForMessages(1, 5*time.Second)[0].Username; got != "noreply@comune.example.it" {
		t.Errorf("AUTH user = %q", got)
	}
}

func TestSendRejectedRecipient(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.Reject("gone@example.org")
	s := newSender(t, srv.URL())
	err := s.Send(context.Background(), mail.Message{To: []string{"a@example.org", "gone@example.org"}, Subject: "s", Text: "t"})
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 550 {
		t.Errorf("error %v does not carry the 550 answer", err)
	}
	if !strings.Contains(err.Error(), "gone@example.org") {
		t.Errorf("error %q does not name the refused recipient", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered after a refused recipient", n)
	}
}

func TestSendRejectsInvalidMessage(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newSender(t, srv.URL())
	for _, m := range []mail.Message{
		{To: []string{"a@example.org"}, Subject: "Ciao\r\nBcc: victim@example.org", Text: "t"},
		{To: []string{"a@example.org\r\nBcc: victim@example.org"}, Subject: "s", Text: "t"},
		{To: []string{"a@example.org"}, Subject: "s", Text: "t", Headers: map[string]string{"X-A": "1\nBcc: victim@example.org"}},
		{To: []string{"a@example.org"}, Subject: "s", Text: "t", Headers: map[string]string{"Bcc": "victim@example.org"}},
		{To: []string{"not an address"}, Subject: "s", Text: "t"},
		{Subject: "s", Text: "t"},
	} {
		if err := s.Send(context.Background(), m); !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("Send(%+v) = %v, want ErrInvalidMessage", m, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d invalid messages delivered", n)
	}
}

// silentServer accepts connections and never says a word, like a relay
// behind a firewall that drops packets after the handshake.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return "smtp://" + ln.Addr().String()
}

func TestSendHonoursContext(t *testing.T) {
	s := newSender(t, silentServer(t))
	msg := mail.Message{To: []string{"a@example.org"}, Subject: "s", Text: "t"}

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Send(ctx, msg)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send took %s after a 200ms deadline", d)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err := s.Send(ctx, msg)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Send = %v, want Canceled", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send took %s after cancellation", d)
		}
	})
}

func TestSendConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newSender(t, "smtp://user:S3cr3t@"+addr)
	err = s.Send(context.Background(), mail.Message{To: []string{"a@example.org"}, Subject: "s", Text: "t"})
	if err == nil {
		t.Fatal("Send succeeded with nobody listening")
	}
	if !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "S3cr3t") {
		t.Errorf("error %q should name the server and hide the password", err)
	}
}

func TestNewWithoutURLLogs(t *testing.T) {
	var logs bytes.Buffer
	s, err := mail.New("", "", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = s.Send(context.Background(), mail.Message{
		To:      []string{"m.rossi@example.org"},
		Subject: "Reimposta la password",
		Text:    "https://piazza.example.org/password/reset?token=SECRET-TOKEN\n",
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := logs.String()
	for _, want := range []string{"level=INFO", "not configured", "m.rossi@example.org", "Reimposta la password"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q does not contain %q", out, want)
		}
	}
	if strings.Contains(out, "SECRET-TOKEN") {
		t.Errorf("log %q shows the body", out)
	}
	// Invalid messages fail the same way as with a server.
	if err := s.Send(context.Background(), mail.Message{To: []string{"a@example.org"}, Subject: "a\nb", Text: "t"}); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("Send = %v, want ErrInvalidMessage", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		url, from, wantErr string
	}{
		{"http://user:S3cr3t@mail.example.org", from, "unsupported SMTP URL scheme"},
		{"smtp://user:S3cr3t@", from, "no host"},
		{"smtp://user:S3cr3t@mail.example.org:port", from, "invalid port"},
		{"smtp://user:S3cr3t@mail.example.org", "", "sender address is required"},
		{"smtp://user:S3cr3t@mail.example.org", "not an address", "sender address"},
		{"", "not an address", "sender address"},
	}
	for _, tt := range tests {
		_, err := mail.New(tt.url, tt.from, nil)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("New(%q, %q) = %v, want an error containing %q", tt.url, tt.from, err, tt.wantErr)
			continue
		}
		if strings.Contains(err.Error(), "S3cr3t") {
			t.Errorf("error %q shows the password", err)
		}
	}
}
