// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"math"
	"sort"
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
}

func newDoc(text string) doc {
	a := analyse(text)
	d := doc{a: a, stems: contentStems(a)}
	if len(a.tokens) > 0 || text != "" {
		d.hits = applyRules(a, truncate(text))
	}
	d.raw = rawFeatures(d)
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
		if !t.marker {
			word := "_" + t.fold + "_"
			r := []rune(word)
			for n := 3; n <= 5; n++ {
				for i := 0; i+n <= len(r); i++ {
					f["c:"+string(r[i:i+n])]++
				}
			}
		}
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

// sparse is a feature vector: sorted indices and their values.
type sparse struct {
	idx []int32
	val []float32
}

// vocabulary maps feature names to indices and holds the idf of text
// features; it is built once from the training messages.
type vocabulary struct {
	index  map[string]int32
	idf    []float32
	groups []byte
}

// minDocs drops text features seen in fewer training messages: they cannot
// generalise and would only grow every organisation's model.
var minDocs = 2

func buildVocabulary(docs []doc) *vocabulary {
	df := map[string]int{}
	for _, d := range docs {
		for k := range d.raw {
			df[k]++
		}
	}
	names := make([]string, 0, len(df))
	for k, n := range df {
		if textGroup(k[0]) && n < minDocs {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names) // deterministic indices, hence deterministic training
	v := &vocabulary{index: make(map[string]int32, len(names)), idf: make([]float32, len(names)), groups: make([]byte, len(names))}
	n := float64(len(docs))
	for i, k := range names {
		v.index[k] = int32(i)
		v.groups[i] = k[0]
		if textGroup(k[0]) {
			v.idf[i] = float32(math.Log((n+1)/(float64(df[k])+1)) + 1)
		} else {
			v.idf[i] = 1
		}
	}
	return v
}

// vector returns the features of d, text groups normalised, before the
// weights of each field (see weighted).
func (v *vocabulary) vector(d doc) sparse {
	type entry struct {
		i int32
		x float64
		g byte
	}
	entries := make([]entry, 0, len(d.raw))
	norms := map[byte]float64{}
	for k, x := range d.raw {
		i, ok := v.index[k]
		if !ok {
			continue
		}
		g := k[0]
		if textGroup(g) {
			x = (1 + math.Log(x)) * float64(v.idf[i])
			norms[g] += x * x
		}
		entries = append(entries, entry{i, x, g})
	}
	sort.Slice(entries, func(a, b int) bool { return entries[a].i < entries[b].i })
	s := sparse{idx: make([]int32, len(entries)), val: make([]float32, len(entries))}
	for j, e := range entries {
		x := e.x
		if textGroup(e.g) && norms[e.g] > 0 {
			x /= math.Sqrt(norms[e.g])
		}
		s.idx[j] = e.i
		s.val[j] = float32(x)
	}
	return s
}

// weighted scales x by the group weights of field f.
func (v *vocabulary) weighted(x sparse, f int) sparse {
	out := sparse{idx: x.idx, val: make([]float32, len(x.val))}
	gw := fieldGroupWeight[f]
	for j, i := range x.idx {
		out.val[j] = x.val[j] * float32(gw[v.groups[i]])
	}
	return out
}
