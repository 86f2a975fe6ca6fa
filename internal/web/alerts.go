// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/valid"
)

// alertRoutes are the crisis coordinator's pages: incidents, the alert
// composer and each channel's delivery, live.
func (s *Server) alertRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /alerts", signedIn, org.PermPlanRead, s.alertsHome)
	s.handle(mux, "POST /alerts/incidents", signedIn, org.PermIncidentManage, s.incidentCreate)
	s.handle(mux, "POST /alerts/zones", signedIn, org.PermIncidentManage, s.zonesImport)
	s.handle(mux, "GET /alerts/zones.geojson", signedIn, org.PermPlanRead, s.zonesGeoJSON)
	s.handle(mux, "POST /alerts/sources", signedIn, org.PermIncidentManage, s.capSourceAdd)
	s.handle(mux, "POST /alerts/sources/{id}/delete", signedIn, org.PermIncidentManage, s.capSourceDelete)
	s.handle(mux, "GET /alerts/incidents/{id}", signedIn, org.PermPlanRead, s.incidentShow)
	s.handle(mux, "POST /alerts/incidents/{id}", signedIn, org.PermIncidentManage, s.incidentUpdate)
	s.handle(mux, "POST /alerts/incidents/{id}/send", signedIn, org.PermAlertSend, s.alertSend)
	s.handle(mux, "GET /alerts/incidents/{id}/deliveries", signedIn, org.PermPlanRead, s.alertDeliveries)
	s.handle(mux, "GET /alerts/incidents/{id}/events", signedIn, org.PermPlanRead, s.alertEvents)
	s.handle(mux, "POST /alerts/deliveries/{id}/settle", signedIn, org.PermAlertSend, s.deliverySettle)
}

type alertsHomeData struct {
	Incidents []alert.Incident
	Zones     []alert.Zone
	Sources   []alert.CAPSource
	Types     []alert.Type
	Colours   []alert.Colour
	CanManage bool
	LiveURL   func(string) string
	Map       *incidentMap
}

// incidentMap is what the incident form's map needs (alertmap.js): the
// tile server and its credit. nil when there is no map (PIAZZA_MAP_TILES
// is none): the area is typed.
type incidentMap struct {
	Tiles       string
	Attribution string
	// AttributionURL makes the credit a link: OpenStreetMap's copyright
	// page for its default credit, as its attribution guidelines ask. A
	// credit configured otherwise is shown as plain text.
	AttributionURL string
}

// osmCopyright is where OpenStreetMap's credit links
// (https://osmfoundation.org/wiki/Licence/Attribution_Guidelines).
const osmCopyright = "https://www.openstreetmap.org/copyright"

func (s *Server) incidentMap() *incidentMap {
	if s.MapTiles == "" {
		return nil
	}
	m := &incidentMap{Tiles: s.MapTiles, Attribution: s.MapAttribution}
	if m.Attribution == config.DefaultMapAttribution {
		m.AttributionURL = osmCopyright
	}
	return m
}

// areaValue writes a stored area in the form's field the way the form
// reads it back: a polygon as "lat,lon lat,lon …", a circle as the JSON
// the map writes (it has no typed notation). Saving the form unchanged
// keeps the area.
func areaValue(a alert.Area) string {
	if a.Circle != nil {
		b, err := json.Marshal(alert.Area{Circle: a.Circle})
		if err != nil {
			return ""
		}
		return string(b)
	}
	var b strings.Builder
	for i, p := range a.Polygon {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lon, 'f', -1, 64))
	}
	return b.String()
}

// zoneFeatures is the organisation's zones as GeoJSON, which the map
// draws as outlines: one MultiPolygon per zone, in GeoJSON's lon,lat order.
type zoneFeatures struct {
	Type     string        `json:"type"`
	Features []zoneFeature `json:"features"`
}

type zoneFeature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	Geometry   struct {
		Type        string           `json:"type"`
		Coordinates [][][][2]float64 `json:"coordinates"`
	} `json:"geometry"`
}

