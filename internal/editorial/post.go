// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Post is a message of the plan. Its variants say what goes to each
// channel; the post holds what they share.
type Post struct {
	ID, OrgID, OfficeID, CampaignID, RubricID        string
	Title, Body, LinkURL, LinkTitle, LinkDescription string
	State                                            State
	// ScheduledAt is the planned (wished) time while the post is a draft,
	// in review or approved, and the publication time once scheduled: one
	// column, so the calendar shows both alike. Zero when not planned.
	ScheduledAt                            time.Time
	AuthorID, ApprovedBy, SecondApprovedBy string
	ApprovedAt, SecondApprovedAt           time.Time
	// ElectionReason says why the post is impersonal and indispensable
	// (Legge 28/2000 art. 9), needed during an electoral period.
	ElectionReason string
	// IsAlert marks an emergency alert: exempt from the cadence guard and
	// the suspension switch, indispensable by nature for the election guard.
	IsAlert        bool
	CorrectionNote string
	// Version grows with every change: updates pass the version they read,
	// and a stale one gets ErrStale (store.ErrConflict).
	Version              int
	MediaIDs             []string
	CreatedAt, UpdatedAt time.Time
}

// Variant is the text of a post for one account in one language.
type Variant struct {
	ID, OrgID, PostID, AccountID, Language, Text string
	MediaIDs                                     []string
	CreatedAt, UpdatedAt                         time.Time
}

// PostInput creates or edits a post.
type PostInput struct {
	OfficeID, CampaignID, RubricID                   string
	Title, Body, LinkURL, LinkTitle, LinkDescription string
	MediaIDs                                         []string
	ElectionReason                                   string
	// PlannedAt is the wished publication time; zero for none.
	PlannedAt time.Time
	// IsAlert needs alert.send: it lifts the election reason and the
	// cadence guard, so an author cannot set it to skip them.
	IsAlert bool
}

// VariantInput is one variant of SetVariants. An empty Language means the
// organisation's first language.
type VariantInput struct {
	AccountID, Language, Text string
	MediaIDs                  []string
}

// Bounds of what a post holds; the platforms' own limits are checked by
// the publishing engine, per variant.
const (
	maxTitle       = 300
	maxBody        = 70000
	maxLinkTitle   = 300
	maxLinkDesc    = 1000
	maxReason      = 2000
	maxPostMedia   = 10
	maxVariants    = 50
	maxCommentBody = 5000
)

func (in *PostInput) validate() error {
	var es valid.Errors
	in.Title = strings.TrimSpace(in.Title)
	in.LinkURL = strings.TrimSpace(in.LinkURL)
	in.LinkTitle = strings.TrimSpace(in.LinkTitle)
	in.LinkDescription = strings.TrimSpace(in.LinkDescription)
	in.ElectionReason = strings.TrimSpace(in.ElectionReason)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > maxTitle || !utf8.ValidString(in.Title) {
		es.Add("title", "editorial.post.title_invalid", maxTitle)
	}
	if utf8.RuneCountInString(in.Body) > maxBody || !utf8.ValidString(in.Body) {
		es.Add("body", "editorial.post.body_invalid", maxBody)
	}
	if in.LinkURL != "" && !validLink(in.LinkURL) {
		es.Add("link_url", "editorial.post.link_invalid")
	}
	if utf8.RuneCountInString(in.LinkTitle) > maxLinkTitle || !utf8.ValidString(in.LinkTitle) {
		es.Add("link_title", "editorial.post.link_title_invalid", maxLinkTitle)
	}
	if utf8.RuneCountInString(in.LinkDescription) > maxLinkDesc || !utf8.ValidString(in.LinkDescription) {
		es.Add("link_description", "editorial.post.link_description_invalid", maxLinkDesc)
	}
	if utf8.RuneCountInString(in.ElectionReason) > maxReason || !utf8.ValidString(in.ElectionReason) {
		es.Add("election_reason", "editorial.election.reason_too_long", maxReason)
	}
	in.MediaIDs = dedupe(in.MediaIDs)
	if len(in.MediaIDs) > maxPostMedia {
		es.Add("media", "editorial.post.too_many_media", maxPostMedia)
	}
	return es.Err()
}

// validLink accepts absolute http(s) URLs: the link leads to the
// institutional site, never to a script.
func validLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

