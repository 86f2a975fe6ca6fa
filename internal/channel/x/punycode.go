// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// validHost reports whether a link's host passes twitter-text's check
// (IDN ToASCII, RFC 3490): every label, once prepared and written in
// Punycode, is 1 to 63 characters, and the link with a scheme ("https://"
// when it has none) and its host in Punycode is at most 4096 characters.
// urlLen is the link's length in UTF-16 code units.
func validHost(host []rune, urlLen int, scheme bool) bool {
	if len(host) == 0 {
		return false
	}
	ascii := 0
	for i, label := range strings.Split(string(host), ".") {
		if i > 0 {
			ascii++ // the dot
		}
		a, ok := toASCIILabel(label)
		if !ok {
			return false
		}
		ascii += len(a)
	}
	length := urlLen + ascii - utf16Len(host)
	if !scheme {
		length += defaultSchemeLength
	}
	return length <= maxURLLength
}

// toASCIILabel is ToASCII of one label (RFC 3490 section 4.1) with
// unassigned code points allowed: an ASCII label stays as it is; another
// is prepared (Nameprep: NFKC, lower case, a few characters mapped to
// nothing, prohibited characters and mixed directions refused), must not
// already begin with "xn--", and is written in Punycode after "xn--".
func toASCIILabel(label string) (string, bool) {
	if isASCII(label) {
		return label, len(label) >= 1 && len(label) <= maxLabelLength
	}
	prepared, ok := nameprep(label)
	if !ok {
		return "", false
	}
	if isASCII(prepared) {
		return prepared, len(prepared) >= 1 && len(prepared) <= maxLabelLength
	}
	if strings.HasPrefix(strings.ToLower(prepared), "xn--") {
		return "", false
	}
	enc, ok := punycodeEncode([]rune(prepared))
	if !ok {
		return "", false
	}
	a := "xn--" + enc
	return a, len(a) <= maxLabelLength
}

// nameprep approximates the Nameprep profile of stringprep (RFC 3491):
// characters "mapped to nothing" removed, case folded, NFKC, then the
// prohibited characters and the bidirectional rule checked.
func nameprep(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0xAD, r == 0x34F, r == 0x1806, r >= 0x180B && r <= 0x180D, r >= 0x200B && r <= 0x200D,
			r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
			// mapped to nothing (table B.1)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	out := norm.NFKC.String(b.String())
	var rtl, ltr bool
	rs := []rune(out)
	for _, r := range rs {
		if prohibited(r) {
			return "", false
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			rtl = true
		case bidi.L:
			ltr = true
		}
	}
	if rtl {
		first, _ := bidi.LookupRune(rs[0])
		last, _ := bidi.LookupRune(rs[len(rs)-1])
		isRTL := func(c bidi.Class) bool { return c == bidi.R || c == bidi.AL }
		if ltr || !isRTL(first.Class()) || !isRTL(last.Class()) {
			return "", false
		}
	}
	return out, len(rs) > 0
}

// prohibited reports the characters Nameprep refuses (RFC 3491 section 5):
// spaces and controls other than ASCII ones, private use, non-characters,
// surrogates, characters inappropriate for plain text or canonical
// representation, those that change display properties, and tags.
func prohibited(r rune) bool {
	switch {
	case r >= 0x80 && unicode.Is(unicode.Zs, r), r == 0x2028, r == 0x2029:
		return true
	case r >= 0x80 && r <= 0x9F, r == 0x6DD, r == 0x70F, r == 0x180E, r == 0x200C, r == 0x200D,
		r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF, r >= 0xFFF9 && r <= 0xFFFC,
		r >= 0x1D173 && r <= 0x1D17A:
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD:
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return true
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFD:
		return true
	case r >= 0x2FF0 && r <= 0x2FFB, r == 0x340, r == 0x341, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E, r == 0xE0001, r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Punycode parameters (RFC 3492 section 5).
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
	pcMaxInt      = 1<<31 - 1
)

// punycodeEncode encodes input with Punycode (RFC 3492 section 6.3),
// without the "xn--" prefix; false on overflow.
func punycodeEncode(input []rune) (string, bool) {
	out := make([]byte, 0, len(input)+8)
	for _, r := range input {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := pcInitialN, 0, pcInitialBias
	for h < len(input) {
		m := pcMaxInt
		for _, r := range input {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if m-n > (pcMaxInt-delta)/(h+1) {
			return "", false
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range input {
			if int(r) < n {
				delta++
				if delta > pcMaxInt-1 {
					return "", false
				}
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := min(max(k-bias, pcTMin), pcTMax)
				if q < t {
					break
				}
				out = append(out, punycodeDigit(t+(q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out = append(out, punycodeDigit(q))
			bias = punycodeAdapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out), true
}

func punycodeDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func punycodeAdapt(delta, points int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
