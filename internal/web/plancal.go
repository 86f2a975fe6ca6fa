// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// The plan as a calendar: a month or a week of everything planned and
// published, per channel; a post dragged to another day is rescheduled
// (the same time of day), and the iCalendar export puts the plan in
// Outlook or Google Calendar.

type calDay struct {
	Date     time.Time
	InMonth  bool
	Today    bool
	Items    []editorial.CalendarItem
	Warnings []string // the cadence guard, per account
}

type calendarData struct {
	View       string // month or week
	Title      time.Time
	Weeks      [][]calDay
	Prev, Next string // dates for the navigation links
	Account    string
	Accounts   []publish.Account
	CanMove    bool
	Weekdays   []string
}

// planCalendar shows a month (default) or a week (?view=week) from
// ?date=YYYY-MM-DD, in the organisation's time zone.
func (s *Server) planCalendar(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	loc := rc.Org.Location()
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if v := r.URL.Query().Get("date"); v != "" {
		if d, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
			day = d
		}
	}
	view := "month"
	if r.URL.Query().Get("view") == "week" {
		view = "week"
	}
	var from, to time.Time
	d := calendarData{View: view, Title: day, Account: r.URL.Query().Get("account"), CanMove: rc.Grants.Can(org.PermPostWrite)}
	if view == "week" {
		from = monday(day)
		to = from.AddDate(0, 0, 7)
		d.Prev, d.Next = from.AddDate(0, 0, -7).Format("2006-01-02"), to.Format("2006-01-02")
	} else {
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, loc)
		from = monday(first)
		last := first.AddDate(0, 1, 0)
		to = monday(last.AddDate(0, 0, 6))
		d.Prev, d.Next = first.AddDate(0, -1, 0).Format("2006-01-02"), last.Format("2006-01-02")
	}
	items, err := s.Editorial.Calendar(ctx, rc.Org.ID, from, to)
	if err != nil {
		return err
	}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	byDay := map[string][]editorial.CalendarItem{}
	for _, it := range items {
		if !editorial.CanSee(a, it.Post) || !onAccount(it, d.Account) {
			continue
		}
		k := it.Post.ScheduledAt.In(loc).Format("2006-01-02")
		byDay[k] = append(byDay[k], it)
	}
	for i := range 7 {
		d.Weekdays = append(d.Weekdays, s.t(rc, "calendar.weekday."+strconv.Itoa(i)))
	}
	for start := from; start.Before(to); start = start.AddDate(0, 0, 7) {
		var week []calDay
		for i := range 7 {
			date := start.AddDate(0, 0, i)
			k := date.Format("2006-01-02")
			cd := calDay{Date: date, InMonth: view == "week" || date.Month() == day.Month(), Today: k == now.Format("2006-01-02"), Items: byDay[k]}
			cd.Warnings = s.dayWarnings(rc, cd.Items, d.Accounts)
			week = append(week, cd)
		}
		d.Weeks = append(d.Weeks, week)
	}
	return s.render(w, r, rc, http.StatusOK, "plan_calendar", &page{Area: "plan", Title: s.t(rc, "calendar.title"), Data: d})
}

// monday is the Monday of t's week (Italian calendars start on Monday).
func monday(t time.Time) time.Time {
	wd := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, t.Location())
}

func onAccount(it editorial.CalendarItem, account string) bool {
	if account == "" {
		return true
	}
	for _, c := range it.Channels {
		if c.AccountID == account {
			return true
		}
	}
	return false
}

