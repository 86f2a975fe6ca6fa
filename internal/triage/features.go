// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"math"
	"slices"
	"strings"
)

// Feature groups. Text groups (words, word pairs, character n-grams) are
// weighted TF-IDF and normalised each on its own, so a long e-mail does not
// drown the lexicon and rule features, which keep their own scale.
const (
	groupWord = 'w'
	groupPair = 'b'
	groupChar = 'c'
	groupLex  = 'l'
	groupRule = 'r'
	groupSig  = 's'
)

// fieldGroupWeight balances the groups for each field; tuned by
// cross-validation (BENCHMARKS.md).
var fieldGroupWeight = [nFields]map[byte]float64{
	fieldCategory:   {groupWord: 1.0, groupPair: 0.5, groupChar: 1.0, groupLex: 0.6, groupRule: 1.0, groupSig: 1.0},
	fieldOffice:     {groupWord: 1.0, groupPair: 0.5, groupChar: 1.0, groupLex: 0.6, groupRule: 0.6, groupSig: 0.4},
	fieldUrgency:    {groupWord: 1.0, groupPair: 0.5, groupChar: 1.0, groupLex: 0.6, groupRule: 0.6, groupSig: 0.4},
	fieldModeration: {groupWord: 1.0, groupPair: 0.5, groupChar: 1.0, groupLex: 0.6, groupRule: 0.6, groupSig: 0.4},
}

// textGroup reports whether idf and normalisation apply to a group.
func textGroup(g byte) bool { return g == groupWord || g == groupPair || g == groupChar }

// doc is one message, analysed once and read by features, rules and the
// near-duplicate memory.
type doc struct {
	a     analysis
	hits  ruleHits
	stems []string           // content stems
	raw   map[string]float64 // feature name → raw value (term count, score)
	chars map[uint64]float64 // character n-gram hash → count
}

func newDoc(text string) doc {
	a := analyse(text)
	d := doc{a: a, stems: contentStems(a)}
	if len(a.tokens) > 0 || text != "" {
		d.hits = applyRules(a, truncate(text))
	}
	d.raw = rawFeatures(d)
	d.chars = charFeatures(d)
	return d
}

func truncate(s string) string {
	s = strings.ToValidUTF8(s, " ")
	if len(s) > 4*maxRunes {
		s = s[:4*maxRunes]
		s = strings.ToValidUTF8(s, "")
	}
	return s
}

func rawFeatures(d doc) map[string]float64 {
	f := map[string]float64{}
	prev := ""
	for _, t := range d.a.tokens {
		if t.stop {
			continue
		}
		f["w:"+t.stem]++
		if prev != "" {
			f["b:"+prev+"_"+t.stem]++
		}
		prev = t.stem
	}
	offices := officeLex.match(d.stems)
	for office, n := range d.hits.route {
		offices[office] += n
	}
	for class, n := range offices {
		f["l:o:"+class] = math.Log1p(n)
	}
	for class, n := range categoryLex.match(d.stems) {
		f["l:c:"+class] = math.Log1p(n)
	}
	for _, name := range d.hits.names {
		f["r:"+name] = 1
	}
	for name, n := range d.hits.intent {
		f["r:intent:"+name] = math.Log1p(n)
	}
	f["r:danger"] = d.hits.danger
	f["r:personal"] = d.hits.personal
	f["r:offensive"] = d.hits.offensive
	f["r:spam"] = d.hits.spam
	sig := d.a.signals
	f["s:qmark"] = math.Min(sig["qmark"], 3) / 3
	f["s:excl"] = math.Min(sig["excl"], 4) / 4
	f["s:shout"] = sig["shout"]
	f["s:mention"] = math.Min(sig["mention"], 1)
	f["s:hashtag"] = math.Min(sig["hashtag"], 1)
	switch n := sig["runes"]; {
	case n < 40:
		f["s:len:short"] = 1
	case n < 120:
		f["s:len:medium"] = 1
	case n < 300:
		f["s:len:long"] = 1
	default:
		f["s:len:verylong"] = 1
	}
	f["s:bias"] = 1
	for k, v := range f {
		if v == 0 {
			delete(f, k)
		}
	}
	return f
}

