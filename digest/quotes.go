package digest

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote is a direct quotation found in an article.
type Quote struct {
	// Text is the quotation verbatim, without its quote marks; a quote continued over
	// several paragraphs has its parts joined with a space.
	Text string
	// Parts are the quoted segments as they appear in the text (one per paragraph).
	Parts []string
	// Speaker is the resolved name ("Melanie Joly"); Role is what came with the name
	// ("Canadian Foreign Minister"); Mention is the attribution as written ("she").
	Speaker, Role, Mention string
	// Cue is the speech verb or phrase ("said", "according to", ":").
	Cue string
	// Fragment marks scare quotes and one- or two-word fragments: returned, never key.
	Fragment bool
	// Key marks the one or two quotes chosen for the digest.
	Key bool
	// InSummary marks a quote that a story card's summary already carries, in a
	// sentence naming its speaker (set by Card; showing it again would repeat it).
	InSummary bool
	// Start and End are byte offsets of the (first part of the) quotation in the text.
	Start, End int

	score float64
}

// span is one quoted segment: text[open+len(mark):close].
type span struct {
	start, end   int // inner text
	outerStart   int // the opening mark
	outerEnd     int // after the closing mark
	para         int
	continuesTo  int // index of the span that continues this one, or -1
	continuation bool
}

var (
	openers = map[rune]rune{'“': '”', '«': '»', '„': '“', '"': '"', '‚': '‘', '‹': '›'}
)

// closersFor lists the marks that may close a quotation opened with a given mark;
// real text mixes straight and curly marks ("… him,” said).
var closersFor = map[rune]string{'“': "”\"", '"': "\"”", '«': "»", '„': "“”\"", '‚': "‘’", '‹': "›"}

// findSpans finds quoted segments: paired marks of any style (with the same style
// nested inside, as in “he calls “hell” here”), and a quote left open at a paragraph
// end continued by the next paragraph that opens with a quote mark (the newspaper
// convention).
func findSpans(text string) []span {
	var spans []span
	para := 0
	i := 0
	var open rune // the opening mark, 0 outside a quote
	depth := 0    // nested openers of the same style
	openAt, innerAt := 0, 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\n' && strings.HasPrefix(text[i:], "\n\n") {
			if open != 0 {
				end := strings.TrimRight(text[innerAt:i], " \t\r\n")
				spans = append(spans, span{start: innerAt, end: innerAt + len(end), outerStart: openAt, outerEnd: i, para: para, continuesTo: -2})
				open, depth = 0, 0
			}
			para++
			i += 2
			continue
		}
		switch {
		case open != 0 && r == open && r != '"' && r != '„' && isOpener(text, i, size, r):
			depth++ // a nested quotation in the same style
		case open != 0 && strings.ContainsRune(closersFor[open], r) && isCloser(text, i, size, r):
			if depth > 0 {
				depth--
				break
			}
			spans = append(spans, span{start: innerAt, end: i, outerStart: openAt, outerEnd: i + size, para: para, continuesTo: -1})
			open = 0
		case open == 0 && isOpener(text, i, size, r):
			open, depth = r, 0
			openAt, innerAt = i, i+size
		}
		i += size
	}
	if open != 0 {
		end := strings.TrimRight(text[innerAt:], " \t\r\n")
		spans = append(spans, span{start: innerAt, end: innerAt + len(end), outerStart: openAt, outerEnd: len(text), para: para, continuesTo: -1})
	}
	for k := range spans {
		if spans[k].continuesTo != -2 {
			continue
		}
		spans[k].continuesTo = -1
		if k+1 < len(spans) && spans[k+1].para == spans[k].para+1 && paragraphOpensWith(text, spans[k+1].outerStart) &&
			!startsWithLabel(text[spans[k+1].start:spans[k+1].end]) {
			spans[k].continuesTo = k + 1
			spans[k+1].continuation = true
		}
	}
	return spans
}

// paragraphOpensWith reports whether only whitespace precedes pos in its paragraph.
func paragraphOpensWith(text string, pos int) bool {
	// Only the whitespace before pos is read: a scan back to the paragraph's start
	// for every quote was quadratic in a paragraph of thousands of quotes.
	j := pos
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsSpace(r) {
			break
		}
		j -= size
	}
	return j == 0 || strings.Contains(text[j:pos], "\n\n")
}

func isOpener(text string, i, size int, r rune) bool {
	if _, ok := openers[r]; !ok {
		return false
	}
	next := peekRune(text, i+size, len(text))
	if unicode.IsSpace(next) && r == '"' {
		return false
	}
	switch r {
	case '"', '‚', '‹', '“':
		if r == '“' {
			// “ also closes „ quotes; as an opener it needs no space before.
			return !unicode.IsSpace(peekRune(text, i+size, len(text)))
		}
		prev := prevRune(text, i, 0)
		return unicode.IsSpace(prev) || strings.ContainsRune("([{—–-:;,/", prev) || i == 0 || prev == '\n'
	}
	return true
}

func isCloser(text string, i, size int, r rune) bool {
	if r != '"' && r != '”' && r != '“' {
		return true
	}
	// A straight quote closes when it is not followed by a letter ("end" vs "x"y).
	next := peekRune(text, i+size, len(text))
	return !unicode.IsLetter(next) && !unicode.IsDigit(next)
}

