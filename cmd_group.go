package main

import (
	"bufio"
	"context"
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

// groupInput is one JSON Lines record of `newsbot group` (only id and title required).
type groupInput struct {
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	Text      string          `json:"text"`
	Published json.RawMessage `json:"published"`
	Source    string          `json:"source"`
	URL       string          `json:"url"`
}

// groupOutput is the `--json` contract: one line per input item.
type groupOutput struct {
	ID    json.RawMessage `json:"id"`
	Story int             `json:"story"`
	Size  int             `json:"size"`
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

func cmdGroup(ctx context.Context, env Env, args []string) error {
	fs, _ := newFlags("group", env)
	asJSON := fs.Bool("json", false, "print {\"id\",\"story\",\"size\"} per item (JSON Lines)")
	window := fs.Duration("window", 72*time.Hour, "how far apart two reports of one story may be")
	threshold := fs.Float64("threshold", 0, "similarity needed to join a story (default: the tuned one)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"group needs one argument: a JSON Lines file, or - for stdin"}
	}
	var in io.Reader = env.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var items []digest.Item
	var ids []json.RawMessage
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var g groupInput
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			return fmt.Errorf("line %d: not a JSON object: %w", line, err)
		}
		if len(g.ID) == 0 || string(g.ID) == "null" {
			return fmt.Errorf("line %d: \"id\" is required", line)
		}
		if strings.TrimSpace(g.Title) == "" {
			return fmt.Errorf("line %d: \"title\" is required", line)
		}
		pub, err := parsePublished(g.Published)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		// Position breaks ties between equal times, so input order cannot matter for
		// items with distinct times; the ID keeps equal-time items deterministic.
		items = append(items, digest.Item{ID: uint64(len(items) + 1), Title: g.Title, Text: g.Text,
			Source: g.Source, URL: g.URL, Published: pub})
		ids = append(ids, g.ID)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	// Stable identity for equal times: order by the caller's ID, not by line.
	keys := make([]string, len(items))
	for i := range items {
		keys[i] = string(ids[i])
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	for rank, i := range order {
		items[i].ID = uint64(rank + 1)
	}
	opts := digest.GroupOptions{Window: *window, Threshold: *threshold}
	if env.stderrIsTerminal() && !*asJSON {
		opts.Progress = func(done, total int) {
			if done%500 == 0 || done == total {
				fmt.Fprintf(env.Stderr, "\rgrouped %d/%d items", done, total)
			}
		}
	}
	stories := digest.GroupStories(items, opts)
	if opts.Progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	size := map[int]int{}
	for _, s := range stories {
		size[s]++
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		for i := range items {
			if err := enc.Encode(groupOutput{ID: ids[i], Story: stories[i], Size: size[stories[i]]}); err != nil {
				return err
			}
		}
		return nil
	}
	members := map[int][]int{}
	var order2 []int
	for i, s := range stories {
		if _, ok := members[s]; !ok {
			order2 = append(order2, s)
		}
		members[s] = append(members[s], i)
	}
	sort.SliceStable(order2, func(a, b int) bool { return len(members[order2[a]]) > len(members[order2[b]]) })
	multi := 0
	for _, s := range order2 {
		if len(members[s]) > 1 {
			multi++
		}
	}
	fmt.Fprintf(env.Stdout, "%d items, %d stories (%d with more than one report)\n\n", len(items), len(order2), multi)
	for _, s := range order2 {
		fmt.Fprintf(env.Stdout, "story %d (%d):\n", s, len(members[s]))
		for _, i := range members[s] {
			src := ""
			if items[i].Source != "" {
				src = " — " + items[i].Source
			}
			fmt.Fprintf(env.Stdout, "  %s%s\n", items[i].Title, src)
		}
	}
	return nil
}
