package digest

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Resolution: the person a mention ("he", "Smith", "the minister") means, and how
// the speaker is shown (name, role, a spelt-out acronym).

// namedNext is the person first mentioned in [from, to) whose role fits the role
// phrase.
func namedNext(people []person, role string, from, to int) (person, bool) {
	best, bestAt := person{}, -1
	for _, p := range people {
		if !roleMatches(role, p.role) {
			continue
		}
		if i := sort.SearchInts(p.mentions, from); i < len(p.mentions) {
			if m := p.mentions[i]; m < to && (bestAt < 0 || m < bestAt) {
				best, bestAt = p, m
			}
		}
	}
	return best, bestAt >= 0
}

// bareInflectedNoun reports whether a Ukrainian or Russian speaker is one lower-case
// word: a document ("повідомленні"), a role ("эксперт") or a pronoun ("він") left
// unresolved. On the blind-labelled tuning sets none of them was the right speaker.
func bareInflectedNoun(speaker string) bool {
	ws := strings.Fields(speaker)
	if len(ws) != 1 || !isCyrillic(ws[0]) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(ws[0])
	return unicode.IsLower(r)
}

// obliqueProperNoun reports whether a speaker is one capitalised Ukrainian or Russian
// word whose ending no name has in the nominative ("Естонії", "Зеленському", "России"):
// a place or body read out of a phrase, in a case no speaker is written in, which tells
// a reader nothing. (An adjective's case, "Бучанській", still names the body: kept.)
func obliqueProperNoun(speaker string) bool {
	ws := strings.Fields(speaker)
	if len(ws) != 1 || !isCyrillic(ws[0]) || utf8.RuneCountInString(ws[0]) < 5 {
		return false
	}
	lw := strings.ToLower(ws[0])
	for _, end := range obliqueEndings {
		if strings.HasSuffix(lw, end) {
			return true
		}
	}
	return false
}

var obliqueEndings = strings.Fields(`ії ии ові еві ою ею ому ами ями ах ях`)

// lastWord is the last space-separated word of s, without allocating.
func lastWord(s string) string {
	s = strings.TrimRight(s, " ")
	return s[strings.LastIndexByte(s, ' ')+1:]
}

// sharesSurname reports whether names a and b share a surname (one may be inflected)
// and may be one person: one is a surname alone, both have the same first word, or
// one ends with every word of the other. Mentions are compared with every person an
// article names, so it allocates only to compare word lists (review 71: 2 million
// allocations for 100 KB of people sharing a surname).
func sharesSurname(a, b string) bool {
	na, firstA, sa := fieldsOf(a)
	nb, firstB, sb := fieldsOf(b)
	if na == 0 || nb == 0 || !(sa == sb || inflectedSurname(sa, sb) || inflectedSurname(sb, sa)) {
		return false
	}
	if na == 1 || nb == 1 || firstA == firstB {
		return true
	}
	if na == nb {
		return false // neither can end with every word of the other
	}
	fa, fb := strings.Fields(a), strings.Fields(b)
	return endsWithWords(fa, fb) || endsWithWords(fb, fa)
}

// fieldsOf is how many space-separated words s has, its first and its last.
func fieldsOf(s string) (n int, first, last string) {
	for w := range strings.FieldsSeq(s) {
		if n == 0 {
			first = w
		}
		last = w
		n++
	}
	return n, first, last
}

// endsWithWords reports whether long ends with every word of short: "Mr Baez Silva"
// names "Carlos Baez Silva" by a surname of two words.
func endsWithWords(long, short []string) bool {
	return len(long) > len(short) && slices.Equal(long[len(long)-len(short):], short)
}

// inflectedSurname reports whether a Ukrainian or Russian surname form is base with a
// case ending ("Уайта", "Бусыгина", "Волцом" of "Уайт", "Бусыгин", "Волц"): a
// consonant-final surname takes one of a few endings.
func inflectedSurname(form, base string) bool {
	if !isCyrillic(base) || !strings.HasPrefix(form, base) || utf8.RuneCountInString(base) < 3 {
		return false
	}
	return surnameEndings[form[len(base):]]
}

var surnameEndings = set(`а у ом ым ем е ы ой і ові еві ою`)

// latterWords name the person named last, with the gender their form gives.
var latterWords = map[string]byte{"the latter": 0, "последний": 'm', "последняя": 'f', "останній": 'm', "остання": 'f'}

// epithet reports whether an English mention names someone by age or nationality
// alone: "the 21-year-old", "the 29-year-old Scot", "the 41-year-old chart-topper" (an
// age makes any noun one known person), "the Spaniard". Other epithets ("the
// presenter", "the Indiana governor") are role phrases: resolved by role or not at all.
func epithet(m string) bool {
	ws := strings.Fields(strings.ToLower(m))
	if len(ws) < 2 || len(ws) > 3 || ws[0] != "the" {
		return false
	}
	if ageWord(ws[1]) {
		return true
	}
	return len(ws) == 2 && demonyms[ws[1]]
}

// ageWord reports whether w is an age written as a modifier: "83-year-old".
func ageWord(w string) bool {
	age, ok := strings.CutSuffix(strings.ToLower(w), "-year-old")
	return ok && age != "" && strings.Trim(age, "0123456789") == ""
}

// demonyms are the nouns for a person of a nation that news uses as an epithet.
var demonyms = set(`american briton scot scotsman welshman englishman irishman frenchman frenchwoman
	spaniard german italian dutchman dane swede norwegian finn swiss belgian austrian portuguese
	argentine argentinian brazilian chilean colombian mexican canadian australian kiwi
	russian ukrainian pole czech serb croat slovak slovenian hungarian romanian bulgarian greek
	turk israeli iranian indian pakistani chinese japanese korean kenyan ethiopian nigerian
	ghanaian egyptian moroccan zimbabwean jamaican`)

