// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// The citizen desk: the inbox with its views (per office, per person,
// urgent, overdue), a conversation with its triage, routing, notes,
// replies and moderation, and live updates by Server-Sent Events.

func (s *Server) deskRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /desk", signedIn, org.PermDeskRead, s.deskInbox)
	s.handle(mux, "GET /desk/events", signedIn, org.PermDeskRead, s.deskEvents)
	s.handle(mux, "POST /desk/bulk", signedIn, org.PermDeskAssign, s.deskBulk)
	s.handle(mux, "GET /desk/c/{id}", signedIn, org.PermDeskRead, s.deskConversation)
	s.handle(mux, "POST /desk/c/{id}/reply", signedIn, org.PermDeskReply, s.deskReply)
	s.handle(mux, "POST /desk/c/{id}/note", signedIn, org.PermDeskRead, s.deskNote)
	s.handle(mux, "POST /desk/c/{id}/assign", signedIn, org.PermDeskAssign, s.deskAssign)
	s.handle(mux, "POST /desk/c/{id}/status", signedIn, org.PermDeskReply, s.deskStatus)
	s.handle(mux, "POST /desk/c/{id}/triage", signedIn, org.PermDeskAssign, s.deskTriage)
	s.handle(mux, "POST /desk/c/{id}/erase", signedIn, org.PermDeskModerate, s.deskErase)
	s.handle(mux, "GET /desk/c/{id}/export.json", signedIn, org.PermDeskModerate, s.deskExport)
	s.handle(mux, "GET /desk/files/{id}", signedIn, org.PermDeskRead, s.deskFile)
	s.handle(mux, "POST /desk/m/{id}/moderate", signedIn, org.PermDeskModerate, s.deskModerate)
	s.handle(mux, "POST /desk/m/{id}/retry", signedIn, org.PermDeskReply, s.deskRetry)
	s.handle(mux, "POST /desk/groups/{id}/reply", signedIn, org.PermDeskReply, s.deskGroupReply)
	s.handle(mux, "GET /desk/settings", signedIn, org.PermDeskAssign, s.deskSettings)
	s.handle(mux, "POST /desk/settings", signedIn, org.PermOfficesManage, s.deskSettingsSave)
	s.handle(mux, "POST /desk/rules", signedIn, org.PermOfficesManage, s.deskRuleAdd)
	s.handle(mux, "POST /desk/rules/{id}/delete", signedIn, org.PermOfficesManage, s.deskRuleDelete)
	s.handle(mux, "POST /desk/canned", signedIn, org.PermDeskAssign, s.deskCannedAdd)
	s.handle(mux, "POST /desk/canned/{id}/delete", signedIn, org.PermDeskAssign, s.deskCannedDelete)
}

// deskScope is what the person may see: every office, or their own.
func deskScope(rc *reqCtx) desk.Scope {
	ids, all := rc.Grants.Offices(org.PermDeskRead)
	return desk.Scope{All: all, Offices: ids}
}

type deskInboxData struct {
	Filter   desk.Filter
	View     string
	Page     desk.Page
	Offices  []org.Office
	Statuses []desk.Status
	Now      time.Time
	Query    url.Values
	NextURL  string
	CanBulk  bool
	People   []org.Member
	Figures  desk.Figures
	Since    string
}

// Views of the inbox: the open queue, mine, urgent, overdue, and each
// status.
var deskViews = []string{"open", "mine", "urgent", "overdue", "new", "assigned", "waiting", "answered", "closed", "all"}

