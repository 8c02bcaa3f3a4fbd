package queue

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/time/rate"
)

// Telegram is what the queue needs from the Bot API client.
type Telegram interface {
	Call(ctx context.Context, method string, params map[string]string) (json.RawMessage, error)
	CallTimeout(ctx context.Context, method string, params map[string]string, timeout time.Duration) (json.RawMessage, error)
	Upload(ctx context.Context, method string, params map[string]string, name string, data []byte) (json.RawMessage, error)
}

// OutboxStore is what the sender needs from storage.
type OutboxStore interface {
	Outbox(ctx context.Context, after uint64, limit int) ([]storage.OutMessage, error)
	OutMessage(ctx context.Context, id uint64) (storage.OutMessage, error)
	Sent(ctx context.Context, id uint64, chatID int64, messageID int, rec *storage.MessageRecord) (storage.SentCopy, error)
	Retry(ctx context.Context, id uint64, attempts int) error
	PlainFallback(ctx context.Context, id uint64) (storage.OutMessage, error)
	Replace(ctx context.Context, m storage.OutMessage) error
	Drop(ctx context.Context, id uint64) error
	DeactivateChat(ctx context.Context, chatID int64) (int, error)
	MigrateChat(ctx context.Context, from, to int64) error
}

// SenderOptions are the rate limits the sender keeps; zero values take Telegram's
// documented limits.
type SenderOptions struct {
	GlobalPerSecond float64       // default 25
	PrivateEvery    time.Duration // default 1s between messages to one private chat
	GroupPerMinute  int           // default 20
	Workers         int           // concurrent sends, default 8
	MaxBackoff      time.Duration // for network errors, default 5m
	Logger          *slog.Logger
	// OnFailure, if set, is told the reason of every failed attempt: the Telegram error
	// code ("429", "403", "400"...) or "network".
	OnFailure func(reason string)
	// OnStaleCopy, if set, is told of a comment whose copy was sent from an older
	// revision (it was edited or removed while the copy was in flight): its copies must
	// be rendered again. It must not block.
	OnStaleCopy func(comment uint64)
	// OnMigrate, if set, is told of a group that became a supergroup, learnt from a
	// send and moved in the store (MigrateChat). It must not block.
	OnMigrate func(from, to int64)
	// CallContext is the context of every call to Telegram (default: background). It
	// outlives Run on purpose: a send cut off in flight may have reached Telegram but is
	// not recorded, so it would be sent again after a restart. Cancel it only after a
	// shutdown deadline.
	CallContext context.Context
}

// SenderStats are counters for operators.
type SenderStats struct {
	Sent, Failed, TooMany, Dropped, Deactivated, PlainFallbacks atomic.Int64
}

// Sender drains the persistent outbox: in order per chat and class (a chat's answer
// goes before the copies queued for it; outboxCopy.next), one message in flight per
// chat, under a global rate and per-chat limits; on 429 it pauses only that chat.
type Sender struct {
	store OutboxStore
	api   Telegram
	opts  SenderOptions
	log   *slog.Logger
	wake  chan struct{}

	global *rate.Limiter
	recSeq atomic.Uint64 // numbers sends with a record (see chatPace.recording)
	mu     sync.Mutex
	chats  map[int64]*chatPace
	Stats  SenderStats
	alive  atomic.Int64 // unix nanos of the last loop turn
}

type chatPace struct {
	busy      bool
	notBefore time.Time
	recent    []time.Time // sends in the last minute (groups)
	// recording is the sequence number of a message with a record that is being sent
	// to this chat, from the call to Telegram until its record is stored; 0 when none.
	recording uint64
}

// WithDefaults fills the zero fields of o with Telegram's documented limits.
func (o SenderOptions) WithDefaults() SenderOptions {
	if o.GlobalPerSecond <= 0 {
		o.GlobalPerSecond = 25
	}
	if o.PrivateEvery <= 0 {
		o.PrivateEvery = time.Second
	}
	if o.GroupPerMinute <= 0 {
		o.GroupPerMinute = 20
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CallContext == nil {
		o.CallContext = context.Background()
	}
	return o
}

// NewSender builds a Sender.
func NewSender(store OutboxStore, api Telegram, opts SenderOptions) *Sender {
	opts = opts.WithDefaults()
	return &Sender{store: store, api: api, opts: opts, log: opts.Logger, wake: make(chan struct{}, 1),
		global: rate.NewLimiter(rate.Limit(opts.GlobalPerSecond), 1), chats: map[int64]*chatPace{}}
}

// Wake tells the sender that new messages are queued.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Recording returns a token for the message with a record that is being sent to
// chat right now (handed to Telegram, its record not yet stored), and false when there
// is none. Recorded reports when that send is over.
func (s *Sender) Recording(chat int64) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.chats[chat]
	if !ok || p.recording == 0 {
		return 0, false
	}
	return p.recording, true
}

