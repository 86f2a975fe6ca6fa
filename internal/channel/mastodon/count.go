// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Count returns the length of a status text as a Mastodon server measures
// it against configuration.statuses.max_characters, with every link
// counting urlLength (the instance's characters_reserved_per_url; 23 when
// urlLength is not positive).
//
// It follows StatusLengthValidator in mastodon/mastodon
// (app/validators/status_length_validator.rb), not the web composer's
// counter, since the server is what refuses a status:
//
//   - the text is stripped of leading and trailing ASCII white space and
//     NUL first (Status#prepare_contents), and a blank text counts 0;
//   - links are found by twitter-text 3.1.0's extractor with Mastodon's
//     own URL rules (config/initializers/twitter_regex.rb), protocol
//     required (extract_url_without_protocol: false): a link needs a
//     scheme (http, https, dat, dweb, ipfs, ipns, ssb, gopher, gemini)
//     and a host ending in a known top-level domain (tlds.go), so
//     "https://comune.example" is plain text to Mastodon while
//     "https://comune.vallebella.it" is a link. Each link becomes 23 (or
//     urlLength) placeholder characters;
//   - a mention of another server, @user@domain, counts only "@user"
//     (Account::MENTION_RE, as app/lib/extractor.rb finds it);
//   - what is left is counted in grapheme clusters (Ruby's
//     String#each_grapheme_cluster), so 🇮🇹, 👍🏽 and a family emoji each
//     count 1, and so does "é" written with a combining accent.
//
// Approximations, all about unusual hosts: IDN host validation
// (twitter-text runs libidn's IDNA2003 ToASCII) is reproduced for
// label lengths, prohibited code points and the bidi rule, with
// Unicode 4.1's assigned code points standing in for IDNA2003's
// Unicode 3.2; Ruby's case folding is approximated by simple folding;
// grapheme clusters follow Unicode 15.0 (uniseg), as Ruby 3.3 and 3.4 do.
//
// Invalid UTF-8 is counted as U+FFFD, as the connector sends it (Text).
//
// Specs: https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb
func Count(text string, urlLength int) int {
	if urlLength <= 0 {
		urlLength = DefaultURLLength
	}
	text = rubyStrip(strings.ToValidUTF8(text, "\uFFFD"))
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		return 0
	}
	return uniseg.GraphemeClusterCount(countableText(text, urlLength))
}

// rubyStrip is Ruby's String#strip: ASCII white space and NUL.
func rubyStrip(s string) string { return strings.Trim(s, "\x00\t\n\v\f\r ") }

// entity is a link or a mention found in a text, as byte offsets.
type entity struct {
	start, end int
	// username is set for a mention: what the mention counts as, after @.
	username string
}

