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
// The base model also trains on the hand-written messages of
// internal/triage/data/desk-handwritten.tsv. Cross-validation is measured on
// the base set both without them and with them added to every training fold
// (never to a test fold), so the two are compared on the same test folds.
// The held-out hand-written messages (testdata/handwritten.tsv) are
// measured on models trained on all the training messages.
//
//	go run ./bench/triage
//
// A new batch of hand-written messages is measured alone, before its
// errors are read, with
//
//	go run ./bench/triage -cv=false -handwritten batch.tsv
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
	handwritten := flag.String("handwritten", "internal/triage/testdata/handwritten.tsv", "held-out hand-written messages to test the models trained on all the training messages, comma-separated files each measured apart (empty: skip)")
	cv := flag.Bool("cv", true, "run the cross-validation and the timing; false measures only the hand-written files, e.g. a new batch before its errors are read")
	flag.Parse()
	if err := run(*folds, *seeds, *handwritten, *cv); err != nil {
		fmt.Fprintln(os.Stderr, "triage bench:", err)
		os.Exit(1)
	}
}

// candidate is a model under measure and how to train it.
type candidate struct {
	name  string
	train func([]triage.Example) (triage.Classifier, error)
}

func run(k, seeds int, handwritten string, cv bool) error {
	ex, err := triage.BaseExamples()
	if err != nil {
		return err
	}
	extra, err := triage.HandwrittenExamples()
	if err != nil {
		return err
	}
	fmt.Printf("Machine: %s, %d CPUs (%s/%s), %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())

	models := []candidate{
		{"Piazza triage", func(tr []triage.Example) (triage.Classifier, error) { return triage.Train(tr) }},
		{"Baseline: TF-IDF words + logistic regression", func(tr []triage.Example) (triage.Classifier, error) { return trainBaseline(tr, wordTerms), nil }},
		{"Baseline: TF-IDF character 2–5-grams + logistic regression", func(tr []triage.Example) (triage.Classifier, error) { return trainBaseline(tr, charTerms), nil }},
	}
	all := append(append([]triage.Example(nil), ex...), extra...)
	if cv {
		if err := crossValidate(ex, nil, k, seeds, models); err != nil {
			return err
		}
		if err := crossValidate(ex, extra, k, seeds, models); err != nil {
			return err
		}
	}
	if handwritten != "" {
		if err := reportHandwritten(strings.Split(handwritten, ","), all, models); err != nil {
			return err
		}
	}
	if !cv {
		return nil
	}
	return timing(ex, all)
}

// crossValidate reports every model under k-fold cross-validation of ex
// repeated with seeds fold assignments. The extra messages are added to
// every training fold and never tested on: the test folds, and so the
// figures, are those of the base set alone.
func crossValidate(ex, extra []triage.Example, k, seeds int, models []candidate) error {
	fmt.Printf("%d messages, %d-fold cross-validation stratified on the office, %d seeds; mean ± sd over the seeds; %d more messages in every training fold.\n\n",
		len(ex), k, seeds, len(extra))
	for _, m := range models {
		train := m.train
		if len(extra) > 0 {
			train = func(tr []triage.Example) (triage.Classifier, error) {
				return m.train(append(tr[:len(tr):len(tr)], extra...))
			}
		}
		var runs []triage.Scores
		for seed := 1; seed <= seeds; seed++ {
			f := triage.StratifiedFolds(ex, k, uint64(seed), func(l triage.Labels) string { return l.Office })
			gold, pred, err := triage.CrossValidate(ex, f, train)
			if err != nil {
				return err
			}
			runs = append(runs, triage.Score(gold, pred))
		}
		name := m.name
		if len(extra) > 0 {
			name += fmt.Sprintf(", with the %d hand-written training messages", len(extra))
		}
		report(name, runs)
	}
	return nil
}

// reportHandwritten trains each model on all the training messages and
// measures it on each file of messages written apart from it.
func reportHandwritten(paths []string, training []triage.Example, models []candidate) error {
	trained := make([]triage.Classifier, len(models))
	for i, m := range models {
		c, err := m.train(training)
		if err != nil {
			return err
		}
		trained[i] = c
	}
	for _, path := range paths {
		test, err := readHandwritten(path)
		if err != nil {
			return err
		}
		alta := 0
		for _, e := range test {
			if e.Urgency == "alta" {
				alta++
			}
		}
		fmt.Printf("### Hand-written messages of %s (%d, %d urgent), models trained on all %d training messages\n\n", path, len(test), alta, len(training))
		fmt.Printf("| model | category acc / macro-F1 | office acc / macro-F1 | urgency acc | alta precision / recall | moderation acc |\n|---|---|---|---|---|---|\n")
		for i, m := range models {
			gold := make([]triage.Labels, len(test))
			pred := make([]triage.Labels, len(test))
			for j, e := range test {
				gold[j], pred[j] = e.Labels, trained[i].Classify(e.Text).Labels
			}
			s := triage.Score(gold, pred)
			a := s.Urgency.Classes["alta"]
			fmt.Printf("| %s | %.3f / %.3f | %.3f / %.3f | %.3f | %.3f / %.3f | %.3f |\n", m.name, s.Category.Accuracy, s.Category.MacroF1,
				s.Office.Accuracy, s.Office.MacroF1, s.Urgency.Accuracy, a.Precision, a.Recall, s.Moderation.Accuracy)
		}
		fmt.Println()
	}
	return nil
}

// readHandwritten reads labelled messages: category, office, urgency,
// moderation and text, tab-separated; "#" starts a comment.
func readHandwritten(path string) ([]triage.Example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	test, err := triage.ParseTSV(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return test, nil
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

// timing measures training on the base messages and on all the training
// messages, the start-up of the base model (median of 5 each), and the
// classification of each base message in turn by the latter.
func timing(ex, all []triage.Example) error {
	train := func(tr []triage.Example) (*triage.Model, time.Duration, error) {
		var took []time.Duration
		var m *triage.Model
		for i := 0; i < 5; i++ {
			start := time.Now()
			var err error
			if m, err = triage.Train(tr); err != nil {
				return nil, 0, err
			}
			took = append(took, time.Since(start))
		}
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		return m, took[2], nil
	}
	_, tookBase, err := train(ex)
	if err != nil {
		return err
	}
	m, took, err := train(all)
	if err != nil {
		return err
	}
	const rounds = 20
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, e := range ex {
			m.Classify(e.Text)
		}
	}
	perOp := time.Since(start) / time.Duration(rounds*len(ex))
	fmt.Printf("### Speed\n\n| measure | value |\n|---|---|\n")
	fmt.Printf("| training on the %d base messages (median of 5) | %d ms |\n", len(ex), tookBase.Milliseconds())
	fmt.Printf("| training on all %d training messages, the base model's start-up (median of 5) | %d ms |\n", len(all), took.Milliseconds())
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
// norm), or character n-grams for a stronger variant, and a multinomial logistic regression with an L2 penalty
// (C = 1/(λ·n)), fitted per field by stochastic gradient descent. C is
// picked per field from {1, 10, 100} by 3-fold cross-validation inside the
// training folds, so the baseline gets a fair chance.

var baselineToken = regexp.MustCompile(`[\p{L}\p{N}_]{2,}`)

// wordTerms are scikit-learn's default tokens: words of two characters or
// more, lower-cased.
func wordTerms(text string) []string {
	return baselineToken.FindAllString(strings.ToLower(text), -1)
}

// charTerms are scikit-learn's "char_wb" analyser with n from 2 to 5:
// character n-grams inside each word padded with spaces.
func charTerms(text string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(text)) {
		r := []rune(" " + w + " ")
		for n := 2; n <= 5; n++ {
			for i := 0; i+n <= len(r); i++ {
				out = append(out, string(r[i:i+n]))
			}
		}
	}
	return out
}

type baseline struct {
	terms  func(string) []string
	vocab  map[string]int
	idf    []float64
	fields [4]*softmax
}

// vec is a sparse vector: feature indices and values.
type vec struct {
	idx []int
	val []float64
}

type softmax struct {
	classes []string
	k       int
	w       []float64 // feature-major: w[f*k+c]
	b       []float64
}

func (b *baseline) vector(text string) vec {
	tf := map[int]float64{}
	for _, tok := range b.terms(text) {
		if i, ok := b.vocab[tok]; ok {
			tf[i]++
		}
	}
	var v vec
	n := 0.0
	for i := range tf {
		v.idx = append(v.idx, i)
	}
	sort.Ints(v.idx)
	for _, i := range v.idx {
		x := tf[i] * b.idf[i]
		v.val = append(v.val, x)
		n += x * x
	}
	for j := range v.val {
		v.val[j] /= math.Sqrt(n)
	}
	return v
}

func field(l triage.Labels, f int) string {
	return [4]string{l.Category, l.Office, l.Urgency, l.Moderation}[f]
}

var codes = [4][]string{triage.Categories, triage.Offices, triage.Urgencies, triage.Moderations}

func trainBaseline(ex []triage.Example, terms func(string) []string) *baseline {
	b := &baseline{terms: terms, vocab: map[string]int{}}
	df := map[string]int{}
	for _, e := range ex {
		seen := map[string]bool{}
		for _, tok := range terms(e.Text) {
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
	best, bestC := -1, 1.0
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
		if correct > best {
			best, bestC = correct, c
		}
	}
	return bestC
}

// fitSoftmax minimises the penalised log loss by stochastic gradient
// descent, 50 passes with a decreasing step; the weights are kept as
// scale·v so the penalty costs one multiplication per step.
func fitSoftmax(xs []vec, ys []int, classes []string, nFeat int, lambda float64) *softmax {
	k := len(classes)
	m := &softmax{classes: classes, k: k, w: make([]float64, nFeat*k), b: make([]float64, k)}
	scale := 1.0
	p := make([]float64, k)
	t := 0.0
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	const rate = 0.5
	for epoch := 0; epoch < 50; epoch++ {
		// A fixed permutation per epoch keeps the run reproducible.
		for j := range order {
			order[j] = (j*7919 + epoch*104729) % len(xs)
		}
		for _, i := range order {
			eta := rate / (1 + rate*lambda*t)
			t++
			m.raw(xs[i], scale, p)
			normalise(p)
			scale *= 1 - eta*lambda
			p[ys[i]]--
			for c := range p {
				p[c] *= eta
				m.b[c] -= p[c]
			}
			for j, f := range xs[i].idx {
				x := xs[i].val[j] / scale
				for c := 0; c < k; c++ {
					m.w[f*k+c] -= p[c] * x
				}
			}
			if scale < 1e-6 {
				for j := range m.w {
					m.w[j] *= scale
				}
				scale = 1
			}
		}
	}
	for j := range m.w {
		m.w[j] *= scale
	}
	return m
}

func (m *softmax) raw(x vec, scale float64, p []float64) {
	copy(p, m.b)
	for j, f := range x.idx {
		v := x.val[j] * scale
		for c := 0; c < m.k; c++ {
			p[c] += m.w[f*m.k+c] * v
		}
	}
}

func normalise(p []float64) {
	hi := math.Inf(-1)
	for _, v := range p {
		hi = math.Max(hi, v)
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
	p := make([]float64, m.k)
	m.raw(x, 1, p)
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
	var out [4]string
	for f, m := range b.fields {
		out[f] = m.classes[m.predict(x)]
	}
	var r triage.Result
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
