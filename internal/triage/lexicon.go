// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import "strings"

// Lexicons of each office's vocabulary and of the ways people ask, complain
// or propose, written from the taxonomy and from the language of Italian
// municipal services (dialect and English included). They carry what 300
// examples cannot: a citizen who writes "rusco" or "pizzardoni" still reaches
// the right office. Terms go through the same normalisation and stemmer as
// messages and match as word sequences, function words ignored; a term
// marked "!" belongs to its office alone and counts double.

var officeLexicon = map[string]string{
	"urp": `!urp, !ufficio relazioni con il pubblico, relazioni con il pubblico, ufficio informazioni,
	punto informativo, infopoint, sportello unico, sportello polifunzionale, orari degli uffici, orari,
	orario di apertura, orari di apertura, apertura al pubblico, uffici chiusi, sportello, sportelli,
	!centralino, numero verde, contact center, call center, telefono del comune, email del comune,
	protocollo, !ufficio protocollo, protocollo generale, !accesso agli atti, accesso civico, foia,
	amministrazione trasparente, !oggetti smarriti, oggetti ritrovati, ufficio oggetti smarriti,
	!lost and found, lost property, sito del comune, sito internet, sito web, pagina del sito, link,
	pagina non trovata, errore 404, servizi online, modulo online, modulo, moduli, modulistica, pec,
	posta certificata, appuntamento, appuntamenti, prenotare, prenotazione, prenotazioni, portale,
	uffici comunali, ufficio comunale, municipio, palazzo comunale, casa comunale, albo pretorio,
	messo comunale, notifiche, cimitero, cimiteri, servizi cimiteriali, loculo, loculi, tumulazione,
	cremazione, lampade votive, piscina comunale, impianti sportivi, palazzetto, sala comunale,
	sale comunali, sala civica, centro civico, patrocinio, albo delle associazioni, contributi alle associazioni,
	mercatino, mercatini, mercato, fiera, permesso per una festa, festa di strada, a quale ufficio,
	quale ufficio, ufficio competente, a chi devo rivolgermi, a chi rivolgermi, nessuna risposta,
	non risponde nessuno, squilla a vuoto, segnalazione, segnalazioni, app per le segnalazioni, social,
	pagina facebook, account ufficiale, canale telegram, newsletter, whatsapp del comune, bandi, bando,
	concorso, concorsi, concorso pubblico, opening hours, office hours, town hall, city hall, website,
	which office, suap, licenza, licenze, attività commerciale, wifi, wi-fi, wifi pubblico, app del comune`,

	"polizia_locale": `!polizia locale, !polizia municipale, !vigili, !vigile, !vigili urbani, !vigilessa,
	!ghisa, !pizzardoni, agenti della municipale, la municipale, pattuglia, pattuglie, pattugliamento,
	presidio, agente, agenti, comando, !multa, !multe, multato, multata, !verbale, verbali, !contravvenzione,
	sanzione, sanzioni, sanzione amministrativa, ricorso, ricorsi, ricorso al prefetto, giudice di pace,
	prefetto, punti della patente, patente, !divieto di sosta, divieto di fermata, sosta vietata,
	in divieto, parcheggio selvaggio, !doppia fila, seconda fila, tripla fila, parcheggiano sulle strisce,
	parcheggiate sulle strisce, auto sul marciapiede, macchine sul marciapiede, parcheggiano sul marciapiede,
	posto disabili, posto riservato, passo carrabile, passo carraio, auto abbandonata, macchina abbandonata,
	veicolo abbandonato, carcassa, rottame, targa, targhe, senza assicurazione, assicurazione scaduta,
	revisione scaduta, carro attrezzi, rimozione forzata, rimozione auto, auto rubata, furto d'auto, rumore,
	rumori, !schiamazzi, schiamazzi notturni, musica alta, musica altissima, musica a tutto volume, casse,
	karaoke, baccano, rave, movida, disturbo della quiete, quiete pubblica, locale notturno, discoteca,
	botti, petardi, incidente stradale, rilievo dell'incidente, sinistro, !autovelox, velox, eccesso di velocità,
	velocità eccessiva, limite di velocità, guida pericolosa, sorpasso, venditori abusivi, ambulanti abusivi,
	abusivismo, abusivo, abusivi, parcheggiatori abusivi, posteggiatori abusivi, contraffatti, merce contraffatta,
	spaccio, spacciatori, spacciano, droga, rissa, risse, lite, litigano, litigando, picchiano, coltello,
	molestie, contromano, tangenziale, ubriachi, furto, furti, vandali, vandalismo,
	atti vandalici, graffiti, writer, bivacco, bivacchi, accattonaggio, accattoni, occupazione abusiva,
	occupazione di suolo pubblico, camper, accampamento, tende, cani senza guinzaglio, senza guinzaglio,
	guinzaglio, museruola, cane che abbaia, abbaia, abbaiare, cane pericoloso, gare di moto, impennate,
	sgommate, corse clandestine, smarmittate, motorini, controlli, controllo, sicurezza urbana, degrado,
	videosorveglianza, telecamere, abuso edilizio, lavori abusivi, esposto, denuncia, dehors, nonno vigile,
	nonni vigili, ausiliari del traffico, minacciano, intervento della polizia, police, parking ticket,
	parking fine, traffic fine, fined, a fine for, received a fine, got a fine, pay the fine, pay a fine,
	contest the fine, parking violation, ticket on my car, traffic warden, police officer, towed, speeding,
	speeding ticket, noise, loud music, carabinieri`,

	"mobilita": `mobilità, !trasporti, trasporto pubblico, trasporto pubblico locale, tpl, mezzi pubblici,
	mezzi, azienda dei trasporti, !autobus, bus, pullman, corriera, filobus, !tram, !metro, !metropolitana,
	linea del bus, linea del tram, linea, linee, !fermata, fermate, palina, pensilina, corsa, corse,
	corsa saltata, corsa soppressa, salta la corsa, non è passato, non passa, stracolmo, affollato,
	autobus pieno, !capolinea, navetta, bus sostitutivo, linea notturna, percorso, orario dei bus, orari dei bus,
	autista, !abbonamento, abbonamenti, biglietto, biglietti, titolo di viaggio, obliteratrice, validare,
	controllori, sciopero, sciopero dei mezzi, fasce garantite, !semaforo, !semafori, semaforo pedonale,
	chiamata pedonale, rotonda, rotatoria, incrocio, incrocio pericoloso, viabilità, viabilità alternativa,
	traffico, traffico intenso, ingorgo, coda, code, rallentamenti, deviazione, deviazioni, percorso alternativo,
	strada chiusa, strade chiuse, chiusura della strada, chiudono la strada, chiudono le strade,
	chiusura al traffico, chiusa al traffico, senso unico, senso unico alternato, doppio senso,
	!ztl, zona a traffico limitato, varco, varchi, varco attivo, telecamera ztl, permesso ztl, area pedonale,
	isola pedonale, parcheggio, parcheggi, posti auto, parcheggio a pagamento, !strisce blu, strisce gialle,
	!parcometro, parchimetro, sosta a pagamento, tariffa della sosta, grattino, permesso residenti,
	permesso di sosta, permesso sosta, zona blu,
	pass residenti, contrassegno disabili, contrassegno invalidi, contrassegno, pass disabili, !pista ciclabile,
	ciclabile, ciclabili, ciclovia, corsia ciclabile, corsia preferenziale, corsia bus, bici, biciclette,
	bicicletta, rastrelliera, rastrelliere, !bike sharing, !car sharing, car pooling, monopattini, monopattino,
	colonnine di ricarica, dossi, dosso, rallentatori, zona 30, piano del traffico, pums, segnaletica,
	segnaletica orizzontale, segnaletica stradale, cartello, cartelli, cartelli stradali, strisce pedonali,
	strisce sbiadite, attraversamento pedonale, mezzi pesanti, tir, divieto di transito,
	parcheggio scambiatore, parcheggio di interscambio, taxi, vaporetto, traghetto, funicolare, funivia,
	stazione, treno, passaggio a livello, app dei trasporti, bus stop, timetable, route, traffic light,
	bike lane, parking permit, tickets, station, tram line, bus line`,

	"lavori_pubblici": `lavori pubblici, manutenzione, manutenzioni, manutenzione straordinaria, !buca, !buche,
	fosse, !voragine, avvallamento, !asfalto, asfaltatura, asfaltare, riasfaltare, rattoppo, rattoppi,
	manto stradale, strada dissestata, dissesto, strada rovinata, strada piena di buche, mulattiera,
	marciapiede rotto, marciapiede dissestato, marciapiede sconnesso, marciapiede, marciapiedi, mattonelle,
	mattonelle rotte, piastrelle, lastre, sampietrini, porfido, cordolo, radici, !tombino, !tombini, chiusino,
	!caditoia, caditoie, griglia, fognatura, fogna, fognature, perdita d'acqua, tubo rotto, acquedotto,
	!illuminazione pubblica, illuminazione, !lampione, !lampioni, lampione spento, luce spenta, luci spente,
	lampada, lampadine, pali della luce, palo della luce, buio, al buio, buio pesto, !panchina, !panchine,
	arredo urbano, !parco giochi, giochi, giochi rotti, giostrine, scivolo, altalena, fontanella, fontanelle,
	casetta dell'acqua, bagno pubblico, bagni pubblici, ringhiera, parapetto, guardrail, ponte, passerella,
	cavalcavia, galleria, muro, muretto, muro pericolante, cornicione, intonaco, calcinacci, crepe, crepa,
	infiltrazioni, piove dentro, piove dal soffitto, soffitto, tetto, grondaia, edificio comunale,
	edifici pubblici, palestra comunale, impianto sportivo, case popolari, alloggi popolari, ascensore,
	ascensore rotto, barriere architettoniche, rampa, scivolo per disabili, !cantiere, cantieri, cantiere fermo,
	lavori stradali, lavori in corso, lavori infiniti, ditta, ditta appaltatrice, appalto, rifacimento,
	riqualificazione, pavimentazione, transenne, !ufficio tecnico, opere pubbliche, progettista, pothole,
	potholes, sidewalk, pavement, street light, streetlight, bench, playground, road works, roadworks,
	construction works, bridge, fenced off`,

	"ambiente": `ambiente, ecologia, verde pubblico, !rifiuti, !spazzatura, !immondizia, !pattume, !rusco,
	!rumenta, !monnezza, !munnezza, scoasse, sacchetti, sacchi, sacco, !cassonetto, !cassonetti,
	cassonetti pieni, campana del vetro, campane, bidone, bidoni, mastello, raccolta, raccolta rifiuti,
	!raccolta differenziata, !differenziata, porta a porta, calendario della raccolta, !umido, organico,
	plastica, lattine, carta, cartone, vetro, indifferenziata, indifferenziato, secco, !ecocentro,
	!isola ecologica, centro di raccolta, !ingombranti, ritiro ingombranti, raee, materasso, frigorifero,
	elettrodomestici, olio esausto, pile, abbandono di rifiuti, !discarica, discarica abusiva, rifiuti abbandonati,
	sacchi abbandonati, amianto, eternit, sporco, sporca, sporcizia, strade sporche, pulizia, pulizia delle strade,
	spazzamento, spazzatrice, spazzino, netturbini, operatori ecologici, camion della spazzatura,
	camion dei rifiuti, camion dell'umido, cestino, cestini, verde, parco, parchi, giardini, giardini pubblici,
	area verde, aiuole, aiuola, erba alta, erbacce, !sfalcio, sfalci, !potatura, potature, potati, potare, alberi,
	albero, albero malato, pino, pini, platano, platani, tigli, ramo, rami, siepi, foglie, !processionaria,
	zanzare, zanzara tigre, !disinfestazione, !derattizzazione, topi, ratti, pantegane, nutrie, blatte,
	scarafaggi, vespe, calabroni, nido di vespe, esche avvelenate, bocconi avvelenati, veleno per topi, piccioni, guano, gabbiani, cinghiali, cani randagi,
	!randagio, randagi, !canile, !gattile, gatti, gattini, colonia felina, animali, animali feriti,
	animale morto, carcassa di animale, area cani, sgambatoio, deiezioni, deiezioni canine, escrementi,
	cacca dei cani, inquinamento, smog, qualità dell'aria, polveri sottili, centraline, fumo, fumo nero,
	odore, cattivo odore, puzza, miasmi, scarico abusivo, scarichi, acqua inquinata, roghi, bruciano rifiuti,
	spiaggia, spiaggia sporca, mozziconi, siringhe, canale, fosso, orti urbani, compostaggio, compost,
	rubbish, garbage, trash, recycling, waste, litter, bins, park, trees, stray dog, rats, pollution`,

	"servizi_sociali": `!servizi sociali, !assistente sociale, assistenti sociali, segretariato sociale,
	!assistenza domiciliare, assistenza, anziano, anziana, anziani, anziano solo, anziana sola, anziani soli,
	vive da solo, vive da sola, solitudine, !badante, caregiver, disabile, disabili, disabilità, invalido,
	invalida, invalidità, invalidità civile, accompagnamento, legge 104, handicap, !non autosufficiente,
	alzheimer, demenza, casa di riposo, rsa, !centro diurno, !centro anziani, telesoccorso, pasti a domicilio,
	pasti caldi, spesa a domicilio, pacco alimentare, pacchi alimentari, !banco alimentare, caritas,
	mensa dei poveri, !buoni spesa, buoni pasto, contributo, contributi, contributo economico, sussidio,
	sostegno, sostegno economico, aiuto economico, difficoltà economiche, in difficoltà, povertà,
	disoccupato, disoccupata, disoccupazione, perso il lavoro, affitto, contributo affitto, bonus affitto,
	bonus bollette, !sfratto, morosità, casa popolare, graduatoria case popolari, assegnazione alloggio,
	!emergenza abitativa, senza casa, !senzatetto, senza fissa dimora, clochard, dormitorio, accoglienza,
	famiglia numerosa, famiglie numerose, famiglia in difficoltà, bonus, assegno di cura, isee,
	pensione minima, minori, tutela minori, affido, violenza domestica, maltrattamenti, centro antiviolenza,
	educatore, educatrice, trasporto sociale, trasporto disabili, disagio, dipendenze, migranti, rifugiati,
	latte, pannolini, autistico, autismo, sclerosi, chemioterapia, elderly, disabled, social services,
	social worker, homeless, housing, food aid, care home`,

	"scuola": `scuola, scuole, scolastico, scolastica, !mensa, !mensa scolastica, menù, menu, dieta speciale,
	celiachia, celiaco, allergia alimentare, pasti, refezione, buoni mensa, ricarica della mensa, !nido,
	!asilo nido, asilo, !scuola dell'infanzia, materna, scuola materna, !primaria, scuola primaria, elementare,
	elementari, scuola media, medie, secondaria, iscrizione, iscrizioni, graduatoria, graduatorie,
	lista d'attesa, !retta, rette, !scuolabus, !trasporto scolastico, !pedibus, !centro estivo, centri estivi,
	doposcuola, pre scuola, post scuola, pre-scuola, maestre, maestra, maestro, insegnante, insegnanti,
	insegnante di sostegno, dirigente scolastica, dirigente scolastico, preside, alunni, alunno, classe,
	classi, aula, aule, cortile della scuola, giardino della scuola, palestra della scuola, libri di testo,
	cedole librarie, borsa di studio, diritto allo studio, inserimento, bidelli, collaboratori scolastici,
	genitori, rappresentanti di classe, comitato genitori, gita, !ufficio scuola, school, canteen, nursery,
	school bus, kindergarten, pupils`,

	"cultura": `cultura, culturale, culturali, !biblioteca, !biblioteche, bibliotecaria, prestito, prestiti,
	libri, libro, tessera della biblioteca, sala studio, sale studio, sala lettura, !museo, !musei,
	museo civico, !mostra, mostre, esposizione, pinacoteca, galleria d'arte, !teatro, teatro comunale,
	stagione teatrale, cartellone, spettacolo, spettacoli, !concerto, concerti, !festival, rassegna, cinema,
	cinema all'aperto, eventi, evento, manifestazione, manifestazioni, festa patronale, sagra, notte bianca,
	carnevale, palio, rievocazione storica, fuochi d'artificio, fuochi, presepe, presepe vivente,
	patrimonio, monumenti, beni culturali, archivio storico, visite guidate, visita guidata, auditorium,
	anfiteatro, band, sala prove, musica, arte, artisti, murales, street art, compagnia teatrale, chiostro,
	jazz, lettura, letture, presentazione del libro, laboratori, manoscritti, allestimento, biglietteria,
	!ufficio cultura, library, museum, museums, exhibition, theatre, theater, concert, festival,
	guided tour, show`,

	"anagrafe": `!anagrafe, !servizi demografici, !ufficio anagrafe, !carta d'identità, !carta di identità,
	!cie, carta d'identità elettronica, documento d'identità, documento, documenti, rinnovo del documento,
	foto tessera, passaporto, !certificato, certificati, !certificato di residenza, !stato di famiglia,
	certificato di nascita, estratto di nascita, atto di nascita, atto di morte, certificato storico,
	residenza, !cambio di residenza, cambio d'indirizzo, cambio di indirizzo, trasferimento,
	iscrizione anagrafica, cancellazione anagrafica, domicilio, matrimonio, matrimonio civile, sposarsi,
	sposare, nozze, !unione civile, unioni civili, convivenza di fatto, pubblicazioni di matrimonio, divorzio,
	separazione, nascita, dichiarazione di nascita, riconoscimento, decesso, morto, denuncia di morte,
	cittadinanza, giuramento, !tessera elettorale, elettorale, !ufficio elettorale, liste elettorali, votare,
	voto fuori sede, fuori sede, europee, seggio, scrutatore, scrutatori, !aire, autentica,
	autentica della firma, autentica di firma, autenticazione, legalizzazione, dichiarazione sostitutiva,
	dati anagrafici, cognome, stato civile, ricongiungimento familiare, permesso di soggiorno,
	donazione degli organi, testamento biologico, identity card, id card, residence, certificate,
	birth certificate, marriage, register`,

	"tributi": `!tributi, !ufficio tributi, !tari, tassa rifiuti, tassa sui rifiuti, tariffa rifiuti, !imu, !tasi,
	imposta municipale, tassa, tasse, tributo, imposta, imposte, !aliquota, rata, rate, avviso di pagamento,
	avviso tari, avviso imu, bollettino, bollettini, !f24, pagopa, pago pa, codice avviso, rimborso, rimborsi,
	compensazione, sgravio, !accertamento, avviso di accertamento, !ingiunzione, ingiunzione di pagamento,
	cartella, cartella esattoriale, riscossione, riscossione coattiva, !ravvedimento operoso, mora, sollecito,
	rateizzazione, rateizzare, dilazione, esenzione, riduzione, riduzioni, agevolazione, agevolazioni,
	detrazione, dichiarazione, variazione, cessazione, voltura, utenza, utenze, superficie, metri quadri,
	metri quadrati, seconda casa, abitazione principale, prima casa, pertinenza, rendita catastale, catasto,
	canone unico, cosap, tosap, passi carrai, insegne, pubbliche affissioni, !addizionale irpef,
	addizionale comunale, addizionale, imposta di soggiorno, tassa di soggiorno, contribuente, quietanza,
	autotutela, comodato, eredi, ereditato, immobile, immobili, box auto, home banking, tabaccheria,
	tax, taxes, refund, fee, property tax, waste tax`,

	"protezione_civile": `!protezione civile, !allerta, !allerta meteo, allertameteo, allerta arancione,
	allerta rossa, allerta gialla, codice rosso, codice arancione, bollettino meteo, previsioni, maltempo,
	!bollino rosso, !ondata di calore, caldo, afa, temperature, siccità, crisi idrica, temporale, temporali,
	!nubifragio, bomba d'acqua, grandine, grandinata, tromba d'aria, ciclone, uragano, vento, vento forte,
	raffiche, !bora, scirocco, tempesta, burrasca, !mareggiata, !acqua alta, !marea, sirene, sirena,
	allarme, prova delle sirene, esercitazione, !alluvione, !esondazione, esondato, esonda, straripamento,
	piena, fiume in piena, fiume, torrente, argine, argini, sacchi di sabbia, paratie, idrovore,
	allagamento, allagamenti, !allagato, allagata, !sottopasso allagato, sottopasso, !frana, smottamento,
	neve, nevica, nevicata, ghiaccio, gelo, spazzaneve, spargisale, spalare, sale sulle strade, !terremoto,
	scossa, scosse, !sisma, !evacuazione, evacuare, sgombero, sfollati, centro di accoglienza,
	punto di raccolta, area di attesa, emergenza, blackout, black out, incendio boschivo, incendio,
	incendi, vigili del fuoco, pompieri, fuga di gas, odore di gas, gas, piano di emergenza,
	centro operativo comunale, centri climatizzati, volontariato, storm, flood, flooding, earthquake,
	ordigno, ordigni, residuato bellico, artificieri, frazione isolata, strade bloccate dalla neve,
	weather alert, warning, evacuation, high tide, wind, snow, heatwave, emergency`,

	"gabinetto": `!sindaco, !sindaca, signor sindaco, vicesindaco, vice sindaco, primo cittadino, !giunta,
	!assessore, !assessora, assessori, !consiglio comunale, !consigliere, !consiglieri, consigliera,
	capogruppo, maggioranza, opposizione, elezioni, elezione, comunali, ballottaggio, candidato, candidati,
	!campagna elettorale, promesse, promesse elettorali, programma elettorale, votato, rivoterei, dimissioni,
	!dimettiti, dimettetevi, partito, partiti, lista civica, centrodestra, centrosinistra, destra, sinistra,
	politica, politico, politici, scelta politica, scelte politiche, amministrazione, amministrazione comunale,
	giunta comunale, mandato, propaganda, passerella, inaugurazione, inaugurazioni, taglio del nastro, nastro,
	cerimonia, bilancio partecipativo, bilancio comunale, nomina, nomine, indennità, stipendio del sindaco,
	gemellaggio, cittadinanza onoraria, delibera di giunta, mozione, interrogazione, consiglio aperto,
	incontro con il sindaco, sindaco dell'ascolto, poltrona, poltrone, casta, clientelismo, mayor, council,
	councillor, councillors, elections`,
}

