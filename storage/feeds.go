package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Feed is a polled feed and its polling state.
type Feed struct {
	URL          string    `json:"url"`
	Title        string    `json:"title,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	AddedAt      time.Time `json:"added_at"`
	LastPoll     time.Time `json:"last_poll,omitempty"`
	LastSuccess  time.Time `json:"last_success,omitempty"`
	NextPoll     time.Time `json:"next_poll"`
	ErrorStreak  int       `json:"error_streak,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
	// Broken is set after a long error streak; the feed is still polled (at the backoff
	// cap) and never deleted, so an operator can see why it stopped.
	Broken bool `json:"broken,omitempty"`
	// GUIDsUnreliable is set once the feed was seen reusing one GUID for different items;
	// from then on its items are keyed by link or content hash.
	GUIDsUnreliable bool `json:"guids_unreliable,omitempty"`
	// Listed is how many entries the feed's last document listed: its dedup keys are
	// kept for twice that (PruneTombstones).
	Listed int `json:"listed,omitempty"`
	// Configured feeds are in the operator's configuration (and the catalogue readers pick
	// from); Pinned ones were added by the operator by hand (newsbot ingest --feed). Any
	// other feed lives only as long as some chat has it among its own feeds.
	Configured bool `json:"configured,omitempty"`
	Pinned     bool `json:"pinned,omitempty"`
	// Day, DayItems, DayBytes and DayPages count the items stored on one UTC day, their
	// size and the article pages fetched for them (the poller's daily caps on readers'
	// feeds).
	Day      string `json:"day,omitempty"`
	DayItems int    `json:"day_items,omitempty"`
	DayBytes int64  `json:"day_bytes,omitempty"`
	DayPages int    `json:"day_pages,omitempty"`
	// DayPageTime is the time the article pages fetched for it took that day.
	DayPageTime time.Duration `json:"day_page_time,omitempty"`
	// Deferred is set while the feed waits for the next day because every reader who
	// added it used up the day's polling time (DeferFeed); a chat that adds it
	// meanwhile brings it back at once, to be polled on its own reader's time.
	Deferred bool `json:"deferred,omitempty"`
}

// Operator reports whether the operator, not a reader, keeps this feed.
func (f Feed) Operator() bool { return f.Configured || f.Pinned }

// AddFeed registers url as an operator's feed (pinned: polled until the operator removes
// it) if it is not known yet; a new feed is due immediately. It reports whether the feed
// was added. Readers' feeds come and go with their subscribers (Subscriber.OwnFeeds).
func (db *DB) AddFeed(ctx context.Context, url string, now time.Time) (bool, error) {
	if err := ctxErr(ctx, "add feed"); err != nil {
		return false, err
	}
	added := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		f, err := getFeed(tx, url)
		switch {
		case err == nil && f.Pinned:
			return nil
		case err == nil:
			old := *f
			f.Pinned = true
			f.undefer(now)
			return putFeed(tx, &old, f)
		case !errors.Is(err, ErrNotFound):
			return err
		}
		added = true
		return putFeed(tx, nil, &Feed{URL: url, AddedAt: now, NextPoll: now, Pinned: true})
	})
	if err != nil {
		return false, fmt.Errorf("add feed %s: %w", url, err)
	}
	return added, nil
}

// bucketFeedsGone keeps a collected feed's record a week (feeds_gone: URL -> goneFeed),
// so that a chat taking it up again gets its schedule back: its next poll, its error
// backoff and broken mark, its validators and its day's counts. Removing the bot and
// adding it back (or blocking and unblocking it) must not make a reader's feeds due at
// once, past their spacing, backoff and conditional requests (found by review).
var bucketFeedsGone = []byte("feeds_gone")

// goneFeedsKeep is how long a collected feed's record is kept.
const goneFeedsKeep = 7 * 24 * time.Hour

// goneFeed is a collected feed's record, when it was collected, and the chat whose
// change collected it (0: the operator's), whose /forget deletes it.
type goneFeed struct {
	Feed   Feed      `json:"feed"`
	GoneAt time.Time `json:"gone_at"`
	By     int64     `json:"by,omitempty"`
}

