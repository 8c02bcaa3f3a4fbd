package queue

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
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
	Sent(ctx context.Context, id uint64, chatID int64, messageID int, rec *storage.MessageRecord) error
	Retry(ctx context.Context, m storage.OutMessage) error
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

// Sender drains the persistent outbox: in order per chat, one message in flight per
// chat, under a global rate and per-chat limits; on 429 it pauses only that chat.
type Sender struct {
	store OutboxStore
	api   Telegram
	opts  SenderOptions
	log   *slog.Logger
	wake  chan struct{}

	global *rate.Limiter
	mu     sync.Mutex
	chats  map[int64]*chatPace
	Stats  SenderStats
	alive  atomic.Int64 // unix nanos of the last loop turn
}

type chatPace struct {
	busy      bool
	notBefore time.Time
	recent    []time.Time // sends in the last minute (groups)
}

// NewSender builds a Sender.
func NewSender(store OutboxStore, api Telegram, opts SenderOptions) *Sender {
	if opts.GlobalPerSecond <= 0 {
		opts.GlobalPerSecond = 25
	}
	if opts.PrivateEvery <= 0 {
		opts.PrivateEvery = time.Second
	}
	if opts.GroupPerMinute <= 0 {
		opts.GroupPerMinute = 20
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CallContext == nil {
		opts.CallContext = context.Background()
	}
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

// LastLoop is when the send loop last ran (for readiness checks).
func (s *Sender) LastLoop() time.Time { return time.Unix(0, s.alive.Load()) }

func isGroupChat(id int64) bool { return id < 0 }

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
	reload   bool                // chat IDs changed: read the outbox afresh
	// notBefore is when the chat may be sent to again. The chat is released only when
	// the loop applies the outcome, so it never sees a stale copy of the message.
	notBefore time.Time
}

// Run sends until ctx ends, then waits for the sends in flight to finish. The loop
// keeps the queue in memory and reads only new entries from storage, so its cost per
// message does not grow with the queue.
func (s *Sender) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.opts.Workers)
	results := make(chan outcome, s.opts.Workers)
	// On the way out, let in-flight sends finish and record their outcome.
	defer func() {
		go func() {
			for range results {
			}
		}()
		wg.Wait()
		close(results)
	}()
	queue := map[uint64]storage.OutMessage{}
	var order []uint64 // ascending IDs
	var lastID uint64
	load := func() {
		for {
			msgs, err := s.store.Outbox(ctx, lastID, 5000)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("reading the outbox failed", "error", err)
				}
				return
			}
			for _, m := range msgs {
				queue[m.ID] = m
				order = append(order, m.ID)
				lastID = m.ID
			}
			if len(msgs) < 5000 {
				return
			}
		}
	}
	apply := func(o outcome) {
		defer s.release(o.chat, o.notBefore)
		switch {
		case o.reload:
			queue, order, lastID = map[uint64]storage.OutMessage{}, nil, 0
		case o.dropChat:
			for id, m := range queue {
				if m.ChatID == o.chat {
					delete(queue, id)
				}
			}
		case o.keep != nil:
			queue[o.id] = *o.keep
		default:
			delete(queue, o.id)
		}
	}
	load()
	for {
		s.alive.Store(time.Now().UnixNano())
		// Compact the order list now and then.
		if len(order) > 2*len(queue)+1024 {
			kept := order[:0]
			for _, id := range order {
				if _, ok := queue[id]; ok {
					kept = append(kept, id)
				}
			}
			order = kept
		}
		now := time.Now()
		var wakeAt time.Time
		seen := map[int64]bool{}
		for _, id := range order {
			m, ok := queue[id]
			if !ok || seen[m.ChatID] {
				continue // sent already, or not this chat's turn: strictly in order per chat
			}
			seen[m.ChatID] = true
			s.mu.Lock()
			ready, at := s.ready(m.ChatID, now)
			if ready {
				s.pace(m.ChatID).busy = true
			}
			s.mu.Unlock()
			if !ready {
				if !at.IsZero() && (wakeAt.IsZero() || at.Before(wakeAt)) {
					wakeAt = at
				}
				continue
			}
			if err := s.global.Wait(ctx); err != nil {
				s.release(m.ChatID, time.Time{})
				return err
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				s.release(m.ChatID, time.Time{})
				return ctx.Err()
			}
			wg.Add(1)
			go func(m storage.OutMessage) {
				defer wg.Done()
				o := s.send(m)
				<-sem
				results <- o
			}(m)
			now = time.Now()
			// Apply finished sends as we go, so a long queue keeps its order fresh.
			// The scan may have passed their chats already: fold each outcome into
			// wakeAt, or a retry after 429 (or a reload) would sleep until the timer.
			for drained := false; !drained; {
				select {
				case o := <-results:
					apply(o)
					wakeAt = earliestWake(wakeAt, o, now)
				default:
					drained = true
				}
			}
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
			load()
		case o := <-results:
			apply(o)
			if o.reload {
				load()
			}
		case <-t.C:
			load()
		}
		t.Stop()
	}
}

