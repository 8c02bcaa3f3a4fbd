package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// hangingFeeds serves pages that never answer until the test ends, and counts the
// requests: a page listing thousands of feeds that hang is the slowest /add there is.
func hangingFeeds(t testing.TB) (url string, hits *atomic.Int64) {
	hits = &atomic.Int64{}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/many.html" {
			var b strings.Builder
			b.WriteString("<html><head>")
			for i := range 3000 {
				fmt.Fprintf(&b, `<link rel="alternate" type="application/rss+xml" href="/feed%d.xml">`, i)
			}
			b.WriteString("</head><body>news</body></html>")
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, b.String())
			return
		}
		hits.Add(1)
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL, hits
}

func countText(ms []telegramtest.Message, s string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// One chat floods 600 messages while its /add of a page listing 3,000 hanging feeds is
// stuck; another reader's /help is answered at once. The flood gets one notice, its
// surplus is dropped (the inbox drains), and discovery tries only a handful of links.
func TestFloodAndStuckAddDoNotDelayOthers(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond, GlobalPerSecond: 500}
	h.opts.CommandRate, h.opts.CommandBurst = 1.0/3, 10 // the defaults
	h.opts.DiscoveryBudget = 3 * time.Second
	site, hits := hangingFeeds(t)
	h.start()
	flooder := telegramtest.User{ID: 801, FirstName: "Flo"}
	fc := h.tg.PrivateChat(flooder)
	h.tg.Send(flooder, fc, "/add "+site+"/many.html")
	time.Sleep(200 * time.Millisecond) // the /add is now stuck on the hanging feeds
	for i := range 600 {
		h.tg.Send(flooder, fc, fmt.Sprintf("spam %d", i))
	}
	reader := telegramtest.User{ID: 802, FirstName: "Rea"}
	rc := h.tg.PrivateChat(reader)
	start := time.Now()
	h.tg.Send(reader, rc, "/help")
	h.wait(rc.ID, "Commands", 10*time.Second)
	t.Logf("/help answered in %s during the flood", time.Since(start))

	// The flood's surplus is dropped, not queued: the inbox drains to at most the
	// flooder's own small queue while its /add is still stuck.
	deadline := time.Now().Add(waitLong)
	for {
		ids, _, err := h.db.PendingUpdates(context.Background(), 0, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) <= h.bot.opts.QueuePerChat+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates still in the inbox", len(ids))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := h.bot.Stats().UpdatesDropped; n < 500 {
		t.Fatalf("only %d updates dropped", n)
	}
	h.wait(fc.ID, "faster than I can answer", waitLong)
	// The /add gives up within its budget, having tried only a handful of the links.
	h.wait(fc.ID, "could not add that feed", h.opts.DiscoveryBudget+waitLong)
	if n := hits.Load(); n > maxFeedCandidates {
		t.Fatalf("discovery fetched %d candidate feeds, at most %d allowed", n, maxFeedCandidates)
	}
	if n := countText(h.tg.Messages(fc.ID), "faster than I can answer"); n != 1 {
		t.Fatalf("%d flood notices, want exactly 1", n)
	}
}

