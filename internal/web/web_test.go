// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects (so tests see them) and knows the last CSRF token it saw.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values, header map[string]string) (int, string, http.Header) {
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
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) get(path string) (int, string) {
	code, body, _ := c.do("GET", path, nil, nil)
	return code, body
}

// post sends a form with the CSRF token the last page carried.
func (c *client) post(path string, form url.Values) (int, string, string) {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	code, body, h := c.do("POST", path, form, nil)
	return code, body, h.Get("Location")
}

func (c *client) login(email string) {
	c.t.Helper()
	c.get("/login")
	code, body, loc := c.post("/login", url.Values{"email": {email}, "password": {demo.Password}})
	if code != http.StatusSeeOther || loc != "/dashboard" {
		c.t.Fatalf("login %s: %d %s %s", email, code, loc, body)
	}
}

func TestWebScenarios(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		anon := newClient(t, in.URL)
		if code, body := anon.get("/healthz"); code != 200 || !strings.Contains(body, "ok") {
			t.Fatalf("healthz: %d %s", code, body)
		}
		if code, _, h := anon.do("GET", "/dashboard", nil, nil); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Fatalf("dashboard without login: %d %s", code, h.Get("Location"))
		}
		// A form without its CSRF token is refused.
		anon.get("/login")
		code, _, _ := anon.do("POST", "/login", url.Values{"email": {"admin@demo.piazza.test"}, "password": {demo.Password}}, nil)
		if code != http.StatusForbidden {
			t.Fatalf("login without CSRF: %d, want 403", code)
		}
		// A wrong password gets the generic message.
		code, body, _ := anon.post("/login", url.Values{"email": {"admin@demo.piazza.test"}, "password": {"sbagliata-davvero"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "Email o password non corretti") {
			t.Fatalf("wrong password: %d", code)
		}
		code, body, _ = anon.post("/login", url.Values{"email": {"nessuno@demo.piazza.test"}, "password": {"sbagliata-davvero"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "Email o password non corretti") {
			t.Fatalf("unknown email: %d", code)
		}

		admin := newClient(t, in.URL)
		admin.login("admin@demo.piazza.test")
		if code, body := admin.get("/dashboard"); code != 200 || !strings.Contains(body, "Alessandra") || !strings.Contains(body, `lang="it"`) {
			t.Fatalf("dashboard: %d", code)
		}
		if code, body := admin.get("/alerts"); code != 200 || !strings.Contains(body, `id="incident-form"`) {
			t.Fatalf("alerts: %d", code)
		}
		if code, body := admin.get("/desk"); code != 200 || !strings.Contains(body, `id="desk-inbox"`) {
			t.Fatalf("desk: %d", code)
		}
		// Create an office whose name tries to inject markup: it is escaped.
		officeCode := storetest.Unique("ufficio_")
		admin.get("/admin/offices")
		code, _, loc := admin.post("/admin/offices", url.Values{"code": {officeCode}, "name": {"Ufficio <script>alert(1)</script>"}, "email": {""}})
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/offices") {
			t.Fatalf("create office: %d %s", code, loc)
		}
		_, body = admin.get("/admin/offices")
		if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, officeCode) {
			t.Fatal("office list: name missing or not escaped")
		}
		// An invalid office comes back with the error next to the field.
		code, body, _ = admin.post("/admin/offices", url.Values{"code": {"Codice Sbagliato"}, "name": {""}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-code-err"`) {
			t.Fatalf("invalid office: %d", code)
		}
		// The audit log shows the creation with its author.
		code, body = admin.get("/admin/audit?action=office.create")
		if code != 200 || !strings.Contains(body, officeCode) || !strings.Contains(body, "admin@demo.piazza.test") {
			t.Fatalf("audit: %d", code)
		}
		// English, chosen per person, and back.
		admin.post("/lang", url.Values{"lang": {"en"}})
		if _, body := admin.get("/dashboard"); !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Editorial plan") {
			t.Fatal("English not applied")
		}
		admin.post("/lang", url.Values{"lang": {"it"}})
		if _, body := admin.get("/dashboard"); !strings.Contains(body, `lang="it"`) {
			t.Fatal("Italian not restored")
		}

		// Roles are checked on the server: the mayor reads, never administers.
		viewer := newClient(t, in.URL)
		viewer.login("sindaco@demo.piazza.test")
		if code, _ := viewer.get("/admin/offices"); code != http.StatusForbidden {
			t.Fatalf("viewer on offices: %d", code)
		}
		viewer.get("/dashboard")
		if code, _, _ := viewer.post("/admin/offices", url.Values{"code": {"x_y"}, "name": {"X"}}); code != http.StatusForbidden {
			t.Fatalf("viewer creating an office: %d", code)
		}
		// Logging out ends the session on the server.
		viewer.get("/dashboard")
		viewer.post("/logout", nil)
		if code, _ := viewer.get("/dashboard"); code != http.StatusSeeOther {
			t.Fatalf("after logout: %d", code)
		}

		// Public pages per organisation.
		if code, body := anon.get("/o/demo/"); code != 200 || !strings.Contains(body, "Vallebella") {
			t.Fatalf("public home: %d", code)
		}
		if code, _ := anon.get("/o/nessuno/"); code != http.StatusNotFound {
			t.Fatalf("unknown organisation: %d", code)
		}
		// A queued job shows in the lane metrics.
		if err := in.App.Jobs.RunNow(context.Background(), "sessions.cleanup"); err != nil {
			t.Fatal(err)
		}
		if code, body := anon.get("/metrics"); code != 200 || !strings.Contains(body, "piazza_http_requests_total") || !strings.Contains(body, `piazza_jobs{lane="maintenance"`) {
			t.Fatalf("metrics: %d", code)
		}

		// The API: a token acts for its person; no token, 401 JSON.
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		p, err := in.App.Auth.PersonByEmail(ctx, "admin@demo.piazza.test")
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := in.App.Auth.CreateAPIToken(ctx, o.ID, p.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		code, body, h := anon.do("GET", "/api/v1/offices", nil, nil)
		if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("API without token: %d %s", code, body)
		}
		code, body, _ = anon.do("GET", "/api/v1/offices", nil, map[string]string{"Authorization": "Bearer " + token})
		if code != 200 || !strings.Contains(body, officeCode) {
			t.Fatalf("API with token: %d %s", code, body)
		}
	})
}
