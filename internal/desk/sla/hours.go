// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package sla counts the citizen desk's business time: the SLA timers of a
// comune's desk run only while the office is open, not on nights, Sundays,
// national holidays or the patron saint's day.
//
// Business time is real elapsed time inside the opening intervals. Each
// interval is turned into instants in the desk's zone for its own date, so a
// day with a DST change is counted as it really is (an interval spanning the
// change is one hour shorter or longer).
package sla

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	// SLA deadlines must not move by an hour on a host without zoneinfo.
	_ "time/tzdata"
)

// Clock is a time of day in minutes after midnight, 0 to 24*60: 24:00 may
// close the last interval of a day.
type Clock int

// EndOfDay is 24:00, the end of a day.
const EndOfDay Clock = 24 * 60

// At returns the Clock of hh:mm.
func At(hh, mm int) Clock { return Clock(hh*60 + mm) }

// String formats c as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Interval is an opening interval of a day, from Start up to End.
type Interval struct {
	Start, End Clock
}

// String formats iv as HH:MM-HH:MM.
func (iv Interval) String() string { return iv.Start.String() + "-" + iv.End.String() }

// Hours is when a desk is open, in its local civil time.
//
// A configuration with no open hour at all (every day empty) is treated as
// Always by Add and Between: a desk that never opens would never reach a
// deadline, and wall time is the safer reading of such a mistake.
type Hours struct {
	// Week holds the opening intervals of each day, indexed by time.Weekday
	// (Week[time.Monday]); a day with none is closed. Intervals must not
	// cross midnight: split them at 24:00.
	Week [7][]Interval
	// Loc is the desk's time zone; nil means Europe/Rome.
	Loc *time.Location
	// PatronDay is the comune's patron saint's day, closed every year; the
	// zero value means none.
	PatronDay MonthDay
	// Extra are further closed days set by the organisation.
	Extra []Date
	// Always makes every instant business time, for 24/7 desks (urgent
	// messages run on wall time).
	Always bool
}

var rome = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		// Unreachable: time/tzdata is embedded.
		return time.UTC
	}
	return loc
})

// DefaultHours returns the usual hours of a municipal office: Monday to
// Friday 08:30-13:00 and 14:00-17:30, Saturday 09:00-12:00, Sunday closed.
func DefaultHours(loc *time.Location) Hours {
	var h Hours
	h.Loc = loc
	for d := time.Monday; d <= time.Friday; d++ {
		h.Week[d] = []Interval{{At(8, 30), At(13, 0)}, {At(14, 0), At(17, 30)}}
	}
	h.Week[time.Saturday] = []Interval{{At(9, 0), At(12, 0)}}
	return h
}

func (h Hours) loc() *time.Location {
	if h.Loc != nil {
		return h.Loc
	}
	return rome()
}

// Closed reports whether the desk stays closed all day on day: a day of the
// week with no hours, a national holiday, the patron's day or an extra
// closed day. A desk open Always is never closed; Hours with no open hour
// at all are closed every day here, though Add and Between use wall time.
func (h Hours) Closed(day Date) bool {
	return h.closed(day, h.week())
}

func (h Hours) closed(day Date, w *week) bool {
	if h.Always {
		return false
	}
	if len(w[day.Weekday()]) == 0 || isHoliday(day) {
		return true
	}
	if !h.PatronDay.IsZero() && day.Month == h.PatronDay.Month && day.Day == h.PatronDay.Day {
		return true
	}
	return slices.Contains(h.Extra, day)
}

type week [7][]Interval

// week returns the intervals of each day sorted, clamped to the day and
// merged where they overlap, so that hand-built Hours are counted right.
func (h Hours) week() *week {
	var w week
	for d, ivs := range h.Week {
		var out []Interval
		for _, iv := range ivs {
			iv.Start = max(iv.Start, 0)
			iv.End = min(iv.End, EndOfDay)
			if iv.End > iv.Start {
				out = append(out, iv)
			}
		}
		slices.SortFunc(out, func(a, b Interval) int { return int(a.Start - b.Start) })
		merged := out[:0]
		for _, iv := range out {
			if n := len(merged); n > 0 && iv.Start <= merged[n-1].End {
				merged[n-1].End = max(merged[n-1].End, iv.End)
				continue
			}
			merged = append(merged, iv)
		}
		w[d] = merged
	}
	return &w
}

func (w *week) open() bool {
	for _, ivs := range w {
		if len(ivs) > 0 {
			return true
		}
	}
	return false
}

// span returns the instants iv starts and ends on day in loc. time.Date
// resolves each clock reading on the day itself, so DST is accounted for.
func span(day Date, iv Interval, loc *time.Location) (time.Time, time.Time) {
	s := time.Date(day.Year, day.Month, day.Day, 0, int(iv.Start), 0, 0, loc)
	e := time.Date(day.Year, day.Month, day.Day, 0, int(iv.End), 0, 0, loc)
	return s, e
}

// Add returns the instant when d of business time has elapsed after start,
// in start's location. A start outside the hours counts from the next
// opening; a deadline that falls on a closing time is that closing time,
// not the next opening. Add returns start when d <= 0.
func (h Hours) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	w := h.week()
	if h.Always || !w.open() {
		return start.Add(d)
	}
	loc := h.loc()
	// The loop ends: some weekday has an interval, and holidays and extra
	// days cannot cover all of its dates.
	for day := DateOf(start.In(loc)); ; day = day.AddDays(1) {
		if h.closed(day, w) {
			continue
		}
		for _, iv := range w[day.Weekday()] {
			s, e := span(day, iv, loc)
			if !e.After(start) {
				continue
			}
			if s.Before(start) {
				s = start
			}
			avail := e.Sub(s)
			if avail <= 0 {
				continue // an interval lost to a DST change
			}
			if d <= avail {
				return s.Add(d).In(start.Location())
			}
			d -= avail
		}
	}
}

// Between returns the business time elapsed from a to b; it is negative when
// b is before a, so the same call gives both "overdue by" and "time left".
func (h Hours) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -h.Between(b, a)
	}
	w := h.week()
	if h.Always || !w.open() {
		return b.Sub(a)
	}
	loc := h.loc()
	last := DateOf(b.In(loc))
	var sum time.Duration
	for day := DateOf(a.In(loc)); day.Compare(last) <= 0; day = day.AddDays(1) {
		if h.closed(day, w) {
			continue
		}
		for _, iv := range w[day.Weekday()] {
			s, e := span(day, iv, loc)
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				// Saturate as time.Sub does, over spans of centuries
				// (a zero time.Time for a).
				if sum > math.MaxInt64-e.Sub(s) {
					return math.MaxInt64
				}
				sum += e.Sub(s)
			}
		}
	}
	return sum
}
