package stories

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/storage"
)

// cardSentences is the length of a story card's summary.
const cardSentences = 3

// CardFor returns the story card of stored item id as reader r sees it: its summary,
// quotes and background, related earlier stories, and the other outlets that reported
// the same story, grouped as digests group them. Items, reports and related stories come
// only from the public feeds and the reader's own; an item the reader may not see is
// storage.ErrNotFound.
func (s *Service) CardFor(ctx context.Context, id uint64, r Reader) (digest.StoryCard, error) {
	return s.card(ctx, id, r, false)
}

// ErrBusy is a card's answer when it would be composed anew and every composer (or the
// cold-grouping slot) stayed taken for Options.ComposeWait: try again shortly.
var ErrBusy = errors.New("every card composer is busy")

// wait takes a slot of sem within ComposeWait; release it when done.
func (s *Service) wait(ctx context.Context, sem chan struct{}) (release func(), err error) {
	t := time.NewTimer(s.opts.ComposeWait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-t.C:
		s.cardsBusy.add(1)
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ErrNotComposed is CachedCardFor's answer for a card not composed since the newest
// item was stored.
var ErrNotComposed = errors.New("card not composed yet")

// CachedCardFor is CardFor without composing: a card that would need composing anew
// (half a second; its timeline is cheap) is ErrNotComposed. A pass that has spent its
// time redraws only these.
func (s *Service) CachedCardFor(ctx context.Context, id uint64, r Reader) (digest.StoryCard, error) {
	return s.card(ctx, id, r, true)
}

func (s *Service) card(ctx context.Context, id uint64, r Reader, cachedOnly bool) (digest.StoryCard, error) {
	it, err := s.Visible(ctx, id, r)
	if err != nil {
		return digest.StoryCard{}, err
	}
	last, catalogue, _, err := s.newestFor(ctx, r)
	if err != nil {
		return digest.StoryCard{}, err
	}
	private := s.private(r)
	slices.Sort(private)
	key := cardKey{item: id, operator: r.Operator, feeds: strings.Join(private, "\n")}
	card, ok := s.cards.get(key, last, s.runNow(catalogue), cachedOnly)
	if !ok && cachedOnly {
		return digest.StoryCard{}, ErrNotComposed
	}
	if !ok {
		// The shared run first, outside the reader's composing time (and any slot),
		// for the cards that take their reports from it.
		if !s.outsideRun(it, r) {
			if err := s.Prepare(ctx, s.opts.Now()); err != nil {
				return digest.StoryCard{}, err
			}
		}
		if card, err = s.composeShared(ctx, it, r, key, last, catalogue); err != nil {
			return digest.StoryCard{}, fmt.Errorf("card of item %d: %w", id, err)
		}
	}
	if err := s.addTimeline(ctx, &card, r); err != nil {
		return digest.StoryCard{}, err
	}
	return card, nil
}

// cardKey names what a card's composition depends on besides the store: its item and
// the feeds its reader sees beyond the catalogue.
type cardKey struct {
	item     uint64
	operator bool
	feeds    string
}

// cardCache keeps composed cards (without their timeline, which depends on the
// reader's follows), each with the newest stored item it was composed with: a story that
// develops has its card redrawn in every chat that holds it, up to 500 a pass, and each
// composition reads the 10,000 earlier items (0.54 s, BenchmarkCardOfRecentItem/composed;
// 90 µs again for a reader who sees the same feeds, /again). A card is fresh until news
// arrives; a pass past its redraw budget takes one composed with a few items fewer
// (found by review: emptied at each stored item, the cache rarely served it).
type cardCache struct {
	mu    sync.Mutex
	cards map[cardKey]cachedCard
	tick  uint64 // counts uses, for used
}

type cachedCard struct {
	last uint64 // the newest stored item of the feeds it read when composed
	// held is the generation of the shared run it was composed from, when that run
	// was held back (older than last): the card is fresh only while that run is.
	held uint64
	used uint64 // tick of its last use
	card digest.StoryCard
}

// fresh reports whether e serves a reader whose feeds' newest item is last, the shared
// run now being of generation run.
func (e cachedCard) fresh(last, run uint64) bool {
	return e.last == last && (e.held == 0 || e.held == run)
}

// maxCachedCards bounds the cache (a card is a few KB).
const maxCachedCards = 512

// get returns k's card if fresh (cachedCard.fresh), or of any age when anyAge.
func (c *cardCache) get(k cardKey, last, run uint64, anyAge bool) (digest.StoryCard, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cards[k]
	if ok = ok && (anyAge || e.fresh(last, run)); ok {
		c.tick++
		e.used = c.tick
		c.cards[k] = e
	}
	return e.card, ok
}

// put keeps k's card composed with last (and from the held run of generation held, 0
// for none), the shared run now being of generation run. A full cache lets one card
// go: one known stale (composed from a held run since rebuilt), else the least
// recently used. Whether another reader's card is stale cannot be told from this
// reader's last (each reads its own feeds): judged so, and the cache cleared when none
// was, one stranger's card emptied everyone's (review 84).
func (c *cardCache) put(k cardKey, last, held, run uint64, card digest.StoryCard) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cards == nil {
		c.cards = map[cardKey]cachedCard{}
	}
	if _, ok := c.cards[k]; !ok && len(c.cards) >= maxCachedCards {
		var victim cardKey
		oldest := uint64(math.MaxUint64)
		for key, e := range c.cards {
			if e.held != 0 && e.held != run {
				victim = key
				break
			}
			if e.used < oldest {
				victim, oldest = key, e.used
			}
		}
		delete(c.cards, victim)
	}
	c.tick++
	c.cards[k] = cachedCard{last: last, held: held, used: c.tick, card: card}
}

// flight is one composition of a card that readers asking for it at once share.
type flight struct {
	done chan struct{}
	card digest.StoryCard
	err  error
}

// errFlightFailed is a shared composition's outcome if it ended without one (a panic).
var errFlightFailed = errors.New("the composition of this card failed")

// composeShared composes the card of key as of last, and caches it. Readers asking for
// the same card at once (after a digest) share one composition: the first composes it,
// in its own turn and at its own cost; the others wait for it at most ComposeWait, as
// they would for a composer, and are ErrBusy past it (found by review: waiting for the
// whole composition, free, they could hold every handler), as they are when it fails
// on the first reader's deadline rather than on the card.
//
// A card composed from a shared run older than the catalogue's newest item (one held
// for RunMaxAge) is fresh only while that run is: stamped with last alone, it stayed
// without the news the next run brought until more of the catalogue's news arrived
// (review 84), and cached as stale, it was composed again at every request while the
// run was held (review 85).
func (s *Service) composeShared(ctx context.Context, it storage.Item, r Reader, key cardKey, last, catalogue uint64) (digest.StoryCard, error) {
	fk := fmt.Sprintf("%d\x00%t\x00%d\x00%s", key.item, key.operator, last, key.feeds)
	s.flightMu.Lock()
	if f, ok := s.flights[fk]; ok {
		s.flightMu.Unlock()
		t := time.NewTimer(s.opts.ComposeWait)
		defer t.Stop()
		select {
		case <-f.done:
			err := f.err
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				err = ErrBusy
			}
			if errors.Is(err, ErrBusy) {
				s.cardsBusy.add(1) // each reader told to try again counts (review)
				return digest.StoryCard{}, err
			}
			return f.card, err
		case <-t.C:
			s.cardsBusy.add(1)
			return digest.StoryCard{}, ErrBusy
		case <-ctx.Done():
			return digest.StoryCard{}, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{}), err: errFlightFailed}
	s.flights[fk] = f
	s.flightMu.Unlock()
	defer func() {
		s.flightMu.Lock()
		delete(s.flights, fk)
		s.flightMu.Unlock()
		close(f.done)
	}()
	var run *Run
	f.card, run, f.err = s.composeInTurn(ctx, it, r)
	if f.err == nil {
		var held uint64
		if run != nil && run.lastItem < catalogue {
			held = run.gen
		}
		s.cards.put(key, last, held, s.runNow(catalogue), f.card)
	}
	return f.card, f.err
}