// zonesGeoJSON serves the zones to the incident form's map, apart from
// the page: an imported file may be large, and only the map needs it.
func (s *Server) zonesGeoJSON(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	zones, err := s.Alerts.Zones(r.Context(), rc.Org.ID)
	if err != nil {
		return err
	}
	out := zoneFeatures{Type: "FeatureCollection", Features: make([]zoneFeature, 0, len(zones))}
	for _, z := range zones {
		f := zoneFeature{Type: "Feature", ID: z.ID, Properties: map[string]string{"name": z.Name}}
		f.Geometry.Type = "MultiPolygon"
		for _, ring := range z.Rings {
			coords := make([][2]float64, len(ring))
			for i, p := range ring {
				coords[i] = [2]float64{p.Lon, p.Lat}
			}
			f.Geometry.Coordinates = append(f.Geometry.Coordinates, [][][2]float64{coords})
		}
		out.Features = append(out.Features, f)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, no-cache")
	return json.NewEncoder(w).Encode(out)
}

func (s *Server) alertsHome(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.alertsHomePage(w, r, rc, http.StatusOK, nil, nil)
}

func (s *Server) alertsHomePage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs, form map[string]string) error {
	ctx := r.Context()
	incs, err := s.Alerts.Incidents(ctx, rc.Org.ID, 100)
	if err != nil {
		return err
	}
	zones, err := s.Alerts.Zones(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	sources, err := s.Alerts.CAPSources(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	d := alertsHomeData{Incidents: incs, Zones: zones, Sources: sources, Types: alert.Types, Colours: alert.Colours,
		CanManage: rc.Grants.Can(org.PermIncidentManage), Map: s.incidentMap(),
		LiveURL: func(id string) string { return s.Alerts.LiveURL(rc.Org.Slug, id) }}
	return s.render(w, r, rc, status, "alerts", &page{Area: "alerts", Title: s.t(rc, "alerts.title"), Data: d, Errors: errs, Form: form})
}

// incidentInput reads the incident form.
func incidentInput(r *http.Request) alert.IncidentInput {
	in := alert.IncidentInput{Type: alert.Type(r.PostFormValue("type")), Colour: alert.Colour(r.PostFormValue("colour")),
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Hashtag: r.PostFormValue("hashtag"),
		Instructions: r.PostFormValue("instructions"), AreaDesc: r.PostFormValue("area_desc"),
		ZoneIDs: r.PostForm["zone"], Exercise: r.PostFormValue("exercise") == "1"}
	// One "label: number" per line, and one "label | https://…" per line.
	for line := range strings.Lines(r.PostFormValue("numbers")) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		label, number, ok := strings.Cut(line, ":")
		if !ok {
			label, number = "", line
		}
		in.Numbers = append(in.Numbers, alert.Number{Label: label, Number: number})
	}
	for line := range strings.Lines(r.PostFormValue("links")) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		label, u, ok := strings.Cut(line, "|")
		if !ok {
			label, u = "", line
		}
		in.Links = append(in.Links, alert.Link{Label: label, URL: u})
	}
	// A drawn area arrives as JSON from the map, or typed as
	// "lat,lon lat,lon …" (CAP's own notation) without JavaScript.
	if raw := strings.TrimSpace(r.PostFormValue("area")); raw != "" {
		if strings.HasPrefix(raw, "{") {
			_ = json.Unmarshal([]byte(raw), &in.Area)
			if in.Area.Empty() {
				in.Area.Polygon = []alert.Point{{Lat: 999}} // refused with a clear message by the domain
			}
		} else {
			for _, pair := range strings.Fields(raw) {
				lat, lon, _ := strings.Cut(pair, ",")
				la, err1 := strconv.ParseFloat(lat, 64)
				lo, err2 := strconv.ParseFloat(lon, 64)
				if err1 != nil || err2 != nil {
					la = 999
				}
				in.Area.Polygon = append(in.Area.Polygon, alert.Point{Lat: la, Lon: lo})
			}
		}
	}
	return in
}

