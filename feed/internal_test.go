package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/net/html"
)

func TestNonPublicReason(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1":                            "loopback",
		"127.8.9.10":                           "loopback",
		"::1":                                  "loopback",
		"::ffff:127.0.0.1":                     "loopback",
		"10.1.2.3":                             "private",
		"172.16.0.1":                           "private",
		"172.31.255.255":                       "private",
		"192.168.1.1":                          "private",
		"fd00::1":                              "private",
		"169.254.169.254":                      "link-local",
		"fe80::1":                              "link-local",
		"224.0.0.1":                            "link-local",
		"239.1.2.3":                            "multicast",
		"ff02::1":                              "link-local",
		"ff05::1":                              "multicast",
		"0.0.0.0":                              "unspecified",
		"::":                                   "unspecified",
		"100.64.0.1":                           "carrier-grade NAT (100.64.0.0/10)",
		"100.127.255.254":                      "carrier-grade NAT (100.64.0.0/10)",
		"255.255.255.255":                      "reserved",
		"64:ff9b::7f00:1":                      "loopback via NAT64",
		"64:ff9b:1::a00:1":                     "local-use NAT64 (64:ff9b:1::/48)",
		"64:ff9b:1::808:808":                   "local-use NAT64 (64:ff9b:1::/48)",
		"2001:0:4136:e378:8000:63bf:3fff:fdd2": "Teredo tunnel (2001::/32)",
		"2002:7f00:1::1":                       "loopback via 6to4",
		"2002:a00:1::1":                        "private via 6to4",
		"2002:c0a8:101::1":                     "private via 6to4",
		"2002:808:808::1":                      "",
		"::7f00:1":                             "IPv4-compatible IPv6 (::a.b.c.d)",
		"::808:808":                            "IPv4-compatible IPv6 (::a.b.c.d)",
		"8.8.8.8":                              "",
		"172.32.0.1":                           "",
		"100.128.0.1":                          "",
		"2a00:1450::1":                         "",
		"2001:4860:4860::8888":                 "",
		"2606:4700:4700::1111":                 "",
		"64:ff9b::808:808":                     "",
		"::ffff:0:7f00:1":                      "not global unicast (outside 2000::/3)",
		"::ffff:0:808:808":                     "not global unicast (outside 2000::/3)",
		"5f00::1":                              "not global unicast (outside 2000::/3)",
		"100:0:0:1::1":                         "not global unicast (outside 2000::/3)",
		"4000::1":                              "not global unicast (outside 2000::/3)",
		"3fff::1":                              "documentation (3fff::/20)",
		"3fff:fff:ffff::1":                     "documentation (3fff::/20)",
		"3fff:1000::1":                         "",
		"2001:10::1":                           "ORCHID (2001:10::/28)",
		"2001:1f:ffff::1":                      "ORCHID (2001:10::/28)",
		"2001:2::1":                            "benchmarking (2001:2::/48)",
		"fec0::1":                              "site-local (fec0::/10)",
		"100::1":                               "discard-only (100::/64)",
	}
	for addr, want := range cases {
		if got := nonPublicReason(netip.MustParseAddr(addr)); got != want {
			t.Errorf("nonPublicReason(%s) = %q, want %q", addr, got, want)
		}
	}
}

func TestRetryAfterAndMaxAge(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if got := retryAfter("120", now); got != 2*time.Minute {
		t.Errorf("retryAfter(120) = %s", got)
	}
	if got := retryAfter(now.Add(time.Hour).Format(http.TimeFormat), now); got != time.Hour {
		t.Errorf("retryAfter(date) = %s", got)
	}
	if got := retryAfter("soon", now); got != 0 {
		t.Errorf("retryAfter(garbage) = %s", got)
	}
	h := http.Header{}
	h.Set("Cache-Control", "public, max-age=600")
	if got := cacheMaxAge(h, now); got != 10*time.Minute {
		t.Errorf("max-age = %s", got)
	}
	h = http.Header{}
	h.Set("Expires", now.Add(30*time.Minute).Format(http.TimeFormat))
	if got := cacheMaxAge(h, now); got != 30*time.Minute {
		t.Errorf("expires = %s", got)
	}
}