// composeInTurn composes a card in a composer's turn (Options.Composers), or, for an
// old item no tracked story holds, in the cold-grouping slot's: one such card at a
// time, beside the composers, so that it neither waits for a composer nor keeps one
// from fresh cards while it groups (found by review: with one composer, a card of an
// old item refused every other card). Cards so take at most Composers+1 cores.
func (s *Service) composeInTurn(ctx context.Context, it storage.Item, r Reader) (digest.StoryCard, *Run, error) {
	cold := false
	if s.outsideRun(it, r) {
		var err error
		if cold, err = s.untracked(ctx, it.ID); err != nil {
			return digest.StoryCard{}, nil, err
		}
	}
	turn := s.composing
	if cold {
		turn = s.coldGrouping
	}
	release, err := s.wait(ctx, turn)
	if err != nil {
		return digest.StoryCard{}, nil, err
	}
	defer release()
	if r.Composing != nil {
		start := time.Now()
		defer func() { *r.Composing += time.Since(start) }()
	}
	return s.composeCard(ctx, it, r, cold)
}

// outsideRun reports whether it's card cannot take its reports from the shared run:
// the item is older than the run's window, or the reader is the operator.
func (s *Service) outsideRun(it storage.Item, r Reader) bool {
	return r.Operator || it.Added.Before(s.opts.Now().Add(-s.opts.Windows.MaxLookback))
}