const postColumns = `id, org_id, COALESCE(office_id, ''), COALESCE(campaign_id, ''), COALESCE(rubric_id, ''), title, body,
	link_url, link_title, link_description, state, scheduled_at, COALESCE(author_id, ''), COALESCE(approved_by, ''),
	approved_at, COALESCE(second_approved_by, ''), second_approved_at, election_reason, is_alert, correction_note,
	version, created_at, updated_at`

func scanPost(sc interface{ Scan(...any) error }) (Post, error) {
	var (
		p                   Post
		st                  string
		sched, appr, second sql.NullTime
	)
	err := sc.Scan(&p.ID, &p.OrgID, &p.OfficeID, &p.CampaignID, &p.RubricID, &p.Title, &p.Body, &p.LinkURL, &p.LinkTitle,
		&p.LinkDescription, &st, &sched, &p.AuthorID, &p.ApprovedBy, &appr, &p.SecondApprovedBy, &second, &p.ElectionReason,
		&p.IsAlert, &p.CorrectionNote, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	p.State, p.ScheduledAt, p.ApprovedAt, p.SecondApprovedAt = State(st), sched.Time, appr.Time, second.Time
	return p, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.Time(t)
}

// snapshot is the short before/after of a post in the audit log.
func snapshot(p Post) map[string]any {
	m := map[string]any{"title": p.Title, "state": p.State, "version": p.Version}
	if !p.ScheduledAt.IsZero() {
		m["at"] = p.ScheduledAt
	}
	return m
}

// CreatePost writes a new draft, authored by the actor.
func (s *Service) CreatePost(ctx context.Context, actor Actor, orgID string, in PostInput) (Post, error) {
	if err := in.validate(); err != nil {
		return Post{}, err
	}
	if !canCreate(actor, in) {
		return Post{}, fmt.Errorf("editorial: create post: %w", store.ErrForbidden)
	}
	id, now := store.NewID(), store.Now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkRefsTx(ctx, tx, orgID, in); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO posts (id, org_id, office_id, campaign_id, rubric_id, title, body, link_url,
				link_title, link_description, state, scheduled_at, author_id, election_reason, is_alert, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $13, $14, $15, $15)`,
			id, orgID, nullable(in.OfficeID), nullable(in.CampaignID), nullable(in.RubricID), in.Title, in.Body, in.LinkURL,
			in.LinkTitle, in.LinkDescription, nullTime(in.PlannedAt), nullable(actor.PersonID), in.ElectionReason, in.IsAlert, now)
		if err != nil {
			return err
		}
		if err := setPostMediaTx(ctx, tx, orgID, id, in.MediaIDs); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.create", TargetType: "post", TargetID: id,
			TargetLabel: in.Title, After: map[string]any{"title": in.Title, "office": in.OfficeID, "alert": in.IsAlert}})
	})
	if err != nil {
		return Post{}, fmt.Errorf("editorial: create post: %w", err)
	}
	return s.Post(ctx, orgID, id)
}

// checkRefsTx makes sure office, campaign and rubric belong to the organisation.
func checkRefsTx(ctx context.Context, tx *sql.Tx, orgID string, in PostInput) error {
	var es valid.Errors
	for _, ref := range []struct{ query, id, field string }{
		{`SELECT COUNT(*) FROM offices WHERE org_id = $1 AND id = $2`, in.OfficeID, "office"},
		{`SELECT COUNT(*) FROM campaigns WHERE org_id = $1 AND id = $2`, in.CampaignID, "campaign"},
		{`SELECT COUNT(*) FROM rubrics WHERE org_id = $1 AND id = $2`, in.RubricID, "rubric"},
	} {
		if ref.id == "" {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, ref.query, orgID, ref.id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			es.Add(ref.field, "editorial.post."+ref.field+"_unknown")
		}
	}
	return es.Err()
}

func setPostMediaTx(ctx context.Context, tx *sql.Tx, orgID, postID string, ids []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM post_media WHERE post_id = $1`, postID); err != nil {
		return err
	}
	for i, m := range ids {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE org_id = $1 AND id = $2`, orgID, m).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return valid.New("media", "editorial.post.media_unknown")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_media (post_id, media_id, position) VALUES ($1, $2, $3)`, postID, m, i); err != nil {
			return store.Normalize(err)
		}
	}
	return nil
}

