package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/newsbot/newsbot/digest"
	bolt "go.etcd.io/bbolt"
)

// CachedCard is a story card computed for a URL a user sent.
type CachedCard struct {
	Card    digest.StoryCard `json:"card"`
	Fetched time.Time        `json:"fetched"`
}

// CachedCard returns the card cached for a canonical URL if it was fetched after
// notBefore.
func (db *DB) CachedCard(ctx context.Context, canonicalURL string, notBefore time.Time) (CachedCard, bool, error) {
	var c CachedCard
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketCards).Get([]byte(canonicalURL))
		if raw == nil {
			return nil
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil // a stale format: refetch
		}
		found = c.Fetched.After(notBefore)
		return nil
	})
	return c, found, err
}

// PutCachedCard stores a card for a canonical URL.
func (db *DB) PutCachedCard(ctx context.Context, canonicalURL string, c CachedCard) error {
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
