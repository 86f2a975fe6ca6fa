// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package editorial

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/editorial/media"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Media is a file of the library: an image with its alternative text, or a
// video with its captions.
type Media struct {
	ID, OrgID, Kind, ContentType, Filename string
	Size                                   int64
	Width, Height                          int
	AltText, Captions, SHA256, CreatedBy   string
	CreatedAt                              time.Time
}

// MediaInput is an upload.
type MediaInput struct {
	Filename, AltText, Captions string
	Data                        []byte
}

// MaxUpload bounds one file: enough for a short video clip.
const MaxUpload = 50 << 20

// maxPixels bounds an image's size in pixels (50 megapixels, as package
// media does before decoding).
const maxPixels = 50_000_000

const mediaColumns = `id, org_id, kind, content_type, filename, size, width, height, alt_text, captions, sha256,
	COALESCE(created_by, ''), created_at`

func scanMedia(sc interface{ Scan(...any) error }) (Media, error) {
	var m Media
	err := sc.Scan(&m.ID, &m.OrgID, &m.Kind, &m.ContentType, &m.Filename, &m.Size, &m.Width, &m.Height, &m.AltText,
		&m.Captions, &m.SHA256, &m.CreatedBy, &m.CreatedAt)
	return m, err
}

// maxAltText is Mastodon's limit for a description, the strictest of the
// platforms that take one.
const maxAltText = 1500

// validMediaText checks an alternative text and captions (WebVTT, what the
// browsers and the platforms read).
func validMediaText(alt, captions string) error {
	var es valid.Errors
	if utf8.RuneCountInString(alt) > maxAltText || !utf8.ValidString(alt) {
		es.Add("alt_text", "media.alt_too_long", maxAltText)
	}
	if len(captions) > 200_000 || !utf8.ValidString(captions) ||
		(captions != "" && !strings.HasPrefix(strings.TrimPrefix(captions, "\ufeff"), "WEBVTT")) {
		es.Add("captions", "media.captions_invalid")
	}
	return es.Err()
}

// cleanFilename keeps the last element of an uploaded name, as readable
// text: it is shown in the library, never used as a path.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(strings.ReplaceAll(name, "\\", "/"), "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(path.Base(strings.TrimSpace(name)))
	if name == "." || name == "/" || utf8.RuneCountInString(name) > 200 {
		return ""
	}
	return name
}

// Upload adds a file to the library. Its type is read from its content,
// never from its name or what the browser said.
func (s *Service) Upload(ctx context.Context, actor Actor, orgID string, in MediaInput) (Media, error) {
	if !actor.Grants.Can(org.PermPostWrite) {
		return Media{}, fmt.Errorf("editorial: upload: %w", store.ErrForbidden)
	}
	if len(in.Data) == 0 {
		return Media{}, valid.New("file", "media.empty")
	}
	if len(in.Data) > MaxUpload {
		return Media{}, valid.New("file", "media.too_big", MaxUpload>>20)
	}
	ct, kind, err := media.Sniff(in.Data)
	if err != nil {
		return Media{}, valid.New("file", "media.type_unsupported")
	}
	in.AltText = strings.TrimSpace(in.AltText)
	if err := validMediaText(in.AltText, in.Captions); err != nil {
		return Media{}, err
	}
	m := Media{ID: store.NewID(), OrgID: orgID, Kind: string(kind), ContentType: ct, Filename: cleanFilename(in.Filename),
		Size: int64(len(in.Data)), AltText: in.AltText, Captions: in.Captions, CreatedBy: actor.PersonID, CreatedAt: store.Now()}
	if kind == media.Image {
		if m.Width, m.Height, err = media.Dimensions(in.Data); err != nil || m.Width <= 0 || m.Height <= 0 {
			return Media{}, valid.New("file", "media.corrupt")
		}
		// Refused now rather than when a platform's copy is made: such an
		// image would take gigabytes to decode.
		if int64(m.Width)*int64(m.Height) > maxPixels {
			return Media{}, valid.New("file", "media.too_many_pixels", maxPixels/1_000_000)
		}
	}
	sum := sha256.Sum256(in.Data)
	m.SHA256 = hex.EncodeToString(sum[:])
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO media (id, org_id, kind, content_type, filename, size, width, height,
			alt_text, captions, sha256, data, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			m.ID, orgID, m.Kind, ct, m.Filename, m.Size, m.Width, m.Height, m.AltText, m.Captions, m.SHA256, in.Data,
			nullable(actor.PersonID), m.CreatedAt); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "media.upload", TargetType: "media", TargetID: m.ID,
			TargetLabel: m.Filename, After: map[string]any{"type": ct, "size": m.Size, "sha256": m.SHA256, "alt": m.AltText}})
	})
	if err != nil {
		return Media{}, fmt.Errorf("editorial: upload: %w", err)
	}
	return m, nil
}

