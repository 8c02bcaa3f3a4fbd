package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// TestSlowFiltersGoToTheirOwnLane has a chat whose filters use all their time and an
// ordinary one, due together. The first run composes both, and the slow one is told;
// from then on the run passes the slow chat over, so it holds up nobody, and the slow
// lane composes its digests, after a restart and the next day's too; a week after its
// filters last ran out of time it is back in the run, and in the lane again as soon as
// they run out again.
func TestSlowFiltersGoToTheirOwnLane(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.opts.FilterBudget = 20 * time.Millisecond
	now := t0.Add(20 * time.Hour)
	h.clock.Set(now)
	addItems := func(round int) {
		batch := fillerNews(300, fmt.Sprint(round, "/"), h.clock.Now(), time.Second, func(i int) int { return i })
		if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], batch, h.clock.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	const slow, ordinary = 880001, 880002
	h.tg.PrivateChat(telegramtest.User{ID: slow, FirstName: "Slow"})
	h.tg.PrivateChat(telegramtest.User{ID: ordinary, FirstName: "Ordinary"})
	worst := worstFilters()
	due := func() {
		t.Helper()
		for _, chat := range []int64{slow, ordinary} {
			if _, err := h.db.UpdateSubscriber(ctx, chat, func() storage.Subscriber {
				s := storage.Subscriber{ChatID: chat, Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC",
					Times: []string{"08:00"}, Stories: 5, SummarySentences: 1, LastDigest: h.clock.Now().Add(-2 * time.Hour)}
				if chat == slow {
					s.Exclude = worst
				}
				return s
			}, func(s *storage.Subscriber) error {
				s.NextDigest = h.clock.Now().Add(-time.Minute)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	composed := func(chat int64) bool { // its due time moved on
		t.Helper()
		s, err := h.db.Subscriber(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		return s.NextDigest.After(h.clock.Now())
	}
	round := 0
	// later lets wait pass and makes both chats due again, with news (none when wait is
	// zero), then runs run: RunDue or RunSlowDue.
	later := func(wait time.Duration, run func(context.Context) error) {
		t.Helper()
		if wait > 0 {
			h.clock.Add(wait)
			round++
			addItems(round)
			due()
		}
		if err := run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	addItems(0)
	due()
	h.start()

	later(0, h.bot.RunDue)
	if !composed(slow) || !composed(ordinary) {
		t.Fatal("the first run composed not both digests")
	}
	h.wait(slow, "Your filters take too long", waitLong)
	h.wait(ordinary, "Your news digest", waitLong)

	later(time.Hour, h.bot.RunDue)
	if composed(slow) || !composed(ordinary) {
		t.Fatalf("the run composed the slow chat's digest (%v) or not the ordinary one's (%v)", composed(slow), composed(ordinary))
	}
	later(0, h.bot.RunSlowDue)
	if !composed(slow) {
		t.Fatal("the slow lane did not compose the slow chat's digest")
	}
	// A restart keeps the lane: back in the run, each such chat would hold it one
	// digest at the whole budget after every deploy.
	h.restart()
	later(time.Hour, h.bot.RunDue)
	if composed(slow) || !composed(ordinary) {
		t.Fatalf("after a restart, the run composed the slow chat's digest (%v) or not the ordinary one's (%v)", composed(slow), composed(ordinary))
	}
	later(0, h.bot.RunSlowDue)
	if !composed(slow) {
		t.Fatal("after a restart, the slow lane did not compose the slow chat's digest")
	}
	// The next day's digest: still in the lane, its filters having run out again there.
	later(25*time.Hour, h.bot.RunDue)
	if composed(slow) {
		t.Fatal("a day later, the run composed the slow chat's digest")
	}
	later(0, h.bot.RunSlowDue)
	if !composed(slow) {
		t.Fatal("a day later, the slow lane did not compose the slow chat's digest")
	}

	// A week after its filters last ran out of time, the chat is back in the run.
	later(slowLaneFor, h.bot.RunDue)
	if !composed(slow) {
		t.Fatal("a week later, the run passed the slow chat over still")
	}
	later(time.Hour, h.bot.RunDue)
	if composed(slow) {
		t.Fatal("filters that ran out of time again did not put the chat back in the slow lane")
	}
}

// TestSlowLaneAfterForgetAndUpgrade: /forget takes a chat out of the slow lane, in
// memory and on disk, yet subscribing again under the same ID is no way back into the
// run at the whole budget: a chat younger than a stay in the lane gets the lane's
// budget in the run (review 64; review 60 kept the mark for it). A group in the lane
// takes its place there with it when it becomes a supergroup (review 60).
func TestSlowLaneAfterForgetAndUpgrade(t *testing.T) {
	ctx := context.Background()
	h, ana, group, _ := groupWithFeed(t, 881, -1881, "Slowpokes", false)
	now := h.clock.Now()
	reader := telegramtest.User{ID: 881001, FirstName: "Rae"}
	rc := h.tg.PrivateChat(reader)
	h.tg.Send(reader, rc, "/start")
	h.wait(reader.ID, "", waitLong)
	until := now.Add(slowLaneFor)
	if _, store := h.bot.slow.mark(reader.ID, until); !store {
		t.Fatal("a first mark is not to be stored")
	}
	if err := h.db.MarkSlow(ctx, reader.ID, until); err != nil {
		t.Fatal(err)
	}
	h.bot.slow.mark(group.ID, until)

	h.tg.Send(reader, rc, "/forget")
	confirm := h.wait(reader.ID, "This cannot be undone", waitLong)
	q, _ := h.tg.Press(reader, rc, confirm.MessageID, "forget:yes")
	h.tg.WaitAnswered(q, waitLong)
	h.wait(reader.ID, "Everything stored about this chat has been deleted", waitLong)
	if h.bot.slow.has(reader.ID, now) {
		t.Error("after /forget the chat is in the slow lane still")
	}
	if marks, err := h.db.SlowChats(ctx, now); err != nil || !marks[reader.ID].IsZero() {
		t.Errorf("after /forget the store keeps the chat's slow lane mark (%v, %v)", marks[reader.ID], err)
	}

	// Subscribed again: a new record, so the lane's budget, in the run or in the lane.
	fresh := storage.Subscriber{ChatID: reader.ID, CreatedAt: now}
	if got := h.bot.filterBudget(fresh, now); got != h.bot.slowLaneBudget() {
		t.Errorf("a chat subscribed again gets %v for its filters, want the lane's %v", got, h.bot.slowLaneBudget())
	}
	old := storage.Subscriber{ChatID: 881002, CreatedAt: now.Add(-slowLaneFor - time.Hour)}
	if got := h.bot.filterBudget(old, now); got != h.bot.opts.FilterBudget {
		t.Errorf("a chat older than a stay in the lane, not in it, gets %v, want the whole %v", got, h.bot.opts.FilterBudget)
	}
	if got := h.bot.filterBudget(storage.Subscriber{ChatID: group.ID}, now); got != h.bot.slowLaneBudget() {
		t.Errorf("a chat in the lane gets %v, want the lane's %v", got, h.bot.slowLaneBudget())
	}

	const super = -1001881
	h.tg.Upgrade(ana, group.ID, super)
	h.waitActive(super, true)
	for deadline := time.Now().Add(waitLong); !h.bot.slow.has(super, now); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the supergroup is not in the slow lane")
		}
	}
	if h.bot.slow.has(group.ID, now) {
		t.Error("the old group's ID stays in the slow lane")
	}
}

// Filters that take most of their budget, but not all of it, go to the slow lane too:
// the run must not pay up to the whole budget for them every time (review 61). The
// check is an implication, so that it holds on a machine of any speed: a run that took
// longer than the lane's budget put the chat in the lane.
func TestFiltersNearTheirBudgetGoToTheLane(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.opts.FilterBudget = 3 * time.Second
	now := t0.Add(20 * time.Hour)
	h.clock.Set(now)
	batch := fillerNews(300, "", now, time.Second, func(i int) int { return i })
	if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], batch, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	const chat = 890001
	h.tg.PrivateChat(telegramtest.User{ID: chat, FirstName: "Near"})
	worst := worstFilters()
	if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: chat, Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC",
		Times: []string{"08:00"}, Stories: 5, SummarySentences: 1, LastDigest: now.Add(-2 * time.Hour), NextDigest: now.Add(-time.Minute), Exclude: worst}); err != nil {
		t.Fatal(err)
	}
	h.start()
	start := time.Now()
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !h.bot.slow.has(chat, now) && took > h.bot.slowLaneBudget() {
		t.Errorf("the run took %v (the lane's budget is %v) and the chat stays in the run", took, h.bot.slowLaneBudget())
	}
}

// The lane reads the chats due, then waits for a run in progress before each digest: a
// reader's change of times meanwhile stands (review 61: the lane committed from what it
// had read, and put the old times' next digest back).
func TestTheLaneReadsAChatAgainAfterWaiting(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	now := t0.Add(20 * time.Hour)
	h.clock.Set(now)
	const chat = 890002
	h.tg.PrivateChat(telegramtest.User{ID: chat, FirstName: "Lane"})
	if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: chat, Kind: "private", Active: true, Subscribed: true,
		TimeZone: "UTC", Times: []string{"08:00"}, Stories: 5, NextDigest: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.bot.slow.mark(chat, now.Add(slowLaneFor))
	h.bot.runMu.Lock() // a run in progress
	done := make(chan error)
	go func() { done <- h.bot.RunSlowDue(ctx) }()
	time.Sleep(200 * time.Millisecond) // the lane has read the chat, and waits
	want := now.Add(30 * time.Minute)
	if _, err := h.db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error {
		s.Times, s.NextDigest = []string{"20:30"}, want // the reader's /settings time meanwhile
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.bot.runMu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, err := h.db.Subscriber(ctx, chat); err != nil || !s.NextDigest.Equal(want) {
		t.Errorf("next digest %v (%v) after the reader set it to %v", s.NextDigest, err, want)
	}
}

// A group's place in the slow lane goes with it when its upgrade is learnt from a send
// that fails, not from the upgrade message (review 60, left at first).
func TestSlowLaneFollowsAnUpgradeLearntFromASend(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	now := t0.Add(20 * time.Hour)
	h.clock.Set(now)
	admin := telegramtest.User{ID: 882001, FirstName: "Ada"}
	group := h.tg.Group(-1882, "Quiet upgrade", false, admin.ID)
	const super = -1001882
	var batch []storage.Item
	for i := range 5 {
		batch = append(batch, storage.Item{Key: fmt.Sprint("k", i), Title: fmt.Sprintf("Story %d about the harbour", i), Text: "Officials said work would go on.",
			Language: "en", URL: fmt.Sprintf("https://n.example/%d", i), Published: now.Add(-time.Duration(i) * time.Minute)})
	}
	if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], batch, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: group.ID, Kind: "group", Active: true, Subscribed: true, TimeZone: "UTC",
		Times: []string{"08:00"}, Stories: 5, SummarySentences: 1, LastDigest: now.Add(-2 * time.Hour), NextDigest: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.bot.slow.mark(group.ID, now.Add(slowLaneFor))
	h.tg.Migrate(group.ID, super) // no upgrade message reaches the bot
	if err := h.bot.RunSlowDue(ctx); err != nil {
		t.Fatal(err)
	}
	h.wait(super, "Your news digest", waitLong)
	if !h.bot.slow.has(super, now) || h.bot.slow.has(group.ID, now) {
		t.Errorf("in the slow lane: the supergroup %v, the old group %v; want the supergroup only", h.bot.slow.has(super, now), h.bot.slow.has(group.ID, now))
	}
}

// A chat that takes the lane's budget at every digest, six a day, keeps a mark in the
// store that lasts as long as its time in memory, give or take slowLaneWrite, through
// the daily prune: so a restart on any day keeps it in the lane (review 64: the mark
// was written once, as its time moved on 4 hours a digest, and pruned after a week
// while memory kept it).
func TestSlowLaneMarkKeepsUpInTheStore(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const chat = 882001
	if err := db.PutSubscriber(ctx, storage.Subscriber{ChatID: chat, Kind: "private", Active: true}); err != nil {
		t.Fatal(err)
	}
	var slow slowChats
	now := t0
	for day := range 10 {
		for range 6 {
			until := now.Add(slowLaneFor)
			if _, store := slow.mark(chat, until); store {
				if err := db.MarkSlow(ctx, chat, until); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(4 * time.Hour)
		}
		if _, err := db.PruneSlowLane(ctx, now); err != nil {
			t.Fatal(err)
		}
		marks, err := db.SlowChats(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		inMemory := slow.until[chat]
		if stored := marks[chat]; inMemory.Sub(stored) > slowLaneWrite {
			t.Fatalf("day %d: the store keeps the chat in the lane until %v, memory until %v", day+1, stored, inMemory)
		}
	}
}

// costlyFiltersHarness is a started harness whose filters' budget (20 ms) the worst
// filters take over its 300 stored items, and its clock's now.
func costlyFiltersHarness(t *testing.T) (*harness, time.Time) {
	t.Helper()
	h := newHarness(t)
	h.opts.FilterBudget = 20 * time.Millisecond
	batch := fillerNews(300, "x/", h.clock.Now(), time.Second, func(i int) int { return i })
	if _, err := h.db.AddItems(context.Background(), h.opts.Catalogue[0], batch, h.clock.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	h.start()
	return h, h.clock.Now()
}

// costlySubscriber is a month-old subscriber with the worst filters, due at now.
func costlySubscriber(chat int64, kind string, now time.Time) storage.Subscriber {
	return storage.Subscriber{ChatID: chat, Kind: kind, Active: true, Subscribed: true, TimeZone: "UTC",
		Times: []string{"08:00"}, Stories: 5, SummarySentences: 1, Exclude: worstFilters(),
		LastDigest: now.Add(-2 * time.Hour), CreatedAt: now.Add(-30 * 24 * time.Hour)}
}

// A digest composed while its chat was erased (/forget pressed meanwhile) leaves no
// slow lane mark, in memory or in the store; the same digest of a chat with its record
// does (review 65: the mark came back after /forget).
func TestNoSlowMarkForAChatErasedMeanwhile(t *testing.T) {
	ctx := context.Background()
	h, now := costlyFiltersHarness(t)
	const kept, erased = 883001, 883002
	sub := func(chat int64) storage.Subscriber { return costlySubscriber(chat, "private", now) }
	if err := h.db.PutSubscriber(ctx, sub(kept)); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{kept, erased} {
		if _, err := h.bot.buildDigest(ctx, sub(chat), now); err != nil {
			t.Fatal(err)
		}
	}
	marks, err := h.db.SlowChats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if !h.bot.slow.has(kept, now) || marks[kept].IsZero() {
		t.Fatal("the chat with its record is not in the slow lane: the test's filters do not take the budget")
	}
	if h.bot.slow.has(erased, now) || !marks[erased].IsZero() {
		t.Errorf("the erased chat is in the slow lane (memory %v, store %v)", h.bot.slow.has(erased, now), marks[erased])
	}
}

// A digest composed while its group became a supergroup marks the supergroup: the
// group's filters are the supergroup's now, and the group has no record left.
func TestSlowMarkFollowsAGroupThatMovedMeanwhile(t *testing.T) {
	ctx := context.Background()
	h, now := costlyFiltersHarness(t)
	const group, supergroup = -883101, -1000000883101
	sub := costlySubscriber(group, "group", now)
	if err := h.db.PutSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	// The upgrade lands while the group's digest is composed: the digest holds the
	// group's record as it was read before.
	if err := h.db.MigrateChat(ctx, group, supergroup); err != nil {
		t.Fatal(err)
	}
	h.bot.slow.move(group, supergroup)
	if _, err := h.bot.buildDigest(ctx, sub, now); err != nil {
		t.Fatal(err)
	}
	marks, err := h.db.SlowChats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if !h.bot.slow.has(supergroup, now) || marks[supergroup].IsZero() {
		t.Errorf("the supergroup is not in the slow lane (memory %v, store %v)", h.bot.slow.has(supergroup, now), marks[supergroup])
	}
	if h.bot.slow.has(group, now) || !marks[group].IsZero() {
		t.Errorf("the group that moved is in the slow lane (memory %v, store %v)", h.bot.slow.has(group, now), marks[group])
	}
}
