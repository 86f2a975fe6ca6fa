// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

// The seeds are the files of testdata/fuzz/FuzzParse and
// testdata/fuzz/FuzzParseFeed (valid messages of every shape, CAP 1.1, a
// "Z" time, a DTD entity, Latin-1; Atom, RSS, a bare alert, an HTML page).
// They are kept under a kilobyte: Go minimizes every input that finds new
// coverage, in time quadratic in its length, and mutants of the 5 KB golden
// messages spent a 20-second run minimizing instead of fuzzing. The golden
// and imported documents go through Parse in the unit tests.

// seed reads a file of the Go fuzz corpus format holding one []byte.
func seed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte(")
	text, ok2 := strings.CutSuffix(text, ")\n")
	doc, err := strconv.Unquote(text)
	if !ok || !ok2 || err != nil {
		t.Fatalf("%s is not a corpus file of one []byte: %v", path, err)
	}
	return []byte(doc)
}

// TestFuzzSeeds keeps the seeds meaningful: the valid ones parse, so the
// fuzzer starts from the paths past validation.
func TestFuzzSeeds(t *testing.T) {
	for _, name := range []string{"minimal", "update-restricted", "area"} {
		if _, err := cap.Parse(bytes.NewReader(seed(t, "testdata/fuzz/FuzzParse/"+name))); err != nil {
			t.Errorf("seed %s: %v", name, err)
		}
	}
	entries, err := cap.ParseFeed(bytes.NewReader(seed(t, "testdata/fuzz/FuzzParseFeed/atom")))
	if err != nil || len(entries) != 2 || entries[0].Link != "a.cap" || entries[1].Err == nil {
		t.Errorf("seed atom: %+v, %v", entries, err)
	}
}

var zTime = regexp.MustCompile(`<(sent|effective|onset|expires)>[^<]*Z</`)

// FuzzParse: any input is refused with an error or read as an alert that
// Validate accepts, that Marshal writes without "Z" times, and that reads
// back the same.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := cap.Parse(bytes.NewReader(doc))
		if err != nil {
			if a != nil {
				t.Fatalf("alert returned with error %v", err)
			}
			return
		}
		if err := cap.Validate(a); err != nil {
			t.Fatalf("Parse returned an invalid alert: %v", err)
		}
		out, err := cap.Marshal(a)
		if err != nil {
			t.Fatalf("Marshal of a parsed alert: %v", err)
		}
		if zTime.Match(out) {
			t.Fatalf("a time written with Z:\n%s", out)
		}
		again, err := cap.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse of Marshal output: %v\n%s", err, out)
		}
		sameAlert(t, again, a)
	})
}

// FuzzParseFeed: any input is refused or listed; an embedded alert is valid,
// or refused with a reason.
func FuzzParseFeed(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte) {
		entries, err := cap.ParseFeed(bytes.NewReader(doc))
		if err != nil {
			if entries != nil {
				t.Fatalf("entries returned with error %v", err)
			}
			return
		}
		for i, e := range entries {
			if e.Alert != nil && e.Err != nil {
				t.Fatalf("entry %d has both an alert and an error", i)
			}
			if e.Alert != nil {
				if err := cap.Validate(e.Alert); err != nil {
					t.Fatalf("entry %d: embedded alert invalid: %v", i, err)
				}
			}
		}
	})
}
