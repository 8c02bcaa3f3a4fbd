package feed_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
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
	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("%s/f%d.xml", hostile.URL, i))
	}
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), urls, nil, limits); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 43, 43, activeSub(43), []string{other.URL + "/feed.xml"}, nil, limits); err != nil {
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
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	// The hostile reader adds the other reader's feed too: a feed several readers added
	// must not wait for the busiest of them (found by review).
	hostile := []string{h1.URL + "/a.xml", h1.URL + "/b.xml", h2.URL + "/a.xml", h2.URL + "/b.xml", other.URL + "/feed.xml"}
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), hostile, nil, limits); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, 43, 43, activeSub(43), []string{other.URL + "/feed.xml"}, nil, limits); err != nil {
		t.Fatal(err)
	}
	// Concurrency 6: three workers for readers, two hosts of two fetches each for the
	// hostile reader's four feeds.
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Hour}),
		feed.PollerOptions{Interval: time.Second, Jitter: 0.001, Concurrency: 6, MaxPageTimePerPoll: time.Hour})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { return otherPolls.Load() >= 3 && hanging.Load() != 0 }, func() string {
		return fmt.Sprintf("while %d hostile pages hung, the other reader's feed was polled %d times; want 3", hanging.Load(), otherPolls.Load())
	})
	cancel()
	<-done
}