func formOf(r *http.Request, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		out[k] = r.PostFormValue(k)
	}
	return out
}

var incidentFields = []string{"type", "colour", "title", "description", "hashtag", "instructions", "area_desc", "numbers", "links",
	"area", "exercise"}

func (s *Server) incidentCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, err := s.Alerts.CreateIncident(r.Context(), rc.Org.ID, rc.Person.ID, incidentInput(r))
	if errs, ok := s.alertFormErrors(rc, err, "incident"); ok {
		return s.alertsHomePage(w, r, rc, http.StatusUnprocessableEntity, errs, formOf(r, incidentFields...))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/alerts/incidents/"+inc.ID+"?ok=flash.saved")
}

func (s *Server) incidentUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := s.Alerts.UpdateIncident(r.Context(), rc.Org.ID, r.PathValue("id"), incidentInput(r))
	if errs, ok := s.alertFormErrors(rc, err, "incident"); ok {
		return s.incidentPage(w, r, rc, http.StatusUnprocessableEntity, errs, nil)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/alerts/incidents/"+r.PathValue("id")+"?ok=flash.saved")
}

func (s *Server) zonesImport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, _, err := r.FormFile("geojson")
	if err != nil {
		return s.alertsHomePage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"zones": s.t(rc, "alerts.zones.file_missing")}, nil)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, alert.MaxZonesFile+1))
	if err != nil {
		return err
	}
	if _, err := s.Alerts.ImportZones(r.Context(), rc.Org.ID, data); err != nil {
		if errs, ok := s.alertFormErrors(rc, err, "zones"); ok {
			return s.alertsHomePage(w, r, rc, http.StatusUnprocessableEntity, errs, nil)
		}
		return err
	}
	return redirect(w, r, "/alerts?ok=flash.saved#zones")
}

// capSourceAdd follows a CAP feed: its new alerts become draft incidents.
func (s *Server) capSourceAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := s.Alerts.AddCAPSource(r.Context(), rc.Org.ID, r.PostFormValue("url"), r.PostFormValue("label"))
	if errs, ok := s.alertFormErrors(rc, err, "sources"); ok {
		return s.alertsHomePage(w, r, rc, http.StatusUnprocessableEntity, errs, nil)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/alerts?ok=flash.saved#sources")
}

func (s *Server) capSourceDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.Alerts.DeleteCAPSource(r.Context(), rc.Org.ID, r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, r, "/alerts?ok=flash.saved#sources")
}

// alertFormErrors translates the alert service's refusal for a form, in
// the person's language: each message under its field, to be shown next
// to it, and all of them under box, the alert above the form (incident,
// zones, sources or send). It returns false when err is no refusal.
func (s *Server) alertFormErrors(rc *reqCtx, err error, box string) (map[string]string, bool) {
	es, ok := valid.As(err)
	if !ok {
		return nil, false
	}
	errs := map[string]string{}
	var all []string
	for _, e := range es {
		msg := s.t(rc, e.Key, e.Args...)
		if _, dup := errs[e.Field]; !dup {
			errs[e.Field] = msg
		}
		if !slices.Contains(all, msg) {
			all = append(all, msg)
		}
	}
	errs[box] = strings.Join(all, " ")
	return errs, true
}

type alertTimelineItem struct {
	Alert      alert.Alert
	Deliveries []deliveryRow
}

// deliveryRow is a delivery as the timeline shows it, in the viewer's
// language: the target's name and the last error.
type deliveryRow struct {
	alert.Delivery
	Name, Problem string
}

type incidentData struct {
	Incident  alert.Incident
	Zones     []alert.Zone
	Types     []alert.Type
	Colours   []alert.Colour
	Timeline  []alertTimelineItem
	Accounts  []publish.Account
	Kinds     []alert.Kind
	Languages []string
	Draft     *alert.Draft
	Selected  map[string]bool
	Langs     map[string]bool
	LiveURL   string
	CanManage bool
	CanSend   bool
	Pending   bool
	Location  *time.Location
	Map       *incidentMap
	// Area is the incident's drawn area as the form's field writes it.
	Area string
}

