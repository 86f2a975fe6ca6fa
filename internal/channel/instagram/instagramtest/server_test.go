// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagramtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
)

// call sends one request to the fake and decodes its JSON answer.
func call(t *testing.T, h http.Handler, method, target string, form url.Values, header http.Header) (int, map[string]any) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, target, w.Body)
	}
	return w.Code, out
}

func errCode(out map[string]any) (code, subcode float64) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(float64)
	subcode, _ = e["error_subcode"].(float64)
	return code, subcode
}

func TestContainerLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	s := instagramtest.New(instagramtest.Options{Now: func() time.Time { return now }})
	const u = "/v23.0/" + instagramtest.DefaultIGUserID
	auth := url.Values{"access_token": {instagramtest.DefaultToken}}
	withToken := func(v url.Values) url.Values {
		for k, x := range auth {
			v[k] = x
		}
		return v
	}

	status, out := call(t, s, http.MethodPost, u+"/media", withToken(url.Values{"image_url": {"https://x.it/a.jpg"}, "caption": {"ciao"}}), nil)
	if status != 200 {
		t.Fatalf("create: %d %v", status, out)
	}
	id := out["id"].(string)

	// Publishing before the status says FINISHED is refused.
	status, out = call(t, s, http.MethodPost, u+"/media_publish", withToken(url.Values{"creation_id": {id}}), nil)
	if c, sub := errCode(out); status != 400 || c != 9007 || sub != 2207027 {
		t.Fatalf("early publish: %d %v", status, out)
	}
	for _, want := range []string{"IN_PROGRESS", "FINISHED"} {
		_, out = call(t, s, http.MethodGet, "/v23.0/"+id+"?fields=status_code&access_token="+instagramtest.DefaultToken, nil, nil)
		if out["status_code"] != want {
			t.Fatalf("status %v, want %s", out, want)
		}
	}
	// The token may come in a header instead.
	status, out = call(t, s, http.MethodPost, u+"/media_publish", url.Values{"creation_id": {id}},
		http.Header{"Authorization": {"OAuth " + instagramtest.DefaultToken}})
	if status != 200 || out["id"] == "" {
		t.Fatalf("publish: %d %v", status, out)
	}
	status, out = call(t, s, http.MethodPost, u+"/media_publish", withToken(url.Values{"creation_id": {id}}), nil)
	if status != 400 {
		t.Fatalf("second publish of a container: %d %v", status, out)
	}

	// A container not published within 24 hours expires.
	_, out = call(t, s, http.MethodPost, u+"/media", withToken(url.Values{"image_url": {"https://x.it/b.jpg"}}), nil)
	old := out["id"].(string)
	now = now.Add(25 * time.Hour)
	_, out = call(t, s, http.MethodGet, "/"+old+"?fields=status_code&access_token="+instagramtest.DefaultToken, nil, nil)
	if out["status_code"] != "EXPIRED" {
		t.Fatalf("status %v", out)
	}

	// A carousel needs FINISHED children of the same account, 2 to 10.
	_, out = call(t, s, http.MethodPost, u+"/media", withToken(url.Values{"image_url": {"https://x.it/c.jpg"}, "is_carousel_item": {"true"}}), nil)
	child := out["id"].(string)
	status, out = call(t, s, http.MethodPost, u+"/media", withToken(url.Values{"media_type": {"CAROUSEL"}, "children": {child + "," + child}}), nil)
	if c, sub := errCode(out); status != 400 || c != 9007 || sub != 2207027 {
		t.Fatalf("carousel of unready children: %d %v", status, out)
	}
	status, out = call(t, s, http.MethodPost, u+"/media", withToken(url.Values{"media_type": {"CAROUSEL"}, "children": {child}}), nil)
	if c, sub := errCode(out); status != 400 || c != 100 || sub != 2207028 {
		t.Fatalf("carousel of one: %d %v", status, out)
	}
}

func TestRequestsRefused(t *testing.T) {
	s := instagramtest.New(instagramtest.Options{})
	u := "/v23.0/" + instagramtest.DefaultIGUserID
	tok := url.Values{"access_token": {instagramtest.DefaultToken}}
	tests := []struct {
		name    string
		method  string
		target  string
		form    url.Values
		code    float64
		subcode float64
	}{
		{"no token", http.MethodGet, u, nil, 104, 0},
		{"bad token", http.MethodGet, u + "?access_token=nope", nil, 190, 0},
		{"unknown edge", http.MethodGet, u + "/stories?access_token=" + instagramtest.DefaultToken, nil, 2500, 0},
		{"not an id", http.MethodGet, "/v23.0/me?access_token=" + instagramtest.DefaultToken, nil, 2500, 0},
		{"no image_url", http.MethodPost, u + "/media", tok, 100, 0},
		{"relative url", http.MethodPost, u + "/media", url.Values{"access_token": tok["access_token"], "image_url": {"/media/1.jpg"}}, 9004, 2207052},
		{"stories unknown", http.MethodPost, u + "/media", url.Values{"access_token": tok["access_token"], "media_type": {"STORIES"}, "image_url": {"https://x.it/1.jpg"}}, 100, 2207023},
		{"feed video", http.MethodPost, u + "/media", url.Values{"access_token": tok["access_token"], "media_type": {"VIDEO"}, "video_url": {"https://x.it/1.mp4"}}, 100, 2207023},
		{"caption too long", http.MethodPost, u + "/media", url.Values{"access_token": tok["access_token"], "image_url": {"https://x.it/1.jpg"},
			"caption": {strings.Repeat("è", instagramtest.MaxCaption+1)}}, 36004, 2207010},
		{"unknown container", http.MethodPost, u + "/media_publish", url.Values{"access_token": tok["access_token"], "creation_id": {"1"}}, 24, 2207006},
		{"unknown media", http.MethodDelete, "/v23.0/1?access_token=" + instagramtest.DefaultToken, nil, 100, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := call(t, s, tt.method, tt.target, tt.form, nil)
			if c, sub := errCode(out); status != 400 || c != tt.code || sub != tt.subcode {
				t.Errorf("%d %v, want code %v/%v", status, out, tt.code, tt.subcode)
			}
		})
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", "/v23.0/17841400000000001/media", "image_url=https://x.it/a.jpg&caption=%23ciao")
	f.Add("GET", "/17841400000000001/media?limit=0&since=x", "")
	f.Add("POST", "/v99.9/17841400000000001/media_publish", "creation_id=17900000000000001")
	f.Add("DELETE", "/v23.0/17900000000000001", "")
	f.Add("POST", "/v23.0/17841400000000001/media", "media_type=CAROUSEL&children=,,,1")
	f.Add("POST", "/v23.0/17900000000000002/replies", "message=grazie")
	f.Add("POST", "/v23.0/17900000000000002", "hide=true")
	f.Add("POST", "/v23.0/17841400000000001/messages", `recipient={"id":"42"}&message={"text":"x"}`)
	s := instagramtest.New(instagramtest.Options{Open: true})
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if _, err := url.ParseRequestURI(target); err != nil || !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") {
			return
		}
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodDelete:
		default:
			return
		}
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "Bearer fuzz")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: not JSON: %q", method, target, w.Body)
		}
	})
}
