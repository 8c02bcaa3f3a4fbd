package feed

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/storage"
)

// Store is what the poller needs from storage.
type Store interface {
	Feed(ctx context.Context, url string) (storage.Feed, error)
	UpdateFeed(ctx context.Context, f storage.Feed) error
	DueFeeds(ctx context.Context, now time.Time, limit int) ([]storage.Feed, error)
	NextDue(ctx context.Context) (time.Time, bool, error)
	HasItemKeys(ctx context.Context, feedURL string, keys []string) ([]bool, error)
	AddItems(ctx context.Context, feedURL string, items []storage.Item, now time.Time) ([]storage.Item, error)
	FeedAccountsUsage(ctx context.Context, url, day string) (map[int64]storage.FeedUsage, error)
	FeedsAccountsUsage(ctx context.Context, urls []string, day string) (map[string]map[int64]storage.FeedUsage, error)
	ChargeAccounts(ctx context.Context, accounts []int64, use storage.FeedUsage) error
	ChargeEach(ctx context.Context, uses map[int64]storage.FeedUsage) error
	DeferFeed(ctx context.Context, url string, accounts []int64, until time.Time) (bool, error)
}

// PollerOptions configures a Poller. Zero values take the documented defaults.
type PollerOptions struct {
	Interval    time.Duration // default 15m
	MaxBackoff  time.Duration // cap for error backoff and for any next-poll delay; default 24h
	Concurrency int           // feeds fetched at once; default 16
	PerHost     int           // feeds fetched at once from one host; default 2
	BrokenAfter int           // error streak that marks a feed broken; default 10
	// FullTextMinWords: items whose text is shorter get their page fetched and
	// extracted; default 150, negative disables.
	FullTextMinWords int
	// MaxFullTextPerPoll bounds page fetches per feed per poll, so a feed that dumps a
	// hundred teasers cannot stall its worker; default 20.
	MaxFullTextPerPoll int
	// MaxPageTimePerPoll bounds the time a feed's poll spends fetching article pages;
	// the teasers left then are stored as they are; default 1m. Twenty pages that
	// never answer held a worker for ten minutes.
	MaxPageTimePerPoll time.Duration
	// MaxNewItemsPerPoll bounds the new items stored per feed per poll, newest first, so
	// a feed that mints fresh items on every poll cannot flood the store; default 200.
	MaxNewItemsPerPoll int
	// MaxReaderItemsPerDay bounds the items a reader's feed (not the operator's) stores
	// per UTC day; default 1,000.
	MaxReaderItemsPerDay int
	// MaxReaderBytesPerDay bounds the text a reader's feed stores per UTC day (titles,
	// texts and links), newest items first; default 10 MiB. A busy news feed stores a
	// few MB a day; without it, 1,000 items of 100,000 characters were 200 MB.
	MaxReaderBytesPerDay int64
	// MaxReaderPagesPerDay bounds the article pages fetched for a reader's feed per UTC
	// day; default 200. A page costs up to 4 MiB read and parsed, so the per-poll bound
	// alone let a feed of fresh teasers cost minutes of CPU a day.
	MaxReaderPagesPerDay int
	// MaxUserItemsPerDay, MaxUserBytesPerDay and MaxUserPagesPerDay bound the same for
	// all the feeds one user added together, in their own chat and in groups (each
	// reader who added a feed is charged what it stores); defaults 2,000 items, 20 MiB
	// and 400 pages. Without them a reader's 20 feeds stored 20 times the per-feed
	// allowance, every group they run as much again, and removing and re-adding a feed
	// started its day afresh.
	MaxUserItemsPerDay int
	MaxUserBytesPerDay int64
	MaxUserPagesPerDay int
	// MaxUserPollTimePerDay bounds the time the feeds one user added may hold a worker
	// per UTC day, fetching, reading and storing the feeds (pages apart), counted by
	// Run; default 1h. Twenty feeds polled every 15 minutes at a second each take 32
	// minutes. Without it a feed that trickles its body to just under the fetch timeout
	// cost nothing the other allowances count, and kept perOwner workers busy all day
	// (found by review). A user's feeds that used it wait for the next UTC day.
	MaxUserPollTimePerDay time.Duration
	// MaxReaderPageTimePerDay and MaxUserPageTimePerDay bound the time article pages
	// take for one reader's feed, and for all the feeds one user added, per UTC day;
	// defaults 10 and 40 minutes (at a second a page, the page counts above take 3 and
	// 7; the user's is four feeds' worth, so links in a few feeds cannot use it up).
	// Page time is counted apart from polling time because whoever writes a feed
	// chooses its links: a stranger linking slow pages from a feed a reader follows
	// used up the reader's polling time and stopped all their feeds (found by
	// review). Used up, it costs only full texts: the items keep the feed's text.
	MaxReaderPageTimePerDay time.Duration
	MaxUserPageTimePerDay   time.Duration
	// ReaderPageTimeout is the most a page for a reader's feed may take; default 10s
	// (the fetch timeout, 30 s, was a stranger's hanging link's price before). The page
	// time allowances bound what a feed's slow links cost in all.
	ReaderPageTimeout time.Duration
	// DutyFactor spaces a slow reader's feed's polls: a poll that took t (less its
	// pages and its waits for other polls) is followed by at least DutyFactor×t;
	// default 100, so no reader's feed holds a worker for more than 1% of the day (a
	// feed taking 30 s, its fetch timeout, is polled every 50 minutes, 14 minutes a
	// day). Fast feeds keep their interval: below 9 s a poll, 15 minutes is longer. It
	// bounds what a slow feed costs its readers' polling time (found by review). The
	// operator's feeds keep their interval: their news must not wait.
	DutyFactor float64
	// CycleEvery is how long Run lets finished polls wait for onCycle while others are
	// still running; default 30s.
	CycleEvery time.Duration
	// Jitter spreads next polls by up to this fraction of the delay; default 0.1.
	Jitter float64
	Now    func() time.Time
	Logger *slog.Logger
	// OnResult, if set, is called after each feed (for progress display).
	OnResult func(Result)
}

