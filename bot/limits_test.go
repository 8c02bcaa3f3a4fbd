package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

// storyFeed serves a catalogue feed of n items.
func (h *harness) storyFeed(n int) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Cat</title>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Council votes on budget plan %d</title><link>%s/a/%d</link><guid>g%d</guid><pubDate>Tue, 25 Nov 2026 04:00:00 GMT</pubDate><description>The council voted on plan number %d today after a long debate about roads and schools.</description></item>`, i, h.web.URL, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	h.setPage("/feed.xml", b.String())
}

// Each reader has an hour of composing cards and one of page fetches (Options.
// ReaderCardTime, ReaderFetchTime), charged by the time used: a reader who spent
// theirs is told to wait, and other readers are served as before (found by review: a
// few accounts repeating slow /add commands held every page-fetch slot, and every
// other reader's /summary of a link was refused for as long as they went on).
func TestEachReaderHasAnHourOfCardsAndPages(t *testing.T) {
	h := newHarness(t)
	h.opts.ReaderCardTime, h.opts.ReaderFetchTime = time.Millisecond, time.Millisecond
	h.storyFeed(2)
	h.setPage("/story.html", `<html><head><title>Council votes</title></head><body><article><p>The council voted on the plan today after a long debate about roads and schools in the city.</p><p>The mayor said the plan would be funded next year.</p></article></body></html>`)
	h.ingest()
	items, err := h.db.Items(context.Background(), 10)
	if err != nil || len(items) < 2 {
		t.Fatalf("items: %d %v", len(items), err)
	}
	h.start()
	ana, bo := telegramtest.User{ID: 321, FirstName: "Ana"}, telegramtest.User{ID: 322, FirstName: "Bo"}
	ca, cb := h.tg.PrivateChat(ana), h.tg.PrivateChat(bo)
	card := fmt.Sprintf("/summary %d", items[0].ID)
	page := "/summary " + h.web.URL + "/story.html"

	h.tg.Send(ana, ca, card)
	h.wait(ca.ID, "Council votes on budget plan", waitLong)
	h.tg.Send(ana, ca, fmt.Sprintf("/summary %d", items[1].ID))
	h.wait(ca.ID, "You opened many stories in the last hour", waitLong)
	h.tg.Send(ana, ca, page)
	h.wait(ca.ID, "Council votes", waitLong)
	h.tg.Send(ana, ca, page)
	h.wait(ca.ID, "I have read many pages for you in the last hour", waitLong)

	// Bo's hours are his own.
	h.tg.Send(bo, cb, card)
	h.wait(cb.ID, "Council votes on budget plan", waitLong)
	h.tg.Send(bo, cb, page)
	h.wait(cb.ID, "Council votes", waitLong)
	if n := h.bot.Stats().BudgetRefusals; n != 2 {
		t.Errorf("BudgetRefusals %d, want 2", n)
	}
}

// heldCold holds the read of an old untracked item's neighbourhood (the one done in
// the cold-grouping slot) until release is closed.
type heldCold struct {
	*storage.DB
	began, release chan struct{}
	once           *sync.Once
}

func (s heldCold) FeedItemsAdded(ctx context.Context, feeds []string, from, to time.Time, limit int) ([]storage.Item, int, error) {
	if to.Sub(from) == 2*stories.DefaultWindows.AlsoReported {
		s.once.Do(func() { close(s.began); <-s.release })
	}
	return s.DB.FeedItemsAdded(ctx, feeds, from, to, limit)
}

// oldCardHeld starts the bot (its options set by configure first) with six catalogue
// items four days old, never tracked, and a story service with two composers that
// waits wait for one; reader 500 asks for the first item's card, whose grouping is
// held until held.release is closed. It returns the items.
func oldCardHeld(t *testing.T, wait time.Duration, configure func(*Options)) (*harness, heldCold, []storage.Item) {
	t.Helper()
	h := newHarness(t)
	configure(&h.opts)
	h.storyFeed(6)
	h.ingest()
	items, err := h.db.Items(context.Background(), 10)
	if err != nil || len(items) < 6 {
		t.Fatalf("items: %d %v", len(items), err)
	}
	h.clock.Add(96 * time.Hour) // older than MaxLookback, never tracked
	held := heldCold{DB: h.db, began: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	h.opts.Stories = stories.New(held, nil, stories.Options{Catalogue: h.opts.Catalogue, Now: h.clock.Now, RunMaxAge: -1,
		Composers: 2, ComposeWait: wait})
	h.start()
	first := telegramtest.User{ID: 500, FirstName: "A"}
	h.tg.Send(first, h.tg.PrivateChat(first), fmt.Sprintf("/summary %d", items[0].ID))
	<-held.began
	return h, held, items
}

// Cards of old items tracking never placed are grouped one at a time; a reader who
// cannot have the slot soon is told to try again, and the handler is free: while one
// such card holds the slot for as long as the test likes, other readers' cards of old
// items, that one's among them, are answered, and so is an unrelated command (found by
// review: they waited for the slot in their handlers, and a few dozen accounts held
// every handler).
func TestCardsOfOldItemsDoNotHoldHandlers(t *testing.T) {
	h, held, items := oldCardHeld(t, 50*time.Millisecond, func(o *Options) { o.Workers = 2 }) // waiting readers would hold both
	first := telegramtest.User{ID: 500, FirstName: "A"}
	for i := 1; i < 5; i++ {
		u := telegramtest.User{ID: int64(500 + i), FirstName: "A"}
		item := items[i].ID
		if i%2 == 0 {
			item = items[0].ID // the same card: waiting for its composition is as short (review HH)
		}
		h.tg.Send(u, h.tg.PrivateChat(u), fmt.Sprintf("/summary %d", item))
		h.wait(u.ID, "Many stories are being prepared for readers right now", waitLong)
	}
	reader := telegramtest.User{ID: 802, FirstName: "Rea"}
	h.tg.Send(reader, h.tg.PrivateChat(reader), "/help")
	h.wait(reader.ID, "Commands", waitLong)
	close(held.release)
	h.wait(first.ID, "Council votes on budget plan", waitLong)
	if n := h.bot.Stats().CardsBusy; n != 4 {
		t.Errorf("CardsBusy %d, want 4", n)
	}
}

// A page fetch that has run for FetchYield gives up its slot to a reader waiting for
// one, and its reader is told why: accounts pointing /add at pages that never answer
// cannot keep other readers' links from being read (found by review: eight of them
// held every slot for the whole discovery budget, again and again).
func TestSlowPageFetchesGiveWayToWaitingReaders(t *testing.T) {
	h := newHarness(t)
	h.opts.UserFetches, h.opts.FetchYield = 2, 300*time.Millisecond
	h.opts.ReaderFetchTime = 100 * time.Millisecond // less than a fetch that gives way holds
	h.setPage("/story.html", `<html><head><title>Council votes</title></head><body><article><p>The council voted on the plan today after a long debate about roads and schools in the city.</p><p>The mayor said the plan would be funded next year.</p></article></body></html>`)
	site, hits := hangingFeeds(t)
	h.start()
	var slow []telegramtest.Chat
	for i := range 2 {
		u := telegramtest.User{ID: int64(600 + i), FirstName: "A"}
		c := h.tg.PrivateChat(u)
		slow = append(slow, c)
		h.tg.Send(u, c, "/add "+site+"/many.html")
	}
	for hits.Load() < 2 { // both slots hold a page that never answers
		time.Sleep(10 * time.Millisecond)
	}
	reader := telegramtest.User{ID: 802, FirstName: "Rea"}
	rc := h.tg.PrivateChat(reader)
	h.tg.Send(reader, rc, "/summary "+h.web.URL+"/story.html")
	h.wait(rc.ID, "Council votes", waitLong)
	told := func() int {
		n := 0
		for _, c := range slow {
			n += countText(h.tg.Messages(c.ID), "That page was slow to answer while other readers were waiting")
		}
		return n
	}
	for deadline := time.Now().Add(waitLong); told() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if told := told(); told != 1 {
		t.Errorf("%d slow fetches were told they gave way, want 1 (one slot freed for one reader)", told)
	}
	// The fetch that gave way cost its reader nothing.
	for _, c := range slow {
		if countText(h.tg.Messages(c.ID), "That page was slow") > 0 && !left(h.bot.limiter(c.ID).fetchTime) {
			t.Errorf("reader %d was charged for the fetch that gave way", c.ID)
		}
	}
}

// The fetch gate's rules for giving way, on the gate itself: a waiting reader makes the
// oldest fetch past yield give way; a reader whose fetch gave way (failed after being
// asked) is spared next time, but not one whose fetch finished anyway, and never all
// slots at once; a reader makes another give way at most once per yieldEvery; release
// may be called twice (a deferred release after the explicit one) without freeing a
// slot it does not hold.
func TestFetchGateGivingWay(t *testing.T) {
	ctx := context.Background()
	g := newFetchGate(2, 20*time.Millisecond)
	const a, b, c, d, e = 1, 2, 3, 4, 5
	hold := func(user int64) (context.Context, func(bool)) {
		t.Helper()
		fctx, release, err := g.acquire(ctx, user)
		if err != nil {
			t.Fatalf("reader %d: %v", user, err)
		}
		return fctx, release
	}
	// wait has user wait for a slot while the oldest holder, asked, lets go of it.
	wait := func(user int64, asked context.Context, let func(bool), gaveWay bool) func(bool) {
		t.Helper()
		go func() {
			<-asked.Done()
			let(gaveWay)
			let(false) // the deferred call: nothing more
		}()
		_, release := hold(user)
		if !yielded(asked) {
			t.Fatalf("reader %d got a slot, but the fetch asked ended with %v", user, context.Cause(asked))
		}
		return release
	}
	busy := func(user int64) {
		t.Helper()
		if _, _, err := g.acquire(ctx, user); !errors.Is(err, errFetchBusy) {
			t.Fatalf("reader %d: %v, want errFetchBusy", user, err)
		}
	}
	fe, re := hold(e)
	time.Sleep(time.Millisecond)
	fa, ra := hold(a)
	// B waits: E, the oldest, gives way; B done, E comes back spared.
	rb := wait(b, fe, re, true)
	rb(false)
	fe, re = hold(e)
	// C waits: A, not spared, gives way (E is spared). A comes back, and is not
	// spared: E is, and one slot always gives way.
	rc := wait(c, fa, ra, true)
	rc(false)
	fa, ra = hold(a)
	if yielded(fe) {
		t.Fatal("the spared fetch was asked to give way")
	}
	// B asked within yieldEvery: waits in vain; D may ask, and A gives way to it.
	busy(b)
	if yielded(fa) {
		t.Fatal("B made a second fetch give way within yieldEvery")
	}
	rd := wait(d, fa, ra, false) // asked, but finished anyway: spares nothing
	re(false)
	rd(false)
	fa, ra = hold(a)
	_, rc = hold(c)
	// A is not spared: E, waiting, may ask it (E has not asked before).
	rEnd := wait(e, fa, ra, true)
	rEnd(false)
	rc(false)
	if n := len(g.slots); n != 0 {
		t.Errorf("%d slots held after every release, want 0", n)
	}
}

// A reader refused a card as busy is not charged for the wait: only composing is (found
// by review GG: whoever kept the slots busy spent the others' card time). And a
// fetch asked to give way that finished anyway is charged in full (review GG: it was
// free, and spared its reader's next).
func TestBudgetsChargeWorkNotWaits(t *testing.T) {
	t.Run("cards", func(t *testing.T) {
		h, held, items := oldCardHeld(t, 100*time.Millisecond, func(o *Options) { o.ReaderCardTime = 80 * time.Millisecond })
		holder := telegramtest.User{ID: 500, FirstName: "A"}
		victim := telegramtest.User{ID: 777, FirstName: "V"}
		vc := h.tg.PrivateChat(victim)
		h.tg.Send(victim, vc, fmt.Sprintf("/summary %d", items[1].ID))
		h.wait(vc.ID, "Many stories are being prepared", waitLong)
		close(held.release)
		h.wait(holder.ID, "Council votes on budget plan", waitLong)
		h.tg.Send(victim, vc, fmt.Sprintf("/summary %d", items[1].ID))
		h.wait(vc.ID, "Council votes on budget plan", waitLong)
	})
	t.Run("fetches", func(t *testing.T) {
		b := &Bot{opts: Options{ReaderFetchTime: 50 * time.Millisecond}.WithDefaults(),
			limiters: map[int64]*userLimits{}, fetches: newFetchGate(1, 20*time.Millisecond)}
		ctx := context.Background()
		fa, ra, err := b.acquireFetch(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan func(error), 1)
		go func() { // reader 2 waits, and asks reader 1's fetch to give way
			_, r2, err := b.acquireFetch(ctx, 2)
			if err != nil {
				t.Error(err)
			}
			got <- r2
		}()
		<-fa.Done()
		time.Sleep(100 * time.Millisecond) // it finishes anyway: the page had come
		ra(nil)
		(<-got)(nil)
		if left(b.limiter(1).fetchTime) {
			t.Error("a fetch that was asked to give way but finished, holding its slot past the reader's budget, cost nothing")
		}
		if _, ok := b.fetches.spared[1]; ok {
			t.Error("a fetch that finished anyway spared its reader's next")
		}
	})
}

// A digest asked for on demand is the reader's, wherever they ask: once a minute over
// all their chats, not once a minute in each group they run, and its composing is
// charged to their hour of composing (found by review JJ: with filters it took 0.6 s,
// and a reader running twenty groups could ask twenty times a minute).
func TestOnDemandDigestsAreTheReaders(t *testing.T) {
	setUp := func(t *testing.T, cardTime time.Duration) (*harness, telegramtest.User, telegramtest.Chat, telegramtest.Chat) {
		h := newHarness(t)
		h.opts.ReaderCardTime = cardTime
		h.storyFeed(3)
		h.start()
		h.ingest()
		ana := telegramtest.User{ID: 321, FirstName: "Ana"}
		group := h.tg.Group(-1150, "Club", false, ana.ID)
		return h, ana, h.tg.PrivateChat(ana), group
	}
	t.Run("once a minute over all chats", func(t *testing.T) {
		h, ana, private, group := setUp(t, time.Hour)
		h.tg.Send(ana, private, "/digest")
		h.wait(private.ID, "Council votes on budget plan", waitLong)
		h.tg.Send(ana, group, "/digest")
		h.wait(group.ID, "You asked for a digest a moment ago", waitLong)
		h.clock.Add(2 * time.Minute)
		h.tg.Send(ana, group, "/digest")
		h.wait(group.ID, "Council votes on budget plan", waitLong)
	})
	t.Run("charged to the hour of composing", func(t *testing.T) {
		h, ana, private, group := setUp(t, time.Millisecond)
		h.tg.Send(ana, private, "/digest")
		h.wait(private.ID, "Council votes on budget plan", waitLong)
		h.clock.Add(2 * time.Minute)
		h.tg.Send(ana, group, "/digest")
		h.wait(group.ID, "You asked for many stories and digests in the last hour", waitLong)
	})
}

// A full discussion refuses a new comment, and says so, before the reader's comment
// rates are spent (review KK); its card counts the comments without reading them, and
// a page reads only its own (found by review JJ: every page, card and redraw read the
// whole thread, and nothing bounded it).
func TestAFullDiscussionSaysSo(t *testing.T) {
	const full = 40
	h := discussionHarness(t)
	h.closeDB()
	h.dbOpts.MaxThreadComments = full
	h.openDB()
	h.start()
	h.ingest()
	ctx := context.Background()
	for i := range full {
		if _, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: 1, AuthorID: int64(5000 + i), AuthorName: fmt.Sprintf("R%d", i),
			Text: fmt.Sprintf("comment number %d", i), Created: t0}); err != nil {
			t.Fatal(err)
		}
	}
	ana := telegramtest.User{ID: 321, FirstName: "Ana"}
	c := h.tg.PrivateChat(ana)
	h.tg.Send(ana, c, "/summary 1")
	card := h.wait(c.ID, fmt.Sprintf("💬 %d comments", full), waitLong)
	h.tg.Reply(ana, c, card.MessageID, "One more")
	h.wait(c.ID, threadFullNote, waitLong)
	l := h.bot.limiter(ana.ID)
	h.bot.mu.Lock()
	today := l.today
	h.bot.mu.Unlock()
	if today != 0 {
		t.Errorf("a comment refused for a full discussion counted against the reader's day: %d", today)
	}
	// The last page shows the last comments, and says how many there are.
	h.tg.Send(ana, c, "/thread 1")
	page := h.wait(c.ID, "Discussion:", waitLong)
	if !strings.Contains(page.Text, fmt.Sprintf("%d comments", full)) || !strings.Contains(page.Text, "comment number 0") {
		t.Errorf("the first page: %q", page.Text)
	}
	// A moderator's removal makes room again (review KK: removed comments counted, so
	// a filled discussion stayed full for good).
	if err := h.bot.removeComment(ctx, 7, true, nil); err != nil {
		t.Fatal(err)
	}
	h.tg.Reply(ana, c, card.MessageID, "Room again")
	waitUntilT(t, func() bool {
		cs, err := h.db.ThreadComments(ctx, 1)
		return err == nil && len(cs) == full && cs[len(cs)-1].Text == "Room again"
	})
}

// Removing a comment with many replies marks them, and the refresh of stale copies
// stops every one of their copies quoting it (found by review LL: one handler rewrote
// every reply, thousands at most; review MM: a failure midway left the rest quoting it
// for good).
func TestRemovingAWidelyAnsweredComment(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ana := telegramtest.User{ID: 861, FirstName: "Ana"}
	var repliers []telegramtest.User
	for i := range 6 {
		repliers = append(repliers, telegramtest.User{ID: int64(870 + i), FirstName: fmt.Sprintf("R%d", i)})
	}
	d := newDiscussion(t, h, append([]telegramtest.User{ana}, repliers...)...)
	src, _ := h.tg.Reply(ana, d.chats[ana.ID], d.cards[ana.ID].MessageID, "Words to answer")
	const replies = 30
	for i := range replies {
		u := repliers[i%len(repliers)]
		cp := h.wait(u.ID, "Words to answer", waitLong)
		h.tg.Reply(u, d.chats[u.ID], cp.MessageID, fmt.Sprintf("Reply %d", i))
		// One at a time: a burst would pass Ana by (storage.MaxQueuedForCopies).
		waitUntilT(t, func() bool { return countText(h.tg.Messages(ana.ID), "replying to Ana") == i+1 })
	}
	waitUntilT(t, func() bool {
		return countText(h.tg.Messages(ana.ID), "replying to Ana") == replies
	})
	h.tg.Reply(ana, d.chats[ana.ID], src.MessageID, "/delete")
	h.wait(ana.ID, "Comment deleted", waitLong)
	waitUntilT(t, func() bool {
		return countText(h.tg.Messages(ana.ID), "Words to answer") == 0 &&
			countText(h.tg.Messages(ana.ID), "replying to a deleted comment") == replies
	})
}

// A reader's 40 feed adds a day hold over all their chats at once: three imports in
// three chats, each reading the allowance while the others write, added 60 (audit 62),
// and left the allowance in debt, which the next import took as a negative length.
func TestFeedAddsHoldForImportsAtOnce(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	h.start()
	const user = 62001
	now := h.clock.Now()
	var (
		mu    sync.Mutex
		total int
		wg    sync.WaitGroup
	)
	for c := range 3 {
		chat := int64(-62000 - c)
		if c == 0 {
			chat = user
		}
		var urls []string
		for i := range 20 {
			urls = append(urls, fmt.Sprintf("https://feeds%d.example/%d.xml", c, i))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.bot.addFeeds(user, now, func(allowed int) int {
				time.Sleep(20 * time.Millisecond) // the others read meanwhile, without the lock
				if len(urls) > allowed {
					urls = urls[:allowed]
				}
				_, added, err := h.db.AddOwnFeeds(ctx, chat, user, func() storage.Subscriber {
					return storage.Subscriber{ChatID: chat, Kind: "private", Active: true}
				}, urls, h.opts.Catalogue, h.bot.feedLimits())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += len(added)
				mu.Unlock()
				return len(added)
			})
		}()
	}
	wg.Wait()
	if total != feedAddsPerDay {
		t.Errorf("three imports at once added %d feeds, want the day's %d", total, feedAddsPerDay)
	}
	if left := feedAddsLeft(h.bot, user, now); left != 0 {
		t.Errorf("after the day's adds the allowance is %d, want 0", left)
	}
}

// feedAddsLeft is how many feeds the reader may still add at now.
func feedAddsLeft(b *Bot, user int64, now time.Time) (left int) {
	b.addFeeds(user, now, func(allowed int) int { left = allowed; return 0 })
	return left
}
