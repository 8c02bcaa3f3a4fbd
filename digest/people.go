package digest

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// People: who an article names, where, as a sentence's subject or not, with what role.

// person is a named person seen in the text, for resolving later mentions.
type person struct {
	name     string
	sur      string // name's last word, kept: every capitalised run compares with it
	role     string
	mentions []int // every mention's offset, in the order noted
	subjects []int // the mentions where a sentence's subject stands (see subjectPlace)
	obliques []int // English mentions after a preposition ("hosted by Gordon Brown"), in text order
	plain    []int // the mentions that are not obliques
	// mentions, subjects, obliques and plain are kept in ascending order, so that a
	// "he" finds the latest before it by binary search: a crafted text of 100,000
	// mentions of one person made every pronoun scan them all.
	gender byte // 'f', 'm' or 0 when unknown
	// surnamed: named again later by surname alone, as news names people and not
	// places ("Corbett said …"): evidence of a person, like a first name or a role.
	surnamed bool
	// spoke: credited by a speech verb with a quote that says "I": evidence of a
	// person too (a company speaks as "we").
	spoke bool
	// org: the name is an organisation's or a document's ("Joint Committee on …", "the
	// report"), which no "he" or "she" means. Read once, where the person is noted.
	org bool
}

// known reports whether p is known to be a person, not just a capitalised phrase: a
// first name or title gives a gender, or a role, or the surname is named again.
func (p person) known() bool { return p.gender != 0 || p.role != "" || p.surnamed }

// before is the offset of p's latest mention before at: someone named later in the
// text can still be who an earlier "he" or "the president" means.
func (p person) before(at int) (int, bool) { return lastBelow(p.mentions, at) }

// subjectBefore is like before, for the mentions in subject place within
// subjectWindow of at.
func (p person) subjectBefore(at int) (int, bool) {
	window := subjectWindow
	if isCyrillic(p.name) {
		window *= 2 // two bytes a letter
	}
	m, ok := lastBelow(p.subjects, at)
	return m, ok && at-m <= window
}

// plainBefore is like before, for mentions that are not obliques: a "he" rarely means
// someone named only after "by" or "with".
func (p person) plainBefore(at int) (int, bool) { return lastBelow(p.plain, at) }

// lastBelow is the greatest offset of the ascending ms below at.
func lastBelow(ms []int, at int) (int, bool) {
	i := sort.SearchInts(ms, at)
	if i == 0 {
		return -1, false
	}
	return ms[i-1], true
}

// insertSorted adds v to the ascending ms; text order appends at the end.
func insertSorted(ms []int, v int) []int {
	i, _ := slices.BinarySearch(ms, v)
	return slices.Insert(ms, i, v)
}

// subjectWindow is how far back (in bytes, about two sentences) a subject is still what
// a "he" continues: the preference is local, as a text's focus moves on. Chosen on the
// tuned BBC sets A and B (`newsbot eval quotes --file testdata/eval/quotes/bbc-b.json`):
// 150-200 bytes and 400-2000 each lost one to four quotes there; PolNeAR dev is the same
// for every width.
const subjectWindow = 300

// surnameOrgWords are orgWords that are also common surnames.
var surnameOrgWords = set(`fox street house court post times hall`)

// orgWords mark a capitalised phrase as an organisation or place, not a person.
var orgWords = set(`department party committee convention council university times post news court house
	senate congress agency association foundation campaign company corporation inc corp institute center
	centre service ministry office bank fund union commission administration network movement caucus church
	street journal review magazine group organization organisation board authority police army navy force
	government club school college hospital station channel media press federation league security nations
	states republic kingdom city county state avenue airport museum times tribune herald guardian reuters
	press report reports poll polls survey fox cnn msnbc abc nbc cbs bbc twitter facebook google apple
	act amendment treaty accord airline airlines airways`)

func isOrgName(name string) bool {
	if ws := strings.Fields(strings.ToLower(name)); len(ws) == 2 && surnameOrgWords[ws[1]] && guessGender(ws[0]+" "+ws[1], "") != 0 {
		return false // "Edward Fox", "Picabo Street": a first name, then a surname that is also an organisation's word
	}
	for _, w := range strings.Fields(strings.ToLower(name)) {
		w = strings.Trim(w, ".,'’")
		if orgWords[w] {
			return true
		}
		if isCyrillic(w) {
			for _, stem := range cyrillicOrgStems {
				if strings.HasPrefix(w, stem) {
					return true
				}
			}
		}
	}
	return false
}

// cyrillicOrgStems begin the Ukrainian and Russian words for organisations, in every
// case ("Державного Агентства відновлення" is no person).
var cyrillicOrgStems = strings.Fields(`агентств агенці агентст міністерств министерств служб комітет
	комитет управлін управлен департамент фонд банк парті парти компані компани корпораці
	корпораци інститут институт університет университет академі академи центр прокуратур
	поліці полици уряд правительств парламент конгрес сенат штаб організаці организаци
	адміністраці администраци відомств ведомств посольств дум`)