func (s *Server) incidentShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.incidentPage(w, r, rc, http.StatusOK, nil, nil)
}

// incidentPage shows an incident, its composer and its timeline with
// each channel's delivery. draft is the composer's preview, if asked.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errs map[string]string, draft *alert.Draft) error {
	ctx := r.Context()
	inc, err := s.Alerts.Incident(ctx, rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := incidentData{Incident: inc, Types: alert.Types, Colours: alert.Colours, Languages: alert.Languages[1:], Draft: draft,
		Map: s.incidentMap(), Area: areaValue(inc.Area),
		LiveURL: s.Alerts.LiveURL(rc.Org.Slug, inc.ID), CanManage: rc.Grants.Can(org.PermIncidentManage) && inc.Status != alert.StatusResolved,
		CanSend: rc.Grants.Can(org.PermAlertSend) && inc.Status != alert.StatusResolved, Selected: map[string]bool{}, Langs: map[string]bool{"en": true}}
	d.Location, _ = time.LoadLocation(rc.Org.Timezone)
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Zones, err = s.Alerts.Zones(ctx, rc.Org.ID); err != nil {
		return err
	}
	if d.Timeline, d.Pending, err = s.timeline(r, rc, inc.ID); err != nil {
		return err
	}
	switch inc.Status {
	case alert.StatusDraft:
		d.Kinds = []alert.Kind{alert.KindAlert}
	case alert.StatusActive:
		d.Kinds = []alert.Kind{alert.KindUpdate, alert.KindCancel}
	}
	accounts, err := s.Publish.Accounts(ctx, rc.Org.ID)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		// A drill lists the sandbox channels only: it can never publish
		// for real (the service refuses it too).
		if a.Status == publish.AccountDisabled || (inc.Exercise && !a.Sandbox) || a.Platform == "feed" {
			continue
		}
		d.Accounts = append(d.Accounts, a)
		d.Selected[a.ID] = r.Method != http.MethodPost || slices.Contains(r.PostForm["account"], a.ID)
	}
	if r.Method == http.MethodPost {
		d.Langs = map[string]bool{}
		for _, l := range r.PostForm["lang"] {
			d.Langs[l] = true
		}
	}
	return s.render(w, r, rc, status, "alerts_incident", &page{Area: "alerts", Title: inc.Title, Data: d, Errors: errs,
		Form: formOf(r, "kind", "headline", "body", "instruction")})
}

// timeline is an incident's alerts, newest first, with their deliveries;
// pending says some delivery is not settled yet.
func (s *Server) timeline(r *http.Request, rc *reqCtx, incidentID string) ([]alertTimelineItem, bool, error) {
	alerts, err := s.Alerts.Alerts(r.Context(), rc.Org.ID, incidentID)
	if err != nil {
		return nil, false, err
	}
	pending := false
	out := make([]alertTimelineItem, 0, len(alerts))
	for i := len(alerts) - 1; i >= 0; i-- {
		ds, err := s.Alerts.Deliveries(r.Context(), rc.Org.ID, alerts[i].ID)
		if err != nil {
			return nil, false, err
		}
		rows := make([]deliveryRow, len(ds))
		for j, d := range ds {
			pending = pending || !d.Settled()
			rows[j] = deliveryRow{Delivery: d, Name: d.LabelIn(s.catalog, rc.Lang), Problem: d.ErrorIn(s.catalog, rc.Lang)}
		}
		out = append(out, alertTimelineItem{Alert: alerts[i], Deliveries: rows})
	}
	return out, pending, nil
}

