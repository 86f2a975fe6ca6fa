// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Facet is an app.bsky.richtext.facet: a feature (link, mention, tag) of
// the bytes [ByteStart, ByteEnd) of the text.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/richtext/facet.json
type Facet struct {
	Index    ByteSlice `json:"index"`
	Features []Feature `json:"features"`
}

// ByteSlice is a facet's range in UTF-8 bytes, start inclusive, end
// exclusive.
type ByteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// Feature is one of the facet's features; Type says which field is set.
type Feature struct {
	Type string `json:"$type"`
	DID  string `json:"did,omitempty"`
	URI  string `json:"uri,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// The feature types.
const (
	FeatureMention = "app.bsky.richtext.facet#mention"
	FeatureLink    = "app.bsky.richtext.facet#link"
	FeatureTag     = "app.bsky.richtext.facet#tag"
)

// Tag limits of the facet lexicon: "maxLength": 640, "maxGraphemes": 64.
const (
	maxTagBytes     = 640
	maxTagGraphemes = 64
)

// jsSpace is JavaScript's \s: the official detection is written with
// JavaScript regular expressions, and Go's \s is ASCII only.
const jsSpace = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// The detection rules of the Bluesky app (packages/api/src/rich-text in
// bluesky-social/atproto):
//   - a mention is @ and a handle, after the start, a space or '(';
//   - a link is http(s):// and everything up to a space, after the
//     start, a space or '('; one trailing . , ; : ! ? is left out, and a
//     trailing ')' when the link has no '('. The app also links bare
//     domains it recognises from the list of top-level domains; Piazza
//     links only those that start with "www.", which need no such list;
//   - a hashtag is # (or the fullwidth ＃) after the start or a space,
//     then anything up to a space, with at least one character that is
//     neither a digit nor punctuation, without its trailing punctuation,
//     at most 64 graphemes. The app's cashtags ($ABC) are not detected.
//
// Specs: https://docs.bsky.app/docs/advanced-guides/post-richtext
var (
	mentionRe = regexp.MustCompile(`(?:^|[` + jsSpace + `(])(@)([a-zA-Z0-9.-]+)\b`)
	linkRe    = regexp.MustCompile(`(?i)(?:^|[` + jsSpace + `(])((?:https?://[^` + jsSpace + `]+)|(?:www\.[a-z][a-z0-9]*(?:\.[a-z0-9]+)+[^` + jsSpace + `]*))`)
	// handleRe is the handle syntax.
	//
	// Specs: https://atproto.com/specs/handle
	handleRe = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
)

// span is a detected facet before mentions are resolved.
type span struct {
	start, end int
	kind       string // one of the Feature types
	value      string // the handle (mention), URI (link) or tag
}

// MentionHandles returns the handles mentioned in text, lower-cased,
// without '@', each once, in order: the ones to resolve into DIDs.
func MentionHandles(text string) []string {
	var out []string
	for _, s := range detect(text) {
		if s.kind == FeatureMention && !slices.Contains(out, s.value) {
			out = append(out, s.value)
		}
	}
	return out
}

// Facets returns the facets of text, ordered by position and never
// overlapping. resolve turns a handle (lower-cased, without '@') into its
// DID; a mention whose handle resolves to "" gets no facet and stays
// plain text. A nil resolve drops every mention.
func Facets(text string, resolve func(handle string) string) []Facet {
	var out []Facet
	for _, s := range detect(text) {
		f := Feature{Type: s.kind}
		switch s.kind {
		case FeatureMention:
			if resolve == nil {
				continue
			}
			if f.DID = resolve(s.value); !strings.HasPrefix(f.DID, "did:") {
				continue
			}
		case FeatureLink:
			f.URI = s.value
		case FeatureTag:
			f.Tag = s.value
		}
		out = append(out, Facet{Index: ByteSlice{ByteStart: s.start, ByteEnd: s.end}, Features: []Feature{f}})
	}
	return out
}

// detect finds every span, drops those overlapping an earlier one and
// returns them by position.
func detect(text string) []span {
	var all []span
	all = append(all, links(text)...)
	all = append(all, mentions(text)...)
	all = append(all, tags(text)...)
	slices.SortStableFunc(all, func(a, b span) int { return a.start - b.start })
	out := all[:0]
	end := 0
	for _, s := range all {
		if s.start < end {
			continue
		}
		out = append(out, s)
		end = s.end
	}
	return out
}

func mentions(text string) []span {
	var out []span
	for _, m := range mentionRe.FindAllStringSubmatchIndex(text, -1) {
		handle := text[m[4]:m[5]]
		if len(handle) > 253 || !handleRe.MatchString(handle) {
			continue // probably not a handle
		}
		out = append(out, span{start: m[2], end: m[5], kind: FeatureMention, value: strings.ToLower(handle)})
	}
	return out
}

func links(text string) []span {
	var out []span
	for _, m := range linkRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		if strings.ContainsAny(text[end-1:end], ".,;:!?") {
			end--
		}
		if text[end-1] == ')' && !strings.Contains(text[start:end], "(") {
			end--
		}
		uri := text[start:end]
		if !strings.HasPrefix(strings.ToLower(uri), "http") {
			uri = "https://" + uri
		}
		if end > start {
			out = append(out, span{start: start, end: end, kind: FeatureLink, value: uri})
		}
	}
	return out
}

// tagStop are the characters that end a hashtag besides spaces: soft
// hyphen, word joiner, hair space, zero-width spaces and joiners, the
// combining enclosing keycap.
func tagStop(r rune) bool {
	return isJSSpace(r) || r == 0x00AD || r == 0x2060 || r == 0x200A || r == 0x200B ||
		r == 0x200C || r == 0x200D || r == 0x20E2
}

// isJSSpace is JavaScript's \s.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func tags(text string) []span {
	var out []span
	prevSpace := true // the start of the text counts as a space
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if (r != '#' && r != '＃') || !prevSpace {
			prevSpace = isJSSpace(r)
			i += size
			continue
		}
		hashEnd := i + size
		j := hashEnd
		ok := false // a character that is neither digit, space nor punctuation
		for j < len(text) {
			c, n := utf8.DecodeRuneInString(text[j:])
			if tagStop(c) || (j == hashEnd && c == 0xFE0F) {
				break
			}
			if (c < '0' || c > '9') && !unicode.IsPunct(c) {
				ok = true
			}
			j += n
		}
		prevSpace = false
		if !ok {
			i = hashEnd
			continue
		}
		tag := strings.TrimRightFunc(text[hashEnd:j], unicode.IsPunct)
		if tag != "" && len(tag) <= maxTagBytes && uniseg.GraphemeClusterCount(tag) <= maxTagGraphemes {
			out = append(out, span{start: i, end: hashEnd + len(tag), kind: FeatureTag, value: tag})
		}
		i = j
	}
	return out
}
