package eval

import (
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/stories"
)

const shared = "../../shared/data"

func needShared(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is absent (../shared not checked out beside the repo)", path)
	}
}

func TestBCubed(t *testing.T) {
	p, r := BCubed([]int{0, 0, 1, 1}, []string{"a", "a", "a", "b"})
	// Precision: items 0,1 -> 2/2; item 2 -> 1/2; item 3 -> 1/2 => 0.75.
	// Recall: items 0,1,2 (gold a, 3 members) -> 2/3,2/3,1/3; item 3 -> 1 => 0.667.
	if math.Abs(p-0.75) > 1e-9 || math.Abs(r-(2.0/3+2.0/3+1.0/3+1)/4) > 1e-9 {
		t.Fatalf("P %.4f R %.4f", p, r)
	}
}

func TestSplitTitle(t *testing.T) {
	title, body := digest.SplitTitle("Headline here\n\nFirst paragraph.\n\nSecond.")
	if title != "Headline here" || body != "First paragraph.\n\nSecond." {
		t.Fatalf("%q %q", title, body)
	}
	title, body = digest.SplitTitle("No title line.\nStill body.")
	if title != "" || body == "" {
		t.Fatalf("%q %q", title, body)
	}
}

// TestSummaryQualityBBC holds the bar on the shared BBC folders: ROUGE-2 F1 at
// least 2 points above the best peer (Lead-3, and the Python TextRank figures published
// in the issue), at a mean length within 10% of that TextRank's.
func TestSummaryQualityBBC(t *testing.T) {
	peers := []struct {
		folder   string
		lead, tr float64
		trWords  float64
	}{
		{"business", 40.07, 58.63, 79.4},
		{"entertainment", 39.36, 59.41, 79.3},
		{"sport", 37.16, 55.22, 75.5},
	}
	for _, p := range peers {
		t.Run(p.folder, func(t *testing.T) {
			dir := shared + "/bbc/" + p.folder
			needShared(t, dir)
			cases, err := LoadSummaryCases(dir)
			if err != nil {
				t.Fatal(err)
			}
			ours := ScoreSummaries("ours", cases, Ours(3))
			lead := ScoreSummaries("lead", cases, Lead(3))
			best := math.Max(math.Max(p.lead, lead.R2), p.tr)
			t.Logf("%s: ours R-2 %.2f (%.1f words), lead-3 %.2f, TextRank peer %.2f (%.1f words)", p.folder, ours.R2, ours.MeanWords, lead.R2, p.tr, p.trWords)
			if ours.R2 < best+2 {
				t.Errorf("ROUGE-2 %.2f is not 2 points above the best peer %.2f", ours.R2, best)
			}
			if math.Abs(ours.MeanWords-p.trWords) > 0.1*p.trWords {
				t.Errorf("mean length %.1f words is not within 10%% of the peer's %.1f", ours.MeanWords, p.trWords)
			}
		})
	}
}

