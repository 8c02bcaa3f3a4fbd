package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/eval"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// summaryJSON is the `newsbot summarize --json` contract, one object per source.
type summaryJSON struct {
	Source     string         `json:"source"`
	Title      string         `json:"title"`
	Language   string         `json:"language"`
	Summary    []string       `json:"summary"`
	Quotes     []quoteJSON    `json:"quotes"`
	Background backgroundJSON `json:"background"`
}

type quoteJSON struct {
	Text     string `json:"text"`
	Speaker  string `json:"speaker"`
	Role     string `json:"role"`
	Cue      string `json:"cue"`
	Fragment bool   `json:"fragment"`
	Key      bool   `json:"key"`
}

type backgroundJSON struct {
	Context []string      `json:"context"`
	Related []relatedJSON `json:"related"`
}

type relatedJSON struct {
	ID        uint64    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
}

func cmdSummarize(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("summarize", env)
	asJSON := fs.Bool("json", false, "print one JSON object per source (JSON Lines)")
	k := fs.Int("k", 3, "summary sentences")
	lang := fs.String("lang", "auto", "language: auto, en, uk or ru")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &usageError{"summarize needs at least one SOURCE: a text or HTML file, an http(s) URL, a stored item ID, or -"}
	}
	if *k < 1 || *k > 20 {
		return &usageError{"--k must be between 1 and 20"}
	}
	switch *lang {
	case "auto", "en", "uk", "ru":
	default:
		return &usageError{fmt.Sprintf("--lang %q: use auto, en, uk or ru", *lang)}
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	fetcher := newFetcher(cfg)
	var db *storage.DB // opened lazily; the running bot may hold it
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	openStore := func() (*storage.DB, error) {
		if db != nil {
			return db, nil
		}
		if _, err := os.Stat(cfg.DBPath); err != nil {
			return nil, fmt.Errorf("no database at %s: %w", cfg.DBPath, err)
		}
		d, err := storage.Open(cfg.DBPath, storage.Options{Timeout: 300 * time.Millisecond})
		if err != nil {
			return nil, err
		}
		db = d
		return db, nil
	}

	failed := 0
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	for _, src := range fs.Args() {
		it, err := loadSource(ctx, env, src, fetcher, openStore)
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "newsbot summarize: %s: %v\n", src, err)
			continue
		}
		if *lang != "auto" {
			it.Lang = *lang
		}
		var candidates []digest.Item
		if store, err := openStore(); err == nil {
			candidates, _ = relatedCandidates(ctx, store, it)
		}
		card := digest.Card(it, *k, candidates)
		out := cardJSON(src, card)
		if *asJSON {
			if err := enc.Encode(out); err != nil {
				return err
			}
			continue
		}
		printCard(env.Stdout, out)
	}
	if failed > 0 {
		return &exitError{1, fmt.Errorf("%d of %d sources failed", failed, fs.NArg())}
	}
	return nil
}

func cardJSON(src string, c digest.StoryCard) summaryJSON {
	out := summaryJSON{Source: src, Title: c.Title, Language: c.Language, Summary: c.Summary,
		Quotes: []quoteJSON{}, Background: backgroundJSON{Context: c.Background, Related: []relatedJSON{}}}
	if out.Summary == nil {
		out.Summary = []string{}
	}
	if out.Background.Context == nil {
		out.Background.Context = []string{}
	}
	for _, q := range c.Quotes {
		out.Quotes = append(out.Quotes, quoteJSON{q.Text, q.Speaker, q.Role, q.Cue, q.Fragment, q.Key})
	}
	for _, r := range c.Related {
		out.Background.Related = append(out.Background.Related, relatedJSON{r.ID, r.Title, r.URL, r.Published})
	}
	return out
}

