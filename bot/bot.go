package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
	"golang.org/x/sync/errgroup"
)

// Fetcher is the SSRF-safe fetcher the bot uses for URLs users send.
type Fetcher interface {
	Fetch(ctx context.Context, req feed.Request) (*feed.Response, error)
	FetchArticle(ctx context.Context, pageURL string) (feed.Article, error)
	// Permits reports whether the fetcher may connect to an address.
	Permits(addr netip.AddrPort) bool
}

// Options configure the bot.
type Options struct {
	APIURL string
	Token  string
	Admins []int64
	// Catalogue is the built-in feed list users pick from (the configured feeds).
	Catalogue []string
	// DefaultTimes and DefaultZone apply to new subscribers.
	DefaultTimes []string
	DefaultZone  string
	// MaxOwnFeeds caps one chat's own feeds (default 20); MaxReaderFeeds caps the feeds
	// all readers added together (default 5,000); MaxUserFeeds the distinct feeds one
	// user keeps over their own chat and the groups they added feeds to (default 100).
	MaxOwnFeeds    int
	MaxReaderFeeds int
	MaxUserFeeds   int
	// FeedFloor is the feeds no account is cut below when a full MaxReaderFeeds makes
	// room for a newcomer (default 10): locking the 5,000 then takes 500 accounts of ten
	// feeds, and without it a thousand accounts of five would cut every reader to five.
	FeedFloor int
	// CardRedrawBudget bounds the time one pass spends composing the cards it redraws in
	// place (default 5 s): a card composed anew reads the store's recent items (up to
	// half a second), and readers who each see their own feeds each need their own.
	CardRedrawBudget time.Duration
	// FeedsPerDay is what all the feeds one user added may store, fetch and take to poll
	// a day (the poller's allowance); /feeds shows the reader their use of it. Zero
	// hides it.
	FeedsPerDay storage.FeedUsage
	// Sender limits (zero: Telegram's documented limits).
	Send queue.SenderOptions
	// ScheduleEvery is how often due digests are looked for (default 20s).
	ScheduleEvery time.Duration
	// DefaultQuiet is the quiet hours of readers who set none: "HH:MM-HH:MM" or "off"
	// (default 22:00-07:00; the playground turns them off, so its demo works at night).
	DefaultQuiet string
	// PollTimeout is the getUpdates long-poll timeout in seconds (default 25).
	PollTimeout int
	// CommandRate is how many updates per second one reader may send (default one every
	// 3 s), in bursts of CommandBurst (default 10); more are dropped. SummaryRate limits
	// /summary page fetches per reader (per second, bursts of 3; default 0.2).
	CommandRate  float64
	CommandBurst int
	SummaryRate  float64
	// Workers bounds the handlers running at once (default 16); QueuePerChat bounds a
	// chat's waiting updates (default 10); HandlerTimeout bounds one handler (default 60s).
	Workers        int
	QueuePerChat   int
	HandlerTimeout time.Duration
	// UserFetches bounds the pages fetched at once on readers' behalf (default 8), and
	// DiscoveryBudget the whole of one /add (default 20s).
	UserFetches     int
	DiscoveryBudget time.Duration
	// ReaderFetchTime is how long one reader's page fetches may hold those slots in an
	// hour (default 2m), and ReaderCardTime how long composing the cards they open may
	// take (default 30s: some 50 cards composed anew): each a bucket of that size,
	// refilled over the hour. Without them a few accounts repeating slow requests kept
	// every slot (found by review).
	ReaderFetchTime time.Duration
	ReaderCardTime  time.Duration
	// FetchYield is how long a page fetch on a reader's behalf keeps its slot when
	// another reader waits for one (default 5s).
	FetchYield time.Duration
	// PendingTTL is how long a reply to a digest waits for its story (default 30m), and
	// PendingPerReader how many of one reader's may wait in one chat (default 3; a chat
	// holds ten times as many).
	PendingTTL       time.Duration
	PendingPerReader int
	// NewUserLinkBan refuses links in comments from users first seen less than a day ago.
	NewUserLinkBan bool
	// APITimeout bounds one Bot API call (default 30s).
	APITimeout time.Duration
	// Stories is the story service that decides what a reader sees; nil builds one over
	// the database with Windows, RunMaxAge and FilterBudget.
	Stories Stories
	// Windows are the spans of stored news that digests and cards read (zero values:
	// stories.DefaultWindows).
	Windows stories.Windows
	// FilterBudget bounds the time one subscriber's filters may take in one digest
	// (default 500ms); DigestWorkers is how many digests are composed at once (default
	// GOMAXPROCS).
	FilterBudget  time.Duration
	DigestWorkers int
	// RunMaxAge is how long a digest run may be reused after new items arrived (default
	// 30s; negative: never, which tests with a fake clock want).
	RunMaxAge time.Duration
	// UpdateLatency, if set, observes how long each update took to handle.
	UpdateLatency func(time.Duration)
	// PollerStats, if set, reports the feed poller's counters for /stats.
	PollerStats func() feed.PollerStats
	Logger      *slog.Logger
	Now         func() time.Time
}

