// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Point is a WGS 84 position in decimal degrees.
type Point struct {
	Lat, Lon float64
}

// String writes p as CAP does: "lat,lon".
func (p Point) String() string {
	return strconv.FormatFloat(p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lon, 'f', -1, 64)
}

// FormatPolygon writes a ring of points as a CAP polygon, repeating the
// first point at the end when the ring is not closed already.
func FormatPolygon(ring []Point) string {
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		ring = append(ring[:len(ring):len(ring)], ring[0])
	}
	parts := make([]string, len(ring))
	for i, p := range ring {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}

// FormatCircle writes a CAP circle: the centre and a radius in kilometres.
func FormatCircle(centre Point, radiusKm float64) string {
	return centre.String() + " " + strconv.FormatFloat(radiusKm, 'f', -1, 64)
}

// polygonProblem says what is wrong with a CAP polygon, or "".
func polygonProblem(s string) string {
	pairs := strings.Fields(s)
	if len(pairs) < 4 {
		return fmt.Sprintf("needs at least 4 coordinate pairs \"lat,lon\" separated by spaces, has %d", len(pairs))
	}
	points := make([]Point, len(pairs))
	for i, pair := range pairs {
		p, err := parsePoint(pair)
		if err != nil {
			return fmt.Sprintf("pair %d %q: %v", i+1, pair, err)
		}
		points[i] = p
	}
	if points[0] != points[len(points)-1] {
		return "the first and last coordinate pairs must be the same"
	}
	return ""
}

// circleProblem says what is wrong with a CAP circle, or "".
func circleProblem(s string) string {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return "want \"lat,lon radius\" with the radius in kilometres"
	}
	if _, err := parsePoint(fields[0]); err != nil {
		return fmt.Sprintf("centre %q: %v", fields[0], err)
	}
	r, ok := parseDecimal(fields[1])
	if !ok || r < 0 {
		return fmt.Sprintf("radius %q is not a non-negative number of kilometres", fields[1])
	}
	return ""
}

// parsePoint reads "lat,lon" in decimal degrees.
func parsePoint(s string) (Point, error) {
	latText, lonText, ok := strings.Cut(s, ",")
	if !ok {
		return Point{}, errors.New("want \"lat,lon\"")
	}
	lat, ok := parseDecimal(latText)
	if !ok || lat < -90 || lat > 90 {
		return Point{}, errors.New("latitude must be a number in [-90, 90]")
	}
	lon, ok := parseDecimal(lonText)
	if !ok || lon < -180 || lon > 180 {
		return Point{}, errors.New("longitude must be a number in [-180, 180]")
	}
	return Point{Lat: lat, Lon: lon}, nil
}

// parseDecimal reads a plain decimal number (xs:decimal: an optional sign,
// digits and an optional fraction), refusing what strconv.ParseFloat would
// also take: exponents, hexadecimal, underscores, Inf and NaN.
func parseDecimal(s string) (float64, bool) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body == "." {
		return 0, false
	}
	dot := false
	for _, c := range body {
		switch {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
