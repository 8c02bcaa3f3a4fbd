package storage

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// When a group and its supergroup both follow a story, the upgrade keeps the
// supergroup's follow with the development waiting for it (review R: the group's
// follow was written over it, and its due entry left pointing at the moved one).
func TestMigrateKeepsTheSupergroupsFollow(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	const old, super = -1008, -1001008
	for _, s := range []Subscriber{{ChatID: old, Kind: "group", Active: true}, {ChatID: super, Kind: "supergroup", Active: true}} {
		if err := db.PutSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	due := time.Now().Add(time.Minute).Truncate(time.Second)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := putStoryFollow(tx, StoryFollow{Story: 1, Chat: old, Since: due.Add(-time.Hour)}); err != nil {
			return err
		}
		return putStoryFollow(tx, StoryFollow{Story: 1, Chat: super, Since: due.Add(-time.Hour), Due: due, Version: 3,
			Pending: []Development{{ItemID: 77, Title: "the supergroup's waiting development"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, old, super); err != nil {
		t.Fatal(err)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		f, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(1), i64(super)), "story follow", 1)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		tx.Bucket(bucketStoryDue).ForEach(func(k, _ []byte) error {
			if bytes.HasSuffix(k, concat(u64(1), i64(super))) {
				n++
			}
			return nil
		})
		if len(f.Pending) == 0 || f.Due.IsZero() {
			t.Errorf("the supergroup's follow after the upgrade: %+v: its waiting development is lost (due entries left: %d)", *f, n)
		}
		return nil
	})
}

// The outbox scans of EraseChat and MigrateChat read a message's chat from its first 64
// bytes, undecoded: the stored record must start with its ID and chat, whatever their
// size.
func TestOutboxRecordsStartWithTheirChat(t *testing.T) {
	db := tempDB(t)
	for _, chat := range []int64{-1 << 63, 1<<63 - 1, -1001234567890, 7} {
		m := OutMessage{ID: ^uint64(0), ChatID: chat, Method: "sendMessage", Params: map[string]string{"text": "x"}, Record: &MessageRecord{Kind: KindCard}}
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketOutbox)
			if err := putJSON(b, u64(m.ID), &m); err != nil {
				return err
			}
			v := b.Get(u64(m.ID))
			if mark := []byte(`"chat_id":` + strconv.FormatInt(chat, 10) + `,`); !bytes.Contains(v[:min(len(v), 64)], mark) {
				t.Errorf("the stored message %s has no %s in its first 64 bytes", v, mark)
			}
			return b.Delete(u64(m.ID))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
