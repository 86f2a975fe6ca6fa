// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.xml")

// rome is the zone of the organisations the samples speak for.
func rome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatalf("load Europe/Rome: %v", err)
	}
	return loc
}

// at is a time of the samples, in Rome's zone.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02T15:04", s, rome(t))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// trieste is the area the Bora samples cover: the city, its waterfront and
// the Karst above it.
var trieste = []cap.Point{
	{Lat: 45.7300, Lon: 13.7000}, {Lat: 45.7300, Lon: 13.8700},
	{Lat: 45.5900, Lon: 13.8700}, {Lat: 45.5900, Lon: 13.7000},
}

func boraArea(desc string) []cap.Area {
	return []cap.Area{{
		AreaDesc: desc,
		Polygon:  []string{cap.FormatPolygon(trieste)},
		Geocode:  []cap.ValueName{{ValueName: "ISTAT", Value: "032006"}},
	}}
}

// boraAlert is the first message of a Bora wind incident in Trieste: an
// "allerta gialla" in Italian and English.
func boraAlert(t testing.TB) *cap.Alert {
	sev := cap.SeverityOfColour("gialla")
	return &cap.Alert{
		Identifier: "piazza-comune-trieste-42-1",
		Sender:     "comune-trieste@piazza.example",
		Sent:       at(t, "2026-02-10T06:30"),
		Status:     cap.StatusActual,
		MsgType:    cap.MsgTypeAlert,
		Source:     "Protezione civile comunale",
		Scope:      cap.ScopePublic,
		Incidents:  "piazza-comune-trieste-42",
		Info: []cap.Info{
			{
				Language:     "it-IT",
				Category:     []cap.Category{cap.CategoryMet},
				Event:        "Vento forte di Bora",
				ResponseType: []cap.ResponseType{cap.ResponseTypePrepare, cap.ResponseTypeAvoid},
				Urgency:      cap.UrgencyExpected,
				Severity:     sev,
				Certainty:    cap.CertaintyLikely,
				Audience:     "Cittadini e visitatori di Trieste",
				EventCode:    []cap.ValueName{{ValueName: "piazza:colour", Value: "gialla"}},
				Effective:    at(t, "2026-02-10T06:30"),
				Onset:        at(t, "2026-02-10T12:00"),
				Expires:      at(t, "2026-02-11T06:00"),
				SenderName:   "Comune di Trieste - Protezione civile",
				Headline:     "Allerta gialla per Bora: raffiche fino a 120 km/h",
				Description:  "Da martedì pomeriggio Bora forte in città e sul Carso, con raffiche fino a 120 km/h sulle Rive e sul Molo Audace.",
				Instruction:  "Evitate le Rive e i moli, fissate vasi e oggetti sui balconi, non sostate sotto alberi e impalcature. Numero unico di emergenza: 112.",
				Web:          "https://piazza.example/o/comune-trieste/alerts/42",
				Contact:      "Protezione civile comunale, sala operativa",
				Parameter:    []cap.ValueName{{ValueName: "awareness_level", Value: "2; yellow; Moderate"}, {ValueName: "awareness_type", Value: "1; Wind"}},
				Resource: []cap.Resource{{
					ResourceDesc: "Mappa dell'area interessata",
					MIMEType:     "image/png",
					Size:         48213,
					URI:          "https://piazza.example/o/comune-trieste/alerts/42/map.png",
				}},
				Area: boraArea("Trieste: centro città, Rive e Carso triestino"),
			},
			{
				Language:     "en-US",
				Category:     []cap.Category{cap.CategoryMet},
				Event:        "Strong Bora wind",
				ResponseType: []cap.ResponseType{cap.ResponseTypePrepare, cap.ResponseTypeAvoid},
				Urgency:      cap.UrgencyExpected,
				Severity:     sev,
				Certainty:    cap.CertaintyLikely,
				Effective:    at(t, "2026-02-10T06:30"),
				Onset:        at(t, "2026-02-10T12:00"),
				Expires:      at(t, "2026-02-11T06:00"),
				SenderName:   "City of Trieste - Civil protection",
				Headline:     "Yellow alert for Bora wind: gusts up to 120 km/h",
				Description:  "From Tuesday afternoon, strong Bora wind in the city and on the Karst, with gusts up to 120 km/h on the waterfront and Molo Audace.",
				Instruction:  "Keep away from the waterfront and the piers, secure objects on balconies, do not stand under trees or scaffolding. Emergency number: 112.",
				Web:          "https://piazza.example/o/comune-trieste/alerts/42?lang=en",
				Area:         boraArea("Trieste: city centre, waterfront and Karst"),
			},
		},
	}
}

