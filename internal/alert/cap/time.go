// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimeLayout is how CAP writes a time: seconds and an explicit offset. CAP
// forbids the "Z" of RFC 3339, so UTC is written "+00:00"; the layout's
// "-07:00" (not "Z07:00") does exactly that.
const TimeLayout = "2006-01-02T15:04:05-07:00"

// maxOffset is the widest offset xs:dateTime allows.
const maxOffset = 14 * 60 * 60

// FormatTime writes t as CAP does, in the zone t carries: pass times in the
// organisation's zone (Europe/Rome) so the message shows local time with its
// offset. Fractions of a second are dropped.
func FormatTime(t time.Time) string { return t.Format(TimeLayout) }

// ParseTime reads a CAP time: exactly "YYYY-MM-DDThh:mm:ss" and an offset
// "+hh:mm" or "-hh:mm", as the schema's pattern says (no fraction, no "Z").
// The time keeps the offset it was written with.
func ParseTime(s string) (time.Time, error) {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return time.Time{}, fmt.Errorf("cap: time %q: CAP needs an explicit offset such as +01:00, not \"Z\"", s)
	}
	if !timeShaped(s) {
		return time.Time{}, fmt.Errorf("cap: time %q: want YYYY-MM-DDThh:mm:ss+hh:mm", s)
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cap: time %q: %w", s, err)
	}
	if err := timeRepresentable(t); err != nil {
		return time.Time{}, fmt.Errorf("cap: time %q: %w", s, err)
	}
	return t, nil
}

// timeShaped checks the schema's pattern
// \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d before time.Parse, which
// would also take a fraction of a second.
func timeShaped(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd+dd:dd"
	if len(s) != len(shape) {
		return false
	}
	for i := range len(shape) {
		c := s[i]
		switch shape[i] {
		case 'd':
			if c < '0' || c > '9' {
				return false
			}
		case '+':
			if c != '+' && c != '-' {
				return false
			}
		default:
			if c != shape[i] {
				return false
			}
		}
	}
	return true
}

// timeRepresentable reports why t cannot be written in TimeLayout without
// changing its meaning, or nil.
func timeRepresentable(t time.Time) error {
	if y := t.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("year %d is outside 0001-9999", y)
	}
	_, off := t.Zone()
	if off%60 != 0 {
		return fmt.Errorf("offset of %d seconds is not a whole number of minutes", off)
	}
	if off > maxOffset || off < -maxOffset {
		return errors.New("offset beyond ±14:00")
	}
	return nil
}
