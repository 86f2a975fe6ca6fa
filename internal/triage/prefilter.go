// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// Go's regexp scans a message once per rule and is slow on long
// alternations; most rules match few messages. A prefilter lists the
// literal beginnings any match must start with ("incapac", "ladr", …) and
// the expensive regexp runs only when the text contains one of them.

// maxPrefix bounds the literal beginnings: longer ones select better, but
// multiply through alternations and character classes.
const maxPrefix = 5

// prefilter reports whether re may match text; nil means always.
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