// boraUpdate raises the Bora alert to orange once the gusts are observed.
func boraUpdate(t testing.TB) *cap.Alert {
	a := boraAlert(t)
	a.Identifier = "piazza-comune-trieste-42-2"
	a.Sent = at(t, "2026-02-10T13:15")
	a.MsgType = cap.MsgTypeUpdate
	a.References = cap.Reference(boraAlert(t))
	for i := range a.Info {
		in := &a.Info[i]
		in.Urgency = cap.UrgencyImmediate
		in.Severity = cap.SeverityOfColour("arancione")
		in.Certainty = cap.CertaintyObserved
		in.Effective = a.Sent
		in.Onset = time.Time{}
		in.Resource = nil
		in.Parameter = nil
		in.EventCode = nil
	}
	a.Info[0].EventCode = []cap.ValueName{{ValueName: "piazza:colour", Value: "arancione"}}
	a.Info[0].Headline = "Allerta arancione per Bora: raffiche oltre 130 km/h"
	a.Info[0].Description = "Alle 13 l'anemometro del Molo Fratelli Bandiera ha registrato raffiche di 134 km/h."
	a.Info[1].Headline = "Orange alert for Bora wind: gusts over 130 km/h"
	a.Info[1].Description = "At 1 pm the anemometer on Molo Fratelli Bandiera recorded gusts of 134 km/h."
	return a
}

// boraCancel ends the incident, referring to both earlier messages.
func boraCancel(t testing.TB) *cap.Alert {
	a := boraAlert(t)
	a.Identifier = "piazza-comune-trieste-42-3"
	a.Sent = at(t, "2026-02-11T09:00")
	a.MsgType = cap.MsgTypeCancel
	a.References = cap.Reference(boraAlert(t)) + " " + cap.Reference(boraUpdate(t))
	for i := range a.Info {
		in := &a.Info[i]
		in.ResponseType = []cap.ResponseType{cap.ResponseTypeAllClear}
		in.Urgency = cap.UrgencyPast
		in.Severity = cap.SeverityMinor
		in.Certainty = cap.CertaintyObserved
		in.Effective = a.Sent
		in.Onset = time.Time{}
		in.Expires = time.Time{}
		in.Instruction = ""
		in.Resource = nil
		in.Parameter = nil
		in.EventCode = nil
	}
	a.Info[0].Headline = "Fine dell'allerta per Bora"
	a.Info[0].Description = "Il vento è calato sotto i 60 km/h; le Rive sono di nuovo accessibili."
	a.Info[1].Headline = "Bora wind alert over"
	a.Info[1].Description = "The wind has dropped below 60 km/h; the waterfront is open again."
	return a
}

// exercise is a drill for the civil protection staff only, in summer time
// (+02:00), over a circle with an altitude band.
func exercise(t testing.TB) *cap.Alert {
	ground, top := 0.0, 300.0
	return &cap.Alert{
		Identifier:  "piazza-comune-trieste-drill-7",
		Sender:      "comune-trieste@piazza.example",
		Sent:        at(t, "2026-06-15T10:00"),
		Status:      cap.StatusExercise,
		MsgType:     cap.MsgTypeAlert,
		Scope:       cap.ScopeRestricted,
		Restriction: "Solo per il personale della protezione civile e dei servizi comunali",
		Code:        []string{"piazza:drill"},
		Note:        "Esercitazione di evacuazione, nessun pericolo reale",
		Info: []cap.Info{{
			Language:     "it-IT",
			Category:     []cap.Category{cap.CategorySafety, cap.CategoryCBRNE},
			Event:        "Esercitazione: fuga di gas",
			ResponseType: []cap.ResponseType{cap.ResponseTypeEvacuate},
			Urgency:      cap.UrgencyImmediate,
			Severity:     cap.SeveritySevere,
			Certainty:    cap.CertaintyPossible,
			Expires:      at(t, "2026-06-15T12:00"),
			Headline:     "ESERCITAZIONE - evacuazione di piazza Unità d'Italia",
			Area: []cap.Area{{
				AreaDesc: "Piazza Unità d'Italia e vie adiacenti",
				Circle:   []string{cap.FormatCircle(cap.Point{Lat: 45.6503, Lon: 13.7703}, 0.5)},
				Altitude: &ground,
				Ceiling:  &top,
			}},
		}},
	}
}

type sample struct {
	name  string
	alert func(testing.TB) *cap.Alert
}

var samples = []sample{
	{"bora-alert", boraAlert},
	{"bora-update", boraUpdate},
	{"bora-cancel", boraCancel},
	{"exercise", exercise},
}

// TestMarshalGolden pins the documents of the samples; run with -update
// after a deliberate change and read the diff.
func TestMarshalGolden(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			got, err := cap.Marshal(s.alert(t))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", s.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal differs from %s (run with -update after checking):\n%s", path, got)
			}
		})
	}
}

// flat returns a copy of a with its times written out apart, so two alerts
// compare equal when their times are the same instant with the same offset,
// whatever *time.Location each carries.
func flat(a *cap.Alert) (cap.Alert, []string) {
	c := *a
	times := []string{timeText(c.Sent)}
	c.Sent = time.Time{}
	c.Info = append([]cap.Info(nil), a.Info...)
	for i := range c.Info {
		in := &c.Info[i]
		times = append(times, timeText(in.Effective), timeText(in.Onset), timeText(in.Expires))
		in.Effective, in.Onset, in.Expires = time.Time{}, time.Time{}, time.Time{}
	}
	return c, times
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return cap.FormatTime(t)
}

// sameAlert fails t when got is not want.
func sameAlert(t testing.TB, got, want *cap.Alert) {
	t.Helper()
	g, gt := flat(got)
	w, wt := flat(want)
	if !reflect.DeepEqual(gt, wt) {
		t.Errorf("times: got %q, want %q", gt, wt)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("alert:\n got %+v\nwant %+v", g, w)
	}
}
