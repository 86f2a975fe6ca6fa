// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"math"
	"math/rand/v2"
)

// softmaxModel is a multinomial logistic regression: one weight per feature
// and class. Its softmax gives probabilities good enough to show as a
// confidence, which a margin-based model would not.
type softmaxModel struct {
	classes []string
	nFeat   int
	w       []float32 // feature-major: w[f*len(classes)+c]
	b       []float32
}

// trainOptions are the knobs of trainSoftmax, tuned by cross-validation.
type trainOptions struct {
	epochs  int
	rate    float64 // initial learning rate
	l2      float64 // weight of the L2 penalty, per example
	balance float64 // 0: no class weights, 1: fully balanced, between: power
	seed    uint64
}

var defaultTrain = trainOptions{epochs: 30, rate: 0.5, l2: 1e-3, balance: 0.5, seed: 1}

// trainSoftmax minimises the L2-penalised log loss by stochastic gradient
// descent (Bottou's schedule). The weights are stored scaled, w = scale·v,
// so the penalty shrinks every weight at every step for the price of one
// multiplication: with 300 examples a penalty on all features, rare ones
// included, is what keeps a word seen once from deciding a class.
func trainSoftmax(xs []sparse, ys []int, classes []string, nFeat int, opt trainOptions) *softmaxModel {
	k := len(classes)
	m := &softmaxModel{classes: classes, nFeat: nFeat, w: make([]float32, nFeat*k), b: make([]float32, k)}
	if len(xs) == 0 {
		return m
	}
	counts := make([]float64, k)
	for _, y := range ys {
		counts[y]++
	}
	classWeight := make([]float64, k)
	for c := range classWeight {
		if counts[c] > 0 {
			classWeight[c] = math.Pow(float64(len(ys))/(float64(k)*counts[c]), opt.balance)
		}
	}
	v := make([]float64, nFeat*k)
	b := make([]float64, k)
	scale := 1.0
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.seed, 0x7419)) //nolint:gosec // G404: training must be reproducible, not secret
	p := make([]float64, k)
	t := 0.0
	for epoch := 0; epoch < opt.epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x, y := xs[i], ys[i]
			eta := opt.rate / (1 + opt.rate*opt.l2*t)
			t++
			// scores with the current weights
			copy(p, b)
			for j, f := range x.idx {
				row := v[int(f)*k : int(f)*k+k]
				xv := float64(x.val[j]) * scale
				for c := range row {
					p[c] += row[c] * xv
				}
			}
			softmax(p)
			scale *= 1 - eta*opt.l2
			sw := classWeight[y] * eta
			p[y]--
			for c := range p {
				p[c] *= sw
				b[c] -= p[c]
			}
			for j, f := range x.idx {
				row := v[int(f)*k : int(f)*k+k]
				xv := float64(x.val[j]) / scale
				for c := range row {
					row[c] -= p[c] * xv
				}
			}
			if scale < 1e-6 {
				for i := range v {
					v[i] *= scale
				}
				scale = 1
			}
		}
	}
	for i := range v {
		m.w[i] = float32(v[i] * scale)
	}
	for c := range b {
		m.b[c] = float32(b[c])
	}
	return m
}

func (m *softmaxModel) scores(x sparse, out []float64) {
	k := len(m.classes)
	for c := 0; c < k; c++ {
		out[c] = float64(m.b[c])
	}
	for j, f := range x.idx {
		if int(f) >= m.nFeat {
			continue
		}
		row := m.w[int(f)*k : int(f)*k+k]
		v := float64(x.val[j])
		for c := 0; c < k; c++ {
			out[c] += float64(row[c]) * v
		}
	}
}

// probs returns the class probabilities of x.
func (m *softmaxModel) probs(x sparse) []float64 {
	p := make([]float64, len(m.classes))
	m.scores(x, p)
	softmax(p)
	return p
}

func softmax(p []float64) {
	hi := math.Inf(-1)
	for _, v := range p {
		hi = math.Max(hi, v)
	}
	sum := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}