// untracked reports whether no tracked story holds item (aroundOld groups its
// neighbourhood instead).
func (s *Service) untracked(ctx context.Context, item uint64) (bool, error) {
	sid, err := s.StoryOf(ctx, item)
	if err != nil || sid == 0 {
		return sid == 0, err
	}
	_, err = s.storyStore.Story(ctx, sid)
	if errors.Is(err, storage.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// composeCard is a card without its timeline, with the shared run its reports came
// from (nil: none); coldHeld says the caller holds the cold-grouping slot.
func (s *Service) composeCard(ctx context.Context, it storage.Item, r Reader, coldHeld bool) (digest.StoryCard, *Run, error) {
	related, err := s.candidates(ctx, it, r)
	if err != nil {
		return digest.StoryCard{}, nil, err
	}
	card := s.grouper.Card(ToDigestItem(it), cardSentences, related)
	reports, run, err := s.reports(ctx, it, r, coldHeld)
	if err != nil {
		return digest.StoryCard{}, nil, err
	}
	seen := map[string]bool{it.FeedURL: true}
	for _, o := range reports {
		if seen[o.FeedURL] {
			continue
		}
		seen[o.FeedURL] = true
		card.AlsoReportedBy = append(card.AlsoReportedBy, digest.Source{ItemID: o.ID, Name: sourceName(o), URL: o.URL})
	}
	return card, run, nil
}

// timelineLines is how many developments a card lists; older ones are counted.
const timelineLines = 8

// addTimeline gives the card of a tracked story its story ID and, once the story has
// developed, how it developed. A reader who follows the story's thread (the stories it
// carries on and those that carry it on, linked because followers moved along) sees
// the thread's developments; anyone else sees the story's own, so no one's following
// changes what others read.
func (s *Service) addTimeline(ctx context.Context, card *digest.StoryCard, r Reader) error {
	sid, err := s.StoryOf(ctx, card.ItemID)
	if err != nil || sid == 0 {
		return err
	}
	st, err := s.storyStore.Story(ctx, sid)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("card timeline: %w", err)
	}
	card.StoryID = st.ID
	thread := []storage.Story{st}
	if len(r.Follows) > 0 && (st.Continues != 0 || len(st.ContinuedBy) > 0) {
		all, err := s.thread(ctx, st)
		if err != nil {
			return err
		}
		// The reader's own chain only: the stories they follow and those theirs carry
		// on (r.Follows). A branch another reader's follow made is not theirs.
		for _, t := range all[1:] {
			if r.Follows[t.ID] {
				thread = append(thread, t)
			}
		}
	}
	var tl []storage.Development
	seen := map[uint64]bool{}
	for _, t := range thread {
		card.EarlierDevelopments += t.Earlier
		for _, d := range t.Timeline {
			if !seen[d.ItemID] {
				seen[d.ItemID] = true
				tl = append(tl, d)
			}
		}
	}
	if len(tl) < 2 {
		card.EarlierDevelopments = 0
		return nil
	}
	slices.SortStableFunc(tl, func(a, b storage.Development) int { return a.At.Compare(b.At) })
	if n := len(tl) - timelineLines; n > 0 {
		tl = tl[n:]
		card.EarlierDevelopments += n
	}
	card.Timeline = TimelineOf(tl)
	return nil
}

// thread is st with the stories it carries on and those that carry it on, at most
// 2*MaxContinuations+1 of them.
func (s *Service) thread(ctx context.Context, st storage.Story) ([]storage.Story, error) {
	out := []storage.Story{st}
	seen := map[uint64]bool{st.ID: true}
	get := func(id uint64) (storage.Story, bool, error) {
		if id == 0 || seen[id] {
			return storage.Story{}, false, nil
		}
		o, err := s.storyStore.Story(ctx, id)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && seen[o.ID]) {
			return storage.Story{}, false, nil
		}
		if err != nil {
			return storage.Story{}, false, fmt.Errorf("card timeline: %w", err)
		}
		seen[id], seen[o.ID] = true, true
		return o, true, nil
	}
	back := st
	for range storage.MaxContinuations {
		o, ok, err := get(back.Continues)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			break
		}
		out, back = append(out, o), o
	}
	next := slices.Clone(st.ContinuedBy)
	for n := 0; len(next) > 0 && n < storage.MaxContinuations; n++ {
		o, ok, err := get(next[0])
		next = next[1:]
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, o)
			next = append(next, o.ContinuedBy...)
		}
	}
	return out, nil
}

