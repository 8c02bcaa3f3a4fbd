package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/storage"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// harness runs the real bot against the fake Bot API, a real bbolt file and feeds
// served on 127.0.0.1.
type harness struct {
	t         testing.TB
	tg        *telegramtest.Server
	dbPath    string
	dbOpts    storage.Options // for openDB (restart keeps them)
	db        *storage.DB
	web       *httptest.Server
	pages     map[string]string
	clock     *fakeClock
	logs      *syncBuf
	bot       *Bot
	opts      Options
	fetcher   Fetcher // nil: a fetcher that allows the loopback test servers
	cancel    context.CancelFunc
	cancelAPI context.CancelFunc
	done      chan error
	mu        sync.Mutex
	// plantsPanics: the test plants faults, and the bot recovering from panics is
	// what it checks.
	plantsPanics bool
}

var t0 = time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, tg: telegramtest.New(), clock: &fakeClock{t: t0}, logs: &syncBuf{}, pages: map[string]string{}}
	t.Cleanup(h.tg.Close)
	h.web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		body, ok := h.pages[r.URL.Path]
		h.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".xml") {
			w.Header().Set("Content-Type", "application/rss+xml")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(h.web.Close)
	// A recovered panic keeps the process up, and so would hide a fault from the test
	// that met it: tests that plant one say so.
	panicsBefore := panics.Total()
	t.Cleanup(func() {
		if n := panics.Total() - panicsBefore; n > 0 && !h.plantsPanics {
			t.Errorf("the bot recovered from %d panics (see the log)", n)
		}
	})
	h.dbPath = filepath.Join(t.TempDir(), "newsbot.db")
	h.openDB()
	// After the bot stopped (cleanups run last first).
	t.Cleanup(func() {
		if h.db != nil {
			h.closeDB()
		}
	})
	h.opts = Options{
		APIURL: h.tg.APIURL(), Token: h.tg.Token, Admins: []int64{900},
		Catalogue:     []string{h.web.URL + "/feed.xml"},
		ScheduleEvery: time.Hour, PollTimeout: 1, Now: h.clock.Now,
		Logger:      slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		CommandRate: 100, SummaryRate: 100,
		RunMaxAge: -1, // the fake clock jumps: a run is rebuilt whenever items arrived
	}
	return h
}

func (h *harness) openDB() {
	db, err := storage.Open(h.dbPath, h.dbOpts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
}

// closeDB closes the store, once it checked that its indexes (the outbox's listings,
// who keeps which feeds) still hold what they index, whatever the test did.
func (h *harness) closeDB() {
	if err := h.db.CheckIndexes(context.Background()); err != nil {
		h.t.Errorf("store indexes: %v", err)
	}
	h.db.Close()
	h.db = nil
}

func (h *harness) setPage(path, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages[path] = body
}

// start runs the bot until stop.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	// As in `newsbot run`: the API calls outlive Run, so sends in flight at a stop
	// finish and are recorded instead of being cut off and repeated after a restart.
	apiCtx, cancelAPI := context.WithCancel(context.Background())
	var fetcher Fetcher = feed.NewFetcher(feed.FetcherOptions{AllowPrivateNetworks: true})
	if h.fetcher != nil {
		fetcher = h.fetcher
	}
	b, err := New(apiCtx, h.db, fetcher, h.opts)
	if err != nil {
		cancel()
		cancelAPI()
		h.t.Fatal(err)
	}
	h.bot, h.cancel, h.cancelAPI, h.done = b, cancel, cancelAPI, make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("bot.Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Error("bot did not stop")
	}
	h.cancelAPI()
	h.cancel = nil
}

func (h *harness) restart() {
	h.stop()
	h.closeDB()
	h.openDB()
	h.start()
}

// ingest polls the catalogue feeds once at the harness clock.
func (h *harness) ingest() {
	h.t.Helper()
	p := feed.NewPoller(h.db, feed.NewFetcher(feed.FetcherOptions{AllowPrivateNetworks: true}), feed.PollerOptions{Now: h.clock.Now, FullTextMinWords: -1})
	for _, u := range h.opts.Catalogue {
		if _, err := h.db.AddFeed(context.Background(), u, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
		f, _ := h.db.Feed(context.Background(), u)
		for _, r := range p.PollFeeds(context.Background(), []storage.Feed{f}) {
			if r.Status == feed.StatusError {
				h.t.Fatalf("ingest %s: %s", r.URL, r.Error)
			}
		}
	}
}

func (h *harness) wait(chat int64, what string, timeout time.Duration) telegramtest.Message {
	h.t.Helper()
	m, err := h.tg.WaitFor(chat, timeout, func(m telegramtest.Message) bool { return strings.Contains(m.Text, what) })
	if err != nil {
		h.t.Fatalf("waiting for %q: %v\nlogs:\n%s", what, err, tail(h.logs.String(), 60))
	}
	return m
}

// tail keeps the last n lines of s: what a failure needs of the bot's log.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... %d earlier lines", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// waitMessage waits until message id in chat is as ok says, failing with its text and
// the logs after waitLong.
func (h *harness) waitMessage(chat int64, id int, want string, ok func(telegramtest.Message) bool) {
	h.t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		m, _ := h.tg.Message(chat, id)
		if ok(m) {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("message %d in chat %d: want %s; it reads %q (deleted %v)\nlogs:\n%s", id, chat, want, m.Text, m.Deleted, tail(h.logs.String(), 60))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitEdited waits until message id in chat reads what (it is edited in place).
func (h *harness) waitEdited(chat int64, id int, what string) {
	h.t.Helper()
	h.waitMessage(chat, id, "it to read "+what, func(m telegramtest.Message) bool { return strings.Contains(m.Text, what) })
}

// waitWithout waits until message id in chat no longer shows s (edited or deleted): a
// copy redone after the fact is redone within moments, not at once.
func (h *harness) waitWithout(chat int64, id int, s string) {
	h.t.Helper()
	h.waitMessage(chat, id, "it not to show "+s, func(m telegramtest.Message) bool { return m.Deleted || !strings.Contains(m.Text, s) })
}

// waitDeleted waits until message id in chat is deleted.
func (h *harness) waitDeleted(chat int64, id int) {
	h.t.Helper()
	h.waitMessage(chat, id, "it deleted", func(m telegramtest.Message) bool { return m.Deleted })
}

// waitUntilT polls ok until it holds, failing the test after waitLong.
func waitUntilT(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// articleFeed renders an RSS feed of the fixture articles (full text in the
// description, so ingestion needs no page fetch).
func articleFeed(t testing.TB, base string, names ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fixture News</title>`)
	for i, n := range names {
		raw, err := os.ReadFile(filepath.Join("..", "digest", "testdata", "articles", n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		title, body, _ := strings.Cut(string(raw), "\n\n")
		var paras []string
		for _, p := range strings.Split(body, "\n\n") {
			paras = append(paras, "<p>"+xmlEscape(p)+"</p>")
		}
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s/a/%d</link><guid>%s</guid><pubDate>Tue, 25 Nov 2026 0%d:00:00 GMT</pubDate><description><![CDATA[%s]]></description></item>`,
			xmlEscape(title), base, i, n, i, strings.Join(paras, ""))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// newSlowServer answers only after release is closed.
func newSlowServer(t testing.TB, release chan struct{}) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "gone", http.StatusGone)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
