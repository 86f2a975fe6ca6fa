// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package media

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"testing"
)

// noisy makes an image JPEG cannot compress much, like a real photo: a
// gradient with noise on every pixel. With alpha, its left half is
// transparent.
func noisy(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			a := uint8(255)
			if alpha && x < w/2 {
				a = 0
			}
			n := r.Uint32()
			row[4*x] = uint8(x*255/w) ^ uint8(n&0x3F)
			row[4*x+1] = uint8(y*255/h) ^ uint8(n>>8&0x3F)
			row[4*x+2] = uint8(n >> 16)
			row[4*x+3] = a
		}
	}
	return img
}

// halves is w×h with its left half red and its right half blue, to see
// where pixels went.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// pngFast writes PNG quickly: the tests' images are large and noisy.
func pngFast(w io.Writer, img image.Image) error {
	return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img)
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := pngFast(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func unbase64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// 1×1 WebP files: nothing in Go writes WebP.
const (
	webpLossless = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="
	webpLossy    = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"
)

// withOrientation inserts an EXIF segment with the given orientation right
// after a JPEG's start marker, as cameras write it.
func withOrientation(jpg []byte, o int, bigEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	tiff := []byte("II*\x00")
	if bigEndian {
		bo, tiff = binary.BigEndian, []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8)      // first IFD
	tiff = bo.AppendUint16(tiff, 1)      // one entry
	tiff = bo.AppendUint16(tiff, 0x0112) // orientation
	tiff = bo.AppendUint16(tiff, 3)      // SHORT
	tiff = bo.AppendUint32(tiff, 1)      // one value
	tiff = bo.AppendUint16(tiff, uint16(o))
	tiff = append(tiff, 0, 0, 0, 0, 0, 0) // padding, then no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// bombs are small files whose headers claim billions of pixels.
func bombs(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}

	p := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	binary.BigEndian.PutUint32(p[16:20], 100_000)
	binary.BigEndian.PutUint32(p[20:24], 100_000)
	binary.BigEndian.PutUint32(p[29:33], crc32.ChecksumIEEE(p[12:29])) // IHDR's CRC
	out["png"] = p

	g := encodeGIF(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	binary.LittleEndian.PutUint16(g[6:8], 65535)
	binary.LittleEndian.PutUint16(g[8:10], 65535)
	out["gif"] = g

	j := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)))
	sof := bytes.Index(j, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no SOF0 in the JPEG")
	}
	binary.BigEndian.PutUint16(j[sof+5:], 60_000) // height
	binary.BigEndian.PutUint16(j[sof+7:], 60_000) // width
	out["jpeg"] = j
	return out
}

func code(err error) string {
	var me *Error
	if errors.As(err, &me) {
		return me.Code
	}
	return ""
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		ct   string
		kind Kind
	}{
		{"jpeg", encodeJPEG(t, noisy(4, 4, false)), "image/jpeg", Image},
		{"png", encodePNG(t, noisy(4, 4, false)), "image/png", Image},
		{"gif89a", encodeGIF(t, noisy(4, 4, false)), "image/gif", Image},
		{"gif87a", []byte("GIF87a\x01\x00\x01\x00"), "image/gif", Image},
		{"webp lossless", unbase64(t, webpLossless), "image/webp", Image},
		{"webp lossy", unbase64(t, webpLossy), "image/webp", Image},
		{"webp extended", []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"), "image/webp", Image},
		{"mp4 isom", []byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"), "video/mp4", Video},
		{"mp4 mp42", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "video/mp4", Video},
		{"quicktime", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "), "video/quicktime", Video},
		{"webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"), "video/webm", Video},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, kind, err := Sniff(tt.data)
			if err != nil || ct != tt.ct || kind != tt.kind {
				t.Errorf("Sniff = %q %q %v, want %q %q", ct, kind, err, tt.ct, tt.kind)
			}
		})
	}
}

func TestSniffRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short jpeg", []byte{0xFF, 0xD8}},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		{"pdf", []byte("%PDF-1.7\n")},
		{"text", []byte("just some text, not a picture")},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt ")},
		{"webp without chunk", []byte("RIFF\x00\x00\x00\x00WEBPJUNK")},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")},
		{"heif mif1", []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic")},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf")},
		{"m4a", []byte("\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom")},
		{"ftyp size 0", []byte("\x00\x00\x00\x00ftypisom\x00\x00\x00\x00")},
		{"matroska", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska")},
		{"bmp", []byte("BM\x36\x00\x00\x00\x00\x00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, kind, err := Sniff(tt.data)
			if code(err) != CodeTypeUnsupported || ct != "" || kind != "" {
				t.Errorf("Sniff = %q %q %v, want %s", ct, kind, err, CodeTypeUnsupported)
			}
		})
	}
}

