// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Zone is one of the organisation's named areas (a rione, a quartiere,
// the coast), drawn once and chosen by name when an incident opens.
type Zone struct {
	ID    string
	OrgID string
	Name  string
	// Rings are the zone's polygons, each a closed ring of points (holes
	// are not kept: CAP areas have none).
	Rings     [][]Point
	CreatedAt time.Time
}

// MaxZonesFile bounds an imported GeoJSON file.
const MaxZonesFile = 5 << 20

// Limits of a GeoJSON file of zones.
const (
	maxZones        = 500
	maxZoneName     = 100
	maxZonePolygons = 50
)

// zonesField is the form field of the GeoJSON file, named by its errors.
const zonesField = "geojson"

// ParseZones reads named zones from a GeoJSON FeatureCollection (or a
// single Feature) of Polygon and MultiPolygon geometries, as exported by
// QGIS or geojson.io. The name is the feature's "name", "nome" or
// "NOME" property. Coordinates are GeoJSON's [longitude, latitude].
func ParseZones(data []byte) ([]Zone, error) {
	if len(data) > MaxZonesFile {
		return nil, valid.New(zonesField, "alert.zones.too_big", MaxZonesFile>>20)
	}
	type geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   *geometry      `json:"geometry"`
	}
	var doc struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
		feature
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, valid.New(zonesField, "alert.zones.unreadable")
	}
	feats := doc.Features
	switch doc.Type {
	case "FeatureCollection":
	case "Feature":
		feats = []feature{{Type: "Feature", Properties: doc.Properties, Geometry: doc.Geometry}}
	default:
		return nil, valid.New(zonesField, "alert.zones.not_features", truncate(doc.Type, 100))
	}
	if len(feats) == 0 {
		return nil, valid.New(zonesField, "alert.zones.empty")
	}
	if len(feats) > maxZones {
		return nil, valid.New(zonesField, "alert.zones.too_many", maxZones)
	}
	var out []Zone
	seen := map[string]bool{}
	for i, f := range feats {
		name := ""
		for _, k := range []string{"name", "nome", "NOME", "Name"} {
			if v, ok := f.Properties[k].(string); ok && strings.TrimSpace(v) != "" {
				name = strings.TrimSpace(v)
				break
			}
		}
		if name == "" {
			return nil, valid.New(zonesField, "alert.zone.unnamed", i+1)
		}
		if utf8.RuneCountInString(name) > maxZoneName || !utf8.ValidString(name) {
			return nil, valid.New(zonesField, "alert.zone.name_too_long", i+1, maxZoneName)
		}
		if seen[name] {
			return nil, valid.New(zonesField, "alert.zone.duplicate", name)
		}
		seen[name] = true
		if f.Geometry == nil {
			return nil, valid.New(zonesField, "alert.zone.no_geometry", name)
		}
		var polys [][][][]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, valid.New(zonesField, "alert.zone.coordinates_invalid", name)
			}
			polys = [][][][]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, valid.New(zonesField, "alert.zone.coordinates_invalid", name)
			}
		default:
			return nil, valid.New(zonesField, "alert.zone.geometry_unsupported", name, truncate(f.Geometry.Type, 100))
		}
		z := Zone{Name: name}
		for _, p := range polys {
			if len(p) == 0 {
				return nil, valid.New(zonesField, "alert.zone.polygon_empty", name)
			}
			// The outer ring only: CAP has no holes.
			a := Area{}
			for _, c := range p[0] {
				if len(c) < 2 {
					return nil, valid.New(zonesField, "alert.zone.point_incomplete", name)
				}
				a.Polygon = append(a.Polygon, Point{Lat: c[1], Lon: c[0]})
			}
			if prob := a.normalize(); prob != nil {
				// The area's own problem, said of this zone.
				return nil, valid.New(zonesField, "alert.zone."+string(prob.code), append([]any{name}, prob.args...)...)
			}
			z.Rings = append(z.Rings, a.Polygon)
		}
		if len(z.Rings) > maxZonePolygons {
			return nil, valid.New(zonesField, "alert.zone.too_many_polygons", name, maxZonePolygons)
		}
		out = append(out, z)
	}
	return out, nil
}

// ImportZones stores the zones of a GeoJSON file; a zone with the name of
// an existing one replaces its shape. All or nothing.
func (s *Service) ImportZones(ctx context.Context, orgID string, data []byte) ([]Zone, error) {
	zones, err := ParseZones(data)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := range zones {
			z := &zones[i]
			z.OrgID, z.CreatedAt = orgID, now
			geom, err := json.Marshal(z.Rings)
			if err != nil {
				return err
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO alert_zones (id, org_id, name, geometry, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (org_id, name) DO UPDATE SET geometry = excluded.geometry RETURNING id`,
				store.NewID(), orgID, z.Name, string(geom), now).Scan(&z.ID)
			if err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "alert.zones_imported", TargetType: "organisation",
			TargetID: orgID, After: map[string]int{"zones": len(zones)}})
	})
	if err != nil {
		return nil, fmt.Errorf("alert: import zones: %w", err)
	}
	return zones, nil
}

// Zones lists the organisation's zones by name.
func (s *Service) Zones(ctx context.Context, orgID string) ([]Zone, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT id, org_id, name, geometry, created_at FROM alert_zones WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("alert: zones: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Zone
	for rows.Next() {
		var z Zone
		var geom string
		if err := rows.Scan(&z.ID, &z.OrgID, &z.Name, &geom, &z.CreatedAt); err != nil {
			return nil, fmt.Errorf("alert: zones: %w", err)
		}
		_ = json.Unmarshal([]byte(geom), &z.Rings)
		out = append(out, z)
	}
	return out, rows.Err()
}

// zonesOf returns the zones an incident names, in its order.
func (s *Service) zonesOf(ctx context.Context, in Incident) ([]Zone, error) {
	if len(in.ZoneIDs) == 0 {
		return nil, nil
	}
	all, err := s.Zones(ctx, in.OrgID)
	if err != nil {
		return nil, err
	}
	byID := map[string]Zone{}
	for _, z := range all {
		byID[z.ID] = z
	}
	var out []Zone
	for _, id := range in.ZoneIDs {
		if z, ok := byID[id]; ok {
			out = append(out, z)
		}
	}
	return out, nil
}
