// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Texts are one language's texts of an alert, one per kind of channel:
// Short for X and Bluesky, Full for Telegram, Facebook, Instagram and
// Mastodon, Push (headline and instruction) for Web Push and the bot.
type Texts struct {
	Headline string `json:"headline"`
	Short    string `json:"short"`
	Full     string `json:"full"`
	Push     string `json:"push"`
}

// Languages an alert can be written in: Italian always, English by
// default, Slovene and German where the organisation enables them.
var Languages = []string{"it", "en", "sl", "de"}

// shortMax keeps the short text within X's 280 weighted characters and
// Bluesky's 300 graphemes. Links are counted whole: Bluesky counts every
// character of a link, X fewer.
const shortMax = 270

// Draft is what the composer proposes for an alert: the Italian headline,
// body and instruction as written (or proposed from the templates), and
// the texts per language and channel, editable before sending.
type Draft struct {
	Kind        Kind
	Headline    string
	Body        string
	Instruction string
	Texts       map[string]Texts
}

// template is the pre-approved wording of an incident type in one
// language: the event's name and the standing instruction.
type template struct {
	event       string
	instruction string
}

// templates are the pre-approved texts per type and language, written
// with the civil protection's usual advice so that an alert can go out in
// seconds; the crisis team edits them before sending when needed.
var templates = map[Type]map[string]template{
	TypeWind: {
		"it": {"vento forte (bora)", "Evitate di sostare sotto alberi, impalcature e cornicioni. Fissate o ritirate gli oggetti su balconi e davanzali. Limitate gli spostamenti allo stretto necessario."},
		"en": {"strong wind (bora)", "Keep away from trees, scaffolding and eaves. Secure or bring in objects on balconies and window sills. Travel only if necessary."},
		"sl": {"močan veter (burja)", "Ne zadržujte se pod drevesi, odri in napušči. Pritrdite ali umaknite predmete z balkonov. Potujte le, če je nujno."},
		"de": {"Sturm (Bora)", "Halten Sie sich von Bäumen, Gerüsten und Dachvorsprüngen fern. Sichern Sie Gegenstände auf Balkonen. Fahren Sie nur, wenn es nötig ist."},
	},
	TypeHighTide: {
		"it": {"acqua alta", "Evitate le rive e le zone allagate. Non scendete in cantine, garage e sottopassi. Spostate ai piani alti merci e veicoli."},
		"en": {"high tide", "Keep away from the waterfront and flooded areas. Do not go into cellars, garages or underpasses. Move goods and vehicles to higher ground."},
		"sl": {"visoka plima", "Izogibajte se obali in poplavljenim območjem. Ne hodite v kleti, garaže in podhode."},
		"de": {"Hochwasser (Acqua alta)", "Meiden Sie das Ufer und überflutete Bereiche. Gehen Sie nicht in Keller, Garagen oder Unterführungen."},
	},
	TypeFlood: {
		"it": {"alluvione", "Salite ai piani alti. Non usate l'auto e non attraversate strade allagate. Non scendete in cantine e sottopassi. Seguite le indicazioni della Protezione civile."},
		"en": {"flood", "Go to upper floors. Do not drive or cross flooded roads. Do not go into cellars or underpasses. Follow the civil protection's instructions."},
		"sl": {"poplava", "Umaknite se v višja nadstropja. Ne vozite in ne prečkajte poplavljenih cest. Sledite navodilom civilne zaščite."},
		"de": {"Überschwemmung", "Gehen Sie in höhere Stockwerke. Fahren Sie nicht und durchqueren Sie keine überfluteten Straßen. Folgen Sie den Anweisungen des Zivilschutzes."},
	},
	TypeSnow: {
		"it": {"neve e ghiaccio", "Uscite solo se necessario e con pneumatici invernali o catene. Attenzione al ghiaccio su marciapiedi e strade."},
		"en": {"snow and ice", "Go out only if necessary, with winter tyres or chains. Watch out for ice on pavements and roads."},
		"sl": {"sneg in poledica", "Na pot se odpravite le, če je nujno, z zimskimi pnevmatikami ali verigami. Pazite na poledico."},
		"de": {"Schnee und Glätte", "Gehen Sie nur hinaus, wenn es nötig ist, mit Winterreifen oder Schneeketten. Vorsicht vor Glätte."},
	},
	TypeHeat: {
		"it": {"ondata di calore", "Bevete molta acqua ed evitate di uscire nelle ore più calde (11-18). Prestate attenzione ad anziani, bambini e persone sole."},
		"en": {"heatwave", "Drink plenty of water and avoid going out in the hottest hours (11am-6pm). Look after the elderly, children and people living alone."},
		"sl": {"vročinski val", "Pijte veliko vode in ne hodite ven v najbolj vročem delu dneva (11-18). Pazite na starejše in otroke."},
		"de": {"Hitzewelle", "Trinken Sie viel Wasser und meiden Sie die heißesten Stunden (11-18 Uhr). Achten Sie auf ältere Menschen und Kinder."},
	},
	TypeHealth: {
		"it": {"emergenza sanitaria", "Seguite le indicazioni delle autorità sanitarie e informatevi solo da fonti ufficiali."},
		"en": {"health emergency", "Follow the health authorities' instructions and rely on official sources only."},
		"sl": {"zdravstvena nujna situacija", "Sledite navodilom zdravstvenih oblasti in se obveščajte le iz uradnih virov."},
		"de": {"Gesundheitsnotstand", "Folgen Sie den Anweisungen der Gesundheitsbehörden und informieren Sie sich nur aus offiziellen Quellen."},
	},
	TypeTraffic: {
		"it": {"viabilità", "Evitate la zona e usate percorsi alternativi e i mezzi pubblici."},
		"en": {"traffic disruption", "Avoid the area and use alternative routes and public transport."},
		"sl": {"promet", "Izogibajte se območju in uporabite druge poti ali javni prevoz."},
		"de": {"Verkehrsstörung", "Meiden Sie den Bereich und nutzen Sie Umleitungen und öffentliche Verkehrsmittel."},
	},
	TypeOtherKind: {
		"it": {"emergenza", "Seguite le indicazioni delle autorità."},
		"en": {"emergency", "Follow the authorities' instructions."},
		"sl": {"izredni dogodek", "Sledite navodilom pristojnih organov."},
		"de": {"Notfall", "Folgen Sie den Anweisungen der Behörden."},
	},
}

