// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"sync"
	"testing"
)

// Targets like the platforms'.
var (
	bluesky   = Target{Types: []string{"image/jpeg", "image/png", "image/webp"}, MaxBytes: 1_000_000, MaxSide: 2000}
	instagram = Target{Types: []string{"image/jpeg"}, MaxBytes: 8_000_000, MaxSide: 1440}
)

// photo is a 4000×3000 noisy PNG, made once: it takes a while.
var photo = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := pngFast(&b, noisy(4000, 3000, false)); err != nil {
		panic(err)
	}
	return b.Bytes()
})

func TestFitPassesThrough(t *testing.T) {
	png := encodePNG(t, noisy(40, 30, true))
	jpg := encodeJPEG(t, noisy(40, 30, false))
	tests := []struct {
		name     string
		data     []byte
		recorded string
		target   Target
		ct       string
		w, h     int
	}{
		{"png to bluesky", png, "image/png", bluesky, "image/png", 40, 30},
		{"jpeg to instagram", jpg, "image/jpeg", instagram, "image/jpeg", 40, 30},
		{"no limits", jpg, "image/jpeg", Target{}, "image/jpeg", 40, 30},
		{"exactly at the limits", jpg, "image/jpeg", Target{Types: []string{"image/jpeg"}, MaxBytes: int64(len(jpg)), MaxSide: 40}, "image/jpeg", 40, 30},
		{"webp where accepted", unbase64(t, webpLossless), "image/webp", bluesky, "image/webp", 1, 1},
		{"the content decides the type", png, "image/jpeg", Target{Types: []string{"image/png"}}, "image/png", 40, 30},
		{"sideways photo keeps its EXIF", withOrientation(jpg, 6, false), "image/jpeg", instagram, "image/jpeg", 30, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ct, w, h, err := Fit(tt.data, tt.recorded, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if ct != tt.ct || w != tt.w || h != tt.h {
				t.Errorf("Fit = %s %dx%d, want %s %dx%d", ct, w, h, tt.ct, tt.w, tt.h)
			}
			if len(out) != len(tt.data) || &out[0] != &tt.data[0] {
				t.Error("an image that fits was copied or changed")
			}
		})
	}
}

func TestFitConverts(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		target Target
		ct     string
		w, h   int
	}{
		{"png to instagram", encodePNG(t, noisy(400, 300, false)), instagram, "image/jpeg", 400, 300},
		{"gif to instagram", encodeGIF(t, noisy(30, 40, false)), instagram, "image/jpeg", 30, 40},
		{"lossless webp to instagram", unbase64(t, webpLossless), instagram, "image/jpeg", 1, 1},
		{"lossy webp to instagram", unbase64(t, webpLossy), instagram, "image/jpeg", 1, 1},
		{"jpeg where only png goes", encodeJPEG(t, noisy(40, 30, false)), Target{Types: []string{"image/webp", "image/png"}}, "image/png", 40, 30},
		{"jpeg where only gif goes", encodeJPEG(t, noisy(40, 30, false)), Target{Types: []string{"image/gif"}}, "image/gif", 40, 30},
		{"too wide", encodePNG(t, noisy(400, 100, false)), Target{MaxSide: 100}, "image/jpeg", 100, 25},
		{"too tall", encodePNG(t, noisy(100, 400, false)), Target{Types: []string{"image/png"}, MaxSide: 200}, "image/png", 50, 200},
		{"one pixel wide", encodePNG(t, noisy(1, 500, false)), Target{MaxSide: 100}, "image/jpeg", 1, 100},
		{"too heavy", encodePNG(t, noisy(600, 600, false)), Target{Types: []string{"image/jpeg"}, MaxBytes: 30_000}, "image/jpeg", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ct, w, h, err := Fit(tt.data, "", tt.target)
			if err != nil {
				t.Fatal(err)
			}
			checkFitted(t, out, ct, w, h, tt.target)
			if ct != tt.ct || (tt.w > 0 && (w != tt.w || h != tt.h)) {
				t.Errorf("Fit = %s %dx%d, want %s %dx%d", ct, w, h, tt.ct, tt.w, tt.h)
			}
			if bytes.Equal(out, tt.data) {
				t.Error("not re-encoded")
			}
		})
	}
}

