package storage

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Readers' items are what strangers' feeds stored. Their volume is bounded per feed
// and per user a day, but not over accounts (each account has its own allowance) nor
// over the retention's 30 days: 250 accounts at 20 MiB a day store 150 GB in a month,
// and a full disk stops the catalogue's newest news too. A budget bounds them in all:
// past it, the oldest readers' items go first, and the operator's feeds keep theirs.

// ReaderItemBytes returns what the stored items of readers' feeds take (their records,
// indexes aside) and how many they are. An item whose feed is gone counts as a
// reader's: only the operator's feeds are kept, and they are in the store.
func (db *DB) ReaderItemBytes(ctx context.Context) (size int64, n int, err error) {
	if err := ctxErr(ctx, "reader item bytes"); err != nil {
		return 0, 0, err
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		size, n = 0, 0
		items := tx.Bucket(bucketItems)
		operator := operatorFeeds(tx)
		c := tx.Bucket(bucketIdxFeedAdded).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			url, id, ok := splitFeedAddedKey(k)
			if !ok || operator(url) {
				continue
			}
			if v := items.Get(id); v != nil {
				size += int64(len(v))
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reader item bytes: %w", err)
	}
	return size, n, nil
}

// EvictReaderItems deletes the oldest items of readers' feeds (by ingestion time) until
// those left take at most budget bytes, except items a discussion refers to (as Prune
// keeps them); it returns how many it deleted and what those left take. Their dedup
// keys stay, so the feeds do not bring them back. It works in batches, so no write
// transaction grows large.
func (db *DB) EvictReaderItems(ctx context.Context, budget int64) (deleted int, left int64, err error) {
	size, _, err := db.ReaderItemBytes(ctx)
	if err != nil || size <= budget {
		return 0, size, err
	}
	const batch = 1000
	var resume []byte // items only ever join at the newest end: a pass goes on from here
	for size > budget {
		if err := ctxErr(ctx, "evict reader items"); err != nil {
			return deleted, size, err
		}
		done := false
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			items, threads := tx.Bucket(bucketItems), tx.Bucket(bucketThreads)
			operator := operatorFeeds(tx)
			c := tx.Bucket(bucketIdxAdded).Cursor()
			k, _ := c.First()
			if resume != nil {
				k, _ = c.Seek(resume)
			}
			var victims [][]byte
			var freed int64
			for ; k != nil && len(victims) < batch && size-freed > budget; k, _ = c.Next() {
				id := k[8:]
				v := items.Get(id)
				if v == nil || threads.Get(id) != nil {
					continue
				}
				var owner struct {
					FeedURL string `json:"feed"`
				}
				if json.Unmarshal(v, &owner) != nil || operator(owner.FeedURL) {
					continue
				}
				victims = append(victims, append([]byte(nil), k...))
				freed += int64(len(v))
			}
			if k == nil {
				done = true // the oldest end holds nothing more to take
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
			size -= freed
			deleted += len(victims)
			return nil
		})
		if err != nil {
			return deleted, size, fmt.Errorf("evict reader items: %w", err)
		}
		if done {
			break
		}
	}
	return deleted, size, nil
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

// splitFeedAddedKey takes apart an idx_feed_added key: feed URL | 0x00 | added(8) |
// id(8).
func splitFeedAddedKey(k []byte) (url string, id []byte, ok bool) {
	if len(k) < 17 || k[len(k)-17] != 0 {
		return "", nil, false
	}
	return string(k[:len(k)-17]), k[len(k)-8:], true
}
