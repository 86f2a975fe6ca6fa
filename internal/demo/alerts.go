// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/audit"
)

// vallebellaZones are the demo comune's zones: its old town, the coast
// and the hills, as a GeoJSON file exported from a GIS would give them.
const vallebellaZones = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"nome": "Centro storico"}, "geometry": {"type": "Polygon", "coordinates":
  [[[13.760, 45.648], [13.772, 45.648], [13.772, 45.656], [13.760, 45.656], [13.760, 45.648]]]}},
 {"type": "Feature", "properties": {"nome": "Lungomare"}, "geometry": {"type": "Polygon", "coordinates":
  [[[13.740, 45.640], [13.760, 45.644], [13.762, 45.650], [13.742, 45.648], [13.740, 45.640]]]}},
 {"type": "Feature", "properties": {"nome": "Colline"}, "geometry": {"type": "Polygon", "coordinates":
  [[[13.775, 45.655], [13.800, 45.655], [13.800, 45.675], [13.775, 45.675], [13.775, 45.655]]]}}
]}`

// SeedAlerts gives the demo its zones, a resolved past incident (a night
// of Bora ten days ago, with the alert, an update raising the level and
// the all-clear, each published on the sandbox channels, so the live page,
// /feeds/alerts.atom and the CAP messages are never empty) and a drill
// left as a draft for a newcomer to run. It runs once: an organisation
// with incidents is left as it is.
func SeedAlerts(ctx context.Context, s Services, alerts *alert.Service, orgID string) (bool, error) {
	existing, err := alerts.Incidents(ctx, orgID, 1)
	if err != nil || len(existing) > 0 {
		return false, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "demo"})
	zones, err := alerts.ImportZones(ctx, orgID, []byte(vallebellaZones))
	if err != nil {
		return false, fmt.Errorf("demo: zones: %w", err)
	}
	accts, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		return false, err
	}
	var targets []string
	for _, a := range accts {
		if a.Sandbox && a.Platform != "feed" {
			targets = append(targets, a.ID)
		}
	}
	// The past is written with a clock set to it.
	start := time.Now().UTC().AddDate(0, 0, -10).Truncate(time.Hour).Add(-3 * time.Hour)
	at := start
	past := alert.NewService(alert.Deps{DB: alerts.DB, Publish: alerts.Publish, PublicURL: alerts.PublicURL, Log: alerts.Log,
		Now: func() time.Time { return at }})
	in := alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Orange, Title: "Bora forte sulla costa",
		Description:  "Raffiche previste fino a 120 km/h sulla costa e in centro, in rinforzo nella notte.",
		Hashtag:      "#BoraVallebella",
		Numbers:      []alert.Number{{Label: "Protezione civile comunale", Number: "800 123 456"}, {Label: "Emergenze", Number: "112"}},
		Links:        []alert.Link{{Label: "Bollettino meteo regionale", URL: "https://meteo.vallebella.example/bollettino"}},
		ZoneIDs:      []string{zones[0].ID, zones[1].ID},
		Instructions: "Evitate il lungomare e i parchi, fissate gli oggetti sui balconi, limitate gli spostamenti."}
	inc, err := past.CreateIncident(ctx, orgID, "", in)
	if err != nil {
		return false, fmt.Errorf("demo: incident: %w", err)
	}
	steps := []struct {
		after time.Duration
		raise bool
		input alert.SendInput
	}{
		{0, false, alert.SendInput{Kind: alert.KindAlert, Headline: "Chiusi parchi e lungomare fino a domani mattina",
			Body: "Il sindaco ha firmato l'ordinanza di chiusura di parchi, giardini e lungomare.", Languages: []string{"en"}}},
		{3 * time.Hour, true, alert.SendInput{Kind: alert.KindUpdate, Headline: "Raffiche a 150 km/h: scuole chiuse domani",
			Body: "La bora si è rinforzata oltre le previsioni. Domani scuole e mercato restano chiusi.", Languages: []string{"en"}}},
		{20 * time.Hour, false, alert.SendInput{Kind: alert.KindCancel, Headline: "La bora è calata: parchi e scuole riaprono",
			Body: "Grazie a tutti per la collaborazione. Segnalate i danni con il modulo del Comune.", Languages: []string{"en"}}},
	}
	for _, st := range steps {
		at = start.Add(st.after)
		if st.raise {
			in.Colour = alert.Red
			if _, err := past.UpdateIncident(ctx, orgID, inc.ID, in); err != nil {
				return false, fmt.Errorf("demo: incident: %w", err)
			}
		}
		st.input.AccountIDs = targets
		if _, _, err := past.Send(ctx, orgID, "", inc.ID, st.input); err != nil {
			return false, fmt.Errorf("demo: alert: %w", err)
		}
	}
	// A drill ready to rehearse: its first alert reaches the sandbox
	// channels and the test devices only, and starts simulated citizens
	// writing to the desk.
	_, err = alerts.CreateIncident(ctx, orgID, "", alert.IncidentInput{Type: alert.TypeHighTide, Colour: alert.Orange,
		Title:        "Esercitazione: acqua alta in centro storico",
		Description:  "Prova del gruppo di crisi: marea prevista a 140 cm sul medio mare, allagamenti nel centro storico.",
		Instructions: "Non scendete nei piani interrati, spostate i veicoli dalle rive, seguite le indicazioni della polizia locale.",
		Hashtag:      "#AcquaAltaVallebella",
		Numbers:      []alert.Number{{Label: "Protezione civile comunale", Number: "800 123 456"}},
		ZoneIDs:      []string{zones[0].ID}, Exercise: true})
	if err != nil {
		return false, fmt.Errorf("demo: drill: %w", err)
	}
	return true, nil
}