// charFeatures counts the character 3- to 5-grams of each content word,
// with its boundaries ("_buca_" gives "_bu", "buc", …): they match
// misspellings and inflections the stemmer misses. They are hashed, not
// spelled out, because a message has hundreds of them.
func charFeatures(d doc) map[uint64]float64 {
	f := make(map[uint64]float64, 8*len(d.a.tokens))
	var r []rune
	for _, t := range d.a.tokens {
		if t.stop || t.marker {
			continue
		}
		r = append(append(append(r[:0], '_'), []rune(t.fold)...), '_')
		for n := 3; n <= 5; n++ {
			for i := 0; i+n <= len(r); i++ {
				h := uint64(fnvOffset)
				for _, c := range r[i : i+n] {
					h = (h ^ uint64(c)) * fnvPrime
				}
				f[h]++
			}
		}
	}
	return f
}

// FNV-1a, inlined: hashing through hash/fnv would allocate per n-gram.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// sparse is a feature vector: sorted indices and their values.
type sparse struct {
	idx []int32
	val []float32
}

// vocabulary maps feature names (and character n-gram hashes) to indices
// and holds the idf of text features; it is built once from the training
// messages.
type vocabulary struct {
	index  map[string]int32
	chars  map[uint64]int32
	idf    []float32
	groups []byte
}

// minDocs drops text features seen in fewer training messages: they cannot
// generalise and would only grow every organisation's model.
const minDocs = 2

func buildVocabulary(docs []doc) *vocabulary {
	df := map[string]int{}
	cdf := map[uint64]int{}
	for _, d := range docs {
		for k := range d.raw {
			df[k]++
		}
		for h := range d.chars {
			cdf[h]++
		}
	}
	names := make([]string, 0, len(df))
	for k, n := range df {
		if textGroup(k[0]) && n < minDocs {
			continue
		}
		names = append(names, k)
	}
	hashes := make([]uint64, 0, len(cdf))
	for h, n := range cdf {
		if n >= minDocs {
			hashes = append(hashes, h)
		}
	}
	// Sorted, so indices and hence training are deterministic.
	slices.Sort(names)
	slices.Sort(hashes)
	size := len(names) + len(hashes)
	v := &vocabulary{index: make(map[string]int32, len(names)), chars: make(map[uint64]int32, len(hashes)),
		idf: make([]float32, size), groups: make([]byte, size)}
	n := float64(len(docs))
	idf := func(df int) float32 { return float32(math.Log((n+1)/(float64(df)+1)) + 1) }
	for i, k := range names {
		v.index[k] = int32(i)
		v.groups[i] = k[0]
		v.idf[i] = 1
		if textGroup(k[0]) {
			v.idf[i] = idf(df[k])
		}
	}
	for j, h := range hashes {
		i := len(names) + j
		v.chars[h] = int32(i)
		v.groups[i] = groupChar
		v.idf[i] = idf(cdf[h])
	}
	return v
}

// vector returns the features of d, text groups normalised, before the
// weights of each field (see weighted).
func (v *vocabulary) vector(d doc) sparse {
	type entry struct {
		i int32
		x float64
	}
	entries := make([]entry, 0, len(d.raw)+len(d.chars))
	var norms [128]float64
	for k, x := range d.raw {
		if i, ok := v.index[k]; ok {
			if textGroup(k[0]) {
				x = (1 + math.Log(x)) * float64(v.idf[i])
				norms[k[0]] += x * x
			}
			entries = append(entries, entry{i, x})
		}
	}
	for h, x := range d.chars {
		if i, ok := v.chars[h]; ok {
			x = (1 + math.Log(x)) * float64(v.idf[i])
			norms[groupChar] += x * x
			entries = append(entries, entry{i, x})
		}
	}
	// Sorted, so that sums run in the same order every time.
	slices.SortFunc(entries, func(a, b entry) int { return int(a.i - b.i) })
	s := sparse{idx: make([]int32, len(entries)), val: make([]float32, len(entries))}
	for j, e := range entries {
		x := e.x
		if g := v.groups[e.i]; textGroup(g) && norms[g] > 0 {
			x /= math.Sqrt(norms[g])
		}
		s.idx[j] = e.i
		s.val[j] = float32(x)
	}
	return s
}

// weighted scales x by the group weights of field f.
func (v *vocabulary) weighted(x sparse, f int) sparse {
	out := sparse{idx: x.idx, val: make([]float32, len(x.val))}
	gw := &groupWeights[f]
	for j, i := range x.idx {
		out.val[j] = x.val[j] * gw[v.groups[i]]
	}
	return out
}

// groupWeights is fieldGroupWeight indexed by the group's letter.
var groupWeights = func() (out [nFields][128]float32) {
	for f, m := range fieldGroupWeight {
		for g, w := range m {
			out[f][g] = float32(w)
		}
	}
	return out
}()
