package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchArticles loads the BBC corpus from ../shared when present (1,407 articles), else
// the fixtures.
func benchArticles(b *testing.B) []Article {
	files, _ := filepath.Glob("../../shared/data/bbc/*/articles/*.txt")
	if len(files) == 0 {
		files, _ = filepath.Glob("testdata/articles/*.txt")
	}
	var out []Article
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		title, body, _ := strings.Cut(string(raw), "\n\n")
		out = append(out, Article{Title: title, Text: body})
	}
	return out
}

// BenchmarkArticle measures what ingestion does per item: language detection, analysis,
// a 3-sentence summary, every quote with its speaker, and background context.
func BenchmarkArticle(b *testing.B) {
	arts := benchArticles(b)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		a := arts[n%len(arts)]
		n++
		d := Analyze(a)
		sum := d.Summarize(3)
		FindQuotes(a.Text, d.Lang)
		d.Context(2, sum)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}
