package eval

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/stories"
)

// The reports `newsbot eval` prints: each scores one corpus and writes a table, or
// JSON with asJSON.

// WriteSpeakerFile scores speakers on a hand-labelled JSON set, per language; texts a
// set names by source are read from dataDir (DefaultDataDir when empty). Wrongly
// attributed quotes are listed only with misses: a held-out set is scored without
// showing its errors.
func WriteSpeakerFile(w io.Writer, path, dataDir string, asJSON, misses bool) error {
	cases, err := LoadSpeakerCases(path, dataDir)
	if err != nil {
		return err
	}
	scores := ScoreSpeakerCases(cases)
	if !misses {
		for i := range scores {
			scores[i].Misses = nil
		}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(scores)
	}
	fmt.Fprintf(w, "%s: %d paragraphs\n", path, len(cases))
	fmt.Fprintf(w, "%-5s %6s %6s %10s %10s %10s %14s %12s\n", "lang", "quotes", "found", "speaker", "strict", "role", "named (right)", "key (right)")
	for _, s := range scores {
		fmt.Fprintf(w, "%-5s %6d %6d %10s %10s %10s %14s %12s\n", s.Lang, s.Gold, s.Found,
			fmt.Sprintf("%d (%.2f)", s.Correct, s.Accuracy), fmt.Sprintf("%d (%.2f)", s.Strict, s.StrictAccuracy),
			fmt.Sprintf("%d/%d", s.RoleCorrect, s.RoleGold), fmt.Sprintf("%d (%.2f)", s.Named, s.NamedPrecision),
			fmt.Sprintf("%d (%.2f)", s.Key, s.KeyPrecision))
	}
	if by := scores[len(scores)-1].WrongBy; len(by) > 0 {
		kinds := slices.Collect(maps.Keys(by))
		slices.SortFunc(kinds, func(a, b string) int { return cmp.Or(by[b]-by[a], strings.Compare(a, b)) })
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%s %d", k, by[k])
		}
		fmt.Fprintf(w, "wrong speakers, by how they were reached: %s\n", strings.Join(parts, ", "))
	}
	for _, m := range scores[len(scores)-1].Misses {
		fmt.Fprintln(w, "miss:", m)
	}
	return nil
}

// writeQuoteScore prints one quote report: detection, then attribution under the
// protocol's match (one shared name token) and the strict one (the full name).
func writeQuoteScore(w io.Writer, label string, s QuoteScore) {
	fmt.Fprintf(w, "%s: %d articles, %d gold quotes (>= 4 words), %d found\n", label, s.Articles, s.Gold, s.Found)
	fmt.Fprintf(w, "detection   precision %.3f  recall %.3f  F1 %.3f\n", s.Precision, s.Recall, s.F1)
	fmt.Fprintf(w, "attribution accuracy %.3f (%d of %d matched quotes with a non-pronoun source)\n",
		s.AttributionAccuracy, s.AttributionCorrect, s.AttributionEligible)
	fmt.Fprintf(w, "attribution strict   %.3f (%d of %d: the speaker carries the source's full name)\n",
		s.StrictAccuracy, s.StrictCorrect, s.AttributionEligible)
	fmt.Fprintf(w, "key quotes  accuracy %.3f (%d of %d of them: the quotes a digest shows)\n",
		s.KeyAccuracy, s.KeyCorrect, s.KeyEligible)
}

// Grouping groups items into stories: digest.GroupStories (a batch at once, the
// default) or digest.GroupIncrementally (one at a time as they arrive, as the story
// index that follows stories does).
type Grouping func([]digest.Item, digest.GroupOptions) []int

