// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/piazza-pa/piazza/internal/triage"
)

var (
	baseOnce  sync.Once
	baseModel *triage.Model
	baseErr   error
)

// base trains the shipped model, on the embedded training examples, once
// per test binary.
func base(t testing.TB) *triage.Model {
	t.Helper()
	baseOnce.Do(func() {
		var ex []triage.Example
		if ex, baseErr = triage.TrainingExamples(); baseErr == nil {
			baseModel, baseErr = triage.Train(ex)
		}
	})
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	return baseModel
}

// The messages below are written for this test, not taken from the
// training data: typos, chat spelling, dialect, English, emoji, sarcasm.
// An empty expectation means "any".
func TestClassifyObviousCases(t *testing.T) {
	m := base(t)
	tests := []struct {
		name                                  string
		text                                  string
		category, office, urgency, moderation string
	}{
		{name: "fallen tree during a storm",
			text:   "Con questo temporale è caduto un albero enorme in viale dei Tigli, blocca tutta la carreggiata e ha schiacciato una macchina",
			office: "protezione_civile", urgency: "alta", moderation: "ok"},
		{name: "gas smell",
			text:    "Sento un forte odore di gas per le scale del condominio in via Cavour 8, cosa dobbiamo fare?",
			urgency: "alta", moderation: "ok"},
		{name: "pothole",
			text:     "buca in via Roma all'altezza del civico 20, profonda almeno 15 cm. Quando la riparate?",
			category: "intervento", office: "lavori_pubblici", moderation: "ok"},
		{name: "waste tax",
			text:     "Buongiorno, non ho ricevuto l'avviso della TARI di quest'anno, dove posso scaricarlo? Grazie",
			category: "informazione", office: "tributi", urgency: "bassa", moderation: "ok"},
		{name: "fiscal code in a public comment",
			text:       "Non riesco a pagare la multa online, il mio codice fiscale è VRDLGU85M12F205X, mi aiutate?",
			moderation: "personal_data"},
		{name: "phone number and name of a neighbour",
			text:       "il mio vicino Mario di via Garibaldi 15 butta la spazzatura nel giardino pubblico, chiamatelo al 333 1234567",
			moderation: "personal_data"},
		{name: "insult",
			text:     "ma andate a fanculo voi e il vostro comune di incapaci",
			category: "altro", office: "none", moderation: "offensive"},
		{name: "casino link",
			text:     "🎰 Casinò online con bonus di benvenuto di 500€! Gioca ora 👉 www.casinoslotbonus.net",
			category: "altro", office: "none", urgency: "bassa", moderation: "spam"},
		{name: "Roman dialect about rubbish",
			text:   "ce sta 'a munnezza ammucchiata vicino ai cassonetti da 'na settimana, nun passa nessuno a pijarla",
			office: "ambiente", moderation: "ok"},
		// "Perché non" + a repair of something broken is a request, not a
		// proposal (the model alone said proposta).
		{name: "chat spelling",
			text:     "xke nn aggiustate il lampione davanti casa mia in via garibaldi?? e spento da 2 settimane",
			category: "intervento", office: "lavori_pubblici", moderation: "ok"},
		{name: "why don't you repair",
			text:     "perché non riparate la fontana del parco? è rotta da un mese",
			category: "intervento", moderation: "ok"},
		{name: "why don't you add: a proposal",
			text:     "perché non mettete una panchina alla fermata del 5?",
			category: "proposta", moderation: "ok"},
		{name: "English bus question",
			text:     "Hello! Does the number 8 bus stop at the central railway station? How much is a ticket?",
			category: "informazione", office: "mobilita", moderation: "ok"},
		{name: "English fine",
			text:   "Good morning, I received a fine for parking in a residents-only area. How can I pay it from Germany?",
			office: "polizia_locale", moderation: "ok"},
		{name: "sarcasm with emoji",
			text:     "Complimenti all'azienda dei trasporti 👏👏 il 14 soppresso di nuovo e nessun avviso alla fermata 🙄",
			category: "reclamo", office: "mobilita", moderation: "ok"},
		{name: "residence change",
			text:     "Salve, per il cambio di residenza devo prendere appuntamento o basta compilare il modulo online?",
			category: "informazione", office: "anagrafe", urgency: "bassa"},
		{name: "nursery enrolment",
			text:     "Le iscrizioni all'asilo nido comunale per settembre sono già aperte? Quali documenti servono?",
			category: "informazione", office: "scuola"},
		{name: "library hours",
			text:     "La biblioteca comunale è aperta di sabato pomeriggio? Devo restituire due libri",
			category: "informazione", office: "cultura", urgency: "bassa"},
		{name: "old man alone without heating",
			text:   "Mio nonno ha 88 anni, vive solo e da ieri non ha più il riscaldamento, in casa ci sono 12 gradi. Potete mandare qualcuno?",
			office: "servizi_sociali", urgency: "alta"},
		{name: "flood with people trapped",
			text:   "Il torrente è esondato e l'acqua è entrata nelle case di via del Mulino, ci sono persone bloccate al piano terra. Aiuto!",
			office: "protezione_civile", urgency: "alta"},
		{name: "complaint to the mayor",
			text:     "Signor sindaco, la decisione della giunta di chiudere il centro sportivo del quartiere è una vergogna, ci ripensi",
			category: "reclamo", office: "gabinetto", moderation: "ok"},
		{name: "thanks",
			text:     "Grazie di cuore a tutti i volontari per la bellissima festa di ieri sera ❤️",
			category: "altro", office: "none", urgency: "bassa", moderation: "ok"},
		{name: "full name and health details in a public comment",
			text:       "Hanno lasciato senza assistenza Maria Colombo di via Tasso 4, ha un tumore e vive sola. Vergogna",
			moderation: "personal_data"},
		{name: "street named after a person",
			text:       "In via Giuseppe Verdi 12 il lampione è spento da giorni",
			moderation: "ok"},
		{name: "road accident with a person injured",
			text:    "incidente all'incrocio di via Manzoni, un ragazzo in motorino è a terra e perde sangue, venite subito",
			urgency: "alta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.Classify(tt.text)
			for _, c := range []struct{ field, got, want string }{
				{"category", r.Category, tt.category},
				{"office", r.Office, tt.office},
				{"urgency", r.Urgency, tt.urgency},
				{"moderation", r.Moderation, tt.moderation},
			} {
				if c.want != "" && c.got != c.want {
					t.Errorf("%s = %q, want %q (result %+v)", c.field, c.got, c.want, r)
				}
			}
			checkResult(t, r)
		})
	}
}

