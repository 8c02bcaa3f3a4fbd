package bot

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// The slow lane. Each chat's filters get FilterBudget (500 ms) per digest, and the run
// composes digests on every core, so chats whose filters use all of it slowed every
// reader's digest: ten such chats added 3 s to a run of 1,000 (BENCHMARKS.md), and one
// account may make hundreds of groups, each with its own budget, 6 digests a day. A
// chat whose filters take the lane's budget (slowLaneBudget) is so served in a lane of
// its own: the run passes it over, and the lane composes such digests one at a time,
// between runs and never inside one. Filters that match words stay far under it.

// slowLaneFor is how long a chat stays in the slow lane after its filters last took the
// lane's budget: longer than the longest time between two digests (a day), so that
// filters that take it every time never get back into the run. A chat this much younger
// (its record made anew, as by /forget and /start, or a new group) gets the lane's
// budget in the run too: a new record must not be a way back into the run at the whole
// budget (review 60), and /forget must not have to keep a mark to ensure it (review 64).
const slowLaneFor = 7 * 24 * time.Hour

// slowLaneShare divides the filters' budget for the slow lane: filters taking a fifth
// of it (100 ms of 500) go to the lane, and get that much there, so that the lane's
// chats wait less for each other. Ordinary filters take a millisecond or two: thirty
// words over a day's window of a few thousand items, some tens of milliseconds.
const slowLaneShare = 5

// slowLaneFloor keeps a small configured budget from sending ordinary filters to the
// lane: below it, the lane's budget is the whole budget.
const slowLaneFloor = 20 * time.Millisecond

// slowLaneBudget is the filters' budget in the slow lane, and the time that sends a
// chat's filters there.
func (b *Bot) slowLaneBudget() time.Duration {
	return max(b.opts.FilterBudget/slowLaneShare, min(b.opts.FilterBudget, slowLaneFloor))
}

// slowLaneWrite is how far a chat's time in the lane moves on before the store is told:
// a chat in the lane takes it again at every digest, up to six a day, and the store
// needs only a mark that outlasts a restart. After one, a chat leaves the lane up to a
// day early, unless its filters take the budget again by then.
const slowLaneWrite = 24 * time.Hour

// slowChats are the chats in the slow lane, with when each leaves it: read from the
// store at start (storage.DB.SlowChats), kept there as they change, and asked from
// memory, since the run asks for every due chat.
type slowChats struct {
	mu    sync.Mutex
	until map[int64]time.Time
	// stored is the time the store holds for each chat: measured from it, not from the
	// last time in memory, so that a chat whose time moves on by less than
	// slowLaneWrite at each digest is still written a day at a time (review 64: it was
	// written once, pruned from the store a week later while memory kept it, and lost
	// at the next restart).
	stored map[int64]time.Time
	// moved are the groups that became supergroups in the last movedFor, each with its
	// supergroup: a digest composed as its group moved marks the supergroup, whose
	// filters they are now (the mark was lost, and the supergroup's next digest
	// composed in the run at the whole budget).
	moved map[int64]movedChat
}

// movedChat is where a group moved, and when.
type movedChat struct {
	to int64
	at time.Time
}

// movedFor is how long a group's move is remembered: longer than any digest composes.
const movedFor = time.Hour

// mark puts chat, or the supergroup it became, in the slow lane until then. It returns
// the chat it marked, and whether the store should be told: it holds no time for the
// chat, or one slowLaneWrite or more before until.
func (s *slowChats) mark(chat int64, until time.Time) (marked int64, store bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.until == nil {
		s.until, s.stored = map[int64]time.Time{}, map[int64]time.Time{}
	}
	if m, ok := s.moved[chat]; ok {
		chat = m.to // a group upgrades once: its supergroup moves no further
	}
	if until.After(s.until[chat]) {
		s.until[chat] = until
	}
	if was, ok := s.stored[chat]; ok && until.Sub(was) < slowLaneWrite {
		return chat, false
	}
	s.stored[chat] = until
	return chat, true
}

