// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Every proposed short text fits X and Bluesky, whatever the type,
// level, kind, language and length of the team's words, with a long live
// page address counted whole.
func TestComposeShortFits(t *testing.T) {
	live := "https://piazza.comune-di-esempio.gov.it/o/comune-di-esempio/live/01a24c82-ea18-727c-84a1-591d0b706fb4"
	long := strings.Repeat("Raffiche fortissime e danni diffusi in tutta la città ", 8)
	for _, typ := range Types {
		for _, colour := range Colours {
			for _, kind := range []Kind{KindAlert, KindUpdate, KindCancel} {
				for _, headline := range []string{"", "Scuole chiuse", long} {
					in := Incident{Type: typ, Colour: colour, Title: "Evento di prova", Hashtag: "#ProvaAllerta",
						AreaDesc: "Centro storico, Lungomare, Colline", Instructions: long, Exercise: kind == KindUpdate}
					d := Compose(in, kind, []string{"en", "sl", "de"}, live, headline, long, "")
					for lang, tx := range d.Texts {
						if n := countShort(tx.Short); n > 280 {
							t.Errorf("%s %s %s %s: short text of %d", typ, colour, kind, lang, n)
						}
						if utf8.RuneCountInString(tx.Short) > 300 {
							t.Errorf("%s %s %s %s: over Bluesky's 300", typ, colour, kind, lang)
						}
						if !strings.Contains(tx.Short, live) || !strings.Contains(tx.Full, live) {
							t.Errorf("%s %s %s %s: the live page is missing", typ, colour, kind, lang)
						}
						if kind == KindCancel && strings.Contains(tx.Full, "Raffiche fortissime e danni diffusi in tutta la città Raffiche") &&
							lang != "it" {
							t.Errorf("%s: the all-clear repeats the standing advice in %s", typ, lang)
						}
					}
					if kind == KindCancel && strings.Contains(d.Texts["it"].Push, "Raffiche") && headline == "" {
						t.Errorf("%s: the all-clear carries the incident's instructions", typ)
					}
				}
			}
		}
	}
}

// Drills say so in every text, in every language.
func TestComposeDrillIsMarked(t *testing.T) {
	in := Incident{Type: TypeFlood, Colour: Orange, Title: "Esercitazione Seveso", Exercise: true}
	d := Compose(in, KindAlert, []string{"en", "sl", "de"}, "https://x.example/live/1", "", "", "")
	want := map[string]string{"it": "ESERCITAZIONE", "en": "EXERCISE", "sl": "VAJA", "de": "ÜBUNG"}
	for lang, tx := range d.Texts {
		if !strings.Contains(tx.Full, want[lang]) || !strings.Contains(tx.Short, want[lang]) {
			t.Errorf("%s: the drill is not marked: %q", lang, tx.Short)
		}
	}
}
