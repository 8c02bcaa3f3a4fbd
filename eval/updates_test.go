package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/digest"
)

// TestUpdatesFixture scores update detection on the project's own pools
// (testdata/updates: fictional pairs, one false update on purpose); it needs no
// ../shared.
func TestUpdatesFixture(t *testing.T) {
	pairs, err := LoadStoryPairs("testdata/updates")
	if err != nil {
		t.Fatal(err)
	}
	rep := ScoreUpdates(pairs)
	type counts struct{ pairs, grouped, bad, ok, sent, correct int }
	want := map[string]counts{
		"en_train_pool.tsv": {6, 5, 2, 3, 3, 2},
		"ru_exam_pool.tsv":  {4, 3, 1, 2, 1, 1},
		"en train":          {6, 5, 2, 3, 3, 2},
		"ru held-out":       {4, 3, 1, 2, 1, 1},
	}
	got := map[string]counts{}
	for _, s := range rep.Files {
		got[s.Name] = counts{s.Pairs, s.Grouped, s.Developments, s.Repeats, s.Sent, s.Correct}
	}
	for _, s := range rep.Languages {
		got[s.Name+" "+s.Split] = counts{s.Pairs, s.Grouped, s.Developments, s.Repeats, s.Sent, s.Correct}
		if s.Name == "en" && (s.Precision < 0.66 || s.Precision > 0.67 || s.Recall != 1 || s.F1 != 0.8) {
			t.Errorf("en: precision %.3f recall %.3f F1 %.3f, want 0.667 1 0.8", s.Precision, s.Recall, s.F1)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %+v, want %+v", k, got[k], w)
		}
	}
	// Misses come from the train pool only, and here there is the one false update.
	if len(rep.Misses) != 1 || rep.Misses[0].Kind != "false update" || !strings.Contains(rep.Misses[0].Second, "Karl Mott") {
		t.Fatalf("misses %+v", rep.Misses)
	}
	if !strings.Contains(strings.Join(rep.Misses[0].New, " "), "p:mott") || len(rep.Misses[0].Sentences) != 1 {
		t.Errorf("miss %+v: want the new name and the sentence carrying it", rep.Misses[0])
	}
}

