// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

// The structure of CAP 1.2, written out again from the sequences of
// testdata/CAP-v1.2.xsd rather than taken from the package, so the test
// checks Marshal against the standard and not against itself.
var (
	// schemaOrder lists the children of each complex element in order.
	schemaOrder = map[string][]string{
		"alert": {"identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction",
			"addresses", "code", "note", "references", "incidents", "info"},
		"info": {"language", "category", "event", "responseType", "urgency", "severity", "certainty",
			"audience", "eventCode", "effective", "onset", "expires", "senderName", "headline",
			"description", "instruction", "web", "contact", "parameter", "resource", "area"},
		"eventCode": {"valueName", "value"},
		"parameter": {"valueName", "value"},
		"geocode":   {"valueName", "value"},
		"resource":  {"resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"},
		"area":      {"areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"},
	}
	// schemaRequired lists the children with minOccurs 1.
	schemaRequired = map[string][]string{
		"alert":     {"identifier", "sender", "sent", "status", "msgType", "scope"},
		"info":      {"category", "event", "urgency", "severity", "certainty"},
		"eventCode": {"valueName", "value"},
		"parameter": {"valueName", "value"},
		"geocode":   {"valueName", "value"},
		"resource":  {"resourceDesc", "mimeType"},
		"area":      {"areaDesc"},
	}
	// schemaRepeatable lists the elements with maxOccurs unbounded.
	schemaRepeatable = []string{"code", "info", "category", "responseType", "eventCode", "parameter",
		"resource", "area", "polygon", "circle", "geocode"}
	// schemaEnums are the enumerations of the schema's simple types.
	schemaEnums = map[string][]string{
		"status":       {"Actual", "Exercise", "System", "Test", "Draft"},
		"msgType":      {"Alert", "Update", "Cancel", "Ack", "Error"},
		"scope":        {"Public", "Restricted", "Private"},
		"category":     {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"},
		"responseType": {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"},
		"urgency":      {"Immediate", "Expected", "Future", "Past", "Unknown"},
		"severity":     {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
		"certainty":    {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
	}
	// schemaTime is the pattern of the schema's dateTime elements.
	schemaTime     = regexp.MustCompile(`^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)
	schemaTimeElts = []string{"sent", "effective", "onset", "expires"}
)

// checkStructure walks a CAP 1.2 document and lists where it departs from
// the schema: namespace, element order, repetition, required children,
// enumerations and time format.
func checkStructure(doc []byte) []string {
	type frame struct {
		name  string
		pos   int // index in schemaOrder of the last child seen, -1 before the first
		seen  map[string]int
		text  strings.Builder
		child bool
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var stack []*frame
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(problems, err.Error())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			if tok.Name.Space != cap.Namespace {
				bad("<%s> in namespace %q", name, tok.Name.Space)
			}
			if len(stack) == 0 {
				if name != "alert" {
					bad("root is <%s>", name)
				}
			} else {
				parent := stack[len(stack)-1]
				parent.child = true
				order, ok := schemaOrder[parent.name]
				i := slices.Index(order, name)
				switch {
				case !ok:
					bad("<%s> inside the simple element <%s>", name, parent.name)
				case i < 0:
					bad("<%s> is not a child of <%s>", name, parent.name)
				case i < parent.pos:
					bad("<%s> after <%s> in <%s>", name, order[parent.pos], parent.name)
				case i == parent.pos && !slices.Contains(schemaRepeatable, name):
					bad("<%s> repeated in <%s>", name, parent.name)
				}
				if i > parent.pos {
					parent.pos = i
				}
				parent.seen[name]++
			}
			stack = append(stack, &frame{name: name, pos: -1, seen: map[string]int{}})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, req := range schemaRequired[f.name] {
				if f.seen[req] == 0 {
					bad("<%s> without <%s>", f.name, req)
				}
			}
			text := f.text.String()
			if values, ok := schemaEnums[f.name]; ok && (len(stack) == 0 || stack[len(stack)-1].name != "resource") {
				if !slices.Contains(values, text) {
					bad("<%s> %q is not in the enumeration", f.name, text)
				}
			}
			if slices.Contains(schemaTimeElts, f.name) && !schemaTime.MatchString(text) {
				bad("<%s> %q does not match the dateTime pattern", f.name, text)
			}
			if _, complexElt := schemaOrder[f.name]; !complexElt && f.child {
				bad("<%s> has child elements", f.name)
			}
		}
	}
	return problems
}

func TestMarshalFollowsSchemaStructure(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			out, err := cap.Marshal(s.alert(t))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n")) {
				t.Errorf("no XML declaration: %.60s", out)
			}
			for _, p := range checkStructure(out) {
				t.Error(p)
			}
		})
	}
}

// TestCheckStructureCatches proves the checker is not vacuous: each broken
// document is reported.
func TestCheckStructureCatches(t *testing.T) {
	good, err := cap.Marshal(exercise(t))
	if err != nil {
		t.Fatal(err)
	}
	if p := checkStructure(good); len(p) > 0 {
		t.Fatalf("good document reported: %q", p)
	}
	tests := []struct{ name, old, new, want string }{
		{"swapped", "<status>Exercise</status>\n  <msgType>Alert</msgType>", "<msgType>Alert</msgType>\n  <status>Exercise</status>", "<status> after <msgType>"},
		{"repeated", "<scope>Restricted</scope>", "<scope>Restricted</scope><scope>Public</scope>", "<scope> repeated"},
		{"missing", "<event>Esercitazione: fuga di gas</event>", "", "<info> without <event>"},
		{"enumeration", "<urgency>Immediate</urgency>", "<urgency>Soon</urgency>", `<urgency> "Soon"`},
		{"Z time", "<sent>2026-06-15T10:00:00+02:00</sent>", "<sent>2026-06-15T08:00:00Z</sent>", "<sent>"},
		{"namespace", cap.Namespace, cap.Namespace11, "in namespace"},
		{"unknown", "<note>", "<remark>x</remark><note>", "<remark> is not a child of <alert>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(string(good), tt.old, tt.new, 1)
			if doc == string(good) {
				t.Fatalf("%q not found", tt.old)
			}
			p := checkStructure([]byte(doc))
			if !strings.Contains(strings.Join(p, "\n"), tt.want) {
				t.Errorf("problems %q, want one with %q", p, tt.want)
			}
		})
	}
}

// TestTimesCarryAnOffset: whatever zone the caller uses, no time is written
// with "Z"; UTC becomes +00:00.
func TestTimesCarryAnOffset(t *testing.T) {
	zones := []*time.Location{time.UTC, rome(t), time.FixedZone("", -3*3600-30*60), time.FixedZone("Z", 0)}
	for _, loc := range zones {
		a := boraAlert(t)
		a.Sent = a.Sent.In(loc)
		a.Info[0].Expires = a.Info[0].Expires.In(loc)
		out, err := cap.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if p := checkStructure(out); len(p) > 0 {
			t.Errorf("%s: %q", loc, p)
		}
		if regexp.MustCompile(`\d\dZ<`).Match(out) {
			t.Errorf("%s: a time ends in Z:\n%s", loc, out)
		}
		if loc == time.UTC && !bytes.Contains(out, []byte("<sent>2026-02-10T05:30:00+00:00</sent>")) {
			t.Errorf("UTC sent not written as +00:00:\n%s", out)
		}
	}
}