// resolveSpeaker turns a mention into (name, role): splits a role from a name,
// resolves surnames to full names seen earlier, and pronouns or role nouns to the
// most recent compatible person.
func resolveSpeaker(mention string, at int, people []person, last *Quote) (name, role string) {
	m := strings.TrimSpace(mention)
	if m == "" || strings.EqualFold(m, "which") {
		// A "which" whose body or document was not read before it is no one: never
		// the person who spoke last, as a "he" might be.
		return "", ""
	}
	if ws := strings.Fields(m); len(ws) > 1 && isCyrillic(m) && orgHead(strings.ToLower(ws[0])) {
		// "у Міністерстві оборони України": an institution speaks, whole; its last
		// word is no one's name.
		return m, ""
	}
	if !strings.ContainsAny(m, " -") && isCyrillic(m) && isRoleWord(strings.ToLower(m)) {
		// "Нардепка наголосила: …": a role noun that opens a sentence is capitalised
		// and no name.
		m = strings.ToLower(m)
	}
	if isPronoun(m) {
		want := pronounGender(m)
		// Speakers are noted as people at their quotes, so the most recent compatible
		// person is either the last speaker or someone named since.
		if p, ok := recentPerson(people, at, want, !isCyrillic(m), isCyrillic(m)); ok {
			return p.name, p.role
		}
		if last != nil && last.Speaker != "" && !isPronoun(last.Speaker) && (!isCyrillic(m) || isCyrillic(last.Speaker)) &&
			!(want != 0 && (isOrgName(last.Speaker) || isDocumentWord(lastWord(last.Speaker)))) {
			return last.Speaker, last.Role // a "he" or "she" is no committee or report
		}
		return "", "" // a "he" no one fits tells a reader nothing
	}
	if g, ok := latterWords[strings.ToLower(m)]; ok {
		// "Последний отметил", "the latter said": the person named last.
		if p, ok := recentPerson(people, at, g, false, false); ok {
			return p.name, p.role
		}
	}
	if epithet(m) {
		// "the 31-year-old admitted", "the American said": a sports and arts page's
		// way to name again whom the story is about, as a pronoun would.
		if p, ok := recentPerson(people, at, 0, true, false); ok {
			return p.name, p.role
		}
	}
	name, role = splitRole(m)
	ofBody := false // a definite role of a named body: "the mayor of London"
	if name != "" && roleAt(role) {
		// "an analyst at Barclays", "a spokesman in London", "the mayor of London":
		// someone unnamed, of a firm or a place; not the firm, and not the place. A
		// definite one is read as a role phrase below, a person the story named.
		if !strings.HasPrefix(strings.ToLower(role), "the ") {
			return m, ""
		}
		name, role, ofBody = "", m, true
	}
	if name == "" {
		// A role noun phrase: "the minister", "a spokesman for the company".
		noun := lastRoleNoun(role)
		for i := len(people) - 1; i >= 0; i-- {
			if _, ok := people[i].before(at); ok && noun != "" && roleMatches(role, people[i].role) {
				return people[i].name, people[i].role
			}
		}
		if last != nil && last.Speaker != "" && noun != "" && roleMatches(role, last.Role) {
			return last.Speaker, last.Role
		}
		if ofBody {
			// "the mayor of Manchester" after Sadiq Khan, the mayor of London: only
			// someone named with that role of that body, never the story's subject.
			return m, ""
		}
		if noun != "" && isCyrillic(noun) {
			// "— отметил эксперт" after "По мнению Березнюка, …": Ukrainian and Russian
			// news rarely writes a role where the person was named, so a role noun no
			// one's role matches means the person last named, as a pronoun would.
			if p, ok := recentPerson(people, at, 0, false, true); ok {
				return p.name, p.role
			}
		}
		if (noun != "" && !isCyrillic(noun) && !proxyRoles[noun] || noun == "" && personDescription(role)) && definiteRole(role) {
			// "said the national team coach" in a report whose subject is Mike Ruddock,
			// no role known: a definite role names someone already in the story, the
			// person a "he" would mean, when that person is a subject nearby and
			// known as a person, with no role or this one. The role phrase becomes
			// their role.
			if p, ok := recentPerson(people, at, 0, true, false); ok && p.known() && hasSubjectBefore(p, at) {
				if p.role != "" {
					return p.name, p.role
				}
				_, rest, _ := strings.Cut(strings.TrimSpace(role), " ")
				return p.name, rest
			}
		}
		return role, ""
	}
	if !strings.Contains(name, " ") && role != "" && isCyrillic(name) && !slices.ContainsFunc(people, func(p person) bool { return sharesSurname(p.name, name) }) {
		// "— сказав голова Агентства": a role and the genitive of its organisation,
		// no surname; the person whose role it is.
		for i := len(people) - 1; i >= 0; i-- {
			if people[i].role == "" {
				continue
			}
			if _, ok := people[i].before(at); ok && roleMatches(m, people[i].role) {
				return people[i].name, people[i].role
			}
		}
	}
	name = shedObliqueLead(name, people)
	// A surname alone: use the full name and role seen before (of the right gender
	// when a title says it: "Mr. Obama" is not Michelle Obama).
	want := guessGender("", role)
	for _, i := range surnameOrder(people, name, at) {
		if compatible(want, people[i].gender) {
			// The full name, unless it was written inflected where our form is the base
			// ("Піта Гегсета" seen, "Гегсет" said): a reader gets the nominative.
			pw, nw := strings.Fields(people[i].name), strings.Fields(name)
			if len(pw) > len(nw) && !inflectedSurname(pw[len(pw)-1], nw[len(nw)-1]) {
				name = people[i].name
			}
			if role == "" || (isHonorific(role) && people[i].role != "") {
				role = people[i].role
			}
			break
		}
	}
	return name, role
}

// roleAt reports whether a role is a role noun phrase, with its determiner, that ends
// in a preposition, its name being the place or body it is of: "an analyst at", "one
// broker in", "the mayor of".
func roleAt(role string) bool {
	ws := strings.Fields(strings.ToLower(role))
	if len(ws) < 3 || !roleDeterminers[ws[0]] {
		return false
	}
	return englishPrepositions[ws[len(ws)-1]] && lastRoleNoun(strings.Join(ws[:len(ws)-1], " ")) != ""
}

// roleDeterminers open a role noun phrase about someone unnamed.
var roleDeterminers = set(`a an one another the`)

// surnameOrder lists the people who share name's surname, those named before at
// first (the latest mention first), then the rest from the last in people: "says
// Parata" means Hori Parata, named above, not his son Te Kaurinui Robert Parata,
// named further down.
func surnameOrder(people []person, name string, at int) []int {
	var before, after []int
	for i := len(people) - 1; i >= 0; i-- {
		if !sharesSurname(people[i].name, name) {
			continue
		}
		if _, ok := people[i].before(at); ok {
			before = append(before, i)
		} else {
			after = append(after, i)
		}
	}
	sort.SliceStable(before, func(a, b int) bool {
		ma, _ := people[before[a]].before(at)
		mb, _ := people[before[b]].before(at)
		return ma > mb
	})
	return append(before, after...)
}