// Recorded reports whether the send that Recording returned token for is over: its
// record stored, or the send failed.
func (s *Sender) Recorded(chat int64, token uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.chats[chat]
	return !ok || p.recording != token
}

// startRecording marks a send with a record to chat as under way; the returned
// function ends it.
func (s *Sender) startRecording(chat int64) func() {
	token := s.recSeq.Add(1)
	s.mu.Lock()
	s.pace(chat).recording = token
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		if p := s.pace(chat); p.recording == token {
			p.recording = 0
		}
		s.mu.Unlock()
	}
}

// LastLoop is when the send loop last ran (for readiness checks).
func (s *Sender) LastLoop() time.Time { return time.Unix(0, s.alive.Load()) }

func isGroupChat(id int64) bool { return id < 0 }

// forgetIdlePaces drops the pacing of chats that carries nothing at now: no send in
// flight, no wait to keep, no group send within the minute. One entry stayed for every
// chat ever sent to, for the life of the process (audit 62); a fresh one paces the same.
func (s *Sender) forgetIdlePaces(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := now.Add(-time.Minute)
	for id, p := range s.chats {
		if !p.busy && p.recording == 0 && !now.Before(p.notBefore) && (len(p.recent) == 0 || p.recent[len(p.recent)-1].Before(cut)) {
			delete(s.chats, id)
		}
	}
}

func (s *Sender) pace(id int64) *chatPace {
	p, ok := s.chats[id]
	if !ok {
		p = &chatPace{}
		s.chats[id] = p
	}
	return p
}

// ready reports whether chat id may be sent to now, or when it may; called with mu.
func (s *Sender) ready(id int64, now time.Time) (bool, time.Time) {
	p := s.pace(id)
	if p.busy {
		return false, time.Time{}
	}
	if now.Before(p.notBefore) {
		return false, p.notBefore
	}
	if isGroupChat(id) {
		cut := now.Add(-time.Minute)
		k := 0
		for k < len(p.recent) && p.recent[k].Before(cut) {
			k++
		}
		p.recent = p.recent[k:]
		if len(p.recent) >= s.opts.GroupPerMinute {
			return false, p.recent[0].Add(time.Minute)
		}
	}
	return true, time.Time{}
}

// outcome tells the send loop what became of a message.
type outcome struct {
	id       uint64
	chat     int64
	keep     *storage.OutMessage // still queued (retry), with its new state
	dropChat bool                // every message of the chat is gone
	// migrated is the chat's new ID: a group became a supergroup, and storage moved its
	// queued messages to it (MigrateChat).
	migrated int64
	// notBefore is when the chat may be sent to again. The chat is released only when
	// the loop applies the outcome, so it never sees a stale copy of the message.
	notBefore time.Time
}

// Run sends until ctx ends, then waits for the sends in flight to finish. The loop
// keeps the queue in memory and reads only new entries from storage, so its cost per
// message does not grow with the queue.
func (s *Sender) Run(ctx context.Context) error {
	f := &flights{sem: make(chan struct{}, s.opts.Workers), results: make(chan outcome, s.opts.Workers), ids: map[uint64]bool{}}
	defer f.finish()
	q := &outboxCopy{}
	q.reset()
	s.load(ctx, q)
	forgot := time.Now()
	for {
		s.alive.Store(time.Now().UnixNano())
		if now := time.Now(); now.Sub(forgot) >= time.Minute {
			s.forgetIdlePaces(now)
			forgot = now
		}
		if q.stale {
			// The copy was emptied and not read since (its read failed): read it before
			// a sweep finds nothing and sleeps a minute (review 56).
			s.load(ctx, q)
		}
		q.compact()
		wakeAt, interrupted, err := s.sweep(ctx, q, f)
		if err != nil {
			return err
		}
		if interrupted {
			// Messages were queued during a long sweep: read them (a reader's answer
			// ranks before the bulk still waiting) and sweep again at once.
			s.load(ctx, q)
			continue
		}
		wait := time.Minute
		if !wakeAt.IsZero() {
			wait = max(time.Until(wakeAt), 5*time.Millisecond)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.wake:
			s.load(ctx, q)
		case o := <-f.results:
			delete(f.ids, o.id)
			s.apply(q, o)
		case <-t.C:
			s.load(ctx, q)
		}
		t.Stop()
	}
}

// flights are the sends in progress: at most Workers at once.
type flights struct {
	wg      sync.WaitGroup
	sem     chan struct{}
	results chan outcome
	// ids are the messages in flight, by ID: a group's upgrade may move one to another
	// chat, not busy there, and a sweep must not send it a second time (review 56).
	// Only the loop's goroutine touches it.
	ids map[uint64]bool
}

// finish lets in-flight sends finish and record their outcome.
func (f *flights) finish() {
	go func() {
		for range f.results {
		}
	}()
	f.wg.Wait()
	close(f.results)
}