// checkResult fails on a code outside the taxonomy or a confidence that is
// not a probability.
func checkResult(t *testing.T, r triage.Result) {
	t.Helper()
	if err := r.Validate(); err != nil {
		t.Errorf("invalid labels %+v: %v", r.Labels, err)
	}
	for name, c := range map[string]float64{
		"category": r.Confidence.Category, "office": r.Confidence.Office,
		"urgency": r.Confidence.Urgency, "moderation": r.Confidence.Moderation,
	} {
		if math.IsNaN(c) || c < 0 || c > 1 {
			t.Errorf("confidence of %s = %v", name, c)
		}
	}
}

func TestClassifyEmpty(t *testing.T) {
	m := base(t)
	for _, text := range []string{"", "   ", "!!!", "... ?"} {
		r := m.Classify(text)
		want := triage.Labels{Category: "altro", Office: "none", Urgency: "bassa", Moderation: "ok"}
		if r.Labels != want {
			t.Errorf("Classify(%q) = %+v, want %+v", text, r.Labels, want)
		}
		if r.Confidence.Office > 0.5 {
			t.Errorf("Classify(%q): confidence %+v should be low", text, r.Confidence)
		}
		checkResult(t, r)
	}
	if r := m.Classify("😍😍😍"); r.Category != "altro" || r.Office != "none" {
		t.Errorf("emoji only: %+v", r)
	}
}

// A danger rule raises the confidence of "alta" above a plain guess.
func TestConfidenceFromRules(t *testing.T) {
	r := base(t).Classify("FUGA DI GAS in via Mazzini, sentiamo una puzza fortissima!!")
	if r.Urgency != "alta" || r.Confidence.Urgency < 0.6 {
		t.Errorf("gas leak: %+v", r)
	}
}

func TestHugeMessage(t *testing.T) {
	text := strings.Repeat("buca enorme in via Roma, ", 20000)
	r := base(t).Classify(text)
	if r.Office != "lavori_pubblici" {
		t.Errorf("office = %q", r.Office)
	}
	checkResult(t, r)
}

func TestTrainValidates(t *testing.T) {
	_, err := triage.Train([]triage.Example{{Text: "x", Labels: triage.Labels{Category: "boh", Office: "urp", Urgency: "alta", Moderation: "ok"}}})
	if !errors.Is(err, triage.ErrInvalidLabel) {
		t.Fatalf("err = %v, want ErrInvalidLabel", err)
	}
	m, err := triage.Train(nil)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, m.Classify("buca in via Roma"))
}