// fullNameOf finds the one person whose name opens with the words of first and goes
// on: a first name written alone ("Fiona", later "Fiona Parry"), or a name's first
// words ("Te Kaurinui", named "Te Kaurinui Parata" and "Te Kaurinui Robert Parata":
// the fuller). Two such people (neither name a part of the other, different
// surnames), or a single word that is no first name, give nothing.
func fullNameOf(people []person, first string) (string, bool) {
	fs := strings.Fields(first)
	if lf := strings.ToLower(first); len(fs) == 1 && !femaleNames[lf] && !maleNames[lf] {
		return "", false
	}
	full := ""
	for _, p := range people {
		ws := strings.Fields(p.name)
		if len(ws) <= len(fs) || !slices.Equal(ws[:len(fs)], fs) || p.name == full {
			continue
		}
		if full != "" {
			fw := strings.Fields(full)
			short, long := fw, ws
			if len(short) > len(long) {
				short, long = long, short
			}
			if lastWord(full) != ws[len(ws)-1] && !slices.Equal(long[:len(short)], short) {
				return "", false // two people
			}
			if len(ws) < len(fw) {
				continue // "Te Kaurinui Robert" and "Te Kaurinui Robert Parata": the fuller
			}
		}
		full = p.name
	}
	return full, full != ""
}

func pronounGender(p string) byte {
	switch strings.ToLower(p) {
	case "she", "her", "вона", "она":
		return 'f'
	case "he", "his", "him", "він", "он":
		return 'm'
	}
	return 0
}

func compatible(want, have byte) bool { return want == 0 || have == 0 || want == have }

// recentPerson picks the latest compatible person mentioned before at, preferring
// people we know to be people (a known first name, a title or role, a speaker, a
// surname named again) over any capitalised phrase, which may be a place. With
// subjectFirst, mentions where a sentence's subject stands come first: in English a
// "he" continues the subject ("Corbett said he and Barker … "Our material …," he said"),
// not a name further into a clause ("…, joining Victoria Wood and David Jason"), and
// a subject whose name we cannot tell is a person's comes before a known person in a
// clause. Word order is free in Ukrainian and Russian, so there position says less
// (the English preference lost a Russian quote on the tuned sets); instead a known
// person named in a subject's case comes first (see obliqueCyrillic), within about two
// sentences. A Ukrainian or Russian pronoun means someone written in Cyrillic.
func recentPerson(people []person, at int, want byte, subjectFirst, cyrillic bool) (person, bool) {
	type tier struct {
		strict bool // known to be a person
		place  byte // 's': in subject place (within subjectWindow), 'p': not an oblique, 0: anywhere
	}
	tiers := []tier{{true, 0}, {false, 0}}
	if subjectFirst {
		tiers = []tier{{true, 's'}, {false, 's'}, {true, 'p'}, {true, 0}, {false, 0}}
	} else if cyrillic {
		tiers = []tier{{true, 's'}, {true, 0}, {false, 0}}
	}
	for _, t := range tiers {
		strict := t.strict
		best, bestAt, ok := person{}, -1, false
		for _, p := range people {
			if strict && !p.known() && !p.spoke {
				continue
			}
			if want != 0 && p.org && guessGender("", p.role) == 0 {
				continue // a "he" or "she" is no committee or report, unless "a spokesman for" it
			}
			if cyrillic && !isCyrillic(p.name) && !isCyrillic(p.role) {
				// Ukrainian and Russian news write people in Cyrillic; "Vegas
				// Review-Journal" is not "он", but "блогер Mick" is.
				continue
			}
			before := p.before
			switch t.place {
			case 's':
				before = p.subjectBefore
			case 'p':
				before = p.plainBefore
			}
			if m, seen := before(at); seen && compatible(want, p.gender) && m > bestAt {
				best, bestAt, ok = p, m, true
			}
		}
		if ok {
			return best, true
		}
	}
	return person{}, false
}

func lastRoleNoun(role string) string {
	ws := strings.Fields(strings.ToLower(role))
	for i := len(ws) - 1; i >= 0; i-- {
		w := strings.Trim(ws[i], ",.")
		if roleWords[w] || (isCyrillic(w) && isRoleWord(w)) {
			return w
		}
	}
	return ""
}

// roleThenName reports whether ws holds a lower-case role word followed by nothing but
// capitalised words: "Statistics chief Li Deshui".
func roleThenName(ws []string) bool {
	for k, w := range ws {
		if !isCapitalisedWord(w) && roleHead(strings.ToLower(w)) {
			rest := ws[k+1:]
			return len(rest) > 0 && !slices.ContainsFunc(rest, func(w string) bool { return !isCapitalisedWord(w) })
		}
	}
	return false
}