// Poller polls due feeds and stores their new items.
type Poller struct {
	store   Store
	fetcher *Fetcher
	opts    PollerOptions

	mu    sync.Mutex
	hosts map[string]*hostSlot // in use only: an entry goes when its last fetch ends
	last  atomic.Int64         // unix nanos of the last Run turn

	itemsCapped, pagesCapped, feedsDeferred atomic.Int64
	ledger                                  *ledger
}

// PollerStats are the poller's running totals of what its per-feed budgets left out.
type PollerStats struct {
	// ItemsCapped: new items not stored because their feed brought more than
	// MaxNewItemsPerPoll in one poll (the oldest are the ones left out).
	ItemsCapped int64
	// PagesCapped: teasers kept as they are because their feed's page fetches for the
	// poll were used up.
	PagesCapped int64
	// FeedsDeferred: readers' feeds put off to the next UTC day because every reader
	// who added them used up the day's polling time.
	FeedsDeferred int64
}

// Stats returns the poller's running totals.
func (p *Poller) Stats() PollerStats {
	return PollerStats{ItemsCapped: p.itemsCapped.Load(), PagesCapped: p.pagesCapped.Load(), FeedsDeferred: p.feedsDeferred.Load()}
}

// LastCycle is when Run last started a cycle (for readiness checks).
func (p *Poller) LastCycle() time.Time { return time.Unix(0, p.last.Load()) }

// Result is the outcome of polling one feed.
type Result struct {
	URL      string `json:"url"`
	Status   string `json:"status"` // "ok", "not_modified" or "error"
	NewItems int    `json:"new_items"`
	// Skipped counts new items left out by the per-poll cap (the oldest).
	Skipped  int       `json:"skipped_items,omitempty"`
	Error    string    `json:"error"`
	Err      error     `json:"-"`
	NextPoll time.Time `json:"-"`
	// cost is the time the poll held its worker, less its article pages (charged
	// apart) and its waits for other polls (host slots, the parse budget): what its
	// readers are charged as polling time.
	cost time.Duration
}

// Result statuses.
const (
	StatusOK          = "ok"
	StatusNotModified = "not_modified"
	StatusError       = "error"
)

// WithDefaults fills the zero fields of o with the defaults (the same as config.Default).
func (o PollerOptions) WithDefaults() PollerOptions {
	if o.Interval <= 0 {
		o.Interval = 15 * time.Minute
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 24 * time.Hour
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.BrokenAfter <= 0 {
		o.BrokenAfter = 10
	}
	if o.FullTextMinWords == 0 {
		o.FullTextMinWords = 150
	}
	if o.MaxFullTextPerPoll == 0 {
		o.MaxFullTextPerPoll = 20
	}
	if o.MaxPageTimePerPoll <= 0 {
		o.MaxPageTimePerPoll = time.Minute
	}
	if o.MaxNewItemsPerPoll <= 0 {
		o.MaxNewItemsPerPoll = 200
	}
	if o.MaxReaderItemsPerDay <= 0 {
		o.MaxReaderItemsPerDay = 1000
	}
	if o.MaxReaderBytesPerDay <= 0 {
		o.MaxReaderBytesPerDay = 10 << 20
	}
	if o.MaxReaderPagesPerDay <= 0 {
		o.MaxReaderPagesPerDay = 200
	}
	if o.MaxUserItemsPerDay <= 0 {
		o.MaxUserItemsPerDay = 2000
	}
	if o.MaxUserBytesPerDay <= 0 {
		o.MaxUserBytesPerDay = 20 << 20
	}
	if o.MaxUserPagesPerDay <= 0 {
		o.MaxUserPagesPerDay = 400
	}
	if o.MaxUserPollTimePerDay <= 0 {
		o.MaxUserPollTimePerDay = time.Hour
	}
	if o.MaxReaderPageTimePerDay <= 0 {
		o.MaxReaderPageTimePerDay = 10 * time.Minute
	}
	if o.MaxUserPageTimePerDay <= 0 {
		o.MaxUserPageTimePerDay = 40 * time.Minute
	}
	if o.ReaderPageTimeout <= 0 {
		o.ReaderPageTimeout = 10 * time.Second
	}
	if o.DutyFactor <= 0 {
		o.DutyFactor = 100
	}
	if o.CycleEvery <= 0 {
		o.CycleEvery = 30 * time.Second
	}
	if o.Jitter == 0 {
		o.Jitter = 0.1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// NewPoller builds a Poller.
func NewPoller(store Store, fetcher *Fetcher, opts PollerOptions) *Poller {
	opts = opts.WithDefaults()
	return &Poller{store: store, fetcher: fetcher, opts: opts, hosts: map[string]*hostSlot{},
		ledger: &ledger{limit: storage.FeedUsage{Items: opts.MaxUserItemsPerDay, Bytes: opts.MaxUserBytesPerDay, Pages: opts.MaxUserPagesPerDay,
			PageTime: opts.MaxUserPageTimePerDay}}}
}

// PollDue polls every feed that is due now.
func (p *Poller) PollDue(ctx context.Context) ([]Result, error) {
	feeds, err := p.store.DueFeeds(ctx, p.opts.Now(), 0)
	if err != nil {
		return nil, fmt.Errorf("poll due feeds: %w", err)
	}
	return p.PollFeeds(ctx, feeds), nil
}

// cycleCaught runs onCycle (the story service's follow-up of new reports: their text
// is whoever wrote the feeds') and logs a panic in it instead of ending the process;
// the next cycle runs as usual.
func (p *Poller) cycleCaught(onCycle func([]Result), rs []Result) {
	defer func() {
		if r := recover(); r != nil {
			p.opts.Logger.Error("the poll cycle's follow-up panicked", "panic", fmt.Sprint(r), "stack", panics.Recovered("poll follow-up"))
		}
	}()
	onCycle(rs)
}

// PollFeeds polls the given feeds with bounded global and per-host concurrency and
// returns one result per feed, in input order.
func (p *Poller) PollFeeds(ctx context.Context, feeds []storage.Feed) []Result {
	results := make([]Result, len(feeds))
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := min(p.opts.Concurrency, len(feeds))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = p.pollOne(ctx, feeds[i])
				if p.opts.OnResult != nil {
					p.opts.OnResult(results[i])
				}
			}
		}()
	}
	for i := range feeds {
		select {
		case jobs <- i:
		case <-ctx.Done():
			for j := i; j < len(feeds); j++ {
				results[j] = Result{URL: feeds[j].URL, Status: StatusError, Err: ctx.Err(), Error: ctx.Err().Error()}
			}
			close(jobs)
			wg.Wait()
			return results
		}
	}
	close(jobs)
	wg.Wait()
	return results
}

