package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A sweep reads page after page and deletes, of what it found dead, only what is still
// dead when it deletes: a record that changed since it was read stays.
func TestSweepPagesAndChecksAgain(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bucket := []byte("sweep_test")
	const n = 3*sweepPage + 7
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucket)
		if err != nil {
			return err
		}
		for i := range n {
			if err := b.Put(u64(uint64(i)), []byte(fmt.Sprint(i%3))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// "0" is dead; "1" is dead to the reading but alive again by the deleting (it
	// changed meanwhile); "2" lives.
	dead := func(tx *bolt.Tx, _, v []byte) bool {
		return string(v) == "0" || string(v) == "1" && !tx.Writable()
	}
	var writes atomic.Int64
	got, err := db.sweep(ctx, bucket, dead, func(tx *bolt.Tx, k, v []byte) error {
		writes.Add(1)
		return tx.Bucket(bucket).Delete(k)
	})
	want := (n + 2) / 3
	if err != nil || got != want {
		t.Fatalf("swept %d (%v), want %d", got, err, want)
	}
	left := map[string]int{}
	db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error { left[string(v)]++; return nil })
	})
	if left["0"] != 0 || left["1"] != n/3 || left["2"] != n/3 {
		t.Fatalf("left %v", left)
	}
}

// worstWriteWait runs pass while another writer writes every millisecond, and returns
// the longest that writer waited: how long the pass held the single writer at most.
func worstWriteWait(db *DB, pass func() error) (time.Duration, error) {
	stop, done := make(chan struct{}), make(chan struct{})
	var worst atomic.Int64
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			t0 := time.Now()
			_ = db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("bench"), u64(uint64(i))) })
			if w := time.Since(t0).Nanoseconds(); w > worst.Load() {
				worst.Store(w)
			}
		}
	}()
	err := pass()
	close(stop)
	<-done
	return time.Duration(worst.Load()), err
}

// fillBucket writes n records through put, in transactions of 50,000.
func fillBucket(b *testing.B, db *DB, n int, put func(tx *bolt.Tx, i int) error) {
	b.Helper()
	for start := 0; start < n; start += 50000 {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i := start; i < min(n, start+50000); i++ {
				if err := put(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPruneMessageRecords: the hourly pass over the records of sent messages
// (msgmap; a digest's record lives as long as its stories, 30 days), 1,000,000
// records of 20 stories each, half of them of stories gone, while another writer
// writes every millisecond: it reports the pass and the longest wait of that writer.
// In one write transaction the writer waited as long as the pass.
func BenchmarkPruneMessageRecords(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		const records, items = 1000000, 5000
		fillBucket(b, db, items/2, func(tx *bolt.Tx, i int) error { // the other half of the stories are gone
			return tx.Bucket(bucketItems).Put(u64(uint64(i)), []byte(`{}`))
		})
		fillBucket(b, db, records, func(tx *bolt.Tx, r int) error {
			ids := make([]uint64, 20)
			for j := range ids {
				ids[j] = uint64((r%2)*items/2 + (r+j)%(items/2))
			}
			return putJSON(tx.Bucket(bucketMsgMap), concat(i64(int64(r)), u64(1)), &MessageRecord{Kind: KindDigest, Items: ids})
		})
		b.StartTimer()
		worst, err := worstWriteWait(db, func() error { return db.pruneMessageRecords(ctx, time.Time{}) })
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(worst.Microseconds())/1e3, "worst-write-wait-ms")
		var left int
		db.bolt.View(func(tx *bolt.Tx) error { left = tx.Bucket(bucketMsgMap).Stats().KeyN; return nil })
		if left != records/2 {
			b.Fatalf("%d records left, want %d", left, records/2)
		}
		db.Close()
	}
}

// BenchmarkPruneStories: the hourly pass over story cards and follows, 500,000 of each
// (nothing to drop), while another writer writes every millisecond (audit 54: in one
// write transaction, 1.8 s).
func BenchmarkPruneStories(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	const stories, n = 3000, 500000
	fillBucket(b, db, stories, func(tx *bolt.Tx, i int) error {
		return putJSON(tx.Bucket(bucketStories), u64(uint64(i+1)), &Story{ID: uint64(i + 1), Title: "A story of some length about the news", Last: now})
	})
	fillBucket(b, db, n, func(tx *bolt.Tx, i int) error {
		return putStoryFollow(tx, StoryFollow{Story: uint64(i%stories + 1), Chat: int64(100000 + i/5), Title: "A story of some length about the news", Since: now})
	})
	fillBucket(b, db, n, func(tx *bolt.Tx, i int) error {
		return tx.Bucket(bucketStoryCards).Put(concat(u64(uint64(i%stories+1)), i64(int64(100000+i))), concat(u64(uint64(i)), u64(uint64(now.UnixNano()))))
	})
	b.ResetTimer()
	for b.Loop() {
		worst, err := worstWriteWait(db, func() error {
			c, f, err := db.PruneStories(context.Background(), now.Add(-48*time.Hour), now.Add(-7*24*time.Hour), now.Add(-11*24*time.Hour))
			if err == nil && c+f != 0 {
				err = fmt.Errorf("dropped %d cards and %d follows", c, f)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(worst.Microseconds())/1e3, "worst-write-wait-ms")
	}
}

// BenchmarkChargePopularFeed: one poll's charge of a feed 40,000 accounts keep, while
// another writer writes every millisecond (audit 54: in one write transaction, 0.26 s).
func BenchmarkChargePopularFeed(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const n = 40000
	day := time.Now().UTC().Format(time.DateOnly)
	accounts := make([]int64, n)
	fillBucket(b, db, n, func(tx *bolt.Tx, i int) error {
		accounts[i] = int64(100000 + i)
		return putJSON(tx.Bucket(bucketFeedUsage), i64(accounts[i]), &FeedUsage{Day: day, Items: 3, PollTime: time.Second})
	})
	b.ResetTimer()
	for b.Loop() {
		worst, err := worstWriteWait(db, func() error {
			return db.ChargeAccounts(context.Background(), accounts, FeedUsage{Day: day, PollTime: time.Millisecond})
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(worst.Microseconds())/1e3, "worst-write-wait-ms")
	}
}

// BenchmarkPrunePastPinnedItems times the retention pass over 10,000 old items stored
// after 50,000 that discussions pin: ten batches of 1,000, each of which used to pass
// over the pinned ones again from the oldest.
func BenchmarkPrunePastPinnedItems(b *testing.B) {
	ctx := context.Background()
	stored := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for part := range 60 {
			items := make([]Item, 1000)
			for i := range items {
				items[i] = Item{Key: fmt.Sprintf("k%d-%d", part, i), Title: "old", Published: stored}
			}
			got, err := db.AddItems(ctx, "https://f.example/", items, stored.Add(time.Duration(part)*time.Minute))
			if err != nil {
				b.Fatal(err)
			}
			if part < 50 {
				if err := db.bolt.Update(func(tx *bolt.Tx) error {
					for _, it := range got {
						if err := putJSON(tx.Bucket(bucketThreads), u64(it.ID), map[string]any{"item": it.ID}); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		n, err := db.Prune(ctx, stored.Add(24*time.Hour))
		if err != nil || n != 10_000 {
			b.Fatalf("pruned %d (%v), want 10,000", n, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
