// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package similar

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 11, 3, 22, 0, 0, 0, time.UTC)

// assignAll puts texts in one scope a second apart and returns their groups.
func assignAll(g *Grouper, texts ...string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i], _ = g.Assign(fmt.Sprintf("id%d", i), s, t0.Add(time.Duration(i)*time.Second), "storm")
	}
	return out
}

func TestPlaceMatters(t *testing.T) {
	pairs := [][2]string{
		{"albero caduto in via Roma", "albero caduto in via Verdi"},
		{"ALBERO CADUTO VIA ROMA!!", "albero caduto in via Mazzini"},
		{"sottopasso di via Flavia allagato", "sottopasso di via Udine allagato"},
		{"acqua alta in piazza Unità", "acqua alta in piazza Goldoni"},
		{"la linea 11 è sospesa?", "la linea 17 è sospesa?"},
		{"il tetto della scuola Dante è danneggiato", "il tetto della scuola Svevo è danneggiato"},
		{"albero caduto in via Roma", "allagamento della cantina in via Roma"},
	}
	for _, p := range pairs {
		g := NewGrouper(DefaultThreshold, time.Hour)
		if got := assignAll(g, p[0], p[1]); got[0] == got[1] {
			t.Errorf("%q and %q grouped (similarity %.3f)", p[0], p[1], Similarity(Signature(p[0]), Signature(p[1])))
		}
	}
}

func TestSameEventDifferentWording(t *testing.T) {
	sets := [][]string{
		{"albero caduto in via Roma!!", "c'è un albero in mezzo alla strada in via roma", "via Roma bloccata da un pino caduto", "xe cascà un albero in via Roma"},
		{"sottopasso di via Flavia allagato", "flooded underpass in via Flavia, a car is stuck", "Il sottopassaggio di via Flavia è pieno d'acqua!!"},
		{"la linea 11 è sospesa?", "bus 11 suspended?", "LINEA 11 SOSPESA???"},
	}
	for _, set := range sets {
		g := NewGrouper(DefaultThreshold, time.Hour)
		got := assignAll(g, set...)
		for i := range got {
			if got[i] != got[0] {
				t.Errorf("%q not grouped with %q (similarity %.3f)", set[i], set[0], Similarity(Signature(set[i]), Signature(set[0])))
			}
		}
	}
}

func TestNormalisation(t *testing.T) {
	same := [][2]string{
		{"albero caaaaduto in via Roma 🌳🌳", "ALBERO CADUTO IN VIA ROMA"},
		{"è caduto un albero", "e' caduto un albero!!!"},
		{"città allagata", "citta allagata"},
	}
	for _, p := range same {
		if s := Similarity(Signature(p[0]), Signature(p[1])); s < 0.999 {
			t.Errorf("Similarity(%q, %q) = %.3f, want 1", p[0], p[1], s)
		}
	}
	if stem("alberi") != stem("albero") || stem("cadute") != stem("caduto") {
		t.Error("plural/gender endings not stripped")
	}
	if stem("velocemente") != "veloce" || stem(normWord("segnalazioni")) != stem(normWord("segnalazione")) {
		t.Error("-mente/-zione not stripped")
	}
}

func TestSimilarityBounds(t *testing.T) {
	a, b := Signature("albero caduto in via Roma"), Signature("quando riapre la biblioteca?")
	if s := Similarity(a, b); s < 0 || s > 0.1 {
		t.Errorf("unrelated similarity %.3f", s)
	}
	if s := Similarity(a, a); s != 1 {
		t.Errorf("self similarity %.3f", s)
	}
	if !Signature("  \t ").Empty() || Similarity(Sig{}, Sig{}) != 0 {
		t.Error("blank text must give an empty signature similar to nothing")
	}
	if Signature("🙏🙏🙏").Empty() {
		t.Error("emoji-only text must still have a signature")
	}
}

func TestScopesNeverMerge(t *testing.T) {
	g := NewGrouper(DefaultThreshold, time.Hour)
	a, _ := g.Assign("a", "albero caduto in via Roma", t0, "verde")
	b, isNew := g.Assign("b", "albero caduto in via Roma", t0, "trasporti")
	if a == b || !isNew {
		t.Errorf("scopes merged: %s %s", a, b)
	}
}

func TestWindowClosesAndEvicts(t *testing.T) {
	g := NewGrouper(DefaultThreshold, time.Hour)
	a, isNew := g.Assign("a", "albero caduto in via Roma", t0, "s")
	if a != "a" || !isNew {
		t.Fatalf("first message: %s %v", a, isNew)
	}
	if b, isNew := g.Assign("b", "albero caduto in via Roma!!", t0.Add(50*time.Minute), "s"); b != "a" || isNew {
		t.Errorf("within window: %s %v", b, isNew)
	}
	// The window counts from the last member (50 min), so 1h40 is still open.
	if c, _ := g.Assign("c", "ALBERO CADUTO VIA ROMA", t0.Add(100*time.Minute), "s"); c != "a" {
		t.Errorf("window not renewed by last member: %s", c)
	}
	if d, isNew := g.Assign("d", "albero caduto in via Roma", t0.Add(4*time.Hour), "s"); d != "d" || !isNew {
		t.Errorf("closed group reused: %s %v", d, isNew)
	}
	if n := g.Len(); n != 1 {
		t.Errorf("closed group not evicted: %d open", n)
	}
}

