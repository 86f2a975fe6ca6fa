// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
)

// ExtractURLs returns the links of text the way X finds them (twitter-text's
// extractor, which X uses to wrap links in t.co and to count them), with
// byte offsets into text:
//
//   - with "http://" or "https://", or without a scheme: "comune.it" and
//     "www.comune.vallebella.it/albo" are links too, as on X;
//   - the host ends in a top-level domain of the IANA root zone (tlds.go),
//     followed by neither a letter, a digit nor one of "@+-", so
//     "file.tar.bz2" and "mario.rossi.it@pec.it" are not links; with a
//     scheme a host may be a single label of other scripts ("http://☃.net");
//   - a link does not begin right after a letter, a digit, "@", "$" or "#"
//     (no links inside e-mail addresses, cashtags or hashtags), nor, without
//     a scheme, after "-", "_", "." or "/";
//   - a path may hold balanced parentheses and ends on a letter, a digit or
//     one of "=_#/-+", so a final full stop or comma stays outside; a query
//     ends on a letter, a digit or one of "-_&=#/";
//   - every label of the host is at most 63 characters once written in
//     Punycode, and the whole link at most 4096;
//   - a t.co link ends after its slug, which is at most 40 characters.
//
// Specs: https://github.com/twitter/twitter-text/blob/master/conformance/extract.yml
func ExtractURLs(text string) []channel.URLSpan {
	if !strings.ContainsRune(text, '.') {
		return nil
	}
	rs := make([]rune, 0, len(text))
	offsets := make([]int, 0, len(text)+1)
	for i, r := range text {
		rs = append(rs, r)
		offsets = append(offsets, i)
	}
	offsets = append(offsets, len(text))
	spans := extractURLs(rs)
	out := make([]channel.URLSpan, 0, len(spans))
	for _, s := range spans {
		start, end := offsets[s.start], offsets[s.end]
		out = append(out, channel.URLSpan{Start: start, End: end, URL: text[start:end]})
	}
	return out
}

// urlSpan is a link in a []rune, as rune indices.
type urlSpan struct{ start, end int }

// Bounds of the extractor.
const (
	maxURLLength   = 4096 // twitter-text's MAX_URL_LENGTH, scheme included
	maxLabelLength = 63   // a DNS label, in Punycode
	maxTcoSlug     = 40
	// defaultSchemeLength is what a link without a scheme is counted with
	// against maxURLLength ("https://").
	defaultSchemeLength = 8
)

// scanner finds links in one text. A regular expression would try the
// host pattern again from every possible start, which costs the square of
// the text's length on text such as "a.a.a.a..." or "a-a-a-a..."; the
// scanner instead computes, once and from the end of the text, where each
// label ends and the longest host that starts at each position.
type scanner struct {
	rs []rune
	// runEnd[i] is the end of the run of host-label characters (letters,
	// digits, "-", "_") that starts at i; i when there is none.
	runEnd []int32
	// underscore[i] is the first "_" at or after i (len(rs) for none).
	underscore []int32
	// host[i] is the end of the host of Latin labels that starts at i, 0
	// for none.
	host []int32
	// tlds memoises listTLD: 0 unknown, -1 none, else the end + 1.
	tlds []int32
}

// newScanner prepares the tables of rs.
func newScanner(rs []rune) *scanner {
	n := len(rs)
	sc := &scanner{rs: rs, runEnd: make([]int32, n+1), underscore: make([]int32, n+1), host: make([]int32, n+1),
		tlds: make([]int32, n+1)}
	sc.runEnd[n], sc.underscore[n] = int32(n), int32(n)
	for i := n - 1; i >= 0; i-- {
		r := rs[i]
		sc.runEnd[i] = int32(i)
		if urlChar(r) || r == '-' || r == '_' {
			sc.runEnd[i] = sc.runEnd[i+1]
		}
		sc.underscore[i] = sc.underscore[i+1]
		if r == '_' {
			sc.underscore[i] = int32(i)
		}
	}
	// farthest[i], for a label starting at i, is the start of the last
	// label that can close a host begun at i: the labels from i on are
	// valid sub-domains, and that one is a valid domain followed by a
	// top-level domain. The greedy pattern takes as many sub-domains as
	// it can, so the last such label wins.
	farthest := make([]int32, n+1)
	for i := n - 1; i >= 0; i-- {
		farthest[i] = -1
		e := int(sc.runEnd[i])
		if e == i || e >= n || rs[e] != '.' || !urlChar(rs[i]) || !urlChar(rs[e-1]) {
			continue
		}
		if next := farthest[e+1]; e+1 < n && next >= 0 {
			farthest[i] = next
		} else if int(sc.underscore[i]) >= e && sc.tld(e+1, true) > 0 {
			farthest[i] = int32(i)
		}
	}
	for i := range n {
		if m := farthest[i]; m >= 0 {
			sc.host[i] = int32(sc.tld(int(sc.runEnd[m])+1, true))
		}
	}
	return sc
}