// A stop cuts a handler off in the middle: its update stays in the inbox and is handled
// after the restart, once.
func TestCancelledHandlerRunsAgainAfterRestart(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	release := make(chan struct{})
	slow := newSlowServer(t, release)
	h.start()
	u := telegramtest.User{ID: 811, FirstName: "Cy"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, "/summary "+slow+"/page")
	deadline := time.Now().Add(waitLong)
	for {
		ids, _, _ := h.db.PendingUpdates(context.Background(), 0, 0, nil)
		if len(ids) == 1 && h.tg.Pending() == 0 {
			break // stored, confirmed to Telegram, and its handler is waiting on the page
		}
		if time.Now().After(deadline) {
			t.Fatal("the update never reached the inbox")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	h.stop()
	if ids, _, _ := h.db.PendingUpdates(context.Background(), 0, 0, nil); len(ids) != 1 {
		t.Fatalf("after the stop the inbox holds %d updates, want the cut-off one", len(ids))
	}
	close(release)
	h.start()
	h.wait(c.ID, "could not read that page", waitLong)
	time.Sleep(200 * time.Millisecond)
	if n := countText(h.tg.Messages(c.ID), "could not read that page"); n != 1 {
		t.Fatalf("%d answers, want 1", n)
	}
}

// A comment's update replayed (a crash before it was confirmed) neither posts nor
// relays the comment twice; one stored but never relayed is relayed by the replay.
func TestReplayedCommentIsPostedOnce(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	h.ingest()
	ctx := context.Background()
	a := telegramtest.User{ID: 821, FirstName: "Ari"}
	b := telegramtest.User{ID: 822, FirstName: "Bea"}
	ca, cb := h.tg.PrivateChat(a), h.tg.PrivateChat(b)
	h.tg.Send(a, ca, "/summary 1")
	cardA := h.wait(a.ID, "reply to this message", waitLong)
	h.tg.Send(b, cb, "/summary 1")
	cardB := h.wait(b.ID, "reply to this message", waitLong)
	q, _ := h.tg.Press(b, cb, cardB.MessageID, "fl:1")
	h.tg.WaitAnswered(q, waitLong)

	reply, _ := h.tg.Reply(a, ca, cardA.MessageID, "First thoughts")
	h.wait(b.ID, "First thoughts", waitLong)
	// Replay the very same update.
	raw := fmt.Sprintf(`{"update_id":9000001,"message":{"message_id":%d,"from":{"id":%d,"first_name":"Ari"},"chat":{"id":%d,"type":"private"},"text":"First thoughts","reply_to_message":{"message_id":%d,"from":{"id":%d,"is_bot":true,"first_name":"newsbot","username":"%s"},"chat":{"id":%d,"type":"private"}}}}`,
		reply.MessageID, a.ID, ca.ID, cardA.MessageID, h.tg.Bot.ID, h.tg.Bot.UserName, ca.ID)
	if err := h.db.StoreUpdates(ctx, map[int64][]byte{9000001: []byte(raw)}, 0); err != nil {
		t.Fatal(err)
	}
	h.bot.disp.Notify()
	h.tg.Send(a, ca, "/help") // handled after the replay: same chat, in order
	h.wait(a.ID, "Commands", waitLong)
	if cs, _ := h.db.ThreadComments(ctx, 1); len(cs) != 1 {
		t.Fatalf("%d comments after a replay, want 1", len(cs))
	}
	// A comment stored just before a crash, never relayed: the replay relays it, once.
	second, _ := h.tg.Reply(a, ca, cardA.MessageID, "placeholder")
	h.stop()
	if _, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: 1, AuthorID: a.ID, AuthorName: "Ari", Text: "Second thoughts",
		SrcChat: ca.ID, SrcMsg: second.MessageID, Created: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.wait(b.ID, "Second thoughts", waitLong) // the reply's update ran: it found the comment and relayed it
	time.Sleep(200 * time.Millisecond)
	if n := countText(h.tg.Messages(b.ID), "First thoughts"); n != 1 {
		t.Fatalf("the follower got %d copies of the first comment", n)
	}
	if n := countText(h.tg.Messages(b.ID), "Second thoughts"); n != 1 {
		t.Fatalf("the follower got %d copies of the second comment", n)
	}
}

// /add and /summary answer in a few words: no address, resolver answer or port reaches
// the reader, and the URL a reader sent reaches the log only at debug level.
func TestFetchErrorsRevealNothing(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	logs := &syncBuf{}
	h.opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h.start()
	u := telegramtest.User{ID: 831, FirstName: "Pro"}
	c := h.tg.PrivateChat(u)
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/feed.xml"
	refused.Close() // nothing listens there any more: connection refused
	for _, probe := range []string{"/add " + refusedURL, "/summary " + refusedURL + "?x=1"} {
		h.tg.Send(u, c, probe)
	}
	h.wait(c.ID, "could not add that feed: the site could not be reached", waitLong)
	h.wait(c.ID, "could not read that page: the site could not be reached", waitLong)
	for _, m := range h.tg.Messages(c.ID) {
		if strings.Contains(m.Text, "127.0.0.1") || strings.Contains(m.Text, "refused") || strings.Contains(m.Text, "dial") {
			t.Fatalf("an answer reveals the network: %q", m.Text)
		}
	}
	if strings.Contains(logs.String(), refusedURL) {
		t.Fatalf("a reader's URL reached the info log:\n%s", logs.String())
	}
	// Addresses that name a private host are refused by their text.
	h.stop()
	h.fetcher = privateRefusingFetcher{feed.NewFetcher(feed.FetcherOptions{AllowPrivateNetworks: true})}
	h.start()
	for _, probe := range []string{"/add http://10.3.4.5/feed", "/add http://[::ffff:10.3.4.5]/", "/summary http://localhost:9090/backup"} {
		h.tg.Send(u, c, probe)
	}
	deadline := time.Now().Add(waitLong)
	for countText(h.tg.Messages(c.ID), "not on the public internet") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("private addresses not refused: %+v", h.tg.Messages(c.ID))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// privateRefusingFetcher is the harness's fetcher with the production rule for
// private addresses.
type privateRefusingFetcher struct{ Fetcher }

func (f privateRefusingFetcher) Permits(ap netip.AddrPort) bool { return !feed.NonPublic(ap.Addr()) }

// A reader's feed lives as long as some chat reads it: the remove button and /forget
// stop its polling, and /import followed by /forget, over and over, leaves nothing.
func TestReadersFeedsStopWhenNobodyReadsThem(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.setPage("/other.xml", strings.Replace(articleFeed(t, h.web.URL, "bbc_sport_020"), "Fixture News", "Other News", 1))
	h.start()
	ctx := context.Background()
	if _, err := h.db.SyncConfiguredFeeds(ctx, h.opts.Catalogue, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	feeds := func() int {
		fs, err := h.db.Feeds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(fs)
	}
	base := feeds()
	u := telegramtest.User{ID: 841, FirstName: "Imo"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, "/add "+h.web.URL+"/other.xml")
	h.wait(c.ID, "Added Other News", waitLong)
	if feeds() != base+1 {
		t.Fatalf("feeds %d after /add, want %d", feeds(), base+1)
	}
	h.tg.Send(u, c, "/remove")
	rm := h.wait(c.ID, "Which feed should I remove?", waitLong)
	q, _ := h.tg.Press(u, c, rm.MessageID, rm.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q, waitLong)
	if feeds() != base {
		t.Fatalf("feeds %d after the remove button, want %d", feeds(), base)
	}
	var opml strings.Builder
	opml.WriteString(`<opml version="2.0"><body>`)
	for i := range 15 {
		fmt.Fprintf(&opml, `<outline xmlUrl="https://feeds%d.example/rss"/>`, i)
	}
	opml.WriteString(`</body></opml>`)
	for round := range 3 {
		h.tg.SendFile(u, c, "feeds.opml", []byte(opml.String()), "/import")
		h.wait(c.ID, "Imported 15 feeds", waitLong)
		if feeds() != base+15 {
			t.Fatalf("round %d: %d feeds after /import", round, feeds())
		}
		h.tg.Send(u, c, "/forget")
		fm := h.wait(c.ID, "This cannot be undone", waitLong)
		q, _ := h.tg.Press(u, c, fm.MessageID, "forget:yes")
		h.tg.WaitAnswered(q, waitLong)
		if feeds() != base {
			t.Fatalf("round %d: %d feeds after /forget, want %d", round, feeds(), base)
		}
		h.tg.ForgetMessages()
		h.clock.Add(24 * time.Hour) // /forget is once per forgetEvery, feeds 40 a day
	}
}
