// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"math"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) at
// /o/{slug}/open311/v2/, so that municipal ticketing systems create and
// follow the desk's requests. A service is an office and a triage
// category; a service request is a desk conversation. The format is the
// extension of the last path segment (.json or .xml), as the spec says.
//
// No api_key is required to create a request: the web form takes
// requests from anyone too, and the same per-address rate limit guards
// both. A key a client sends anyway is ignored.

const (
	open311Base    = "/open311/v2/"
	open311Spec    = "http://wiki.open311.org/GeoReport_v2"
	open311MaxForm = 64 << 10 // the spec's fields, description at most 4000 characters
	open311Window  = 90 * 24 * time.Hour
)

// Limits of the spec and of the desk on the fields of a new request.
const (
	open311MaxDescription = 4000
	open311MaxName        = 100
	open311MaxAddress     = 500
	open311MaxURL         = 2000
	open311MaxPhone       = 40
)

// open311Routes registers the API. The endpoints are JSON and XML for
// machines: no session, no CSRF token, plain handlers as for webhooks.
// As every public page, they work without the /o/{slug} prefix for the
// default organisation.
func (s *Server) open311Routes(mux *http.ServeMux) {
	for _, prefix := range []string{"/o/{slug}", ""} {
		base := prefix + open311Base
		mux.HandleFunc("GET "+base+"{file}", s.open311Get)              // discovery, services, requests
		mux.HandleFunc("POST "+base+"{file}", s.open311Post)            // requests
		mux.HandleFunc("GET "+base+"services/{file}", s.open311Service) // a service definition
		mux.HandleFunc("GET "+base+"requests/{file}", s.open311Request) // one request
	}
}

// open311Org finds the organisation of the path, as hookOrg does, or the
// default one for the unprefixed paths.
func (s *Server) open311Org(r *http.Request) (org.Organisation, bool) {
	if !strings.Contains(r.Pattern, "{slug}") {
		o, err := s.defaultOrg(r.Context())
		return o, err == nil
	}
	return s.hookOrg(r)
}

// splitFormat splits "services.json" into "services" and "json"; the
// format is empty when it is not one the spec knows.
func splitFormat(file string) (name, format string) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return file, ""
	}
	name, format = file[:i], file[i+1:]
	if format != "json" && format != "xml" {
		return name, ""
	}
	return name, format
}

// open311Error is one entry of the spec's error answer.
type open311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type open311Errors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []open311Error
}

