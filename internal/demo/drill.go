// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
)

// A drill rehearses the night of the Bora (001: the training ends with a
// lab on communicating an emergency): once its first alert is out,
// simulated citizens write on the sandbox channels, so the team answers a
// surge as it would for real. Nothing of it touches a real channel: the
// messages arrive on sandbox accounts and are marked as simulated.

// drillMessages are what citizens write, per incident type; the
// generic ones fit any emergency.
var drillMessages = map[alert.Type][]string{
	alert.TypeWind: {
		"È caduto un albero sulla strada davanti a casa mia, non si passa",
		"La bora ha scoperchiato parte del tetto del condominio, cosa dobbiamo fare?",
		"Domani le scuole sono aperte con questo vento?",
		"Un'impalcatura in via Roma si muove tantissimo, ho paura che cada",
		"Aiuto, un ramo ha sfondato la finestra e mia madre è ferita",
	},
	alert.TypeHighTide: {
		"Il negozio si sta allagando, a che ora è il picco della marea?",
		"Le rive sono chiuse? Devo andare al lavoro in centro",
		"La cantina è piena d'acqua, chi posso chiamare?",
	},
	alert.TypeFlood: {
		"Il sottopasso di via Verdi è allagato e c'è una macchina ferma dentro",
		"Il torrente è quasi al livello del ponte, cosa facciamo?",
		"Siamo bloccati al primo piano, l'acqua sale, aiuto",
	},
	alert.TypeSnow: {
		"La mia strada non è stata ancora pulita dallo spazzaneve",
		"Domani passa l'autobus in collina con questa neve?",
	},
	alert.TypeHeat: {
		"Mio padre anziano vive solo e non risponde al telefono da ieri",
		"Ci sono luoghi climatizzati aperti al pubblico?",
	},
}

var drillGeneric = []string{
	"Dove trovo informazioni aggiornate sull'emergenza?",
	"Ci sono strade chiuse in centro?",
	"Grazie per gli aggiornamenti, siete stati velocissimi",
	"Posso uscire di casa o è meglio restare dentro?",
}

// drillPlatforms are the sandbox channels the simulated citizens use.
var drillPlatforms = []channel.Platform{channel.Telegram, channel.Facebook, channel.Instagram, channel.Mastodon, channel.Bluesky}

// DrillSurge writes n simulated citizens' messages about a drill, one
// every interval, on the organisation's sandbox channels: through the
// sandbox fakes when they run (citizens, in demo mode), straight into the
// desk otherwise. It refuses an incident that is not a drill.
func DrillSurge(ctx context.Context, dsk *desk.Service, s Services, inc alert.Incident, citizens Citizens, n int, every time.Duration) error {
	if !inc.Exercise {
		return errors.New("demo: a simulated surge is for drills only")
	}
	accts, err := s.Publish.Accounts(ctx, inc.OrgID)
	if err != nil {
		return err
	}
	sandboxes := map[channel.Platform]string{}
	for _, a := range accts {
		if a.Sandbox && a.Status != "disabled" {
			if _, ok := sandboxes[a.Platform]; !ok {
				sandboxes[a.Platform] = a.ID
			}
		}
	}
	var platforms []channel.Platform
	for _, p := range drillPlatforms {
		if sandboxes[p] != "" {
			platforms = append(platforms, p)
		}
	}
	if len(platforms) == 0 {
		return errors.New("demo: no sandbox channel to simulate citizens on")
	}
	texts := append(append([]string(nil), drillMessages[inc.Type]...), drillGeneric...)
	var errs []error
	for i := range n {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
		}
		p := platforms[i%len(platforms)]
		author := fmt.Sprintf("Cittadino simulato %d", i+1)
		text := texts[i%len(texts)]
		if citizens != nil {
			d, err := citizens.Citizen(p, false, author, text)
			if err == nil && d.Pushed {
				_, err = dsk.Ingest(ctx, desk.Inbound{OrgID: inc.OrgID, AccountID: sandboxes[p], Source: string(p), Msg: d.Inbound})
			}
			errs = append(errs, err)
			continue
		}
		id := fmt.Sprintf("drill-%s-%d", inc.ID, i)
		_, err := dsk.Ingest(ctx, desk.Inbound{OrgID: inc.OrgID, AccountID: sandboxes[p], Source: string(p), Msg: channel.Inbound{
			RemoteID: id, Thread: id, Visibility: channel.Private, AuthorID: fmt.Sprintf("drill-citizen-%d", i), AuthorName: author, Text: text}})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
