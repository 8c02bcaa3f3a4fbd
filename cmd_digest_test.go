package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/stories"
)

func TestSummarizeJSONContract(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "story.txt")
	os.WriteFile(text, []byte("Minister resigns\n\nThe minister resigned on Friday after a vote. \"I leave with my head high,\" Health Minister Anna Berg said. The vote followed months of protests over hospital closures. In 2021, the government had promised to keep every hospital open."), 0o644)
	html := filepath.Join(dir, "page.html")
	page, _ := os.ReadFile("feed/testdata/readability/ars-1/source.html")
	os.WriteFile(html, page, 0o644)
	env := map[string]string{"NEWSBOT_DB": filepath.Join(dir, "none.db")}

	r := runMain(t, env, "summarize", "--json", "--k", "2", text, html, filepath.Join(dir, "missing.txt"))
	if r.code == 0 {
		t.Fatal("a missing source must make the exit code non-zero")
	}
	if !strings.Contains(r.stderr, "missing.txt") {
		t.Fatalf("stderr does not name the failed source: %q", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines (the good sources still print), got %d: %s", len(lines), r.stdout)
	}
	for _, line := range lines {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		for _, k := range []string{"source", "title", "language", "summary", "quotes", "background"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("missing %q in %s", k, line)
			}
		}
	}
	var first stories.SummaryJSON
	json.Unmarshal([]byte(lines[0]), &first)
	if first.Title != "Minister resigns" || len(first.Summary) != 2 || first.Language != "en" {
		t.Fatalf("first: %+v", first)
	}
	if len(first.Quotes) != 1 || first.Quotes[0].Speaker != "Anna Berg" || first.Quotes[0].Role != "Health Minister" || !first.Quotes[0].Key {
		t.Fatalf("quotes: %+v", first.Quotes)
	}
	var raw map[string]map[string]json.RawMessage
	json.Unmarshal([]byte(lines[0]), &raw)
	if _, ok := raw["background"]["related"]; !ok {
		t.Fatal("background.related missing")
	}

	// Text output and stdin.
	r = runMainStdin(t, env, "Title line\n\nOne sentence here. Another sentence there. A third one.", "summarize", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Title line") || !strings.Contains(r.stdout, "• One sentence here.") {
		t.Fatalf("stdin text: %+v", r)
	}
}

// A text file in Windows-1252 (old English corpora, Windows editors) is read as
// such: its curly quotes make a quotation, and no replacement character is printed.
func TestSummarizeWindows1252Text(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "story.txt")
	body := "Caf\xe9 owners win ruling\r\n\r\nThe court ruled for the caf\xe9 owners on Friday. \x93We never doubted the outcome,\x94 said Zo\xeb Marsh, who runs the caf\xe9. The ruling ends a dispute of two years.\r\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runMain(t, map[string]string{"NEWSBOT_DB": filepath.Join(dir, "none.db")}, "summarize", "--json", path)
	if r.code != 0 {
		t.Fatalf("summarize: %+v", r)
	}
	var got stories.SummaryJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("bad JSON %q: %v", r.stdout, err)
	}
	if got.Title != "Café owners win ruling" || strings.ContainsRune(r.stdout, '\uFFFD') {
		t.Errorf("title %q; output %s", got.Title, r.stdout)
	}
	if len(got.Quotes) != 1 || got.Quotes[0].Text != "We never doubted the outcome," || got.Quotes[0].Speaker != "Zoë Marsh" {
		t.Errorf("quotes %+v", got.Quotes)
	}
}

func TestSummarizeURLIsSSRFSafe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body><article><p>Secret.</p></article></body></html>"))
	}))
	defer srv.Close()
	r := runMain(t, map[string]string{"NEWSBOT_DB": filepath.Join(t.TempDir(), "x.db")}, "summarize", srv.URL)
	if r.code == 0 || !strings.Contains(r.stderr, "loopback") {
		t.Fatalf("loopback URL fetched: %+v", r)
	}
}