func TestDimensions(t *testing.T) {
	jpg := encodeJPEG(t, noisy(40, 30, false))
	tests := []struct {
		name string
		data []byte
		w, h int
		code string
	}{
		{"png", encodePNG(t, noisy(40, 30, true)), 40, 30, ""},
		{"jpeg", jpg, 40, 30, ""},
		{"gif", encodeGIF(t, noisy(7, 3, false)), 7, 3, ""},
		{"webp", unbase64(t, webpLossless), 1, 1, ""},
		{"jpeg upright", withOrientation(jpg, 1, false), 40, 30, ""},
		{"jpeg upside down", withOrientation(jpg, 3, true), 40, 30, ""},
		{"jpeg sideways", withOrientation(jpg, 6, false), 30, 40, ""},
		{"jpeg sideways, big-endian EXIF", withOrientation(jpg, 8, true), 30, 40, ""},
		{"bomb header", bombs(t)["png"], 100_000, 100_000, ""}, // only read: Fit refuses it
		{"junk", []byte("not an image"), 0, 0, CodeCorrupt},
		{"empty", nil, 0, 0, CodeCorrupt},
		{"mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), 0, 0, CodeCorrupt},
		{"truncated png", encodePNG(t, noisy(4, 4, false))[:20], 0, 0, CodeCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, err := Dimensions(tt.data)
			if code(err) != tt.code || w != tt.w || h != tt.h {
				t.Errorf("Dimensions = %dx%d %v, want %dx%d %q", w, h, err, tt.w, tt.h, tt.code)
			}
		})
	}
}

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, noisy(8, 8, false))
	for o := 1; o <= 8; o++ {
		for _, big := range []bool{false, true} {
			if got := jpegOrientation(withOrientation(jpg, o, big)); got != o {
				t.Errorf("orientation %d (big-endian %v) read as %d", o, big, got)
			}
		}
	}
	broken := withOrientation(jpg, 6, false)
	tests := []struct {
		name string
		data []byte
	}{
		{"no EXIF", jpg},
		{"not a JPEG", []byte("\x89PNG\r\n\x1a\n")},
		{"out of range", withOrientation(jpg, 9, false)},
		{"zero", withOrientation(jpg, 0, true)},
		{"truncated segment", broken[:20]},
		{"bad segment length", append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, broken[6:]...)},
		{"bad byte order", bytes.Replace(broken, []byte("II*\x00"), []byte("XX*\x00"), 1)},
		{"IFD past the end", bytes.Replace(broken, []byte("II*\x00\x08\x00\x00\x00"), []byte("II*\x00\xff\xff\x00\x00"), 1)},
		{"EXIF after the scan", append(append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, broken[2:]...), 0xFF, 0xD9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegOrientation(tt.data); got != 1 {
				t.Errorf("orientation %d, want 1", got)
			}
		})
	}
}

func TestOrient(t *testing.T) {
	// a b c
	// d e f
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i, c := range "abcdef" {
		src.SetRGBA(i%3, i/3, color.RGBA{uint8(c), 0, 0, 255})
	}
	tests := map[int][]string{
		1: {"abc", "def"},
		2: {"cba", "fed"},
		3: {"fed", "cba"},
		4: {"def", "abc"},
		5: {"ad", "be", "cf"},
		6: {"da", "eb", "fc"},
		7: {"fc", "eb", "da"},
		8: {"cf", "be", "ad"},
	}
	for o, want := range tests {
		img := orient(src, o)
		var got []string
		for y := range img.Bounds().Dy() {
			var row []byte
			for x := range img.Bounds().Dx() {
				row = append(row, img.RGBAAt(x, y).R)
			}
			got = append(got, string(row))
		}
		if len(got) != len(want) {
			t.Errorf("orientation %d: %q, want %q", o, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("orientation %d: %q, want %q", o, got, want)
				break
			}
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("GIF89a"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 \x00"))
	f.Add([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"))
	f.Add([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"))
	f.Add([]byte("\x1a\x45\xdf\xa3\x42\x82\x84webm"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, kind, err := Sniff(data)
		if err != nil {
			if code(err) != CodeTypeUnsupported || ct != "" || kind != "" {
				t.Fatalf("refusal %q %q %v", ct, kind, err)
			}
			return
		}
		want := map[Kind]string{Image: "image/", Video: "video/"}[kind]
		if want == "" || len(ct) <= len(want) || ct[:len(want)] != want {
			t.Fatalf("Sniff = %q %q", ct, kind)
		}
		// Only the start of a file decides.
		if ct2, kind2, err := Sniff(append(data[:len(data):len(data)], 0, 1, 2)); err != nil || ct2 != ct || kind2 != kind {
			t.Fatalf("trailing bytes changed %q to %q %v", ct, ct2, err)
		}
	})
}

func FuzzDimensions(f *testing.F) {
	f.Add(encodePNG(f, noisy(3, 2, true)))
	f.Add(withOrientation(encodeJPEG(f, noisy(3, 2, false)), 6, false))
	f.Add(encodeGIF(f, noisy(2, 2, false)))
	f.Add(unbase64(f, webpLossy))
	f.Add(bombs(f)["jpeg"])
	f.Fuzz(func(t *testing.T, data []byte) {
		w, h, err := Dimensions(data)
		if err != nil {
			if code(err) != CodeCorrupt || w != 0 || h != 0 {
				t.Fatalf("refusal %dx%d %v", w, h, err)
			}
			return
		}
		if w <= 0 || h <= 0 {
			t.Fatalf("Dimensions = %dx%d without an error", w, h)
		}
	})
}
