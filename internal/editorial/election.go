// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// ElectoralPeriod is a time when Legge 28/2000 art. 9 limits institutional
// communication to what is impersonal and indispensable: from the calling
// of the election to the close of the polls.
type ElectoralPeriod struct {
	ID, OrgID, Name  string
	StartsAt, EndsAt time.Time // EndsAt excluded
	CreatedAt        time.Time
}

// ElectoralPeriodInput creates or edits a period.
type ElectoralPeriodInput struct {
	Name             string
	StartsAt, EndsAt time.Time
}

func (in *ElectoralPeriodInput) validate() error {
	var es valid.Errors
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 || !utf8.ValidString(in.Name) {
		es.Add("name", "editorial.election.name_invalid")
	}
	if in.StartsAt.IsZero() || in.EndsAt.IsZero() || !in.EndsAt.After(in.StartsAt) {
		es.Add("ends_at", "editorial.election.period_invalid")
	}
	return es.Err()
}

// CreateElectoralPeriod records a period.
func (s *Service) CreateElectoralPeriod(ctx context.Context, actor Actor, orgID string, in ElectoralPeriodInput) (ElectoralPeriod, error) {
	if !canManagePlan(actor) {
		return ElectoralPeriod{}, fmt.Errorf("editorial: electoral period: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return ElectoralPeriod{}, err
	}
	p := ElectoralPeriod{ID: store.NewID(), OrgID: orgID, Name: in.Name, StartsAt: store.Time(in.StartsAt),
		EndsAt: store.Time(in.EndsAt), CreatedAt: store.Now()}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO electoral_periods (id, org_id, name, starts_at, ends_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, orgID, p.Name, p.StartsAt, p.EndsAt, p.CreatedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.period.create", TargetType: "electoral_period",
			TargetID: p.ID, TargetLabel: p.Name, After: periodSnapshot(p)})
	})
	if err != nil {
		return ElectoralPeriod{}, fmt.Errorf("editorial: electoral period: %w", err)
	}
	return p, nil
}

func periodSnapshot(p ElectoralPeriod) map[string]any {
	return map[string]any{"name": p.Name, "start": p.StartsAt, "end": p.EndsAt}
}

// UpdateElectoralPeriod edits a period.
func (s *Service) UpdateElectoralPeriod(ctx context.Context, actor Actor, orgID, id string, in ElectoralPeriodInput) (ElectoralPeriod, error) {
	if !canManagePlan(actor) {
		return ElectoralPeriod{}, fmt.Errorf("editorial: electoral period: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return ElectoralPeriod{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := electoralPeriodTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		next := old
		next.Name, next.StartsAt, next.EndsAt = in.Name, store.Time(in.StartsAt), store.Time(in.EndsAt)
		if _, err := tx.ExecContext(ctx, `UPDATE electoral_periods SET name = $1, starts_at = $2, ends_at = $3
			WHERE org_id = $4 AND id = $5`, next.Name, next.StartsAt, next.EndsAt, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.period.update", TargetType: "electoral_period",
			TargetID: id, TargetLabel: next.Name, Before: periodSnapshot(old), After: periodSnapshot(next)})
	})
	if err != nil {
		return ElectoralPeriod{}, fmt.Errorf("editorial: electoral period %s: %w", id, err)
	}
	return s.ElectoralPeriod(ctx, orgID, id)
}

// DeleteElectoralPeriod removes a period.
func (s *Service) DeleteElectoralPeriod(ctx context.Context, actor Actor, orgID, id string) error {
	if !canManagePlan(actor) {
		return fmt.Errorf("editorial: electoral period: %w", store.ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := electoralPeriodTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM electoral_periods WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.period.delete", TargetType: "electoral_period",
			TargetID: id, TargetLabel: old.Name, Before: periodSnapshot(old)})
	})
	if err != nil {
		return fmt.Errorf("editorial: delete electoral period %s: %w", id, err)
	}
	return nil
}

const periodColumns = `id, org_id, name, starts_at, ends_at, created_at`

func scanPeriod(sc interface{ Scan(...any) error }) (ElectoralPeriod, error) {
	var p ElectoralPeriod
	err := sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.StartsAt, &p.EndsAt, &p.CreatedAt)
	return p, err
}

