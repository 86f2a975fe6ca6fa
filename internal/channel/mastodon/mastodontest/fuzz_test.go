// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodontest

import (
	"bytes"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// FuzzParams feeds request bodies to the parameter parser, which reads
// what any client sends.
func FuzzParams(f *testing.F) {
	f.Add("application/json", `{"status":"x","media_ids":["1",2],"media_attributes":[{"id":1,"description":"d"}]}`)
	f.Add("application/x-www-form-urlencoded", "status=x&media_ids[]=1&media_attributes[][id]=1&media_attributes[0][description]=d")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nx\r\n--b--\r\n")
	f.Add("application/json", `{"media_attributes":null,"status":null}`)
	f.Fuzz(func(t *testing.T, ctype, body string) {
		r := httptest.NewRequest("POST", "/api/v1/statuses", bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", ctype)
		p, err := parseParams(r)
		if err != nil {
			return
		}
		_, _ = p.str("status")
		_ = p.list("media_ids")
		_ = p.has("media_ids")
	})
}

// ourTags are the only tags contentHTML writes.
var ourTags = regexp.MustCompile(`</?p>|<br />|<a href="[^"<>]*" target="_blank" rel="nofollow noopener" translate="no">|</a>`)

// FuzzContentHTML checks that a status's HTML holds no markup from its
// text: every '<' is one of the fake's own tags.
func FuzzContentHTML(f *testing.F) {
	for _, s := range []string{"ciao", "<script>alert(1)</script>", "a\n\nb\nc https://x.it/<b>", "\"'&<>", "https://x.it/a\"onclick=\"x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := contentHTML(text)
		if rest := ourTags.ReplaceAllString(out, ""); strings.ContainsAny(rest, "<>") {
			t.Fatalf("raw markup in %q from %q", out, text)
		}
	})
}