// hostSlot is the per-host limit of one host, and how many fetches hold or wait for it.
type hostSlot struct {
	ch    chan struct{}
	users int
}

// hostOf is the host a URL's fetches count against, as DNS reads it ("A.example.com."
// and "a.example.com" are one host).
func hostOf(rawURL string) string {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Hostname()
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

func (p *Poller) hostSlot(host string) *hostSlot {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.hosts[host]
	if !ok {
		h = &hostSlot{ch: make(chan struct{}, p.opts.PerHost)}
		p.hosts[host] = h
	}
	h.users++
	return h
}

func (p *Poller) leaveHostSlot(host string, h *hostSlot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.users--; h.users == 0 {
		delete(p.hosts, host)
	}
}

// fetchLimited is Fetch under the per-host limit.
func (p *Poller) fetchLimited(ctx context.Context, req Request) (*Response, error) {
	host := hostOf(req.URL)
	slot := p.hostSlot(host)
	defer p.leaveHostSlot(host, slot)
	asked := time.Now()
	meter := meterOf(ctx)
	select {
	case slot.ch <- struct{}{}:
	case <-ctx.Done():
		meter.waited(time.Since(asked))
		return nil, &FetchError{Kind: KindNetwork, URL: req.URL, Err: ctx.Err()}
	}
	meter.waited(time.Since(asked))
	defer func() { <-slot.ch }()
	return p.fetcher.Fetch(ctx, req)
}

// pollMeter, in a poll's context, splits the time the poll takes: its waits for what
// other polls hold (host slots, the parse budget) are not its cost (found by review: a
// hostile reader's pages holding a shared host's slots were charged to the honest
// reader waiting), and its article pages are counted apart (PageTime).
type pollMeter struct {
	waits, pages atomic.Int64 // nanoseconds
}

type pollMeterKey struct{}

func meterOf(ctx context.Context) *pollMeter {
	m, _ := ctx.Value(pollMeterKey{}).(*pollMeter)
	return m
}

func (m *pollMeter) waited(d time.Duration) {
	if m != nil {
		m.waits.Add(int64(d))
	}
}

func (m *pollMeter) waitsSoFar() time.Duration {
	if m == nil {
		return 0
	}
	return time.Duration(m.waits.Load())
}

// hostFull reports whether every fetch slot of host is taken, by feeds or pages.
func (p *Poller) hostFull(host string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.hosts[host]
	return ok && len(h.ch) >= cap(h.ch)
}

func (p *Poller) pollOne(ctx context.Context, f storage.Feed) (res Result) {
	began := time.Now()
	meter := &pollMeter{}
	ctx = context.WithValue(ctx, pollMeterKey{}, meter)
	// cost is what the poll took so far, less its waits for hosts and its pages;
	// DutyFactor times it is a floor on the feed's next delay.
	cost := func() time.Duration {
		return max(0, time.Since(began)-time.Duration(meter.waits.Load()+meter.pages.Load()))
	}
	spacing := func() time.Duration {
		if f.Operator() {
			return 0
		}
		return time.Duration(float64(cost()) * p.opts.DutyFactor)
	}
	defer func() { res.cost = cost() }()
	res = Result{URL: f.URL}
	now := p.opts.Now()
	f.LastPoll, f.Deferred = now, false
	resp, err := p.fetchLimited(ctx, Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified})
	var parsed *Parsed
	if err == nil && !resp.NotModified {
		parsed, err = ParseResponse(ctx, resp)
		if err != nil {
			err = &FetchError{Kind: KindParse, URL: f.URL, Err: err}
		}
	}
	if err != nil {
		retry := spacing()
		var fe *FetchError
		if errors.As(err, &fe) {
			retry = max(retry, fe.RetryAfter)
		}
		p.recordError(ctx, &f, err, retry, now)
		res.Status, res.Err, res.Error, res.NextPoll = StatusError, err, err.Error(), f.NextPoll
		p.opts.Logger.Log(ctx, p.level(f, slog.LevelWarn), "feed poll failed", "feed", f.URL, "error", err, "streak", f.ErrorStreak, "next_poll", f.NextPoll)
		return res
	}

	var ttl time.Duration
	if resp.NotModified {
		res.Status = StatusNotModified
	} else {
		res.Status = StatusOK
		ttl = parsed.TTL
		if parsed.Title != "" {
			f.Title = parsed.Title
		}
		if parsed.ReusedGUIDs && !f.GUIDsUnreliable {
			f.GUIDsUnreliable = true
			p.opts.Logger.Log(ctx, p.level(f, slog.LevelInfo), "feed reuses GUIDs; keying its items by link", "feed", f.URL)
		}
		added, skipped, err := p.storeEntriesCaught(ctx, &f, parsed.Items)
		if err != nil {
			// The old validators stay: the next poll must fetch the body again rather
			// than get a 304 for items that were never stored.
			p.recordError(ctx, &f, err, 0, now)
			res.Status, res.Err, res.Error, res.NextPoll = StatusError, err, err.Error(), f.NextPoll
			p.opts.Logger.Log(ctx, p.level(f, slog.LevelError), "storing items failed", "feed", f.URL, "error", err)
			return res
		}
		res.NewItems, res.Skipped = added, skipped
		// A server that stops sending a validator must not keep getting the old one.
		f.ETag, f.LastModified = validator(resp.ETag), validator(resp.LastModified)
		f.Listed = listed(f, parsed.Items)
		if skipped > 0 {
			// Items were left for a later poll (its cap, or the day's): a 304 must not
			// hide them then.
			f.ETag, f.LastModified = "", ""
		}
	}
	f.LastSuccess = now
	f.ErrorStreak, f.LastError, f.Broken = 0, "", false
	f.NextPoll = now.Add(p.nextDelay(ttl, resp.MaxAge, resp.RetryAfter, spacing()))
	res.NextPoll = f.NextPoll
	if err := p.store.UpdateFeed(ctx, f); err != nil {
		res.Status, res.Err, res.Error = StatusError, err, err.Error()
	}
	return res
}

