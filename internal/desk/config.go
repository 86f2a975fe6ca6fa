// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/desk/sla"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Settings are an organisation's desk settings.
type Settings struct {
	// Hours is the business-hours spec ("lun-ven 08:30-13:00,14:00-17:30;
	// sab 09:00-12:00"); empty means the usual hours of a municipal office.
	Hours string
	// PatronDay is the patron saint's day, MM-DD ("11-03"), closed.
	PatronDay string
	// SLA is the first-response target per urgency, in business time
	// (urgent messages count wall time: people in danger do not wait for
	// the office to open).
	SLA map[string]time.Duration
	// SLACategory replaces the urgency's target for a category (a
	// complaint may have a legal deadline of its own); urgent messages
	// keep theirs.
	SLACategory map[string]time.Duration
	// RetentionDays: private messages older than this are anonymised;
	// 0 keeps them.
	RetentionDays int
	DPOContact    string
	PrivacyURL    string
	// BlockAfter is how many violations of the policy lead to a block.
	BlockAfter int
	// PolicyRules word the external social media policy's numbered rules
	// the organisation's way; a missing number keeps the standard wording.
	PolicyRules map[int]string
	// PolicyURL is where the policy is published.
	PolicyURL string
}

// DefaultSettings are used until an organisation saves its own.
func DefaultSettings() Settings {
	return Settings{
		SLA:           map[string]time.Duration{"alta": time.Hour, "normale": 8 * time.Hour, "bassa": 24 * time.Hour},
		RetentionDays: 365,
		BlockAfter:    3,
	}
}

// Rule routes matching messages to an office, over the model's choice.
// Every condition set must hold; rules are tried in order.
type Rule struct {
	ID         string
	Position   int
	Keywords   []string // any of them, as words or phrases, case-insensitive
	Source     string   // a platform, "webform" or "email"; empty: any
	Category   string   // a triage category; empty: any
	OfficeID   string
	OfficeCode string
	OfficeName string
}

func (r Rule) matches(source, lowText string, l triage.Labels) bool {
	if r.Source != "" && r.Source != source {
		return false
	}
	if r.Category != "" && r.Category != l.Category {
		return false
	}
	if len(r.Keywords) == 0 {
		return r.Source != "" || r.Category != ""
	}
	for _, k := range r.Keywords {
		if containsWord(lowText, k) {
			return true
		}
	}
	return false
}

// containsWord finds k in text on word boundaries, so "ape" does not
// match "aperto".
func containsWord(text, k string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], k)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(k)
		if (at == 0 || !isWordByte(text[at-1])) && (end == len(text) || !isWordByte(text[end])) {
			return true
		}
		i = at + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// orgConfig is what ingest needs of an organisation, cached briefly so a
// surge does not read the same rows a thousand times a second.
type orgConfig struct {
	settings Settings
	hours    sla.Hours
	offices  map[string]string // code -> id
	rules    []Rule
	// blocked are the authors blocked under the policy, by channel key and
	// author id; Moderate clears the cache when it adds one.
	blocked map[[2]string]bool
	// surges are the emergencies in progress; sandbox the accounts a
	// drill's surge answers on.
	surges  []Surge
	sandbox map[string]bool
	loaded  time.Time
}

const configTTL = 5 * time.Second

// forget drops an organisation's cached configuration after a change.
func (s *Service) forget(orgID string) { s.configs.Delete(orgID) }

