// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Service classifies messages with a model per organisation: the shipped
// training examples plus the labels the organisation's people confirmed.
// Models are trained on first use and cached; a cached model is used while the
// organisation's examples are unchanged (same count, same newest id), so a
// confirmation made on another instance is seen too.
type Service struct {
	db *store.DB

	baseOnce  sync.Once
	baseEx    []Example
	baseModel *Model
	baseErr   error

	mu     sync.Mutex
	models map[string]*orgModel

	// versions caches each organisation's examples version briefly: a
	// surge classifies a thousand messages a second, and one query per
	// message for a number that changes when a person confirms a label
	// is waste. Confirm on this instance clears it; another instance's
	// confirmation is seen within versionTTL.
	versions sync.Map // org id -> cachedVersion
}

type cachedVersion struct {
	v  examplesVersion
	at time.Time
}

const versionTTL = 2 * time.Second

// orgModel is one organisation's cached model. Its mutex serialises
// training, so a burst of messages trains the model once.
type orgModel struct {
	mu      sync.Mutex
	model   *Model
	version examplesVersion
	usedAt  time.Time
}

// examplesVersion identifies the state of an organisation's examples.
type examplesVersion struct {
	count  int
	lastID string
}

const (
	// maxCachedModels bounds memory: a model of a few hundred examples
	// takes a few megabytes.
	maxCachedModels = 64
	// maxOrgExamples bounds training time: the newest confirmations count,
	// older ones beyond this are left out.
	maxOrgExamples = 3000
	// maxExampleRunes bounds a stored example; classification reads less.
	maxExampleRunes = 10000
)

// NewService returns the triage service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, models: map[string]*orgModel{}}
}

func (s *Service) base() ([]Example, *Model, error) {
	s.baseOnce.Do(func() {
		s.baseEx, s.baseErr = TrainingExamples()
		if s.baseErr == nil {
			s.baseModel, s.baseErr = Train(s.baseEx)
		}
	})
	return s.baseEx, s.baseModel, s.baseErr
}

// Classify labels text with the model of organisation orgID.
func (s *Service) Classify(ctx context.Context, orgID, text string) (Result, error) {
	m, err := s.model(ctx, orgID)
	if err != nil {
		return Result{}, err
	}
	return m.Classify(text), nil
}

func (s *Service) model(ctx context.Context, orgID string) (*Model, error) {
	baseEx, baseModel, err := s.base()
	if err != nil {
		return nil, err
	}
	var v examplesVersion
	if c, ok := s.versions.Load(orgID); ok && time.Since(c.(cachedVersion).at) < versionTTL {
		v = c.(cachedVersion).v
	} else {
		if v, err = s.version(ctx, orgID); err != nil {
			return nil, err
		}
		s.versions.Store(orgID, cachedVersion{v: v, at: time.Now()})
	}
	if v.count == 0 {
		return baseModel, nil
	}
	s.mu.Lock()
	om := s.models[orgID]
	if om == nil {
		om = &orgModel{}
		s.models[orgID] = om
		s.evictLocked()
	}
	om.usedAt = time.Now()
	s.mu.Unlock()

	om.mu.Lock()
	defer om.mu.Unlock()
	if om.model != nil && om.version == v {
		return om.model, nil
	}
	own, err := s.examples(ctx, orgID)
	if err != nil {
		return nil, err
	}
	all := make([]Example, 0, len(baseEx)+len(own))
	all = append(append(all, baseEx...), own...)
	m, err := Train(all)
	if err != nil {
		return nil, fmt.Errorf("triage: train model of %s: %w", orgID, err)
	}
	om.model, om.version = m, v
	return m, nil
}

// evictLocked drops the least recently used models beyond the bound.
func (s *Service) evictLocked() {
	for len(s.models) > maxCachedModels {
		oldest := ""
		for id, om := range s.models {
			if oldest == "" || om.usedAt.Before(s.models[oldest].usedAt) {
				oldest = id
			}
		}
		delete(s.models, oldest)
	}
}

