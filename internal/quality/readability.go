// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Band is how hard a text is, by the Gulpease index, for readers with
// a given schooling. The thresholds are the index's own (Lucisano and
// Piemontese, 1988).
type Band string

// The bands. Each says who finds the text hard: a band is easy for the
// readers of the bands above it.
const (
	BandEasy     Band = "easy"      // 80 and over: easy even with elementary schooling
	BandMedium   Band = "medium"    // 60 to 79.9: hard with elementary schooling only
	BandHard     Band = "hard"      // 40 to 59.9: hard with middle school only
	BandVeryHard Band = "very_hard" // under 40: hard even with high school
)

// Key is the band's i18n key, such as "quality.band.easy".
func (b Band) Key() string {
	if b == "" {
		return ""
	}
	return "quality.band." + string(b)
}

func bandOf(score float64) Band {
	switch {
	case score >= 80:
		return BandEasy
	case score >= 60:
		return BandMedium
	case score >= 40:
		return BandHard
	}
	return BandVeryHard
}

// approximateUnder is the word count under which the index is shown as a
// rough guide: it was calibrated on longer texts, and one long word moves
// it a lot on a short post.
const approximateUnder = 100

// Gulpease is the readability of a text by the Gulpease index, and what
// it was computed from. With no words there is no index: Score is 0, Band
// and Key are empty. (The type cannot share the name of the function
// Readability, which returns it.)
type Gulpease struct {
	Score       float64 // 0 to 100, one decimal: higher is easier
	Band        Band
	Key         string // Band's i18n key
	Words       int
	Sentences   int
	Letters     int
	Approximate bool // fewer than 100 words
}

// Readability computes the Gulpease index of Italian text:
//
//	G = 89 + (300 × sentences − 10 × letters) / words
//
// clamped to 0..100 and rounded to one decimal. What counts:
//
//   - Links, @mentions (and e-mail addresses) and #hashtags are not
//     prose and count for nothing; emoji neither.
//   - A word is a run of letters and digits ("2026" and "3,5" are words
//     of no letters). An apostrophe splits ("l'assessore" is two words, as
//     the article is one); a hyphen between letters joins ("socio-sanitario").
//   - Letters are letters only (unicode.IsLetter), not digits.
//   - A sentence ends at . ! ? or …, and at a line break after a line that
//     ends without punctuation, as social posts write lists and headlines;
//     a line ending in , ; : or a dash goes on. Repeated marks ("?!", "...")
//     end one sentence. Abbreviations ("ecc.", "dott.", "art.", "n.",
//     initials, dotted forms such as "p.es." and "S.p.A.") and the points
//     in numbers ("3.5", "1.000", "10.30") end none; "ecc." and "etc." do
//     when a capital letter or a line break follows.
//
// Any text with words has at least one sentence.
func Readability(text string) Gulpease {
	var c counter
	lines := strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
	for _, line := range lines {
		chunks := strings.Fields(line)
		for i, ch := range chunks {
			if i == 0 && isListNumber(ch) {
				continue
			}
			next := ""
			if i+1 < len(chunks) {
				next = chunks[i+1]
			}
			c.chunk(ch, next)
		}
		if c.pending > 0 && !c.goesOn {
			c.endSentence()
		}
		c.goesOn = false
	}
	c.endSentence()

	r := Gulpease{Words: c.words, Sentences: c.sentences, Letters: c.letters, Approximate: c.words < approximateUnder}
	if c.words == 0 {
		return r
	}
	g := 89 + float64(300*c.sentences-10*c.letters)/float64(c.words)
	r.Score = math.Round(min(100, max(0, g))*10) / 10
	r.Band = bandOf(r.Score)
	r.Key = r.Band.Key()
	return r
}

// counter walks a text chunk by chunk (what lies between spaces).
type counter struct {
	words, sentences, letters int
	pending                   int  // words of the sentence under way
	goesOn                    bool // the line so far ends in , ; : or a dash
}

func (c *counter) endSentence() {
	if c.pending > 0 {
		c.sentences++
		c.pending = 0
	}
}

// closers may follow a word: they are not part of it.
const closers = `.,;:!?…)]}"'»”’`

// openers may precede a word.
const openers = `([{"'«“‘¿¡`

func (c *counter) chunk(ch, next string) {
	if notProse(ch) {
		// Only what follows the link or tag counts: "#allerta." ends a
		// sentence, "#allerta" a line.
		c.goesOn = false
		c.punctuation(trailer(ch))
		return
	}
	core := strings.TrimLeft(ch, openers)
	tail := core[len(strings.TrimRight(core, closers)):]
	core = core[:len(core)-len(tail)]
	// The abbreviation is what follows an elision: "dell'art.".
	elided, abbr := "", core
	if i := strings.LastIndexAny(core, "'’"); i >= 0 {
		_, n := utf8.DecodeRuneInString(core[i:])
		elided, abbr = core[:i+n], core[i+n:]
	}
	dotted := strings.Contains(abbr, ".") && isAbbreviation(abbr) // "dott.ssa", "S.p.A"
	if dotted || strings.HasPrefix(tail, ".") && abbr != "" && isAbbreviation(abbr) {
		c.scan(elided)
		c.words++
		c.pending++
		c.letters += countLetters(abbr)
		c.goesOn = false
		rest := strings.TrimPrefix(tail, ".")
		if listEnders[strings.ToLower(abbr)] && (next == "" || startsUpper(next)) {
			rest = "." + rest // "ecc." closing a sentence
		}
		c.punctuation(rest)
		return
	}
	c.scan(core + tail)
}

