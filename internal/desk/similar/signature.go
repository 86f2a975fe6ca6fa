// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package similar groups near-duplicate citizen messages (a storm night's
// thousand reports of the same fallen tree) so the newsroom answers each
// event once. Messages are short Italian or English texts full of typos,
// dialect and emoji, so similarity works on normalised stems, a small
// emergency lexicon and character trigrams, while place names ("via Roma")
// and line numbers are salient: two streets never merge.
package similar

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NumHashes is the MinHash length; 64 keeps LSH banding accurate enough for
// short texts at 256 bytes per signature.
const NumHashes = 64

// Feature classes live in the low two bits of a feature hash so one sorted
// slice carries both the identity and the weight of a feature.
const (
	classGram    = 0
	classWord    = 1
	classConcept = 2
	classNumber  = 3
	classMask    = 3
)

// classWeight: concepts (tree, flood, power...) carry the event kind across
// wordings and languages, trigrams only soften typos.
var classWeight = [4]float64{
	classGram:    0.25,
	classWord:    1,
	classConcept: 2,
	classNumber:  1,
}

// Sig is the compact representation of one message. The zero Sig is empty
// and similar to nothing.
type Sig struct {
	mins [NumHashes]uint32 // MinHash over feats and places, for LSH banding
	profile
}

// profile is what scoring needs; groups keep only this for their
// representatives, since the MinHash has done its job once filed.
type profile struct {
	feats  []uint32 // sorted unique feature hashes, class in low bits
	places []uint32 // sorted unique place-name hashes
	nums   []uint32 // sorted unique hashes of standalone numbers
}

// Empty reports whether the text had nothing to compare (blank input).
func (s Sig) Empty() bool { return s.empty() }

func (p *profile) empty() bool { return len(p.feats) == 0 && len(p.places) == 0 }

// token is one normalised word with the facts place extraction needs.
type token struct {
	norm      string // lower case, no accents, repeated letters collapsed
	title     bool   // written "Verdi" (proper noun hint)
	brk       bool   // punctuation between the previous token and this one
	digits    bool   // only digits
	stop      bool
	cue       bool // via, piazza, linea...
	stem      string
	concept   string
	placeSkip bool // "del", "san", "elementare": skipped after a cue
	place     bool // part of a place name: scored by the place rule only
}

// Signature normalises text and builds its signature. It never fails; text
// without any letter or digit falls back to its symbols (emoji), so only
// blank text gives an empty Sig.
func Signature(text string) Sig {
	toks := tokenize(text)
	var b sigBuilder
	places := extractPlaces(toks)
	for _, p := range places {
		b.places = append(b.places, hash32(fnv64("p:"+p)))
	}
	for i := range toks {
		t := &toks[i]
		// A place name is left out of the content: sharing "Carducci" must
		// not make a traffic light and a fallen tree look alike.
		if t.stop || t.place && !t.digits || streetCues[t.norm] || len(t.norm) < 2 && !t.digits {
			continue
		}
		b.addToken(t)
	}
	if len(b.feats) == 0 {
		// Only stop words: keep them rather than lose the message.
		for i := range toks {
			if toks[i].norm != "" {
				b.addWord(toks[i].stem)
			}
		}
	}
	if len(b.feats) == 0 && len(b.places) == 0 {
		// Emoji-only messages ("🙏🙏🙏") still resemble each other.
		for _, r := range text {
			if !unicode.IsSpace(r) && r != utf8.RuneError {
				b.addWord(string(r))
			}
		}
		if len(b.feats) == 0 && strings.TrimSpace(text) != "" {
			b.addWord(strings.TrimSpace(text))
		}
	}
	return b.finish()
}

type sigBuilder struct {
	feats, places, nums []uint32
	raw                 []uint64 // 64-bit feature hashes fed to MinHash
}

func (b *sigBuilder) add(class uint32, s string) {
	h := fnv64(s)
	b.raw = append(b.raw, h)
	b.feats = append(b.feats, hash32(h)&^classMask|class)
}

