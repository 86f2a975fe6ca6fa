// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"slices"
	"strings"

	"golang.org/x/image/draw"
)

// maxPixels refuses decompression bombs before decoding: a 50-megapixel
// image already takes 200 MB as RGBA, and a few bytes of PNG can claim
// billions of pixels.
const maxPixels = 50_000_000

// minSide is where Fit stops making an image smaller: below it a photo is
// no use to anyone, and JPEG's headers alone weigh some hundred bytes.
const minSide = 16

// jpegQualities are tried from the best down; 50 is the least a photo of a
// public notice can take and stay legible.
var jpegQualities = []int{90, 85, 80, 75, 70, 65, 60, 55, 50}

// Target is what a platform accepts. Zero MaxBytes or MaxSide mean no
// limit; empty Types means any type Fit can write.
type Target struct {
	// Types are the accepted content types. When Fit must re-encode, it
	// writes JPEG if accepted (it is what shrinks photos), else the first
	// of these it can write (PNG or GIF).
	Types    []string
	MaxBytes int64
	MaxSide  int // the longest side in pixels
}

func (t Target) accepts(ct string) bool { return len(t.Types) == 0 || slices.Contains(t.Types, ct) }

// encodeType chooses what to write: WebP is read but cannot be written
// with the standard library or x/image.
func (t Target) encodeType() (string, bool) {
	if t.accepts("image/jpeg") {
		return "image/jpeg", true
	}
	for _, ct := range t.Types {
		if ct == "image/png" || ct == "image/gif" {
			return ct, true
		}
	}
	return "", false
}

// Fit returns an image the target accepts, and its size as shown.
//
// The type of the input is read from its content, as Sniff does;
// contentType, what was recorded at upload, only labels errors (a file
// renamed .png is still read as the JPEG it is). When the image
// already fits (type accepted, at most MaxBytes, longest side at most
// MaxSide) the same bytes come back, metadata included. Otherwise it is
// decoded (the first frame of a GIF), scaled down with Catmull-Rom to
// MaxSide, turned upright by its EXIF orientation, and re-encoded: as JPEG
// when accepted, transparency flattened on white, at the best quality from
// 90 down to 50 that fits MaxBytes, then smaller by steps of 0.85 until it
// fits. Errors are *Error: CodeTypeUnsupported (not an image Sniff
// knows), CodeCorrupt, CodeTooLarge (over 50 megapixels, refused before
// decoding) or CodeCannotFit.
func Fit(data []byte, contentType string, t Target) (out []byte, outType string, w, h int, err error) {
	return fit(data, contentType, t, maxPixels)
}

// fit is Fit with the pixel limit as a parameter, so the fuzz target can
// use a small one and stay fast.
func fit(data []byte, contentType string, t Target, limit int64) ([]byte, string, int, int, error) {
	ct, kind, err := Sniff(data)
	if err != nil {
		return nil, "", 0, 0, err
	}
	if kind != Image {
		return nil, "", 0, 0, &Error{Code: CodeTypeUnsupported, Err: fmt.Errorf("%s is not an image", ct)}
	}
	label := ct
	if contentType != "" && contentType != ct {
		label += " (recorded as " + contentType + ")"
	}
	cfg, format, err := decodeConfig(data)
	if err == nil && "image/"+format != ct {
		err = fmt.Errorf("looks like %s, decodes as %s", ct, format)
	}
	if err != nil {
		return nil, "", 0, 0, &Error{Code: CodeCorrupt, Err: fmt.Errorf("%s: %w", label, err)}
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return nil, "", 0, 0, &Error{Code: CodeCorrupt, Err: fmt.Errorf("%s: empty image", label)}
	}
	if int64(w)*int64(h) > limit {
		return nil, "", 0, 0, &Error{Code: CodeTooLarge, Err: fmt.Errorf("%dx%d pixels", w, h)}
	}
	o := 1
	if format == "jpeg" {
		o = jpegOrientation(data)
	}
	if t.accepts(ct) && (t.MaxBytes <= 0 || int64(len(data)) <= t.MaxBytes) && (t.MaxSide <= 0 || max(w, h) <= t.MaxSide) {
		if swapsSides(o) {
			return data, ct, h, w, nil
		}
		return data, ct, w, h, nil
	}
	outType, ok := t.encodeType()
	if !ok {
		return nil, "", 0, 0, &Error{Code: CodeCannotFit, Err: fmt.Errorf("cannot write any of %s", strings.Join(t.Types, ", "))}
	}
	src, err := decode(data)
	if err != nil {
		return nil, "", 0, 0, &Error{Code: CodeCorrupt, Err: fmt.Errorf("%s: %w", label, err)}
	}
	// A GIF's first frame may be smaller than its canvas.
	w, h = src.Bounds().Dx(), src.Bounds().Dy()
	if w <= 0 || h <= 0 {
		return nil, "", 0, 0, &Error{Code: CodeCorrupt, Err: fmt.Errorf("%s: empty image", label)}
	}
	flatten := outType == "image/jpeg" && !opaque(src)
	side := max(w, h)
	if t.MaxSide > 0 && side > t.MaxSide {
		side = t.MaxSide
	}
	base, rescaled := src, false
	for {
		nw, nh := sized(w, h, side)
		scaled := scale(base, nw, nh, flatten, o != 1)
		if !rescaled && (nw < w || nh < h) {
			// Further steps scale from this copy: much cheaper than from
			// the original, and no visible loss at 0.85 a step.
			base, rescaled = scaled, true
		}
		img := scaled
		if o != 1 {
			img = orient(scaled.(*image.RGBA), o)
		}
		out, smallest, err := encodeBest(img, outType, t.MaxBytes)
		if err != nil {
			return nil, "", 0, 0, &Error{Code: CodeCannotFit, Err: err}
		}
		if out != nil {
			b := img.Bounds()
			return out, outType, b.Dx(), b.Dy(), nil
		}
		if side <= minSide {
			return nil, "", 0, 0, &Error{Code: CodeCannotFit,
				Err: fmt.Errorf("%d bytes at %dx%d, over %d", smallest, nw, nh, t.MaxBytes)}
		}
		side = nextSide(side, smallest, t.MaxBytes)
	}
}

