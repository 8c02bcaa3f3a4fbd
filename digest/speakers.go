package digest

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lexicons for speaker attribution that generalise by construction: words that are
// capitalised without being names, nouns that make a document a speaker, and the verbs
// whose object is an audience. All are read-only tables.

// notNames are capitalised words that open a sentence or name a time, never a
// speaker: weekdays, the months that are not also first names or surnames ("May",
// "June", "April", "August" are left out), sentence adverbs and connectors.
var notNames = set(`monday tuesday wednesday thursday friday saturday sunday
	january february march july september october november december
	already also still yet however meanwhile instead indeed nevertheless nonetheless separately
	previously recently later earlier now then today yesterday tomorrow tonight finally
	moreover furthermore besides otherwise thus therefore hence accordingly consequently
	likewise similarly again once anyway perhaps maybe clearly obviously certainly
	apparently reportedly notably importantly ultimately eventually initially overall
	generally usually sometimes often first second third last next soon here there
	speaking asked asking pressed according despite although though while when after before
	during since until unless if because as but and or so yes no not only even just
	update updated watch read related photo video editor note breaking exclusive live
	analysis opinion comment regardless admittedly frankly honestly interestingly surprisingly unfortunately fortunately
	як как коли когда але но і и а та що что це это так вже уже також также тому поэтому однак однако
	проте зокрема крім кроме після после вчора вчера сьогодні сегодня завтра тоді тогда втім
	натомість водночас нагадаємо напомним впрочем тим між тем при цьому этом
	ранее раніше позже пізніше затем потім теперь тепер сейчас зараз накануне напередодні
	сам сама само самі сами таким внаслідок вследствие отже итак далее далі`)

// placePrefixes open multiword place names ("New Orleans", "North Korea"); a run of
// capitalised words starting with one is not taken as a person.
var placePrefixes = set(`new north south east west northern southern eastern western central upper lower
	los las san santa st saint fort lake mount port cape gulf rio el la`)

// documentWords make a noun phrase a legitimate non-person speaker ("the report said",
// "a joint statement read"): returned as the speaker with an empty role.
var documentWords = set(`report reports statement statements survey surveys poll polls study studies
	email emails e-mail letter letters memo memos ruling rulings document documents complaint
	filing lawsuit indictment order decision release post tweet tweets message messages note notes
	notice video ad advert advertisement analysis review audit investigation assessment bill
	resolution declaration communique communiqué transcript paper website page book article
	editorial column record records data figures estimate estimates forecast guidance warning
	policy plan proposal agreement contract treaty constitution manual guide brief verdict
	judgment judgement opinion text draft summary bulletin briefing presentation petition
	application motion appeal charter law piece story spot clip segment broadcast programme program
	film documentary headline caption sign banner placard slogan inscription`)

// documentCues are verbs that attribute only when their subject is a document:
// "the survey found", "the email read", "the study shows".
var documentCues = set(`found finds read reads show shows showed concluded concludes described
	describes calls called`)

// recipientCues take their audience or target as object ("told NBC", "telling the
// Post", "called it a disgrace"): the phrase after them is never the speaker, so they
// have no inverted form ("said Smith" is a speaker, "told Smith" is not). "Asked",
// "warned" and "urged" are left out: they do invert ("“Why now?” asked Ms. Lee").
var recipientCues = set(`told tells tell telling informed informs assured assures reminded reminds
	advised advises called calls dubbed labeled labelled branded termed described describes
	dismissed praised blasted slammed criticized criticised accused mocked lauded begged pleaded
	assuring reminding calling describing praising accusing informing
	назвав назвала назвали назвал цитує цитирует`)

// invertingCue reports whether a cue may come before its subject: "“…,” said the
// minister".
func invertingCue(w string) bool { return !recipientCues[w] }

// isNotName reports whether a capitalised token is a non-name word (compared lower
// case, trailing period dropped). It runs on every capitalised word of an article,
// so short ASCII words are lowered on the stack.
func isNotName(w string) bool {
	w = strings.TrimSuffix(w, ".")
	var buf [16]byte
	if len(w) <= len(buf) {
		ascii := true
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if ascii {
			return notNames[string(buf[:len(w)])]
		}
	} else if w[0] < utf8.RuneSelf {
		return false // no ASCII entry is this long
	}
	return notNames[strings.ToLower(w)]
}

