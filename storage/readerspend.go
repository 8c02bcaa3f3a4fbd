package storage

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketReaderSpend holds what readers had spent of the bot's allowances that refill
// with time (reader_spend: user(8) -> spendRecord). The bot keeps them in memory and
// writes the ones that changed every few minutes and at a stop, so that a restart (a
// deploy, a crash) gives nobody a new hour of page fetches, a new day of comments or
// of feed adds. They are counters and times, not what the reader wrote, and go once
// they have refilled.
var bucketReaderSpend = []byte("reader_spend")

// ReaderSpend is what one reader had spent when it was saved. Wall is the wall clock
// then, for the budgets that refill on it (Fetch, Card: milliseconds of an hour);
// Clock is the bot's news clock then, for those that run on it (FeedAdds, the day's
// Comments, counted on CommentDay, "2006-01-02").
type ReaderSpend struct {
	Wall, Clock           time.Time
	Fetch, Card, FeedAdds float64
	CommentDay            string
	Comments              int
	Forgot                time.Time
}

// spendRecord is a ReaderSpend as stored: a version byte, then fixed fields (review
// 72: as JSON, 200,000 readers made 50 MB rewritten every five minutes).
const (
	spendVersion    = 1
	spendRecordSize = 1 + 8*2 + 8*3 + 4 + 4 + 8
)

// EncodeReaderSpend is s as stored.
func EncodeReaderSpend(s ReaderSpend) []byte {
	v := make([]byte, 0, spendRecordSize)
	v = append(v, spendVersion)
	v = binary.BigEndian.AppendUint64(v, uint64(unixNano(s.Wall)))
	v = binary.BigEndian.AppendUint64(v, uint64(unixNano(s.Clock)))
	for _, f := range []float64{s.Fetch, s.Card, s.FeedAdds} {
		v = binary.BigEndian.AppendUint64(v, math.Float64bits(f))
	}
	day := int32(0)
	if t, err := time.Parse(time.DateOnly, s.CommentDay); err == nil {
		day = int32(t.Unix() / 86400)
	}
	v = binary.BigEndian.AppendUint32(v, uint32(day))
	v = binary.BigEndian.AppendUint32(v, uint32(int32(min(s.Comments, math.MaxInt32))))
	return binary.BigEndian.AppendUint64(v, uint64(unixNano(s.Forgot)))
}

// DecodeReaderSpend reads a stored spend.
func DecodeReaderSpend(v []byte) (ReaderSpend, error) {
	if len(v) != spendRecordSize || v[0] != spendVersion {
		return ReaderSpend{}, errors.New("decode reader spend: not a spend record")
	}
	at := func(i int) time.Time {
		if n := int64(binary.BigEndian.Uint64(v[i:])); n != 0 {
			return time.Unix(0, n).UTC()
		}
		return time.Time{}
	}
	f := func(i int) float64 { return math.Float64frombits(binary.BigEndian.Uint64(v[i:])) }
	s := ReaderSpend{Wall: at(1), Clock: at(9), Fetch: f(17), Card: f(25), FeedAdds: f(33),
		Comments: int(int32(binary.BigEndian.Uint32(v[45:]))), Forgot: at(49)}
	for _, x := range []float64{s.Fetch, s.Card, s.FeedAdds} {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return ReaderSpend{}, errors.New("decode reader spend: not a spent amount")
		}
	}
	if s.Comments < 0 {
		return ReaderSpend{}, errors.New("decode reader spend: not a count")
	}
	if day := int32(binary.BigEndian.Uint32(v[41:])); day != 0 {
		s.CommentDay = time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly)
	}
	return s, nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// spendBatch is how many records one transaction writes: a save never holds the
// store's writer long, whatever it writes.
const spendBatch = 5_000

// SaveReaderSpend stores put and deletes drop, a few thousand records a transaction.
func (db *DB) SaveReaderSpend(ctx context.Context, put map[int64]ReaderSpend, drop []int64) error {
	type op struct {
		user int64
		val  []byte // nil: delete
	}
	ops := make([]op, 0, len(put)+len(drop))
	for _, user := range slices.SortedFunc(maps.Keys(put), func(a, c int64) int { return cmp.Compare(uint64(a), uint64(c)) }) {
		ops = append(ops, op{user, EncodeReaderSpend(put[user])})
	}
	for _, user := range drop {
		ops = append(ops, op{user: user})
	}
	for len(ops) > 0 {
		if err := ctxErr(ctx, "save reader spend"); err != nil {
			return err
		}
		n := min(len(ops), spendBatch)
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketReaderSpend)
			for _, o := range ops[:n] {
				var err error
				if o.val == nil {
					err = b.Delete(i64(o.user))
				} else {
					err = b.Put(i64(o.user), o.val)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("save reader spend: %w", err)
		}
		ops = ops[n:]
	}
	return nil
}

// ReaderSpends returns every saved spend; damaged records are left out (that reader
// starts afresh) and listed in damaged, for the caller to drop.
func (db *DB) ReaderSpends(ctx context.Context) (spends map[int64]ReaderSpend, damaged []int64, err error) {
	if err := ctxErr(ctx, "read reader spend"); err != nil {
		return nil, nil, err
	}
	spends = map[int64]ReaderSpend{}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReaderSpend).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return nil
			}
			user := int64(binary.BigEndian.Uint64(k))
			s, err := DecodeReaderSpend(v)
			if err != nil {
				damaged = append(damaged, user)
				return nil
			}
			spends[user] = s
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read reader spend: %w", err)
	}
	return spends, damaged, nil
}
