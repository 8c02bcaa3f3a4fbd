package digest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence is one unit of text: a sentence, a heading or a list item.
type Sentence struct {
	Text string
	// Para is the index of the paragraph the sentence belongs to; Index is its position
	// in the document; Start and End are byte offsets into the original text.
	Para, Index int
	Start, End  int
}

// titleAbbrevs precede a name or number and never end a sentence ("Mr. Smith",
// "No. 10"); otherAbbrevs usually do not, but can ("... Apple Inc. The company"), so
// they end one when the next word is a function word. Compared lower-cased, without
// the final period.
var titleAbbrevs, otherAbbrevs = map[string]bool{}, map[string]bool{}

// numberAbbrevs precede a number ("No. 10", "p. 5") and end no sentence there; before
// a word they are ordinary words ("a new para. Then").
var numberAbbrevs = set(`no nos vol vols pp p fig figs ch art para sec №`)

func init() {
	for _, a := range strings.Fields(`mr mrs ms dr prof st gen col lt sgt capt cmdr adm gov sen rep rev hon pres
		fr messrs mme mlle insp supt det cpl pte maj brig approx mt
		им ул пл просп д кв стр ст проф акад доц св ген см рис табл напр тов пан пані вул`) {
		titleAbbrevs[a] = true
	}
	for _, a := range strings.Fields(`jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri
		sat sun sr jr inc ltd co corp plc llc bhd ag gmbh bros vs v etc al e.g i.e cf viz ca c est dept univ assn
		u.s u.k u.n e.u u.s.a d.c n.y l.a a.m p.m ph.d b.a m.a ft ave blvd rd hwy
		т.е т.д т.п т.к др пр г гг ч млн млрд трлн тыс руб грн коп долл т.ч тис обл р в.о`) {
		otherAbbrevs[a] = true
	}
}

// quote marks: openers and their closers. A straight quote toggles.
var quotePairs = map[rune]rune{'"': '"', '“': '”', '«': '»', '„': '“', '”': '”'}

func isClosingPunct(r rune) bool {
	return r == '"' || r == '”' || r == '»' || r == '’' || r == '\'' || r == ')' || r == ']' || r == '“'
}

// SplitSentences splits text into sentences. Paragraphs are separated by blank lines;
// every other line break also ends a unit, so headings and list items stand alone.
// It handles abbreviations (Mr., U.S., Jan., No. 10), initials, decimals and money
// ($1.13bn), ellipses, and keeps a short quotation that runs over several sentences in
// one unit together with its attribution.
func SplitSentences(text string) []Sentence {
	var out []Sentence
	para := 0
	pos := 0
	for pos < len(text) {
		// Find the paragraph [pos, end).
		end := strings.Index(text[pos:], "\n\n")
		var next int
		if end < 0 {
			end, next = len(text), len(text)
		} else {
			end += pos
			next = end + 2
		}
		if strings.TrimSpace(text[pos:end]) != "" {
			// Lines within a paragraph are separate units (headings, list items,
			// single <br> breaks).
			lineStart := pos
			for lineStart < end {
				lineEnd := strings.IndexByte(text[lineStart:end], '\n')
				if lineEnd < 0 {
					lineEnd = end
				} else {
					lineEnd += lineStart
				}
				for _, s := range splitLine(text, lineStart, lineEnd) {
					s.Para = para
					s.Index = len(out)
					out = append(out, s)
				}
				lineStart = lineEnd + 1
			}
			para++
		}
		pos = next
	}
	return out
}

// maxQuoteSpan is the longest quotation kept in one unit across sentence ends.
const maxQuoteSpan = 320

// splitLine splits text[start:end] (one line) into sentences.
func splitLine(text string, start, end int) []Sentence {
	var out []Sentence
	segStart := start
	var openQuote rune // the closer we are waiting for, 0 when outside a quote
	openAt := 0
	emit := func(to int) {
		s := strings.TrimSpace(text[segStart:to])
		if s != "" {
			lead := len(text[segStart:to]) - len(strings.TrimLeftFunc(text[segStart:to], unicode.IsSpace))
			out = append(out, Sentence{Text: s, Start: segStart + lead, End: segStart + lead + len(s)})
		}
		segStart = to
	}
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case openQuote != 0 && r == openQuote && (r != '"' || !isWordRune(peekRune(text, i+size, end))):
			openQuote = 0
		case openQuote == 0 && isQuoteOpener(text, i, r, start, end):
			openQuote = quotePairs[r]
			openAt = i
		}
		if r == '.' || r == '!' || r == '?' || r == '…' {
			j := i + size
			// Swallow runs of terminators ("?!", "...") and closing quotes/brackets.
			for j < end {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if r2 == '.' || r2 == '!' || r2 == '?' || r2 == '…' {
					j += s2
					continue
				}
				if isClosingPunct(r2) {
					if openQuote != 0 && r2 == openQuote {
						openQuote = 0
					}
					j += s2
					continue
				}
				break
			}
			if isBoundary(text, i, j, start, end) {
				inLongQuote := openQuote != 0 && closesWithin(text, j, end, openQuote) && j-openAt < maxQuoteSpan
				if !inLongQuote {
					emit(j)
					openQuote = 0
				}
			}
			i = j
			continue
		}
		i += size
	}
	emit(end)
	return out
}

