// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package notify tells people what needs them: an in-app bell and, for the
// kinds each person chooses, an email. Later capabilities (publishing, the
// desk) raise notifications; this package stores and delivers them.
//
// A notification is written in the same transaction as the event that
// causes it; emails are sent afterwards by a periodic task that reads the
// rows still to be mailed, so a crash never loses nor duplicates one.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/mail"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// Kind is what a notification is about.
type Kind string

// The kinds people can choose to receive by email.
const (
	KindPostAwaitingApproval Kind = "post.awaiting_approval"
	KindPublicationFailed    Kind = "publication.failed"
	KindRequestOverdue       Kind = "desk.overdue"
	KindUrgentMessage        Kind = "desk.urgent"
	KindAssigned             Kind = "desk.assigned"
	// KindConsulted: the desk asks an office for its answer to a
	// citizen's request (the conversation waits for it).
	KindConsulted Kind = "desk.consulted"
	// KindAlertDelivery: an emergency alert did not reach a channel, or
	// may not have (a person must look on the platform).
	KindAlertDelivery Kind = "alert.delivery"
	// KindIncidentImported: another body's CAP alert became a draft
	// incident waiting for a person.
	KindIncidentImported Kind = "alert.imported"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindPostAwaitingApproval, KindPublicationFailed, KindRequestOverdue, KindUrgentMessage, KindAssigned,
	KindConsulted, KindAlertDelivery, KindIncidentImported}

// emailByDefault: failures, urgent messages and emergencies reach people by
// email unless they opt out; the rest stays in the bell unless they opt in.
var emailByDefault = map[Kind]bool{KindPublicationFailed: true, KindUrgentMessage: true, KindAlertDelivery: true,
	KindIncidentImported: true}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Notification is one message in a person's bell.
type Notification struct {
	ID       string
	OrgID    string
	PersonID string
	Kind     Kind
	Title    string // short subject given by the raiser, e.g. the post title
	Body     string
	// BodyPhrase, when its Key is set, is the body in the catalog's words:
	// Body is written from it in each recipient's language (people.lang)
	// as the notification is stored, and the bell and the email show it.
	BodyPhrase Phrase
	Link       string // path inside Piazza, e.g. /editorial/posts/ID
	CreatedAt  time.Time
	ReadAt     *time.Time
}

// Phrase is interface text for a notification: a catalog key and its
// arguments. An argument that is a Phrase is translated too (the name of
// a target, a reason); any other is data and stays as it is.
type Phrase struct {
	Key  string
	Args []any
}

// In is the phrase in lang.
func (p Phrase) In(c *i18n.Catalog, lang i18n.Lang) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		if q, ok := a.(Phrase); ok {
			a = q.In(c, lang)
		}
		args[i] = a
	}
	return c.T(lang, p.Key, args...)
}

// Service stores and delivers notifications.
type Service struct {
	db        *store.DB
	mail      mail.Sender
	catalog   *i18n.Catalog
	publicURL string
}

// NewService returns the notification service; publicURL prefixes links in
// emails.
func NewService(db *store.DB, sender mail.Sender, publicURL string) *Service {
	return &Service{db: db, mail: sender, catalog: i18n.Default(), publicURL: strings.TrimRight(publicURL, "/")}
}

// Notify adds a notification for one person, inside the caller's
// transaction.
func (s *Service) Notify(ctx context.Context, q store.Querier, n Notification) error {
	if !n.Kind.Valid() {
		return fmt.Errorf("notify: unknown kind %q", n.Kind)
	}
	lang := ""
	if n.BodyPhrase.Key != "" {
		if err := q.QueryRowContext(ctx, `SELECT lang FROM people WHERE id = $1`, n.PersonID).Scan(&lang); err != nil {
			return fmt.Errorf("notify: %s for %s: %w", n.Kind, n.PersonID, store.Normalize(err))
		}
	}
	return s.insert(ctx, q, n, lang)
}

