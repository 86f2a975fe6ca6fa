// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// The expected figures are counted by hand; the comments show the sums.
func TestReadability(t *testing.T) {
	tests := []struct {
		name                      string
		text                      string
		words, sentences, letters int
		score                     float64
		band                      Band
	}{
		{
			// 89 + (300 − 150)/4 = 126.5, clamped
			"short and plain", "Il comune è aperto.",
			4, 1, 2 + 6 + 1 + 6, 100, BandEasy,
		},
		{
			// 89 + (300 − 520)/12 = 70.67
			"medium", "Il mercato di sabato si sposta in piazza Garibaldi per i lavori.",
			12, 1, 2 + 7 + 2 + 6 + 2 + 6 + 2 + 6 + 9 + 3 + 1 + 6, 70.7, BandMedium,
		},
		{
			// 89 + (300 − 520)/6 = 52.33
			"long words", "La raccolta differenziata riprende regolarmente mercoledì.",
			6, 1, 2 + 8 + 13 + 8 + 12 + 9, 52.3, BandHard,
		},
		{
			// 89 + (300 − 770)/14 = 55.43
			"a notice", "Il servizio di raccolta dei rifiuti ingombranti è gratuito per tutti i cittadini residenti.",
			14, 1, 2 + 8 + 2 + 8 + 3 + 7 + 11 + 1 + 8 + 3 + 5 + 1 + 9 + 9, 55.4, BandHard,
		},
		{
			// 89 + (300 − 1020)/12 = 29; the elided articles are words
			"bureaucratic", "Conformemente all'ordinanza sindacale, l'amministrazione comunale predispone l'implementazione dell'infrastruttura.",
			12, 1, 13 + 3 + 9 + 9 + 1 + 15 + 8 + 10 + 1 + 15 + 4 + 14, 29, BandVeryHard,
		},
		{
			// 89 + (7500 − 6250)/125 = 99
			"long enough to be reliable", strings.Repeat("Il comune informa i cittadini. ", 25),
			125, 25, 25 * (2 + 6 + 7 + 1 + 9), 99, BandEasy,
		},
		{
			"links, mentions, hashtags and emoji are not prose",
			"Allerta meteo gialla #allertameteo https://comune.example.it/allerta @ProtezioneCivile ⚠️ 🌧️ info@comune.example.it www.example.org comune.roma.it/tari",
			3, 1, 7 + 5 + 6, 100, BandEasy,
		},
		{
			"lines without a full stop are sentences", "Allerta meteo gialla\nScuole aperte\r\nParchi chiusi",
			7, 3, 7 + 5 + 6 + 6 + 6 + 6 + 6, 100, BandEasy,
		},
		{
			// 89 + (300 − 280)/6 = 92.33
			"a line ending in a comma goes on", "Cari cittadini,\nla strada è chiusa.",
			6, 1, 4 + 9 + 2 + 6 + 1 + 6, 92.3, BandEasy,
		},
		{
			"a line ending in a hashtag ends", "Vi aspettiamo, #festa\nDomani",
			3, 2, 2 + 10 + 6, 100, BandEasy,
		},
		{
			"a hashtag closing a sentence", "Piove #allerta. Restate a casa",
			4, 2, 5 + 7 + 1 + 4, 100, BandEasy,
		},
		{
			// 89 + (300 − 680)/23 = 72.48
			"abbreviations do not end sentences",
			"Il dott. Rossi e la sig.ra Bianchi, ecc. sono in via Roma n. 5 presso la Acea S.p.A. e p.es. c.a. alle 10.30.",
			23, 1, 2 + 4 + 5 + 1 + 2 + 5 + 7 + 3 + 4 + 2 + 3 + 4 + 1 + 6 + 2 + 4 + 3 + 1 + 3 + 2 + 4, 72.5, BandMedium,
		},
		{
			// 89 + (300 − 350)/11 = 84.45
			"art. and initials", "Ai sensi dell'art. 9 della L. 28/2000 il Comune informa.",
			11, 1, 2 + 5 + 4 + 3 + 5 + 1 + 2 + 6 + 7, 84.5, BandEasy,
		},
		{
			"numbers are words without letters", "La temperatura è 3.5 gradi. Domani 4,5 gradi, 1.000 persone alle 10:30.",
			12, 2, 2 + 11 + 1 + 5 + 6 + 5 + 7 + 4, 100, BandEasy,
		},
		{
			"repeated marks end one sentence", "Attenzione!!! Strada chiusa?! Usate il percorso alternativo...",
			7, 3, 10 + 6 + 6 + 5 + 2 + 8 + 11, 100, BandEasy,
		},
		{
			"ellipsis", "Aspettiamo… domani",
			2, 2, 10 + 6, 100, BandEasy,
		},
		{
			"ecc. before a capital ends the sentence", "Portate documenti, foto ecc. Domani si parte.",
			7, 2, 7 + 9 + 4 + 3 + 6 + 2 + 5, 100, BandEasy,
		},
		{
			"ecc. at the end of a line ends the sentence", "Portate documenti, foto ecc.\ndomani si parte",
			7, 2, 7 + 9 + 4 + 3 + 6 + 2 + 5, 100, BandEasy,
		},
		{
			"a numbered list", "Documenti:\n1. carta d'identità\n2) codice fiscale",
			6, 2, 9 + 5 + 1 + 8 + 6 + 7, 100, BandEasy,
		},
		{
			"a one-letter word ends a sentence", "Sai com'è. Si parte",
			5, 2, 3 + 3 + 1 + 2 + 5, 100, BandEasy,
		},
		{
			"no final mark", "Ciao a tutti",
			3, 1, 4 + 1 + 5, 100, BandEasy,
		},
		{
			"hyphenated compounds are one word", "Servizio socio-sanitario",
			2, 1, 8 + 14, 100, BandEasy,
		},
		{
			"quotes and brackets", `«Il sindaco» (nota) "ok".`,
			4, 1, 2 + 7 + 4 + 2, 100, BandEasy,
		},
		{
			"numbers only", "2026",
			1, 1, 0, 100, BandEasy,
		},
		{
			"accents written as combining marks", "Citta\u0300 aperta",
			2, 1, 5 + 6, 100, BandEasy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Readability(tt.text)
			score := math.Min(100, tt.score)
			if r.Words != tt.words || r.Sentences != tt.sentences || r.Letters != tt.letters {
				t.Errorf("words %d sentences %d letters %d, want %d %d %d", r.Words, r.Sentences, r.Letters, tt.words, tt.sentences, tt.letters)
			}
			if r.Score != score || r.Band != tt.band || r.Key != "quality.band."+string(tt.band) {
				t.Errorf("score %v %s %q, want %v %s", r.Score, r.Band, r.Key, score, tt.band)
			}
			if r.Approximate != (tt.words < 100) {
				t.Errorf("approximate %v with %d words", r.Approximate, r.Words)
			}
		})
	}
}

