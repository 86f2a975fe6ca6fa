// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"image/color"
	"math"
)

// minContrast is WCAG 2.x level AA for normal text. The band's text is
// large, where 3:1 would do, but the kind line above the level is not.
const minContrast = 4.5

// level is an alert colour as the civil protection names it.
type level struct {
	shade color.RGBA // the band's colour before the contrast check
	en    string     // English name, for the label
}

// levels are the Italian alert colours, in the Material shades that are
// closest to the civil protection's bulletins.
var levels = map[string]level{
	"verde":     {rgb(0x2E, 0x7D, 0x32), "green"},
	"gialla":    {rgb(0xFF, 0xD6, 0x00), "yellow"},
	"arancione": {rgb(0xEF, 0x6C, 0x00), "orange"},
	"rossa":     {rgb(0xC6, 0x28, 0x28), "red"},
}

// The fixed colours of the card.
var (
	black      = rgb(0x00, 0x00, 0x00)
	white      = rgb(0xFF, 0xFF, 0xFF)
	background = white
	inkStrong  = rgb(0x11, 0x11, 0x11) // headline
	inkSoft    = rgb(0x42, 0x42, 0x42) // zone, time, footer
	rule       = rgb(0xD0, 0xD0, 0xD0) // decoration only: no contrast rule applies
	// drill is a purple no alert level uses, so the banner never reads
	// as a colour of the scale.
	drill = rgb(0x6A, 0x1B, 0x9A)
)

// watermarkAlpha is how strongly the diagonal drill text tints the body:
// visible on any screen, faint enough to read the headline through it.
const watermarkAlpha = 0.13

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xFF} }

// style is a band's colours.
type style struct {
	bg, fg color.RGBA
}

// bandStyle picks the band's colours: the level's shade with black or
// white text, whichever contrasts more. One of the two always reaches AA
// (at worst 4.58:1, for a background of luminance 0.18), so the shade
// needs no adjusting; the test checks every level anyway.
func bandStyle(colour string, allClear bool) style {
	if allClear {
		colour = "verde"
	}
	return readableOn(levels[colour].shade)
}

func readableOn(bg color.RGBA) style {
	if contrast(white, bg) > contrast(black, bg) {
		return style{bg: bg, fg: white}
	}
	return style{bg: bg, fg: black}
}

// blend is fg laid over bg with opacity alpha, as the watermark is drawn.
func blend(bg, fg color.RGBA, alpha float64) color.RGBA {
	mix := func(b, f uint8) uint8 {
		return uint8(math.Round(float64(b)*(1-alpha) + float64(f)*alpha))
	}
	return rgb(mix(bg.R, fg.R), mix(bg.G, fg.G), mix(bg.B, fg.B))
}

// Specs: https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio

// contrast is the WCAG contrast ratio of two opaque colours, from 1 to 21.
func contrast(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
