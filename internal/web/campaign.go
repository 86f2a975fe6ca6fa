// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Campaigns of the plan (seed 002: objectives, actions, tools and period):
// the list with how many posts each gathers, one campaign with its posts,
// and the forms to create, edit and delete them, for who approves
// everywhere in the organisation (the service checks it again).

// campaignView is a campaign as the pages show it.
type campaignView struct {
	editorial.Campaign
	Posts    int    // posts of the campaign this person sees
	Budget   string // "1.234,50" (Italian) or "1,234.50"
	Period   string // "23/11/2026 – 6/12/2026"
	Channels []publish.Account
}

type campaignsData struct {
	Campaigns []campaignView
	Campaign  *campaignView     // one campaign's page
	Posts     []editorial.Post  // its posts
	Accounts  []publish.Account // for the channel checkboxes
	Selected  map[string]bool   // channels ticked in the form
	CanManage bool
}

func (s *Server) campaigns(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.campaignsPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	list, err := s.Editorial.Campaigns(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := campaignsData{CanManage: rc.Grants.CanEverywhere(org.PermPostApprove), Selected: map[string]bool{}}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	for _, c := range list {
		// One query per campaign: a comune runs a handful at a time.
		posts, err := s.Editorial.Posts(ctx, rc.Org.ID, editorial.PostFilter{CampaignID: c.ID, Viewer: &a, Limit: 500})
		if err != nil {
			return err
		}
		v := s.campaignView(rc, c, d.Accounts)
		v.Posts = len(posts)
		d.Campaigns = append(d.Campaigns, v)
	}
	form, selected := formValues(r)
	if selected != nil {
		d.Selected = selected
	}
	return s.render(w, r, rc, status, "campaigns", &page{Area: "plan", Title: s.t(rc, "campaigns.title"), Data: d, Errors: errs, Form: form})
}

func (s *Server) campaignView(rc *reqCtx, c editorial.Campaign, accts []publish.Account) campaignView {
	v := campaignView{Campaign: c}
	if c.AdBudgetCents > 0 {
		v.Budget = formatEuro(c.AdBudgetCents, rc.Lang)
	}
	v.Channels = pickAccounts(accts, c.Channels)
	v.Period = dayText(c.StartsOn) + " – " + dayText(c.EndsOn)
	return v
}

// pickAccounts returns the accounts among ids, in the accounts' order.
func pickAccounts(accts []publish.Account, ids []string) []publish.Account {
	var out []publish.Account
	for _, a := range accts {
		for _, id := range ids {
			if a.ID == id {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// formValues are the values of a posted form to show again after an
// error, with the ticked channels apart; nil on a GET.
func formValues(r *http.Request) (map[string]string, map[string]bool) {
	if r.Method != http.MethodPost {
		return nil, nil
	}
	form := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 && k != csrfField && k != "channels" {
			form[k] = v[0]
		}
	}
	selected := map[string]bool{}
	for _, id := range r.PostForm["channels"] {
		selected[id] = true
	}
	return form, selected
}

// campaignInput reads the campaign form. A budget that is not an amount
// is a field error of its own: the service only sees cents.
func campaignInput(r *http.Request) (editorial.CampaignInput, error) {
	in := editorial.CampaignInput{Name: r.PostFormValue("name"), Objective: strings.TrimSpace(r.PostFormValue("objective")),
		Audience: strings.TrimSpace(r.PostFormValue("audience")), StartsOn: r.PostFormValue("starts_on"),
		EndsOn: r.PostFormValue("ends_on"), KPIs: strings.TrimSpace(r.PostFormValue("kpis")), Channels: r.PostForm["channels"]}
	cents, ok := parseEuro(r.PostFormValue("ad_budget"))
	if !ok {
		return in, valid.New("ad_budget", "editorial.campaign.budget_invalid")
	}
	in.AdBudgetCents = cents
	return in, nil
}

func (s *Server) campaignCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in, err := campaignInput(r)
	var c editorial.Campaign
	if err == nil {
		c, err = s.Editorial.CreateCampaign(r.Context(), actor(rc), rc.Org.ID, in)
	}
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.campaignsPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/campaigns/"+c.ID+"?ok=flash.campaign_created")
}

func (s *Server) campaignShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.campaignPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	c, err := s.Editorial.Campaign(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := campaignsData{CanManage: rc.Grants.CanEverywhere(org.PermPostApprove), Selected: map[string]bool{}}
	if d.Accounts, err = s.Publish.Accounts(ctx, rc.Org.ID); err != nil {
		return err
	}
	a := actor(rc)
	if d.Posts, err = s.Editorial.Posts(ctx, rc.Org.ID, editorial.PostFilter{CampaignID: c.ID, Viewer: &a, Limit: 500}); err != nil {
		return err
	}
	v := s.campaignView(rc, c, d.Accounts)
	v.Posts = len(d.Posts)
	d.Campaign = &v
	form, selected := formValues(r)
	if form == nil {
		form = map[string]string{"name": c.Name, "objective": c.Objective, "audience": c.Audience, "starts_on": c.StartsOn,
			"ends_on": c.EndsOn, "kpis": c.KPIs}
		if c.AdBudgetCents > 0 {
			form["ad_budget"] = plainEuro(c.AdBudgetCents, rc.Lang)
		}
		for _, id := range c.Channels {
			d.Selected[id] = true
		}
	} else {
		d.Selected = selected
	}
	return s.render(w, r, rc, status, "campaign", &page{Area: "plan", Title: c.Name, Data: d, Errors: errs, Form: form})
}

func (s *Server) campaignUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in, err := campaignInput(r)
	var c editorial.Campaign
	if err == nil {
		c, err = s.Editorial.UpdateCampaign(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id"), in)
	}
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.campaignPage(w, r, rc, http.StatusUnprocessableEntity, errs)
		}
		return err
	}
	return redirect(w, r, "/plan/campaigns/"+c.ID+"?ok=flash.campaign_saved")
}

func (s *Server) campaignDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Editorial.DeleteCampaign(r.Context(), actor(rc), rc.Org.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/plan/campaigns?ok=flash.campaign_deleted")
}

// parseEuro reads an amount in euro as people type it: "1500", "1.500,50"
// (Italian), "1500.50", with or without "€". Empty is no budget.
func parseEuro(v string) (int64, bool) {
	v = strings.NewReplacer("€", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(v))
	if v == "" {
		return 0, true
	}
	if strings.Contains(v, ",") {
		// Italian: dots group thousands, the comma marks the cents.
		v = strings.ReplaceAll(v, ".", "")
		v = strings.Replace(v, ",", ".", 1)
	} else if strings.Count(v, ".") > 1 || (strings.Contains(v, ".") && len(v)-strings.LastIndex(v, ".") == 4) {
		// "1.500" is fifteen hundred euro, not one and a half.
		v = strings.ReplaceAll(v, ".", "")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e11 || math.IsNaN(f) {
		return 0, false
	}
	return int64(math.Round(f * 100)), true
}

// plainEuro writes cents for a form field, without grouping, so that
// parseEuro reads it back.
func plainEuro(cents int64, lang i18n.Lang) string {
	dec := ","
	if lang != i18n.Italian {
		dec = "."
	}
	return fmt.Sprintf("%d%s%02d", cents/100, dec, cents%100)
}

// formatEuro writes cents as an amount with the language's separators.
func formatEuro(cents int64, lang i18n.Lang) string {
	whole, frac := cents/100, cents%100
	digits := strconv.FormatInt(whole, 10)
	group, dec := ".", ","
	if lang != i18n.Italian {
		group, dec = ",", "."
	}
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s%02d", b.String(), dec, frac)
}

// dayText writes a YYYY-MM-DD day the Italian way, 23/11/2026.
func dayText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}