func (s *Server) deskFilter(r *http.Request, rc *reqCtx) (desk.Filter, string) {
	q := r.URL.Query()
	view := q.Get("view")
	if !slices.Contains(deskViews, view) {
		view = "open"
	}
	f := desk.Filter{Scope: deskScope(rc), OfficeID: q.Get("office"), Query: q.Get("q"), Before: q.Get("before"),
		GroupID: q.Get("group"), Incident: q.Get("incident"), Source: q.Get("source"), Limit: 50}
	switch view {
	case "open":
		f.Status = "open"
	case "mine":
		f.Status, f.Assignee = "open", rc.Person.ID
	case "urgent":
		f.Status, f.Urgent = "open", true
	case "overdue":
		f.Overdue = true
	case "all":
	default:
		f.Status = view
	}
	return f, view
}

func (s *Server) deskInbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, view := s.deskFilter(r, rc)
	p, err := s.Desk.List(r.Context(), rc.Org.ID, f)
	if err != nil {
		if errors.Is(err, desk.ErrInvalid) {
			return badRequest(err)
		}
		return err
	}
	offices, err := s.Orgs.Offices(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	d := deskInboxData{Filter: f, View: view, Page: p, Offices: offices, Statuses: desk.Statuses, Now: time.Now(),
		Query: r.URL.Query(), CanBulk: rc.Grants.Can(org.PermDeskAssign), Since: time.Now().UTC().Format(time.RFC3339Nano)}
	if p.Next != "" {
		nq := r.URL.Query()
		nq.Set("before", p.Next)
		d.NextURL = "/desk?" + nq.Encode()
	}
	if d.CanBulk {
		if d.People, err = s.Orgs.Members(r.Context(), rc.Org.ID); err != nil {
			return err
		}
	}
	// The list alone, for the live refresh.
	if r.URL.Query().Get("partial") == "list" {
		return s.fragment(w, rc, "desk", "desk-list", &page{reqCtx: rc, Data: d})
	}
	if d.Figures, err = s.Desk.Figures(r.Context(), rc.Org.ID, deskScope(rc), 7*24*time.Hour); err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "desk", &page{Area: "desk", Title: s.t(rc, "desk.title"), Data: d})
}

func badRequest(err error) error { return errors.Join(errBadRequest, err) }

var errBadRequest = errors.New("web: bad request")

type deskConvData struct {
	Conv        desk.Conversation
	Messages    []desk.Message
	Offices     []org.Office
	People      []org.Member
	Statuses    []desk.Status
	Categories  []string
	OfficeCodes []string
	Urgencies   []string
	Moderations []string
	Rules       []int
	Now         time.Time
	StatusURL   string
	Violations  int
	Suggested   int
	CanReply    bool
	CanAssign   bool
	CanModerate bool
	// Actions are what the citizen's channel allows (reply, in private,
	// hide, delete): the page offers nothing else.
	Actions desk.Actions
	Stale   time.Time
	Canned  []desk.Canned
	// Draft is the reply box's text: a canned answer chosen, filled in.
	Draft string
	// Political is the canned answer suggested for a political polemic.
	Political  *desk.Canned
	BlockAfter int
	// Policy is the wording of each rule of the organisation's policy.
	Policy map[int]string
}

func (s *Server) deskConversation(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.deskConversationPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) deskConversationPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	c, msgs, err := s.Desk.Get(ctx, rc.Org.ID, r.PathValue("id"), deskScope(rc))
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := deskConvData{Conv: c, Messages: msgs, Offices: offices, Statuses: desk.Statuses, Categories: triage.Categories,
		OfficeCodes: triage.Offices, Urgencies: triage.Urgencies, Moderations: triage.Moderations, Rules: desk.PolicyRules,
		Now: time.Now(), StatusURL: s.Desk.StatusURL(rc.Org.Slug, c.Token), Suggested: desk.SuggestRule(c.Labels.Moderation),
		CanReply: rc.Grants.Can(org.PermDeskReply), CanAssign: rc.Grants.Can(org.PermDeskAssign),
		CanModerate: rc.Grants.Can(org.PermDeskModerate), Actions: s.Desk.Actions(c), Stale: time.Now().Add(-2 * time.Minute)}
	if d.CanAssign {
		if d.People, err = s.Orgs.Members(ctx, rc.Org.ID); err != nil {
			return err
		}
	}
	if d.Violations, err = s.Desk.Violations(ctx, rc.Org.ID, c.ChannelKey, c.AuthorID); err != nil {
		return err
	}
	if d.Canned, err = s.Desk.CannedAnswers(ctx, rc.Org.ID, deskScope(rc)); err != nil {
		return err
	}
	for i, cn := range d.Canned {
		if cn.ID == r.URL.Query().Get("canned") {
			d.Draft = desk.FillCanned(cn.Body, c, rc.Org.Name, d.StatusURL)
		}
		if cn.Purpose == desk.PurposePolitical && c.Political() && d.Political == nil {
			d.Political = &d.Canned[i]
		}
	}
	st, err := s.Desk.Settings(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d.BlockAfter = st.BlockAfter
	d.Policy = s.policyTexts(rc, st)
	return s.render(w, r, rc, status, "desk_conversation", &page{Area: "desk", Title: c.Subject, Data: d, Errors: errs})
}

