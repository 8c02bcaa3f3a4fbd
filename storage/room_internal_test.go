package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkMakeRoom times one slot freed with the readers' cap of 5,000 full, held by
// 50 accounts of 100 feeds each (the Sybil case the per-account cap leaves): read who
// keeps what, pick, take the feed from its chat. Each run is rolled back.
func BenchmarkMakeRoom(b *testing.B) {
	ctx := context.Background()
	db, err := Open(b.TempDir()+"/db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	lim := FeedLimits{PerChat: 100, Global: 5000, PerAccount: 100}
	for a := int64(1); a <= 50; a++ {
		urls := make([]string, 100)
		for i := range urls {
			urls[i] = fmt.Sprintf("https://feeds%d.example/%d.xml", a, i)
		}
		create := func() Subscriber { return Subscriber{ChatID: a, Kind: "private", Active: true} }
		if _, _, err := db.AddOwnFeeds(ctx, a, a, create, urls, nil, lim); err != nil {
			b.Fatal(err)
		}
	}
	rollback := errors.New("rollback")
	newcomer := &Subscriber{ChatID: 999, Kind: "private", Active: true}
	for b.Loop() {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			freed, _, err := makeRoom(tx, readHoldings(tx), 999, 1, 0, newcomer, nil)
			if err != nil {
				return err
			}
			if freed == "" {
				b.Fatal("no room made")
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			b.Fatal(err)
		}
	}
}
