// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/desk"
)

// open311Addr hands each test client an address of its own on the
// loopback network, so the per-address limit it shares with the web form
// (and the other tests of the package) is its own.
var open311Addr atomic.Int32

type open311Client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newOpen311Client(t *testing.T, base string) *open311Client {
	t.Helper()
	ip := net.IPv4(127, 31, 1, byte(10+open311Addr.Add(1)))
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	c := &open311Client{t: t, base: base, c: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext}}}
	// Only Linux routes all of 127.0.0.0/8 to the loopback interface.
	if conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://")); err != nil {
		if errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Skip("no loopback address " + ip.String() + ": " + err.Error())
		}
		t.Fatal(err)
	} else {
		_ = conn.Close()
	}
	return c
}

func (c *open311Client) do(method, path string, form url.Values) (int, string, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// getJSON fetches path and decodes the JSON answer into v.
func (c *open311Client) getJSON(path string, v any) int {
	c.t.Helper()
	code, ct, body := c.do(http.MethodGet, path, nil)
	if !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("GET %s: content type %q", path, ct)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		c.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
	return code
}

func (c *open311Client) getXML(path string, v any) int {
	c.t.Helper()
	code, ct, body := c.do(http.MethodGet, path, nil)
	if !strings.HasPrefix(ct, "text/xml") || !strings.HasPrefix(body, "<?xml") {
		c.t.Fatalf("GET %s: content type %q, body %.80s", path, ct, body)
	}
	if err := xml.Unmarshal([]byte(body), v); err != nil {
		c.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
	return code
}

type o311Service struct {
	Code        string `json:"service_code" xml:"service_code"`
	Name        string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type o311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type o311Request struct {
	ID          string   `json:"service_request_id" xml:"service_request_id"`
	Status      string   `json:"status" xml:"status"`
	StatusNotes string   `json:"status_notes" xml:"status_notes"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	Description string   `json:"description" xml:"description"`
	Agency      string   `json:"agency_responsible" xml:"agency_responsible"`
	Requested   string   `json:"requested_datetime" xml:"requested_datetime"`
	Updated     string   `json:"updated_datetime" xml:"updated_datetime"`
	Address     string   `json:"address" xml:"address"`
	Lat         *float64 `json:"lat" xml:"lat"`
	Long        *float64 `json:"long" xml:"long"`
	MediaURL    string   `json:"media_url" xml:"media_url"`
	Notice      string   `json:"service_notice" xml:"service_notice"`
}

// A ticketing system reads the services, creates a request, follows it
// until the desk answers; bad input gets the spec's error answers.
func TestOpen311(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		works, err := in.App.Orgs.OfficeByCode(ctx, o.ID, "lavori_pubblici")
		if err != nil {
			t.Fatal(err)
		}
		const base = "/o/demo/open311/v2/"
		c := newOpen311Client(t, in.URL)

		// Services: one per office and category, JSON and XML.
		var services []o311Service
		if code := c.getJSON(base+"services.json", &services); code != http.StatusOK {
			t.Fatalf("services.json: %d", code)
		}
		var pothole *o311Service
		for i := range services {
			if services[i].Code == "lavori_pubblici.intervento" {
				pothole = &services[i]
			}
		}
		if pothole == nil {
			t.Fatalf("no lavori_pubblici.intervento in %d services", len(services))
		}
		if pothole.Group != works.Name || pothole.Metadata || pothole.Type != "realtime" || !strings.Contains(pothole.Name, "Intervento") ||
			pothole.Description == "" || pothole.Keywords == "" {
			t.Errorf("service: %+v", *pothole)
		}
		var xservices struct {
			XMLName  xml.Name      `xml:"services"`
			Services []o311Service `xml:"service"`
		}
		if code := c.getXML(base+"services.xml", &xservices); code != http.StatusOK || len(xservices.Services) != len(services) {
			t.Fatalf("services.xml: %d, %d services", code, len(xservices.Services))
		}
		for _, sv := range xservices.Services {
			if sv.Code == pothole.Code && sv != *pothole {
				t.Errorf("XML and JSON differ: %+v %+v", sv, *pothole)
			}
		}
		var def struct {
			Code       string `json:"service_code"`
			Attributes []any  `json:"attributes"`
		}
		if code := c.getJSON(base+"services/lavori_pubblici.intervento.json", &def); code != http.StatusOK || def.Code != pothole.Code || def.Attributes == nil {
			t.Errorf("definition: %d %+v", code, def)
		}
		var xdef struct {
			XMLName xml.Name `xml:"service_definition"`
			Code    string   `xml:"service_code"`
		}
		if code := c.getXML(base+"services/lavori_pubblici.intervento.xml", &xdef); code != http.StatusOK || xdef.Code != pothole.Code {
			t.Errorf("definition XML: %d %+v", code, xdef)
		}
		var errs []o311Error
		if code := c.getJSON(base+"services/lavori_pubblici.nessuna.json", &errs); code != http.StatusNotFound || len(errs) != 1 || errs[0].Code != 404 {
			t.Errorf("unknown service: %d %+v", code, errs)
		}
		var xerrs struct {
			XMLName xml.Name    `xml:"errors"`
			Errors  []o311Error `xml:"error"`
		}
		if code := c.getXML(base+"services/ufficio_inesistente.intervento.xml", &xerrs); code != http.StatusNotFound || len(xerrs.Errors) != 1 || xerrs.Errors[0].Code != 404 {
			t.Errorf("unknown service (XML): %d %+v", code, xerrs)
		}
		for _, p := range []string{base + "services.yaml", base + "services", base + "nulla.json", "/o/nessuno/open311/v2/services.json"} {
			errs = nil
			if code := c.getJSON(p, &errs); code != http.StatusNotFound || len(errs) != 1 || errs[0].Code != 404 {
				t.Errorf("%s: %d %+v", p, code, errs)
			}
		}

		var disc struct {
			Endpoints []struct {
				Specification string   `json:"specification"`
				URL           string   `json:"url"`
				Formats       []string `json:"formats"`
			} `json:"endpoints"`
		}
		if code := c.getJSON(base+"discovery.json", &disc); code != http.StatusOK || len(disc.Endpoints) != 1 ||
			disc.Endpoints[0].URL != in.URL+"/o/demo/open311/v2" || len(disc.Endpoints[0].Formats) != 2 {
			t.Errorf("discovery: %d %+v", code, disc)
		}

		// Bad requests: 400 with the reason, in the spec's error list.
		good := url.Values{"service_code": {"lavori_pubblici.intervento"}, "lat": {"45.650100"}, "long": {"13.770200"},
			"address_string": {"Via Roma 12"}, "description": {"Buca profonda sulla carreggiata <script>alert(1)</script>"},
			"email": {"segnalatore@example.org"}, "first_name": {"Anna"}, "last_name": {"Neri"}, "phone": {"+39 040 123456"},
			"media_url": {"https://example.org/foto/buca.jpg"}, "api_key": {"ignorata"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for key, vs := range good {
				f[key] = vs
			}
			if v == "" {
				delete(f, k)
			} else {
				f.Set(k, v)
			}
			return f
		}
		for name, form := range map[string]url.Values{
			"no service":        with("service_code", ""),
			"unknown service":   with("service_code", "ufficio_inesistente.intervento"),
			"malformed service": with("service_code", "lavori_pubblici"),
			"bad lat":           with("lat", "91"),
			"lat only":          with("long", ""),
			"no location":       {"service_code": {"lavori_pubblici.intervento"}, "description": {"dove?"}},
			"bad email":         with("email", "non-una-mail"),
			"script media":      with("media_url", "javascript:alert(1)"),
			"long description":  with("description", strings.Repeat("a", 4001)),
		} {
			code, ct, body := c.do(http.MethodPost, base+"requests.json", form)
			errs = nil
			_ = json.Unmarshal([]byte(body), &errs)
			if code != http.StatusBadRequest || !strings.HasPrefix(ct, "application/json") || len(errs) != 1 || errs[0].Code != 400 || errs[0].Description == "" {
				t.Errorf("%s: %d %s", name, code, body)
			}
		}

		// A request, created in XML, read back in JSON and XML.
		code, _, body := c.do(http.MethodPost, base+"requests.xml", good)
		var created struct {
			XMLName  xml.Name `xml:"service_requests"`
			Requests []struct {
				ID        string  `xml:"service_request_id"`
				Notice    string  `xml:"service_notice"`
				AccountID *string `xml:"account_id"`
			} `xml:"request"`
		}
		if err := xml.Unmarshal([]byte(body), &created); err != nil || code != http.StatusCreated || len(created.Requests) != 1 {
			t.Fatalf("create: %d %v\n%s", code, err, body)
		}
		id := created.Requests[0].ID
		if id == "" || !strings.Contains(created.Requests[0].Notice, "/o/demo/richieste/") || created.Requests[0].AccountID == nil {
			t.Errorf("created: %+v", created.Requests[0])
		}
		code, _, body = c.do(http.MethodPost, base+"requests.json", with("address_string", ""))
		var created2 []map[string]any
		if err := json.Unmarshal([]byte(body), &created2); err != nil || code != http.StatusCreated || len(created2) != 1 {
			t.Fatalf("create JSON: %d %v\n%s", code, err, body)
		}
		id2, _ := created2[0]["service_request_id"].(string)
		if v, ok := created2[0]["account_id"]; !ok || v != nil || id2 == "" {
			t.Errorf("created JSON: %+v", created2[0])
		}

		// The desk has it, routed to the office of the service.
		conv, msgs, err := in.App.Desk.Get(ctx, o.ID, id, desk.Scope{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if conv.Source != desk.SourceOpen311 || conv.OfficeID != works.ID || conv.Labels.Category != "intervento" ||
			conv.AuthorName != "Anna Neri" || !strings.Contains(conv.AuthorHandle, "+39 040 123456") || len(msgs) != 1 || len(msgs[0].Attachments) != 3 {
			t.Errorf("in the desk: %+v %+v", conv, msgs)
		}

		var one []o311Request
		if code := c.getJSON(base+"requests/"+id+".json", &one); code != http.StatusOK || len(one) != 1 {
			t.Fatalf("request: %d %+v", code, one)
		}
		r := one[0]
		if r.ID != id || r.Status != "open" || r.ServiceCode != "lavori_pubblici.intervento" || r.Agency != works.Name ||
			!strings.Contains(r.ServiceName, "Intervento") || !strings.HasPrefix(r.Description, "Buca profonda") ||
			r.Address != "Via Roma 12" || r.Lat == nil || *r.Lat != 45.6501 || r.Long == nil || *r.Long != 13.7702 ||
			r.MediaURL != "https://example.org/foto/buca.jpg" || r.StatusNotes != "" {
			t.Errorf("request: %+v", r)
		}
		for _, ts := range []string{r.Requested, r.Updated} {
			at, err := time.Parse(time.RFC3339, ts)
			if err != nil || time.Since(at) > time.Hour || strings.HasSuffix(ts, "Z") {
				t.Errorf("datetime %q (%v): want ISO 8601 with the comune's offset", ts, err)
			}
		}
		if code := c.getJSON(base+"requests/"+id2+".json", &one); code != http.StatusOK || len(one) != 1 || one[0].Address != "" || one[0].Lat == nil {
			t.Errorf("second request: %d %+v", code, one)
		}
		errs = nil
		if code := c.getJSON(base+"requests/nessuna.json", &errs); code != http.StatusNotFound || len(errs) != 1 {
			t.Errorf("unknown request: %d %+v", code, errs)
		}

		// Lists: by ids, by service and status, the default window.
		var list []o311Request
		if code := c.getJSON(base+"requests.json?service_request_id="+id+","+id2+",nessuna&status=closed", &list); code != http.StatusOK || len(list) != 2 {
			t.Errorf("by ids: %d, %d requests", code, len(list))
		}
		has := func(list []o311Request, id string) bool {
			for _, r := range list {
				if r.ID == id {
					return true
				}
			}
			return false
		}
		list = nil
		if code := c.getJSON(base+"requests.json", &list); code != http.StatusOK || !has(list, id) || len(list) > 1000 {
			t.Errorf("default list: %d, %d requests, has the new one %v", code, len(list), has(list, id))
		}
		var xlist struct {
			XMLName  xml.Name      `xml:"service_requests"`
			Requests []o311Request `xml:"request"`
		}
		if code := c.getXML(base+"requests.xml?service_code=lavori_pubblici.intervento&status=open", &xlist); code != http.StatusOK || !has(xlist.Requests, id) {
			t.Errorf("by service (XML): %d, has it %v", code, has(xlist.Requests, id))
		}
		for _, rq := range xlist.Requests {
			if rq.ServiceCode != "lavori_pubblici.intervento" || rq.Status != "open" {
				t.Errorf("filtered list holds %+v", rq)
			}
		}
		list = nil
		if code := c.getJSON(base+"requests.json?service_code=urp.altro&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00%2B01:00", &list); code != http.StatusOK || len(list) != 0 {
			t.Errorf("empty window: %d, %d", code, len(list))
		}
		for _, q := range []string{"status=pending", "start_date=ieri", "service_code=nulla", "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"} {
			errs = nil
			if code := c.getJSON(base+"requests.json?"+q, &errs); code != http.StatusBadRequest || len(errs) != 1 || errs[0].Code != 400 {
				t.Errorf("%s: %d %+v", q, code, errs)
			}
		}

		// The desk answers: closed, the answer as the note once it
		// reached the citizen.
		m, err := in.App.Desk.Reply(ctx, o.ID, id, desk.ReplyInput{Text: "Squadra inviata: la buca sarà chiusa entro domani."}, desk.Scope{All: true})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, msgs, err := in.App.Desk.Get(ctx, o.ID, id, desk.Scope{All: true})
			if err != nil {
				t.Fatal(err)
			}
			st := msgs[len(msgs)-1].State
			if st != desk.StateQueued && st != desk.StateSending {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the reply stays %s", st)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := in.App.DB.Write.Exec(`UPDATE desk_messages SET state = 'failed' WHERE id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		var xone struct {
			XMLName  xml.Name      `xml:"service_requests"`
			Requests []o311Request `xml:"request"`
		}
		if code := c.getXML(base+"requests/"+id+".xml", &xone); code != http.StatusOK || len(xone.Requests) != 1 ||
			xone.Requests[0].Status != "closed" || xone.Requests[0].StatusNotes != "" {
			t.Errorf("after a failed reply: %d %+v", code, xone.Requests)
		}
		if _, err := in.App.DB.Write.Exec(`UPDATE desk_messages SET state = 'sent' WHERE id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		xone.Requests = nil
		if code := c.getXML(base+"requests/"+id+".xml", &xone); code != http.StatusOK || len(xone.Requests) != 1 ||
			xone.Requests[0].Status != "closed" || !strings.Contains(xone.Requests[0].StatusNotes, "Squadra inviata") {
			t.Errorf("after the reply: %d %+v", code, xone.Requests)
		}

		// Without the prefix, the default organisation answers (the
		// shared PostgreSQL database may hold others: then none is).
		code, ct, _ := c.do(http.MethodGet, "/open311/v2/services.json", nil)
		if (code != http.StatusOK && code != http.StatusNotFound) || !strings.HasPrefix(ct, "application/json") {
			t.Errorf("unprefixed: %d %s", code, ct)
		}

		// Floods are refused, as on the web form.
		limited := false
		for range 6 {
			if code, _, _ := c.do(http.MethodPost, base+"requests.json", good); code == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Error("no rate limit on POST requests")
		}
	})
}
