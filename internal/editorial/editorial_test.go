// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestStateMachine checks every (state, action) pair against the table of
// the workflow: draft → review → approved → scheduled → published / failed.
func TestStateMachine(t *testing.T) {
	type pair struct {
		from editorial.State
		a    editorial.Action
	}
	want := map[pair]editorial.State{
		{editorial.StateDraft, editorial.ActionSubmit}:         editorial.StateReview,
		{editorial.StateDraft, editorial.ActionCancel}:         editorial.StateCancelled,
		{editorial.StateReview, editorial.ActionApprove}:       editorial.StateApproved,
		{editorial.StateReview, editorial.ActionReject}:        editorial.StateDraft,
		{editorial.StateReview, editorial.ActionCancel}:        editorial.StateCancelled,
		{editorial.StateApproved, editorial.ActionSchedule}:    editorial.StateScheduled,
		{editorial.StateApproved, editorial.ActionReject}:      editorial.StateDraft,
		{editorial.StateApproved, editorial.ActionCancel}:      editorial.StateCancelled,
		{editorial.StateScheduled, editorial.ActionUnschedule}: editorial.StateApproved,
		{editorial.StateScheduled, editorial.ActionPublish}:    editorial.StatePublished,
		{editorial.StateScheduled, editorial.ActionFail}:       editorial.StateFailed,
		{editorial.StateFailed, editorial.ActionPublish}:       editorial.StatePublished,
		{editorial.StateFailed, editorial.ActionReopen}:        editorial.StateDraft,
		{editorial.StateCancelled, editorial.ActionReopen}:     editorial.StateDraft,
	}
	states := append(slices.Clone(editorial.States), "bogus")
	actions := append(slices.Clone(editorial.AllActions), "bogus")
	if len(editorial.States) != 7 || len(editorial.AllActions) != 9 {
		t.Fatalf("%d states, %d actions", len(editorial.States), len(editorial.AllActions))
	}
	for _, from := range states {
		for _, a := range actions {
			t.Run(string(from)+"/"+string(a), func(t *testing.T) {
				to, ok := editorial.Next(from, a)
				exp, allowed := want[pair{from, a}]
				if ok != allowed || to != exp {
					t.Errorf("Next(%s, %s) = %q, %v; want %q, %v", from, a, to, ok, exp, allowed)
				}
			})
		}
	}
	if got := editorial.Actions(editorial.StateReview); !slices.Equal(got, []editorial.Action{editorial.ActionApprove, editorial.ActionReject, editorial.ActionCancel}) {
		t.Errorf("Actions(review) = %v", got)
	}
	if editorial.Actions(editorial.StatePublished) != nil {
		t.Error("a published post has actions")
	}
}

func TestCreateAndUpdatePost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.editor)
		_, err := k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: " ", LinkURL: "javascript:alert(1)", OfficeID: store.NewID()})
		wantKey(t, err, "editorial.post.title_invalid")
		wantKey(t, err, "editorial.post.link_invalid")
		_, err = k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: "x", CampaignID: "nope", MediaIDs: []string{"nope"}})
		wantKey(t, err, "editorial.post.campaign_unknown")
		_, err = k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: "x", MediaIDs: []string{"nope"}})
		wantKey(t, err, "editorial.post.media_unknown")
		_, err = k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: "x", OfficeID: store.NewID()})
		wantKey(t, err, "editorial.post.office_unknown")
		_, err = k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: strings.Repeat("a", 301)})
		wantKey(t, err, "editorial.post.title_invalid")

		// Who may write: a liaison for their own office only; a viewer never;
		// an alert only with alert.send.
		_, err = k.s.CreatePost(ctxOf(k.liaison), k.liaison, k.org.ID, editorial.PostInput{OfficeID: k.office2.ID, Title: "x"})
		wantForbidden(t, err)
		_, err = k.s.CreatePost(ctxOf(k.liaison), k.liaison, k.org.ID, editorial.PostInput{Title: "x"})
		wantForbidden(t, err)
		_, err = k.s.CreatePost(ctxOf(k.viewer), k.viewer, k.org.ID, editorial.PostInput{Title: "x"})
		wantForbidden(t, err)
		_, err = k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: "x", IsAlert: true})
		wantForbidden(t, err)
		alert, err := k.s.CreatePost(ctxOf(k.crisis), k.crisis, k.org.ID, editorial.PostInput{Title: "Allerta bora", IsAlert: true})
		if err != nil || !alert.IsAlert || alert.AuthorID != k.crisis.PersonID {
			t.Fatalf("alert: %v %+v", err, alert)
		}

		at := future(3)
		p, err := k.s.CreatePost(ctxOf(k.liaison), k.liaison, k.org.ID, editorial.PostInput{OfficeID: k.office.ID, Title: " Lavori ",
			Body: "Testo", LinkURL: "https://www.comune.example/lavori", PlannedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if p.State != editorial.StateDraft || p.Version != 1 || p.Title != "Lavori" || p.AuthorID != k.liaison.PersonID ||
			!p.ScheduledAt.Equal(at) || p.OfficeID != k.office.ID {
			t.Errorf("created %+v", p)
		}
		// A guest may not edit a colleague's post; an editor may.
		_, err = k.s.UpdatePost(ctxOf(k.guest), k.guest, k.org.ID, p.ID, p.Version, editorial.PostInput{OfficeID: k.office.ID, Title: "x"})
		wantForbidden(t, err)
		// Nor may a liaison move it to another office.
		_, err = k.s.UpdatePost(ctxOf(k.liaison), k.liaison, k.org.ID, p.ID, p.Version, editorial.PostInput{OfficeID: k.office2.ID, Title: "x"})
		wantForbidden(t, err)
		in := editorial.PostInput{OfficeID: k.office.ID, Title: "Lavori in via Roma", Body: "Testo", PlannedAt: at}
		q, err := k.s.UpdatePost(ctx, k.editor, k.org.ID, p.ID, p.Version, in)
		if err != nil || q.Title != "Lavori in via Roma" || q.Version != 2 || q.LinkURL != "" {
			t.Fatalf("update: %v %+v", err, q)
		}
		// The version read is checked: a stale one is a conflict.
		_, err = k.s.UpdatePost(ctx, k.editor, k.org.ID, p.ID, p.Version, in)
		if !errors.Is(err, store.ErrConflict) || !errors.Is(err, editorial.ErrStale) {
			t.Errorf("stale update: %v", err)
		}
		if es := k.entries("post.update"); len(es) != 1 || !strings.Contains(es[0].Before, `"Lavori"`) || !strings.Contains(es[0].After, "via Roma") {
			t.Errorf("update audit %+v", es)
		}
	})
}

