package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Item is one stored article.
type Item struct {
	ID        uint64 `json:"id"`
	FeedURL   string `json:"feed"`
	FeedTitle string `json:"feed_title,omitempty"`
	// Key is the per-feed identity used for dedup: "g:"+GUID, "u:"+canonical URL or
	// "h:"+content hash.
	Key       string    `json:"key"`
	GUID      string    `json:"guid,omitempty"`
	URL       string    `json:"url,omitempty"`
	Title     string    `json:"title"`
	Author    string    `json:"author,omitempty"`
	Published time.Time `json:"published"`
	Added     time.Time `json:"added"`
	// Teaser is the feed's own description when the article's full text replaced it
	// (empty when Text is the feed's own); Text is the best full text we have.
	Teaser   string `json:"teaser,omitempty"`
	Text     string `json:"text,omitempty"`
	FullText bool   `json:"full_text,omitempty"`
	Language string `json:"language,omitempty"`
	Words    int    `json:"words"`
}

func beU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// itemKey is an item's dedup key in the store: its feed's ID and a hash of its Key.
// Neither grows with what a feed's writer chose (review 78: with the address in every
// key, a 2,048-byte address left 7.9 KB a tombstone; a long GUID did the same).
func itemKey(feedURL, key string) []byte {
	h := sha256.Sum256([]byte(key))
	return concat(feedID(feedURL), h[:feedIDLen])
}

// feedIDLen is the length of a feed's ID in keys.
const feedIDLen = 16

// feedID names a feed in index keys: the first 16 bytes of its address's SHA-256, so
// that keys stay short however long the address (a collision needs about 2^64 feeds).
func feedID(feedURL string) []byte {
	h := sha256.Sum256([]byte(feedURL))
	return h[:feedIDLen]
}

// moveFeedKeys moves schema 19's dedup keys and feed-by-time index to schema 20's keys
// (hashFeedKeys) before that migration, feed by feed in the order of the new keys, in
// transactions of about moveKeysBatch keys: in the migration's one transaction every
// key was held in memory at once (review 84: 388 MiB at 1,000,000 tombstones, 962 MiB
// at 3,000,000), and a store too large for the memory would never open again. A feed
// moves whole in one transaction and leaves the old buckets in it, so a crash leaves a
// store the next start takes on from where it was; the migration then finds the old
// buckets empty.
func (db *DB) moveFeedKeys() error {
	var feeds []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		feeds = legacyFeeds(tx)
		return nil
	})
	if err != nil {
		return fmt.Errorf("move feed keys: %w", err)
	}
	for len(feeds) > 0 {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			moved := 0
			for len(feeds) > 0 && moved < moveKeysBatch {
				n, err := moveFeed(tx, feeds[0])
				if err != nil {
					return err
				}
				moved += n
				feeds = feeds[1:]
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("move feed keys: %w", err)
		}
	}
	return nil
}

// legacyFeeds lists the feeds schema 19's buckets still hold keys of, in the order of
// their IDs (the order they move in).
func legacyFeeds(tx *bolt.Tx) []string {
	var feeds []string
	seen := map[string]bool{}
	for _, name := range [][]byte{bucketItemKeysV1, bucketIdxFeedAddedV1} {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		// An address holds no NUL (url.Parse refuses control characters): the first
		// one ends it, and a seek past it skips to the next feed.
		c := b.Cursor()
		for k, _ := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				k, _ = c.Next()
				continue
			}
			u := string(k[:i])
			if !seen[u] {
				seen[u] = true
				feeds = append(feeds, u)
			}
			k, _ = c.Seek(append([]byte(u), 1))
		}
	}
	slices.SortFunc(feeds, func(a, b string) int { return bytes.Compare(feedID(a), feedID(b)) })
	return feeds
}

// moveKeysBatch is about how many keys moveFeedKeys moves in one transaction.
var moveKeysBatch = 100_000