// dropQuotedMentions forgets the mentions of people named inside a quotation of four
// words or more: they are in the speaker's words, not the story's, and a "he" after
// "“Rooney was brilliant,” said Ferguson" means Ferguson. The people stay, so that a
// surname can still be resolved to the full name the quote gave.
func dropQuotedMentions(people []person, text string, spans []span) []person {
	var quoted []span
	for _, sp := range spans {
		if len(strings.Fields(text[sp.start:sp.end])) >= 4 {
			quoted = append(quoted, sp)
		}
	}
	if len(quoted) == 0 {
		return people
	}
	inQuote := func(m int) bool {
		// Spans come in text order and do not overlap: the last one starting at or
		// before m is the only one that can hold it.
		k := sort.Search(len(quoted), func(k int) bool { return quoted[k].start > m }) - 1
		return k >= 0 && m < quoted[k].end
	}
	for i := range people {
		p := &people[i]
		p.mentions = slices.DeleteFunc(p.mentions, inQuote)
		p.subjects = slices.DeleteFunc(p.subjects, inQuote)
		p.obliques = slices.DeleteFunc(p.obliques, inQuote)
		p.plain = slices.DeleteFunc(p.plain, inQuote)
	}
	return people
}

// noteSpeaker notes a quote's speaker as a person mentioned at `at`, with the gender
// a Ukrainian or Russian past-tense cue gives a named speaker ("— заявила Безугла").
func noteSpeaker(people []person, q Quote, at int) []person {
	people, k := notePerson(people, q.Speaker, q.Role, at, true, speakerLimit)
	if k >= 0 && people[k].gender == 0 && !isPronoun(q.Mention) {
		people[k].gender = cueGender(q.Cue)
	}
	if k >= 0 && q.Cue != "" && !isOrgName(q.Speaker) && firstPersonSingular(q.Text) {
		people[k].spoke = true
	}
	return people
}

// collectPeople finds person names, with the role written next to them ("Putin's
// spokesman Dmitry Peskov", "Canadian Foreign Minister Melanie Joly"), in order of
// appearance. It scans tokens: a run of capitalised words (initials and particles
// allowed), extended back over up to two role words or a possessive.
func collectPeople(text string) []person {
	var out []person
	offset := 0
	for n, para := range strings.Split(text, "\n") {
		if headlineLine(para, n == 0) {
			// "Ava DuVernay’s ‘13th’ Explores The Evolution Of The Prison System":
			// every word is capitalised, so runs of them are not names.
			offset += len(para) + 1
			continue
		}
		ts := lexTokens(para)
		for i := 0; i < len(ts); {
			if !ts[i].capitalised() || isNotName(ts[i].s) || modifierCompound(ts[i].s) {
				i++
				continue
			}
			j := i
			for j < len(ts) && ((ts[j].capitalised() && !isNotName(ts[j].s) && !modifierCompound(ts[j].s)) || (j > i && particles[ts[j].lower()] && j+1 < len(ts) && ts[j+1].capitalised())) {
				j++
			}
			if j+1 < len(ts) && !ts[j].capitalised() && roleHead(ts[j].lower()) && ts[j+1].capitalised() {
				i = j // "Manfred Mann singer Paul Jones": a role's modifier, not a person
				continue
			}
			start := i
			for k := 0; k < 2 && start > 0; k++ {
				p := ts[start-1]
				if start < i && (p.s == "'" || p.s == "’") && start >= 2 && ts[start-2].capitalised() && strings.HasSuffix(ts[start-2].s, "s") {
					start -= 2 // "Kenteris' lawyer": a plural owner's apostrophe
					break
				}
				// An owner is capitalised: "India's", not "last year's".
				if p.punct || !(isRoleWord(p.lower()) || p.capitalised() && possessiveTok(p)) {
					break
				}
				start--
			}
			if start < i {
				// "Wasps rugby director Warren Gatland", "Renaissance Capital energy
				// analyst Adam Landes": lower-case words between an organisation's name
				// and the role word qualify the role.
				m := start
				for m > 0 && start-m < 2 && lowerModifier(ts[m-1]) {
					m--
				}
				if m < start && m > 0 && ts[m-1].capitalised() && !ts[m-1].punct && !isFunctionWord(ts[m-1].lower()) && !isNotName(ts[m-1].s) {
					start = m
				}
			}
			start = roleStart(ts, start, i)
			run := ts[start:j]
			oneName := j == i+1 && roleNamesOne(ts, i)
			i = j
			if employerOf(ts, start) {
				continue // "chief economist at Investec Securities": where a person works
			}
			if titleArticle(ts, start) && !slices.ContainsFunc(ts[start:j], possessiveTok) {
				// "17 years after The Joshua Tree cemented …", "The film, A Different
				// Story, …": an article capitalised inside a sentence opens a title
				// (an owner's name may: "said The Guardian's Alan Rusbridger").
				continue
			}
			// A capitalised function word opens a sentence, not a name ("The", "But").
			for len(run) > 0 && (isFunctionWord(run[0].lower()) || isNotName(run[0].s)) && !firstTitle(run, 0) {
				run = run[1:]
			}
			demonym := ""
			if len(run) > 1 && demonyms[run[0].lower()] && !slices.ContainsFunc(run[1:], func(t tok) bool { return !t.capitalised() || isRoleWord(t.lower()) }) {
				// "American Davenport", "Dutchman Arnoud Okken": a nationality, then
				// the name (a second "Davenport" hid the first one's surname); not
				// "Australian Open champion Marat Safin", a title's word.
				demonym, run = run[0].s, run[1:]
			}
			if len(run) < 2 {
				continue
			}
			if last := run[len(run)-1]; possessiveTok(last) &&
				!slices.ContainsFunc(run[:len(run)-1], func(t tok) bool { return !t.capitalised() }) && (j >= len(ts) || !roleHead(ts[j].lower())) &&
				subjectTok(ts, start, j) {
				// "Bill Conti's job of musical director …": an owner who opens the
				// sentence is its topic, a person a later "he" may mean ("Nissan's chief
				// executive …" owns a role; "Despite enjoying Dan Brown's …" is no topic).
				run = slices.Clone(run)
				run[len(run)-1].s = strings.TrimSuffix(strings.TrimSuffix(last.s, "'s"), "’s")
			}
			name, role := splitRole(joinToks(run))
			if shed := shedObliqueLead(name, out); shed != name {
				run = run[len(run)-len(strings.Fields(shed)):]
				name = shed
			}
			nw := strings.Fields(name)
			// A person's name has two to four words here; single surnames are learned
			// from attributions instead, where the speech verb says it is a person, or
			// from a role word right before one ("блогер Mick", "політолог Рейтерович").
			if (len(nw) < 2 && !(len(nw) == 1 && oneName)) || len(nw) > 4 || isOrgName(name) || roleWords[strings.ToLower(nw[len(nw)-1])] ||
				placePrefixes[strings.ToLower(nw[0])] || strings.ContainsAny(name, "0123456789") {
				continue // "New Orleans", "North Korea" are places
			}
			if role == "" {
				role = demonym
			}
			if role == "" {
				role = appositiveRole(ts, j)
			}
			if role == "" {
				role = leadingRole(ts, start)
			}
			at := offset + run[0].at // the run's own place: its first word may occur earlier
			subject := subjectTok(ts, start, j)
			if isCyrillic(name) {
				first := start
				for k := j - 1; k >= start; k-- {
					if ts[k].s == nw[0] {
						first = k // the name's own first word, after any role or place before it
						break
					}
				}
				subject = !obliqueCyrillic(ts, first, nw)
			}
			var k int
			out, k = notePerson(out, name, role, at, subject, maxPeople)
			if k >= 0 && !isCyrillic(name) && afterPreposition(ts, start) {
				out[k].obliques = insertSorted(out[k].obliques, at)
				if i, ok := slices.BinarySearch(out[k].plain, at); ok {
					out[k].plain = slices.Delete(out[k].plain, i, i+1)
				}
			}
		}
		offset += len(para) + 1
	}
	return surnameMentions(text, out)
}