func printCard(w io.Writer, c summaryJSON) {
	title := c.Title
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(w, "%s\n%s\n\n", title, strings.Repeat("=", min(len([]rune(title)), 72)))
	for _, s := range c.Summary {
		fmt.Fprintf(w, "  • %s\n", s)
	}
	for _, q := range c.Quotes {
		if !q.Key {
			continue
		}
		who := q.Speaker
		if q.Role != "" {
			who += ", " + q.Role
		}
		fmt.Fprintf(w, "\n  “%s”\n      — %s\n", q.Text, who)
	}
	if len(c.Background.Context) > 0 || len(c.Background.Related) > 0 {
		fmt.Fprintf(w, "\n  Background:\n")
		for _, s := range c.Background.Context {
			fmt.Fprintf(w, "    %s\n", s)
		}
		for _, r := range c.Background.Related {
			fmt.Fprintf(w, "    earlier (%s): %s\n", r.Published.Format("2 Jan"), r.Title)
		}
	}
	fmt.Fprintln(w)
}

// loadSource reads one summarize SOURCE into an item.
func loadSource(ctx context.Context, env Env, src string, fetcher *feed.Fetcher, openStore func() (*storage.DB, error)) (digest.Item, error) {
	switch {
	case src == "-":
		data, err := io.ReadAll(io.LimitReader(env.Stdin, 10<<20))
		if err != nil {
			return digest.Item{}, err
		}
		return textItem(src, data), nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		art, err := fetcher.FetchArticle(ctx, src)
		if err != nil {
			return digest.Item{}, err
		}
		return digest.Item{Title: art.Title, Text: art.Text, URL: src, Source: art.SiteName, Published: art.Published}, nil
	}
	if id, err := strconv.ParseUint(src, 10, 64); err == nil {
		if _, statErr := os.Stat(src); statErr != nil { // a number that is not a file: an item ID
			store, err := openStore()
			if err != nil {
				return digest.Item{}, fmt.Errorf("item %d: %w", id, err)
			}
			it, err := store.Item(ctx, id)
			if err != nil {
				return digest.Item{}, err
			}
			return storedToDigest(it), nil
		}
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return digest.Item{}, err
	}
	if looksLikeHTML(src, data) {
		art, err := feed.ExtractArticle(data, "", "file://"+filepath.ToSlash(src))
		if err != nil {
			return digest.Item{}, err
		}
		return digest.Item{Title: art.Title, Text: art.Text, Source: art.SiteName, Published: art.Published}, nil
	}
	return textItem(src, data), nil
}

func textItem(src string, data []byte) digest.Item {
	title, body := eval.SplitTitle(strings.ReplaceAll(string(data), "\r\n", "\n"))
	return digest.Item{Title: title, Text: body, Source: src}
}

