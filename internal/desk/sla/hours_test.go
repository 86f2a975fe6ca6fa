// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sla

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func romeLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustParse(t testing.TB, spec string) Hours {
	t.Helper()
	h, err := ParseHours(spec)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAdd(t *testing.T) {
	rome := romeLoc(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, rome)
	}
	def := DefaultHours(nil)
	weekdays := mustParse(t, "lun-ven 08:30-13:00,14:00-17:00")
	trieste := DefaultHours(rome)
	trieste.PatronDay = MonthDay{time.November, 3}
	milano := DefaultHours(rome)
	milano.PatronDay = MonthDay{time.December, 7}
	torino := mustParse(t, "lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00; patrono 24 giu")
	allDay := mustParse(t, "lun-dom 00:00-24:00")
	night := mustParse(t, "dom 01:00-04:00")
	ferragosto := DefaultHours(rome)
	ferragosto.Extra = []Date{{2026, time.August, 14}}
	always := DefaultHours(rome)
	always.Always = true

	tests := []struct {
		name  string
		h     Hours
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"Friday to Monday over lunch hours", weekdays, at(2026, 1, 16, 16, 0), 4 * time.Hour, at(2026, 1, 19, 11, 30)},
		{"Friday to Saturday", def, at(2026, 1, 16, 16, 0), 4 * time.Hour, at(2026, 1, 17, 11, 30)},
		{"Friday to Monday", def, at(2026, 1, 16, 16, 0), 6 * time.Hour, at(2026, 1, 19, 10, 0)},
		{"over lunch", def, at(2026, 1, 19, 12, 0), 2 * time.Hour, at(2026, 1, 19, 15, 0)},
		{"start at lunch", def, at(2026, 1, 19, 13, 30), time.Hour, at(2026, 1, 19, 15, 0)},
		{"start before opening", def, at(2026, 1, 19, 7, 0), 30 * time.Minute, at(2026, 1, 19, 9, 0)},
		{"start after closing", def, at(2026, 1, 19, 20, 0), 30 * time.Minute, at(2026, 1, 20, 9, 0)},
		{"ends at closing time", def, at(2026, 1, 19, 16, 30), time.Hour, at(2026, 1, 19, 17, 30)},
		{"ends at lunch", def, at(2026, 1, 19, 12, 0), time.Hour, at(2026, 1, 19, 13, 0)},
		{"start on Sunday", def, at(2026, 1, 18, 10, 0), time.Hour, at(2026, 1, 19, 9, 30)},
		{"start on 1 May", def, at(2026, 5, 1, 10, 0), time.Hour, at(2026, 5, 2, 10, 0)},
		{"seconds", def, at(2026, 1, 19, 9, 0), 90 * time.Second, at(2026, 1, 19, 9, 1).Add(30 * time.Second)},
		// Easter 2027 is 28 March, also the day clocks go forward.
		{"Easter 2027", def, at(2027, 3, 27, 11, 0), 2 * time.Hour, at(2027, 3, 30, 9, 30)},
		{"Easter Monday 2027", def, at(2027, 3, 29, 9, 0), time.Hour, at(2027, 3, 30, 9, 30)},
		{"Christmas 2026", def, at(2026, 12, 24, 17, 0), time.Hour, at(2026, 12, 28, 9, 0)},
		{"Christmas into 2027", def, at(2026, 12, 31, 17, 0), 4 * time.Hour, at(2027, 1, 4, 9, 0)},
		{"Trieste San Giusto", trieste, at(2026, 11, 2, 17, 0), time.Hour, at(2026, 11, 4, 9, 0)},
		{"Milano Sant'Ambrogio", milano, at(2026, 12, 5, 11, 0), 2 * time.Hour, at(2026, 12, 9, 9, 30)},
		{"Torino San Giovanni", torino, at(2026, 6, 23, 17, 0), time.Hour, at(2026, 6, 25, 9, 0)},
		{"no patron day", def, at(2026, 11, 2, 17, 0), time.Hour, at(2026, 11, 3, 9, 0)},
		{"extra closed day", ferragosto, at(2026, 8, 13, 17, 0), time.Hour, at(2026, 8, 17, 9, 0)},
		{"San Francesco 2027", def, at(2027, 10, 1, 17, 0), 4 * time.Hour, at(2027, 10, 5, 9, 0)},
		{"San Francesco 2025 was a working day", def, at(2025, 10, 3, 17, 0), 3*time.Hour + 30*time.Minute, at(2025, 10, 4, 12, 0)},
		// DST 2026: 29 March clocks go forward, 25 October back.
		{"Monday after spring DST", def, at(2026, 3, 28, 11, 30), time.Hour, at(2026, 3, 30, 9, 0)},
		{"24h desk on spring DST day", allDay, at(2026, 3, 29, 0, 0), 24 * time.Hour, at(2026, 3, 30, 1, 0)},
		{"24h desk on autumn DST day", allDay, at(2026, 10, 25, 0, 0), 24 * time.Hour, at(2026, 10, 25, 23, 0)},
		{"night desk on spring DST day", night, at(2026, 3, 29, 0, 0), 2 * time.Hour, at(2026, 3, 29, 4, 0)},
		{"night desk after spring DST day", night, at(2026, 3, 29, 0, 0), 3 * time.Hour, at(2026, 4, 12, 2, 0)}, // 5 April is Easter
		{"night desk on autumn DST day", night, at(2026, 10, 25, 0, 0), 4 * time.Hour, at(2026, 10, 25, 4, 0)},
		{"Always on spring DST night", always, at(2026, 3, 28, 23, 0), 5 * time.Hour, at(2026, 3, 29, 5, 0)},
		{"Always on a holiday", always, at(2026, 12, 25, 10, 0), time.Hour, at(2026, 12, 25, 11, 0)},
		{"no open hour is Always", Hours{Loc: rome}, at(2026, 1, 18, 10, 0), time.Hour, at(2026, 1, 18, 11, 0)},
		{"zero duration", def, at(2026, 1, 18, 10, 0), 0, at(2026, 1, 18, 10, 0)},
		{"negative duration", def, at(2026, 1, 18, 10, 0), -time.Hour, at(2026, 1, 18, 10, 0)},
		// 8 hours x 5 + 3 = 43 hours a week; 6 weeks from Monday 7 September.
		{"six weeks", def, at(2026, 9, 7, 8, 30), 6 * 43 * time.Hour, at(2026, 10, 17, 12, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Errorf("Add(%s, %s) = %s, want %s", tt.start, tt.d, got.In(rome), tt.want)
			}
			if got.Location() != tt.start.Location() {
				t.Errorf("Add returned a time in %s, want %s", got.Location(), tt.start.Location())
			}
			if tt.d > 0 {
				if back := tt.h.Between(tt.start, got); back != tt.d {
					t.Errorf("Between(start, Add(start, %s)) = %s", tt.d, back)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	rome := romeLoc(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, rome)
	}
	def := DefaultHours(rome)
	allDay := mustParse(t, "lun-dom 00:00-24:00")
	night := mustParse(t, "dom 01:00-04:00")
	always := Hours{Always: true}
	tests := []struct {
		name string
		h    Hours
		a, b time.Time
		want time.Duration
	}{
		{"one working day", def, at(2026, 1, 19, 0, 0), at(2026, 1, 20, 0, 0), 8 * time.Hour},
		{"one week", def, at(2026, 1, 19, 0, 0), at(2026, 1, 26, 0, 0), 43 * time.Hour},
		{"inside lunch", def, at(2026, 1, 19, 13, 10), at(2026, 1, 19, 13, 50), 0},
		{"weekend", def, at(2026, 1, 17, 12, 0), at(2026, 1, 19, 8, 30), 0},
		{"reversed", def, at(2026, 1, 19, 10, 0), at(2026, 1, 19, 9, 0), -time.Hour},
		{"equal", def, at(2026, 1, 19, 10, 0), at(2026, 1, 19, 10, 0), 0},
		{"Easter 2027", def, at(2027, 3, 26, 17, 0), at(2027, 3, 30, 9, 0), 30*time.Minute + 3*time.Hour + 30*time.Minute},
		{"spring DST day", allDay, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0), 23 * time.Hour},
		{"autumn DST day", allDay, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0), 25 * time.Hour},
		{"spring DST night", night, at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0), 2 * time.Hour},
		{"autumn DST night", night, at(2026, 10, 25, 0, 0), at(2026, 10, 26, 0, 0), 4 * time.Hour},
		{"Always", always, at(2026, 12, 25, 0, 0), at(2026, 12, 26, 0, 0), 24 * time.Hour},
		{"UTC instants", def, time.Date(2026, 1, 19, 7, 30, 0, 0, time.UTC), time.Date(2026, 1, 19, 8, 30, 0, 0, time.UTC), time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Between(tt.a, tt.b); got != tt.want {
				t.Errorf("Between(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	h := DefaultHours(nil)
	h.PatronDay = MonthDay{time.June, 24}
	h.Extra = []Date{{2026, time.August, 14}}
	tests := []struct {
		day  Date
		want bool
	}{
		{Date{2026, 1, 19}, false}, // Monday
		{Date{2026, 1, 17}, false}, // Saturday
		{Date{2026, 1, 18}, true},  // Sunday
		{Date{2026, 1, 6}, true},   // Epiphany
		{Date{2026, 4, 6}, true},   // Easter Monday
		{Date{2026, 6, 24}, true},  // patron
		{Date{2027, 6, 24}, true},  // patron, every year
		{Date{2026, 8, 14}, true},  // extra
		{Date{2027, 8, 14}, false}, // extra, that year only
		{Date{2025, 10, 4}, false}, // San Francesco, before 2026
		{Date{2027, 10, 4}, true},  // San Francesco
	}
	for _, tt := range tests {
		if got := h.Closed(tt.day); got != tt.want {
			t.Errorf("Closed(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	h.Always = true
	if h.Closed(Date{2026, 12, 25}) {
		t.Error("an Always desk is closed on Christmas")
	}
}

// TestHandBuiltHours checks that unsorted, overlapping and out-of-range
// intervals built without ParseHours are counted as their union.
func TestHandBuiltHours(t *testing.T) {
	rome := romeLoc(t)
	var h Hours
	h.Week[time.Monday] = []Interval{{At(14, 0), At(16, 0)}, {At(9, 0), At(12, 0)}, {At(11, 0), At(13, 0)}, {At(20, 0), At(19, 0)}, {At(23, 0), At(30, 0)}}
	a := time.Date(2026, 1, 19, 0, 0, 0, 0, rome)
	if got, want := h.Between(a, a.AddDate(0, 0, 1)), 7*time.Hour; got != want {
		t.Errorf("Between = %s, want %s", got, want)
	}
	if got, want := h.Add(a, 5*time.Hour), time.Date(2026, 1, 19, 15, 0, 0, 0, rome); !got.Equal(want) {
		t.Errorf("Add = %s, want %s", got, want)
	}
}

// TestAddBetweenProperty checks on random starts and durations that Between
// gives back what Add added, and that deadlines fall within open hours.
func TestAddBetweenProperty(t *testing.T) {
	rome := romeLoc(t)
	r := rand.New(rand.NewPCG(1, 2))
	specs := []Hours{
		DefaultHours(nil),
		mustParse(t, "lun-dom 00:00-24:00"),
		mustParse(t, "lun-ven 08:30-13:00,14:00-17:30; dom 01:00-04:00; patrono 7 dic"),
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, rome).Unix()
	to := time.Date(2031, 1, 1, 0, 0, 0, 0, rome).Unix()
	for i := range 20000 {
		h := specs[i%len(specs)]
		start := time.Unix(from+r.Int64N(to-from), 0).In(rome)
		if i%4 == 0 {
			start = start.Truncate(30 * time.Minute) // often on an opening or closing
		}
		d := time.Duration(1 + r.Int64N(int64(8*7*24*time.Hour)))
		if i%3 == 0 {
			d = d.Truncate(time.Minute)
		}
		if d <= 0 {
			d = time.Minute
		}
		end := h.Add(start, d)
		if got := h.Between(start, end); got != d {
			t.Fatalf("%v: Between(%s, Add(start, %s) = %s) = %s", h, start, d, end, got)
		}
		if !end.After(start) {
			t.Fatalf("%v: Add(%s, %s) = %s is not after start", h, start, d, end)
		}
		// Just before the deadline the desk is open: no business time is
		// skipped at the end.
		if got := h.Between(end.Add(-time.Nanosecond), end); got != time.Nanosecond {
			t.Fatalf("%v: deadline %s is not at the end of open time", h, end)
		}
		// Between then Add lands no later than b, and at b's business time.
		b := start.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
		bd := h.Between(start, b)
		if bd > 0 {
			if got := h.Add(start, bd); got.After(b) || h.Between(got, b) != 0 {
				t.Fatalf("%v: Add(%s, Between(start, %s) = %s) = %s", h, start, b, bd, got)
			}
		}
	}
}

func BenchmarkAddEightWeeks(b *testing.B) {
	h := DefaultHours(nil)
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	for b.Loop() {
		h.Add(start, 8*43*time.Hour)
	}
}

func TestBetweenSaturates(t *testing.T) {
	// An unset first-response time must not wrap around to a negative figure.
	b := time.Date(2026, 1, 19, 10, 0, 0, 0, time.UTC)
	h := DefaultHours(nil)
	if got := h.Between(time.Time{}, b); got != math.MaxInt64 {
		t.Errorf("Between(zero time, 2026) = %s, want the maximum Duration", got)
	}
	if got := h.Between(b, time.Time{}); got != -math.MaxInt64 {
		t.Errorf("Between(2026, zero time) = %s, want minus the maximum Duration", got)
	}
}