// level is the log level for a line that names feed f: a reader's feed URL is the
// reader's text, so only the operator's feeds are named above debug level.
func (p *Poller) level(f storage.Feed, want slog.Level) slog.Level {
	if f.Operator() {
		return want
	}
	return slog.LevelDebug
}

// nextDelay is max(interval, TTL, max-age, Retry-After), capped, plus jitter.
func (p *Poller) nextDelay(durations ...time.Duration) time.Duration {
	d := p.opts.Interval
	for _, x := range durations {
		d = max(d, x)
	}
	d = min(d, p.opts.MaxBackoff)
	return d + p.jitter(d)
}

func (p *Poller) jitter(d time.Duration) time.Duration {
	span := time.Duration(float64(d) * p.opts.Jitter)
	if span <= 0 {
		return 0
	}
	return rand.N(span)
}

// listed is what a feed's record keeps of how many entries its document listed (its
// dedup keys are kept for twice that): the distinct entries, not the entries (review
// 87: 99,990 copies of one entry kept 200,000 keys), and a shorter listing lowers it by
// an eighth a poll at most, so one short document (a maintenance page, a cut-off
// response) does not let the keys of entries the feed still lists go (review 87).
func listed(f storage.Feed, entries []Entry) int {
	keys := make(map[string]bool, len(entries))
	for _, e := range entries {
		keys[e.DedupKey(f.GUIDsUnreliable)] = true
	}
	return max(len(keys), f.Listed-f.Listed/8)
}

// maxValidatorBytes bounds an ETag or Last-Modified kept for the next poll: the feed's
// server chooses them, and one of 60 KiB made the feed's record 120 KB, rewritten at
// every poll (review 86). A longer one is not kept: the next poll fetches the body.
const maxValidatorBytes = 256

// validator is v if short enough to keep, else empty.
func validator(v string) string {
	if len(v) > maxValidatorBytes {
		return ""
	}
	return v
}

// recordError stores the error on the feed with exponential backoff.
func (p *Poller) recordError(ctx context.Context, f *storage.Feed, err error, retryAfter time.Duration, now time.Time) {
	f.ErrorStreak++
	f.LastError = clipBytes(err.Error(), 500) // it may quote what the server sent
	if f.ErrorStreak >= p.opts.BrokenAfter {
		f.Broken = true
	}
	backoff := p.opts.Interval
	for i := 1; i < f.ErrorStreak && backoff < p.opts.MaxBackoff; i++ {
		backoff *= 2
	}
	backoff = min(max(backoff, retryAfter), p.opts.MaxBackoff)
	// Retry-After is a floor: jitter only ever adds.
	f.NextPoll = now.Add(backoff + p.jitter(backoff))
	if uerr := p.store.UpdateFeed(ctx, *f); uerr != nil {
		p.opts.Logger.Log(ctx, p.level(*f, slog.LevelError), "recording feed error failed", "feed", f.URL, "error", uerr)
	}
}

// storeEntries dedups entries against storage, keeps the newest MaxNewItemsPerPoll new
// ones, fetches full text for new teasers (newest first, within the page budget) and
// stores the new items in one transaction. It returns how many were new and stored, and
// how many new ones the cap left out.
// storeEntriesCaught is storeEntries, with a panic taken as its error: a feed's items
// are whatever its writer chose, polls run in goroutines of their own, and a panic
// ended the process, the feed due again at the next start (audit 62). Now the feed
// backs off, as from any failed poll.
func (p *Poller) storeEntriesCaught(ctx context.Context, f *storage.Feed, entries []Entry) (added, skipped int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store entries: panic: %v\n%s", r, panics.Recovered("store entries"))
		}
	}()
	return p.storeEntries(ctx, f, entries)
}

