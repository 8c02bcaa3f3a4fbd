package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/storage"
)

// Windows are the spans of stored news that digests and story cards read: named here,
// and nowhere else. Every window is read newest first, so when a cap must cut, it is
// the oldest news that is left out, and the cut is logged and counted.
type Windows struct {
	// FirstDigest is how far back a subscriber's first digest reaches.
	FirstDigest time.Duration
	// MaxLookback is the furthest back any digest reaches, however long ago the last one
	// was and however many came back empty (a subscriber whose filters match nothing
	// must not widen everyone's run).
	MaxLookback time.Duration
	// Earlier is how far back related earlier stories are looked for.
	Earlier time.Duration
	// AlsoReported is how far around a card's story other outlets' reports are looked for.
	AlsoReported time.Duration
	// Received is how long a story sent to a reader counts as received (repeats are left
	// out of digests).
	Received time.Duration
	// MaxItems caps a digest run's new items and a card's neighbourhood; MaxEarlier caps
	// the earlier items read for related stories; MaxOwnItems caps what one subscriber's
	// own feeds add to their digest (new items, and earlier ones for related stories).
	MaxItems, MaxEarlier, MaxOwnItems int
}

// DefaultWindows are the windows newsbot uses.
var DefaultWindows = Windows{
	FirstDigest:  24 * time.Hour,
	MaxLookback:  72 * time.Hour,
	Earlier:      30 * 24 * time.Hour,
	AlsoReported: 72 * time.Hour,
	Received:     72 * time.Hour,
	MaxItems:     20_000,
	MaxEarlier:   10_000,
	MaxOwnItems:  300,
}

func (w Windows) withDefaults() Windows {
	d := DefaultWindows
	if w.FirstDigest > 0 {
		d.FirstDigest = w.FirstDigest
	}
	if w.MaxLookback > 0 {
		d.MaxLookback = w.MaxLookback
	}
	if w.Earlier > 0 {
		d.Earlier = w.Earlier
	}
	if w.AlsoReported > 0 {
		d.AlsoReported = w.AlsoReported
	}
	if w.Received > 0 {
		d.Received = w.Received
	}
	if w.MaxItems > 0 {
		d.MaxItems = w.MaxItems
	}
	if w.MaxEarlier > 0 {
		d.MaxEarlier = w.MaxEarlier
	}
	if w.MaxOwnItems > 0 {
		d.MaxOwnItems = w.MaxOwnItems
	}
	return d
}

// digestSince is where a subscriber's next digest starts: after the last one, but
// never further back than MaxLookback.
func (w Windows) digestSince(last, now time.Time) time.Time {
	since := last
	if since.IsZero() {
		since = now.Add(-w.FirstDigest)
	}
	if floor := now.Add(-w.MaxLookback); since.Before(floor) {
		since = floor
	}
	return since
}

// read returns the items the given feeds added in [from, to), newest first, at most
// max; what the cap leaves out (the oldest) is logged under what and counted. Windows
// are read feed by feed: the items of feeds a reader cannot see are never read, so a
// feed that floods the store cannot push anyone else's news out of a window.
func (b *Bot) read(ctx context.Context, what string, feeds []string, from, to time.Time, max int) ([]storage.Item, error) {
	items, dropped, err := b.db.FeedItemsAdded(ctx, feeds, from, to, max)
	if err != nil {
		return nil, err
	}
	if dropped > 0 {
		b.stats.windowDropped.add(int64(dropped))
		b.log.Warn("a window cap left out the oldest items", "window", what, "kept", len(items), "dropped", dropped,
			"from", from.Format(time.RFC3339), "to", to.Format(time.RFC3339))
	}
	return items, nil
}

func toDigestItem(it storage.Item) digest.Item {
	return digest.Item{ID: it.ID, Title: it.Title, Text: it.Text, URL: it.URL, Source: it.FeedTitle,
		FeedURL: it.FeedURL, Published: it.Published, Lang: it.Language}
}

// public reports whether every reader may see a feed's items: the catalogue (the
// configured feeds). Other feeds were added by readers and are theirs.
func (b *Bot) public(feedURL string) bool {
	_, ok := b.catalogue[feedURL]
	return ok
}

// privateFeeds are the feeds of own that are not public.
func (b *Bot) privateFeeds(own []string) []string {
	var out []string
	for _, u := range own {
		if !b.public(u) {
			out = append(out, u)
		}
	}
	return out
}

// visibleTo reports whether a reader with these own feeds may see a feed's items.
func (b *Bot) visibleTo(own []string) func(string) bool {
	mine := map[string]bool{}
	for _, u := range own {
		mine[u] = true
	}
	return func(feedURL string) bool { return b.public(feedURL) || mine[feedURL] }
}

// visibleItem returns stored item id if the chat may see it: from a public feed or one
// of the chat's own. Anything else, missing or not, is storage.ErrNotFound, so item
// numbers cannot be probed for what another reader reads.
func (b *Bot) visibleItem(ctx context.Context, chatID int64, id uint64) (storage.Item, error) {
	it, err := b.db.Item(ctx, id)
	if err != nil {
		return storage.Item{}, err
	}
	if b.public(it.FeedURL) {
		return it, nil
	}
	own, err := b.ownFeeds(ctx, chatID)
	if err != nil {
		return storage.Item{}, err
	}
	if slices.Contains(own, it.FeedURL) {
		return it, nil
	}
	return storage.Item{}, fmt.Errorf("item %d: %w", id, storage.ErrNotFound)
}
