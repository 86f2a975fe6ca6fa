// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// screenshotDir is where browser tests leave their screenshots, for people
// to look at: <repo>/test-output/screenshots (ignored by git).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "test-output", "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts headless Chromium from Debian. Without it the test is
// skipped locally; under CI (CI set) a missing browser is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("PIAZZA_CHROMIUM")
	if path == "" {
		for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if _, err := exec.LookPath("chromium"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("Chromium not found: install the Debian package chromium")
			}
			t.Skip("Chromium not found (apt-get install chromium)")
		}
		path = "chromium"
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// shot saves a screenshot of the page and checks it with axe-core against
// WCAG 2 A and AA (labels, contrast, landmarks, names of controls).
func shot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	checkAccessibility(ctx, t, name)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(screenshotDir(t), strings.ReplaceAll(t.Name(), "/", "_")+"_"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserJourney drives the interface the way a person does: log in,
// switch to English and back, create an office, find it in the audit log.
// It runs on SQLite: the browser checks the pages, the engines are covered
// by the scenario tests.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browser(t)
	in := apptest.Start(t, store.SQLite)
	code := storetest.Unique("biblioteca_")
	var text string

	do(ctx, t,
		chromedp.Navigate(in.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
	)
	shot(ctx, t, "01-login")
	do(ctx, t,
		// The skip link is the first thing the keyboard reaches.
		chromedp.KeyEvent("\t"),
	)
	text = run(ctx, t, chromedp.Evaluate[string](`document.activeElement.getAttribute("href")`))
	if text != "#main" {
		t.Errorf("first Tab stop is %q, want the skip link", text)
	}
	do(ctx, t,
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "admin@demo.piazza.test"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#main-nav`)),
	)
	text = run(ctx, t, chromedp.Text(chromedp.CSS(`#main h1`)))
	if !strings.Contains(text, "Alessandra") {
		t.Errorf("dashboard heading %q", text)
	}
	shot(ctx, t, "02-dashboard-it")

	// English, then Italian again.
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS(`#lang-select`), "en"),
		chromedp.Click(chromedp.CSS(`#lang-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)),
	)
	text = run(ctx, t, chromedp.Text(chromedp.CSS(`#main-nav`)))
	if !strings.Contains(text, "Editorial plan") || !strings.Contains(text, "Settings") {
		t.Errorf("English navigation: %q", text)
	}
	shot(ctx, t, "03-dashboard-en")
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS(`#lang-select`), "it"),
		chromedp.Click(chromedp.CSS(`#lang-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="it"]`)),
	)
	text = run(ctx, t, chromedp.Text(chromedp.CSS(`#main-nav`)))
	if !strings.Contains(text, "Piano editoriale") {
		t.Errorf("Italian navigation: %q", text)
	}

	// Create an office.
	do(ctx, t,
		chromedp.Navigate(in.URL+"/admin/offices"),
		chromedp.WaitVisible(chromedp.CSS(`#office-create`)),
		chromedp.SendKeys(chromedp.CSS(`#office-create #f-code`), code),
		chromedp.SendKeys(chromedp.CSS(`#office-create #f-name`), "Biblioteca civica"),
		chromedp.SendKeys(chromedp.CSS(`#office-create #f-email`), "biblioteca@comune-vallebella.example"),
		chromedp.Submit(chromedp.CSS(`#office-create`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert-success`)),
	)
	text = run(ctx, t, chromedp.Text(chromedp.CSS(`#offices-table`)))
	if !strings.Contains(text, code) || !strings.Contains(text, "Biblioteca civica") {
		t.Errorf("office not listed: %q", text)
	}
	shot(ctx, t, "04-offices")

	// And find it in the audit log.
	do(ctx, t,
		chromedp.Navigate(in.URL+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`#audit-filter`)),
		chromedp.SendKeys(chromedp.CSS(`#audit-filter #f-action`), "office.create"),
		chromedp.Submit(chromedp.CSS(`#audit-filter`)),
		// The reloaded page carries the filter in the input's attribute.
		chromedp.WaitVisible(chromedp.CSS(`#audit-filter input[value="office.create"]`)),
	)
	text = run(ctx, t, chromedp.Text(chromedp.CSS(`#audit-table`)))
	if !strings.Contains(text, "Biblioteca civica") || !strings.Contains(text, "admin@demo.piazza.test") {
		t.Errorf("audit log: %q", text)
	}
	shot(ctx, t, "05-audit")

	// The other pages an administrator works on pass the same checks.
	for i, path := range []string{"/admin/people", "/admin/roles", "/admin/organisation", "/admin/tasks",
		"/settings", "/settings/security", "/settings/tokens", "/settings/notifications", "/notifications", "/plan", "/plan/calendar", "/plan/media", "/plan/import", "/plan/settings", "/channels", "/sandbox"} {
		do(ctx, t, chromedp.Navigate(in.URL+path), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
		shot(ctx, t, fmt.Sprintf("%02d-%s", i+6, strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")))
	}
	// And the pages before login.
	do(ctx, t, chromedp.Navigate(in.URL+"/password/forgot"), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
	checkAccessibility(ctx, t, "password-forgot")
}

func do(ctx context.Context, t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func run[T any](ctx context.Context, t *testing.T, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

var axeScript = sync.OnceValues(func() ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
})

// checkAccessibility runs axe-core (installed by npm ci with the other
// front-end packages) in the page; DevTools evaluation is not bound by the
// page's CSP, so nothing is loaded from outside.
func checkAccessibility(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	script, err := axeScript()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core missing (npm ci): %v", err)
		}
		t.Logf("axe-core not installed, accessibility not checked: %v", err)
		return
	}
	run(ctx, t, chromedp.Evaluate[chromedp.Void](string(script)))
	res := run(ctx, t, chromedp.Evaluate[axeResult](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => ({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	// A run that checked nothing would hide every problem.
	if res.Passes == 0 {
		t.Errorf("%s: axe-core checked no rule", name)
	}
	violations := res.Violations
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: accessibility: %s (%s) at %s", name, v.Help, v.ID, strings.Join(where, ", "))
	}
}