// checkFitted checks that out is what Fit says and what t accepts.
func checkFitted(t *testing.T, out []byte, ct string, w, h int, tg Target) {
	t.Helper()
	if sniffed, _, err := Sniff(out); err != nil || sniffed != ct {
		t.Errorf("said %s, is %s (%v)", ct, sniffed, err)
	}
	if gw, gh, err := Dimensions(out); err != nil || gw != w || gh != h {
		t.Errorf("said %dx%d, is %dx%d (%v)", w, h, gw, gh, err)
	}
	if len(tg.Types) > 0 && !slices.Contains(tg.Types, ct) {
		t.Errorf("%s not among %v", ct, tg.Types)
	}
	if tg.MaxBytes > 0 && int64(len(out)) > tg.MaxBytes {
		t.Errorf("%d bytes, over %d", len(out), tg.MaxBytes)
	}
	if tg.MaxSide > 0 && max(w, h) > tg.MaxSide {
		t.Errorf("%dx%d, over %d", w, h, tg.MaxSide)
	}
}

func TestFitPhotoToBluesky(t *testing.T) {
	if testing.Short() {
		t.Skip("a 12-megapixel photo")
	}
	for _, tg := range []Target{
		bluesky,
		{Types: bluesky.Types, MaxBytes: bluesky.MaxBytes}, // only the bytes: it must shrink by itself
	} {
		out, ct, w, h, err := Fit(photo(), "image/png", tg)
		if err != nil {
			t.Fatal(err)
		}
		checkFitted(t, out, ct, w, h, tg)
		if d := w*3 - h*4; ct != "image/jpeg" || d < -3 || d > 3 { // 4:3, give or take rounding
			t.Errorf("fitted to %s %dx%d, %d bytes", ct, w, h, len(out))
		}
		t.Logf("4000x3000 PNG, %d bytes → %s %dx%d, %d bytes", len(photo()), ct, w, h, len(out))
	}
}

