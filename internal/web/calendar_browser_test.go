// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/store"
)

// TestBrowserCalendar moves a post in a real browser: dragged onto
// another day (the drop goes through htmx, which swaps the calendar), then
// with the keyboard's "Sposta" form, then refused for a time in the past;
// the outcome takes the focus. The plan's pages pass axe-core.
func TestBrowserCalendar(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browser(t)
	in := apptest.Start(t, store.SQLite)
	mgr := plannerFor(t, in, "manager@demo.piazza.test")
	loc := mgr.org.Location()
	tg := sandboxAccount(t, in, channel.Telegram)
	p := mgr.post("Mercatino di Natale", dayAhead(mgr.org, 2, 10, 30), tg.ID)
	date := p.ScheduledAt.In(loc).Format("2006-01-02")
	target := p.ScheduledAt.In(loc).AddDate(0, 0, 1)
	// The drop target must be on the same page as the post.
	if target.Month() != p.ScheduledAt.In(loc).Month() {
		target = p.ScheduledAt.In(loc).AddDate(0, 0, -1)
	}

	do(ctx, t,
		chromedp.Navigate(in.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "manager@demo.piazza.test"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#main-nav`)),
		chromedp.Navigate(in.URL+"/plan/calendar?date="+date),
		chromedp.WaitVisible(chromedp.CSS(`#cal-item-`+p.ID)),
	)
	shot(ctx, t, "01-calendar")

	// Drag and drop, as the browser fires it.
	run(ctx, t, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const item = document.getElementById("cal-item-%s");
		const day = document.querySelector('td.cal-day[data-date="%s"]');
		const dt = new DataTransfer();
		item.dispatchEvent(new DragEvent("dragstart", {bubbles: true, cancelable: true, dataTransfer: dt}));
		day.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		day.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		return true;
	})()`, p.ID, target.Format("2006-01-02"))))
	do(ctx, t, chromedp.WaitVisible(chromedp.CSS(`td.cal-day[data-date="`+target.Format("2006-01-02")+`"] #cal-item-`+p.ID)))
	// The outcome takes the focus once htmx has settled the new calendar
	// (and bound its forms).
	activeID := func() string {
		return run(ctx, t, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	}
	waitFocus(t, activeID, "cal-message")
	msg := run(ctx, t, chromedp.Text(chromedp.CSS(`#cal-message`)))
	if !strings.Contains(msg, "spostato") {
		t.Errorf("after the drop: %q", msg)
	}
	if got := mgr.reload(p.ID).ScheduledAt.In(loc); got.Format("2006-01-02 15:04") != target.Format("2006-01-02")+" 10:30" {
		t.Errorf("dropped at %v", got)
	}
	shot(ctx, t, "02-dropped")

	// The keyboard's way: open "Sposta", type a date and a time, submit,
	// all with the focus and the Enter key (the page may still scroll to
	// the last outcome, so no clicks at coordinates).
	at := dayAhead(mgr.org, 3, 16, 45)
	do(ctx, t,
		chromedp.Focus(chromedp.CSS(`#cal-item-`+p.ID+` details summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#move-`+p.ID)),
	)
	run(ctx, t, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { document.getElementById("move-%s").value = "%s"; return true; })()`, p.ID, at.Format("2006-01-02T15:04"))))
	do(ctx, t, chromedp.Focus(chromedp.CSS(`#cal-item-`+p.ID+` details button[type="submit"]`)), chromedp.KeyEvent("\r"))
	// The drop left a success message already: wait for the one naming
	// the new time, not for any success.
	waitText(ctx, t, `#cal-message.alert-success`, at.Format("02/01/2006 15:04"))
	if got := mgr.reload(p.ID).ScheduledAt; !got.Equal(at) {
		t.Errorf("moved with the form to %v, want %v", got, at)
	}
	waitFocus(t, activeID, "cal-message")

	// A time in the past is refused in words, inside the calendar.
	do(ctx, t,
		chromedp.Focus(chromedp.CSS(`#cal-item-`+p.ID+` details summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#move-`+p.ID)),
	)
	run(ctx, t, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { document.getElementById("move-%s").value = "%s"; return true; })()`, p.ID, dayAhead(mgr.org, -2, 9, 0).Format("2006-01-02T15:04"))))
	do(ctx, t, chromedp.Focus(chromedp.CSS(`#cal-item-`+p.ID+` details button[type="submit"]`)), chromedp.KeyEvent("\r"))
	waitSel(ctx, t, `#cal-message.alert-danger`)
	if msg := run(ctx, t, chromedp.Text(chromedp.CSS(`#cal-message`))); !strings.Contains(msg, "passato") {
		t.Errorf("refused move: %q", msg)
	}
	if mgr.reload(p.ID).State != editorial.StateDraft {
		t.Error("the refused move changed the post")
	}
	shot(ctx, t, "03-refused")

	do(ctx, t, chromedp.Navigate(in.URL+"/plan/calendar?view=week&date="+date), chromedp.WaitVisible(chromedp.CSS(`#calendar`)))
	shot(ctx, t, "04-week")
	for i, path := range []string{"/plan/campaigns", "/plan/rubrics", "/plan/import", "/plan/settings"} {
		do(ctx, t, chromedp.Navigate(in.URL+path), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
		shot(ctx, t, fmt.Sprintf("%02d-%s", i+5, strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")))
	}
	// A campaign's and a rubric's own pages.
	do(ctx, t, chromedp.Navigate(in.URL+"/plan/campaigns"), chromedp.WaitVisible(chromedp.CSS(`#campaigns`)))
	for _, sel := range []string{`#campaigns tbody a`, `#rubrics tbody a`} {
		if sel == `#rubrics tbody a` {
			do(ctx, t, chromedp.Navigate(in.URL+"/plan/rubrics"), chromedp.WaitVisible(chromedp.CSS(`#rubrics`)))
		}
		n := run(ctx, t, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
		if n == 0 {
			continue // the demo has none
		}
		do(ctx, t, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
		shot(ctx, t, strings.Trim(strings.Fields(sel)[0], "#"))
	}
}

// waitFocus polls where the focus is: htmx settles after the swap.
func waitFocus(t *testing.T, active func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got := active()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("focus on %q, want %q", got, want)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitSel(ctx context.Context, t *testing.T, sel string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		st := run(ctx, t, chromedp.Evaluate[string](`location.href + " | " + (document.activeElement && document.activeElement.outerHTML.slice(0,200)) + " | " + (document.getElementById("cal-message")||{}).outerHTML`))
		t.Fatalf("waiting for %s: %v; %s", sel, err, st)
	}
}

// waitText waits for the element of sel to show want in its text.
func waitText(ctx context.Context, t *testing.T, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, time.Second)
		got, err := chromedp.Run(c, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{}).textContent||""`, sel)))
		cancel()
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %q in %s: got %q (%v)", want, sel, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
