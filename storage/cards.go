package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CachedCard is a story card computed for a URL a reader sent, kept as its caller
// encoded it (storage does not know what a card is).
type CachedCard struct {
	Card    json.RawMessage `json:"card"`
	Fetched time.Time       `json:"fetched"`
}

// CachedCard returns the card cached for a canonical URL if it was fetched after
// notBefore.
func (db *DB) CachedCard(ctx context.Context, canonicalURL string, notBefore time.Time) (CachedCard, bool, error) {
	if err := ctxErr(ctx, "cached card"); err != nil {
		return CachedCard{}, false, err
	}
	var c CachedCard
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketCards).Get([]byte(canonicalURL))
		if raw == nil {
			return nil
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil // a stale format: fetch again
		}
		found = c.Fetched.After(notBefore)
		return nil
	})
	if err != nil {
		return CachedCard{}, false, fmt.Errorf("cached card: %w", err)
	}
	return c, found, nil
}

// PutCachedCard stores a card for a canonical URL.
func (db *DB) PutCachedCard(ctx context.Context, canonicalURL string, c CachedCard) error {
	if err := ctxErr(ctx, "put cached card"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketCards), []byte(canonicalURL), &c)
	})
}

// PruneCards deletes cached cards fetched before cutoff and returns how many.
func (db *DB) PruneCards(ctx context.Context, cutoff time.Time) (int, error) {
	if err := ctxErr(ctx, "prune cards"); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n = 0
		return deleteWhere(tx.Bucket(bucketCards), func(_, v []byte) bool {
			var c struct {
				Fetched time.Time `json:"fetched"`
			}
			if json.Unmarshal(v, &c) != nil || c.Fetched.Before(cutoff) {
				n++
				return true
			}
			return false
		})
	})
	return n, err
}
