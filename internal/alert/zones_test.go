// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"reflect"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/valid"
)

// wantRefused checks that err refuses field with key and, when given,
// these arguments.
func wantRefused(t *testing.T, err error, field, key string, args ...any) {
	t.Helper()
	es, _ := valid.As(err)
	for _, e := range es {
		if e.Field == field && e.Key == key && (len(args) == 0 || reflect.DeepEqual(e.Args, args)) {
			return
		}
	}
	t.Errorf("got %v, want %s on %s %v", err, key, field, args)
}

// zonesOf is a FeatureCollection of the features given.
func zonesOf(features ...string) []byte {
	return []byte(`{"type": "FeatureCollection", "features": [` + strings.Join(features, ",") + `]}`)
}

func zoneFeature(name, geometry string) string {
	return `{"type": "Feature", "properties": {"name": "` + name + `"}, "geometry": ` + geometry + `}`
}

const zoneSquare = `{"type": "Polygon", "coordinates": [[[13.72, 45.67], [13.75, 45.67], [13.75, 45.69], [13.72, 45.69], [13.72, 45.67]]]}`

// TestParseZonesRefused: each fault of a GeoJSON file is named by its key,
// on the form's file field, with the zone it is about.
func TestParseZonesRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		key  string
		args []any
	}{
		{"too big", make([]byte, MaxZonesFile+1), "alert.zones.too_big", []any{5}},
		{"not JSON", []byte(`{"type": "FeatureCollection",`), "alert.zones.unreadable", nil},
		{"not an object", []byte(`[1, 2]`), "alert.zones.unreadable", nil},
		{"a geometry alone", []byte(zoneSquare), "alert.zones.not_features", []any{"Polygon"}},
		{"no features", zonesOf(), "alert.zones.empty", nil},
		{"too many", zonesOf(strings.Repeat(zoneFeature("x", zoneSquare)+",", maxZones) + zoneFeature("y", zoneSquare)),
			"alert.zones.too_many", []any{maxZones}},
		{"unnamed", zonesOf(zoneFeature("Barcola", zoneSquare), `{"type": "Feature", "properties": {}, "geometry": `+zoneSquare+`}`),
			"alert.zone.unnamed", []any{2}},
		{"long name", zonesOf(zoneFeature(strings.Repeat("a", maxZoneName+1), zoneSquare)), "alert.zone.name_too_long",
			[]any{1, maxZoneName}},
		{"twice", zonesOf(zoneFeature("Rive", zoneSquare), zoneFeature("Rive", zoneSquare)), "alert.zone.duplicate", []any{"Rive"}},
		{"no geometry", zonesOf(`{"type": "Feature", "properties": {"nome": "Rive"}}`), "alert.zone.no_geometry", []any{"Rive"}},
		{"bad coordinates", zonesOf(zoneFeature("Rive", `{"type": "Polygon", "coordinates": "45,13"}`)),
			"alert.zone.coordinates_invalid", []any{"Rive"}},
		{"a point", zonesOf(zoneFeature("Rive", `{"type": "Point", "coordinates": [13.7, 45.6]}`)),
			"alert.zone.geometry_unsupported", []any{"Rive", "Point"}},
		{"empty polygon", zonesOf(zoneFeature("Rive", `{"type": "Polygon", "coordinates": []}`)), "alert.zone.polygon_empty", []any{"Rive"}},
		{"point without latitude", zonesOf(zoneFeature("Rive", `{"type": "Polygon", "coordinates": [[[13.7], [13.8, 45], [13.8, 46]]]}`)),
			"alert.zone.point_incomplete", []any{"Rive"}},
		{"flat", zonesOf(zoneFeature("Costa", `{"type": "Polygon", "coordinates": [[[13, 45], [14, 45], [15, 45]]]}`)),
			"alert.zone.no_surface", []any{"Costa"}},
		{"two vertices", zonesOf(zoneFeature("Costa", `{"type": "Polygon", "coordinates": [[[13, 45], [14, 45]]]}`)),
			"alert.zone.too_few_vertices", []any{"Costa"}},
		{"latitude and longitude swapped", zonesOf(zoneFeature("Costa", `{"type": "Polygon", "coordinates": [[[45.6, 13.7], [45.7, 13.7], [45.7, 190]]]}`)),
			"alert.zone.out_of_range", []any{"Costa", "190", "45.7"}},
		{"too many polygons", zonesOf(zoneFeature("Isole", `{"type": "MultiPolygon", "coordinates": [`+
			strings.Repeat(`[[[13.72, 45.67], [13.75, 45.67], [13.75, 45.69]]],`, maxZonePolygons)+`[[[13.72, 45.67], [13.75, 45.67], [13.75, 45.69]]]]}`)),
			"alert.zone.too_many_polygons", []any{"Isole", maxZonePolygons}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zones, err := ParseZones(tc.data)
			if zones != nil {
				t.Errorf("zones %v from a refused file", zones)
			}
			wantRefused(t, err, zonesField, tc.key, tc.args...)
		})
	}
	zones, err := ParseZones(zonesOf(zoneFeature("Barcola", zoneSquare)))
	if err != nil || len(zones) != 1 || zones[0].Name != "Barcola" {
		t.Errorf("a good file: %v, %v", zones, err)
	}
}

// TestAreaProblems: the area's problem keys and their arguments, which
// ParseZones passes on after the zone's name.
func TestAreaProblems(t *testing.T) {
	square := []Point{{45, 13}, {45, 14}, {46, 14}, {46, 13}}
	many := make([]Point, maxRingVertices+1)
	for i := range many {
		many[i] = Point{Lat: 45 + float64(i)/1e4, Lon: 13 + float64(i%2)/10}
	}
	for _, tc := range []struct {
		name string
		area Area
		code areaCode
		args []any
	}{
		{"square", Area{Polygon: square}, "", nil},
		{"circle", Area{Circle: &Circle{Center: Point{45, 13}, RadiusKm: 3}}, "", nil},
		{"both", Area{Polygon: square, Circle: &Circle{Center: Point{45, 13}, RadiusKm: 3}}, areaPolygonAndCircle, nil},
		{"radius too large", Area{Circle: &Circle{Center: Point{45, 13}, RadiusKm: maxRadiusKm + 1}}, areaRadius, []any{maxRadiusKm}},
		{"centre out of range", Area{Circle: &Circle{Center: Point{-91, 13}, RadiusKm: 1}}, areaOutOfRange, []any{"-91", "13"}},
		{"too many vertices", Area{Polygon: many}, areaTooManyVertices, []any{maxRingVertices}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.area.normalize()
			switch {
			case tc.code == "" && p != nil:
				t.Errorf("refused: %v", p)
			case tc.code != "" && (p == nil || p.code != tc.code || !reflect.DeepEqual(p.args, tc.args)):
				t.Errorf("got %v, want %s %v", p, tc.code, tc.args)
			}
		})
	}
}