func looksLikeHTML(name string, data []byte) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".html" || ext == ".htm" || ext == ".xhtml" {
		return true
	}
	head := strings.ToLower(string(bytes.TrimSpace(data[:min(len(data), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

func storedToDigest(it storage.Item) digest.Item {
	return digest.Item{ID: it.ID, Title: it.Title, Text: it.Text, URL: it.URL, Source: it.FeedTitle,
		FeedURL: it.FeedURL, Published: it.Published, Lang: it.Language}
}

// relatedCandidates returns stored items from the 30 days before the item.
func relatedCandidates(ctx context.Context, db *storage.DB, it digest.Item) ([]digest.Item, error) {
	ref := it.Published
	if ref.IsZero() {
		ref = time.Now()
	}
	stored, _, err := db.ItemsAdded(ctx, ref.Add(-30*24*time.Hour), time.Now().Add(time.Second), 10000)
	if err != nil {
		return nil, err
	}
	out := make([]digest.Item, 0, len(stored))
	for _, s := range stored {
		if s.ID != it.ID {
			out = append(out, storedToDigest(s))
		}
	}
	return out, nil
}

func cmdEval(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return &usageError{"eval needs a kind: summaries, quotes or stories"}
	}
	kind, args := args[0], args[1:]
	fs, _ := newFlags("eval "+kind, env)
	dir := fs.String("dir", "", "corpus folder")
	file := fs.String("file", "", "stories: a `newsbot group` JSON Lines file whose items carry a gold \"story\" label; quotes: a JSON file of hand-labelled paragraphs (eval/testdata/speakers-uk-ru.json)")
	labels := fs.String("labels", "", "stories: a story-label file (url, story, split per line) to join with the news CSV in --dir")
	noTimes := fs.Bool("no-times", false, "stories: ignore publication times (as feeds without dates give them)")
	asJSON := fs.Bool("json", false, "print JSON")
	k := fs.Int("k", 3, "summary sentences (summaries)")
	misses := fs.Bool("misses", false, "quotes: also print each wrongly attributed quote (read them on a tuning split only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if kind == "stories" && *file != "" {
		return evalLabelledStories(env, *file, *noTimes, *asJSON)
	}
	if kind == "stories" && *labels != "" {
		if *dir == "" {
			return &usageError{"--labels needs --dir: the folder of the news CSV"}
		}
		return evalStoryLabels(env, *dir, *labels, *noTimes, *asJSON)
	}
	if kind == "quotes" && *file != "" {
		return evalSpeakerFile(env, *file, *asJSON)
	}
	if *dir == "" {
		return &usageError{"--dir is required"}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	switch kind {
	case "summaries":
		cases, err := eval.LoadSummaryCases(*dir)
		if err != nil {
			return err
		}
		lead := eval.ScoreSummaries(fmt.Sprintf("lead-%d", *k), cases, eval.Lead(*k))
		ours := eval.ScoreSummaries("newsbot", cases, eval.Ours(*k))
		if *asJSON {
			return enc.Encode(map[string]any{"dir": *dir, "k": *k, "systems": []eval.SystemScore{lead, ours}})
		}
		fmt.Fprintf(env.Stdout, "%s: %d articles, k = %d (ROUGE F1 x 100)\n", *dir, len(cases), *k)
		fmt.Fprintf(env.Stdout, "%-10s %8s %8s %8s %8s\n", "system", "R-1", "R-2", "R-L", "words")
		for _, s := range []eval.SystemScore{lead, ours} {
			fmt.Fprintf(env.Stdout, "%-10s %8.2f %8.2f %8.2f %8.1f\n", s.Name, s.R1, s.R2, s.RL, s.MeanWords)
		}
		return nil
	case "quotes":
		cases, err := eval.LoadPolNeAR(*dir)
		if err != nil {
			return err
		}
		s := eval.ScoreQuotes(cases, eval.OurQuotes)
		if *asJSON {
			return enc.Encode(s)
		}
		printQuoteScore(env.Stdout, *dir, s)
		for _, c := range s.Compartments {
			printQuoteScore(env.Stdout, "  "+c.Name, c.QuoteScore)
		}
		if *misses {
			for _, m := range s.Misses {
				kind := "wrong"
				if m.ProtocolOK {
					kind = "strict only"
				}
				fmt.Fprintf(env.Stdout, "\n%s (%s)\n  quote   %.80q\n  gold    %q\n  found   %q (role %q, mention %q, cue %q)\n  context %q\n",
					m.Article, kind, m.Quote, m.Gold, m.Found.Speaker, m.Found.Role, m.Found.Mention, m.Found.Cue, m.Context)
			}
		}
		return nil
	case "stories":
		return evalStories(env, *dir, *asJSON)
	}
	return &usageError{fmt.Sprintf("unknown eval kind %q (summaries, quotes or stories)", kind)}
}

// evalSpeakerFile scores speakers on a hand-labelled JSON set, per language.
func evalSpeakerFile(env Env, path string, asJSON bool) error {
	cases, err := eval.LoadSpeakerCases(path)
	if err != nil {
		return err
	}
	scores := eval.ScoreSpeakerCases(cases)
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scores)
	}
	fmt.Fprintf(env.Stdout, "%s: %d paragraphs\n", path, len(cases))
	fmt.Fprintf(env.Stdout, "%-5s %6s %6s %10s %10s %10s\n", "lang", "quotes", "found", "speaker", "strict", "role")
	for _, s := range scores {
		fmt.Fprintf(env.Stdout, "%-5s %6d %6d %10s %10s %10s\n", s.Lang, s.Gold, s.Found,
			fmt.Sprintf("%d (%.2f)", s.Correct, s.Accuracy), fmt.Sprintf("%d (%.2f)", s.Strict, s.StrictAccuracy),
			fmt.Sprintf("%d/%d", s.RoleCorrect, s.RoleGold))
	}
	for _, m := range scores[len(scores)-1].Misses {
		fmt.Fprintln(env.Stdout, "miss:", m)
	}
	return nil
}

// printQuoteScore prints one quote report: detection, then attribution under the
// protocol's match (one shared name token) and the strict one (the full name).
func printQuoteScore(w io.Writer, label string, s eval.QuoteScore) {
	fmt.Fprintf(w, "%s: %d articles, %d gold quotes (>= 4 words), %d found\n", label, s.Articles, s.Gold, s.Found)
	fmt.Fprintf(w, "detection   precision %.3f  recall %.3f  F1 %.3f\n", s.Precision, s.Recall, s.F1)
	fmt.Fprintf(w, "attribution accuracy %.3f (%d of %d matched quotes with a non-pronoun source)\n",
		s.AttributionAccuracy, s.AttributionCorrect, s.AttributionEligible)
	fmt.Fprintf(w, "attribution strict   %.3f (%d of %d: the speaker carries the source's full name)\n",
		s.StrictAccuracy, s.StrictCorrect, s.AttributionEligible)
}

// evalLabelledStories scores grouping on a labelled JSON Lines file (the `newsbot
// group` input plus "story"): B-cubed precision and recall with the text given and from
// titles alone, at the tuned threshold and around it, so the trade-off is visible.
// With noTimes the items' publication times are ignored.
func evalLabelledStories(env Env, path string, noTimes, asJSON bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	items, _, labels, err := eval.ReadItems(f)
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
		items = eval.WithoutTimes(items)
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
		if l != eval.Unscored {
			gold[l] = true
		}
	}
	var rows []row
	for _, in := range inputs {
		for _, delta := range []float64{-0.1, -0.05, 0, 0.05, 0.1} {
			th := in.defaultJoin + delta
			assign := digest.GroupStories(in.items, digest.GroupOptions{Threshold: th})
			p, r := eval.BCubed(assign, labels)
			n := map[int]bool{}
			for _, a := range assign {
				n[a] = true
			}
			rows = append(rows, row{th, delta == 0, in.name, p, r, len(n)})
		}
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"file": path, "items": len(items), "gold_stories": len(gold), "times": !noTimes, "bcubed": rows})
	}
	regime := "with times"
	if noTimes {
		regime = "times ignored"
	}
	fmt.Fprintf(env.Stdout, "%s: %d items, %d gold stories, %s; B-cubed over join thresholds (* = default)\n", path, len(items), len(gold), regime)
	fmt.Fprintf(env.Stdout, "%-7s %-10s %9s %7s %8s\n", "input", "threshold", "precision", "recall", "stories")
	for _, r := range rows {
		mark := " "
		if r.Default {
			mark = "*"
		}
		fmt.Fprintf(env.Stdout, "%-7s %-4.2f %s     %9.3f %7.3f %8d\n", r.Input, r.Threshold, mark, r.Precision, r.Recall, r.Stories)
	}
	return nil
}

