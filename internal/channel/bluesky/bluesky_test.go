// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/piazza-pa/piazza/internal/channel"
)

func TestCount(t *testing.T) {
	family := "👨‍👩‍👧‍👦" // 7 code points, 25 bytes, one grapheme
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "Ciao a tutti", 12},
		{"accented precomposed", "città è più", 11},
		{"combining acute", "e\u0301 cosi\u0300", 6}, // é and ì built with combining marks
		{"stacked combining marks", "a\u0301\u0302\u0303\u0304", 1},
		{"flag", "🇮🇹", 1},
		{"zwj family", family, 1},
		{"skin tone", "👍🏽", 1},
		{"keycap", "1️⃣", 1},
		{"cjk", "日本語のテキスト", 8},
		{"hangul jamo", "\u1100\u1161\u11A8", 1},
		{"crlf is one grapheme", "a\r\nb", 3},
		{"url counts in full", "Leggi https://www.comune.vallebella.it/notizie/avviso-123", 6 + 51},
		{"invalid utf-8 counts as U+FFFD", "a\xffb", 3},
		{"300 letters", strings.Repeat("a", 300), 300},
		{"301 letters", strings.Repeat("a", 301), 301},
		// 120 families: 120 graphemes but 3000 bytes, the byte limit exactly.
		{"3000 bytes", strings.Repeat(family, 120), 120},
		// 121 families: 3025 bytes, over the byte limit: counts ceil(3025/10).
		{"over 3000 bytes", strings.Repeat(family, 121), 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.text); got != tt.want {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", "ciao", "🇮🇹👨‍👩‍👧‍👦", "e\u0301", "a\xffb", strings.Repeat("👍🏽", 400), "\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Count(s)
		text := Text(s)
		g := uniseg.GraphemeClusterCount(text)
		switch {
		case n < 0:
			t.Fatalf("negative count %d", n)
		case n < g:
			t.Fatalf("count %d below the %d graphemes", n, g)
		case n > len(text):
			t.Fatalf("count %d above the %d bytes", n, len(text))
		case len(text) <= MaxTextBytes && n != g:
			t.Fatalf("count %d, graphemes %d within the byte limit", n, g)
		}
		if over := g > MaxGraphemes || len(text) > MaxTextBytes; over != (n > MaxGraphemes) {
			t.Fatalf("count %d says too long %v, the PDS %v (graphemes %d, bytes %d)", n, n > MaxGraphemes, over, g, len(text))
		}
		if !utf8.ValidString(text) {
			t.Fatalf("Text left invalid UTF-8: %q", text)
		}
	})
}