// moveFeed moves one feed's dedup keys and index entries from schema 19's buckets to
// schema 20's inside tx, and returns how many it moved. Feeds move in the order of
// their IDs and a feed's keys are put sorted, so every put lands at the end of the new
// buckets.
func moveFeed(tx *bolt.Tx, url string) (int, error) {
	keys, err := tx.CreateBucketIfNotExists(bucketItemKeys)
	if err != nil {
		return 0, err
	}
	idx, err := tx.CreateBucketIfNotExists(bucketIdxFeedAdded)
	if err != nil {
		return 0, err
	}
	keys.FillPercent, idx.FillPercent = 0.9, 0.9
	prefix := append([]byte(url), 0)
	id := feedID(url)
	moved := 0
	if old := tx.Bucket(bucketItemKeysV1); old != nil {
		type entry struct {
			key [2 * feedIDLen]byte
			val [8]byte
		}
		var entries []entry
		c := old.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(v) == 8 {
				entries = append(entries, entry{[2 * feedIDLen]byte(itemKey(url, string(k[len(prefix):]))), [8]byte(v)})
			}
		}
		slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key[:], b.key[:]) })
		for _, e := range entries {
			if err := keys.Put(e.key[:], e.val[:]); err != nil {
				return moved, err
			}
		}
		moved += len(entries)
		if err := deletePrefix(old, prefix); err != nil {
			return moved, err
		}
	}
	if old := tx.Bucket(bucketIdxFeedAddedV1); old != nil {
		// added(8) | id(8) after the address: already in order.
		c := old.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) == len(prefix)+16 {
				if err := idx.Put(concat(id, k[len(prefix):]), nil); err != nil {
					return moved, err
				}
				moved++
			}
		}
		if err := deletePrefix(old, prefix); err != nil {
			return moved, err
		}
	}
	return moved, nil
}

// pageBytes is the store's page (bbolt's default, the OS page: 4 KiB here).
var pageBytes = os.Getpagesize()

// ItemStoreBytes is what an item whose record is record bytes of JSON takes in the
// store: the record as pages hold it (a page holds whole records, filled to 90%, so one
// of 2.1 KB takes a page of 4 KiB alone; a record past a page takes pages of its own),
// and its keys in the indexes with their headers, counted twice: the per-feed and
// dedup indexes take keys in no order, and their pages stay half full. Charging the
// record's text alone, 2,000 tiny items took 12.8 times what they were charged, and
// records of 2.1 KB twice (review 84); counting pages full and the indexes as a
// compacted store holds them, a live store filled by two feeds in turn held 1.4 to
// 1.56 times the count (review 85). feed's TestItemChargeIsWhatTheStoreTakes measures
// both.
func ItemStoreBytes(record int) int64 {
	const element, key = 16, 8 // a leaf element's header; an item's key
	// items 8, idx_added 16, idx_published 16, idx_feed_time 32, dedup_keys 40,
	// item_story 16, six headers and a share of branch pages; twice.
	const indexes = 2 * (128 + 6*element + 64)
	usable := (pageBytes - element) * 9 / 10
	if per := usable / (record + element + key); per >= 1 {
		return int64(pageBytes/per + indexes)
	}
	pages := (record + 2*element + key + pageBytes - 1) / pageBytes
	return int64(pages*pageBytes + indexes)
}

// hashFeedKeys moves the dedup keys and the feed-by-time index, keyed by feed address
// until schema 20, to keys by feed ID (feedID), drops the old buckets, and notes each
// feed's newest item (LastItemIDOf). Opening a store moves the keys before, in
// transactions of their own (moveFeedKeys).
func hashFeedKeys(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketIdxFeedAdded)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(bucketItemKeys); err != nil {
		return err
	}
	// What the move before left (all of it when the migrations run in one
	// transaction, as tests run them), moved as it moves.
	for _, feed := range legacyFeeds(tx) {
		if _, err := moveFeed(tx, feed); err != nil {
			return err
		}
	}
	for _, name := range [][]byte{bucketItemKeysV1, bucketIdxFeedAddedV1} {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
	}
	// Each feed's newest item, from the index.
	lasts, err := tx.CreateBucketIfNotExists(bucketFeedLast)
	if err != nil {
		return err
	}
	newest := map[string]uint64{}
	if err := idx.ForEach(func(k, _ []byte) error {
		if feed, id, ok := splitFeedAddedKey(k); ok {
			newest[string(feed)] = max(newest[string(feed)], beU64(id))
		}
		return nil
	}); err != nil {
		return err
	}
	for feed, id := range newest {
		if err := lasts.Put([]byte(feed), u64(id)); err != nil {
			return err
		}
	}
	return nil
}

