// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	_ "embed" // the word list
	"strings"
	"unicode"
	"unicode/utf8"
)

// CodeHashtagCamelCase is the i18n key of the hint: write each word of a
// hashtag with a capital, so that a screen reader reads "Protezione
// Civile" and not one unknown word.
const CodeHashtagCamelCase = "quality.hashtag.camelcase"

// HashtagHint is advice on one hashtag.
type HashtagHint struct {
	Tag        string // as written, with its #
	Suggestion string // the same words capitalised, "#ProtezioneCivile"; empty when the words could not be told apart
	Code       string
	Start      int // byte offset of the first occurrence in the text
}

// minLetters is the fewest letters of a hashtag worth a hint: two words.
const minLetters = 5

// genericFrom is how many letters a hashtag needs for the hint without a
// suggestion: shorter ones that the word list cannot split are more likely
// one word (a place, a name) than several.
const genericFrom = 12

// HashtagHints returns a hint for each hashtag written all in lower or all
// in upper case that is made of two or more words (#protezionecivile,
// #ALLERTAMETEO), once per hashtag. The words are found with a list of
// common Italian and English civic words; when the list cannot split a
// long hashtag the hint has no suggestion. Hashtags already in mixed case,
// with underscores, or of one word get none.
func HashtagHints(text string) []HashtagHint {
	var out []HashtagHint
	seen := map[string]bool{}
	for start, body := range hashtags(text) {
		tag := text[start : start+len(body)+hashLen(text[start:])]
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if suggestion, ok := camelCase(body); ok {
			out = append(out, HashtagHint{Tag: tag, Suggestion: suggestion, Code: CodeHashtagCamelCase, Start: start})
		}
	}
	return out
}

// hashLen is the length of the hash sign starting s: "#" or the full-width
// "＃" that Japanese and Chinese keyboards type.
func hashLen(s string) int {
	if strings.HasPrefix(s, "＃") {
		return len("＃")
	}
	return 1
}

// hashtags yields each hashtag's offset and its body (without the sign).
// A hashtag starts after a space or punctuation, not inside a word or a
// link ("pagina.html#sezione", "https://x.it/#/home"), and goes on over
// letters, digits and underscores.
func hashtags(text string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		prev := ' '
		for i := 0; i < len(text); {
			r, n := utf8.DecodeRuneInString(text[i:])
			if (r == '#' || r == '＃') && !isWordPart(prev) && !strings.ContainsRune("&/#＃_@=", prev) {
				end := i + n
				for end < len(text) {
					q, m := utf8.DecodeRuneInString(text[end:])
					if !isWordPart(q) && q != '_' {
						break
					}
					end += m
				}
				body := text[i+n : end]
				if strings.IndexFunc(body, unicode.IsLetter) >= 0 && !yield(i, body) {
					return
				}
				if end > i+n {
					prev, _ = utf8.DecodeLastRuneInString(body)
					i = end
					continue
				}
			}
			prev = r
			i += n
		}
	}
}

// camelCase returns "#" and the words of body each with a capital, or ""
// when the words cannot be found; ok says whether to give a hint at all.
func camelCase(body string) (string, bool) {
	if strings.ContainsRune(body, '_') {
		return "", false
	}
	letters, lower, upper := 0, false, false
	for _, r := range body {
		if unicode.IsLetter(r) {
			letters++
			lower = lower || unicode.IsLower(r)
			upper = upper || unicode.IsUpper(r)
		}
	}
	if lower == upper || letters < minLetters {
		return "", false // mixed case, the author chose; or a script without case
	}
	var b strings.Builder
	b.WriteString("#")
	words := 0
	for run, isLetters := range runs(body) {
		if !isLetters {
			b.WriteString(run)
			continue
		}
		parts, ok := segment(run)
		if !ok {
			return "", letters >= genericFrom
		}
		for _, p := range parts {
			b.WriteString(capitalise(p))
		}
		words += len(parts)
	}
	if words < 2 {
		return "", false
	}
	return b.String(), true
}

// runs yields body cut into runs of letters (with their marks) and runs
// of digits and anything else.
func runs(body string) func(yield func(string, bool) bool) {
	return func(yield func(string, bool) bool) {
		start, letters := 0, false
		for i, r := range body {
			isLetter := unicode.IsLetter(r) || letters && unicode.In(r, unicode.Mn, unicode.Mc)
			if i > start && isLetter != letters {
				if !yield(body[start:i], letters) {
					return
				}
				start = i
			}
			letters = isLetter
		}
		if start < len(body) {
			yield(body[start:], letters)
		}
	}
}

func capitalise(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	// Rune by rune, so that no letter turns into two ("İ").
	return string(unicode.ToTitle(r)) + strings.Map(unicode.ToLower, w[n:])
}

// segment splits a run of letters into words of the list: the fewest
// words, and among as few, the longest ones ("protezione civile", not
// "protezione c ivile"). The parts keep the letters as written.
func segment(run string) ([]string, bool) {
	// Fold rune by rune, remembering where each folded rune came from, so
	// that the cuts fall at the same places in the original.
	var folded []rune
	var at []int // byte offset in run of each folded rune
	for i, r := range run {
		if f := foldRune(r); f >= 0 {
			folded = append(folded, f)
			at = append(at, i)
		}
	}
	n := len(folded)
	if n == 0 {
		return nil, false
	}
	at = append(at, len(run))
	// dp[end][s] is the best split of folded[:end]; s says whether its
	// last word has one letter. A one-letter word ("e", "a") may stand only
	// between longer ones: "#scuolaelavoro", never "#AA" as "a a".
	type best struct {
		words, score, from, fromS int // score: the sum of the squares of the lengths
		ok                        bool
	}
	dp := make([][2]best, n+1)
	dp[0][0].ok = true
	for end := 1; end <= n; end++ {
		for l := 1; l <= min(end, maxWordLen); l++ {
			if !hashtagWords[string(folded[end-l:end])] {
				continue
			}
			single := 0
			if l == 1 {
				if end-l == 0 || end == n {
					continue
				}
				single = 1
			}
			for ps := range 2 {
				prev := dp[end-l][ps]
				if !prev.ok || single == 1 && ps == 1 {
					continue
				}
				c := best{words: prev.words + 1, score: prev.score + l*l, from: end - l, fromS: ps, ok: true}
				if cur := dp[end][single]; !cur.ok || c.words < cur.words || c.words == cur.words && c.score > cur.score {
					dp[end][single] = c
				}
			}
		}
	}
	if !dp[n][0].ok {
		return nil, false
	}
	var parts []string
	for end, st := n, 0; end > 0; {
		b := dp[end][st]
		parts = append(parts, run[at[b.from]:at[end]])
		end, st = b.from, b.fromS
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts, true
}

//go:embed hashtag_words.txt
var hashtagWordsFile string

// hashtagWords is the word list, folded; maxWordLen its longest word in
// runes.
var hashtagWords, maxWordLen = loadWords(hashtagWordsFile)

func loadWords(file string) (map[string]bool, int) {
	words, longest := map[string]bool{}, 0
	for line := range strings.Lines(file) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			f := fold(w)
			words[f] = true
			longest = max(longest, utf8.RuneCountInString(f))
		}
	}
	return words, longest
}
