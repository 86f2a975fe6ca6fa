// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Number is a useful phone number shown with an incident.
type Number struct {
	Label  string `json:"label"`
	Number string `json:"number"`
}

// Link is a useful link shown with an incident.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Point is a WGS 84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Circle is a point and a radius.
type Circle struct {
	Center   Point   `json:"center"`
	RadiusKm float64 `json:"radius_km"`
}

// Area is an incident's drawn area, besides its named zones: a polygon
// (closed ring) or a circle, or nothing.
type Area struct {
	Polygon []Point `json:"polygon,omitempty"`
	Circle  *Circle `json:"circle,omitempty"`
}

// Empty reports whether no area was drawn.
func (a Area) Empty() bool { return len(a.Polygon) == 0 && a.Circle == nil }

// Incident is one emergency and its live page.
type Incident struct {
	ID           string
	OrgID        string
	Type         Type
	Colour       Colour
	Title        string
	Description  string
	Hashtag      string
	Instructions string
	Numbers      []Number
	Links        []Link
	ZoneIDs      []string
	Area         Area
	AreaDesc     string
	Status       Status
	Exercise     bool
	Source       string
	SourceRef    string
	StartedAt    time.Time
	ResolvedAt   time.Time
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IncidentInput opens or edits an incident.
type IncidentInput struct {
	Type         Type
	Colour       Colour
	Title        string
	Description  string
	Hashtag      string
	Instructions string
	Numbers      []Number
	Links        []Link
	ZoneIDs      []string
	Area         Area
	// AreaDesc names the area in words ("Trieste, rioni costieri"); when
	// empty it is made from the zones' names.
	AreaDesc string
	Exercise bool
}

// Limits on an incident's fields.
const (
	maxTitle        = 200
	maxText         = 4000
	maxHashtag      = 100
	maxItems        = 20 // useful numbers, and links
	maxZoneIDs      = 200
	maxRingVertices = 1000
	maxRadiusKm     = 500
)

// validate checks and tidies the input. It names every invalid field at
// once, so that a form shows them all.
func (in *IncidentInput) validate() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Hashtag = strings.TrimSpace(in.Hashtag)
	var es valid.Errors
	if !in.Type.Valid() {
		es.Add("type", "alert.incident.type_unknown", string(in.Type))
	}
	if !in.Colour.Valid() {
		es.Add("colour", "alert.incident.colour_unknown", string(in.Colour))
	}
	switch {
	case in.Title == "":
		es.Add("title", "alert.incident.title_required")
	case utf8.RuneCountInString(in.Title) > maxTitle:
		es.Add("title", "alert.incident.title_too_long", maxTitle)
	}
	for _, f := range []struct{ field, text string }{
		{"description", in.Description}, {"instructions", in.Instructions}, {"area_desc", in.AreaDesc},
	} {
		if utf8.RuneCountInString(f.text) > maxText {
			es.Add(f.field, "alert.text_too_long", maxText)
		}
	}
	if in.Hashtag != "" {
		in.Hashtag = "#" + strings.TrimLeft(in.Hashtag, "#")
		if strings.ContainsAny(in.Hashtag, " \t\n,;") || utf8.RuneCountInString(in.Hashtag) > maxHashtag {
			es.Add("hashtag", "alert.incident.hashtag_invalid", in.Hashtag, maxHashtag)
		}
	}
	if len(in.Numbers) > maxItems {
		es.Add("numbers", "alert.incident.numbers_too_many", maxItems)
	} else {
		for i, n := range in.Numbers {
			in.Numbers[i].Label, in.Numbers[i].Number = strings.TrimSpace(n.Label), strings.TrimSpace(n.Number)
			if in.Numbers[i].Number == "" || strings.Trim(in.Numbers[i].Number, "+0123456789 ./-") != "" {
				es.Add("numbers", "alert.incident.number_invalid", in.Numbers[i].Number)
				break
			}
		}
	}
	if len(in.Links) > maxItems {
		es.Add("links", "alert.incident.links_too_many", maxItems)
	} else {
		for i, l := range in.Links {
			u, err := url.Parse(strings.TrimSpace(l.URL))
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				es.Add("links", "alert.incident.link_invalid", strings.TrimSpace(l.URL))
				break
			}
			in.Links[i].URL, in.Links[i].Label = u.String(), strings.TrimSpace(l.Label)
		}
	}
	if len(in.ZoneIDs) > maxZoneIDs {
		es.Add("zone", "alert.incident.zones_too_many", maxZoneIDs)
	}
	if p := in.Area.normalize(); p != nil {
		es.Add("area", "alert.area."+string(p.code), p.args...)
	}
	return es.Err()
}