// HasItemKeys reports, for each key, whether feedURL already has an item (or a
// tombstone) with that dedup key. It lets the poller skip fetching full text for
// items it already has.
func (db *DB) HasItemKeys(ctx context.Context, feedURL string, keys []string) ([]bool, error) {
	if err := ctxErr(ctx, "has item keys"); err != nil {
		return nil, err
	}
	out := make([]bool, len(keys))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItemKeys)
		for i, k := range keys {
			out[i] = b.Get(itemKey(feedURL, k)) != nil
		}
		return nil
	})
	return out, err
}

// AddItems stores the items of one feed that are not stored yet (by feed and Key) in
// one transaction, assigning IDs and Added times, and returns the items it stored.
func (db *DB) AddItems(ctx context.Context, feedURL string, items []Item, now time.Time) ([]Item, error) {
	if err := ctxErr(ctx, "add items"); err != nil {
		return nil, err
	}
	var added []Item
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		added = added[:0]
		keys := tx.Bucket(bucketItemKeys)
		itemsB := tx.Bucket(bucketItems)
		// Items and the time index only grow at their end: full pages, not half.
		itemsB.FillPercent = 0.9
		tx.Bucket(bucketIdxAdded).FillPercent = 0.9
		seen := map[string]bool{}
		for _, it := range items {
			if it.Key == "" {
				return fmt.Errorf("item %q has no dedup key", it.Title)
			}
			k := itemKey(feedURL, it.Key)
			if seen[it.Key] || keys.Get(k) != nil {
				continue
			}
			seen[it.Key] = true
			id, err := itemsB.NextSequence()
			if err != nil {
				return err
			}
			it.ID = id
			it.FeedURL = feedURL
			it.Added = now
			if it.Published.IsZero() {
				it.Published = now
			}
			idb := u64(id)
			if err := putJSON(itemsB, idb, &it); err != nil {
				return err
			}
			if err := keys.Put(k, idb); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIdxAdded).Put(concat(timeKey(it.Added), idb), nil); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIdxPublished).Put(concat(timeKey(it.Published), idb), nil); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIdxFeedAdded).Put(feedAddedKey(feedURL, it.Added, id), nil); err != nil {
				return err
			}
			added = append(added, it)
		}
		if len(added) == 0 {
			return nil
		}
		return tx.Bucket(bucketFeedLast).Put(feedID(feedURL), u64(added[len(added)-1].ID))
	})
	if err != nil {
		return nil, fmt.Errorf("add items for %s: %w", feedURL, err)
	}
	return added, nil
}

func getItem(tx *bolt.Tx, id []byte) (*Item, error) {
	return getJSON[Item](tx.Bucket(bucketItems), id, "item", beU64(id))
}

// Item returns one item by ID, or ErrNotFound.
func (db *DB) Item(ctx context.Context, id uint64) (Item, error) {
	if err := ctxErr(ctx, "get item"); err != nil {
		return Item{}, err
	}
	var it *Item
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		it, err = getItem(tx, u64(id))
		return err
	})
	if err != nil {
		return Item{}, fmt.Errorf("get item %d: %w", id, err)
	}
	return *it, nil
}

// LastItemID returns the ID of the newest stored item (0 when there is none): what tells
// a cache that items arrived.
func (db *DB) LastItemID(ctx context.Context) (uint64, error) {
	if err := ctxErr(ctx, "last item"); err != nil {
		return 0, err
	}
	var id uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id = tx.Bucket(bucketItems).Sequence()
		return nil
	})
	return id, err
}

