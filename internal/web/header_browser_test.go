// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/store"
)

// TestBrowserHeaderPhone is the site header on a phone (390×844), on the
// pages a person opens first: nothing scrolls sideways, the main menu and
// the person's tools open and close with the keyboard alone, and axe-core
// finds no contrast problem in the header, closed or open. It runs on
// SQLite: the header is the same on both engines.
func TestBrowserHeaderPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	in := apptest.Start(t, store.SQLite)
	ctx := browser(t)
	w := watchPage(ctx, t)
	do(ctx, t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	deskLogin(ctx, t, in.URL, "admin@demo.piazza.test")

	for _, p := range []struct{ name, path string }{
		{"dashboard", "/dashboard"},
		{"desk", "/desk"},
		{"alerts", "/alerts"},
	} {
		t.Run(p.name, func(t *testing.T) {
			do(ctx, t, chromedp.Navigate(in.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
			deskReady(ctx, t)
			headerFits(ctx, t, p.name)
			headerContrast(ctx, t, p.name)
			viewportShot(ctx, t, p.name+"-closed")

			// The main menu: reached with Tab, opened with Enter.
			tabTo(ctx, t, "main-menu-toggle")
			if got := run(ctx, t, chromedp.Evaluate[string](`document.getElementById("main-menu-toggle").getAttribute("aria-expanded")`)); got != "false" {
				t.Errorf("the closed menu's button says aria-expanded=%q", got)
			}
			do(ctx, t, chromedp.KeyEvent(kb.Enter))
			deskWait(ctx, t, "the menu open", `document.getElementById("main-menu-toggle").getAttribute("aria-expanded") + "|" +
				(document.querySelector("#main-menu.expanded") ? "expanded" : "") + "|" +
				(document.activeElement && document.activeElement.closest("#main-menu") ? "focus-in" : "")`,
				func(s string) bool { return s == "true|expanded|focus-in" })
			// Every area is on screen, inside the phone's width, once the
			// menu has slid in.
			const areas = "/dashboard /plan /channels /desk /alerts /network /analytics /settings"
			deskWait(ctx, t, "every area on screen", `Array.from(document.querySelectorAll("#main-nav a.nav-link")).filter(a => {
				const r = a.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
			}).map(a => a.getAttribute("href")).join(" ")`, func(s string) bool { return s == areas })
			// The rest of the page waits behind the menu: Tab stays in it.
			for range 12 {
				do(ctx, t, chromedp.KeyEvent("\t"))
			}
			if !run(ctx, t, chromedp.Evaluate[bool](`!!(document.activeElement && document.activeElement.closest("#main-menu"))`)) {
				t.Error("Tab left the open menu")
			}
			headerFits(ctx, t, p.name+" menu open")
			headerContrast(ctx, t, p.name+" menu open")
			viewportShot(ctx, t, p.name+"-menu")
			// Escape closes it and gives the focus back to its button.
			do(ctx, t, chromedp.KeyEvent(kb.Escape))
			deskWait(ctx, t, "the menu closed", `document.getElementById("main-menu-toggle").getAttribute("aria-expanded") + "|" +
				getComputedStyle(document.getElementById("main-menu")).display + "|" + (document.activeElement ? document.activeElement.id : "")`,
				func(s string) bool { return s == "false|none|main-menu-toggle" })

			// The person's tools: language, logout. From the top of the
			// page again, where a person starts tabbing.
			do(ctx, t, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
			deskReady(ctx, t)
			tabTo(ctx, t, "header-tools-toggle")
			do(ctx, t, chromedp.KeyEvent(kb.Enter))
			deskWait(ctx, t, "the tools open", `document.getElementById("header-tools-toggle").getAttribute("aria-expanded") + "|" +
				(document.getElementById("lang-select").getBoundingClientRect().height > 0 ? "visible" : "")`,
				func(s string) bool { return s == "true|visible" })
			deskWait(ctx, t, "the tools settled", `document.querySelector("#header-tools.collapsing") ? "moving" : "still"`,
				func(s string) bool { return s == "still" })
			headerFits(ctx, t, p.name+" tools open")
			headerContrast(ctx, t, p.name+" tools open")
			run(ctx, t, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
			viewportShot(ctx, t, p.name+"-tools")
			do(ctx, t, chromedp.KeyEvent(kb.Enter))
			deskWait(ctx, t, "the tools closed", `document.getElementById("header-tools-toggle").getAttribute("aria-expanded") + "|" +
				(document.getElementById("lang-select").getBoundingClientRect().height > 0 ? "visible" : "hidden")`,
				func(s string) bool { return s == "false|hidden" })
		})
	}

	// A small laptop, just above the breakpoint where the menu unfolds:
	// every area in view, nothing past the edge, in both languages.
	t.Run("small laptop", func(t *testing.T) {
		do(ctx, t, chromedp.EmulateViewport(1000, 700))
		for _, lang := range []string{"en", "it"} {
			do(ctx, t, chromedp.Navigate(in.URL+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#lang-select`)),
				chromedp.SetValue(chromedp.CSS(`#lang-select`), lang), chromedp.Click(chromedp.CSS(`#lang-submit`)),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] #main-nav`)))
			deskReady(ctx, t)
			headerFits(ctx, t, "laptop "+lang)
			headerContrast(ctx, t, "laptop "+lang)
			if n := run(ctx, t, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#main-nav a.nav-link")).filter(a => {
				const r = a.getBoundingClientRect();
				return r.width > 0 && r.left >= 0 && r.right <= innerWidth;
			}).length`)); n != 8 {
				t.Errorf("%s: %d of the 8 areas in view", lang, n)
			}
			viewportShot(ctx, t, "laptop-"+lang)
		}
	})
	w.check(t, "header")
}

// headerFits checks the page against the phone's width: no horizontal
// scrolling, with the elements that stick out named when there is.
func headerFits(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	if !run(ctx, t, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= innerWidth`)) {
		deskFits(ctx, t, name) // names the culprits
		t.Errorf("%s: the page is %d px wide on a %d px screen", name,
			run(ctx, t, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)), run(ctx, t, chromedp.Evaluate[int](`innerWidth`)))
	}
}

// headerContrast runs axe-core's colour contrast rule on the site header.
func headerContrast(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	script, err := axeScript()
	if err != nil {
		checkAccessibility(ctx, t, name) // reports the missing axe-core
		return
	}
	run(ctx, t, chromedp.Evaluate[chromedp.Void](string(script)))
	res := run(ctx, t, chromedp.Evaluate[axeResult](`axe.run({include: [["header.it-header-wrapper"]]}, {runOnly: {type: "rule", values: ["color-contrast"]}})
		.then(r => ({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		t.Errorf("%s: axe-core checked no text of the header", name)
	}
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: header: %s (%s) at %s", name, v.Help, v.ID, strings.Join(where, ", "))
	}
}

// tabTo presses Tab, from where the page was left, until the element
// with id has the focus.
func tabTo(ctx context.Context, t *testing.T, id string) {
	t.Helper()
	for range 30 {
		do(ctx, t, chromedp.KeyEvent("\t"))
		if run(ctx, t, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`)) == id {
			return
		}
	}
	t.Fatalf("Tab never reaches #%s", id)
}

// viewportShot saves what the phone's screen shows, for people to look at.
func viewportShot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(screenshotDir(t), strings.ReplaceAll(t.Name(), "/", "_")+"_"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