func peekRune(text string, i, end int) rune {
	if i >= end {
		return ' '
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return r
}

func prevRune(text string, i, start int) rune {
	if i <= start {
		return ' '
	}
	r, _ := utf8.DecodeLastRuneInString(text[start:i])
	return r
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isQuoteOpener decides whether r at i opens a quotation: curly/guillemet openers
// always; a straight quote only at a word start.
func isQuoteOpener(text string, i int, r rune, start, end int) bool {
	switch r {
	case '“', '«', '„':
		return true
	case '"':
		prev := prevRune(text, i, start)
		return !isWordRune(prev) && isWordRune(peekRune(text, i+1, end)) || prev == ' ' || prev == '(' || i == start
	}
	return false
}

// closesWithin reports whether closer appears in text[from:end].
func closesWithin(text string, from, end int, closer rune) bool {
	return strings.ContainsRune(text[from:end], closer)
}

// isBoundary decides whether the terminator run text[i:j] ends a sentence.
func isBoundary(text string, i, j, start, end int) bool {
	if j >= end {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[j:])
	if !unicode.IsSpace(next) {
		return false // "3.5", "U.S.-led", "example.com"
	}
	// The first visible character after the spaces.
	k := j
	for k < end {
		r, s := utf8.DecodeRuneInString(text[k:])
		if !unicode.IsSpace(r) {
			break
		}
		k += s
	}
	if k >= end {
		return true
	}
	after, _ := utf8.DecodeRuneInString(text[k:])
	term, _ := utf8.DecodeRuneInString(text[i:])
	if unicode.IsLower(after) {
		return false // "... and so on. and" / ellipsis inside a sentence
	}
	if term != '.' {
		return true // ! ? … followed by a capital
	}
	if text[i:j] != "." && strings.HasPrefix(text[i:j], "..") {
		return true // an ellipsis followed by a capital ends the sentence
	}
	// The word before the period.
	w := i
	for w > start {
		r, s := utf8.DecodeLastRuneInString(text[start:w])
		if unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' || r == '«' {
			break
		}
		w -= s
	}
	raw := strings.TrimLeft(text[w:i], "\"'“«(")
	word := strings.ToLower(raw)
	if word == "" {
		return true
	}
	// An all-capitals word without dots is an acronym ("SEC", "NATO"), not an
	// abbreviation, so its period ends the sentence.
	acronym := utf8.RuneCountInString(raw) > 1 && strings.ToUpper(raw) == raw && !strings.Contains(raw, ".")
	if !acronym && titleAbbrevs[word] {
		return false
	}
	if numberAbbrevs[word] && unicode.IsDigit(after) {
		return false
	}
	if !acronym && otherAbbrevs[word] {
		return isFunctionWord(nextWord(text, k, end))
	}
	// Initials: a single capital letter ("John F. Kennedy", "J. K. Rowling").
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(text[w:i])
		if unicode.IsUpper(r) {
			return false
		}
	}
	// Dotted acronyms not in the list ("U.S.S.R.") before a capital: keep together
	// only when followed by a name-like word is too risky; treat as a boundary.
	return true
}

// nextWord returns the lower-cased word starting at k.
func nextWord(text string, k, end int) string {
	e := k
	for e < end {
		r, s := utf8.DecodeRuneInString(text[e:])
		if !isWordRune(r) && r != '\'' {
			break
		}
		e += s
	}
	return strings.ToLower(text[k:e])
}

// IsFunctionWord reports whether the lower-case w is an English, Ukrainian or Russian
// function word ("the", "of", "у", "в"): evaluation scores speakers by the words that
// carry a name, not by these.
func IsFunctionWord(w string) bool { return isFunctionWord(w) }

// isFunctionWord reports whether w is a stopword in any supported language: a sign
// that a new sentence starts ("... Inc. The company").
func isFunctionWord(w string) bool {
	for _, st := range stopwords {
		if st[w] {
			return true
		}
	}
	return false
}
