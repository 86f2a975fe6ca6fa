// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// The citizen's side of emergency alerts: the live page of an incident
// (refreshed by Server-Sent Events, usable without JavaScript), the list
// of alerts, the Atom feeds and each alert as a CAP message and a card.
//
// Paths, under /o/{slug} and, for the default organisation, without it:
//
//	/allerte                   active incidents and those ended in the last 30 days
//	/live/{incident}           the live page (a draft is not public: 404)
//	/live/{incident}.atom      the incident's updates as Atom, for the press
//	/live/{incident}/events    Server-Sent Events: "alert" and "status"
//	/feeds/alerts.atom         the organisation's real alerts, each linking its CAP message
//	/alerts/{id}.cap|.png|.jpg one alert as CAP 1.2, or its card (Instagram fetches the JPEG)
//
// ServeMux wildcards take whole segments, so "/live/{incident}" also
// receives "x.atom"; the live page hands a name ending in .atom to the
// feed, as /alerts/{file} does with its suffixes. Incident and alert ids
// are UUIDs and never contain a dot.
func (s *Server) alertPublicRoutes(mux *http.ServeMux) {
	watch := newIncidentWatch(s.Alerts, s.Logger, livePoll)
	s.public(mux, "GET", "/allerte", s.alertsPublic, true)
	s.public(mux, "GET", "/live/{incident}", s.livePage, true)
	s.public(mux, "GET", "/live/{incident}/events", s.liveEvents(watch), true)
	s.public(mux, "GET", "/feeds/alerts.atom", s.alertsFeed, true)
	s.public(mux, "GET", "/alerts/{file}", s.alertFile(), true)
}

const (
	// livePoll is how often an open live page's incident is checked; one
	// check serves every page open on it.
	livePoll = 2 * time.Second
	// liveKeepAlive keeps proxies from closing an idle event stream.
	liveKeepAlive = 20 * time.Second
	// maxAlertFeed keeps an alerts feed under 100 KB, a size CAP
	// aggregators and the press poll every minute without complaint.
	maxAlertFeed = 100_000
	// feedText is where an entry's text is cut: the whole message is in
	// its CAP document and on the live page, both linked.
	feedText = 600
	// recentlyResolved is how long an ended incident stays on /allerte.
	recentlyResolved = 30 * 24 * time.Hour
)

// bandColours are the alert levels on the live page: the civil
// protection's colours in shades dark enough for white text at WCAG AA
// (at least 5.5:1), and yellow light enough for black text (14.9:1).
var bandColours = map[alert.Colour]struct{ Fill, Ink string }{
	alert.Green:  {"#1B5E20", "text-white"},
	alert.Yellow: {"#FFD600", "text-black"},
	alert.Orange: {"#B34700", "text-white"},
	alert.Red:    {"#B71C1C", "text-white"},
}

// publicIncident is an incident the public may see: a draft is not one.
func (s *Server) publicIncident(ctx context.Context, orgID, id string) (alert.Incident, error) {
	inc, err := s.Alerts.Incident(ctx, orgID, id)
	if err != nil {
		return alert.Incident{}, err
	}
	if inc.Status == alert.StatusDraft {
		return alert.Incident{}, fmt.Errorf("web: incident %s is a draft: %w", id, store.ErrNotFound)
	}
	return inc, nil
}

func livePath(o org.Organisation, incidentID string) string {
	return "/o/" + o.Slug + "/live/" + incidentID
}

func (s *Server) capURL(o org.Organisation, alertID string) string {
	return s.PublicURL + "/o/" + o.Slug + "/alerts/" + alertID + ".cap"
}

// The live page.

type liveData struct {
	Org       org.Organisation
	Loc       *time.Location
	Incident  alert.Incident
	Steps     [][]string // the incident's instructions, as paragraphs
	Resolved  bool
	BandFill  string
	BandInk   string
	Items     []liveItem // newest first
	Latest    *liveItem
	Numbers   []liveNumber
	Langs     []string // the language switch, when alerts have English texts
	Path      string   // the page, without query
	Events    string
	Partial   string
	Feed      string
	AlertsURL string
	CAP       string
	Card      string
	CardJPEG  string
	CardAlt   string
	Updated   time.Time
	Version   string
}

