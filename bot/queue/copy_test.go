package queue

import (
	"math/rand/v2"
	"testing"

	"github.com/newsbot/newsbot/storage"
)

// The copy's bookkeeping (the chats of each rank, each chat's messages) follows its
// messages through adds, sends, kept messages and chats dropped, as a count from
// scratch would.
func TestOutboxCopyKeepsItsCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q := &outboxCopy{}
	q.reset()
	s := &Sender{chats: map[int64]*chatPace{}}
	next := uint64(1)
	for step := range 20000 {
		switch op := rng.IntN(10); {
		case op < 6:
			q.add(storage.OutMessage{ID: next, ChatID: int64(rng.IntN(50)), Class: storage.MessageClass(rng.IntN(3))})
			next++
		case op < 8 && len(q.msgs) > 0:
			for id := range q.msgs { // any one
				q.forget(id)
				break
			}
		case op < 9 && len(q.msgs) > 0:
			for id, m := range q.msgs { // any one, kept after a failed send: read as
				// stored, it may be another chat's (a group's upgrade) or class
				m.ChatID, m.Class = int64(rng.IntN(50)), storage.MessageClass(rng.IntN(3))
				s.apply(q, outcome{id: id, chat: m.ChatID, keep: &m})
				break
			}
		case op == 9:
			chat := int64(rng.IntN(50))
			others := 0
			for _, m := range q.msgs {
				if m.ChatID != chat {
					others++
				}
			}
			s.apply(q, outcome{chat: chat, dropChat: true})
			if len(q.msgs) != others {
				t.Fatalf("step %d: dropping chat %d left %d messages, want the %d of other chats", step, chat, len(q.msgs), others)
			}
		default:
			q.compact()
		}
		var ranked classCounts
		byChat := map[int64]int{}
		for _, m := range q.msgs {
			byChat[m.ChatID]++
		}
		for chat := range byChat {
			ranked[classIndex(q.rank(chat))]++
		}
		if ranked != q.ranked {
			t.Fatalf("step %d: chats by rank %v, counted %v", step, q.ranked, ranked)
		}
		if len(q.counts) != len(byChat) || len(q.byChat) != len(byChat) {
			t.Fatalf("step %d: %d chats queued, %d counted, %d listed", step, len(byChat), len(q.counts), len(q.byChat))
		}
		for chat, n := range byChat {
			listed := 0
			for _, id := range q.byChat[chat] {
				if m, ok := q.msgs[id]; ok && m.ChatID == chat {
					listed++
				}
			}
			if listed != n {
				t.Fatalf("step %d: chat %d has %d queued, %d listed", step, chat, n, listed)
			}
		}
	}
}