// evalStoryLabels scores grouping on a news CSV in dir joined with a story-label file
// (eval.LoadLabelledCSV): B-cubed precision and recall per split and for all items
// together, from headlines and with text, with publication times and without them
// (only without, given noTimes). "singletons" is the recall of putting every item in
// a story of its own, the floor the recall figures should be read against; pairwise
// precision and recall of "same story" are given beside B-cubed for the same reason.
func evalStoryLabels(env Env, dir, labelsPath string, noTimes, asJSON bool) error {
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(csvs) != 1 {
		return fmt.Errorf("%s: want one news CSV, found %d", dir, len(csvs))
	}
	batch, err := eval.LoadLabelledCSV(csvs[0], labelsPath)
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
			if l != eval.Unscored {
				gold[l] = true
			}
		}
		alone := make([]int, len(b.Items))
		for i := range alone {
			alone[i] = i
		}
		_, floor := eval.BCubed(alone, b.Labels)
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
					items = eval.WithoutTimes(items)
				}
				assign := digest.GroupStories(items, digest.GroupOptions{})
				p, r := eval.BCubed(assign, b.Labels)
				n := map[int]bool{}
				for _, a := range assign {
					n[a] = true
				}
				pp, pr := eval.PairwisePR(assign, b.Labels)
				rows = append(rows, row{split, in.name, timed, len(b.Items), len(gold), p, r, len(n), floor, pp, pr})
			}
		}
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"dir": dir, "labels": labelsPath, "bcubed": rows})
	}
	fmt.Fprintf(env.Stdout, "%s joined with %s: B-cubed at the defaults (\"?\" items grouped, not scored)\n", dir, labelsPath)
	fmt.Fprintf(env.Stdout, "%-6s %5s %5s %-7s %-6s %9s %7s %8s %10s %8s %8s\n", "split", "items", "gold", "input", "times", "precision", "recall", "stories", "singletons", "pairs P", "pairs R")
	for _, r := range rows {
		times := "no"
		if r.Times {
			times = "yes"
		}
		fmt.Fprintf(env.Stdout, "%-6s %5d %5d %-7s %-6s %9.3f %7.3f %8d %10.3f %8.3f %8.3f\n", r.Split, r.Items, r.Gold, r.Input, times, r.Precision, r.Recall, r.Stories, r.Singletons, r.PairsP, r.PairsR)
	}
	return nil
}

