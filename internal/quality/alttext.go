// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package quality

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Codes of the hints on alternative text, keys of the i18n catalogs.
const (
	CodeAltEmpty     = "quality.alt.empty"     // a screen reader says only "image"
	CodeAltFilename  = "quality.alt.filename"  // "IMG_1234.jpg" says nothing
	CodeAltTooShort  = "quality.alt.too_short" // under 10 characters rarely describes anything
	CodeAltRedundant = "quality.alt.redundant" // "immagine di…": the screen reader already says it is an image
	CodeAltTooLong   = "quality.alt.too_long"  // over 1000 characters: put it in the post instead
)

// The bounds of a useful alternative text, in characters.
const (
	altMinChars = 10
	altMaxChars = 1000
)

var (
	// reAltRedundant is an opening that says it is an image, in Italian or
	// English, on the folded text.
	reAltRedundant = regexp.MustCompile(`^(?:(?:una|un|la|the|an|a) |un'|l')?(?:immagine|foto|fotografia|image|picture|photo|photograph|pic)\s+` +
		`(?:(?:di|del|dello|della|dei|degli|delle|che|raffigurante|of|showing)(?:\s|$)|dell')`)
	// reAltFilename is a file name, or what a camera or phone names its
	// files.
	reAltFilename = regexp.MustCompile(`(?i)^[^\n]*\.(?:jpe?g|png|gif|webp|heic|heif|avif|tiff?|bmp|svg|mp4|mov)$` +
		`|^(?:img|dsc[nf]?|pxl|mvimg|dji|gopr|pic|photo|foto|image|immagine|screenshot|schermata)[ _-]?\d[\d _.:-]*$` +
		`|^\d[\d _-]{5,}$`)
)

// AltTextHints returns the codes of what is weak in an image's alternative
// text, in a fixed order; none when it looks fine. Empty text gets only
// CodeAltEmpty.
func AltTextHints(alt string) []string {
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return []string{CodeAltEmpty}
	}
	var out []string
	if reAltFilename.MatchString(alt) {
		out = append(out, CodeAltFilename)
	}
	n := utf8.RuneCountInString(alt)
	if n < altMinChars {
		out = append(out, CodeAltTooShort)
	}
	if reAltRedundant.MatchString(strings.ReplaceAll(fold(alt), "’", "'")) {
		out = append(out, CodeAltRedundant)
	}
	if n > altMaxChars {
		out = append(out, CodeAltTooLong)
	}
	return out
}
