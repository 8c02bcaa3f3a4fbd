package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/eval"
)

// groupOutput is the `--json` contract: one line per input item.
type groupOutput struct {
	ID    json.RawMessage `json:"id"`
	Story int             `json:"story"`
	Size  int             `json:"size"`
}

func cmdGroup(ctx context.Context, env Env, args []string) error {
	fs, _ := newFlags("group", env)
	asJSON := fs.Bool("json", false, "print {\"id\",\"story\",\"size\"} per item (JSON Lines)")
	window := fs.Duration("window", 72*time.Hour, "how far apart two reports of one story may be")
	threshold := fs.Float64("threshold", 0, "cosine to a story's centroid needed to join it (default: the tuned one)")
	merge := fs.Float64("merge", 0, "cosine between two stories' centroids at which they merge (default: the tuned one; negative: never)")
	noTimes := fs.Bool("no-times", false, "ignore \"published\": group as if the feeds gave no times (time and source then weigh nothing)")
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
	items, ids, _, err := eval.ReadItems(in)
	if err != nil {
		return err
	}
	if *threshold < 0 || *threshold > 1 || *merge > 1 {
		return &usageError{"--threshold must be in [0, 1] and --merge at most 1"}
	}
	if *noTimes {
		items = eval.WithoutTimes(items)
	}
	opts := digest.GroupOptions{Window: *window, Threshold: *threshold, Merge: *merge}
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
