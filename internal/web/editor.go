// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/quality"
	"github.com/piazza-pa/piazza/internal/store"
)

// The editor of the plan: the list of posts, one post with a variant per
// channel account (counted live the platform's way), its workflow, its
// comments and, once scheduled, its publications.

// actor is the editorial actor of a request: the person and what they may
// do in the organisation. The audit actor is already in the context.
func actor(rc *reqCtx) editorial.Actor {
	return editorial.Actor{PersonID: rc.Person.ID, Grants: rc.Grants}
}

type planListData struct {
	Posts    []editorial.Post
	States   []editorial.State
	State    string
	Search   string
	CanWrite bool
	Accounts map[string]publish.Account
}

// planList is the plan as a list, latest planned first.
func (s *Server) planList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	a := actor(rc)
	f := editorial.PostFilter{Viewer: &a, Search: strings.TrimSpace(r.URL.Query().Get("q")), Limit: 200}
	st := r.URL.Query().Get("state")
	if editorial.State(st).Valid() {
		f.States = []editorial.State{editorial.State(st)}
	}
	posts, err := s.Editorial.Posts(ctx, rc.Org.ID, f)
	if err != nil {
		return err
	}
	d := planListData{Posts: posts, States: editorial.States, State: st, Search: f.Search,
		CanWrite: rc.Grants.Can(org.PermPostWrite)}
	return s.render(w, r, rc, http.StatusOK, "editor_list", &page{Area: "plan", Title: s.t(rc, "plan.title"), Data: d})
}

// variantRow is one channel account in the editor, with its variant (if
// written) and the check of its text.
type variantRow struct {
	// Key names the row's fields: the account id for the organisation's
	// first language, "<account>__<lang>" for the other editions.
	Key      string
	Language string
	Primary  bool
	Account  publish.Account
	Text     string
	Check    *publish.VariantCheck
	Problem  []string // translated problems
}

type postData struct {
	Post         editorial.Post
	New          bool
	Rows         []variantRow
	Campaigns    []editorial.Campaign
	Offices      []org.Office
	Media        []editorial.Media
	Actions      []editorial.Action
	Comments     []editorial.Comment
	History      []audit.Entry
	Publications []publish.Publication
	Accounts     map[string]publish.Account
	Readability  quality.Gulpease
	Hashtags     []quality.HashtagHint
	Election     editorial.ElectionStatus
	Warnings     []string
	CanEdit      bool
	CanComment   bool
	MediaURL     func(orgID, id string) string
	PlannedLocal string
	Selected     map[string]bool // media of the post
	// Rettifica: on a published post, its variants with their current
	// text, and what the last correction did.
	CanCorrect  bool
	Variants    []editorial.Variant
	Corrections []publish.CorrectionResult
	// Approvers are the names of the people who approved the post: a
	// human reviewer on record (AI Act transparency for public text).
	Approvers []string
}

// postNew is an empty editor.
func (s *Server) postNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.postPage(w, r, rc, http.StatusOK, editorial.Post{State: editorial.StateDraft}, true, nil, nil)
}

// postShow is the editor of an existing post.
func (s *Server) postShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.visiblePost(r, rc)
	if err != nil {
		return err
	}
	return s.postPage(w, r, rc, http.StatusOK, p, false, nil, nil)
}