// outboxCopy is the sender's copy of the outbox: messages by ID, each chat's message
// IDs, and how many of each class every chat has queued (kept as messages come and go,
// so that ranking chats costs nothing per sweep). It keeps of each message what ranking
// needs (slim), not its text: a send reads the message as stored, and a digest run of
// 100,000 held 735 MiB here while it drained (35 MiB slim, the chats' lines included:
// BENCHMARKS.md, review 91).
//
// A sweep's cost must not grow with the queue where nothing is to be done (audit 54:
// 26-35 ms a sweep at 100,000 queued digests, walking the queue for answers that were
// not there): ranked counts the chats of each rank, so a pass with none is skipped, and
// byChat lists each chat's messages, so a chat that blocked the bot drops its own.
type outboxCopy struct {
	msgs   map[uint64]storage.OutMessage
	counts map[int64]*classCounts
	ranked classCounts        // chats by rank (outboxCopy.rank)
	byChat map[int64][]uint64 // each chat's message IDs, sent ones included until it has none
	lastID uint64
	// forgotten counts messages done with since the last compaction, which drops
	// what they left behind (IDs in byChat, chats in the lines).
	forgotten int
	stale     bool // reset, and not read since
	// turns are, for each class, the chats that had messages of it queued, in the
	// order they take their turns (a chat served goes to the back, and so does one that
	// queues again after it had none; one with none left is dropped when its turn
	// comes, or by compact).
	turns [len(classCounts{})]chatTurns
}

// chatTurns is a line of chats taking turns.
type chatTurns struct {
	line *list.List
	at   map[int64]*list.Element
}

// join puts chat at the back of the line unless it is in it.
func (t *chatTurns) join(chat int64) {
	if t.line == nil {
		t.line, t.at = list.New(), map[int64]*list.Element{}
	}
	if _, ok := t.at[chat]; !ok {
		t.at[chat] = t.line.PushBack(chat)
	}
}

// front is the line's first chat, nil for none.
func (t *chatTurns) front() *list.Element {
	if t.line == nil {
		return nil
	}
	return t.line.Front()
}

// leave takes e's chat out of the line.
func (t *chatTurns) leave(e *list.Element) {
	delete(t.at, e.Value.(int64))
	t.line.Remove(e)
}

// classCounts are one chat's queued messages by class, in the order of storage.Classes.
type classCounts [4]int

func (q *outboxCopy) reset() {
	q.msgs, q.counts, q.forgotten, q.lastID = map[uint64]storage.OutMessage{}, map[int64]*classCounts{}, 0, 0
	q.ranked, q.byChat, q.stale = classCounts{}, map[int64][]uint64{}, true
	q.turns = [len(classCounts{})]chatTurns{}
}

// best is the index of the best class counted in c, -1 for none.
func (c *classCounts) best() int {
	if c != nil {
		for i, n := range c {
			if n > 0 {
				return i
			}
		}
	}
	return -1
}

// count changes chat's count of class by delta, and keeps ranked and byChat with it.
func (q *outboxCopy) count(chat int64, class storage.MessageClass, delta int) {
	c := q.counts[chat]
	if c == nil {
		c = &classCounts{}
		q.counts[chat] = c
	}
	if r := c.best(); r >= 0 {
		q.ranked[r]--
	}
	i := classIndex(class)
	c[i] += delta
	if c[i] > 0 {
		q.turns[i].join(chat)
	}
	if r := c.best(); r >= 0 {
		q.ranked[r]++
		return
	}
	delete(q.counts, chat)
	delete(q.byChat, chat)
}

// slim is what the copy keeps of a message: its rank, and the message an edit or a
// deletion is of (next keeps those in order).
func slim(m storage.OutMessage) storage.OutMessage {
	s := storage.OutMessage{ID: m.ID, ChatID: m.ChatID, Class: m.Class}
	if t := m.Params["message_id"]; t != "" {
		s.Params = map[string]string{"message_id": t}
	}
	return s
}

// add takes a message in. A chat that had none of its class queued takes its place at
// the back of that class's line, not the place it kept since it last had some (left in
// the line until its turn or a compaction): having drained, it does not go before the
// chats that queued meanwhile (review 91).
func (q *outboxCopy) add(m storage.OutMessage) {
	i := classIndex(m.Class)
	if c := q.counts[m.ChatID]; c == nil || c[i] == 0 {
		if e, ok := q.turns[i].at[m.ChatID]; ok {
			q.turns[i].line.MoveToBack(e)
		}
	}
	q.msgs[m.ID] = slim(m)
	q.byChat[m.ChatID] = append(q.byChat[m.ChatID], m.ID)
	q.lastID = m.ID
	q.count(m.ChatID, m.Class, 1)
}