func (b *sigBuilder) addWord(stem string) { b.add(classWord, "w:"+stem) }

func (b *sigBuilder) addToken(t *token) {
	if t.digits {
		b.add(classNumber, "n:"+t.norm)
		b.nums = append(b.nums, hash32(fnv64("n:"+t.norm)))
		return
	}
	b.addWord(t.stem)
	if t.concept != "" {
		b.add(classConcept, "c:"+t.concept)
	}
	// Boundary-marked trigrams of the stem absorb typos ("albro"/"alber").
	g := "^" + t.stem + "$"
	for i := 0; i+3 <= len(g); i++ {
		b.add(classGram, "g:"+g[i:i+3])
	}
}

func (b *sigBuilder) finish() Sig {
	var s Sig
	s.feats = sortUnique(b.feats)
	s.places = sortUnique(b.places)
	s.nums = sortUnique(b.nums)
	for i := range s.mins {
		s.mins[i] = ^uint32(0)
	}
	for _, p := range s.places {
		b.raw = append(b.raw, uint64(p)<<32|uint64(p)^0x9e3779b97f4a7c15)
	}
	for _, h := range b.raw {
		for i := range s.mins {
			if v := uint32(mix64(h^seeds[i]) >> 32); v < s.mins[i] {
				s.mins[i] = v
			}
		}
	}
	return s
}

// Similarity returns a score in [0,1]: weighted Jaccard of the features,
// raised when both name the same place and crushed when they name different
// places, because the place is what separates one fallen tree from another.
func Similarity(a, b Sig) float64 { return similarity(&a.profile, &b.profile) }

func similarity(a, b *profile) float64 {
	if a.empty() || b.empty() {
		return 0
	}
	c := weightedJaccard(a.feats, b.feats)
	switch {
	case len(a.places) > 0 && len(b.places) > 0:
		if intersects(a.places, b.places) {
			// Proportional, so the same street alone never makes a flooded
			// cellar in via Roma join the fallen tree in via Roma.
			c = math.Pow(c, placeExponent)
		} else {
			c *= placeMismatch
		}
	case len(a.places) > 0 || len(b.places) > 0:
		c *= placeOneSided
	}
	if len(a.nums) > 0 && len(b.nums) > 0 && !intersects(a.nums, b.nums) {
		c *= numberMismatch
	}
	if c > 1 {
		c = 1
	}
	return c
}

// Place and number factors, tuned on testdata/storm.tsv.
const (
	placeExponent  = 0.5  // same street: c becomes sqrt(c), 0.1 -> 0.32
	placeMismatch  = 0.2  // different streets: far below any useful threshold
	placeOneSided  = 0.85 // "albero caduto!!" may or may not be via Roma
	numberMismatch = 0.7  // linea 11 vs linea 17
)

func weightedJaccard(a, b []uint32) float64 {
	var inter, union float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			w := classWeight[a[i]&classMask]
			inter += w
			union += w
			i++
			j++
		case a[i] < b[j]:
			union += classWeight[a[i]&classMask]
			i++
		default:
			union += classWeight[b[j]&classMask]
			j++
		}
	}
	for ; i < len(a); i++ {
		union += classWeight[a[i]&classMask]
	}
	for ; j < len(b); j++ {
		union += classWeight[b[j]&classMask]
	}
	if union == 0 {
		return 0
	}
	return inter / union
}

