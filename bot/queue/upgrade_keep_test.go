package queue

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// A group's upgrade handled by the bot (MigrateChat) while the sender's copy holds one
// of its digests under the old ID, and a send of it (read as stored: under the new ID)
// fails and is kept: the digest still goes to the supergroup (review 55: counted under
// the old group, the supergroup ranked in no pass, and the digest waited for good).
func TestKeptMessageOfAnUpgradedGroupIsSent(t *testing.T) {
	tg, db := senderFixture(t)
	ctx := context.Background()
	const old, super = -2001, -1002001
	tg.Group(old, "Club", false)
	tg.Group(super, "Club", false)
	var calls atomic.Int32
	tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if method == "sendmessage" && calls.Add(1) <= 2 {
			return 500, "Internal Server Error", 0, 0
		}
		return 0, "", 0, 0
	})
	if err := db.Enqueue(ctx, []storage.OutMessage{classMsg(old, "digest", storage.ClassDigest)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	startSender(t, tg, db, SenderOptions{MaxBackoff: 300 * time.Millisecond})
	waitUntil(t, func() bool { return calls.Load() >= 1 })  // first attempt failed, loaded under old
	if err := db.MigrateChat(ctx, old, super); err != nil { // the upgrade message, handled by the bot
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(tg.Messages(super)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("sendMessage calls: %d", calls.Load())
	if len(tg.Messages(super)) != 1 {
		t.Fatalf("the supergroup got %d messages in 10 s, want 1 (calls %d)", len(tg.Messages(super)), calls.Load())
	}
}
