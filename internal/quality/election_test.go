// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestInPeriod(t *testing.T) {
	rome := time.FixedZone("CEST", 2*3600) // Rome in spring and summer, without depending on tzdata
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, rome) }
	comunali := ElectoralPeriod{Name: "Comunali", Start: day(4, 10), End: day(5, 26)}
	europee := ElectoralPeriod{Name: "Europee", Start: day(4, 20), End: day(6, 10)}
	broken := ElectoralPeriod{Name: "Al contrario", Start: day(9, 10), End: day(9, 1)}
	periods := []ElectoralPeriod{europee, comunali, broken}
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"before", day(4, 9), ""},
		{"at the start", day(4, 10), "Comunali"},
		{"inside", day(4, 15), "Comunali"},
		{"two at once: the earliest started", day(5, 1), "Comunali"},
		{"a nanosecond before the end", day(5, 26).Add(-time.Nanosecond), "Comunali"},
		{"the end is excluded", day(5, 26), "Europee"},
		// 10 June 00:00 in Rome is 9 June 22:00 UTC: instants compare, not wall clocks.
		{"in UTC, before the end", time.Date(2026, 6, 9, 21, 59, 0, 0, time.UTC), "Europee"},
		{"in UTC, at the end", time.Date(2026, 6, 9, 22, 0, 0, 0, time.UTC), ""},
		{"after", day(6, 11), ""},
		{"an ill-formed period covers nothing", day(9, 5), ""},
		{"zero time", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := InPeriod(periods, tt.at)
			if ok != (tt.want != "") || p.Name != tt.want {
				t.Errorf("InPeriod = %q %v, want %q", p.Name, ok, tt.want)
			}
		})
	}
	if _, ok := InPeriod(nil, day(5, 1)); ok {
		t.Error("no periods, yet in one")
	}
}

var (
	mayor     = Official{Name: "Marco Rossi", Role: "sindaco"}
	assessora = Official{Name: "Anna Maria De Luca", Role: "Assessora alla mobilità e ai trasporti"}
	culture   = Official{Name: "Giulia Rossi", Role: "assessore alla cultura"}
	chief     = Official{Name: "Paolo Neri", Role: "capo di gabinetto"}
	officials = []Official{mayor, assessora, culture, chief}
)

// flag is a short form of a NameFlag for the tables: "code:text:name".
func flag(f NameFlag) string {
	code := strings.TrimPrefix(f.Code, "quality.election.")
	return fmt.Sprintf("%s:%s:%s", code, f.Text, f.Official.Name)
}

