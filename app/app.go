// Package app wires newsbot together: the database, the fetcher and feed poller, the
// story service, the Telegram bot, the operator endpoint and the retention loop, under
// one clock. Open builds it, Run runs every loop until its context ends, Close
// releases what Open took. `newsbot run` and the playground build the same App.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/ops"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

// Options are everything an App needs, as plain values (package main fills them from
// the configuration).
type Options struct {
	// DBPath is the database file, opened (and closed) by the App; or DB, a database
	// the caller opened and keeps.
	DBPath string
	DB     *storage.DB
	// Feeds are the configured feeds: the catalogue readers choose from.
	Feeds []string
	// Telegram: without a token the App polls feeds only.
	TelegramAPIURL, TelegramToken string
	Admins                        []int64
	Fetch                         feed.FetcherOptions
	Poll                          feed.PollerOptions
	// Bot tunes the bot; the App fills in the Bot API, catalogue, story service,
	// logger, clock and metrics.
	Bot bot.Options
	// Retention prunes items stored longer ago (0 keeps them).
	Retention time.Duration
	// MaxReaderStoreBytes bounds what readers' feeds' items take in the store: past
	// it, each retention pass evicts the oldest of them (0: no bound).
	MaxReaderStoreBytes int64
	// HTTPAddr is the operator endpoint ("" turns it off); OpsToken guards its /backup.
	HTTPAddr, OpsToken string
	// PollManually leaves polling to the caller (the playground's "new items" button).
	PollManually bool
	// ShutdownGrace is how long sends in flight may finish at a stop (default 10s).
	ShutdownGrace time.Duration
	Logger        *slog.Logger
	Now           func() time.Time
}

// App is newsbot, wired.
type App struct {
	opts    Options
	log     *slog.Logger
	DB      *storage.DB
	Fetcher *feed.Fetcher
	Poller  *feed.Poller
	Stories *stories.Service
	// Bot is nil without a Telegram token.
	Bot     *bot.Bot
	Metrics *ops.Metrics
	ops     *opsServer

	ownDB       bool
	cancelSends context.CancelFunc
	// readerBytes is what readers' items took at the last retention pass; evicted
	// counts the readers' items evicted past their budget.
	readerBytes, evicted atomic.Int64
}