// unstored says the store failed to take chat's mark: the next mark tries again.
func (s *slowChats) unstored(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.stored, chat)
}

// forget takes chat out of the lane (its record was erased: /forget).
func (s *slowChats) forget(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.until, chat)
	delete(s.stored, chat)
}

// load adds the marks the store kept.
func (s *slowChats) load(marks map[int64]time.Time) {
	for chat, until := range marks {
		_, _ = s.mark(chat, until)
	}
}

// has reports whether chat is in the slow lane at now.
func (s *slowChats) has(chat int64, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(s.until[chat])
}

// chats lists the chats in the slow lane at now, and lets go of those whose time is
// over.
func (s *slowChats) chats(now time.Time) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for chat, until := range s.until {
		if !now.Before(until) {
			delete(s.until, chat)
			delete(s.stored, chat)
			continue
		}
		out = append(out, chat)
	}
	return out
}

// move puts to in the lane for as long as from was (a group became a supergroup); the
// store moves its mark with the group's records (storage.DB.MigrateChat).
func (s *slowChats) move(from, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for group, m := range s.moved {
		if now.Sub(m.at) > movedFor {
			delete(s.moved, group)
		}
	}
	if s.moved == nil {
		s.moved = map[int64]movedChat{}
	}
	s.moved[from] = movedChat{to: to, at: now}
	if until, ok := s.until[from]; ok {
		delete(s.until, from)
		if until.After(s.until[to]) {
			s.until[to] = until
		}
	}
	if stored, ok := s.stored[from]; ok {
		delete(s.stored, from)
		if stored.After(s.stored[to]) {
			s.stored[to] = stored
		}
	}
}

// RunSlowDue queues the due digests of the chats in the slow lane, one at a time, the
// longest due first. It runs beside RunDue, on the chats RunDue passes over, and gives
// way to it: before each digest it waits for a run in progress to end, so the lane
// takes no core from the run.
func (b *Bot) RunSlowDue(ctx context.Context) error {
	b.slowMu.Lock()
	defer b.slowMu.Unlock()
	now := b.opts.Now()
	var due []storage.Subscriber
	for _, chat := range b.slow.chats(now) {
		s, err := b.db.Subscriber(ctx, chat)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		// Due as the due index has it.
		if s.Active && s.Subscribed && !s.NextDigest.IsZero() && !s.NextDigest.After(now) {
			due = append(due, s)
		}
	}
	slices.SortFunc(due, func(a, c storage.Subscriber) int {
		return cmp.Or(a.NextDigest.Compare(c.NextDigest), cmp.Compare(a.ChatID, c.ChatID))
	})
	var sent, empty atomic.Int64
	var late time.Duration
	for _, s := range due {
		b.runMu.Lock() // a run in progress goes first
		b.runMu.Unlock()
		// Read again: the wait may have been a whole run long, and the reader may have
		// changed their times or filters meanwhile (review 61).
		s, err := b.db.Subscriber(ctx, s.ChatID)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !s.Active || !s.Subscribed || s.NextDigest.IsZero() || s.NextDigest.After(now) {
			continue
		}
		late = max(late, b.opts.Now().Sub(s.NextDigest))
		if err := b.deliverDigest(ctx, s, now, &sent, &empty); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// One chat's failure holds back no other in the lane.
			b.log.Error("slow lane digest failed", "chat", s.ChatID, "error", err)
			continue
		}
		b.sender.Wake()
	}
	if n := sent.Load() + empty.Load(); n > 0 {
		b.stats.digestsBuilt.add(sent.Load())
		// How late the lane is tells whether it keeps up.
		b.log.Info("digest run, slow lane", "queued", sent.Load(), "empty", empty.Load(), "latest", late.Round(time.Second))
	}
	return nil
}

// scheduleSlow runs the slow lane on the scheduler's tick.
func (b *Bot) scheduleSlow(ctx context.Context) error {
	t := time.NewTicker(b.opts.ScheduleEvery)
	defer t.Stop()
	for {
		if err := b.RunSlowDue(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("slow lane run failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