func TestValidate(t *testing.T) {
	c := New(nil)
	img := func(alt string, n int, ct string) channel.Media {
		return channel.Media{Kind: channel.Image, ContentType: ct, Data: make([]byte, n), AltText: alt}
	}
	family := "👨‍👩‍👧‍👦"
	tests := []struct {
		name string
		p    channel.Post
		want []string
	}{
		{"fits", channel.Post{Text: "Allerta meteo #Vallebella"}, nil},
		{"300 graphemes", channel.Post{Text: strings.Repeat("é", 300)}, nil},
		{"301 graphemes", channel.Post{Text: strings.Repeat("é", 301)}, []string{channel.ProblemTooLong}},
		{"over 3000 bytes", channel.Post{Text: strings.Repeat(family, 121)}, []string{channel.ProblemTooLong}},
		{"empty", channel.Post{Text: " "}, []string{channel.ProblemEmpty}},
		{"four images", channel.Post{Text: "foto", Media: []channel.Media{img("a", 10, "image/jpeg"),
			img("b", 10, "image/png"), img("c", 10, "image/webp"), img("d", 10, "image/jpeg")}}, nil},
		{"five images", channel.Post{Text: "foto", Media: []channel.Media{img("a", 1, "image/jpeg"), img("b", 1, "image/jpeg"),
			img("c", 1, "image/jpeg"), img("d", 1, "image/jpeg"), img("e", 1, "image/jpeg")}}, []string{channel.ProblemTooManyImages}},
		{"image too big", channel.Post{Media: []channel.Media{img("a", MaxImageBytes+1, "image/jpeg")}}, []string{channel.ProblemMediaTooBig}},
		{"gif", channel.Post{Media: []channel.Media{img("a", 10, "image/gif")}}, []string{channel.ProblemMediaType}},
		{"no alt", channel.Post{Media: []channel.Media{img("", 10, "image/jpeg")}}, []string{channel.ProblemAltMissing}},
		{"alt too long", channel.Post{Media: []channel.Media{img(strings.Repeat("x", MaxAltText+1), 10, "image/jpeg")}},
			[]string{channel.ProblemAltTooLong}},
		{"video", channel.Post{Text: "v", Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4", Data: []byte{1}}}},
			[]string{channel.ProblemNoVideo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range channel.ValidateWith(c, channel.Account{}, tt.p) {
				got = append(got, p.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
	p := channel.ValidateWith(c, channel.Account{}, channel.Post{Text: strings.Repeat("a", 305)})
	if len(p) != 1 || p[0].Limit != 300 || p[0].Actual != 305 {
		t.Errorf("too long problem = %+v", p)
	}
}

func TestCapabilities(t *testing.T) {
	c := New(nil)
	caps := c.Capabilities()
	if !caps.Publish || !caps.Delete || !caps.Find || !caps.Idempotent || !caps.CheckAccount || !caps.Images || !caps.LinkCard {
		t.Errorf("capabilities %+v", caps)
	}
	if caps.Edit || caps.Video || caps.Refresh {
		t.Errorf("capabilities claim what Bluesky cannot do: %+v", caps)
	}
	var conn channel.Connector = c
	if _, ok := conn.(channel.Editor); ok {
		t.Error("Bluesky posts cannot be edited, yet the connector is an Editor")
	}
	for _, ok := range []bool{
		func() bool { _, ok := conn.(channel.Deleter); return ok }(),
		func() bool { _, ok := conn.(channel.Finder); return ok }(),
		func() bool { _, ok := conn.(channel.CredentialChecker); return ok }(),
	} {
		if !ok {
			t.Error("missing an optional interface the capabilities announce")
		}
	}
	if c.Platform() != channel.Bluesky {
		t.Errorf("platform %s", c.Platform())
	}
}

func TestRecordKey(t *testing.T) {
	const uuid = "0195a2b3-4c5d-7e6f-8a9b-0c1d2e3f4a5b"
	tests := []struct {
		name string
		key  string
	}{
		{"uuidv7", uuid},
		{"uuid v4", "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4"},
		{"other text", "publication-42"},
		{"unicode", "pubblicazione-città"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := RecordKey(tt.key)
			if !ValidTID(k) {
				t.Fatalf("RecordKey(%q) = %q, not a TID", tt.key, k)
			}
			if k2 := RecordKey(tt.key); k2 != k {
				t.Errorf("not deterministic: %q then %q", k, k2)
			}
			if k == RecordKey(tt.key+"x") {
				t.Errorf("two keys share the record key %q", k)
			}
		})
	}
	// A UUIDv7 gives its own time: 0x0195a2b34c5d ms since 1970.
	got := time.UnixMicro(tidTime(RecordKey(uuid)))
	want := time.UnixMilli(0x0195a2b34c5d)
	if d := got.Sub(want); d < 0 || d >= time.Millisecond {
		t.Errorf("TID time %v, want within a millisecond after %v", got, want)
	}
	if RecordKey("3kyby3f4szqmv") != "3kyby3f4szqmv" {
		t.Error("a key that is already a TID should be kept")
	}
	if a, b := RecordKey(""), RecordKey(""); !ValidTID(a) || a == b {
		t.Errorf("empty keys gave %q and %q", a, b)
	}
	if tidTime(RecordKey("publication-42")) >= 1<<48 {
		t.Error("a hashed key should fall in the 1970s")
	}
}

// tidTime decodes a TID's microseconds.
func tidTime(k string) int64 {
	var v uint64
	for _, ch := range k {
		v = v<<5 | uint64(strings.IndexRune(tidAlphabet, ch))
	}
	return int64(v >> 10)
}

func TestValidLanguage(t *testing.T) {
	for tag, want := range map[string]bool{"it": true, "en-GB": true, "sl": true, "de-AT": true, "zh-Hant-TW": true,
		"i-klingon": true, "": false, "italiano!": false, "it_IT": false, "123": false} {
		if got := ValidLanguage(tag); got != want {
			t.Errorf("ValidLanguage(%q) = %v", tag, got)
		}
	}
}
