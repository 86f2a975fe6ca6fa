// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// access says who may reach a route.
type access int

const (
	public    access = iota // anyone, no session needed (login, public pages)
	signedIn                // a full session in an organisation
	mfaStep                 // a session whose password step passed, second factor due
	anyMember               // signed in, no particular permission
)

// routes lists every route with the permission it needs next to it.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", http.StripPrefix("/static", StaticHandler()))
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.MetricsHandler != nil {
		mux.Handle("GET /metrics", s.MetricsHandler)
	}
	if s.API != nil {
		mux.Handle("/api/v1/", s.API)
	}

	// Signing in and out.
	s.handle(mux, "GET /{$}", public, "", s.home)
	s.handle(mux, "GET /login", public, "", s.loginForm)
	s.handle(mux, "POST /login", public, "", s.login)
	s.handle(mux, "GET /login/2fa", mfaStep, "", s.secondFactorForm)
	s.handle(mux, "POST /login/2fa", mfaStep, "", s.secondFactor)
	s.handle(mux, "POST /logout", public, "", s.logout)
	s.handle(mux, "GET /password/forgot", public, "", s.forgotForm)
	s.handle(mux, "POST /password/forgot", public, "", s.forgot)
	s.handle(mux, "GET /password/reset", public, "", s.resetForm)
	s.handle(mux, "POST /password/reset", public, "", s.reset)
	s.handle(mux, "POST /lang", public, "", s.setLanguage)

	// Working areas.
	s.handle(mux, "GET /dashboard", anyMember, "", s.dashboard)
	s.handle(mux, "POST /org/switch", anyMember, "", s.switchOrg)
	s.handle(mux, "GET /network", signedIn, "", s.area("network"))
	s.handle(mux, "GET /analytics", signedIn, org.PermAnalyticsRead, s.area("analytics"))

	// The editorial plan: posts, editor, media (plan_routes.go) and the
	// calendar, campaigns, rubrics, import and plan settings
	// (calendar_routes.go).
	s.handle(mux, "GET /plan", signedIn, org.PermPlanRead, s.planList)
	s.handle(mux, "GET /plan/posts/new", signedIn, org.PermPostWrite, s.postNew)
	s.handle(mux, "POST /plan/posts", signedIn, org.PermPostWrite, s.postCreate)
	s.handle(mux, "GET /plan/posts/{id}", signedIn, org.PermPlanRead, s.postShow)
	s.handle(mux, "POST /plan/posts/{id}", signedIn, org.PermPostWrite, s.postSave)
	s.handle(mux, "POST /plan/posts/{id}/action", signedIn, org.PermPlanRead, s.postAction) // each action checks its own permission
	s.handle(mux, "POST /plan/posts/{id}/comments", signedIn, org.PermPlanRead, s.postComment)
	s.handle(mux, "POST /plan/posts/{id}/correct", signedIn, org.PermPostPublish, s.postCorrect)
	s.handle(mux, "POST /plan/check", signedIn, org.PermPostWrite, s.variantCheck)
	s.handle(mux, "POST /plan/publications/{id}/resolve", signedIn, org.PermPostPublish, s.publicationResolve)
	s.handle(mux, "GET /plan/calendar", signedIn, org.PermPlanRead, s.planCalendar)
	s.handle(mux, "GET /plan/calendar.ics", signedIn, org.PermPlanRead, s.calendarICS)
	s.handle(mux, "POST /plan/calendar/move", signedIn, org.PermPostWrite, s.calendarMove)
	s.handle(mux, "GET /plan/media", signedIn, org.PermPlanRead, s.library)
	s.handle(mux, "POST /plan/media", signedIn, org.PermPostWrite, s.libraryUpload)
	s.handle(mux, "POST /plan/media/{id}", signedIn, org.PermPostWrite, s.libraryText)
	s.handle(mux, "POST /plan/media/{id}/delete", signedIn, org.PermPostWrite, s.libraryDelete)
	s.handle(mux, "GET /plan/import", signedIn, org.PermPostWrite, s.planImport)
	s.handle(mux, "POST /plan/import", signedIn, org.PermPostWrite, s.planImportPreview)
	s.handle(mux, "GET /plan/import/template.csv", signedIn, org.PermPostWrite, s.planImportTemplate)
	s.handle(mux, "GET /plan/settings", signedIn, org.PermPlanRead, s.planSettings)
	s.handle(mux, "POST /plan/settings", signedIn, org.PermPostApprove, s.planSettingsSave) // the services check every office
	s.planRoutes(mux)
	s.calendarRoutes(mux)
	s.deskRoutes(mux)
	s.alertRoutes(mux)
	s.alertDeviceRoutes(mux)

	// Channels and publishing.
	s.handle(mux, "GET /channels", signedIn, org.PermPlanRead, s.channels)
	s.handle(mux, "POST /channels", signedIn, org.PermChannelManage, s.channelCreate)
	s.handle(mux, "GET /channels/{id}", signedIn, org.PermPlanRead, s.channelShow)
	s.handle(mux, "POST /channels/{id}", signedIn, org.PermChannelManage, s.channelUpdate)
	s.handle(mux, "POST /channels/{id}/check", signedIn, org.PermChannelManage, s.channelCheck)
	s.handle(mux, "POST /channels/{id}/connect", signedIn, org.PermChannelManage, s.channelConnect)
	s.handle(mux, "GET "+oauthCallback, signedIn, org.PermChannelManage, s.channelConnected)
	s.handle(mux, "POST /channels/{id}/status", signedIn, org.PermChannelManage, s.channelStatus)
	s.handle(mux, "POST /channels/suspend", signedIn, org.PermCadenceManage, s.suspend)
	s.handle(mux, "POST /channels/resume", signedIn, org.PermCadenceManage, s.resume)
	s.handle(mux, "GET /sandbox", signedIn, org.PermPlanRead, s.sandbox)
	// Media files for the outside world (Instagram fetches them, the feed
	// links them): a signature in the link stands for the permission.
	s.handle(mux, "GET /media/{org}/{id}", public, "", s.mediaFile)

	// Notifications.
	s.handle(mux, "GET /notifications", anyMember, "", s.notifications)
	s.handle(mux, "POST /notifications/read", anyMember, "", s.notificationsRead)

	// Personal settings.
	s.handle(mux, "GET /settings", anyMember, "", s.settings)
	s.handle(mux, "GET /settings/security", anyMember, "", s.security)
	s.handle(mux, "POST /settings/password", anyMember, "", s.changePassword)
	s.handle(mux, "POST /settings/2fa/begin", anyMember, "", s.totpBegin)
	s.handle(mux, "POST /settings/2fa/confirm", anyMember, "", s.totpConfirm)
	s.handle(mux, "POST /settings/2fa/disable", anyMember, "", s.totpDisable)
	s.handle(mux, "GET /settings/tokens", anyMember, "", s.tokens)
	s.handle(mux, "POST /settings/tokens", anyMember, "", s.tokenCreate)
	s.handle(mux, "POST /settings/tokens/{id}/revoke", anyMember, "", s.tokenRevoke)
	s.handle(mux, "GET /settings/notifications", anyMember, "", s.notificationPrefs)
	s.handle(mux, "POST /settings/notifications", anyMember, "", s.notificationPrefsSave)

	// Administration.
	s.handle(mux, "GET /admin/people", signedIn, org.PermPeopleRead, s.people)
	s.handle(mux, "POST /admin/people", signedIn, org.PermPeopleManage, s.personCreate)
	s.handle(mux, "GET /admin/people/{id}", signedIn, org.PermPeopleRead, s.person)
	s.handle(mux, "POST /admin/people/{id}/roles", signedIn, org.PermPeopleManage, s.roleGrant)
	s.handle(mux, "POST /admin/people/{id}/roles/{mid}/revoke", signedIn, org.PermPeopleManage, s.roleRevoke)
	s.handle(mux, "POST /admin/people/{id}/disable", signedIn, org.PermPeopleManage, s.personDisable)
	s.handle(mux, "POST /admin/people/{id}/2fa/reset", signedIn, org.PermPeopleManage, s.personReset2FA)
	s.handle(mux, "GET /admin/offices", signedIn, org.PermOfficesManage, s.offices)
	s.handle(mux, "POST /admin/offices", signedIn, org.PermOfficesManage, s.officeCreate)
	s.handle(mux, "GET /admin/offices/{id}", signedIn, org.PermOfficesManage, s.officeEdit)
	s.handle(mux, "POST /admin/offices/{id}", signedIn, org.PermOfficesManage, s.officeUpdate)
	s.handle(mux, "POST /admin/offices/{id}/delete", signedIn, org.PermOfficesManage, s.officeDelete)
	s.handle(mux, "GET /admin/roles", signedIn, org.PermPeopleRead, s.roles)
	s.handle(mux, "GET /admin/organisation", signedIn, org.PermOrgManage, s.organisation)
	s.handle(mux, "POST /admin/organisation", signedIn, org.PermOrgManage, s.organisationUpdate)
	s.handle(mux, "POST /admin/organisations", signedIn, org.PermOrgManage, s.organisationCreate)
	s.handle(mux, "GET /admin/audit", signedIn, org.PermAuditRead, s.auditLog)
	s.handle(mux, "GET /admin/tasks", signedIn, org.PermOrgManage, s.tasks)
	s.handle(mux, "POST /admin/tasks/{name}/run", signedIn, org.PermOrgManage, s.taskRun)

	// Public pages of an organisation: /o/{slug}/… and, for the default
	// organisation, the same path without the prefix.
	s.public(mux, "GET", "/{$}", s.publicHome, false)
	s.public(mux, "GET", "/feeds/posts.atom", s.postsFeed, true)
	s.deskPublicRoutes(mux)
	s.alertPublicRoutes(mux)
	s.alertPushRoutes(mux)
	s.open311Routes(mux)

	// Anything else: a translated "not found" page.
	s.handle(mux, "/", public, "", func(http.ResponseWriter, *http.Request, *reqCtx) error { return store.ErrNotFound })
}
