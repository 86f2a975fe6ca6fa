// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
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
	// near, when set, must match within a few words of p: "un ragazzo"
	// and "è caduto" say little apart, an emergency together.
	near *pattern
}

// nearWords is how many words apart the two halves of a near rule may be.
const nearWords = 6

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

// near is a rule whose two patterns must match close to each other; both
// must begin on a word, so that the scan knows where they are.
func near(weight float64, name string, p, other *pattern) []rule {
	if !p.wordStart || !other.wordStart {
		panic("triage: near rule " + name + " must begin on a word")
	}
	p.positions, other.positions = true, true
	return []rule{{name: name, weight: weight, p: p, near: other}}
}

// fires reports whether r holds in the scanned message, and its matches.
func (r rule) fires(m matches) []string {
	if r.and != nil && len(m.found[r.and.id]) == 0 {
		return nil
	}
	if r.near == nil {
		return m.found[r.p.id]
	}
	var out []string
	for _, a := range m.pos {
		if a.id != r.p.id {
			continue
		}
		for _, b := range m.pos {
			if d := a.word - b.word; b.id == r.near.id && d <= nearWords && d >= -nearWords {
				out = append(out, a.s+" "+b.s)
				break
			}
		}
	}
	return out
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

// personWords name someone who can be hurt; harmWords what happens to
// them, as participles and the present ("è caduto", "sanguina", "ha
// azzannato"), not the infinitive: "potrebbe cadere" is a risk, "è caduto"
// an event; dangerPlaces where nobody should stand.
const (
	personWords  = `(?:qualcuno|persona|persone|gente|uom[oi]|omo|donn[ae]|signor[ae]?|signori|ragazz\w+|bambin[oaie]|bimb[oaie]|neonat[oaie]|anzian[oaie]|vecchiett[oaie]|vecchi[oa]|mamma|madre|padre|papa|figli[oaie]?|nonn[oaie]|marito|moglie|vicin[oaie]|amic[oaihe]+|collega|autista|conducente|ciclista|pedon[ei]|motociclista|turist[aie]|operai[oa]?|studenti|alunni|ospiti|pazienti|passanti|tizio|tizia|zzchild|zzelderly|he|she|man|men|woman|women|kids?|child|children|boys?|girls?|friends?|someone|somebody|people|person|guys?|lady|cyclists?|drivers?|workers?|baby|babies|homme|femme|dame|vieille|vieux|enfant|enfants|fille|garcon|voisin|voisine|hombre|mujer|senora|nino|nina|ninos|anciano|anciana|vecino|vecina|hijo|hija|mann|frau|kind|kinder|junge|madchen|nachbar|nachbarin|mutter|vater)`
	harmWords    = `(?:cadut[oaie]|cade|cadono|cascat[oaie]|inciampat[oaie]|scivolat[oaie]|precipitat[oaie]|battut[oaie]|sbattut[oaie]|incastrat[oaie]|schiacciat[oaie]|travolt[oaie]|pres[oaie] in pieno|ferit[oaie]|azzannat[oaie]|punt[oaie] da (?:un|una|delle|dei) (?:ape|api|vespa|vespe|calabron\w+|medusa|vipera|serpente)|aggredit[oaie]|si (?:e|sono) punt[oaie]|ingerit[oaie]|ingoiat[oaie]|avvelenat[oaie]|intossicat[oaie]|annegat[oaie]|annegando|affogat[oaie]|affogando|soffocat[oaie]|soffocando|strangolat[oaie]|impiccat[oaie]|ustionat[oaie]|folgorat[oaie]|fulminat[oaie]|svenut[oaie]|sviene|svenendo|collassat[oaie]|accasciat[oaie]|non si muove|non respira|non si sveglia|non reagisce|convulsion\w*|vomit\w*|sanguin\w*|perde sangue|fratturat[oaie]|picchiat[oaie]|pestat[oaie]|menat[oaie]|accoltellat[oaie]|rapit[oaie]|sequestrat[oaie]|scompars[oaie]|sperdut[oaie]|intrappolat[oaie]|aggrappat[oaie]|appes[oaie] (?:al|alla|a un|a una|nel|fuori)|in bilico|hurt|injured|bleeding|unconscious|fell|fallen|collapsed|fainted|choking|drowning|stuck|trapped|bitten|stabbed|beaten|run over|burned|burnt|electrocuted|missing|not breathing|not moving|seizure|overdos\w*|azzanna|mordendo|sbranando|sbranat[oaie]|inseguendo|insegue|inseguono|inseguit[oaie]|si sporge|si sporgono|sporgendosi|chasing|mors[oaie]|investit[oaie]|investe|colpit[oaie]|aggredendo|picchiando|caduta addosso a|caduto addosso a|cadut[aoie] (?:addosso|sopra|in testa) (?:a|al|alla|ai|agli|alle)|sbatte (?:sopra|addosso|contro) (?:a |al |alla |la |le |i |gli )?|attacked|attacking|bit|hit|hitting|ran over|knocked down|par terre|ne (?:parle|repond|bouge|respire) (?:pas|plus)|tombee?|enfermee?|en el suelo|por el suelo|tirad[oa] en|encerrad[oa]|no (?:habla|contesta|responde|reacciona|se mueve)|liegt|reagiert nicht|antwortet nicht|eingesperrt|atacando|attaque|beisst|gebissen|mordid[oa]|mordu)`
	dangerPlaces = `(?:sul davanzale|sul cornicione|sul parapetto|sulla balaustra|sulla ringhiera|sui binari|sul binario|sulle rotaie|tra il treno|in mezzo ai binari|sul ghiaccio|sul lago ghiacciato|sulla gru|sul ponteggio|sull impalcatura|sul tetto|in mezzo alla (?:superstrada|tangenziale|statale|autostrada)|on the (?:ledge|tracks|railway|roof|ice|railing)|on (?:a|the) (?:frozen|thin) (?:pond|lake|ice))`
)

// person is scanned once for every near rule about people.
var person = newPattern(`\b` + personWords + `\b`)

// dangerRules: risk to people's safety or an emergency under way. A weight
// of 1 or more alone makes a message urgent; lesser ones add up.
var dangerRules = concat(
	rules(1.2, "gas",
		`\b(?:fuga|odore|puzza|perdita|sento|sentiamo|si sente|smell) `+w(3)+`(?:di |of )?gas\b`,
		`\bgas `+w(3)+`(?:fuga|odore|puzza|leak|smell)`,
		`\b(?:perde gas|esce gas|gas che esce|smells? (?:of|like) gas|gas smell)\b`),
	both(1.2, "gas_leak",
		`\b(?:bombol[ae]|tubo del gas|tubi del gas|contatore del gas|gas pipe|gas bottle)\b`,
		`\b(?:perde|perdono|sta perdendo|fischia|esce|apert[ao]|puzza|sibil\w*|rovesciat\w*|ribaltat\w*|leak\w*|hiss\w*)\b`),
	rules(1.2, "fire",
		`\b(?:incendi[oa]?|incendiat[oaie]|in fiamme|fiamme|a fuoco|prende fuoco|preso fuoco|va a fuoco|brucia(?:ndo)? (?:la|una|il|un) (?:casa|auto|macchina|bosco|palazzo|appartamento)|fire|on fire|burning)\b`,
		`\b(?:ffuoco|ffuocu|focu|fogo|fogh|incendi)\b`,
		`\b(?:(?:dare|dar|da|dato|appiccat[oa]|appicca) (?:il )?fuoco|tanica di benzina|gasoline can)\b`,
		`\b(?:fiamme|fuoco|incendio) (?:\S+ ){0,4}(?:si (?:sta|stanno) (?:allargando|avvicinando|propagando)|arriva\w*|sta(?:nno)? andando verso|verso le case)\b`),
	rules(1.0, "flood",
		`\b(?:allagat[oaie]|allagament[oi]|allaga|esondat[oaie]|esonda(?:to|zione|no)?|alluvion[ei]|inondat[oaie]|sommers[oaie]|flooded|flooding|flood|overflow\w*|burst (?:its|their) banks)\b`,
		`\b(?:pien[oa] d acqua|sott acqua|acqua (?:fino|alta fino) (?:alle|ai|al|alla) (?:ginocchia|caviglie|vita|portiere|finestrini|fari|ruote)|water (?:is )?(?:coming|getting|pouring) (?:in|into))\b`,
		`\bacqua `+w(4)+`(?:sta salendo|continua a salire|sale|e salita|salit[ao] fino|arrivat[ao] fino|entrata in casa|entra in casa|nelle case|al livello della strada)`,
		`\bacqua alta\b`+w(4)+`(?:case|negozi|piano terra)`),
	rules(1.2, "earthquake", `\b(?:terremot[oi]|scoss[ae] (?:di terremoto|forte|fortissima)|sism[ai]|earthquake)\b`),
	rules(1.0, "collapse",
		`\b(?:crollat[oaie]|crollo|crolla(?:to|no|ndo)?|cedut[oaie]|cediment[oi]|voragine|voragini|sprofondat[oaie]|frana|frane|franat[oaie]|smottament[oi]|calcinacci|collapse[d]?|sinkhole|landslide)\b`,
		`\b(?:si sta staccando|sta per cadere|rischia di cadere|penzola|penzolano|in bilico|pericolant[ei]|divelt[oaie])\b`,
		`\b(?:se (?:cade|crolla|cede|si stacca|va giu)|per miracolo|schiacci\w+|oscilla\w*|si (?:e|sono) piegat[oaie]|crepa che si (?:allunga|allarga)|crack (?:\S+ ){0,7}(?:getting bigger|growing|widening|spreading)|keeps getting (?:bigger|wider|worse)|si (?:sta|stanno) (?:svuotando|gonfiando|muovendo|spostando|abbassando)|(?:sta|stanno) per (?:cadere|crollare|cedere|staccarsi|venire giu)|(?:potrebbe|potrebbero|possa|possano) (?:cadere|crollare|cedere|staccarsi|venire giu)|rischia(?:no)? di (?:crollare|cedere|staccarsi)|da un momento all altro|si (?:sta|stanno) (?:inclinando|staccando|aprendo|sgretolando|sbriciolando|allargando)|inclinat[oaie] pericolosamente|crep[ae] (?:enorm[ei]|profond[ae]|gross[ae])|about to (?:fall|collapse))\b`,
		`\b(?:sta|stanno|stava|stavano) (?:venendo giu|cedendo|crollando|franando|cadendo|scivolando giu|sprofondando|sgretolando\w*|staccando\w*|piegando\w*)\b`,
		`\b(?:(?:ha|hanno|ha fatto|hanno fatto|fa|fanno) (?:cedere|crollare)|(?:ha|hanno|e|sono) ceduto|vien(?:e|ono) giu|venut[oaie] giu|continua(?:no)? a (?:cadere|scendere|staccarsi|crollare|cedere|franare|venire giu)|caving in|cave in|falling down|coming down|collapsing|mudslide|rockfall)\b`,
		`\b(?:mass[oi]|sassi|pietre|rocce|roccia|detriti|fango) (?:\S+ ){0,4}(?:sulla strada|sulla carreggiata|in strada|in mezzo alla strada|sulla provinciale|sulla statale|sulle auto|sulle macchine|cadono|cadendo|scendono|scendendo|rotolano|rotolando|on the road)\b`),
	rules(1.0, "water_rising",
		`\b(?:sta salendo|stanno salendo|sale a vista d occhio|continua a salire|in piena|straripa\w*|esonda\w*|tracima\w*|(?:al|sopra il|sopra l) (?:livello dell argine|argine)|rising)\b`,
		`\b(?:evacu\w+|dobbiamo (?:uscire di casa|scappare|andare via)|sgomber\w+ (?:le case|il palazzo|l edificio|la scuola)|evacuate)\b`,
		`\bacqua (?:\S+ ){0,5}(?:entrat[ao]|entra|sta entrando|ha invaso|invade|arriva alle (?:ginocchia|porte|finestre))\b`,
		`\b(?:salit[oaie] sul tetto|sul tetto dell auto|acqua alle ginocchia|acqua ai finestrini)\b`,
		`\b(?:(?:diga|dighe|argine|argini) (?:\S+ ){0,3}(?:rott[ao]|cedut[oa]|crollat[oa]|sfondat[oa]|ha ceduto|hanno ceduto)|si (?:e|sono) rott[oaie] (?:la diga|le dighe|l argine|gli argini)|dam (?:\S+ ){0,2}(?:burst|broke|collapsed))\b`,
		`\b(?:fiume|torrente|rio|canale|fosso|roggia|argine|lago) (?:\S+ ){0,4}(?:sta per (?:uscire|esondare|straripare|rompersi|cedere)|arriva (?:al bordo|all orlo|al ponte)|al limite|ha rotto|rotto l argine)`,
		`\b(?:annega\w*|affoga\w*|drown\w*|trascinat[oaie] (?:via )?dalla corrente|(?:ha|hanno) trascinato via|trascina via|si (?:e|sono) buttat[oaie] (?:in acqua|nel fiume|nel canale|in mare|nel lago)|sott acqua e non|non riemerge|non e riemers[oa]|portat[oaie] via dalla corrente|li trascina l acqua|(?:lo|la|li|le) (?:trascina|porta via) (?:l acqua|la corrente)|dragged by the current|swept away)\b`,
		`\b(?:la piena|della piena|piena del (?:fiume|torrente)|(?:auto|macchina|persone|gente|furgone|camion|bus) (?:\S+ ){0,4}in mezzo al (?:torrente|fiume|guado|fiume in piena))\b`,
		`\b(?:cadut[oaie]|finit[oaie]|scivolat[oaie]|cascat[oaie]|fell|fallen) (?:\S+ ){0,2}(?:in acqua|nel canale|nel fiume|nel lago|in mare|nel porto|nel torrente|nel pozzo|nel fosso|into the (?:river|canal|sea|water|lake|harbou?r))`,
		`\b(?:uomo|omo|donna|persona|persone|gente|bambin[oaie]|ragazz[oaie]|qualcuno|someone|somebody|people|a man|a woman|a child|a kid) (?:\S+ ){0,1}in acqua\b|\bin the water\b`),
	rules(1.2, "explosive", `\b(?:ordign\w+|bomba|bombe|esplosiv\w+|granat[ae]|residuat\w+ bellic\w+|proiettil\w+)\b`),
	rules(1.0, "industrial",
		`\b(?:(?:nube|nuvola) (?:tossica|strana|nera|gialla|di fumo|chimica)|fabbrica chimica|fuga (?:chimica|di sostanze|di ammoniaca|di cloro)|sirene (?:che )?suonano|allarme (?:che )?suona|odore (?:chimico|acre|di ammoniaca|di cloro)|toxic cloud)\b`,
		`\b(?:(?:perdita|fuga|nube|odore|puzza|sversamento) (?:di |d )?(?:ammoniaca|cloro|acido|acidi|solvent\w*|sostanze|prodotti chimici|gasolio|idrocarburi)|(?:bruciano|brucia|lacrimano) gli occhi|gli occhi (?:bruciano|lacrimano)|intossicat\w*|intossicazion\w*|chemical (?:leak|smell|spill))\b`),
	// A person and a harm a few words apart ("un ragazzo è caduto tra il
	// treno e la banchina", "il cane ha azzannato un ragazzino"): kinds of
	// emergency no pattern above foresaw still have someone and something
	// happening to them. Participles and the present, not the infinitive:
	// "potrebbe cadere" is a risk, "è caduto" an event.
	near(0.9, "person_harm", person, newPattern(`\b`+harmWords+`\b`)),
	near(1.0, "person_in_danger_place", person, newPattern(`\b`+dangerPlaces+`\b`)),
	rules(1.0, "poisoning",
		`\b(?:ingerit[oaie]|ingoiat[oaie]|ha bevuto|ha mangiato|swallowed|drank) (?:\S+ ){0,3}(?:detersiv\w*|candeggina|varechina|veleno|topicida|pastiglie|pillole|farmaci|medicine|batteri[ae]|pil[ae]|magnet[ei]|calamit[ae]|monet[ae]|bleach|detergent|pills|poison|battery|batteries|magnets?|coin)\b`,
		`\b(?:(?:preso|presa|ingerit[oa]|ingoiat[oa]|mangiat[oa]) (?:\S+ ){0,3}(?:pillole|pastiglie|farmaci|medicine|compresse) (?:\S+ ){0,2}(?:due volte|doppia dose|troppe|tutte|tutta la scatola|l intera confezione))\b`,
		`\b(?:diabetic[oa]|diabete|diabetic) (?:\S+ ){0,6}(?:non risponde|sudat[oa]|confus[oa]|sviene|svenut[oa]|non capisce|trema|unresponsive|confused)\b`),
	both(1.0, "life_support",
		`\b(?:respiratore|ventilatore polmonare|ossigeno|concentratore|dialisi|dializzat[oa]|salvavita|macchinari|ventilator|oxygen)\b`,
		`\b(?:senza corrente|saltata la corrente|salta la corrente|manca la corrente|mancanza di corrente|blackout|black out|senza luce|batteria|bloccat[oa] dalla neve|isolat[oaie]|non (?:puo|possiamo|riesce a|riusciamo a) (?:uscire|arrivare|raggiungere|andare)|power cut|no power|power outage)\b`),
	both(1.0, "missing_vulnerable",
		`\b(?:alzheimer|demenza|dement[ei]|demenza senile|confus[oa]|disorientat[oa]|dementia)\b`,
		`\b(?:non risponde|uscit[oa]|non (?:e )?tornat[oa]|non torna|non si trova|non (?:sappiamo|so) dove|allontanat[oa]|sparit[oa]|wandered|missing|not answering)\b`),
	rules(1.0, "water_power",
		`\bacqua (?:\S+ ){0,5}(?:quadro elettrico|prese elettriche|prese della corrente|presa della corrente|contatore|cavi elettrici|centralina)\b`,
		`\b(?:water|flooding) (?:\S+ ){0,5}(?:electric\w*|fuse box|sockets)\b`),
	rules(1.0, "animal_on_road",
		`\b(?:cavall[oi]|mucc[ah]e?|vacch?e|cinghial[ei]|cerv[oi]|caprioli?|pecore|capre|mandria|gregge|animali|horses?|cows?|deer|boars?) (?:\S+ ){0,3}(?:sulla|in|sull|lungo la|lungo l|on the) (?:tangenziale|superstrada|autostrada|statale|provinciale|carreggiata|binari|ferrovia|motorway|highway|ring road)\b`),
	rules(0.6, "stopped_vehicle",
		`\b(?:auto|macchina|camion|tir|furgone|pullman|autobus|veicolo|mezzo) (?:\S+ ){0,2}(?:fermo|ferma|fermi|ferme|in panne|in avaria|rotto|rotta) (?:\S+ ){0,3}(?:senza luci|al buio|dietro la curva|dopo la curva|in curva|in mezzo alla (?:strada|carreggiata|corsia)|in corsia|sulla corsia)\b`),
	rules(0.5, "near_miss",
		`\b(?:nessuno si ferma|passano lo stesso|passano comunque|entrano lo stesso|frenano all ultimo|inchiodano|sbanda\w*|schiva\w*|per un pelo|per poco (?:non|nn)|quasi (?:investit\w*|travolt\w*|preso|presa)|near miss|nearly hit|almost hit)\b`),
	both(1.0, "falling",
		`\b(?:cornicion[ei]|intonac[oi]|tegol[ae]|lamier[ae]|pezzi|vetri|insegna|calcinacci|tettoi[ae]|pensilin[ae]|pannell[oi]|ponteggi?o?|impalcatur[ae]|transenn[ae]|cartellon[ei]|grondai[ae]|persian[ae]|antenn[ae]|balcone|balconi)\b`,
		`\b(?:cad\w+|stacc\w+|penzol\w*|sbriciol\w+|pericolant[ei]|in bilico|sta per|scardinat\w*|sbatte|sbattono|volano|divelt\w*|oscilla\w*)\b`),
	both(1.1, "tree",
		`\b(?:alber[oi]|ram[oi]|pin[oi]|platan[oi]|tigli?|tree|branch)\b`,
		`\b(?:cadut[oaie]|caduto|crollat[oaie]|abbattut[oaie]|buttato giu|spezzat[oaie]|sradicat[oaie]|pericolant[ei]|appes[oaie]|penzol\w*|di traverso|a terra|in mezzo alla strada|fallen|fell|down)\b`),
	rules(1.1, "injury",
		`\b(?:ferit[oaie]|ferimento|sanguin\w*|perde sangue|pien[oa] di sangue|sangue (?:dappertutto|ovunque|per terra)|svenut[oa]|sviene|accasciat[oa]|malore|non respira|non si muove|privo di sensi|priva di sensi|incosciente|investit[oaie]|travolt[oaie]|injured|hurt|bleeding|unconscious)\b`,
		`\b(?:infarto|ictus|arresto cardiaco|dolore al petto|dolori al petto|convulsion\w*|crisi epilettica|attacco (?:d asma|di asma|epilettico|di cuore|cardiaco)|overdose|emorragia|perso i sensi|perde i sensi|perso conoscenza|perde conoscenza|non si sveglia|non apre (?:piu )?gli occhi|non reagisce|respira (?:male|a fatica|a malapena)|fa fatica a respirare|non riesce (?:piu )?a respirare|soffoca\w*|sta male|si (?:e|sono) sentit[oaie] male|sentendo male|se sente male|batt\w* la testa|sbattut[oa] la testa|suda freddo)\b`,
		`\b(?:heart attack|stroke|seizure|fainted|passed out|collapsed|not breathing|isn t breathing|can t breathe|cannot breathe|not moving|isn t moving|won t wake up|choking|overdosed?)\b`,
		`\b(?:lying|lies|laying|is|s) on the (?:ground|floor|pavement|road|street|sidewalk)\b|\b(?:barely|not|isn t) (?:conscious|responding|responsive)\b|\b(?:lying|collapsed) (?:in|on|at) the\b`,
		`\b(?:urtat[oaie]|pres[oaie] in pieno|falciat[oaie]|mess[oaie] sotto) (?:da|dalla|dal|da una|da un) (?:auto|macchina|furgone|camion|bus|autobus|tram|moto|scooter|motorino|treno)\b`,
		`\b(?:run over|knocked (?:down|over)|hit by (?:a|the) (?:car|bus|truck|van|lorry|tram|train|bike|motorbike|scooter)|(?:car|bus|truck|van|lorry|driver) (?:just )?(?:hit|ran over|knocked (?:down|over)) (?:a|an|the|my|our|some)\b)`,
		`\b(?:stes[oa]|sdraiat[oa]|riverso|riversa|immobile|accasciat[oa]|mort[oa]|muort[oa]) (?:\S+ ){0,3}(?:terra|asfalto|strada|marciapiede|ciclabile|pavimento|prato|volante|binari)\b`,
		`\b(?:non si (?:rialza|alza|riprende|muove piu)|respira poco|(?:e|sono) stat[oaie] male|(?:e|sta|diventat[oa]) grigi[oa]|tirat[oaie] fuori dall acqua|crisi (?:respiratoria|d asma|asmatica|cardiaca|ipoglicemica|diabetica|epilettica)|(?:l ambulanza|i soccorsi) (?:\S+ ){0,1}non (?:arriva|arrivano)|aspettiamo (?:l ambulanza|i soccorsi)|non se (?:move|mov|more)|(?:e|sta|diventat[oa]) (?:tutt[oa] )?(?:viola|cianotic[oa])|(?:stanno|sono|si sentono) (?:tutti )?male|chiam\w* (?:l |un |n )?ambulanz\w*|serve (?:un )?ambulanza)\b`,
		`\b(?:finit[oaie]|portat[oaie]|corsa|corsi|ricoverat[oaie]) (?:al|in) (?:pronto soccorso|ospedale)\b`,
		`\bsi (?:e|sono) (?:tagliat|fatt\w* male|ferit|punt[oaie]\b|rott\w* (?:\S+ ){0,1}(?:polso|gamba|braccio|testa|femore|caviglia|spalla|mano|naso|anca|ginocchio|piede|costol\w*))`,
		`\b(?:rott[oaie]|fratturat[oaie]) (?:il|la|un|una|le|i)? ?(?:polso|gamba|braccio|testa|femore|caviglia|spalla|mano|naso|anca)`,
		`\b(?:persona|persone|uomo|donna|signora|signore|bambino|bambina|ragazzo|ragazza|anziano|anziana) (?:a terra|per terra)\b`,
		`\b(?:cadut[oaie]|volat[oaie]|finit[oaie]) (?:a|per) terra\b`,
		`\b(?:ci scappa il morto|scappi il morto|poteva morire|rischia(?:to)? di morire|rischia la vita|a rischio la vita)\b`,
		`\b(?:hanno punto|punt[oaie] da|allergic[oa] \S+ (?:pronto soccorso|ospedale)|shock anafilattico|epipen)\b`),
	rules(0.4, "emergency_services",
		`\b(?:pronto soccorso|ambulanza|ambulanze|zzemergencynumber|vigili del fuoco|pompieri|ambulance|firefighters)\b`,
		`\b(?:morire|morto|morta|morti|ammazza\w*)\b`),
	rules(1.0, "trapped",
		`\b(?:bloccat[oaie]|intrappolat[oaie]|chius[oaie]|trapped|stuck) `+w(2)+`(?:dentro|in casa|in macchina|in ascensore|inside|fuori (?:sul|sulla|in) (?:balcone|terrazzo|terrazza|tetto|cornicione))\b`,
		`\b(?:persone|gente|anzian[oiae]|bambin[oiae]|famiglie|signora|signore) `+w(2)+`(?:bloccat[oaie]|intrappolat[oaie])\b`,
		`\b(?:non riusciamo a spostarlo|non riesce (?:a muoversi|ad alzarsi|a uscire)|non (?:la|lo) vediamo da)\b`,
		`\b(?:c e|ci sono|con) (?:ancora )?(?:qualcuno|una persona|delle persone|persone|gente|l autista|il conducente|dei bambini) (?:\S+ ){0,1}(?:dentro|a bordo|intrappolat\w*|bloccat\w*)\b`,
		`\b(?:(?:someone|people|a man|a woman|a child|kids?|he|she|they) (?:is |are |s |re )?(?:trapped|stuck) |can t get (?:out|up)|cannot get (?:out|up)|trapped inside)\b`),
	rules(1.1, "beating",
		`\b(?:prend\w* a (?:pugni|calci|schiaffi|botte|sprangate|bastonate|coltellate|bottigliate|sassate)|(?:sta|stanno) (?:picchiando|pestando|menando|massacrando|aggredendo|colpendo|accoltellando|rapinando)|accoltell\w*|pestaggio|pugnalat\w*|sparatoria|colpi di pistola|hanno sparato|sta sparando|(?:tirano|lanciano|tirando|lanciando|buttano|buttando) (?:dei )?(?:sassi|pietre|bottiglie|mattoni|oggetti)|beat(?:ing)? (?:him|her|them|a|an|the|someone|somebody|up)|kicking (?:him|her|them|a)|punching|stabb\w*|attacking (?:a|an|the|him|her|people|someone)|being attacked|shots? fired|gunshots?|throwing (?:stones|rocks|bottles))\b`,
		`\b(?:(?:la|lo|li|le|mi|ti) (?:ammazza|ammazzano|uccide|uccidono|picchia|picchiano|massacra|mena|menano|strangola)|(?:l|lo|la|li) hanno (?:menat|picchiat|pestat|massacrat)\w*|(?:urla|urlare|urlava|grida|gridare|gridava|chiede|chiedeva|chiama|chiamava) (?:di )?aiuto|(?:si )?sent\w* (?:delle )?(?:urla|grida)|urla e (?:colpi|botte|rumori)|colpi contro la porta|screaming (?:for help)?|calling for help|crying for help)\b`),
	rules(0.9, "violence",
		`\b(?:aggredit[oaie]|aggression[ei]|rissa|spar[ai]\w*|suicid\w*|violenz[ae]|picchia\w*|maltratt\w*|stupr\w*|minacc\w* (?:di morte|col coltello)|attacked|violence|fight)\b`),
	rules(1.1, "weapon", `\b(?:coltell[oi]|pistol[ae]|armat[oi]|spranga|machete|bottiglia rotta|cocci di bottiglia|knife|gun)\b`,
		`\bcon (?:un|una|dei|delle) (?:bastone|bastoni|mazza|mazze|spranga|catena|cacciavite|forbici|martello|accetta|ascia|tirapugni)\b`,
		`\b(?:spari|sparo|sparato|sparano|sparando|colpi d arma da fuoco|fucil[ei]|mazza da baseball|spranghe|bastoni|knives|guns?|shooting)\b`),
	rules(0.5, "threatening", `\b(?:minacci\w+|molest\w+|ubriac[oh]\w* molest\w*|aggressiv[oi]|spaventat[aie]|terrorizzat\w*|threaten\w*)\b`),
	rules(1.3, "self_harm",
		`\b(?:(?:che|dice che|grida che|urla che|minaccia che) (?:si|mi) (?:butta|getta|lancia|ammazza|uccide)|(?:si|mi) (?:butta|getta|lancia) (?:giu|di sotto|dal|dalla|dallo|sotto il|sotto al)|(?:vuole|vuol|voleva|minaccia di|minacciava di|sta per|pronto a|pronta a|vorrebbe) (?:saltare|buttarsi|gettarsi|lanciarsi|farla finita|farsi del male|uccidersi|ammazzarsi)|(?:wants|trying|going|threatening) to (?:jump|kill)|about to jump)\b`,
		`\b(?:(?:buttarsi|buttarmi|gettarsi|gettarmi|lanciarsi) (?:dal|dalla|dallo|giu|sotto|nel|nella)|(?:voglia|vuole|volesse|minaccia di|vorrebbe) (?:buttarsi|gettarsi|lanciarsi)|farla finita|togliersi la vita|uccidersi|ammazzarsi|suicid\w*|kill (?:himself|herself|myself))\b`),
	rules(0.5, "fight", `\b(?:litig\w+|lite|botte|si picchiano)\b`),
	rules(1.0, "missing_person",
		`\b(?:scompars[oaie]|dispers[oaie]|non (?:e|sono) (?:piu )?(?:tornat[oaie]|rientrat[oaie])|non torna a casa|non si trova piu|non (?:lo|la|li) troviamo|allontanat[oaie] da casa|missing)\b`,
		`\b(?:non (?:la|lo|li) (?:trovo|trova|trovano|vediamo piu|vedo piu)|non (?:troviamo|trovo|riusciamo a trovare|riesco a trovare) (?:piu )?(?:\S+ ){0,2}(?:figli[oa]|bambin[oa]|bimb[oa]|nonn[oa]|padre|madre|papa|mamma|marito|moglie|fratell\w*|sorell\w*|zi[oa]|suocer[oa])|non (?:sappiamo|so|sa) (?:piu )?dove (?:sia|e|sono|siano)|uscit[oa] (?:di casa|da casa|dalla rsa|dalla casa di riposo|dalla struttura) (?:\S+ ){0,4}(?:non|senza)|ho perso (?:di vista )?(?:mio|mia|il mio|la mia|nostro|nostra) (?:figli[oa]|bambin[oa]|bimb[oa]|nonn[oa]|padre|madre|papa|mamma)|wander\w* off|went missing|gone missing|can t find (?:my|our)|cannot find (?:my|our)|lost (?:my|our) (?:son|daughter|child|kid|boy|girl|father|mother|dad|mum|mom))\b`),
	rules(1.0, "smoke",
		`\b(?:monossido|esce fumo|fumo (?:nero|denso) (?:dalla|dal|dalle|dai|in) (?:casa|palazzo|appartamento|finestra|finestre|scale|tetto|garage|cantina)|odore di bruciato|puzza di bruciato|smoke)\b`,
		`\b(?:esce (?:del |un |tanto )?fumo|fumo (?:\S+ ){0,2}(?:che esce|che entra|esce|entra|dalla|dal|dalle|dai|nelle|nella|in casa)|fumo (?:nero|denso)|(?:plastica|gomma|qualcosa) (?:che )?brucia\w*|burning smell|smell of burning|carbon monoxide)\b`),
	both(1.0, "fumes",
		`\b(?:stufa|stufetta|caldaia|braciere|camino|scaldabagno|generatore)\b`,
		`\b(?:mal di testa|nausea|vomit\w*|stordit[oaie]|svenut[oaie]|sonnolen\w*|giramenti di testa)\b`),
	rules(0.9, "electric",
		`\b(?:fili|cavi|cavo|filo) (?:\S+ ){0,2}(?:scopert[oi]|penzolant[ei]|a terra|tranciat[oi]|spezzat[oi])\b`,
		`\b(?:scintill\w+|prende(?:re)? la scossa|scosse elettriche|quadro elettrico aperto|centralina (?:elettrica )?aperta|live wire)\b`,
		`\b(?:fili|cavi|cavo|filo) (?:\S+ ){0,5}(?:penzol\w*|tocca\w*|per terra|in strada|sulla strada|sul marciapiede|sulla ciclabile|sull asfalto|in acqua)\b`,
		`\b(?:power lines?|overhead lines?|electric(?:al)? (?:cables?|wires?)|wires?|cables?) (?:\S+ ){0,3}(?:down|on the ground|hanging|sparking|touching|snapped|lying|broken)\b`),
	rules(0.9, "hazard",
		`\b(?:siring\w*|amianto|eternit|fili (?:elettrici )?scopert[ie]|cavi (?:elettrici )?scopert[ie]|cavo (?:elettrico )?scopert|vetri dappertutto|vetro dappertutto|vetri ovunque|pezzi di vetro|schiuma|pesci morti|odore chimico|tossic[oi]|veleno|avvelenat\w*|ghiaccio|lastra di ghiaccio|gelat[ao]|scivol\w*|nido di vespe|vespe|calabroni|vipera|cinghial[ei]|cane aggressivo|morso|morsicat\w*)\b`,
		`\b(?:can[ei]|cagnolon[ei]|pitbull|rottweiler|dogs?) (?:\S+ ){0,3}(?:sbrana\w*|azzanna\w*|aggredisc\w*|attacca\w*|morde\w*|mordono|attacking|biting)\b`,
		`\b(?:tombino|chiusino|pozzetto) `+w(3)+`(?:apert|sfondat|scoperchiat|senza coperchio)`,
		`\bbuco dove\b|\bbuca (?:enorme|profonda|gigante)|\bvolato\b`),
	both(0.9, "broken_barrier",
		`\b(?:parapett[oi]|ringhier[ae]|guardrail|balaustr[ae]|cancello|recinzione)\b`,
		`\b(?:rott[oaie]|divelt[oaie]|sfondat[oaie]|marci[oaie]?|mancant[ei]|si muove|non si chiude|cedut[oaie]|abbattut[oaie]|senza protezione|vuoto di)\b`),
	rules(1.0, "pileup", `\b(?:(?:tamponamento|incidente|scontro) a catena|maxi tamponamento|pile ?up)\b`),
	rules(0.8, "accident",
		`\b(?:incident[ei]|scontr\w+|tamponament[oi]|sinistro|ribaltat[oa]|uscit[oa] di strada|finit[oa] (?:contro|fuori strada|nel fosso)|accident|crash)\b`),
	rules(1.0, "fuel", `\b(?:benzina|gasolio|carburante|olio) (?:\S+ ){0,2}(?:cola|perde|sversat\w*|sull asfalto|sulla strada)|\b(?:perdita|perde|cola) (?:\S+ ){0,5}(?:benzina|gasolio|carburante)\b|\b(?:odore|puzza) (?:forte )?di (?:benzina|gasolio|carburante)`),
	rules(1.0, "explosion",
		`\b(?:esplosione|esplosioni|scoppio|scoppi|boato|deflagrazione|explosion|blast)\b`,
		`\b(?:esplos[oaie]|esplod\w+|scoppiat[oaie]|scoppia(?:no|ta|to)?|saltat[oaie] in aria|exploded|blew up) (?:\S+ ){0,3}(?:bombol\w*|caldai\w*|tub[oi]|serbatoi\w*|cisterna|contatore|palazzo|casa|appartamento|auto|macchina|cassonett\w*|centralina|trasformatore|cabina|gomma|pneumatico|stufa|forno|boiler|tank|car|house|building)\b`,
		`\b(?:bombol\w*|caldai\w*|serbatoi\w*|cisterna|palazzina|cabina elettrica|trasformatore) (?:\S+ ){0,3}(?:esplos[oaie]|esplod\w+|scoppiat[oaie]|scoppia\w*|saltat[oaie] in aria)\b`),
	both(0.8, "traffic_light",
		`\bsemafor[oi]\b`,
		`\b(?:spent[oi]|lampeggiant[ei]|guast[oi]|rott[oi]|non funziona|abbattut[oi]|a terra|giallo|non si fermano)\b`),
	rules(1.0, "wrong_way", `\b(?:contromano|wrong way)\b`,
		`\b(?:a zig ?zag|ubriac[oa] al volante|guida(?:va)? ubriac[oa]|sbandando|drunk driv\w*|driving erratically)\b`),
	rules(0.4, "traffic_chaos",
		`\b(?:di traverso|quasi incidenti|nel caos|caos totale|macchine che passano a caso|passano a caso|in mezzo alle macchine|in mezzo alla strada)\b`),
	both(1.0, "vulnerable_deprived",
		`\b(?:anzian[oaie]|invalid[oaie]|disabil[ei]|allettat[oa]|malat[oaie]|non autosufficient[ei]|zzelderly|zzchild|neonat[oaie]|incinta|elderly|bambin[oie]|old (?:man|woman|lady|people|neighbou?r)|casa di riposo|rsa|ospizio|ospiti|disabled|pregnant|baby|my (?:grandma|grandmother|grandfather|grandpa|mother|father|mum|mom|dad)|neighbou?r)\b`,
		`\b(?:senza (?:riscaldamento|cibo|mangiare|acqua|luce|corrente|elettricita|gas|medicine|farmaci|assistenza)|al buio|caldaia (?:e )?rott[ao]|riscaldamento (?:e )?rotto|in casa ci sono zzsmallnum gradi|zzsmallnum gradi in casa|niente da mangiare|non ha (?:piu )?(?:il |la |l |da )?(?:riscaldamento|cibo|mangiare|acqua|luce|gas|medicine|soldi per mangiare)|freddissimo|fa freddo|al gelo|gelera|morire di freddo|non (?:mangia|risponde|scende|esce) piu|non (?:risponde|apre|rispondono)(?: \S+){0,3} (?:porta|telefono|citofono|campanello)|non risponde|non apre la porta|nessuno (?:lo|la) vede|non (?:riesce|riesco|riusciamo) (?:nemmeno|neanche|piu) (?:a|ad) (?:alzarsi|alzarmi|alzarla|alzarlo|lavarsi|lavarmi|muoversi|muovermi|mangiare|camminare|respirare|uscire|spostarlo|spostarla)|non (?:la|lo|li) vediamo|non si (?:vede|sente) da|al freddo|gradi in casa|sotto zero|confus[oa]|disorientat[oa]|non sa (?:dove|come) (?:andare|tornare|rientrare|sia)|in pigiama|nessuno (?:lo|la|li) (?:assiste|aiuta)|dializzat[oa]|dialisi|ossigeno|insulina|salvavita|isolat[oiae]|no heating|without heating|freezing|no food|won t answer|isn t answering|not answering|hasn t been seen|no one has seen)`),
	both(1.0, "not_seen",
		`\b(?:da (?:giorni|due giorni|tre giorni|una settimana|ieri|(?:lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica)(?: scors[oa])?)|non (?:la|lo) (?:vedo|vediamo|sento|sentiamo)|non (?:\S+ ){0,2}(?:vedo|vediamo|visto|vista|sento|sentiamo|sentito|sentita) (?:\S+ ){0,2}(?:da )?(?:due|tre|quattro|cinque|molti|tanti) giorni|non si (?:sente|vede) (?:piu )?da)\b`,
		`\b(?:non (?:esce|apre|risponde|si fa vedere)|porta chiusa|(?:telefono|cellulare|citofono|campanello) (?:\S+ ){0,2}(?:suona|squilla|squillare|a vuoto)|(?:televisione|tv|radio|luce|luci) (?:\S+ ){0,2}sempre acces[ae]|cattivo odore dalla porta|puzza dalla porta|(?:gli|le) sia successo qualcosa|successo qualcosa|posta (?:si )?accumula)\b`),
	rules(0.8, "homeless",
		`\b(?:dorm\w* in (?:macchina|auto)|dorm\w* per strada|dorm\w* all aperto|senza un tetto|in mezzo a una strada|sfrattat[oaie] (?:oggi|ieri|stamattina))\b`,
		`\bdorm\w* (?:\S+ ){0,3}(?:su una panchina|sulla panchina|sulle panchine|in strada|in stazione|alla stazione|sui cartoni|sotto i portici|sotto il ponte)\b`),
	rules(0.3, "alone",
		`\b(?:vive|vivono|abita|rimast[oa]) (?:da )?sol[oaie]\b|\b(?:anzian[oaie]|invalid[oaie]) sol[oaie]\b`),
	rules(0.8, "could_hurt",
		`\b(?:qualcuno|una persona|un bambino|i bambini|un anziano|la gente|qualcun altro|someone) (?:\S+ ){0,3}(?:si (?:fa|faccia|fara|e fatto) male|si (?:ferisce|ferisca|ferira)|(?:ci )?(?:cade|cada|cadra|finisce|finisca|finira|va|vada|andra|sbatte) (?:dentro|sotto|addosso|contro)|(?:viene|venga|verra) (?:investit|colpit|travolt)\w*|get hurt|fall in)\b`,
		`\b(?:ci (?:puo|potrebbe|possono) (?:cadere|finire) (?:dentro )?qualcuno|prima che (?:qualcuno|ci scappi|succeda (?:qualcosa|una tragedia|il peggio))|succede una tragedia|(?:rischia|rischiano|ha rischiato|hanno rischiato) la vita|rischia grosso)\b`),
	rules(1.0, "open_hole",
		`\b(?:buco aperto|buca aperta|voragine|cratere|crater|manca (?:una|la|il|un) (?:grata|griglia|coperchio|tombino|chiusino|tavola|gradino)|buco (?:di un metro|enorme|profondo|gigante)|tombin[oi] (?:\S+ ){0,2}(?:saltat|salta|saltano|apert|sfondat|scoperchiat|rott|senza coperchio|mancant)\w*|chiusino (?:\S+ ){0,2}(?:saltat|apert|sfondat|rott|mancante)\w*|pozzo (?:aperto|scoperto))\b`),
	both(1.0, "person_fell",
		`\b(?:anzian[oaie]|zzelderly|invalid[oaie]|disabil[ei]|nonn[oa]|vicin[oa]|signor[ae]?|madre|padre|mamma|papa|zi[oa])\b`,
		`\b(?:(?:e|sono) cadut[oaie]|cadut[oa] in casa|cadut[oa] per terra|non riesce (?:a|ad) (?:alzarsi|rialzarsi|aprire|muoversi)|chiama(?:re)? aiuto|chiede aiuto|grida|la sento (?:chiamare|urlare|gridare)|lo sento (?:chiamare|urlare|gridare))\b`),
	both(1.0, "child_alone",
		`\b(?:zzchild|bambin[oa]|bimb[oa]|piccol[oa] di)\b`,
		`\b(?:da sol[oa]|scappat[oa]|fuggit[oa]|allontanat[oa]|senza (?:adulti|genitori|nessuno)|sperdut[oa]|smarrit[oa]|si e pers[oa]|pers[oa] (?:al|nel|nella|in)|in mezzo alla strada|sul ciglio|piange|chiama la mamma|cerca (?:la mamma|il papa|i genitori)|alone|lost)\b`),
	both(1.0, "level_crossing",
		`\bpassaggio a livello\b`,
		`\b(?:sbarre|guast\w*|non funziona|alzat[ea]|non si abbassano|rott\w*)\b`),
	rules(0.6, "help",
		`\b(?:aiuto|aiutat\w+|mi aiuti|ci aiuti|sos|vi prego|la prego|ti prego|help|please help|emergenza|emergency)\b`,
		`\b(?:chiamare aiuto|chiede aiuto|chiedeva aiuto|grida aiuto|gridava aiuto)\b`,
		`\b(?:aiutateci|aiutatemi|aiutatelo|aiutatela|aiutatece|aiutateme|iutateme|aiutu|currite|accurrite|correte|venite (?:subito|presto|di corsa|ampressa)|ampressa|fate presto|send (?:someone|somebody|help|an ambulance|the police|the fire)|call (?:an ambulance|the police|the fire brigade|112|911)|chiamate (?:un ambulanza|l ambulanza|i pompieri|i vigili del fuoco|il zzemergencynumber))\b`),
	rules(0.4, "now",
		`\b(?:subito|immediatamente|immediata|urgente|urgenti|urgentemente|adesso|ora|in questo momento|stanotte|stasera|asap|now|right now|prima che)\b`,
		`\b(?:(?:sta|stanno) ancora \w+ndo|ancora adesso|(?:e|sono|ancora) in corso|(?:is|are) still|still \w+ing)\b`),
	both(0.4, "children",
		`\b(?:bambin[oaie]|bimb[oaie]|ragazzini|alunni|scuola|asilo|materna|nido|passeggin[oi])\b`,
		`\b(?:pericol\w*|rischi\w*|taglia\w*|strada|macchine|attravers\w*|cad\w+|fuori|uscire|bordo|a un passo|sfuggit[oa]|scappat[oa])\b`),
	rules(0.4, "danger_word",
		`\b(?:pericol\w*|rischi\w*|paura|dangerous|danger|unsafe)\b`),
	// Residents and visitors who write in French, Spanish or German, or in
	// the Italian of someone still learning it: the basic words of an
	// emergency, in the families above so that they weigh and route alike.
	rules(1.2, "fire",
		`\b(?:feu|incendie|en flammes|brule|fuego|quemando|se quema|feuer|brennt|es brennt)\b`),
	rules(1.0, "smoke", `\b(?:fumee|humo|rauch|qualm)\b`),
	rules(1.2, "gas", `\b(?:(?:fuite|odeur) de gaz|sent le gaz|(?:fuga|olor) (?:de|a) gas|huele a gas|gas\w*geruch|riecht nach gas)\b`),
	rules(1.1, "injury",
		`\b(?:bless(?:e|ee|es|ees)|inconscient\w*|evanoui\w*|ne (?:respire|bouge|repond) (?:plus|pas)|ne se reveille pas|saign\w+|malaise|crise cardiaque|herid[oa]s?|desmayad[oa]|no (?:respira|se mueve|despierta|reacciona|contesta)|sangr\w+|se (?:ha )?cayo|verletzt\w*|bewusstlos|ohnmachtig|atmet (?:nicht|kaum)|bewegt sich nicht|blutet|gesturzt|hingefallen|herzinfarkt|unterzucker\w*)\b`,
		`\b(?:cadut[oa] (?:\S+ ){0,5}non (?:riesc\w*|posso|puo|riusciamo) (?:piu )?(?:a |ad )?(?:alzar|rialzar|muover|tirarl|tirarm)\w*|non si regge (?:piu )?in piedi|non (?:si )?sveglia|non apre (?:piu )?(?:gli |i |li )?occhi|non (?:riesce a |puo )?respirare|non respirare|respira (?:strano|strana|strani|come (?:se|un))|(?:diventat[oa]|e) (?:tutt[oa] )?(?:bianc[oa]|pallid[oa]) e non)\b`),
	rules(1.0, "missing_person", `\b(?:disparu\w*|desaparecid[oa]s?|vermisst|verschwunden)\b`),
	rules(1.0, "flood", `\b(?:inonde\w*|inondation|inundad[oa]s?|inundacion|uberschwemm\w*|hochwasser|l eau (?:\S+ ){0,4}(?:monte|entre|rentre)|el agua (?:\S+ ){0,4}(?:sube|entra)|wasser (?:\S+ ){0,4}(?:steigt|kommt)|steigt weiter)\b`),
	rules(1.0, "trapped", `\b(?:coince\w*|atrapad[oa]s?|eingeschlossen|eingeklemmt|(?:no|non) (?:\S+ ){0,2}(?:pol|po|puo) (?:mai )?(?:moverse|moversi|muoversi))\b`),
	rules(1.1, "weapon",
		`\b(?:couteau|cuchillo|navaja|messer|waffe|(?:spaccat|rott|spezzat)\w* (?:\S+ ){0,1}bottiglia)\b`,
		`\b(?:agita|brandisce|brandiva|sventola|punta|impugna) (?:\S+ ){0,3}(?:contro (?:la gente|i passanti|chi|le persone|di noi|la folla)|coltell\w*|forbici|coccio|cocci|bastone|spranga|cacciavite)\b`),
	rules(1.1, "beating", `\b(?:(?:sta|stanno) a (?:men|picchi|pest|massacr|corc)\w*|(?:au secours|a l aide) (?:\S+ ){0,3}(?:frappe|tape)|golpeando|pegandole|pegandole|angegriffen|schlagt (?:ihn|sie)|verprugel\w*)\b`),
	rules(0.6, "help",
		`\b(?:au secours|a l aide|aidez (?:nous|moi)|urgence|socorro|auxilio|ayuda|ayudenme|ayudennos|urgencia|hilfe|helfen sie|notfall|ajutor)\b`,
		`\b(?:venite|vegni|vegnite|correte|venga|venisse) a (?:tirar\w* (?:fuori|fora|fuora)|salvar\w*)\b`),
	rules(0.4, "emergency_services", `\b(?:pompiers|samu|bomberos|ambulancia|feuerwehr|kran\w*wagen|notarzt)\b`),
	rules(0.4, "danger_word", `\b(?:dangereu\w*|peligro\w*|gefahr\w*)\b`),
	wordsRule(0.2, 0.8, "risk_words",
		`\b(?:pleur\w*|llora\w*|weint|froid|frio|kalt|chaleur|calor|hitze|al sol|sang|sangre|blut|peur|miedo|angst|vite|rapido|schnell|dringend|aide|ayuda|hilfe|rollstuhl|fauteuil roulant|silla de ruedas|carrozzin\w*|carozin\w*)\b`),
	// Danger told indirectly: water coming into homes, stray dogs
	// turning on people, an open trench or hole with nothing around it,
	// something swaying over people.
	both(1.0, "flood",
		`\b(?:entra|entrano|entrando|entrat[ao]|sta entrando|filtra|filtrando|la entra|penetra|arriva|arrivat[ao]) (?:\S+ ){0,3}(?:in casa|nelle case|ne le case|nele case|dentro casa|in cantina|nelle cantine|nel seminterrato|al piano terra|ai piani terra|pian teren|in camera|in salotto|in cucina|sotto la porta|da sotto la porta|nei negozi|nell appartamento|negli appartamenti)\b`,
		`\b(?:acqua|aqua|fango|water|eau|agua|wasser)\b`),
	both(1.0, "stray_dogs",
		`\b(?:can[ei]|cagn\w+|randag\w+|branco|pitbull|rottweiler|molosso|molossi|dogs?|chien\w*|perr[oa]s?|hunde?)\b`,
		`\b(?:ringhi\w* (?:\S+ ){0,2}(?:contro|verso|a (?:un|una|i|le|chi))|(?:fatto|fa|fanno|ha fatto|hanno fatto) (?:lo |uno |degli |gli )?scatt\w*|si (?:e|sono) (?:lanciat|avventat)\w*|si lancia\w*|si avventa\w*|azzann\w*|mors\w*|mord\w*|inseguit\w*|insegu\w*|attacca\w*|aggredi\w*|growl\w*|snarl\w*|lunged?|atacando|attaque|angreift|beisst)\b`),
	both(0.7, "unguarded",
		`\b(?:fosso|fossa|scavo|scavi|scavat[oa]|trincea|buca|buche|buco|pozzo|voragine|tombino|chiusino|cantiere)\b`,
		`\b(?:senza (?:\S+ ){0,1}(?:transenn\w*|recinzion\w*|protezion\w*|nastro|segnalazion\w*)|(?:nessuna|alcuna|neanche una|nemmeno una|niente|manca la|mancano le) (?:transenn\w*|recinzion\w*|protezion\w*|segnalazion\w*)|non (?:e|sono) (?:\S+ ){0,1}(?:transennat|recintat|segnalat|protett)\w*)\b`),
	rules(0.7, "overhead",
		`\b(?:dondol\w*|oscill\w*|traball\w*|ondeggi\w*|pende|pendono|penzol\w*|appes[oa]|in bilico|si muove|si muovono|allentat\w*|sganciat\w*|swaying|hanging) (?:\S+ ){0,6}(?:sopra|sulla testa|addosso|over) (?:\S+ ){0,3}(?:gente|scuola|asilo|case|cortile|giardino|persone|passanti|bambini|chi (?:passa|aspetta|entra|esce)|fermata|panchin\w*|marciapiede|ingresso|fila|passaggio|pedoni|tavolini|dehors|giochi|people|pedestrians)\b`),
	// Words that, together, describe harm in ways no pattern above
	// foresaw: each distinct one adds a little, never enough alone.
	wordsRule(0.2, 0.8, "risk_words",
		`\b(?:cadut\w*|cade|cadono|cadere|crolla\w*|fuoco|fiamm\w+|fumo|incendi\w*|allag\w+|acqua alta|gas|benzina|esplo\w+|scoppi\w*|ferit\w*|sangue|morso|punt[oa] da|vetri|vuoto|precipit\w+|soffoc\w+|gelo|ghiaccio|freddo|asmatic\w*|ossigeno|soccors\w*|aiuto|vi prego|urgent\w*|subito|immediatamente|spaventat\w*|piange|grida|urla|urlano|bloccat\w*|non risponde|buco|isolat\w*|ospedale|pericolosissim\w*)\b`),
	wordsRule(0.2, 0.8, "risk_words",
		`\b(?:strill\w*|svenut\w*|sviene|respir\w*|ambulanz\w*|zzemergencynumber|pompieri|crep[ae]|crepat\w*|scintill\w*|sibil\w*|tossic\w*|intossic\w*|ghiacciat\w*|trascin\w*|corrente fortissima|pericolant\w*|cedut\w*|cediment\w*|sband\w*|ribb?altat\w*|schiant\w*|annega\w*|affoga\w*|terrorizzat\w*|disperat[oa]|tremend[oa]|fire|smoke|flames?|burning|blood|bleeding|injured|hurt|fell|fallen|collapsed?|ice|icy|frozen|cracking|flood\w*|drown\w*|scream\w*|help|emergency|ambulance|urgent\w*|trapped|stuck|unconscious|breathing|dangerous|danger|hurry)\b`),
	// People at risk in the scene add less: they are often just there.
	wordsRule(0.1, 0.3, "people_at_risk",
		`\b(?:bambin\w*|bimb\w*|anzian\w*|zzelderly|zzchild|disabil\w*|incinta|neonat\w*|passanti|gente|persone|ragazzi|vecchiett\w*|qualcuno|una persona|operai|pazienti|turisti|kids|children|people|someone|somebody|a man|a woman|a child)\b`),
)

// calmPhrases use danger words without danger: harm denied ("nessun
// ferito"), a figure of speech ("una bomba", "da morire", "crollo dei
// prezzi"), a time or a help that is no alarm ("a che ora", "un aiuto per
// la domanda"). A danger match inside one of them does not count.
var calmPhrases = concat(
	rules(0, "calm",
		`\b(?:nessun|nessuna|senza|zero|non ci sono(?: stati)?|non c e stato (?:nessun|alcun)|no) (?:\S+ ){0,1}(?:ferit[oaie]|vittim[ae]|mort[oi]|injur\w*|casualties|pericol\w*|rischi\w*|danger)\b`,
		`\b(?:nessuno (?:\S+ ){0,2}(?:fatto male|ferit[oa]|coinvolt[oa]|hurt|injured)|(?:niente|nulla) di grave|no(?: one|body) (?:was |got )?(?:hurt|injured)|non (?:e|sembra|mi sembra) (?:\S+ ){0,1}pericolos\w*)\b`,
		`\b(?:da morire|morire dal ridere|mort[oaie] dal ridere|muoio dal ridere|(?:mi|ci|ti|vi) (?:fa|fanno|fate|fai|ha fatto|hanno fatto|avete fatto) morire|si muore di (?:noia|caldo|sonno|fame|sete)|muoio di (?:noia|caldo|sonno|fame|sete)|mort[oi] di fame|binario morto|punto morto|vicolo cieco)\b`,
		`\b(?:centro|citta|paese|quartiere|zona|mercato|negozi) (?:\S+ ){0,3}(?:mort[oaie]|un mortorio)\b`,
		`\b(?:e|era|e stat[oa]|sei|siete|sono stat[ie]) (?:proprio |davvero |stat[aoie] )?(?:una |delle )?bomb[ae]\b`,
		`\b(?:bomba (?:di|d) (?:calorie|energia|gioia)|fuoch\w* d artificio|fuoco d artificio|giochi pirotecnici|fireworks?|fiamme gialle|a fuoco lento|(?:mettere|messo|mettete) a fuoco|esplosione di (?:colori|gioia|sapori|vita|suoni)|(?:mi|ti) sparo|spar\w* (?:cazzate|sciocchezze|balle|stupidaggini)|ammazza (?:che|quanto|oh|aho)|da urlo)\b`,
		`\b(?:sputare sangue|donazion\w* (?:di |del )?sangue|donare (?:il )?sangue|donator\w* di sangue|raccolta (?:di |del )?sangue|analisi del sangue|sangue freddo|ribollire il sangue|fumo (?:passivo|di sigarett\w*|delle sigarett\w*|della sigarett\w*|dei fumatori|del barbecue|della grigliata|delle grigliate))\b`,
		`\b(?:cadut[oa] (?:un|il) dente|(?:troppi|tanti|molti|numerosi|diversi|continui|frequenti|ennesimi) (?:\S+ ){0,1}(?:incidenti|sinistri|tamponamenti)|incidenti (?:frequenti|continui)|too many (?:accidents|crashes))\b`,
		`\b(?:incendio|terremoto|valanga|tsunami|pioggia|bufera|tempesta|uragano|bomba|esplosione|alluvione|diluvio|marea|ondata|frana) (?:di|d) (?:proteste|polemiche|commenti|critiche|insulti|multe|tasse|richieste|lamentele|messaggi|email|like|complimenti|turisti|gente|iscrizioni|segnalazioni|emozioni)\b`,
		`\b(?:terremoto|bufera|tempesta|uragano|bomba) (?:politic\w*|in giunta|in consiglio|in comune|mediatic\w*)\b`,
		`\b(?:(?:si (?:e|sono) )?fatt[oaie] male|ferit[oaie]|(?:si (?:e|sono) )?rott[oaie] (?:\S+ ){0,2}(?:caviglia|polso|ginocchio|gamba|braccio)) (?:\S+ ){0,4}(?:giocando|durante (?:la partita|l allenamento|la gara))\b`,
		`\b(?:crollo|crollat[oaie]|crollano|crolla) (?:dei|delle|del|della|degli) (?:prezz|vendit|turist|turism|consens|iscritt|presenz|affluenz|nascit|prenotazion|temperatur|client)\w*`,
		`\b(?:sito|app|portale|server|sistema|website|pagina|applicazione|piattaforma) (?:\S+ ){0,3}(?:crash\w*|crollat\w*|in tilt|down)\b`,
		`\b(?:sommers[oaie]|inondat[oaie]|allagat[oaie]) (?:di|da|dalle|dai|dagli) (?:lavoro|richieste|pratiche|email|mail|messaggi|telefonate|burocrazia|carte|multe|tasse|volantini|pubblicita|spam|turisti|cartelloni|segnalazioni)\b`,
		`\b(?:emergenza (?:abitativa|casa|rifiuti|parcheggi\w*|climatica|sanitaria|traffico|cinghiali|topi|zanzare|sociale|educativa|sfratti|lavoro)|(?:piano|piani|numero|numeri|uscit\w*|kit|corso|sportello) (?:di |d )?emergenza|emergency (?:plan|exit|number|kit))\b`,
		`\b(?:(?:un|l|dell|qualche|vostro|nostro|del|di|per l|un po di|grazie per l) aiuto|aiuto (?:economico|compiti|domestic\w*|in casa|per (?:compilare|pagare|la domanda|il modulo|trovare|capire))|aiuti (?:economici|alimentari|per)|help (?:me )?(?:with|to|understand|find|figure)|help ?desk|helpful|thanks for (?:the|your) help)\b`,
		`\b(?:(?:ora|adesso) (?:l |lo |la |li |le )?(?:hanno|avete|e stat[oa]|sono stat[ie]|e|sono) (?:\S+ ){0,1}(?:sistemat|riparat|tolt|rimoss|risolt|tappat|chius|spent|a posto)\w*|(?:ora|adesso|ormai) (?:e )?tutto (?:ok|bene|a posto|tranquillo)|subito (?:dopo|prima)|(?:l|un|che|quest|ogni|mezz|all|nell|per|fino ad|ad|d|di|quell|una) (?:ora|adesso)|ora (?:di punta|legale|solare|di pranzo|di cena|in poi|come ora)|(?:for|by|until|up to) now)\b`),
)

// overRules tell of a danger that is over, or thank for its end; planRules
// ask about a plan, a risk in general or its aftermath ("in caso di
// terremoto", "il rimborso dei danni dell'alluvione"), or say it can wait
// ("quando potete", "prima o poi"). Either lowers the danger score, unless
// ongoingRules say something is happening now ("adesso", "sta salendo").
var overRules = concat(
	rules(1, "over",
		`\b(?:anno scorso|scorso anno|(?:anni|mesi|settimane|anno|mese|settimana|tempo) fa|settimana scorsa|mese scorso|scors[oa] (?:settimana|estate|primavera|stagione|mese|inverno|autunno|weekend|fine settimana)|in passato|risale a|da allora|l ultima (?:volta|alluvione|frana|scossa|esondazione|piena)|finalmente|fortuna (?:non|niente|nessun|nulla|e andata bene)|andata bene|last (?:year|month|week|winter|summer|autumn|spring)|(?:years|months|weeks|year|month|week) ago|in the past)\b`,
		// Small patterns for cues that begin with a frequent word: the
		// scan tries them wherever the word is.
		`\b(?:nel|del|nell|dal) zzyear\b`,
		`\bnon c e piu\b`,
		`\b(?:avete|hanno|abbiamo|e stat[oa]|sono stat[ie]) (?:finalmente |gia |subito )?(?:tolto|tolt[ie]|rimoss[oaie]|portato via|portat[ie] via|sistemat[oaie]|riparat[oaie]|mess[oaie] in sicurezza|ripulit[oaie]|liberat[oaie]|riapert[oaie])\b`,
		`\b(?:grazie|ringrazi\w*|thank\w*) (?:\S+ ){0,4}(?:per l intervento|per essere intervenut\w*|per aver\w*|per come|per la rapidita|per la prontezza|dell intervento|for (?:the |your )?(?:quick |fast |rapid )?(?:response|rescu\w*|fixing|coming))\b`,
		`\b(?:grazie|ringrazi\w*) (?:ai|alle|agli|a tutti i|i) (?:vigili|pompieri|volontari|soccorritori|operai|tecnici|carabinieri|poliziotti|agenti)\b`,
		`\b(?:tutto risolto|risolto tutto|tutto a posto|problema risolto|(?:temporale|pericolo|paura|piena|bufera|allerta) (?:e )?(?:passat|rientrat|finit)\w*|passat[oa] (?:il|la) (?:temporale|pericolo|paura|piena|bufera)|(?:ora|adesso|ormai) (?:e )?tutto (?:ok|bene|a posto|tranquillo)|incendio (?:e )?spento|stat[oaie] spent[oaie]|hanno spent[oa]|tornat[oa] (?:tutto )?(?:normale|alla normalita|a posto)|all fixed|sorted now)\b`),
)

var planRules = concat(
	rules(1, "not_urgent",
		`\b(?:quando potete|con calma|non (?:e|sembra) urgente|non urgente|senza fretta|nessuna fretta|non da fastidio|non (?:e|sembra) pericolos\w*|nessun pericolo|non so se (?:e|sia) grave|prima o poi|un giorno o l altro|ogni volta che|tutte le volte che|quando piove|ogni (?:anno|inverno|estate|autunno)|no rush|when you can|not urgent|sooner or later|every time|whenever)\b`),
	rules(1, "plan",
		`\b(?:in caso di|nel caso (?:di|in cui|ci sia)|se dovesse|se ci fosse|qualora|esercitazion\w*|simulazion\w*|prova di evacuazione|piano (?:di |d )?(?:emergenza|evacuazione|protezione civile)|piano neve|a rischio (?:frana|crollo|cedimento|alluvione|esondazione|sismico|idrogeologico|incendi)|(?:famiglie|case|zone|persone|attivita|aziende|negozi) (?:\S+ ){0,1}colpit[ei]|contribut\w*|agevolazion\w*|rischio (?:sismico|idrogeologico)|zona rossa|area di attesa|aree di attesa|mostra|museo|documentario|anniversario|commemorazion\w*|vittime del|rimbors\w*|risarciment\w*|indennizz\w*|contribut\w* per i danni|danni (?:dell|del|della|causati)|corso (?:di|sul|sulla) (?:primo soccorso|protezione civile|sicurezza|autodifesa|rianimazione)|primo soccorso|cosa fare se|what to do if|in case of|emergency plan|drill|grant|refund|compensation)\b`),
)

// warnPhrases foresee harm from a danger there now ("prima o poi qualcuno
// si fa male"): their "prima o poi" does not say that it can wait.
var warnPhrases = rules(0, "warning",
	`\b(?:prima o poi|un giorno o l altro|sooner or later) (?:\S+ ){0,2}(?:qualcuno|ci scappa|succede (?:una tragedia|il peggio|qualcosa di grave)|si fa|ci rimette|someone)\b`)

var ongoingRules = concat(
	rules(1, "ongoing",
		`\b(?:adesso|ora|in questo momento|proprio ora|subito|immediatamente|aiuto|help|right now|now|(?:sta|stanno) \w+ndo|continua\w*|ancora (?:dentro|a terra|li|la|bloccat\w*|in mezzo|apert[oa])|c e ancora (?:qualcuno|gente|una persona|un bambino|un ragazzo)|ci sono ancora (?:persone|bambini|ragazzi|gente|feriti)|(?:is|are) \w+ing)\b`),
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
		`\b(?:sconto|sconti|scontat\w*|offerta|offerte|promo|promozione|vendo|vendesi|compra|acquista|spedizione|prezzi|prezzo|shop|negozio online|link in bio|seguiteci|seguimi|seguici|follower\w*|like|iscriviti|clicca|click|casin[oò] online|scommess\w*|slot|bonus di benvenuto|gratis|free|vinci|vincere|win|winner|omaggio|trattament\w* viso|dimagr\w*|integrator\w*)\b`),
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
	// calmed: the danger is over or hypothetical, and nothing says it is
	// happening now.
	calmed bool
}

