// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk_test

import (
	"bytes"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/desk/mailbox"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// imapServer is an in-memory mailbox on loopback (clear text is allowed
// there only).
func imapServer(t *testing.T) (*imapmemserver.User, mailbox.Config) {
	t.Helper()
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
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return user, mailbox.Config{Addr: ln.Addr().String(), Username: "urp@comune.example.it", Password: "segreta"}
}

func appendMail(t *testing.T, u *imapmemserver.User, raw string) {
	t.Helper()
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	if _, err := u.Append("INBOX", bytes.NewReader([]byte(raw)), &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func mail(from, id, refs, subject, body string) string {
	h := "From: " + from + "\nTo: urp@comune.example.it\nSubject: " + subject + "\nMessage-ID: " + id +
		"\nDate: Sun, 06 Dec 2026 10:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n"
	if refs != "" {
		h += "In-Reply-To: " + refs + "\nReferences: " + refs + "\n"
	}
	return h + "\n" + body + "\n"
}

// The mailbox cuts bodies at the desk's limit, never above it.
func TestMailboxLimitIsTheDesks(t *testing.T) {
	if mailbox.MaxText != desk.MaxText {
		t.Fatalf("mailbox.MaxText %d drifted from desk.MaxText %d", mailbox.MaxText, desk.MaxText)
	}
}

func TestMailboxThreads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		u, cfg := imapServer(t)
		const newsletter = "<newsletter-42@comune.example.it>"
		appendMail(t, u, mail("Anna <anna@example.org>", "<a1@example.org>", newsletter, "Re: Notizie dal Comune", "Quando riapre la biblioteca?"))
		appendMail(t, u, mail("Bruno <bruno@example.org>", "<b1@example.org>", newsletter, "Re: Notizie dal Comune", "Il lampione di via Verdi è spento"))
		appendMail(t, u, mail("Anna <anna@example.org>", "<a2@example.org>", newsletter+" <a1@example.org>", "Re: Notizie dal Comune", "Scusate, intendevo quella di quartiere"))
		appendMail(t, u, "From: MAILER-DAEMON@mx.example.org\nTo: urp@comune.example.it\nSubject: Undelivered\nMessage-ID: <bounce@mx>\nAuto-Submitted: auto-replied\n\nbounce\n")

		n, err := f.desk.PollMailbox(f.ctx, f.org.ID, cfg)
		if err != nil || n != 3 {
			t.Fatalf("poll: %d %v", n, err)
		}
		p, err := f.desk.List(f.ctx, f.org.ID, desk.Filter{Scope: all, Source: desk.SourceEmail})
		if err != nil {
			t.Fatal(err)
		}
		// Two citizens answering one newsletter are two conversations;
		// Anna's second message joins her own.
		if len(p.Conversations) != 2 {
			t.Fatalf("%d conversations, want 2", len(p.Conversations))
		}
		for _, c := range p.Conversations {
			want := 1
			if c.AuthorContact == "anna@example.org" {
				want = 2
			}
			if c.MessageCount != want {
				t.Errorf("%s has %d messages, want %d", c.AuthorContact, c.MessageCount, want)
			}
		}
		// Nothing new the second time; a new message later is read.
		if n, err := f.desk.PollMailbox(f.ctx, f.org.ID, cfg); err != nil || n != 0 {
			t.Fatalf("second poll: %d %v", n, err)
		}
		appendMail(t, u, mail("Carla <carla@example.org>", "<c1@example.org>", "", "Buca in via Roma", "C'è una buca enorme davanti al civico 3"))
		if n, err := f.desk.PollMailbox(f.ctx, f.org.ID, cfg); err != nil || n != 1 {
			t.Fatalf("third poll: %d %v", n, err)
		}
	})
}
