// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/store"
)

// TestBrowserPublishing is the plan's path in a real browser, as issue 3
// asks: an editor writes a post with two variants (the live counter
// answers as she types) and submits it; a manager approves and schedules
// it; it appears published on the sandbox platforms' page.
func TestBrowserPublishing(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browser(t)
	in := apptest.Start(t, store.SQLite)
	marker := "orari-" + time.Now().Format("150405")
	login := func(email string) {
		do(ctx, t,
			chromedp.Navigate(in.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
			chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
			chromedp.Click(chromedp.CSS(`#login-submit`)),
			chromedp.WaitVisible(chromedp.CSS(`#main-nav`)),
		)
	}

	login("redazione@demo.piazza.test")
	do(ctx, t,
		chromedp.Navigate(in.URL+"/plan"),
		chromedp.WaitVisible(chromedp.CSS(`#new-post`)),
		chromedp.Click(chromedp.CSS(`#new-post`)),
		chromedp.WaitVisible(chromedp.CSS(`#post-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Isola ecologica "+marker),
		chromedp.SendKeys(chromedp.CSS(`#f-body`), "Da lunedì l'isola ecologica di via Roma apre dalle 8 alle 18."),
	)
	// The variant boxes, by the account each one is for.
	ids := run(ctx, t, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".variant:not(.variant-edition)")).filter(v => /Telegram|Mastodon/.test(v.querySelector("label").textContent)).map(v => v.id.replace("variant-", ""))`))
	if len(ids) != 2 {
		t.Fatalf("Telegram and Mastodon variant boxes: %v", ids)
	}
	for _, id := range ids {
		do(ctx, t,
			chromedp.Click(chromedp.CSS(`#variant-`+id+` button.copy-body`)),
			chromedp.SendKeys(chromedp.CSS(`#v-`+id), " #IsolaEcologica "+marker),
			// The live counter answers through htmx.
			chromedp.WaitVisible(chromedp.CSS(`#count-`+id+` [data-count]`)),
		)
	}
	count := run(ctx, t, chromedp.Text(chromedp.CSS(`#count-`+ids[0])))
	if !strings.Contains(count, "/") {
		t.Errorf("live counter: %q", count)
	}
	shot(ctx, t, "01-editor")
	do(ctx, t,
		chromedp.Click(chromedp.CSS(`#save-post`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-submit`)),
		chromedp.Click(chromedp.CSS(`#action-submit button`)),
		// In review, the editor has nothing more to press.
		chromedp.WaitNotPresent(chromedp.CSS(`#action-submit`)),
	)
	postURL := run(ctx, t, chromedp.Evaluate[string](`location.pathname`))
	do(ctx, t, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`#f-email`)))

	login("manager@demo.piazza.test")
	do(ctx, t,
		chromedp.Navigate(in.URL+postURL),
		chromedp.WaitVisible(chromedp.CSS(`#action-approve`)),
		chromedp.Click(chromedp.CSS(`#action-approve button`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-schedule`)),
	)
	shot(ctx, t, "02-approved")
	do(ctx, t,
		chromedp.Click(chromedp.CSS(`#action-schedule button`)),
		chromedp.WaitVisible(chromedp.CSS(`#publications`)),
	)
	// The engine publishes at once; the page shows it after a reload.
	deadline := time.Now().Add(30 * time.Second)
	for {
		do(ctx, t, chromedp.Navigate(in.URL+postURL), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
		n := run(ctx, t, chromedp.Evaluate[int](`document.querySelectorAll('tr.publication[data-state="published"]').length`))
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 publications published", n)
		}
		time.Sleep(300 * time.Millisecond)
	}
	shot(ctx, t, "03-published")
	do(ctx, t, chromedp.Navigate(in.URL+"/sandbox"), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
	text := run(ctx, t, chromedp.Text(chromedp.CSS(`#main`)))
	if strings.Count(text, marker) < 2 {
		t.Errorf("the sandbox page should show the post as Telegram and Mastodon received it: %.500s", text)
	}
	shot(ctx, t, "04-sandbox")
}
