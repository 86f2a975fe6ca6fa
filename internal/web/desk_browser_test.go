// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestBrowserDesk is a night's work of a new community manager at the
// citizen desk, in a real browser: the inbox and its keyboard shortcuts,
// a message that arrives while the inbox is open, a reply to a web form,
// a triage confirmed with one click, a citizen's markup shown as text.
// The desk's pages, the citizen's form and the status page pass axe-core
// on a desktop and on a phone. On PostgreSQL the demo organisation is
// shared by the package's tests, so the test finds its conversations by
// a marker it writes in them.
func TestBrowserDesk(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		actx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(actx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		marker := storetest.Unique("sera")
		// citizen sends a message into the desk as the web form does.
		citizen := func(name, text string) desk.Ingested {
			t.Helper()
			id := storetest.Unique("browser-desk-")
			res, err := in.App.Desk.Ingest(actx, desk.Inbound{OrgID: o.ID, Source: desk.SourceWebForm,
				Msg: channel.Inbound{RemoteID: id, Thread: id, Visibility: channel.Private, AuthorID: "webform:" + id,
					AuthorName: name, Text: text, At: time.Now()}})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		lamp := citizen("Silvia Kante", "Lampione spento in via Verdi 8 da una settimana "+marker)
		const script = `<script>alert("xss")</script><img src=x onerror=alert(2)>`
		xss := citizen("Anonimo", "Parcheggio "+marker+" "+script+" in piazza Unità")

		t.Run("desktop", func(t *testing.T) {
			ctx := browser(t)
			w := watchPage(ctx, t)
			deskLogin(ctx, t, in.URL, "community@demo.piazza.test")

			// 1. The inbox.
			do(ctx, t, chromedp.Navigate(in.URL+"/desk"), chromedp.WaitVisible(chromedp.CSS(`#desk-list`)))
			deskReady(ctx, t)
			shot(ctx, t, "01-inbox")
			w.check(t, "inbox")

			// 2. The keyboard: j twice reaches the second conversation,
			// Enter opens it, r goes to the reply.
			second := deskSecondByKeys(ctx, t, in.URL)
			deskPress(ctx, t, '\r')
			deskWait(ctx, t, "the second conversation opens", `location.pathname`, func(s string) bool { return s == "/desk/c/"+second })
			do(ctx, t, chromedp.WaitVisible(chromedp.CSS(`#reply-text`)))
			deskReady(ctx, t)
			shot(ctx, t, "02-conversation")
			deskPress(ctx, t, 'r')
			waitFocus(t, func() string {
				return run(ctx, t, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
			}, "reply-text")
			if v := run(ctx, t, chromedp.Evaluate[string](`document.getElementById("reply-text").value`)); v != "" {
				t.Errorf("the shortcut typed into the reply: %q", v)
			}
			w.check(t, "keyboard")

			// 3. Live: an urgent message arrives while the inbox is open,
			// with the keyboard on the first conversation.
			do(ctx, t, chromedp.Navigate(in.URL+"/desk"), chromedp.WaitVisible(chromedp.CSS(`#desk-list`)))
			deskReady(ctx, t)
			deskPress(ctx, t, 'j')
			focused := deskWait(ctx, t, "the first conversation focused", deskFocusedItem, func(s string) bool { return s != "" })
			run(ctx, t, chromedp.Evaluate[bool](`window.deskNotReloaded = true`))
			urgent := citizen("Nadia Furlan", marker+" Aiuto! È caduto un albero su un'auto in via Roma, c'è una persona ferita")
			if urgent.Labels.Urgency != "alta" {
				t.Errorf("the call for help was triaged %+v", urgent.Labels)
			}
			item := fmt.Sprintf(`(document.querySelector("#desk-list #conv-%s")||{}).textContent||""`, urgent.ConversationID)
			text := deskWait(ctx, t, "the new message in the list", item, func(s string) bool { return strings.Contains(s, marker) })
			if !strings.Contains(text, "Urgente") {
				t.Errorf("the new message is not marked urgent: %q", strings.Join(strings.Fields(text), " "))
			}
			if !run(ctx, t, chromedp.Evaluate[bool](`window.deskNotReloaded === true`)) {
				t.Error("the inbox reloaded the page instead of its list")
			}
			// The live region says so, urgent subject first.
			said := deskWait(ctx, t, "an announcement", `document.getElementById("desk-live").textContent`, func(s string) bool { return strings.Contains(s, marker) })
			if !strings.HasPrefix(said, "Urgente: ") {
				t.Errorf("live region: %q, want the urgent subject", said)
			}
			// The keyboard user keeps their place.
			if got := run(ctx, t, chromedp.Evaluate[string](deskFocusedItem)); got != focused {
				t.Errorf("after the refresh the focus is on %q, want the conversation %q", got, focused)
			}
			shot(ctx, t, "03-live")
			w.check(t, "live")

			// 4. A reply to the web form: on the status page at once.
			reply := "Grazie della segnalazione, il lampione è in programma per domani. Rif. " + marker
			do(ctx, t,
				chromedp.Navigate(in.URL+"/desk/c/"+lamp.ConversationID),
				chromedp.WaitVisible(chromedp.CSS(`#reply-text`)),
				chromedp.SendKeys(chromedp.CSS(`#reply-text`), reply),
				chromedp.Click(chromedp.CSS(`#reply-form button[type="submit"]`)),
			)
			deskWait(ctx, t, "the reply saved", `location.search`, func(s string) bool { return strings.Contains(s, "flash.desk_replied") })
			state := fmt.Sprintf(`(() => {
				const li = Array.from(document.querySelectorAll("#thread li")).find(li => li.textContent.includes(%q));
				const s = li && li.querySelector(".reply-state");
				return s ? s.className + "|" + s.textContent.trim() : "";
			})()`, "Rif. "+marker)
			deadline := time.Now().Add(20 * time.Second)
			for {
				got := run(ctx, t, chromedp.Evaluate[string](state))
				if strings.Contains(got, "reply-sent") {
					if !strings.Contains(got, "Inviata") {
						t.Errorf("sent reply shown as %q", got)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the web form reply is not sent: %q", got)
				}
				time.Sleep(200 * time.Millisecond)
				do(ctx, t, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
			}
			shot(ctx, t, "04-replied")

			// 5. The triage, confirmed with one click.
			do(ctx, t, chromedp.Click(chromedp.CSS(`#triage-form button[type="submit"]`)))
			waitText(ctx, t, `#triage-h`, "confermata")
			if !strings.Contains(run(ctx, t, chromedp.Evaluate[string](`location.search`)), "flash.desk_triaged") {
				t.Error("no confirmation of the triage")
			}
			shot(ctx, t, "05-triaged")
			w.check(t, "reply and triage")

			// 6. A citizen's markup is text, in the list and in the
			// conversation; nothing runs.
			do(ctx, t, chromedp.Navigate(in.URL+"/desk?view=all&q="+marker), chromedp.WaitVisible(chromedp.CSS(`#conv-`+xss.ConversationID)))
			deskReady(ctx, t)
			if got := run(ctx, t, chromedp.Text(chromedp.CSS(`#conv-`+xss.ConversationID+` a.desk-open`))); !strings.Contains(got, `<script>alert("xss")</script>`) {
				t.Errorf("the list does not show the citizen's text as text: %q", got)
			}
			do(ctx, t, chromedp.Navigate(in.URL+"/desk/c/"+xss.ConversationID), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
			deskReady(ctx, t)
			if got := run(ctx, t, chromedp.Text(chromedp.CSS(`#thread .desk-text`))); !strings.Contains(got, script) {
				t.Errorf("the conversation does not show the citizen's text as text: %q", got)
			}
			if n := run(ctx, t, chromedp.Evaluate[int](`document.querySelectorAll("#main script:not([src]), #conv-title *, #thread .desk-text *, img[src='x']").length`)); n != 0 {
				t.Errorf("the citizen's markup became %d elements", n)
			}
			shot(ctx, t, "06-markup")
			w.check(t, "markup")

			// The settings, as the manager; the citizen's pages.
			deskLogout(ctx, t)
			deskLogin(ctx, t, in.URL, "manager@demo.piazza.test")
			do(ctx, t, chromedp.Navigate(in.URL+"/desk/settings"), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
			shot(ctx, t, "07-settings")
			deskLogout(ctx, t)
			do(ctx, t, chromedp.Navigate(in.URL+"/o/demo/segnala"), chromedp.WaitVisible(chromedp.CSS(`#webform`)))
			shot(ctx, t, "08-webform")
			do(ctx, t, chromedp.Navigate(in.URL+"/o/demo/richieste/"+lamp.Token), chromedp.WaitVisible(chromedp.CSS(`#request-thread`)))
			if got := run(ctx, t, chromedp.Text(chromedp.CSS(`#request-thread`))); !strings.Contains(got, reply) {
				t.Errorf("the status page lacks the reply: %q", got)
			}
			shot(ctx, t, "09-status")
			w.check(t, "settings and citizen pages")
		})

		// The same pages on a phone.
		t.Run("phone", func(t *testing.T) {
			ctx := browser(t)
			w := watchPage(ctx, t)
			do(ctx, t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
			deskLogin(ctx, t, in.URL, "community@demo.piazza.test")
			for _, p := range []struct{ name, path, sel string }{
				{"01-inbox", "/desk", `#desk-list`},
				{"02-conversation", "/desk/c/" + lamp.ConversationID, `#thread`},
			} {
				do(ctx, t, chromedp.Navigate(in.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
				deskReady(ctx, t)
				deskFits(ctx, t, p.name)
				phoneShot(ctx, t, p.name)
			}
			deskLogout(ctx, t)
			deskLogin(ctx, t, in.URL, "manager@demo.piazza.test")
			do(ctx, t, chromedp.Navigate(in.URL+"/desk/settings"), chromedp.WaitVisible(chromedp.CSS(`#main h1`)))
			deskFits(ctx, t, "03-settings")
			phoneShot(ctx, t, "03-settings")
			deskLogout(ctx, t)
			for _, p := range []struct{ name, path, sel string }{
				{"04-webform", "/o/demo/segnala", `#webform`},
				{"05-status", "/o/demo/richieste/" + lamp.Token, `#request-thread`},
			} {
				do(ctx, t, chromedp.Navigate(in.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
				deskFits(ctx, t, p.name)
				phoneShot(ctx, t, p.name)
			}
			w.check(t, "phone")
		})
	})
}

// deskFocusedItem is the id of the conversation the focus is in, or "".
const deskFocusedItem = `(() => { const li = document.activeElement && document.activeElement.closest(".desk-item"); return li ? li.dataset.id : ""; })()`

// deskSecondByKeys presses j twice on the inbox and returns the id of the
// second conversation, which must then have the focus. A live refresh
// between the presses would move the list: the inbox is loaded again.
func deskSecondByKeys(ctx context.Context, t *testing.T, base string) string {
	t.Helper()
	where := `(() => {
		const items = Array.from(document.querySelectorAll("#desk-list .desk-item"));
		const a = document.activeElement;
		const i = items.findIndex(li => li.contains(a));
		return i + "|" + (i >= 0 && a.matches("a.desk-open") ? items[i].dataset.id : "");
	})()`
	var got string
	for range 3 {
		deskPress(ctx, t, 'j')
		deskPress(ctx, t, 'j')
		got = run(ctx, t, chromedp.Evaluate[string](where))
		if pos, id, _ := strings.Cut(got, "|"); pos == "1" && id != "" {
			return id
		}
		do(ctx, t, chromedp.Navigate(base+"/desk"), chromedp.WaitVisible(chromedp.CSS(`#desk-list`)))
		deskReady(ctx, t)
	}
	t.Fatalf("after j j the focus is at %q, want the second conversation's link", got)
	return ""
}

// deskWait polls a JavaScript expression until ok accepts its value, and
// returns it. Errors while a page loads count as not yet.
func deskWait(ctx context.Context, t *testing.T, what, js string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		cancel()
		if err == nil && ok(got) {
			return got
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: got %q (%v)", what, got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deskReady waits until the page has run its deferred scripts (desk.js
// binds the shortcuts then) and loaded its images.
func deskReady(ctx context.Context, t *testing.T) {
	t.Helper()
	deskWait(ctx, t, "the page loaded", `document.readyState`, func(s string) bool { return s == "complete" })
}

// deskFits checks that a phone need not scroll sideways to read the page.
func deskFits(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	got := run(ctx, t, chromedp.Evaluate[string](`(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return "";
		return Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest(".overflow-auto, .table-responsive"))
			.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + Array.from(e.classList).join(".")).join(", ") || "?";
	})()`))
	if got != "" {
		t.Errorf("%s: wider than the phone: %s", name, got)
	}
}

func deskLogin(ctx context.Context, t *testing.T, base, email string) {
	t.Helper()
	do(ctx, t,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#main h1`)),
	)
	deskWait(ctx, t, "the login", `location.pathname`, func(s string) bool { return s != "/login" })
}

// deskLogout submits the header's logout form, which a phone may keep
// behind its menu button.
func deskLogout(ctx context.Context, t *testing.T) {
	t.Helper()
	run(ctx, t, chromedp.Evaluate[bool](`document.querySelector('form[action="/logout"]').requestSubmit(), true`))
	do(ctx, t, chromedp.WaitVisible(chromedp.CSS(`#f-email`)))
}

// pageWatch records what must never happen on the desk's pages: a
// JavaScript dialog (a citizen's script that ran) or an uncaught error.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
}

func watchPage(ctx context.Context, t *testing.T) *pageWatch {
	t.Helper()
	w := &pageWatch{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			w.add(fmt.Sprintf("a %s dialog opened on %s: %q", e.Type, e.URL, e.Message))
			// The page waits for an answer; it must not hang the test.
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			w.add(fmt.Sprintf("JavaScript error at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *pageWatch) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, s)
}

func (w *pageWatch) check(t *testing.T, step string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Errorf("%s: %s", step, p)
	}
	w.problems = nil
}

// deskPress presses a key as a browser delivers a typed character: one
// keydown that carries the text, so a page that cancels the keydown types
// nothing, then the keyup. (KeyEvent sends the text as a separate char
// event, which Chrome types even after a cancelled keydown.)
func deskPress(ctx context.Context, t *testing.T, key rune) {
	t.Helper()
	evs := kb.Encode(key)
	down, up := *evs[0], *evs[len(evs)-1]
	if len(evs) == 3 {
		down.Text, down.UnmodifiedText = evs[1].Text, evs[1].UnmodifiedText
	}
	for _, p := range []input.DispatchKeyEventParams{down, up} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
	}
}

// phoneShot is shot on a phone-sized page. The site header used to be let
// off here (its navigation wrapped past its blue band); it now collapses
// behind its menu button and is checked in full, as TestBrowserHeaderPhone
// does with the menu open too.
func phoneShot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	shot(ctx, t, name)
}
