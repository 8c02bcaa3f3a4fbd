package feed_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/feed"
)

func TestParseFixtures(t *testing.T) {
	cases := []struct {
		file, typ string
		items     int
		wantErr   string
		title     string
	}{
		{file: "rss_2.0_bbc.xml", typ: "rss2.0", items: 1, title: "In Our Time"},
		{file: "atom_example_1.xml", typ: "atom", items: 1},
		{file: "jsonfeed_example_1.json", typ: "json1", items: 2, title: "Daring Fireball"},
		{file: "rss_1.0_example_1.xml", typ: "rss1.0", items: 2},
		{file: "rss_0.91_spec_1.xml", typ: "rss0.91", items: 1},
		{file: "latin1_no_decl.rss", typ: "rss", items: 15, title: "UOL Noticias"},
		{file: "reused_guid.xml", typ: "rss2.0", items: 3},
		{file: "rss_2.0_invalid_1.xml", wantErr: "XML syntax error"},
		{file: "null_items.json", wantErr: "crashed on malformed input"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata/feeds", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := feed.Parse(body, "")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tc.typ {
				t.Errorf("type = %q, want %q", p.Type, tc.typ)
			}
			if len(p.Items) < tc.items {
				t.Errorf("items = %d, want at least %d", len(p.Items), tc.items)
			}
			if tc.title != "" && p.Title != tc.title {
				t.Errorf("title = %q, want %q", p.Title, tc.title)
			}
			for _, it := range p.Items {
				if it.Title == "" && it.Text == "" {
					t.Errorf("empty item %+v", it)
				}
			}
		})
	}
}

func TestParseLatin1IsDecoded(t *testing.T) {
	body, err := os.ReadFile("testdata/feeds/latin1_no_decl.rss")
	if err != nil {
		t.Fatal(err)
	}
	p, err := feed.Parse(body, "text/xml")
	if err != nil {
		t.Fatal(err)
	}
	joined := ""
	for _, it := range p.Items {
		joined += it.Title + " " + it.Text
	}
	// Portuguese text with accents must survive as proper UTF-8.
	if !strings.ContainsAny(joined, "çãéíóú") {
		t.Fatalf("no accented letters decoded in %q", joined[:min(200, len(joined))])
	}
	if strings.ContainsRune(joined, '\uFFFD') {
		t.Fatalf("replacement characters in decoded text")
	}
}

func TestParseReusedGUIDs(t *testing.T) {
	body, _ := os.ReadFile("testdata/feeds/reused_guid.xml")
	p, err := feed.Parse(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.ReusedGUIDs {
		t.Fatal("reused GUIDs not detected")
	}
	keys := map[string]bool{}
	for _, it := range p.Items {
		keys[it.DedupKey(true)] = true
	}
	if len(keys) != 3 {
		t.Fatalf("keys %v: want 3 distinct link keys", keys)
	}
	if !keys["u:https://example.org/a"] || !keys["u:https://example.org/c"] {
		t.Fatalf("keys %v are not canonical links", keys)
	}
}

func TestParseNotAFeed(t *testing.T) {
	cases := map[string]string{
		"html":       "<!DOCTYPE html><html><body><p>Hello</p></body></html>",
		"whitespace": strings.Repeat(" \n", 1000),
		"garbage":    "\x00\x01\x02binary",
		"json":       `{"hello": "world"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := feed.Parse([]byte(body), ""); err == nil {
				t.Fatal("parsed; want an error")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss_2.0_bbc.xml", "jsonfeed_example_1.json", "null_items.json", "atom_example_1.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata/feeds", name))
		if err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := feed.Parse(body, "")
		if err == nil && p == nil {
			t.Fatal("nil result without error")
		}
	})
}

// A feed with more elements than any news feed has is refused before it is parsed, with
// a message that says why: 10 MiB of tiny items took 400-730 MB to parse (found by
// review). Large real feeds still parse.
func TestParseRefusesFeedsBeyondAnyNewsFeed(t *testing.T) {
	tiny := func(format string, n int, head, tail string) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := range n {
			if i > 0 && strings.HasPrefix(head, "{") {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, format, i)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string // "" parses
	}{
		{"rss of 150,000 tiny items", tiny(`<item><title>%d</title></item>`, 150_000, `<rss version="2.0"><channel><title>x</title>`, `</channel></rss>`), "more than 200000 elements"},
		{"atom of 150,000 tiny entries", tiny(`<entry><id>%d</id></entry>`, 150_000, `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>`, `</feed>`), "more than 200000 elements"},
		{"json feed of 150,000 tiny items", tiny(`{"id":"%d"}`, 150_000, `{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[`, `]}`), "more than 200000 elements"},
		{"json feed of 10 MiB of empty objects", tiny(`{}`, 5_000_000, `{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[`, `]}`), "more than 200000 elements"},
		{"rss declaring 1,000 namespaces", []byte(`<rss version="2.0" ` + strings.Repeat(`xmlns:x="urn:x" `, 1000) + `><channel><title>x</title></channel></rss>`), "more than 256 namespaces"},
		{"rss of 2,000 items", tiny(`<item><title>Story %d</title><link>https://example.com/a</link><description>Officials said talks would go on.</description></item>`, 2000, `<rss version="2.0"><channel><title>x</title>`, `</channel></rss>`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := feed.Parse(tc.body, "application/xml")
			if tc.want == "" {
				if err != nil || len(p.Items) == 0 {
					t.Fatalf("a large real-shaped feed: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one that says %q", err, tc.want)
			}
		})
	}
}

