package digest

import (
	"testing"
)

func TestScratchQ(t *testing.T) {
	s := "\"The first part of the statement is here and it goes on,\" Ms. Chen said. \"We will continue to press for reform.\n\n\"And the second paragraph continues the same quote without closing.\""
	for _, q := range FindQuotes(s, "") {
		t.Logf("%q -> %q / %q (%q %q) frag=%v parts=%d", q.Text, q.Speaker, q.Role, q.Mention, q.Cue, q.Fragment, len(q.Parts))
	}
	for _, sp := range findSpans(s) {
		t.Logf("%+v %q", sp, s[sp.start:sp.end])
	}
}