// TestWriteUpdates checks the report's two forms and that misses are listed only
// when asked for.
func TestWriteUpdates(t *testing.T) {
	var plain, withMisses, js bytes.Buffer
	for _, c := range []struct {
		w              *bytes.Buffer
		asJSON, misses bool
	}{{&plain, false, false}, {&withMisses, false, true}, {&js, true, false}} {
		if err := WriteUpdates(c.w, "testdata/updates", c.asJSON, c.misses); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(plain.String(), "lang ru              held-out     4       3") || strings.Contains(plain.String(), "false update") {
		t.Errorf("table:\n%s", plain.String())
	}
	if !strings.Contains(withMisses.String(), "(false update, score") {
		t.Errorf("misses not listed:\n%s", withMisses.String())
	}
	if !strings.Contains(js.String(), `"grouped_bad": 2`) || strings.Contains(js.String(), "Karl Mott") {
		t.Errorf("json:\n%s", js.String())
	}
	if err := WriteUpdates(&plain, t.TempDir(), false, false); err == nil {
		t.Error("a folder without pools is not an error")
	}
}

// TestUpdatesTrainPools holds the in-sample figures of the tuning pairs: the train
// pools and the tuning half of the honey pool (BENCHMARKS.md, "Update detection
// (issue 15)"). Measured 2026-11-30 on grouped pairs: ru train 4 sent, 3 of them
// developments (precision 0.750, recall 0.750 of 4); honey-dev 12 sent, 5 of them
// developments (of 11, with the pairs that share an article with a tuning pair); en train 0 sent (its one grouped development is missed, and
// none of its 17 repeats sends an update). The held-out pairs are reported by
// `newsbot eval updates`, not held here as a target.
func TestUpdatesTrainPools(t *testing.T) {
	dir := shared + "/stories/tgcontest-pairs-ru-en"
	needShared(t, dir)
	pairs, err := LoadStoryPairs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var train []StoryPair
	for i, split := range updateSplits(pairs) {
		if split == "train" {
			train = append(train, pairs[i])
		}
	}
	rep := ScoreUpdates(train)
	for _, s := range rep.Files {
		t.Logf("%s: grouped %d (BAD %d, OK %d), sent %d, P %.3f R %.3f; all pairs P %.3f R %.3f",
			s.Name, s.Grouped, s.Developments, s.Repeats, s.Sent, s.Precision, s.Recall, s.AllPrecision, s.AllRecall)
		switch s.Name {
		case "ru_train_pool.tsv":
			if s.Grouped != 12 || s.Developments != 4 || s.Sent > 4 || s.Correct < 3 {
				t.Errorf("ru train: %+v", s)
			}
		case "ru_honey_pool-dev.tsv":
			if s.Grouped != 45 || s.Developments != 11 || s.Sent > 12 || s.Correct < 5 {
				t.Errorf("ru honey-dev: %+v", s)
			}
		case "en_train_pool.tsv":
			if s.Grouped != 18 || s.Developments != 1 || s.Sent-s.Correct > 0 {
				t.Errorf("en train: %+v (a false update among its repeats)", s)
			}
		}
	}
}

// Each labelled report is weighed against every earlier report of its story, as the
// tracker does: the reworded repeat sends nothing, the rising toll and the arrest do.
// A label for a report outside its story, or an unknown label, is an error.
func TestDevelopmentsFixture(t *testing.T) {
	dir := "testdata/developments"
	b, err := LoadLabelledCSV(dir+"/news.csv", dir+"/stories.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := ReadDevelopmentLabels(dir + "/developments.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	s, ds, err := ScoreDevelopments(b, labels)
	if err != nil {
		t.Fatal(err)
	}
	if s.Reports != 3 || s.Developments != 2 || s.Repeats != 1 || s.Sent != 2 || s.SentRepeat != 0 || s.Precision != 1 || s.Recall != 1 {
		t.Fatalf("score %+v", s)
	}
	if ds[0].Sent || !ds[1].Sent || !ds[2].Sent {
		t.Fatalf("decisions %+v", ds)
	}
	wrong := []DevelopmentLabel{{URL: "https://money.example/rates-1", Story: "ferry", Label: LabelRepeat}}
	if _, _, err := ScoreDevelopments(b, wrong); err == nil || !strings.Contains(err.Error(), "rates") {
		t.Fatalf("a label in the wrong story: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"url":"u","story":"s","label":"maybe"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDevelopmentLabels(bad); err == nil || !strings.Contains(err.Error(), `"maybe"`) {
		t.Fatalf("an unknown label: %v", err)
	}
}

// The honey pool is split in two by its pairs' URLs, the same way on every run, and
// texts the crawl quoted twice are read as written.
func TestHoneySplitAndDoubleQuoting(t *testing.T) {
	p := StoryPair{File: "ru_honey_pool.tsv", A: digest.Item{URL: "https://a.example/1"}, B: digest.Item{URL: "https://b.example/2"}}
	first := updateSplit(p)
	for range 3 {
		if updateSplit(p) != first {
			t.Fatal("the split changes between calls")
		}
	}
	dev, test := 0, 0
	for i := range 200 {
		q := p
		q.B.URL = fmt.Sprintf("https://b.example/%d", i)
		if updateSplit(q) == "train" {
			dev++
		} else {
			test++
		}
	}
	if dev < 70 || test < 70 {
		t.Errorf("split %d / %d: not about half", dev, test)
	}
	if s := updateSplit(StoryPair{File: "ru_exam_pool.tsv"}); s != "held-out" {
		t.Errorf("exam pool: %s", s)
	}
	// A held-out pair that shares an article with a tuning pair is tuning data.
	var tuning StoryPair
	for i := range 200 {
		q := p
		q.B.URL = fmt.Sprintf("https://b.example/%d", i)
		if updateSplit(q) == "train" {
			tuning = q
			break
		}
	}
	shared := StoryPair{File: "ru_exam_pool.tsv", A: tuning.B, B: digest.Item{URL: "https://c.example/9"}}
	other := StoryPair{File: "ru_exam_pool.tsv", A: digest.Item{URL: "https://c.example/8"}, B: digest.Item{URL: "https://c.example/7"}}
	if got := updateSplits([]StoryPair{tuning, shared, other}); got[0] != "train" || got[1] != "train" || got[2] != "held-out" {
		t.Errorf("splits %v", got)
	}
	for in, want := range map[string]string{
		`"Штаб: боевики нарушали ""тишину"", ранен боец"`: `Штаб: боевики нарушали "тишину", ранен боец`,
		`"ТАСС, 17 мая. ""Москва. Кремль"" на канале"`:    `ТАСС, 17 мая. "Москва. Кремль" на канале`,
		`"Он сказал" и "она ответила"`:                    `"Он сказал" и "она ответила"`, // quotes as written
		`"Цитата"`: `"Цитата"`, // quoted once as a whole: no inner quote says it was twice
		`""`:       `""`,
		`"`:        `"`,
		`plain`:    `plain`,
	} {
		if got := unquoteTwice(in); got != want {
			t.Errorf("unquoteTwice(%q) = %q, want %q", in, got, want)
		}
	}
}

// A labelled pair file: each report against the one a follower had read, texts read
// from the data folder; a bad label or a missing text is an error that names it.
func TestPairDevelopments(t *testing.T) {
	var out bytes.Buffer
	if err := WritePairDevelopments(&out, "testdata/pairs/pairs.jsonl", "testdata/pairs", true, true); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Score     DevelopmentScore
		Decisions []DevelopmentDecision
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if s := rep.Score; s.Reports != 2 || s.Developments != 1 || s.Repeats != 1 || s.Sent != 1 || s.SentDevelopment != 1 || s.Precision != 1 || s.Recall != 1 {
		t.Fatalf("score %+v", s)
	}
	if d := rep.Decisions; len(d) != 2 || !d[0].Sent || d[1].Sent || !slices.Contains(d[0].New, "n:15") {
		t.Fatalf("decisions %+v", d)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"label":   `{"id": "x", "known": "texts/ferry-1.txt", "report": "texts/ferry-2.txt", "label": "maybe"}`,
		"missing": `{"id": "gone-01", "known": "texts/ferry-1.txt", "report": "texts/none.txt", "label": "repeat"}`,
	} {
		path := filepath.Join(dir, name+".jsonl")
		if err := os.WriteFile(path, []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WritePairDevelopments(&out, path, "testdata/pairs", false, false)
		if err == nil || !strings.Contains(err.Error(), map[string]string{"label": `"maybe"`, "missing": "gone-01"}[name]) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The English pair files (testdata/eval/updates/wikiref220-en.*.pairs.jsonl) resolve
// against ../shared/data and read as labelled: 40 and 24 pairs, labels as counted when
// they were made.
func TestWikiRefPairsResolve(t *testing.T) {
	needShared(t, shared+"/stories/wikiref220-en")
	for name, want := range map[string][3]int{"dev": {31, 7, 2}, "test": {18, 5, 1}} {
		pairs, err := ReadPairDevelopments("../testdata/eval/updates/wikiref220-en." + name + ".pairs.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := ScorePairDevelopments(pairs, shared)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := [3]int{s.Developments, s.Details, s.Repeats}; got != want {
			t.Errorf("%s: developments, details, repeats %v, want %v", name, got, want)
		}
	}
}
