package eval

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/digest"
)

// StoryPair is a labelled "same story?" pair.
type StoryPair struct {
	A, B digest.Item
	Same bool
	File string
}

// LoadStoryPairs reads the tgcontest TSV pools in dir.
func LoadStoryPairs(dir string) ([]StoryPair, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if len(files) == 0 {
		return nil, fmt.Errorf("load %s: no *.tsv pair files", dir)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	var out []StoryPair
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		r := csv.NewReader(fh)
		r.Comma = '\t'
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
		if len(rows) < 2 {
			continue
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[strings.TrimSpace(h)] = i
		}
		get := func(row []string, name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return unquoteTwice(strings.TrimSpace(strings.TrimSuffix(row[i], "\r")))
			}
			return ""
		}
		for _, row := range rows[1:] {
			label := get(row, "GOLDEN:quality")
			if label != "OK" && label != "BAD" {
				continue
			}
			key := get(row, "INPUT:first_url") + "|" + get(row, "INPUT:second_url")
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, StoryPair{
				A:    digest.Item{Title: get(row, "INPUT:first_title"), Text: get(row, "INPUT:first_text"), URL: get(row, "INPUT:first_url")},
				B:    digest.Item{Title: get(row, "INPUT:second_title"), Text: get(row, "INPUT:second_text"), URL: get(row, "INPUT:second_url")},
				Same: label == "OK",
				File: filepath.Base(f),
			})
		}
	}
	return out, nil
}

// unquoteTwice undoes a second level of CSV quoting. Some fields of the honey pool (45
// texts and a title) were quoted twice by the crawl: after the TSV's own quoting is
// read they still hold `"…""a name""…"`, an outer pair of quotes and every inner one
// doubled, which reads as one long quotation. A field of that exact shape (inner
// quotes, every one doubled) is unwrapped; anything else is left as written.
func unquoteTwice(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	if !strings.Contains(inner, `""`) || strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
		return s // a field quoted as a whole, once, is as written
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}

// PairScore reports accuracy and the precision of "same" at a threshold.
type PairScore struct {
	Pairs         int     `json:"pairs"`
	Threshold     float64 `json:"threshold"`
	Accuracy      float64 `json:"accuracy"`
	SamePrecision float64 `json:"same_precision"`
	SameRecall    float64 `json:"same_recall"`
}

// ScorePairs scores the pairs with digest.SameStoryScore at threshold.
func ScorePairs(pairs []StoryPair, threshold float64) PairScore {
	return scorePairs(pairs, threshold, func(p StoryPair) float64 { return digest.SameStoryScore(p.A, p.B) })
}

// ScoreTitlePairs scores the pairs from their headlines alone, with document
// frequencies from all the pairs' headlines (as grouping learns them from a stream).
func ScoreTitlePairs(pairs []StoryPair, threshold float64) PairScore {
	var corpus []digest.Item
	for _, p := range pairs {
		corpus = append(corpus, digest.Item{Title: p.A.Title}, digest.Item{Title: p.B.Title})
	}
	return scorePairs(pairs, threshold, func(p StoryPair) float64 {
		return digest.SameStoryScoreIn(digest.Item{Title: p.A.Title}, digest.Item{Title: p.B.Title}, corpus)
	})
}

// ScorePairsGrouped runs digest.GroupStories over every item of every pair at once
// (each pair's reports among all the others, as in a feed stream) and counts a pair as
// "same" when both reports land in one story. With titlesOnly, only headlines are
// given. Threshold in the result is the join threshold used.
func ScorePairsGrouped(pairs []StoryPair, titlesOnly bool, opts digest.GroupOptions) PairScore {
	items := make([]digest.Item, 0, 2*len(pairs))
	for _, p := range pairs {
		for _, it := range []digest.Item{p.A, p.B} {
			if titlesOnly {
				it = digest.Item{Title: it.Title}
			}
			it.ID = uint64(len(items) + 1)
			items = append(items, it)
		}
	}
	assign := digest.GroupStories(items, opts)
	k := 0
	s := scorePairs(pairs, 0.5, func(StoryPair) float64 {
		same := assign[2*k] == assign[2*k+1]
		k++
		if same {
			return 1
		}
		return 0
	})
	s.Threshold = opts.Threshold
	switch {
	case s.Threshold > 0:
	case titlesOnly:
		s.Threshold = digest.JoinThreshold
	default:
		s.Threshold = digest.JoinThresholdText
	}
	return s
}

