// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func codes(ps []Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestValidate(t *testing.T) {
	img := func(alt string, n int) Media {
		return Media{Kind: Image, ContentType: "image/jpeg", Data: make([]byte, n), AltText: alt}
	}
	lim := Limits{MaxText: 10, MaxTextWithMedia: 5, MaxImages: 2, ImageTypes: []string{"image/jpeg"},
		MaxImageBytes: 100, MaxHashtags: 2, MaxAltText: 20}
	count := utf8.RuneCountInString
	tests := []struct {
		name string
		lim  Limits
		p    Post
		want []string
	}{
		{"fits", lim, Post{Text: "ciao"}, nil},
		{"empty", lim, Post{Text: "  "}, []string{ProblemEmpty}},
		{"too long", lim, Post{Text: "abcdefghijk"}, []string{ProblemTooLong}},
		{"caption limit with media", lim, Post{Text: "abcdef", Media: []Media{img("una foto", 10)}}, []string{ProblemCaptionTooLong}},
		{"no alt", lim, Post{Text: "a", Media: []Media{img(" ", 10)}}, []string{ProblemAltMissing}},
		{"alt too long", lim, Post{Text: "a", Media: []Media{img(strings.Repeat("x", 21), 10)}}, []string{ProblemAltTooLong}},
		{"too big", lim, Post{Text: "a", Media: []Media{img("alt", 101)}}, []string{ProblemMediaTooBig}},
		{"wrong type", lim, Post{Text: "a", Media: []Media{{Kind: Image, ContentType: "image/gif", AltText: "a"}}}, []string{ProblemMediaType}},
		{"too many images", lim, Post{Text: "a", Media: []Media{img("a", 1), img("b", 1), img("c", 1)}}, []string{ProblemTooManyImages}},
		{"no images allowed", Limits{MaxText: 10}, Post{Text: "a", Media: []Media{img("a", 1)}}, []string{ProblemNoImages}},
		{"no video allowed", lim, Post{Text: "a", Media: []Media{{Kind: Video, ContentType: "video/mp4"}}}, []string{ProblemNoVideo}},
		{"mixed", Limits{MaxImages: 1, MaxVideos: 1, ImageTypes: []string{"image/jpeg"}, VideoTypes: []string{"video/mp4"}},
			Post{Media: []Media{img("a", 1), {Kind: Video, ContentType: "video/mp4"}}}, []string{ProblemMixedMedia}},
		{"media required", Limits{MediaRequired: true}, Post{Text: "a"}, []string{ProblemMediaRequired}},
		{"hashtags", lim, Post{Text: "#a #b #c"}, []string{ProblemTooManyTags}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes(Validate(tt.lim, tt.p, count))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	p := Validate(lim, Post{Text: "abcdefghijklm"}, count)[0]
	if p.Limit != 10 || p.Actual != 13 || p.Over() != 3 {
		t.Errorf("too long problem = %+v, over %d", p, p.Over())
	}
}

func TestHashtagsAndURLs(t *testing.T) {
	got := Hashtags("Allerta #Meteo a #Trieste, #1 no, email@#x, #città_bella! https://x.it/#frag")
	want := []string{"Meteo", "Trieste", "città_bella"}
	if !slices.Equal(got, want) {
		t.Errorf("Hashtags = %v, want %v", got, want)
	}
	us := URLs("Leggi https://comune.example.it/avviso. Poi (http://a.it/b) e basta")
	if len(us) != 2 || us[0].URL != "https://comune.example.it/avviso" || us[1].URL != "http://a.it/b" {
		t.Errorf("URLs = %+v", us)
	}
	if n := CountRunesWithURLs("vai su https://comune.example.it/una/pagina/molto/lunga ora", 23); n != 7+23+4 {
		t.Errorf("CountRunesWithURLs = %d", n)
	}
}

func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{CredToken: "s3cret-value"}
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("credentials printed: %s", s)
		}
	}
}

func FuzzURLsAndCount(f *testing.F) {
	for _, s := range []string{"https://a.it/x", "ciao 🇮🇹 http://x", "http://", "#tag https://é.it/ü?q=1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, u := range URLs(s) {
			if u.Start < 0 || u.End > len(s) || u.Start >= u.End || s[u.Start:u.End] != u.URL {
				t.Fatalf("bad span %+v in %q", u, s)
			}
		}
		if n := CountRunesWithURLs(s, 23); n < 0 {
			t.Fatalf("negative count %d", n)
		}
		_ = Hashtags(s)
	})
}
