package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// The slow lane's marks outlive the process, keep the latest time, go with a group
// that becomes a supergroup (record or none), outlive the chat's record, go with the
// chat when it is erased (/forget: review 64), and go once their time is over.
func TestSlowLaneMarks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db := mustOpen(t, path)
	const reader, group, super, bare, bareSuper, forgotten = 51, -1051, -1001051, -1052, -1001052, 53
	week := t0.Add(7 * 24 * time.Hour)
	marks := []struct {
		chat  int64
		until time.Time
	}{{reader, week}, {reader, t0.Add(time.Hour)}, {group, week.Add(time.Hour)}, {bare, t0.Add(2 * time.Hour)}, {bare, t0.Add(3 * time.Hour)}, {forgotten, week}}
	// A chat without a record gets no mark: its digest was composed as it was erased
	// or moved (review 65).
	if err := db.MarkSlow(ctx, 99, week); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a chat without a record was marked (%v)", err)
	}
	for _, chat := range []int64{reader, forgotten} {
		if err := db.PutSubscriber(ctx, storage.Subscriber{ChatID: chat, Kind: "private", Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, chat := range []int64{group, bare} {
		if err := db.PutSubscriber(ctx, groupSub(chat, "group", "UTC")()); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range marks {
		if err := db.MarkSlow(ctx, m.chat, m.until); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MigrateChat(ctx, group, super); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscriber(ctx, bare); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, bare, bareSuper); err != nil { // no record, the mark moves all the same
		t.Fatal(err)
	}
	if err := db.DeleteSubscriber(ctx, reader); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, forgotten, forgotten, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = mustOpen(t, path)
	defer db.Close()

	got, err := db.SlowChats(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{reader: week, super: week.Add(time.Hour), bareSuper: t0.Add(3 * time.Hour)}
	if len(got) != len(want) {
		t.Fatalf("slow chats %v, want %v", got, want)
	}
	for chat, until := range want {
		if !got[chat].Equal(until) {
			t.Errorf("chat %d leaves the lane at %v, want %v", chat, got[chat], until)
		}
	}
	if got, err := db.SlowChats(ctx, t0.Add(3*time.Hour)); err != nil || len(got) != 2 {
		t.Errorf("at the hour the upgraded bare group's time is over: %v (%v), want the other two", got, err)
	}
	if n, err := db.PruneSlowLane(ctx, t0.Add(3*time.Hour)); err != nil || n != 1 {
		t.Errorf("prune deleted %d (%v), want 1", n, err)
	}
	if n, err := db.PruneSlowLane(ctx, week.Add(time.Hour)); err != nil || n != 2 {
		t.Errorf("a week on, prune deleted %d (%v), want 2", n, err)
	}
	if got, err := db.SlowChats(ctx, t0); err != nil || len(got) != 0 {
		t.Errorf("after the prunes: %v (%v)", got, err)
	}
}