// labels are the words around a template, per language.
var labels = map[string]struct {
	alert, update, allClear, exercise, live, numbers string
	colours                                          map[Colour]string
}{
	"it": {"ALLERTA %s per %s", "AGGIORNAMENTO – allerta %s per %s", "CESSATO ALLARME – %s", "ESERCITAZIONE", "Aggiornamenti in diretta", "Numeri utili",
		map[Colour]string{Green: "VERDE", Yellow: "GIALLA", Orange: "ARANCIONE", Red: "ROSSA"}},
	"en": {"%s ALERT for %s", "UPDATE – %s alert for %s", "ALL CLEAR – %s", "EXERCISE", "Live updates", "Useful numbers",
		map[Colour]string{Green: "GREEN", Yellow: "YELLOW", Orange: "ORANGE", Red: "RED"}},
	"sl": {"%s OPOZORILO: %s", "POSODOBITEV – %s opozorilo: %s", "PREKLIC OPOZORILA – %s", "VAJA", "Sprotne novice", "Koristne številke",
		map[Colour]string{Green: "ZELENO", Yellow: "RUMENO", Orange: "ORANŽNO", Red: "RDEČE"}},
	"de": {"WARNSTUFE %s: %s", "AKTUALISIERUNG – Warnstufe %s: %s", "ENTWARNUNG – %s", "ÜBUNG", "Live-Informationen", "Wichtige Nummern",
		map[Colour]string{Green: "GRÜN", Yellow: "GELB", Orange: "ORANGE", Red: "ROT"}},
}

// colourMark is the emoji that shows the level at a glance in a feed.
var colourMark = map[Colour]string{Green: "🟢", Yellow: "🟡", Orange: "🟠", Red: "🔴"}

