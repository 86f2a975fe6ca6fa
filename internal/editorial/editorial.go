// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package editorial is the editorial plan: posts written once and adapted
// per channel (variants), the approval workflow, comments, campaigns and
// rubrics, the media library, the calendar and its iCalendar export, the
// import of a plan from a spreadsheet, and the election-period guard.
//
// Who may do what is decided here, on the server, whatever the interface
// showed. Scheduling and delivery belong to package publish, which calls
// ScheduleTx and SetOutcomeTx inside its own transactions.
package editorial

import (
	"errors"
	"fmt"
	"slices"

	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// State is where a post stands in the workflow.
type State string

// The workflow: draft → review → approved → scheduled → published / failed.
const (
	StateDraft     State = "draft"
	StateReview    State = "review"
	StateApproved  State = "approved"
	StateScheduled State = "scheduled"
	StatePublished State = "published"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// States lists the states in workflow order.
var States = []State{StateDraft, StateReview, StateApproved, StateScheduled, StatePublished, StateFailed, StateCancelled}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Action moves a post from one state to another.
type Action string

// The actions. Schedule, Publish and Fail belong to the publishing engine
// (ScheduleTx, SetOutcomeTx); Transition refuses them.
const (
	ActionSubmit     Action = "submit"
	ActionApprove    Action = "approve"
	ActionReject     Action = "reject"
	ActionUnschedule Action = "unschedule"
	ActionCancel     Action = "cancel"
	ActionReopen     Action = "reopen"
	ActionSchedule   Action = "schedule"
	ActionPublish    Action = "publish"
	ActionFail       Action = "fail"
)

// AllActions lists every action.
var AllActions = []Action{ActionSubmit, ActionApprove, ActionReject, ActionUnschedule, ActionCancel, ActionReopen,
	ActionSchedule, ActionPublish, ActionFail}

// transitions is the state machine, all of it. Approve leads to approved;
// when a second approver is needed the first approval keeps the post in
// review (see TransitionTx), which the table cannot say.
var transitions = map[State]map[Action]State{
	StateDraft:     {ActionSubmit: StateReview, ActionCancel: StateCancelled},
	StateReview:    {ActionApprove: StateApproved, ActionReject: StateDraft, ActionCancel: StateCancelled},
	StateApproved:  {ActionSchedule: StateScheduled, ActionReject: StateDraft, ActionCancel: StateCancelled},
	StateScheduled: {ActionUnschedule: StateApproved, ActionPublish: StatePublished, ActionFail: StateFailed},
	StatePublished: {},
	StateFailed:    {ActionPublish: StatePublished, ActionReopen: StateDraft},
	StateCancelled: {ActionReopen: StateDraft},
}

// Next returns the state after action a from `from`, and whether a is
// allowed there.
func Next(from State, a Action) (State, bool) {
	to, ok := transitions[from][a]
	return to, ok
}

// Actions lists what can be done from a state, in a stable order.
func Actions(from State) []Action {
	var out []Action
	for _, a := range AllActions {
		if _, ok := transitions[from][a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Actor is who acts, with what they may do in the organisation. The audit
// log takes its actor from the context (audit.WithActor); the edge sets
// both from the same session.
type Actor struct {
	PersonID string
	Grants   org.Grants
}

// ErrScheduled is returned when a change to a scheduled post has to go
// through the publishing engine (rescheduling, editing).
var ErrScheduled = errors.New("editorial: the post is scheduled; unschedule it first")

// ErrStale is returned when a post changed since the version the caller
// read: someone else edited or moved it meanwhile.
var ErrStale = fmt.Errorf("editorial: the post changed meanwhile, reload it: %w", store.ErrConflict)

// Service is the editorial plan of every organisation.
type Service struct {
	db *store.DB
}

// NewService returns the service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// CanSee reports whether a may see post p (its page, its comments): the
// web and API layers check it on every post they show, and PostFilter.Viewer
// applies the same rule to lists.
func CanSee(a Actor, p Post) bool { return canSee(a, p) }

// CanWrite reports whether a may edit post p (its text, variants, time),
// for the interface to offer the editor only where the server allows it.
func CanWrite(a Actor, p Post) bool { return canWrite(a, p) }

// canSee: the plan is visible to who reads it in the post's office; a
// guest author, who does not read the plan, sees their own posts.
func canSee(a Actor, p Post) bool {
	return a.Grants.CanInOffice(org.PermPlanRead, p.OfficeID) || (p.AuthorID != "" && p.AuthorID == a.PersonID)
}

// canWrite: post.write in the post's office, on one's own post or on any
// post one may see (so a guest author never edits someone else's text).
// Who may send alerts writes alert posts (the crisis coordinator).
func canWrite(a Actor, p Post) bool {
	if p.IsAlert && a.Grants.Can(org.PermAlertSend) {
		return true
	}
	if !a.Grants.CanInOffice(org.PermPostWrite, p.OfficeID) {
		return false
	}
	return (p.AuthorID != "" && p.AuthorID == a.PersonID) || a.Grants.CanInOffice(org.PermPlanRead, p.OfficeID)
}

// canSubmit follows canWrite with post.submit.
func canSubmit(a Actor, p Post) bool {
	if p.IsAlert && a.Grants.Can(org.PermAlertSend) {
		return true
	}
	if !a.Grants.CanInOffice(org.PermPostSubmit, p.OfficeID) {
		return false
	}
	return (p.AuthorID != "" && p.AuthorID == a.PersonID) || a.Grants.CanInOffice(org.PermPlanRead, p.OfficeID)
}

// canCreate: post.write in the office, or an alert by who may send alerts.
func canCreate(a Actor, in PostInput) bool {
	if in.IsAlert {
		return a.Grants.Can(org.PermAlertSend)
	}
	return a.Grants.CanInOffice(org.PermPostWrite, in.OfficeID)
}

// canManagePlan: campaigns, rubrics, electoral periods, officials and
// second approvers shape everyone's work, so they need post.approve in the
// whole organisation (managers and administrators).
func canManagePlan(a Actor) bool { return a.Grants.CanEverywhere(org.PermPostApprove) }