// LastItemIDOf returns the ID of the newest item the given feeds stored (0 when they
// have none): what tells a cache that depends on those feeds alone that their items
// arrived, when LastItemID moves with every reader's feed (review 83: one stranger's
// item a minute kept every card composed anew). One read a feed.
func (db *DB) LastItemIDOf(ctx context.Context, feeds []string) (uint64, error) {
	if err := ctxErr(ctx, "last item of feeds"); err != nil {
		return 0, err
	}
	var last uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFeedLast)
		for _, f := range feeds {
			if v := b.Get(feedID(f)); len(v) == 8 {
				last = max(last, beU64(v))
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("last item of feeds: %w", err)
	}
	return last, nil
}

// ItemsAfter returns up to limit items with IDs after after, in ID order (the order
// they were stored): the story tracker's feed of new reports.
func (db *DB) ItemsAfter(ctx context.Context, after uint64, limit int) ([]Item, error) {
	if err := ctxErr(ctx, "items after"); err != nil {
		return nil, err
	}
	var out []Item
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			var it Item
			if err := jsonUnmarshal(v, &it, "item"); err != nil {
				return err
			}
			out = append(out, it)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("items after %d: %w", after, err)
	}
	return out, nil
}

// UpdateItem rewrites an existing item's content fields (text, language, title...);
// ID, feed, key and times are kept as stored.
func (db *DB) UpdateItem(ctx context.Context, it Item) error {
	if err := ctxErr(ctx, "update item"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getItem(tx, u64(it.ID))
		if err != nil {
			return fmt.Errorf("update item %d: %w", it.ID, err)
		}
		it.FeedURL, it.Key, it.Added, it.Published = old.FeedURL, old.Key, old.Added, old.Published
		return putJSON(tx.Bucket(bucketItems), u64(it.ID), &it)
	})
}

// Items returns up to limit items, newest published first (limit <= 0: all).
func (db *DB) Items(ctx context.Context, limit int) ([]Item, error) {
	if err := ctxErr(ctx, "list items"); err != nil {
		return nil, err
	}
	var out []Item
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIdxPublished).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			it, err := getItem(tx, k[8:])
			if err != nil {
				return err
			}
			out = append(out, *it)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	return out, nil
}

