package feed_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func addFeeds(t testing.TB, db *storage.DB, now time.Time, urls ...string) []storage.Feed {
	t.Helper()
	var out []storage.Feed
	for _, u := range urls {
		if _, err := db.AddFeed(context.Background(), u, now); err != nil {
			t.Fatal(err)
		}
		f, err := db.Feed(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func countItems(t *testing.T, db *storage.DB) int {
	t.Helper()
	items, err := db.Items(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

func TestPollRealFeedsTwice(t *testing.T) {
	srv := newFeedServer(t, "testdata/feeds")
	db := openDB(t)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{
		Interval: time.Minute, FullTextMinWords: -1, Now: clock.Now})
	ctx := context.Background()

	good := []string{"rss_2.0_bbc.xml", "atom_example_1.xml", "jsonfeed_example_1.json",
		"rss_1.0_example_1.xml", "rss_0.91_spec_1.xml", "latin1_no_decl.rss", "reused_guid.xml"}
	bad := []string{"rss_2.0_invalid_1.xml", "null_items.json", "missing.xml"}
	var urls []string
	for _, f := range append(append([]string{}, good...), bad...) {
		urls = append(urls, srv.URL+"/"+f)
	}
	addFeeds(t, db, clock.Now(), urls...)

	results, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(urls) {
		t.Fatalf("%d results for %d feeds", len(results), len(urls))
	}
	byURL := map[string]feed.Result{}
	total := 0
	for _, r := range results {
		byURL[r.URL] = r
		total += r.NewItems
	}
	for _, f := range good {
		r := byURL[srv.URL+"/"+f]
		if r.Status != feed.StatusOK || r.NewItems == 0 {
			t.Errorf("%s: status %s, %d new, error %q", f, r.Status, r.NewItems, r.Error)
		}
	}
	for _, f := range bad {
		r := byURL[srv.URL+"/"+f]
		if r.Status != feed.StatusError || r.Error == "" {
			t.Errorf("%s: status %s, want error", f, r.Status)
		}
		stored, err := db.Feed(ctx, srv.URL+"/"+f)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ErrorStreak != 1 || stored.LastError == "" {
			t.Errorf("%s: stored streak %d error %q", f, stored.ErrorStreak, stored.LastError)
		}
	}
	if n := countItems(t, db); n != total {
		t.Fatalf("stored %d items, results say %d", n, total)
	}

	// Second poll: every good feed answers 304; nothing is added.
	clock.Advance(2 * time.Hour)
	results, err = p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.NewItems != 0 {
			t.Errorf("%s: %d new items on re-poll", r.URL, r.NewItems)
		}
	}
	for _, f := range good {
		if r := byURLOf(results)[srv.URL+"/"+f]; r.Status != feed.StatusNotModified {
			t.Errorf("%s: second poll status %s, want not_modified", f, r.Status)
		}
	}
	if n := countItems(t, db); n != total {
		t.Fatalf("re-poll changed item count %d -> %d", total, n)
	}
}

func byURLOf(rs []feed.Result) map[string]feed.Result {
	m := map[string]feed.Result{}
	for _, r := range rs {
		m[r.URL] = r
	}
	return m
}

func TestRepollWithoutValidatorsAddsNoDuplicates(t *testing.T) {
	srv := newFeedServer(t, "testdata/feeds")
	srv.ignoreValidators = true
	db := openDB(t)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: time.Minute, FullTextMinWords: -1, Now: clock.Now})
	feeds := addFeeds(t, db, t0, srv.URL+"/jsonfeed_example_1.json", srv.URL+"/reused_guid.xml", srv.URL+"/latin1_no_decl.rss")
	first := p.PollFeeds(context.Background(), feeds)
	n := countItems(t, db)
	if n == 0 {
		t.Fatalf("first poll stored nothing: %+v", first)
	}
	for range 3 {
		clock.Advance(time.Hour)
		for _, r := range p.PollFeeds(context.Background(), feeds) {
			if r.Status != feed.StatusOK || r.NewItems != 0 {
				t.Fatalf("re-poll %s: %s, %d new", r.URL, r.Status, r.NewItems)
			}
		}
	}
	if got := countItems(t, db); got != n {
		t.Fatalf("items %d -> %d after re-polls", n, got)
	}
	// The reused-GUID feed keeps all three of its distinct stories.
	f, _ := db.Feed(context.Background(), srv.URL+"/reused_guid.xml")
	if !f.GUIDsUnreliable {
		t.Fatal("feed not marked as reusing GUIDs")
	}
}

func TestRetryAfterMovesNextPoll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	db := openDB(t)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: 10 * time.Second, Now: clock.Now})
	feeds := addFeeds(t, db, t0, srv.URL+"/feed")
	r := p.PollFeeds(context.Background(), feeds)[0]
	if r.Status != feed.StatusError {
		t.Fatalf("status %s", r.Status)
	}
	f, _ := db.Feed(context.Background(), srv.URL+"/feed")
	if d := f.NextPoll.Sub(t0); d < 120*time.Second {
		t.Fatalf("next poll in %s, want at least 120s", d)
	}
	due, _ := db.DueFeeds(context.Background(), t0.Add(119*time.Second), 0)
	if len(due) != 0 {
		t.Fatalf("feed due again before Retry-After elapsed")
	}
}