// sourceName names an outlet: its feed's title, else the feed's host.
func sourceName(it digest.Item) string {
	if it.Source != "" {
		return it.Source
	}
	if u, err := url.Parse(it.FeedURL); err == nil && u.Host != "" {
		return u.Host
	}
	return it.FeedURL
}

// candidates are the stories before it that the reader may see: the related-story
// candidates of its card.
func (s *Service) candidates(ctx context.Context, it storage.Item, r Reader) ([]digest.Item, error) {
	w := s.opts.Windows
	earlier, err := s.read(ctx, "card earlier", r, s.feedsOf(r), it.Added.Add(-w.Earlier), it.Added, w.MaxEarlier)
	if err != nil {
		return nil, err
	}
	var out []digest.Item
	for _, e := range earlier {
		if e.ID != it.ID {
			out = append(out, ToDigestItem(e))
		}
	}
	return out, nil
}

// reports are the other reports of it's story among what the reader may see around it:
// from the shared run when it covers the item (the very grouping the reader's digest
// used), else from the item's own neighbourhood grouped the same way. run is the
// shared run they came from, nil for none.
func (s *Service) reports(ctx context.Context, it storage.Item, r Reader, coldHeld bool) (_ []digest.Item, run *Run, err error) {
	w := s.opts.Windows
	from, to := it.Added.Add(-w.AlsoReported), it.Added.Add(w.AlsoReported)
	var composer *digest.Composer
	var pool []digest.Item
	if !s.outsideRun(it, r) {
		run, err = s.sharedPrepared(ctx, s.opts.Now()) // card() prepared it
		if err != nil {
			return nil, nil, err
		}
		composer = run.composer
		for _, o := range run.items {
			if !o.Added.Before(from) && o.Added.Before(to) {
				pool = append(pool, ToDigestItem(o))
			}
		}
	} else {
		var release func()
		pool, composer, release, err = s.aroundOld(ctx, it, r, from, to, coldHeld)
		defer release() // on errors too: the slot may be held
		if err != nil {
			return nil, nil, err
		}
	}
	if private := s.private(r); len(private) > 0 && !r.Operator {
		own, err := s.read(ctx, "card own feeds", r, private, from, to, w.MaxOwnItems)
		if err != nil {
			return nil, nil, err
		}
		pool = append(pool, toDigestItems(own)...)
	}
	if !containsID(pool, it.ID) {
		pool = append(pool, ToDigestItem(it))
	}
	reports, err := composer.Reports(ctx, pool, it.ID)
	return reports, run, err
}

