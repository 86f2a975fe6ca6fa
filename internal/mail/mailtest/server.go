// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mailtest runs a small but real SMTP server for tests: it speaks
// enough ESMTP (RFC 5321) for net/smtp and any ordinary client, accepts
// every AUTH PLAIN, and keeps what it receives so a test can read a
// message back, decoded, the way a person's mail client would.
package mailtest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Received is one message as the server accepted it.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Username string   // AUTH PLAIN user name; empty without AUTH
	TLS      bool     // whether the session had switched to TLS
	Data     []byte   // the message, dot-unstuffed, with CRLF line endings
	Header   mail.Header
	Body     []byte // the raw body after the header, still transfer-encoded
}

// Subject is the Subject header with RFC 2047 encoded words decoded.
func (r Received) Subject() string {
	return decodeHeader(r.Header.Get("Subject"))
}

// Text is the text/plain body, decoded, with LF line endings; "" if none.
func (r Received) Text() string { return r.part("text/plain") }

// HTML is the text/html body, decoded, with LF line endings; "" if none.
func (r Received) HTML() string { return r.part("text/html") }

// Server is a running fake SMTP server, stopped when the test ends.
type Server struct {
	t  testing.TB
	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	messages []Received
	changed  chan struct{} // closed and replaced on every new message
	rejected map[string]bool
	tls      *tls.Config
	conns    map[net.Conn]bool
	closed   bool
}

// NewServer starts a server on 127.0.0.1 with a free port. Plain text is
// fine there: the sender allows clear text and AUTH PLAIN to loopback.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{
		t:        t,
		ln:       ln,
		changed:  make(chan struct{}),
		rejected: map[string]bool{},
		conns:    map[net.Conn]bool{},
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.close)
	return s
}

// URL is the PIAZZA_SMTP_URL that reaches this server.
func (s *Server) URL() string { return "smtp://" + s.ln.Addr().String() }

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Reject makes RCPT TO answer 550 for these addresses, as a relay does
// for an unknown mailbox.
func (s *Server) Reject(addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range addrs {
		s.rejected[strings.ToLower(a)] = true
	}
}

// OfferSTARTTLS makes the server advertise STARTTLS and upgrade with cfg
// when asked; the client must trust cfg's certificate.
func (s *Server) OfferSTARTTLS(cfg *tls.Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tls = cfg
}

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// WaitForMessages waits until at least n messages have arrived and returns
// them all; it fails the test if they do not arrive within timeout. Call
// it from the test's goroutine.
func (s *Server) WaitForMessages(n int, timeout time.Duration) []Received {
	s.t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.messages) >= n {
			msgs := slices.Clone(s.messages)
			s.mu.Unlock()
			return msgs
		}
		got, changed := len(s.messages), s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			s.t.Fatalf("mailtest: got %d messages in %s, want %d", got, timeout, n)
			return nil
		}
	}
}

func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			(&session{srv: s, conn: c}).run()
		}()
	}
}