// pruneVariantMediaTx drops from the variants the media the post no longer
// has: a variant's media are always a subset of its post's.
func pruneVariantMediaTx(ctx context.Context, tx *sql.Tx, orgID, postID string, keep []string) error {
	vs, err := variantsTx(ctx, tx, orgID, postID)
	if err != nil {
		return err
	}
	for _, v := range vs {
		kept := slices.DeleteFunc(slices.Clone(v.MediaIDs), func(m string) bool { return !slices.Contains(keep, m) })
		if len(kept) == len(v.MediaIDs) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE variants SET media_ids = $1, updated_at = $2 WHERE id = $3`,
			strings.Join(kept, ","), store.Now(), v.ID); err != nil {
			return err
		}
	}
	return nil
}

// editable refuses changes to posts past approval: a scheduled one is the
// publishing engine's (ErrScheduled); published, failed and cancelled
// ones are reopened or corrected, never edited.
func editable(p Post) error {
	switch p.State {
	case StateDraft, StateReview, StateApproved:
		return nil
	case StateScheduled:
		return ErrScheduled
	}
	return valid.New("state", "editorial.post.not_editable")
}

// UpdatePost edits a post not yet scheduled. Changing what the approvers
// vouched for (text, link, media, office, election reason, alert) on a
// post in review or approved sends it back to draft with the approvals
// cleared; changing only the campaign, rubric or planned time keeps them,
// under the election guard's checks of the new time.
func (s *Service) UpdatePost(ctx context.Context, actor Actor, orgID, id string, version int, in PostInput) (Post, error) {
	if err := in.validate(); err != nil {
		return Post{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := postTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		if !canWrite(actor, old) || !canCreate(actor, in) || (in.IsAlert != old.IsAlert && !actor.Grants.Can(org.PermAlertSend)) {
			return store.ErrForbidden
		}
		if err := editable(old); err != nil {
			return err
		}
		if err := checkRefsTx(ctx, tx, orgID, in); err != nil {
			return err
		}
		changed := old.Title != in.Title || old.Body != in.Body || old.LinkURL != in.LinkURL || old.LinkTitle != in.LinkTitle ||
			old.LinkDescription != in.LinkDescription || old.OfficeID != in.OfficeID || old.ElectionReason != in.ElectionReason ||
			old.IsAlert != in.IsAlert || !slices.Equal(old.MediaIDs, in.MediaIDs)
		next := old
		next.Title, next.Body, next.LinkURL, next.LinkTitle, next.LinkDescription = in.Title, in.Body, in.LinkURL, in.LinkTitle, in.LinkDescription
		next.OfficeID, next.CampaignID, next.RubricID, next.ElectionReason, next.IsAlert = in.OfficeID, in.CampaignID, in.RubricID, in.ElectionReason, in.IsAlert
		next.ScheduledAt = store.Time(in.PlannedAt)
		if in.PlannedAt.IsZero() {
			next.ScheduledAt = time.Time{}
		}
		if changed {
			next.State, next.ApprovedBy, next.SecondApprovedBy = StateDraft, "", ""
		} else if !next.ScheduledAt.Equal(old.ScheduledAt) {
			if next, err = s.replanTx(ctx, tx, orgID, next); err != nil {
				return err
			}
		}
		if err := writePostTx(ctx, tx, next, version); err != nil {
			return err
		}
		if err := setPostMediaTx(ctx, tx, orgID, id, in.MediaIDs); err != nil {
			return err
		}
		if err := pruneVariantMediaTx(ctx, tx, orgID, id, in.MediaIDs); err != nil {
			return err
		}
		next.Version++
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.update", TargetType: "post", TargetID: id,
			TargetLabel: in.Title, Before: snapshot(old), After: snapshot(next)})
	})
	if err != nil {
		return Post{}, fmt.Errorf("editorial: update post %s: %w", id, err)
	}
	return s.Post(ctx, orgID, id)
}

// writePostTx stores p if its version is still `version`: two people
// saving the same post at once cannot both win, on either engine.
func writePostTx(ctx context.Context, tx *sql.Tx, p Post, version int) error {
	res, err := tx.ExecContext(ctx, `UPDATE posts SET office_id = $1, campaign_id = $2, rubric_id = $3, title = $4, body = $5,
			link_url = $6, link_title = $7, link_description = $8, scheduled_at = $9, election_reason = $10, is_alert = $11,
			state = $12, approved_by = $13, approved_at = $14, second_approved_by = $15, second_approved_at = $16,
			version = version + 1, updated_at = $17
		WHERE id = $18 AND org_id = $19 AND version = $20`,
		nullable(p.OfficeID), nullable(p.CampaignID), nullable(p.RubricID), p.Title, p.Body, p.LinkURL, p.LinkTitle,
		p.LinkDescription, nullTime(p.ScheduledAt), p.ElectionReason, p.IsAlert, string(p.State), nullable(p.ApprovedBy),
		approvalTime(p.ApprovedBy, p.ApprovedAt), nullable(p.SecondApprovedBy), approvalTime(p.SecondApprovedBy, p.SecondApprovedAt),
		store.Now(), p.ID, p.OrgID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrStale
	}
	return nil
}

func approvalTime(by string, at time.Time) any {
	if by == "" {
		return nil
	}
	return nullTime(at)
}

// bumpTx increments the version of a post still at `version`.
func bumpTx(ctx context.Context, tx *sql.Tx, postID string, version int) error {
	res, err := tx.ExecContext(ctx, `UPDATE posts SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3`,
		store.Now(), postID, version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrStale
	}
	return nil
}

func postTx(ctx context.Context, q store.Querier, orgID, id string) (Post, error) {
	p, err := scanPost(q.QueryRowContext(ctx, `SELECT `+postColumns+` FROM posts WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Post{}, store.Normalize(err)
	}
	rows, err := q.QueryContext(ctx, `SELECT media_id FROM post_media WHERE post_id = $1 ORDER BY position`, id)
	if err != nil {
		return Post{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return Post{}, err
		}
		p.MediaIDs = append(p.MediaIDs, m)
	}
	return p, rows.Err()
}