// earliestWake folds an outcome applied mid-scan into the loop's next wake-up: its chat
// may be sent to at o.notBefore (at once if that has passed), and a reload must happen
// at once. A zero wakeAt means no wake-up was planned.
func earliestWake(wakeAt time.Time, o outcome, now time.Time) time.Time {
	at := o.notBefore
	if o.reload || at.Before(now) {
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

// send delivers one message and records the outcome; it never panics on bad data.
func (s *Sender) send(m storage.OutMessage) outcome {
	out := outcome{id: m.ID, chat: m.ChatID}
	// Storage calls outlive shutdown: the message was sent, so its outcome must be kept.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var res json.RawMessage
	var err error
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
		var msg struct {
			MessageID int `json:"message_id"`
		}
		_ = json.Unmarshal(res, &msg)
		if err := s.store.Sent(ctx, m.ID, m.ChatID, msg.MessageID, m.Record); err != nil {
			s.log.Error("recording a sent message failed", "chat", m.ChatID, "error", err)
		}
		s.Stats.Sent.Add(1)
		out.notBefore = next
	case kind == telegram.KindRetryLater:
		s.Stats.TooMany.Add(1)
		wait := max(apiErr.RetryAfter, time.Second)
		s.log.Warn("telegram asked us to slow down", "chat", m.ChatID, "retry_after", wait)
		out.keep = &m
		out.notBefore = now.Add(wait)
	case kind == telegram.KindMigrated:
		s.log.Info("group moved to a supergroup", "chat", m.ChatID, "new_chat", apiErr.MigrateTo)
		if err := s.store.MigrateChat(ctx, m.ChatID, apiErr.MigrateTo); err != nil {
			s.log.Error("migrating chat failed", "chat", m.ChatID, "error", err)
			s.drop(ctx, m)
		}
		out.reload = true
		out.notBefore = time.Time{}
	case kind == telegram.KindChatGone:
		n, derr := s.store.DeactivateChat(ctx, m.ChatID)
		if derr != nil {
			s.log.Error("deactivating chat failed", "chat", m.ChatID, "error", derr)
		}
		s.Stats.Deactivated.Add(1)
		s.Stats.Dropped.Add(int64(n))
		s.log.Info("chat is gone; subscriber deactivated", "chat", m.ChatID, "reason", apiErr.Description, "dropped", n)
		out.dropChat = true
		out.notBefore = time.Time{}
	case kind == telegram.KindBadMarkup && m.Plain != "" && m.Params["parse_mode"] != "":
		// Never drop a message over markup: send it again as plain text.
		s.log.Warn("telegram could not parse our HTML; resending as plain text", "chat", m.ChatID, "error", apiErr.Description)
		s.Stats.PlainFallbacks.Add(1)
		params := make(map[string]string, len(m.Params))
		for k, v := range m.Params {
			params[k] = v
		}
		delete(params, "parse_mode")
		params["text"] = m.Plain
		m.Params = params
		if err := s.store.Retry(ctx, m); err != nil {
			s.log.Error("storing plain fallback failed", "chat", m.ChatID, "error", err)
		}
		out.keep = &m
		out.notBefore = time.Time{}
	case kind == telegram.KindNotModified || kind == telegram.KindMessageGone:
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
		s.Stats.Failed.Add(1)
		m.Attempts++
		backoff := time.Second << min(m.Attempts, 12)
		backoff = min(backoff, s.opts.MaxBackoff)
		s.log.Warn("sending failed; will retry", "chat", m.ChatID, "attempt", m.Attempts, "in", backoff, "error", err)
		if err := s.store.Retry(ctx, m); err != nil {
			s.log.Error("storing retry failed", "chat", m.ChatID, "error", err)
		}
		out.keep = &m
		out.notBefore = now.Add(backoff)
	}
	return out
}