// afterPreposition reports whether the name phrase at ts[start], walked back over its
// capitalised and role words ("by UK finance minister Gordon Brown"), follows an
// English preposition.
func afterPreposition(ts []tok, start int) bool {
	k := start
	for n := 0; n < 4 && k > 0; n++ {
		p := ts[k-1]
		if p.punct || englishPrepositions[p.lower()] || cueWord(p) || isFunctionWord(p.lower()) {
			break // a capitalised word, a role word or its modifier ("UK finance minister") is crossed
		}
		k--
	}
	// "including George Gregan, Andrew Mehrtens and Chris Latham": a list's later
	// names share the preposition of its first.
	for rounds := 0; rounds < 4 && k > 1 && (ts[k-1].s == "," || ts[k-1].lower() == "and" || ts[k-1].lower() == "or"); rounds++ {
		j := k - 1
		if !ts[j-1].capitalised() || ts[j-1].punct {
			break
		}
		for j > 0 && k-j < 6 && ts[j-1].capitalised() && !ts[j-1].punct {
			j--
		}
		k = j
	}
	return k > 0 && englishPrepositions[ts[k-1].lower()]
}

// englishPrepositions put a name in an oblique place: "hosted by Gordon Brown",
// "met with Ann Lee", "a letter to John Smith".
var englishPrepositions = set(`by with to from at for of about against between among under on in into onto than including`)

// obliqueCyrillic reports whether a Ukrainian or Russian name starting at ts[start]
// (words nw) stands in an oblique case, where no sentence's subject stands: after a
// preposition up to four words back ("з генсеком НАТО Марком Рютте", "по словам министра
// Антона Силуанова") or with an instrumental ending on its first name ("Марком",
// "Андрієм", "Юлією"). Word order is free in these languages, so case, not place, says
// who a following "він" or "она" can continue.
func obliqueCyrillic(ts []tok, start int, nw []string) bool {
	for k := start - 1; k >= 0 && k >= start-4; k-- {
		t := ts[k]
		if t.punct || cueWord(t) || (t.capitalised() && strings.ToUpper(t.s) != t.s) {
			break // "в Україні Міхаель Бродський": the preposition governs another name
		}
		if prepositions[t.lower()] || t.lower() == "словами" || t.lower() == "словам" {
			return true
		}
	}
	if len(nw) < 2 {
		return false
	}
	first := strings.ToLower(nw[0])
	if _, known := cyrillicNameGender[first]; known && !cyrillicNominatives[first] {
		return true // "адміністрація Дональда Трампа": a first name in another case
	}
	for _, end := range instrumentalEndings {
		if strings.HasSuffix(first, end) {
			return true
		}
	}
	return false
}

// instrumentalEndings end first names in the instrumental case ("Марком", "Андрієм",
// "Сергеем", "Юлією", "Анной"); "-ем" alone is left out, as "Артем" is nominative.
var instrumentalEndings = []string{"ом", "єм", "еем", "ою", "ею", "єю", "ой"}

