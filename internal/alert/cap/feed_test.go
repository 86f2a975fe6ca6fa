// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

func parseFeedFile(t *testing.T, path string) []cap.FeedEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := cap.ParseFeed(f)
	if err != nil {
		t.Fatalf("ParseFeed %s: %v", path, err)
	}
	return entries
}

type entryWant struct {
	id, title, updated, link string
	alert                    string // identifier of the embedded alert
	err                      string // part of the embedded alert's error
}

func checkEntries(t *testing.T, got []cap.FeedEntry, want []entryWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		updated := ""
		if !g.Updated.IsZero() {
			updated = g.Updated.UTC().Format("2006-01-02T15:04:05Z")
		}
		if g.ID != w.id || g.Title != w.title || updated != w.updated || g.Link != w.link {
			t.Errorf("entry %d = {%q %q %s %q}, want {%q %q %s %q}", i, g.ID, g.Title, updated, g.Link, w.id, w.title, w.updated, w.link)
		}
		switch {
		case w.alert != "":
			if g.Alert == nil || g.Alert.Identifier != w.alert || g.Err != nil {
				t.Errorf("entry %d: alert %+v, err %v, want %s", i, g.Alert, g.Err, w.alert)
			}
		case w.err != "":
			if g.Alert != nil || g.Err == nil || !strings.Contains(g.Err.Error(), w.err) {
				t.Errorf("entry %d: alert %+v, err %v, want an error with %q", i, g.Alert, g.Err, w.err)
			}
		default:
			if g.Alert != nil || g.Err != nil {
				t.Errorf("entry %d: alert %+v, err %v, want neither", i, g.Alert, g.Err)
			}
		}
	}
}

func TestParseFeedAtom(t *testing.T) {
	checkEntries(t, parseFeedFile(t, "testdata/import/atom-index.xml"), []entryWant{
		{id: "urn:uuid:7b1c7a52-2f0e-4a44-9d5e-0d3c1a6f0a02", title: "Allerta arancione per vento: raffiche oltre 130 km/h a Trieste",
			updated: "2026-02-10T13:00:00Z", link: "https://protezionecivile.regione.example/allerte/2026-0210-vento-02.cap"},
		{id: "urn:uuid:7b1c7a52-2f0e-4a44-9d5e-0d3c1a6f0a01", title: "Allerta gialla per vento forte sulla costa e sul Carso",
			updated: "2026-02-10T04:45:00Z", link: "/allerte/2026-0210-vento-01.cap"},
		{id: "urn:uuid:7b1c7a52-2f0e-4a44-9d5e-0d3c1a6f0a03", title: "Test di sistema",
			updated: "2026-02-10T13:00:00Z", alert: "PCFVG-2026-0210-TEST"},
		{id: "urn:uuid:7b1c7a52-2f0e-4a44-9d5e-0d3c1a6f0a04", title: "Messaggio non conforme",
			updated: "2026-02-10T13:05:00Z", link: "https://protezionecivile.regione.example/allerte/2026-0210-04.cap",
			err: `info[0].severity: "Arancione" is not one of`},
	})
}

func TestParseFeedRSS(t *testing.T) {
	checkEntries(t, parseFeedFile(t, "testdata/import/rss-index.xml"), []entryWant{
		{id: "PCFVG-2026-0210-VENTO-01", title: "Allerta gialla per vento forte sulla costa e sul Carso",
			updated: "2026-02-10T04:45:00Z", link: "https://protezionecivile.regione.example/allerte/2026-0210-vento-01.cap"},
		{id: "https://protezionecivile.regione.example/allerte/2026-0210-vento-02.cap", title: "Allerta arancione per vento",
			updated: "2026-02-10T13:00:00Z", link: "https://protezionecivile.regione.example/allerte/2026-0210-vento-02.cap"},
		{id: "https://protezionecivile.regione.example/allerte/2026-0210-vento-03.cap", title: "Senza data leggibile",
			updated: "2026-02-10T14:00:00Z", link: "https://protezionecivile.regione.example/allerte/2026-0210-vento-03.cap"},
	})
}

// TestParseFeedBareCAP: a feed URL that serves one CAP message directly is
// read as a feed of one embedded alert.
func TestParseFeedBareCAP(t *testing.T) {
	entries := parseFeedFile(t, "testdata/import/cap11-regione-vento.xml")
	checkEntries(t, entries, []entryWant{{id: "PCFVG-2026-0210-VENTO-01", title: "Allerta gialla per vento forte sulla costa e sul Carso",
		updated: "2026-02-10T04:45:00Z", alert: "PCFVG-2026-0210-VENTO-01"}})
	if entries[0].Alert.Info[0].Area[0].AreaDesc != "Zona di allerta D: costa triestina e Carso" {
		t.Errorf("embedded alert = %+v", entries[0].Alert)
	}
}

func TestParseFeedRejects(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty", "", "empty document"},
		{"HTML page", "<html><body>Manutenzione</body></html>", "root element <html> is neither an Atom feed, an RSS 2.0 feed nor a CAP alert"},
		{"Atom 0.3", `<feed xmlns="http://purl.org/atom/ns#"></feed>`, "is not Atom 1.0"},
		{"broken RSS", `<rss><channel><item><title>x</item></channel></rss>`, "cap: feed"},
		{"invalid bare CAP", strings.Replace(minimal, "<status>Actual</status>", "<status>Real</status>", 1), `status: "Real" is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := cap.ParseFeed(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFeed = %+v, %v; want an error with %q", entries, err, tt.want)
			}
		})
	}
	_, err := cap.ParseFeed(strings.NewReader(strings.Replace(minimal, "<status>Actual</status>", "<status>Real</status>", 1)))
	if !errors.Is(err, cap.ErrInvalid) {
		t.Errorf("invalid bare CAP: %v, want ErrInvalid", err)
	}
}