// TestEditAfterApproval: the approval covered the text, not the campaign
// or the time.
func TestEditAfterApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		c, err := k.s.CreateCampaign(ctxOf(k.manager), k.manager, k.org.ID, editorial.CampaignInput{Name: "Estate", StartsOn: "2026-06-01", EndsOn: "2026-09-30"})
		if err != nil {
			t.Fatal(err)
		}
		p := k.approved(k.office.ID)
		in := editorial.PostInput{OfficeID: p.OfficeID, Title: p.Title, Body: p.Body, CampaignID: c.ID, PlannedAt: future(4)}
		p, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, p.ID, p.Version, in)
		if err != nil || p.State != editorial.StateApproved || p.ApprovedBy != k.manager.PersonID || p.CampaignID != c.ID {
			t.Fatalf("metadata edit: %v %+v", err, p)
		}
		in.Body = "Testo nuovo"
		p, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, p.ID, p.Version, in)
		if err != nil || p.State != editorial.StateDraft || p.ApprovedBy != "" || !p.ApprovedAt.IsZero() {
			t.Fatalf("text edit: %v %+v", err, p)
		}
		es := k.entries("post.update")
		if len(es) != 2 || !strings.Contains(es[0].Before, `"approved"`) || !strings.Contains(es[0].After, `"draft"`) {
			t.Errorf("back to draft not audited: %+v", es)
		}
		// Published, failed and cancelled posts are not edited; scheduled
		// ones belong to the publishing engine.
		q := k.approved("")
		q, err = k.schedule(k.manager, q, future(1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = k.s.UpdatePost(ctxOf(k.manager), k.manager, k.org.ID, q.ID, q.Version, editorial.PostInput{Title: "x"})
		if !errors.Is(err, editorial.ErrScheduled) {
			t.Errorf("edit of a scheduled post: %v", err)
		}
		if err := k.outcome(q, editorial.StatePublished); err != nil {
			t.Fatal(err)
		}
		q = k.post(q.ID)
		_, err = k.s.UpdatePost(ctxOf(k.manager), k.manager, k.org.ID, q.ID, q.Version, editorial.PostInput{Title: "x"})
		wantKey(t, err, "editorial.post.not_editable")
	})
}

func TestWorkflowRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		// A post without variants cannot be submitted.
		bare, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Vuoto"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = k.s.Transition(ctxOf(k.editor), k.editor, k.org.ID, bare.ID, bare.Version, editorial.ActionSubmit, "")
		wantKey(t, err, "editorial.transition.no_variants")

		// A liaison submits for their own office, not for another.
		other := k.draft(k.editor, k.office2.ID)
		_, err = k.s.Transition(ctxOf(k.liaison), k.liaison, k.org.ID, other.ID, other.Version, editorial.ActionSubmit, "")
		wantForbidden(t, err)
		p := k.draft(k.liaison, k.office.ID)
		p = k.do(k.liaison, p, editorial.ActionSubmit, "")
		if p.State != editorial.StateReview {
			t.Fatalf("liaison submit: %s", p.State)
		}
		// A guest submits their own posts only; an editor anyone's.
		mine := k.draft(k.guest, "")
		theirs := k.draft(k.guest2, "")
		_, err = k.s.Transition(ctxOf(k.guest), k.guest, k.org.ID, theirs.ID, theirs.Version, editorial.ActionSubmit, "")
		wantForbidden(t, err)
		k.do(k.guest, mine, editorial.ActionSubmit, "")
		k.do(k.editor, theirs, editorial.ActionSubmit, "")

		// Only approvers approve or reject.
		for _, a := range []editorial.Actor{k.liaison, k.editor, k.guest, k.viewer, k.crisis} {
			_, err := k.s.Transition(ctxOf(a), a, k.org.ID, p.ID, p.Version, editorial.ActionApprove, "")
			wantForbidden(t, err)
			_, err = k.s.Transition(ctxOf(a), a, k.org.ID, p.ID, p.Version, editorial.ActionReject, "no")
			wantForbidden(t, err)
		}
		// A rejection needs a comment, and keeps it.
		_, err = k.s.Transition(ctxOf(k.manager), k.manager, k.org.ID, p.ID, p.Version, editorial.ActionReject, "  ")
		wantKey(t, err, "editorial.reject.comment_required")
		p = k.do(k.manager, p, editorial.ActionReject, "Manca l'orario")
		if p.State != editorial.StateDraft {
			t.Fatalf("reject: %s", p.State)
		}
		cs, err := k.s.Comments(context.Background(), k.org.ID, p.ID)
		if err != nil || len(cs) != 1 || cs[0].Body != "Manca l'orario" || cs[0].PersonID != k.manager.PersonID || cs[0].PersonName != "manager" {
			t.Errorf("comments %v %+v", err, cs)
		}
		// A stale version is refused.
		_, err = k.s.Transition(ctxOf(k.liaison), k.liaison, k.org.ID, p.ID, p.Version-1, editorial.ActionSubmit, "")
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}
		// An action not allowed from the state, and the engine's own actions.
		for _, a := range []editorial.Action{editorial.ActionApprove, editorial.ActionUnschedule, editorial.ActionReopen,
			editorial.ActionSchedule, editorial.ActionPublish, editorial.ActionFail, "bogus"} {
			_, err = k.s.Transition(ctxOf(k.admin), k.admin, k.org.ID, p.ID, p.Version, a, "")
			wantKey(t, err, "editorial.transition.not_allowed")
		}
		p = k.do(k.liaison, p, editorial.ActionSubmit, "")
		p = k.do(k.manager, p, editorial.ActionApprove, "Ok")
		if p.State != editorial.StateApproved || p.ApprovedBy != k.manager.PersonID || p.ApprovedAt.IsZero() {
			t.Fatalf("approve: %+v", p)
		}
		// Rejecting an approved post clears the approval.
		p = k.do(k.manager2, p, editorial.ActionReject, "Meglio domani")
		if p.State != editorial.StateDraft || p.ApprovedBy != "" {
			t.Fatalf("reject approved: %+v", p)
		}
		// Cancel and reopen: by who may write it (not a guest of another post).
		_, err = k.s.Transition(ctxOf(k.guest), k.guest, k.org.ID, p.ID, p.Version, editorial.ActionCancel, "")
		wantForbidden(t, err)
		p = k.do(k.liaison, p, editorial.ActionCancel, "")
		p = k.do(k.liaison, p, editorial.ActionReopen, "")
		if p.State != editorial.StateDraft {
			t.Fatalf("reopen: %s", p.State)
		}

		es := k.entries("post.approve")
		if len(es) != 1 || es[0].ActorID != k.manager.PersonID || es[0].TargetID != p.ID {
			t.Errorf("approval not audited: %+v", es)
		}
		for _, action := range []string{"post.submit", "post.reject", "post.cancel", "post.reopen"} {
			if len(k.entries(action)) == 0 {
				t.Errorf("%s not audited", action)
			}
		}
	})
}

