package digest

import (
	"math"
	"regexp"
	"slices"
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
	toks       [][]Token  // all tokens per sentence
	stems      [][]string // content stems per sentence
	lex        []float64  // LexRank, computed once
	stemIDs    [][]int32  // distinct content stems per sentence, as sorted ids
	words      []int      // word count per sentence
	vecs       []vector   // unit TF-IDF vectors
	titleStems map[string]bool
	junk       []bool // boilerplate: never a summary or background sentence
	heading    []bool
}

// vector is a sparse vector over the document's stem ids, sorted by id, so a dot
// product is a merge rather than map lookups (and sums run in a fixed order).
type vector struct {
	ids []int32
	w   []float64
}

func (v vector) dot(u vector) float64 {
	s := 0.0
	i, j := 0, 0
	for i < len(v.ids) && j < len(u.ids) {
		switch {
		case v.ids[i] < u.ids[j]:
			i++
		case v.ids[i] > u.ids[j]:
			j++
		default:
			s += v.w[i] * u.w[j]
			i++
			j++
		}
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
	if len(d.Sentences) > 0 {
		// "LONDON (Reuters) - Text": the dateline is not part of the sentence.
		if m := datelineRE.FindStringIndex(d.Sentences[0].Text); m != nil && m[1] < len(d.Sentences[0].Text) {
			d.Sentences[0].Text = d.Sentences[0].Text[m[1]:]
			d.Sentences[0].Start += m[1]
		}
	}
	n := len(d.Sentences)
	d.stems = make([][]string, n)
	d.toks = make([][]Token, n)
	d.words = make([]int, n)
	d.junk = make([]bool, n)
	d.heading = make([]bool, n)
	vocab := map[string]int32{}
	var df []int // by stem id
	d.stemIDs = make([][]int32, n)
	for i, s := range d.Sentences {
		d.toks[i] = d.tok.tokens(s.Text)
		var ids []int32
		for _, t := range d.toks[i] {
			if t.Stop {
				continue
			}
			d.stems[i] = append(d.stems[i], t.Stem)
			id, ok := vocab[t.Stem]
			if !ok {
				id = int32(len(vocab))
				vocab[t.Stem] = id
				df = append(df, 0)
			}
			ids = append(ids, id)
		}
		d.words[i] = countWords(s.Text)
		d.heading[i] = isHeading(s.Text)
		d.junk[i] = d.words[i] <= 30 && isBoilerplate(s.Text, i, n)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		d.stemIDs[i] = ids
		for _, id := range ids {
			df[id]++
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
	d.weigh(vocab, df)
	d.titleStems = map[string]bool{}
	for _, st := range d.tok.contentStems(d.Title) {
		d.titleStems[st] = true
	}
	return d
}

// weigh gives each sentence its TF-IDF vector over stem IDs (log TF, smoothed IDF,
// unit length).
func (d *Document) weigh(vocab map[string]int32, df []int) {
	n := len(d.Sentences)
	d.vecs = make([]vector, n)
	for i := range d.Sentences {
		ids := d.stemIDs[i]
		v := vector{ids: ids, w: make([]float64, len(ids))}
		tf := make(map[int32]float64, len(ids))
		for _, st := range d.stems[i] {
			tf[vocab[st]]++
		}
		norm := 0.0
		for k, id := range ids {
			w := (1 + math.Log(tf[id])) * math.Log(1+float64(n)/float64(df[id]))
			v.w[k] = w
			norm += w * w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for k := range v.w {
				v.w[k] /= norm
			}
		}
		d.vecs[i] = v
	}
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
	datelineRE = regexp.MustCompile(`^\p{Lu}[\p{Lu}.'’ \-]{2,30}(?:,\s*\p{Lu}[\p{L}.]+){0,2}\s*(?:\([^)]{1,30}\))?\s*[—–-]{1,2}\s+`)
	// commentsHeading starts the part of a page that is not the article: reader
	// comments, notes about the author or the article.
	commentsHeading = regexp.MustCompile(`(?i)^((\d+\s+)?(comments?|reader comments|join the discussion|коментар\S*|комментари\S*)|about (the|this) (author|article|writer)|про автора|об авторе)(?:$|[^\p{L}\p{N}])`)
	boilerplateRE   = regexp.MustCompile(`(?i)^(by\s+[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}\s*(,|$)|` +
		`(photo|image|picture|illustration|video)(\s+(credit|copyright|source))?\s*[:©]|` +
		`(image|photo|picture)\s+(copyright|caption)|getty images|reuters/|ap photo|afp via|` +
		`read more|read also|see also|related:|more on this story|sign up|subscribe|follow us|share this|` +
		`click here|advertisement|newsletter|all rights reserved|copyright ©|` +
		`читайте також|читайте также|фото:|джерело:|источник:|підписуйтесь|подписывайтесь)`)
	questionToReader = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(you|your|вы|ви|вас|вам)(?:$|[^\p{L}\p{N}])`)
)

// boilerplateStarters are the first words boilerplateRE can match after; testing
// them first keeps the expression off ordinary sentences.
var boilerplateStarters = set(`by photo image picture illustration video getty reuters/ ap afp read see related
	more sign subscribe follow share click advertisement newsletter all copyright читайте фото джерело
	источник підписуйтесь подписывайтесь photo: image: reuters`)

// isBoilerplate flags bylines, credits, calls to action and questions to the reader.
func isBoilerplate(s string, i, n int) bool {
	first, _, _ := strings.Cut(strings.TrimLeft(s, " \t\"'“«(—–-"), " ")
	first = strings.ToLower(strings.Trim(first, ":,.©"))
	if boilerplateStarters[first] && boilerplateRE.MatchString(s) {
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

// countWords counts whitespace-separated words like len(strings.Fields(s)), without
// allocating.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// SplitTitle splits "title\n\nbody" text; without a blank line after the first line
// there is no title.
func SplitTitle(text string) (title, body string) {
	text = strings.TrimLeft(text, "\n")
	first, rest, ok := strings.Cut(text, "\n")
	if ok && strings.HasPrefix(rest, "\n") && len(first) < 300 {
		return strings.TrimSpace(first), strings.TrimLeft(rest, "\n")
	}
	return "", text
}
