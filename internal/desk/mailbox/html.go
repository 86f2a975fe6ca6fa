// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mailbox

import (
	"html"
	"strings"
)

// htmlText turns an HTML-only mail body into plain text: tags go, blocks
// become line breaks, scripts and styles vanish and entities are decoded.
// It is a reader's approximation, not a parser: the text goes to triage
// and to a person, never back into HTML.
func htmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			// Source line breaks are not meaningful in HTML.
			b.WriteString(strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' {
					return ' '
				}
				return r
			}, s[i:i+j]))
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unterminated tag: drop the rest
		}
		tag := s[i+1 : i+end]
		i += end + 1
		closing := strings.HasPrefix(tag, "/")
		switch name := tagName(tag); name {
		case "script", "style", "head", "title":
			if !closing {
				if j := indexFoldASCII(s[i:], "</"+name); j >= 0 {
					i += j
				} else {
					i = len(s)
				}
			}
		case "br", "p", "div", "li", "tr", "table", "ul", "ol", "blockquote",
			"h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return tidyLines(html.UnescapeString(b.String()))
}

// tagName is the lowercased element name of a tag's inside.
func tagName(tag string) string {
	tag = strings.TrimPrefix(tag, "/")
	end := strings.IndexAny(tag, " \t\r\n/")
	if end >= 0 {
		tag = tag[:end]
	}
	return strings.ToLower(tag)
}

// indexFoldASCII is strings.Index ignoring ASCII case; needle is ASCII.
func indexFoldASCII(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// tidyLines collapses runs of spaces and drops empty lines: block tags
// open and close with a break, so empty lines would be noise.
func tidyLines(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.Join(strings.Fields(strings.ReplaceAll(line, "\u00a0", " ")), " "); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
