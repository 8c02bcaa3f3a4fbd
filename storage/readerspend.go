package storage

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketReaderSpend holds what readers had spent of the bot's allowances that refill
// with time (reader_spend: user(8) -> JSON ReaderSpend). The bot keeps them in memory
// and writes them here now and then and at a stop, so that a restart (a deploy, a
// crash) gives nobody a new hour of page fetches, a new day of comments or of feed
// adds. They are counters, not what the reader wrote, and last a day at most.
var bucketReaderSpend = []byte("reader_spend")

// ReaderSpend is what one reader had spent when it was saved. Wall is the wall clock
// then, for the budgets that refill on it (Fetch, Card: milliseconds of an hour);
// Clock is the bot's news clock then, for those that run on it (FeedAdds, the day's
// Comments).
type ReaderSpend struct {
	Wall       time.Time `json:"wall"`
	Clock      time.Time `json:"clock"`
	Fetch      float64   `json:"fetch,omitempty"`
	Card       float64   `json:"card,omitempty"`
	FeedAdds   float64   `json:"feed_adds,omitempty"`
	CommentDay string    `json:"comment_day,omitempty"`
	Comments   int       `json:"comments,omitempty"`
	Forgot     time.Time `json:"forgot,omitzero"`
}

// maxReaderSpendAge is how old a saved spend may be and still count: every allowance
// it holds has refilled in a day.
const maxReaderSpendAge = 24 * time.Hour

// SaveReaderSpend replaces the saved spends with spend.
func (db *DB) SaveReaderSpend(ctx context.Context, spend map[int64]ReaderSpend) error {
	if err := ctxErr(ctx, "save reader spend"); err != nil {
		return err
	}
	vals := make(map[int64][]byte, len(spend))
	for user, s := range spend {
		v, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("save reader spend: encode %d: %w", user, err)
		}
		vals[user] = v
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketReaderSpend); err != nil {
			return err
		}
		b, err := tx.CreateBucket(bucketReaderSpend)
		if err != nil {
			return err
		}
		b.FillPercent = 1 // written in key order
		users := slices.SortedFunc(maps.Keys(vals), func(a, c int64) int { return cmp.Compare(uint64(a), uint64(c)) })
		for _, user := range users {
			if err := b.Put(i64(user), vals[user]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save reader spend: %w", err)
	}
	return nil
}

// ReaderSpends returns the saved spends not older than a day at wall.
func (db *DB) ReaderSpends(ctx context.Context, wall time.Time) (map[int64]ReaderSpend, error) {
	if err := ctxErr(ctx, "read reader spend"); err != nil {
		return nil, err
	}
	out := map[int64]ReaderSpend{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReaderSpend).ForEach(func(k, v []byte) error {
			var s ReaderSpend
			if len(k) != 8 || json.Unmarshal(v, &s) != nil {
				return nil // damaged: that reader starts afresh
			}
			if wall.Sub(s.Wall) > maxReaderSpendAge {
				return nil
			}
			out[int64(binary.BigEndian.Uint64(k))] = s
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read reader spend: %w", err)
	}
	return out, nil
}
