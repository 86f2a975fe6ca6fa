// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sla

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var dayNames = map[string]time.Weekday{
	"lun": time.Monday, "mar": time.Tuesday, "mer": time.Wednesday, "gio": time.Thursday,
	"ven": time.Friday, "sab": time.Saturday, "dom": time.Sunday,
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
}

// itDays are the Italian abbreviations String writes, indexed by time.Weekday.
var itDays = [7]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"}

// itMonths and enMonths are the month abbreviations of the patrono clause.
var (
	itMonths = [12]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}
	enMonths = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// mondayFirst is the order of days in a week as people write it.
var mondayFirst = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// monIndex is the position of d in mondayFirst.
func monIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

func isClosedWord(s string) bool { return s == "chiuso" || s == "closed" }

// ParseHours parses a spec of clauses separated by ";", for example
//
//	lun-ven 08:30-13:00,14:00-17:30; sab 09:00-12:00; patrono 3 nov; chiuso 2026-08-14
//
// The clauses are:
//   - days and intervals: "lun-ven 08:30-13:00,14:00-17:30"; days are lun mar
//     mer gio ven sab dom or mon tue wed thu fri sat sun, as single days,
//     ranges (lun-ven) or lists (lun,mer); "dom chiuso" (or "sun closed")
//     states a closed day, which days not named are anyway;
//   - "patrono 3 nov" (or "patron 3 nov"): the patron saint's day;
//   - "chiuso 2026-08-14,2026-12-24" (or "closed ..."): extra closed days;
//   - "24/7": the desk is always open.
//
// Case does not matter, and spaces are allowed around "-" and ",". A spec
// must open the desk at some time or say "24/7". Loc is not part of the
// spec: the caller sets the organisation's zone.
func ParseHours(spec string) (Hours, error) {
	var h Hours
	var seen [7]bool
	patron, always := false, false
	nonEmpty := 0
	for i, raw := range strings.Split(spec, ";") {
		clause := strings.TrimSpace(raw)
		if clause == "" {
			continue
		}
		nonEmpty++
		fail := func(format string, args ...any) error {
			return fmt.Errorf("sla: clause %d %q: %s", i+1, clause, fmt.Sprintf(format, args...))
		}
		// People paste en dashes from documents.
		lower := strings.ReplaceAll(strings.ToLower(clause), "–", "-")
		fields := strings.Fields(lower)
		switch first := fields[0]; {
		case clause == "24/7":
			if always {
				return Hours{}, fail("24/7 given twice")
			}
			always = true
		case first == "patrono" || first == "patron":
			if patron {
				return Hours{}, fail("patron day given twice")
			}
			md, err := parseMonthDay(fields[1:])
			if err != nil {
				return Hours{}, fail("%v", err)
			}
			h.PatronDay, patron = md, true
		case isClosedWord(first):
			dates, err := parseDates(strings.Join(fields[1:], " "))
			if err != nil {
				return Hours{}, fail("%v", err)
			}
			h.Extra = append(h.Extra, dates...)
		default:
			days, ivs, err := parseDayClause(lower)
			if err != nil {
				return Hours{}, fail("%v", err)
			}
			for _, d := range days {
				if seen[d] {
					return Hours{}, fail("%s given twice", itDays[d])
				}
				seen[d] = true
				if len(ivs) > 0 {
					h.Week[d] = slices.Clone(ivs)
				}
			}
		}
	}
	if nonEmpty == 0 {
		return Hours{}, errors.New("sla: empty hours spec")
	}
	if !always && !h.week().open() {
		return Hours{}, errors.New(`sla: hours spec opens on no day: give some hours, or "24/7" for a desk always open`)
	}
	h.Always = always
	if len(h.Extra) > 0 {
		slices.SortFunc(h.Extra, Date.Compare)
		h.Extra = slices.Compact(h.Extra)
	}
	return h, nil
}

// parseDayClause parses "lun-ven 08:30-13:00,14:00-17:30" or "dom chiuso";
// clause is lower case. Spaces are allowed around "-" and ",".
func parseDayClause(clause string) ([]time.Weekday, []Interval, error) {
	var dayPart, rest string
	if i := strings.IndexFunc(clause, unicode.IsDigit); i >= 0 {
		dayPart, rest = clause[:i], clause[i:]
	} else {
		f := strings.Fields(clause)
		if len(f) < 2 || !isClosedWord(f[len(f)-1]) {
			return nil, nil, errors.New(`want days then hours, as in "lun-ven 08:30-13:00,14:00-17:30", or days then "chiuso"`)
		}
		dayPart = strings.Join(f[:len(f)-1], " ")
	}
	dayPart, err := tidy(dayPart)
	if err != nil {
		return nil, nil, err
	}
	days, err := parseDays(dayPart)
	if err != nil {
		return nil, nil, err
	}
	if rest == "" {
		return days, nil, nil
	}
	if rest, err = tidy(rest); err != nil {
		return nil, nil, err
	}
	ivs, err := parseIntervals(rest)
	if err != nil {
		return nil, nil, err
	}
	return days, ivs, nil
}

var aroundSeparators = strings.NewReplacer(" - ", "-", " -", "-", "- ", "-", " , ", ",", " ,", ",", ", ", ",")

// tidy drops the spaces around "-" and "," and rejects any other.
func tidy(s string) (string, error) {
	s = aroundSeparators.Replace(strings.Join(strings.Fields(s), " "))
	if strings.Contains(s, " ") {
		return "", fmt.Errorf("unexpected space in %q: separate days and intervals with \",\"", s)
	}
	return s, nil
}