// visiblePost returns the post of the path if the person may see it.
func (s *Server) visiblePost(r *http.Request, rc *reqCtx) (editorial.Post, error) {
	p, err := s.Editorial.Post(r.Context(), rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return p, err
	}
	if !editorial.CanSee(actor(rc), p) {
		return p, store.ErrNotFound // not even whether it exists
	}
	return p, nil
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, p editorial.Post, isNew bool,
	errs map[string]string, texts map[string]string) error {
	ctx := r.Context()
	accts, err := s.Publish.Accounts(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := postData{Post: p, New: isNew, Accounts: map[string]publish.Account{}, MediaURL: s.MediaURL,
		CanEdit: isNew || editorial.CanWrite(actor(rc), p) && editable(p.State), CanComment: !isNew, Selected: map[string]bool{}}
	for _, id := range p.MediaIDs {
		d.Selected[id] = true
	}
	if !p.ScheduledAt.IsZero() {
		d.PlannedLocal = p.ScheduledAt.In(rc.Org.Location()).Format("2006-01-02T15:04")
	}
	var variants []editorial.Variant
	if !isNew {
		if variants, err = s.Editorial.Variants(ctx, rc.Org.ID, p.ID); err != nil {
			return err
		}
	}
	checks := map[string]publish.VariantCheck{}
	if !isNew && texts == nil {
		cs, err := s.Publish.CheckPost(ctx, rc.Org.ID, p.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			checks[c.VariantID] = c
		}
	}
	langs := rc.Org.Languages
	if len(langs) == 0 {
		langs = []string{"it"}
	}
	var all strings.Builder
	all.WriteString(p.Body)
	for _, a := range accts {
		d.Accounts[a.ID] = a
		if a.Status == publish.AccountDisabled {
			continue
		}
		for i, lang := range langs {
			row := variantRow{Key: variantKey(a.ID, lang, i == 0), Language: lang, Primary: i == 0, Account: a}
			for _, v := range variants {
				if v.AccountID == a.ID && (v.Language == lang || v.Language == "" && i == 0) {
					row.Text = v.Text
					if c, ok := checks[v.ID]; ok {
						row.Check = &c
						row.Problem = s.problemTexts(rc, c.Problems)
					}
				}
			}
			if t, ok := texts[row.Key]; ok {
				row.Text = t
			}
			all.WriteString("\n" + row.Text)
			d.Rows = append(d.Rows, row)
		}
	}
	d.Readability = quality.Readability(p.Body)
	d.Hashtags = quality.HashtagHints(all.String())
	if d.Campaigns, err = s.Editorial.Campaigns(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Offices, err = s.Orgs.Offices(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Media, err = s.Editorial.MediaList(ctx, rc.Org.ID, 100); err != nil {
		return err
	}
	if !isNew {
		d.Actions = s.allowedActions(rc, p)
		if d.Comments, err = s.Editorial.Comments(ctx, rc.Org.ID, p.ID); err != nil {
			return err
		}
		if d.History, err = s.Editorial.History(ctx, rc.Org.ID, p.ID); err != nil {
			return err
		}
		if d.Publications, err = s.Publish.Publications(ctx, rc.Org.ID, p.ID); err != nil {
			return err
		}
		var texts []string
		for _, row := range d.Rows {
			texts = append(texts, row.Text)
		}
		if d.Election, err = s.Editorial.ElectionCheck(ctx, rc.Org.ID, p, texts); err != nil {
			return err
		}
		d.Variants = variants
		for _, id := range []string{p.ApprovedBy, p.SecondApprovedBy} {
			if id == "" {
				continue
			}
			if who, err := s.Auth.Person(ctx, id); err == nil {
				d.Approvers = append(d.Approvers, who.Name)
			}
		}
		d.CanCorrect = p.State == editorial.StatePublished && rc.Grants.Can(org.PermPostPublish)
	}
	d.Corrections = correctionsFrom(ctx)
	title := p.Title
	if isNew {
		title = s.t(rc, "plan.new_post")
	} else if title == "" {
		title = s.t(rc, "plan.untitled")
	}
	return s.render(w, r, rc, status, "editor_post", &page{Area: "plan", Title: title, Data: d, Errors: errs})
}

// editable reports whether a post's text may still change in the editor:
// once scheduled it goes through unschedule, once published through the
// rettifica.
func editable(st editorial.State) bool {
	return st == editorial.StateDraft || st == editorial.StateReview || st == editorial.StateApproved
}

// allowedActions are the workflow buttons this person may press now.
func (s *Server) allowedActions(rc *reqCtx, p editorial.Post) []editorial.Action {
	need := map[editorial.Action]org.Permission{
		editorial.ActionSubmit: org.PermPostSubmit, editorial.ActionApprove: org.PermPostApprove,
		editorial.ActionReject: org.PermPostApprove, editorial.ActionSchedule: org.PermPostPublish,
		editorial.ActionUnschedule: org.PermPostPublish, editorial.ActionCancel: org.PermPostWrite,
		editorial.ActionReopen: org.PermPostWrite,
	}
	var out []editorial.Action
	for _, a := range editorial.Actions(p.State) {
		if perm, ok := need[a]; ok && rc.Grants.Can(perm) {
			out = append(out, a)
		}
	}
	return out
}

// problemTexts translates a check's problems, in the platform's units.
func (s *Server) problemTexts(rc *reqCtx, ps []channel.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.t(rc, p.Code, p.Args()...))
	}
	return out
}

// postInput reads the post's own fields from the editor's form.
func (s *Server) postInput(r *http.Request, rc *reqCtx) (editorial.PostInput, map[string]string) {
	in := editorial.PostInput{OfficeID: r.PostFormValue("office"), CampaignID: r.PostFormValue("campaign"),
		Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), LinkURL: strings.TrimSpace(r.PostFormValue("link_url")),
		LinkTitle: r.PostFormValue("link_title"), LinkDescription: r.PostFormValue("link_description"),
		ElectionReason: r.PostFormValue("election_reason"), MediaIDs: r.PostForm["media"]}
	if v := strings.TrimSpace(r.PostFormValue("planned_at")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, rc.Org.Location())
		if err != nil {
			return in, map[string]string{"planned_at": s.t(rc, "plan.error.time")}
		}
		in.PlannedAt = t
	}
	return in, nil
}

