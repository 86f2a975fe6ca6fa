// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package similar_test benchmarks near-duplicate grouping at storm load:
// 100,000 messages over 1,000 streets x 10 event kinds must keep up with
// 1,000 messages a second, i.e. well under 1ms per Assign.
package similar_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/desk/similar"
)

const (
	numMessages = 100_000
	numStreets  = 1_000
)

// kinds are event templates; each has wordings citizens really vary between.
var kinds = [10][]string{
	{"albero caduto in %s", "c'è un albero in mezzo alla strada in %s", "%s bloccata da un pino caduto"},
	{"sottopasso allagato in %s", "%s: sottopasso pieno d'acqua!!", "flooded underpass in %s"},
	{"siamo senza luce in %s", "blackout in %s da un'ora", "manca la corrente in %s"},
	{"tetto danneggiato in %s", "il vento ha scoperchiato un tetto in %s", "tegole cadute in %s"},
	{"semaforo spento in %s", "semafori fuori servizio in %s", "traffic lights out in %s"},
	{"acqua alta in %s", "%s allagata dal mare", "%s sott'acqua 🌊"},
	{"frana in %s", "%s chiusa per una frana", "sassi e fango in %s"},
	{"cassonetti rovesciati in %s", "bidoni volati via in %s", "spazzatura ovunque in %s"},
	{"fuga di gas in %s", "odore di gas in %s", "smell of gas in %s"},
	{"tombino saltato in %s", "un tombino è esploso in %s", "acqua che esce dai tombini in %s"},
}

var prefixes = []string{"via", "viale", "piazza", "corso", "largo"}

// streetName builds 1,000 distinct, name-like streets.
func streetName(i int) string {
	first := []string{"Roma", "Verdi", "Mazzini", "Garibaldi", "Dante", "Carducci", "Battisti", "Manzoni", "Cavour", "Foscolo"}
	second := []string{"", "Alta", "Nuova", "Vecchia", "Bassa", "Grande", "Piccola", "Lunga", "Stretta", "Santa"}
	pre := prefixes[i%len(prefixes)]
	name := first[i%10] + second[i/10%10]
	return fmt.Sprintf("%s %s%d", pre, name, i/100)
}

type msg struct {
	id, text string
	at       time.Time
}

func messages() []msg {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2025, 11, 3, 22, 0, 0, 0, time.UTC)
	out := make([]msg, numMessages)
	for i := range out {
		wordings := kinds[r.IntN(len(kinds))]
		text := fmt.Sprintf(wordings[r.IntN(len(wordings))], streetName(r.IntN(numStreets)))
		switch r.IntN(4) {
		case 0:
			text = strings.ToUpper(text)
		case 1:
			text += "!!! 😱"
		}
		// 1,000 messages a second.
		out[i] = msg{id: fmt.Sprint("m", i), text: text, at: t0.Add(time.Duration(i) * time.Millisecond)}
	}
	return out
}

func BenchmarkAssign(b *testing.B) {
	msgs := messages()
	g := similar.NewGrouper(similar.DefaultThreshold, 2*time.Hour)
	newGroups := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		// Past the corpus, keep the clock moving so windows behave.
		at := m.at.Add(time.Duration(i/len(msgs)) * time.Duration(len(msgs)) * time.Millisecond)
		if _, isNew := g.Assign(fmt.Sprint(m.id, "-", i/len(msgs)), m.text, at, "storm"); isNew {
			newGroups++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(g.Len()), "open-groups")
	b.ReportMetric(float64(newGroups)/float64(b.N), "new/op")
}

func BenchmarkSignature(b *testing.B) {
	msgs := messages()[:1000]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = similar.Signature(msgs[i%len(msgs)].text)
	}
}
