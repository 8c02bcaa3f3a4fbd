package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Readers' items are what strangers' feeds stored. Their volume is bounded per feed
// and per user a day, but not over accounts (each account has its own allowance) nor
// over the retention's 30 days: 250 accounts at 20 MiB a day store 150 GB in a month,
// and a full disk stops the catalogue's newest news too. A budget bounds them in all,
// shared fairly among readers' feeds: past it, the feeds that hold the most give up
// their oldest items first, so that a flood of feeds shortens its own history, not a
// small feed's (found by review: oldest first over all feeds let whoever stored most
// decide how long everyone else's items lasted). Items of feeds since removed go
// before any feed's: counted feed by feed, they gave every removed feed a share of its
// own, so that adding and removing feeds drove the share down (found by review). The
// operator's feeds keep theirs, and
// so do items a discussion refers to, which the budget does not count: they cannot be
// evicted, and counting them let pinned items hold the whole budget, so that every pass
// took every other item (found by review). Pins are bounded by the comment limits.

// ReaderItemBytes returns what the stored items of readers' feeds take (ItemStoreBytes:
// their records as pages hold them, and their index keys), items with a discussion
// apart, and how many they are. An item whose
// feed is gone counts as a reader's.
func (db *DB) ReaderItemBytes(ctx context.Context) (size int64, n int, err error) {
	if err := ctxErr(ctx, "reader item bytes"); err != nil {
		return 0, 0, err
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		feeds, _, count := readerFeedBytes(tx)
		size, n = 0, count
		for _, s := range feeds {
			size += s
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reader item bytes: %w", err)
	}
	return size, n, nil
}

// readerFeedBytes sums, per reader's feed (gone feeds included), what its evictable
// items take, and counts them; gone lists the feeds no longer stored.
func readerFeedBytes(tx *bolt.Tx) (out map[string]int64, gone map[string]bool, n int) {
	items, threads, feeds := tx.Bucket(bucketItems), tx.Bucket(bucketThreads), tx.Bucket(bucketFeeds)
	operator := operatorFeeds(tx)
	out, gone = map[string]int64{}, map[string]bool{}
	c := tx.Bucket(bucketIdxFeedAdded).Cursor()
	// The index names feeds by ID: a feed's entries are one run, and its first stored
	// item tells its address.
	var run []byte
	var url string
	var named, skip bool
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		feed, id, ok := splitFeedAddedKey(k)
		if !ok {
			continue
		}
		if !bytes.Equal(feed, run) {
			run, named, skip = append(run[:0], feed...), false, false
		}
		if skip || threads.Get(id) != nil {
			continue
		}
		v := items.Get(id)
		if v == nil {
			continue
		}
		if !named {
			var it struct {
				FeedURL string `json:"feed"`
			}
			if err := json.Unmarshal(v, &it); err != nil {
				continue // an item this binary cannot read is not counted, as getItem fails on it
			}
			url, named = it.FeedURL, true
			if skip = operator(url); skip {
				continue
			}
			if _, seen := out[url]; !seen && feeds.Get([]byte(url)) == nil {
				gone[url] = true
			}
		}
		out[url] += ItemStoreBytes(len(v))
		n++
	}
	return out, gone, n
}

// fairShare is the most each feed may keep so that all together fit in budget: feeds
// under it keep everything, and the largest are cut to it (max-min fairness).
func fairShare(sizes map[string]int64, budget int64) int64 {
	all := slices.Sorted(maps.Values(sizes))
	left := budget
	for i, s := range all {
		share := left / int64(len(all)-i)
		if s > share {
			return share
		}
		left -= s
	}
	return budget // everything fits
}

