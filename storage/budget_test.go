package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// Past their budget, readers' items of removed feeds go first, then the rest is shared
// fairly among live feeds: the feeds holding the most give up their oldest items until
// each is within its share, so a small feed keeps even its oldest items while a flood
// is cut. The operator's items, however old, and items a discussion refers to stay,
// and the latter are not counted; what went is not brought back by its feed.
func TestReaderItemsKeepToTheirBudget(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "b.db"))
	// URLs of one length, so that every item's record takes about as much.
	catalogue, small, gone, flood := "https://c.example/feed", "https://s.example/feed", "https://g.example/feed", "https://f.example/feed"
	if _, err := db.SyncConfiguredFeeds(ctx, []string{catalogue}, t0); err != nil {
		t.Fatal(err)
	}
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	if _, _, err := db.AddOwnFeeds(ctx, 7, 7, activeSub(7), []string{gone, flood}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 8, 8, activeSub(8), []string{small}, nil, lim); err != nil {
		t.Fatal(err)
	}
	stored := map[string][]storage.Item{}
	add := func(feedURL string, n int, from time.Time) {
		t.Helper()
		for i := range n { // one at a time: each older than the next
			it := item(fmt.Sprintf("k%02d", i), fmt.Sprintf("Story %02d", i), from)
			it.Text = strings.Repeat("Officials said talks would continue <here>. ", 30)
			added, err := db.AddItems(ctx, feedURL, []storage.Item{it}, from.Add(time.Duration(i)*time.Minute))
			if err != nil || len(added) != 1 {
				t.Fatalf("add items: %d, %v", len(added), err)
			}
			stored[feedURL] = append(stored[feedURL], added[0])
		}
	}
	// The catalogue's and the small feed's are the oldest; the flood's the newest.
	add(catalogue, 5, t0)
	add(small, 3, t0.Add(time.Hour))
	add(gone, 10, t0.Add(2*time.Hour))
	add(flood, 20, t0.Add(3*time.Hour))
	if _, err := db.UpdateSubscriber(ctx, 7, activeSub(7), func(s *storage.Subscriber) error {
		s.OwnFeeds = []string{flood} // the feed goes; its items stay until retention, or the budget
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Feed(ctx, gone); err == nil {
		t.Fatal("the removed feed is still stored")
	}
	pinned := stored[flood][0].ID
	if err := db.PinThread(ctx, pinned, t0); err != nil {
		t.Fatal(err)
	}
	size, n, err := db.ReaderItemBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 32 {
		t.Fatalf("readers' items counted: %d, want 32 (the pinned one apart)", n)
	}
	// Nine and a half items' worth: the removed feed's ten go; the small feed keeps its
	// three; the flood is cut to six (a share of 6½).
	unit := size / int64(n)
	budget := 9*unit + unit/2
	evicted, left, err := db.EvictReaderItems(ctx, budget)
	if err != nil {
		t.Fatal(err)
	}
	if evicted != 7+16 {
		t.Errorf("evicted %d items, want 23", evicted)
	}
	kept := func(feedURL string) int {
		k := 0
		for i, it := range stored[feedURL] {
			_, err := db.Item(ctx, it.ID)
			if err == nil {
				k++
				if feedURL == flood && it.ID != pinned && i < len(stored[feedURL])-6 {
					t.Errorf("%s kept its item %d while newer ones went", feedURL, i)
				}
			}
		}
		return k
	}
	for feedURL, want := range map[string]int{catalogue: 5, small: 3, gone: 0, flood: 7} {
		if got := kept(feedURL); got != want {
			t.Errorf("%s kept %d items, want %d", feedURL, got, want)
		}
	}
	if after, n, _ := db.ReaderItemBytes(ctx); after != left || after > budget || n != 9 {
		t.Errorf("after eviction readers' items take %d bytes in %d items (reported %d)", after, n, left)
	}
	// The flood still lists its items: they do not come back.
	again := []storage.Item{item("k05", "Story 05", t0)}
	if added, err := db.AddItems(ctx, flood, again, t0.Add(5*time.Hour)); err != nil || len(added) != 0 {
		t.Fatalf("an evicted item came back: %d, %v", len(added), err)
	}
	// Within the budget nothing goes.
	if evicted, _, err := db.EvictReaderItems(ctx, size); err != nil || evicted != 0 {
		t.Fatalf("within the budget: evicted %d, %v", evicted, err)
	}
}

// Pinned items, however many, are not counted: they cannot hold the budget, so that
// every pass takes every other reader's items (found by review).
func TestPinnedItemsDoNotHoldTheBudget(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "p.db"))
	pins, other := "https://p.example/feed", "https://o.example/feed"
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	for chat, url := range map[int64]string{7: pins, 8: other} {
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), []string{url}, nil, lim); err != nil {
			t.Fatal(err)
		}
	}
	var items []storage.Item
	for i := range 20 {
		it := item(fmt.Sprintf("k%02d", i), "Story", t0)
		it.Text = strings.Repeat("Officials said talks would continue. ", 30)
		items = append(items, it)
	}
	pinned, err := db.AddItems(ctx, pins, items, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range pinned {
		if err := db.PinThread(ctx, it.ID, t0); err != nil {
			t.Fatal(err)
		}
	}
	theirs, err := db.AddItems(ctx, other, items[:2], t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	size, n, err := db.ReaderItemBytes(ctx)
	if err != nil || n != 2 {
		t.Fatalf("counted %d items (%v), want the other reader's 2", n, err)
	}
	// A budget far below the pinned items' bytes, and just above the other reader's.
	if evicted, _, err := db.EvictReaderItems(ctx, size+1); err != nil || evicted != 0 {
		t.Fatalf("evicted %d (%v): the pinned items held the budget", evicted, err)
	}
	for _, it := range theirs {
		if _, err := db.Item(ctx, it.ID); err != nil {
			t.Errorf("the other reader's item %d went", it.ID)
		}
	}
}

// BenchmarkReaderItemBytes measures the hourly pass's count of readers' items: 100,000
// items over 100 readers' feeds and the catalogue's 10,000.
func BenchmarkReaderItemBytes(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SyncConfiguredFeeds(ctx, []string{"https://cat.example/feed"}, t0); err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Officials said talks would continue. ", 100)
	fill := func(feedURL string, n int) {
		items := make([]storage.Item, n)
		for i := range items {
			items[i] = storage.Item{Key: fmt.Sprint(i), Title: fmt.Sprint("Story ", i), Published: t0, Text: text}
		}
		if _, err := db.AddItems(ctx, feedURL, items, t0); err != nil {
			b.Fatal(err)
		}
	}
	fill("https://cat.example/feed", 10_000)
	for f := range 100 {
		url := fmt.Sprintf("https://r%d.example/feed", f)
		chat := int64(1000 + f)
		sub := func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, sub, []string{url}, nil, storage.FeedLimits{PerChat: 20, Global: 1000}); err != nil {
			b.Fatal(err)
		}
		fill(url, 1000)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, n, err := db.ReaderItemBytes(ctx); err != nil || n != 100_000 {
			b.Fatalf("%d items, %v", n, err)
		}
	}
}