// coldItems bounds the neighbourhood grouped for an item tracking never placed: the
// items nearest it in time (about seven hours either side at 1,700 items a day).
// Grouping 12,000 took 11 s of CPU, 1,000 0.65 s (BenchmarkCardOfOldItem/untracked).
const coldItems = 1000

// aroundOld is the neighbourhood of an item older than the shared run, in [from, to),
// with a composer that knows its stories; release (never nil, to be called whatever
// the error) ends its hold on the cold-grouping slot. A tracked story is its own
// neighbourhood: its reports, read by ID, so that the card of last week's item costs a
// story, not a week of news (11 s before, for 12,000 items). An item tracking never
// placed (stored before tracking began, or with tracking off) is grouped with the
// coldItems nearest it, one card at a time.
func (s *Service) aroundOld(ctx context.Context, it storage.Item, r Reader, from, to time.Time, coldHeld bool) (pool []digest.Item, c *digest.Composer, release func(), err error) {
	release = func() {}
	defer func() {
		if p := recover(); p != nil {
			release() // a panic (recovered by the dispatcher) must not keep the slot
			panic(p)
		}
	}()
	sid, err := s.StoryOf(ctx, it.ID)
	if err != nil {
		return nil, nil, release, err
	}
	if sid != 0 {
		st, err := s.storyStore.Story(ctx, sid)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, nil, release, err
		}
		if err == nil {
			storyOf := map[uint64]uint64{}
			for _, id := range st.Reports {
				o, err := s.store.Item(ctx, id)
				if errors.Is(err, storage.ErrNotFound) {
					continue // pruned
				}
				if err != nil {
					return nil, nil, release, err
				}
				if s.sees(r, o.FeedURL) && !o.Added.Before(from) && o.Added.Before(to) {
					pool = append(pool, ToDigestItem(o))
					storyOf[o.ID] = sid
				}
			}
			return pool, digest.NewComposerStories(s.grouper, pool, nil, storyOf), release, nil
		}
	}
	// The slot is taken before the read, which holds up to MaxItems items in memory:
	// by composeInTurn, or here if the item's story went meanwhile. The wait is short:
	// it holds the asking reader's handler (found by review: cards of distinct old
	// items from a few dozen accounts held every handler).
	if !coldHeld {
		slot, err := s.wait(ctx, s.coldGrouping)
		if err != nil {
			return nil, nil, release, fmt.Errorf("card of an old item: wait for grouping: %w", err)
		}
		release = slot
	}
	around, err := s.read(ctx, "card also reported", r, s.opts.Catalogue, from, to, s.opts.Windows.MaxItems)
	if err != nil {
		return nil, nil, release, err
	}
	if len(around) > coldItems {
		slices.SortFunc(around, func(a, b storage.Item) int {
			return cmp.Compare(a.Added.Sub(it.Added).Abs(), b.Added.Sub(it.Added).Abs())
		})
		around = around[:coldItems]
	}
	storyOf, err := s.itemStories(ctx, around)
	if err != nil {
		return nil, nil, release, err
	}
	pool = toDigestItems(around)
	return pool, digest.NewComposerStories(s.grouper, pool, nil, storyOf), release, nil
}

