package feed

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/newsbot/newsbot/storage"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// An HTML5 tree builder does work beyond linear in a page's size for a few constructs a
// stranger can write, each found by review with pages of tens of KB costing gigabytes:
//   - formatting elements left open (<b>, <font>, …) are re-created inside every new
//     paragraph, each copy with all its attributes;
//   - end tags it ignores (inside <object>, <table>, <select>, …) keep elements open
//     that a count of tags would think closed;
//   - inside <svg> and <math> it tokenizes differently (a <style> there is no raw
//     text), so a pass that reads the page as HTML misses tags the builder sees. With
//     both gone, with all inside them, the builder reads what is left as we do;
//
// and readability's cleanup costs the nesting depth times the text. defuseHTML removes
// the constructs instead of counting them.
var (
	// formattingTags carry no text and no block structure; they are dropped, start and
	// end tags, wherever they are. <a> stays (readability reads link density, and
	// bylines from links' classes): a tree builder keeps one <a> open at a time, and its
	// copies carry at most maxAttrs attributes.
	formattingTags = map[atom.Atom]bool{
		atom.B: true, atom.Big: true, atom.Code: true, atom.Em: true, atom.Font: true,
		atom.I: true, atom.Nobr: true, atom.S: true, atom.Small: true, atom.Strike: true,
		atom.Strong: true, atom.Tt: true, atom.U: true,
	}
	// embedTags are dropped, their content kept: readability writes an embed's whole
	// content back out as HTML for every container above it, to look for a video (an
	// object holding copies of a link of 32 KiB of attributes cost 3.2 GB and 33 s,
	// found by review); we read no video.
	embedTags = map[atom.Atom]bool{atom.Object: true, atom.Embed: true, atom.Applet: true}
	// rawTextTags hold raw text (or, for <title> and <textarea>, text that is no page
	// text either).
	rawTextTags = map[atom.Atom]bool{
		atom.Script: true, atom.Style: true, atom.Title: true, atom.Textarea: true, atom.Xmp: true,
		atom.Iframe: true, atom.Noembed: true, atom.Noframes: true, atom.Noscript: true, atom.Plaintext: true,
	}
)

const (
	// maxPageText bounds the text (outside scripts and styles) of a page: readability's
	// cleanup costs nesting times text (4 MiB under 500 divs took 22 s, found by review);
	// an article is tens of KB. The page is cut there.
	maxPageText = 256 << 10
	// maxTitleText bounds a <title>, and maxLinkedData a JSON-LD script (a headline):
	// readability compares the title with every h1 and h2 (a 1 MB title and 80 h2 took
	// 11.6 s, found by review). maxHeadings bounds the h1 and h2 kept as headings.
	maxTitleText  = 512
	maxLinkedData = 64 << 10
	maxHeadings   = 100
	// maxAttrs and maxAttrBytes bound what a kept tag carries; a link, which a tree
	// builder copies into every paragraph while it is open, carries less.
	maxAttrs         = 16
	maxAttrBytes     = 2 << 10
	maxLinkAttrs     = 4
	maxLinkAttrBytes = 256
)