// TestApprovers: the approver is on record; an author approves their own
// post only when no second approval is needed; the second approver is a
// different person.
func TestApprovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		own := k.draft(k.manager, k.office.ID)
		own = k.do(k.manager, own, editorial.ActionSubmit, "")
		own = k.do(k.manager, own, editorial.ActionApprove, "")
		if own.State != editorial.StateApproved || own.ApprovedBy != k.manager.PersonID {
			t.Fatalf("self-approval without second approver: %+v", own)
		}

		if err := k.s.SetSecondApproval(ctxOf(k.editor), k.editor, k.org.ID, k.office.ID, true); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("editor set second approval: %v", err)
		}
		if err := k.s.SetSecondApproval(ctxOf(k.manager), k.manager, k.org.ID, store.NewID(), true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown office: %v", err)
		}
		if err := k.s.SetSecondApproval(ctxOf(k.manager), k.manager, k.org.ID, k.office.ID, true); err != nil {
			t.Fatal(err)
		}
		if offices, err := k.s.SecondApprovalOffices(context.Background(), k.org.ID); err != nil || !offices[k.office.ID] || offices[k.office2.ID] {
			t.Errorf("second approval offices %v %v", offices, err)
		}

		own = k.draft(k.manager, k.office.ID)
		own = k.do(k.manager, own, editorial.ActionSubmit, "")
		_, err := k.s.Transition(ctxOf(k.manager), k.manager, k.org.ID, own.ID, own.Version, editorial.ActionApprove, "")
		wantKey(t, err, "editorial.approve.own_post")
		own = k.do(k.manager2, own, editorial.ActionApprove, "")
		if own.State != editorial.StateReview || own.ApprovedBy != k.manager2.PersonID {
			t.Fatalf("first approval: %+v", own)
		}
		_, err = k.s.Transition(ctxOf(k.manager), k.manager, k.org.ID, own.ID, own.Version, editorial.ActionApprove, "")
		wantKey(t, err, "editorial.approve.own_post")
		_, err = k.s.Transition(ctxOf(k.manager2), k.manager2, k.org.ID, own.ID, own.Version, editorial.ActionApprove, "")
		wantKey(t, err, "editorial.approve.second_must_differ")
		own = k.do(k.admin, own, editorial.ActionApprove, "")
		if own.State != editorial.StateApproved || own.ApprovedBy != k.manager2.PersonID || own.SecondApprovedBy != k.admin.PersonID ||
			own.SecondApprovedAt.IsZero() {
			t.Fatalf("second approval: %+v", own)
		}
		if es := k.entries("post.second_approve"); len(es) != 1 || es[0].ActorID != k.admin.PersonID {
			t.Errorf("second approval audit %+v", es)
		}

		// The office stops asking for two approvers while a post waits for
		// its second: the next approval by anyone concludes.
		p := k.draft(k.editor, k.office.ID)
		p = k.do(k.editor, p, editorial.ActionSubmit, "")
		p = k.do(k.manager, p, editorial.ActionApprove, "")
		if err := k.s.SetSecondApproval(ctxOf(k.manager), k.manager, k.org.ID, k.office.ID, false); err != nil {
			t.Fatal(err)
		}
		p = k.do(k.manager, p, editorial.ActionApprove, "")
		if p.State != editorial.StateApproved || p.SecondApprovedBy != "" {
			t.Fatalf("after the setting changed: %+v", p)
		}
		if es := k.entries("office.second_approval"); len(es) != 2 {
			t.Errorf("second approval setting audit %+v", es)
		}
	})
}