// ensureFeed creates a reader's feed if it is not known yet: due at once, or as it was
// when collected within the week. A feed put off for its readers' polling time is due
// at once again: the chat adding it may have time left, and must not wait a day for the
// others.
func ensureFeed(tx *bolt.Tx, url string, now time.Time) error {
	if tx.Bucket(bucketFeeds).Get([]byte(url)) == nil {
		f := Feed{URL: url, AddedAt: now, NextPoll: now}
		gone := tx.Bucket(bucketFeedsGone)
		if g, err := getJSON[goneFeed](gone, []byte(url), "gone feed", url); err == nil && now.Sub(g.GoneAt) < goneFeedsKeep {
			f = g.Feed
			f.Configured, f.Pinned = false, false
			f.undefer(now)
		}
		if err := gone.Delete([]byte(url)); err != nil {
			return err
		}
		return putFeed(tx, nil, &f)
	}
	old, err := getFeed(tx, url)
	if err != nil || !old.Deferred {
		return err
	}
	f := *old
	f.undefer(now)
	return putFeed(tx, old, &f)
}

// undefer makes a feed put off for its readers' polling time due at once: someone
// else now needs it (a chat that added it, the operator).
func (f *Feed) undefer(now time.Time) {
	if !f.Deferred {
		return
	}
	f.Deferred = false
	if now.Before(f.NextPoll) {
		f.NextPoll = now
	}
}

// SyncConfiguredFeeds marks exactly urls as the configured feeds: new ones are added
// (due at once), and a feed that left the configuration is kept only while a pin or a
// reader's subscription still needs it. It returns how many feeds stopped being polled.
func (db *DB) SyncConfiguredFeeds(ctx context.Context, urls []string, now time.Time) (int, error) {
	if err := ctxErr(ctx, "sync configured feeds"); err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, u := range urls {
		want[u] = true
	}
	removed := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		removed = 0
		var all []Feed
		if err := tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var f Feed
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode feed %s: %w", k, err)
			}
			all = append(all, f)
			return nil
		}); err != nil {
			return err
		}
		for _, f := range all {
			if f.Configured == want[f.URL] {
				continue
			}
			old := f
			f.Configured = want[f.URL]
			if f.Configured {
				f.undefer(now)
			}
			if err := putFeed(tx, &old, &f); err != nil {
				return err
			}
			gone, err := collectFeed(tx, f.URL, now, 0)
			if err != nil {
				return err
			}
			if gone {
				removed++
			}
		}
		for _, u := range urls {
			if tx.Bucket(bucketFeeds).Get([]byte(u)) == nil {
				if err := putFeed(tx, nil, &Feed{URL: u, AddedAt: now, NextPoll: now, Configured: true}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sync configured feeds: %w", err)
	}
	return removed, nil
}

// SweepFeeds removes every feed that neither the operator nor any reader needs (feeds of
// databases written before feeds had owners) and returns how many it removed.
func (db *DB) SweepFeeds(ctx context.Context) (int, error) {
	if err := ctxErr(ctx, "sweep feeds"); err != nil {
		return 0, err
	}
	removed := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		removed = 0
		var urls []string
		if err := tx.Bucket(bucketFeeds).ForEach(func(k, _ []byte) error {
			urls = append(urls, string(k))
			return nil
		}); err != nil {
			return err
		}
		for _, u := range urls {
			gone, err := collectFeed(tx, u, time.Now(), 0)
			if err != nil {
				return err
			}
			if gone {
				removed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep feeds: %w", err)
	}
	return removed, nil
}

// Feed owners: feed URL | 0x00 | chat(8) -> when the chat took the feed up (Unix ns;
// nil in entries written before), one key per active chat that has the feed among its
// own feeds.
func ownerKey(url string, chat int64) []byte { return concat([]byte(url), []byte{0}, i64(chat)) }

func hasOwners(tx *bolt.Tx, url string) bool {
	prefix := concat([]byte(url), []byte{0})
	k, _ := tx.Bucket(bucketFeedOwners).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8
}

// FeedOwners lists the active chats that keep url among their own feeds (the owners
// index: an inactive chat keeps its list, but owns none).
func (db *DB) FeedOwners(ctx context.Context, url string) ([]int64, error) {
	if err := ctxErr(ctx, "feed owners"); err != nil {
		return nil, err
	}
	var out []int64
	prefix := concat([]byte(url), []byte{0})
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFeedOwners).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) == len(prefix)+8 {
				out = append(out, int64(beU64(k[len(prefix):])))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feed owners of %s: %w", url, err)
	}
	return out, nil
}

