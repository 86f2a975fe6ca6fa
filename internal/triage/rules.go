// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"math"
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
	p      *pattern
	// and, when set, must match too, anywhere in the message: messages
	// are short, and a pattern with a wide gap between its words would be
	// slow (Go unrolls counted repetition).
	and *pattern
	// limit, when set, makes each distinct match add weight, up to limit.
	limit float64
}

func rules(weight float64, name string, patterns ...string) []rule {
	out := make([]rule, len(patterns))
	for i, p := range patterns {
		out[i] = rule{name: name, weight: weight, p: newPattern(p)}
	}
	return out
}

// wordsRule adds weight for each distinct word it finds, up to limit,
// instead of the diminishing sum of other families.
func wordsRule(weight, limit float64, name, pattern string) []rule {
	p := newPattern(pattern)
	p.maxMatches = 8
	return []rule{{name: name, weight: weight, p: p, limit: limit}}
}

// both is a rule whose two patterns must each match somewhere.
func both(weight float64, name, pattern, and string) []rule {
	return []rule{{name: name, weight: weight, p: newPattern(pattern), and: newPattern(and)}}
}

// fires reports whether r holds in the scanned message, and its matches.
func (r rule) fires(m matches) []string {
	if r.and != nil && len(m[r.and.id]) == 0 {
		return nil
	}
	return m[r.p.id]
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
		`\b(?:si sta staccando|sta per cadere|rischia di cadere|penzola|penzolano|in bilico|pericolant[ei]|divelt[oaie])\b`,
		`\b(?:se (?:cade|crolla|cede|si stacca|va giu)|per miracolo|schiacci\w+|oscilla\w*|si (?:e|sono) piegat[oaie]|crepa che si (?:allunga|allarga)|si (?:sta|stanno) (?:svuotando|gonfiando|muovendo|spostando|abbassando)|(?:sta|stanno) per (?:cadere|crollare|cedere|staccarsi|venire giu)|(?:potrebbe|potrebbero|possa|possano) (?:cadere|crollare|cedere|staccarsi|venire giu)|rischia(?:no)? di (?:crollare|cedere|staccarsi)|da un momento all altro|si (?:sta|stanno) (?:inclinando|staccando|aprendo|sgretolando|sbriciolando|allargando)|inclinat[oaie] pericolosamente|crep[ae] (?:enorm[ei]|profond[ae]|gross[ae])|about to (?:fall|collapse))\b`),
	rules(1.0, "water_rising",
		`\b(?:sta salendo|stanno salendo|sale a vista d occhio|continua a salire|in piena|straripa\w*|esonda\w*|tracima\w*|(?:al|sopra il|sopra l) (?:livello dell argine|argine)|rising)\b`,
		`\b(?:evacu\w+|dobbiamo (?:uscire di casa|scappare|andare via)|sgomber\w+ (?:le case|il palazzo|l edificio|la scuola)|evacuate)\b`,
		`\bacqua (?:\S+ ){0,5}(?:entrat[ao]|entra|sta entrando|ha invaso|invade|arriva alle (?:ginocchia|porte|finestre))\b`,
		`\b(?:salit[oaie] sul tetto|sul tetto dell auto|acqua alle ginocchia|acqua ai finestrini)\b`),
	rules(1.2, "explosive", `\b(?:ordign\w+|bomba|bombe|esplosiv\w+|granat[ae]|residuat\w+ bellic\w+|proiettil\w+)\b`),
	rules(1.0, "industrial",
		`\b(?:(?:nube|nuvola) (?:tossica|strana|nera|gialla|di fumo|chimica)|fabbrica chimica|fuga (?:chimica|di sostanze|di ammoniaca|di cloro)|sirene (?:che )?suonano|allarme (?:che )?suona|odore (?:chimico|acre|di ammoniaca|di cloro)|toxic cloud)\b`),
	both(1.0, "falling",
		`\b(?:cornicion[ei]|intonac[oi]|tegol[ae]|lamier[ae]|pezzi|vetri|insegna|calcinacci)\b`,
		`\b(?:cad\w+|stacc\w+|penzol\w*|sbriciol\w+|pericolant[ei]|in bilico|sta per)\b`),
	both(1.1, "tree",
		`\b(?:alber[oi]|ram[oi]|pin[oi]|platan[oi]|tigli?|tree|branch)\b`,
		`\b(?:cadut[oaie]|caduto|crollat[oaie]|abbattut[oaie]|buttato giu|spezzat[oaie]|sradicat[oaie]|pericolant[ei]|appes[oaie]|penzol\w*|di traverso|a terra|in mezzo alla strada|fallen|fell|down)\b`),
	rules(1.1, "injury",
		`\b(?:ferit[oaie]|ferimento|sanguin\w*|perde sangue|pien[oa] di sangue|sangue (?:dappertutto|ovunque|per terra)|svenut[oa]|sviene|accasciat[oa]|malore|non respira|non si muove|privo di sensi|priva di sensi|incosciente|investit[oaie]|injured|hurt|bleeding|unconscious)\b`,
		`\b(?:stes[oa]|sdraiat[oa]|riverso|immobile) (?:a|per|sull?a?) (?:terra|asfalto|strada|marciapiede)\b`,
		`\b(?:finit[oaie]|portat[oaie]|corsa|corsi|ricoverat[oaie]) (?:al|in) (?:pronto soccorso|ospedale)\b`,
		`\bsi (?:e|sono) (?:tagliat|rott|fatt\w* male|ferit)`,
		`\b(?:rott[oaie]|fratturat[oaie]) (?:il|la|un|una|le|i)? ?(?:polso|gamba|braccio|testa|femore|caviglia|spalla|mano|naso|anca)`,
		`\b(?:persona|persone|uomo|donna|signora|signore|bambino|bambina|ragazzo|ragazza|anziano|anziana) (?:a terra|per terra)\b`,
		`\b(?:cadut[oaie]|volat[oaie]|finit[oaie]) (?:a|per) terra\b`,
		`\b(?:ci scappa il morto|scappi il morto|poteva morire|rischia(?:to)? di morire|rischia la vita|a rischio la vita)\b`,
		`\b(?:hanno punto|punt[oaie] da|allergic[oa] \S+ (?:pronto soccorso|ospedale)|shock anafilattico|epipen)\b`),
	rules(0.4, "emergency_services",
		`\b(?:pronto soccorso|ambulanza|ambulanze|zzemergencynumber|vigili del fuoco|pompieri|ambulance|firefighters)\b`,
		`\b(?:morire|morto|morta|morti|ammazza\w*)\b`),
	rules(1.0, "trapped",
		`\b(?:bloccat[oaie]|intrappolat[oaie]|chius[oa]|trapped|stuck) `+w(2)+`(?:dentro|in casa|in macchina|in ascensore|inside)\b`,
		`\b(?:persone|gente|anzian[oiae]|bambin[oiae]|famiglie|signora|signore) `+w(2)+`(?:bloccat[oaie]|intrappolat[oaie])\b`,
		`\b(?:non riusciamo a spostarlo|non riesce (?:a muoversi|ad alzarsi|a uscire)|non (?:la|lo) vediamo da)\b`),
	rules(0.9, "violence",
		`\b(?:aggredit[oaie]|aggression[ei]|rissa|spar[ai]\w*|suicid\w*|violenz[ae]|picchia\w*|maltratt\w*|stupr\w*|minacc\w* (?:di morte|col coltello)|attacked|violence|fight)\b`),
	rules(1.1, "weapon", `\b(?:coltell[oi]|pistol[ae]|armat[oi]|spranga|machete|bottiglia rotta|cocci di bottiglia|knife|gun)\b`),
	rules(0.5, "threatening", `\b(?:minacci\w+|molest\w+|ubriac[oh]\w* molest\w*|aggressiv[oi]|spaventat[aie]|terrorizzat\w*|threaten\w*)\b`),
	rules(1.3, "self_harm",
		`\b(?:(?:buttarsi|buttarmi|gettarsi|gettarmi|lanciarsi) (?:dal|dalla|dallo|giu|sotto|nel|nella)|(?:voglia|vuole|volesse|minaccia di|vorrebbe) (?:buttarsi|gettarsi|lanciarsi)|farla finita|togliersi la vita|uccidersi|ammazzarsi|suicid\w*|kill (?:himself|herself|myself))\b`),
	rules(0.5, "fight", `\b(?:litig\w+|lite|botte|si picchiano)\b`),
	rules(1.0, "missing_person",
		`\b(?:scompars[oaie]|dispers[oaie]|non (?:e|sono) (?:piu )?(?:tornat[oaie]|rientrat[oaie])|non torna a casa|non si trova piu|non (?:lo|la|li) troviamo|allontanat[oaie] da casa|missing)\b`),
	rules(1.0, "smoke",
		`\b(?:monossido|esce fumo|fumo (?:nero|denso) (?:dalla|dal|dalle|dai|in) (?:casa|palazzo|appartamento|finestra|finestre|scale|tetto|garage|cantina)|odore di bruciato|puzza di bruciato|smoke)\b`),
	rules(0.9, "electric",
		`\b(?:fili|cavi|cavo|filo) (?:\S+ ){0,2}(?:scopert[oi]|penzolant[ei]|a terra|tranciat[oi]|spezzat[oi])\b`,
		`\b(?:scintill\w+|prende(?:re)? la scossa|scosse elettriche|quadro elettrico aperto|centralina (?:elettrica )?aperta|live wire)\b`),
	rules(0.9, "hazard",
		`\b(?:siring[hg]e?|amianto|eternit|fili (?:elettrici )?scopert[ie]|cavi (?:elettrici )?scopert[ie]|cavo (?:elettrico )?scopert|vetri dappertutto|vetro dappertutto|vetri ovunque|pezzi di vetro|schiuma|pesci morti|odore chimico|tossic[oi]|veleno|avvelenat\w*|ghiaccio|lastra di ghiaccio|gelat[ao]|scivol\w*|nido di vespe|vespe|calabroni|vipera|cinghial[ei]|cane aggressivo|morso|morsicat\w*)\b`,
		`\b(?:tombino|chiusino|pozzetto) `+w(3)+`(?:apert|sfondat|scoperchiat|senza coperchio)`,
		`\bbuco dove\b|\bbuca (?:enorme|profonda|gigante)|\bvolato\b`),
	both(0.9, "broken_barrier",
		`\b(?:parapett[oi]|ringhier[ae]|guardrail|balaustr[ae]|cancello|recinzione)\b`,
		`\b(?:rott[oaie]|divelt[oaie]|sfondat[oaie]|marci[oaie]?|mancant[ei]|si muove|non si chiude|cedut[oaie]|abbattut[oaie]|senza protezione|vuoto di)\b`),
	rules(0.8, "accident",
		`\b(?:incident[ei]|scontr\w+|tamponament[oi]|sinistro|ribaltat[oa]|uscit[oa] di strada|finit[oa] (?:contro|fuori strada|nel fosso)|accident|crash)\b`),
	rules(1.0, "fuel", `\b(?:benzina|gasolio|carburante|olio) (?:\S+ ){0,2}(?:cola|perde|sversat\w*|sull asfalto|sulla strada)|\besplo\w+|\bscoppi\w+`),
	both(0.8, "traffic_light",
		`\bsemafor[oi]\b`,
		`\b(?:spent[oi]|lampeggiant[ei]|guast[oi]|rott[oi]|non funziona|abbattut[oi]|a terra|giallo|non si fermano)\b`),
	rules(1.0, "wrong_way", `\b(?:contromano|wrong way)\b`),
	rules(0.4, "traffic_chaos",
		`\b(?:di traverso|quasi incidenti|nel caos|caos totale|macchine che passano a caso|passano a caso|in mezzo alle macchine|in mezzo alla strada)\b`),
	both(1.0, "vulnerable_deprived",
		`\b(?:anzian[oaie]|invalid[oaie]|disabil[ei]|allettat[oa]|malat[oaie]|non autosufficient[ei]|zzelderly|zzchild|neonat[oaie]|incinta|elderly|bambin[oie])\b`,
		`\b(?:senza (?:riscaldamento|cibo|mangiare|acqua|luce|gas|medicine|farmaci|assistenza)|caldaia (?:e )?rott[ao]|riscaldamento (?:e )?rotto|in casa ci sono zzsmallnum gradi|zzsmallnum gradi in casa|niente da mangiare|non ha (?:piu )?(?:il |la |l |da )?(?:riscaldamento|cibo|mangiare|acqua|luce|gas|medicine|soldi per mangiare)|freddissimo|fa freddo|al gelo|gelera|morire di freddo|non (?:mangia|risponde|scende|esce) piu|non (?:risponde|apre|rispondono)(?: \S+){0,3} (?:porta|telefono|citofono|campanello)|non risponde|non apre la porta|nessuno (?:lo|la) vede|non (?:riesce|riesco|riusciamo) (?:nemmeno|neanche|piu) (?:a|ad) (?:alzarsi|alzarmi|alzarla|alzarlo|lavarsi|lavarmi|muoversi|muovermi|mangiare|camminare|respirare|uscire|spostarlo|spostarla)|non (?:la|lo|li) vediamo|non si (?:vede|sente) da|al freddo|gradi in casa|sotto zero|confus[oa]|disorientat[oa]|non sa (?:dove|come) (?:andare|tornare|rientrare|sia)|in pigiama|nessuno (?:lo|la|li) (?:assiste|aiuta)|dializzat[oa]|dialisi|ossigeno|insulina|salvavita|isolat[oiae])`),
	both(1.0, "not_seen",
		`\b(?:da (?:giorni|due giorni|tre giorni|una settimana|ieri)|non (?:la|lo) (?:vedo|vediamo|sento|sentiamo))\b`,
		`\b(?:non (?:esce|apre|risponde|si fa vedere)|cattivo odore dalla porta|puzza dalla porta|(?:gli|le) sia successo qualcosa|successo qualcosa|posta (?:si )?accumula)\b`),
	rules(1.0, "homeless",
		`\b(?:dorm\w* in (?:macchina|auto)|dorm\w* per strada|dorm\w* all aperto|senza un tetto|in mezzo a una strada|sfrattat[oaie] (?:oggi|ieri|stamattina))\b`,
		`\bdorm\w* (?:\S+ ){0,3}(?:su una panchina|sulla panchina|sulle panchine|in strada|in stazione|alla stazione|sui cartoni|sotto i portici|sotto il ponte)\b`),
	rules(0.3, "alone",
		`\b(?:vive|vivono|abita|rimast[oa]) (?:da )?sol[oaie]\b|\b(?:anzian[oaie]|invalid[oaie]) sol[oaie]\b`),
	rules(0.8, "could_hurt",
		`\b(?:qualcuno|una persona|un bambino|i bambini|un anziano|la gente|qualcun altro|someone) (?:\S+ ){0,3}(?:si (?:fa|faccia|fara|e fatto) male|si (?:ferisce|ferisca|ferira)|(?:ci )?(?:cade|cada|cadra|finisce|finisca|finira) (?:dentro|sotto)|(?:viene|venga|verra) (?:investit|colpit|travolt)\w*|get hurt|fall in)\b`,
		`\b(?:ci (?:puo|potrebbe|possono) (?:cadere|finire) (?:dentro )?qualcuno|prima che (?:qualcuno|ci scappi|succeda (?:qualcosa|una tragedia|il peggio))|succede una tragedia|(?:rischia|rischiano|ha rischiato|hanno rischiato) la vita|rischia grosso)\b`),
	rules(1.0, "open_hole",
		`\b(?:buco aperto|buca aperta|voragine|tombino (?:\S+ ){0,2}(?:saltat|apert|sfondat|scoperchiat|rott|senza coperchio|mancante)\w*|chiusino (?:\S+ ){0,2}(?:saltat|apert|sfondat|rott|mancante)\w*|pozzo (?:aperto|scoperto))\b`),
	both(1.0, "person_fell",
		`\b(?:anzian[oaie]|zzelderly|invalid[oaie]|disabil[ei]|nonn[oa]|vicin[oa]|signor[ae]?|madre|padre|mamma|papa|zi[oa])\b`,
		`\b(?:(?:e|sono) cadut[oaie]|cadut[oa] in casa|cadut[oa] per terra|non riesce (?:a|ad) (?:alzarsi|rialzarsi|aprire|muoversi)|chiama(?:re)? aiuto|chiede aiuto|grida|la sento (?:chiamare|urlare|gridare)|lo sento (?:chiamare|urlare|gridare))\b`),
	both(1.0, "child_alone",
		`\b(?:zzchild|bambin[oa]|bimb[oa]|piccol[oa] di)\b`,
		`\b(?:da sol[oa]|senza (?:adulti|genitori|nessuno)|sperdut[oa]|smarrit[oa]|si e pers[oa]|pers[oa] (?:al|nel|nella|in)|in mezzo alla strada|sul ciglio|piange|chiama la mamma|cerca (?:la mamma|il papa|i genitori)|alone|lost)\b`),
	both(1.0, "level_crossing",
		`\bpassaggio a livello\b`,
		`\b(?:sbarre|guast\w*|non funziona|alzat[ea]|non si abbassano|rott\w*)\b`),
	rules(0.6, "help",
		`\b(?:aiuto|aiutat\w+|mi aiuti|ci aiuti|sos|vi prego|la prego|ti prego|help|please help|emergenza|emergency)\b`,
		`\b(?:chiamare aiuto|chiede aiuto|chiedeva aiuto|grida aiuto|gridava aiuto)\b`),
	rules(0.4, "now",
		`\b(?:subito|immediatamente|immediata|urgente|urgenti|urgentemente|adesso|ora|in questo momento|stanotte|stasera|asap|now|right now|prima che)\b`),
	both(0.4, "children",
		`\b(?:bambin[oaie]|bimb[oaie]|ragazzini|alunni|scuola|asilo|materna)\b`,
		`\b(?:pericol\w*|rischi\w*|taglia\w*|strada|macchine|attravers\w*|cad\w+|fuori|uscire)\b`),
	rules(0.4, "danger_word",
		`\b(?:pericol\w*|rischi\w*|paura|dangerous|danger|unsafe)\b`),
	// Words that, together, describe harm in ways no pattern above
	// foresaw: each distinct one adds a little, never enough alone.
	wordsRule(0.2, 0.8, "risk_words",
		`\b(?:cadut\w*|cade|cadono|cadere|crolla\w*|fuoco|fiamm\w+|fumo|incendi\w*|allag\w+|acqua alta|gas|benzina|esplo\w+|scoppi\w*|ferit\w*|sangue|morso|punt[oa] da|vetri|vuoto|precipit\w+|soffoc\w+|gelo|ghiaccio|freddo|asmatic\w*|ossigeno|soccors\w*|aiuto|vi prego|urgent\w*|subito|immediatamente|spaventat\w*|piange|grida|bloccat\w*|non risponde|buco|isolat\w*|ospedale|pericolosissim\w*)\b`),
	// People at risk in the scene add less: they are often just there.
	wordsRule(0.1, 0.3, "people_at_risk",
		`\b(?:bambin\w*|bimb\w*|anzian\w*|zzelderly|zzchild|disabil\w*|incinta|neonat\w*|passanti|gente|persone|ragazzi)\b`),
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
		`\b(?:ti ammazzo|vi ammazzo|ammazzarvi|ammazzarti|ti spacco|vi spacco|spaccare la faccia|presa a calci|preso a calci|presi a calci|prenderli a calci|prenderla a calci|vi vengo a prendere|ti vengo a prendere|dovete morire|devi morire|morite|ti brucio|vi brucio|ti aspetto sotto casa|kill you)\b`),
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