// extractURLs implements ExtractURLs on runes. Like a regular expression
// searched repeatedly, each attempt starts at index i, where rs[i] is the
// character before the link (or, at the very start, no character), and
// the next search resumes where the previous match ended, whether the
// match was kept or not.
func extractURLs(rs []rune) []urlSpan {
	dot := false
	for _, r := range rs {
		if r == '.' {
			dot = true
			break
		}
	}
	if !dot {
		return nil
	}
	sc := newScanner(rs)
	var out []urlSpan
	pos := 0
	for pos <= len(rs) {
		m, s, ok := sc.next(pos)
		if !ok {
			break
		}
		if span, keep := sc.accept(m, s); keep {
			out = append(out, span)
		}
		if m.end <= pos {
			// Cannot happen (a match holds at least a host); never loop.
			break
		}
		pos = m.end
	}
	return out
}

// urlMatch is what the pattern matched from a start.
type urlMatch struct {
	end                int // end of the link
	scheme             bool
	hostStart, hostEnd int
}

// next finds the first match at or after attempt index pos, and the start
// of its link.
func (sc *scanner) next(pos int) (urlMatch, int, bool) {
	for i := pos; i <= len(sc.rs); i++ {
		if i < len(sc.rs) && precedingOK(sc.rs[i]) {
			if m, ok := sc.match(i + 1); ok {
				return m, i + 1, true
			}
		}
		if i == 0 {
			if m, ok := sc.match(0); ok {
				return m, 0, true
			}
		}
	}
	return urlMatch{}, 0, false
}

// accept applies the checks made after a match: the character before a
// link without a scheme, t.co slugs, and the host's validity and length.
func (sc *scanner) accept(m urlMatch, s int) (urlSpan, bool) {
	rs := sc.rs
	if !m.scheme && s > 0 && strings.ContainsRune("-_./", rs[s-1]) {
		return urlSpan{}, false
	}
	end := m.end
	if m.scheme {
		if tco, slug, ok := sc.tco(s, m.end); ok {
			if slug > maxTcoSlug {
				return urlSpan{}, false
			}
			end = tco
		}
	}
	if !validHost(rs[m.hostStart:m.hostEnd], utf16Len(rs[s:end]), m.scheme) {
		return urlSpan{}, false
	}
	return urlSpan{start: s, end: end}, true
}

// at returns rs[i], or -1 past the end.
func (sc *scanner) at(i int) rune {
	if i >= 0 && i < len(sc.rs) {
		return sc.rs[i]
	}
	return -1
}

// match tries the pattern at s: an optional scheme, a host, an optional
// port, path and query.
func (sc *scanner) match(s int) (urlMatch, bool) {
	if p, ok := sc.scheme(s); ok {
		if d, ok := sc.domain(p, true); ok {
			return urlMatch{end: sc.rest(d), scheme: true, hostStart: p, hostEnd: d}, true
		}
	}
	if d, ok := sc.domain(s, false); ok {
		return urlMatch{end: sc.rest(d), hostStart: s, hostEnd: d}, true
	}
	return urlMatch{}, false
}

// scheme matches "http://" or "https://", in any case.
func (sc *scanner) scheme(s int) (int, bool) {
	for _, p := range []string{"https://", "http://"} {
		if sc.hasPrefixFold(s, p) {
			return s + len(p), true
		}
	}
	return s, false
}