// relabel counts message id again as m says (another chat or class), in its place.
func (q *outboxCopy) relabel(id uint64, m storage.OutMessage) {
	q.forget(id)
	q.msgs[id] = m
	if !slices.Contains(q.byChat[m.ChatID], id) { // it may have been there before
		q.byChat[m.ChatID] = append(q.byChat[m.ChatID], id)
	}
	q.count(m.ChatID, m.Class, 1)
}

// move relabels chat from's messages as chat to's, in their places.
func (q *outboxCopy) move(from, to int64) {
	if from == to {
		return
	}
	listed := map[uint64]bool{} // not slices.Contains per message: a group may have thousands
	for _, id := range q.byChat[to] {
		listed[id] = true
	}
	for _, id := range slices.Clone(q.byChat[from]) {
		m, ok := q.msgs[id]
		if !ok || m.ChatID != from {
			continue
		}
		q.forget(id)
		m.ChatID = to
		q.msgs[id] = m
		if !listed[id] {
			q.byChat[to] = append(q.byChat[to], id)
		}
		q.count(to, m.Class, 1)
	}
}

// forget drops a message that is done with.
func (q *outboxCopy) forget(id uint64) {
	m, ok := q.msgs[id]
	if !ok {
		return
	}
	delete(q.msgs, id)
	q.forgotten++
	q.count(m.ChatID, m.Class, -1)
}

// waiting reports whether some chat ranks in class.
func (q *outboxCopy) waiting(class storage.MessageClass) bool {
	return q.ranked[classIndex(class)] > 0
}

// rank is a chat's best class among its queued messages, not its oldest message's: a
// follower with an answer queued behind a comment's copy is served with the answers
// (the answer first: next).
func (q *outboxCopy) rank(chat int64) storage.MessageClass {
	if r := q.counts[chat].best(); r >= 0 {
		return storage.Classes()[r]
	}
	return storage.ClassAnswer
}

// next is what chat sends in the pass of class, first being its oldest queued message:
// first when it is of class, else the chat's oldest message of class. A reader's answer
// does not wait behind the copies, digests or erasures queued for their chat before it
// (100 copies held a follower's answer 100 s at a private chat's pace). Edits and
// deletions of one message keep their order: the oldest of them goes first, so that a
// card's redraw queued before an answer's edit of it cannot undo the edit.
func (q *outboxCopy) next(first storage.OutMessage, class storage.MessageClass) storage.OutMessage {
	if first.Class.Rank() == class.Rank() {
		return first
	}
	ids := q.byChat[first.ChatID]
	pick, found := first, false
	for _, id := range ids {
		if m, ok := q.msgs[id]; ok && m.ChatID == first.ChatID && m.Class.Rank() == class.Rank() && (!found || id < pick.ID) {
			pick, found = m, true
		}
	}
	target := pick.Params["message_id"]
	if !found || target == "" {
		return pick
	}
	for _, id := range ids {
		if m, ok := q.msgs[id]; ok && id < pick.ID && m.ChatID == first.ChatID && m.Params["message_id"] == target {
			pick = m // the oldest of the same message's goes first
		}
	}
	return pick
}

// classIndex is a stored class's place in classCounts (an unknown one ranks last).
func classIndex(c storage.MessageClass) int { return c.Rank() }

// compact drops, now and then, what messages done with left behind: chats with none
// of a class left from its line, sent IDs from their chats' lists. Its cost is amortised
// over the messages forgotten since the last.
func (q *outboxCopy) compact() {
	if q.forgotten <= len(q.msgs)+1024 {
		return
	}
	q.forgotten = 0
	for i := range q.turns {
		t := &q.turns[i]
		for e := t.front(); e != nil; {
			next := e.Next()
			if c := q.counts[e.Value.(int64)]; c == nil || c[i] == 0 {
				t.leave(e)
			}
			e = next
		}
	}
	// A chat that never drains (a busy group) keeps its sent IDs until now (review 55).
	for chat, ids := range q.byChat {
		q.byChat[chat] = slices.DeleteFunc(ids, func(id uint64) bool {
			m, ok := q.msgs[id]
			return !ok || m.ChatID != chat
		})
	}
}

// load reads what was queued since the last load.
func (s *Sender) load(ctx context.Context, q *outboxCopy) {
	for {
		msgs, err := s.store.Outbox(ctx, q.lastID, 5000)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("reading the outbox failed", "error", err)
			}
			return
		}
		for _, m := range msgs {
			q.add(m)
		}
		if len(msgs) < 5000 {
			q.stale = false
			return
		}
	}
}