func (s *Server) store(r Received) {
	if msg, err := mail.ReadMessage(bytes.NewReader(r.Data)); err == nil {
		r.Header = msg.Header
		r.Body, _ = io.ReadAll(msg.Body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one client connection.
type session struct {
	srv  *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer

	helo     bool
	tls      bool
	username string
	from     string
	inMail   bool
	to       []string
}

// errQuit ends a session.
var errQuit = errors.New("quit")

func (ss *session) run() {
	ss.r, ss.w = bufio.NewReader(ss.conn), bufio.NewWriter(ss.conn)
	if err := ss.reply("220 mailtest ESMTP ready"); err != nil {
		return
	}
	for {
		line, err := ss.readLine()
		if err != nil {
			return
		}
		if err := ss.command(line); err != nil {
			return
		}
	}
}

func (ss *session) readLine() (string, error) {
	line, err := ss.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (ss *session) reply(lines ...string) error {
	for _, l := range lines {
		if _, err := ss.w.WriteString(l + "\r\n"); err != nil {
			return err
		}
	}
	return ss.w.Flush()
}

func (ss *session) resetTransaction() {
	ss.from, ss.inMail, ss.to = "", false, nil
}

func (ss *session) command(line string) error {
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "EHLO":
		ss.helo = true
		ss.resetTransaction()
		lines := []string{"250-mailtest greets " + arg}
		ss.srv.mu.Lock()
		offerTLS := ss.srv.tls != nil && !ss.tls
		ss.srv.mu.Unlock()
		if offerTLS {
			lines = append(lines, "250-STARTTLS")
		}
		return ss.reply(append(lines, "250-AUTH PLAIN", "250 ENHANCEDSTATUSCODES")...)
	case "HELO":
		ss.helo = true
		ss.resetTransaction()
		return ss.reply("250 mailtest")
	case "STARTTLS":
		return ss.startTLS()
	case "AUTH":
		return ss.auth(arg)
	case "MAIL":
		switch {
		case !ss.helo:
			return ss.reply("503 5.5.1 Say EHLO first")
		case ss.inMail:
			return ss.reply("503 5.5.1 Nested MAIL command")
		}
		path, ok := reversePath(arg, "FROM:")
		if !ok {
			return ss.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
		}
		ss.from, ss.inMail = path, true
		return ss.reply("250 2.1.0 OK")
	case "RCPT":
		if !ss.inMail {
			return ss.reply("503 5.5.1 Need MAIL before RCPT")
		}
		path, ok := reversePath(arg, "TO:")
		if !ok || path == "" {
			return ss.reply("501 5.5.4 Syntax: RCPT TO:<address>")
		}
		ss.srv.mu.Lock()
		rejected := ss.srv.rejected[strings.ToLower(path)]
		ss.srv.mu.Unlock()
		if rejected {
			return ss.reply("550 5.1.1 <" + path + ">: Recipient address rejected: mailbox unavailable")
		}
		ss.to = append(ss.to, path)
		return ss.reply("250 2.1.5 OK")
	case "DATA":
		if len(ss.to) == 0 {
			return ss.reply("503 5.5.1 Need RCPT before DATA")
		}
		if err := ss.reply("354 End data with <CR><LF>.<CR><LF>"); err != nil {
			return err
		}
		data, err := ss.readData()
		if err != nil {
			return err
		}
		ss.srv.store(Received{From: ss.from, To: ss.to, Username: ss.username, TLS: ss.tls, Data: data})
		ss.resetTransaction()
		return ss.reply("250 2.0.0 OK queued")
	case "RSET":
		ss.resetTransaction()
		return ss.reply("250 2.0.0 OK")
	case "NOOP":
		return ss.reply("250 2.0.0 OK")
	case "VRFY":
		return ss.reply("252 2.1.5 Cannot verify, will accept")
	case "QUIT":
		_ = ss.reply("221 2.0.0 Bye") // the session ends either way
		return errQuit
	default:
		return ss.reply("502 5.5.2 Command not recognised")
	}
}

// reversePath takes the address out of "FROM:<a@b> BODY=8BITMIME".
func reversePath(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// readData reads the message up to the lone dot, undoing the sender's
// dot-stuffing (RFC 5321 section 4.5.2).
func (ss *session) readData() ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := ss.readLine()
		if err != nil {
			return nil, err
		}
		if line == "." {
			return b.Bytes(), nil
		}
		line = strings.TrimPrefix(line, ".")
		b.WriteString(line + "\r\n")
	}
}

func (ss *session) startTLS() error {
	ss.srv.mu.Lock()
	cfg := ss.srv.tls
	ss.srv.mu.Unlock()
	if cfg == nil || ss.tls {
		return ss.reply("454 4.7.0 TLS not available")
	}
	if err := ss.reply("220 2.0.0 Ready to start TLS"); err != nil {
		return err
	}
	tc := tls.Server(ss.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return err
	}
	// RFC 3207: the client starts over with EHLO; nothing said in clear
	// text carries over.
	ss.conn, ss.tls = tc, true
	ss.r, ss.w = bufio.NewReader(tc), bufio.NewWriter(tc)
	ss.helo, ss.username = false, ""
	ss.resetTransaction()
	return nil
}

// auth accepts any AUTH PLAIN (RFC 4616) and records the user name.
func (ss *session) auth(arg string) error {
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return ss.reply("504 5.5.4 Unrecognised authentication type")
	}
	if initial == "" {
		if err := ss.reply("334 "); err != nil {
			return err
		}
		line, err := ss.readLine()
		if err != nil {
			return err
		}
		initial = line
	}
	if initial == "*" {
		return ss.reply("501 5.0.0 Authentication cancelled")
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 || parts[1] == "" {
		return ss.reply("501 5.5.2 Cannot decode AUTH PLAIN response")
	}
	ss.username = parts[1]
	return ss.reply("235 2.7.0 Authentication successful")
}

// part finds the body of the given media type, in a single-part message
// or anywhere in a multipart one, and decodes it.
func (r Received) part(mediaType string) string {
	if r.Header == nil {
		return ""
	}
	return findPart(r.Header, bytes.NewReader(r.Body), mediaType)
}

// header is what findPart reads from both mail.Header and a MIME part.
type header interface{ Get(string) string }

func findPart(h header, body io.Reader, want string) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain" // RFC 2045 section 5.2
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := findPart(p.Header, p, want); s != "" {
				return s
			}
		}
	}
	if mt != want {
		return ""
	}
	dec := body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		dec = quotedprintable.NewReader(body)
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(dec)
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func decodeHeader(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}
