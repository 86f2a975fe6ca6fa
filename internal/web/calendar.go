// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// The plan as a calendar: a month or a week of everything planned and
// published, per channel, with the days that break an account's cadence
// marked. A post dragged to another day keeps its time of day; the
// "Sposta" form on every item takes a date and a time, for the keyboard.
// The iCalendar export puts the plan in Outlook or Google Calendar.

// calQuery is what a calendar page shows: the view, a day in it, the
// channel filter.
type calQuery struct {
	View    string // month or week
	Date    time.Time
	Account string
}

func (q calQuery) values() url.Values {
	v := url.Values{"view": {q.View}, "date": {q.Date.Format(time.DateOnly)}}
	if q.Account != "" {
		v.Set("account", q.Account)
	}
	return v
}

// calQueryFrom reads a calendar query from a URL query or a form, in the
// organisation's zone; what is missing or wrong falls back to this month.
func calQueryFrom(view, date, account string, loc *time.Location) calQuery {
	now := time.Now().In(loc)
	q := calQuery{View: "month", Date: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc), Account: account}
	if view == "week" {
		q.View = "week"
	}
	if d, err := time.ParseInLocation(time.DateOnly, date, loc); err == nil {
		q.Date = d
	}
	return q
}

// calItem is a post on the calendar as the page draws it.
type calItem struct {
	editorial.CalendarItem
	Local   time.Time // the post's time in the organisation's zone
	Movable bool      // this person may move it, and its state allows it
	Warn    bool      // it takes part in a cadence warning of its day
}

// StateClass colours the item by state (the badge says it in words too).
func (it calItem) StateClass() string { return stateClass(it.Post.State) }

// ClassOf is the colour of a state, for the legend.
func (calendarData) ClassOf(st editorial.State) string { return stateClass(st) }

func stateClass(st editorial.State) string {
	switch st {
	case editorial.StateDraft:
		return "border-secondary"
	case editorial.StateReview:
		return "border-warning"
	case editorial.StateApproved:
		return "border-info"
	case editorial.StatePublished:
		return "border-success"
	case editorial.StateFailed:
		return "border-danger"
	}
	return "border-primary"
}

type calDay struct {
	Date     time.Time
	InMonth  bool
	Today    bool
	Items    []calItem
	Warnings []string // the cadence guard, per account
}

// calMessage is the outcome of a move, shown above the calendar.
type calMessage struct {
	Text  string
	Error bool
	Notes []string // cadence warnings after a move, or why a move left the post unscheduled
}

type calendarData struct {
	calQuery
	Heading    string
	Weeks      [][]calDay
	Prev, Next string // dates for the navigation links
	Accounts   []publish.Account
	CanMove    bool
	Weekdays   []string
	States     []editorial.State // the legend
	Message    *calMessage
	Suspension publish.Suspension
}

// Link is the calendar URL of another day in the same view and filter.
func (d calendarData) Link(date string) string {
	q := d.values()
	q.Set("date", date)
	return "/plan/calendar?" + q.Encode()
}

// TodayLink is the calendar URL of today in the same view and filter.
func (d calendarData) TodayLink() string {
	q := d.values()
	q.Del("date")
	return "/plan/calendar?" + q.Encode()
}