// isDocumentWord reports whether w is a document noun, in lower case: capitalised, it
// is more likely a name ("Bill Clinton", "Post"). Ukrainian and Russian nouns are
// matched by stem, for their case endings ("у звіті", "в заявлении").
func isDocumentWord(w string) bool {
	if isCapitalisedWord(w) {
		return false
	}
	lw := strings.Trim(strings.ToLower(w), ".,")
	if documentWords[lw] {
		return true
	}
	if !isCyrillic(lw) {
		return false
	}
	lw = strings.TrimPrefix(strings.TrimPrefix(lw, "пресс-"), "прес-") // "пресс-релизе"
	for _, stem := range documentStems {
		if strings.HasPrefix(lw, stem) {
			return true
		}
	}
	return false
}

// documentStems are Ukrainian and Russian document nouns without their endings.
var documentStems = []string{"звіт", "заяв", "доповід", "доклад", "отчет", "отчёт", "повідомлен",
	"сообщени", "документ", "письм", "рішен", "решени", "постанов", "указ", "опитуван", "опрос",
	"дослідженн", "исследовани", "публікац", "публикаци", "комюніке", "коммюнике", "резолюц",
	"звернен", "обращени", "допис", "релиз", "реліз", "статт", "стать", "прогноз", "ухвал"}

// docCue reports whether ts[k] is a verb that attributes only to a document ("found",
// "read") and its subject is one.
func docCue(ts []tok, k int) bool {
	if !documentCues[ts[k].s] {
		return false // lower case only: "Read" opens a headline
	}
	return documentSubject(clauseBefore(ts, k)) != nil
}

// documentSubject returns a subject phrase headed by a document noun, cut before the
// participle that modifies it ("A joint statement issued after the talks" → "A joint
// statement"), or nil when the phrase is not about a document.
func documentSubject(ts []tok) []tok {
	for k, t := range ts {
		if t.punct || t.capitalised() {
			continue
		}
		if isDocumentWord(t.s) {
			if k+1 < len(ts) && isDocumentWord(ts[k+1].s) {
				continue // "the survey data"
			}
			return ts[:k+1+ownerAfter(ts[k+1:])]
		}
	}
	return nil
}

// ownerAfter is the length of the owner that follows a document noun: "from Vulture
// magazine", "of the British Bill", "by the Department of Health and Human Services",
// "in The New York Times". The owner is capitalised, with an organisation's connectors
// inside it, and an organisation's lower-case head ("magazine") may close it; 0 when
// none follows.
func ownerAfter(ts []tok) int {
	if len(ts) < 2 {
		return 0
	}
	if lw := ts[0].lower(); lw != "from" && lw != "of" && lw != "by" && lw != "in" {
		return 0
	}
	k := 1
	if determiners[ts[k].lower()] {
		k++
	}
	start, end := k, k
	for k < len(ts) && k-start < 12 && !ts[k].punct {
		switch t := ts[k]; {
		case t.capitalised() && !isNotName(t.s), k > start && orgWords[t.lower()]:
			k++
			end = k
		case k > start && orgConnectors[t.lower()] && k+1 < len(ts) && ts[k+1].capitalised():
			k++ // "Department of Health", "Office for National Statistics"
		default:
			return end
		}
	}
	return end
}

// sentenceSubject reads the subject of a sentence: the first noun phrase after any
// opening adverbial, with an appositive role ("German Foreign Minister Katrin Adler,
// during a visit to Vilnius, backed the plan:"; "Following a late meeting, the Security
// Council issued a statement calling …"). It must name someone, hold a role or be a
// document.
func sentenceSubject(ts []tok) (string, bool) {
	parts := commaParts(ts, len(ts))
	for p, tried := len(parts)-1, 0; p >= 0 && tried < 3; p-- {
		part := ts[parts[p][0]:parts[p][1]]
		if len(part) == 0 || opensAside(part) {
			continue // "During the visit", "Asked about the plan"
		}
		if at := parts[p][0]; at >= 2 && ts[at].lower() == "which" && ts[at-1].s == "," {
			// "…, which said in a statement:": what the "which" stands for.
			return whichAntecedent(ts, at)
		}
		part = stripLeadingAdverbs(part)
		tried++
		np := leadingNP(part)
		if len(np) == 0 || (!hasName(np) && !anyRoleOrDocument(np) && !(len(np) == 1 && isPronoun(np[0].s))) {
			continue
		}
		if len(np) == len(part) && p > 0 {
			if out := withRole(np, cutAtStop(ts[parts[p-1][0]:parts[p-1][1]])); out != nil && isRolePhrase(out[len(np)+1:]) {
				np = out
			}
		}
		return npOK(np)
	}
	return "", false
}