// ItemsAdded returns the items stored in [from, to), newest first, by a reverse range
// scan over the added index. At most limit items are returned (limit <= 0: all); when
// the limit cuts, it is the oldest that are left out, and dropped says how many, so a
// caller can say so instead of losing them silently.
func (db *DB) ItemsAdded(ctx context.Context, from, to time.Time, limit int) (items []Item, dropped int, err error) {
	if err := ctxErr(ctx, "items added"); err != nil {
		return nil, 0, err
	}
	lo, hi := string(timeKey(from)), timeKey(to)
	err = db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIdxAdded).Cursor()
		k, _ := c.Seek(hi) // first key at or after to: step back from there
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && string(k[:8]) >= lo; k, _ = c.Prev() {
			if limit > 0 && len(items) >= limit {
				dropped++ // keys only: counting what the limit leaves out costs no decoding
				continue
			}
			it, err := getItem(tx, k[8:])
			if err != nil {
				return err
			}
			items = append(items, *it)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("items added %s..%s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return items, dropped, nil
}

// feedAddedKey is an item's key in the per-feed added index:
// feed URL | 0x00 | added(8) | id(8).
func feedAddedKey(feedURL string, added time.Time, id uint64) []byte {
	return concat(feedID(feedURL), timeKey(added), u64(id))
}

// FeedItemsAdded is ItemsAdded over the given feeds only: the items they stored in
// [from, to), newest first, at most limit (limit <= 0: all), with the number of older
// ones the limit left out. Other feeds' items are never read, however many there are.
func (db *DB) FeedItemsAdded(ctx context.Context, feeds []string, from, to time.Time, limit int) (items []Item, dropped int, err error) {
	return db.FeedItemsWhere(ctx, feeds, from, to, nil, limit)
}

// Forever is later than any item's clock: the end of a window that has none.
var Forever = time.Unix(0, math.MaxInt64)

// FeedItemsWhere is FeedItemsAdded of the items keep (nil: all) picks by their stored
// clock and ID alone: the limit counts only those, and only those are decoded (the
// index keys in [from, to) are all read). An item is stamped with its poll's clock
// before it is stored, so its ID, not its clock, tells whether a reader who read up to
// some item has seen it.
func (db *DB) FeedItemsWhere(ctx context.Context, feeds []string, from, to time.Time, keep func(added time.Time, id uint64) bool, limit int) (items []Item, dropped int, err error) {
	if err := ctxErr(ctx, "feed items added"); err != nil {
		return nil, 0, err
	}
	type ref struct {
		added, id uint64
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		var refs []ref
		c := tx.Bucket(bucketIdxFeedAdded).Cursor()
		seen := map[string]bool{}
		for _, f := range feeds {
			if seen[f] {
				continue
			}
			seen[f] = true
			prefix := feedID(f)
			lo, hi := concat(prefix, timeKey(from)), concat(prefix, timeKey(to))
			// Newest first: past a feed's limit its picks are only counted, so a read
			// keeps at most limit of each feed to sort, not the window's every key (a
			// feed filing 2,000 items a day has 60,000 in 30 days).
			k, _ := c.Seek(hi)
			if k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
			kept := 0
			for ; k != nil && bytes.Compare(k, lo) >= 0; k, _ = c.Prev() {
				if len(k) != len(prefix)+16 || !bytes.HasPrefix(k, prefix) {
					break
				}
				added, id := beU64(k[len(prefix):]), beU64(k[len(prefix)+8:])
				if keep != nil && !keep(time.Unix(0, int64(added)), id) {
					continue
				}
				if kept++; limit <= 0 || kept <= limit {
					refs = append(refs, ref{added, id})
				} else {
					dropped++
				}
			}
		}
		sort.Slice(refs, func(a, b int) bool {
			if refs[a].added != refs[b].added {
				return refs[a].added > refs[b].added
			}
			return refs[a].id > refs[b].id
		})
		if limit > 0 && len(refs) > limit {
			dropped, refs = dropped+len(refs)-limit, refs[:limit]
		}
		for _, r := range refs {
			it, err := getItem(tx, u64(r.id))
			if err != nil {
				return err
			}
			items = append(items, *it)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("feed items added: %w", err)
	}
	return items, dropped, nil
}

// PinThread records that a discussion thread refers to item id, which keeps the item
// from being pruned. It fails with ErrNotFound when the item does not exist.
func (db *DB) PinThread(ctx context.Context, id uint64, now time.Time) error {
	if err := ctxErr(ctx, "pin thread"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := getItem(tx, u64(id)); err != nil {
			return fmt.Errorf("pin thread %d: %w", id, err)
		}
		b := tx.Bucket(bucketThreads)
		if b.Get(u64(id)) != nil {
			return nil
		}
		return putJSON(b, u64(id), map[string]any{"item": id, "created": now})
	})
}

// Prune deletes items stored before cutoff (by ingestion time, so a feed that carries
// old dates does not lose its items the moment they arrive), except items a discussion
// thread refers to, and returns how many it deleted. Dedup keys stay as tombstones so a
// feed that still lists a pruned item does not bring it back, unless the feed itself is
// gone. It works in batches so no single
// write transaction grows large.
func (db *DB) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	var from []byte // where the next batch starts: the items before it are gone or pinned
	for {
		if err := ctxErr(ctx, "prune"); err != nil {
			return total, err
		}
		n, more, err := db.pruneBatch(cutoff, 1000, &from)
		total += n
		if err != nil {
			return total, fmt.Errorf("prune: %w", err)
		}
		if !more {
			if err := db.pruneMessageRecords(ctx, cutoff); err != nil {
				return total, fmt.Errorf("prune: %w", err)
			}
			return total, nil
		}
	}
}

