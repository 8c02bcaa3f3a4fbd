package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/eval"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

func cmdSummarize(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("summarize", env)
	asJSON := fs.Bool("json", false, "print one JSON object per source (JSON Lines)")
	k := fs.Int("k", 3, "summary sentences")
	lang := fs.String("lang", "auto", "language: auto, en, uk or ru")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &usageError{"summarize needs at least one SOURCE: a text or HTML file, an http(s) URL, a stored item ID, or -"}
	}
	if *k < 1 || *k > 20 {
		return &usageError{"--k must be between 1 and 20"}
	}
	switch *lang {
	case "auto", "en", "uk", "ru":
	default:
		return &usageError{fmt.Sprintf("--lang %q: use auto, en, uk or ru", *lang)}
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	// The database is used when it is free (the running bot may hold it): for stored
	// item IDs and related stories. Without it, sources are summarized alone.
	var store stories.Store = stories.NoStore{}
	if _, err := os.Stat(cfg.DBPath); err == nil {
		if db, err := storage.Open(cfg.DBPath, storage.Options{Timeout: 300 * time.Millisecond}); err == nil {
			defer db.Close()
			store = db
		} else {
			fmt.Fprintf(env.Stderr, "newsbot summarize: %v; summarizing without it\n", err)
		}
	}
	fetcher := feed.NewFetcher(feed.FetcherOptions{UserAgent: cfg.UserAgent, Timeout: cfg.FetchTimeout,
		MaxBodyBytes: cfg.MaxBodyBytes, AllowPrivateNetworks: cfg.AllowPrivateNetworks})
	svc := stories.New(store, fetcher, stories.Options{Catalogue: cfg.Feeds, Now: env.Now})
	failed := svc.Summarize(ctx, fs.Args(), stories.SummarizeOptions{K: *k, Lang: *lang, JSON: *asJSON,
		Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr})
	if failed > 0 {
		return &exitError{1, fmt.Errorf("%d of %d sources failed", failed, fs.NArg())}
	}
	return nil
}

func cmdEval(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return &usageError{"eval needs a kind: summaries, quotes, stories or updates"}
	}
	kind, args := args[0], args[1:]
	fs, _ := newFlags("eval "+kind, env)
	dir := fs.String("dir", "", "corpus folder")
	file := fs.String("file", "", "stories: a `newsbot group` JSON Lines file whose items carry a gold \"story\" label; quotes: a JSON file of hand-labelled paragraphs (eval/testdata/speakers-uk-ru.json); updates: a labelled pair file (id, known, report, label per line) whose texts are under --dir (default ../shared/data)")
	labels := fs.String("labels", "", "stories: a story-label file (url, story, split per line) to join with the news CSV in --dir")
	noTimes := fs.Bool("no-times", false, "stories: ignore publication times (as feeds without dates give them)")
	incremental := fs.Bool("incremental", false, "stories (--file, --labels): group one item at a time as they arrive, as followed stories are")
	followAll := fs.Bool("follow-all", false, "stories --incremental: every story followed from its start (a busy bot), to see what following does to grouping")
	developments := fs.String("developments", "", "updates: a development-label file (url, story, label per line) of reports in the news CSV in --dir, with its story labels in --labels")
	asJSON := fs.Bool("json", false, "print JSON")
	k := fs.Int("k", 3, "summary sentences (summaries)")
	misses := fs.Bool("misses", false, "quotes: also print each wrongly attributed quote (read them on a tuning split only); updates: also print the wrongly decided pairs of the train pools, or with --developments every report's decision")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	err := eval.Write(env.Stdout, eval.Request{Kind: kind, Dir: *dir, File: *file, Labels: *labels, NoTimes: *noTimes,
		Incremental: *incremental, FollowAll: *followAll, Developments: *developments, JSON: *asJSON, K: *k, Misses: *misses})
	if ue, ok := errors.AsType[*eval.UsageError](err); ok {
		return &usageError{ue.Msg}
	}
	return err
}
