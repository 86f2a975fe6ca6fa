// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

func parseFile(t *testing.T, path string) *cap.Alert {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := cap.Parse(f)
	if err != nil {
		t.Fatalf("Parse %s: %v", path, err)
	}
	return a
}

// TestRoundTrip: what Marshal writes, Parse reads back as the same alert,
// times included with their offsets.
func TestRoundTrip(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			want := s.alert(t)
			out, err := cap.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cap.Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, out)
			}
			sameAlert(t, got, want)
			again, err := cap.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, out) {
				t.Errorf("second Marshal differs:\n%s\nfirst:\n%s", again, out)
			}
		})
	}
}

func TestParseCAP11(t *testing.T) {
	a := parseFile(t, "testdata/import/cap11-regione-vento.xml")
	if a.Identifier != "PCFVG-2026-0210-VENTO-01" || a.MsgType != cap.MsgTypeAlert || a.Status != cap.StatusActual {
		t.Errorf("alert = %+v", a)
	}
	if got := cap.FormatTime(a.Sent); got != "2026-02-10T05:45:00+01:00" {
		t.Errorf("sent = %s", got)
	}
	in := a.Info[0]
	if in.Severity != cap.SeverityModerate || cap.ColourOfSeverity(in.Severity) != "gialla" {
		t.Errorf("severity = %s", in.Severity)
	}
	if len(in.Area) != 1 || len(in.Area[0].Geocode) != 2 || in.Area[0].Geocode[1].Value != "032001" {
		t.Errorf("area = %+v", in.Area)
	}
	out, err := cap.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`<alert xmlns="`+cap.Namespace+`">`)) {
		t.Errorf("a 1.1 message is not written back as 1.2:\n%s", out)
	}
}

func TestParsePrefixedUpdate(t *testing.T) {
	a := parseFile(t, "testdata/import/cap12-regione-update.xml")
	refs, err := cap.ParseReferences(a.References)
	if err != nil {
		t.Fatal(err)
	}
	original := parseFile(t, "testdata/import/cap11-regione-vento.xml")
	if len(refs) != 1 || refs[0].String() != cap.Reference(original) {
		t.Errorf("references = %q, want the original %q", refs, cap.Reference(original))
	}
	if refs[0].Identifier != original.Identifier || !refs[0].Sent.Equal(original.Sent) {
		t.Errorf("ref = %+v", refs[0])
	}
	if d := a.Info[0].Description; d != "Raffiche di 134 km/h al molo Fratelli Bandiera alle 13 & in aumento." {
		t.Errorf("CDATA description = %q", d)
	}
	if c := a.Info[0].Area[0].Circle; len(c) != 1 || c[0] != "45.6495,13.7768 12" {
		t.Errorf("circle = %q", c)
	}
}

func TestParseLatin1(t *testing.T) {
	a := parseFile(t, "testdata/import/cap12-latin1.xml")
	if h := a.Info[0].Headline; !strings.Contains(h, "è consigliata prudenza, perché") {
		t.Errorf("headline = %q", h)
	}
	if d := a.Info[0].Area[0].AreaDesc; d != "Carso e Valli del Natisone (più di 300 m)" {
		t.Errorf("areaDesc = %q", d)
	}
}

func TestParseWindows1252(t *testing.T) {
	doc := strings.Replace(minimal, `<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="windows-1252"?>`, 1)
	doc = strings.Replace(doc, "<event>Bora</event>", "<event>Bora \x93forte\x94 \x80</event>", 1)
	a, err := cap.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if e := a.Info[0].Event; e != "Bora “forte” €" {
		t.Errorf("event = %q", e)
	}
}

// TestParseTrims: tokens lose the whitespace pretty printers put around
// them; free text keeps it.
func TestParseTrims(t *testing.T) {
	doc := strings.NewReplacer(
		"<status>Actual</status>", "<status>\n    Actual\n  </status>",
		"<sent>2026-02-10T06:30:00+01:00</sent>", "<sent> 2026-02-10T06:30:00+01:00 </sent>",
		"<event>Bora</event>", "<event> Bora </event>",
	).Replace(minimal)
	a, err := cap.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != cap.StatusActual || a.Info[0].Event != " Bora " {
		t.Errorf("status %q, event %q", a.Status, a.Info[0].Event)
	}
}

// minimal is the smallest valid CAP 1.2 alert with an info block.
const minimal = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>x-1</identifier>
  <sender>a@b.example</sender>
  <sent>2026-02-10T06:30:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Bora</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
  </info>