// evalStories scores grouping: same-story pairs (*.tsv, tgcontest layout) and B-cubed
// over labelled articles (WikiRef220 layout), whichever DIR holds.
func evalStories(env Env, dir string, asJSON bool) error {
	report := map[string]any{"dir": dir, "threshold": digest.SameStoryThreshold}
	found := false
	if pairs, err := eval.LoadStoryPairs(dir); err == nil {
		found = true
		report["pairs_text"] = eval.ScorePairs(pairs, digest.SameStoryThreshold)
		report["pairs_titles"] = eval.ScoreTitlePairs(pairs, digest.SameStoryThreshold)
		report["pairs_grouped"] = eval.ScorePairsGrouped(pairs, false, digest.GroupOptions{})
		report["pairs_grouped_titles"] = eval.ScorePairsGrouped(pairs, true, digest.GroupOptions{})
	}
	if items, labels, err := eval.LoadLabelledArticles(dir); err == nil {
		found = true
		p, r := eval.BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
		var titles []digest.Item
		for _, it := range items {
			titles = append(titles, digest.Item{Title: it.Title})
		}
		pt, rt := eval.BCubed(digest.GroupStories(titles, digest.GroupOptions{}), labels)
		report["bcubed_text"] = map[string]float64{"precision": p, "recall": r}
		report["bcubed_titles"] = map[string]float64{"precision": pt, "recall": rt}
		report["articles"] = len(items)
	}
	if !found {
		return fmt.Errorf("%s holds neither pair files (*.tsv) nor labelled articles (<label>.<n>.txt)", dir)
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	fmt.Fprintf(env.Stdout, "%s (pair threshold %.2f; grouping joins at %.2f, %.2f with text, and merges at %.2f, %.2f with text)\n",
		dir, digest.SameStoryThreshold, digest.JoinThreshold, digest.JoinThresholdText, digest.MergeThreshold, digest.MergeThresholdText)
	for _, k := range []string{"pairs_text", "pairs_titles", "pairs_grouped", "pairs_grouped_titles"} {
		if v, ok := report[k].(eval.PairScore); ok {
			fmt.Fprintf(env.Stdout, "%-20s %d pairs: accuracy %.3f, precision of same %.3f, recall %.3f\n", k, v.Pairs, v.Accuracy, v.SamePrecision, v.SameRecall)
		}
	}
	for _, k := range []string{"bcubed_text", "bcubed_titles"} {
		if v, ok := report[k].(map[string]float64); ok {
			fmt.Fprintf(env.Stdout, "%-20s B-cubed precision %.3f, recall %.3f\n", k, v["precision"], v["recall"])
		}
	}
	return nil
}
