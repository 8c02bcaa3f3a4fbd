package digest

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The summarizer scores each sentence with a logistic model over features that the
// extractive-summarization literature finds useful for news — centrality (LexRank over
// TF-IDF cosine, TextRank over word overlap, both raw and as within-document ranks),
// word frequency, position (lead bias, paragraph openings), overlap with the title,
// length, and surface cues (quotes, numbers, names, speech verbs) — and then picks the
// k sentences that maximise the expected F1 overlap with an ideal summary, never two
// that say the same thing.
//
// The weights (summaryModel, in the generated summary_model.go) are what the trainer
// in train_test.go fits on the three BBC folders in ../shared: `go generate ./digest`
// re-runs it and rewrites the file, and TestSummaryModelUpToDate fails when the file
// is not what the trainer produces, so a change to the splitter, the tokenizer or the
// features cannot leave stale weights behind. BENCHMARKS.md has the ROUGE figures,
// in-sample and leave-one-folder-out (go test ./digest -run TestTrainSummaryModel
// -train-summary -holdout all -v).
//
//go:generate go test -run TestTrainSummaryModel -train-summary -write-model summary_model.go

// numFeatures is the size of the sentence feature vector.
const numFeatures = 23

// summaryWeights are logistic-regression weights over sentenceFeatures, in its order.
type summaryWeights = [numFeatures]float64

const (
	// summaryShare is the expected length of an ideal summary as a share of the
	// article's words; it sets how much a longer sentence must earn to be chosen.
	// The BBC reference summaries hold 46% of their articles' words on average; 0.4
	// (shorter, as a digest wants) was set with the summarizer (issue 3) on the BBC
	// folders, measured with `newsbot eval summaries --dir ../shared/data/bbc/FOLDER`.
	summaryShare = 0.4
	// maxRedundancy is the TF-IDF cosine above which two sentences say the same thing
	// (set with summaryShare, on the same data and command).
	maxRedundancy = 0.5
	// searchWidth bounds the exhaustive search to the best-scored candidates.
	searchWidth = 10
)

// reminderOpeners mark sentences that only remind the reader of earlier news.
var reminderOpeners = regexp.MustCompile(`(?i)^(нагадаємо|нагадуємо|напомним|as previously reported|as reported earlier)(?:$|[^\p{L}\p{N}])`)

var speechVerbWords = set(`said says told added`)

// Summarize returns up to k summary sentences in document order (k <= 0 means 3).
func (d *Document) Summarize(k int) []Sentence {
	return d.summarizeWith(k, &summaryModel)
}

// summarizeWith is Summarize with the sentence model's weights given (the trainer
// scores weights it has just fitted without touching summaryModel).
func (d *Document) summarizeWith(k int, w *summaryWeights) []Sentence {
	idx := d.summaryIndexes(k, w)
	out := make([]Sentence, len(idx))
	for i, j := range idx {
		out[i] = d.Sentences[j]
	}
	return out
}

// sentenceProbabilities is the model's probability that each sentence belongs in a
// summary; boilerplate and headings get 0.
func (d *Document) sentenceProbabilities(w *summaryWeights) []float64 {
	fs := d.sentenceFeatures()
	probs := make([]float64, len(fs))
	for i, f := range fs {
		if d.junk[i] || d.heading[i] || len(d.stems[i]) == 0 || i >= d.ranked() {
			continue // past maxRanked a sentence has no ranks, and is no candidate
		}
		z := 0.0
		for k, x := range f {
			z += w[k] * x
		}
		probs[i] = 1 / (1 + math.Exp(-z))
	}
	return probs
}