// Feed markup past maxHTMLBytes is not converted (its text would be clipped to
// MaxTextRunes anyway), and <br> breaks still become newlines.
func TestHTMLToTextBoundsItsInput(t *testing.T) {
	page := strings.Repeat("a<br>", maxHTMLBytes/5+10) + "TAILMARKER"
	text := HTMLToText(page)
	if strings.Contains(text, "TAILMARKER") {
		t.Fatal("markup past the bound was converted")
	}
	if !strings.HasPrefix(text, "a\na\na") {
		t.Fatalf("line breaks lost: %.20q", text)
	}
}

// A page advertising thousands of feeds yields the first maxDiscovered, in order and
// without repeats.
func TestDiscoverFeedsIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><head>")
	for i := range 20_000 {
		fmt.Fprintf(&b, `<link rel="alternate" type="application/rss+xml" href="/f%d.xml"><link rel="alternate" type="application/rss+xml" href="/f%d.xml">`, i, i)
	}
	b.WriteString("</head></html>")
	got := DiscoverFeeds([]byte(b.String()), "https://news.example/")
	if len(got) != maxDiscovered || got[0] != "https://news.example/f0.xml" || got[1] != "https://news.example/f1.xml" {
		t.Fatalf("got %d feeds starting %q", len(got), got[:min(3, len(got))])
	}
}

// A page cut at maxPageBytes in the middle of a character is still read as the UTF-8
// it is, not sniffed as Windows-1252 (which garbled every Cyrillic word).
func TestExtractArticleCutKeepsUTF8(t *testing.T) {
	var b strings.Builder
	// The first KiB is ASCII with no charset: what the sniffer would read as Windows-1252.
	b.WriteString("<html><head><title>News</title><!-- " + strings.Repeat("x", 1100) + " --></head><body><article>")
	for i := 0; i < 20; i++ {
		b.WriteString("<p>Привіт, це перше речення статті про місто і його мешканців, які живуть поруч.</p>")
	}
	b.WriteString("</article><div>")
	for b.Len() < maxPageBytes+10 {
		b.WriteString("ж")
	}
	page := []byte(b.String())
	if utf8.RuneStart(page[maxPageBytes]) {
		page = append([]byte{' '}, page...) // make the cut fall inside "ж"
	}
	a, err := ExtractArticle(page, "text/html", "https://news.example/a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Привіт, це перше речення") {
		t.Fatalf("text garbled: %.80q", a.Text)
	}
}

// The ledger never goes back a day: a poll that began before midnight UTC and grants
// after it is charged to the new day, so no late grant or refund hands a day out twice
// (found by review: flipping between days gave a limit of 10 out 20 times).
func TestLedgerNeverGoesBackADay(t *testing.T) {
	const d1, d2 = "2026-11-30", "2026-12-01"
	l := &ledger{limit: storage.FeedUsage{Items: 10, Bytes: 1 << 30, Pages: 10}}
	late := map[int64]storage.FeedUsage{7: {Day: d1}} // read at a poll's start, before midnight
	fresh := map[int64]storage.FeedUsage{7: {Day: d1}}
	granted := 0
	for range 10 {
		if l.grant(d1, late, storage.FeedUsage{Items: 1}) {
			granted++
		}
	}
	for range 10 {
		if l.grant(d2, fresh, storage.FeedUsage{Items: 1}) {
			granted++
		}
	}
	// The late poll goes on granting and refunding on the day it began.
	for range 5 {
		if l.grant(d1, late, storage.FeedUsage{Items: 1}) {
			granted++
		}
	}
	l.refund(d1, late, storage.FeedUsage{Items: 4})
	for range 5 {
		if l.grant(d2, fresh, storage.FeedUsage{Items: 1}) {
			granted++
		}
	}
	if granted != 20 {
		t.Fatalf("granted %d items over two days of 10", granted)
	}
	if got := l.counting(d1); got != d2 {
		t.Fatalf("the ledger counts %s after %s", got, d2)
	}
	// Stored usage of the new day (a restart after midnight) is honoured.
	l2 := &ledger{limit: l.limit}
	if l2.grant(d2, map[int64]storage.FeedUsage{7: {Day: d2, Items: 10}}, storage.FeedUsage{Items: 1}) {
		t.Fatal("a grant past the stored day's usage")
	}
}

