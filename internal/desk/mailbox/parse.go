// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mailbox

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	// Importing charset registers its decoders (iso-8859-*, windows-125x)
	// with go-message: Italian mail still arrives in Latin-1 and cp1252.
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Limits on what one message may cost.
const (
	// MaxText is desk.MaxText: the desk refuses longer texts, so the body
	// is cut here with a visible marker instead.
	MaxText = 64 << 10
	// maxHTML bounds how much of an HTML body is read: tags and styles
	// shrink a lot once stripped.
	maxHTML = 1 << 20
	// maxParts bounds the MIME parts examined, so a crafted message with
	// thousands of empty parts costs little.
	maxParts = 200
	// maxNameRunes bounds names and subjects kept (the desk clips too).
	maxNameRunes = 200
	// maxSubjectRunes bounds the subject line.
	maxSubjectRunes = 1000
	// maxIDLen bounds a Message-ID: it goes back out in reply headers.
	maxIDLen = 250
)

// truncMarker ends a body cut at MaxText.
const truncMarker = "\n[…]"

// Attachment describes an attached file; the bytes stay on the mail
// server.
type Attachment struct {
	Name        string
	ContentType string
	Size        int64 // decoded bytes
}

// parsed is everything read from one message.
type parsed struct {
	in          channel.Inbound
	attachments []Attachment
	contact     string
	skip        bool
}

var errNoSender = errors.New("mailbox: message without a sender address")

// Parse reads one RFC 5322 message into a desk message. skip is true for
// automatic mail (auto-replies, bounces, bulk mail, read receipts) that
// must not reach the desk: answering an out-of-office would start a loop.
//
// RemoteID is the Message-ID and Thread the conversation root (first of
// References, else In-Reply-To, else the Message-ID), all in angle
// brackets as they go back out in In-Reply-To. Without a Message-ID both
// are empty and At is zero without a Date: Fetch fills them from the IMAP
// UID and INTERNALDATE. Raw carries "message_id", "subject" and, when the
// message has one, "reply_to" (where an answer should go).
//
// Parse is lenient: a malformed or truncated body keeps what could be
// read; only an unreadable header or a missing sender is an error.
func Parse(raw []byte) (channel.Inbound, bool, error) {
	p, err := parse(raw)
	return p.in, p.skip, err
}

func parse(raw []byte) (parsed, error) {
	var p parsed
	// An unknown charset or transfer encoding still yields an entity:
	// reading the undecoded bytes beats losing the message.
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return p, err
	}
	h := mail.Header{Header: e.Header}

	from, name := sender(h, "From")
	if from == "" {
		from, name = sender(h, "Sender")
	}
	if from == "" {
		return p, errNoSender
	}
	p.skip = automatic(h, from)

	subject, _ := h.Subject()                         // on error the raw value is returned
	subject = clip(oneLine(subject), maxSubjectRunes) // longer is spam, and would crowd the body out

	id := firstID(h.Get("Message-Id"), true)
	refs := msgIDs(h.Get("References"))
	replyTo := msgIDs(h.Get("In-Reply-To"))
	thread := id
	switch {
	case len(refs) > 0:
		thread = refs[0]
	case len(replyTo) > 0:
		thread = replyTo[0]
	}

	in := channel.Inbound{
		RemoteID:   id,
		Thread:     thread,
		Visibility: channel.Private,
		AuthorID:   from,
		AuthorName: name,
		Raw:        map[string]string{"message_id": id, "subject": subject},
	}
	if len(replyTo) > 0 {
		in.InReplyTo = replyTo[len(replyTo)-1]
	}
	if t, err := h.Date(); err == nil && !t.IsZero() {
		in.At = t.UTC()
	}
	p.contact = from
	if rt, _ := sender(h, "Reply-To"); rt != "" && rt != from {
		// Web forms send from a no-reply address on the citizen's behalf.
		in.Raw["reply_to"] = rt
		p.contact = rt
	}

	body, atts := readBody(e)
	p.attachments = atts
	for _, a := range atts {
		kind := "document"
		if strings.HasPrefix(a.ContentType, "image/") {
			kind = "photo"
		}
		in.Attachments = append(in.Attachments, channel.Attachment{Kind: kind, ContentType: a.ContentType, Name: a.Name})
	}
	text := subject
	if body != "" {
		text = strings.TrimSpace(subject + "\n\n" + body)
	}
	in.Text = truncate(text, MaxText)
	p.in = in
	return p, nil
}

// automatic reports mail written by a machine (RFC 3834 and the de facto
// headers), which the desk must neither queue nor answer.
func automatic(h mail.Header, from string) bool {
	if v := headerToken(h.Get("Auto-Submitted")); v != "" && v != "no" {
		return true
	}
	switch headerToken(h.Get("Precedence")) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response", "X-Ricevuta"} {
		// X-Ricevuta marks the receipts of Italian certified mail (PEC).
		if h.Has(k) {
			return true
		}
	}
	// A null return path is a bounce or another automatic notification.
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	if t, _, _ := h.ContentType(); t == "multipart/report" {
		return true // delivery status and read receipts
	}
	local := from
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	return local == "mailer-daemon"
}