// insert stores a notification for n.PersonID, whose language is lang.
func (s *Service) insert(ctx context.Context, q store.Querier, n Notification, lang string) error {
	if n.BodyPhrase.Key != "" {
		l, _ := i18n.Parse(lang) // unknown: Italian, as T falls back
		n.Body = n.BodyPhrase.In(s.catalog, l)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO notifications (id, org_id, person_id, kind, title, body, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, store.NewID(), n.OrgID, n.PersonID, string(n.Kind), n.Title, n.Body, n.Link, store.Now())
	if err != nil {
		return fmt.Errorf("notify: %s for %s: %w", n.Kind, n.PersonID, err)
	}
	return nil
}

// NotifyPermitted notifies everyone in the organisation who holds perm
// (for office-scoped roles, only in officeID), e.g. every approver of a
// post's office. It returns how many people were notified.
func (s *Service) NotifyPermitted(ctx context.Context, q store.Querier, perm org.Permission, officeID string, n Notification) (int, error) {
	if !n.Kind.Valid() {
		return 0, fmt.Errorf("notify: unknown kind %q", n.Kind)
	}
	var roles []string
	for _, r := range org.Roles {
		for _, p := range r.Permissions() {
			if p == perm {
				roles = append(roles, string(r))
				break
			}
		}
	}
	if len(roles) == 0 {
		return 0, nil
	}
	args := []any{n.OrgID, officeID}
	ph := make([]string, len(roles))
	for i, r := range roles {
		args = append(args, r)
		ph[i] = fmt.Sprintf("$%d", i+3)
	}
	people, err := recipients(ctx, q, `SELECT DISTINCT m.person_id, p.lang FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE m.org_id = $1 AND NOT p.disabled AND m.role IN (`+strings.Join(ph, ", ")+`)
		AND (m.office_id IS NULL OR m.office_id = $2)`, args...)
	if err != nil {
		return 0, err
	}
	for _, r := range people {
		n.PersonID = r.id
		if err := s.insert(ctx, q, n, r.lang); err != nil {
			return 0, err
		}
	}
	return len(people), nil
}

type recipient struct{ id, lang string }

func recipients(ctx context.Context, q store.Querier, query string, args ...any) ([]recipient, error) {
	rows, err := q.QueryContext(ctx, query, args...) //nolint:gosec // G202: only placeholders are concatenated
	if err != nil {
		return nil, fmt.Errorf("notify: recipients: %w", err)
	}
	defer rows.Close()
	var out []recipient
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.id, &r.lang); err != nil {
			return nil, fmt.Errorf("notify: recipients: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: recipients: %w", err)
	}
	return out, nil
}

// Unread counts a person's unread notifications in an organisation.
func (s *Service) Unread(ctx context.Context, orgID, personID string) (int, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE org_id = $1 AND person_id = $2 AND read_at IS NULL`, orgID, personID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// List returns a person's latest notifications in an organisation.
func (s *Service) List(ctx context.Context, orgID, personID string, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, org_id, person_id, kind, title, body, link, created_at, read_at
		FROM notifications WHERE org_id = $1 AND person_id = $2 ORDER BY id DESC LIMIT $3`, orgID, personID, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.OrgID, &n.PersonID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, fmt.Errorf("notify: list: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks one notification (or, with id "", all of them) as read.
func (s *Service) MarkRead(ctx context.Context, orgID, personID, id string) error {
	q := `UPDATE notifications SET read_at = $3 WHERE org_id = $1 AND person_id = $2 AND read_at IS NULL`
	args := []any{orgID, personID, store.Now()}
	if id != "" {
		q += ` AND id = $4`
		args = append(args, id)
	}
	if _, err := s.db.Write.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("notify: mark read: %w", err)
	}
	return nil
}

// Preferences returns, for each kind, whether the person wants it by email.
func (s *Service) Preferences(ctx context.Context, personID string) (map[Kind]bool, error) {
	prefs := map[Kind]bool{}
	for _, k := range Kinds {
		prefs[k] = emailByDefault[k]
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT kind, email FROM notification_prefs WHERE person_id = $1`, personID)
	if err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Kind
		var email bool
		if err := rows.Scan(&k, &email); err != nil {
			return nil, fmt.Errorf("notify: preferences: %w", err)
		}
		if k.Valid() {
			prefs[k] = email
		}
	}
	return prefs, rows.Err()
}

// SetPreferences records which kinds a person receives by email.
func (s *Service) SetPreferences(ctx context.Context, personID string, email map[Kind]bool) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		after := map[string]bool{}
		for _, k := range Kinds {
			after[string(k)] = email[k]
			_, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (person_id, kind, email) VALUES ($1, $2, $3)
				ON CONFLICT (person_id, kind) DO UPDATE SET email = excluded.email`, personID, string(k), email[k])
			if err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Change{Action: "notify.preferences", TargetType: "person", TargetID: personID, After: after})
	})
	if err != nil {
		return fmt.Errorf("notify: set preferences: %w", err)
	}
	return nil
}

