// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebooktest_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
)

func serve(t *testing.T, h http.Handler, r *http.Request) (int, map[string]any) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", r.Method, r.URL, w.Body)
	}
	return w.Code, out
}

func form(method, target string, v url.Values) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func errCode(out map[string]any) (code, subcode float64) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(float64)
	subcode, _ = e["error_subcode"].(float64)
	return code, subcode
}

// upload is a multipart request with a photo as source.
func upload(t *testing.T, target string, fields map[string]string) *http.Request {
	t.Helper()
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("source", "a.png")
	_, _ = fw.Write(img.Bytes())
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestGraphSemantics(t *testing.T) {
	s := facebooktest.New(facebooktest.Options{})
	page := "/" + facebooktest.DefaultPageID // no version: the Graph API takes that too
	tok := facebooktest.DefaultToken

	// Unpublished photos, then a post attaching them as a JSON array.
	var ids []string
	for range 2 {
		status, out := serve(t, s, upload(t, page+"/photos?access_token="+tok, map[string]string{"published": "false"}))
		if status != 200 || out["post_id"] != nil {
			t.Fatalf("upload: %d %v", status, out)
		}
		ids = append(ids, out["id"].(string))
	}
	if n := len(s.Received()); n != 0 {
		t.Fatalf("unpublished photos made %d posts", n)
	}
	status, out := serve(t, s, form(http.MethodPost, page+"/feed", url.Values{"access_token": {tok},
		"attached_media": {`[{"media_fbid":"` + ids[0] + `"},{"media_fbid":"` + ids[1] + `"}]`}}))
	if status != 200 {
		t.Fatalf("feed: %d %v", status, out)
	}
	post := out["id"].(string)
	if got := s.Received(); len(got) != 1 || len(got[0].Media) != 2 || got[0].RemoteID != post {
		t.Fatalf("received %+v", got)
	}
	// A photo is attached once.
	status, out = serve(t, s, form(http.MethodPost, page+"/feed", url.Values{"access_token": {tok},
		"attached_media[0]": {`{"media_fbid":"` + ids[0] + `"}`}}))
	if c, _ := errCode(out); status != 400 || c != 100 {
		t.Fatalf("attached twice: %d %v", status, out)
	}
	// Reading the post, with the token in a header.
	r := httptest.NewRequest(http.MethodGet, "/v23.0/"+post+"?fields=message,permalink_url", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	status, out = serve(t, s, r)
	if status != 200 || out["id"] != post || !strings.HasPrefix(out["permalink_url"].(string), "https://www.facebook.com/"+facebooktest.DefaultPageID+"/posts/") {
		t.Fatalf("get: %d %v", status, out)
	}
	// Deleting one photo of an album keeps the post.
	status, _ = serve(t, s, httptest.NewRequest(http.MethodDelete, "/v23.0/"+ids[0]+"?access_token="+tok, nil))
	if status != 200 || s.Received()[0].Deleted {
		t.Fatalf("delete photo: %d %+v", status, s.Received())
	}
}

func TestRequestsRefused(t *testing.T) {
	s := facebooktest.New(facebooktest.Options{})
	page := "/v23.0/" + facebooktest.DefaultPageID
	tok := facebooktest.DefaultToken
	tests := []struct {
		name    string
		r       *http.Request
		status  int
		code    float64
		subcode float64
	}{
		{"no token", httptest.NewRequest(http.MethodGet, page, nil), 400, 104, 0},
		{"bad token", httptest.NewRequest(http.MethodGet, page+"?access_token=x", nil), 400, 190, 0},
		{"empty post", form(http.MethodPost, page+"/feed", url.Values{"access_token": {tok}}), 400, 100, 0},
		{"no file", form(http.MethodPost, page+"/photos", url.Values{"access_token": {tok}, "message": {"x"}}), 400, 324, 0},
		{"not a video", upload(t, page+"/videos?access_token="+tok, nil), 400, 352, 0},
		{"alias", httptest.NewRequest(http.MethodGet, "/v23.0/comune?access_token="+tok, nil), 400, 803, 0},
		{"unknown edge", httptest.NewRequest(http.MethodGet, page+"/insights?access_token="+tok, nil), 400, 2500, 0},
		{"accounts of a page", httptest.NewRequest(http.MethodGet, "/v23.0/me/accounts?access_token="+tok, nil), 400, 100, 0},
		{"edit unknown", form(http.MethodPost, "/v23.0/1_2", url.Values{"access_token": {tok}, "message": {"x"}}), 400, 100, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := serve(t, s, tt.r)
			if c, sub := errCode(out); status != tt.status || c != tt.code || sub != tt.subcode {
				t.Errorf("%d %v, want %d code %v/%v", status, out, tt.status, tt.code, tt.subcode)
			}
		})
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", "/v23.0/102030405060708/feed", "message=ciao&link=https://x.it")
	f.Add("POST", "/102030405060708/feed", "attached_media[0]={\"media_fbid\":\"1\"}&attached_media[2]=x")
	f.Add("GET", "/v23.0/102030405060708/published_posts?limit=-1&after=x&since=y", "")
	f.Add("GET", "/v23.0/me/accounts", "")
	f.Add("POST", "/v23.0/oauth/access_token", "grant_type=fb_exchange_token&client_id=1&client_secret=2")
	f.Add("DELETE", "/v23.0/102030405060708_1001", "")
	f.Add("POST", "/v23.0/102030405060708_1001/comments", "message=ciao")
	f.Add("POST", "/v23.0/1001_1002", "is_hidden=true")
	f.Add("POST", "/v23.0/102030405060708/messages", `recipient={"comment_id":"1001_1002"}&message={"text":"x"}`)
	f.Add("POST", "/v23.0/102030405060708/messages", `recipient={"id":"42"}&message={"text":"x"}&messaging_type=RESPONSE`)
	s := facebooktest.New(facebooktest.Options{Open: true})
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if _, err := url.ParseRequestURI(target); err != nil || !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") || strings.Contains(target, "dialog") {
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
