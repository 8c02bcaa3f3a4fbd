package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tok is a word or punctuation token of an attribution snippet.
type tok struct {
	s     string
	punct bool
}

func (t tok) lower() string { return strings.ToLower(t.s) }

func (t tok) capitalised() bool {
	r, _ := utf8.DecodeRuneInString(t.s)
	return !t.punct && unicode.IsUpper(r)
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
				if c == '\'' || c == '’' || c == '-' || c == '.' {
					if next, _ := at(j + n); wordRune(next) {
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
				if titleAbbrevs[lw] || (utf8.RuneCountInString(w) == 1 && unicode.IsUpper(r)) || strings.Contains(w, ".") || lw == "u.s" || next == ')' {
					w = s[i : j+n]
					j += n
				}
			}
			out = append(out, tok{s: w})
			i = j
		default:
			out = append(out, tok{s: s[i : i+size], punct: true})
			i += size
		}
	}
	return out
}

func joinToks(ts []tok) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && !(t.punct && strings.ContainsAny(t.s, ",.;:)!?")) && !(i > 0 && ts[i-1].s == "(") {
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
	npConnectors = set(`of for from at with in on to and`)
	prepositions = set(`at in on after before during since from with without by for about under over
		when while as although though if`)
	dashes      = set(`— ― – -`)
	auxiliaries = set(`has had have would will also later then once previously again recently earlier further
		simply just only quickly repeatedly has, reportedly publicly privately flatly`)
	// npStop are lower-case words that cannot be inside a speaker phrase.
	npStop = set(`that which who when while as because if but or said says told added it there he she they we
		i you him them us is was are were be been being do does did not no`)
)

func isCue(t tok) bool {
	return !t.punct && (cueVerbs[t.lower()] || t.lower() == "reports" || t.lower() == "reported" || t.lower() == "reads" || t.lower() == "continued")
}

// npOK reports whether ts look like a speaker phrase and returns it cleaned.
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
		case depth == 0:
			clean = append(clean, t)
		}
	}
	ts = clean
	for len(ts) > 0 && ts[len(ts)-1].punct {
		ts = ts[:len(ts)-1]
	}
	for len(ts) > 0 && (ts[0].punct || prepositions[ts[0].lower()] || ts[0].lower() == "and" || ts[0].lower() == "but") {
		ts = ts[1:]
	}
	if len(ts) > 0 {
		// A speaker phrase starts with a name, a determiner, a role or a number
		// ("30-year-old"), and ends with a name, a role or a noun.
		f := ts[0]
		if !f.capitalised() && !determiners[f.lower()] && !isRoleWord(f.lower()) && !strings.ContainsAny(f.s, "0123456789") && !isPronoun(f.s) && !f.punct {
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
		if !t.punct && !t.capitalised() && !determiners[lw] && !isRoleWord(lw) && !npConnectors[lw] && !strings.ContainsAny(lw, "-0123456789") && !isPronoun(lw) {
			// Cyrillic roles chain genitive nouns ("заступниця міністра розвитку громад").
			limit := 2
			if isCyrillic(t.s) {
				limit = 4
			}
			if other++; other > limit {
				return "", false
			}
		}
		if t.punct && t.s != "," && t.s != "-" && t.s != "'" && t.s != "’" {
			return "", false
		}
		if !t.punct && npStop[lw] && !(i == 0 && determiners[lw]) {
			return "", false
		}
		if t.capitalised() {
			hasCap = true
		}
		if isRoleWord(lw) || (i > 0 && determiners[ts[0].lower()]) {
			hasNoun = true
		}
	}
	if !hasCap && !hasNoun {
		return "", false
	}
	return joinToks(ts), true
}

