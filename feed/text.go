package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/charmap"
)

// DecodeText reads a plain-text file's bytes as text: valid UTF-8 as it is, and each
// byte that is not valid UTF-8 as Windows-1252, the usual legacy encoding of English
// text (a Windows-1252 file decodes whole; a UTF-8 file with one stray byte keeps its
// “marks” and its Zoë). Line ends become "\n" (CRLF, and an old Mac's CR).
func DecodeText(b []byte) string {
	text := string(b)
	if !utf8.Valid(b) {
		var out strings.Builder
		out.Grow(len(b) + len(b)/4)
		for len(b) > 0 {
			r, size := utf8.DecodeRune(b)
			if r == utf8.RuneError && size == 1 {
				r = charmap.Windows1252.DecodeByte(b[0])
			}
			out.WriteRune(r)
			b = b[size:]
		}
		text = out.String()
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.ReplaceAll(text, "\r", "\n")
}

// blockElements end a paragraph in HTMLToText.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Blockquote: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Tr: true, atom.Pre: true, atom.Header: true, atom.Footer: true,
	atom.Figure: true, atom.Figcaption: true, atom.Aside: true, atom.Main: true, atom.Hr: true,
	atom.Address: true, atom.Details: true, atom.Summary: true, atom.Form: true,
}

// skipElements never contribute text.
var skipElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Math: true, atom.Button: true, atom.Select: true,
	atom.Head: true, atom.Object: true, atom.Embed: true, atom.Canvas: true,
}

// HTMLToText turns an HTML fragment or document into plain text: one paragraph per
// block element, separated by a blank line, whitespace inside paragraphs collapsed,
// entities decoded. Headings and list items become paragraphs of their own, so the
// sentence splitter sees them as separate units.
func HTMLToText(s string) string {
	s = clipBytes(s, maxHTMLBytes)
	if !strings.ContainsAny(s, "<&") {
		return normalizeParagraphs(s)
	}
	nodes, err := html.ParseFragment(bytes.NewReader(defuseHTML(cutAtElement([]byte(s), maxPageElements))), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		// Markup the parser refuses (nested past its depth limit): its text without the
		// tags, never the markup itself.
		return normalizeParagraphs(tagRE.ReplaceAllString(s, " "))
	}
	var w textWriter
	for _, n := range nodes {
		w.walk(n)
	}
	w.flush()
	return strings.Join(w.paras, "\n\n")
}

// NodeToText is HTMLToText for a parsed node.
func NodeToText(n *html.Node) string {
	var w textWriter
	w.walk(n)
	w.flush()
	return strings.Join(w.paras, "\n\n")
}

type textWriter struct {
	cur   strings.Builder
	paras []string
}

func (w *textWriter) flush() {
	p := collapseSpaces(w.cur.String())
	if p != "" {
		w.paras = append(w.paras, p)
	}
	w.cur.Reset()
}

func (w *textWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case html.ElementNode:
		if skipElements[n.DataAtom] {
			return
		}
		if n.DataAtom == atom.Br {
			// A <br><br> pair is how many feeds separate paragraphs.
			if strings.HasSuffix(w.cur.String(), "\u2028") {
				w.flush()
			} else {
				w.cur.WriteString("\u2028")
			}
			return
		}
		if n.DataAtom == atom.Img {
			return
		}
	}
	block := n.Type == html.ElementNode && blockElements[n.DataAtom]
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.flush()
	}
}

// tagRE matches an HTML tag, for text the parser refuses.
var tagRE = regexp.MustCompile(`<[^<>]*>`)

// maxHTMLBytes bounds the markup HTMLToText converts: its text is clipped to
// MaxTextRunes afterwards anyway, and converting a feed's whole 10 MiB body to keep
// 100,000 runes of it is work a hostile feed could make us do for every item.
const maxHTMLBytes = 2 << 20

// clipBytes cuts s to at most n bytes, at a rune boundary.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for k := 0; k < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); k++ {
		n-- // at most a character's continuation bytes: invalid input is cut where it is
	}
	return s[:n]
}

// collapseSpaces collapses runs of whitespace to one space; single <br> line breaks
// (marked U+2028 while walking) become newlines.
func collapseSpaces(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == '\u2028' {
			// The text never ends in a space (one is written only before a rune), so
			// nothing needs trimming; copying it here was quadratic in the breaks.
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			space = false
			continue
		}
		if unicode.IsSpace(r) || r == '\u00a0' {
			space = true
			continue
		}
		if unicode.IsControl(r) {
			continue // no reader sees it; the store would write six bytes (review 78)
		}
		if space && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// normalizeParagraphs cleans plain text: paragraphs split on blank lines, whitespace
// collapsed inside each.
func normalizeParagraphs(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = collapseSpaces(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// WordCount counts whitespace-separated words.
func WordCount(s string) int { return len(strings.Fields(s)) }

// trackingParams are query parameters that identify a campaign, not a resource.
var trackingParams = map[string]bool{"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true, "yclid": true, "igshid": true}

// CanonicalURL normalises a link for dedup and caching: scheme and host lower-cased,
// default ports, fragments and tracking parameters (utm_*, fbclid, gclid...) dropped,
// remaining query parameters sorted. It returns "" for anything that is not http(s).
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]" // an IPv6 literal keeps its brackets
	default:
		u.Host = host
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(strings.ToLower(k), "utm_") || trackingParams[strings.ToLower(k)] {
				q.Del(k)
			}
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			for _, v := range q[k] {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// contentHash identifies an item with neither GUID nor link.
func contentHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