// leadingNP is the noun phrase opening ts: a pronoun, or a determiner followed by
// names, role and document nouns, possessives and "of"/"for"/"at" links between them
// ("Officials of the United States Geological Survey").
func leadingNP(ts []tok) []tok {
	if len(ts) == 0 {
		return nil
	}
	if isPronoun(ts[0].s) && !(determiners[ts[0].lower()] && len(ts) > 1 && (isRoleWord(ts[1].lower()) || isDocumentWord(ts[1].s))) {
		return ts[:1] // "She", but "Her lawsuit" and "His lawyer" own a noun
	}
	j := 0
	if determiners[ts[0].lower()] {
		j++
	}
	for j < len(ts) {
		t := ts[j]
		lw := t.lower()
		switch {
		case t.capitalised(), isRoleWord(lw), isDocumentWord(t.s), t.s == "'" || t.s == "’",
			strings.Contains(t.s, "-") && !t.punct:
			j++
			continue
		case isCyrillic(t.s) && j > 0 && !prepositions[lw] && !npStop[lw] && !(j >= 2 && nameWord(ts[j-1]) && nameWord(ts[j-2])):
			// Genitive nouns inside a role ("Міністр закордонних справ Данії Ларс
			// Нільсен"): up to three lower-case words, then a capitalised one; not
			// after a full name, and never over a verb ("Тихий назвав заяву Москви").
			k := j
			for k < len(ts) && k < j+3 && !ts[k].punct && !ts[k].capitalised() && !prepositions[ts[k].lower()] && !cueWord(ts[k]) {
				k++
			}
			if k < len(ts) && k > j && ts[k].capitalised() {
				j = k
				continue
			}
		case (lw == "of" || lw == "for" || lw == "at") && j > 0 && j+1 < len(ts):
			k := j + 1
			if determiners[ts[k].lower()] && k+1 < len(ts) {
				k++
			}
			if ts[k].capitalised() || isRoleWord(ts[k].lower()) {
				j = k
				continue
			}
		case strings.HasSuffix(lw, "'s") || strings.HasSuffix(lw, "’s"):
			j++
			continue
		}
		break
	}
	return ts[:j]
}

func anyRoleOrDocument(ts []tok) bool {
	for _, t := range ts {
		if isRoleWord(t.lower()) || isDocumentWord(t.s) {
			return true
		}
	}
	return false
}

// sourceAfter reads the source named after "according to" or "per": a speaker phrase
// as after a verb, or else the longest noun phrase up to the clause end that reads as
// one ("the company’s annual report", "a report by the transport office").
func sourceAfter(ts []tok, i int) (string, bool) {
	if i >= len(ts) {
		return "", false // "… з посиланням." and nothing after it
	}
	end := i
	for end < len(ts) && end < i+16 && !hardBoundary(ts[end]) && ts[end].s != "," {
		end++
	}
	if doc := documentSubject(ts[i:end]); len(doc) > 0 && i+len(doc) == end && !isCyrillic(doc[0].s) &&
		slices.IndexFunc(doc, func(t tok) bool { return isDocumentWord(t.s) }) <= 3 {
		// "according to the explanatory notes of the British Bill": the whole phrase,
		// a document and its owner; a phrase that goes on is read as before.
		if m, ok := npOK(doc); ok {
			return m, true
		}
	}
	np, _ := npAfter(ts, i)
	if m, ok := npOK(np); ok {
		return m, true
	}
	return longestNP(ts, i)
}

// longestNP is the longest phrase from ts[i] up to the clause end that reads as a
// speaker phrase.
func longestNP(ts []tok, i int) (string, bool) {
	j := i
	for j < len(ts) && j < i+12 && !hardBoundary(ts[j]) && ts[j].s != "," && !npStop[ts[j].lower()] && !isCue(ts[j]) {
		j++
	}
	for ; j > i; j-- {
		if m, ok := npOK(ts[i:j]); ok {
			return m, true
		}
	}
	return "", false
}

