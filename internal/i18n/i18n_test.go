// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package i18n

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"it", Italian, true},
		{"it-IT", Italian, true},
		{"it_CH", Italian, true},
		{"IT", Italian, true},
		{" en ", English, true},
		{"en-GB", English, true},
		{"en-US", English, true},
		{"de", "", false},
		{"", "", false},
		{"-", "", false},
		{"*", "", false},
		{"english", "", false},
		{"ita", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Parse(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   Lang
	}{
		{"", Italian},
		{"it-IT,it;q=0.9,en;q=0.8", Italian},
		{"en-GB,en;q=0.9,it;q=0.8", English},
		{"de-DE,de;q=0.9,en;q=0.5", English},
		{"de, fr", Italian},
		{"fr;q=0.9, en;q=0.2, it;q=0.3", Italian},
		{"it;q=0.2, en;q=0.8", English},
		{"en;q=0", Italian},
		{"en;q=0, *", Italian},
		{"de, *;q=0.5", Italian},
		{"en, it", English}, // equal weights: the first listed
		{"en;q=0.5, it;q=0.5", English},
		{"en;q=abc, it;q=0.1", Italian}, // a malformed weight drops the entry
		{"en;q=2", Italian},
		{"EN-us ; Q=0.7", English},
		{",,;,=;q=", Italian},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := FromAcceptLanguage(tt.header); got != tt.want {
				t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "it-IT,it;q=0.9,en;q=0.8", "en;q=0, *", "de;q=1.0e0", ";;,,q=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		l := FromAcceptLanguage(header)
		if !slices.Contains(Supported, l) {
			t.Fatalf("FromAcceptLanguage(%q) = %q, not supported", header, l)
		}
		if p, ok := Parse(header); ok && !slices.Contains(Supported, p) {
			t.Fatalf("Parse(%q) = %q, not supported", header, p)
		}
	})
}

func TestLangName(t *testing.T) {
	for _, l := range Supported {
		if l.Name() == "" || l.Name() == string(l) {
			t.Errorf("%q has no name", l)
		}
	}
	if Lang("xx").Name() != "xx" {
		t.Error("unknown language should name itself by its code")
	}
}

// TestCatalogFiles checks the embedded JSON itself: valid, no duplicate key
// (which encoding/json would silently collapse), no empty message.
func TestCatalogFiles(t *testing.T) {
	for _, l := range Supported {
		name := "locales/" + string(l) + ".json"
		data, err := fs.ReadFile(localeFS, name)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("%s: want a JSON object, got %v %v", name, tok, err)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			key := tok.(string)
			var msg string
			if err := dec.Decode(&msg); err != nil {
				t.Fatalf("%s: %s: want a string: %v", name, key, err)
			}
			if seen[key] {
				t.Errorf("%s: duplicate key %s", name, key)
			}
			seen[key] = true
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %s is empty", name, key)
			}
			if !keyPattern.MatchString(key) {
				t.Errorf("%s: key %q should be lower-case words separated by dots", name, key)
			}
		}
		if _, err := dec.Token(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if dec.More() {
			t.Errorf("%s: data after the object", name)
		}
	}
}

var keyPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// TestCatalogsMatch fails on a key missing from a language or a message whose
// fmt verbs differ between languages: arguments are positional, so both the
// kinds and the order must agree.
func TestCatalogsMatch(t *testing.T) {
	c := Default()
	base := c.Keys(Italian)
	if len(base) == 0 {
		t.Fatal("the Italian catalog is empty")
	}
	for _, l := range Supported[1:] {
		for _, key := range base {
			if !c.Has(l, key) {
				t.Errorf("%s: missing %s (present in %s)", l, key, Italian)
			}
		}
		for _, key := range c.Keys(l) {
			if !c.Has(Italian, key) {
				t.Errorf("%s: missing %s (present in %s)", Italian, key, l)
			}
		}
	}
	for _, key := range base {
		want := verbs(c.messages[Italian][key])
		for _, l := range Supported[1:] {
			msg, ok := c.messages[l][key]
			if !ok {
				continue
			}
			if got := verbs(msg); !slices.Equal(got, want) {
				t.Errorf("%s: %s has verbs %v, %s has %v", key, l, got, Italian, want)
			}
		}
	}
}