// pruneMessageRecords drops records of sent digests and cards whose stories are all
// gone, or that were queued before cutoff (zero: none), so the map of sent messages does
// not grow forever; and the discussion pages and follows of stories that are gone. Each
// is a sweep: a page of records read at a time, so that the single writer is held for
// a page's deletions, not for the pass.
//
// A discussion keeps its story for good, and every digest and card of it used to keep
// its record as long: a reader asking for one such card again and again (28,800 a day
// at the update rate) grew the store for good (audit 62). A reply to a digest or card
// older than retention is no longer a comment; the story's card, asked for again, takes
// one.
func (db *DB) pruneMessageRecords(ctx context.Context, cutoff time.Time) error {
	gone := func(tx *bolt.Tx, item []byte) bool { return tx.Bucket(bucketItems).Get(item) == nil }
	if _, err := db.sweep(ctx, bucketMsgMap, func(tx *bolt.Tx, _, v []byte) bool {
		var rec struct { // what the pass reads of a MessageRecord
			Kind    RecordKind `json:"kind"`
			Items   []uint64   `json:"items"`
			Comment uint64     `json:"comment"`
			Queued  int64      `json:"at"`
		}
		if json.Unmarshal(v, &rec) != nil || rec.Comment != 0 {
			return false // comment records live as long as their (pinned) story
		}
		// A note of copies passed by too: it names a discussed story, kept for good
		// (review 77).
		if (rec.Kind == KindDigest || rec.Kind == KindCard || rec.Kind == KindPassedBy) && rec.Queued != 0 && !cutoff.IsZero() && rec.Queued < cutoff.Unix() {
			return true
		}
		for _, id := range rec.Items {
			if !gone(tx, u64(id)) {
				return false
			}
		}
		return true
	}, deleteKey(bucketMsgMap)); err != nil {
		return err
	}
	// Discussion pages of stories that are gone (no comment can reach them).
	if _, err := db.sweep(ctx, bucketThreadPages, func(tx *bolt.Tx, k, _ []byte) bool {
		return len(k) == 24 && gone(tx, k[:8])
	}, deleteKey(bucketThreadPages)); err != nil {
		return err
	}
	// Follows of stories that are gone (a story with comments is never pruned).
	_, err := db.sweep(ctx, bucketFollowers, func(tx *bolt.Tx, k, _ []byte) bool {
		return len(k) == 16 && gone(tx, k[:8])
	}, func(tx *bolt.Tx, k, _ []byte) error {
		if err := tx.Bucket(bucketFollowers).Delete(k); err != nil {
			return err
		}
		return tx.Bucket(bucketFollows).Delete(concat(k[8:], k[:8]))
	})
	return err
}

// A discussion keeps its story past retention, and with it all of its text: one
// comment a day kept up to 100,000 characters of a stranger's feed for good, outside
// the readers' store budget (audit 62). Past retention a discussed item keeps the
// start of its text, enough for its card; the discussion itself is what is kept.
const (
	// pinnedItemBytes is the stored size past which a discussed item is cut: far above
	// what a cut leaves, so that one cut item is not read again at every pass.
	pinnedItemBytes = 64 << 10
	// pinnedTextRunes and pinnedTeaserRunes are what a cut item keeps of its text and
	// of the feed's teaser.
	pinnedTextRunes   = 4000
	pinnedTeaserRunes = 1000
)

// pruneBatch deletes up to max items stored before cutoff, from the idx_added key
// *from on, and moves *from past the last it looked at: items a discussion pins are
// passed over once a pass, not once a batch (at 50,000 pinned, 15 ms a batch), and
// those larger than pinnedItemBytes cut, counted with the deletions. Nothing is stored
// before cutoff meanwhile, so nothing is missed behind it.
func (db *DB) pruneBatch(cutoff time.Time, max int, from *[]byte) (deleted int, more bool, err error) {
	end := string(timeKey(cutoff))
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		deleted, more = 0, false
		idx, items := tx.Bucket(bucketIdxAdded), tx.Bucket(bucketItems)
		threads := tx.Bucket(bucketThreads)
		var victims, cuts [][]byte
		c := idx.Cursor()
		k, _ := c.First()
		if *from != nil {
			k, _ = c.Seek(*from)
		}
		for ; k != nil && string(k[:8]) < end; k, _ = c.Next() {
			switch {
			case threads.Get(k[8:]) == nil:
				victims = append(victims, bytes.Clone(k))
			case len(items.Get(k[8:])) > pinnedItemBytes:
				cuts = append(cuts, bytes.Clone(k))
			default:
				continue
			}
			if len(victims)+len(cuts) >= max {
				more = true
				// The next batch starts after this one, which this batch deletes or cuts.
				*from = append(bytes.Clone(k), 0)
				break
			}
		}
		for _, k := range cuts {
			it, err := getItem(tx, k[8:])
			if err != nil {
				return err
			}
			it.Text, it.Teaser = cutRunes(it.Text, pinnedTextRunes), cutRunes(it.Teaser, pinnedTeaserRunes)
			if err := putJSON(items, k[8:], it); err != nil {
				return err
			}
		}
		for _, k := range victims {
			it, err := getItem(tx, k[8:])
			if err != nil {
				return err
			}
			if err := deleteItem(tx, k, it); err != nil {
				return err
			}
			deleted++
		}
		return nil
	})
	return deleted, more, err
}