// surnameMentions notes, as mentions, the later places where a person named in full is
// named by surname alone ("Corbett said he and Barker were …"): news names someone in
// full once and by surname after, and a "he" that follows means whoever was named
// last, quoted or not. A surname two people share is left alone.
func surnameMentions(text string, people []person) []person {
	bySurname := map[string]int{}
	for i, p := range people {
		ws := strings.Fields(p.name)
		if len(ws) < 2 {
			continue
		}
		sur := ws[len(ws)-1]
		if _, dup := bySurname[sur]; dup {
			bySurname[sur] = -1
			continue
		}
		bySurname[sur] = i
	}
	if len(bySurname) == 0 {
		return people
	}
	for sur, i := range bySurname {
		if i < 0 || len(people[i].mentions) == 0 {
			continue
		}
		surnameSubjects(text, &people[i], sur, people[i].mentions[0]+1)
	}
	return people
}

// surnameSubjects notes every later mention of p's surname sur, from offset from,
// that stands in subject place ("Woodward is ensuring …").
func surnameSubjects(text string, p *person, sur string, from int) {
	found := false
	titled := byte(0) // the gender a "Mr." or "Ms." before the surname gives, 'x' if both
	for from < len(text) {
		k := strings.Index(text[from:], sur)
		if k < 0 {
			break
		}
		at, end := from+k, from+k+len(sur)
		from = end
		if !wordBounded(text, at, end) {
			continue
		}
		g := titleGender(text, at)
		if g != 0 {
			if p.gender != 0 && g != p.gender || startsCapitalised(text[end:]) {
				// "Mrs. Obama" after Barack Obama is his wife; "Mr Simon Harris"
				// after Paul Simon is someone else.
				continue
			}
			if titled != 0 && titled != g {
				g = 'x' // "Mr. and Mrs. Obama": a couple, no evidence
			}
			titled = g
		}
		if !subjectPlace(text, at, end) || prevCapitalised(text, at) {
			if g != 0 && !titledAfterPreposition(text, at) {
				// "It was then that Mr. Griezmann got some good news": a titled
				// surname names the person wherever it stands, if not as a subject.
				p.mentions = append(p.mentions, at)
				p.plain = append(p.plain, at)
				p.surnamed, found = true, true
			}
			continue
		}
		p.mentions = append(p.mentions, at)
		p.subjects = append(p.subjects, at)
		p.plain = append(p.plain, at)
		p.surnamed, found = true, true
	}
	if p.gender == 0 && (titled == 'f' || titled == 'm') {
		// A first name that says nothing ("Dana Wills", "Alexis Debreil") and a
		// "Mr." before the surname: the house style that titles every second
		// reference says who a "he" may be.
		p.gender = titled
	}
	if !found {
		return
	}
	// Back in order once, rather than an insertion at every hit.
	slices.Sort(p.mentions)
	p.mentions = slices.Compact(p.mentions)
	slices.Sort(p.subjects)
	p.subjects = slices.Compact(p.subjects)
	slices.Sort(p.plain)
	p.plain = slices.Compact(p.plain)
}

// startsCapitalised reports whether s opens with a space and a capitalised word: "Mr
// Simon Harris", where "Simon" is a first name, not a surname.
func startsCapitalised(s string) bool {
	if !strings.HasPrefix(s, " ") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[1:])
	return unicode.IsUpper(r)
}

// titledAfterPreposition reports whether the title before text[at] follows an English
// preposition ("next to Mr. Debreil"): an oblique, which no "he" means.
func titledAfterPreposition(text string, at int) bool {
	ws := strings.Fields(text[max(0, at-40):at])
	return len(ws) >= 2 && englishPrepositions[strings.ToLower(ws[len(ws)-2])]
}

// titleGender is the gender of the courtesy title right before text[at] ("Mr. ",
// "Ms ", "Mrs. "), or 0.
func titleGender(text string, at int) byte {
	before := text[max(0, at-6):at]
	for _, t := range [...]struct {
		title  string
		gender byte
	}{{"Mrs. ", 'f'}, {"Mrs ", 'f'}, {"Ms. ", 'f'}, {"Ms ", 'f'}, {"Mr. ", 'm'}, {"Mr ", 'm'}} {
		if strings.HasSuffix(before, t.title) {
			if k := at - len(t.title); k > 0 {
				if r, _ := utf8.DecodeLastRuneInString(text[:k]); unicode.IsLetter(r) {
					return 0 // "Hmr. X" is no title
				}
			}
			return t.gender
		}
	}
	return 0
}

