// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
)

// capCategory is the CAP category of each incident type.
var capCategory = map[Type]cap.Category{
	TypeWind: cap.CategoryMet, TypeHighTide: cap.CategoryMet, TypeFlood: cap.CategoryMet, TypeSnow: cap.CategoryMet,
	TypeHeat: cap.CategoryMet, TypeHealth: cap.CategoryHealth, TypeTraffic: cap.CategoryTransport, TypeOtherKind: cap.CategoryOther,
}

// capLanguage is the RFC 3066 tag of each alert language.
var capLanguage = map[string]string{"it": "it-IT", "en": "en-US", "sl": "sl-SI", "de": "de-DE"}

// CAPSender is the sender of an organisation's CAP messages: its slug at
// the installation's host, unique and stable as CAP asks.
func (s *Service) CAPSender(slug string) string {
	host := "piazza.local"
	if u, err := url.Parse(s.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return slug + "@" + host
}

// CAP is an alert as a CAP 1.2 message: one info block per language, the
// incident's zones and drawn area, and on updates and the all-clear the
// references to every earlier message of the incident.
func (s *Service) CAP(ctx context.Context, a Alert) (*cap.Alert, error) {
	inc, err := s.Incident(ctx, a.OrgID, a.IncidentID)
	if err != nil {
		return nil, err
	}
	var slug, name, tz string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT slug, name, timezone FROM organisations WHERE id = $1`, a.OrgID).
		Scan(&slug, &name, &tz); err != nil {
		return nil, fmt.Errorf("alert: cap: %w", err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	sender := s.CAPSender(slug)
	msg := &cap.Alert{Identifier: a.ID, Sender: sender, Sent: a.SentAt.In(loc).Truncate(time.Second), Status: cap.StatusActual,
		MsgType: cap.MsgTypeAlert, Scope: cap.ScopePublic, Incidents: inc.ID}
	if a.Exercise {
		msg.Status = cap.StatusExercise
		msg.Note = "Esercitazione / Exercise"
	}
	switch a.Kind {
	case KindUpdate:
		msg.MsgType = cap.MsgTypeUpdate
	case KindCancel:
		msg.MsgType = cap.MsgTypeCancel
	}
	if a.Kind != KindAlert {
		earlier, err := s.Alerts(ctx, a.OrgID, a.IncidentID)
		if err != nil {
			return nil, err
		}
		var refs []string
		for _, e := range earlier {
			if e.SentAt.Before(a.SentAt) || (e.SentAt.Equal(a.SentAt) && e.ID < a.ID) {
				refs = append(refs, sender+","+e.ID+","+cap.FormatTime(e.SentAt.In(loc).Truncate(time.Second)))
			}
		}
		msg.References = strings.Join(refs, " ")
	}
	areas, err := s.capAreas(ctx, inc)
	if err != nil {
		return nil, err
	}
	urgency, certainty := cap.UrgencyExpected, cap.CertaintyLikely
	response := []cap.ResponseType{cap.ResponseTypePrepare}
	switch {
	case a.Kind == KindCancel:
		urgency, certainty, response = cap.UrgencyPast, cap.CertaintyObserved, []cap.ResponseType{cap.ResponseTypeAllClear}
	case a.Colour == Red || a.Colour == Orange:
		urgency, response = cap.UrgencyImmediate, []cap.ResponseType{cap.ResponseTypeAvoid, cap.ResponseTypePrepare}
	case a.Colour == Green:
		urgency, certainty, response = cap.UrgencyFuture, cap.CertaintyPossible, []cap.ResponseType{cap.ResponseTypeMonitor}
	}
	severity := cap.SeverityOfColour(string(a.Colour))
	if a.Kind == KindCancel {
		severity = cap.SeverityMinor
	}
	tpl := templates[inc.Type]
	if tpl == nil {
		tpl = templates[TypeOtherKind]
	}
	for _, lang := range normalizeLangs(keys(a.Texts)) {
		t := a.Texts[lang]
		info := cap.Info{Language: capLanguage[lang], Category: []cap.Category{capCategory[inc.Type]}, Event: tpl[lang].event,
			ResponseType: response, Urgency: urgency, Severity: severity, Certainty: certainty, SenderName: name,
			Headline: capHeadline(t.Headline, a, lang), Web: s.LiveURL(slug, inc.ID), Area: areas}
		if info.Category[0] == "" {
			info.Category = []cap.Category{cap.CategoryOther}
		}
		if lang == "it" {
			info.Description = strings.TrimSpace(strings.Join(nonEmpty(a.Headline, a.Body), "\n\n"))
			info.Instruction = a.Instruction
		} else {
			info.Description = t.Headline
			info.Instruction = t.Push
			if a.Kind == KindCancel {
				info.Instruction = ""
			}
		}
		if inc.Hashtag != "" {
			info.Parameter = append(info.Parameter, cap.ValueName{ValueName: "hashtag", Value: inc.Hashtag})
		}
		info.Parameter = append(info.Parameter, cap.ValueName{ValueName: "colore_allerta", Value: string(a.Colour)})
		msg.Info = append(msg.Info, info)
	}
	return msg, nil
}

// capHeadline keeps CAP's advice of a headline under 160 characters.
func capHeadline(h string, a Alert, lang string) string {
	if lang == "it" && a.Headline != "" {
		h = h + ": " + a.Headline
	}
	return cutWords(h, 160)
}

// capAreas are the incident's zones and drawn area as CAP areas; an
// incident without either still names its area (CAP requires areaDesc).
func (s *Service) capAreas(ctx context.Context, inc Incident) ([]cap.Area, error) {
	zones, err := s.zonesOf(ctx, inc)
	if err != nil {
		return nil, err
	}
	var out []cap.Area
	for _, z := range zones {
		ar := cap.Area{AreaDesc: z.Name}
		for _, ring := range z.Rings {
			ar.Polygon = append(ar.Polygon, cap.FormatPolygon(capRing(ring)))
		}
		out = append(out, ar)
	}
	if !inc.Area.Empty() {
		ar := cap.Area{AreaDesc: inc.AreaDesc}
		if ar.AreaDesc == "" {
			ar.AreaDesc = "Area indicata sulla mappa"
		}
		if len(inc.Area.Polygon) > 0 {
			ar.Polygon = []string{cap.FormatPolygon(capRing(inc.Area.Polygon))}
		}
		if c := inc.Area.Circle; c != nil {
			ar.Circle = []string{cap.FormatCircle(cap.Point{Lat: c.Center.Lat, Lon: c.Center.Lon}, c.RadiusKm)}
		}
		out = append(out, ar)
	}
	if len(out) == 0 {
		desc := inc.AreaDesc
		if desc == "" {
			desc = "Territorio comunale"
		}
		out = append(out, cap.Area{AreaDesc: desc})
	}
	return out, nil
}

func capRing(ring []Point) []cap.Point {
	out := make([]cap.Point, len(ring))
	for i, p := range ring {
		out[i] = cap.Point{Lat: p.Lat, Lon: p.Lon}
	}
	return out
}

// keys are the languages of an alert's texts, in Languages' order.
func keys(m map[string]Texts) []string {
	var out []string
	for _, l := range Languages {
		if _, ok := m[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
