package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
)

// waitActive waits until chat's record says active == want.
func (h *harness) waitActive(chat int64, want bool) {
	h.t.Helper()
	for deadline := time.Now().Add(waitLong); ; time.Sleep(10 * time.Millisecond) {
		s, err := h.db.Subscriber(context.Background(), chat)
		if err == nil && s.Active == want {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("chat %d: record %+v (%v), want active=%v", chat, s, err, want)
		}
	}
}

// groupWithFeed starts the bot (its options set by configure first) with a group (chat
// id, its title) whose administrator (user) added one feed, url.
func groupWithFeed(t *testing.T, user int64, id int64, title string, forum bool, configure ...func(*Options)) (h *harness, ana telegramtest.User, group telegramtest.Chat, url string) {
	t.Helper()
	h = newHarness(t)
	for _, c := range configure {
		c(&h.opts)
	}
	h.setPage("/a.xml", `<rss version="2.0"><channel><title>Feed a</title></channel></rss>`)
	h.start()
	ana = telegramtest.User{ID: user, FirstName: "Ana"}
	group = h.tg.Group(id, title, forum, ana.ID)
	url = h.web.URL + "/a.xml"
	h.tg.Send(ana, group, "/add "+url)
	h.wait(group.ID, "Added Feed a", waitLong)
	return h, ana, group, url
}

// keepsNoFeedsAMonthLater runs the release of gone groups at t0 and 30 days later, and
// fails unless user then keeps no feeds.
func (h *harness) keepsNoFeedsAMonthLater(user int64) {
	h.t.Helper()
	ctx := context.Background()
	month := 30 * 24 * time.Hour
	for _, at := range []time.Time{t0, t0.Add(month)} {
		if _, err := h.db.ReleaseGoneGroups(ctx, at, month); err != nil {
			h.t.Fatal(err)
		}
	}
	if mine, err := h.db.AccountFeeds(ctx, user); err != nil || len(mine) != 0 {
		h.t.Fatalf("a month after the group went, user %d still keeps %v (%v)", user, mine, err)
	}
}

// Removed from a group, the bot marks it gone though it never sent it anything (a group
// that only added feeds has no digest), so the hourly pass can let go of its feeds after
// 30 days and free the count of the member who added them; added back, it is active
// again; restricted but still in the group, it stays.
func TestRemovedFromAGroupTheBotMarksItGone(t *testing.T) {
	h, ana, group, _ := groupWithFeed(t, 321, -1005, "Gone", true)
	ctx := context.Background()
	h.tg.SetBotStatus(ana, group, "administrator", "kicked")
	h.waitActive(group.ID, false)
	h.tg.SetBotStatus(ana, group, "left", "member")
	h.waitActive(group.ID, true)
	h.tg.SetBotStatus(ana, group, "member", "restricted") // is_member false: gone
	h.waitActive(group.ID, false)
	h.tg.SetBotStatus(ana, group, "left", "member")
	h.waitActive(group.ID, true)
	h.tg.SetBotStatus(ana, group, "member", "left")
	h.waitActive(group.ID, false)
	h.keepsNoFeedsAMonthLater(ana.ID)
	// A chat the bot never knew gets no record from a status change.
	stranger := h.tg.Group(-1009, "Never", true, ana.ID)
	h.tg.SetBotStatus(ana, stranger, "left", "member")
	for deadline := time.Now().Add(waitLong); ; time.Sleep(10 * time.Millisecond) {
		ids, _, err := h.db.PendingUpdates(ctx, 0, 10, func(int64) bool { return false })
		if err == nil && len(ids) == 0 {
			break // every update handled
		}
		if time.Now().After(deadline) {
			t.Fatalf("updates %v still wait (%v)", ids, err)
		}
	}
	if _, err := h.db.Subscriber(ctx, stranger.ID); err == nil {
		t.Fatal("a status change made a record for a chat the bot never served")
	}
}

