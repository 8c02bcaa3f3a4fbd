package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

func TestGroupAdminsTopicsAndAddressedCommands(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond, GroupPerMinute: 100}
	h.start()
	admin := telegramtest.User{ID: 201, FirstName: "Ada"}
	member := telegramtest.User{ID: 202, FirstName: "Max"}
	group := h.tg.Group(-1001, "News room", true, admin.ID)

	h.tg.Send(member, group, "/subscribe@"+h.tg.Bot.UserName)
	h.wait(group.ID, "Only the group's administrators", waitLong)
	// A command for another bot is ignored; one for us works.
	h.tg.Send(admin, group, "/subscribe@some_other_bot")
	h.tg.SendInThread(admin, group, 77, "/subscribe@"+h.tg.Bot.UserName)
	h.wait(group.ID, "Subscribed.", waitLong)
	s, err := h.db.Subscriber(context.Background(), group.ID)
	if err != nil || !s.Subscribed || s.ThreadID != 77 {
		t.Fatalf("group subscriber %+v %v", s, err)
	}
	// Replies to a command sent in a topic go to that topic.
	for _, m := range h.tg.Messages(group.ID) {
		if strings.Contains(m.Text, "Subscribed.") && m.MessageThreadID != 77 {
			t.Fatalf("reply not in the topic: %+v", m)
		}
	}
	// Digests for the group go to its topic.
	addItems(t, h, h.clock.Now())
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(group.ID, "Your news digest", waitLong)
	if dg.MessageThreadID != 77 {
		t.Fatalf("digest thread %d", dg.MessageThreadID)
	}
	// Anyone may open a card in a group; settings buttons are for admins.
	q, _ := h.tg.Press(member, group, dg.MessageID, dg.Keyboard()[0][0].CallbackData)
	if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
		t.Fatal(err)
	}
	q, _ = h.tg.Press(member, group, dg.MessageID, "set:n:3")
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "administrators") {
		t.Fatalf("member changed settings: %q", txt)
	}
	// /stats is for NEWSBOT_ADMINS only.
	h.tg.Send(admin, group, "/stats")
	h.wait(group.ID, "for the bot's operators", waitLong)
}

// A member's command in a topic makes the group's record, but not its topic: digests go
// where the administrators subscribe (found by review: a member's /start in some topic
// before any administrator's command chose it).
func TestAMembersTopicIsNotTheGroups(t *testing.T) {
	h := newHarness(t)
	h.start()
	admin := telegramtest.User{ID: 211, FirstName: "Ada"}
	member := telegramtest.User{ID: 212, FirstName: "Max"}
	group := h.tg.Group(-1011, "Forum", true, admin.ID)
	h.tg.SendInThread(member, group, 99, "/start")
	h.wait(group.ID, "I'm newsbot", waitLong)
	if _, err := h.db.Subscriber(context.Background(), group.ID); err != nil {
		t.Fatalf("the member's /start made no record (%v): the test wants one", err)
	}
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)
	if s, err := h.db.Subscriber(context.Background(), group.ID); err != nil || s.ThreadID != 0 {
		t.Fatalf("the group posts to topic %d (%v), want the General topic its administrator subscribed from", s.ThreadID, err)
	}
}

