// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Codes of the election guard's flags, keys of the i18n catalogs.
const (
	CodeElectionName = "quality.election.name" // an official named
	CodeElectionRole = "quality.election.role" // an official's office named ("il sindaco")
)

// ElectoralPeriod is a time when Legge 28/2000 art. 9 limits the
// administration's communication to what is impersonal and indispensable:
// from the calling of the election to the close of the polls.
type ElectoralPeriod struct {
	Name       string
	Start, End time.Time // End excluded
}

// InPeriod returns the period that covers at, the earliest started when
// several do. A period whose End is not after its Start covers nothing.
func InPeriod(periods []ElectoralPeriod, at time.Time) (ElectoralPeriod, bool) {
	var found ElectoralPeriod
	ok := false
	for _, p := range periods {
		if at.Before(p.Start) || !at.Before(p.End) {
			continue
		}
		if !ok || p.Start.Before(found.Start) {
			found, ok = p, true
		}
	}
	return found, ok
}

// Official is a person whose name an institutional post in an electoral
// period should not feature: the mayor, the assessori.
type Official struct {
	Name string // "Marco Rossi"
	Role string // "sindaco", "assessora alla mobilità"
}

// NameFlag is one mention of an official in a text.
type NameFlag struct {
	Official   Official
	Start, End int    // byte offsets in the text, End excluded
	Text       string // the text from Start to End
	Code       string // CodeElectionName or CodeElectionRole
}

