// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package triage

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// maxRunes bounds the work per message: a pasted novel is classified on its
// beginning, which is where citizens say what they want.
const maxRunes = 4000

// token is one word of a message.
type token struct {
	fold   string // lower case, accents folded, chat spelling expanded
	stem   string // Snowball stem, accents folded
	stop   bool   // a function word
	marker bool   // stands for something removed (a phone number, an emoji…)
}

// analysis is what every feature and rule reads from one message.
type analysis struct {
	tokens []token
	// folded is the message lower-cased with accents folded and personal
	// data replaced by markers: the rules' regular expressions read it.
	folded string
	// counts of surface signals: "?", "!", shouting, mentions, …
	signals map[string]float64
}

var (
	reURL    = regexp.MustCompile(`(?i)\bhttps?://[^\s]+|\bwww\.[^\s]+|\b[a-z0-9-]+\.(?:xyz|com|net|org|info|biz|io|ly|shop|online|top|click|site|store|live|club|win|link|me)(?:/[^\s]*)?\b`)
	reEmail  = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b`)
	reFiscal = regexp.MustCompile(`(?i)\b[a-z]{6}[0-9lmnpqrstuv]{2}[abcdehlmprst][0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{3}[a-z]\b`)
	reIBAN   = regexp.MustCompile(`(?i)\b[a-z]{2}\d{2}(?:[ ]?[0-9a-z]){11,30}\b`)
	rePhone  = regexp.MustCompile(`(?:\+|\b00)\d{2}[\s.-]?\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b|\b3\d{2}[\s.-]?\d{3}[\s.-]?\d{3,4}\b|\b0\d{1,3}[\s.-]?\d{6,8}\b`)
	reMasked = regexp.MustCompile(`\p{L}+\*+\p{L}*|\p{L}*\*{2,}\p{L}+`)
	reTime   = regexp.MustCompile(`\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b`)
	reMoney  = regexp.MustCompile(`(?i)(?:€\s?\d[\d.,]*|\b\d[\d.,]*\s?(?:€|euro\b|eur\b|k\b))`)
	reMulti  = regexp.MustCompile(`[!?]{2,}`)
	reAge    = regexp.MustCompile(`(?i)\b(\d{1,3}) ?(?:anni|enne|years? old)\b`)
)

// ibanLike keeps only real IBAN shapes (country, check digits, then
// letters and digits mixed), not any word followed by digits.
func ibanLike(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	digits := 0
	for _, c := range s[4:] {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return digits >= 8
}

// analyse normalises a message: Italian-aware lower-casing, personal data
// and links replaced by markers, emoji turned into words, chat spelling
// ("xké", "nn", "cmq") expanded, elisions split, each word stemmed.
func analyse(text string) analysis {
	text = strings.ToValidUTF8(text, " ")
	if utf8.RuneCountInString(text) > maxRunes {
		text = string([]rune(text)[:maxRunes])
	}
	a := analysis{signals: map[string]float64{}}
	surfaceSignals(text, a.signals)

	// Personal data and links first, on the original spelling, so that a
	// fiscal code is not split into words and numbers.
	digits, dotWord := 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= '0' && c <= '9' {
			digits++
		}
		if c == '.' && i > 0 && i+1 < len(text) && isAlnum(text[i-1]) && isAlnum(text[i+1]) {
			dotWord = true
		}
	}
	mark := func(re *regexp.Regexp, marker string, keep func(string) bool) {
		text = re.ReplaceAllStringFunc(text, func(m string) string {
			if keep != nil && !keep(m) {
				return m
			}
			a.signals[marker]++
			return " " + marker + " "
		})
	}
	// Cheap tests first: most messages have no "@", no digits, no "*".
	if strings.Contains(text, "@") {
		mark(reEmail, "zzemail", nil)
	}
	if dotWord || strings.Contains(text, "http") || strings.Contains(text, "www") {
		mark(reURL, "zzurl", nil)
	}
	if digits > 0 && hasAlnumRun(text, 16) {
		mark(reFiscal, "zzfiscal", nil)
	}
	if digits >= 15 {
		mark(reIBAN, "zziban", ibanLike)
	}
	if digits >= 6 {
		mark(rePhone, "zzphone", nil)
	}
	if strings.Contains(text, "*") {
		mark(reMasked, "zzmasked", nil)
	}
	lower := ""
	if digits > 0 {
		lower = strings.ToLower(text)
	}
	if digits > 0 && (strings.Contains(lower, "ann") || strings.Contains(lower, "enne") || strings.Contains(lower, "year")) {
		text = reAge.ReplaceAllStringFunc(text, func(m string) string {
			// An age says who is at risk: the very old and small children.
			n, _ := strconv.Atoi(reAge.FindStringSubmatch(m)[1])
			switch {
			case n >= 65 && n < 120:
				return " zzelderly anni "
			case n <= 12:
				return " zzchild anni "
			}
			return m
		})
	}
	if digits > 0 && (strings.Contains(text, "€") || strings.Contains(lower, "eur") || strings.Contains(lower, "k")) {
		mark(reMoney, "zzmoney", nil)
	}
	if digits >= 3 && (strings.Contains(text, ":") || strings.Contains(text, ".")) {
		mark(reTime, "zztime", nil)
	}
	if strings.Contains(text, "!!") || strings.Contains(text, "??") || strings.Contains(text, "!?") || strings.Contains(text, "?!") {
		text = reMulti.ReplaceAllString(text, " zzpunct ")
	}

	text = strings.ToLower(text)
	text = foldApostrophes(text)
	words := splitWords(text, a.signals)
	english := looksEnglish(words)
	var folded strings.Builder
	for _, w := range words {
		var t token
		if english && strings.Contains(w, "k") {
			// "kid", "smoke", "like": English, not chat spelling.
			t = newToken(w, false)
		} else {
			t = makeToken(w)
		}
		if t.fold == "" {
			continue
		}
		a.tokens = append(a.tokens, t)
		folded.WriteString(t.fold)
		folded.WriteByte(' ')
	}
	a.folded = folded.String()
	return a
}

func surfaceSignals(text string, sig map[string]float64) {
	upper, letters := 0, 0
	for _, c := range text {
		if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				upper++
			}
		}
	}
	// Shouting: most letters in capitals, in a message long enough to tell.
	if letters >= 12 && float64(upper)/float64(letters) > 0.6 {
		sig["shout"] = 1
	}
	sig["qmark"] = float64(strings.Count(text, "?"))
	sig["excl"] = float64(strings.Count(text, "!"))
	for _, f := range strings.Fields(text) {
		switch {
		case strings.HasPrefix(f, "@") && len(f) > 1:
			sig["mention"]++
		case strings.HasPrefix(f, "#") && len(f) > 1:
			sig["hashtag"]++
		}
	}
	sig["runes"] = float64(utf8.RuneCountInString(text))
}

// hasAlnumRun reports a run of exactly n ASCII letters and digits, the
// shape of a fiscal code.
func hasAlnumRun(s string, n int) bool {
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isAlnum(s[i]) {
			run++
			continue
		}
		if run == n {
			return true
		}
		run = 0
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// foldApostrophes turns typographic apostrophes into ASCII and a vowel
// followed by an apostrophe at the end of a word into an accented vowel
// ("e'" is "è", "perche'" is "perché"), the way keyboards without accents
// write them; "po'" stays "po".
func foldApostrophes(s string) string {
	r := []rune(s)
	for i, c := range r {
		switch c {
		case '’', '‘', '`', '´', 'ʼ':
			r[i] = '\''
		}
	}
	for i := 1; i < len(r); i++ {
		if r[i] != '\'' || (i+1 < len(r) && unicode.IsLetter(r[i+1])) {
			continue
		}
		if i >= 2 && r[i-1] == 'o' && r[i-2] == 'p' && (i == 2 || !unicode.IsLetter(r[i-3])) {
			continue
		}
		if acc, ok := graveOf[r[i-1]]; ok && i >= 2 && unicode.IsLetter(r[i-2]) {
			r[i-1] = acc
			r[i] = ' '
		}
	}
	return string(r)
}