// Open builds the App: it opens the database, marks the configured feeds (a feed that
// left the configuration, or nobody reads any more, stops being polled), connects to
// Telegram when a token is given, and starts the operator endpoint. ctx bounds opening.
func Open(ctx context.Context, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 10 * time.Second
	}
	a := &App{opts: opts, log: opts.Logger, DB: opts.DB, Metrics: ops.NewMetrics()}
	if a.DB == nil {
		db, err := storage.Open(opts.DBPath, storage.Options{Timeout: time.Second})
		if err != nil {
			return nil, err
		}
		a.DB, a.ownDB = db, true
	}
	if err := a.open(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context) error {
	opts := a.opts
	if removed, err := a.DB.SyncConfiguredFeeds(ctx, opts.Feeds, opts.Now()); err != nil {
		return err
	} else if removed > 0 {
		a.log.Info("feeds that left the configuration are no longer polled", "feeds", removed)
	}
	if removed, err := a.DB.SweepFeeds(ctx); err != nil {
		return err
	} else if removed > 0 {
		a.log.Info("feeds nobody reads any more are no longer polled", "feeds", removed)
	}
	a.Fetcher = feed.NewFetcher(opts.Fetch)
	po := opts.Poll
	po.Now, po.Logger = opts.Now, a.log
	po.OnResult = func(r feed.Result) {
		a.Metrics.ObservePoll(r)
		if opts.Poll.OnResult != nil {
			opts.Poll.OnResult(r) // the caller's (progress on a terminal)
		}
	}
	a.Poller = feed.NewPoller(a.DB, a.Fetcher, po)
	bo := opts.Bot
	a.Stories = stories.New(a.DB, a.Fetcher, stories.Options{Catalogue: opts.Feeds, Windows: bo.Windows,
		RunMaxAge: bo.RunMaxAge, FilterBudget: bo.FilterBudget, Now: opts.Now, Logger: a.log})
	if opts.TelegramToken == "" {
		a.log.Warn("no Telegram token configured (set NEWSBOT_TELEGRAM_TOKEN or NEWSBOT_TELEGRAM_TOKEN_FILE); polling feeds only")
	} else {
		// The bot's calls get their own context, cancelled a grace period after Run's,
		// so sends in flight at a stop can finish and be recorded.
		sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		a.cancelSends = cancel
		bo.APIURL, bo.Token, bo.Admins, bo.Catalogue = opts.TelegramAPIURL, opts.TelegramToken, opts.Admins, opts.Feeds
		bo.Stories, bo.Logger, bo.Now, bo.PollerStats = a.Stories, a.log, opts.Now, a.Poller.Stats
		pd := po.WithDefaults()
		bo.FeedsPerDay = storage.FeedUsage{Items: pd.MaxUserItemsPerDay, Bytes: pd.MaxUserBytesPerDay, Pages: pd.MaxUserPagesPerDay,
			PollTime: pd.MaxUserPollTimePerDay, PageTime: pd.MaxUserPageTimePerDay}
		bo.Send.OnFailure = func(reason string) { a.Metrics.SendFailures.WithLabelValues(reason).Inc() }
		bo.UpdateLatency = func(d time.Duration) { a.Metrics.UpdateLatency.Observe(d.Seconds()) }
		b, err := bot.New(sendCtx, a.DB, a.Fetcher, bo)
		if err != nil {
			return err
		}
		a.Bot = b
		a.log.Info("connected to Telegram", "bot", "@"+b.Username())
	}
	registerMetrics(a.Metrics, a.DB, a.Poller, a.Bot)
	a.Metrics.GaugeFunc("newsbot_reader_item_bytes", "What readers' feeds' items took in the store at the last retention pass.",
		func() float64 { return float64(a.readerBytes.Load()) })
	a.Metrics.CounterFunc("newsbot_reader_items_evicted_total", "Readers' items evicted, oldest first, past NEWSBOT_MAX_READER_STORE_BYTES.",
		func() float64 { return float64(a.evicted.Load()) })
	if opts.HTTPAddr != "" {
		srv, err := a.startOps()
		if err != nil {
			return err
		}
		a.ops = srv
	}
	return nil
}

// Run runs the feed poller (unless PollManually), the retention loop and the bot until
// ctx ends; then the bot's sends in flight get ShutdownGrace to finish.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	run := func(fn func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- fn() }()
	}
	if !a.opts.PollManually {
		run(func() error { return a.Poller.Run(ctx, func([]feed.Result) { a.FollowUp(ctx) }) })
	}
	run(func() error { return a.retain(ctx) })
	if a.Bot != nil {
		run(func() error { return a.Bot.Run(ctx) })
	}
	<-ctx.Done()
	a.log.Info("shutting down; finishing sends in flight")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(a.opts.ShutdownGrace):
		a.log.Warn("sends still in flight after the grace period; cancelling them", "grace", a.opts.ShutdownGrace)
		if a.cancelSends != nil {
			a.cancelSends()
		}
		<-done
	}
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

