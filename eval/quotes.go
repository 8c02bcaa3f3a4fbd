package eval

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/eval/rouge"
)

// GoldQuote is a quoted segment inside an annotated Content span.
type GoldQuote struct {
	Text   string
	Source string // as written; "" when the attribution has no source
}

// QuoteCase is one article with its gold quotes.
type QuoteCase struct {
	Name string
	// Compartment is the PolNeAR compartment ("dev", "annotator-training") the article
	// comes from: the split a figure is tuned or held out on.
	Compartment string
	Text        string
	Quotes      []GoldQuote
}

type annSpan struct {
	typ    string
	ranges [][2]int // code-point offsets
}

// LoadPolNeAR reads DIR/<compartment>/text/*.txt with the first annotation file per
// article (sorted by name) from DIR/<compartment>/attributions. DIR may also be a
// compartment itself (holding text/ and attributions/).
func LoadPolNeAR(dir string) ([]QuoteCase, error) {
	var textDirs []string
	if _, err := os.Stat(filepath.Join(dir, "text")); err == nil {
		textDirs = []string{filepath.Join(dir, "text")}
	} else {
		textDirs, _ = filepath.Glob(filepath.Join(dir, "*", "text"))
	}
	if len(textDirs) == 0 {
		return nil, fmt.Errorf("load %s: no text/ folders (expected PolNeAR layout)", dir)
	}
	sort.Strings(textDirs)
	var out []QuoteCase
	for _, td := range textDirs {
		files, _ := filepath.Glob(filepath.Join(td, "*.txt"))
		sort.Strings(files)
		for _, f := range files {
			base := strings.TrimSuffix(filepath.Base(f), ".txt")
			anns, _ := filepath.Glob(filepath.Join(filepath.Dir(td), "attributions", base+"_*.ann"))
			if len(anns) == 0 {
				continue
			}
			sort.Strings(anns)
			text, err := readText(f)
			if err != nil {
				return nil, err
			}
			gold, err := goldQuotes(text, anns[0])
			if err != nil {
				return nil, err
			}
			out = append(out, QuoteCase{Name: base, Compartment: filepath.Base(filepath.Dir(td)), Text: text, Quotes: gold})
		}
	}
	return out, nil
}

var quoteSegRE = regexp.MustCompile(`["“”«»„]([^"“”«»„]+)["“”«»„]?`)

