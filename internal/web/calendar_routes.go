// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import "net/http"

// calendarRoutes registers the calendar, campaigns, rubrics, the CSV
// import and the plan's settings.
func (s *Server) calendarRoutes(mux *http.ServeMux) {
	_ = mux
}