// Cue vocabulary per language. Lower case; multi-word cues are matched as phrases.
var (
	cueVerbs = union(set(`said says say saying told tells added adds noted notes warned warns claimed claims wrote
		writes tweeted tweets stressed stresses explained explains argued argues insisted insists asked asks
		replied replies responded responds continued continues declared declares announced announces
		acknowledged acknowledges admitted admits recalled recalls suggested suggests urged urges
		said, shouted yelled whispered joked quipped remarked observed conceded countered contended
		maintained predicted promised vowed pledged confirmed stated states repeated reiterated emphasized
		emphasised posted commented concluded agreed boasted complained cautioned charged alleged
		believes thinks testified demanded questioned exclaimed scoffed snapped sighed laughed cried begged
		pleaded protested objected retorted interjected informed assured reminded advised hinted estimated
		reckoned opined lamented griped bemoaned disclosed revealed indicated clarified elaborated tweeted,
		wrote, texted emailed messaged called dubbed labeled labelled branded termed described dismissed
		reply replies dijo afirmó declaró explicó señaló aseguró indicó añadió
		praised blasted slammed criticized criticised accused mocked invoked lauded wondered mused recounted described described, tells
		jokes quips remarks observes concedes counters contends maintains predicts promises vows pledges
		confirms repeats reiterates emphasizes emphasises concludes boasts complains cautions recalls
		reckons laments reveals muses recounts
		сказав сказала сказали заявив заявила заявили зазначив зазначила зазначили наголосив наголосила
		додав додала повідомив повідомила повідомили написав написала пояснив пояснила підкреслив
		підкреслила каже кажуть говорить вважає відповів відповіла заявляє наголошує додає пише
		розповів розповіла запевнив запевнила зауважив зауважила уточнив уточнила визнав визнала попередив
		попередила закликав закликала назвав назвала назвали нагадав нагадала відзначив відзначила
		прокоментував прокоментувала пообіцяв пообіцяла констатував констатувала повідомляє цитує
		поінформував поінформувала поінформували проінформував проінформувала проінформували
		проинформировал проинформировала проинформировали
		сказал сказала сказали заявил заявила заявили отметил отметила отметили подчеркнул подчеркнула
		добавил добавила сообщил сообщила сообщили написал написала пояснил пояснила считает говорит
		ответил ответила заявляет подчеркивает пишет рассказал рассказала уверен заверил заверила
		уточнил уточнила признал признала предупредил предупредила призвал призвала назвал назвала назвали
		напомнил напомнила прокомментировал прокомментировала пообещал пообещала указал указала
		констатировал констатировала сообщает передает цитирует добавили подчеркнули`), slavicSpeechVerbs())

	// roleWords are lower-case nouns and modifiers that describe a position, not a name.
	roleWords = set(`minister president secretary spokesman spokeswoman spokesperson chief executive director
		senator sen sen. rep rep. representative governor gov gov. mayor chairman chairwoman chair ceo cfo leader head
		official officials ambassador general gen gen. prime foreign defence defense deputy vice press adviser
		advisor candidate nominee commissioner judge justice attorney lawyer prosecutor analyst economist
		professor prof dr dr. mr mr. mrs mrs. ms ms. miss sir dame lord lady king queen prince princess pope
		father rev rev. reverend bishop captain capt colonel col lieutenant sergeant officer coach manager
		striker midfielder defender goalkeeper captain chancellor speaker member mp congressman congresswoman
		councillor councilman founder owner editor correspondent reporter author researcher scientist organiser organizer
		strategist aide staffer source sources expert observer resident witness voter protester spokesperson boss
		singer actor actress comedian presenter broadcaster writer novelist playwright producer musician
		rapper artist designer photographer filmmaker composer conductor dancer chef diplomat дипломат дипломатка
		guitarist drummer bassist pianist keyboardist vocalist frontman frontwoman violinist cellist
		songwriter lyricist
		star winger full-back fly-half scrum-half skipper keeper batsman all-rounder jockey trainer
		champion sprinter athlete swimmer cyclist golfer boxer referee umpire pundit critic host creator
		campaign company firm government ministry party team club spokesman,
		former current acting then interim senior junior top national regional state federal
		міністр президент прем'єр речник речниця голова керівник директор посол генерал депутат мер
		министр президент премьер пресс-секретарь представитель глава руководитель директор посол генерал
		депутат мэр спикер
		міністерка депутатка заступник заступниця очільник очільниця керівниця директорка губернатор
		командувач командир капітан тренер аналітик аналітикиня експерт експертка економіст юрист адвокат
		адвокатка прокурор суддя професор лікар політолог журналіст журналістка нардеп нардепка сенатор канцлер
		віцепрем'єр спікер омбудсман уповноважений уповноважена представник представниця пресслужба
		прессекретар прессекретарка секретар радник радниця помічник начальник начальниця засновник
		співзасновник власник гендиректор президентка дослідник дослідниця інженер ректор мерка
		представительница руководительница заместитель замглавы командующий капитан аналитик эксперт
		экономист прокурор судья врач журналист сенатор советник помощник начальник основатель владелец
		гендиректор исследователь инженер председатель главврач ректор декан академик посланник
		политолог профессор юрист адвокат губернатор командир блогер блогерка блогерша писатель
		писательница певец певица актер актёр актриса режиссер режиссёр продюсер музыкант художник
		фотограф композитор дирижер танцор шеф-повар редактор корреспондент автор ученый учёный
		наставник полузащитник нападающий защитник вратарь футболист хоккеист теннисист спортсмен
		спортсменка комментатор историк социолог
		письменник письменниця співак співачка актор акторка режисер режисерка продюсер
		музикант художник фотограф композитор диригент редактор кореспондент автор науковець
		вчений вчена наставник півзахисник нападник захисник воротар футболіст хокеїст тенісист
		тенісистка спортсмен спортсменка коментатор історик історикиня соціолог
		sgt sgt. lt lt. maj maj. cmdr cmdr. adm adm. cpl cpl. det det. insp insp. supt supt. brig brig.`)

	// titleWords are honorifics that are not part of the name in comparisons.
	titleWords = set(`mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame rev rev. sen sen. rep rep. gov gov.
		gen gen. president senator governor pope col col. lt lt. sgt sgt. capt capt. cmdr cmdr. adm adm.
		maj maj. cpl cpl. det det. insp insp. supt supt. brig brig.`)

	pronounsEN = set(`he she they it we i you his her their who which`)
	pronounsUK = set(`він вона вони воно ми я`)
	pronounsRU = set(`он она они оно мы я`)
)