// WriteLabelledStories scores grouping on a labelled JSON Lines file (the `newsbot
// group` input plus "story"): B-cubed precision and recall with the text given and from
// titles alone, at the tuned threshold and around it, so the trade-off is visible.
// With noTimes the items' publication times are ignored.
//
// It is long because it only prints: each table row is a straight line of output.
func WriteLabelledStories(w io.Writer, path string, group Grouping, noTimes, asJSON bool) error {
	if group == nil {
		group = digest.GroupStories
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	items, _, labels, err := stories.ReadItems(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i, l := range labels {
		if l == "" {
			return fmt.Errorf("%s: item %d has no \"story\" label", path, i+1)
		}
	}
	if len(items) == 0 {
		return fmt.Errorf("%s: no items", path)
	}
	if noTimes {
		items = stories.WithoutTimes(items)
	}
	titles := make([]digest.Item, len(items))
	hasText := false
	for i, it := range items {
		titles[i] = digest.Item{ID: it.ID, Title: it.Title, Published: it.Published, Source: it.Source, URL: it.URL}
		hasText = hasText || strings.TrimSpace(it.Text) != ""
	}
	type input struct {
		name        string
		items       []digest.Item
		defaultJoin float64
	}
	inputs := []input{{"titles", titles, digest.JoinThreshold}}
	if hasText {
		inputs = append(inputs, input{"text", items, digest.JoinThresholdText})
	}
	type row struct {
		Threshold float64 `json:"threshold"`
		Default   bool    `json:"default"`
		Input     string  `json:"input"`
		Precision float64 `json:"precision"`
		Recall    float64 `json:"recall"`
		Stories   int     `json:"stories"`
	}
	gold := map[string]bool{}
	for _, l := range labels {
		if l != Unscored {
			gold[l] = true
		}
	}
	var rows []row
	for _, in := range inputs {
		for _, delta := range []float64{-0.1, -0.05, 0, 0.05, 0.1} {
			th := in.defaultJoin + delta
			assign := group(in.items, digest.GroupOptions{Threshold: th})
			p, r := BCubed(assign, labels)
			n := map[int]bool{}
			for _, a := range assign {
				n[a] = true
			}
			rows = append(rows, row{th, delta == 0, in.name, p, r, len(n)})
		}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"file": path, "items": len(items), "gold_stories": len(gold), "times": !noTimes, "bcubed": rows})
	}
	regime := "with times"
	if noTimes {
		regime = "times ignored"
	}
	fmt.Fprintf(w, "%s: %d items, %d gold stories, %s; B-cubed over join thresholds (* = default)\n", path, len(items), len(gold), regime)
	fmt.Fprintf(w, "%-7s %-10s %9s %7s %8s\n", "input", "threshold", "precision", "recall", "stories")
	for _, r := range rows {
		mark := " "
		if r.Default {
			mark = "*"
		}
		fmt.Fprintf(w, "%-7s %-4.2f %s     %9.3f %7.3f %8d\n", r.Input, r.Threshold, mark, r.Precision, r.Recall, r.Stories)
	}
	return nil
}

// WriteStoryLabels scores grouping on a news CSV in dir joined with a story-label file
// (LoadLabelledCSV): B-cubed precision and recall per split and for all items
// together, from headlines and with text, with publication times and without them
// (only without, given noTimes). "singletons" is the recall of putting every item in
// a story of its own, the floor the recall figures should be read against; pairwise
// precision and recall of "same story" are given beside B-cubed for the same reason.
//
// It is long because it only prints: each table row is a straight line of output.
func WriteStoryLabels(w io.Writer, dir, labelsPath string, group Grouping, noTimes, asJSON bool) error {
	if group == nil {
		group = digest.GroupStories
	}
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(csvs) != 1 {
		return fmt.Errorf("%s: want one news CSV, found %d", dir, len(csvs))
	}
	batch, err := LoadLabelledCSV(csvs[0], labelsPath)
	if err != nil {
		return err
	}
	type row struct {
		Split      string  `json:"split"`
		Input      string  `json:"input"`
		Times      bool    `json:"times"`
		Items      int     `json:"items"`
		Gold       int     `json:"gold_stories"`
		Precision  float64 `json:"precision"`
		Recall     float64 `json:"recall"`
		Stories    int     `json:"stories"`
		Singletons float64 `json:"singletons_recall"`
		PairsP     float64 `json:"pairs_precision"`
		PairsR     float64 `json:"pairs_recall"`
	}
	var rows []row
	splits := []string{}
	seen := map[string]bool{}
	for _, s := range batch.Splits {
		if !seen[s] {
			seen[s] = true
			splits = append(splits, s)
		}
	}
	sort.Strings(splits)
	for _, split := range append(splits, "all") {
		b := batch.Split(split)
		gold := map[string]bool{}
		for _, l := range b.Labels {
			if l != Unscored {
				gold[l] = true
			}
		}
		alone := make([]int, len(b.Items))
		for i := range alone {
			alone[i] = i
		}
		_, floor := BCubed(alone, b.Labels)
		titles := make([]digest.Item, len(b.Items))
		for i, it := range b.Items {
			it.Text = ""
			titles[i] = it
		}
		for _, in := range []struct {
			name  string
			items []digest.Item
		}{{"titles", titles}, {"text", b.Items}} {
			for _, timed := range []bool{true, false} {
				if timed && noTimes {
					continue
				}
				items := in.items
				if !timed {
					items = stories.WithoutTimes(items)
				}
				assign := group(items, digest.GroupOptions{})
				p, r := BCubed(assign, b.Labels)
				n := map[int]bool{}
				for _, a := range assign {
					n[a] = true
				}
				pp, pr := PairwisePR(assign, b.Labels)
				rows = append(rows, row{split, in.name, timed, len(b.Items), len(gold), p, r, len(n), floor, pp, pr})
			}
		}
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"dir": dir, "labels": labelsPath, "bcubed": rows})
	}
	fmt.Fprintf(w, "%s joined with %s: B-cubed at the defaults (\"?\" items grouped, not scored)\n", dir, labelsPath)
	fmt.Fprintf(w, "%-6s %5s %5s %-7s %-6s %9s %7s %8s %10s %8s %8s\n", "split", "items", "gold", "input", "times", "precision", "recall", "stories", "singletons", "pairs P", "pairs R")
	for _, r := range rows {
		times := "no"
		if r.Times {
			times = "yes"
		}
		fmt.Fprintf(w, "%-6s %5d %5d %-7s %-6s %9.3f %7.3f %8d %10.3f %8.3f %8.3f\n", r.Split, r.Items, r.Gold, r.Input, times, r.Precision, r.Recall, r.Stories, r.Singletons, r.PairsP, r.PairsR)
	}
	return nil
}

