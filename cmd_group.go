package main

import (
	"context"
	"fmt"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/stories"
)

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
	items, ids, _, err := stories.ReadItemsFile(fs.Arg(0), env.Stdin)
	if err != nil {
		return err
	}
	if *threshold < 0 || *threshold > 1 || *merge > 1 {
		return &usageError{"--threshold must be in [0, 1] and --merge at most 1"}
	}
	if *noTimes {
		items = stories.WithoutTimes(items)
	}
	opts := digest.GroupOptions{Window: *window, Threshold: *threshold, Merge: *merge}
	if env.stderrIsTerminal() && !*asJSON {
		opts.Progress = func(done, total int) {
			if done%500 == 0 || done == total {
				fmt.Fprintf(env.Stderr, "\rgrouped %d/%d items", done, total)
			}
		}
	}
	assign := digest.GroupStories(items, opts)
	if opts.Progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	return stories.WriteGroups(env.Stdout, items, ids, assign, *asJSON)
}
