// Package stories decides which news a reader sees. It reads stored items through
// named windows, newest first and feed by feed, turns them into the digest engine's
// items, groups them into stories once per run of news, and composes a subscriber's
// digest, a story card (of a stored item or a web page) and the related earlier
// stories, so that the bot's digests and cards, `newsbot summarize` and the playground
// all answer the same way.
package stories

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// Store is what the story service reads.
type Store interface {
	FeedItemsAdded(ctx context.Context, feeds []string, from, to time.Time, limit int) ([]storage.Item, int, error)
	FeedItemsWhere(ctx context.Context, feeds []string, from, to time.Time, keep func(added time.Time, id uint64) bool, limit int) ([]storage.Item, int, error)
	ItemsAdded(ctx context.Context, from, to time.Time, limit int) ([]storage.Item, int, error)
	Item(ctx context.Context, id uint64) (storage.Item, error)
	LastItemID(ctx context.Context) (uint64, error)
	LastItemIDOf(ctx context.Context, feeds []string) (uint64, error)
	ReceivedItems(ctx context.Context, chatID int64) ([]uint64, error)
	CachedCard(ctx context.Context, canonicalURL string, notBefore time.Time) (storage.CachedCard, bool, error)
	PutCachedCard(ctx context.Context, canonicalURL string, c storage.CachedCard) error
}

// Fetcher reads a web page's article (the SSRF-safe fetcher).
type Fetcher interface {
	FetchArticle(ctx context.Context, pageURL string) (feed.Article, error)
}