func intersects(a, b []uint32) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func sortUnique(s []uint32) []uint32 {
	if len(s) == 0 {
		return nil
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	// Copy so the signature does not pin the builder's larger array.
	return append([]uint32(nil), out...)
}

// tokenize lower-cases, strips accents, collapses repeated letters and
// splits on anything that is not a letter or digit.
func tokenize(text string) []token {
	var toks []token
	var cur []byte
	var prev rune
	title, upperSeen, lowerSeen, brk, first := false, false, false, false, true
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, token{norm: string(cur), title: title && !upperSeen && lowerSeen, brk: brk})
			brk = false
		}
		cur, prev = cur[:0], 0
		first, upperSeen, lowerSeen, title = true, false, false, false
	}
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			abbrev := r == '.' && len(cur) == 1 // "s. Giacomo" is one name
			flush()
			if !unicode.IsSpace(r) && r != '\'' && r != '’' && r != '`' && !abbrev {
				brk = true
			}
			continue
		}
		if unicode.IsUpper(r) {
			if first {
				title = true
			} else {
				upperSeen = true
			}
		} else if !first {
			lowerSeen = true
		}
		first = false
		r = fold(unicode.ToLower(r))
		if r == prev && unicode.IsLetter(r) {
			continue // "caaaduto", and "allagato"/"alagato" typos alike
		}
		prev = r
		cur = utf8.AppendRune(cur, r)
	}
	flush()
	for i := range toks {
		classify(&toks[i])
	}
	return toks
}

func classify(t *token) {
	t.digits = isDigits(t.norm)
	t.stop = stopWords[t.norm]
	t.cue = placeCues[t.norm]
	t.placeSkip = placeSkip[t.norm]
	t.stem = stem(t.norm)
	t.concept = conceptOf(t.stem)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// fold strips the accents Italian and its neighbours use; the standard
// library has no Unicode normalisation.
func fold(r rune) rune {
	if r < 0xC0 {
		return r
	}
	switch r {
	case 'à', 'á', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ò', 'ó', 'ô', 'ö', 'õ':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return r
}

// stem is a deliberately light suffix stripper: enough to meet "albero" and
// "alberi", "caduto" and "cadute", not a linguistic analysis.
func stem(w string) string {
	if len(w) >= 8 && strings.HasSuffix(w, "mente") {
		return w[:len(w)-5]
	}
	for _, suf := range []string{"zione", "zioni"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return w[:len(w)-1]
		}
	}
	if len(w) > 5 {
		for _, suf := range []string{"ing", "ed"} { // English "blocking", "flooded"
			if strings.HasSuffix(w, suf) {
				w = w[:len(w)-len(suf)]
				break
			}
		}
	}
	if len(w) > 3 {
		switch w[len(w)-1] {
		case 'a', 'e', 'i', 'o':
			return w[:len(w)-1]
		case 's':
			return stem(w[:len(w)-1]) // English plurals
		}
	}
	return w
}

// extractPlaces takes the name after a cue ("via Roma", "piazza dell'Unità",
// "viale XX Settembre", "linea 11", "quartiere San Giacomo"). A second word
// is kept for capitalised names ("via Giuseppe Verdi") or after a short
// first word ("xx settembre").
func extractPlaces(toks []token) []string {
	var out []string
	for i := 0; i < len(toks); i++ {
		if !toks[i].cue {
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].placeSkip && !toks[j].brk {
			j++
		}
		if j >= len(toks) || toks[j].brk || toks[j].cue || toks[j].stop && !toks[j].digits || toks[j].concept != "" {
			continue
		}
		out = append(out, toks[j].norm)
		toks[j].place = true
		k := j + 1
		if k < len(toks) && !toks[k].brk && !toks[k].stop && !toks[k].cue && toks[k].concept == "" &&
			!toks[k].digits && (toks[k].title || len(toks[j].norm) <= 3 && streetCues[toks[i].norm]) {
			out = append(out, toks[k].norm)
			toks[k].place = true
		}
		i = j
	}
	return out
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func hash32(h uint64) uint32 { return uint32(h>>32) ^ uint32(h) }

// mix64 is the splitmix64 finaliser: one multiply-xorshift round per MinHash
// seed is far cheaper than hashing the feature again.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

var seeds = func() [NumHashes]uint64 {
	var s [NumHashes]uint64
	x := uint64(0x5EED5EED5EED5EED)
	for i := range s {
		x += 0x9e3779b97f4a7c15
		s[i] = mix64(x)
	}
	return s
}()