// NameFlags finds where a text mentions an official:
//
//   - the full name, also surname first ("Marco Rossi", "Rossi Marco");
//   - the surname after a title: an office ("sindaco Rossi", "assessora De
//     Luca") or an honorific ("dott. Rossi");
//   - the office alone, by its full wording ("assessore alla mobilità"),
//     by its beginning ("assessore alla mobilità" for "assessore alla
//     mobilità e ai trasporti"), or by its title after an article ("il
//     sindaco", "l'assessore", "dalla sindaca"). Masculine and feminine
//     titles match each other, and "primo cittadino" is the mayor.
//
// Case and accents do not matter, whole words only ("Rossi" is not
// "Rossini"). The surname is the last word of the name with the particles
// before it ("De Luca"); a surname alone, without a title, is not flagged:
// too many people share one.
//
// Flags do not overlap. Where mentions do, a name wins over an office, a
// surname after the official's own title over one after another title
// ("sindaco Rossi" is the mayor, not the assessora Rossi), an office
// followed by the official's name over the same office of another; then
// the longer mention wins, then the official listed first. Flags come in
// the order of the text.
func NameFlags(text string, officials []Official) []NameFlag {
	toks := tokenize(text)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.fold
	}
	offices := make([]titleMatch, len(words)) // the office title starting at each word
	for i := range words {
		offices[i] = titleAt(words, i, roleTitles)
	}
	var cands []candidate
	for oi, o := range officials {
		cands = append(cands, nameCandidates(words, oi, o)...)
		cands = append(cands, roleCandidates(words, offices, oi, o)...)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.rank, a.rank), cmp.Compare(b.last-b.first, a.last-a.first),
			cmp.Compare(a.first, b.first), cmp.Compare(a.official, b.official))
	})
	var out []NameFlag
	taken := make([]bool, len(toks))
	for _, c := range cands {
		if slices.Contains(taken[c.first:c.last+1], true) {
			continue
		}
		for i := c.first; i <= c.last; i++ {
			taken[i] = true
		}
		start, end := toks[c.first].start, toks[c.last].end
		out = append(out, NameFlag{Official: officials[c.official], Start: start, End: end, Text: text[start:end], Code: c.code})
	}
	slices.SortFunc(out, func(a, b NameFlag) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

// candidate is a possible flag over tokens first to last.
type candidate struct {
	first, last int
	official    int
	code        string
	rank        int // which wins an overlap: higher
}

// Ranks of the kinds of mention.
const (
	rankRole          = 1
	rankRoleNamed     = 2 // followed by the official's name: "l'assessora Rossi" is the assessora called Rossi
	rankSurnameTitled = 3 // after a title that is not the official's office
	rankSurnameOwn    = 4 // after the official's own title: "sindaco Rossi" is the mayor, not the assessora Rossi
	rankFullName      = 5
)

func nameCandidates(words []string, oi int, o Official) []candidate {
	name := foldedWords(o.Name)
	if len(name) == 0 {
		return nil
	}
	sur := surname(name)
	given := name[:len(name)-len(sur)]
	reversed := append(slices.Clone(sur), given...)
	own := titleAt(roleWords(o.Role), 0, roleTitles).canon
	var out []candidate
	for i := range words {
		switch {
		case hasAt(words, i, name):
			out = append(out, candidate{i, i + len(name) - 1, oi, CodeElectionName, rankFullName})
		case len(given) > 0 && hasAt(words, i, reversed):
			out = append(out, candidate{i, i + len(name) - 1, oi, CodeElectionName, rankFullName})
		case hasAt(words, i, sur):
			if title, ok := titleBefore(words, i); ok {
				rank := rankSurnameTitled
				if own != "" && title == own {
					rank = rankSurnameOwn
				}
				out = append(out, candidate{i, i + len(sur) - 1, oi, CodeElectionName, rank})
			}
		}
	}
	return out
}

func roleCandidates(words []string, offices []titleMatch, oi int, o Official) []candidate {
	role := roleWords(o.Role)
	if len(role) == 0 {
		return nil
	}
	own := titleAt(role, 0, roleTitles)
	title, n := own.canon, own.n
	name := foldedWords(o.Name)
	sur := name
	if len(name) > 0 {
		sur = surname(name)
	}
	var out []candidate
	for i := range words {
		first := i
		if i > 0 && determiners[words[i-1]] {
			first = i - 1
		}
		if title == "" {
			// An office without a known title ("capo di gabinetto"): its
			// full wording only.
			if hasAt(words, i, role) {
				out = append(out, candidate{first, i + len(role) - 1, oi, CodeElectionRole, rankRole})
			}
			continue
		}
		if offices[i].canon != title || i > 0 && offices[i-1].n == 2 {
			continue // another office, or the end of one: "vice sindaco"
		}
		m := offices[i].n
		// How much of the rest of the office follows: "alla mobilità".
		rest, j := role[n:], i+m
		k := 0
		for k < len(rest) && j+k < len(words) && words[j+k] == rest[k] {
			k++
		}
		full := k == len(rest)
		if !full && k < 2 && j < len(words) && qualifiers[words[j]] {
			continue // "l'assessore alla cultura" is another assessore
		}
		if full || k >= 2 || first < i {
			rank := rankRole
			if hasAt(words, j+k, name) || hasAt(words, j+k, sur) {
				rank = rankRoleNamed
			}
			out = append(out, candidate{first, j + k - 1, oi, CodeElectionRole, rank})
		}
	}
	return out
}

// roleWords is an office folded, without the article it may have been
// recorded with ("Il Sindaco").
func roleWords(role string) []string {
	words := foldedWords(role)
	for len(words) > 0 && determiners[words[0]] {
		words = words[1:]
	}
	return words
}

// hasAt tells whether seq is in words at i.
func hasAt(words []string, i int, seq []string) bool {
	return len(seq) > 0 && i+len(seq) <= len(words) && slices.Equal(words[i:i+len(seq)], seq)
}

// title is a way of writing a title, folded, and the title it stands for.
type title struct {
	words []string
	canon string
}

// titleMatch is a title found in a text: which, and over how many words.
type titleMatch struct {
	canon string
	n     int
}

// titleAt returns the longest title that starts at words[i].
func titleAt(words []string, i int, titles []title) titleMatch {
	var best titleMatch
	for _, t := range titles {
		if len(t.words) > best.n && hasAt(words, i, t.words) {
			best = titleMatch{t.canon, len(t.words)}
		}
	}
	return best
}

// titleBefore returns the title that ends right before words[i].
func titleBefore(words []string, i int) (string, bool) {
	for _, titles := range [][]title{roleTitles, honorifics} {
		for _, t := range titles {
			if start := i - len(t.words); start >= 0 && hasAt(words, start, t.words) {
				return t.canon, true
			}
		}
	}
	return "", false
}

// titles reads pairs of "written form", "title".
func titles(pairs ...string) []title {
	out := make([]title, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, title{strings.Fields(pairs[i]), pairs[i+1]})
	}
	return out
}

