// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// literalKeys finds the translation keys written literally in templates
// ({{t "key"}}, "label" "key" in dict calls) and in Go (s.t(rc, "key"),
// flash and validation keys).
var literalKeys = []*regexp.Regexp{
	regexp.MustCompile(`\{\{-?\s*t\s+"([a-z0-9_.]+)"`),
	regexp.MustCompile(`\(t\s+"([a-z0-9_.]+)"`),
	regexp.MustCompile(`"(?:label|help)"\s+"([a-z0-9_.]+)"`),
	regexp.MustCompile(`\bs\.t\(rc,\s*"([a-z0-9_.]+)"`),
	regexp.MustCompile(`"((?:flash|errors)\.[a-z0-9_.]+)"`),
	regexp.MustCompile(`Key:\s*"([a-z0-9_.]+)"`),
	regexp.MustCompile(`\.Add\("[a-z_]+",\s*"([a-z0-9_.]+)"`),
}

// TestEveryKeyExists fails on a key used by the interface but missing from
// a catalog, including the keys built from roles, permissions, areas and
// notification kinds.
func TestEveryKeyExists(t *testing.T) {
	used := map[string]string{}
	for _, root := range []string{".", "../org", "../auth", "../notify"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			goSource := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
			if !strings.HasSuffix(path, ".html") && !goSource {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, re := range literalKeys {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					// A key ending in "." is a prefix completed at run time.
					if !strings.HasSuffix(m[1], ".") {
						used[m[1]] = path
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range org.Roles {
		used["admin.role."+string(r)] = "org.Roles"
		used["admin.role."+string(r)+".desc"] = "org.Roles"
	}
	for _, p := range org.AllPermissions {
		used["perm."+string(p)] = "org.AllPermissions"
	}
	for _, k := range notify.Kinds {
		used["notify.kind."+string(k)] = "notify.Kinds"
	}
	for _, a := range []string{"plan", "desk", "alerts", "network", "analytics"} {
		used["nav."+a] = "areas"
		used["area."+a+".summary"] = "areas"
	}
	for _, task := range []string{"sessions.cleanup", "notify.email", "channels.refresh"} {
		used["admin.task."+task] = "app tasks"
	}
	c := i18n.Default()
	for key, where := range used {
		for _, lang := range i18n.Supported {
			if !c.Has(lang, key) && !c.Has(lang, key+".one") {
				t.Errorf("%s: key %q missing from the %s catalog", where, key, lang)
			}
		}
	}
}

// TestEveryPageTranslated opens every page an administrator can reach, in
// both languages, and fails on a message left untranslated.
func TestEveryPageTranslated(t *testing.T) {
	in := apptest.Start(t, store.SQLite)
	c := newClient(t, in.URL)
	c.login("admin@demo.piazza.test")
	_, body := c.get("/admin/people")
	person := regexp.MustCompile(`href="(/admin/people/[0-9a-f-]+)"`).FindStringSubmatch(body)
	_, body = c.get("/admin/offices")
	office := regexp.MustCompile(`href="(/admin/offices/[0-9a-f-]+)"`).FindStringSubmatch(body)
	if person == nil || office == nil {
		t.Fatal("no person or office link found")
	}
	pages := []string{"/dashboard", "/plan", "/desk", "/alerts", "/network", "/analytics", "/notifications",
		"/settings", "/settings/security", "/settings/tokens", "/settings/notifications",
		"/admin/people", person[1], "/admin/offices", office[1], "/admin/roles", "/admin/organisation",
		"/admin/audit", "/admin/tasks", "/o/demo/", "/password/forgot", "/no-such-page"}
	for _, lang := range []string{"en", "it"} {
		c.post("/lang", map[string][]string{"lang": {lang}})
		for _, p := range pages {
			code, body := c.get(p)
			if code >= 500 {
				t.Errorf("%s %s: status %d", lang, p, code)
			}
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s %s: untranslated %s", lang, p, body[i:min(len(body), i+60)])
			}
			if !strings.Contains(body, `lang="`+lang+`"`) {
				t.Errorf("%s %s: page not in %s", lang, p, lang)
			}
		}
	}
}