// countableText is StatusLengthValidator#countable_text: links replaced
// by urlLength placeholder characters, mentions by @username.
func countableText(text string, urlLength int) string {
	ents := append(linkEntities(text), mentionEntities(text)...)
	ents = removeOverlapping(ents)
	if len(ents) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, e := range ents {
		b.WriteString(text[last:e.start])
		if e.username != "" {
			b.WriteString("@" + e.username)
		} else {
			b.WriteString(strings.Repeat("x", urlLength))
		}
		last = e.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// removeOverlapping is twitter-text's remove_overlapping_entities: sorted
// by start, an entity that begins inside the one before it is dropped.
func removeOverlapping(ents []entity) []entity {
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].start < ents[j].start })
	out := ents[:0]
	for _, e := range ents {
		if len(out) > 0 && out[len(out)-1].end > e.start {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Links returns the links Mastodon recognises in text (those with a
// scheme, see Count), with their byte offsets. The fake server uses it to
// link them in a status's HTML and to pick the link card.
func Links(text string) []channel.URLSpan {
	ents := linkEntities(text)
	out := make([]channel.URLSpan, 0, len(ents))
	for _, e := range ents {
		out = append(out, channel.URLSpan{Start: e.start, End: e.end, URL: text[e.start:e.end]})
	}
	return out
}

// maxURLLength is twitter-text's MAX_URL_LENGTH: a longer link is text.
const maxURLLength = 4096

// linkEntities is twitter-text's extract_urls_with_indices with
// extract_url_without_protocol: false. Like Ruby's String#scan over
// REGEXEN[:valid_url], it takes the leftmost match each time and goes on
// after it, so a link without a scheme, though not kept, still swallows
// what it covers ("comune.it/?u=https://x.it" holds no link).
//
// Specs: https://github.com/twitter/twitter-text/blob/v3.1.0/rb/lib/twitter-text/extractor.rb
func linkEntities(text string) []entity {
	if !strings.Contains(text, "://") {
		return nil
	}
	sc := newURLScanner(text)
	var out []entity
	for pos := 0; pos <= len(text); {
		m, ok := sc.matchAt(pos)
		if !ok {
			if pos == len(text) {
				break
			}
			_, size := utf8.DecodeRuneInString(text[pos:])
			pos += size
			continue
		}
		pos = m.end
		if !m.protocol {
			continue
		}
		end := m.end
		if tco := tcoLength(text[m.start:m.end]); tco != 0 {
			if tco < 0 {
				continue
			}
			end = m.start + tco
		}
		if !validDomain(utf8.RuneCountInString(text[m.start:end]), text[m.domainStart:m.domainEnd]) {
			continue
		}
		out = append(out, entity{start: m.start, end: end})
	}
	return out
}

// urlMatch is one match of valid_url: the URL group's bytes and its domain.
type urlMatch struct {
	start, end             int
	domainStart, domainEnd int
	protocol               bool
}

// urlScanner matches valid_url over one text. The expression is tried
// at every position, so it remembers, per offset, the runs of domain
// characters, the TLDs and the domains it has read: a text made of one
// long word or of many dots costs a straight pass, not a square.
type urlScanner struct {
	text string
	// runEnd[i] is 1 + the end of the run of label characters (domain
	// characters, '-', '_') that holds i; lastUnderscore[i] is 1 + the
	// offset of the run's last '_' (0 for none). 0: not read yet.
	runEnd, lastUnderscore []int32
	// tld[i] is 1 + the length of the TLD at i; 0: not read yet.
	tld []int32
	// domainEnd[i] is 2 + the end of the domain whose first label starts
	// at i, 1 when none; 0: not read yet.
	domainEnd []int32
}

func newURLScanner(text string) *urlScanner {
	n := len(text) + 1
	return &urlScanner{text: text, runEnd: make([]int32, n), lastUnderscore: make([]int32, n), tld: make([]int32, n),
		domainEnd: make([]int32, n)}
}

// matchAt tries valid_url at pos as the regular expression does: the
// preceding character first (consumed), then the start of the text.
func (sc *urlScanner) matchAt(pos int) (urlMatch, bool) {
	if pos < len(sc.text) {
		r, size := utf8.DecodeRuneInString(sc.text[pos:])
		if urlPrecedingChar(r) {
			if m, ok := sc.matchURL(pos + size); ok {
				return m, true
			}
		}
	}
	if pos == 0 {
		return sc.matchURL(0)
	}
	return urlMatch{}, false
}

// urlPrecedingChar is REGEXEN[:valid_url_preceding_chars] (case
// insensitive): anything but letters A–Z, digits, @, $, # (and their
// full-width forms) and U+FFFE, U+FEFF, U+FFFF.
func urlPrecedingChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	switch r {
	case '@', '＠', '$', '#', '＃', 0xFFFE, 0xFEFF, 0xFFFF:
		return false
	}
	return true
}

// protocols are Mastodon's schemes in valid_url.
var protocols = []string{"https://", "http://", "dat://", "dweb://", "ipfs://", "ipns://", "ssb://", "gopher://", "gemini://"}

// matchURL matches the URL group of valid_url at s: protocol (tried
// first, then without), domain, port, path, query.
func (sc *urlScanner) matchURL(s int) (urlMatch, bool) {
	text := sc.text
	for _, p := range protocols {
		if len(text)-s >= len(p) && strings.EqualFold(text[s:s+len(p)], p) {
			if de, ok := sc.matchDomain(s + len(p)); ok {
				return urlMatch{start: s, end: urlTail(text, de), domainStart: s + len(p), domainEnd: de, protocol: true}, true
			}
			break
		}
	}
	if de, ok := sc.matchDomain(s); ok {
		return urlMatch{start: s, end: urlTail(text, de), domainStart: s, domainEnd: de}, true
	}
	return urlMatch{}, false
}

// urlTail extends a URL past its domain ending at i with the optional
// port, path and query of valid_url, each greedy.
func urlTail(text string, i int) int {
	if i < len(text) && text[i] == ':' {
		j := i + 1
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		if j > i+1 {
			i = j
		}
	}
	if i < len(text) && text[i] == '/' {
		i = i + 1 + pathLength(text[i+1:])
	}
	if i < len(text) && text[i] == '?' {
		if q := queryLength(text[i+1:]); q > 0 {
			i += 1 + q
		}
	}
	return i
}

// matchDomain matches REGEXEN[:valid_domain] at s and returns where it
// ends: subdomains (labels that may hold '_'), a domain name (no '_'),
// then a known TLD. Like the backtracking expression, it takes the most
// labels for which a TLD follows.
func (sc *urlScanner) matchDomain(s int) (int, bool) {
	if v := sc.domainEnd[s]; v != 0 {
		return int(v) - 2, v > 1
	}
	// The labels of the chain from s, up to one already settled.
	var starts []int
	settled := -1
	for i := s; ; {
		if v := sc.domainEnd[i]; v != 0 {
			settled = int(v) - 2
			break
		}
		dot, _ := sc.labelAt(i)
		if dot < 0 {
			sc.domainEnd[i] = 1
			break
		}
		starts = append(starts, i)
		i = dot + 1
	}
	// From the last label back: a domain ending further right wins.
	for k := len(starts) - 1; k >= 0; k-- {
		i := starts[k]
		end := settled
		if end < 0 {
			if dot, underscore := sc.labelAt(i); !underscore {
				if n := sc.tldAt(dot + 1); n > 0 {
					end = dot + 1 + n
				}
			}
		}
		sc.domainEnd[i] = int32(end + 2)
		settled = end
	}
	v := sc.domainEnd[s]
	return int(v) - 2, v > 1
}

// labelAt returns the offset of the dot ending the label that starts at
// i (-1 when none does) and whether the label holds '_': characters of
// DOMAIN_VALID_CHARS, '-' and '_', starting and ending with one of
// DOMAIN_VALID_CHARS, then '.'.
func (sc *urlScanner) labelAt(i int) (int, bool) {
	text := sc.text
	if sc.runEnd[i] == 0 {
		j, last := i, -1
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if r == '_' {
				last = j
			} else if r != '-' && !domainChar(r) {
				break
			}
			j += size
		}
		for k := i; k <= j; k++ {
			sc.runEnd[k], sc.lastUnderscore[k] = int32(j+1), int32(last+1)
		}
	}
	j := int(sc.runEnd[i]) - 1
	underscore := int(sc.lastUnderscore[i])-1 >= i
	if j == i || j >= len(text) || text[j] != '.' {
		return -1, underscore
	}
	first, _ := utf8.DecodeRuneInString(text[i:j])
	last, _ := utf8.DecodeLastRuneInString(text[i:j])
	if !domainChar(first) || !domainChar(last) {
		return -1, underscore
	}
	return j, underscore
}

// tldAt is tldLength at offset t, remembered.
func (sc *urlScanner) tldAt(t int) int {
	if v := sc.tld[t]; v != 0 {
		return int(v) - 1
	}
	n := tldLength(sc.text[t:])
	sc.tld[t] = int32(n + 1)
	return n
}

// domainChar is twitter-text's DOMAIN_VALID_CHARS: anything but ASCII
// punctuation (save the backslash, which its character class leaves
// out by accident), spaces, controls, directional marks and U+FFFE,
// U+FEFF, U+FFFF.
func domainChar(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '\\'
	}
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // directional
		return false
	case r == 0xFFFE, r == 0xFEFF, r == 0xFFFF:
		return false
	case r == 0x85, r == 0xA0, r == 0x1680, r == 0x180E, r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029,
		r == 0x202F, r == 0x205F, r == 0x3000: // UNICODE_SPACES
		return false
	}
	return true
}

