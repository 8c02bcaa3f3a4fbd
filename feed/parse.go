package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/sync/semaphore"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Parsed is a parsed feed, reduced to what newsbot stores.
type Parsed struct {
	Title string
	Type  string // e.g. "rss2.0", "atom1.0", "json1.1"
	TTL   time.Duration
	Items []Entry
	// ReusedGUIDs is set when several different entries share one GUID.
	ReusedGUIDs bool
}

// Entry is one feed item before it is stored.
type Entry struct {
	GUID      string
	URL       string // canonical
	Title     string
	Author    string
	Published time.Time
	// Text is the item's content (or description) as plain text with paragraphs.
	Text string
}

var (
	xmlDeclEncoding = regexp.MustCompile(`(?i)^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']`)
	rssTTL          = regexp.MustCompile(`(?i)<ttl>\s*(\d{1,6})\s*</ttl>`)
)

// A feed's parse costs memory by the element (about 300 bytes each for XML, 500 for a
// JSON value): 10 MiB of tiny items took 400 MB to 2.4 GB (found by review), while the
// largest real feed we hold has 14,000 elements and a busy news feed a few thousand.
// This bounds the elements of one feed: XML '<', or JSON '{', '[' and ',' (strings
// included, so prose counts a little too), and markup escaped in its text ("&lt;", "&#").
const maxFeedElements = 200_000

// maxNamespaces bounds a feed's namespace declarations: the XML reader copies them all
// at every element (10,000 cost 7.7 s of CPU, found by review); real feeds declare a
// dozen.
const maxNamespaces = 256

// feedElements estimates body's elements (XML) or values (JSON).
func feedElements(body []byte) int {
	escaped := escapedMarkup(body)
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		return bytes.Count(body, []byte{'{'}) + bytes.Count(body, []byte{'['}) + bytes.Count(body, []byte{','}) + escaped
	}
	return bytes.Count(body, []byte{'<'}) + escaped
}

// escapedMarkup counts the escaped '<' in body ("&lt;" in any case, and any character
// reference, "&#…", which may be one).
func escapedMarkup(body []byte) int {
	n := 0
	for i := 0; ; {
		j := bytes.IndexByte(body[i:], '&')
		if j < 0 {
			return n
		}
		i += j + 1
		if rest := body[i:]; len(rest) > 0 && rest[0] == '#' || len(rest) >= 3 && (rest[0]|0x20) == 'l' && (rest[1]|0x20) == 't' && rest[2] == ';' {
			n++
		}
	}
}

// tooComplex refuses a feed with more elements than any news feed has.
func tooComplex(body []byte) error {
	if n := feedElements(body); n > maxFeedElements {
		return fmt.Errorf("parse feed: the feed has more than %d elements; a news feed has a few thousand", maxFeedElements)
	}
	if n := bytes.Count(body, []byte("xmlns")); n > maxNamespaces {
		return fmt.Errorf("parse feed: the feed declares more than %d namespaces; a news feed declares a dozen", maxNamespaces)
	}
	return nil
}

// parsing bounds what is parsed at once, weighed at 16 times its size or 1 KiB a tag,
// whichever is more: a parse's memory follows its elements and attributes (16 times the
// body for a feed of extension attributes, found by review), and the poller fetches 16
// feeds at once. Parsing is CPU work, so waiting costs little on a machine of few cores.
var parsing = semaphore.NewWeighted(maxParsing)

const maxParsing = 24 << 20

// parseWeight is what a body of n bytes and elements elements takes of the budget.
func parseWeight(n, elements int) int64 {
	return min(max(int64(n)<<4, int64(elements)<<10, 1), maxParsing)
}

// ParseContext is Parse within the process's parsing budget: it waits while other
// parses hold it, until ctx is done.
func ParseContext(ctx context.Context, body []byte, contentType string) (*Parsed, error) {
	return ParseResponse(ctx, &Response{Body: body, ContentType: contentType})
}

// ParseResponse is ParseContext for a fetched feed: relative item links are resolved
// against the feed's own address (as a browser would), through the Atom feed's xml:base
// or the site link an RSS or JSON feed gives.
func ParseResponse(ctx context.Context, resp *Response) (*Parsed, error) {
	return withinBudget(ctx, "parse feed", parseWeight(len(resp.Body), feedElements(resp.Body)), func() (*Parsed, error) {
		return parse(resp.Body, resp.ContentType, resp.URL)
	})
}

