// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package demo

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/editorial"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// Names of the demo plan, for tests and for the check that it exists.
const (
	CampaignName = "Raccolta differenziata porta a porta"
	RubricName   = "Lunedì in Comune"
)

// publishWait bounds the wait for the engine to publish the plan's past
// posts through the fakes.
const publishWait = 90 * time.Second

// Where a demo post stands once seeded.
type stage int

const (
	stageDraft stage = iota
	stageReview
	stageApproved
	stageScheduled
	stagePublished
)

// demoPost is one post of the sample plan. Its variants are written the
// way each platform likes: short for X and Bluesky, hashtags in CamelCase
// (screen readers read them word by word), the link in the text where the
// platform makes no card of its own. On X the connector appends the post's
// link itself.
type demoPost struct {
	title, body               string
	link, linkTitle, linkDesc string
	office                    string // office code
	author                    string // login email
	campaign, rubric, image   bool
	stage                     stage
	at                        time.Time // planned, scheduled or (in the past) published
	variants                  map[channel.Platform]string
	withImage                 []channel.Platform // variants that carry the image
}

const siteURL = "https://www.comune.vallebella.example"

// seedPlan writes the sample plan unless the demo has one already (any
// campaign or post: the demo has been used, and is left as it is).
func seedPlan(ctx context.Context, s Services, o org.Organisation, accounts map[channel.Platform]publish.Account) (bool, error) {
	campaigns, err := s.Editorial.Campaigns(ctx, o.ID)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	posts, err := s.Editorial.Posts(ctx, o.ID, editorial.PostFilter{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if len(campaigns) > 0 || len(posts) > 0 {
		return false, nil
	}
	loc, err := time.LoadLocation(o.Timezone)
	if err != nil {
		loc = time.UTC
	}
	p := &planner{s: s, org: o, accounts: accounts, now: time.Now().In(loc), actors: map[string]actor{}, offices: map[string]string{}}
	if err := p.load(ctx); err != nil {
		return false, err
	}
	if err := p.seed(ctx); err != nil {
		return false, err
	}
	return true, nil
}

type actor struct {
	editorial.Actor
	ctx context.Context // carries the person for the audit log
}

type planner struct {
	s        Services
	org      org.Organisation
	accounts map[channel.Platform]publish.Account
	now      time.Time // in the organisation's time zone
	actors   map[string]actor
	offices  map[string]string // code → id

	campaignID, rubricID, imageID string
}

// load finds the demo people and offices.
func (p *planner) load(ctx context.Context) error {
	offices, err := p.s.Orgs.Offices(ctx, p.org.ID)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, o := range offices {
		p.offices[o.Code] = o.ID
	}
	for _, l := range Logins {
		person, err := p.s.Auth.PersonByEmail(ctx, l.Email)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", l.Email, err)
		}
		g, err := p.s.Orgs.GrantsOf(ctx, p.org.ID, person.ID)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", l.Email, err)
		}
		p.actors[l.Email] = actor{Actor: editorial.Actor{PersonID: person.ID, Grants: g},
			ctx: audit.WithActor(ctx, audit.Actor{PersonID: person.ID, Label: l.Email})}
	}
	return nil
}

const (
	manager = "manager@demo.piazza.test"
	editor  = "redazione@demo.piazza.test"
	liaison = "urp@demo.piazza.test"
	guest   = "ospite@demo.piazza.test"
)

// day returns the local time hh:mm, days from today.
func (p *planner) day(days, hh, mm int) time.Time {
	n := p.now
	return time.Date(n.Year(), n.Month(), n.Day()+days, hh, mm, 0, 0, n.Location())
}

// inHours returns a time about h hours from now, on the quarter hour; one
// that would fall at night (22–7) moves to the next morning, h quarters
// after 7, as a comune's social media team would plan it.
func (p *planner) inHours(h int) time.Time {
	t := p.now.Add(time.Duration(h) * time.Hour).Truncate(15 * time.Minute).Add(15 * time.Minute)
	if t.Hour() >= 22 || t.Hour() < 7 {
		morning := time.Date(t.Year(), t.Month(), t.Day(), 7, 0, 0, 0, t.Location())
		if t.Hour() >= 22 {
			morning = morning.AddDate(0, 0, 1)
		}
		t = morning.Add(time.Duration(h) * 15 * time.Minute)
	}
	return t
}