// Options configure a Service.
type Options struct {
	// Catalogue is the public feeds: every reader may read them. Any other feed is
	// private to the chats that added it.
	Catalogue []string
	Windows   Windows
	// RunMaxAge is how long a run may be reused after new items arrived (0: 30s;
	// negative: never, which tests with a fake clock want).
	RunMaxAge time.Duration
	// FilterBudget bounds one subscriber's filters in one digest (0: 500ms).
	FilterBudget time.Duration
	// CardCacheFor is how long a web page's card is reused (0: 6h).
	CardCacheFor time.Duration
	// Tracking settles followed stories (zero fields: DefaultTracking).
	Tracking Tracking
	// Composers bounds the cards composed at once (0: half the cores, at least one): a
	// card composed anew costs half a second of CPU, and readers asking for cards of
	// different items must leave the other cores to digests, polls and the tracker.
	// ComposeWait is how long a card waits for a composer, or for the cold-grouping
	// slot, before it is ErrBusy (0: 1s): the wait holds a handler.
	Composers   int
	ComposeWait time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// Service is the story service. It is safe for concurrent use.
type Service struct {
	store     Store
	fetch     Fetcher
	opts      Options
	log       *slog.Logger
	grouper   *digest.Grouper
	catalogue map[string]bool

	runMu  sync.Mutex
	cached *Run
	runGen uint64 // the last Run.gen given
	// coldGrouping lets one card at a time group an untracked neighbourhood (beside the
	// composers): it costs seconds, and a reader asking for last week's items must not
	// take every core.
	coldGrouping chan struct{}
	// composing bounds the cards composed at once (Options.Composers); flights let
	// readers asking for the same card at once share one composition (cards.go).
	composing chan struct{}
	flightMu  sync.Mutex
	flights   map[string]*flight
	cards     cardCache

	// The story tracker (track.go): nil storyStore tracks nothing.
	storyStore StoryStore
	trackMu    sync.Mutex
	index      *digest.StoryIndex
	cursor     uint64
	developed  []uint64 // developments a digest run's pass placed, for the next Track

	// newest caches the catalogue's newest item (newestFor) under the store's.
	newestMu                       sync.Mutex
	newestOfStore, newestCatalogue uint64

	// WindowDropped counts items a window cap left out (the oldest).
	windowDropped, filterBudgetHits, cardsBusy countInt
}

type countInt struct {
	mu sync.Mutex
	n  int64
}

func (c *countInt) add(d int64) { c.mu.Lock(); c.n += d; c.mu.Unlock() }
func (c *countInt) get() int64  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// New returns a story service over store; fetch may be nil when no web pages are read.
func New(store Store, fetch Fetcher, opts Options) *Service {
	opts.Windows = opts.Windows.withDefaults()
	opts.Tracking = opts.Tracking.withDefaults()
	if opts.RunMaxAge == 0 {
		opts.RunMaxAge = 30 * time.Second
	}
	if opts.FilterBudget <= 0 {
		opts.FilterBudget = 500 * time.Millisecond
	}
	if opts.CardCacheFor <= 0 {
		opts.CardCacheFor = 6 * time.Hour
	}
	if opts.Composers <= 0 {
		opts.Composers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if opts.ComposeWait <= 0 {
		opts.ComposeWait = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, fetch: fetch, opts: opts, log: opts.Logger, grouper: digest.NewGrouper(digest.GroupOptions{}),
		catalogue: map[string]bool{}, coldGrouping: make(chan struct{}, 1),
		composing: make(chan struct{}, opts.Composers), flights: map[string]*flight{}}
	for _, u := range opts.Catalogue {
		s.catalogue[u] = true
	}
	s.storyStore, _ = store.(StoryStore)
	return s
}

// Stats are the service's running totals, for metrics.
type Stats struct {
	// WindowDropped: items a window cap left out of a run or a card (the oldest).
	WindowDropped int64
	// FilterBudgetHits: digests whose subscriber's filters ran out of time.
	FilterBudgetHits int64
	// OpenStories: stories that still take reports (in the tracker's index).
	OpenStories int64
	// CardsBusy: cards refused with ErrBusy (every composer, or the cold-grouping
	// slot, taken for longer than ComposeWait).
	CardsBusy int64
}

// Stats returns the running totals.
func (s *Service) Stats() Stats {
	st := Stats{WindowDropped: s.windowDropped.get(), FilterBudgetHits: s.filterBudgetHits.get(), CardsBusy: s.cardsBusy.get()}
	s.trackMu.Lock()
	if s.index != nil {
		st.OpenStories = int64(s.index.Open())
	}
	s.trackMu.Unlock()
	return st
}

// Windows returns the windows in use.
func (s *Service) Windows() Windows { return s.opts.Windows }

// ToDigestItem turns a stored item into the digest engine's item: the one conversion.
func ToDigestItem(it storage.Item) digest.Item {
	return digest.Item{ID: it.ID, Title: it.Title, Text: it.Text, URL: it.URL, Source: it.FeedTitle,
		FeedURL: it.FeedURL, Published: it.Published, Lang: it.Language}
}

func toDigestItems(items []storage.Item) []digest.Item {
	out := make([]digest.Item, 0, len(items))
	for _, it := range items {
		out = append(out, ToDigestItem(it))
	}
	return out
}

// Public reports whether every reader may see a feed's items.
func (s *Service) Public(feedURL string) bool { return s.catalogue[feedURL] }

// Reader is who asks: what else than the public feeds it may see.
type Reader struct {
	// OwnFeeds are the feeds the reader's chat added.
	OwnFeeds []string
	// Operator sees every feed (the command line).
	Operator bool
	// Follows are the stories the reader follows, with the earlier stories of their
	// threads: a card of one lists the developments of the whole thread.
	Follows map[uint64]bool
	// Composing, when set, is added the time a card took composing for this reader in
	// a composer's (or the cold slot's) turn, waits excluded: what the bot charges them.
	Composing *time.Duration
}

// sees reports whether the reader may see a feed's items.
func (s *Service) sees(r Reader, feedURL string) bool {
	return r.Operator || s.catalogue[feedURL] || slices.Contains(r.OwnFeeds, feedURL)
}

// private are the reader's own feeds that are not public.
// newestFor is the newest stored item of the feeds r's cards and digests read (the
// catalogue, r's own; every feed for the operator's), and the zero Reader's for the
// shared run: what tells the caches that news they depend on arrived. A reader's
// private feed storing an item makes no one else's card or the run stale (review 83:
// one stranger's item a minute had every card composed anew, 0.45 s each). catalogue
// is the catalogue's newest item, which the shared run is built with.
func (s *Service) newestFor(ctx context.Context, r Reader) (newest, catalogue, all uint64, err error) {
	all, err = s.store.LastItemID(ctx)
	if err != nil || r.Operator {
		return all, all, all, err
	}
	s.newestMu.Lock()
	catalogue, known := s.newestCatalogue, s.newestOfStore == all && all != 0
	s.newestMu.Unlock()
	if !known {
		// Read again only when the store's newest item moved: one read a feed.
		if catalogue, err = s.store.LastItemIDOf(ctx, s.opts.Catalogue); err != nil {
			return 0, 0, 0, err
		}
		s.newestMu.Lock()
		s.newestOfStore, s.newestCatalogue = all, catalogue
		s.newestMu.Unlock()
	}
	newest = catalogue
	if private := s.private(r); len(private) > 0 {
		own, err := s.store.LastItemIDOf(ctx, private)
		if err != nil {
			return 0, 0, 0, err
		}
		newest = max(newest, own)
	}
	return newest, catalogue, all, nil
}

func (s *Service) private(r Reader) []string {
	var out []string
	for _, u := range r.OwnFeeds {
		if !s.catalogue[u] {
			out = append(out, u)
		}
	}
	return out
}

// read returns the items the given feeds added in [from, to), newest first, at most
// max; what the cap leaves out (the oldest) is logged under what and counted. Windows
// are read feed by feed: the items of feeds a reader cannot see are never read, so a
// feed that floods the store cannot push anyone else's news out of a window.
func (s *Service) read(ctx context.Context, what string, r Reader, feeds []string, from, to time.Time, max int) ([]storage.Item, error) {
	var items []storage.Item
	var dropped int
	var err error
	if r.Operator {
		items, dropped, err = s.store.ItemsAdded(ctx, from, to, max)
	} else {
		items, dropped, err = s.store.FeedItemsAdded(ctx, feeds, from, to, max)
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s window: %w", what, err)
	}
	if dropped > 0 {
		s.windowDropped.add(int64(dropped))
		s.log.Warn("a window cap left out the oldest items", "window", what, "kept", len(items), "dropped", dropped,
			"from", from.Format(time.RFC3339), "to", to.Format(time.RFC3339))
	}
	return items, nil
}

// readWhere returns the items the given feeds stored from from on that keep picks by
// their clock and ID, newest first, at most max; what the cap leaves out is logged
// under what and counted, as read's. An item is stamped with its poll's clock before it
// is stored, so one stored after a window was read may be stamped before the window's
// end: only its ID tells whether the reader of that window saw it.
func (s *Service) readWhere(ctx context.Context, what string, feeds []string, from time.Time, keep func(added time.Time, id uint64) bool, max int) ([]storage.Item, error) {
	items, dropped, err := s.store.FeedItemsWhere(ctx, feeds, from, storage.Forever, keep, max)
	if err != nil {
		return nil, fmt.Errorf("read the %s window: %w", what, err)
	}
	if dropped > 0 {
		s.windowDropped.add(int64(dropped))
		s.log.Warn("a window cap left out the oldest items", "window", what, "kept", len(items), "dropped", dropped,
			"from", from.Format(time.RFC3339))
	}
	return items, nil
}

// feedsOf are the feeds a reader's windows read: the catalogue and the reader's own.
func (s *Service) feedsOf(r Reader) []string {
	return append(append([]string{}, s.opts.Catalogue...), s.private(r)...)
}

// Visible returns stored item id if the reader may see it. Anything else, missing or
// not, is storage.ErrNotFound, so item numbers cannot be probed for what another reader
// reads.
func (s *Service) Visible(ctx context.Context, id uint64, r Reader) (storage.Item, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return storage.Item{}, err
	}
	if !s.sees(r, it.FeedURL) {
		return storage.Item{}, fmt.Errorf("item %d: %w", id, storage.ErrNotFound)
	}
	return it, nil
}

// encodeCard and decodeCard keep a card in the store's cache.
func encodeCard(c digest.StoryCard) (json.RawMessage, error) { return json.Marshal(c) }

func decodeCard(raw json.RawMessage) (digest.StoryCard, error) {
	var c digest.StoryCard
	err := json.Unmarshal(raw, &c)
	return c, err
}

// NoStore is a Store with nothing in it: the command line summarizes files and pages
// with it when the database is absent or held by the running bot.
type NoStore struct{}

func (NoStore) FeedItemsWhere(context.Context, []string, time.Time, time.Time, func(time.Time, uint64) bool, int) ([]storage.Item, int, error) {
	return nil, 0, nil
}

func (NoStore) FeedItemsAdded(context.Context, []string, time.Time, time.Time, int) ([]storage.Item, int, error) {
	return nil, 0, nil
}
func (NoStore) LastItemIDOf(context.Context, []string) (uint64, error) { return 0, nil }
func (NoStore) ItemsAdded(context.Context, time.Time, time.Time, int) ([]storage.Item, int, error) {
	return nil, 0, nil
}
func (NoStore) Item(_ context.Context, id uint64) (storage.Item, error) {
	return storage.Item{}, fmt.Errorf("item %d: no database: %w", id, storage.ErrNotFound)
}
func (NoStore) LastItemID(context.Context) (uint64, error)             { return 0, nil }
func (NoStore) ReceivedItems(context.Context, int64) ([]uint64, error) { return nil, nil }
func (NoStore) CachedCard(context.Context, string, time.Time) (storage.CachedCard, bool, error) {
	return storage.CachedCard{}, false, nil
}
func (NoStore) PutCachedCard(context.Context, string, storage.CachedCard) error { return nil }