// withinBudget runs fn holding weight of the parsing budget, waiting for it until ctx
// is done; op names the operation in the error.
func withinBudget[T any](ctx context.Context, op string, weight int64, fn func() (T, error)) (T, error) {
	asked := time.Now()
	err := parsing.Acquire(ctx, weight)
	meterOf(ctx).waited(time.Since(asked)) // other polls' parses: not this poll's cost (found by review)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", op, err)
	}
	defer parsing.Release(weight)
	return fn()
}

// Parse parses a feed body. contentType is the HTTP Content-Type, used for the charset
// when the body is not UTF-8 and declares no encoding itself. It never panics: gofeed
// panics on some JSON feeds, and that becomes an error.
//
// It is long because it is one sequence of fallbacks (charset, format sniffing,
// gofeed, our own repairs) whose order matters.
//
// Parse does not know where the feed came from (ParseResponse does): a relative item
// link resolves only against an absolute base the feed gives itself, else is dropped.
func Parse(body []byte, contentType string) (*Parsed, error) {
	return parse(body, contentType, "")
}

// parse is Parse with the feed's address, docURL, to resolve relative links ("" for
// none).
func parse(body []byte, contentType, docURL string) (p *Parsed, err error) {
	body = toUTF8(body, contentType)
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("parse feed: parser crashed on malformed input: %v", r)
		}
	}()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("parse feed: empty body")
	}
	if err := tooComplex(body); err != nil {
		return nil, err
	}
	var bases atomBases
	isAtom := looksLikeAtom(body)
	if isAtom {
		body, bases = defuseAtom(body)
	}
	parser := gofeed.NewParser()
	// The image scan parses every item's HTML as a tree, unbounded (a 46 KB feed cost
	// 414 MB, found by review); we use no images.
	parser.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	f, err := parser.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("parse feed: not an RSS, Atom or JSON feed (%s)", sniff(body))
		}
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	if f.FeedType == "json" && !strings.Contains(f.FeedVersion, "jsonfeed.org") {
		return nil, errors.New("parse feed: got JSON that is not a JSON Feed (no jsonfeed.org version)")
	}
	ver := f.FeedVersion
	if i := strings.LastIndex(ver, "/version/"); i >= 0 {
		ver = ver[i+len("/version/"):] // JSON Feed versions are URLs
	}
	p = &Parsed{Title: clip(strings.TrimSpace(f.Title), MaxTitleRunes), Type: f.FeedType + ver}
	if m := rssTTL.FindSubmatch(head(body, 8192)); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil {
			p.TTL = time.Duration(n) * time.Minute
		}
	}
	// Relative links resolve against the Atom feed's xml:base, else an RSS or JSON
	// feed's site link, else the feed's own address.
	feedBase := resolveBase(resolveBase(nil, docURL), bases.feed)
	if !isAtom {
		if site := resolveBase(feedBase, f.Link); site != nil && CanonicalURL(site.String()) != "" {
			feedBase = site
		}
	}
	entryBases := bases.entries
	if len(entryBases) != len(f.Items) {
		entryBases = nil // an <entry> the parser did not count (in a comment, say)
	}
	guidCount := map[string]int{}
	guidDistinct := map[string]map[string]bool{}
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		base := feedBase
		if entryBases != nil {
			base = resolveBase(feedBase, entryBases[i])
		}
		e := Entry{
			GUID:  strings.TrimSpace(it.GUID),
			Title: HTMLToText(strings.TrimSpace(it.Title)),
			URL:   resolveLink(base, it.Link),
		}
		if e.URL == "" && len(it.Links) > 0 {
			e.URL = resolveLink(base, it.Links[0])
		}
		if len(e.URL) > storage.MaxURLBytes {
			e.URL = "" // no real article has such an address
		}
		if it.Author != nil {
			e.Author = strings.TrimSpace(it.Author.Name)
		} else if len(it.Authors) > 0 && it.Authors[0] != nil {
			e.Author = strings.TrimSpace(it.Authors[0].Name)
		}
		switch {
		case it.PublishedParsed != nil:
			e.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			e.Published = it.UpdatedParsed.UTC()
		}
		e.Text = HTMLToText(it.Content)
		if strings.TrimSpace(e.Text) == "" {
			e.Text = HTMLToText(it.Description)
		}
		e.Title, e.Text, e.Author, e.GUID = clip(e.Title, MaxTitleRunes), clip(e.Text, MaxTextRunes), clip(e.Author, 200), clip(e.GUID, 1000)
		if e.Title == "" && e.Text == "" && e.URL == "" {
			continue
		}
		if e.GUID != "" {
			guidCount[e.GUID]++
			if guidDistinct[e.GUID] == nil {
				guidDistinct[e.GUID] = map[string]bool{}
			}
			guidDistinct[e.GUID][e.URL+"\x00"+e.Title] = true
		}
		p.Items = append(p.Items, e)
	}
	for g, n := range guidCount {
		if n > 1 && len(guidDistinct[g]) > 1 {
			p.ReusedGUIDs = true
		}
	}
	return p, nil
}