// IsPronoun reports whether a speaker mention is a bare pronoun ("he", "вона", "он"),
// for callers that class how a speaker was reached.
func IsPronoun(s string) bool { return isPronoun(s) }

// isPronoun reports whether a speaker mention is a bare pronoun.
func isPronoun(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return pronounsEN[l] || pronounsUK[l] || pronounsRU[l]
}

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

// orgWords mark a capitalised phrase as an organisation or place, not a person.
var orgWords = set(`department party committee convention council university times post news court house
	senate congress agency association foundation campaign company corporation inc corp institute center
	centre service ministry office bank fund union commission administration network movement caucus church
	street journal review magazine group organization organisation board authority police army navy force
	government club school college hospital station channel media press federation league security nations
	states republic kingdom city county state avenue airport museum times tribune herald guardian reuters
	press report reports poll polls survey fox cnn msnbc abc nbc cbs bbc twitter facebook google apple
	act amendment treaty accord`)

func isOrgName(name string) bool {
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

// FindQuotes returns every direct quotation in the document's text with its speaker,
// best first: key quotes, then full statements, then fragments.
func FindQuotes(text string, lang string) []Quote {
	// Quotes are cut from the text as written; backquote pairs are marks only to
	// the finder (they keep their two bytes, so offsets agree).
	written := text
	text = backquotePairs(text)
	spans := findSpans(text)
	if len(spans) == 0 {
		return nil
	}
	if len(spans) > maxQuoteSpans {
		spans = spans[:maxQuoteSpans]
		for k := range spans {
			if spans[k].continuesTo >= len(spans) {
				spans[k].continuesTo = -1
			}
		}
	}
	people := dropQuotedMentions(collectPeople(text), text, spans)
	var quotes []Quote
	lastIdx := -1 // the previous attributed quote, for split and continued quotes
	for k := 0; k < len(spans); k++ {
		var last *Quote
		if lastIdx >= 0 {
			last = &quotes[lastIdx]
		}
		sp := spans[k]
		if sp.continuation {
			continue // joined into its predecessor below
		}
		parts := []string{strings.TrimSpace(written[sp.start:sp.end])}
		endSpan := sp
		for j := k; spans[j].continuesTo >= 0; j = spans[j].continuesTo {
			next := spans[spans[j].continuesTo]
			parts = append(parts, strings.TrimSpace(written[next.start:next.end]))
			endSpan = next
		}
		parts = nonEmpty(parts)
		q := Quote{Text: strings.Join(parts, " "), Parts: parts, Start: sp.start, End: sp.end}
		if strings.TrimSpace(q.Text) == "" || !hasLetter(q.Text) {
			continue
		}
		introduced := false
		mention, cue, ok := attribute(text, sp, endSpan, q.Text)
		if !ok {
			// «Слова, — сказал он. — Ещё слова»: the author's words inside the marks.
			if before, m, c, after, found := innerAttribution(q.Text); found {
				mention, cue, ok = m, c, true
				q.Parts = nonEmpty([]string{before, after})
				q.Text = strings.Join(q.Parts, " ")
			}
		}
		if ok {
			q.Mention, q.Cue = mention, cue
			q.Speaker, q.Role = resolveSpeaker(mention, sp.outerStart, people, last)
			if pronounGender(mention) != 0 && namedIn(q.Text, q.Speaker) {
				// `"I think Sean's situation is …," he said`: whoever "he" is, he is
				// not Sean; people do not speak of themselves by name (a company,
				// an "it", does: "Deutsche Boerse is convinced …"). The one meant
				// instead is someone named since the paragraph before; else no one.
				q.Speaker, q.Role = resolveWithout(mention, sp.outerStart, people, q.Speaker)
				if !mentionedSince(people, q.Speaker, previousParagraphStart(text, sp.outerStart), sp.outerStart) {
					q.Speaker, q.Role = "", ""
				}
			}
			people = noteSpeaker(people, q, sp.outerStart)
		} else if m, c, ok := reportedSpeaker(text, sp.outerStart); ok {
			// "Governor Berg said inflation would fall.\n\n“We are confident …”"
			q.Mention, q.Cue = m, c
			q.Speaker, q.Role = resolveSpeaker(m, sp.outerStart, people, last)
			people = noteSpeaker(people, q, sp.outerStart)
		} else if m, ok := introducedSpeaker(text, sp.outerStart, people, last); ok {
			// `Double try scorer Martyn Williams was keen not to talk about a Grand
			// Slam. "We've got more self-belief …"`: a new person, named as the subject
			// of the sentence before, says the words, not the last speaker.
			q.Mention = m
			q.Speaker, q.Role = resolveSpeaker(m, sp.outerStart, people, last)
			people = noteSpeaker(people, q, sp.outerStart)
			introduced = true
		} else if last != nil && continuesPrevious(text, sp, *last, spans, k) {
			// "A," she said. "B." — or a new paragraph that only holds a quote.
			q.Speaker, q.Role, q.Mention, q.Cue = last.Speaker, last.Role, last.Mention, last.Cue
		}
		q.Fragment = isFragment(text, sp, q)
		quotes = append(quotes, q)
		if q.Speaker != "" && (q.Cue != "" || introduced) {
			lastIdx = len(quotes) - 1
		}
	}
	for i := range quotes {
		// "“…,” the economy minister said. “…,” said economy minister Heizo Takenaka":
		// a role phrase no one earlier fits means the person of that role named next
		// in the paragraph.
		q := &quotes[i]
		if name, role := splitRole(q.Speaker); q.Speaker != "" && name == "" && lastRoleNoun(role) != "" {
			if p, ok := namedNext(people, role, q.End, paragraphEnd(text, q.End)); ok {
				q.Speaker, q.Role = p.name, p.role
			}
		}
	}
	if narrator, ok := featuredNarrator(text, people); ok {
		for i := range quotes {
			if q := &quotes[i]; q.Speaker == "" && q.Mention == "" && (firstPerson(q.Text) || !q.Fragment) {
				q.Speaker, q.Role = narrator.name, narrator.role
			}
		}
	}
	if defs := acronymsDefined(text, acronymSpeakers(quotes)); len(defs) > 0 {
		for i := range quotes {
			// "the RFU said" after "The Rugby Football Union (RFU)": the name the
			// text spelt out, which a reader may not know by its letters, with them.
			if acr := bareAcronym(quotes[i].Speaker); defs[acr] != "" {
				quotes[i].Speaker = defs[acr] + " (" + acr + ")" // as the text defined it
			}
		}
	}
	for i := range quotes {
		if isHonorific(quotes[i].Role) || brokenRole(quotes[i].Role) {
			// "Mr" said who he is to the resolver, and nothing to a reader; a role
			// cut off after a preposition ("партнерство Росії з") or holding a
			// clock time ("листопада 21:42") is a fragment of the sentence, no role.
			quotes[i].Role = ""
		}
		if bareInflectedNoun(quotes[i].Speaker) && (impersonalCues[quotes[i].Cue] || anaphoricOrg(quotes[i])) {
			// "— говорится в сообщении" after "Как сообщает пресс-служба X, …": the
			// statement is the source's last credited before it.
			if name, role, ok := documentSource(text, quotes[:i], quotes[i].Start, people); ok {
				quotes[i].Speaker, quotes[i].Role = name, role
			}
		}
		if bareInflectedNoun(quotes[i].Speaker) {
			// "— сообщении", "— він": an inflected noun or pronoun the resolver could
			// not turn into a name tells a reader nothing, and is ungrammatical alone.
			quotes[i].Speaker, quotes[i].Role = "", ""
		}
	}
	chooseKeyQuotes(quotes)
	sort.SliceStable(quotes, func(a, b int) bool { return rankQuote(quotes[a]) > rankQuote(quotes[b]) })
	return quotes
}

// roleNamesOne reports whether ts[i], a capitalised word alone, is a person's one
// name because a Ukrainian or Russian role word stands right before it: a Latin-script
// name ("блогер Mick") or a word with a surname's nominative ending ("політолог
// Рейтерович"), not a genitive place or body ("мэр Москвы", "глава МИД").
func roleNamesOne(ts []tok, i int) bool {
	if i == 0 || i+1 < len(ts) && ts[i+1].capitalised() {
		return false
	}
	prev, w := ts[i-1], ts[i].s
	if prev.punct || prev.capitalised() || !isCyrillic(prev.s) || !isRoleWord(prev.lower()) || strings.ToUpper(w) == w {
		return false
	}
	if !isCyrillic(w) {
		return true
	}
	lw := strings.ToLower(w)
	for _, end := range nominativeSurnameEndings {
		if strings.HasSuffix(lw, end) && utf8.RuneCountInString(lw) > utf8.RuneCountInString(end)+2 {
			return true
		}
	}
	return false
}

// nominativeSurnameEndings end Ukrainian and Russian surnames in the nominative.
var nominativeSurnameEndings = strings.Fields(`ов ев ёв ин ын ский цкий ская цкая енко ко ук юк чук ич ян дзе швили ова ева ина ына`)

// anaphoricOrg: "— рассказали в пресс-службе", "— заявили в компанії": a plural
// speech verb and an institution named by its common noun alone, which means the one
// the story credited before.
func anaphoricOrg(q Quote) bool {
	return isCyrillic(q.Cue) && strings.HasSuffix(q.Cue, "ли") && !strings.Contains(q.Speaker, " ") && orgHead(strings.ToLower(q.Speaker))
}

// backquotePairs writes the pairs of backquotes some exports use for quotation marks
// (two before and two after "чудесный вечер") as guillemets, which take the same two
// bytes: a pair that follows a space or an opening punctuation opens, any other closes.
func backquotePairs(text string) string {
	if !strings.Contains(text, "``") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		if !strings.HasPrefix(text[i:], "``") {
			b.WriteByte(text[i])
			i++
			continue
		}
		prev := prevRune(text, i, 0)
		if i == 0 || unicode.IsSpace(prev) || strings.ContainsRune("([{—–-:;,/«", prev) {
			b.WriteString("«")
		} else {
			b.WriteString("»")
		}
		i += 2
	}
	return b.String()
}

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

