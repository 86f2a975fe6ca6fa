// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// go test ./internal/alert/card -run TestSamples -cards /tmp/cards
// writes one card of every kind, to look at.
var samplesDir = flag.String("cards", "", "write sample cards to this directory")

func TestSamples(t *testing.T) {
	if *samplesDir == "" {
		t.Skip("no -cards directory")
	}
	if err := os.MkdirAll(*samplesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 14, 5, 0, 0, time.FixedZone("CET", 3600))
	base := Card{
		Kind:     "Allerta vento (Bora)",
		Headline: "Raffiche di Bora fino a 150 km/h: chiuse le Rive e il molo Audace, non sostate sotto gli alberi",
		Zone:     "Trieste, Muggia, San Dorligo della Valle – Dolina",
		At:       at,
		Lang:     "it",
		Org:      "Comune di Trieste",
		Hashtag:  "BoraTrieste",
	}
	samples := map[string]func(c *Card){
		"verde": func(c *Card) {
			c.Colour = "verde"
			c.Kind = "Criticità ordinaria"
			c.Headline = "Nessun fenomeno significativo previsto"
		},
		"gialla": func(c *Card) { c.Colour = "gialla" },
		"arancione": func(c *Card) {
			c.Colour = "arancione"
			c.Lang = "en"
			c.Headline = "Bora gusts up to 150 km/h: waterfront closed"
		},
		"rossa": func(c *Card) { c.Colour = "rossa" },
		"cessato": func(c *Card) {
			c.Colour = "rossa"
			c.AllClear = true
			c.Headline = "La Bora è calata: riaperte le Rive e il molo Audace"
		},
		"esercitazione": func(c *Card) {
			c.Colour = "rossa"
			c.Exercise = true
			c.Kind = "Rischio industriale"
			c.Headline = "Esercitazione: nube tossica simulata nella zona industriale, restate al chiuso 🚨"
		},
		"lungo": func(c *Card) {
			c.Colour = "arancione"
			c.Headline = longHeadline
			c.Zone = "Trieste, Muggia, San Dorligo della Valle – Dolina, Sgonico – Zgonik, Monrupino – Repentabor, Duino Aurisina – Devin Nabrežina"
		},
		"landscape-rossa": func(c *Card) { c.Colour = "rossa"; c.Size = Landscape },
		"landscape-esercitazione": func(c *Card) {
			c.Colour = "gialla"
			c.Size = Landscape
			c.Exercise = true
			c.Lang = "en"
		},
	}
	for name, edit := range samples {
		c := base
		edit(&c)
		b, err := Render(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*samplesDir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const longHeadline = "Chiusura straordinaria di tutte le scuole di ogni ordine e grado, dei parchi pubblici, " +
	"dei cimiteri e degli impianti sportivi all'aperto per l'intera giornata di domani a causa delle raffiche " +
	"di Bora previste oltre i 150 km/h; si raccomanda di limitare gli spostamenti allo stretto necessario, " +
	"di mettere in sicurezza vasi e oggetti sui balconi e di seguire gli aggiornamenti sui canali ufficiali del Comune"