// splitRole splits "Canadian Foreign Minister Melanie Joly" into name "Melanie Joly"
// and role "Canadian Foreign Minister"; "Putin's spokesman Dmitry Peskov" into
// "Dmitry Peskov" and "Putin's spokesman"; "the minister" into "" and "the minister".
// An appositive ("Melanie Joly, the foreign minister") gives the role after the comma.
func splitRole(m string) (name, role string) {
	if head, tail, ok := strings.Cut(m, ","); ok {
		n, r := splitRole(strings.TrimSpace(head))
		if n != "" {
			tail = strings.TrimSpace(tail)
			if r == "" {
				r = tail
			}
			return n, r
		}
	}
	ws := strings.Fields(m)
	if k := firstContentWord(ws); k < len(ws) && !isCapitalisedWord(ws[k]) && isDocumentWord(ws[k]) {
		return "", m // "the report", "звіті Рахункової палати": a document speaks
	}
	if start, ok := orgNameRun(ws); ok {
		// "Parliament’s Joint Committee on Intelligence and Security", "the Department
		// of Health and Human Services": an organisation's name holds its connectors.
		before := ws[:start]
		if len(before) > 0 && determiners[strings.ToLower(before[len(before)-1])] {
			before = before[:len(before)-1]
		}
		linked := false
		if len(before) > 0 {
			link := strings.ToLower(before[len(before)-1])
			linked = link == "of" || link == "for" || link == "at"
		}
		switch {
		case slices.ContainsFunc(before, isCapitalisedWord):
			// "Kate Brown of the Center for American Progress": a person of it, read below.
		case linked:
			return "", m // "a spokesman for the Center for American Progress": someone of it
		default:
			return strings.Join(ws[start:], " "), strings.Join(before, " ")
		}
	}
	// "Representative Charles B. Rangel of New York": the name comes before a
	// connector; what follows describes it.
	for k := 1; k < len(ws)-1; k++ {
		lw := strings.ToLower(ws[k])
		if lw == "of" || lw == "from" || lw == "at" || lw == "for" || lw == "in" {
			if roleThenName(ws[k+1:]) {
				break // "National Bureau of Statistics chief Li Deshui": the name is at the end
			}
			n, r := splitRole(strings.Join(ws[:k], " "))
			if n != "" && lw == "of" && isOrgName(n) && !slices.ContainsFunc(ws[k+1:], func(w string) bool { return !isCapitalisedWord(w) }) {
				// "the Muslim Council of Britain", "Bank of England": one name.
				return strings.TrimSpace(n + " " + strings.Join(ws[k:], " ")), r
			}
			if n != "" {
				tail := strings.Join(ws[k:], " ")
				if r == "" {
					return n, tail
				}
				return n, r + " " + tail
			}
			break
		}
	}
	// The name is the longest run of capitalised non-role words at the end.
	end := len(ws)
	start := end
	for start > 0 {
		w := ws[start-1]
		lw := strings.ToLower(strings.Trim(w, ",."))
		r, _ := utf8.DecodeRuneInString(w)
		isConnector := start-1 > 0 && start < end && (nameParticles[lw] || w == "&") // "Securities & Exchange Commission"
		// A surname that is also a role word ("Charlie King") stays in the name when a
		// capitalised non-role word precedes it.
		surname := start == end && start >= 2 && isCapitalisedWord(ws[start-2]) &&
			(!roleWords[strings.ToLower(strings.Trim(ws[start-2], ",."))] || titleWords[strings.ToLower(ws[start-2])])
		acronym := start < end && utf8.RuneCountInString(w) > 1 && strings.ToUpper(w) == w && strings.ToUpper(ws[end-1]) != ws[end-1] && !isInitials(w)
		if !(unicode.IsUpper(r) || isConnector) || (roleWords[lw] && !surname) || strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || acronym {
			break
		}
		start--
	}
	if start == end {
		return "", m
	}
	if end-start == 1 && start > 0 && utf8.RuneCountInString(ws[start]) > 1 && strings.ToUpper(ws[start]) == ws[start] &&
		roleHead(strings.ToLower(ws[start-1])) && !isCapitalisedWord(ws[start-1]) {
		return "", m // "обраний президент США", "the chief executive BP": whose role, not who
	}
	if k := firstContentWord(ws); k < start && orgHead(ws[k]) {
		return "", m // "полиция Спрингфилда", "пресс-служба RCC Boxing Promotions": an organisation
	}
	if !isCyrillic(ws[start]) && isCyrillic(ws[end-1]) {
		// "директор платформы CityAir Андрей Самойлов": a Latin-script organisation
		// before a Cyrillic name belongs to the role; with no role before it, it is
		// no part of the speaker ("Bloomberg Марк Леонард": the outlet told).
		latin := start
		for start < end-1 && !isCyrillic(ws[start]) {
			start++
		}
		if latin == 0 {
			ws, start, end = ws[start:], 0, end-start
		}
	}
	if isCyrillic(ws[start]) {
		name, _ := cyrillicName(ws[start:])
		if !isCyrillic(ws[0]) || start == 0 && len(name) < end {
			// What is left before the name is a capitalised fragment of an outlet or
			// organisation ("Greenpeace России Михаил …"), no role.
			ws, start, end = ws[end-len(name):], 0, len(name)
		} else {
			start = end - len(name)
		}
	}
	name = strings.Join(ws[start:], " ")
	role = strings.Join(ws[:start], " ")
	if start >= 2 {
		// "Officials of the United States Geological Survey", "a spokesman for the
		// Pentagon": the capitalised words name an organisation the speaker belongs to.
		link, det := strings.ToLower(ws[start-2]), strings.ToLower(ws[start-1])
		if (link == "of" || link == "for" || link == "at") && (det == "the" || isOrgName(name)) {
			return "", m
		}
	}
	// Honorifics ("Mr.", "Sen.") belong to neither the role we show nor the name.
	name = stripTitle(name)
	lr := strings.ToLower(role)
	if lr == "the" || lr == "a" || lr == "an" {
		role = ""
	}
	return name, role
}

// orgNameRun finds an organisation's name at the end of ws, written with lower-case
// connectors after its head noun ("Committee on Intelligence and Security",
// "Department of Health and Human Services", "Center for American Progress"): the
// head is an organisation word, every word after it is capitalised or a connector,
// and the last is capitalised. It returns where the name starts.
func orgNameRun(ws []string) (int, bool) {
	if len(ws) < 3 || !isCapitalisedWord(ws[len(ws)-1]) {
		return 0, false
	}
	for c := 1; c < len(ws)-1; c++ {
		if !orgConnectors[strings.ToLower(ws[c])] {
			continue
		}
		head := strings.ToLower(strings.Trim(ws[c-1], ",."))
		if !orgWords[head] || !isCapitalisedWord(ws[c-1]) {
			continue
		}
		if c >= 2 {
			if first := strings.ToLower(ws[c-2]); femaleNames[first] || maleNames[first] {
				continue // "Liam Fox of the Conservative Party", "Mary Street and Tom Jones": a person
			}
		}
		for _, w := range ws[c+1:] {
			if !isCapitalisedWord(w) && !orgConnectors[strings.ToLower(w)] {
				return 0, false
			}
		}
		start := c - 1
		for start > 0 && isCapitalisedWord(ws[start-1]) && !roleWords[strings.ToLower(strings.Trim(ws[start-1], ",."))] {
			start--
		}
		return start, true
	}
	return 0, false
}

// orgConnectors join the words of an organisation's name.
var orgConnectors = set(`of on and for & the`)

