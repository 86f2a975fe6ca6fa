// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert/cap"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/notify"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// capNow is the fake clock: the wind and flood alerts are current, the
// snow alert has expired.
var capNow = time.Date(2026, 2, 10, 12, 0, 0, 0, time.FixedZone("CET", 3600))

const (
	capRegionFeed = "https://protezionecivile.regione.example/allerte/feed.atom"
	capOtherFeed  = "https://meteo.regione.example/cap/index.atom"
	capBrokenFeed = "https://allerte.provincia.example/cap.atom"
	capWindURL    = "https://protezionecivile.regione.example/allerte/2026-0210-vento-01.cap"
	capWindRef    = "allerta@protezionecivile.regione.example,PCFVG-2026-0210-VENTO-01"
	capFloodRef   = "allerta@protezionecivile.regione.example,PCFVG-2026-0210-IDRO-02"
)

// capFiles is a fake Fetcher serving testdata/capimport by URL; an empty
// file name answers like a server that is down.
type capFiles struct {
	files map[string]string
	calls map[string]int
}

func newCAPFiles() *capFiles {
	return &capFiles{calls: map[string]int{}, files: map[string]string{
		capRegionFeed: "regione-index.atom",
		capWindURL:    "vento-gialla.cap.xml",
		"https://protezionecivile.regione.example/allerte/2026-0210-idro-02.cap": "idro-arancione.cap.xml",
		capOtherFeed: "scarti-index.atom",
		"https://meteo.regione.example/cap/neve-scaduta.xml":  "neve-scaduta.cap.xml",
		"https://meteo.regione.example/cap/ack.xml":           "ack.cap.xml",
		"https://meteo.regione.example/cap/malformato.xml":    "malformato.cap.xml",
		"https://meteo.regione.example/cap/vento-cessata.xml": "vento-cessata.cap.xml",
		capBrokenFeed: "",
	}}
}

func (f *capFiles) fetch(_ context.Context, u string) (io.ReadCloser, error) {
	f.calls[u]++
	name, ok := f.files[u]
	switch {
	case !ok:
		return nil, errors.New("404 Not Found")
	case name == "":
		return nil, errors.New("503 Service Unavailable")
	}
	return os.Open(filepath.Join("testdata", "capimport", name))
}

type capEnv struct {
	ctx context.Context
	svc *Service
	log *bytes.Buffer
}