// categoryLexicon holds the cues of what a message is for.
var categoryLexicon = map[string]string{
	"intervento": `segnalo, segnalare, segnalazione, chiedo la rimozione, chiedo la sostituzione,
	chiedo la riparazione, chiedo un intervento, chiedo che venga, chiedo di, chiediamo, chiedo,
	chiediamo che, intervenite, intervenire, intervento, intervento urgente, venite, venite a, mandate,
	mandate qualcuno, mandare qualcuno, potete mandare, potete venire, potete togliere, potete sistemare,
	potete riparare, potete intervenire, qualcuno può, qualcuno intervenga, sistemate, sistemare, sistematelo,
	riparate, riparare, riparatelo, aggiustate, aggiustare, togliete, togliere, rimuovete, rimozione, pulite,
	pulire, svuotate, svuotateli, chiudete, chiudere, transennate, transennatela, mettete in sicurezza,
	messa in sicurezza, controllate, verificate, verifica, sostituire, ripristinare, ripristino,
	fate qualcosa, per favore, per piacere, vi prego, aiuto, aiutateci, prima che, quando lo sistemate,
	quando la pulite, qualcuno la aggiusta, please fix, please send, please remove, can you fix`,

	"informazione": `vorrei sapere, volevo sapere, sapere, informazioni, informazione, chiedo informazioni,
	come si fa, come faccio, come posso, come funziona, come fare, come si prenota, come si richiede,
	dove, quando, quali, quale, quanto costa, quanto tempo, quanti giorni, è possibile, si può, posso,
	serve, servono, bisogna, devo, dobbiamo, esiste, c'è, qualcuno sa, qualcuno mi sa dire, sapete,
	mi sapete dire, domanda, orari, orario, aperto, aperta, apertura, chiuso, entro quando, scadenza,
	procedura, documenti necessari, cosa devo fare, a chi devo, a chi rivolgersi, è vero che, grazie in anticipo,
	how, where, when, what, is there, can i, can we, do we need, opening, open, information, could you tell`,

	"reclamo": `vergogna, vergognatevi, vergognoso, vergognosa, inaccettabile, inammissibile, ridicolo,
	ridicola, assurdo, assurda, scandalo, scandaloso, disservizio, disservizi, pessimo, pessima, schifo,
	indecente, incredibile, complimenti, bravi davvero, grazie a voi, ennesimo, ennesima, ancora una volta,
	sempre, mai, nessuno, nessuna risposta, nessun avviso, senza avvisare, zero risposte, stanco, stufo,
	basta, lamentela, protesto, protesta, reclamo, mi lamento, trovo, inaccettabile, umiliante, disagio,
	ritardo, ritardi, in ritardo, da mesi, da anni, soldi buttati, spreco, paghiamo, paghiamo le tasse,
	ma di cosa stiamo parlando, ma vi sembra normale, ma vi rendete conto, è normale che, unfair, terrible,
	disgrace, complaint, awful`,

	"proposta": `propongo, proposta, proposte, suggerisco, suggerimento, suggerimenti, idea, un'idea,
	sarebbe bello, sarebbe utile, sarebbe possibile, sarebbe opportuno, perché non, si potrebbe, potreste,
	ci vorrebbe, bisognerebbe, basterebbe, invece di, mi offro, disponibili a, disponibile a, collaborare,
	progetto, iniziativa, introdurre, istituire, installare, creare, organizzare, come fanno, come in,
	in altre città, altri comuni, suggest, proposal, idea, would be great, why not`,

	"altro": `grazie, grazie mille, grazie di cuore, ringrazio, ringraziare, complimenti, bravi, bravissimi,
	brave, bellissimo, bellissima, bello, bella, meraviglia, spettacolare, stupendo, fantastico, emozionante,
	buon natale, buone feste, auguri, buona pasqua, buon anno, buongiorno a tutti, ciao a tutti, primo,
	orgoglioso, orgogliosi, finalmente, evviva, thanks, thank you, beautiful, lovely, great, amazing,
	elezioni, votare, rivoterei, campagna elettorale, sindaco, ve lo garantisco, ce ne ricorderemo`,
}

