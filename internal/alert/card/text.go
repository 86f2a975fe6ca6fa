// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// weight picks one of the two fonts of the card.
type weight int

const (
	regular weight = iota
	bold
)

var (
	fontsOnce sync.Once
	fonts     [2]*opentype.Font
	fontsErr  error
)

// loadFonts parses the embedded Go fonts once: parsing is the slow part,
// and a parsed *opentype.Font is safe for concurrent use.
func loadFonts() error {
	fontsOnce.Do(func() {
		for w, ttf := range map[weight][]byte{regular: goregular.TTF, bold: gobold.TTF} {
			f, err := opentype.Parse(ttf)
			if err != nil {
				fontsErr = fmt.Errorf("card: parse font: %w", err)
				return
			}
			fonts[w] = f
		}
	})
	return fontsErr
}

// faces hands out font faces by weight and size. A face is not safe for
// concurrent use, so each Render has its own.
type faces map[faceKey]font.Face

type faceKey struct {
	w    weight
	size int
}

func (fs faces) get(w weight, size int) font.Face {
	k := faceKey{w, size}
	if f, ok := fs[k]; ok {
		return f
	}
	// HintingNone: hinted advances are rounded to whole pixels, which
	// makes large type look unevenly spaced.
	f, err := opentype.NewFace(fonts[w], &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// Only a non-positive size or DPI fails, which the layout never asks for.
		panic(fmt.Sprintf("card: face %d/%d: %v", w, size, err))
	}
	fs[k] = f
	return f
}

// lineHeight is the distance between baselines of a text set in size:
// the Go fonts' ascent plus descent is 1.16 em.
func lineHeight(size int) int { return int(math.Ceil(float64(size) * 1.2)) }

// maxRunes bounds the text kept from a field: more could never fit on the
// card at the smallest type, and wrapping a megabyte would only waste time.
const maxRunes = 600

// substitutes stand in for characters the Go fonts lack but whose meaning
// a plainer character keeps.
var substitutes = map[rune]rune{
	'\u2010': '-', // hyphen
	'\u2011': '-', // non-breaking hyphen
	'\u2012': '–', // figure dash
	'\u2212': '-', // minus sign
	'\u2015': '—', // horizontal bar
	'\u2024': '.', // one dot leader
	'\u2033': '"', // double prime
	'\u2044': '/', // fraction slash
}