// tldLength returns the bytes of the TLD at the start of s, 0 if none:
// the first of the listed TLDs (generic, then country codes) that s
// starts with, case-insensitively, and that is not followed by a letter
// A–Z, a digit, '@', '+' or '-'; else a punycode TLD (xn--…).
func tldLength(s string) int {
	if s == "" {
		return 0
	}
	best, bestLen := len(tldOrder), 0
	// An ASCII TLD can only be the whole run of [0-9a-z-] at s, since
	// none of those may follow it.
	run := 0
	for run < len(s) && (asciiAlnum(s[run]) || s[run] == '-') {
		run++
	}
	if run > 0 && (run == len(s) || !tldFollower(s[run])) {
		if i, ok := asciiTLDs[strings.ToLower(s[:run])]; ok {
			best, bestLen = i, run
		}
	}
	// The others, with a non-ASCII letter somewhere, by their first one.
	r, _ := utf8.DecodeRuneInString(s)
	for _, i := range otherTLDs[unicode.ToLower(r)] {
		if i >= best {
			break
		}
		n := prefixFold(s, tldOrder[i])
		if n > 0 && (n == len(s) || !tldFollower(s[n])) {
			bestLen = n
			break
		}
	}
	if bestLen > 0 {
		return bestLen
	}
	if len(s) > 4 && strings.EqualFold(s[:4], "xn--") {
		n := 4
		for n < len(s) && asciiAlnum(s[n]) {
			n++
		}
		if n > 4 {
			return n
		}
	}
	return 0
}