// Bot is the running Telegram bot.
type Bot struct {
	opts   Options
	db     Store
	fetch  Fetcher
	api    *telegram.Client
	sender *queue.Sender
	// stale wakes refreshStaleCopies: the sender recorded a copy sent from an older
	// revision of its comment.
	stale chan struct{}
	// commentLocks serialise the redraws of one comment's copies (finishChange): a
	// handler's and the refresh's at once each queued a deletion of every copy
	// (review 49). Striped: one comment always takes the same lock.
	commentLocks [64]sync.Mutex
	// recordWait holds a slot per handler waiting for a sent message's record.
	recordWaitSlots chan struct{}
	log             *slog.Logger
	cmds            []command
	fetches         *fetchGate
	// catalogue is the set of public feeds (Options.Catalogue).
	catalogue map[string]struct{}
	stories   Stories

	disp *queue.Dispatcher
	poll *queue.Poller

	mu       sync.Mutex
	limiters map[int64]*userLimits
	runMu    sync.Mutex // one digest run at a time
	slowMu   sync.Mutex // one run of the slow lane at a time
	// spendMu makes one save of readers' spends at a time; saved is what the store
	// holds of them (spend.go).
	spendMu sync.Mutex
	saved   map[int64]storage.ReaderSpend
	slow    slowChats // chats whose filters ran out of time (slowlane.go)

	schedAlive timeStamp
	stats      botStats
}

// Stories is what the bot asks the story service: which news a reader sees.
type Stories interface {
	DigestFor(ctx context.Context, sub stories.Subscriber, now time.Time) (stories.Digest, error)
	Prepare(ctx context.Context, now time.Time) error
	CardFor(ctx context.Context, id uint64, r stories.Reader) (digest.StoryCard, error)
	CachedCardFor(ctx context.Context, id uint64, r stories.Reader) (digest.StoryCard, error)
	CardForURL(ctx context.Context, canonical string) (digest.StoryCard, error)
	Visible(ctx context.Context, id uint64, r stories.Reader) (storage.Item, error)
	Public(feedURL string) bool
	Stats() stories.Stats
	// Followed stories.
	Track(ctx context.Context) (stories.TrackResult, error)
	StoryOf(ctx context.Context, item uint64) (uint64, error)
	Lapsed(st storage.Story, now time.Time) bool
	Tracking() stories.Tracking
}

// botStats are the bot's own counters (the sender keeps its own).
type botStats struct {
	digestsBuilt, commentsRelayed, storyUpdates counter
	// copiesPassedBy: comments' copies not queued for followers already too far behind.
	copiesPassedBy counter
	// budgetRefusals: readers' requests refused because their hour of page fetching
	// or of composing cards was spent.
	budgetRefusals counter
}

