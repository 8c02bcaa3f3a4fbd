package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/ops"
	"github.com/newsbot/newsbot/storage"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdIngest(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("ingest", env)
	var only stringList
	fs.Var(&only, "feed", "poll only this feed URL (repeatable); it is added to the database")
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
	for _, u := range only {
		if err := config.CheckFeedURL(u); err != nil {
			return &usageError{"--feed: " + err.Error()}
		}
	}
	db, err := openDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger(cfg, env.Stderr)
	if !env.stderrIsTerminal() || *asJSON {
		// Quiet unless something is wrong: results go to stdout.
		cfg.LogLevel = "error"
		log = newLogger(cfg, env.Stderr)
	}

	now := env.now()
	urls := cfg.Feeds
	if len(only) > 0 {
		urls = only
	}
	if err := seedFeeds(ctx, db, urls, now); err != nil {
		return err
	}
	feeds := make([]storage.Feed, 0, len(urls))
	for _, u := range urls {
		f, err := db.Feed(ctx, u)
		if err != nil {
			return err
		}
		feeds = append(feeds, f)
	}

	var done atomic.Int64
	var onResult func(feed.Result)
	if env.stderrIsTerminal() && !*asJSON {
		total := len(feeds)
		onResult = func(feed.Result) {
			fmt.Fprintf(env.Stderr, "\rpolled %d/%d feeds", done.Add(1), total)
		}
	}
	poller := newPoller(cfg, db, log, env.now, onResult)
	results := poller.PollFeeds(ctx, feeds)
	if onResult != nil {
		fmt.Fprintln(env.Stderr)
	}

	failed := 0
	for _, r := range results {
		if r.Status == feed.StatusError {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			line := fmt.Sprintf("%-12s %4d new  %s", r.Status, r.NewItems, r.URL)
			if r.Error != "" {
				line += "  error: " + r.Error
			}
			fmt.Fprintln(env.Stdout, line)
		}
	}
	if len(results) > 0 && failed == len(results) {
		return &exitError{1, errors.New("every feed failed")}
	}
	return nil
}