func (s *Service) config(ctx context.Context, orgID string) (*orgConfig, error) {
	if v, ok := s.configs.Load(orgID); ok {
		c := v.(*orgConfig)
		if time.Since(c.loaded) < configTTL {
			return c, nil
		}
	}
	c := &orgConfig{offices: map[string]string{}, loaded: time.Now()}
	var err error
	if c.settings, err = s.Settings(ctx, orgID); err != nil {
		return nil, err
	}
	var tz string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT timezone FROM organisations WHERE id = $1`, orgID).Scan(&tz); err != nil {
		return nil, fmt.Errorf("desk: organisation %s: %w", orgID, store.Normalize(err))
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = nil // Europe/Rome
	}
	c.hours = hoursOf(c.settings, loc)
	if err := s.loadSurges(ctx, orgID, c); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT code, id FROM offices WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("desk: offices: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var code, id string
		if err := rows.Scan(&code, &id); err != nil {
			return nil, fmt.Errorf("desk: offices: %w", err)
		}
		c.offices[code] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("desk: offices: %w", err)
	}
	if c.rules, err = s.Rules(ctx, orgID); err != nil {
		return nil, err
	}
	blocked, err := queryRows(ctx, s.DB.Read, 2, `SELECT DISTINCT source, author_id FROM desk_moderation WHERE org_id = $1
		AND action = 'block' AND author_id <> ''`, orgID)
	if err != nil {
		return nil, fmt.Errorf("desk: blocked authors: %w", err)
	}
	c.blocked = map[[2]string]bool{}
	for _, b := range blocked {
		c.blocked[[2]string{b[0], b[1]}] = true
	}
	s.configs.Store(orgID, c)
	return c, nil
}

// hoursOf reads the business hours of settings; a spec that no longer
// parses falls back to the usual hours rather than stopping the desk.
func hoursOf(st Settings, loc *time.Location) sla.Hours {
	h := sla.DefaultHours(loc)
	if st.Hours != "" {
		if p, err := sla.ParseHours(st.Hours); err == nil {
			h = p
			h.Loc = loc
		}
	}
	if md, ok := parseMonthDay(st.PatronDay); ok {
		h.PatronDay = md
	}
	return h
}

func parseMonthDay(s string) (sla.MonthDay, bool) {
	m, d, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return sla.MonthDay{}, false
	}
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || mi < 1 || mi > 12 || di < 1 || di > 31 {
		return sla.MonthDay{}, false
	}
	return sla.MonthDay{Month: time.Month(mi), Day: di}, true
}

// route picks the office code: the first matching rule, else the model's.
func (c *orgConfig) route(source, text string, l triage.Labels) string {
	low := strings.ToLower(text)
	for _, r := range c.rules {
		if r.matches(source, low, l) {
			return r.OfficeCode
		}
	}
	return l.Office
}

// due is when the first response is due for a message of this urgency.
func (c *orgConfig) due(urgency, category string, at time.Time) any {
	d, ok := c.settings.SLA[urgency]
	if urgency == "alta" {
		if !ok || d <= 0 {
			return nil
		}
		return at.Add(d).UTC()
	}
	if cd, ok := c.settings.SLACategory[category]; ok && cd > 0 {
		d = cd
	}
	if d <= 0 {
		return nil
	}
	return c.hours.Add(at, d).UTC()
}

// Settings returns an organisation's desk settings.
func (s *Service) Settings(ctx context.Context, orgID string) (Settings, error) {
	st := DefaultSettings()
	var alta, normale, bassa int
	var cats, policy string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT hours, patron_day, sla_alta, sla_normale, sla_bassa, sla_categories, retention_days,
		dpo_contact, privacy_url, block_after, policy_rules, policy_url FROM desk_settings WHERE org_id = $1`, orgID).
		Scan(&st.Hours, &st.PatronDay, &alta, &normale, &bassa, &cats, &st.RetentionDays, &st.DPOContact, &st.PrivacyURL, &st.BlockAfter,
			&policy, &st.PolicyURL)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("desk: settings: %w", err)
	}
	st.SLA = map[string]time.Duration{"alta": time.Duration(alta) * time.Minute,
		"normale": time.Duration(normale) * time.Minute, "bassa": time.Duration(bassa) * time.Minute}
	_ = json.Unmarshal([]byte(policy), &st.PolicyRules)
	var minutes map[string]int
	if json.Unmarshal([]byte(cats), &minutes) == nil {
		st.SLACategory = map[string]time.Duration{}
		for k, v := range minutes {
			st.SLACategory[k] = time.Duration(v) * time.Minute
		}
	}
	return st, nil
}

