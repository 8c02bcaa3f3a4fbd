package bot

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

const waitLong = 10 * time.Second

func TestEndToEndSubscribeDigestCardSummaryBlock(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 30, PrivateEvery: 50 * time.Millisecond, GroupPerMin: 20})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 60 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020", "uk_fictional_bridge"))
	page, _ := os.ReadFile("../feed/testdata/readability/ars-1/source.html")
	h.setPage("/story.html", string(page))
	h.start()

	ann := telegramtest.User{ID: 101, FirstName: "Ann"}
	chat := h.tg.PrivateChat(ann)
	h.tg.Send(ann, chat, "/start")
	welcome := h.wait(chat.ID, "I'm newsbot", waitLong)
	kb := welcome.Keyboard()
	if len(kb) == 0 || kb[0][0].CallbackData != "sub:on" {
		t.Fatalf("welcome keyboard %+v", kb)
	}
	// setMyCommands was sent from the same list as /help.
	if cmds := h.tg.Commands(); len(cmds) < 10 || cmds[0].Command != "start" {
		t.Fatalf("commands %+v", cmds)
	}
	q, _ := h.tg.Press(ann, chat, welcome.MessageID, "sub:on")
	if txt, err := h.tg.WaitAnswered(q, waitLong); err != nil || !strings.Contains(txt, "Subscribed") {
		t.Fatalf("subscribe answer %q %v", txt, err)
	}
	h.tg.Send(ann, chat, "/settings tz Kyiv")
	h.wait(chat.ID, "Time zone set: Europe/Kyiv", waitLong)
	h.tg.Send(ann, chat, "/settings time 9:00")
	h.wait(chat.ID, "Digests at 09:00 (Europe/Kyiv)", waitLong)

	// New items arrive; at 09:00 Kyiv (07:00 UTC) exactly one digest is queued.
	h.ingest()
	h.clock.Set(time.Date(2026, 11, 25, 6, 59, 0, 0, time.UTC))
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(time.Date(2026, 11, 25, 7, 0, 30, 0, time.UTC))
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(chat.ID, "Your news digest", waitLong)
	for _, want := range []string{"Ad sales boost Time Warner profit", "— Richard Parsons, chairman and chief executive", "Background:", "Edwards"} {
		if !strings.Contains(dg.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, dg.Text)
		}
	}
	if _, err := telegramtest.ParseHTML(dg.HTML); err != nil || dg.ParseMode != "HTML" {
		t.Fatalf("digest not HTML: %v", err)
	}
	// Running again at once sends nothing more.
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	digests := 0
	for _, m := range h.tg.Messages(chat.ID) {
		if strings.Contains(m.Text, "Your news digest") {
			digests++
		}
	}
	if digests != 1 {
		t.Fatalf("%d digests, want exactly 1", digests)
	}
	// A numbered button opens the story card.
	btn := dg.Keyboard()[0][0]
	q, _ = h.tg.Press(ann, chat, dg.MessageID, btn.CallbackData)
	if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
		t.Fatal(err)
	}
	card, err := h.tg.WaitFor(chat.ID, waitLong, func(m telegramtest.Message) bool {
		kb := m.Keyboard()
		return len(kb) > 0 && kb[0][0].Text == "Read the article"
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card.Text, "•") {
		t.Fatalf("card has no summary bullets: %s", card.Text)
	}
	// /summary <url> fetches and summarizes a page.
	h.tg.Send(ann, chat, "/summary "+h.web.URL+"/story.html")
	h.wait(chat.ID, "Just-released Minecraft exploit", waitLong)
	// Stale or forged button data gets a polite answer.
	q, _ = h.tg.Press(ann, chat, dg.MessageID, "card:not-a-number")
	if txt, err := h.tg.WaitAnswered(q, waitLong); err != nil || !strings.Contains(txt, "no longer valid") {
		t.Fatalf("bad callback answer %q %v", txt, err)
	}

	// The user blocks the bot: the next send deactivates them.
	h.tg.Block(ann.ID)
	h.tg.Send(ann, chat, "/help")
	deadline := time.Now().Add(waitLong)
	for {
		s, err := h.db.Subscriber(context.Background(), chat.ID)
		if err == nil && !s.Active {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("blocked user still active; logs:\n%s", h.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(h.logs.String(), h.tg.Token) {
		t.Fatal("the token appears in the logs")
	}
}

// digestsDue sets the clock to t0+3h, stores three fresh stories and n subscribers
// whose digest is due, and returns their chat IDs: the start of every fan-out test.
func digestsDue(t testing.TB, h *harness, n int) []int64 {
	now := t0.Add(3 * time.Hour)
	h.clock.Set(now)
	addItems(t, h, now.Add(-30*time.Minute))
	return addSubscribers(t, h, n, now)
}

// addSubscribers creates n due subscribers with private chats in the fake.
func addSubscribers(t testing.TB, h *harness, n int, now time.Time) []int64 {
	var ids []int64
	for i := range n {
		id := int64(100000 + i)
		h.tg.PrivateChat(telegramtest.User{ID: id, FirstName: fmt.Sprint("u", i)})
		err := h.db.PutSubscriber(context.Background(), storage.Subscriber{ChatID: id, Kind: "private", Active: true, Subscribed: true,
			TimeZone: "UTC", Times: []string{"08:00"}, Stories: 3, SummarySentences: 2,
			LastDigest: now.Add(-time.Hour), NextDigest: now.Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func addItems(t testing.TB, h *harness, at time.Time) {
	var items []storage.Item
	for i := range 3 {
		items = append(items, storage.Item{Key: fmt.Sprint("k", i), Title: fmt.Sprintf("Council approves budget number %d for schools", i),
			Text: "The city council approved the budget on Monday. \"It is a good day for our schools,\" Mayor Ana Ruiz said. The budget was first proposed in 2024.",
			URL:  fmt.Sprintf("https://news.example/%d", i), Words: 30, Published: at})
	}
	if _, err := h.db.AddItems(context.Background(), h.opts.Catalogue[0], items, at); err != nil {
		t.Fatal(err)
	}
}

func countDigests(h *harness, ids []int64) (missing, dup int) {
	for _, id := range ids {
		n := 0
		for _, m := range h.tg.Messages(id) {
			if strings.Contains(m.Text, "Your news digest") {
				n++
			}
		}
		if n == 0 {
			missing++
		}
		if n > 1 {
			dup += n - 1
		}
	}
	return missing, dup
}

func TestFanOut500UnderRateLimits(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 120, PrivateEvery: time.Second, GroupPerMin: 20})
	h.opts.Send = queue.SenderOptions{GlobalPerSecond: 100}
	ids := digestsDue(t, h, 500)
	h.start()
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	missing, dup := waitDigests(h, ids, 60*time.Second)
	if missing != 0 || dup != 0 {
		t.Fatalf("%d chats without a digest, %d duplicates", missing, dup)
	}
	if n := h.tg.TooMany(); n != 0 {
		t.Errorf("the sender drew %d 429 answers; it should stay under the limits", n)
	}
}

func TestCrashMidRunLosesNothing(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Second, GroupPerMin: 20})
	h.opts.Send = queue.SenderOptions{GlobalPerSecond: 40}
	ids := digestsDue(t, h, 120)
	h.start()
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Abandon the run part-way: stop the process's loops and its HTTP calls at once.
	for h.tg.Calls("sendMessage") < 40 {
		time.Sleep(5 * time.Millisecond)
	}
	h.restart()
	if err := h.bot.RunDue(context.Background()); err != nil { // nothing is due twice
		t.Fatal(err)
	}
	missing, dup := waitDigests(h, ids, 30*time.Second)
	if missing != 0 {
		t.Fatalf("%d chats never got their digest", missing)
	}
	// Only a message in flight at the crash may repeat: at most one per chat.
	for _, id := range ids {
		n := 0
		for _, m := range h.tg.Messages(id) {
			if strings.Contains(m.Text, "Your news digest") {
				n++
			}
		}
		if n > 2 {
			t.Fatalf("chat %d got %d copies", id, n)
		}
	}
	t.Logf("duplicates after restart: %d (at most one per chat allowed)", dup)
}

func TestNextDigestSkipsRepeatsAndMarksUpdates(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	now := t0.Add(3 * time.Hour)
	h.clock.Set(now)
	feedURL := h.opts.Catalogue[0]
	add := func(key, title, text string, at time.Time) {
		if _, err := h.db.AddItems(context.Background(), feedURL, []storage.Item{{Key: key, Title: title, Text: text, Words: 20, Published: at}}, at); err != nil {
			t.Fatal(err)
		}
	}
	add("a", "Earthquake of magnitude 6.1 hits central Italy", "An earthquake of magnitude 6.1 struck central Italy on Tuesday near the town of Norcia, officials said.", now.Add(-30*time.Minute))
	ids := addSubscribers(t, h, 1, now)
	h.start()
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wait(ids[0], "Earthquake of magnitude 6.1", waitLong)
	// The fake sees the message before the sender records it as received (that needs
	// Telegram's answer); the next run must find the record, as it would a day later.
	for deadline := time.Now().Add(waitLong); ; time.Sleep(5 * time.Millisecond) {
		got, err := h.db.ReceivedItems(context.Background(), ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first digest was never recorded as received")
		}
	}

	// The next day: a repeat of the same story, an update with new facts, and news.
	day2 := now.Add(24 * time.Hour)
	h.clock.Set(day2.Add(-time.Hour))
	add("b", "Magnitude 6.1 earthquake strikes central Italy", "A magnitude 6.1 earthquake struck central Italy near Norcia on Tuesday, officials said.", day2.Add(-time.Hour))
	add("c", "Italy earthquake: magnitude 6.1 quake toll rises to 12 in Norcia", "The toll from the magnitude 6.1 earthquake in central Italy rose to 12, Civil Protection chief Fabrizio Curcio said in Rome on Wednesday.", day2.Add(-time.Hour))
	add("d", "Central bank raises interest rates by a quarter point", "The central bank raised rates on Wednesday, citing inflation.", day2.Add(-time.Hour))
	h.clock.Set(day2)
	if _, err := h.db.UpdateSubscriber(context.Background(), ids[0], nil, func(s *storage.Subscriber) error {
		s.NextDigest = day2.Add(-time.Minute)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	second, err := h.tg.WaitFor(ids[0], waitLong, func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Your news digest") && strings.Contains(m.Text, "Central bank")
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(second.Text, "Magnitude 6.1 earthquake strikes central Italy") {
		t.Fatalf("a repeat of a received story was sent again:\n%s", second.Text)
	}
	if !strings.Contains(second.Text, "Update: Italy earthquake") {
		t.Fatalf("the update is not marked:\n%s", second.Text)
	}
}

// waitDigests waits until every chat has a digest (or the timeout passes) and returns
// how many chats are missing one and how many extra copies arrived.
func waitDigests(h *harness, ids []int64, timeout time.Duration) (missing, dup int) {
	deadline := time.Now().Add(timeout)
	for {
		missing, dup = countDigests(h, ids)
		if missing == 0 || time.Now().After(deadline) {
			return missing, dup
		}
		time.Sleep(50 * time.Millisecond)
	}
}
