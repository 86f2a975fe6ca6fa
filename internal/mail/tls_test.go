// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/mail/mailtest"
)

// relayHost is what the tests pretend to reach: a remote name, so none of
// the loopback allowances apply, while dial goes to a local server.
const relayHost = "mail.example.org"

// testCert makes a self-signed certificate for relayHost.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: relayHost},
		DNSNames:              []string{relayHost},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// remoteSender sends to rawURL (whose host is relayHost) but connects to
// addr, trusting roots.
func remoteSender(t *testing.T, rawURL, addr string, roots *x509.CertPool) *smtpSender {
	t.Helper()
	st, err := ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	from, err := parseAddress("noreply@comune.example.it")
	if err != nil {
		t.Fatal(err)
	}
	s := newSMTPSender(st, from, slog.New(slog.DiscardHandler))
	s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	s.tlsConfig.RootCAs = roots
	return s
}

var testMessage = Message{To: []string{"a@example.org"}, Subject: "Città", Text: "testo\n"}

func TestSTARTTLS(t *testing.T) {
	cert, roots := testCert(t)
	srv := mailtest.NewServer(t)
	srv.OfferSTARTTLS(&tls.Config{Certificates: []tls.Certificate{cert}})

	s := remoteSender(t, "smtp://user:S3cr3t@"+relayHost, srv.Addr(), roots)
	if err := s.Send(context.Background(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessages(1, 5*time.Second)[0]
	if !got.TLS {
		t.Error("message sent without upgrading to TLS")
	}
	if got.Username != "user" {
		t.Errorf("AUTH user = %q", got.Username)
	}

	// A certificate the sender does not trust stops the session before
	// any credential is sent.
	_, otherRoots := testCert(t)
	s = remoteSender(t, "smtp://user:S3cr3t@"+relayHost, srv.Addr(), otherRoots)
	err := s.Send(context.Background(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Send with an untrusted certificate = %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestImplicitTLS(t *testing.T) {
	cert, roots := testCert(t)
	srv := mailtest.NewServer(t)
	// The fake speaks plain SMTP; a TLS terminator in front of it makes
	// it an smtps:// relay.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				back, err := net.Dial("tcp", srv.Addr())
				if err != nil {
					return
				}
				defer back.Close()
				go func() { _, _ = io.Copy(back, c) }()
				_, _ = io.Copy(c, back)
			}()
		}
	}()

	s := remoteSender(t, "smtps://user:S3cr3t@"+relayHost, ln.Addr().String(), roots)
	if err := s.Send(context.Background(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.WaitForMessages(1, 5*time.Second)[0]; got.Username != "user" {
		t.Errorf("AUTH user = %q", got.Username)
	}

	// Plain SMTP where TLS is expected fails in the handshake.
	s = remoteSender(t, "smtps://user:S3cr3t@"+relayHost, srv.Addr(), roots)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Send(ctx, testMessage); err == nil || !strings.Contains(err.Error(), "TLS handshake") {
		t.Errorf("Send to a plain server over smtps = %v", err)
	}
}

func TestClearTextToRemoteHost(t *testing.T) {
	srv := mailtest.NewServer(t) // offers no STARTTLS

	tests := []struct {
		url     string
		wantErr string // empty: delivered
	}{
		{"smtp://" + relayHost, "does not offer STARTTLS"},
		{"smtp://user:S3cr3t@" + relayHost, "does not offer STARTTLS"},
		{"smtp://" + relayHost + "?insecure=true", ""},
		// insecure=true allows clear text, never a password in it.
		{"smtp://user:S3cr3t@" + relayHost + "?insecure=true", "unencrypted connection"},
	}
	delivered := 0
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := remoteSender(t, tt.url, srv.Addr(), nil).Send(context.Background(), testMessage)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				delivered++
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send = %v, want an error containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "S3cr3t") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	if got := srv.Messages(); len(got) != delivered {
		t.Errorf("%d messages, want %d", len(got), delivered)
	}
	for _, m := range srv.Messages() {
		if m.Username != "" {
			t.Errorf("credentials sent in clear text as %q", m.Username)
		}
	}
}