// hasPrefixFold reports whether the runes at s spell p (ASCII), ignoring
// ASCII case.
func (sc *scanner) hasPrefixFold(s int, p string) bool {
	if s+len(p) > len(sc.rs) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if lowerASCII(sc.rs[s+k]) != rune(p[k]) {
			return false
		}
	}
	return true
}

// domain matches a host at p and returns its end. Either sub-domains and a
// domain of Latin letters and digits, then a top-level domain (of the list,
// or Punycode); or, after a scheme only, one label of any letters, then a
// top-level domain of the list.
func (sc *scanner) domain(p int, scheme bool) (int, bool) {
	if p < len(sc.rs) && sc.host[p] > 0 {
		return int(sc.host[p]), true
	}
	if !scheme {
		return 0, false
	}
	e := p
	for e < len(sc.rs) && (unicodeDomainChar(sc.rs[e]) || sc.rs[e] == '-') {
		e++
	}
	if e == p || sc.at(e) != '.' || !unicodeDomainChar(sc.rs[p]) || !unicodeDomainChar(sc.rs[e-1]) {
		return 0, false
	}
	if end := sc.tld(e+1, false); end > 0 {
		return end, true
	}
	return 0, false
}

// tld returns the end of the top-level domain at q, 0 when none: the
// longest of the list followed by neither a letter, a digit nor "@+-", or
// (when punycode) an "xn--" label.
func (sc *scanner) tld(q int, punycode bool) int {
	if q >= len(sc.rs) {
		return 0
	}
	if sc.tlds[q] == 0 {
		sc.tlds[q] = int32(sc.listTLD(q) + 1)
	}
	if end := int(sc.tlds[q]) - 1; end > 0 {
		return end
	}
	if punycode && sc.hasPrefixFold(q, "xn--") {
		e := q + 4
		for e < len(sc.rs) && (asciiAlnum(sc.rs[e]) || sc.rs[e] == '-') {
			e++
		}
		if e > q+4 {
			return e
		}
	}
	return 0
}

// listTLD is the longest top-level domain of the list at q with a valid
// character after it, or -1.
func (sc *scanner) listTLD(q int) int {
	n := 0
	for n < maxTLDRunes && q+n < len(sc.rs) {
		r := sc.rs[q+n]
		if r == '.' || r == '/' || unicode.IsSpace(r) {
			break
		}
		n++
	}
	var b strings.Builder
	for l := n; l >= 1; l-- {
		if r := sc.at(q + l); r >= 0 && (asciiAlnum(r) || r == '@' || r == '+' || r == '-') {
			continue
		}
		b.Reset()
		for _, r := range sc.rs[q : q+l] {
			b.WriteRune(lowerASCII(r))
		}
		if _, ok := tlds[b.String()]; ok {
			return q + l
		}
	}
	return -1
}

// rest matches an optional port, path and query after the host.
func (sc *scanner) rest(e int) int {
	if sc.at(e) == ':' && isDigit(sc.at(e+1)) {
		e++
		for isDigit(sc.at(e)) {
			e++
		}
	}
	if sc.at(e) == '/' {
		e = sc.path(e + 1)
	}
	if sc.at(e) == '?' {
		e = sc.query(e)
	}
	return e
}

// path matches the longest run of path characters and balanced
// parentheses from i that ends on a path-ending character or a closing
// parenthesis; an empty path is fine (the "/" is already matched).
func (sc *scanner) path(i int) int {
	last := i
	for i < len(sc.rs) {
		r := sc.rs[i]
		if pathChar(r) {
			i++
			if pathEndChar(r) {
				last = i
			}
			continue
		}
		if r == '(' {
			if e, ok := sc.parens(i); ok {
				i, last = e, e
				continue
			}
		}
		break
	}
	return last
}

// parens matches balanced parentheses at i, nested one level at most:
// "(film)" or "(Album_Version_(Edited))".
func (sc *scanner) parens(i int) (int, bool) {
	run := func(j int) int {
		for j < len(sc.rs) && pathChar(sc.rs[j]) {
			j++
		}
		return j
	}
	j := run(i + 1)
	if j > i+1 && sc.at(j) == ')' {
		return j + 1, true
	}
	if sc.at(j) != '(' {
		return 0, false
	}
	k := run(j + 1)
	if k == j+1 || sc.at(k) != ')' {
		return 0, false
	}
	k = run(k + 1)
	if sc.at(k) != ')' {
		return 0, false
	}
	return k + 1, true
}