// tldFollower is what may not follow a TLD: [0-9a-z@+-], ignoring case.
func tldFollower(c byte) bool { return asciiAlnum(c) || c == '@' || c == '+' || c == '-' }

func asciiAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// prefixFold returns the bytes of s that match prefix case-insensitively,
// 0 when s does not start with it.
func prefixFold(s, prefix string) int {
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return 0
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != pr && unicode.ToLower(r) != pr {
			return 0
		}
		i += size
	}
	return i
}

// The TLDs in the order the expression tries them (tldOrder), the
// all-ASCII ones by name, the others by their first letter.
var tldOrder, asciiTLDs, otherTLDs = func() ([]string, map[string]int, map[rune][]int) {
	order := append(strings.Fields(genericTLDs), strings.Fields(countryTLDs)...)
	ascii, other := map[string]int{}, map[rune][]int{}
	for i, tld := range order {
		if isASCII(tld) {
			if _, dup := ascii[tld]; !dup {
				ascii[tld] = i
			}
			continue
		}
		r, _ := utf8.DecodeRuneInString(tld)
		other[r] = append(other[r], i)
	}
	return order, ascii, other
}()

// pathLength is how much of s (after a URL's '/') Mastodon's
// REGEXEN[:valid_url_path]* takes: the longest run of path characters
// and balanced parentheses that ends with a valid last character (so a
// link followed by "." or "," stops before it).
//
// Specs: https://github.com/mastodon/mastodon/blob/main/config/initializers/twitter_regex.rb
func pathLength(s string) int {
	best, i := 0, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '(' {
			n := balancedParens(s[i:])
			if n == 0 {
				break
			}
			i += n
			best = i
			continue
		}
		if !pathChar(r) {
			break
		}
		i += size
		if pathEndChar(r) {
			best = i
		}
	}
	return best
}

// pathChar is valid_general_url_path_chars: not white space, <, >, (, ),
// or ?.
func pathChar(r rune) bool {
	switch r {
	case '<', '>', '(', ')', '?':
		return false
	}
	return !isWhiteSpace(r)
}

// pathEndChar is the character class of valid_url_path_ending_chars.
func pathEndChar(r rune) bool {
	if strings.ContainsRune(`()?!*"'「」<>;:=,.$%[]~&|@`, r) {
		return false
	}
	return !isWhiteSpace(r)
}

// balancedParens matches valid_url_balanced_parens at the start of s
// (which begins with '('): one level of nesting; 0 when it does not match.
func balancedParens(s string) int {
	run := func(i int) int { // path characters from i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !pathChar(r) {
				break
			}
			i += size
		}
		return i
	}
	i := run(1)
	if i > 1 && i < len(s) && s[i] == ')' {
		return i + 1
	}
	// (a(b)c): the nested form.
	if i < len(s) && s[i] == '(' {
		j := run(i + 1)
		if j > i+1 && j < len(s) && s[j] == ')' {
			k := run(j + 1)
			if k < len(s) && s[k] == ')' {
				return k + 1
			}
		}
	}
	return 0
}

// isWhiteSpace is Ruby's \p{White_Space}.
func isWhiteSpace(r rune) bool { return unicode.Is(unicode.White_Space, r) }

// queryLength is how much of s (after a URL's '?') valid_url's query
// takes: query characters ending with a valid last one; 0 for none.
func queryLength(s string) int {
	best, i := 0, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !queryChar(r) {
			break
		}
		i += size
		if queryEndChar(r) {
			best = i
		}
	}
	return best
}

// queryChar is Mastodon's valid_url_query_chars.
func queryChar(r rune) bool {
	if r < 0x80 {
		return asciiAlnum(byte(r)) || strings.ContainsRune(`!?*'();:&=+$/%#[]-_.,~|@^`, r)
	}
	return uchar(r)
}

// queryEndChar is Mastodon's valid_url_query_ending_chars.
func queryEndChar(r rune) bool {
	if r < 0x80 {
		return asciiAlnum(byte(r)) || strings.ContainsRune(`_&=#/-`, r)
	}
	return uchar(r)
}

// uchar is the UCHARS ranges of Mastodon's twitter_regex.rb: the non-ASCII
// code points RFC 3987 allows in an IRI.
func uchar(r rune) bool {
	switch {
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFEF,
		r >= 0xE000 && r <= 0xF8FF:
		return true
	case r >= 0x10000 && r <= 0x10FFFD:
		low := r & 0xFFFF
		if r >= 0xE0000 && r < 0xE1000 {
			return false
		}
		return low <= 0xFFFD
	}
	return false
}