// clean prepares a field for the fonts: composed accents (NFC, since the
// fonts have no combining marks), every space as one plain space, and
// characters without a glyph (emoji, scripts the Go fonts do not cover)
// left out rather than drawn as empty boxes.
func clean(s string) string {
	if s == "" {
		return ""
	}
	// Bound the work before normalising: emoji sequences run to many
	// bytes a rune, but past this much nothing would fit on the card.
	if limit := 16 * maxRunes; len(s) > limit {
		s = s[:limit]
	}
	var buf sfnt.Buffer
	var b strings.Builder
	n := 0
	space := true // drops leading spaces
	for _, r := range norm.NFC.String(s) {
		if n >= maxRunes {
			break
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		if sub, ok := substitutes[r]; ok {
			r = sub
		}
		if !drawable(&buf, r) {
			continue
		}
		b.WriteRune(r)
		n++
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// drawable says whether both fonts have a glyph for r.
func drawable(buf *sfnt.Buffer, r rune) bool {
	if r == utf8.RuneError || unicode.IsControl(r) {
		return false
	}
	for _, f := range fonts {
		if g, err := f.GlyphIndex(buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}

// advance is the width of s set in face after the rune prev (-1 at the
// start of a line), computed as font.MeasureString does so that widths
// can be summed word by word.
func advance(face font.Face, prev rune, s string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range s {
		if prev >= 0 {
			w += face.Kern(prev, r)
		}
		a, ok := face.GlyphAdvance(r)
		if !ok {
			a, _ = face.GlyphAdvance(unicode.ReplacementChar)
		}
		w += a
		prev = r
	}
	return w
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// wrap breaks text into lines no wider than width, at spaces; a word
// wider than a whole line (a URL, a long compound) is broken anywhere.
func wrap(face font.Face, text string, width fixed.Int26_6) []string {
	var lines []string
	var line string
	var lineW fixed.Int26_6
	for _, word := range words(text) {
		if line != "" {
			w := lineW + advance(face, lastRune(line), " "+word)
			if w <= width {
				line += " " + word
				lineW = w
				continue
			}
			lines = append(lines, line)
			line, lineW = "", 0
		}
		// word starts a line: split it if it is wider than the line.
		for {
			w := advance(face, -1, word)
			if w <= width {
				line, lineW = word, w
				break
			}
			head := fitPrefix(face, word, width)
			lines = append(lines, head)
			word = word[len(head):]
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// words splits text at spaces, keeping a lone dash with the word after it:
// Italian breaks a line before an inciso's dash, not after.
func words(text string) []string {
	var ws []string
	glue := false
	for w := range strings.SplitSeq(text, " ") {
		switch {
		case w == "":
			continue
		case glue:
			ws[len(ws)-1] += " " + w
		default:
			ws = append(ws, w)
		}
		glue = w == "-" || w == "–" || w == "—"
	}
	return ws
}

// fitPrefix is the longest prefix of s, at least one rune, that fits in
// width.
func fitPrefix(face font.Face, s string, width fixed.Int26_6) string {
	var w fixed.Int26_6
	prev := rune(-1)
	for i, r := range s {
		w += advance(face, prev, string(r))
		if w > width && i > 0 {
			return s[:i]
		}
		prev = r
	}
	return s
}

// ellipsis ends a text cut short.
const ellipsis = "…"

// trimCut are the characters a cut line should not end with before the
// ellipsis.
const trimCut = " ,;:.-–—"

// ellipsize shortens line until it fits in width with an ellipsis after
// it, at a space when that loses little.
func ellipsize(face font.Face, line string, width fixed.Int26_6) string {
	cut := strings.TrimRight(line, trimCut)
	for cut != "" && advance(face, -1, cut+ellipsis) > width {
		_, n := utf8.DecodeLastRuneInString(cut)
		cut = strings.TrimRight(cut[:len(cut)-n], trimCut)
	}
	// cut is a prefix of line: the rune after it says whether a word
	// was broken.
	next, _ := utf8.DecodeRuneInString(line[len(cut):])
	midWord := len(cut) < len(line) && !strings.ContainsRune(trimCut, next)
	if i := strings.LastIndexByte(cut, ' '); i > 0 && midWord {
		// Ending on a whole word reads better, when it costs at most a
		// fifth of the line.
		if w := strings.TrimRight(cut[:i], trimCut); advance(face, -1, w) >= width*4/5 {
			cut = w
		}
	}
	return cut + ellipsis
}

// block is text laid out in lines at one size.
type block struct {
	w     weight
	size  int
	lines []string
}

// fit lays text out in at most maxLines lines of width and height
// maxHeight, at the largest size from maxSize down to minSize (by step)
// at which all of it fits; at minSize what does not fit is cut with an
// ellipsis. It never returns lines wider than width or taller than
// maxHeight, save one line when even one does not fit.
func fit(fs faces, w weight, text string, width, maxHeight, maxLines, maxSize, minSize, step int) block {
	if text == "" {
		return block{w: w, size: maxSize}
	}
	fw := fixed.I(width)
	for size := maxSize; ; size -= step {
		if size <= minSize {
			size = minSize
		}
		face := fs.get(w, size)
		limit := max(1, min(maxLines, maxHeight/lineHeight(size)))
		lines := wrap(face, text, fw)
		if len(lines) <= limit {
			return block{w: w, size: size, lines: lines}
		}
		if size == minSize {
			lines = lines[:limit]
			// The ellipsis goes after the whole last line, so that the
			// reader sees the text goes on.
			lines[limit-1] = ellipsize(face, lines[limit-1]+" ", fw)
			return block{w: w, size: size, lines: lines}
		}
	}
}
