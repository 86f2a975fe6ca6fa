// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"regexp"
	"strings"
)

// Rules encode what must hold whatever the training data says: a gas smell
// is urgent, a fiscal code in a public comment is personal data, a casino
// link is spam. They read the folded text (lower case, no accents, personal
// data already replaced by markers such as "zzphone") and feed the models as
// features; the strongest also decide on their own.

// rule is one pattern with the weight it adds to its score.
type rule struct {
	name   string
	weight float64
	re     *regexp.Regexp
	// and, when set, must match too, anywhere in the message: messages
	// are short, and a pattern with a wide gap between its words would be
	// slow (Go unrolls counted repetition).
	and *regexp.Regexp
	// prefilters of re and and, so most messages skip the regexps
	pre, preAnd prefilter
}

func rules(weight float64, name string, patterns ...string) []rule {
	out := make([]rule, len(patterns))
	for i, p := range patterns {
		re := regexp.MustCompile(p)
		out[i] = rule{name: name, weight: weight, re: re, pre: newPrefilter(re)}
	}
	return out
}

// both is a rule whose two patterns must each match somewhere.
func both(weight float64, name, pattern, and string) []rule {
	re, reAnd := regexp.MustCompile(pattern), regexp.MustCompile(and)
	return []rule{{name: name, weight: weight, re: re, and: reAnd, pre: newPrefilter(re), preAnd: newPrefilter(reAnd)}}
}

