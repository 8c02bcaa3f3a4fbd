package feed_test

import (
	"html"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/feed"
)

// allocated is the bytes f allocates: with the tree builder's work bounded, what a page
// costs follows its size, whatever its shape.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// limit is what an input of n bytes may allocate: 64 MiB and 16 times its size (a
// parse's own copies); every shape below cost hundreds of MB to GBs before its bound.
func limit(n int) uint64 { return 64<<20 + 16*uint64(n) }

// Markup built by the outside reviews to make a parse cost far more than its size, run
// through the functions strangers reach: page extraction (/summary, full text), item
// text (every feed item) and feed parsing. Each must stay within limit.
func TestHostileMarkupIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("parses megabytes of hostile markup")
	}
	if raceEnabled {
		// sync.Pool keeps nothing under the race detector: regexp allocates its scratch
		// space on every call, and the counts no longer follow the input. .ci/run runs
		// this test without it.
		t.Skip("allocation counts are not comparable under the race detector")
	}
	pages := hostilePages()
	text := strings.Repeat("word ", 200_000)
	pages = append(pages, []struct{ name, contentType, page string }{
		{"noscript-fonts", "text/html", "<noscript><p>" + repeatN("<b id=N>", 500) + strings.Repeat("<p>x", 19_400) + "</noscript>"},
		{"long-title-many-h2", "text/html", "<title>" + strings.Repeat("a - b ", 170_000) + "</title>" + strings.Repeat("<h2>zzz</h2>", 5000)},
		{"h2-sup-250-deep", "text/html", strings.Repeat("<h2><sup>", 250) + text},
		{"pre-505-deep", "text/html", strings.Repeat("<pre>", 505) + text},
		{"self-closing-divs-505-deep", "text/html", strings.Repeat("<div/>", 505) + text},
		{"tags made by dropping tags", "text/html", "<p>" + repeatN("<<i>font id=N>", 400) + strings.Repeat("<p>x", 8000)},
		{"quoted-gt-in-a-huge-tag", "text/html", "<p q='>'" + manyAttrs(480_000) + ">x"},
		{"link-copies-in-an-object", "text/html", `<div class=article-content><p>intro</p><object data=x><p><a href="` + strings.Repeat("h", 2000) + `"` +
			repeatN(` aN="`+strings.Repeat("v", 2000)+`"`, 15) + `>x` + strings.Repeat("<p>x, y", 19_000)},
		{"objects-in-divs-with-heavy-spans", "text/html", strings.Repeat(`<div class=content>`, 14) + strings.Repeat("<object>", 14) +
			repeatN(`<span`+repeatN(` aN="`+strings.Repeat("v", 2000)+`"`, 16)+`>t</span>`, 120)},
		{"repeated-body-valueless-attrs", "text/html", "<p>article</p>" + repeatN("<body"+distinctAttrs(50, "")+">", 2000)},
		{"repeated-html-attrs", "text/html", "<p>article</p>" + repeatN("<html"+distinctAttrs(16, "=1")+">", 2000)},
		{"valueless-attrs-on-paragraphs", "text/html", repeatN("<p"+strings.ReplaceAll(manyAttrs(500), "=1", "")+">N", 1500)},
		{"many-json-ld-scripts-at-the-bound", "text/html", strings.Repeat(`<script type="application/ld+json">{"a":"`+strings.Repeat("x", 60<<10)+`"}</script>`, 62) + "<p>x</p>"},
		{"images-of-long-srcsets", "text/html", strings.Repeat(`<img srcset="`+strings.Repeat("a.jpg 1w, ", 200)+`">`, 1900)},
		{"json-ld-long-headline-many-h2", "text/html", `<script type="application/ld+json">{"@type":"NewsArticle","headline":"` + strings.Repeat("a - b ", 10_900) + `"}</script>` + strings.Repeat("<h2>zzz</h2>", 5000)},
		{"json-ld-4MiB", "text/html", `<script type="application/ld+json">[` + strings.Repeat("{},", 1_300_000) + `{}]</script><p>x</p>`},
	}...)
	for _, p := range pages {
		t.Run("extract/"+p.name, func(t *testing.T) {
			if n := allocated(func() { feed.ExtractArticle([]byte(p.page), p.contentType, "https://example.com/") }); n > limit(len(p.page)) {
				t.Errorf("%d KB allocated %d MB", len(p.page)>>10, n>>20)
			}
		})
		t.Run("text/"+p.name, func(t *testing.T) {
			if n := allocated(func() { feed.HTMLToText(p.page) }); n > limit(len(p.page)) {
				t.Errorf("%d KB allocated %d MB", len(p.page)>>10, n>>20)
			}
		})
	}
	open500 := repeatN(`<b id="N&amp;">`, 500)
	feeds := []struct{ name, body string }{
		{"atom-xhtml-open-formatting", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>` +
			open500 + strings.Repeat("<p>x", 18_000) + `</div></content></entry></feed>`},
		{"atom-cdata-split-tags-under-base", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/"><title>x</title><entry><id>1</id><title>a</title><content type="html"><![CDATA[<p>]]>` +
			repeatN(`<![CDATA[<b]]><![CDATA[ id=N>]]>`, 500) + strings.Repeat("<![CDATA[<p>x]]>", 5000) + `</content></entry></feed>`},
		{"atom-escaped-upper-case-under-base", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/"><title>x</title><entry><id>1</id><title>a</title><content type="html">&LT;p&GT;` +
			repeatN(`&LT;b id=&quot;N&quot;&GT;`, 500) + strings.Repeat("&LT;p&GT;x", 5000) + `</content></entry></feed>`},
		{"atom-link-5000-attrs", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p><a k="&amp;"` +
			manyAttrs(5000) + `>` + strings.Repeat("<p>x", 2000) + `</div></content></entry></feed>`},
		{"atom-html-type-with-raw-children", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content type="html"><div xmlns="http://www.w3.org/1999/xhtml"><p>` +
			open500 + strings.Repeat("<p>x", 18_000) + `</div></content></entry></feed>`},
		{"atom-type-as-a-reference", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content type="&#120;html"><div xmlns="http://www.w3.org/1999/xhtml"><p>` +
			open500 + strings.Repeat("<p>x", 18_000) + `</div></content></entry></feed>`},
		{"atom-gt-in-an-attribute", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content foo=">" type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>` +
			open500 + strings.Repeat("<p>x", 18_000) + `</div></content></entry></feed>`},
		{"rss-tags-made-by-dropping-tags", `<rss version="2.0"><channel><title>x</title><item><title>a</title><description>` +
			html.EscapeString("<p>"+repeatN("<<i>font id=N>", 400)+strings.Repeat("<p>x", 8000)) + `</description></item></channel></rss>`},
		{"rss-escaped-svg-fonts", `<rss version="2.0"><channel><title>x</title><item><title>a</title><description>` +
			html.EscapeString("<svg><style><p>"+repeatN("<font a=N>", 400)+strings.Repeat("<p>x", 5000)) + `</description></item></channel></rss>`},
		{"atom-entries-each-with-a-long-base", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/"><title>x</title>` +
			repeatN(`<entry xml:base="`+strings.Repeat("a/", 1000)+`N/"><id>N</id><title>a</title><link href="`+strings.Repeat("../", 600)+`x"/></entry>`, 1500) + `</feed>`},
		// Review 76: these cost CPU, not memory (TestUnclosedAtomTextIsLinear counts it).
		{"atom-unclosed-titles", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">` + strings.Repeat("<title>", 4000) + strings.Repeat("a", 2<<20)},
		{"atom-unclosed-titles-distinct-prefixes", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">` + repeatN("<aN:title>", 4000) + strings.Repeat("a", 2<<20)},
		{"json-feed-2MiB-items", `{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[` +
			strings.TrimSuffix(repeatN(`{"id":"N","content_html":"`+strings.Repeat("<p>x", 500_000)+`"},`, 4), ",") + `]}`},
	}
	for _, f := range feeds {
		t.Run("feed/"+f.name, func(t *testing.T) {
			if n := allocated(func() { feed.Parse([]byte(f.body), "application/xml") }); n > limit(len(f.body)) {
				t.Errorf("%d KB allocated %d MB", len(f.body)>>10, n>>20)
			}
		})
	}
}

// distinctAttrs is k attributes named for the repetition (N) and their place.
func distinctAttrs(k int, value string) string {
	var b strings.Builder
	for i := range k {
		b.WriteString(" aN_" + strconv.Itoa(i) + value)
	}
	return b.String()
}
