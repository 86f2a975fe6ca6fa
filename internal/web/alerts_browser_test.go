// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestBrowserLivePage is a citizen following an emergency on a phone: the
// live page fits the screen, passes axe-core, and shows an update as soon
// as the crisis team sends it, without a reload.
func TestBrowserLivePage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		actx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(actx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		marker := storetest.Unique("raffiche")
		inc, err := in.App.Alerts.CreateIncident(actx, o.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Orange,
			Title: "Bora sul lungomare " + marker, Hashtag: "#BoraTest", Instructions: "Evitate il lungomare.",
			Numbers: []alert.Number{{Label: "Protezione civile", Number: "800 123 456"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := in.App.Alerts.Send(actx, o.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert,
			Headline: "Chiuso il lungomare " + marker}); err != nil {
			t.Fatal(err)
		}
		ctx := browser(t)
		w := watchPage(ctx, t)
		do(ctx, t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		do(ctx, t, chromedp.Navigate(in.URL+"/o/demo/live/"+inc.ID), chromedp.WaitVisible(chromedp.CSS(`#live-timeline`)))
		deskReady(ctx, t)
		deskFits(ctx, t, "live")
		shot(ctx, t, "live-01-phone")
		body := run(ctx, t, chromedp.Evaluate[string](`document.body.innerText`))
		if !strings.Contains(body, "Chiuso il lungomare "+marker) || !strings.Contains(body, "800 123 456") {
			t.Fatalf("the live page lacks the alert or the numbers:\n%s", body)
		}
		// Alerts on this phone: a button, or a message saying why not.
		deskWait(ctx, t, "the subscription box is filled", `Array.from(document.querySelectorAll("#subscribe [data-push] button, #subscribe [data-push] [aria-live]")).map(e => e.innerText).join(" ")`,
			func(s string) bool { return strings.TrimSpace(s) != "" })
		// The page stays; the update arrives by Server-Sent Events.
		run(ctx, t, chromedp.Evaluate[chromedp.Void](`window.__stayed = true`))
		if _, _, err := in.App.Alerts.Send(actx, o.ID, "", inc.ID, alert.SendInput{Kind: alert.KindUpdate,
			Headline: "Raffiche a 130 km/h " + marker}); err != nil {
			t.Fatal(err)
		}
		deskWait(ctx, t, "the update appears without a reload",
			`(window.__stayed === true && document.body.innerText.includes("Raffiche a 130 km/h `+marker+`")) ? "yes" : "no"`,
			func(s string) bool { return s == "yes" })
		shot(ctx, t, "live-02-update")

		do(ctx, t, chromedp.Navigate(in.URL+"/o/demo/allerte"), chromedp.WaitVisible(chromedp.CSS(`#subscribe`)))
		deskReady(ctx, t)
		deskFits(ctx, t, "allerte")
		shot(ctx, t, "live-03-list")
		w.check(t, "live pages")
	})
}
