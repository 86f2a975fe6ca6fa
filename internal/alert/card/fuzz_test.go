// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"errors"
	"strings"
	"testing"
)

// FuzzRender feeds the free-text fields whatever people (and copy-paste)
// may write: the card must render or refuse, never panic nor overflow.
func FuzzRender(f *testing.F) {
	for _, s := range [][2]string{
		{"Raffiche di Bora fino a 150 km/h", "Trieste"},
		{"🚨🚨🚨", "🌊"},
		{longHeadline, strings.Repeat("Zgonik ", 50)},
		{"perche\u0301 \xff\x00", "čšž ß ü"},
		{strings.Repeat("W", 400), "\n\t "},
		{"– — - …", "a – b"},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, headline, zone string, landscape bool) {
		c := sample()
		c.Headline, c.Zone, c.Kind, c.Org, c.Hashtag = headline, zone, zone, zone, headline
		if landscape {
			c.Size = Landscape
		}
		p, err := layout(c)
		if strings.TrimSpace(headline) == "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeHeadlineEmpty {
				t.Fatalf("blank headline: err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("layout: %v", err)
		}
		checkPlan(t, p)
		// Drawing is where a glyph could go wrong; encoding a valid image
		// cannot, and would cost most of each run.
		if img := p.draw(); img.Bounds().Dx() != p.m.w {
			t.Fatalf("drew %v", img.Bounds())
		}
	})
}
