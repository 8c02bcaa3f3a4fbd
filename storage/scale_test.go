package storage

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func scaleDB(tb testing.TB, n int, next func(i int) time.Time) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "scale.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	subs := make([]Subscriber, n)
	for i := range subs {
		subs[i] = Subscriber{ChatID: int64(1000 + i), Kind: "private", Active: true, Subscribed: true,
			TimeZone: "UTC", Times: []string{"08:00"}, NextDigest: next(i)}
	}
	if err := db.PutSubscribers(context.Background(), subs); err != nil {
		tb.Fatal(err)
	}
	return db
}

// DueSubscribers reads the time index from its start and stops at the first subscriber
// not yet due, so when none is due it reads one key, however many are stored.
func TestDueSubscribersReadsOnlyWhoIsDue(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db := scaleDB(t, 2000, func(i int) time.Time {
		if i%100 == 0 {
			return now.Add(-time.Duration(i) * time.Second) // 20 due
		}
		return now.Add(time.Duration(i+1) * time.Minute)
	})
	due, err := db.DueSubscribers(context.Background(), now, 0)
	if err != nil || len(due) != 20 {
		t.Fatalf("due: %d %v", len(due), err)
	}
	for k := 1; k < len(due); k++ {
		if due[k].NextDigest.Before(due[k-1].NextDigest) {
			t.Fatal("not in time order")
		}
	}
	if due, _ := db.DueSubscribers(context.Background(), now.Add(-time.Hour), 0); len(due) != 0 {
		t.Fatalf("%d due an hour earlier", len(due))
	}
}

// BenchmarkDueSubscribersNoneDue is the scheduler's tick when nobody is due, with 1,000
// and 100,000 subscribers stored: the cost must not grow with the number stored.
func BenchmarkDueSubscribersNoneDue(b *testing.B) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			db := scaleDB(b, n, func(i int) time.Time { return now.Add(time.Duration(i+1) * time.Second) })
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				due, err := db.DueSubscribers(ctx, now, 500)
				if err != nil || len(due) != 0 {
					b.Fatal(len(due), err)
				}
			}
		})
	}
}