// documentSource finds who issued a document quoted at pos ("— йдеться в повідомленні"):
// the nearest source credited before it, within docLookback sentences: a sentence that
// reports speech ("Как сообщает пресс-служба X, …", "Про це повідомили в АТЕШ") or an
// earlier quote's speaker.
func documentSource(text string, earlier []Quote, pos int, people []person) (name, role string, ok bool) {
	bestAt := -1
	for _, q := range earlier {
		if q.Start < pos && q.Start > bestAt && q.Speaker != "" && !q.Fragment && !bareInflectedNoun(q.Speaker) && !isPronoun(q.Speaker) {
			bestAt, name, role = q.Start, q.Speaker, q.Role
		}
	}
	// The same or the previous paragraph, or docReach back, whichever reaches further;
	// never more than 4×docReach (a paragraph may be a text's whole length).
	lo := max(0, pos-4*docReach)
	window, at := text[lo:pos], pos-lo
	floor := lo + min(paragraphStart(window, paragraphStart(window, at)-1), paragraphStart(window, at-docReach))
	sentences := sentenceStartRE.FindAllStringIndex(text[floor:pos], -1)
	ends := pos
	for n, k := 0, len(sentences)-1; n < docLookback && k >= -1; k-- {
		start := floor
		if k >= 0 {
			start = floor + sentences[k][1]
		}
		sentence := strings.TrimSpace(text[start:ends])
		ends = start
		if strings.Trim(sentence, "\"“”«»„ ") == "" {
			continue // the quote's own opening mark
		}
		if start < bestAt {
			break // an earlier quote's speaker is nearer
		}
		n++
		if m, _, found := speakerOfSentence(sentence); found && !isPronoun(m) && !bareInflectedNoun(m) {
			nm, r := resolveSpeaker(m, start, people, nil)
			return nm, r, nm != ""
		}
	}
	return name, role, bestAt >= 0 && bestAt >= floor
}