// deskFail shows a refused desk action on the conversation page, in words.
func (s *Server) deskFail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) error {
	switch {
	case errors.Is(err, desk.ErrHelpRequest):
		return s.deskConversationPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"desk": s.t(rc, "desk.error.help_request")})
	case errors.Is(err, desk.ErrForbidden):
		return s.deskConversationPage(w, r, rc, http.StatusForbidden, map[string]string{"desk": s.t(rc, "errors.forbidden")})
	case errors.Is(err, desk.ErrNotOffered):
		return s.deskConversationPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"desk": s.t(rc, "desk.error.not_offered")})
	case errors.Is(err, desk.ErrInvalid):
		msg := strings.TrimPrefix(err.Error(), "desk: ")
		return s.deskConversationPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"desk": s.t(rc, "desk.error.invalid", msg)})
	}
	return err
}

func (s *Server) deskBack(w http.ResponseWriter, r *http.Request, id, flashKey string) error {
	return redirect(w, r, "/desk/c/"+url.PathEscape(id)+"?ok="+flashKey)
}

func (s *Server) deskReply(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	_, err := s.Desk.Reply(r.Context(), rc.Org.ID, id, desk.ReplyInput{PersonID: rc.Person.ID, Text: r.PostFormValue("text"),
		Private: r.PostFormValue("private") == "1"}, deskScope(rc))
	if err != nil {
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, id, "flash.desk_replied")
}

func (s *Server) deskGroupReply(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := s.Desk.ReplyGroup(r.Context(), rc.Org.ID, r.PathValue("id"), desk.ReplyInput{PersonID: rc.Person.ID,
		Text: r.PostFormValue("text")}, deskScope(rc))
	back := r.PostFormValue("back")
	if err != nil {
		if errors.Is(err, desk.ErrInvalid) && back != "" {
			r.SetPathValue("id", back)
			return s.deskFail(w, r, rc, err)
		}
		return err
	}
	return redirect(w, r, "/desk?group="+url.QueryEscape(r.PathValue("id"))+"&view=all&ok=flash.desk_group_replied&n="+strconv.Itoa(n))
}

func (s *Server) deskNote(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	consult := r.PostFormValue("consult")
	if consult != "" && !rc.Grants.Can(org.PermDeskAssign) {
		return s.deskFail(w, r, rc, desk.ErrForbidden)
	}
	if _, err := s.Desk.AddNote(r.Context(), rc.Org.ID, id, rc.Person.ID, r.PostFormValue("text"), consult, deskScope(rc)); err != nil {
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, id, "flash.desk_noted")
}

func (s *Server) deskAssign(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	a := desk.Assignment{OfficeID: r.PostFormValue("office"), AssigneeID: r.PostFormValue("assignee")}
	if r.PostFormValue("assignee") == "me" {
		a.AssigneeID = rc.Person.ID
	}
	if _, err := s.Desk.Assign(r.Context(), rc.Org.ID, []string{id}, a, deskScope(rc)); err != nil {
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, id, "flash.desk_assigned")
}

