package feed

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// formattingTags are the elements an HTML5 parser keeps "active" while they are left
// open and re-creates inside every new paragraph ("reconstruct the active formatting
// elements"): 400 distinct unclosed <font> tags followed by <p>x repeated made a
// 37 KB page cost over 1 GB to parse (found by review).
var formattingTags = map[atom.Atom]bool{
	atom.A: true, atom.B: true, atom.Big: true, atom.Code: true, atom.Em: true, atom.Font: true,
	atom.I: true, atom.Nobr: true, atom.S: true, atom.Small: true, atom.Strike: true,
	atom.Strong: true, atom.Tt: true, atom.U: true,
}

// maxOpenFormatting bounds the formatting elements left open at once; real pages nest a
// handful (a link in bold in italics).
const maxOpenFormatting = 8

// defuseHTML drops the formatting start tags (and their end tags) that would leave more
// than maxOpenFormatting open, so that a parser's tree grows at most that many times
// the tags; the text and every other tag are kept byte for byte. It streams with the
// tokenizer, in memory proportional to the page.
func defuseHTML(page []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out bytes.Buffer
	open, offset := 0, 0
	kept, dropped := map[atom.Atom]int{}, map[atom.Atom]int{}
	changed := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw() // the tokens' raw bytes partition the page
		start := offset
		offset += len(raw)
		drop := false
		if tt == html.StartTagToken || tt == html.EndTagToken {
			name, _ := z.TagName()
			if a := atom.Lookup(name); formattingTags[a] {
				switch {
				case tt == html.StartTagToken && open >= maxOpenFormatting:
					dropped[a]++
					drop = true
				case tt == html.StartTagToken:
					open++
					kept[a]++
				case kept[a] > 0:
					open--
					kept[a]--
				case dropped[a] > 0:
					dropped[a]--
					drop = true
				}
			}
		}
		switch {
		case drop && !changed:
			out.Grow(len(page))
			out.Write(page[:start]) // everything before the first tag dropped, as it was
			changed = true
		case !drop && changed:
			out.Write(raw)
		}
	}
	if !changed {
		return page
	}
	return out.Bytes()
}