// docLookback is how many sentences back documentSource looks for a credited source,
// within docReach bytes or the previous paragraph.
const (
	docLookback = 3
	docReach    = 600
)

// sentenceStartRE matches what ends a sentence: its mark and the space after, or a
// line break.
var sentenceStartRE = regexp.MustCompile(`[.!?…]["”»]?\s+|\n+`)

// paragraphStart is the offset where the paragraph holding at begins.
func paragraphStart(text string, at int) int {
	if at <= 0 {
		return 0
	}
	return strings.LastIndexByte(text[:min(at, len(text))], '\n') + 1
}

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

// paragraphEnd is the offset of the line break ending the paragraph that holds at.
func paragraphEnd(text string, at int) int {
	rest := text[at:min(len(text), at+paragraphLookahead)] // bounded: see paragraphOpensWith
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		return at + i
	}
	return at + len(rest)
}

// paragraphLookahead bounds how far paragraphEnd looks (a long paragraph's next few
// sentences are all a "named next" rule needs).
const paragraphLookahead = 2000

// innerDash matches the author's words that Ukrainian and Russian put inside one pair
// of quotation marks between dashes: "…, — заявил египетский президент. — …".
var innerDash = regexp.MustCompile(`([,.!?…])[\s\x{00a0}]*[-–—][\s\x{00a0}]+(\p{Ll}+)[\s\x{00a0}]+([^.!?«»"“”]{1,120}?)[.,:][\s\x{00a0}]*[-–—][\s\x{00a0}]+`)

