package bot

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
	"golang.org/x/sync/errgroup"
)

// subscriberFeeds is the set of feeds a subscriber reads.
func (b *Bot) subscriberFeeds(s storage.Subscriber) []string {
	feeds := s.Feeds
	if len(feeds) == 0 {
		feeds = b.opts.Catalogue
	}
	return append(append([]string{}, feeds...), s.OwnFeeds...)
}

// builtDigest is a subscriber's digest, rendered, with what committing it records.
type builtDigest struct {
	msgs []storage.OutMessage
	// held counts, per followed story, the developments held in quiet hours that the
	// digest tells (to clear once it is committed).
	held map[uint64][]uint64
	// through is the newest item the digest considered (stories.Digest.Through).
	through uint64
}

// buildDigest composes and renders a subscriber's digest from the run's items newer
// than their last digest.
func (b *Bot) buildDigest(ctx context.Context, s storage.Subscriber, now time.Time) (builtDigest, error) {
	budget, lane := b.filterBudget(s, now), b.slowLaneBudget()
	d, err := b.stories.DigestFor(ctx, stories.Subscriber{Subscriber: s, Feeds: b.subscriberFeeds(s), FilterBudget: budget}, now)
	if err != nil {
		return builtDigest{}, err
	}
	// Filters that take the lane's budget go to the lane, whether or not they left items
	// unchecked: filters tuned to just under the whole budget would cost every run that
	// much for good (review 61), and the last item checked may take them past it (60).
	if d.FilterTruncated > 0 || d.FilterTime >= lane {
		until := now.Add(slowLaneFor)
		if chat, store := b.slow.mark(s.ChatID, until); store {
			// Kept over a restart; if the store fails, memory holds the mark till then.
			switch err := b.db.MarkSlow(ctx, chat, until); {
			case errors.Is(err, storage.ErrNotFound):
				b.slow.forget(chat) // erased while its digest was composed
			case err != nil:
				b.slow.unstored(chat)
				b.log.Warn("slow lane mark not stored", "chat", chat, "error", err)
			}
		}
	}
	followed, err := b.followedStories(ctx, s.ChatID)
	if err != nil {
		return builtDigest{}, err
	}
	var msgs []storage.OutMessage
	held := map[uint64][]uint64{}
	for _, h := range d.SinceFollowed[:sinceFollowedShown(d.SinceFollowed)] {
		for _, e := range h.Entries { // told, or counted as earlier developments
			held[h.Story] = append(held[h.Story], e.ItemID)
		}
	}
	parts := RenderDigestFor(d.Digest, now.In(zone(s.TimeZone)), followed)
	for _, r := range parts {
		msgs = append(msgs, message(s.ChatID, s.ThreadID, r, &storage.MessageRecord{Kind: storage.KindDigest, Items: r.Items, First: r.First}))
	}
	if d.FilterTruncated > 0 && len(msgs) > 0 && b.noticeDue(s.ChatID, now) {
		note := "Your filters take too long to check against every story, so this digest covers only the newest ones. Simpler filters (plain words such as <code>kyiv|ukraine</code>) fix it: see /filters."
		msgs = append(msgs, message(s.ChatID, s.ThreadID, Rendered{HTML: note, Plain: stripTags(note)}, nil))
	}
	return builtDigest{msgs: msgs, held: held, through: d.Through}, nil
}

// filterBudget is the time s's filters get in a digest at now: the lane's budget for
// a chat in the slow lane or younger than a stay there, the whole budget for the rest.
func (b *Bot) filterBudget(s storage.Subscriber, now time.Time) time.Duration {
	if b.slow.has(s.ChatID, now) || now.Sub(s.CreatedAt) < slowLaneFor {
		return b.slowLaneBudget()
	}
	return b.opts.FilterBudget
}