// calmFactor scales the danger of a message whose danger is over or
// hypothetical: only a scene described with many cues still alarms.
const calmFactor = 0.4

func applyRules(a analysis, raw string) ruleHits {
	var h ruleHits
	text := " " + a.folded
	m := scan(text)
	var calm []string
	for _, r := range calmPhrases {
		calm = append(calm, r.fires(m)...)
	}
	// live drops the matches inside a calm phrase.
	live := func(found []string) []string {
		if len(calm) == 0 {
			return found
		}
		var out []string
		for _, s := range found {
			inside := false
			for _, c := range calm {
				if overlaps(strings.TrimSpace(s), c) {
					inside = true
					break
				}
			}
			if !inside {
				out = append(out, s)
			}
		}
		return out
	}
	// fires reports a match of list; with calmed, one outside the calm
	// phrases ("a che ora" is no "ora").
	fires := func(list []rule, calmed bool) bool {
		for _, r := range list {
			f := r.fires(m)
			if calmed {
				f = live(f)
			}
			if len(f) > 0 {
				return true
			}
		}
		return false
	}
	score := func(list []rule) float64 {
		// Distinct matches of a family add up with diminishing returns:
		// "parassiti schifosi" is more than "parassiti", not twice more.
		found := map[string]map[string]bool{}
		var order []string
		for _, r := range list {
			for _, s := range live(r.fires(m)) {
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
	if h.danger > 0 && !fires(ongoingRules, true) {
		// Over, or asked about in general: still counted, but a danger
		// alone no longer decides.
		over, plan := fires(overRules, false), false
		var warned []string
		for _, r := range warnPhrases {
			warned = append(warned, r.fires(m)...)
		}
		for _, r := range planRules {
			for _, s := range r.fires(m) {
				if !slices.ContainsFunc(warned, func(w string) bool { return overlaps(strings.TrimSpace(s), w) }) {
					plan = true
				}
			}
		}
		if over {
			h.names = append(h.names, "over")
		}
		if plan {
			h.names = append(h.names, "plan")
		}
		if over || plan {
			h.danger *= calmFactor
			h.calmed = true
		}
	}
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

// overlaps reports whether two matches share words: one holds the other,
// or one ends with words the other begins with ("mio figlio e caduto" and
// "e caduto un dente").
func overlaps(a, b string) bool {
	if strings.Contains(a, b) || strings.Contains(b, a) {
		return true
	}
	for _, x := range [2][2]string{{a, b}, {b, a}} {
		for i := strings.IndexByte(x[0], ' '); i >= 0; {
			if strings.HasPrefix(x[1], x[0][i+1:]+" ") {
				return true
			}
			j := strings.IndexByte(x[0][i+1:], ' ')
			if j < 0 {
				break
			}
			i += j + 1
		}
	}
	return false
}

// namedCues are the words after which a capitalised word names a private
// person: "sono Rosa", "il mio vicino Franco", "mia figlia Sofia"; and
// sigAbbrev "la sig.ra Bianchi", "Sig. Rossi", read without their dots.
var namedCues = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`sono Sono vicino vicina signor signora signore Signor Signora Signore
	figlio figlia marito moglie compagno compagna fratello Fratello sorella Sorella madre Madre padre Padre
	zio Zio zia Zia nonno Nonno nonna Nonna`) {
		m[w] = true
	}
	return m
}()

var sigAbbrev = map[string]bool{"sig": true, "Sig": true, "sigr": true, "Sigr": true, "sigra": true, "Sigra": true}

// hasNamedPerson finds a named private person in the original text: a
// name after one of namedCues or "mi chiamo", or a frequent first name and
// a surname ("a Giuseppe Ferluga"). It reads words, not a regular
// expression: it runs on every message.
func hasNamedPerson(raw string) bool {
	words := strings.Fields(raw)
	for i := 0; i+1 < len(words); i++ {
		w := words[i]
		cue := namedCues[w] || sigAbbrev[strings.ReplaceAll(w, ".", "")] ||
			(w == "chiamo" && i > 0 && (words[i-1] == "mi" || words[i-1] == "Mi"))
		if cue && capitalised(words[i+1], 2) {
			last := trimNonLetters(words[i+1])
			if i+2 < len(words) && capitalised(words[i+2], 1) && !strings.ContainsAny(words[i+1], ".,;:!?") {
				last = trimNonLetters(words[i+2])
			}
			if !notNames[last] {
				return true
			}
		}
		if fullName(words, i) {
			return true
		}
	}
	return false
}

// capitalised reports a word that begins with a capital letter followed by
// at least n lower-case letters.
func capitalised(w string, n int) bool {
	first := true
	for _, r := range w {
		switch {
		case first && !unicode.IsUpper(r):
			return false
		case first:
			first = false
		case n == 0:
			return true
		case !unicode.IsLower(r):
			return false
		default:
			n--
		}
	}
	return !first && n == 0
}

func trimNonLetters(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
}

// firstNames are frequent Italian first names: one followed by a
// capitalised word is a person's full name ("a Giuseppe Ferluga"), unless
// a street, a school or a building is named after them.
var firstNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`Alessandro Alessandra Alberto Alessia Andrea Angela Angelo Anna Antonella
	Antonio Barbara Beatrice Bruno Carla Carlo Caterina Chiara Claudia Claudio Cristina Daniela Daniele
	Davide Domenico Elena Elisa Emanuele Enrico Enzo Fabio Federica Federico Francesca Francesco Franco
	Gabriele Giacomo Gianluca Gianni Giorgio Giorgia Giovanna Giovanni Giulia Giulio Giuseppe Giuseppina
	Grazia Ilaria Laura Lorenzo Luca Lucia Luciano Luigi Manuela Marco Maria Marina Mario Marta Massimo
	Matteo Maurizio Michela Michele Monica Nicola Paola Paolo Patrizia Pietro Rita Roberta Roberto Rosa
	Rosaria Salvatore Sara Serena Silvia Simona Simone Sofia Stefania Stefano Teresa Tommaso Valentina
	Valerio Vincenzo Walter`) {
		m[n] = true
	}
	return m
}()

