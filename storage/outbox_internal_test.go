package storage

import (
	"context"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A store upgraded with messages queued is listed by comment as one that never
// stopped: an edit, a removal, an erasure and a block find what an older binary queued.
func TestMigrationListsQueuedMessages(t *testing.T) {
	ctx := context.Background()
	s := newThreadStore(t)
	edited, removed, erased := s.comment(s.item, 1, 0), s.comment(s.item, 2, 0), s.comment(s.item, 3, 0)
	chat := func(id int64) map[string]string {
		return map[string]string{"chat_id": strconv.FormatInt(id, 10), "text": "words"}
	}
	queued := []OutMessage{
		{ChatID: 10, Method: "sendMessage", Params: chat(10), Record: &MessageRecord{Kind: KindDigest, Items: []uint64{s.item}}},
		{ChatID: 11, Method: "sendMessage", Params: chat(11), Record: &MessageRecord{Kind: KindComment, Items: []uint64{s.item}, Comment: edited.ID, Rev: edited.Rev}},
		{ChatID: 12, Method: "sendMessage", Params: chat(12), Record: &MessageRecord{Kind: KindThreadPage, Items: []uint64{s.item}, Comments: []uint64{edited.ID, removed.ID}}},
		{ChatID: 13, Method: "sendMessage", Params: chat(13), Record: &MessageRecord{Kind: KindReport, Items: []uint64{s.item}, Comment: erased.ID, Rev: erased.Rev}},
		{ChatID: 14, Method: "sendMessage", Params: chat(14)},
	}
	if err := s.db.Enqueue(ctx, queued, s.now); err != nil {
		t.Fatal(err)
	}
	s.write(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOutboxRefs, bucketOutboxChats} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(14))
	})
	if err := s.reopen(); err != nil {
		t.Fatal(err)
	}

	rewritten := 0
	if _, err := s.db.RewriteQueuedCopies(ctx, edited.ID, edited.Rev, func(m *OutMessage) bool {
		rewritten++
		m.Params["text"] = "edited"
		return true
	}); err != nil || rewritten != 1 {
		t.Fatalf("the edit rewrote %d queued copies (%v), want 1", rewritten, err)
	}
	if _, err := s.db.TakeDownPages(ctx, s.item, removed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.OutMessage(ctx, queued[2].ID); err == nil {
		t.Error("the page showing a removed comment is still queued")
	}
	if _, err := s.db.EraseChat(ctx, 3, 3, EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.OutMessage(ctx, queued[3].ID); err == nil {
		t.Error("the report of an erased comment is still queued")
	}
	if n, err := s.db.DeactivateChat(ctx, 14); err != nil || n != 1 {
		t.Errorf("a chat's block dropped %d queued messages (%v), want 1", n, err)
	}
	if m, err := s.db.OutMessage(ctx, queued[1].ID); err != nil || m.Params["text"] != "edited" {
		t.Errorf("the edited copy: %+v (%v)", m.Params, err)
	}
	if _, err := s.db.OutMessage(ctx, queued[0].ID); err != nil {
		t.Errorf("the digest: %v", err)
	}
	if err := s.db.CheckOutbox(ctx); err != nil {
		t.Error(err)
	}
}

// A listing is not trusted alone (review 53): a message listed under a chat it is not
// for, by damage or a future bug, is neither moved, dropped nor erased with that chat.
func TestWrongListingsMoveNothing(t *testing.T) {
	ctx := context.Background()
	s := newThreadStore(t)
	private := OutMessage{ChatID: 77, Method: "sendMessage", Params: map[string]string{"chat_id": "77", "text": "for 77 only"}}
	msgs := []OutMessage{private}
	if err := s.db.Enqueue(ctx, msgs, s.now); err != nil {
		t.Fatal(err)
	}
	stray := concat(i64(-5), u64(msgs[0].ID))
	s.write(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutboxChats).Put(stray, nil) })

	if err := s.db.MigrateChat(ctx, -5, -1005); err != nil {
		t.Fatal(err)
	}
	if n, err := s.db.DeactivateChat(ctx, -5); err != nil || n != 0 {
		t.Errorf("a block of the wrong chat dropped %d (%v)", n, err)
	}
	if _, err := s.db.EraseChat(ctx, -5, 0, EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := s.db.OutMessage(ctx, msgs[0].ID)
	if err != nil || m.ChatID != 77 || m.Params["chat_id"] != "77" {
		t.Fatalf("the message for 77: %+v (%v)", m, err)
	}
	s.write(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutboxChats).Delete(stray) })
}

// A damaged queued message holds back none queued after it (review 56: reading the
// queue failed at it, and the sender never read further).
func TestADamagedQueuedMessageHoldsBackNone(t *testing.T) {
	ctx := context.Background()
	s := newThreadStore(t)
	params := map[string]string{"chat_id": "5", "text": "words"}
	msgs := []OutMessage{{ChatID: 5, Method: "sendMessage", Params: params}, {ChatID: 5, Method: "sendMessage", Params: params}, {ChatID: 5, Method: "sendMessage", Params: params}}
	if err := s.db.Enqueue(ctx, msgs, s.now); err != nil {
		t.Fatal(err)
	}
	s.write(func(tx *bolt.Tx) error {
		if err := dropQueued(tx, msgs[1].ID); err != nil {
			return err
		}
		return tx.Bucket(bucketOutbox).Put(u64(msgs[1].ID), []byte(`{"id":`))
	})
	got, err := s.db.Outbox(ctx, 0, 10)
	if err != nil || len(got) != 2 || got[0].ID != msgs[0].ID || got[1].ID != msgs[2].ID {
		t.Fatalf("read %+v (%v), want the two whole messages", got, err)
	}
	s.write(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Delete(u64(msgs[1].ID)) })
}