func (d *Document) summaryIndexes(k int, w *summaryWeights) []int {
	if k <= 0 {
		k = 3
	}
	probs := d.sentenceProbabilities(w)
	var cand []int
	docWords := 0
	for i, s := range d.Sentences {
		docWords += d.words[i]
		// A recap ("Нагадаємо, …", "As previously reported") is background, not gist.
		if probs[i] > 0 && !reminderOpeners.MatchString(s.Text) {
			cand = append(cand, i)
		}
	}
	sort.SliceStable(cand, func(a, b int) bool { return probs[cand[a]] > probs[cand[b]] })
	ideal := summaryShare * float64(docWords)

	// expectedF1 of a set: matched words ~ sum(p*w) against |set| + |ideal summary|.
	expectedF1 := func(set []int) float64 {
		m, w := 0.0, 0.0
		for _, i := range set {
			m += probs[i] * float64(d.words[i])
			w += float64(d.words[i])
		}
		return 2 * m / (w + ideal)
	}
	redundant := func(set []int, j int) bool {
		for _, i := range set {
			if d.vecs[i].dot(d.vecs[j]) > maxRedundancy {
				return true
			}
		}
		return false
	}

	var best []int
	if k <= 5 {
		// Exhaustive over the top candidates: at most C(10,5) = 252 sets.
		top := cand[:min(len(cand), searchWidth)]
		bestVal := -1.0
		var walk func(start int, cur []int)
		walk = func(start int, cur []int) {
			if len(cur) == k || start == len(top) {
				if len(cur) > 0 && (len(cur) == k || len(cur) >= len(best)) {
					if v := expectedF1(cur); len(cur) > len(best) || v > bestVal {
						bestVal, best = v, append([]int(nil), cur...)
					}
				}
				if len(cur) == k {
					return
				}
			}
			for j := start; j < len(top); j++ {
				if !redundant(cur, top[j]) {
					walk(j+1, append(cur, top[j]))
				}
			}
		}
		walk(0, nil)
	} else {
		// Greedy for long summaries.
		for _, j := range cand {
			if len(best) == k {
				break
			}
			if !redundant(best, j) {
				best = append(best, j)
			}
		}
	}
	sort.Ints(best)
	return d.attributeBareQuotes(best, probs)
}

// attributeBareQuotes swaps a chosen sentence that is nothing but a quotation
// ("Next year we will make twice as many.") for the sentence before it in the same
// paragraph, which says who is speaking — a summary line should not leave the reader
// guessing. The swap is skipped when that sentence is already chosen, is not a
// candidate, or repeats a chosen one.
func (d *Document) attributeBareQuotes(set []int, probs []float64) []int {
	chosen := map[int]bool{}
	for _, i := range set {
		chosen[i] = true
	}
	for n, j := range set {
		if j == 0 || !bareQuote(d.Sentences[j].Text) {
			continue
		}
		prev := j - 1
		// Only a continuation: the sentence before opens the same quotation and says
		// who speaks ("A," she said. "B.").
		if chosen[prev] || probs[prev] == 0 || d.Sentences[prev].Para != d.Sentences[j].Para ||
			!strings.ContainsAny(d.Sentences[prev].Text, `"“«„`) {
			continue
		}
		redundant := false
		for _, i := range set {
			if i != j && d.vecs[i].dot(d.vecs[prev]) > maxRedundancy {
				redundant = true
			}
		}
		if redundant {
			continue
		}
		delete(chosen, j)
		chosen[prev] = true
		set[n] = prev
	}
	sort.Ints(set)
	return set
}

// bareQuote reports whether a sentence is one quotation and nothing else.
func bareQuote(s string) bool {
	s = strings.TrimSpace(s)
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || !strings.ContainsRune(`"“«„'‘`, r) {
		return false
	}
	body := strings.TrimRightFunc(s[size:], func(r rune) bool {
		return unicode.IsPunct(r) && !strings.ContainsRune(`"”»“'’`, r) || unicode.IsSpace(r)
	})
	last, lsize := utf8.DecodeLastRuneInString(body)
	if lsize == 0 || !strings.ContainsRune(`"”»“'’`, last) {
		return false
	}
	inner := body[:len(body)-lsize]
	// Another mark inside means text outside quotes: "A," she said. "B."
	return !strings.ContainsAny(inner, `"“”«»„`)
}

