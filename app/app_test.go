package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/feed"
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
