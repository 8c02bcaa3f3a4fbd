package feed_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/feed"
	"golang.org/x/text/encoding/unicode"
)

// Markup the outside reviews built to make parsing cost far more than its size (each
// took hundreds of MB to GBs before defuseHTML, defuseAtom and the feed bounds):
// go test ./feed -run '^$' -bench HostileMarkup -benchmem -benchtime 3x

func repeatN(s string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.ReplaceAll(s, "N", fmt.Sprint(i)))
	}
	return b.String()
}

func manyAttrs(k int) string {
	var b strings.Builder
	for i := range k {
		fmt.Fprintf(&b, " a%x=1", i)
	}
	return b.String()
}

func hostilePages() []struct{ name, contentType, page string } {
	paras := strings.Repeat("<p>x", 5000)
	fonts := "<p>" + repeatN("<font id=N>", 400) + strings.Repeat("<p>x", 8000)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String(fonts)
	return []struct{ name, contentType, page string }{
		{"unclosed-fonts", "text/html", fonts},
		{"unclosed-fonts-utf16", "text/html; charset=utf-16le", utf16},
		{"fonts-in-svg-style", "text/html", "<svg><style><p>" + repeatN("<font a=N>", 400) + paras},
		{"ignored-end-tags", "text/html", "<p>" + repeatN("<font a=N><object></font></object>", 400) + paras},
		{"formatting-1000-attrs", "text/html", "<p>" + repeatN("<b"+manyAttrs(1000)+">", 8) + strings.Repeat("<p>x", 2000)},
		{"500-divs-4MiB-text", "text/html", strings.Repeat("<div>", 500) + strings.Repeat("word ", 800_000)},
		{"one-tag-500k-attrs", "text/html", "<p" + manyAttrs(500_000) + ">x"},
	}
}

func BenchmarkHostileMarkup(b *testing.B) {
	for _, p := range hostilePages() {
		b.Run("extract/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				feed.ExtractArticle([]byte(p.page), p.contentType, "https://example.com/")
			}
		})
	}
	for _, p := range hostilePages()[:5] {
		b.Run("text/"+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				feed.HTMLToText(p.page)
			}
		})
	}
	feeds := []struct{ name, body string }{
		{"atom-xhtml", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id><title>a</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">` +
			repeatN(`<font id="N">`, 400) + strings.Repeat("<p>x</p>", 10000) + strings.Repeat("</font>", 400) + `</div></content></entry></feed>`},
		{"atom-html-base", `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.com/"><title>x</title><entry><id>1</id><title>a</title><content type="html">` +
			html.EscapeString("<p>"+repeatN("<font id=N>", 400)+strings.Repeat("<p>x", 10000)) + `</content></entry></feed>`},
		{"rss-escaped-svg", `<rss version="2.0"><channel><title>x</title><item><title>a</title><description>` +
			html.EscapeString("<svg><style><p>"+repeatN("<font a=N>", 400)+strings.Repeat("<p>x", 5000)) + `</description></item></channel></rss>`},
		{"rss-10k-namespaces", `<rss version="2.0" ` + repeatN(`xmlns:nN="urn:N" `, 10000) + `><channel><title>x</title>` +
			strings.Repeat("<item><title>a</title></item>", 2000) + `</channel></rss>`},
	}
	for _, f := range feeds {
		b.Run("feed/"+f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				feed.Parse([]byte(f.body), "application/xml")
			}
		})
	}
	b.Run("discover/one-tag-1M-attrs", func(b *testing.B) {
		page := []byte("<p" + manyAttrs(1_000_000) + ">")
		b.ReportAllocs()
		for b.Loop() {
			feed.DiscoverFeeds(page, "https://example.com/")
		}
	})
}