// dayWarnings is the cadence guard on one day: the accounts with more
// posts than their maximum, or two posts closer than their spacing.
func (s *Server) dayWarnings(rc *reqCtx, items []editorial.CalendarItem, accts []publish.Account) []string {
	times := map[string][]time.Time{}
	for _, it := range items {
		if it.Post.State == editorial.StateCancelled {
			continue
		}
		for _, c := range it.Channels {
			times[c.AccountID] = append(times[c.AccountID], it.Post.ScheduledAt)
		}
	}
	var out []string
	for _, a := range accts {
		ts := times[a.ID]
		if len(ts) == 0 {
			continue
		}
		if a.Cadence.MaxPerDay > 0 && len(ts) > a.Cadence.MaxPerDay {
			out = append(out, s.t(rc, "calendar.warn.too_many", a.Name, len(ts), a.Cadence.MaxPerDay))
		}
		if a.Cadence.MinSpacing > 0 {
			sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
			for i := 1; i < len(ts); i++ {
				if gap := ts[i].Sub(ts[i-1]); gap < a.Cadence.MinSpacing {
					out = append(out, s.t(rc, "calendar.warn.too_close", a.Name, int(gap.Minutes()), int(a.Cadence.MinSpacing.Minutes())))
					break
				}
			}
		}
	}
	return out
}

// calendarMove is a drop on another day: the post keeps its time of day.
// Drafts, posts in review and approved ones move in the plan; a
// scheduled one moves in the engine, if none of it has gone out.
func (s *Server) calendarMove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	p, err := s.Editorial.Post(ctx, rc.Org.ID, r.PostFormValue("post"))
	if err != nil {
		return err
	}
	if !editorial.CanSee(actor(rc), p) {
		return store.ErrNotFound
	}
	loc := rc.Org.Location()
	date, err := time.ParseInLocation("2006-01-02", r.PostFormValue("date"), loc)
	if err != nil {
		return s.moveRefused(w, r, rc, "plan.error.time")
	}
	old := p.ScheduledAt.In(loc)
	at := time.Date(date.Year(), date.Month(), date.Day(), old.Hour(), old.Minute(), 0, 0, loc)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if p.State == editorial.StateScheduled {
		if !rc.Grants.Can(org.PermPostPublish) {
			return store.ErrForbidden
		}
		_, err = s.Publish.Reschedule(ctx, actor(rc), rc.Org.ID, p.ID, version, at)
	} else {
		_, err = s.Editorial.Reschedule(ctx, actor(rc), rc.Org.ID, p.ID, version, at)
	}
	switch {
	case err == nil:
	case errors.Is(err, editorial.ErrStale) || errors.Is(err, store.ErrConflict):
		return s.moveRefused(w, r, rc, "plan.error.stale")
	case errors.Is(err, store.ErrForbidden), errors.Is(err, store.ErrNotFound):
		return err
	default:
		if es, ok := s.formErrors(rc, err); ok {
			for _, m := range es {
				return s.moveRefusedText(w, r, rc, m)
			}
		}
		return err
	}
	q := "?date=" + at.Format("2006-01-02") + "&ok=flash.post_moved"
	if r.PostFormValue("view") == "week" {
		q += "&view=week"
	}
	return redirect(w, r, "/plan/calendar"+q)
}

func (s *Server) moveRefused(w http.ResponseWriter, r *http.Request, rc *reqCtx, key string) error {
	return s.moveRefusedText(w, r, rc, s.t(rc, key))
}

// moveRefusedText shows why a move was refused, on the error page with a
// way back to the calendar.
func (s *Server) moveRefusedText(w http.ResponseWriter, r *http.Request, rc *reqCtx, msg string) error {
	return s.render(w, r, rc, http.StatusUnprocessableEntity, "error", &page{Title: s.t(rc, "calendar.move_refused"), Data: msg})
}

// calendarICS is the plan as iCalendar, from a month ago to six months
// ahead.
func (s *Server) calendarICS(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	now := time.Now()
	items, err := s.Editorial.Calendar(r.Context(), rc.Org.ID, now.AddDate(0, -1, 0), now.AddDate(0, 6, 0))
	if err != nil {
		return err
	}
	a := actor(rc)
	visible := items[:0]
	for _, it := range items {
		if editorial.CanSee(a, it.Post) {
			visible = append(visible, it)
		}
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="piano-editoriale.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	return editorial.WriteICS(w, rc.Org.Name, visible, s.PublicURL)
}
