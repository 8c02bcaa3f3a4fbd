package storage

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

// sweepPage is how many records a maintenance pass reads in one read transaction.
const sweepPage = 5000

// sweep passes over a bucket of everyone's records, as the hourly maintenance does,
// and deletes those dead reports: it reads a page of records at a time in a read
// transaction, and deletes what it found in a write transaction of its own, each
// record checked again there (it may have changed since). bbolt has one writer: done in
// one write transaction, a pass over a million sent-message records held every other
// write (readers' answers, the sender's records) for 3.5 s each hour (audit 54). drop
// deletes a dead record and whatever else goes with it; it returns how many went.
func (db *DB) sweep(ctx context.Context, bucket []byte, dead func(tx *bolt.Tx, k, v []byte) bool, drop func(tx *bolt.Tx, k, v []byte) error) (int, error) {
	n := 0
	var after []byte
	for {
		if err := ctxErr(ctx, "sweep "+string(bucket)); err != nil {
			return n, err
		}
		var found [][]byte
		last := false
		err := db.bolt.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for read := 0; k != nil && read < sweepPage; k, v = c.Next() {
				read++
				after = bytes.Clone(k)
				if v != nil && dead(tx, k, v) {
					found = append(found, bytes.Clone(k))
				}
			}
			last = k == nil
			return nil
		})
		if err != nil {
			return n, err
		}
		if len(found) > 0 {
			dropped := 0
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucket)
				for _, k := range found {
					if v := b.Get(k); v != nil && dead(tx, k, v) {
						if err := drop(tx, k, v); err != nil {
							return err
						}
						dropped++
					}
				}
				return nil
			})
			if err != nil {
				return n, err
			}
			n += dropped
		}
		if last {
			return n, nil
		}
	}
}

// deleteKey is sweep's drop for a record that goes alone.
func deleteKey(bucket []byte) func(tx *bolt.Tx, k, _ []byte) error {
	return func(tx *bolt.Tx, k, _ []byte) error { return tx.Bucket(bucket).Delete(k) }
}