// sentenceFeatures describes each sentence for the model. Keep the order in step with
// summaryModel.
//
// It is long because every feature must sit at its index in one array literal, in
// step with the generated model; one place makes a mismatch visible.
func (d *Document) sentenceFeatures() [][numFeatures]float64 {
	n := len(d.Sentences)
	out := make([][numFeatures]float64, n)
	if n == 0 {
		return out
	}
	lex := d.lexRank()
	tr := d.textRank()
	cosRank := d.wordCosineRank()
	freq := map[string]float64{}
	maxF := 0.0
	for i := range n {
		for _, st := range d.stems[i] {
			freq[st]++
			maxF = max(maxF, freq[st])
		}
	}
	pos := 0
	for i, s := range d.Sentences[:d.ranked()] { // past maxRanked, no candidates: no features
		f := &out[i]
		f[0] = lex[i] * float64(d.ranked()) // centralities relative to uniform 1/n
		f[1] = tr[i] * float64(d.ranked())
		sum := 0.0
		for _, st := range d.stems[i] {
			sum += freq[st] / maxF
		}
		if k := len(d.stems[i]); k > 0 {
			f[2] = sum / float64(k)
		}
		f[3] = sum / 10
		f[4] = 1 / (1 + 0.25*float64(pos)) // position among body sentences
		if pos == 0 {
			f[5] = 1
		}
		if len(d.titleStems) > 0 {
			hit := map[string]bool{}
			for _, st := range d.stems[i] {
				if d.titleStems[st] {
					hit[st] = true
				}
			}
			f[6] = float64(len(hit)) / float64(len(d.titleStems))
		}
		f[7] = math.Log(float64(d.words[i]) + 1)
		f[8] = float64(pos) / float64(n)
		if strings.ContainsAny(s.Text, "\"“”«»„") {
			f[9] = 1
		}
		if strings.ContainsAny(s.Text, "0123456789") {
			f[10] = 1
		}
		f[11] = cosRank[i] * float64(d.ranked())
		f[12] = float64(n) / 20
		if i == 0 || d.Sentences[i-1].Para != s.Para {
			f[13] = 1 // opens a paragraph
		}
		caps, nums := 0, 0
		j := 0
		for w := range strings.FieldsSeq(s.Text) {
			r, _ := utf8.DecodeRuneInString(w)
			if j > 0 && unicode.IsUpper(r) {
				caps++
			}
			if strings.ContainsAny(w, "0123456789") {
				nums++
			}
			j++
		}
		f[14] = float64(caps) / float64(max(1, d.words[i]))
		f[15] = float64(nums) / float64(max(1, d.words[i]))
		f[16] = f[1] * f[7] / 3
		f[17] = f[2] * f[7] / 3
		for _, t := range d.toks[i] {
			if speechVerbWords[t.Word] || (t.Word == "according" && strings.Contains(s.Text, "according to")) {
				f[18] = 1
				break
			}
		}
		f[19] = 1 - rankOf(lex[:d.ranked()], i)
		f[20] = 1 - rankOf(tr[:d.ranked()], i)
		f[21] = 1 - rankOf(cosRank[:d.ranked()], i)
		f[22] = 1 // bias
		if !d.junk[i] && !d.heading[i] {
			pos++
		}
	}
	return out
}

// rankOf is the fraction of scores strictly greater than scores[i]: 0 for the best.
func rankOf(scores []float64, i int) float64 {
	above := 0
	for _, s := range scores {
		if s > scores[i] {
			above++
		}
	}
	return float64(above) / float64(len(scores))
}

// lexRank computes continuous LexRank (PageRank over the TF-IDF cosine graph), once.
func (d *Document) lexRank() []float64 {
	if d.lex != nil {
		return d.lex
	}
	n := d.ranked()
	sim := newMatrix(n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			s := d.vecs[i].dot(d.vecs[j])
			sim[i][j], sim[j][i] = s, s
		}
	}
	d.lex = d.padRanks(pageRank(sim))
	return d.lex
}

