// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mailbox

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
)

// crlf turns a readable literal into a wire message.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

const plainMsg = `
From: Mario Rossi <Mario.Rossi@Example.it>
To: urp@comune.example.it
Subject: Buca in via Roma
Date: Mon, 02 Mar 2026 08:15:00 +0100
Message-ID: <abc123@example.it>
Content-Type: text/plain; charset=utf-8

Buongiorno,
c'è una buca pericolosa davanti al civico 12.
`

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		skip     bool
		remoteID string
		thread   string
		author   string
		authName string
		text     string // exact, or a prefix when it ends with "…"
		at       time.Time
		atts     []channel.Attachment
		replyTo  string
	}{
		{
			name:     "plain",
			raw:      plainMsg,
			remoteID: "<abc123@example.it>",
			thread:   "<abc123@example.it>",
			author:   "mario.rossi@example.it",
			authName: "Mario Rossi",
			text:     "Buca in via Roma\n\nBuongiorno,\nc'è una buca pericolosa davanti al civico 12.",
			at:       time.Date(2026, 3, 2, 7, 15, 0, 0, time.UTC),
		},
		{
			name: "multipart alternative prefers text/plain",
			raw: `
From: "Anna Bianchi" <anna@example.it>
Subject: Lampione spento
Message-ID: <alt-1@example.it>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Il lampione di piazza Dante è spento.
--b1
Content-Type: text/html; charset=utf-8

<p>Il lampione di <b>piazza Dante</b> è spento.</p>
--b1--
`,
			remoteID: "<alt-1@example.it>",
			thread:   "<alt-1@example.it>",
			author:   "anna@example.it",
			authName: "Anna Bianchi",
			text:     "Lampione spento\n\nIl lampione di piazza Dante è spento.",
		},
		{
			name: "quoted-printable Italian accents and encoded subject",
			raw: `
From: =?UTF-8?Q?Nicol=C3=B2_Ferr=C3=A0?= <nicolo@example.it>
Subject: =?UTF-8?Q?Perch=C3=A9_la_raccolta_non_=C3=A8_passata=3F?=
Message-ID: <qp@example.it>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Gioved=C3=AC la raccolta dell'umido non =C3=A8 passata, citt=C3=A0 sporca. =
Grazie.
`,
			remoteID: "<qp@example.it>",
			thread:   "<qp@example.it>",
			author:   "nicolo@example.it",
			authName: "Nicolò Ferrà",
			text:     "Perché la raccolta non è passata?\n\nGiovedì la raccolta dell'umido non è passata, città sporca. Grazie.",
		},
		{
			name: "iso-8859-1 body",
			raw: "From: luca@example.it\nSubject: =?ISO-8859-1?Q?Citt=E0?=\nMessage-ID: <latin1@example.it>\n" +
				"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n" +
				"Perch\xe9 la citt\xe0 \xe8 al buio?\n",
			remoteID: "<latin1@example.it>",
			thread:   "<latin1@example.it>",
			author:   "luca@example.it",
			text:     "Città\n\nPerché la città è al buio?",
		},
		{
			name: "windows-1252 body",
			raw: "From: luca@example.it\nSubject: euro\nMessage-ID: <cp@example.it>\n" +
				"Content-Type: text/plain; charset=windows-1252\n\n" +
				"Ho pagato 50 \x80 \x93due volte\x94.\n",
			remoteID: "<cp@example.it>",
			thread:   "<cp@example.it>",
			author:   "luca@example.it",
			text:     "euro\n\nHo pagato 50 € “due volte”.",
		},
		{
			name: "reply joins the thread root",
			raw: `
From: Mario Rossi <mario.rossi@example.it>
Subject: Re: Buca in via Roma
Message-ID: <reply-2@example.it>
In-Reply-To: <desk-answer@comune.example.it>
References: <abc123@example.it>
 <desk-answer@comune.example.it>
Content-Type: text/plain

La buca c'è ancora.

Il giorno lun 2 mar 2026 Comune ha scritto:
> Grazie della segnalazione.
`,
			remoteID: "<reply-2@example.it>",
			thread:   "<abc123@example.it>",
			author:   "mario.rossi@example.it",
			authName: "Mario Rossi",
			text:     "Re: Buca in via Roma\n\nLa buca c'è ancora.…",
		},
		{
			name: "In-Reply-To without References",
			raw: `
From: mario.rossi@example.it
Subject: Re: Buca
Message-ID: <reply-3@example.it>
In-Reply-To: <abc123@example.it>

Ancora lì.
`,
			remoteID: "<reply-3@example.it>",
			thread:   "<abc123@example.it>",
			author:   "mario.rossi@example.it",
			text:     "Re: Buca\n\nAncora lì.",
		},
		{
			name: "auto-reply skipped",
			raw: `
From: Ufficio <ufficio@example.it>
Subject: Risposta automatica: Buca
Auto-Submitted: auto-replied
Message-ID: <ooo@example.it>

Sono fuori ufficio fino al 10.
`,
			skip: true,
		},
		{
			name: "Auto-Submitted no is a person",
			raw: `
From: ufficio@example.it
Subject: Ciao
Auto-Submitted: no
Message-ID: <no@example.it>

Scritto a mano.
`,
			remoteID: "<no@example.it>",
			thread:   "<no@example.it>",
			author:   "ufficio@example.it",
			text:     "Ciao\n\nScritto a mano.",
		},
		{name: "precedence bulk skipped", raw: "From: news@example.it\nPrecedence: bulk\nSubject: News\n\nx\n", skip: true},
		{name: "mailer-daemon skipped", raw: "From: MAILER-DAEMON@mx.example.it\nSubject: Undelivered\n\nx\n", skip: true},
		{name: "PEC receipt skipped", raw: "From: posta-certificata@pec.example.it\nX-Ricevuta: accettazione\nSubject: ACCETTAZIONE\n\nx\n", skip: true},
		{
			name: "delivery report skipped",
			raw:  "From: postmaster@example.it\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\n\nfailed\n--x--\n",
			skip: true,
		},
		{
			name: "HTML only",
			raw: `
From: web@example.it
Subject: Segnalazione
Message-ID: <html@example.it>
Content-Type: text/html; charset=utf-8

<html><head><title>X</title><style>p{color:red}</style></head>
<body><p>Albero caduto in via&nbsp;Verdi &amp; via Rossi.</p><p>Strada
bloccata!<br>Urgente</p><script>alert(1)</script></body></html>
`,
			remoteID: "<html@example.it>",
			thread:   "<html@example.it>",
			author:   "web@example.it",
			text:     "Segnalazione\n\nAlbero caduto in via Verdi & via Rossi.\nStrada bloccata!\nUrgente",
		},
		{
			name: "attachments described, Reply-To kept",
			raw: `
From: Modulo web <noreply@comune.example.it>
Reply-To: Giulia Verdi <giulia@example.it>
Subject: Foto della frana
Message-ID: <att@example.it>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: text/plain; charset=utf-8

In allegato la foto.
--mix
Content-Type: image/jpeg; name="frana.jpg"
Content-Disposition: attachment; filename="frana.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQ==
--mix
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''verbale%20n%C2%B01.pdf

%PDF-1.4
--mix--
`,
			remoteID: "<att@example.it>",
			thread:   "<att@example.it>",
			author:   "noreply@comune.example.it",
			authName: "Modulo web",
			text:     "Foto della frana\n\nIn allegato la foto.",
			atts: []channel.Attachment{
				{Kind: "photo", ContentType: "image/jpeg", Name: "frana.jpg"},
				{Kind: "document", ContentType: "application/pdf", Name: "verbale n°1.pdf"},
			},
			replyTo: "giulia@example.it",
		},
		{
			name:   "no Message-ID left to Fetch",
			raw:    "From: a@example.it\nSubject: s\n\nb\n",
			author: "a@example.it",
			text:   "s\n\nb",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, skip, err := Parse(crlf(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if skip != tc.skip {
				t.Fatalf("skip = %v, want %v", skip, tc.skip)
			}
			if tc.skip {
				return
			}
			if in.RemoteID != tc.remoteID || in.Thread != tc.thread {
				t.Errorf("remote id %q thread %q, want %q %q", in.RemoteID, in.Thread, tc.remoteID, tc.thread)
			}
			if in.Visibility != channel.Private {
				t.Errorf("visibility %q", in.Visibility)
			}
			if in.AuthorID != tc.author || in.AuthorName != tc.authName {
				t.Errorf("author %q %q, want %q %q", in.AuthorID, in.AuthorName, tc.author, tc.authName)
			}
			if prefix, ok := strings.CutSuffix(tc.text, "…"); ok {
				if !strings.HasPrefix(in.Text, prefix) {
					t.Errorf("text %q, want prefix %q", in.Text, prefix)
				}
			} else if in.Text != tc.text {
				t.Errorf("text %q, want %q", in.Text, tc.text)
			}
			if !tc.at.IsZero() && !in.At.Equal(tc.at) {
				t.Errorf("at %v, want %v", in.At, tc.at)
			}
			if len(in.Attachments) != len(tc.atts) {
				t.Fatalf("attachments %+v, want %+v", in.Attachments, tc.atts)
			}
			for i := range tc.atts {
				if in.Attachments[i] != tc.atts[i] {
					t.Errorf("attachment %d: %+v, want %+v", i, in.Attachments[i], tc.atts[i])
				}
			}
			if in.Raw["reply_to"] != tc.replyTo {
				t.Errorf("reply_to %q, want %q", in.Raw["reply_to"], tc.replyTo)
			}
		})
	}
}

