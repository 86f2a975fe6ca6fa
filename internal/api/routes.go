// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"slices"

	"github.com/piazza-pa/piazza/internal/org"
)

// access says whether a route needs a token.
type access int

const (
	member access = iota // a valid token whose person belongs to its organisation
	public               // no token (the OpenAPI document)
)

// route is one operation. The mux and the OpenAPI test both read the
// table below, so a route cannot exist without its documentation.
type route struct {
	Method string
	Path   string // full path as the mux sees it; OpenAPI paths drop Prefix
	Access access
	Perm   org.Permission // checked before the handler; "" for any member
	Handle handler
}

// routes lists every route with the permission it needs next to it.
var routes = []route{
	{"GET", Prefix + "/openapi.json", public, "", (*server).serveOpenAPI},
	{"GET", Prefix + "/me", member, "", (*server).me},

	{"GET", Prefix + "/people", member, org.PermPeopleRead, (*server).listPeople},
	{"POST", Prefix + "/people", member, org.PermPeopleManage, (*server).createPerson},
	{"GET", Prefix + "/people/{id}", member, org.PermPeopleRead, (*server).getPerson},

	{"GET", Prefix + "/offices", member, "", (*server).listOffices},
	{"POST", Prefix + "/offices", member, org.PermOfficesManage, (*server).createOffice},
	{"GET", Prefix + "/offices/{code}", member, "", (*server).getOffice},
	{"PATCH", Prefix + "/offices/{code}", member, org.PermOfficesManage, (*server).updateOffice},
	{"DELETE", Prefix + "/offices/{code}", member, org.PermOfficesManage, (*server).deleteOffice},

	{"GET", Prefix + "/channels", member, org.PermPlanRead, (*server).listChannels},
	{"POST", Prefix + "/channels", member, org.PermChannelManage, (*server).createChannel},
	{"GET", Prefix + "/channels/{id}", member, org.PermPlanRead, (*server).getChannel},
	{"POST", Prefix + "/channels/{id}/check", member, org.PermChannelManage, (*server).checkChannel},
	{"POST", Prefix + "/check", member, org.PermPostWrite, (*server).checkText},
	{"GET", Prefix + "/posts", member, org.PermPlanRead, (*server).listPosts},
	{"POST", Prefix + "/posts", member, org.PermPostWrite, (*server).createPost},
	{"GET", Prefix + "/posts/{id}", member, org.PermPlanRead, (*server).getPost},
	{"PUT", Prefix + "/posts/{id}/variants", member, org.PermPostWrite, (*server).putVariants},
	{"POST", Prefix + "/posts/{id}/transitions", member, org.PermPlanRead, (*server).transition}, // each action checks its own permission
	{"GET", Prefix + "/posts/{id}/publications", member, org.PermPlanRead, (*server).listPublications},
	{"POST", Prefix + "/triage", member, org.PermDeskRead, (*server).triage},
	{"GET", Prefix + "/conversations", member, org.PermDeskRead, (*server).listConversations},
	{"GET", Prefix + "/conversations/{id}", member, org.PermDeskRead, (*server).getConversation},
	{"POST", Prefix + "/conversations/{id}/replies", member, org.PermDeskReply, (*server).replyConversation},
	{"PUT", Prefix + "/conversations/{id}/assignment", member, org.PermDeskAssign, (*server).assignConversation},
	{"PUT", Prefix + "/conversations/{id}/status", member, org.PermDeskReply, (*server).setConversationStatus},
	{"POST", Prefix + "/conversations/{id}/notes", member, org.PermDeskRead, (*server).addNote},
	{"POST", Prefix + "/conversations/{id}/consultations", member, org.PermDeskAssign, (*server).consultOffice},
	{"PUT", Prefix + "/conversations/{id}/triage", member, org.PermDeskAssign, (*server).confirmTriage},
	{"POST", Prefix + "/messages/{id}/moderation", member, org.PermDeskModerate, (*server).moderateMessage},
	{"POST", Prefix + "/messages/{id}/retry", member, org.PermDeskReply, (*server).retryReply},
	{"GET", Prefix + "/campaigns", member, org.PermPlanRead, (*server).listCampaigns},
	{"POST", Prefix + "/campaigns", member, org.PermPostApprove, (*server).createCampaign},

	{"GET", Prefix + "/incidents", member, org.PermPlanRead, (*server).listIncidents},
	{"POST", Prefix + "/incidents", member, org.PermIncidentManage, (*server).createIncident},
	{"GET", Prefix + "/incidents/{id}", member, org.PermPlanRead, (*server).getIncident},
	{"PATCH", Prefix + "/incidents/{id}", member, org.PermIncidentManage, (*server).updateIncident},
	{"POST", Prefix + "/incidents/{id}/alerts", member, org.PermAlertSend, (*server).sendAlert},
	{"POST", Prefix + "/incidents/{id}/alerts/preview", member, org.PermAlertSend, (*server).previewAlert},
	{"GET", Prefix + "/alerts/{id}", member, org.PermPlanRead, (*server).getAlert},
	{"POST", Prefix + "/deliveries/{id}/settle", member, org.PermAlertSend, (*server).settleDelivery},
	{"GET", Prefix + "/zones", member, org.PermPlanRead, (*server).listZones},
	{"POST", Prefix + "/zones", member, org.PermIncidentManage, (*server).importZones},
	{"GET", Prefix + "/subscriptions/summary", member, org.PermPlanRead, (*server).subscriptionsSummary},
}

// allowedMethods returns, for each routed path, the methods it answers,
// for the Allow header of a 405.
func allowedMethods() map[string][]string {
	out := map[string][]string{}
	for _, rt := range routes {
		out[rt.Path] = append(out[rt.Path], rt.Method)
		if rt.Method == "GET" {
			out[rt.Path] = append(out[rt.Path], "HEAD") // ServeMux answers HEAD with GET
		}
	}
	for _, ms := range out {
		slices.Sort(ms)
	}
	return out
}