// Media returns one file's description.
func (s *Service) Media(ctx context.Context, orgID, id string) (Media, error) {
	m, err := scanMedia(s.db.Read.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE org_id = $1 AND id = $2`, orgID, id))
	if err != nil {
		return Media{}, fmt.Errorf("editorial: media %s: %w", id, store.Normalize(err))
	}
	return m, nil
}

// MediaData returns a file with its bytes.
func (s *Service) MediaData(ctx context.Context, orgID, id string) (Media, []byte, error) {
	var data []byte
	row := s.db.Read.QueryRowContext(ctx, `SELECT `+mediaColumns+`, data FROM media WHERE org_id = $1 AND id = $2`, orgID, id)
	var m Media
	err := row.Scan(&m.ID, &m.OrgID, &m.Kind, &m.ContentType, &m.Filename, &m.Size, &m.Width, &m.Height, &m.AltText,
		&m.Captions, &m.SHA256, &m.CreatedBy, &m.CreatedAt, &data)
	if err != nil {
		return Media{}, nil, fmt.Errorf("editorial: media %s: %w", id, store.Normalize(err))
	}
	return m, data, nil
}

// MediaList lists the library, newest first (at most limit, 100 when
// limit is not between 1 and 500).
func (s *Service) MediaList(ctx context.Context, orgID string, limit int) ([]Media, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE org_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("editorial: media list: %w", err)
	}
	defer rows.Close()
	var out []Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: media list: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetMediaText changes a file's alternative text and captions.
func (s *Service) SetMediaText(ctx context.Context, actor Actor, orgID, id, alt, captions string) (Media, error) {
	if !actor.Grants.Can(org.PermPostWrite) {
		return Media{}, fmt.Errorf("editorial: media text: %w", store.ErrForbidden)
	}
	alt = strings.TrimSpace(alt)
	if err := validMediaText(alt, captions); err != nil {
		return Media{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE media SET alt_text = $1, captions = $2 WHERE id = $3`, alt, captions, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "media.text", TargetType: "media", TargetID: id,
			TargetLabel: old.Filename, Before: map[string]any{"alt": old.AltText, "captions": len(old.Captions)},
			After: map[string]any{"alt": alt, "captions": len(captions)}})
	})
	if err != nil {
		return Media{}, fmt.Errorf("editorial: media text of %s: %w", id, err)
	}
	return s.Media(ctx, orgID, id)
}

// MissingAltText returns the images among ids that have no alternative
// text, in the order given: the publishing engine refuses to schedule a
// post until they have one. Unknown ids are not images and are left out.
func (s *Service) MissingAltText(ctx context.Context, orgID string, ids []string) ([]string, error) {
	var out []string
	for _, id := range dedupe(ids) {
		var kind, alt string
		err := s.db.Read.QueryRowContext(ctx, `SELECT kind, alt_text FROM media WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&kind, &alt)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("editorial: alt text of %s: %w", id, err)
		}
		if kind == string(media.Image) && strings.TrimSpace(alt) == "" {
			out = append(out, id)
		}
	}
	return out, nil
}

// DeleteMedia removes a file no post uses.
func (s *Service) DeleteMedia(ctx context.Context, actor Actor, orgID, id string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return store.Normalize(err)
		}
		if !actor.Grants.CanEverywhere(org.PermPostApprove) && (old.CreatedBy == "" || old.CreatedBy != actor.PersonID) {
			return store.ErrForbidden
		}
		// Variants list their media by id in a text column; ids are UUIDs,
		// with nothing LIKE would read as a wildcard.
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM post_media WHERE media_id = $1)
			+ (SELECT COUNT(*) FROM variants WHERE org_id = $2 AND media_ids LIKE $3)`, id, orgID, "%"+id+"%").Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return valid.New("file", "media.in_use", used)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{OrgID: orgID, Action: "media.delete", TargetType: "media", TargetID: id,
			TargetLabel: old.Filename, Before: map[string]any{"type": old.ContentType, "size": old.Size, "sha256": old.SHA256}})
	})
	if err != nil {
		return fmt.Errorf("editorial: delete media %s: %w", id, err)
	}
	return nil
}