// sendInput reads the composer.
func sendInput(r *http.Request) alert.SendInput {
	in := alert.SendInput{Kind: alert.Kind(r.PostFormValue("kind")), Headline: r.PostFormValue("headline"), Body: r.PostFormValue("body"),
		Instruction: r.PostFormValue("instruction"), Languages: r.PostForm["lang"], AccountIDs: r.PostForm["account"],
		Texts: map[string]alert.Texts{}}
	for _, l := range alert.Languages {
		t := alert.Texts{Short: r.PostFormValue("text_" + l + "_short"), Full: r.PostFormValue("text_" + l + "_full"),
			Push: r.PostFormValue("text_" + l + "_push")}
		if t != (alert.Texts{}) {
			in.Texts[l] = t
		}
	}
	return in
}

// alertSend previews the composer's texts (action=preview) or sends the
// alert to every selected channel in one action.
func (s *Server) alertSend(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	in := sendInput(r)
	if r.PostFormValue("action") == "preview" {
		inc, err := s.Alerts.Incident(r.Context(), rc.Org.ID, r.PathValue("id"))
		if err != nil {
			return err
		}
		if !in.Kind.Valid() {
			in.Kind = alert.KindAlert
		}
		d := alert.Compose(inc, in.Kind, in.Languages, s.Alerts.LiveURL(rc.Org.Slug, inc.ID), in.Headline, in.Body, in.Instruction)
		return s.incidentPage(w, r, rc, http.StatusOK, nil, &d)
	}
	_, _, err := s.Alerts.Send(r.Context(), rc.Org.ID, rc.Person.ID, r.PathValue("id"), in)
	if errs, ok := s.alertFormErrors(rc, err, "send"); ok {
		return s.incidentPage(w, r, rc, http.StatusUnprocessableEntity, errs, nil)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/alerts/incidents/"+r.PathValue("id")+"?ok=flash.alert_sent#timeline")
}

// alertDeliveries is the timeline fragment the page swaps in while
// deliveries settle.
func (s *Server) alertDeliveries(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, err := s.Alerts.Incident(r.Context(), rc.Org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := incidentData{Incident: inc, CanSend: rc.Grants.Can(org.PermAlertSend)}
	d.Location, _ = time.LoadLocation(rc.Org.Timezone)
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Timeline, d.Pending, err = s.timeline(r, rc, inc.ID); err != nil {
		return err
	}
	return s.fragment(w, rc, "alerts_incident", "alerts-timeline", &page{reqCtx: rc, Data: d})
}

// alertEvents tells the incident page when a delivery changed, by
// Server-Sent Events; the page then fetches the timeline again.
func (s *Server) alertEvents(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return errors.New("web: streaming unsupported")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	rcw := http.NewResponseController(w)
	// The server's read timeout would end the stream after a minute.
	_ = rcw.SetReadDeadline(time.Time{})
	ctx := r.Context()
	_, _ = w.Write([]byte("retry: 2000\n\n"))
	fl.Flush()
	last := ""
	keepAlive := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		sig, err := s.Alerts.Signature(ctx, rc.Org.ID, r.PathValue("id"))
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // the page went away
			}
			return err
		}
		_ = rcw.SetWriteDeadline(time.Now().Add(10 * time.Second))
		switch {
		case sig != last && last != "":
			if _, err := w.Write([]byte("event: deliveries\ndata: {}\n\n")); err != nil {
				return nil //nolint:nilerr // the page went away
			}
			fl.Flush()
			keepAlive = time.Now()
		case time.Since(keepAlive) > 20*time.Second:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil //nolint:nilerr // the page went away
			}
			fl.Flush()
			keepAlive = time.Now()
		}
		last = sig
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (s *Server) deliverySettle(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sent := r.PostFormValue("outcome") == "sent"
	err := s.Alerts.Settle(r.Context(), rc.Org.ID, r.PathValue("id"), sent)
	if _, refused := valid.As(err); err != nil && !refused {
		return err
	}
	back := r.PostFormValue("incident")
	if back == "" || strings.ContainsAny(back, "/?#") {
		return redirect(w, r, "/alerts")
	}
	return redirect(w, r, "/alerts/incidents/"+back+"#timeline")
}