// introCues introduce a speaker whose words follow in the next paragraph ("Lucia
// Ferraro spoke to reporters after the meeting."); they attribute nothing in their
// own sentence.
var introCues = set(`spoke speaks addressed addresses briefed`)

// reportedSpeaker attributes a quote that opens its paragraph, or its sentence, with
// no cue of its own to the subject of the sentence just before it, when that sentence
// reports speech and holds no quotation itself: the newspaper convention of naming
// the speaker, then giving the words ("Governor Berg said inflation would fall.\n\n“We
// are confident …”").
func reportedSpeaker(text string, pos int) (mention, cue string, ok bool) {
	var sentence string
	if line, ok := lineOpensAt(text, pos); ok {
		if sentence = lastSentenceOfParagraphBefore(text, line); sentence == "" {
			return "", "", false
		}
	} else if sentenceBefore(text, pos) == "" {
		sentence = previousSentence(text, pos)
		if m, c, ok := speakerOfSentence(sentence); ok || sentence == "" {
			return m, c, ok
		}
		// One sentence of background between the report and the quote, in the same
		// paragraph: "Mr Dein said that … . Since 1992, clubs have seen … . “Television
		// has been …”". A sentence that quotes or reports speech of its own stops it.
		at := strings.LastIndex(text[:pos], sentence)
		if at > 0 && text[at-1] != '\n' && !strings.ContainsAny(sentence, "\"“”«»„") &&
			!slices.ContainsFunc(lexTokens(sentence), isCue) {
			return speakerOfSentence(previousSentence(text, at))
		}
		return "", "", false
	}
	return speakerOfSentence(sentence)
}

// lineOpensAt reports whether only spaces stand between a line break and pos, and
// where that break is. It reads back only over the spaces (see paragraphOpensWith).
func lineOpensAt(text string, pos int) (int, bool) {
	j := pos
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if r == '\n' {
			return j - size, true
		}
		if !unicode.IsSpace(r) {
			return -1, false
		}
		j -= size
	}
	return -1, false
}

// speakerOfSentence is the speaker a sentence reports, when it reports speech and holds
// no quotation: the source it credits ("По мнению Березнюка, …") or the subject of its
// first speech verb.
func speakerOfSentence(sentence string) (mention, cue string, ok bool) {
	// An organisation's «name» is no quotation ("пресс-служба клуба «Сокол»").
	if sentence == "" || strings.ContainsAny(straightNameRE.ReplaceAllString(guillemetNameRE.ReplaceAllString(sentence, ""), ""), "\"“”«»„") {
		return "", "", false
	}
	ts := straightNames(lexTokens(sentence), true)
	// "По мнению Березнюка, …", "Про це повідомляє РБК-Україна з посиланням на заяву
	// посла …": the source the sentence credits speaks on in the next quote.
	for k := 0; k+1 < len(ts); k++ {
		if m, ok := pronounAccording(ts, k); ok {
			return m, "according to", true // "По его мнению, …" and then the quote
		}
		if accordingTo(ts[k].lower(), ts[k+1].lower()) && isCyrillic(ts[k].s) {
			if m, ok := sourceAfter(ts, k+accordingLen(ts[k+1].lower())); ok {
				return m, "according to", true
			}
		}
	}
	// The first speech verb decides: its subject or nothing.
	for k, t := range ts {
		if impersonalCues[t.lower()] && k+2 < len(ts) && prepositions[ts[k+1].lower()] {
			// "…, говорится в сообщении пресс-службы МЧС.": the document's issuer, as
			// attributeRight reads it after a quote.
			m, ok := longestNP(ts, k+2)
			return m, t.lower(), ok
		}
		if docCue(ts, k) {
			m, ok := npOK(documentSubject(clauseBefore(ts, k)))
			return m, t.lower(), ok
		}
		if (isCue(t) && !participleCues[t.lower()]) || introCues[t.s] {
			inverted := isCyrillic(t.s) && invertingCue(t.lower())
			m, ok := npOK(trimAux(clauseBefore(ts, k)))
			if inverted && k > 0 && ts[k-1].s == "," {
				ok = false // "…, рассказал аналитик Олег Сомов": what comes before is the clause
			}
			if !ok && inverted {
				// Ukrainian and Russian put the subject after a verb that ends the
				// reported clause: "…, вважає дипломат." "…, рассказала РИА Новости
				// эксперт … Ольга Андреева."
				m, ok = npOK(subjectAfterVerb(ts, k+1))
			}
			if !ok && k > 0 && ts[k-1].s == "," && (slavicGerunds[t.lower()] || thatFollows(ts, k+1)) {
				// "Боб Арум анонсировал поединок, заверив, что он состоится.": said while
				// doing the rest; "Генштаб ЗСУ у четвер, 14 листопада, заявив, що …": a
				// verb with its "that" clause after an aside. The sentence's subject.
				m, ok = sentenceSubject(ts[:k-1])
			}
			return m, t.lower(), ok
		}
	}
	return "", "", false
}

