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
	PendingUpdates(ctx context.Context, limit int) ([]int64, [][]byte, error)
	UpdateHandled(ctx context.Context, id int64) error
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

// dispatcher runs stored updates through handle: in order within a chat, chats in
// parallel, so a slow handler (fetching a URL) never blocks the others.
type dispatcher struct {
	store   InboxStore
	handle  func(ctx context.Context, u Update) error
	log     *slog.Logger
	workers int
	wake    chan struct{}
	alive   atomic.Int64
	// latency observes how long each update took.
	latency func(time.Duration)
}

func (d *dispatcher) notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	busyChats := map[int64]bool{}
	inFlight := map[int64]bool{}
	sem := make(chan struct{}, d.workers)
	done := make(chan struct{}, d.workers)
	for {
		d.alive.Store(time.Now().UnixNano())
		ids, raws, err := d.store.PendingUpdates(ctx, 500)
		if err != nil && ctx.Err() == nil {
			d.log.Error("reading the inbox failed", "error", err)
		}
		for k, id := range ids {
			mu.Lock()
			skip := inFlight[id]
			mu.Unlock()
			if skip {
				continue
			}
			var u Update
			if err := json.Unmarshal(raws[k], &u); err != nil {
				d.log.Error("dropping an update that does not decode", "update", id, "error", err)
				_ = d.store.UpdateHandled(ctx, id)
				continue
			}
			chat := u.chatOf()
			mu.Lock()
			if busyChats[chat] {
				mu.Unlock()
				continue
			}
			busyChats[chat], inFlight[id] = true, true
			mu.Unlock()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			wg.Add(1)
			go func(id int64, u Update, chat int64) {
				defer wg.Done()
				start := time.Now()
				if err := d.safeHandle(ctx, u); err != nil {
					d.log.Error("handling an update failed", "chat", chat, "update", id, "error", err)
				}
				if d.latency != nil {
					d.latency(time.Since(start))
				}
				// Handled (or failed for good): confirm it, whatever ctx says.
				if err := d.store.UpdateHandled(context.Background(), id); err != nil {
					d.log.Error("confirming an update failed", "update", id, "error", err)
				}
				mu.Lock()
				delete(busyChats, chat)
				delete(inFlight, id)
				mu.Unlock()
				<-sem
				select {
				case done <- struct{}{}:
				default:
				}
			}(id, u, chat)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.wake:
		case <-done:
		case <-time.After(5 * time.Second):
		}
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
