package digest

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	// backgroundHeading opens an in-article background section.
	backgroundHeading = regexp.MustCompile(`(?i)^(what came before|background|context|previously|earlier|how we got here|the backstory|catch up|key context|передісторія|контекст|раніше|що відомо|предыстория|контекст|ранее|что известно)(?:$|[^\p{L}\p{N}])`)
	// recapOpeners start a sentence that reminds the reader of earlier events.
	recapOpeners = regexp.MustCompile(`(?i)^(нагадаємо|нагадуємо|напомним|напомню|раніше|ранее|as previously reported|as reported earlier|previously|earlier this|last (week|month|year)|in \d{4},)`)
	yearRE       = regexp.MustCompile(`\b(19|20)\d\d\b`)
)

// Context returns up to limit sentences that tell what came before: the body of a
// "Background"/"What came before" section, recap sentences ("Нагадаємо, ...") and
// sentences about explicitly earlier events, most informative first, never one of
// exclude (the summary), returned in document order.
//
// It is long because its three sources of context share one scoring and one
// de-duplication pass; split, each would repeat them.
func (d *Document) Context(limit int, exclude []Sentence) []Sentence {
	if limit <= 0 {
		return nil
	}
	skip := map[int]bool{}
	for _, s := range exclude {
		skip[s.Index] = true
	}
	years := make([][]int, len(d.Sentences))
	latestYear := 0
	for i := range d.Sentences {
		years[i] = yearsIn(d.toks[i])
		for _, y := range years[i] {
			latestYear = max(latestYear, y)
		}
	}
	central := d.lexRank()
	type cand struct {
		i     int
		score float64
	}
	var cands []cand
	inSection := false
	for i, s := range d.Sentences {
		if d.heading[i] {
			inSection = backgroundHeading.MatchString(s.Text)
			continue
		}
		// Quotes are shown as quotes, not as background.
		if d.junk[i] || skip[i] || d.words[i] < 6 || strings.ContainsAny(s.Text, "“”\"«»„") {
			continue
		}
		score := 0.0
		switch {
		case inSection:
			score += 3
		case mayTellPast(d.toks[i]) && recapOpeners.MatchString(s.Text):
			score += 2.5
		}
		if tellsPast(d.toks[i]) {
			score += 1
		}
		// An explicit year older than the newest one in the article is an earlier event.
		for _, y := range years[i] {
			if y < latestYear {
				score += 1
				break
			}
		}
		if score == 0 {
			continue
		}
		score += central[i] * float64(d.ranked()) * 0.5 // centrality relative to uniform (see maxRanked)
		if d.words[i] > 45 {
			score -= 0.5
		}
		cands = append(cands, cand{i, score})
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	var idx []int
	for _, c := range cands {
		if len(idx) == limit {
			break
		}
		// Not a repeat of a sentence already chosen or of the summary.
		dup := false
		for _, j := range idx {
			if d.vecs[c.i].dot(d.vecs[j]) > maxRedundancy {
				dup = true
			}
		}
		for j := range skip {
			if j < len(d.vecs) && d.vecs[c.i].dot(d.vecs[j]) > maxRedundancy {
				dup = true
			}
		}
		if !dup {
			idx = append(idx, c.i)
		}
	}
	sort.Ints(idx)
	out := make([]Sentence, len(idx))
	for k, i := range idx {
		out[k] = d.Sentences[i]
	}
	return out
}

// pastCueWords are the words without which neither pastTime nor recapOpeners can
// match; checking them first skips the regular expressions on most sentences.
var pastCueWords = set(`since last ago earlier previously had began first reported
	торік минулого році році году года раніше ранее нагадаємо нагадуємо напомним напомню прошлом роком годом`)

func mayTellPast(toks []Token) bool {
	for _, t := range toks {
		if pastCueWords[t.Word] || (len(t.Word) == 4 && (strings.HasPrefix(t.Word, "19") || strings.HasPrefix(t.Word, "20"))) {
			return true
		}
	}
	return false
}

// yearsIn returns the four-digit years (1900-2099) among the tokens.
func yearsIn(toks []Token) []int {
	var out []int
	for _, t := range toks {
		if len(t.Word) == 4 && (strings.HasPrefix(t.Word, "19") || strings.HasPrefix(t.Word, "20")) {
			if n, err := strconv.Atoi(t.Word); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

var (
	pastUnits    = set(`year month week spring summer autumn fall winter january february march april may june july august september october november december`)
	pastSingles  = set(`ago previously торік раніше ранее`)
	pastCyrillic = set(`минулого прошлом`)
)

// tellsPast reports whether a sentence speaks of an earlier time: a year, "last
// month", "earlier this week", "years ago", "previously", "had been", "began in" (and
// Ukrainian/Russian equivalents). It reads the sentence's tokens, which is much
// cheaper than a regular expression over its text and matches the same cues.
func tellsPast(toks []Token) bool {
	for k, t := range toks {
		w := t.Word
		if len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) && isNumberish(w) {
			return true
		}
		if pastSingles[w] {
			return true
		}
		if k+1 < len(toks) {
			next := toks[k+1].Word
			switch {
			case w == "last" && pastUnits[next],
				w == "earlier" && next == "this",
				w == "had" && next == "been",
				w == "began" && next == "in",
				w == "first" && next == "began",
				pastCyrillic[w] && (strings.HasPrefix(next, "рок") || strings.HasPrefix(next, "год")):
				return true
			}
		}
	}
	return false
}
