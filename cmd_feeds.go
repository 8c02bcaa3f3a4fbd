package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

func cmdIngest(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("ingest", env)
	var only []string
	fs.Func("feed", "poll only this feed URL (repeatable); it is added to the database", func(u string) error {
		only = append(only, u)
		return config.CheckFeedURL(u)
	})
	asJSON := fs.Bool("json", false, "print results as a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (use --feed URL)", fs.Arg(0))}
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	if !env.stderrIsTerminal() || *asJSON {
		// Quiet unless something is wrong: results go to stdout.
		cfg.LogLevel = "error"
		log = newLogger(cfg, env.Stderr)
	}
	opts := appOptions(cfg, env, log)
	opts.TelegramToken, opts.HTTPAddr = "", "" // polling only
	var done atomic.Int64
	total := len(cfg.Feeds)
	if len(only) > 0 {
		total = len(only)
	}
	if env.stderrIsTerminal() && !*asJSON {
		opts.Poll.OnResult = func(feed.Result) { fmt.Fprintf(env.Stderr, "\rpolled %d/%d feeds", done.Add(1), total) }
	}
	a, err := app.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	results, err := a.Ingest(ctx, only...)
	if err != nil {
		return err
	}
	if opts.Poll.OnResult != nil {
		fmt.Fprintln(env.Stderr)
	}
	if err := feed.WriteResults(env.Stdout, results, *asJSON); err != nil {
		return err
	}
	if feed.AllFailed(results) {
		return &exitError{1, errors.New("every feed failed")}
	}
	return nil
}

func cmdItems(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("items", env)
	limit := fs.Int("limit", 20, "how many items to list (0 = all)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *limit < 0 {
		return &usageError{"--limit must not be negative"}
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	db, err := storage.Open(cfg.DBPath, storage.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := db.Items(ctx, *limit)
	if err != nil {
		return err
	}
	return stories.WriteItems(env.Stdout, items, *asJSON)
}

func cmdCompact(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("compact", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"compact needs exactly one argument: the destination file"}
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	if err := storage.Compact(cfg.DBPath, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "compacted %s into %s; stop the bot and move it into place to use it\n", cfg.DBPath, fs.Arg(0))
	return nil
}

func cmdRun(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("run", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	log.Info("newsbot starting", "version", versionString(), "db", cfg.DBPath, "feeds", len(cfg.Feeds), "poll_interval", cfg.PollInterval)
	a, err := app.Open(ctx, appOptions(cfg, env, log))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		return err
	}
	log.Info("newsbot stopped")
	return nil
}
