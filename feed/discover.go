package feed

import (
	"bytes"
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
// resolved against base, in page order, at most maxDiscovered of them.
func DiscoverFeeds(page []byte, base string) []string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil
	}
	b, _ := url.Parse(base)
	var out []string
	seen := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if len(out) >= maxDiscovered {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Link {
			var rel, typ, href string
			for _, a := range n.Attr {
				switch strings.ToLower(a.Key) {
				case "rel":
					rel = strings.ToLower(a.Val)
				case "type":
					typ = strings.ToLower(strings.TrimSpace(a.Val))
				case "href":
					href = strings.TrimSpace(a.Val)
				}
			}
			if strings.Contains(rel, "alternate") && feedTypes[typ] && href != "" {
				if u, err := url.Parse(href); err == nil {
					if b != nil {
						u = b.ResolveReference(u)
					}
					if s := u.String(); (u.Scheme == "http" || u.Scheme == "https") && !seen[s] {
						seen[s] = true
						out = append(out, s)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}
