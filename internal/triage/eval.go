// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Evaluation helpers shared by the quality test and bench/triage, so both
// measure the same way: stratified folds, predictions only on messages the
// model was not trained on, macro-averaged F1.

// Classifier is anything that labels a message: a Model, or a baseline.
type Classifier interface {
	Classify(text string) Result
}

// StratifiedFolds splits the indexes of examples into k folds, each with
// about the same share of every class of key (e.g. the office).
func StratifiedFolds(examples []Example, k int, seed uint64, key func(Labels) string) [][]int {
	byClass := map[string][]int{}
	for i, ex := range examples {
		c := key(ex.Labels)
		byClass[c] = append(byClass[c], i)
	}
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	rng := rand.New(rand.NewPCG(seed, 0xf01d)) //nolint:gosec // G404: folds must be reproducible from the seed, not secret
	folds := make([][]int, k)
	next := 0
	for _, c := range classes {
		idx := byClass[c]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		// Continue the round-robin where the previous class stopped, so
		// small classes do not all land in the first folds.
		for _, i := range idx {
			folds[next%k] = append(folds[next%k], i)
			next++
		}
	}
	for _, f := range folds {
		sort.Ints(f)
	}
	return folds
}

// CrossValidate trains on all folds but one and predicts the one left out,
// for each fold; it returns gold and predicted labels in example order.
func CrossValidate(examples []Example, folds [][]int, train func([]Example) (Classifier, error)) (gold, pred []Labels, err error) {
	gold = make([]Labels, len(examples))
	pred = make([]Labels, len(examples))
	for fi, test := range folds {
		inTest := make(map[int]bool, len(test))
		for _, i := range test {
			inTest[i] = true
		}
		var tr []Example
		for i, ex := range examples {
			if !inTest[i] {
				tr = append(tr, ex)
			}
		}
		c, err := train(tr)
		if err != nil {
			return nil, nil, fmt.Errorf("triage: fold %d: %w", fi, err)
		}
		for _, i := range test {
			gold[i] = examples[i].Labels
			pred[i] = c.Classify(examples[i].Text).Labels
		}
	}
	return gold, pred, nil
}

// ClassScores are the precision, recall and F1 of one class.
type ClassScores struct {
	Precision, Recall, F1 float64
	Support               int // gold examples of the class
}

// FieldScores measure one field.
type FieldScores struct {
	Accuracy float64
	MacroF1  float64 // mean F1 over classes present in gold or predictions
	Classes  map[string]ClassScores
}

// Scores measure the four fields.
type Scores struct {
	Category, Office, Urgency, Moderation FieldScores
}

// Score compares predictions with gold labels.
func Score(gold, pred []Labels) Scores {
	field := func(f int) FieldScores {
		tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
		seen := map[string]bool{}
		correct := 0
		for i := range gold {
			g, p := gold[i].field(f), pred[i].field(f)
			seen[g], seen[p] = true, true
			if g == p {
				tp[g]++
				correct++
			} else {
				fp[p]++
				fn[g]++
			}
		}
		fs := FieldScores{Classes: map[string]ClassScores{}}
		if len(gold) > 0 {
			fs.Accuracy = float64(correct) / float64(len(gold))
		}
		for c := range seen {
			cs := ClassScores{Support: tp[c] + fn[c]}
			if tp[c]+fp[c] > 0 {
				cs.Precision = float64(tp[c]) / float64(tp[c]+fp[c])
			}
			if cs.Support > 0 {
				cs.Recall = float64(tp[c]) / float64(cs.Support)
			}
			if cs.Precision+cs.Recall > 0 {
				cs.F1 = 2 * cs.Precision * cs.Recall / (cs.Precision + cs.Recall)
			}
			fs.Classes[c] = cs
			fs.MacroF1 += cs.F1
		}
		if len(seen) > 0 {
			fs.MacroF1 /= float64(len(seen))
		}
		return fs
	}
	return Scores{Category: field(fieldCategory), Office: field(fieldOffice), Urgency: field(fieldUrgency), Moderation: field(fieldModeration)}
}
