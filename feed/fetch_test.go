package feed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
)

func fetchKind(t *testing.T, err error) feed.ErrorKind {
	t.Helper()
	var fe *feed.FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *feed.FetchError", err, err)
	}
	return fe.Kind
}

func TestFetchConditionalGET(t *testing.T) {
	srv := newFeedServer(t, "testdata/feeds")
	f := loopbackFetcher(feed.FetcherOptions{})
	ctx := context.Background()
	first, err := f.Fetch(ctx, feed.Request{URL: srv.URL + "/rss_2.0_bbc.xml"})
	if err != nil {
		t.Fatal(err)
	}
	if first.ETag == "" || first.LastModified == "" || len(first.Body) == 0 {
		t.Fatalf("first fetch: etag %q last-modified %q body %d bytes", first.ETag, first.LastModified, len(first.Body))
	}
	second, err := f.Fetch(ctx, feed.Request{URL: srv.URL + "/rss_2.0_bbc.xml", ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Body != nil {
		t.Fatalf("second fetch: NotModified=%v body=%d bytes, want 304 with no body", second.NotModified, len(second.Body))
	}
}

func TestFetchSendsUserAgentAndDecodesGzip(t *testing.T) {
	var gotUA, gotAE string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAE = r.UserAgent(), r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipped(t, []byte("<rss>hello</rss>")))
	}))
	defer srv.Close()
	resp, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gotUA, "newsbot/") {
		t.Errorf("User-Agent = %q", gotUA)
	}
	if !strings.Contains(gotAE, "gzip") {
		t.Errorf("Accept-Encoding = %q, want gzip", gotAE)
	}
	if string(resp.Body) != "<rss>hello</rss>" {
		t.Errorf("body = %q", resp.Body)
	}
}

func TestFetchBodyCap(t *testing.T) {
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: the cap must be counted while reading.
		for range 20 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: srv.URL})
	if err == nil {
		t.Fatal("20 MiB body accepted; want an error")
	}
	if k := fetchKind(t, err); k != feed.KindTooLarge {
		t.Fatalf("kind = %s (%v), want too_large", k, err)
	}
	if !strings.Contains(err.Error(), "10485760-byte limit") {
		t.Errorf("error %q does not state the limit", err)
	}
}

func TestFetchGzipBombIsCapped(t *testing.T) {
	bomb := gzipped(t, bytes.Repeat([]byte{0}, 64<<20)) // ~64 KiB compressed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()
	_, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: srv.URL})
	if k := fetchKind(t, err); k != feed.KindTooLarge {
		t.Fatalf("kind = %s (%v), want too_large", k, err)
	}
}

func TestFetchTimeout(t *testing.T) {
	// A server that accepts the connection and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	f := loopbackFetcher(feed.FetcherOptions{Timeout: 300 * time.Millisecond})
	start := time.Now()
	_, err = f.Fetch(context.Background(), feed.Request{URL: "http://" + ln.Addr().String() + "/feed"})
	if k := fetchKind(t, err); k != feed.KindTimeout {
		t.Fatalf("kind = %s (%v), want timeout", k, err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("timeout not enforced: took %s", time.Since(start))
	}
}

func TestFetchRedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	defer srv.Close()
	_, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: srv.URL + "/a"})
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("endless redirects: err = %v", err)
	}
}

func TestFetchHTTPErrorAndRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: srv.URL})
	var fe *feed.FetchError
	if !errors.As(err, &fe) || fe.Kind != feed.KindHTTP || fe.Status != 429 || fe.RetryAfter != 120*time.Second {
		t.Fatalf("err = %#v", err)
	}
}

func TestSSRFGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret internal data")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	guarded := feed.NewFetcher(feed.FetcherOptions{})

	cases := []struct{ name, url, want string }{
		{"loopback IP", srv.URL, "loopback"},
		{"DNS name resolving to loopback", "http://localhost:" + port + "/", "loopback"},
		{"IPv6 loopback", "http://[::1]:" + port + "/", "loopback"},
		{"unspecified", "http://0.0.0.0:" + port + "/", "unspecified"},
		{"file scheme", "file:///etc/passwd", "scheme"},
		{"gopher scheme", "gopher://127.0.0.1/", "scheme"},
		{"credentials", "http://user:pw@127.0.0.1/", "credentials"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := guarded.Fetch(context.Background(), feed.Request{URL: tc.url})
			if err == nil {
				t.Fatal("fetch succeeded; want refusal")
			}
			if k := fetchKind(t, err); k != feed.KindBlocked {
				t.Fatalf("kind = %s (%v), want blocked", k, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}

	t.Run("redirect to loopback", func(t *testing.T) {
		// The first server is allowed by address; it redirects to the secret one.
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, srv.URL+"/internal", http.StatusFound)
		}))
		defer redirector.Close()
		f := feed.NewFetcher(feed.FetcherOptions{AllowAddr: allowOnly(redirector)})
		_, err := f.Fetch(context.Background(), feed.Request{URL: redirector.URL})
		if k := fetchKind(t, err); k != feed.KindBlocked {
			t.Fatalf("kind = %s (%v), want blocked", k, err)
		}
		if !strings.Contains(err.Error(), "refused to connect to 127.0.0.1: loopback") {
			t.Fatalf("error %q does not say what was refused", err)
		}
	})

	t.Run("allowed when private networks are allowed", func(t *testing.T) {
		resp, err := loopbackFetcher(feed.FetcherOptions{}).Fetch(context.Background(), feed.Request{URL: "http://localhost:" + port + "/"})
		if err != nil || string(resp.Body) != "secret internal data" {
			t.Fatalf("resp %v err %v", resp, err)
		}
	})
}

// A server that answers with megabytes of headers is cut off at 64 KiB of them (Go's
// default is 10 MiB, 83 MB of heap for one fetch; found by review); a few KB of real
// headers still pass.
func TestFetchHeaderCap(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	headers := map[string]int{"/huge": 2 << 20, "/real": 4 << 10}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				n, _ := conn.Read(buf)
				path := strings.Fields(string(buf[:n]) + " / ")[1]
				var b strings.Builder
				b.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 2\r\n")
				for b.Len() < headers[path] {
					b.WriteString("X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
				}
				b.WriteString("\r\nok")
				conn.Write([]byte(b.String()))
			}()
		}
	}()
	f := loopbackFetcher(feed.FetcherOptions{})
	base := "http://" + ln.Addr().String()
	if _, err := f.Fetch(context.Background(), feed.Request{URL: base + "/huge"}); err == nil || !strings.Contains(err.Error(), "header") {
		t.Fatalf("2 MiB of headers: err = %v", err)
	}
	if resp, err := f.Fetch(context.Background(), feed.Request{URL: base + "/real"}); err != nil || string(resp.Body) != "ok" {
		t.Fatalf("4 KiB of headers: %v", err)
	}
}