func TestFeedsFiltersForgetExportImport(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.setPage("/other.xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>Other News</title><item><title>x</title><link>https://o.example/1</link></item></channel></rss>`)
	h.setPage("/site.html", `<html><head><link rel="alternate" type="application/rss+xml" href="/other.xml"></head><body>Home</body></html>`)
	h.setPage("/nofeed.html", `<html><body>No feeds here</body></html>`)
	h.start()
	u := telegramtest.User{ID: 301, FirstName: "Lin"}
	chat := h.tg.PrivateChat(u)

	h.tg.Send(u, chat, "/add "+h.web.URL+"/site.html")
	h.wait(chat.ID, "Added Other News", waitLong)
	s, _ := h.db.Subscriber(context.Background(), chat.ID)
	if len(s.OwnFeeds) != 1 || s.OwnFeeds[0] != h.web.URL+"/other.xml" {
		t.Fatalf("own feeds %v", s.OwnFeeds)
	}
	h.tg.Send(u, chat, "/add "+h.web.URL+"/nofeed.html")
	h.wait(chat.ID, "links to none", waitLong)
	h.tg.Send(u, chat, "/add file:///etc/passwd")
	h.wait(chat.ID, "not a web address I can use", waitLong)

	// /feeds toggles a catalogue feed off with a button.
	h.tg.Send(u, chat, "/feeds")
	fm := h.wait(chat.ID, "Tap a catalogue feed", waitLong)
	q, _ := h.tg.Press(u, chat, fm.MessageID, "feed:0")
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.HasPrefix(txt, "Off:") {
		t.Fatalf("toggle answer %q", txt)
	}
	s, _ = h.db.Subscriber(context.Background(), chat.ID)
	if len(s.Feeds) != 0 && s.Feeds[0] == h.opts.Catalogue[0] {
		t.Fatalf("feed still on: %v", s.Feeds)
	}

	// Filters: a bad RE2 expression gets a clear message; a good one is stored.
	h.tg.Send(u, chat, "/filters include (unclosed")
	h.wait(chat.ID, "is not a valid RE2 expression", waitLong)
	h.tg.Send(u, chat, "/filters exclude football|cricket")
	h.wait(chat.ID, "Added exclude filter", waitLong)

	// Export sends an OPML document; importing it into another chat adds the feeds.
	h.tg.Send(u, chat, "/export")
	var docID string
	deadline := time.Now().Add(waitLong)
	for docID == "" && time.Now().Before(deadline) {
		for _, m := range h.tg.Messages(chat.ID) {
			if m.Document != nil {
				docID = m.Document.FileID
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	data, ok := h.tg.FileData(docID)
	if !ok || !strings.Contains(string(data), "other.xml") {
		t.Fatalf("export: %q", data)
	}
	v := telegramtest.User{ID: 302, FirstName: "Vic"}
	chat2 := h.tg.PrivateChat(v)
	h.tg.SendFile(v, chat2, "feeds.opml", data, "/import")
	h.wait(chat2.ID, "Imported 1 feeds", waitLong)
	h.tg.SendFile(v, chat2, "bad.opml", []byte("not xml at all"), "/import")
	h.wait(chat2.ID, "not an OPML file", waitLong)

	// /forget asks first, then deletes.
	h.tg.Send(u, chat, "/forget")
	fg := h.wait(chat.ID, "Delete everything", waitLong)
	q, _ = h.tg.Press(u, chat, fg.MessageID, "forget:yes")
	h.wait(chat.ID, "has been deleted", waitLong)
	if _, err := h.db.Subscriber(context.Background(), chat.ID); err == nil {
		t.Fatal("subscriber still stored after /forget")
	}
	_ = q
}

func TestPlainTextFallbackAndRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 300 * time.Millisecond, GroupPerMin: 100})
	// The bot believes it may send faster than the fake allows: the fake answers 429
	// and the sender must wait retry_after for that chat and lose nothing.
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond}
	var failed atomic.Bool
	h.tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if method == "sendmessage" && failed.CompareAndSwap(false, true) {
			return 400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0", 0, 0
		}
		return 0, "", 0, 0
	})
	h.start()
	u := telegramtest.User{ID: 401, FirstName: "Pat"}
	chat := h.tg.PrivateChat(u)
	for range 4 {
		h.tg.Send(u, chat, "/help")
	}
	msgs, err := h.tg.WaitMessages(chat.ID, 4, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].ParseMode != "" || !strings.Contains(msgs[0].Text, "/start") {
		t.Fatalf("first /help was not resent as plain text: %+v", msgs[0])
	}
	if h.tg.TooMany() == 0 {
		t.Fatal("the fake never answered 429; the test proves nothing")
	}
	if !strings.Contains(h.logs.String(), "resending as plain text") {
		t.Fatal("the fallback was not logged")
	}
}

