package app

import (
	"context"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/ops"
	"github.com/newsbot/newsbot/storage"
)

// cached returns fn's value, computed again at most once per ttl: a scrape of /metrics
// (open to whoever reaches the endpoint) must not cost a scan of the database each time.
func cached[T any](ttl time.Duration, fn func() T) func() T {
	var mu sync.Mutex
	var at time.Time
	var v T
	return func() T {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() || time.Since(at) > ttl {
			v, at = fn(), time.Now()
		}
		return v
	}
}

// registerMetrics exports storage, poller and bot figures read at scrape time.
func registerMetrics(m *ops.Metrics, db *storage.DB, poller *feed.Poller, b *bot.Bot) {
	const ttl = 15 * time.Second
	stats := cached(ttl, func() storage.Stats { st, _ := db.Stats(context.Background()); return st })
	type outbox struct {
		depth int
		age   time.Duration
	}
	queue := cached(ttl, func() outbox {
		n, age, _ := db.OutboxStats(context.Background(), time.Now())
		return outbox{n, age}
	})
	readerFeeds := cached(ttl, func() int { n, _ := db.ReaderFeedCount(context.Background()); return n })
	m.GaugeFunc("newsbot_db_size_bytes", "Database file size.", func() float64 { return float64(db.Size()) })
	m.GaugeFunc("newsbot_feeds_broken", "Feeds marked broken after a long error streak.", func() float64 {
		return float64(stats().BrokenFeeds)
	})
	m.GaugeFunc("newsbot_items", "Items stored.", func() float64 { return float64(stats().Items) })
	m.GaugeFunc("newsbot_outbox_depth", "Messages waiting in the outbox.", func() float64 { return float64(queue().depth) })
	m.GaugeFunc("newsbot_outbox_oldest_seconds", "Age of the oldest queued message.", func() float64 { return queue().age.Seconds() })
	m.GaugeFunc("newsbot_reader_feeds", "Feeds readers added (counted against the global cap).", func() float64 {
		return float64(readerFeeds())
	})
	m.CounterFunc("newsbot_panics_total", "Panics recovered in the bot's own work (a digest, a send, a report placed into a story...): each cost that piece of work; the log holds the first stack of each place every 10 minutes.",
		func() float64 { return float64(panics.Total()) })
	if poller != nil {
		m.CounterFunc("newsbot_items_capped_total", "New items not stored: their feed brought more than one poll stores (the oldest are left out).",
			func() float64 { return float64(poller.Stats().ItemsCapped) })
		m.CounterFunc("newsbot_page_fetches_capped_total", "Teasers kept: their feed's page fetches for the poll were used up.",
			func() float64 { return float64(poller.Stats().PagesCapped) })
		m.CounterFunc("newsbot_feeds_deferred_total", "Readers' feeds put off to the next UTC day: every reader who added them used up the day's polling time.",
			func() float64 { return float64(poller.Stats().FeedsDeferred) })
	}
	if b == nil {
		return
	}
	counter := func(name, help string, read func(bot.Stats) int64) {
		m.CounterFunc(name, help, func() float64 { return float64(read(b.Stats())) })
	}
	counter("newsbot_messages_sent_total", "Messages Telegram accepted.", func(s bot.Stats) int64 { return s.Sent })
	counter("newsbot_messages_failed_total", "Send attempts that failed (retried or dropped).", func(s bot.Stats) int64 { return s.Failed })
	counter("newsbot_telegram_429_total", "429 Too Many Requests answers.", func(s bot.Stats) int64 { return s.TooMany })
	counter("newsbot_messages_dropped_total", "Messages dropped: chat gone or rejected for good.", func(s bot.Stats) int64 { return s.Dropped })
	counter("newsbot_chats_deactivated_total", "Chats deactivated (blocked, deactivated, not found).", func(s bot.Stats) int64 { return s.Deactivated })
	counter("newsbot_plain_fallbacks_total", "Messages resent as plain text after an HTML error.", func(s bot.Stats) int64 { return s.PlainFallbacks })
	counter("newsbot_digests_built_total", "Digests queued by the scheduler.", func(s bot.Stats) int64 { return s.Digests })
	counter("newsbot_comments_relayed_total", "Discussion comments queued for followers.", func(s bot.Stats) int64 { return s.CommentsRelayed })
	counter("newsbot_comment_copies_passed_by_total", "Comments' copies not queued for followers already far behind (20 copies of the discussion, or 100 of all, waiting).", func(s bot.Stats) int64 { return s.CopiesPassedBy })
	counter("newsbot_updates_dropped_total", "Updates dropped: their sender was over the rate, or their chat's queue was full.", func(s bot.Stats) int64 { return s.UpdatesDropped })
	counter("newsbot_window_items_dropped_total", "Items a window cap left out of a digest run or a card (the oldest).", func(s bot.Stats) int64 { return s.WindowDropped })
	counter("newsbot_filter_budget_exceeded_total", "Digests whose subscriber's filters ran out of time.", func(s bot.Stats) int64 { return s.FilterBudgetHits })
	counter("newsbot_story_updates_total", "Updates of followed stories queued.", func(s bot.Stats) int64 { return s.StoryUpdates })
	counter("newsbot_cards_busy_total", "Story cards refused: every card composer stayed busy.", func(s bot.Stats) int64 { return s.CardsBusy })
	counter("newsbot_reader_budget_refusals_total", "Readers' requests refused: their hour of page fetching or of composing cards was spent.", func(s bot.Stats) int64 { return s.BudgetRefusals })
	m.GaugeFunc("newsbot_open_stories", "Stories that still take reports.", func() float64 { return float64(b.Stats().OpenStories) })
}