func TestNameFlags(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"full name", "Oggi Marco Rossi inaugura il parco.", []string{"name:Marco Rossi:Marco Rossi"}},
		{"case and accents", "MARCO ROSSÌ e marco rossi", []string{"name:MARCO ROSSÌ:Marco Rossi", "name:marco rossi:Marco Rossi"}},
		{"surname first", "Rossi Marco, sindaco", []string{"name:Rossi Marco:Marco Rossi", "role:sindaco:Marco Rossi"}},
		{"surname after the office", "il sindaco Rossi", []string{"role:il sindaco:Marco Rossi", "name:Rossi:Marco Rossi"}},
		{"the office picks the Rossi", "l'assessora Rossi", []string{"role:l'assessora:Giulia Rossi", "name:Rossi:Giulia Rossi"}},
		{"surname after an honorific", "ringraziamo il dott. Rossi", []string{"name:Rossi:Marco Rossi"}},
		{"dott.ssa", "la dott.ssa De Luca", []string{"name:De Luca:Anna Maria De Luca"}},
		{"surname with a particle", "l'assessora De Luca ha detto", []string{"role:l'assessora:Anna Maria De Luca", "name:De Luca:Anna Maria De Luca"}},
		{"surname alone is not flagged", "Rossi ha vinto la gara di corsa", nil},
		{"whole words only", "Marco Rossini e il signor Rossetti", nil},
		{"first name alone", "Marco e Anna", nil},
		{"the office alone", "Il sindaco ringrazia.", []string{"role:Il sindaco:Marco Rossi"}},
		{"feminine office", "Parla la sindaca", []string{"role:la sindaca:Marco Rossi"}},
		{"primo cittadino", "il primo cittadino ha firmato", []string{"role:il primo cittadino:Marco Rossi"}},
		{"an office with its full wording", "l'assessora alla mobilità e ai trasporti", []string{"role:l'assessora alla mobilità e ai trasporti:Anna Maria De Luca"}},
		{"an office by its beginning", "l'assessore alla mobilità", []string{"role:l'assessore alla mobilità:Anna Maria De Luca"}},
		{"an office without article", "Assessore alla Cultura", []string{"role:Assessore alla Cultura:Giulia Rossi"}},
		{"another office", "l'assessore allo sport", nil},
		{"a title without article is not a person", "ogni assessore ha un ufficio", nil},
		{"after an articulated preposition", "dall'assessore e dalla sindaca", []string{
			"role:dall'assessore:Anna Maria De Luca", "role:dalla sindaca:Marco Rossi"}},
		{"an office without a known title", "Il capo di gabinetto, Paolo Neri", []string{
			"role:Il capo di gabinetto:Paolo Neri", "name:Paolo Neri:Paolo Neri"}},
		{"the office and the name", "il sindaco Marco Rossi", []string{"role:il sindaco:Marco Rossi", "name:Marco Rossi:Marco Rossi"}},
		{"vice sindaco is not the mayor", "il vice sindaco", nil},
		{"across punctuation", "«Rossi», disse il sindaco: «Marco Rossi!»", []string{"role:il sindaco:Marco Rossi", "name:Marco Rossi:Marco Rossi"}},
		{"nothing", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range NameFlags(tt.text, officials) {
				got = append(got, flag(f))
				if tt.text[f.Start:f.End] != f.Text {
					t.Errorf("flag %q does not sit at %d:%d", f.Text, f.Start, f.End)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("NameFlags(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestNameFlagsOffsets(t *testing.T) {
	text := "Città: il sindaco Marco Rossi"
	flags := NameFlags(text, []Official{mayor})
	if len(flags) != 2 {
		t.Fatalf("flags %+v", flags)
	}
	if f := flags[1]; f.Start != 19 || f.End != 30 || f.Code != CodeElectionName || f.Official != mayor {
		t.Errorf("name flag %+v", f)
	}
	if f := flags[0]; f.Start != 8 || f.End != 18 || f.Code != CodeElectionRole {
		t.Errorf("role flag %+v", f)
	}
}

func TestNameFlagsOddOfficials(t *testing.T) {
	odd := []Official{{}, {Name: "  ", Role: "—"}, {Name: "Bianchi"}, {Role: "La Sindaca"}}
	got := NameFlags("Bianchi e la sindaca", odd)
	if len(got) != 2 || got[0].Text != "Bianchi" || got[1].Text != "la sindaca" {
		t.Errorf("flags %+v", got)
	}
}

func FuzzNameFlags(f *testing.F) {
	f.Add("Il sindaco Marco Rossi e l'assessora alla mobilità De Luca", "Marco Rossi", "sindaco")
	f.Add("dott.ssa De Luca, dall'assessore alla cultura", "Anna De Luca", "assessora alla cultura")
	f.Add("ROSSÌ rossi Rossini", "Rossi", "capo di gabinetto")
	f.Add("\xff vice sindaco\u0301", "", "vice sindaco")
	f.Fuzz(func(t *testing.T, text, name, role string) {
		flags := NameFlags(text, []Official{{Name: name, Role: role}, {Name: "Marco Rossi", Role: "sindaco"}})
		end := 0
		for _, fl := range flags {
			if fl.Start < end || fl.End <= fl.Start || fl.End > len(text) {
				t.Fatalf("flag %d:%d after %d in %d bytes", fl.Start, fl.End, end, len(text))
			}
			if text[fl.Start:fl.End] != fl.Text || !utf8.ValidString(fl.Text) && utf8.ValidString(text) {
				t.Fatalf("flag text %q", fl.Text)
			}
			if fl.Code != CodeElectionName && fl.Code != CodeElectionRole {
				t.Fatalf("code %q", fl.Code)
			}
			end = fl.End
		}
	})
}
