// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// CorrectionResult says, per publication, what a rettifica did.
type CorrectionResult struct {
	PublicationID string
	AccountName   string
	// Outcome: "edited", "deleted", "not_editable" (the platform cannot edit:
	// delete it instead), or "error" with Error in the platform's words.
	Outcome string
	Error   string
}

// Correct edits the published text of variants in place where the
// platform allows (Mastodon, Facebook, Telegram, the feed), with a
// correction note on record. texts maps variant ids to the corrected
// text; variants whose platform cannot edit are reported, not touched.
func (s *Service) Correct(ctx context.Context, actor editorial.Actor, orgID, postID, note string, texts map[string]string) ([]CorrectionResult, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, valid.New("note", "publish.correct.note_required")
	}
	pubs, err := s.Publications(ctx, orgID, postID)
	if err != nil {
		return nil, err
	}
	var out []CorrectionResult
	for _, p := range pubs {
		text, ok := texts[p.VariantID]
		if !ok || p.State != StatePublished {
			continue
		}
		acct, err := s.Account(ctx, orgID, p.AccountID)
		if err != nil {
			return nil, err
		}
		r := CorrectionResult{PublicationID: p.ID, AccountName: acct.Name}
		conn, _ := s.reg.For(channel.Account{Platform: acct.Platform, Sandbox: acct.Sandbox})
		editor, ok := conn.(channel.Editor)
		if !ok || !conn.Capabilities().Edit {
			r.Outcome = "not_editable"
			out = append(out, r)
			continue
		}
		ca, err := s.channelAccount(ctx, acct)
		if err != nil {
			return nil, err
		}
		post, err := s.editorial.Post(ctx, orgID, postID)
		if err != nil {
			return nil, err
		}
		v, err := s.editorial.Variant(ctx, orgID, p.VariantID)
		if err != nil {
			return nil, err
		}
		v.Text = text
		cp, err := s.channelPost(ctx, conn, ca, post, v)
		if err != nil {
			return nil, err
		}
		cp.Key = p.ID
		if probs := channel.Check(conn, ca, cp); len(probs) > 0 {
			return nil, &ProblemsError{Checks: []VariantCheck{s.check(conn, ca, cp, v.ID)}}
		}
		cctx, cancel := context.WithTimeout(ctx, s.AttemptTimeout)
		pub, err := editor.Edit(cctx, ca, channel.Published{RemoteID: p.RemoteID, URL: p.RemoteURL}, cp)
		cancel()
		if err != nil {
			r.Outcome, r.Error = "error", reasonOf(err)
			out = append(out, r)
			continue
		}
		if _, err := s.editorial.UpdateVariantText(ctx, actor, orgID, p.VariantID, text); err != nil {
			return nil, err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			url := p.RemoteURL
			if pub.URL != "" {
				url = pub.URL
			}
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET remote_url = $1, updated_at = $2 WHERE id = $3`,
				url, store.Now(), p.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET correction_note = $1, updated_at = $2 WHERE id = $3 AND org_id = $4`,
				note, store.Now(), postID, orgID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "publication.correct", TargetType: "publication",
				TargetID: p.ID, TargetLabel: acct.Name, After: map[string]string{"note": note}})
		})
		if err != nil {
			return nil, err
		}
		r.Outcome = "edited"
		out = append(out, r)
	}
	return out, nil
}

