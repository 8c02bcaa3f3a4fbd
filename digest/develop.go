package digest

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Stories that develop (issue 15): a follower of a story gets a short update only when
// a new report of it brings facts the earlier reports did not state. Facts are what
// can be checked mechanically and what readers notice when it changes: numbers, names,
// direct quotes and outcome words ("dies", "signed", "verdict", "resigns").
//
// The comparison is deliberately asymmetric. What is known is everything the earlier
// reports said, in full (FactsOf reads the whole text): a fact in the eighth paragraph
// of the first report is not news when the next report moves it up. What a report adds
// is read from its title and lead only (DevelopmentOf): news is written as an inverted
// pyramid, so a development leads, while the detail further down is where outlets
// differ without the story moving — one quotes a second line of the same statement,
// another adds the background figures of last year. A false update costs a reader's
// trust more than a missed one, so everything here errs towards "nothing new".

// Facts are what reports of a story state that a later report may add to.
type Facts struct {
	Numbers  []string // normalised ("12", "3.5", "1000000"); years as "2019", dates as "11-12" (month-day)
	Names    []string // people, places, organisations: lower-cased, case endings cut (nameKey), so inflected uk/ru forms match
	Quotes   []string // direct quotes: their first content stems, enough words to tell two apart
	Outcomes []string // outcome words present, one entry per outcome ("dies" for died/dead/killed/погиб/загинув)
}

// The bounds of Facts, per kind. A story followed for days cannot grow its facts
// without limit: With keeps at most this many of each kind (about 10 KB stored at
// the bounds). Numbers and names of one report are a few dozen; a story of fifty
// reports stays well within them.
const (
	MaxFactNumbers  = 300
	MaxFactNames    = 300
	MaxFactQuotes   = 60
	MaxFactOutcomes = 40
)

// Development is what a report adds to a story.
type Development struct {
	// New are the facts of the report's title and lead that the story did not have,
	// weak ones included (facts further down the report are not read: see the note at
	// the top of this file).
	New Facts
	// Sentences are the one or two sentences of the report that carry the new facts
	// that count, in document order (the title when only the title does); empty when
	// none does.
	Sentences []string
	// Material reports whether the new facts are worth telling a follower.
	Material bool
	// Score is the weight of the new facts; Material is Score >= 1 (see weightOutcome).
	Score float64
	// Report is FactsOf(report), read on the way: what to join With the story's known
	// facts once the report is taken in, without reading it again.
	Report Facts
}

// FactsOf returns the facts an item states, from its title and whole text, bounded
// like With (the earliest facts of a long text are kept: a lead states the event).
// Names are read generously here, every capitalised word that may be one (see
// nameEvidence): what is known should rather hold too much than too little.
func FactsOf(it Item) Facts { return scanFacts(it).allFacts() }

// allFacts are the facts of a whole scanned report, bounded.
func (sc *factScan) allFacts() Facts {
	var f Facts
	for _, x := range sc.facts {
		switch x.kind {
		case factNumber:
			f.Numbers = append(f.Numbers, x.key)
		case factName:
			f.Names = append(f.Names, x.key)
		case factQuote:
			f.Quotes = append(f.Quotes, x.key)
		case factOutcome:
			f.Outcomes = append(f.Outcomes, x.key)
		}
	}
	return f.bounded()
}

// With returns the union of f and g, each kind sorted and deduplicated. When a kind
// would pass its bound (MaxFactNumbers, MaxFactNames, MaxFactQuotes, MaxFactOutcomes),
// g's entries are kept first and f's fill what room is left: g is the later report,
// and later reports repeat the story's latest facts in their leads, while older facts
// return, if at all, as background lower down, where DevelopmentOf does not look.
func (f Facts) With(g Facts) Facts {
	return Facts{
		Numbers:  unionBounded(g.Numbers, f.Numbers, MaxFactNumbers),
		Names:    unionBounded(g.Names, f.Names, MaxFactNames),
		Quotes:   unionBounded(g.Quotes, f.Quotes, MaxFactQuotes),
		Outcomes: unionBounded(g.Outcomes, f.Outcomes, MaxFactOutcomes),
	}
}

// bounded sorts and deduplicates each kind, keeping the first entries up to its bound.
func (f Facts) bounded() Facts { return Facts{}.With(f) }