// A reader whose feeds used up the day's polling time gets no more polls that day:
// their feeds are put off to the next UTC day, a feed they share with a reader who has
// time left is polled on that reader's time until it too runs out, and everyone
// else's feed goes on (found by review: a feed trickling its body to just under the
// fetch timeout cost nothing the other allowances count, and held perOwner workers
// all day).
func TestReadersOutOfPollTimeWaitForTomorrow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const slowPoll = 250 * time.Millisecond
	polls := map[string]*atomic.Int64{"/a.xml": {}, "/shared.xml": {}, "/b.xml": {}}
	handler := func(delay time.Duration) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := polls[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			n := c.Add(1)
			time.Sleep(delay) // the body trickles in: time is all this feed costs
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>%s %d</title><guid>%s%d</guid><description>%s</description></item></channel></rss>`,
				r.URL.Path, n, r.URL.Path, n, strings.Repeat("Officials said talks would continue. ", 40))
		})
	}
	slow := serveOn(t, "127.0.0.2", handler(slowPoll))
	fast := serveOn(t, "127.0.0.3", handler(0))

	db := openDB(t)
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	aURL, sharedURL, bURL := slow.URL+"/a.xml", slow.URL+"/shared.xml", fast.URL+"/b.xml"
	for _, add := range []struct {
		chat int64
		urls []string
	}{{42, []string{aURL, sharedURL}}, {44, []string{sharedURL}}, {43, []string{bURL}}} {
		if _, _, err := db.AddOwnFeeds(ctx, add.chat, add.chat, activeSub(add.chat), add.urls, nil, limits); err != nil {
			t.Fatal(err)
		}
	}
	// The poller's clock runs from the middle of the next UTC day, so the feeds just
	// added are due and "tomorrow" is known.
	started := time.Now()
	y, m, d := started.UTC().Date()
	base := time.Date(y, m, d+1, 12, 0, 0, 0, time.UTC)
	var shift atomic.Int64 // the test moves the clock on to the next day
	now := func() time.Time { return base.Add(time.Since(started) + time.Duration(shift.Load())) }
	tomorrow := time.Date(y, m, d+2, 0, 0, 0, 0, time.UTC)
	const allowance = 3 * slowPoll
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Minute}),
		feed.PollerOptions{Interval: 300 * time.Millisecond, Jitter: 0.001, FullTextMinWords: -1,
			MaxUserPollTimePerDay: allowance, DutyFactor: 1, Now: now})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()

	deferred := func(url string) bool {
		t.Helper()
		f, err := db.Feed(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return !f.NextPoll.Before(tomorrow)
	}
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { return deferred(aURL) && deferred(sharedURL) }, func() string {
		return fmt.Sprintf("after %d polls of a.xml and %d of shared.xml, they are not put off to the next day", polls["/a.xml"].Load(), polls["/shared.xml"].Load())
	})
	day := base.Format(time.DateOnly)
	for _, account := range []int64{42, 44} {
		u, err := db.FeedUsage(ctx, account, day)
		if err != nil {
			t.Fatal(err)
		}
		if u.PollTime < allowance {
			t.Errorf("account %d was charged %v of poll time and is out of it; the allowance is %v", account, u.PollTime, allowance)
		}
	}
	// Nothing of theirs is polled any more, while the other reader's feed goes on.
	slowPolls := polls["/a.xml"].Load() + polls["/shared.xml"].Load()
	b := polls["/b.xml"].Load()
	waitUntil(t, deadline, func() bool { return polls["/b.xml"].Load() >= b+3 }, func() string {
		return fmt.Sprintf("the other reader's feed stopped at %d polls", polls["/b.xml"].Load())
	})
	if got := polls["/a.xml"].Load() + polls["/shared.xml"].Load(); got != slowPolls {
		t.Fatalf("feeds out of polling time were polled %d more times", got-slowPolls)
	}
	if u, _ := db.FeedUsage(ctx, 43, day); u.PollTime <= 0 {
		t.Errorf("the other reader's polls were not charged: %+v", u)
	}
	if st := p.Stats(); st.FeedsDeferred < 2 {
		t.Errorf("stats count %d feeds put off, want 2", st.FeedsDeferred)
	}

	// Another reader adds a.xml: it is polled again at once, on their time alone.
	used42, _ := db.FeedUsage(ctx, 42, day)
	if _, _, err := db.AddOwnFeeds(ctx, 45, 45, activeSub(45), []string{aURL}, nil, limits); err != nil {
		t.Fatal(err)
	}
	a := polls["/a.xml"].Load()
	waitUntil(t, deadline, func() bool { return polls["/a.xml"].Load() > a }, func() string { return "a.xml, put off, was not polled again after another reader added it" })
	waitCharged := func(account int64, day string) storage.FeedUsage {
		t.Helper()
		for {
			u, err := db.FeedUsage(ctx, account, day)
			if err != nil {
				t.Fatal(err)
			}
			if u.PollTime > 0 {
				return u
			}
			select {
			case <-deadline:
				t.Fatalf("account %d was never charged on %s", account, day)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitCharged(45, day)
	if u, _ := db.FeedUsage(ctx, 42, day); u.PollTime != used42.PollTime {
		t.Errorf("reader 42, out of time, was charged again: %v, then %v", used42.PollTime, u.PollTime)
	}

	// The next UTC day, shared.xml is polled again, on its readers' new day.
	shift.Store(int64(tomorrow.Add(time.Hour).Sub(base)))
	s := polls["/shared.xml"].Load()
	waitUntil(t, deadline, func() bool { return polls["/shared.xml"].Load() > s }, func() string { return "the feeds put off were not polled on the next day" })
	waitCharged(42, tomorrow.Format(time.DateOnly))
	cancel()
	<-done
}

// Time a poll spends waiting for a host's fetch slots, held by another reader's slow
// pages on that host, is not charged to the reader waiting (found by review: an honest
// reader's feed on a shared host was charged 3 s for 128 µs of fetching). Here the
// honest feed is on a host of its own and its pages on the shared host, so its polls
// start and then wait there for a slot.
func TestWaitingForAHostIsNotCharged(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	var honestPages atomic.Int64
	shared := serveOn(t, "127.0.0.5", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/fast/") {
			honestPages.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><article><p>"+strings.Repeat("Full article text here. ", 80)+"</p></article></body></html>")
			return
		}
		select { // the attacker's pages: a slow endpoint on the shared host
		case <-release:
		case <-r.Context().Done():
		}
	}))
	var honestPolls, hostilePolls atomic.Int64
	honestFeed := serveOn(t, "127.0.0.7", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(mintingFeed(int(honestPolls.Add(1)), 1, shared.URL+"/fast", true))
	}))
	hostile := serveOn(t, "127.0.0.6", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(mintingFeed(int(hostilePolls.Add(1)), 3, shared.URL, true)) // teasers on the shared host
	}))
	db := openDB(t)
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	const honest, attacker = 50, 66
	var hostileFeeds []string
	for i := range 6 {
		hostileFeeds = append(hostileFeeds, fmt.Sprintf("%s/h%d.xml", hostile.URL, i))
	}
	for chat, urls := range map[int64][]string{honest: {honestFeed.URL + "/a.xml"}, attacker: hostileFeeds} {
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), urls, nil, limits); err != nil {
			t.Fatal(err)
		}
	}
	// DutyFactor 1 keeps the attacker's polls coming, so the shared host's two slots
	// are held by their pages nearly all the time.
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Minute}),
		feed.PollerOptions{Interval: time.Second, Jitter: 0.001, FullTextMinWords: 50, DutyFactor: 1,
			MaxPageTimePerPoll: 2 * time.Second, MaxUserPollTimePerDay: time.Hour})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()
	day := time.Now().UTC().Format(time.DateOnly)
	usage := func(account int64) storage.FeedUsage {
		t.Helper()
		u, err := db.FeedUsage(context.Background(), account, day)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { return honestPages.Load() >= 3 && usage(attacker).PageTime >= 6*time.Second }, func() string {
		return fmt.Sprintf("the honest feed's pages were fetched %d times and the attacker charged %v; want 3 and 6 s", honestPages.Load(), usage(attacker).PageTime)
	})
	cancel()
	<-done
	// Polls of a small local feed and its page take milliseconds; a wait for the
	// shared host's slots would be up to the attacker's 2 s of page time each.
	if got := usage(honest); got.PollTime+got.PageTime >= 300*time.Millisecond {
		t.Fatalf("the honest reader was charged %v of polling and %v of pages for %d polls while the attacker's pages held the host their pages are on (attacker charged %v of pages)",
			got.PollTime, got.PageTime, honestPolls.Load(), usage(attacker).PageTime)
	}
}

// A slow reader's feed is polled less often: a poll that took t is followed by at
// least DutyFactor×t, so a feed that trickles its body, or links slow pages, costs its
// readers a bounded share of the day (found by review). The operator's slow feed keeps
// its interval.
func TestSlowFeedsArePolledLessOften(t *testing.T) {
	ctx := context.Background()
	const slowness = 200 * time.Millisecond
	srv := serveOn(t, "127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow.xml" {
			time.Sleep(slowness)
		}
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><title>one</title><guid>1</guid></item></channel></rss>`)
	}))
	db := openDB(t)
	slow, fast, catalogue := srv.URL+"/slow.xml", srv.URL+"/fast.xml", srv.URL+"/slow.xml?catalogue"
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), []string{slow, fast}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddFeed(ctx, catalogue, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The interval is long enough that a fast poll slowed by a loaded machine (CI ran
	// one to 25 ms: 100 × that is 2.5 s) stays within it, and short of 100 × slowness.
	const interval = 10 * time.Second
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: interval, Jitter: 0.001})
	feeds, err := db.DueFeeds(ctx, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	next := map[string]time.Duration{}
	for _, r := range p.PollFeeds(ctx, feeds) {
		if r.Status != feed.StatusOK {
			t.Fatalf("%s: %s %s", r.URL, r.Status, r.Error)
		}
		next[r.URL] = r.NextPoll.Sub(before)
	}
	if want := 100 * slowness; next[slow] < want {
		t.Errorf("the slow feed is due again in %v, want at least %v (100 × its poll)", next[slow], want)
	}
	for _, u := range []string{fast, catalogue} {
		if next[u] > interval*3/2 {
			t.Errorf("%s is due again in %v, want its interval (%v)", u, next[u], interval)
		}
	}
}

