// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseError is the Bot API's refusal of a parse_mode=HTML text. Its
// message follows tdlib's parse_html ("Unsupported start tag \"x\" at
// byte offset 3"); the answer is "Bad Request: can't parse entities: "
// followed by it.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return "can't parse entities: " + e.Msg }

// tags are the supported tags of the HTML style.
var tags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true, "del": true,
	"u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "tg-time": true, "span": true,
	"pre": true, "code": true, "blockquote": true,
}

// ParseHTML returns the plain text of an HTML-style message, as the Bot API
// parses it: only the supported tags, the entities &lt; &gt; &amp; &quot;
// and numeric ones; an '&' that starts no entity is kept as it is, a '<'
// must start a tag. It is a port of parse_html in tdlib's
// td/telegram/MessageEntity.cpp, byte for byte where it matters for the
// errors; the entities themselves are not kept.
//
// Specs: https://core.telegram.org/bots/api#html-style
func ParseHTML(s string) (string, error) {
	// at reads like tdlib's NUL-terminated buffer.
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	type open struct {
		tag, arg string
		start    int // byte offset of its content in out
	}
	var (
		out       strings.Builder
		nested    []open
		surrogate bool
	)
	out.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '&' {
			if code, next := decodeEntity(s, i); code != 0 {
				if code >= 0xd800 && code <= 0xdfff {
					surrogate = true
				}
				out.WriteRune(rune(code))
				i = next - 1
				continue
			}
		}
		if c != '<' {
			out.WriteByte(c)
			continue
		}
		begin := i
		i++
		if at(i) != '/' {
			for !isSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", &ParseError{fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
			}
			tag := strings.ToLower(s[begin+1 : i])
			if !tags[tag] {
				return "", &ParseError{fmt.Sprintf("Unsupported start tag %q at byte offset %d", tag, begin)}
			}
			arg := ""
			for at(i) != '>' {
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				nameStart := i
				for c := at(i); !isSpace(c) && c != '=' && c != '>' && c != '/' && c != '"' && c != '\''; c = at(i) {
					i++
				}
				name := s[nameStart:i]
				if name == "" {
					return "", &ParseError{fmt.Sprintf("Empty attribute name in the tag %q at byte offset %d", tag, begin)}
				}
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) != '=' {
					if at(i) == 0 {
						return "", &ParseError{fmt.Sprintf("Unclosed start tag %q at byte offset %d", tag, begin)}
					}
					if tag == "blockquote" && name == "expandable" {
						arg = "1"
					}
					continue
				}
				i++
				for at(i) != 0 && isSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", &ParseError{fmt.Sprintf("Unclosed start tag %q at byte offset %d", tag, begin)}
				}
				var value string
				if q := at(i); q != '\'' && q != '"' {
					// A name token: letters, digits, periods, hyphens.
					tokenStart := i
					for c := at(i); isAlnum(c) || c == '.' || c == '-'; c = at(i) {
						i++
					}
					value = strings.ToLower(s[tokenStart:i])
					if !isSpace(at(i)) && at(i) != '>' {
						return "", &ParseError{fmt.Sprintf("Unexpected end of name token at byte offset %d", tokenStart)}
					}
				} else {
					i++
					var v strings.Builder
					for at(i) != q && at(i) != 0 {
						if at(i) == '&' {
							if code, next := decodeEntity(s, i); code != 0 {
								v.WriteRune(rune(code))
								i = next
								continue
							}
						}
						v.WriteByte(at(i))
						i++
					}
					if at(i) == q {
						i++
					}
					value = v.String()
				}
				if at(i) == 0 {
					return "", &ParseError{fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
				}
				switch {
				case tag == "a" && name == "href", tag == "tg-emoji" && name == "emoji-id":
					arg = value
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[3:]
				case tag == "blockquote" && name == "expandable":
					arg = "1"
				}
			}
			if tag == "span" && arg != "spoiler" {
				return "", &ParseError{fmt.Sprintf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)}
			}
			nested = append(nested, open{tag: tag, arg: arg, start: out.Len()})
			continue
		}
		// An end tag.
		if len(nested) == 0 {
			return "", &ParseError{fmt.Sprintf("Unexpected end tag at byte offset %d", begin)}
		}
		for !isSpace(at(i)) && at(i) != '>' {
			i++
		}
		end := strings.ToLower(s[begin+2 : i])
		for isSpace(at(i)) && at(i) != 0 {
			i++
		}
		if at(i) != '>' {
			return "", &ParseError{fmt.Sprintf("Unclosed end tag at byte offset %d", begin)}
		}
		top := nested[len(nested)-1]
		if end != "" && end != top.tag {
			return "", &ParseError{fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"",
				begin, top.tag, end)}
		}
		if top.tag == "tg-emoji" && out.Len() > top.start {
			if id, err := strconv.ParseInt(top.arg, 10, 64); err != nil || id == 0 {
				return "", &ParseError{"Invalid custom emoji identifier specified"}
			}
		}
		nested = nested[:len(nested)-1]
	}
	if len(nested) > 0 {
		return "", &ParseError{fmt.Sprintf("Can't find end tag corresponding to start tag %q", nested[len(nested)-1].tag)}
	}
	if surrogate {
		// tdlib writes the lone surrogate out as it is, then finds the
		// text is not UTF-8 (even a pair of them is not).
		return "", &ParseError{"Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"}
	}
	return out.String(), nil
}

