package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// Saving replaces what was saved; reading leaves out spends older than a day and
// damaged records.
func TestReaderSpendsReplaceAndAge(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	first := map[int64]storage.ReaderSpend{
		1: {Wall: now, Clock: now, Card: 1500, Comments: 7, CommentDay: "2026-12-02"},
		2: {Wall: now.Add(-25 * time.Hour), Fetch: 10},
	}
	if err := db.SaveReaderSpend(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := db.ReaderSpends(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[1].Card != 1500 || got[1].Comments != 7 || got[1].CommentDay != "2026-12-02" || !got[1].Wall.Equal(now) {
		t.Errorf("read back %+v, want reader 1 only, as saved", got)
	}
	if err := db.SaveReaderSpend(ctx, map[int64]storage.ReaderSpend{3: {Wall: now, FeedAdds: 4}}); err != nil {
		t.Fatal(err)
	}
	got, err = db.ReaderSpends(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[1]; ok || got[3].FeedAdds != 4 || len(got) != 1 {
		t.Errorf("after a second save read %+v, want reader 3 only", got)
	}
}

// How long a save takes with every one of the bot's 200,000 limiters spent (its bound),
// every spendSaveEvery.
func BenchmarkSaveReaderSpend(b *testing.B) {
	for _, n := range []int{10_000, 200_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db := mustOpen(b, filepath.Join(b.TempDir(), "db"))
			defer db.Close()
			now := time.Now()
			spend := map[int64]storage.ReaderSpend{}
			for i := range int64(n) {
				spend[i+1] = storage.ReaderSpend{Wall: now, Clock: now, Card: 1234.5, Fetch: 99, Comments: 3, CommentDay: "2026-12-02"}
			}
			for b.Loop() {
				if err := db.SaveReaderSpend(context.Background(), spend); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