func electoralPeriodTx(ctx context.Context, q store.Querier, orgID, id string) (ElectoralPeriod, error) {
	p, err := scanPeriod(q.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM electoral_periods WHERE org_id = $1 AND id = $2`, orgID, id))
	return p, store.Normalize(err)
}

// ElectoralPeriod returns one period.
func (s *Service) ElectoralPeriod(ctx context.Context, orgID, id string) (ElectoralPeriod, error) {
	p, err := electoralPeriodTx(ctx, s.db.Read, orgID, id)
	if err != nil {
		return ElectoralPeriod{}, fmt.Errorf("editorial: electoral period %s: %w", id, err)
	}
	return p, nil
}

// ElectoralPeriods lists the periods, latest first.
func (s *Service) ElectoralPeriods(ctx context.Context, orgID string) ([]ElectoralPeriod, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+periodColumns+` FROM electoral_periods WHERE org_id = $1
		ORDER BY starts_at DESC, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("editorial: electoral periods: %w", err)
	}
	defer rows.Close()
	var out []ElectoralPeriod
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: electoral periods: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// electoralTx returns the period covering `at`, or a zero period.
func electoralTx(ctx context.Context, q store.Querier, orgID string, at time.Time) (ElectoralPeriod, error) {
	p, err := scanPeriod(q.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM electoral_periods
		WHERE org_id = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY starts_at LIMIT 1`, orgID, store.Time(at)))
	if errors.Is(err, sql.ErrNoRows) {
		return ElectoralPeriod{}, nil
	}
	return p, err
}

// Official is a person whose name or photo a post in an electoral period
// should not feature (the mayor, the assessori).
type Official struct {
	ID, Name, Role string
}

// OfficialInput creates or edits an official.
type OfficialInput struct {
	Name, Role string
}

func (in *OfficialInput) validate() error {
	var es valid.Errors
	in.Name, in.Role = strings.TrimSpace(in.Name), strings.TrimSpace(in.Role)
	if len(foldWords(in.Name)) == 0 || utf8.RuneCountInString(in.Name) > 200 || !utf8.ValidString(in.Name) {
		es.Add("name", "editorial.official.name_invalid")
	}
	if utf8.RuneCountInString(in.Role) > 200 || !utf8.ValidString(in.Role) {
		es.Add("role", "editorial.official.role_invalid")
	}
	return es.Err()
}

// CreateOfficial records an official whose name the guard flags.
func (s *Service) CreateOfficial(ctx context.Context, actor Actor, orgID string, in OfficialInput) (Official, error) {
	if !canManagePlan(actor) {
		return Official{}, fmt.Errorf("editorial: official: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Official{}, err
	}
	o := Official{ID: store.NewID(), Name: in.Name, Role: in.Role}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO officials (id, org_id, name, role, created_at) VALUES ($1, $2, $3, $4, $5)`,
			o.ID, orgID, o.Name, o.Role, store.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.official.create", TargetType: "official",
			TargetID: o.ID, TargetLabel: o.Name, After: map[string]string{"name": o.Name, "role": o.Role}})
	})
	if err != nil {
		return Official{}, fmt.Errorf("editorial: official: %w", err)
	}
	return o, nil
}

