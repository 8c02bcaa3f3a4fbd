package feed_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// serveOn starts h on a loopback address of its own (127.0.0.0/8 is all loopback),
// so that the poller counts it as a host of its own.
func serveOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// A reader's feeds whose article pages never answer hold up only themselves: the
// operator's feed and another reader's feed are polled again and again meanwhile, and
// their results reach onCycle (found by review: one cycle waited for every feed, so 20
// such feeds held the whole catalogue for 400 page timeouts, about 100 minutes).
func TestHangingReaderFeedsHoldNobodyElse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	defer close(release) // before the servers close: their handlers return
	var hanging atomic.Int64
	var hostile *httptest.Server
	var hostilePolls atomic.Int64
	hostile = serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/page/") {
			hanging.Add(1)
			select { // never answers while the test runs
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write(mintingFeed(int(hostilePolls.Add(1)), 20, hostile.URL, true))
	}))
	steady := func(addr, name string, polls *atomic.Int64) *httptest.Server {
		return serveOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := polls.Add(1)
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>%s</title><item><title>%s %d</title><guid>%s%d</guid><description>%s</description></item></channel></rss>`,
				name, name, n, name, n, strings.Repeat("Officials said talks would continue. ", 40))
		}))
	}
	var opPolls, otherPolls atomic.Int64
	op := steady("127.0.0.1", "catalogue", &opPolls)
	other := steady("127.0.0.3", "other", &otherPolls)

	db := openDB(t)
	now := time.Now()
	if _, err := db.AddFeed(ctx, op.URL+"/feed.xml", now); err != nil {
		t.Fatal(err)
	}
	sub := func(chat int64) func() storage.Subscriber {
		return func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
	}
	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("%s/f%d.xml", hostile.URL, i))
	}
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, sub(42), urls, nil, limits); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 43, 43, sub(43), []string{other.URL + "/feed.xml"}, nil, limits); err != nil {
		t.Fatal(err)
	}
	// The fetch timeout and page time are far beyond the test: nothing hostile ends.
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Hour}),
		feed.PollerOptions{Interval: time.Second, Jitter: 0.001, MaxPageTimePerPoll: time.Hour, CycleEvery: 100 * time.Millisecond})
	cycled := make(chan []feed.Result, 100)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(rs []feed.Result) { cycled <- rs }) }()

	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	for opPolls.Load() < 3 || otherPolls.Load() < 3 {
		select {
		case <-deadline:
			t.Fatalf("while %d hostile pages hung: the catalogue feed was polled %d times, the other reader's feed %d; want 3 each",
				hanging.Load(), opPolls.Load(), otherPolls.Load())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if hanging.Load() == 0 {
		t.Fatal("no hostile page was requested: the test did not test anything")
	}
	opURL, otherURL := op.URL+"/feed.xml", other.URL+"/feed.xml"
	got := map[string]bool{}
	for !got[opURL] || !got[otherURL] {
		select {
		case rs := <-cycled:
			for _, r := range rs {
				got[r.URL] = true
			}
		case <-deadline:
			t.Fatalf("onCycle saw %v; want %s and %s among them", got, opURL, otherURL)
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
}

// One reader's slow feeds, spread over hosts of their own, take at most perOwner of
// the readers' workers: another reader's feed keeps being polled, even when the slow
// reader added it too (found by review: the per-host limit alone let one reader's feeds
// on many hosts fill the lane).
func TestOneReaderTakesNoMoreThanTheirShare(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	var hanging atomic.Int64
	hostileOn := func(addr string) *httptest.Server {
		var srv *httptest.Server
		var polls atomic.Int64
		srv = serveOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/page/") {
				hanging.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
				}
				return
			}
			w.Write(mintingFeed(int(polls.Add(1)), 20, srv.URL, true))
		}))
		return srv
	}
	h1, h2 := hostileOn("127.0.0.2"), hostileOn("127.0.0.4")
	var otherPolls atomic.Int64
	other := serveOn(t, "127.0.0.3", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := otherPolls.Add(1)
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>o</title><item><title>o %d</title><guid>o%d</guid><description>%s</description></item></channel></rss>`,
			n, n, strings.Repeat("Officials said talks would continue. ", 40))
	}))
	db := openDB(t)
	sub := func(chat int64) func() storage.Subscriber {
		return func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
	}
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	// The hostile reader adds the other reader's feed too: a feed several readers added
	// must not wait for the busiest of them (found by review).
	hostile := []string{h1.URL + "/a.xml", h1.URL + "/b.xml", h2.URL + "/a.xml", h2.URL + "/b.xml", other.URL + "/feed.xml"}
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, sub(42), hostile, nil, limits); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 43, 43, sub(43), []string{other.URL + "/feed.xml"}, nil, limits); err != nil {
		t.Fatal(err)
	}
	// Concurrency 6: three workers for readers, two hosts of two fetches each for the
	// hostile reader's four feeds.
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Hour}),
		feed.PollerOptions{Interval: time.Second, Jitter: 0.001, Concurrency: 6, MaxPageTimePerPoll: time.Hour})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	for otherPolls.Load() < 3 || hanging.Load() == 0 {
		select {
		case <-deadline:
			t.Fatalf("while %d hostile pages hung, the other reader's feed was polled %d times; want 3", hanging.Load(), otherPolls.Load())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
}