// WithDefaults fills the zero fields of o with the defaults (the same as config.Default).
func (o Options) WithDefaults() Options {
	if q, err := parseQuiet(o.DefaultQuiet); err == nil && q != "" {
		o.DefaultQuiet = q // "HH:MM-HH:MM" or "off"
	} else {
		o.DefaultQuiet = defaultQuiet // unset, "on", or not quiet hours
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.DefaultTimes) == 0 {
		o.DefaultTimes = []string{"08:00"}
	}
	if o.DefaultZone == "" {
		o.DefaultZone = "UTC"
	}
	if o.MaxOwnFeeds <= 0 {
		o.MaxOwnFeeds = 20
	}
	if o.MaxReaderFeeds <= 0 {
		o.MaxReaderFeeds = 5000
	}
	if o.MaxUserFeeds <= 0 {
		o.MaxUserFeeds = 100
	}
	if o.FeedFloor <= 0 {
		o.FeedFloor = 10
	}
	if o.CardRedrawBudget <= 0 {
		o.CardRedrawBudget = 5 * time.Second
	}
	if o.ScheduleEvery <= 0 {
		o.ScheduleEvery = 20 * time.Second
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 25
	}
	if o.CommandRate <= 0 {
		o.CommandRate = 1.0 / 3
	}
	if o.CommandBurst <= 0 {
		o.CommandBurst = 10
	}
	if o.SummaryRate <= 0 {
		o.SummaryRate = 0.2
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.QueuePerChat <= 0 {
		o.QueuePerChat = 10
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = time.Minute
	}
	if o.UserFetches <= 0 {
		o.UserFetches = 8
	}
	if o.DiscoveryBudget <= 0 {
		o.DiscoveryBudget = 20 * time.Second
	}
	if o.ReaderFetchTime <= 0 {
		o.ReaderFetchTime = 2 * time.Minute
	}
	if o.ReaderCardTime <= 0 {
		o.ReaderCardTime = 30 * time.Second
	}
	if o.FetchYield <= 0 {
		o.FetchYield = 5 * time.Second
	}
	if o.PendingTTL <= 0 {
		o.PendingTTL = 30 * time.Minute
	}
	if o.PendingPerReader <= 0 {
		o.PendingPerReader = 3
	}
	if o.FilterBudget <= 0 {
		o.FilterBudget = 500 * time.Millisecond
	}
	if o.DigestWorkers <= 0 {
		o.DigestWorkers = runtime.GOMAXPROCS(0)
	}
	if o.Send.Logger == nil {
		o.Send.Logger = o.Logger
	}
	if o.APITimeout <= 0 {
		o.APITimeout = 30 * time.Second
	}
	return o
}

// New connects to the Bot API (checking the token with getMe). ctx bounds every Bot
// API call the bot makes, sends included; the update long poll follows Run's context
// instead. Give New a context that outlives Run and cancel it only after a shutdown
// deadline: a send cut off in flight may have reached Telegram but is not recorded,
// so it is sent again after a restart.
func New(ctx context.Context, db Store, fetch Fetcher, opts Options) (*Bot, error) {
	opts = opts.WithDefaults()
	api, err := telegram.NewClient(ctx, opts.APIURL, opts.Token, opts.APITimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to Telegram: %w", err)
	}
	b := &Bot{opts: opts, db: db, fetch: fetch, api: api, log: opts.Logger,
		limiters: map[int64]*userLimits{}, fetches: newFetchGate(opts.UserFetches, opts.FetchYield), catalogue: map[string]struct{}{}}
	for _, u := range opts.Catalogue {
		b.catalogue[u] = struct{}{}
	}
	b.stories = opts.Stories
	if b.stories == nil {
		b.stories = stories.New(db, fetch, stories.Options{Catalogue: opts.Catalogue, Windows: opts.Windows,
			RunMaxAge: opts.RunMaxAge, FilterBudget: opts.FilterBudget, Now: opts.Now, Logger: opts.Logger})
	}
	if opts.Send.CallContext == nil {
		opts.Send.CallContext = ctx
	}
	// The slow lane's chats outlive a restart: back in the run, each would hold it one
	// digest at the whole budget.
	marks, err := db.SlowChats(ctx, opts.Now())
	if err != nil {
		return nil, fmt.Errorf("start bot: %w", err)
	}
	b.slow.load(marks)
	// So are readers' spent allowances: a restart must give nobody a new hour or day.
	spends, damaged, err := db.ReaderSpends(ctx)
	if err != nil {
		return nil, fmt.Errorf("start bot: %w", err)
	}
	b.restoreSpends(spends, damaged, time.Now())
	b.stale = make(chan struct{}, 1)
	opts.Send.OnStaleCopy = b.staleCopy
	opts.Send.OnMigrate = b.slow.move // a group's place in the slow lane goes with it
	b.sender = queue.NewSender(db, api, opts.Send)
	// A chat coming back (or a group upgraded, its queue moved by the sender) fits its
	// own feeds under the readers' cap, and is told of those that found no room.
	db.SetFeedLimits(b.feedLimits())
	b.recordWaitSlots = make(chan struct{}, recordWaiters)
	b.cmds = commandList()
	b.disp = queue.NewDispatcher(db, b.admit, b.handle, queue.DispatchOptions{Workers: opts.Workers, PerChat: opts.QueuePerChat,
		Deadline: opts.HandlerTimeout, Latency: opts.UpdateLatency, Log: b.log})
	b.poll = &queue.Poller{Store: db, API: api, Log: b.log, Timeout: opts.PollTimeout, Notify: b.disp.Notify}
	// Names are unique by look-alike key; rebuild the index when the rules changed.
	if dropped, err := db.ReindexNames(ctx, nameKeyVersion+"/"+b.Username(), b.nameKey); err != nil {
		return nil, err
	} else if dropped > 0 {
		b.log.Warn("chosen names that now look like another's or a reserved name were dropped", "names", dropped)
	}
	return b, nil
}

// Sender exposes the outbox sender (for metrics).
func (b *Bot) Sender() *queue.Sender { return b.sender }

// Username is the bot's @username.
func (b *Bot) Username() string { return b.api.Username() }

// Run registers the command list and runs the update loop, the dispatcher, the
// scheduler and the sender until ctx ends. In-flight work finishes before it returns.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.setCommands(ctx); err != nil {
		b.log.Warn("setMyCommands failed", "error", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.poll.Run(ctx) })
	g.Go(func() error { return b.disp.Run(ctx) })
	g.Go(func() error { return b.sender.Run(ctx) })
	g.Go(func() error { return b.schedule(ctx) })
	g.Go(func() error { return b.scheduleSlow(ctx) })
	g.Go(func() error { return b.refreshStaleCopies(ctx) })
	g.Go(func() error { return b.relayLeftOver(ctx) })
	g.Go(func() error { return b.keepSpends(ctx) })
	err := g.Wait()
	// At a stop, after the handlers have ended: what they spent is in memory now.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	b.saveSpends(sctx)
	cancel()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Heartbeat is a loop's last turn and how often it turns at least.
