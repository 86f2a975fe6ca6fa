// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
)

// calendarRoutes registers the calendar, campaigns, rubrics, the CSV
// import and the plan's settings. The calendar, its export and move, the
// import and the settings page are listed in routes.go; the services
// check every office again.
func (s *Server) calendarRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /plan/campaigns", signedIn, org.PermPlanRead, s.campaigns)
	s.handle(mux, "POST /plan/campaigns", signedIn, org.PermPostApprove, s.campaignCreate)
	s.handle(mux, "GET /plan/campaigns/{id}", signedIn, org.PermPlanRead, s.campaignShow)
	s.handle(mux, "POST /plan/campaigns/{id}", signedIn, org.PermPostApprove, s.campaignUpdate)
	s.handle(mux, "POST /plan/campaigns/{id}/delete", signedIn, org.PermPostApprove, s.campaignDelete)

	s.handle(mux, "GET /plan/rubrics", signedIn, org.PermPlanRead, s.rubrics)
	s.handle(mux, "POST /plan/rubrics", signedIn, org.PermPostApprove, s.rubricCreate)
	s.handle(mux, "GET /plan/rubrics/{id}", signedIn, org.PermPlanRead, s.rubricShow)
	s.handle(mux, "POST /plan/rubrics/{id}", signedIn, org.PermPostApprove, s.rubricUpdate)
	s.handle(mux, "POST /plan/rubrics/{id}/delete", signedIn, org.PermPostApprove, s.rubricDelete)

	s.handle(mux, "POST /plan/settings/cadence", signedIn, org.PermCadenceManage, s.cadenceSave)
}
