package eval

import "testing"

func TestScratchQuotes(t *testing.T) {
	cases, err := LoadPolNeAR("../../shared/data/quotes/polnear")
	if err != nil {
		t.Skip(err)
	}
	t.Logf("%+v", ScoreQuotes(cases, OurQuotes))
}