// WriteStories scores grouping: same-story pairs (*.tsv, tgcontest layout) and B-cubed
// over labelled articles (WikiRef220 layout), whichever DIR holds.
func WriteStories(w io.Writer, dir string, asJSON bool) error {
	report := map[string]any{"dir": dir, "threshold": digest.SameStoryThreshold}
	found := false
	if pairs, err := LoadStoryPairs(dir); err == nil {
		found = true
		report["pairs_text"] = ScorePairs(pairs, digest.SameStoryThreshold)
		report["pairs_titles"] = ScoreTitlePairs(pairs, digest.SameStoryThreshold)
		report["pairs_grouped"] = ScorePairsGrouped(pairs, false, digest.GroupOptions{})
		report["pairs_grouped_titles"] = ScorePairsGrouped(pairs, true, digest.GroupOptions{})
	}
	if items, labels, err := LoadLabelledArticles(dir); err == nil {
		found = true
		p, r := BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
		var titles []digest.Item
		for _, it := range items {
			titles = append(titles, digest.Item{Title: it.Title})
		}
		pt, rt := BCubed(digest.GroupStories(titles, digest.GroupOptions{}), labels)
		report["bcubed_text"] = map[string]float64{"precision": p, "recall": r}
		report["bcubed_titles"] = map[string]float64{"precision": pt, "recall": rt}
		report["articles"] = len(items)
	}
	if !found {
		return fmt.Errorf("%s holds neither pair files (*.tsv) nor labelled articles (<label>.<n>.txt)", dir)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	fmt.Fprintf(w, "%s (pair threshold %.2f; grouping joins at %.2f, %.2f with text, and merges at %.2f, %.2f with text)\n",
		dir, digest.SameStoryThreshold, digest.JoinThreshold, digest.JoinThresholdText, digest.MergeThreshold, digest.MergeThresholdText)
	for _, k := range []string{"pairs_text", "pairs_titles", "pairs_grouped", "pairs_grouped_titles"} {
		if v, ok := report[k].(PairScore); ok {
			fmt.Fprintf(w, "%-20s %d pairs: accuracy %.3f, precision of same %.3f, recall %.3f\n", k, v.Pairs, v.Accuracy, v.SamePrecision, v.SameRecall)
		}
	}
	for _, k := range []string{"bcubed_text", "bcubed_titles"} {
		if v, ok := report[k].(map[string]float64); ok {
			fmt.Fprintf(w, "%-20s B-cubed precision %.3f, recall %.3f\n", k, v["precision"], v["recall"])
		}
	}
	return nil
}

// WriteSummaries scores Lead-k and newsbot's summaries on the corpus in dir (ROUGE).
func WriteSummaries(w io.Writer, dir string, k int, asJSON bool) error {
	cases, err := LoadSummaryCases(dir)
	if err != nil {
		return err
	}
	lead := ScoreSummaries(fmt.Sprintf("lead-%d", k), cases, Lead(k))
	ours := ScoreSummaries("newsbot", cases, Ours(k))
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"dir": dir, "k": k, "systems": []SystemScore{lead, ours}})
	}
	fmt.Fprintf(w, "%s: %d articles, k = %d (ROUGE F1 x 100)\n", dir, len(cases), k)
	fmt.Fprintf(w, "%-10s %8s %8s %8s %8s\n", "system", "R-1", "R-2", "R-L", "words")
	for _, s := range []SystemScore{lead, ours} {
		fmt.Fprintf(w, "%-10s %8.2f %8.2f %8.2f %8.1f\n", s.Name, s.R1, s.R2, s.RL, s.MeanWords)
	}
	return nil
}