// Compose proposes an alert for an incident: the Italian headline and
// instruction from the incident (or the type's template), and the texts
// per language and channel. headline, body and instruction, when not
// empty, are the crisis team's own Italian words and are kept.
func Compose(in Incident, kind Kind, langs []string, liveURL, headline, body, instruction string) Draft {
	langs = normalizeLangs(langs)
	tpl := templates[in.Type]
	if tpl == nil {
		tpl = templates[TypeOtherKind]
	}
	// The all-clear carries no standing advice: only what the team writes.
	if strings.TrimSpace(instruction) == "" && kind != KindCancel {
		instruction = in.Instructions
		if instruction == "" {
			instruction = tpl["it"].instruction
		}
	}
	d := Draft{Kind: kind, Body: strings.TrimSpace(body), Instruction: strings.TrimSpace(instruction), Texts: map[string]Texts{}}
	d.Headline = strings.TrimSpace(headline)
	if d.Headline == "" {
		d.Headline = in.Title
	}
	for _, lang := range langs {
		t := Texts{Headline: headlineIn(lang, in, kind)}
		own := lang == "it"
		instr := tpl[lang].instruction
		if own {
			instr = d.Instruction
		}
		if kind == KindCancel && !own {
			instr = ""
		}
		// The crisis team's headline leads the Italian texts; the other
		// languages use the template's, which needs no translation.
		lead := t.Headline
		if own {
			lead = t.Headline + ": " + d.Headline
		}
		if in.Exercise {
			lead = "[" + labels[lang].exercise + "] " + lead
		}
		mark := colourMark[in.Colour]
		if kind == KindCancel {
			mark = "✅"
		}
		var full strings.Builder
		full.WriteString(mark + " " + lead)
		if own && d.Body != "" {
			full.WriteString("\n\n" + d.Body)
		}
		if instr != "" {
			full.WriteString("\n\n" + instr)
		}
		if len(in.Numbers) > 0 && kind != KindCancel {
			full.WriteString("\n\n" + labels[lang].numbers + ":")
			for _, n := range in.Numbers {
				full.WriteString("\n" + strings.TrimSpace(n.Label+" "+n.Number))
			}
		}
		tail := ""
		if liveURL != "" {
			tail = "\n\n" + labels[lang].live + ": " + liveURL
		}
		if in.Hashtag != "" {
			tail += "\n" + in.Hashtag
		}
		t.Full = full.String() + tail
		t.Short = fitShort(mark+" "+lead, instr, tail)
		t.Push = instr
		if t.Push == "" {
			// The all-clear: its own words in Italian, the template's in
			// the other languages.
			t.Push = t.Headline
			if own {
				t.Push = d.Headline
			}
		}
		d.Texts[lang] = t
	}
	return d
}

// headlineIn is the template headline of an alert in a language: level,
// event and area.
func headlineIn(lang string, in Incident, kind Kind) string {
	l := labels[lang]
	tpl := templates[in.Type]
	if tpl == nil {
		tpl = templates[TypeOtherKind]
	}
	event := tpl[lang].event
	if in.AreaDesc != "" {
		event += " – " + in.AreaDesc
	}
	switch kind {
	case KindUpdate:
		return fmt.Sprintf(l.update, strings.ToLower(l.colours[in.Colour]), event)
	case KindCancel:
		return fmt.Sprintf(l.allClear, event)
	default:
		return fmt.Sprintf(l.alert, l.colours[in.Colour], event)
	}
}

// fitShort builds the short text: the lead, the instruction if it fits,
// and the link with the hashtag, cut at a word so the whole stays under
// shortMax characters.
func fitShort(lead, instr, tail string) string {
	budget := shortMax - countShort(tail)
	text := lead
	if instr != "" && countShort(lead+"\n"+instr) <= budget {
		text = lead + "\n" + instr
	}
	if countShort(text) > budget {
		text = cutWords(text, budget)
	}
	return text + tail
}

// countShort counts runes; X weighs an emoji 2, so each costs one more.
func countShort(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1F000 || (r >= 0x2600 && r <= 0x27BF) {
			n++
		}
	}
	return n
}

// cutWords shortens s to at most n runes at a word boundary, with an
// ellipsis.
func cutWords(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:max(n-1, 0)])
	if i := strings.LastIndexAny(cut, " \n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-–") + "…"
}

func normalizeLangs(langs []string) []string {
	out := []string{"it"}
	for _, l := range langs {
		if l != "it" && slices.Contains(Languages, l) && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// lexicon are the words that say a citizen's message is about an
// incident of each type (lower-case stems, Italian and English).
var lexicon = map[Type][]string{
	TypeWind:      {"vento", "bora", "raffic", "albero", "alberi", "rami", "tegol", "cornicion", "impalcatur", "tetto", "wind", "tree"},
	TypeHighTide:  {"acqua alta", "marea", "allagat", "rive", "mareggiat", "high tide", "flooded"},
	TypeFlood:     {"alluvion", "esondaz", "esondat", "allagat", "fango", "fiume", "torrente", "sottopass", "pioggia", "flood"},
	TypeSnow:      {"neve", "ghiaccio", "gelo", "spazzaneve", "sale ", "slitt", "snow", "ice"},
	TypeHeat:      {"caldo", "afa", "calore", "temperatur", "condizionator", "heat"},
	TypeHealth:    {"virus", "contagi", "vaccin", "mascherin", "tampon", "covid", "sanitar", "ospedal"},
	TypeTraffic:   {"traffico", "strada chiusa", "via chiusa", "incidente", "deviazion", "coda", "traffic"},
	TypeOtherKind: {},
}

// Keywords are the words that tie a citizen's message to an incident:
// its type's lexicon, its hashtag, and the longer words of its title.
func Keywords(in Incident) []string {
	out := append([]string(nil), lexicon[in.Type]...)
	if in.Hashtag != "" {
		out = append(out, strings.ToLower(in.Hashtag), strings.ToLower(strings.TrimPrefix(in.Hashtag, "#")))
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(in.Title), func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		if utf8.RuneCountInString(w) >= 5 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
