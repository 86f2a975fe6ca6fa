// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/valid"
)

// fieldMessage explains a validation error in English, with the text the
// web interface shows for the same key. API messages are all English, so
// one answer never mixes languages; the key is there for programs.
func fieldMessage(e *valid.Error) string {
	c := i18n.Default()
	if !c.Has(i18n.English, e.Key) {
		return "invalid value"
	}
	return c.T(i18n.English, e.Key, e.Args...)
}