// variantTexts reads one text per account ("v_<account id>").
func variantTexts(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "v_"); ok && len(v) > 0 {
			out[id] = v[0]
		}
	}
	return out
}

// variantKey names the fields of one edition of one account's variant.
func variantKey(accountID, lang string, primary bool) string {
	if primary {
		return accountID
	}
	return accountID + "__" + lang
}

// splitVariantKey is variantKey's inverse; an empty language is the
// organisation's first one.
func splitVariantKey(key string) (accountID, lang string) {
	accountID, lang, _ = strings.Cut(key, "__")
	return accountID, lang
}

func variantInputs(texts map[string]string, mediaIDs []string) []editorial.VariantInput {
	var out []editorial.VariantInput
	for key, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue // no text: the post does not go to this account in this language
		}
		id, lang := splitVariantKey(key)
		out = append(out, editorial.VariantInput{AccountID: id, Language: lang, Text: t, MediaIDs: mediaIDs})
	}
	slices.SortFunc(out, func(a, b editorial.VariantInput) int {
		return strings.Compare(a.AccountID+"\x00"+a.Language, b.AccountID+"\x00"+b.Language)
	})
	return out
}

// postCreate saves a new draft with its variants.
func (s *Server) postCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	in, errs := s.postInput(r, rc)
	texts := variantTexts(r)
	draft := editorial.Post{State: editorial.StateDraft, Title: in.Title, Body: in.Body, LinkURL: in.LinkURL,
		OfficeID: in.OfficeID, CampaignID: in.CampaignID, ScheduledAt: in.PlannedAt, MediaIDs: in.MediaIDs}
	if errs != nil {
		return s.postPage(w, r, rc, http.StatusUnprocessableEntity, draft, true, errs, texts)
	}
	p, err := s.Editorial.CreatePost(ctx, actor(rc), rc.Org.ID, in)
	if err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.postPage(w, r, rc, http.StatusUnprocessableEntity, draft, true, errs, texts)
		}
		return err
	}
	if vs := variantInputs(texts, in.MediaIDs); len(vs) > 0 {
		if _, err := s.Editorial.SetVariants(ctx, actor(rc), rc.Org.ID, p.ID, p.Version, vs); err != nil {
			if errs, ok := s.formErrors(rc, err); ok {
				return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, errs, texts)
			}
			return err
		}
	}
	return redirect(w, r, "/plan/posts/"+p.ID+"?ok=flash.post_saved")
}

// postSave saves the post's fields and variants, if nobody changed the
// post meanwhile.
func (s *Server) postSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	p, err := s.visiblePost(r, rc)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in, errs := s.postInput(r, rc)
	texts := variantTexts(r)
	if errs != nil {
		return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, errs, texts)
	}
	updated, err := s.Editorial.UpdatePost(ctx, actor(rc), rc.Org.ID, p.ID, version, in)
	if err == nil {
		_, err = s.Editorial.SetVariants(ctx, actor(rc), rc.Org.ID, p.ID, updated.Version, variantInputs(texts, in.MediaIDs))
	}
	if err != nil {
		return s.postError(w, r, rc, p, err, texts)
	}
	return redirect(w, r, "/plan/posts/"+p.ID+"?ok=flash.post_saved")
}