// defuseHTML rewrites untrusted HTML (UTF-8) so that parsing it as a tree costs work in
// proportion to its size: formatting tags other than <a> are dropped; <svg>, <math> and
// <noscript> go with everything inside them (we read no text from them, and readability
// parses a noscript's text as a page of its own); a title is cut to maxTitleText, a
// JSON-LD script past maxLinkedData is emptied, h1 and h2 past maxHeadings lose their
// tags; a tag keeps at most maxAttrs attributes of at most maxAttrBytes each (a tag
// past maxTagBytes goes); and the page ends after maxPageText of text. Text, comments
// and every other tag are kept byte for byte. Nesting is bounded on the tree
// (flattenDeep).
func defuseHTML(page []byte) []byte {
	page = dropHugeTags(page)
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	var out bytes.Buffer
	offset := 0
	changed := false
	foreign := 0            // depth inside <svg>/<math>
	text := 0               // bytes of text outside raw text
	var lastStart atom.Atom // the last start tag, for raw text
	inNoscript, linkedData := false, false
	seen := map[atom.Atom]bool{} // <html> and <body> kept
	headings, droppedHeadings := 0, 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := z.Raw() // the tokens' raw bytes partition the page
		start := offset
		offset += len(raw)
		var rewrite []byte // nil: keep raw; empty: drop
		if tt == xhtml.TextToken && foreign == 0 && !inNoscript && !rawTextTags[lastStart] {
			if text += len(raw); text > maxPageText {
				if !changed {
					return page[:start]
				}
				break
			}
		}
		switch {
		case tt == xhtml.TextToken && (foreign > 0 || inNoscript):
			rewrite = []byte{}
		case tt == xhtml.TextToken && !rawTextTags[lastStart] && bytes.IndexByte(raw, '<') >= 0:
			// A stray '<' in text, joined by a tag dropped after it to the text beyond,
			// would open a tag of its own ("<<i>font>" is "<font>" without the <i>,
			// found by review); as a reference it reads the same and opens none.
			rewrite = bytes.ReplaceAll(raw, []byte{'<'}, []byte("&lt;"))
		case tt == xhtml.TextToken && lastStart == atom.Title && len(raw) > maxTitleText:
			rewrite = cutUTF8(raw, maxTitleText)
		case tt == xhtml.TextToken && lastStart == atom.Script && linkedData && len(raw) > maxLinkedData:
			rewrite = []byte{}
		}
		if tt != xhtml.TextToken {
			lastStart = 0
		}
		if tt == xhtml.StartTagToken || tt == xhtml.EndTagToken || tt == xhtml.SelfClosingTagToken {
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if tt != xhtml.EndTagToken {
				lastStart = a // "<script/>" opens raw text as "<script>" does
			}
			switch {
			case foreign > 0:
				rewrite = []byte{}
				if a == atom.Svg || a == atom.Math {
					switch tt {
					case xhtml.StartTagToken:
						foreign++
					case xhtml.EndTagToken:
						foreign--
					}
				}
				if tt == xhtml.StartTagToken {
					z.NextIsNotRawText() // as a tree builder reads foreign content
				}
			case a == atom.Svg || a == atom.Math:
				rewrite = []byte{}
				if tt == xhtml.StartTagToken {
					foreign = 1
				}
			case a == atom.Noscript:
				rewrite = []byte{}
				inNoscript = tt == xhtml.StartTagToken
			case inNoscript:
				rewrite = []byte{}
			case (a == atom.Html || a == atom.Body) && tt != xhtml.EndTagToken && seen[a]:
				// A tree builder merges a second <html> or <body> into the first,
				// attribute by attribute, rebuilding a map of all it has each time:
				// 2,000 of them took 22 s (found by review). They add nothing else.
				rewrite = []byte{}
			case (a == atom.Html || a == atom.Body) && tt != xhtml.EndTagToken:
				seen[a] = true
				rewrite = boundAttrs(z, name, hasAttr, tt, raw)
			case formattingTags[a] || embedTags[a]:
				rewrite = []byte{}
			case a == atom.A && tt != xhtml.EndTagToken:
				rewrite = rebuildTag(z, name, hasAttr, tt, maxLinkAttrs, maxLinkAttrBytes)
			case (a == atom.H1 || a == atom.H2) && tt == xhtml.StartTagToken:
				if headings++; headings > maxHeadings {
					droppedHeadings++
					rewrite = []byte{}
				} else {
					rewrite = boundAttrs(z, name, hasAttr, tt, raw)
				}
			case (a == atom.H1 || a == atom.H2) && tt == xhtml.EndTagToken:
				if droppedHeadings > 0 {
					droppedHeadings--
					rewrite = []byte{}
				}
			case tt != xhtml.EndTagToken:
				if a == atom.Script {
					linkedData = hasAttr && bytes.Contains(bytes.ToLower(raw), []byte("ld+json"))
				}
				rewrite = boundAttrs(z, name, hasAttr, tt, raw)
			}
		}
		switch {
		case rewrite != nil && !changed:
			out.Grow(len(page))
			out.Write(page[:start]) // everything before the first change, as it was
			changed = true
			out.Write(rewrite)
		case rewrite != nil:
			out.Write(rewrite)
		case changed:
			out.Write(raw)
		}
	}
	if !changed {
		return page
	}
	return out.Bytes()
}