// An item's "<", ">" and "&" are stored as themselves, not as six bytes each: what the
// budget counts is what the feed was charged (found by review: 6× as much).
func TestItemsAreStoredUnescaped(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "u.db"))
	url := "https://u.example/feed"
	if _, _, err := db.AddOwnFeeds(ctx, 7, 7, activeSub(7), []string{url}, nil, storage.FeedLimits{PerChat: 20, Global: 100}); err != nil {
		t.Fatal(err)
	}
	it := item("k", "a <b> & c", t0)
	it.Text = strings.Repeat("<&>", 1000)
	added, err := db.AddItems(ctx, url, []storage.Item{it}, t0)
	if err != nil || len(added) != 1 {
		t.Fatalf("add: %v", err)
	}
	size, _, err := db.ReaderItemBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := storage.ItemStoreBytes(3500); size > want { // escaped, 18,000 bytes: 5 pages
		t.Errorf("an item with 3,000 characters of text takes %d bytes, more than a record of 3,500 would (%d)", size, want)
	}
	got, err := db.Item(ctx, added[0].ID)
	if err != nil || got.Text != it.Text || got.Title != it.Title {
		t.Fatalf("read back: %q %q %v", got.Title, got.Text[:min(9, len(got.Text))], err)
	}
}

// Removed feeds share one fate, not a share each: adding, filling and removing feeds
// does not drive an honest feed's share down (found by review: thirty removed feeds
// left an honest feed of four items with none).
func TestRemovedFeedsDoNotDiluteTheShare(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "r.db"))
	lim := storage.FeedLimits{PerChat: 40, Global: 100}
	fill := func(url string, n int, at time.Time) []storage.Item {
		t.Helper()
		var items []storage.Item
		for i := range n {
			it := item(fmt.Sprintf("k%02d", i), "Story", at)
			it.Text = strings.Repeat("Officials said talks would continue. ", 30)
			items = append(items, it)
		}
		added, err := db.AddItems(ctx, url, items, at)
		if err != nil || len(added) != n {
			t.Fatalf("add: %d %v", len(added), err)
		}
		return added
	}
	honest := "https://h.example/feed00"
	if _, _, err := db.AddOwnFeeds(ctx, 8, 8, activeSub(8), []string{honest}, nil, lim); err != nil {
		t.Fatal(err)
	}
	kept := fill(honest, 4, t0)
	for i := range 30 {
		url := fmt.Sprintf("https://e.example/feed%02d", i)
		if _, _, err := db.AddOwnFeeds(ctx, 7, 7, activeSub(7), []string{url}, nil, lim); err != nil {
			t.Fatal(err)
		}
		fill(url, 2, t0.Add(time.Hour))
		if _, err := db.UpdateSubscriber(ctx, 7, activeSub(7), func(s *storage.Subscriber) error {
			s.OwnFeeds = nil
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	size, n, err := db.ReaderItemBytes(ctx)
	if err != nil || n != 64 {
		t.Fatalf("counted %d items (%v), want 64", n, err)
	}
	budget := size / 8 // eight items' worth
	if _, _, err := db.EvictReaderItems(ctx, budget); err != nil {
		t.Fatal(err)
	}
	for _, it := range kept {
		if _, err := db.Item(ctx, it.ID); err != nil {
			t.Errorf("the honest feed's item %d went", it.ID)
		}
	}
	if after, _, _ := db.ReaderItemBytes(ctx); after > budget {
		t.Errorf("readers' items take %d bytes, over the budget of %d", after, budget)
	}
}

// BenchmarkFeedItemsWhereNewest measures a digest's read of a reader's own feeds'
// background: the newest 300 of 30 days of a feed that files 2,000 items a day (60,000
// index keys), and of five feeds of 400 a day.
func BenchmarkFeedItemsWhereNewest(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	fill := func(feedURL string, perDay int) {
		for day := range 30 {
			items := make([]storage.Item, perDay)
			for i := range items {
				items[i] = storage.Item{Key: fmt.Sprint(day, "-", i), Title: fmt.Sprint("Story ", i), Published: t0}
			}
			if _, err := db.AddItems(ctx, feedURL, items, t0.Add(time.Duration(day)*24*time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}
	busy := []string{"https://busy.example/feed"}
	fill(busy[0], 2000)
	var five []string
	for f := range 5 {
		five = append(five, fmt.Sprintf("https://f%d.example/feed", f))
		fill(five[f], 400)
	}
	keepOld := func(_ time.Time, id uint64) bool { return id%10 != 0 } // most, as a background keeps
	for _, c := range []struct {
		name  string
		feeds []string
	}{{"one busy feed", busy}, {"five feeds", five}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				items, dropped, err := db.FeedItemsWhere(ctx, c.feeds, t0.Add(-time.Hour), storage.Forever, keepOld, 300)
				if err != nil || len(items) != 300 || dropped == 0 {
					b.Fatalf("%d items, %d dropped, %v", len(items), dropped, err)
				}
			}
		})
	}
}
