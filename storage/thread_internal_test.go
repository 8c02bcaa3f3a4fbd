package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A thread indexed before the index kept each comment's parent is laid out as well:
// the comment is read for it.
func TestThreadOutlineReadsOldIndexEntries(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	added, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "A story", Text: "x", Published: now}}, now)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	item := added[0].ID
	first, _, err := db.AddComment(ctx, Comment{ItemID: item, AuthorID: 1, Text: "a", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	reply, _, err := db.AddComment(ctx, Comment{ItemID: item, AuthorID: 2, Text: "b", ParentID: first.ID, Created: now})
	if err != nil {
		t.Fatal(err)
	}
	// As stored before: no value.
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketThreadIdx).Put(concat(u64(item), u64(reply.ID)), nil)
	}); err != nil {
		t.Fatal(err)
	}
	nodes, err := db.ThreadOutline(ctx, item)
	if err != nil || len(nodes) != 2 || nodes[1] != (ThreadNode{ID: reply.ID, Parent: first.ID}) || nodes[0].Parent != 0 {
		t.Fatalf("outline %+v (%v)", nodes, err)
	}
}