func TestBackoffAndBroken(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	db := openDB(t)
	clock := &fakeClock{t: t0}
	interval := time.Minute
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{
		Interval: interval, MaxBackoff: 24 * time.Hour, BrokenAfter: 10, Now: clock.Now})
	addFeeds(t, db, t0, srv.URL+"/feed")
	var delays []time.Duration
	for i := range 14 {
		if _, err := p.PollDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		f, _ := db.Feed(context.Background(), srv.URL+"/feed")
		if f.ErrorStreak != i+1 {
			t.Fatalf("poll %d: streak %d", i, f.ErrorStreak)
		}
		delays = append(delays, f.NextPoll.Sub(clock.Now()))
		if f.Broken != (i+1 >= 10) {
			t.Fatalf("poll %d: broken=%v", i, f.Broken)
		}
		if !strings.Contains(f.LastError, "HTTP 500") {
			t.Fatalf("last error %q", f.LastError)
		}
		clock.Advance(f.NextPoll.Sub(clock.Now()))
	}
	for i, d := range delays {
		base := interval << i
		if base > 24*time.Hour {
			base = 24 * time.Hour
		}
		if d < base || d > base+base/10 {
			t.Errorf("error %d: delay %s, want %s (+10%% jitter)", i+1, d, base)
		}
	}
	if int(hits.Load()) != 14 {
		t.Fatalf("server hit %d times", hits.Load())
	}
	// A broken feed is kept, not deleted.
	if _, err := db.Feed(context.Background(), srv.URL+"/feed"); err != nil {
		t.Fatal(err)
	}
}

func TestSuccessResetsStreakAndHonoursTTL(t *testing.T) {
	srv := newFeedServer(t, "")
	srv.set("/ttl.xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><ttl>90</ttl>
<item><title>Only</title><link>https://example.org/only</link><description>x</description></item></channel></rss>`))
	db := openDB(t)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: 15 * time.Minute, FullTextMinWords: -1, Now: clock.Now})
	feeds := addFeeds(t, db, t0, srv.URL+"/ttl.xml")
	feeds[0].ErrorStreak, feeds[0].LastError = 3, "old"
	if err := db.UpdateFeed(context.Background(), feeds[0]); err != nil {
		t.Fatal(err)
	}
	p.PollFeeds(context.Background(), feeds)
	f, _ := db.Feed(context.Background(), srv.URL+"/ttl.xml")
	if f.ErrorStreak != 0 || f.LastError != "" {
		t.Fatalf("streak %d error %q after success", f.ErrorStreak, f.LastError)
	}
	if d := f.NextPoll.Sub(t0); d < 90*time.Minute || d > 99*time.Minute {
		t.Fatalf("next poll in %s, want the 90m TTL", d)
	}
	if f.Title != "T" || f.ETag == "" {
		t.Fatalf("feed title %q etag %q", f.Title, f.ETag)
	}
}

