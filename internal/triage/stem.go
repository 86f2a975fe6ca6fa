// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import "unicode/utf8"

// The Italian stemmer of the Snowball project, written from its published
// algorithm (https://snowballstem.org/algorithms/italian/stemmer.html), so
// that "buche", "buca" and "bucata" meet on one feature without a
// dependency. Words arrive lower-cased.

// Stem returns the Snowball Italian stem of a lower-case word.
func Stem(word string) string {
	r := []rune(word)
	r = stemPrelude(r)
	pV, p1, p2 := stemRegions(r)
	s := &stemmer{r: r, pV: pV, p1: p1, p2: p2}
	s.attachedPronoun()
	if !s.standardSuffix() {
		s.verbSuffix()
	}
	s.vowelSuffix()
	for i, c := range s.r {
		switch c {
		case 'I':
			s.r[i] = 'i'
		case 'U':
			s.r[i] = 'u'
		}
	}
	return string(s.r)
}

func stemVowel(c rune) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'à', 'è', 'ì', 'ò', 'ù':
		return true
	}
	return false
}

// stemPrelude turns acute accents into grave ones, marks the u of "qu" and
// a u or i between vowels as consonants (upper case) for the regions.
func stemPrelude(r []rune) []rune {
	for i, c := range r {
		switch c {
		case 'á':
			r[i] = 'à'
		case 'é':
			r[i] = 'è'
		case 'í':
			r[i] = 'ì'
		case 'ó':
			r[i] = 'ò'
		case 'ú':
			r[i] = 'ù'
		}
	}
	for i := 1; i < len(r); i++ {
		if r[i] == 'u' && r[i-1] == 'q' {
			r[i] = 'U'
		}
	}
	for i := 1; i+1 < len(r); i++ {
		if !stemVowel(r[i-1]) || !stemVowel(r[i+1]) {
			continue
		}
		switch r[i] {
		case 'u':
			r[i] = 'U'
		case 'i':
			r[i] = 'I'
		default:
			continue
		}
		// Snowball's goto resumes after the vowel that followed, which
		// therefore cannot open the next match.
		i += 2
	}
	return r
}

func stemRegions(r []rune) (pV, p1, p2 int) {
	n := len(r)
	pV, p1, p2 = n, n, n
	past := func(from int, vowel bool) int {
		for i := from; i < n; i++ {
			if stemVowel(r[i]) == vowel {
				return i + 1
			}
		}
		return -1
	}
	switch {
	case n >= 2 && stemVowel(r[0]) && !stemVowel(r[1]):
		if p := past(2, true); p >= 0 {
			pV = p
		}
	case n >= 2 && stemVowel(r[0]) && stemVowel(r[1]):
		if p := past(2, false); p >= 0 {
			pV = p
		}
	case hasPrefix(r, "divan"):
		// Otherwise "divano" stems to "div" and collides with "diva".
		pV = 5
	case n >= 2 && !stemVowel(r[1]):
		if p := past(2, true); p >= 0 {
			pV = p
		}
	case n >= 3:
		pV = 3
	}
	if a := past(0, true); a >= 0 {
		if b := past(a, false); b >= 0 {
			p1 = b
			if c := past(b, true); c >= 0 {
				if d := past(c, false); d >= 0 {
					p2 = d
				}
			}
		}
	}
	return pV, p1, p2
}

func hasPrefix(r []rune, p string) bool {
	pr := []rune(p)
	if len(r) < len(pr) {
		return false
	}
	for i := range pr {
		if r[i] != pr[i] {
			return false
		}
	}
	return true
}

type stemmer struct {
	r          []rune
	pV, p1, p2 int
}

func (s *stemmer) endsWith(suf string) bool { return s.endsWithRunes([]rune(suf)) }

func (s *stemmer) endsWithRunes(sr []rune) bool {
	if len(sr) > len(s.r) {
		return false
	}
	off := len(s.r) - len(sr)
	for i, c := range sr {
		if s.r[off+i] != c {
			return false
		}
	}
	return true
}

// suffixList is a list of suffixes kept as runes, converted once.
type suffixList struct {
	words []string
	runes [][]rune
}

func suffixes(words ...string) suffixList {
	l := suffixList{words: words, runes: make([][]rune, len(words))}
	for i, w := range words {
		l.runes[i] = []rune(w)
	}
	return l
}

func (l suffixList) has(s string) bool {
	for _, w := range l.words {
		if w == s {
			return true
		}
	}
	return false
}