func (s *Server) deskStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if _, err := s.Desk.SetStatus(r.Context(), rc.Org.ID, []string{id}, desk.Status(r.PostFormValue("status")), deskScope(rc)); err != nil {
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, id, "flash.desk_status")
}

func (s *Server) deskTriage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	l := triage.Labels{Category: r.PostFormValue("category"), Office: r.PostFormValue("office"),
		Urgency: r.PostFormValue("urgency"), Moderation: r.PostFormValue("moderation")}
	if err := s.Desk.ConfirmTriage(r.Context(), rc.Org.ID, id, rc.Person.ID, l, deskScope(rc)); err != nil {
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, id, "flash.desk_triaged")
}

func (s *Server) deskModerate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rule, _ := strconv.Atoi(r.PostFormValue("rule"))
	conv := r.PostFormValue("conversation")
	mod, err := s.Desk.Moderate(r.Context(), rc.Org.ID, r.PathValue("id"), r.PostFormValue("action"), rule, rc.Person.ID, deskScope(rc))
	if err != nil {
		r.SetPathValue("id", conv)
		return s.deskFail(w, r, rc, err)
	}
	key := "flash.desk_moderated"
	switch {
	case mod.Blocked:
		key = "flash.desk_blocked"
	case mod.Outcome != "done":
		key = "flash.desk_moderated_local"
	}
	return s.deskBack(w, r, conv, key)
}

func (s *Server) deskRetry(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	conv := r.PostFormValue("conversation")
	if err := s.Desk.Retry(r.Context(), rc.Org.ID, r.PathValue("id"), deskScope(rc)); err != nil {
		r.SetPathValue("id", conv)
		return s.deskFail(w, r, rc, err)
	}
	return s.deskBack(w, r, conv, "flash.desk_retried")
}

// deskBulk applies one action to the selected conversations.
func (s *Server) deskBulk(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return badRequest(err)
	}
	ids := r.PostForm["ids"]
	var err error
	switch r.PostFormValue("action") {
	case "assign":
		a := desk.Assignment{OfficeID: r.PostFormValue("office"), AssigneeID: r.PostFormValue("assignee")}
		_, err = s.Desk.Assign(r.Context(), rc.Org.ID, ids, a, deskScope(rc))
	case "close", "answered":
		st := desk.StatusClosed
		if r.PostFormValue("action") == "answered" {
			st = desk.StatusAnswered
		}
		_, err = s.Desk.SetStatus(r.Context(), rc.Org.ID, ids, st, deskScope(rc))
	default:
		err = errors.Join(desk.ErrInvalid, errors.New("action"))
	}
	if errors.Is(err, desk.ErrInvalid) {
		return redirect(w, r, "/desk?ok=flash.desk_bulk_invalid")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/desk?ok=flash.desk_bulk_done")
}

func (s *Server) deskExport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	who, err := s.Desk.CitizenOf(r.Context(), rc.Org.ID, r.PathValue("id"), deskScope(rc))
	if err != nil {
		return s.deskFail(w, r, rc, err)
	}
	exp, err := s.Desk.ExportCitizen(r.Context(), rc.Org.ID, who)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dati-cittadino.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(exp)
}

func (s *Server) deskErase(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	who, err := s.Desk.CitizenOf(r.Context(), rc.Org.ID, r.PathValue("id"), deskScope(rc))
	if err != nil {
		return s.deskFail(w, r, rc, err)
	}
	if _, err := s.Desk.EraseCitizen(r.Context(), rc.Org.ID, who); err != nil {
		return err
	}
	return s.deskBack(w, r, r.PathValue("id"), "flash.desk_erased")
}