func TestSummarizeStoredItem(t *testing.T) {
	srv := feedFiles(t)
	env := map[string]string{"NEWSBOT_DB": filepath.Join(t.TempDir(), "n.db"), "NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true"}
	if r := runMain(t, env, "ingest", "--feed", srv.URL+"/jsonfeed_example_1.json"); r.code != 0 {
		t.Fatalf("ingest: %+v", r)
	}
	r := runMain(t, env, "summarize", "--json", "1")
	if r.code != 0 || !strings.Contains(r.stdout, `"source":"1"`) {
		t.Fatalf("stored item: %+v", r)
	}
	r = runMain(t, env, "summarize", "999")
	if r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Fatalf("unknown item: %+v", r)
	}
}

func TestEvalCommands(t *testing.T) {
	r := runMain(t, nil, "eval", "summaries", "--dir", "testdata/eval/bbc-mini", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var out struct {
		Systems []struct {
			Name     string  `json:"name"`
			R2       float64 `json:"rouge2_f1"`
			Articles int     `json:"articles"`
		} `json:"systems"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Systems) != 2 || out.Systems[0].Articles != 3 {
		t.Fatalf("%s %v", r.stdout, err)
	}
	if out.Systems[1].R2 <= 0 || out.Systems[0].Name != "lead-3" {
		t.Fatalf("%+v", out)
	}
	if r := runMain(t, nil, "eval", "summaries", "--dir", t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, "no articles") {
		t.Fatalf("empty dir: %+v", r)
	}
	if r := runMain(t, nil, "eval", "bogus", "--dir", "x"); r.code != 2 {
		t.Fatalf("bad kind: %+v", r)
	}
}

// TestEvalQuotesCompartments runs `eval quotes` on a two-compartment fixture: the JSON
// keeps the protocol's fields, adds the strict match and one score per compartment
// that sum to the total; --misses prints each wrongly attributed quote.
func TestEvalQuotesCompartments(t *testing.T) {
	r := runMain(t, nil, "eval", "quotes", "--dir", "testdata/eval/polnear-mini", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	type score struct {
		Name     string  `json:"name"`
		Articles int     `json:"articles"`
		Gold     int     `json:"gold_quotes"`
		F1       float64 `json:"f1"`
		Eligible int     `json:"attribution_eligible"`
		Correct  int     `json:"attribution_correct"`
		Strict   int     `json:"attribution_strict_correct"`
	}
	var out struct {
		score
		Compartments []score `json:"compartments"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%s %v", r.stdout, err)
	}
	if out.Articles != 2 || out.Gold != 4 || out.Eligible != 3 || len(out.Compartments) != 2 ||
		out.Compartments[0].Name != "dev" || out.Compartments[1].Name != "held" {
		t.Fatalf("%s", r.stdout)
	}
	var sum score
	for _, c := range out.Compartments {
		sum.Gold += c.Gold
		sum.Eligible += c.Eligible
		sum.Correct += c.Correct
		sum.Strict += c.Strict
	}
	if sum.Gold != out.Gold || sum.Eligible != out.Eligible || sum.Correct != out.Correct || sum.Strict != out.Strict || out.Strict > out.Correct {
		t.Fatalf("compartments %+v do not add up to %+v", out.Compartments, out.score)
	}
	// A hand-labelled set: per language, then all.
	r = runMain(t, nil, "eval", "quotes", "--file", "eval/testdata/speakers-uk-ru.json", "--json")
	var sets []struct {
		Lang string `json:"lang"`
		Gold int    `json:"gold_quotes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sets); r.code != 0 || err != nil || len(sets) != 3 || sets[2].Lang != "all" || sets[2].Gold != 25 {
		t.Fatalf("--file: %+v %v", r, err)
	}
	// A labelled set's errors are listed only when asked for: a held-out set is scored
	// blind (its one quote is labelled with someone the text never names).
	r = runMain(t, nil, "eval", "quotes", "--file", "testdata/eval/speakers-one-miss.json")
	if r.code != 0 || !strings.Contains(r.stdout, "all ") || strings.Contains(r.stdout, "miss:") {
		t.Fatalf("without --misses: %+v", r)
	}
	// Counted by how the speaker was reached ("he said" resolved to the mayor).
	if !strings.Contains(r.stdout, "wrong speakers, by how they were reached: pronoun 1\n") {
		t.Fatalf("no count of wrong speakers by mention: %+v", r)
	}
	r = runMain(t, nil, "eval", "quotes", "--file", "testdata/eval/speakers-one-miss.json", "--misses")
	if r.code != 0 || !strings.Contains(r.stdout, `miss: en-miss "It will carry ten thousand cars"`) {
		t.Fatalf("with --misses: %+v", r)
	}
	r = runMain(t, nil, "eval", "quotes", "--file", "testdata/eval/speakers-one-miss.json", "--json")
	if r.code != 0 || strings.Contains(r.stdout, "misses") {
		t.Fatalf("--json without --misses: %+v", r)
	}
	// One compartment alone: no per-compartment list.
	r = runMain(t, nil, "eval", "quotes", "--dir", "testdata/eval/polnear-mini/dev", "--misses")
	if r.code != 0 || !strings.Contains(r.stdout, "attribution strict") || strings.Contains(r.stdout, "  dev:") {
		t.Fatalf("%+v", r)
	}
}

// TestEvalUpdates runs `eval updates` on the fixture pools (eval/testdata/updates):
// JSON per file and per language and split; --misses lists the train pool's false
// update; a folder without pools is an error; --file scores a labelled pair file.
func TestEvalUpdates(t *testing.T) {
	r := runMain(t, nil, "eval", "updates", "--dir", "eval/testdata/updates", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var out struct {
		Files []struct {
			Name      string  `json:"name"`
			Split     string  `json:"split"`
			Grouped   int     `json:"grouped"`
			Sent      int     `json:"sent"`
			Precision float64 `json:"precision"`
		} `json:"files"`
		Languages []struct {
			Name string `json:"name"`
		} `json:"languages"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Files) != 2 || len(out.Languages) != 2 {
		t.Fatalf("%s %v", r.stdout, err)
	}
	if f := out.Files[0]; f.Name != "en_train_pool.tsv" || f.Split != "train" || f.Grouped != 5 || f.Sent != 3 {
		t.Fatalf("%+v", out.Files)
	}
	r = runMain(t, nil, "eval", "updates", "--dir", "eval/testdata/updates", "--misses")
	if r.code != 0 || !strings.Contains(r.stdout, "false update") || !strings.Contains(r.stdout, "Karl Mott") {
		t.Fatalf("--misses: %+v", r)
	}
	if r := runMain(t, nil, "eval", "updates", "--dir", t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, "no *.tsv") {
		t.Fatalf("empty dir: %+v", r)
	}
	// A labelled pair file, its texts under --dir.
	r = runMain(t, nil, "eval", "updates", "--file", "eval/testdata/pairs/pairs.jsonl", "--dir", "eval/testdata/pairs")
	if r.code != 0 || !strings.Contains(r.stdout, "update detection on 2 pairs") || !strings.Contains(r.stdout, "sent 1: 1 developments, 0 details, 0 repeats") {
		t.Fatalf("--file: %+v", r)
	}
}

func TestEvalStoriesLabelledFile(t *testing.T) {
	r := runMain(t, nil, "eval", "stories", "--file", "testdata/eval/stories/headlines.jsonl", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var out struct {
		Items  int `json:"items"`
		Gold   int `json:"gold_stories"`
		BCubed []struct {
			Threshold float64 `json:"threshold"`
			Default   bool    `json:"default"`
			Input     string  `json:"input"`
			Precision float64 `json:"precision"`
			Recall    float64 `json:"recall"`
		} `json:"bcubed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if out.Items != 65 || out.Gold != 17 || len(out.BCubed) != 5 {
		t.Fatalf("%+v", out)
	}
	defaults := 0
	for _, row := range out.BCubed {
		// Headlines only: no item carries text, so there are no "text" rows.
		if row.Input != "titles" || row.Precision <= 0 || row.Recall <= 0 {
			t.Fatalf("row %+v", row)
		}
		if row.Default {
			defaults++
		}
	}
	if defaults != 1 {
		t.Fatalf("%d default rows in %+v", defaults, out.BCubed)
	}
	// The sweep runs from the lowest threshold up.
	for i := 1; i < len(out.BCubed); i++ {
		if out.BCubed[i].Threshold <= out.BCubed[i-1].Threshold {
			t.Fatalf("thresholds not increasing: %+v", out.BCubed)
		}
	}

	dir := t.TempDir()
	unlabelled := dir + "/u.jsonl"
	if err := os.WriteFile(unlabelled, []byte(`{"id":1,"title":"A headline"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runMain(t, nil, "eval", "stories", "--file", unlabelled); r.code == 0 || !strings.Contains(r.stderr, `item 1 has no "story" label`) {
		t.Fatalf("unlabelled: %+v", r)
	}
	if r := runMain(t, nil, "eval", "stories", "--file", dir+"/missing.jsonl"); r.code == 0 || !strings.Contains(r.stderr, "missing.jsonl") {
		t.Fatalf("missing file: %+v", r)
	}
}

// eval stories --file --no-times ignores the file's times; on the timed fixture that
// costs precision.
func TestEvalStoriesNoTimes(t *testing.T) {
	precision := func(args ...string) float64 {
		t.Helper()
		r := runMain(t, nil, append([]string{"eval", "stories", "--file", "testdata/eval/stories/timed.jsonl", "--json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		var out struct {
			Times  bool `json:"times"`
			BCubed []struct {
				Default   bool    `json:"default"`
				Precision float64 `json:"precision"`
			} `json:"bcubed"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Times == (len(args) > 0) {
			t.Fatalf("%v: times %v", args, out.Times)
		}
		for _, row := range out.BCubed {
			if row.Default {
				return row.Precision
			}
		}
		t.Fatalf("no default row: %s", r.stdout)
		return 0
	}
	if with, without := precision(), precision("--no-times"); with <= without {
		t.Errorf("precision with times %.3f, with --no-times %.3f", with, without)
	}
}

// eval stories --dir D --labels L joins a news CSV with a label file and reports every
// split with and without times.
func TestEvalStoriesLabels(t *testing.T) {
	dir := t.TempDir()
	csv := `"title","date","text","url"
"Генштаб: Росія втратила ще 1 770 військових і 24 танки","2024-11-13 09:40:00","","https://babel.ua/1"
"Генштаб назвав втрати Росії: 1 770 військових і 24 танки","2024-11-13 09:47:00","","https://ua.korrespondent.net/2"
"Генштаб: Росія втратила ще 1 690 військових і 3 танки","2024-11-14 09:38:00","","https://babel.ua/3"
"Генштаб назвав втрати Росії: 1 690 військових і 3 танки","2024-11-14 09:54:00","","https://ua.korrespondent.net/4"
"Підсумки дня","2024-11-14 10:00:00","","https://ua.korrespondent.net/5"
`
	labels := `{"url":"https://babel.ua/1","story":"d1","split":"dev"}
{"url":"https://ua.korrespondent.net/2","story":"d1","split":"dev"}
{"url":"https://babel.ua/3","story":"d2","split":"test"}
{"url":"https://ua.korrespondent.net/4","story":"d2","split":"test"}
{"url":"https://ua.korrespondent.net/5","story":"?","split":"test"}
`
	if err := os.WriteFile(dir+"/news.csv", []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/labels.jsonl", []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runMain(t, nil, "eval", "stories", "--dir", dir, "--labels", dir+"/labels.jsonl", "--json")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var out struct {
		BCubed []struct {
			Split     string  `json:"split"`
			Input     string  `json:"input"`
			Times     bool    `json:"times"`
			Items     int     `json:"items"`
			Gold      int     `json:"gold_stories"`
			Precision float64 `json:"precision"`
		} `json:"bcubed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	// dev, test, all x titles, text x with, without times.
	if len(out.BCubed) != 12 {
		t.Fatalf("%d rows: %s", len(out.BCubed), r.stdout)
	}
	for _, row := range out.BCubed {
		if row.Split == "all" && (row.Items != 5 || row.Gold != 2) {
			t.Fatalf("all: %+v", row)
		}
		// Across the two days only the times keep the daily reports apart.
		if row.Split == "all" && row.Times && row.Precision != 1 {
			t.Errorf("with times: %+v", row)
		}
		if row.Split == "all" && !row.Times && row.Precision == 1 {
			t.Errorf("without times the two days should run together: %+v", row)
		}
	}
	r = runMain(t, nil, "eval", "stories", "--dir", dir, "--labels", dir+"/labels.jsonl", "--no-times")
	if r.code != 0 || strings.Contains(r.stdout, " yes ") || !strings.Contains(r.stdout, "singletons") {
		t.Fatalf("--no-times: %+v", r)
	}
	if r := runMain(t, nil, "eval", "stories", "--labels", dir+"/labels.jsonl"); r.code != 2 {
		t.Fatalf("--labels without --dir: %+v", r)
	}
}
