// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package quality gives advice while a post is being written: how readable
// it is (the Gulpease index, made for Italian), hashtags a screen reader
// cannot split into words, weak alternative text, and, in an electoral
// period, the officials a post names (Legge 28/2000 art. 9). Everything
// here is advice shown in the editor, never a block: the codes it returns
// are keys of the i18n catalogs.
package quality

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldRune lower-cases r and drops its accents ("È" → "e"), so that
// "Città", "citta" and "CITTÀ" compare equal. Combining marks fold to -1,
// which strings.Map drops.
func foldRune(r rune) rune {
	if unicode.Is(unicode.Mn, r) {
		return -1
	}
	r = unicode.ToLower(r)
	if r < 0x80 {
		return r
	}
	d := []rune(norm.NFD.String(string(r)))
	for _, m := range d[1:] {
		if !unicode.Is(unicode.Mn, m) {
			return r // not a letter with accents: keep it whole
		}
	}
	return d[0]
}

// fold is foldRune over a string.
func fold(s string) string { return strings.Map(foldRune, s) }

// isWordStart tells what starts a word: a letter or a digit.
func isWordStart(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isWordPart tells what goes on with a word: also the marks that follow a
// letter. Alone they are not words: U+FE0F, a mark, follows many emoji.
func isWordPart(r rune) bool { return isWordStart(r) || unicode.In(r, unicode.Mn, unicode.Mc) }
