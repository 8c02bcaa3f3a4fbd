package feed_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/newsbot/newsbot/feed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// paragraphs returns the non-empty <p> texts of an HTML document, whitespace collapsed.
func paragraphs(t *testing.T, doc []byte) []string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(string(doc)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.P {
			if s := squash(feed.NodeToText(n)); len(strings.Fields(s)) >= 3 {
				out = append(out, s)
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

func squash(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func checkExtraction(t *testing.T, dir string) {
	src, err := os.ReadFile(filepath.Join(dir, "source.html"))
	if err != nil {
		t.Fatal(err)
	}
	exp, err := os.ReadFile(filepath.Join(dir, "expected.html"))
	if err != nil {
		t.Fatal(err)
	}
	want := paragraphs(t, exp)
	if len(want) == 0 {
		t.Skip("expected.html has no paragraphs")
	}
	art, err := feed.ExtractArticle(src, "text/html; charset=utf-8", "http://fakehost/test/page.html")
	if err != nil {
		t.Fatal(err)
	}
	got := squash(art.Text)
	for _, p := range []string{want[0], want[len(want)-1]} {
		if !strings.Contains(got, p) {
			t.Errorf("extracted text lacks paragraph %q", p)
		}
	}
	if strings.Contains(art.Text, "<p>") || strings.Contains(art.Text, "</") {
		t.Errorf("extracted text still contains markup")
	}
	if !strings.Contains(art.Text, "\n\n") && len(want) > 1 {
		t.Errorf("paragraph breaks lost")
	}
}

func TestExtractArticleFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/readability/*")
	n := 0
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) { checkExtraction(t, dir) })
	}
	if n < 3 {
		t.Fatalf("only %d fixture pages", n)
	}
}

func TestExtractArticleSharedCorpus(t *testing.T) {
	root := "../../shared/data/readability/pages"
	dirs, _ := filepath.Glob(filepath.Join(root, "*"))
	if len(dirs) == 0 {
		t.Skip("../shared/data/readability is absent; the fixture test covers 3 pages")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { checkExtraction(t, dir) })
	}
}

func TestExtractArticleNotAnArticle(t *testing.T) {
	_, err := feed.ExtractArticle([]byte("<html><body></body></html>"), "text/html", "http://x/")
	if err == nil {
		t.Fatal("empty page extracted; want an error")
	}
}

func FuzzExtractArticle(f *testing.F) {
	f.Add([]byte("<html><body><article><p>One two three four five six.</p><p>Seven.</p></article></body></html>"))
	f.Add([]byte("<p>"))
	f.Add([]byte{0xff, '<', 'a'})
	f.Fuzz(func(t *testing.T, page []byte) {
		art, err := feed.ExtractArticle(page, "text/html", "https://example.org/a")
		if err == nil && art.Text == "" {
			t.Fatal("no error and no text")
		}
	})
}

func FuzzDiscoverFeeds(f *testing.F) {
	f.Add([]byte(`<link rel="alternate" type="application/rss+xml" href="/feed">`), "https://x.org/")
	f.Fuzz(func(t *testing.T, page []byte, base string) {
		for _, u := range feed.DiscoverFeeds(page, base) {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Fatalf("non-http feed link %q", u)
			}
		}
	})
}

// hostilePage is a real-looking article followed by 260,000 tiny links: readability's
// tree of it took 170-285 MB (found by review).
func hostilePage() []byte {
	var b strings.Builder
	b.WriteString(`<html><head><title>Talks go on</title></head><body><article><h1>Talks go on</h1>`)
	for i := range 20 {
		fmt.Fprintf(&b, `<p>Paragraph %d: officials said talks would continue next week in Geneva, and both delegations confirmed the date.</p>`, i)
	}
	b.WriteString(`</article>`)
	b.WriteString(strings.Repeat(`<a href=x>y</a>`, 260_000))
	b.WriteString(`</body></html>`)
	return []byte(b.String())
}

// A page with more tags than any news page is cut where they begin to exceed the bound,
// as it is at its size: the article before the cut is still found.
func TestExtractCutsPagesOfTooManyTags(t *testing.T) {
	a, err := feed.ExtractArticle(hostilePage(), "text/html; charset=utf-8", "https://example.com/talks")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Paragraph 19: officials said talks would continue") {
		t.Fatalf("the article before the links was not found: %.300q", a.Text)
	}
}

// BenchmarkExtractHostilePage measures what such a page costs (B/op).
func BenchmarkExtractHostilePage(b *testing.B) {
	page := hostilePage()
	b.ReportAllocs()
	for b.Loop() {
		feed.ExtractArticle(page, "text/html; charset=utf-8", "https://example.com/talks")
	}
}

// fontBombPage is the review's 37 KB page: 400 distinct unclosed <font> tags, then
// paragraphs an HTML5 parser fills with a copy of each (over 1 GB before defuseHTML).
func fontBombPage() []byte {
	var b strings.Builder
	b.WriteString("<html><body><p>")
	for i := range 400 {
		fmt.Fprintf(&b, "<font id=%d>", i)
	}
	b.WriteString(strings.Repeat("<p>x", 8000))
	return []byte(b.String())
}

// BenchmarkExtractFontBomb measures what that page costs (B/op).
func BenchmarkExtractFontBomb(b *testing.B) {
	page := fontBombPage()
	b.ReportAllocs()
	for b.Loop() {
		feed.ExtractArticle(page, "text/html; charset=utf-8", "https://example.com/x")
	}
}

// BenchmarkParseFontBombFeed measures a feed whose one item describes itself with that
// page, entity-escaped (B/op): gofeed's image scan and HTMLToText both parse it.
func BenchmarkParseFontBombFeed(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<rss version="2.0"><channel><title>x</title><item><title>a</title><description>`)
	sb.WriteString(html.EscapeString(string(fontBombPage())))
	sb.WriteString(`</description></item></channel></rss>`)
	body := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		feed.Parse(body, "application/xml")
	}
}

// BenchmarkDiscoverHostilePage measures feed discovery on 10 MiB of links (B/op): as a
// tree it cost 392 MB (the review's figure).
func BenchmarkDiscoverHostilePage(b *testing.B) {
	page := []byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>` +
		strings.Repeat(`<a href=x>y</a>`, 700_000) + `</body></html>`)
	b.ReportAllocs()
	for b.Loop() {
		if got := feed.DiscoverFeeds(page, "https://example.com/"); len(got) != 1 {
			b.Fatalf("discovered %v", got)
		}
	}
}