// lastMonday is the most recent Monday at 09:00 already past.
func (p *planner) lastMonday() time.Time {
	back := (int(p.now.Weekday()) + 6) % 7 // days since Monday
	t := p.day(-back, 9, 0)
	if !t.Before(p.now.Add(-time.Hour)) {
		t = t.AddDate(0, 0, -7)
	}
	return t
}

func (p *planner) seed(ctx context.Context) error {
	mgr := p.actors[manager]
	if err := p.seedGuards(mgr); err != nil {
		return err
	}
	var err error
	ids := func(ps ...channel.Platform) []string {
		var out []string
		for _, pl := range ps {
			out = append(out, p.accounts[pl].ID)
		}
		return out
	}
	c, err := p.s.Editorial.CreateCampaign(mgr.ctx, mgr.Actor, p.org.ID, editorial.CampaignInput{
		Name:      CampaignName,
		Objective: "Portare la raccolta differenziata dal 58% al 75% entro sei mesi e far ritirare il kit di contenitori a tutte le famiglie.",
		Audience:  "Famiglie e attività commerciali di Vallebella; amministratori di condominio; scuole.",
		StartsOn:  p.day(-7, 0, 0).Format(time.DateOnly),
		EndsOn:    p.day(60, 0, 0).Format(time.DateOnly),
		Channels:  ids(channel.Platforms()...),
		KPIs: "Kit ritirati all'Ecosportello (obiettivo 9.000); percentuale mensile di differenziata; " +
			"domande allo sportello e nei commenti; copertura e condivisioni dei post della campagna.",
	})
	if err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	p.campaignID = c.ID
	r, err := p.s.Editorial.CreateRubric(mgr.ctx, mgr.Actor, p.org.ID, editorial.RubricInput{
		Name:        RubricName,
		Description: "Ogni lunedì un servizio del Comune spiegato in breve: orari, documenti, come si prenota.",
		Weekday:     1, TimeOfDay: "09:00",
		Channels: ids(channel.Telegram, channel.Facebook, channel.Mastodon, channel.Bluesky, channel.Feed),
	})
	if err != nil {
		return fmt.Errorf("demo: rubric: %w", err)
	}
	p.rubricID = r.ID
	ed := p.actors[editor]
	m, err := p.s.Editorial.Upload(ed.ctx, ed.Actor, p.org.ID, editorial.MediaInput{
		Filename: "raccolta-porta-a-porta.jpg", Data: binsImage(),
		AltText: "Tre bidoni affiancati, verde, giallo e blu, i colori dei contenitori di umido, plastica e carta della raccolta porta a porta di Vallebella.",
	})
	if err != nil {
		return fmt.Errorf("demo: image: %w", err)
	}
	p.imageID = m.ID

	published := map[string]time.Time{} // post id → when the demo says it went out
	var errs []error
	for _, dp := range p.posts() {
		id, err := p.write(dp)
		if err != nil {
			errs = append(errs, fmt.Errorf("demo: post %q: %w", dp.title, err))
			continue
		}
		if dp.stage == stagePublished {
			published[id] = dp.at
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return p.settle(ctx, published)
}

// seedGuards records the election guard's data: a past electoral period
// (its posts would have needed a reason and a second approver) and the
// officials whose names it flags.
func (p *planner) seedGuards(mgr actor) error {
	if _, err := p.s.Editorial.CreateElectoralPeriod(mgr.ctx, mgr.Actor, p.org.ID, editorial.ElectoralPeriodInput{
		Name:     "Elezioni comunali di primavera",
		StartsAt: p.day(-240, 0, 0), EndsAt: p.day(-195, 23, 0),
	}); err != nil {
		return fmt.Errorf("demo: electoral period: %w", err)
	}
	for _, in := range []editorial.OfficialInput{
		{Name: "Vittorio Lettore", Role: "Sindaco"},
		{Name: "Giulia Ferri", Role: "Assessora all'ambiente"},
	} {
		if _, err := p.s.Editorial.CreateOfficial(mgr.ctx, mgr.Actor, p.org.ID, in); err != nil {
			return fmt.Errorf("demo: official %s: %w", in.Name, err)
		}
	}
	// The mayor's cabinet asks for two approvers, as its pages speak for
	// the mayor.
	if err := p.s.Editorial.SetSecondApproval(mgr.ctx, mgr.Actor, p.org.ID, p.offices["gabinetto"], true); err != nil {
		return fmt.Errorf("demo: second approval: %w", err)
	}
	return nil
}

// write creates one post and takes it through the workflow: its author
// writes and submits it, the manager approves and schedules it.
func (p *planner) write(dp demoPost) (string, error) {
	au, mgr := p.actors[dp.author], p.actors[manager]
	in := editorial.PostInput{OfficeID: p.offices[dp.office], Title: dp.title, Body: dp.body, LinkURL: dp.link,
		LinkTitle: dp.linkTitle, LinkDescription: dp.linkDesc, PlannedAt: dp.at}
	if dp.campaign {
		in.CampaignID = p.campaignID
	}
	if dp.rubric {
		in.RubricID = p.rubricID
	}
	if dp.image {
		in.MediaIDs = []string{p.imageID}
	}
	post, err := p.s.Editorial.CreatePost(au.ctx, au.Actor, p.org.ID, in)
	if err != nil {
		return "", err
	}
	var vs []editorial.VariantInput
	for _, pl := range channel.Platforms() {
		text, ok := dp.variants[pl]
		if !ok {
			continue
		}
		v := editorial.VariantInput{AccountID: p.accounts[pl].ID, Language: "it", Text: text}
		if slices.Contains(dp.withImage, pl) {
			v.MediaIDs = []string{p.imageID}
		}
		vs = append(vs, v)
	}
	if len(vs) > 0 {
		if _, err := p.s.Editorial.SetVariants(au.ctx, au.Actor, p.org.ID, post.ID, post.Version, vs); err != nil {
			return "", err
		}
	}
	steps := []struct {
		from stage
		who  actor
		a    editorial.Action
	}{
		{stageReview, au, editorial.ActionSubmit},
		{stageApproved, mgr, editorial.ActionApprove},
	}
	for _, st := range steps {
		if dp.stage < st.from {
			return post.ID, nil
		}
		cur, err := p.s.Editorial.Post(st.who.ctx, p.org.ID, post.ID)
		if err != nil {
			return "", err
		}
		if _, err := p.s.Editorial.Transition(st.who.ctx, st.who.Actor, p.org.ID, post.ID, cur.Version, st.a, ""); err != nil {
			return "", err
		}
	}
	if dp.stage < stageScheduled {
		return post.ID, nil
	}
	cur, err := p.s.Editorial.Post(mgr.ctx, p.org.ID, post.ID)
	if err != nil {
		return "", err
	}
	at := dp.at
	if dp.stage == stagePublished {
		at = time.Now() // out now through the fakes; dated back once published (settle)
	}
	if _, err := p.s.Publish.Schedule(mgr.ctx, mgr.Actor, p.org.ID, post.ID, cur.Version, at); err != nil {
		return "", err
	}
	return post.ID, nil
}

// settle waits for the engine to publish the posts that the demo shows as
// published in the past days, then dates them back to their day. The
// engine publishes only at "now": the dates are the demo's story, the
// rest (approvals, publications, what the fakes received) really happened.
func (p *planner) settle(ctx context.Context, published map[string]time.Time) error {
	deadline := time.Now().Add(publishWait)
	for id := range published {
		for {
			pubs, err := p.s.Publish.Publications(ctx, p.org.ID, id)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			done, failed := true, ""
			for _, pb := range pubs {
				switch {
				case !pb.State.Settled():
					done = false
				case pb.State != publish.StatePublished:
					failed += fmt.Sprintf(" %s: %s (%s);", pb.AccountID, pb.State, pb.LastError)
				}
			}
			if failed != "" {
				return fmt.Errorf("demo: post %s not published:%s", id, failed)
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("demo: post %s not published within %s: is the publishing engine running?", id, publishWait)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return p.s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for id, when := range published {
			at := store.Time(when)
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET scheduled_at = $1, approved_at = $2, created_at = $3, updated_at = $1
				WHERE id = $4 AND org_id = $5`, at, store.Time(at.Add(-20*time.Hour)), store.Time(at.Add(-26*time.Hour)), id, p.org.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE publications SET due_at = $1, next_attempt_at = $1, published_at = $1, updated_at = $1
				WHERE post_id = $2 AND org_id = $3`, at, id, p.org.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// binsImage draws the campaign's picture: three bins, green, yellow and
// blue, on a light ground, as a JPEG (what Instagram takes).
func binsImage() []byte {
	const w, h = 600, 600
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	ground := color.RGBA{R: 0xf2, G: 0xf5, B: 0xf7, A: 0xff}
	bins := []color.RGBA{{R: 0x2e, G: 0x8b, B: 0x57, A: 0xff}, {R: 0xf2, G: 0xc2, B: 0x1b, A: 0xff}, {R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}}
	for y := range h {
		for x := range w {
			img.Set(x, y, ground)
		}
	}
	for i, c := range bins {
		x0 := 60 + i*170
		lid := color.RGBA{R: c.R / 2, G: c.G / 2, B: c.B / 2, A: 0xff}
		for y := 170; y < 480; y++ {
			for x := x0; x < x0+140; x++ {
				col := c
				if y < 200 {
					col = lid
				}
				img.Set(x, y, col)
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return b.Bytes()
}

// posts is the sample plan, over the current week: three posts published
// in the past days, two scheduled in the next hours, one approved, two in
// review and two drafts.
func (p *planner) posts() []demoPost {
	porta := siteURL + "/rifiuti/porta-a-porta"
	cie := siteURL + "/anagrafe/carta-identita"
	viaRoma := siteURL + "/viabilita/via-roma"
	return []demoPost{{
		title: "Raccolta differenziata porta a porta: si parte",
		body: "Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella. Ogni famiglia ritira " +
			"il kit di contenitori (umido, plastica e metalli, carta, vetro, secco residuo) e il calendario dei ritiri " +
			"all'Ecosportello in Piazza del Municipio, dal lunedì al sabato dalle 9 alle 13, con la tessera sanitaria " +
			"dell'intestatario della TARI.",
		link: porta, linkTitle: "Raccolta porta a porta: kit, calendario, domande frequenti",
		linkDesc: "Tutto sulla nuova raccolta differenziata di Vallebella: cosa cambia, dove ritirare il kit, i giorni di ritiro.",
		office:   "ambiente", author: editor, campaign: true, image: true, stage: stagePublished, at: p.day(-3, 9, 30),
		withImage: []channel.Platform{channel.Telegram, channel.Facebook, channel.Instagram, channel.X, channel.Mastodon, channel.Bluesky, channel.Feed},
		variants: map[channel.Platform]string{
			channel.Telegram: "♻️ Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella.\n\n" +
				"Ritira il kit di contenitori e il calendario all'Ecosportello in Piazza del Municipio, dal lunedì al sabato 9–13, " +
				"con la tessera sanitaria dell'intestatario TARI.\n\nTutte le informazioni: " + porta,
			channel.Facebook: "♻️ Da lunedì si cambia: la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella!\n\n" +
				"Cosa fare:\n1️⃣ ritira il kit di contenitori e il calendario all'Ecosportello in Piazza del Municipio (lunedì–sabato, 9–13);\n" +
				"2️⃣ porta la tessera sanitaria dell'intestatario della TARI;\n" +
				"3️⃣ esponi i contenitori la sera prima del giorno di ritiro, dopo le 20.\n\n" +
				"Hai domande? Scrivile nei commenti: ti risponde l'Ufficio Ambiente.\n\n" + porta,
			channel.Instagram: "♻️ Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella.\n\n" +
				"Ritira il kit di contenitori e il calendario all'Ecosportello in Piazza del Municipio, dal lunedì al sabato dalle 9 alle 13. " +
				"Porta la tessera sanitaria dell'intestatario della TARI.\n\nTutte le info al link in bio.\n\n" +
				"#RaccoltaDifferenziata #PortaAPorta #Vallebella #AmbienteVallebella",
			channel.X: "♻️ Da lunedì la raccolta differenziata porta a porta arriva in tutta Vallebella. Kit e calendario all'Ecosportello " +
				"in Piazza del Municipio, lun–sab 9–13. #RaccoltaDifferenziata",
			channel.Mastodon: "♻️ Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella.\n\n" +
				"Kit di contenitori e calendario all'Ecosportello in Piazza del Municipio, lunedì–sabato 9–13, con la tessera sanitaria " +
				"dell'intestatario TARI.\n\n" + porta + "\n\n#RaccoltaDifferenziata #PortaAPorta #Vallebella",
			channel.Bluesky: "♻️ Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella. " +
				"Kit e calendario all'Ecosportello in Piazza del Municipio, lunedì–sabato 9–13. #RaccoltaDifferenziata",
			channel.Feed: "Da lunedì la raccolta differenziata porta a porta arriva in tutti i quartieri di Vallebella. Ogni famiglia " +
				"ritira il kit di contenitori (umido, plastica e metalli, carta, vetro, secco residuo) e il calendario dei ritiri " +
				"all'Ecosportello in Piazza del Municipio, dal lunedì al sabato dalle 9 alle 13, con la tessera sanitaria " +
				"dell'intestatario della TARI.",
		},
	}, {
		title: "Lunedì in Comune: la carta d'identità anche il pomeriggio",
		body: "Da questa settimana l'Ufficio Anagrafe rilascia la carta d'identità elettronica anche il martedì e il giovedì " +
			"pomeriggio, dalle 14.30 alle 17, su appuntamento. Si prenota sull'Agenda CIE del Ministero dell'Interno o allo " +
			"sportello URP in Piazza del Municipio.",
		link: cie, linkTitle: "Carta d'identità elettronica", linkDesc: "Orari, documenti da portare e prenotazione.",
		office: "anagrafe", author: editor, rubric: true, stage: stagePublished, at: p.lastMonday(),
		variants: map[channel.Platform]string{
			channel.Telegram: "🪪 Lunedì in Comune\n\nCarta d'identità elettronica: da questa settimana l'Anagrafe riceve anche " +
				"martedì e giovedì pomeriggio, 14.30–17, su appuntamento.\n\nPrenota: " + cie,
			channel.Facebook: "🪪 #LunedìInComune — La carta d'identità elettronica si fa anche il pomeriggio!\n\n" +
				"Da questa settimana l'Ufficio Anagrafe riceve anche il martedì e il giovedì dalle 14.30 alle 17, su appuntamento. " +
				"Si prenota sull'Agenda CIE o allo sportello URP in Piazza del Municipio.\n\n" + cie,
			channel.Mastodon: "🪪 Lunedì in Comune: la carta d'identità elettronica si fa anche martedì e giovedì pomeriggio, " +
				"14.30–17, su appuntamento.\n\n" + cie + "\n\n#LunedìInComune #Anagrafe #Vallebella",
			channel.Bluesky: "🪪 Lunedì in Comune: la carta d'identità elettronica si fa anche martedì e giovedì pomeriggio, " +
				"14.30–17, su appuntamento. #LunedìInComune",
			channel.Feed: "Da questa settimana l'Ufficio Anagrafe rilascia la carta d'identità elettronica anche il martedì e il " +
				"giovedì pomeriggio, dalle 14.30 alle 17, su appuntamento. Si prenota sull'Agenda CIE del Ministero dell'Interno " +
				"o allo sportello URP in Piazza del Municipio.",
		},
	}, {
		title: "Via Roma chiusa per i lavori alla rete idrica",
		body: "Da mercoledì a venerdì via Roma è chiusa al traffico tra piazza Garibaldi e via dei Mille per la sostituzione " +
			"della condotta dell'acqua. Le linee 2 e 5 deviano su viale della Repubblica e le fermate sono spostate. Pedoni e " +
			"residenti passano sul lato dei numeri pari.",
		link: viaRoma, linkTitle: "Lavori in via Roma", linkDesc: "Percorsi alternativi, fermate spostate, durata dei lavori.",
		office: "lavori_pubblici", author: editor, stage: stagePublished, at: p.day(-1, 17, 0),
		variants: map[channel.Platform]string{
			channel.Telegram: "🚧 Via Roma chiusa al traffico da mercoledì a venerdì, tra piazza Garibaldi e via dei Mille, per i " +
				"lavori alla rete idrica.\n\n🚌 Linee 2 e 5 deviate su viale della Repubblica, fermate spostate.\n🚶 Pedoni e residenti " +
				"sul lato dei numeri pari.\n\nMappa e dettagli: " + viaRoma,
			channel.Facebook: "🚧 Lavori alla rete idrica: via Roma chiusa al traffico da mercoledì a venerdì, tra piazza Garibaldi e " +
				"via dei Mille.\n\nSostituiamo la vecchia condotta dell'acqua: meno guasti e meno perdite per tutto il centro.\n\n" +
				"🚌 Le linee 2 e 5 deviano su viale della Repubblica e le fermate sono spostate.\n" +
				"🚶 Pedoni e residenti passano sul lato dei numeri pari.\n\nCi scusiamo per il disagio. Mappa e percorsi alternativi: " + viaRoma,
			channel.X: "🚧 Via Roma chiusa tra piazza Garibaldi e via dei Mille, da mercoledì a venerdì, per i lavori alla rete idrica. " +
				"Bus 2 e 5 deviati su viale della Repubblica. #ViabilitàVallebella",
			channel.Mastodon: "🚧 Via Roma chiusa al traffico da mercoledì a venerdì, tra piazza Garibaldi e via dei Mille, per i lavori " +
				"alla rete idrica. Linee 2 e 5 deviate su viale della Repubblica.\n\n" + viaRoma + "\n\n#ViabilitàVallebella #LavoriPubblici",
			channel.Bluesky: "🚧 Via Roma chiusa tra piazza Garibaldi e via dei Mille da mercoledì a venerdì per i lavori alla rete " +
				"idrica. Bus 2 e 5 deviati su viale della Repubblica. #ViabilitàVallebella",
			channel.Feed: "Da mercoledì a venerdì via Roma è chiusa al traffico tra piazza Garibaldi e via dei Mille per la " +
				"sostituzione della condotta dell'acqua. Le linee 2 e 5 deviano su viale della Repubblica e le fermate sono " +
				"spostate. Pedoni e residenti passano sul lato dei numeri pari.",
		},
	}, {
		title: "Umido: il ritiro raddoppia",
		body: "Con la raccolta porta a porta l'umido si ritira due volte a settimana, il martedì e il venerdì. Usa solo " +
			"sacchetti compostabili e chiudili bene: i sacchetti di plastica non vengono ritirati.",
		link: porta, office: "ambiente", author: editor, campaign: true, stage: stageScheduled, at: p.inHours(2),
		variants: map[channel.Platform]string{
			channel.Telegram: "🍂 L'umido si ritira due volte a settimana: martedì e venerdì.\n\nUsa solo sacchetti compostabili e " +
				"chiudili bene: quelli di plastica non vengono ritirati.\n\n" + porta,
			channel.Facebook: "🍂 Buone notizie per chi cucina tanto: con la raccolta porta a porta l'umido si ritira due volte a " +
				"settimana, il martedì e il venerdì!\n\nUn consiglio: usa solo sacchetti compostabili (cerca il marchio sul " +
				"sacchetto) e chiudili bene. I sacchetti di plastica restano sul marciapiede.\n\n" + porta,
			channel.X: "🍂 L'umido si ritira due volte a settimana: martedì e venerdì. Solo sacchetti compostabili, ben chiusi: " +
				"quelli di plastica restano sul marciapiede. #RaccoltaDifferenziata",
			channel.Mastodon: "🍂 Con la raccolta porta a porta l'umido si ritira due volte a settimana, il martedì e il venerdì. " +
				"Solo sacchetti compostabili, ben chiusi.\n\n" + porta + "\n\n#RaccoltaDifferenziata #Vallebella",
			channel.Bluesky: "🍂 L'umido si ritira due volte a settimana, martedì e venerdì. Solo sacchetti compostabili e ben " +
				"chiusi: quelli di plastica restano sul marciapiede. #RaccoltaDifferenziata",
			channel.Feed: "Con la raccolta porta a porta l'umido si ritira due volte a settimana, il martedì e il venerdì. Usa solo " +
				"sacchetti compostabili e chiudili bene: i sacchetti di plastica non vengono ritirati.",
		},
	}, {
		title: "Biblioteca civica: letture per bambini il sabato mattina",
		body: "Ogni sabato alle 10.30 la Biblioteca civica «Ada Negri» legge storie per bambini dai 3 ai 7 anni. Ingresso " +
			"libero fino a esaurimento posti; si consiglia la prenotazione.",
		link: siteURL + "/cultura/biblioteca", office: "cultura", author: editor, stage: stageScheduled, at: p.inHours(4),
		variants: map[channel.Platform]string{
			channel.Telegram: "📚 Sabato alle 10.30 in Biblioteca civica: storie ad alta voce per bambini dai 3 ai 7 anni. " +
				"Ingresso libero, meglio prenotare: " + siteURL + "/cultura/biblioteca",
			channel.Facebook: "📚 Sabato mattina si legge insieme! Alle 10.30 la Biblioteca civica «Ada Negri» aspetta i bambini " +
				"dai 3 ai 7 anni per un'ora di storie ad alta voce.\n\nL'ingresso è libero fino a esaurimento posti: vi consigliamo " +
				"di prenotare allo 0123 456789 o in biblioteca.",
			channel.Mastodon: "📚 Sabato alle 10.30 la Biblioteca civica «Ada Negri» legge storie per bambini dai 3 ai 7 anni. " +
				"Ingresso libero, meglio prenotare.\n\n" + siteURL + "/cultura/biblioteca\n\n#Biblioteche #LettureAdAltaVoce",
			channel.Feed: "Ogni sabato alle 10.30 la Biblioteca civica «Ada Negri» legge storie per bambini dai 3 ai 7 anni. " +
				"Ingresso libero fino a esaurimento posti; si consiglia la prenotazione.",
		},
	}, {
		title: "TARI: la prima rata scade a fine mese",
		body: "La prima rata della TARI scade l'ultimo giorno del mese. L'avviso con il codice pagoPA è arrivato a casa e " +
			"nel fascicolo del contribuente; chi non l'ha ricevuto può scaricarlo dal sito o chiederlo all'Ufficio Tributi.",
		link: siteURL + "/tributi/tari", office: "tributi", author: editor, stage: stageApproved, at: p.day(1, 10, 0),
		variants: map[channel.Platform]string{
			channel.Telegram: "💶 TARI: la prima rata scade a fine mese. Si paga con pagoPA, dall'app IO o in tabaccheria. " +
				"Avviso non arrivato? " + siteURL + "/tributi/tari",
			channel.Facebook: "💶 Promemoria: la prima rata della TARI scade l'ultimo giorno del mese.\n\nL'avviso con il codice " +
				"pagoPA è arrivato a casa: si paga dall'app IO, in banca, alle Poste o in tabaccheria. Non l'hai ricevuto? " +
				"Scaricalo dal sito o chiedilo all'Ufficio Tributi.\n\n" + siteURL + "/tributi/tari",
			channel.X: "💶 La prima rata della TARI scade a fine mese. Si paga con pagoPA, anche dall'app IO. Avviso non " +
				"arrivato? Lo scarichi dal sito del Comune.",
			channel.Feed: "La prima rata della TARI scade l'ultimo giorno del mese. L'avviso con il codice pagoPA è arrivato a " +
				"casa e nel fascicolo del contribuente; chi non l'ha ricevuto può scaricarlo dal sito o chiederlo all'Ufficio Tributi.",
		},
	}, {
		title: "URP: nuovi orari di apertura",
		body: "Dal primo del mese l'URP è aperto dal lunedì al venerdì dalle 8.30 alle 13 e il martedì e il giovedì anche " +
			"dalle 14.30 alle 17.30.",
		office: "urp", author: liaison, stage: stageReview, at: p.day(2, 12, 0),
		variants: map[channel.Platform]string{
			channel.Telegram: "🕘 Nuovi orari dell'URP dal primo del mese: lunedì–venerdì 8.30–13, martedì e giovedì anche 14.30–17.30.",
			channel.Facebook: "🕘 L'Ufficio Relazioni con il Pubblico cambia orario! Dal primo del mese ti aspettiamo dal lunedì al " +
				"venerdì dalle 8.30 alle 13, e il martedì e il giovedì anche il pomeriggio, dalle 14.30 alle 17.30.",
		},
	}, {
		title: "Compostiera domestica: sconto sulla TARI",
		body: "Chi fa il compostaggio in giardino ha uno sconto del 20% sulla parte variabile della TARI. La compostiera si " +
			"chiede in comodato gratuito all'Ecosportello.",
		link: porta, office: "ambiente", author: editor, campaign: true, stage: stageReview, at: p.day(3, 11, 0),
		variants: map[channel.Platform]string{
			channel.Facebook: "🌱 Hai un giardino? Con la compostiera domestica risparmi il 20% sulla parte variabile della TARI " +
				"e trasformi gli scarti di cucina in terriccio.\n\nLa compostiera te la diamo noi, in comodato gratuito: chiedila " +
				"all'Ecosportello in Piazza del Municipio.",
			channel.Mastodon: "🌱 Compostaggio domestico: 20% di sconto sulla parte variabile della TARI e compostiera in comodato " +
				"gratuito all'Ecosportello.\n\n" + porta + "\n\n#Compostaggio #RaccoltaDifferenziata",
			channel.Bluesky: "🌱 Compostaggio in giardino: 20% di sconto sulla parte variabile della TARI e compostiera in comodato " +
				"gratuito all'Ecosportello. #Compostaggio",
		},
	}, {
		title: "Giornata del verde: puliamo insieme il parco del Castello",
		body: "Domenica mattina volontari e famiglie puliscono il parco del Castello. Guanti e sacchi li fornisce il Comune; " +
			"ritrovo alle 9 al cancello di via delle Mura.",
		office: "ambiente", author: guest, stage: stageDraft, at: p.day(4, 9, 0),
		variants: map[channel.Platform]string{
			channel.Facebook: "🌳 Domenica mattina puliamo insieme il parco del Castello! Ritrovo alle 9 al cancello di via delle " +
				"Mura: guanti e sacchi li porta il Comune, voi portate la voglia di fare.",
		},
	}, {
		title: "Lunedì in Comune: il contrassegno per le persone con disabilità",
		body: "Come si chiede il contrassegno di parcheggio per le persone con disabilità, quali documenti servono e quanto " +
			"tempo ci vuole.",
		office: "polizia_locale", author: editor, rubric: true, stage: stageDraft, at: p.lastMonday().AddDate(0, 0, 7),
		variants: map[channel.Platform]string{
			channel.Telegram: "♿ Lunedì in Comune: il contrassegno di parcheggio per le persone con disabilità. Come si chiede, " +
				"quali documenti servono, quanto tempo ci vuole.",
		},
	}}
}
