package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Wire types of incoming updates (the fields newsbot reads; message_thread_id is newer
// than the library's types).
type (
	// Update is one incoming update.
	Update struct {
		UpdateID      int64          `json:"update_id"`
		Message       *Message       `json:"message,omitempty"`
		EditedMessage *Message       `json:"edited_message,omitempty"`
		CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
	}
	// User is a Telegram user.
	User struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		UserName  string `json:"username"`
	}
	// Chat is a Telegram chat.
	Chat struct {
		ID      int64  `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		IsForum bool   `json:"is_forum"`
	}
	// Entity is a message entity.
	Entity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
	// Document is an attached file.
	Document struct {
		FileID   string `json:"file_id"`
		FileName string `json:"file_name"`
		FileSize int64  `json:"file_size"`
	}
	// Message is a Telegram message.
	Message struct {
		MessageID       int       `json:"message_id"`
		MessageThreadID int       `json:"message_thread_id"`
		IsTopicMessage  bool      `json:"is_topic_message"`
		From            *User     `json:"from"`
		Chat            Chat      `json:"chat"`
		Text            string    `json:"text"`
		Caption         string    `json:"caption"`
		Entities        []Entity  `json:"entities"`
		Document        *Document `json:"document"`
		ReplyToMessage  *Message  `json:"reply_to_message"`
	}
	// CallbackQuery is a pressed inline button.
	CallbackQuery struct {
		ID      string   `json:"id"`
		From    User     `json:"from"`
		Message *Message `json:"message"`
		Data    string   `json:"data"`
	}
)

// chatOf returns the chat an update belongs to, for ordering per chat.
func (u Update) chatOf() int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	}
	return 0
}

// InboxStore is what the update loop needs from storage.
type InboxStore interface {
	StoreUpdates(ctx context.Context, updates map[int64][]byte, nextOffset int64) error
	Offset(ctx context.Context) (int64, error)
	PendingUpdates(ctx context.Context, after int64, limit int, skip func(id int64) bool) ([]int64, [][]byte, error)
	UpdatesHandled(ctx context.Context, ids []int64) error
}

// poller runs its own getUpdates loop: updates are stored in the inbox before the
// offset that confirms them is sent, so a crash never loses one.
type poller struct {
	store   InboxStore
	api     Telegram
	log     *slog.Logger
	timeout int // long-poll seconds
	notify  func()
	alive   atomic.Int64
}

func (p *poller) run(ctx context.Context) error {
	backoff := time.Second
	for ctx.Err() == nil {
		p.alive.Store(time.Now().UnixNano())
		offset, err := p.store.Offset(ctx)
		if err != nil {
			return err
		}
		raw, err := p.api.Call("getUpdates", map[string]string{
			"offset":          strconv.FormatInt(offset, 10),
			"timeout":         strconv.Itoa(p.timeout),
			"limit":           "100",
			"allowed_updates": `["message","edited_message","callback_query"]`,
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait := backoff
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
			} else {
				backoff = min(backoff*2, time.Minute)
			}
			p.log.Warn("getUpdates failed", "error", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		backoff = time.Second
		var batch []json.RawMessage
		if err := json.Unmarshal(raw, &batch); err != nil {
			p.log.Error("getUpdates returned a malformed result", "error", err)
			continue
		}
		if len(batch) == 0 {
			continue
		}
		store := map[int64][]byte{}
		next := offset
		for _, r := range batch {
			var head struct {
				UpdateID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(r, &head); err != nil {
				p.log.Error("skipping a malformed update", "error", err)
				continue
			}
			store[head.UpdateID] = r
			next = max(next, head.UpdateID+1)
		}
		if err := p.store.StoreUpdates(ctx, store, next); err != nil {
			p.log.Error("storing updates failed; they will be fetched again", "error", err)
			continue
		}
		p.notify()
	}
	return ctx.Err()
}

// admission is the dispatcher's verdict on an update before it is queued.
type admission int

const (
	admit  admission = iota // queue it for its handler
	ignore                  // nothing for us (group chatter): confirm it unhandled
	refuse                  // over the sender's rate: drop it
)

// dispatcher runs stored updates through handle: in order within a chat, one handler at
// a time per chat, and chats served in turn (round robin), so a chat with a long queue
// or a slow handler never delays another. Every update passes admission first; what a
// flood brings beyond a chat's small queue or its sender's rate is dropped at once and
// never reaches a handler.
type dispatcher struct {
	store  InboxStore
	handle func(ctx context.Context, u Update) error
	admit  func(ctx context.Context, u Update) admission
	log    *slog.Logger
	// workers bounds handlers running at once; perChat bounds a chat's queue; deadline
	// bounds one handler.
	workers, perChat int
	deadline         time.Duration
	wake             chan struct{}
	alive            atomic.Int64
	// latency observes how long each update took.
	latency func(time.Duration)
	// Dropped counts updates refused by admission or a full queue.
	Dropped atomic.Int64
}

type queued struct {
	id int64
	u  Update
}

type handled struct {
	chat, id int64
}

func (d *dispatcher) notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run dispatches until ctx ends, then waits for the handlers in flight. An update whose
// handler was cut off by the stop stays in the inbox and runs again after a restart.
func (d *dispatcher) run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	queues := map[int64][]queued{}
	busy := map[int64]bool{}
	known := map[int64]bool{} // updates queued or running
	var turn []int64          // chats with queued updates and no handler running, in turn order
	results := make(chan handled, d.workers)
	running := 0

	enqueue := func(chat int64, q queued) bool {
		if len(queues[chat]) >= d.perChat {
			return false
		}
		if len(queues[chat]) == 0 && !busy[chat] {
			turn = append(turn, chat)
		}
		queues[chat] = append(queues[chat], q)
		known[q.id] = true
		return true
	}
	// load reads the inbox from the start every time, skipping what is known: update
	// IDs normally grow, but Telegram may restart them at random after a quiet week.
	load := func() {
		var after int64
		for ctx.Err() == nil {
			ids, raws, err := d.store.PendingUpdates(ctx, after, 500, func(id int64) bool { return known[id] })
			if err != nil {
				if ctx.Err() == nil {
					d.log.Error("reading the inbox failed", "error", err)
				}
				return
			}
			var done []int64
			for k, id := range ids {
				after = id
				var u Update
				if err := json.Unmarshal(raws[k], &u); err != nil {
					d.log.Error("dropping an update that does not decode", "update", id, "error", err)
					done = append(done, id)
					continue
				}
				switch d.admit(ctx, u) {
				case ignore:
					done = append(done, id)
				case refuse:
					d.Dropped.Add(1)
					done = append(done, id)
				default:
					if !enqueue(u.chatOf(), queued{id, u}) {
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
	start := func() {
		for running < d.workers && len(turn) > 0 {
			chat := turn[0]
			turn = turn[1:]
			q := queues[chat][0]
			queues[chat] = queues[chat][1:]
			busy[chat] = true
			running++
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.work(ctx, q)
				results <- handled{chat, q.id}
			}()
		}
	}
	finish := func(h handled) {
		delete(known, h.id)
		running--
		busy[h.chat] = false
		if len(queues[h.chat]) > 0 {
			turn = append(turn, h.chat) // to the back: every other chat waiting goes first
		} else {
			delete(queues, h.chat)
			delete(busy, h.chat)
		}
	}
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		d.alive.Store(time.Now().UnixNano())
		load()
		start()
		select {
		case <-ctx.Done():
			// Handlers in flight see ctx end; results has room for every one of them.
			return ctx.Err()
		case <-d.wake:
		case h := <-results:
			finish(h)
		case <-tick.C:
		}
	}
}

// work runs one update's handler under the deadline and confirms it, unless the stop
// cut the handler off: then it stays in the inbox for the next start.
func (d *dispatcher) work(ctx context.Context, q queued) {
	hctx, cancel := context.WithTimeout(ctx, d.deadline)
	start := time.Now()
	err := d.safeHandle(hctx, q.u)
	cancel()
	if d.latency != nil {
		d.latency(time.Since(start))
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		d.log.Info("stopping: an update's handler was cut off; it stays in the inbox", "update", q.id)
		return
	}
	if err != nil {
		d.log.Error("handling an update failed", "chat", q.u.chatOf(), "update", q.id, "error", err)
	}
	// Handled, or failed for good: confirm it, whatever ctx says.
	if err := d.store.UpdatesHandled(context.WithoutCancel(ctx), []int64{q.id}); err != nil {
		d.log.Error("confirming an update failed", "update", q.id, "error", err)
	}
}

// safeHandle turns a handler panic into an error: a malformed update must not take
// the bot down.
func (d *dispatcher) safeHandle(ctx context.Context, u Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
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