func TestMalformedFeedDoesNotStopOthers(t *testing.T) {
	srv := newFeedServer(t, "")
	srv.set("/good.xml", []byte(`<rss version="2.0"><channel><title>G</title><item><title>A</title><link>https://e.org/a</link></item></channel></rss>`))
	srv.set("/html.xml", []byte(`<!DOCTYPE html><html><body>Not a feed</body></html>`))
	srv.set("/garbage.xml", []byte("\x00\xff\xfe garbage"))
	srv.set("/spaces.xml", []byte(strings.Repeat(" ", 5<<20)))
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{FullTextMinWords: -1, Now: func() time.Time { return t0 }})
	feeds := addFeeds(t, db, t0, srv.URL+"/html.xml", srv.URL+"/garbage.xml", srv.URL+"/spaces.xml", srv.URL+"/good.xml")
	res := byURLOf(p.PollFeeds(context.Background(), feeds))
	if r := res[srv.URL+"/good.xml"]; r.Status != feed.StatusOK || r.NewItems != 1 {
		t.Fatalf("good feed: %+v", r)
	}
	if r := res[srv.URL+"/html.xml"]; !strings.Contains(r.Error, "HTML page") {
		t.Errorf("html feed error %q", r.Error)
	}
	for _, u := range []string{"/garbage.xml", "/spaces.xml"} {
		if r := res[srv.URL+u]; r.Status != feed.StatusError {
			t.Errorf("%s: %+v", u, r)
		}
	}
}

func TestFullTextFetchedForTeasers(t *testing.T) {
	page, err := os.ReadFile("testdata/readability/ars-1/source.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := newFeedServer(t, "")
	srv.set("/article.html", page)
	srv.set("/feed.xml", []byte(fmt.Sprintf(`<rss version="2.0"><channel><title>Teasers</title>
<item><title>Minecraft exploit</title><link>%[1]s/article.html</link><guid>a1</guid><description>A short teaser.</description></item>
<item><title>Gone</title><link>%[1]s/missing.html</link><guid>a2</guid><description>Another teaser.</description></item>
</channel></rss>`, srv.URL)))
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: func() time.Time { return t0 }})
	feeds := addFeeds(t, db, t0, srv.URL+"/feed.xml")
	r := p.PollFeeds(context.Background(), feeds)[0]
	if r.Status != feed.StatusOK || r.NewItems != 2 {
		t.Fatalf("%+v", r)
	}
	items, _ := db.Items(context.Background(), 0)
	byGUID := map[string]storage.Item{}
	for _, it := range items {
		byGUID[it.GUID] = it
	}
	full := byGUID["a1"]
	if !full.FullText || full.Words < 300 || !strings.Contains(full.Text, "Minecraft") {
		t.Fatalf("full text not extracted: full=%v words=%d", full.FullText, full.Words)
	}
	if full.Teaser != "A short teaser." {
		t.Fatalf("teaser lost: %q", full.Teaser)
	}
	gone := byGUID["a2"]
	if gone.FullText || gone.Text != "Another teaser." {
		t.Fatalf("failed page fetch should keep the teaser: %+v", gone)
	}
	// The page is fetched once; a re-poll of known items fetches nothing.
	srv.ignoreValidators = true
	p.PollFeeds(context.Background(), feeds)
	if n := srv.count("/article.html"); n != 1 {
		t.Fatalf("article fetched %d times", n)
	}
}

func TestPerHostConcurrency(t *testing.T) {
	var cur, peak atomic.Int32
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		mu.Lock()
		if n > peak.Load() {
			peak.Store(n)
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
		fmt.Fprint(w, `<rss version="2.0"><channel><title>x</title></channel></rss>`)
	}))
	defer srv.Close()
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Concurrency: 8, PerHost: 2, Now: func() time.Time { return t0 }})
	var urls []string
	for i := range 12 {
		urls = append(urls, fmt.Sprintf("%s/f%d", srv.URL, i))
	}
	p.PollFeeds(context.Background(), addFeeds(t, db, t0, urls...))
	if peak.Load() > 2 {
		t.Fatalf("%d concurrent requests to one host, limit 2", peak.Load())
	}
	if peak.Load() < 2 {
		t.Logf("peak concurrency %d (timing-dependent, not asserted)", peak.Load())
	}
}