// Removing the bot and adding it back (no command, no send, no feed added) does not make
// the group's feeds due afresh: they keep their schedule, backoff, broken mark and
// validators (review O).
func TestMembershipChangesKeepFeedsSchedule(t *testing.T) {
	h, ana, group, url := groupWithFeed(t, 333, -1008, "Toggle", true)
	ctx := context.Background()
	f, err := h.db.Feed(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	later := h.clock.Now().Add(24 * time.Hour).Truncate(time.Second)
	f.NextPoll, f.ErrorStreak, f.Broken, f.ETag = later, 12, true, `"x"`
	if err := h.db.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	h.tg.SetBotStatus(ana, group, "administrator", "left")
	h.waitActive(group.ID, false)
	if _, err := h.db.Feed(ctx, url); err == nil {
		t.Fatal("the feed of a group without the bot is still polled")
	}
	h.tg.SetBotStatus(ana, group, "left", "administrator")
	h.waitActive(group.ID, true)
	g, err := h.db.Feed(ctx, url)
	if err != nil || !g.NextPoll.Equal(later) || g.ErrorStreak != 12 || !g.Broken || g.ETag != `"x"` {
		t.Fatalf("after a remove and re-add the feed is %+v (%v); want due %v, streak 12, broken, etag kept", g, err, later)
	}
}

// A group that becomes a supergroup takes its record and feeds to its new ID when
// Telegram tells the old group, though nothing was ever sent to it (a group of feeds
// only): removed from the supergroup later, it lets go of them after 30 days (review O).
func TestUpgradedGroupMovesWithItsFeeds(t *testing.T) {
	h, ana, old, _ := groupWithFeed(t, 331, -1006, "Club", false)
	ctx := context.Background()
	const super = -1001006
	h.tg.Upgrade(ana, old.ID, super)
	h.waitActive(super, true)
	if _, err := h.db.Subscriber(ctx, old.ID); err == nil {
		t.Fatal("the old group's record stays after the upgrade")
	}
	h.tg.SetBotStatus(ana, telegramtest.Chat{ID: super, Type: "supergroup"}, "administrator", "left")
	h.waitActive(super, false)
	h.keepsNoFeedsAMonthLater(ana.ID)
}

// A removal is never dropped over its sender's rate: losing it leaves the group active
// and counted for good (review O). A full chat queue is bot/queue's
// TestMembershipChangesWaitOneAChat.
func TestRemovalIsNeverDroppedOverTheRate(t *testing.T) {
	h, ana, group, _ := groupWithFeed(t, 332, -1007, "Busy", true, func(o *Options) { o.CommandRate, o.CommandBurst = 0.001, 2 })
	h.tg.Send(ana, group, "/help")
	h.wait(group.ID, "/add", waitLong)
	h.tg.SetBotStatus(ana, group, "administrator", "kicked")
	h.waitActive(group.ID, false)
}

// A group that becomes a supergroup keeps its discussion: the threads it followed go
// on reaching it (review R: they stayed under the old ID). And an edit of a copy the
// group was sent never lands on the supergroup's message of the same number, which
// Telegram numbers afresh: here a send to the old group fails before its upgrade
// message is handled, so the send's own failure moves the chat with the edit queued.
func TestUpgradedGroupKeepsItsDiscussion(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	a := telegramtest.User{ID: 41, FirstName: "Ana"}
	ca := h.tg.PrivateChat(a)
	admin := telegramtest.User{ID: 940, FirstName: "Moe"}
	group := h.tg.Group(-5100, "Readers club", false, admin.ID)
	const superID = -1005100
	super := telegramtest.Chat{ID: superID, Type: "supergroup"}

	h.tg.Send(a, ca, "/start s_1")
	cardA := h.wait(a.ID, "comments · reply", waitLong)
	h.tg.Send(admin, group, "/start s_1")
	cardG := h.wait(group.ID, "comments · reply", waitLong)
	h.tg.Reply(admin, group, cardG.MessageID, "The club's view")
	h.tg.Send(admin, group, "/settings relay on")
	h.wait(group.ID, "will be relayed here", waitLong)
	src, err := h.tg.Reply(a, ca, cardA.MessageID, "Before the upgrade")
	if err != nil {
		t.Fatal(err)
	}
	copyID := h.wait(group.ID, "Before the upgrade", waitLong).MessageID

	h.tg.Migrate(group.ID, superID)
	// The supergroup's own message of the copy's number is the bot's: a member's /help
	// and its answer take two numbers, a plain remark (which the bot leaves) one.
	for next := 1; next <= copyID; next = len(h.tg.AllMessages(superID)) + 1 {
		if (copyID-next)%2 == 0 {
			h.tg.Send(admin, super, "a remark")
			continue
		}
		n := len(h.tg.Messages(superID))
		h.tg.Send(admin, super, "/help")
		if _, err := h.tg.WaitMessages(superID, n+1, waitLong); err != nil {
			t.Fatal(err)
		}
	}
	if m, ok := h.tg.Message(superID, copyID); !ok || m.From == nil || !m.From.IsBot {
		t.Fatalf("message %d of the supergroup is %+v; the test wants the bot's", copyID, m)
	}
	before, _ := h.tg.Message(superID, copyID)

	if err := h.tg.Edit(a, ca, src.MessageID, "Edited after the upgrade"); err != nil {
		t.Fatal(err)
	}
	waitUntilT(t, func() bool { _, err := h.db.Subscriber(ctx, group.ID); return err != nil })
	h.tg.Reply(a, ca, cardA.MessageID, "After the upgrade")
	h.wait(superID, "After the upgrade", waitLong)
	if after, _ := h.tg.Message(superID, copyID); after.Text != before.Text {
		t.Fatalf("the supergroup's message %d was %q, now %q", copyID, before.Text, after.Text)
	}
}

// Removed from the supergroup before the old group's upgrade message is handled (the
// two chats' updates are handled apart), the bot finds no record to mark gone; at the
// upgrade it asks Telegram whether it is still there, so the moved record is not left
// active for good (review R).
func TestRemovedFromTheSupergroupBeforeTheUpgrade(t *testing.T) {
	h, ana, old, _ := groupWithFeed(t, 333, -1008, "Club", false)
	const superID = -1001008
	super := telegramtest.Chat{ID: superID, Type: "supergroup"}
	h.tg.Migrate(old.ID, superID)
	h.tg.SetBotStatus(ana, super, "member", "left")
	waitUntilT(t, func() bool { return h.tg.Pending() == 0 })
	time.Sleep(200 * time.Millisecond) // handled, finding no record
	if _, err := h.db.Subscriber(context.Background(), superID); err == nil {
		t.Fatal("the supergroup has a record before the upgrade: the test wants none")
	}
	h.tg.Upgrade(ana, old.ID, superID)
	h.waitActive(superID, false)
	h.keepsNoFeedsAMonthLater(ana.ID)
}

// A 400 "chat not found" when the bot asks about a supergroup minutes old is no
// verdict: the Bot API may not know it yet, and only a 403 says the bot is out (review V).
func TestAnUnknownSupergroupIsNotGone(t *testing.T) {
	h, ana, old, _ := groupWithFeed(t, 334, -1009, "Club", false)
	const superID = -1001009
	before := h.tg.Calls("getChatMember")
	h.tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if strings.EqualFold(method, "getChatMember") {
			return 400, "Bad Request: chat not found", 0, 0
		}
		return 0, "", 0, 0
	})
	h.tg.Upgrade(ana, old.ID, superID)
	waitUntilT(t, func() bool { return h.tg.Calls("getChatMember") > before })
	time.Sleep(100 * time.Millisecond) // the answer handled
	h.waitActive(superID, true)
}
