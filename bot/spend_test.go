package bot

import (
	"context"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
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
	spends, err := h.db.ReaderSpends(context.Background(), time.Now())
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