func TestPollDueSkipsFeedsNotDue(t *testing.T) {
	srv := newFeedServer(t, "testdata/feeds")
	db := openDB(t)
	clock := &fakeClock{t: t0}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: time.Hour, FullTextMinWords: -1, Now: clock.Now})
	addFeeds(t, db, t0, srv.URL+"/rss_2.0_bbc.xml")
	if _, err := p.PollDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	res, err := p.PollDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 0 || srv.count("/rss_2.0_bbc.xml") != 1 {
		t.Fatalf("polled a feed that was not due: %d results, %d requests", len(res), srv.count("/rss_2.0_bbc.xml"))
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, nil) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// A reader's feed stores at most its day's text, newest items first, and an item keeps
// the feed's text once, not again as a teaser (found by review: 100 items of 100,000
// characters grew the store by 37 MB in one poll, 4 GB a day for one chat's feeds).
func TestReaderFeedTextPerDayIsBounded(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	var body strings.Builder
	body.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Mine</title>`)
	text := strings.Repeat("lorem ipsum ", 8000) // 96,000 bytes
	for i := range 100 {
		// Newest first, as feeds list them; item 99 is the oldest.
		fmt.Fprintf(&body, `<item><title>t%d</title><link>https://example.com/%d</link><guid>g%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			i, i, i, t0.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), text)
	}
	body.WriteString(`</channel></rss>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(body.String()))
	}))
	defer srv.Close()
	u := srv.URL + "/mine.xml"
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, func() storage.Subscriber { return storage.Subscriber{ChatID: 42, Active: true} },
		[]string{u}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: t0}
	const budget = 1 << 20
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: clock.Now, FullTextMinWords: -1, MaxReaderBytesPerDay: budget})
	poll := func() {
		t.Helper()
		f, err := db.Feed(ctx, u)
		if err != nil || f.Operator() {
			t.Fatalf("feed %+v: %v", f, err)
		}
		for _, r := range p.PollFeeds(ctx, []storage.Feed{f}) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	poll()
	items, err := db.Items(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, it := range items {
		stored += len(it.Text) + len(it.Teaser)
		if it.Teaser != "" {
			t.Errorf("item %q keeps its feed text twice", it.Title)
		}
		if it.Title == "t99" {
			t.Errorf("the oldest item was stored before newer ones")
		}
	}
	t.Logf("one poll of 100 items of %d bytes stored %d items, %d bytes of text", len(text), len(items), stored)
	if len(items) == 0 || stored > budget+len(text)+1000 {
		t.Fatalf("%d items, %d bytes stored; the day's budget is %d", len(items), stored, budget)
	}
	first := len(items)
	poll() // the same day: nothing more
	if n := countItems(t, db); n != first {
		t.Fatalf("a second poll on the same day stored %d more", n-first)
	}
	// A new day: more of the older items, though the server answers 304 to the
	// validators of the poll that left them out.
	clock.Advance(24 * time.Hour)
	poll()
	if n := countItems(t, db); n <= first {
		t.Fatalf("the next day stored nothing (%d items)", n)
	}
}

// A reader's feed has at most its day's article pages fetched, whatever each poll
// allows: a page costs up to 4 MiB read and parsed (found by review). Its chat's
// allowance, shared by all its own feeds, bounds them too.
func TestReaderFeedPagesPerDayAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    feed.PollerOptions
		fetched int
	}{
		{"the feed's day", feed.PollerOptions{MaxFullTextPerPoll: 20, MaxReaderPagesPerDay: 5}, 5},
		{"the chat's day", feed.PollerOptions{MaxFullTextPerPoll: 20, MaxReaderPagesPerDay: 20, MaxUserPagesPerDay: 3}, 3},
		{"the chat's items", feed.PollerOptions{MaxFullTextPerPoll: 20, MaxUserItemsPerDay: 4}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			page, err := os.ReadFile("testdata/readability/ars-1/source.html")
			if err != nil {
				t.Fatal(err)
			}
			srv := newFeedServer(t, "")
			srv.set("/article.html", page)
			var b strings.Builder
			b.WriteString(`<rss version="2.0"><channel><title>Teasers</title>`)
			for i := range 12 {
				fmt.Fprintf(&b, `<item><title>Story %d</title><link>%s/article.html?n=%d</link><guid>g%d</guid><description>A teaser.</description></item>`, i, srv.URL, i, i)
			}
			b.WriteString(`</channel></rss>`)
			srv.set("/feed.xml", []byte(b.String()))
			db := openDB(t)
			u := srv.URL + "/feed.xml"
			if _, _, err := db.AddOwnFeeds(ctx, 42, 42, func() storage.Subscriber { return storage.Subscriber{ChatID: 42, Active: true} },
				[]string{u}, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
				t.Fatal(err)
			}
			opts := tc.opts
			opts.Now = func() time.Time { return t0 }
			p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), opts)
			f, err := db.Feed(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			r := p.PollFeeds(ctx, []storage.Feed{f})[0]
			stored := r.NewItems
			if opts.MaxUserItemsPerDay == 0 && stored != 12 || opts.MaxUserItemsPerDay > 0 && stored != opts.MaxUserItemsPerDay {
				t.Fatalf("%+v", r)
			}
			if n := srv.count("/article.html"); n != tc.fetched {
				t.Fatalf("%d pages fetched for a reader's feed, want %d", n, tc.fetched)
			}
			if got := p.Stats().PagesCapped; got != int64(stored-tc.fetched) {
				t.Fatalf("pages capped %d, want %d", got, stored-tc.fetched)
			}
			use, err := db.FeedUsage(ctx, 42, t0.UTC().Format("2006-01-02"))
			if err != nil || use.Pages != tc.fetched || use.Items != stored {
				t.Fatalf("the chat was charged %+v (%v), want %d pages and %d items", use, err, tc.fetched, stored)
			}
		})
	}
}

// All the feeds one reader added share a daily allowance, in their own chat and in the
// groups they add feeds to: more feeds or more groups do not multiply it, and neither
// removing and re-adding a feed, /forget nor a restart starts the day afresh. A feed
// that another reader also added still serves that reader, on their account.
func TestReaderFeedsShareADailyAllowance(t *testing.T) {
	ctx := context.Background()
	text := strings.Repeat("lorem ipsum ", 8000) // 96,000 bytes an item
	var minted atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every feed mints fresh items on every request: the worst a reader can add.
		poll := minted.Add(1)
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>`, r.URL.Path)
		for i := range 30 {
			fmt.Fprintf(&b, `<item><title>%s %d</title><link>%s%s/%d-%d</link><guid>%s-%d-%d</guid><description>%s</description></item>`,
				r.URL.Path, i, srv.URL, r.URL.Path, poll, i, r.URL.Path, poll, i, text)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	db := openDB(t)
	feedA, feedB, feedC := srv.URL+"/a.xml", srv.URL+"/b.xml", srv.URL+"/c.xml"
	const hostile, group, other = 42, -100, 43
	add := func(chat, by int64, urls ...string) {
		t.Helper()
		if _, _, err := db.AddOwnFeeds(ctx, chat, by, func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} },
			urls, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(chat int64, url string) {
		t.Helper()
		if _, err := db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error {
			s.OwnFeeds = slices.DeleteFunc(s.OwnFeeds, func(u string) bool { return u == url })
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fakeClock{t: t0}
	const perFeed, perReader = 4 << 20, 1 << 20
	var p *feed.Poller
	restart := func() { // a new poller knows only what is stored
		p = feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: clock.Now, FullTextMinWords: -1,
			MaxReaderBytesPerDay: perFeed, MaxUserBytesPerDay: perReader})
	}
	restart()
	poll := func(urls ...string) (stored int) {
		t.Helper()
		for _, u := range urls {
			f, err := db.Feed(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.PollFeeds(ctx, []storage.Feed{f}) {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				stored += r.NewItems
			}
		}
		return stored
	}
	usage := func(account int64) storage.FeedUsage {
		t.Helper()
		u, err := db.FeedUsage(ctx, account, clock.Now().UTC().Format("2006-01-02"))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	// The per-feed allowance alone would let each feed store 4 MiB; the reader has 1 MiB
	// over their own chat's feed and the one they added to a group.
	add(hostile, hostile, feedA)
	add(group, hostile, feedB)
	first := poll(feedA, feedB)
	perItem := int64(len(text))
	if u := usage(hostile); first == 0 || u.Bytes > perReader+perItem+1000 || u.Items != first {
		t.Fatalf("two feeds stored %d items; the reader's usage %+v, their day's allowance %d bytes", first, u, perReader)
	}
	if u := usage(group); u.Items != 0 {
		t.Fatalf("the group was charged %+v for its member's feed", u)
	}
	// Restarted, and with the feed removed and added again (its own counters start
	// again), nothing more: only the stored usage stands in the way.
	remove(hostile, feedA)
	add(hostile, hostile, feedA)
	restart()
	if n := poll(feedA, feedB); n != 0 {
		t.Fatalf("after a restart and a re-added feed, %d more were stored on the reader's used-up day", n)
	}
	// Nor does forgetting the chat and starting over.
	if _, err := db.EraseChat(ctx, hostile, hostile, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	add(hostile, hostile, feedA)
	restart()
	if n := poll(feedA); n != 0 {
		t.Fatalf("after /forget a feed stored %d more on the reader's used-up day", n)
	}
	// Another reader who added the same feed gets it, and is charged for it; so is the
	// reader who had used up their day (they read it too).
	before := usage(hostile)
	add(other, other, feedA, feedC)
	if n := poll(feedA); n == 0 {
		t.Fatal("a feed another reader also added stored nothing for them")
	}
	if u := usage(other); u.Items == 0 || u.Bytes > perReader+perItem+1000 {
		t.Fatalf("the other reader's usage %+v", u)
	}
	if u := usage(hostile); u.Items <= before.Items {
		t.Fatalf("the reader who also has the feed was not charged: %+v then %+v", before, u)
	}
	// The next day starts afresh.
	clock.Advance(24 * time.Hour)
	if n := poll(feedC); n == 0 {
		t.Fatal("the next day stored nothing")
	}
	if n, err := db.PruneFeedUsage(ctx, clock.Now().UTC().Format("2006-01-02")); err != nil || n != 1 {
		t.Fatalf("pruned %d past days' usage (%v), want 1 (the first reader's)", n, err)
	}
}

// Every item stored repeats its feed's address and title: the reader's day of bytes
// counts them, or a long address stores far more than it is charged (review 76: 1,000
// tiny items of a 30 KB address grew the store 161 MB and were charged 3.9 KB). Index
// keys no longer hold the address (storage's TestIndexKeysDoNotGrowWithTheAddress).
func TestReaderFeedIsChargedForItsAddress(t *testing.T) {
	ctx := context.Background()
	title := strings.Repeat("T", 400)
	var body strings.Builder
	body.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + title + `</title>`)
	for i := range 200 {
		fmt.Fprintf(&body, `<item><title>t</title><guid>%d</guid></item>`, i)
	}
	body.WriteString(`</channel></rss>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body.String()))
	}))
	defer srv.Close()
	db := openDB(t)
	u := srv.URL + "/f?q="
	u += strings.Repeat("a", storage.MaxURLBytes-len(u))
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, activeSub(42), []string{u}, nil, storage.FeedLimits{PerChat: 20, Global: 100}); err != nil {
		t.Fatal(err)
	}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: func() time.Time { return t0 },
		FullTextMinWords: -1, MaxNewItemsPerPoll: 1000})
	f, err := db.Feed(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, r := range p.PollFeeds(ctx, []storage.Feed{f}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		stored += r.NewItems
	}
	use, err := db.FeedUsage(ctx, 42, t0.UTC().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	if repeated := int64(stored * (len(u) + len(title))); stored != 200 || use.Bytes < repeated {
		t.Fatalf("%d items of a feed of a %d-byte address and a %d-byte title were charged %d bytes; they repeat %d",
			stored, len(u), len(title), use.Bytes, repeated)
	}
}

// A reader's feeds polled at the same time share one allowance: a reader's new feeds
// are all due at once, and each must not spend the day's allowance again.
func TestReaderAllowanceHoldsUnderConcurrentPolls(t *testing.T) {
	ctx := context.Background()
	text := strings.Repeat("lorem ipsum ", 4000) // 48,000 bytes an item
	var body strings.Builder
	body.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Busy</title>`)
	for i := range 40 {
		fmt.Fprintf(&body, `<item><title>t%d</title><link>https://example.com/%d</link><guid>g%d</guid><description>%s</description></item>`, i, i, i, text)
	}
	body.WriteString(`</channel></rss>`)
	const feeds = 16
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(body.String()))
	}))
	defer srv.Close()
	db := openDB(t)
	var urls []string
	for i := range feeds {
		urls = append(urls, fmt.Sprintf("%s/feed%d.xml", srv.URL, i))
	}
	if _, _, err := db.AddOwnFeeds(ctx, 42, 42, func() storage.Subscriber { return storage.Subscriber{ChatID: 42, Active: true} },
		urls, nil, storage.FeedLimits{PerChat: 20, Global: 5000}); err != nil {
		t.Fatal(err)
	}
	const perReader = 1 << 20
	// Every poll reads the stored usage before any of them stores: the worst order.
	together := &readTogether{DB: db, n: feeds, all: make(chan struct{})}
	p := feed.NewPoller(together, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: func() time.Time { return t0 },
		FullTextMinWords: -1, Concurrency: feeds, PerHost: feeds, MaxUserBytesPerDay: perReader})
	var due []storage.Feed
	for _, u := range urls {
		f, err := db.Feed(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		due = append(due, f)
	}
	stored := 0
	for _, r := range p.PollFeeds(ctx, due) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		stored += r.NewItems
	}
	use, err := db.FeedUsage(ctx, 42, t0.UTC().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d feeds polled at once stored %d items, %d bytes; the reader's day is %d bytes", feeds, stored, use.Bytes, perReader)
	if stored == 0 || use.Items != stored || use.Bytes > perReader+int64(len(text))+1000 {
		t.Fatalf("%d feeds polled at once stored %d items; the reader was charged %+v for a day of %d bytes", feeds, stored, use, perReader)
	}
}