func scorePairs(pairs []StoryPair, threshold float64, score func(StoryPair) float64) PairScore {
	s := PairScore{Pairs: len(pairs), Threshold: threshold}
	var tp, fp, fn, correct int
	for _, p := range pairs {
		pred := score(p) >= threshold
		switch {
		case pred && p.Same:
			tp++
			correct++
		case pred && !p.Same:
			fp++
		case !pred && p.Same:
			fn++
		default:
			correct++
		}
	}
	if len(pairs) > 0 {
		s.Accuracy = float64(correct) / float64(len(pairs))
	}
	if tp+fp > 0 {
		s.SamePrecision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		s.SameRecall = float64(tp) / float64(tp+fn)
	}
	return s
}

var wikirefLabel = regexp.MustCompile(`^(.*?)(?:\.\d+| \(\d+\))\.txt$`)

// LoadLabelledArticles reads WikiRef220-style files "<label>.<n>.txt" (title line,
// blank line, body) and returns the items with their labels.
func LoadLabelledArticles(dir string) ([]digest.Item, []string, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(dir, "*", "*.txt"))
	}
	sort.Strings(files)
	var items []digest.Item
	var labels []string
	for i, f := range files {
		m := wikirefLabel.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			continue
		}
		text, err := readText(f)
		if err != nil {
			return nil, nil, err
		}
		title, body := digest.SplitTitle(text)
		items = append(items, digest.Item{ID: uint64(i + 1), Title: title, Text: body})
		labels = append(labels, m[1])
	}
	if len(items) == 0 {
		return nil, nil, fmt.Errorf("load %s: no labelled articles", dir)
	}
	return items, labels, nil
}

// BCubed computes B-cubed precision and recall of predicted clusters against labels.
// Items labelled Unscored are left out of the score (and of every other item's
// clusters): they were grouped with the rest, but their story is not known.
func BCubed(pred []int, gold []string) (precision, recall float64) {
	n, scored := len(pred), 0
	for i := range n {
		if gold[i] == Unscored {
			continue
		}
		scored++
		var samePred, sameGold, both int
		for j := range n {
			if gold[j] == Unscored {
				continue
			}
			p, g := pred[i] == pred[j], gold[i] == gold[j]
			if p {
				samePred++
			}
			if g {
				sameGold++
			}
			if p && g {
				both++
			}
		}
		precision += float64(both) / float64(samePred)
		recall += float64(both) / float64(sameGold)
	}
	if scored == 0 {
		return 0, 0
	}
	return precision / float64(scored), recall / float64(scored)
}

// PairwisePR is the precision and recall of "same story" over all pairs of scored
// items. Unlike B-cubed it gives nothing for items left alone, so on a batch where
// most items are one-report stories it shows what grouping does with the rest.
func PairwisePR(pred []int, gold []string) (precision, recall float64) {
	var tp, fp, fn int
	for i := range pred {
		if gold[i] == Unscored {
			continue
		}
		for j := i + 1; j < len(pred); j++ {
			if gold[j] == Unscored {
				continue
			}
			p, g := pred[i] == pred[j], gold[i] == gold[j]
			switch {
			case p && g:
				tp++
			case p:
				fp++
			case g:
				fn++
			}
		}
	}
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall
}

// DuplicateGrouping measures grouping on a corpus with known duplicates: items with
// identical normalised text form the gold pairs. It returns pairwise precision and
// recall of "same story" over all item pairs.
func DuplicateGrouping(items []digest.Item, assign []int) (precision, recall float64, goldPairs int) {
	key := func(it digest.Item) string {
		return strings.Join(strings.Fields(strings.ToLower(it.Title+" "+it.Text)), " ")
	}
	var tp, fp, fn int
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			gold := key(items[i]) == key(items[j])
			pred := assign[i] == assign[j]
			switch {
			case gold && pred:
				tp++
			case pred:
				fp++
			case gold:
				fn++
			}
		}
	}
	goldPairs = tp + fn
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall, goldPairs
}
