package bot

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/time/rate"
)

// A restart gives nobody their allowances again: the hour of cards and of page
// fetches, the day's comments and feed adds, and /forget's pause are saved at a stop
// and read back at the start (they were in memory only).
func TestARestartKeepsWhatReadersSpent(t *testing.T) {
	h := newHarness(t)
	h.storyFeed(3)
	h.start()
	h.ingest()
	ana := telegramtest.User{ID: 321, FirstName: "Ana"}
	ben := telegramtest.User{ID: 322, FirstName: "Ben"}
	now := h.clock.Now()

	l := h.bot.limiter(ana.ID)
	spend(l.cardTime, time.Hour) // the whole hour of cards
	spend(l.fetchTime, time.Hour)
	l.comments = rate.NewLimiter(rate.Inf, 1) // only the day's count is under test
	for range 50 {
		if ok, why := h.bot.allowComment(ana.ID, now); !ok {
			t.Fatalf("comment refused before the day's 50: %s", why)
		}
	}
	h.bot.addFeeds(ana.ID, now, func(allowed int) int { return allowed - 2 })
	if !h.bot.forgetAllowed(ana.ID, now) {
		t.Fatal("a first /forget refused")
	}
	h.bot.limiter(ben.ID) // Ben spent nothing, and so is not saved

	h.restart()

	l = h.bot.limiter(ana.ID)
	if left(l.cardTime) || left(l.fetchTime) {
		t.Errorf("after a restart the hour is back (cards %v, fetches %v)", left(l.cardTime), left(l.fetchTime))
	}
	if ok, _ := h.bot.allowComment(ana.ID, now); ok {
		t.Error("after a restart a 51st comment of the day is let in")
	}
	if n := feedAddsLeft(h.bot, ana.ID, now); n != 2 {
		t.Errorf("after a restart %d feed adds are left today, want 2", n)
	}
	if h.bot.forgetAllowed(ana.ID, now.Add(time.Minute)) {
		t.Error("after a restart /forget is allowed again within its pause")
	}
	// What Ana sees: no card.
	c := h.tg.PrivateChat(ana)
	h.tg.Send(ana, c, "/digest")
	h.wait(c.ID, "You asked for many stories and digests in the last hour", waitLong)

	// Ben's allowances are whole, and nothing was saved for him.
	spends, _, err := h.db.ReaderSpends(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := spends[ben.ID]; ok {
		t.Error("a reader who spent nothing was saved")
	}
	lb := h.bot.limiter(ben.ID)
	if !left(lb.cardTime) || feedAddsLeft(h.bot, ben.ID, now) != feedAddsPerDay {
		t.Error("a reader who spent nothing lost allowances over the restart")
	}
}

// A save writes only the spends that moved: a reader who spent nothing since the last
// save is not written again, one whose allowances refilled is dropped, and so is one
// whose limits were let go (review 72: every reader was rewritten every 5 minutes).
func TestASaveWritesWhatMoved(t *testing.T) {
	h := newHarness(t)
	h.start()
	ctx := context.Background()
	ana, ben, cat := int64(401), int64(402), int64(403)
	spend(h.bot.limiter(ana).cardTime, 10*time.Second)
	spend(h.bot.limiter(ben).fetchTime, 10*time.Second)
	h.bot.saveSpends(ctx)
	h.bot.spendMu.Lock()
	put, drop := h.bot.spendChanges(time.Now(), h.bot.opts.Now())
	h.bot.spendMu.Unlock()
	if len(put) != 0 || len(drop) != 0 {
		t.Fatalf("nothing was spent since the save, and a save would write %d and drop %d", len(put), len(drop))
	}
	spend(h.bot.limiter(ana).cardTime, 5*time.Second)
	// Ben's hour refilled long ago; Cat's record outlived her limits.
	h.bot.spendMu.Lock()
	old := h.bot.saved[ben]
	old.Wall = old.Wall.Add(-2 * time.Hour)
	h.bot.saved[ben] = old
	h.bot.saved[cat] = storage.ReaderSpend{Wall: time.Now(), Card: 100}
	h.bot.spendMu.Unlock()
	h.bot.mu.Lock()
	h.bot.limiters[ben] = &userLimits{updates: rate.NewLimiter(1, 1), fetchTime: hourBudget(h.bot.opts.ReaderFetchTime),
		cardTime: hourBudget(h.bot.opts.ReaderCardTime), feedAdds: rate.NewLimiter(rate.Every(24*time.Hour/feedAddsPerDay), feedAddsPerDay)}
	h.bot.mu.Unlock()
	h.bot.spendMu.Lock()
	put, drop = h.bot.spendChanges(time.Now(), h.bot.opts.Now())
	h.bot.spendMu.Unlock()
	if _, ok := put[ana]; !ok || len(put) != 1 {
		t.Errorf("the save would write %v, want Ana's new spending only", put)
	}
	slices.Sort(drop)
	if !slices.Equal(drop, []int64{ben, cat}) {
		t.Errorf("the save would drop %v, want Ben (refilled) and Cat (no limits)", drop)
	}
}

// A restored debt is bounded: a damaged record's huge amount costs no loop of hours at
// the start (review 73), and a bucket in debt stays in debt.
func TestRespendIsBounded(t *testing.T) {
	now := time.Now()
	l := hourBudget(time.Minute)
	respend(l, now, 1e18)
	if got, want := spentOf(l, now), float64(maxDebt*l.Burst()); got != want {
		t.Errorf("spent %v after restoring a huge debt, want the bound %v", got, want)
	}
	l = hourBudget(time.Minute)
	respend(l, now, 1.5*float64(l.Burst()))
	if got := spentOf(l, now); got < 1.5*float64(l.Burst()) {
		t.Errorf("a debt of a bucket and a half restored as %v", got)
	}
}

// A spend record dated in the future is damaged: restored, it held a reader's budgets
// empty and /forget refused until then (review 74).
func TestASpendFromTheFutureIsDropped(t *testing.T) {
	h := newHarness(t)
	h.start()
	now, clock := time.Now(), h.bot.opts.Now()
	future := now.Add(50 * 365 * 24 * time.Hour)
	h.bot.restoreSpends(map[int64]storage.ReaderSpend{
		501: {Wall: future, Clock: future, Card: 1e9, Fetch: 1e9},
		502: {Wall: now, Clock: clock.Add(50 * 365 * 24 * time.Hour), Forgot: clock.Add(50 * 365 * 24 * time.Hour), FeedAdds: 1},
	}, nil, now)
	if l := h.bot.limiter(501); !left(l.cardTime) || !left(l.fetchTime) {
		t.Error("a record dated in 50 years emptied the reader's budgets")
	}
	if !h.bot.forgetAllowed(502, clock.Add(forgetEvery+time.Minute)) {
		t.Error("a /forget dated in 50 years holds /forget back")
	}
	h.bot.spendMu.Lock()
	_, drop := h.bot.spendChanges(time.Now(), clock)
	h.bot.spendMu.Unlock()
	if !slices.Contains(drop, 501) {
		t.Errorf("the damaged record is not dropped (drop %v)", drop)
	}
}
