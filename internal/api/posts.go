// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// The editorial plan over the API: channel accounts (never their
// credentials), posts with their variants, workflow transitions,
// publications, campaigns, and the live check of a text.

func actorOf(c *caller) editorial.Actor {
	return editorial.Actor{PersonID: c.Person.ID, Grants: c.Grants}
}

// planError turns the plan's refusals into answers a client can act on.
func planError(err error) error {
	var pe *publish.ProblemsError
	switch {
	case errors.Is(err, editorial.ErrStale):
		return &Error{Status: http.StatusConflict, Code: codeConflict, Message: "the post changed meanwhile: read it again and resend with its version"}
	case errors.Is(err, editorial.ErrScheduled):
		return &Error{Status: http.StatusConflict, Code: codeConflict, Message: "the post is scheduled: unschedule it first"}
	case errors.As(err, &pe):
		out := &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "a variant breaks its channel's limits"}
		for _, c := range pe.Checks {
			for _, p := range c.Problems {
				out.Fields = append(out.Fields, FieldError{Field: "variants." + c.AccountID, Code: p.Code,
					Message: fmt.Sprintf("%s: limit %d, counted %d, over by %d (%s)", p.Code, p.Limit, p.Actual, p.Over(), c.Unit)})
			}
		}
		return out
	}
	return err
}

type channelJSON struct {
	ID             string `json:"id"`
	Platform       string `json:"platform"`
	Name           string `json:"name"`
	Handle         string `json:"handle"`
	Status         string `json:"status"`
	StatusReason   string `json:"status_reason"`
	Sandbox        bool   `json:"sandbox"`
	HasCredentials bool   `json:"has_credentials"`
	MaxText        int    `json:"max_text"`
	TextUnit       string `json:"text_unit"`
}

func (s *server) channelView(a publish.Account) channelJSON {
	v := channelJSON{ID: a.ID, Platform: string(a.Platform), Name: a.Name, Handle: a.Handle, Status: string(a.Status),
		StatusReason: a.StatusReason, Sandbox: a.Sandbox, HasCredentials: a.HasCredentials}
	if c, ok := s.Publish.Registry().For(channel.Account{Platform: a.Platform, Sandbox: a.Sandbox}); ok {
		lim := c.Limits(channel.Account{Platform: a.Platform, Settings: a.Settings, BaseURL: a.BaseURL, Handle: a.Handle})
		v.MaxText, v.TextUnit = lim.MaxText, lim.TextUnit
	}
	return v
}

