// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Campaign groups posts around one objective over a period (seed 002:
// objectives, actions, tools and period).
type Campaign struct {
	ID, OrgID, Name, Objective, Audience string
	StartsOn, EndsOn                     string // YYYY-MM-DD, days of the organisation, both included
	Channels                             []string
	KPIs                                 string
	AdBudgetCents                        int64 // 0 when none
	CreatedAt, UpdatedAt                 time.Time
}

// CampaignInput creates or edits a campaign. Channels are account ids.
type CampaignInput struct {
	Name, Objective, Audience, StartsOn, EndsOn, KPIs string
	Channels                                          []string
	AdBudgetCents                                     int64
}

const maxPlanText = 5000

func (in *CampaignInput) validate() error {
	var es valid.Errors
	in.Name = strings.TrimSpace(in.Name)
	in.StartsOn, in.EndsOn = strings.TrimSpace(in.StartsOn), strings.TrimSpace(in.EndsOn)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 || !utf8.ValidString(in.Name) {
		es.Add("name", "editorial.campaign.name_invalid")
	}
	start, err1 := time.Parse(time.DateOnly, in.StartsOn)
	end, err2 := time.Parse(time.DateOnly, in.EndsOn)
	if err1 != nil {
		es.Add("starts_on", "editorial.campaign.date_invalid")
	}
	if err2 != nil || (err1 == nil && end.Before(start)) {
		es.Add("ends_on", "editorial.campaign.date_invalid")
	}
	if in.AdBudgetCents < 0 {
		es.Add("ad_budget", "editorial.campaign.budget_invalid")
	}
	for _, f := range []struct{ field, value string }{{"objective", in.Objective}, {"audience", in.Audience}, {"kpis", in.KPIs}} {
		if utf8.RuneCountInString(f.value) > maxPlanText || !utf8.ValidString(f.value) {
			es.Add(f.field, "editorial.plan.text_too_long", maxPlanText)
		}
	}
	in.Channels = dedupe(in.Channels)
	return es.Err()
}

// requireAccountsTx makes sure every id is an account of the organisation;
// key is the validation error otherwise.
func requireAccountsTx(ctx context.Context, q store.Querier, orgID string, ids []string, key string) error {
	for _, id := range ids {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM channel_accounts WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return valid.New("channels", key)
		}
	}
	return nil
}

func campaignSnapshot(c Campaign) map[string]any {
	return map[string]any{"name": c.Name, "from": c.StartsOn, "to": c.EndsOn, "channels": len(c.Channels), "budget": c.AdBudgetCents}
}

// CreateCampaign adds a campaign.
func (s *Service) CreateCampaign(ctx context.Context, actor Actor, orgID string, in CampaignInput) (Campaign, error) {
	if !canManagePlan(actor) {
		return Campaign{}, fmt.Errorf("editorial: create campaign: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Campaign{}, err
	}
	c := Campaign{ID: store.NewID(), OrgID: orgID, Name: in.Name, Objective: in.Objective, Audience: in.Audience,
		StartsOn: in.StartsOn, EndsOn: in.EndsOn, Channels: in.Channels, KPIs: in.KPIs, AdBudgetCents: in.AdBudgetCents}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireAccountsTx(ctx, tx, orgID, in.Channels, "editorial.campaign.channel_unknown"); err != nil {
			return err
		}
		now := store.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, org_id, name, objective, audience, starts_on, ends_on,
			channels, kpis, ad_budget_cents, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			c.ID, orgID, in.Name, in.Objective, in.Audience, in.StartsOn, in.EndsOn, strings.Join(in.Channels, ","), in.KPIs,
			nullBudget(in.AdBudgetCents), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "campaign.create", TargetType: "campaign", TargetID: c.ID,
			TargetLabel: in.Name, After: campaignSnapshot(c)})
	})
	if err != nil {
		return Campaign{}, fmt.Errorf("editorial: create campaign: %w", err)
	}
	return s.Campaign(ctx, orgID, c.ID)
}