// scan counts the words and sentence ends of a chunk of prose.
func (c *counter) scan(s string) {
	inWord := false
	var prev rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		next, _ := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r):
			c.letters++
			inWord = true
		case unicode.IsDigit(r), inWord && isWordPart(r):
			inWord = true
		case inWord && strings.ContainsRune(".,:/", r) && unicode.IsDigit(prev) && unicode.IsDigit(next):
			// 3.5, 1.000, 10:30, 28/2000: one number
		case inWord && strings.ContainsRune("-‐‑", r) && unicode.IsLetter(prev) && unicode.IsLetter(next):
			// socio-sanitario: one word
		default:
			if inWord {
				c.words++
				c.pending++
				inWord = false
			}
			c.mark(r)
		}
		prev = r
	}
	if inWord {
		c.words++
		c.pending++
		c.goesOn = false
	}
}

// punctuation counts the sentence ends in what follows a word.
func (c *counter) punctuation(s string) {
	for _, r := range s {
		c.mark(r)
	}
}

// mark notes one character that is not part of a word.
func (c *counter) mark(r rune) {
	switch {
	case strings.ContainsRune(".!?…", r):
		c.endSentence()
		c.goesOn = false
	case strings.ContainsRune(",;:-–—(", r):
		c.goesOn = true
	case unicode.IsSpace(r):
	default:
		// Closing quotes, brackets, emoji: the line ends as it was.
	}
}

// isListNumber tells "1." or "2)" starting a line of a numbered list: not
// a sentence of its own.
func isListNumber(ch string) bool {
	n := strings.TrimRight(ch, ".)")
	if n == ch || n == "" || len(n) > 3 || len(ch)-len(n) != 1 {
		return false
	}
	return strings.Trim(n, "0123456789") == ""
}

// notProse tells links, mentions, e-mail addresses and hashtags.
func notProse(ch string) bool {
	s := strings.TrimLeft(ch, openers)
	if s == "" {
		return false
	}
	switch {
	case s[0] == '#' || s[0] == '@' || strings.HasPrefix(s, "＃"):
		return true
	case strings.Contains(s, "@"):
		return true
	}
	return isLink(strings.TrimRight(s, closers))
}

// isLink tells a web address: with a scheme, starting with www., or a bare
// domain with a common top-level domain ("comune.roma.it/tari").
func isLink(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "://") || strings.HasPrefix(l, "www.") {
		return true
	}
	host, _, _ := strings.Cut(l, "/")
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 {
		return false
	}
	for _, r := range host {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			return false
		}
	}
	return linkTLDs[host[dot+1:]]
}

var linkTLDs = map[string]bool{
	"it": true, "eu": true, "com": true, "org": true, "net": true, "gov": true, "info": true,
	"edu": true, "io": true, "ly": true, "me": true, "social": true, "app": true,
}

// trailer is what follows a link or tag: the punctuation after it.
func trailer(ch string) string {
	s := strings.TrimRight(ch, closers)
	return ch[len(s):]
}

// abbreviations do not end a sentence with their point (lower case,
// without it).
var abbreviations = map[string]bool{
	"ecc": true, "etc": true, "es": true, "dott": true, "dr": true, "sig": true, "sigg": true,
	"n": true, "nn": true, "nr": true, "num": true, "art": true, "artt": true, "prof": true, "ing": true,
	"avv": true, "arch": true, "geom": true, "rag": true, "on": true, "sen": true, "mons": true,
	"pag": true, "pagg": true, "p": true, "pp": true, "cap": true, "capp": true, "vol": true, "fig": true,
	"tab": true, "cfr": true, "vs": true, "tel": true, "cell": true, "fax": true, "prot": true, "rif": true,
	"sez": true, "lett": true, "co": true, "ca": true, "cit": true, "gen": true, "feb": true, "apr": true,
	"giu": true, "lug": true, "sett": true, "ott": true, "nov": true, "dic": true, "loc": true, "fraz": true,
	"prov": true, "reg": true, "tot": true, "ss": true, "segg": true, "sgg": true, "mr": true, "mrs": true,
	"ms": true, "st": true, "pza": true, "pzza": true, "str": true, "gg": true, "pres": true, "vicepres": true,
	"ass": true, "cons": true, "cav": true, "spett": true, "egr": true, "gent": true, "ill": true, "mo": true,
}

// listEnders close a list, often at the end of a sentence.
var listEnders = map[string]bool{"ecc": true, "etc": true}

// isAbbreviation tells whether core followed by a point is an
// abbreviation: a known one, a capital letter (an initial), or dotted
// short parts ("p.es", "S.p.A", "d.lgs", "dott.ssa").
func isAbbreviation(core string) bool {
	l := strings.ToLower(core)
	if abbreviations[l] {
		return true
	}
	if utf8.RuneCountInString(core) == 1 {
		// An initial, "M. Rossi"; lower-case letters are words: "com'è."
		r, _ := utf8.DecodeRuneInString(core)
		return unicode.IsUpper(r)
	}
	if !strings.Contains(core, ".") {
		return false
	}
	for part := range strings.SplitSeq(core, ".") {
		n := utf8.RuneCountInString(part)
		if n == 0 || n > 4 || strings.IndexFunc(part, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			return false
		}
	}
	return true
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func startsUpper(s string) bool {
	s = strings.TrimLeft(s, openers)
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}
