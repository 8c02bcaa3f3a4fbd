package feed_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// TestFeedChaos: every misbehaving server fails with a recorded error, and none holds
// up a good feed polled at the same time.
func TestFeedChaos(t *testing.T) {
	good := `<rss version="2.0"><channel><title>Good</title><item><title>Fine</title><link>https://e.org/fine</link></item></channel></rss>`
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, good) })
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{0, 1, 2, 0xff, 0xfe, 'x'}) })
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!doctype html><html><body>Welcome</body></html>")
	})
	mux.HandleFunc("/whitespace", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte(" \n"), 5<<20)) })
	bomb := gzipped(t, bytes.Repeat([]byte("<"), 100<<20))
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop?x="+r.URL.RawQuery+"1", http.StatusFound)
	})
	mux.HandleFunc("/slowloris", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(200)
		fl, _ := w.(http.Flusher)
		for i := 0; i < 1000; i++ {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			fl.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	db := openDB(t)
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{Timeout: 2 * time.Second}), feed.PollerOptions{FullTextMinWords: -1, MaxNewItemsPerPoll: 1000, Now: func() time.Time { return t0 }})
	paths := []string{"/garbage", "/html", "/whitespace", "/bomb", "/loop", "/slowloris", "/good"}
	var urls []string
	for _, pth := range paths {
		urls = append(urls, srv.URL+pth)
	}
	start := time.Now()
	res := byURLOf(p.PollFeeds(context.Background(), addFeeds(t, db, t0, urls...)))
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("chaos held the poll up for %s", took)
	}
	if r := res[srv.URL+"/good"]; r.Status != feed.StatusOK || r.NewItems != 1 {
		t.Fatalf("good feed: %+v", r)
	}
	want := map[string]string{"/garbage": "parse", "/html": "HTML page", "/whitespace": "empty body", "/bomb": "too_large", "/loop": "redirects", "/slowloris": "timeout"}
	for pth, sub := range want {
		r := res[srv.URL+pth]
		if r.Status != feed.StatusError || !strings.Contains(r.Error, sub) {
			t.Errorf("%s: %s %q, want an error mentioning %q", pth, r.Status, r.Error, sub)
		}
		f, _ := db.Feed(context.Background(), srv.URL+pth)
		if f.LastError == "" || f.ErrorStreak != 1 {
			t.Errorf("%s: error not recorded on the feed: %+v", pth, f)
		}
	}
}

// TestDiskFull: when a write fails (the file hits its size cap), polling reports the
// error without crashing, keeps the feed's old validators so nothing is skipped, and
// the file stays consistent; with room again, the items are stored.
func TestDiskFull(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Big</title>`)
	for i := range 400 {
		fmt.Fprintf(&b, `<item><title>Item %d</title><guid>g%d</guid><description>%s</description></item>`, i, i, strings.Repeat("word ", 600))
	}
	b.WriteString(`</channel></rss>`)
	srv := newFeedServer(t, "")
	srv.set("/big.xml", []byte(b.String()))
	path := filepath.Join(t.TempDir(), "full.db")
	db, err := storage.Open(path, storage.Options{MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	p := feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{FullTextMinWords: -1, MaxNewItemsPerPoll: 1000, Now: func() time.Time { return t0 }})
	feeds := addFeeds(t, db, t0, srv.URL+"/big.xml")
	r := p.PollFeeds(context.Background(), feeds)[0]
	if r.Status != feed.StatusError || !strings.Contains(r.Error, "maximum") {
		t.Fatalf("full disk: %+v", r)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	f, _ := db.Feed(context.Background(), srv.URL+"/big.xml")
	if f.ETag != "" {
		t.Fatalf("validators stored although the items were not: %q", f.ETag)
	}
	p = feed.NewPoller(db, loopbackFetcher(feed.FetcherOptions{}), feed.PollerOptions{FullTextMinWords: -1, MaxNewItemsPerPoll: 1000, Now: func() time.Time { return t0.Add(time.Hour) }})
	r = p.PollFeeds(context.Background(), []storage.Feed{f})[0]
	if r.Status != feed.StatusOK || r.NewItems != 400 {
		t.Fatalf("after the disk had room again: %+v", r)
	}
}
