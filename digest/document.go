package digest

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Article is the input to the digest engine.
type Article struct {
	Title string
	// Text is plain text, paragraphs separated by blank lines.
	Text string
	// Lang is an ISO 639-1 code; empty means detect.
	Lang string
}

// Document is an analysed article: sentences, tokens and TF-IDF vectors, computed once
// and shared by the summary, quotes and background.
type Document struct {
	Lang      string
	Title     string
	Sentences []Sentence

	tok        *tokenizer
	stems      [][]string // content stems per sentence
	words      []int      // word count per sentence
	vecs       []vector   // unit TF-IDF vectors
	titleStems map[string]bool
	junk       []bool // boilerplate: never a summary or background sentence
	heading    []bool
}

type vector map[string]float64

func (v vector) dot(w vector) float64 {
	if len(w) < len(v) {
		v, w = w, v
	}
	s := 0.0
	for k, x := range v {
		s += x * w[k]
	}
	return s
}

// Analyze segments and tokenises an article.
func Analyze(a Article) *Document {
	lang := a.Lang
	if lang == "" || lang == "auto" {
		lang = DetectLanguage(a.Title + "\n" + a.Text)
	}
	d := &Document{Lang: lang, Title: strings.TrimSpace(a.Title), tok: newTokenizer(lang)}
	d.Sentences = SplitSentences(a.Text)
	n := len(d.Sentences)
	d.stems = make([][]string, n)
	d.words = make([]int, n)
	d.junk = make([]bool, n)
	d.heading = make([]bool, n)
	df := map[string]int{}
	for i, s := range d.Sentences {
		d.stems[i] = d.tok.contentStems(s.Text)
		d.words[i] = len(strings.Fields(s.Text))
		d.heading[i] = isHeading(s.Text)
		d.junk[i] = isBoilerplate(s.Text, i, n)
		seen := map[string]bool{}
		for _, st := range d.stems[i] {
			if !seen[st] {
				seen[st] = true
				df[st]++
			}
		}
	}
	// Sentences after a "Comments" heading are reader comments, not the article.
	for i, s := range d.Sentences {
		if d.heading[i] && commentsHeading.MatchString(s.Text) {
			for j := i; j < n; j++ {
				d.junk[j] = true
			}
			break
		}
	}
	d.vecs = make([]vector, n)
	for i := range d.Sentences {
		v := vector{}
		for _, st := range d.stems[i] {
			v[st]++
		}
		norm := 0.0
		for st, tf := range v {
			w := (1 + math.Log(tf)) * math.Log(1+float64(n)/float64(df[st]))
			v[st] = w
			norm += w * w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for st := range v {
				v[st] /= norm
			}
		}
		d.vecs[i] = v
	}
	d.titleStems = map[string]bool{}
	for _, st := range d.tok.contentStems(d.Title) {
		d.titleStems[st] = true
	}
	return d
}

// isHeading: a short line without sentence-final punctuation.
func isHeading(s string) bool {
	if utf8.RuneCountInString(s) > 90 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	return !strings.ContainsRune(".!?…\"”»:;'’)", last)
}

var (
	commentsHeading = regexp.MustCompile(`(?i)^(\d+\s+)?(comments?|reader comments|join the discussion|коментар\S*|комментари\S*)\b`)
	boilerplateRE   = regexp.MustCompile(`(?i)^(by\s+[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}\s*(,|$)|` +
		`(photo|image|picture|illustration|video)(\s+(credit|copyright|source))?\s*[:©]|` +
		`(image|photo|picture)\s+(copyright|caption)|getty images|reuters/|ap photo|afp via|` +
		`read more|read also|see also|related:|more on this story|sign up|subscribe|follow us|share this|` +
		`click here|advertisement|newsletter|all rights reserved|copyright ©|` +
		`читайте також|читайте также|фото:|джерело:|источник:|підписуйтесь|подписывайтесь)`)
	questionToReader = regexp.MustCompile(`(?i)\b(you|your|вы|ви|вас|вам)\b`)
)

// isBoilerplate flags bylines, credits, calls to action and questions to the reader.
func isBoilerplate(s string, i, n int) bool {
	if boilerplateRE.MatchString(s) {
		return true
	}
	if strings.HasSuffix(s, "?") && questionToReader.MatchString(s) {
		return true
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters < 3
}