// deskEvents streams changes to the desk by Server-Sent Events. It polls
// the database, so a change made by another instance (PostgreSQL) or a
// webhook shows up as well; one small indexed query every two seconds per
// open page.
func (s *Server) deskEvents(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return errors.New("web: streaming unsupported")
	}
	since := time.Now().UTC()
	if t, err := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since")); err == nil && time.Since(t) < time.Hour {
		since = t
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	rcw := http.NewResponseController(w)
	// The server's read timeout would end the stream after a minute.
	_ = rcw.SetReadDeadline(time.Time{})
	ctx := r.Context()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	keepAlive := time.Now()
	_, _ = w.Write([]byte("retry: 3000\n\n"))
	fl.Flush()
	sc := deskScope(rc)
	for {
		changes, next, err := s.Desk.Changes(ctx, rc.Org.ID, sc, since, 100)
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // the page went away
			}
			return err
		}
		since = next
		for _, c := range changes {
			b, _ := json.Marshal(map[string]any{"id": c.ID, "urgent": c.Urgent(), "status": c.Status, "subject": c.Subject})
			_ = rcw.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := w.Write([]byte("event: conversation\ndata: " + string(b) + "\n\n")); err != nil {
				return nil //nolint:nilerr // the page went away
			}
		}
		if len(changes) > 0 || time.Since(keepAlive) > 20*time.Second {
			if len(changes) == 0 {
				_, _ = w.Write([]byte(": ping\n\n"))
			}
			keepAlive = time.Now()
			fl.Flush()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// policyTexts words each rule: the organisation's text, else the standard.
func (s *Server) policyTexts(rc *reqCtx, st desk.Settings) map[int]string {
	out := map[int]string{}
	for _, n := range desk.PolicyRules {
		out[n] = st.PolicyRules[n]
		if out[n] == "" {
			out[n] = s.t(rc, "desk.policy."+strconv.Itoa(n))
		}
	}
	return out
}

type deskSettingsData struct {
	PolicyNumbers []int
	Standard      map[int]string
	Canned        []desk.Canned
	Variables     []string
	Settings      desk.Settings
	Rules         []desk.Rule
	Offices       []org.Office
	Categories    []string
	Sources       []string
	CanEdit       bool
	SLA           map[string]int
	SLACat        map[string]string
}

func (s *Server) deskSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.deskSettingsPage(w, r, rc, http.StatusOK, nil)
}

