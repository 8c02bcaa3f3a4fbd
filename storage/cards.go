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
