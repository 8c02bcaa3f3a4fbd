package stories_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

// oldNews stores n catalogue items spread over the week before t0, drawn from the BBC
// corpus in ../shared (skipping without it), calling stored after each batch with its
// time, and returns the IDs of those stored between four and five days before t0:
// older than any digest run reaches.
func oldNews(tb testing.TB, db *storage.DB, feedURL string, n int, stored func(at time.Time)) []uint64 {
	tb.Helper()
	files, _ := filepath.Glob("../../shared/data/bbc/*/articles/*.txt")
	if len(files) == 0 {
		tb.Skip("../shared/data/bbc is absent")
	}
	type article struct{ title, body string }
	var arts []article
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		title, body, _ := strings.Cut(string(raw), "\n\n")
		arts = append(arts, article{strings.TrimSpace(title), body})
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := t0.Add(-7 * 24 * time.Hour)
	var old []uint64
	var batch []storage.Item
	for i := range n {
		at := start.Add(time.Duration(i) * 7 * 24 * time.Hour / time.Duration(n))
		a := arts[rng.IntN(len(arts))]
		batch = append(batch, storage.Item{Key: fmt.Sprint("k", i), Title: a.title, Language: "en", Text: a.body,
			URL: fmt.Sprintf("https://news.example/%d", i), Published: at})
		if len(batch) == 200 || i == n-1 {
			got, err := db.AddItems(ctx, feedURL, batch, at)
			if err != nil {
				tb.Fatal(err)
			}
			for _, it := range got {
				if it.Added.Before(t0.Add(-4*24*time.Hour)) && it.Added.After(t0.Add(-5*24*time.Hour)) {
					old = append(old, it.ID)
				}
			}
			batch = batch[:0]
			stored(at)
		}
	}
	return old
}

// weekOfNews is a story service over 12,000 catalogue items of the week before t0
// (oldNews), its clock at t0, with the stories placed pass by pass as the poller
// places them when tracked (else stored before tracking began); old are the items
// stored four to five days before t0.
func weekOfNews(b *testing.B, tracked bool) (db *storage.DB, svc *stories.Service, old []uint64) {
	b.Helper()
	db, err := storage.Open(filepath.Join(b.TempDir(), "db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	const public = "https://public.example/rss"
	now := t0
	svc = stories.New(db, nil, stories.Options{Catalogue: []string{public}, Now: func() time.Time { return now }, RunMaxAge: -1})
	old = oldNews(b, db, public, 12_000, func(at time.Time) {
		if !tracked {
			return
		}
		now = at
		if _, err := svc.Track(context.Background()); err != nil {
			b.Fatal(err)
		}
	})
	now = t0
	return db, svc, old
}

// BenchmarkCardOfOldItem is the story card of an item older than any digest run (what
// `/summary <id>` or a shared link of last week costs), a different item each time as
// a reader walking item numbers would ask: 12,000 catalogue items over a week, about
// 1,700 a day. "tracked": the stories placed as the poller places them, pass by pass;
// "untracked": items stored before tracking began.
func BenchmarkCardOfOldItem(b *testing.B) {
	for _, tracked := range []bool{true, false} {
		name := map[bool]string{true: "tracked", false: "untracked"}[tracked]
		b.Run(name, func(b *testing.B) {
			_, svc, old := weekOfNews(b, tracked)
			ctx := context.Background()
			// The shared run (and tracking's first pass) are built once, not per card.
			if _, err := svc.CardFor(ctx, old[len(old)-1]+1000, stories.Reader{}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := svc.CardFor(ctx, old[i%len(old)], stories.Reader{}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkCardOfRecentItem is the story card of an item the shared run covers, with
// the run built: 12,000 catalogue items over a week, the stories tracked. "composed":
// a different item each time; "again": the same item for another reader who sees the
// same feeds (a card redrawn in each chat that holds it when its story develops).
func BenchmarkCardOfRecentItem(b *testing.B) {
	db, svc, _ := weekOfNews(b, true)
	ctx := context.Background()
	last, err := db.LastItemID(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CardFor(ctx, last, stories.Reader{}); err != nil {
		b.Fatal(err)
	}
	b.Run("composed", func(b *testing.B) {
		i := uint64(1)
		for b.Loop() {
			if _, err := svc.CardFor(ctx, last-i, stories.Reader{}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("again", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.CardFor(ctx, last, stories.Reader{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
