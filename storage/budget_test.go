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

// Past their budget, readers' items go oldest first (a removed feed's too), while the
// operator's items, however old, and items a discussion refers to stay; what went is
// not brought back by its feed.
func TestReaderItemsKeepToTheirBudget(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "b.db"))
	catalogue, gone, a, b := "https://cat.example/feed", "https://gone.example/feed", "https://a.example/feed", "https://b.example/feed"
	if _, err := db.SyncConfiguredFeeds(ctx, []string{catalogue}, t0); err != nil {
		t.Fatal(err)
	}
	sub := func(chat int64) func() storage.Subscriber {
		return func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
	}
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	if _, _, err := db.AddOwnFeeds(ctx, 7, 7, sub(7), []string{gone, a}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 8, 8, sub(8), []string{b}, nil, lim); err != nil {
		t.Fatal(err)
	}
	stored := map[string][]storage.Item{}
	add := func(feedURL string, at time.Time) {
		t.Helper()
		var items []storage.Item
		for i := range 5 {
			it := item(fmt.Sprintf("%s#%d", feedURL, i), fmt.Sprintf("Story %d", i), at)
			it.Text = strings.Repeat("Officials said talks would continue. ", 30)
			items = append(items, it)
		}
		added, err := db.AddItems(ctx, feedURL, items, at)
		if err != nil || len(added) != 5 {
			t.Fatalf("add items: %d, %v", len(added), err)
		}
		stored[feedURL] = added
	}
	// Oldest first: the catalogue's, the feed that will be gone, a, then b.
	add(catalogue, t0)
	add(gone, t0.Add(time.Hour))
	add(a, t0.Add(2*time.Hour))
	add(b, t0.Add(3*time.Hour))
	if _, err := db.UpdateSubscriber(ctx, 7, sub(7), func(s *storage.Subscriber) error {
		s.OwnFeeds = []string{a} // the feed goes; its items stay until retention, or the budget
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Feed(ctx, gone); err == nil {
		t.Fatal("the removed feed is still stored")
	}
	pinned := stored[a][0].ID
	if err := db.PinThread(ctx, pinned, t0); err != nil {
		t.Fatal(err)
	}
	size, n, err := db.ReaderItemBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 15 {
		t.Fatalf("readers' items counted: %d, want 15 (a removed feed's, a's and b's)", n)
	}
	// Room for b's items and one more: gone's and a's go, but for the pinned one.
	perFeed := size / 3
	evicted, left, err := db.EvictReaderItems(ctx, perFeed+perFeed/5+1)
	if err != nil {
		t.Fatal(err)
	}
	if evicted != 9 {
		t.Errorf("evicted %d items, want 9", evicted)
	}
	has := func(id uint64) bool {
		t.Helper()
		_, err := db.Item(ctx, id)
		return err == nil
	}
	for feedURL, items := range stored {
		for _, it := range items {
			want := feedURL == catalogue || feedURL == b || it.ID == pinned
			if got := has(it.ID); got != want {
				t.Errorf("item %d of %s kept: %v, want %v", it.ID, feedURL, got, want)
			}
		}
	}
	if after, n, _ := db.ReaderItemBytes(ctx); after != left || after > perFeed+perFeed/5+1 || n != 6 {
		t.Errorf("after eviction readers' items take %d bytes in %d items (reported %d)", after, n, left)
	}
	// a still lists its items: they do not come back.
	again := []storage.Item{item(fmt.Sprintf("%s#%d", a, 1), "Story 1", t0)}
	if added, err := db.AddItems(ctx, a, again, t0.Add(4*time.Hour)); err != nil || len(added) != 0 {
		t.Fatalf("an evicted item came back: %d, %v", len(added), err)
	}
	// Within the budget nothing goes.
	if evicted, _, err := db.EvictReaderItems(ctx, size); err != nil || evicted != 0 {
		t.Fatalf("within the budget: evicted %d, %v", evicted, err)
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
