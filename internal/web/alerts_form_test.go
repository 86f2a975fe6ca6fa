// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"fmt"
	"testing"

	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/valid"
)

// TestAlertFormErrors: the alert service's refusal comes back in the
// person's language, each message under its field and all of them in the
// form's box, once each.
func TestAlertFormErrors(t *testing.T) {
	s := &Server{catalog: i18n.Default()}
	err := fmt.Errorf("alert: create incident: %w", valid.Errors{
		{Field: "title", Key: "alert.incident.title_required"},
		{Field: "area", Key: "alert.area.radius", Args: []any{500}},
		{Field: "area", Key: "alert.area.polygon_and_circle"},
		{Field: "description", Key: "alert.text_too_long", Args: []any{4000}},
		{Field: "instructions", Key: "alert.text_too_long", Args: []any{4000}},
	})
	for _, tc := range []struct {
		lang             i18n.Lang
		title, area, box string
	}{
		{i18n.English, "The title is required.", "The circle's radius must be more than 0 and at most 500 km.",
			"The title is required. The circle's radius must be more than 0 and at most 500 km. The area is a polygon or a circle, not both. " +
				"The text can have at most 4000 characters."},
		{i18n.Italian, "Il titolo è obbligatorio.", "Il raggio del cerchio deve essere maggiore di 0 e al massimo di 500 km.",
			"Il titolo è obbligatorio. Il raggio del cerchio deve essere maggiore di 0 e al massimo di 500 km. " +
				"L'area è un poligono o un cerchio, non entrambi. Il testo può avere al massimo 4000 caratteri."},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			errs, ok := s.alertFormErrors(&reqCtx{Lang: tc.lang}, err, "incident")
			if !ok {
				t.Fatal("a valid error not taken for a refusal")
			}
			want := map[string]string{"title": tc.title, "area": tc.area, "incident": tc.box,
				"description": s.catalog.T(tc.lang, "alert.text_too_long", 4000), "instructions": s.catalog.T(tc.lang, "alert.text_too_long", 4000)}
			if len(errs) != len(want) {
				t.Errorf("errors %q, want %q", errs, want)
			}
			for field, msg := range want {
				if errs[field] != msg {
					t.Errorf("%s: %q, want %q", field, errs[field], msg)
				}
			}
		})
	}
	if errs, ok := s.alertFormErrors(&reqCtx{Lang: i18n.Italian}, errors.New("alert: database down"), "incident"); ok || errs != nil {
		t.Errorf("an internal error shown on the form: %q", errs)
	}
	if _, ok := s.alertFormErrors(&reqCtx{Lang: i18n.Italian}, nil, "send"); ok {
		t.Error("no error taken for a refusal")
	}
}
