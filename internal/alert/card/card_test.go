// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

var at = time.Date(2026, 12, 6, 14, 5, 0, 0, time.FixedZone("CET", 3600))

func sample() Card {
	return Card{
		Colour:   "rossa",
		Kind:     "Allerta vento (Bora)",
		Headline: "Raffiche di Bora fino a 150 km/h: chiuse le Rive e il molo Audace",
		Zone:     "Trieste, Muggia",
		At:       at,
		Lang:     "it",
		Org:      "Comune di Trieste",
		Hashtag:  "#BoraTrieste",
	}
}

func decode(t *testing.T, c Card) *image.RGBA {
	t.Helper()
	b, err := Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	// Pixels compare as color.RGBA whatever the encoder chose.
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

func TestRenderSizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		size Size
		w, h int
	}{
		{"square", Square, 1080, 1080},
		{"landscape", Landscape, 1200, 675},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample()
			c.Size = tc.size
			img := decode(t, c)
			if got := img.Bounds().Size(); got != image.Pt(tc.w, tc.h) {
				t.Errorf("size %v, want %dx%d", got, tc.w, tc.h)
			}
		})
	}
}

func TestBandColour(t *testing.T) {
	for _, tc := range []struct {
		colour   string
		allClear bool
		want     color.RGBA
	}{
		{"verde", false, rgb(0x2E, 0x7D, 0x32)},
		{"gialla", false, rgb(0xFF, 0xD6, 0x00)},
		{"arancione", false, rgb(0xEF, 0x6C, 0x00)},
		{"rossa", false, rgb(0xC6, 0x28, 0x28)},
		{"rossa", true, rgb(0x2E, 0x7D, 0x32)}, // all clear is green
		{"", true, rgb(0x2E, 0x7D, 0x32)},
	} {
		t.Run(tc.colour, func(t *testing.T) {
			for _, size := range []Size{Square, Landscape} {
				c := sample()
				c.Colour, c.AllClear, c.Size = tc.colour, tc.allClear, size
				img := decode(t, c)
				m := sizes[size]
				// Left of the text, top and bottom of the band, and the
				// strip along the bottom edge.
				for _, p := range []image.Point{{4, 4}, {4, m.bandH - 4}, {m.w - 4, m.bandH / 2}, {m.w / 2, m.h - 2}} {
					if got := img.RGBAAt(p.X, p.Y); got != tc.want {
						t.Errorf("size %d: pixel %v = %v, want %v", size, p, got, tc.want)
					}
				}
				if got := img.RGBAAt(4, m.bandH+4); got != background {
					t.Errorf("size %d: below the band %v, want background", size, got)
				}
			}
		})
	}
}

func TestExercise(t *testing.T) {
	for _, size := range []Size{Square, Landscape} {
		alert := sample()
		alert.Size = size
		drillCard := alert
		drillCard.Exercise = true
		a, b := decode(t, alert), decode(t, drillCard)
		if bytes.Equal(a.Pix, b.Pix) {
			t.Fatalf("size %d: a drill card looks like a real one", size)
		}
		m := sizes[size]
		if got := b.RGBAAt(4, 4); got != drill {
			t.Errorf("size %d: banner pixel %v, want %v", size, got, drill)
		}
		if got := b.RGBAAt(4, m.bannerH+4); got != levels["rossa"].shade {
			t.Errorf("size %d: band below the banner %v, want the alert colour", size, got)
		}
		// The banner carries its label: white text on the drill colour.
		if n := count(b, image.Rect(0, 0, m.w, m.bannerH), white); n < 500 {
			t.Errorf("size %d: banner has %d white pixels, want its label", size, n)
		}
		// The watermark tints the body, where a real card is background
		// or text only.
		p := p0(t, drillCard)
		body := p.body
		tinted := 0
		for y := body.Min.Y; y < body.Max.Y; y += 3 {
			for x := body.Min.X; x < body.Max.X; x += 3 {
				c := b.RGBAAt(x, y)
				if c.B > c.G+8 { // purple-ish: blue above green; the inks are grey
					tinted++
				}
			}
		}
		if tinted < 1000 {
			t.Errorf("size %d: %d watermark pixels in the body, want a visible watermark", size, tinted)
		}
	}
}