var graveOf = map[rune]rune{'a': 'à', 'e': 'è', 'i': 'ì', 'o': 'ò', 'u': 'ù'}

// splitWords cuts lower-case text into words; an apostrophe splits an
// elision ("dell'acqua" is "dell" and "acqua"); emoji become marker words.
func splitWords(s string, sig map[string]float64) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, c := range s {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			cur.WriteRune(c)
		case c == '\u200d' || c == '\ufe0f' || (c >= 0x1f3fb && c <= 0x1f3ff):
			// joiners, variation selectors and skin tones add nothing
		default:
			flush()
			if e := emojiWord(c); e != "" {
				sig[e]++
				words = append(words, e)
			}
		}
	}
	flush()
	return words
}

// emojiWord maps an emoji to a word for its feeling, so that 😡 and 🤬
// count alike; other pictographs become a generic marker.
func emojiWord(c rune) string {
	switch c {
	case '😡', '😤', '🤬', '👿', '💢', '😠', '🖕':
		return "zzemoanger"
	case '🤡', '🙄', '😒', '😏', '🙃', '🤦', '🤨', '🥱':
		return "zzemosarcasm"
	case '😂', '🤣', '😆', '😄', '😁', '😅', '😀', '😃':
		return "zzemolaugh"
	case '❤', '😍', '🥰', '💕', '💚', '💙', '💜', '🧡', '💛', '♥', '😘', '🤩', '💖', '💗':
		return "zzemolove"
	case '🙏':
		return "zzemopray"
	case '👏', '👍', '💪', '🎉', '🥳', '✨', '🌅', '🌈', '🙌':
		return "zzemojoy"
	case '😢', '😭', '😞', '😔', '☹', '🙁', '😟', '😥', '😩', '😫':
		return "zzemosad"
	case '🤢', '🤮', '💩':
		return "zzemodisgust"
	case '🤯', '😱', '😳', '😨', '😰', '😧', '😮':
		return "zzemoshock"
	case '💰', '💸', '💶', '💵', '🤑', '💎', '📈':
		return "zzemomoney"
	case '🔥', '🚨', '⚠', '🆘', '⛔':
		return "zzemoalarm"
	case '👉', '👇', '👆', '➡':
		return "zzemopoint"
	case '🤔', '🧐', '❓', '❔':
		return "zzemodoubt"
	}
	if c >= 0x1f000 && c <= 0x1faff || c >= 0x2600 && c <= 0x27bf {
		return "zzemo"
	}
	return ""
}

