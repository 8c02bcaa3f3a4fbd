package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
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

// A database at schema 11 kept gone comments in its outlines, some entries without
// their parent. The migration gives every entry its parent, lets gone comments holding
// no reply leave, and marks a removed reply's copies (they quoted the parent) to be
// drawn again.
func TestMigrationPrunesOutlines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	added, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "A story", Text: "x", Published: now}}, now)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	item := added[0].ID
	add := func(parent uint64) Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, Comment{ItemID: item, AuthorID: 1, Text: "a", ParentID: parent, Created: now})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	answered := add(0)
	reply := add(answered.ID)
	removedReply := add(answered.ID)
	leaf := add(0)
	chainTop := add(0)
	chainEnd := add(chainTop.ID)
	// A second story's thread: the migration goes thread by thread.
	second, err := db.AddItems(ctx, "f", []Item{{Key: "k2", Title: "Another", Text: "x", Published: now}}, now)
	if err != nil || len(second) != 1 {
		t.Fatal(err)
	}
	elsewhere, _, err := db.AddComment(ctx, Comment{ItemID: second[0].ID, AuthorID: 1, Text: "b", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	// As an older binary left them: gone comments in the outline, entries without
	// parents, a removed reply with a copy out.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, id := range []uint64{answered.ID, removedReply.ID, leaf.ID, chainTop.ID, chainEnd.ID, elsewhere.ID} {
			c, err := getComment(tx, id)
			if err != nil {
				return err
			}
			c.Removed = true
			if err := putJSON(tx.Bucket(bucketComments), u64(id), c); err != nil {
				return err
			}
		}
		idx := tx.Bucket(bucketThreadIdx)
		for _, id := range []uint64{reply.ID, chainEnd.ID} {
			if err := idx.Put(concat(u64(item), u64(id)), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketCopies).Put(concat(u64(removedReply.ID), i64(77), u64(5)), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(11))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var entries []string
	err = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketThreadIdx).ForEach(func(k, v []byte) error {
			entries = append(entries, fmt.Sprintf("%d<-%x", beU64(k[8:]), v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("%d<-%x", answered.ID, u64(0)), fmt.Sprintf("%d<-%x", reply.ID, u64(answered.ID))}
	if !slices.Equal(entries, want) {
		t.Fatalf("outline after the migration %v, want %v", entries, want)
	}
	marks, err := db.StaleCopiesAfter(ctx, 0, 10)
	if err != nil || len(marks) != 1 || marks[0].Comment != removedReply.ID {
		t.Fatalf("stale marks %+v (%v), want the removed reply's", marks, err)
	}
	// At a new revision: its copies, drawn at the old one with the quote, are behind
	// (review 52: at the same one, the refresh found them current and left the quote).
	if c, err := db.Comment(ctx, removedReply.ID); err != nil || c.Rev != removedReply.Rev+1 {
		t.Fatalf("the removed reply after the migration: %+v (%v), want revision %d", c, err, removedReply.Rev+1)
	}
}

// A damaged comment record in a thread neither stops a removal there (review 48: the
// outline could not be read, the removal failed, and the words stayed) nor lets the
// migration prune the gone parent it may hang under.
func TestDamagedEntriesKeepTheirThread(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	added, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "A story", Text: "x", Published: now}}, now)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	item := added[0].ID
	add := func(parent uint64) Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, Comment{ItemID: item, AuthorID: 1, Text: "a", ParentID: parent, Created: now})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	parent := add(0)
	damaged := add(parent.ID)
	other := add(0)
	unsure := add(0)
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, id := range []uint64{damaged.ID, unsure.ID} {
			if err := tx.Bucket(bucketComments).Put(u64(id), []byte("{garbled")); err != nil {
				return err
			}
		}
		// One damaged entry keeps its parent; the other, as stored before, does not.
		return tx.Bucket(bucketThreadIdx).Put(concat(u64(item), u64(unsure.ID)), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateComment(ctx, other.ID, func(c *Comment) error { c.Deleted, c.Text = true, ""; return nil }); err != nil {
		t.Fatalf("a removal in a thread with a damaged entry: %v", err)
	}
	// As an older binary left it: the parent gone, the outline at schema 11.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		c, err := getComment(tx, parent.ID)
		if err != nil {
			return err
		}
		c.Removed = true
		if err := putJSON(tx.Bucket(bucketComments), u64(c.ID), c); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(11))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, Options{}); err != nil {
		t.Fatalf("a damaged record stopped the migration: %v", err)
	}
	defer db.Close()
	var ids []uint64
	err = db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketThreadIdx).ForEach(func(k, _ []byte) error {
			ids = append(ids, beU64(k[8:]))
			return nil
		})
	})
	if err != nil || !slices.Contains(ids, parent.ID) || !slices.Contains(ids, damaged.ID) {
		t.Fatalf("outline %v (%v): the removed parent of a damaged reply left it", ids, err)
	}
}

// The migration to schema 14 lists no comment stored before it for a relay: a comment
// written before the relayed mark existed reads as not relayed, and listing those
// relayed every old comment again (review 51).
func TestMigrationListsNoOldComment(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	added, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "A story", Text: "x", Published: now}}, now)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	relayed, _, err := db.AddComment(ctx, Comment{ItemID: added[0].ID, AuthorID: 1, Text: "a", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RelayComment(ctx, relayed.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddComment(ctx, Comment{ItemID: added[0].ID, AuthorID: 2, Text: "b", Created: now}); err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketUnrelayed); err != nil {
			return err
		}
		// As schema 3 wrote a relayed comment: no relayed key.
		raw := tx.Bucket(bucketComments).Get(u64(relayed.ID))
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		delete(m, "relayed")
		old, _ := json.Marshal(m)
		if err := tx.Bucket(bucketComments).Put(u64(relayed.ID), old); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(13))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := db.Unrelayed(ctx, 0, now.Add(time.Hour), 10)
	if err != nil || len(cs) != 0 {
		t.Fatalf("listed for a relay after the migration: %+v (%v)", cs, err)
	}
}

// A damaged record listed for a relay is dropped from the list and holds back no other
// (review 51: one stopped every later relay, for good).
func TestDamagedUnrelayedHoldsBackNone(t *testing.T) {
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
	bad, _, err := db.AddComment(ctx, Comment{ItemID: added[0].ID, AuthorID: 1, Text: "a", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	good, _, err := db.AddComment(ctx, Comment{ItemID: added[0].ID, AuthorID: 2, Text: "b", Created: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketComments).Put(u64(bad.ID), []byte("{garbled")) }); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Unrelayed(ctx, 0, now.Add(time.Hour), 10)
	if err != nil || len(cs) != 1 || cs[0].ID != good.ID {
		t.Fatalf("unrelayed %+v (%v), want comment %d", cs, err, good.ID)
	}
}
