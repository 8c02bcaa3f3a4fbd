package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// threadStore is a store of its own holding one story, for the tests that write what
// an older binary (or damage) left and open the store again.
type threadStore struct {
	t    *testing.T
	db   *DB
	path string
	item uint64
	now  time.Time
}

func newThreadStore(t *testing.T) *threadStore {
	t.Helper()
	s := &threadStore{t: t, path: filepath.Join(t.TempDir(), "db"), now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	var err error
	if s.db, err = Open(s.path, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.db.CheckIndexes(context.Background()); err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
			t.Errorf("store indexes: %v", err)
		}
		s.db.Close()
	})
	s.item = s.story("k")
	return s
}

// story adds a story and returns its ID.
func (s *threadStore) story(key string) uint64 {
	s.t.Helper()
	added, err := s.db.AddItems(context.Background(), "f", []Item{{Key: key, Title: "A story " + key, Text: "x", Published: s.now}}, s.now)
	if err != nil || len(added) != 1 {
		s.t.Fatal(added, err)
	}
	return added[0].ID
}

// comment adds author's comment under parent (0: none) on story item.
func (s *threadStore) comment(item uint64, author int64, parent uint64) Comment {
	s.t.Helper()
	c, _, err := s.db.AddComment(context.Background(), Comment{ItemID: item, AuthorID: author, Text: "words", ParentID: parent, Created: s.now})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// write changes the store as an older binary, or damage, left it.
func (s *threadStore) write(fn func(tx *bolt.Tx) error) {
	s.t.Helper()
	if err := s.db.bolt.Update(fn); err != nil {
		s.t.Fatal(err)
	}
}

// reopen closes the store and opens it again, migrating it from the schema it holds.
func (s *threadStore) reopen() error {
	if err := s.db.Close(); err != nil {
		return err
	}
	db, err := Open(s.path, Options{})
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

// outline lists the thread index's entries as "comment<-parent" (the parent's bytes).
func (s *threadStore) outline() []string {
	s.t.Helper()
	var out []string
	err := s.db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketThreadIdx).ForEach(func(k, v []byte) error {
			out = append(out, fmt.Sprintf("%d<-%x", beU64(k[8:]), v))
			return nil
		})
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// setRemoved marks the comments ids removed, leaving their place in the outline.
func setRemoved(tx *bolt.Tx, ids ...uint64) error {
	for _, id := range ids {
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		c.Removed = true
		if err := putJSON(tx.Bucket(bucketComments), u64(id), c); err != nil {
			return err
		}
	}
	return nil
}

// A thread indexed before the index kept each comment's parent is laid out as well:
// the comment is read for it.
func TestThreadOutlineReadsOldIndexEntries(t *testing.T) {
	s := newThreadStore(t)
	first := s.comment(s.item, 1, 0)
	reply := s.comment(s.item, 2, first.ID)
	// As stored before: no value.
	s.write(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketThreadIdx).Put(concat(u64(s.item), u64(reply.ID)), nil)
	})
	nodes, err := s.db.ThreadOutline(context.Background(), s.item)
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
	s := newThreadStore(t)
	answered := s.comment(s.item, 1, 0)
	reply := s.comment(s.item, 1, answered.ID)
	removedReply := s.comment(s.item, 1, answered.ID)
	leaf := s.comment(s.item, 1, 0)
	chainTop := s.comment(s.item, 1, 0)
	chainEnd := s.comment(s.item, 1, chainTop.ID)
	// A second story's thread: the migration goes thread by thread.
	elsewhere := s.comment(s.story("k2"), 1, 0)
	// As an older binary left them: gone comments in the outline, entries without
	// parents, a removed reply with a copy out.
	s.write(func(tx *bolt.Tx) error {
		if err := setRemoved(tx, answered.ID, removedReply.ID, leaf.ID, chainTop.ID, chainEnd.ID, elsewhere.ID); err != nil {
			return err
		}
		idx := tx.Bucket(bucketThreadIdx)
		for _, id := range []uint64{reply.ID, chainEnd.ID} {
			if err := idx.Put(concat(u64(s.item), u64(id)), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketCopies).Put(concat(u64(removedReply.ID), i64(77), u64(5)), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(11))
	})
	if err := s.reopen(); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("%d<-%x", answered.ID, u64(0)), fmt.Sprintf("%d<-%x", reply.ID, u64(answered.ID))}
	if entries := s.outline(); !slices.Equal(entries, want) {
		t.Fatalf("outline after the migration %v, want %v", entries, want)
	}
	marks, err := s.db.StaleCopiesAfter(ctx, 0, 10)
	if err != nil || len(marks) != 1 || marks[0].Comment != removedReply.ID {
		t.Fatalf("stale marks %+v (%v), want the removed reply's", marks, err)
	}
	// At a new revision: its copies, drawn at the old one with the quote, are behind
	// (review 52: at the same one, the refresh found them current and left the quote).
	if c, err := s.db.Comment(ctx, removedReply.ID); err != nil || c.Rev != removedReply.Rev+1 {
		t.Fatalf("the removed reply after the migration: %+v (%v), want revision %d", c, err, removedReply.Rev+1)
	}
}

