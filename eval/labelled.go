package eval

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/newsbot/newsbot/digest"
)

// Unscored is the gold label of an item that stays in the batch (it can pull other
// items into a wrong story) but is not scored: a daily round-up or a live blog that
// covers many stories at once, or a report the labeller could not place.
const Unscored = "?"

// StoryLabel is one line of a story-label file (JSON Lines): an article's URL, the
// story it belongs to, and the split it is in ("dev" for tuning, "test" held out).
// Label files carry no article text, so they can be committed where the texts may not.
type StoryLabel struct {
	URL   string `json:"url"`
	Story string `json:"story"`
	Split string `json:"split"`
}

// LabelledBatch is a batch of items with their gold stories and splits (parallel).
type LabelledBatch struct {
	Items  []digest.Item
	Labels []string
	Splits []string
}

// Split returns the items of one split ("" or "all": every item), in the same order.
func (b LabelledBatch) Split(name string) LabelledBatch {
	if name == "" || name == "all" {
		return b
	}
	var out LabelledBatch
	for i := range b.Items {
		if b.Splits[i] == name {
			out.Items = append(out.Items, b.Items[i])
			out.Labels = append(out.Labels, b.Labels[i])
			out.Splits = append(out.Splits, b.Splits[i])
		}
	}
	return out
}

// kyivNovember is Kyiv's offset in November (EET, UTC+2); a fixed zone, so loading
// needs no time-zone database.
var kyivNovember = time.FixedZone("EET", 2*60*60)

// LoadLabelledCSV joins a news CSV (header "title","date","text","url"; dates local
// Kyiv time "YYYY-MM-DD HH:MM:SS", as in ../shared/data/uk-ru/uk-news-2024-11) with a
// story-label file by URL. Every article must have exactly one label and every label
// an article, so a changed corpus is an error rather than a silently different score.
// Items get the URL's host (without "www.") as their source and IDs by URL order.
func LoadLabelledCSV(csvPath, labelsPath string) (LabelledBatch, error) {
	labels, err := readStoryLabels(labelsPath)
	if err != nil {
		return LabelledBatch{}, err
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return LabelledBatch{}, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return LabelledBatch{}, fmt.Errorf("read %s: %w", csvPath, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, name := range []string{"title", "date", "text", "url"} {
		if _, ok := col[name]; !ok {
			return LabelledBatch{}, fmt.Errorf("read %s: no %q column", csvPath, name)
		}
	}
	type row struct {
		it    digest.Item
		label StoryLabel
	}
	var rows []row
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return LabelledBatch{}, fmt.Errorf("read %s: %w", csvPath, err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		u := strings.TrimSpace(get("url"))
		l, ok := labels[u]
		if !ok {
			return LabelledBatch{}, fmt.Errorf("%s line %d: %s has no label in %s", csvPath, line, u, labelsPath)
		}
		seen[u] = true
		pub, err := time.ParseInLocation("2006-01-02 15:04:05", strings.TrimSpace(get("date")), kyivNovember)
		if err != nil {
			return LabelledBatch{}, fmt.Errorf("%s line %d: %w", csvPath, line, err)
		}
		source := ""
		if pu, err := url.Parse(u); err == nil {
			source = strings.TrimPrefix(pu.Hostname(), "www.")
		}
		rows = append(rows, row{digest.Item{Title: get("title"), Text: get("text"), URL: u, Source: source, Published: pub.UTC()}, l})
	}
	for u := range labels {
		if !seen[u] {
			return LabelledBatch{}, fmt.Errorf("%s: labelled %s is not in %s", labelsPath, u, csvPath)
		}
	}
	sort.Slice(rows, func(a, b int) bool { return rows[a].it.URL < rows[b].it.URL })
	var b LabelledBatch
	for i, r := range rows {
		r.it.ID = uint64(i + 1)
		b.Items = append(b.Items, r.it)
		b.Labels = append(b.Labels, r.label.Story)
		b.Splits = append(b.Splits, r.label.Split)
	}
	return b, nil
}

func readStoryLabels(path string) (map[string]StoryLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]StoryLabel{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var l StoryLabel
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if l.URL == "" || l.Story == "" {
			return nil, fmt.Errorf("%s line %d: \"url\" and \"story\" are required", path, line)
		}
		if _, dup := out[l.URL]; dup {
			return nil, fmt.Errorf("%s line %d: %s labelled twice", path, line, l.URL)
		}
		out[l.URL] = l
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
