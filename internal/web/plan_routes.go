// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
)

// planRoutes registers the posts of the plan: list, editor, workflow,
// media library.
func (s *Server) planRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /plan", signedIn, org.PermPlanRead, s.area("plan"))
}