func TestSlowHandlerDoesNotBlockOthers(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	release := make(chan struct{})
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	// A URL whose server hangs until released.
	slow := newSlowServer(t, release)
	a := telegramtest.User{ID: 501, FirstName: "A"}
	b := telegramtest.User{ID: 502, FirstName: "B"}
	ca, cb := h.tg.PrivateChat(a), h.tg.PrivateChat(b)
	h.tg.Send(a, ca, slow+"/page")
	time.Sleep(100 * time.Millisecond)
	h.tg.Send(b, cb, "/help")
	h.wait(cb.ID, "Commands", waitLong)
	close(release)
	h.wait(ca.ID, "could not read that page", waitLong)
}

func TestMigrateDeepLinkAndUserRateLimit(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond, GroupPerMinute: 100}
	h.opts.CommandRate = 0.01 // a burst of 10, then one every 100 s
	h.start()
	admin := telegramtest.User{ID: 601, FirstName: "Ada"}
	group := h.tg.Group(-600, "Old group", false, admin.ID)
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)

	// The group becomes a supergroup: the digest follows it to the new chat ID.
	h.tg.Migrate(group.ID, -100600)
	addItems(t, h, h.clock.Now())
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wait(-100600, "Your news digest", waitLong)
	if _, err := h.db.Subscriber(context.Background(), -100600); err != nil {
		t.Fatalf("subscription not moved: %v", err)
	}

	// A story link opens its card.
	u := telegramtest.User{ID: 602, FirstName: "Sam"}
	chat := h.tg.PrivateChat(u)
	h.tg.Send(u, chat, "/start s_1")
	h.wait(chat.ID, "Council approves budget number 0", waitLong)

	// Too many commands: one polite warning, the rest ignored, nothing crashes.
	for range 14 {
		h.tg.Send(u, chat, "/help")
	}
	h.wait(chat.ID, "faster than I can answer", waitLong)
}

