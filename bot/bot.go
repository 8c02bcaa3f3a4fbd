package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// Fetcher is the SSRF-safe fetcher the bot uses for URLs users send.
type Fetcher interface {
	Fetch(ctx context.Context, req feed.Request) (*feed.Response, error)
	FetchArticle(ctx context.Context, pageURL string) (feed.Article, error)
}

// Options configure the bot.
type Options struct {
	APIURL string
	Token  string
	Admins []int64
	// Catalogue is the built-in feed list users pick from.
	Catalogue []string
	// DefaultTimes and DefaultZone apply to new subscribers.
	DefaultTimes []string
	DefaultZone  string
	MaxOwnFeeds  int
	// Sender limits (zero: Telegram's documented limits).
	Send SenderOptions
	// ScheduleEvery is how often due digests are looked for (default 20s).
	ScheduleEvery time.Duration
	// PollTimeout is the getUpdates long-poll timeout in seconds (default 25).
	PollTimeout int
	// CommandRate and SummaryRate limit each user (per second; bursts of 10 and 3).
	CommandRate float64
	SummaryRate float64
	// NewUserLinkBan refuses links in comments from users first seen less than a day ago.
	NewUserLinkBan bool
	// APITimeout bounds one Bot API call (default 30s).
	APITimeout time.Duration
	// UpdateLatency, if set, observes how long each update took to handle.
	UpdateLatency func(time.Duration)
	Logger        *slog.Logger
	Now           func() time.Time
}

// Bot is the running Telegram bot.
type Bot struct {
	opts   Options
	db     *storage.DB
	fetch  Fetcher
	api    *Client
	sender *Sender
	log    *slog.Logger
	cmds   []command

	disp *dispatcher
	poll *poller

	mu       sync.Mutex
	limiters map[int64]*userLimits
	runMu    sync.Mutex // one digest run at a time

	schedAlive   timeStamp
	digestsBuilt counter
	comRelayed   counter
	comments     commentLimits
}

type userLimits struct {
	commands, summaries *rate.Limiter
	warned              time.Time
}

// New connects to the Bot API (checking the token with getMe). ctx bounds every Bot
// API call the bot makes, sends included; the update long poll follows Run's context
// instead. Give New a context that outlives Run and cancel it only after a shutdown
// deadline: a send cut off in flight may have reached Telegram but is not recorded,
// so it is sent again after a restart.
func New(ctx context.Context, db *storage.DB, fetch Fetcher, opts Options) (*Bot, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.DefaultTimes) == 0 {
		opts.DefaultTimes = []string{"08:00"}
	}
	if opts.DefaultZone == "" {
		opts.DefaultZone = "UTC"
	}
	if opts.MaxOwnFeeds <= 0 {
		opts.MaxOwnFeeds = 20
	}
	if opts.ScheduleEvery <= 0 {
		opts.ScheduleEvery = 20 * time.Second
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 25
	}
	if opts.CommandRate <= 0 {
		opts.CommandRate = 1
	}
	if opts.SummaryRate <= 0 {
		opts.SummaryRate = 0.2
	}
	if opts.Send.Logger == nil {
		opts.Send.Logger = opts.Logger
	}
	if opts.APITimeout <= 0 {
		opts.APITimeout = 30 * time.Second
	}
	api, err := NewClient(ctx, opts.APIURL, opts.Token, opts.APITimeout)
	if err != nil {
		return nil, fmt.Errorf("connect to Telegram: %w", err)
	}
	b := &Bot{opts: opts, db: db, fetch: fetch, api: api, log: opts.Logger,
		limiters: map[int64]*userLimits{}}
	b.sender = NewSender(db, api, opts.Send)
	b.cmds = commandList()
	return b, nil
}

// Sender exposes the outbox sender (for metrics).
func (b *Bot) Sender() *Sender { return b.sender }

// Username is the bot's @username.
func (b *Bot) Username() string { return b.api.Username() }

