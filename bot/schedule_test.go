package bot

import (
	"context"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
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

// An item stamped with its poll's clock before a digest's, and stored after the digest
// read the news (the poll waited for the store), is in the subscriber's next digest,
// scheduled or asked for. The digest marked its subscriber with its clock, and the
// next started after the stamp: the item was never sent to anyone digested then.
func TestAnItemStoredAfterADigestButStampedBeforeIsInTheNext(t *testing.T) {
	for _, asked := range []bool{false, true} {
		t.Run(map[bool]string{false: "scheduled", true: "asked for"}[asked], func(t *testing.T) {
			h := discussionHarness(t)
			h.start()
			h.ingest()
			u := telegramtest.User{ID: 4402, FirstName: "Iva"}
			c := h.tg.PrivateChat(u)
			h.tg.Send(u, c, "/subscribe")
			h.wait(c.ID, "Subscribed.", waitLong)
			ctx := context.Background()
			digest := func(after time.Duration, want string) {
				t.Helper()
				h.clock.Add(after)
				if asked {
					h.tg.Send(u, c, "/digest")
				} else if err := h.bot.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				h.wait(c.ID, want, waitLong)
			}
			digest(4*time.Hour, "Your news digest")
			const title = "Glacier retreat measured in the Alps for a tenth year"
			stamped := h.clock.Now().Add(-time.Second)
			if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], []storage.Item{{Key: "glacier", Title: title,
				Text: "Researchers measured the glacier's retreat again this summer. \"The ice is thinner than ever,\" said Lena Vogt, a glaciologist.",
				URL:  "https://news.example/glacier", Words: 20, Published: stamped}}, stamped); err != nil {
				t.Fatal(err)
			}
			digest(24*time.Hour, title)
		})
	}
}