// headerToken is a header's value up to its parameters, lowercased.
func headerToken(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// sender returns the first address of an address header, lowercased, and
// its display name. A header net/mail cannot parse still gives its
// address when one is recognisable.
func sender(h mail.Header, key string) (addr, name string) {
	v := h.Get(key)
	if v == "" {
		return "", ""
	}
	if l, err := h.AddressList(key); err == nil && len(l) > 0 {
		return cleanAddr(l[0].Address), clip(oneLine(l[0].Name), maxNameRunes)
	}
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			if a := cleanAddr(v[i+1 : i+j]); a != "" {
				return a, clip(oneLine(decodeWords(strings.Trim(strings.TrimSpace(v[:i]), `"`))), maxNameRunes)
			}
		}
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		if a := cleanAddr(strings.Trim(f, "<>()\"")); a != "" {
			return a, ""
		}
	}
	return "", ""
}

// cleanAddr returns a lowercased address, or "" when it does not look
// like one: it becomes the author id and the destination of answers.
func cleanAddr(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 || len(a) > 254 || !utf8.ValidString(a) {
		return ""
	}
	for _, r := range a {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == ',' {
			return ""
		}
	}
	return a
}

// msgIDs returns the message identifiers of a References or In-Reply-To
// header, each in angle brackets.
func msgIDs(v string) []string {
	var out []string
	for len(out) < 100 {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i+1:], '>')
		if j < 0 {
			break
		}
		id := v[i+1 : i+1+j]
		v = v[i+1+j+1:]
		if validID(id) {
			out = append(out, "<"+id+">")
		}
	}
	return out
}

// firstID returns the first identifier of a Message-ID header; bare
// tolerates one written without brackets.
func firstID(v string, bare bool) string {
	if l := msgIDs(v); len(l) > 0 {
		return l[0]
	}
	if f := strings.Fields(v); bare && len(f) > 0 && validID(f[0]) {
		return "<" + f[0] + ">"
	}
	return ""
}

// validID refuses identifiers that could not safely go back out in a
// reply's headers (no spaces, controls or brackets: no header injection).
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// readBody walks the MIME tree: the first text/plain part is the body,
// else the first text/html one stripped of its tags; every other leaf
// is an attachment, described but not kept.
func readBody(e *message.Entity) (string, []Attachment) {
	mr := mail.NewReader(e)
	var plain, htmlBody string
	var havePlain, haveHTML bool
	var atts []Attachment
	for n := 0; n < maxParts; n++ {
		part, err := mr.NextPart()
		if part == nil || (err != nil && !message.IsUnknownCharset(err)) {
			break // io.EOF, or a broken multipart: keep what was read
		}
		ph := partHeader(part)
		ct, params, _ := ph.ContentType()
		if ct == "" {
			ct = "text/plain" // missing or unparsable: RFC 2045's default
		}
		disp, dparams, _ := ph.ContentDisposition()
		name := fileName(part, params, dparams)
		isText := ct == "text/plain" || ct == "text/html"
		if isText && disp != "attachment" && name == "" {
			switch {
			case ct == "text/plain" && !havePlain:
				plain, havePlain = readText(part.Body, MaxText+1), true
			case ct == "text/html" && !haveHTML:
				htmlBody, haveHTML = readText(part.Body, maxHTML), true
			}
			// Later text parts are alternatives or signatures: skipped.
			continue
		}
		size, _ := io.Copy(io.Discard, part.Body)
		if len(atts) < 50 {
			atts = append(atts, Attachment{Name: name, ContentType: ct, Size: size})
		}
	}
	body := clean(plain)
	if body == "" && haveHTML {
		body = clean(htmlText(htmlBody))
	}
	return body, atts
}

// partHeader returns the textproto header of a part, whichever kind.
func partHeader(p *mail.Part) message.Header {
	switch h := p.Header.(type) {
	case *mail.InlineHeader:
		return h.Header
	case *mail.AttachmentHeader:
		return h.Header
	}
	return message.Header{}
}

// fileName is the decoded, path-free name of an attached file.
func fileName(p *mail.Part, params, dparams map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name == "" {
		return ""
	}
	if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
		if n, err := ah.Filename(); err == nil && n != "" {
			name = n
		}
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return clip(oneLine(name), maxNameRunes)
}

// wordDecoder decodes RFC 2047 words in any charset go-message knows.
var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

func readText(r io.Reader, limit int64) string {
	b, _ := io.ReadAll(io.LimitReader(r, limit))
	return string(b)
}

// clean makes a body valid UTF-8 with Unix line ends, without NULs.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimSpace(s)
}

// oneLine makes a header value one clean line.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == 0
	}), " ")
}

// truncate cuts s to at most limit bytes at a rune boundary, marking the
// cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len(truncMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \t\n") + truncMarker
}

func clip(s string, runes int) string {
	if utf8.RuneCountInString(s) <= runes {
		return s
	}
	return string([]rune(s)[:runes])
}

// fillIn completes what Parse cannot know without the IMAP server.
func fillIn(in *channel.Inbound, uidValidity, uid uint32, internal time.Time) {
	if in.RemoteID == "" {
		in.RemoteID = uidRemoteID(uidValidity, uid)
	}
	if in.Thread == "" {
		in.Thread = in.RemoteID
	}
	// A Date missing or far in the future (a wrong clock, a spammer
	// jumping the queue) yields to the server's arrival time.
	if !internal.IsZero() && (in.At.IsZero() || in.At.After(internal.Add(24*time.Hour))) {
		in.At = internal.UTC()
	}
}