// EvictReaderItems deletes readers' items until those left take at most budget bytes:
// each feed over its fair share (fairShare) gives up its oldest items (by ingestion
// time) until it is within it. Items with a discussion and the operator's items stay.
// It returns how many it deleted and what readers' items take after. Dedup keys stay,
// so the feeds do not bring the items back. It works in batches, so no write
// transaction grows large.
func (db *DB) EvictReaderItems(ctx context.Context, budget int64) (deleted int, left int64, err error) {
	if err := ctxErr(ctx, "evict reader items"); err != nil {
		return 0, 0, err
	}
	var sizes map[string]int64
	var gone map[string]bool
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		sizes, gone, _ = readerFeedBytes(tx)
		return nil
	}); err != nil {
		return 0, 0, fmt.Errorf("evict reader items: %w", err)
	}
	for _, s := range sizes {
		left += s
	}
	if left <= budget {
		return 0, left, nil
	}
	trim := func(url string, excess int64) error {
		n, freed, err := db.trimFeed(ctx, url, excess)
		deleted += n
		left -= freed
		sizes[url] -= freed
		if err != nil {
			return fmt.Errorf("evict reader items: %w", err)
		}
		return nil
	}
	// Removed feeds first, the largest first.
	for _, url := range slices.SortedFunc(maps.Keys(gone), func(a, b string) int { return cmp.Compare(sizes[b], sizes[a]) }) {
		if left <= budget {
			break
		}
		if err := trim(url, min(sizes[url], left-budget)); err != nil {
			return deleted, left, err
		}
	}
	live := maps.Clone(sizes)
	maps.DeleteFunc(live, func(url string, _ int64) bool { return gone[url] })
	var goneLeft int64 // what removed feeds keep: nothing, once past the budget
	for url := range gone {
		goneLeft += max(0, sizes[url])
	}
	if left > budget {
		share := fairShare(live, budget-goneLeft)
		for _, url := range slices.SortedFunc(maps.Keys(live), func(a, b string) int { return cmp.Compare(live[b], live[a]) }) {
			if live[url] <= share {
				break
			}
			if err := trim(url, live[url]-share); err != nil {
				return deleted, left, err
			}
		}
	}
	if deleted > 0 {
		// As Prune does: records of sent messages whose stories are all gone go too.
		if err := db.pruneMessageRecords(ctx, time.Time{}); err != nil {
			return deleted, left, fmt.Errorf("evict reader items: %w", err)
		}
	}
	return deleted, left, nil
}

// trimFeed deletes a reader's feed's oldest items, those with a discussion aside, until
// at least excess bytes are freed; it returns how many it deleted and the bytes freed.
func (db *DB) trimFeed(ctx context.Context, url string, excess int64) (deleted int, freed int64, err error) {
	const batch = 1000
	prefix := feedID(url)
	resume := prefix
	for freed < excess {
		if err := ctxErr(ctx, "trim feed"); err != nil {
			return deleted, freed, err
		}
		done := false
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			if operatorFeeds(tx)(url) {
				done = true // the operator took it up meanwhile
				return nil
			}
			items, threads := tx.Bucket(bucketItems), tx.Bucket(bucketThreads)
			c := tx.Bucket(bucketIdxFeedAdded).Cursor()
			var victims [][]byte // idx_added keys
			var looked int
			k, _ := c.Seek(resume)
			for ; k != nil && bytes.HasPrefix(k, prefix) && looked < 10*batch && len(victims) < batch && freed < excess; k, _ = c.Next() {
				looked++
				_, id, ok := splitFeedAddedKey(k)
				if !ok || threads.Get(id) != nil {
					continue
				}
				v := items.Get(id)
				if v == nil {
					continue
				}
				added := k[len(k)-16 : len(k)-8]
				victims = append(victims, concat(added, id))
				freed += ItemStoreBytes(len(v))
			}
			if k == nil || !bytes.HasPrefix(k, prefix) {
				done = true
			} else {
				resume = append([]byte(nil), k...)
			}
			for _, key := range victims {
				it, err := getItem(tx, key[8:])
				if err != nil {
					return err
				}
				if err := deleteItem(tx, key, it); err != nil {
					return err
				}
			}
			deleted += len(victims)
			return nil
		})
		if err != nil || done {
			return deleted, freed, err
		}
	}
	return deleted, freed, nil
}

// operatorFeeds reports, with a cache, whether the feed at a URL is the operator's.
func operatorFeeds(tx *bolt.Tx) func(url string) bool {
	known := map[string]bool{}
	return func(url string) bool {
		op, ok := known[url]
		if !ok {
			if f, err := getFeed(tx, url); err == nil {
				op = f.Operator()
			}
			known[url] = op
		}
		return op
	}
}

// splitFeedAddedKey takes apart an idx_feed_time key: feedID(16) | added(8) | id(8).
func splitFeedAddedKey(k []byte) (feed, id []byte, ok bool) {
	if len(k) != feedIDLen+16 {
		return nil, nil, false
	}
	return k[:feedIDLen], k[feedIDLen+8:], true
}
