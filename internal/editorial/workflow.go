// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Transition applies a workflow action to a post in its own transaction.
func (s *Service) Transition(ctx context.Context, actor Actor, orgID, postID string, version int, a Action, comment string) (Post, error) {
	var p Post
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = s.TransitionTx(ctx, tx, actor, orgID, postID, version, a, comment)
		return err
	})
	return p, err
}

// TransitionTx applies a workflow action inside tx (the publishing engine
// unschedules inside its own):
//   - submit: post.submit in the post's office (a liaison's own office), on
//     one's own post or one of the plan one sees (a guest author: own posts
//     only); at least one variant; in an electoral period a reason, unless
//     the post is an alert;
//   - approve: post.approve in the office. An office that asks for a second
//     approver, or an electoral period (alerts aside), keeps the post in
//     review after the first approval until a different person approves.
//     An author may approve their own post only when no second approval is
//     needed; the approver is on record either way;
//   - reject: post.approve, with a comment; back to draft, approvals cleared;
//   - cancel, reopen: who may write the post, or approve in its office;
//   - unschedule: post.publish (the engine cancels what still waits).
//
// A comment, when given, is kept on the post with the transition.
func (s *Service) TransitionTx(ctx context.Context, tx *sql.Tx, actor Actor, orgID, postID string, version int, a Action, comment string) (Post, error) {
	p, err := s.transitionTx(ctx, tx, actor, orgID, postID, version, a, comment)
	if err != nil {
		return Post{}, fmt.Errorf("editorial: %s %s: %w", a, postID, err)
	}
	return p, nil
}

func (s *Service) transitionTx(ctx context.Context, tx *sql.Tx, actor Actor, orgID, postID string, version int, a Action, comment string) (Post, error) {
	p, err := postTx(ctx, tx, orgID, postID)
	if err != nil {
		return Post{}, err
	}
	if p.Version != version {
		return Post{}, ErrStale
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxCommentBody || !utf8.ValidString(comment) {
		return Post{}, valid.New("comment", "editorial.comment.invalid", maxCommentBody)
	}
	to, ok := Next(p.State, a)
	switch a {
	case ActionSchedule, ActionPublish, ActionFail:
		ok = false // the publishing engine's, through ScheduleTx and SetOutcomeTx
	}
	if !ok {
		return Post{}, valid.New("state", "editorial.transition.not_allowed")
	}
	g, office := actor.Grants, p.OfficeID
	next := p
	next.State = to
	action := "post." + string(a)
	now := store.Now()
	switch a {
	case ActionSubmit:
		if !canSubmit(actor, p) {
			return Post{}, store.ErrForbidden
		}
		vs, err := variantsTx(ctx, tx, orgID, postID)
		if err != nil {
			return Post{}, err
		}
		if len(vs) == 0 {
			return Post{}, valid.New("variants", "editorial.transition.no_variants")
		}
		in, err := electoralTx(ctx, tx, orgID, plannedTime(p))
		if err != nil {
			return Post{}, err
		}
		if in.ID != "" && !p.IsAlert && p.ElectionReason == "" {
			return Post{}, valid.New("election_reason", "editorial.election.reason_required", in.Name)
		}
	case ActionApprove:
		if !g.CanInOffice(org.PermPostApprove, office) {
			return Post{}, store.ErrForbidden
		}
		second, err := needsSecondTx(ctx, tx, orgID, p)
		if err != nil {
			return Post{}, err
		}
		// A post submitted before an electoral period began reaches its
		// approver inside it: what it could not be scheduled without is
		// asked for now.
		if !p.IsAlert && p.ElectionReason == "" {
			per, err := electoralTx(ctx, tx, orgID, plannedTime(p))
			if err != nil {
				return Post{}, err
			}
			if per.ID != "" {
				return Post{}, valid.New("election_reason", "editorial.election.reason_required", per.Name)
			}
		}
		if second && p.AuthorID == actor.PersonID {
			return Post{}, valid.New("state", "editorial.approve.own_post")
		}
		switch {
		case p.ApprovedBy == "":
			next.ApprovedBy, next.ApprovedAt = actor.PersonID, now
			if second {
				next.State = StateReview // the first of two approvals
			}
		case !second:
			// The second approval is no longer needed (the office setting
			// or the planned time changed): any approver concludes.
			if p.ApprovedBy != actor.PersonID {
				next.SecondApprovedBy, next.SecondApprovedAt = actor.PersonID, now
			}
		case p.ApprovedBy == actor.PersonID:
			return Post{}, valid.New("state", "editorial.approve.second_must_differ")
		default:
			next.SecondApprovedBy, next.SecondApprovedAt = actor.PersonID, now
			action = "post.second_approve"
		}
	case ActionReject:
		if !g.CanInOffice(org.PermPostApprove, office) {
			return Post{}, store.ErrForbidden
		}
		if comment == "" {
			return Post{}, valid.New("comment", "editorial.reject.comment_required")
		}
		next.ApprovedBy, next.SecondApprovedBy = "", ""
	case ActionCancel, ActionReopen:
		if !canWrite(actor, p) && !g.CanInOffice(org.PermPostApprove, office) {
			return Post{}, store.ErrForbidden
		}
		next.ApprovedBy, next.SecondApprovedBy = "", ""
	case ActionUnschedule:
		if !g.CanInOffice(org.PermPostPublish, office) {
			return Post{}, store.ErrForbidden
		}
	}
	if err := writePostTx(ctx, tx, next, version); err != nil {
		return Post{}, err
	}
	if comment != "" {
		if _, err := addCommentTx(ctx, tx, orgID, postID, actor.PersonID, comment); err != nil {
			return Post{}, err
		}
	}
	after := map[string]any{"state": next.State}
	if comment != "" {
		after["comment"] = comment
	}
	if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: action, TargetType: "post", TargetID: postID,
		TargetLabel: p.Title, Before: map[string]any{"state": p.State}, After: after}); err != nil {
		return Post{}, err
	}
	return postTx(ctx, tx, orgID, postID)
}

