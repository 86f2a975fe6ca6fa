// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"sort"

	"golang.org/x/text/unicode/norm"
)

// WeightedLength is the length of text as X counts it against MaxText,
// following twitter-text's configuration v3 (config/v3.json) and its
// parseTweet:
//
//   - the text is normalised to NFC first;
//   - every link (found the way twitter-text finds them, with or without
//     "https://", see ExtractURLs) counts URLLength (23);
//   - every emoji counts 2, however many code points it is made of: a ZWJ
//     sequence (👨‍👩‍👧‍👦), a flag, a keycap, a skin tone (emojiParsingEnabled);
//   - every other code point counts 1 when it is in one of the ranges of
//     weight 100 (U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F,
//     U+2032–U+2037: Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari and
//     the like, and common punctuation) and 2 otherwise (the default weight
//     200, as for CJK).
//
// The result is never negative: an emoji is at most 15 code points
// (four joined emoji with their selectors and skin tones), and every other
// code point outside links counts at least 1.
//
// Specs: https://docs.x.com/resources/fundamentals/counting-characters
// Specs: https://github.com/twitter/twitter-text/blob/master/config/v3.json
func WeightedLength(text string) int {
	if text == "" {
		return 0
	}
	rs := []rune(norm.NFC.String(text))
	urls := extractURLs(rs)
	n, u := 0, 0
	for i := 0; i < len(rs); {
		if u < len(urls) && urls[u].start == i {
			n += URLLength
			i = urls[u].end
			u++
			continue
		}
		if end := emojiAt(rs, i); end > i {
			n += 2
			i = end
			continue
		}
		n += runeWeight(rs[i])
		i++
	}
	return n
}

// runeWeight is the weight of one code point outside links and emoji,
// divided by the scale (100).
func runeWeight(r rune) int {
	switch {
	case r >= 0 && r <= 4351, r >= 8192 && r <= 8205, r >= 8208 && r <= 8223, r >= 8242 && r <= 8247:
		return 1
	default:
		return 2
	}
}

// Code points of emoji sequences (Unicode Technical Standard #51).
const (
	zwj         = 0x200D // zero width joiner
	vs15        = 0xFE0E // text presentation selector
	vs16        = 0xFE0F // emoji presentation selector
	keycapMark  = 0x20E3 // combining enclosing keycap
	blackFlag   = 0x1F3F4
	tagFirst    = 0xE0020
	tagLast     = 0xE007E
	tagCancel   = 0xE007F
	riFirst     = 0x1F1E6 // regional indicator A
	riLast      = 0x1F1FF // regional indicator Z
	skinToneMin = 0x1F3FB
	skinToneMax = 0x1F3FF
)

// emojiAt returns the end of the emoji that starts at rs[i], or i when
// none does. It follows the emoji sequences of UTS #51 the way Twitter's
// emoji parser (twemoji) reads them:
//
//   - a keycap: #, * or a digit, an optional U+FE0F, then U+20E3;
//   - a flag: two regional indicators; a lone one is an emoji too;
//   - ©, ®, ™ and ♟, which are text by default, only with U+FE0F;
//   - any other Extended_Pictographic character unless U+FE0E (text
//     presentation) follows, with an optional U+FE0F, skin tone or tag
//     sequence (🏴󠁧󠁢󠁳󠁣󠁴󠁿), and up to three more such characters joined by
//     U+200D.
//
// Twemoji lists the sequences it knows; this reads the grammar instead, so
// that sequences of newer Unicode versions count as X counts them on its
// own clients.
func emojiAt(rs []rune, i int) int {
	r := rs[i]
	at := func(j int) rune {
		if j < len(rs) {
			return rs[j]
		}
		return -1
	}
	switch {
	case r == '#' || r == '*' || (r >= '0' && r <= '9'):
		j := i + 1
		if at(j) == vs16 {
			j++
		}
		if at(j) == keycapMark {
			return j + 1
		}
		return i
	case r >= riFirst && r <= riLast:
		if c := at(i + 1); c >= riFirst && c <= riLast {
			return i + 2
		}
		return i + 1
	case r == 0xA9 || r == 0xAE || r == 0x2122 || r == 0x265F:
		if at(i+1) == vs16 {
			return i + 2
		}
		return i
	case !extendedPictographic(r) || at(i+1) == vs15:
		return i
	}
	j, tagged := emojiTail(rs, i+1, r)
	for n := 1; !tagged && n < maxJoined && at(j) == zwj && extendedPictographic(at(j+1)); n++ {
		j, tagged = emojiTail(rs, j+2, 0) // only a sequence's first emoji takes tags
	}
	return j
}

