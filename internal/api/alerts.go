// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Emergency communication over the API: incidents, the alerts sent about
// them with each target's delivery, the composer's preview, a person's
// decision on a delivery whose outcome is unknown, and the named zones
// imported from GeoJSON.

type pointJSON struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type circleJSON struct {
	Center   pointJSON `json:"center"`
	RadiusKm float64   `json:"radius_km"`
}

// areaJSON is a drawn area: a polygon or a circle; both empty is none.
type areaJSON struct {
	Polygon []pointJSON `json:"polygon"`
	Circle  *circleJSON `json:"circle"`
}

type numberJSON struct {
	Label  string `json:"label"`
	Number string `json:"number"`
}

type linkJSON struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// incidentJSON is an incident (components.schemas.Incident).
type incidentJSON struct {
	ID           string       `json:"id"`
	Type         string       `json:"type"`
	Colour       string       `json:"colour"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	Hashtag      string       `json:"hashtag"`
	Instructions string       `json:"instructions"`
	Numbers      []numberJSON `json:"numbers"`
	Links        []linkJSON   `json:"links"`
	ZoneIDs      []string     `json:"zone_ids"`
	Area         areaJSON     `json:"area"`
	AreaDesc     string       `json:"area_desc"`
	Status       string       `json:"status"`
	Exercise     bool         `json:"exercise"`
	Source       string       `json:"source"`
	SourceRef    string       `json:"source_ref"`
	StartedAt    *time.Time   `json:"started_at"`
	ResolvedAt   *time.Time   `json:"resolved_at"`
	CreatedBy    string       `json:"created_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	LiveURL      string       `json:"live_url"`
}

func pointView(p alert.Point) pointJSON { return pointJSON{Lat: p.Lat, Lon: p.Lon} }

func pointsView(ps []alert.Point) []pointJSON {
	out := make([]pointJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, pointView(p))
	}
	return out
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (s *server) incidentView(in alert.Incident, slug string) incidentJSON {
	v := incidentJSON{ID: in.ID, Type: string(in.Type), Colour: string(in.Colour), Title: in.Title, Description: in.Description,
		Hashtag: in.Hashtag, Instructions: in.Instructions, Numbers: []numberJSON{}, Links: []linkJSON{},
		ZoneIDs: append([]string{}, in.ZoneIDs...), Area: areaJSON{Polygon: pointsView(in.Area.Polygon)}, AreaDesc: in.AreaDesc,
		Status: string(in.Status), Exercise: in.Exercise, Source: in.Source, SourceRef: in.SourceRef,
		StartedAt: optionalTime(in.StartedAt), ResolvedAt: optionalTime(in.ResolvedAt), CreatedBy: in.CreatedBy,
		CreatedAt: in.CreatedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC(), LiveURL: s.Alerts.LiveURL(slug, in.ID)}
	for _, n := range in.Numbers {
		v.Numbers = append(v.Numbers, numberJSON{Label: n.Label, Number: n.Number})
	}
	for _, l := range in.Links {
		v.Links = append(v.Links, linkJSON{Label: l.Label, URL: l.URL})
	}
	if c := in.Area.Circle; c != nil {
		v.Area.Circle = &circleJSON{Center: pointView(c.Center), RadiusKm: c.RadiusKm}
	}
	return v
}

// textsJSON are one language's texts of an alert, one per kind of channel.
type textsJSON struct {
	Headline string `json:"headline"`
	Short    string `json:"short"`
	Full     string `json:"full"`
	Push     string `json:"push"`
}

func textsView(ts map[string]alert.Texts) map[string]textsJSON {
	out := make(map[string]textsJSON, len(ts))
	for lang, t := range ts {
		out[lang] = textsJSON{Headline: t.Headline, Short: t.Short, Full: t.Full, Push: t.Push}
	}
	return out
}

// alertJSON is one alert (components.schemas.Alert).
type alertJSON struct {
	ID          string               `json:"id"`
	IncidentID  string               `json:"incident_id"`
	Kind        string               `json:"kind"`
	Colour      string               `json:"colour"`
	Headline    string               `json:"headline"`
	Body        string               `json:"body"`
	Instruction string               `json:"instruction"`
	Texts       map[string]textsJSON `json:"texts"`
	Exercise    bool                 `json:"exercise"`
	CreatedBy   string               `json:"created_by"`
	SentAt      time.Time            `json:"sent_at"`
}