// readTogether is the real store, whose FeedAccountsUsage returns only once n polls
// have read it (or after 10 s), so that concurrent polls all see the usage as it was
// before any of them stored.
type readTogether struct {
	*storage.DB
	mu  sync.Mutex
	n   int
	all chan struct{}
}

func (s *readTogether) FeedAccountsUsage(ctx context.Context, url, day string) (map[int64]storage.FeedUsage, error) {
	u, err := s.DB.FeedAccountsUsage(ctx, url, day)
	s.mu.Lock()
	if s.n--; s.n == 0 {
		close(s.all)
	}
	s.mu.Unlock()
	select {
	case <-s.all:
	case <-time.After(10 * time.Second):
	}
	return u, err
}

// A feed that links its items relatively (to its own site) still gets their full text:
// the poller reads links against the feed's address.
func TestRelativeItemLinksAreFetched(t *testing.T) {
	page, err := os.ReadFile("testdata/readability/ars-1/source.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := newFeedServer(t, "")
	srv.set("/2026/article.html", page)
	srv.set("/feeds/teasers.xml", []byte(`<rss version="2.0"><channel><title>Teasers</title>
<item><title>Minecraft exploit</title><link>../2026/article.html</link><guid>a1</guid><description>A short teaser.</description></item>
</channel></rss>`))
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: func() time.Time { return t0 }})
	r := p.PollFeeds(context.Background(), addFeeds(t, db, t0, srv.URL+"/feeds/teasers.xml"))[0]
	if r.Status != feed.StatusOK || r.NewItems != 1 {
		t.Fatalf("%+v", r)
	}
	items, _ := db.Items(context.Background(), 0)
	if len(items) != 1 || items[0].URL != srv.URL+"/2026/article.html" || !items[0].FullText {
		t.Fatalf("item: url %q full text %v", items[0].URL, items[0].FullText)
	}
}

