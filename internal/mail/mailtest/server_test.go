// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mailtest

import (
	"encoding/base64"
	"fmt"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// dialog sends each command and checks the answer's code, speaking the
// protocol by hand so the fake is tested without the client under test.
func dialog(t *testing.T, c *textproto.Conn, steps [][2]string) {
	t.Helper()
	for _, st := range steps {
		cmd, want := st[0], st[1]
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
		code, msg, err := c.ReadResponse(0)
		if got := fmt.Sprint(code); got != want {
			t.Fatalf("%q answered %d %s (%v), want %s", cmd, code, msg, err, want)
		}
	}
}

func TestServerProtocol(t *testing.T) {
	srv := NewServer(t)
	if !strings.HasPrefix(srv.URL(), "smtp://127.0.0.1:") {
		t.Errorf("URL = %q", srv.URL())
	}
	srv.Reject("Gone@Example.org")
	c, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if code, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting %d: %v", code, err)
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00anna\x00pw"))
	dialog(t, c, [][2]string{
		{"MAIL FROM:<a@example.org>", "503"},
		{"EHLO client.example.org", "250"},
		{"RCPT TO:<b@example.org>", "503"},
		{"DATA", "503"},
		{"AUTH LOGIN", "504"},
		{"AUTH PLAIN", "334"},
		{plain, "235"},
		{"MAIL FROM:<a@example.org> BODY=8BITMIME", "250"},
		{"MAIL FROM:<a@example.org>", "503"},
		{"RCPT TO:<gone@example.org>", "550"},
		{"RCPT TO:b@example.org", "501"},
		{"RCPT TO:<b@example.org>", "250"},
		{"RSET", "250"},
		{"DATA", "503"},
		{"NOOP", "250"},
		{"VRFY b@example.org", "252"},
		{"FROB", "502"},
		{"STARTTLS", "454"},
		{"MAIL FROM:<>", "250"},
		{"RCPT TO:<b@example.org>", "250"},
		{"RCPT TO:<c@example.org>", "250"},
		{"DATA", "354"},
	})
	w := c.DotWriter()
	fmt.Fprint(w, "Subject: =?utf-8?q?Citt=C3=A0?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n.primo\r\nsar=C3=A0\r\n")
	w.Close()
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatalf("end of DATA: %v", err)
	}
	dialog(t, c, [][2]string{{"QUIT", "221"}})

	got := srv.WaitForMessages(1, time.Second)
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if m.From != "" || strings.Join(m.To, ",") != "b@example.org,c@example.org" || m.Username != "anna" || m.TLS {
		t.Errorf("envelope = %q %q, user %q, TLS %v", m.From, m.To, m.Username, m.TLS)
	}
	if m.Subject() != "Città" {
		t.Errorf("Subject = %q", m.Subject())
	}
	if m.Text() != ".primo\nsarà\n" {
		t.Errorf("Text = %q", m.Text())
	}
	if m.HTML() != "" {
		t.Errorf("HTML = %q", m.HTML())
	}
}

func TestReceivedParts(t *testing.T) {
	srv := NewServer(t)
	srv.store(Received{Data: []byte("Content-Type: multipart/mixed; boundary=out\r\n\r\n" +
		"--out\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n" +
		"--in\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte("più\r\n")) + "\r\n" +
		"--in\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>x</p>\r\n--in--\r\n" +
		"--out--\r\n")})
	srv.store(Received{Data: []byte("not a message")})
	got := srv.Messages()
	if got[0].Text() != "più\n" || got[0].HTML() != "<p>x</p>" {
		t.Errorf("Text = %q, HTML = %q", got[0].Text(), got[0].HTML())
	}
	if got[1].Header != nil || got[1].Text() != "" || got[1].Subject() != "" {
		t.Errorf("unparsable message gave %v %q", got[1].Header, got[1].Text())
	}
}

// fatalRecorder notes a Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
}

func TestWaitForMessagesTimeout(t *testing.T) {
	srv := NewServer(t)
	rec := &fatalRecorder{TB: t}
	srv.t = rec
	start := time.Now()
	srv.WaitForMessages(1, 50*time.Millisecond)
	if !strings.Contains(rec.msg, "got 0 messages") {
		t.Errorf("Fatalf message = %q", rec.msg)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("WaitForMessages overstayed its timeout")
	}

	go func() {
		time.Sleep(20 * time.Millisecond)
		srv.store(Received{Data: []byte("Subject: x\r\n\r\ny\r\n")})
	}()
	if got := srv.WaitForMessages(1, 5*time.Second); len(got) != 1 {
		t.Errorf("%d messages", len(got))
	}
}