</alert>
`

// TestParseRejects: hostile and broken input yields an error that says why,
// never a panic nor a half-read alert.
func TestParseRejects(t *testing.T) {
	replace := func(old, repl string) string {
		if !strings.Contains(minimal, old) {
			t.Fatalf("%q not in minimal", old)
		}
		return strings.Replace(minimal, old, repl, 1)
	}
	deep := strings.Repeat("<a>", 20000) + strings.Repeat("</a>", 20000)
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "empty document"},
		{"not XML", "{\"identifier\": 1}", "cap: parse"},
		{"not an alert", `<feed xmlns="http://www.w3.org/2005/Atom"/>`, "root element <feed> is not a CAP <alert>"},
		{"CAP 1.0 namespace", replace(cap.Namespace, "http://www.incident.com/cap/1.0"), `namespace "http://www.incident.com/cap/1.0" is neither CAP 1.2`},
		{"no namespace", replace(` xmlns="`+cap.Namespace+`"`, ""), `namespace "" is neither`},
		{"date only", replace("2026-02-10T06:30:00+01:00", "2026-02-10"), "want YYYY-MM-DDThh:mm:ss+hh:mm"},
		{"impossible date", replace("2026-02-10T06:30:00+01:00", "2026-02-30T06:30:00+01:00"), "day out of range"},
		{"unknown status", replace("<status>Actual</status>", "<status>Real</status>"), `status: "Real" is not one of Actual`},
		{"missing status", replace("<status>Actual</status>", ""), "status: required"},
		{"unknown severity", replace("<severity>Moderate</severity>", "<severity>Arancione</severity>"), `info[0].severity: "Arancione" is not one of`},
		{"update without references", replace("<msgType>Alert</msgType>", "<msgType>Update</msgType>"), "references: required for msgType Update"},
		{"identifier in the message", replace("<status>Actual</status>", "<status>Real</status>"), `cap: parse "x-1"`},
		{"bad size", replace("<certainty>Likely</certainty>", "<certainty>Likely</certainty><resource><resourceDesc>m</resourceDesc><mimeType>image/png</mimeType><size>1e3</size></resource>"), `info[0].resource[0].size: "1e3" is not a size in bytes`},
		{"bad altitude", replace("<certainty>Likely</certainty>", "<certainty>Likely</certainty><area><areaDesc>x</areaDesc><altitude>NaN</altitude></area>"), `info[0].area[0].altitude: "NaN" is not a decimal number`},
		{"entity from a DTD", `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>` +
			strings.Replace(minimal[strings.Index(minimal, "<alert"):], "<event>Bora</event>", "<event>&lol2;</event>", 1), "invalid character entity &lol2;"},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
			strings.Replace(minimal[strings.Index(minimal, "<alert"):], "<event>Bora</event>", "<event>&x;</event>", 1), "invalid character entity &x;"},
		{"deep nesting", `<alert xmlns="` + cap.Namespace + `"><note>` + deep + `</note></alert>`, "identifier: required"},
		{"unsupported encoding", replace(`encoding="UTF-8"`, `encoding="EBCDIC"`), `encoding "EBCDIC" is not supported`},
		{"unclosed", minimal[:len(minimal)-10], "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := cap.Parse(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", a)
			}
			if a != nil {
				t.Errorf("Parse returned an alert with the error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %q, want %q", err, tt.want)
			}
		})
	}
}

// Real feeds write "Z" and fractions of a second, which CAP forbids: on
// import the instant is kept (Piazza's own output stays strict).
func TestParseLenientTimes(t *testing.T) {
	want := time.Date(2026, 2, 10, 5, 30, 0, 0, time.UTC)
	for _, sent := range []string{"2026-02-10T05:30:00Z", "2026-02-10T06:30:00.25+01:00"} {
		a, err := cap.Parse(strings.NewReader(strings.Replace(minimal, "2026-02-10T06:30:00+01:00", sent, 1)))
		if err != nil {
			t.Fatalf("%s: %v", sent, err)
		}
		if !a.Sent.Equal(want) {
			t.Errorf("%s: sent %v, want %v", sent, a.Sent, want)
		}
		out, err := cap.Marshal(a)
		if err != nil || strings.Contains(string(out), "Z<") {
			t.Errorf("%s: written back as %s (%v)", sent, out, err)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	pad := strings.Repeat(" ", cap.MaxMessageSize)
	doc := strings.Replace(minimal, "</alert>", pad+"</alert>", 1)
	if _, err := cap.Parse(strings.NewReader(doc)); !errors.Is(err, cap.ErrTooLarge) {
		t.Errorf("Parse of %d bytes: %v, want ErrTooLarge", len(doc), err)
	}
	// Exactly at the limit is read.
	doc = strings.Replace(minimal, "</alert>", pad[:cap.MaxMessageSize-len(minimal)]+"</alert>", 1)
	if _, err := cap.Parse(strings.NewReader(doc)); err != nil {
		t.Errorf("Parse of %d bytes: %v", len(doc), err)
	}
	if _, err := cap.ParseFeed(strings.NewReader(strings.Repeat(" ", cap.MaxFeedSize+1))); !errors.Is(err, cap.ErrTooLarge) {
		t.Errorf("ParseFeed too large: %v", err)
	}
}

func TestParseValidationErrorKeepsProblems(t *testing.T) {
	doc := strings.NewReplacer("<status>Actual</status>", "<status>Real</status>",
		"<sent>2026-02-10T06:30:00+01:00</sent>", "<sent>2026-02-10</sent>").Replace(minimal)
	_, err := cap.Parse(strings.NewReader(doc))
	var verr *cap.ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, cap.ErrInvalid) {
		t.Fatalf("Parse = %v, want a *ValidationError", err)
	}
	var paths []string
	for _, p := range verr.Problems {
		paths = append(paths, p.Path)
	}
	// sent is reported once, as unreadable, not again as missing.
	if strings.Join(paths, " ") != "sent status" {
		t.Errorf("problems = %q", verr.Problems)
	}
}

func TestTime(t *testing.T) {
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 2, 10, 6, 30, 0, 0, rome(t)), "2026-02-10T06:30:00+01:00"},
		{time.Date(2026, 7, 10, 6, 30, 0, 999, rome(t)), "2026-07-10T06:30:00+02:00"},
		{time.Date(2026, 2, 10, 5, 30, 0, 0, time.UTC), "2026-02-10T05:30:00+00:00"},
		{time.Date(2026, 2, 10, 1, 0, 0, 0, time.FixedZone("", -(3*3600+30*60))), "2026-02-10T01:00:00-03:30"},
	} {
		got := cap.FormatTime(tt.in)
		if got != tt.want {
			t.Errorf("FormatTime(%v) = %s, want %s", tt.in, got, tt.want)
		}
		back, err := cap.ParseTime(got)
		if err != nil || !back.Equal(tt.in.Truncate(time.Second)) {
			t.Errorf("ParseTime(%s) = %v, %v", got, back, err)
		}
		if _, off := back.Zone(); cap.FormatTime(back) != got {
			t.Errorf("ParseTime(%s) lost the offset (%d)", got, off)
		}
	}
	for _, bad := range []string{"", "2026-02-10T05:30:00Z", "2026-02-10T05:30:00z", "2026-02-10T05:30:00+0100",
		"2026-02-10 05:30:00+01:00", "2026-02-10T05:30+01:00", "2026-02-10T05:30:00.1+01:00", "0000-01-01T00:00:00+00:00",
		"2026-02-10T05:30:00+15:00", "2026-02-10T05:30:00,01:00", "２０２６-02-10T05:30:00+01:00"} {
		if tm, err := cap.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", bad, tm)
		}
	}
}

func TestColours(t *testing.T) {
	for _, tt := range []struct {
		colour string
		sev    cap.Severity
	}{
		{"verde", cap.SeverityMinor}, {"gialla", cap.SeverityModerate},
		{"arancione", cap.SeveritySevere}, {"rossa", cap.SeverityExtreme},
	} {
		if got := cap.SeverityOfColour(tt.colour); got != tt.sev {
			t.Errorf("SeverityOfColour(%q) = %s, want %s", tt.colour, got, tt.sev)
		}
		if got := cap.ColourOfSeverity(tt.sev); got != tt.colour {
			t.Errorf("ColourOfSeverity(%s) = %q, want %q", tt.sev, got, tt.colour)
		}
	}
	for in, want := range map[string]cap.Severity{" Gialla ": cap.SeverityModerate, "ROSSO": cap.SeverityExtreme,
		"giallo": cap.SeverityModerate, "blu": cap.SeverityUnknown, "": cap.SeverityUnknown, "red": cap.SeverityUnknown} {
		if got := cap.SeverityOfColour(in); got != want {
			t.Errorf("SeverityOfColour(%q) = %s, want %s", in, got, want)
		}
	}
	if c := cap.ColourOfSeverity(cap.SeverityUnknown); c != "" {
		t.Errorf("ColourOfSeverity(Unknown) = %q", c)
	}
}

func TestGeometry(t *testing.T) {
	open := []cap.Point{{45.7, 13.7}, {45.7, 13.9}, {45.6, 13.9}}
	if got := cap.FormatPolygon(open); got != "45.7,13.7 45.7,13.9 45.6,13.9 45.7,13.7" {
		t.Errorf("FormatPolygon(open) = %q", got)
	}
	if len(open) != 3 {
		t.Errorf("FormatPolygon changed its argument")
	}
	closed := append(open, open[0])
	if got := cap.FormatPolygon(closed); strings.Count(got, " ") != 3 {
		t.Errorf("FormatPolygon(closed) = %q", got)
	}
	if got := cap.FormatCircle(cap.Point{Lat: -33.5, Lon: 151}, 2.25); got != "-33.5,151 2.25" {
		t.Errorf("FormatCircle = %q", got)
	}
}

func TestParseReferences(t *testing.T) {
	refs, err := cap.ParseReferences("  a@b.example,x-1,2026-02-10T06:30:00+01:00\n\ta@b.example,x-2,2026-02-10T07:30:00+01:00 ")
	if err != nil || len(refs) != 2 || refs[1].Identifier != "x-2" {
		t.Fatalf("ParseReferences = %+v, %v", refs, err)
	}
	for _, bad := range []string{"a,b", "a,b,c,d", ",x,2026-02-10T06:30:00+01:00", "a,x,yesterday", "a<b,x,2026-02-10T06:30:00+01:00"} {
		if _, err := cap.ParseReferences(bad); err == nil {
			t.Errorf("ParseReferences(%q) succeeded", bad)
		}
	}
}
