package queue

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/internal/panics"
)

// Admission is the dispatcher's verdict on an update before it is queued.
type Admission int

// Verdicts.
const (
	Admit  Admission = iota // queue it for its handler
	Ignore                  // nothing for us (group chatter): confirm it unhandled
	Refuse                  // over the sender's rate: drop it
	// Always is for a change of the chat itself (the bot removed or added, a group
	// upgraded): queued past the sender's and the chat's bounds, never dropped, since
	// losing it leaves the chat's state wrong. Only the newest of a chat's waiting
	// membership changes is kept (it says the state now), so however fast someone
	// adds and removes the bot, a chat has one waiting (found by review).
	Always
)

// dispatcher runs stored updates through handle: in order within a chat, one handler at
// a time per chat, and chats served in turn (round robin), so a chat with a long queue
// or a slow handler never delays another. Every update passes admission first; what a
// flood brings beyond a chat's small queue or its sender's rate is dropped at once and
// never reaches a handler.
type Dispatcher struct {
	store  InboxStore
	handle func(ctx context.Context, u telegram.Update) error
	admit  func(ctx context.Context, u telegram.Update) Admission
	log    *slog.Logger
	opts   DispatchOptions
	wake   chan struct{}
	alive  atomic.Int64
	// Dropped counts updates refused by admission or a full queue.
	Dropped atomic.Int64
}

// DispatchOptions bound the dispatcher; zero values take the defaults.
type DispatchOptions struct {
	// Workers bounds handlers running at once (default 16); PerChat bounds the updates
	// one sender may have waiting in one chat (default 10; a group holds five times as
	// many in all, so one member's burst cannot crowd out the others); Deadline bounds
	// one handler (default 60s).
	Workers, PerChat int
	Deadline         time.Duration
	// Latency, if set, observes how long each update took.
	Latency func(time.Duration)
	Log     *slog.Logger
}

// NewDispatcher builds a dispatcher that admits updates with admit and runs the
// admitted ones through handle.
func NewDispatcher(store InboxStore, admit func(context.Context, telegram.Update) Admission, handle func(context.Context, telegram.Update) error, opts DispatchOptions) *Dispatcher {
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.PerChat <= 0 {
		opts.PerChat = 10
	}
	if opts.Deadline <= 0 {
		opts.Deadline = time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: store, admit: admit, handle: handle, log: opts.Log, opts: opts, wake: make(chan struct{}, 1)}
}

// LastTurn is when the dispatch loop last turned (for readiness checks).
func (d *Dispatcher) LastTurn() time.Time { return time.Unix(0, d.alive.Load()) }

type queued struct {
	id int64
	u  telegram.Update
}

type handled struct {
	chat, id int64
}

// Notify tells the dispatcher that new updates were stored.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run dispatches until ctx ends, then waits for the handlers in flight. An update whose
// handler was cut off by the stop stays in the inbox and runs again after a restart.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	fq := newFairQueues(d.opts.PerChat)
	results := make(chan handled, d.opts.Workers)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		d.alive.Store(time.Now().UnixNano())
		d.load(ctx, fq)
		for fq.running < d.opts.Workers {
			chat, q, ok := fq.next()
			if !ok {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.work(ctx, q)
				results <- handled{chat, q.id}
			}()
		}
		select {
		case <-ctx.Done():
			// Handlers in flight see ctx end; results has room for every one of them.
			return ctx.Err()
		case <-d.wake:
		case h := <-results:
			fq.finish(h)
		case <-tick.C:
		}
	}
}

// load reads the inbox from the start every time, skipping what is known: update IDs
// normally grow, but Telegram may restart them at random after a quiet week. Updates
// admission refuses, and those a full queue has no room for, are confirmed at once.
func (d *Dispatcher) load(ctx context.Context, fq *fairQueues) {
	var after int64
	for ctx.Err() == nil {
		ids, raws, err := d.store.PendingUpdates(ctx, after, 500, func(id int64) bool { return fq.known[id] })
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("reading the inbox failed", "error", err)
			}
			return
		}
		var done []int64
		for k, id := range ids {
			after = id
			var u telegram.Update
			if err := json.Unmarshal(raws[k], &u); err != nil {
				d.log.Error("dropping an update that does not decode", "update", id, "error", err)
				done = append(done, id)
				continue
			}
			switch d.admitCaught(ctx, u) {
			case Ignore:
				done = append(done, id)
			case Refuse:
				d.Dropped.Add(1)
				done = append(done, id)
			case Always:
				if old, ok := fq.enqueueAlways(u.ChatOf(), queued{id, u}); ok {
					done = append(done, old)
				}
			default:
				if !fq.enqueue(u.ChatOf(), queued{id, u}, false) {
					d.Dropped.Add(1)
					done = append(done, id)
				}
			}
		}
		if len(done) > 0 {
			if err := d.store.UpdatesHandled(ctx, done); err != nil && ctx.Err() == nil {
				d.log.Error("confirming dropped updates failed", "error", err)
			}
		}
		if len(ids) < 500 {
			return
		}
	}
}

// fairQueues are the admitted updates waiting, one queue per chat, served round robin
// with one handler per chat at a time.
type fairQueues struct {
	perChat int
	queues  map[int64][]queued
	busy    map[int64]bool
	known   map[int64]bool    // updates queued or running
	waiting map[senderKey]int // queued updates per sender and chat
	turn    []int64           // chats with queued updates and no handler running, in turn order
	running int
}