// tcoLength applies twitter-text's t.co rule to a URL: 0 when it is not a
// t.co link, its shortened length when it is, -1 when its slug is too long
// (MAX_TCO_SLUG_LENGTH) and it is no link at all.
func tcoLength(u string) int {
	rest := ""
	switch {
	case len(u) >= 12 && strings.EqualFold(u[:12], "https://t.co"):
		rest = u[12:]
	case len(u) >= 11 && strings.EqualFold(u[:11], "http://t.co"):
		rest = u[11:]
	default:
		return 0
	}
	if rest == "" || rest[0] != '/' {
		return 0
	}
	n := 1
	for n < len(rest) && asciiAlnum(rest[n]) {
		n++
	}
	if n == 1 {
		return 0
	}
	if n-1 > 40 {
		return -1
	}
	return len(u) - len(rest) + n
}

// mentionEntities finds mentions as Mastodon's Extractor does: every
// match of Account::MENTION_RE, dropped (but consumed) when followed by
// '@', a Latin accented letter or "://", or when its domain is longer
// than maxMentionDomain.
//
// Specs: https://github.com/mastodon/mastodon/blob/main/app/lib/extractor.rb
func mentionEntities(text string) []entity {
	var out []entity
	for pos := 0; pos < len(text); {
		at := strings.IndexByte(text[pos:], '@')
		if at < 0 {
			break
		}
		at += pos
		end, username, ok := matchMention(text, at)
		if !ok {
			pos = at + 1
			continue
		}
		pos = end
		if mentionEndRejected(text[end:]) {
			continue
		}
		if domain := text[at+1+len(username) : end]; utf8.RuneCountInString(domain) > maxMentionDomain+1 {
			continue
		}
		out = append(out, entity{start: at, end: end, username: username})
	}
	return out
}

// matchMention matches Account::MENTION_RE at the '@' at i:
// (?<![=/[:word:]])@(USERNAME_RE)(@[[:word:]]+([.-]+[[:word:]]+)*)? with
// USERNAME_RE = [a-z0-9_]+([.-]+[a-z0-9_]+)* (case-insensitive).
//
// Specs: https://github.com/mastodon/mastodon/blob/main/app/models/account.rb
func matchMention(text string, i int) (end int, username string, ok bool) {
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		if prev == '=' || prev == '/' || wordChar(prev) {
			return 0, "", false
		}
	}
	userChar := func(r rune) bool { return r < 0x80 && (asciiAlnum(byte(r)) || r == '_') }
	j := dottedRun(text, i+1, userChar)
	if j == i+1 {
		return 0, "", false
	}
	username = text[i+1 : j]
	if j < len(text) && text[j] == '@' {
		if k := dottedRun(text, j+1, wordChar); k > j+1 {
			j = k
		}
	}
	return j, username, true
}

// maxMentionDomain is Extractor::MAX_DOMAIN_LENGTH: a mention of a longer
// domain is no mention, and counts in full.
const maxMentionDomain = 253

// dottedRun matches X+([.-]+X+)* at i for the character class X and
// returns where it ends (i when nothing matches).
func dottedRun(text string, i int, class func(rune) bool) int {
	run := func(i int) int {
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !class(r) {
				break
			}
			i += size
		}
		return i
	}
	end := run(i)
	if end == i {
		return i
	}
	for {
		k := end
		for k < len(text) && (text[k] == '.' || text[k] == '-') {
			k++
		}
		if k == end {
			return end
		}
		next := run(k)
		if next == k {
			return end
		}
		end = next
	}
}

// wordChar is Onigmo's [[:word:]] on Unicode text: letters, marks,
// decimal digits and connector punctuation.
func wordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

// mentionEndRejected is twitter-text's end_mention_match.
func mentionEndRejected(after string) bool {
	if after == "" {
		return false
	}
	if strings.HasPrefix(after, "://") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(after)
	return r == '@' || r == '＠' || latinAccent(r)
}

// latinAccent is twitter-text's LATIN_ACCENTS.
func latinAccent(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0xFF, r >= 0x100 && r <= 0x24F,
		r == 0x253, r == 0x254, r == 0x256, r == 0x257, r == 0x259, r == 0x25B, r == 0x263, r == 0x268,
		r == 0x26F, r == 0x272, r == 0x289, r == 0x28B, r == 0x2BB, r >= 0x300 && r <= 0x36F,
		r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return false
}
