// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
)

// reqCtx is what a handler knows about the request: who, where, in which
// language, with what rights.
type reqCtx struct {
	Lang    i18n.Lang
	Person  *auth.Person
	Session *auth.Session
	Org     *org.Organisation
	Orgs    []org.Organisation // every organisation the person belongs to
	Grants  org.Grants
	CSRF    string
	IP      string
}

// loggedIn reports a full session (password and, if enabled, second factor).
func (rc *reqCtx) loggedIn() bool {
	return rc.Person != nil && rc.Session != nil && !rc.Session.MFAPending
}
