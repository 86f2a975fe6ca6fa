// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import "testing"

// The messages below were written for this test, each kind of emergency
// in words the base set and the hand-written batches do not use, to check
// that the danger cues are general rather than a list of past messages;
// and messages that only mention danger (over, figurative, hypothetical,
// denied), which must not raise an alarm.
func TestUrgencyCues(t *testing.T) {
	m := base(t)
	urgent := []string{
		// people hurt or unwell
		"c'è un uomo sdraiato sul marciapiede davanti alla farmacia, respira male e non risponde",
		"mio suocero ha un dolore al petto fortissimo e suda freddo, cosa facciamo",
		"un ciclista è stato urtato da un furgone in via Dante e adesso si tiene la testa, è pieno di sangue",
		"There's an old man lying on the pavement outside the post office, he isn't moving",
		"a woman collapsed at the bus stop and she's not breathing properly",
		"un ragazzo ha le convulsioni alla fermata del tram, è a terra",
		"overdose nei bagni della stazione, un ragazzo è bianco e non si sveglia",
		// water and drowning
		"un bambino è caduto nel canale vicino al ponte e non sa nuotare!!",
		"someone fell into the river near the old mill, he's being dragged by the current",
		"il sottopasso di via Tevere è pieno d'acqua e le auto ci entrano lo stesso",
		"the stream has burst its banks and the water is coming into the houses",
		"piove da ore e il rio sotto casa sta per uscire, ormai arriva al bordo",
		// fire, smoke, gas, CO
		"esce del fumo nero dal garage sotto il condominio e si sente odore di plastica bruciata",
		"si vedono le fiamme dal tetto del capannone in zona artigianale",
		"la bombola del gas della signora del terzo piano perde, si sente fortissimo",
		"tutta la famiglia ha mal di testa e nausea da stamattina, abbiamo la stufa accesa, può essere il monossido?",
		"there is a fire in the bins under my building and the flames are reaching the cars",
		// collapse, landslide, things falling
		"dalla montagna stanno venendo giù massi sulla provinciale, uno ha preso una macchina",
		"il soffitto del corridoio della scuola sta cedendo, si vedono le crepe allargarsi",
		"fango e detriti sulla strada per la frazione, le auto slittano",
		"pezzi di vetro della pensilina si stanno staccando con il vento e cadono dove aspetta la gente",
		// cables and electricity
		"dopo il temporale un cavo della corrente penzola sulla pista ciclabile e tocca la ringhiera",
		// missing and lost people
		"non troviamo più nostra figlia di 7 anni, era ai giardini con i cuginetti",
		"mio nonno ha la demenza ed è uscito di casa stamattina senza telefono, non sappiamo dove sia",
		"an old lady with dementia has wandered off from the care home, please help us look for her",
		// violence in progress
		"due uomini stanno prendendo a pugni un ragazzo alla fermata, venite",
		"hanno accoltellato uno davanti alla discoteca, c'è gente che urla",
		"some guys are attacking a man near the station, they're kicking him",
		"dal palazzo di fronte si sente una donna che urla aiuto e colpi contro la porta",
		"ragazzini che tirano sassi sulle macchine dal cavalcavia della tangenziale",
		// vehicles and accidents with people
		"una macchina ha investito una signora sulle strisce in viale Europa",
		"auto ribaltata nel fosso in via dei Campi, c'è ancora qualcuno dentro",
		"a car hit a kid on his bike at the roundabout",
		// trapped, alone, at risk
		"bambino chiuso in macchina sotto il sole nel parcheggio dell'ipermercato, piange",
		"sono rimasto chiuso in ascensore con mia madre che ha 90 anni, non risponde nessuno",
		// dialect
		"currite, ce sta 'nu ffuoco dint'o palazzo, 'a gente sta ancora ncoppa",
		"xe un omo in acqua in porto, no'l riesi a vignir fora",
		// someone and something happening to them, in words no single
		// pattern lists
		"alla stazione un ragazzo è caduto tra il treno e la banchina",
		"una bambina è rimasta con la mano incastrata nella scala mobile della metro",
		"oddio c'è un cane enorme che ha azzannato un ragazzino al parco, lo sta ancora mordendo",
		"dalla finestra vedo un bambino piccolo in piedi sul davanzale al quarto piano",
		"mio figlio ha ingerito dei detersivi, non so cosa fare",
		"my little brother swallowed a battery, what do I do",
		"è saltata la corrente in tutto il quartiere e mio padre usa il respiratore di notte",
		"mio nonno è uscito in bicicletta tre ore fa e non risponde al cellulare, ha l'Alzheimer",
		"un uomo si sta arrampicando sulla gru del cantiere e grida che si butta",
		"la mia vicina urla che il marito la ammazza, sento rompere piatti",
		"un camion di bombole è rovesciato sulla rotonda, si sente un sibilo",
		"si è rotta la diga del laghetto e l'acqua scende verso le case",
		"kids are playing on the frozen pond in the park and the ice is cracking",
		"the tram overhead line snapped and is lying across the tracks, people are walking around it",
		// other languages, broken Italian and danger told indirectly
		"Bonjour, devant la pharmacie un vieux monsieur est tombé, il saigne de la tête et ne répond plus",
		"Hola, en el portal de mi edificio hay humo negro y mi vecina no contesta, ayuda",
		"Hallo, meine Nachbarin ist im Treppenhaus gestürzt und bewegt sich nicht, bitte schnell",
		"io trovato mio amico a terra bagno non apre occhi non sveglia",
		"la signora di fronte non la vedo da tre giorni, porta chiusa e il telefono squilla a vuoto",
		"sotto casa due cani randagi hanno fatto lo scatto verso un bambino in bicicletta",
		"hanno scavato una buca davanti all'asilo e non c'è nessuna transenna, i bimbi ci giocano sul bordo",
		"sta entrando l'acqua da sotto la porta nel seminterrato dove dorme mia nonna",
		"le auto scendono contromano in curva, prima o poi qualcuno si fa male",
	}
	calm := []string{
		"L'anno scorso il torrente è esondato due volte: cosa state facendo perché non succeda più?",
		"due anni fa mi hanno investito sulle strisce di via Po e ancora non c'è un semaforo, propongo di metterlo",
		"grazie ai vigili del fuoco per come hanno spento l'incendio della settimana scorsa",
		"finalmente avete tolto i rami caduti dal viale, ci avete messo un mese",
		"si muore di noia al consiglio comunale, andate a casa",
		"in ufficio anagrafe fa un caldo da morire, mettete un condizionatore",
		"la festa in piazza di sabato è stata una bomba, rifatela!",
		"Esiste un piano di evacuazione della scuola in caso di terremoto? Chi lo decide?",
		"quando si farà l'esercitazione di protezione civile sul rischio alluvione?",
		"in biblioteca c'è ancora posto al corso di primo soccorso?",
		"vorrei sapere se la zona di via Roma è a rischio frana prima di comprare casa",
		"ci sono i fuochi d'artificio anche quest'anno a Ferragosto?",
		"come si chiede il rimborso per i danni dell'alluvione del mese scorso?",
		"i vostri post mi fanno morire dal ridere 😂",
		"ieri c'è stato un tamponamento all'incrocio, per fortuna nessun ferito, ma quel semaforo va regolato",
		"Last year my basement flooded during the storm, is there any grant for the repairs?",
		"la mostra sul terremoto del 1976 è aperta anche di domenica?",
		"sul gruppo del quartiere è scoppiato un casino per la nuova ZTL",
		"c'è un incendio di proteste sui social per il nuovo parcheggio a pagamento",
		"l'ultima alluvione risale al 2010, da allora l'argine è stato rialzato?",
		"la settimana scorsa c'era una buca enorme in via Verdi, ora l'hanno sistemata grazie",
		"un ramo è caduto sul prato del parco, non dà fastidio a nessuno ma andrebbe tolto quando potete",
		"si è rotta la fontanella del parco, esce acqua continuamente",
		"a mio figlio è caduto un dente a scuola e nessuno mi ha avvisato",
		"Hi, I'd like to know if the beach has lifeguards this summer, my son can't swim well",
		"ho perso il portafoglio in piazza, qualcuno l'ha trovato?",
		"ci sono troppi incidenti all'incrocio di via Manzoni, serve una rotonda",
		"Bonjour, quels sont les horaires de la bibliothèque? C'est urgent pour mes enfants",
		"il cane del vicino abbaia e ringhia tutta la notte, non si dorme",
		"c'è un fosso al parco da due mesi, quando lo sistemate?",
	}
	for _, text := range urgent {
		if r := m.Classify(text); r.Urgency != "alta" {
			t.Errorf("urgent message not flagged: %q (%+v)", text, r.Labels)
		}
	}
	for _, text := range calm {
		if r := m.Classify(text); r.Urgency == "alta" {
			t.Errorf("false alarm: %q (%+v)", text, r.Labels)
		}
	}
}