// open311Write answers in the format asked; a request without a known
// format is answered in JSON.
func (s *Server) open311Write(w http.ResponseWriter, r *http.Request, format string, status int, jsonValue, xmlValue any) {
	var body []byte
	var err error
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		body, err = xml.MarshalIndent(xmlValue, "", "  ")
		if err == nil {
			body = append([]byte(xml.Header), append(body, '\n')...)
		}
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body, err = json.Marshal(jsonValue)
		body = append(body, '\n')
	}
	if err != nil {
		s.Logger.Error("open311: encode", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if r.Method == http.MethodGet {
		// Public data: a map in a browser may read it from another site.
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) open311Fail(w http.ResponseWriter, r *http.Request, format string, status int, description string) {
	errs := []open311Error{{Code: status, Description: description}}
	s.open311Write(w, r, format, status, errs, open311Errors{Errors: errs})
}

func (s *Server) open311Internal(w http.ResponseWriter, r *http.Request, format string, err error) {
	s.Logger.Error("open311", "path", r.URL.Path, "err", err)
	s.open311Fail(w, r, format, http.StatusInternalServerError, "internal error, try again later")
}

// open311Get serves the documents at the root: discovery, the service
// list and the request list.
func (s *Server) open311Get(w http.ResponseWriter, r *http.Request) {
	name, format := splitFormat(r.PathValue("file"))
	o, ok := s.open311Org(r)
	if !ok || format == "" {
		s.open311Fail(w, r, format, http.StatusNotFound, "not found")
		return
	}
	switch name {
	case "discovery":
		s.open311Discovery(w, r, o, format)
	case "services":
		s.open311Services(w, r, o, format)
	case "requests":
		s.open311Requests(w, r, o, format)
	default:
		s.open311Fail(w, r, format, http.StatusNotFound, "not found")
	}
}

// Discovery (the spec's endpoint list).

type open311Endpoint struct {
	XMLName       xml.Name `json:"-" xml:"endpoint"`
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type open311DiscoveryDoc struct {
	XMLName    xml.Name          `json:"-" xml:"discovery"`
	Changeset  string            `json:"changeset" xml:"changeset"`
	Contact    string            `json:"contact" xml:"contact"`
	KeyService string            `json:"key_service" xml:"key_service"`
	Endpoints  []open311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// open311Changeset is when the API last changed in a way clients see.
const open311Changeset = "2026-01-01T00:00:00Z"

func (s *Server) open311Discovery(w http.ResponseWriter, r *http.Request, o org.Organisation, format string) {
	doc := open311DiscoveryDoc{Changeset: open311Changeset, Contact: o.Name,
		KeyService: "No api_key is needed.",
		Endpoints: []open311Endpoint{{Specification: open311Spec, URL: s.PublicURL + "/o/" + o.Slug + strings.TrimSuffix(open311Base, "/"),
			Changeset: open311Changeset, Type: "production", Formats: []string{"text/xml", "application/json"}}}}
	s.open311Write(w, r, format, http.StatusOK, doc, doc)
}

// Services.

type open311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	Code        string   `json:"service_code" xml:"service_code"`
	Name        string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type open311ServiceList struct {
	XMLName  xml.Name `xml:"services"`
	Services []open311Service
}

// open311ServiceName names a service in Italian, the interface's default
// language: the office, then the kind of request.
func (s *Server) open311ServiceName(officeName, category string) string {
	return officeName + " – " + s.catalog.T(i18n.Italian, "triage.category."+category)
}

// open311ServiceList is one service per office and triage category.
func (s *Server) open311ServiceList(r *http.Request, o org.Organisation) ([]open311Service, error) {
	offices, err := s.Orgs.Offices(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	list := make([]open311Service, 0, len(offices)*len(triage.Categories))
	for _, off := range offices {
		for _, cat := range triage.Categories {
			label := s.catalog.T(i18n.Italian, "triage.category."+cat)
			name := s.open311ServiceName(off.Name, cat)
			list = append(list, open311Service{Code: desk.ServiceCode(off.Code, cat), Name: name,
				Description: name + " – " + o.Name, Type: "realtime", Group: off.Name,
				Keywords: strings.ToLower(label) + ", " + strings.ToLower(off.Name) + ", " + off.Code})
		}
	}
	return list, nil
}

func (s *Server) open311Services(w http.ResponseWriter, r *http.Request, o org.Organisation, format string) {
	list, err := s.open311ServiceList(r, o)
	if err != nil {
		s.open311Internal(w, r, format, err)
		return
	}
	s.open311Write(w, r, format, http.StatusOK, list, open311ServiceList{Services: list})
}

type open311Definition struct {
	XMLName    xml.Name   `json:"-" xml:"service_definition"`
	Code       string     `json:"service_code" xml:"service_code"`
	Attributes []struct{} `json:"attributes" xml:"attributes"`
}

// open311Service serves a service definition. Every service has metadata
// false, so the definition has no attributes; an unknown code is a 404.
func (s *Server) open311Service(w http.ResponseWriter, r *http.Request) {
	code, format := splitFormat(r.PathValue("file"))
	o, ok := s.open311Org(r)
	if !ok || format == "" {
		s.open311Fail(w, r, format, http.StatusNotFound, "not found")
		return
	}
	list, err := s.open311ServiceList(r, o)
	if err != nil {
		s.open311Internal(w, r, format, err)
		return
	}
	for _, sv := range list {
		if sv.Code == code {
			def := open311Definition{Code: code, Attributes: []struct{}{}}
			s.open311Write(w, r, format, http.StatusOK, def, def)
			return
		}
	}
	s.open311Fail(w, r, format, http.StatusNotFound, "service_code not found")
}

// Creating a request.

// open311Form is a new request as the spec's POST sends it.
type open311Form struct {
	ServiceCode, Office, Category string
	HasPosition                   bool
	Lat, Long                     float64
	Address                       string
	Description                   string
	Email                         string
	FirstName, LastName           string
	Phone                         string
	MediaURL                      string
}

// parseOpen311Form checks the fields of a POST requests; the error is the
// description of the spec's 400 answer.
func parseOpen311Form(v url.Values) (open311Form, error) {
	var f open311Form
	clean := func(key string, limit int) (string, error) {
		s := strings.TrimSpace(strings.ReplaceAll(v.Get(key), "\x00", ""))
		if !utf8.ValidString(s) {
			return "", errors.New(key + " is not valid UTF-8")
		}
		if utf8.RuneCountInString(s) > limit {
			return "", errors.New(key + " is too long")
		}
		return s, nil
	}
	var err error
	if f.ServiceCode, err = clean("service_code", 100); err != nil {
		return f, err
	}
	if f.ServiceCode == "" {
		return f, errors.New("service_code is required")
	}
	var ok bool
	if f.Office, f.Category, ok = desk.ParseServiceCode(f.ServiceCode); !ok {
		return f, errors.New("service_code not found")
	}
	fields := []struct {
		dst *string
		key string
		max int
	}{
		{&f.Description, "description", open311MaxDescription},
		{&f.Address, "address_string", open311MaxAddress},
		{&f.Email, "email", 200},
		{&f.FirstName, "first_name", open311MaxName},
		{&f.LastName, "last_name", open311MaxName},
		{&f.Phone, "phone", open311MaxPhone},
		{&f.MediaURL, "media_url", open311MaxURL},
	}
	for _, fd := range fields {
		if *fd.dst, err = clean(fd.key, fd.max); err != nil {
			return f, err
		}
	}
	lat, long := strings.TrimSpace(v.Get("lat")), strings.TrimSpace(v.Get("long"))
	if lat != "" || long != "" {
		var ok bool
		if f.Lat, f.Long, ok = desk.ParsePosition(lat + "," + long); !ok || math.IsNaN(f.Lat) || math.IsNaN(f.Long) {
			return f, errors.New("lat and long must be a valid WGS84 position, both given")
		}
		f.HasPosition = true
	}
	// The spec asks for a location: a position or an address.
	if !f.HasPosition && f.Address == "" {
		return f, errors.New("a location is required: lat and long, or address_string")
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email {
			return f, errors.New("email is not a valid address")
		}
	}
	if f.MediaURL != "" {
		u, err := url.Parse(f.MediaURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return f, errors.New("media_url must be an http or https URL")
		}
	}
	return f, nil
}

// inbound is the desk message of a request; id is its remote id.
func (f open311Form) inbound(orgID, id string, at time.Time) desk.Inbound {
	var atts []channel.Attachment
	if f.HasPosition {
		atts = append(atts, channel.Attachment{Kind: desk.AttachLocation, Name: desk.FormatPosition(f.Lat, f.Long)})
	}
	if f.Address != "" {
		atts = append(atts, channel.Attachment{Kind: desk.AttachAddress, Name: f.Address})
	}
	if f.MediaURL != "" {
		atts = append(atts, channel.Attachment{Kind: "photo", URL: f.MediaURL})
	}
	author := f.Email
	if author == "" {
		author = "open311:" + id
	}
	// The handle is what the desk shows next to the name: how to reach
	// the citizen.
	var reach []string
	for _, c := range []string{f.Email, f.Phone} {
		if c != "" {
			reach = append(reach, c)
		}
	}
	return desk.Inbound{OrgID: orgID, Source: desk.SourceOpen311, Contact: f.Email,
		Msg: channel.Inbound{RemoteID: id, Thread: id, Visibility: channel.Private, AuthorID: author,
			AuthorName: strings.TrimSpace(f.FirstName + " " + f.LastName), AuthorHandle: strings.Join(reach, ", "),
			Text: f.Description, Attachments: atts, At: at}}
}

type open311Created struct {
	XMLName    xml.Name `json:"-" xml:"request"`
	ID         string   `json:"service_request_id" xml:"service_request_id"`
	Notice     string   `json:"service_notice" xml:"service_notice"`
	AccountID  *string  `json:"account_id" xml:"-"`
	XAccountID string   `json:"-" xml:"account_id"`
}

type open311CreatedList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []open311Created
}

// open311Post creates a service request (POST requests.{format}).
func (s *Server) open311Post(w http.ResponseWriter, r *http.Request) {
	name, format := splitFormat(r.PathValue("file"))
	o, ok := s.open311Org(r)
	if !ok || format == "" || name != "requests" {
		s.open311Fail(w, r, format, http.StatusNotFound, "not found")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, open311MaxForm)
	//nolint:gosec // G120: the body is bounded just above
	if err := r.ParseMultipartForm(open311MaxForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.open311Fail(w, r, format, http.StatusBadRequest, "the request body is not a valid form")
		return
	}
	f, err := parseOpen311Form(r.Form)
	if err != nil {
		s.open311Fail(w, r, format, http.StatusBadRequest, err.Error())
		return
	}
	// Only requests that would be stored count against the address's
	// budget, shared with the web form.
	if !s.formLimits.allow(clientIP(r)) {
		s.open311Fail(w, r, format, http.StatusTooManyRequests, "too many requests from this address, try again later")
		return
	}
	id := store.NewID()
	res, err := s.Desk.IngestRouted(r.Context(), f.inbound(o.ID, id, time.Now()), f.Office, f.Category)
	if errors.Is(err, desk.ErrInvalid) {
		// The office of the code does not exist (any more).
		s.open311Fail(w, r, format, http.StatusBadRequest, "service_code not found")
		return
	}
	if err != nil {
		s.open311Internal(w, r, format, err)
		return
	}
	// The status link lets the citizen follow the request on the web too.
	notice := s.catalog.T(i18n.Italian, "webform.thanks") + " " + s.Desk.StatusURL(o.Slug, res.Token)
	out := []open311Created{{ID: res.ConversationID, Notice: notice}}
	s.open311Write(w, r, format, http.StatusCreated, out, open311CreatedList{Requests: out})
}

// Reading requests.

type open311RequestDoc struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	Address           string   `json:"address" xml:"address"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type open311RequestList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []open311RequestDoc
}

func (s *Server) open311Doc(o org.Organisation, q desk.Open311Request) open311RequestDoc {
	loc := o.Location()
	d := open311RequestDoc{ID: q.ID, Status: q.Open311Status(), StatusNotes: q.Notes, ServiceCode: q.ServiceCode(),
		Description: q.Description, AgencyResponsible: q.OfficeName,
		RequestedDatetime: q.CreatedAt.In(loc).Format(time.RFC3339), UpdatedDatetime: q.UpdatedAt.In(loc).Format(time.RFC3339),
		Address: q.Address, MediaURL: q.MediaURL}
	if d.ServiceCode != "" {
		d.ServiceName = s.open311ServiceName(q.OfficeName, q.Category)
	}
	if q.HasPosition {
		lat, long := q.Lat, q.Long
		d.Lat, d.Long = &lat, &long
	}
	return d
}

// open311Query reads the filters of GET requests.
func open311Query(v url.Values, now time.Time) (desk.Open311Filter, error) {
	var f desk.Open311Filter
	list := func(key string) []string {
		var out []string
		for _, x := range strings.Split(v.Get(key), ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	// With ids, the spec ignores every other parameter.
	if f.IDs = list("service_request_id"); len(f.IDs) > 0 {
		if len(f.IDs) > desk.Open311Max {
			return f, errors.New("too many service_request_id")
		}
		return f, nil
	}
	f.Services = list("service_code")
	for _, c := range f.Services {
		if _, _, ok := desk.ParseServiceCode(c); !ok {
			return f, errors.New("service_code not found: " + c)
		}
	}
	// "open,closed" is every request, as no status at all.
	open, closed := false, false
	for _, st := range list("status") {
		switch st {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			return f, errors.New("status must be open or closed")
		}
	}
	if open != closed {
		f.Status = map[bool]string{true: "open", false: "closed"}[open]
	}
	for _, d := range []struct {
		key string
		dst *time.Time
	}{{"start_date", &f.Start}, {"end_date", &f.End}} {
		raw := strings.TrimSpace(v.Get(d.key))
		if raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			return f, errors.New(d.key + " must be a W3C date-time such as 2026-01-31T08:00:00+01:00")
		}
		*d.dst = t
	}
	switch {
	case f.Start.IsZero() && f.End.IsZero():
		f.Start = now.Add(-open311Window)
	case f.Start.IsZero():
		f.Start = f.End.Add(-open311Window)
	}
	if !f.End.IsZero() && f.End.Before(f.Start) {
		return f, errors.New("end_date is before start_date")
	}
	return f, nil
}

// open311Requests serves GET requests.{format}: the last 90 days by
// default, at most 1000 requests, the newest first.
func (s *Server) open311Requests(w http.ResponseWriter, r *http.Request, o org.Organisation, format string) {
	f, err := open311Query(r.URL.Query(), time.Now())
	if err != nil {
		s.open311Fail(w, r, format, http.StatusBadRequest, err.Error())
		return
	}
	reqs, err := s.Desk.Open311Requests(r.Context(), o.ID, f)
	if errors.Is(err, desk.ErrInvalid) {
		s.open311Fail(w, r, format, http.StatusBadRequest, "invalid parameters")
		return
	}
	if err != nil {
		s.open311Internal(w, r, format, err)
		return
	}
	docs := make([]open311RequestDoc, len(reqs))
	for i, q := range reqs {
		docs[i] = s.open311Doc(o, q)
	}
	s.open311Write(w, r, format, http.StatusOK, docs, open311RequestList{Requests: docs})
}

// open311Request serves GET requests/{id}.{format}: a list of one, as
// the spec has it.
func (s *Server) open311Request(w http.ResponseWriter, r *http.Request) {
	id, format := splitFormat(r.PathValue("file"))
	o, ok := s.open311Org(r)
	if !ok || format == "" || id == "" || len(id) > 64 {
		s.open311Fail(w, r, format, http.StatusNotFound, "not found")
		return
	}
	reqs, err := s.Desk.Open311Requests(r.Context(), o.ID, desk.Open311Filter{IDs: []string{id}})
	if err != nil {
		s.open311Internal(w, r, format, err)
		return
	}
	if len(reqs) == 0 {
		s.open311Fail(w, r, format, http.StatusNotFound, "service_request_id not found")
		return
	}
	docs := []open311RequestDoc{s.open311Doc(o, reqs[0])}
	s.open311Write(w, r, format, http.StatusOK, docs, open311RequestList{Requests: docs})
}
