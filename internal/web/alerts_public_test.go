// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"image"
	_ "image/jpeg" // the card as JPEG
	_ "image/png"  // the card as PNG
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// alertFixture opens incidents and sends alerts in the demo organisation
// through the alert service, with no channel: alerts with no delivery.
type alertFixture struct {
	t   *testing.T
	in  *apptest.Instance
	ctx context.Context
	org org.Organisation
}

func newAlertFixture(t *testing.T, in *apptest.Instance) *alertFixture {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	return &alertFixture{t: t, in: in, ctx: ctx, org: o}
}

func (f *alertFixture) incident(title string, exercise bool) alert.Incident {
	f.t.Helper()
	inc, err := f.in.App.Alerts.CreateIncident(f.ctx, f.org.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red,
		Title: title, Hashtag: "#BoraTS", AreaDesc: "Rive e Barcola", Exercise: exercise,
		Instructions: "Restate in casa.\nNon sostate sotto gli alberi.",
		Numbers:      []alert.Number{{Label: "Polizia locale", Number: "040 366 111"}},
		Links:        []alert.Link{{Label: "Protezione civile", URL: "https://protezionecivile.example.org/bora"}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

func (f *alertFixture) send(incidentID string, kind alert.Kind, headline, body string) alert.Alert {
	f.t.Helper()
	a, _, err := f.in.App.Alerts.Send(f.ctx, f.org.ID, "", incidentID, alert.SendInput{Kind: kind, Headline: headline, Body: body,
		Languages: []string{"en"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func TestLivePage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		f := newAlertFixture(t, in)
		anon := newClient(t, in.URL)
		title := storetest.Unique("Bora sulle rive ")
		inc := f.incident(title, false)
		live := "/o/demo/live/" + inc.ID

		// A draft is not public, in any of its forms.
		for _, p := range []string{live, live + ".atom", live + "/events"} {
			if code, _ := anon.get(p); code != http.StatusNotFound {
				t.Errorf("draft %s: %d, want 404", p, code)
			}
		}

		a := f.send(inc.ID, alert.KindAlert, "Raffiche a 150 km/h <script>alert(1)</script>", "Chiuse le rive.\n\nScuole aperte.")
		code, body, h := anon.do("GET", live, nil, nil)
		if code != http.StatusOK {
			t.Fatalf("live page: %d", code)
		}
		for _, want := range []string{
			"&lt;script&gt;alert(1)&lt;/script&gt;", title, "Allerta rossa", "In corso", "Vento forte (bora)", "Rive e Barcola",
			"#BoraTS", `href="tel:040366111"`, `href="tel:112"`, `href="https://protezionecivile.example.org/bora"`,
			`id="a-` + a.ID + `"`, "Chiuse le rive.", `href="/o/demo/alerts/` + a.ID + `.cap"`, `src="/o/demo/alerts/` + a.ID + `.png"`,
			`alt="Immagine dell&#39;ultimo messaggio: Allerta rossa.`, `href="` + live + `.atom"`, "/static/js/live.js",
			`data-events="` + live + `/events?last=` + a.ID, `aria-live="polite"`, `<html lang="it">`, `<main id="main"`,
			`hreflang="en"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("live page lacks %q", want)
			}
		}
		for _, unwanted := range []string{"<script>alert(1)", "noindex", "ESERCITAZIONE", "bootstrap-italia.bundle", "htmx"} {
			if strings.Contains(body, unwanted) {
				t.Errorf("live page has %q", unwanted)
			}
		}
		if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		// The page's own weight, without the shared CSS, stays small.
		if len(body) > 30_000 {
			t.Errorf("live page is %d bytes", len(body))
		}

		// English: the interface and the alert's English texts.
		_, body = anon.get(live + "?lang=en")
		for _, want := range []string{`<html lang="en">`, "Red alert", "Ongoing", "RED ALERT for strong wind (bora)", `aria-current="page"`} {
			if !strings.Contains(body, want) {
				t.Errorf("English live page lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>alert(1)") {
			t.Error("English live page: headline not escaped")
		}

		// The fragment live.js swaps in.
		code, body = anon.get(live + "?partial=timeline")
		if code != http.StatusOK || !strings.Contains(body, `id="live-dynamic"`) || strings.Contains(body, "<html") ||
			!strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("timeline fragment: %d %.200s", code, body)
		}

		// The default organisation's path, where it is the only one.
		if strings.HasSuffix(t.Name(), "sqlite") {
			if code, _ := anon.get("/live/" + inc.ID); code != http.StatusOK {
				t.Errorf("unprefixed live page: %d", code)
			}
		}
		if code, _ := anon.get("/o/demo/live/no-such-incident"); code != http.StatusNotFound {
			t.Errorf("unknown incident: %d", code)
		}

		// A drill says so, and search engines leave it out.
		drillTitle := storetest.Unique("Esercitazione bora ")
		drill := f.incident(drillTitle, true)
		f.send(drill.ID, alert.KindAlert, "Prova di allerta", "")
		_, body = anon.get("/o/demo/live/" + drill.ID)
		if !strings.Contains(body, "ESERCITAZIONE") || !strings.Contains(body, `<meta name="robots" content="noindex">`) {
			t.Error("drill: no ESERCITAZIONE banner or no noindex")
		}

		// The list of alerts: the real incident, not the drill.
		code, body = anon.get("/o/demo/allerte")
		if code != http.StatusOK || !strings.Contains(body, `href="`+live+`"`) || strings.Contains(body, drillTitle) ||
			!strings.Contains(body, `id="subscribe"`) || !strings.Contains(body, "/o/demo/feeds/alerts.atom") {
			t.Errorf("alerts list: %d", code)
		}

		// The all-clear ends the incident; its stream says there is no more.
		f.send(inc.ID, alert.KindCancel, "Vento calato", "")
		_, body = anon.get(live)
		if !strings.Contains(body, "Cessato allarme") || !strings.Contains(body, `data-resolved="1"`) {
			t.Error("resolved incident: no all-clear")
		}
		if code, _ := anon.get(live + "/events"); code != http.StatusNoContent {
			t.Errorf("events of an ended incident: %d, want 204", code)
		}
		_, body = anon.get("/o/demo/allerte")
		if !strings.Contains(body, `id="alerts-resolved"`) || !strings.Contains(body, title) {
			t.Error("alerts list: the ended incident is not among the recent ones")
		}
	})
}

// sseEvent is one event of a stream.
type sseEvent struct{ id, name, data string }

// readEvents reads a Server-Sent Events stream into a channel until it
// ends.
func readEvents(ctx context.Context, t *testing.T, url string) <-chan sseEvent {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		_ = resp.Body.Close()
		t.Fatalf("events: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer close(out)
		defer func() { _ = resp.Body.Close() }()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "retry: "):
				out <- sseEvent{name: "retry", data: strings.TrimPrefix(line, "retry: ")}
			}
		}
	}()
	return out
}

// waitEvent waits for an event of the given name whose data contains
// want; it fails the test when the stream ends or the context expires.
func waitEvent(ctx context.Context, t *testing.T, events <-chan sseEvent, name, want string) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("stream ended before %s %s", name, want)
			}
			if ev.name == name && strings.Contains(ev.data, want) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no %s event with %s", name, want)
		}
	}
}

func TestLiveEvents(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		f := newAlertFixture(t, in)
		inc := f.incident(storetest.Unique("Bora in diretta "), false)
		first := f.send(inc.ID, alert.KindAlert, "Bora forte", "")
		events := in.URL + "/o/demo/live/" + inc.ID + "/events"

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stream := readEvents(ctx, t, events+"?last="+first.ID)
		waitEvent(ctx, t, stream, "retry", "3000")
		update := f.send(inc.ID, alert.KindUpdate, "Raffiche in aumento", "")
		ev := waitEvent(ctx, t, stream, "alert", `"id":"`+update.ID+`"`)
		if !strings.Contains(ev.data, `"kind":"update"`) || ev.id != update.ID {
			t.Errorf("alert event: %+v", ev)
		}
		// A page that shows only the first alert learns of the update as
		// soon as it connects.
		late := readEvents(ctx, t, events+"?last="+first.ID)
		waitEvent(ctx, t, late, "alert", update.ID)
		// The all-clear: its alert, then the status, and the stream ends.
		f.send(inc.ID, alert.KindCancel, "Fine allerta", "")
		waitEvent(ctx, t, stream, "status", `"status":"resolved"`)
		for range stream {
		}
	})
}

func TestAlertFiles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		f := newAlertFixture(t, in)
		inc := f.incident(storetest.Unique("Bora per i file "), false)
		a := f.send(inc.ID, alert.KindAlert, "Raffiche & mareggiate", "Rive chiuse")
		anon := newClient(t, in.URL)
		base := "/o/demo/alerts/" + a.ID

		code, body, h := anon.do("GET", base+".cap", nil, nil)
		if code != http.StatusOK || h.Get("Content-Type") != "application/cap+xml; charset=utf-8" {
			t.Fatalf("CAP: %d %q", code, h.Get("Content-Type"))
		}
		msg, err := cap.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatalf("CAP does not parse: %v", err)
		}
		if msg.Identifier != a.ID || msg.Status != cap.StatusActual || len(msg.Info) == 0 {
			t.Errorf("CAP: identifier %q status %q", msg.Identifier, msg.Status)
		}

		for _, c := range []struct{ ext, ct, format string }{{"png", "image/png", "png"}, {"jpg", "image/jpeg", "jpeg"}} {
			code, body, h := anon.do("GET", base+"."+c.ext, nil, nil)
			if code != http.StatusOK || h.Get("Content-Type") != c.ct || !strings.Contains(h.Get("Cache-Control"), "public") {
				t.Errorf("card %s: %d %q %q", c.ext, code, h.Get("Content-Type"), h.Get("Cache-Control"))
				continue
			}
			img, format, err := image.Decode(bytes.NewReader([]byte(body)))
			if err != nil || format != c.format || img.Bounds().Dx() != 1080 || img.Bounds().Dy() != 1080 {
				t.Errorf("card %s: %v %s %v", c.ext, err, format, img)
			}
		}
		for _, p := range []string{"/o/demo/alerts/nessuno.cap", base + ".gif", base, "/o/demo/alerts/" + inc.ID + ".png"} {
			if code, _ := anon.get(p); code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, code)
			}
		}
	})
}

// atomDoc is what a feed reader takes from a feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func TestAlertsFeed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		f := newAlertFixture(t, in)
		anon := newClient(t, in.URL)
		inc := f.incident(storetest.Unique("Bora lunga "), false)
		// Fifty alerts with texts at the length limit, full of characters
		// XML escapes.
		long := strings.Repeat("Raffiche & mareggiate <forti> sulle rive, \"attenzione\". ", 70)[:3900]
		var sent []alert.Alert
		sent = append(sent, f.send(inc.ID, alert.KindAlert, strings.Repeat("Bora ", 50), long))
		for i := 1; i < 50; i++ {
			sent = append(sent, f.send(inc.ID, alert.KindUpdate, strings.Repeat("Aggiornamento ", 20), long))
		}
		drill := f.incident(storetest.Unique("Prova feed "), true)
		drillAlert := f.send(drill.ID, alert.KindAlert, "Solo una prova", "")

		code, body, h := anon.do("GET", "/o/demo/feeds/alerts.atom", nil, nil)
		if code != http.StatusOK || h.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("alerts feed: %d %q", code, h.Get("Content-Type"))
		}
		if len(body) >= 100_000 {
			t.Errorf("alerts feed is %d bytes, want under 100 KB", len(body))
		}
		var doc atomDoc
		if err := xml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("alerts feed is not Atom: %v", err)
		}
		if len(doc.Entries) < 20 || len(doc.Entries) > 50 {
			t.Errorf("alerts feed: %d entries", len(doc.Entries))
		}
		newest := sent[len(sent)-1]
		if len(doc.Entries) == 0 || doc.Entries[0].ID != "urn:uuid:"+newest.ID {
			t.Fatalf("alerts feed: the newest alert does not lead")
		}
		e := doc.Entries[0]
		var capLink, page bool
		for _, l := range e.Links {
			capLink = capLink || (l.Type == "application/cap+xml" && l.Href == in.URL+"/o/demo/alerts/"+newest.ID+".cap")
			page = page || (l.Type == "text/html" && strings.HasPrefix(l.Href, in.URL+"/o/demo/live/"+inc.ID))
		}
		if !capLink || !page || !strings.Contains(e.Title, "AGGIORNAMENTO") || !strings.Contains(e.Content, "Raffiche & mareggiate") {
			t.Errorf("alerts feed entry: %+v", e)
		}
		if strings.Contains(body, drillAlert.ID) {
			t.Error("the drill's alert is in the public feed")
		}
		// CAP aggregators find each message by its typed link.
		entries, err := cap.ParseFeed(strings.NewReader(body))
		if err != nil || len(entries) != len(doc.Entries) || entries[0].Link != in.URL+"/o/demo/alerts/"+newest.ID+".cap" {
			t.Fatalf("cap.ParseFeed: %v", err)
		}
		if code, capBody := anon.get(strings.TrimPrefix(entries[0].Link, in.URL)); code != http.StatusOK {
			t.Errorf("linked CAP: %d", code)
		} else if _, err := cap.Parse(strings.NewReader(capBody)); err != nil {
			t.Errorf("linked CAP: %v", err)
		}

		// The incident's own feed, for the press.
		code, body = anon.get("/o/demo/live/" + inc.ID + ".atom")
		doc = atomDoc{}
		if code != http.StatusOK || xml.Unmarshal([]byte(body), &doc) != nil || len(body) >= 100_000 {
			t.Fatalf("incident feed: %d, %d bytes", code, len(body))
		}
		if len(doc.Entries) == 0 || doc.Entries[0].ID != "urn:uuid:"+newest.ID || !strings.Contains(doc.Title, inc.Title) {
			t.Errorf("incident feed: %d entries, title %q", len(doc.Entries), doc.Title)
		}
		// A drill's own feed is public like its page, and says it is one.
		_, body = anon.get("/o/demo/live/" + drill.ID + ".atom")
		if !strings.Contains(body, "[ESERCITAZIONE]") || !strings.Contains(body, drillAlert.ID) {
			t.Error("drill feed: entry missing or not marked")
		}
	})
}

// TestLiveCatalog checks the messages the live pages build from data:
// every type, level, kind and status in both languages.
func TestLiveCatalog(t *testing.T) {
	keys := []string{"live.feed_alerts_title", "live.feed_incident_title", "live.feed_drill", "live.card_alt", "live.drill_banner",
		"live.status." + string(alert.StatusActive), "live.status." + string(alert.StatusResolved)}
	for _, typ := range alert.Types {
		keys = append(keys, "live.type."+string(typ))
	}
	for _, c := range alert.Colours {
		keys = append(keys, "live.level."+string(c))
	}
	for _, k := range []alert.Kind{alert.KindAlert, alert.KindUpdate, alert.KindCancel} {
		keys = append(keys, "live.kind."+string(k))
	}
	c := i18n.Default()
	for _, key := range keys {
		for _, lang := range i18n.Supported {
			if !c.Has(lang, key) {
				t.Errorf("%s: %s missing", lang, key)
			}
		}
	}
}
