// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/card"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Card sizes, re-exported for the web layer.
const (
	Square    = card.Square
	Landscape = card.Landscape
)

// cardTypes are the card's formats and their content types.
var cardTypes = map[string]string{"png": "image/png", "jpg": "image/jpeg"}

// CardType is the content type of a card format, "" for an unknown one.
func CardType(format string) string { return cardTypes[format] }

// Card draws an alert's card: level, headline, zone and time, for the
// platforms that need an image and the live page. format is "png" or
// "jpg" (for platforms that take JPEG only).
func (s *Service) Card(ctx context.Context, a Alert, size card.Size, format string) ([]byte, error) {
	inc, err := s.Incident(ctx, a.OrgID, a.IncidentID)
	if err != nil {
		return nil, err
	}
	return s.cardImage(ctx, a, inc, size, format)
}

// cardImage returns the card from the cache, drawing it at the first ask:
// every channel of an alert takes the same image. The bytes are shared:
// callers only read them.
func (s *Service) cardImage(ctx context.Context, a Alert, inc Incident, size card.Size, format string) ([]byte, error) {
	if cardTypes[format] == "" {
		return nil, valid.New("format", "alert.card.format_unknown", truncate(format, 20))
	}
	return s.cards.get(fmt.Sprintf("%s/%d.%s", a.ID, size, format), func() ([]byte, error) {
		// Drawn for everyone waiting on it: one caller giving up must
		// not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if format == "png" {
			return s.drawCard(ctx, a, inc, size)
		}
		img, err := s.cardImage(ctx, a, inc, size, "png")
		if err != nil {
			return nil, err
		}
		m, err := png.Decode(bytes.NewReader(img))
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
}

// drawCard draws the PNG card.
func (s *Service) drawCard(ctx context.Context, a Alert, inc Incident, size card.Size) ([]byte, error) {
	var name, tz string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT name, timezone FROM organisations WHERE id = $1`, a.OrgID).Scan(&name, &tz); err != nil {
		return nil, fmt.Errorf("alert: card: %w", err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	tpl := templates[inc.Type]
	if tpl == nil {
		tpl = templates[TypeOtherKind]
	}
	kind := "Allerta " + tpl["it"].event
	return card.Render(card.Card{Colour: string(a.Colour), Kind: kind, Headline: a.Headline, Zone: inc.AreaDesc,
		At: a.SentAt.In(loc), Lang: "it", AllClear: a.Kind == KindCancel, Org: name, Hashtag: inc.Hashtag, Exercise: a.Exercise,
		Size: size})
}