// A feed's validators are kept only when short (its server chooses them: one of 60 KiB
// made the feed's record 120 KB, rewritten at every poll; review 86), an error's text
// is cut, and the feed's record says how many entries its document listed (what its
// dedup keys are kept for).
func TestPollKeepsShortValidatorsAndTheListing(t *testing.T) {
	ctx := context.Background()
	etag := `"` + strings.Repeat("e", 300) + `"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>` +
			`<item><title>a</title><guid>1</guid></item><item><title>b</title><guid>2</guid></item><item><title>c</title><guid>3</guid></item></channel></rss>`))
	}))
	defer srv.Close()
	db := openDB(t)
	u := srv.URL + "/feed.xml"
	if _, err := db.AddFeed(ctx, u, t0); err != nil {
		t.Fatal(err)
	}
	f, err := db.Feed(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{Now: func() time.Time { return t0 }, FullTextMinWords: -1})
	if r := p.PollFeeds(ctx, []storage.Feed{f})[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	if f, err = db.Feed(ctx, u); err != nil {
		t.Fatal(err)
	}
	if f.ETag != "" || f.LastModified != "Wed, 02 Dec 2026 10:00:00 GMT" || f.Listed != 3 {
		t.Errorf("kept ETag of %d bytes, Last-Modified %q, listed %d; want no ETag, the date, 3", len(f.ETag), f.LastModified, f.Listed)
	}
}
