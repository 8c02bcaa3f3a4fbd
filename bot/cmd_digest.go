package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/newsbot/newsbot/storage"
)

func cmdDigest(ctx context.Context, b *Bot, r *request) error {
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	now := b.opts.Now()
	// Composing a digest on request (up to the filters' 500 ms and more) is charged to
	// the reader's hour of composing, as cards are (found by review).
	budget := b.limiter(r.userID).cardTime
	if !b.budgetLeft(budget) {
		return b.say(ctx, r.chatID, r.thread, "You asked for many stories and digests in the last hour, and each takes me a moment to prepare. Please try again in a few minutes.")
	}
	if !b.digestAllowed(r.chatID, r.userID, now) {
		return b.say(ctx, r.chatID, r.thread, "You asked for a digest a moment ago; the next one can be asked for in a minute.")
	}
	// The run all readers share is brought up to date first: the news that arrived for
	// everyone is not this reader's to pay for (found by review).
	if err := b.stories.Prepare(ctx, now); err != nil {
		b.log.Warn("preparing the shared run for /digest", "error", err)
	}
	start := time.Now()
	d, err := b.buildDigest(ctx, s, now)
	spend(budget, time.Since(start))
	if err != nil {
		b.log.Error("building a digest failed", "chat", r.chatID, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not build your digest just now; please try again later.")
	}
	if len(d.msgs) == 0 {
		when := "yet"
		if !s.LastDigest.IsZero() {
			when = "since your last digest at " + s.LastDigest.In(zone(s.TimeZone)).Format("15:04 Mon 2 Jan")
		}
		return b.say(ctx, r.chatID, r.thread, "Nothing new "+escape(when)+".")
	}
	for i := range d.msgs {
		if r.thread != 0 {
			d.msgs[i].Params["message_thread_id"] = strconv.Itoa(r.thread)
		}
	}
	if err := b.db.CommitDigest(ctx, r.chatID, d.msgs, s.LastDigest, now, s.NextDigest, d.through, d.held); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return b.say(ctx, r.chatID, r.thread, "Your digest is on its way.")
		}
		return err
	}
	b.sender.Wake()
	return nil
}
