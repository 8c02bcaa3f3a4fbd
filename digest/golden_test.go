package digest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

type goldenCard struct {
	Language string   `json:"language"`
	Summary  []string `json:"summary"`
	Quotes   []struct {
		Text     string `json:"text"`
		Speaker  string `json:"speaker"`
		Role     string `json:"role"`
		Fragment bool   `json:"fragment,omitempty"`
		Key      bool   `json:"key,omitempty"`
	} `json:"quotes"`
	Context []string `json:"context"`
}

// TestGoldenArticles runs the whole engine on real (and two fictional uk/ru) articles
// and compares with reviewed output; -update rewrites the files after a deliberate
// change, to be reviewed in the diff.
func TestGoldenArticles(t *testing.T) {
	files, _ := filepath.Glob("testdata/articles/*.txt")
	if len(files) < 5 {
		t.Fatalf("only %d fixture articles", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			title, body, _ := strings.Cut(string(raw), "\n\n")
			card := Card(Item{Title: title, Text: body}, 3, nil)
			var got goldenCard
			got.Language, got.Summary, got.Context = card.Language, card.Summary, card.Background
			for _, q := range card.Quotes {
				got.Quotes = append(got.Quotes, struct {
					Text     string `json:"text"`
					Speaker  string `json:"speaker"`
					Role     string `json:"role"`
					Fragment bool   `json:"fragment,omitempty"`
					Key      bool   `json:"key,omitempty"`
				}{q.Text, q.Speaker, q.Role, q.Fragment, q.Key})
			}
			// Invariants that hold whatever the golden file says.
			if len(got.Summary) != min(3, len(SplitSentences(body))) {
				t.Errorf("summary has %d sentences", len(got.Summary))
			}
			for _, s := range append(append([]string{}, got.Summary...), got.Context...) {
				if !strings.Contains(body, s) {
					t.Errorf("sentence not verbatim from the article: %q", s)
				}
			}
			for _, c := range got.Context {
				for _, s := range got.Summary {
					if c == s {
						t.Errorf("background repeats a summary sentence: %q", c)
					}
				}
			}
			data, _ := json.MarshalIndent(got, "", "  ")
			golden := filepath.Join("testdata/golden", name+".json")
			if *update {
				if err := os.WriteFile(golden, append(data, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./digest -run TestGoldenArticles -update)", err)
			}
			if strings.TrimSpace(string(want)) != strings.TrimSpace(string(data)) {
				t.Errorf("output differs from %s:\n got: %s\nwant: %s", golden, data, want)
			}
		})
	}
}
