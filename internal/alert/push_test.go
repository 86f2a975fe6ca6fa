// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
	"github.com/piazza-pa/piazza/internal/webpush"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// testSealer is one key for the package: on PostgreSQL the tests share a
// database, and with it the installation's VAPID key.
var testSealer = func() *auth.Sealer {
	s, err := auth.NewSealer([]byte("piazza-alert-push-test-key-32byt"))
	if err != nil {
		panic(err)
	}
	return s
}()

type pushEnv struct {
	ctx  context.Context
	db   *store.DB
	org  org.Organisation
	s    *Service
	push *webpushtest.Server
}

// newPushEnv is an organisation with an alert service whose Web Push
// sender posts to a fake push service. Its clock moves a millisecond at
// each reading, so that an update is always later than a creation.
func newPushEnv(t *testing.T, db *store.DB) *pushEnv {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	o, err := org.NewService(db).CreateOrganisation(ctx, org.OrganisationInput{Slug: storetest.Unique("push-"), Name: "Comune di Prova"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Now().UTC()
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Millisecond)
		return clock
	}
	e := &pushEnv{ctx: ctx, db: db, org: o, push: webpushtest.NewServer()}
	t.Cleanup(e.push.Close)
	e.s = NewService(Deps{DB: db, Sealer: testSealer, PublicURL: "https://piazza.example", Log: slog.New(slog.DiscardHandler), Now: now})
	keys, err := e.s.VAPIDKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A browser that never answers is given up after a second: the
	// outcome is then unknown.
	client := e.push.Client()
	client.Timeout = time.Second
	if e.s.Push, err = webpush.NewSender(client, keys, "mailto:protezione.civile@comune.example.it"); err != nil {
		t.Fatal(err)
	}
	return e
}

// subscribe adds a browser of the fake push service.
func (e *pushEnv) subscribe(t *testing.T, lang string, topics []Type, zones []string) webpush.Subscription {
	t.Helper()
	sub := e.push.NewSubscription()
	if _, err := e.s.SubscribeWebPush(e.ctx, e.org.ID, sub, lang, topics, zones); err != nil {
		t.Fatal(err)
	}
	return sub
}