// TestQuoteQualityPolNeAR holds the quote bar on the tuning split (dev): detection
// F1 >= 0.95, attribution >= 0.90 (strict >= 0.89). The held-out compartment is scored
// by TestQuoteQualityHeldOut.
func TestQuoteQualityPolNeAR(t *testing.T) {
	dir := shared + "/quotes/polnear/dev"
	needShared(t, dir)
	cases, err := LoadPolNeAR(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ScoreQuotes(cases, OurQuotes)
	t.Logf("F1 %.3f, attribution %d of %d (%.3f), strict %d (%.3f)", s.F1, s.AttributionCorrect, s.AttributionEligible,
		s.AttributionAccuracy, s.StrictCorrect, s.StrictAccuracy)
	if s.F1 < 0.95 {
		t.Errorf("detection F1 %.3f < 0.95", s.F1)
	}
	// Measured 2026-11-29: F1 0.971, attribution 0.918 (423 of 461), strict 0.909.
	if s.AttributionAccuracy < 0.90 || s.StrictAccuracy < 0.89 {
		t.Errorf("attribution accuracy %.3f < 0.90 or strict %.3f < 0.89", s.AttributionAccuracy, s.StrictAccuracy)
	}
}

// TestSpeakersUkRu scores the project's own 20 Ukrainian and Russian paragraphs
// (testdata/speakers-uk-ru.json, written for this test, gold speakers and roles by
// hand). The first run, before any fix prompted by the set, found 22 of 25 speakers and
// 11 of 14 roles (2026-11-29); the bar is set below the current figure so a regression
// of two quotes fails.
// TestQuoteQualityHeldOut guards the held-out compartment (annotator-training, 4
// articles, 15 attributable quotes), which no rule was tuned on. Measured once, after
// tuning on dev ended (2026-11-29): F1 1.000, attribution 13 of 15 (0.867), strict 12
// of 15. The bar allows one more miss; with 15 quotes it guards against a collapse,
// not a point.
func TestQuoteQualityHeldOut(t *testing.T) {
	dir := shared + "/quotes/polnear/annotator-training"
	needShared(t, dir)
	cases, err := LoadPolNeAR(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ScoreQuotes(cases, OurQuotes)
	t.Logf("F1 %.3f, attribution %d of %d, strict %d", s.F1, s.AttributionCorrect, s.AttributionEligible, s.StrictCorrect)
	if s.F1 < 0.95 || s.AttributionEligible < 10 || s.AttributionCorrect < s.AttributionEligible-3 {
		t.Errorf("F1 %.3f, attribution %d of %d", s.F1, s.AttributionCorrect, s.AttributionEligible)
	}
}

func TestSpeakersUkRu(t *testing.T) {
	cases, err := LoadSpeakerCases("testdata/speakers-uk-ru.json")
	if err != nil {
		t.Fatal(err)
	}
	scores := ScoreSpeakerCases(cases)
	if len(scores) != 3 || scores[0].Lang != "ru" || scores[1].Lang != "uk" || scores[2].Lang != "all" {
		t.Fatalf("scores %+v", scores)
	}
	all := scores[2]
	if all.Cases != 20 || all.Gold != 25 {
		t.Fatalf("%d cases, %d quotes: want 20 and 25", all.Cases, all.Gold)
	}
	for _, m := range all.Misses {
		t.Log(m)
	}
	t.Logf("uk %.2f, ru %.2f, all %.2f (strict %.2f), roles %.2f", scores[1].Accuracy, scores[0].Accuracy, all.Accuracy, all.StrictAccuracy, all.RoleAccuracy)
	if all.Strict < all.Gold-1 || all.RoleCorrect < all.RoleGold-1 {
		t.Errorf("strict %d of %d speakers, %d of %d roles", all.Strict, all.Gold, all.RoleCorrect, all.RoleGold)
	}
}

func TestLoadSpeakerCasesErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"bad.json":     `{"id": 1}`,
		"missing.json": `[{"id": "x", "lang": "en", "text": "He said “no way at all.”", "quotes": [{"quote": "yes", "speaker": "He"}]}]`,
	} {
		path := dir + "/" + name
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSpeakerCases(path); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, err := LoadSpeakerCases(dir + "/absent.json"); err == nil {
		t.Error("absent file: no error")
	}
}

func TestSameSpeakerStrict(t *testing.T) {
	cases := []struct {
		found, gold   string
		loose, strict bool
	}{
		{"Josh Earnest", "White House press secretary Josh Earnest", true, true},
		{"Earnest", "White House press secretary Josh Earnest", true, false},
		{"Bill Clinton", "Hillary Clinton", true, false},
		{"Hillary Clinton", "Mrs. Clinton", true, true},
		{"G.K. Butterfield", "Rep. G.K. Butterfield (D-N.C.), head of the Congressional Black Caucus", true, true},
		{"Kenneth Baer", "Kenneth Baer, a former Obama administration official who runs Crosscut Strategies", true, true},
		{"Donald Tusk", "European Council President Donald Tusk", true, true},
		{"Marcia Price", "Scott's niece, state Del. Marcia Price (D-Newport News),", true, true},
		{"Morgan", "Mr. Morgan of the Sierra Club", true, true},
		{"the report", "the report", true, true},
		{"A Government Accountability Office report", "A Government Accountability Office report released last year", true, true},
		{"the report", "A Government Accountability Office report released last year", false, false},
		{"The senator", "The senator", true, true},
		{"the Clinton campaign", "Clinton's campaign", true, true},
		{"Clinton", "Clinton's campaign", true, false},
		// The protocol accepts any shared capitalised word, the outlet of a host included.
		{"MSNBC", "MSNBC host Chris Matthews", true, false},
		{"", "Donald Trump", false, false},
	}
	for _, c := range cases {
		if got := sameSpeaker(c.found, c.gold); got != c.loose {
			t.Errorf("sameSpeaker(%q, %q) = %v, want %v", c.found, c.gold, got, c.loose)
		}
		if got := sameSpeakerStrict(c.found, c.gold); got != c.strict {
			t.Errorf("sameSpeakerStrict(%q, %q) = %v, want %v (name %q)", c.found, c.gold, got, c.strict, goldName(c.gold))
		}
	}
}

// TestScoreQuotesCompartments checks the per-compartment split and the counts on two
// tiny articles with a fixed finder.
func TestScoreQuotesCompartments(t *testing.T) {
	cases := []QuoteCase{
		{Name: "a", Compartment: "dev", Text: "x", Quotes: []GoldQuote{
			{Text: "we will win this race for sure", Source: "Jane Doe"},
			{Text: "nothing has changed in the plan", Source: "she"}}},
		{Name: "b", Compartment: "held", Text: "y", Quotes: []GoldQuote{
			{Text: "the economy is going to grow fast", Source: "John Smith"}}},
	}
	find := func(text string) []FoundQuote {
		if text == "x" {
			return []FoundQuote{{Text: "we will win this race", Speaker: "Doe"}, {Text: "nothing has changed in the plan", Speaker: "Doe"}, {Text: "two words"}}
		}
		return []FoundQuote{{Text: "the economy is going to grow fast", Speaker: "Mary Smith"}}
	}
	s := ScoreQuotes(cases, find)
	if s.Gold != 3 || s.Found != 3 || s.Matched != 3 || s.AttributionEligible != 2 || s.AttributionCorrect != 2 || s.StrictCorrect != 0 {
		t.Fatalf("total %+v", s)
	}
	if len(s.Compartments) != 2 || s.Compartments[0].Name != "dev" || s.Compartments[1].Name != "held" {
		t.Fatalf("compartments %+v", s.Compartments)
	}
	if d := s.Compartments[0]; d.Articles != 1 || d.AttributionEligible != 1 || d.Precision != 1 {
		t.Errorf("dev %+v", d)
	}
	if len(s.Misses) != 2 || !s.Misses[0].ProtocolOK {
		t.Errorf("misses %+v", s.Misses)
	}
}

// TestStoryPairsReport measures same-story pairs; the bar belongs to issue 8, so this
// records the figures and guards against a collapse.
func TestStoryPairsReport(t *testing.T) {
	dir := shared + "/stories/tgcontest-pairs-ru-en"
	needShared(t, dir)
	pairs, err := LoadStoryPairs(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ScorePairs(pairs, digest.SameStoryThreshold)
	t.Logf("%+v", s)
	if s.Pairs != 245 || s.Accuracy < 0.7 || s.SamePrecision < 0.75 {
		t.Errorf("pairs: %+v", s)
	}
	// The grouping itself, every report among all the others (measured 2026-11-29:
	// accuracy 0.824 with text, 0.706 from headlines, precision of "same" 0.800 and
	// 0.877).
	g := ScorePairsGrouped(pairs, false, digest.GroupOptions{})
	gt := ScorePairsGrouped(pairs, true, digest.GroupOptions{})
	t.Logf("grouped %+v; headlines %+v", g, gt)
	if g.Accuracy < 0.8 || g.SamePrecision < 0.75 || gt.Accuracy < 0.65 || gt.SamePrecision < 0.8 {
		t.Errorf("grouped pairs: text %+v, headlines %+v", g, gt)
	}
}

// TestGroupingWikiRef guards grouping on WikiRef220's topic labels (measured
// 2026-11-29: text P 1.000 R 0.384, headlines P 0.995 R 0.422; text recall was 0.453
// before stories whose numbers disagree merged less easily: its labels are topics, and
// one topic's articles about other events carry other numbers).
func TestGroupingWikiRef(t *testing.T) {
	dir := shared + "/stories/wikiref220-en/WikiRef220"
	needShared(t, dir)
	items, labels, err := LoadLabelledArticles(dir)
	if err != nil {
		t.Fatal(err)
	}
	titles := make([]digest.Item, len(items))
	for i, it := range items {
		titles[i] = digest.Item{Title: it.Title}
	}
	p, r := BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
	pt, rt := BCubed(digest.GroupStories(titles, digest.GroupOptions{}), labels)
	t.Logf("text P %.3f R %.3f; headlines P %.3f R %.3f", p, r, pt, rt)
	if p < 0.97 || r < 0.15 || pt < 0.97 || rt < 0.2 {
		t.Errorf("text P %.3f R %.3f; headlines P %.3f R %.3f", p, r, pt, rt)
	}
}

// TestGroupingHeadlineFixture runs grouping on the project's own labelled headlines
// (testdata/eval/stories, with confusable stories on purpose); it needs no ../shared.
// Measured 2026-11-26: B-cubed P 0.974, R 0.698 (the one error: a review of a film
// put with the film's box-office story, which the fixture labels apart). Without the
// name check the two bankruptcies run together: P 0.928.
func TestGroupingHeadlineFixture(t *testing.T) {
	f, err := os.Open("../testdata/eval/stories/headlines.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, _, labels, err := stories.ReadItems(f)
	if err != nil {
		t.Fatal(err)
	}
	p, r := BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
	t.Logf("B-cubed P %.3f R %.3f", p, r)
	if p < 0.95 || r < 0.5 {
		t.Errorf("B-cubed P %.3f R %.3f, want P >= 0.95 and R >= 0.5", p, r)
	}
}

func TestReadItems(t *testing.T) {
	in := `{"id":"b","title":"Second","published":"2026-03-10T12:00:00Z","story":"s1"}

{"id":"a","title":"First","published":1773100800000,"story":7,"text":"Body."}
`
	items, ids, labels, err := stories.ReadItems(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || string(ids[0]) != `"b"` || labels[0] != "s1" || labels[1] != "7" || items[1].Text != "Body." {
		t.Fatalf("items %+v ids %s labels %q", items, ids, labels)
	}
	if !items[1].Published.Equal(time.UnixMilli(1773100800000)) || items[0].Published.Hour() != 12 {
		t.Fatalf("published %v, %v", items[0].Published, items[1].Published)
	}
	// Internal IDs follow the caller's IDs, not the line order.
	if items[1].ID >= items[0].ID {
		t.Fatalf("internal IDs %d (a), %d (b): want a before b", items[1].ID, items[0].ID)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"title":"x"}`, `line 1: "id" is required`},
		{`{"id":1,"title":"  "}`, `line 1: "title" is required`},
		{`{"id":1,"title":"x","published":"yesterday"}`, "neither RFC 3339 nor Unix milliseconds"},
		{`{"id":1,"title":"x"}` + "\n[1,2]", "line 2: not a JSON object"},
	} {
		if _, _, _, err := stories.ReadItems(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestRelatedStoriesWikiRef measures related-story picks: each WikiRef220 article
// against the 219 others as earlier candidates, up to 3 picks; a pick is right when
// it has the article's topic label.
func TestRelatedStoriesWikiRef(t *testing.T) {
	dir := shared + "/stories/wikiref220-en/WikiRef220"
	needShared(t, dir)
	items, labels, err := LoadLabelledArticles(dir)
	if err != nil {
		t.Fatal(err)
	}
	label := map[uint64]string{}
	for i, it := range items {
		label[it.ID] = labels[i]
	}
	picks, right := 0, 0
	for i, it := range items {
		others := append(append([]digest.Item(nil), items[:i]...), items[i+1:]...)
		for _, r := range digest.RelatedStories(it, others, 3) {
			picks++
			if label[r.ID] == labels[i] {
				right++
			}
		}
	}
	share := float64(right) / float64(max(picks, 1))
	t.Logf("%d picks, %.1f%% from the same topic", picks, 100*share)
	if picks < 200 || share < 0.95 {
		t.Errorf("%d picks, %.1f%% from the same topic", picks, 100*share)
	}
}

// TestGroupingUkNews scores grouping on the 595 Ukrainian articles of
// ../shared/data/uk-ru/uk-news-2024-11 (real times, three outlets) against the
// project's hand labels (testdata/eval/stories/uk-news-2024-11.labels.jsonl, joined
// by URL at run time: the texts may not be redistributed). The defaults for time and
// source were tuned on "dev" (13 November); "test" (14 November) was held out, and
// "all" puts the two days together, so every pair across days involves a held-out
// item. Measured 2026-11-29, with times: dev 0.968/0.848 (headlines) 0.964/0.911
// (text); test 0.983/0.877, 0.995/0.894; all 0.971/0.840, 0.964/0.892. Without times
// "all" falls to 0.903 and 0.902 precision: a day's routine reports run into the
// next day's.
func TestGroupingUkNews(t *testing.T) {
	dir := shared + "/uk-ru/uk-news-2024-11"
	needShared(t, dir)
	batch, err := LoadLabelledCSV(dir+"/parsed_articles.csv", "../testdata/eval/stories/uk-news-2024-11.labels.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Items) != 595 {
		t.Fatalf("%d items joined, want 595", len(batch.Items))
	}
	for _, split := range []string{"dev", "test", "all"} {
		b := batch.Split(split)
		titles := make([]digest.Item, len(b.Items))
		for i, it := range b.Items {
			it.Text = ""
			titles[i] = it
		}
		for _, in := range []struct {
			name  string
			items []digest.Item
		}{{"headlines", titles}, {"text", b.Items}} {
			p, r := BCubed(digest.GroupStories(in.items, digest.GroupOptions{}), b.Labels)
			pn, rn := BCubed(digest.GroupStories(stories.WithoutTimes(in.items), digest.GroupOptions{}), b.Labels)
			t.Logf("%-4s %-9s with times P %.3f R %.3f; without P %.3f R %.3f", split, in.name, p, r, pn, rn)
			// The aim of issue 14, on every split: precision first.
			if p < 0.93 || r < 0.45 {
				t.Errorf("%s %s with times: P %.3f R %.3f, want P >= 0.93 and R >= 0.45", split, in.name, p, r)
			}
			if split == "all" && p <= pn {
				t.Errorf("%s %s: times do not help (P %.3f with, %.3f without)", split, in.name, p, pn)
			}
		}
	}
}

// TestGroupingTimedFixture runs grouping on the project's own timed headlines
// (testdata/eval/stories/timed.jsonl: fictional, five outlets over three days, with
// the same words on different days and one outlet's two stories minutes apart); it
// needs no ../shared. Measured 2026-11-29: P 1.000 R 0.941 with times, P 0.761 R 0.980
// with times ignored. The fixture was written while the time and source evidence was
// designed, so both figures are in-sample.
func TestGroupingTimedFixture(t *testing.T) {
	f, err := os.Open("../testdata/eval/stories/timed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, _, labels, err := stories.ReadItems(f)
	if err != nil {
		t.Fatal(err)
	}
	p, r := BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
	pn, rn := BCubed(digest.GroupStories(stories.WithoutTimes(items), digest.GroupOptions{}), labels)
	t.Logf("with times P %.3f R %.3f; without P %.3f R %.3f", p, r, pn, rn)
	if p < 0.95 || r < 0.85 {
		t.Errorf("with times: P %.3f R %.3f, want P >= 0.95 and R >= 0.85", p, r)
	}
	// Its confusable stories differ in time and source, not in words: without times
	// they run together, so this also checks that the time evidence is what works.
	if p-pn < 0.15 {
		t.Errorf("precision with times %.3f, without %.3f: the times should tell these stories apart", p, pn)
	}
}

// LoadLabelledCSV joins by URL and refuses a corpus that does not match its labels.
func TestLoadLabelledCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath, labelsPath := dir+"/news.csv", dir+"/labels.jsonl"
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(csvPath, `"title","date","text","url"`+"\n"+
		`"Б","2024-11-14 08:00:00","Текст б.","https://www.rbc.ua/b"`+"\n"+
		`"А","2024-11-13 23:30:00","Текст а.","https://babel.ua/a"`+"\n")
	write(labelsPath, `{"url":"https://www.rbc.ua/b","story":"s1","split":"test"}`+"\n"+
		`{"url":"https://babel.ua/a","story":"?","split":"dev"}`+"\n")
	b, err := LoadLabelledCSV(csvPath, labelsPath)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by URL: babel.ua first.
	if len(b.Items) != 2 || b.Items[0].Source != "babel.ua" || b.Items[1].Source != "rbc.ua" || b.Labels[0] != Unscored || b.Splits[1] != "test" {
		t.Fatalf("%+v", b)
	}
	if want := time.Date(2024, 11, 13, 21, 30, 0, 0, time.UTC); !b.Items[0].Published.Equal(want) {
		t.Fatalf("published %v, want %v (Kyiv is UTC+2 in November)", b.Items[0].Published, want)
	}
	if s := b.Split("dev"); len(s.Items) != 1 || s.Items[0].Title != "А" {
		t.Fatalf("dev split %+v", s)
	}
	write(labelsPath, `{"url":"https://www.rbc.ua/b","story":"s1","split":"test"}`+"\n")
	if _, err := LoadLabelledCSV(csvPath, labelsPath); err == nil || !strings.Contains(err.Error(), "has no label") {
		t.Fatalf("unlabelled article: %v", err)
	}
	write(labelsPath, `{"url":"https://www.rbc.ua/b","story":"s1"}`+"\n"+`{"url":"https://babel.ua/a","story":"s2"}`+"\n"+`{"url":"https://x.org/c","story":"s3"}`+"\n")
	if _, err := LoadLabelledCSV(csvPath, labelsPath); err == nil || !strings.Contains(err.Error(), "is not in") {
		t.Fatalf("label without an article: %v", err)
	}
}

// Unscored items are grouped but left out of the scores; pairwise figures ignore
// items left alone.
func TestBCubedUnscoredAndPairs(t *testing.T) {
	gold := []string{"a", "a", "b", Unscored}
	p, r := BCubed([]int{0, 0, 1, 1}, gold)
	if p != 1 || r != 1 {
		t.Fatalf("B-cubed with an unscored item in b's story: P %.3f R %.3f, want 1 1", p, r)
	}
	p, r = BCubed([]int{0, 0, 0, 0}, gold)
	if math.Abs(p-5.0/9) > 1e-9 || r != 1 {
		t.Fatalf("all in one: P %.4f R %.4f, want 5/9 and 1", p, r)
	}
	pp, pr := PairwisePR([]int{0, 0, 1, 1}, gold)
	if pp != 1 || pr != 1 {
		t.Fatalf("pairs P %.3f R %.3f", pp, pr)
	}
	pp, pr = PairwisePR([]int{0, 1, 2, 3}, gold)
	if pp != 0 || pr != 0 {
		t.Fatalf("all apart: pairs P %.3f R %.3f, want 0 0", pp, pr)
	}
}

// Following changes no one's grouping: on a busy bot every story has a follower, and a
// report that only a followed story would take starts a story of its own that carries
// it on. On the timed fixture (the same words on different days) everything followed
// groups exactly as nothing followed.
func TestFollowingChangesNoGrouping(t *testing.T) {
	f, err := os.Open("../testdata/eval/stories/timed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, _, labels, err := stories.ReadItems(f)
	if err != nil {
		t.Fatal(err)
	}
	plain := digest.GroupIncrementally(items, digest.GroupOptions{})
	all := digest.GroupIncrementallyFollowingAll(items, digest.GroupOptions{})
	if !slices.Equal(plain, all) {
		p, r := BCubed(plain, labels)
		pa, ra := BCubed(all, labels)
		t.Fatalf("following everything changed the grouping: P/R %.3f/%.3f, nothing followed %.3f/%.3f", pa, ra, p, r)
	}
}

// A label file may name where each text is instead of carrying it: a plain-text
// article (its headline dropped), a CSV row by URL, with a dump's literal "n" line
// breaks restored, a web page's HTML read as the bot reads one, or an article of a
// tgcontest pair pool (two a row) by URL. A missing row is an error that names it.
func TestSpeakerCasesFromSources(t *testing.T) {
	cases, err := LoadSpeakerCases("testdata/sources/cases.json", "testdata/sources")
	if err != nil {
		t.Fatal(err)
	}
	if got := cases[0].Text; strings.HasPrefix(got, "Port reopens") || !strings.HasPrefix(got, "The port reopened") {
		t.Fatalf("article text %q: want the body without its headline", got)
	}
	if got := cases[1].Text; got != "Порт открылся.\n«Мы вернулись к нормальной работе», - сказала начальник порта Инна Като.\n\nРабота идёт." {
		t.Fatalf("CSV text %q: want its line breaks restored", got)
	}
	if got := cases[2].Text; strings.Contains(got, "<") || !strings.Contains(got, "after the storm.\n\nInes Kato at the harbour office") {
		t.Fatalf("HTML text %q: want the page's text, a paragraph per block", got)
	}
	if got := cases[3].Text; got != "The port reopened on Monday.\n\n\u201cWe are back to normal work,\u201d said harbour master Ines Kato." {
		t.Fatalf("Windows-1252 text %q: want it decoded, its CRLF line ends made LF", got)
	}
	if got := cases[4].Text; got != "\"Мы вернулись к нормальной работе\", - сказала начальник порта Инна Като." {
		t.Fatalf("pair-pool text %q: want the second article's, its CSV quoting undone", got)
	}
	scores := ScoreSpeakerCases(cases)
	if all := scores[len(scores)-1]; all.Gold != 5 || all.Correct != 5 {
		t.Fatalf("scores %+v", all)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"id":"x","lang":"ru","source":{"file":"ru.csv","url":"https://x.example/none"},"quotes":[]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSpeakerCases(bad, "testdata/sources"); err == nil || !strings.Contains(err.Error(), "https://x.example/none") {
		t.Fatalf("a missing row: %v", err)
	}
}

// The blind-labelled sets (testdata/eval/quotes, BENCHMARKS.md "Quotes on unseen news")
// resolve against ../shared/data: every text is there and holds every labelled quote.
func TestBlindQuoteSetsResolve(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", DefaultDataDir)); err != nil {
		t.Skip("../shared is absent: the blind sets' texts live there")
	}
	// Each set holds 30 articles but uk/ru I and J: only 9 Russian articles of the
	// Toloka pools, and 5 of the ODS dump, were left with a credited quotation.
	// BBC H dropped the one article (entertainment 31) that BBC C, a tuned set, holds as
	// "031".
	// Ukrainian M has 29: one chosen article's only quotation is credited to no one.
	// BBC D, E, N and O each dropped an article whose text is word for word one of an
	// earlier set's under another id (the BBC corpus holds a few such copies); O also
	// holds only the 27 of its 30 articles with a credited quotation, and R the 27 of
	// its 30. S and T were drawn when the entertainment section had 25 articles left
	// with enough quotation marks (S took five, T none): S has 25 articles, T 20, of
	// which 19 with a quotation of four words. U and V (seed 5252) hold the 27 and 28 of
	// their 30 articles with a credited quotation. The web sets are pages of
	// ../shared/data/readability read as HTML: A 8 of its 9 pages, B 5 of 6 (nytimes-2
	// and telegraph hold no credited quotation of four words). BBC X holds the 18 of
	// its 20 business articles with a credited quotation. The wiki sets are WikiRef220
	// articles (Windows-1252 files): each set holds those of its 10 with a credited
	// quotation of four words (B, C, D, E, G, J, K hold 9; M drew 9 articles).
	articles := map[string]int{"wiki-a": 10, "wiki-b": 9, "wiki-c": 9, "wiki-d": 9, "wiki-e": 9, "wiki-f": 10, "wiki-g": 9, "wiki-h": 10, "wiki-i": 10, "wiki-j": 9, "wiki-k": 9, "wiki-l": 10, "wiki-m": 9,
		"ukru-i": 24, "ukru-j": 20, "bbc-h": 29, "uk-m": 29, "bbc-d": 29, "bbc-e": 29, "bbc-n": 29, "bbc-o": 26, "bbc-p": 29, "uk-p": 16, "bbc-r": 27, "bbc-s": 25, "bbc-t": 19, "bbc-u": 27, "bbc-v": 28,
		"web-a": 8, "web-b": 5, "bbc-x": 18, "bbc-y": 20}
	// No article may sit in two sets, by source or by text: a held-out figure must not
	// count a tuned text.
	setOf := map[string]string{}
	textOf := map[string]string{}
	for name, quotes := range map[string]int{"bbc-a": 107, "bbc-b": 119, "ukru-a": 64, "ukru-b": 69, "ukru-c": 54, "bbc-c": 104, "bbc-d": 114, "ukru-d": 53,
		"bbc-e": 111, "ukru-e": 57, "bbc-f": 138, "ukru-f": 61, "bbc-g": 141, "ukru-g": 65,
		"bbc-h": 194, "ukru-h": 69, "bbc-i": 205, "ukru-i": 43, "ukru-j": 37,
		"bbc-k": 165, "uk-k": 103, "bbc-l": 182, "uk-l": 60,
		"bbc-m": 184, "uk-m": 54, "bbc-n": 154, "uk-n": 61, "bbc-o": 133, "uk-o": 70, "bbc-p": 167, "uk-p": 40,
		"bbc-q": 187, "bbc-r": 135, "bbc-s": 150, "bbc-t": 112, "bbc-u": 136, "bbc-v": 160, "web-a": 43, "web-b": 84,
		"ru-a": 49, "ru-b": 59, "ru-c": 58, "bbc-x": 64, "bbc-y": 160,
		"wiki-a": 67, "wiki-b": 81, "wiki-c": 50, "wiki-d": 75, "wiki-e": 42, "wiki-f": 84, "wiki-g": 53, "wiki-h": 123, "wiki-i": 93, "wiki-j": 56, "wiki-k": 65, "wiki-l": 90, "wiki-m": 82} {
		want := 30
		if n, ok := articles[name]; ok {
			want = n
		}
		cases, err := LoadSpeakerCases("../testdata/eval/quotes/"+name+".json", filepath.Join("..", DefaultDataDir))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for _, c := range cases {
			if c.Source != nil {
				key := c.Source.File + "#" + c.Source.URL
				if other, dup := setOf[key]; dup {
					t.Errorf("%s %s: the article is also in %s", name, c.ID, other)
				}
				setOf[key] = name
			}
			if text := strings.Join(strings.Fields(c.Text), " "); text != "" {
				// Within a set a copy only counts twice (BBC I's business 7 and 253).
				if other, dup := textOf[text]; dup && other != name {
					t.Errorf("%s %s: the same text is in %s", name, c.ID, other)
				}
				textOf[text] = name
			}
			n += len(c.Quotes)
			for _, q := range c.Quotes {
				if !strings.Contains(c.Text, q.Quote) {
					t.Errorf("%s %s: the label %q is not in the text as loaded", name, c.ID, q.Quote)
				}
			}
		}
		if len(cases) != want || n != quotes {
			t.Errorf("%s: %d articles, %d quotes; want %d and %d", name, len(cases), n, want, quotes)
		}
	}
}

// A Toloka pool's title may open with a quotation and never close it as a field;
// encoding/csv read on from it into the next rows and lost them. Every row is kept,
// and a quoted field with doubled quotes is unwrapped.
func TestTSVTextsKeepEveryRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool.tsv")
	pool := "INPUT:url\tINPUT:text\tINPUT:title\n" +
		"https://a.example/1\tПервый текст.\t\"Это может случиться\": свадьба сорвалась\n" +
		"https://a.example/2\t\"Нападающий \"\"Оттавы\"\" поделился мнением.\"\tЗаголовок\n" +
		"https://a.example/3\tТретий текст.\tЗаголовок\n"
	if err := os.WriteFile(path, []byte(pool), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readCSVTexts(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"https://a.example/1": "Первый текст.",
		"https://a.example/2": `Нападающий "Оттавы" поделился мнением.`,
		"https://a.example/3": "Третий текст.",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A UTF-8 file with one stray byte keeps its UTF-8; only the stray byte is read as
// Windows-1252 (round 18's review: the whole file was decoded as Windows-1252).
func TestReadTextDecodesOnlyInvalidBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(path, []byte("“Zoë” said\x93so\r\nend\rlast"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readText(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "“Zoë” said“so\nend\nlast"; got != want {
		t.Fatalf("readText = %q, want %q", got, want)
	}
}

// TestKeyQuoteScores: the quotes a digest would show are scored on their own, from
// the finder's Key mark: right, wrong, or not in the gold at all.
func TestKeyQuoteScores(t *testing.T) {
	text := `"We will build the bridge before the winter comes," said Anna Berg, the mayor.

"The money is already in the budget for it," said Tom Hale, the treasurer.`
	cases := []SpeakerCase{
		{ID: "right", Lang: "en", Text: text, Quotes: []SpeakerGold{{Quote: "build the bridge", Speaker: "Anna Berg"}}},
		// Mislabelled on purpose: the scorer must count the key quote wrong.
		{ID: "wrong", Lang: "en", Text: text, Quotes: []SpeakerGold{{Quote: "already in the budget", Speaker: "Anna Berg"}}},
	}
	all := ScoreSpeakerCases(cases)[1]
	if all.Lang != "all" || all.Key != 2 || all.KeyCorrect != 1 || all.KeyUnlabelled != 2 || all.KeyPrecision != 0.5 {
		t.Errorf("speaker cases: key %d, right %d, unlabelled %d, precision %.2f; want 2, 1, 2, 0.50",
			all.Key, all.KeyCorrect, all.KeyUnlabelled, all.KeyPrecision)
	}

	pol := []QuoteCase{{Name: "a", Text: "x", Quotes: []GoldQuote{
		{Text: "we will win this race for sure", Source: "Jane Doe"},
		{Text: "the economy is going to grow fast", Source: "John Smith"},
		{Text: "nothing has changed in the plan", Source: "she"}}}}
	find := func(string) []FoundQuote {
		return []FoundQuote{
			{Text: "we will win this race for sure", Speaker: "Jane Doe", Key: true},
			{Text: "the economy is going to grow fast", Speaker: "Mary Jones", Key: true},
			{Text: "nothing has changed in the plan", Speaker: "Jane Doe", Key: true}, // pronoun gold: not eligible
		}
	}
	s := ScoreQuotes(pol, find)
	if s.KeyEligible != 2 || s.KeyCorrect != 1 || s.KeyAccuracy != 0.5 {
		t.Errorf("protocol: key %d, right %d, accuracy %.2f; want 2, 1, 0.50", s.KeyEligible, s.KeyCorrect, s.KeyAccuracy)
	}
}
