// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package triage classifies citizen messages offline: category, office,
// urgency and moderation flag, with the codes of shared/data/TAXONOMY.md,
// each with a confidence. Nothing leaves the server: the models are linear,
// trained in-process on an embedded, labelled set of messages plus each
// organisation's confirmed labels, over features built for Italian
// (normalisation, Snowball stemming, character n-grams, office lexicons) and
// rules for what must never be missed (danger, personal data, insults, spam).
package triage

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
)

// Codes of TAXONOMY.md.
var (
	Categories  = []string{"intervento", "informazione", "reclamo", "proposta", "altro"}
	Offices     = []string{"urp", "polizia_locale", "mobilita", "lavori_pubblici", "ambiente", "servizi_sociali", "scuola", "cultura", "anagrafe", "tributi", "protezione_civile", "gabinetto", "none"}
	Urgencies   = []string{"alta", "normale", "bassa"}
	Moderations = []string{"ok", "offensive", "spam", "personal_data"}
)

// Labels are the four codes of one message.
type Labels struct {
	Category, Office, Urgency, Moderation string
}

// Confidence holds a probability-like score in [0, 1] for each label.
type Confidence struct {
	Category, Office, Urgency, Moderation float64
}

// Result is a classification with its confidence.
type Result struct {
	Labels
	Confidence Confidence
}

// Example is a labelled message.
type Example struct {
	Text string
	Labels
}

// ErrInvalidLabel reports a code that TAXONOMY.md does not define.
var ErrInvalidLabel = errors.New("triage: invalid label")

// Validate checks every code against TAXONOMY.md.
func (l Labels) Validate() error {
	for _, f := range []struct {
		name, value string
		codes       []string
	}{
		{"category", l.Category, Categories},
		{"office", l.Office, Offices},
		{"urgency", l.Urgency, Urgencies},
		{"moderation", l.Moderation, Moderations},
	} {
		if !slices.Contains(f.codes, f.value) {
			return fmt.Errorf("%w: %s %q", ErrInvalidLabel, f.name, f.value)
		}
	}
	return nil
}

// Fields of a classification, in the order of Labels.
const (
	fieldCategory = iota
	fieldOffice
	fieldUrgency
	fieldModeration
	nFields
)

var fieldCodes = [nFields][]string{Categories, Offices, Urgencies, Moderations}

func (l Labels) field(i int) string {
	return [nFields]string{l.Category, l.Office, l.Urgency, l.Moderation}[i]
}

// Model is a trained classifier. It is immutable after Train and safe for
// concurrent use.
type Model struct {
	vocab  *vocabulary
	fields [nFields]*softmaxModel
	// alertThreshold is the probability of "alta" above which a message is
	// called urgent, besides the danger rules: set low, by cross-validation
	// inside the training data, because a missed emergency costs more than
	// a false alarm.
	alertThreshold float64
	memory         []memoryItem
	// memoryByPair lists the remembered messages holding each word pair:
	// a near-identical message shares most of them, so only those are
	// compared.
	memoryByPair map[uint64][]int32
}

// memoryItem is a training message kept to recognise near-identical
// messages: a label a person confirmed wins over the model for the same
// text (the thousandth message about the same fallen tree).
type memoryItem struct {
	terms  []weightedTerm // sorted by hash
	pairs  []uint64       // hashes of the word pairs, to find candidates
	norm   float64
	labels Labels
}

type weightedTerm struct {
	hash   uint64
	weight float64
}

// memorySimilarity is the cosine above which two messages count as the same.
const memorySimilarity = 0.9

// Train fits a model on examples, whose labels must be valid codes.
func Train(examples []Example) (*Model, error) {
	for i, ex := range examples {
		if err := ex.Validate(); err != nil {
			return nil, fmt.Errorf("triage: example %d: %w", i, err)
		}
	}
	docs := make([]doc, len(examples))
	for i, ex := range examples {
		docs[i] = newDoc(ex.Text)
	}
	return trainDocs(docs, examples, defaultTrain), nil
}

func trainDocs(docs []doc, examples []Example, opt trainOptions) *Model {
	m := &Model{vocab: buildVocabulary(docs)}
	xs := make([]sparse, len(docs))
	for i, d := range docs {
		xs[i] = m.vocab.vector(d)
	}
	nFeat := len(m.vocab.idf)
	for f := 0; f < nFields; f++ {
		fx := make([]sparse, len(xs))
		for i, x := range xs {
			fx[i] = m.vocab.weighted(x, f)
		}
		m.fields[f] = trainSoftmax(fx, labelIndexes(examples, f), fieldCodes[f], nFeat, opt)
	}
	m.alertThreshold = tuneAlertThreshold(m.vocab, xs, examples, opt)
	m.memory = make([]memoryItem, 0, len(docs))
	m.memoryByPair = map[uint64][]int32{}
	for i, d := range docs {
		if it := newMemoryItem(d, examples[i].Labels); it.norm > 0 {
			for _, p := range it.pairs {
				m.memoryByPair[p] = append(m.memoryByPair[p], int32(len(m.memory)))
			}
			m.memory = append(m.memory, it)
		}
	}
	return m
}

