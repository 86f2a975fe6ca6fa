// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/piazza-pa/piazza/internal/channel"
)

func TestCount(t *testing.T) {
	a, b := strings.Repeat("a", 476), strings.Repeat("b", 30)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"blank", " \n\t\u00a0 ", 0},
		{"stripped", "  ciao \n", 4},
		{"ascii", "Ciao a tutti", 12},
		{"precomposed accents", "città è più", 11},
		{"combining acute", "e\u0301 cosi\u0300", 6},
		{"stacked combining marks", "a\u0301\u0302\u0303\u0304", 1},
		{"flag", "🇮🇹", 1},
		{"zwj family", "👨‍👩‍👧‍👦", 1},
		{"skin tone", "👍🏽", 1},
		{"keycap", "1️⃣", 1},
		{"cjk", "日本語のテキスト", 8},
		{"crlf is one grapheme", "a\r\nb", 3},
		{"invalid utf-8 counts as U+FFFD", "a\xffb", 3},
		// spec/validators/status_length_validator_spec.rb
		{"spec: url counts 23", a + " http://" + b + ".com/example", 476 + 1 + 23},
		{"spec: url glued to text is no link", a + "http://" + b + ".com/example", 476 + 49},
		{"spec: overly long url counts in full", "http://example.com/valid?" + strings.Repeat("#foo?", 1000), 5025},
		{"spec: remote mention counts @user", strings.Repeat("a", 475) + " @alice@" + b + ".com", 475 + 1 + 6},
		{"spec: mention of an overly long domain counts in full", "@alice@" + strings.Repeat("b", 500) + ".com", 511},
		{"spec: multibyte emoji", strings.Repeat("✨", 500), 500},
		{"spec: zwj sequence emoji", strings.Repeat("🏳️‍⚧️", 500), 500},
		// app/javascript/mastodon/features/compose/util/counter.test.ts,
		// where the server agrees.
		{"https url", "see https://example.com here", 4 + 23 + 5},
		{"url with emoji path", "look https://example.com/🐪/#camel here", 5 + 23 + 5},
		{"idn url", "besøk https://grå.org/ idag", 6 + 23 + 5},
		{"cjk idn url", "参观 https://慕田峪长城.网址/ 今天", 3 + 23 + 3},
		{"local mention unchanged", "hi @bob", 7},
		{"remote mention", "hi @bob@example.com", 7},
		{"mention and url", "@bob@example.com look https://example.com", 10 + 23},
		{"email is no mention", "mail arnt@grå.org for details", 29},
		{"idn remote mention", "hi @arnt@grå.org", 8},
		// Where the server and the web composer differ, the server wins.
		{"schemeless url is text to the server", "see example.com here", 20},
		{"mention of a dotless host", "@arnt@invalid", 5},
		// Links as Mastodon's twitter-text rules find them.
		{"unknown tld is text", "https://comune.example/path", 27},
		{"trailing full stop", "Vai su https://www.comune.vallebella.it/avviso.", 7 + 23 + 1},
		{"balanced parentheses", "(vedi https://it.wikipedia.org/wiki/Trieste_(città))", 6 + 23 + 1},
		{"query", "https://x.it/?a=1&b=2.", 23 + 1},
		{"upper-case scheme", "HTTPS://WWW.COMUNE.IT", 23},
		{"gemini scheme", "gemini://x.it", 23},
		{"port", "https://x.it:8080/a", 23},
		{"short url counts 23 too", "https://x.it", 23},
		{"t.co", "https://t.co/abc", 23},
		{"letter before the scheme", "xhttps://x.it", 13},
		{"schemeless link swallows the next", "comune.it/?u=https://x.it/a", 27},
		{"two links", "https://a.it e https://b.it", 23 + 3 + 23},
		{"link in a hashtag line", "#Allerta https://www.protezionecivile.gov.it/it/", 9 + 23},
		{"url then combining mark", "https://x.it\u0301", 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.text, 23); got != tt.want {
				t.Errorf("Count(%.60q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
	if got := Count("vedi https://x.it", 30); got != 5+30 {
		t.Errorf("Count with 30 per link = %d", got)
	}
	if got := Count("vedi https://x.it", 0); got != 5+23 {
		t.Errorf("Count with no link length = %d", got)
	}
}

func TestLinks(t *testing.T) {
	text := "Info: https://www.comune.vallebella.it/avviso, poi gemini://x.it e comune.it/?u=https://y.it"
	got := Links(text)
	if len(got) != 2 || got[0].URL != "https://www.comune.vallebella.it/avviso" || got[1].URL != "gemini://x.it" {
		t.Fatalf("Links = %+v", got)
	}
	for _, l := range got {
		if text[l.Start:l.End] != l.URL {
			t.Errorf("span %+v", l)
		}
	}
}

func TestPunycode(t *testing.T) {
	// RFC 3492 section 7.1 samples, and common labels.
	tests := []struct{ in, want string }{
		{"bücher", "bcher-kva"},
		{"grå", "gr-zia"},
		{"ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"},
		{"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},
		{"почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"},
		{"3年b組金八先生", "3b-ww4c5e180e575a65lsy2b"},
	}
	for _, tt := range tests {
		if got := punycode([]rune(tt.in)); got != tt.want {
			t.Errorf("punycode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidDomain(t *testing.T) {
	tests := []struct {
		domain string
		want   bool
	}{
		{"comune.vallebella.it", true},
		{"grå.org", true},
		{"ＣＯＭＵＮＥ.it", true}, // full-width letters fold to ASCII
		{strings.Repeat("a", 63) + ".it", true},
		{strings.Repeat("a", 64) + ".it", false},
		{"\ue000x.it", false},    // private use
		{"aאb.com", false},       // mixed directions
		{"אב.קום", true},         // right to left
		{"\U0001F600.ws", false}, // not in Unicode 3.2
	}
	for _, tt := range tests {
		if got := validDomain(10, tt.domain); got != tt.want {
			t.Errorf("validDomain(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
	if validDomain(maxURLLength+1, "x.it") {
		t.Error("a link over 4096 characters is valid")
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", "ciao https://x.it", "@a@b.it https://grå.org/(x)?q=1.", "🇮🇹👨‍👩‍👧‍👦 e\u0301",
		"a\xffb https://t.co/abc", "comune.it/?u=https://x.it", "(https://a.it/b_(c)d)", "https://a.a.a.a.a.a.zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Count(s, 23)
		text := rubyStrip(strings.ToValidUTF8(s, "\uFFFD"))
		links := Links(text)
		if n < 0 {
			t.Fatalf("negative count %d", n)
		}
		if g := uniseg.GraphemeClusterCount(text); n > g+23*len(links) {
			t.Fatalf("count %d over %d graphemes and %d links", n, g, len(links))
		}
		if n > 0 {
			if d := Count(s, 24) - n; d != len(links) {
				t.Fatalf("one more character per link adds %d, with %d links in %q", d, len(links), text)
			}
		}
		if !strings.Contains(text, "://") && !strings.Contains(text, "@") && n != uniseg.GraphemeClusterCount(text) &&
			strings.TrimSpace(text) != "" {
			t.Fatalf("count %d of a text without links or mentions, %d graphemes", n, uniseg.GraphemeClusterCount(text))
		}
		last := 0
		for _, l := range links {
			if l.Start < last || l.End > len(text) || l.Start >= l.End || text[l.Start:l.End] != l.URL ||
				!utf8.RuneStart(text[l.Start]) || (l.End < len(text) && !utf8.RuneStart(text[l.End])) {
				t.Fatalf("bad link span %+v in %q", l, text)
			}
			if !strings.Contains(l.URL, "://") {
				t.Fatalf("link without a scheme %q", l.URL)
			}
			last = l.End
		}
		for _, l := range Links(s) { // raw, possibly invalid, text
			if l.Start < 0 || l.End > len(s) || l.Start >= l.End || s[l.Start:l.End] != l.URL {
				t.Fatalf("bad link span %+v in %q", l, s)
			}
		}
	})
}

func FuzzComposeText(f *testing.F) {
	f.Add("Avviso", "https://www.comune.vallebella.it/a")
	f.Add("Leggi https://x.it", "https://x.it")
	f.Add("", "https://x.it")
	f.Add("testo \n", "")
	f.Fuzz(func(t *testing.T, text, link string) {
		p := channelPost(text, link)
		got := ComposeText(p)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 %q", got)
		}
		u := strings.TrimSpace(Text(link))
		if u != "" && !strings.Contains(got, u) {
			t.Fatalf("%q lacks the link %q", got, u)
		}
		if !strings.HasPrefix(got, strings.TrimRight(Text(text), " \t\r\n")) && strings.TrimSpace(text) != "" {
			t.Fatalf("%q does not start with the text %q", got, text)
		}
	})
}

func channelPost(text, link string) channel.Post {
	p := channel.Post{Text: text}
	if link != "" {
		p.Link = &channel.LinkCard{URL: link}
	}
	return p
}

// TestCountLinearTime guards against inputs that would make the counter
// (run on every keystroke) slow: long words, many dots, many mentions.
func TestCountLinearTime(t *testing.T) {
	const n = 50_000
	for name, text := range map[string]string{
		"accented word":   "https://" + strings.Repeat("é", n),
		"dots":            "://" + strings.Repeat("a.", n),
		"dots and labels": "://" + strings.Repeat(".ab-c", n),
		"mentions":        strings.Repeat("@a@b.c ", n/4) + "://",
		"parentheses":     "https://x.it/" + strings.Repeat("(", n),
		"underscores":     "://" + strings.Repeat("a_b.", n),
		"long link":       "https://x.it/" + strings.Repeat("a", n),
		"schemes":         strings.Repeat("https://", n/4),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			Count(text, 23)
			if d := time.Since(start); d > time.Second {
				t.Errorf("Count took %v on %d bytes", d, len(text))
			}
		})
	}
}
