// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sla

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	weekdays := func(ivs ...Interval) Hours {
		var h Hours
		for d := time.Monday; d <= time.Friday; d++ {
			h.Week[d] = ivs
		}
		return h
	}
	morning := Interval{At(8, 30), At(13, 0)}
	afternoon := Interval{At(14, 0), At(17, 30)}
	withSat := func(h Hours) Hours {
		h.Week[time.Saturday] = []Interval{{At(9, 0), At(12, 0)}}
		return h
	}
	tests := []struct {
		spec string
		want Hours
		str  string // String() of the result
	}{
		{"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00", DefaultHours(nil),
			"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00"},
		{"Mon-Fri 8:30 - 13:00, 14.00-17:30;Sat 9:00–12:00; sun closed", DefaultHours(nil),
			"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00"},
		{"mon - fri 14:00-17:30,08:30-13:00;", weekdays(morning, afternoon),
			"lun-ven 08:30-13:00,14:00-17:30"},
		{"lun,mar,mer , gio,ven 08:30-13:00", weekdays(morning), "lun-ven 08:30-13:00"},
		{"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00; patrono 3 nov",
			func() Hours { h := DefaultHours(nil); h.PatronDay = MonthDay{time.November, 3}; return h }(),
			"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00; patrono 3 nov"},
		{"patron 7 Dec; closed 2026-12-24 2026-08-14, 2026-12-24; mon-fri 08:30-13:00",
			func() Hours {
				h := weekdays(morning)
				h.PatronDay = MonthDay{time.December, 7}
				h.Extra = []Date{{2026, time.August, 14}, {2026, time.December, 24}}
				return h
			}(),
			"lun-ven 08:30-13:00; patrono 7 dic; chiuso 2026-08-14,2026-12-24"},
		{"24/7", Hours{Always: true}, "24/7"},
		{"24/7; lun-ven 08:30-13:00", func() Hours { h := weekdays(morning); h.Always = true; return h }(),
			"24/7; lun-ven 08:30-13:00"},
		{"lun-dom 00:00-24:00", func() Hours {
			var h Hours
			for d := range h.Week {
				h.Week[d] = []Interval{{0, EndOfDay}}
			}
			return h
		}(), "lun-dom 00:00-24:00"},
		{"lun,mer 09:00-12:00; mar 10:00-11:00; sab,dom 10:00-12:00", func() Hours {
			var h Hours
			h.Week[time.Monday] = []Interval{{At(9, 0), At(12, 0)}}
			h.Week[time.Wednesday] = []Interval{{At(9, 0), At(12, 0)}}
			h.Week[time.Tuesday] = []Interval{{At(10, 0), At(11, 0)}}
			h.Week[time.Saturday] = []Interval{{At(10, 0), At(12, 0)}}
			h.Week[time.Sunday] = []Interval{{At(10, 0), At(12, 0)}}
			return h
		}(), "lun,mer 09:00-12:00; mar 10:00-11:00; sab,dom 10:00-12:00"},
		{"sab 09:00-12:00; lun-ven 08:30-13:00,14:00-17:30", withSat(weekdays(morning, afternoon)),
			"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseHours(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseHours = %#v, want %#v", got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
		})
	}
}

func TestParseHoursErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty hours spec"},
		{" ; ", "empty hours spec"},
		{"dom chiuso", "opens on no day"},
		{"patrono 3 nov", "opens on no day"},
		{"lun-ven", "want days then hours"},
		{"08:30-13:00", "no days before the hours"},
		{"lux 08:30-13:00", `unknown day "lux"`},
		{"ven-lun 08:30-13:00", "runs backwards"},
		{"lun 8-13", `bad time "8"`},
		{"lun 08:30", `bad interval "08:30"`},
		{"lun 08:60-09:00", `bad time "08:60"`},
		{"lun 24:30-25:00", `bad time "24:30"`},
		{"lun 13:00-08:30", "ends before it starts"},
		{"lun 22:00-02:00", "cross midnight"},
		{"lun 08:00-12:00,11:00-13:00", "overlap"},
		{"lun 08:00 12:00", "unexpected space"},
		{"lun dalle 08:00-12:00", `unexpected space in "lun dalle"`},
		{"lun-ven 08:30-13:00; ven 14:00-17:00", "ven given twice"},
		{"lun 08:30-13:00; patrono 3", "want the day and the month"},
		{"lun 08:30-13:00; patrono 31 nov", "31 nov is not a day"},
		{"lun 08:30-13:00; patrono 3 novembre", `unknown month "novembre"`},
		{"lun 08:30-13:00; patrono 3 nov; patrono 4 nov", "given twice"},
		{"lun 08:30-13:00; chiuso", "no dates"},
		{"lun 08:30-13:00; chiuso 14/08/2026", `bad date "14/08/2026"`},
		{"24/7; 24/7", "24/7 given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseHours(tt.spec)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "sla: ") {
				t.Errorf("error %q, want sla: ...%s...", err, tt.want)
			}
		})
	}
}

func TestDefaultHoursString(t *testing.T) {
	h := DefaultHours(nil)
	h.PatronDay = MonthDay{time.February, 29}
	got, err := ParseHours(h.String())
	if err != nil || !reflect.DeepEqual(got, h) {
		t.Errorf("ParseHours(%q) = %v, %v", h.String(), got, err)
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{
		"lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00",
		"Mon-Fri 8:30 - 13:00, 14.00-17:30;Sat 9:00–12:00; sun closed",
		"lun,mer 09:00-12:00; mar 10:00-11:00; sab,dom 10:00-12:00",
		"24/7; patrono 29 feb; chiuso 2026-08-14,2026-12-24",
		"lun-dom 00:00-24:00; patron 7 dec; closed 2026-12-24",
		"lun 08:00-12:00,12:00-13:00",
		"ven-lun 22:00-02:00",
		";;",
	} {
		f.Add(s)
	}
	start := time.Date(2026, 3, 27, 16, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		h, err := ParseHours(spec)
		if err != nil {
			return
		}
		s := h.String()
		h2, err := ParseHours(s)
		if err != nil {
			t.Fatalf("ParseHours(%q) = %q, which does not parse: %v", spec, s, err)
		}
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("ParseHours(%q) = %#v\nParseHours(%q) = %#v", spec, h, s, h2)
		}
		if s2 := h2.String(); s2 != s {
			t.Fatalf("String() not stable: %q then %q", s, s2)
		}
		// Any parsed spec reaches a deadline.
		if d := h.Between(start, h.Add(start, 100*time.Hour)); d != 100*time.Hour {
			t.Fatalf("%q: Between(Add(100h)) = %s", s, d)
		}
	})
}
