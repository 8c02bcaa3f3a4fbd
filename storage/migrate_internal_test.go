package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migrateTo lays tx's store out as a binary of schema v left it.
func migrateTo(tx *bolt.Tx, v int) error {
	if _, err := tx.CreateBucketIfNotExists(bucketMeta); err != nil {
		return err
	}
	for _, m := range migrations[:v] {
		if err := m(tx); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, u64(uint64(v)))
}

// storeAtSchema writes a store at path as a binary of schema v left it, holding what
// fill puts in.
func storeAtSchema(t *testing.T, path string, v int, fill func(tx *bolt.Tx) error) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(tx *bolt.Tx) error {
		if err := migrateTo(tx, v); err != nil {
			return err
		}
		return fill(tx)
	}); err != nil {
		t.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		t.Fatal(err)
	}
}

// A database left at schema 6 holds merges as chains (1 -> 2 -> 3, 4 -> 3). Opening
// it with this binary gives every absorbed story a one-step alias to the survivor.
func TestMigrationGivesSchema6MergesAliases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v6.db")
	storeAtSchema(t, path, 6, func(tx *bolt.Tx) error {
		stories := tx.Bucket(bucketStories)
		for id, into := range map[uint64]uint64{1: 2, 2: 3, 3: 0, 4: 3} {
			if err := putJSON(stories, u64(id), Story{ID: id, Title: "S", MergedInto: into, Closed: into != 0}); err != nil {
				return err
			}
		}
		// A damaged record and a damaged chain (a cycle) must not keep the bot from starting.
		if err := stories.Put(u64(9), []byte("{not json")); err != nil {
			return err
		}
		for id, into := range map[uint64]uint64{5: 6, 6: 5} {
			if err := putJSON(stories, u64(id), Story{ID: id, MergedInto: into, Closed: true}); err != nil {
				return err
			}
		}
		return nil
	})

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d, want %d", v, SchemaVersion)
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range []uint64{1, 2, 4} {
			v := tx.Bucket(bucketStoryAlias).Get(u64(id))
			if v == nil || beU64(v) != 3 {
				t.Errorf("alias of %d = %v, want 3", id, v)
			}
			if tx.Bucket(bucketStoryMerged).Get(concat(u64(3), u64(id))) == nil {
				t.Errorf("survivor 3 does not list %d", id)
			}
		}
		for _, id := range []uint64{5, 6, 9} {
			if tx.Bucket(bucketStoryAlias).Get(u64(id)) != nil {
				t.Errorf("damaged story %d got an alias", id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.Story(context.Background(), 1); err != nil || s.ID != 3 {
		t.Fatalf("story 1 resolves to %d, %v", s.ID, err)
	}
}

// One damaged story record does not stop the tracker, the digest run or pruning:
// it reads as a story no one has.
func TestDamagedStoryRecordIsNoStory(t *testing.T) {
	db := tempDB(t)
	ctx := context.Background()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketStories).Put(u64(5), []byte("{not json")); err != nil {
			return err
		}
		if err := tx.Bucket(bucketStoryOpen).Put(u64(5), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketItemStory).Put(u64(50), u64(5))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenStories(ctx); err != nil {
		t.Fatalf("open stories: %v", err)
	}
	if m, err := db.ItemStories(ctx, []uint64{50}); err != nil || m[50] != 0 {
		t.Fatalf("item stories: %v %v", m, err)
	}
	if _, err := db.Story(ctx, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("story 5: %v, want not found", err)
	}
	if _, _, err := db.PruneStories(ctx, time.Now(), time.Now(), time.Now()); err != nil {
		t.Fatalf("prune: %v", err)
	}
}

// Names on comments stored before Profile.Shown existed are claimed for their authors
// by the name reindex (the bot bumps its version for it), ahead of anyone's first name
// (found by review: such a name went free at its author's next rename, and a reindex
// handed a shown name to a first name).
func TestReindexClaimsNamesCommentsShow(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	db, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := strings.ToLower
	items, err := db.AddItems(ctx, "f", []Item{{Key: "k", Title: "A story", URL: "https://x.example/1", Published: at}}, at)
	if err != nil || len(items) != 1 {
		t.Fatalf("add item: %v %v", items, err)
	}
	comment := func(user int64, msg int) {
		t.Helper()
		if _, _, err := db.AddComment(ctx, Comment{ItemID: items[0].ID, AuthorID: user, Text: "x", SrcChat: user, SrcMsg: msg, Created: at}); err != nil {
			t.Fatal(err)
		}
	}
	db.Profile(ctx, 1, "Ann", key("Ann"), at)
	comment(1, 1)
	db.Profile(ctx, 3, "Cy", key("Cy"), at)
	db.SetName(ctx, 3, "Doctor Cy", key("Doctor Cy"))
	comment(3, 2)
	// The profiles as an older version wrote them: no Shown.
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, user := range []int64{1, 3} {
			p, _, err := getProfile(tx.Bucket(bucketProfiles), user)
			if err != nil {
				return err
			}
			p.Shown = nil
			if err := putJSON(tx.Bucket(bucketProfiles), i64(user), &p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// User 2 already goes by "Doctor Cy"'s look-alike as a first name, shown tagged
	// while user 3 holds it.
	if p, _ := db.Profile(ctx, 2, "doctor cy", key("doctor cy"), at); p.DisplayName() == "doctor cy" {
		t.Fatal("precondition: user 2 is tagged")
	}
	db.SetName(ctx, 3, "", "") // user 3 back to "Cy": before the reindex, "Doctor Cy" goes free
	if _, err := db.ReindexNames(ctx, "v-shown", key); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Profile(ctx, 2, "doctor cy", key("doctor cy"), at); p.DisplayName() == "doctor cy" {
		t.Fatal("after the reindex a first name took the name user 3's comment shows")
	}
	db.Profile(ctx, 1, "Anna", key("Anna"), at) // renames after the reindex
	if p, _ := db.Profile(ctx, 4, "Ann", key("Ann"), at); p.DisplayName() == "Ann" {
		t.Fatal("a name an older comment shows went free at its author's rename")
	}
	// Old data where a name changed hands: user 6 commented as "Bo", renamed (freeing
	// it, as before Shown), and user 7 goes by "Bo" now. The rebuild leaves user 7
	// their current name, though user 6's comment came first and user 6 sorts first.
	db.Profile(ctx, 6, "Bo", key("Bo"), at)
	comment(6, 3)
	db.bolt.Update(func(tx *bolt.Tx) error {
		p, _, _ := getProfile(tx.Bucket(bucketProfiles), 6)
		p.Shown = nil
		return putJSON(tx.Bucket(bucketProfiles), i64(6), &p)
	})
	db.Profile(ctx, 6, "Bob", key("Bob"), at)
	if p, _ := db.Profile(ctx, 7, "Bo", key("Bo"), at); p.DisplayName() != "Bo" {
		t.Fatalf("precondition: user 7 is Bo, not %q", p.DisplayName())
	}
	if _, err := db.ReindexNames(ctx, "v-shown-2", key); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Profile(ctx, 7, "Bo", key("Bo"), at); p.DisplayName() != "Bo" {
		t.Fatalf("the rebuild took user 7's current name: they show as %q", p.DisplayName())
	}
	// Many spellings of one name are one name: "Xavier", used before 20 spellings of
	// "bobby", stays user 8's through a rebuild (found by review: it counted spellings).
	db.Profile(ctx, 8, "Eight", key("Eight"), at)
	db.SetName(ctx, 8, "Xavier", key("Xavier"))
	comment(8, 4)
	for i := range 20 {
		spelling := []byte("bobby")
		for j := range spelling {
			if i>>j&1 == 1 {
				spelling[j] -= 'a' - 'A'
			}
		}
		db.SetName(ctx, 8, string(spelling), key(string(spelling)))
		comment(8, 10+i)
	}
	if _, err := db.ReindexNames(ctx, "v-shown-3", key); err != nil {
		t.Fatal(err)
	}
	if err := db.SetName(ctx, 9, "Xavier", key("Xavier")); err == nil {
		t.Fatal("a rebuild gave up a shown name for spellings of another")
	}
}
