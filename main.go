// Command newsbot is a Telegram bot that digests and discusses the news.
//
// package main only parses flags, reads the configuration and prints: `newsbot run`
// hands the configuration to package app, which wires everything. Run "newsbot help"
// for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feed"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the
// module version or VCS revision is used.
var version = ""

func main() {
	// The first SIGINT/SIGTERM starts a graceful stop; a second one exits at once
	// (bbolt's file stays consistent either way: it commits atomically).
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "newsbot: second signal; exiting now")
		os.Exit(130)
	}()
	code := Main(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv})
	cancel()
	os.Exit(code)
}

// Env is the process environment, replaceable in tests.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) (string, bool)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// stderrIsTerminal reports whether progress output is wanted.
func (e Env) stderrIsTerminal() bool {
	f, ok := e.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type command struct {
	name, args, help string
	run              func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "[--config PATH]", "run the bot: poll feeds on schedule (and serve Telegram once a token is set)", cmdRun},
		{"ingest", "[--config PATH] [--feed URL]... [--json]", "poll the configured feeds (or only the given ones, which are added) once and exit", cmdIngest},
		{"items", "[--config PATH] [--limit N] [--json]", "list stored items, newest first", cmdItems},
		{"summarize", "[--json] [--k N] [--lang auto|en|uk|ru] SOURCE...", "summarize text/HTML files, URLs, stored item IDs or - (stdin)", cmdSummarize},
		{"eval", "summaries|quotes|stories|updates --dir DIR [--k N] [--json] [--misses]; stories --file FILE.jsonl | --dir DIR --labels L.jsonl [--no-times] [--incremental [--follow-all]]; quotes --file FILE.json [--dir DATA]; updates --dir DIR --labels L.jsonl --developments D.jsonl; updates --file PAIRS.jsonl [--dir DATA]", "measure summaries (ROUGE vs Lead-k), quotes (PolNeAR protocol), story grouping or update detection on a corpus", cmdEval},
		{"group", "[--json] [--window 72h] [--threshold T] [--merge M] [--no-times] FILE|-", "group JSON Lines items {id,title,text,published,source,url} into stories", cmdGroup},
		{"playground", "[--addr 127.0.0.1:8080] [--offline] [--db PATH]", "try the bot in a browser: the real bot on a simulated Telegram, with a web chat", cmdPlayground},
		{"backup", "[--config PATH] [--from ADDR] DEST", "write a consistent copy of the database (from the file, or from the running bot's endpoint)", cmdBackup},
		{"compact", "[--config PATH] DEST", "write a compacted copy of the database to DEST (the bot must not be running)", cmdCompact},
		{"check", "[--config PATH] [FILE]", "check the database (stopped; or a backup of a running one) page by page, and its indexes against what they index", cmdCheck},
		{"version", "", "print the version", cmdVersion},
		{"help", "", "show this help", nil},
	}
}

// usageError is an error in how the command was called: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Main runs newsbot with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	name := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		printHelp(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name || c.run == nil {
			continue
		}
		err := c.run(ctx, env, args)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(env.Stderr, "newsbot %s: %v\n", name, err)
		var ue *usageError
		var ee *exitError
		switch {
		case errors.As(err, &ue):
			return 2
		case errors.As(err, &ee):
			return ee.code
		}
		return 1
	}
	fmt.Fprintf(env.Stderr, "newsbot: unknown command %q\n\n", name)
	printHelp(env.Stderr)
	return 2
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "newsbot %s: a Telegram bot that digests and discusses the news.\n\nUsage:\n", versionString())
	for _, c := range commands() {
		fmt.Fprintf(w, "  newsbot %-8s %s\n      %s\n", c.name, c.args, c.help)
	}
	fmt.Fprint(w, "\nWith no command, newsbot runs the bot. Configuration comes from --config PATH (or\nNEWSBOT_CONFIG), then NEWSBOT_* environment variables; see README.md.\n")
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func cmdVersion(_ context.Context, env Env, args []string) error {
	if len(args) > 0 {
		return &usageError{"version takes no arguments"}
	}
	fmt.Fprintf(env.Stdout, "newsbot %s\n", versionString())
	return nil
}

// newFlags makes a FlagSet that reports errors instead of exiting.
func newFlags(name string, env Env) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("newsbot "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfgPath := fs.String("config", "", "configuration file (TOML or YAML); default $NEWSBOT_CONFIG")
	return fs, cfgPath
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	hopts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, hopts))
	}
	return slog.New(slog.NewTextHandler(w, hopts))
}

// appOptions turns the configuration into the App's options: the one place where the
// configuration meets the rest of newsbot.
func appOptions(cfg config.Config, env Env, log *slog.Logger) app.Options {
	fullText := cfg.FullTextMinWord
	if fullText <= 0 {
		fullText = -1 // 0 in the configuration turns full-text fetching off
	}
	return app.Options{
		DBPath: cfg.DBPath, Feeds: cfg.Feeds,
		TelegramAPIURL: cfg.TelegramAPIURL, TelegramToken: cfg.TelegramToken.Reveal(), Admins: cfg.Admins,
		Fetch: feed.FetcherOptions{UserAgent: cfg.UserAgent, Timeout: cfg.FetchTimeout, MaxBodyBytes: cfg.MaxBodyBytes,
			AllowPrivateNetworks: cfg.AllowPrivateNetworks},
		Poll: feed.PollerOptions{Interval: cfg.PollInterval, MaxBackoff: cfg.MaxBackoff, Concurrency: cfg.Concurrency,
			PerHost: cfg.PerHostLimit, BrokenAfter: cfg.BrokenAfter, FullTextMinWords: fullText,
			MaxNewItemsPerPoll: cfg.MaxItemsPerPoll, MaxFullTextPerPoll: cfg.MaxPagesPerPoll,
			MaxReaderItemsPerDay: cfg.MaxReaderItemsPerDay, MaxReaderBytesPerDay: int64(cfg.MaxReaderBytesPerDay),
			MaxReaderPagesPerDay: cfg.MaxReaderPagesPerDay, MaxUserItemsPerDay: cfg.MaxUserItemsPerDay,
			MaxUserBytesPerDay: int64(cfg.MaxUserBytesPerDay), MaxUserPagesPerDay: cfg.MaxUserPagesPerDay,
			MaxUserPollTimePerDay: cfg.MaxUserPollTimePerDay, MaxReaderPageTimePerDay: cfg.MaxReaderPageTimePerDay,
			MaxUserPageTimePerDay: cfg.MaxUserPageTimePerDay},
		Bot: bot.Options{ScheduleEvery: cfg.ScheduleEvery, Send: queue.SenderOptions{GlobalPerSecond: cfg.SendRate},
			CommandRate: cfg.ReaderRate / 60, CommandBurst: cfg.ReaderBurst, MaxOwnFeeds: cfg.MaxOwnFeeds,
			MaxReaderFeeds: cfg.MaxReaderFeeds, MaxUserFeeds: cfg.MaxUserFeeds, FilterBudget: cfg.FilterBudget, NewUserLinkBan: cfg.NewReaderLinkBan},
		Retention: cfg.Retention, MaxReaderStoreBytes: int64(cfg.MaxReaderStoreBytes), HTTPAddr: cfg.HTTPAddr, OpsToken: cfg.OpsToken.Reveal(),
		Logger: log, Now: env.Now,
	}
}