// apply folds a finished send into q and frees its chat.
func (s *Sender) apply(q *outboxCopy, o outcome) {
	defer s.release(o.chat, o.notBefore)
	switch {
	case o.migrated != 0:
		// Relabelled in place, not read again: reading a queue of 100,000 afresh took
		// the loop seconds, and a group's admin may upgrade it. A message storage
		// dropped instead (an edit of the old group's message) is found gone at its turn.
		q.move(o.chat, o.migrated)
	case o.dropChat:
		for _, id := range slices.Clone(q.byChat[o.chat]) {
			if m, ok := q.msgs[id]; ok && m.ChatID == o.chat { // not one moved to another chat since
				q.forget(id)
			}
		}
	case o.keep != nil:
		if old, ok := q.msgs[o.id]; ok { // (else dropped with its chat meanwhile: it stays gone)
			kept := slim(*o.keep)
			if kept.ChatID != old.ChatID || kept.Class != old.Class {
				// Read as stored, it may be another chat's now (a group's upgrade moved
				// it): counted under the old, its new chat would rank in no pass, and it
				// would wait for good (review 55).
				q.relabel(o.id, kept)
				// Its pause (a 429's retry_after, a backoff) holds where it goes now.
				s.mu.Lock()
				if p := s.pace(kept.ChatID); o.notBefore.After(p.notBefore) {
					p.notBefore = o.notBefore
				}
				s.mu.Unlock()
			}
			q.msgs[o.id] = kept
		}
	default:
		q.forget(o.id)
	}
}

// sweep starts a send for each chat whose turn it is, its oldest message of its rank
// (outboxCopy.next): first the chats with an answer queued, then those with a digest,
// then those with an erasure, then those with a comment's copy
// (storage.OutMessage.Class; outboxCopy.rank), each class leaving a fifth of a sweep
// to those below it that wait. It returns when the next chat will be
// ready (zero: nothing is waiting on a timer). After a second's worth of sends it stops
// (interrupted): Run reads what was queued meanwhile and sweeps again, ranked afresh,
// so that an answer never waits behind the rest of a long queue.
func (s *Sender) sweep(ctx context.Context, q *outboxCopy, f *flights) (wakeAt time.Time, interrupted bool, err error) {
	budget := max(1, int(s.opts.GlobalPerSecond))
	// Each class leaves a fifth of the sweep (one send at least) to every class below it
	// that waits: a flood of answers slows digests, deletions and copies,
	// a digest run slows copies, and none stops another. At a rate too low for every
	// share, the higher classes get theirs first; answers keep one send. The passes
	// count sends together.
	share := max(1, budget/5)
	classes := storage.Classes()
	reserved := map[storage.MessageClass]int{}
	free := budget - 1
	for _, class := range classes[1:] {
		if q.waiting(class) {
			reserved[class] = min(share, free)
			free -= reserved[class]
		}
	}
	sw := &sweepState{budget: budget}
	for i, class := range classes {
		below := 0
		for _, lower := range classes[i+1:] {
			below += reserved[lower]
		}
		sw.limit = budget - below
		if sw.limit <= sw.started || !q.waiting(class) {
			continue // a full sweep, or no chat of this rank: nothing to walk the queue for
		}
		wakeAt, err = s.sweepClass(ctx, q, f, class, wakeAt, sw)
		if err != nil {
			return wakeAt, false, err
		}
	}
	if sw.started >= budget {
		// A second's worth of sends: Run reads what was queued meanwhile and sweeps
		// again, ranked afresh (a paced chat with an answer may be ready by now).
		select {
		case <-s.wake:
		default:
		}
		return wakeAt, true, nil
	}
	return wakeAt, false, nil
}

// sweepState is what one sweep's passes share: sends started, the budget of the sweep
// and the limit of the pass.
type sweepState struct {
	started, budget, limit int
}

// sweepClass is one pass of sweep over the chats whose best class queued is class: the
// chats take turns, those not served for longest first (a chat served goes to the back
// of the line, as does one queuing anew: add), so that a reader's message waits for a
// turn of the chats with messages of its class queued, not for their backlog. Served
// by their oldest message, 100 accounts with three answers queued each held another
// reader's answer until all 300 had gone, and a flood of copies to 200 followers held
// another discussion's copies until 607 of 609 had gone. Taking turns by discussion
// instead let accounts following both spend the other discussion's turns on the flood
// (review 89), and gave one account a turn for each discussion it commented in.
func (s *Sender) sweepClass(ctx context.Context, q *outboxCopy, f *flights, class storage.MessageClass, wakeAt time.Time, sw *sweepState) (time.Time, error) {
	i := classIndex(class)
	turns := &q.turns[i]
	seen := map[int64]bool{}
	// The line changes as the pass goes: served chats go to the back (met again, seen),
	// chats join at the back, and only the pass takes chats out (compact runs between
	// sweeps; chats move to the back on queuing only when Run loads, between sweeps).
	for e := turns.front(); e != nil && sw.started < sw.limit; {
		next, chat := e.Next(), e.Value.(int64)
		switch c := q.counts[chat]; {
		case c == nil || c[i] == 0:
			turns.leave(e) // none of class left
		case seen[chat]:
		default:
			seen[chat] = true
			if q.rank(chat) != class {
				break // another pass's: its place holds
			}
			started := sw.started
			var err error
			if wakeAt, err = s.startIfReady(ctx, q, f, sw, seen, wakeAt, chat, func() storage.OutMessage {
				// Only for a chat that may be sent to: this may walk the chat's queue
				// (review 84: 11.7 ms a sweep for a paced group with 100,000 queued).
				return q.next(q.oldest(chat), class)
			}); err != nil {
				return wakeAt, err
			}
			if sw.started > started {
				if next == nil {
					next = e.Next() // (something joined behind it meanwhile)
				}
				turns.line.MoveToBack(e)
			}
		}
		e = next
	}
	return wakeAt, nil
}