// UpdateCampaign edits a campaign.
func (s *Service) UpdateCampaign(ctx context.Context, actor Actor, orgID, id string, in CampaignInput) (Campaign, error) {
	if !canManagePlan(actor) {
		return Campaign{}, fmt.Errorf("editorial: update campaign: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Campaign{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if err := requireAccountsTx(ctx, tx, orgID, in.Channels, "editorial.campaign.channel_unknown"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET name = $1, objective = $2, audience = $3, starts_on = $4,
			ends_on = $5, channels = $6, kpis = $7, ad_budget_cents = $8, updated_at = $9 WHERE org_id = $10 AND id = $11`,
			in.Name, in.Objective, in.Audience, in.StartsOn, in.EndsOn, strings.Join(in.Channels, ","), in.KPIs,
			nullBudget(in.AdBudgetCents), store.Now(), orgID, id); err != nil {
			return err
		}
		next := old
		next.Name, next.StartsOn, next.EndsOn, next.Channels, next.AdBudgetCents = in.Name, in.StartsOn, in.EndsOn, in.Channels, in.AdBudgetCents
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "campaign.update", TargetType: "campaign", TargetID: id,
			TargetLabel: in.Name, Before: campaignSnapshot(old), After: campaignSnapshot(next)})
	})
	if err != nil {
		return Campaign{}, fmt.Errorf("editorial: update campaign %s: %w", id, err)
	}
	return s.Campaign(ctx, orgID, id)
}

// DeleteCampaign removes a campaign; its posts stay, without it.
func (s *Service) DeleteCampaign(ctx context.Context, actor Actor, orgID, id string) error {
	if !canManagePlan(actor) {
		return fmt.Errorf("editorial: delete campaign: %w", store.ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "campaign.delete", TargetType: "campaign", TargetID: id,
			TargetLabel: old.Name, Before: campaignSnapshot(old)})
	})
	if err != nil {
		return fmt.Errorf("editorial: delete campaign %s: %w", id, err)
	}
	return nil
}

func nullBudget(c int64) any {
	if c == 0 {
		return nil
	}
	return c
}

const campaignColumns = `id, org_id, name, objective, audience, starts_on, ends_on, channels, kpis, ad_budget_cents, created_at, updated_at`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var (
		c        Campaign
		channels string
		budget   sql.NullInt64
	)
	err := sc.Scan(&c.ID, &c.OrgID, &c.Name, &c.Objective, &c.Audience, &c.StartsOn, &c.EndsOn, &channels, &c.KPIs, &budget,
		&c.CreatedAt, &c.UpdatedAt)
	if channels != "" {
		c.Channels = strings.Split(channels, ",")
	}
	c.AdBudgetCents = budget.Int64
	return c, err
}

// Campaign returns one campaign.
func (s *Service) Campaign(ctx context.Context, orgID, id string) (Campaign, error) {
	c, err := scanCampaign(s.db.Read.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Campaign{}, fmt.Errorf("editorial: campaign %s: %w", id, store.Normalize(err))
	}
	return c, nil
}

// Campaigns lists the campaigns, latest first.
func (s *Service) Campaigns(ctx context.Context, orgID string) ([]Campaign, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE org_id = $1 ORDER BY starts_on DESC, name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("editorial: campaigns: %w", err)
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: campaigns: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Rubric is a recurring series ("Lunedì in Comune", "#ScopriVallebella"):
// a weekday and a local time, on some channels.
type Rubric struct {
	ID, OrgID, Name, Description string
	Weekday                      int    // ISO 1 (Monday) … 7 (Sunday); 0 = no recurrence
	TimeOfDay                    string // HH:MM in the organisation's time zone; empty without recurrence
	Channels                     []string
	CreatedAt, UpdatedAt         time.Time
}

// RubricInput creates or edits a rubric. Channels are account ids.
type RubricInput struct {
	Name, Description string
	Weekday           int
	TimeOfDay         string
	Channels          []string
}

var timeOfDay = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

func (in *RubricInput) validate() error {
	var es valid.Errors
	in.Name, in.TimeOfDay = strings.TrimSpace(in.Name), strings.TrimSpace(in.TimeOfDay)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 || !utf8.ValidString(in.Name) {
		es.Add("name", "editorial.rubric.name_invalid")
	}
	if utf8.RuneCountInString(in.Description) > maxPlanText || !utf8.ValidString(in.Description) {
		es.Add("description", "editorial.plan.text_too_long", maxPlanText)
	}
	if in.Weekday < 0 || in.Weekday > 7 {
		es.Add("weekday", "editorial.rubric.weekday_invalid")
	}
	if in.Weekday > 0 && !timeOfDay.MatchString(in.TimeOfDay) {
		es.Add("time_of_day", "editorial.rubric.time_invalid")
	}
	if in.Weekday == 0 {
		in.TimeOfDay = ""
	}
	in.Channels = dedupe(in.Channels)
	return es.Err()
}

const rubricColumns = `id, org_id, name, description, weekday, time_of_day, channels, created_at, updated_at`

func scanRubric(sc interface{ Scan(...any) error }) (Rubric, error) {
	var (
		r        Rubric
		channels string
	)
	err := sc.Scan(&r.ID, &r.OrgID, &r.Name, &r.Description, &r.Weekday, &r.TimeOfDay, &channels, &r.CreatedAt, &r.UpdatedAt)
	if channels != "" {
		r.Channels = strings.Split(channels, ",")
	}
	return r, err
}

func rubricSnapshot(r Rubric) map[string]any {
	return map[string]any{"name": r.Name, "weekday": r.Weekday, "time": r.TimeOfDay, "channels": len(r.Channels)}
}

// nameTaken turns the unique (org_id, name) violation into a field error.
func nameTaken(err error, key string) error {
	if errors.Is(store.Normalize(err), store.ErrConflict) {
		return valid.New("name", key)
	}
	return err
}

// CreateRubric adds a rubric; names are unique in the organisation.
func (s *Service) CreateRubric(ctx context.Context, actor Actor, orgID string, in RubricInput) (Rubric, error) {
	if !canManagePlan(actor) {
		return Rubric{}, fmt.Errorf("editorial: create rubric: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Rubric{}, err
	}
	r := Rubric{ID: store.NewID(), OrgID: orgID, Name: in.Name, Description: in.Description, Weekday: in.Weekday,
		TimeOfDay: in.TimeOfDay, Channels: in.Channels}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireAccountsTx(ctx, tx, orgID, in.Channels, "editorial.rubric.channel_unknown"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rubrics (id, org_id, name, description, weekday, time_of_day, channels,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			r.ID, orgID, r.Name, r.Description, r.Weekday, r.TimeOfDay, strings.Join(r.Channels, ","), store.Now()); err != nil {
			return nameTaken(err, "editorial.rubric.name_taken")
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "rubric.create", TargetType: "rubric", TargetID: r.ID,
			TargetLabel: r.Name, After: rubricSnapshot(r)})
	})
	if err != nil {
		return Rubric{}, fmt.Errorf("editorial: create rubric: %w", err)
	}
	return s.Rubric(ctx, orgID, r.ID)
}

// UpdateRubric edits a rubric.
func (s *Service) UpdateRubric(ctx context.Context, actor Actor, orgID, id string, in RubricInput) (Rubric, error) {
	if !canManagePlan(actor) {
		return Rubric{}, fmt.Errorf("editorial: update rubric: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Rubric{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanRubric(tx.QueryRowContext(ctx, `SELECT `+rubricColumns+` FROM rubrics WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if err := requireAccountsTx(ctx, tx, orgID, in.Channels, "editorial.rubric.channel_unknown"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rubrics SET name = $1, description = $2, weekday = $3, time_of_day = $4,
			channels = $5, updated_at = $6 WHERE org_id = $7 AND id = $8`,
			in.Name, in.Description, in.Weekday, in.TimeOfDay, strings.Join(in.Channels, ","), store.Now(), orgID, id); err != nil {
			return nameTaken(err, "editorial.rubric.name_taken")
		}
		next := Rubric{Name: in.Name, Weekday: in.Weekday, TimeOfDay: in.TimeOfDay, Channels: in.Channels}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "rubric.update", TargetType: "rubric", TargetID: id,
			TargetLabel: in.Name, Before: rubricSnapshot(old), After: rubricSnapshot(next)})
	})
	if err != nil {
		return Rubric{}, fmt.Errorf("editorial: update rubric %s: %w", id, err)
	}
	return s.Rubric(ctx, orgID, id)
}

// DeleteRubric removes a rubric; its posts stay, without it.
func (s *Service) DeleteRubric(ctx context.Context, actor Actor, orgID, id string) error {
	if !canManagePlan(actor) {
		return fmt.Errorf("editorial: delete rubric: %w", store.ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanRubric(tx.QueryRowContext(ctx, `SELECT `+rubricColumns+` FROM rubrics WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rubrics WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "rubric.delete", TargetType: "rubric", TargetID: id,
			TargetLabel: old.Name, Before: rubricSnapshot(old)})
	})
	if err != nil {
		return fmt.Errorf("editorial: delete rubric %s: %w", id, err)
	}
	return nil
}