// broadcast opens an incident, sends its first alert and makes the Web
// Push delivery as attempt leaves it: claimed, "sending".
func (e *pushEnv) broadcast(t *testing.T, in IncidentInput) (Alert, Incident, Delivery) {
	t.Helper()
	if in.Type == "" {
		in.Type, in.Colour, in.Title, in.AreaDesc = TypeWind, Red, "Bora a 150 km/h", "Trieste"
	}
	inc, err := e.s.CreateIncident(e.ctx, e.org.ID, "", in)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := e.s.Send(e.ctx, e.org.ID, "", inc.ID, SendInput{Kind: KindAlert, Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	d := Delivery{ID: store.NewID(), AlertID: a.ID, Target: TargetWebPush, Platform: "webpush", Label: "Notifiche push",
		State: StateSending, UpdatedAt: e.s.now()}
	if err := e.db.Tx(e.ctx, func(tx *sql.Tx) error { return insertDelivery(e.ctx, tx, e.org.ID, d) }); err != nil {
		t.Fatal(err)
	}
	inc, err = e.s.Incident(e.ctx, e.org.ID, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a, inc, d
}

// sends maps each subscriber's endpoint to the state of its send.
func (e *pushEnv) sends(t *testing.T, deliveryID string) map[string]string {
	t.Helper()
	rows, err := e.db.Read.Query(`SELECT COALESCE(s.address, x.subscriber_id), x.state FROM alert_sends x
		LEFT JOIN alert_subscribers s ON s.id = x.subscriber_id WHERE x.delivery_id = $1`, deliveryID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]string{}
	for rows.Next() {
		var addr, state string
		if err := rows.Scan(&addr, &state); err != nil {
			t.Fatal(err)
		}
		out[addr] = state
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *pushEnv) progress(t *testing.T, deliveryID string) (done, total int) {
	t.Helper()
	if err := e.db.Read.QueryRow(`SELECT done, total FROM alert_deliveries WHERE id = $1`, deliveryID).Scan(&done, &total); err != nil {
		t.Fatal(err)
	}
	return done, total
}

func (e *pushEnv) noProblems(t *testing.T) {
	t.Helper()
	for _, p := range e.push.Problems() {
		t.Errorf("the push service refused: %s", p)
	}
}

func received(srv *webpushtest.Server) map[string][]pushPayload {
	out := map[string][]pushPayload{}
	for _, m := range srv.Received() {
		var p pushPayload
		_ = json.Unmarshal(m.Payload, &p)
		out[m.Endpoint] = append(out[m.Endpoint], p)
	}
	return out
}

func TestVAPIDKeysGeneratedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		one := NewService(Deps{DB: db, Sealer: testSealer})
		two := NewService(Deps{DB: db, Sealer: testSealer})
		// Two instances starting at once agree on one pair.
		var wg sync.WaitGroup
		got := make([]webpush.VAPIDKeys, 4)
		errs := make([]error, 4)
		for i, s := range []*Service{one, two, one, two} {
			wg.Go(func() { got[i], errs[i] = s.VAPIDKeys(ctx) })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if got[i] != got[0] {
				t.Errorf("call %d: a different key pair", i)
			}
		}
		if got[0].Private == "" || len(got[0].Public) != 87 {
			t.Fatalf("keys %v", got[0])
		}
		if again, err := two.VAPIDKeys(ctx); err != nil || again != got[0] {
			t.Errorf("a later call: %v %v", again, err)
		}
		var sealed string
		if err := db.Read.QueryRow(`SELECT value FROM installation_keys WHERE name = 'vapid'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, got[0].Private) {
			t.Error("the private key is stored in clear")
		}
		// Another secret key cannot open it, and does not replace it.
		other, _ := auth.NewSealer([]byte("another-secret-key-of-32-bytes!!"))
		if _, err := NewService(Deps{DB: db, Sealer: other}).VAPIDKeys(ctx); err == nil {
			t.Error("a stored key opened with another secret key")
		}
		if again, err := one.VAPIDKeys(ctx); err != nil || again != got[0] {
			t.Errorf("after the wrong key: %v %v", again, err)
		}
	})
}

func TestSubscribeWebPush(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		zones, err := e.s.ImportZones(e.ctx, e.org.ID, []byte(`{"type":"Feature","properties":{"nome":"Barcola"},
			"geometry":{"type":"Polygon","coordinates":[[[13.72,45.67],[13.75,45.67],[13.75,45.69],[13.72,45.67]]]}}`))
		if err != nil {
			t.Fatal(err)
		}
		good := e.push.NewSubscription()
		for _, tc := range []struct {
			name   string
			sub    webpush.Subscription
			topics []Type
			zones  []string
			want   string
		}{
			{"no endpoint", webpush.Subscription{P256dh: good.P256dh, Auth: good.Auth}, nil, nil, "endpoint is empty"},
			{"plain http", webpush.Subscription{Endpoint: "http://push.example/x", P256dh: good.P256dh, Auth: good.Auth}, nil, nil, "https"},
			{"no keys", webpush.Subscription{Endpoint: good.Endpoint}, nil, nil, "p256dh is missing"},
			{"short auth", webpush.Subscription{Endpoint: good.Endpoint, P256dh: good.P256dh, Auth: "AAAA"}, nil, nil, "auth must be 16 bytes"},
			{"unknown type", good, []Type{"terremoto"}, nil, "terremoto"},
			{"another org's zone", good, nil, []string{store.NewID()}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.SubscribeWebPush(e.ctx, e.org.ID, tc.sub, "it", tc.topics, tc.zones)
				es, ok := valid.As(err)
				if !ok || len(es) != 1 {
					t.Fatalf("got %v, want one refusal", err)
				}
				field, key := "subscription", "alert.push.subscription_invalid"
				switch tc.name {
				case "unknown type":
					field, key = "topics", "alert.incident.type_unknown"
				case "another org's zone":
					field, key = "zones", "alert.incident.zone_unknown"
				}
				if es[0].Field != field || es[0].Key != key || !strings.Contains(fmt.Sprint(es[0].Args...), tc.want) {
					t.Errorf("got %s %s %v, want %s %s with %q", es[0].Field, es[0].Key, es[0].Args, field, key, tc.want)
				}
			})
		}
		first, err := e.s.SubscribeWebPush(e.ctx, e.org.ID, good, "en-GB", []Type{TypeWind, TypeWind}, []string{zones[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if first.Lang != "en" || len(first.Topics) != 1 || first.ZoneIDs[0] != zones[0].ID || !first.CreatedAt.Equal(first.UpdatedAt) {
			t.Errorf("new subscriber %+v", first)
		}
		// The same browser again: its choices change, it is not added twice.
		again, err := e.s.SubscribeWebPush(e.ctx, e.org.ID, good, "fr", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || again.Lang != "it" || len(again.Topics) != 0 || again.CreatedAt.Equal(again.UpdatedAt) {
			t.Errorf("updated subscriber %+v (first %+v)", again, first)
		}
		e.subscribe(t, "it", nil, nil)
		if n, err := e.s.SubscriberCounts(e.ctx, e.org.ID); err != nil || n[SubscriberWebPush] != 2 || len(n) != 1 {
			t.Errorf("counts %v %v", n, err)
		}
		if err := e.s.UnsubscribeWebPush(e.ctx, e.org.ID, good.Endpoint); err != nil {
			t.Fatal(err)
		}
		if err := e.s.UnsubscribeWebPush(e.ctx, e.org.ID, good.Endpoint); err != nil {
			t.Errorf("unsubscribing twice: %v", err)
		}
		if n, _ := e.s.SubscriberCounts(e.ctx, e.org.ID); n[SubscriberWebPush] != 1 {
			t.Errorf("after unsubscribing: %v", n)
		}
		if err := e.s.SetSubscriberExercise(e.ctx, e.org.ID, good.Endpoint, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("marking an unknown device: %v", err)
		}
	})
}

func TestPushBroadcastDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		it := e.subscribe(t, "it", nil, nil)
		en := e.subscribe(t, "en", nil, nil)
		de := e.subscribe(t, "de", nil, nil) // no German text: Italian
		a, inc, d := e.broadcast(t, IncidentInput{})
		if n, err := e.s.pushAudience(e.ctx, e.org.ID, inc); err != nil || n != 3 {
			t.Errorf("audience %d %v", n, err)
		}
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		e.noProblems(t)
		got := received(e.push)
		for sub, lang := range map[webpush.Subscription]string{it: "it", en: "en", de: "it"} {
			ps := got[sub.Endpoint]
			if len(ps) != 1 {
				t.Errorf("%s: %d messages", lang, len(ps))
				continue
			}
			p := ps[0]
			if p.Title != a.Texts[lang].Headline || p.Body != a.Texts[lang].Push || p.Lang != lang || !p.Urgent ||
				p.URL != "https://piazza.example/o/"+e.org.Slug+"/live/"+inc.ID || p.Tag != "alert-"+inc.ID {
				t.Errorf("%s: payload %+v", lang, p)
			}
		}
		for _, m := range e.push.Received() {
			if m.Urgency != "high" || m.TTL != int(pushTTL/time.Second) || len(m.Topic) != 32 || m.Topic != pushTopic(inc.ID) {
				t.Errorf("headers: urgency %q TTL %d topic %q", m.Urgency, m.TTL, m.Topic)
			}
		}
		if n := e.push.Tokens(); n != 1 {
			t.Errorf("%d VAPID tokens signed for one push service, want 1", n)
		}
		for addr, state := range e.sends(t, d.ID) {
			if state != sendSent {
				t.Errorf("%s: %s", addr, state)
			}
		}
		if done, total := e.progress(t, d.ID); done != 3 || total != 3 {
			t.Errorf("progress %d/%d", done, total)
		}
	})
}

// A withdrawn subscription is deleted; a browser that never answers is
// left unknown and is not sent again when the delivery is tried again,
// nor is one a crash left "sending".
func TestPushGoneUnknownAndResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		ok := e.subscribe(t, "it", nil, nil)
		gone := e.subscribe(t, "it", nil, nil)
		hangs := e.subscribe(t, "it", nil, nil)
		crashed := e.subscribe(t, "it", nil, nil)
		e.push.Forget(gone.Endpoint)
		e.push.Respond(hangs.Endpoint, webpushtest.Answer{Hang: true})
		a, inc, d := e.broadcast(t, IncidentInput{})
		// A previous run claimed this one and crashed.
		var crashedID string
		if err := db.Read.QueryRow(`SELECT id FROM alert_subscribers WHERE address = $1`, crashed.Endpoint).Scan(&crashedID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.Exec(`INSERT INTO alert_sends (delivery_id, subscriber_id, state, updated_at) VALUES ($1, $2, 'sending', $3)`,
			d.ID, crashedID, e.s.now()); err != nil {
			t.Fatal(err)
		}
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		e.noProblems(t)
		want := map[string]string{ok.Endpoint: sendSent, gone.Endpoint: sendGone, hangs.Endpoint: sendUnknown, crashed.Endpoint: sendUnknown}
		states := e.sends(t, d.ID)
		for addr, w := range want {
			if addr == gone.Endpoint {
				continue // its subscriber row is gone, checked below
			}
			if states[addr] != w {
				t.Errorf("%s: %s, want %s", addr, states[addr], w)
			}
		}
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM alert_subscribers WHERE address = $1`, gone.Endpoint).Scan(&n); err != nil || n != 0 {
			t.Errorf("the withdrawn subscription is still there (%d, %v)", n, err)
		}
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM alert_sends WHERE delivery_id = $1 AND state = 'gone'`, d.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d gone sends, %v", n, err)
		}
		if done, total := e.progress(t, d.ID); done != 4 || total != 4 {
			t.Errorf("progress %d/%d", done, total)
		}
		before := e.push.Requests()

		// The delivery is tried again (a person asks, or a retry): nothing
		// is sent twice, the uncertain ones included.
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		if after := e.push.Requests(); after != before {
			t.Errorf("%d more requests on resuming", after-before)
		}
		if got := received(e.push); len(got[ok.Endpoint]) != 1 || len(got[crashed.Endpoint]) != 0 {
			t.Errorf("received %v", got)
		}
		// A subscriber who joins meanwhile is reached by the resumed run.
		late := e.subscribe(t, "it", nil, nil)
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		if got := received(e.push); len(got[late.Endpoint]) != 1 || len(got[ok.Endpoint]) != 1 {
			t.Errorf("after a late subscriber: %v", got)
		}
		if done, total := e.progress(t, d.ID); done != 5 || total != 5 {
			t.Errorf("progress %d/%d", done, total)
		}
	})
}

// A push service that fails (503) or asks to wait (429) gets the message
// again a bounded number of times in the same run, then it is failed.
func TestPushRetriesThenFails(t *testing.T) {
	old := pushBackoff
	pushBackoff = time.Millisecond
	t.Cleanup(func() { pushBackoff = old })
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		ok := e.subscribe(t, "it", nil, nil)
		down := e.subscribe(t, "it", nil, nil)
		limited := e.subscribe(t, "it", nil, nil)
		refused := e.subscribe(t, "it", nil, nil)
		e.push.Respond(down.Endpoint, webpushtest.Answer{Status: http.StatusServiceUnavailable})
		e.push.Respond(limited.Endpoint, webpushtest.Answer{Status: http.StatusTooManyRequests})
		e.push.Respond(refused.Endpoint, webpushtest.Answer{Status: http.StatusForbidden})
		a, inc, d := e.broadcast(t, IncidentInput{})
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		states := e.sends(t, d.ID)
		for addr, want := range map[string]string{ok.Endpoint: sendSent, down.Endpoint: sendFailed, limited.Endpoint: sendFailed,
			refused.Endpoint: sendFailed} {
			if states[addr] != want {
				t.Errorf("%s: %s, want %s", addr, states[addr], want)
			}
		}
		// 1 + 1 + pushRetries each for the two that may pass later, 1 for
		// the refused one.
		if n, want := e.push.Requests(), int64(1+1+2*(1+pushRetries)); n != want {
			t.Errorf("%d requests, want %d", n, want)
		}
		var msg string
		if err := db.Read.QueryRow(`SELECT x.error FROM alert_sends x JOIN alert_subscribers s ON s.id = x.subscriber_id
			WHERE s.address = $1`, refused.Endpoint).Scan(&msg); err != nil || !strings.Contains(msg, "HTTP 403") {
			t.Errorf("refusal recorded as %q (%v)", msg, err)
		}
	})
}

func TestPushTopicsAndZones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		zones, err := e.s.ImportZones(e.ctx, e.org.ID, []byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"nome":"Barcola"},"geometry":{"type":"Polygon","coordinates":[[[13.72,45.67],[13.75,45.67],[13.75,45.69],[13.72,45.67]]]}},
			{"type":"Feature","properties":{"nome":"Rive"},"geometry":{"type":"Polygon","coordinates":[[[13.76,45.64],[13.77,45.64],[13.77,45.65],[13.76,45.64]]]}}]}`))
		if err != nil || len(zones) != 2 {
			t.Fatal(zones, err)
		}
		barcola, rive := zones[0].ID, zones[1].ID
		if zones[0].Name != "Barcola" {
			barcola, rive = rive, barcola
		}
		all := e.subscribe(t, "it", nil, nil)
		wind := e.subscribe(t, "it", []Type{TypeWind, TypeFlood}, nil)
		snow := e.subscribe(t, "it", []Type{TypeSnow}, nil)
		inBarcola := e.subscribe(t, "it", nil, []string{barcola})
		inRive := e.subscribe(t, "it", nil, []string{rive})
		windInRive := e.subscribe(t, "it", []Type{TypeWind}, []string{rive})

		a, inc, d := e.broadcast(t, IncidentInput{Type: TypeWind, Colour: Yellow, Title: "Bora su Barcola", ZoneIDs: []string{barcola}})
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		got := received(e.push)
		for name, c := range map[string]struct {
			sub  webpush.Subscription
			want int
		}{"all": {all, 1}, "wind": {wind, 1}, "snow": {snow, 0}, "in Barcola": {inBarcola, 1}, "in Rive": {inRive, 0},
			"wind in Rive": {windInRive, 0}} {
			if n := len(got[c.sub.Endpoint]); n != c.want {
				t.Errorf("%s: %d messages, want %d", name, n, c.want)
			}
		}
		for _, m := range e.push.Received() {
			if m.Urgency != "normal" {
				t.Errorf("a yellow alert with urgency %q", m.Urgency)
			}
		}
		// An incident without zones concerns the whole territory.
		cityWide, err := e.s.CreateIncident(e.ctx, e.org.ID, "", IncidentInput{Type: TypeSnow, Colour: Orange, Title: "Neve in città"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.s.pushAudience(e.ctx, e.org.ID, cityWide); err != nil || n != 4 { // all, snow, inBarcola, inRive
			t.Errorf("city-wide snow reaches %d, want 4 (%v)", n, err)
		}
	})
}

func TestPushDrillReachesOnlyTestDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		citizen := e.subscribe(t, "it", nil, nil)
		another := e.subscribe(t, "en", []Type{TypeWind}, nil)
		device := e.subscribe(t, "it", nil, nil)
		if err := e.s.SetSubscriberExercise(e.ctx, e.org.ID, device.Endpoint, true); err != nil {
			t.Fatal(err)
		}
		a, inc, d := e.broadcast(t, IncidentInput{Type: TypeWind, Colour: Red, Title: "Esercitazione bora", Exercise: true})
		if n, err := e.s.pushAudience(e.ctx, e.org.ID, inc); err != nil || n != 1 {
			t.Errorf("a drill's audience: %d %v", n, err)
		}
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		got := received(e.push)
		if len(got[citizen.Endpoint])+len(got[another.Endpoint]) != 0 {
			t.Fatalf("a drill reached a citizen: %v", got)
		}
		if ps := got[device.Endpoint]; len(ps) != 1 || !strings.HasPrefix(ps[0].Title, "[ESERCITAZIONE] ") {
			t.Errorf("the test device got %+v", ps)
		}
		if states := e.sends(t, d.ID); len(states) != 1 {
			t.Errorf("sends %v", states)
		}
	})
}

func TestPushTopicHeader(t *testing.T) {
	for id, want := range map[string]string{
		"0190f3c2-7a1b-7c3d-8e4f-0123456789ab": "0190f3c27a1b7c3d8e4f0123456789ab",
		"short_id":                             "short_id",
	} {
		if got := pushTopic(id); got != want {
			t.Errorf("pushTopic(%q) = %q, want %q", id, got, want)
		}
	}
	long := pushTopic(strings.Repeat("x", 40) + "/é")
	if len(long) != 32 || strings.Trim(long, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		t.Errorf("hashed topic %q", long)
	}
}