// areaCode says what is wrong with a drawn area or with a zone's polygon.
// It ends the message key: alert.area.… for an incident's area,
// alert.zone.… for a zone of a GeoJSON file (which names the zone first).
type areaCode string

// The problems of an area.
const (
	areaPolygonAndCircle areaCode = "polygon_and_circle"
	areaRadius           areaCode = "radius" // args: the largest radius in km
	areaTooFewVertices   areaCode = "too_few_vertices"
	areaTooManyVertices  areaCode = "too_many_vertices" // args: the most vertices
	areaNoSurface        areaCode = "no_surface"
	areaOutOfRange       areaCode = "out_of_range" // args: latitude and longitude, as text
)

// areaProblem is an area refused, with the arguments of its message. As
// an error it is read in the logs only (a CAP area left out).
type areaProblem struct {
	code areaCode
	args []any
}

func (p *areaProblem) Error() string {
	if len(p.args) == 0 {
		return "area: " + string(p.code)
	}
	return fmt.Sprintf("area: %s %v", p.code, p.args)
}

// normalize checks a drawn area and closes an open polygon ring.
func (a *Area) normalize() *areaProblem {
	if len(a.Polygon) > 0 && a.Circle != nil {
		return &areaProblem{code: areaPolygonAndCircle}
	}
	if a.Circle != nil {
		if p := a.Circle.Center.check(); p != nil {
			return p
		}
		if r := a.Circle.RadiusKm; !(r > 0 && r <= maxRadiusKm) {
			return &areaProblem{code: areaRadius, args: []any{maxRadiusKm}}
		}
	}
	if len(a.Polygon) == 0 {
		return nil
	}
	for _, pt := range a.Polygon {
		if p := pt.check(); p != nil {
			return p
		}
	}
	if a.Polygon[0] != a.Polygon[len(a.Polygon)-1] {
		a.Polygon = append(a.Polygon, a.Polygon[0])
	}
	if len(a.Polygon) < 4 {
		return &areaProblem{code: areaTooFewVertices}
	}
	if len(a.Polygon) > maxRingVertices {
		return &areaProblem{code: areaTooManyVertices, args: []any{maxRingVertices}}
	}
	if ringArea(a.Polygon) == 0 {
		return &areaProblem{code: areaNoSurface}
	}
	return nil
}

func (p Point) check() *areaProblem {
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return &areaProblem{code: areaOutOfRange, args: []any{
			strconv.FormatFloat(p.Lat, 'g', -1, 64), strconv.FormatFloat(p.Lon, 'g', -1, 64)}}
	}
	return nil
}

// ringArea is the shoelace area in square degrees: zero for a ring whose
// points all lie on a line.
func ringArea(ring []Point) float64 {
	var a float64
	for i := 0; i+1 < len(ring); i++ {
		a += ring[i].Lon*ring[i+1].Lat - ring[i+1].Lon*ring[i].Lat
	}
	return math.Abs(a / 2)
}

const incidentColumns = `id, org_id, type, colour, title, description, hashtag, instructions, numbers, links, zone_ids, area,
	area_desc, status, exercise, source, source_ref, started_at, resolved_at, COALESCE(created_by, ''), created_at, updated_at`

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var (
		in                          Incident
		numbers, links, zones, area string
		typ, colour, status         string
		started, resolved           sql.NullTime
	)
	err := sc.Scan(&in.ID, &in.OrgID, &typ, &colour, &in.Title, &in.Description, &in.Hashtag, &in.Instructions, &numbers,
		&links, &zones, &area, &in.AreaDesc, &status, &in.Exercise, &in.Source, &in.SourceRef, &started, &resolved,
		&in.CreatedBy, &in.CreatedAt, &in.UpdatedAt)
	if err != nil {
		return Incident{}, err
	}
	in.Type, in.Colour, in.Status = Type(typ), Colour(colour), Status(status)
	in.StartedAt, in.ResolvedAt = started.Time, resolved.Time
	// The columns are written by this package only; a damaged one shows
	// as empty rather than failing the live page.
	_ = json.Unmarshal([]byte(numbers), &in.Numbers)
	_ = json.Unmarshal([]byte(links), &in.Links)
	_ = json.Unmarshal([]byte(zones), &in.ZoneIDs)
	_ = json.Unmarshal([]byte(area), &in.Area)
	return in, nil
}

// CreateIncident opens an incident as a draft: its first alert makes it
// active and opens the live page.
func (s *Service) CreateIncident(ctx context.Context, orgID, personID string, in IncidentInput) (Incident, error) {
	return s.createIncident(ctx, orgID, personID, in, "manual", "")
}

