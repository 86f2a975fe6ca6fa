// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Format is the author's plain text as the connector sends it: invalid
// UTF-8 becomes U+FFFD, "\r\n" and a lone "\r" become "\n", control
// characters other than newline and tab are dropped, and so are the
// characters twitter-text calls invalid (U+FFFE, U+FEFF, U+FFFF), which
// make X refuse the whole text. The result is in Unicode NFC, the form X
// counts, with surrounding white space trimmed.
func Format(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if strings.ContainsFunc(text, dropped) || strings.ContainsRune(text, '\r') {
		var b strings.Builder
		b.Grow(len(text))
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			switch {
			case r == '\r':
				b.WriteByte('\n')
				if i < len(text) && text[i] == '\n' {
					i++
				}
			case dropped(r):
			default:
				b.WriteRune(r)
			}
		}
		text = b.String()
	}
	return strings.TrimSpace(norm.NFC.String(text))
}

// dropped reports whether Format drops r.
func dropped(r rune) bool {
	return (r < ' ' && r != '\n' && r != '\t' && r != '\r') || r == 0x7f ||
		r == 0xFFFE || r == 0xFEFF || r == 0xFFFF
}

// Compose is the text of p as Publish sends it: Format(p.Text), with
// p.Link's URL appended after a blank line when the text does not already
// carry that link. X has no link-card field: it builds the card from the
// last link in the text.
func Compose(p channel.Post) string {
	text := Format(p.Text)
	if p.Link == nil {
		return text
	}
	link := Format(p.Link.URL)
	if link == "" || strings.ContainsAny(link, " \n\t") || hasLink(text, link) {
		return text
	}
	if text == "" {
		return link
	}
	return text + "\n\n" + link
}

// hasLink reports whether text carries link, compared without scheme,
// case of the host, "www." or a trailing slash.
func hasLink(text, link string) bool {
	want := linkKey(link)
	for _, u := range ExtractURLs(text) {
		if linkKey(u.URL) == want {
			return true
		}
	}
	return false
}

// linkKey is a link without what does not change the page it names.
func linkKey(u string) string {
	lower := strings.ToLower(u)
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(lower, p) {
			u = u[len(p):]
			break
		}
	}
	host, rest := u, ""
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		host, rest = u[:i], u[i:]
	}
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	return host + strings.TrimSuffix(rest, "/")
}
