package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

func feedURLs(t *testing.T, db *storage.DB) map[string]storage.Feed {
	t.Helper()
	fs, err := db.Feeds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.Feed{}
	for _, f := range fs {
		out[f.URL] = f
	}
	return out
}

// A reader's feed lives exactly as long as some chat reads it; the operator's feeds
// stay whatever readers do.
func TestFeedsHaveOwners(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	if _, err := db.SyncConfiguredFeeds(ctx, []string{"https://conf/a", "https://conf/b"}, t0); err != nil {
		t.Fatal(err)
	}
	newSub := func(id int64) func() storage.Subscriber {
		return func() storage.Subscriber { return storage.Subscriber{ChatID: id, Active: true} }
	}
	lim := storage.FeedLimits{PerChat: 3, Global: 4}
	_, added, err := db.AddOwnFeeds(ctx, 1, 1, newSub(1), []string{"https://x/1", "https://x/2", "https://conf/a"}, []string{"https://conf/a"}, lim)
	if err != nil || len(added) != 2 {
		t.Fatalf("added %v, %v", added, err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 2, 2, newSub(2), []string{"https://x/2", "https://x/3"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if got := feedURLs(t, db); len(got) != 5 || !got["https://conf/a"].Configured || got["https://x/1"].Operator() {
		t.Fatalf("feeds %v", got)
	}
	// Per-chat cap: chat 1 may add one more, then no more.
	if _, added, err := db.AddOwnFeeds(ctx, 1, 1, nil, []string{"https://x/4", "https://x/5"}, nil, lim); err != nil || len(added) != 1 {
		t.Fatalf("per-chat cap: added %v, %v", added, err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 1, 1, nil, []string{"https://x/6"}, nil, lim); !errors.Is(err, storage.ErrLimit) {
		t.Fatalf("over the per-chat cap: %v", err)
	}
	// Global cap: x/1..x/4 are four readers' feeds; a fifth distinct one is refused,
	// an existing one is not.
	if n, _ := db.ReaderFeedCount(ctx); n != 4 {
		t.Fatalf("reader feeds %d, want 4", n)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 3, 3, newSub(3), []string{"https://x/9"}, nil, lim); !errors.Is(err, storage.ErrLimit) {
		t.Fatalf("over the global cap: %v", err)
	}
	if _, added, err := db.AddOwnFeeds(ctx, 3, 3, newSub(3), []string{"https://x/1"}, nil, lim); err != nil || len(added) != 1 {
		t.Fatalf("an existing feed under the global cap: %v %v", added, err)
	}
	// Removing a feed from a chat: gone when nobody else reads it.
	if _, err := db.UpdateSubscriber(ctx, 1, nil, func(s *storage.Subscriber) error {
		s.OwnFeeds = []string{"https://x/1"} // drops x/2 (chat 2 reads it) and x/4 (nobody)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := feedURLs(t, db)
	if _, ok := got["https://x/4"]; ok {
		t.Fatal("an abandoned feed is still polled")
	}
	if _, ok := got["https://x/2"]; !ok {
		t.Fatal("a feed another chat reads was removed")
	}
	due, _ := db.DueFeeds(ctx, t0.Add(1e15), 0)
	for _, f := range due {
		if f.URL == "https://x/4" {
			t.Fatal("the abandoned feed is still in the due index")
		}
	}
	// Deleting chats releases their feeds; the configuration's stay.
	for _, id := range []int64{1, 2, 3} {
		if err := db.DeleteSubscriber(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := feedURLs(t, db); len(got) != 2 {
		t.Fatalf("after every chat left: %v", got)
	}
	// A feed that leaves the configuration stops being polled.
	if n, err := db.SyncConfiguredFeeds(ctx, []string{"https://conf/b"}, t0); err != nil || n != 1 {
		t.Fatalf("sync removed %d, %v", n, err)
	}
	if got := feedURLs(t, db); len(got) != 1 {
		t.Fatalf("after the configuration shrank: %v", got)
	}
}

// Pinned feeds (newsbot ingest --feed) stay; the sweep removes only orphans.
func TestSweepFeeds(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	db.AddFeed(ctx, "https://pinned", t0)
	if n, err := db.SweepFeeds(ctx); err != nil || n != 0 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if len(feedURLs(t, db)) != 1 {
		t.Fatal("a pinned feed was swept")
	}
}

// One account keeps at most PerAccount distinct feeds over its own chat and the groups
// it added feeds to, so that no account fills the global cap by making groups.
func TestFeedsPerAccount(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	const ana, bo, groupA, groupB, groupC = 7, 8, -100, -200, -300
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 4}
	add := func(chat, by int64, urls ...string) ([]string, error) {
		t.Helper()
		_, added, err := db.AddOwnFeeds(ctx, chat, by, activeSub(chat), urls, nil, lim)
		return added, err
	}
	if added, err := add(ana, ana, "https://x/1", "https://x/2"); err != nil || len(added) != 2 {
		t.Fatalf("Ana's own feeds: %v, %v", added, err)
	}
	// Two more in a group: four in all; the fifth is cut from the same request.
	if added, err := add(groupA, ana, "https://x/3", "https://x/4", "https://x/5"); err != nil || len(added) != 2 {
		t.Fatalf("Ana's group feeds: %v, %v", added, err)
	}
	if _, err := add(groupB, ana, "https://x/5"); !errors.Is(err, storage.ErrAccountLimit) || !errors.Is(err, storage.ErrLimit) {
		t.Fatalf("a fifth feed in another group: %v, want the account's limit", err)
	}
	// A feed Ana already keeps costs nothing more, in any chat.
	if added, err := add(groupB, ana, "https://x/1"); err != nil || len(added) != 1 {
		t.Fatalf("a feed Ana keeps, in another group: %v, %v", added, err)
	}
	// Another member of the same group has an allowance of their own.
	if added, err := add(groupA, bo, "https://x/5"); err != nil || len(added) != 1 {
		t.Fatalf("Bo's feed in Ana's group: %v, %v", added, err)
	}
	// A group that blocked the bot keeps its feeds, and gets them back with the bot:
	// they still count, or leaving and returning would pass the cap.
	if _, err := db.UpdateSubscriber(ctx, groupA, nil, func(s *storage.Subscriber) error {
		s.Active = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := add(groupC, ana, "https://x/6"); !errors.Is(err, storage.ErrAccountLimit) {
		t.Fatalf("a feed after a group with Ana's feeds blocked the bot: %v, want the account's limit", err)
	}
	// A group gone 30 days lets go of its feeds, and so frees Ana's count; one that
	// comes back before keeps them.
	if _, err := db.UpdateSubscriber(ctx, groupB, nil, func(s *storage.Subscriber) error {
		s.Active = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const month = 30 * 24 * time.Hour
	if n, err := db.ReleaseGoneGroups(ctx, t0, month); err != nil || n != 0 {
		t.Fatalf("first pass released %d groups (%v); it only starts their clocks", n, err)
	}
	if _, err := db.ActivateChat(ctx, groupB, nil); err != nil { // the bot is back
		t.Fatal(err)
	}
	if n, err := db.ReleaseGoneGroups(ctx, t0.Add(month-time.Hour), month); err != nil || n != 0 {
		t.Fatalf("released %d groups (%v) before their 30 days", n, err)
	}
	if _, err := add(groupC, ana, "https://x/6"); !errors.Is(err, storage.ErrAccountLimit) {
		t.Fatalf("a feed before the gone group let go: %v, want the account's limit", err)
	}
	if n, err := db.ReleaseGoneGroups(ctx, t0.Add(month), month); err != nil || n != 1 {
		t.Fatalf("released %d groups (%v) after 30 days, want the one still gone", n, err)
	}
	if s, err := db.Subscriber(ctx, groupA); err != nil || len(s.OwnFeeds) != 0 {
		t.Fatalf("the gone group kept %v (%v)", s.OwnFeeds, err)
	}
	if s, err := db.Subscriber(ctx, groupB); err != nil || len(s.OwnFeeds) != 1 || !s.GoneAt.IsZero() {
		t.Fatalf("the group that came back: feeds %v, gone at %v (%v)", s.OwnFeeds, s.GoneAt, err)
	}
	// Ana keeps x/1 and x/2: two more fit, one in her own chat, where the count
	// includes the record being changed.
	if added, err := add(groupC, ana, "https://x/6"); err != nil || len(added) != 1 {
		t.Fatalf("a feed after Ana's gone group let go: %v, %v", added, err)
	}
	if added, err := add(ana, ana, "https://x/7"); err != nil || len(added) != 1 {
		t.Fatalf("a fourth feed in Ana's own chat: %v, %v", added, err)
	}
	if _, err := add(ana, ana, "https://x/8"); !errors.Is(err, storage.ErrAccountLimit) {
		t.Fatalf("a fifth feed in Ana's own chat: %v, want the account's limit", err)
	}
}

// A collected feed's record is kept a week: a chat taking it up again gets its schedule,
// backoff and validators back, not a feed due at once; after the week nothing of it is
// left, nor once the chat that had it last is deleted (/forget: deleted means deleted).
func TestCollectedFeedsKeepTheirScheduleAWeek(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	const url = "https://x/slow.xml"
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	if _, _, err := db.AddOwnFeeds(ctx, 7, 7, activeSub(7), []string{url}, nil, lim); err != nil {
		t.Fatal(err)
	}
	f, err := db.Feed(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	f.NextPoll, f.ErrorStreak, f.Broken, f.ETag = later, 12, true, `"x"`
	if err := db.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	setActive := func(chat int64, on bool) {
		t.Helper()
		var err error
		if on {
			_, err = db.ActivateChat(ctx, chat, nil)
		} else {
			_, err = db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error { s.Active = false; return nil })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	setActive(7, false)
	if _, err := db.Feed(ctx, url); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a feed nobody reads is still polled: %v", err)
	}
	setActive(7, true)
	if g, err := db.Feed(ctx, url); err != nil || !g.NextPoll.Equal(later) || g.ErrorStreak != 12 || !g.Broken || g.ETag != `"x"` {
		t.Fatalf("taken up again: %+v (%v)", g, err)
	}
	// A week after it was collected, its record goes.
	setActive(7, false)
	if n, err := db.PruneGoneFeeds(ctx, time.Now().Add(6*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) within the week", n, err)
	}
	if n, err := db.PruneGoneFeeds(ctx, time.Now().Add(8*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v) after the week, want 1", n, err)
	}
	setActive(7, true)
	if g, err := db.Feed(ctx, url); err != nil || g.ErrorStreak != 0 || g.ETag != "" {
		t.Fatalf("taken up after the week: %+v (%v), want a feed afresh", g, err)
	}
	// Only the schedule is kept, not the title or last error.
	f.Title, f.LastError = "Slow news", "HTTP 503"
	if err := db.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	setActive(7, false)
	setActive(7, true)
	g, err := db.Feed(ctx, url)
	if err != nil || !g.NextPoll.Equal(later) || g.Title != "" || g.LastError != "" {
		t.Fatalf("taken up again: %+v (%v); want its schedule, without its title or last error", g, err)
	}
	// Deleting the chat deletes its feeds' records, even one collected before.
	setActive(7, false)
	if err := db.DeleteSubscriber(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 8, 8, activeSub(8), []string{url}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if g, err := db.Feed(ctx, url); err != nil || g.ErrorStreak != 0 || g.ETag != "" {
		t.Fatalf("after the chat that had it was deleted, another's feed is %+v (%v), want it afresh", g, err)
	}
}

// A group's upgrade handled after its supergroup already has a record (a member wrote
// there first) keeps the group's settings and joins the supergroup's feeds to the
// group's, with their adders and the day's use of both (review P: the supergroup's
// feeds were lost; review Q: then the group's settings); whether the bot is in the
// supergroup is the supergroup record's to say (review Q).
// TestMigrateDropsAddersOfFeedsWithNoRoom upgrades a group the bot was removed from onto
// a supergroup it is in, with the readers' cap full: the group's feeds find no room and
// stay out, and no longer count against the member who added them (review 58).
func TestMigrateDropsAddersOfFeedsWithNoRoom(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	lim := storage.FeedLimits{PerChat: 20, Global: 2, PerAccount: 10}
	db.SetFeedLimits(lim)
	const old, super = -1008, -1001008
	if _, _, err := db.AddOwnFeeds(ctx, old, 7, groupSub(old, "group", "UTC"), []string{"https://x/a.xml", "https://x/b.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, old, nil, func(s *storage.Subscriber) error { s.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 9, 9, func() storage.Subscriber { return storage.Subscriber{ChatID: 9, Kind: "private", Active: true} },
		[]string{"https://x/c.xml", "https://x/d.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ActivateChat(ctx, super, groupSub(super, "supergroup", "UTC")); err != nil {
		t.Fatal(err)
	}
	if feeds, err := db.AccountFeeds(ctx, 7); err != nil || len(feeds) != 2 {
		t.Fatalf("before the upgrade, member 7 keeps %v (%v): the group's two, parked", feeds, err)
	}
	if err := db.MigrateChat(ctx, old, super); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Subscriber(ctx, super); err != nil || len(s.OwnFeeds) != 0 {
		t.Fatalf("the supergroup keeps %v (%v), want none: the cap is full", s.OwnFeeds, err)
	}
	if feeds, err := db.AccountFeeds(ctx, 7); err != nil || len(feeds) != 0 {
		t.Errorf("member 7 is still charged %v (%v) for feeds no chat keeps", feeds, err)
	}
}

func TestMigrateOntoAnExistingRecord(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 10}
	const old, super = -1006, -1001006
	if _, _, err := db.AddOwnFeeds(ctx, old, 7, groupSub(old, "group", "UTC"), []string{"https://x/old.xml", "https://x/both.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, super, 8, groupSub(super, "supergroup", "Europe/Paris"), []string{"https://x/new.xml", "https://x/both.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	day := t0.Format(time.DateOnly)
	for chat, use := range map[int64]storage.FeedUsage{old: {Day: day, Items: 3}, super: {Day: day, Items: 4}} {
		if err := db.ChargeAccounts(ctx, []int64{chat}, use); err != nil {
			t.Fatal(err)
		}
	}
	// The supergroup had a digest after the group's: the later mark stands, or the
	// items between them would come twice.
	for chat, mark := range map[int64]uint64{old: 20, super: 50} {
		if _, err := db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error {
			s.LastDigest, s.DigestedTo = t0.Add(time.Duration(mark)*time.Minute), mark
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MigrateChat(ctx, old, super); err != nil {
		t.Fatal(err)
	}
	s, err := db.Subscriber(ctx, super)
	if err != nil {
		t.Fatal(err)
	}
	if s.DigestedTo != 50 || !s.LastDigest.Equal(t0.Add(50*time.Minute)) {
		t.Errorf("the supergroup's last digest: %s through item %d; want the later, through 50", s.LastDigest, s.DigestedTo)
	}
	if want := []string{"https://x/old.xml", "https://x/both.xml", "https://x/new.xml"}; !slices.Equal(s.OwnFeeds, want) || s.TimeZone != "UTC" || !s.Active {
		t.Fatalf("the supergroup's record: feeds %v, tz %q, active %v; want %v in the group's UTC, active", s.OwnFeeds, s.TimeZone, s.Active, want)
	}
	// both.xml stays charged to the member who added it in the supergroup; old.xml
	// moves with its adder.
	for url, who := range map[string]int64{"https://x/both.xml": 8, "https://x/old.xml": 7, "https://x/new.xml": 8} {
		got, err := db.FeedAccountsUsage(ctx, url, day)
		if _, ok := got[who]; err != nil || len(got) != 1 || !ok {
			t.Errorf("%s is charged to %v (%v), want %d", url, got, err, who)
		}
	}
	if u, err := db.FeedUsage(ctx, super, day); err != nil || u.Items != 7 {
		t.Errorf("the supergroup's day: %+v (%v), want both chats' 7 items", u, err)
	}
	if _, err := db.Subscriber(ctx, old); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the old group's record stays: %v", err)
	}
	// The bot removed from a supergroup before the group's upgrade was handled: the
	// moved record is inactive.
	const old2, super2 = -1007, -1001007
	if _, _, err := db.AddOwnFeeds(ctx, old2, 7, groupSub(old2, "group", "UTC"), []string{"https://x/old2.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, super2, 8, groupSub(super2, "supergroup", "UTC"), []string{"https://x/new2.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, super2, nil, func(s *storage.Subscriber) error { s.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, old2, super2); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Subscriber(ctx, super2); err != nil || s.Active {
		t.Fatalf("the supergroup the bot left is active=%v after the upgrade (%v)", s.Active, err)
	}
	// Nor are the feeds polled, neither its own nor the group's (review R: the group's
	// stayed polled, charged to no one, until a restart).
	if _, err := db.Feed(ctx, "https://x/new2.xml"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the inactive supergroup's own feed is still polled: %v", err)
	}
	if f, err := db.Feed(ctx, "https://x/old2.xml"); err == nil {
		due, _ := db.DueFeeds(ctx, time.Now().Add(time.Hour), 0)
		t.Fatalf("the group's feed is still polled with no active owner: %+v; due: %d feeds", f, len(due))
	}
}

// /forget deletes the kept schedules of feeds the chat removed before, not only of
// those it had (review R: the removed feed's address stayed a week).
func TestForgetDeletesRemovedFeedsSchedules(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 10}
	const chat = 9
	url := "https://x/private-interest.xml"
	if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), []string{url}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error { s.OwnFeeds = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, chat, chat, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	var found []string
	db.Buckets(ctx, func(bucket string, k, v []byte) error {
		if string(k) == url {
			found = append(found, bucket)
		}
		return nil
	})
	if len(found) > 0 {
		t.Fatalf("after /forget the removed feed's URL is still in %v", found)
	}
}

// An upgrade moves the group's discussion follows to the supergroup (review R left
// them under the old ID, so comments stopped reaching the supergroup), keeping the
// supergroup's own choice where it has one; and it drops what refers to the group's
// sent messages, which the supergroup numbers afresh: a queued edit of message 5 in
// the group would have edited the supergroup's message 5.
func TestMigrateMovesFollowsAndDropsOldMessagesRefs(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	const old, super = -1009, -1001009
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 10}
	if _, _, err := db.AddOwnFeeds(ctx, old, 7, groupSub(old, "group", "UTC"), []string{"https://x/a.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSubscriber(ctx, groupSub(super, "supergroup", "UTC")()); err != nil {
		t.Fatal(err)
	}
	db.AddFeed(ctx, "f", t0)
	items, err := db.AddItems(ctx, "f", []storage.Item{item("a", "A story", t0), item("b", "Another story", t0)}, t0)
	if err != nil || len(items) != 2 {
		t.Fatal(len(items), err)
	}
	a, b := items[0], items[1]
	for _, f := range []struct {
		item  uint64
		chat  int64
		muted bool
	}{{a.ID, old, false}, {b.ID, old, false}, {b.ID, super, true}} {
		if err := db.SetFollow(ctx, f.item, f.chat, f.muted); err != nil {
			t.Fatal(err)
		}
	}
	c := addComment(t, db, storage.Comment{ItemID: a.ID, AuthorID: 5, Text: "w", SrcChat: 5, SrcMsg: 1, Created: t0})
	if _, err := db.Sent(ctx, 0, old, 5, &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{a.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddPending(ctx, storage.PendingComment{AuthorID: 5, Chat: old, Msg: 6, Text: "which story?", Created: t0}, t0.Add(-time.Hour), 3, 30); err != nil {
		t.Fatal(err)
	}
	edit := storage.OutMessage{ChatID: old, Method: "editMessageText", Params: map[string]string{"chat_id": "-1009", "message_id": "5", "text": "edited"}}
	send := storage.OutMessage{ChatID: old, Method: "sendMessage", Params: map[string]string{"chat_id": "-1009", "text": "a digest"}}
	if err := db.Enqueue(ctx, []storage.OutMessage{edit, send}, t0); err != nil {
		t.Fatal(err)
	}

	if err := db.MigrateChat(ctx, old, super); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		item  uint64
		muted bool
	}{{a.ID, false}, {b.ID, true}} {
		fs, err := db.Followers(ctx, want.item)
		fs = slices.DeleteFunc(fs, func(f storage.Follower) bool { return f.ChatID == 5 }) // the commenter
		if err != nil || !slices.Equal(fs, []storage.Follower{{ChatID: super, Muted: want.muted}}) {
			t.Errorf("thread %d's followers after the upgrade: %+v (%v), want the supergroup alone, muted=%v", want.item, fs, err, want.muted)
		}
	}
	q, err := db.Outbox(ctx, 0, 0)
	if err != nil || len(q) != 1 || q[0].Method != "sendMessage" || q[0].ChatID != super || q[0].Params["chat_id"] != "-1001009" {
		t.Errorf("queued after the upgrade: %+v (%v), want only the digest, to the supergroup", q, err)
	}
	if copies, _ := db.Copies(ctx, c.ID); len(copies) != 0 {
		t.Errorf("the group's copy is still listed: %v", copies)
	}
	if _, err := db.MessageRecordFor(ctx, old, 5); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the group's message record stays: %v", err)
	}
	if _, err := db.MessageRecordFor(ctx, super, 5); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the supergroup's message 5 has a record: %v", err)
	}
	pend := 0
	for id := uint64(1); id < 10; id++ {
		if _, err := db.Pending(ctx, old, id, 5, t0.Add(-time.Hour)); err == nil {
			pend++
		}
	}
	if pend != 0 {
		t.Errorf("%d of the group's pending comments stay", pend)
	}

	// A group with no record (it ran /forget) still has its follow and queue moved, and
	// its message's edit dropped (review T: nothing was done without a record).
	const bare, bareSuper = -1010, -1001010
	if err := db.SetFollow(ctx, a.ID, bare, false); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{
		{ChatID: bare, Method: "editMessageText", Params: map[string]string{"chat_id": "-1010", "message_id": "5", "text": "edited"}},
		{ChatID: bare, Method: "sendMessage", Params: map[string]string{"chat_id": "-1010", "text": "a copy"}},
	}, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, bare, bareSuper); err != nil {
		t.Fatalf("migrating a group with no record: %v", err)
	}
	fs, _ := db.Followers(ctx, a.ID)
	if !slices.Contains(fs, storage.Follower{ChatID: bareSuper}) || slices.Contains(fs, storage.Follower{ChatID: bare}) {
		t.Errorf("the record-less group's follow after the upgrade: %+v", fs)
	}
	q, _ = db.Outbox(ctx, 0, 0)
	if len(q) != 2 || q[1].ChatID != bareSuper || q[1].Method != "sendMessage" {
		t.Errorf("queued after the record-less group's upgrade: %+v, want the digest and the copy, to the supergroups", q)
	}
}

// With the readers' feeds all taken, an add takes a slot from the account keeping the
// most, if it keeps more than the adder then would: newcomers get room from whoever
// filled the cap, accounts at the top cannot take slots from each other, a feed another
// account also pays for is never taken, and a group losing a feed is told too.
func TestFeedsMakeRoomForNewcomers(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	lim := storage.FeedLimits{PerChat: 20, Global: 7, PerAccount: 5,
		MakeRoom: func(s storage.Subscriber, urls []string) []storage.OutMessage {
			return []storage.OutMessage{{ChatID: s.ChatID, Method: "sendMessage", Params: map[string]string{"text": "removed " + strings.Join(urls, " ")}}}
		}}
	add := func(chat, by int64, urls ...string) error {
		t.Helper()
		create := func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Kind: "private", Active: true} }
		if chat < 0 {
			create = groupSub(chat, "group", "UTC")
		}
		_, _, err := db.AddOwnFeeds(ctx, chat, by, create, urls, nil, lim)
		return err
	}
	notices := func() []string {
		t.Helper()
		q, err := db.Outbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range q {
			out = append(out, fmt.Sprintf("%d %s", m.ChatID, m.Params["text"]))
		}
		return out
	}
	// Ann keeps five (one of them, a2, also kept by Eve, in a group Ann added it to
	// first); Bob one: the cap of seven is full with Eve's.
	for i := 1; i <= 4; i++ {
		if err := add(1, 1, fmt.Sprintf("https://a/%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := add(-10, 1, "https://a/5"); err != nil {
		t.Fatal(err)
	}
	if err := add(2, 2, "https://b/1"); err != nil {
		t.Fatal(err)
	}
	if err := add(5, 5, "https://a/2", "https://e/1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.ReaderFeedCount(ctx); n != 7 {
		t.Fatalf("%d readers' feeds, want the cap of 7", n)
	}
	// Cid, new, takes Ann's newest: a/5, in the group, which is told.
	if err := add(3, 3, "https://c/1"); err != nil {
		t.Fatalf("a newcomer's add with the cap full: %v", err)
	}
	if got, want := notices(), []string{"-10 removed https://a/5"}; !slices.Equal(got, want) {
		t.Errorf("notices %q, want %q", got, want)
	}
	if s, _ := db.Subscriber(ctx, -10); slices.Contains(s.OwnFeeds, "https://a/5") {
		t.Errorf("the group still keeps the feed taken: %v", s.OwnFeeds)
	}
	if _, err := db.Feed(ctx, "https://a/5"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the feed taken is still polled: %v", err)
	}
	// Bob, at two, takes Ann's next newest she alone pays for: a/4 (a/2 is Eve's too).
	if err := add(2, 2, "https://b/2"); err != nil {
		t.Fatal(err)
	}
	if got := notices(); len(got) != 2 || got[1] != "1 removed https://a/4" {
		t.Errorf("notices %q, want Ann told of a/4", got)
	}
	// Ann, at three, may not take back from Bob, Cid or Eve, none of whom keeps more than
	// the four she would.
	if err := add(1, 1, "https://a/6"); !errors.Is(err, storage.ErrLimit) {
		t.Errorf("Ann's add with the cap full and no one keeping more: %v, want ErrLimit", err)
	}
	// Without MakeRoom a full cap refuses, as before.
	lim.MakeRoom = nil
	if err := add(6, 6, "https://f/1"); !errors.Is(err, storage.ErrLimit) {
		t.Errorf("a full cap without MakeRoom: %v, want ErrLimit", err)
	}
	if n, _ := db.ReaderFeedCount(ctx); n != 7 {
		t.Errorf("%d readers' feeds, want 7", n)
	}
	if s, _ := db.Subscriber(ctx, 1); !slices.Equal(s.OwnFeeds, []string{"https://a/1", "https://a/2", "https://a/3"}) {
		t.Errorf("Ann keeps %v, want her three oldest", s.OwnFeeds)
	}
}

// Making room weighs what accounts use: a feed shared by two accounts is half a slot
// to each, and a slot is freed by taking a feed from all its payers, each over the line
// (review W: accounts sharing every feed among themselves were never cut, and lighter
// readers lost feeds instead). An import taking up a feed of another's and then adding
// a new one takes a feed that frees a slot (review W: it took the one just taken up,
// and the cap was passed). No account is cut below the floor.
func TestMakingRoomWeighsSharedFeeds(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, global, floor int) (*storage.DB, func(chat int64, urls ...string) error) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
		t.Cleanup(func() { db.Close() })
		lim := storage.FeedLimits{PerChat: 20, Global: global, PerAccount: 20, Floor: floor,
			MakeRoom: func(s storage.Subscriber, urls []string) []storage.OutMessage {
				return []storage.OutMessage{{ChatID: s.ChatID, Method: "sendMessage", Params: map[string]string{"text": strings.Join(urls, " ")}}}
			}}
		return db, func(chat int64, urls ...string) error {
			create := func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Kind: "private", Active: true} }
			_, _, err := db.AddOwnFeeds(ctx, chat, chat, create, urls, nil, lim)
			return err
		}
	}
	feeds := func(db *storage.DB, chat int64) []string {
		s, _ := db.Subscriber(ctx, chat)
		return s.OwnFeeds
	}
	t.Run("pairs", func(t *testing.T) {
		db, add := setup(t, 4, 0)
		shared := []string{"https://e/1", "https://e/2", "https://e/3"}
		for _, chat := range []int64{11, 12} {
			if err := add(chat, shared...); err != nil {
				t.Fatal(err)
			}
		}
		if err := add(13, "https://h/1"); err != nil {
			t.Fatal(err)
		}
		if err := add(14, "https://n/1"); err != nil {
			t.Fatalf("a newcomer's add: %v", err)
		}
		if got := feeds(db, 13); !slices.Equal(got, []string{"https://h/1"}) {
			t.Errorf("the reader of one feed keeps %v", got)
		}
		for _, chat := range []int64{11, 12} {
			if got := feeds(db, chat); len(got) != 2 {
				t.Errorf("account %d keeps %v, want two of its three shared feeds", chat, got)
			}
		}
		if n, _ := db.ReaderFeedCount(ctx); n != 4 {
			t.Errorf("%d readers' feeds, want 4", n)
		}
	})
	t.Run("import", func(t *testing.T) {
		db, add := setup(t, 5, 0)
		if err := add(21, "https://v/1", "https://v/2", "https://v/3", "https://v/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(22, "https://a/1"); err != nil {
			t.Fatal(err)
		}
		if err := add(22, "https://v/4", "https://a/2"); err != nil {
			t.Fatal(err)
		}
		if got := feeds(db, 21); !slices.Equal(got, []string{"https://v/1", "https://v/2", "https://v/4"}) {
			t.Errorf("the other reader keeps %v, want v/3 taken, not v/4 the importer took up", got)
		}
		if n, _ := db.ReaderFeedCount(ctx); n != 5 {
			t.Errorf("%d readers' feeds, want the cap of 5", n)
		}
	})
	t.Run("shield", func(t *testing.T) {
		// Review X: a heavy account sharing each feed with a helper of its own, the
		// helpers over the line, is cut before a lighter reader.
		db, add := setup(t, 11, 2)
		var a []string
		for i := range 8 {
			a = append(a, fmt.Sprintf("https://a/%d", i))
		}
		if err := add(41, a...); err != nil {
			t.Fatal(err)
		}
		if err := add(42, a[:4]...); err != nil {
			t.Fatal(err)
		}
		if err := add(43, a[4:]...); err != nil {
			t.Fatal(err)
		}
		if err := add(44, "https://v/1", "https://v/2", "https://v/3"); err != nil {
			t.Fatal(err)
		}
		if err := add(45, "https://n/1"); err != nil {
			t.Fatalf("a newcomer's add: %v", err)
		}
		if got := feeds(db, 44); len(got) != 3 {
			t.Errorf("the lighter reader keeps %v, want all three", got)
		}
		if got := feeds(db, 41); len(got) != 7 {
			t.Errorf("the heavy account keeps %d feeds, want 7", len(got))
		}
	})
	t.Run("notices", func(t *testing.T) {
		// One notice for each chat that lost feeds, listing them (review X: one a feed).
		db, add := setup(t, 4, 0)
		if err := add(51, "https://v/1", "https://v/2", "https://v/3", "https://v/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(52, "https://a/1", "https://a/2"); err != nil {
			t.Fatal(err)
		}
		q, _ := db.Outbox(ctx, 0, 0)
		if len(q) != 1 || q[0].ChatID != 51 || q[0].Params["text"] != "https://v/4 https://v/3" {
			t.Errorf("notices %+v, want one to the reader who lost v/4 and v/3", q)
		}
	})
	t.Run("inactive", func(t *testing.T) {
		// An inactive chat's feeds take no room, and none is made for them.
		db, add := setup(t, 2, 0)
		if err := add(61, "https://v/1", "https://v/2"); err != nil {
			t.Fatal(err)
		}
		if err := db.PutSubscriber(ctx, storage.Subscriber{ChatID: 62, Kind: "private"}); err != nil {
			t.Fatal(err)
		}
		if err := add(62, "https://i/1"); !errors.Is(err, storage.ErrLimit) {
			t.Errorf("an inactive chat's add with the cap full: %v, want ErrLimit", err)
		}
		if got := feeds(db, 61); len(got) != 2 {
			t.Errorf("the reader keeps %v after an inactive chat's add", got)
		}
	})
	t.Run("sharing", func(t *testing.T) {
		// Review Y: accounts keeping the most feeds go first, however shared: three
		// accounts sharing six feeds are cut before a reader keeping four of its own.
		db, add := setup(t, 10, 2)
		var e []string
		for i := range 6 {
			e = append(e, fmt.Sprintf("https://e/%d", i))
		}
		for _, chat := range []int64{71, 72, 73} {
			if err := add(chat, e...); err != nil {
				t.Fatal(err)
			}
		}
		if err := add(74, "https://v/1", "https://v/2", "https://v/3", "https://v/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(75, "https://n/1"); err != nil {
			t.Fatalf("a newcomer's add: %v", err)
		}
		if got := feeds(db, 74); len(got) != 4 {
			t.Errorf("the reader of four keeps %v", got)
		}
		if got := feeds(db, 71); len(got) != 5 {
			t.Errorf("a sharing account keeps %d feeds, want 5", len(got))
		}
	})
	t.Run("parked", func(t *testing.T) {
		// Review Y: feeds in a group the bot was removed from come back with it, so
		// they count for the adder's line: parking them there cuts no one.
		db, add := setup(t, 5, 0)
		if err := add(81, "https://v/1", "https://v/2", "https://v/3", "https://v/4"); err != nil {
			t.Fatal(err)
		}
		const group = -80
		lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 20}
		if _, _, err := db.AddOwnFeeds(ctx, group, 82, groupSub(group, "group", "UTC"), []string{"https://p/1", "https://p/2", "https://p/3"}, nil, lim); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSubscriber(ctx, group, nil, func(s *storage.Subscriber) error { s.Active = false; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := add(82, "https://p/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(82, "https://p/5"); !errors.Is(err, storage.ErrLimit) {
			t.Errorf("an add by a reader with feeds parked: %v, want ErrLimit", err)
		}
		if got := feeds(db, 81); len(got) != 4 {
			t.Errorf("the reader of four keeps %v", got)
		}
	})
	t.Run("steered", func(t *testing.T) {
		// Review Z: an account ranking first by its own feeds took up a lighter
		// reader's feed and so chose who was cut. The cut goes by each feed's lightest
		// payer: the reader of four own feeds, not the reader of three.
		db, add := setup(t, 11, 2)
		if err := add(91, "https://r/1", "https://r/2", "https://r/3"); err != nil {
			t.Fatal(err)
		}
		if err := add(92, "https://x/1", "https://x/2", "https://x/3", "https://x/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(93, "https://h/1", "https://h/2"); err != nil {
			t.Fatal(err)
		}
		if err := add(94, "https://h/3", "https://h/4"); err != nil {
			t.Fatal(err)
		}
		if err := add(95, "https://h/1", "https://h/2", "https://h/3", "https://h/4", "https://r/1"); err != nil {
			t.Fatal(err)
		}
		if err := add(96, "https://n/1"); err != nil {
			t.Fatalf("a newcomer's add: %v", err)
		}
		if got := feeds(db, 91); len(got) != 3 {
			t.Errorf("the reader of three keeps %v", got)
		}
		if got := feeds(db, 92); len(got) != 3 {
			t.Errorf("the reader of four own feeds keeps %v, want three", got)
		}
	})
	t.Run("later in the import", func(t *testing.T) {
		// Review AA: room made from a feed the same import adds next made it new again,
		// and its reader was cut twice.
		db, add := setup(t, 6, 2)
		if err := add(101, "https://v/1", "https://v/2", "https://v/3", "https://v/4", "https://v/y"); err != nil {
			t.Fatal(err)
		}
		if err := add(102, "https://o/1"); err != nil {
			t.Fatal(err)
		}
		if err := add(103, "https://x/1", "https://v/y"); err != nil {
			t.Fatal(err)
		}
		if got := feeds(db, 101); len(got) != 4 || !slices.Contains(got, "https://v/y") {
			t.Errorf("the reader keeps %v, want four with v/y (one cut)", got)
		}
		if n, _ := db.ReaderFeedCount(ctx); n != 6 {
			t.Errorf("%d readers' feeds, want 6", n)
		}
	})
	t.Run("floor", func(t *testing.T) {
		db, add := setup(t, 4, 2)
		if err := add(31, "https://f/1", "https://f/2"); err != nil {
			t.Fatal(err)
		}
		if err := add(32, "https://g/1", "https://g/2"); err != nil {
			t.Fatal(err)
		}
		if err := add(33, "https://n/1"); !errors.Is(err, storage.ErrLimit) {
			t.Errorf("an add with every account at the floor: %v, want ErrLimit", err)
		}
		if n, _ := db.ReaderFeedCount(ctx); n != 4 {
			t.Errorf("%d readers' feeds, want 4", n)
		}
	})
}

// A chat coming back brings its own feeds back only as far as the global cap allows,
// oldest first, and is told of the others: an inactive chat's feeds take no room, so
// without this accounts could park feeds in chats the bot left and bring them back
// past the cap once others had filled it. Feeds another active chat keeps take no new
// room and always come back.
func TestAChatComingBackKeepsToTheCap(t *testing.T) {
	ctx := context.Background()
	lim := storage.FeedLimits{PerChat: 20, Global: 4, PerAccount: 10,
		Returned: func(s storage.Subscriber, urls []string) []storage.OutMessage {
			return []storage.OutMessage{{ChatID: s.ChatID, Method: "sendMessage", Params: map[string]string{"text": "dropped " + strings.Join(urls, " ")}}}
		}}
	for _, tc := range []struct {
		name        string
		others      []string // feeds another chat adds while the group is away
		keep, notes []string
	}{
		{"the cap filled meanwhile", []string{"https://o/1", "https://o/2", "https://o/3"}, []string{"https://x/1"},
			[]string{"-10 dropped https://x/2 https://x/3"}},
		{"room for one", []string{"https://o/1", "https://o/2"}, []string{"https://x/1", "https://x/2"},
			[]string{"-10 dropped https://x/3"}},
		{"room for all", nil, []string{"https://x/1", "https://x/2", "https://x/3"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
			defer db.Close()
			db.SetFeedLimits(lim)
			add := func(chat, by int64, urls ...string) {
				t.Helper()
				create := func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Kind: "private", Active: true} }
				if chat < 0 {
					create = groupSub(chat, "group", "UTC")
				}
				if _, _, err := db.AddOwnFeeds(ctx, chat, by, create, urls, nil, lim); err != nil {
					t.Fatal(err)
				}
			}
			// Member 7 added three feeds to the group; reader 2 keeps x/1 as well.
			add(-10, 7, "https://x/1", "https://x/2", "https://x/3")
			add(2, 2, "https://x/1")
			if _, err := db.UpdateSubscriber(ctx, -10, nil, func(s *storage.Subscriber) error { s.Active = false; return nil }); err != nil {
				t.Fatal(err)
			}
			if len(tc.others) > 0 {
				add(3, 3, tc.others...)
			}
			s, err := db.ActivateChat(ctx, -10, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Active || !slices.Equal(s.OwnFeeds, tc.keep) {
				t.Errorf("back with %v (active %v), want %v", s.OwnFeeds, s.Active, tc.keep)
			}
			if stored, _ := db.Subscriber(ctx, -10); !slices.Equal(stored.OwnFeeds, tc.keep) {
				t.Errorf("stored %v, want %v", stored.OwnFeeds, tc.keep)
			}
			if n, _ := db.ReaderFeedCount(ctx); n > lim.Global {
				t.Errorf("%d readers' feeds, over the cap of %d", n, lim.Global)
			}
			// What did not come back is no longer charged to the member who added it.
			if mine, _ := db.AccountFeeds(ctx, 7); !slices.Equal(mine, tc.keep) {
				t.Errorf("member 7 is charged %v, want %v", mine, tc.keep)
			}
			q, err := db.Outbox(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var notes []string
			for _, m := range q {
				notes = append(notes, fmt.Sprintf("%d %s", m.ChatID, m.Params["text"]))
			}
			if !slices.Equal(notes, tc.notes) {
				t.Errorf("notices %q, want %q", notes, tc.notes)
			}
			// Activating an active chat changes nothing and tells nobody.
			if again, err := db.ActivateChat(ctx, -10, nil); err != nil || !slices.Equal(again.OwnFeeds, tc.keep) {
				t.Errorf("again: %v, %v", again.OwnFeeds, err)
			}
			if q, _ := db.Outbox(ctx, 0, 0); len(q) != len(tc.notes) {
				t.Errorf("%d queued after a second activation, want %d", len(q), len(tc.notes))
			}
		})
	}
	t.Run("no record", func(t *testing.T) {
		db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
		defer db.Close()
		if _, err := db.ActivateChat(ctx, 5, nil); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("no record, no create: %v, want ErrNotFound", err)
		}
		s, err := db.ActivateChat(ctx, 5, func() storage.Subscriber { return storage.Subscriber{ChatID: 5, Kind: "private"} })
		if err != nil || !s.Active {
			t.Errorf("created: %+v, %v", s, err)
		}
		if stored, err := db.Subscriber(ctx, 5); err != nil || !stored.Active {
			t.Errorf("stored: %+v, %v", stored, err)
		}
	})
}

// Every way back fits a chat's parked feeds under the cap: a group upgraded onto a
// supergroup record already active brings its feeds only as far as the cap allows,
// and is told (found by review: MigrateChat took the supergroup's active flag and all
// the feeds came back); a write that would make a chat active without fitting them is
// refused.
func TestEveryWayBackKeepsToTheCap(t *testing.T) {
	ctx := context.Background()
	lim := storage.FeedLimits{PerChat: 20, Global: 2, PerAccount: 10,
		Returned: func(s storage.Subscriber, urls []string) []storage.OutMessage {
			return []storage.OutMessage{{ChatID: s.ChatID, Method: "sendMessage", Params: map[string]string{"text": "dropped " + strings.Join(urls, " ")}}}
		}}
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	db.SetFeedLimits(lim)
	if _, _, err := db.AddOwnFeeds(ctx, -10, 7, groupSub(-10, "group", "UTC"), []string{"https://x/1", "https://x/2"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeactivateChat(ctx, -10); err != nil {
		t.Fatal(err)
	}
	create := func() storage.Subscriber { return storage.Subscriber{ChatID: 3, Kind: "private", Active: true} }
	if _, _, err := db.AddOwnFeeds(ctx, 3, 3, create, []string{"https://o/1"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	// Any write but ActivateChat's is refused when it would bring the group back.
	if _, err := db.UpdateSubscriber(ctx, -10, nil, func(s *storage.Subscriber) error { s.Active = true; return nil }); err == nil {
		t.Error("UpdateSubscriber made an inactive chat active without fitting its feeds")
	}
	if err := db.PutSubscriber(ctx, storage.Subscriber{ChatID: -10, Kind: "group", Active: true, OwnFeeds: []string{"https://x/1", "https://x/2"}}); err == nil {
		t.Error("PutSubscriber made an inactive chat active without fitting its feeds")
	}
	if _, err := db.ActivateChat(ctx, -100, groupSub(-100, "supergroup", "UTC")); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, -10, -100); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.ReaderFeedCount(ctx); n != lim.Global {
		t.Errorf("%d readers' feeds, want the cap of %d", n, lim.Global)
	}
	s, err := db.Subscriber(ctx, -100)
	if err != nil || !s.Active || !slices.Equal(s.OwnFeeds, []string{"https://x/1"}) {
		t.Errorf("the supergroup: %v (active %v, %v), want x/1 alone", s.OwnFeeds, s.Active, err)
	}
	q, err := db.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].ChatID != -100 || q[0].Params["text"] != "dropped https://x/2" {
		t.Errorf("queued %+v, want the supergroup told of x/2", q)
	}
}

// A feed address longer than MaxURLBytes is refused with the whole add: every item of
// the feed would repeat it, and past 32 KiB it is no bbolt key at all (review 76).
func TestAddOwnFeedsRefusesLongAddresses(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	longest := "https://x/" + strings.Repeat("a", storage.MaxURLBytes-len("https://x/"))
	for _, long := range []string{longest + "a", "https://x/" + strings.Repeat("a", 40_000)} {
		_, added, err := db.AddOwnFeeds(ctx, 1, 1, activeSub(1), []string{"https://x/1", long}, nil, lim)
		if !errors.Is(err, storage.ErrURLTooLong) || len(added) != 0 {
			t.Fatalf("an address of %d bytes: added %d, %v", len(long), len(added), err)
		}
	}
	if _, err := db.Subscriber(ctx, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused add stored the chat: %v", err)
	}
	if _, added, err := db.AddOwnFeeds(ctx, 1, 1, activeSub(1), []string{longest}, nil, lim); err != nil || len(added) != 1 {
		t.Fatalf("an address of exactly %d bytes: added %v, %v", len(longest), len(added), err)
	}
}