// parseDays parses "lun-ven", "lun,mer,ven" or "sab".
func parseDays(s string) ([]time.Weekday, error) {
	if s == "" {
		return nil, errors.New(`no days before the hours: start with lun..dom or mon..sun, as in "lun-ven 08:30-13:00"`)
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := parseDay(from)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := parseDay(to)
		if err != nil {
			return nil, err
		}
		if monIndex(b) < monIndex(a) {
			return nil, fmt.Errorf("day range %s-%s runs backwards: weeks run lun to dom", from, to)
		}
		for i := monIndex(a); i <= monIndex(b); i++ {
			out = append(out, mondayFirst[i])
		}
	}
	return out, nil
}

func parseDay(s string) (time.Weekday, error) {
	d, ok := dayNames[s]
	if !ok {
		return 0, fmt.Errorf("unknown day %q: want lun mar mer gio ven sab dom or mon tue wed thu fri sat sun", s)
	}
	return d, nil
}

// parseIntervals parses "08:30-13:00,14:00-17:30" into sorted intervals that
// do not overlap.
func parseIntervals(s string) ([]Interval, error) {
	var out []Interval
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("bad interval %q: want HH:MM-HH:MM", part)
		}
		a, err := parseClock(from)
		if err != nil {
			return nil, err
		}
		b, err := parseClock(to)
		if err != nil {
			return nil, err
		}
		if a >= b {
			return nil, fmt.Errorf("interval %q ends before it starts: split intervals that cross midnight at 24:00", part)
		}
		out = append(out, Interval{a, b})
	}
	slices.SortFunc(out, func(a, b Interval) int { return int(a.Start - b.Start) })
	for i := 1; i < len(out); i++ {
		if out[i].Start < out[i-1].End {
			return nil, fmt.Errorf("intervals %s and %s overlap", out[i-1], out[i])
		}
	}
	return out, nil
}

// parseClock parses H:MM or HH:MM (or with a dot, 8.30), up to 24:00.
func parseClock(s string) (Clock, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok {
		hh, mm, ok = strings.Cut(s, ".")
	}
	bad := fmt.Errorf("bad time %q: want HH:MM, from 00:00 to 24:00", s)
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
		return 0, bad
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) ||
		hh[0] == '+' || hh[0] == '-' || mm[0] == '+' || mm[0] == '-' {
		return 0, bad
	}
	return At(h, m), nil
}

// parseMonthDay parses the fields "3 nov" of a patrono clause.
func parseMonthDay(f []string) (MonthDay, error) {
	want := `want the day and the month, as in "patrono 3 nov"`
	if len(f) != 2 {
		return MonthDay{}, errors.New(want)
	}
	day, err := strconv.Atoi(f[0])
	if err != nil || strings.ContainsAny(f[0], "+-") {
		return MonthDay{}, fmt.Errorf("bad day %q: %s", f[0], want)
	}
	month := 0
	for i := range 12 {
		if f[1] == itMonths[i] || f[1] == enMonths[i] {
			month = i + 1
		}
	}
	if month == 0 {
		return MonthDay{}, fmt.Errorf("unknown month %q: want gen feb mar apr mag giu lug ago set ott nov dic or jan..dec", f[1])
	}
	md := MonthDay{time.Month(month), day}
	if !md.valid() {
		return MonthDay{}, fmt.Errorf("%s %s is not a day of the year", f[0], f[1])
	}
	return md, nil
}

// parseDates parses ISO dates separated by commas or spaces.
func parseDates(s string) ([]Date, error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(f) == 0 {
		return nil, errors.New(`no dates: want YYYY-MM-DD, as in "chiuso 2026-08-14,2026-12-24"`)
	}
	out := make([]Date, 0, len(f))
	for _, s := range f {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("bad date %q: want YYYY-MM-DD", s)
		}
		out = append(out, DateOf(t))
	}
	return out, nil
}

// String formats h as a spec that ParseHours reads back to the same Hours;
// days with the same hours are grouped, Italian abbreviations are used.
// Loc is not written.
func (h Hours) String() string {
	var clauses []string
	if h.Always {
		clauses = append(clauses, "24/7")
	}
	done := [7]bool{}
	for i, d := range mondayFirst {
		if done[i] || len(h.Week[d]) == 0 {
			continue
		}
		// Gather the days, from d on, with the same intervals.
		var same []int
		for j := i; j < 7; j++ {
			if !done[j] && slices.Equal(h.Week[mondayFirst[j]], h.Week[d]) {
				same = append(same, j)
				done[j] = true
			}
		}
		ivs := make([]string, len(h.Week[d]))
		for k, iv := range h.Week[d] {
			ivs[k] = iv.String()
		}
		clauses = append(clauses, dayList(same)+" "+strings.Join(ivs, ","))
	}
	if !h.PatronDay.IsZero() {
		md := h.PatronDay
		if md.valid() {
			clauses = append(clauses, fmt.Sprintf("patrono %d %s", md.Day, itMonths[md.Month-1]))
		} else {
			clauses = append(clauses, fmt.Sprintf("patrono %d %d", md.Day, md.Month))
		}
	}
	if len(h.Extra) > 0 {
		dates := make([]string, len(h.Extra))
		for i, d := range h.Extra {
			dates[i] = d.String()
		}
		clauses = append(clauses, "chiuso "+strings.Join(dates, ","))
	}
	return strings.Join(clauses, "; ")
}

// dayList writes Monday-first day indexes as runs: "lun-ven", "sab,dom",
// "lun,mer".
func dayList(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, itDays[mondayFirst[idx[i]]]+"-"+itDays[mondayFirst[idx[j]]])
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, itDays[mondayFirst[idx[k]]])
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
