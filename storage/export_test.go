package storage

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CheckOutboxListings opens the closed database at path and checks that the outbox's
// listings (outbox_refs, outbox_chats) list every queued message under its chat and
// each comment it shows, and nothing else. A database still open is not checked (it
// reports nil).
func CheckOutboxListings(path string) error {
	db, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if errors.Is(err, ErrInUse) {
		return nil
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return db.bolt.View(func(tx *bolt.Tx) error {
		want := map[string]map[string]bool{string(bucketOutboxRefs): {}, string(bucketOutboxChats): {}}
		if err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			chat, refs, err := listingKeys(beU64(k), v)
			if err != nil {
				return err
			}
			want[string(bucketOutboxChats)][string(chat)] = true
			for _, r := range refs {
				want[string(bucketOutboxRefs)][string(r)] = true
			}
			return nil
		}); err != nil {
			return err
		}
		var errs []error
		for bucket, keys := range want {
			b := tx.Bucket([]byte(bucket))
			if err := b.ForEach(func(k, _ []byte) error {
				if !keys[string(k)] {
					errs = append(errs, fmt.Errorf("%s lists message %d under %x, which it is not about", bucket, beU64(k[8:]), k[:8]))
				}
				return nil
			}); err != nil {
				return err
			}
			for k := range keys {
				if b.Get([]byte(k)) == nil {
					errs = append(errs, fmt.Errorf("%s does not list message %d under %x", bucket, beU64([]byte(k)[8:]), k[:8]))
				}
			}
		}
		return errors.Join(errs...)
	})
}
