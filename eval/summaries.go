// Package eval measures the digest engine against labelled corpora: ROUGE for
// summaries, detection and attribution for quotes, and precision/recall for story
// grouping. It reads corpora from disk; the engine itself stays in package digest.
package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/eval/rouge"
	"github.com/newsbot/newsbot/feed"
)

// SummaryCase is one article with its reference summary.
type SummaryCase struct {
	Name      string
	Title     string
	Body      string
	Reference string
}

// readText reads a file as text (feed.DecodeText: Windows-1252 where it is not valid
// UTF-8, as one BBC article and the WikiRef220 corpus are; line ends made "\n").
func readText(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return feed.DecodeText(b), nil
}

// LoadSummaryCases reads DIR/articles/*.txt and DIR/summaries/*.txt.
func LoadSummaryCases(dir string) ([]SummaryCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "articles", "*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load %s: no articles/*.txt", dir)
	}
	sort.Strings(files)
	var out []SummaryCase
	for _, f := range files {
		name := filepath.Base(f)
		text, err := readText(f)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
		ref, err := readText(filepath.Join(dir, "summaries", name))
		if err != nil {
			return nil, fmt.Errorf("load reference for %s: %w", name, err)
		}
		title, body := digest.SplitTitle(text)
		out = append(out, SummaryCase{Name: name, Title: title, Body: body, Reference: rouge.FixGluedReference(strings.TrimSpace(ref))})
	}
	return out, nil
}

// SystemScore is the mean ROUGE F1 and summary length of one system.
type SystemScore struct {
	Name       string  `json:"name"`
	R1         float64 `json:"rouge1_f1"`
	R2         float64 `json:"rouge2_f1"`
	RL         float64 `json:"rougeL_f1"`
	MeanWords  float64 `json:"mean_words"`
	Articles   int     `json:"articles"`
	NoSentence int     `json:"empty_summaries"`
}

// Summarizer turns an article into summary sentences.
type Summarizer func(c SummaryCase) []string

// Lead returns the first k sentences of the body.
func Lead(k int) Summarizer {
	return func(c SummaryCase) []string {
		var out []string
		for _, s := range digest.SplitSentences(c.Body) {
			if len(out) == k {
				break
			}
			out = append(out, s.Text)
		}
		return out
	}
}

// Ours is newsbot's summarizer with k sentences.
func Ours(k int) Summarizer {
	return func(c SummaryCase) []string {
		d := digest.Analyze(digest.Article{Title: c.Title, Text: c.Body})
		var out []string
		for _, s := range d.Summarize(k) {
			out = append(out, s.Text)
		}
		return out
	}
}

// ScoreSummaries computes mean ROUGE over cases.
func ScoreSummaries(name string, cases []SummaryCase, sys Summarizer) SystemScore {
	s := SystemScore{Name: name, Articles: len(cases)}
	for _, c := range cases {
		sents := sys(c)
		if len(sents) == 0 {
			s.NoSentence++
		}
		cand := strings.Join(sents, " ")
		r := rouge.Score(cand, c.Reference)
		s.R1 += r.R1
		s.R2 += r.R2
		s.RL += r.RL
		s.MeanWords += float64(len(strings.Fields(cand)))
	}
	if n := float64(len(cases)); n > 0 {
		s.R1, s.R2, s.RL, s.MeanWords = 100*s.R1/n, 100*s.R2/n, 100*s.RL/n, s.MeanWords/n
	}
	return s
}
