package queue

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/newsbot/newsbot/storage"
)

// The copy's bookkeeping (each chat's counts, the chats of each rank, each chat's
// messages) follows its messages, as a count from scratch would, under everything
// apply may be handed: adds, sends, keeps and forgets of IDs not (or no longer) in the
// copy, kept messages read under another chat or class (unknown ones too), drops of
// any chat, groups' upgrades, compactions and resets (reviews 55 and 56).
func TestOutboxCopyKeepsItsCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	q := &outboxCopy{}
	q.reset()
	s := &Sender{chats: map[int64]*chatPace{}}
	next := uint64(1)
	for step := range 50000 {
		switch op := rng.IntN(12); {
		case op < 5:
			q.add(storage.OutMessage{ID: next, ChatID: int64(rng.IntN(20)), Class: storage.MessageClass(rng.IntN(6))})
			next++
		case op < 6:
			q.forget(uint64(rng.IntN(int(next) + 3)))
		case op < 9:
			m := storage.OutMessage{ID: uint64(rng.IntN(int(next) + 3)), ChatID: int64(rng.IntN(20)), Class: storage.MessageClass(rng.IntN(256))}
			s.apply(q, outcome{id: m.ID, chat: int64(rng.IntN(20)), keep: &m})
		case op < 10:
			chat := int64(rng.IntN(20))
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
		case op < 11:
			q.compact()
		default:
			if rng.IntN(50) == 0 {
				q.reset()
			} else { // a group's upgrade
				s.apply(q, outcome{chat: int64(rng.IntN(20)), migrated: int64(1 + rng.IntN(20))})
			}
		}
		var ranked classCounts
		counts := map[int64]*classCounts{}
		for _, m := range q.msgs {
			if counts[m.ChatID] == nil {
				counts[m.ChatID] = &classCounts{}
			}
			counts[m.ChatID][classIndex(m.Class)]++
		}
		for chat, c := range counts {
			ranked[c.best()]++
			if *q.counts[chat] != *c {
				t.Fatalf("step %d: chat %d counted %v, has %v", step, chat, *q.counts[chat], *c)
			}
			listed := map[uint64]int{}
			for _, id := range q.byChat[chat] {
				listed[id]++
				if listed[id] > 1 {
					t.Fatalf("step %d: chat %d lists %d twice", step, chat, id)
				}
			}
		}
		for _, m := range q.msgs {
			if !slices.Contains(q.byChat[m.ChatID], m.ID) {
				t.Fatalf("step %d: %d not listed under its chat %d", step, m.ID, m.ChatID)
			}
		}
		if ranked != q.ranked || len(q.counts) != len(counts) || len(q.byChat) != len(counts) {
			t.Fatalf("step %d: ranked %v want %v; %d counted, %d listed, %d chats", step, q.ranked, ranked, len(q.counts), len(q.byChat), len(counts))
		}
	}
}
