// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
)

// MaxFileBytes bounds a file a citizen sends with the web form.
const MaxFileBytes = 5 << 20

// File is a citizen's file sent with a message (the web form's photo).
type File struct {
	ID          string
	Name        string
	ContentType string
	Data        []byte
}

// sniffPhoto names the image type of data by its signature (never by the
// file's name or the browser's claim): the web form takes JPEG, PNG,
// WebP and GIF, as WHATWG's sniffing rules recognise them.
func sniffPhoto(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1A\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}

// checkFile validates a citizen's photo and names its type.
func checkFile(f *File) error {
	if len(f.Data) == 0 {
		return invalidf("empty file")
	}
	if len(f.Data) > MaxFileBytes {
		return invalidf("file larger than %d MB", MaxFileBytes>>20)
	}
	ct := sniffPhoto(f.Data)
	if ct == "" {
		return invalidf("not a photo (JPEG, PNG, WebP or GIF)")
	}
	f.ContentType = ct
	f.Name = clip(strings.ToValidUTF8(strings.TrimSpace(f.Name), ""), 200)
	if !utf8.ValidString(f.Name) {
		f.Name = ""
	}
	f.ID = store.NewID()
	return nil
}

// fileAttachments are the message's attachments for the files it carries.
func fileAttachments(fs []File) []channel.Attachment {
	out := make([]channel.Attachment, 0, len(fs))
	for _, f := range fs {
		out = append(out, channel.Attachment{Kind: "photo", URL: "/desk/files/" + f.ID, ContentType: f.ContentType, Name: f.Name})
	}
	return out
}

func writeFiles(ctx context.Context, tx *sql.Tx, orgID, messageID string, fs []File, now any) error {
	for _, f := range fs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO desk_files (id, org_id, message_id, name, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, orgID, messageID, f.Name, f.ContentType, len(f.Data), f.Data, now); err != nil {
			return fmt.Errorf("file: %w", err)
		}
	}
	return nil
}

// FileOf returns a citizen's file for someone whose scope shows its
// conversation.
func (s *Service) FileOf(ctx context.Context, orgID, id string, sc Scope) (File, error) {
	var f File
	var convID string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT f.id, f.name, f.content_type, f.data, m.conversation_id FROM desk_files f
		JOIN desk_messages m ON m.id = f.message_id WHERE f.id = $1 AND f.org_id = $2`, id, orgID).
		Scan(&f.ID, &f.Name, &f.ContentType, &f.Data, &convID)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, store.ErrNotFound
	}
	if err != nil {
		return File{}, fmt.Errorf("desk: file: %w", err)
	}
	c, err := s.conversation(ctx, s.DB.Read, orgID, convID)
	if err != nil {
		return File{}, err
	}
	if !sc.allows(c.OfficeID) {
		return File{}, store.ErrNotFound
	}
	return f, nil
}
