// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"bufio"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// icsTime is the UTC form of DATE-TIME (RFC 5545 §3.3.5, "FORM #2").
const icsTime = "20060102T150405Z"

// WriteICS writes the plan as iCalendar (RFC 5545), so it shows in Outlook
// or Google Calendar beside the team's meetings: one 15-minute event per
// post with a time, confirmed once scheduled or published, tentative
// before. DTSTAMP is the post's last change: with no METHOD property that
// is what it means (§3.8.7.2), and the same plan gives the same file.
// Specs: https://www.rfc-editor.org/rfc/rfc5545
func WriteICS(w io.Writer, orgName string, items []CalendarItem, publicURL string) error {
	bw := bufio.NewWriter(w)
	line := func(s string) { _, _ = bw.WriteString(foldLine(s)) }
	publicURL = strings.TrimRight(publicURL, "/")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Piazza//Piano editoriale//IT")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + escapeText(orgName))
	for _, it := range items {
		p := it.Post
		if p.ScheduledAt.IsZero() || p.ID == "" {
			continue
		}
		var chans []string
		for _, c := range it.Channels {
			if c.AccountName != "" && !slices.Contains(chans, c.AccountName) {
				chans = append(chans, c.AccountName)
			}
		}
		summary := p.Title
		if len(chans) > 0 {
			summary += " (" + strings.Join(chans, ", ") + ")"
		}
		stamp := p.UpdatedAt
		if stamp.IsZero() {
			stamp = p.CreatedAt
		}
		line("BEGIN:VEVENT")
		line("UID:" + escapeText(p.ID) + "@piazza")
		line("DTSTAMP:" + stamp.UTC().Format(icsTime))
		line("DTSTART:" + p.ScheduledAt.UTC().Format(icsTime))
		line("DURATION:PT15M")
		line("SUMMARY:" + escapeText(summary))
		if strings.TrimSpace(p.Body) != "" {
			line("DESCRIPTION:" + escapeText(p.Body))
		}
		if publicURL != "" {
			line("URL:" + stripControls(publicURL) + "/plan/posts/" + stripControls(p.ID))
		}
		line("STATUS:" + icsStatus(p.State))
		if it.Campaign != "" {
			line("CATEGORIES:" + escapeText(it.Campaign))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return bw.Flush()
}

// icsStatus maps the workflow to an event's STATUS (§3.8.1.11): what is
// scheduled or out is confirmed, what may still change is tentative.
func icsStatus(s State) string {
	switch s {
	case StateScheduled, StatePublished:
		return "CONFIRMED"
	case StateCancelled:
		return "CANCELLED"
	}
	return "TENTATIVE"
}

// escapeText escapes a TEXT value (§3.3.11): backslash, semicolon, comma
// and line breaks; other control characters are not allowed and go.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(c)
		default:
			if c < 0x20 || c == 0x7f {
				continue
			}
			b.WriteByte(c)
		}
	}
	return stripControls(b.String())
}

// stripControls drops control characters beyond ASCII (C1) too.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// foldLine ends a content line with CRLF, folded so that no line is longer
// than 75 octets, without splitting a UTF-8 character (§3.1).
func foldLine(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut anywhere rather than loop
			cut = limit
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space of a continuation line counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// unfold undoes foldLine (§3.1: a CRLF followed by one space or tab).
func unfold(s string) string {
	return strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(s)
}
