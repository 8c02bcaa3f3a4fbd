package bot

import (
	"context"
	"math"
	"time"

	"github.com/newsbot/newsbot/storage"
	"golang.org/x/time/rate"
)

// What readers spent of the allowances that refill with time (an hour of page fetches
// and of cards, a day of comments and of feed adds, /forget's pause) lives in memory,
// and a restart gave everyone their whole allowance again. It is saved now and then and
// at a stop (storage.DB.SaveReaderSpend), and read back at the start.

// spendSaveEvery is how often readers' spends are saved besides at a stop: a crash
// loses at most this much of them.
const spendSaveEvery = 5 * time.Minute

// spends is what each reader has spent, at wall (the wall clock the hour budgets run
// on) and clock (the news clock the day's counts run on). Readers who spent nothing are
// left out.
func (b *Bot) spends(wall, clock time.Time) map[int64]storage.ReaderSpend {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[int64]storage.ReaderSpend{}
	for user, l := range b.limiters {
		s := storage.ReaderSpend{Wall: wall, Clock: clock,
			Fetch: spentOf(l.fetchTime, wall), Card: spentOf(l.cardTime, wall), FeedAdds: spentOf(l.feedAdds, clock)}
		if l.today > 0 && l.day == clock.UTC().Format("2006-01-02") {
			s.CommentDay, s.Comments = l.day, l.today
		}
		if !l.forgot.IsZero() && clock.Sub(l.forgot) < forgetEvery {
			s.Forgot = l.forgot
		}
		if s.Fetch > 0 || s.Card > 0 || s.FeedAdds > 0 || s.Comments > 0 || !s.Forgot.IsZero() {
			out[user] = s
		}
	}
	return out
}

// spentOf is how much of l's bucket is spent at t (more than the bucket when it is in
// debt).
func spentOf(l *rate.Limiter, t time.Time) float64 {
	return max(0, float64(l.Burst())-l.TokensAt(t))
}

// respend takes spent from l as of at, in bucket-sized steps: a bucket in debt stays
// in debt.
func respend(l *rate.Limiter, at time.Time, spent float64) {
	for n := int(math.Ceil(spent)); n > 0; {
		step := min(n, l.Burst())
		l.ReserveN(at, step)
		n -= step
	}
}

// restoreSpends gives each reader back what they had spent when the spends were saved.
func (b *Bot) restoreSpends(spends map[int64]storage.ReaderSpend) {
	for user, s := range spends {
		l := b.limiter(user)
		respend(l.fetchTime, s.Wall, s.Fetch)
		respend(l.cardTime, s.Wall, s.Card)
		respend(l.feedAdds, s.Clock, s.FeedAdds)
		b.mu.Lock()
		if s.Comments > 0 {
			l.day, l.today = s.CommentDay, s.Comments
		}
		if s.Forgot.After(l.forgot) {
			l.forgot = s.Forgot
		}
		b.mu.Unlock()
	}
}

// saveSpends saves what readers have spent now.
func (b *Bot) saveSpends(ctx context.Context) {
	spends := b.spends(time.Now(), b.opts.Now())
	if err := b.db.SaveReaderSpend(ctx, spends); err != nil {
		b.log.Warn("saving readers' spent allowances failed", "readers", len(spends), "error", err)
	}
}

// keepSpends saves readers' spends every spendSaveEvery until ctx ends.
func (b *Bot) keepSpends(ctx context.Context) error {
	t := time.NewTicker(spendSaveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			b.saveSpends(ctx)
		}
	}
}
