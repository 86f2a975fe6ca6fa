// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mailbox

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// testServer is an in-memory IMAP server on loopback, reachable in clear
// text (with STARTTLS) and with implicit TLS.
type testServer struct {
	user    *imapmemserver.User
	addr    string // clear text, STARTTLS offered
	tlsAddr string // implicit TLS
	roots   *x509.CertPool
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	cert, roots := selfSigned(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	mem := imapmemserver.New()
	user := imapmemserver.NewUser("urp@comune.example.it", "segreta")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		TLSConfig:    serverTLS,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	go func() { _ = srv.Serve(tls.NewListener(tln, serverTLS)) }()
	t.Cleanup(func() { srv.Close() })
	return &testServer{user: user, addr: ln.Addr().String(), tlsAddr: tln.Addr().String(), roots: roots}
}

func (s *testServer) config() Config {
	return Config{
		Addr: s.tlsAddr, TLS: true,
		Username: "urp@comune.example.it", Password: "segreta",
		TLSConfig: &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12},
	}
}

func (s *testServer) append(t *testing.T, raw string, at time.Time) uint32 {
	t.Helper()
	data, err := s.user.Append("INBOX", bytes.NewReader(crlf(raw)), &imap.AppendOptions{Time: at})
	if err != nil {
		t.Fatal(err)
	}
	return uint32(data.UID)
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "imap test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFetch(t *testing.T) {
	s := newTestServer(t)
	cfg := s.config()
	ctx := testContext(t)
	arrived := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	// An empty folder: nothing, the cursor stays.
	msgs, next, validity, err := Fetch(ctx, cfg, 0, 10)
	if err != nil || len(msgs) != 0 || next != 0 || validity == 0 {
		t.Fatalf("empty: %d msgs, next %d, validity %d, %v", len(msgs), next, validity, err)
	}

	s.append(t, plainMsg, arrived)
	s.append(t, "From: ufficio@example.it\nAuto-Submitted: auto-replied\nSubject: Fuori ufficio\n\nx\n", arrived)
	uid3 := s.append(t, "From: Anna <anna@example.it>\nSubject: Senza id\n\nNiente Message-ID né Date.\n", arrived)
	// The mailbox's own answer, copied back into it, must not loop.
	s.append(t, "From: urp@comune.example.it\nSubject: Re: Buca\nMessage-ID: <self@x>\n\nGrazie.\n", arrived)

	msgs, next, validity2, err := Fetch(ctx, cfg, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if validity2 != validity {
		t.Fatalf("validity changed: %d then %d", validity, validity2)
	}
	if next != 4 || len(msgs) != 2 {
		t.Fatalf("next %d, %d msgs: %+v", next, len(msgs), msgs)
	}
	if m := msgs[0]; m.UID != 1 || m.Inbound.RemoteID != "<abc123@example.it>" || m.Contact != "mario.rossi@example.it" || m.Size == 0 {
		t.Errorf("first: %+v", m)
	}
	m := msgs[1]
	wantID := uidRemoteID(validity, uid3)
	if m.UID != uid3 || m.Inbound.RemoteID != wantID || m.Inbound.Thread != wantID || !m.Inbound.At.Equal(arrived) {
		t.Errorf("second: uid %d remote %q thread %q at %v; want %q at %v", m.UID, m.Inbound.RemoteID, m.Inbound.Thread, m.Inbound.At, wantID, arrived)
	}
	if !strings.HasPrefix(m.Inbound.Text, "Senza id\n\nNiente Message-ID") {
		t.Errorf("text %q", m.Inbound.Text)
	}

	// Nothing new past the cursor.
	msgs, next2, _, err := Fetch(ctx, cfg, next, 10)
	if err != nil || len(msgs) != 0 || next2 != next {
		t.Fatalf("again: %d msgs, next %d, %v", len(msgs), next2, err)
	}

	// Batches are bounded, oldest first.
	s.append(t, "From: a@example.it\nMessage-ID: <5@x>\nSubject: cinque\n\n5\n", arrived)
	s.append(t, "From: b@example.it\nMessage-ID: <6@x>\nSubject: sei\n\n6\n", arrived)
	msgs, next, _, err = Fetch(ctx, cfg, next, 1)
	if err != nil || len(msgs) != 1 || msgs[0].UID != 5 || next != 5 {
		t.Fatalf("batch of one: %+v next %d %v", msgs, next, err)
	}
	msgs, next, _, err = Fetch(ctx, cfg, next, 0)
	if err != nil || len(msgs) != 1 || msgs[0].Inbound.RemoteID != "<6@x>" || next != 6 {
		t.Fatalf("rest: %+v next %d %v", msgs, next, err)
	}

	// A cursor beyond the last UID ("n:*" still matches the last message).
	msgs, next, _, err = Fetch(ctx, cfg, 100, 10)
	if err != nil || len(msgs) != 0 || next != 100 {
		t.Fatalf("beyond: %+v next %d %v", msgs, next, err)
	}

	// The folder is recreated: a new UIDVALIDITY tells the caller to reset.
	if err := s.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	s.append(t, plainMsg, arrived)
	_, _, validity3, err := Fetch(ctx, cfg, 6, 10)
	if err != nil || validity3 == validity {
		t.Fatalf("validity %d after recreation (was %d), %v", validity3, validity, err)
	}
	msgs, next, _, err = Fetch(ctx, cfg, 0, 10)
	if err != nil || len(msgs) != 1 || next != 1 {
		t.Fatalf("after reset: %+v next %d %v", msgs, next, err)
	}
}

func TestFetchTransports(t *testing.T) {
	s := newTestServer(t)
	ctx := testContext(t)
	s.append(t, plainMsg, time.Now())
	s.append(t, "From: vuoto@example.it\nMessage-ID: <empty@x>\n\n\n", time.Now()) // skipped: nothing to read

	plain := s.config()
	plain.Addr, plain.TLS = s.addr, false
	starttls := plain
	starttls.StartTLS = true
	for name, cfg := range map[string]Config{"tls": s.config(), "starttls": starttls, "loopback clear text": plain} {
		msgs, _, _, err := Fetch(ctx, cfg, 0, 10)
		if err != nil || len(msgs) != 1 {
			t.Errorf("%s: %d msgs, %v", name, len(msgs), err)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	s := newTestServer(t)
	ctx := testContext(t)

	bad := s.config()
	bad.Password = "sbagliata"
	if _, _, _, err := Fetch(ctx, bad, 0, 10); err == nil {
		t.Error("wrong password accepted")
	}

	untrusted := s.config()
	untrusted.TLSConfig = nil // the self-signed certificate must be refused
	if _, _, _, err := Fetch(ctx, untrusted, 0, 10); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed certificate: %v", err)
	}

	missing := s.config()
	missing.Folder = "Segnalazioni"
	if _, _, _, err := Fetch(ctx, missing, 0, 10); err == nil {
		t.Error("missing folder selected")
	}

	remote := Config{Addr: "192.0.2.1:143", Username: "u", Password: "p"}
	if _, _, _, err := Fetch(ctx, remote, 0, 10); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("clear text to a remote host: %v", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, next, _, err := Fetch(cancelled, s.config(), 7, 10); err == nil || next != 7 {
		t.Errorf("cancelled: next %d, %v", next, err)
	}
}