func TestParseAttachmentSizes(t *testing.T) {
	raw := crlf("From: a@example.it\nSubject: s\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\nciao\n" +
		"--m\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"../../x.bin\"\nContent-Transfer-Encoding: base64\n\nAAECAwQ=\n--m--\n")
	p, err := parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.attachments) != 1 || p.attachments[0].Size != 5 || p.attachments[0].Name != "x.bin" {
		t.Fatalf("attachments %+v", p.attachments)
	}
}

func TestParseTruncates(t *testing.T) {
	body := strings.Repeat("è", 40<<10) // 80 KiB of two-byte runes
	in, _, err := Parse(crlf("From: a@example.it\nSubject: lungo\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Text) > MaxText || !utf8.ValidString(in.Text) || !strings.HasSuffix(in.Text, "[…]") {
		t.Fatalf("len %d, valid %v, suffix %q", len(in.Text), utf8.ValidString(in.Text), in.Text[len(in.Text)-10:])
	}
}

func TestParseErrors(t *testing.T) {
	for _, raw := range []string{"", "Subject: no sender\n\nbody\n", "From: not an address\n\nx\n"} {
		if _, _, err := Parse(crlf(raw)); err == nil {
			t.Errorf("%q: no error", raw)
		}
	}
}

func TestParseLenientHeaders(t *testing.T) {
	// A Message-ID without brackets, an unparsable From with a usable
	// address, header injection attempts in References.
	raw := "From: Rossi, Mario <mario@example.it\nMessage-ID: bare-id@example.it\n" +
		"References: <bad id@x> <good@x>\nSubject: x\n\ny\n"
	in, _, err := Parse(crlf(raw))
	if err != nil {
		t.Fatal(err)
	}
	if in.AuthorID != "mario@example.it" || in.RemoteID != "<bare-id@example.it>" || in.Thread != "<good@x>" {
		t.Fatalf("%+v", in)
	}
}

func TestHTMLText(t *testing.T) {
	got := htmlText(`<div>Uno<br/>due</div><!-- c --><ul><li>tre</li><li>quattro&egrave;</li></ul><SCRIPT>x</script>fine <b`)
	want := "Uno\ndue\ntre\nquattroè\nfine"
	if got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(crlf(plainMsg))
	f.Add(crlf("From: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/html\n\n<p>a</p>\n--x--\n"))
	f.Add(crlf("From: =?iso-8859-1?q?Nicol=F2?= <n@b>\nContent-Type: text/plain; charset=iso-8859-15\nContent-Transfer-Encoding: quoted-printable\n\nci=E0=\n"))
	f.Add(crlf("From: a@b\nReferences: <x@y> <z@w>\nContent-Type: multipart/alternative; boundary=\"a\"\n\n--a\nContent-Type: multipart/related; boundary=b\n\n--b\n\nt\n--b--\n--a--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, _, err := Parse(raw)
		if err != nil {
			return
		}
		if len(in.Text) > MaxText || !utf8.ValidString(in.Text) {
			t.Fatalf("text of %d bytes, valid %v", len(in.Text), utf8.ValidString(in.Text))
		}
		for _, id := range []string{in.RemoteID, in.Thread, in.InReplyTo} {
			if strings.ContainsAny(id, "\r\n") {
				t.Fatalf("id %q could inject headers", id)
			}
		}
		if in.AuthorID == "" {
			t.Fatal("no author without error")
		}
	})
}
