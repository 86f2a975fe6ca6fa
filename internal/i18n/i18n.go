// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package i18n holds the interface languages of Piazza and their message
// catalogs. Italian is the default; English is complete too. Catalogs are
// flat JSON maps embedded in the binary ("area.thing" → text), formatted with
// fmt verbs (%s, %d) in the order the caller passes the arguments; a literal
// percent is written %%. Counted messages come in pairs, "key.one" and
// "key.other" (see Catalog.TN). The
// languages of post content are data, not interface text, and live elsewhere.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Lang is an interface language, as a lower-case ISO 639-1 code.
type Lang string

// The interface languages.
const (
	Italian Lang = "it"
	English Lang = "en"
)

// Supported lists the interface languages, the default first.
var Supported = []Lang{Italian, English}

// Name is the language's name in itself, as shown in a language picker.
func (l Lang) Name() string {
	switch l {
	case Italian:
		return "Italiano"
	case English:
		return "English"
	}
	return string(l)
}

// Parse reads a language tag ("it", "it-IT", "en_GB", "EN") and reports
// whether its primary language is supported.
func Parse(s string) (Lang, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	l := Lang(strings.ToLower(s))
	if slices.Contains(Supported, l) {
		return l, true
	}
	return "", false
}

// FromAcceptLanguage picks the supported language the browser prefers from an
// Accept-Language header (RFC 9110, section 12.5.4), Italian when none fits.
// Among equal weights the first listed wins; q=0 means "not this one".
func FromAcceptLanguage(header string) Lang {
	best, bestQ := Italian, 0.0
	for item := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(item, ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				v = 0 // a malformed weight: ignore the entry
			}
			q = v
		}
		if q <= bestQ {
			continue
		}
		var l Lang
		if strings.TrimSpace(tag) == "*" {
			l = Italian
		} else if parsed, ok := Parse(tag); ok {
			l = parsed
		} else {
			continue
		}
		best, bestQ = l, q
	}
	return best
}

//go:embed locales
var localeFS embed.FS

// Catalog holds the messages of every supported language.
type Catalog struct {
	messages map[Lang]map[string]string
	warned   sync.Map // lang + "\x00" + key of missing messages already logged
}

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := load(localeFS)
	if err != nil {
		// The catalogs are our own embedded files and a test parses them,
		// so this cannot happen in a tested build.
		panic(err)
	}
	return c
})

// Default returns the catalogs embedded in the binary, loaded on first use.
func Default() *Catalog { return defaultCatalog() }

// load reads locales/<lang>.json and every locales/<lang>/*.json (one file
// per area, so that work on two areas never edits the same file) for every
// supported language. A key defined twice is an error.
func load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{messages: map[Lang]map[string]string{}}
	for _, l := range Supported {
		names := []string{path.Join("locales", string(l)+".json")}
		more, err := fs.Glob(fsys, path.Join("locales", string(l), "*.json"))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		names = append(names, more...)
		m := map[string]string{}
		for _, name := range names {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q defined twice", name, k)
				}
				m[k] = v
			}
		}
		c.messages[l] = m
	}
	return c, nil
}

// T returns the message for key in lang, formatted with args. An unsupported
// lang falls back to Italian. A missing key comes back as ⟦key⟧, so the gap
// shows on the page, and is logged once.
func (c *Catalog) T(lang Lang, key string, args ...any) string {
	if _, ok := c.messages[lang]; !ok {
		lang = Italian
	}
	msg, ok := c.messages[lang][key]
	if !ok {
		if _, seen := c.warned.LoadOrStore(string(lang)+"\x00"+key, true); !seen {
			slog.Warn("i18n: missing message", "lang", string(lang), "key", key)
		}
		return "⟦" + key + "⟧"
	}
	// Any message holding a % goes through fmt, so a literal percent is
	// written %% everywhere, and a verb without its argument shows as
	// %!d(MISSING) rather than passing unnoticed. A message without verbs
	// may ignore its arguments (a problem's figures, when the sentence
	// says it all): they are not appended as %!(EXTRA …).
	if !strings.Contains(msg, "%") {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// TN is T for a count: it uses key+".one" when n is 1 and key+".other"
// otherwise (the rule of both Italian and English), with n as the first
// argument before args.
func (c *Catalog) TN(lang Lang, key string, n int, args ...any) string {
	suffix := ".other"
	if n == 1 {
		suffix = ".one"
	}
	return c.T(lang, key+suffix, append([]any{n}, args...)...)
}

// Has reports whether lang has a message for key.
func (c *Catalog) Has(lang Lang, key string) bool {
	_, ok := c.messages[lang][key]
	return ok
}

// Keys returns the keys of lang, sorted.
func (c *Catalog) Keys(lang Lang) []string {
	keys := make([]string, 0, len(c.messages[lang]))
	for k := range c.messages[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