// liveItem is an alert in the timeline, in the reader's language when it
// was written in it, else in Italian (Lang says which).
type liveItem struct {
	ID          string
	Kind        alert.Kind
	Colour      alert.Colour
	At          time.Time
	Lang        string
	Headline    string
	Body        [][]string // paragraphs of lines
	Instruction [][]string
	Original    *liveItem // the Italian words, when Lang is another language
}

type liveNumber struct {
	Label  string
	Number string
	Tel    template.URL
}

// liveLang is the language of the page: ?lang= when it names one of the
// interface languages (the switch's links, which can be shared), else the
// visitor's.
func liveLang(r *http.Request, rc *reqCtx) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	return rc.Lang
}

func (s *Server) livePage(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	id := r.PathValue("incident")
	if feedID, ok := strings.CutSuffix(id, ".atom"); ok {
		return s.incidentFeed(w, r, o, feedID)
	}
	ctx := r.Context()
	inc, err := s.publicIncident(ctx, o.ID, id)
	if err != nil {
		return err
	}
	alerts, err := s.Alerts.Alerts(ctx, o.ID, inc.ID)
	if err != nil {
		return err
	}
	lrc := *rc
	lrc.Lang = liveLang(r, rc)
	d := s.liveData(&lrc, o, inc, alerts)
	p := &page{Title: inc.Title + " · " + o.Name, Data: d}
	if r.URL.Query().Get("partial") == "timeline" {
		p.reqCtx = &lrc
		return s.fragment(w, &lrc, "live", "live_dynamic", p)
	}
	return s.renderLean(w, r, &lrc, "live", p)
}

