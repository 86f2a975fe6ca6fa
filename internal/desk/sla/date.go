// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sla

import (
	"fmt"
	"slices"
	"time"
)

// Date is a civil date with no time zone: holidays and closed days are
// calendar facts, the same in every zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO date, 2006-01-02.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: bad date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String formats d as 2006-01-02.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// time returns midnight UTC of d, normalising out-of-range fields.
func (d Date) time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// AddDays returns the date n days after d (before it when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return d.time().Weekday()
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MonthDay is a day that recurs every year, such as a patron saint's day.
// The zero value means none.
type MonthDay struct {
	Month time.Month
	Day   int
}

// IsZero reports whether md is unset.
func (md MonthDay) IsZero() bool { return md == MonthDay{} }

// valid reports whether md names a day of some year (29 February included).
func (md MonthDay) valid() bool {
	if md.Month < time.January || md.Month > time.December || md.Day < 1 {
		return false
	}
	// 2024 is a leap year, so 29 February counts as valid.
	return md.Day <= time.Date(2024, md.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Easter returns Easter Sunday of the Gregorian year, by the anonymous
// Gregorian algorithm (Meeus/Jones/Butcher).
func Easter(year int) Date {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// sanFrancescoFrom is the first year 4 October is again a national holiday
// (Law 151/2025).
const sanFrancescoFrom = 2026

// fixedHolidays are the national holidays on a fixed date, 4 October aside.
var fixedHolidays = []MonthDay{
	{time.January, 1}, {time.January, 6}, {time.April, 25}, {time.May, 1},
	{time.June, 2}, {time.August, 15}, {time.November, 1}, {time.December, 8},
	{time.December, 25}, {time.December, 26},
}

// Holidays returns the Italian national public holidays of year, sorted and
// without duplicates (Easter Monday may fall on 25 April). The current list
// is applied to every year: past changes to the calendar are not modelled,
// apart from 4 October, counted from 2026.
func Holidays(year int) []Date {
	out := make([]Date, 0, len(fixedHolidays)+3)
	for _, md := range fixedHolidays {
		out = append(out, Date{year, md.Month, md.Day})
	}
	if year >= sanFrancescoFrom {
		out = append(out, Date{year, time.October, 4})
	}
	e := Easter(year)
	out = append(out, e, e.AddDays(1))
	slices.SortFunc(out, Date.Compare)
	return slices.Compact(out)
}

// isHoliday reports whether d is a national public holiday, without
// allocating: Closed runs once per day of every Add and Between.
func isHoliday(d Date) bool {
	for _, md := range fixedHolidays {
		if d.Month == md.Month && d.Day == md.Day {
			return true
		}
	}
	if d.Month == time.October && d.Day == 4 && d.Year >= sanFrancescoFrom {
		return true
	}
	if d.Month != time.March && d.Month != time.April {
		return false
	}
	e := Easter(d.Year)
	return d == e || d == e.AddDays(1)
}
