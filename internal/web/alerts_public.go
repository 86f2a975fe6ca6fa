// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import "net/http"

// alertPublicRoutes are the public side of emergency alerts (live page,
// feeds, CAP): being written.
func (s *Server) alertPublicRoutes(_ *http.ServeMux) {}