// SaveSettings validates and stores an organisation's desk settings.
func (s *Service) SaveSettings(ctx context.Context, orgID string, st Settings) error {
	if st.Hours != "" {
		if _, err := sla.ParseHours(st.Hours); err != nil {
			return invalidf("hours: %v", err)
		}
	}
	if st.PatronDay != "" {
		if _, ok := parseMonthDay(st.PatronDay); !ok {
			return invalidf("patron day %q: want MM-DD", st.PatronDay)
		}
	}
	for _, u := range triage.Urgencies {
		if st.SLA[u] < 0 || st.SLA[u] > 90*24*time.Hour {
			return invalidf("SLA for %s out of range", u)
		}
	}
	catMinutes := map[string]int{}
	for k, v := range st.SLACategory {
		if !slices.Contains(triage.Categories, k) {
			return invalidf("category %q", k)
		}
		if v < 0 || v > 90*24*time.Hour {
			return invalidf("SLA for %s out of range", k)
		}
		if v > 0 {
			catMinutes[k] = int(v / time.Minute)
		}
	}
	cats, err := json.Marshal(catMinutes)
	if err != nil {
		return err
	}
	rules := map[int]string{}
	for n, text := range st.PolicyRules {
		text = strings.TrimSpace(text)
		if !slices.Contains(PolicyRules, n) {
			return invalidf("policy rule %d", n)
		}
		if utf8.RuneCountInString(text) > 500 {
			return invalidf("policy rule %d longer than 500 characters", n)
		}
		if text != "" {
			rules[n] = text
		}
	}
	policy, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	if st.RetentionDays < 0 || st.RetentionDays > 3650 {
		return invalidf("retention out of range")
	}
	if st.BlockAfter < 1 || st.BlockAfter > 100 {
		return invalidf("block after out of range")
	}
	mins := func(u string) int { return int(st.SLA[u] / time.Minute) }
	_, err = s.DB.Write.ExecContext(ctx, `INSERT INTO desk_settings (org_id, hours, patron_day, sla_alta, sla_normale, sla_bassa,
		sla_categories, retention_days, dpo_contact, privacy_url, block_after, policy_rules, policy_url, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (org_id) DO UPDATE SET hours = excluded.hours, patron_day = excluded.patron_day, sla_alta = excluded.sla_alta,
		sla_normale = excluded.sla_normale, sla_bassa = excluded.sla_bassa, sla_categories = excluded.sla_categories,
		retention_days = excluded.retention_days, dpo_contact = excluded.dpo_contact, privacy_url = excluded.privacy_url,
		block_after = excluded.block_after, policy_rules = excluded.policy_rules, policy_url = excluded.policy_url,
		updated_at = excluded.updated_at`,
		orgID, strings.TrimSpace(st.Hours), strings.TrimSpace(st.PatronDay), mins("alta"), mins("normale"), mins("bassa"),
		string(cats), st.RetentionDays, strings.TrimSpace(st.DPOContact), strings.TrimSpace(st.PrivacyURL), st.BlockAfter,
		string(policy), strings.TrimSpace(st.PolicyURL), s.now())
	if err != nil {
		return fmt.Errorf("desk: save settings: %w", err)
	}
	s.forget(orgID)
	return nil
}

// Rules returns an organisation's routing rules in order.
func (s *Service) Rules(ctx context.Context, orgID string) ([]Rule, error) {
	rows, err := s.DB.Read.QueryContext(ctx, `SELECT r.id, r.position, r.keywords, r.source, r.category, r.office_id, o.code, o.name
		FROM desk_rules r JOIN offices o ON o.id = r.office_id WHERE r.org_id = $1 ORDER BY r.position, r.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("desk: rules: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Rule
	for rows.Next() {
		var r Rule
		var kw string
		if err := rows.Scan(&r.ID, &r.Position, &kw, &r.Source, &r.Category, &r.OfficeID, &r.OfficeCode, &r.OfficeName); err != nil {
			return nil, fmt.Errorf("desk: rules: %w", err)
		}
		r.Keywords = splitKeywords(kw)
		out = append(out, r)
	}
	return out, rows.Err()
}

func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// AddRule appends a routing rule.
func (s *Service) AddRule(ctx context.Context, orgID string, r Rule) (Rule, error) {
	r.Keywords = splitKeywords(strings.Join(r.Keywords, ","))
	if len(r.Keywords) == 0 && r.Source == "" && r.Category == "" {
		return Rule{}, invalidf("a rule needs keywords, a channel or a category")
	}
	if r.Category != "" && !slices.Contains(triage.Categories, r.Category) {
		return Rule{}, invalidf("category %q", r.Category)
	}
	if r.OfficeID == "" {
		return Rule{}, invalidf("office missing")
	}
	r.ID = store.NewID()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM offices WHERE id = $1 AND org_id = $2`, r.OfficeID, orgID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return invalidf("office not in this organisation")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM desk_rules WHERE org_id = $1`, orgID).Scan(&r.Position); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO desk_rules (id, org_id, position, keywords, source, category, office_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, orgID, r.Position, strings.Join(r.Keywords, ", "), r.Source, r.Category,
			r.OfficeID, s.now())
		return err
	})
	if err != nil {
		return Rule{}, fmt.Errorf("desk: add rule: %w", err)
	}
	s.forget(orgID)
	return r, nil
}

// DeleteRule removes a routing rule.
func (s *Service) DeleteRule(ctx context.Context, orgID, id string) error {
	r, err := s.DB.Write.ExecContext(ctx, `DELETE FROM desk_rules WHERE id = $1 AND org_id = $2`, id, orgID)
	if err != nil {
		return fmt.Errorf("desk: delete rule: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	s.forget(orgID)
	return nil
}