// chatSpelling expands the abbreviations of chat and text messages.
var chatSpelling = map[string]string{
	"x": "per", "xké": "perché", "xkè": "perché", "xke": "perché", "xchè": "perché", "xché": "perché",
	"xche": "perché", "perchè": "perché", "perke": "perché", "pke": "perché", "pk": "perché", "xò": "però",
	"nn": "non", "cmq": "comunque", "cmnq": "comunque", "qnd": "quando", "qndo": "quando", "dv": "dove",
	"tt": "tutti", "sn": "sono", "qlc": "qualche", "qlcs": "qualcosa", "qlcn": "qualcuno", "qualke": "qualche",
	"grz": "grazie", "grazie1000": "grazie", "thx": "thanks", "pls": "please", "plz": "please",
	"nun": "non", "ke": "che", "k": "che", "ki": "chi", "sti": "questi", "cè": "c'è", "msg": "messaggio", "tel": "telefono", "cell": "cellulare",
	"asap": "subito", "cqs": "qualcosa", "raga": "ragazzi", "bn": "bene", "mlt": "molto", "nnt": "niente",
	"vabbè": "va bene", "gg": "giorni", "sett": "settimana", "h24": "sempre",
}

// englishWords are frequent English function words that Italian does not
// use (so not "i"): a message holding several is English, and its "k" is
// not chat spelling for "ch".
var englishWords = map[string]bool{
	"the": true, "is": true, "are": true, "was": true, "were": true, "there": true, "he": true, "she": true,
	"they": true, "it": true, "and": true, "with": true, "of": true, "to": true, "on": true, "my": true,
	"his": true, "her": true, "this": true, "that": true, "have": true, "has": true, "can": true, "please": true,
	"someone": true, "near": true, "outside": true, "you": true, "we": true, "what": true, "where": true,
}

// looksEnglish reports whether at least two English function words and
// one in ten of the words are among the words.
func looksEnglish(words []string) bool {
	n := 0
	for _, w := range words {
		if englishWords[w] {
			n++
		}
	}
	return n >= 2 && n*10 >= len(words)
}