// collectFeed deletes the feed at url when nothing needs it any more; its items stay and
// age out with retention, and its schedule is kept a week in feeds_gone under by, the
// chat whose change collected it (nothing when now is zero: a chat being deleted). It
// reports whether the feed was deleted.
func collectFeed(tx *bolt.Tx, url string, now time.Time, by int64) (bool, error) {
	f, err := getFeed(tx, url)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if f.Operator() || hasOwners(tx, url) {
		return false, nil
	}
	if err := tx.Bucket(bucketFeedDue).Delete(concat(timeKey(f.NextPoll), []byte(url))); err != nil {
		return false, err
	}
	if !now.IsZero() { // a chat deleted (/forget) leaves nothing of its feeds behind
		// The schedule only: the title and last error come back with the next poll.
		kept := *f
		kept.Title, kept.LastError = "", ""
		if err := putJSON(tx.Bucket(bucketFeedsGone), []byte(url), goneFeed{Feed: kept, GoneAt: now, By: by}); err != nil {
			return false, err
		}
	}
	return true, tx.Bucket(bucketFeeds).Delete([]byte(url))
}

// forgetGoneFeeds deletes the records of feeds that chat's changes collected.
func forgetGoneFeeds(tx *bolt.Tx, chat int64) error {
	tag := []byte(fmt.Sprintf(`"by":%d}`, chat)) // the last field: most records need no decoding
	return deleteWhere(tx.Bucket(bucketFeedsGone), func(_, v []byte) bool {
		var g goneFeed
		return bytes.Contains(v, tag) && json.Unmarshal(v, &g) == nil && g.By == chat
	})
}

// PruneGoneFeeds deletes the records of feeds collected more than a week before now,
// and returns how many.
func (db *DB) PruneGoneFeeds(ctx context.Context, now time.Time) (int, error) {
	if err := ctxErr(ctx, "prune gone feeds"); err != nil {
		return 0, err
	}
	var old [][]byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeedsGone).ForEach(func(k, v []byte) error {
			var g goneFeed
			if json.Unmarshal(v, &g) != nil || now.Sub(g.GoneAt) >= goneFeedsKeep {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
	})
	if err != nil || len(old) == 0 {
		return 0, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		gone := tx.Bucket(bucketFeedsGone)
		for _, k := range old {
			var g goneFeed
			if v := gone.Get(k); v != nil && json.Unmarshal(v, &g) == nil && now.Sub(g.GoneAt) < goneFeedsKeep {
				continue // collected again meanwhile
			}
			if err := gone.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune gone feeds: %w", err)
	}
	return len(old), nil
}

// setOwnFeeds moves chat's owner keys from the feeds in before to those in after,
// creating new feeds and collecting abandoned ones.
func setOwnFeeds(tx *bolt.Tx, chat int64, before, after []string, now time.Time) error {
	keep := map[string]bool{}
	for _, u := range after {
		keep[u] = true
	}
	had := map[string]bool{}
	for _, u := range before {
		had[u] = true
		if keep[u] {
			continue
		}
		if err := deleteOwner(tx, u, chat); err != nil {
			return err
		}
		if _, err := collectFeed(tx, u, now, chat); err != nil {
			return err
		}
	}
	for _, u := range after {
		if had[u] {
			continue
		}
		if err := ensureFeed(tx, u, now); err != nil {
			return err
		}
		// The value is when the chat took the feed up: making room takes the newest.
		if err := setOwner(tx, u, chat, timeKey(now)); err != nil {
			return err
		}
	}
	return nil
}

// ReaderFeedCount is the number of distinct feeds that readers added and the operator
// does not keep: what the global cap on readers' feeds counts.
func (db *DB) ReaderFeedCount(ctx context.Context) (int, error) {
	if err := ctxErr(ctx, "reader feed count"); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = readerFeedCount(tx)
		return nil
	})
	return n, err
}

// putFeed writes f and moves its due-index entry from old (if any) to f.NextPoll.
func putFeed(tx *bolt.Tx, old *Feed, f *Feed) error {
	due := tx.Bucket(bucketFeedDue)
	if old != nil {
		if err := due.Delete(concat(timeKey(old.NextPoll), []byte(old.URL))); err != nil {
			return err
		}
	}
	if err := due.Put(concat(timeKey(f.NextPoll), []byte(f.URL)), nil); err != nil {
		return err
	}
	if err := putJSON(tx.Bucket(bucketFeeds), []byte(f.URL), f); err != nil {
		return err
	}
	if old == nil || old.Operator() != f.Operator() {
		return refreshReaderFeed(tx, f.URL) // the operator took it up or gave it up
	}
	return nil
}