// plannedTime is the time the guards judge a post by: its planned or
// scheduled time, or now when it has none (it could go out at once).
func plannedTime(p Post) time.Time {
	if p.ScheduledAt.IsZero() {
		return store.Now()
	}
	return p.ScheduledAt
}

// needsSecondTx: the office asks for two approvers, or the post falls in an
// electoral period (Legge 28/2000 art. 9: a second person vouches that it
// is impersonal and indispensable). Alerts are indispensable by nature and
// must not wait for a second person in an emergency; their office's own
// rule still holds.
func needsSecondTx(ctx context.Context, q store.Querier, orgID string, p Post) (bool, error) {
	office, err := officeNeedsSecondTx(ctx, q, p.OfficeID)
	if err != nil || office {
		return office, err
	}
	if p.IsAlert {
		return false, nil
	}
	per, err := electoralTx(ctx, q, orgID, plannedTime(p))
	return per.ID != "", err
}

func officeNeedsSecondTx(ctx context.Context, q store.Querier, officeID string) (bool, error) {
	if officeID == "" {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM office_second_approval WHERE office_id = $1`, officeID).Scan(&n)
	return n > 0, err
}

// replanTx judges a new planned time of a post in review or approved with
// the election guard: inside an electoral period it needs a reason (the
// author adds it by editing, which sends the post back to draft) and, once
// approved, a second approver (the post returns to review for them).
func (s *Service) replanTx(ctx context.Context, tx *sql.Tx, orgID string, p Post) (Post, error) {
	if p.State != StateReview && p.State != StateApproved || p.IsAlert {
		return p, nil
	}
	per, err := electoralTx(ctx, tx, orgID, plannedTime(p))
	if err != nil || per.ID == "" {
		return p, err
	}
	if p.ElectionReason == "" {
		return p, valid.New("election_reason", "editorial.election.reason_required", per.Name)
	}
	if p.State == StateApproved && p.SecondApprovedBy == "" {
		p.State = StateReview
	}
	return p, nil
}

// ScheduleTx moves an approved post to scheduled at `at`, inside the
// publishing engine's transaction, which creates the publications. It
// needs post.publish in the post's office, an approver on record, and at
// an electoral time (alerts aside) the reason and a second approver.
func (s *Service) ScheduleTx(ctx context.Context, tx *sql.Tx, actor Actor, orgID, postID string, version int, at time.Time) (Post, error) {
	p, err := s.scheduleTx(ctx, tx, actor, orgID, postID, version, at)
	if err != nil {
		return Post{}, fmt.Errorf("editorial: schedule %s: %w", postID, err)
	}
	return p, nil
}

func (s *Service) scheduleTx(ctx context.Context, tx *sql.Tx, actor Actor, orgID, postID string, version int, at time.Time) (Post, error) {
	p, err := postTx(ctx, tx, orgID, postID)
	if err != nil {
		return Post{}, err
	}
	if p.Version != version {
		return Post{}, ErrStale
	}
	if !actor.Grants.CanInOffice(org.PermPostPublish, p.OfficeID) {
		return Post{}, store.ErrForbidden
	}
	if at.IsZero() {
		return Post{}, valid.New("at", "editorial.schedule.time_required")
	}
	if _, ok := Next(p.State, ActionSchedule); !ok || p.ApprovedBy == "" {
		return Post{}, valid.New("state", "editorial.schedule.not_approved")
	}
	office, err := officeNeedsSecondTx(ctx, tx, p.OfficeID)
	if err != nil {
		return Post{}, err
	}
	if office && p.SecondApprovedBy == "" {
		return Post{}, valid.New("state", "editorial.schedule.second_approval_required")
	}
	per, err := electoralTx(ctx, tx, orgID, at)
	if err != nil {
		return Post{}, err
	}
	if per.ID != "" && !p.IsAlert {
		if p.ElectionReason == "" {
			return Post{}, valid.New("election_reason", "editorial.election.reason_required", per.Name)
		}
		if p.SecondApprovedBy == "" {
			return Post{}, valid.New("state", "editorial.election.second_approval_required", per.Name)
		}
	}
	next := p
	next.State, next.ScheduledAt = StateScheduled, store.Time(at)
	if err := writePostTx(ctx, tx, next, version); err != nil {
		return Post{}, err
	}
	if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.schedule", TargetType: "post", TargetID: postID,
		TargetLabel: p.Title, Before: map[string]any{"state": p.State}, After: map[string]any{"state": next.State, "at": next.ScheduledAt}}); err != nil {
		return Post{}, err
	}
	return postTx(ctx, tx, orgID, postID)
}

// SetOutcomeTx records what the publishing engine achieved: scheduled →
// published or failed, failed → published (a retry succeeded); asking for
// the state the post already has does nothing. Audited as the system
// ("post.published", "post.failed"). Any other move is an error.
func (s *Service) SetOutcomeTx(ctx context.Context, tx *sql.Tx, orgID, postID string, to State) error {
	p, err := postTx(ctx, tx, orgID, postID)
	if err != nil {
		return fmt.Errorf("editorial: outcome of %s: %w", postID, err)
	}
	if p.State == to && (to == StatePublished || to == StateFailed) {
		return nil
	}
	action := ActionPublish
	if to == StateFailed {
		action = ActionFail
	}
	if got, ok := Next(p.State, action); !ok || got != to {
		return fmt.Errorf("editorial: outcome of %s: a %s post cannot become %s", postID, p.State, to)
	}
	next := p
	next.State = to
	if err := writePostTx(ctx, tx, next, p.Version); err != nil {
		return fmt.Errorf("editorial: outcome of %s: %w", postID, err)
	}
	// The engine acts on its own: no person is on record for the outcome.
	sys := audit.WithActor(ctx, audit.Actor{Label: "system"})
	return audit.Record(sys, tx, audit.Change{OrgID: orgID, Action: "post." + string(to), TargetType: "post", TargetID: postID,
		TargetLabel: p.Title, Before: map[string]any{"state": p.State}, After: map[string]any{"state": to}})
}

// Comment is a note on a post, by a person of the team.
type Comment struct {
	ID, PostID, PersonID, PersonName, Body string
	CreatedAt                              time.Time
}

// AddComment writes a comment on a post, by anyone who sees it (a guest
// author on their own posts, to answer the reviewer).
func (s *Service) AddComment(ctx context.Context, actor Actor, orgID, postID, body string) (Comment, error) {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > maxCommentBody || !utf8.ValidString(body) {
		return Comment{}, valid.New("body", "editorial.comment.invalid", maxCommentBody)
	}
	var c Comment
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := postTx(ctx, tx, orgID, postID)
		if err != nil {
			return err
		}
		if !canSee(actor, p) {
			return store.ErrForbidden
		}
		if c, err = addCommentTx(ctx, tx, orgID, postID, actor.PersonID, body); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.comment", TargetType: "post", TargetID: postID,
			TargetLabel: p.Title, After: map[string]string{"comment": body}})
	})
	if err != nil {
		return Comment{}, fmt.Errorf("editorial: comment on %s: %w", postID, err)
	}
	_ = s.db.Read.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, actor.PersonID).Scan(&c.PersonName)
	return c, nil
}

func addCommentTx(ctx context.Context, tx *sql.Tx, orgID, postID, personID, body string) (Comment, error) {
	c := Comment{ID: store.NewID(), PostID: postID, PersonID: personID, Body: body, CreatedAt: store.Now()}
	_, err := tx.ExecContext(ctx, `INSERT INTO post_comments (id, org_id, post_id, person_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, orgID, postID, nullable(personID), body, c.CreatedAt)
	return c, err
}

// Comments lists a post's comments, oldest first.
func (s *Service) Comments(ctx context.Context, orgID, postID string) ([]Comment, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT c.id, c.post_id, COALESCE(c.person_id, ''), COALESCE(p.name, ''), c.body, c.created_at
		FROM post_comments c LEFT JOIN people p ON p.id = c.person_id
		WHERE c.org_id = $1 AND c.post_id = $2 ORDER BY c.created_at, c.id`, orgID, postID)
	if err != nil {
		return nil, fmt.Errorf("editorial: comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.PostID, &c.PersonID, &c.PersonName, &c.Body, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("editorial: comments: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// History returns what happened to a post, newest first: the audit log
// entries targeting it (every transition, edit, comment and correction).
func (s *Service) History(ctx context.Context, orgID, postID string) ([]audit.Entry, error) {
	es, err := audit.NewLog(s.db).List(ctx, audit.Filter{OrgID: orgID, Target: postID, Limit: 500})
	if err != nil {
		return nil, fmt.Errorf("editorial: history of %s: %w", postID, err)
	}
	out := es[:0]
	for _, e := range es {
		if e.TargetID == postID { // Target also matches labels; keep the post's own
			out = append(out, e)
		}
	}
	return out, nil
}

// SetSecondApproval makes an office's posts need two approvers, or not.
func (s *Service) SetSecondApproval(ctx context.Context, actor Actor, orgID, officeID string, on bool) error {
	if !canManagePlan(actor) {
		return fmt.Errorf("editorial: second approval: %w", store.ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM offices WHERE org_id = $1 AND id = $2`, orgID, officeID).Scan(&name); err != nil {
			return store.Normalize(err)
		}
		was, err := officeNeedsSecondTx(ctx, tx, officeID)
		if err != nil || was == on {
			return err
		}
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO office_second_approval (office_id, org_id) VALUES ($1, $2)`, officeID, orgID)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM office_second_approval WHERE office_id = $1`, officeID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "office.second_approval", TargetType: "office",
			TargetID: officeID, TargetLabel: name, Before: map[string]bool{"second_approval": was},
			After: map[string]bool{"second_approval": on}})
	})
	if err != nil {
		return fmt.Errorf("editorial: second approval of %s: %w", officeID, err)
	}
	return nil
}

// SecondApprovalOffices returns the offices whose posts need two approvers.
func (s *Service) SecondApprovalOffices(ctx context.Context, orgID string) (map[string]bool, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT office_id FROM office_second_approval WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("editorial: second approval offices: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("editorial: second approval offices: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