// thatFollows reports whether ts[i:] opens a Ukrainian or Russian "that" clause
// (", що", ", что"): the speech verb before it reports, its subject is before it.
func thatFollows(ts []tok, i int) bool {
	return i+1 < len(ts) && ts[i].s == "," && (ts[i+1].lower() == "що" || ts[i+1].lower() == "что")
}

// guillemetNameRE matches a short name in guillemets: a capital, at most five words.
var guillemetNameRE = regexp.MustCompile(`«\p{Lu}[^«»\s]*(?:\s[^«»\s]+){0,4}»`)

// straightNameRE is guillemetNameRE in straight quotes, as Ukrainian and Russian wires
// write names ("защитник "Спартака"").
var straightNameRE = regexp.MustCompile(`"\p{Lu}[^"\s]*(?:\s[^"\s]+){0,4}"`)

// isPartyTag reports whether w is a US party-and-state tag ("R-Ky.", "D-N.C.", "I-Vt"),
// an aside like a parenthesis.
func isPartyTag(w string) bool {
	if len(w) < 3 || w[1] != '-' || !strings.ContainsRune("RDI", rune(w[0])) {
		return false
	}
	for _, r := range w[2:] {
		if !(r == '.' || r == '-' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')) {
			return false
		}
	}
	return w[2] >= 'A' && w[2] <= 'Z'
}

// impersonalCues attribute to the document named after them: "— йдеться у заяві",
// "— говорится в докладе" ("it says in the statement").
var impersonalCues = set(`йдеться мовиться говориться зазначається наголошується повідомляється говорится
	сказано отмечается указывается сообщается подчеркивается додається добавляется`)

// recipientWords are the audience of a Ukrainian or Russian speech verb, written
// between the verb and the speaker ("— сказав журналістам …"); interviewWords open an
// "in an interview with OUTLET" phrase there ("— заявил в интервью РБК …").
var (
	recipientWords = set(`журналістам журналистам репортерам кореспондентам корреспондентам виданню
		изданию агентству телеканалу каналу газеті газете радіо радио сайту порталу ведучому ведущему
		сми змі`)
	interviewWords = set(`інтерв'ю інтерв’ю интервью ефірі эфире розмові беседе коментарі комментарии`)
)

// cyrillicWeekdays are the days a Ukrainian or Russian "в/у" dates a statement with.
var cyrillicWeekdays = set(`понедельник вторник среду четверг пятницу субботу воскресенье понеділок вівторок
	середу четвер п'ятницю п’ятницю суботу неділю`)