// longest returns the longest suffix of the list that ends the word, or "".
func (s *stemmer) longest(l suffixList) string {
	best := -1
	for i, r := range l.runes {
		if (best < 0 || len(r) > len(l.runes[best])) && s.endsWithRunes(r) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return l.words[best]
}

func (s *stemmer) start(suf string) int { return len(s.r) - utf8.RuneCountInString(suf) }

func (s *stemmer) cut(suf string) { s.r = s.r[:s.start(suf)] }

func (s *stemmer) replace(suf, with string) {
	s.r = append(s.r[:s.start(suf)], []rune(with)...)
}

var (
	stemPronouns = suffixes(
		"ci", "gli", "la", "le", "li", "lo", "mi", "ne", "si", "ti", "vi",
		"sene", "gliela", "gliele", "glieli", "glielo", "gliene",
		"mela", "mele", "meli", "melo", "mene", "tela", "tele", "teli", "telo", "tene",
		"cela", "cele", "celi", "celo", "cene", "vela", "vele", "veli", "velo", "vene",
	)
	stemGerund     = suffixes("ando", "endo")
	stemInfinitive = suffixes("ar", "er", "ir")

	stemSuffixR2 = suffixes(
		"anza", "anze", "ico", "ici", "ica", "ice", "iche", "ichi", "ismo", "ismi",
		"abile", "abili", "ibile", "ibili", "ista", "iste", "isti", "istà", "istè", "istì",
		"oso", "osi", "osa", "ose", "mente", "atrice", "atrici", "ante", "anti",
	)
	stemAzione = suffixes("azione", "azioni", "atore", "atori")
	stemLogia  = suffixes("logia", "logie")
	stemUzione = suffixes("uzione", "uzioni", "usione", "usioni")
	stemEnza   = suffixes("enza", "enze")
	stemAmento = suffixes("amento", "amenti", "imento", "imenti")
	stemIvo    = suffixes("ivo", "ivi", "iva", "ive")

	stemVerbs = suffixes(
		"ammo", "ando", "ano", "are", "arono", "asse", "assero", "assi",
		"assimo", "ata", "ate", "ati", "ato", "ava", "avamo", "avano", "avate",
		"avi", "avo", "emmo", "enda", "ende", "endi", "endo", "erà", "erai",
		"eranno", "ere", "erebbe", "erebbero", "erei", "eremmo", "eremo",
		"ereste", "eresti", "erete", "erò", "erono", "essero", "ete",
		"eva", "evamo", "evano", "evate", "evi", "evo", "iamo", "immo",
		"irà", "irai", "iranno", "ire", "irebbe", "irebbero", "irei",
		"iremmo", "iremo", "ireste", "iresti", "irete", "irò", "irono",
		"isca", "iscano", "isce", "isci", "isco", "iscono", "issero", "ita",
		"ite", "iti", "ito", "iva", "ivamo", "ivano", "ivate", "ivi", "ivo",
		"ono", "uta", "ute", "uti", "uto", "ar", "ir",
	)
)

var stemStandardAll = func() suffixList {
	var all []string
	for _, l := range []suffixList{stemSuffixR2, stemAzione, stemLogia, stemUzione, stemEnza, stemAmento, stemIvo, suffixes("amente", "ità")} {
		all = append(all, l.words...)
	}
	return suffixes(all...)
}()

var (
	stemAmenteAfter = suffixes("iv", "os", "ic", "abil")
	stemItaAfter    = suffixes("abil", "ic", "iv")
)

func (s *stemmer) attachedPronoun() {
	p := s.longest(stemPronouns)
	if p == "" {
		return
	}
	before := &stemmer{r: s.r[:s.start(p)]}
	if g := before.longest(stemGerund); g != "" {
		if before.start(g) >= s.pV {
			s.cut(p)
		}
		return
	}
	if inf := before.longest(stemInfinitive); inf != "" && before.start(inf) >= s.pV {
		s.replace(p, "e")
	}
}

// standardSuffix reports whether it removed a suffix.
func (s *stemmer) standardSuffix() bool {
	suf := s.longest(stemStandardAll)
	if suf == "" {
		return false
	}
	at := s.start(suf)
	inR2 := at >= s.p2
	switch {
	case stemSuffixR2.has(suf):
		if !inR2 {
			return false
		}
		s.cut(suf)
	case stemAzione.has(suf):
		if !inR2 {
			return false
		}
		s.cut(suf)
		if s.endsWith("ic") && s.start("ic") >= s.p2 {
			s.cut("ic")
		}
	case stemLogia.has(suf):
		if !inR2 {
			return false
		}
		s.replace(suf, "log")
	case stemUzione.has(suf):
		if !inR2 {
			return false
		}
		s.replace(suf, "u")
	case stemEnza.has(suf):
		if !inR2 {
			return false
		}
		s.replace(suf, "ente")
	case stemAmento.has(suf):
		if at < s.pV {
			return false
		}
		s.cut(suf)
	case suf == "amente":
		if at < s.p1 {
			return false
		}
		s.cut(suf)
		if x := s.longest(stemAmenteAfter); x != "" && s.start(x) >= s.p2 {
			s.cut(x)
			if x == "iv" && s.endsWith("at") && s.start("at") >= s.p2 {
				s.cut("at")
			}
		}
	case suf == "ità":
		if !inR2 {
			return false
		}
		s.cut(suf)
		if x := s.longest(stemItaAfter); x != "" && s.start(x) >= s.p2 {
			s.cut(x)
		}
	case stemIvo.has(suf):
		if !inR2 {
			return false
		}
		s.cut(suf)
		if s.endsWith("at") && s.start("at") >= s.p2 {
			s.cut("at")
			if s.endsWith("ic") && s.start("ic") >= s.p2 {
				s.cut("ic")
			}
		}
	}
	return true
}

func (s *stemmer) verbSuffix() {
	// Only suffixes lying wholly inside RV count (Snowball's setlimit).
	best := -1
	for i, r := range stemVerbs.runes {
		if (best < 0 || len(r) > len(stemVerbs.runes[best])) && s.endsWithRunes(r) && len(s.r)-len(r) >= s.pV {
			best = i
		}
	}
	if best >= 0 {
		s.r = s.r[:len(s.r)-len(stemVerbs.runes[best])]
	}
}

func (s *stemmer) vowelSuffix() {
	if n := len(s.r); n > 0 && n-1 >= s.pV {
		switch s.r[n-1] {
		case 'a', 'e', 'i', 'o', 'à', 'è', 'ì', 'ò':
			s.r = s.r[:n-1]
			if n := len(s.r); n > 0 && n-1 >= s.pV && s.r[n-1] == 'i' {
				s.r = s.r[:n-1]
			}
		}
	}
	if n := len(s.r); n >= 2 && s.r[n-1] == 'h' && (s.r[n-2] == 'c' || s.r[n-2] == 'g') && n-2 >= s.pV {
		s.r = s.r[:n-1]
	}
}