func (s *Service) createIncident(ctx context.Context, orgID, personID string, in IncidentInput, source, ref string) (Incident, error) {
	if err := in.validate(); err != nil {
		return Incident{}, err
	}
	id := store.NewID()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.fillAreaDesc(ctx, tx, orgID, &in); err != nil {
			return err
		}
		numbers, links, zones, area := jsonOf(in.Numbers, "[]"), jsonOf(in.Links, "[]"), jsonOf(in.ZoneIDs, "[]"), jsonOf(in.Area, "{}")
		now := s.now()
		_, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, org_id, type, colour, title, description, hashtag, instructions,
			numbers, links, zone_ids, area, area_desc, status, exercise, source, source_ref, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $15, $16, $17, $18, $18)`,
			id, orgID, string(in.Type), string(in.Colour), in.Title, in.Description, in.Hashtag, in.Instructions, numbers, links,
			zones, area, in.AreaDesc, in.Exercise, source, ref, nullable(personID), now)
		if err != nil {
			return store.Normalize(err)
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "incident.created", TargetType: "incident", TargetID: id,
			TargetLabel: in.Title, After: map[string]any{"type": in.Type, "colour": in.Colour, "exercise": in.Exercise, "source": source}})
	})
	if err != nil {
		return Incident{}, fmt.Errorf("alert: create incident: %w", err)
	}
	return s.Incident(ctx, orgID, id)
}

// UpdateIncident edits an incident that is not resolved. Its colour may
// change; the public sees the change with the next alert or update.
func (s *Service) UpdateIncident(ctx context.Context, orgID, id string, in IncidentInput) (Incident, error) {
	if err := in.validate(); err != nil {
		return Incident{}, err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := scanIncident(tx.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if cur.Status == StatusResolved {
			return valid.New("status", "alert.incident.resolved")
		}
		if cur.Status == StatusActive && cur.Exercise != in.Exercise {
			return valid.New("exercise", "alert.incident.exercise_locked")
		}
		if err := s.fillAreaDesc(ctx, tx, orgID, &in); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE incidents SET type = $1, colour = $2, title = $3, description = $4, hashtag = $5,
			instructions = $6, numbers = $7, links = $8, zone_ids = $9, area = $10, area_desc = $11, exercise = $12, updated_at = $13
			WHERE id = $14`, string(in.Type), string(in.Colour), in.Title, in.Description, in.Hashtag, in.Instructions,
			jsonOf(in.Numbers, "[]"), jsonOf(in.Links, "[]"), jsonOf(in.ZoneIDs, "[]"), jsonOf(in.Area, "{}"), in.AreaDesc, in.Exercise,
			s.now(), id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "incident.updated", TargetType: "incident", TargetID: id,
			TargetLabel: in.Title, Before: map[string]any{"colour": cur.Colour, "title": cur.Title},
			After: map[string]any{"colour": in.Colour, "title": in.Title}})
	})
	if err != nil {
		return Incident{}, fmt.Errorf("alert: update incident: %w", err)
	}
	return s.Incident(ctx, orgID, id)
}

// fillAreaDesc checks the zones belong to the organisation and names the
// area after them when no description was given (CAP requires areaDesc).
func (s *Service) fillAreaDesc(ctx context.Context, q store.Querier, orgID string, in *IncidentInput) error {
	var names []string
	for _, zid := range in.ZoneIDs {
		var name string
		err := q.QueryRowContext(ctx, `SELECT name FROM alert_zones WHERE org_id = $1 AND id = $2`, orgID, zid).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return valid.New("zone", "alert.incident.zone_unknown", zid)
		}
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	if strings.TrimSpace(in.AreaDesc) == "" {
		in.AreaDesc = strings.Join(names, ", ")
	}
	if in.AreaDesc == "" && !in.Area.Empty() {
		in.AreaDesc = "Area indicata sulla mappa"
	}
	return nil
}

// Incident returns one incident.
func (s *Service) Incident(ctx context.Context, orgID, id string) (Incident, error) {
	in, err := scanIncident(s.DB.Read.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE org_id = $1 AND id = $2`,
		orgID, id))
	if err != nil {
		return Incident{}, fmt.Errorf("alert: incident %s: %w", id, store.Normalize(err))
	}
	return in, nil
}

// Incidents lists an organisation's incidents, active first, then drafts,
// then the resolved ones, newest first within each.
func (s *Service) Incidents(ctx context.Context, orgID string, limit int) ([]Incident, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE org_id = $1
		ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, created_at DESC, id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("alert: incidents: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("alert: incidents: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// ActiveIncidents lists the incidents whose live page is open.
func (s *Service) ActiveIncidents(ctx context.Context, orgID string) ([]Incident, error) {
	all, err := s.Incidents(ctx, orgID, 100)
	if err != nil {
		return nil, err
	}
	var out []Incident
	for _, in := range all {
		if in.Status == StatusActive {
			out = append(out, in)
		}
	}
	return out, nil
}

func jsonOf(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