func TestElectionGuard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.manager)
		start, end := future(10), future(40)
		in := future(20)
		// Submitted before the period was recorded, approved after: the
		// approver is asked for the reason first.
		early := k.draftAt(k.editor, "", in)
		early = k.do(k.editor, early, editorial.ActionSubmit, "")
		per, err := k.s.CreateElectoralPeriod(ctx, k.manager, k.org.ID, editorial.ElectoralPeriodInput{Name: "Comunali 2026", StartsAt: start, EndsAt: end})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.s.CreateOfficial(ctx, k.manager, k.org.ID, editorial.OfficialInput{Name: "Marco Rossi", Role: "sindaco"}); err != nil {
			t.Fatal(err)
		}
		_, err = k.s.Transition(ctx, k.manager, k.org.ID, early.ID, early.Version, editorial.ActionApprove, "")
		wantKey(t, err, "editorial.election.reason_required")

		// Outside the period nothing changes.
		out := k.draft(k.editor, k.office2.ID)
		st, err := k.s.ElectionCheck(context.Background(), k.org.ID, out, nil)
		if err != nil || st.InPeriod || st.NeedsReason || st.NeedsSecondApproval {
			t.Errorf("outside: %v %+v", err, st)
		}

		// Inside: a reason to submit, a second approver.
		q := k.draftAt(k.editor, k.office2.ID, in)
		_, err = k.s.Transition(ctxOf(k.editor), k.editor, k.org.ID, q.ID, q.Version, editorial.ActionSubmit, "")
		wantKey(t, err, "editorial.election.reason_required")
		q, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, q.ID, q.Version, editorial.PostInput{OfficeID: k.office2.ID,
			Title: q.Title, Body: "Il sindaco Rossi inaugura il cantiere.", PlannedAt: in, ElectionReason: "Informazione di servizio sulla viabilità"})
		if err != nil {
			t.Fatal(err)
		}
		st, err = k.s.ElectionCheck(context.Background(), k.org.ID, q, []string{"Rossi taglia il nastro"})
		if err != nil || !st.InPeriod || st.Period.ID != per.ID || len(st.Names) != 1 || st.Names[0].Name != "Marco Rossi" || st.NeedsReason || !st.NeedsSecondApproval {
			t.Errorf("election check %+v %v", st, err)
		}
		q = k.do(k.editor, q, editorial.ActionSubmit, "")
		q = k.do(k.manager, q, editorial.ActionApprove, "")
		if q.State != editorial.StateReview {
			t.Errorf("in an electoral period one approval moved the post to %s", q.State)
		}
		q = k.do(k.manager2, q, editorial.ActionApprove, "")
		if q.State != editorial.StateApproved || q.SecondApprovedBy != k.manager2.PersonID {
			t.Fatalf("second approval: %+v", q)
		}
		if q, err = k.schedule(k.manager, q, in); err != nil || q.State != editorial.StateScheduled {
			t.Fatalf("schedule in period: %v %+v", err, q)
		}

		// An alert is indispensable: no reason, one approval; names are still flagged.
		a, err := k.s.CreatePost(ctxOf(k.crisis), k.crisis, k.org.ID, editorial.PostInput{Title: "Allerta meteo",
			Body: "Il sindaco Marco Rossi ha chiuso le scuole.", PlannedAt: in, IsAlert: true})
		if err != nil {
			t.Fatal(err)
		}
		// The crisis coordinator writes alerts without post.write; an editor
		// does not touch them.
		if _, err := k.s.SetVariants(ctxOf(k.crisis), k.crisis, k.org.ID, a.ID, a.Version, []editorial.VariantInput{{AccountID: k.telegram, Text: "Scuole chiuse"}}); err != nil {
			t.Fatal(err)
		}
		a = k.post(a.ID)
		_, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, a.ID, a.Version, editorial.PostInput{Title: "x", IsAlert: true})
		wantForbidden(t, err)
		_, err = k.s.UpdatePost(ctxOf(k.crisis), k.crisis, k.org.ID, a.ID, a.Version, editorial.PostInput{Title: "x", IsAlert: false})
		wantForbidden(t, err) // it would become a post they may not write
		a = k.post(a.ID)
		st, _ = k.s.ElectionCheck(context.Background(), k.org.ID, a, nil)
		if !st.InPeriod || st.NeedsReason || st.NeedsSecondApproval || len(st.Names) != 1 {
			t.Errorf("alert check %+v", st)
		}
		a = k.do(k.crisis, a, editorial.ActionSubmit, "")
		_, err = k.s.Transition(ctxOf(k.crisis), k.crisis, k.org.ID, a.ID, a.Version, editorial.ActionApprove, "")
		wantForbidden(t, err)
		a = k.do(k.manager, a, editorial.ActionApprove, "")
		if a.State != editorial.StateApproved {
			t.Fatalf("alert approval: %s", a.State)
		}
		if _, err := k.schedule(k.manager, a, in); err != nil {
			t.Fatalf("schedule alert: %v", err)
		}

		// Moving an approved post into the period: without a reason it is
		// refused; with one it waits for a second approver in review.
		r := k.approved(k.office2.ID)
		_, err = k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, r.ID, r.Version, in)
		wantKey(t, err, "editorial.election.reason_required")
		r, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, r.ID, r.Version, editorial.PostInput{OfficeID: r.OfficeID,
			Title: r.Title, Body: r.Body, PlannedAt: r.ScheduledAt, ElectionReason: "Servizio"})
		if err != nil || r.State != editorial.StateDraft {
			t.Fatalf("reason added: %v %+v", err, r)
		}
		r = k.do(k.editor, r, editorial.ActionSubmit, "")
		r = k.do(k.manager, r, editorial.ActionApprove, "")
		r, err = k.s.Reschedule(ctxOf(k.editor), k.editor, k.org.ID, r.ID, r.Version, in)
		if err != nil || r.State != editorial.StateReview || r.ApprovedBy != k.manager.PersonID {
			t.Fatalf("moved into the period: %v %+v", err, r)
		}
		// Scheduling an approved post at a time inside the period without
		// its second approval is refused.
		s := k.approved(k.office2.ID)
		s, err = k.s.UpdatePost(ctxOf(k.editor), k.editor, k.org.ID, s.ID, s.Version, editorial.PostInput{OfficeID: s.OfficeID,
			Title: s.Title, Body: s.Body, PlannedAt: s.ScheduledAt, ElectionReason: "Servizio"})
		if err != nil {
			t.Fatal(err)
		}
		s = k.do(k.editor, s, editorial.ActionSubmit, "")
		s = k.do(k.manager, s, editorial.ActionApprove, "")
		_, err = k.schedule(k.manager, s, in)
		wantKey(t, err, "editorial.election.second_approval_required")
	})
}

func TestScheduleAndOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		d := k.draft(k.editor, "")
		_, err := k.schedule(k.manager, d, future(1))
		wantKey(t, err, "editorial.schedule.not_approved")

		p := k.approved(k.office.ID)
		_, err = k.schedule(k.editor, p, future(1))
		wantForbidden(t, err)
		_, err = k.schedule(k.manager, p, time.Time{})
		wantKey(t, err, "editorial.schedule.time_required")
		stale := p
		stale.Version--
		if _, err = k.schedule(k.manager, stale, future(1)); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale schedule: %v", err)
		}
		// An office asking for two approvers after this post was approved
		// by one person holds it back.
		if err := k.s.SetSecondApproval(ctxOf(k.manager), k.manager, k.org.ID, k.office.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = k.schedule(k.manager, p, future(1))
		wantKey(t, err, "editorial.schedule.second_approval_required")
		if err := k.s.SetSecondApproval(ctxOf(k.manager), k.manager, k.org.ID, k.office.ID, false); err != nil {
			t.Fatal(err)
		}

		at := future(1)
		p, err = k.schedule(k.manager, p, at)
		if err != nil || p.State != editorial.StateScheduled || !p.ScheduledAt.Equal(at) {
			t.Fatalf("schedule: %v %+v", err, p)
		}
		_, err = k.s.Reschedule(ctxOf(k.manager), k.manager, k.org.ID, p.ID, p.Version, future(2))
		if !errors.Is(err, editorial.ErrScheduled) {
			t.Errorf("reschedule of a scheduled post: %v", err)
		}
		// Unschedule is for publishers, and keeps the approval.
		_, err = k.s.Transition(ctxOf(k.editor), k.editor, k.org.ID, p.ID, p.Version, editorial.ActionUnschedule, "")
		wantForbidden(t, err)
		p = k.do(k.manager, p, editorial.ActionUnschedule, "")
		if p.State != editorial.StateApproved || p.ApprovedBy == "" {
			t.Fatalf("unschedule: %+v", p)
		}
		if p, err = k.schedule(k.manager, p, at); err != nil {
			t.Fatal(err)
		}

		// Outcomes, as the system.
		if err := k.outcome(p, editorial.StateApproved); err == nil {
			t.Error("outcome approved accepted")
		}
		if err := k.outcome(p, editorial.StateFailed); err != nil {
			t.Fatal(err)
		}
		if err := k.outcome(p, editorial.StateFailed); err != nil {
			t.Errorf("failed again: %v", err)
		}
		if err := k.outcome(p, editorial.StatePublished); err != nil {
			t.Fatalf("a retry succeeded: %v", err)
		}
		before := k.post(p.ID)
		if err := k.outcome(p, editorial.StatePublished); err != nil {
			t.Errorf("published again: %v", err)
		}
		if after := k.post(p.ID); after.Version != before.Version || after.State != editorial.StatePublished || after.ApprovedBy != k.manager.PersonID {
			t.Errorf("no-op outcome changed the post: %+v", after)
		}
		if err := k.outcome(p, editorial.StateFailed); err == nil {
			t.Error("published → failed accepted")
		}
		if err := k.outcome(editorial.Post{ID: store.NewID()}, editorial.StatePublished); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown post: %v", err)
		}
		es := k.entries("post.published")
		if len(es) != 1 || es[0].ActorID != "" || es[0].ActorLabel != "system" {
			t.Errorf("published audit %+v", es)
		}
		if es := k.entries("post.failed"); len(es) != 1 {
			t.Errorf("failed audit %+v", es)
		}
		if es := k.entries("post.schedule"); len(es) != 2 || es[0].ActorID != k.manager.PersonID {
			t.Errorf("schedule audit %+v", es)
		}
	})
}

func TestVariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := ctxOf(k.editor)
		img := k.upload(k.editor, "a.png", pngBytes(t, 4, 3), "Una piazza")
		p, err := k.s.CreatePost(ctx, k.editor, k.org.ID, editorial.PostInput{Title: "Avviso", MediaIDs: []string{img.ID}})
		if err != nil {
			t.Fatal(err)
		}
		other := newKit(t, db).telegram // an account of another organisation
		_, err = k.s.SetVariants(ctx, k.editor, k.org.ID, p.ID, p.Version, []editorial.VariantInput{
			{AccountID: k.telegram, Language: "de", Text: "x"},
			{AccountID: other, Text: "y"},
			{AccountID: k.bluesky, Text: "z"},
			{AccountID: k.telegram, Language: "en", Text: "a"},
			{AccountID: k.telegram, Language: "en", Text: "b"},
			{AccountID: k.mastodon, Text: " "},
			{AccountID: k.mastodon, Language: "en", Text: "c", MediaIDs: []string{store.NewID()}},
		})
		for _, key := range []string{"editorial.variant.language_disabled", "editorial.variant.account_unknown", "editorial.variant.account_disabled",
			"editorial.variant.duplicate", "editorial.variant.empty", "editorial.variant.media_not_in_post"} {
			wantKey(t, err, key)
		}
		_, err = k.s.SetVariants(ctxOf(k.guest), k.guest, k.org.ID, p.ID, p.Version, nil)
		wantForbidden(t, err)

		// Two language editions on Telegram, and Mastodon (needs attention:
		// its publications would wait) with the image only.
		in := []editorial.VariantInput{
			{AccountID: k.telegram, Text: "Ciao"}, {AccountID: k.telegram, Language: "en", Text: "Hello"},
			{AccountID: k.mastodon, MediaIDs: []string{img.ID}},
		}
		vs, err := k.s.SetVariants(ctx, k.editor, k.org.ID, p.ID, p.Version, in)
		if err != nil || len(vs) != 3 || vs[0].Language != "it" || vs[1].Language != "en" || vs[2].AccountID != k.mastodon ||
			!slices.Equal(vs[2].MediaIDs, []string{img.ID}) || vs[0].PostID != p.ID || vs[0].OrgID != k.org.ID {
			t.Fatalf("variants: %v %+v", err, vs)
		}
		if in[0].Language != "" {
			t.Error("SetVariants changed the caller's slice")
		}
		one, err := k.s.Variant(context.Background(), k.org.ID, vs[1].ID)
		if err != nil || one.Text != "Hello" {
			t.Errorf("variant: %v %+v", err, one)
		}
		if _, err := k.s.Variant(context.Background(), newKit(t, db).org.ID, vs[1].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("variant of another organisation: %v", err)
		}

		// Saving the same variants changes nothing, not even the version.
		p = k.post(p.ID)
		if _, err := k.s.SetVariants(ctx, k.editor, k.org.ID, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		if k.post(p.ID).Version != p.Version {
			t.Error("identical variants bumped the version")
		}

		// New text on an approved post sends it back to draft.
		p = k.do(k.editor, p, editorial.ActionSubmit, "")
		p = k.do(k.manager, p, editorial.ActionApprove, "")
		in[0].Text = "Ciao a tutti"
		if _, err := k.s.SetVariants(ctx, k.editor, k.org.ID, p.ID, p.Version, in); err != nil {
			t.Fatal(err)
		}
		if p = k.post(p.ID); p.State != editorial.StateDraft || p.ApprovedBy != "" {
			t.Errorf("variants edited after approval: %+v", p)
		}

		// A variant whose publication went out keeps its record.
		vs, _ = k.s.Variants(context.Background(), k.org.ID, p.ID)
		if _, err := db.Write.ExecContext(context.Background(), `INSERT INTO publications (id, org_id, post_id, variant_id, account_id,
			state, due_at, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'unknown', $6, $6, $6, $6)`,
			store.NewID(), k.org.ID, p.ID, vs[0].ID, k.telegram, store.Now()); err != nil {
			t.Fatal(err)
		}
		_, err = k.s.SetVariants(ctx, k.editor, k.org.ID, p.ID, p.Version, in[:1])
		wantKey(t, err, "editorial.variant.already_published")
		if es := k.entries("post.variants"); len(es) != 2 {
			t.Errorf("variants audit: %d entries", len(es))
		}
	})
}

func TestCorrection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		p := k.approved("")
		vs, _ := k.s.Variants(context.Background(), k.org.ID, p.ID)
		_, err := k.s.UpdateVariantText(ctxOf(k.manager), k.manager, k.org.ID, vs[0].ID, "Rettifica")
		wantKey(t, err, "editorial.post.not_published")

		p, err = k.schedule(k.manager, p, future(1))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.outcome(p, editorial.StatePublished); err != nil {
			t.Fatal(err)
		}
		_, err = k.s.UpdateVariantText(ctxOf(k.editor), k.editor, k.org.ID, vs[0].ID, "Rettifica")
		wantForbidden(t, err)
		_, err = k.s.UpdateVariantText(ctxOf(k.manager), k.manager, k.org.ID, vs[0].ID, " ")
		wantKey(t, err, "editorial.variant.text_invalid")
		v, err := k.s.UpdateVariantText(ctxOf(k.manager), k.manager, k.org.ID, vs[0].ID, "Via Roma chiusa da martedì (rettifica).")
		if err != nil || v.Text != "Via Roma chiusa da martedì (rettifica)." {
			t.Fatalf("correct: %v %+v", err, v)
		}
		es := k.entries("post.correct")
		if len(es) != 1 || es[0].TargetID != p.ID || !strings.Contains(es[0].Before, "lunedì") || !strings.Contains(es[0].After, "martedì") {
			t.Errorf("correction audit %+v", es)
		}
		if _, err := k.s.UpdateVariantText(ctxOf(k.manager), k.manager, k.org.ID, store.NewID(), "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown variant: %v", err)
		}
	})
}

func TestCommentsAndHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		p := k.draft(k.guest, "")
		other := k.draft(k.guest2, "")
		_, err := k.s.AddComment(ctxOf(k.guest), k.guest, k.org.ID, other.ID, "Posso aiutare?")
		wantForbidden(t, err)
		_, err = k.s.AddComment(ctxOf(k.guest), k.guest, k.org.ID, p.ID, "  ")
		wantKey(t, err, "editorial.comment.invalid")
		if _, err := k.s.AddComment(ctxOf(k.guest), k.guest, k.org.ID, store.NewID(), "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("comment on unknown post: %v", err)
		}
		c1, err := k.s.AddComment(ctxOf(k.editor), k.editor, k.org.ID, p.ID, "Aggiungi il link")
		if err != nil || c1.PersonName != "editor" || c1.Body != "Aggiungi il link" {
			t.Fatalf("comment: %v %+v", err, c1)
		}
		if _, err := k.s.AddComment(ctxOf(k.guest), k.guest, k.org.ID, p.ID, "Fatto"); err != nil {
			t.Fatal(err)
		}
		cs, err := k.s.Comments(context.Background(), k.org.ID, p.ID)
		if err != nil || len(cs) != 2 || cs[0].Body != "Aggiungi il link" || cs[1].Body != "Fatto" || cs[1].PersonID != k.guest.PersonID {
			t.Errorf("comments %v %+v", err, cs)
		}
		k.do(k.guest, p, editorial.ActionSubmit, "Pronto")
		h, err := k.s.History(context.Background(), k.org.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range h {
			actions = append(actions, e.Action)
		}
		want := []string{"post.submit", "post.comment", "post.comment", "post.variants", "post.create"}
		if !slices.Equal(actions, want) {
			t.Errorf("history %v, want %v", actions, want)
		}
	})
}

func TestPostsFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newKit(t, db)
		ctx := context.Background()
		a := k.draftAt(k.liaison, k.office.ID, future(1))
		b := k.approved(k.office2.ID)
		c, err := k.s.CreatePost(ctxOf(k.editor), k.editor, k.org.ID, editorial.PostInput{Title: "Mostra al museo", Body: "Ingresso libero, 100% gratis"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := k.s.CreatePost(ctxOf(k.guest), k.guest, k.org.ID, editorial.PostInput{Title: "Turno Instagram"})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(ps []editorial.Post) []string {
			var out []string
			for _, p := range ps {
				out = append(out, p.ID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(xs ...string) []string { slices.Sort(xs); return xs }
		tests := []struct {
			name string
			f    editorial.PostFilter
			want []string
		}{
			{"all", editorial.PostFilter{}, sorted(a.ID, b.ID, c.ID, g.ID)},
			{"seen by an editor", editorial.PostFilter{Viewer: &k.editor}, sorted(a.ID, b.ID, c.ID, g.ID)},
			{"seen by a liaison", editorial.PostFilter{Viewer: &k.liaison}, []string{a.ID}},
			{"seen by a guest", editorial.PostFilter{Viewer: &k.guest}, []string{g.ID}},
			{"seen by another guest", editorial.PostFilter{Viewer: &k.guest2}, nil},
			{"states", editorial.PostFilter{States: []editorial.State{editorial.StateApproved, editorial.StateReview}}, []string{b.ID}},
			{"office", editorial.PostFilter{OfficeID: k.office.ID}, []string{a.ID}},
			{"author", editorial.PostFilter{AuthorID: k.editor.PersonID}, sorted(b.ID, c.ID)},
			{"search and viewer", editorial.PostFilter{Search: "roma", Viewer: &k.liaison}, []string{a.ID}},
			{"search", editorial.PostFilter{Search: "MUSEO"}, []string{c.ID}},
			{"search in body", editorial.PostFilter{Search: "via roma"}, sorted(a.ID, b.ID)},
			{"search literal %", editorial.PostFilter{Search: "100%"}, []string{c.ID}},
			{"from", editorial.PostFilter{From: future(1).Add(time.Hour)}, []string{b.ID}},
			{"range", editorial.PostFilter{From: future(0), To: future(1).Add(time.Second)}, []string{a.ID}},
			{"limit", editorial.PostFilter{Limit: 1, Offset: 1, From: future(0)}, []string{a.ID}},
		}
		for _, tt := range tests {
			got, err := k.s.Posts(ctx, k.org.ID, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, ids(got), tt.want)
			}
		}
		for _, tt := range []struct {
			a          editorial.Actor
			p          editorial.Post
			see, write bool
		}{
			{k.liaison, a, true, true}, {k.liaison, b, false, false}, {k.guest, g, true, true}, {k.guest, c, false, false},
			{k.viewer, c, true, false}, {k.editor, g, true, true}, {k.manager, b, true, true},
		} {
			if editorial.CanSee(tt.a, tt.p) != tt.see || editorial.CanWrite(tt.a, tt.p) != tt.write {
				t.Errorf("%s on %q: see %v write %v", tt.a.Grants.Roles, tt.p.Title, editorial.CanSee(tt.a, tt.p), editorial.CanWrite(tt.a, tt.p))
			}
		}
		if got, _ := k.s.Posts(ctx, newKit(t, db).org.ID, editorial.PostFilter{}); len(got) != 0 {
			t.Errorf("posts of another organisation: %d", len(got))
		}
		if _, err := k.s.Post(ctx, k.org.ID, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown post: %v", err)
		}
	})
}