// oldest is chat's oldest queued message.
func (q *outboxCopy) oldest(chat int64) storage.OutMessage {
	var pick storage.OutMessage
	for _, id := range q.byChat[chat] {
		if m, ok := q.msgs[id]; ok && m.ChatID == chat && (pick.ID == 0 || id < pick.ID) {
			pick = m
		}
	}
	return pick
}

// startIfReady starts the send of pick()'s message to chat if chat may be sent to now
// (else it folds when it may into wakeAt), and applies the sends that finished
// meanwhile, marking seen the chats they moved messages to.
func (s *Sender) startIfReady(ctx context.Context, q *outboxCopy, f *flights, sw *sweepState, seen map[int64]bool, wakeAt time.Time, chat int64, pick func() storage.OutMessage) (time.Time, error) {
	now := time.Now()
	s.mu.Lock()
	ready, at := s.ready(chat, now)
	s.mu.Unlock()
	if !ready {
		if !at.IsZero() && (wakeAt.IsZero() || at.Before(wakeAt)) {
			wakeAt = at
		}
		return wakeAt, nil
	}
	m := pick()
	if m.ID == 0 || f.ids[m.ID] {
		return wakeAt, nil // in flight still (moved to this chat by a group's upgrade)
	}
	s.mu.Lock()
	s.pace(m.ChatID).busy = true
	s.mu.Unlock()
	if err := s.global.Wait(ctx); err != nil {
		s.release(m.ChatID, time.Time{})
		return wakeAt, err
	}
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		s.release(m.ChatID, time.Time{})
		return wakeAt, ctx.Err()
	}
	sw.started++
	f.ids[m.ID] = true
	f.wg.Add(1)
	go func(m storage.OutMessage) {
		defer f.wg.Done()
		o := s.sendCaught(m)
		<-f.sem
		f.results <- o
	}(m)
	now = time.Now()
	// Apply finished sends as we go, so that the copy stays current as a long pass
	// goes on (a drained chat is passed over, a blocked one's messages are gone). The scan
	// may have passed their chats already: fold each outcome into wakeAt, or a retry
	// after 429 (or a group's upgrade) would sleep until the timer.
	for {
		select {
		case o := <-f.results:
			delete(f.ids, o.id)
			s.apply(q, o)
			wakeAt = earliestWake(wakeAt, o, now)
			// A chat messages moved to (a group's upgrade, a kept message read under
			// another chat) has them behind the scan: none of its later ones may
			// overtake them in this pass (review 57).
			if o.migrated != 0 {
				seen[o.migrated] = true
			}
			if o.keep != nil {
				seen[o.keep.ChatID] = true
			}
		default:
			return wakeAt, nil
		}
	}
}

// earliestWake folds an outcome applied mid-scan into the loop's next wake-up: its chat
// may be sent to at o.notBefore (at once if that has passed). A zero wakeAt means no
// wake-up was planned.
func earliestWake(wakeAt time.Time, o outcome, now time.Time) time.Time {
	at := o.notBefore
	if at.Before(now) {
		at = now
	}
	if wakeAt.IsZero() || at.Before(wakeAt) {
		return at
	}
	return wakeAt
}

func (s *Sender) release(chat int64, notBefore time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pace(chat)
	p.busy = false
	if notBefore.After(p.notBefore) {
		p.notBefore = notBefore
	}
}

// drop removes a message from the outbox; a failure is logged (the message would be
// tried again after a restart, which is the lesser harm).
func (s *Sender) drop(ctx context.Context, m storage.OutMessage) {
	if err := s.store.Drop(ctx, m.ID); err != nil {
		s.log.Error("dropping a message from the outbox failed", "chat", m.ChatID, "error", err)
	}
}

