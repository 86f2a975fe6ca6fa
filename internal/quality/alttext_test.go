// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"slices"
	"strings"
	"testing"
)

func TestAltTextHints(t *testing.T) {
	good := "Il sindaco taglia il nastro davanti alla nuova biblioteca, tra i bambini della scuola."
	tests := []struct {
		name string
		alt  string
		want []string
	}{
		{"good", good, nil},
		{"exactly ten characters", " Una piazza ", nil},
		{"exactly 1000 characters", strings.Repeat("àbcdefghij", 100), nil},
		{"empty", "", []string{CodeAltEmpty}},
		{"blank", " \n\t ", []string{CodeAltEmpty}},
		{"too short", "Parco", []string{CodeAltTooShort}},
		{"too short in characters, not bytes", "Città è", []string{CodeAltTooShort}},
		{"too long", strings.Repeat("a", 1001), []string{CodeAltTooLong}},
		{"immagine di", "Immagine di un parco con i giochi per bambini", []string{CodeAltRedundant}},
		{"foto della", "Foto della piazza durante il mercato", []string{CodeAltRedundant}},
		{"foto dell'", "foto dell’ingresso del municipio", []string{CodeAltRedundant}},
		{"un'immagine che", "Un'immagine che mostra la piazza", []string{CodeAltRedundant}},
		{"fotografia", "FOTOGRAFIA DEL SINDACO al mercato", []string{CodeAltRedundant}},
		{"image of", "Image of the town hall at night", []string{CodeAltRedundant}},
		{"a picture of", "A picture of the new bike lane", []string{CodeAltRedundant}},
		{"photo of, short", "photo of", []string{CodeAltTooShort, CodeAltRedundant}},
		{"a file name", "IMG_1234.jpg", []string{CodeAltFilename}},
		{"a file name with spaces", "foto sindaco def 2.JPEG", []string{CodeAltFilename}},
		{"a short file name", "a.png", []string{CodeAltFilename, CodeAltTooShort}},
		{"a camera name", "DSC01234", []string{CodeAltFilename, CodeAltTooShort}},
		{"a phone name", "PXL_20260315_103000123", []string{CodeAltFilename}},
		{"a date stamp", "20260315_103000", []string{CodeAltFilename}},
		{"a photographer's words are not redundant", "Fotografo al lavoro in piazza", nil},
		{"the word image later on", "Il parco, in un'immagine di ieri", nil},
		{"a description ending in a dot", "Il mercato in piazza Garibaldi.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AltTextHints(tt.alt); !slices.Equal(got, tt.want) {
				t.Errorf("AltTextHints(%q) = %q, want %q", tt.alt, got, tt.want)
			}
		})
	}
}

func FuzzAltTextHints(f *testing.F) {
	f.Add("IMG_1234.jpg")
	f.Add("Immagine di un parco")
	f.Add(" ")
	f.Add("\xff\xfe foto dell'")
	known := []string{CodeAltFilename, CodeAltTooShort, CodeAltRedundant, CodeAltTooLong}
	f.Fuzz(func(t *testing.T, alt string) {
		got := AltTextHints(alt)
		if strings.TrimSpace(alt) == "" {
			if !slices.Equal(got, []string{CodeAltEmpty}) {
				t.Fatalf("blank text: %q", got)
			}
			return
		}
		// Known codes, each once, in the fixed order.
		i := 0
		for _, c := range got {
			j := slices.Index(known[i:], c)
			if j < 0 {
				t.Fatalf("codes %q", got)
			}
			i += j + 1
		}
		if slices.Contains(got, CodeAltTooShort) && slices.Contains(got, CodeAltTooLong) {
			t.Fatalf("both too short and too long: %q", got)
		}
	})
}
