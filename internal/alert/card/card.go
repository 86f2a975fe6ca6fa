// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package card draws the alert card: a PNG with the alert level, headline,
// zone and time of an emergency alert. Instagram needs an image to publish
// at all, and on every other platform a card in the alert colour is read
// faster than text in a timeline.
//
// Render never fails on text it cannot fit or draw: long text shrinks and
// then ends with an ellipsis, and characters the fonts lack (emoji) are
// left out, because an alert must go out even when its wording is odd.
package card

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"time"
)

// Size is the shape of the card.
type Size int

// The sizes of card. Square is the zero value: Instagram's feed takes it
// and the other platforms show it well enough.
const (
	Square    Size = iota // 1080×1080, Instagram feed
	Landscape             // 1200×675, X, Bluesky, Facebook link previews
)

// Card is what an alert card shows.
type Card struct {
	// Colour is the Italian alert colour: "verde", "gialla", "arancione"
	// or "rossa". It may be empty on an all-clear card.
	Colour string
	// Kind is the kind of alert ("Allerta vento (Bora)") or the label of
	// the incident type, shown in the colour band above the level.
	Kind     string
	Headline string
	Zone     string
	// At is the time of the update, already in the organisation's zone.
	// The zero time leaves the line out.
	At time.Time
	// Lang is "it" or "en"; anything else falls back to Italian, the
	// language every Italian administration must publish in.
	Lang string
	// AllClear marks the end of the alert: green band, "CESSATO ALLARME".
	AllClear bool
	Org      string // "Comune di Trieste"
	Hashtag  string // with or without the leading #
	// Exercise marks a drill: the card carries a banner and a diagonal
	// watermark so that it cannot be mistaken for a real alert, even
	// cropped.
	Exercise bool
	Size     Size
}

// Error codes: translation keys, in the i18n catalogs with the alert
// package's own (alert.card.…).
const (
	CodeColourUnknown = "alert.card.colour_unknown"
	CodeHeadlineEmpty = "alert.card.headline_empty"
	CodeSizeUnknown   = "alert.card.size_unknown"
)

// Error is a card that cannot be drawn, with its translation key.
type Error struct {
	Code  string
	Value string // the offending value, for the logs
}

func (e *Error) Error() string {
	if e.Value != "" {
		return "card: " + e.Code + ": " + e.Value
	}
	return "card: " + e.Code
}

// Render draws the card and encodes it as PNG.
func Render(c Card) ([]byte, error) {
	p, err := layout(c)
	if err != nil {
		return nil, err
	}
	img := p.draw()
	var buf bytes.Buffer
	// BestSpeed: the card is made once per alert and sent at once; a few
	// kilobytes more do not matter, tens of milliseconds might.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("card: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// validate checks the fields that have no sensible fallback.
func validate(c Card) error {
	if c.Size != Square && c.Size != Landscape {
		return &Error{Code: CodeSizeUnknown}
	}
	colour := normColour(c.Colour)
	// An all-clear may leave the colour out: it is drawn green anyway.
	allClearUncoloured := c.AllClear && colour == ""
	if _, ok := levels[colour]; !ok && !allClearUncoloured {
		return &Error{Code: CodeColourUnknown, Value: c.Colour}
	}
	if strings.TrimSpace(c.Headline) == "" {
		return &Error{Code: CodeHeadlineEmpty}
	}
	return nil
}

// normColour accepts the colour as people write it: any case, and the
// masculine forms of bulletins that say "codice rosso" (as alert/cap does).
func normColour(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if f, ok := feminine[s]; ok {
		return f
	}
	return s
}

var feminine = map[string]string{"giallo": "gialla", "arancio": "arancione", "rosso": "rossa"}
