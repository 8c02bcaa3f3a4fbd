package stories

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/storage"
)

// Run is what digests share: the public items of the longest digest window (newest
// first), grouped into stories once.
type Run struct {
	now      time.Time
	lastItem uint64    // the catalogue's newest stored item when it was built
	gen      uint64    // numbers the runs built, from 1
	built    time.Time // real time, for RunMaxAge
	items    []storage.Item
	composer *digest.Composer
}

// Items are the run's public items, newest first.
func (r *Run) Items() []storage.Item { return r.items }

// shared returns the shared run for now: built again only when new items were stored (and
// then at most once per RunMaxAge), so neither the scheduler nor readers asking for a
// digest pay for grouping the window more often than news arrives. A run covers
// [r.now-MaxLookback, r.now], and every digest from then on starts at or after
// now-MaxLookback, so it serves until items arrive after it.
func (s *Service) shared(ctx context.Context, now time.Time) (*Run, error) {
	// Stories first, so every item of the run has its story.
	if err := s.trackQuietly(ctx); err != nil {
		s.log.Warn("tracking stories before a digest run failed; new items are grouped in the run", "error", err)
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	r, last, err := s.fresh(ctx, now)
	if r != nil || err != nil {
		return r, err
	}
	w := s.opts.Windows
	from := now.Add(-w.MaxLookback)
	items, err := s.read(ctx, "digest", Reader{}, s.opts.Catalogue, from, now.Add(time.Nanosecond), w.MaxItems)
	if err != nil {
		return nil, err
	}
	// An item stored after now (now was read before tracking, and before waiting for
	// runMu) counts in last but is not in the window: such a run must not pass as up to
	// date with it, or every digest it served left the item out, and the next started
	// after it (review 86).
	if later, err := s.storedIn(ctx, now, now.Add(100*365*24*time.Hour)); err != nil {
		return nil, err
	} else if later {
		last = 0 // as fresh compares it: never up to date
	}
	earlier, err := s.read(ctx, "earlier", Reader{}, s.opts.Catalogue, from.Add(-w.Earlier), from, w.MaxEarlier)
	if err != nil {
		return nil, err
	}
	storyOf, err := s.itemStories(ctx, items)
	if err != nil {
		return nil, err
	}
	s.runGen++
	r = &Run{now: now, lastItem: last, gen: s.runGen, built: time.Now(), items: items,
		composer: digest.NewComposerStories(s.grouper, toDigestItems(items), toDigestItems(earlier), storyOf)}
	s.cached = r
	return r, nil
}

// Subscriber is what a digest is composed for.
type Subscriber struct {
	storage.Subscriber
	// Feeds are the feeds the subscriber reads (chosen catalogue feeds and own feeds).
	Feeds []string
	// FilterBudget, when less than the service's, bounds the subscriber's filters in
	// this digest instead.
	FilterBudget time.Duration
}

// fresh is the cached run if it still serves now, else nil, with the catalogue's newest
// stored item. Called with runMu held.
func (s *Service) fresh(ctx context.Context, now time.Time) (*Run, uint64, error) {
	last, _, err := s.newestFor(ctx, Reader{})
	if err != nil {
		return nil, 0, err
	}
	if r := s.cached; r != nil && !now.Before(r.now) {
		if r.lastItem == last || (s.opts.RunMaxAge > 0 && time.Since(r.built) < s.opts.RunMaxAge) {
			// A later digest must not take a run without the items stored since its
			// clock: it would start the next digest past them (review 87: a card opened
			// seconds before the hour made the hour's digests lose the news between).
			if since, err := s.storedIn(ctx, r.now, now); err != nil || since {
				return nil, last, err
			}
			return r, last, nil
		}
	}
	return nil, last, nil
}

// storedIn reports whether a catalogue item was stored in (from, to]: one seek a feed.
func (s *Service) storedIn(ctx context.Context, from, to time.Time) (bool, error) {
	if !to.After(from) {
		return false, nil
	}
	items, _, err := s.store.FeedItemsAdded(ctx, s.opts.Catalogue, from.Add(time.Nanosecond), to.Add(time.Nanosecond), 1)
	if err != nil {
		return false, fmt.Errorf("read the catalogue's items stored after the run's clock: %w", err)
	}
	return len(items) > 0, nil
}

// runNow is the generation of the shared run that serves now, the catalogue's newest
// item being catalogue (as fresh judges it); 0 when the next run will be built anew.
func (s *Service) runNow(catalogue uint64) uint64 {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	r := s.cached
	if r == nil || r.lastItem != catalogue && (s.opts.RunMaxAge <= 0 || time.Since(r.built) >= s.opts.RunMaxAge) {
		return 0
	}
	return r.gen
}

// sharedPrepared is shared for a caller that just ran Prepare: the cached run, even if
// news arrived since (no second tracking pass, no rebuild charged to the reader: found
// by review), else shared.
func (s *Service) sharedPrepared(ctx context.Context, now time.Time) (*Run, error) {
	s.runMu.Lock()
	r := s.cached
	s.runMu.Unlock()
	if r != nil && !now.Before(r.now) {
		return r, nil
	}
	return s.shared(ctx, now)
}

// Prepare brings the run all readers share up to date (tracking stories first), so
// that a digest or a card composed next does only its reader's own part: what the bot
// charges a reader for is theirs, not the news that arrived for everyone (found by
// review).
func (s *Service) Prepare(ctx context.Context, now time.Time) error {
	_, err := s.shared(ctx, now)
	return err
}

// DigestFor composes a subscriber's digest at now: the public stories since their last
// digest (from the shared run) and their own feeds' newest items, with their filters
// and choices, leaving out what they already received unless it brings new facts.
func (s *Service) DigestFor(ctx context.Context, sub Subscriber, now time.Time) (digest.Digest, error) {
	run, err := s.shared(ctx, now)
	if err != nil {
		return digest.Digest{}, err
	}
	w := s.opts.Windows
	since := w.DigestSince(sub.LastDigest, now)
	var items []digest.Item
	for _, it := range run.items {
		if !it.Added.Before(since) {
			items = append(items, ToDigestItem(it))
		}
	}
	// The subscriber's own feeds: read for this digest alone, newest first, capped.
	reader := Reader{OwnFeeds: sub.OwnFeeds}
	var ownEarlier []digest.Item
	if private := s.private(reader); len(private) > 0 {
		own, err := s.read(ctx, "own feeds", reader, private, since, now.Add(time.Nanosecond), w.MaxOwnItems)
		if err != nil {
			return digest.Digest{}, err
		}
		items = append(items, toDigestItems(own)...)
		slices.SortStableFunc(items, func(a, c digest.Item) int { return c.Published.Compare(a.Published) })
		earlier, err := s.read(ctx, "own feeds earlier", reader, private, now.Add(-w.Earlier), since, w.MaxOwnItems)
		if err != nil {
			return digest.Digest{}, err
		}
		ownEarlier = toDigestItems(earlier)
	}
	received, err := s.received(ctx, sub.ChatID, now)
	if err != nil {
		return digest.Digest{}, err
	}
	developed, held, err := s.followedSince(ctx, sub.ChatID, since, now)
	if err != nil {
		return digest.Digest{}, err
	}
	budget := s.opts.FilterBudget
	if sub.FilterBudget > 0 && sub.FilterBudget < budget {
		budget = sub.FilterBudget
	}
	d, err := run.composer.ComposeContext(ctx, items, digest.Preferences{
		Feeds: sub.Feeds, OwnFeeds: sub.OwnFeeds, Include: sub.Include, Exclude: sub.Exclude,
		FilterBudget: budget, OwnEarlier: ownEarlier,
		MaxStories: sub.Stories, SummarySentences: sub.SummarySentences, Received: received,
		Developed: developed,
	}, now)
	if err != nil {
		return digest.Digest{}, err
	}
	d.SinceFollowed = held
	if d.FilterTruncated > 0 {
		s.filterBudgetHits.add(1)
		s.log.Warn("a subscriber's filters ran out of time; the digest covers the newest items only",
			"chat", sub.ChatID, "unchecked", d.FilterTruncated, "budget", budget)
	}
	return d, nil
}

// received are the stories sent to chat within the Received window.
func (s *Service) received(ctx context.Context, chat int64, now time.Time) ([]digest.Item, error) {
	ids, err := s.store.ReceivedItems(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("received stories of %d: %w", chat, err)
	}
	var out []digest.Item
	for _, id := range ids {
		it, err := s.store.Item(ctx, id)
		if err != nil {
			continue // pruned meanwhile
		}
		if now.Sub(it.Added) < s.opts.Windows.Received {
			out = append(out, ToDigestItem(it))
		}
	}
	return out, nil
}
