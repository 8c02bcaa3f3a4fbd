// Package queue moves messages between Telegram and the bot through the database: the
// inbox (updates stored before they are confirmed, so a crash loses none), the fair
// dispatcher that hands them to handlers chat by chat, and the outbox sender that
// delivers what the bot queued within Telegram's rate limits.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
)

// InboxStore is what the update loop needs from storage.
type InboxStore interface {
	StoreUpdates(ctx context.Context, updates map[int64][]byte, nextOffset int64) error
	Offset(ctx context.Context) (int64, error)
	PendingUpdates(ctx context.Context, after int64, limit int, skip func(id int64) bool) ([]int64, [][]byte, error)
	UpdatesHandled(ctx context.Context, ids []int64) error
}

// Poller runs the getUpdates long poll: updates are stored in the inbox before the
// offset that confirms them is sent, so a crash never loses one.
type Poller struct {
	Store InboxStore
	API   Telegram
	Log   *slog.Logger
	// Timeout is the long poll, in seconds.
	Timeout int
	// Notify is told when new updates were stored.
	Notify func()
	alive  atomic.Int64
}

// LastTurn is when the poll loop last turned (for readiness checks).
func (p *Poller) LastTurn() time.Time { return time.Unix(0, p.alive.Load()) }

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	backoff := time.Second
	for ctx.Err() == nil {
		p.alive.Store(time.Now().UnixNano())
		offset, err := p.Store.Offset(ctx)
		if err != nil {
			return err
		}
		raw, err := p.API.CallTimeout(ctx, "getUpdates", map[string]string{
			"offset":          strconv.FormatInt(offset, 10),
			"timeout":         strconv.Itoa(p.Timeout),
			"limit":           "100",
			"allowed_updates": `["message","edited_message","callback_query","my_chat_member"]`,
		}, time.Duration(p.Timeout+15)*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait := backoff
			var apiErr *telegram.Error
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
			} else {
				backoff = min(backoff*2, time.Minute)
			}
			p.Log.Warn("getUpdates failed", "error", err, "retry_in", wait)
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
			p.Log.Error("getUpdates returned a malformed result", "error", err)
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
				p.Log.Error("skipping a malformed update", "error", err)
				continue
			}
			store[head.UpdateID] = r
			next = max(next, head.UpdateID+1)
		}
		if err := p.Store.StoreUpdates(ctx, store, next); err != nil {
			p.Log.Error("storing updates failed; they will be fetched again", "error", err)
			continue
		}
		p.Notify()
	}
	return ctx.Err()
}