// Rubric returns one rubric.
func (s *Service) Rubric(ctx context.Context, orgID, id string) (Rubric, error) {
	r, err := scanRubric(s.db.Read.QueryRowContext(ctx, `SELECT `+rubricColumns+` FROM rubrics WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Rubric{}, fmt.Errorf("editorial: rubric %s: %w", id, store.Normalize(err))
	}
	return r, nil
}

// Rubrics lists the rubrics by name.
func (s *Service) Rubrics(ctx context.Context, orgID string) ([]Rubric, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+rubricColumns+` FROM rubrics WHERE org_id = $1 ORDER BY name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("editorial: rubrics: %w", err)
	}
	defer rows.Close()
	var out []Rubric
	for rows.Next() {
		r, err := scanRubric(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: rubrics: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RubricOccurrences lists the times of a rubric in [from, to), at its
// local time in loc (the organisation's zone), so 09:00 stays 09:00 across
// daylight saving time. A local time that does not exist that day (the
// spring-forward hour) moves on by the gap, as time.Date does.
func RubricOccurrences(r Rubric, from, to time.Time, loc *time.Location) []time.Time {
	if r.Weekday < 1 || r.Weekday > 7 || !timeOfDay.MatchString(r.TimeOfDay) || !from.Before(to) {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	h, m := int(r.TimeOfDay[0]-'0')*10+int(r.TimeOfDay[1]-'0'), int(r.TimeOfDay[3]-'0')*10+int(r.TimeOfDay[4]-'0')
	start := from.In(loc)
	// The first day with the rubric's weekday, then every seven days.
	wd := int(start.Weekday())
	if wd == 0 {
		wd = 7
	}
	day := time.Date(start.Year(), start.Month(), start.Day()+(r.Weekday-wd+7)%7, 0, 0, 0, 0, loc)
	var out []time.Time
	for ; ; day = time.Date(day.Year(), day.Month(), day.Day()+7, 0, 0, 0, 0, loc) {
		t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
		if !t.Before(to) {
			return out
		}
		if !t.Before(from) {
			out = append(out, t)
		}
	}
}

// CalendarItem is a post on the calendar with where it goes.
type CalendarItem struct {
	Post     Post
	Channels []CalendarChannel
	Campaign string // name, empty when none
	Rubric   string // name, empty when none
}

// CalendarChannel is one variant's account and, once the post is
// scheduled, its publication's state and link.
type CalendarChannel struct {
	VariantID, AccountID, AccountName, Platform, Language string
	// State and URL of the publication; empty before scheduling.
	State, URL string
}

// Calendar returns every post with a time in [from, to), oldest first, with
// its channels: the month and week views and the iCalendar export draw it.
// The time is scheduled_at: the planned time for drafts, posts in review
// and approved ones, the publication time once scheduled. Cancelled posts
// are left out.
func (s *Service) Calendar(ctx context.Context, orgID string, from, to time.Time) ([]CalendarItem, error) {
	posts, err := s.calendarPosts(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	if err := s.loadMedia(ctx, posts); err != nil {
		return nil, err
	}
	byPost, err := s.calendarChannels(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, q := range []string{`SELECT id, name FROM campaigns WHERE org_id = $1`, `SELECT id, name FROM rubrics WHERE org_id = $1`} {
		if err := s.names(ctx, q, orgID, names); err != nil {
			return nil, err
		}
	}
	out := make([]CalendarItem, 0, len(posts))
	for _, p := range posts {
		out = append(out, CalendarItem{Post: p, Channels: byPost[p.ID], Campaign: names[p.CampaignID], Rubric: names[p.RubricID]})
	}
	return out, nil
}

// calendarPosts is bounded by the time range, plus a ceiling so that a
// range of years cannot exhaust memory.
func (s *Service) calendarPosts(ctx context.Context, orgID string, from, to time.Time) ([]Post, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE org_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 AND state <> 'cancelled'
		ORDER BY scheduled_at, id LIMIT 5000`, orgID, store.Time(from), store.Time(to))
	if err != nil {
		return nil, fmt.Errorf("editorial: calendar: %w", err)
	}
	defer rows.Close()
	var posts []Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: calendar: %w", err)
		}
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("editorial: calendar: %w", err)
	}
	return posts, nil
}

func (s *Service) calendarChannels(ctx context.Context, orgID string, from, to time.Time) (map[string][]CalendarChannel, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT v.post_id, v.id, a.id, a.name, a.platform, v.language,
			COALESCE(pub.state, ''), COALESCE(pub.remote_url, '')
		FROM variants v JOIN posts p ON p.id = v.post_id JOIN channel_accounts a ON a.id = v.account_id
		LEFT JOIN publications pub ON pub.variant_id = v.id
		WHERE p.org_id = $1 AND p.scheduled_at >= $2 AND p.scheduled_at < $3 AND p.state <> 'cancelled'`,
		orgID, store.Time(from), store.Time(to))
	if err != nil {
		return nil, fmt.Errorf("editorial: calendar channels: %w", err)
	}
	defer rows.Close()
	byPost := map[string][]CalendarChannel{}
	for rows.Next() {
		var (
			postID string
			c      CalendarChannel
		)
		if err := rows.Scan(&postID, &c.VariantID, &c.AccountID, &c.AccountName, &c.Platform, &c.Language, &c.State, &c.URL); err != nil {
			return nil, fmt.Errorf("editorial: calendar channels: %w", err)
		}
		byPost[postID] = append(byPost[postID], c)
	}
	for _, cs := range byPost {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].Platform != cs[j].Platform {
				return cs[i].Platform < cs[j].Platform
			}
			if cs[i].AccountName != cs[j].AccountName {
				return cs[i].AccountName < cs[j].AccountName
			}
			return cs[i].Language < cs[j].Language
		})
	}
	return byPost, rows.Err()
}

func (s *Service) names(ctx context.Context, q, orgID string, into map[string]string) error {
	rows, err := s.db.Read.QueryContext(ctx, q, orgID)
	if err != nil {
		return fmt.Errorf("editorial: calendar names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("editorial: calendar names: %w", err)
		}
		into[id] = name
	}
	return rows.Err()
}

// Reschedule moves the planned time of a draft, a post in review or an
// approved one (drag on the calendar), for who may write it or publish in
// its office. Approvals stay, under the election guard (see replanTx). A
// scheduled post is the publishing engine's: ErrScheduled tells the caller
// to go there.
func (s *Service) Reschedule(ctx context.Context, actor Actor, orgID, postID string, version int, at time.Time) (Post, error) {
	if at.IsZero() {
		return Post{}, valid.New("at", "editorial.schedule.time_required")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := postTx(ctx, tx, orgID, postID)
		if err != nil {
			return err
		}
		if p.Version != version {
			return ErrStale
		}
		if !canWrite(actor, p) && !actor.Grants.CanInOffice(org.PermPostPublish, p.OfficeID) {
			return store.ErrForbidden
		}
		if err := editable(p); err != nil {
			return err
		}
		next := p
		next.ScheduledAt = store.Time(at)
		if next, err = s.replanTx(ctx, tx, orgID, next); err != nil {
			return err
		}
		if err := writePostTx(ctx, tx, next, version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "post.replan", TargetType: "post", TargetID: postID,
			TargetLabel: p.Title, Before: map[string]any{"at": p.ScheduledAt, "state": p.State},
			After: map[string]any{"at": next.ScheduledAt, "state": next.State}})
	})
	if err != nil {
		return Post{}, fmt.Errorf("editorial: reschedule %s: %w", postID, err)
	}
	return s.Post(ctx, orgID, postID)
}
