package eval

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/digest"
)

const shared = "../../shared/data"

func needShared(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is absent (../shared not checked out beside the repo)", path)
	}
}

func TestRougeKnownValues(t *testing.T) {
	r := digest.Rouge("the cat sat on the mat", "the cat sat on a mat")
	// Unigrams: overlap 5 of 6 each side; bigrams: the-cat, cat-sat, sat-on = 3 of 5.
	if math.Abs(r.R1-5.0/6) > 1e-9 || math.Abs(r.R2-3.0/5) > 1e-9 {
		t.Fatalf("R1 %.4f R2 %.4f", r.R1, r.R2)
	}
	// LCS: the cat sat on mat = 5 of 6.
	if math.Abs(r.RL-5.0/6) > 1e-9 {
		t.Fatalf("RL %.4f", r.RL)
	}
	if got := digest.RougeTokens("U.S. $1.13bn, Don't!"); len(got) != 6 { // u s 1 13bn don t
		t.Fatalf("tokens %v", got)
	}
	if got := digest.FixGluedReference(`rose 2%.For the year.“Yes”.he`); got != `rose 2%. For the year. “Yes”.he` {
		t.Fatalf("fix: %q", got)
	}
	if r := digest.Rouge("", "x y"); r.R1 != 0 || r.RL != 0 {
		t.Fatal("empty candidate scored")
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
	title, body := SplitTitle("Headline here\n\nFirst paragraph.\n\nSecond.")
	if title != "Headline here" || body != "First paragraph.\n\nSecond." {
		t.Fatalf("%q %q", title, body)
	}
	title, body = SplitTitle("No title line.\nStill body.")
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

// TestQuoteQualityPolNeAR holds the quote bar: detection F1 >= 0.95, attribution >= 0.85.
func TestQuoteQualityPolNeAR(t *testing.T) {
	dir := shared + "/quotes/polnear"
	needShared(t, dir)
	cases, err := LoadPolNeAR(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := ScoreQuotes(cases, OurQuotes)
	t.Logf("%+v", s)
	if s.F1 < 0.95 {
		t.Errorf("detection F1 %.3f < 0.95", s.F1)
	}
	if s.AttributionAccuracy < 0.85 {
		t.Errorf("attribution accuracy %.3f < 0.85", s.AttributionAccuracy)
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
	items, _, labels, err := ReadItems(f)
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
	items, ids, labels, err := ReadItems(strings.NewReader(in))
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
		if _, _, _, err := ReadItems(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
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
			pn, rn := BCubed(digest.GroupStories(WithoutTimes(in.items), digest.GroupOptions{}), b.Labels)
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
	items, _, labels, err := ReadItems(f)
	if err != nil {
		t.Fatal(err)
	}
	p, r := BCubed(digest.GroupStories(items, digest.GroupOptions{}), labels)
	pn, rn := BCubed(digest.GroupStories(WithoutTimes(items), digest.GroupOptions{}), labels)
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