func TestCutAtElement(t *testing.T) {
	for _, tc := range []struct {
		page string
		n    int
		want string
	}{
		{"a<b<c<d", 2, "a<b<c"},
		{"a<b<c", 2, "a<b<c"},
		{"a<b", 2, "a<b"},
		{"<<<", 0, ""},
		{"plain", 1, "plain"},
	} {
		if got := string(cutAtElement([]byte(tc.page), tc.n)); got != tc.want {
			t.Errorf("cutAtElement(%q, %d) = %q, want %q", tc.page, tc.n, got, tc.want)
		}
	}
}

// Fetches count against their host, however it is spelled, and a host's entry goes when
// its last fetch ends: links minted on endless subdomains do not grow the poller's map
// (found by review).
func TestHostSlotsDoNotAccumulate(t *testing.T) {
	for in, want := range map[string]string{
		"https://A1.Evil.example.com./x":  "a1.evil.example.com",
		"https://feeds.bbci.co.uk/news":   "feeds.bbci.co.uk",
		"http://127.0.0.1:8080/feed.xml":  "127.0.0.1",
		"https://[2606:4700::1]/feed.xml": "2606:4700::1",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p := NewPoller(nil, NewFetcher(FetcherOptions{AllowPrivateNetworks: true}), PollerOptions{})
	for i := range 50 {
		if _, err := p.fetchLimited(context.Background(), Request{URL: fmt.Sprintf("%s/page/%d", srv.URL, i)}); err != nil {
			t.Fatal(err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.hosts) != 0 {
		t.Fatalf("%d host slots left after every fetch ended", len(p.hosts))
	}
}

// Defused, a page parses into a tree of at most a few nodes a tag, whatever shape the
// reviews found to make a tree builder's work grow faster than the page.
func TestDefuseHTMLBoundsTheTree(t *testing.T) {
	build := func(head, each string, n int, tail string) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := range n {
			b.WriteString(strings.ReplaceAll(each, "N", fmt.Sprint(i)))
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	paras := strings.Repeat("<p>x", 2000)
	manyAttrs := func(tag string) string {
		var b strings.Builder
		b.WriteString("<" + tag)
		for i := range 300 {
			fmt.Fprintf(&b, " a%d=1", i)
		}
		return b.String() + ">"
	}
	for _, tc := range []struct {
		name string
		page []byte
	}{
		{"unclosed fonts", build("<p>", "<font id=N>", 400, paras)},
		{"fonts in svg style", build("<svg><style><p>", "<font a=N>", 400, paras)},
		{"end tags ignored in object", build("<p>", "<font a=N><object></font></object>", 400, paras)},
		{"end tags ignored in select", build("<p>", "<font a=N><select></font></select>", 400, paras)},
		{"formatting with many attributes", []byte("<p>" + manyAttrs("b") + manyAttrs("i") + manyAttrs("u") + paras)},
		{"links with many attributes", build("<p>", manyAttrs("a")+"<object>", 50, paras)},
		{"raw text read as tags in foreign content", build("<svg><foreignObject><style></svg></style></foreignObject><style><p>", "<font a=N>", 400, paras)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tags := bytes.Count(tc.page, []byte("<"))
			doc, err := html.Parse(bytes.NewReader(defuseHTML(tc.page)))
			if err != nil {
				t.Fatal(err)
			}
			nodes, attrs := countTree(doc)
			// A link open across paragraphs is copied into each, with its attributes.
			if nodes > 3*tags+100 || attrs > maxLinkAttrs*tags+100 {
				t.Fatalf("%d tags parse, defused, into %d nodes with %d attributes", tags, nodes, attrs)
			}
		})
	}
}

// Defusing a real page changes none of its text.
func TestDefuseHTMLKeepsTheText(t *testing.T) {
	pages, _ := filepath.Glob("testdata/readability/*/source.html")
	if len(pages) == 0 {
		t.Fatal("no pages in testdata/readability")
	}
	for _, p := range pages {
		page, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		before, after := HTMLToText(string(page)), HTMLToText(string(defuseHTML(page)))
		if before != after {
			t.Errorf("%s: defusing changed the text:\n%.300q\n%.300q", p, before, after)
		}
	}
	nested := "<div>" + strings.Repeat("<div><span>", 30) + "deep" + strings.Repeat("</span></div>", 30) + "</div>"
	if got := HTMLToText(string(defuseHTML([]byte(nested)))); got != "deep" {
		t.Errorf("unwrapping deep containers lost the text: %q", got)
	}
	if got := string(defuseHTML([]byte(`<p>1 < 2 and <a href="/x" class="y">a <b>bold</b> link</a></p>`))); got != `<p>1 &lt; 2 and <a href="/x" class="y">a bold link</a></p>` {
		t.Errorf("defused: %q", got)
	}
}

func countTree(n *html.Node) (nodes, attrs int) {
	nodes, attrs = 1, len(n.Attr)
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		a, b := countTree(k)
		nodes, attrs = nodes+a, attrs+b
	}
	return nodes, attrs
}

// ParseContext waits for the parsing budget, and gives up when its context ends.
func TestParseContextWaitsForTheBudget(t *testing.T) {
	if err := parsing.Acquire(context.Background(), maxParsing); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	body := []byte(`<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>`)
	_, err := ParseContext(ctx, body, "application/xml")
	_, err2 := ExtractArticleContext(ctx, []byte("<p>x</p>"), "text/html", "https://example.com/")
	parsing.Release(maxParsing)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err2, context.DeadlineExceeded) {
		t.Fatalf("with the budget held: %v / %v, want the context's deadline", err, err2)
	}
	if p, err := ParseContext(context.Background(), body, "application/xml"); err != nil || len(p.Items) != 1 {
		t.Fatalf("with the budget free: %v", err)
	}
}

// Atom text reaches gofeed as HTML text, which it only unescapes, never as markup it
// parses; real Atom feeds read the same (titles and texts as we read them: as text).
func TestDefuseAtom(t *testing.T) {
	in := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/"><entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A &amp; <b>B</b></div></title>` +
		`<content type='application/xhtml+xml'><div><p>x &lt; y</p><svg><title>t</title></svg></div></content><summary type="xhtml"/></entry></feed>`
	want := `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">&lt;div xmlns=&#34;http://www.w3.org/1999/xhtml&#34;&gt;A &amp;amp; &lt;b&gt;B&lt;/b&gt;&lt;/div&gt;</title>` +
		`<content type="html">&lt;div&gt;&lt;p&gt;x &amp;lt; y&lt;/p&gt;&lt;svg&gt;&lt;title&gt;t&lt;/title&gt;&lt;/svg&gt;&lt;/div&gt;</content><summary type="xhtml"/></entry></feed>`
	if got, _ := defuseAtom([]byte(in)); string(got) != want {
		t.Fatalf("defuseAtom:\n got %s\nwant %s", got, want)
	}
	files, _ := filepath.Glob("../../shared/data/feeds/*/*atom*.xml")
	files = append(files, "testdata/feeds/atom_example_1.xml")
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, errA := gofeed.NewParser().Parse(bytes.NewReader(body))
		defused, _ := defuseAtom(body)
		b, errB := gofeed.NewParser().Parse(bytes.NewReader(defused))
		if (errA == nil) != (errB == nil) {
			t.Errorf("%s: parses %v before, %v defused", f, errA, errB)
			continue
		}
		if errA != nil {
			continue
		}
		if len(a.Items) != len(b.Items) {
			t.Errorf("%s: %d items before, %d defused", f, len(a.Items), len(b.Items))
			continue
		}
		for i := range a.Items {
			if HTMLToText(a.Items[i].Title) != HTMLToText(b.Items[i].Title) || a.Items[i].Link != b.Items[i].Link ||
				HTMLToText(a.Items[i].Content+a.Items[i].Description) != HTMLToText(b.Items[i].Content+b.Items[i].Description) {
				t.Errorf("%s: item %d reads differently defused", f, i)
			}
		}
	}
}