func containsID(items []digest.Item, id uint64) bool {
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// CardForURL returns the story card of a web page (a canonical URL): fetched with the
// safe fetcher, cached for CardCacheFor. The fetch's error is returned as it is; the
// caller decides what a reader is told.
func (s *Service) CardForURL(ctx context.Context, canonical string) (digest.StoryCard, error) {
	now := s.opts.Now()
	cached, ok, err := s.store.CachedCard(ctx, canonical, now.Add(-s.opts.CardCacheFor))
	if err != nil {
		return digest.StoryCard{}, err
	}
	if ok {
		if c, err := decodeCard(cached.Card); err == nil {
			return c, nil
		}
	}
	if s.fetch == nil {
		return digest.StoryCard{}, fmt.Errorf("card for %s: no fetcher", canonical)
	}
	art, err := s.fetch.FetchArticle(ctx, canonical)
	if err != nil {
		return digest.StoryCard{}, err
	}
	card := compactCard(s.grouper.Card(digest.Item{Title: art.Title, Text: art.Text, URL: canonical, Source: art.SiteName, Published: art.Published}, cardSentences, nil))
	if raw, err := encodeCard(card); err == nil {
		if err := s.store.PutCachedCard(ctx, canonical, storage.CachedCard{Card: raw, Fetched: now}); err != nil {
			s.log.Warn("caching a card failed", "error", err)
		}
	}
	return card, nil
}

// cardTextLimit clips what a cached card keeps of a title, sentence or quote: more than
// a card shows (500 characters), far less than a crafted page could make it.
const cardTextLimit = 1000

// compactCard keeps of a page's card what a card shows: the key quotes, not every
// quote found (up to 400), and titles, sentences and quotes clipped. A reader may ask
// for many pages a day, each cached for a day: a 400 KB page made a 300 KB card.
func compactCard(c digest.StoryCard) digest.StoryCard {
	clip := func(s string) string {
		if rs := []rune(s); len(rs) > cardTextLimit {
			return string(rs[:cardTextLimit-1]) + "…"
		}
		return s
	}
	c.Title = clip(c.Title)
	var quotes []digest.Quote
	for _, q := range c.Quotes {
		if q.Key {
			q.Text, q.Speaker, q.Role, q.Mention = clip(q.Text), clip(q.Speaker), clip(q.Role), clip(q.Mention)
			q.Parts = nil
			quotes = append(quotes, q)
		}
	}
	c.Quotes = quotes
	if c.Quote != nil {
		q := *c.Quote
		q.Text, q.Speaker, q.Role, q.Mention, q.Parts = clip(q.Text), clip(q.Speaker), clip(q.Role), clip(q.Mention), nil
		c.Quote = &q
	}
	c.Summary = slices.Clone(c.Summary)
	for i := range c.Summary {
		c.Summary[i] = clip(c.Summary[i])
	}
	c.Background = slices.Clone(c.Background)
	for i := range c.Background {
		c.Background[i] = clip(c.Background[i])
	}
	return c
}

// Card returns the card of an item that need not be stored (a file, a page, a stored
// item), with k summary sentences and related stories from what the reader may see
// before it (before now when it has no date).
func (s *Service) Card(ctx context.Context, it digest.Item, k int, r Reader) (digest.StoryCard, error) {
	ref := it.Published
	if ref.IsZero() {
		ref = s.opts.Now()
	}
	related, err := s.Related(ctx, it, ref, r)
	if err != nil {
		return digest.StoryCard{}, err
	}
	return s.grouper.Card(it, k, related), nil
}

// Related returns the candidates for an item's related earlier stories: what the
// reader may see that was stored in the Earlier window before ref.
func (s *Service) Related(ctx context.Context, it digest.Item, ref time.Time, r Reader) ([]digest.Item, error) {
	w := s.opts.Windows
	stored, err := s.read(ctx, "related", r, s.feedsOf(r), ref.Add(-w.Earlier), ref.Add(time.Second), w.MaxEarlier)
	if err != nil {
		return nil, err
	}
	var out []digest.Item
	for _, c := range stored {
		if c.ID != it.ID {
			out = append(out, ToDigestItem(c))
		}
	}
	return out, nil
}