// maxJoined is the most emoji a ZWJ sequence joins (a family of four, a
// kiss): X's parser knows no longer sequence, so a longer chain counts as
// several emoji and the joiners between them.
const maxJoined = 4

// maxTags bounds the tag characters of a flag such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿 (a subdivision
// code of at most six characters and its country).
const maxTags = 8

// emojiTail consumes what may follow the emoji base just before rs[j]: a
// presentation selector, a skin tone, and for the black flag a tag
// sequence ending in CANCEL TAG, which ends the emoji (tagged).
func emojiTail(rs []rune, j int, base rune) (end int, tagged bool) {
	if j < len(rs) && rs[j] == vs16 {
		j++
	}
	if j < len(rs) && rs[j] >= skinToneMin && rs[j] <= skinToneMax {
		j++
	}
	if base == blackFlag {
		k := j
		for k < len(rs) && k-j < maxTags && rs[k] >= tagFirst && rs[k] <= tagLast {
			k++
		}
		if k > j && k < len(rs) && rs[k] == tagCancel {
			return k + 1, true
		}
	}
	return j, false
}

// extendedPictographic reports whether r has the Extended_Pictographic
// property of Unicode's emoji-data.txt (Unicode 15.0), which also covers
// the code points set aside for future emoji.
func extendedPictographic(r rune) bool {
	if r < 0xA9 {
		return false
	}
	i := sort.Search(len(pictographic), func(i int) bool { return pictographic[i][1] >= r })
	return i < len(pictographic) && pictographic[i][0] <= r
}

// pictographic are the Extended_Pictographic ranges, sorted and merged,
// from https://unicode.org/Public/15.0.0/ucd/emoji/emoji-data.txt (see
// https://www.unicode.org/license.html).
var pictographic = [][2]rune{
	{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049}, {0x2122, 0x2122},
	{0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA}, {0x231A, 0x231B}, {0x2328, 0x2328},
	{0x2388, 0x2388}, {0x23CF, 0x23CF}, {0x23E9, 0x23F3}, {0x23F8, 0x23FA}, {0x24C2, 0x24C2},
	{0x25AA, 0x25AB}, {0x25B6, 0x25B6}, {0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x2605},
	{0x2607, 0x2612}, {0x2614, 0x2685}, {0x2690, 0x2705}, {0x2708, 0x2712}, {0x2714, 0x2714},
	{0x2716, 0x2716}, {0x271D, 0x271D}, {0x2721, 0x2721}, {0x2728, 0x2728}, {0x2733, 0x2734},
	{0x2744, 0x2744}, {0x2747, 0x2747}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2763, 0x2767}, {0x2795, 0x2797}, {0x27A1, 0x27A1}, {0x27B0, 0x27B0},
	{0x27BF, 0x27BF}, {0x2934, 0x2935}, {0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50},
	{0x2B55, 0x2B55}, {0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
	{0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171},
	{0x1F17E, 0x1F17F}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5},
	{0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A}, {0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A},
	{0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA}, {0x1F400, 0x1F53D}, {0x1F546, 0x1F64F},
	{0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F}, {0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F},
	{0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF},
	{0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD},
}
