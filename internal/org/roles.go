// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package org

import (
	"slices"
	"sort"
)

// Permission is one thing a person may do in an organisation. Routes name
// the permission they need next to them; roles are fixed sets of these.
type Permission string

// Every permission, declared once.
const (
	PermOrgManage      Permission = "org.manage"      // organisation settings
	PermPeopleRead     Permission = "people.read"     // see people and their roles
	PermPeopleManage   Permission = "people.manage"   // add people, assign roles
	PermOfficesManage  Permission = "offices.manage"  // create and edit offices
	PermAuditRead      Permission = "audit.read"      // browse the audit log
	PermPlanRead       Permission = "plan.read"       // see the editorial plan
	PermPostWrite      Permission = "post.write"      // write drafts
	PermPostSubmit     Permission = "post.submit"     // send a draft for review
	PermPostApprove    Permission = "post.approve"    // approve or reject posts
	PermPostPublish    Permission = "post.publish"    // schedule and publish approved posts
	PermChannelManage  Permission = "channel.manage"  // connect and configure channel accounts
	PermCadenceManage  Permission = "cadence.manage"  // cadence guard and the suspension switch
	PermDeskRead       Permission = "desk.read"       // see citizen messages
	PermDeskReply      Permission = "desk.reply"      // answer citizens
	PermDeskAssign     Permission = "desk.assign"     // route and assign conversations
	PermDeskModerate   Permission = "desk.moderate"   // hide, delete, block under the policy
	PermIncidentManage Permission = "incident.manage" // open, update and resolve incidents
	PermAlertSend      Permission = "alert.send"      // broadcast alerts
	PermNetworkManage  Permission = "network.manage"  // ambassadors and bulletins
	PermAnalyticsRead  Permission = "analytics.read"  // reports
)

// AllPermissions lists every permission in display order.
var AllPermissions = []Permission{
	PermOrgManage, PermPeopleRead, PermPeopleManage, PermOfficesManage, PermAuditRead,
	PermPlanRead, PermPostWrite, PermPostSubmit, PermPostApprove, PermPostPublish,
	PermChannelManage, PermCadenceManage,
	PermDeskRead, PermDeskReply, PermDeskAssign, PermDeskModerate,
	PermIncidentManage, PermAlertSend, PermNetworkManage, PermAnalyticsRead,
}

// Role is a fixed set of permissions, given per membership.
type Role string

// The roles of DESIGN.md.
const (
	RoleAdmin     Role = "admin"
	RoleManager   Role = "manager"   // social media manager
	RoleEditor    Role = "editor"    // editorial staff
	RoleCommunity Role = "community" // community manager
	RoleLiaison   Role = "liaison"   // office liaison: needs an office
	RoleGuest     Role = "guest"     // guest author: writes, never publishes
	RoleCrisis    Role = "crisis"    // crisis coordinator
	RoleViewer    Role = "viewer"    // mayor, assessore: reads and reports
)

// Roles lists the roles in display order.
var Roles = []Role{RoleAdmin, RoleManager, RoleEditor, RoleCommunity, RoleLiaison, RoleGuest, RoleCrisis, RoleViewer}

var rolePermissions = map[Role][]Permission{
	RoleAdmin: AllPermissions,
	RoleManager: {
		PermPeopleRead, PermAuditRead, PermPlanRead, PermPostWrite, PermPostSubmit, PermPostApprove,
		PermPostPublish, PermChannelManage, PermCadenceManage, PermDeskRead, PermDeskReply, PermDeskAssign,
		PermDeskModerate, PermNetworkManage, PermAnalyticsRead,
	},
	RoleEditor: {PermPlanRead, PermPostWrite, PermPostSubmit, PermDeskRead, PermAnalyticsRead},
	RoleCommunity: {
		PermPlanRead, PermDeskRead, PermDeskReply, PermDeskAssign, PermDeskModerate, PermAnalyticsRead,
	},
	// A liaison's permissions apply to its own office only (see Grants).
	RoleLiaison: {PermPlanRead, PermPostWrite, PermPostSubmit, PermDeskRead, PermDeskReply},
	RoleGuest:   {PermPostWrite, PermPostSubmit},
	RoleCrisis: {
		PermPlanRead, PermIncidentManage, PermAlertSend, PermDeskRead, PermDeskReply, PermCadenceManage,
		PermAnalyticsRead,
	},
	RoleViewer: {PermPlanRead, PermAnalyticsRead},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := rolePermissions[r]
	return ok
}

// NeedsOffice reports whether the role only makes sense with an office.
func (r Role) NeedsOffice() bool { return r == RoleLiaison }

// Permissions returns the role's permissions.
func (r Role) Permissions() []Permission { return slices.Clone(rolePermissions[r]) }

// Grants is what one person may do in one organisation: the union of the
// roles of their memberships, some limited to an office.
type Grants struct {
	OrgID string
	Roles []Role
	// global permissions hold everywhere in the organisation; scoped ones
	// only for the offices listed.
	global map[Permission]bool
	scoped map[Permission][]string
}

// NewGrants builds grants from memberships of one person in one organisation.
func NewGrants(orgID string, ms []Membership) Grants {
	g := Grants{OrgID: orgID, global: map[Permission]bool{}, scoped: map[Permission][]string{}}
	for _, m := range ms {
		if !slices.Contains(g.Roles, m.Role) {
			g.Roles = append(g.Roles, m.Role)
		}
		for _, p := range rolePermissions[m.Role] {
			if m.Role.NeedsOffice() && m.OfficeID != "" {
				g.scoped[p] = append(g.scoped[p], m.OfficeID)
			} else if !m.Role.NeedsOffice() {
				g.global[p] = true
			}
		}
	}
	sort.Slice(g.Roles, func(i, j int) bool { return slices.Index(Roles, g.Roles[i]) < slices.Index(Roles, g.Roles[j]) })
	return g
}

// Member reports whether the person belongs to the organisation at all.
func (g Grants) Member() bool { return len(g.Roles) > 0 }

// Can reports whether p is granted anywhere in the organisation (for
// office-scoped grants, in at least one office): enough to show a page.
func (g Grants) Can(p Permission) bool {
	return g.global[p] || len(g.scoped[p]) > 0
}

// CanEverywhere reports whether p holds for the whole organisation.
func (g Grants) CanEverywhere(p Permission) bool { return g.global[p] }

// CanInOffice reports whether p holds for things of the given office.
func (g Grants) CanInOffice(p Permission, officeID string) bool {
	return g.global[p] || slices.Contains(g.scoped[p], officeID)
}

// Offices returns the offices where p is granted, when it is scoped; nil
// with all=true when p holds everywhere.
func (g Grants) Offices(p Permission) (ids []string, all bool) {
	if g.global[p] {
		return nil, true
	}
	return slices.Clone(g.scoped[p]), false
}

// IsAdmin reports whether the person is an administrator of the organisation.
func (g Grants) IsAdmin() bool { return slices.Contains(g.Roles, RoleAdmin) }