func TestBaseExamples(t *testing.T) {
	ex, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 300 {
		t.Fatalf("%d base examples, want 300", len(ex))
	}
	seen := map[string]bool{}
	for _, e := range ex {
		seen[e.Office] = true
	}
	for _, o := range triage.Offices {
		if !seen[o] {
			t.Errorf("no base example for office %s", o)
		}
	}
}

func TestHandwrittenExamples(t *testing.T) {
	hw, err := triage.HandwrittenExamples()
	if err != nil {
		t.Fatal(err)
	}
	urgent := 0
	for _, e := range hw {
		if e.Urgency == "alta" {
			urgent++
		}
	}
	if len(hw) != 410 || urgent != 106 {
		t.Errorf("%d hand-written examples, %d urgent; want 410, 106", len(hw), urgent)
	}
	all, err := triage.TrainingExamples()
	if err != nil {
		t.Fatal(err)
	}
	// The base examples first: a later example wins a tie in the memory
	// of near-identical messages, and an organisation's own come last.
	if len(all) != 300+len(hw) || all[0].Text == hw[0].Text || all[300].Text != hw[0].Text {
		t.Errorf("training examples are not the base examples then the hand-written ones")
	}
}

func TestParseTSV(t *testing.T) {
	ex, err := triage.ParseTSV([]byte("# comment\n\nintervento\tlavori_pubblici\tnormale\tok\tbuca in via Roma\r\n"))
	if err != nil || len(ex) != 1 || ex[0].Text != "buca in via Roma" || ex[0].Office != "lavori_pubblici" {
		t.Errorf("ParseTSV = %+v, %v", ex, err)
	}
	for _, bad := range []string{"intervento\tlavori_pubblici\tnormale\tok", "intervento\tstrade\tnormale\tok\tbuca"} {
		if _, err := triage.ParseTSV([]byte(bad)); err == nil {
			t.Errorf("ParseTSV(%q): no error", bad)
		}
	}
}

// Training on the same examples gives the same model: results do not
// change from one start-up to the next.
func TestTrainDeterministic(t *testing.T) {
	ex, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	ex = ex[:120]
	a, _ := triage.Train(ex)
	b, _ := triage.Train(ex)
	for _, text := range []string{"buca in via Roma", "orari della biblioteca?", "il semaforo è spento"} {
		if ra, rb := a.Classify(text), b.Classify(text); ra != rb {
			t.Errorf("%q: %+v then %+v", text, ra, rb)
		}
	}
}

func TestStratifiedFolds(t *testing.T) {
	ex, err := triage.BaseExamples()
	if err != nil {
		t.Fatal(err)
	}
	folds := triage.StratifiedFolds(ex, 5, 1, func(l triage.Labels) string { return l.Office })
	var all []int
	for _, f := range folds {
		all = append(all, f...)
		// 20 to 32 examples per office over 5 folds: 4 to 7 each.
		count := map[string]int{}
		for _, i := range f {
			count[ex[i].Office]++
		}
		for o, n := range count {
			if n < 3 || n > 7 {
				t.Errorf("fold has %d examples of %s", n, o)
			}
		}
	}
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("folds do not partition the examples: %v", all)
		}
	}
}

func TestScore(t *testing.T) {
	l := func(c string) triage.Labels {
		return triage.Labels{Category: c, Office: "urp", Urgency: "bassa", Moderation: "ok"}
	}
	gold := []triage.Labels{l("intervento"), l("intervento"), l("reclamo"), l("altro")}
	pred := []triage.Labels{l("intervento"), l("reclamo"), l("reclamo"), l("altro")}
	s := triage.Score(gold, pred)
	if s.Category.Accuracy != 0.75 {
		t.Errorf("accuracy = %v", s.Category.Accuracy)
	}
	iv := s.Category.Classes["intervento"]
	if iv.Precision != 1 || iv.Recall != 0.5 || iv.Support != 2 {
		t.Errorf("intervento = %+v", iv)
	}
	// F1 of the three classes: 2/3, 2/3 and 1.
	if want := (2.0/3 + 2.0/3 + 1) / 3; math.Abs(s.Category.MacroF1-want) > 1e-9 {
		t.Errorf("macro-F1 = %v, want %v", s.Category.MacroF1, want)
	}
	if s.Office.MacroF1 != 1 {
		t.Errorf("office macro-F1 = %v", s.Office.MacroF1)
	}
}

// BenchmarkClassify classifies the base messages in turn: the cost paid
// for every incoming message.
func BenchmarkClassify(b *testing.B) {
	m := base(b)
	ex, err := triage.BaseExamples()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Classify(ex[i%len(ex)].Text)
		i++
	}
}