func count(img *image.RGBA, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

func p0(t *testing.T, c Card) *plan {
	t.Helper()
	p, err := layout(c)
	if err != nil {
		t.Fatalf("layout: %v", err)
	}
	return p
}

func TestContrast(t *testing.T) {
	// Reference values of the WCAG definition.
	for _, tc := range []struct {
		a, b color.RGBA
		want float64
	}{
		{black, white, 21},
		{white, white, 1},
		{rgb(0x76, 0x76, 0x76), white, 4.54}, // the classic lightest AA grey
		{white, rgb(0x76, 0x76, 0x76), 4.54}, // symmetric
	} {
		if got := contrast(tc.a, tc.b); got < tc.want-0.01 || got > tc.want+0.01 {
			t.Errorf("contrast(%v, %v) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}

	pairs := map[string]style{
		"drill banner":         {drill, white},
		"headline":             {background, inkStrong},
		"meta":                 {background, inkSoft},
		"headline over drill":  {blend(background, drill, watermarkAlpha), inkStrong},
		"meta over drill":      {blend(background, drill, watermarkAlpha), inkSoft},
		"all clear band":       bandStyle("rossa", true),
		"all clear, no colour": bandStyle("", true),
	}
	for colour := range levels {
		pairs[colour] = bandStyle(colour, false)
	}
	for name, s := range pairs {
		if r := contrast(s.fg, s.bg); r < minContrast {
			t.Errorf("%s: contrast %.2f below %.1f", name, r, minContrast)
		}
	}
	// The level colours pick the text the brief expects.
	for colour, want := range map[string]color.RGBA{"verde": white, "gialla": black, "arancione": black, "rossa": white} {
		if got := bandStyle(colour, false).fg; got != want {
			t.Errorf("%s: text %v, want %v", colour, got, want)
		}
	}
}

// TestReadableOnAnyColour backs the claim that black or white always
// reaches AA, so no level shade can make the band unreadable.
func TestReadableOnAnyColour(t *testing.T) {
	for v := 0; v < 1<<15; v++ {
		bg := rgb(uint8(v>>10)<<3, uint8(v>>5&31)<<3, uint8(v&31)<<3)
		s := readableOn(bg)
		if r := contrast(s.fg, s.bg); r < minContrast {
			t.Fatalf("on %v: %.2f", bg, r)
		}
	}
}

var longCards = map[string]Card{
	"long headline": {Colour: "arancione", Headline: longHeadline, Zone: "Trieste", At: at, Org: "Comune di Trieste", Hashtag: "Bora"},
	"one huge word": {Colour: "gialla", Headline: strings.Repeat("Donaudampfschifffahrtsgesellschaft", 12)},
	"everything long": {
		Colour:   "rossa",
		Kind:     strings.Repeat("Rischio idrogeologico e idraulico ", 5),
		Headline: strings.Repeat("Esondazione del torrente, evacuare i piani terra. ", 20),
		Zone:     strings.Repeat("Duino Aurisina – Devin Nabrežina, ", 10),
		At:       at,
		Lang:     "en",
		Org:      strings.Repeat("Unione territoriale intercomunale Giuliana ", 4),
		Hashtag:  strings.Repeat("ProtezioneCivileFVG", 5),
		Exercise: true,
	},
	"spaces and newlines": {Colour: "verde", Headline: "\n\n  Titolo\t\ta capo\r\n  ", Zone: "  "},
	"accents":             {Colour: "rossa", Headline: "Perché è così: Straße, Grüße, čšž ČŠŽ, àèéìòù", Zone: "Gorizia – Gorica"},
}

// TestLayoutFits checks every placed text against the measured advance of
// its lines: inside the margins, inside the card, and clear of each other.
func TestLayoutFits(t *testing.T) {
	for name, c := range longCards {
		for _, size := range []Size{Square, Landscape} {
			c.Size = size
			t.Run(name, func(t *testing.T) {
				p := p0(t, c)
				checkPlan(t, p)
			})
		}
	}
}

func checkPlan(t *testing.T, p *plan) {
	t.Helper()
	m := p.m
	var boxes []image.Rectangle
	var roles []string
	for _, ti := range p.texts {
		face := p.faces.get(ti.b.w, ti.b.size)
		if ti.x < m.margin || ti.x+ti.width > m.w-m.margin {
			t.Errorf("%s: box [%d, %d) outside the margins", ti.role, ti.x, ti.x+ti.width)
		}
		for _, l := range ti.b.lines {
			if w := advance(face, -1, l); w > fixed.I(ti.width) {
				t.Errorf("%s: line %q is %v wide, box %d", ti.role, l, w.Ceil(), ti.width)
			}
		}
		top, bottom := p.top(ti), p.bottom(ti)
		if top < 0 || bottom > m.h-m.accentH {
			t.Errorf("%s: lines from %d to %d, card is %d high", ti.role, top, bottom, m.h)
		}
		if ti.role == "headline" && (top < p.headRegion.Min.Y || bottom > p.headRegion.Max.Y) {
			t.Errorf("headline from %d to %d, region %v", top, bottom, p.headRegion)
		}
		r := image.Rect(ti.x, top, ti.x+ti.width, bottom)
		if ti.role == "hashtag" {
			// Right-aligned: it takes only its own width.
			w := advance(face, -1, ti.b.lines[0]).Ceil()
			r.Min.X = r.Max.X - w
		}
		for i, o := range boxes {
			if r.Overlaps(o) {
				t.Errorf("%s %v overlaps %s %v", ti.role, r, roles[i], o)
			}
		}
		boxes, roles = append(boxes, r), append(roles, ti.role)
	}
}

// TestLongHeadlinePixels looks at the image itself: with no footer, meta
// or watermark, a headline that overflowed would leave ink in the right
// margin or below the headline's region.
func TestLongHeadlinePixels(t *testing.T) {
	for _, size := range []Size{Square, Landscape} {
		c := Card{Colour: "arancione", Headline: longHeadline + " " + longHeadline, Size: size}
		img := decode(t, c)
		p := p0(t, c)
		m := p.m
		// Glyphs may overhang their advance by a pixel or two: half the
		// margin is left for that.
		right := image.Rect(m.w-m.margin/2, m.bandH, m.w, m.h-m.accentH)
		below := image.Rect(0, p.headRegion.Max.Y+1, m.w, m.h-m.accentH)
		for name, r := range map[string]image.Rectangle{"right margin": right, "below the headline": below} {
			if n := count(img, r, background); n != r.Dx()*r.Dy() {
				t.Errorf("size %d: %s has %d inked pixels", size, name, r.Dx()*r.Dy()-n)
			}
		}
		head := headline(p)
		if last := head.b.lines[len(head.b.lines)-1]; !strings.HasSuffix(last, ellipsis) {
			t.Errorf("size %d: cut headline ends %q, want an ellipsis", size, last)
		}
		if head.b.size != m.headMin {
			t.Errorf("size %d: cut headline at %dpt, want the smallest, %d", size, head.b.size, m.headMin)
		}
	}
}

func headline(p *plan) textItem {
	for _, ti := range p.texts {
		if ti.role == "headline" {
			return ti
		}
	}
	panic("no headline")
}

// TestHeadlineShrinks: a short headline is set large, a longer one smaller,
// and all of it is kept while it fits.
func TestHeadlineShrinks(t *testing.T) {
	short, medium := sample(), sample()
	short.Headline = "Scuole chiuse"
	medium.Headline = strings.Repeat("Raffiche di Bora fino a 150 km/h sulle Rive. ", 4)
	ps, pm := p0(t, short), p0(t, medium)
	hs, hm := headline(ps), headline(pm)
	if hs.b.size != ps.m.headMax {
		t.Errorf("short headline at %dpt, want %d", hs.b.size, ps.m.headMax)
	}
	if hm.b.size >= hs.b.size || hm.b.size <= pm.m.headMin {
		t.Errorf("medium headline at %dpt, want between %d and %d", hm.b.size, pm.m.headMin, hs.b.size)
	}
	if got, want := strings.Join(hm.b.lines, " "), strings.TrimSpace(medium.Headline); got != want {
		t.Errorf("medium headline lost text:\n got %q\nwant %q", got, want)
	}
}

func TestEmojiDropped(t *testing.T) {
	for _, tc := range []struct{ headline, want string }{
		{"🚨🌊⚠️", ""},
		{"Allerta 🚨 Bora 🌬️ forte", "Allerta Bora forte"},
		{"Famiglia 👨‍👩‍👧 al sicuro", "Famiglia al sicuro"},
		{"🇮🇹 Protezione civile", "Protezione civile"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			c := sample()
			c.Headline, c.Zone, c.Org = tc.headline, "Trieste 🌊", "Comune 🏛 di Trieste"
			if _, err := Render(c); err != nil {
				t.Fatalf("Render: %v", err)
			}
			p := p0(t, c)
			if got := strings.Join(headline(p).b.lines, " "); got != tc.want {
				t.Errorf("headline %q, want %q", got, tc.want)
			}
			var buf sfnt.Buffer
			for _, ti := range p.texts {
				for _, l := range ti.b.lines {
					for _, r := range l {
						if !drawable(&buf, r) {
							t.Errorf("%s: %q has %U, which the fonts lack", ti.role, l, r)
						}
					}
				}
			}
		})
	}
}

func TestClean(t *testing.T) {
	if err := loadFonts(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"perche\u0301 cosi\u0300", "perché così"}, // decomposed accents are composed
		{"Straße Grüße", "Straße Grüße"},
		{"Gorizia – Gorica, čšž ČŠŽ", "Gorizia – Gorica, čšž ČŠŽ"},
		{"  a\n\tb\u00a0 c  ", "a b c"},
		{"nord\u2011est \u22125 °C", "nord-est -5 °C"},
		{"ok\x00\x1b", "ok"},
		{"bad\xffutf8", "badutf8"},
		{"💥", ""},
		{"«Attenzione» “virgolette” … €", "«Attenzione» “virgolette” … €"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len([]rune(clean(strings.Repeat("a", 10*maxRunes)))); n != maxRunes {
		t.Errorf("clean kept %d runes of a long text, want %d", n, maxRunes)
	}
}

func TestWrapKeepsDashWithNextWord(t *testing.T) {
	if err := loadFonts(); err != nil {
		t.Fatal(err)
	}
	face := faces{}.get(bold, 38)
	text := "Trieste, Muggia, San Dorligo della Valle – Dolina"
	w := advance(face, -1, "Trieste, Muggia, San Dorligo della Valle –")
	for _, l := range wrap(face, text, w) {
		if strings.HasSuffix(l, "–") {
			t.Errorf("line %q ends with a dash", l)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Card)
		code string
	}{
		{"unknown colour", func(c *Card) { c.Colour = "blu" }, CodeColourUnknown},
		{"English colour", func(c *Card) { c.Colour = "red" }, CodeColourUnknown},
		{"no colour", func(c *Card) { c.Colour = "" }, CodeColourUnknown},
		{"unknown colour on all clear", func(c *Card) { c.Colour = "viola"; c.AllClear = true }, CodeColourUnknown},
		{"empty headline", func(c *Card) { c.Headline = "" }, CodeHeadlineEmpty},
		{"blank headline", func(c *Card) { c.Headline = " \n\t " }, CodeHeadlineEmpty},
		{"unknown size", func(c *Card) { c.Size = 7 }, CodeSizeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample()
			tc.edit(&c)
			b, err := Render(c)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("Render = %v, want code %s", err, tc.code)
			}
			if b != nil {
				t.Error("an invalid card returned an image")
			}
		})
	}
	// Accepted as written by people.
	for _, colour := range []string{"Rossa", " gialla ", "ARANCIONE", "rosso", "Giallo"} {
		c := sample()
		c.Colour = colour
		if _, err := Render(c); err != nil {
			t.Errorf("colour %q: %v", colour, err)
		}
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		colour   string
		allClear bool
		lang     string
		want     string
	}{
		{"rossa", false, "it", "ALLERTA ROSSA"},
		{"rossa", false, "en", "RED ALERT"},
		{"gialla", false, "", "ALLERTA GIALLA"},
		{"arancione", false, "en-GB", "ORANGE ALERT"},
		{"verde", false, "sl", "ALLERTA VERDE"}, // other languages fall back to Italian
		{"rossa", true, "it", "CESSATO ALLARME"},
		{"rossa", true, "en", "ALL CLEAR"},
	} {
		if got := levelLabel(tc.colour, tc.allClear, tc.lang); got != tc.want {
			t.Errorf("levelLabel(%q, %v, %q) = %q, want %q", tc.colour, tc.allClear, tc.lang, got, tc.want)
		}
	}
	day := func(d int) time.Time { return time.Date(2026, 12, d, 14, 5, 0, 0, time.UTC) }
	for _, tc := range []struct {
		t    time.Time
		lang string
		want string
	}{
		{day(6), "it", "Aggiornato alle 14:05 del 6 dicembre 2026"},
		{day(6), "en", "Updated 6 December 2026, 14:05"},
		{day(1), "it", "Aggiornato alle 14:05 del 1° dicembre 2026"},
		{day(8), "it", "Aggiornato alle 14:05 dell’8 dicembre 2026"},
		{day(11), "it", "Aggiornato alle 14:05 dell’11 dicembre 2026"},
		{time.Time{}, "it", ""},
	} {
		if got := timeLabel(tc.t, tc.lang); got != tc.want {
			t.Errorf("timeLabel(%v, %q) = %q, want %q", tc.t, tc.lang, got, tc.want)
		}
	}
	for in, want := range map[string]string{"BoraTrieste": "#BoraTrieste", "#Bora": "#Bora", "##Bora Trieste": "#BoraTrieste", " # ": "", "🌊": ""} {
		if got := hashtag(in); got != want {
			t.Errorf("hashtag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderConcurrent(t *testing.T) {
	// Faces are per Render; the parsed fonts are shared. Run with -race.
	done := make(chan error)
	for i := range 4 {
		go func() {
			c := sample()
			c.Size = Size(i % 2)
			c.Exercise = i >= 2
			_, err := Render(c)
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	for _, tc := range []struct {
		name string
		edit func(*Card)
	}{
		{"square", func(*Card) {}},
		{"square-exercise", func(c *Card) { c.Exercise = true }},
		{"square-long", func(c *Card) { c.Headline = longHeadline }},
		{"landscape", func(c *Card) { c.Size = Landscape }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := sample()
			tc.edit(&c)
			for b.Loop() {
				if _, err := Render(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