// TestPluralPairs: a key with .one needs .other and the same verbs, since TN
// passes the count to either.
func TestPluralPairs(t *testing.T) {
	c := Default()
	for _, l := range Supported {
		for _, key := range c.Keys(l) {
			stem, ok := strings.CutSuffix(key, ".one")
			if !ok {
				continue
			}
			other := stem + ".other"
			if !c.Has(l, other) {
				t.Errorf("%s: %s has no %s", l, key, other)
				continue
			}
			if a, b := verbs(c.messages[l][key]), verbs(c.messages[l][other]); !slices.Equal(a, b) {
				t.Errorf("%s: %s has verbs %v, %s has %v", l, key, a, other, b)
			}
		}
	}
}

var verbPattern = regexp.MustCompile(`%[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[a-zA-Z%]`)

// verbs lists the fmt verbs of a message in order, without %%.
func verbs(msg string) []string {
	var out []string
	indexed := false
	for _, v := range verbPattern.FindAllString(msg, -1) {
		if v != "%%" {
			out = append(out, v)
			indexed = indexed || strings.Contains(v, "[")
		}
	}
	// Indexed verbs (%[2]d) may come in another order in another language:
	// that is what the index is for. The set must still be the same.
	if indexed {
		slices.Sort(out)
	}
	return out
}

func TestT(t *testing.T) {
	c, err := load(fstest.MapFS{
		"locales/it.json": {Data: []byte(`{"a.hello": "Ciao, %s", "a.plain": "100%% facile", "a.count.one": "%d file", "a.count.other": "%d file in %s"}`)},
		"locales/en.json": {Data: []byte(`{"a.hello": "Hello, %s", "a.plain": "100%% easy", "a.count.one": "%d file", "a.count.other": "%d files in %s"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"italian", c.T(Italian, "a.hello", "Anna"), "Ciao, Anna"},
		{"english", c.T(English, "a.hello", "Anna"), "Hello, Anna"},
		{"unknown language falls back to Italian", c.T("de", "a.hello", "Anna"), "Ciao, Anna"},
		{"a literal percent is written %%", c.T(Italian, "a.plain"), "100% facile"},
		{"missing key", c.T(English, "a.nope"), "⟦a.nope⟧"},
		{"plural one", c.TN(English, "a.count", 1), "1 file"},
		{"plural other", c.TN(English, "a.count", 3, "docs"), "3 files in docs"},
		{"plural zero", c.TN(English, "a.count", 0, "docs"), "0 files in docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if c.Has(Italian, "a.nope") || !c.Has(English, "a.hello") {
		t.Error("Has disagrees with the catalog")
	}
	if got := c.Keys(English); !slices.IsSorted(got) || len(got) != 4 {
		t.Errorf("Keys = %v", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"missing file": {"locales/it.json": {Data: []byte(`{}`)}},
		"bad json":     {"locales/it.json": {Data: []byte(`{`)}, "locales/en.json": {Data: []byte(`{}`)}},
		"not strings":  {"locales/it.json": {Data: []byte(`{"a.b": 1}`)}, "locales/en.json": {Data: []byte(`{}`)}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := load(fsys); err == nil {
				t.Error("load succeeded")
			}
		})
	}
}

var explicitIndex = regexp.MustCompile(`%\[([1-9])\]([a-z])`)

// TestDefaultFormats runs every embedded message through T with made-up
// arguments of the right kinds: a broken verb shows up as %!.
func TestDefaultFormats(t *testing.T) {
	c := Default()
	for _, l := range Supported {
		for _, key := range c.Keys(l) {
			var args []any
			// Explicit indexes (%[2]d) reorder arguments: give as many as
			// the highest index, all numbers (our indexed messages are).
			if m := explicitIndex.FindAllStringSubmatch(c.messages[l][key], -1); m != nil {
				kinds := map[int]byte{}
				n := 0
				for _, x := range m {
					i := int(x[1][0] - '0')
					kinds[i] = x[2][0]
					n = max(n, i)
				}
				for i := 1; i <= n; i++ {
					if kinds[i] == 's' {
						args = append(args, "x")
					} else {
						args = append(args, 3)
					}
				}
			}
			for _, v := range verbs(c.messages[l][key]) {
				if args != nil && explicitIndex.MatchString(c.messages[l][key]) {
					break
				}
				switch v[len(v)-1] {
				case 'd':
					args = append(args, 3)
				default:
					args = append(args, "x")
				}
			}
			if got := c.T(l, key, args...); strings.Contains(got, "%!") {
				t.Errorf("%s: %s formats as %q", l, key, got)
			}
		}
	}
}