func ruleNamed(list []rule, name string) rule {
	for _, r := range list {
		if r.name == name {
			return r
		}
	}
	return rule{}
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
	m := scan(text)
	score := func(list []rule) float64 {
		// Distinct matches of a family add up with diminishing returns:
		// "parassiti schifosi" is more than "parassiti", not twice more.
		found := map[string]map[string]bool{}
		var order []string
		for _, r := range list {
			for _, s := range r.fires(m) {
				if found[r.name] == nil {
					found[r.name] = map[string]bool{}
					order = append(order, r.name)
				}
				found[r.name][strings.TrimSpace(s)] = true
			}
		}
		total := 0.0
		for _, name := range order {
			r := ruleNamed(list, name)
			if r.limit > 0 {
				total += math.Min(r.weight*float64(len(found[name])), r.limit)
			} else {
				n := float64(min(len(found[name]), 3))
				total += r.weight * (1 + 0.5*(n-1))
			}
			h.names = append(h.names, name)
		}
		return total
	}
	before := len(h.names)
	h.danger = score(dangerRules)
	h.route = map[string]float64{}
	for _, name := range h.names[before:] {
		if office, ok := dangerOffice[name]; ok {
			h.route[office]++
		}
	}
	h.personal = score(identifierRules)
	h.offensive = score(offensiveRules)
	if selfInsult.MatchString(text) && !strings.Contains(strings.Join(h.names, " "), "vulgar") {
		h.offensive -= 0.6
	}
	h.spam = score(spamRules)
	for _, r := range routeRules {
		for _, x := range r.rule {
			if len(x.fires(m)) > 0 {
				h.route[r.office] += x.weight
			}
		}
	}
	h.intent = map[string]float64{}
	for _, r := range intentRules {
		if len(r.fires(m)) > 0 {
			h.intent[r.name]++
		}
	}
	h.hasName = hasNamedPerson(raw)
	details := score(personalDataRules)
	if h.hasName {
		h.names = append(h.names, "named_person")
		h.personal += 0.4 + details
	} else {
		h.personal += 0.5 * details
	}
	return h
}