func (p *Poller) storeEntries(ctx context.Context, f *storage.Feed, entries []Entry) (int, int, error) {
	if len(entries) == 0 {
		return 0, 0, nil
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.DedupKey(f.GUIDsUnreliable)
	}
	have, err := p.store.HasItemKeys(ctx, f.URL, keys)
	if err != nil {
		return 0, 0, err
	}
	var fresh []int
	for i := range entries {
		if !have[i] {
			fresh = append(fresh, i)
		}
	}
	// Newest first; an undated entry keeps its place in the feed, which lists newest first.
	sort.SliceStable(fresh, func(a, b int) bool {
		pa, pb := entries[fresh[a]].Published, entries[fresh[b]].Published
		return !pa.IsZero() && !pb.IsZero() && pa.After(pb)
	})
	limit := p.opts.MaxNewItemsPerPoll
	day := p.opts.Now().UTC().Format("2006-01-02")
	var owners map[int64]storage.FeedUsage // a reader's feed: the accounts it is charged to
	if !f.Operator() {
		// A reader's feed has a daily allowance, and so have the readers who added it.
		if f.Day != day {
			f.Day, f.DayItems, f.DayBytes, f.DayPages, f.DayPageTime = day, 0, 0, 0, 0
		}
		limit = max(0, min(limit, p.opts.MaxReaderItemsPerDay-f.DayItems))
		if owners, err = p.store.FeedAccountsUsage(ctx, f.URL, day); err != nil {
			return 0, 0, err
		}
	}
	skipped := 0
	if len(fresh) > limit {
		skipped = len(fresh) - limit
		fresh = fresh[:limit]
		p.itemsCapped.Add(int64(skipped))
		p.opts.Logger.Log(ctx, p.level(*f, slog.LevelInfo), "a feed brought more new items than a poll (or its day) stores; the oldest were left out",
			"feed", f.URL, "stored", len(fresh), "left_out", skipped)
	}
	items := make([]storage.Item, 0, len(fresh))
	fullTextBudget := p.opts.MaxFullTextPerPoll
	if !f.Operator() {
		fullTextBudget = min(fullTextBudget, max(0, p.opts.MaxReaderPagesPerDay-f.DayPages))
	}
	var bytes int64
	granted := storage.FeedUsage{Day: day} // charged to the owners in the ledger so far
	// A panic before the refund below (storeEntriesCaught recovers it) gives back the
	// items and bytes granted and never stored: they drained the owners' day (review 64).
	settled := false
	defer func() {
		if !settled && len(owners) > 0 {
			p.ledger.refund(day, owners, storage.FeedUsage{Items: granted.Items, Bytes: granted.Bytes})
		}
	}()
	pageTime := p.opts.MaxPageTimePerPoll
	if !f.Operator() {
		pageTime = min(pageTime, p.opts.MaxReaderPageTimePerDay-f.DayPageTime)
	}
	if len(owners) > 0 {
		pageTime = min(pageTime, p.ledger.pageTimeLeft(day, owners))
	}
	if pageTime <= 0 {
		fullTextBudget = 0
	}
	pagesCtx, endPages := context.WithTimeout(ctx, max(pageTime, 0))
	defer endPages()
	meter := meterOf(ctx)
	var pagesTook time.Duration             // net of waits for hosts
	pageShares := map[int64]time.Duration{} // what each owner paid of it
	leaveOut := func(n int, msg string) {
		p.itemsCapped.Add(int64(len(fresh) - n))
		skipped += len(fresh) - n
		p.opts.Logger.Log(ctx, p.level(*f, slog.LevelInfo), msg, "feed", f.URL, "left_out", len(fresh)-n)
	}
	for n, i := range fresh {
		if !f.Operator() && f.DayBytes+bytes >= p.opts.MaxReaderBytesPerDay {
			// The feed's text for the day is used up: the older rest waits for tomorrow.
			leaveOut(n, "a reader's feed stored its day's text; the oldest new items were left out")
			break
		}
		e := entries[i]
		it := storage.Item{
			FeedURL: f.URL, FeedTitle: f.Title, Key: keys[i], GUID: e.GUID, URL: e.URL, Title: e.Title,
			Author: e.Author, Published: e.Published, Text: e.Text,
		}
		cost := itemBytes(it)
		if len(owners) > 0 {
			if !p.ledger.grant(day, owners, storage.FeedUsage{Items: 1, Bytes: cost}) {
				leaveOut(n, "the readers who added a feed used up their day's allowance; the oldest new items were left out")
				break
			}
			granted.Items++
			granted.Bytes += cost
		}
		if p.opts.FullTextMinWords > 0 && e.URL != "" && WordCount(e.Text) < p.opts.FullTextMinWords {
			if fullTextBudget <= 0 || pagesCtx.Err() != nil || len(owners) > 0 && !p.ledger.grant(day, owners, storage.FeedUsage{Pages: 1}) {
				p.pagesCapped.Add(1)
				fullTextBudget = 0
			} else {
				fullTextBudget--
				f.DayPages++
				granted.Pages++
				pageCtx, endPage := pagesCtx, func() {}
				if !f.Operator() {
					pageCtx, endPage = context.WithTimeout(pagesCtx, p.opts.ReaderPageTimeout)
				}
				asked, waitsBefore := time.Now(), meter.waitsSoFar()
				art, err := p.fetchArticle(pageCtx, e.URL)
				endPage()
				took := max(0, time.Since(asked)-(meter.waitsSoFar()-waitsBefore))
				pagesTook += took
				if meter != nil {
					meter.pages.Add(int64(took))
				}
				for a, share := range p.ledger.sharePageTime(day, owners, took) {
					pageShares[a] += share
				}
				if err != nil {
					// The teaser is still worth storing; the failure is only logged.
					p.opts.Logger.Debug("full text unavailable; keeping teaser", "feed", f.URL, "url", e.URL, "error", err)
				} else if WordCount(art.Text) > WordCount(e.Text) {
					full := it
					full.Teaser, full.Text, full.FullText, full.Language = e.Text, art.Text, true, art.Language
					if full.Author == "" {
						full.Author = art.Byline
					}
					// The item was granted on its feed text; the page's text needs room too,
					// or the item keeps its teaser.
					grown := itemBytes(full) - cost
					if len(owners) == 0 || p.ledger.grant(day, owners, storage.FeedUsage{Bytes: grown}) {
						it = full
						if len(owners) > 0 {
							granted.Bytes += grown
						}
					}
				}
			}
		}
		it.Words = WordCount(it.Text)
		bytes += itemBytes(it)
		items = append(items, it)
	}
	// Stored oldest first, so the newest get the highest IDs and come first in a window.
	slices.Reverse(items)
	added, err := p.store.AddItems(ctx, f.URL, items, p.opts.Now())
	settled = true
	use := storage.FeedUsage{Day: day, Items: len(added), Pages: granted.Pages}
	for _, it := range added {
		use.Bytes += itemBytes(it)
	}
	if len(owners) > 0 {
		// What was granted but not stored (a failed write, an item stored meanwhile by
		// another poll) is refunded; what was stored is recorded for the next start,
		// charged to the accounts it was granted on (a feed removed meanwhile has none),
		// even when the poller is being stopped.
		p.ledger.refund(day, owners, storage.FeedUsage{Items: granted.Items - use.Items, Bytes: granted.Bytes - use.Bytes})
		use.Day = p.ledger.counting(day)
		uses := make(map[int64]storage.FeedUsage, len(owners))
		for a := range owners {
			u := use
			u.PageTime = pageShares[a]
			uses[a] = u
		}
		if cerr := p.store.ChargeEach(context.WithoutCancel(ctx), uses); cerr != nil {
			// The items are stored and the ledger counts them; only a restart forgets. No
			// URL: a reader's feed is theirs to keep out of the log.
			p.opts.Logger.Error("recording a reader feed's use of the allowance failed", "error", cerr)
		}
	}
	if err != nil {
		return 0, 0, err
	}
	f.DayItems += use.Items
	f.DayBytes += use.Bytes
	if !f.Operator() {
		f.DayPageTime += pagesTook
	}
	return len(added), skipped, nil
}