func getFeed(tx *bolt.Tx, url string) (*Feed, error) {
	return getJSON[Feed](tx.Bucket(bucketFeeds), []byte(url), "feed", url)
}

// Feed returns the feed stored under url, or ErrNotFound.
func (db *DB) Feed(ctx context.Context, url string) (Feed, error) {
	if err := ctxErr(ctx, "get feed"); err != nil {
		return Feed{}, err
	}
	var f *Feed
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		f, err = getFeed(tx, url)
		return err
	})
	if err != nil {
		return Feed{}, fmt.Errorf("get feed %s: %w", url, err)
	}
	return *f, nil
}

// UpdateFeed stores the polling state of an existing feed and reindexes its due time.
func (db *DB) UpdateFeed(ctx context.Context, f Feed) error {
	if err := ctxErr(ctx, "update feed"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getFeed(tx, f.URL)
		if err != nil {
			return err
		}
		// Who keeps the feed is not the poller's to change: a pin or the configuration
		// set while its poll ran must survive the poll's copy (found by review).
		f.Pinned, f.Configured = old.Pinned, old.Configured
		return putFeed(tx, old, &f)
	})
	if err != nil {
		return fmt.Errorf("update feed %s: %w", f.URL, err)
	}
	return nil
}

// DeferFeed puts the feed at url off until at least until: a feed whose readers, the
// accounts it is charged to, used up the day's polling time waits for the next day. It
// does nothing, and reports false, when the feed is now charged to an account not
// among them (one added it since they were read), is the operator's, is due later
// already, or is gone.
func (db *DB) DeferFeed(ctx context.Context, url string, accounts []int64, until time.Time) (bool, error) {
	if err := ctxErr(ctx, "defer feed"); err != nil {
		return false, err
	}
	deferred := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		deferred = false
		old, err := getFeed(tx, url)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || !old.NextPoll.Before(until) || old.Operator() {
			return err
		}
		current, err := feedAccounts(tx, url)
		if err != nil {
			return err
		}
		for _, a := range current {
			if !slices.Contains(accounts, a) {
				return nil
			}
		}
		deferred = true
		f := *old
		f.NextPoll, f.Deferred = until, true
		return putFeed(tx, old, &f)
	})
	if err != nil {
		return false, fmt.Errorf("defer feed %s: %w", url, err)
	}
	return deferred, nil
}

// RemoveFeed deletes a feed record and its due entry; its items stay.
func (db *DB) RemoveFeed(ctx context.Context, url string) error {
	if err := ctxErr(ctx, "remove feed"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getFeed(tx, url)
		if err != nil {
			return fmt.Errorf("remove feed %s: %w", url, err)
		}
		if err := tx.Bucket(bucketFeedDue).Delete(concat(timeKey(old.NextPoll), []byte(url))); err != nil {
			return err
		}
		if err := tx.Bucket(bucketFeeds).Delete([]byte(url)); err != nil {
			return err
		}
		return refreshReaderFeed(tx, url) // an unknown feed takes no room
	})
}

// Feeds returns every feed, ordered by URL.
func (db *DB) Feeds(ctx context.Context) ([]Feed, error) {
	if err := ctxErr(ctx, "list feeds"); err != nil {
		return nil, err
	}
	var out []Feed
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var f Feed
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode feed %s: %w", k, err)
			}
			out = append(out, f)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// DueFeeds returns up to limit feeds whose next poll is at or before now, earliest
// first, by a range scan over the due index (limit <= 0 means no limit).
func (db *DB) DueFeeds(ctx context.Context, now time.Time, limit int) ([]Feed, error) {
	if err := ctxErr(ctx, "due feeds"); err != nil {
		return nil, err
	}
	var out []Feed
	end := timeKey(now)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFeedDue).Cursor()
		for k, _ := c.First(); k != nil && string(k[:8]) <= string(end); k, _ = c.Next() {
			f, err := getFeed(tx, string(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, *f)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due feeds: %w", err)
	}
	return out, nil
}

// NextDue returns the earliest next-poll time of any feed, or false when there are none.
func (db *DB) NextDue(ctx context.Context) (time.Time, bool, error) {
	if err := ctxErr(ctx, "next due"); err != nil {
		return time.Time{}, false, err
	}
	var t time.Time
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketFeedDue).Cursor().First()
		if k != nil {
			ok = true
			t = time.Unix(0, int64(beU64(k[:8])))
		}
		return nil
	})
	return t, ok, err
}