// unionBounded returns first and then second, deduplicated, cut at max entries, sorted.
func unionBounded(first, second []string, max int) []string {
	seen := make(map[string]bool, len(first)+len(second))
	var out []string
	for _, list := range [][]string{first, second} {
		for _, s := range list {
			if s == "" || seen[s] || len(out) >= max {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Empty reports whether f holds no facts.
func (f Facts) Empty() bool {
	return len(f.Numbers)+len(f.Names)+len(f.Quotes)+len(f.Outcomes) == 0
}

// Strings encodes f for storage, one fact a string with its kind as a prefix: "n:12",
// "p:kyiv", "q:...", "o:dies". FactsFromStrings reads it back.
func (f Facts) Strings() []string {
	out := make([]string, 0, len(f.Numbers)+len(f.Names)+len(f.Quotes)+len(f.Outcomes))
	for _, k := range []struct {
		prefix string
		list   []string
	}{{"n:", f.Numbers}, {"p:", f.Names}, {"q:", f.Quotes}, {"o:", f.Outcomes}} {
		for _, s := range k.list {
			out = append(out, k.prefix+s)
		}
	}
	return out
}

// FactsFromStrings decodes Strings' encoding. Entries it does not recognise (another
// version's kinds, damaged records) are skipped, never an error: a fact lost costs at
// worst one update that was not new. The result is sorted, deduplicated and bounded.
func FactsFromStrings(s []string) Facts {
	var f Facts
	for _, e := range s {
		kind, v, ok := strings.Cut(e, ":")
		if !ok || v == "" {
			continue
		}
		switch kind {
		case "n":
			f.Numbers = append(f.Numbers, v)
		case "p":
			f.Names = append(f.Names, v)
		case "q":
			f.Quotes = append(f.Quotes, v)
		case "o":
			f.Outcomes = append(f.Outcomes, v)
		}
	}
	return f.bounded()
}

// How much a new fact weighs toward Material, which needs 1. A new outcome, a new
// figure or a new direct quote in the title or the lead's first sentence is a
// development on its own; so is a new name in the title, where a report puts who the
// news is about. A new name in the first sentence counts half, two are needed: that is
// where outlets add the officials, experts and places they happened to mention. Weak
// facts count nothing: years, dates, ages, hours and numbers written in words
// (background and colour, not the story's figures), the outlet a report cites, and
// the names most news mentions (see ubiquitous). Each fact counts once, where it
// weighs most. Chosen on the train pools of ../shared/data/stories/tgcontest-pairs-ru-en
// and by reading what was sent for consecutive reports of one story in the dev split
// of the Ukrainian stories (BENCHMARKS.md, "Update detection (issue 15)").
const (
	weightOutcome   = 1.0
	weightNumber    = 1.0
	weightQuote     = 1.0
	weightNameTitle = 1.0
	weightNameLead  = 0.5
)

// leadSentences is how many sentences of a report's text, after the title, are its
// lead for DevelopmentOf: the first one, the lede, which states the news. With two,
// the train pools' repeats sent more false updates (a second sentence is where two
// outlets' reports of one event part: other figures of the same verdict, a press
// release quoted).
const leadSentences = 1

// maxLeadWords bounds a lead sentence: news ledes run to 20-60 words; a "sentence" of
// thousands is no lede, and reading all its names against a story's known names cost
// seconds (BenchmarkDevelopmentOfHostile).
const maxLeadWords = 150

// DevelopmentOf compares a report with what a story's earlier reports stated (known:
// their FactsOf, joined With each other) and returns what it adds. It reads only the
// report's title and lead (see the note at the top of this file). It never fails: an
// empty report adds nothing. Known facts of nothing (a story's first report) make
// everything new: the caller decides whether a first report is an update.
func DevelopmentOf(known Facts, report Item) Development {
	sc := scanFacts(report)
	kn := newKnownFacts(known)
	var d Development
	unitScore := make([]float64, len(sc.units)) // for carriers: every new fact a unit holds
	counted := map[string]bool{}                // for Score: each fact once
	phraseKnown := sc.knownPhrases(kn)
	var newFacts Facts
	inText := map[string]bool{} // numbers the text states
	for _, x := range sc.facts {
		if x.kind == factNumber && x.unit > 0 {
			inText[x.key] = true
		}
	}
	for _, x := range sc.facts {
		u := sc.units[x.unit]
		if !u.lead {
			continue
		}
		w := 0.0
		id := []string{x.key}
		switch x.kind {
		case factNumber:
			if kn.numbers[x.key] {
				continue
			}
			newFacts.Numbers = append(newFacts.Numbers, x.key)
			// A headline rounds and abbreviates ("120 медработников" over a text of
			// 121): its figure counts when the text states it too.
			if !x.weak && (x.unit > 0 || len(sc.units) == 1 || inText[x.key]) {
				w = weightNumber
			}
			id[0] = "n:" + x.key
		case factName:
			if x.loose || phraseKnown[x.phrase] || kn.hasName(x.key) {
				continue
			}
			newFacts.Names = append(newFacts.Names, x.key)
			if x.weak || sc.weakPhrase(x.phrase) {
				break
			}
			w = weightNameLead
			if u.rank == 0 {
				w = weightNameTitle
			}
			// A phrase counts once ("Karl Mott" is one new name, not two), and not
			// again where a later phrase repeats its words.
			id = id[:0]
			for _, i := range sc.phrases[x.phrase] {
				id = append(id, "p:"+sc.facts[i].key)
			}
		case factQuote:
			if kn.hasQuote(x.stems) {
				continue
			}
			newFacts.Quotes = append(newFacts.Quotes, x.key)
			w = weightQuote
			id[0] = "q:" + x.key
		case factOutcome:
			if kn.outcomes[x.key] {
				continue
			}
			newFacts.Outcomes = append(newFacts.Outcomes, x.key)
			w = weightOutcome
			id[0] = "o:" + x.key
		}
		if w == 0 {
			continue
		}
		unitScore[x.unit] += w
		if !slices.ContainsFunc(id, func(k string) bool { return counted[k] }) {
			d.Score += w
		}
		for _, k := range id {
			counted[k] = true
		}
	}
	d.New = newFacts.bounded()
	d.Report = sc.allFacts()
	d.Material = d.Score >= 1
	if !d.New.Empty() {
		d.Sentences = sc.carriers(unitScore)
	}
	return d
}

// carriers picks the one or two text sentences with the most weight of new facts, in
// document order; the title only when no sentence of the text carries any.
func (sc *factScan) carriers(score []float64) []string {
	var picks []int
	for i := 1; i < len(score); i++ {
		if score[i] > 0 {
			picks = append(picks, i)
		}
	}
	sort.SliceStable(picks, func(a, b int) bool { return score[picks[a]] > score[picks[b]] })
	if len(picks) > 2 {
		picks = picks[:2]
	}
	sort.Ints(picks)
	if len(picks) == 0 && len(score) > 0 && score[0] > 0 {
		picks = []int{0}
	}
	out := make([]string, 0, len(picks))
	for _, i := range picks {
		out = append(out, sc.units[i].text)
	}
	return out
}

// knownFacts indexes Facts for lookups.
type knownFacts struct {
	numbers, names, outcomes map[string]bool
	keys, folded             []string   // names, and with vowels folded (see foldName)
	roots                    []string   // folded placeRoot of each name, or the name
	quotes                   [][]string // stems of each known quote
}

func newKnownFacts(f Facts) *knownFacts {
	k := &knownFacts{numbers: map[string]bool{}, names: map[string]bool{}, outcomes: map[string]bool{}}
	for _, n := range f.Numbers {
		k.numbers[n] = true
	}
	for _, n := range f.Names {
		k.names[n] = true
		k.keys = append(k.keys, n)
		k.folded = append(k.folded, foldName(n))
		r := placeRoot(n)
		if r == "" {
			r = n // a place itself matches the regions named after it
		}
		k.roots = append(k.roots, foldName(r))
	}
	for _, o := range f.Outcomes {
		k.outcomes[o] = true
	}
	for _, q := range f.Quotes {
		k.quotes = append(k.quotes, strings.Fields(q))
	}
	return k
}

// hasName reports whether a name key is known, allowing for what normalising leaves
// apart (see namesMatch). A match too loose only misses an update; one too strict
// sends a false one.
func (k *knownFacts) hasName(key string) bool {
	if k.names[key] {
		return true
	}
	f := foldName(key)
	for i, g := range k.folded {
		if namesMatch(key, f, k.keys[i], g) {
			return true
		}
	}
	r := placeRoot(key)
	if r == "" {
		r = key
	}
	fr := foldName(r)
	for i, g := range k.roots {
		if namesMatch(r, fr, k.keys[i], g) {
			return true
		}
	}
	return false
}

// placeRoot is the place a Ukrainian or Russian region name or adjective is derived
// from, folded ("Київщина" and "Київ"; "Полтавщина" and "Полтавська область"; "Курщина",
// "Курська", "Курськ"), or "" for a key that is neither.
func placeRoot(key string) string {
	for _, suf := range []string{"щин", "ськ", "цьк", "ск", "цк"} {
		if strings.HasSuffix(key, suf) && utf8.RuneCountInString(key)-utf8.RuneCountInString(suf) >= 3 {
			return cyrillicNameStem(strings.TrimSuffix(key, suf))
		}
	}
	return ""
}

// namesMatch compares two name keys (a, b) and their folded forms (fa, fb): equal
// once vowels are folded ("Київ" and "Києві" are "київ" and "києв"), equal but for
// the Ukrainian consonant change before -і ("Ліга", "Лізі"; "Америка", "Америці"), or,
// in Latin script, the shorter of at least four letters beginning the longer by at
// most three more ("russia", "russian").
func namesMatch(a, fa, b, fb string) bool {
	if fa == fb {
		return true
	}
	if alternated(fa) == fb || fa == alternated(fb) {
		return true
	}
	if isCyrillic(a) || isCyrillic(b) {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	n := utf8.RuneCountInString(a)
	return n >= 4 && utf8.RuneCountInString(b)-n <= 3 && strings.HasPrefix(b, a)
}

// alternated undoes the Ukrainian change of a final г, к, х to з, ц, с before -і.
func alternated(f string) string {
	for _, alt := range [][2]string{{"з", "г"}, {"ц", "к"}, {"с", "х"}} {
		if strings.HasSuffix(f, alt[0]) {
			return strings.TrimSuffix(f, alt[0]) + alt[1]
		}
	}
	return f
}

// foldName maps the vowels of a name key to '*' and drops soft and hard signs, so the
// vowel changes of declension ("Київ", "Києва") do not tell two forms apart.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case strings.ContainsRune("aeiouyаеёиоуыэюяіїє", r):
			b.WriteByte('*')
		case r == 'ь' || r == 'ъ':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nameKey normalises a lower-case name word for Facts.Names. Latin script is stemmed
// as English, whatever the report's language, so "Tesla" is one key in every report.
// Cyrillic names are cut by cyrillicNameStem rather than the Russian snowball stemmer
// or the light Ukrainian one, which cut names unevenly ("Киев" to "ки" but "Киеве" to
// "киев"; "Львова" to "львов" but "Львів" to "льв").
func nameKey(latin *tokenizer, l string) string {
	if strings.ContainsAny(l, "ё'’ʼ") {
		l = strings.Map(func(r rune) rune {
			switch r {
			case 'ё':
				return 'е'
			case '\'', '’', 'ʼ':
				return -1
			}
			return r
		}, l)
	}
	if isCyrillic(l) {
		if k, ok := latin.cache[l]; ok {
			return k // the tokenizer's cache holds Latin stems and these alike
		}
		k := cyrillicNameStem(l)
		latin.cache[l] = k
		return k
	}
	return latin.stem(l)
}

// cyrillicNameStem strips Russian and Ukrainian case endings from a name, again and
// again while at least three letters remain: "Зеленського" and "Зеленський" are
// "зеленськ", "Львова", "Львові" and "Львів" are "льв", "Москвой" is "москв".
func cyrillicNameStem(w string) string {
	rs := []rune(w)
	for {
		cut := false
		for _, e := range nameEndings {
			if len(rs)-len(e) >= 3 && slices.Equal(rs[len(rs)-len(e):], e) {
				rs, cut = rs[:len(rs)-len(e)], true
				break
			}
		}
		if !cut {
			return string(rs)
		}
	}
}

// nameEndings are the case endings of Russian and Ukrainian nouns and adjectives,
// longest first.
var nameEndings = func() [][]rune {
	var out [][]rune
	for _, e := range strings.Fields(`ього ого ому его ему ими ыми ами ями ією ою ею ой ей ий ый ій ая яя ої ом ем
		ам ям ах ях ів їв ов ев их ых іх ым им ім ую юю ое ее ые ие ія ію а я о е і и ы у ю ї й ь`) {
		out = append(out, []rune(e))
	}
	slices.SortStableFunc(out, func(a, b []rune) int { return len(b) - len(a) })
	return out
}()

// hasQuote reports whether a quote's content stems are mostly those of a known quote:
// outlets cut the same statement at different words, and a quote is new only when at
// least half of its words (of the shorter of the two) are not in any one known quote.
func (k *knownFacts) hasQuote(stems []string) bool {
	for _, q := range k.quotes {
		shared := 0
		for _, s := range stems {
			if slices.Contains(q, s) {
				shared++
			}
		}
		if shared*2 >= min(len(stems), len(q)) && shared >= 2 {
			return true
		}
	}
	return false
}

// Kinds of fact.
const (
	factNumber = iota
	factName
	factQuote
	factOutcome
)

// factUnit is the title or one sentence of the text.
type factUnit struct {
	text string
	lead bool // the title or a lead sentence: what DevelopmentOf reads
	rank int  // 0 for the title, 1 for the first lead sentence, and so on
}

// foundFact is one fact where a report states it.
type foundFact struct {
	kind   int
	key    string   // normalised, as stored in Facts
	unit   int      // index into factScan.units: 0 is the title
	weak   bool     // stored, but no evidence of a development (see weightOutcome)
	loose  bool     // names: only possibly a name (see nameEvidence): known once read, never new
	phrase int      // names: the run of capitalised words it is part of
	stems  []string // quotes: content stems
}

// factScan is a report read for facts.
type factScan struct {
	units []factUnit
	facts []foundFact
	// phrases holds, per name phrase, the indexes of its facts.
	phrases [][]int
}

// knownPhrases reports, per name phrase, whether any of its words is known: "Vladimir
// Putin" adds no one to a story that knew "Putin".
func (sc *factScan) knownPhrases(kn *knownFacts) map[int]bool {
	out := map[int]bool{}
	for p, idx := range sc.phrases {
		if len(idx) == 0 || !sc.units[sc.facts[idx[0]].unit].lead {
			continue // only the lead's phrases are read (DevelopmentOf); a text may hold thousands
		}
		for _, i := range idx {
			if kn.hasName(sc.facts[i].key) {
				out[p] = true
				break
			}
		}
	}
	return out
}

// weakPhrase reports whether any word of a name phrase is weak or ubiquitous:
// "Сполучених Штатів Америки" is the USA, "Kotaku's Jason Schreier" the outlet's
// reporter.
func (sc *factScan) weakPhrase(p int) bool {
	for _, i := range sc.phrases[p] {
		if sc.facts[i].weak || ubiquitous(sc.facts[i].key) {
			return true
		}
	}
	return false
}

// scanFacts reads an item's title and text for facts, in document order.
func scanFacts(it Item) *factScan {
	lang := it.Lang
	if lang == "" || lang == "auto" {
		lang = DetectLanguage(it.Title + "\n" + firstWords(it.Text, 200))
	}
	sc := &factScan{}
	title := strings.TrimSpace(it.Title)
	sc.units = append(sc.units, factUnit{text: title, lead: true})
	sents := SplitSentences(it.Text[datelineLength(it.Text):])
	lead := 0
	for i, s := range sents {
		text := s.Text
		if i == 0 {
			if m := datelineRE.FindStringIndex(text); m != nil && m[1] < len(text) {
				text = text[m[1]:]
			}
		}
		u := factUnit{text: text}
		if n := countWords(text); lead < leadSentences && !isBoilerplate(text, i, len(sents)) && n >= 4 && n <= maxLeadWords && !strings.EqualFold(text, title) {
			lead++
			u.lead, u.rank = true, lead
		}
		sc.units = append(sc.units, u)
	}
	tk := newTokenizer(lang)
	titleCaseTitle := headlineTitleCase(title)
	words := make([][]factWord, len(sc.units))
	for i, u := range sc.units {
		words[i] = factWords(u.text)
		if i == 0 && titleCaseTitle {
			for j := range words[i] {
				words[i][j].initial = true // capitals in a Title Case headline say nothing
			}
		}
	}
	markSourceTag(title, words[0])
	latin := newTokenizer(LangEnglish)
	names, loose := nameEvidence(latin, words)
	for i, u := range sc.units {
		sc.scanNumbers(i, u.text, words[i])
		sc.scanNames(latin, i, words[i], names, loose)
		sc.scanOutcomes(i, words[i])
		sc.scanQuotes(tk, i, u.text)
	}
	return sc
}

// datelineLength is the length of a dateline opening a report's text, or 0: the place,
// date and agency an agency report starts with ("МОСКВА, 25 мая (Рейтер) - ", "ТАСС, 17
// мая. ", "Москва. 14 ноября. INTERFAX.RU - ", "LONDON, March 3 (Reuters) - "), or a
// crawl's timestamp ("17:04 12.11.2019 "). Outlets write the same lede under their own
// dateline; its date, city and agency are no facts of the story. A dateline is read as
// words that are capitalised, numbers or month names, holding a date, up to a break
// before a capital letter: a period, or a space after a crawl's numeric date or time
// ("12.11.2019 Boeing"; not after "14 ноября", which may open a sentence). It ends at the
// first dash or closing bracket after the date ("(Reuters) - FTSE 100 Index fell" keeps
// "FTSE 100"), and a word in lower case ends the search, so a sentence is never cut.
func datelineLength(text string) int {
	const maxDatelineBytes, maxDatelineWords = 160, 10
	cut, words := 0, 0
	hasDate, prevDate, credit := false, false, false
	afterNumber := false
	for i := 0; i < len(text) && i < maxDatelineBytes && words < maxDatelineWords; {
		j := i
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				break
			}
			if !unicode.IsSpace(r) && !strings.ContainsRune(",.()–—-:/|", r) {
				return cut
			}
			j += n
		}
		if j >= len(text) {
			break
		}
		sep := text[i:j]
		first, _ := utf8.DecodeRuneInString(text[j:])
		if hasDate && i > 0 && unicode.IsUpper(first) {
			if strings.ContainsAny(sep, "–—-)") {
				return j // the dash or bracket after the date and agency ends it
			}
			if strings.Contains(sep, ".") || prevDate {
				cut = j
			}
		}
		k := j
		for k < len(text) {
			r, n := utf8.DecodeRuneInString(text[k:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				k += n
				continue
			}
			// "INTERFAX.RU", "12.11.2019", "17:04": one word.
			if next, _ := utf8.DecodeRuneInString(text[k+n:]); (r == '.' || r == ':') && k+n < len(text) && (unicode.IsLetter(next) || unicode.IsDigit(next)) {
				k += n
				continue
			}
			break
		}
		tok := text[j:k]
		words++
		wasNumber := afterNumber
		afterNumber, prevDate = false, false
		switch {
		case credit: // the credit after "Фото:"
			credit = false
		case strings.EqualFold(tok, "фото") || strings.EqualFold(tok, "photo"):
			credit = strings.HasPrefix(strings.TrimSpace(text[k:]), ":")
		case unicode.IsDigit(first):
			afterNumber = true
			if fullDateRE.MatchString(tok) || timeOfDayRE.MatchString(tok) {
				hasDate, prevDate = true, true
			}
		case monthNumber(strings.ToLower(tok)) > 0 && (wasNumber || digitFollows(text[k:])):
			hasDate = true // "25 мая", "March 3": a month next to its day
		case unicode.IsUpper(first):
		default:
			return cut
		}
		i = k
	}
	return cut
}

// digitFollows reports whether the next word of s, after spaces, starts with a digit.
func digitFollows(s string) bool {
	s = strings.TrimLeft(s, " \u00a0")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// factWord is a word of a unit as written.
type factWord struct {
	s          string // as written, possessive dropped
	start, end int    // byte offsets in the unit
	// initial marks a word whose capital letter says nothing: it opens the unit, a
	// sentence, a clause after a colon or dash, or a quotation.
	initial bool
	// attached is the punctuation run between the previous word and this one.
	attached string
	// tag marks the outlet or source a headline ends with ("..., - Reuters").
	tag bool
}

func (w factWord) lower() string { return strings.ToLower(w.s) }

func (w factWord) capitalised() bool {
	r, _ := utf8.DecodeRuneInString(w.s)
	return unicode.IsUpper(r)
}

func (w factWord) allCaps() bool {
	letters := 0
	for _, r := range w.s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

func (w factWord) digitLed() bool {
	r, _ := utf8.DecodeRuneInString(w.s)
	return unicode.IsDigit(r)
}

// factWords splits a unit into words: runs of letters and digits, joined across an
// inner hyphen or apostrophe ("Нур-Султан", "O'Brien"), with a possessive "'s" dropped.
func factWords(s string) []factWord {
	var out []factWord
	wordRune := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) }
	prevEnd := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !wordRune(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			c, n := utf8.DecodeRuneInString(s[j:])
			if wordRune(c) {
				j += n
				continue
			}
			if c == '-' || c == '\'' || c == '’' || c == '‑' {
				if next, _ := utf8.DecodeRuneInString(s[j+n:]); j+n < len(s) && wordRune(next) {
					j += n
					continue
				}
			}
			break
		}
		w := s[i:j]
		for _, pos := range []string{"'s", "’s"} {
			if strings.HasSuffix(w, pos) && len(w) > len(pos) {
				w = strings.TrimSuffix(w, pos)
			}
		}
		gap := strings.TrimSpace(s[prevEnd:i])
		initial := len(out) == 0 || opensClause(gap)
		out = append(out, factWord{s: w, start: i, end: j, initial: initial, attached: gap})
		prevEnd = j
		i = j
	}
	return out
}

// opensClause reports whether the punctuation between two words starts a sentence,
// clause or quotation, after which a capital letter says nothing about a name.
func opensClause(gap string) bool {
	if gap == "" {
		return false
	}
	return strings.ContainsAny(gap, ".!?:;«\"“„‘'‹()[]—–•|") || gap == "-"
}

// markSourceTag marks the words of a headline's trailing source tag: at most three
// words after a final dash ("США перевіряють рахунки росіян - ЗМІ", "..., - Генштаб",
// "... – Reuters"), the house style of Ukrainian and Russian outlets for saying whose
// claim it is. Which outlet a report cites is not a fact of the story.
func markSourceTag(title string, ws []factWord) {
	for k := len(ws) - 1; k > 0 && k >= len(ws)-3; k-- {
		gap := title[ws[k-1].end:ws[k].start]
		if strings.ContainsAny(strings.TrimSpace(gap), "-–—") && strings.ContainsAny(gap, " ") {
			for j := k; j < len(ws); j++ {
				ws[j].tag = true
			}
			return
		}
	}
}

// nameEvidence returns the name stems of a document. Strict are the words written
// with a capital where case tells (not opening a sentence, clause or quotation) at
// least three times as often as in lower case (the ratio batchNames uses), and
// acronyms outside a shouted line: what a report names. Loose are also the words
// capitalised anywhere case tells, those capitalised only where it does not and never
// written in lower case, and the capitalised words of the headline (which opens with
// its subject: "Уряд змінив правила"): what a report may have named, all of which is
// known once it is read. The difference is the asymmetry of DevelopmentOf: known facts
// are read generously, new ones strictly.
func nameEvidence(latin *tokenizer, units [][]factWord) (strict, loose map[string]bool) {
	capital, lower, initial := map[string]int{}, map[string]int{}, map[string]bool{}
	titleCaps := map[string]bool{}
	for u, ws := range units {
		shouting := shouted(ws)
		for _, w := range ws {
			if w.digitLed() {
				continue
			}
			key := nameKey(latin, w.lower())
			switch {
			case !w.capitalised():
				if !w.initial {
					lower[key]++
				}
			case w.allCaps() && !shouting:
				capital[key] += 3
			case !w.initial && !shouting:
				capital[key]++
			default:
				initial[key] = true
				if u == 0 {
					titleCaps[key] = true
				}
			}
		}
	}
	strict, loose = map[string]bool{}, map[string]bool{}
	for k, n := range capital {
		loose[k] = true
		if n >= 3*lower[k] {
			strict[k] = true
		}
	}
	for k := range initial {
		if lower[k] == 0 || titleCaps[k] {
			loose[k] = true
		}
	}
	return strict, loose
}

// shouted reports whether most words of a unit are in capitals (a shouted headline
// or a cross-head), where capitals say nothing.
func shouted(ws []factWord) bool {
	caps, n := 0, 0
	for _, w := range ws {
		if w.digitLed() {
			continue
		}
		n++
		if w.allCaps() {
			caps++
		}
	}
	return n >= 3 && caps*2 > n
}

// scanNames records the names of unit i, each word a fact. A run of adjacent
// capitalised words is one phrase ("Pakistan Cricket Board", "Маулен Ашимбаев"): a
// phrase with any word known is known.
func (sc *factScan) scanNames(latin *tokenizer, i int, ws []factWord, names, loose map[string]bool) {
	attribution := attributionSentence(ws)
	phrase := -1
	for k, w := range ws {
		if !w.capitalised() || w.digitLed() {
			phrase = -1
			continue
		}
		if phrase < 0 || w.attached != "" {
			phrase = len(sc.phrases)
			sc.phrases = append(sc.phrases, nil)
		}
		l := w.lower()
		key := nameKey(latin, l)
		if !names[key] && !loose[key] || notAName(l) || modifierCompound(w.s) {
			continue
		}
		weak := attribution || w.tag || citedSource(ws, k)
		sc.phrases[phrase] = append(sc.phrases[phrase], len(sc.facts))
		sc.facts = append(sc.facts, foundFact{kind: factName, key: key, unit: i, weak: weak, phrase: phrase, loose: !names[key]})
	}
}

// genericCaps are acronyms of common nouns: "the media" (ЗМІ, СМИ), the prime minister.
var genericCaps = set(`змі сми pm`)

// notAName lists capitalised words that name no one: function words, weekdays and
// months, sentence adverbs (notNames), titles and roles ("President", "Mr").
func notAName(l string) bool {
	if genericCaps[l] || isFunctionWord(l) || isNotName(l) || monthNumber(l) > 0 || weekdaysMonths[l] || titleWords[l] || isRoleWord(l) {
		return true
	}
	return len([]rune(l)) < 2
}

// ubiquitous reports whether a name stem is one of the names that most news in the
// bot's languages mention: Ukraine, Russia, the United States, the European Union,
// however written. In the Ukrainian news of ../shared/data/uk-ru/uk-news-2024-11,
// 69% of the articles name Ukraine, 52% Russia (20% more as "РФ"), 26% the USA:
// naming one of them tells a reader nothing new about a story.
func ubiquitous(key string) bool { return ubiquitousNames.hasName(key) }

var ubiquitousNames = func() *knownFacts {
	latin := newTokenizer(LangEnglish)
	var f Facts
	for _, n := range strings.Fields(`україна украина ukraine росія россия russia рф сша usa америка america єс
		ес eu евросоюз євросоюз`) {
		f.Names = append(f.Names, nameKey(latin, n))
	}
	return newKnownFacts(f)
}()

// modifierCompound reports whether a hyphenated word ends in a lower-case part
// ("American-style", "Kremlin-backed", "Kyiv-based"): it describes something, it does
// not name it.
func modifierCompound(s string) bool {
	i := strings.LastIndexAny(s, "-‑")
	if i < 0 {
		return false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	r, _ := utf8.DecodeRuneInString(s[i+size:])
	return unicode.IsLower(r)
}

// attributionSentence reports whether a short unit says where the news comes from:
// "Об этом сообщает ТАСС.", "Про це повідомляє Укрінформ.", "According to Kotaku." The
// outlets a report cites differ between reports of one event.
func attributionSentence(ws []factWord) bool {
	if len(ws) == 0 || len(ws) > 8 {
		return false
	}
	for _, w := range ws {
		if sourceCues[w.lower()] {
			return true
		}
	}
	return false
}

// citedSource reports whether word k follows a source cue within three words
// ("according to Kotaku", "со ссылкой на ТАСС", "пишет «Коммерсант»").
func citedSource(ws []factWord, k int) bool {
	for j := k - 1; j >= 0 && j >= k-3; j-- {
		if sourceCues[ws[j].lower()] {
			return true
		}
		if j < k-1 && strings.ContainsAny(ws[j+1].attached, ".!?") {
			return false
		}
	}
	return false
}

// sourceCues introduce the outlet or agency a report cites. Only the present tense of
// the Russian and Ukrainian verbs: an outlet "сообщает", "пише"; a past tense
// ("сообщил губернатор", "повідомив мер") introduces a speaker, who is a fact. Quote
// attribution reads the verbs the same way ("…», передает ТАСС": an outlet).
var sourceCues = set(`according citing cited
	сообщает пишет передает передаёт ссылкой ссылаясь данным информации информирует
	повідомляє пише передає посиланням даними інформацією інформує`)

// scanOutcomes records the outcome words of unit i that are stated as done: not
// negated, not future or possible ("will sign", "может уйти в отставку").
func (sc *factScan) scanOutcomes(i int, ws []factWord) {
	for k, w := range ws {
		o, ok := outcomeWords[strings.ReplaceAll(w.lower(), "ё", "е")]
		if !ok {
			continue
		}
		blocked := false
		for j := k - 1; j >= 0 && j >= k-3; j-- {
			if strings.ContainsAny(ws[j+1].attached, ".!?;:") {
				break
			}
			if outcomeBlockers[ws[j].lower()] {
				blocked = true
			}
		}
		// "погибших нет", "загиблих немає", "погибших не было": none.
		if k+1 < len(ws) && !strings.ContainsAny(ws[k+1].attached, ".!?;:") && negatedAfter[ws[k+1].lower()] {
			blocked = true
		}
		if blocked || strings.HasPrefix(strings.TrimSpace(sc.after(i, w)), "?") {
			continue
		}
		sc.facts = append(sc.facts, foundFact{kind: factOutcome, key: o, unit: i})
	}
}

// after is the text of unit i after word w.
func (sc *factScan) after(i int, w factWord) string { return sc.units[i].text[w.end:] }

// scanQuotes records the direct quotes of unit i of four words or more (shorter ones
// are names of things and scare quotes); titles of works in Title Case are skipped.
func (sc *factScan) scanQuotes(tk *tokenizer, i int, text string) {
	for _, sp := range findSpans(text) {
		q := strings.TrimSpace(text[sp.start:sp.end])
		if countWords(q) < 4 || titleCase(q) {
			continue
		}
		var stems []string
		for _, s := range tk.contentStems(q) {
			if len(stems) == quoteStems {
				break // the first quoteStems distinct stems are kept: a long quote stops here
			}
			if !slices.Contains(stems, s) && !isNumberish(s) {
				stems = append(stems, s)
			}
		}
		if len(stems) < 4 {
			continue // a phrase, not a statement
		}
		sc.facts = append(sc.facts, foundFact{kind: factQuote, key: strings.Join(stems, " "), unit: i, stems: stems})
	}
}

// quoteStems is how many content stems of a quote are kept: enough to tell two quotes
// apart and to see that two outlets cut one statement differently.
const quoteStems = 12

// scanNumbers records the numbers of unit i, normalised (see readNumber).
func (sc *factScan) scanNumbers(i int, text string, ws []factWord) {
	for _, w := range ws {
		if w.digitLed() {
			continue
		}
		if v, ok := numberWords[w.lower()]; ok {
			sc.facts = append(sc.facts, foundFact{kind: factNumber, key: v, unit: i, weak: true})
		}
	}
	// A count in words with a scale is the figure in digits: "полтора миллиона" is
	// "1,5 млн", "two billion" "2bn". Weak like any number in words, but known.
	for k := 0; k+1 < len(ws); k++ {
		v, ok := numberWords[ws[k].lower()]
		if !ok {
			v, ok = halfWords[ws[k].lower()]
		}
		if !ok || ws[k+1].attached != "" {
			continue
		}
		if scale := scaleOf(ws[k+1].lower()); scale > 0 && utf8.RuneCountInString(ws[k+1].s) > 2 {
			// "two million", "полтора миллиона", "три млн"; not "two m tall", "nine k".
			whole, frac, _ := strings.Cut(v, ".")
			sc.facts = append(sc.facts, foundFact{kind: factNumber, key: scaled(whole, frac, scale), unit: i, weak: true})
		}
	}
	consumed := 0
	cyrillic := strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
	for at := 0; at < len(text); at++ {
		c := text[at]
		if c < '0' || c > '9' || at < consumed {
			continue
		}
		if at > 0 {
			prev := lastRune(text[:at])
			if unicode.IsLetter(prev) || unicode.IsDigit(prev) {
				continue // "G20", "Су57"
			}
			if (prev == '-' || prev == '‑') && at > 1 && unicode.IsLetter(lastRune(text[:at-1])) {
				continue // a model or identifier: "COVID-19", "Су-57"
			}
		}
		if cyrillic && modelNumber(text, at, ws) {
			_, _, end := readDigits(text, at)
			consumed = max(end, at+1) // the whole number: "Tesla 20 000" is no "0"
			continue
		}
		if at == 0 && listNumber(text) {
			consumed = at + 1
			continue
		}
		ns, end := readNumber(text, at, ws)
		consumed = max(end, at+1)
		for _, n := range ns {
			sc.facts = append(sc.facts, foundFact{kind: factNumber, key: n.key, unit: i, weak: n.weak})
		}
	}
}

// modelNumber reports whether the number at text[at], in a unit of Cyrillic text, is
// part of a Latin-script name: "Mortal Kombat 11", "SSJ 100", "iPhone 11", "Boeing
// 737". Russian and Ukrainian reports write products, models and series in Latin
// letters with their number; the number names the thing, it counts nothing. A day
// before its month ("Reuters 5 мая") is a date.
func modelNumber(text string, at int, ws []factWord) bool {
	k := sort.Search(len(ws), func(i int) bool { return ws[i].end > at })
	if k == 0 || text[ws[k-1].end:at] != " " {
		return false
	}
	// A model's number is plain digits, a few of them: "Tesla 20 000 машин" and "Tesla
	// 1,5 млн" count.
	if intPart, frac, end := readDigits(text, at); frac != "" || end-at > 4 || end-at != len(intPart) {
		return false
	}
	if k < len(ws) && ws[k].start >= at && k+1 < len(ws) {
		// ws[k] is the number itself; the word after it may be a month or a scale.
		if next := ws[k+1].lower(); monthNumber(next) > 0 || scaleOf(next) > 0 {
			return false
		}
	}
	prev := ws[k-1]
	r, _ := utf8.DecodeRuneInString(prev.s)
	if r > unicode.MaxASCII || !unicode.IsLetter(r) || prev.initial || monthNumber(prev.lower()) > 0 || isWeekdayOrMonth(prev.lower()) {
		return false
	}
	hasUpper := false
	for _, c := range prev.s {
		if c > unicode.MaxASCII {
			return false
		}
		hasUpper = hasUpper || unicode.IsUpper(c)
	}
	return hasUpper
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// listNumber reports whether a unit opens with list numbering ("1. ", "2) ").
func listNumber(text string) bool { return listNumberRE.MatchString(text) }

type number struct {
	key  string
	weak bool
}

// readNumber reads the number that starts at text[at]: digit groups ("1,000", "1 000",
// "1.000.000"), a decimal part ("3.5", "3,5") and a scale after it ("1.5 million",
// "150 млн", "$1.3bn"), then what it counts from the words around it. Times of day
// give nothing; a full date gives its year and month-day; years, dates, ages and
// hours are weak. It returns the numbers and where the number's text ends.
func readNumber(text string, at int, ws []factWord) ([]number, int) {
	if m := fullDateRE.FindStringSubmatch(text[at:]); m != nil {
		day, month := atoiSmall(m[1]), atoiSmall(m[2])
		if day >= 1 && day <= 31 && month >= 1 && month <= 12 {
			return []number{{m[3], true}, {monthDay(month, day), true}}, at + len(m[0])
		}
	}
	if m := timeOfDayRE.FindString(text[at:]); m != "" {
		return nil, at + len(m)
	}
	intPart, frac, end := readDigits(text, at)
	// A suffix attached to the digits: "11th", "12-й", "73-year-old", "1.3bn", "52%".
	sufEnd := end
	if sufEnd < len(text) && (text[sufEnd] == '-' || strings.HasPrefix(text[sufEnd:], "‑")) {
		_, n := utf8.DecodeRuneInString(text[sufEnd:])
		if r, _ := utf8.DecodeRuneInString(text[sufEnd+n:]); unicode.IsLetter(r) {
			sufEnd += n
		}
	}
	for sufEnd < len(text) {
		r, n := utf8.DecodeRuneInString(text[sufEnd:])
		if !unicode.IsLetter(r) && !(r == '-' && sufEnd+1 < len(text) && unicode.IsLetter(rune(text[sufEnd+1]))) {
			break
		}
		sufEnd += n
	}
	suffix := strings.ToLower(strings.TrimLeft(text[end:sufEnd], "-‑"))
	if suffix != "" && sufEnd == end {
		suffix = ""
	}
	prev, next, nextNext := "", "", ""
	prevAttached := ""
	// The words around the number, found by position (ws is in text order): a scan
	// from the start for each number was quadratic in a unit full of numbers.
	if k := sort.Search(len(ws), func(i int) bool { return ws[i].end > at }); k > 0 {
		prev = ws[k-1].lower()
		prevAttached = strings.TrimSpace(text[ws[k-1].end:at])
	}
	if j := sort.Search(len(ws), func(i int) bool { return ws[i].start >= sufEnd }); j < len(ws) {
		if strings.TrimSpace(text[sufEnd:ws[j].start]) == "" {
			next = ws[j].lower()
			if j+1 < len(ws) {
				nextNext = ws[j+1].lower()
			}
		}
	}
	weak := false
	switch {
	case ageSuffix(suffix) || (next == "years" || next == "year") && nextNext == "old" || prev == "aged":
		weak = true
	case hourWords[next] || hourWords[suffix]:
		weak = true
	case next == "am" || next == "pm" || suffix == "am" || suffix == "pm" ||
		(next == "a" || next == "p") && strings.HasPrefix(text[sufEnd:], " "+next+".m"):
		return nil, sufEnd // a time of day
	}
	if len(frac) == 2 && (prev == "at" || prev == "в" || prev == "о" || prev == "к") && atoiSmall(intPart) <= 24 && atoiSmall(frac) < 60 {
		return nil, end // "at 8.40", "в 8.40": a time of day
	}
	if frac == "" && !strings.ContainsAny(text[at:end], ",. \u00a0\u202f\u2009") {
		n := atoiSmall(intPart)
		if m := monthNumber(next); m > 0 && n >= 1 && n <= 31 && suffix == "" {
			return []number{{monthDay(m, n), true}}, sufEnd
		}
		if m := monthNumber(prev); m > 0 && n >= 1 && n <= 31 && (prevAttached == "" || prevAttached == ".") {
			return []number{{monthDay(m, n), true}}, sufEnd
		}
		if len(intPart) == 4 && n >= 1900 && n <= 2100 && scaleOf(next) == 0 && scaleOf(suffix) == 0 {
			return []number{{intPart, true}}, sufEnd
		}
	}
	scale := scaleOf(suffix)
	if scale == 0 && suffix == "" {
		scale = scaleOf(next)
	}
	return []number{{scaled(intPart, frac, scale), weak}}, sufEnd
}

var (
	fullDateRE   = regexp.MustCompile(`^(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)\b`)
	timeOfDayRE  = regexp.MustCompile(`^([01]?\d|2[0-4]):[0-5]\d\b`)
	listNumberRE = regexp.MustCompile(`^\d{1,2}[.)]\s`)
)

func monthDay(m, d int) string {
	return string([]byte{byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)})
}

func atoiSmall(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1e8 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// readDigits reads digit groups from text[at]: it returns the integer digits (group
// separators removed, leading zeros dropped), the decimal digits (trailing zeros
// dropped) and where the number ends. A comma followed by exactly three digits groups
// thousands ("1,000"), and so do periods when there are two or more such groups
// ("1.000.000") and spaces after a first group of at most three digits ("1 434", the
// Russian and Ukrainian style); otherwise a comma or period between digits is the
// decimal point ("3,5", "30.4").
func readDigits(text string, at int) (intPart, frac string, end int) {
	digits := func(j int) int {
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		return j
	}
	j := digits(at)
	var b strings.Builder
	b.WriteString(text[at:j])
	first := j - at
	for j < len(text) {
		sep, size := utf8.DecodeRuneInString(text[j:])
		space := sep == ' ' || sep == '\u00a0' || sep == '\u202f' || sep == '\u2009'
		if !(sep == ',' || sep == '.' && dotGroups(text, j) || space && first <= 3) {
			break
		}
		e := digits(j + size)
		if e-(j+size) != 3 {
			break
		}
		b.WriteString(text[j+size : e])
		j = e
	}
	intPart = strings.TrimLeft(b.String(), "0")
	if intPart == "" {
		intPart = "0"
	}
	if j+1 < len(text) && (text[j] == '.' || text[j] == ',') && text[j+1] >= '0' && text[j+1] <= '9' {
		e := digits(j + 1)
		frac = strings.TrimRight(text[j+1:e], "0")
		j = e
	}
	return intPart, frac, j
}

// dotGroups reports whether a period at text[j] starts a run of two or more
// three-digit groups ("1.000.000"), or continues one: a single ".000" is decimals.
func dotGroups(text string, j int) bool {
	group := func(p int) bool {
		return len(text) >= p+4 && text[p] == '.' && isDigits(text[p+1:p+4]) && (p+4 == len(text) || text[p+4] < '0' || text[p+4] > '9')
	}
	if !group(j) {
		return false
	}
	return group(j+4) || j >= 4 && group(j-4)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// scaled writes intPart.frac times 10^scale as a plain decimal without trailing
// zeros, so "1.5 million", "1,5 млн" and "1 500 000" are all "1500000".
func scaled(intPart, frac string, scale int) string {
	digits := intPart + frac
	point := len(intPart) + scale
	for len(digits) < point {
		digits += "0"
	}
	whole, dec := digits[:point], strings.TrimRight(digits[point:], "0")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if dec == "" {
		return whole
	}
	return whole + "." + dec
}

// scaleOf is the power of ten a scale word stands for (0 when it is none).
func scaleOf(w string) int {
	w = strings.TrimSuffix(w, ".")
	switch w {
	case "k", "thousand", "thousands", "тыс", "тис":
		return 3
	case "m", "mln", "million", "millions", "млн":
		return 6
	case "bn", "b", "billion", "billions", "млрд":
		return 9
	case "trillion", "trillions", "трлн", "tn":
		return 12
	}
	for _, p := range []struct {
		prefix string
		scale  int
	}{{"тысяч", 3}, {"тисяч", 3}, {"миллион", 6}, {"мільйон", 6}, {"миллиард", 9}, {"мільярд", 9}, {"триллион", 12}, {"трильйон", 12}} {
		if strings.HasPrefix(w, p.prefix) {
			return p.scale
		}
	}
	return 0
}

// ageSuffix reports whether a suffix attached to a number makes it an age
// ("73-year-old", "24-летняя", "24-річна").
func ageSuffix(s string) bool {
	return strings.HasPrefix(s, "year-old") || strings.HasPrefix(s, "years-old") ||
		strings.HasPrefix(s, "летн") || strings.HasPrefix(s, "річн")
}

// hourWords are units of hours and minutes: "24 hours", "за 3 часа" say how long or
// when, not how many.
var hourWords = set(`hour hours minute minutes mins min seconds час часа часов часу минут минуты минуту
	годин години годину хвилин хвилини хвилину h`)

// monthNumber is 1-12 for a month name in English, Russian or Ukrainian (any case
// form, abbreviations included), 0 otherwise.
func monthNumber(w string) int {
	w = strings.TrimSuffix(w, ".")
	if m, ok := monthNames[w]; ok {
		return m
	}
	for _, p := range monthPrefixes {
		if strings.HasPrefix(w, p.prefix) {
			return p.month
		}
	}
	return 0
}

var monthNames = func() map[string]int {
	m := map[string]int{}
	for i, names := range []string{
		"january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
		"august aug", "september sep sept", "october oct", "november nov", "december dec",
	} {
		for _, n := range strings.Fields(names) {
			m[n] = i + 1
		}
	}
	return m
}()

// monthPrefixes match the inflected Russian and Ukrainian month names ("ноября",
// "листопада", "мае", "травні").
var monthPrefixes = []struct {
	prefix string
	month  int
}{
	{"январ", 1}, {"феврал", 2}, {"март", 3}, {"апрел", 4}, {"мая", 5}, {"мае", 5}, {"май", 5}, {"июн", 6},
	{"июл", 7}, {"август", 8}, {"сентябр", 9}, {"октябр", 10}, {"ноябр", 11}, {"декабр", 12},
	{"січ", 1}, {"лют", 2}, {"берез", 3}, {"квіт", 4}, {"травн", 5}, {"травен", 5}, {"черв", 6},
	{"лип", 7}, {"серп", 8}, {"верес", 9}, {"жовт", 10}, {"листопад", 11}, {"груд", 12},
}

// numberWords are counts written as words, stored as digits so that "двое погибших"
// and "2 погибших" are one fact. They are weak: written out, a number is usually
// colour ("two sources said"), and "one" is left out altogether.
var numberWords = func() map[string]string {
	m := map[string]string{}
	for v, ws := range map[string]string{
		"2":  "two два две двое двух двум двоих дві двоє двох",
		"3":  "three три трое трех трёх троих троє трьох",
		"4":  "four четыре четверо четырех четырёх чотири четверо чотирьох",
		"5":  "five пять пятеро пяти п'ять п’ять п'ятеро п’ятеро",
		"6":  "six шесть шестеро шести шість",
		"7":  "seven семь семеро семи сім",
		"8":  "eight восемь восьми вісім",
		"9":  "nine девять девяти дев'ять дев’ять",
		"10": "ten десять десяти",
		"12": "twelve dozen",
	} {
		for _, w := range strings.Fields(ws) {
			m[w] = v
		}
	}
	return m
}()

// halfWords are "one and a half", which counts only with a scale after it.
var halfWords = map[string]string{"полтора": "1.5", "полутора": "1.5", "півтора": "1.5", "півтори": "1.5"}

// outcomeWords map the word forms that state an outcome, in English, Ukrainian and
// Russian, to one entry each: "died", "dead", "killed", "помер", "погибли" are all
// "dies". Forms are listed rather than stemmed because tense matters: the past tense
// ("подписал", "підписали") and the passive participle ("подписан", "підписано")
// state an outcome, the future ("подпишет") and the infinitive ("to sign") a run-up.
// English headline present tense ("dies", "resigns") reports a past event and is
// included. Words are looked up with ё written е. Ukrainian and Russian verbs are written as a stem and the ending classes
// it takes (see outcomeEndings), so every gender and number is covered alike.
var outcomeWords = func() map[string]string {
	m := map[string]string{}
	for o, ws := range map[string]string{
		"dies": `dies died dead killed perished
			умер умерла умерли скончался скончалась скончались погиб погибла погибли погибших погибшие
			погибшего убит убита убиты убито убили
			помер померла померли загинув загинула загинули загиблих загиблі загиблого вбито вбитий вбита
			вбиті вбили убили`,
		"injured": `injured wounded ранен ранена ранены раненых ранено пострадал пострадала пострадали
			пострадавших поранен поранений поранена поранені поранено поранених травмован травмована
			травмовані травмовано постраждав постраждала постраждали`,
		"signed": `signed signs подписа+ruV+ruP підписа+ukV+ukP`,
		"verdict": `verdict convicted sentenced acquitted jailed
			приговор приговори+ruV приговор+ruPe осуди+ruV осужд+ruPe оправда+ruV+ruP
			вирок засуди+ukV засудж+ukPe виправда+ukV+ukP`,
		"resigns":   `resigns resigned resignation quits отставку отставке відставку відставці`,
		"dismissed": `fired sacked ousted dismissed уволи+ruV увол+ruPe звільни+ukV звільн+ukPe`,
		"arrested":  `arrested detained задержа+ruV+ruP арестова+ruV+ruP затрима+ukV+ukP заарештува+ukV заарештова+ukP`,
		"charged":   `charged indicted обвини+ruV обвин+ruPe обвинувати+ukV обвинувач+ukPe підозру`,
		"elected":   `elected избра+ruV избран избрана избраны обра+ukV`,
		"won":       `wins won победи+ruV выигра+ruV переміг перемогла перемогли вигра+ukV`,
		"approved": `approved ratified adopted одобри+ruV одобр+ruPe утверди+ruV утвержд+ruPe ратифицирова+ruV+ruP
			схвали+ukV схвал+ukPe затверди+ukV затвердж+ukPe ухвали+ukV ухвал+ukPe ратифікува+ukV ратифікова+ukP`,
		"rejected":  `rejected vetoed отклони+ruV отклон+ruPe отверг отвергла отвергли відхили+ukV відхил+ukPe ветува+ukV`,
		"released":  `released freed освободи+ruV освобожд+ruPe відпусти+ukV`,
		"appointed": `appointed назначи+ruV назнач+ruPe призначи+ukV признач+ukPe`,
		"bankrupt":  `bankrupt bankruptcy банкротом банкротства банкротство банкрутом банкрутства банкрутство`,
		"cancelled": `cancelled canceled отмени+ruV отмен+ruPe скасува+ukV скасова+ukP`,
	} {
		for _, w := range strings.Fields(ws) {
			parts := strings.Split(w, "+")
			if len(parts) == 1 {
				m[w] = o
				continue
			}
			for _, class := range parts[1:] {
				for _, end := range strings.Fields(outcomeEndings[class]) {
					m[parts[0]+end] = o
				}
			}
		}
	}
	return m
}()

// outcomeEndings are the endings of the past tense (V) and the passive participle
// (P, Pe after a stem that changes) of Russian (ru) and Ukrainian (uk) verbs.
var outcomeEndings = map[string]string{
	"ruV":  "л ла ли ло",
	"ruP":  "н на но ны нный нная нное нные нного нных",
	"ruPe": "ен ена ено ены енный енная енное енные енного енных",
	"ukV":  "в ла ли ло",
	"ukP":  "ний на но ні ного ної них",
	"ukPe": "ений ена ено ені еного еної ених",
}

// negatedAfter, right after an outcome word, deny it.
var negatedAfter = set(`нет не немає ні none`)

// outcomeBlockers, up to three words before an outcome word in its clause, make it
// something that did not happen or has not yet (negation, modals, the future,
// conditions, "ahead of", calls and demands: "призвал уйти в отставку") or background:
// a relative clause describes someone ("Trump, who won the election", "Трамп, який
// переміг на виборах"), and a reminder recalls what is known ("под руководством
// которого, напомним, «скуадра адзурра» выиграла чемпионат мира"; not English
// "recall", which is also a product recall).
var outcomeBlockers = set(`напомним напоминаем нагадаємо нагадуємо not no never didn't doesn't don't won't wouldn't isn't wasn't will would could may might
	to can cannot should must shall if whether expected likely consider considering awaits awaiting who which
	ahead before pending calls called calling demand demands demanded urge urges urged threatens threatened
	не ни нет будет будут может могут мог могли бы ли если должен должна должны хочет хотят намерен
	намерена планирует планируют собирается готов ожидается вынесет огласит огласят который которая
	которые которого которой которых до перед накануне призвал призвала призвали призывает призывают
	потребовал потребовала потребовали требует требуют пригрозил пригрозила
	ні буде будуть може можуть міг могли би б чи якщо має мають повинен хоче хочуть планує планують
	збирається готовий очікується винесе оголосить який яка яке які якого якої яких котрий напередодні
	закликав закликала закликали закликає закликають вимагав вимагала вимагали вимагає вимагають
	пригрозив пригрозила`)