// subjectPlace reports whether a word at text[at] opens a sentence or a clause after a
// comma (or follows a title that does): where a sentence's subject stands. A surname
// inside a clause ("Volz said that Trump wants …") is not who a following "he" means.
func subjectPlace(text string, at, end int) bool {
	j := at
	if prev := at - 1; prev >= 0 && text[prev] == ' ' {
		w := lastWordWithin(text[:prev])
		if titleWords[strings.ToLower(w)] {
			j = prev - len(w) // "Mr Corbett": look before the title
		}
	}
	before := strings.TrimRight(text[:j], " \t\u00a0")
	if before == "" {
		return true
	}
	if w := lastWordWithin(before); isCapitalisedWord(w) && possessiveTok(tok{s: w}) && rolePhraseOpens(before[:len(before)-len(w)]) {
		return true // "ONGC's Mr Raha said …": an employer's name opens the sentence
	}
	if w := lastWordWithin(before); !isCapitalisedWord(w) && roleHead(strings.ToLower(w)) && rolePhraseOpens(before[:len(before)-len(w)]) &&
		strings.ToUpper(text[at:end]) != text[at:end] {
		// "Former Chelsea captain Desailly, who …, says": a role opens the sentence
		// (not "директор SPP": an acronym is the employer, no surname).
		return true
	}
	if w := lastWordWithin(before); clauseOpeners[w] && verbFollows(text[end:]) && !pluralFollows(text[end:]) {
		// "…, but McIlroy is unfazed": a clause's subject, a verb after it ("but
		// Villa were not interested" is a team: no "he").
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(before)
	if r == ',' && verbFollows(text[end:]) {
		return true // "…held in Pusan in South Korea, Mr Prater predicts …"
	}
	if r == ',' {
		// "…, Volz said", not the second of a list of names ("Stevie Wonder, James Brown").
		// An acronym is no name in a list: "з боку США, Бродський заявив".
		w := lastWordWithin(strings.TrimRight(before, ","))
		return !isCapitalisedWord(w) || strings.ToUpper(w) == w || isWeekdayOrMonth(strings.ToLower(w))
	}
	if strings.ContainsRune(".!?\n\"”»", r) {
		return true
	}
	if w := lastWordWithin(before); isCapitalisedWord(w) && isNotName(w) {
		// "But Morrison is determined …": a sentence's opening conjunction or adverb.
		if rest := strings.TrimRight(before[:len(before)-len(w)], " \t"); rest == "" || strings.ContainsRune(".!?\n\"”»", lastRune(rest)) {
			return true
		}
	}
	// "…, observed Jack Boorman": the subject of a speech verb put before it (not
	// "said Charles was one of his heroes", where the name opens what was said).
	w := lastWordWithin(before)
	cut := len(before) - len(w)
	if !cueWord(tok{s: w}) || isCapitalisedWord(w) {
		return false
	}
	rest := strings.TrimRight(before[:cut], " ")
	r, _ = utf8.DecodeLastRuneInString(rest)
	asWord := strings.ToLower(lastWordWithin(rest))
	next, _ := utf8.DecodeRuneInString(text[end:])
	return (strings.ContainsRune(",\"”»", r) || asWords[asWord]) && (end == len(text) || unicode.IsPunct(next))
}

// lowerModifier reports whether t is a lower-case word that may qualify a role noun
// after it ("rugby", "energy"): no function word, preposition, verb or number.
func lowerModifier(t tok) bool {
	lw := t.lower()
	return !t.punct && !t.capitalised() && hasLetter(t.s) && !isFunctionWord(lw) && !prepositions[lw] && !cueWord(t) && !finiteAux[lw] && !isCyrillic(lw)
}

// pastVerb reports whether t reads as an English past-tense verb: "rejected".
func pastVerb(t tok) bool {
	return !t.punct && !t.capitalised() && len(t.s) >= 5 && strings.HasSuffix(t.s, "ed") && !strings.ContainsAny(t.s, "'’")
}

// clauseOpeners are lower-case conjunctions that open a clause with its own subject.
var clauseOpeners = set(`but while yet although though because whereas`)

// pluralFollows reports whether the next word of rest is a plural verb.
func pluralFollows(rest string) bool { return pluralAux[strings.ToLower(followingWord(rest))] }

var pluralAux = set(`are were have`)

// rolePhraseOpens reports whether s ends in the opening words of a sentence that can
// modify a role: capitalised words ("Former Chelsea"), ages and the role words
// themselves, at most five, back to a sentence's start.
func rolePhraseOpens(s string) bool {
	for n := 0; n <= 5; n++ {
		s = strings.TrimRight(s, " \t\u00a0")
		if s == "" || strings.ContainsRune(".!?\n\"”»", lastRune(s)) {
			return true
		}
		w := lastWordWithin(s)
		if w == "" || !(isCapitalisedWord(w) && !cueWord(tok{s: strings.ToLower(w)}) || roleHead(strings.ToLower(w)) || ageWord(w)) {
			return false
		}
		s = s[:len(s)-len(w)]
	}
	return false
}

// asWords open an attribution put before its subject: "As Bezsmertny notes, …" ("Як
// зазначає Безсмертний", "Как отмечает …").
var asWords = set(`as як как`)

// subjectTok is subjectPlace for a phrase starting at ts[k] (its role words included:
// "Former Manfred Mann singer Paul Jones" opens the sentence).
// leadsSentence: the name at ts[k:end] heads its sentence's first noun phrase and a
// finite verb follows it ("World number one Lindsay Davenport has criticised …"):
// only plain words stand before it, no preposition, comma or speech verb.
func leadsSentence(ts []tok, k, end int) bool {
	if end >= len(ts) || !finiteOrCue(ts[end]) {
		return false
	}
	for n := k - 1; n >= 0 && n >= k-4; n-- {
		t := ts[n]
		if sentenceEnd(t) {
			return true
		}
		if t.punct || prepositions[t.lower()] || cueWord(t) || finiteAux[t.lower()] {
			return false
		}
		if n == 0 {
			return true
		}
	}
	return false
}

func subjectTok(ts []tok, k, end int) bool {
	role, aged := false, false
	for n := 0; n < 6 && k > 0; n++ {
		if k >= 3 && ts[k-2].lower() == "of" && !ts[k-1].punct && roleHead(ts[k-3].lower()) && !ts[k-3].capitalised() {
			// "Spain's minister of sport Jaime Lissavetzky": the role's own "of" phrase.
			k -= 2
			continue
		}
		p := ts[k-1]
		// Lower-case words before a role word modify it: "Renaissance Capital energy
		// analyst Adam Landes told".
		modifier := role && !p.capitalised() && !isFunctionWord(p.lower()) && !prepositions[p.lower()]
		age := ageWord(p.s) // "83-year-old Yuji Shimizu"
		if p.punct || cueWord(p) || !(p.capitalised() || roleHead(p.lower()) || modifier || age) {
			break
		}
		role = role || roleHead(p.lower())
		aged = aged || age
		k--
	}
	if k == 0 {
		return true
	}
	if leadsSentence(ts, k, end) {
		return true
	}
	p := ts[k-1]
	if clauseOpeners[p.s] && end < len(ts) && (finiteOrCue(ts[end]) || pastVerb(ts[end])) && !pluralAux[ts[end].lower()] {
		return true // "…, but Jim McKay is unfazed": a clause's own subject
	}
	if p.s == "," && end < len(ts) && finiteOrCue(ts[end]) {
		return true // "…in South Korea, Craig Prater predicts …": a verb says it is a subject
	}
	if p.s == "," {
		// Not the second of a list of names, nor the name a role before it is
		// apposed to ("adviser to IMF's managing director, Rodrigo Rato"); a list
		// holds no ages ("On the outskirts of Kyoto, 83-year-old Yuji Shimizu …").
		// "In January, Victoria Wood slated …": a month or weekday is no name of a list.
		return k < 2 || aged || !ts[k-2].capitalised() && !roleHead(ts[k-2].lower()) || isWeekdayOrMonth(ts[k-2].lower())
	}
	if p.punct {
		return sentenceEnd(p) || strings.ContainsAny(p.s, "\"”»")
	}
	return cueWord(p) && !p.capitalised() && k >= 2 && (ts[k-2].punct && strings.ContainsAny(ts[k-2].s, ",\"”»") || asWords[ts[k-2].lower()]) &&
		(end == len(ts) || ts[end].punct)
}

// wordBounded reports whether text[at:end] is a whole word: no letter joins it on
// either side (a possessive "'s" may follow).
func wordBounded(text string, at, end int) bool {
	if r, _ := utf8.DecodeLastRuneInString(text[:at]); at > 0 && unicode.IsLetter(r) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[end:])
	return end == len(text) || !unicode.IsLetter(r)
}