// Run registers the command list and runs the update loop, the dispatcher, the
// scheduler and the sender until ctx ends. In-flight work finishes before it returns.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.setCommands(); err != nil {
		b.log.Warn("setMyCommands failed", "error", err)
	}
	b.disp = &dispatcher{store: b.db, handle: b.handle, log: b.log, workers: 8, wake: make(chan struct{}, 1), latency: b.opts.UpdateLatency}
	pollAPI := b.api.WithContext(ctx, time.Duration(b.opts.PollTimeout+15)*time.Second)
	b.poll = &poller{store: b.db, api: pollAPI, log: b.log, timeout: b.opts.PollTimeout, notify: b.disp.notify}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.poll.run(ctx) })
	g.Go(func() error { return b.disp.run(ctx) })
	g.Go(func() error { return b.sender.Run(ctx) })
	g.Go(func() error { return b.schedule(ctx) })
	err := g.Wait()
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
	if b.poll != nil {
		out["updates"] = Heartbeat{time.Unix(0, b.poll.alive.Load()), time.Duration(b.opts.PollTimeout+15) * time.Second}
		out["dispatcher"] = Heartbeat{time.Unix(0, b.disp.alive.Load()), 5 * time.Second}
	}
	return out
}

// TelegramOK is when the Bot API last answered.
func (b *Bot) TelegramOK() time.Time { return b.api.LastOK() }

// Counters are the bot's running totals, for metrics.
func (b *Bot) Counters() map[string]int64 {
	s := &b.sender.Stats
	return map[string]int64{
		"sent": s.Sent.Load(), "failed": s.Failed.Load(), "too_many": s.TooMany.Load(), "dropped": s.Dropped.Load(),
		"deactivated": s.Deactivated.Load(), "plain_fallbacks": s.PlainFallbacks.Load(),
		"digests": b.digestsBuilt.get(), "comments_relayed": b.comRelayed.get(),
	}
}

func (b *Bot) setCommands() error {
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
	_, err := b.api.Call("setMyCommands", map[string]string{"commands": string(data)})
	return err
}

// ---- outgoing messages ----

func keyboard(rows [][]Button) string {
	type btn struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data,omitempty"`
		URL          string `json:"url,omitempty"`
	}
	var kb [][]btn
	for _, row := range rows {
		var r []btn
		for _, b := range row {
			if b.Data != "" && len(b.Data) > maxCallback {
				continue
			}
			r = append(r, btn{b.Text, b.Data, b.URL})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return ""
	}
	data, _ := json.Marshal(map[string]any{"inline_keyboard": kb})
	return string(data)
}

// message builds an outbox entry for one rendered message.
func message(chatID int64, thread int, r Rendered, rec *storage.MessageRecord) storage.OutMessage {
	p := map[string]string{
		"chat_id":                  strconv.FormatInt(chatID, 10),
		"text":                     r.HTML,
		"parse_mode":               "HTML",
		"disable_web_page_preview": "true",
	}
	if kb := keyboard(r.Buttons); kb != "" {
		p["reply_markup"] = kb
	}
	if thread != 0 {
		p["message_thread_id"] = strconv.Itoa(thread)
	}
	return storage.OutMessage{ChatID: chatID, Method: "sendMessage", Params: p, Plain: r.Plain, Record: rec}
}