func (s *Server) liveData(rc *reqCtx, o org.Organisation, inc alert.Incident, alerts []alert.Alert) liveData {
	lang := string(rc.Lang)
	path := livePath(o, inc.ID)
	d := liveData{Org: o, Loc: o.Location(), Incident: inc, Resolved: inc.Status == alert.StatusResolved, Path: path,
		Steps: paragraphs(inc.Instructions), Feed: path + ".atom", AlertsURL: "/o/" + o.Slug + "/allerte", Updated: inc.UpdatedAt,
		Version: strconv.FormatInt(inc.UpdatedAt.UnixMicro(), 10)}
	band := bandColours[inc.Colour]
	if d.Resolved {
		band = bandColours[alert.Green]
	}
	if band.Fill == "" {
		band = bandColours[alert.Red] // an unknown level is read as the worst
	}
	d.BandFill, d.BandInk = band.Fill, band.Ink
	for _, n := range inc.Numbers {
		tel := strings.Map(func(r rune) rune {
			if r == '+' || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, n.Number)
		// Only + and digits are left: the link cannot be anything but tel:.
		d.Numbers = append(d.Numbers, liveNumber{Label: n.Label, Number: n.Number, Tel: template.URL("tel:" + tel)}) //nolint:gosec // G203: + and digits only
	}
	english := false
	for i := len(alerts) - 1; i >= 0; i-- {
		a := alerts[i]
		if _, ok := a.Texts["en"]; ok {
			english = true
		}
		d.Items = append(d.Items, liveItemOf(a, lang, inc, s.Alerts.LiveURL(o.Slug, inc.ID)))
		if a.SentAt.After(d.Updated) {
			d.Updated = a.SentAt
		}
	}
	if english {
		d.Langs = []string{string(i18n.Italian), string(i18n.English)}
	}
	last := ""
	if len(d.Items) > 0 {
		latest := d.Items[0]
		d.Latest, last = &latest, latest.ID
		d.CAP = "/o/" + o.Slug + "/alerts/" + latest.ID + ".cap"
		d.Card = "/o/" + o.Slug + "/alerts/" + latest.ID + ".png"
		d.CardJPEG = "/o/" + o.Slug + "/alerts/" + latest.ID + ".jpg"
		a := alerts[len(alerts)-1]
		what := s.t(rc, "live.level."+string(a.Colour))
		if a.Kind == alert.KindCancel {
			what = s.t(rc, "live.kind.cancel")
		}
		d.CardAlt = s.t(rc, "live.card_alt", what, a.Headline, inc.AreaDesc, a.SentAt.In(d.Loc).Format("02/01/2006 15:04"))
		if a.Exercise {
			d.CardAlt = s.t(rc, "live.drill_banner") + " – " + d.CardAlt
		}
	}
	d.Events = path + "/events?last=" + last + "&v=" + d.Version
	d.Partial = path + "?partial=timeline&lang=" + lang
	return d
}

// liveItemOf picks an alert's words in lang. Italian shows the crisis
// team's own headline, body and instruction. Another language shows its
// headline and the full text its channels published (where a translated
// body would be), without what the page already shows around it (the
// headline, the link to this page, the hashtag), followed by the Italian
// original: the crisis team writes the news in Italian, and the other
// languages' texts are made from templates.
func liveItemOf(a alert.Alert, lang string, inc alert.Incident, liveURL string) liveItem {
	it := liveItem{ID: a.ID, Kind: a.Kind, Colour: a.Colour, At: a.SentAt, Lang: "it", Headline: a.Headline,
		Body: paragraphs(a.Body), Instruction: paragraphs(a.Instruction)}
	// The incident's standing instruction is on the page already.
	if strings.TrimSpace(a.Instruction) == strings.TrimSpace(inc.Instructions) {
		it.Instruction = nil
	}
	t, ok := a.Texts[lang]
	if lang == "it" || !ok || strings.TrimSpace(t.Headline) == "" {
		return it
	}
	var kept []string
	for line := range strings.Lines(t.Full) {
		if l := strings.TrimSpace(line); !strings.Contains(l, liveURL) && (inc.Hashtag == "" || l != inc.Hashtag) {
			kept = append(kept, line)
		}
	}
	tr := liveItem{ID: a.ID, Kind: a.Kind, Colour: a.Colour, At: a.SentAt, Lang: lang, Headline: t.Headline,
		Body: paragraphs(strings.Join(kept, ""))}
	if len(tr.Body) > 0 && strings.Contains(strings.Join(tr.Body[0], " "), t.Headline) {
		tr.Body = tr.Body[1:]
	}
	if strings.TrimSpace(a.Headline) != "" || len(it.Body) > 0 {
		tr.Original = &it
	}
	return tr
}

// paragraphs splits text at blank lines, and each paragraph into lines,
// so the template writes <p> and <br> and the text stays escaped.
func paragraphs(text string) [][]string {
	var out [][]string
	var cur []string
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		line = strings.TrimRight(line, " \t\n")
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// renderLean writes a public page on the lean document of its template
// ("lean_layout"): the site's CSS and the page's own small script, none
// of the interface's JavaScript, for phones on a slow connection.
func (s *Server) renderLean(w http.ResponseWriter, r *http.Request, rc *reqCtx, name string, p *page) error {
	t, ok := s.pages[rc.Lang][name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	p.reqCtx, p.Name, p.VendorMissing, p.Demo, p.Status = rc, name, VendorMissing(), s.Demo, http.StatusOK
	if rc.loggedIn() && rc.Org != nil && s.Notify != nil {
		if n, err := s.Notify.Unread(r.Context(), rc.Org.ID, rc.Person.ID); err == nil {
			p.Unread = n
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "lean_layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// The list of alerts.

type alertsPublicData struct {
	Org      org.Organisation
	Loc      *time.Location
	Active   []alert.Incident
	Resolved []alert.Incident
	Feed     string
}

// alertsPublic lists the incidents with an open live page and those ended
// in the last 30 days. Drills stay off it, as they stay off the feeds:
// their live page is reached by its link only.
func (s *Server) alertsPublic(w http.ResponseWriter, r *http.Request, rc *reqCtx, o org.Organisation) error {
	incs, err := s.Alerts.Incidents(r.Context(), o.ID, 200)
	if err != nil {
		return err
	}
	d := alertsPublicData{Org: o, Loc: o.Location(), Feed: "/o/" + o.Slug + "/feeds/alerts.atom"}
	since := time.Now().Add(-recentlyResolved)
	for _, in := range incs {
		switch {
		case in.Exercise: // left out
		case in.Status == alert.StatusActive:
			d.Active = append(d.Active, in)
		case in.Status == alert.StatusResolved && in.ResolvedAt.After(since):
			d.Resolved = append(d.Resolved, in)
		}
	}
	return s.render(w, r, rc, http.StatusOK, "alerts_public", &page{Title: s.t(rc, "live.list_title"), Data: d})
}

// The feeds.

// alertsFeed serves /feeds/alerts.atom: the organisation's latest real
// alerts, each entry linking its CAP message (application/cap+xml, the
// link CAP aggregators follow) and its live page.
func (s *Server) alertsFeed(w http.ResponseWriter, r *http.Request, _ *reqCtx, o org.Organisation) error {
	alerts, err := s.Alerts.RecentAlerts(r.Context(), o.ID, feedLimit)
	if err != nil {
		return err
	}
	self := s.PublicURL + "/o/" + o.Slug + "/feeds/alerts.atom"
	f := atomFeed{Lang: "it", ID: self, Title: s.catalog.T(i18n.Italian, "live.feed_alerts_title", o.Name),
		Updated: atomTime(o.CreatedAt),
		Links: []atomLink{
			{Rel: "self", Href: self, Type: "application/atom+xml"},
			{Rel: "alternate", Href: s.PublicURL + "/o/" + o.Slug + "/allerte", Type: "text/html"},
		},
		Author: atomPerson{Name: o.Name, URI: s.PublicURL + "/o/" + o.Slug + "/"}}
	if len(alerts) > 0 {
		f.Updated = atomTime(alerts[0].SentAt)
	}
	for _, a := range alerts {
		f.Entries = append(f.Entries, s.alertEntry(o, a))
	}
	return writeAtom(w, f, maxAlertFeed)
}

// incidentFeed serves /live/{incident}.atom: the updates of one incident,
// newest first, for the newsrooms covering it.
func (s *Server) incidentFeed(w http.ResponseWriter, r *http.Request, o org.Organisation, id string) error {
	ctx := r.Context()
	inc, err := s.publicIncident(ctx, o.ID, id)
	if err != nil {
		return err
	}
	alerts, err := s.Alerts.Alerts(ctx, o.ID, inc.ID)
	if err != nil {
		return err
	}
	live := s.Alerts.LiveURL(o.Slug, inc.ID)
	f := atomFeed{Lang: "it", ID: live + ".atom", Title: s.catalog.T(i18n.Italian, "live.feed_incident_title", inc.Title),
		Updated: atomTime(inc.UpdatedAt),
		Links: []atomLink{
			{Rel: "self", Href: live + ".atom", Type: "application/atom+xml"},
			{Rel: "alternate", Href: live, Type: "text/html"},
		},
		Author: atomPerson{Name: o.Name, URI: s.PublicURL + "/o/" + o.Slug + "/"}}
	for i := len(alerts) - 1; i >= 0 && len(f.Entries) < feedLimit; i-- {
		if alerts[i].SentAt.After(inc.UpdatedAt) {
			f.Updated = atomTime(alerts[i].SentAt)
		}
		f.Entries = append(f.Entries, s.alertEntry(o, alerts[i]))
	}
	return writeAtom(w, f, maxAlertFeed)
}

// alertEntry is an alert as an Atom entry: the Italian headline and text,
// the CAP message and the live page.
func (s *Server) alertEntry(o org.Organisation, a alert.Alert) atomEntry {
	it := a.Texts["it"]
	title := strings.TrimSpace(a.Headline)
	if h := strings.TrimSpace(it.Headline); h != "" {
		title = h + ": " + title
	}
	if a.Exercise {
		title = s.catalog.T(i18n.Italian, "live.feed_drill") + " " + title
	}
	text := it.Full
	if strings.TrimSpace(text) == "" {
		text = strings.Join([]string{a.Headline, a.Body, a.Instruction}, "\n\n")
	}
	return atomEntry{Lang: "it", ID: "urn:uuid:" + a.ID, Title: cutRunes(title, 160), Updated: atomTime(a.SentAt),
		Published: atomTime(a.SentAt),
		Links: []atomLink{
			{Rel: "alternate", Href: s.capURL(o, a.ID), Type: "application/cap+xml"},
			{Rel: "alternate", Href: s.Alerts.LiveURL(o.Slug, a.IncidentID) + "#a-" + a.ID, Type: "text/html"},
		},
		// Plain text: the crisis team's words are never read as markup.
		Content: atomText{Type: "text", Body: cutRunes(strings.TrimSpace(text), feedText)}}
}

// writeAtom writes a feed of at most limit bytes, leaving out its oldest
// entries when text full of characters to escape would pass it.
func writeAtom(w http.ResponseWriter, f atomFeed, limit int) error {
	for {
		out, err := xml.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		if len(xml.Header)+len(out) <= limit || len(f.Entries) <= 1 {
			w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
			w.Header().Set("Cache-Control", "public, max-age=60")
			_, _ = io.WriteString(w, xml.Header)
			_, err = w.Write(out)
			return err
		}
		f.Entries = f.Entries[:len(f.Entries)-1]
	}
}

// cutRunes shortens s to at most n runes, with an ellipsis.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// One alert as a file.

// alertFile serves /alerts/{id}.cap (CAP 1.2), {id}.png and {id}.jpg (the
// square card, the one the platforms were given). All are public: the
// platforms fetch the image by its address.
func (s *Server) alertFile() publicHandler {
	return func(w http.ResponseWriter, r *http.Request, _ *reqCtx, o org.Organisation) error {
		id, format, ok := strings.Cut(r.PathValue("file"), ".")
		if !ok || (format != "cap" && alert.CardType(format) == "") {
			return store.ErrNotFound
		}
		ctx := r.Context()
		a, err := s.Alerts.AlertByID(ctx, o.ID, id)
		if err != nil {
			return err
		}
		if format == "cap" {
			msg, err := s.Alerts.CAP(ctx, a)
			if err != nil {
				return err
			}
			b, err := cap.Marshal(msg)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/cap+xml; charset=utf-8")
			w.Header().Set("Cache-Control", "public, max-age=300")
			_, err = w.Write(b) //nolint:gosec // G705: XML written by cap.Marshal, served as application/cap+xml with nosniff
			return err
		}
		// Drawn once per alert and kept (alert.Service caches cards): every
		// platform and open live page asks at once.
		img, err := s.Alerts.Card(ctx, a, alert.Square, format)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", alert.CardType(format))
		w.Header().Set("Cache-Control", "public, max-age=300")
		http.ServeContent(w, r, "", a.SentAt, bytes.NewReader(img))
		return nil
	}
}

// Live updates.

// incidentState is what the live page follows: the incident's status and
// its alerts, oldest first.
type incidentState struct {
	Status  alert.Status
	Updated time.Time
	Alerts  []alertRef
}

type alertRef struct {
	ID   string
	Kind alert.Kind
}

type watchKey struct{ orgID, incidentID string }

// incidentWatch polls each incident that has live pages open, once per
// interval however many are open, and hands every page the new state. A
// poll per page would put thousands of queries a second on the database
// in the hour everyone opens the page.
type incidentWatch struct {
	alerts *alert.Service
	log    *slog.Logger
	every  time.Duration
	mu     sync.Mutex
	subs   map[watchKey]*watchers
}

type watchers struct {
	chans map[chan incidentState]struct{}
	last  incidentState
}

func newIncidentWatch(alerts *alert.Service, log *slog.Logger, every time.Duration) *incidentWatch {
	return &incidentWatch{alerts: alerts, log: log, every: every, subs: map[watchKey]*watchers{}}
}

// state reads an incident's state.
func (iw *incidentWatch) state(ctx context.Context, k watchKey) (incidentState, error) {
	inc, err := iw.alerts.Incident(ctx, k.orgID, k.incidentID)
	if err != nil {
		return incidentState{}, err
	}
	alerts, err := iw.alerts.Alerts(ctx, k.orgID, k.incidentID)
	if err != nil {
		return incidentState{}, err
	}
	st := incidentState{Status: inc.Status, Updated: inc.UpdatedAt, Alerts: make([]alertRef, 0, len(alerts))}
	for _, a := range alerts {
		st.Alerts = append(st.Alerts, alertRef{ID: a.ID, Kind: a.Kind})
	}
	return st, nil
}

// subscribe returns a channel that receives the incident's state when it
// changes (only the latest: a slow page skips to it), and the function
// that ends the subscription. The first subscriber starts the polling,
// the last one to leave stops it.
func (iw *incidentWatch) subscribe(k watchKey) (<-chan incidentState, func()) {
	ch := make(chan incidentState, 1)
	iw.mu.Lock()
	ws, ok := iw.subs[k]
	if !ok {
		ws = &watchers{chans: map[chan incidentState]struct{}{}}
		iw.subs[k] = ws
		go iw.poll(k, ws)
	}
	ws.chans[ch] = struct{}{}
	iw.mu.Unlock()
	return ch, func() {
		iw.mu.Lock()
		delete(ws.chans, ch)
		if len(ws.chans) == 0 && iw.subs[k] == ws {
			delete(iw.subs, k)
		}
		iw.mu.Unlock()
	}
}

func (iw *incidentWatch) poll(k watchKey, ws *watchers) {
	tick := time.NewTicker(iw.every)
	defer tick.Stop()
	for range tick.C {
		iw.mu.Lock()
		gone := iw.subs[k] != ws
		iw.mu.Unlock()
		if gone {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err := iw.state(ctx, k)
		cancel()
		if err != nil {
			iw.log.Warn("live page: poll incident", "incident", k.incidentID, "err", err)
			continue
		}
		iw.mu.Lock()
		if !sameState(st, ws.last) {
			ws.last = st
			for ch := range ws.chans {
				// Only this goroutine sends: after the drain the send
				// cannot block.
				select {
				case <-ch:
				default:
				}
				ch <- st
			}
		}
		iw.mu.Unlock()
	}
}

func sameState(a, b incidentState) bool {
	return a.Status == b.Status && a.Updated.Equal(b.Updated) && slices.Equal(a.Alerts, b.Alerts)
}

// liveEvents streams an incident's changes to its live page by
// Server-Sent Events: "alert" with {"id", "kind"} for each new alert and
// "status" with {"status", "updated"} when the incident changes otherwise
// or ends. The page passes the last alert and version it shows (last=,
// v=), and a reconnecting browser its Last-Event-ID, so nothing sent
// while it was away is missed. An ended incident answers 204, which
// tells EventSource to stop.
func (s *Server) liveEvents(watch *incidentWatch) publicHandler {
	return func(w http.ResponseWriter, r *http.Request, _ *reqCtx, o org.Organisation) error {
		ctx := r.Context()
		inc, err := s.publicIncident(ctx, o.ID, r.PathValue("incident"))
		if err != nil {
			return err
		}
		if inc.Status == alert.StatusResolved {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		k := watchKey{orgID: o.ID, incidentID: inc.ID}
		updates, stop := watch.subscribe(k)
		defer stop()
		// The baseline is read after subscribing: a change in between
		// reaches the page either way.
		cur, err := watch.state(ctx, k)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		last := r.Header.Get("Last-Event-ID")
		if last == "" {
			last = q.Get("last")
		}
		known := map[string]bool{}
		if i := slices.IndexFunc(cur.Alerts, func(a alertRef) bool { return a.ID == last }); i >= 0 {
			for _, a := range cur.Alerts[:i+1] {
				known[a.ID] = true
			}
		} else {
			for _, a := range cur.Alerts {
				known[a.ID] = true
			}
		}
		seen := cur
		if v := q.Get("v"); v != "" && v != strconv.FormatInt(cur.Updated.UnixMicro(), 10) {
			seen.Updated = time.Time{} // the page is older than the incident
		}

		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Accel-Buffering", "no")
		rcw := http.NewResponseController(w)
		// The server's ReadTimeout would cancel the request a minute into
		// the stream (net/http's background read times out): there is
		// nothing more to read, and a page that leaves closes the
		// connection, which ends the request all the same.
		_ = rcw.SetReadDeadline(time.Time{})
		send := func(msg string) bool {
			_ = rcw.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(w, msg); err != nil {
				return false
			}
			return rcw.Flush() == nil
		}
		// emit tells the page what changed from seen to st; false when the
		// stream is over (the page left, or the incident ended).
		emit := func(st incidentState) bool {
			fresh := false
			for _, a := range st.Alerts {
				if known[a.ID] {
					continue
				}
				known[a.ID], fresh = true, true
				b, _ := json.Marshal(map[string]string{"id": a.ID, "kind": string(a.Kind)})
				if !send("id: " + a.ID + "\nevent: alert\ndata: " + string(b) + "\n\n") {
					return false
				}
			}
			if st.Status != seen.Status || (!fresh && !st.Updated.Equal(seen.Updated)) {
				b, _ := json.Marshal(map[string]string{"status": string(st.Status), "updated": st.Updated.UTC().Format(time.RFC3339Nano)})
				if !send("event: status\ndata: " + string(b) + "\n\n") {
					return false
				}
			}
			seen = st
			return st.Status != alert.StatusResolved
		}
		if !send("retry: 3000\n\n") || !emit(cur) {
			return nil
		}
		keepAlive := time.NewTicker(liveKeepAlive)
		defer keepAlive.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case st := <-updates:
				if !emit(st) {
					return nil
				}
			case <-keepAlive.C:
				if !send(": ping\n\n") {
					return nil
				}
			}
		}
	}
}