// honorifics are forms of address, not roles: "Mr Rangel" says he is a man, and his
// role is the one written where he was introduced.
var honorifics = set(`mr mrs ms miss mx dr sir dame madam пан пані господин госпожа`)

func isHonorific(role string) bool { return honorifics[strings.Trim(strings.ToLower(role), ". ")] }

// isInitials reports whether w is one or more initials ("H.", "G.K."), which belong
// to the name they precede.
func isInitials(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case r == '.':
		case unicode.IsUpper(r):
			letters++
		default:
			return false
		}
	}
	return letters > 0 && letters <= 3 && strings.HasSuffix(w, ".")
}

// titleCase reports whether most words are capitalised, as in a title.
func titleCase(s string) bool {
	ws := strings.Fields(s)
	caps := 0
	for _, w := range ws {
		if isCapitalisedWord(w) {
			caps++
		}
	}
	return len(ws) > 0 && caps*3 >= len(ws)*2
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

func isCapitalisedWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// roleMatches reports whether a role phrase ("the Republican nominee", "the minister")
// fits a person's known role: every word of it but determiners and connectors appears
// there, so "the Republican nominee" is not the Democratic one.
func roleMatches(phrase, role string) bool {
	have := strings.Fields(strings.ToLower(role))
	for _, w := range strings.Fields(strings.ToLower(phrase)) {
		w = strings.Trim(w, ",.")
		if determiners[w] || npConnectors[w] || w == "" {
			continue
		}
		found := false
		for _, h := range have {
			if h = strings.Trim(h, ",."); h == w || (isCyrillic(w) && SameCyrillicStem(h, w)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// SameCyrillicStem compares inflected Ukrainian or Russian words ("речника" and
// "речник", "египетский" and "Египта", "Боррель" and "Борреля"): they share all but
// the last two letters of the shorter, and at least four. The evaluation scores
// speakers by the same rule.
func SameCyrillicStem(a, b string) bool {
	// One pass over both, in step: the shorter's length and the shared prefix, ending
	// early when they differ within the first four letters (the stem is never shorter).
	// It runs for every pair of names an article holds, so it must not read a crafted
	// long surname whole when its first letters already differ.
	n, same, diverged := 0, 0, false
	for a != "" && b != "" {
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if !diverged {
			if ra == rb {
				same++
			} else if diverged = true; same < 4 {
				return false
			}
		}
		a, b = a[sa:], b[sb:]
		n++
	}
	need := max(4, n-2)
	return n >= need && same >= need
}

// hasLowerWord reports whether a word of s starts with a lower-case letter.
func hasLowerWord(s string) bool {
	start := true
	for _, r := range s {
		if start && unicode.IsLower(r) {
			return true
		}
		start = r == ' '
	}
	return false
}

// titleArticle reports whether ts[i] is an English article written with a capital
// inside a sentence: only a title ("The Aviator", "A Different Story") or an
// organisation's name ("The Times") capitalises it there, never a person's name.
func titleArticle(ts []tok, i int) bool {
	switch ts[i].s {
	case "The", "A", "An":
	default:
		return false
	}
	if i == 0 {
		return false
	}
	p := ts[i-1]
	return !sentenceEnd(p) && !(p.punct && (p.s == ":" || p.s == "\"" || p.s == "“" || p.s == "‘" || p.s == "(" || dashes[p.s]))
}

// possessiveTok reports whether t is an owner: "Guardian's", "Brown’s".
func possessiveTok(t tok) bool { return strings.HasSuffix(t.s, "'s") || strings.HasSuffix(t.s, "’s") }

// introducedSpeaker reads the sentence before a quote that opens its sentence with no
// attribution of its own: when that sentence holds no quotation and no speech verb,
// and its subject is a person known as one (a first name, a role, a surname named
// again) who did not speak last, the quote is that person's. News introduces a new
// speaker so ("X was keen to stress …"); a sentence of background about someone else
// leaves the quote to the last speaker.
func introducedSpeaker(text string, pos int, people []person, last *Quote) (string, bool) {
	var sentence string
	if line, ok := lineOpensAt(text, pos); ok {
		sentence = lastSentenceOfParagraphBefore(text, line)
	} else if sentenceBefore(text, pos) == "" {
		sentence = previousSentence(text, pos)
	}
	if sentence == "" || strings.ContainsAny(sentence, "\"“”«»„") || isCyrillic(sentence) {
		return "", false
	}
	ts := lexTokens(sentence)
	if slices.ContainsFunc(ts, func(t tok) bool { return isCue(t) || participleCues[t.s] }) {
		return "", false
	}
	from := max(0, pos-2*len(sentence)-8) // the sentence ends right before pos
	start := strings.LastIndex(text[from:pos], sentence)
	if start >= 0 {
		start += from
	}
	if start < 0 || len(ts) == 0 {
		return "", false
	}
	// The sentence's subject: a person named before its first finite verb, not after
	// a preposition ("Double try scorer Martyn Williams was keen …"), or, with no
	// auxiliary to tell, the name that opens it ("Mauresmo spent five weeks at number
	// one …").
	bestAt := start + ts[0].at + 1
	if verb := slices.IndexFunc(ts, func(t tok) bool { return finiteAux[t.s] }); verb >= 0 {
		bestAt = start + ts[verb].at
	}
	best := -1
	for i, p := range people {
		if !p.known() || isOrgName(p.name) {
			continue
		}
		k := sort.SearchInts(p.plain, start)
		if k < len(p.plain) && p.plain[k] < bestAt {
			best, bestAt = i, p.plain[k]
		}
	}
	if best < 0 || last != nil && sharesSurname(last.Speaker, people[best].name) {
		return "", false
	}
	return people[best].name, true
}

// narratorCues introduce a feature told by one person: "Rob Partridge … remembers the
// man behind the legend".
var narratorCues = set(`remembers recalls reminisces reflects`)

// featuredNarrator finds the person a feature is told by: the subject of a narrator
// verb in its opening paragraph (after any headline). The feature's unattributed
// first-person quotes are theirs.
func featuredNarrator(text string, people []person) (person, bool) {
	for offset := 0; offset < len(text); {
		para, _, _ := strings.Cut(text[offset:], "\n")
		if strings.TrimSpace(para) == "" || headlineLine(strings.TrimSpace(para), offset == 0) {
			offset += len(para) + 1
			continue
		}
		ts := lexTokens(para[:min(len(para), 1000)]) // a lede, not a crafted wall of text
		for k, t := range ts {
			if !narratorCues[t.s] {
				continue
			}
			from := k
			for from > 0 && ts[from-1].s != "," && !sentenceEnd(ts[from-1]) {
				from--
			}
			best, bestAt := person{}, -1
			for _, p := range people {
				if !p.known() {
					continue
				}
				i := sort.SearchInts(p.plain, offset+ts[from].at)
				if i < len(p.plain) && p.plain[i] < offset+t.at && (bestAt < 0 || p.plain[i] < bestAt) {
					best, bestAt = p, p.plain[i]
				}
			}
			return best, bestAt >= 0
		}
		break // the opening paragraph only
	}
	return person{}, false
}

// firstPersonSingular reports whether a quote speaks as "I" (English, Ukrainian or
// Russian).
func firstPersonSingular(quote string) bool { return firstPersonIn(quote, true) }

// firstPerson reports whether a quote speaks as "I" or, in English, "we". It reads the
// words in place: quotes are long, and this runs once a quote.
func firstPerson(quote string) bool { return firstPersonIn(quote, false) }

func firstPersonIn(quote string, singular bool) bool {
	for rest := quote; rest != ""; {
		i := strings.IndexFunc(rest, unicode.IsLetter)
		if i < 0 {
			return false
		}
		rest = rest[i:]
		j := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
		if j < 0 {
			j = len(rest)
		}
		switch rest[:j] {
		case "I", "my", "My", "me", "я", "Я", "мене", "мені", "мій", "Мій", "моя", "Моя", "меня", "мне", "мой", "Мой":
			return true
		case "we", "We", "our", "Our", "us":
			if !singular {
				return true
			}
		}
		rest = rest[j:]
	}
	return false
}

// proxyRoles speak for someone else: "the spokesman" after "Joe Biden visited the
// factory" is not Biden (round 12's review), whoever the story is about.
var proxyRoles = set(`spokesman spokeswoman spokesperson aide aides official officials representative
	source sources adviser advisor staffer lawyer lawyers attorney agent`)

// definiteRole reports whether an English role phrase is definite ("the presenter",
// "its chief"): it names someone already in the story, where "a spokesman" brings in
// someone new.
func definiteRole(role string) bool {
	w, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(role)), " ")
	switch w {
	case "the", "its", "his", "her", "their":
		return true
	}
	return false
}

// personDescription reports whether an English definite noun phrase with no role word
// may describe a person, as sports and arts pages name again whom the story is about:
// "the tournament debutant", "the world 200m and 400m record holder". Its head is a
// singular lower-case noun, no document, organisation or team ("the statement", "the
// firm", "the side"), and it is short.
func personDescription(phrase string) bool {
	ws := strings.Fields(strings.ToLower(phrase))
	if len(ws) < 2 || len(ws) > 7 || ws[0] != "the" || isCyrillic(phrase) {
		return false
	}
	for _, w := range ws[1:] {
		if !hasLetter(w) && strings.Trim(w, "0123456789") != "" || isFunctionWord(w) && w != "and" || possessiveTok(tok{s: w}) {
			// "the man in the stands", "the 2-0 win", "the ad's narrator" (the
			// ad's, not the story's): not a description of whom the story is about
			return false
		}
	}
	head := ws[len(ws)-1]
	if !hasLetter(head) || strings.HasSuffix(head, "s") && !strings.HasSuffix(head, "ss") || hasUpper(phrase[strings.LastIndex(phrase, " ")+1:]) {
		return false // plural, or a name
	}
	return !orgWords[head] && !isDocumentWord(head) && !proxyRoles[head] && !collectiveNouns[head] && !isNotName(head)
}

// collectiveNouns are heads of English descriptions of a group or an organisation,
// beyond orgWords: what "the … said" may mean without meaning a person.
var collectiveNouns = set(`firm team side squad band group club outfit body panel jury board carrier airline
	retailer lender insurer maker manufacturer broadcaster operator producer publisher studio label chain
	giant hosts country nation region city town organiser organizer statement paper
	newspaper magazine website site station programme program show film movie album book study index
	figure figures data economy market`)

// hasSubjectBefore reports whether p stands in subject place within subjectWindow
// before at.
func hasSubjectBefore(p person, at int) bool { _, ok := p.subjectBefore(at); return ok }

// shedObliqueLead drops the first word of a two- or three-word Ukrainian or Russian
// name when it is no first name but the end of the phrase before it, written in an
// oblique case: "голови Пентагону Трамп", "на Україну Трамп", "команди Трампа Рубіо".
// A first name is never in the dative or accusative ("-у", "-ю"), and a surname
// known as someone else's, inflected, is not this person's first name.
func shedObliqueLead(name string, people []person) string {
	ws := strings.Fields(name)
	if len(ws) < 2 || len(ws) > 3 || !isCyrillic(ws[0]) {
		return name
	}
	first := strings.ToLower(ws[0])
	if cyrillicNameGender[first] != 0 || isPatronymic(first) || strings.Contains(first, "-") {
		return name
	}
	oblique := strings.HasSuffix(first, "у") || strings.HasSuffix(first, "ю")
	if !oblique && (strings.HasSuffix(first, "а") || strings.HasSuffix(first, "я")) {
		// A genitive ("Трампа"): someone else's surname, inflected. Names are
		// compared as written, capitalised, without allocating: this runs for every
		// capitalised run of a text against every person in it.
		for _, p := range people {
			sur := p.sur
			if sur != ws[0] && sur != ws[len(ws)-1] && SameCyrillicStem(sur, ws[0]) {
				oblique = true
				break
			}
		}
	}
	if !oblique {
		return name
	}
	return strings.Join(ws[1:], " ")
}

// ownerOnly reports whether a role is an owner's name and nothing else ("Chelsea's",
// "Manchester United's": written before a name, "Chelsea's William Gallas"), and
// returns the name a reader should see: the owner, "Chelsea".
func ownerOnly(role string) (string, bool) {
	ws := strings.Fields(role)
	if len(ws) == 0 || len(ws) > 4 {
		return "", false
	}
	for _, w := range ws {
		if !isCapitalisedWord(w) {
			return "", false
		}
	}
	last := ws[len(ws)-1]
	for _, end := range []string{"'s", "’s"} {
		if owner, ok := strings.CutSuffix(last, end); ok && owner != "" {
			ws[len(ws)-1] = owner
			return strings.Join(ws, " "), true
		}
	}
	return "", false
}

// brokenRole reports whether a role is a fragment of its sentence rather than a
// description of the speaker: it ends in a preposition or conjunction, opens with a
// relative pronoun, or opens with a figure and names no role, or holds a clock time.
func brokenRole(role string) bool {
	ws := strings.Fields(role)
	if len(ws) == 0 {
		return false
	}
	if !slices.ContainsFunc(ws, func(w string) bool {
		lw := strings.ToLower(w)
		return !roleTimeWords[lw] && !determiners[lw] && lw != "one"
	}) {
		// "the former Michelle Robinson followed her plan" (her maiden name), "one
		// Barack Obama": a modifier with no role noun to modify.
		return true
	}
	last := strings.ToLower(strings.Trim(ws[len(ws)-1], ",.;:"))
	first := strings.ToLower(strings.Trim(ws[0], ",.;:"))
	if prepositions[last] || npConnectors[last] || slavicFunctionWords[last] || relativeWords[first] {
		return true // a relative clause is no role either ("який пройде в Бразилії")
	}
	if r, _ := utf8.DecodeRuneInString(first); unicode.IsDigit(r) && !slices.ContainsFunc(ws, func(w string) bool { return isRoleWord(strings.ToLower(strings.Trim(w, ",.;:"))) }) {
		// A bare figure with no role noun after it is a quantity or a date ("2,000
		// miles from the ceremony", "8 листопада"), where "800 metres runner" is a
		// role. After a determiner it may describe ("a 30-year-old patient"): kept.
		return true
	}
	for _, w := range ws {
		if h, m, ok := strings.Cut(w, ":"); ok && h != "" && m != "" && strings.Trim(h, "0123456789") == "" && strings.Trim(m, "0123456789") == "" {
			return true
		}
	}
	return false
}

// relativeWords open a relative clause.
var relativeWords = set(`who which that whose який яка яке які котрий котра котре котрі который которая
	которое которые`)

// namedIn reports whether a quote names the person as someone spoken of: their
// surname, or their first name not followed by another name ("Sean's situation", not
// "David Beckham was"), and not as the capitalised first word of a sentence unless
// possessive ("Long may it last" is no Long). Names of two letters or fewer say too
// little.
func namedIn(quote, person string) bool {
	ws := strings.Fields(person)
	if len(ws) == 0 || isPronoun(person) {
		return false
	}
	for wi, w := range []string{ws[0], ws[len(ws)-1]} {
		if utf8.RuneCountInString(w) < 3 || !isCapitalisedWord(w) {
			continue
		}
		firstName := wi == 0 && len(ws) > 1
		for from := 0; from < len(quote); {
			k := strings.Index(quote[from:], w)
			if k < 0 {
				break
			}
			at, end := from+k, from+k+len(w)
			from = end
			if !wordBounded(quote, at, end) {
				continue
			}
			rest := quote[end:]
			possessive := strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s")
			next := strings.TrimLeft(rest, " ")
			if firstName && !possessive && next != "" && isCapitalisedWord(next) {
				continue // another person of that first name
			}
			if before := strings.TrimRight(quote[:at], " "); !possessive && (before == "" || strings.ContainsAny(before[len(before)-1:], ".!?")) {
				continue // a sentence's capitalised first word
			}
			return true
		}
	}
	return false
}

// resolveWithout resolves a pronoun as resolveSpeaker does, with the person named
// name out of the running: their mentions are set aside for the call, not the people
// copied (a crafted text of 400 such quotes copied 300 people each time).
func resolveWithout(mention string, at int, people []person, name string) (string, string) {
	k := slices.IndexFunc(people, func(p person) bool { return p.name == name })
	if k < 0 {
		return resolveSpeaker(mention, at, people, nil)
	}
	saved := people[k]
	people[k].mentions, people[k].subjects, people[k].plain, people[k].obliques = nil, nil, nil, nil
	defer func() { people[k] = saved }()
	return resolveSpeaker(mention, at, people, nil)
}

// mentionedSince reports whether the person named name has a mention in [from, to).
func mentionedSince(people []person, name string, from, to int) bool {
	if name == "" {
		return false
	}
	for _, p := range people {
		if p.name == name {
			i := sort.SearchInts(p.mentions, from)
			return i < len(p.mentions) && p.mentions[i] < to
		}
	}
	return false
}

// bareAcronym is a speaker without its determiner ("the RFU" → "RFU") when what is
// left is 2 to 6 capital letters, a mixed-case acronym ("DrKW"), or a word of 3 to 6
// letters in title case ("Amsa", "Nato": how the Guardian and the BBC write an acronym
// said as a word), else "". A title-case word is only ever expanded where the text
// spells it out in parentheses ("the Australian Maritime Safety Authority (Amsa)"):
// acronymsNamed needs two initials at least, and it has one.
func bareAcronym(speaker string) string {
	sp := strings.TrimSpace(speaker)
	for _, det := range []string{"The ", "the ", "An ", "an ", "A ", "a "} {
		sp = strings.TrimPrefix(sp, det)
	}
	n := utf8.RuneCountInString(sp)
	if n < 2 || n > 6 || strings.ContainsFunc(sp, func(r rune) bool { return !unicode.IsLetter(r) }) {
		return ""
	}
	if strings.ToUpper(sp) != sp {
		// "DrKW": a mixed-case acronym has three capitals or more ("McKay" has two)
		// and opens with one.
		first, size := utf8.DecodeRuneInString(sp)
		titleCase := n >= 3 && strings.ToLower(sp[size:]) == sp[size:]
		if !unicode.IsUpper(first) || len(acronymLetters(sp)) < 3 && !titleCase {
			return ""
		}
	}
	return sp
}

// acronymLetters are an acronym's capitals: "DrKW" gives "DKW".
func acronymLetters(acr string) string {
	var b strings.Builder
	for _, r := range acr {
		if unicode.IsUpper(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// acronymsNamed finds, for each wanted acronym the text does not spell out in
// parentheses, the name it abbreviates as written earlier: the first run of two or more
// capitalised words (with "of", "for", "and" or "&" between them) whose initials are
// the acronym's capitals ("Dresdner Kleinwort Wasserstein said …" and later "DrKW
// said"). One pass over the text's words for all of them.
func acronymsNamed(text string, wanted map[string]bool, have map[string]string) map[string]string {
	need := map[string]string{} // initials → acronym
	for acr := range wanted {
		if have[acr] == "" && len(acronymLetters(acr)) >= 2 { // "Amsa" has one: never two words' initials
			need[acronymLetters(acr)] = acr
		}
	}
	if len(need) == 0 {
		return have
	}
	ts := lexTokens(text)
	for i := 0; i < len(ts) && len(need) > 0; {
		if lw := ts[i].lower(); !ts[i].capitalised() || isNotName(ts[i].s) || lw == "the" || lw == "a" || lw == "an" {
			i++ // "The Department of Homeland Security" spells DHS without its "The"
			continue
		}
		j, words := i, 0
		var initials strings.Builder
		for j < len(ts) {
			t := ts[j]
			if t.capitalised() && !t.punct && !isNotName(t.s) {
				r, _ := utf8.DecodeRuneInString(t.s)
				initials.WriteRune(r)
				words++
				j++
				continue
			}
			if j > i && j+1 < len(ts) && (t.lower() == "of" || t.lower() == "for" || t.lower() == "and" || t.s == "&") && ts[j+1].capitalised() {
				j++
				continue
			}
			break
		}
		if acr, ok := need[initials.String()]; ok && words >= 2 {
			if have == nil {
				have = map[string]string{}
			}
			have[acr] = joinToks(ts[i:j])
			delete(need, initials.String())
		}
		i = j
	}
	return have
}

// acronymSpeakers are the acronyms quotes are credited to: the only ones worth
// looking up.
func acronymSpeakers(quotes []Quote) map[string]bool {
	var out map[string]bool
	for _, q := range quotes {
		if a := bareAcronym(q.Speaker); a != "" {
			if out == nil {
				out = map[string]bool{}
			}
			out[a] = true
		}
	}
	return out
}

// acronymsDefined reads where a text spells out the acronyms quotes are credited to:
// "The Rugby Football Union (RFU)", "Київська обласна військова адміністрація
// (КОВА)". The capitalised (or, in Ukrainian and Russian, any) words right before the
// parenthesis, in the same sentence, must give its letters in order, function words
// aside; the first definition counts. Words are read back in place: a crafted text
// of "(AB)" repeated cost three times the whole analysis when each was split into
// words (round 13's review).
func acronymsDefined(text string, wanted map[string]bool) map[string]string {
	if len(wanted) == 0 {
		return nil
	}
	var defs map[string]string
	for from := 0; from < len(text) && len(defs) < len(wanted); {
		k := strings.IndexByte(text[from:], '(')
		if k < 0 {
			break
		}
		open := from + k
		from = open + 1
		closeAt := strings.IndexByte(text[from:min(len(text), from+16)], ')')
		if closeAt < 0 {
			continue
		}
		acr := text[from : from+closeAt]
		if !wanted[acr] || defs[acr] != "" {
			continue
		}
		if full, ok := spelledBefore(text[max(0, open-200):open], acr); ok {
			if defs == nil {
				defs = map[string]string{}
			}
			defs[acr] = full
		}
	}
	return defs
}

// spelledBefore reads back from the end of before, word by word within its sentence
// and paragraph, for words whose initials spell acr; it returns them as written.
func spelledBefore(before, acr string) (string, bool) {
	letters := []rune(strings.ToUpper(acr)) // "Amsa" spells A, M, S, A
	j, start := len(letters)-1, -1
	pos := len(strings.TrimRight(before, " \t"))
	for pos > 0 && j >= 0 {
		w0 := strings.LastIndexAny(before[:pos], " \t\n") + 1
		raw := before[w0:pos]
		if strings.ContainsAny(raw, "\"“”«»") {
			return "", false // a quotation, not a name
		}
		word := strings.Trim(raw, ",;:'’")
		if word == "" || strings.ContainsAny(word[len(word)-1:], ".!?") {
			return "", false // the sentence before
		}
		if !isFunctionWord(strings.ToLower(word)) || isCapitalisedWord(word) {
			first, _ := utf8.DecodeRuneInString(word)
			if unicode.ToUpper(first) != letters[j] || !isCapitalisedWord(word) && !isCyrillic(word) {
				return "", false
			}
			j--
			start = w0
		}
		if w0 > 0 && before[w0-1] == '\n' {
			break // the paragraph starts here
		}
		pos = len(strings.TrimRight(before[:w0], " \t"))
	}
	if j >= 0 || start < 0 {
		return "", false
	}
	return strings.Join(strings.Fields(strings.Trim(before[start:], " \t,;:")), " "), true
}

// reportedBefore reads the sentence right before a quote that opens its sentence, in
// the same paragraph: when it reports someone's speech ("The former Scotland
// international added that …", "Fletcher's daughter Jill said …"), that someone,
// resolved and of the pronoun's gender g, is whom the quote's "he" or "she" means.
func reportedBefore(text string, pos int, people []person, last *Quote, g byte) (name, role string, ok bool) {
	if sentenceBefore(text, pos) != "" {
		return "", "", false // the quote does not open its sentence
	}
	sentence := previousSentence(text, pos)
	if sentence == "" {
		return "", "", false
	}
	m, _, ok := speakerOfSentence(sentence)
	if !ok || isPronoun(m) {
		return "", "", false
	}
	at := max(0, pos-len(sentence)-2)
	name, role = resolveSpeaker(m, at, people, last)
	gender := guessGender(name, role)
	if gender == 0 {
		gender = guessGender("", name) // a role phrase that speaks: "The Trafford Centre spokeswoman"
	}
	if name == "" || isPronoun(name) || gender != g && !(knownPerson(people, name) && compatible(g, personGender(people, name))) {
		// Of the pronoun's gender by name or role ("Fletcher's daughter Jill", "The
		// Trafford Centre spokeswoman"), or a person known as one who may be; not
		// "Police" or "The Brazilian", who may be anyone.
		return "", "", false
	}
	return name, role, true
}

// personGender is the gender noted for the person of that name, 0 if none.
func personGender(people []person, name string) byte {
	if k := personNamed(people, name); k >= 0 {
		return people[k].gender
	}
	return 0
}