func newCAPEnv(t *testing.T, db *store.DB) *capEnv {
	t.Helper()
	e := &capEnv{ctx: audit.WithActor(context.Background(), audit.Actor{Label: "test"}), log: &bytes.Buffer{}}
	e.svc = NewService(Deps{DB: db, Now: func() time.Time { return capNow },
		Log: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return e
}

func (e *capEnv) org(t *testing.T, db *store.DB) string {
	t.Helper()
	o, err := org.NewService(db).CreateOrganisation(e.ctx, org.OrganisationInput{Slug: storetest.Unique("cap-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func (e *capEnv) add(t *testing.T, orgID, u, label string) CAPSource {
	t.Helper()
	src, err := e.svc.AddCAPSource(e.ctx, orgID, u, label)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (e *capEnv) drafts(t *testing.T, orgID string) map[string]Incident {
	t.Helper()
	all, err := e.svc.Incidents(e.ctx, orgID, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Incident{}
	for _, in := range all {
		out[in.SourceRef] = in
	}
	return out
}

func TestImportCAP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCAPEnv(t, db)
		comune, other := e.org(t, db), e.org(t, db)
		notes := notify.NewService(db, nil, "http://piazza.test")
		e.svc.Notify = notes
		coordinator, err := auth.NewService(db, nil).CreatePerson(e.ctx, nil, auth.PersonInput{
			Email: storetest.Unique("crisi") + "@comune.example", Name: "Coordinatrice", Lang: "it"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.NewService(db).Grant(e.ctx, comune, coordinator.ID, org.RoleCrisis, ""); err != nil {
			t.Fatal(err)
		}
		english, err := auth.NewService(db, nil).CreatePerson(e.ctx, nil, auth.PersonInput{
			Email: storetest.Unique("crisis") + "@comune.example", Name: "Coordinator", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := org.NewService(db).Grant(e.ctx, comune, english.ID, org.RoleCrisis, ""); err != nil {
			t.Fatal(err)
		}
		// The broken source comes first: the others must still be read.
		broken := e.add(t, comune, capBrokenFeed, "Provincia")
		region := e.add(t, comune, capRegionFeed, "Protezione civile regionale")
		rejects := e.add(t, comune, capOtherFeed, "")
		e.add(t, other, capRegionFeed, "")
		files := newCAPFiles()

		n, err := e.svc.ImportCAP(e.ctx, files.fetch)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("first run created %d drafts, want 2 for each organisation", n)
		}
		if files.calls[capRegionFeed] != 1 || files.calls[capWindURL] != 1 {
			t.Errorf("a feed followed by two organisations was fetched %d times, its message %d times; want once each",
				files.calls[capRegionFeed], files.calls[capWindURL])
		}

		drafts := e.drafts(t, comune)
		if len(drafts) != 2 {
			t.Fatalf("drafts = %v, want the wind and the flood alerts", drafts)
		}
		wind, flood := drafts[capWindRef], drafts[capFloodRef]
		// The crisis team hears of each draft, with a link to confirm it.
		ns, err := notes.List(e.ctx, comune, coordinator.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		links := map[string]bool{}
		for _, n := range ns {
			if n.Kind == notify.KindIncidentImported && n.Body == "Bozza da confermare, importata da Protezione civile regionale." {
				links[n.Link] = true
			}
		}
		if len(ns) != 2 || !links["/alerts/incidents/"+wind.ID] || !links["/alerts/incidents/"+flood.ID] {
			t.Errorf("the coordinator's notifications: %+v", ns)
		}
		// Each in their language; the title is the alert's own words.
		ns, err = notes.List(e.ctx, comune, english.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.Body != "A draft to confirm, imported from Protezione civile regionale." || (n.Title != wind.Title && n.Title != flood.Title) {
				t.Errorf("the English coordinator's notification: %+v", n)
			}
		}
		if len(ns) != 2 {
			t.Errorf("the English coordinator has %d notifications, want 2", len(ns))
		}
		for _, in := range []Incident{wind, flood} {
			if in.Status != StatusDraft || in.Source != SourceCAP || in.Exercise || in.CreatedBy != "" {
				t.Errorf("%s: status %s, source %s, exercise %v, created by %q; want a draft from cap by nobody",
					in.Title, in.Status, in.Source, in.Exercise, in.CreatedBy)
			}
		}
		if wind.Type != TypeWind || wind.Colour != Yellow || wind.Title != "Allerta gialla per vento forte sulla costa e sul Carso" {
			t.Errorf("wind: %s %s %q", wind.Type, wind.Colour, wind.Title)
		}
		if len(wind.Area.Polygon) != 5 || wind.Area.Polygon[1] != (Point{Lat: 45.80, Lon: 13.95}) || wind.Area.Circle != nil ||
			wind.AreaDesc != "Zona di allerta D: costa triestina e Carso" {
			t.Errorf("wind area: %+v %q", wind.Area, wind.AreaDesc)
		}
		if !strings.HasPrefix(wind.Instructions, "Fissate gli oggetti") || !strings.Contains(wind.Description, "110 km/h") {
			t.Errorf("wind texts: %q / %q", wind.Description, wind.Instructions)
		}
		wantLinks := []Link{{Label: "Protezione civile della Regione", URL: "https://protezionecivile.regione.example/allerte/2026-0210-vento"},
			{Label: "Messaggio CAP originale", URL: capWindURL}}
		if fmt.Sprint(wind.Links) != fmt.Sprint(wantLinks) {
			t.Errorf("wind links = %v, want %v", wind.Links, wantLinks)
		}
		if flood.Type != TypeFlood || flood.Colour != Orange || !strings.HasPrefix(flood.Title, "Criticità idrogeologica arancione") {
			t.Errorf("flood: %s %s %q (the Italian block is preferred)", flood.Type, flood.Colour, flood.Title)
		}
		if c := flood.Area.Circle; c == nil || *c != (Circle{Center: Point{Lat: 46.25, Lon: 13.10}, RadiusKm: 35}) ||
			flood.AreaDesc != "Zona di allerta B: Prealpi Giulie e Carniche, Zona di allerta C: pianura isontina" {
			t.Errorf("flood area: %+v %q", flood.Area, flood.AreaDesc)
		}
		if got := e.drafts(t, other); len(got) != 2 {
			t.Errorf("the second organisation has %d drafts, want its own 2", len(got))
		}

		sources, err := e.svc.CAPSources(e.ctx, comune)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]CAPSource{}
		for _, s := range sources {
			byID[s.ID] = s
			if !s.LastCheckedAt.Equal(capNow) {
				t.Errorf("%s checked at %v, want %v", s.URL, s.LastCheckedAt, capNow)
			}
		}
		if got := byID[broken.ID].LastError; !strings.Contains(got, "503") {
			t.Errorf("broken source error = %q", got)
		}
		if got := byID[region.ID].LastError; got != "" {
			t.Errorf("region source error = %q, want none", got)
		}
		// The malformed message is the one problem: expired, Ack, Cancel
		// and Exercise are skipped, not errors.
		got := byID[rejects.ID].LastError
		if !strings.Contains(got, "malformato.xml") || !strings.Contains(got, "severity") || strings.Contains(got, "altri") {
			t.Errorf("rejects source error = %q, want the malformed message only", got)
		}
		if !strings.Contains(e.log.String(), "CAP cancel of an imported incident") || !strings.Contains(e.log.String(), wind.ID) {
			t.Errorf("the cancel of the wind alert left no note naming %s in the log:\n%s", wind.ID, e.log)
		}
		entries, err := audit.NewLog(db).List(e.ctx, audit.Filter{OrgID: comune, Action: "incident.imported"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[0].ActorLabel != "test" {
			t.Errorf("audit: %d incident.imported entries (%+v), want 2", len(entries), entries)
		}

		n, err = e.svc.ImportCAP(e.ctx, files.fetch)
		if err != nil || n != 0 {
			t.Fatalf("second run: %d drafts, %v; want none", n, err)
		}
		if got := e.drafts(t, comune); len(got) != 2 {
			t.Errorf("after the second run: %d drafts, want still 2", len(got))
		}
	})
}

// TestImportCAPOnce: the unique index on (org_id, source_ref) is what keeps
// overlapping runs (a manual one next to the scheduled one, two instances)
// from importing a message twice, and a message already there is skipped.
func TestImportCAPOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCAPEnv(t, db)
		comune := e.org(t, db)
		e.add(t, comune, capRegionFeed, "")
		a, err := cap.Parse(bytes.NewReader(capMust(os.ReadFile(filepath.Join("testdata", "capimport", "vento-gialla.cap.xml")))))
		if err != nil {
			t.Fatal(err)
		}
		plan := planCAPImport(a, capNow)
		if _, err := e.svc.createIncident(e.ctx, comune, "", plan.input, SourceCAP, plan.ref); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.createIncident(e.ctx, comune, "", plan.input, SourceCAP, plan.ref)
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second insert of the same message: %v, want a conflict", err)
		}
		n, err := e.svc.ImportCAP(e.ctx, newCAPFiles().fetch)
		if err != nil || n != 1 {
			t.Fatalf("import: %d, %v; want only the flood alert", n, err)
		}
	})
}

func capMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCAPSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCAPEnv(t, db)
		comune, other := e.org(t, db), e.org(t, db)
		src := e.add(t, comune, "  https://Protezionecivile.Regione.example/allerte/feed.atom#ultime ", "  Protezione   civile ")
		if src.URL != capRegionFeed || src.Label != "Protezione civile" || !src.LastCheckedAt.IsZero() {
			t.Errorf("added %+v", src)
		}
		if s := e.add(t, comune, capOtherFeed, ""); s.Label != "meteo.regione.example" {
			t.Errorf("default label = %q, want the host", s.Label)
		}
		for _, tc := range []struct {
			name, url, label, field, key string
			args                         []any
		}{
			{"duplicate", capRegionFeed, "", "url", "alert.source.duplicate", []any{capRegionFeed}},
			{"relative", "/allerte/feed.atom", "", "url", "alert.source.url_invalid", []any{"/allerte/feed.atom"}},
			{"ftp", "ftp://protezionecivile.regione.example/feed", "", "url", "alert.source.url_invalid",
				[]any{"ftp://protezionecivile.regione.example/feed"}},
			{"no host", " https:///feed ", "", "url", "alert.source.url_invalid", []any{"https:///feed"}},
			{"credentials", "https://utente:segreto@protezionecivile.regione.example/feed", "", "url", "alert.source.url_credentials", nil},
			{"too long", "https://example.org/" + strings.Repeat("a", maxCAPURL), "", "url", "alert.source.url_too_long", []any{maxCAPURL}},
			{"label too long", capOtherFeed + "?x", strings.Repeat("è", maxCAPLabel+1), "label", "alert.source.label_too_long",
				[]any{maxCAPLabel}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.AddCAPSource(e.ctx, comune, tc.url, tc.label)
				wantRefused(t, err, tc.field, tc.key, tc.args...)
			})
		}
		if _, err := e.svc.AddCAPSource(e.ctx, other, capRegionFeed, ""); err != nil {
			t.Errorf("another organisation may follow the same feed: %v", err)
		}
		if err := e.svc.DeleteCAPSource(e.ctx, other, src.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleting another organisation's source: %v, want not found", err)
		}
		if err := e.svc.DeleteCAPSource(e.ctx, comune, src.ID); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.CAPSources(e.ctx, comune)
		if err != nil || len(list) != 1 || list[0].URL != capOtherFeed {
			t.Errorf("after delete: %+v, %v", list, err)
		}
		if err := e.svc.DeleteCAPSource(e.ctx, comune, src.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: %v, want not found", err)
		}
		entries, err := audit.NewLog(db).List(e.ctx, audit.Filter{OrgID: comune, Action: "alert.cap_source"})
		if err != nil || len(entries) != 3 {
			t.Errorf("audit: %d entries, %v; want 2 added and 1 deleted", len(entries), err)
		}
		for range maxCAPSources - 1 {
			e.add(t, comune, "https://example.org/"+storetest.Unique("feed-"), "")
		}
		_, err = e.svc.AddCAPSource(e.ctx, comune, "https://example.org/one-more", "")
		wantRefused(t, err, "url", "alert.source.too_many", maxCAPSources)
	})
}

// capTestAlert is a valid, current CAP Alert, changed by edit.
func capTestAlert(edit func(a *cap.Alert, in *cap.Info)) *cap.Alert {
	a := &cap.Alert{Identifier: "ID-1", Sender: "allerta@regione.example", Sent: capNow.Add(-time.Hour), Status: cap.StatusActual,
		MsgType: cap.MsgTypeAlert, Scope: cap.ScopePublic, Info: []cap.Info{{Language: "it-IT", Category: []cap.Category{cap.CategoryMet},
			Event: "Vento forte", Urgency: cap.UrgencyExpected, Severity: cap.SeverityModerate, Certainty: cap.CertaintyLikely,
			Expires: capNow.Add(time.Hour), Headline: "Allerta gialla per vento", Area: []cap.Area{{AreaDesc: "Costa"}}}}}
	if edit != nil {
		edit(a, &a.Info[0])
	}
	if a.MsgType != cap.MsgTypeAlert && a.References == "" {
		a.References = "allerta@regione.example,ID-0," + cap.FormatTime(capNow.Add(-2*time.Hour))
	}
	return a
}

func TestPlanCAPImport(t *testing.T) {
	ring := func(n int) string { // a closed ring of n+1 pairs around Trieste
		var pairs []string
		for i := range n {
			angle := 2 * math.Pi * float64(i) / float64(n)
			pairs = append(pairs, cap.Point{Lat: 45.65 + 0.1*math.Sin(angle), Lon: 13.77 + 0.1*math.Cos(angle)}.String())
		}
		return strings.Join(append(pairs, pairs[0]), " ")
	}
	for _, tc := range []struct {
		name   string
		edit   func(a *cap.Alert, in *cap.Info)
		skip   string // substring of the reason; empty: imported
		cancel bool
		check  func(t *testing.T, p capPlan)
	}{
		{name: "alert", check: func(t *testing.T, p capPlan) {
			if p.ref != "allerta@regione.example,ID-1" || p.input.Type != TypeWind || p.input.Colour != Yellow || p.input.AreaDesc != "Costa" {
				t.Errorf("%+v", p)
			}
		}},
		{name: "update", edit: func(a *cap.Alert, _ *cap.Info) { a.MsgType = cap.MsgTypeUpdate }},
		{name: "test", edit: func(a *cap.Alert, _ *cap.Info) { a.Status = cap.StatusTest }, skip: "Test"},
		{name: "system", edit: func(a *cap.Alert, _ *cap.Info) { a.Status = cap.StatusSystem }, skip: "System"},
		{name: "draft", edit: func(a *cap.Alert, _ *cap.Info) { a.Status = cap.StatusDraft }, skip: "Draft"},
		{name: "exercise", edit: func(a *cap.Alert, _ *cap.Info) { a.Status = cap.StatusExercise }, skip: "Exercise"},
		{name: "ack", edit: func(a *cap.Alert, _ *cap.Info) { a.MsgType = cap.MsgTypeAck }, skip: "Ack"},
		{name: "error", edit: func(a *cap.Alert, _ *cap.Info) { a.MsgType = cap.MsgTypeError }, skip: "Error"},
		{name: "cancel", edit: func(a *cap.Alert, _ *cap.Info) { a.MsgType = cap.MsgTypeCancel }, cancel: true},
		{name: "expired", edit: func(_ *cap.Alert, in *cap.Info) { in.Expires = capNow }, skip: "expired"},
		{name: "no info", edit: func(a *cap.Alert, _ *cap.Info) { a.Info = nil }, skip: "info"},
		{name: "no expiry", edit: func(_ *cap.Alert, in *cap.Info) { in.Expires = time.Time{} }},
		{name: "italian block preferred", edit: func(a *cap.Alert, _ *cap.Info) {
			en := a.Info[0]
			en.Language, en.Headline, en.Severity = "en-US", "Orange wind warning", cap.SeveritySevere
			a.Info = []cap.Info{en, a.Info[0]}
		}, check: func(t *testing.T, p capPlan) {
			if p.input.Title != "Allerta gialla per vento" || p.input.Colour != Yellow {
				t.Errorf("%q %s", p.input.Title, p.input.Colour)
			}
		}},
		{name: "unknown severity is yellow", edit: func(_ *cap.Alert, in *cap.Info) { in.Severity = cap.SeverityUnknown },
			check: func(t *testing.T, p capPlan) {
				if p.input.Colour != Yellow {
					t.Errorf("colour %s", p.input.Colour)
				}
			}},
		{name: "colour parameter", edit: func(_ *cap.Alert, in *cap.Info) {
			in.Parameter = []cap.ValueName{{ValueName: "colore", Value: "Rosso"}}
		}, check: func(t *testing.T, p capPlan) {
			if p.input.Colour != Red {
				t.Errorf("colour %s", p.input.Colour)
			}
		}},
		{name: "title from event, clipped", edit: func(_ *cap.Alert, in *cap.Info) {
			in.Headline, in.Event = " \n ", strings.Repeat("Vento forte di bora ", 20)
		}, check: func(t *testing.T, p capPlan) {
			if n := len([]rune(p.input.Title)); n > maxTitle || !strings.HasPrefix(p.input.Title, "Vento forte di bora") {
				t.Errorf("title of %d runes: %q", n, p.input.Title)
			}
		}},
		{name: "web not http", edit: func(_ *cap.Alert, in *cap.Info) { in.Web = "ftp://regione.example/allerta" },
			check: func(t *testing.T, p capPlan) {
				if len(p.input.Links) != 0 {
					t.Errorf("links %v", p.input.Links)
				}
			}},
		{name: "flat polygon kept as text", edit: func(_ *cap.Alert, in *cap.Info) {
			in.Area[0].Polygon = []string{"45,13 45,14 45,15 45,13"}
		}, check: func(t *testing.T, p capPlan) {
			if !p.input.Area.Empty() || p.input.AreaDesc != "Costa" || !strings.Contains(p.geometry, "polygon") {
				t.Errorf("%+v %q %q", p.input.Area, p.input.AreaDesc, p.geometry)
			}
		}},
		{name: "point circle kept as text", edit: func(_ *cap.Alert, in *cap.Info) { in.Area[0].Circle = []string{"45.65,13.77 0"} },
			check: func(t *testing.T, p capPlan) {
				if !p.input.Area.Empty() || !strings.Contains(p.geometry, "circle") {
					t.Errorf("%+v %q", p.input.Area, p.geometry)
				}
			}},
		{name: "polygon before circle", edit: func(a *cap.Alert, in *cap.Info) {
			in.Area = []cap.Area{{AreaDesc: "Trieste", Circle: []string{"45.65,13.77 5"}}, {AreaDesc: "Costa", Polygon: []string{ring(8)}}}
		}, check: func(t *testing.T, p capPlan) {
			if len(p.input.Area.Polygon) != 9 || p.input.Area.Circle != nil || p.input.AreaDesc != "Trieste, Costa" {
				t.Errorf("%+v %q", p.input.Area, p.input.AreaDesc)
			}
		}},
		{name: "detailed zone thinned", edit: func(_ *cap.Alert, in *cap.Info) { in.Area[0].Polygon = []string{ring(2500)} },
			check: func(t *testing.T, p capPlan) {
				if n := len(p.input.Area.Polygon); n < maxRingVertices/2 || n > maxRingVertices {
					t.Errorf("%d vertices, want at most %d", n, maxRingVertices)
				}
			}},
		{name: "largest zone not thinned", edit: func(_ *cap.Alert, in *cap.Info) { in.Area[0].Polygon = []string{ring(maxRingVertices - 1)} },
			check: func(t *testing.T, p capPlan) {
				if n := len(p.input.Area.Polygon); n != maxRingVertices {
					t.Errorf("%d vertices, want %d", n, maxRingVertices)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := capTestAlert(tc.edit)
			if err := cap.Validate(a); err != nil {
				t.Fatalf("test alert: %v", err)
			}
			p := planCAPImport(a, capNow)
			if tc.skip != "" {
				if !strings.Contains(p.skip, tc.skip) {
					t.Errorf("skip = %q, want it to say %q", p.skip, tc.skip)
				}
				return
			}
			if p.skip != "" || p.cancel != tc.cancel {
				t.Fatalf("skip %q, cancel %v; want cancel %v", p.skip, p.cancel, tc.cancel)
			}
			if tc.cancel {
				return
			}
			if err := p.input.validate(); err != nil {
				t.Errorf("the mapped incident is refused: %v", err)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestCAPType(t *testing.T) {
	for _, tc := range []struct {
		category cap.Category
		event    string
		headline string
		want     Type
	}{
		{cap.CategoryMet, "Vento forte", "", TypeWind},
		{cap.CategoryMet, "Avviso meteo", "Bora con raffiche fino a 120 km/h", TypeWind},
		{cap.CategoryMet, "Neve a bassa quota", "", TypeSnow},
		{cap.CategoryMet, "Gelate e ghiaccio", "", TypeSnow},
		{cap.CategoryMet, "Criticità idrogeologica", "", TypeFlood},
		{cap.CategoryGeo, "Rischio idraulico", "", TypeFlood},
		{cap.CategoryMet, "Piogge intense", "Allerta per pioggia", TypeFlood},
		{cap.CategoryMet, "Acqua alta", "", TypeHighTide},
		{cap.CategoryEnv, "Marea sostenuta", "", TypeHighTide},
		{cap.CategoryMet, "Ondata di calore", "", TypeHeat},
		{cap.CategoryMet, "Temperature elevate", "", TypeHeat},
		{cap.CategoryMet, "Nebbia", "", TypeOtherKind},
		{cap.CategoryHealth, "Ondata di calore e salute", "", TypeHealth},
		{cap.CategoryTransport, "Chiusura autostrada A4", "", TypeTraffic},
		{cap.CategoryFire, "Incendio boschivo con vento", "", TypeOtherKind},
		{cap.CategoryGeo, "Terremoto", "", TypeOtherKind},
	} {
		info := cap.Info{Category: []cap.Category{tc.category}, Event: tc.event, Headline: tc.headline}
		if got := capType(info); got != tc.want {
			t.Errorf("%s %q %q: %s, want %s", tc.category, tc.event, tc.headline, got, tc.want)
		}
	}
}

// FuzzImportEntry reads arbitrary bytes as a CAP message and maps it: no
// input may panic, and what is mapped must be an incident createIncident
// accepts, or a whole import would stop at one odd message.
func FuzzImportEntry(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "capimport", "*.cap.xml"))
	for _, name := range seeds {
		f.Add(capMust(os.ReadFile(name)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := cap.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		p := planCAPImport(a, capNow)
		if p.skip != "" || p.cancel {
			return
		}
		if p.ref != a.Sender+","+a.Identifier || strings.Count(p.ref, ",") != 1 {
			t.Fatalf("ref %q", p.ref)
		}
		if err := p.input.validate(); err != nil {
			t.Fatalf("mapped incident refused: %v\n%+v", err, p.input)
		}
	})
}
