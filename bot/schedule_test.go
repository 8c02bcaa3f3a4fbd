package bot

import (
	"context"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
)

// Each digest a run delivers is a turn of the scheduler's loop: a run of tens of
// thousands due at one hour takes minutes (BenchmarkScale: 18.5 s for 10,000), and
// readiness called the loop stalled after 70 s without a turn (found in the
// eighteenth session: the heartbeat was set only between runs).
func TestDigestsKeepTheSchedulerAlive(t *testing.T) {
	h := discussionHarness(t)
	h.opts.ScheduleEvery = time.Hour // the loop turns once, at the start
	h.start()
	h.ingest()
	u := telegramtest.User{ID: 4401, FirstName: "Ines"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, "/subscribe")
	h.wait(c.ID, "Subscribed.", waitLong)
	before := h.bot.Alive()["scheduler"].Last
	if before.IsZero() {
		t.Fatal("the scheduler never turned")
	}
	time.Sleep(20 * time.Millisecond)
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wait(c.ID, "Your news digest", waitLong)
	if after := h.bot.Alive()["scheduler"].Last; !after.After(before) {
		t.Fatalf("a delivered digest left the heartbeat at %v (it was %v)", after, before)
	}
}