// nextSide is the next longest side to try. Bytes go roughly with the
// area, so it skips at once the 0.85 steps that cannot be enough; it
// rounds towards the larger side so as not to shrink more than needed.
func nextSide(side, size int, maxBytes int64) int {
	steps := 1
	if r := float64(maxBytes) / float64(size); r > 0 && r < 1 {
		steps = max(1, int(math.Log(r)/(2*math.Log(0.85))))
	}
	next := int(float64(side) * math.Pow(0.85, float64(steps)))
	return max(minSide, min(next, side-1))
}

// sized is w×h scaled so that the longest side is side.
func sized(w, h, side int) (int, int) {
	if w >= h {
		return side, max(1, int(math.Round(float64(h)*float64(side)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(side)/float64(h)))), side
}

// scale draws src at w×h. JPEG has no transparency: dropping alpha would
// turn transparent areas black, so they are flattened on white instead.
// An image that needs no change is returned as it is, keeping the
// decoder's own layout that the encoder reads fastest.
func scale(src image.Image, w, h int, flatten, needRGBA bool) image.Image {
	b := src.Bounds()
	same := b.Dx() == w && b.Dy() == h
	if same && !flatten && !needRGBA {
		return src
	}
	if rgba, ok := src.(*image.RGBA); ok && same && b.Min == (image.Point{}) && !flatten {
		return rgba
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if flatten {
		draw.Draw(dst, dst.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	}
	if same {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	}
	return dst
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// encodeBest encodes img at the best quality that fits maxBytes. It
// returns nil and the size at the lowest quality when none does. The
// quality ladder is searched by halves: size falls with quality, so this
// finds the same step as trying each in turn, with a third of the work.
func encodeBest(img image.Image, ct string, maxBytes int64) ([]byte, int, error) {
	qs := []int{0}
	if ct == "image/jpeg" {
		qs = jpegQualities
	}
	fits := func(b []byte) bool { return maxBytes <= 0 || int64(len(b)) <= maxBytes }
	first, err := encode(img, ct, qs[0])
	if err != nil || fits(first) {
		return first, len(first), err
	}
	if len(qs) == 1 {
		return nil, len(first), nil
	}
	last, err := encode(img, ct, qs[len(qs)-1])
	if err != nil || !fits(last) {
		return nil, len(last), err
	}
	best, lo, hi := last, 0, len(qs)-1 // qs[lo] is too big, qs[hi] fits
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		out, err := encode(img, ct, qs[mid])
		if err != nil {
			return nil, 0, err
		}
		if fits(out) {
			best, hi = out, mid
		} else {
			lo = mid
		}
	}
	return best, len(best), nil
}

func encode(img image.Image, ct string, quality int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch ct {
	case "image/jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	case "image/png":
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	case "image/gif":
		err = gif.Encode(&buf, img, nil)
	default:
		err = fmt.Errorf("cannot encode %s", ct)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", ct, err)
	}
	return buf.Bytes(), nil
}

// errDecoderPanic stands for a decoder that panicked on a hostile file.
var errDecoderPanic = errors.New("decoder failed")

// decodeConfig and decode read uploads from outside: a bug in a decoder
// must cost one image, not the worker that publishes every channel.
func decodeConfig(data []byte) (cfg image.Config, format string, err error) {
	defer func() {
		if recover() != nil {
			cfg, format, err = image.Config{}, "", errDecoderPanic
		}
	}()
	return image.DecodeConfig(bytes.NewReader(data))
}

func decode(data []byte) (img image.Image, err error) {
	defer func() {
		if recover() != nil {
			img, err = nil, errDecoderPanic
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	return img, err
}
