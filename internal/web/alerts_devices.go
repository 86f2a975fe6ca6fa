// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/webpush"
)

// The crisis team's test devices: a drill reaches them and no citizen.
// A browser is added from here (the script subscribes it and fills the
// form); the chats of a sandbox bot are listed too.

func (s *Server) alertDeviceRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /alerts/devices", signedIn, org.PermPlanRead, s.devicesPage)
	s.handle(mux, "POST /alerts/devices", signedIn, org.PermIncidentManage, s.deviceAdd)
	s.handle(mux, "POST /alerts/devices/{id}/delete", signedIn, org.PermIncidentManage, s.deviceDelete)
}

type testDevice struct {
	alert.Subscriber
	// Where shows the push service's host (a browser) or the chat.
	Where string
}

type devicesData struct {
	Devices   []testDevice
	CanManage bool
	// Base is where the organisation's public paths start: the service
	// worker and the VAPID key are there.
	Base string
}

func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderDevices(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) renderDevices(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	subs, err := s.Alerts.TestDevices(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	d := devicesData{CanManage: rc.Grants.Can(org.PermIncidentManage), Base: "/o/" + rc.Org.Slug}
	for _, sb := range subs {
		td := testDevice{Subscriber: sb, Where: sb.Address}
		if sb.Kind == alert.SubscriberWebPush {
			if u, err := url.Parse(sb.Address); err == nil {
				td.Where = u.Hostname()
			}
		}
		d.Devices = append(d.Devices, td)
	}
	return s.render(w, r, rc, status, "alerts_devices", &page{Area: "alerts", Title: s.t(rc, "devices.title"), Data: d,
		Errors: errs, Form: form})
}

// deviceAdd records this browser as a test device. The subscription comes
// as PushSubscription.toJSON() in a form field, filled by the page's
// script once the browser has subscribed.
func (s *Server) deviceAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	form := map[string]string{"label": r.PostFormValue("label")}
	var sub webpush.Subscription
	raw := r.PostFormValue("subscription")
	if raw == "" || len(raw) > 4096 || json.Unmarshal([]byte(raw), &sub) != nil {
		return s.renderDevices(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"subscription": s.t(rc, "devices.no_subscription")}, form)
	}
	lang := r.PostFormValue("lang")
	if _, ok := i18n.Parse(lang); !ok {
		lang = string(rc.Lang)
	}
	if _, err := s.Alerts.AddTestDevice(r.Context(), rc.Org.ID, sub, lang, r.PostFormValue("label")); err != nil {
		if errs, ok := s.formErrors(rc, err); ok {
			return s.renderDevices(w, r, rc, http.StatusUnprocessableEntity, errs, form)
		}
		return err
	}
	return redirect(w, r, "/alerts/devices?ok=flash.device_added")
}

func (s *Server) deviceDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Alerts.RemoveTestDevice(r.Context(), rc.Org.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/alerts/devices?ok=flash.device_removed")
}