// decodeEntity decodes the HTML entity at s[i] ('&'), returning its code
// point and where the text goes on, or 0 when it is none the Bot API
// knows (tdlib's decode_html_entity).
func decodeEntity(s string, i int) (code uint32, next int) {
	at := func(j int) byte {
		if j < len(s) {
			return s[j]
		}
		return 0
	}
	end := i + 1
	if at(i+1) == '#' {
		end++
		var v uint64
		if at(i+2) == 'x' {
			end++
			for isHex(at(end)) {
				v = v*16 + uint64(hexVal(at(end)))
				end++
				v = min(v, 1<<32)
			}
		} else {
			for isDigit(at(end)) {
				v = v*10 + uint64(at(end)-'0')
				end++
				v = min(v, 1<<32)
			}
		}
		if v == 0 || v >= 0x10ffff || end-i >= 10 {
			return 0, i
		}
		code = uint32(v)
	} else {
		for isAlpha(at(end)) {
			end++
		}
		switch s[i+1 : end] {
		case "lt":
			code = '<'
		case "gt":
			code = '>'
		case "amp":
			code = '&'
		case "quot":
			code = '"'
		default:
			return 0, i
		}
	}
	if at(end) == ';' {
		end++
	}
	return code, end
}

// Character classes of tdlib (td/utils/misc.h): NUL is a space, as at the
// end of its buffers.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\v'
}
func isAlpha(c byte) bool { c |= 0x20; return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isHex(c byte) bool   { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }
func hexVal(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// Normalize is what Telegram does to a text before it stores and counts
// it (tdlib's clean_input_string and fix_formatted_text): control
// characters become spaces, '\r' and the marks U+2028..U+202E, U+030A,
// U+0333, U+033F are dropped, spaces and newlines are trimmed at both
// ends.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
		case r < ' ' && r != '\n':
			b.WriteByte(' ')
		case r >= 0x2028 && r <= 0x202E:
		case r == 0x030A || r == 0x0333 || r == 0x033F:
		default:
			b.WriteRune(r)
		}
	}
	return strings.Trim(b.String(), " \n")
}

// Length is how the Bot API measures a normalized text against its
// limits: in Unicode code points (utf8_length in tdlib's
// td/telegram/MessageContent.cpp), not bytes nor UTF-16 units.
func Length(s string) int { return utf8.RuneCountInString(s) }
