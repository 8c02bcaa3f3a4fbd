package storage_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
	bolt "go.etcd.io/bbolt"
)

// A spend is stored as it was given; a save writes and drops only what it is told,
// and a damaged record is listed for dropping.
func TestReaderSpendsAreStoredAsGiven(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpen(t, path)
	now := time.Date(2026, 12, 2, 12, 0, 0, 123, time.UTC)
	one := storage.ReaderSpend{Wall: now, Clock: now.Add(-time.Hour), Card: 1500.25, Fetch: 3, FeedAdds: 38.5,
		CommentDay: "2026-12-02", Comments: 7, Forgot: now.Add(-time.Minute)}
	if got, err := storage.DecodeReaderSpend(storage.EncodeReaderSpend(one)); err != nil || !sameSpend(got, one) {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, one)
	}
	for _, bad := range []storage.ReaderSpend{{Card: math.NaN()}, {Fetch: math.Inf(1)}, {FeedAdds: -1}, {Comments: -3}} {
		if _, err := storage.DecodeReaderSpend(storage.EncodeReaderSpend(bad)); err == nil {
			t.Errorf("%+v decoded: a damaged record must not be restored", bad)
		}
	}
	if err := db.SaveReaderSpend(ctx, map[int64]storage.ReaderSpend{1: one, 2: {Wall: now, Fetch: 10}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveReaderSpend(ctx, map[int64]storage.ReaderSpend{3: {Wall: now, FeedAdds: 4}}, []int64{2}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A damaged record, as a crash or an old build might leave.
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("reader_spend")).Put([]byte{0, 0, 0, 0, 0, 0, 0, 9}, []byte(`{"card":1}`))
	}); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db = mustOpen(t, path)
	defer db.Close()
	got, damaged, err := db.ReaderSpends(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !sameSpend(got[1], one) || got[3].FeedAdds != 4 {
		t.Errorf("read back %+v, want readers 1 and 3 as saved", got)
	}
	if len(damaged) != 1 || damaged[0] != 9 {
		t.Errorf("damaged %v, want [9]", damaged)
	}
}

func sameSpend(a, b storage.ReaderSpend) bool {
	return a.Wall.Equal(b.Wall) && a.Clock.Equal(b.Clock) && a.Forgot.Equal(b.Forgot) && a.Fetch == b.Fetch && a.Card == b.Card &&
		a.FeedAdds == b.FeedAdds && a.CommentDay == b.CommentDay && a.Comments == b.Comments
}

// How long a save takes when every one of the bot's 200,000 limiters (its bound) moved
// since the last, written 5,000 a transaction (review 72: as one JSON rewrite, 0.8-1.9 s
// holding the store's writer, every 5 minutes).
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
				if err := db.SaveReaderSpend(context.Background(), spend, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