// sendCaught is send, with a panic taken as a message Telegram will never accept: it
// is dropped, and the chat's queue moves on. A panic in any goroutine ends the process,
// and the message, still queued, would end it again after every restart (audit 62).
// A panic after Telegram took the message (in recording it) counts it as sent, not
// dropped, and keeps the chat's pace (review 64).
func (s *Sender) sendCaught(m storage.OutMessage) (out outcome) {
	var delivered bool
	defer func() {
		if p := recover(); p != nil {
			stack := panics.Recovered("send")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s.drop(ctx, m)
			out = outcome{id: m.ID, chat: m.ChatID}
			if delivered {
				s.Stats.Sent.Add(1)
				s.log.Error("recording a sent message panicked; its record is lost", "chat", m.ChatID, "method", m.Method, "panic", toString(p), "stack", stack)
				if !isGroupChat(m.ChatID) {
					out.notBefore = time.Now().Add(s.opts.PrivateEvery)
				}
				return
			}
			s.Stats.Failed.Add(1)
			s.Stats.Dropped.Add(1)
			s.log.Error("sending a message panicked; dropping it", "chat", m.ChatID, "method", m.Method, "panic", toString(p), "stack", stack)
		}
	}()
	return s.send(m, &delivered)
}

// send delivers one message and records the outcome; it never panics on bad data.
// delivered is set once Telegram took the message.
func (s *Sender) send(m storage.OutMessage, delivered *bool) outcome {
	out := outcome{id: m.ID, chat: m.ChatID}
	// Storage calls outlive shutdown: the message was sent, so its outcome must be kept.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The loop's copy may be stale: a comment deleted or edited while its copies wait
	// rewrites or drops them in storage, and /forget erases them. Send what is stored.
	switch cur, err := s.store.OutMessage(ctx, m.ID); {
	case errors.Is(err, storage.ErrNotFound):
		return out // gone: nothing to send, and the chat is free at once
	case errors.Is(err, storage.ErrWithdrawn):
		s.drop(ctx, m) // a page of a comment since deleted: never shown
		return out
	case err != nil:
		s.log.Error("reading a queued message failed; will retry", "chat", m.ChatID, "error", err)
		out.keep, out.notBefore = &m, time.Now().Add(time.Second)
		return out
	default:
		m = cur
	}
	var res json.RawMessage
	var err error
	if m.Record != nil {
		// A reader may answer this message before its record is stored: the bot
		// waits for it (Recording), from the call until the record is written.
		defer s.startRecording(m.ChatID)()
	}
	if m.File != nil {
		res, err = s.api.Upload(s.opts.CallContext, m.Method, m.Params, m.FileName, m.File)
	} else {
		res, err = s.api.Call(s.opts.CallContext, m.Method, m.Params)
	}
	now := time.Now()
	s.mu.Lock()
	p := s.pace(m.ChatID)
	if isGroupChat(m.ChatID) {
		p.recent = append(p.recent, now)
	}
	s.mu.Unlock()
	next := now
	if !isGroupChat(m.ChatID) {
		next = now.Add(s.opts.PrivateEvery)
	}

	var apiErr *telegram.Error
	isAPI := errors.As(err, &apiErr)
	if err != nil && s.opts.OnFailure != nil {
		if isAPI {
			s.opts.OnFailure(strconv.Itoa(apiErr.Code))
		} else {
			s.opts.OnFailure("network")
		}
	}
	kind := telegram.KindServer // network trouble: as a 5xx
	if isAPI {
		kind = apiErr.Kind
	}
	switch {
	case err == nil:
		*delivered = true
		s.recordSent(ctx, m, res)
		out.notBefore = next
	case kind == telegram.KindRetryLater:
		s.Stats.TooMany.Add(1)
		wait := max(apiErr.RetryAfter, time.Second)
		s.log.Warn("telegram asked us to slow down", "chat", m.ChatID, "retry_after", wait)
		out.keep = &m
		out.notBefore = now.Add(wait)
	case kind == telegram.KindMigrated:
		s.migrate(ctx, m, apiErr.MigrateTo)
		out.migrated = apiErr.MigrateTo
		out.notBefore = time.Time{}
	case kind == telegram.KindChatGone:
		s.deactivate(ctx, m.ChatID, apiErr.Description)
		out.dropChat = true
		out.notBefore = time.Time{}
	case kind == telegram.KindBadMarkup && m.Plain != "" && m.Params["parse_mode"] != "":
		// Never drop a message over markup: send it again as plain text.
		s.log.Warn("telegram could not parse our HTML; resending as plain text", "chat", m.ChatID, "error", apiErr.Description)
		out.keep = s.asPlain(ctx, m)
		out.notBefore = time.Time{}
	case kind == telegram.KindCannotDelete && m.Method == "deleteMessage":
		// Too old to delete (48 hours): what it showed is blanked instead, so that a
		// deleted comment's words still leave the screen.
		out.keep = s.asBlank(ctx, m)
		out.notBefore = time.Time{}
	case kind == telegram.KindNotModified || kind == telegram.KindMessageGone || kind == telegram.KindCannotDelete:
		s.drop(ctx, m) // an edit that changes nothing, or of a message already gone: done
		out.notBefore = time.Time{}
	case kind != telegram.KindServer:
		// A request Telegram will never accept: keep the queue moving, say why.
		s.Stats.Failed.Add(1)
		s.Stats.Dropped.Add(1)
		s.log.Error("telegram rejected a message; dropping it", "chat", m.ChatID, "method", m.Method, "error", apiErr.Description)
		s.drop(ctx, m)
		out.notBefore = time.Time{}
	default:
		// Network trouble or a 5xx: retry with backoff, keep order.
		out.keep, out.notBefore = s.retry(ctx, m, err, now)
	}
	return out
}