// roleTitles are the titles of political offices, folded, each with its
// canonical form: masculine and feminine are the same office.
var roleTitles = titles(
	"sindaco", "sindaco", "sindaca", "sindaco", "primo cittadino", "sindaco", "prima cittadina", "sindaco",
	"vicesindaco", "vicesindaco", "vicesindaca", "vicesindaco", "vice sindaco", "vicesindaco", "vice sindaca", "vicesindaco",
	"assessore", "assessore", "assessora", "assessore",
	"consigliere", "consigliere", "consigliera", "consigliere",
	"presidente", "presidente", "presidentessa", "presidente", "vicepresidente", "vicepresidente",
	"governatore", "governatore", "governatrice", "governatore",
	"ministro", "ministro", "ministra", "ministro",
)

// honorifics may stand before a surname, written out or abbreviated (the
// point is not a word).
var honorifics = titles(
	"dott", "dott", "dottor", "dott", "dottore", "dott", "dottoressa", "dott", "dott ssa", "dott", "dr", "dott",
	"avv", "avv", "avvocato", "avv", "avvocata", "avv",
	"prof", "prof", "professore", "prof", "professoressa", "prof", "prof ssa", "prof",
	"ing", "ing", "ingegnere", "ing", "arch", "arch", "architetto", "arch", "geom", "geom",
	"on", "on", "onorevole", "on", "sen", "sen", "senatore", "sen", "senatrice", "sen",
	"sig", "sig", "signor", "sig", "signore", "sig", "signora", "sig", "sig ra", "sig",
)

// determiners before a title make it a particular person: "il sindaco",
// "dall'assessora", "la nostra sindaca".
var determiners = wordSet("il lo la l del dello della dell al allo alla all dal dallo dalla dall " +
	"nel nello nella nell sul sullo sulla sull col nostro nostra vostro vostra")

// qualifiers start the rest of an office's name: "assessore alla
// mobilità", "consigliera per le pari opportunità".
var qualifiers = wordSet("a ad al allo alla ai agli alle all di del dello della dei degli delle dell " +
	"per con in nel nello nella nell su sul sulla sull da dal dalla")

// particles start Italian (and neighbouring) surnames.
var particles = wordSet("de di da del della dei degli delle dal dalla dello d lo la li van von")

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// surname is the last word of a folded name with the particles before it.
func surname(name []string) []string {
	i := len(name) - 1
	for i > 0 && particles[name[i-1]] {
		i--
	}
	return name[i:]
}

// token is a word of a text, folded, with its place.
type token struct {
	fold       string
	start, end int
}

// tokenize cuts text into words: runs of letters and digits (and the
// marks after them). Apostrophes and points cut: "l'assessore" is "l" and
// "assessore", "dott." is "dott".
func tokenize(text string) []token {
	var out []token
	start := -1
	for i := 0; i <= len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if i < len(text) && (isWordStart(r) || start >= 0 && isWordPart(r)) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			out = append(out, token{fold(text[start:i]), start, i})
			start = -1
		}
		if i == len(text) {
			break
		}
		i += n
	}
	return out
}

func foldedWords(s string) []string {
	toks := tokenize(s)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.fold
	}
	return out
}
