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

// ParseZones reads named zones from a GeoJSON FeatureCollection (or a
// single Feature) of Polygon and MultiPolygon geometries, as exported by
// QGIS or geojson.io. The name is the feature's "name", "nome" or
// "NOME" property. Coordinates are GeoJSON's [longitude, latitude].
func ParseZones(data []byte) ([]Zone, error) {
	if len(data) > MaxZonesFile {
		return nil, invalidf("file GeoJSON più grande di %d MB", MaxZonesFile>>20)
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
		return nil, invalidf("GeoJSON non leggibile: %v", err)
	}
	feats := doc.Features
	switch doc.Type {
	case "FeatureCollection":
	case "Feature":
		feats = []feature{{Type: "Feature", Properties: doc.Properties, Geometry: doc.Geometry}}
	default:
		return nil, invalidf("GeoJSON: serve una FeatureCollection o una Feature, non %q", doc.Type)
	}
	if len(feats) == 0 {
		return nil, invalidf("GeoJSON senza zone")
	}
	if len(feats) > 500 {
		return nil, invalidf("GeoJSON con più di 500 zone")
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
			return nil, invalidf("zona %d senza nome (proprietà \"name\" o \"nome\")", i+1)
		}
		if utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
			return nil, invalidf("zona %d: nome troppo lungo", i+1)
		}
		if seen[name] {
			return nil, invalidf("zona %q ripetuta", name)
		}
		seen[name] = true
		if f.Geometry == nil {
			return nil, invalidf("zona %q senza geometria", name)
		}
		var polys [][][][]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, invalidf("zona %q: coordinate non valide", name)
			}
			polys = [][][][]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, invalidf("zona %q: coordinate non valide", name)
			}
		default:
			return nil, invalidf("zona %q: geometria %q; servono Polygon o MultiPolygon", name, f.Geometry.Type)
		}
		z := Zone{Name: name}
		for _, p := range polys {
			if len(p) == 0 {
				return nil, invalidf("zona %q: poligono vuoto", name)
			}
			// The outer ring only: CAP has no holes.
			a := Area{}
			for _, c := range p[0] {
				if len(c) < 2 {
					return nil, invalidf("zona %q: ogni punto ha longitudine e latitudine", name)
				}
				a.Polygon = append(a.Polygon, Point{Lat: c[1], Lon: c[0]})
			}
			if err := a.normalize(); err != nil {
				return nil, fmt.Errorf("zona %q: %w", name, err)
			}
			z.Rings = append(z.Rings, a.Polygon)
		}
		if len(z.Rings) > 50 {
			return nil, invalidf("zona %q: più di 50 poligoni", name)
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
