// Package rouge scores summaries against references the way newsbot's published
// figures do (ROUGE-1, -2 and -L F1 on lower-cased alphanumeric tokens), and holds the
// one repair the BBC reference summaries need (sentences glued after full stops).
package rouge

import "strings"

// Scores are F1 scores in [0, 1].
type Scores struct {
	R1, R2, RL float64
}

// Tokens tokenises text the way our published ROUGE numbers do: maximal runs of
// [a-z0-9] after lower-casing; no stemming, no stopword removal.
func Tokens(text string) []string {
	text = strings.ToLower(text)
	var out []string
	start := -1
	for i := 0; i <= len(text); i++ {
		alnum := i < len(text) && (text[i] >= 'a' && text[i] <= 'z' || text[i] >= '0' && text[i] <= '9')
		if alnum && start < 0 {
			start = i
		} else if !alnum && start >= 0 {
			out = append(out, text[start:i])
			start = -1
		}
	}
	return out
}

// FixGluedReference inserts a space after every '.' directly followed by an upper-case
// letter or a quote mark, as the BBC reference summaries glue their sentences.
func FixGluedReference(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		b.WriteRune(r)
		if r == '.' && i+1 < len(rs) {
			n := rs[i+1]
			if (n >= 'A' && n <= 'Z') || n == '"' || n == '\'' || n == '“' || n == '‘' {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// Score compares a candidate summary with a reference: ROUGE-1 and ROUGE-2 F1 from
// clipped n-gram counts, ROUGE-L F1 from the longest common subsequence over the whole
// token sequences.
func Score(candidate, reference string) Scores {
	c, r := Tokens(candidate), Tokens(reference)
	return Scores{
		R1: ngramF1(c, r, 1),
		R2: ngramF1(c, r, 2),
		RL: lcsF1(c, r),
	}
}

func ngrams(toks []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(toks); i++ {
		m[strings.Join(toks[i:i+n], " ")]++
	}
	return m
}

func f1(overlap, candTotal, refTotal int) float64 {
	if overlap == 0 || candTotal == 0 || refTotal == 0 {
		return 0
	}
	p := float64(overlap) / float64(candTotal)
	r := float64(overlap) / float64(refTotal)
	return 2 * p * r / (p + r)
}

func ngramF1(c, r []string, n int) float64 {
	cg, rg := ngrams(c, n), ngrams(r, n)
	overlap, ct, rt := 0, 0, 0
	for g, k := range cg {
		ct += k
		overlap += min(k, rg[g])
	}
	for _, k := range rg {
		rt += k
	}
	return f1(overlap, ct, rt)
}

func lcsF1(c, r []string) float64 {
	if len(c) == 0 || len(r) == 0 {
		return 0
	}
	prev := make([]int, len(r)+1)
	cur := make([]int, len(r)+1)
	for i := 1; i <= len(c); i++ {
		for j := 1; j <= len(r); j++ {
			if c[i-1] == r[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(cur[j-1], prev[j])
			}
		}
		prev, cur = cur, prev
	}
	return f1(prev[len(r)], len(c), len(r))
}