func labelIndexes(examples []Example, field int) []int {
	ys := make([]int, len(examples))
	for i, ex := range examples {
		ys[i] = indexOf(fieldCodes[field], ex.field(field))
	}
	return ys
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

// tuneAlertThreshold runs a small cross-validation inside the training
// messages and returns a threshold on the probability of "alta" a little
// below the lowest that an urgent message got there: every urgent training
// message would have been caught. Test messages are never seen here.
func tuneAlertThreshold(vocab *vocabulary, xs []sparse, examples []Example, opt trainOptions) float64 {
	const folds = 4
	ux := make([]sparse, len(xs))
	for i, x := range xs {
		ux[i] = vocab.weighted(x, fieldUrgency)
	}
	ys := labelIndexes(examples, fieldUrgency)
	// The vocabulary of the whole training set is reused: it holds no
	// labels, and rebuilding it per fold would double the training time.
	var alerts []float64
	for _, test := range StratifiedFolds(examples, folds, 99, func(l Labels) string { return l.Urgency }) {
		inTest := make(map[int]bool, len(test))
		for _, i := range test {
			inTest[i] = true
		}
		var trX []sparse
		var trY []int
		for i := range ux {
			if !inTest[i] {
				trX, trY = append(trX, ux[i]), append(trY, ys[i])
			}
		}
		u := trainSoftmax(trX, trY, Urgencies, len(vocab.idf), opt)
		for _, i := range test {
			// All urgent messages count, those the rules flag too: tuning
			// on the others alone leaves too few to tell.
			if examples[i].Urgency == "alta" {
				alerts = append(alerts, u.probs(ux[i])[0])
			}
		}
	}
	lowest := 1.0
	for _, p := range alerts {
		lowest = math.Min(lowest, p)
	}
	// Never so high that a one-in-ten chance of danger is ignored, never
	// so low that everything alarms. The rules catch nearly every urgent
	// training message, so the lowest probability among them says little
	// about the messages the model must catch alone, in words the rules
	// miss: of those we wrote to test this, half scored between 0.1 and
	// 0.2, and a ceiling of 0.2 let them through.
	return math.Max(0.05, math.Min(lowest*0.8, 0.1))
}

// dangerAlone is the rule score that makes a message urgent by itself.
const dangerAlone = 1.0

// calmedAlert is the probability of "alta" that still alarms when the
// rules found the danger over or hypothetical: the low tuned threshold is
// for danger described in words the rules miss, not for words they read.
const calmedAlert = 0.5

// newMemoryItem keeps the words and word pairs of d, hashed and sorted so
// that comparing two messages is a merge, not a map lookup per word.
func newMemoryItem(d doc, labels Labels) memoryItem {
	it := memoryItem{labels: labels}
	for k, x := range d.raw {
		if k[0] == groupWord || k[0] == groupPair {
			h := hashString(k)
			it.terms = append(it.terms, weightedTerm{h, x})
			it.norm += x * x
			if k[0] == groupPair {
				it.pairs = append(it.pairs, h)
			}
		}
	}
	slices.SortFunc(it.terms, func(a, b weightedTerm) int { return cmp.Compare(a.hash, b.hash) })
	it.norm = math.Sqrt(it.norm)
	return it
}

func (it memoryItem) cosine(o memoryItem) float64 {
	dot := 0.0
	for i, j := 0, 0; i < len(it.terms) && j < len(o.terms); {
		switch a, b := it.terms[i], o.terms[j]; {
		case a.hash < b.hash:
			i++
		case a.hash > b.hash:
			j++
		default:
			dot += a.weight * b.weight
			i++
			j++
		}
	}
	return dot / (it.norm * o.norm)
}

// Classify labels a message. It never fails: an empty or meaningless text
// gets "altro", "none", "bassa", "ok" with a low confidence.
func (m *Model) Classify(text string) Result {
	d := newDoc(text)
	if !hasContent(d) {
		return Result{
			Labels:     Labels{Category: "altro", Office: "none", Urgency: "bassa", Moderation: "ok"},
			Confidence: Confidence{Category: 0.2, Office: 0.2, Urgency: 0.3, Moderation: 0.5},
		}
	}
	x := m.vocab.vector(d)
	var probs [nFields][]float64
	for f := 0; f < nFields; f++ {
		probs[f] = m.fields[f].probs(m.vocab.weighted(x, f))
	}
	r := m.decide(probs, d)
	if lab, sim, ok := m.recall(d); ok {
		danger := r.Urgency == "alta" && lab.Urgency != "alta" && d.hits.danger >= dangerAlone
		r = Result{Labels: lab, Confidence: Confidence{Category: sim, Office: sim, Urgency: sim, Moderation: sim}}
		// A remembered label never silences an emergency the rules see.
		if danger {
			r.Urgency, r.Confidence.Urgency = "alta", 0.6
		}
	}
	return r
}

// hasContent reports whether a message holds anything but punctuation.
func hasContent(d doc) bool {
	for _, t := range d.a.tokens {
		if t.fold != "zzpunct" {
			return true
		}
	}
	return false
}

// recall finds the most similar remembered message above the threshold;
// later examples win ties, so an organisation's correction overrides.
func (m *Model) recall(d doc) (Labels, float64, bool) {
	q := newMemoryItem(d, Labels{})
	if q.norm == 0 {
		return Labels{}, 0, false
	}
	best, at := 0.0, -1
	consider := func(i int) {
		if s := q.cosine(m.memory[i]); s > best || (s == best && i > at) {
			best, at = s, i
		}
	}
	if len(q.pairs) == 0 {
		// A one-word message: few enough to compare with all.
		for i := range m.memory {
			consider(i)
		}
	} else {
		seen := map[int32]bool{}
		for _, p := range q.pairs {
			for _, i := range m.memoryByPair[p] {
				if !seen[i] {
					seen[i] = true
					consider(int(i))
				}
			}
		}
	}
	if at < 0 || best < memorySimilarity {
		return Labels{}, 0, false
	}
	return m.memory[at].labels, math.Min(best, 0.99), true
}

// decide turns probabilities and rule scores into labels and confidences.
func (m *Model) decide(probs [nFields][]float64, d doc) Result {
	h := d.hits
	addOfficeEvidence(probs[fieldOffice], d.raw)
	var r Result
	pick := func(f int) (string, float64) {
		best := 0
		for c, p := range probs[f] {
			if p > probs[f][best] {
				best = c
			}
		}
		return fieldCodes[f][best], probs[f][best]
	}
	r.Category, r.Confidence.Category = pick(fieldCategory)
	r.Office, r.Confidence.Office = pick(fieldOffice)
	r.Urgency, r.Confidence.Urgency = pick(fieldUrgency)
	r.Moderation, r.Confidence.Moderation = pick(fieldModeration)
	// "Perché non riparate…?" asks for a repair, not for something new:
	// the model learned "perché non" as a proposal.
	if r.Category == "proposta" && reRepairAsked.MatchString(d.a.folded) {
		r.Category = "intervento"
		r.Confidence.Category = math.Max(probs[fieldCategory][indexOf(Categories, "intervento")], 0.5)
	}

	// Urgency: a danger rule or a probability of "alta" above the tuned
	// threshold is enough; a false alarm costs less than a miss.
	pAlta := probs[fieldUrgency][0]
	switch {
	case h.danger >= dangerAlone:
		r.Urgency = "alta"
		r.Confidence.Urgency = math.Max(pAlta, math.Min(0.6+0.2*(h.danger-dangerAlone), 0.95))
	case pAlta >= m.alertThreshold && (!h.calmed || pAlta >= calmedAlert):
		// Below one half this is an alarm as likely false as not, and
		// says so.
		r.Urgency = "alta"
		r.Confidence.Urgency = math.Max(pAlta, 0.5)
	}

	// Moderation: the rules decide; the model only adds its confidence.
	type flag struct {
		code  string
		score float64
	}
	flags := []flag{{"spam", h.spam}, {"offensive", h.offensive}, {"personal_data", h.personal}}
	sort.SliceStable(flags, func(i, j int) bool { return flags[i].score > flags[j].score })
	if top := flags[0]; top.score >= 1 {
		p := probs[fieldModeration][indexOf(Moderations, top.code)]
		r.Moderation = top.code
		r.Confidence.Moderation = math.Max(p, math.Min(0.55+0.2*(top.score-1), 0.95))
	} else if r.Moderation != "ok" {
		// Without a rule, a flag needs a confident model.
		if r.Confidence.Moderation < 0.6 {
			r.Moderation = "ok"
			r.Confidence.Moderation = probs[fieldModeration][0]
		}
	}
	// Spam is routed nowhere, unless it somehow reports a danger: a
	// message asking for help is never only something to hide.
	if r.Moderation == "spam" && h.danger < dangerAlone {
		r.Category, r.Office = "altro", "none"
	}
	return r
}

// reRepairAsked is "why don't you fix …", in full or chat spelling: a
// request for an intervention phrased as a question.
var reRepairAsked = regexp.MustCompile(`\b(?:perche|xke|xche|perke|pke|pk) (?:non|nn) (?:\S+ ){0,2}(?:aggiust|ripar|sistem|pulite\b|togliet|rimuov|svuot|ripristin|sostituit|cambiat|tappat|asfaltat|potat|raccogliet|riaccend|accendet)`)

// officeEvidence weighs the office lexicons and routing rules against the
// model. The model sees them as features too, but with 300 examples its
// penalty keeps their weights small; counting them again here is what lets
// a message in words the training set never used reach its office.
const officeEvidence = 2.0

func addOfficeEvidence(p []float64, raw map[string]float64) {
	for c := range p {
		p[c] = math.Log(math.Max(p[c], 1e-12)) + officeEvidence*raw["l:o:"+Offices[c]]
	}
	softmax(p)
}
