// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
)

// The plan's settings: campaigns, electoral periods (Legge 28/2000 art. 9)
// and the officials whose names the guard flags.

type planSettingsData struct {
	Campaigns []editorial.Campaign
	Rubrics   []rubricView
	Weekdays  []string
	Periods   []editorial.ElectoralPeriod
	Officials []editorial.Official
	Offices   []org.Office
	Second    map[string]bool // offices whose posts need two approvers
	CanManage bool
}

func (s *Server) planSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.planSettingsPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) planSettingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	var d planSettingsData
	var err error
	if d.Campaigns, err = s.Editorial.Campaigns(ctx, rc.Org.ID); err != nil {
		return err
	}
	rubrics, err := s.Editorial.Rubrics(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	loc := rc.Org.Location()
	now := time.Now()
	for _, rb := range rubrics {
		v := rubricView{Rubric: rb}
		if next := editorial.RubricOccurrences(rb, now, now.AddDate(0, 0, 8), loc); len(next) > 0 {
			v.Next = next[0].In(loc).Format("02/01/2006 15:04")
		}
		if rb.Weekday >= 1 && rb.Weekday <= 7 {
			v.Day = s.t(rc, "calendar.weekday."+strconv.Itoa(rb.Weekday-1))
		}
		d.Rubrics = append(d.Rubrics, v)
	}
	for i := range 7 {
		d.Weekdays = append(d.Weekdays, s.t(rc, "calendar.weekday."+strconv.Itoa(i)))
	}
	if d.Periods, err = s.Editorial.ElectoralPeriods(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Officials, err = s.Editorial.Officials(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Offices, err = s.Orgs.Offices(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Second, err = s.Editorial.SecondApprovalOffices(ctx, rc.Org.ID); err != nil {
		return err
	}
	d.CanManage = rc.Grants.CanEverywhere(org.PermPostApprove)
	var form map[string]string
	if r.Method == http.MethodPost {
		form = map[string]string{}
		for k, v := range r.PostForm {
			if len(v) > 0 && k != "csrf" {
				form[k] = v[0]
			}
		}
	}
	return s.render(w, r, rc, status, "plan_settings", &page{Area: "plan", Title: s.t(rc, "plansettings.title"), Data: d, Errors: errs, Form: form})
}

// planSettingsSave adds or removes one campaign, period or official: the
// form's "what" says which.
func (s *Server) planSettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	a := actor(rc)
	loc := rc.Org.Location()
	day := func(name string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02", r.PostFormValue(name), loc)
		return t
	}
	var err error
	switch r.PostFormValue("what") {
	case "campaign":
		budget, _ := strconv.ParseFloat(strings.ReplaceAll(r.PostFormValue("ad_budget"), ",", "."), 64)
		_, err = s.Editorial.CreateCampaign(ctx, a, rc.Org.ID, editorial.CampaignInput{Name: r.PostFormValue("name"),
			Objective: r.PostFormValue("objective"), Audience: r.PostFormValue("audience"), StartsOn: r.PostFormValue("starts_on"),
			EndsOn: r.PostFormValue("ends_on"), KPIs: r.PostFormValue("kpis"), AdBudgetCents: int64(budget * 100)})
	case "rubric":
		wd, _ := strconv.Atoi(r.PostFormValue("weekday"))
		_, err = s.Editorial.CreateRubric(ctx, a, rc.Org.ID, editorial.RubricInput{Name: r.PostFormValue("name"),
			Description: r.PostFormValue("description"), Weekday: wd, TimeOfDay: r.PostFormValue("time_of_day")})
	case "rubric_delete":
		err = s.Editorial.DeleteRubric(ctx, a, rc.Org.ID, r.PostFormValue("id"))
	case "campaign_delete":
		err = s.Editorial.DeleteCampaign(ctx, a, rc.Org.ID, r.PostFormValue("id"))
	case "period":
		end := day("ends_on")
		if !end.IsZero() {
			end = end.AddDate(0, 0, 1) // the last day is included: the period ends at the next midnight
		}
		_, err = s.Editorial.CreateElectoralPeriod(ctx, a, rc.Org.ID, editorial.ElectoralPeriodInput{Name: r.PostFormValue("name"),
			StartsAt: day("starts_on"), EndsAt: end})
	case "period_delete":
		err = s.Editorial.DeleteElectoralPeriod(ctx, a, rc.Org.ID, r.PostFormValue("id"))
	case "official":
		_, err = s.Editorial.CreateOfficial(ctx, a, rc.Org.ID, editorial.OfficialInput{Name: r.PostFormValue("name"), Role: r.PostFormValue("role")})
	case "second_approval":
		err = s.Editorial.SetSecondApproval(ctx, a, rc.Org.ID, r.PostFormValue("office"), r.PostFormValue("on") == "1")
	case "official_delete":
		err = s.Editorial.DeleteOfficial(ctx, a, rc.Org.ID, r.PostFormValue("id"))
	default:
		return s.planSettingsPage(w, r, rc, http.StatusBadRequest, nil)
	}
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.planSettingsPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/settings?ok=flash.plan_settings_saved")
}

// rubricView is a rubric with its day in words and its next occurrence.
type rubricView struct {
	editorial.Rubric
	Day, Next string
}