// prevCapitalised reports whether the word before text[at] is capitalised and joined to
// it by one space, so the two belong to one name ("Mr Corbett" is still Corbett).
// lastWordWithin is what follows the last space or line break of s, reading back at
// most wordReach bytes: this runs at every surname a text repeats, and a text with no
// spaces made each call read it all (quadratic; 15 s for 100 KB of ",Smith").
func lastWordWithin(s string) string {
	lo := max(0, len(s)-wordReach)
	return s[lo+strings.LastIndexAny(s[lo:], " \n")+1:]
}

// wordReach bounds a look at the word next to a name; no title, cue or acronym these
// checks compare is longer.
const wordReach = 64

// verbFollows reports whether the next word of rest is an English auxiliary or a
// speech verb: what follows a subject, not a name in a list.
func verbFollows(rest string) bool {
	w := followingWord(rest)
	return w != "" && finiteOrCue(tok{s: w})
}

// followingWord is the first word of rest, without trailing punctuation, read within
// wordReach (the next word, not the text's).
func followingWord(rest string) string {
	ws := strings.Fields(rest[:min(len(rest), wordReach)])
	if len(ws) == 0 {
		return ""
	}
	return strings.TrimRight(ws[0], ",.;:")
}

// finiteOrCue reports whether t is an English auxiliary or a speech verb: the verb a
// subject before it takes.
func finiteOrCue(t tok) bool { return finiteAux[t.lower()] || isCue(t) }

func prevCapitalised(text string, at int) bool {
	if at < 2 || text[at-1] != ' ' {
		return false
	}
	j := at - 1
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsLetter(r) {
			break
		}
		j -= size
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	return j < at-1 && unicode.IsUpper(r) && !titleWords[strings.ToLower(text[j:at-1])] && !isNotName(text[j:at-1]) // "But Morrison"
}

var particles = set(`de van von der al bin da del la le di
	фон дер ван де да ді дель ла ле дю аль ель бін бен ібн ибн бин`)

// nameParticles join a name's parts inside it ("Ursula von der Leyen", "Урсула фон
// дер Ляєн", "Марк ван дер Вуде"); la, le and di are left out, as words of other
// languages' phrases more often than of names here.
var nameParticles = set(`de van von al bin der da del фон дер ван де да дель аль бін бен ібн ибн бин`)

// appositiveRole is the role in an appositive after a name ending at end: "Bernard
// McAlinden, head of equity research at NCB Stockbrokers, said" gives "head of equity
// research at NCB Stockbrokers". The phrase runs to the next comma or the sentence's
// end, at most 14 words, opens in lower case or with an owner ("India's finance minister") and holds a
// role word.
func appositiveRole(ts []tok, end int) string {
	if end >= len(ts) || ts[end].s != "," {
		return ""
	}
	var words []string
	role := false
	for k := end + 1; k < len(ts) && k <= end+14; k++ {
		t := ts[k]
		if t.s == "," || sentenceEnd(t) {
			if role && len(words) > 0 && (!ts[end+1].capitalised() || possessiveRole(ts[end+1:k])) {
				return strings.Join(words, " ")
			}
			return ""
		}
		if t.punct {
			return ""
		}
		role = role || isRoleWord(t.lower())
		words = append(words, t.s)
	}
	return ""
}