func TestFitFlattensOnWhite(t *testing.T) {
	data := encodePNG(t, noisy(200, 100, true)) // left half transparent
	out, ct, _, _, err := Fit(data, "image/png", instagram)
	if err != nil || ct != "image/jpeg" {
		t.Fatalf("Fit = %s %v", ct, err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := img.At(20, 50).RGBA(); r < 0xF000 || g < 0xF000 || b < 0xF000 {
		t.Errorf("a transparent pixel became %x %x %x, not white", r>>8, g>>8, b>>8)
	}
	// Where PNG is accepted the transparency stays.
	out, ct, _, _, err = Fit(data, "image/png", Target{Types: []string{"image/png"}, MaxSide: 100})
	if err != nil || ct != "image/png" {
		t.Fatalf("Fit = %s %v", ct, err)
	}
	img, _, err = image.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := img.At(10, 25).RGBA(); a != 0 {
		t.Errorf("transparency lost: alpha %x", a)
	}
}

func TestFitTurnsSidewaysPhotos(t *testing.T) {
	// Stored 40×20, left half red; orientation 6 shows it turned a quarter
	// clockwise, 20×40 with the red half on top.
	data := withOrientation(encodeJPEG(t, halves(40, 20)), 6, false)
	out, ct, w, h, err := Fit(data, "image/jpeg", Target{Types: []string{"image/jpeg"}, MaxSide: 30})
	if err != nil {
		t.Fatal(err)
	}
	checkFitted(t, out, ct, w, h, Target{MaxSide: 30})
	if w != 15 || h != 30 {
		t.Fatalf("Fit = %dx%d, want 15x30", w, h)
	}
	if jpegOrientation(out) != 1 {
		t.Error("the re-encoded JPEG still says how to turn it")
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	near := func(c color.Color, r, b uint32) bool {
		cr, _, cb, _ := c.RGBA()
		return (cr>>8 > 128) == (r > 128) && (cb>>8 > 128) == (b > 128)
	}
	if !near(img.At(7, 4), 255, 0) || !near(img.At(7, 25), 0, 255) {
		t.Errorf("top %v, bottom %v: want red above blue", img.At(7, 4), img.At(7, 25))
	}
}

func TestFitRefuses(t *testing.T) {
	png := encodePNG(t, noisy(40, 30, false))
	tests := []struct {
		name   string
		data   []byte
		target Target
		code   string
	}{
		{"png bomb", bombs(t)["png"], bluesky, CodeTooLarge},
		{"gif bomb", bombs(t)["gif"], bluesky, CodeTooLarge},
		{"jpeg bomb", bombs(t)["jpeg"], bluesky, CodeTooLarge},
		{"bomb that would pass through", bombs(t)["png"], Target{}, CodeTooLarge},
		{"junk", []byte("not an image at all"), bluesky, CodeTypeUnsupported},
		{"empty", nil, bluesky, CodeTypeUnsupported},
		{"a video", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bluesky, CodeTypeUnsupported},
		{"png header only", png[:40], instagram, CodeCorrupt}, // to bluesky it would pass through undecoded
		{"png cut short", png[:len(png)/2], instagram, CodeCorrupt},
		{"jpeg signature, no image", []byte{0xFF, 0xD8, 0xFF, 0xD9}, bluesky, CodeCorrupt},
		{"webp signature, no image", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00junk"), instagram, CodeCorrupt},
		{"no type it can write", png, Target{Types: []string{"image/webp"}}, CodeCannotFit},
		{"no type at all it can write", png, Target{Types: []string{"image/heic", "image/bmp"}}, CodeCannotFit},
		{"ten bytes", png, Target{Types: []string{"image/jpeg"}, MaxBytes: 10}, CodeCannotFit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ct, w, h, err := Fit(tt.data, "image/png", tt.target)
			if code(err) != tt.code {
				t.Fatalf("Fit error %v, want %s", err, tt.code)
			}
			if out != nil || ct != "" || w != 0 || h != 0 {
				t.Errorf("an error came with a result: %d bytes %q %dx%d", len(out), ct, w, h)
			}
			if err.Error() == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestEncodeBestPicksTheBestQualityThatFits(t *testing.T) {
	img := noisy(300, 200, false)
	sizes := map[int]int{}
	for _, q := range jpegQualities {
		b, err := encode(img, "image/jpeg", q)
		if err != nil {
			t.Fatal(err)
		}
		sizes[q] = len(b)
	}
	for i, q := range jpegQualities {
		if i > 0 && sizes[q] >= sizes[jpegQualities[i-1]] {
			t.Fatalf("sizes do not fall with quality: %v", sizes)
		}
		out, _, err := encodeBest(img, "image/jpeg", int64(sizes[q]))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := encode(img, "image/jpeg", q)
		if !bytes.Equal(out, want) {
			t.Errorf("limit %d: got %d bytes, want quality %d (%d bytes)", sizes[q], len(out), q, len(want))
		}
	}
	out, smallest, err := encodeBest(img, "image/jpeg", int64(sizes[50]-1))
	if err != nil || out != nil || smallest != sizes[50] {
		t.Errorf("below the lowest quality: %d bytes, smallest %d, %v", len(out), smallest, err)
	}
}

func TestNextSide(t *testing.T) {
	tests := []struct {
		side, size int
		max        int64
		want       int
	}{
		{2000, 1_100_000, 1_000_000, 1700}, // a little over: one step
		{2000, 4_000_000, 1_000_000, 1044}, // four times over: four steps, the area × 0.85⁸ ≈ 0.27
		{2000, 1_000_000, 0, 1700},         // no estimate: one step
		{100, 10_000_000, 10, minSide},     // hopeless: straight to the smallest
		{17, 2_000, 1_000, minSide},
		{18, 2_000, 1_000, minSide},
	}
	for _, tt := range tests {
		if got := nextSide(tt.side, tt.size, tt.max); got != tt.want {
			t.Errorf("nextSide(%d, %d, %d) = %d, want %d", tt.side, tt.size, tt.max, got, tt.want)
		}
	}
}

func FuzzFit(f *testing.F) {
	f.Add(encodePNG(f, noisy(8, 8, true)), int64(2_000), uint16(4), uint8(1))
	f.Add(withOrientation(encodeJPEG(f, noisy(9, 5, false)), 5, true), int64(0), uint16(3), uint8(2))
	f.Add(encodeGIF(f, noisy(5, 9, false)), int64(100_000), uint16(0), uint8(4))
	f.Add(unbase64(f, webpLossless), int64(0), uint16(0), uint8(8))
	f.Add(unbase64(f, webpLossy), int64(500), uint16(1), uint8(3))
	f.Add(bombs(f)["gif"], int64(0), uint16(0), uint8(0))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"), int64(1), uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, maxBytes int64, maxSide uint16, types uint8) {
		var tg Target
		for i, ct := range []string{"image/jpeg", "image/png", "image/gif", "image/webp"} {
			if types&(1<<i) != 0 {
				tg.Types = append(tg.Types, ct)
			}
		}
		tg.MaxBytes, tg.MaxSide = max(0, maxBytes), int(maxSide%512)
		// A small pixel limit keeps each run fast; the code path is Fit's.
		out, ct, w, h, err := fit(data, "image/png", tg, 1<<16)
		if err != nil {
			switch code(err) {
			case CodeTypeUnsupported, CodeCorrupt, CodeTooLarge, CodeCannotFit:
			default:
				t.Fatalf("error without a code: %v", err)
			}
			if out != nil || ct != "" || w != 0 || h != 0 {
				t.Fatal("an error came with a result")
			}
			return
		}
		checkFitted(t, out, ct, w, h, tg)
	})
}

func BenchmarkFit(b *testing.B) {
	data := photo()
	for b.Loop() {
		if _, _, _, _, err := Fit(data, "image/png", bluesky); err != nil {
			b.Fatal(err)
		}
	}
}