// cutUTF8 returns b cut to at most n bytes, at a character boundary.
func cutUTF8(b []byte, n int) []byte {
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:min(n, len(b))]
}

// boundAttrs returns nil when the tag's attributes are within bounds (keep it as it
// is), or the tag rebuilt with its first maxAttrs attributes, each cut to maxAttrBytes.
func boundAttrs(z *xhtml.Tokenizer, name []byte, hasAttr bool, tt xhtml.TokenType, raw []byte) []byte {
	if !hasAttr || len(raw) <= 4*maxAttrBytes && countAttrs(raw) <= maxAttrs {
		return nil
	}
	return rebuildTag(z, name, hasAttr, tt, maxAttrs, maxAttrBytes)
}

// rebuildTag writes the current tag anew with its first maxN attributes, each value cut
// to maxBytes.
func rebuildTag(z *xhtml.Tokenizer, name []byte, hasAttr bool, tt xhtml.TokenType, maxN, maxBytes int) []byte {
	var b bytes.Buffer
	b.WriteByte('<')
	b.Write(name)
	for n := 0; hasAttr && n < maxN; {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		n++
		if len(v) > maxBytes {
			v = v[:maxBytes]
		}
		b.WriteByte(' ')
		b.Write(k)
		b.WriteString(`="`)
		b.WriteString(html.EscapeString(string(v)))
		b.WriteByte('"')
	}
	if tt == xhtml.SelfClosingTagToken {
		b.WriteByte('/')
	}
	b.WriteByte('>')
	return b.Bytes()
}

// In an Atom feed the parser itself reads text as HTML: the markup of a text with child
// elements (of type xhtml or html), to take off its wrapping <div>, and any HTML text
// when xml:base is set, to resolve its links; an 86 KB feed cost 2.2 GB that way, past
// every regex that tried to clean the markup (found by review). defuseAtom gives it
// none to parse: every text construct that holds markup (child elements or CDATA)
// becomes HTML text, the same markup escaped, which the parser only unescapes; and
// xml:base goes. Our own reading of the text (HTMLToText) is defused.
var (
	// atomTextStart matches the start tag of a text construct, any prefix, with its
	// attributes (quoted values may hold '>').
	atomTextStart = regexp.MustCompile(`(?i)<(` + atomTextName + `)((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)>`)
	atomTypeAttr  = regexp.MustCompile(`(?i)\s(?:[a-z0-9_.-]+:)?type\s*=\s*("[^"]*"|'[^']*')`)
	atomXMLBase   = regexp.MustCompile(`(?i)\sxml:base\s*=\s*("[^"]*"|'[^']*')`)
	cdataSection  = regexp.MustCompile(`(?s)<!\[CDATA\[(.*?)\]\]>`)
)

// atomTextName is a text construct's name, with any prefix; atomTextEndName is what may
// stand between "</" and ">" in its end tag.
const atomTextName = `(?:[a-z0-9_.-]+:)?(?:content|summary|title|subtitle|rights)`

var atomTextEndName = regexp.MustCompile(`(?i)^` + atomTextName + `$`)

// atomBases is what an Atom feed's xml:base said, kept for resolving its relative links
// ourselves once the attribute is gone: the feed element's base, and each entry's in
// document order (empty where an entry sets none).
type atomBases struct {
	feed    string
	entries []string
}

