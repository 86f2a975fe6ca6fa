// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import (
	"os"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/triage"
)

// TestQualityFloor is a regression guard, not the measure: a quick 5-fold
// cross-validation on the base examples (each fold predicted by a model
// that never saw it, trained like the shipped model with the hand-written
// examples added to every training fold) must keep office macro-F1 and the
// recall of urgent messages above a floor. The figures reported in
// BENCHMARKS.md come from bench/triage (10 folds, 3 seeds).
func TestQualityFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five models")
	}
	ex, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	extra, err := triage.HandwrittenExamples()
	if err != nil {
		t.Fatal(err)
	}
	folds := triage.StratifiedFolds(ex, 5, 1, func(l triage.Labels) string { return l.Office })
	gold, pred, err := triage.CrossValidate(ex, folds, func(tr []triage.Example) (triage.Classifier, error) {
		return triage.Train(append(tr[:len(tr):len(tr)], extra...))
	})
	if err != nil {
		t.Fatal(err)
	}
	s := triage.Score(gold, pred)
	alta := s.Urgency.Classes["alta"]
	t.Logf("office macro-F1 %.3f, category macro-F1 %.3f, alta recall %.3f precision %.3f",
		s.Office.MacroF1, s.Category.MacroF1, alta.Recall, alta.Precision)
	if s.Office.MacroF1 < 0.80 {
		t.Errorf("office macro-F1 %.3f < 0.80", s.Office.MacroF1)
	}
	if s.Category.MacroF1 < 0.75 {
		t.Errorf("category macro-F1 %.3f < 0.75", s.Category.MacroF1)
	}
	if alta.Recall < 0.9 {
		t.Errorf("recall of urgency alta %.3f < 0.9", alta.Recall)
	}
	if alta.Precision < 0.55 {
		t.Errorf("precision of urgency alta %.3f < 0.55", alta.Precision)
	}
}

// readHeldOut reads testdata/handwritten.tsv, the hand-written messages
// that no model is trained on.
func readHeldOut(t *testing.T) []triage.Example {
	t.Helper()
	b, err := os.ReadFile("testdata/handwritten.tsv")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := triage.ParseTSV(b)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// floor is the lowest acceptable value of one figure.
type floor struct {
	name       string
	got, least float64
}

func checkFloors(t *testing.T, floors []floor) {
	t.Helper()
	for _, f := range floors {
		if f.got < f.least {
			t.Errorf("%s %.3f < %.3f", f.name, f.got, f.least)
		}
	}
}

// TestHandwrittenFloor guards the shipped model on the hand-written
// messages still held out (batch 9 of BENCHMARKS.md, in voices far from
// the training messages'): the floors are what was measured once, minus a
// message or so. The texts of the messages missed are not logged: reading
// them would make the set one more to tune on.
func TestHandwrittenFloor(t *testing.T) {
	m := base(t)
	ex := readHeldOut(t)
	gold := make([]triage.Labels, len(ex))
	pred := make([]triage.Labels, len(ex))
	for i, e := range ex {
		gold[i], pred[i] = e.Labels, m.Classify(e.Text).Labels
	}
	s := triage.Score(gold, pred)
	alta := s.Urgency.Classes["alta"]
	t.Logf("%d messages: alta recall %.3f precision %.3f, office accuracy %.3f, category accuracy %.3f, moderation accuracy %.3f",
		len(ex), alta.Recall, alta.Precision, s.Office.Accuracy, s.Category.Accuracy, s.Moderation.Accuracy)
	// Measured once, trained on batches 1 to 8 (2026-12-07): alta recall
	// 0.733 (11 of 15; 0.667 before), precision 0.688, office 0.800,
	// category 0.833, moderation 0.967. One more missed urgent message
	// fails.
	checkFloors(t, []floor{
		{"recall of urgency alta", alta.Recall, 0.7},
		{"precision of urgency alta", alta.Precision, 0.63},
		{"office accuracy", s.Office.Accuracy, 0.75},
		{"category accuracy", s.Category.Accuracy, 0.78},
		{"moderation accuracy", s.Moderation.Accuracy, 0.95},
	})
}

// TestTrainingSetFloor checks the hand-written training messages two
// ways. The shipped model, trained on them, must classify them (it
// remembers near-identical messages, so this fails mostly when they are
// not trained on). A model trained on the base examples alone must still
// catch the urgent ones and route most: the rules and lexicons were
// extended from these messages' errors, and this guards what they learnt.
func TestTrainingSetFloor(t *testing.T) {
	hw, err := triage.HandwrittenExamples()
	if err != nil {
		t.Fatal(err)
	}
	baseEx, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	measure := func(m triage.Classifier, ex []triage.Example) triage.Scores {
		gold := make([]triage.Labels, len(ex))
		pred := make([]triage.Labels, len(ex))
		for i, e := range ex {
			gold[i], pred[i] = e.Labels, m.Classify(e.Text).Labels
		}
		return triage.Score(gold, pred)
	}
	t.Run("shipped model", func(t *testing.T) {
		s := measure(base(t), append(baseEx[:len(baseEx):len(baseEx)], hw...))
		alta := s.Urgency.Classes["alta"]
		t.Logf("%d training messages: alta recall %.3f precision %.3f, office %.3f, category %.3f, urgency %.3f, moderation %.3f",
			len(baseEx)+len(hw), alta.Recall, alta.Precision, s.Office.Accuracy, s.Category.Accuracy, s.Urgency.Accuracy, s.Moderation.Accuracy)
		checkFloors(t, []floor{
			// A remembered label never silences danger the rules see, so
			// a few messages labelled otherwise still alarm.
			{"recall of urgency alta", alta.Recall, 1},
			{"precision of urgency alta", alta.Precision, 0.85},
			{"office accuracy", s.Office.Accuracy, 0.99},
			{"category accuracy", s.Category.Accuracy, 0.99},
			{"urgency accuracy", s.Urgency.Accuracy, 0.95},
			{"moderation accuracy", s.Moderation.Accuracy, 0.99},
		})
	})
	t.Run("rules without them", func(t *testing.T) {
		m, err := triage.Train(baseEx)
		if err != nil {
			t.Fatal(err)
		}
		s := measure(m, hw)
		alta := s.Urgency.Classes["alta"]
		t.Logf("%d hand-written messages, model trained on the %d base examples: alta recall %.3f precision %.3f, office %.3f, category %.3f, moderation %.3f",
			len(hw), len(baseEx), alta.Recall, alta.Precision, s.Office.Accuracy, s.Category.Accuracy, s.Moderation.Accuracy)
		checkFloors(t, []floor{
			{"recall of urgency alta", alta.Recall, 0.97},
			{"precision of urgency alta", alta.Precision, 0.9},
			{"office accuracy", s.Office.Accuracy, 0.8},
			{"category accuracy", s.Category.Accuracy, 0.85},
			{"moderation accuracy", s.Moderation.Accuracy, 0.95},
		})
	})
}

// TestHeldOutNotTrained keeps the held-out messages out of the training
// data: none of them, nor a copy differing only in case or spacing, may be
// among the shipped training examples.
func TestHeldOutNotTrained(t *testing.T) {
	train, err := triage.TrainingExamples()
	if err != nil {
		t.Fatal(err)
	}
	key := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	seen := map[string]bool{}
	for _, e := range train {
		seen[key(e.Text)] = true
	}
	for i, e := range readHeldOut(t) {
		if seen[key(e.Text)] {
			t.Errorf("held-out message %d is also a training example", i+1)
		}
	}
}