// query matches "?" and query characters up to the last one that may end
// a query; without one, there is no query.
func (sc *scanner) query(i int) int {
	last := -1
	for j := i + 1; j < len(sc.rs) && queryChar(sc.rs[j]); j++ {
		if queryEndChar(sc.rs[j]) {
			last = j
		}
	}
	if last < 0 {
		return i
	}
	return last + 1
}

// tco matches "http(s)://t.co/slug" with an optional query at the start
// of the link s..end, returning the end of that match and the slug length.
func (sc *scanner) tco(s, end int) (int, int, bool) {
	p, ok := sc.scheme(s)
	if !ok || !sc.hasPrefixFold(p, "t.co/") {
		return 0, 0, false
	}
	slug := p + 5
	e := slug
	for e < end && asciiAlnum(sc.rs[e]) {
		e++
	}
	if e == slug {
		return 0, 0, false
	}
	if e < end && sc.rs[e] == '?' {
		last := -1
		for j := e + 1; j < end && queryChar(sc.rs[j]); j++ {
			if queryEndChar(sc.rs[j]) {
				last = j
			}
		}
		if last >= 0 {
			return last + 1, e - slug, true
		}
	}
	return e, e - slug, true
}

// precedingOK reports whether r may come right before a link: not a
// letter, a digit, "@", "$", "#" (ASCII or full-width) or one of the
// invalid characters.
func precedingOK(r rune) bool {
	if asciiAlnum(r) {
		return false
	}
	switch r {
	case '@', '＠', '$', '#', '＃', 0xFFFE, 0xFEFF, 0xFFFF:
		return false
	}
	return true
}

// urlChar is a letter or digit of a host label: ASCII, or Latin with
// accents.
func urlChar(r rune) bool { return asciiAlnum(r) || latinAccent(r) }

// latinAccent reports whether r is one of twitter-text's accented Latin
// characters: Latin-1 letters, Latin Extended-A and -B, some IPA letters,
// the Hawaiian ʻokina, combining diacritics and Latin Extended Additional.
func latinAccent(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x24F,
		r == 0x253, r == 0x254, r == 0x256, r == 0x257, r == 0x259, r == 0x25B, r == 0x263, r == 0x268,
		r == 0x26F, r == 0x272, r == 0x289, r == 0x28B, r == 0x2BB,
		r >= 0x300 && r <= 0x36F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return false
}

func cyrillic(r rune) bool { return r >= 0x400 && r <= 0x4FF }

// unicodeDomainChar is a character of a host label of any script: neither
// ASCII punctuation, white space, a separator, nor General Punctuation.
func unicodeDomainChar(r rune) bool {
	if r < 0x80 {
		return asciiAlnum(r) || (r > ' ' && r != 0x7f && !strings.ContainsRune("-_!\"#$%&'()*+,./:;<=>?@[]^`{|}~", r))
	}
	return !unicode.In(r, unicode.Z) && (r < 0x2000 || r > 0x206F)
}

// pathChar may appear in a path.
func pathChar(r rune) bool {
	return asciiAlnum(r) || strings.ContainsRune("!*';:=+,.$/%#[]-–_~|&@", r) || latinAccent(r) || cyrillic(r)
}

// pathEndChar may end a path.
func pathEndChar(r rune) bool {
	return asciiAlnum(r) || strings.ContainsRune("=_#/-+", r) || latinAccent(r) || cyrillic(r)
}

// queryChar may appear in a query.
func queryChar(r rune) bool {
	return asciiAlnum(r) || strings.ContainsRune("!?*'();:&=+$/%#[]-_.,~|@", r)
}

// queryEndChar may end a query.
func queryEndChar(r rune) bool { return asciiAlnum(r) || strings.ContainsRune("-_&=#/", r) }

func asciiAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || isDigit(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func lowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// utf16Len is the length of rs in UTF-16 code units, the unit
// twitter-text measures links in.
func utf16Len(rs []rune) int {
	n := 0
	for _, r := range rs {
		if r >= 0x10000 && r <= utf8.MaxRune {
			n += 2
		} else {
			n++
		}
	}
	return n
}