// itemJSON is the `newsbot items --json` contract.
type itemJSON struct {
	ID        uint64    `json:"id"`
	Feed      string    `json:"feed"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Words     int       `json:"words"`
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
	db, err := openDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	items, err := db.Items(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]itemJSON, 0, len(items))
		for _, it := range items {
			out = append(out, itemJSON{it.ID, it.FeedURL, it.Title, it.URL, it.Published, it.Words})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, it := range items {
		fmt.Fprintf(env.Stdout, "%6d  %s  %5dw  %s\n        %s\n", it.ID, it.Published.Format("2006-01-02 15:04"), it.Words, it.Title, it.URL)
	}
	return nil
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
	db, err := openDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if removed, err := db.SyncConfiguredFeeds(ctx, cfg.Feeds, env.now()); err != nil {
		return err
	} else if removed > 0 {
		log.Info("feeds that left the configuration are no longer polled", "feeds", removed)
	}
	if removed, err := db.SweepFeeds(ctx); err != nil {
		return err
	} else if removed > 0 {
		log.Info("feeds nobody reads any more are no longer polled", "feeds", removed)
	}
	log.Info("newsbot starting", "version", versionString(), "db", cfg.DBPath, "feeds", len(cfg.Feeds), "poll_interval", cfg.PollInterval)

	metrics := ops.NewMetrics()
	// The bot's HTTP calls get their own context, cancelled a little after ctx, so
	// sends in flight at shutdown can finish and be recorded.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	poller := newPoller(cfg, db, log, env.now, metrics.ObservePoll)
	var b *bot.Bot
	if cfg.TelegramToken == "" {
		log.Warn("no Telegram token configured (set NEWSBOT_TELEGRAM_TOKEN or NEWSBOT_TELEGRAM_TOKEN_FILE); polling feeds only")
	} else {
		b, err = bot.New(sendCtx, db, newFetcher(cfg), bot.Options{
			APIURL: cfg.TelegramAPIURL, Token: cfg.TelegramToken.Reveal(), Admins: cfg.Admins,
			Catalogue: cfg.Feeds, Logger: log, Send: queue.SenderOptions{GlobalPerSecond: cfg.SendRate,
				OnFailure: func(reason string) { metrics.SendFailures.WithLabelValues(reason).Inc() }},
			ScheduleEvery: cfg.ScheduleEvery,
			UpdateLatency: func(d time.Duration) { metrics.UpdateLatency.Observe(d.Seconds()) },
			PollerStats:   poller.Stats,
			CommandRate:   cfg.ReaderRate / 60, CommandBurst: cfg.ReaderBurst,
			MaxOwnFeeds: cfg.MaxOwnFeeds, MaxReaderFeeds: cfg.MaxReaderFeeds, FilterBudget: cfg.FilterBudget,
			NewUserLinkBan: cfg.NewReaderLinkBan,
		})
		if err != nil {
			return err
		}
		log.Info("connected to Telegram", "bot", "@"+b.Username())
	}

	registerMetrics(metrics, db, poller, b)
	var opsSrv *ops.Server
	if cfg.HTTPAddr != "" {
		checks := ops.Checks{
			DB: func() error { _, err := db.Stats(context.Background()); return err },
			Loops: func() map[string]ops.Loop {
				loops := map[string]ops.Loop{"feeds": {Last: poller.LastCycle(), Every: cfg.PollInterval}}
				if b != nil {
					for name, hb := range b.Alive() {
						loops[name] = ops.Loop{Last: hb.Last, Every: hb.Every}
					}
				}
				return loops
			},
		}
		if b != nil {
			checks.Telegram = b.TelegramOK
		}
		opsSrv = ops.NewServer(metrics, checks, ops.Backup{Token: cfg.OpsToken.Reveal(), Snapshot: db.Backup,
			TempDir: filepath.Dir(cfg.DBPath)}, log)
		addr, err := opsSrv.Start(cfg.HTTPAddr)
		if err != nil {
			return err
		}
		paths := "/metrics /healthz /readyz"
		if cfg.OpsToken != "" {
			paths += " /backup (with the operator token)"
		}
		log.Info("operator endpoint listening", "addr", addr, "paths", paths)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		lastPrune := time.Time{}
		errs <- poller.Run(ctx, func([]feed.Result) {
			if cfg.Retention > 0 && env.now().Sub(lastPrune) > time.Hour {
				lastPrune = env.now()
				n, err := db.Prune(ctx, env.now().Add(-cfg.Retention))
				if err != nil {
					log.Error("pruning old items failed", "error", err)
				} else if n > 0 {
					log.Info("pruned old items", "deleted", n, "older_than", cfg.Retention)
				}
			}
			if n, err := db.PruneCards(ctx, env.now().Add(-24*time.Hour)); err != nil {
				log.Error("pruning cached cards failed", "error", err)
			} else if n > 0 {
				log.Debug("pruned cached cards", "deleted", n)
			}
			if n, err := db.PrunePending(ctx, env.now().Add(-time.Hour)); err != nil {
				log.Error("pruning expired pending comments failed", "error", err)
			} else if n > 0 {
				log.Debug("pruned expired pending comments", "deleted", n)
			}
		})
	}()
	if b != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- b.Run(ctx)
		}()
	}
	<-ctx.Done()
	log.Info("shutting down; finishing sends in flight")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		log.Warn("sends still in flight after 10s; cancelling them")
		cancelSends()
		<-done
	}
	if opsSrv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = opsSrv.Shutdown(sctx)
		cancel()
	}
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	log.Info("newsbot stopped")
	return nil
}

// registerMetrics exports storage and bot figures read at scrape time.
// cached returns fn's value, computed again at most once per ttl: a scrape of /metrics
// (open to whoever reaches the endpoint) must not cost a scan of the database each time.
func cached[T any](ttl time.Duration, fn func() T) func() T {
	var mu sync.Mutex
	var at time.Time
	var v T
	return func() T {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() || time.Since(at) > ttl {
			v, at = fn(), time.Now()
		}
		return v
	}
}

func registerMetrics(m *ops.Metrics, db *storage.DB, poller *feed.Poller, b *bot.Bot) {
	const ttl = 15 * time.Second
	stats := cached(ttl, func() storage.Stats { st, _ := db.Stats(context.Background()); return st })
	type outbox struct {
		depth int
		age   time.Duration
	}
	queue := cached(ttl, func() outbox {
		n, age, _ := db.OutboxStats(context.Background(), time.Now())
		return outbox{n, age}
	})
	readerFeeds := cached(ttl, func() int { n, _ := db.ReaderFeedCount(context.Background()); return n })
	m.GaugeFunc("newsbot_db_size_bytes", "Database file size.", func() float64 { return float64(db.Size()) })
	m.GaugeFunc("newsbot_feeds_broken", "Feeds marked broken after a long error streak.", func() float64 {
		return float64(stats().BrokenFeeds)
	})
	m.GaugeFunc("newsbot_items", "Items stored.", func() float64 { return float64(stats().Items) })
	m.GaugeFunc("newsbot_outbox_depth", "Messages waiting in the outbox.", func() float64 { return float64(queue().depth) })
	m.GaugeFunc("newsbot_outbox_oldest_seconds", "Age of the oldest queued message.", func() float64 { return queue().age.Seconds() })
	m.GaugeFunc("newsbot_reader_feeds", "Feeds readers added (counted against the global cap).", func() float64 {
		return float64(readerFeeds())
	})
	if poller != nil {
		m.CounterFunc("newsbot_items_capped_total", "New items not stored: their feed brought more than one poll stores (the oldest are left out).",
			func() float64 { return float64(poller.Stats().ItemsCapped) })
		m.CounterFunc("newsbot_page_fetches_capped_total", "Teasers kept: their feed's page fetches for the poll were used up.",
			func() float64 { return float64(poller.Stats().PagesCapped) })
	}
	if b == nil {
		return
	}
	counter := func(name, help string, read func(bot.Stats) int64) {
		m.CounterFunc(name, help, func() float64 { return float64(read(b.Stats())) })
	}
	counter("newsbot_messages_sent_total", "Messages Telegram accepted.", func(s bot.Stats) int64 { return s.Sent })
	counter("newsbot_messages_failed_total", "Send attempts that failed (retried or dropped).", func(s bot.Stats) int64 { return s.Failed })
	counter("newsbot_telegram_429_total", "429 Too Many Requests answers.", func(s bot.Stats) int64 { return s.TooMany })
	counter("newsbot_messages_dropped_total", "Messages dropped: chat gone or rejected for good.", func(s bot.Stats) int64 { return s.Dropped })
	counter("newsbot_chats_deactivated_total", "Chats deactivated (blocked, deactivated, not found).", func(s bot.Stats) int64 { return s.Deactivated })
	counter("newsbot_plain_fallbacks_total", "Messages resent as plain text after an HTML error.", func(s bot.Stats) int64 { return s.PlainFallbacks })
	counter("newsbot_digests_built_total", "Digests queued by the scheduler.", func(s bot.Stats) int64 { return s.Digests })
	counter("newsbot_comments_relayed_total", "Discussion comments queued for followers.", func(s bot.Stats) int64 { return s.CommentsRelayed })
	counter("newsbot_updates_dropped_total", "Updates dropped: their sender was over the rate, or their chat's queue was full.", func(s bot.Stats) int64 { return s.UpdatesDropped })
	counter("newsbot_window_items_dropped_total", "Items a window cap left out of a digest run or a card (the oldest).", func(s bot.Stats) int64 { return s.WindowDropped })
	counter("newsbot_filter_budget_exceeded_total", "Digests whose subscriber's filters ran out of time.", func(s bot.Stats) int64 { return s.FilterBudgetHits })
}