type Heartbeat struct {
	Last  time.Time
	Every time.Duration
}

// Alive reports each loop's heartbeat, for readiness checks.
func (b *Bot) Alive() map[string]Heartbeat {
	out := map[string]Heartbeat{
		"sender":    {b.sender.LastLoop(), time.Minute},
		"scheduler": {b.schedAlive.get(), b.opts.ScheduleEvery},
	}
	out["updates"] = Heartbeat{b.poll.LastTurn(), time.Duration(b.opts.PollTimeout+15) * time.Second}
	out["dispatcher"] = Heartbeat{b.disp.LastTurn(), 5 * time.Second}
	return out
}

// TelegramOK is when the Bot API last answered.
func (b *Bot) TelegramOK() time.Time { return b.api.LastOK() }

// Stats are the bot's running totals, for metrics and /stats.
type Stats struct {
	// What the sender did.
	Sent, Failed, TooMany, Dropped, Deactivated, PlainFallbacks int64
	// Digests queued by the scheduler, and comments queued for followers; CopiesPassedBy
	// are copies not queued for followers far behind (storage.RelayComment).
	Digests, CommentsRelayed, CopiesPassedBy int64
	// UpdatesDropped: updates refused because their sender went over the rate or their
	// chat's queue was full.
	UpdatesDropped int64
	// WindowDropped: items a window cap left out of a digest run or a card (the oldest).
	WindowDropped int64
	// FilterBudgetHits: digests whose subscriber's filters ran out of time.
	FilterBudgetHits int64
	// StoryUpdates: updates of followed stories queued; OpenStories: stories that
	// still take reports.
	StoryUpdates, OpenStories int64
	// CardsBusy: cards refused because every composer stayed busy; BudgetRefusals:
	// requests refused because the reader's hour of page fetching or cards was spent.
	CardsBusy, BudgetRefusals int64
}

// Stats returns the bot's running totals.
func (b *Bot) Stats() Stats {
	s := &b.sender.Stats
	st := Stats{
		Sent: s.Sent.Load(), Failed: s.Failed.Load(), TooMany: s.TooMany.Load(), Dropped: s.Dropped.Load(),
		Deactivated: s.Deactivated.Load(), PlainFallbacks: s.PlainFallbacks.Load(),
		Digests: b.stats.digestsBuilt.get(), CommentsRelayed: b.stats.commentsRelayed.get(), CopiesPassedBy: b.stats.copiesPassedBy.get(),
		StoryUpdates: b.stats.storyUpdates.get(), BudgetRefusals: b.stats.budgetRefusals.get(),
	}
	ss := b.stories.Stats()
	st.WindowDropped, st.FilterBudgetHits, st.OpenStories, st.CardsBusy = ss.WindowDropped, ss.FilterBudgetHits, ss.OpenStories, ss.CardsBusy
	st.UpdatesDropped = b.disp.Dropped.Load()
	return st
}