// deliveryJSON is an alert on one target (components.schemas.Delivery).
type deliveryJSON struct {
	ID        string    `json:"id"`
	AlertID   string    `json:"alert_id"`
	Target    string    `json:"target"`
	AccountID string    `json:"account_id"`
	Platform  string    `json:"platform"`
	Label     string    `json:"label"`
	State     string    `json:"state"`
	RemoteID  string    `json:"remote_id"`
	RemoteURL string    `json:"remote_url"`
	Error     string    `json:"error"`
	ErrorCode string    `json:"error_code"`
	Attempts  int       `json:"attempts"`
	Total     int       `json:"total"`
	Done      int       `json:"done"`
	UpdatedAt time.Time `json:"updated_at"`
}

// alertDetailJSON is an alert with its deliveries
// (components.schemas.AlertDetail).
type alertDetailJSON struct {
	Alert      alertJSON      `json:"alert"`
	Deliveries []deliveryJSON `json:"deliveries"`
}

func alertDetail(a alert.Alert, ds []alert.Delivery) alertDetailJSON {
	v := alertDetailJSON{Alert: alertJSON{ID: a.ID, IncidentID: a.IncidentID, Kind: string(a.Kind), Colour: string(a.Colour),
		Headline: a.Headline, Body: a.Body, Instruction: a.Instruction, Texts: textsView(a.Texts), Exercise: a.Exercise,
		CreatedBy: a.CreatedBy, SentAt: a.SentAt.UTC()}, Deliveries: make([]deliveryJSON, 0, len(ds))}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryJSON{ID: d.ID, AlertID: d.AlertID, Target: d.Target, AccountID: d.AccountID,
			Platform: d.Platform, Label: d.Label, State: d.State, RemoteID: d.RemoteID, RemoteURL: d.RemoteURL, Error: d.Error,
			ErrorCode: d.ErrorKey, Attempts: d.Attempts, Total: d.Total, Done: d.Done, UpdatedAt: d.UpdatedAt.UTC()})
	}
	return v
}

// zoneJSON is a named zone (components.schemas.Zone).
type zoneJSON struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Polygons  [][]pointJSON `json:"polygons"`
	CreatedAt time.Time     `json:"created_at"`
}

func zonesView(zs []alert.Zone) []zoneJSON {
	out := make([]zoneJSON, 0, len(zs))
	for _, z := range zs {
		v := zoneJSON{ID: z.ID, Name: z.Name, Polygons: make([][]pointJSON, 0, len(z.Rings)), CreatedAt: z.CreatedAt.UTC()}
		for _, ring := range z.Rings {
			v.Polygons = append(v.Polygons, pointsView(ring))
		}
		out = append(out, v)
	}
	return out
}

// alertError turns the domain's refusals into a 422. Most name their
// fields with a translation key, which toError passes on; the domain names
// them after the web forms, renamed here after the request's JSON.
func alertError(err error) error {
	if es, ok := valid.As(err); ok {
		out := make(valid.Errors, 0, len(es))
		for _, e := range es {
			out = append(out, &valid.Error{Field: alertJSONField(e.Field), Key: e.Key, Args: e.Args})
		}
		return out
	}
	return err
}

// alertJSONField is the request field of a form field the alert service
// names: zone is zone_ids, account is account_ids, text_en_full is
// texts.en.full; the others have the same name.
func alertJSONField(field string) string {
	switch field {
	case "zone":
		return "zone_ids"
	case "account":
		return "account_ids"
	}
	if rest, ok := strings.CutPrefix(field, "text_"); ok {
		if lang, kind, ok := strings.Cut(rest, "_"); ok {
			return "texts." + lang + "." + kind
		}
	}
	return field
}

// fieldErrors collects the invalid fields the API itself can name.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, code, msg string) {
	*fe = append(*fe, FieldError{Field: field, Code: code, Message: msg})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "the request has invalid fields", Fields: fe}
}

func enumList[T ~string](values []T) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// orgSlug is the token's organisation's slug, for the public addresses.
func (s *server) orgSlug(r *http.Request, c *caller) (string, error) {
	o, err := s.Orgs.Organisation(r.Context(), c.OrgID)
	if err != nil {
		return "", err
	}
	return o.Slug, nil
}