func TestUpdatesSurviveRestartsOutagesAndGarbage(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	// Updates stored in the inbox but not handled before a crash are handled after it;
	// a malformed one is dropped with a log line and does not stop the others.
	if err := h.db.StoreUpdates(context.Background(), map[int64][]byte{
		10: []byte(`{"update_id":10,"message":{"message_id":1,"from":{"id":701,"first_name":"Eve"},"chat":{"id":701,"type":"private"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":5}]}}`),
		11: []byte(`{"update_id":11,"message":"this is not a message"}`),
		12: []byte(`{"update_id":12,"callback_query":{"id":"zz","from":{"id":701},"data":"x"}}`),
	}, 13); err != nil {
		t.Fatal(err)
	}
	h.tg.PrivateChat(telegramtest.User{ID: 701, FirstName: "Eve"})
	// getUpdates fails twice with a 502 before it works: the loop retries.
	var fails atomic.Int32
	h.tg.SetFault(func(method string) (int, string, int, time.Duration) {
		if method == "getupdates" && fails.Add(1) <= 2 {
			return 502, "Bad Gateway", 0, 0
		}
		return 0, "", 0, 0
	})
	h.start()
	h.wait(701, "Commands", waitLong)
	u := telegramtest.User{ID: 702, FirstName: "Fay"}
	chat := h.tg.PrivateChat(u)
	h.tg.Send(u, chat, "/start")
	h.wait(chat.ID, "I'm newsbot", 20*time.Second)
	if !strings.Contains(h.logs.String(), "dropping an update that does not decode") {
		t.Fatalf("malformed update not reported:\n%s", h.logs.String())
	}
	deadline := time.Now().Add(waitLong)
	for {
		ids, _, _ := h.db.PendingUpdates(context.Background(), 0, 0, nil)
		if len(ids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("updates left in the inbox: %v", ids)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The operator's default quiet hours: unset or unreadable means 22:00-07:00, "off"
// turns them off (the playground), hours are normalised.
func TestDefaultQuietHours(t *testing.T) {
	for in, want := range map[string]string{"": "22:00-07:00", "bogus": "22:00-07:00", "on": "22:00-07:00",
		"off": "off", "none": "off", "23:00-6:30": "23:00-06:30"} {
		if got := (Options{DefaultQuiet: in}).WithDefaults().DefaultQuiet; got != want {
			t.Errorf("DefaultQuiet %q = %q, want %q", in, got, want)
		}
	}
}

// A feed address longer than the store keeps is refused wherever it comes from: typed,
// where a site's redirects end, a page's feed links, an OPML file (review 76: every
// item repeats its feed's address, and past 32 KiB it breaks the whole add).
func TestLongFeedAddressesAreRefused(t *testing.T) {
	h := newHarness(t)
	feedXML := `<?xml version="1.0"?><rss version="2.0"><channel><title>Other News</title><item><title>x</title><link>https://o.example/1</link></item></channel></rss>`
	h.setPage("/other.xml", feedXML)
	pad := "?pad=" + strings.Repeat("a", storage.MaxURLBytes)
	long := h.web.URL + "/other.xml" + pad
	link := func(href string) string {
		return `<link rel="alternate" type="application/rss+xml" href="` + href + `">`
	}
	h.setPage("/long-link.html", `<html><head>`+link("/other.xml"+pad)+`</head><body>Home</body></html>`)
	h.setPage("/both-links.html", `<html><head>`+link("/other.xml"+pad)+link("/other.xml")+`</head><body>Home</body></html>`)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, long, http.StatusFound)
	}))
	defer redirect.Close()
	opml := func(urls ...string) []byte {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><opml version="2.0"><body>`)
		for _, u := range urls {
			b.WriteString(`<outline type="rss" xmlUrl="` + u + `"/>`)
		}
		b.WriteString(`</body></opml>`)
		return []byte(b.String())
	}
	h.start()
	longer := fmt.Sprintf("longer than the %d bytes I take", storage.MaxURLBytes)
	cases := []struct {
		name, add string
		file      []byte
		want      string
	}{
		{"typed", long, nil, "That address is too long"},
		{"redirected", redirect.URL + "/feed.xml", nil, "I could not add that feed: the feed's address is " + longer},
		{"a page's only feed link", h.web.URL + "/long-link.html", nil, "I could not add that feed: the feed's address is " + longer},
		{"a page's first feed link", h.web.URL + "/both-links.html", nil, "Added Other News"},
		{"an OPML outline", "", opml(long, h.web.URL+"/other.xml"), "0 not valid web addresses, 1 " + longer + "). You now have 1 feeds"},
		{"every OPML outline", "", opml(long, long+"b"), fmt.Sprintf("the OPML file lists no feed address I can take: 2 are longer than %d bytes", storage.MaxURLBytes)},
	}
	for i, c := range cases {
		u := telegramtest.User{ID: int64(320 + i), FirstName: "Lee"}
		chat := h.tg.PrivateChat(u)
		if c.file != nil {
			h.tg.SendFile(u, chat, "feeds.opml", c.file, "/import")
		} else {
			h.tg.Send(u, chat, "/add "+c.add)
		}
		h.wait(chat.ID, c.want, waitLong)
		s, _ := h.db.Subscriber(context.Background(), chat.ID)
		if slices.ContainsFunc(s.OwnFeeds, func(f string) bool { return len(f) > storage.MaxURLBytes }) {
			t.Errorf("%s: a feed address of more than %d bytes was kept", c.name, storage.MaxURLBytes)
		}
	}
}

// /feeds tells a reader how much of the day's allowance the feeds they added used, and
// says so when it is used up: a reader whose feeds went quiet learns why.
func TestFeedsShowsTheDaysAllowance(t *testing.T) {
	h := newHarness(t)
	h.opts.FeedsPerDay = storage.FeedUsage{Items: 100, Bytes: 4 << 20, Pages: 10, PollTime: time.Hour, PageTime: 30 * time.Minute}
	h.setPage("/mine.xml", `<rss version="2.0"><channel><title>Mine</title></channel></rss>`)
	h.start()
	ctx := context.Background()
	u := telegramtest.User{ID: 302, FirstName: "Ana"}
	chat := h.tg.PrivateChat(u)
	h.tg.Send(u, chat, "/feeds")
	if m := h.wait(chat.ID, "Tap a catalogue feed", waitLong); !strings.Contains(m.Text, "no feeds of your own") || strings.Contains(m.Text, "allowance") {
		t.Fatalf("/feeds without own feeds: %q", m.Text)
	}
	h.tg.Send(u, chat, "/add "+h.web.URL+"/mine.xml")
	h.wait(chat.ID, "Added Mine", waitLong)
	day := t0.UTC().Format("2006-01-02")
	charge := func(use storage.FeedUsage) {
		t.Helper()
		use.Day = day
		if err := h.db.ChargeAccounts(ctx, []int64{u.ID}, use); err != nil {
			t.Fatal(err)
		}
	}
	charge(storage.FeedUsage{Items: 40, Bytes: 3 << 19, Pages: 2, PollTime: 90 * time.Second})
	h.tg.Send(u, chat, "/feeds")
	if m := h.wait(chat.ID, "stored 40 of your 100 items and 1.5 MiB of your 4.0 MiB of text, and had 2 of your 10 article pages fetched. Polling them took 1 of your 60 minutes, and their pages 0 of your 30.", waitLong); strings.Contains(m.Text, "That is") {
		t.Fatalf("/feeds says the allowance is used up at 40 of 100: %q", m.Text)
	}
	charge(storage.FeedUsage{Pages: 8})
	h.tg.Send(u, chat, "/feeds")
	h.wait(chat.ID, "and had 10 of your 10 article pages fetched. Polling them took 1 of your 60 minutes, and their pages 0 of your 30. That is the day's allowance of pages", waitLong)
	charge(storage.FeedUsage{Items: 60})
	h.tg.Send(u, chat, "/feeds")
	h.wait(chat.ID, "stored 100 of your 100 items and 1.5 MiB of your 4.0 MiB of text, and had 10 of your 10 article pages fetched. Polling them took 1 of your 60 minutes, and their pages 0 of your 30. That is the day's allowance:", waitLong)
	// Polling time used up stops the feeds altogether: that is what the reader hears.
	charge(storage.FeedUsage{PollTime: time.Hour, PageTime: 30 * time.Minute})
	h.tg.Send(u, chat, "/feeds")
	h.wait(chat.ID, "Polling them took 61 of your 60 minutes, and their pages 30 of your 30. That is the day's polling time: they wait until tomorrow (UTC)", waitLong)

	// A feed Ana adds to a group is charged to her; the group is told whose allowance
	// its feeds count against, not Ana's figures (they cover her other chats).
	group := h.tg.Group(-1002, "News room", true, u.ID)
	h.tg.Send(u, group, "/add "+h.web.URL+"/mine.xml")
	h.wait(group.ID, "Added Mine", waitLong)
	h.tg.Send(u, group, "/feeds")
	if m := h.wait(group.ID, "counts against the daily allowance of the member who added it", waitLong); strings.Contains(m.Text, "of your 100 items") {
		t.Fatalf("the group is shown a member's figures: %q", m.Text)
	}
	got, err := h.db.FeedAccountsUsage(ctx, h.web.URL+"/mine.xml", day)
	if _, charged := got[u.ID]; err != nil || len(got) != 1 || !charged {
		t.Fatalf("the feed Ana added in her chat and the group is charged to %v (%v), want Ana alone", got, err)
	}
}

// A reader keeps at most MaxUserFeeds feeds over their chat and the groups they add
// feeds to, and is told so; another member of the same group is not held by it.
func TestFeedsPerReaderOverGroups(t *testing.T) {
	h := newHarness(t)
	h.opts.MaxUserFeeds = 2
	for _, p := range []string{"/a.xml", "/b.xml", "/c.xml"} {
		h.setPage(p, `<rss version="2.0"><channel><title>Feed `+p[1:2]+`</title></channel></rss>`)
	}
	h.start()
	ana, bo := telegramtest.User{ID: 311, FirstName: "Ana"}, telegramtest.User{ID: 312, FirstName: "Bo"}
	chat := h.tg.PrivateChat(ana)
	h.tg.Send(ana, chat, "/add "+h.web.URL+"/a.xml")
	h.wait(chat.ID, "Added Feed a", waitLong)
	first := h.tg.Group(-1003, "First", true, ana.ID)
	h.tg.Send(ana, first, "/add "+h.web.URL+"/b.xml")
	h.wait(first.ID, "Added Feed b", waitLong)
	second := h.tg.Group(-1004, "Second", true, ana.ID, bo.ID)
	var asked atomic.Int64
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		fmt.Fprint(w, `<rss version="2.0"><channel><title>Feed d</title></channel></rss>`)
	}))
	defer counted.Close()
	h.tg.Send(ana, second, "/add "+counted.URL+"/d.xml")
	h.wait(second.ID, "You keep 2 feeds over your chat and the groups you added feeds to, the most I take from one reader.", waitLong)
	if n := asked.Load(); n != 0 {
		t.Errorf("a reader at the limit had %d pages fetched for a feed they could not add", n)
	}
	// A feed Ana keeps already costs her nothing more, even when she names it by its
	// site's page (review N).
	h.setPage("/a.html", `<html><head><link rel="alternate" type="application/rss+xml" href="/a.xml"></head><body>Home</body></html>`)
	h.tg.Send(ana, second, "/add "+h.web.URL+"/a.html")
	h.wait(second.ID, "Added Feed a", waitLong)
	h.tg.Send(bo, second, "/add "+h.web.URL+"/c.xml")
	h.wait(second.ID, "Added Feed c", waitLong)
	// So is an OPML file's: all it could add is feeds she keeps.
	h.tg.SendFile(ana, second, "feeds.opml", []byte(`<opml version="2.0"><body><outline xmlUrl="`+h.web.URL+`/e.xml"/></body></opml>`), "/import")
	h.wait(second.ID, "I could not import any of those feeds. You keep 2 feeds", waitLong)
	s, err := h.db.Subscriber(context.Background(), second.ID)
	if err != nil || !slices.Equal(s.OwnFeeds, []string{h.web.URL + "/a.xml", h.web.URL + "/c.xml"}) {
		t.Fatalf("the second group's feeds: %v, %v", s.OwnFeeds, err)
	}
}

// A group the bot comes back to brings its feeds back only as far as the readers' cap
// allows, and is told of the rest: parked in a group the bot left, feeds took no room,
// and came back past the cap once others had filled it.
func TestAGroupComingBackKeepsToTheCap(t *testing.T) {
	h, ana, group, url := groupWithFeed(t, 321, -1005, "Away", false, func(o *Options) { o.MaxReaderFeeds, o.FeedFloor = 1, 1 })
	h.tg.SetBotStatus(ana, group, "administrator", "kicked")
	h.waitActive(group.ID, false)
	bo := telegramtest.User{ID: 322, FirstName: "Bo"}
	cb := h.tg.PrivateChat(bo)
	h.setPage("/b.xml", `<rss version="2.0"><channel><title>Feed b</title></channel></rss>`)
	h.tg.Send(bo, cb, "/add "+h.web.URL+"/b.xml")
	h.wait(cb.ID, "Added Feed b", waitLong)
	h.tg.SetBotStatus(ana, group, "left", "member")
	note := h.wait(group.ID, "did not come back", waitLong)
	if !strings.Contains(note.Text, strings.TrimPrefix(url, "http://")) {
		t.Errorf("the group is told %q, want the feed named", note.Text)
	}
	if s, err := h.db.Subscriber(context.Background(), group.ID); err != nil || !s.Active || len(s.OwnFeeds) != 0 {
		t.Fatalf("the group is back with %v (active %v, %v), want no feeds", s.OwnFeeds, s.Active, err)
	}
	if n, err := h.db.ReaderFeedCount(context.Background()); err != nil || n != 1 {
		t.Errorf("%d readers' feeds (%v), want the cap of 1", n, err)
	}
}

// A chat made inactive while the bot is still there (a send refused, or a membership
// change handled after the command sent before it) and then subscribing again gets its
// feeds back only as far as the cap allows (found by review: /subscribe set it active
// itself, and all came back).
func TestSubscribingAgainKeepsToTheCap(t *testing.T) {
	h, ana, group, _ := groupWithFeed(t, 321, -1005, "Away", false, func(o *Options) { o.MaxReaderFeeds, o.FeedFloor = 1, 1 })
	if _, err := h.db.DeactivateChat(context.Background(), group.ID); err != nil {
		t.Fatal(err)
	}
	bo := telegramtest.User{ID: 322, FirstName: "Bo"}
	cb := h.tg.PrivateChat(bo)
	h.setPage("/b.xml", `<rss version="2.0"><channel><title>Feed b</title></channel></rss>`)
	h.tg.Send(bo, cb, "/add "+h.web.URL+"/b.xml")
	h.wait(cb.ID, "Added Feed b", waitLong)
	h.tg.Send(ana, group, "/subscribe")
	h.wait(group.ID, "Subscribed", waitLong)
	h.wait(group.ID, "did not come back", waitLong)
	if n, err := h.db.ReaderFeedCount(context.Background()); err != nil || n != 1 {
		t.Errorf("%d readers' feeds (%v), want the cap of 1", n, err)
	}
}

// With the readers' feeds all taken, a newcomer's feed takes the place of the newest of
// the reader keeping the most, who is told; that reader cannot take it back from a
// reader keeping fewer.
func TestAFullCapMakesRoomForNewcomers(t *testing.T) {
	h := newHarness(t)
	h.opts.MaxReaderFeeds, h.opts.FeedFloor = 2, 1
	for _, p := range []string{"/a.xml", "/b.xml", "/c.xml", "/d.xml"} {
		h.setPage(p, `<rss version="2.0"><channel><title>Feed `+p[1:2]+`</title></channel></rss>`)
	}
	h.start()
	ana, bo := telegramtest.User{ID: 321, FirstName: "Ana"}, telegramtest.User{ID: 322, FirstName: "Bo"}
	ca, cb := h.tg.PrivateChat(ana), h.tg.PrivateChat(bo)
	for _, f := range []string{"a", "b"} {
		h.tg.Send(ana, ca, "/add "+h.web.URL+"/"+f+".xml")
		h.wait(ca.ID, "Added Feed "+f, waitLong)
	}
	h.tg.Send(bo, cb, "/add "+h.web.URL+"/c.xml")
	h.wait(cb.ID, "Added Feed c", waitLong)
	note := h.wait(ca.ID, "To make room for another reader's feed, I removed", waitLong)
	if !strings.Contains(note.Text, "/b.xml") {
		t.Errorf("Ana is told %q, want her newest feed, b", note.Text)
	}
	left := feedAddsLeft(h.bot, ana.ID, h.clock.Now())
	h.tg.Send(ana, ca, "/add "+h.web.URL+"/d.xml")
	h.wait(ca.ID, "the limit of feeds readers may add is reached", waitLong)
	if now := feedAddsLeft(h.bot, ana.ID, h.clock.Now()); now != left-1 {
		t.Errorf("a refused add left %d of the day's adds, want %d: looking for room costs one", now, left-1)
	}
	if s, err := h.db.Subscriber(context.Background(), ca.ID); err != nil || !slices.Equal(s.OwnFeeds, []string{h.web.URL + "/a.xml"}) {
		t.Fatalf("Ana keeps %v (%v), want a alone", s.OwnFeeds, err)
	}
}
