// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"strings"
	"testing"
)

// Pairs from the Snowball project's Italian test vocabulary; the stemmer
// was checked against all 35,495 words of it when it was written.
func TestStem(t *testing.T) {
	for word, want := range map[string]string{
		"abbandonata": "abbandon", "abbassandola": "abbass", "abbastanza": "abbast", "abbiamo": "abbiam",
		"abbenchè": "abbenc", "buche": "buch", "città": "citt", "crocchi": "crocc", "divano": "divan",
		"guardandogli": "guard", "perché": "perc", "pericolosamente": "pericol", "responsabilità": "respons",
		"rifiuti": "rif", "segnalazione": "segnal", "": "", "a": "a",
	} {
		if got := Stem(word); got != want {
			t.Errorf("Stem(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestAnalyse(t *testing.T) {
	tests := []struct {
		text string
		want []string // words of the folded text, in order
	}{
		{"Perche' l'acqua dell'Arno è ALTA??", []string{"perche", "l", "acqua", "dell", "arno", "e", "alta", "zzpunct"}},
		{"xké nn passate mai? cmq grazieee", []string{"perche", "non", "passate", "mai", "comunque", "grazie"}},
		{"anke kiedo", []string{"anche", "chiedo"}},
		{"mio nonno ha 87 anni", []string{"mio", "nonno", "ha", "zzelderly", "anni"}},
		{"chiamate il 112 alle 7:40", []string{"chiamate", "il", "zzemergencynumber", "alle", "zztime"}},
		{"cf RSSMRA80A01H501U tel 333 1234567 a@b.it", []string{"cf", "zzfiscal", "telefono", "zzphone", "zzemail"}},
		{"IBAN IT60 X054 2811 1010 0000 0123 456", []string{"iban", "zziban"}},
		{"vai su www.soldi-facili.xyz 😡🤬", []string{"vai", "su", "zzurl", "zzemoanger", "zzemoanger"}},
		{"sei una str***a", []string{"sei", "una", "zzmasked"}},
		{"un po' di pazienza", []string{"un", "po", "di", "pazienza"}},
		// English keeps its "k": "kid" is not chat spelling for "chid".
		{"the kid on the bike is kicking", []string{"the", "kid", "on", "the", "bike", "is", "kicking"}},
		{"ke skifo, parked", []string{"che", "schifo", "parked"}},
	}
	for _, tt := range tests {
		a := analyse(tt.text)
		got := strings.Fields(a.folded)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("analyse(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		text                              string
		danger, personal, offensive, spam bool
	}{
		{text: "albero caduto sulla strada per la bora", danger: true},
		{text: "c'è una fuga di gas in cantina", danger: true},
		{text: "il sottopasso è allagato", danger: true},
		{text: "mia zia, 90 anni, è senza riscaldamento da due giorni", danger: true},
		{text: "un bambino si è tagliato con la lamiera", danger: true},
		{text: "come si rinnova la carta d'identità?"},
		{text: "abito in via Roma 12 interno 4, sono Luisa", personal: true},
		{text: "il mio cf è RSSMRA80A01H501U", personal: true},
		{text: "la buca è in via Roma 12"},
		{text: "siete dei ladri e degli incapaci", offensive: true},
		{text: "abbiamo aspettato come dei cretini"},
		{text: "guadagna 500€ al giorno da casa, scrivimi in privato 👉 www.x.xyz", spam: true},
	}
	for _, tt := range tests {
		d := newDoc(tt.text)
		h := d.hits
		for _, c := range []struct {
			name string
			got  bool
			want bool
		}{
			{"danger", h.danger >= dangerAlone, tt.danger},
			{"personal", h.personal >= 1, tt.personal},
			{"offensive", h.offensive >= 1, tt.offensive},
			{"spam", h.spam >= 1, tt.spam},
		} {
			if c.got != c.want {
				t.Errorf("%q: %s = %v, want %v (hits %v)", tt.text, c.name, c.got, c.want, h.names)
			}
		}
	}
}

// Every rule has a prefilter, and scanning through the index finds what
// the plain regular expressions find.
func TestPatternIndex(t *testing.T) {
	for _, p := range patterns {
		if p.pre == nil {
			t.Errorf("pattern has no prefilter: %s", p.re)
		}
	}
	ex, err := BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "ora", "sei un idiota", "aiuto aiuto aiuto aiuto aiuto"}
	for _, e := range ex {
		texts = append(texts, e.Text)
	}
	for _, raw := range texts {
		text := " " + analyse(raw).folded
		m := scan(text)
		words := strings.Fields(text)
		for _, p := range patterns {
			if want, got := p.re.MatchString(text), len(m.found[p.id]) > 0; want != got {
				t.Errorf("pattern %s on %q: scan %v, regexp %v", p.re, text, got, want)
			}
		}
		// near rules need the word each match begins at.
		for _, at := range m.pos {
			if at.word < 0 || at.word >= len(words) || !strings.HasPrefix(at.s, words[at.word]) {
				t.Errorf("match %q on %q said to begin at word %d", at.s, text, at.word)
			}
		}
	}
}

func TestOverlaps(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"ferito", "nessun ferito", true},
		{"mio figlio e caduto", "e caduto un dente", true},
		{"e caduto un dente", "mio figlio e caduto", true},
		{"ora", "a che ora", true},
		{"caduto", "un dente", false},
		{"sale", "scale", false},
	} {
		if got := overlaps(tt.a, tt.b); got != tt.want {
			t.Errorf("overlaps(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestHasNamedPerson(t *testing.T) {
	for text, want := range map[string]bool{
		"sono Rosa e vivo sola":                        true,
		"Sono stanca di aspettare":                     false,
		"Sono Napoli e Roma le città più care?":        false,
		"il mio vicino Franco di via Po":               true,
		"la sig.ra Bianchi del terzo piano":            true,
		"Mi chiamo Luca Bassi":                         true,
		"mio padre. Nel frattempo pago io":             false,
		"c'era una signora. Sotto c'è la fermata":      false,
		"hanno tagliato l'assistenza a Giuseppe Ferri": true,
		"il lampione di via Giuseppe Verdi è spento":   false,
		"Giulia, Marco e Anna ringraziano":             false,
		"Teatro Carlo Felice: orari?":                  false,
	} {
		if got := hasNamedPerson(text); got != want {
			t.Errorf("hasNamedPerson(%q) = %v, want %v", text, got, want)
		}
	}
}
