package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Nominative: a Ukrainian or Russian speaker named only in the genitive ("за словами
// Романа Костенка", "коментар … Івана Григорука") is shown as a reader expects a name,
// in the nominative ("Роман Костенко"). The first name says the case: it must be the
// genitive of a known first name and of nothing else ("Олександра" is a woman, or the
// genitive of Олександр: left alone). The surname then follows the declension of
// Ukrainian and Russian surnames by its ending; an ending that does not tell is left as
// written.

// cyrillicGenitives maps the genitive of each first name of cyrillicNameGender to the
// names it may be the genitive of, unless a nominative is written so too.
var cyrillicGenitives = func() map[string][]genitiveOf {
	out := map[string][]genitiveOf{}
	for n := range cyrillicNominatives {
		g := cyrillicNameGender[n]
		if g == 0 {
			continue
		}
		for _, f := range genitiveFirstNames(n, g) {
			if !cyrillicNominatives[f] {
				out[f] = append(out[f], genitiveOf{nominative: n, gender: g})
			}
		}
	}
	return out
}()

type genitiveOf struct {
	nominative string
	gender     byte
}

// genitiveNominative picks the name a genitive first name is of: the only one, or, of
// a Ukrainian and a Russian name that share it (Павла: Павло, Павел; Петра, Марка),
// the one of the language whose letters the whole name has.
func genitiveNominative(form, name string) (genitiveOf, bool) {
	cands := cyrillicGenitives[form]
	if len(cands) == 1 {
		return cands[0], true
	}
	uk, ru := strings.ContainsAny(name, "іїєґІЇЄҐ"), strings.ContainsAny(name, "ыэёъЫЭЁЪ")
	if len(cands) != 2 || uk == ru {
		return genitiveOf{}, false
	}
	for _, c := range cands {
		if strings.HasSuffix(c.nominative, "о") == uk { // the Ukrainian forms end in -о
			return c, true
		}
	}
	return genitiveOf{}, false
}

// genitiveFirstNames are a first name's genitives, Ukrainian and Russian, by its
// ending (see cyrillicDeclensions).
func genitiveFirstNames(n string, g byte) []string {
	r, size := utf8.DecodeLastRuneInString(n)
	stem := n[:len(n)-size]
	switch {
	case g == 'f' && r == 'я':
		return []string{stem + "ї", stem + "і", stem + "и"} // Юлія → Юлії, Мария → Марии
	case g == 'f' && r == 'а':
		return []string{stem + "и", stem + "ы"} // Тетяна → Тетяни, Ирина → Ирины
	case g == 'f':
		return nil
	case r == 'й', r == 'ь':
		return []string{stem + "я"} // Сергій → Сергія, Игорь → Игоря
	case r == 'о':
		return []string{stem + "а"} // Дмитро → Дмитра
	case r == 'а', r == 'я':
		return []string{stem + "и", stem + "ы"} // Микола → Миколи
	case n == "павел":
		return []string{"павла"}
	case n == "ігор":
		return []string{"ігоря"} // a soft stem
	case !unicode.IsLetter(r) || strings.ContainsRune("аеєиіїоуюяыэё", r):
		return nil
	}
	return []string{n + "а"} // Іван → Івана
}

// nominativeName returns a Cyrillic speaker's name in the nominative when its first
// word is a first name in the genitive, else the name as given.
func nominativeName(name string) string {
	ws := strings.Fields(name)
	if len(ws) == 1 && isCyrillic(name) {
		// A surname alone says its case only as an adjective: "-ського" is a
		// genitive and nothing else ("Щаранського" is Щаранський's).
		for _, end := range []string{"ського", "цького", "ского", "цкого"} {
			if strings.HasSuffix(strings.ToLower(name), end) && utf8.RuneCountInString(name) > 7 {
				return name[:len(name)-len("ого")] + "ий"
			}
		}
	}
	if len(ws) < 2 || len(ws) > 3 || !isCyrillic(name) {
		return name
	}
	first, ok := genitiveNominative(strings.ToLower(ws[0]), name)
	if !ok {
		return name
	}
	out := make([]string, 0, len(ws))
	out = append(out, capitalise(first.nominative))
	for _, w := range ws[1:] {
		n, ok := nominativeSurname(w, first.gender)
		if !ok {
			return name // an ending that does not say: leave the name as written
		}
		out = append(out, n)
	}
	return strings.Join(out, " ")
}

// nominativeSurname is the nominative of a surname written in the genitive, for a man
// ('m') or a woman ('f').
func nominativeSurname(w string, gender byte) (string, bool) {
	lw := strings.ToLower(w)
	cut := func(end, with string) string { return w[:len(w)-len(end)] + with }
	if utf8.RuneCountInString(lw) < 4 {
		return "", false
	}
	if gender == 'f' {
		switch {
		case strings.HasSuffix(lw, "ської"), strings.HasSuffix(lw, "цької"), strings.HasSuffix(lw, "ної"),
			strings.HasSuffix(lw, "ової"), strings.HasSuffix(lw, "евої"), strings.HasSuffix(lw, "євої"),
			strings.HasSuffix(lw, "іної"), strings.HasSuffix(lw, "иної"):
			return cut("ої", "а"), true // Стефанішиної → Стефанішина
		case strings.HasSuffix(lw, "ской"), strings.HasSuffix(lw, "цкой"), strings.HasSuffix(lw, "овой"),
			strings.HasSuffix(lw, "евой"), strings.HasSuffix(lw, "иной"):
			return cut("ой", "а"), true // Ивановой → Иванова
		case strings.HasSuffix(lw, "енко"), strings.HasSuffix(lw, "ук"), strings.HasSuffix(lw, "юк"),
			strings.HasSuffix(lw, "ич"), strings.HasSuffix(lw, "ян"), strings.HasSuffix(lw, "ко"):
			return w, true // a woman's consonant or -ко surname does not decline
		}
		return "", false
	}
	switch {
	case strings.HasSuffix(lw, "ського"), strings.HasSuffix(lw, "цького"), strings.HasSuffix(lw, "ного"):
		return cut("ого", "ий"), true // Залужного → Залужний
	case strings.HasSuffix(lw, "ского"), strings.HasSuffix(lw, "цкого"):
		return cut("ого", "ий"), true // Жириновского → Жириновский
	case strings.HasSuffix(lw, "енка"), strings.HasSuffix(lw, "йка"), strings.HasSuffix(lw, "чка"):
		return cut("а", "о"), true // Костенка → Костенко, Бойка → Бойко
	case strings.HasSuffix(lw, "енко"):
		return w, true // Russian does not decline -енко
	case strings.HasSuffix(lw, "ова"), strings.HasSuffix(lw, "ева"), strings.HasSuffix(lw, "єва"),
		strings.HasSuffix(lw, "іна"), strings.HasSuffix(lw, "ина"), strings.HasSuffix(lw, "ына"),
		strings.HasSuffix(lw, "ука"), strings.HasSuffix(lw, "юка"), strings.HasSuffix(lw, "чука"),
		strings.HasSuffix(lw, "ича"), strings.HasSuffix(lw, "яна"), strings.HasSuffix(lw, "ана"):
		return cut("а", ""), true // Федорова → Федоров, Григорука → Григорук
	}
	return "", false
}

// capitalise upper-cases a word's first letter.
func capitalise(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

// ownedDocument: "Допис Гороховського", "заява Івана Петренка" — a document and the
// person whose it is, in the genitive — is that person's; the name is returned for
// nominativeName. A document of an organisation, or of a name whose case does not
// tell, stays as written.
func ownedDocument(speaker string) string {
	head, rest, ok := strings.Cut(speaker, " ")
	if !ok || !isCyrillic(head) || !isDocumentWord(strings.ToLower(head)) || rest == "" {
		return speaker
	}
	if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) {
		return speaker
	}
	if n := nominativeName(rest); n != rest {
		return rest
	}
	return speaker
}

// nominativeRole returns a Ukrainian or Russian role written in the genitive, as a
// phrase after "за словами" or "коментар" is ("речника Повітряних сил", "міського
// голови Харкова"), in the nominative: its head noun and the adjectives before it. The
// words after the head stay as written: they are its genitive complement in either
// case ("голова Харкова"). A head or an adjective whose nominative is not certain
// leaves the role as written.
func nominativeRole(role string) string {
	ws := strings.Fields(role)
	if len(ws) == 0 || len(ws) > maxRoleWords || !isCyrillic(role) {
		return role
	}
	uk := strings.ContainsAny(role, "іїєґІЇЄҐ")
	for k, w := range ws {
		lw := strings.ToLower(w)
		if roleWords[lw] {
			return role // already a nominative head
		}
		if head, ok := nominativeRoleNoun(lw); ok {
			out := append([]string{}, ws...)
			out[k] = matchCase(w, head)
			for a := 0; a < k; a++ {
				adj, ok := nominativeAdjective(strings.ToLower(ws[a]), uk)
				if !ok {
					return role
				}
				out[a] = matchCase(ws[a], adj)
			}
			return strings.Join(out, " ")
		}
		if _, ok := nominativeAdjective(lw, uk); !ok {
			return role // neither an adjective nor the head: not a genitive role
		}
	}
	return role
}

// nominativeRoleNoun is the nominative of a role noun in the genitive: "речника" →
// "речник", "голови" → "голова", "посла" → "посол".
func nominativeRoleNoun(w string) (string, bool) {
	r, size := utf8.DecodeLastRuneInString(w)
	stem := w[:len(w)-size]
	switch {
	case w == "посла":
		return "посол", true
	case (r == 'а' || r == 'я') && roleWords[stem]:
		return stem, true // речника, міністра, директора
	case (r == 'и' || r == 'ы') && roleWords[stem+"а"]:
		return stem + "а", true // голови, главы
	case (r == 'і' || r == 'ї') && roleWords[stem+"я"]:
		return stem + "я", true
	}
	return "", false
}

// nominativeAdjective is the masculine nominative of a genitive adjective: Ukrainian
// "міського" → "міський", "третього" → "третій"; Russian is left (its -ый and -ий
// need the stem's last consonant, and a wrong one reads worse than the genitive).
func nominativeAdjective(w string, uk bool) (string, bool) {
	if !uk {
		return "", false
	}
	switch {
	case strings.HasSuffix(w, "ього"):
		return strings.TrimSuffix(w, "ього") + "ій", true
	case strings.HasSuffix(w, "ого") && utf8.RuneCountInString(w) > 4:
		return strings.TrimSuffix(w, "ого") + "ий", true
	}
	return "", false
}

// matchCase gives w's capital, if it has one, to its replacement.
func matchCase(w, repl string) string {
	if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
		return capitalise(repl)
	}
	return repl
}
