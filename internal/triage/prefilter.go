// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
)

// Go's regexp scans a message once per rule and is slow on long
// alternations; most rules match few messages. A prefilter lists the
// literal beginnings any match must start with ("incapac", "ladr", …) and
// the expensive regexp runs only when the text contains one of them.

// maxPrefix bounds the literal beginnings: longer ones select better, but
// multiply through alternations and character classes.
const maxPrefix = 5

// prefilter lists the literal beginnings of a pattern's matches.
type prefilter []string

func (p prefilter) mayMatch(text string) bool {
	if p == nil {
		return true
	}
	for _, s := range p {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// pattern is a compiled rule pattern. When every match begins a word, the
// pattern is tried only where one of its beginnings starts a word, with a
// copy anchored there: the work then follows the few places a rule could
// match, not the length of the message times the size of the pattern.
type pattern struct {
	id        int
	re        *regexp.Regexp
	anchored  *regexp.Regexp
	pre       prefilter
	wordStart bool // every beginning in pre starts with the space before a word
	// maxMatches bounds the distinct matches kept (4 unless set).
	maxMatches int
	// positions: a near rule needs to know where the matches begin.
	positions bool
}

// patterns holds every pattern, in the order the rules declare them.
var patterns []*pattern

func newPattern(src string) *pattern {
	re := regexp.MustCompile(src)
	p := &pattern{id: len(patterns), re: re, pre: newPrefilter(re), maxMatches: 4}
	p.wordStart = p.pre != nil && !strings.HasPrefix(src, "^")
	for _, s := range p.pre {
		if s[0] != ' ' || len(s) < 2 {
			p.wordStart = false
		}
	}
	if p.wordStart {
		p.anchored = regexp.MustCompile(`^(?:` + src + `)`)
	}
	patterns = append(patterns, p)
	return p
}

// matches holds, per pattern id, the distinct matches found, and where
// the matches of the patterns that near rules compare begin.
type matches struct {
	found [][]string
	pos   []matchPos
}

// matchPos is a match and the index of the word it begins at.
type matchPos struct {
	id, word int
	s        string
}

// patternIndex maps each word-start beginning to the patterns it opens.
type patternIndex struct {
	byPrefix map[string][]*pattern
	others   []*pattern
	longest  int
}

var index = sync.OnceValue(func() *patternIndex {
	ix := &patternIndex{byPrefix: map[string][]*pattern{}}
	for _, p := range patterns {
		if !p.wordStart {
			ix.others = append(ix.others, p)
			continue
		}
		for _, s := range p.pre {
			if !slices.Contains(ix.byPrefix[s], p) {
				ix.byPrefix[s] = append(ix.byPrefix[s], p)
			}
			ix.longest = max(ix.longest, len(s))
		}
	}
	return ix
})

// scan finds the matches of every pattern in text, whose words are
// separated by single spaces and which starts with one.
func scan(text string) matches {
	ix := index()
	m := matches{found: make([][]string, len(patterns))}
	add := func(p *pattern, s string, word int) {
		if len(m.found[p.id]) < p.maxMatches && !slices.Contains(m.found[p.id], s) {
			m.found[p.id] = append(m.found[p.id], s)
			if p.positions {
				m.pos = append(m.pos, matchPos{p.id, word, s})
			}
		}
	}
	tried := make([]int, len(patterns)) // last word start tried, plus one
	word := -1
	for i := 0; i < len(text); i++ {
		if text[i] != ' ' {
			continue
		}
		word++
		for l := 2; l <= ix.longest && i+l <= len(text); l++ {
			for _, p := range ix.byPrefix[text[i:i+l]] {
				if tried[p.id] == i+1 {
					continue
				}
				tried[p.id] = i + 1
				if s := p.anchored.FindString(text[i+1:]); s != "" {
					add(p, s, word)
				}
			}
		}
	}
	for _, p := range ix.others {
		if p.pre.mayMatch(text) {
			for _, s := range p.re.FindAllString(text, p.maxMatches) {
				add(p, s, -1)
			}
		}
	}
	return m
}

// newPrefilter returns the literal beginnings of re's matches, or nil when
// it cannot tell (a match may start with any character).
func newPrefilter(re *regexp.Regexp) prefilter {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	set, ok := prefixes([]*syntax.Regexp{tree.Simplify()}, maxPrefix, false)
	if !ok || len(set) == 0 || len(set) > 400 {
		return nil
	}
	for _, s := range set {
		if s == "" {
			return nil
		}
	}
	return prefilter(dedupe(set))
}

// prefixes returns strings of which every match of the concatenation seq
// starts with one; a shorter string is a weaker but still correct filter.
// The rules read text whose words are separated by single spaces (and
// which starts with one), so a word boundary before the first letter is a
// space: wordStart turns "ora" into " ora", which "ancora" does not hold.
func prefixes(seq []*syntax.Regexp, need int, wordStart bool) ([]string, bool) {
	if need == 0 || len(seq) == 0 {
		return []string{""}, true
	}
	lead := func(c rune) string {
		if wordStart && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return " "
		}
		return ""
	}
	n, rest := seq[0], seq[1:]
	switch n.Op {
	case syntax.OpWordBoundary:
		return prefixes(rest, need, need == maxPrefix)
	case syntax.OpEmptyMatch, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpBeginText:
		return prefixes(rest, need, wordStart)
	case syntax.OpLiteral:
		if n.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		r := n.Rune
		head := lead(r[0]) + string(r[:min(len(r), need)])
		if len(r) >= need {
			return []string{head}, true
		}
		tails, ok := prefixes(rest, need-len(r), false)
		if !ok {
			return []string{head}, true
		}
		out := make([]string, len(tails))
		for i, t := range tails {
			out[i] = head + t
		}
		return out, true
	case syntax.OpCharClass:
		var chars []rune
		for i := 0; i+1 < len(n.Rune); i += 2 {
			for c := n.Rune[i]; c <= n.Rune[i+1]; c++ {
				chars = append(chars, c)
				if len(chars) > 8 {
					return nil, false
				}
			}
		}
		tails, ok := prefixes(rest, need-1, false)
		if !ok {
			tails = []string{""}
		}
		var out []string
		for _, c := range chars {
			for _, t := range tails {
				out = append(out, lead(c)+string(c)+t)
			}
		}
		return out, true
	case syntax.OpCapture:
		return prefixes(append([]*syntax.Regexp{n.Sub[0]}, rest...), need, wordStart)
	case syntax.OpConcat:
		return prefixes(append(append([]*syntax.Regexp{}, n.Sub...), rest...), need, wordStart)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range n.Sub {
			s, ok := prefixes(append([]*syntax.Regexp{sub}, rest...), need, wordStart)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpQuest, syntax.OpStar:
		// Either the optional part is absent, or the match starts with it.
		without, ok := prefixes(rest, need, wordStart)
		if !ok {
			return nil, false
		}
		with, ok := prefixes(n.Sub[:1], need, wordStart)
		if !ok {
			return nil, false
		}
		return append(without, with...), true
	case syntax.OpPlus:
		return prefixes(n.Sub[:1], need, wordStart)
	}
	return nil, false
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		// A string containing a shorter one adds nothing to Contains.
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