// namedAfter are the words before a name that is a place, not a person.
var namedAfter = map[string]bool{
	"via": true, "viale": true, "piazza": true, "piazzale": true, "corso": true, "largo": true, "vicolo": true,
	"scuola": true, "istituto": true, "liceo": true, "teatro": true, "ospedale": true, "stadio": true,
	"parco": true, "ponte": true, "palazzo": true, "museo": true, "biblioteca": true, "centro": true,
	"circolo": true, "san": true, "santa": true, "don": true, "galleria": true, "lungomare": true, "riva": true,
	"aeroporto": true, "stazione": true, "palazzetto": true, "auditorium": true, "fondazione": true,
}

// fullName reports a frequent first name at words[i] followed by a
// capitalised word, not in a place's name ("via Giuseppe Verdi").
func fullName(words []string, i int) bool {
	w := words[i]
	// "Giulia, Marco e Anna" is a list, not a full name.
	if !firstNames[trimNonLetters(w)] || strings.ContainsAny(w[len(w)-1:], ".,;:!?)") {
		return false
	}
	last := trimNonLetters(words[i+1])
	if !capitalised(last, 2) || notNames[last] {
		return false
	}
	return i == 0 || !namedAfter[strings.ToLower(trimNonLetters(words[i-1]))]
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
	"beating": "polizia_locale", "pileup": "polizia_locale", "missing_vulnerable": "polizia_locale",
	"explosion": "protezione_civile", "gas_leak": "protezione_civile", "life_support": "servizi_sociali",
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