// resolveBase is ref read against base: an absolute ref stands alone, a relative one
// needs a base (nil without). An empty or unreadable ref leaves base as it is.
func resolveBase(base *url.URL, ref string) *url.URL {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > storage.MaxURLBytes {
		return base
	}
	u, err := url.Parse(ref)
	switch {
	case err != nil:
		return base
	case u.IsAbs():
		return u
	case base == nil:
		return nil
	}
	return base.ResolveReference(u)
}

// resolveLink is an item's link as a canonical absolute URL, a relative one resolved
// against base; "" when there is none.
func resolveLink(base *url.URL, link string) string {
	if u := CanonicalURL(link); u != "" || base == nil {
		return u
	}
	link = strings.TrimSpace(link)
	if link == "" || len(link) > storage.MaxURLBytes {
		return ""
	}
	ref, err := url.Parse(link)
	if err != nil || ref.IsAbs() {
		return "" // another scheme, or no address at all
	}
	return CanonicalURL(base.ResolveReference(ref).String())
}

// Size limits on what one item may store: any feed may be a stranger's, and a 10 MiB
// body could otherwise be one item's text.
const (
	MaxTitleRunes = 500
	MaxTextRunes  = 100_000
)

// clip cuts s to at most n runes, at a space when one is near.
func clip(s string, n int) string {
	if len(s) <= n { // bytes >= runes: short strings need no counting
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			break
		}
		count++
	}
	if count < n {
		return s
	}
	cut := s[:i]
	if sp := strings.LastIndexByte(cut, ' '); sp > len(cut)-80 && sp > 0 {
		cut = cut[:sp]
	}
	return cut + "…"
}

// DedupKey returns the identity of an entry within its feed: the GUID, else the
// canonical link, else a hash of the content. unreliableGUIDs skips the GUID for feeds
// that reuse one GUID for different items.
func (e Entry) DedupKey(unreliableGUIDs bool) string {
	switch {
	case e.GUID != "" && !unreliableGUIDs:
		return "g:" + e.GUID
	case e.URL != "":
		return "u:" + e.URL
	default:
		return "h:" + contentHash(e.Title, e.Text)
	}
}

// toUTF8 converts a body that is not valid UTF-8 and has no XML encoding declaration,
// using the HTTP charset or, failing that, Windows-1252 (a superset of Latin-1's
// printable range), instead of letting the parser reject it.
func toUTF8(body []byte, contentType string) []byte {
	if utf8.Valid(body) {
		return body
	}
	if m := xmlDeclEncoding.FindSubmatch(head(body, 512)); m != nil {
		enc := strings.ToLower(string(m[1]))
		if enc != "utf-8" && enc != "utf8" {
			return body // the parser honours the declaration itself
		}
	}
	var label string
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		label = params["charset"]
	}
	decoder := charmap.Windows1252.NewDecoder()
	if label != "" && !strings.EqualFold(label, "utf-8") {
		if enc, err := htmlindex.Get(label); err == nil {
			decoder = enc.NewDecoder()
		}
	}
	out, err := decoder.Bytes(body)
	if err != nil {
		return body
	}
	// Drop a now-wrong "encoding=utf-8" declaration? The body is UTF-8 now, so it is right.
	return out
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// sniff describes what a non-feed body looks like, for error messages.
func sniff(body []byte) string {
	h := strings.ToLower(string(bytes.TrimSpace(head(body, 512))))
	switch {
	case strings.HasPrefix(h, "<!doctype html") || strings.HasPrefix(h, "<html") || strings.Contains(h, "<html"):
		return "got an HTML page"
	case strings.HasPrefix(h, "{") || strings.HasPrefix(h, "["):
		return "got JSON that is not a JSON Feed"
	case strings.HasPrefix(h, "<"):
		return "got XML of an unknown kind"
	default:
		return "got unrecognised content"
	}
}

// looksLikeAtom reports whether body may be an Atom feed (its root element is <feed>).
func looksLikeAtom(body []byte) bool {
	head := head(body, 4096)
	return bytes.Contains(head, []byte("<feed")) || bytes.Contains(head, []byte(":feed"))
}
