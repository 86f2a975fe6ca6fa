// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package similar

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

type labelled struct{ cluster, text string }

// loadCorpus reads a labelled corpus from testdata; each "-" line is its own cluster.
func loadCorpus(t testing.TB, name string) []labelled {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cluster, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		if cluster == "-" {
			cluster = fmt.Sprintf("single-%d", len(out))
		}
		out = append(out, labelled{cluster, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// groupCorpus runs the corpus through a Grouper one message a second, in
// file order, and returns each message's group.
func groupCorpus(msgs []labelled, threshold float64) []string {
	g := NewGrouper(threshold, 2*time.Hour)
	t0 := time.Date(2025, 11, 3, 22, 0, 0, 0, time.UTC)
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i], _ = g.Assign(fmt.Sprintf("m%03d", i), m.text, t0.Add(time.Duration(i)*time.Second), "storm")
	}
	return out
}

// pairScores is pair precision and recall: over all message pairs, how
// many grouped together are truly together, and how many true pairs were
// grouped.
func pairScores(msgs []labelled, got []string) (precision, recall float64) {
	var tp, fp, fn int
	for i := range msgs {
		for j := i + 1; j < len(msgs); j++ {
			same, grouped := msgs[i].cluster == msgs[j].cluster, got[i] == got[j]
			switch {
			case same && grouped:
				tp++
			case grouped:
				fp++
			case same:
				fn++
			}
		}
	}
	return float64(tp) / float64(tp+fp), float64(tp) / float64(tp+fn)
}

// TestCorpusQuality pins the grouping quality on testdata/storm.tsv.
// Measured with DefaultThreshold 0.34: pair precision 1.000, recall 0.984
// (the English "roof of the Dante school..." stays apart). The plateau with
// precision 1 spans 0.325-0.35; at 0.30 a placeless "acqua calda" message
// joins the acqua alta group (precision 0.982), above 0.375 recall falls.
func TestCorpusQuality(t *testing.T) {
	msgs := loadCorpus(t, "storm.tsv")
	if len(msgs) < 140 {
		t.Fatalf("corpus has %d messages", len(msgs))
	}
	p, r := pairScores(msgs, groupCorpus(msgs, DefaultThreshold))
	t.Logf("storm.tsv: pair precision %.3f recall %.3f", p, r)
	if p < 0.95 || r < 0.95 {
		t.Errorf("pair precision %.3f recall %.3f, want both >= 0.95", p, r)
	}
}

// TestHeldout scores testdata/heldout.tsv, written after the lexicon and
// threshold were fixed. Measured: precision 1.000, recall 0.425: wordings
// outside the lexicon ("tronco", "gas", "traghetto") only meet through
// shared stems, so expect lower recall than on storm.tsv in production.
func TestHeldout(t *testing.T) {
	msgs := loadCorpus(t, "heldout.tsv")
	p, r := pairScores(msgs, groupCorpus(msgs, DefaultThreshold))
	t.Logf("heldout.tsv: pair precision %.3f recall %.3f", p, r)
	if p < 0.9 || r < 0.35 {
		t.Errorf("pair precision %.3f recall %.3f, want >= 0.9 and >= 0.35", p, r)
	}
}

// TestSweep logs the precision/recall curve behind DefaultThreshold
// (go test -run Sweep -v).
func TestSweep(t *testing.T) {
	msgs := loadCorpus(t, "storm.tsv")
	for th := 0.2; th < 0.5; th += 0.025 {
		p, r := pairScores(msgs, groupCorpus(msgs, th))
		t.Logf("threshold %.3f precision %.3f recall %.3f F1 %.3f", th, p, r, 2*p*r/(p+r))
	}
}
