package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/newsbot/newsbot/digest"
)

// Update detection on a story's reports as they arrive (issue 15), the way the story
// tracker reads them: each report of a labelled story is weighed against the facts of
// every report before it (digest.DevelopmentOf, the known facts grown by each report's
// own, through Facts.Strings as the tracker stores them). A development-label file
// says, per report, whether a follower who had read the earlier reports was told
// something new ("development"), something minor ("detail") or nothing ("repeat").

// DevelopmentLabel is one line of a development-label file (JSON Lines): a report by
// URL, its story (as in the story-label file) and what it told a follower.
type DevelopmentLabel struct {
	URL      string `json:"url"`
	Story    string `json:"story"`
	Label    string `json:"label"` // development, detail or repeat
	NewFacts string `json:"new_facts,omitempty"`
	Where    string `json:"where,omitempty"` // title, lede or body: where the main new fact is
}

// Development labels.
const (
	LabelDevelopment = "development"
	LabelDetail      = "detail"
	LabelRepeat      = "repeat"
)

// DevelopmentScore is "sends an update" on labelled reports. A false update is one
// sent for a repeat; Precision counts a detail as no false update, StrictPrecision
// counts only developments. Recall is over developments.
type DevelopmentScore struct {
	Reports         int     `json:"reports"`
	Developments    int     `json:"developments"`
	Details         int     `json:"details"`
	Repeats         int     `json:"repeats"`
	Sent            int     `json:"sent"`
	SentDevelopment int     `json:"sent_development"`
	SentDetail      int     `json:"sent_detail"`
	SentRepeat      int     `json:"sent_repeat"`
	Precision       float64 `json:"precision"`
	StrictPrecision float64 `json:"strict_precision"`
	Recall          float64 `json:"recall"`
}

// DevelopmentDecision is one report's label and what detection made of it.
type DevelopmentDecision struct {
	Label     DevelopmentLabel `json:"label"`
	Title     string           `json:"title"`
	Sent      bool             `json:"sent"`
	New       []string         `json:"new,omitempty"`
	Sentences []string         `json:"sentences,omitempty"`
}

// ReadDevelopmentLabels reads a development-label file.
func ReadDevelopmentLabels(path string) ([]DevelopmentLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read development labels: %w", err)
	}
	defer f.Close()
	var out []DevelopmentLabel
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var l DevelopmentLabel
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, fmt.Errorf("read development labels %s:%d: %w", path, n, err)
		}
		switch l.Label {
		case LabelDevelopment, LabelDetail, LabelRepeat:
		default:
			return nil, fmt.Errorf("read development labels %s:%d: label %q is not development, detail or repeat", path, n, l.Label)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read development labels %s: %w", path, err)
	}
	return out, nil
}

// ScoreDevelopments decides every labelled report of b (LoadLabelledCSV) against the
// reports of its story published before it.
func ScoreDevelopments(b LabelledBatch, labels []DevelopmentLabel) (DevelopmentScore, []DevelopmentDecision, error) {
	byStory := map[string][]int{}
	index := map[string]int{}
	for i, it := range b.Items {
		byStory[b.Labels[i]] = append(byStory[b.Labels[i]], i)
		index[it.URL] = i
	}
	for _, idx := range byStory {
		sort.SliceStable(idx, func(x, y int) bool {
			a, c := b.Items[idx[x]], b.Items[idx[y]]
			if !a.Published.Equal(c.Published) {
				return a.Published.Before(c.Published)
			}
			return a.URL < c.URL
		})
	}
	var s DevelopmentScore
	var out []DevelopmentDecision
	for _, l := range labels {
		i, ok := index[l.URL]
		if !ok {
			return s, nil, fmt.Errorf("score developments: %s is not in the corpus", l.URL)
		}
		if b.Labels[i] != l.Story {
			return s, nil, fmt.Errorf("score developments: %s is in story %q, its label says %q", l.URL, b.Labels[i], l.Story)
		}
		var known digest.Facts
		var d digest.Development
		for _, j := range byStory[l.Story] {
			d = digest.DevelopmentOf(known, b.Items[j])
			if j == i {
				break
			}
			known = digest.FactsFromStrings(known.With(d.Report).Strings())
		}
		s.add(l.Label, d.Material)
		out = append(out, DevelopmentDecision{Label: l, Title: b.Items[i].Title, Sent: d.Material,
			New: d.New.Strings(), Sentences: d.Sentences})
	}
	s.finish()
	return s, out, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteDevelopments scores update detection on the news CSV in dir joined with the
// story labels and writes a table or JSON; with decisions, every report's label and
// decision (read them on a tuning set only).
func WriteDevelopments(w io.Writer, dir, storyLabels, developmentLabels string, asJSON, decisions bool) error {
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(csvs) != 1 {
		return fmt.Errorf("%s: want one news CSV, found %d", dir, len(csvs))
	}
	b, err := LoadLabelledCSV(csvs[0], storyLabels)
	if err != nil {
		return err
	}
	labels, err := ReadDevelopmentLabels(developmentLabels)
	if err != nil {
		return err
	}
	s, ds, err := ScoreDevelopments(b, labels)
	if err != nil {
		return err
	}
	return writeDevelopmentReport(w, developmentLabels, "reports, each against the earlier reports of its story", s, ds, asJSON, decisions)
}

// writeDevelopmentReport writes a development score and, with decisions, each
// report's label and decision.
func writeDevelopmentReport(w io.Writer, labels, what string, s DevelopmentScore, ds []DevelopmentDecision, asJSON, decisions bool) error {
	if !decisions {
		ds = nil
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"labels": labels, "score": s, "decisions": ds})
	}
	fmt.Fprintf(w, "%s: update detection on %d %s\n", labels, s.Reports, what)
	fmt.Fprintf(w, "labelled: %d developments, %d details, %d repeats\n", s.Developments, s.Details, s.Repeats)
	fmt.Fprintf(w, "sent %d: %d developments, %d details, %d repeats\n", s.Sent, s.SentDevelopment, s.SentDetail, s.SentRepeat)
	fmt.Fprintf(w, "precision %.3f (a detail is no false update)  strict precision %.3f  recall %.3f (of developments)\n",
		s.Precision, s.StrictPrecision, s.Recall)
	for _, d := range ds {
		fmt.Fprintf(w, "\n%-11s sent=%-5v %s\n  title  %q\n  facts  %s\n  new    %s\n  carried %q\n", d.Label.Label, d.Sent, d.Label.URL, d.Title,
			d.Label.NewFacts, strings.Join(d.New, " | "), d.Sentences)
	}
	return nil
}

