// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package similar

import (
	"strings"
	"unicode/utf8"
)

// The word lists are written naturally and normalised at start-up (letters
// collapsed: "della" becomes "dela"), so they match tokenize's output.

// stopWords: Italian, Triestine/Venetian dialect and English function words
// plus the politeness that every message carries ("buonasera, segnalo").
var stopWords = wordSet(`
a ad al allo alla ai agli alle all anche ancora avere ha hanno ho hai abbiamo avete c ce ci che chi come con cui
da dal dallo dalla dai dagli dalle dall del dello della dei degli delle dell di e ed è era erano essere fa fare
fra gli i il in io la le lei li lo loro lui ma mi mio mia ne nel nello nella nei negli nelle nell no noi non o per
perché perche più piu poi qua qual quale quali quando quanto quello quella questo questa questi queste qui se sei
si sia siamo siete sono sta stai stanno stato stata stati su sul sullo sulla sui sugli sulle sull te ti tra tu
tuo tua tutti tutto tutta tutte un una uno un' vi voi già gia molto proprio dove ecco ogni qualcuno qualcosa
nessuno niente senza mezzo sotto sopra dentro fino lì li là ora ore altro altra stesso stessa sa so
buonasera buongiorno salve scusate scusa segnalo segnalare grazie prego favore ciao attenzione
xe ze ga go gavemo ghe el de dela sula sule tuto tuta tuti sto ste soto vien
the an of to on at is are was were be been being for and or but please can could any anyone from by
with this that it its there what where when how who my me we our you your has have had do does did not
street road square
`)

// placeCues precede a place name or a line number.
var placeCues = wordSet(`
via viale piazza piazzale corso largo vicolo strada lungomare riva quartiere rione borgo frazione localita salita
san santa santo sant s
scuola scola linea bus autobus tram
`)

// streetCues say only "a place follows": dropped from the features so that
// "via" does not make every street report alike.
var streetCues = wordSet(`
via viale piazza piazzale corso largo vicolo strada lungomare riva quartiere rione borgo frazione localita salita
san santa santo sant s
`)

// placeSkip words sit between a cue and the name: "piazza dell'Unità",
// "quartiere San Giacomo", "scuola elementare Dante", "autobus numero 11".
var placeSkip = wordSet(`
di del dello della dei degli delle dell de dela d san santa santo sant s st the of
elementare media medie primaria statale liceo istituto numero n nr
`)

// concepts map storm vocabulary, in Italian, dialect and English, to the
// event kind, so "pino" meets "albero" and "flooded" meets "allagato".
var conceptWords = map[string]string{
	"tree":      "albero alberi pianta piante pino pini pin platano platani quercia tree trees pine",
	"fall":      "caduto caduta caduti cadute cade cadere cascà cascato cascata abbattuto sradicato crollato fallen fell fall down giù schiacciato schiacciata",
	"water":     "acqua acque allagato allagata allagati allagamento sommerso sommersa flooded flood water mare mar mareggiata",
	"underpass": "sottopasso sottopassaggio underpass",
	"power":     "luce corrente blackout elettricità power buio scuro dark",
	"bus":       "linea line bus autobus tram corriera",
	"school":    "scuola scuole scola school lezione",
	"roof":      "tetto tetti tegole coperto scoperchiato roof lamiera",
	"phone":     "numero number telefono telefono chiamare chiamo chiamo telefono ciamar call",
	"emergency": "emergenza emergenze emergency urgente",
	"landslide": "frana smottamento fango sassi landslide terra tera",
	"lights":    "semaforo semafori traffic lights lampeggiante",
	"bins":      "cassonetto cassonetti bidoni bidone scovazoni bins rubbish spazzatura",
	"blocked":   "bloccata bloccato bloccada chiusa chiuso chiudetelo chiuderlo closed interrotta impraticabile stuck blocking blocked",
	"car":       "macchina macchine machina machine auto car cars vettura",
	"wind":      "vento bora burrasca wind maltempo",
	"damage":    "danneggiato danneggiata danni rotto rotti damaged distrutta",
	"suspended": "sospesa sospeso sospesi soppresso sospensione suspended",
}

// conceptPrefixes catch the inflections the exact list misses; stems here
// are already normalised.
var conceptPrefixes = []struct{ prefix, concept string }{
	{"alber", "tree"}, {"cadut", "fall"}, {"alag", "water"}, {"sotopas", "underpass"},
	{"corent", "power"}, {"eletric", "power"}, {"scuol", "school"}, {"emergen", "emergency"},
	{"semafor", "lights"}, {"casonet", "bins"}, {"bloc", "blocked"}, {"chiud", "blocked"},
	{"machin", "car"}, {"daneg", "damage"}, {"sospe", "suspended"}, {"telefon", "phone"},
}

var conceptStems = func() map[string]string {
	m := make(map[string]string)
	for c, words := range conceptWords {
		for _, w := range strings.Fields(words) {
			m[stem(normWord(w))] = c
		}
	}
	return m
}()

func conceptOf(st string) string {
	if c, ok := conceptStems[st]; ok {
		return c
	}
	if len(st) < 4 {
		return ""
	}
	for _, p := range conceptPrefixes {
		if strings.HasPrefix(st, p.prefix) {
			return p.concept
		}
	}
	return ""
}

// normWord applies tokenize's per-word normalisation to a list entry.
func normWord(w string) string {
	var out []byte
	var prev rune
	for _, r := range strings.ToLower(w) {
		r = fold(r)
		if r == prev {
			continue
		}
		prev = r
		out = utf8.AppendRune(out, r)
	}
	return strings.TrimRight(string(out), "'")
}

func wordSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[normWord(w)] = true
	}
	return m
}
