package queue

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// The copy's bookkeeping (each chat's counts, the chats of each rank, each chat's
// messages) follows its messages, as a count from scratch would, under everything
// apply may be handed: adds, sends, keeps and forgets of IDs not (or no longer) in the
// copy, kept messages read under another chat or class (unknown ones too), drops of
// any chat, groups' upgrades, compactions and resets (reviews 55 and 56); and every
// chat with messages of a class queued is in that class's line (review 91).
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
			for i, n := range c {
				if _, inLine := q.turns[i].at[chat]; n > 0 && !inLine {
					t.Fatalf("step %d: chat %d has %d of class %d queued and is not in its line", step, chat, n, i)
				}
			}
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
		for i := range q.turns {
			if tu := &q.turns[i]; tu.line != nil && tu.line.Len() != len(tu.at) {
				t.Fatalf("step %d: line %d holds %d chats, %d placed", step, i, tu.line.Len(), len(tu.at))
			}
		}
		if ranked != q.ranked || len(q.counts) != len(counts) || len(q.byChat) != len(counts) {
			t.Fatalf("step %d: ranked %v want %v; %d counted, %d listed, %d chats", step, q.ranked, ranked, len(q.counts), len(q.byChat), len(counts))
		}
	}
}

// A chat that was served and drained queues behind the chats that queued meanwhile,
// not in the place it kept in its class's line (review 91): with one send a sweep, Y's
// copy queued first goes before X's queued after it.
func TestADrainedChatQueuesAnewAtTheBack(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "newsbot.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var order []int64
	api := &fakeAPI{sent: map[int64]int{}, calls: map[int64]int{}, behave: func(chat int64, _ int) error {
		order = append(order, chat) // (one worker: one call at a time, awaited below)
		return nil
	}}
	// A sweep of one send (a second's budget at one a second), and no pace holding X.
	s := NewSender(db, api, SenderOptions{GlobalPerSecond: 1, PrivateEvery: time.Microsecond, Workers: 1})
	q := &outboxCopy{}
	q.reset()
	f := &flights{sem: make(chan struct{}, 1), results: make(chan outcome, 1), ids: map[uint64]bool{}}
	ctx := context.Background()
	queue := func(chat int64) {
		if err := db.Enqueue(ctx, []storage.OutMessage{classMsg(chat, "copy", storage.ClassCopy)}, time.Now()); err != nil {
			t.Fatal(err)
		}
		s.load(ctx, q)
	}
	sweepOnce := func() {
		if _, _, err := s.sweep(ctx, q, f); err != nil {
			t.Fatal(err)
		}
		o := <-f.results
		delete(f.ids, o.id)
		s.apply(q, o)
	}
	const x, y = 11, 22
	queue(x)
	sweepOnce() // X served, and drained
	queue(y)
	queue(x)
	sweepOnce()
	sweepOnce()
	if want := []int64{x, y, x}; !slices.Equal(order, want) {
		t.Errorf("chats sent to in the order %v, want %v", order, want)
	}
}
