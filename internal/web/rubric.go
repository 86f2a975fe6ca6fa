// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
)

// Rubrics: the recurring series of the plan ("Lunedì in Comune"), a
// weekday and a local time on some channels, with their next occurrences
// so the team sees what the week asks for.

// rubricOccurrences is how many next occurrences the pages show.
const rubricOccurrences = 3

// rubricView is a rubric with its day in words and its next occurrences.
type rubricView struct {
	editorial.Rubric
	Day      string
	Next     []string
	Channels []publish.Account
	Posts    int
}

type rubricsData struct {
	Rubrics   []rubricView
	Rubric    *rubricView
	Posts     []editorial.Post
	Accounts  []publish.Account
	Selected  map[string]bool
	Weekdays  []string // Monday first; the form's values are ISO 1…7
	CanManage bool
}

func (s *Server) rubricView(rc *reqCtx, rb editorial.Rubric, accts []publish.Account) rubricView {
	loc := rc.Org.Location()
	now := time.Now()
	v := rubricView{Rubric: rb, Channels: pickAccounts(accts, rb.Channels)}
	if rb.Weekday >= 1 && rb.Weekday <= 7 {
		v.Day = s.t(rc, "calendar.weekday."+strconv.Itoa(rb.Weekday-1))
	}
	for i, t := range editorial.RubricOccurrences(rb, now, now.AddDate(0, 0, 7*rubricOccurrences+1), loc) {
		if i == rubricOccurrences {
			break
		}
		v.Next = append(v.Next, t.In(loc).Format("02/01/2006 15:04"))
	}
	return v
}

func (s *Server) weekdays(rc *reqCtx) []string {
	out := make([]string, 0, 7)
	for i := range 7 {
		out = append(out, s.t(rc, "calendar.weekday."+strconv.Itoa(i)))
	}
	return out
}

func (s *Server) rubrics(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.rubricsPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) rubricsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	list, err := s.Editorial.Rubrics(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := rubricsData{CanManage: rc.Grants.CanEverywhere(org.PermPostApprove), Selected: map[string]bool{}, Weekdays: s.weekdays(rc)}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	for _, rb := range list {
		posts, err := s.Editorial.Posts(ctx, rc.Org.ID, editorial.PostFilter{RubricID: rb.ID, Viewer: &a, Limit: 500})
		if err != nil {
			return err
		}
		v := s.rubricView(rc, rb, d.Accounts)
		v.Posts = len(posts)
		d.Rubrics = append(d.Rubrics, v)
	}
	form, selected := formValues(r)
	if selected != nil {
		d.Selected = selected
	}
	return s.render(w, r, rc, status, "rubrics", &page{Area: "plan", Title: s.t(rc, "rubrics.title"), Data: d, Errors: errs, Form: form})
}

func rubricInput(r *http.Request) editorial.RubricInput {
	wd, _ := strconv.Atoi(r.PostFormValue("weekday"))
	return editorial.RubricInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Weekday: wd, TimeOfDay: r.PostFormValue("time_of_day"), Channels: r.PostForm["channels"]}
}

func (s *Server) rubricCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rb, err := s.Editorial.CreateRubric(r.Context(), actor(rc), rc.Org.ID, rubricInput(r))
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.rubricsPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/rubrics/"+rb.ID+"?ok=flash.rubric_created")
}

func (s *Server) rubricShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.rubricPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) rubricPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	rb, err := s.Editorial.Rubric(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := rubricsData{CanManage: rc.Grants.CanEverywhere(org.PermPostApprove), Selected: map[string]bool{}, Weekdays: s.weekdays(rc)}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	if d.Posts, err = s.Editorial.Posts(ctx, rc.Org.ID, editorial.PostFilter{RubricID: rb.ID, Viewer: &a, Limit: 500}); err != nil {
		return err
	}
	v := s.rubricView(rc, rb, d.Accounts)
	v.Posts = len(d.Posts)
	d.Rubric = &v
	form, selected := formValues(r)
	if form == nil {
		form = map[string]string{"name": rb.Name, "description": rb.Description, "weekday": strconv.Itoa(rb.Weekday), "time_of_day": rb.TimeOfDay}
		for _, id := range rb.Channels {
			d.Selected[id] = true
		}
	} else {
		d.Selected = selected
	}
	return s.render(w, r, rc, status, "rubric", &page{Area: "plan", Title: rb.Name, Data: d, Errors: errs, Form: form})
}

func (s *Server) rubricUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rb, err := s.Editorial.UpdateRubric(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id"), rubricInput(r))
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.rubricPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/rubrics/"+rb.ID+"?ok=flash.rubric_saved")
}

func (s *Server) rubricDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Editorial.DeleteRubric(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/plan/rubrics?ok=flash.rubric_deleted")
}