// lexicon is a compiled lexicon: class → stem sequences.
type lexicon struct {
	byFirst map[string][]lexTerm // first stem → terms starting with it
}

type lexTerm struct {
	class  string
	stems  []string
	weight float64
}

func compileLexicon(src map[string]string) *lexicon {
	lx := &lexicon{byFirst: map[string][]lexTerm{}}
	seen := map[string]bool{}
	for class, list := range src {
		for _, raw := range strings.Split(list, ",") {
			raw = strings.TrimSpace(raw)
			weight := 1.0
			if strings.HasPrefix(raw, "!") {
				// A term only this class uses ("TARI", "scuolabus").
				raw, weight = raw[1:], 2
			}
			if raw == "" {
				continue
			}
			stems := contentStems(analyse(raw))
			if len(stems) == 0 {
				continue
			}
			key := class + "|" + strings.Join(stems, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
			lx.byFirst[stems[0]] = append(lx.byFirst[stems[0]], lexTerm{class: class, stems: stems, weight: weight})
		}
	}
	return lx
}

// contentStems lists the stems of a message without function words.
func contentStems(a analysis) []string {
	out := make([]string, 0, len(a.tokens))
	for _, t := range a.tokens {
		if !t.stop {
			out = append(out, t.stem)
		}
	}
	return out
}

// match counts, per class, the terms found in stems. A longer term counts
// more: "sottopasso allagato" says more than "sottopasso".
func (lx *lexicon) match(stems []string) map[string]float64 {
	out := map[string]float64{}
	for i, s := range stems {
		for _, term := range lx.byFirst[s] {
			if i+len(term.stems) > len(stems) {
				continue
			}
			ok := true
			for j := 1; j < len(term.stems); j++ {
				if stems[i+j] != term.stems[j] {
					ok = false
					break
				}
			}
			if ok {
				out[term.class] += term.weight * (1 + 0.5*float64(len(term.stems)-1))
			}
		}
	}
	return out
}

var (
	officeLex   = compileLexicon(officeLexicon)
	categoryLex = compileLexicon(categoryLexicon)
)