// PruneTombstones deletes the dedup keys that outlived their items and their feed: of
// items already gone, of feeds neither stored nor collected within the week
// (feeds_gone); and, of a feed past what it keeps (feedKeysKept), those of its oldest
// items gone. Such a key stops nothing from coming back, and without this pass a
// reader adding and removing feeds left them for good (an item's key went with it only
// when the feed was gone before the item). A feed added again after that lists its old
// entries as new once. It works in batches of at most 10,000 keys read; it returns how
// many it deleted.
func (db *DB) PruneTombstones(ctx context.Context) (int, error) {
	if err := ctxErr(ctx, "prune tombstones"); err != nil {
		return 0, err
	}
	// The feeds whose keys stay, each with how many it keeps.
	known := map[[feedIDLen]byte]int{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var f Feed
			_ = json.Unmarshal(v, &f) // unreadable: kept with the least
			known[[feedIDLen]byte(feedID(string(k)))] = feedKeysKept(f.Listed)
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketFeedsGone).ForEach(func(k, _ []byte) error {
			known[[feedIDLen]byte(feedID(string(k)))] = maxFeedKeys // as it was, for a week
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("prune tombstones: %w", err)
	}
	total := 0
	var from []byte
	// A feed's keys are one run: those left of each feed are counted, and the feeds
	// past what they keep are trimmed after.
	var run []byte
	var left int
	var over [][]byte
	endRun := func(feed []byte) {
		if len(run) == feedIDLen { // (none before the first key)
			if kept, ok := known[[feedIDLen]byte(run)]; ok && left > kept {
				over = append(over, bytes.Clone(run))
			}
		}
		run, left = append(run[:0], feed...), 0
	}
	for {
		if err := ctxErr(ctx, "prune tombstones"); err != nil {
			return total, err
		}
		var next []byte
		deleted := 0
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			keys, items := tx.Bucket(bucketItemKeys), tx.Bucket(bucketItems)
			// A feed stored since the list was read has its keys' items: none of its
			// keys goes.
			var gone [][]byte
			c := keys.Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for read := 0; k != nil && read < 10_000; k, v = c.Next() {
				read++
				if len(k) != 2*feedIDLen {
					continue
				}
				if !bytes.Equal(k[:feedIDLen], run) {
					endRun(k[:feedIDLen])
				}
				if _, ok := known[[feedIDLen]byte(k[:feedIDLen])]; !ok && items.Get(v) == nil {
					gone = append(gone, bytes.Clone(k))
				} else {
					left++
				}
			}
			next = bytes.Clone(k)
			for _, k := range gone {
				if err := keys.Delete(k); err != nil {
					return err
				}
			}
			deleted = len(gone)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune tombstones: %w", err)
		}
		total += deleted
		if next == nil {
			break
		}
		from = next
	}
	endRun(nil)
	for _, feed := range over {
		if err := ctxErr(ctx, "prune tombstones"); err != nil {
			return total, err
		}
		n, err := db.trimFeedKeys(ctx, feed, known[[feedIDLen]byte(feed)])
		total += n
		if err != nil {
			return total, fmt.Errorf("prune tombstones: %w", err)
		}
	}
	return total, nil
}

