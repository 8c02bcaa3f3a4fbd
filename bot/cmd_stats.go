package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

func cmdStats(ctx context.Context, b *Bot, r *request) error {
	var total, active, subscribed int
	if err := b.db.Subscribers(ctx, func(s storage.Subscriber) error {
		total++
		if s.Active {
			active++
		}
		if s.Active && s.Subscribed {
			subscribed++
		}
		return nil
	}); err != nil {
		return err
	}
	st, err := b.db.Stats(ctx)
	if err != nil {
		return err
	}
	readerFeeds, err := b.db.ReaderFeedCount(ctx)
	if err != nil {
		return err
	}
	depth, oldest, err := b.db.OutboxStats(ctx, b.opts.Now())
	if err != nil {
		return err
	}
	bs := b.Stats()
	var ps feed.PollerStats
	if b.opts.PollerStats != nil {
		ps = b.opts.PollerStats()
	}
	text := fmt.Sprintf("<b>Stats</b>\nChats: %d (active %d, subscribed %d)\nFeeds: %d (broken %d); readers' feeds %d of %d allowed (%d per chat)\n"+
		"Items: %d; left out by the per-poll cap: %d; page fetches over budget: %d; readers' feeds put off for their polling time: %d\n"+
		"Outbox: %d queued, oldest %s\nSent: %d, failed attempts: %d, 429s: %d, dropped: %d, chats deactivated: %d\n"+
		"Digests queued since start: %d; filters out of time: %d; items left out by window caps: %d\nUpdates dropped (flood or full queue): %d",
		total, active, subscribed, st.Feeds, st.BrokenFeeds, readerFeeds, b.opts.MaxReaderFeeds, b.opts.MaxOwnFeeds,
		st.Items, ps.ItemsCapped, ps.PagesCapped, ps.FeedsDeferred, depth, oldest.Round(time.Second),
		bs.Sent, bs.Failed, bs.TooMany, bs.Dropped, bs.Deactivated, bs.Digests, bs.FilterBudgetHits, bs.WindowDropped, bs.UpdatesDropped)
	return b.say(ctx, r.chatID, r.thread, text)
}
