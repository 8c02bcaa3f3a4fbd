package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The dedup keys and the feed-by-time index take the same room whatever the feed's
// address and its items' GUIDs: a feed's writer chooses both (review 78: a 2,048-byte
// address left 7.9 KB a tombstone, 81 bytes with a short one).
func TestIndexKeysDoNotGrowWithTheAddress(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	inUse := func(feedURL, guidPad string) (keys, index int) {
		db, err := Open(filepath.Join(t.TempDir(), "newsbot.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var items []Item
		for i := range 200 {
			items = append(items, Item{Key: fmt.Sprintf("g:%s%d", guidPad, i), Title: "t"})
		}
		if added, err := db.AddItems(ctx, feedURL, items, now); err != nil || len(added) != len(items) {
			t.Fatalf("stored %d of %d items: %v", len(added), len(items), err)
		}
		if err := db.bolt.View(func(tx *bolt.Tx) error {
			keys = tx.Bucket(bucketItemKeys).Stats().LeafInuse
			index = tx.Bucket(bucketIdxFeedAdded).Stats().LeafInuse
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return keys, index
	}
	shortKeys, shortIndex := inUse("https://a.example/f", "")
	long := "https://a.example/f?q=" + strings.Repeat("a", MaxURLBytes-len("https://a.example/f?q="))
	longKeys, longIndex := inUse(long, strings.Repeat("x", 1000))
	if longKeys != shortKeys || longIndex != shortIndex {
		t.Errorf("200 items of a %d-byte address and 1,000-byte GUIDs take %d bytes of dedup keys and %d of index; of a short address %d and %d",
			len(long), longKeys, longIndex, shortKeys, shortIndex)
	}
}

// A store of schema 19 keyed dedup keys and the feed-by-time index by the feed's
// address. Opening it moves both to feed IDs: items and tombstones still stop their
// entries from coming back, and the feed's window still lists its items.
func TestSchema20MovesDedupKeysAndTheFeedIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v19.db")
	const feedURL = "https://a.example/feed.xml"
	added := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	storeAtSchema(t, path, 19, func(tx *bolt.Tx) error {
		it := Item{ID: 7, FeedURL: feedURL, Key: "g:kept", Title: "Kept", Added: added, Published: added}
		if err := putJSON(tx.Bucket(bucketItems), u64(7), &it); err != nil {
			return err
		}
		for _, put := range []struct {
			bucket, key, value []byte
		}{
			{bucketItemKeysV1, []byte(feedURL + "\x00g:kept"), u64(7)},
			{bucketItemKeysV1, []byte(feedURL + "\x00g:pruned"), u64(3)}, // a tombstone
			{bucketIdxFeedAddedV1, concat([]byte(feedURL), []byte{0}, timeKey(added), u64(7)), nil},
			{bucketIdxAdded, concat(timeKey(added), u64(7)), nil},
			{bucketIdxPublished, concat(timeKey(added), u64(7)), nil},
		} {
			if err := tx.Bucket(put.bucket).Put(put.key, put.value); err != nil {
				return err
			}
		}
		return nil
	})

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d after opening, want %d", v, SchemaVersion)
	}
	if last, err := db.LastItemIDOf(ctx, []string{feedURL}); err != nil || last != 7 {
		t.Errorf("the feed's newest item after the move: %d (%v); want 7", last, err)
	}
	has, err := db.HasItemKeys(ctx, feedURL, []string{"g:kept", "g:pruned", "g:new"})
	if err != nil || !has[0] || !has[1] || has[2] {
		t.Fatalf("after the move the store knows kept, pruned, new = %v (%v); want true, true, false", has, err)
	}
	stored, err := db.AddItems(ctx, feedURL, []Item{{Key: "g:kept", Title: "Kept"}, {Key: "g:pruned", Title: "Pruned"}, {Key: "g:new", Title: "New"}}, added.Add(time.Hour))
	if err != nil || len(stored) != 1 || stored[0].Key != "g:new" {
		t.Fatalf("a poll after the move stored %+v (%v); want only the new entry", stored, err)
	}
	window, _, err := db.FeedItemsAdded(ctx, []string{feedURL}, added.Add(-time.Hour), added.Add(2*time.Hour), 0)
	if err != nil || len(window) != 2 || window[0].Key != "g:new" || window[1].ID != 7 {
		t.Fatalf("the feed's window after the move: %+v (%v); want the new item, then item 7", window, err)
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketItemKeysV1) != nil || tx.Bucket(bucketIdxFeedAddedV1) != nil {
			return fmt.Errorf("the buckets keyed by address are still there")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

// LastItemIDOf tells the newest item of the feeds asked about and of no other; a feed
// no longer stored loses its entry with its last item.
func TestLastItemIDOf(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "newsbot.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const a, b = "https://a.example/f", "https://b.example/f" // neither is a stored feed: both count as gone
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var ids []uint64
	for i, f := range []string{a, b, a, b} {
		added, err := db.AddItems(ctx, f, []Item{{Key: fmt.Sprint("k", i), Title: "t"}}, day.Add(time.Duration(i)*time.Hour))
		if err != nil || len(added) != 1 {
			t.Fatal(err)
		}
		ids = append(ids, added[0].ID)
	}
	for _, c := range []struct {
		feeds []string
		want  uint64
	}{{[]string{a}, ids[2]}, {[]string{b}, ids[3]}, {[]string{a, b}, ids[3]}, {[]string{"https://c.example/f"}, 0}, {nil, 0}} {
		if got, err := db.LastItemIDOf(ctx, c.feeds); err != nil || got != c.want {
			t.Errorf("LastItemIDOf(%q) = %d (%v), want %d", c.feeds, got, err, c.want)
		}
	}
	// Items of a's first hours go: a keeps its newest. Then all go.
	if _, err := db.Prune(ctx, day.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LastItemIDOf(ctx, []string{a}); got != ids[2] {
		t.Errorf("after a's older item went, its newest is %d, want %d", got, ids[2])
	}
	if _, err := db.Prune(ctx, day.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketFeedLast).Stats().KeyN; n != 0 {
			return fmt.Errorf("%d feeds gone with all their items keep a newest item", n)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

// Dedup keys that outlived their items are kept while their feed is stored or was
// collected within the week, and go after: a reader adding and removing feeds left them
// for good.
func TestTombstonesOfFeedsGoneGo(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "newsbot.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const kept, removed, collected = "https://kept.example/f", "https://removed.example/f", "https://collected.example/f"
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []string{kept, removed, collected} {
		if _, err := db.AddFeed(ctx, f, day); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddItems(ctx, f, []Item{{Key: "g:old", Title: "old"}}, day); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddItems(ctx, f, []Item{{Key: "g:new", Title: "new"}}, day.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.Prune(ctx, day.Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("pruned %d items (%v), want the 3 old ones", n, err)
	}
	if err := db.RemoveFeed(ctx, removed); err != nil {
		t.Fatal(err)
	}
	// Collected as a reader's feed is: its record kept a week in feeds_gone.
	if err := db.RemoveFeed(ctx, collected); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketFeedsGone), []byte(collected), goneFeed{GoneAt: time.Now(), By: 1})
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PruneTombstones(ctx); err != nil || n != 1 {
		t.Fatalf("pruned %d dedup keys (%v), want 1: the removed feed's old item's", n, err)
	}
	has := func(feed string) []bool {
		t.Helper()
		h, err := db.HasItemKeys(ctx, feed, []string{"g:old", "g:new"})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for feed, want := range map[string][2]bool{kept: {true, true}, removed: {false, true}, collected: {true, true}} {
		if got := has(feed); got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s knows old, new = %v; want %v (a stored item keeps its key)", feed, got, want)
		}
	}
	// A week later the collected feed's record goes, and its tombstone with it.
	if _, err := db.PruneGoneFeeds(ctx, time.Now().Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PruneTombstones(ctx); err != nil || n != 1 {
		t.Fatalf("pruned %d dedup keys a week on (%v), want the collected feed's one", n, err)
	}
	if got := has(collected); got[0] || !got[1] {
		t.Errorf("the collected feed knows old, new = %v a week on; want false, true", got)
	}
}

// A feed keeps the dedup keys of twice the entries its last document listed (at least
// 10,000, at most maxFeedKeys): past it, those of its oldest items already gone go
// first, 10,000 a transaction, and those of stored items all stay (a feed that rotated
// its GUIDs kept a key for every item it ever stored). Here a feed listed 10,005.
func TestAFeedKeepsAtMostMaxFeedKeys(t *testing.T) {
	for listed, want := range map[int]int{0: 10_000, 4_000: 10_000, 11_000: 22_000, 150_000: 200_000} {
		if got := feedKeysKept(listed); got != want {
			t.Errorf("a feed that listed %d entries keeps %d keys, want %d", listed, got, want)
		}
	}
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "newsbot.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const f = "https://rotating.example/f"
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.AddFeed(ctx, f, day); err != nil {
		t.Fatal(err)
	}
	stored, err := db.Feed(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	stored.Listed = 10_005 // keeps 20,010
	if err := db.UpdateFeed(ctx, stored); err != nil {
		t.Fatal(err)
	}
	key := func(i int) string { return fmt.Sprint("g:", i) }
	store := func(from, to int, at time.Time) {
		t.Helper()
		var items []Item
		for i := from; i < to; i++ {
			items = append(items, Item{Key: key(i), Title: "t"})
		}
		if added, err := db.AddItems(ctx, f, items, at); err != nil || len(added) != to-from {
			t.Fatalf("stored %d of %d (%v)", len(added), to-from, err)
		}
	}
	// 20,050 items that go, then 19,990 that stay: 20,030 keys too many.
	store(0, 20_030, day)
	store(20_030, 20_050, day.Add(time.Hour))
	store(20_050, 40_040, day.Add(48*time.Hour))
	if _, err := db.Prune(ctx, day.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PruneTombstones(ctx); err != nil || n != 20_030 {
		t.Fatalf("pruned %d keys (%v), want the 20,030 oldest items' gone", n, err)
	}
	probe := []string{key(0), key(20_029), key(20_030), key(20_049), key(20_050), key(40_039)}
	has, err := db.HasItemKeys(ctx, f, probe)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, false, true, true, true, true}; !slices.Equal(has, want) {
		t.Errorf("the feed knows %q = %v; want %v", probe, has, want)
	}
	if n, err := db.PruneTombstones(ctx); err != nil || n != 0 {
		t.Errorf("a second pass pruned %d keys (%v); want none", n, err)
	}
}

// Opening a store of schema 19 moves its keys in transactions of their own, feed by
// feed; a move cut off after some feeds (a crash) is taken on from there at the next
// start, and nothing is lost or moved twice.
func TestSchema20MoveTakesOnWhereItWasCutOff(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v19.db")
	added := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	feeds := []string{"https://a.example/f", "https://b.example/f", "https://c.example/f", "https://a.example/f2"}
	storeAtSchema(t, path, 19, func(tx *bolt.Tx) error {
		id := uint64(0)
		for _, f := range feeds {
			for i := range 3 {
				id++
				it := Item{ID: id, FeedURL: f, Key: fmt.Sprint("g:", i), Title: "t", Added: added, Published: added}
				if err := putJSON(tx.Bucket(bucketItems), u64(id), &it); err != nil {
					return err
				}
				if err := tx.Bucket(bucketItemKeysV1).Put([]byte(f+"\x00"+it.Key), u64(id)); err != nil {
					return err
				}
				if err := tx.Bucket(bucketIdxFeedAddedV1).Put(concat([]byte(f), []byte{0}, timeKey(added), u64(id)), nil); err != nil {
					return err
				}
			}
			// A tombstone: its item is gone.
			if err := tx.Bucket(bucketItemKeysV1).Put([]byte(f+"\x00g:gone"), u64(1000)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketItems).SetSequence(uint64(len(feeds) * 3))
	})
	// Cut off after the first feed in the move's order.
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.MinFunc(feeds, func(a, b string) int { return bytes.Compare(feedID(a), feedID(b)) })
	if err := bdb.Update(func(tx *bolt.Tx) error {
		n, err := moveFeed(tx, first)
		if err == nil && n != 7 {
			err = fmt.Errorf("moved %d keys of %s, want 4 dedup keys and 3 index entries", n, first)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		t.Fatal(err)
	}
	defer func(b int) { moveKeysBatch = b }(moveKeysBatch)
	moveKeysBatch = 1 // a transaction a feed
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range feeds {
		has, err := db.HasItemKeys(ctx, f, []string{"g:0", "g:1", "g:2", "g:gone", "g:new"})
		if err != nil || !slices.Equal(has, []bool{true, true, true, true, false}) {
			t.Errorf("%s knows %v (%v); want its 3 items and its tombstone", f, has, err)
		}
		window, _, err := db.FeedItemsAdded(ctx, []string{f}, added, added.Add(time.Second), 0)
		if err != nil || len(window) != 3 {
			t.Errorf("%s's window holds %d items (%v), want 3", f, len(window), err)
		}
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketItemKeys).Stats().KeyN; n != 4*len(feeds) {
			return fmt.Errorf("%d dedup keys after the move, want %d", n, 4*len(feeds))
		}
		if tx.Bucket(bucketItemKeysV1) != nil || tx.Bucket(bucketIdxFeedAddedV1) != nil {
			return fmt.Errorf("the buckets keyed by address are still there")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

// While schema 20's keys move, the stored schema is one a binary of schema 19 refuses
// (as newer than it understands): it would read the moved feeds as empty and store
// their entries again (review 85). This binary takes the move on.
func TestAMoveUnderWayIsRefusedByTheOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v19.db")
	storeAtSchema(t, path, 19, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketItemKeysV1).Put([]byte("https://a.example/f\x00g:1"), u64(1))
	})
	move := preMigrations[19]
	defer func() { preMigrations[19] = move }()
	var during uint64
	preMigrations[19] = func(db *DB) error {
		during, _ = db.Schema()
		return errors.New("cut off") // as a crash would
	}
	if db, err := Open(path, Options{}); err == nil {
		db.Close()
		t.Fatal("the store opened though its move was cut off")
	}
	if during <= 19 {
		t.Errorf("during the move the store says schema %d: a binary of schema 19 would open it", during)
	}
	preMigrations[19] = move
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Errorf("schema %d after the move was taken on, want %d", v, SchemaVersion)
	}
	if has, err := db.HasItemKeys(context.Background(), "https://a.example/f", []string{"g:1"}); err != nil || !has[0] {
		t.Errorf("the key did not move (%v)", err)
	}
}

// The migration moves what the move before it left, as when every migration runs in one
// transaction.
func TestSchema20MigrationMovesWhatIsLeft(t *testing.T) {
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "one.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	added := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	const feed = "https://a.example/f"
	err = bdb.Update(func(tx *bolt.Tx) error {
		if err := migrateTo(tx, 19); err != nil {
			return err
		}
		if err := tx.Bucket(bucketItemKeysV1).Put([]byte(feed+"\x00g:1"), u64(5)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketIdxFeedAddedV1).Put(concat([]byte(feed), []byte{0}, timeKey(added), u64(5)), nil); err != nil {
			return err
		}
		if err := migrations[19](tx); err != nil {
			return err
		}
		if tx.Bucket(bucketItemKeys).Get(itemKey(feed, "g:1")) == nil {
			return fmt.Errorf("the dedup key did not move")
		}
		if k, _ := tx.Bucket(bucketIdxFeedAdded).Cursor().Seek(feedAddedKey(feed, added, 5)); !bytes.Equal(k, feedAddedKey(feed, added, 5)) {
			return fmt.Errorf("the index entry did not move")
		}
		if v := tx.Bucket(bucketFeedLast).Get(feedID(feed)); v == nil || beU64(v) != 5 {
			return fmt.Errorf("the feed's newest item is %v, want 5", v)
		}
		if tx.Bucket(bucketItemKeysV1) != nil || tx.Bucket(bucketIdxFeedAddedV1) != nil {
			return fmt.Errorf("the buckets keyed by address are still there")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
