// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"errors"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
	"github.com/piazza-pa/piazza/internal/valid"
)

// A browser added as a test device receives the drill; a citizen's
// subscription is neither listed nor removable from the test devices.
func TestTestDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newPushEnv(t, db)
		citizen := e.subscribe(t, "it", nil, nil)
		phone := e.push.NewSubscription()
		for label, key := range map[string]string{"   ": "alert.device.label_required", strings.Repeat("x", maxDeviceLabel+1): "alert.device.label_long"} {
			_, err := e.s.AddTestDevice(e.ctx, e.org.ID, phone, "it", label)
			if es, ok := valid.As(err); !ok || es[0].Field != "label" || es[0].Key != key {
				t.Errorf("label %q: %v, want %s", label, err, key)
			}
		}
		dev, err := e.s.AddTestDevice(e.ctx, e.org.ID, phone, "en", "  Telefono   di turno ")
		if err != nil {
			t.Fatal(err)
		}
		if !dev.Exercise || dev.Label != "Telefono di turno" {
			t.Errorf("added %+v", dev)
		}
		list, err := e.s.TestDevices(e.ctx, e.org.ID)
		if err != nil || len(list) != 1 || list[0].ID != dev.ID || list[0].Label != "Telefono di turno" || list[0].Lang != "en" {
			t.Fatalf("test devices: %+v %v", list, err)
		}

		a, inc, d := e.broadcast(t, IncidentInput{Type: TypeFlood, Colour: Orange, Title: "Esercitazione alluvione", Exercise: true})
		if err := e.s.pushFanout(e.ctx, e.org.ID, d, a, inc); err != nil {
			t.Fatal(err)
		}
		got := received(e.push)
		if len(got[citizen.Endpoint]) != 0 || len(got[phone.Endpoint]) != 1 || !strings.HasPrefix(got[phone.Endpoint][0].Title, "[EXERCISE] ") {
			t.Fatalf("drill: citizen %d, device %+v", len(got[citizen.Endpoint]), got[phone.Endpoint])
		}

		var citizenID string
		if err := db.Read.QueryRowContext(e.ctx, `SELECT id FROM alert_subscribers WHERE address = $1`, citizen.Endpoint).Scan(&citizenID); err != nil {
			t.Fatal(err)
		}
		if err := e.s.RemoveTestDevice(e.ctx, e.org.ID, citizenID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing a citizen's subscription as a test device: %v", err)
		}
		if err := e.s.RemoveTestDevice(e.ctx, e.org.ID, dev.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := e.s.TestDevices(e.ctx, e.org.ID); len(list) != 0 {
			t.Errorf("after removal: %+v", list)
		}
		if n, _ := e.s.SubscriberCounts(e.ctx, e.org.ID); n[SubscriberWebPush] != 1 {
			t.Errorf("web push subscribers after removal: %d, want the citizen only", n[SubscriberWebPush])
		}
	})
}
