// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import "net/http"

// planRoutes registers the posts of the plan: list, editor, workflow,
// media library.
func (s *Server) planRoutes(mux *http.ServeMux) {
	_ = mux // the list and the editor are in routes.go (editor.go)
}