// tokenCache remembers the tokens of words already seen: words follow
// Zipf's law, and stemming is the dearest step of analysing a message. It
// stops growing at a bound, so a flood of random words cannot fill memory.
var tokenCache struct {
	sync.Map
	size atomic.Int64
}

const tokenCacheMax = 50_000

// makeToken normalises one lower-case word.
func makeToken(w string) token {
	if t, ok := tokenCache.Load(w); ok {
		return t.(token)
	}
	t := newToken(w, true)
	if tokenCache.size.Load() < tokenCacheMax && len(w) <= 40 {
		if _, loaded := tokenCache.LoadOrStore(strings.Clone(w), t); !loaded {
			tokenCache.size.Add(1)
		}
	}
	return t
}

func newToken(w string, chat bool) token {
	if strings.HasPrefix(w, "zz") && len(w) > 2 {
		return token{fold: w, stem: w, marker: true}
	}
	if isNumber(w) {
		n := numberWord(w)
		return token{fold: n, stem: n, marker: true}
	}
	w = squeezeRepeats(w)
	if x, ok := chatSpelling[w]; ok {
		w = x
	} else if chat && strings.Contains(w, "k") && !englishK(w) {
		// Chat "k" before e/i stands for "ch" ("kiedo", "anke").
		w = strings.NewReplacer("ke", "che", "ki", "chi", "kè", "chè", "kì", "chì").Replace(w)
	}
	f := fold(w)
	return token{fold: f, stem: fold(Stem(w)), stop: stopwords[f]}
}

// englishK reports spellings that chat Italian never uses: "ck",
// "-king", "-ked" ("kicking", "parked").
func englishK(w string) bool {
	return strings.Contains(w, "ck") || strings.HasSuffix(w, "king") || strings.HasSuffix(w, "ked")
}

func isNumber(w string) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return w != ""
}

// numberWord keeps what a number says, not its value: an emergency number,
// a year, a house number or a quantity.
func numberWord(w string) string {
	switch {
	case w == "112" || w == "113" || w == "115" || w == "118" || w == "1522":
		return "zzemergencynumber"
	case len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")):
		return "zzyear"
	case len(w) <= 3:
		return "zzsmallnum"
	}
	return "zznum"
}

// squeezeRepeats shortens letters repeated for emphasis ("ciaooo",
// "vergognaaa"): three or more become one vowel or two consonants.
func squeezeRepeats(w string) string {
	r := []rune(w)
	out := r[:0:0]
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && r[j] == r[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			if stemVowel(r[i]) {
				n = 1
			} else {
				n = 2
			}
		}
		for k := 0; k < n; k++ {
			out = append(out, r[i])
		}
		i = j
	}
	return string(out)
}

// fold removes accents: citizens write "perche", "citta", "e'" as often
// as the accented forms.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		if f, ok := accentFold[c]; ok {
			b.WriteRune(f)
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

var accentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u',
	'ç': 'c', 'ñ': 'n',
}

// stopwords are Italian and English function words, folded. Question
// words and negation are not among them: they tell a question from a
// request.
var stopwords = func() map[string]bool {
	list := `a ad al allo ai agli all alla alle agl col coi con da dal dallo dai dagli dall dalla dalle
	di del dello dei degli dell della delle in nel nello nei negli nell nella nelle su sul sullo sui sugli
	sull sulla sulle per tra fra il lo la i gli le l un uno una un e ed o od ma anche se che
	io tu lui lei noi voi loro mi ti ci vi si me te ce ve ne lo li mio mia miei mie tuo tua tuoi tue suo sua
	suoi sue nostro nostra nostri nostre vostro vostra vostri vostre questo questa questi queste quello
	quella quelli quelle quel quei c e sono sei siamo siete ero era eravamo erano sia siano stato stata
	stati state essere ho hai ha abbiamo avete hanno avevo aveva avere avuto gia poi cosi piu molto molta
	molti molte tanto tanta tutto tutta tutti tutte ogni altro altra altri altre stesso stessa po pure
	the a an and or of to in on at for with is are was were be been it this that these those i you he
	she we they my your our their me us them do does did have has had from by as so but if not no`
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}()