// WriteQuotes scores quotes and speakers on the PolNeAR-layout corpus in dir, per
// compartment, and with misses each wrongly attributed quote.
func WriteQuotes(w io.Writer, dir string, asJSON, misses bool) error {
	cases, err := LoadPolNeAR(dir)
	if err != nil {
		return err
	}
	s := ScoreQuotes(cases, OurQuotes)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	writeQuoteScore(w, dir, s)
	for _, c := range s.Compartments {
		writeQuoteScore(w, "  "+c.Name, c.QuoteScore)
	}
	if misses {
		for _, m := range s.Misses {
			kind := "wrong"
			if m.ProtocolOK {
				kind = "strict only"
			}
			fmt.Fprintf(w, "\n%s (%s)\n  quote   %.80q\n  gold    %q\n  found   %q (role %q, mention %q, cue %q)\n  context %q\n",
				m.Article, kind, m.Quote, m.Gold, m.Found.Speaker, m.Found.Role, m.Found.Mention, m.Found.Cue, m.Context)
		}
	}
	return nil
}

// Request is one `newsbot eval` run: the kind and its flags.
type Request struct {
	Kind                               string // summaries, quotes, stories or updates
	Dir, File, Labels                  string
	NoTimes, Incremental, JSON, Misses bool
	// FollowAll (with Incremental): every story is followed, as on a busy bot.
	FollowAll bool
	// Developments (updates, with Dir and Labels): a development-label file.
	Developments string
	K            int
}

// UsageError is a request that does not say what to measure.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Write runs the measurement a request asks for and prints its report.
func Write(w io.Writer, r Request) error {
	group := Grouping(digest.GroupStories)
	if r.Incremental {
		group = digest.GroupIncrementally
		if r.FollowAll {
			group = digest.GroupIncrementallyFollowingAll
		}
	}
	switch {
	case r.Kind == "stories" && r.File != "":
		return WriteLabelledStories(w, r.File, group, r.NoTimes, r.JSON)
	case r.Kind == "stories" && r.Labels != "":
		if r.Dir == "" {
			return &UsageError{"--labels needs --dir: the folder of the news CSV"}
		}
		return WriteStoryLabels(w, r.Dir, r.Labels, group, r.NoTimes, r.JSON)
	case r.Kind == "quotes" && r.File != "":
		return WriteSpeakerFile(w, r.File, r.Dir, r.JSON, r.Misses)
	case r.Kind == "updates" && r.File != "":
		return WritePairDevelopments(w, r.File, r.Dir, r.JSON, r.Misses)
	case r.Kind == "updates" && r.Developments != "":
		if r.Dir == "" || r.Labels == "" {
			return &UsageError{"--developments needs --dir (the folder of the news CSV) and --labels (its story labels)"}
		}
		return WriteDevelopments(w, r.Dir, r.Labels, r.Developments, r.JSON, r.Misses)
	case r.Dir == "":
		return &UsageError{"--dir is required"}
	}
	switch r.Kind {
	case "summaries":
		return WriteSummaries(w, r.Dir, r.K, r.JSON)
	case "quotes":
		return WriteQuotes(w, r.Dir, r.JSON, r.Misses)
	case "stories":
		return WriteStories(w, r.Dir, r.JSON)
	case "updates":
		return WriteUpdates(w, r.Dir, r.JSON, r.Misses)
	}
	return &UsageError{fmt.Sprintf("unknown eval kind %q (summaries, quotes, stories or updates)", r.Kind)}
}
