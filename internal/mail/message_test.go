// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func fixedEnvelope(t *testing.T, to ...string) envelope {
	t.Helper()
	from, err := parseAddress("Comune di Città <noreply@comune.example.it>")
	if err != nil {
		t.Fatal(err)
	}
	var rcpts []*mail.Address
	for _, s := range to {
		a, err := parseAddress(s)
		if err != nil {
			t.Fatal(err)
		}
		rcpts = append(rcpts, a)
	}
	return envelope{
		from:      from,
		to:        rcpts,
		date:      time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600)),
		messageID: "0123456789ABCDEFGHIJKLMNOP@comune.example.it",
		boundary:  "piazza-boundary-0001",
	}
}

func TestComposeGolden(t *testing.T) {
	tests := []struct {
		name string
		to   []string
		msg  Message
	}{
		{"plain", []string{"Mario Rossi <m.rossi@comune.example.it>"}, Message{
			Subject: "La Città più bella: avviso di manutenzione programmata per il portale dei servizi online",
			Text:    "Gentile Mario,\n\nil portale sarà in manutenzione giovedì dalle 22:00.\n.\nUna riga che inizia con un punto.\n",
		}},
		{"html", []string{"a@example.org", "Lucia Bianchi <l.bianchi@example.org>"}, Message{
			Subject: "Nuovo messaggio",
			Text:    "Hai un nuovo messaggio.\n",
			HTML:    "<p>Hai un <strong>nuovo</strong> messaggio.</p>\n",
			Headers: map[string]string{"List-Unsubscribe": "<https://piazza.example.org/notifiche>", "Auto-Submitted": "auto-replied"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compose(fixedEnvelope(t, tt.to...), tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tt.name+".eml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("compose differs from %s (run with -update after checking):\n%s", golden, got)
			}
			checkWellFormed(t, got)
		})
	}
}

// checkWellFormed checks what any relay may insist on: CRLF only, lines
// within 998 octets, 7-bit data, and a header that parses.
func checkWellFormed(t *testing.T, data []byte) {
	t.Helper()
	for i, line := range strings.Split(string(data), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d octets long", i+1, len(line))
		}
		for _, c := range []byte(line) {
			if c > 127 {
				t.Errorf("line %d is not 7-bit: %q", i+1, line)
				break
			}
		}
	}
	if _, err := mail.ReadMessage(bytes.NewReader(data)); err != nil {
		t.Errorf("ReadMessage: %v", err)
	}
}

func TestComposeHeaders(t *testing.T) {
	subject := "Città più bella — " + strings.Repeat("perché sì ", 30)
	data, err := compose(fixedEnvelope(t, "Niccolò Forlì <n.forli@example.org>"), Message{Subject: subject, Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, data)
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > maxLine+10 {
			t.Errorf("header line not folded (%d octets): %q", len(line), line)
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	if got, _ := dec.DecodeHeader(m.Header.Get("Subject")); got != subject {
		t.Errorf("Subject = %q, want %q", got, subject)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Niccolò Forlì" || to[0].Address != "n.forli@example.org" {
		t.Errorf("To = %v (%v)", to, err)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Comune di Città" {
		t.Errorf("From = %v (%v)", from, err)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	body, _ := io.ReadAll(m.Body)
	if string(body) != "x\r\n" {
		t.Errorf("body = %q", body)
	}
}

func TestWriteHeaderFolding(t *testing.T) {
	for _, value := range []string{
		"",
		"short",
		strings.Repeat("word ", 40),
		"two  spaces" + strings.Repeat(" x", 50) + "  end",
		strings.Repeat("a", 200) + " " + strings.Repeat("b", 10),
	} {
		var b bytes.Buffer
		writeHeader(&b, "Subject", value)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("%q does not end with CRLF", out)
		}
		unfolded := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n", "")
		if want := "Subject: " + value; unfolded != want {
			t.Errorf("unfolded = %q, want %q", unfolded, want)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")[1:] {
			if strings.TrimSpace(line) == "" {
				t.Errorf("folded line of only white space in %q", out)
			}
		}
	}
}

func TestCheckMessage(t *testing.T) {
	ok := Message{To: []string{"a@example.org"}, Subject: "s", Text: "t"}
	tests := []struct {
		name    string
		edit    func(m *Message)
		wantErr string
	}{
		{"ok", func(m *Message) {}, ""},
		{"name and address", func(m *Message) { m.To = []string{"Mario Rossi <m@example.org>", "b@example.org"} }, ""},
		{"no recipients", func(m *Message) { m.To = nil }, "no recipients"},
		{"CR LF in subject", func(m *Message) { m.Subject = "Ciao\r\nBcc: victim@example.org" }, "subject contains a line break"},
		{"LF in subject", func(m *Message) { m.Subject = "Ciao\nBcc: victim@example.org" }, "subject contains a line break"},
		{"CR in subject", func(m *Message) { m.Subject = "Ciao\rBcc: victim@example.org" }, "subject contains a line break"},
		{"LF in recipient", func(m *Message) { m.To = []string{"a@example.org\nBcc: victim@example.org"} }, "line break"},
		{"two addresses in one", func(m *Message) { m.To = []string{"a@example.org, b@example.org"} }, "address"},
		{"bad address", func(m *Message) { m.To = []string{"not an address"} }, `address "not an address"`},
		{"non-ASCII address", func(m *Message) { m.To = []string{"niccolò@example.org"} }, "ASCII"},
		{"CR LF in header value", func(m *Message) { m.Headers = map[string]string{"X-Test": "a\r\nBcc: victim@example.org"} }, "header X-Test contains a line break"},
		{"colon in header name", func(m *Message) { m.Headers = map[string]string{"Bcc: victim@example.org\r\nX": "a"} }, "invalid header name"},
		{"space in header name", func(m *Message) { m.Headers = map[string]string{"X Test": "a"} }, "invalid header name"},
		{"reserved header", func(m *Message) { m.Headers = map[string]string{"bcc": "victim@example.org"} }, "header bcc is set by the mail package"},
		{"reserved Message-ID", func(m *Message) { m.Headers = map[string]string{"Message-ID": "<x@y>"} }, "is set by the mail package"},
		{"no text", func(m *Message) { m.Text = " \n"; m.HTML = "<p>only HTML</p>" }, "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			_, err := checkMessage(m)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkMessage: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkMessage accepted %+v", m)
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v is not ErrInvalidMessage", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestMessageIDDomain(t *testing.T) {
	for addr, want := range map[string]string{
		"noreply@comune.example.it": "comune.example.it",
		`"a b"@example.org`:         "example.org",
		"x@[192.0.2.1]":             "[192.0.2.1]",
	} {
		a, err := mail.ParseAddress(addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := messageIDDomain(a); got != want {
			t.Errorf("messageIDDomain(%q) = %q, want %q", addr, got, want)
		}
	}
	env := newEnvelope(&mail.Address{Address: "a@example.org"}, nil)
	if !strings.HasSuffix(env.messageID, "@example.org") || len(env.messageID) < 20 {
		t.Errorf("messageID = %q", env.messageID)
	}
	if other := newEnvelope(&mail.Address{Address: "a@example.org"}, nil); other.messageID == env.messageID {
		t.Error("two envelopes share a Message-ID")
	}
}