// UpdateOfficial edits an official.
func (s *Service) UpdateOfficial(ctx context.Context, actor Actor, orgID, id string, in OfficialInput) (Official, error) {
	if !canManagePlan(actor) {
		return Official{}, fmt.Errorf("editorial: official: %w", store.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return Official{}, err
	}
	o := Official{ID: id, Name: in.Name, Role: in.Role}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var old Official
		if err := tx.QueryRowContext(ctx, `SELECT id, name, role FROM officials WHERE org_id = $1 AND id = $2`, orgID, id).
			Scan(&old.ID, &old.Name, &old.Role); err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE officials SET name = $1, role = $2 WHERE org_id = $3 AND id = $4`,
			o.Name, o.Role, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.official.update", TargetType: "official",
			TargetID: id, TargetLabel: o.Name, Before: map[string]string{"name": old.Name, "role": old.Role},
			After: map[string]string{"name": o.Name, "role": o.Role}})
	})
	if err != nil {
		return Official{}, fmt.Errorf("editorial: official %s: %w", id, err)
	}
	return o, nil
}

// DeleteOfficial removes an official (after a change of administration).
func (s *Service) DeleteOfficial(ctx context.Context, actor Actor, orgID, id string) error {
	if !canManagePlan(actor) {
		return fmt.Errorf("editorial: official: %w", store.ErrForbidden)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM officials WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&name); err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM officials WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "election.official.delete", TargetType: "official",
			TargetID: id, TargetLabel: name, Before: map[string]string{"name": name}})
	})
	if err != nil {
		return fmt.Errorf("editorial: delete official %s: %w", id, err)
	}
	return nil
}

// Officials lists the officials by name.
func (s *Service) Officials(ctx context.Context, orgID string) ([]Official, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, name, role FROM officials WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("editorial: officials: %w", err)
	}
	defer rows.Close()
	var out []Official
	for rows.Next() {
		var o Official
		if err := rows.Scan(&o.ID, &o.Name, &o.Role); err != nil {
			return nil, fmt.Errorf("editorial: officials: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ElectionStatus is what the guard says about a post. It is advice for the
// editor and the approvers, except NeedsReason and NeedsSecondApproval,
// which the workflow enforces.
type ElectionStatus struct {
	InPeriod bool
	Period   ElectoralPeriod
	// Names are the officials named in the post's texts: a flag for the
	// approvers, never a block (an alert may have to name the mayor).
	Names []Official
	// NeedsReason: in a period, a post other than an alert needs a reason
	// that it is impersonal and indispensable, and has none.
	NeedsReason bool
	// NeedsSecondApproval: in a period, a post other than an alert needs
	// a second approver.
	NeedsSecondApproval bool
}

// ElectionCheck tells whether a post's planned time falls in an electoral
// period and which officials its title, body and the given texts (its
// variants, as being written) name.
func (s *Service) ElectionCheck(ctx context.Context, orgID string, p Post, texts []string) (ElectionStatus, error) {
	var st ElectionStatus
	per, err := electoralTx(ctx, s.db.Read, orgID, plannedTime(p))
	if err != nil {
		return st, fmt.Errorf("editorial: election check: %w", err)
	}
	st.InPeriod, st.Period = per.ID != "", per
	officials, err := s.Officials(ctx, orgID)
	if err != nil {
		return st, err
	}
	all := append([]string{p.Title, p.Body, p.LinkTitle, p.LinkDescription}, texts...)
	st.Names = NamedOfficials(strings.Join(all, "\n"), officials)
	st.NeedsReason = st.InPeriod && !p.IsAlert && p.ElectionReason == ""
	st.NeedsSecondApproval = st.InPeriod && !p.IsAlert
	return st, nil
}

// NamedOfficials returns the officials whose full name or surname appears
// in text as whole words; case and accents do not matter ("sindaca
// Lucia Bianchi", "BIANCHI", "Bianchì"). The surname is the last word of
// the name with the particles before it ("De Luca", "Di Maio"), so the
// mayor's first name alone does not match. A common surname may flag
// someone else: the approvers judge.
func NamedOfficials(text string, officials []Official) []Official {
	words := foldWords(text)
	var out []Official
	for _, o := range officials {
		name := foldWords(o.Name)
		if len(name) == 0 {
			continue
		}
		if containsSeq(words, name) || containsSeq(words, surname(name)) {
			out = append(out, o)
		}
	}
	return out
}

// particles start Italian (and neighbouring) surnames.
var particles = map[string]bool{
	"de": true, "di": true, "da": true, "del": true, "della": true, "dei": true, "degli": true, "delle": true,
	"dal": true, "dalla": true, "dello": true, "d": true, "lo": true, "la": true, "li": true, "van": true, "von": true,
}

// surname is the last word of a folded name with the particles before it.
func surname(name []string) []string {
	i := len(name) - 1
	for i > 0 && particles[name[i-1]] {
		i--
	}
	return name[i:]
}

func containsSeq(words, seq []string) bool {
	for i := 0; i+len(seq) <= len(words); i++ {
		match := true
		for j := range seq {
			if words[i+j] != seq[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// foldWords splits text into lower-case words without accents.
func foldWords(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, err := transform.String(t, s)
	if err != nil {
		plain = s
	}
	return strings.FieldsFunc(strings.ToLower(plain), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
