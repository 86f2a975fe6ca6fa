// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sla

import (
	"slices"
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	// Published Easter Sunday dates (Gregorian calendar).
	known := map[int]Date{
		2020: {2020, time.April, 12}, 2021: {2021, time.April, 4},
		2022: {2022, time.April, 17}, 2023: {2023, time.April, 9},
		2024: {2024, time.March, 31}, 2025: {2025, time.April, 20},
		2026: {2026, time.April, 5}, 2027: {2027, time.March, 28},
		2028: {2028, time.April, 16}, 2029: {2029, time.April, 1},
		2030: {2030, time.April, 21}, 2031: {2031, time.April, 13},
		2032: {2032, time.March, 28}, 2033: {2033, time.April, 17},
		2034: {2034, time.April, 9}, 2035: {2035, time.March, 25},
		// The extremes of the range, and an Easter on 25 April.
		2285: {2285, time.March, 22}, 1943: {1943, time.April, 25},
		2038: {2038, time.April, 25}, 2008: {2008, time.March, 23},
	}
	for year, want := range known {
		if got := Easter(year); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
		if got := Easter(year).Weekday(); got != time.Sunday {
			t.Errorf("Easter(%d) is a %s", year, got)
		}
	}
}

func TestHolidays(t *testing.T) {
	d := func(y int, m time.Month, day int) Date { return Date{y, m, day} }
	tests := []struct {
		year int
		want []Date
	}{
		{2025, []Date{
			d(2025, 1, 1), d(2025, 1, 6), d(2025, 4, 20), d(2025, 4, 21), d(2025, 4, 25),
			d(2025, 5, 1), d(2025, 6, 2), d(2025, 8, 15), d(2025, 11, 1), d(2025, 12, 8),
			d(2025, 12, 25), d(2025, 12, 26),
		}},
		// San Francesco is a national holiday again from 2026.
		{2026, []Date{
			d(2026, 1, 1), d(2026, 1, 6), d(2026, 4, 5), d(2026, 4, 6), d(2026, 4, 25),
			d(2026, 5, 1), d(2026, 6, 2), d(2026, 8, 15), d(2026, 10, 4), d(2026, 11, 1),
			d(2026, 12, 8), d(2026, 12, 25), d(2026, 12, 26),
		}},
		// Easter on 25 April: Easter Monday does not double it.
		{2038, []Date{
			d(2038, 1, 1), d(2038, 1, 6), d(2038, 4, 25), d(2038, 4, 26),
			d(2038, 5, 1), d(2038, 6, 2), d(2038, 8, 15), d(2038, 10, 4), d(2038, 11, 1),
			d(2038, 12, 8), d(2038, 12, 25), d(2038, 12, 26),
		}},
	}
	for _, tt := range tests {
		got := Holidays(tt.year)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Holidays(%d) =\n%v, want\n%v", tt.year, got, tt.want)
		}
		for _, h := range got {
			if !isHoliday(h) {
				t.Errorf("isHoliday(%s) = false", h)
			}
		}
	}
	// isHoliday agrees with Holidays on every day.
	for year := 2020; year <= 2035; year++ {
		hs := Holidays(year)
		for day := (Date{year, 1, 1}); day.Year == year; day = day.AddDays(1) {
			if got, want := isHoliday(day), slices.Contains(hs, day); got != want {
				t.Errorf("isHoliday(%s) = %v, want %v", day, got, want)
			}
		}
	}
}

func TestDate(t *testing.T) {
	if got := (Date{2026, 12, 31}).AddDays(1); got != (Date{2027, 1, 1}) {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := (Date{2028, 3, 1}).AddDays(-1); got != (Date{2028, 2, 29}) {
		t.Errorf("AddDays(-1) = %s", got)
	}
	d, err := ParseDate("2026-08-14")
	if err != nil || d != (Date{2026, 8, 14}) || d.String() != "2026-08-14" {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	if _, err := ParseDate("14/08/2026"); err == nil {
		t.Error("ParseDate(14/08/2026): no error")
	}
	if c := (Date{2026, 1, 2}).Compare(Date{2025, 12, 31}); c != 1 {
		t.Errorf("Compare = %d", c)
	}
}