// clauseBefore returns the subject of a verb at ts[end]: the tokens back to a clause
// boundary. When the verb follows an appositive ("Melanie Joly, Canada's foreign
// minister, said"; "Hillary Clinton, at a later press gaggle, said") the name before
// the appositive is the subject.
func clauseBefore(ts []tok, end int) []tok {
	boundary := func(t tok) bool {
		return t.punct && (t.s == "," || t.s == ";" || t.s == "—" || t.s == "–" || t.s == ":" || t.s == "." || t.s == "!" || t.s == "?" || t.s == "\"" || t.s == "“" || t.s == "”")
	}
	e := end
	if e > 0 && ts[e-1].s == "," {
		e-- // the comma closing an appositive
	}
	start := e
	for start > 0 && !boundary(ts[start-1]) {
		start--
	}
	clause := ts[start:e]
	if _, ok := npOK(clause); (!ok || !anyCap(clause)) && start > 0 && ts[start-1].s == "," {
		prev := start - 1
		for prev > 0 && !boundary(ts[prev-1]) {
			prev--
		}
		if name := ts[prev : start-1]; anyCap(name) && len(name) <= 8 && !prepositions[name[0].lower()] {
			if _, ok := npOK(name); ok {
				if _, ok := npOK(ts[prev:e]); ok {
					return ts[prev:e]
				}
				return name
			}
		}
	}
	// Strip a leading adverbial such as "Later".
	for len(clause) > 1 && auxiliaries[clause[0].lower()] {
		clause = clause[1:]
	}
	return clause
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
			// Cyrillic role phrases carry genitive nouns before the name
			// ("пресс-секретарь президента Дмитрий Песков").
			if !(isCyrillic(t.s) && !npStop[lw] && anyCapAhead(ts[j:])) {
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
			if npStop[t.lower()] {
				app, k = app[:a], j+1+a
				break
			}
		}
		if len(app) > 0 && len(app) <= 12 && (determiners[app[0].lower()] || roleWords[strings.Trim(app[0].lower(), ".")] || roleWords[strings.Trim(app[len(app)-1].lower(), ".")]) {
			if _, ok := npOK(ts[i:k]); ok {
				np = ts[i:k]
				j = k
			}
		}
	}
	return np, j
}

func isWeekdayOrMonth(w string) bool {
	return set(`monday tuesday wednesday thursday friday saturday sunday january february march april may
		june july august september october november december`)[w]
}