// itemBytes is what an item costs the store, for the daily cap on readers' feeds: its
// record, which repeats its feed's address and title (review 76: a 30 KB address made
// 1,000 tiny items 161 MB, charged 3.9 KB), as the store's pages hold it, and its index
// keys (storage.ItemStoreBytes; review 84: 2,000 tiny items took 12.8 times their
// charge). Index keys name the feed and the key by fixed-length hashes (storage, schema
// 20): they do not grow with either.
//
// Counted as the record stores them, in JSON: a control character is written as six
// bytes (review 78: text of \u0001s grew the store six times what it was charged).
func itemBytes(it storage.Item) int64 {
	n := recordStructure
	for _, s := range []string{it.Title, it.Teaser, it.Text, it.URL, it.Author, it.GUID, it.FeedTitle, it.FeedURL, it.Key, it.Language} {
		n += jsonLen(s)
	}
	return storage.ItemStoreBytes(n)
}

// recordStructure is what an item's JSON record holds besides its text: field names,
// quotes, times and numbers (129 bytes with the fewest fields, and every optional
// field's name adds at most 15).
const recordStructure = 240

// jsonLen is the length of s as encoding/json writes it inside quotes, HTML left as it
// is (the store's encoder): controls are escaped, U+2028 and U+2029 too, and an
// invalid byte becomes U+FFFD.
func jsonLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n++
			case c < 0x20:
				n += 5
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 2
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		i += size
	}
	return n
}