// leadingRole is the role in a phrase set off before a name starting at start: "CSI's
// co-producer, Carol Mendelsohn, said" gives "CSI's co-producer", "…, her lawyer, Perry
// Wander, said" gives "her lawyer". The phrase has at most eight words and ends in a
// role word; opening a sentence, it opens with an owner or in lower case; after a
// comma, with a determiner or a possessive ("the", "her").
func leadingRole(ts []tok, start int) string {
	if start < 2 || ts[start-1].s != "," {
		return ""
	}
	k := start - 1
	for k > 0 && !ts[k-1].punct {
		k--
	}
	if start-1-k > 8 || start-1-k < 1 {
		return ""
	}
	phrase := ts[k : start-1]
	switch {
	case !roleHead(phrase[len(phrase)-1].lower()):
		return ""
	case k == 0 || sentenceEnd(ts[k-1]):
		if phrase[0].capitalised() && !possessiveRole(phrase) {
			return ""
		}
	case ts[k-1].s != "," || !ownerWords[phrase[0].s]:
		return ""
	}
	return joinToks(phrase)
}

// ownerWords open a role phrase inside a sentence: "her lawyer", "the group's head".
var ownerWords = set(`the his her their its our`)

// employerOf reports whether the capitalised run at start follows a role and the
// preposition that names an employer: "economist at Investec Securities", "a
// spokesman for Union Investment", "head of research at NCB". A person is not "at"
// anyone; a run after a role and "of" or "for" is an organisation unless it has a
// title of its own ("spokesman for President Biden" starts with its role word).
func employerOf(ts []tok, start int) bool {
	if start == 0 || isRoleWord(ts[start].lower()) {
		return false
	}
	if p := ts[start-1]; isCyrillic(ts[start].s) && !p.punct && !p.capitalised() && !isRoleWord(p.lower()) && !prepositions[p.lower()] {
		// "эксперт проекта Минфина России", "голова правління Укрзалізниці": after a
		// role and a genitive noun, a capitalised run is the organisation (a name
		// follows the role noun itself: "міністр Дмитро Кулеба").
		for k := start - 2; k >= 0 && k >= start-3; k-- {
			if ts[k].punct {
				return false
			}
			if isRoleWord(ts[k].lower()) {
				return true
			}
		}
	}
	switch ts[start-1].lower() {
	case "at":
		return true
	case "of", "for":
		for k := start - 2; k >= 0 && k >= start-4; k-- {
			if ts[k].punct {
				return false
			}
			if isRoleWord(ts[k].lower()) {
				return true
			}
		}
	}
	return false
}

// headlineLine reports whether a line is a title-case headline: three or more words,
// at least two thirds of them capitalised, and no sentence punctuation at the end
// unless it is the text's first line (a title some sources end with a period).
func headlineLine(line string, first bool) bool {
	line = strings.TrimSpace(line)
	if line == "" || (!first && strings.ContainsAny(line[len(line)-1:], ".!?”\"»")) {
		return false
	}
	words, caps := 0, 0
	start := true
	for _, r := range line {
		if unicode.IsSpace(r) {
			start = true
			continue
		}
		if start {
			words++
			if unicode.IsUpper(r) {
				caps++
			}
			if words > 3 && caps*3 < (words-3)*2 {
				return false // a sentence: stop counting early
			}
		}
		start = false
	}
	return words >= 3 && caps*3 >= words*2
}

func stripTitle(name string) string {
	ws := strings.Fields(name)
	for len(ws) > 1 && titleWords[strings.ToLower(ws[0])] {
		ws = ws[1:]
	}
	return strings.Join(ws, " ")
}

// notePerson records a mention, merging "Joly" into an earlier "Melanie Joly".
func notePerson(people []person, name, role string, at int, subject bool, limit int) ([]person, int) {
	if name == "" || len(name) > maxNameBytes || isPronoun(name) || !hasUpper(name) {
		// No name is this long: a crafted one was compared again at every "he" that
		// resolved to it (seconds at 400 KB; round 14's review, helper-55).
		return people, -1
	}
	if hasLowerWord(name) {
		if n, _ := splitRole(name); n == "" {
			return people, -1 // "A document on the campaign's website" is no one "she" can be
		}
	}
	if strings.Count(role, " ") >= maxRoleWords {
		role = "" // no role is this long; a crafted one would cost every later role lookup
	}
	g := guessGender(name, role)
	last := lastWord(name)
	for i := range people {
		pl := people[i].sur
		if people[i].name == name || (strings.HasPrefix(pl, last) || strings.HasPrefix(last, pl)) && sharesSurname(people[i].name, name) {
			if len(strings.Fields(name)) > len(strings.Fields(people[i].name)) {
				people[i].name, people[i].sur = name, lastWord(name)
			}
			if role != "" && (people[i].role == "" || !isHonorific(role)) && !strings.Contains(people[i].role, role) {
				people[i].role = role // not "ВМС України" over "речник ВМС України"
			}
			people[i].mentions = insertSorted(people[i].mentions, at)
			people[i].plain = insertSorted(people[i].plain, at)
			if subject {
				people[i].subjects = insertSorted(people[i].subjects, at)
			}
			if people[i].gender == 0 {
				people[i].gender = g
			}
			return people, i
		}
	}
	if len(people) >= limit {
		return people, -1 // a text naming this many is no article (see maxPeople)
	}
	p := person{name: name, sur: last, role: role, mentions: []int{at}, plain: []int{at}, gender: g,
		org: isOrgName(name) || isDocumentWord(lastWord(name))}
	if subject {
		p.subjects = []int{at}
	}
	return append(people, p), len(people)
}

