// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/webpush/webpushtest"
)

// The crisis team adds a browser as a test device with a name, sees it in
// the list and removes it; the mayor reads the list but changes nothing.
func TestAlertsTestDevicesPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		fake := webpushtest.NewServer()
		t.Cleanup(fake.Close)
		sub, _ := json.Marshal(fake.NewSubscription())
		label := "Telefono <di> turno " + strings.ReplaceAll(t.Name(), "/", " ")

		crisis := newClient(t, in.URL)
		crisis.login("crisi@demo.piazza.test")
		if code, body := crisis.get("/alerts/devices"); code != http.StatusOK || !strings.Contains(body, `id="device-form"`) {
			t.Fatalf("devices page: %d", code)
		}
		if code, body, _ := crisis.post("/alerts/devices", url.Values{"subscription": {string(sub)}, "label": {" "}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Date un nome al dispositivo") {
			t.Errorf("no label: %d", code)
		}
		if code, body, _ := crisis.post("/alerts/devices", url.Values{"subscription": {`{"endpoint":"nope"}`}, "label": {"x"}}); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Iscrizione alle notifiche non valida") {
			t.Errorf("bad subscription: %d", code)
		}
		code, _, loc := crisis.post("/alerts/devices", url.Values{"subscription": {string(sub)}, "label": {label}, "lang": {"it"}})
		if code != http.StatusSeeOther || !strings.Contains(loc, "flash.device_added") {
			t.Fatalf("add: %d %s", code, loc)
		}
		devs, err := in.App.Alerts.TestDevices(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, d := range devs {
			if d.Label == label {
				id = d.ID
			}
		}
		if id == "" {
			t.Fatalf("the device is not a test device: %+v", devs)
		}
		t.Cleanup(func() { _ = in.App.Alerts.RemoveTestDevice(ctx, o.ID, id) })
		code, body := crisis.get(loc)
		escaped := strings.ReplaceAll(strings.ReplaceAll(label, "<", "&lt;"), ">", "&gt;")
		if code != http.StatusOK || !strings.Contains(body, escaped) || strings.Contains(body, label) || !strings.Contains(body, "Dispositivo di prova aggiunto") {
			t.Errorf("list after adding: %d, want the label escaped and the flash", code)
		}

		mayor := newClient(t, in.URL)
		mayor.login("sindaco@demo.piazza.test")
		if code, body := mayor.get("/alerts/devices"); code != http.StatusOK || !strings.Contains(body, escaped) || strings.Contains(body, `id="device-form"`) {
			t.Errorf("the mayor's view: %d", code)
		}
		if code, _, _ := mayor.post("/alerts/devices/"+id+"/delete", nil); code != http.StatusForbidden {
			t.Errorf("the mayor removes a device: %d", code)
		}
		if code, _, _ := crisis.post("/alerts/devices/"+id+"/delete", nil); code != http.StatusSeeOther {
			t.Errorf("remove: %d", code)
		}
		if code, _, _ := crisis.post("/alerts/devices/"+id+"/delete", nil); code != http.StatusNotFound {
			t.Errorf("remove twice: %d", code)
		}
	})
}
