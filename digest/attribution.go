package digest

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tok is a word or punctuation token of an attribution snippet.
type tok struct {
	s     string
	punct bool
	at    int // byte offset in the lexed string
}

func (t tok) lower() string { return strings.ToLower(t.s) }

func (t tok) capitalised() bool {
	r, _ := utf8.DecodeRuneInString(t.s)
	return !t.punct && unicode.IsUpper(r)
}

// thousandsGroup reports whether s opens with three digits that end the word: the
// rest of a number after its thousands separator ("000 miles" of "2,000 miles").
func thousandsGroup(s string) bool {
	if len(s) < 3 || strings.Trim(s[:3], "0123456789") != "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[3:])
	return len(s) == 3 || !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// lexTokens splits s into word and punctuation tokens. Abbreviations and initials
// keep their period ("Mr.", "G.", "Sen."), so a period token ends a sentence.
func lexTokens(s string) []tok {
	out := make([]tok, 0, len(s)/5)
	at := func(i int) (rune, int) {
		if i >= len(s) {
			return 0, 0
		}
		if c := s[i]; c < utf8.RuneSelf {
			return rune(c), 1
		}
		return utf8.DecodeRuneInString(s[i:])
	}
	wordRune := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(s); {
		r, size := at(i)
		switch {
		case unicode.IsSpace(r):
			i += size
		case wordRune(r):
			j := i
			for j < len(s) {
				c, n := at(j)
				if wordRune(c) || unicode.Is(unicode.Mn, c) {
					j += n
					continue
				}
				if c == '&' && unicode.IsUpper(rune(s[j-1])) {
					// "R&B", "AT&T", "M&S": one name
					if next, _ := at(j + n); unicode.IsUpper(next) {
						j += n
						continue
					}
				}
				if c == ',' && unicode.IsDigit(rune(s[j-1])) && thousandsGroup(s[j+n:]) {
					// "2,000 miles": one number, no clause comma
					j += n
					continue
				}
				if c == '\'' || c == '’' || c == '-' || c == '.' || ((c == '/' || c == ':') && unicode.IsDigit(rune(s[j-1]))) {
					// "don't", "vice-president", "U.S", "9/11", "23:01" (a time, not a colon)
					if next, _ := at(j + n); wordRune(next) && (c != ':' || unicode.IsDigit(next)) && !(c == '.' && gluedSentences(s, i, j)) {
						j += n
						continue
					}
				}
				break
			}
			w := s[i:j]
			if c, n := at(j); c == '.' {
				lw := strings.ToLower(w)
				next, _ := at(j + n)
				// "Ltd." before a comma or a lower-case word ends no sentence.
				midSentence := (otherAbbrevs[lw] || isPartyTag(w)) && (next == ',' || next == ';' || (next == ' ' && unicode.IsLower(peekRune(s, j+n+1, len(s)))))
				if titleAbbrevs[lw] || (utf8.RuneCountInString(w) == 1 && unicode.IsUpper(r)) || strings.Contains(w, ".") || lw == "u.s" || next == ')' || midSentence {
					w = s[i : j+n]
					j += n
				}
			}
			out = append(out, tok{s: w, at: i})
			i = j
		case r == '&':
			out = append(out, tok{s: "&", at: i}) // "Standard & Poor's": a word of a name, as "and"
			i += size
		default:
			out = append(out, tok{s: s[i : i+size], punct: true, at: i})
			i += size
		}
	}
	return out
}

// gluedSentences reports whether the period at s[j], inside the word that starts at
// s[i], ends a sentence a crawl of Russian or Ukrainian news glued to the next
// ("Татьяна Быковская.Руководитель"): four lower-case Cyrillic letters before it, a
// capital and a lower-case letter after it. Abbreviations ("тыс.Рублей", "пр.Мира"),
// "U.S", "Ph.D", "Amazon.Com" and "Console.WriteLine" stay words.
func gluedSentences(s string, i, j int) bool {
	end := j
	for range 4 { // read in place: a word may be long
		r, n := utf8.DecodeLastRuneInString(s[i:end])
		if !unicode.IsLower(r) || !unicode.Is(unicode.Cyrillic, r) {
			return false
		}
		end -= n
	}
	r1, n1 := utf8.DecodeRuneInString(s[j+1:])
	r2, _ := utf8.DecodeRuneInString(s[j+1+n1:])
	return unicode.IsUpper(r1) && unicode.IsLower(r2)
}

func joinToks(ts []tok) string {
	var b strings.Builder
	for i, t := range ts {
		pluralOwner := t.punct && (t.s == "'" || t.s == "’") && i > 0 && strings.HasSuffix(strings.ToLower(ts[i-1].s), "s") // "Kenteris' lawyer"
		if i > 0 && !(t.punct && strings.ContainsAny(t.s, ",.;:)!?»")) && !pluralOwner && ts[i-1].s != "(" && ts[i-1].s != "«" {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
	}
	return b.String()
}

var (
	participleCues = set(`saying adding noting telling writing arguing explaining insisting claiming warning
		asking declaring stressing tweeting stating suggesting calling`)
	determiners  = set(`the a an his her their its our my one two three several many some other another`)
	npConnectors = set(`of for from at with in on to and by &`)
	prepositions = set(`at in on after before during since from with without by for about under over
		when while as although though if
		в у во на з із зі від до по при для після через під из от после со про о об`)
	dashes      = set(`— ― – -`)
	auxiliaries = set(`has had have would will also later then once previously again recently earlier further
		simply just only quickly repeatedly has, reportedly publicly privately flatly`)
	// focusAdverbs ("also", "too", "already", "again") may stand between a subject and
	// its verb in Ukrainian and Russian ("Трамп також заявив"); they are never part of
	// a speaker's name or role.
	focusAdverbs = set(`також теж вже уже знову ще також, также тоже уже снова еще ещё`)
	// npStop are lower-case words that cannot be inside a speaker phrase.
	npStop = set(`that which who whose whom when while as because if but or said says told added it there he
		she they we i you him them us is was are were be been being do does did not no`)
)

// isCue reports whether t is a speech verb. A capitalised one is part of a name
// ("United States", "Karen Marks") or a headline, not a verb; the one exception, a
// sentence opening "Said Ellis: …", is read by attributeLeft.
func isCue(t tok) bool { return !t.capitalised() && cueWord(t) }

func cueWord(t tok) bool {
	return !t.punct && (cueVerbs[t.lower()] || t.lower() == "reports" || t.lower() == "reported" || t.lower() == "reads" || t.lower() == "continued")
}

// npOK reports whether ts look like a speaker phrase and returns it cleaned.
// It is long because it is one ordered cascade of rejections, each a reason a phrase
// is not a speaker; read top to bottom, the first that applies wins.
func npOK(ts []tok) (string, bool) {
	// Drop parentheticals such as "(D-N.C.)".
	var clean []tok
	depth := 0
	for _, t := range ts {
		switch {
		case t.s == "(":
			depth++
		case t.s == ")":
			depth = max(0, depth-1)
		case depth == 0 && !isPartyTag(t.s):
			clean = append(clean, t)
		}
	}
	// "Трамп також", "Капітан теж": focus adverbs sit inside the subject, not the name.
	ts = slices.DeleteFunc(clean, func(t tok) bool { return focusAdverbs[t.lower()] })
	ts = trimTimePhrase(ts)
	for len(ts) > 1 && strings.Trim(ts[0].s, "0123456789:.") == "" {
		ts = ts[1:] // "23:01 Трамп …": a live blog's time
	}
	if len(ts) > 2 && nameWord(ts[0]) && isCyrillic(ts[0].s) && prepositions[ts[1].lower()] && isCyrillic(ts[1].s) {
		ts = ts[:1] // "Трамп під час нічної промови": the name, then an adverbial
	}
	// "Министр … Ларс Хауге во время визита в Варшаву": in Ukrainian and Russian a
	// prepositional phrase after the name is an adverbial, not part of the speaker.
	// (The last name in the phrase decides: "эксперт проекта Минфина России по …
	// Ольга Андреева" ends with the person, the organisation before it stays.)
	for k := len(ts) - 1; k >= 1; k-- {
		if nameWord(ts[k-1]) && nameWord(ts[k]) {
			if k+1 < len(ts) && isCyrillic(ts[k+1].s) && prepositions[ts[k+1].lower()] {
				ts = ts[:k+1]
			}
			break
		}
	}
	// A closing » stays when its « opens a name inside the phrase ("клуба «Сокол»").
	for len(ts) > 0 && ts[len(ts)-1].punct && !(ts[len(ts)-1].s == "»" && slices.IndexFunc(ts, func(t tok) bool { return t.s == "«" }) > 0) {
		ts = ts[:len(ts)-1]
	}
	for len(ts) > 0 && (ts[0].punct || prepositions[ts[0].lower()] || ts[0].lower() == "and" || ts[0].lower() == "but" ||
		(len(ts) > 1 && ts[0].capitalised() && isNotName(ts[0].s))) {
		ts = ts[1:] // an opener, or "Also"/"Tuesday" before the phrase
	}
	if len(ts) > 0 {
		// A speaker phrase starts with a name, a determiner, a role or a number
		// ("30-year-old"), and ends with a name, a role or a noun.
		f := ts[0]
		if !f.capitalised() && !determiners[f.lower()] && !isRoleWord(f.lower()) && !isDocumentWord(f.s) && !orgHead(f.s) && !strings.ContainsAny(f.s, "0123456789") && !isPronoun(f.s) && !f.punct {
			// A lower-case modifier may open a phrase that names someone
			// ("panel Chairman Rep. Jason Chaffetz"), not one that does not.
			if len(ts) < 2 || !anyCap(ts[1:]) {
				return "", false
			}
		}
		if l := ts[len(ts)-1]; !l.punct && !l.capitalised() && npConnectors[l.lower()] {
			return "", false
		}
	}
	if len(ts) == 0 || len(ts) > 14 {
		return "", false
	}
	if len(ts) == 1 && isPronoun(ts[0].s) {
		return ts[0].s, true
	}
	if l := ts[len(ts)-1]; len(ts) > 1 && isCyrillic(l.s) && isPronoun(l.s) && !slices.ContainsFunc(ts[:len(ts)-1], func(t tok) bool { return nameWord(t) && !prepositions[t.lower()] && t.s != ts[0].s }) {
		return l.s, true // "Под кадром она написала": an adverbial, then the subject
	}
	if len(ts) == 1 && determiners[ts[0].lower()] {
		return "", false
	}
	hasCap, hasNoun := false, false
	other := 0
	if l := ts[len(ts)-1]; strings.HasSuffix(l.s, "'s") || strings.HasSuffix(l.s, "’s") {
		return "", false // a possessive is not a speaker ("Trump's")
	}
	for i, t := range ts {
		lw := t.lower()
		if !t.punct && !t.capitalised() && !determiners[lw] && !isRoleWord(lw) && !isDocumentWord(t.s) && !npConnectors[lw] && !(isCyrillic(lw) && prepositions[lw]) && !strings.ContainsAny(lw, "-0123456789") && !isPronoun(lw) {
			// Cyrillic roles chain genitive nouns ("заступниця міністра розвитку громад").
			limit := 2
			if isCyrillic(t.s) {
				limit = 4
			}
			if other++; other > limit {
				return "", false
			}
		}
		if t.punct && t.s != "," && t.s != "-" && t.s != "'" && t.s != "’" && t.s != "«" && t.s != "»" {
			return "", false // (an organisation's «name» may sit in a role)
		}
		if !t.punct && npStop[lw] && !(i == 0 && determiners[lw]) && !(i > 0 && t.capitalised()) {
			return "", false
		}
		if t.capitalised() && !isNotName(t.s) {
			hasCap = true
		}
		if isRoleWord(lw) || isDocumentWord(t.s) || orgHead(t.s) || (i > 0 && determiners[ts[0].lower()]) {
			hasNoun = true // "пресс-служба футбольного клуба": an institution speaks
		}
	}
	if !hasCap && !hasNoun {
		return "", false
	}
	return joinToks(ts), true
}

// clauseBefore returns the subject of a verb at ts[end]: the tokens back to a clause
// boundary. When that phrase is an appositive or an aside ("Chris Weston, chief market
// strategist in Melbourne at IG Ltd., said"; "Hillary Clinton, at a later press
// gaggle, said"; "Dana Whitfield, a fellow at the centre who advised two governments,
// said") the named phrase before it is the subject, with the first appositive kept as
// its role; up to three comma-separated parts are walked back.
func clauseBefore(ts []tok, end int) []tok {
	e := end
	for e > 1 && auxiliaries[ts[e-1].lower()] {
		e-- // "Smith, the mayor, later said"
	}
	if e > 0 && ts[e-1].s == "," {
		e-- // the comma closing an appositive
	}
	parts := commaParts(ts, e)
	if len(parts) == 0 {
		return nil
	}
	clause := ts[parts[0][0]:parts[0][1]]
	if len(clause) > 1 && subordinators[clause[0].lower()] {
		if clause[0].lower() == "as" {
			// "As the report states:", "as the committee has pointed out, it would be
			// used “…”": the clause's only business is to say whose words follow.
			if _, ok := npOK(clause[1:]); ok {
				return clause[1:]
			}
		}
		return nil // "When Clinton noted …": not the verb that carries the quote
	}
	clause = stripLeadingAdverbs(clause)
	if len(clause) == 1 && isPronoun(clause[0].s) {
		return clause // "Already, she said, …"
	}
	if opensAside(clause) {
		// "When Clinton noted …", "In a Facebook message posted …": a subordinate
		// clause or an adverbial, whose verb is not the one that carries the quote;
		// but "In a Bloomberg interview Trump declared" ends with its subject.
		if subordinators[clause[0].lower()] {
			return nil
		}
		k := len(clause)
		for k > 0 && (clause[k-1].capitalised() || isInitials(clause[k-1].s)) && !isNotName(clause[k-1].s) && !prepositions[clause[k-1].lower()] {
			k--
		}
		if k == len(clause) || k == 0 || determiners[clause[k-1].lower()] || npConnectors[clause[k-1].lower()] ||
			interviewWords[clause[k-1].lower()] || recipientWords[clause[k-1].lower()] {
			return nil // "In a Facebook message", "at the White House", "в інтерв'ю РБК-Україна" (the outlet told)
		}
		return clause[k:]
	}
	if len(parts) > 1 && len(clause) > 1 && clause[0].capitalised() && roleHead(clause[0].lower()) {
		// "Glen Wood, Vice President of Deutsche Securities Japan, asks": a role
		// written with capitals after a name is its appositive, not a name.
		name := ts[parts[1][0]:parts[1][1]]
		if len(name) >= 2 && len(name) <= 4 && nameHeaded(name) && !slices.ContainsFunc(name, func(t tok) bool { return !t.capitalised() }) {
			if out := withRole(name, clause); out != nil {
				return out
			}
		}
	}
	if len(parts) > 1 && ownedRole(clause) {
		// "Andrew Pendleton, Christian Aid's head of Trade Policy, said": an owner's
		// role apposed to the name before it, not a name.
		name := ts[parts[1][0]:parts[1][1]]
		if len(name) >= 2 && len(name) <= 4 && nameHeaded(name) && !slices.ContainsFunc(name, func(t tok) bool { return !t.capitalised() }) {
			if out := withRole(name, clause); out != nil {
				return out
			}
		}
	}
	if _, ok := npOK(clause); ok && nameHeaded(clause) {
		// "the mayor of the city, Taras Bondar, told": the role before the name.
		if len(parts) > 1 {
			if role := ts[parts[1][0]:parts[1][1]]; isRolePhrase(role) {
				if out := withRole(clause, role); out != nil {
					return out
				}
			}
		}
		return clause
	}
	// Three parts cover a name, a role and an aside; the bound is by design, not fitted.
	for p := 1; p < len(parts) && p <= 3; p++ {
		cand := stripLeadingAdverbs(ts[parts[p][0]:parts[p][1]])
		if len(cand) == 0 || len(cand) > 8 || !nameHeaded(cand) || opensAside(cand) {
			continue
		}
		if _, ok := npOK(cand); !ok {
			continue
		}
		// The part right after the name describes it: keep it as the role, cut where
		// a relative clause starts ("…, a fellow at the centre who advised …").
		if out := withRole(cand, cutAtStop(ts[parts[p-1][0]:parts[p-1][1]])); out != nil && isRolePhrase(out[len(cand)+1:]) {
			return out
		}
		return cand
	}
	return clause
}

// withRole joins a name and a role phrase as "Name, role" when that reads as a
// speaker phrase, or returns nil.
func withRole(name, role []tok) []tok {
	if len(role) == 0 {
		return nil
	}
	out := append(append(append(make([]tok, 0, len(name)+len(role)+1), name...), tok{s: ",", punct: true}), role...)
	if _, ok := npOK(out); !ok {
		return nil
	}
	return out
}

// nameHeaded: a phrase that opens with a name or a pronoun ("Chris Weston", "Rep.
// Jim Jordan", "she"), not with a determiner or a lower-case role ("a writer for The
// Atlantic").
func nameHeaded(ts []tok) bool {
	if len(ts) == 0 {
		return false
	}
	if isPronoun(ts[0].s) {
		return len(ts) == 1
	}
	if titleWords[ts[0].lower()] && len(ts) > 1 {
		ts = ts[1:] // "Mr Valentine": "mr" is a stop word, and a title opens a name
	}
	return ts[0].capitalised() && !isNotName(ts[0].s) && !isFunctionWord(ts[0].lower()) && hasName(ts) && !orgRolePhrase(ts)
}

// orgRolePhrase reports whether ts is an organisation's role with no name after it:
// "PTC president and conservative activist", "MTV spokeswoman". The capitalised words
// say whose role it is; who holds it is named elsewhere.
func orgRolePhrase(ts []tok) bool {
	k := 0
	for k < len(ts) && ts[k].capitalised() {
		k++
	}
	if k == 0 || k == len(ts) || ts[k].punct || !roleHead(ts[k].lower()) {
		return false
	}
	return !slices.ContainsFunc(ts[k+1:], func(t tok) bool { return t.capitalised() })
}

// isRolePhrase: an appositive describing a person ("the defence minister", "chief
// market strategist at IG", "a senior fellow at the centre").
func isRolePhrase(ts []tok) bool {
	if len(ts) == 0 || nameHeaded(ts) || opensAside(ts) {
		return false
	}
	_, ok := npOK(ts)
	return ok
}

// commaParts splits ts[:e] back to a clause boundary into comma-separated parts,
// right to left (parentheses kept whole). An abbreviation's period ("Ltd.") is part of
// its word, so it is no boundary.
func commaParts(ts []tok, e int) [][2]int {
	var parts [][2]int
	b, depth := e, 0
	for k := e - 1; ; k-- {
		// 48 tokens bound the clause (a long appositive is about 25); set by hand.
		if k < 0 || (depth == 0 && hardBoundary(ts[k])) || e-k > 48 {
			if b > k+1 {
				parts = append(parts, [2]int{k + 1, b})
			}
			return parts
		}
		switch ts[k].s {
		case ")":
			depth++
		case "(":
			depth = max(0, depth-1)
		case ",":
			if depth == 0 {
				if b > k+1 && !(b == k+2 && isPartyTag(ts[k+1].s)) {
					parts = append(parts, [2]int{k + 1, b}) // ", R-Ky.," is an aside
				}
				b = k
			}
		}
	}
}

func hardBoundary(t tok) bool {
	return t.punct && (t.s == ";" || t.s == "—" || t.s == "–" || t.s == "―" || t.s == ":" || t.s == "." || t.s == "!" || t.s == "?" || t.s == "\"" || t.s == "“" || t.s == "”" || t.s == "«" || t.s == "»")
}

// hasName reports whether ts hold a capitalised word that can be part of a name.
func hasName(ts []tok) bool {
	for _, t := range ts {
		if t.capitalised() && !isNotName(t.s) && !isFunctionWord(t.lower()) {
			return true
		}
	}
	return false
}

// opensAside reports whether a comma-separated part is an adverbial or participle
// phrase ("In Kyiv", "Speaking on Monday", "Asked about the plan"), not a noun phrase.
func opensAside(ts []tok) bool {
	if len(ts) == 0 {
		return false
	}
	w := ts[0].lower()
	if clauseConjunctions[w] && len(ts) > 1 && (ts[1].capitalised() && !isNotName(ts[1].s) || determiners[ts[1].lower()]) {
		// "And Keegan is positive …, saying:", "but the club was sure, adding": a
		// conjunction opens a clause with a subject, not an aside ("And then,"
		// still is one).
		return false
	}
	if prepositions[w] || isNotName(w) {
		return true
	}
	// "Asked about the plan", "Following a late meeting", not "Retired Lt. Gen. Flynn".
	participle := len(w) > 4 && (strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ed")) && !femaleNames[w] && !maleNames[w]
	return participle && len(ts) > 1 && (!ts[1].capitalised() || isNotName(ts[1].s))
}

// subordinators open a clause whose verb does not carry the quote ("When Clinton
// noted …, Trump boasted, “…”").
var subordinators = set(`when while as after before because if although though since until unless whereas once
	як как коли когда якщо если хоча хотя поки пока`)

// clauseConjunctions join a clause with its own subject to what came before.
var clauseConjunctions = set(`and but yet so`)

// stripLeadingAdverbs drops "Later", "Also", "Tuesday" and similar openers.
func stripLeadingAdverbs(ts []tok) []tok {
	for len(ts) > 1 && (auxiliaries[ts[0].lower()] || (isNotName(ts[0].s) && !isPronoun(ts[0].s))) && !firstTitle(ts, 0) {
		ts = ts[1:]
	}
	return ts
}

// cutAtStop ends a phrase before a word that cannot be inside a speaker phrase ("who",
// "which", a verb) and drops trailing connectors.
func cutAtStop(ts []tok) []tok {
	for k, t := range ts {
		if npStop[t.lower()] && !(k > 0 && t.capitalised()) { // "senior US economist": no "us"
			ts = ts[:k]
			break
		}
	}
	for len(ts) > 0 && (npConnectors[ts[len(ts)-1].lower()] || ts[len(ts)-1].punct) {
		ts = ts[:len(ts)-1]
	}
	return ts
}

func anyCap(ts []tok) bool {
	for _, t := range ts {
		if t.capitalised() {
			return true
		}
	}
	return false
}

// sentenceEnd reports whether t ends a sentence (a bare terminator token).
func sentenceEnd(t tok) bool { return t.punct && (t.s == "." || t.s == "!" || t.s == "?") }

// npAfter reads a speaker phrase starting at ts[i]: up to a comma, sentence end or a
// word that cannot belong to it; an appositive after a comma becomes part of it.
func npAfter(ts []tok, i int) ([]tok, int) {
	j := i
	for j < len(ts) {
		t := ts[j]
		if sentenceEnd(t) || (t.punct && (t.s == "," || t.s == ";" || t.s == ":" || t.s == "“" || t.s == "\"" || t.s == "—")) {
			break
		}
		lw := t.lower()
		if j > i && !t.punct && !t.capitalised() && !isRoleWord(lw) && !npConnectors[lw] && !determiners[lw] && !strings.ContainsAny(lw, "-0123456789") {
			// Role phrases carry plain nouns before the name ("9/11 widow Terry
			// Strada", "пресс-секретарь президента Дмитрий Песков"): a few of them,
			// then a capitalised word.
			if prepositions[lw] && isCyrillic(lw) && nameAhead(ts[j+1:], 8) {
				// "міністр Франції з європейських справ Бенджамін Хаддад": a role's
				// prepositional phrase, then the name.
				j++
				continue
			}
			if orgHead(ts[i].s) && isCyrillic(lw) && !npStop[lw] && !isCue(t) && j-i <= 6 &&
				(!prepositions[lw] || lw == "по" && capAheadWithin(ts[j+1:], 2)) {
				// "пресс-служба футбольного клуба": an institution and its genitives;
				// "УФСБ по Курской области": and the region it serves.
				j++
				continue
			}
			if npStop[lw] || prepositions[lw] || isCue(t) || !capAheadWithin(ts[j:], 3) && !(ts[i].lower() == "the" && plainNounsToEnd(ts[j:])) {
				break
			}
		}
		if j > i && (lw == "on" || lw == "in" || lw == "at" || lw == "to") && j+1 < len(ts) && !ts[j+1].capitalised() && !determiners[ts[j+1].lower()] {
			break
		}
		if j > i && (lw == "on" || lw == "in") && j+1 < len(ts) && isWeekdayOrMonth(ts[j+1].lower()) {
			break
		}
		j++
	}
	np := ts[i:j]
	// Appositive: ", a lawyer for X," / ", head of the caucus".
	if j < len(ts) && ts[j].s == "," && j+1 < len(ts) {
		k := j + 1
		for k < len(ts) && !sentenceEnd(ts[k]) && ts[k].s != "," && ts[k].s != ";" && ts[k].s != "“" && ts[k].s != "\"" {
			k++
		}
		app := ts[j+1 : k]
		for a, t := range app {
			// A capitalised word inside the phrase is a name, not a pronoun: "chief US
			// economist" ("US", not "us").
			if npStop[t.lower()] && !(a > 0 && t.capitalised()) {
				app, k = app[:a], j+1+a
				break
			}
		}
		if len(app) > 0 && len(app) <= 12 && (determiners[app[0].lower()] || isRoleWord(app[0].lower()) || roleWords[strings.Trim(app[len(app)-1].lower(), ".")] || possessiveRole(app)) {
			if _, ok := npOK(ts[i:k]); ok {
				np = ts[i:k]
				j = k
			}
		}
	}
	return np, j
}

// responsiveCues answer what someone else said.
var responsiveCues = set(`agreed agrees disagreed disagrees concurred concurs`)

// quotingCues and wordsNouns make "приводятся слова X" ("X's words are given"), in
// Ukrainian and Russian.
var (
	quotingCues = set(`приводятся приводит приводят наводяться наводить наводять цитирует цитує`)
	wordsNouns  = set(`слова цитата цитату цитати цитаты`)
)

// dropOutlet cuts the outlet that closes a quoting phrase ("президента ТАСС",
// "Гэтжи канал ESPN", "эксперта агентство РИА Новости"): from an outlet noun, or a
// final word in capitals, to the end, when a speaker is left before it.
func dropOutlet(np []tok) []tok {
	for k := 1; k < len(np); k++ {
		if outletNouns[np[k].lower()] || outletNames[np[k].s] {
			return np[:k] // "Гэтжи канал ESPN", "президента ТАСС", "представителя МВД РИА Новости"
		}
	}
	return np
}

// quotedAfterQuoter reads "пресс-служба СФУ Еркаева" after "цитирует": an
// institution or outlet that quotes, then the name it quotes, which is the speaker.
func quotedAfterQuoter(np []tok) []tok {
	if len(np) < 2 || !orgHead(np[0].s) && !outletNouns[np[0].lower()] {
		return np
	}
	k := len(np)
	for k > 1 && len(np)-k < 3 && nameWord(np[k-1]) && isCyrillic(np[k-1].s) && strings.ToUpper(np[k-1].s) != np[k-1].s {
		k--
	}
	if k == len(np) || k == 1 && nameWord(np[0]) {
		return np
	}
	return np[k:]
}

// quotingObjects are what a quoting verb gives before whose it is: "приводит слова
// Пескова", "приводит пример Самодин", "приводит данные Росстат".
var quotingObjects = set(`слова цитата цитату цитати цитаты пример примеры приклад данные дані цифры цифри`)

// outletNames are news agencies and channels written in capitals, which pass words on
// after the speaker ("— приводит слова президента ТАСС"); a body a person heads
// ("генсека НАТО") is none.
var outletNames = set(`ТАСС РИА РБК УНИАН УНН ИТАР ESPN BBC CNN AFP AP DPA NBC ABC CBS`)

// outletNouns name a medium that passes words on.
var outletNouns = set(`канал телеканал агентство агентства издание газета радио портал сайт журнал
	видання агенція`)

// locativePreps open "в/у + organisation" after a plural speech verb.
var locativePreps = set(`в у во`)

// orgPlace reports whether t can open the organisation of "— сообщили в …": a
// capitalised name ("Минобороны", "Кремле"), or an institution's common noun in any
// case ("министерстве", "пресс-службе", "відомстві"), not a time ("в пятницу") or a
// medium ("в интервью").
func orgPlace(t tok) bool {
	if t.punct || interviewWords[t.lower()] || isWeekdayOrMonth(t.lower()) || monthNumber(t.lower()) > 0 {
		return false
	}
	return t.capitalised() || orgHead(t.s)
}

// orgHead reports whether a lower-case Ukrainian or Russian word is an institution's
// common noun: a phrase it heads names an organisation, not a person with a role.
func orgHead(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !isCyrillic(w) || unicode.IsUpper(r) {
		return false
	}
	lw := strings.ToLower(w)
	for _, stem := range institutionStems {
		if strings.HasPrefix(lw, stem) {
			return true
		}
	}
	return false
}

// institutionStems begin the Ukrainian and Russian common nouns of institutions.
var institutionStems = strings.Fields(`министерств міністерств пресс-служб прес-служб ведомств відомств
	компани компані управлени управлінн полици поліці штаб мэри мері администраци адміністраці
	правительств уряд посольств департамент агентств служб прокуратур суд полици поліці партия партія
	партии партії центр`)

// possessiveRole reports whether a phrase opens with an owner and a role: "India's
// finance minister", "GM's vice president for North American sales".
func possessiveRole(ts []tok) bool {
	if len(ts) < 2 || !(strings.HasSuffix(ts[0].s, "'s") || strings.HasSuffix(ts[0].s, "’s")) {
		return false
	}
	for _, t := range ts[1:min(len(ts), 4)] {
		if roleHead(t.lower()) {
			return true
		}
	}
	return false
}

// plainNounsToEnd reports whether ts holds at most four plain lower-case words and then
// the sentence or the clause ends: "(said the) giant winger." describes a person; "(said
// the) talks were difficult" goes on to a verb of its own.
func plainNounsToEnd(ts []tok) bool {
	for k, t := range ts {
		if t.punct {
			return k > 0 && (sentenceEnd(t) || t.s == "," || t.s == ";")
		}
		lw := t.lower()
		if k >= 4 || t.capitalised() || npStop[lw] || prepositions[lw] || isCue(t) || finiteAux[lw] || auxiliaries[lw] || !hasLetter(lw) {
			return false
		}
	}
	return len(ts) > 0
}

// ownedRole is possessiveRole for an owner of up to three capitalised words:
// "Christian Aid's head of Trade Policy".
func ownedRole(ts []tok) bool {
	for k := 0; k < min(len(ts), 3); k++ {
		if !ts[k].capitalised() {
			return false
		}
		if possessiveTok(ts[k]) {
			return possessiveRole(ts[k:])
		}
	}
	return false
}

// roleHead reports whether a lower-case word is a role word, or a compound ending in
// one ("co-producer").
func roleHead(w string) bool { return roleWords[w] || roleWords[w[strings.LastIndexByte(w, '-')+1:]] }

func isWeekdayOrMonth(w string) bool { return weekdaysMonths[w] }

var weekdaysMonths = set(`monday tuesday wednesday thursday friday saturday sunday january february march
	april may june july august september october november december`)

// startsWithPreposition: the phrase at ts[i] is an adverbial ("said in an interview
// with NBC"), not an inverted subject.
func startsWithPreposition(ts []tok, i int) bool {
	return i < len(ts) && (prepositions[ts[i].lower()] || ts[i].lower() == "to")
}

// attributeRight looks right of a closing quote mark, within the sentence.
//
// After a quotation that ends its own sentence (“… address.”) the words that follow
// are a new sentence: it attributes the quote only when it is nothing but an
// attribution (“….” Smith said.), not when it goes on to a clause or a quotation of its
// own (“….” Russia insisted that Pyongyang “stop …”).
//
// It is long because the attribution patterns right of a quote are tried in order of
// precedence, and splitting them would hide that order.
func attributeRight(rest string, closed bool) (mention, cue string, ok bool) {
	ts := straightNamesAsGuillemets(lexTokens(rest))
	// The sentence after the quote.
	end := len(ts)
	depth := 0
	for k, t := range ts {
		switch {
		case t.s == "(":
			depth++
		case t.s == ")":
			depth = max(0, depth-1)
		case depth == 0 && t.s == "«" && shortGuillemetName(ts, k):
			// "директор «Стейдж Энтертейнмент» Дмитрий Богачев": a name in guillemets
		case depth == 0 && (sentenceEnd(t) || t.s == "“" || t.s == "\"" || t.s == "«"):
			end = k
		}
		if end != len(ts) {
			break
		}
	}
	if closed && (end < len(ts) && !sentenceEnd(ts[end]) || hasToken(ts[:end], "that")) {
		return "", "", false
	}
	if closed && slices.ContainsFunc(ts[:end], func(t tok) bool { return responsiveCues[t.lower()] }) {
		// "“… the banks.” Mr Valentine agreed. “If I …”": one who agrees answers the
		// quote before and speaks the one after.
		return "", "", false
	}
	whole := ts
	ts = ts[:end]
	if closed && verbTakesObject(ts) {
		// "“… Nissan's growth.” Nissan also announced a number of appointments": a
		// verb with an object after its subject reports something new.
		return "", "", false
	}
	if closed && reportsItsOwnClause(ts) {
		// "“… NTPC will benefit from that.” Analysts say the success of the flotation
		// would encourage …": a sentence with a report of its own attributes nothing
		// before it.
		return "", "", false
	}
	if m, ok := quotedAsSaying(ts); ok {
		return m, "quoted", true // `…", the paper quoted Mr Chernin as saying.`
	}
	// "— Pamela Padilla": a dash and a name with nothing else.
	if len(ts) > 1 && ts[0].punct && dashes[ts[0].s] {
		np, stop := npAfter(ts, 1)
		if m, ok := npOK(np); ok && stop == len(ts) && anyCap(np) {
			return m, "—", true
		}
	}
	i := 0
	for i < len(ts) && ts[i].punct && (ts[i].s == "," || dashes[ts[i].s]) { // "―" too: "», ― заявляє він"
		i++
	}
	if i >= len(ts) {
		return "", "", false
	}
	i = skipTimeAdverbial(ts, i)
	lw := ts[i].lower()
	// "per the party's bylaws" / "as a Homeland Security memo put it"
	if lw == "per" {
		if m, ok := sourceAfter(ts, i+1); ok {
			return m, "per", true
		}
	}
	if lw == "as" {
		for j := i + 1; j+1 < len(ts) && j < i+10; j++ {
			if ts[j].lower() == "put" && ts[j+1].lower() == "it" {
				if m, ok := npOK(ts[i+1 : j]); ok {
					return m, "put it", true
				}
			}
		}
	}
	// "according to X"
	if i+1 < len(ts) && accordingTo(lw, ts[i+1].lower()) {
		if m, ok := sourceAfter(ts, i+accordingLen(ts[i+1].lower())); ok {
			return m, "according to", true
		}
	}
	// "— йдеться у звіті Рахункової палати", "— говорится в заявлении регулятора".
	if impersonalCues[lw] && i+2 < len(ts) && prepositions[ts[i+1].lower()] {
		if m, ok := longestNP(ts, i+2); ok {
			return m, lw, true
		}
	}
	// "— приводятся слова главного тренера Унаи Эмери", "— наводить слова X": the
	// words of the one named after them.
	if quotingCues[lw] && i+1 < len(ts) {
		// "— приводит слова Уайта Las Vegas Review-Journal", "— приводит слова
		// президента ТАСС", "— цитирует Гэтжи канал ESPN": the outlet that gives them
		// follows the speaker.
		from := i + 1
		if outletNouns[ts[from].lower()] && from+1 < len(ts) && quotingObjects[ts[from+1].lower()] {
			from++ // "— приводит издание слова Пескова"
		}
		if from+1 < len(ts) && ts[from].lower() == "к" && ts[from+1].lower() == "примеру" {
			from += 2 // "— приводят к примеру эксперты …"
		}
		object := quotingObjects[ts[from].lower()]
		if object {
			from++ // "слова", "пример", "данные": what is given, then whose
		}
		// Without an object, what follows must be someone: a name, a role, an
		// institution ("— цитирует пресс-служба СФУ Еркаева"), not "к выводу".
		if t := ts[min(from, len(ts)-1)]; from < len(ts) && (object || (t.capitalised() || isRoleWord(t.lower()) || orgHead(t.s)) && !prepositions[t.lower()]) {
			np, _ := npAfter(ts, from)
			np = quotedAfterQuoter(dropOutlet(trimAudienceTail(np)))
			if m, ok := npOK(np); ok {
				return m, lw, true
			}
		}
	}
	// "— сообщили в Минобороны", "— повідомили у ЗСУ": a plural speech verb and "в/у"
	// with an organisation, the impersonal "they said at X" (see locativeSource).
	if isCue(ts[i]) && isCyrillic(lw) && pluralVerb(lw) && i+2 < len(ts) && locativePreps[ts[i+1].lower()] && orgPlace(ts[i+2]) {
		if m, ok := longestNP(ts, i+2); ok {
			return m, lw, true
		}
	}
	// `," said the festival's executive director, Craig Prater.`: a role, then the
	// name it is apposed to.
	if isCue(ts[i]) && invertingCue(lw) {
		if m, ok := roleCommaName(ts, i+1); ok {
			return m, lw, true
		}
	}
	// Verb first: `," said Rep. G.K. Butterfield (D-N.C.), head of ...`; in Ukrainian
	// and Russian the audience may come between ("— сообщил РИА Новости директор …").
	if isCue(ts[i]) && invertingCue(lw) && !startsWithPreposition(ts, skipRecipients(ts, i+1)) {
		m, ok := npOK(subjectAfterVerb(ts, i+1))
		if (!ok || !hasUpper(m)) && isCyrillic(lw) {
			// "– пояснює головний науковий співробітник відділу … центру «…», д.е.н.
			// Інна Сало.": a role too long to read ends in the speaker's name.
			if name, found := closingName(whole, i+1); found {
				return name, lw, true
			}
		}
		if ok {
			if !strings.Contains(m, ",") {
				// `," said Mr. Reeves, a senior fellow at the … Center for Health and
				// Human Rights at Harvard University.`: a role too long for a phrase.
				if _, stop := npAfter(ts, skipRecipients(ts, i+1)); stop < len(ts) {
					// whole, not ts: the sentence's final mark must be there to be seen.
					if app, ok := trailingAppositive(whole, stop); ok {
						m += ", " + app
					}
				}
			}
			return m, lw, true
		}
	}
	// `,” but he said that …`, `,” and she added, “…`: a new clause joined to the
	// sentence, about what follows, not an attribution of this quote.
	if coordinators[lw] {
		return "", "", false
	}
	// Speaker first: `," Ms. Moore said` / `," she told reporters` / `," Chris Weston,
	// chief market strategist in Melbourne at IG Ltd., said`.
	// Up to 40 tokens to the verb leave room for a name with a long appositive; a bound
	// set by hand, not fitted.
	for j := i + 1; j < len(ts) && j <= i+40; j++ {
		if docCue(ts[i:], j-i) {
			if m, ok := npOK(documentSubject(clauseBefore(ts[i:], j-i))); ok {
				return m, ts[j].lower(), true // `,” the email read.`
			}
		}
		if isCue(ts[j]) {
			region := ts[i:j]
			if head := commaParts(region, len(region)); len(head) > 0 {
				first := region[head[len(head)-1][0]:head[len(head)-1][1]]
				if _, ok := npOK(first); !ok {
					break // `," is what the plan says, …`: not a subject
				}
			}
			if m, ok := npOK(trimAux(clauseBefore(ts[i:], j-i))); ok {
				return m, ts[j].lower(), true
			}
			break
		}
		if ts[j].punct && ts[j].s != "," && ts[j].s != "(" && ts[j].s != ")" && ts[j].s != "-" && ts[j].s != "'" && ts[j].s != "’" {
			break
		}
	}
	// The sentence ends with ", X said": `“…” to grow Africa’s potential, Schutte said.`
	last := 0
	for k := len(ts) - 1; k >= 0; k-- {
		if ts[k].s == "," {
			last = k + 1
			break
		}
	}
	if last > i {
		tail := ts[last:]
		for j, t := range tail {
			if isCue(t) {
				if j == 0 {
					if !invertingCue(t.lower()) || startsWithPreposition(tail, 1) || participleCues[t.lower()] {
						// ", saying it was a sign …": what follows a participle is what
						// was said; its speaker is the sentence's subject, not "it".
						break
					}
					np, _ := npAfter(tail, 1)
					if m, ok := npOK(np); ok {
						return m, t.lower(), true
					}
				} else if m, ok := npOK(trimAux(tail[:j])); ok {
					return m, t.lower(), true
				}
				break
			}
		}
	}
	return "", "", false
}

// shortGuillemetName reports whether the « at ts[k] opens a short capitalised name
// (at most five words) that closes and is followed by more of the sentence.
func shortGuillemetName(ts []tok, k int) bool {
	if k+1 >= len(ts) || !ts[k+1].capitalised() {
		return false
	}
	for j := k + 1; j < len(ts) && j <= k+6; j++ {
		if ts[j].s == "»" {
			return j+1 < len(ts) && !sentenceEnd(ts[j+1])
		}
		if ts[j].punct {
			return false
		}
	}
	return false
}

// straightNamesAsGuillemets rewrites a short Cyrillic name in straight quotes
// ("тренера "Арсенала" Унаи Эмери") as one in guillemets, which Russian and Ukrainian
// writing uses alike for the names of clubs, firms and parties: it is part of a
// speaker phrase, not a quotation. The tokens are changed in place.
func straightNamesAsGuillemets(ts []tok) []tok { return straightNames(ts, false) }

// straightNames is straightNamesAsGuillemets; atEnd also takes a name that ends the
// sentence ("з посиланням на "Укренерго"."), for a sentence known to hold no quotation.
func straightNames(ts []tok, atEnd bool) []tok {
	for k := 0; k+2 < len(ts); k++ {
		if ts[k].s != "\"" || !ts[k+1].capitalised() || !isCyrillic(ts[k+1].s) || k == 0 || ts[k-1].punct {
			continue
		}
		for j := k + 2; j < len(ts) && j <= k+4; j++ {
			if ts[j].s == "\"" {
				if j+1 < len(ts) && !ts[j+1].punct || atEnd {
					ts[k].s, ts[j].s = "«", "»"
					k = j
				}
				break
			}
			if ts[j].punct {
				break
			}
		}
	}
	return ts
}

// verbTakesObject reports whether the sentence puts its subject before a speech verb
// that a determiner or a number follows: a new report with an object, not an
// attribution ("Nissan also announced a number of …"; not "said the company").
func verbTakesObject(ts []tok) bool {
	k := slices.IndexFunc(ts, isCue)
	if k <= 0 || k+1 >= len(ts) || !slices.ContainsFunc(ts[:k], func(t tok) bool { return !t.punct }) {
		return false
	}
	next := ts[k+1].lower()
	return !isCyrillic(next) && (determiners[next] || strings.Trim(next, "0123456789.,") == "")
}

// relativeSubject finds who speaks in a relative clause before the cue at ts[k]: the
// name before ", who said" ("music critic Paul Connolly, who said they were …"; an
// auxiliary or adverb may stand between: ", who had told him"), or the
// name between an object's "which" and the verb ("…, which Mr Harding described as …").
func relativeSubject(ts []tok, k int) (string, bool) {
	w := k - 1
	for w > k-3 && w > 0 && (finiteAux[ts[w].lower()] || relativeAdverbs[ts[w].lower()]) {
		w-- // "Pullman, who had told him that …", "Smith, who also said"
	}
	if w >= 2 && ts[w].lower() == "who" && ts[w-1].s == "," {
		j := w - 1
		start := j
		for start > 0 && j-start < 4 && ts[start-1].capitalised() && !ts[start-1].punct {
			start--
		}
		if start < j && nameWord(ts[j-1]) {
			return npOK(ts[start:j])
		}
		return "", false
	}
	if w >= 2 && ts[w].lower() == "which" && ts[w-1].s == "," {
		return whichAntecedent(ts, w)
	}
	for r := k - 2; r >= 0 && r >= k-5; r-- {
		lw := ts[r].lower()
		if lw != "which" && lw != "whom" {
			if ts[r].punct || !ts[r].capitalised() && !titleWords[lw] {
				return "", false
			}
			continue
		}
		if name := ts[r+1 : k]; hasName(name) {
			return npOK(name)
		}
		return "", false
	}
	return "", false
}

// whichAntecedent reads what a ", which" at ts[w] stands for: the body or document
// right before the comma ("AC Milan's website, which said in a statement:"), never
// whoever spoke last, as a "he" might be.
func whichAntecedent(ts []tok, w int) (string, bool) {
	j := w - 1
	start := j
	for start > 0 && j-start < 6 {
		t := ts[start-1]
		if t.punct || !(t.capitalised() || isDocumentWord(t.s) || orgAnaphors[t.lower()] || possessiveTok(t) || determiners[t.lower()]) {
			break
		}
		start--
	}
	// "Which" is no person: only a document ("broken by AC Milan's website, which
	// said") or a body ("the European Commission, which said"), and a body only when
	// no preposition puts it after a document it may be the recipient of ("a
	// statement to Reuters, which said": the statement, or Reuters?).
	np := ts[start:j]
	if len(np) == 0 {
		return "", false
	}
	if slices.ContainsFunc(np, func(t tok) bool { return isDocumentWord(t.s) }) ||
		isOrgName(joinToks(np)) && !(start > 0 && englishPrepositions[ts[start-1].lower()]) {
		return npOK(np)
	}
	return "", false
}

// pluralVerb reports whether a Ukrainian or Russian verb is a plural, past ("заявили")
// or present ("утверждают", "вважають"): the impersonal "they say at X".
func pluralVerb(w string) bool {
	for _, end := range []string{"ли", "ют", "ят", "ут", "ат", "ють", "ять", "уть", "ать"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

// skipTimeAdverbial steps over a short Ukrainian or Russian time phrase that stands
// between a quote and its speech verb ("— в пятницу заявил …", "…», в конце июля
// говорил …"): up to four words of prepositions, numbers, days, months and time
// adverbs, then a speech verb. It returns i when there is none.
func skipTimeAdverbial(ts []tok, i int) int {
	if i >= len(ts) || !isCyrillic(ts[i].s) || isCue(ts[i]) {
		return i
	}
	for j := i; j < len(ts) && j < i+5; j++ {
		t := ts[j]
		lw := t.lower()
		if isCue(t) && j > i {
			return j
		}
		if t.punct || t.capitalised() || !(prepositions[lw] || cyrillicWeekdays[lw] || monthNumber(lw) > 0 ||
			timeWords[lw] || strings.Trim(lw, "0123456789") == "") {
			return i
		}
	}
	return i
}

// timeWords are Ukrainian and Russian words of a time phrase before a speech verb.
var timeWords = set(`накануне ранее вчера сегодня позже позднее днем днём вечером утром ночью затем потом
	теперь также тоже конце начале середине неделе году месяце напередодні раніше вчора сьогодні
	пізніше вдень ввечері вранці вночі згодом тепер також теж кінці початку середині тижні році місяці`)

// roleCommaName reads "the festival's executive director, Craig Prater" at ts[i]: a
// role phrase that opens in lower case or with an owner ("IMF's", "BA") and holds a
// role noun, a comma, and a name that ends the sentence or clause ("the Labour party's leader, …"
// may hold names after its first word). It returns "Name, role".
func roleCommaName(ts []tok, i int) (string, bool) {
	k, head := i, false
	for k < len(ts) && k-i < 10 && ts[k].s != "," {
		t := ts[k]
		owner := strings.HasSuffix(t.s, "'s") || strings.HasSuffix(t.s, "’s") || strings.ToUpper(t.s) == t.s // "IMF's", "BA"
		if t.punct || k == i && t.capitalised() && !owner || isCue(t) || prepositions[t.lower()] && k == i {
			return "", false
		}
		head = head || roleHead(t.lower()) && !t.capitalised()
		k++
	}
	// The role noun may take a complement: "BA director of commercial planning".
	if k == i || k >= len(ts) || !head {
		return "", false
	}
	n := k + 1
	for n < len(ts) && n < k+3 && ts[n].capitalised() && (titleWords[ts[n].lower()] || isRoleWord(ts[n].lower())) {
		n++ // "…, MP Edward Leigh": a title before the name
	}
	first := n
	for n < len(ts) && nameWord(ts[n]) {
		n++
	}
	if words := n - first; words < 2 || words > 4 || n < len(ts) && !ts[n].punct {
		return "", false
	}
	return joinToks(ts[first:n]) + ", " + joinToks(ts[i:k]), true
}

// subjectAfterVerb is the speaker phrase after a verb that ends at ts[i-1], past an
// audience in between ("— сообщил РИА Новости директор …").
func subjectAfterVerb(ts []tok, i int) []tok {
	np, _ := npAfter(ts, skipRecipients(ts, i))
	return trimAudienceTail(np)
}

// accordingTo reports whether the words w, next open an "according to X" phrase:
// "according to", "за словами", "по словам", "по мнению", "на думку", "за даними",
// "по данным", "з посиланням на", "со ссылкой на".
func accordingTo(w, next string) bool {
	switch {
	case w == "according":
		return next == "to"
	case w == "за":
		return strings.HasPrefix(next, "слов") || next == "даними"
	case w == "по":
		return strings.HasPrefix(next, "слов") || next == "мнению" || next == "данным"
	case w == "на":
		return next == "думку" || next == "переконання"
	case w == "з" || w == "із":
		return next == "посиланням"
	case w == "со" || w == "с":
		return next == "ссылкой"
	}
	return false
}

// pronounAccording reads "по его словам", "за її словами", "на їхню думку" at ts[k]:
// an according-to phrase whose source is a possessive pronoun. It returns the personal
// pronoun ("он", "вона"), for the resolver.
func pronounAccording(ts []tok, k int) (string, bool) {
	if k+2 >= len(ts) || !accordingTo(ts[k].lower(), ts[k+2].lower()) {
		return "", false
	}
	p, ok := possessivePronouns[ts[k+1].lower()]
	return p, ok
}

// possessivePronouns map Ukrainian and Russian possessives to personal pronouns.
var possessivePronouns = map[string]string{"его": "он", "её": "она", "ее": "она", "их": "они",
	"його": "він", "її": "вона", "їх": "вони", "їхню": "вони"}

// accordingLen is how many words an according-to phrase takes before its source:
// three for "з посиланням на", "со ссылкой на", two for the rest.
func accordingLen(next string) int {
	if next == "посиланням" || next == "ссылкой" {
		return 3
	}
	return 2
}

// quotedAsSaying finds "… quoted Mr Chernin as saying" in ts: the person quoted is
// the speaker, not the outlet that quotes them.
func quotedAsSaying(ts []tok) (string, bool) {
	for k, t := range ts {
		if lw := t.lower(); lw != "quoted" && lw != "quotes" && lw != "cited" {
			continue
		}
		for j := k + 2; j+1 < len(ts) && j <= k+8; j++ {
			if ts[j].lower() == "as" && participleCues[ts[j+1].lower()] {
				return npOK(ts[k+1 : j])
			}
		}
		// `," the newspaper quotes a source close to the Chinese firm.`: whom it
		// quotes ends the sentence.
		if k+1 < len(ts) && (prepositions[ts[k+1].lower()] || ts[k+1].lower() == "as") {
			continue // "a spokesman … quoted in China Daily": the outlet, not whom
		}
		if t.lower() == "cited" || !outletSubject(ts[:k]) {
			// "… the company said, and cited weaker demand in China.", "The minister
			// cited three reasons:": a reason or a source of figures, not whom.
			continue
		}
		for j := k + 2; j <= len(ts) && j <= k+10; j++ {
			if j == len(ts) || ts[j].s == "." || ts[j].s == ":" {
				if m, ok := npOK(ts[k+1 : j]); ok && personLike(m) {
					return m, true
				}
				break
			}
			if ts[j].punct && ts[j].s != "," && ts[j].s != "'" && ts[j].s != "’" && ts[j].s != "-" {
				break
			}
		}
	}
	return "", false
}

// outletSubject reports whether only the one who quotes ("the newspaper") stands before
// a quoting verb: no other verb, no relative clause.
func outletSubject(ts []tok) bool {
	i := 0
	for i < len(ts) && ts[i].punct && (ts[i].s == "," || dashes[ts[i].s]) {
		i++
	}
	if i == len(ts) || slices.ContainsFunc(ts[i:], func(t tok) bool { return cueWord(t) || npStop[t.lower()] }) {
		return false
	}
	_, ok := npOK(ts[i:])
	return ok
}

// personLike reports whether a phrase may name someone quoted: a role noun, a
// pronoun, or capitalised words that are no organisation's name.
func personLike(m string) bool {
	if lastRoleNoun(m) != "" || isPronoun(m) {
		return true
	}
	for _, w := range strings.Fields(m) {
		if !isCapitalisedWord(w) {
			return false
		}
	}
	return !isOrgName(m)
}

// nameAhead reports whether a person's name (two capitalised words, not an
// organisation) ends the phrase within n tokens: before punctuation or the end.
func nameAhead(ts []tok, n int) bool {
	for k := 0; k+1 < len(ts) && k < n; k++ {
		if ts[k].punct || isCue(ts[k]) {
			return false
		}
		if nameWord(ts[k]) && nameWord(ts[k+1]) && (k+2 == len(ts) || ts[k+2].punct) && !isOrgName(ts[k].s+" "+ts[k+1].s) {
			return true
		}
	}
	return false
}

// cyrillicAdverb reports whether t is a Ukrainian or Russian adverb of manner that
// may stand between a subject and its verb ("відкрито заявляв", "публично заявил").
func cyrillicAdverb(t tok) bool {
	w := t.lower()
	return !t.punct && !t.capitalised() && isCyrillic(w) && utf8.RuneCountInString(w) > 4 &&
		(strings.HasSuffix(w, "то") || strings.HasSuffix(w, "но") || strings.HasSuffix(w, "ко") || strings.HasSuffix(w, "во"))
}

func trimAux(ts []tok) []tok {
	for len(ts) > 0 && (auxiliaries[ts[len(ts)-1].lower()] || (len(ts) > 1 && ts[len(ts)-2].capitalised() && cyrillicAdverb(ts[len(ts)-1]))) {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// attributeLeft looks left of an opening quote mark, within the sentence: `X said: “`,
// `X told reporters “`, `X said that “`, `According to X, “`, `X: “`, `..., saying “`.
//
// It is long for the same reason as attributeRight: one ordered list of patterns.
func attributeLeft(sentence string) (mention, cue string, ok bool) {
	if m, c, ok := attributeLeftTokens(lexTokens(sentence)); ok {
		return m, c, true
	}
	if u := unquoteShort(sentence); u != sentence {
		// Only when the sentence as written credits no one: a scare quote's marks
		// are also a boundary that keeps a weaker reading off ("Trump attacked the
		// “fake news” media, while Biden told supporters:").
		return attributeLeftTokens(lexTokens(u))
	}
	return "", "", false
}

// attributeLeftTokens is attributeLeft on the sentence's tokens.
func attributeLeftTokens(ts []tok) (mention, cue string, ok bool) {
	if len(ts) == 0 {
		return "", "", false
	}
	if m, ok := quotedAsSaying(ts); ok {
		return m, "quoted", true // `The paper quoted Mr Chernin as saying: "…`
	}
	// "… as a Homeland Security memo put it" / "per the party's bylaws" come after.
	// According to X, "...
	for k := 0; k+1 < len(ts); k++ {
		lw := ts[k].lower()
		if m, ok := pronounAccording(ts, k); ok && !slices.ContainsFunc(ts[k+3:], isCue) {
			return m, "according to", true // "По его словам, «…»"
		}
		if accordingTo(lw, ts[k+1].lower()) {
			n := accordingLen(ts[k+1].lower())
			if hasVerbCue(ts, min(k+n, len(ts))) {
				// "According to the Financial Times, chief operating officer Peter
				// Chernin said …": the outlet reports; the verb's subject speaks.
				break
			}
			if m, ok := sourceAfter(ts, k+n); ok {
				return m, "according to", true
			}
		}
	}
	if m, ok := inTheWordsOf(ts); ok {
		return m, "words", true
	}
	// The speech verb nearest the quote whose clause subject is a speaker phrase.
	for k := len(ts) - 1; k >= 0; k-- {
		t := ts[k]
		if docCue(ts, k) {
			if m, ok := npOK(documentSubject(clauseBefore(ts, k))); ok {
				return m, t.lower(), true
			}
			continue
		}
		if !isCue(t) && !(participleCues[t.s]) && !(k == 0 && cueWord(t) && k+1 < len(ts) && ts[k+1].capitalised()) || cueAsNoun(ts, k) {
			continue
		}
		if participleCues[t.s] {
			if k > 0 && ts[k-1].capitalised() && !isWeekdayOrMonth(ts[k-1].lower()) {
				j := k
				for j > 0 && ts[j-1].capitalised() {
					j--
				}
				afterPrep := j > 0 && (prepositions[ts[j-1].lower()] || ts[j-1].lower() == "to") // "posted to Twitter asking"
				if m, ok := npOK(ts[j:k]); ok && !afterPrep {
					return m, t.lower(), true
				}
			}
			if slices.ContainsFunc(ts[:k], isCue) {
				continue // "X posted to Twitter asking …": the finite verb's subject, read next
			}
			if m, ok := sentenceSubject(ts[:k]); ok {
				return m, t.lower(), true
			}
			continue
		}
		if m, ok := locativeSource(ts, k); ok {
			return m, t.lower(), true // "В министерстве здравоохранения заявили"
		}
		if k > 0 && coordinators[ts[k-1].lower()] {
			// "… called it “a provocation” and added that …": the sentence's subject.
			if m, ok := sentenceSubject(ts[:1+indexHard(ts[:k])]); ok {
				return m, t.lower(), true
			}
		}
		if m, ok := relativeSubject(ts, k); ok {
			return m, t.lower(), true
		}
		if m, ok := coordinatedSubject(ts, k); ok {
			return m, t.lower(), true
		}
		subj := trimAux(clauseBefore(ts, k))
		if m, ok := npOK(subj); ok {
			return m, t.lower(), true
		}
		if m, ok := npOK(documentSubject(subj)); ok {
			return m, t.lower(), true // "A joint statement issued after the talks said"
		}
		// "Trump attacked …, while Biden told supporters:": the contrasting clause
		// (the verb's comma part) has its own subject, not the sentence's.
		if parts := commaParts(ts, k); len(parts) > 0 && parts[0][1] == k {
			if c := ts[parts[0][0]:k]; len(c) > 1 && contrastives[c[0].lower()] {
				if m, ok := npOK(trimAux(c[1:])); ok {
					return m, t.lower(), true
				}
				continue
			}
		}
		// "Michael Mulgrew, president of the union, which represents teachers, said":
		// the sentence opens with the speaker and an appositive.
		if m, ok := sentenceSubject(ts[:k]); ok && k > 0 && hasCommaBefore(ts[:k]) {
			return m, t.lower(), true
		}
		// Verb-first inside the sentence: `said Smith, "…`
		if k+1 < len(ts) && invertingCue(t.lower()) && !startsWithPreposition(ts, k+1) {
			// The inverted subject ends at a comma or the quote ("said Smith, “…"), not
			// at a verb ("said Donald Trump was “right”": Trump is the object's subject).
			np, stop := npAfter(ts, k+1)
			if m, ok := npOK(np); ok && anyCap(np) && (stop == len(ts) || ts[stop].punct) {
				return m, t.lower(), true
			}
		}
	}
	// "As Smith put it, “…", "but, as the committee has pointed out, it would be
	// used “…”": an "as" clause that only says whose words follow.
	for k := 0; k+2 < len(ts); k++ {
		if ts[k].lower() != "as" || k > 0 && !ts[k-1].punct {
			continue
		}
		for j := k + 2; j+1 < len(ts) && j < k+12; j++ {
			if ts[j].punct {
				break // "As the sun set, the officer pointed out …": the clause ended
			}
			w, next := ts[j].lower(), ts[j+1].lower()
			if (w == "put" || w == "puts") && next == "it" || (w == "pointed" || w == "points") && next == "out" {
				// What follows is the quote or "that": "put it on the table" is no saying.
				if after := j + 2; after < len(ts) && !ts[after].punct && ts[after].lower() != "that" {
					break
				}
				if m, ok := npOK(trimAux(ts[k+1 : j])); ok {
					return m, w + " " + next, true
				}
				break
			}
		}
	}
	// X: "..." — a bare speaker label, or a sentence whose subject introduces the
	// quote with a colon: "Role Name, during a visit to City, backed the plan: “…”".
	if ts[len(ts)-1].s == ":" {
		if label := ts[:len(ts)-1]; len(label) <= 6 && len(leadingNP(label)) == len(label) && hasName(label) {
			if m, ok := npOK(label); ok {
				return m, ":", true
			}
		}
		if m, ok := sentenceSubject(ts[:len(ts)-1]); ok {
			return m, ":", true
		}
	}
	if k := indexCue(ts, participleCues); k >= 0 {
		if m, ok := sentenceSubject(ts[:k]); ok {
			return m, ts[k].lower(), true
		}
	}
	// `- Bolton boss Sam Allardyce "I am bitterly disappointed …"`: a list item that is
	// only a speaker's name and role before the words, as a label without its colon.
	if label := ts[1:]; dashes[ts[0].s] && len(label) > 0 && len(label) <= 8 && hasName(label) &&
		!slices.ContainsFunc(label, func(t tok) bool { return finiteAux[t.s] || cueWord(t) }) {
		if m, ok := npOK(label); ok {
			return m, "—", true
		}
	}
	return "", "", false
}

// trimTimePhrase drops a time that ends a speaker phrase: "A White House statement on
// Sunday", "the ministry on Tuesday night", "officials last week"; the day is no
// speaker, nor part of one.
func trimTimePhrase(ts []tok) []tok {
	for k := len(ts) - 2; k >= 1 && k >= len(ts)-4; k-- {
		// A lower-case lead ("Last Week Tonight" is a name) and nothing but time
		// words after it; "the late August Wilson" is dead, not late in August.
		lw := ts[k].s
		if !timeLeads[lw] || lw == "late" && ts[k-1].lower() == "the" || !onlyTimeWords(ts[k+1:]) {
			continue
		}
		if isWeekdayOrMonth(ts[k+1].lower()) || lw == "last" && timeUnits[ts[k+1].lower()] {
			return ts[:k]
		}
	}
	return ts
}

// timeLeads open a time phrase after a speaker: "on Sunday", "last week", "late
// March".
var timeLeads = set(`on last this late early`)

// timeUnits are the nouns of a time phrase.
var timeUnits = set(`week month year night morning afternoon evening`)

// onlyTimeWords reports whether ts are all weekdays, months, time nouns or numbers.
func onlyTimeWords(ts []tok) bool {
	for _, t := range ts {
		w := t.lower()
		if !isWeekdayOrMonth(w) && !timeUnits[w] && strings.Trim(w, "0123456789") != "" {
			return false
		}
	}
	return len(ts) > 0
}

// contrastives open a clause with a subject of its own after a comma.
var contrastives = set(`while whereas`)

// shortQuoteRE matches a quotation of a few words inside a sentence, with the word
// before it and the word after: "her “proud” gaffe".
var shortQuoteRE = regexp.MustCompile(`(\pL+) ["“]([^"“”\n]{1,40})["”] (\pL+)`)

// unquoteShort drops the marks around a scare quote that modifies a noun of its
// sentence ("She addressed her “proud” gaffe directly, saying …": a determiner or
// possessive before it, a lower-case word after it that is no pronoun or speech verb),
// so that the marks are no boundary between a speaker and the verb that credits the
// quote after them. A short quote with its own attribution ("an “instant decision”
// she said") or between two clauses ("called the attacks “unprecedented” and …") keeps
// its marks.
func unquoteShort(sentence string) string {
	if !strings.ContainsAny(sentence, "\"“") {
		return sentence
	}
	return shortQuoteRE.ReplaceAllStringFunc(sentence, func(q string) string {
		m := shortQuoteRE.FindStringSubmatch(q)
		before, inner, after := m[1], m[2], m[3]
		if len(strings.Fields(inner)) > 3 || !scareQuoteOwners[strings.ToLower(before)] || slices.ContainsFunc(strings.Fields(inner), func(w string) bool { return cueVerbs[strings.ToLower(w)] }) ||
			isPronoun(after) || cueVerbs[after] || after != strings.ToLower(after) {
			return q
		}
		return before + " " + inner + " " + after
	})
}

// scareQuoteOwners stand before a scare quote that modifies a noun: "her “proud”
// gaffe", "the “Buffett rule” tax".
var scareQuoteOwners = set(`her his their its our my your the a an this that these those`)

// trailingAppositive reads the appositive after a speaker's name at ts[j], a comma:
// "a senior fellow at the François-Xavier Bagnoud Center for Health and Human Rights
// at Harvard University", "a fierce and uncompromising elder of the Ngātiwai tribe".
// It opens with an article (or "one of") and holds a role noun, and it ends at the
// sentence's end or a comma within maxAppositive tokens; one that runs into a quote,
// a relative clause, a speech verb or the end of the text read is no role.
func trailingAppositive(ts []tok, j int) (string, bool) {
	const maxAppositive = 24
	if j+2 >= len(ts) || ts[j].s != "," {
		return "", false
	}
	first := ts[j+1].lower()
	if first != "a" && first != "an" && first != "the" && !(first == "one" && ts[j+2].lower() == "of") {
		return "", false
	}
	k, role := j+1, false
	for ; k < len(ts) && k-j <= maxAppositive; k++ {
		t := ts[k]
		if t.punct && t.s != "-" && t.s != "'" && t.s != "’" || relativeWords[t.lower()] || t.lower() == "whom" || isCue(t) {
			break
		}
		role = role || roleHead(t.lower())
	}
	if !role || k-j > maxAppositive || k >= len(ts) || !(sentenceEnd(ts[k]) || ts[k].s == ",") {
		return "", false
	}
	return joinToks(ts[j+1 : k]), true
}

// hasVerbCue reports whether ts from i on holds a speech verb used as a verb.
func hasVerbCue(ts []tok, i int) bool {
	for k := i; k < len(ts); k++ {
		if isCue(ts[k]) && !cueAsNoun(ts, k) {
			return true
		}
	}
	return false
}

// cueAsNoun reports whether the speech verb at ts[k] is a noun there: "the explanatory
// notes of the British Bill", "his claims of fraud" (an article or possessive before
// it, "of" after).
func cueAsNoun(ts []tok, k int) bool {
	if k+1 >= len(ts) || ts[k+1].lower() != "of" || !pluralCueNouns[ts[k].lower()] {
		return false
	}
	for j := k - 1; j >= 0 && j >= k-2; j-- {
		if determiners[ts[j].lower()] {
			return true
		}
		if ts[j].punct || ts[j].capitalised() {
			return false
		}
	}
	return false
}

// pluralCueNouns are speech verbs that are also plural nouns: "the minister says of
// the plan" is a verb, "the notes of the bill" a noun.
var pluralCueNouns = set(`notes claims remarks comments reports replies answers tweets posts`)

// inTheWordsOf reads "In Dr. Shadlen's words, “…" and "in the words of one official,
// “…": whose words follow, said without a speech verb.
//
// The phrase must open its clause and lead straight to the quote: only punctuation
// after it ("Smith, responding in Jones's words last week, said" is Smith's; "In the
// end, Smith's words were" is no such phrase).
func inTheWordsOf(ts []tok) (string, bool) {
	onlyPunct := func(from int) bool {
		return !slices.ContainsFunc(ts[min(from, len(ts)):], func(t tok) bool { return !t.punct })
	}
	for k := 0; k+3 < len(ts); k++ {
		if ts[k].lower() != "in" || k > 0 && !ts[k-1].punct || slices.ContainsFunc(ts[:k], isCue) {
			continue // "Smith said that, in the words of the song, …": the verb carries it
		}
		if ts[k+1].lower() == "the" && ts[k+2].lower() == "words" && ts[k+3].lower() == "of" {
			if np, stop := npAfter(ts, k+4); len(np) > 0 && onlyPunct(stop) {
				return npOK(np)
			}
			continue
		}
		for w := k + 2; w < len(ts) && w <= k+6; w++ {
			if ts[w].lower() != "words" || !possessiveTok(ts[w-1]) {
				continue
			}
			np := slices.Clone(ts[k+1 : w])
			if slices.ContainsFunc(np, func(t tok) bool { return t.punct && t.s != "." }) || !onlyPunct(w+1) {
				break
			}
			last := &np[len(np)-1]
			last.s = strings.TrimSuffix(strings.TrimSuffix(last.s, "'s"), "’s")
			return npOK(np)
		}
	}
	return "", false
}

// reportsItsOwnClause reports whether a sentence's first speech verb comes after its
// subject and is followed by a finite clause (a modal or an auxiliary): "Analysts say
// the deal would …", not "Smith said on Tuesday" or "said Smith, who …".
func reportsItsOwnClause(ts []tok) bool {
	c := slices.IndexFunc(ts, isCue)
	if c <= 0 || ts[c-1].punct {
		return false
	}
	for _, t := range ts[c+1:] {
		if t.punct {
			return false // "Smith said, adding …": what follows a comma is not the complement
		}
		if finiteAux[t.lower()] {
			return true
		}
	}
	return false
}

// finiteAux are English auxiliaries and modals that make a clause finite.
var finiteAux = set(`would will could should can may might must is are was were has have had does did`)

func indexCue(ts []tok, set map[string]bool) int {
	for k, t := range ts {
		if set[t.lower()] {
			return k
		}
	}
	return -1
}

// transcriptSpeaker reads an "NAME: text" label at the start of a quotation, as in
// interview transcripts ("WALLACE: But, Governor ...").
func transcriptSpeaker(quote string) (string, bool) {
	i := strings.IndexByte(quote, ':')
	if i <= 1 || i > 40 {
		return "", false
	}
	label := strings.TrimSpace(quote[:i])
	for _, r := range label {
		if unicode.IsLetter(r) && !unicode.IsUpper(r) {
			return "", false
		}
	}
	if !hasLetter(label) {
		return "", false
	}
	return label, true
}

// isRoleWord reports whether w (lower case) names a position, plural included; a
// hyphenated compound does when its first part does ("премьер-министр", "vice-president").
func isRoleWord(w string) bool {
	w = strings.Trim(w, ".,")
	if plainRoleWord(w) {
		return true
	}
	for _, ex := range []string{"екс", "экс"} {
		// "ексголова", "экс-министр": a former holder. One prefix only: a word of
		// thousands of them must not cost a scan each.
		if rest, ok := strings.CutPrefix(w, ex); ok {
			if rest = strings.TrimPrefix(rest, "-"); utf8.RuneCountInString(rest) >= 4 && plainRoleWord(rest) {
				return true
			}
		}
	}
	return false
}

// plainRoleWord is isRoleWord without a former holder's prefix.
func plainRoleWord(w string) bool {
	if roleWords[w] || (strings.HasSuffix(w, "s") && roleWords[strings.TrimSuffix(w, "s")]) {
		return true
	}
	if head, _, ok := strings.Cut(w, "-"); ok && head != "" && roleWords[head] {
		return true
	}
	return isCyrillic(w) && !recipientWords[w] && cyrillicRoleForm(w)
}

// cyrillicRoleForm matches an inflected Ukrainian or Russian role noun ("речника",
// "міністра", "губернатору", "голови") against the role words: a stem of four or more
// letters (the word without its last vowel or soft sign) followed by an ending of at
// most three letters.
func cyrillicRoleForm(w string) bool {
	if len(w) > 64 {
		return false // the longest role word is 34 bytes; a three-letter ending adds 6
	}
	rs := []rune(w)
	for cut := 1; cut <= 3 && cut < len(rs)-3; cut++ {
		stem := string(rs[:len(rs)-cut])
		if roleWords[stem] && utf8.RuneCountInString(stem) >= 4 {
			return true
		}
		for _, end := range []string{"а", "я", "о", "ь", "й", "і", "и"} {
			if roleWords[stem+end] && utf8.RuneCountInString(stem) >= 4 {
				return true
			}
		}
	}
	return false
}

func hasCommaBefore(ts []tok) bool {
	for _, t := range ts {
		if t.s == "," {
			return true
		}
	}
	return false
}

func isCyrillic(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Cyrillic, r)
}

// anyCapAhead reports whether a capitalised word follows before the next punctuation.
func anyCapAhead(ts []tok) bool {
	for _, t := range ts {
		if t.punct {
			return false
		}
		if t.capitalised() {
			return true
		}
	}
	return false
}

func hasToken(ts []tok, lw string) bool {
	for _, t := range ts {
		if t.lower() == lw {
			return true
		}
	}
	return false
}

// indexHard returns the index of the last token before the first hard boundary (a
// quote mark, a dash, a sentence end), or len(ts)-1: the sentence's opening clause.
func indexHard(ts []tok) int {
	for k, t := range ts {
		if hardBoundary(t) {
			return k - 1
		}
	}
	return len(ts) - 1
}

// capAheadWithin reports whether a capitalised word comes within n words, before any
// punctuation.
func capAheadWithin(ts []tok, n int) bool {
	for k, t := range ts {
		if t.s == "«" && k+1 < len(ts) && ts[k+1].capitalised() {
			return k < n // an organisation's «name»
		}
		if t.punct || k > n {
			return false
		}
		if t.capitalised() {
			return true
		}
	}
	return false
}

// relativeAdverbs may stand between "who" and its speech verb.
var relativeAdverbs = set(`also later earlier previously once recently then first`)

// closingName is the Ukrainian or Russian name (two or three capitalised words) that
// ends the sentence running from ts[from], when no speech verb stands before it; a
// name in quotation marks may ("центру "Інститут аграрної економіки"").
func closingName(ts []tok, from int) (string, bool) {
	n := from
	for n < len(ts) && !sentenceEnd(ts[n]) {
		if isCue(ts[n]) {
			return "", false
		}
		n++
	}
	if n == len(ts) {
		return "", false // the sentence runs on past what was read
	}
	k := n
	for k > from && n-k < 3 && nameWord(ts[k-1]) && isCyrillic(ts[k-1].s) {
		k--
	}
	if n-k < 2 || k == from || nameWord(ts[k-1]) {
		return "", false
	}
	return joinToks(ts[k:n]), true
}

// coordinatedSubject reads a name that opens a second clause joined by "and" or "but"
// right before the verb at ts[k]: "The Reds beat Olympiakos with a late strike and
// Benitez said: …". A name before the conjunction makes it one subject of two people
// ("Smith and Jones said"), read elsewhere.
func coordinatedSubject(ts []tok, k int) (string, bool) {
	j := k
	for j > 0 && k-j < 4 && nameWord(ts[j-1]) && !isCyrillic(ts[j-1].s) {
		j--
	}
	if j == k || j < 2 {
		return "", false
	}
	if c := ts[j-1].lower(); c != "and" && c != "but" {
		return "", false
	}
	if p := ts[j-2]; p.punct || p.capitalised() {
		return "", false
	}
	return npOK(ts[j:k])
}
