// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"strconv"
	"strings"
	"time"
)

// The words drawn on the card. They live here rather than in the i18n
// catalogs because the card is an image: its labels are part of the
// design, bound to the space the layout gives them.

// exerciseLabel is bilingual on every card: a drill must be recognised by
// anyone who sees it shared, whatever the card's language.
const exerciseLabel = "ESERCITAZIONE — EXERCISE"

// english says whether the card speaks English.
func english(lang string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(lang)), "en")
}

// levelLabel is the large text of the colour band.
func levelLabel(colour string, allClear bool, lang string) string {
	if allClear {
		if english(lang) {
			return "ALL CLEAR"
		}
		return "CESSATO ALLARME"
	}
	l := levels[colour]
	if english(lang) {
		return strings.ToUpper(l.en) + " ALERT"
	}
	return "ALLERTA " + strings.ToUpper(colour)
}

// zoneLabel names the area the alert covers.
func zoneLabel(zone, lang string) string {
	if zone == "" {
		return ""
	}
	if english(lang) {
		return "Area: " + zone
	}
	return "Zona: " + zone
}

var (
	monthsIT = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
		"luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
	monthsEN = [...]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
)

// timeLabel says when the alert was last updated: "Aggiornato alle 14:05
// del 6 dicembre 2026" or "Updated 6 December 2026, 14:05". The month
// names are written out so the date cannot be read the wrong way round.
func timeLabel(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	hm := t.Format("15:04")
	year := strconv.Itoa(t.Year())
	if english(lang) {
		return "Updated " + strconv.Itoa(t.Day()) + " " + monthsEN[t.Month()-1] + " " + year + ", " + hm
	}
	// Italian elides the article before a vowel (l'8, l'11) and writes
	// the first of the month as an ordinal (1°).
	var day string
	switch d := t.Day(); d {
	case 1:
		day = "del 1°"
	case 8, 11:
		day = "dell’" + strconv.Itoa(d)
	default:
		day = "del " + strconv.Itoa(d)
	}
	return "Aggiornato alle " + hm + " " + day + " " + monthsIT[t.Month()-1] + " " + year
}