// postError shows a refused change on the editor, in words.
func (s *Server) postError(w http.ResponseWriter, r *http.Request, rc *reqCtx, p editorial.Post, err error, texts map[string]string) error {
	var pe *publish.ProblemsError
	switch {
	case errors.Is(err, editorial.ErrStale) || errors.Is(err, store.ErrConflict):
		return s.postPage(w, r, rc, http.StatusConflict, p, false, map[string]string{"form": s.t(rc, "plan.error.stale")}, texts)
	case errors.Is(err, editorial.ErrScheduled):
		return s.postPage(w, r, rc, http.StatusConflict, p, false, map[string]string{"form": s.t(rc, "plan.error.scheduled")}, texts)
	case errors.As(err, &pe):
		var msgs []string
		for _, c := range pe.Checks {
			name := c.AccountID
			if a, err := s.Publish.Account(r.Context(), rc.Org.ID, c.AccountID); err == nil {
				name = a.Name
			}
			for _, m := range s.problemTexts(rc, c.Problems) {
				msgs = append(msgs, name+": "+m)
			}
		}
		return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false,
			map[string]string{"form": s.t(rc, "plan.error.problems") + " " + strings.Join(msgs, " ")}, texts)
	case errors.Is(err, store.ErrForbidden):
		return err
	}
	if errs, ok := s.formErrors(rc, err); ok {
		return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, errs, texts)
	}
	return err
}

// postAction applies a workflow button: submit, approve, reject (with a
// comment), schedule (at a time), unschedule, cancel, reopen.
func (s *Server) postAction(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	p, err := s.visiblePost(r, rc)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	act := editorial.Action(r.PostFormValue("action"))
	if !slices.Contains(s.allowedActions(rc, p), act) {
		return store.ErrForbidden
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	flash := actionFlash[act]
	switch act {
	case editorial.ActionSchedule:
		at := p.ScheduledAt
		if v := strings.TrimSpace(r.PostFormValue("at")); v != "" {
			t, perr := time.ParseInLocation("2006-01-02T15:04", v, rc.Org.Location())
			if perr != nil {
				return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, map[string]string{"at": s.t(rc, "plan.error.time")}, nil)
			}
			at = t
		}
		if at.IsZero() || at.Before(time.Now()) {
			at = time.Now() // "now" is the earliest a post can go out
		}
		var res publish.ScheduleResult
		res, err = s.Publish.Schedule(ctx, actor(rc), rc.Org.ID, p.ID, version, at)
		if err == nil && len(res.Warnings) > 0 {
			flash = "flash.post_schedule_warned"
		}
	case editorial.ActionUnschedule:
		_, err = s.Publish.Unschedule(ctx, actor(rc), rc.Org.ID, p.ID, version)
	default:
		_, err = s.Editorial.Transition(ctx, actor(rc), rc.Org.ID, p.ID, version, act, comment)
	}
	if err != nil {
		return s.postError(w, r, rc, p, err, nil)
	}
	return redirect(w, r, "/plan/posts/"+p.ID+"?ok="+flash)
}

// postCorrect is the rettifica of a published post: corrected texts are
// edited in place where the platform allows, or the post is deleted
// everywhere; either way with a note, on record.
func (s *Server) postCorrect(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	p, err := s.visiblePost(r, rc)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, map[string]string{"note": s.t(rc, "plan.correct.note_required")}, nil)
	}
	var res []publish.CorrectionResult
	if r.PostFormValue("mode") == "retract" {
		res, err = s.Publish.Retract(ctx, rc.Org.ID, p.ID, note)
	} else {
		variants, verr := s.Editorial.Variants(ctx, rc.Org.ID, p.ID)
		if verr != nil {
			return verr
		}
		texts := map[string]string{}
		for _, v := range variants {
			if t, ok := r.PostForm["c_"+v.ID]; ok && len(t) > 0 && strings.TrimSpace(t[0]) != "" && t[0] != v.Text {
				texts[v.ID] = t[0]
			}
		}
		if len(texts) == 0 {
			return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, map[string]string{"note": s.t(rc, "plan.correct.nothing")}, nil)
		}
		res, err = s.Publish.Correct(ctx, actor(rc), rc.Org.ID, p.ID, note, texts)
	}
	if err != nil {
		return s.postError(w, r, rc, p, err, nil)
	}
	if p, err = s.Editorial.Post(ctx, rc.Org.ID, p.ID); err != nil {
		return err
	}
	return s.postPageWith(w, r, rc, p, res)
}

