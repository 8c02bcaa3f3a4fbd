package queue

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/newsbot/newsbot/bot/telegram"
)

func membershipUpdate(t *testing.T, chat int64, status string) telegram.Update {
	t.Helper()
	var u telegram.Update
	raw := fmt.Sprintf(`{"update_id":1,"my_chat_member":{"chat":{"id":%d,"type":"private"},"from":{"id":%d},"new_chat_member":{"status":%q}}}`, chat, chat, status)
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// Membership changes pass a chat's bounds, but however fast someone adds and removes the
// bot a chat has one waiting, the newest, behind what was sent before it (review P: each
// was queued, without bound).
func TestMembershipChangesWaitOneAChat(t *testing.T) {
	fq := newFairQueues(10)
	var u telegram.Update
	if err := json.Unmarshal([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"from":{"id":42},"text":"/help"}}`), &u); err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // the chat full of what its reader sent
		if !fq.enqueue(42, queued{int64(i), u}, false) {
			t.Fatalf("message %d not queued", i)
		}
	}
	if fq.enqueue(42, queued{10, u}, false) {
		t.Fatal("an eleventh message was queued past the bound")
	}
	dropped := 0
	for i := range 10_000 {
		status := []string{"kicked", "member"}[i%2]
		if _, ok := fq.enqueueAlways(42, queued{int64(100 + i), membershipUpdate(t, 42, status)}); ok {
			dropped++
		}
	}
	q := fq.queues[42]
	if len(q) != 11 || dropped != 9_999 {
		t.Fatalf("%d queued, %d taken out; want the 10 messages and one membership change", len(q), dropped)
	}
	if last := q[10]; last.id != 100+9_999 || last.u.MyChatMember.NewChatMember.Status != "member" {
		t.Fatalf("the last queued is %d (%+v); want the newest membership change, last", last.id, last.u.MyChatMember)
	}
	if len(fq.known) != 11 {
		t.Fatalf("%d updates known; taken-out ones must not be", len(fq.known))
	}
	// Served in order: the chat's turn comes once, and each update comes out.
	for n := 0; n < 11; n++ {
		chat, _, ok := fq.next()
		if !ok || chat != 42 {
			t.Fatalf("update %d: chat %d, %v", n, chat, ok)
		}
		fq.finish(handled{chat: 42})
	}
	if _, _, ok := fq.next(); ok {
		t.Fatal("more came out than was queued")
	}
}

// A membership change waiting before the chat's upgrade message is for the record the
// upgrade moves: a later one does not take it out (review Q).
func TestMembershipChangesBeforeAnUpgradeStay(t *testing.T) {
	fq := newFairQueues(10)
	var upgrade telegram.Update
	if err := json.Unmarshal([]byte(`{"update_id":2,"message":{"message_id":5,"chat":{"id":-42,"type":"group"},"from":{"id":7},"migrate_to_chat_id":-10042}}`), &upgrade); err != nil {
		t.Fatal(err)
	}
	fq.enqueueAlways(-42, queued{1, membershipUpdate(t, -42, "member")})
	fq.enqueueAlways(-42, queued{2, upgrade})
	for id := int64(3); id <= 5; id++ {
		fq.enqueueAlways(-42, queued{id, membershipUpdate(t, -42, "left")})
	}
	var ids []int64
	for _, q := range fq.queues[-42] {
		ids = append(ids, q.id)
	}
	if want := []int64{1, 2, 5}; !slices.Equal(ids, want) {
		t.Fatalf("queued %v, want %v: the change before the upgrade, the upgrade, the newest after it", ids, want)
	}
}