// PairDevelopment is one line of a labelled pair file (JSON Lines): two reports of one
// story as text files under a data folder (first line the headline), the one a
// follower had read (Known) and the one that arrives (Report), and what Report told
// them. The English pairs of WikiRef220 (testdata/eval/updates) are of this kind.
type PairDevelopment struct {
	ID       string `json:"id"`
	Known    string `json:"known"`
	Report   string `json:"report"`
	Label    string `json:"label"`
	NewFacts string `json:"new_facts,omitempty"`
	Where    string `json:"where,omitempty"`
}

// ReadPairDevelopments reads a labelled pair file.
func ReadPairDevelopments(path string) ([]PairDevelopment, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pair labels: %w", err)
	}
	var out []PairDevelopment
	for n, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		var p PairDevelopment
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return nil, fmt.Errorf("read pair labels %s:%d: %w", path, n+1, err)
		}
		switch p.Label {
		case LabelDevelopment, LabelDetail, LabelRepeat:
		default:
			return nil, fmt.Errorf("read pair labels %s:%d: label %q is not development, detail or repeat", path, n+1, p.Label)
		}
		if p.Known == "" || p.Report == "" {
			return nil, fmt.Errorf("read pair labels %s:%d: a pair needs known and report", path, n+1)
		}
		out = append(out, p)
	}
	return out, nil
}

// readReport reads a text file whose first line is the headline.
func readReport(root, rel string) (digest.Item, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return digest.Item{}, err
	}
	title, body, _ := strings.Cut(string(b), "\n")
	return digest.Item{Title: strings.TrimSpace(title), Text: strings.TrimSpace(body), URL: rel}, nil
}

// ScorePairDevelopments decides every labelled pair: Report against FactsOf(Known).
func ScorePairDevelopments(pairs []PairDevelopment, root string) (DevelopmentScore, []DevelopmentDecision, error) {
	var s DevelopmentScore
	var out []DevelopmentDecision
	for _, p := range pairs {
		known, err := readReport(root, p.Known)
		if err != nil {
			return s, nil, fmt.Errorf("score pairs %s: %w", p.ID, err)
		}
		report, err := readReport(root, p.Report)
		if err != nil {
			return s, nil, fmt.Errorf("score pairs %s: %w", p.ID, err)
		}
		d := digest.DevelopmentOf(digest.FactsOf(known), report)
		s.add(p.Label, d.Material)
		out = append(out, DevelopmentDecision{Label: DevelopmentLabel{URL: p.Report, Story: p.ID, Label: p.Label, NewFacts: p.NewFacts, Where: p.Where},
			Title: report.Title, Sent: d.Material, New: d.New.Strings(), Sentences: d.Sentences})
	}
	s.finish()
	return s, out, nil
}

// add counts one labelled report and whether an update was sent for it.
func (s *DevelopmentScore) add(label string, sent bool) {
	s.Reports++
	s.Sent += btoi(sent)
	switch label {
	case LabelDevelopment:
		s.Developments++
		s.SentDevelopment += btoi(sent)
	case LabelDetail:
		s.Details++
		s.SentDetail += btoi(sent)
	default:
		s.Repeats++
		s.SentRepeat += btoi(sent)
	}
}

// finish computes the ratios from the counts.
func (s *DevelopmentScore) finish() {
	if s.Sent > 0 {
		s.Precision = float64(s.Sent-s.SentRepeat) / float64(s.Sent)
		s.StrictPrecision = float64(s.SentDevelopment) / float64(s.Sent)
	}
	if s.Developments > 0 {
		s.Recall = float64(s.SentDevelopment) / float64(s.Developments)
	}
}

// WritePairDevelopments scores update detection on a labelled pair file whose texts
// are under dataDir (DefaultDataDir when empty) and writes a table or JSON; with
// decisions, every pair's label and decision (read them on a tuning set only).
func WritePairDevelopments(w io.Writer, path, dataDir string, asJSON, decisions bool) error {
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	pairs, err := ReadPairDevelopments(path)
	if err != nil {
		return err
	}
	s, ds, err := ScorePairDevelopments(pairs, dataDir)
	if err != nil {
		return err
	}
	return writeDevelopmentReport(w, path, "pairs: each report against the one a follower had read", s, ds, asJSON, decisions)
}
