// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

func TestValidateSamples(t *testing.T) {
	for _, s := range samples {
		if err := cap.Validate(s.alert(t)); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
}

// TestValidateRejects breaks one rule at a time on a valid alert and expects
// exactly the problems listed: the element's path and a part of the message.
func TestValidateRejects(t *testing.T) {
	area := func(a *cap.Alert) *cap.Area { return &a.Info[0].Area[0] }
	tests := []struct {
		name   string
		change func(a *cap.Alert)
		want   []cap.Problem // Msg is a substring of the reported message
	}{
		{"identifier missing", func(a *cap.Alert) { a.Identifier = "" },
			[]cap.Problem{{Path: "identifier", Msg: "required"}}},
		{"identifier blank", func(a *cap.Alert) { a.Identifier = "  " },
			[]cap.Problem{{Path: "identifier", Msg: "required"}}},
		{"identifier with space", func(a *cap.Alert) { a.Identifier = "allerta 42" },
			[]cap.Problem{{Path: "identifier", Msg: `"allerta 42" must not contain spaces, commas, < or &`}}},
		{"identifier with comma", func(a *cap.Alert) { a.Identifier = "a,b" },
			[]cap.Problem{{Path: "identifier", Msg: "must not contain"}}},
		{"identifier with <", func(a *cap.Alert) { a.Identifier = "a<b" },
			[]cap.Problem{{Path: "identifier", Msg: "must not contain"}}},
		{"identifier with &", func(a *cap.Alert) { a.Identifier = "a&b" },
			[]cap.Problem{{Path: "identifier", Msg: "must not contain"}}},
		{"identifier with tab", func(a *cap.Alert) { a.Identifier = "a\tb" },
			[]cap.Problem{{Path: "identifier", Msg: "must not contain"}}},
		{"sender missing", func(a *cap.Alert) { a.Sender = "" },
			[]cap.Problem{{Path: "sender", Msg: "required"}}},
		{"sender with comma", func(a *cap.Alert) { a.Sender = "comune,trieste" },
			[]cap.Problem{{Path: "sender", Msg: "must not contain spaces, commas"}}},
		{"sent missing", func(a *cap.Alert) { a.Sent = time.Time{} },
			[]cap.Problem{{Path: "sent", Msg: "required"}}},
		{"sent with a local mean time offset", func(a *cap.Alert) {
			a.Sent = time.Date(1850, 1, 1, 12, 0, 0, 0, rome(t)) // +00:49:56 before 1866
		}, []cap.Problem{{Path: "sent", Msg: "not a whole number of minutes"}}},
		{"sent past year 9999", func(a *cap.Alert) { a.Sent = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
			[]cap.Problem{{Path: "sent", Msg: "outside 0001-9999"}}},
		{"sent offset beyond 14 hours", func(a *cap.Alert) {
			a.Sent = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 15*3600))
		}, []cap.Problem{{Path: "sent", Msg: "beyond ±14:00"}}},
		{"status missing", func(a *cap.Alert) { a.Status = "" },
			[]cap.Problem{{Path: "status", Msg: "required"}}},
		{"status not in the enumeration", func(a *cap.Alert) { a.Status = "Real" },
			[]cap.Problem{{Path: "status", Msg: `"Real" is not one of Actual, Exercise, System, Test, Draft`}}},
		{"status in the wrong case", func(a *cap.Alert) { a.Status = "actual" },
			[]cap.Problem{{Path: "status", Msg: `"actual" is not one of`}}},
		{"msgType missing", func(a *cap.Alert) { a.MsgType = "" },
			[]cap.Problem{{Path: "msgType", Msg: "required"}}},
		{"msgType not in the enumeration", func(a *cap.Alert) { a.MsgType = "Notice" },
			[]cap.Problem{{Path: "msgType", Msg: `"Notice" is not one of Alert, Update, Cancel, Ack, Error`}}},
		{"scope missing", func(a *cap.Alert) { a.Scope = "" },
			[]cap.Problem{{Path: "scope", Msg: "required"}}},
		{"scope not in the enumeration", func(a *cap.Alert) { a.Scope = "Everyone" },
			[]cap.Problem{{Path: "scope", Msg: `"Everyone" is not one of Public, Restricted, Private`}}},
		{"restricted without restriction", func(a *cap.Alert) { a.Scope = cap.ScopeRestricted },
			[]cap.Problem{{Path: "restriction", Msg: "required when scope is Restricted"}}},
		{"private without addresses", func(a *cap.Alert) { a.Scope = cap.ScopePrivate },
			[]cap.Problem{{Path: "addresses", Msg: "required when scope is Private"}}},
		{"update without references", func(a *cap.Alert) { a.MsgType = cap.MsgTypeUpdate },
			[]cap.Problem{{Path: "references", Msg: "required for msgType Update"}}},
		{"cancel without references", func(a *cap.Alert) { a.MsgType = cap.MsgTypeCancel },
			[]cap.Problem{{Path: "references", Msg: "required for msgType Cancel"}}},
		{"ack without references", func(a *cap.Alert) { a.MsgType = cap.MsgTypeAck },
			[]cap.Problem{{Path: "references", Msg: "required for msgType Ack"}}},
		{"references not a triple", func(a *cap.Alert) { a.References = "comune-trieste@piazza.example,42" },
			[]cap.Problem{{Path: "references", Msg: "want sender,identifier,sent"}}},
		{"references with a Z time", func(a *cap.Alert) {
			a.References = "comune-trieste@piazza.example,42,2026-02-10T05:30:00Z"
		}, []cap.Problem{{Path: "references", Msg: `not "Z"`}}},
		{"category missing", func(a *cap.Alert) { a.Info[0].Category = nil },
			[]cap.Problem{{Path: "info[0].category", Msg: "required"}}},
		{"category not in the enumeration", func(a *cap.Alert) { a.Info[1].Category = []cap.Category{"Met", "Weather"} },
			[]cap.Problem{{Path: "info[1].category[1]", Msg: `"Weather" is not one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other`}}},
		{"event missing", func(a *cap.Alert) { a.Info[0].Event = " " },
			[]cap.Problem{{Path: "info[0].event", Msg: "required"}}},
		{"responseType not in the enumeration", func(a *cap.Alert) { a.Info[0].ResponseType = []cap.ResponseType{"Run"} },
			[]cap.Problem{{Path: "info[0].responseType[0]", Msg: `"Run" is not one of Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, Assess, AllClear, None`}}},
		{"urgency missing", func(a *cap.Alert) { a.Info[0].Urgency = "" },
			[]cap.Problem{{Path: "info[0].urgency", Msg: "required"}}},
		{"urgency not in the enumeration", func(a *cap.Alert) { a.Info[0].Urgency = "Soon" },
			[]cap.Problem{{Path: "info[0].urgency", Msg: `"Soon" is not one of Immediate, Expected, Future, Past, Unknown`}}},
		{"severity missing", func(a *cap.Alert) { a.Info[0].Severity = "" },
			[]cap.Problem{{Path: "info[0].severity", Msg: "required"}}},
		{"severity not in the enumeration", func(a *cap.Alert) { a.Info[0].Severity = cap.Severity("gialla") },
			[]cap.Problem{{Path: "info[0].severity", Msg: `"gialla" is not one of Extreme, Severe, Moderate, Minor, Unknown`}}},
		{"certainty missing", func(a *cap.Alert) { a.Info[0].Certainty = "" },
			[]cap.Problem{{Path: "info[0].certainty", Msg: "required"}}},
		{"certainty not in the enumeration", func(a *cap.Alert) { a.Info[0].Certainty = "Sure" },
			[]cap.Problem{{Path: "info[0].certainty", Msg: `"Sure" is not one of Observed, Likely, Possible, Unlikely, Unknown`}}},
		{"language not a tag", func(a *cap.Alert) { a.Info[0].Language = "it_IT" },
			[]cap.Problem{{Path: "info[0].language", Msg: "not a language tag"}}},
		{"web relative", func(a *cap.Alert) { a.Info[0].Web = "/o/comune-trieste/alerts/42" },
			[]cap.Problem{{Path: "info[0].web", Msg: "not an absolute URI"}}},
		{"eventCode without valueName", func(a *cap.Alert) { a.Info[0].EventCode[0].ValueName = "" },
			[]cap.Problem{{Path: "info[0].eventCode[0].valueName", Msg: "required"}}},
		{"resource without description and type", func(a *cap.Alert) {
			a.Info[0].Resource[0].ResourceDesc, a.Info[0].Resource[0].MIMEType = "", ""
		}, []cap.Problem{
			{Path: "info[0].resource[0].resourceDesc", Msg: "required"},
			{Path: "info[0].resource[0].mimeType", Msg: "required"},
		}},
		{"resource type not a MIME type", func(a *cap.Alert) { a.Info[0].Resource[0].MIMEType = "png" },
			[]cap.Problem{{Path: "info[0].resource[0].mimeType", Msg: "not a MIME type"}}},
		{"resource size negative", func(a *cap.Alert) { a.Info[0].Resource[0].Size = -1 },
			[]cap.Problem{{Path: "info[0].resource[0].size", Msg: "negative"}}},
		{"resource content not base64", func(a *cap.Alert) { a.Info[0].Resource[0].DerefURI = "not base64!" },
			[]cap.Problem{{Path: "info[0].resource[0].derefUri", Msg: "not base64"}}},
		{"areaDesc missing", func(a *cap.Alert) { area(a).AreaDesc = "" },
			[]cap.Problem{{Path: "info[0].area[0].areaDesc", Msg: "required"}}},
		{"polygon with three pairs", func(a *cap.Alert) { area(a).Polygon = []string{"45.73,13.7 45.73,13.87 45.73,13.7"} },
			[]cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: "at least 4 coordinate pairs"}}},
		{"polygon not closed", func(a *cap.Alert) {
			area(a).Polygon = []string{"45.73,13.7 45.73,13.87 45.59,13.87 45.59,13.7"}
		}, []cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: "first and last coordinate pairs must be the same"}}},
		{"polygon latitude out of range", func(a *cap.Alert) {
			area(a).Polygon = []string{"45.73,13.7 91,13.87 45.59,13.87 45.73,13.7"}
		}, []cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: `pair 2 "91,13.87": latitude must be a number in [-90, 90]`}}},
		{"polygon longitude out of range", func(a *cap.Alert) {
			area(a).Polygon = []string{"45.73,13.7 45.73,181 45.59,13.87 45.73,13.7"}
		}, []cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: "longitude must be a number in [-180, 180]"}}},
		{"polygon pair not separated by a comma", func(a *cap.Alert) {
			area(a).Polygon = []string{"45.73;13.7 45.73,13.87 45.59,13.87 45.73;13.7"}
		}, []cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: `pair 1 "45.73;13.7": want "lat,lon"`}}},
		{"polygon with exponents", func(a *cap.Alert) {
			area(a).Polygon = []string{"4.573e1,13.7 45.73,13.87 45.59,13.87 4.573e1,13.7"}
		}, []cap.Problem{{Path: "info[0].area[0].polygon[0]", Msg: "latitude must be a number"}}},
		{"circle without radius", func(a *cap.Alert) { area(a).Circle = []string{"45.65,13.77"} },
			[]cap.Problem{{Path: "info[0].area[0].circle[0]", Msg: `want "lat,lon radius"`}}},
		{"circle with negative radius", func(a *cap.Alert) { area(a).Circle = []string{"45.65,13.77 -1"} },
			[]cap.Problem{{Path: "info[0].area[0].circle[0]", Msg: "not a non-negative number of kilometres"}}},
		{"circle centre out of range", func(a *cap.Alert) { area(a).Circle = []string{"-95,13.77 1"} },
			[]cap.Problem{{Path: "info[0].area[0].circle[0]", Msg: "latitude must be a number in [-90, 90]"}}},
		{"ceiling without altitude", func(a *cap.Alert) { c := 100.0; area(a).Ceiling = &c },
			[]cap.Problem{{Path: "info[0].area[0].ceiling", Msg: "only allowed together with altitude"}}},
		{"altitude not finite", func(a *cap.Alert) { n := math.NaN(); area(a).Altitude = &n },
			[]cap.Problem{{Path: "info[0].area[0].altitude", Msg: "finite"}}},
		{"geocode without valueName", func(a *cap.Alert) { area(a).Geocode[0].ValueName = "" },
			[]cap.Problem{{Path: "info[0].area[0].geocode[0].valueName", Msg: "required"}}},
		{"control character in the description", func(a *cap.Alert) { a.Info[1].Description = "raffiche\x00" },
			[]cap.Problem{{Path: "info[1].description", Msg: "U+0000 is not allowed in XML"}}},
		{"invalid UTF-8 in the headline", func(a *cap.Alert) { a.Info[1].Headline = "\xff" },
			[]cap.Problem{{Path: "info[1].headline", Msg: "not valid UTF-8"}}},
		{"every problem at once", func(a *cap.Alert) {
			a.Identifier, a.Status, a.MsgType = "", "Real", cap.MsgTypeCancel
			a.Info[1].Urgency = ""
			area(a).AreaDesc = ""
		}, []cap.Problem{
			{Path: "identifier", Msg: "required"},
			{Path: "status", Msg: "is not one of"},
			{Path: "references", Msg: "required for msgType Cancel"},
			{Path: "info[0].area[0].areaDesc", Msg: "required"},
			{Path: "info[1].urgency", Msg: "required"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := boraAlert(t)
			tt.change(a)
			err := cap.Validate(a)
			var verr *cap.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate = %v, want a *cap.ValidationError", err)
			}
			if !errors.Is(err, cap.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false")
			}
			if len(verr.Problems) != len(tt.want) {
				t.Fatalf("problems:\n got %q\nwant %q", verr.Problems, tt.want)
			}
			for i, w := range tt.want {
				g := verr.Problems[i]
				if g.Path != w.Path || !strings.Contains(g.Msg, w.Msg) {
					t.Errorf("problem %d = %q, want path %q with %q", i, g, w.Path, w.Msg)
				}
				if !strings.Contains(err.Error(), g.Path+": "+g.Msg) {
					t.Errorf("Error() = %q does not name %q", err, g)
				}
			}
			if _, merr := cap.Marshal(a); !errors.Is(merr, cap.ErrInvalid) {
				t.Errorf("Marshal of an invalid alert: %v, want ErrInvalid", merr)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if err := cap.Validate(nil); !errors.Is(err, cap.ErrInvalid) {
		t.Errorf("Validate(nil) = %v", err)
	}
	if _, err := cap.Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
}

// TestValidateScopes: the scope's companion element makes the alert valid.
func TestValidateScopes(t *testing.T) {
	a := boraAlert(t)
	a.Scope, a.Addresses = cap.ScopePrivate, `prefettura-trieste@piazza.example "Sala operativa regionale"`
	if err := cap.Validate(a); err != nil {
		t.Errorf("private with addresses: %v", err)
	}
	a.Scope, a.Restriction = cap.ScopeRestricted, "Solo enti del sistema di protezione civile"
	if err := cap.Validate(a); err != nil {
		t.Errorf("restricted with restriction: %v", err)
	}
}

func TestEnumerations(t *testing.T) {
	valid := []interface{ Valid() bool }{
		cap.StatusActual, cap.StatusExercise, cap.StatusSystem, cap.StatusTest, cap.StatusDraft,
		cap.MsgTypeAlert, cap.MsgTypeUpdate, cap.MsgTypeCancel, cap.MsgTypeAck, cap.MsgTypeError,
		cap.ScopePublic, cap.ScopeRestricted, cap.ScopePrivate,
		cap.CategoryGeo, cap.CategoryMet, cap.CategorySafety, cap.CategorySecurity, cap.CategoryRescue,
		cap.CategoryFire, cap.CategoryHealth, cap.CategoryEnv, cap.CategoryTransport, cap.CategoryInfra,
		cap.CategoryCBRNE, cap.CategoryOther,
		cap.ResponseTypeShelter, cap.ResponseTypeEvacuate, cap.ResponseTypePrepare, cap.ResponseTypeExecute,
		cap.ResponseTypeAvoid, cap.ResponseTypeMonitor, cap.ResponseTypeAssess, cap.ResponseTypeAllClear,
		cap.ResponseTypeNone,
		cap.UrgencyImmediate, cap.UrgencyExpected, cap.UrgencyFuture, cap.UrgencyPast, cap.UrgencyUnknown,
		cap.SeverityExtreme, cap.SeveritySevere, cap.SeverityModerate, cap.SeverityMinor, cap.SeverityUnknown,
		cap.CertaintyObserved, cap.CertaintyLikely, cap.CertaintyPossible, cap.CertaintyUnlikely, cap.CertaintyUnknown,
	}
	for _, v := range valid {
		if !v.Valid() {
			t.Errorf("%v.Valid() = false", v)
		}
	}
	invalid := []interface{ Valid() bool }{
		cap.Status(""), cap.Status("actual"), cap.MsgType("Alarm"), cap.Scope("public"), cap.Category("Weather"),
		cap.ResponseType("All Clear"), cap.Urgency("Now"), cap.Severity("High"), cap.Certainty("Certain"),
	}
	for _, v := range invalid {
		if v.Valid() {
			t.Errorf("%q.Valid() = true", v)
		}
	}
}
