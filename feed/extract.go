package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Article is the readable content of a web page.
type Article struct {
	Title     string
	Byline    string
	SiteName  string
	Language  string
	Published time.Time
	// Text is plain text, one paragraph per block, paragraphs separated by blank lines.
	Text string
}

// maxPageBytes bounds the page ExtractArticle reads: news pages, scripts included,
// are a few hundred KB to 2 MB, and extraction costs about 0.3 s a MiB, so a 10 MiB page
// a stranger points us at would cost seconds.
const maxPageBytes = 4 << 20

// maxPageElements bounds the tags of a page ExtractArticle reads: readability's tree
// costs about 1 KB a node (4 MiB of tiny links took 285 MB, found by review); the
// largest real news page we hold has 5,500 tags. The page is cut there, as at its size,
// and defused (defuseHTML), so its tree has at most a few nodes a tag.
const maxPageElements = 20_000

// ExtractArticleContext is ExtractArticle within the process's parsing budget (see
// ParseContext).
func ExtractArticleContext(ctx context.Context, page []byte, contentType, pageURL string) (Article, error) {
	w := parseWeight(min(len(page), maxPageBytes), min(bytes.Count(page, []byte{'<'}), maxPageElements))
	return withinBudget(ctx, "extract article", w, func() (Article, error) {
		return ExtractArticle(page, contentType, pageURL)
	})
}

// ExtractArticle finds the main article in an HTML page with go-readability (a
// maintained port of Mozilla's Readability.js, the extractor Firefox's reader view
// uses) and returns it as clean text with paragraphs kept.
func ExtractArticle(page []byte, contentType, pageURL string) (a Article, err error) {
	return extractArticle(page, contentType, pageURL, true)
}

// extractArticle is ExtractArticle; unbounded, it neither defuses the page nor flattens
// its tree (tests compare the two on real pages).
func extractArticle(page []byte, contentType, pageURL string, bounded bool) (a Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("extract article: extractor crashed on malformed page: %v", r)
		}
	}()
	base, _ := url.Parse(pageURL)
	valid := utf8.Valid(page) // before the cut, which may split a character
	if len(page) > maxPageBytes {
		n := maxPageBytes
		for k := 0; k < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(page[n]); k++ {
			n--
		}
		page = page[:n] // the parser closes what the cut leaves open
	}
	if _, params, _ := mime.ParseMediaType(contentType); params["charset"] != "" || !valid {
		// Declared or sniffed charset; valid UTF-8 without a declaration stays as is
		// (the sniffer would otherwise guess Windows-1252). Decoded before it is
		// defused: in UTF-16 no '<' is where a UTF-8 reading finds it (found by review).
		if r, err := charset.NewReader(bytes.NewReader(page), contentType); err == nil {
			if decoded, err := io.ReadAll(io.LimitReader(r, 2*maxPageBytes)); err == nil {
				page = decoded
			}
		}
	}
	if bounded {
		page = defuseHTML(cutAtElement(page, maxPageElements))
	}
	// As readability.FromReader does, with the tree's depth bounded between parsing
	// and reading it.
	doc, err := dom.Parse(bytes.NewReader(page))
	if err != nil {
		return Article{}, fmt.Errorf("extract article: %w", err)
	}
	if bounded {
		flattenDeep(doc, maxDepth)
	}
	parser := readability.NewParser()
	art, err := parser.ParseAndMutate(doc, base)
	if err != nil {
		return Article{}, fmt.Errorf("extract article: %w", err)
	}
	if art.Node == nil {
		return Article{}, errors.New("extract article: no readable content found")
	}
	a = Article{
		Title:    strings.TrimSpace(art.Title()),
		Byline:   clip(strings.TrimSpace(art.Byline()), MaxTitleRunes),
		SiteName: clip(strings.TrimSpace(art.SiteName()), MaxTitleRunes),
		Language: languageTag(art.Language()),
		Text:     clip(NodeToText(art.Node), MaxTextRunes),
	}
	a.Title = clip(a.Title, MaxTitleRunes)
	if t, err := art.PublishedTime(); err == nil {
		a.Published = t.UTC()
	}
	if a.Text == "" {
		return Article{}, errors.New("extract article: page has no article text")
	}
	return a, nil
}

// languageTag is a page's lang attribute if it looks like a language tag ("en",
// "uk-UA", "zh-Hant-TW": letters, digits and hyphens, 35 bytes at most), else empty:
// the page's writer chooses it, and 7,900 control characters in it were stored with
// the item, uncharged (review 85).
func languageTag(lang string) string {
	lang = strings.TrimSpace(lang)
	if lang == "" || len(lang) > 35 {
		return ""
	}
	for _, c := range []byte(lang) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return ""
		}
	}
	return lang
}

// cutAtElement cuts page before its (n+1)th '<', if it has that many.
func cutAtElement(page []byte, n int) []byte {
	at := 0
	for range n {
		i := bytes.IndexByte(page[at:], '<')
		if i < 0 {
			return page
		}
		at += i + 1
	}
	if i := bytes.IndexByte(page[at:], '<'); i >= 0 {
		return page[:at+i]
	}
	return page
}

// maxDepth bounds a page tree's depth as readability reads it: its cleanup costs depth
// times text (headings and superscripts 500 deep over 1 MiB of text took 37 s, found by
// review). The deepest real page we hold is 27 deep.
const maxDepth = 32

// flattenDeep unwraps every element deeper than max in the tree under n: its children
// take its place, so text and order are kept and only the deep structure goes.
func flattenDeep(n *html.Node, max int) {
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			walk(c, depth+1)
			if depth+1 > max && c.Type == html.ElementNode {
				for k := c.FirstChild; k != nil; {
					kn := k.NextSibling
					c.RemoveChild(k)
					n.InsertBefore(k, c)
					k = kn
				}
				n.RemoveChild(c)
			}
			c = next
		}
	}
	walk(n, 0)
}
