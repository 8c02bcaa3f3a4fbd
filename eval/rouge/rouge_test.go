package rouge_test

import (
	"math"
	"testing"

	"github.com/newsbot/newsbot/eval/rouge"
)

func TestRougeKnownValues(t *testing.T) {
	r := rouge.Score("the cat sat on the mat", "the cat sat on a mat")
	// Unigrams: overlap 5 of 6 each side; bigrams: the-cat, cat-sat, sat-on = 3 of 5.
	if math.Abs(r.R1-5.0/6) > 1e-9 || math.Abs(r.R2-3.0/5) > 1e-9 {
		t.Fatalf("R1 %.4f R2 %.4f", r.R1, r.R2)
	}
	// LCS: the cat sat on mat = 5 of 6.
	if math.Abs(r.RL-5.0/6) > 1e-9 {
		t.Fatalf("RL %.4f", r.RL)
	}
	if got := rouge.Tokens("U.S. $1.13bn, Don't!"); len(got) != 6 { // u s 1 13bn don t
		t.Fatalf("tokens %v", got)
	}
	if got := rouge.FixGluedReference(`rose 2%.For the year.“Yes”.he`); got != `rose 2%. For the year. “Yes”.he` {
		t.Fatalf("fix: %q", got)
	}
	if r := rouge.Score("", "x y"); r.R1 != 0 || r.RL != 0 {
		t.Fatal("empty candidate scored")
	}
}