// buildDigestCaught is buildDigest, with a panic taken as its error. Digests run on
// readers' feeds' text in goroutines of the run, outside the handlers' recovery: a
// panic ended the process, and the chat, still due, ended it again at every start
// (audit 62). Now the chat moves on to its next time, as on any error.
func (b *Bot) buildDigestCaught(ctx context.Context, s storage.Subscriber, now time.Time) (_ builtDigest, err error) {
	defer caught("build digest", &err)
	return b.buildDigest(ctx, s, now)
}

// caught, deferred, turns a panic into an error for the work it ends (with the stack,
// for the log): in the bot's own goroutines, a panic would end the process, and every
// reader's budgets kept in memory with it.
func caught(what string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: panic: %v", what, p)
		if stack := panics.Recovered(what); stack != "" { // not a stack per chat
			*err = fmt.Errorf("%w\n%s", *err, stack)
		}
	}
}

// schedule finds due subscribers through the time index and queues their digests.
func (b *Bot) schedule(ctx context.Context) error {
	t := time.NewTicker(b.opts.ScheduleEvery)
	defer t.Stop()
	for {
		b.schedAlive.set(time.Now())
		if err := b.RunDue(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("digest run failed", "error", err)
		}
		// Update windows end between polls: their updates go out on the tick.
		if err := b.FollowUp(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("story updates failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunDue queues the digests of every subscriber due now but those in the slow lane
// (RunSlowDue). Digests are composed by a few workers at once, so one subscriber with
// slow filters holds one worker, not the run, once; then it is in the slow lane. Each
// subscriber's digest and the move of their schedule are one transaction, so a crash
// mid-run neither loses nor repeats a digest.
func (b *Bot) RunDue(ctx context.Context) error {
	b.runMu.Lock()
	defer b.runMu.Unlock()
	now := b.opts.Now()
	var sent, empty atomic.Int64
	for {
		due, err := b.db.DueSubscribersExcept(ctx, now, 500, func(chat int64) bool { return b.slow.has(chat, now) })
		if err != nil {
			return err
		}
		if len(due) == 0 {
			break
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(b.opts.DigestWorkers)
		for _, s := range due {
			g.Go(func() error {
				// Each digest is a turn of the loop: a run of tens of thousands due at
				// one hour takes minutes, and readiness must not call it stalled.
				defer b.schedAlive.set(time.Now())
				if b.slow.has(s.ChatID, now) {
					return nil // put in the slow lane since it was read: composed there
				}
				return b.deliverDigest(gctx, s, now, &sent, &empty)
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		b.sender.Wake()
	}
	if n := sent.Load() + empty.Load(); n > 0 {
		b.stats.digestsBuilt.add(sent.Load())
		b.log.Info("digest run", "queued", sent.Load(), "empty", empty.Load())
	}
	return nil
}

// digestTimeout bounds the composition of one scheduled digest.
const digestTimeout = 30 * time.Second

// deliverDigest composes one due subscriber's digest and commits it with their next
// time. A subscriber whose digest fails is logged and moved on, never retried in a loop.
func (b *Bot) deliverDigest(ctx context.Context, s storage.Subscriber, now time.Time, sent, empty *atomic.Int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// One digest may take so long and no longer: the run goes on without it.
	dctx, cancel := context.WithTimeout(ctx, digestTimeout)
	d, err := b.buildDigestCaught(dctx, s, now)
	cancel()
	if err != nil {
		b.log.Error("building a digest failed", "chat", s.ChatID, "error", err)
	}
	next := NextDigest(s.Times, s.TimeZone, now)
	last := now
	if len(d.msgs) == 0 {
		empty.Add(1)
		// Nothing new: keep collecting from the same point (MaxLookback bounds it).
		last, d.through = s.LastDigest, 0
		d.held = nil // what followed stories held back in quiet hours waits for a digest
	} else {
		sent.Add(1)
	}
	for i := range d.msgs {
		d.msgs[i].Class = storage.ClassDigest // a scheduled run's digests wait behind readers' answers
	}
	if err := b.db.CommitDigest(ctx, s.ChatID, d.msgs, s.LastDigest, last, next, d.through, d.held); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil // a concurrent run or /digest already handled this chat
		}
		return err
	}
	return nil
}
