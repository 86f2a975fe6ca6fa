// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/rangetable"
)

// validDomain is twitter-text's is_valid_domain: the host must survive
// IDNA2003 ToASCII (libidn, through the idn-ruby gem), and the link,
// with the host in its ASCII form, must be at most maxURLLength
// characters long. A host that fails is no link, and counts in full.
//
// Specs: https://github.com/twitter/twitter-text/blob/v3.1.0/rb/lib/twitter-text/extractor.rb
func validDomain(urlRunes int, domain string) bool {
	growth := 0
	for label := range strings.SplitSeq(domain, ".") {
		ascii, ok := toASCIILabel(label)
		if !ok {
			return false
		}
		growth += len(ascii) - utf8.RuneCountInString(label)
	}
	return urlRunes+max(growth, 0) <= maxURLLength
}

// toASCIILabel is RFC 3490's ToASCII of one label, without the
// UseSTD3ASCIIRules and AllowUnassigned flags (idn-ruby's defaults).
//
// Specs: https://www.rfc-editor.org/rfc/rfc3490#section-4.1
func toASCIILabel(label string) (string, bool) {
	if !isASCII(label) {
		var ok bool
		if label, ok = nameprep(label); !ok {
			return "", false
		}
		if !isASCII(label) {
			if strings.HasPrefix(strings.ToLower(label), "xn--") || utf8.RuneCountInString(label) > 59 {
				return "", false
			}
			label = "xn--" + punycode([]rune(label))
		}
	}
	return label, len(label) >= 1 && len(label) <= 63
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unicode32 stands in for the Unicode 3.2 repertoire of IDNA2003: the
// oldest table golang.org/x/text has is Unicode 4.1's, a slightly larger
// set.
var unicode32 = rangetable.Assigned("4.1.0")

// nameprep is RFC 3491: characters mapped to nothing dropped, case
// folded (simple folding here), NFKC, then the prohibited, unassigned
// and bidi checks.
//
// Specs: https://www.rfc-editor.org/rfc/rfc3491
func nameprep(label string) (string, bool) {
	label = strings.Map(func(r rune) rune {
		switch {
		case r == 0xAD, r == 0x34F, r == 0x1806, r >= 0x180B && r <= 0x180D, r >= 0x200B && r <= 0x200D,
			r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF: // RFC 3454 B.1
			return -1
		}
		return unicode.ToLower(r)
	}, label)
	label = norm.NFKC.String(label)
	randAL, l := false, false
	for _, r := range label {
		if prohibited(r) || (unicode32 != nil && !unicode.Is(unicode32, r)) {
			return "", false
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			randAL = true
		case bidi.L:
			l = true
		}
	}
	if randAL {
		// RFC 3454 section 6: no left-to-right character, and a
		// right-to-left one first and last.
		first, _ := utf8.DecodeRuneInString(label)
		last, _ := utf8.DecodeLastRuneInString(label)
		if l || !isRandAL(first) || !isRandAL(last) {
			return "", false
		}
	}
	return label, label != ""
}

func isRandAL(r rune) bool {
	p, _ := bidi.LookupRune(r)
	return p.Class() == bidi.R || p.Class() == bidi.AL
}

// prohibited is nameprep's prohibited output: RFC 3454 tables C.1.2 and
// C.2.2 to C.9.
func prohibited(r rune) bool {
	switch {
	case r == 0xA0, r == 0x1680, r >= 0x2000 && r <= 0x200B, r == 0x202F, r == 0x205F, r == 0x3000: // C.1.2
		return true
	case r >= 0x80 && r <= 0x9F, r == 0x6DD, r == 0x70F, r == 0x180E, r == 0x200C, r == 0x200D,
		r == 0x2028, r == 0x2029, r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF,
		r >= 0xFFF9 && r <= 0xFFFC, r >= 0x1D173 && r <= 0x1D17A: // C.2.2
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD: // C.3
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // C.4
		return true
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFD, r >= 0x2FF0 && r <= 0x2FFB: // C.5, C.6, C.7
		return true
	case r == 0x340, r == 0x341, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E: // C.8
		return true
	case r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}

// punycode encodes a label (RFC 3492), without the xn-- prefix.
//
// Specs: https://www.rfc-editor.org/rfc/rfc3492#section-6.3
func punycode(label []rune) string {
	const (
		base, tmin, tmax   = 36, 1, 26
		skew, damp         = 38, 700
		initialBias, initN = 72, 128
	)
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	adapt := func(delta, points int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / points
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	var out []byte
	for _, r := range label {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := initN, 0, initialBias
	for h < len(label) {
		m := rune(unicode.MaxRune + 1)
		for _, r := range label {
			if int(r) >= n && r < m {
				m = r
			}
		}
		delta += (int(m) - n) * (h + 1)
		n = int(m)
		for _, r := range label {
			if int(r) < n {
				delta++
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := min(max(k-bias, tmin), tmax)
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}