func concat(lists ...[]rule) []rule {
	var out []rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// w is up to n words in between, so patterns survive a few adjectives.
func w(n int) string { return `(?:\S+ ){0,` + itoa(n) + `}` }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// dangerRules: risk to people's safety or an emergency under way. A weight
// of 1 or more alone makes a message urgent; lesser ones add up.
var dangerRules = concat(
	rules(1.2, "gas",
		`\b(?:fuga|odore|puzza|perdita|sento|sentiamo|si sente|smell) `+w(3)+`(?:di |of )?gas\b`,
		`\bgas `+w(3)+`(?:fuga|odore|puzza|leak|smell)`),
	rules(1.2, "fire",
		`\b(?:incendi[oa]?|incendiat[oaie]|in fiamme|fiamme|a fuoco|prende fuoco|preso fuoco|va a fuoco|brucia(?:ndo)? (?:la|una|il|un) (?:casa|auto|macchina|bosco|palazzo|appartamento)|fire|on fire|burning)\b`),
	rules(1.0, "flood",
		`\b(?:allagat[oaie]|allagament[oi]|allaga|esondat[oaie]|esonda(?:to|zione|no)?|alluvion[ei]|inondat[oaie]|sommers[oaie]|flooded|flooding|flood)\b`,
		`\bacqua `+w(4)+`(?:sta salendo|continua a salire|sale|entrata in casa|entra in casa|nelle case|al livello della strada)`,
		`\bacqua alta\b`+w(4)+`(?:case|negozi|piano terra)`),
	rules(1.2, "earthquake", `\b(?:terremot[oi]|scoss[ae] (?:di terremoto|forte|fortissima)|sism[ai]|earthquake)\b`),
	rules(1.0, "collapse",
		`\b(?:crollat[oaie]|crollo|crolla(?:to|no|ndo)?|cedut[oaie]|cediment[oi]|voragine|voragini|sprofondat[oaie]|frana|frane|franat[oaie]|smottament[oi]|calcinacci|collapse[d]?|sinkhole|landslide)\b`,
		`\b(?:si sta staccando|sta per cadere|rischia di cadere|penzola|penzolano|in bilico|pericolant[ei]|divelt[oaie])\b`),
	both(1.0, "falling",
		`\b(?:cornicion[ei]|intonac[oi]|tegol[ae]|lamier[ae]|pezzi|vetri|insegna|calcinacci)\b`,
		`\b(?:cad\w+|stacc\w+|penzol\w*|sbriciol\w+|pericolant[ei]|in bilico|sta per)\b`),
	both(1.1, "tree",
		`\b(?:alber[oi]|ram[oi]|pin[oi]|platan[oi]|tigli?|tree|branch)\b`,
		`\b(?:cadut[oaie]|caduto|crollat[oaie]|abbattut[oaie]|buttato giu|spezzat[oaie]|sradicat[oaie]|pericolant[ei]|appes[oaie]|penzol\w*|di traverso|a terra|in mezzo alla strada|fallen|fell|down)\b`),
	rules(1.1, "injury",
		`\b(?:ferit[oaie]|ferimento|sanguin\w*|sangue|svenut[oa]|malore|non respira|incosciente|investit[oaie]|injured|hurt|bleeding|unconscious)\b`,
		`\b(?:finit[oaie]|portat[oaie]|corsa|corsi|ricoverat[oaie]) (?:al|in) (?:pronto soccorso|ospedale)\b`,
		`\bsi (?:e|sono) (?:tagliat|rott|fatt\w* male|ferit)`,
		`\b(?:rott[oaie]|fratturat[oaie]) (?:il|la|un|una|le|i)? ?(?:polso|gamba|braccio|testa|femore|caviglia|spalla|mano|naso|anca)`,
		`\b(?:persona|persone|uomo|donna|signora|signore|bambino|bambina|ragazzo|ragazza|anziano|anziana) (?:a terra|per terra)\b`,
		`\b(?:cadut[oaie]|volat[oaie]|finit[oaie]) (?:a|per) terra\b`,
		`\b(?:ci scappa il morto|scappi il morto|poteva morire|rischia(?:to)? di morire|rischia la vita|a rischio la vita)\b`,
		`\b(?:hanno punto|punt[oaie] da|allergic[oa] \S+ (?:pronto soccorso|ospedale)|shock anafilattico|epipen)\b`),
	rules(0.5, "emergency_services",
		`\b(?:pronto soccorso|ambulanza|ambulanze|zzemergencynumber|vigili del fuoco|pompieri|carabinieri|ambulance|firefighters)\b`,
		`\b(?:morire|morto|morta|morti|ammazza\w*)\b`),
	rules(1.0, "trapped",
		`\b(?:bloccat[oaie]|intrappolat[oaie]|chius[oa]|trapped|stuck) `+w(2)+`(?:dentro|in casa|in macchina|in ascensore|inside)\b`,
		`\b(?:persone|gente|anzian[oiae]|bambin[oiae]|famiglie|signora|signore) `+w(2)+`(?:bloccat[oaie]|intrappolat[oaie])\b`,
		`\b(?:non riusciamo a spostarlo|non riesce (?:a muoversi|ad alzarsi|a uscire)|non (?:la|lo) vediamo da)\b`),
	rules(0.9, "violence",
		`\b(?:aggredit[oaie]|aggression[ei]|rissa|coltell[oi]|pistol[ae]|armat[oi]|spar[ai]\w*|suicid\w*|violenz[ae]|picchia\w*|maltratt\w*|stupr\w*|minacc\w* (?:di morte|col coltello)|attacked|knife|gun|violence)\b`),
	rules(0.9, "hazard",
		`\b(?:siring[hg]e?|amianto|eternit|fili (?:elettrici )?scopert[ie]|cavi (?:elettrici )?scopert[ie]|cavo (?:elettrico )?scopert|vetr[oi] rott[oi]|vetri dappertutto|vetro dappertutto|schiuma|pesci morti|odore chimico|tossic[oi]|veleno|avvelenat\w*|ghiaccio|lastra di ghiaccio|gelat[ao]|scivol\w*|nido di vespe|vespe|calabroni|vipera|cinghial[ei]|cane aggressivo|morso|morsicat\w*)\b`,
		`\b(?:tombino|chiusino|pozzetto) `+w(3)+`(?:apert|sfondat|scoperchiat|senza coperchio)`,
		`\bbuco dove\b|\bbuca (?:enorme|profonda|gigante)|\bvolato\b`),
	both(0.9, "broken_barrier",
		`\b(?:parapett[oi]|ringhier[ae]|guardrail|balaustr[ae]|cancello|recinzione)\b`,
		`\b(?:rott[oaie]|divelt[oaie]|marci[oaie]?|mancant[ei]|si muove|non si chiude|cedut[oaie]|abbattut[oaie])\b`),
	rules(0.8, "accident", `\b(?:incident[ei]|scontro|tamponament[oi]|sinistro|accident|crash)\b`),
	both(0.8, "traffic_light",
		`\bsemafor[oi]\b`,
		`\b(?:spent[oi]|lampeggiant[ei]|guast[oi]|rott[oi]|non funziona|abbattut[oi]|a terra|giallo|non si fermano)\b`),
	rules(0.4, "traffic_chaos",
		`\b(?:di traverso|contromano|quasi incidenti|nel caos|caos totale|macchine che passano a caso|passano a caso|in mezzo alle macchine|in mezzo alla strada)\b`),
	both(1.0, "vulnerable_deprived",
		`\b(?:anzian[oaie]|invalid[oaie]|disabil[ei]|allettat[oa]|malat[oaie]|non autosufficient[ei]|zzelderly|zzchild|neonat[oaie]|incinta|elderly|bambin[oie])\b`,
		`\b(?:senza (?:riscaldamento|cibo|mangiare|acqua|luce|gas|medicine|farmaci|assistenza)|caldaia (?:e )?rott[ao]|riscaldamento (?:e )?rotto|zzsmallnum gradi|niente da mangiare|non ha (?:piu )?(?:il |la |l |da )?(?:riscaldamento|cibo|mangiare|acqua|luce|gas|medicine|soldi per mangiare)|freddissimo|fa freddo|al gelo|gelera|morire di freddo|non (?:mangia|risponde|scende|esce) piu|non (?:riesce|riesco|riusciamo) (?:nemmeno|neanche|piu)|non (?:la|lo|li) vediamo|non si (?:vede|sente) da|al freddo|gradi in casa|sotto zero|confus[oa]|nessuno (?:lo|la|li) (?:assiste|aiuta))`),
	rules(1.0, "homeless",
		`\b(?:dorm\w* in (?:macchina|auto)|dorm\w* per strada|dorm\w* all aperto|senza un tetto|in mezzo a una strada|sfrattat[oaie] (?:oggi|ieri|stamattina))\b`,
		`\bdorm\w* (?:\S+ ){0,3}(?:su una panchina|sulla panchina|sulle panchine|in strada|in stazione|alla stazione|sui cartoni|sotto i portici|sotto il ponte)\b`),
	rules(0.3, "alone",
		`\b(?:vive|vivono|abita|rimast[oa]) (?:da )?sol[oaie]\b|\b(?:anzian[oaie]|invalid[oaie]) sol[oaie]\b`),
	rules(0.6, "help",
		`\b(?:aiuto|aiutat\w+|mi aiuti|ci aiuti|sos|vi prego|la prego|ti prego|help|please help|emergenza|emergency)\b`),
	rules(0.4, "now",
		`\b(?:subito|immediatamente|immediata|urgente|urgenti|urgentemente|adesso|ora|in questo momento|stanotte|stasera|asap|now|right now|prima che)\b`),
	both(0.4, "children",
		`\b(?:bambin[oaie]|bimb[oaie]|ragazzini|alunni|scuola|asilo|materna)\b`,
		`\b(?:pericol\w*|rischi\w*|taglia\w*|strada|macchine|attravers\w*|cad\w+|fuori|uscire)\b`),
	rules(0.4, "danger_word",
		`\b(?:pericol\w*|rischi\w*|paura|dangerous|danger|unsafe)\b`),
)

// identifierRules: data that identifies a person by itself. Markers come
// from the regular expressions that replaced the data.
var identifierRules = concat(
	rules(1.2, "fiscal_code", `\bzzfiscal\b`),
	rules(1.2, "iban", `\bzziban\b`),
	rules(1.0, "phone", `\bzzphone\b`),
	rules(0.8, "email", `\bzzemail\b`),
)

// personalDataRules: details that expose a person when someone is named
// ("la signora Carla del quarto piano"); without a name an address is
// just where the problem is.
var personalDataRules = concat(
	rules(0.7, "address",
		`\b(?:abito|abita|abitiamo|vivo|vive|viviamo|residente|resido|casa mia e|sta|sto) (?:in |al |a )?(?:via|viale|corso|piazza|vicolo|largo|strada|contrada) \S+ `+w(3)+`(?:zzsmallnum|zznum)\b`,
		`\b(?:via|viale|corso|piazza|vicolo|largo) \S+ `+w(3)+`(?:zzsmallnum|zznum) (?:interno|int|scala|piano)\b`,
		`\b(?:piano|interno) (?:zzsmallnum|terzo|quarto|quinto|secondo|primo|sesto|settimo)\b`,
		`\b(?:primo|secondo|terzo|quarto|quinto|sesto|settimo|ottavo|ultimo) piano\b`),
	rules(0.3, "house_number", `\b(?:via|viale|corso|piazza|vicolo|largo|piazzale) \S+ `+w(2)+`zzsmallnum\b`),
	rules(0.6, "health",
		`\b(?:tumore|cancro|chemioterapia|chemio|sclerosi|hiv|aids|diagnosi|epilessia|depression[ei]|psichiatric\w*|allergia grave|invalid[oa] civile|invalid[oa] al|malattia|disturbo|terapia|ricoverat[oa])\b`),
	rules(0.5, "birth", `\bnat[oa] (?:il|a) `),
)

// namedPerson finds a named private person in the original text: "sono
// Rosa", "il mio vicino Franco", "la signora Carla", "mia figlia Sofia".
var namedPerson = regexp.MustCompile(`(?:\b(?:[Ss]ono|[Mm]i chiamo|vicin[oa]|[Ss]ignor[ae]?|[Ss]ig\.?r?a?|figli[oa]|marito|moglie|compagn[oa]|[Ff]ratello|[Ss]orella|[Mm]adre|[Pp]adre|[Zz]i[oa]|[Nn]onn[oa])\s+)\p{Lu}\p{Ll}{2,}(?:\s+\p{Lu}\p{Ll}+)?\b`)

// notNames are capitalised words that follow "sono" and the like without
// naming anyone.
var notNames = map[string]bool{
	"Comune": true, "Sindaco": true, "Via": true, "Ufficio": true, "Polizia": true, "Piazza": true,
	"Natale": true, "Pasqua": true, "Corso": true, "Museo": true, "Teatro": true, "Parco": true,
	"Stato": true, "Regione": true, "Italia": true, "Europa": true, "Milano": true, "Roma": true,
	"Napoli": true, "Torino": true, "Bologna": true, "Venezia": true, "Trieste": true, "Palermo": true,
}

// offensiveRules: insults, slurs, vulgarity and threats aimed at people.
// Strong words decide alone; milder ones ("incapace", "pagliaccio") need a
// second one or someone addressed ("sei", "siete").
var offensiveRules = concat(
	rules(1.2, "masked", `\bzzmasked\b`),
	rules(1.1, "vulgar",
		`\b(?:stronz\w*|coglion\w*|vaffanculo|fanculo|fancul\w*|cazz\w*|merd\w*|puttan\w*|troi[ae]|zoccol\w*|bastard\w*|fottut\w*|fottiti|porco dio|minchi\w*|stocazzo|sucate|fuck\w*|shit|asshole|bitch|motherfucker)\b`,
		`\b(?:fate schifo|fai schifo|fa schifo lei|fa schifo lui|andate a zappare|vai a zappare|andate a quel paese|andate affa|tornatevene a casa|tornate a casa vostra|vergognatevi schifosi)\b`),
	rules(1.2, "slur",
		`\b(?:negr[oaie]|froc[io]\w*|ricchion\w*|finocch[io]\w* di|terron[ei]|polenton[ei]|zingar[oaie]|handicappat\w*|mongoloid\w*|ritardat[oaie] mental\w*|nigger|faggot)\b`),
	rules(1.2, "threat",
		`\b(?:ti ammazzo|vi ammazzo|ammazzarvi|ammazzarti|ti spacco|vi spacco|spaccare la faccia|presa a calci|preso a calci|presi a calci|prenderli a calci|prenderla a calci|vi vengo a prendere|ti vengo a prendere|dovete morire|devi morire|morite|crepate|crepa|ti brucio|vi brucio|ti aspetto sotto casa|kill you)\b`),
	rules(0.6, "insult",
		`\b(?:incapac[ei]|ladr[oiae]|ladroni|buffon[ei]|pagliacc[io]|parassit[aie]|schifos[oaie]|incompetent[ei]|sfigat[oaie]|ignorant[ei]|idiot[aie]|imbecill[ei]|deficient[ei]|scem[oaie]|cretin[oaie]|mafios[oaie]|cialtron[ei]|magnaccion[ei]|animal[ei]|besti[ae]|luridi|viscid[oie]|verm[ei]|feccia|marmagli[ae]|buoni a nulla|nullafacent[ei]|fannullon[ei]|venduti|corrott[io]|idiot|stupid|moron|clowns?|losers?|scum)\b`),
	rules(0.4, "addressed",
		`\b(?:sei|siete|tu|voi)\b`,
		`\b(?:sei|siete|sono|e) (?:solo |proprio |tutti |davvero )?(?:un|una|uno|dei|degli|delle)\b`),
	rules(0.4, "mockery", `\b(?:ah(?:ah)+h?|hah(?:ah)+|lol)\b|\bzzemolaugh zzemolaugh\b`),
)

// selfInsult: "come dei cretini" describes the writer, not someone else.
var selfInsult = regexp.MustCompile(`\bcome (?:dei|degli|un|una|dello|delle) (?:cretin|scem|idiot|fess|pol)`)

// spamRules: advertising, scams and links unrelated to the city.
var spamRules = concat(
	rules(0.7, "link", `\bzzurl\b`),
	rules(0.6, "money",
		`\b(?:guadagn\w*|trading|cripto\w*|crypto\w*|bitcoin|forex|investiment\w*|invest|rendit[ae] garantit[ae]|zzmoney (?:al|a) (?:giorno|mese|settimana)|al giorno da casa|da casa|lavoro da casa|offerta (?:di )?lavoro|prestit[oi] (?:veloc|facil|senza)|soldi facili|zzemomoney)\b`),
	rules(0.6, "sales",
		`\b(?:sconto|sconti|scontat\w*|offerta|offerte|promo|promozione|vendo|vendesi|compra|acquista|spedizione|prezzi|prezzo|shop|negozio online|link in bio|seguiteci|seguimi|seguici|follower\w*|like|iscriviti|clicca|click|casino|casin[oò] online|scommess\w*|slot|bonus di benvenuto|gratis|free|vinci|vincere|win|winner|omaggio|trattament\w* viso|dimagr\w*|integrator\w*)\b`),
	rules(0.5, "contact",
		`\b(?:scrivimi|scriveteci|scrivici|contattami|contattatelo|contattateci|contatta|in privato|in dm|in direct|su whatsapp|su telegram|whatsapp|info in privato|dm per info|per info)\b`),
	rules(0.7, "phishing",
		`\b(?:dati della carta|numero della carta|codice otp|credenziali|verifica il tuo (?:conto|account)|rimborsa zzsmallnum|rimborsa zznum|condividete|condividi prima che)\b`),
	rules(0.3, "pointer", `\b(?:zzemopoint|zzemoalarm)\b`),
)

func weightOf(list []rule, name string) float64 {
	for _, r := range list {
		if r.name == name {
			return r.weight
		}
	}
	return 0
}

// ruleHits sums each rule family's weights and names the rules that fired.
type ruleHits struct {
	danger, personal, offensive, spam float64
	intent                            map[string]float64
	route                             map[string]float64 // office → evidence
	names                             []string
	hasName                           bool
}

func applyRules(a analysis, raw string) ruleHits {
	var h ruleHits
	text := " " + a.folded
	score := func(list []rule) float64 {
		// Distinct matches of a family add up with diminishing returns:
		// "parassiti schifosi" is more than "parassiti", not twice more.
		found := map[string]map[string]bool{}
		var order []string
		for _, r := range list {
			if !r.pre.mayMatch(text) {
				continue
			}
			if r.and != nil && (!r.preAnd.mayMatch(text) || !r.and.MatchString(text)) {
				continue
			}
			for _, m := range r.re.FindAllString(text, 4) {
				if found[r.name] == nil {
					found[r.name] = map[string]bool{}
					order = append(order, r.name)
				}
				found[r.name][strings.TrimSpace(m)] = true
			}
		}
		total := 0.0
		for _, name := range order {
			n := float64(min(len(found[name]), 3))
			total += weightOf(list, name) * (1 + 0.5*(n-1))
			h.names = append(h.names, name)
		}
		return total
	}
	h.danger = score(dangerRules)
	h.personal = score(identifierRules)
	h.offensive = score(offensiveRules)
	if selfInsult.MatchString(text) && !strings.Contains(strings.Join(h.names, " "), "vulgar") {
		h.offensive -= 0.6
	}
	h.spam = score(spamRules)
	h.route = map[string]float64{}
	for _, r := range routeRules {
		for _, x := range r.rule {
			if x.pre.mayMatch(text) && x.re.MatchString(text) && (x.and == nil || (x.preAnd.mayMatch(text) && x.and.MatchString(text))) {
				h.route[r.office] += x.weight
			}
		}
	}
	h.intent = map[string]float64{}
	for _, r := range intentRules {
		if r.pre.mayMatch(text) && r.re.MatchString(text) {
			h.intent[r.name]++
		}
	}
	for _, m := range namedPerson.FindAllStringSubmatchIndex(raw, -1) {
		name := strings.Fields(strings.TrimSpace(raw[m[0]:m[1]]))
		if last := name[len(name)-1]; !notNames[last] && !notNames[name[0]] {
			h.hasName = true
			break
		}
	}
	details := score(personalDataRules)
	if h.hasName {
		h.names = append(h.names, "named_person")
		h.personal += 0.4 + details
	} else {
		h.personal += 0.5 * details
	}
	return h
}

// intentRules tell what a message is for. Word stems lose the mood of a
// verb ("mandate" and "mandato" share "mand"), so requests are also found
// by their imperative and polite forms.
var intentRules = concat(
	rules(1, "request",
		`\b(?:chiedo|chiediamo|vi chiedo|si chiede|richiedo|richiediamo|sollecito|segnalo|segnaliamo)\b`,
		`\b(?:potete|potreste|potrebbe|possono|si puo|qualcuno puo) (?:\S+ ){0,2}(?:mandare|venire|intervenire|sistemare|riparare|togliere|rimuovere|pulire|controllare|verificare|chiudere|aggiustare|svuotare|correggere|annullare|spostare|ripristinare|sostituire|fare qualcosa)`,
		`\b(?:mandate|venite|intervenite|sistemate|riparate|pulite|togliete|rimuovete|chiudete|svuotate|controllate|verificate|aggiustate|mettete|spostate|liberate|potate|tagliate|annullate|correggete|ripristinate|sostituite|rifate|riaprite|accendete|aprite|transennate)\w*\b`,
		`\b(?:per favore|per piacere|vi prego di|please (?:fix|send|remove|check|repair))\b`),
	rules(1, "question",
		`\b(?:vorrei sapere|volevo sapere|vorrei informazioni|chiedo informazioni|mi sapete dire|sapete dirmi|qualcuno sa|qualcuno mi sa dire|mi potete dire|potete dirmi|come si fa|come faccio|come posso|come funziona|e possibile|si puo|quali sono|a chi devo|chi devo|entro quando|fino a quando|a che ora|is there|can i|can we|do we need|how can|where can|when is|what time)\b`,
		`^ (?:come|dove|quando|quale|quali|quanto|quanti|perche|chi|cosa|posso|possiamo|devo|dobbiamo|serve|servono|bisogna|esiste|sapete|ma)\b`),
	rules(1, "complaint",
		`\b(?:vergogn\w*|inaccettabil\w*|inammissibil\w*|ridicol\w*|assurd\w*|scandal\w*|disserviz\w*|pessim\w*|indecent\w*|umiliant\w*|stanc[oa] di|stuf[oa]|ennesim[oa]|ancora una volta|nessuna risposta|zero rispost\w*|senza avvis\w*|nessun avviso|bella spesa|soldi buttati|spreco|sprechi|incredibile|mai vist\w*|non e normale|ma vi sembra|ma vi rendete conto|di cosa stiamo parlando|unacceptable|disgrace|ridiculous|unfair)\b`,
		`\b(?:complimenti|bravi|geni|genio|grazie tante|grazie eh|che bello) (?:\S+ ){0,3}(?:zzemosarcasm|zzemojoy|davvero|per|a chi|al progettista|organizza)`),
	rules(1, "proposal",
		`\b(?:propongo|proponiamo|proporre|proporvi|propost[ae]|suggerisco|suggeriamo|suggeriment\w*|idea|sarebbe (?:bello|utile|opportuno|possibile|bellissimo|ora)|perche non|si potrebbe|potreste|ci vorrebbe|bisognerebbe|basterebbe|mi offro|ci offriamo|disponibil\w* a (?:collaborare|dare|organizzare)|come (?:fanno|avviene|si fa) (?:in|a|gia)|in altre citta|altri comuni|suggest\w*|proposal|would be (?:great|nice|useful)|why not)\b`),
	rules(1, "thanks",
		`\b(?:grazie di cuore|grazie mille a|ringrazi\w*|complimenti a|bravissim\w*|bellissim\w*|meraviglios\w*|stupend\w*|fantastic\w*|spettacolar\w*|buon natale|buone feste|auguri|thank you|thanks to|beautiful|amazing|lovely)\b`),
)

// routeRules add evidence for an office where the taxonomy's conventions
// decide rather than vocabulary: a fallen tree during a storm belongs to
// civil protection, the same tree a week later to the parks office.
var routeRules = []struct {
	office string
	rule   []rule
}{
	{"protezione_civile", concat(dangerRules[:1])}, // a gas leak
	{"protezione_civile", both(2, "storm_damage",
		`\b(?:bora|vento|raffiche|temporale|nubifragio|tempesta|burrasca|tromba d aria|grandinata|nevicata|neve|nevica|alluvione|mareggiata|maltempo|bufera|uragano|storm|wind)\b`,
		`\b(?:alber[oi]|ram[oi]|tetto|tetti|tegol[ae]|lamier[ae]|allagat\w*|crollat\w*|cadut\w*|caduto|divelt\w*|abbattut\w*|sradicat\w*|buttato giu|frana|esondat\w*|scoperchiat\w*|fallen|flooded)\b`)},
	{"polizia_locale", rules(1, "road_accident",
		`\b(?:incidente stradale|incidente|scontro|tamponament[oi]|investit[oaie]|pirata della strada)\b`)},
}