// listIncidents answers GET /api/v1/incidents.
func (s *server) listIncidents(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return badRequest("limit must be a number from 1 to 500")
		}
		limit = n
	}
	slug, err := s.orgSlug(r, c)
	if err != nil {
		return err
	}
	incs, err := s.Alerts.Incidents(r.Context(), c.OrgID, limit)
	if err != nil {
		return err
	}
	out := make([]incidentJSON, 0, len(incs))
	for _, in := range incs {
		out = append(out, s.incidentView(in, slug))
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": out})
	return nil
}

// incidentRequest is the body of POST /api/v1/incidents and of PATCH
// /api/v1/incidents/{id}: on a PATCH, fields left out keep their value.
type incidentRequest struct {
	Type         *string       `json:"type"`
	Colour       *string       `json:"colour"`
	Title        *string       `json:"title"`
	Description  *string       `json:"description"`
	Hashtag      *string       `json:"hashtag"`
	Instructions *string       `json:"instructions"`
	Numbers      *[]numberJSON `json:"numbers"`
	Links        *[]linkJSON   `json:"links"`
	ZoneIDs      *[]string     `json:"zone_ids"`
	Area         *areaJSON     `json:"area"`
	AreaDesc     *string       `json:"area_desc"`
	Exercise     *bool         `json:"exercise"`
}

func (req incidentRequest) empty() bool { return req == incidentRequest{} }

// apply writes the fields given onto in and checks what the API can name
// a field for; the domain checks the rest.
func (req incidentRequest) apply(in alert.IncidentInput) (alert.IncidentInput, error) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	var typ, colour string
	typ, colour = string(in.Type), string(in.Colour)
	set(&typ, req.Type)
	set(&colour, req.Colour)
	in.Type, in.Colour = alert.Type(typ), alert.Colour(colour)
	set(&in.Title, req.Title)
	set(&in.Description, req.Description)
	set(&in.Hashtag, req.Hashtag)
	set(&in.Instructions, req.Instructions)
	if req.Numbers != nil {
		in.Numbers = nil
		for _, n := range *req.Numbers {
			in.Numbers = append(in.Numbers, alert.Number{Label: n.Label, Number: n.Number})
		}
	}
	if req.Links != nil {
		in.Links = nil
		for _, l := range *req.Links {
			in.Links = append(in.Links, alert.Link{Label: l.Label, URL: l.URL})
		}
	}
	if req.ZoneIDs != nil {
		in.ZoneIDs = *req.ZoneIDs
	}
	if req.Area != nil {
		in.Area = alert.Area{}
		for _, p := range req.Area.Polygon {
			in.Area.Polygon = append(in.Area.Polygon, alert.Point{Lat: p.Lat, Lon: p.Lon})
		}
		if c := req.Area.Circle; c != nil {
			in.Area.Circle = &alert.Circle{Center: alert.Point{Lat: c.Center.Lat, Lon: c.Center.Lon}, RadiusKm: c.RadiusKm}
		}
	}
	// A description made from the old zones would misname a new area:
	// unless one is given, it is made again from the zones.
	if req.AreaDesc == nil && (req.ZoneIDs != nil || req.Area != nil) {
		in.AreaDesc = ""
	}
	set(&in.AreaDesc, req.AreaDesc)
	if req.Exercise != nil {
		in.Exercise = *req.Exercise
	}
	var fe fieldErrors
	if !in.Type.Valid() {
		fe.add("type", "unknown", "type must be one of "+enumList(alert.Types))
	}
	if !in.Colour.Valid() {
		fe.add("colour", "unknown", "colour must be one of "+enumList(alert.Colours))
	}
	if strings.TrimSpace(in.Title) == "" {
		fe.add("title", "required", "title is required")
	}
	return in, fe.err()
}

// inputOf is an incident's current fields, the base of a PATCH.
func inputOf(in alert.Incident) alert.IncidentInput {
	return alert.IncidentInput{Type: in.Type, Colour: in.Colour, Title: in.Title, Description: in.Description, Hashtag: in.Hashtag,
		Instructions: in.Instructions, Numbers: in.Numbers, Links: in.Links, ZoneIDs: in.ZoneIDs, Area: in.Area, AreaDesc: in.AreaDesc,
		Exercise: in.Exercise}
}

