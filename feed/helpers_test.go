package feed_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// feedServer serves files from a directory on 127.0.0.1 with ETag and Last-Modified
// validators, answering conditional requests with 304 like a well-behaved publisher.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	requests map[string]int
	// ignoreValidators makes the server always answer 200, as many real ones do.
	ignoreValidators bool
}

func newFeedServer(t testing.TB, dir string) *feedServer {
	t.Helper()
	fs := &feedServer{files: map[string][]byte{}, requests: map[string]int{}}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			fs.files["/"+e.Name()] = data
		}
	}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(path string, body []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.files[path] = body
}

func (fs *feedServer) count(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests[path]
}

var lastModified = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	fs.requests[r.URL.Path]++
	body, ok := fs.files[r.URL.Path]
	ignore := fs.ignoreValidators
	fs.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if !ignore {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastModified)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	switch {
	case strings.HasSuffix(r.URL.Path, ".json"):
		w.Header().Set("Content-Type", "application/feed+json")
	case strings.HasSuffix(r.URL.Path, ".html"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/xml")
	}
	w.Write(body)
}

// openDB opens a real bbolt file in a temp dir.
func openDB(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "newsbot.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loopbackFetcher allows private networks, as tests on 127.0.0.1 must.
func loopbackFetcher(opts feed.FetcherOptions) *feed.Fetcher {
	opts.AllowPrivateNetworks = true
	return feed.NewFetcher(opts)
}

// allowOnly permits exactly the address of srv, so the guard still applies elsewhere.
func allowOnly(srv *httptest.Server) func(netip.AddrPort) bool {
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	return func(a netip.AddrPort) bool { return a == ap }
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// waitUntil checks cond every 20 ms until it holds; at deadline (a bound on a hang,
// not a speed target) it fails the test with what fail says.
func waitUntil(t *testing.T, deadline <-chan time.Time, cond func() bool, fail func() string) {
	t.Helper()
	for !cond() {
		select {
		case <-deadline:
			t.Fatal(fail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// activeSub returns the subscriber record AddOwnFeeds makes for a new chat.
func activeSub(chat int64) func() storage.Subscriber {
	return func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
}
