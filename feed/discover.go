package feed

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var feedTypes = map[string]bool{
	"application/rss+xml": true, "application/atom+xml": true, "application/feed+json": true,
	"application/json": true, "application/rdf+xml": true, "text/xml": true, "application/xml": true,
}

// maxDiscovered bounds the feed URLs DiscoverFeeds returns: a page advertises one to a
// few; a hostile page of 100,000 distinct links cost seconds to de-duplicate.
const maxDiscovered = 32

// DiscoverFeeds returns the feed URLs a page advertises with <link rel="alternate">,
// resolved against base, in page order, at most maxDiscovered of them. It reads the
// page's tags as a stream, never as a tree: a stranger's page of 10 MiB of links cost
// 392 MB as a tree (found by review).
func DiscoverFeeds(page []byte, base string) []string {
	b, _ := url.Parse(base)
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(dropHugeTags(page)))
	for len(out) < maxDiscovered {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if atom.Lookup(name) != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href string
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			switch string(k) { // the tokenizer lower-cases keys
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(strings.TrimSpace(string(v)))
			case "href":
				href = strings.TrimSpace(string(v))
			}
		}
		if !strings.Contains(rel, "alternate") || !feedTypes[typ] || href == "" {
			continue
		}
		u, err := url.Parse(href)
		if err != nil {
			continue
		}
		if b != nil {
			u = b.ResolveReference(u)
		}
		if s := u.String(); (u.Scheme == "http" || u.Scheme == "https") && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// DiscoverFeedsContext is DiscoverFeeds within the process's parsing budget (see
// ParseContext): a tag of 500,000 attributes cost the tokenizer 220 MB (found by review).
func DiscoverFeedsContext(ctx context.Context, page []byte, base string) ([]string, error) {
	return withinBudget(ctx, "discover feeds", parseWeight(len(page), 0), func() ([]string, error) {
		return DiscoverFeeds(page, base), nil
	})
}
