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

	"github.com/newsbot/newsbot/digest"
)

// GoldQuote is a quoted segment inside an annotated Content span.
type GoldQuote struct {
	Text   string
	Source string // as written; "" when the attribution has no source
}

// QuoteCase is one article with its gold quotes.
type QuoteCase struct {
	Name   string
	Text   string
	Quotes []GoldQuote
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
			out = append(out, QuoteCase{Name: base, Text: text, Quotes: gold})
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

func rougeWords(s string) []string { return digest.RougeTokens(s) }

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
}

// FoundQuote is a system's quote for scoring.
type FoundQuote struct{ Text, Speaker string }

// QuoteFinder returns the quotes a system finds in a text.
type QuoteFinder func(text string) []FoundQuote

// OurQuotes is newsbot's quote finder: every part of every quote, with its speaker.
func OurQuotes(text string) []FoundQuote {
	var out []FoundQuote
	for _, q := range digest.FindQuotes(text, "") {
		for _, p := range q.Parts {
			out = append(out, FoundQuote{Text: p, Speaker: q.Speaker})
		}
	}
	return out
}

// ScoreQuotes runs the protocol: gold and found quotes of at least 4 words; a match
// shares at least half of the shorter one's tokens (one-to-one, best overlap first);
// attribution accuracy over matched quotes whose gold source is not a bare pronoun.
func ScoreQuotes(cases []QuoteCase, find QuoteFinder) QuoteScore {
	var s QuoteScore
	s.Articles = len(cases)
	for _, c := range cases {
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
			if sameSpeaker(found[p.f].Speaker, src) {
				s.AttributionCorrect++
			}
		}
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
	}
	return s
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

// sameSpeaker: share a name token (titles excluded) when the gold source contains a
// name; otherwise share any content word.
func sameSpeaker(found, gold string) bool {
	if found == "" {
		return false
	}
	ft := map[string]bool{}
	for _, t := range rougeWords(found) {
		ft[t] = true
	}
	var names, content []string
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
	check := content
	if len(names) > 0 {
		check = names
	}
	if len(check) == 0 {
		// A source made only of titles ("the senator"): compare those words.
		check = rougeWords(gold)
		var kept []string
		for _, t := range check {
			if !evalStop[t] {
				kept = append(kept, t)
			}
		}
		check = kept
	}
	for _, t := range check {
		if ft[t] {
			return true
		}
	}
	return false
}
