package feed

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// defuseAtomTextQuadratic is defuseAtomText as it was before review 76, kept as the
// reference the one-pass version must agree with byte for byte: it searched from each
// start tag to the first end tag of its exact name, to the end of the body if none.
func defuseAtomTextQuadratic(body []byte) []byte {
	var out bytes.Buffer
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
			end = bytes.Index(rest[startEnd:], endTag)
		}
		if end < 0 || bytes.IndexByte(rest[startEnd:startEnd+end], '<') < 0 {
			out.Write(rest[:startEnd])
			rest = rest[startEnd:]
			continue
		}
		inner := rest[startEnd : startEnd+end]
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
		rest = rest[startEnd+end+len(endTag):]
	}
	if out.Len() == 0 {
		return body
	}
	out.Write(rest)
	return out.Bytes()
}

// atomTextPieces are the parts tricky Atom text is made of: start tags of every name,
// case and prefix, self-closing ones, end tags that close them or only look like it
// (other prefix, other case, a space, in CDATA), markup and text.
var atomTextPieces = []string{
	"<title>", "</title>", "<TITLE>", "</TITLE>", "<Title>", "</title >", "<title/>", "<title />",
	`<title type="xhtml">`, `<title type='html' a=">">`, "<a:title>", "</a:title>", "<b:title>", "</b:title>",
	"<a.b-c_1:title>", "</a.b-c_1:title>", "<content>", "</content>", "<summary>", "</summary>",
	"<subtitle>", "</subtitle>", "<rights>", "</rights>", "<x:rights>", "</x:rights>", "<CONTENT>", "</CONTENT>",
	"<\u017fummary>", "</\u017fummary>", "<\u212a:title>", "</\u212a:title>", "<atitle>", "</atitle>",
	"<![CDATA[", "]]>", "<![CDATA[</title>]]>", "<![CDATA[<b>x</b>]]>", "<div><p>", "</p></div>",
	"<b>", "</b>", "x &amp; y", "text", " ", "<!--", "-->", "<", ">", "</", "<entry>", "</entry>",
}

// trickyAtomText is n bodies, each a few pieces in a random order, under a feed.
func trickyAtomText(n int) [][]byte {
	r := rand.New(rand.NewPCG(76, 1))
	bodies := make([][]byte, n)
	for i := range bodies {
		var b bytes.Buffer
		b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">`)
		for range 1 + r.IntN(24) {
			b.WriteString(atomTextPieces[r.IntN(len(atomTextPieces))])
		}
		bodies[i] = b.Bytes()
	}
	return bodies
}

// The feeds and pages in testdata (and ../shared's feeds when beside the repository),
// and tricky text, read the same through defuseAtomText as through the reference.
func TestDefuseAtomTextMatchesQuadraticReference(t *testing.T) {
	var bodies [][]byte
	for _, dir := range []string{"testdata", "../../shared/data/feeds"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			body, err := os.ReadFile(path)
			bodies = append(bodies, body)
			return err
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	bodies = append(bodies, trickyAtomText(20_000)...)
	for _, body := range bodies {
		if got, want := defuseAtomText(body), defuseAtomTextQuadratic(body); !bytes.Equal(got, want) {
			t.Fatalf("defuseAtomText(%q):\n got %q\nwant %q", body, got, want)
		}
	}
}

func FuzzDefuseAtomText(f *testing.F) {
	for _, body := range trickyAtomText(50) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := defuseAtomText(body), defuseAtomTextQuadratic(body); !bytes.Equal(got, want) {
			t.Fatalf("defuseAtomText(%q):\n got %q\nwant %q", body, got, want)
		}
	})
}

// Start tags that never close read the body once between them, whatever their names:
// each searched to the end of the body (review 76).
func TestUnclosedAtomTextIsLinear(t *testing.T) {
	text := strings.Repeat("a", 1<<20)
	shapes := []struct{ name, body string }{
		{"same name", strings.Repeat("<title>", 2000) + text},
		{"distinct prefixes", repeatPrefixed("<aN:title>", 2000) + text},
		{"every name and case", strings.Repeat("<title><CONTENT><Summary><x:subtitle><rights>", 400) + text},
		{"end tags of another prefix", repeatPrefixed("<aN:title>", 2000) + text + "</b:title></TITLE>"},
		{"with attributes", strings.Repeat(`<content type="xhtml">`, 2000) + text},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			body := []byte(`<feed xmlns="http://www.w3.org/2005/Atom">` + s.body)
			if _, searched := defuseAtomTextSearched(body); searched > len(body) {
				t.Errorf("%d bytes searched for end tags in a body of %d", searched, len(body))
			}
		})
	}
}

// repeatPrefixed is s n times, N in each replaced by its place.
func repeatPrefixed(s string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.ReplaceAll(s, "N", fmt.Sprint(i)))
	}
	return b.String()
}

// unclosedAtomText is an Atom feed of n title start tags that never close, then filler
// bytes of text.
func unclosedAtomText(n, filler int) []byte {
	return []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">` +
		strings.Repeat("<title>", n) + strings.Repeat("a", filler))
}

// go test ./feed -run '^$' -bench DefuseUnclosedAtomText -benchtime 3x
func BenchmarkDefuseUnclosedAtomText(b *testing.B) {
	for _, size := range []struct{ tags, filler int }{{1000, 1 << 20}, {4000, 4 << 20}} {
		body := unclosedAtomText(size.tags, size.filler)
		b.Run(fmt.Sprintf("tags=%d/text=%dMiB", size.tags, size.filler>>20), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				defuseAtomText(body)
			}
		})
	}
}