// emailWindow bounds how old a notification may be and still be mailed:
// after a long outage, a flood of stale emails helps nobody.
const emailWindow = 24 * time.Hour

type pendingEmail struct {
	Notification
	Email, Lang, OrgName string
	Wants                *bool
}

// SendPendingEmails mails the notifications whose recipients want them by
// email and marks every examined row, sent or not, so each is considered
// once. It returns how many emails went out.
func (s *Service) SendPendingEmails(ctx context.Context) (int, error) {
	pending, err := s.pendingEmails(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, e := range pending {
		wants := emailByDefault[e.Kind]
		if e.Wants != nil {
			wants = *e.Wants
		}
		if wants {
			if err := s.mail.Send(ctx, s.message(e)); err != nil {
				// Leave the row unmarked: the next run retries it.
				errs = append(errs, fmt.Errorf("notify: email %s: %w", e.ID, err))
				continue
			}
			sent++
		}
		if _, err := s.db.Write.ExecContext(ctx, `UPDATE notifications SET emailed_at = $2 WHERE id = $1`, e.ID, store.Now()); err != nil {
			return sent, fmt.Errorf("notify: mark emailed: %w", err)
		}
	}
	return sent, errors.Join(errs...)
}

func (s *Service) pendingEmails(ctx context.Context) ([]pendingEmail, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT n.id, n.org_id, n.person_id, n.kind, n.title, n.body, n.link, n.created_at,
		p.email, p.lang, o.name, np.email
		FROM notifications n JOIN people p ON p.id = n.person_id JOIN organisations o ON o.id = n.org_id
		LEFT JOIN notification_prefs np ON np.person_id = n.person_id AND np.kind = n.kind
		WHERE n.emailed_at IS NULL AND n.created_at > $1 AND NOT p.disabled ORDER BY n.id LIMIT 200`, store.Now().Add(-emailWindow))
	if err != nil {
		return nil, fmt.Errorf("notify: pending emails: %w", err)
	}
	defer rows.Close()
	var pending []pendingEmail
	for rows.Next() {
		var e pendingEmail
		if err := rows.Scan(&e.ID, &e.OrgID, &e.PersonID, &e.Kind, &e.Title, &e.Body, &e.Link, &e.CreatedAt,
			&e.Email, &e.Lang, &e.OrgName, &e.Wants); err != nil {
			return nil, fmt.Errorf("notify: pending emails: %w", err)
		}
		pending = append(pending, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: pending emails: %w", err)
	}
	return pending, nil
}

func (s *Service) message(e pendingEmail) mail.Message {
	lang, _ := i18n.Parse(e.Lang)
	t := func(key string, args ...any) string { return s.catalog.T(lang, key, args...) }
	kind := t("notify.kind." + string(e.Kind))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", kind, e.Title)
	if e.Body != "" {
		fmt.Fprintf(&b, "\n%s\n", e.Body)
	}
	if e.Link != "" && s.publicURL != "" {
		fmt.Fprintf(&b, "\n%s\n", s.publicURL+e.Link)
	}
	fmt.Fprintf(&b, "\n-- \n%s\n", t("notify.email.footer", e.OrgName))
	return mail.Message{
		To:      []string{e.Email},
		Subject: fmt.Sprintf("[%s] %s: %s", e.OrgName, kind, e.Title),
		Text:    b.String(),
	}
}
