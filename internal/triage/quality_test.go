// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import (
	"testing"

	"github.com/piazza-pa/piazza/internal/triage"
)

// TestQualityFloor is a regression guard, not the measure: a quick 5-fold
// cross-validation on the base examples (each fold predicted by a model
// that never saw it) must keep office macro-F1 and the recall of urgent
// messages above a floor. The figures reported in BENCHMARKS.md come from
// bench/triage (10 folds, 3 seeds).
func TestQualityFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five models")
	}
	ex, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	folds := triage.StratifiedFolds(ex, 5, 1, func(l triage.Labels) string { return l.Office })
	gold, pred, err := triage.CrossValidate(ex, folds, func(tr []triage.Example) (triage.Classifier, error) {
		return triage.Train(tr)
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