// retain prunes, once an hour: items past retention (those with a discussion stay),
// cached cards older than a day, followed-story records past their use, and pending
// comments older than an hour.
func (a *App) retain(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		a.Prune(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// goneGroupsKeepFeeds is how long a group without the bot keeps its own feeds.
const goneGroupsKeepFeeds = 30 * 24 * time.Hour

// Prune runs one retention pass; failures are logged, and the next pass tries again.
func (a *App) Prune(ctx context.Context) {
	now := a.opts.Now()
	if a.opts.Retention > 0 {
		if n, err := a.DB.Prune(ctx, now.Add(-a.opts.Retention)); err != nil {
			a.log.Error("pruning old items failed", "error", err)
		} else if n > 0 {
			a.log.Info("pruned old items", "deleted", n, "older_than", a.opts.Retention)
		}
	}
	if budget := a.opts.MaxReaderStoreBytes; budget > 0 {
		// Past their budget, readers' items go oldest first, before the disk fills
		// and the catalogue's newest news has no room.
		n, left, err := a.DB.EvictReaderItems(ctx, budget)
		a.readerBytes.Store(left)
		a.evicted.Add(int64(n))
		if err != nil {
			a.log.Error("evicting readers' items past their budget failed", "error", err)
		} else if n > 0 {
			a.log.Warn("readers' items were past their budget; the oldest were evicted", "deleted", n, "left_bytes", left, "budget_bytes", budget)
		}
	}
	if n, err := a.DB.PruneCards(ctx, now.Add(-24*time.Hour)); err != nil {
		a.log.Error("pruning cached cards failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned cached cards", "deleted", n)
	}
	// Cards past Telegram's 48-hour edit limit; follows a week after their story's
	// last report (they lapsed); closed stories as old; open ones once the tracker can
	// hold them no longer: it counts a followed story's week, and an unfollowed one's
	// close, from when it placed the last report, up to its look back (CloseAfter)
	// after the report was stored; a day more for the passes between (found by review).
	tr := a.Stories.Tracking()
	openBefore := now.Add(-max(tr.FollowFor+tr.CloseAfter, 2*tr.CloseAfter) - 24*time.Hour)
	if cards, follows, err := a.DB.PruneStories(ctx, now.Add(-48*time.Hour), now.Add(-tr.FollowFor), openBefore); err != nil {
		a.log.Error("pruning followed stories failed", "error", err)
	} else if cards+follows > 0 {
		a.log.Debug("pruned followed stories", "cards", cards, "follows", follows)
	}
	// A group gone a month lets go of its feeds, so that its members who added them may
	// add others (they count against a member until then: they come back with the bot).
	if n, err := a.DB.ReleaseGoneGroups(ctx, now, goneGroupsKeepFeeds); err != nil {
		a.log.Error("releasing gone groups' feeds failed", "error", err)
	} else if n > 0 {
		a.log.Info("gone groups let go of their feeds", "groups", n)
	}
	// Collected feeds are stamped by the database's clock, not the app's.
	if n, err := a.DB.PruneGoneFeeds(ctx, time.Now()); err != nil {
		a.log.Error("pruning collected feeds' records failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned collected feeds' records", "deleted", n)
	}
	// Dedup keys of items gone, of feeds gone past that week.
	if n, err := a.DB.PruneTombstones(ctx); err != nil {
		a.log.Error("pruning gone feeds' dedup keys failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned gone feeds' dedup keys", "deleted", n)
	}
	if n, err := a.DB.PruneSlowLane(ctx, now); err != nil {
		a.log.Error("pruning the slow lane's marks failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned the slow lane's marks", "deleted", n)
	}
	if n, err := a.DB.PruneFeedUsage(ctx, now.UTC().Format("2006-01-02")); err != nil {
		a.log.Error("pruning chats' feed usage failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned chats' feed usage of past days", "deleted", n)
	}
	if n, err := a.DB.PrunePending(ctx, now.Add(-time.Hour)); err != nil {
		a.log.Error("pruning expired pending comments failed", "error", err)
	} else if n > 0 {
		a.log.Debug("pruned expired pending comments", "deleted", n)
	}
}

// PollFeeds polls the given feeds now (all configured feeds when none are given) and
// returns the results.
func (a *App) PollFeeds(ctx context.Context, urls ...string) ([]feed.Result, error) {
	if len(urls) == 0 {
		urls = a.opts.Feeds
	}
	feeds := make([]storage.Feed, 0, len(urls))
	for _, u := range urls {
		f, err := a.DB.Feed(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("poll %s: %w", u, err)
		}
		feeds = append(feeds, f)
	}
	results := a.Poller.PollFeeds(ctx, feeds)
	a.FollowUp(ctx)
	return results, nil
}

// FollowUp places what a poll stored into stories and, with a bot, tells the followers
// of stories that developed (their first update goes out in the cycle that brought it).
// Failures are logged; the next cycle tries again.
func (a *App) FollowUp(ctx context.Context) {
	var err error
	if a.Bot != nil {
		err = a.Bot.FollowUp(ctx)
	} else {
		_, err = a.Stories.Track(ctx)
	}
	if err != nil && ctx.Err() == nil {
		a.log.Error("following stories up failed", "error", err)
	}
}

// Ingest polls the given feeds once, after adding them as the operator's own (polled
// until the operator removes them), or every configured feed when none are given.
func (a *App) Ingest(ctx context.Context, urls ...string) ([]feed.Result, error) {
	for _, u := range urls {
		if _, err := a.DB.AddFeed(ctx, u, a.opts.Now()); err != nil {
			return nil, err
		}
	}
	return a.PollFeeds(ctx, urls...)
}

// DigestNow makes every subscriber due and runs the scheduler once (the playground's
// "send the digest now").
func (a *App) DigestNow(ctx context.Context) error {
	if a.Bot == nil {
		return errors.New("digest now: no Telegram bot")
	}
	now := a.opts.Now()
	var due []int64
	if err := a.DB.Subscribers(ctx, func(s storage.Subscriber) error {
		if s.Subscribed && s.Active {
			due = append(due, s.ChatID)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range due {
		if _, err := a.DB.UpdateSubscriber(ctx, id, nil, func(s *storage.Subscriber) error {
			s.NextDigest = now.Add(-time.Second)
			return nil
		}); err != nil {
			return err
		}
	}
	return a.Bot.RunDue(ctx)
}

// OpsAddr is where the operator endpoint listens ("" when it is off).
func (a *App) OpsAddr() string {
	if a.ops == nil {
		return ""
	}
	return a.ops.addr
}

// Close stops the operator endpoint and closes the database when the App opened it.
func (a *App) Close() error {
	if a.ops != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := a.ops.srv.Shutdown(sctx); err != nil {
			a.log.Warn("close: stop operator endpoint", "error", err)
		}
		cancel()
	}
	if a.cancelSends != nil {
		a.cancelSends()
	}
	if a.ownDB && a.DB != nil {
		return a.DB.Close()
	}
	return nil
}

// opsServer is the running operator endpoint.
type opsServer struct {
	srv  *ops.Server
	addr string
}

func (a *App) startOps() (*opsServer, error) {
	checks := ops.Checks{
		// A cheap read (the schema version), not Stats: /readyz is open to whoever
		// reaches the endpoint, and Stats walks the whole store.
		DB: func() error { _, err := a.DB.Schema(); return err },
		Loops: func() map[string]ops.Loop {
			loops := map[string]ops.Loop{}
			if !a.opts.PollManually {
				every := a.opts.Poll.Interval
				if every <= 0 {
					every = 15 * time.Minute // the poller's default
				}
				loops["feeds"] = ops.Loop{Last: a.Poller.LastCycle(), Every: every}
			}
			if a.Bot != nil {
				for name, hb := range a.Bot.Alive() {
					loops[name] = ops.Loop{Last: hb.Last, Every: hb.Every}
				}
			}
			return loops
		},
		// Heartbeats are taken on the wall clock, whatever clock the news runs on.
	}
	if a.Bot != nil {
		checks.Telegram = a.Bot.TelegramOK
	}
	dir := filepath.Dir(a.DB.Path())
	srv := ops.NewServer(a.Metrics, checks, ops.Backup{Token: a.opts.OpsToken, Snapshot: a.DB.BackupTo, TempDir: dir}, a.log)
	addr, err := srv.Start(a.opts.HTTPAddr)
	if err != nil {
		return nil, err
	}
	paths := "/metrics /healthz /readyz"
	if a.opts.OpsToken != "" {
		paths += " /backup (with the operator token)"
	}
	a.log.Info("operator endpoint listening", "addr", addr, "paths", paths)
	return &opsServer{srv: srv, addr: addr}, nil
}