func TestMaxGroupsBoundsMemory(t *testing.T) {
	g := NewGrouper(DefaultThreshold, 0)
	g.maxGroups = 100
	for i := 0; i < 1000; i++ {
		g.Assign(fmt.Sprint(i), fmt.Sprintf("albero caduto in via Strada%d", i), t0.Add(time.Duration(i)*time.Second), "s")
	}
	if n := g.Len(); n != 100 {
		t.Errorf("%d open groups, want 100", n)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, b := range g.buckets {
		for _, grp := range b {
			if g.groups[grp.id] != grp {
				t.Fatalf("bucket %x holds evicted group %s", k, grp.id)
			}
		}
	}
}

func TestRestore(t *testing.T) {
	g := NewGrouper(DefaultThreshold, time.Hour)
	g.Restore("g-roma", "albero caduto in via Roma", t0, "s")
	g.Restore("g-roma", "via Roma bloccata da un pino", t0.Add(time.Minute), "s")
	g.Restore("g-old", "acqua alta in piazza Unità", t0.Add(-3*time.Hour), "s") // long closed
	if id, isNew := g.Assign("x", "c'è un albero in mezzo alla strada in via roma", t0.Add(2*time.Minute), "s"); id != "g-roma" || isNew {
		t.Errorf("restored group not found: %s %v", id, isNew)
	}
	if id, _ := g.Assign("y", "acqua alta in piazza Unità", t0.Add(3*time.Minute), "s"); id != "y" {
		t.Errorf("restored closed group reopened: %s", id)
	}
}

// TestManyOpenGroups checks the LSH and place index still find the right
// group among thousands of similar ones, without scanning them all.
func TestManyOpenGroups(t *testing.T) {
	g := NewGrouper(DefaultThreshold, time.Hour)
	kinds := []string{"albero caduto in %s", "allagamento in %s", "blackout in %s", "semaforo spento in %s"}
	for i := 0; i < 5000; i++ {
		g.Assign(fmt.Sprint(i), fmt.Sprintf(kinds[i%4], street(i)), t0, "s")
	}
	if n := g.Len(); n != 5000 {
		t.Fatalf("%d groups for 5000 distinct events", n)
	}
	for _, i := range []int{0, 1, 1234, 4999} {
		text := strings.ToUpper(fmt.Sprintf(kinds[i%4], street(i))) + "!!"
		if id, _ := g.Assign("q", text, t0.Add(time.Minute), "s"); id != fmt.Sprint(i) {
			t.Errorf("%q went to %s, want %d", text, id, i)
		}
	}
}

// street names a distinct street from i, made of syllables like real names.
func street(i int) string {
	syl := []string{"ba", "ro", "mi", "te", "lu", "ca", "do", "ne", "si", "ga"}
	return "via " + strings.ToUpper(syl[i%10][:1]) + syl[i%10][1:] + syl[i/10%10] + syl[i/100%10] + syl[i/1000%10] + "ni"
}

func TestConcurrentAssign(t *testing.T) {
	msgs := loadCorpus(t, "storm.tsv")
	g := NewGrouper(DefaultThreshold, time.Hour)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			scope := fmt.Sprint("office", w%4)
			for i, m := range msgs {
				at := t0.Add(time.Duration(i) * time.Second)
				if i%10 == 0 {
					g.Restore(fmt.Sprintf("r%d-%d", w, i), m.text, at, scope)
					continue
				}
				g.Assign(fmt.Sprintf("w%d-%d", w, i), m.text, at, scope)
				if i%25 == 0 {
					g.Len()
				}
			}
		}(w)
	}
	wg.Wait()
	if g.Len() == 0 {
		t.Error("no groups")
	}
}

func FuzzSignature(f *testing.F) {
	for _, s := range []string{
		"albero caduto in via Roma!!", "xe cascà un albero in via Roma 🌳", "", " ", "🙏🙏🙏",
		"via", "via via via", "s. giacomo", "viale XX Settembre", "linea 11", "\xff\xfe", "caaaaaaaduto",
		"piazza dell'Unità", "'''", "via 12 34",
	} {
		f.Add(s, "albero caduto in via Verdi")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		sa, sb := Signature(a), Signature(b)
		if !sa.Empty() {
			if s := Similarity(sa, sa); s != 1 {
				t.Fatalf("Similarity(s, s) = %v for %q", s, a)
			}
		} else if strings.TrimSpace(a) != "" && !strings.ContainsRune(a, '\uFFFD') && strings.ToValidUTF8(a, "") == a {
			t.Fatalf("non-blank %q gave an empty signature", a)
		}
		if s := Similarity(sa, sb); s < 0 || s > 1 || s != Similarity(sb, sa) {
			t.Fatalf("Similarity(%q, %q) = %v, not symmetric in [0,1]", a, b, s)
		}
	})
}
