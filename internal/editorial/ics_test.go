// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// planItems is a small plan touching every rule of the format: escaping,
// folding inside multi-byte characters, states, campaigns.
func planItems() []CalendarItem {
	at := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	changed := time.Date(2026, 11, 20, 17, 4, 5, 0, time.UTC)
	return []CalendarItem{
		{
			Post: Post{ID: "0193a0c0-0000-7000-8000-000000000001", Title: "Chiusura di via Roma; lavori, deviazioni",
				Body:  "Da lunedì 23 via Roma è chiusa.\nUsate C:\\percorsi\\alternativi,\r\nper favore.",
				State: StateScheduled, ScheduledAt: at, UpdatedAt: changed},
			Channels: []CalendarChannel{{AccountName: "Canale Telegram"}, {AccountName: "Mastodon Comune"}, {AccountName: "Canale Telegram", Language: "en"}},
			Campaign: "Cantieri, estate 2026",
		},
		{
			Post: Post{ID: "0193a0c0-0000-7000-8000-000000000002",
				Title: "Città più sicura: è arrivata l'estate e con lei i consigli di Protezione civile per le ondate di calore ☀️🌡️",
				State: StateReview, ScheduledAt: at.Add(26 * time.Hour), CreatedAt: changed},
		},
		{Post: Post{ID: "0193a0c0-0000-7000-8000-000000000003", Title: "Pubblicato", State: StatePublished, ScheduledAt: at.Add(-time.Hour), UpdatedAt: changed}},
		{Post: Post{ID: "0193a0c0-0000-7000-8000-000000000004", Title: "Senza data", State: StateDraft}},
	}
}

func TestWriteICSGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteICS(&b, "Comune di Vallebella, piano", planItems(), "https://piazza.example/o/vallebella/"); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "plan.ics")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("ICS differs from %s (go test ./internal/editorial -run Golden -update):\n%s", golden, b.String())
	}
	checkICS(t, b.String())
	if n := strings.Count(b.String(), "BEGIN:VEVENT"); n != 3 {
		t.Errorf("%d events, want 3 (a post without a time has none)", n)
	}
}

// checkICS checks the framing every calendar must have: CRLF line ends
// only, lines of at most 75 octets, valid UTF-8 on every physical line,
// and name:value content lines once unfolded.
func checkICS(t *testing.T, out string) {
	t.Helper()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("no final CRLF")
	}
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") || strings.Count(out, "\r") != strings.Count(out, "\r\n") {
		t.Fatal("bare CR or LF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Fatalf("line of %d octets or split character: %q", len(l), l)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(unfold(out), "\r\n"), "\r\n") {
		name, _, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " ;,\\") {
			t.Fatalf("not a content line: %q", l)
		}
	}
}

// unescapeText reverses escapeText.
func unescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' || s[i] == 'N' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestEscapeText(t *testing.T) {
	tests := map[string]string{
		"a,b;c\\d\ne":          `a\,b\;c\\d\ne`,
		"riga\r\nriga\rfin":    `riga\nriga\nfin`,
		"bell\x07\x00ok\u0085": "bellok",
		"tab\tok":              "tab\tok",
		"rotto\xff":            "rotto\uFFFD",
	}
	for in, want := range tests {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldLine(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("è", 100)
	out := foldLine(long)
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines[0]) != 74 || !strings.HasPrefix(lines[1], " ") || unfold(out) != long+"\r\n" {
		t.Errorf("folded %q", out)
	}
	if foldLine(strings.Repeat("a", 75)) != strings.Repeat("a", 75)+"\r\n" {
		t.Error("a line of 75 octets was folded")
	}
	// Not UTF-8 at all: cut anyway, never loop.
	bad := strings.Repeat("\x80", 200)
	if got := unfold(foldLine(bad)); got != bad+"\r\n" {
		t.Error("invalid UTF-8 not kept")
	}
}

func FuzzFoldLine(f *testing.F) {
	f.Add(strings.Repeat("è", 100))
	f.Add("SUMMARY:" + strings.Repeat("a", 200))
	f.Add(strings.Repeat("🌡️", 40))
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\r\n") {
			return // content lines never hold line breaks: escapeText removes them
		}
		out := foldLine(s)
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatal("no CRLF")
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 || (utf8.ValidString(s) && !utf8.ValidString(l)) {
				t.Fatalf("line of %d octets or split character: %q", len(l), l)
			}
		}
		if got := unfold(strings.TrimSuffix(out, "\r\n")); got != s {
			t.Fatalf("unfold(fold(x)) = %q, want %q", got, s)
		}
	})
}

// FuzzWriteICS writes a calendar from arbitrary titles, bodies and names:
// the framing always holds and the texts come back unescaped.
func FuzzWriteICS(f *testing.F) {
	f.Add("Chiusura di via Roma", "Riga 1\nRiga 2, con virgola; e punto e virgola \\", "Canale", "Estate")
	f.Add(strings.Repeat("è", 80), "\r\n\r", "", "a,b")
	f.Fuzz(func(t *testing.T, title, body, account, campaign string) {
		it := CalendarItem{Post: Post{ID: "id-1", Title: title, Body: body, State: StateApproved,
			ScheduledAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, Channels: []CalendarChannel{{AccountName: account}}, Campaign: campaign}
		var b bytes.Buffer
		if err := WriteICS(&b, campaign, []CalendarItem{it}, "https://piazza.example"); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		checkICS(t, out)
		if !utf8.ValidString(body) {
			return
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(body)
		want = strings.Map(func(r rune) rune {
			if r != '\t' && r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f)) {
				return -1
			}
			return r
		}, want)
		for _, l := range strings.Split(unfold(out), "\r\n") {
			if v, ok := strings.CutPrefix(l, "DESCRIPTION:"); ok {
				if got := unescapeText(v); got != want {
					t.Fatalf("description %q, want %q", got, want)
				}
				return
			}
		}
		if strings.TrimSpace(body) != "" {
			t.Fatal("description missing")
		}
	})
}