var (
	// Any namespace prefix an XML name allows (not only ASCII), so that no entry the
	// parser reads is missed.
	atomFeedStart  = regexp.MustCompile(`(?i)<(?:[^\s<>/:"'=!?]+:)?feed((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)>`)
	atomEntryStart = regexp.MustCompile(`(?i)<(?:[^\s<>/:"'=!?]+:)?entry((?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?)/?>`)
	xmlComment     = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// defuseAtom rewrites an Atom feed so that gofeed parses no HTML in it (see above), and
// returns the xml:base values it took out.
func defuseAtom(body []byte) ([]byte, atomBases) {
	body = defuseAtomText(body)
	var bases atomBases
	if !atomXMLBase.Match(body) {
		return body, bases
	}
	// Text constructs now hold no '<'; without comments and CDATA sections, every start
	// tag found is an element's, and the entries are the parser's, in its order (a count
	// that differs falls back to the feed's base: parse).
	elements := cdataSection.ReplaceAll(xmlComment.ReplaceAll(body, nil), nil)
	if m := atomFeedStart.FindSubmatch(elements); m != nil {
		bases.feed = xmlBaseOf(m[1])
	}
	for _, m := range atomEntryStart.FindAllSubmatch(elements, -1) {
		bases.entries = append(bases.entries, xmlBaseOf(m[1]))
	}
	return atomXMLBase.ReplaceAll(body, nil), bases
}

// xmlBaseOf is the unescaped xml:base value among a start tag's attributes, or "".
func xmlBaseOf(attrs []byte) string {
	m := atomXMLBase.FindSubmatch(attrs)
	if m == nil || len(m[1]) > storage.MaxURLBytes {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(string(m[1][1 : len(m[1])-1])))
}

// defuseAtomText turns every Atom text construct that holds markup into HTML text.
func defuseAtomText(body []byte) []byte {
	out, _ := defuseAtomTextSearched(body)
	return out
}

// defuseAtomTextSearched is defuseAtomText, and the bytes it read looking for end tags:
// the body once (review 76: a search from each start tag to the end of the body cost
// 20,000 unclosed titles and 9 MiB of text 33 s, holding the whole parse budget).
func defuseAtomTextSearched(body []byte) ([]byte, int) {
	var out bytes.Buffer
	var ends map[string][]int // built on first use
	searched := 0
	pos := 0 // rest is body[pos:]
	rest := body
	for {
		loc := atomTextStart.FindSubmatchIndex(rest)
		if loc == nil {
			break
		}
		attrs := rest[loc[4]:loc[5]]
		startEnd := loc[1]
		name := rest[loc[2]:loc[3]]
		endTag := append(append([]byte("</"), name...), '>')
		end := -1
		if !bytes.HasSuffix(bytes.TrimSpace(attrs), []byte("/")) {
			if ends == nil {
				ends = atomTextEnds(body)
				searched += len(body)
			}
			// The first end tag of this exact name at or after the start tag's end.
			at := ends[string(name)]
			if i, _ := slices.BinarySearch(at, pos+startEnd); i < len(at) {
				end = at[i] - (pos + startEnd)
			}
		}
		if end < 0 || bytes.IndexByte(rest[startEnd:startEnd+end], '<') < 0 {
			// Self-closing, unterminated, or text only: nothing for the parser to parse.
			out.Write(rest[:startEnd])
			rest, pos = rest[startEnd:], pos+startEnd
			continue
		}
		inner := rest[startEnd : startEnd+end]
		// CDATA sections are their text; the rest is markup, kept as written.
		literal := cdataSection.ReplaceAllFunc(inner, func(m []byte) []byte {
			return m[len("<![CDATA[") : len(m)-len("]]>")]
		})
		out.Write(rest[:loc[0]])
		out.WriteByte('<')
		out.Write(name)
		out.Write(atomTypeAttr.ReplaceAll(attrs, nil))
		out.WriteString(` type="html">`)
		out.WriteString(html.EscapeString(string(literal)))
		out.Write(endTag)
		skip := startEnd + end + len(endTag)
		rest, pos = rest[skip:], pos+skip
	}
	if out.Len() == 0 {
		return body, searched
	}
	out.Write(rest)
	return out.Bytes(), searched
}

// atomTextEnds finds, in one pass, every end tag of a text construct in body: the
// offsets of each "</name>", in order, by its exact name.
func atomTextEnds(body []byte) map[string][]int {
	ends := map[string][]int{}
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte("</"))
		if j < 0 {
			return ends
		}
		tag := i + j
		i = tag + 2
		for i < len(body) && isAtomNameByte(body[i]) {
			i++
		}
		if i < len(body) && body[i] == '>' && atomTextEndName.Match(body[tag+2:i]) {
			name := string(body[tag+2 : i])
			ends[name] = append(ends[name], tag)
		}
	}
}

