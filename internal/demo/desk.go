// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/sandbox"
)

// The demo comune's desk: citizens' messages on every sandbox channel and
// the web form, as a night of Bora and an ordinary day bring them — a
// surge about the same fallen tree, an urgent call for help, a comment
// exposing a phone number, an insult, a political jab, questions for the
// offices.

type deskMessage struct {
	platform channel.Platform // "" is the web form
	public   bool
	author   string
	text     string
	ago      time.Duration
}

var deskMessages = []deskMessage{
	{channel.Telegram, false, "marco_ts", "Albero caduto in via Roma all'altezza del civico 20, la strada è bloccata!", 50 * time.Minute},
	{channel.Facebook, true, "Lucia Vidali", "In via Roma c'è un albero caduto in mezzo alla strada, passate con attenzione", 47 * time.Minute},
	{channel.Instagram, true, "giuly.pz", "via roma bloccata da un albero caduto 😱 qualcuno avvisi il comune", 45 * time.Minute},
	{channel.Telegram, false, "sandro_b", "ALBERO CADUTO IN VIA ROMA!!! mandate qualcuno", 44 * time.Minute},
	{channel.Mastodon, true, "paola@mastodon.example", "@comune un albero è caduto in via Roma e blocca il passaggio", 42 * time.Minute},
	{"", false, "Franco Sulli", "Segnalo albero caduto in via Roma, impossibile passare con l'auto.", 40 * time.Minute},
	{channel.Telegram, false, "nonna_rita", "Mia madre ha 88 anni, è sola in casa in via del Molo, è saltata la corrente e non risponde al telefono. Aiuto!", 35 * time.Minute},
	{channel.Facebook, true, "Giorgio Pahor", "Il mio vicino Mario Rossi, cell. 347 1234567, ha la cantina allagata in via Battisti 4", 30 * time.Minute},
	{channel.Facebook, true, "Anonimo Furioso", "Siete una banda di incapaci e ladri, vergognatevi", 28 * time.Minute},
	{channel.Bluesky, true, "civico.bsky.social", "Quando riapre la biblioteca di quartiere dopo i lavori?", 26 * time.Hour},
	{channel.Telegram, false, "ale_studente", "Buongiorno, che documenti servono per rinnovare la carta d'identità?", 25 * time.Hour},
	{channel.Facebook, true, "Teresa Gortan", "La TARI quest'anno è aumentata del 20%, è uno scandalo. Chi risponde di questo?", 22 * time.Hour},
	{channel.Instagram, true, "bici.vallebella", "Propongo una pista ciclabile lungo il viale del porto, sarebbe bellissimo 🚲", 20 * time.Hour},
	{channel.Facebook, true, "Pino Daris", "Il sindaco pensa solo alle elezioni, alle prossime votiamo tutti l'opposizione", 19 * time.Hour},
	{"", false, "Silvia Kante", "Il lampione davanti al civico 8 di via Verdi è spento da una settimana.", 18 * time.Hour},
	{channel.Mastodon, false, "ugo@mastodon.example", "@comune la mensa della scuola Manzoni ha cambiato fornitore? Mio figlio dice che il cibo è freddo", 16 * time.Hour},
	{channel.Telegram, false, "luca_bus", "Il bus 11 stamattina non è passato per 40 minuti, succede spesso", 6 * time.Hour},
	{channel.Instagram, false, "mamma.ele", "Come si fa l'iscrizione al nido comunale per settembre?", 5 * time.Hour},
	{channel.Facebook, false, "Roberto Zorzi", "Grazie per l'intervento rapido di ieri sera, bravi!", 3 * time.Hour},
	{channel.Telegram, false, "offerte_top", "Guadagna 5000 euro al mese da casa!!! clicca qui bit.ly/soldi-facili", 2 * time.Hour},
}

// Citizens write on the sandbox platforms (sandbox.Sandbox).
type Citizens interface {
	Citizen(p channel.Platform, public bool, name, text string) (sandbox.Delivery, error)
}