func (s *Server) deskSettingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string) error {
	ctx := r.Context()
	st, err := s.Desk.Settings(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	rules, err := s.Desk.Rules(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	offices, err := s.Orgs.Offices(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := deskSettingsData{Settings: st, Rules: rules, Offices: offices, Categories: triage.Categories,
		Sources: []string{"telegram", "facebook", "instagram", "x", "mastodon", "bluesky", desk.SourceWebForm, desk.SourceEmail},
		CanEdit: rc.Grants.Can(org.PermOfficesManage), SLA: map[string]int{}, Variables: desk.CannedVariables,
		PolicyNumbers: desk.PolicyRules, Standard: map[int]string{}}
	for _, n := range desk.PolicyRules {
		d.Standard[n] = s.t(rc, "desk.policy."+strconv.Itoa(n))
	}
	if d.Canned, err = s.Desk.CannedAnswers(ctx, rc.Org.ID, deskScope(rc)); err != nil {
		return err
	}
	for u, v := range st.SLA {
		d.SLA[u] = int(v / time.Minute)
	}
	d.SLACat = map[string]string{}
	for c, v := range st.SLACategory {
		d.SLACat[c] = strconv.Itoa(int(v / time.Minute))
	}
	return s.render(w, r, rc, status, "desk_settings", &page{Area: "desk", Title: s.t(rc, "desk.settings.title"), Data: d,
		Errors: errs})
}

func (s *Server) deskSettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	mins := func(k string) time.Duration {
		n, _ := strconv.Atoi(r.PostFormValue(k))
		return time.Duration(n) * time.Minute
	}
	retention, err1 := strconv.Atoi(r.PostFormValue("retention_days"))
	blockAfter, err2 := strconv.Atoi(r.PostFormValue("block_after"))
	if err1 != nil || err2 != nil {
		return s.deskSettingsPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"settings": s.t(rc, "desk.settings.numbers")})
	}
	cats := map[string]time.Duration{}
	for _, c := range triage.Categories {
		if v := strings.TrimSpace(r.PostFormValue("sla_cat_" + c)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return s.deskSettingsPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"settings": s.t(rc, "desk.settings.numbers")})
			}
			cats[c] = time.Duration(n) * time.Minute
		}
	}
	policy := map[int]string{}
	for _, n := range desk.PolicyRules {
		policy[n] = r.PostFormValue("policy_" + strconv.Itoa(n))
	}
	st := desk.Settings{Hours: r.PostFormValue("hours"), PatronDay: r.PostFormValue("patron_day"), SLACategory: cats,
		PolicyRules: policy, PolicyURL: r.PostFormValue("policy_url"),
		SLA:           map[string]time.Duration{"alta": mins("sla_alta"), "normale": mins("sla_normale"), "bassa": mins("sla_bassa")},
		RetentionDays: retention, DPOContact: r.PostFormValue("dpo_contact"), PrivacyURL: r.PostFormValue("privacy_url"),
		BlockAfter: blockAfter}
	if err := s.Desk.SaveSettings(r.Context(), rc.Org.ID, st); err != nil {
		if errors.Is(err, desk.ErrInvalid) {
			return s.deskSettingsPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"settings": s.t(rc, "desk.error.invalid", strings.TrimPrefix(err.Error(), "desk: "))})
		}
		return err
	}
	return redirect(w, r, "/desk/settings?ok=flash.saved")
}

func (s *Server) deskRuleAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := s.Desk.AddRule(r.Context(), rc.Org.ID, desk.Rule{Keywords: strings.Split(r.PostFormValue("keywords"), ","),
		Source: r.PostFormValue("source"), Category: r.PostFormValue("category"), OfficeID: r.PostFormValue("office")})
	if err != nil {
		if errors.Is(err, desk.ErrInvalid) {
			return s.deskSettingsPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"rule": s.t(rc, "desk.error.invalid", strings.TrimPrefix(err.Error(), "desk: "))})
		}
		return err
	}
	return redirect(w, r, "/desk/settings?ok=flash.saved")
}

func (s *Server) deskRuleDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Desk.DeleteRule(r.Context(), rc.Org.ID, r.PathValue("id")); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return redirect(w, r, "/desk/settings?ok=flash.saved")
}

func (s *Server) deskCannedAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	purpose := ""
	if r.PostFormValue("political") == "1" {
		purpose = desk.PurposePolitical
	}
	_, err := s.Desk.AddCanned(r.Context(), rc.Org.ID, desk.Canned{OfficeID: r.PostFormValue("office"), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), Purpose: purpose})
	if err != nil {
		if errors.Is(err, desk.ErrInvalid) {
			return s.deskSettingsPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"canned": s.t(rc, "desk.error.invalid", strings.TrimPrefix(err.Error(), "desk: "))})
		}
		return err
	}
	return redirect(w, r, "/desk/settings?ok=flash.saved#canned")
}

func (s *Server) deskCannedDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Desk.DeleteCanned(r.Context(), rc.Org.ID, r.PathValue("id")); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return redirect(w, r, "/desk/settings?ok=flash.saved#canned")
}

// deskFile serves a citizen's photo to the people who may read its
// conversation; never cached, never interpreted as anything but an image.
func (s *Server) deskFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := s.Desk.FileOf(r.Context(), rc.Org.ID, r.PathValue("id"), deskScope(rc))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", "inline")
	_, err = w.Write(f.Data)
	return err
}
