package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func waitText(t *testing.T, tg *telegramtest.Server, chat int64, what string) telegramtest.Message {
	t.Helper()
	m, err := tg.WaitFor(chat, 20*time.Second, func(m telegramtest.Message) bool { return strings.Contains(m.Text, what) })
	if err != nil {
		t.Fatalf("waiting for %q in chat %d: %v", what, chat, err)
	}
	return m
}

// feedServer serves testdata/feed.xml, a real feed, on 127.0.0.1.
func feedServer(t *testing.T) string {
	body, err := os.ReadFile("testdata/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(web.Close)
	return web.URL + "/feed.xml"
}

// One App, wired as `newsbot run` wires it, over the Bot API fake and a real feed on
// 127.0.0.1: a reader subscribes, the feed is polled, the digest arrives; the operator
// endpoint answers; items are stamped and pruned on the App's one clock; and what was
// stored outlives a restart.
func TestAppWiresEverythingOnOneClock(t *testing.T) {
	feedURL := feedServer(t)
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	clock := &fakeClock{t: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)}
	opts := Options{
		DBPath: filepath.Join(t.TempDir(), "newsbot.db"), Feeds: []string{feedURL},
		TelegramAPIURL: tg.APIURL(), TelegramToken: tg.Token,
		Fetch:        feed.FetcherOptions{AllowPrivateNetworks: true},
		Poll:         feed.PollerOptions{FullTextMinWords: -1},
		PollManually: true,
		Bot:          bot.Options{PollTimeout: 1, ScheduleEvery: time.Hour, RunMaxAge: -1},
		Retention:    48 * time.Hour,
		HTTPAddr:     "127.0.0.1:0", OpsToken: "operator-secret",
		Now: clock.Now,
	}
	ctx := context.Background()
	a, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()

	alice := telegramtest.User{ID: 101, FirstName: "Alice"}
	chat := telegramtest.Chat{ID: 101, Type: "private", FirstName: "Alice"}
	tg.Send(alice, chat, "/subscribe")
	waitText(t, tg, chat.ID, "next digest")

	results, err := a.PollFeeds(ctx)
	if err != nil || len(results) != 1 || results[0].Error != "" || results[0].NewItems == 0 {
		t.Fatalf("poll: %+v %v", results, err)
	}
	if err := a.DigestNow(ctx); err != nil {
		t.Fatal(err)
	}
	waitText(t, tg, chat.ID, "Marcus Aurelius")

	res, err := http.Get("http://" + a.OpsAddr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", res.Status)
	}

	// Retention counts on the App's clock, not the machine's.
	a.Prune(ctx)
	if st, _ := a.DB.Stats(ctx); st.Items != 1 {
		t.Fatalf("a fresh item was pruned: %+v", st)
	}
	clock.Add(72 * time.Hour)
	a.Prune(ctx)
	if st, _ := a.DB.Stats(ctx); st.Items != 0 {
		t.Fatalf("an item older than retention on the App's clock was kept: %+v", st)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// The same file, opened again: the subscriber is still there.
	opts.HTTPAddr = ""
	b, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.DB.Subscriber(ctx, chat.ID)
	if err != nil || !s.Subscribed {
		t.Fatalf("after reopening: %+v %v", s, err)
	}
}

// Without a token the App still ingests (`newsbot run` as a feed archiver), and asking
// it for a digest says why it cannot.
func TestAppWithoutTelegram(t *testing.T) {
	feedURL := feedServer(t)
	a, err := Open(context.Background(), Options{
		DBPath: filepath.Join(t.TempDir(), "newsbot.db"), Feeds: []string{feedURL},
		Fetch: feed.FetcherOptions{AllowPrivateNetworks: true}, Poll: feed.PollerOptions{FullTextMinWords: -1},
		PollManually: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Bot != nil {
		t.Fatal("a bot without a token")
	}
	if results, err := a.PollFeeds(context.Background()); err != nil || results[0].NewItems != 1 {
		t.Fatalf("poll: %+v %v", results, err)
	}
	if err := a.DigestNow(context.Background()); err == nil || !strings.Contains(err.Error(), "no Telegram bot") {
		t.Errorf("DigestNow without a bot: %v", err)
	}
}

// The hourly retention pass keeps readers' items to their budget, oldest first, and
// leaves the catalogue's alone: a store filled by strangers' feeds must still take the
// newest news.
func TestPruneKeepsReadersItemsToTheirBudget(t *testing.T) {
	feedURL := feedServer(t)
	ctx := context.Background()
	a, err := Open(ctx, Options{
		DBPath: filepath.Join(t.TempDir(), "newsbot.db"), Feeds: []string{feedURL},
		Fetch: feed.FetcherOptions{AllowPrivateNetworks: true}, Poll: feed.PollerOptions{FullTextMinWords: -1},
		PollManually: true, MaxReaderStoreBytes: 4096,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if results, err := a.PollFeeds(ctx); err != nil || results[0].NewItems != 1 {
		t.Fatalf("poll: %+v %v", results, err)
	}
	readers := "https://reader.example/feed.xml"
	sub := func() storage.Subscriber { return storage.Subscriber{ChatID: 7, Active: true} }
	if _, _, err := a.DB.AddOwnFeeds(ctx, 7, 7, sub, []string{readers}, nil, storage.FeedLimits{PerChat: 20, Global: 100}); err != nil {
		t.Fatal(err)
	}
	var items []storage.Item
	base := time.Now()
	for i := range 10 {
		items = append(items, storage.Item{Key: fmt.Sprint(i), Title: fmt.Sprint("Story ", i), Published: base,
			Text: strings.Repeat("Officials said talks would continue. ", 30)})
	}
	// One at a time, so that each is older than the next.
	for i, it := range items {
		if _, err := a.DB.AddItems(ctx, readers, []storage.Item{it}, base.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	a.Prune(ctx)
	size, n, err := a.DB.ReaderItemBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if size > 4096 || n == 0 || n == 10 {
		t.Fatalf("after the pass readers' items take %d bytes in %d items; want the newest few within 4096", size, n)
	}
	if got := a.readerBytes.Load(); got != size {
		t.Errorf("the gauge reads %d, the store %d", got, size)
	}
	if got := a.evicted.Load(); got != int64(10-n) {
		t.Errorf("the counter reads %d evicted, want %d", got, 10-n)
	}
	left, _, err := a.DB.FeedItemsAdded(ctx, []string{readers}, time.Time{}, base.Add(time.Hour), 0)
	if err != nil || len(left) != n {
		t.Fatalf("the reader's feed lists %d items (%v), want %d", len(left), err, n)
	}
	for _, it := range left {
		if k, _ := strconv.Atoi(it.Key); k < 10-n {
			t.Errorf("item %s kept while newer ones went", it.Key)
		}
	}
	if st, _ := a.DB.Stats(ctx); st.Items != n+1 {
		t.Errorf("%d items stored, want the catalogue's one and %d of the reader's", st.Items, n)
	}
}

// The hourly pass lets a group that has been without the bot for a month go of its
// feeds, so that the members who added them can add others; a group still there keeps
// them.
func TestPruneReleasesGoneGroupsFeeds(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a, err := Open(ctx, Options{DBPath: filepath.Join(t.TempDir(), "newsbot.db"), PollManually: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for group, url := range map[int64]string{-100: "https://gone.example/feed.xml", -200: "https://kept.example/feed.xml"} {
		sub := func() storage.Subscriber { return storage.Subscriber{ChatID: group, Kind: "group", Active: true} }
		if _, _, err := a.DB.AddOwnFeeds(ctx, group, 7, sub, []string{url}, nil, storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.DB.DeactivateChat(ctx, -100); err != nil {
		t.Fatal(err)
	}
	a.Prune(ctx)
	now = now.Add(29 * 24 * time.Hour)
	a.Prune(ctx)
	if s, err := a.DB.Subscriber(ctx, -100); err != nil || len(s.OwnFeeds) != 1 {
		t.Fatalf("29 days gone, the group keeps %v (%v), want its feed", s.OwnFeeds, err)
	}
	now = now.Add(2 * 24 * time.Hour)
	a.Prune(ctx)
	for group, want := range map[int64]int{-100: 0, -200: 1} {
		s, err := a.DB.Subscriber(ctx, group)
		if err != nil || len(s.OwnFeeds) != want {
			t.Errorf("group %d keeps %v (%v), want %d feeds", group, s.OwnFeeds, err, want)
		}
	}
	// The member who added them is charged only with the group still there.
	if mine, err := a.DB.AccountFeeds(ctx, 7); err != nil || !slices.Equal(mine, []string{"https://kept.example/feed.xml"}) {
		t.Errorf("the member keeps %v (%v), want the feed of the group still there", mine, err)
	}
}