// A feed several readers added shares each poll's time among those with time left,
// rather than using up one of them, then the next (found by review: a slow feed
// stopped every other feed of its lowest-numbered reader while the others paid
// nothing).
func TestSharedFeedSharesItsTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const slowness = 200 * time.Millisecond
	var polls atomic.Int64
	srv := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		polls.Add(1)
		time.Sleep(slowness)
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><title>one</title><guid>1</guid></item></channel></rss>`)
	}))
	db := openDB(t)
	for _, chat := range []int64{42, 44, 46} {
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), []string{srv.URL + "/shared.xml"}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
			t.Fatal(err)
		}
	}
	// Reader 46 used up the day's polling time: they pay no share.
	today := time.Now().UTC().Format(time.DateOnly)
	if err := db.ChargeAccounts(ctx, []int64{46}, storage.FeedUsage{Day: today, PollTime: time.Hour}); err != nil {
		t.Fatal(err)
	}
	// The poll spaces the next by 100 × 200 ms: one poll in this test.
	// The interval is long enough that a fast poll slowed by a loaded machine (CI ran
	// one to 25 ms: 100 × that is 2.5 s) stays within it, and short of 100 × slowness.
	const interval = 10 * time.Second
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: interval, Jitter: 0.001})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()
	day := time.Now().UTC().Format(time.DateOnly)
	usage := func(account int64) time.Duration {
		t.Helper()
		u, err := db.FeedUsage(context.Background(), account, day)
		if err != nil {
			t.Fatal(err)
		}
		return u.PollTime
	}
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { return usage(42) != 0 || usage(44) != 0 }, func() string { return "the shared feed's poll was never charged" })
	cancel()
	<-done
	if n := polls.Load(); n != 1 {
		t.Fatalf("the feed was polled %d times, want once", n)
	}
	a, b := usage(42), usage(44)
	if a != b || a < slowness/2 {
		t.Fatalf("a %v poll was charged %v to one reader and %v to the other; want half each", slowness, a, b)
	}
	if c := usage(46); c != time.Hour {
		t.Fatalf("the reader out of time was charged again: %v", c)
	}
}

// Slow pages a stranger links from feeds a reader follows cost those feeds their page
// time for the day, and nothing else: the feeds keep their interval, the reader's
// polling time is not touched, none of their feeds stops, and their other feeds keep
// their full texts while the reader's page time, four feeds' worth, lasts (found by
// reviews G and H: charged as polling time, a stranger's links used up the reader's
// hour and stopped every feed of theirs; with a user's page time of two feeds' worth,
// links in two feeds used up every other feed's full texts).
func TestStrangersSlowLinksCostOnlyFullText(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	var strangerPages atomic.Int64
	stranger := serveOn(t, "127.0.0.8", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		strangerPages.Add(1)
		select { // never answers while the test runs
		case <-release:
		case <-r.Context().Done():
		}
	}))
	// A second stranger answers, with an error, just inside the page's time: as slow
	// (found by review: only pages that never answered were remembered).
	const slowPage = 200 * time.Millisecond
	var answeringPages atomic.Int64
	answering := serveOn(t, "127.0.0.11", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answeringPages.Add(1)
		time.Sleep(slowPage * 8 / 10)
		http.NotFound(w, r)
	}))
	var aggPolls [2]atomic.Int64
	var aggURLs []string
	for i, addr := range []string{"127.0.0.9", "127.0.0.10"} {
		target := []string{stranger.URL, answering.URL}[i]
		agg := serveOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(mintingFeed(int(aggPolls[i].Add(1)), 1, target, true)) // a fresh link of a stranger's each poll
		}))
		aggURLs = append(aggURLs, agg.URL+"/new.xml")
	}
	// The reader's own feed, whose teasers link fast pages on its own site.
	var ownPolls, ownPages atomic.Int64
	var own *httptest.Server
	own = serveOn(t, "127.0.0.3", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/page/") {
			ownPages.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><article><p>"+strings.Repeat("Full article text here. ", 80)+"</p></article></body></html>")
			return
		}
		w.Write(mintingFeed(int(ownPolls.Add(1)), 1, own.URL, true))
	}))
	db := openDB(t)
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), append([]string{own.URL + "/feed.xml"}, aggURLs...), nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	// The reader may spend four feeds' page time, as by default, and a second of
	// polling time: were pages charged as polling, three would use it up.
	const pagePerPoll, pagePerDay = 300 * time.Millisecond, 700 * time.Millisecond
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Minute}),
		feed.PollerOptions{Interval: 300 * time.Millisecond, Jitter: 0.001, FullTextMinWords: 50, ReaderPageTimeout: slowPage,
			MaxPageTimePerPoll: pagePerPoll, MaxReaderPageTimePerDay: pagePerDay, MaxUserPageTimePerDay: 4 * pagePerDay,
			MaxUserPollTimePerDay: time.Second})
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, nil) }()
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { return aggPolls[0].Load() >= 6 && aggPolls[1].Load() >= 6 && ownPolls.Load() >= 6 }, func() string {
		return fmt.Sprintf("the aggregators were polled %d and %d times and the reader's own feed %d; want 6 each", aggPolls[0].Load(), aggPolls[1].Load(), ownPolls.Load())
	})
	cancel()
	<-done
	// Each feed's 700 ms a day at 200 ms a page (a page that answers at 160 ms is
	// fetched once more): at most five each.
	if n, m := strangerPages.Load(), answeringPages.Load(); n > 4 || m > 5 {
		t.Errorf("the strangers' pages were asked for %d and %d times; want each feed's page time to end them", n, m)
	}
	for _, u := range aggURLs {
		f, err := db.Feed(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		if f.DayPageTime > pagePerDay+slowPage {
			t.Errorf("%s spent %v of page time, its day's is %v", u, f.DayPageTime, pagePerDay)
		}
	}
	if own, pages := ownPolls.Load(), ownPages.Load(); pages < own-1 {
		t.Errorf("the reader's own feed had %d pages fetched in %d polls: its full texts were lost", pages, own)
	}
	u, err := db.FeedUsage(context.Background(), 42, time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	if u.PollTime >= time.Second || u.PageTime >= 4*pagePerDay {
		t.Errorf("the reader was charged %v of polling time and %v of page time", u.PollTime, u.PageTime)
	}
	if d := p.Stats().FeedsDeferred; d != 0 {
		t.Errorf("%d of the reader's feeds were put off to the next day", d)
	}
}

// A feed's page time for the day bounds what its links cost, whatever servers they
// are on; the feed is still polled.
func TestAFeedsPageTimeIsBounded(t *testing.T) {
	ctx := context.Background()
	var pages atomic.Int64
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		<-r.Context().Done()
	})
	// Each address on 127.0.0.0/8 is a site of its own.
	var sites []string
	for i := range 4 {
		sites = append(sites, serveOn(t, fmt.Sprintf("127.0.1.%d", i+1), hang).URL)
	}
	var polls atomic.Int64
	agg := serveOn(t, "127.0.0.9", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(polls.Add(1))
		w.Write(mintingFeed(n, 1, sites[(n-1)%len(sites)], true))
	}))
	db := openDB(t)
	aggURL := agg.URL + "/new.xml"
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), []string{aggURL}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	const pagePerPoll, pagePerDay = 300 * time.Millisecond, 700 * time.Millisecond
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Minute}),
		feed.PollerOptions{Interval: time.Millisecond, Jitter: 0.001, FullTextMinWords: 50, ReaderPageTimeout: 10 * time.Second,
			MaxPageTimePerPoll: pagePerPoll, MaxReaderPageTimePerDay: pagePerDay})
	for range 6 {
		f, err := db.Feed(ctx, aggURL)
		if err != nil {
			t.Fatal(err)
		}
		if r := p.PollFeeds(ctx, []storage.Feed{f}); r[0].Status != feed.StatusOK {
			t.Fatalf("poll: %s %s", r[0].Status, r[0].Error)
		}
	}
	// 300 + 300 + the 100 ms left: three pages, then the feed's page time is used.
	if n := pages.Load(); n != 3 {
		t.Errorf("the stranger's pages were asked for %d times in 6 polls; want 3, until the feed's %v of page time a day was used", n, pagePerDay)
	}
	if f, _ := db.Feed(ctx, aggURL); f.DayPageTime < pagePerDay {
		t.Errorf("the feed counts %v of page time, want its day's %v used", f.DayPageTime, pagePerDay)
	}
}

// A feed several readers added shares each page's time among them, as it shares its
// polls' time: links in a popular feed cost each reader a share, not the whole (found
// by review H: each of three readers was charged the full 700 ms).
func TestSharedFeedSharesItsPageTime(t *testing.T) {
	ctx := context.Background()
	const pageTakes = 300 * time.Millisecond
	var srv *httptest.Server
	srv = serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/page/") {
			time.Sleep(pageTakes)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><article><p>"+strings.Repeat("Full article text here. ", 80)+"</p></article></body></html>")
			return
		}
		w.Write(mintingFeed(1, 1, srv.URL, true))
	}))
	db := openDB(t)
	url := srv.URL + "/shared.xml"
	for _, chat := range []int64{42, 44, 46, 48} {
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), []string{url}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
			t.Fatal(err)
		}
	}
	// Reader 48 used up the day's page time: they pay no share.
	day := time.Now().UTC().Format(time.DateOnly)
	const spent = 40 * time.Minute // the default allowance
	if err := db.ChargeAccounts(ctx, []int64{48}, storage.FeedUsage{Day: day, PageTime: spent}); err != nil {
		t.Fatal(err)
	}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{FullTextMinWords: 50})
	f, err := db.Feed(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.PollFeeds(ctx, []storage.Feed{f}); r[0].Status != feed.StatusOK || r[0].NewItems != 1 {
		t.Fatalf("poll: %+v", r[0])
	}
	var shares []time.Duration
	for _, chat := range []int64{42, 44, 46} {
		u, err := db.FeedUsage(ctx, chat, day)
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, u.PageTime)
	}
	if shares[0] != shares[1] || shares[1] != shares[2] || shares[0] < pageTakes/3 || shares[0] >= pageTakes {
		t.Fatalf("a %v page was charged %v to its three readers; want a third each", pageTakes, shares)
	}
	if u, _ := db.FeedUsage(ctx, 48, day); u.PageTime != spent {
		t.Fatalf("the reader out of page time was charged again: %v", u.PageTime)
	}
}

// Readers' feeds waiting for a worker go by their due time, put back 15 minutes for each
// 5 minutes of polling time their readers used today: a reader who used little goes
// before the slow feeds of accounts that used more, though theirs fell due first;
// accounts new today do not go before a reader who used a little (review M), nor for
// long before one who used more (review N); and the time of pages, which a feed's
// writer chooses, does not count (review M). One reader worker; three other accounts,
// each with a feed that takes 150 ms.
func TestReadersFeedsWaitByTimeUsed(t *testing.T) {
	for _, tc := range []struct {
		name           string
		honest, others storage.FeedUsage
		honestDue      time.Duration // after the others' feeds (before, when negative)
		othersGoFirst  bool
	}{
		{name: "a light reader, due last, before accounts that used 20 minutes",
			honest: storage.FeedUsage{}, others: storage.FeedUsage{PollTime: 20 * time.Minute}, honestDue: time.Minute},
		{name: "a reader who used 2 minutes, due first, before accounts new today",
			honest: storage.FeedUsage{PollTime: 2 * time.Minute}, others: storage.FeedUsage{}, honestDue: -time.Second},
		{name: "a reader whose feed's links took 30 minutes, due last, before accounts that polled for 20",
			honest: storage.FeedUsage{PageTime: 30 * time.Minute}, others: storage.FeedUsage{PollTime: 20 * time.Minute}, honestDue: time.Minute},
		// 12 minutes are two steps: put back 30 minutes.
		{name: "a reader who used 12 minutes, due 29 minutes first, after accounts new today",
			honest: storage.FeedUsage{PollTime: 12 * time.Minute}, others: storage.FeedUsage{}, honestDue: -29 * time.Minute, othersGoFirst: true},
		{name: "a reader who used 12 minutes, due 31 minutes first, before accounts new today",
			honest: storage.FeedUsage{PollTime: 12 * time.Minute}, others: storage.FeedUsage{}, honestDue: -31 * time.Minute},
		// Accounts that used 20 minutes (four steps, an hour) against a reader who used
		// 9 (one step, 15 minutes): 45 minutes apart.
		{name: "accounts that used 20 minutes, due 44 minutes before a reader who used 9, after them",
			honest: storage.FeedUsage{PollTime: 9 * time.Minute}, others: storage.FeedUsage{PollTime: 20 * time.Minute}, honestDue: 44 * time.Minute},
		{name: "accounts that used 20 minutes, due 46 minutes before a reader who used 9, before them",
			honest: storage.FeedUsage{PollTime: 9 * time.Minute}, others: storage.FeedUsage{PollTime: 20 * time.Minute}, honestDue: 46 * time.Minute, othersGoFirst: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order, wait := pollOrder(t, tc.honest, tc.others, tc.honestDue)
			t.Logf("the reader's feed was fetched %v after the poller started, in the order %v", wait, order)
			at := slices.IndexFunc(order, func(s string) bool { return strings.HasSuffix(s, "/feed.xml") })
			want := 0
			if tc.othersGoFirst {
				want = 3
			}
			if at != want {
				t.Fatalf("the reader's feed was polled at position %d of %v, want %d", at, order, want)
			}
		})
	}
}

// pollOrder runs a poller with one reader worker over a reader's feed (account 42, with
// honest charged today, due honestDue after the others) and three slow feeds of three
// accounts (with others charged), and returns the order their polls began until the
// reader's feed was polled, and how long after the start that was.
func pollOrder(t *testing.T, honest, others storage.FeedUsage, honestDue time.Duration) ([]string, time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const slowPoll = 150 * time.Millisecond
	var mu sync.Mutex
	var order []string
	var honestAt time.Time
	handler := func(delay time.Duration) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			order = append(order, r.Host+r.URL.Path)
			if delay == 0 && honestAt.IsZero() {
				honestAt = time.Now()
			}
			mu.Unlock()
			time.Sleep(delay)
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>%s</title><guid>%s</guid></item></channel></rss>`, r.URL.Path, r.URL.Path)
		})
	}
	db := openDB(t)
	limits := storage.FeedLimits{PerChat: 20, Global: 5000}
	y, m, d := time.Now().UTC().Date()
	base := time.Date(y, m, d+1, 12, 0, 0, 0, time.UTC) // all due, and one UTC day
	started := time.Now()
	now := func() time.Time { return base.Add(time.Since(started)) }
	day := base.Format(time.DateOnly)
	var accounts []int64
	var due time.Time
	for i := range 3 {
		srv := serveOn(t, fmt.Sprintf("127.0.0.%d", 10+i), handler(slowPoll))
		account := int64(100 + i)
		accounts = append(accounts, account)
		if _, _, err := db.AddOwnFeeds(ctx, account, account, activeSub(account), []string{srv.URL + "/slow.xml"}, nil, limits); err != nil {
			t.Fatal(err)
		}
		f, err := db.Feed(ctx, srv.URL+"/slow.xml")
		if err != nil {
			t.Fatal(err)
		}
		if f.NextPoll.After(due) {
			due = f.NextPoll
		}
	}
	srv := serveOn(t, "127.0.0.20", handler(0))
	url := srv.URL + "/feed.xml"
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), []string{url}, nil, limits); err != nil {
		t.Fatal(err)
	}
	f, err := db.Feed(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	f.NextPoll = due.Add(honestDue)
	if err := db.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	honest.Day, others.Day = day, day
	if err := db.ChargeAccounts(ctx, []int64{42}, honest); err != nil {
		t.Fatal(err)
	}
	if err := db.ChargeAccounts(ctx, accounts, others); err != nil {
		t.Fatal(err)
	}
	// Two workers: one for the operator's feeds, one for readers'.
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: time.Minute}),
		feed.PollerOptions{Interval: time.Hour, Jitter: 0.001, FullTextMinWords: -1, Concurrency: 2, Now: now})
	done := make(chan error, 1)
	running := time.Now()
	go func() { done <- p.Run(ctx, nil) }()
	deadline := time.After(60 * time.Second) // a bound on a hang, not a speed target
	waitUntil(t, deadline, func() bool { mu.Lock(); defer mu.Unlock(); return !honestAt.IsZero() }, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("polled only %v", order)
	})
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(order), honestAt.Sub(running)
}
