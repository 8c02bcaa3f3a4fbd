package digest

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	trainSummary = flag.Bool("train-summary", false, "fit the sentence model on ../shared/data/bbc and print its weights")
	holdout      = flag.String("holdout", "", "with -train-summary: leave this BBC folder out of training and report ROUGE-2 on it")
)

// TestTrainSummaryModel reproduces summaryModel: logistic regression of "sentence is in
// the reference summary" on sentenceFeatures, over the three BBC folders in ../shared.
// Run: go test ./digest -run TestTrainSummaryModel -train-summary -v
func TestTrainSummaryModel(t *testing.T) {
	if !*trainSummary {
		t.Skip("pass -train-summary to fit the model")
	}
	var xs [][numFeatures]float64
	var ys []float64
	for _, folder := range []string{"business", "entertainment", "sport"} {
		if folder == *holdout {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("../../shared/data/bbc", folder, "articles", "*.txt"))
		if len(files) == 0 {
			t.Skip("../shared/data/bbc is absent")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := os.ReadFile(strings.Replace(f, "articles", "summaries", 1))
			if err != nil {
				t.Fatal(err)
			}
			title, body, ok := strings.Cut(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n")
			if !ok {
				continue
			}
			ref := FixGluedReference(string(r))
			d := Analyze(Article{Title: title, Text: body, Lang: LangEnglish})
			fs := d.sentenceFeatures()
			for i, s := range d.Sentences {
				if d.junk[i] || d.heading[i] {
					continue
				}
				y := 0.0
				if strings.Contains(ref, s.Text) {
					y = 1
				}
				xs = append(xs, fs[i])
				ys = append(ys, y)
			}
		}
	}
	w := fitLogistic(xs, ys, 400)
	if *holdout != "" {
		saved := summaryModel
		summaryModel = w
		defer func() { summaryModel = saved }()
		r2, words, n := 0.0, 0.0, 0
		files, _ := filepath.Glob(filepath.Join("../../shared/data/bbc", *holdout, "articles", "*.txt"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			r, _ := os.ReadFile(strings.Replace(f, "articles", "summaries", 1))
			title, body, _ := strings.Cut(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n")
			var parts []string
			for _, s := range Analyze(Article{Title: title, Text: body}).Summarize(3) {
				parts = append(parts, s.Text)
			}
			sum := strings.Join(parts, " ")
			r2 += Rouge(sum, FixGluedReference(strings.TrimSpace(string(r)))).R2
			words += float64(len(strings.Fields(sum)))
			n++
		}
		fmt.Printf("held-out %s: ROUGE-2 F1 %.2f, mean words %.1f (%d articles)\n", *holdout, 100*r2/float64(n), words/float64(n), n)
	}
	fmt.Printf("var summaryModel = [numFeatures]float64{\n")
	for _, x := range w {
		fmt.Printf("\t%.6f,\n", x)
	}
	fmt.Printf("}\n")
}

// fitLogistic fits L2-regularised logistic regression with full-batch Adam.
func fitLogistic(xs [][numFeatures]float64, ys []float64, epochs int) [numFeatures]float64 {
	var w, m, v [numFeatures]float64
	const b1, b2, lr, l2 = 0.9, 0.999, 0.05, 1e-4
	for epoch := 1; epoch <= epochs; epoch++ {
		var g [numFeatures]float64
		for n, x := range xs {
			z := 0.0
			for k := range numFeatures {
				z += w[k] * x[k]
			}
			p := 1 / (1 + math.Exp(-z))
			for k := range numFeatures {
				g[k] += (p - ys[n]) * x[k]
			}
		}
		for k := range numFeatures {
			gk := g[k]/float64(len(xs)) + l2*w[k]
			m[k] = b1*m[k] + (1-b1)*gk
			v[k] = b2*v[k] + (1-b2)*gk*gk
			mh := m[k] / (1 - math.Pow(b1, float64(epoch)))
			vh := v[k] / (1 - math.Pow(b2, float64(epoch)))
			w[k] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	return w
}