// maxRanked bounds the sentences that take part in the graph rankings (LexRank,
// TextRank), whose cost is quadratic in their number: a 200 KB text of one-line
// paragraphs is 30,000 sentences, which took three minutes and gigabytes of matrix.
// The longest BBC article has about 300 sentences; a summary comes from the start.
const maxRanked = 400

// ranked is how many of the document's first sentences are ranked (see maxRanked).
func (d *Document) ranked() int { return min(len(d.Sentences), maxRanked) }

// padRanks extends ranks of the first ranked() sentences to every sentence, with 0.
func (d *Document) padRanks(r []float64) []float64 {
	if len(r) == len(d.Sentences) {
		return r
	}
	return append(r, make([]float64, len(d.Sentences)-len(r))...)
}

// textRank is TextRank's sentence graph: overlap of content stems over the sum of the
// sentences' log lengths.
func (d *Document) textRank() []float64 {
	return d.padRanks(overlapRank(d.stemIDs[:d.ranked()], func(ov, a, b int) float64 {
		den := math.Log(float64(a)+1) + math.Log(float64(b)+1)
		if den == 0 {
			return 0
		}
		return float64(ov) / den
	}))
}

// wordCosineRank is TextRank over unstemmed content words with binary cosine
// similarity, which ranks news sentences slightly differently from stems.
func (d *Document) wordCosineRank() []float64 {
	vocab := map[string]int32{}
	sets := make([][]int32, len(d.Sentences))
	for i := range d.Sentences {
		for _, tok := range d.toks[i] {
			if tok.Stop {
				continue
			}
			id, ok := vocab[tok.Word]
			if !ok {
				id = int32(len(vocab))
				vocab[tok.Word] = id
			}
			sets[i] = append(sets[i], id)
		}
		slices.Sort(sets[i])
		sets[i] = slices.Compact(sets[i])
	}
	return d.padRanks(overlapRank(sets[:d.ranked()], func(ov, a, b int) float64 {
		return float64(ov) / math.Sqrt(float64(a*b))
	}))
}

// overlapRank ranks sentences by PageRank over a graph weighted by sim(overlap,
// |set a|, |set b|) of their distinct tokens (sorted ids).
func overlapRank(sets [][]int32, sim func(ov, a, b int) float64) []float64 {
	n := len(sets)
	m := newMatrix(n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			if ov := intersectCount(sets[i], sets[j]); ov > 0 {
				s := sim(ov, len(sets[i]), len(sets[j]))
				m[i][j], m[j][i] = s, s
			}
		}
	}
	return pageRank(m)
}

func intersectCount(a, b []int32) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

func newMatrix(n int) [][]float64 {
	backing := make([]float64, n*n)
	m := make([][]float64, n)
	for i := range m {
		m[i] = backing[i*n : (i+1)*n]
	}
	return m
}

// pageRank ranks the nodes of a weighted undirected graph (damping 0.85). It
// normalises sim in place into transition weights.
func pageRank(sim [][]float64) []float64 {
	n := len(sim)
	if n == 0 {
		return nil
	}
	for j := range n {
		sum := 0.0
		for _, s := range sim[j] {
			sum += s
		}
		if sum > 0 {
			for i := range sim[j] {
				sim[j][i] /= sum
			}
		}
	}
	const damping = 0.85
	r := make([]float64, n)
	for i := range r {
		r[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	base := (1 - damping) / float64(n)
	for iter := 0; iter < 50; iter++ {
		for i := range next {
			next[i] = 0
		}
		for j := range n {
			rj := r[j]
			for i, p := range sim[j] {
				next[i] += p * rj
			}
		}
		delta := 0.0
		for i := range n {
			next[i] = base + damping*next[i]
			delta += math.Abs(next[i] - r[i])
		}
		r, next = next, r
		if delta < 1e-6 {
			break
		}
	}
	return r
}