// planCalendar shows a month (default) or a week (?view=week) from
// ?date=YYYY-MM-DD, in the organisation's time zone.
func (s *Server) planCalendar(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	qs := r.URL.Query()
	q := calQueryFrom(qs.Get("view"), qs.Get("date"), qs.Get("account"), rc.Org.Location())
	return s.calendarPage(w, r, rc, http.StatusOK, q, nil)
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, q calQuery, msg *calMessage) error {
	ctx := r.Context()
	loc := rc.Org.Location()
	now := time.Now().In(loc)
	day := q.Date
	var from, to time.Time
	d := calendarData{calQuery: q, CanMove: rc.Grants.Can(org.PermPostWrite), Message: msg,
		States: []editorial.State{editorial.StateDraft, editorial.StateReview, editorial.StateApproved,
			editorial.StateScheduled, editorial.StatePublished, editorial.StateFailed}}
	if q.View == "week" {
		from = monday(day)
		to = from.AddDate(0, 0, 7)
		d.Prev, d.Next = from.AddDate(0, 0, -7).Format(time.DateOnly), to.Format(time.DateOnly)
		last := to.AddDate(0, 0, -1)
		d.Heading = s.t(rc, "calendar.week_heading", from.Day(), s.t(rc, "calendar.month."+strconv.Itoa(int(from.Month()))),
			last.Day(), s.t(rc, "calendar.month."+strconv.Itoa(int(last.Month()))), last.Year())
	} else {
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, loc)
		from = monday(first)
		last := first.AddDate(0, 1, 0)
		to = monday(last.AddDate(0, 0, 6))
		d.Prev, d.Next = first.AddDate(0, -1, 0).Format(time.DateOnly), last.Format(time.DateOnly)
		d.Heading = s.t(rc, "calendar.month_heading", s.t(rc, "calendar.month."+strconv.Itoa(int(day.Month()))), day.Year())
	}
	items, err := s.Editorial.Calendar(ctx, rc.Org.ID, from, to)
	if err != nil {
		return err
	}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Suspension, err = s.Publish.Suspension(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	byDay := map[string][]calItem{}
	for _, it := range items {
		if !editorial.CanSee(a, it.Post) || !onAccount(it, q.Account) {
			continue
		}
		ci := calItem{CalendarItem: it, Local: it.Post.ScheduledAt.In(loc), Movable: d.CanMove && canMove(a, it.Post)}
		k := ci.Local.Format(time.DateOnly)
		byDay[k] = append(byDay[k], ci)
	}
	for i := range 7 {
		d.Weekdays = append(d.Weekdays, s.t(rc, "calendar.weekday."+strconv.Itoa(i)))
	}
	accts := d.Accounts
	if q.Account != "" {
		accts = nil
		for _, ac := range d.Accounts {
			if ac.ID == q.Account {
				accts = append(accts, ac)
			}
		}
	}
	for start := from; start.Before(to); start = start.AddDate(0, 0, 7) {
		var week []calDay
		for i := range 7 {
			date := start.AddDate(0, 0, i)
			k := date.Format(time.DateOnly)
			cd := calDay{Date: date, InMonth: q.View == "week" || date.Month() == day.Month(), Today: k == now.Format(time.DateOnly), Items: byDay[k]}
			cd.Warnings = s.dayWarnings(rc, cd.Items, accts)
			week = append(week, cd)
		}
		d.Weeks = append(d.Weeks, week)
	}
	return s.render(w, r, rc, status, "calendar", &page{Area: "plan", Title: s.t(rc, "calendar.title"), Data: d})
}

