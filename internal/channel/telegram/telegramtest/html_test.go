// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

func TestParseHTML(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		// Accepted, with the plain text Telegram keeps.
		{`<b>bold</b> &lt;x&gt; &amp; &quot;q&quot;`, `bold <x> & "q"`, ""},
		{`<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins><s>f</s><strike>g</strike><del>h</del>`, "abcdefgh", ""},
		{`<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, "st", ""},
		{`<a href="https://x.it/?a=1&amp;b=2">link</a>`, "link", ""},
		{`<a href=https://x.it/>x</a>`, "", "Unexpected end of name token at byte offset 8"},
		{`<code>c</code> <pre>p</pre> <pre><code class="language-go">g</code></pre>`, "c p g", ""},
		{`<blockquote>q</blockquote><blockquote expandable>e</blockquote>`, "qe", ""},
		{`<B>upper</B>`, "upper", ""},
		{`<b>closed by an empty end tag</>`, "closed by an empty end tag", ""},
		{`<b x>unknown attributes are ignored</b>`, "unknown attributes are ignored", ""},
		{`x > y`, "x > y", ""},                                                 // a lone '>' is text
		{`a &copy; b & c`, "a &copy; b & c", ""},                               // unknown entities stay as written
		{`&#65;&#x42;&#67&lt`, "ABC<", ""},                                     // numeric, and without ';'
		{`&#0; &#x110000; &#1234567890;`, "&#0; &#x110000; &#1234567890;", ""}, // not characters
		{`&#128077;`, "👍", ""},
		{`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", ""},
		{`<tg-time unix="1647531900" format="wDT">22:45</tg-time>`, "22:45", ""},
		// Refused, with tdlib's messages.
		{`1 < 2`, "", `Unsupported start tag "" at byte offset 2`},
		{`<foo>x</foo>`, "", `Unsupported start tag "foo" at byte offset 0`},
		{`ok <br/>`, "", `Unsupported start tag "br/" at byte offset 3`},
		{`<b>x`, "", `Can't find end tag corresponding to start tag "b"`},
		{`<b>x</i>`, "", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{`x</b>`, "", `Unexpected end tag at byte offset 1`},
		{`<b`, "", `Unclosed start tag at byte offset 0`},
		{`<b>x</b`, "", `Unclosed end tag at byte offset 4`},
		{`<b =x>y</b>`, "", `Empty attribute name in the tag "b" at byte offset 0`},
		{`<a href`, "", `Unclosed start tag "a" at byte offset 0`},
		{`<span>x</span>`, "", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{`<tg-emoji emoji-id="abc">👍</tg-emoji>`, "", `Invalid custom emoji identifier specified`},
		{`&#xD83D;&#xDE00;`, "", `Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := telegramtest.ParseHTML(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != "can't parse entities: "+tt.err {
					t.Fatalf("ParseHTML(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseHTML(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  ciao \n", "ciao"},
		{"a\r\nb", "a\nb"},
		{"\ta\x00b\x1f", "a b"},
		{"a\u2028b\u2029c\u202Ad", "abcd"},
		{"e\u030A\u0333\u033F\u0301", "e\u0301"},
		{"\u00a0x\u00a0", "\u00a0x\u00a0"},
	}
	for _, tt := range tests {
		if got := telegramtest.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if n := telegramtest.Length("👨‍👩‍👧🇮🇹"); n != 7 {
		t.Errorf("Length = %d, want 7 code points", n)
	}
}

var offsetRe = regexp.MustCompile(`byte offset (\d+)`)

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"", "<b>x</b>", "<a href='u'>l</a>", "&#128077;&lt;", "<b", "</>", "<span class=tg-spoiler>s</>",
		"<blockquote expandable>q</blockquote>", "&#xD800;", "a\x00<b\x00>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := telegramtest.ParseHTML(s)
		if err != nil {
			if m := offsetRe.FindStringSubmatch(err.Error()); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= len(s) {
					t.Fatalf("offset %d outside %q", n, s)
				}
			}
			return
		}
		// Entities never decode to more bytes than they take.
		if len(out) > len(s) {
			t.Fatalf("ParseHTML(%q) = %q is longer", s, out)
		}
		if !strings.ContainsAny(s, "<&") && out != s {
			t.Fatalf("ParseHTML(%q) = %q changed plain text", s, out)
		}
		if n := telegramtest.Length(telegramtest.Normalize(out)); n < 0 || n > len(out) {
			t.Fatalf("Length = %d", n)
		}
	})
}