// attributeRight looks right of a closing quote mark, within the sentence.
func attributeRight(rest string) (mention, cue string, ok bool) {
	ts := lexTokens(rest)
	// The sentence after the quote.
	end := len(ts)
	depth := 0
	for k, t := range ts {
		switch {
		case t.s == "(":
			depth++
		case t.s == ")":
			depth = max(0, depth-1)
		case depth == 0 && (sentenceEnd(t) || t.s == "“" || t.s == "\"" || t.s == "«"):
			end = k
		}
		if end != len(ts) {
			break
		}
	}
	ts = ts[:end]
	// "— Pamela Padilla": a dash and a name with nothing else.
	if len(ts) > 1 && ts[0].punct && dashes[ts[0].s] {
		np, stop := npAfter(ts, 1)
		if m, ok := npOK(np); ok && stop == len(ts) && anyCap(np) {
			return m, "—", true
		}
	}
	i := 0
	for i < len(ts) && ts[i].punct && (ts[i].s == "," || ts[i].s == "—" || ts[i].s == "–" || ts[i].s == "-") {
		i++
	}
	if i >= len(ts) {
		return "", "", false
	}
	lw := ts[i].lower()
	// "per the party's bylaws" / "as a Homeland Security memo put it"
	if lw == "per" {
		np, _ := npAfter(ts, i+1)
		if m, ok := npOK(np); ok {
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
	if lw == "according" && i+1 < len(ts) && ts[i+1].lower() == "to" {
		np, _ := npAfter(ts, i+2)
		if m, ok := npOK(np); ok {
			return m, "according to", true
		}
	}
	if (lw == "за" || lw == "по") && i+1 < len(ts) && strings.HasPrefix(ts[i+1].lower(), "слов") {
		np, _ := npAfter(ts, i+2)
		if m, ok := npOK(np); ok {
			return m, "according to", true
		}
	}
	// Verb first: `," said Rep. G.K. Butterfield (D-N.C.), head of ...`
	if isCue(ts[i]) {
		np, _ := npAfter(ts, i+1)
		if m, ok := npOK(np); ok {
			return m, lw, true
		}
	}
	// Speaker first: `," Ms. Moore said` / `," she told reporters`.
	for j := i + 1; j < len(ts) && j <= i+14; j++ {
		if isCue(ts[j]) {
			k := j
			for k > i && auxiliaries[ts[k-1].lower()] {
				k--
			}
			if m, ok := npOK(ts[i:k]); ok {
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

func trimAux(ts []tok) []tok {
	for len(ts) > 0 && auxiliaries[ts[len(ts)-1].lower()] {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// attributeLeft looks left of an opening quote mark, within the sentence: `X said: “`,
// `X told reporters “`, `X said that “`, `According to X, “`, `X: “`, `..., saying “`.
func attributeLeft(sentence string) (mention, cue string, ok bool) {
	ts := lexTokens(sentence)
	if len(ts) == 0 {
		return "", "", false
	}
	// "… as a Homeland Security memo put it" / "per the party's bylaws" come after.
	// According to X, "...
	for k := 0; k+1 < len(ts); k++ {
		lw := ts[k].lower()
		if (lw == "according" && ts[k+1].lower() == "to") || ((lw == "за" || lw == "по") && strings.HasPrefix(ts[k+1].lower(), "слов")) {
			np, _ := npAfter(ts, k+2)
			if m, ok := npOK(np); ok {
				return m, "according to", true
			}
		}
	}
	// The first speech verb whose clause subject is a speaker phrase.
	for k, t := range ts {
		if !isCue(t) {
			continue
		}
		if participleCues[t.lower()] {
			if k > 0 && ts[k-1].capitalised() && !isWeekdayOrMonth(ts[k-1].lower()) {
				j := k
				for j > 0 && ts[j-1].capitalised() {
					j--
				}
				afterPrep := j > 0 && prepositions[ts[j-1].lower()]
				if m, ok := npOK(ts[j:k]); ok && !afterPrep {
					return m, t.lower(), true
				}
			}
			if m, ok := sentenceSubject(ts[:k]); ok {
				return m, t.lower(), true
			}
			continue
		}
		subj := clauseBefore(ts, k)
		subj = trimAux(subj)
		if m, ok := npOK(subj); ok {
			return m, t.lower(), true
		}
		// "Michael Mulgrew, president of the union, which represents teachers, said":
		// the sentence opens with the speaker and an appositive.
		if m, ok := sentenceSubject(ts[:k]); ok && k > 0 && hasCommaBefore(ts[:k]) {
			return m, t.lower(), true
		}
		// Verb-first inside the sentence: `said Smith, "…`
		if k+1 < len(ts) {
			np, _ := npAfter(ts, k+1)
			if m, ok := npOK(np); ok && anyCap(np) {
				return m, t.lower(), true
			}
		}
	}
	// X: "..." — a bare speaker label.
	if ts[len(ts)-1].s == ":" {
		if m, ok := npOK(ts[:len(ts)-1]); ok && anyCap(ts[:len(ts)-1]) && len(ts) <= 6 {
			return m, ":", true
		}
	}
	if k := indexCue(ts, participleCues); k >= 0 {
		if m, ok := sentenceSubject(ts[:k]); ok {
			return m, ts[k].lower(), true
		}
	}
	return "", "", false
}

func indexCue(ts []tok, set map[string]bool) int {
	for k, t := range ts {
		if set[t.lower()] {
			return k
		}
	}
	return -1
}

// sentenceSubject is the leading noun phrase of a sentence: a pronoun or a run of
// capitalised words with their role ("Rival Hillary Clinton had mocked ...").
func sentenceSubject(ts []tok) (string, bool) {
	if len(ts) > 0 && prepositions[ts[0].lower()] {
		// "During a speech earlier in the day, Trump attacked ...": skip the opener.
		for k, t := range ts {
			if t.s == "," {
				ts = ts[k+1:]
				break
			}
		}
	}
	if len(ts) == 0 {
		return "", false
	}
	if isPronoun(ts[0].s) {
		return ts[0].s, true
	}
	j := 0
	for j < len(ts) && (ts[j].capitalised() || roleWords[strings.Trim(ts[j].lower(), ".")] || (j == 0 && determiners[ts[j].lower()]) || ts[j].s == "'" || ts[j].s == "’") {
		j++
	}
	if j == 0 {
		return "", false
	}
	return npOK(ts[:j])
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

// isRoleWord reports whether w (lower case) names a position, plural included.
func isRoleWord(w string) bool {
	w = strings.Trim(w, ".,")
	return roleWords[w] || (strings.HasSuffix(w, "s") && roleWords[strings.TrimSuffix(w, "s")])
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
