package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
)

// mintingFeed renders a feed whose n items all have fresh GUIDs on every poll, dated a
// minute apart (item 0 newest), with teasers short enough to ask for full text.
func mintingFeed(poll, n int, base string, teaser bool) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Minter</title>`)
	text := strings.Repeat("Officials said talks would continue next week in Geneva. ", 20)
	if teaser {
		text = "A short teaser."
	}
	for i := range n {
		pub := t0.Add(-time.Duration(i) * time.Minute).Format(time.RFC1123Z)
		fmt.Fprintf(&b, `<item><title>Poll %d story %d</title><link>%s/page/%d-%d</link><guid>p%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			poll, i, base, poll, i, poll, i, pub, text)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// A feed that brings thousands of new items per poll stores only the newest N, and
// fetches at most M article pages; both cuts are counted.
func TestPerPollBudgets(t *testing.T) {
	var pages atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/page/") {
			pages.Add(1)
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body><article><p>"+strings.Repeat("Full article text here. ", 80)+"</p></article></body></html>")
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(mintingFeed(1, 1000, srv.URL, true))
	}))
	defer srv.Close()
	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{
		MaxNewItemsPerPoll: 50, MaxFullTextPerPoll: 5, Now: func() time.Time { return t0 }})
	feeds := addFeeds(t, db, t0, srv.URL+"/feed.xml")
	r := p.PollFeeds(context.Background(), feeds)[0]
	if r.Status != feed.StatusOK || r.NewItems != 50 || r.Skipped != 950 {
		t.Fatalf("result %+v", r)
	}
	if n := pages.Load(); n != 5 {
		t.Fatalf("%d article pages fetched, want 5", n)
	}
	st := p.Stats()
	if st.ItemsCapped != 950 || st.PagesCapped != 45 {
		t.Fatalf("stats %+v", st)
	}
	items, _ := db.Items(context.Background(), 0)
	for _, it := range items {
		var n int
		fmt.Sscanf(it.Title, "Poll 1 story %d", &n)
		if n >= 50 {
			t.Fatalf("an old item was stored instead of a new one: %q", it.Title)
		}
	}
	// The newest came first: the five full texts are the five newest stories.
	full := 0
	for _, it := range items {
		var n int
		fmt.Sscanf(it.Title, "Poll 1 story %d", &n)
		if it.FullText {
			full++
			if n >= 5 {
				t.Fatalf("full text fetched for story %d before the newest", n)
			}
		}
	}
	if full != 5 {
		t.Fatalf("%d items with full text", full)
	}
}

// BenchmarkIngestFlood polls a feed that returns 10,000 new items on every poll (fresh
// GUIDs each time): what is stored, how long a poll takes, and how much it allocates.
func BenchmarkIngestFlood(b *testing.B) {
	poll := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(mintingFeed(poll, 10_000, "https://minter.example", false))
	}))
	defer srv.Close()
	db := openDB(b)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{MaxBodyBytes: 64 << 20}), feed.PollerOptions{FullTextMinWords: -1, Now: time.Now})
	feeds := addFeeds(b, db, t0, srv.URL+"/feed.xml")
	var stored, skipped int
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	b.ResetTimer()
	for i := range b.N {
		poll = i
		r := p.PollFeeds(context.Background(), feeds)[0]
		if r.Status != feed.StatusOK {
			b.Fatalf("poll: %+v", r)
		}
		stored += r.NewItems
		skipped += r.Skipped
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(stored)/float64(b.N), "stored/poll")
	b.ReportMetric(float64(skipped)/float64(b.N), "skipped/poll")
	b.ReportMetric(float64(ms.TotalAlloc-before)/float64(b.N)/(1<<20), "MB-alloc/poll")
}
