// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/desk"
)

// FuzzOpen311Form: whatever a client posts, the form is refused or comes
// out within the limits the desk and the API rely on.
func FuzzOpen311Form(f *testing.F) {
	f.Add("service_code=lavori_pubblici.intervento&lat=45.65&long=13.77&description=Buca&email=a%40b.it&media_url=https%3A%2F%2Fx.org%2Fa.jpg")
	f.Add("service_code=urp.altro&address_string=Via+Roma+1")
	f.Add("service_code=urp.altro&lat=NaN&long=Inf")
	f.Add("service_code=urp.altro&lat=1e400&long=-0")
	f.Add("service_code=urp.altro&address_string=%00%ff&media_url=javascript%3Aalert(1)")
	f.Add("service_code=a.b.c&lat=&long=1")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		form, err := parseOpen311Form(v)
		if err != nil {
			if err.Error() == "" {
				t.Error("an error without a description")
			}
			return
		}
		if _, _, ok := desk.ParseServiceCode(form.ServiceCode); !ok || form.Office == "" || form.Category == "" {
			t.Errorf("service %q accepted", form.ServiceCode)
		}
		if !form.HasPosition && form.Address == "" {
			t.Error("a request without a location")
		}
		if form.HasPosition && (math.IsNaN(form.Lat) || math.IsNaN(form.Long) || math.Abs(form.Lat) > 90 || math.Abs(form.Long) > 180) {
			t.Errorf("position %v,%v", form.Lat, form.Long)
		}
		for _, s := range []string{form.Description, form.Address, form.Email, form.FirstName, form.LastName, form.Phone, form.MediaURL} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > open311MaxDescription {
				t.Errorf("field %q", s)
			}
		}
		if form.MediaURL != "" && !strings.HasPrefix(form.MediaURL, "http://") && !strings.HasPrefix(form.MediaURL, "https://") {
			t.Errorf("media_url %q", form.MediaURL)
		}
		in := form.inbound("org", "id", time.Now())
		if in.Msg.AuthorID == "" || in.Source != desk.SourceOpen311 || len(in.Msg.Attachments) == 0 {
			t.Errorf("inbound %+v", in)
		}
	})
}

// FuzzOpen311Query: the filters of GET requests are refused or valid.
func FuzzOpen311Query(f *testing.F) {
	f.Add("service_request_id=a,b&status=closed")
	f.Add("service_code=urp.altro,lavori_pubblici.intervento&status=open,closed&start_date=2026-01-01T00:00:00Z")
	f.Add("end_date=2026-01-01T00:00:00%2B01:00")
	f.Add("status=pending&start_date=ieri")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		now := time.Now()
		q, err := open311Query(v, now)
		if err != nil {
			return
		}
		if len(q.IDs) > 0 {
			return
		}
		if q.Status != "" && q.Status != "open" && q.Status != "closed" {
			t.Errorf("status %q", q.Status)
		}
		if q.Start.IsZero() || (!q.End.IsZero() && q.End.Before(q.Start)) {
			t.Errorf("window %v – %v", q.Start, q.End)
		}
		for _, c := range q.Services {
			if _, _, ok := desk.ParseServiceCode(c); !ok {
				t.Errorf("service %q", c)
			}
		}
	})
}