type senderKey struct{ chat, user int64 }

func newFairQueues(perChat int) *fairQueues {
	return &fairQueues{perChat: perChat, queues: map[int64][]queued{}, busy: map[int64]bool{},
		known: map[int64]bool{}, waiting: map[senderKey]int{}}
}

// enqueue queues q unless its sender already has perChat updates waiting in the chat,
// or the chat is full (perChat, five times that in a group); always, it queues q anyway.
func (f *fairQueues) enqueue(chat int64, q queued, always bool) bool {
	chatCap := f.perChat
	if chat < 0 {
		chatCap *= 5
	}
	key := senderKey{chat, q.u.SenderID()}
	if !always && (len(f.queues[chat]) >= chatCap || f.waiting[key] >= f.perChat) {
		return false
	}
	f.waiting[key]++
	if len(f.queues[chat]) == 0 && !f.busy[chat] {
		f.turn = append(f.turn, chat)
	}
	f.queues[chat] = append(f.queues[chat], q)
	f.known[q.id] = true
	return true
}

// enqueueAlways queues q past the bounds (Always). A membership change takes out the
// one of chat's still waiting, and goes to the back, after what was sent before it;
// it returns the ID of the one it took out.
func (f *fairQueues) enqueueAlways(chat int64, q queued) (int64, bool) {
	old, ok := f.dropMembership(chat, q.u)
	f.enqueue(chat, q, true)
	return old, ok
}

// dropMembership takes out of chat's queue a membership change still waiting, when u is
// one, and returns it. Not one before the chat's upgrade message: that one is for the
// record the upgrade moves (found by review).
func (f *fairQueues) dropMembership(chat int64, u telegram.Update) (int64, bool) {
	if u.MyChatMember == nil {
		return 0, false
	}
	q := f.queues[chat]
	for i := len(q) - 1; i >= 0; i-- {
		w := q[i]
		if w.u.Message != nil && w.u.Message.MigrateToChatID != 0 {
			break
		}
		if w.u.MyChatMember == nil {
			continue
		}
		f.queues[chat] = slices.Delete(f.queues[chat], i, i+1)
		delete(f.known, w.id)
		if key := (senderKey{chat, w.u.SenderID()}); f.waiting[key] <= 1 {
			delete(f.waiting, key)
		} else {
			f.waiting[key]--
		}
		if len(f.queues[chat]) == 0 {
			f.turn = slices.DeleteFunc(f.turn, func(c int64) bool { return c == chat })
		}
		return w.id, true
	}
	return 0, false
}

// next takes the update whose turn it is and marks its chat busy.
func (f *fairQueues) next() (int64, queued, bool) {
	if len(f.turn) == 0 {
		return 0, queued{}, false
	}
	chat := f.turn[0]
	f.turn = f.turn[1:]
	q := f.queues[chat][0]
	f.queues[chat] = f.queues[chat][1:]
	if key := (senderKey{chat, q.u.SenderID()}); f.waiting[key] <= 1 {
		delete(f.waiting, key)
	} else {
		f.waiting[key]--
	}
	f.busy[chat] = true
	f.running++
	return chat, q, true
}

// finish frees a chat whose handler returned; its next update goes to the back of the
// turn order, so every other chat waiting goes first.
func (f *fairQueues) finish(h handled) {
	delete(f.known, h.id)
	f.running--
	f.busy[h.chat] = false
	if len(f.queues[h.chat]) > 0 {
		f.turn = append(f.turn, h.chat)
	} else {
		delete(f.queues, h.chat)
		delete(f.busy, h.chat)
	}
}

// work runs one update's handler under the deadline and confirms it, unless the stop
// cut the handler off: then it stays in the inbox for the next start.
func (d *Dispatcher) work(ctx context.Context, q queued) {
	hctx, cancel := context.WithTimeout(ctx, d.opts.Deadline)
	start := time.Now()
	err := d.safeHandle(hctx, q.u)
	cancel()
	if d.opts.Latency != nil {
		d.opts.Latency(time.Since(start))
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		d.log.Info("stopping: an update's handler was cut off; it stays in the inbox", "update", q.id)
		return
	}
	if err != nil {
		d.log.Error("handling an update failed", "chat", q.u.ChatOf(), "update", q.id, "error", err)
	}
	// Handled, or failed for good: confirm it, whatever ctx says.
	if err := d.store.UpdatesHandled(context.WithoutCancel(ctx), []int64{q.id}); err != nil {
		d.log.Error("confirming an update failed", "update", q.id, "error", err)
	}
}

// admitCaught is admit, with a panic taken as a refusal. Admission runs outside the
// handlers' recovery, on every update as it is loaded: a panic there ended the process,
// and the update, still stored, ended it again at every start (audit 62).
func (d *Dispatcher) admitCaught(ctx context.Context, u telegram.Update) (a Admission) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("admitting an update panicked; dropping it", "update", u.UpdateID, "panic", toString(p), "stack", panics.Recovered("admit"))
			a = Refuse
		}
	}()
	return d.admit(ctx, u)
}

// safeHandle turns a handler panic into an error: a malformed update must not take
// the bot down.
func (d *Dispatcher) safeHandle(ctx context.Context, u telegram.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			panics.Recovered("handle")
			err = errors.New("handler panicked: " + toString(r))
		}
	}()
	return d.handle(ctx, u)
}

func toString(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case string:
		return x
	}
	return "unknown panic"
}