func TestDropHugeTags(t *testing.T) {
	huge := "<p" + strings.Repeat(" a=1", maxTagBytes/4) + ">"
	for _, tc := range []struct{ in, want string }{
		{"<p>a</p>", "<p>a</p>"},
		{"x " + huge + "y<b>z</b>", "x y<b>z</b>"},
		{"1 < 2 > 0", "1 < 2 > 0"},
		{"<img src=\"data:image/png;base64," + strings.Repeat("A", 60<<10) + "\">t", "<img src=\"data:image/png;base64," + strings.Repeat("A", 60<<10) + "\">t"},
		{"a" + huge[:len(huge)-1], "a"}, // unterminated, to the end
	} {
		if got := string(dropHugeTags([]byte(tc.in))); got != tc.want {
			t.Errorf("dropHugeTags(%.40q…) = %.60q…, want %.60q…", tc.in, got, tc.want)
		}
	}
}

// The bounds change no real page's extraction (defusing, flattening the tree): title,
// byline and text are those of the page as it is, on the pages in testdata and, when
// present, the 45 pages of ../shared.
func TestDefuseChangesNoRealExtraction(t *testing.T) {
	pages, _ := filepath.Glob("testdata/readability/*/source.html")
	shared, _ := filepath.Glob("../../shared/data/readability/pages/*/source.html")
	if len(shared) == 0 {
		t.Log("../shared is absent: the testdata pages only")
	}
	for _, p := range append(pages, shared...) {
		page, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a, errA := extractArticle(page, "text/html", "https://example.com/a", true)
		b, errB := extractArticle(page, "text/html", "https://example.com/a", false)
		if (errA == nil) != (errB == nil) || a.Title != b.Title || a.Text != b.Text || a.Byline != b.Byline {
			t.Errorf("%s: defused %q by %q (%d chars, %v), as it is %q by %q (%d chars, %v)", p, a.Title, a.Byline, len(a.Text), errA, b.Title, b.Byline, len(b.Text), errB)
		}
	}
}