// SeedDesk fills the demo desk once, through the desk's own ingest (so
// triage, routing, SLA and grouping run as they would for real), and
// answers one conversation. It does nothing when the desk has messages.
func SeedDesk(ctx context.Context, s Services, dsk *desk.Service, orgID string, citizens Citizens) (bool, error) {
	var n int
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM desk_conversations WHERE org_id = $1`, orgID).Scan(&n); err != nil {
		return false, fmt.Errorf("demo: desk: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	accts, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		return false, fmt.Errorf("demo: desk: %w", err)
	}
	byPlatform := map[channel.Platform]publish.Account{}
	for _, a := range accts {
		if a.Sandbox {
			byPlatform[a.Platform] = a
		}
	}
	if err := dsk.SaveSettings(ctx, orgID, desk.Settings{PatronDay: "06-24", SLA: desk.DefaultSettings().SLA, RetentionDays: 365,
		DPOContact: "rpd@comune.vallebella.example", PrivacyURL: "https://www.comune.vallebella.example/privacy", BlockAfter: 3}); err != nil {
		return false, err
	}
	list, err := s.Orgs.Offices(ctx, orgID)
	if err != nil {
		return false, fmt.Errorf("demo: desk: %w", err)
	}
	offices := map[string]string{}
	for _, o := range list {
		offices[o.Code] = o.ID
	}
	for _, c := range []desk.Canned{
		{Title: "Grazie per la segnalazione", Body: "Buongiorno {nome}, grazie per la segnalazione: l'abbiamo passata a {ufficio}. Può seguirla qui: {link}"},
		{Title: "Polemica politica", Purpose: desk.PurposePolitical, Body: "Grazie per il messaggio, {nome}. Questa pagina risponde alle " +
			"segnalazioni e alle richieste di servizio di {ente}; le posizioni politiche dell'amministrazione sono sulle pagine " +
			"istituzionali della Giunta: https://www.comune.vallebella.example/giunta"},
		{OfficeID: offices["anagrafe"], Title: "Carta d'identità elettronica", Body: "Buongiorno {nome}, per la carta d'identità " +
			"elettronica si prenota un appuntamento sul sito del Comune; servono una fototessera recente e la tessera sanitaria."},
	} {
		if c.OfficeID == "" && c.Title == "Carta d'identità elettronica" {
			continue
		}
		if _, err := dsk.AddCanned(ctx, orgID, c); err != nil {
			return false, err
		}
	}
	// The polled platforms read from now on: a first poll sets their
	// cursors, so the messages below arrive as new.
	// A channel that fails to poll keeps its error on its cursor; the
	// demo goes on with the others.
	_ = dsk.PollChannels(ctx)
	now := time.Now()
	var thanks string
	for i, m := range deskMessages {
		in := desk.Inbound{OrgID: orgID, Source: desk.SourceWebForm}
		vis := channel.Private
		if m.public {
			vis = channel.Public
		}
		id := fmt.Sprintf("demo-%02d", i)
		in.Msg = channel.Inbound{RemoteID: id, Thread: id, Visibility: vis, AuthorID: "demo-citizen-" + m.author,
			AuthorName: m.author, Text: m.text}
		if m.platform != "" {
			a, ok := byPlatform[m.platform]
			if !ok || citizens == nil {
				continue
			}
			d, err := citizens.Citizen(m.platform, m.public, m.author, m.text)
			if errors.Is(err, sandbox.ErrNoPost) {
				d, err = citizens.Citizen(m.platform, false, m.author, m.text)
			}
			if err != nil {
				return false, fmt.Errorf("demo: desk message %d on %s: %w", i, m.platform, err)
			}
			if !d.Pushed {
				continue // the poller reads it
			}
			in.AccountID, in.Source, in.Msg = a.ID, string(m.platform), d.Inbound
		}
		in.Msg.At = now.Add(-m.ago)
		res, err := dsk.Ingest(ctx, in)
		if err != nil {
			return false, fmt.Errorf("demo: desk message %d: %w", i, err)
		}
		if m.author == "Roberto Zorzi" {
			thanks = res.ConversationID
		}
	}
	_ = dsk.PollChannels(ctx)
	if thanks != "" {
		if _, err := dsk.SetStatus(ctx, orgID, []string{thanks}, desk.StatusClosed, desk.Scope{All: true}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// trickleMessages keep the demo desk alive: one arrives now and then, so a
// newcomer sees the inbox update by itself.
var trickleMessages = []deskMessage{
	{platform: channel.Telegram, author: "giorgio_v", text: "Il semaforo all'incrocio di viale Europa è spento, le auto passano a caso"},
	{platform: "", author: "Maria Sossi", text: "Vorrei sapere quando passa la raccolta degli ingombranti nel mio quartiere"},
	{platform: channel.Facebook, author: "Paolo Degrassi", text: "Complimenti per la nuova piazza, è bellissima!"},
	{platform: channel.Instagram, author: "ele.runner", text: "Al parco giochi di via Manzoni c'è un'altalena rotta, pericolosa per i bambini"},
	{platform: channel.Telegram, author: "bruna_k", text: "Come posso pagare la TARI con PagoPA? Non trovo l'avviso"},
	{platform: channel.Mastodon, public: true, author: "lino", text: "la biblioteca civica ha cambiato gli orari per le feste?"},
	{platform: "", author: "Dario Fonda", text: "Cassonetti stracolmi in via Verdi da quattro giorni, c'è odore e arrivano i gabbiani"},
	{platform: channel.Facebook, author: "Irene Bevilacqua", text: "Il bus 6 oggi ha saltato tre fermate, siamo rimasti a piedi"},
}

// Trickle writes one of the trickle messages every interval until ctx
// ends. Errors go to report and never stop it.
func Trickle(ctx context.Context, dsk *desk.Service, s Services, orgID string, citizens Citizens, every time.Duration, report func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m := trickleMessages[i%len(trickleMessages)]
		if err := trickleOne(ctx, dsk, s, orgID, citizens, m, i); err != nil && report != nil {
			report(err)
		}
	}
}

func trickleOne(ctx context.Context, dsk *desk.Service, s Services, orgID string, citizens Citizens, m deskMessage, i int) error {
	if m.platform == "" {
		id := fmt.Sprintf("trickle-%d-%d", time.Now().UnixNano(), i)
		_, err := dsk.Ingest(ctx, desk.Inbound{OrgID: orgID, Source: desk.SourceWebForm, Msg: channel.Inbound{RemoteID: id,
			Visibility: channel.Private, AuthorID: "demo-citizen-" + m.author, AuthorName: m.author, Text: m.text}})
		return err
	}
	d, err := citizens.Citizen(m.platform, m.public, m.author, m.text)
	if errors.Is(err, sandbox.ErrNoPost) {
		d, err = citizens.Citizen(m.platform, false, m.author, m.text)
	}
	if err != nil || !d.Pushed {
		return err // polled platforms arrive with the next poll
	}
	accts, err := s.Publish.Accounts(ctx, orgID)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if a.Sandbox && a.Platform == m.platform && a.Name == channelNames[a.Platform] {
			_, err = dsk.Ingest(ctx, desk.Inbound{OrgID: orgID, AccountID: a.ID, Source: string(a.Platform), Msg: d.Inbound})
			return err
		}
	}
	return nil
}
