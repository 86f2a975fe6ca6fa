// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
)

// TestBrowserTestDevicePage: the crisis team's test-device form comes to
// life with the scripts it shares with the public pages (pushlib.js): the
// button is enabled where the browser has Web Push, or the page says why
// not, and no script fails.
func TestBrowserTestDevicePage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := browser(t)
		w := watchPage(ctx, t)
		do(ctx, t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		deskLogin(ctx, t, in.URL, "crisi@demo.piazza.test")
		do(ctx, t, chromedp.Navigate(in.URL+"/alerts/devices"), chromedp.WaitVisible(chromedp.CSS(`#device-form`)))
		deskReady(ctx, t)
		state := deskWait(ctx, t, "the form is ready", `typeof window.PiazzaPush + " " +
			(document.querySelector("#device-form button[type=submit]").disabled ? "disabled" : "enabled") + " " +
			document.getElementById("device-status").textContent.trim()`,
			func(s string) bool {
				return strings.HasPrefix(s, "object enabled") || strings.HasPrefix(s, "object disabled ") && len(s) > len("object disabled ")
			})
		if !strings.HasPrefix(state, "object enabled") {
			t.Logf("this Chromium has no Web Push: %s", state)
		}
		w.check(t, "test devices")
	})
}
