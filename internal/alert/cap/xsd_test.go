// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

// schemaPath is the official OASIS schema of CAP 1.2; testdata/README.md says
// where the copy comes from.
const schemaPath = "testdata/CAP-v1.2.xsd"

// xmllint returns the path of xmllint (Debian package libxml2-utils). A
// developer without it skips the schema tests; CI (CI set) must have it.
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err == nil {
		return path
	}
	if _, ci := os.LookupEnv("CI"); ci {
		t.Fatalf("xmllint is needed in CI to check CAP against %s (apt-get install libxml2-utils): %v", schemaPath, err)
	}
	t.Skip("xmllint not installed (apt-get install libxml2-utils); CAP schema not checked")
	return ""
}

// validateSchema runs xmllint on doc and returns its verdict and output.
func validateSchema(t *testing.T, bin string, doc []byte) (bool, string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "alert.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", schemaPath, f).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run xmllint: %v", err)
	}
	return err == nil, string(out)
}

// TestMarshalValidatesAgainstXSD checks every sample, and what Marshal
// writes for the imported messages, with the official schema.
func TestMarshalValidatesAgainstXSD(t *testing.T) {
	bin := xmllint(t)
	docs := map[string][]byte{}
	for _, s := range samples {
		out, err := cap.Marshal(s.alert(t))
		if err != nil {
			t.Fatal(err)
		}
		docs[s.name] = out
	}
	imported, _ := filepath.Glob("testdata/import/cap*.xml")
	for _, path := range imported {
		a := parseFile(t, path)
		out, err := cap.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		docs[path] = out
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if ok, out := validateSchema(t, bin, doc); !ok {
				t.Errorf("xmllint rejects the document:\n%s\n%s", out, doc)
			}
		})
	}
}

// TestXSDRejects proves the schema check has teeth: documents breaking the
// rules Marshal must keep are refused by xmllint.
func TestXSDRejects(t *testing.T) {
	bin := xmllint(t)
	good, err := cap.Marshal(boraUpdate(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, old, new string }{
		{"Z time", "<sent>2026-02-10T13:15:00+01:00</sent>", "<sent>2026-02-10T12:15:00Z</sent>"},
		{"fraction of a second", "<sent>2026-02-10T13:15:00+01:00</sent>", "<sent>2026-02-10T13:15:00.5+01:00</sent>"},
		{"element order", "<status>Actual</status>\n  <msgType>Update</msgType>", "<msgType>Update</msgType>\n  <status>Actual</status>"},
		{"required element", "<scope>Public</scope>", ""},
		{"enumeration", "<certainty>Observed</certainty>", "<certainty>Certain</certainty>"},
		{"info order", "<urgency>Immediate</urgency>\n    <severity>Severe</severity>", "<severity>Severe</severity>\n    <urgency>Immediate</urgency>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := bytes.Replace(good, []byte(tt.old), []byte(tt.new), 1)
			if bytes.Equal(doc, good) {
				t.Fatalf("%q not found in:\n%s", tt.old, good)
			}
			if ok, out := validateSchema(t, bin, doc); ok || !strings.Contains(out, "fails to validate") {
				t.Errorf("xmllint accepts the broken document:\n%s", out)
			}
		})
	}
}