// namedPersonCues are the lower-case words namedPerson starts with: a
// message without any skips the regular expression.
var namedPersonCues = []string{"sono ", "chiamo ", "vicin", "sig", "figli", "marito ", "moglie ", "compagn",
	"fratello ", "sorella ", "madre ", "padre ", "zio ", "zia ", "nonn"}

func hasNamedPerson(raw string) bool {
	lower := strings.ToLower(raw)
	cue := false
	for _, c := range namedPersonCues {
		if strings.Contains(lower, c) {
			cue = true
			break
		}
	}
	if !cue {
		return false
	}
	for _, m := range namedPerson.FindAllStringIndex(raw, -1) {
		name := strings.Fields(strings.TrimSpace(raw[m[0]:m[1]]))
		if last := name[len(name)-1]; !notNames[last] && !notNames[name[0]] {
			return true
		}
	}
	return false
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

// dangerOffice routes an emergency to the office that handles it: civil
// protection for disasters, the local police for people on the street,
// social services for people left alone at home.
var dangerOffice = map[string]string{
	"gas": "protezione_civile", "fire": "protezione_civile", "flood": "protezione_civile",
	"water_rising": "protezione_civile", "earthquake": "protezione_civile", "industrial": "protezione_civile",
	"accident": "polizia_locale", "weapon": "polizia_locale", "violence": "polizia_locale",
	"fight": "polizia_locale", "threatening": "polizia_locale", "child_alone": "polizia_locale",
	"missing_person": "polizia_locale", "vulnerable_deprived": "servizi_sociali", "homeless": "servizi_sociali",
}

// routeRules add evidence for an office where the taxonomy's conventions
// decide rather than vocabulary: a fallen tree during a storm belongs to
// civil protection, the same tree a week later to the parks office.
var routeRules = []struct {
	office string
	rule   []rule
}{
	{"protezione_civile", both(2, "storm_damage",
		`\b(?:bora|vento|raffiche|temporale|nubifragio|tempesta|burrasca|tromba d aria|grandinata|nevicata|neve|nevica|alluvione|mareggiata|maltempo|bufera|uragano|storm|wind)\b`,
		`\b(?:alber[oi]|ram[oi]|tetto|tetti|tegol[ae]|lamier[ae]|allagat\w*|crollat\w*|cadut\w*|caduto|divelt\w*|abbattut\w*|sradicat\w*|buttato giu|frana|esondat\w*|scoperchiat\w*|fallen|flooded)\b`)},
}