// Retract deletes a published post everywhere the platform allows, with
// the note on record. Platforms that cannot delete are reported.
func (s *Service) Retract(ctx context.Context, orgID, postID, note string) ([]CorrectionResult, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, valid.New("note", "publish.correct.note_required")
	}
	pubs, err := s.Publications(ctx, orgID, postID)
	if err != nil {
		return nil, err
	}
	var out []CorrectionResult
	for _, p := range pubs {
		if p.State != StatePublished {
			continue
		}
		acct, err := s.Account(ctx, orgID, p.AccountID)
		if err != nil {
			return nil, err
		}
		r := CorrectionResult{PublicationID: p.ID, AccountName: acct.Name}
		conn, _ := s.reg.For(channel.Account{Platform: acct.Platform, Sandbox: acct.Sandbox})
		deleter, ok := conn.(channel.Deleter)
		if !ok || !conn.Capabilities().Delete {
			r.Outcome = "not_deletable"
			out = append(out, r)
			continue
		}
		ca, err := s.channelAccount(ctx, acct)
		if err != nil {
			return nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, s.AttemptTimeout)
		err = deleter.Delete(cctx, ca, channel.Published{RemoteID: p.RemoteID, URL: p.RemoteURL})
		cancel()
		if err != nil {
			r.Outcome, r.Error = "error", reasonOf(err)
			out = append(out, r)
			continue
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'deleted', updated_at = $1 WHERE id = $2`,
				store.Now(), p.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET correction_note = $1, updated_at = $2 WHERE id = $3 AND org_id = $4`,
				note, store.Now(), postID, orgID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "publication.delete", TargetType: "publication",
				TargetID: p.ID, TargetLabel: acct.Name, After: map[string]string{"note": note}})
		})
		if err != nil {
			return nil, err
		}
		r.Outcome = "deleted"
		out = append(out, r)
	}
	return out, nil
}

// Resolve settles a publication whose outcome is unknown, as a person
// decided after looking at the platform: published (with its link), or
// not published (it is attempted again).
func (s *Service) Resolve(ctx context.Context, orgID, id string, published bool, remoteURL string) error {
	now := store.Now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := scanPublication(tx.QueryRowContext(ctx, `SELECT `+publicationColumns+` FROM publications
			WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if p.State != StateUnknown && p.State != StateFailed {
			return valid.New("state", "publish.resolve.not_unknown")
		}
		if published && p.State == StateUnknown {
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'published', remote_url = $1, published_at = $2,
				last_error = '', updated_at = $2 WHERE id = $3`, strings.TrimSpace(remoteURL), now, id); err != nil {
				return err
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET state = 'retrying', next_attempt_at = $1, attempts = 0,
				updated_at = $1 WHERE id = $2`, now, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET state = 'scheduled', updated_at = $1
				WHERE id = $2 AND state = 'failed'`, now, p.PostID); err != nil {
				return err
			}
		}
		action := "publication.resolve_published"
		if !published {
			action = "publication.retry"
		}
		if err := audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: action, TargetType: "publication", TargetID: id,
			Before: map[string]string{"state": string(p.State)}}); err != nil {
			return err
		}
		if published {
			return s.settlePostTx(ctx, tx, p)
		}
		return nil
	})
}

// FeedEntry is one post of the organisation's Atom feed.
type FeedEntry struct {
	ID          string // the publication id
	PostID      string
	Title       string
	Text        string
	Language    string
	LinkURL     string
	PublishedAt time.Time
	UpdatedAt   time.Time
	MediaIDs    []string
}

// FeedEntries returns the newest entries published on the organisation's
// feed accounts.
func (s *Service) FeedEntries(ctx context.Context, orgID string, limit int) ([]FeedEntry, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT pub.id, p.id, p.title, v.text, v.language, p.link_url, pub.published_at,
			pub.updated_at, v.media_ids
		FROM publications pub
		JOIN channel_accounts a ON a.id = pub.account_id
		JOIN variants v ON v.id = pub.variant_id
		JOIN posts p ON p.id = pub.post_id
		WHERE pub.org_id = $1 AND a.platform = 'feed' AND pub.state = 'published'
		ORDER BY pub.published_at DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("publish: feed: %w", err)
	}
	defer rows.Close()
	var out []FeedEntry
	for rows.Next() {
		var (
			e     FeedEntry
			media string
		)
		if err := rows.Scan(&e.ID, &e.PostID, &e.Title, &e.Text, &e.Language, &e.LinkURL, &e.PublishedAt, &e.UpdatedAt, &media); err != nil {
			return nil, err
		}
		if media != "" {
			e.MediaIDs = strings.Split(media, ",")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