func goldQuotes(text, annPath string) ([]GoldQuote, error) {
	f, err := os.Open(annPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	runes := []rune(text)
	spans := map[string]annSpan{}
	var events [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		switch {
		case strings.HasPrefix(fields[0], "T"):
			typ, rest, _ := strings.Cut(fields[1], " ")
			var sp annSpan
			sp.typ = typ
			for _, r := range strings.Split(rest, ";") {
				var a, b int
				parts := strings.Fields(r)
				if len(parts) != 2 {
					continue
				}
				a, _ = strconv.Atoi(parts[0])
				b, _ = strconv.Atoi(parts[1])
				if a >= 0 && b <= len(runes) && a < b {
					sp.ranges = append(sp.ranges, [2]int{a, b})
				}
			}
			spans[fields[0]] = sp
		case strings.HasPrefix(fields[0], "E"):
			events = append(events, strings.Fields(fields[1]))
		}
	}
	var out []GoldQuote
	for _, ev := range events {
		var source string
		var contents []annSpan
		for _, arg := range ev {
			role, id, _ := strings.Cut(arg, ":")
			sp, ok := spans[id]
			if !ok {
				continue
			}
			switch {
			case role == "Source":
				var parts []string
				for _, r := range sp.ranges {
					parts = append(parts, string(runes[r[0]:r[1]]))
				}
				source = strings.Join(parts, " ")
			case strings.HasPrefix(role, "Content"):
				contents = append(contents, sp)
			}
		}
		for _, c := range contents {
			for _, r := range c.ranges {
				// Widen by one code point each side so marks just outside the span count.
				a, b := max(0, r[0]-1), min(len(runes), r[1]+1)
				seg := string(runes[a:b])
				for _, m := range quoteSegRE.FindAllStringSubmatch(seg, -1) {
					q := strings.TrimSpace(m[1])
					if len(rougeWords(q)) >= 4 {
						out = append(out, GoldQuote{Text: q, Source: source})
					}
				}
			}
		}
	}
	return out, nil
}

func rougeWords(s string) []string { return rouge.Tokens(s) }

// QuoteScore is the detection and attribution report.
type QuoteScore struct {
	Articles            int     `json:"articles"`
	Gold                int     `json:"gold_quotes"`
	Found               int     `json:"found_quotes"`
	Matched             int     `json:"matched"`
	Precision           float64 `json:"precision"`
	Recall              float64 `json:"recall"`
	F1                  float64 `json:"f1"`
	AttributionEligible int     `json:"attribution_eligible"`
	AttributionCorrect  int     `json:"attribution_correct"`
	AttributionAccuracy float64 `json:"attribution_accuracy"`
	// Strict counts the same eligible quotes as right only when the speaker carries
	// every name token of the gold source ("Hillary Clinton" needs both words), or,
	// for a source without a name ("the report"), every content word.
	StrictCorrect  int     `json:"attribution_strict_correct"`
	StrictAccuracy float64 `json:"attribution_strict_accuracy"`
	// KeyEligible counts the eligible quotes that are parts of a quote the finder
	// chose for a digest (digest.Quote.Key); KeyAccuracy is the share of them with
	// the right speaker (protocol match): what a digest's reader is shown.
	KeyEligible int     `json:"key_eligible"`
	KeyCorrect  int     `json:"key_correct"`
	KeyAccuracy float64 `json:"key_accuracy"`
	// Compartments holds the same figures per PolNeAR compartment when the cases
	// come from more than one (dev is the tuning split, annotator-training held out).
	Compartments []CompartmentScore `json:"compartments,omitempty"`
	// Misses are the eligible quotes attributed wrongly (under the strict match,
	// marked when the protocol accepts them), for reading errors on a tuning split.
	Misses []QuoteMiss `json:"-"`
}

// CompartmentScore is a QuoteScore for one compartment.
type CompartmentScore struct {
	Name string `json:"name"`
	QuoteScore
}

// QuoteMiss is one matched quote whose speaker the strict match counts wrong.
type QuoteMiss struct {
	Article, Quote, Gold string
	Found                FoundQuote
	Context              string // the text around the found quote
	// ProtocolOK: right under the protocol's one-token match, wrong only when strict.
	ProtocolOK bool
}

// FoundQuote is a system's quote for scoring.
type FoundQuote struct {
	Text, Speaker string
	// Role, Mention and Cue are shown in misses; scoring reads only Speaker.
	Role, Mention, Cue string
	// Key: the quote is one the finder would show in a digest.
	Key bool
}

// QuoteFinder returns the quotes a system finds in a text.
type QuoteFinder func(text string) []FoundQuote

// OurQuotes is newsbot's quote finder: every part of every quote, with its speaker.
func OurQuotes(text string) []FoundQuote {
	var out []FoundQuote
	for _, q := range digest.FindQuotes(text, "") {
		for _, p := range q.Parts {
			out = append(out, FoundQuote{Text: p, Speaker: q.Speaker, Role: q.Role, Mention: q.Mention, Cue: q.Cue, Key: q.Key})
		}
	}
	return out
}

// ScoreQuotes runs the protocol: gold and found quotes of at least 4 words; a match
// shares at least half of the shorter one's tokens (one-to-one, best overlap first);
// attribution accuracy over matched quotes whose gold source is not a bare pronoun.
// When the cases span several compartments, each also gets its own score.
func ScoreQuotes(cases []QuoteCase, find QuoteFinder) QuoteScore {
	var order []string
	byComp := map[string]*QuoteScore{}
	var s QuoteScore
	for _, c := range cases {
		cs, ok := byComp[c.Compartment]
		if !ok {
			cs = &QuoteScore{}
			byComp[c.Compartment] = cs
			order = append(order, c.Compartment)
		}
		var one QuoteScore
		scoreCase(&one, c, find)
		cs.add(one)
		s.add(one)
	}
	s.finish()
	if len(order) > 1 {
		sort.Strings(order)
		for _, name := range order {
			cs := byComp[name]
			cs.finish()
			cs.Misses = nil
			s.Compartments = append(s.Compartments, CompartmentScore{Name: name, QuoteScore: *cs})
		}
	}
	return s
}

func (s *QuoteScore) add(o QuoteScore) {
	s.Articles += o.Articles
	s.Gold += o.Gold
	s.Found += o.Found
	s.Matched += o.Matched
	s.AttributionEligible += o.AttributionEligible
	s.AttributionCorrect += o.AttributionCorrect
	s.StrictCorrect += o.StrictCorrect
	s.KeyEligible += o.KeyEligible
	s.KeyCorrect += o.KeyCorrect
	s.Misses = append(s.Misses, o.Misses...)
}

func (s *QuoteScore) finish() {
	s.Precision, s.Recall, s.F1, s.AttributionAccuracy, s.StrictAccuracy, s.KeyAccuracy = 0, 0, 0, 0, 0, 0
	if s.KeyEligible > 0 {
		s.KeyAccuracy = float64(s.KeyCorrect) / float64(s.KeyEligible)
	}
	if s.Found > 0 {
		s.Precision = float64(s.Matched) / float64(s.Found)
	}
	if s.Gold > 0 {
		s.Recall = float64(s.Matched) / float64(s.Gold)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if s.AttributionEligible > 0 {
		s.AttributionAccuracy = float64(s.AttributionCorrect) / float64(s.AttributionEligible)
		s.StrictAccuracy = float64(s.StrictCorrect) / float64(s.AttributionEligible)
	}
}

// scoreCase scores one article into s (counts only).
func scoreCase(s *QuoteScore, c QuoteCase, find QuoteFinder) {
	s.Articles++
	var found []FoundQuote
	for _, q := range find(c.Text) {
		if len(rougeWords(q.Text)) >= 4 {
			found = append(found, q)
		}
	}
	s.Gold += len(c.Quotes)
	s.Found += len(found)
	type pair struct {
		g, f int
		ov   float64
	}
	var pairs []pair
	for gi, g := range c.Quotes {
		gt := rougeWords(g.Text)
		for fi, f := range found {
			ft := rougeWords(f.Text)
			shared := sharedTokens(gt, ft)
			shorter := min(len(gt), len(ft))
			if shorter > 0 && float64(shared) >= float64(shorter)/2 {
				pairs = append(pairs, pair{gi, fi, float64(shared) / float64(max(len(gt), len(ft)))})
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].ov > pairs[b].ov })
	usedG, usedF := map[int]bool{}, map[int]bool{}
	for _, p := range pairs {
		if usedG[p.g] || usedF[p.f] {
			continue
		}
		usedG[p.g], usedF[p.f] = true, true
		s.Matched++
		src := c.Quotes[p.g].Source
		if src == "" || isBarePronoun(src) {
			continue
		}
		s.AttributionEligible++
		f := found[p.f]
		strict, loose := sameSpeakerStrict(f.Speaker, src), sameSpeaker(f.Speaker, src)
		if strict {
			s.StrictCorrect++
		}
		if loose {
			s.AttributionCorrect++
		}
		if f.Key {
			s.KeyEligible++
			if loose {
				s.KeyCorrect++
			}
		}
		if !strict {
			s.Misses = append(s.Misses, QuoteMiss{Article: c.Name, Quote: c.Quotes[p.g].Text, Gold: src, Found: f,
				Context: around(c.Text, f.Text, 200), ProtocolOK: loose})
		}
	}
}

// around returns up to n bytes each side of the first occurrence of part in text.
func around(text, part string, n int) string {
	i := strings.Index(text, part)
	if i < 0 {
		return ""
	}
	a, b := max(0, i-n), min(len(text), i+len(part)+n)
	for a > 0 && !utf8.RuneStart(text[a]) {
		a--
	}
	for b < len(text) && !utf8.RuneStart(text[b]) {
		b++
	}
	return text[a:b]
}

func sharedTokens(a, b []string) int {
	counts := map[string]int{}
	for _, t := range b {
		counts[t]++
	}
	n := 0
	for _, t := range a {
		if counts[t] > 0 {
			counts[t]--
			n++
		}
	}
	return n
}

var barePronouns = map[string]bool{"he": true, "she": true, "they": true, "it": true, "we": true, "i": true,
	"you": true, "who": true, "which": true, "his": true, "her": true, "their": true, "its": true, "that": true,
	"him": true, "them": true, "us": true, "me": true, "our": true, "my": true}

func isBarePronoun(s string) bool { return barePronouns[strings.ToLower(strings.TrimSpace(s))] }

var nonNameTitles = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "president": true,
	"sen": true, "senator": true, "rep": true, "gov": true, "governor": true, "gen": true, "prof": true,
	"rev": true, "the": true, "miss": true, "sir": true, "secretary": true, "judge": true, "mayor": true}

var evalStop = map[string]bool{"the": true, "a": true, "an": true, "of": true, "for": true, "and": true,
	"in": true, "at": true, "on": true, "to": true, "s": true, "by": true, "with": true, "from": true}

// sameSpeaker (the protocol's match): share a name token (titles excluded) when the
// gold source contains a name; otherwise share any content word.
func sameSpeaker(found, gold string) bool {
	if found == "" {
		return false
	}
	ft := map[string]bool{}
	for _, t := range rougeWords(found) {
		ft[t] = true
	}
	names, content := speakerTokens(gold)
	check := content
	if len(names) > 0 {
		check = names
	}
	for _, t := range check {
		if ft[t] {
			return true
		}
	}
	return false
}

// speakerTokens splits a gold source into name tokens (capitalised words, titles and
// function words excluded) and content tokens (all words but function words and
// titles); a source of titles only ("the senator") keeps those words as content.
func speakerTokens(gold string) (names, content []string) {
	for _, w := range strings.Fields(gold) {
		r := []rune(strings.Trim(w, `"'“”(),.`))
		if len(r) == 0 {
			continue
		}
		for _, t := range rougeWords(string(r)) {
			if nonNameTitles[t] || evalStop[t] {
				continue
			}
			if unicode.IsUpper(r[0]) {
				names = append(names, t)
			}
			content = append(content, t)
		}
	}
	if len(content) == 0 {
		for _, t := range rougeWords(gold) {
			if !evalStop[t] {
				content = append(content, t)
			}
		}
	}
	return names, content
}

// sameSpeakerStrict: the found speaker carries the gold source's full name, every
// token of it ("Hillary Clinton" is matched by neither "Clinton" nor "Bill Clinton"),
// or, when the source names no one ("the report", "Clinton's campaign"), every
// content word of its head phrase.
func sameSpeakerStrict(found, gold string) bool {
	if found == "" {
		return false
	}
	ft := map[string]bool{}
	for _, t := range rougeWords(found) {
		ft[t] = true
	}
	check := goldName(gold)
	if len(check) == 0 {
		return false
	}
	for _, t := range check {
		if !ft[t] {
			return false
		}
	}
	return true
}

// goldName reads the person's name out of a PolNeAR source as written. Sources carry
// roles and appositives ("White House press secretary Josh Earnest", "Kenneth Baer, a
// former Obama administration official who ..."), so the name is the run of
// capitalised words ending the head phrase (before a comma, a parenthesis or a
// connector such as "of" or "who"), stopped by a role word or a possessive; the first
// comma-separated part with such a run wins ("Scott's niece, state Del. Marcia Price").
// Initials and suffixes ("G.", "Jr.") are not required. A source with no name gives
// the content words of its first part, up to a participle ("A GAO report released
// last year" needs "GAO report").
func goldName(gold string) []string {
	gold = parenRE.ReplaceAllString(gold, " ")
	parts := strings.Split(gold, ",")
	var fallback []string
	for pi, part := range parts {
		ws := strings.Fields(strings.NewReplacer("“", " ", "”", " ", `"`, " ").Replace(part))
		for k, w := range ws {
			if k > 0 && strictConnectors[strings.ToLower(w)] {
				ws = ws[:k]
				break
			}
		}
		var name []string
		for k := len(ws) - 1; k >= 0; k-- {
			w := strings.Trim(ws[k], ".'’")
			r := []rune(w)
			lw := strings.ToLower(w)
			if len(r) == 0 || !unicode.IsUpper(r[0]) || nonNameTitles[lw] || strictRoles[lw] ||
				strings.HasSuffix(lw, "'s") || strings.HasSuffix(lw, "’s") {
				break
			}
			if len(r) == 1 || nameSuffixes[lw] {
				continue // an initial or a suffix
			}
			name = append(name, rougeWords(w)...)
		}
		if len(name) > 0 {
			return name
		}
		if pi == 0 {
			// The head noun phrase, before a participle that modifies it ("A GAO
			// report released last year").
			for k := 1; k < len(ws); k++ {
				if lw := strings.ToLower(ws[k]); len(lw) > 4 && (strings.HasSuffix(lw, "ed") || strings.HasSuffix(lw, "ing")) {
					ws = ws[:k]
					break
				}
			}
			_, fallback = speakerTokens(strings.Join(ws, " "))
		}
	}
	return fallback
}

var parenRE = regexp.MustCompile(`\([^)]*\)`)

// strictConnectors end a source's head phrase ("Mr. Morgan of the Sierra Club").
var strictConnectors = map[string]bool{"of": true, "at": true, "for": true, "from": true, "in": true,
	"with": true, "who": true, "whose": true, "which": true, "that": true, "on": true}

// strictRoles are capitalised role words that end a name scanned from the right
// ("European Council President Donald Tusk"), plural included where it occurs.
var strictRoles = map[string]bool{"president": true, "minister": true, "chancellor": true, "chairman": true,
	"chairwoman": true, "chair": true, "chief": true, "secretary": true, "spokesman": true, "spokeswoman": true,
	"del": true, "lt": true, "col": true, "capt": true, "representative": true, "speaker": true,
	"leader": true, "director": true, "attorney": true, "general": true, "officials": true, "official": true,
	"nominee": true, "candidate": true, "ambassador": true, "commissioner": true, "host": true,
	"interim": true, "retired": true, "former": true, "democrat": true, "republican": true}

var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true}