// isAtomNameByte reports whether c may be in a name atomTextName matches: ASCII letters,
// digits, "_.-:", and (under (?i), for K and ſ) any byte of a multibyte character.
func isAtomNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '.' || c == '-' || c == ':' || c >= utf8.RuneSelf
}

// maxTagBytes bounds one tag: the tokenizer reads every attribute of a tag before we
// can cut any (a tag of 500,000 attributes cost 330 MB); real tags are under a few KB,
// inline images of tens of KB.
const maxTagBytes = 128 << 10

// dropHugeTags removes every tag longer than maxTagBytes from page, with a byte scan
// that reads no attributes: from a '<' that opens a tag to the next '>'.
func dropHugeTags(page []byte) []byte {
	var out []byte
	kept := 0 // page[:kept] is in out (once out is in use)
	for i := 0; i < len(page); {
		j := bytes.IndexByte(page[i:], '<')
		if j < 0 {
			break
		}
		i += j
		if i+1 >= len(page) || !isTagStart(page[i+1:]) {
			i++
			continue
		}
		end := tagEnd(page[i:])
		if end+1 > maxTagBytes {
			if out == nil {
				out = make([]byte, 0, len(page))
			}
			out = append(out, page[kept:i]...)
			kept = i + end + 1
		}
		i += end + 1
	}
	if out == nil {
		return page
	}
	return append(out, page[kept:]...)
}

// countAttrs counts the attributes of a tag's raw bytes as the tokenizer reads them,
// those without a value included (a count of '=' let 1,500 of them through, found by
// review).
func countAttrs(raw []byte) int {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	i := 1
	for i < len(raw) && !isSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++ // the name
	}
	n := 0
	for i < len(raw) {
		for i < len(raw) && (isSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			return n
		}
		n++
		for i < len(raw) && !isSpace(raw[i]) && raw[i] != '=' && raw[i] != '>' && raw[i] != '/' {
			i++
		}
		for i < len(raw) && isSpace(raw[i]) {
			i++
		}
		if i < len(raw) && raw[i] == '=' {
			i++
			for i < len(raw) && isSpace(raw[i]) {
				i++
			}
			if i < len(raw) && (raw[i] == '"' || raw[i] == '\'') {
				q := raw[i]
				i++
				for i < len(raw) && raw[i] != q {
					i++
				}
				i++
			} else {
				for i < len(raw) && !isSpace(raw[i]) && raw[i] != '>' {
					i++
				}
			}
		}
	}
	return n
}

// tagEnd is the offset in b (which starts with a tag's '<') of the '>' that ends the
// tag as the tokenizer reads it: a quoted attribute value may hold a '>' (found by
// review). An unterminated tag runs to the end: len(b)-1.
func tagEnd(b []byte) int {
	var quote byte
	afterEq := false
	for j := 1; j < len(b); j++ {
		c := b[j]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '>':
			return j
		case '=':
			afterEq = true
			continue
		case '"', '\'':
			if afterEq {
				quote = c
			}
		case ' ', '\t', '\n', '\r', '\f':
			continue // whitespace may stand between '=' and its value
		}
		afterEq = false
	}
	return len(b) - 1
}

// isTagStart reports whether b (what follows a '<') opens a start or end tag.
func isTagStart(b []byte) bool {
	if b[0] == '/' {
		b = b[1:]
	}
	return len(b) > 0 && ('a' <= b[0] && b[0] <= 'z' || 'A' <= b[0] && b[0] <= 'Z')
}
