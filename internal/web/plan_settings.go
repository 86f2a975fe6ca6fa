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
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/valid"
)

// The plan's settings: the cadence guard of every channel account and the
// suspension switch (seed 002: "10 post oggi, 15 post domani"), a second
// approver per office, electoral periods (Legge 28/2000 art. 9) and the
// officials whose names the guard flags. The switch itself is the
// channels' (POST /channels/suspend and /resume): this page shows it and
// posts to it.

type periodView struct {
	editorial.ElectoralPeriod
	From, To         string // local days, YYYY-MM-DD, the last one included
	FromText, ToText string // the same, 23/11/2026
}

type planSettingsData struct {
	Suspension publish.Suspension
	Accounts   []publish.Account
	Periods    []periodView
	Officials  []editorial.Official
	Offices    []org.Office
	Second     map[string]bool // offices whose posts need two approvers
	// ErrAccount and ErrItem say which of the many small forms the Errors
	// belong to.
	ErrAccount string
	ErrItem    string
	CanManage  bool // post.approve everywhere: periods, officials, second approver
	CanCadence bool // cadence.manage: the guard and the switch
}

func (s *Server) planSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.planSettingsPage(w, r, rc, http.StatusOK, nil, "", "")
}

func (s *Server) planSettingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string, errAccount, errItem string) error {
	ctx := r.Context()
	d := planSettingsData{ErrAccount: errAccount, ErrItem: errItem,
		CanManage: rc.Grants.CanEverywhere(org.PermPostApprove), CanCadence: rc.Grants.Can(org.PermCadenceManage)}
	var err error
	if d.Suspension, err = s.Publish.Suspension(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	periods, err := s.Editorial.ElectoralPeriods(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	loc := rc.Org.Location()
	for _, p := range periods {
		from, to := p.StartsAt.In(loc), p.EndsAt.In(loc).AddDate(0, 0, -1)
		d.Periods = append(d.Periods, periodView{ElectoralPeriod: p, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
			FromText: from.Format("02/01/2006"), ToText: to.Format("02/01/2006")})
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
	form, _ := formValues(r)
	return s.render(w, r, rc, status, "plan_settings", &page{Area: "plan", Title: s.t(rc, "plansettings.title"), Data: d, Errors: errs, Form: form})
}

// planSettingsSave adds, edits or removes one period or official, or sets
// an office's second approver: the form's "what" says which.
func (s *Server) planSettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	a := actor(rc)
	id := r.PostFormValue("id")
	var err error
	switch what := r.PostFormValue("what"); what {
	case "period", "period_update":
		in := s.periodInput(r, rc)
		if what == "period" {
			_, err = s.Editorial.CreateElectoralPeriod(ctx, a, rc.Org.ID, in)
		} else {
			_, err = s.Editorial.UpdateElectoralPeriod(ctx, a, rc.Org.ID, id, in)
		}
	case "period_delete":
		err = s.Editorial.DeleteElectoralPeriod(ctx, a, rc.Org.ID, id)
	case "official":
		_, err = s.Editorial.CreateOfficial(ctx, a, rc.Org.ID, officialInput(r))
	case "official_update":
		_, err = s.Editorial.UpdateOfficial(ctx, a, rc.Org.ID, id, officialInput(r))
	case "official_delete":
		err = s.Editorial.DeleteOfficial(ctx, a, rc.Org.ID, id)
	case "second_approval":
		err = s.Editorial.SetSecondApproval(ctx, a, rc.Org.ID, r.PostFormValue("office"), r.PostFormValue("on") == "1")
	default:
		return s.planSettingsPage(w, r, rc, http.StatusBadRequest, nil, "", "")
	}
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			// A new item's errors go to the add form (no id), an edit's to
			// that item's form.
			return s.planSettingsPage(w, r, rc, http.StatusUnprocessableEntity, errs, "", r.PostFormValue("what")+id)
		}
		return err
	}
	return redirect(w, r, "/plan/settings?ok=flash.plan_settings_saved")
}

func (s *Server) periodInput(r *http.Request, rc *reqCtx) editorial.ElectoralPeriodInput {
	loc := rc.Org.Location()
	day := func(name string) time.Time {
		t, _ := time.ParseInLocation(time.DateOnly, r.PostFormValue(name), loc)
		return t
	}
	end := day("ends_on")
	if !end.IsZero() {
		end = end.AddDate(0, 0, 1) // the last day is included: the period ends at the next midnight
	}
	return editorial.ElectoralPeriodInput{Name: r.PostFormValue("name"), StartsAt: day("starts_on"), EndsAt: end}
}

func officialInput(r *http.Request) editorial.OfficialInput {
	return editorial.OfficialInput{Name: r.PostFormValue("name"), Role: r.PostFormValue("role")}
}

// cadenceSave sets one account's cadence guard: most posts a day, least
// minutes between two, quiet hours. The rest of the account is kept as
// it is (the channel's page edits it).
func (s *Server) cadenceSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	acct, err := s.Publish.Account(ctx, rc.Org.ID, r.PostFormValue("account"))
	if err != nil {
		return err
	}
	c, err := cadenceInput(r)
	if err == nil {
		_, err = s.Publish.UpdateAccount(ctx, rc.Org.ID, acct.ID, publish.AccountInput{Name: acct.Name, Handle: acct.Handle,
			BaseURL: acct.BaseURL, OfficeID: acct.OfficeID, Cadence: c, RatePerMinute: acct.RatePerMinute})
	}
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.planSettingsPage(w, r, rc, http.StatusUnprocessableEntity, errs, acct.ID, "")
		}
		return err
	}
	return redirect(w, r, "/plan/settings?ok=flash.cadence_saved#cadence-"+acct.ID)
}

// cadenceInput reads the cadence form; a box left empty means no limit,
// anything else must be a whole number.
func cadenceInput(r *http.Request) (publish.Cadence, error) {
	num := func(name, key string) (int, error) {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 { // the service checks the real bounds; this keeps minutes from overflowing
			return 0, valid.New(name, key)
		}
		return n, nil
	}
	maxDay, err := num("max_per_day", "publish.cadence.max_invalid")
	if err != nil {
		return publish.Cadence{}, err
	}
	spacing, err := num("min_spacing", "publish.cadence.spacing_invalid")
	if err != nil {
		return publish.Cadence{}, err
	}
	return publish.Cadence{MaxPerDay: maxDay, MinSpacing: time.Duration(spacing) * time.Minute,
		QuietStart: strings.TrimSpace(r.PostFormValue("quiet_start")), QuietEnd: strings.TrimSpace(r.PostFormValue("quiet_end"))}, nil
}