// canMove mirrors the services' rules, so the page offers a move only
// where the server would allow it: a post not yet scheduled moves for who
// may write it or publish in its office (editorial.Reschedule); a
// scheduled one for who may publish (publish.Reschedule).
func canMove(a editorial.Actor, p editorial.Post) bool {
	switch p.State {
	case editorial.StateDraft, editorial.StateReview, editorial.StateApproved:
		return editorial.CanWrite(a, p) || a.Grants.CanInOffice(org.PermPostPublish, p.OfficeID)
	case editorial.StateScheduled:
		return a.Grants.CanInOffice(org.PermPostPublish, p.OfficeID)
	}
	return false
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

// countsForCadence: what the guard weighs on a day. Drafts count, unlike
// in the engine's check at scheduling time, because the calendar is where
// a plan that would flood a channel is caught early; failed posts and
// emergency alerts (exempt from the guard) do not.
func countsForCadence(p editorial.Post) bool {
	return !p.IsAlert && p.State != editorial.StateFailed && p.State != editorial.StateCancelled
}

// dayWarnings is the cadence guard on one day: the accounts with more
// posts than their maximum, two posts closer than their spacing, a post in
// their quiet hours. The items involved are marked.
func (s *Server) dayWarnings(rc *reqCtx, items []calItem, accts []publish.Account) []string {
	type at struct {
		t    time.Time
		item int
	}
	times := map[string][]at{}
	for i, it := range items {
		if !countsForCadence(it.Post) {
			continue
		}
		seen := map[string]bool{} // language editions on one account count once
		for _, c := range it.Channels {
			if !seen[c.AccountID] {
				seen[c.AccountID] = true
				times[c.AccountID] = append(times[c.AccountID], at{it.Local, i})
			}
		}
	}
	var out []string
	for _, a := range accts {
		ts := times[a.ID]
		if len(ts) == 0 {
			continue
		}
		c := a.Cadence
		if c.MaxPerDay > 0 && len(ts) > c.MaxPerDay {
			out = append(out, s.t(rc, "calendar.warn.too_many", a.Name, len(ts), c.MaxPerDay))
			for _, x := range ts {
				items[x.item].Warn = true
			}
		}
		if c.MinSpacing > 0 {
			sort.Slice(ts, func(i, j int) bool { return ts[i].t.Before(ts[j].t) })
			for i := 1; i < len(ts); i++ {
				if gap := ts[i].t.Sub(ts[i-1].t); gap < c.MinSpacing {
					out = append(out, s.t(rc, "calendar.warn.too_close", a.Name, int(gap.Minutes()), int(c.MinSpacing.Minutes())))
					items[ts[i].item].Warn, items[ts[i-1].item].Warn = true, true
					break
				}
			}
		}
		for _, x := range ts {
			if inQuietHours(x.t, c.QuietStart, c.QuietEnd) {
				out = append(out, s.t(rc, "calendar.warn.quiet", a.Name, x.t.Format("15:04"), c.QuietStart, c.QuietEnd))
				items[x.item].Warn = true
			}
		}
	}
	return out
}

// inQuietHours reports whether the local time of t falls in start–end
// (HH:MM, end excluded, possibly across midnight), as the engine reads
// them.
func inQuietHours(t time.Time, start, end string) bool {
	sm, ok1 := minuteOfDay(start)
	em, ok2 := minuteOfDay(end)
	if !ok1 || !ok2 || sm == em {
		return false
	}
	cur := t.Hour()*60 + t.Minute()
	if sm < em {
		return cur >= sm && cur < em
	}
	return cur >= sm || cur < em
}

func minuteOfDay(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// calendarMove moves a post to another time: a drop on a day (date, the
// time of day kept) or the "Sposta" form (at, a date and a time). Drafts,
// posts in review and approved ones move in the plan; a scheduled one
// moves in the engine, if none of it has gone out. A refused move comes
// back as the calendar with the reason on top; with htmx only the
// calendar is swapped.
func (s *Server) calendarMove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	loc := rc.Org.Location()
	back := calQueryFrom(r.PostFormValue("view"), r.PostFormValue("back"), r.PostFormValue("account"), loc)
	refuse := func(status int, key string, notes ...string) error {
		return s.calendarPage(w, r, rc, status, back, &calMessage{Text: s.t(rc, key), Error: true, Notes: notes})
	}
	p, err := s.Editorial.Post(ctx, rc.Org.ID, r.PostFormValue("post"))
	if err != nil {
		return err
	}
	if !editorial.CanSee(actor(rc), p) {
		return store.ErrNotFound
	}
	at, ok := moveTime(r, p.ScheduledAt.In(loc), loc)
	if !ok {
		return refuse(http.StatusUnprocessableEntity, "calendar.move.time_invalid")
	}
	if at.Before(time.Now()) {
		// The engine would publish a scheduled post moved to the past at
		// once: a slip of the mouse must not do that.
		return refuse(http.StatusUnprocessableEntity, "calendar.move.past")
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	var warnings []publish.CadenceWarning
	if p.State == editorial.StateScheduled {
		if !rc.Grants.CanInOffice(org.PermPostPublish, p.OfficeID) {
			return refuse(http.StatusForbidden, "calendar.move.forbidden_scheduled")
		}
		var res publish.ScheduleResult
		res, err = s.Publish.Reschedule(ctx, actor(rc), rc.Org.ID, p.ID, version, at)
		warnings = res.Warnings
	} else {
		_, err = s.Editorial.Reschedule(ctx, actor(rc), rc.Org.ID, p.ID, version, at)
		if err == nil {
			warnings = s.moveWarnings(r, rc, p.ID, at)
		}
	}
	if err != nil {
		var notes []string
		if p.State == editorial.StateScheduled {
			// publish.Reschedule unschedules, then schedules again: when the
			// second step is refused, the post is left approved. Say so.
			if now, e := s.Editorial.Post(ctx, rc.Org.ID, p.ID); e == nil && now.State == editorial.StateApproved {
				notes = append(notes, s.t(rc, "calendar.move.unscheduled"))
			}
		}
		var problems *publish.ProblemsError
		switch {
		case errors.Is(err, editorial.ErrStale) || errors.Is(err, store.ErrConflict):
			return refuse(http.StatusConflict, "calendar.move.stale", notes...)
		case errors.Is(err, store.ErrForbidden):
			return refuse(http.StatusForbidden, "calendar.move.forbidden", notes...)
		case errors.Is(err, store.ErrNotFound):
			return err
		case errors.As(err, &problems):
			return refuse(http.StatusUnprocessableEntity, "calendar.move.problems", notes...)
		}
		if es, ok := s.formErrors(rc, err); ok {
			for _, m := range sortedValues(es) {
				notes = append([]string{m}, notes...)
			}
			return refuse(http.StatusUnprocessableEntity, "calendar.move_refused", notes...)
		}
		return err
	}
	dest := calQuery{View: back.View, Date: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc), Account: back.Account}
	if r.Header.Get("HX-Request") != "true" {
		// Without htmx: post, redirect, get.
		v := dest.values()
		v.Set("ok", "flash.post_moved")
		return redirect(w, r, "/plan/calendar?"+v.Encode())
	}
	title := p.Title
	if title == "" {
		title = s.t(rc, "plan.untitled")
	}
	msg := &calMessage{Text: s.t(rc, "calendar.move.done", title, at.Format("02/01/2006 15:04"))}
	for _, cw := range warnings {
		msg.Notes = append(msg.Notes, s.t(rc, cw.Code, cw.AccountName, cw.Limit, cw.Actual))
	}
	w.Header().Set("HX-Push-Url", "/plan/calendar?"+dest.values().Encode())
	return s.calendarPage(w, r, rc, http.StatusOK, dest, msg)
}

// moveTime reads where a post goes: at (2026-11-23T10:30, the "Sposta"
// form), or date with an optional time (a drop; the time of day is
// kept), in the organisation's zone.
func moveTime(r *http.Request, old time.Time, loc *time.Location) (time.Time, bool) {
	if v := strings.TrimSpace(r.PostFormValue("at")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		return t, err == nil
	}
	date, err := time.ParseInLocation(time.DateOnly, r.PostFormValue("date"), loc)
	if err != nil {
		return time.Time{}, false
	}
	h, m := old.Hour(), old.Minute()
	if old.IsZero() {
		h, m = 9, 0 // a post without a time lands at the start of the working day
	}
	if v := r.PostFormValue("time"); v != "" {
		t, err := time.Parse("15:04", v)
		if err != nil {
			return time.Time{}, false
		}
		h, m = t.Hour(), t.Minute()
	}
	return time.Date(date.Year(), date.Month(), date.Day(), h, m, 0, 0, loc), true
}

// moveWarnings is the cadence guard's advice on a post moved in the plan;
// it never stops the move, so a failure to compute it is only logged.
func (s *Server) moveWarnings(r *http.Request, rc *reqCtx, postID string, at time.Time) []publish.CadenceWarning {
	vs, err := s.Editorial.Variants(r.Context(), rc.Org.ID, postID)
	if err != nil {
		s.Logger.Warn("calendar: variants for the cadence guard", "post", postID, "err", err)
		return nil
	}
	ws, err := s.Publish.CadenceWarnings(r.Context(), rc.Org.ID, postID, vs, at)
	if err != nil {
		s.Logger.Warn("calendar: cadence guard", "post", postID, "err", err)
	}
	return ws
}

// sortedValues lists a map's values in key order, for stable messages.
func sortedValues(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(m))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

// calendarICS is the plan as iCalendar, from a month ago to six months
// ahead, for the channel of ?account when given.
func (s *Server) calendarICS(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	now := time.Now()
	items, err := s.Editorial.Calendar(r.Context(), rc.Org.ID, now.AddDate(0, -1, 0), now.AddDate(0, 6, 0))
	if err != nil {
		return err
	}
	a := actor(rc)
	account := r.URL.Query().Get("account")
	visible := items[:0]
	for _, it := range items {
		if editorial.CanSee(a, it.Post) && onAccount(it, account) {
			visible = append(visible, it)
		}
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="piano-editoriale.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	return editorial.WriteICS(w, rc.Org.Name, visible, s.PublicURL)
}

// moveRefusedText shows why an action was refused, on the error page
// (the editor uses it for a publication it cannot settle).
func (s *Server) moveRefusedText(w http.ResponseWriter, r *http.Request, rc *reqCtx, msg string) error {
	return s.render(w, r, rc, http.StatusUnprocessableEntity, "error", &page{Title: s.t(rc, "calendar.move_refused"), Data: msg})
}