func (p *Poller) fetchArticle(ctx context.Context, pageURL string) (Article, error) {
	resp, err := p.fetchLimited(ctx, Request{URL: pageURL, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		return Article{}, err
	}
	return ExtractArticleContext(ctx, resp.Body, resp.ContentType, resp.URL)
}

// logCycle logs what a batch of polls did.
func (p *Poller) logCycle(results []Result) {
	var ok, notMod, failed, items int
	for _, r := range results {
		switch r.Status {
		case StatusOK:
			ok++
		case StatusNotModified:
			notMod++
		default:
			failed++
		}
		items += r.NewItems
	}
	p.opts.Logger.Info("poll cycle", "feeds", len(results), "ok", ok, "not_modified", notMod,
		"failed", failed, "new_items", items)
}

// Run polls feeds as they fall due until ctx is cancelled. Feeds are polled each on
// its own, with no cycle to wait for: a slow feed holds up only itself. The
// operator's feeds and readers' feeds have workers of their own (half of Concurrency
// each, at least one), and a host with PerHost feeds in flight, or a reader with
// perOwner, gets no more until one ends (the dispatcher), so no reader's feeds can keep
// the catalogue, or every other reader, waiting (found by review: a reader's feeds of
// never-answering pages held every catalogue feed for 100 minutes; with a cycle that
// waited for them all). onCycle, if set, is called with the results
// that finished since its last call, on a goroutine of its own and one call at a time,
// so its work never delays a poll. The time each poll of a reader's feed takes is
// shared among the readers it was dispatched for (MaxUserPollTimePerDay).
func (p *Poller) Run(ctx context.Context, onCycle func([]Result)) error {
	const (
		// scanGap spaces the looks for due feeds: each reads every due feed, and polls
		// ending one after another must not make that quadratic. While due feeds wait
		// for a worker, or the earliest is in flight, they are looked for this often.
		scanGap = time.Second
	)
	d := newDispatcher(p)
	finished := make(chan Result)
	var polls sync.WaitGroup

	cycles := make(chan []Result)
	cycleDone := make(chan struct{})
	cycleIdle := true
	var cycler sync.WaitGroup
	if onCycle != nil {
		cycler.Add(1)
		go func() {
			defer cycler.Done()
			for rs := range cycles {
				p.cycleCaught(onCycle, rs)
				select {
				case cycleDone <- struct{}{}:
				case <-ctx.Done():
				}
			}
		}()
	}
	var pending []Result
	cycleEvery := p.opts.CycleEvery
	lastCycle := time.Now()
	deliver := func(force bool) {
		if len(pending) == 0 || !cycleIdle || !force && time.Since(lastCycle) < cycleEvery {
			return
		}
		p.logCycle(pending)
		if onCycle != nil {
			cycleIdle = false
			cycles <- pending // the cycler is idle, so this does not block
		}
		pending, lastCycle = nil, time.Now()
	}
	stop := func() error {
		polls.Wait() // every poll ends soon: they share ctx
		close(cycles)
		cycler.Wait()
		return ctx.Err()
	}

	var lastScan, nextScan time.Time
	for {
		if now := time.Now(); !now.Before(nextScan) {
			lastScan = now
			p.last.Store(now.UnixNano())
			waiting := d.dispatch(ctx, func(f storage.Feed, payers []int64) {
				polls.Add(1)
				go func() {
					defer polls.Done()
					r := p.pollOne(ctx, f)
					p.chargePollTime(ctx, f, payers, r.cost)
					if p.opts.OnResult != nil {
						p.opts.OnResult(r)
					}
					select {
					case finished <- r:
					case <-ctx.Done():
					}
				}()
			})
			sleep := p.opts.Interval
			if next, ok, err := p.store.NextDue(ctx); err == nil && ok {
				if until := next.Sub(p.opts.Now()); until > 0 || len(d.inFlight) == 0 && !waiting {
					sleep = min(sleep, until)
				} else {
					// The earliest waits for a worker or is in flight (still listed at its
					// old time); others may fall due behind it meanwhile.
					sleep = scanGap
				}
			}
			nextScan = now.Add(max(sleep, scanGap))
		}
		deliver(len(d.inFlight) == 0)

		wait := time.Until(nextScan)
		if len(pending) > 0 && cycleIdle {
			wait = min(wait, cycleEvery-time.Since(lastCycle))
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return stop()
		case r := <-finished:
			t.Stop()
			d.release(r.URL)
			pending = append(pending, r)
			// A worker is free: look again, a scan gap after the last look.
			nextScan = minTime(nextScan, lastScan.Add(scanGap))
		case <-cycleDone:
			t.Stop()
			cycleIdle = true
		case <-t.C:
		}
	}
}

// chargePollTime shares the time a poll of f took among the accounts it was dispatched
// for, before the dispatcher hears it ended, so that its next look counts it.
func (p *Poller) chargePollTime(ctx context.Context, f storage.Feed, payers []int64, took time.Duration) {
	if len(payers) == 0 || took <= 0 {
		return
	}
	day := p.ledger.counting(p.opts.Now().UTC().Format(time.DateOnly))
	share := took / time.Duration(len(payers))
	if err := p.store.ChargeAccounts(context.WithoutCancel(ctx), payers, storage.FeedUsage{Day: day, PollTime: share}); err != nil {
		p.opts.Logger.Log(ctx, p.level(f, slog.LevelError), "charging poll time failed", "feed", f.URL, "error", err)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// perOwner bounds the feeds charged to one account (a reader who added them) polled at
// once: a reader's many slow feeds, each on a host of its own, would otherwise fill the
// readers' workers (found by review).
const perOwner = 2

// dispatcher decides which due feeds Run starts: the operator's feeds and readers'
// feeds each have half the workers, and a host, or a reader, with enough feeds in
// flight gets no more until one ends.
type dispatcher struct {
	p        *Poller
	lanes    map[bool]int // by "is the operator's"
	busy     map[bool]int
	hosts    map[string]int
	owners   map[int64]int
	inFlight map[string]flight // by feed URL
}

// flight is what a poll in progress holds of the dispatcher's limits.
type flight struct {
	operator bool
	host     string
	owners   []int64 // the account whose feeds-in-flight it counts against (none for the operator's)
	payers   []int64 // the accounts its time is shared among: its adders with time left
}

func newDispatcher(p *Poller) *dispatcher {
	operatorLane := max(1, p.opts.Concurrency/2)
	return &dispatcher{p: p, lanes: map[bool]int{true: operatorLane, false: max(1, p.opts.Concurrency-operatorLane)},
		busy: map[bool]int{}, hosts: map[string]int{}, owners: map[int64]int{}, inFlight: map[string]flight{}}
}

// A readers' feed waiting for a worker goes by its due time put back rankDelay for
// every rankStep of polling time its readers used today. Steps, so that accounts new
// today (a Sybil's) go in due order with readers who used under a step, not each
// before them (found by review); put back, not ranked below, so that however many
// accounts used less, a reader's feed waits at most three times the time its readers
// used for feeds that fell due after it (found by review), while those that used more
// wait behind light readers' feeds due up to that much later.
const (
	rankStep  = 5 * time.Minute
	rankDelay = 15 * time.Minute
)

// dispatch starts (with start, given the accounts the poll's time is charged to) every due
// feed the limits allow and reports whether a due feed was left waiting for them. The
// operator's feeds go earliest due first; readers' feeds by their due time put back for
// the polling time their readers used today (rankDelay). A reader's feed whose adders
// all used up the day's polling time is put off to the next day instead.
func (d *dispatcher) dispatch(ctx context.Context, start func(f storage.Feed, payers []int64)) (waiting bool) {
	now := d.p.opts.Now()
	feeds, err := d.p.store.DueFeeds(ctx, now, 0)
	if err != nil && ctx.Err() == nil {
		d.p.opts.Logger.Error("looking for due feeds failed", "error", err)
	}
	var readers []storage.Feed
	for _, f := range feeds {
		if _, ok := d.inFlight[f.URL]; ok {
			continue
		}
		if !f.Operator() {
			if h := hostOf(f.URL); d.hosts[h] >= d.p.opts.PerHost || d.p.hostFull(h) {
				waiting = true // not worth reading who added it this time
			} else {
				readers = append(readers, f)
			}
			continue
		}
		if !d.admit(f, flight{operator: true, host: hostOf(f.URL)}, start) {
			waiting = true
		}
	}
	if len(readers) == 0 {
		return waiting
	}
	if d.busy[false] >= d.lanes[false] {
		return true // no worker to rank them for
	}
	day := d.p.ledger.counting(now.UTC().Format(time.DateOnly))
	usage, err := d.p.store.FeedsAccountsUsage(ctx, feedURLs(readers), day)
	if err != nil {
		d.p.opts.Logger.Warn("looking up who added readers' feeds failed; they wait", "error", err)
		return true
	}
	// A feed's due time, put back for the polling time the least-used of the accounts
	// it may be charged to (those with time left) used today. Page time is not counted:
	// a feed's links, and so its pages' time, are its writer's choice, not its
	// reader's (found by review).
	place := func(f storage.Feed) time.Time {
		least := time.Duration(-1)
		for _, u := range usage[f.URL] {
			if u.PollTime < d.p.opts.MaxUserPollTimePerDay && (least < 0 || u.PollTime < least) {
				least = u.PollTime
			}
		}
		return f.NextPoll.Add(max(least, 0) / rankStep * rankDelay)
	}
	rank := make(map[string]time.Time, len(readers))
	for _, f := range readers {
		rank[f.URL] = place(f)
	}
	slices.SortStableFunc(readers, func(a, b storage.Feed) int { return rank[a.URL].Compare(rank[b.URL]) })
	for _, f := range readers {
		if _, ok := d.inFlight[f.URL]; ok {
			continue // listed twice
		}
		fl := flight{host: hostOf(f.URL)}
		if accounts := usage[f.URL]; len(accounts) > 0 {
			// Charged to one of the readers who added it with room: a feed several
			// readers added waits only when all of them are busy, so that no one can hold
			// a feed back by adding it too (found by review).
			free := slices.Sorted(maps.Keys(accounts))
			free = slices.DeleteFunc(free, func(a int64) bool { return accounts[a].PollTime >= d.p.opts.MaxUserPollTimePerDay })
			if len(free) == 0 {
				d.deferToTomorrow(ctx, f, slices.Collect(maps.Keys(accounts)), now)
				continue
			}
			fl.payers = slices.Clone(free)
			free = slices.DeleteFunc(free, func(a int64) bool { return d.owners[a] >= perOwner })
			if len(free) == 0 {
				waiting = true
				continue
			}
			// The least busy of them (the first, on a tie) pays.
			fl.owners = []int64{slices.MinFunc(free, func(a, b int64) int { return cmp.Compare(d.owners[a], d.owners[b]) })}
		}
		if !d.admit(f, fl, start) {
			waiting = true
		}
	}
	return waiting
}

// admit starts the poll of f when its lane and host have room, and reports whether it
// did.
func (d *dispatcher) admit(f storage.Feed, fl flight, start func(f storage.Feed, payers []int64)) bool {
	// A host whose slots other polls' pages hold counts as busy too: a feed started
	// there would only hold a worker waiting.
	if d.busy[fl.operator] >= d.lanes[fl.operator] || d.hosts[fl.host] >= d.p.opts.PerHost || d.p.hostFull(fl.host) {
		return false
	}
	d.busy[fl.operator]++
	d.hosts[fl.host]++
	for _, a := range fl.owners {
		d.owners[a]++
	}
	d.inFlight[f.URL] = fl
	start(f, fl.payers)
	return true
}

func feedURLs(feeds []storage.Feed) []string {
	urls := make([]string, len(feeds))
	for i, f := range feeds {
		urls[i] = f.URL
	}
	return urls
}

// deferToTomorrow puts f off to the start of the next UTC day, spread over a poll
// interval so that the feeds put off do not all fall due at midnight.
func (d *dispatcher) deferToTomorrow(ctx context.Context, f storage.Feed, accounts []int64, now time.Time) {
	y, m, dd := now.UTC().Date()
	until := time.Date(y, m, dd+1, 0, 0, 0, 0, time.UTC)
	if span := d.p.opts.Interval; span > 0 {
		until = until.Add(rand.N(span))
	}
	deferred, err := d.p.store.DeferFeed(ctx, f.URL, accounts, until)
	if err != nil {
		d.p.opts.Logger.Log(ctx, d.p.level(f, slog.LevelWarn), "putting off a feed out of polling time failed", "feed", f.URL, "error", err)
		return
	}
	if !deferred {
		return // someone added it since: the next look decides again
	}
	d.p.feedsDeferred.Add(1)
	d.p.opts.Logger.Log(ctx, d.p.level(f, slog.LevelInfo), "feed put off to the next day: its readers used up the day's polling time", "feed", f.URL, "until", until)
}

// release frees what the poll of feed url held.
func (d *dispatcher) release(url string) {
	fl, ok := d.inFlight[url]
	if !ok {
		return
	}
	delete(d.inFlight, url)
	d.busy[fl.operator]--
	if d.hosts[fl.host]--; d.hosts[fl.host] == 0 {
		delete(d.hosts, fl.host)
	}
	for _, a := range fl.owners {
		if d.owners[a]--; d.owners[a] == 0 {
			delete(d.owners, a)
		}
	}
}

// AllFailed reports whether every result is an error (and there is one).
func AllFailed(results []Result) bool {
	for _, r := range results {
		if r.Status != StatusError {
			return false
		}
	}
	return len(results) > 0
}

// WriteResults prints poll results as `newsbot ingest` does: a JSON array, or a line
// per feed with its status, new items and error.
func WriteResults(w io.Writer, results []Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	for _, r := range results {
		line := fmt.Sprintf("%-12s %4d new  %s", r.Status, r.NewItems, r.URL)
		if r.Error != "" {
			line += "  error: " + r.Error
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
