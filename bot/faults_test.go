package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
)

// TestTelegramOutage: the Bot API answers 502 and then hangs for a while; messages wait
// in the outbox and all arrive afterwards, in order per chat.
func TestTelegramOutage(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: 5 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond, GlobalPerSecond: 200, MaxBackoff: 300 * time.Millisecond}
	h.opts.APITimeout = 500 * time.Millisecond
	ids := digestsDue(t, h, 20)
	h.start()

	var phase atomic.Int32 // 0 ok, 1 502s, 2 hangs
	h.tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if method != "sendmessage" {
			return 0, "", 0, 0
		}
		switch phase.Load() {
		case 1:
			return 502, "Bad Gateway", 0, 0
		case 2:
			return 0, "", 0, 2 * time.Second // longer than the client's timeout
		}
		return 0, "", 0, 0
	})
	phase.Store(1)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Three messages per chat queued during the outage must keep their order.
	for _, id := range ids[:5] {
		for i := 1; i <= 3; i++ {
			if err := h.bot.say(context.Background(), id, 0, "ordered message "+string(rune('0'+i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	time.Sleep(700 * time.Millisecond)
	phase.Store(2)
	time.Sleep(1500 * time.Millisecond)
	if n, _, _ := h.db.OutboxStats(context.Background(), time.Now()); n == 0 {
		t.Fatal("nothing waited in the outbox during the outage")
	}
	phase.Store(0)
	deadline := time.Now().Add(30 * time.Second)
	for {
		missing, _ := countDigests(h, ids)
		n, _, _ := h.db.OutboxStats(context.Background(), time.Now())
		if missing == 0 && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d chats without a digest, %d queued after the outage", missing, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, id := range ids[:5] {
		var order []string
		for _, m := range h.tg.Messages(id) {
			if strings.HasPrefix(m.Text, "ordered message") {
				order = append(order, m.Text)
			}
		}
		// A request that hung may have been delivered and then retried: at most one
		// repeat, never out of order.
		compact := []string{}
		for _, o := range order {
			if len(compact) == 0 || compact[len(compact)-1] != o {
				compact = append(compact, o)
			}
		}
		if strings.Join(compact, ",") != "ordered message 1,ordered message 2,ordered message 3" {
			t.Fatalf("chat %d order %q", id, order)
		}
	}
}

// Test429Storm: a third of the requests get 429 with retry_after; nothing is lost,
// nothing doubled, and the sender backs off instead of hammering.
func Test429Storm(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: 5 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond, GlobalPerSecond: 300}
	ids := digestsDue(t, h, 60)
	var n atomic.Int32
	h.tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if method == "sendmessage" && n.Add(1)%3 == 0 {
			return 429, "Too Many Requests: retry after 1", 1, 0
		}
		return 0, "", 0, 0
	})
	h.start()
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	missing, dup := waitDigests(h, ids, 30*time.Second)
	if missing != 0 || dup != 0 {
		t.Fatalf("%d missing, %d duplicated", missing, dup)
	}
	attempts := int(n.Load())
	if attempts > 60*2 {
		t.Fatalf("%d attempts for 60 messages: the sender did not back off", attempts)
	}
	if got := h.bot.sender.Stats.TooMany.Load(); got < 15 {
		t.Fatalf("only %d 429s seen", got)
	}
}
