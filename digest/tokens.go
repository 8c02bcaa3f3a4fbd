package digest

import (
	"strings"
	"unicode"

	"github.com/abadojack/whatlanggo"
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Language codes.
const (
	LangEnglish   = "en"
	LangUkrainian = "uk"
	LangRussian   = "ru"
)

// DetectLanguage returns an ISO 639-1 code for text ("en", "uk", "ru", ...), or "" when
// unsure. It uses whatlanggo (trigram profiles, no model download) and settles the
// Ukrainian/Russian confusion by letters only one of the two alphabets has.
func DetectLanguage(text string) string {
	if len(text) > 4000 {
		text = text[:4000]
	}
	var ukOnly, ruOnly, cyr, latin int
	for _, r := range text {
		switch {
		case strings.ContainsRune("іїєґІЇЄҐ", r):
			ukOnly++
			cyr++
		case strings.ContainsRune("ыэъёЫЭЪЁ", r):
			ruOnly++
			cyr++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if cyr > latin {
		switch {
		case ukOnly > ruOnly:
			return LangUkrainian
		case ruOnly > ukOnly:
			return LangRussian
		}
	}
	info := whatlanggo.Detect(text)
	code := info.Lang.Iso6391()
	if code == "" || (info.Confidence < 0.2 && latin > cyr) {
		if latin > cyr {
			return LangEnglish
		}
		return ""
	}
	return code
}

// Token is a normalised word.
type Token struct {
	Word string // lower-cased surface form
	Stem string
	Stop bool
}

// tokenizer normalises words for one language.
type tokenizer struct {
	lang  string
	stops map[string]bool
	cache map[string]string
}

func newTokenizer(lang string) *tokenizer {
	return &tokenizer{lang: lang, stops: stopwords[lang], cache: map[string]string{}}
}

// words splits s into lower-cased runs of letters and digits (apostrophes inside a word
// are kept: "don't", "o'clock"; a possessive "'s" is dropped).
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			w := b.String()
			w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
			w = strings.Trim(w, "'’")
			if w != "" {
				out = append(out, w)
			}
			b.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			b.WriteRune('\'')
		default:
			flush()
		}
	}
	flush()
	return out
}

func (t *tokenizer) stem(w string) string {
	if s, ok := t.cache[w]; ok {
		return s
	}
	var s string
	switch t.lang {
	case LangEnglish:
		s = english.Stem(w, false)
	case LangRussian:
		s = russian.Stem(w, false)
	case LangUkrainian:
		s = stemUkrainian(w)
	default:
		s = w
	}
	t.cache[w] = s
	return s
}

// tokens returns the tokens of s.
func (t *tokenizer) tokens(s string) []Token {
	ws := words(s)
	out := make([]Token, len(ws))
	for i, w := range ws {
		out[i] = Token{Word: w, Stem: t.stem(w), Stop: t.stops[w] || isNumberish(w) && len(w) < 2}
	}
	return out
}

// contentStems returns the stems of non-stopword tokens.
func (t *tokenizer) contentStems(s string) []string {
	var out []string
	for _, tok := range t.tokens(s) {
		if !tok.Stop {
			out = append(out, tok.Stem)
		}
	}
	return out
}

func isNumberish(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// ukrainianSuffixes are stripped longest first by the light Ukrainian stemmer; snowball
// has no Ukrainian stemmer, and a light one is enough for similarity.
var ukrainianSuffixes = []string{
	"ськими", "цькими", "ського", "ському", "ськими", "ської", "ській", "ською",
	"ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "ній", "ній", "ною", "ної", "ими",
	"ах", "ях", "ом", "ем", "ою", "ею", "ий", "ій", "их", "іх", "ої", "ей", "ів", "їв",
	"ти", "ть", "ся", "сь", "ла", "ло", "ли", "ть", "уть", "ють", "ать", "ять",
	"а", "я", "о", "е", "і", "и", "у", "ю", "ь", "ї", "й",
}

func stemUkrainian(w string) string {
	rs := []rune(w)
	if len(rs) <= 3 {
		return w
	}
	for _, suf := range ukrainianSuffixes {
		sr := []rune(suf)
		if len(rs)-len(sr) >= 3 && strings.HasSuffix(w, suf) {
			return string(rs[:len(rs)-len(sr)])
		}
	}
	return w
}
