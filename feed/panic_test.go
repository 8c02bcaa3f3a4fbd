package feed_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// addPanics is the real store with a fault planted in it: storing one feed's items
// panics. No feed reaches a panic there today; the plant stands for the next bug in
// what a poll does with a feed's items, which must cost that feed a poll, not the
// process: polls run in goroutines of their own, and the feed, due again at the next
// start, ended the process again (audit 62).
type addPanics struct {
	*storage.DB
	url string
}

func (a addPanics) AddItems(ctx context.Context, feedURL string, items []storage.Item, now time.Time) ([]storage.Item, error) {
	if feedURL == a.url {
		panic("planted fault")
	}
	return a.DB.AddItems(ctx, feedURL, items, now)
}

func TestAPollThatPanicsCostsItsFeedAPoll(t *testing.T) {
	ctx := context.Background()
	srv := newFeedServer(t, "testdata/feeds")
	db := openDB(t)
	faulty, fine := srv.URL+"/rss_2.0_bbc.xml", srv.URL+"/atom_example_1.xml"
	addFeeds(t, db, t0, faulty, fine)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(addPanics{DB: db, url: faulty}, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: time.Hour, FullTextMinWords: -1, Now: clock.Now})
	res, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.URL {
		case faulty:
			if r.Status != feed.StatusError || !strings.Contains(r.Error, "panic: planted fault") || !r.NextPoll.After(t0) {
				t.Errorf("the faulty feed: %s %q, next poll %v; want an error and a later poll", r.Status, r.Error, r.NextPoll)
			}
		case fine:
			if r.Status != feed.StatusOK {
				t.Errorf("the other feed: %s %q", r.Status, r.Error)
			}
		}
	}
	if len(res) != 2 || countItems(t, db) == 0 {
		t.Fatalf("%d results, %d items stored", len(res), countItems(t, db))
	}
}

// A panic in the poll cycle's follow-up (the story service's reading of new reports)
// is logged, and the next cycle is followed up as usual.
func TestACycleThatPanicsIsLogged(t *testing.T) {
	srv := newFeedServer(t, "testdata/feeds")
	db := openDB(t)
	addFeeds(t, db, time.Now(), srv.URL+"/rss_2.0_bbc.xml")
	var (
		mu   sync.Mutex
		logs bytes.Buffer
	)
	logger := slog.New(slog.NewTextHandler(writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(b) }), nil))
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: 50 * time.Millisecond,
		FullTextMinWords: -1, CycleEvery: time.Millisecond, Logger: logger})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cycles atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- p.Run(ctx, func([]feed.Result) {
			if cycles.Add(1) == 1 {
				panic("planted fault")
			}
		})
	}()
	for deadline := time.Now().Add(20 * time.Second); cycles.Load() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no cycle followed up")
		}
	}
	addFeeds(t, db, time.Now(), srv.URL+"/atom_example_1.xml") // a second cycle
	for deadline := time.Now().Add(20 * time.Second); cycles.Load() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d cycles followed up; want a second after the one that panicked", cycles.Load())
		}
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "planted fault") {
		t.Errorf("the panic is not in the log: %s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(b []byte) (int, error) { return w(b) }

// A reader's poll that panics while storing gives back the day's items it was granted
// and never stored: the reader's other feed stores its full allowance after it (review
// 64: the grant stayed, and drained the owners' allowance).
func TestAPollThatPanicsGivesBackItsAllowance(t *testing.T) {
	ctx := context.Background()
	srv := newFeedServer(t, "testdata/feeds")
	db := openDB(t)
	faulty, fine := srv.URL+"/rss_2.0_bbc.xml", srv.URL+"/atom_example_1.xml"
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, func() storage.Subscriber { return storage.Subscriber{ChatID: 42, Active: true} },
		[]string{faulty, fine}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	const allowance = 1 // the other feed holds one item
	p := feed.NewPoller(addPanics{DB: db, url: faulty}, loopbackFetcher(feed.FetcherOptions{}),
		feed.PollerOptions{Interval: time.Hour, FullTextMinWords: -1, MaxUserItemsPerDay: allowance, Now: func() time.Time { return t0 }})
	for _, u := range []string{faulty, fine} {
		f, err := db.Feed(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		r := p.PollFeeds(ctx, []storage.Feed{f})[0]
		switch u {
		case faulty:
			if !strings.Contains(r.Error, "panic: planted fault") {
				t.Fatalf("the faulty feed: %s %q", r.Status, r.Error)
			}
		case fine:
			if r.NewItems != allowance {
				t.Errorf("the reader's other feed stored %d items after the panic, want the day's %d", r.NewItems, allowance)
			}
		}
	}
}