// say queues a short HTML reply (already escaped by the caller where needed).
func (b *Bot) say(ctx context.Context, chatID int64, thread int, html string, buttons ...[]Button) error {
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
func (b *Bot) answer(id, text string) {
	p := map[string]string{"callback_query_id": id}
	if text != "" {
		p["text"] = text
	}
	if _, err := b.api.Call("answerCallbackQuery", p); err != nil {
		b.log.Warn("answerCallbackQuery failed", "error", err)
	}
}

// ---- digests ----

func toDigestItem(it storage.Item) digest.Item {
	return digest.Item{ID: it.ID, Title: it.Title, Text: it.Text, URL: it.URL, Source: it.FeedTitle,
		FeedURL: it.FeedURL, Published: it.Published, Lang: it.Language}
}

// digestRun holds what a scheduler pass shares between subscribers.
type digestRun struct {
	since    time.Time
	items    []storage.Item
	composer *digest.Composer
}

// prepareRun loads items added since from and groups them once.
func (b *Bot) prepareRun(ctx context.Context, from time.Time) (*digestRun, error) {
	items, err := b.db.ItemsAddedSince(ctx, from, 5000)
	if err != nil {
		return nil, err
	}
	earlier, err := b.db.ItemsAddedSince(ctx, from.Add(-30*24*time.Hour), 3000)
	if err != nil {
		return nil, err
	}
	var pool, before []digest.Item
	for _, it := range items {
		pool = append(pool, toDigestItem(it))
	}
	for _, it := range earlier {
		if it.Added.Before(from) {
			before = append(before, toDigestItem(it))
		}
	}
	return &digestRun{since: from, items: items, composer: digest.NewComposer(pool, before)}, nil
}

// subscriberFeeds is the set of feeds a subscriber reads.
func (b *Bot) subscriberFeeds(s storage.Subscriber) []string {
	feeds := s.Feeds
	if len(feeds) == 0 {
		feeds = b.opts.Catalogue
	}
	return append(append([]string{}, feeds...), s.OwnFeeds...)
}

// buildDigest composes and renders a subscriber's digest from the run's items newer
// than their last digest.
func (b *Bot) buildDigest(s storage.Subscriber, run *digestRun, now time.Time) ([]storage.OutMessage, error) {
	since := s.LastDigest
	if since.IsZero() {
		since = now.Add(-24 * time.Hour)
	}
	var items []digest.Item
	for _, it := range run.items {
		if !it.Added.Before(since) {
			items = append(items, toDigestItem(it))
		}
	}
	var received []digest.Item
	if ids, err := b.db.ReceivedItems(context.Background(), s.ChatID); err == nil {
		for _, id := range ids {
			if it, err := b.db.Item(context.Background(), id); err == nil && now.Sub(it.Added) < 72*time.Hour {
				received = append(received, toDigestItem(it))
			}
		}
	}
	d, err := run.composer.Compose(items, digest.Preferences{
		Feeds: b.subscriberFeeds(s), OwnFeeds: s.OwnFeeds, Include: s.Include, Exclude: s.Exclude,
		MaxStories: s.Stories, SummarySentences: s.SummarySentences, Received: received,
	}, now)
	if err != nil {
		return nil, err
	}
	parts := RenderDigest(d, now.In(zone(s.TimeZone)))
	var msgs []storage.OutMessage
	for _, r := range parts {
		msgs = append(msgs, message(s.ChatID, s.ThreadID, r, &storage.MessageRecord{Kind: "digest", Items: r.Items, First: r.First}))
	}
	return msgs, nil
}

// schedule finds due subscribers through the time index and queues their digests.
func (b *Bot) schedule(ctx context.Context) error {
	t := time.NewTicker(b.opts.ScheduleEvery)
	defer t.Stop()
	for {
		b.schedAlive.set(time.Now())
		if err := b.RunDue(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("digest run failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunDue queues the digests of every subscriber due now. Each subscriber's digest and
// the move of their schedule are one transaction, so a crash mid-run neither loses
// nor repeats a digest.
func (b *Bot) RunDue(ctx context.Context) error {
	b.runMu.Lock()
	defer b.runMu.Unlock()
	now := b.opts.Now()
	var run *digestRun
	sent, empty := 0, 0
	for {
		due, err := b.db.DueSubscribers(ctx, now, 500)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			break
		}
		if run == nil {
			oldest := now.Add(-24 * time.Hour)
			for _, s := range due {
				if !s.LastDigest.IsZero() && s.LastDigest.Before(oldest) {
					oldest = s.LastDigest
				}
			}
			if run, err = b.prepareRun(ctx, oldest); err != nil {
				return err
			}
		}
		for _, s := range due {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			msgs, err := b.buildDigest(s, run, now)
			if err != nil {
				b.log.Error("building a digest failed", "chat", s.ChatID, "error", err)
			}
			next := NextDigest(s.Times, s.TimeZone, now)
			last := now
			if len(msgs) == 0 {
				empty++
				last = s.LastDigest // nothing new: keep collecting from the same point
			} else {
				sent++
			}
			if err := b.db.CommitDigest(ctx, s.ChatID, msgs, s.LastDigest, last, next); err != nil {
				if errors.Is(err, storage.ErrConflict) {
					continue // a concurrent run or /digest already handled this chat
				}
				return err
			}
		}
		b.sender.Wake()
	}
	if sent+empty > 0 {
		b.digestsBuilt.add(int64(sent))
		b.log.Info("digest run", "queued", sent, "empty", empty)
	}
	return nil
}

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