// A damaged comment record in a thread neither stops a removal there (review 48: the
// outline could not be read, the removal failed, and the words stayed) nor lets the
// migration prune the gone parent it may hang under.
func TestDamagedEntriesKeepTheirThread(t *testing.T) {
	s := newThreadStore(t)
	parent := s.comment(s.item, 1, 0)
	damaged := s.comment(s.item, 1, parent.ID)
	other := s.comment(s.item, 1, 0)
	unsure := s.comment(s.item, 1, 0)
	s.write(func(tx *bolt.Tx) error {
		for _, id := range []uint64{damaged.ID, unsure.ID} {
			if err := tx.Bucket(bucketComments).Put(u64(id), []byte("{garbled")); err != nil {
				return err
			}
		}
		// One damaged entry keeps its parent; the other, as stored before, does not.
		return tx.Bucket(bucketThreadIdx).Put(concat(u64(s.item), u64(unsure.ID)), nil)
	})
	if _, err := s.db.UpdateComment(context.Background(), other.ID, func(c *Comment) error { c.Deleted, c.Text = true, ""; return nil }); err != nil {
		t.Fatalf("a removal in a thread with a damaged entry: %v", err)
	}
	// As an older binary left it: the parent gone, the outline at schema 11.
	s.write(func(tx *bolt.Tx) error {
		if err := setRemoved(tx, parent.ID); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(11))
	})
	if err := s.reopen(); err != nil {
		t.Fatalf("a damaged record stopped the migration: %v", err)
	}
	entries := s.outline()
	in := func(id uint64) bool {
		return slices.ContainsFunc(entries, func(e string) bool { return strings.HasPrefix(e, fmt.Sprintf("%d<-", id)) })
	}
	if !in(parent.ID) || !in(damaged.ID) {
		t.Fatalf("outline %v: the removed parent of a damaged reply left it", entries)
	}
}

// The migration to schema 14 lists no comment stored before it for a relay: a comment
// written before the relayed mark existed reads as not relayed, and listing those
// relayed every old comment again (review 51).
func TestMigrationListsNoOldComment(t *testing.T) {
	ctx := context.Background()
	s := newThreadStore(t)
	relayed := s.comment(s.item, 1, 0)
	if _, err := s.db.RelayComment(ctx, relayed.ID, nil, nil, s.now); err != nil {
		t.Fatal(err)
	}
	s.comment(s.item, 2, 0)
	s.write(func(tx *bolt.Tx) error {
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
	if err := s.reopen(); err != nil {
		t.Fatal(err)
	}
	cs, err := s.db.Unrelayed(ctx, 0, s.now.Add(time.Hour), 10)
	if err != nil || len(cs) != 0 {
		t.Fatalf("listed for a relay after the migration: %+v (%v)", cs, err)
	}
}

// A damaged record listed for a relay is dropped from the list and holds back no other
// (review 51: one stopped every later relay, for good).
func TestDamagedUnrelayedHoldsBackNone(t *testing.T) {
	s := newThreadStore(t)
	bad := s.comment(s.item, 1, 0)
	good := s.comment(s.item, 2, 0)
	s.write(func(tx *bolt.Tx) error { return tx.Bucket(bucketComments).Put(u64(bad.ID), []byte("{garbled")) })
	cs, err := s.db.Unrelayed(context.Background(), 0, s.now.Add(time.Hour), 10)
	if err != nil || len(cs) != 1 || cs[0].ID != good.ID {
		t.Fatalf("unrelayed %+v (%v), want comment %d", cs, err, good.ID)
	}
}