// BenchmarkParseHostileFeed measures what a feed of tiny items costs (B/op): refused
// before gofeed builds 150,000 items.
func BenchmarkParseHostileFeed(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<rss version="2.0"><channel><title>x</title>`)
	for i := range 150_000 {
		fmt.Fprintf(&sb, `<item><title>%d</title></item>`, i)
	}
	sb.WriteString(`</channel></rss>`)
	body := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		feed.Parse(body, "application/xml")
	}
}

// Relative item links resolve as a feed reader resolves them: against an Atom feed's
// xml:base (the entry's over the feed's), an RSS or JSON feed's site link, or the
// feed's own address; what is no web address stays dropped.
func TestParseResolvesRelativeLinks(t *testing.T) {
	const doc = "https://news.example/feeds/world.xml"
	atom := func(feedAttrs, entries string) string {
		return `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"` + feedAttrs + `><title>T</title>` + entries + `</feed>`
	}
	entry := func(attrs, href string) string {
		return `<entry` + attrs + `><id>` + href + `</id><title>t</title><link rel="alternate" href="` + href + `"/><content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry>`
	}
	rss := func(site, link string) string {
		return `<rss version="2.0"><channel><title>R</title><link>` + site + `</link><item><title>t</title><link>` + link + `</link></item></channel></rss>`
	}
	cases := []struct {
		name, body, doc string
		want            []string
	}{
		{"atom, no base: the feed's address", atom("", entry("", "2026/a.html")), doc,
			[]string{"https://news.example/feeds/2026/a.html"}},
		{"atom, feed base", atom(` xml:base="https://www.example.org/blog/"`, entry("", "/p/1")+entry("", "p/2")), doc,
			[]string{"https://www.example.org/p/1", "https://www.example.org/blog/p/2"}},
		{"atom, relative feed base", atom(` xml:base="/blog/"`, entry("", "p/1")), doc,
			[]string{"https://news.example/blog/p/1"}},
		{"atom, entry base over the feed's", atom(` xml:base="https://a.example/"`, entry(` xml:base="posts/"`, "1")+entry("", "2")+entry(` xml:base='https://b.example/x/'`, "3")), doc,
			[]string{"https://a.example/posts/1", "https://a.example/2", "https://b.example/x/3"}},
		{"atom, escaped base", atom(` xml:base="https://a.example/?q=1&amp;r=2"`, entry("", "#top")+entry("", "?page=2")), doc,
			[]string{"https://a.example/?q=1&r=2", "https://a.example/?page=2"}},
		{"atom, an <entry> in a comment is no entry", atom(` xml:base="https://a.example/"`, `<!-- <entry xml:base="https://evil.example/"> -->`+entry(` xml:base="x/"`, "1")), doc,
			[]string{"https://a.example/x/1"}},
		{"atom, an <entry> the parser does not count: the feed's base for all", atom(` xml:base="https://a.example/"`, `<x><entry xml:base="https://evil.example/"/></x>`+entry(` xml:base="x/"`, "1")), doc,
			[]string{"https://a.example/1"}},
		{"atom, an <entry> in a comment and one of a non-ASCII prefix: each its own base",
			`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:é="http://www.w3.org/2005/Atom"><title>T</title>` +
				`<!-- <entry xml:base="https://evil.example/"> --><entry xml:base="https://one.example/"><id>1</id><title>one</title><link href="a"/></entry>` +
				`<é:entry xml:base="https://two.example/"><é:id>2</é:id><é:title>two</é:title><é:link href="b"/></é:entry></feed>`, doc,
			[]string{"https://one.example/a", "https://two.example/b"}},
		{"atom, absolute links stay", atom(` xml:base="https://a.example/"`, entry("", "https://c.example/story?utm_source=x")), doc,
			[]string{"https://c.example/story"}},
		{"rss, site link", rss("https://site.example/news/", "2026/b.html"), doc,
			[]string{"https://site.example/news/2026/b.html"}},
		{"rss, relative site link", rss("/", "b.html"), doc,
			[]string{"https://news.example/b.html"}},
		{"rss, protocol-relative link", rss("", "//cdn.example/c.html"), doc,
			[]string{"https://cdn.example/c.html"}},
		{"rss, another scheme is no link", rss("https://site.example/", "javascript:alert(1)"), doc,
			[]string{""}},
		{"rss, a mail site link is no base", rss("mailto:ed@site.example", "d.html"), doc,
			[]string{"https://news.example/feeds/d.html"}},
		{"json, home page", `{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/","items":[{"id":"1","url":"posts/1","content_text":"x"}]}`, doc,
			[]string{"https://j.example/posts/1"}},
		{"no address known: relative links dropped", rss("", "/e.html"), "",
			[]string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := feed.ParseResponse(context.Background(), &feed.Response{URL: tc.doc, Body: []byte(tc.body), ContentType: "application/xml"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range p.Items {
				got = append(got, e.URL)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("links %q, want %q", got, tc.want)
			}
		})
	}
	// Parse knows no address: only what the feed says resolves a relative link.
	for body, want := range map[string]string{rss("https://site.example/", "a.html"): "https://site.example/a.html", rss("/", "a.html"): ""} {
		p, err := feed.Parse([]byte(body), "")
		if err != nil || len(p.Items) != 1 || p.Items[0].URL != want {
			t.Fatalf("Parse: %+v, %v; want %q", p, err, want)
		}
	}
}
