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
	now time.Time
	// lastItem is the catalogue's newest stored item when the run was read: the run
	// holds the catalogue's items up to it, and none after (whatever their clock).
	lastItem uint64
	gen      uint64    // numbers the runs built, from 1
	built    time.Time // real time, for RunMaxAge
	items    []storage.Item
	composer *digest.Composer
}

// Items are the run's public items, newest first.
func (r *Run) Items() []storage.Item { return r.items }

// shared returns the shared run for now: built again only when new items were stored (and
// then at most once per RunMaxAge), so neither the scheduler nor readers asking for a
// digest pay for grouping the window more often than news arrives. A run holds the
// catalogue's items stored since r.now-MaxLookback up to its lastItem, and every
// digest from then on starts at or after now-MaxLookback, so it serves until items
// arrive after it.
//
// through is the newest item a digest served by the run may count as considered: every
// item up to it was stored before the run's and the digest's reads, so none stored
// later can be passed over. Items are stamped with their poll's clock before they are
// stored: a digest that took its clock as its mark lost an item stamped before it but
// stored after its read, as the next digest started after the stamp.
func (s *Service) shared(ctx context.Context, now time.Time) (_ *Run, through uint64, _ error) {
	// Stories first, so every item of the run has its story.
	if err := s.trackQuietly(ctx); err != nil {
		s.log.Warn("tracking stories before a digest run failed; new items are grouped in the run", "error", err)
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	r, last, through, err := s.fresh(ctx, now)
	if r != nil || err != nil {
		return r, through, err
	}
	w := s.opts.Windows
	from := now.Add(-w.MaxLookback)
	items, err := s.readWhere(ctx, "digest", s.opts.Catalogue, from, func(_ time.Time, id uint64) bool { return id <= last }, w.MaxItems)
	if err != nil {
		return nil, 0, err
	}
	earlier, err := s.read(ctx, "earlier", Reader{}, s.opts.Catalogue, from.Add(-w.Earlier), from, w.MaxEarlier)
	if err != nil {
		return nil, 0, err
	}
	storyOf, err := s.itemStories(ctx, items)
	if err != nil {
		return nil, 0, err
	}
	s.runGen++
	r = &Run{now: now, lastItem: last, gen: s.runGen, built: time.Now(), items: items,
		composer: digest.NewComposerStories(s.grouper, toDigestItems(items), toDigestItems(earlier), storyOf)}
	s.cached = r
	return r, through, nil
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
// stored item, and the mark a digest served now may take (see shared). Called with
// runMu held.
func (s *Service) fresh(ctx context.Context, now time.Time) (_ *Run, catalogue, through uint64, _ error) {
	// The store's newest is read before the catalogue's: every item up to it was
	// stored, and the catalogue's among them are up to the catalogue's newest.
	_, catalogue, all, err := s.newestFor(ctx, Reader{})
	if err != nil {
		return nil, 0, 0, err
	}
	current := max(all, catalogue)
	if r := s.cached; r != nil && !now.Before(r.now) {
		if r.lastItem == catalogue {
			return r, catalogue, current, nil
		}
		if s.opts.RunMaxAge > 0 && time.Since(r.built) < s.opts.RunMaxAge {
			// Held back: its digests count as considered only what it holds, and the
			// catalogue's items after it go in the next (reviews 86 and 87 found them
			// lost when digests were marked with their clock).
			return r, catalogue, r.lastItem, nil
		}
	}
	return nil, catalogue, current, nil
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
	r, _, err := s.shared(ctx, now)
	return r, err
}

// Prepare brings the run all readers share up to date (tracking stories first), so
// that a digest or a card composed next does only its reader's own part: what the bot
// charges a reader for is theirs, not the news that arrived for everyone (found by
// review).
func (s *Service) Prepare(ctx context.Context, now time.Time) error {
	_, _, err := s.shared(ctx, now)
	return err
}

// Digest is a subscriber's digest, with where it leaves them.
type Digest struct {
	digest.Digest
	// Through is the newest item the digest considered: the next takes the items
	// stored after it (storage.Subscriber.DigestedTo), however far back their poll's
	// clock stamped them within MaxLookback.
	Through uint64
}

// DigestFor composes a subscriber's digest at now: the public stories since their last
// digest (from the shared run) and their own feeds' newest items, with their filters
// and choices, leaving out what they already received unless it brings new facts.
func (s *Service) DigestFor(ctx context.Context, sub Subscriber, now time.Time) (Digest, error) {
	run, through, err := s.shared(ctx, now)
	if err != nil {
		return Digest{}, err
	}
	w := s.opts.Windows
	since := w.DigestSince(sub.LastDigest, now)
	// New to the subscriber: stored after their last digest's mark, up to this one's.
	// A subscriber without a mark yet (new, or from before marks) starts at its clock.
	floor := since
	if sub.DigestedTo > 0 {
		floor = now.Add(-w.MaxLookback)
	}
	unseen := func(added time.Time, id uint64) bool { return id > sub.DigestedTo && !added.Before(floor) }
	// The run's items are all up to through: none of the catalogue's lie between its
	// lastItem and through when it is current, and through is its lastItem when held.
	var items []digest.Item
	for _, it := range run.items {
		if unseen(it.Added, it.ID) {
			items = append(items, ToDigestItem(it))
		}
	}
	// The subscriber's own feeds: read for this digest alone, newest first, capped.
	reader := Reader{OwnFeeds: sub.OwnFeeds}
	var ownEarlier []digest.Item
	if private := s.private(reader); len(private) > 0 {
		own, err := s.readWhere(ctx, "own feeds", private, floor, func(added time.Time, id uint64) bool {
			return unseen(added, id) && id <= through
		}, w.MaxOwnItems)
		if err != nil {
			return Digest{}, err
		}
		items = append(items, toDigestItems(own)...)
		slices.SortStableFunc(items, func(a, c digest.Item) int { return c.Published.Compare(a.Published) })
		// The background: the rest of the Earlier window up to through, what earlier
		// digests considered and what is too old to be new (review 90: an item after
		// a mark older than MaxLookback was neither).
		earlier, err := s.readWhere(ctx, "own feeds earlier", private, now.Add(-w.Earlier), func(added time.Time, id uint64) bool {
			return !unseen(added, id) && id <= through
		}, w.MaxOwnItems)
		if err != nil {
			return Digest{}, err
		}
		ownEarlier = toDigestItems(earlier)
	}
	received, err := s.received(ctx, sub.ChatID, now)
	if err != nil {
		return Digest{}, err
	}
	developed, held, err := s.followedSince(ctx, sub.ChatID, since, now)
	if err != nil {
		return Digest{}, err
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
		return Digest{}, err
	}
	d.SinceFollowed = held
	if d.FilterTruncated > 0 {
		s.filterBudgetHits.add(1)
		s.log.Warn("a subscriber's filters ran out of time; the digest covers the newest items only",
			"chat", sub.ChatID, "unchecked", d.FilterTruncated, "budget", budget)
	}
	return Digest{Digest: d, Through: through}, nil
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