func (s *Service) version(ctx context.Context, orgID string) (examplesVersion, error) {
	var v examplesVersion
	err := s.db.Read.QueryRowContext(ctx,
		`SELECT count(*), COALESCE(MAX(id), '') FROM triage_examples WHERE org_id = $1`, orgID).Scan(&v.count, &v.lastID)
	if err != nil {
		return v, fmt.Errorf("triage: examples of %s: %w", orgID, err)
	}
	return v, nil
}

// examples reads the organisation's newest examples, oldest first. The
// caller read the version before: a confirmation landing in between makes
// the model newer than its version, and the next call retrains, never the
// reverse.
func (s *Service) examples(ctx context.Context, orgID string) ([]Example, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT text, category, office, urgency, moderation
		FROM triage_examples WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, orgID, maxOrgExamples)
	if err != nil {
		return nil, fmt.Errorf("triage: examples of %s: %w", orgID, err)
	}
	defer rows.Close()
	var out []Example
	for rows.Next() {
		var ex Example
		if err := rows.Scan(&ex.Text, &ex.Category, &ex.Office, &ex.Urgency, &ex.Moderation); err != nil {
			return nil, fmt.Errorf("triage: examples of %s: %w", orgID, err)
		}
		out = append(out, ex)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("triage: examples of %s: %w", orgID, err)
	}
	// Newest last: when two confirmations disagree on the same text, the
	// later one wins.
	slices.Reverse(out)
	return out, nil
}

// Confirm stores labels a person confirmed or corrected for a message, in
// the same transaction as its audit entry ("triage.confirm"), and makes the
// organisation's model learn from it from the next classification on.
func (s *Service) Confirm(ctx context.Context, orgID string, ex Example) error {
	ex.Text = strings.TrimSpace(strings.ToValidUTF8(ex.Text, ""))
	if err := validateExample(ex); err != nil {
		return err
	}
	id := store.NewID()
	actor := audit.ActorFrom(ctx)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO triage_examples
			(id, org_id, text, category, office, urgency, moderation, person_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, orgID, ex.Text, ex.Category, ex.Office, ex.Urgency, ex.Moderation, nullable(actor.PersonID), store.Now()); err != nil {
			return err
		}
		// The audit entry records the labels, not the citizen's words: the
		// log is append-only, and a citizen's data must stay erasable.
		return audit.Record(ctx, tx, audit.Change{
			OrgID:       orgID,
			Action:      "triage.confirm",
			TargetType:  "triage_example",
			TargetID:    id,
			TargetLabel: ex.Category + " → " + ex.Office,
			After: map[string]string{
				"category": ex.Category, "office": ex.Office,
				"urgency": ex.Urgency, "moderation": ex.Moderation,
			},
		})
	})
	if err != nil {
		err = store.Normalize(err)
		if isForeignKey(err) {
			err = store.ErrNotFound
		}
		return fmt.Errorf("triage: confirm in %s: %w", orgID, err)
	}
	s.versions.Delete(orgID)
	s.mu.Lock()
	delete(s.models, orgID)
	s.mu.Unlock()
	return nil
}

func validateExample(ex Example) error {
	var es valid.Errors
	if ex.Text == "" || utf8.RuneCountInString(ex.Text) > maxExampleRunes {
		es.Add("text", "triage.text.invalid")
	}
	for _, f := range []struct {
		field, value string
		codes        []string
	}{
		{"category", ex.Category, Categories},
		{"office", ex.Office, Offices},
		{"urgency", ex.Urgency, Urgencies},
		{"moderation", ex.Moderation, Moderations},
	} {
		if !slices.Contains(f.codes, f.value) {
			es.Add(f.field, "triage."+f.field+".invalid")
		}
	}
	return es.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// isForeignKey reports an unknown organisation on either engine.
func isForeignKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "FOREIGN KEY constraint failed") || strings.Contains(msg, "SQLSTATE 23503")
}
