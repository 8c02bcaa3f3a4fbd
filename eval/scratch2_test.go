package eval

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/digest"
)

func TestScratchQuoteErrors(t *testing.T) {
	cases, err := LoadPolNeAR("../../shared/data/quotes/polnear")
	if err != nil {
		t.Skip(err)
	}
	out, _ := os.Create("/tmp/qerr.txt")
	defer out.Close()
	for _, c := range cases {
		qs := digest.FindQuotes(c.Text, "")
		for _, g := range c.Quotes {
			if g.Source == "" || isBarePronoun(g.Source) {
				continue
			}
			gt := rougeWords(g.Text)
			for _, q := range qs {
				for _, p := range q.Parts {
					ft := rougeWords(p)
					if len(ft) < 4 {
						continue
					}
					if float64(sharedTokens(gt, ft)) >= float64(min(len(gt), len(ft)))/2 {
						if !sameSpeaker(q.Speaker, g.Source) {
							i := strings.Index(c.Text, p)
							ctx := ""
							if i >= 0 {
								ctx = c.Text[max(0, i-150):min(len(c.Text), i+len(p)+120)]
							}
							same := strings.Contains(p, g.Text) || strings.Contains(g.Text, p)
							fmt.Fprintf(out, "SAME=%v GOLD %q | OURS %q (mention %q cue %q)\n  %s\n\n", same, g.Source, q.Speaker, q.Mention, q.Cue, strings.ReplaceAll(ctx, "\n", " / "))
						}
					}
				}
			}
		}
	}
}
