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
// and a restart gave everyone their whole allowance again. What changed is saved every
// spendSaveEvery and at a stop (storage.DB.SaveReaderSpend), and read back at the start.

// spendSaveEvery is how often readers' spends are saved besides at a stop: a crash
// loses at most this much of them.
const spendSaveEvery = 5 * time.Minute

// maxDebt bounds a restored bucket's debt, in buckets: what refills in spendMaxAge,
// as deep as a reader's requests in flight together can drive an hour's budget (16
// workers; review 74 found 4 too few).
const maxDebt = 24

// spendMaxAge is how old a saved spend may be and still count: every allowance it
// holds has refilled in a day.
const spendMaxAge = 24 * time.Hour

// limitsCopy is a reader's limits as spendChanges reads them: copied under b.mu, and
// read outside it (review 72: reading 200,000 readers' buckets under the lock held up
// every update's admission for a third of a second).
type limitsCopy struct {
	user   int64
	l      *userLimits
	day    string
	today  int
	forgot time.Time
}

// spendOf is what l holds spent at wall and clock, and whether anything is.
func spendOf(c limitsCopy, wall, clock time.Time) (storage.ReaderSpend, bool) {
	s := storage.ReaderSpend{Wall: wall, Clock: clock,
		Fetch: spentOf(c.l.fetchTime, wall), Card: spentOf(c.l.cardTime, wall), FeedAdds: spentOf(c.l.feedAdds, clock)}
	if c.today > 0 && c.day == clock.UTC().Format(time.DateOnly) {
		s.CommentDay, s.Comments = c.day, c.today
	}
	if !c.forgot.IsZero() && clock.Sub(c.forgot) < forgetEvery {
		s.Forgot = c.forgot
	}
	return s, s.Fetch > 0 || s.Card > 0 || s.FeedAdds > 0 || s.Comments > 0 || !s.Forgot.IsZero()
}

// spentOf is how much of l's bucket is spent at t (more than the bucket when it is in
// debt), to the half token: a bucket short of less is full.
func spentOf(l *rate.Limiter, t time.Time) float64 {
	if v := float64(l.Burst()) - l.TokensAt(t); v >= 0.5 {
		return v
	}
	return 0
}

// refilled is spent, saved at from, as it stands at to with nothing more spent.
func refilled(spent float64, l *rate.Limiter, from, to time.Time) float64 {
	return max(0, spent-float64(l.Limit())*to.Sub(from).Seconds())
}

// moved reports whether cur says more than was saved, refilled since: something was
// spent meanwhile, or the day's count or the pause changed.
func moved(saved, cur storage.ReaderSpend, l *userLimits) bool {
	far := func(a, b float64) bool { return math.Abs(a-b) >= 0.5 }
	return far(cur.Fetch, refilled(saved.Fetch, l.fetchTime, saved.Wall, cur.Wall)) ||
		far(cur.Card, refilled(saved.Card, l.cardTime, saved.Wall, cur.Wall)) ||
		far(cur.FeedAdds, refilled(saved.FeedAdds, l.feedAdds, saved.Clock, cur.Clock)) ||
		cur.CommentDay != saved.CommentDay || cur.Comments != saved.Comments || !cur.Forgot.Equal(saved.Forgot)
}

// spendChanges is what a save writes: the spends that moved since they were saved,
// and the saved ones to drop (refilled, or their reader's limits let go). Called with
// b.spendMu held.
func (b *Bot) spendChanges(wall, clock time.Time) (put map[int64]storage.ReaderSpend, drop []int64) {
	b.mu.Lock()
	limits := make([]limitsCopy, 0, len(b.limiters))
	for user, l := range b.limiters {
		limits = append(limits, limitsCopy{user: user, l: l, day: l.day, today: l.today, forgot: l.forgot})
	}
	b.mu.Unlock()
	put = map[int64]storage.ReaderSpend{}
	live := make(map[int64]bool, len(limits))
	for _, c := range limits {
		cur, spent := spendOf(c, wall, clock)
		saved, ok := b.saved[c.user]
		switch {
		case spent && (!ok || moved(saved, cur, c.l)):
			put[c.user] = cur
		case !spent && ok:
			drop = append(drop, c.user)
		}
		live[c.user] = true
	}
	for user := range b.saved {
		if !live[user] {
			drop = append(drop, user)
		}
	}
	return put, drop
}

// respend takes spent from l as of at, in bucket-sized steps: a bucket in debt stays
// in debt, up to a few buckets (review 73: a damaged record's huge number would loop
// for hours at the start).
func respend(l *rate.Limiter, at time.Time, spent float64) {
	for n := int(math.Ceil(min(spent, maxDebt*float64(l.Burst())))); n > 0; {
		step := min(n, l.Burst())
		l.ReserveN(at, step)
		n -= step
	}
}

// restoreSpends gives each reader back what they had spent when the spends were saved
// (at wall now, ones older than a day have refilled); those and damaged records (a
// save time to come among them) are dropped at the next save.
func (b *Bot) restoreSpends(spends map[int64]storage.ReaderSpend, damaged []int64, now time.Time) {
	b.spendMu.Lock()
	defer b.spendMu.Unlock()
	b.saved = make(map[int64]storage.ReaderSpend, len(spends))
	for _, user := range damaged {
		b.saved[user] = storage.ReaderSpend{} // no limits to keep it: dropped
	}
	clock := b.opts.Now()
	for user, s := range spends {
		b.saved[user] = s
		if now.Sub(s.Wall) > spendMaxAge {
			continue
		}
		if s.Wall.After(now.Add(time.Minute)) {
			// A time to come is a damaged record: restored, it would hold the
			// reader's budgets empty until then (review 74).
			b.saved[user] = storage.ReaderSpend{}
			continue
		}
		if s.Clock.After(clock) {
			s.Clock = clock
		}
		if s.Forgot.After(clock) {
			s.Forgot = clock
		}
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

// saveSpends saves what moved of readers' spends.
func (b *Bot) saveSpends(ctx context.Context) {
	b.spendMu.Lock()
	defer b.spendMu.Unlock()
	if b.saved == nil {
		b.saved = map[int64]storage.ReaderSpend{}
	}
	put, drop := b.spendChanges(time.Now(), b.opts.Now())
	if len(put) == 0 && len(drop) == 0 {
		return
	}
	if err := b.db.SaveReaderSpend(ctx, put, drop); err != nil {
		// Nothing is taken as saved: the next save writes it all again.
		b.log.Warn("saving readers' spent allowances failed", "readers", len(put), "error", err)
		return
	}
	for user, s := range put {
		b.saved[user] = s
	}
	for _, user := range drop {
		delete(b.saved, user)
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