// maxRoleWords bounds a person's role: news roles have a few words ("радниця голови
// Асоціації міст України, мера Києва Віталія Кличка" has ten).
const maxRoleWords = 16

// maxPeople bounds the people an article's text can introduce. News names a few dozen;
// a hostile feed's text naming thousands would make resolving them cost time
// quadratic in its length (measured: a 200 KB text of distinct names took 3.4 s).
const maxPeople = 300

// maxNameBytes bounds a person's name: four long Cyrillic words.
const maxNameBytes = 200

// maxPronounSubjects bounds the pronouns pronounSubjects reads: a crafted text of
// thousands of "He …" sentences must not cost a scan of its people each.
const maxPronounSubjects = 400

// pronounOpeners may open a sentence before its subject pronoun ("So he is …").
var pronounOpeners = set(`So But And Yet Then Now Still Also However However,`)

// sentencePronouns returns the offsets of "He" and "She" (or "he", "she" after an
// opener) that open a sentence, at most limit of them: one pass over the words.
func sentencePronouns(text string, limit int) []int {
	var out []int
	opensSentence := func(before string) bool {
		before = strings.TrimRight(before, " \t")
		if before == "" || strings.HasSuffix(before, "\n") {
			return true
		}
		before = strings.TrimRight(before, "\"”»'")
		return strings.HasSuffix(before, ".") || strings.HasSuffix(before, "!") || strings.HasSuffix(before, "?")
	}
	for i := 0; i < len(text) && len(out) < limit; {
		j := strings.IndexAny(text[i:], "hHsS")
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		w := text[at:min(len(text), at+4)]
		var word string
		switch {
		case strings.HasPrefix(w, "He "), strings.HasPrefix(w, "he "):
			word = w[:2]
		case strings.HasPrefix(w, "She "), strings.HasPrefix(w, "she "):
			word = w[:3]
		case strings.HasPrefix(w, "His "), strings.HasPrefix(w, "Her "):
			word = w[:3] // "Her role as …": an owner that opens the sentence continues it too
		default:
			continue
		}
		if at > 0 && text[at-1] != ' ' && text[at-1] != '\n' {
			continue // inside a word: "the ", "ashe "
		}
		before := text[max(0, at-64):at]
		if word[0] == 'H' || word[0] == 'S' {
			if opensSentence(before) {
				out = append(out, at)
			}
			continue
		}
		// "So he …": a lower-case pronoun after an opener that opens the sentence.
		trimmed := strings.TrimRight(before, " ")
		opener := lastWordWithin(trimmed)
		if pronounOpeners[opener] && opensSentence(trimmed[:len(trimmed)-len(opener)]) {
			out = append(out, at)
		}
	}
	return out
}

// pronounSubjects notes a "He" or "She" that opens a sentence outside quotes as a
// subject mention of the person it continues. "Desailly is one of the most decorated
// players … He won … He is now winding down … So he is full of admiration for … Paolo
// Maldini and Alessandro Costacurta. "I'm happy …," he said": the story's subject,
// carried by its pronouns, is who the last "he" means, not the name last written in a
// clause. Only a chain under way is carried on (a person known as one, in subject
// place within subjectWindow before the pronoun): a pronoun nothing fits adds nothing.
// English only: Ukrainian and Russian drop or move their subject pronouns.
func pronounSubjects(text string, spans []span, people []person) []person {
	if len(people) == 0 {
		return people
	}
	inQuote := func(m int) bool {
		k := sort.Search(len(spans), func(k int) bool { return spans[k].outerStart > m }) - 1
		return k >= 0 && m < spans[k].outerEnd
	}
	quoteBetween := func(from, to int) bool {
		k := sort.Search(len(spans), func(k int) bool { return spans[k].outerStart > from })
		return k < len(spans) && spans[k].outerStart < to
	}
	for _, at := range sentencePronouns(text, maxPronounSubjects) {
		w := strings.Fields(text[at:min(len(text), at+4)])[0]
		if inQuote(at) {
			continue
		}
		p, ok := recentPerson(people, at, pronounGender(w), true, false)
		if !ok || !(p.known() || p.spoke) {
			continue
		}
		if m, ok := p.subjectBefore(at); !ok || quoteBetween(m, at) {
			// A quote since the subject was named may have a speaker of its own,
			// whom the "he" continues: not known before the quotes are read.
			continue
		}
		k := personNamed(people, p.name)
		if k < 0 {
			continue
		}
		q := &people[k]
		q.mentions = insertSorted(q.mentions, at)
		q.subjects = insertSorted(q.subjects, at)
		q.plain = insertSorted(q.plain, at)
	}
	return people
}

// knownPerson reports whether name is one of people known to be a person (a first
// name, a role, a surname named again, a first-person quote).
func knownPerson(people []person, name string) bool {
	if strings.ToUpper(name) == name {
		return false // "IAAF": an acronym names an organisation
	}
	if k := personNamed(people, name); k >= 0 {
		return people[k].known() || people[k].spoke
	}
	return guessGender(name, "") != 0
}

// personNamed is the index of the person of that exact name in people, or -1.
func personNamed(people []person, name string) int {
	return slices.IndexFunc(people, func(p person) bool { return p.name == name })
}