func TestReadabilityOfNothing(t *testing.T) {
	for _, text := range []string{"", "   \n\t ", "#solo @tag https://example.org", "🎉🎉 ⚠️", "...!!!", "\ufe0f\u200d"} {
		r := Readability(text)
		if r != (Gulpease{Approximate: true}) {
			t.Errorf("Readability(%q) = %+v, want nothing", text, r)
		}
	}
}

func TestBands(t *testing.T) {
	tests := []struct {
		score float64
		band  Band
	}{
		{100, BandEasy}, {80, BandEasy}, {79.9, BandMedium}, {60, BandMedium}, {59.9, BandHard},
		{40, BandHard}, {39.9, BandVeryHard}, {0, BandVeryHard},
	}
	for _, tt := range tests {
		if got := bandOf(tt.score); got != tt.band {
			t.Errorf("bandOf(%v) = %s, want %s", tt.score, got, tt.band)
		}
	}
	if Band("").Key() != "" || BandVeryHard.Key() != "quality.band.very_hard" {
		t.Error("band keys")
	}
}

func FuzzReadability(f *testing.F) {
	f.Add("Il comune è aperto.", "Allerta meteo\nScuole chiuse")
	f.Add("dott. Rossi, S.p.A. 3.5 ecc. Domani", "#tag @mention https://example.org ⚠️")
	f.Add("1. primo\n2) secondo", "«citazione» (nota)…")
	f.Add("\xff\xfe a.b.c.", "e\u0301\ufe0f")
	f.Fuzz(func(t *testing.T, a, b string) {
		r := Readability(a)
		if r.Score < 0 || r.Score > 100 || math.Round(r.Score*10)/10 != r.Score {
			t.Fatalf("score %v", r.Score)
		}
		if r.Words == 0 {
			if r != (Gulpease{Approximate: true}) {
				t.Fatalf("no words but %+v", r)
			}
		} else {
			if r.Sentences < 1 || r.Sentences > r.Words {
				t.Fatalf("%d sentences for %d words", r.Sentences, r.Words)
			}
			if r.Band != bandOf(r.Score) || r.Key != r.Band.Key() {
				t.Fatalf("band %s %q for %v", r.Band, r.Key, r.Score)
			}
		}
		if r.Letters < 0 || r.Letters > utf8.RuneCountInString(a) || r.Approximate != (r.Words < 100) {
			t.Fatalf("%+v", r)
		}
		// Paragraphs add up: a blank line closes everything before it.
		s := Readability(b)
		ab := Readability(a + "\n\n" + b)
		if ab.Words != r.Words+s.Words || ab.Letters != r.Letters+s.Letters || ab.Sentences != r.Sentences+s.Sentences {
			t.Fatalf("paragraphs %+v and %+v make %+v", r, s, ab)
		}
	})
}
