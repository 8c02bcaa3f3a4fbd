package feed_test

import (
	"testing"

	"github.com/newsbot/newsbot/feed"
)

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Just text", "Just text"},
		{"paragraphs", "<p>One  two.</p><p>Three\nfour.</p>", "One two.\n\nThree four."},
		{"entities", "<p>Tom &amp; Jerry &lt;3 &quot;hi&quot;</p>", "Tom & Jerry <3 \"hi\""},
		{"script dropped", "<p>Keep</p><script>alert(1)</script><style>p{}</style>", "Keep"},
		{"headings and lists", "<h2>Background</h2><ul><li>First</li><li>Second</li></ul>", "Background\n\nFirst\n\nSecond"},
		{"br pair splits", "Line one<br><br>Line two", "Line one\n\nLine two"},
		{"single br", "Line one<br>Line two", "Line one\nLine two"},
		{"inline tags", "<p>A <b>bold</b> <a href='x'>link</a>.</p>", "A bold link."},
		{"nbsp", "<p>a&nbsp;b</p>", "a b"},
		{"plain paragraphs", "One.\n\n\nTwo.", "One.\n\nTwo."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := feed.HTMLToText(tc.in); got != tc.want {
				t.Fatalf("HTMLToText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalURL(t *testing.T) {
	cases := map[string]string{
		"HTTPS://Example.COM/News?utm_source=x&id=2&fbclid=abc#top": "https://example.com/News?id=2",
		"http://example.com:80/a?gclid=1":                           "http://example.com/a",
		"https://example.com":                                       "https://example.com/",
		"https://example.com/a?b=2&a=1":                             "https://example.com/a?a=1&b=2",
		"ftp://example.com/file":                                    "",
		"not a url":                                                 "",
		"https://user:pw@example.com/x":                             "https://example.com/x",
		"http://[2606:4700::1]/x":                                   "http://[2606:4700::1]/x",
		"https://[2606:4700::1]:443/x":                              "https://[2606:4700::1]/x",
		"https://[2606:4700::1]:8443/x":                             "https://[2606:4700::1]:8443/x",
		"https://Example.com./a":                                    "https://example.com/a",
	}
	for in, want := range cases {
		if got := feed.CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>Hello <b>world</b></p><br><br>x")
	f.Add("<script>")
	f.Fuzz(func(t *testing.T, s string) {
		_ = feed.HTMLToText(s)
	})
}

// DecodeText keeps valid UTF-8, reads only the bytes that are not as Windows-1252, and
// makes every line end "\n".
func TestDecodeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain ascii\n", "plain ascii\n"},
		{"“Zoë” said\x93so\r\nend\rlast", "“Zoë” said“so\nend\nlast"},
		{"Caf\xe9 \x93quoted\x94 \x96 dash", "Café “quoted” – dash"},
		{"", ""},
	} {
		if got := feed.DecodeText([]byte(c.in)); got != c.want {
			t.Errorf("DecodeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
