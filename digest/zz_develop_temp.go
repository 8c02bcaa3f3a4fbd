package digest

// TEMPORARY: replaced by develop.go from branch "updates" before this lands.

import "sort"

type Facts struct {
	Numbers, Names, Quotes, Outcomes []string
}

func FactsOf(it Item) Facts {
	f := computeStoryFeatures(it)
	var out Facts
	for n := range f.numbers {
		out.Numbers = append(out.Numbers, n)
	}
	for e := range f.entities {
		if !f.numbers[e] {
			out.Names = append(out.Names, e)
		}
	}
	sort.Strings(out.Numbers)
	sort.Strings(out.Names)
	return out
}

func (f Facts) With(g Facts) Facts {
	u := func(a, b []string) []string {
		m := map[string]bool{}
		for _, x := range append(append([]string{}, a...), b...) {
			m[x] = true
		}
		var out []string
		for x := range m {
			out = append(out, x)
		}
		sort.Strings(out)
		return out
	}
	return Facts{u(f.Numbers, g.Numbers), u(f.Names, g.Names), u(f.Quotes, g.Quotes), u(f.Outcomes, g.Outcomes)}
}

func (f Facts) Strings() []string {
	var out []string
	for _, x := range f.Numbers {
		out = append(out, "n:"+x)
	}
	for _, x := range f.Names {
		out = append(out, "p:"+x)
	}
	return out
}

func FactsFromStrings(s []string) Facts {
	var f Facts
	for _, x := range s {
		if len(x) > 2 && x[:2] == "n:" {
			f.Numbers = append(f.Numbers, x[2:])
		} else if len(x) > 2 && x[:2] == "p:" {
			f.Names = append(f.Names, x[2:])
		}
	}
	return f
}

type Development struct {
	New       Facts
	Sentences []string
	Material  bool
}

func DevelopmentOf(known Facts, report Item) Development {
	have := map[string]bool{}
	for _, x := range known.Strings() {
		have[x] = true
	}
	var d Development
	for _, x := range FactsOf(report).Strings() {
		if !have[x] {
			if x[0] == 'n' {
				d.New.Numbers = append(d.New.Numbers, x[2:])
			} else {
				d.New.Names = append(d.New.Names, x[2:])
			}
		}
	}
	d.Material = len(d.New.Numbers) > 0
	sents := SplitSentences(report.Text)
	if len(sents) > 0 {
		d.Sentences = []string{sents[0].Text}
	}
	return d
}