// recordSent records a delivered message with the ID Telegram gave it.
func (s *Sender) recordSent(ctx context.Context, m storage.OutMessage, res json.RawMessage) {
	var msg struct {
		MessageID int `json:"message_id"`
	}
	// Edits and deletions answer true, not a message: those have no new ID.
	if len(res) > 0 && res[0] == '{' {
		if err := json.Unmarshal(res, &msg); err != nil {
			s.log.Warn("send: decode sent message", "chat", m.ChatID, "error", err)
		}
	}
	copyState, err := s.store.Sent(ctx, m.ID, m.ChatID, msg.MessageID, m.Record)
	if err != nil {
		s.log.Error("recording a sent message failed", "chat", m.ChatID, "error", err)
	}
	if copyState.Deleted {
		s.Wake() // its deletion is queued: read it now, not at the idle timer
	}
	if copyState.Stale != 0 && s.opts.OnStaleCopy != nil {
		s.opts.OnStaleCopy(copyState.Stale)
	}
	s.Stats.Sent.Add(1)
}

// migrate moves a group's queue and records to its new supergroup ID.
func (s *Sender) migrate(ctx context.Context, m storage.OutMessage, to int64) {
	s.log.Info("group moved to a supergroup", "chat", m.ChatID, "new_chat", to)
	if err := s.store.MigrateChat(ctx, m.ChatID, to); err != nil {
		s.log.Error("migrating chat failed", "chat", m.ChatID, "error", err)
		s.drop(ctx, m)
	} else if s.opts.OnMigrate != nil {
		s.opts.OnMigrate(m.ChatID, to)
	}
	// Else m moved with the chat (the upgrade message may have moved it already), or,
	// an edit or deletion of the old group's message, was dropped with its kind.
}

// deactivate stops sending to a chat that blocked the bot or no longer exists.
func (s *Sender) deactivate(ctx context.Context, chat int64, reason string) {
	n, err := s.store.DeactivateChat(ctx, chat)
	if err != nil {
		s.log.Error("deactivating chat failed", "chat", chat, "error", err)
	}
	s.Stats.Deactivated.Add(1)
	s.Stats.Dropped.Add(int64(n))
	s.log.Info("chat is gone; subscriber deactivated", "chat", chat, "reason", reason, "dropped", n)
}

// asBlank turns a deletion Telegram refused (the message is too old) into an edit that
// replaces its text, stored for the next attempt; nil when it is gone meanwhile.
func (s *Sender) asBlank(ctx context.Context, m storage.OutMessage) *storage.OutMessage {
	// No record: the edit is no copy to check again (it would ask to be deleted anew).
	blank := storage.OutMessage{ID: m.ID, ChatID: m.ChatID, Method: "editMessageText", Class: m.Class, Created: m.Created,
		Params: map[string]string{"chat_id": m.Params["chat_id"], "message_id": m.Params["message_id"], "text": storage.DeletedText}}
	switch err := s.store.Replace(ctx, blank); {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		s.log.Error("storing a blanking edit failed", "chat", m.ChatID, "error", err)
		s.drop(ctx, m)
		return nil
	}
	return &blank
}

// asPlain turns the stored message into its plain-text version for the next attempt
// (stored: a rewrite since the send read it must not be undone); nil when it is gone.
func (s *Sender) asPlain(ctx context.Context, m storage.OutMessage) *storage.OutMessage {
	s.Stats.PlainFallbacks.Add(1)
	plain, err := s.store.PlainFallback(ctx, m.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		s.log.Error("storing plain fallback failed", "chat", m.ChatID, "error", err)
		return &m
	}
	return &plain
}

// retry counts a failed attempt and says when to try again: exponential backoff,
// capped at MaxBackoff.
func (s *Sender) retry(ctx context.Context, m storage.OutMessage, cause error, now time.Time) (*storage.OutMessage, time.Time) {
	s.Stats.Failed.Add(1)
	m.Attempts++
	backoff := time.Second << min(m.Attempts, 12)
	backoff = min(backoff, s.opts.MaxBackoff)
	s.log.Warn("sending failed; will retry", "chat", m.ChatID, "attempt", m.Attempts, "in", backoff, "error", cause)
	if err := s.store.Retry(ctx, m.ID, m.Attempts); err != nil {
		s.log.Error("storing retry failed", "chat", m.ChatID, "error", err)
	}
	return &m, now.Add(backoff)
}