// queueDigests queues a digest run of n chats, 3.5 KB each, in batches of 10,000.
func queueDigests(b *testing.B, db *DB, n int) {
	b.Helper()
	body := strings.Repeat("A digest line with a story title and a summary sentence. ", 60)
	for start := 0; start < n; start += 10000 {
		var msgs []OutMessage
		for i := start; i < min(n, start+10000); i++ {
			chat := int64(100000 + i)
			msgs = append(msgs, OutMessage{ChatID: chat, Method: "sendMessage", Class: ClassDigest, Plain: body,
				Params: map[string]string{"chat_id": strconv.FormatInt(chat, 10), "text": body, "parse_mode": "HTML"},
				Record: &MessageRecord{Kind: KindDigest, Items: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}})
		}
		if err := db.Enqueue(context.Background(), msgs, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewriteQueuedCopies: what an edit or deletion of a comment costs the store
// while a digest run of 10,000 or 100,000 chats (3.5 KB each) waits in the outbox: one
// write transaction, which holds every other write back meanwhile. Decoding every
// message took about 450 ms at 10,000 (the review of 2026-11-30); a byte search over
// the whole outbox 29 ms, and 0.29 s at 100,000; the outbox's listing by comment reads
// only the comment's own messages.
func BenchmarkRewriteQueuedCopies(b *testing.B) {
	for _, queued := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("queued=%d", queued), func(b *testing.B) {
			ctx := context.Background()
			db, c := commentBehindDigests(b, queued)
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.RewriteQueuedCopies(ctx, c.ID, c.Rev, func(*OutMessage) bool { return true }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTakeDownPagesLargeOutbox: the other pass of a removal over the outbox (the
// queued discussion pages that show the comment: one, dropped), 100,000 digests queued.
func BenchmarkTakeDownPagesLargeOutbox(b *testing.B) {
	ctx := context.Background()
	db, c := commentBehindDigests(b, 100000)
	page := OutMessage{ChatID: 8, Method: "sendMessage", Params: map[string]string{"chat_id": "8", "text": "w"},
		Record: &MessageRecord{Kind: KindThreadPage, Items: []uint64{c.ItemID}, Comments: []uint64{c.ID}}}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := db.Enqueue(ctx, []OutMessage{page}, time.Now()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.TakeDownPages(ctx, c.ItemID, c.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n, _, err := db.OutboxStats(ctx, time.Now()); err != nil || n != 100001 {
		b.Fatalf("%d queued (%v): the pages were not dropped", n, err)
	}
}

// commentBehindDigests opens a store with a comment and its copy queued behind a
// digest run of n chats.
func commentBehindDigests(b *testing.B, n int) (*DB, Comment) {
	b.Helper()
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	queueDigests(b, db, n)
	if _, err := db.AddFeed(ctx, "f", time.Now()); err != nil {
		b.Fatal(err)
	}
	items, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "t", Text: "x", Words: 1, Published: time.Now()}}, time.Now())
	if err != nil || len(items) != 1 {
		b.Fatal(items, err)
	}
	c, _, err := db.AddComment(ctx, Comment{ItemID: items[0].ID, AuthorID: 5, Text: "w", SrcChat: 5, SrcMsg: 1, Created: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	params := map[string]string{"chat_id": "7", "text": "w"}
	if err := db.Enqueue(ctx, []OutMessage{
		{ChatID: 7, Method: "sendMessage", Params: params, Record: &MessageRecord{Kind: KindComment, Items: []uint64{c.ItemID}, Comment: c.ID, Rev: c.Rev}},
	}, time.Now()); err != nil {
		b.Fatal(err)
	}
	return db, c
}

// BenchmarkDeactivateChatLargeOutbox: what a chat that blocked the bot costs the store
// (Telegram's 403 for its next message) while a digest run of 100,000 chats waits in
// the outbox: one write transaction. Readers who block the bot are common at any
// scale, and one can block and unblock it again and again. Decoding the whole outbox
// took 1.6 s; the listing by chat reads the chat's own messages.
func BenchmarkDeactivateChatLargeOutbox(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	queueDigests(b, db, 100000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := db.DeactivateChat(context.Background(), int64(100000+i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEraseChatLargeOutbox: what a reader's /forget costs the store while a
// digest run of 100,000 chats (3.5 KB each) waits in the outbox: one write transaction,
// which holds every other writer (the sender's records, answers) back meanwhile. Any
// reader may /forget (once in 10 minutes), with nothing stored.
func BenchmarkEraseChatLargeOutbox(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	queueDigests(b, db, 100000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := db.EraseChat(ctx, int64(9000+i), int64(9000+i), EraseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRemoveFromFullThread: a comment added to a discussion of 20,000 and removed
// (no reply under it, so it leaves the outline: pruneOutline reads the thread's index
// once). Moderators' removals and authors' /delete pay it, one command each.
func BenchmarkRemoveFromFullThread(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{MaxThreadComments: DefaultMaxThreadComments + 1})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	items, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "t", Text: "x", Words: 1, Published: time.Now()}}, time.Now())
	if err != nil || len(items) != 1 {
		b.Fatal(items, err)
	}
	var parent uint64
	for i := range DefaultMaxThreadComments {
		c, _, err := db.AddComment(ctx, Comment{ItemID: items[0].ID, AuthorID: int64(1 + i%500), ParentID: parent, Text: "words", Created: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			parent = c.ID // replies nest under every tenth
		} else {
			parent = 0
		}
	}
	for b.Loop() {
		c, _, err := db.AddComment(ctx, Comment{ItemID: items[0].ID, AuthorID: 7, Text: "spam", Created: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.UpdateComment(ctx, c.ID, func(c *Comment) error { c.Removed = true; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBackup: a backup of a store of 10,000 items of 5 KB (about 60 MB), as
// compacted copy (what Backup writes) and as a copy of the file's pages (what it wrote
// before review 47, with the freed pages' deleted words).
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	text := strings.Repeat("Ministers met in Kyiv on Tuesday to discuss the grain corridor. ", 80)
	for batch := range 100 {
		var items []Item
		for i := range 100 {
			items = append(items, Item{Key: fmt.Sprintf("k%d-%d", batch, i), Title: "t", Text: text, Words: 800, Published: time.Now()})
		}
		if _, err := db.AddItems(ctx, "f", items, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("compacted", func(b *testing.B) {
		for b.Loop() {
			n, err := db.Backup(io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/(1<<20), "MiB")
		}
	})
	b.Run("pages", func(b *testing.B) {
		for b.Loop() {
			var n int64
			if err := db.bolt.View(func(tx *bolt.Tx) error { n, err = tx.WriteTo(io.Discard); return err }); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/(1<<20), "MiB")
		}
	})
}