// createIncident answers POST /api/v1/incidents: the incident opens as a
// draft, and its first alert makes it active.
func (s *server) createIncident(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req incidentRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	in, err := req.apply(alert.IncidentInput{})
	if err != nil {
		return err
	}
	slug, err := s.orgSlug(r, c)
	if err != nil {
		return err
	}
	inc, err := s.Alerts.CreateIncident(r.Context(), c.OrgID, c.Person.ID, in)
	if err != nil {
		return alertError(err)
	}
	w.Header().Set("Location", Prefix+"/incidents/"+url.PathEscape(inc.ID))
	writeJSON(w, http.StatusCreated, s.incidentView(inc, slug))
	return nil
}

// getIncident answers GET /api/v1/incidents/{id}: the incident with its
// alerts, oldest first, each with its deliveries.
func (s *server) getIncident(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	inc, err := s.Alerts.Incident(ctx, c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	slug, err := s.orgSlug(r, c)
	if err != nil {
		return err
	}
	alerts, err := s.Alerts.Alerts(ctx, c.OrgID, inc.ID)
	if err != nil {
		return err
	}
	out := make([]alertDetailJSON, 0, len(alerts))
	for _, a := range alerts {
		ds, err := s.Alerts.Deliveries(ctx, c.OrgID, a.ID)
		if err != nil {
			return err
		}
		out = append(out, alertDetail(a, ds))
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": s.incidentView(inc, slug), "alerts": out})
	return nil
}

// updateIncident answers PATCH /api/v1/incidents/{id}.
func (s *server) updateIncident(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req incidentRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := s.Alerts.Incident(ctx, c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	slug, err := s.orgSlug(r, c)
	if err != nil {
		return err
	}
	if req.empty() {
		writeJSON(w, http.StatusOK, s.incidentView(cur, slug)) // nothing to change, nothing to audit
		return nil
	}
	in, err := req.apply(inputOf(cur))
	if err != nil {
		return err
	}
	inc, err := s.Alerts.UpdateIncident(ctx, c.OrgID, cur.ID, in)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, s.incidentView(inc, slug))
	return nil
}

// composeRequest is what the composer takes, for a preview and a send.
type composeRequest struct {
	Kind        string   `json:"kind"`
	Headline    string   `json:"headline"`
	Body        string   `json:"body"`
	Instruction string   `json:"instruction"`
	Languages   []string `json:"languages"`
}

// check names the invalid fields; kind "" is allowed where a default
// exists.
func (req composeRequest) check(fe *fieldErrors) {
	if !alert.Kind(req.Kind).Valid() {
		fe.add("kind", "unknown", "kind must be one of alert, update, cancel")
	}
	for _, l := range req.Languages {
		if !slices.Contains(alert.Languages, l) {
			fe.add("languages", "unknown", "languages are among "+strings.Join(alert.Languages, ", ")+", not "+strconv.Quote(l))
		}
	}
}

// sendRequest is the body of POST /api/v1/incidents/{id}/alerts.
type sendRequest struct {
	composeRequest
	AccountIDs []string             `json:"account_ids"`
	Texts      map[string]textsJSON `json:"texts"`
}

// sendAlert answers POST /api/v1/incidents/{id}/alerts: the alert goes to
// every chosen channel in one action; each delivery then runs on its own.
func (s *server) sendAlert(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req sendRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	var fe fieldErrors
	req.check(&fe)
	in := alert.SendInput{Kind: alert.Kind(req.Kind), Headline: req.Headline, Body: req.Body, Instruction: req.Instruction,
		Languages: req.Languages, AccountIDs: req.AccountIDs, Texts: map[string]alert.Texts{}}
	for lang, t := range req.Texts {
		// The composer writes Italian and the languages asked for; texts
		// for any other language would be dropped without a word.
		if lang != "it" && !slices.Contains(req.Languages, lang) {
			fe.add("texts."+lang, "unknown", "texts are for it and the languages of the alert; add "+strconv.Quote(lang)+" to languages")
			continue
		}
		in.Texts[lang] = alert.Texts{Headline: t.Headline, Short: t.Short, Full: t.Full, Push: t.Push}
	}
	if err := fe.err(); err != nil {
		return err
	}
	a, ds, err := s.Alerts.Send(r.Context(), c.OrgID, c.Person.ID, r.PathValue("id"), in)
	if err != nil {
		return alertError(err)
	}
	w.Header().Set("Location", Prefix+"/alerts/"+url.PathEscape(a.ID))
	writeJSON(w, http.StatusCreated, alertDetail(a, ds))
	return nil
}

// previewJSON is what the composer proposes (components.schemas.AlertPreview).
type previewJSON struct {
	Kind        string               `json:"kind"`
	Headline    string               `json:"headline"`
	Body        string               `json:"body"`
	Instruction string               `json:"instruction"`
	Texts       map[string]textsJSON `json:"texts"`
}

// previewAlert answers POST /api/v1/incidents/{id}/alerts/preview: the
// texts an alert would have, per language and kind of channel, to edit
// before sending. Nothing is stored.
func (s *server) previewAlert(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req composeRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Kind == "" {
		req.Kind = string(alert.KindAlert)
	}
	var fe fieldErrors
	req.check(&fe)
	if err := fe.err(); err != nil {
		return err
	}
	inc, err := s.Alerts.Incident(r.Context(), c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	slug, err := s.orgSlug(r, c)
	if err != nil {
		return err
	}
	d := alert.Compose(inc, alert.Kind(req.Kind), req.Languages, s.Alerts.LiveURL(slug, inc.ID), req.Headline, req.Body, req.Instruction)
	writeJSON(w, http.StatusOK, previewJSON{Kind: string(d.Kind), Headline: d.Headline, Body: d.Body, Instruction: d.Instruction,
		Texts: textsView(d.Texts)})
	return nil
}

// getAlert answers GET /api/v1/alerts/{id}.
func (s *server) getAlert(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := s.Alerts.AlertByID(r.Context(), c.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ds, err := s.Alerts.Deliveries(r.Context(), c.OrgID, a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, alertDetail(a, ds))
	return nil
}

type settleRequest struct {
	Outcome string `json:"outcome"`
}

// settleDelivery answers POST /api/v1/deliveries/{id}/settle: a person's
// decision on a delivery that failed or whose outcome is unknown.
func (s *server) settleDelivery(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req settleRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Outcome != "sent" && req.Outcome != "resend" {
		var fe fieldErrors
		fe.add("outcome", "unknown", `outcome must be "sent" (seen on the platform) or "resend"`)
		return fe.err()
	}
	if err := s.Alerts.Settle(r.Context(), c.OrgID, r.PathValue("id"), req.Outcome == "sent"); err != nil {
		return alertError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listZones answers GET /api/v1/zones, by name.
func (s *server) listZones(w http.ResponseWriter, r *http.Request, c *caller) error {
	zones, err := s.Alerts.Zones(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"zones": zonesView(zones)})
	return nil
}

// importZones answers POST /api/v1/zones: a GeoJSON file of named
// polygons, as QGIS or geojson.io export it. A zone named like an
// existing one replaces its shape; the file is taken whole or not at all.
func (s *server) importZones(w http.ResponseWriter, r *http.Request, c *caller) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/geo+json" && mt != "application/json") {
		return badRequest("send the GeoJSON with Content-Type application/geo+json or application/json")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, alert.MaxZonesFile))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return badRequest("the GeoJSON is larger than %d MiB", alert.MaxZonesFile>>20)
		}
		return badRequest("the body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("the body is empty; send a GeoJSON FeatureCollection")
	}
	zones, err := s.Alerts.ImportZones(r.Context(), c.OrgID, data)
	if err != nil {
		return alertError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"zones": zonesView(zones)})
	return nil
}

// subscriptionsSummaryJSON counts the citizens' subscriptions to alerts
// (components.schemas.SubscriptionsSummary).
type subscriptionsSummaryJSON struct {
	Total  int            `json:"total"`
	ByKind map[string]int `json:"by_kind"`
}

// subscriptionsSummary answers GET /api/v1/subscriptions/summary: how many
// browsers (Web Push) and Telegram chats receive the alerts. Who they are
// stays private.
func (s *server) subscriptionsSummary(w http.ResponseWriter, r *http.Request, c *caller) error {
	counts, err := s.Alerts.SubscriberCounts(r.Context(), c.OrgID)
	if err != nil {
		return err
	}
	v := subscriptionsSummaryJSON{ByKind: map[string]int{alert.SubscriberWebPush: 0, alert.SubscriberTelegram: 0}}
	for kind, n := range counts {
		v.ByKind[kind] = n
		v.Total += n
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