// A feed keeps the dedup keys of twice the entries its last document listed, at least
// minFeedKeys and at most maxFeedKeys: past that, the keys of its oldest items already
// gone go (PruneTombstones). An entry the feed still lists keeps its key unless the feed
// stored more than as many newer entries meanwhile (then it comes back once): at a
// bound of 10,000 for all, an honest feed listing 11,000 had 1,000 entries stored again
// (review 85), and at 200,000 for all, a feed rotating its GUIDs could keep 16.6 MB of
// keys nobody is charged for (review 86). One document lists at most 200,000 entries
// (the parser refuses more elements).
const (
	minFeedKeys = 10_000
)

var maxFeedKeys = 200_000

// feedKeysKept is how many dedup keys a feed that listed listed entries keeps.
func feedKeysKept(listed int) int {
	return min(maxFeedKeys, max(minFeedKeys, 2*listed))
}

// trimFeedKeys deletes the keys of a feed's oldest items already gone until it keeps
// kept (the keys of stored items all stay), and returns how many it deleted. It reads
// the feed's keys without the write lock and deletes 10,000 a transaction (review 85: a
// run of 2,000,000 read and deleted in one held every writer 12.2 s).
func (db *DB) trimFeedKeys(ctx context.Context, feed []byte, kept int) (int, error) {
	type tomb struct {
		key [2 * feedIDLen]byte
		id  [8]byte
	}
	var tombs []tomb
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		keys, items := tx.Bucket(bucketItemKeys), tx.Bucket(bucketItems)
		c := keys.Cursor()
		for k, v := c.Seek(feed); k != nil && bytes.HasPrefix(k, feed); k, v = c.Next() {
			n++
			if len(k) == 2*feedIDLen && len(v) == 8 && items.Get(v) == nil {
				tombs = append(tombs, tomb{[2 * feedIDLen]byte(k), [8]byte(v)})
			}
		}
		return nil
	})
	if err != nil || n <= kept {
		return 0, err
	}
	slices.SortFunc(tombs, func(a, b tomb) int { return bytes.Compare(a.id[:], b.id[:]) })
	tombs = tombs[:min(len(tombs), n-kept)]
	deleted := 0
	for len(tombs) > 0 {
		if err := ctxErr(ctx, "trim feed keys"); err != nil {
			return deleted, err
		}
		batch := tombs[:min(len(tombs), 10_000)]
		tombs = tombs[len(batch):]
		done := 0
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			keys, items := tx.Bucket(bucketItemKeys), tx.Bucket(bucketItems)
			for _, t := range batch {
				// Still a tombstone: an item is never stored again under an ID.
				if v := keys.Get(t.key[:]); v != nil && items.Get(v) == nil {
					if err := keys.Delete(t.key[:]); err != nil {
						return err
					}
					done++
				}
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += done
	}
	return deleted, nil
}

// deleteItem deletes an item and its index entries; idxKey is its idx_added key. Its
// dedup key stays as a tombstone, unless its feed is gone.
func deleteItem(tx *bolt.Tx, idxKey []byte, it *Item) error {
	id := idxKey[8:]
	if err := tx.Bucket(bucketIdxAdded).Delete(idxKey); err != nil {
		return err
	}
	if err := tx.Bucket(bucketIdxPublished).Delete(concat(timeKey(it.Published), id)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketItems).Delete(id); err != nil {
		return err
	}
	if err := tx.Bucket(bucketIdxFeedAdded).Delete(feedAddedKey(it.FeedURL, it.Added, beU64(id))); err != nil {
		return err
	}
	if err := tx.Bucket(bucketItemStory).Delete(id); err != nil {
		return err
	}
	// A feed nobody polls any more needs no tombstones: they would only grow. Nor, once
	// its last item went, a newest item.
	if tx.Bucket(bucketFeeds).Get([]byte(it.FeedURL)) == nil {
		if err := tx.Bucket(bucketItemKeys).Delete(itemKey(it.FeedURL, it.Key)); err != nil {
			return err
		}
		feed := feedID(it.FeedURL)
		if k, _ := tx.Bucket(bucketIdxFeedAdded).Cursor().Seek(feed); k == nil || !bytes.HasPrefix(k, feed) {
			if err := tx.Bucket(bucketFeedLast).Delete(feed); err != nil {
				return err
			}
		}
	}
	return nil
}

// cutRunes keeps the first n runes of s.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
