package stories

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/digest"
)

// jsonItem is one JSON Lines record of `newsbot group` (only id and title are
// required); "story" is the gold label `newsbot eval stories --file` reads.
type jsonItem struct {
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	Text      string          `json:"text"`
	Published json.RawMessage `json:"published"`
	Source    string          `json:"source"`
	URL       string          `json:"url"`
	Story     json.RawMessage `json:"story"`
}

// parsePublished accepts RFC 3339 or Unix milliseconds (number or string).
func parsePublished(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return time.Time{}, fmt.Errorf("published %s is neither RFC 3339 nor Unix milliseconds", raw)
		}
		s = n.String()
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("published %q is neither RFC 3339 nor Unix milliseconds", s)
	}
	return t.UTC(), nil
}

// ReadItems reads the `newsbot group` input: JSON Lines items, of which only id
// and title are required. It returns the items in input order with their caller IDs
// and their gold story labels ("" where absent). Items get internal IDs by the
// caller's ID, so that equal publication times order the same whatever the line order.
func ReadItems(in io.Reader) (items []digest.Item, ids []json.RawMessage, labels []string, err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var g jsonItem
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			return nil, nil, nil, fmt.Errorf("line %d: not a JSON object: %w", line, err)
		}
		if len(g.ID) == 0 || string(g.ID) == "null" {
			return nil, nil, nil, fmt.Errorf("line %d: \"id\" is required", line)
		}
		if strings.TrimSpace(g.Title) == "" {
			return nil, nil, nil, fmt.Errorf("line %d: \"title\" is required", line)
		}
		pub, err := parsePublished(g.Published)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		label := ""
		if len(g.Story) > 0 && string(g.Story) != "null" {
			var s string
			if json.Unmarshal(g.Story, &s) != nil {
				s = string(g.Story) // a number or other literal: its text is the label
			}
			label = s
		}
		items = append(items, digest.Item{Title: g.Title, Text: g.Text, Source: g.Source, URL: g.URL, Published: pub})
		ids = append(ids, g.ID)
		labels = append(labels, label)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("read input: %w", err)
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return string(ids[order[a]]) < string(ids[order[b]]) })
	for rank, i := range order {
		items[i].ID = uint64(rank + 1)
	}
	return items, ids, labels, nil
}

// WithoutTimes returns items with their publication times removed, as feeds without
// dates give them (`newsbot group --no-times`).
func WithoutTimes(items []digest.Item) []digest.Item {
	out := make([]digest.Item, len(items))
	for i, it := range items {
		it.Published = time.Time{}
		out[i] = it
	}
	return out
}

// ReadItemsFile is ReadItems from the file name, or from stdin when name is "-".
func ReadItemsFile(name string, stdin io.Reader) (items []digest.Item, ids []json.RawMessage, labels []string, err error) {
	in := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, nil, err
		}
		defer f.Close()
		in = f
	}
	return ReadItems(in)
}
