package digest

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	// A sample is enough, and detection cost grows with length.
	if len(text) > 1200 {
		cut := 1200
		for cut < len(text) && !utf8.RuneStart(text[cut]) {
			cut++
		}
		text = text[:cut]
	}
	var ukOnly, ruOnly, cyr, latin int
	for _, r := range text {
		switch {
		case r < 0x80:
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				latin++
			}
		case r == 'і' || r == 'ї' || r == 'є' || r == 'ґ' || r == 'І' || r == 'Ї' || r == 'Є' || r == 'Ґ':
			ukOnly++
			cyr++
		case r == 'ы' || r == 'э' || r == 'ъ' || r == 'ё' || r == 'Ы' || r == 'Э' || r == 'Ъ' || r == 'Ё':
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
	// Latin text where English function words are frequent is English; checking that
	// is far cheaper than trigram profiles.
	if latin > cyr {
		ws := words(text)
		en := 0
		for _, w := range ws {
			if englishMarkers[w] {
				en++
			}
		}
		if len(ws) >= 20 && en*100 >= len(ws)*18 {
			return LangEnglish
		}
	}
	info := whatlanggo.Detect(text)
	code := info.Lang.Iso6391()
	// A headline is too short for trigram statistics: "Ferry capsizes off Lesbos,
	// twelve dead" scores as Spanish. Latin script without a reliable verdict is
	// taken as English, so one story's headlines are stemmed alike.
	if code == "" || (!info.IsReliable() && latin > cyr) {
		if latin > cyr {
			return LangEnglish
		}
		return ""
	}
	return code
}

// englishMarkers are words frequent in English and rare in other Latin-script
// languages.
var englishMarkers = set(`the of and to in is that for it was on with as by at from his her their have has
	had were be been which who would will said not but they this an`)

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
	out := make([]string, 0, len(s)/5)
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		w = strings.Trim(w, "'’")
		if w == "" {
			return
		}
		out = append(out, lowerWord(w))
	}
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'),
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0 && i+size < len(s) && isLetterAt(s, i+size):
			// inside a word
		default:
			flush(i)
		}
		i += size
	}
	flush(len(s))
	return out
}

func isLetterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// lowerWord lower-cases w, without allocating when it already is.
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return strings.ToLower(strings.ReplaceAll(w, "’", "'"))
		}
	}
	return w
}

// stemCache memoises stems across documents: news vocabulary repeats, and snowball
// is the costliest step of tokenising. It is reset when it grows past a bound.
var stemCache = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const stemCacheMax = 300_000

func (t *tokenizer) stem(w string) string {
	if s, ok := t.cache[w]; ok {
		return s
	}
	key := t.lang + ":" + w
	stemCache.RLock()
	s, ok := stemCache.m[key]
	stemCache.RUnlock()
	if ok {
		t.cache[w] = s
		return s
	}
	s = t.computeStem(w)
	stemCache.Lock()
	if len(stemCache.m) >= stemCacheMax {
		stemCache.m = map[string]string{}
	}
	stemCache.m[key] = s
	stemCache.Unlock()
	t.cache[w] = s
	return s
}

func (t *tokenizer) computeStem(w string) string {
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
