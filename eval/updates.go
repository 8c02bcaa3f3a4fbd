package eval

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/digest"
)

// Update detection (issue 15) on the labelled pairs of the tgcontest pools (the
// LoadStoryPairs layout). A pair whose two reports GroupStories puts in one story is
// a repeat when labelled OK (same thread: reading one is enough) and a development
// when labelled BAD (the facts differ). The first report is what the follower knew,
// the second the new one: it "sends an update" when
// digest.DevelopmentOf(digest.FactsOf(first), second).Material.

// UpdateScore is "sends an update" scored on one set of pairs: on the pairs grouped
// into one story (the figure the issue asks for) and, for context, on all pairs.
type UpdateScore struct {
	Name string `json:"name"`
	// Split is "train" (tuned on: the figures are in-sample) or "held-out".
	Split string `json:"split"`
	Pairs int    `json:"pairs"`
	// Grouped counts the pairs GroupStories puts in one story; Developments and
	// Repeats split them by label (BAD, OK).
	Grouped      int `json:"grouped"`
	Developments int `json:"grouped_bad"`
	Repeats      int `json:"grouped_ok"`
	// Sent, Precision, Recall and F1 are over the grouped pairs; positive is BAD.
	Sent      int     `json:"sent"`
	Correct   int     `json:"sent_bad"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// All* ignore grouping: every pair, BAD pairs being developments.
	AllBad       int     `json:"all_bad"`
	AllSent      int     `json:"all_sent"`
	AllCorrect   int     `json:"all_sent_bad"`
	AllPrecision float64 `json:"all_precision"`
	AllRecall    float64 `json:"all_recall"`
	AllF1        float64 `json:"all_f1"`
	// Baseline* score, on the grouped pairs, what the digest used before issue 15:
	// digest.UpdateOf's "material" (at least two names or numbers of the new report's
	// title and lead that the earlier report never wrote). Context, not a target.
	BaselineSent      int     `json:"baseline_sent"`
	BaselineCorrect   int     `json:"baseline_sent_bad"`
	BaselinePrecision float64 `json:"baseline_precision"`
	BaselineRecall    float64 `json:"baseline_recall"`
}

// UpdateMiss is a pair decided wrongly: a false update (a repeat that sends
// one) or a missed one (a development that sends nothing).
type UpdateMiss struct {
	File        string   `json:"file"`
	Kind        string   `json:"kind"`
	First       string   `json:"first"`
	Second      string   `json:"second"`
	New         []string `json:"new"`
	Sentences   []string `json:"sentences"`
	Score       float64  `json:"score"`
	SecondLead  string   `json:"second_lead"`
	FirstLength int      `json:"first_chars"`
	// Grouped is false for a pair GroupStories keeps apart: not in the scored figures,
	// listed because its decision still shows what the cues do.
	Grouped bool `json:"grouped"`
}

// UpdateReport is the whole measurement: per file, per language and split, and the
// misses of the train files.
type UpdateReport struct {
	Files     []UpdateScore `json:"files"`
	Languages []UpdateScore `json:"languages"`
	Misses    []UpdateMiss  `json:"misses,omitempty"`
}

// updateSplit is a pair's split. The train pools are what update detection was first
// tuned on. With so few grouped developments there (5), half of the honey pool (a
// hash of the pair's URLs decides which half, fixed before any of its pairs was read)
// became a second tuning set on 2026-11-30: "honey-dev". The other half and the exam
// pool stay held out, scored and never read pair by pair.
func updateSplit(p StoryPair) string {
	if strings.Contains(p.File, "train") {
		return "train"
	}
	if strings.Contains(p.File, "honey") && honeyDev(p) {
		return "train"
	}
	return "held-out"
}

// honeyDev reports whether a honey pair is in the tuning half.
func honeyDev(p StoryPair) bool {
	h := fnv.New32a()
	h.Write([]byte(p.A.URL + "|" + p.B.URL))
	return h.Sum32()%2 == 0
}

// updateSplits is each pair's split (updateSplit), with one more rule: a held-out pair
// that shares an article with a tuning pair is tuning data too, since that article
// was read (5 honey articles sit in pairs of both halves).
func updateSplits(pairs []StoryPair) []string {
	out := make([]string, len(pairs))
	tuned := map[string]bool{}
	for i, p := range pairs {
		if out[i] = updateSplit(p); out[i] == "train" {
			tuned[p.A.URL], tuned[p.B.URL] = true, true
		}
	}
	for i, p := range pairs {
		if out[i] == "held-out" && (tuned[p.A.URL] || tuned[p.B.URL]) {
			out[i] = "train"
		}
	}
	return out
}

// updateSetName is the row a pair is scored under: its file, the honey pool split in
// two ("-dev" its tuning pairs, "-test" the held-out ones).
func updateSetName(p StoryPair, split string) string {
	if strings.Contains(p.File, "honey") {
		if split == "train" {
			return strings.TrimSuffix(p.File, ".tsv") + "-dev.tsv"
		}
		return strings.TrimSuffix(p.File, ".tsv") + "-test.tsv"
	}
	if split == "train" && !strings.Contains(p.File, "train") {
		return strings.TrimSuffix(p.File, ".tsv") + "-shared.tsv" // held out, but shares a tuned article
	}
	return p.File
}

// ScoreUpdates decides every pair and scores the decisions per file and per language
// (the second report's, detected) and split. Misses are kept for train files only:
// the held-out pools are scored, never read pair by pair.
func ScoreUpdates(pairs []StoryPair) UpdateReport {
	files := map[string]*UpdateScore{}
	langs := map[string]*UpdateScore{}
	var rep UpdateReport
	splits := updateSplits(pairs)
	for i, p := range pairs {
		split := splits[i]
		set := updateSetName(p, split)
		lang := digest.DetectLanguage(p.B.Title + "\n" + p.B.Text)
		if lang == "" {
			lang = "?"
		}
		assign := digest.GroupStories([]digest.Item{p.A, p.B}, digest.GroupOptions{})
		grouped := assign[0] == assign[1]
		d := digest.DevelopmentOf(digest.FactsOf(p.A), p.B)
		_, baseline := digest.UpdateOf(p.B, p.A)
		for _, s := range []*UpdateScore{
			scoreFor(files, set, set, split),
			scoreFor(langs, lang+" "+split, lang, split),
		} {
			s.add(!p.Same, grouped, d.Material, baseline)
		}
		if split == "train" && d.Material == p.Same {
			kind := "false update"
			if !p.Same {
				kind = "missed update"
			}
			lead := p.B.Text
			if r := []rune(lead); len(r) > 300 {
				lead = string(r[:300]) + "…"
			}
			rep.Misses = append(rep.Misses, UpdateMiss{File: set, Kind: kind, First: p.A.Title, Second: p.B.Title,
				New: d.New.Strings(), Sentences: d.Sentences, Score: d.Score, SecondLead: lead, FirstLength: len(p.A.Text), Grouped: grouped})
		}
	}
	rep.Files = finishScores(files)
	rep.Languages = finishScores(langs)
	return rep
}

func scoreFor(m map[string]*UpdateScore, key, name, split string) *UpdateScore {
	s, ok := m[key]
	if !ok {
		s = &UpdateScore{Name: name, Split: split}
		m[key] = s
	}
	return s
}

func (s *UpdateScore) add(development, grouped, sent, baseline bool) {
	s.Pairs++
	if development {
		s.AllBad++
	}
	if sent {
		s.AllSent++
		if development {
			s.AllCorrect++
		}
	}
	if !grouped {
		return
	}
	s.Grouped++
	if development {
		s.Developments++
	} else {
		s.Repeats++
	}
	if sent {
		s.Sent++
		if development {
			s.Correct++
		}
	}
	if baseline {
		s.BaselineSent++
		if development {
			s.BaselineCorrect++
		}
	}
}

func finishScores(m map[string]*UpdateScore) []UpdateScore {
	out := make([]UpdateScore, 0, len(m))
	for _, s := range m {
		s.Precision, s.Recall, s.F1 = prf(s.Correct, s.Sent, s.Developments)
		s.AllPrecision, s.AllRecall, s.AllF1 = prf(s.AllCorrect, s.AllSent, s.AllBad)
		s.BaselinePrecision, s.BaselineRecall, _ = prf(s.BaselineCorrect, s.BaselineSent, s.Developments)
		out = append(out, *s)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Split != out[b].Split {
			return out[a].Split > out[b].Split // train first
		}
		return out[a].Name < out[b].Name
	})
	return out
}

// prf is precision, recall and F1 from true positives, predicted and actual
// positives; each is 0 when undefined.
func prf(tp, predicted, actual int) (p, r, f1 float64) {
	if predicted > 0 {
		p = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		r = float64(tp) / float64(actual)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// WriteUpdates scores update detection on the tgcontest pools in dir (ScoreUpdates)
// and writes a table, or JSON with asJSON. With misses it also lists the wrongly
// decided grouped pairs of the train pools (never of the held-out ones).
func WriteUpdates(w io.Writer, dir string, asJSON, misses bool) error {
	pairs, err := LoadStoryPairs(dir)
	if err != nil {
		return err
	}
	rep := ScoreUpdates(pairs)
	if !misses {
		rep.Misses = nil
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"dir": dir, "files": rep.Files, "languages": rep.Languages, "misses": rep.Misses})
	}
	fmt.Fprintf(w, "%s: update detection on pairs grouped into one story (BAD = development, OK = repeat)\n", dir)
	fmt.Fprintf(w, "%-20s %-8s %5s %7s %4s %4s %4s %9s %6s %6s   %4s %4s %9s %6s %6s\n", "set", "split", "pairs", "grouped", "BAD", "OK", "sent",
		"precision", "recall", "F1", "BAD", "sent", "precision", "recall", "F1")
	for _, rows := range []struct {
		prefix string
		scores []UpdateScore
	}{{"", rep.Files}, {"lang ", rep.Languages}} {
		for _, s := range rows.scores {
			fmt.Fprintf(w, "%-20s %-8s %5d %7d %4d %4d %4d %9.3f %6.3f %6.3f   %4d %4d %9.3f %6.3f %6.3f\n", rows.prefix+s.Name, s.Split, s.Pairs, s.Grouped,
				s.Developments, s.Repeats, s.Sent, s.Precision, s.Recall, s.F1, s.AllBad, s.AllSent, s.AllPrecision, s.AllRecall, s.AllF1)
		}
	}
	fmt.Fprintln(w, "left: grouped pairs; right: all pairs, grouping ignored. Train figures are in-sample (tuned on).")
	fmt.Fprintf(w, "baseline on grouped pairs, digest.UpdateOf's material (before issue 15):\n")
	for _, s := range rep.Languages {
		fmt.Fprintf(w, "  lang %-3s %-8s sent %3d  precision %.3f  recall %.3f\n", s.Name, s.Split, s.BaselineSent, s.BaselinePrecision, s.BaselineRecall)
	}
	for _, m := range rep.Misses {
		kind := m.Kind
		if !m.Grouped {
			kind += ", not grouped"
		}
		fmt.Fprintf(w, "\n%s (%s, score %.1f)\n  first   %q (%d chars)\n  second  %q\n  new     %s\n  carried %q\n  lead    %q\n",
			m.File, kind, m.Score, m.First, m.FirstLength, m.Second, strings.Join(m.New, " | "), m.Sentences, m.SecondLead)
	}
	return nil
}