func (b *Bot) setCommands(ctx context.Context) error {
	type cmd struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	var list []cmd
	for _, c := range b.cmds {
		if !c.hidden {
			list = append(list, cmd{c.name, c.desc})
		}
	}
	data, _ := json.Marshal(list)
	_, err := b.api.Call(ctx, "setMyCommands", map[string]string{"commands": string(data)})
	return err
}

// ---- outgoing messages ----

// keyboard renders rows of buttons as reply_markup.
func keyboard(rows [][]telegram.Button) string { return telegram.Keyboard(rows) }

// textParams are the parameters that show r in a chat: its HTML, no link previews,
// and its buttons.
func textParams(chatID int64, r Rendered) map[string]string {
	p := map[string]string{
		"chat_id":                  strconv.FormatInt(chatID, 10),
		"text":                     r.HTML,
		"parse_mode":               "HTML",
		"disable_web_page_preview": "true",
	}
	if kb := keyboard(r.Buttons); kb != "" {
		p["reply_markup"] = kb
	}
	return p
}

// message builds an outbox entry for one rendered message.
func message(chatID int64, thread int, r Rendered, rec *storage.MessageRecord) storage.OutMessage {
	p := textParams(chatID, r)
	if thread != 0 {
		p["message_thread_id"] = strconv.Itoa(thread)
	}
	return storage.OutMessage{ChatID: chatID, Method: "sendMessage", Params: p, Plain: r.Plain, Record: rec}
}

// edit builds an outbox entry that rewrites a sent message (chat, msg) to r; without
// buttons its keyboard goes.
func edit(chatID, msgID int64, r Rendered, class storage.MessageClass, rec *storage.MessageRecord) storage.OutMessage {
	p := textParams(chatID, r)
	p["message_id"] = strconv.FormatInt(msgID, 10)
	return storage.OutMessage{ChatID: chatID, Method: "editMessageText", Params: p, Plain: r.Plain, Class: class, Record: rec}
}

// say queues a short HTML reply (already escaped by the caller where needed).
func (b *Bot) say(ctx context.Context, chatID int64, thread int, html string, buttons ...[]telegram.Button) error {
	return b.send(ctx, chatID, thread, []Rendered{{HTML: html, Plain: stripTags(html), Buttons: buttons}}, nil)
}

func (b *Bot) send(ctx context.Context, chatID int64, thread int, parts []Rendered, rec func(Rendered) *storage.MessageRecord) error {
	var msgs []storage.OutMessage
	for _, r := range parts {
		var record *storage.MessageRecord
		if rec != nil {
			record = rec(r)
		}
		msgs = append(msgs, message(chatID, thread, r, record))
	}
	if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

// stripTags turns our own simple HTML back into text for the plain fallback.
func stripTags(s string) string {
	var out strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			out.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(out.String())
}

// answer answers a callback query right away (Telegram wants an answer for each).
func (b *Bot) answer(ctx context.Context, id, text string) {
	p := map[string]string{"callback_query_id": id}
	if text != "" {
		p["text"] = text
	}
	if _, err := b.api.Call(ctx, "answerCallbackQuery", p); err != nil {
		b.log.Warn("answerCallbackQuery failed", "error", err)
	}
}

// ---- digests ----

// timeStamp and counter are tiny concurrency-safe holders.
type timeStamp struct {
	mu sync.Mutex
	t  time.Time
}

func (t *timeStamp) set(v time.Time) { t.mu.Lock(); t.t = v; t.mu.Unlock() }
func (t *timeStamp) get() time.Time  { t.mu.Lock(); defer t.mu.Unlock(); return t.t }

type counter struct {
	mu sync.Mutex
	n  int64
}

func (c *counter) add(d int64) { c.mu.Lock(); c.n += d; c.mu.Unlock() }
func (c *counter) get() int64  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }
