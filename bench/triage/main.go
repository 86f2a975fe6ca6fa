// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command triage measures the offline triage of citizen messages: accuracy
// and macro-F1 of each field under stratified 10-fold cross-validation
// (stratified on the office, repeated with 3 seeds; every prediction is made
// by a model that never saw the message), precision and recall of each
// urgency, the same figures for a plain TF-IDF and logistic-regression
// baseline, training time and classification latency. It prints Markdown
// for BENCHMARKS.md.
//
//	go run ./bench/triage
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/triage"
)

func main() {
	folds := flag.Int("folds", 10, "cross-validation folds")
	seeds := flag.Int("seeds", 3, "repetitions with different fold assignments")
	flag.Parse()
	if err := run(*folds, *seeds); err != nil {
		fmt.Fprintln(os.Stderr, "triage bench:", err)
		os.Exit(1)
	}
}

func run(k, seeds int) error {
	ex, err := triage.BaseExamples()
	if err != nil {
		return err
	}
	fmt.Printf("Machine: %s, %d CPUs (%s/%s), %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("%d messages, %d-fold cross-validation stratified on the office, %d seeds; mean ± sd over the seeds.\n\n", len(ex), k, seeds)

	models := []struct {
		name  string
		train func([]triage.Example) (triage.Classifier, error)
	}{
		{"Piazza triage", func(tr []triage.Example) (triage.Classifier, error) { return triage.Train(tr) }},
		{"Baseline: TF-IDF words + logistic regression", func(tr []triage.Example) (triage.Classifier, error) { return trainBaseline(tr), nil }},
	}
	for _, m := range models {
		var runs []triage.Scores
		for seed := 1; seed <= seeds; seed++ {
			f := triage.StratifiedFolds(ex, k, uint64(seed), func(l triage.Labels) string { return l.Office })
			gold, pred, err := triage.CrossValidate(ex, f, m.train)
			if err != nil {
				return err
			}
			runs = append(runs, triage.Score(gold, pred))
		}
		report(m.name, runs)
	}
	return timing(ex)
}

func report(name string, runs []triage.Scores) {
	fmt.Printf("### %s\n\n| field | accuracy | macro-F1 |\n|---|---|---|\n", name)
	fields := []struct {
		name string
		get  func(triage.Scores) triage.FieldScores
	}{
		{"category", func(s triage.Scores) triage.FieldScores { return s.Category }},
		{"office", func(s triage.Scores) triage.FieldScores { return s.Office }},
		{"urgency", func(s triage.Scores) triage.FieldScores { return s.Urgency }},
		{"moderation", func(s triage.Scores) triage.FieldScores { return s.Moderation }},
	}
	for _, f := range fields {
		var acc, f1 []float64
		for _, r := range runs {
			acc = append(acc, f.get(r).Accuracy)
			f1 = append(f1, f.get(r).MacroF1)
		}
		fmt.Printf("| %s | %s | %s |\n", f.name, meanSD(acc), meanSD(f1))
	}
	fmt.Printf("\n| urgency | precision | recall | support |\n|---|---|---|---|\n")
	for _, u := range triage.Urgencies {
		var p, r []float64
		support := 0
		for _, run := range runs {
			c := run.Urgency.Classes[u]
			p, r, support = append(p, c.Precision), append(r, c.Recall), c.Support
		}
		fmt.Printf("| %s | %s | %s | %d |\n", u, meanSD(p), meanSD(r), support)
	}
	fmt.Printf("\n| moderation | precision | recall | support |\n|---|---|---|---|\n")
	for _, u := range triage.Moderations {
		var p, r []float64
		support := 0
		for _, run := range runs {
			c := run.Moderation.Classes[u]
			p, r, support = append(p, c.Precision), append(r, c.Recall), c.Support
		}
		fmt.Printf("| %s | %s | %s | %d |\n", u, meanSD(p), meanSD(r), support)
	}
	fmt.Println()
}

func meanSD(xs []float64) string {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	if len(xs) > 1 {
		v /= float64(len(xs) - 1)
	}
	return fmt.Sprintf("%.3f ± %.3f", m, math.Sqrt(v))
}

// timing measures training on all the messages (median of 5) and the
// classification of each of them in turn.
func timing(ex []triage.Example) error {
	var took []time.Duration
	var m *triage.Model
	for i := 0; i < 5; i++ {
		start := time.Now()
		var err error
		if m, err = triage.Train(ex); err != nil {
			return err
		}
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	const rounds = 20
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, e := range ex {
			m.Classify(e.Text)
		}
	}
	perOp := time.Since(start) / time.Duration(rounds*len(ex))
	fmt.Printf("### Speed\n\n| measure | value |\n|---|---|\n")
	fmt.Printf("| training on %d messages (median of 5) | %d ms |\n", len(ex), took[2].Milliseconds())
	fmt.Printf("| classify one message (mean over %d) | %d ns/op |\n", rounds*len(ex), perOp.Nanoseconds())
	return nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimLeft(name, " \t:"))
		}
	}
	return "unknown CPU"
}

// The baseline is what the issue compares against: lower-cased words of two
// letters or more (scikit-learn's TfidfVectorizer defaults: smooth idf, L2
// norm) and a multinomial logistic regression with an L2 penalty
// (C = 1/(λ·n)), fitted per field by full-batch gradient descent. C is
// picked per field from a small grid by cross-validation inside the
// training folds, so the baseline gets a fair chance.

var baselineToken = regexp.MustCompile(`[\p{L}\p{N}_]{2,}`)

type baseline struct {
	vocab  map[string]int
	idf    []float64
	fields [4]*softmax
}

type softmax struct {
	classes []string
	w       [][]float64 // class × feature
	b       []float64
}

type vec map[int]float64

func (b *baseline) vector(text string) vec {
	v := vec{}
	for _, tok := range baselineToken.FindAllString(strings.ToLower(text), -1) {
		if i, ok := b.vocab[tok]; ok {
			v[i]++
		}
	}
	n := 0.0
	for i, x := range v {
		v[i] = x * b.idf[i]
		n += v[i] * v[i]
	}
	for i := range v {
		v[i] /= math.Sqrt(n)
	}
	return v
}

func field(l triage.Labels, f int) string {
	return [4]string{l.Category, l.Office, l.Urgency, l.Moderation}[f]
}

var codes = [4][]string{triage.Categories, triage.Offices, triage.Urgencies, triage.Moderations}

func newBaseline(ex []triage.Example) *baseline {
	b := &baseline{vocab: map[string]int{}}
	df := map[string]int{}
	for _, e := range ex {
		seen := map[string]bool{}
		for _, tok := range baselineToken.FindAllString(strings.ToLower(e.Text), -1) {
			if !seen[tok] {
				seen[tok] = true
				df[tok]++
			}
		}
	}
	words := make([]string, 0, len(df))
	for w := range df {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, w := range words {
		b.vocab[w] = len(b.idf)
		b.idf = append(b.idf, math.Log(float64(1+len(ex))/float64(1+df[w]))+1)
	}
	return b
}

func trainBaseline(ex []triage.Example) *baseline {
	b := newBaseline(ex)
	xs := make([]vec, len(ex))
	for i, e := range ex {
		xs[i] = b.vector(e.Text)
	}
	for f := 0; f < 4; f++ {
		ys := make([]int, len(ex))
		for i, e := range ex {
			ys[i] = indexOf(codes[f], field(e.Labels, f))
		}
		c := pickC(xs, ys, len(codes[f]), len(b.idf))
		b.fields[f] = fitSoftmax(xs, ys, codes[f], len(b.idf), 1/(c*float64(len(xs))))
	}
	return b
}

// pickC chooses the penalty by 3-fold cross-validation on the training
// messages only, by accuracy.
func pickC(xs []vec, ys []int, k, nFeat int) float64 {
	best, bestC := -1.0, 1.0
	for _, c := range []float64{1, 10, 100} {
		correct := 0
		for fold := 0; fold < 3; fold++ {
			var trX []vec
			var trY []int
			for i := range xs {
				if i%3 != fold {
					trX, trY = append(trX, xs[i]), append(trY, ys[i])
				}
			}
			m := fitSoftmax(trX, trY, make([]string, k), nFeat, 1/(c*float64(len(trX))))
			for i := fold; i < len(xs); i += 3 {
				if m.predict(xs[i]) == ys[i] {
					correct++
				}
			}
		}
		if float64(correct) > best {
			best, bestC = float64(correct), c
		}
	}
	return bestC
}

func fitSoftmax(xs []vec, ys []int, classes []string, nFeat int, lambda float64) *softmax {
	k := len(classes)
	m := &softmax{classes: classes, w: make([][]float64, k), b: make([]float64, k)}
	for c := range m.w {
		m.w[c] = make([]float64, nFeat)
	}
	gw := make([][]float64, k)
	for c := range gw {
		gw[c] = make([]float64, nFeat)
	}
	gb := make([]float64, k)
	p := make([]float64, k)
	n := float64(len(xs))
	// Full-batch gradient descent with a fixed step: the loss is convex
	// and the features are normalised, so it converges steadily.
	for it := 0; it < 300; it++ {
		for c := range gw {
			clear(gw[c])
		}
		clear(gb)
		for i, x := range xs {
			m.scores(x, p)
			p[ys[i]]--
			for c := range p {
				gb[c] += p[c] / n
				for f, v := range x {
					gw[c][f] += p[c] * v / n
				}
			}
		}
		const step = 4.0
		for c := range m.w {
			m.b[c] -= step * gb[c]
			for f := range m.w[c] {
				m.w[c][f] -= step * (gw[c][f] + lambda*m.w[c][f])
			}
		}
	}
	return m
}

func (m *softmax) scores(x vec, p []float64) {
	hi := math.Inf(-1)
	for c := range p {
		s := m.b[c]
		for f, v := range x {
			s += m.w[c][f] * v
		}
		p[c] = s
		hi = math.Max(hi, s)
	}
	sum := 0.0
	for c := range p {
		p[c] = math.Exp(p[c] - hi)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
}

func (m *softmax) predict(x vec) int {
	p := make([]float64, len(m.b))
	m.scores(x, p)
	best := 0
	for c := range p {
		if p[c] > p[best] {
			best = c
		}
	}
	return best
}

func (b *baseline) Classify(text string) triage.Result {
	x := b.vector(text)
	var r triage.Result
	var out [4]string
	for f, m := range b.fields {
		out[f] = m.classes[m.predict(x)]
	}
	r.Category, r.Office, r.Urgency, r.Moderation = out[0], out[1], out[2], out[3]
	return r
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}
