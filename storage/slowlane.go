package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSlowLane holds the slow lane's chats (bot/slowlane.go): chats whose filters took
// their lane's budget, each with when it leaves the lane (slow_lane: chat(8) -> until(8),
// Unix ns). The lane was in memory, and a restart sent each such chat back into the
// shared digest run for one digest at full budget: a hundred of them held every
// reader's first digests after a deploy some 30 s. EraseChat deletes the chat's mark:
// a chat whose record is new gets the lane's budget anyway (bot.filterBudget).
var bucketSlowLane = []byte("slow_lane")

// MarkSlow puts chat in the slow lane until then, or keeps a later time already
// stored. A chat without a record gets no mark (ErrNotFound): its digest was composed
// as it was being erased (/forget) or moved to a supergroup (review 65: the mark came
// back after /forget).
func (db *DB) MarkSlow(ctx context.Context, chat int64, until time.Time) error {
	if err := ctxErr(ctx, "mark slow chat"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSubscribers).Get(i64(chat)) == nil {
			return ErrNotFound
		}
		return putSlowMark(tx.Bucket(bucketSlowLane), chat, until)
	})
	if err != nil {
		return fmt.Errorf("mark slow chat %d: %w", chat, err)
	}
	return nil
}

// putSlowMark stores until for chat unless a later time is stored.
func putSlowMark(b *bolt.Bucket, chat int64, until time.Time) error {
	if v := b.Get(i64(chat)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= until.UnixNano() {
		return nil
	}
	return b.Put(i64(chat), i64(until.UnixNano()))
}

// SlowChats returns the chats in the slow lane at now, with when each leaves it.
func (db *DB) SlowChats(ctx context.Context, now time.Time) (map[int64]time.Time, error) {
	if err := ctxErr(ctx, "list slow chats"); err != nil {
		return nil, err
	}
	out := map[int64]time.Time{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSlowLane).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 8 {
				return nil // damaged: the chat's filters, if costly, put it back
			}
			if until := time.Unix(0, int64(binary.BigEndian.Uint64(v))); until.After(now) {
				out[int64(binary.BigEndian.Uint64(k))] = until
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list slow chats: %w", err)
	}
	return out, nil
}

// PruneSlowLane deletes the marks of chats whose time in the slow lane ended before
// now, and returns how many.
func (db *DB) PruneSlowLane(ctx context.Context, now time.Time) (int, error) {
	if err := ctxErr(ctx, "prune slow lane"); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n = 0 // a retried transaction counts afresh
		return deleteWhere(tx.Bucket(bucketSlowLane), func(_, v []byte) bool {
			over := len(v) != 8 || !time.Unix(0, int64(binary.BigEndian.Uint64(v))).After(now)
			if over {
				n++
			}
			return over
		})
	})
	if err != nil {
		return 0, fmt.Errorf("prune slow lane: %w", err)
	}
	return n, nil
}

// moveSlowMark gives a group's place in the slow lane to its supergroup: its filters
// moved with it.
func moveSlowMark(tx *bolt.Tx, from, to int64) error {
	b := tx.Bucket(bucketSlowLane)
	v := b.Get(i64(from))
	if v == nil {
		return nil
	}
	v = bytes.Clone(v)
	if err := b.Delete(i64(from)); err != nil {
		return err
	}
	if len(v) != 8 {
		return nil
	}
	return putSlowMark(b, to, time.Unix(0, int64(binary.BigEndian.Uint64(v))))
}