// postPageWith shows the post with what a rettifica did.
func (s *Server) postPageWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, p editorial.Post, res []publish.CorrectionResult) error {
	r = r.WithContext(withCorrections(r.Context(), res))
	return s.postPage(w, r, rc, http.StatusOK, p, false, nil, nil)
}

// publicationResolve is a person's decision on a publication whose outcome
// is unknown, after looking at the platform: it was published (with its
// link), or it was not and is attempted again.
func (s *Server) publicationResolve(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	pb, err := s.Publish.Publication(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.Publish.Resolve(ctx, rc.Org.ID, pb.ID, r.PostFormValue("published") == "1", strings.TrimSpace(r.PostFormValue("remote_url"))); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			for _, m := range errs {
				return s.moveRefusedText(w, r, rc, m)
			}
		}
		return err
	}
	return redirect(w, r, "/plan/posts/"+pb.PostID+"?ok=flash.publication_resolved")
}

// actionFlash is the message after each workflow action.
var actionFlash = map[editorial.Action]string{
	editorial.ActionSubmit: "flash.post_submit", editorial.ActionApprove: "flash.post_approve",
	editorial.ActionReject: "flash.post_reject", editorial.ActionSchedule: "flash.post_schedule",
	editorial.ActionUnschedule: "flash.post_unschedule", editorial.ActionCancel: "flash.post_cancel",
	editorial.ActionReopen: "flash.post_reopen",
}

// postComment adds a note of the team to a post.
func (s *Server) postComment(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.visiblePost(r, rc)
	if err != nil {
		return err
	}
	if _, err := s.Editorial.AddComment(r.Context(), actor(rc), rc.Org.ID, p.ID, r.PostFormValue("body")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.postPage(w, r, rc, http.StatusUnprocessableEntity, p, false, errs, nil)
		}
		return err
	}
	return redirect(w, r, "/plan/posts/"+p.ID+"?ok=flash.comment_added#comments")
}

// variantCheck answers the editor's live counter (htmx): the length of one
// variant as its platform counts it, the limit, and what is wrong.
func (s *Server) variantCheck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	account := r.PostFormValue("account")
	text := r.PostFormValue("v_" + account)
	if strings.TrimSpace(text) == "" {
		// An empty variant is a channel the post does not go to.
		return s.fragment(w, rc, "editor_post", "variant-count", map[string]any{"Row": variantRow{}, "ID": account, "Empty": true})
	}
	accountID, _ := splitVariantKey(account)
	c, err := s.Publish.CheckText(r.Context(), rc.Org.ID, accountID, text, r.PostForm["media"], strings.TrimSpace(r.PostFormValue("link_url")))
	if err != nil {
		return err
	}
	row := variantRow{Check: &c, Problem: s.problemTexts(rc, c.Problems)}
	return s.fragment(w, rc, "editor_post", "variant-count", map[string]any{"Row": row, "ID": account})
}

// fragment renders one named template of a page, for htmx swaps.
func (s *Server) fragment(w http.ResponseWriter, rc *reqCtx, pageName, name string, data any) error {
	t, ok := s.pages[rc.Lang][pageName]
	if !ok {
		return errors.New("web: no template " + pageName)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

type correctionsKey struct{}

func withCorrections(ctx context.Context, res []publish.CorrectionResult) context.Context {
	return context.WithValue(ctx, correctionsKey{}, res)
}

func correctionsFrom(ctx context.Context) []publish.CorrectionResult {
	res, _ := ctx.Value(correctionsKey{}).([]publish.CorrectionResult)
	return res
}