// Post returns one post of the organisation.
func (s *Service) Post(ctx context.Context, orgID, id string) (Post, error) {
	p, err := postTx(ctx, s.db.Read, orgID, id)
	if err != nil {
		return Post{}, fmt.Errorf("editorial: post %s: %w", id, err)
	}
	return p, nil
}

// PostFilter selects posts for lists; zero fields match everything.
type PostFilter struct {
	States     []State
	OfficeID   string
	CampaignID string
	RubricID   string
	AuthorID   string
	// From and To bound scheduled_at: the planned time before scheduling,
	// the publication time after. Posts without a time are left out when
	// either is set.
	From, To time.Time
	Search   string // in title and body, case-insensitive
	Limit    int    // default 100, at most 500
	Offset   int
	// Viewer, when set, keeps the posts that person may see (CanSee): a
	// liaison those of their office, a guest author their own.
	Viewer *Actor
}

// Posts lists posts, latest planned first (unplanned ones by creation).
func (s *Service) Posts(ctx context.Context, orgID string, f PostFilter) ([]Post, error) {
	where := []string{"org_id = $1"}
	args := []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, st := range f.States {
			ph[i] = arg(string(st))
		}
		where = append(where, "state IN ("+strings.Join(ph, ",")+")")
	}
	for _, c := range []struct{ column, value string }{
		{"office_id", f.OfficeID}, {"campaign_id", f.CampaignID}, {"rubric_id", f.RubricID}, {"author_id", f.AuthorID},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "scheduled_at >= "+arg(store.Time(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "scheduled_at < "+arg(store.Time(f.To)))
	}
	if f.Viewer != nil {
		if offices, all := f.Viewer.Grants.Offices(org.PermPlanRead); !all {
			own := "author_id = " + arg(f.Viewer.PersonID)
			if len(offices) > 0 {
				ph := make([]string, len(offices))
				for i, o := range offices {
					ph[i] = arg(o)
				}
				own = "(" + own + " OR office_id IN (" + strings.Join(ph, ",") + "))"
			}
			where = append(where, own)
		}
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		p := arg(store.LikePattern(q))
		d := s.db.Dialect()
		where = append(where, "("+d.ILike("title", p)+" OR "+d.ILike("body", p)+")")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	// Only fixed column names and placeholders are concatenated; values are bound.
	q := `SELECT ` + postColumns + ` FROM posts WHERE ` + strings.Join(where, " AND ") + //nolint:gosec // G202: see above
		fmt.Sprintf(` ORDER BY COALESCE(scheduled_at, created_at) DESC, id DESC LIMIT %d OFFSET %d`, limit, max(f.Offset, 0))
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("editorial: posts: %w", err)
	}
	defer rows.Close()
	var out []Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: posts: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("editorial: posts: %w", err)
	}
	if err := s.loadMedia(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadMedia fills MediaIDs of posts with one query.
func (s *Service) loadMedia(ctx context.Context, posts []Post) error {
	if len(posts) == 0 {
		return nil
	}
	idx := map[string]int{}
	ph := make([]string, len(posts))
	args := make([]any, len(posts))
	for i, p := range posts {
		idx[p.ID] = i
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = p.ID
	}
	q := `SELECT post_id, media_id FROM post_media WHERE post_id IN (` + strings.Join(ph, ",") + `) ORDER BY post_id, position` //nolint:gosec // G202: placeholders only
	rows, err := s.db.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("editorial: post media: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var postID, mediaID string
		if err := rows.Scan(&postID, &mediaID); err != nil {
			return fmt.Errorf("editorial: post media: %w", err)
		}
		p := &posts[idx[postID]]
		p.MediaIDs = append(p.MediaIDs, mediaID)
	}
	return rows.Err()
}

const variantColumns = `id, org_id, post_id, account_id, language, text, media_ids, created_at, updated_at`

func scanVariant(sc interface{ Scan(...any) error }) (Variant, error) {
	var (
		v     Variant
		media string
	)
	err := sc.Scan(&v.ID, &v.OrgID, &v.PostID, &v.AccountID, &v.Language, &v.Text, &media, &v.CreatedAt, &v.UpdatedAt)
	if media != "" {
		v.MediaIDs = strings.Split(media, ",")
	}
	return v, err
}

func variantsTx(ctx context.Context, q store.Querier, orgID, postID string) ([]Variant, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+variantColumns+` FROM variants WHERE org_id = $1 AND post_id = $2
		ORDER BY created_at, id`, orgID, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Variant
	for rows.Next() {
		v, err := scanVariant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Variants lists the variants of a post, in the order they were written.
func (s *Service) Variants(ctx context.Context, orgID, postID string) ([]Variant, error) {
	vs, err := variantsTx(ctx, s.db.Read, orgID, postID)
	if err != nil {
		return nil, fmt.Errorf("editorial: variants of %s: %w", postID, err)
	}
	return vs, nil
}

// Variant returns one variant.
func (s *Service) Variant(ctx context.Context, orgID, id string) (Variant, error) {
	v, err := scanVariant(s.db.Read.QueryRowContext(ctx, `SELECT `+variantColumns+` FROM variants WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Variant{}, fmt.Errorf("editorial: variant %s: %w", id, store.Normalize(err))
	}
	return v, nil
}

func orgLanguagesTx(ctx context.Context, q store.Querier, orgID string) ([]string, error) {
	var langs string
	if err := q.QueryRowContext(ctx, `SELECT languages FROM organisations WHERE id = $1`, orgID).Scan(&langs); err != nil {
		return nil, store.Normalize(err)
	}
	var out []string
	for _, l := range strings.Split(langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{"it"}
	}
	return out, nil
}

// SetVariants replaces all the variants of a post not yet scheduled, in
// one transaction. Each names an account of the organisation that is
// active or needs attention (its publications would wait), a language the
// organisation enables, and media among the post's. New text needs a new
// approval, as with UpdatePost; saving the same variants again changes
// nothing.
func (s *Service) SetVariants(ctx context.Context, actor Actor, orgID, postID string, version int, vs []VariantInput) ([]Variant, error) {
	vs = slices.Clone(vs) // defaults are filled in; the caller's slice stays as it was
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := postTx(ctx, tx, orgID, postID)
		if err != nil {
			return err
		}
		if p.Version != version {
			return ErrStale
		}
		if !canWrite(actor, p) {
			return store.ErrForbidden
		}
		if err := editable(p); err != nil {
			return err
		}
		enabled, err := orgLanguagesTx(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := validateVariantsTx(ctx, tx, orgID, p, enabled, vs); err != nil {
			return err
		}
		old, err := variantsTx(ctx, tx, orgID, postID)
		if err != nil {
			return err
		}
		if sameVariants(old, vs) {
			return nil
		}
		// A publication that went out (or may have) keeps its variant: its
		// record is the truth of what the platform shows.
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications WHERE post_id = $1
			AND state NOT IN ('cancelled', 'failed')`, postID).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return valid.New("variants", "editorial.variant.already_published")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM variants WHERE post_id = $1`, postID); err != nil {
			return err
		}
		now := store.Now()
		for _, v := range vs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO variants (id, org_id, post_id, account_id, language, text, media_ids,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
				store.NewID(), orgID, postID, v.AccountID, v.Language, v.Text, strings.Join(v.MediaIDs, ","), now); err != nil {
				return store.Normalize(err)
			}
		}
		next := p
		if p.State != StateDraft {
			next.State, next.ApprovedBy, next.SecondApprovedBy = StateDraft, "", ""
		}
		if err := writePostTx(ctx, tx, next, version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.variants", TargetType: "post", TargetID: postID,
			TargetLabel: p.Title, Before: map[string]any{"variants": len(old), "state": p.State},
			After: map[string]any{"variants": len(vs), "state": next.State}})
	})
	if err != nil {
		return nil, fmt.Errorf("editorial: set variants of %s: %w", postID, err)
	}
	return s.Variants(ctx, orgID, postID)
}

// validateVariantsTx checks vs and fills in default languages.
func validateVariantsTx(ctx context.Context, tx *sql.Tx, orgID string, p Post, enabled []string, vs []VariantInput) error {
	var es valid.Errors
	if len(vs) > maxVariants {
		es.Add("variants", "editorial.variant.too_many", maxVariants)
		return es.Err()
	}
	seen := map[string]bool{}
	for i := range vs {
		v := &vs[i]
		field := fmt.Sprintf("variants[%d]", i)
		v.AccountID, v.Language = strings.TrimSpace(v.AccountID), strings.TrimSpace(v.Language)
		v.MediaIDs = dedupe(v.MediaIDs)
		if v.Language == "" {
			v.Language = enabled[0]
		}
		if !slices.Contains(enabled, v.Language) {
			es.Add(field+".language", "editorial.variant.language_disabled", v.Language)
		}
		key := v.AccountID + "/" + v.Language
		if seen[key] {
			es.Add(field, "editorial.variant.duplicate")
		}
		seen[key] = true
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM channel_accounts WHERE org_id = $1 AND id = $2`, orgID, v.AccountID).Scan(&status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			es.Add(field+".account", "editorial.variant.account_unknown")
		case err != nil:
			return err
		case status != "active" && status != "attention":
			es.Add(field+".account", "editorial.variant.account_disabled")
		}
		if !utf8.ValidString(v.Text) || utf8.RuneCountInString(v.Text) > maxBody {
			es.Add(field+".text", "editorial.variant.text_invalid", maxBody)
		}
		if strings.TrimSpace(v.Text) == "" && len(v.MediaIDs) == 0 {
			es.Add(field+".text", "editorial.variant.empty")
		}
		for _, m := range v.MediaIDs {
			if !slices.Contains(p.MediaIDs, m) {
				es.Add(field+".media", "editorial.variant.media_not_in_post")
				break
			}
		}
	}
	return es.Err()
}

func sameVariants(old []Variant, vs []VariantInput) bool {
	if len(old) != len(vs) {
		return false
	}
	for i, o := range old {
		v := vs[i]
		if o.AccountID != v.AccountID || o.Language != v.Language || o.Text != v.Text || !slices.Equal(o.MediaIDs, v.MediaIDs) {
			return false
		}
	}
	return true
}

// UpdateVariantText records the corrected text of a published variant
// (rettifica), after the publishing engine has edited it on the platform.
// Allowed while the post is published (or failed, when this variant's
// publication went out nevertheless), by who may publish in its office;
// audited on the post with the text before and after.
func (s *Service) UpdateVariantText(ctx context.Context, actor Actor, orgID, variantID, text string) (Variant, error) {
	if strings.TrimSpace(text) == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxBody {
		return Variant{}, valid.New("text", "editorial.variant.text_invalid", maxBody)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		v, err := scanVariant(tx.QueryRowContext(ctx, `SELECT `+variantColumns+` FROM variants WHERE org_id = $1 AND id = $2`, orgID, variantID))
		if err != nil {
			return store.Normalize(err)
		}
		p, err := postTx(ctx, tx, orgID, v.PostID)
		if err != nil {
			return err
		}
		if !actor.Grants.CanInOffice(org.PermPostPublish, p.OfficeID) {
			return store.ErrForbidden
		}
		var pubState sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT state FROM publications WHERE variant_id = $1`, variantID).Scan(&pubState); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if p.State != StatePublished && (p.State != StateFailed || pubState.String != "published") {
			return valid.New("state", "editorial.post.not_published")
		}
		if v.Text == text {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE variants SET text = $1, updated_at = $2 WHERE id = $3`, text, store.Now(), variantID); err != nil {
			return err
		}
		if err := bumpTx(ctx, tx, p.ID, p.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.correct", TargetType: "post", TargetID: p.ID,
			TargetLabel: p.Title, Before: map[string]string{"variant": variantID, "text": v.Text},
			After: map[string]string{"variant": variantID, "text": text}})
	})
	if err != nil {
		return Variant{}, fmt.Errorf("editorial: correct variant %s: %w", variantID, err)
	}
	return s.Variant(ctx, orgID, variantID)
}