// innerAttribution splits a quotation around the author's words inside it, when they
// are a speech verb and its subject.
func innerAttribution(quote string) (before, mention, cue, after string, ok bool) {
	m := innerDash.FindStringSubmatchIndex(quote)
	if m == nil || !isCyrillic(quote[m[4]:m[5]]) || !cueVerbs[quote[m[4]:m[5]]] {
		return "", "", "", "", false
	}
	ts := lexTokens(quote[m[6]:m[7]])
	np := subjectAfterVerb(ts, 0)
	mention, ok = npOK(np)
	if !ok && len(np) > 0 && len(np) <= 4 && slices.ContainsFunc(np, func(t tok) bool { return isRoleWord(t.lower()) }) {
		mention, ok = joinToks(np), true // "египетский президент": a role the resolver knows
	}
	if !ok {
		return "", "", "", "", false
	}
	before = strings.TrimSpace(quote[:m[2]] + quote[m[2]:m[3]])
	return before, mention, quote[m[4]:m[5]], strings.TrimSpace(quote[m[1]:]), true
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

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// continuesPrevious: an unattributed quote takes the previous speaker when it is in
// the same paragraph right after the previous quote's sentence, or opens the next
// paragraph.
func continuesPrevious(text string, sp span, last Quote, spans []span, k int) bool {
	if k == 0 {
		return false
	}
	prev := spans[k-1]
	if prev.para == sp.para {
		between := text[prev.outerEnd:sp.outerStart]
		return utf8.RuneCountInString(between) < 400 && !strings.Contains(between, "\n")
	}
	return prev.para == sp.para-1 && paragraphOpensWith(text, sp.outerStart)
}

// lastSentenceEnd finds where the last sentence in s starts (after ". "), or -1.
func lastSentenceEnd(s string) int {
	best := -1
	for _, sep := range []string{". ", "! ", "? ", ".” ", ".\" "} {
		if i := strings.LastIndex(s, sep); i >= 0 && i+len(sep) > best {
			// Skip abbreviations such as "Mr. " and initials.
			w := s[:i]
			if j := strings.LastIndexAny(w, " \t"); j >= 0 {
				w = w[j+1:]
			}
			lw := strings.ToLower(strings.Trim(w, `"“”`))
			if titleAbbrevs[lw] || utf8.RuneCountInString(lw) == 1 {
				continue
			}
			best = i + len(sep)
		}
	}
	return best
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
				// An owner is capitalised: "India's", not "last year's".
				if p.punct || !(isRoleWord(p.lower()) || p.capitalised() && possessiveTok(p)) {
					break
				}
				start--
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
			for len(run) > 0 && (isFunctionWord(run[0].lower()) || isNotName(run[0].s)) {
				run = run[1:]
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
	for from < len(text) {
		k := strings.Index(text[from:], sur)
		if k < 0 {
			break
		}
		at, end := from+k, from+k+len(sur)
		from = end
		if !wordBounded(text, at, end) || !subjectPlace(text, at, end) || prevCapitalised(text, at) {
			continue
		}
		p.mentions = append(p.mentions, at)
		p.subjects = append(p.subjects, at)
		p.plain = append(p.plain, at)
		p.surnamed, found = true, true
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
	r, _ := utf8.DecodeLastRuneInString(before)
	if r == ',' && verbFollows(text[end:]) {
		return true // "…held in Pusan in South Korea, Mr Prater predicts …"
	}
	if r == ',' {
		// "…, Volz said", not the second of a list of names ("Stevie Wonder, James Brown").
		// An acronym is no name in a list: "з боку США, Бродський заявив".
		w := lastWordWithin(strings.TrimRight(before, ","))
		return !isCapitalisedWord(w) || strings.ToUpper(w) == w
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
	if p.s == "," && end < len(ts) && finiteOrCue(ts[end]) {
		return true // "…in South Korea, Craig Prater predicts …": a verb says it is a subject
	}
	if p.s == "," {
		// Not the second of a list of names, nor the name a role before it is
		// apposed to ("adviser to IMF's managing director, Rodrigo Rato"); a list
		// holds no ages ("On the outskirts of Kyoto, 83-year-old Yuji Shimizu …").
		return k < 2 || aged || !ts[k-2].capitalised() && !roleHead(ts[k-2].lower())
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
	ws := strings.Fields(rest[:min(len(rest), wordReach)]) // the next word, not the text's
	if len(ws) == 0 {
		return false
	}
	return finiteOrCue(tok{s: strings.TrimRight(ws[0], ",.;:")})
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
	if name == "" || isPronoun(name) || !hasUpper(name) {
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
	p := person{name: name, sur: last, role: role, mentions: []int{at}, plain: []int{at}, gender: g}
	if subject {
		p.subjects = []int{at}
	}
	return append(people, p), len(people)
}

// maxRoleWords bounds a person's role: news roles have a few words ("радниця голови
// Асоціації міст України, мера Києва Віталія Кличка" has ten).
const maxRoleWords = 16

// maxQuoteSpans bounds the quotations an article's text is read for: news has a few
// dozen; a hostile text of 25,000 cost seconds and hundreds of MB, about 25 KB each.
const maxQuoteSpans = 400

// maxPeople bounds the people an article's text can introduce. News names a few dozen;
// a hostile feed's text naming thousands would make resolving them cost time
// quadratic in its length (measured: a 200 KB text of distinct names took 3.4 s).
const maxPeople = 300

// speakerLimit lets every quote's speaker be noted past maxPeople, so that in a text
// that names many people a "he" after a quote still finds its speaker.
const speakerLimit = maxPeople + maxQuoteSpans

// lastWord is the last space-separated word of s, without allocating.
func lastWord(s string) string {
	s = strings.TrimRight(s, " ")
	return s[strings.LastIndexByte(s, ' ')+1:]
}

func sharesSurname(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) == 0 || len(fb) == 0 {
		return false
	}
	sa, sb := fa[len(fa)-1], fb[len(fb)-1]
	return (sa == sb || inflectedSurname(sa, sb) || inflectedSurname(sb, sa)) && (len(fa) == 1 || len(fb) == 1 || fa[0] == fb[0] || endsWithWords(fa, fb) || endsWithWords(fb, fa))
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
	if m == "" {
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
		if last != nil && last.Speaker != "" && !isPronoun(last.Speaker) && (!isCyrillic(m) || isCyrillic(last.Speaker)) {
			return last.Speaker, last.Role
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
		if noun != "" && isCyrillic(noun) {
			// "— отметил эксперт" after "По мнению Березнюка, …": Ukrainian and Russian
			// news rarely writes a role where the person was named, so a role noun no
			// one's role matches means the person last named, as a pronoun would.
			if p, ok := recentPerson(people, at, 0, false, true); ok {
				return p.name, p.role
			}
		}
		if noun != "" && !isCyrillic(noun) && definiteRole(role) && !proxyRoles[noun] {
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
	for i := len(people) - 1; i >= 0; i-- {
		if sharesSurname(people[i].name, name) && compatible(want, people[i].gender) {
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
	// "Representative Charles B. Rangel of New York": the name comes before a
	// connector; what follows describes it.
	for k := 1; k < len(ws)-1; k++ {
		lw := strings.ToLower(ws[k])
		if lw == "of" || lw == "from" || lw == "at" || lw == "for" || lw == "in" {
			if roleThenName(ws[k+1:]) {
				break // "National Bureau of Statistics chief Li Deshui": the name is at the end
			}
			n, r := splitRole(strings.Join(ws[:k], " "))
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
		isConnector := start-1 > 0 && start < end && nameParticles[lw]
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

// honorifics are forms of address, not roles: "Mr Rangel" says he is a man, and his
// role is the one written where he was introduced.
var honorifics = set(`mr mrs ms miss mx sir dame madam пан пані господин госпожа`)

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

// isFragment: one or two words, or a phrase quoted inside a sentence with no
// attribution of its own (scare quotes).
func isFragment(text string, sp span, q Quote) bool {
	n := len(strings.Fields(q.Text))
	if n <= 2 {
		return true
	}
	// Embedded mid-sentence (a word, not a cue or punctuation, right before the mark):
	// a short phrase or a title ("One Hundred Years of Solitude") is not a statement.
	prev := strings.TrimRight(text[max(0, sp.outerStart-30):sp.outerStart], " ")
	r, _ := utf8.DecodeLastRuneInString(prev)
	embedded := unicode.IsLetter(r) && !endsWithCue(prev)
	if !embedded {
		return false
	}
	if q.Speaker == "" {
		return n < 8
	}
	return n <= 5 || titleCase(q.Text)
}

func endsWithCue(s string) bool {
	ts := lexTokens(s)
	return len(ts) > 0 && (isCue(ts[len(ts)-1]) || ts[len(ts)-1].lower() == "that")
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

// rankQuote orders quotes: key first, then attributed full statements, then the rest.
func rankQuote(q Quote) float64 {
	s := q.score
	if q.Key {
		s += 100
	}
	if q.Fragment {
		s -= 100
	}
	return s
}

// chooseKeyQuotes scores full statements and marks the best one or two, from named
// speakers, different speakers preferred.
func chooseKeyQuotes(qs []Quote) {
	for i := range qs {
		q := &qs[i]
		n := len(strings.Fields(q.Text))
		s := 0.0
		switch {
		case n >= 8 && n <= 45:
			s += 3
		case n >= 5:
			s += 1.5
		}
		// Fuller statements first; one that ends mid-sentence ("…,") is weaker.
		s += float64(min(n, 40)) / 20
		if strings.HasSuffix(strings.TrimSpace(q.Text), ",") {
			s -= 0.5
		}
		if q.Speaker != "" {
			s += 2
			if !isPronoun(q.Speaker) && hasUpper(q.Speaker) {
				s += 2
			}
		}
		if q.Role != "" {
			s += 0.5
		}
		// Earlier quotes tend to be the ones the story is about.
		s -= float64(i) * 0.05
		q.score = s
	}
	order := make([]int, len(qs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return qs[order[a]].score > qs[order[b]].score })
	var picked []int
	for _, i := range order {
		q := qs[i]
		if q.Fragment || q.Speaker == "" || isPronoun(q.Speaker) || !hasUpper(q.Speaker) || len(strings.Fields(q.Text)) < 5 {
			continue
		}
		if len(picked) == 1 && qs[picked[0]].Speaker == q.Speaker {
			continue // prefer a different voice for the second
		}
		picked = append(picked, i)
		if len(picked) == 2 {
			break
		}
	}
	for _, i := range picked {
		qs[i].Key = true
	}
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// attribute finds who said the quote: a transcript label inside it, then the rest of
// its sentence to the right, then its sentence to the left, then a previous paragraph
// that ends with a colon ("Caddell continued:").
func attribute(text string, first, last span, quote string) (mention, cue string, ok bool) {
	if label, ok := transcriptSpeaker(quote); ok {
		return label, ":", true
	}
	restLen := 300
	if isCyrillic(quote) {
		restLen = 600 // two bytes a letter: the same reach as in English
	}
	rest := text[last.outerEnd:min(len(text), last.outerEnd+restLen)]
	if i := strings.Index(rest, "\n"); i >= 0 {
		rest = rest[:i]
	}
	// A quotation that ends its sentence with words before it in the sentence is the
	// object of the verb on its left: "Husted said the decision “will force us ….” He
	// said that …" is Husted's, whatever the next sentence says.
	sentence := sentenceBefore(text, first.outerStart)
	closed := strings.HasSuffix(strings.TrimSpace(text[last.start:last.end]), ".")
	if closed && sentence != "" {
		if m, c, ok := attributeLeft(sentence); ok {
			return m, c, true
		}
	}
	if m, c, ok := attributeRight(rest, closed); ok {
		return m, c, true
	}
	if sentence != "" {
		if m, c, ok := attributeLeft(sentence); ok {
			return m, c, true
		}
	}
	if !closed {
		// `The band have done "everything in their powers" to stay on top, according
		// to Q editor Paul Rees.`: the source that ends the sentence speaks it all.
		if m, ok := trailingAccording(rest); ok {
			return m, "according to", true
		}
	}
	if sentence == "" {
		// "…, Schiff said. “The other factor …”": the sentence before is an attribution.
		if m, c, ok := attributeTrailing(previousSentence(text, first.outerStart)); ok {
			return m, c, true
		}
	}
	if paragraphOpensWith(text, first.outerStart) {
		// The previous paragraph introduces the quote: "The New York Times reports:".
		p := strings.TrimRight(text[:first.outerStart], " \t\n")
		if strings.HasSuffix(p, ":") {
			if m, c, ok := attributeLeft(sentenceBefore(text, len(p))); ok {
				return m, c, true
			}
		}
	}
	return "", "", false
}

// sentenceBefore returns the part of the sentence (within its paragraph) that precedes
// pos.
func sentenceBefore(text string, pos int) string {
	from := max(0, pos-400)
	left := text[from:pos]
	if i := strings.LastIndex(left, "\n"); i >= 0 {
		left = left[i+1:]
	}
	if i := lastSentenceEnd(left); i >= 0 {
		left = left[i:]
	}
	return strings.TrimSpace(left)
}

func startsWithLabel(quote string) bool {
	_, ok := transcriptSpeaker(quote)
	return ok
}

func isCapitalisedWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// previousSentence returns the sentence before pos within its paragraph, or "".
func previousSentence(text string, pos int) string {
	from := max(0, pos-400)
	left := text[from:pos]
	if i := strings.LastIndex(left, "\n"); i >= 0 {
		left = left[i+1:]
	}
	left = strings.TrimRight(left, " \t")
	if left == "" {
		return ""
	}
	body := left[:len(left)-1]
	if i := lastSentenceEnd(body); i >= 0 {
		return strings.TrimSpace(left[i:])
	}
	return strings.TrimSpace(left)
}

// attributeTrailing reads a sentence that ends in an attribution and holds no quote
// of its own: "…, Schiff said." / "Schiff said."
func attributeTrailing(sentence string) (mention, cue string, ok bool) {
	if strings.ContainsAny(sentence, "\"“”«»") {
		return "", "", false
	}
	ts := lexTokens(sentence)
	for len(ts) > 0 && ts[len(ts)-1].punct {
		ts = ts[:len(ts)-1]
	}
	if len(ts) < 2 {
		return "", "", false
	}
	last := ts[len(ts)-1]
	if isCue(last) && !participleCues[last.lower()] {
		subj := trimAux(clauseBefore(ts, len(ts)-1))
		if m, ok := npOK(subj); ok {
			return m, last.lower(), true
		}
	}
	return "", "", false
}

// firstContentWord skips a leading determiner.
func firstContentWord(ws []string) int {
	if len(ws) > 1 && (determiners[ws[0]] || (isCapitalisedWord(ws[0]) && determiners[strings.ToLower(ws[0])])) {
		return 1
	}
	return 0
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

// trailingAccording reads the rest of a quote's sentence for a source that closes it:
// ", according to X." with no speech verb or quotation before it.
func trailingAccording(rest string) (string, bool) {
	ts := lexTokens(rest)
	for k, t := range ts {
		if sentenceEnd(t) || t.s == "\"" || t.s == "“" || t.s == "«" || isCue(t) {
			return "", false
		}
		if t.s == "," && k+2 < len(ts) && accordingTo(ts[k+1].lower(), ts[k+2].lower()) {
			end := k + 1
			for end < len(ts) && !sentenceEnd(ts[end]) {
				end++
			}
			from := k + 1 + accordingLen(ts[k+2].lower())
			if from >= end {
				return "", false // "…, з посиланням." with no source: a cut sentence
			}
			return sourceAfter(ts[:end], from)
		}
	}
	return "", false
}

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
	verb := slices.IndexFunc(ts, func(t tok) bool { return finiteAux[t.s] })
	if start < 0 || verb < 0 {
		return "", false
	}
	// The sentence's subject: a person named before its first finite verb, not after
	// a preposition ("Double try scorer Martyn Williams was keen …").
	best, bestAt := -1, start+ts[verb].at
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

// brokenRole reports whether a role is a fragment of its sentence rather than a
// description of the speaker: it ends in a preposition or conjunction, opens with a
// relative pronoun, or holds a clock time.
func brokenRole(role string) bool {
	ws := strings.Fields(role)
	if len(ws) == 0 {
		return false
	}
	last := strings.ToLower(strings.Trim(ws[len(ws)-1], ",.;:"))
	if prepositions[last] || npConnectors[last] || slavicFunctionWords[last] || relativeWords[strings.ToLower(ws[0])] {
		return true // a relative clause is no role either ("який пройде в Бразилії")
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
// left is 2 to 6 capital letters, else "".
func bareAcronym(speaker string) string {
	sp := strings.TrimSpace(speaker)
	for _, det := range []string{"The ", "the ", "An ", "an ", "A ", "a "} {
		sp = strings.TrimPrefix(sp, det)
	}
	n := utf8.RuneCountInString(sp)
	if n < 2 || n > 6 || strings.ToUpper(sp) != sp || strings.ContainsFunc(sp, func(r rune) bool { return !unicode.IsLetter(r) }) {
		return ""
	}
	return sp
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
	letters := []rune(acr)
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

// previousParagraphStart is where the paragraph before the one holding at starts,
// over blank lines.
func previousParagraphStart(text string, at int) int {
	p := paragraphStart(text, at) - 1
	for p > 0 && text[p-1] == '\n' {
		p--
	}
	return paragraphStart(text, p)
}

// slavicFunctionWords are Ukrainian and Russian prepositions and conjunctions no role
// ends with.
var slavicFunctionWords = set(`з із зі в у на до від по за про для при через між під над о об та і й а але чи що як
	с со в во к ко от из о об при про для через между под над и а но или что как`)