// Defusing defused markup changes nothing: nothing the pass leaves makes a tag it would
// drop (a stray '<' joined to text by a dropped tag did, found by review).
func TestDefuseHTMLIsIdempotent(t *testing.T) {
	for _, page := range []string{
		"<p>" + strings.Repeat("<<i>font id=1>", 50) + "<p>x",
		"a <<svg></svg>b id=2> c <</i>/b> d",
		"<p>1 < 2 <a href=x>link</a> <noscript><b>n</b></noscript></p>",
		"<title>" + strings.Repeat("t", 600) + "</title><h1>h</h1>",
	} {
		once := defuseHTML([]byte(page))
		if twice := defuseHTML(once); !bytes.Equal(once, twice) {
			t.Errorf("defused twice differs:\n%.200q\n%.200q", once, twice)
		}
	}
}

func TestCountAttrs(t *testing.T) {
	for in, want := range map[string]int{
		"<p>": 0, "<p a>": 1, "<p a b c>": 3, `<a href="x y" class='z' id=w>`: 3,
		`<p a = "1" b=2/>`: 2, `<img src="a>b" alt>`: 2, "<br/>": 0,
	} {
		if got := countAttrs([]byte(in)); got != want {
			t.Errorf("countAttrs(%q) = %d, want %d", in, got, want)
		}
	}
}

// Time a poll waits for the parse budget, which other polls' large bodies hold, is not
// its cost: neither its reader's polling time nor its spacing (found by review H).
func TestParseWaitsAreNotAPollsCost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title><item><title>one</title><guid>1</guid></item></channel></rss>`)
	}))
	defer srv.Close()
	db, err := storage.Open(filepath.Join(t.TempDir(), "w.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.AddFeed(ctx, srv.URL+"/feed.xml", time.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := db.Feed(ctx, srv.URL+"/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPoller(db, NewFetcher(FetcherOptions{AllowPrivateNetworks: true}), PollerOptions{})
	if err := parsing.Acquire(ctx, maxParsing); err != nil {
		t.Fatal(err)
	}
	const held = 300 * time.Millisecond
	polled := make(chan Result, 1)
	go func() { polled <- p.pollOne(ctx, f) }()
	time.Sleep(held) // the poll waits for the budget meanwhile
	parsing.Release(maxParsing)
	r := <-polled
	if r.Status != StatusOK {
		t.Fatalf("poll: %s %s", r.Status, r.Error)
	}
	if r.cost >= held/2 {
		t.Fatalf("a poll that waited %v for the parse budget cost %v", held, r.cost)
	}
}