// listChannels answers GET /api/v1/channels.
func (s *server) listChannels(w http.ResponseWriter, r *http.Request, c *caller) error {
	accts, err := s.Publish.Accounts(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	out := make([]channelJSON, 0, len(accts))
	for _, a := range accts {
		out = append(out, s.channelView(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
	return nil
}

// getChannel answers GET /api/v1/channels/{id}.
func (s *server) getChannel(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := s.Publish.Account(r.Context(), c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.channelView(a))
	return nil
}

type channelCreateRequest struct {
	Platform string `json:"platform"`
	Name     string `json:"name"`
	Handle   string `json:"handle"`
	BaseURL  string `json:"base_url"`
	OfficeID string `json:"office_id"`
	// Credentials are write-only: stored sealed, never part of an answer.
	Credentials map[string]string `json:"credentials"`
}

// createChannel answers POST /api/v1/channels.
func (s *server) createChannel(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req channelCreateRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	a, err := s.Publish.CreateAccount(r.Context(), c.OrgID, publish.AccountInput{Platform: channel.Platform(req.Platform),
		Name: req.Name, Handle: req.Handle, BaseURL: req.BaseURL, OfficeID: req.OfficeID, Credentials: channel.Credentials(req.Credentials)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/channels/"+a.ID)
	writeJSON(w, http.StatusCreated, s.channelView(a))
	return nil
}

// checkChannel answers POST /api/v1/channels/{id}/check: the platform's
// own credential check ("Verifica"). A refusal is an answer, not an
// error: ok false with the platform's words, and the account needs
// attention.
func (s *server) checkChannel(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	if _, err := s.Publish.Account(ctx, c.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	id, err := s.Publish.CheckAccount(ctx, c.OrgID, r.PathValue("id"))
	out := map[string]any{"ok": err == nil, "name": id.Name, "handle": id.Handle, "url": id.URL, "error": ""}
	if err != nil {
		ce := channel.AsError(err)
		if ce == nil {
			return err
		}
		out["error"] = ce.Message
		if ce.Message == "" {
			out["error"] = ce.Error()
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type variantJSON struct {
	AccountID string `json:"account_id"`
	Language  string `json:"language"`
	Text      string `json:"text"`
}

type postJSON struct {
	ID          string        `json:"id"`
	State       string        `json:"state"`
	Version     int           `json:"version"`
	Title       string        `json:"title"`
	Body        string        `json:"body"`
	LinkURL     string        `json:"link_url"`
	OfficeID    string        `json:"office_id"`
	CampaignID  string        `json:"campaign_id"`
	ScheduledAt *time.Time    `json:"scheduled_at"`
	AuthorID    string        `json:"author_id"`
	ApprovedBy  string        `json:"approved_by"`
	Variants    []variantJSON `json:"variants,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

func postView(p editorial.Post, vs []editorial.Variant) postJSON {
	out := postJSON{ID: p.ID, State: string(p.State), Version: p.Version, Title: p.Title, Body: p.Body, LinkURL: p.LinkURL,
		OfficeID: p.OfficeID, CampaignID: p.CampaignID, AuthorID: p.AuthorID, ApprovedBy: p.ApprovedBy,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	if !p.ScheduledAt.IsZero() {
		t := p.ScheduledAt.UTC()
		out.ScheduledAt = &t
	}
	for _, v := range vs {
		out.Variants = append(out.Variants, variantJSON{AccountID: v.AccountID, Language: v.Language, Text: v.Text})
	}
	return out
}

// visiblePost returns a post the caller may see; others are not found.
func (s *server) visiblePost(r *http.Request, c *caller) (editorial.Post, error) {
	p, err := s.Editorial.Post(r.Context(), c.OrgID, r.PathValue("id"))
	if err != nil {
		return p, err
	}
	if !editorial.CanSee(actorOf(c), p) {
		return p, store.ErrNotFound
	}
	return p, nil
}

// listPosts answers GET /api/v1/posts (?state=, ?q=), latest planned first.
func (s *server) listPosts(w http.ResponseWriter, r *http.Request, c *caller) error {
	a := actorOf(c)
	f := editorial.PostFilter{Viewer: &a, Search: r.URL.Query().Get("q"), Limit: 200}
	if st := editorial.State(r.URL.Query().Get("state")); st != "" {
		if !st.Valid() {
			return badRequest("unknown state %q", st)
		}
		f.States = []editorial.State{st}
	}
	posts, err := s.Editorial.Posts(r.Context(), c.OrgID, f)
	if err != nil {
		return err
	}
	out := make([]postJSON, 0, len(posts))
	for _, p := range posts {
		out = append(out, postView(p, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"posts": out})
	return nil
}

// getPost answers GET /api/v1/posts/{id}, with its variants.
func (s *server) getPost(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := s.visiblePost(r, c)
	if err != nil {
		return err
	}
	vs, err := s.Editorial.Variants(r.Context(), c.OrgID, p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, postView(p, vs))
	return nil
}

type postCreateRequest struct {
	Title      string        `json:"title"`
	Body       string        `json:"body"`
	LinkURL    string        `json:"link_url"`
	OfficeID   string        `json:"office_id"`
	CampaignID string        `json:"campaign_id"`
	PlannedAt  *time.Time    `json:"planned_at"`
	Variants   []variantJSON `json:"variants"`
}

// createPost answers POST /api/v1/posts: a draft with its variants.
func (s *server) createPost(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req postCreateRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	in := editorial.PostInput{Title: req.Title, Body: req.Body, LinkURL: req.LinkURL, OfficeID: req.OfficeID, CampaignID: req.CampaignID}
	if req.PlannedAt != nil {
		in.PlannedAt = *req.PlannedAt
	}
	p, err := s.Editorial.CreatePost(ctx, actorOf(c), c.OrgID, in)
	if err != nil {
		return err
	}
	var vs []editorial.Variant
	if len(req.Variants) > 0 {
		if vs, err = s.Editorial.SetVariants(ctx, actorOf(c), c.OrgID, p.ID, p.Version, variantInputs(req.Variants)); err != nil {
			// One request, one outcome: the draft made a moment ago is
			// withdrawn (cancelled, on record) rather than left half-made
			// for a client that was told its request failed.
			if _, cerr := s.Editorial.Transition(ctx, actorOf(c), c.OrgID, p.ID, p.Version, editorial.ActionCancel, ""); cerr != nil {
				s.Logger.Warn("api: cannot withdraw a draft whose variants were refused", "post", p.ID, "err", cerr)
			}
			return planError(err)
		}
		if p, err = s.Editorial.Post(ctx, c.OrgID, p.ID); err != nil {
			return err
		}
	}
	w.Header().Set("Location", Prefix+"/posts/"+p.ID)
	writeJSON(w, http.StatusCreated, postView(p, vs))
	return nil
}

func variantInputs(vs []variantJSON) []editorial.VariantInput {
	out := make([]editorial.VariantInput, 0, len(vs))
	for _, v := range vs {
		out = append(out, editorial.VariantInput{AccountID: v.AccountID, Language: v.Language, Text: v.Text})
	}
	return out
}

type variantsRequest struct {
	Version  int           `json:"version"`
	Variants []variantJSON `json:"variants"`
}

// putVariants answers PUT /api/v1/posts/{id}/variants: all the variants at
// once, if the post is still at the version the client read.
func (s *server) putVariants(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req variantsRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.visiblePost(r, c)
	if err != nil {
		return err
	}
	vs, err := s.Editorial.SetVariants(ctx, actorOf(c), c.OrgID, p.ID, req.Version, variantInputs(req.Variants))
	if err != nil {
		return planError(err)
	}
	if p, err = s.Editorial.Post(ctx, c.OrgID, p.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, postView(p, vs))
	return nil
}

type transitionRequest struct {
	Action  string     `json:"action"`
	Version int        `json:"version"`
	Comment string     `json:"comment"`
	At      *time.Time `json:"at"`
}

// transitionPerm is the permission of each action a client may ask for.
var transitionPerm = map[editorial.Action]org.Permission{
	editorial.ActionSubmit: org.PermPostSubmit, editorial.ActionApprove: org.PermPostApprove,
	editorial.ActionReject: org.PermPostApprove, editorial.ActionSchedule: org.PermPostPublish,
	editorial.ActionUnschedule: org.PermPostPublish, editorial.ActionCancel: org.PermPostWrite,
	editorial.ActionReopen: org.PermPostWrite,
}

// transition answers POST /api/v1/posts/{id}/transitions: submit, approve,
// reject (with a comment), schedule (at a time, default now), unschedule,
// cancel, reopen.
func (s *server) transition(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req transitionRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.visiblePost(r, c)
	if err != nil {
		return err
	}
	act := editorial.Action(req.Action)
	perm, ok := transitionPerm[act]
	if !ok {
		return badRequest("unknown action %q", req.Action)
	}
	if !c.Grants.Can(perm) {
		return forbidden(fmt.Sprintf("the action %s needs the permission %s", act, perm))
	}
	switch act {
	case editorial.ActionSchedule:
		at := time.Now()
		if req.At != nil && req.At.After(at) {
			at = *req.At
		}
		_, err = s.Publish.Schedule(ctx, actorOf(c), c.OrgID, p.ID, req.Version, at)
	case editorial.ActionUnschedule:
		_, err = s.Publish.Unschedule(ctx, actorOf(c), c.OrgID, p.ID, req.Version)
	default:
		_, err = s.Editorial.Transition(ctx, actorOf(c), c.OrgID, p.ID, req.Version, act, req.Comment)
	}
	if err != nil {
		return planError(err)
	}
	if p, err = s.Editorial.Post(ctx, c.OrgID, p.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, postView(p, nil))
	return nil
}

type publicationJSON struct {
	ID          string     `json:"id"`
	AccountID   string     `json:"account_id"`
	State       string     `json:"state"`
	DueAt       time.Time  `json:"due_at"`
	Attempts    int        `json:"attempts"`
	RemoteID    string     `json:"remote_id"`
	RemoteURL   string     `json:"remote_url"`
	PublishedAt *time.Time `json:"published_at"`
	LastError   string     `json:"last_error"`
}

// listPublications answers GET /api/v1/posts/{id}/publications.
func (s *server) listPublications(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := s.visiblePost(r, c)
	if err != nil {
		return err
	}
	pubs, err := s.Publish.Publications(r.Context(), c.OrgID, p.ID)
	if err != nil {
		return err
	}
	out := make([]publicationJSON, 0, len(pubs))
	for _, pb := range pubs {
		v := publicationJSON{ID: pb.ID, AccountID: pb.AccountID, State: string(pb.State), DueAt: pb.DueAt.UTC(),
			Attempts: pb.Attempts, RemoteID: pb.RemoteID, RemoteURL: pb.RemoteURL, LastError: pb.LastError}
		if !pb.PublishedAt.IsZero() {
			t := pb.PublishedAt.UTC()
			v.PublishedAt = &t
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"publications": out})
	return nil
}

type checkRequest struct {
	AccountID string   `json:"account_id"`
	Text      string   `json:"text"`
	MediaIDs  []string `json:"media_ids"`
	LinkURL   string   `json:"link_url"`
}

type problemJSON struct {
	Code   string `json:"code"`
	Limit  int    `json:"limit"`
	Actual int    `json:"actual"`
	Over   int    `json:"over"`
}

// checkText answers POST /api/v1/check: a text counted the way its
// channel's platform counts it, with what would stop it.
func (s *server) checkText(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req checkRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ch, err := s.Publish.CheckText(r.Context(), c.OrgID, req.AccountID, req.Text, req.MediaIDs, req.LinkURL)
	if err != nil {
		return err
	}
	probs := make([]problemJSON, 0, len(ch.Problems))
	for _, p := range ch.Problems {
		probs = append(probs, problemJSON{Code: p.Code, Limit: p.Limit, Actual: p.Actual, Over: p.Over()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"account_id": ch.AccountID, "platform": string(ch.Platform), "count": ch.Count,
		"limit": ch.Limit, "unit": ch.Unit, "ok": ch.OK(), "problems": probs})
	return nil
}

type campaignJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Objective     string   `json:"objective"`
	Audience      string   `json:"audience"`
	StartsOn      string   `json:"starts_on"`
	EndsOn        string   `json:"ends_on"`
	Channels      []string `json:"channels"`
	KPIs          string   `json:"kpis"`
	AdBudgetCents int64    `json:"ad_budget_cents"`
}

func campaignView(cp editorial.Campaign) campaignJSON {
	ch := cp.Channels
	if ch == nil {
		ch = []string{}
	}
	return campaignJSON{ID: cp.ID, Name: cp.Name, Objective: cp.Objective, Audience: cp.Audience, StartsOn: cp.StartsOn,
		EndsOn: cp.EndsOn, Channels: ch, KPIs: cp.KPIs, AdBudgetCents: cp.AdBudgetCents}
}

// listCampaigns answers GET /api/v1/campaigns.
func (s *server) listCampaigns(w http.ResponseWriter, r *http.Request, c *caller) error {
	cs, err := s.Editorial.Campaigns(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	out := make([]campaignJSON, 0, len(cs))
	for _, cp := range cs {
		out = append(out, campaignView(cp))
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
	return nil
}

// createCampaign answers POST /api/v1/campaigns.
func (s *server) createCampaign(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req campaignJSON
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	cp, err := s.Editorial.CreateCampaign(r.Context(), actorOf(c), c.OrgID, editorial.CampaignInput{Name: req.Name,
		Objective: req.Objective, Audience: req.Audience, StartsOn: req.StartsOn, EndsOn: req.EndsOn, KPIs: req.KPIs,
		Channels: req.Channels, AdBudgetCents: req.AdBudgetCents})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/campaigns/"+cp.ID)
	writeJSON(w, http.StatusCreated, campaignView(cp))
	return nil
}
