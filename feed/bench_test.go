package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
)

// makeFeed renders an RSS 2.0 feed with n items of realistic length (~180 words each,
// so no full-text fetch is triggered).
func makeFeed(feedNo, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>https://news%d.example/</link>`, feedNo, feedNo)
	body := strings.Repeat("Officials said on Tuesday that the talks would continue next week in Geneva, and that both delegations had agreed on an agenda. ", 8)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Story %d of feed %d</title><link>https://news%d.example/2026/11/story-%d?utm_source=rss</link><guid>news%d-%d</guid><pubDate>Tue, 24 Nov 2026 %02d:%02d:00 GMT</pubDate><description><![CDATA[<p>%s</p><p>%s</p>]]></description></item>`,
			i, feedNo, feedNo, i, feedNo, i, i%24, i%60, body, body)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// BenchmarkIngest serves 1,000 feeds x 50 items from one local server and measures the
// first poll (everything new: parse, dedup, store) and the second poll (all 304).
func BenchmarkIngest(b *testing.B) {
	const feeds, perFeed = 1000, 50
	bodies := make([][]byte, feeds)
	for i := range bodies {
		bodies[i] = makeFeed(i, perFeed)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/feed/%d", &n)
		etag := fmt.Sprintf(`"v%d"`, n)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bodies[n])
	}))
	defer srv.Close()
	var urls []string
	for i := range feeds {
		urls = append(urls, fmt.Sprintf("%s/feed/%d", srv.URL, i))
	}

	var firstTotal, secondTotal time.Duration
	var stored int
	for b.Loop() {
		b.StopTimer()
		db := openDB(b)
		clock := &fakeClock{t: t0}
		// One host serves everything here, so the per-host cap is lifted to measure
		// ingestion itself rather than politeness.
		p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{MaxIdleConnsPerHost: 16}), feed.PollerOptions{
			Interval: time.Minute, Concurrency: 16, PerHost: 16, FullTextMinWords: -1, Now: clock.Now})
		list := addFeeds(b, db, t0, urls...)
		b.StartTimer()

		start := time.Now()
		res := p.PollFeeds(context.Background(), list)
		firstTotal += time.Since(start)
		stored = 0
		for _, r := range res {
			if r.Status != feed.StatusOK {
				b.Fatalf("first poll %s: %s %s", r.URL, r.Status, r.Error)
			}
			stored += r.NewItems
		}
		if stored != feeds*perFeed {
			b.Fatalf("stored %d items, want %d", stored, feeds*perFeed)
		}

		clock.Advance(2 * time.Hour)
		list, _ = db.DueFeeds(context.Background(), clock.Now(), 0)
		start = time.Now()
		res = p.PollFeeds(context.Background(), list)
		secondTotal += time.Since(start)
		for _, r := range res {
			if r.Status != feed.StatusNotModified {
				b.Fatalf("second poll %s: %s", r.URL, r.Status)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(stored)*n/firstTotal.Seconds(), "items/s-first-poll")
	b.ReportMetric(firstTotal.Seconds()/n, "s/first-poll")
	b.ReportMetric(float64(feeds)*n/secondTotal.Seconds(), "feeds/s-second-poll")
	b.ReportMetric(secondTotal.Seconds()/n, "s/second-poll")
}

// BenchmarkHTMLToTextBreaks converts 1 MiB of "a<br>": before the fix each line break
// copied the whole text so far (4 to 43 s and tens of GB allocated for one feed item).
func BenchmarkHTMLToTextBreaks(b *testing.B) {
	page := strings.Repeat("a<br>", 1<<20/5)
	for b.Loop() {
		feed.HTMLToText(page)
	}
}