// dativeAudience reports whether t looks like a Ukrainian or Russian noun in the
// dative, the one a speech verb's words were told to ("мэру", "губернатору",
// "міністрові"): lower case, with a dative ending (a nominative rarely ends so).
func dativeAudience(t tok) bool {
	w := t.lower()
	if t.punct || t.capitalised() || !isCyrillic(w) || utf8.RuneCountInString(w) < 4 {
		return false
	}
	for _, end := range []string{"ам", "ям", "ові", "еві", "у", "ю"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

// skipRecipients returns the index after an audience that sits between a Cyrillic
// speech verb and its speaker: recipient nouns, "в інтерв'ю OUTLET", and an outlet's
// capitalised name followed by the speaker's lower-case role ("РИА Новости директор").
func skipRecipients(ts []tok, i int) int {
	if i >= len(ts) || !isCyrillic(ts[i].s) && !(i+1 < len(ts) && isCyrillic(ts[i+1].s)) {
		return i
	}
	for i < len(ts) {
		lw := ts[i].lower()
		switch {
		case recipientWords[lw]:
			i++
		case ts[i].s == "«" && shortGuillemetName(ts, i):
			// "— объяснил «Медузе» директор …": an outlet in guillemets, told.
			for i < len(ts) && ts[i].s != "»" {
				i++
			}
			i++
		case i+1 < len(ts) && dativeAudience(ts[i]) && slices.ContainsFunc(ts[i+1:min(i+4, len(ts))], func(t tok) bool { return isRoleWord(t.lower()) || t.capitalised() }):
			i++ // "— сказал мэру генеральный директор …": the one told, then the speaker
		case (lw == "в" || lw == "у" || lw == "во") && i+1 < len(ts) && interviewWords[ts[i+1].lower()]:
			i += 2
			for i < len(ts) && (recipientWords[ts[i].lower()] || ts[i].capitalised()) {
				i++ // "в інтерв'ю телеканалу ICTV"
			}
		case prepositions[lw] && isCyrillic(lw):
			// "у Facebook", "на брифінгу": an adverbial up to the speaker's role, or a
			// day before an institution ("сообщила в пятницу пресс-служба вуза"; "в
			// военном ведомстве" is where, not who).
			for j := i + 1; j < len(ts) && j <= i+5 && !ts[j].punct; j++ {
				if isRoleWord(ts[j].lower()) || j == i+2 && cyrillicWeekdays[ts[i+1].lower()] && orgHead(ts[j].s) {
					return j
				}
			}
			return i
		default:
			// A capitalised run, then a lower-case role: the run is the outlet; so is
			// a Latin-script name before a Cyrillic one ("— сказав Bloomberg Марк Леонард").
			j := i
			for j < len(ts) && ts[j].capitalised() && !ts[j].punct {
				j++
			}
			if j > i && j < len(ts) && isRoleWord(ts[j].lower()) && !isRoleWord(ts[i].lower()) {
				return j
			}
			k := i
			for k < len(ts) && ts[k].capitalised() && !isCyrillic(ts[k].s) {
				k++
			}
			if k > i && k < len(ts) && ts[k].capitalised() && isCyrillic(ts[k].s) {
				return k
			}
			return i
		}
	}
	return i
}

// cyrillicName keeps the person's name out of a Ukrainian or Russian capitalised run
// that ends a role: the run may begin with a genitive organisation or place ("голова
// правління Укрзалізниці Андрій Мельник", "Мэр Самары Ольга Реброва"), so the name is
// its last two words, or three with a patronymic in the middle; the rest joins the role.
func cyrillicName(ws []string) (name, rest []string) {
	n := 2
	if len(ws) >= 3 && isPatronymic(ws[len(ws)-2]) {
		n = 3
	}
	// "Урсула фон дер Ляєн", "Марк ван дер Вуде": particles inside the name.
	k := len(ws) - 2
	for k > 0 && nameParticles[ws[k]] {
		k--
	}
	if k < len(ws)-2 {
		n = len(ws) - k
	}
	if len(ws) <= n {
		return ws, nil
	}
	return ws[len(ws)-n:], ws[:len(ws)-n]
}

func isPatronymic(w string) bool {
	w = strings.ToLower(w)
	for _, suf := range []string{"ович", "евич", "йович", "ьович", "івна", "ївна", "овна", "евна", "ична", "інічна", "ич"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// coordinators join a second verb to the sentence's subject ("Peskov called it
// “a provocation” and added that …").
var coordinators = set(`and і й та и а but але но`)

// locativeSource reads the Ukrainian and Russian impersonal attribution "В
// министерстве здравоохранения заявили", "У МЗС повідомили": a plural speech verb
// whose clause is only "в/у + organisation"; the organisation is the source.
func locativeSource(ts []tok, k int) (string, bool) {
	if !isCyrillic(ts[k].s) || !strings.HasSuffix(ts[k].lower(), "ли") {
		return "", false
	}
	j := k
	for j > 0 && !ts[j-1].punct && k-j < 5 {
		j--
	}
	if j == k || (j > 0 && !hardBoundary(ts[j-1]) && ts[j-1].s != ",") {
		return "", false
	}
	for j < k-1 && (focusAdverbs[ts[j].lower()] || coordinators[ts[j].lower()]) {
		j++ // "Також в адміністрації президента додали"
	}
	if lw := ts[j].lower(); lw != "в" && lw != "у" && lw != "во" {
		return "", false
	}
	// The organisation may be lower case ("министерстве здравоохранения"), which
	// npOK would not take for a speaker.
	if j+1 < k {
		return joinToks(ts[j+1 : k]), true
	}
	return "", false
}

// trimAudienceTail drops the audience after a Cyrillic speaker: a Latin-script outlet
// ("— сказав Рубіо NBC") or a recipient noun ("— заявила Жолі журналістам").
func trimAudienceTail(np []tok) []tok {
	k := len(np)
	for k > 0 && !np[k-1].punct && (recipientWords[np[k-1].lower()] || (!isCyrillic(np[k-1].s) && np[k-1].capitalised())) {
		k--
	}
	if k > 0 && k < len(np) && isCyrillic(np[k-1].s) && (np[k-1].capitalised() || k < len(np) && recipientWords[np[k].lower()]) {
		return np[:k]
	}
	return np // "пресс-служба RCC Boxing Promotions": a lower-case head is the Latin name's
}

// nameWord: a capitalised word that is no role ("Тихий", not "Речник").
func nameWord(t tok) bool { return t.capitalised() && !isRoleWord(t.lower()) && !isNotName(t.s) }

// roleStart widens a role that ends right before a name (ts[start:name]) to the words
// that qualify it: an organisation's capitalised name ("Kremlin spokesman", "White
// House press secretary"), or in Ukrainian and Russian the genitive nouns back to the
// role noun ("Міністерка закордонних справ Канади Мелані Жолі").
// firstRoles are the roles "first" belongs to as a title: "First Lady", "First Minister".
var firstRoles = set(`lady minister secretary deputy`)

// firstTitle reports whether ts[k] is the "first" of such a title, not an ordinal
// or a sentence adverb to strip.
func firstTitle(ts []tok, k int) bool {
	return strings.EqualFold(ts[k].s, "first") && k+1 < len(ts) && firstRoles[ts[k+1].lower()]
}

func roleStart(ts []tok, start, name int) int {
	if start < name {
		roleAt := start
		for k := 0; k < 2 && start > 0; k++ {
			p := ts[start-1]
			if !p.capitalised() || isFunctionWord(p.lower()) || isNotName(p.s) {
				break
			}
			start--
		}
		if start >= 2 && start < roleAt && (ts[start-1].lower() == "and" || ts[start-1].s == "&") && ts[start-2].capitalised() &&
			!isFunctionWord(ts[start-2].lower()) && !isNotName(ts[start-2].s) {
			start -= 2 // "British and Irish Lions coach", "Ernst and Young partner"
		}
		if start > 0 && roleTimeWords[ts[start-1].lower()] {
			start-- // "former England full-back", "Former Manfred Mann singer"
		}
		if start > 0 && firstTitle(ts, start-1) {
			start-- // "first lady Michelle Obama": a title, not an ordinal
		}
	}
	if start == 0 || !isCyrillic(ts[name].s) {
		return start
	}
	// "… справ Канади Мелані Жолі", "радник голови Офісу президента України Михайло
	// Подоляк": look back over the genitive chain for its first role noun.
	first := start
	for k := start - 1; k >= 0 && k >= start-4; k-- {
		t := ts[k]
		if t.punct || prepositions[t.lower()] || cueWord(t) {
			break
		}
		if isRoleWord(t.lower()) {
			first = k
		}
	}
	return first
}

// roleTimeWords qualify a role by when it was or will be held.
var roleTimeWords = set(`former acting interim outgoing incoming`)

// lastSentenceOfParagraphBefore is the last sentence before the line break at line,
// read back at most 400 bytes (a sentence, not a crafted wall of text); "" when the
// text before is empty or ends in a colon (a quote introduced, not reported).
func lastSentenceOfParagraphBefore(text string, line int) string {
	before := strings.TrimRight(text[:line], " \t\r\n")
	if before == "" || strings.HasSuffix(before, ":") {
		return ""
	}
	if cut := len(before) - 400; cut > 0 {
		for cut < len(before) && !utf8.RuneStart(before[cut]) {
			cut++ // at a character's start
		}
		before = before[cut:]
	}
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	if before == "" {
		return ""
	}
	if i := lastSentenceEnd(before[:len(before)-1]); i >= 0 {
		return before[i:]
	}
	return before
}
