// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/piazza-pa/piazza/internal/channel/x"
)

// TestWeightedLengthConformance runs the weighted-length examples of
// twitter-text's conformance suite (conformance/validate.yml,
// WeightedTweetsWithDiscountedEmojiCounterTest and
// UnicodeDirectionalMarkerCounterTest), which use configuration v3.
func TestWeightedLengthConformance(t *testing.T) {
	x10 := strings.Repeat("xxxxxxxxxx-", 1)
	cjkPoem := "\u6545\u4EBA\u897F\u8F9E\u9EC4\u9E64\u697C\uFF0C\u70DF\u82B1\u4E09\u6708\u4E0B\u626C\u5DDE\u3002" +
		"\u5B64\u5E06\u8FDC\u5F71\u78A7\u7A7A\u5C3D\uFF0C\u552F\u89C1\u957F\u6C5F\u5929\u9645\u6D41\u3002" +
		"\u6731\u96C0\u6865\u8FB9\u91CE\u8349\u82B1\uFF0C\u4E4C\u8863\u5DF7\u53E3\u5915\u9633\u659C\u3002" +
		"\u65E7\u65F6\u738B\u8C22\u5802\u524D\u71D5\uFF0C\u98DE\u5165\u5BFB\u5E38\u767E\u59D3\u5BB6\u3002" +
		"\u671D\u8F9E\u767D\u5E1D\u5F69\u4E91\u95F4\uFF0C\u5343\u91CC\u6C5F\u9675\u4E00\u65E5\u8FD8\u3002" +
		"\u4E24\u5CB8\u733F\u58F0\u557C\u4E0D\u4F4F\uFF0C\u8F7B\u821F\u5DF2\u8FC7\u4E07\u91CD\u5C71\u3002" +
		"\u6CEA\u6E7F\u7F57\u5DFE\u68A6\u4E0D\u6210\uFF0C\u591C\u6DF1\u524D\u6BBF\u6309\u6B4C\u58F0\u3002" +
		"\u7EA2\u989C\u672A\u8001\u6069\u5148\u65AD\uFF0C\u659C\u501A\u85B0\u7B3C\u5750\u5230\u660E\u3002" +
		"\u72EC\u5728\u5F02\u4E61\u4E3A\u5F02\u5BA2\uFF0C\u6BCF\u9022\u4F73\u8282\u500D\u601D\u4EB2\u3002" +
		"\u9065\u77E5\u5144\u5F1F\u767B\u9AD8\u5904\uFF0C\u904D\u63D2\u8331\u8438\u5C11\u4E00\u4EBA\u3002"
	kana := strings.Repeat("\u3042\u3044\u3046\u3048\u304A\u304B\u304D\u304F\u3051\u3053", 12)
	kana5 := strings.Repeat("\u3042\u3044\u3046\u3048\u304A\u304B\u304D\u304F\u3051\u3053", 5)
	long := strings.Repeat("somesuperlongurl", 249)
	family := "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
	tests := []struct {
		name string
		text string
		want int
	}{
		{"regular tweet with url", "Hi http://test.co", 26},
		{"just url", "http://test.co", 23},
		{"long tweet", "285 chars-" + strings.Repeat(x10, 25), 285},
		{"url in the middle", "285 chars- http://www.twitter.com/jack " + strings.Repeat(x10, 24), 299},
		{"url at the end", strings.Repeat(x10, 24) + " http://www.twitter.com/jack ", 289},
		{"10 urls", strings.Repeat("https://www.twitter.com/aloha ", 10), 240},
		{"160 CJK", cjkPoem, 320},
		{"160 emoji", strings.Repeat("\U0001F637", 160), 320},
		{"3 latin + 160 CJK", "the" + cjkPoem, 323},
		{"normalised character", "282 chars-" + strings.Repeat(x10, 24) + "xxxxxA\u0301x", 281},
		{"mixed emoji", "H\U0001F431\u263A" + family, 7},
		{"emoji in the BMP and beyond", "\U0001F637\U0001F47E\U0001F621\U0001F525\U0001F4A9", 10},
		{"skin tone and ZWJ", "\U0001F64B\U0001F3FD\U0001F468\u200D\U0001F3A4", 4},
		{"general punctuation", "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B \u2010 \u2011 \u2012 \u2013 \u2014 \u2015 \u2016  \u2017 \u2018 \u2019 \u201A \u201B \u201C \u201D \u201E \u201F \u2032 \u2033 \u2034 \u2035 \u2036 \u2037", 110},
		{"invalid domain labels", "Long url with invalid domain labels and a short url: https://" + long + ".com/foo https://" + long +
			".com/foo https://" + long + ".com/foo https://validurl.com", 12079},
		{"64-character domain without scheme", "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68},
		{"CJK host over 63 in Punycode", kana + " http://" + kana5 + "\u3042\u3044\u3046.com", 358},
		{"CJK host within 63 in Punycode", kana + " http://" + kana5 + "\u3042\u3044.com", 264},
		{"140 family emoji", strings.Repeat(family, 140), 280},
		{"keycap without selector", "1\u20E3", 2},
		{"Unicode 10 emoji", "Unicode 10.0 emoji: \U0001F92A; \U0001F9D5; \U0001F9D5\U0001F3FE; \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 34},
		{"Unicode 9 emoji", "Unicode 9.0 emoji: \U0001F920; \U0001F483; \U0001F483\U0001F3FE", 29},
		{"invalid characters", "ABC\u202A\uFFFFABC\uFFFE", 12},
		{"directional characters", "\u2066\u202Ahttp://foobar.\u067E\u0627\u06A9\u0633\u062A\u0627\u0646/\u202C\u2069", 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := x.WeightedLength(tt.text); got != tt.want {
				t.Errorf("WeightedLength = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestWeightedLength covers what a comune writes: Italian accents,
// links with and without a scheme, emoji of newer Unicode versions.
func TestWeightedLength(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"italian", "Perché è così: città, più, caffè", 32},
		{"decomposed accents count once", "citta\u0300 piu\u0300", 9},
		{"link", "Info: https://www.comune.vallebella.it/albo-pretorio?anno=2026&tipo=bandi", 6 + 23},
		{"link without scheme", "Vedi www.comune.vallebella.it/albo.", 5 + 23 + 1},
		{"domain only", "Scrivete a comune.vallebella.it oggi", 11 + 23 + 5},
		{"not a TLD", "Il file relazione.pdf non è un link", 35},
		{"e-mail is not a link", "protocollo@comune.vallebella.it", 31},
		{"after @ or # or $", "#comune.it @comune.it $comune.it", 32},
		{"trailing full stop", "Leggi http://example.com/path.", 6 + 23 + 1},
		{"balanced parentheses", "(vedi https://it.wikipedia.org/wiki/Vallebella_(Italia))", 1 + 5 + 23 + 1},
		{"t.co slug", "http://t.co/abcde's", 23 + 2},
		{"CJK", "日本語", 6},
		{"Korean", "한국어", 6},
		{"Cyrillic and Greek weigh 1", "Привет Γειά", 11},
		{"combining marks", "e\u0301\u0302", 2},
		{"flag", "🇮🇹", 2},
		{"two flags", "🇮🇹🇪🇺", 4},
		{"lone regional indicator", "🇮", 2},
		{"rainbow flag", "🏳️‍🌈", 2},
		{"heart with selector", "❤️", 2},
		{"text-style heart", "❤\uFE0E", 4},
		{"copyright without selector", "©", 1},
		{"copyright with selector", "©\uFE0F", 2},
		{"keycap with selector", "#️⃣", 2},
		{"digit without keycap", "1\uFE0F", 3},
		{"health worker", "🧑🏽‍⚕️", 2},
		{"phoenix (Unicode 15.1)", "🐦‍🔥", 2},
		{"stray joiner", "a\u200Db", 3},
		{"joiner after emoji and letter", "😀\u200Da", 4},
		{"five joined emoji are two emoji", "👨‍👩‍👧‍👦‍👦", 2 + 1 + 2},
		{"Scotland", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2},
		{"tab and newline", "a\tb\nc", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := x.WeightedLength(tt.text); got != tt.want {
				t.Errorf("WeightedLength(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

// TestExtractURLs runs examples of twitter-text's conformance suite
// (conformance/extract.yml, urls).
func TestExtractURLs(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"http://example.com", []string{"http://example.com"}},
		{"http://ああ.com", []string{"http://ああ.com"}},
		{"http://あ-あ.com", []string{"http://あ-あ.com"}},
		{"text http://foobar.com/#", []string{"http://foobar.com/#"}},
		{"text http://google.com/#search?q=iphone%20-filter%3Alinks", []string{"http://google.com/#search?q=iphone%20-filter%3Alinks"}},
		{"text http://somehost.com:3000", []string{"http://somehost.com:3000"}},
		{"text http://xo.com/~matthew+%ff-,.;x", []string{"http://xo.com/~matthew+%ff-,.;x"}},
		{"text http://en.wikipedia.org/wiki/Primer_(film)", []string{"http://en.wikipedia.org/wiki/Primer_(film)"}},
		{"text http://✪df.ws/ejp", []string{"http://✪df.ws/ejp"}},
		{"test http://example.comだよね.comtest/hogehoge", []string{"http://example.com"}},
		{"text http://chilp.it/?77e8fd", []string{"http://chilp.it/?77e8fd"}},
		{"text http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx",
			[]string{"http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx"}},
		{"text http://no-tld", nil},
		{"text http://tld-too-short.x", nil},
		{"(http://twitter.com", []string{"http://twitter.com"}},
		{"text http://domain.com-that-you-should-have-put-a-space-after", nil},
		{"text http://foo.com?#foo text", []string{"http://foo.com?#foo"}},
		{"foo.com foo.net foo.org foo.edu foo.gov", []string{"foo.com", "foo.net", "foo.org", "foo.edu", "foo.gov"}},
		{"foo.baz foo.co.jp www.xxxxxxx.baz www.foo.co.uk wwwww.xxxxxxx foo.comm foo.somecom foo.govedu foo.jp",
			[]string{"foo.co.jp", "www.foo.co.uk", "foo.jp"}},
		{"t.co/abcde bit.ly/abcde", []string{"t.co/abcde", "bit.ly/abcde"}},
		{"Go to http://example.com/a+ or http://example.com/a-", []string{"http://example.com/a+", "http://example.com/a-"}},
		{"Go to https://en.m.wikipedia.org/wiki/Hatfield–McCoy_feud please", []string{"https://en.m.wikipedia.org/wiki/Hatfield–McCoy_feud"}},
		{"@user Try http:// example.com/path", []string{"example.com/path"}},
		{"これは日本語です。example.com/path/index.html中国語example.com/path한국", []string{"example.com/path/index.html", "example.com/path"}},
		{"twitter.comこれは日本語です。example.com中国語t.co/abcde한국twitter.com example2.comテストtwitter.com/abcde",
			[]string{"twitter.com", "example.com", "t.co/abcde", "twitter.com", "example2.com", "twitter.com/abcde"}},
		{"Go to http://twitter.com/Русские_слова", []string{"http://twitter.com/Русские_слова"}},
		{"twitter.jp日本語it.so中国語foo.jp it.so foo.jp", []string{"twitter.jp", "it.so", "foo.jp", "it.so", "foo.jp"}},
		{"Hello http://xn--はじめよう.com/index.html", nil},
		{"Email me at name.al-lastname@foo.com or name.al+lastname@foo.com", nil},
		{"Find my page at name.al-lastname.com", []string{"name.al-lastname.com"}},
		{"MLB.tv vine.co twitch.tv t.co", []string{"MLB.tv", "vine.co", "twitch.tv", "t.co"}},
		{"test http://sub_domain-dash.twitter.com", []string{"http://sub_domain-dash.twitter.com"}},
		{"test http://a.b.cd", []string{"http://a.b.cd"}},
		{"test http://-leadingdash.twitter.com", nil},
		{"test http://twitter_underscore.com", nil},
		{"test http://www.foo.com/foo/path-with-period./", []string{"http://www.foo.com/foo/path-with-period./"}},
		{"test ELPAÍS.com", []string{"ELPAÍS.com"}},
		{"test http://twitter.com/.", []string{"http://twitter.com/"}},
		{"Test a ton of periods http://example.com/path..........................................", []string{"http://example.com/path"}},
		{"#test.com @test.com #http://test.com @http://test.com #t.co/abcde @t.co/abcde", nil},
		{"I really like http://t.co/pbY2NfTZ's website", []string{"http://t.co/pbY2NfTZ"}},
		{"According to http://t.co/ulYGBYSo: the internet is cool", []string{"http://t.co/ulYGBYSo"}},
		{"I really like http://t.co/abcdefghijklmnopqrstuvwxyz012345678901234", nil},
		{"example.comてすとですtwitter.みんなです", []string{"example.com", "twitter.みんな"}},
		{"http://twitter.com\nhttp://example.com\nhttp://example.com/path\nexample.com/path\nit.so\nit.so/abcde",
			[]string{"http://twitter.com", "http://example.com", "http://example.com/path", "example.com/path", "it.so", "it.so/abcde"}},
		{"$http://twitter.com $twitter.com $http://t.co/abcde $t.co/abcde $t.co $TVI.CA $RBS.CA", nil},
		{"long.test.tar.bz2 test.tar.bz2 tar.bz2", nil},
		{"john.doe.gov@mail.com", nil},
		{"http://exampleこれは日本語です.com/path/index.html http://あああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああああ.com/path/index.html",
			[]string{"http://exampleこれは日本語です.com/path/index.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, u := range x.ExtractURLs(tt.text) {
				if tt.text[u.Start:u.End] != u.URL {
					t.Errorf("span %d..%d is %q, not %q", u.Start, u.End, tt.text[u.Start:u.End], u.URL)
				}
				got = append(got, u.URL)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExtractURLs = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPunycode checks the encoder with RFC 3492's sample strings.
func TestPunycode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bücher", "bcher-kva"},
		{"münchen", "mnchen-3ya"},
		{"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "egbpdaj6bu4bxfgehfvwxn"},
		{"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
		{"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b"},
		{"\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B2", "2-u9tlzr9756bt3uc0v"},
	}
	for _, tt := range tests {
		if got, ok := x.PunycodeEncode([]rune(tt.in)); !ok || got != tt.want {
			t.Errorf("punycode(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzWeightedLength(f *testing.F) {
	for _, s := range []string{"", "ciao", "https://comune.it/a?b=c", "www.x.it.", "👨‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "e\u0301",
		"a.a.a.a.a.a.a.a", "http://☃.net/", "1\u20E3#️⃣", "\xff\xfe", "(x.com/a_(b)_c)", "http://t.co/" + strings.Repeat("a", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := x.WeightedLength(s)
		if n < 0 {
			t.Fatalf("WeightedLength(%q) = %d", s, n)
		}
		nfc := norm.NFC.String(s)
		if m := x.WeightedLength(nfc); m != n {
			t.Fatalf("WeightedLength changes with NFC: %d for %q, %d for %q", n, s, m, nfc)
		}
		if nfd := norm.NFD.String(s); x.WeightedLength(nfd) != n {
			t.Fatalf("WeightedLength changes with NFD: %q", s)
		}
		// Outside links every code point counts 1 or 2, and an emoji of
		// at most 15 code points counts 2.
		outside, urls := utf8.RuneCountInString(nfc), 0
		for _, u := range x.ExtractURLs(nfc) {
			if u.Start < 0 || u.End > len(nfc) || u.Start >= u.End || !utf8.ValidString(u.URL) {
				t.Fatalf("bad span %+v in %q", u, nfc)
			}
			outside -= utf8.RuneCountInString(u.URL)
			urls++
		}
		if lo, hi := (2*outside+14)/15+x.URLLength*urls, 2*outside+x.URLLength*urls; n < lo || n > hi {
			t.Fatalf("WeightedLength(%q) = %d, outside [%d, %d]", s, n, lo, hi)
		}
	})
}

func FuzzExtractURLs(f *testing.F) {
	for _, s := range []string{"http://example.com/a(b(c)d)e.", "x.it/?q=1&", "@a.com b.com", "http://ελ.ελ/", "t.co/a?b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Rune boundaries as a range loop sees them (an invalid byte is
		// one rune).
		starts := map[int]bool{len(s): true}
		for i := range s {
			starts[i] = true
		}
		last := -1
		for _, u := range x.ExtractURLs(s) {
			if u.Start < last || u.Start >= u.End || u.End > len(s) || s[u.Start:u.End] != u.URL {
				t.Fatalf("bad span %+v after %d in %q", u, last, s)
			}
			if !starts[u.Start] || !starts[u.End] {
				t.Fatalf("span %+v not on rune boundaries in %q", u, s)
			}
			if !strings.Contains(u.URL, ".") {
				t.Fatalf("link without a dot: %q", u.URL)
			}
			last = u.End
		}
	})
}
