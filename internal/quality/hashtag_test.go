// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestHashtagHints(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []HashtagHint
	}{
		{"lower case", "Oggi #protezionecivile in piazza", []HashtagHint{
			{Tag: "#protezionecivile", Suggestion: "#ProtezioneCivile", Start: 5}}},
		{"upper case", "#ALLERTAMETEO arancione", []HashtagHint{
			{Tag: "#ALLERTAMETEO", Suggestion: "#AllertaMeteo", Start: 0}}},
		{"three words with a preposition", "Benvenuti #comunedimilano!", []HashtagHint{
			{Tag: "#comunedimilano", Suggestion: "#ComuneDiMilano", Start: 10}}},
		{"accents kept", "#cittàmetropolitana", []HashtagHint{
			{Tag: "#cittàmetropolitana", Suggestion: "#CittàMetropolitana", Start: 0}}},
		{"accents in capitals", "#MOBILITÀSOSTENIBILE", []HashtagHint{
			{Tag: "#MOBILITÀSOSTENIBILE", Suggestion: "#MobilitàSostenibile", Start: 0}}},
		{"combining accent", "#citta\u0300metropolitana", []HashtagHint{
			{Tag: "#citta\u0300metropolitana", Suggestion: "#Citta\u0300Metropolitana", Start: 0}}},
		{"digits stay", "#raccoltadifferenziata2026", []HashtagHint{
			{Tag: "#raccoltadifferenziata2026", Suggestion: "#RaccoltaDifferenziata2026", Start: 0}}},
		{"English", "#smartcity #opendata", []HashtagHint{
			{Tag: "#smartcity", Suggestion: "#SmartCity", Start: 0},
			{Tag: "#opendata", Suggestion: "#OpenData", Start: 11}}},
		{"longest words win", "#scuolaelavoro", []HashtagHint{
			{Tag: "#scuolaelavoro", Suggestion: "#ScuolaELavoro", Start: 0}}},
		{"full-width sign", "＃allertameteo", []HashtagHint{
			{Tag: "＃allertameteo", Suggestion: "#AllertaMeteo", Start: 0}}},
		{"once per hashtag", "#allertameteo e ancora #allertameteo, ma #ALLERTAMETEO", []HashtagHint{
			{Tag: "#allertameteo", Suggestion: "#AllertaMeteo", Start: 0},
			{Tag: "#ALLERTAMETEO", Suggestion: "#AllertaMeteo", Start: 41}}},
		{"long but unknown: hint without suggestion", "#sagradellaporchettona", []HashtagHint{
			{Tag: "#sagradellaporchettona", Start: 0}}},
		{"after punctuation", "(#allertameteo) «#protezionecivile»", []HashtagHint{
			{Tag: "#allertameteo", Suggestion: "#AllertaMeteo", Start: 1},
			{Tag: "#protezionecivile", Suggestion: "#ProtezioneCivile", Start: 18}}},
		{"already CamelCase", "#ProtezioneCivile #protezioneCivile", nil},
		{"one word", "#meteo #METEO #elezioni2026 #Roma", nil},
		{"short and unknown", "#legambiente #anci #abc", nil},
		{"underscores", "#protezione_civile", nil},
		{"digits only", "#2026 #1", nil},
		{"not hashtags", "pagina.html#protezionecivile https://example.org/#protezionecivile a&#protezionecivile C#", nil},
		{"bare sign", "# # ＃", nil},
		{"one-letter words only between longer ones", "#AA #eaeaea #aprotezione #protezionea", nil},
		{"a script without case", "#東京東京東京東京東京東京東京", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.want {
				tt.want[i].Code = CodeHashtagCamelCase
			}
			if got := HashtagHints(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("HashtagHints(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestSegment(t *testing.T) {
	tests := []struct {
		run  string
		want []string
	}{
		{"protezionecivile", []string{"protezione", "civile"}},
		{"raccoltadifferenziatarifiuti", []string{"raccolta", "differenziata", "rifiuti"}},
		{"ALLERTAMETEOGIALLA", []string{"ALLERTA", "METEO", "GIALLA"}},
		{"giornatadellamemoria", []string{"giornata", "della", "memoria"}},
		{"reggioemilia", []string{"reggio", "emilia"}},
		{"comune", []string{"comune"}},
		{"xyz", nil},
		{"comunexyz", nil},
	}
	for _, tt := range tests {
		got, ok := segment(tt.run)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("segment(%q) = %q %v, want %q", tt.run, got, ok, tt.want)
		}
	}
}

func TestWordList(t *testing.T) {
	if len(hashtagWords) < 300 {
		t.Errorf("only %d words", len(hashtagWords))
	}
	for w := range hashtagWords {
		if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLower(r) }) || fold(w) != w {
			t.Errorf("word %q is not folded lower-case letters", w)
		}
	}
}

func FuzzHashtagHints(f *testing.F) {
	f.Add("#protezionecivile #ALLERTAMETEO #cittàmetropolitana")
	f.Add("x#a ＃comunedimilano #a_b #2026 #sagradellaporchettona")
	f.Add("#citta\u0300\u0300 #\u0301abc #ǅemal")
	f.Fuzz(func(t *testing.T, text string) {
		seen := map[string]bool{}
		for _, h := range HashtagHints(text) {
			if h.Code != CodeHashtagCamelCase || seen[h.Tag] {
				t.Fatalf("hint %+v", h)
			}
			seen[h.Tag] = true
			if h.Start < 0 || !strings.HasPrefix(text[h.Start:], h.Tag) {
				t.Fatalf("tag %q not at %d", h.Tag, h.Start)
			}
			if h.Suggestion == "" {
				continue
			}
			// Only the case changes, and the sign becomes plain.
			tag := strings.TrimPrefix(strings.TrimPrefix(h.Tag, "#"), "＃")
			if fold(h.Suggestion[1:]) != fold(tag) || h.Suggestion[0] != '#' || h.Suggestion == h.Tag {
				t.Fatalf("suggestion %q for %q", h.Suggestion, h.Tag)
			}
		}
	})
}
