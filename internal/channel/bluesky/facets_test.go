// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// known resolves the handles of the tests; others do not resolve.
func known(h string) string {
	switch h {
	case "prefettura.bsky.social", "protezionecivile.it", "alice.test", "atproto.com":
		return "did:plc:" + strings.ReplaceAll(h, ".", "")
	}
	return ""
}

// show renders facets as "kind slice → value" lines.
func show(text string, fs []Facet) []string {
	var out []string
	for _, f := range fs {
		ft := f.Features[0]
		v := ft.URI + ft.DID + ft.Tag
		out = append(out, fmt.Sprintf("%s %q %s", strings.TrimPrefix(ft.Type, "app.bsky.richtext.facet#"),
			text[f.Index.ByteStart:f.Index.ByteEnd], v))
	}
	return out
}

func TestFacets(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "Nessun link qui.", nil},
		{"link", "Leggi https://comune.example.it/avviso", []string{`link "https://comune.example.it/avviso" https://comune.example.it/avviso`}},
		{"link trailing period", "Vedi https://comune.example.it/avviso.", []string{`link "https://comune.example.it/avviso" https://comune.example.it/avviso`}},
		{"link in parentheses", "(https://comune.example.it/a)", []string{`link "https://comune.example.it/a" https://comune.example.it/a`}},
		{"link with parentheses kept", "https://it.wikipedia.org/wiki/Foo_(bar)", []string{`link "https://it.wikipedia.org/wiki/Foo_(bar)" https://it.wikipedia.org/wiki/Foo_(bar)`}},
		{"link after punctuation is not one", "vedi:https://x.it", nil},
		{"www domain", "Info su www.comune.example.it!", []string{`link "www.comune.example.it" https://www.comune.example.it`}},
		{"bare domain not linked", "Info su comune.example.it", nil},
		{"link after accented text", "Città: è https://x.it/ü?q=1,", []string{`link "https://x.it/ü?q=1" https://x.it/ü?q=1`}},
		{"mention", "Grazie @prefettura.bsky.social!", []string{`mention "@prefettura.bsky.social" did:plc:prefetturabskysocial`}},
		{"mention case", "Con @ProtezioneCivile.it", []string{`mention "@ProtezioneCivile.it" did:plc:protezionecivileit`}},
		{"mention not resolving", "Ciao @sconosciuto.example.org", nil},
		{"mention trailing dot", "Ciao @alice.test.", []string{`mention "@alice.test" did:plc:alicetest`}},
		{"email is no mention", "scrivi a urp@comune.it", nil},
		{"not a handle", "@alice", nil},
		{"hashtag", "Allerta #Meteo a #Trieste, oggi", []string{`tag "#Meteo" Meteo`, `tag "#Trieste" Trieste`}},
		{"hashtag accented", "#città_bella!", []string{`tag "#città_bella" città_bella`}},
		{"hashtag digits only", "#2026 e #1", nil},
		{"hashtag digits and letters", "#G7 #2026Vallebella", []string{`tag "#G7" G7`, `tag "#2026Vallebella" 2026Vallebella`}},
		{"fullwidth hash", "＃東京", []string{`tag "＃東京" 東京`}},
		{"hash inside word", "C#sharp e a#b", nil},
		{"hash then emoji variation selector", "#\ufe0f", nil},
		{"tag ends at zero-width space", "#ciao\u200bmondo", []string{`tag "#ciao" ciao`}},
		{"fragment is no tag", "https://x.it/#frag", []string{`link "https://x.it/#frag" https://x.it/#frag`}},
		{"double hash", "##tag", []string{`tag "##tag" #tag`}},
		{"tag too long", "#" + strings.Repeat("a", 65), nil},
		{"tag 64", "#" + strings.Repeat("a", 64), []string{`tag "#` + strings.Repeat("a", 64) + `" ` + strings.Repeat("a", 64)}},
		{"all together", "🇮🇹 @alice.test #Meteo https://x.it", []string{`mention "@alice.test" did:plc:alicetest`,
			`tag "#Meteo" Meteo`, `link "https://x.it" https://x.it`}},
		{"no-break space ends a link", "https://x.it/a\u00a0poi", []string{`link "https://x.it/a" https://x.it/a`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := show(tt.text, Facets(tt.text, known))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Facets(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestFacetByteOffsets(t *testing.T) {
	// The example of the documentation (docs.bsky.app, "Posts", mentions
	// and links): UTF-8 bytes, not characters.
	text := "✨ example mentioning @atproto.com to share the URL 👨‍❤️‍👨 https://en.wikipedia.org/wiki/CBOR."
	fs := Facets(text, known)
	want := []ByteSlice{{23, 35}, {74, 108}}
	if len(fs) != 2 || fs[0].Index != want[0] || fs[1].Index != want[1] {
		t.Errorf("offsets %+v, want %+v", fs, want)
	}
	if got := MentionHandles("@Alice.test e @alice.test, @bob.test"); !slices.Equal(got, []string{"alice.test", "bob.test"}) {
		t.Errorf("MentionHandles = %v", got)
	}
	if fs := Facets("@alice.test", nil); len(fs) != 0 {
		t.Errorf("a nil resolver keeps mentions: %+v", fs)
	}
}

func FuzzFacets(f *testing.F) {
	for _, s := range []string{"@alice.test #tag https://x.it", "(https://a.it/(@b.it #c", "#a(https://x.it",
		"✨ @alice.test 👨‍❤️‍👨 https://en.wikipedia.org/wiki/CBOR.", "＃東京 www.a.it/x) #\ufe0f", "a\xff#b\xc3"} {
		f.Add(s)
	}
	resolve := func(h string) string {
		if strings.Contains(h, "x") {
			return "" // some handles do not resolve
		}
		return "did:plc:" + h
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := Text(s)
		end := 0
		for _, fc := range Facets(text, resolve) {
			a, b := fc.Index.ByteStart, fc.Index.ByteEnd
			if a < end || a >= b || b > len(text) {
				t.Fatalf("facet [%d,%d) out of order, empty or outside %d bytes (previous end %d) in %q", a, b, len(text), end, text)
			}
			if !utf8.RuneStart(text[a]) || (b < len(text) && !utf8.RuneStart(text[b])) {
				t.Fatalf("facet [%d,%d) not on UTF-8 boundaries in %q", a, b, text)
			}
			end = b
			if len(fc.Features) != 1 {
				t.Fatalf("features %+v", fc.Features)
			}
			slice, ft := text[a:b], fc.Features[0]
			switch ft.Type {
			case FeatureLink:
				if ft.URI != slice && ft.URI != "https://"+slice {
					t.Fatalf("link %q for text %q", ft.URI, slice)
				}
			case FeatureMention:
				if !strings.EqualFold("@"+strings.TrimPrefix(ft.DID, "did:plc:"), slice) {
					t.Fatalf("mention %q for text %q", ft.DID, slice)
				}
			case FeatureTag:
				if slice != "#"+ft.Tag && slice != "＃"+ft.Tag {
					t.Fatalf("tag %q for text %q", ft.Tag, slice)
				}
				if len(ft.Tag) > maxTagBytes || uniseg.GraphemeClusterCount(ft.Tag) > maxTagGraphemes {
					t.Fatalf("tag %q over the lexicon's limits", ft.Tag)
				}
			default:
				t.Fatalf("feature type %q", ft.Type)
			}
		}
	})
}
