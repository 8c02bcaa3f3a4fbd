package digest

import (
	"cmp"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// Limits on readers' filter expressions. RE2 runs in time linear in the text, but the
// factor is the size of the compiled program: a 16-character expression such as
// `[\pL\pN ]{1000}x` compiles to a thousand instructions and costs a millisecond or more
// per article. Counted repetition is what inflates a program, so it is bounded, and so
// is the program itself. The figures were chosen with BenchmarkWorstFilters (see
// BENCHMARKS.md): at these limits the costliest expression we could write costs about
// 1 ms per 5 KB article, against 0.15 ms for `ukraine|kyiv`.
const (
	// MaxFilterRepeat bounds n and m in x{n} and x{n,m}.
	MaxFilterRepeat = 20
	// MaxFilterProgram bounds the compiled program of one expression, in instructions.
	MaxFilterProgram = 200
)

// Filter is a subscriber's compiled include and exclude expressions (RE2, matched
// case-insensitively against an item's title and text).
type Filter struct {
	include, exclude []filterExpr
}

// filterExpr is one compiled expression with its prefilter: literals one of which any
// match must contain (none known: always run the expression). Most articles match
// none of a reader's keywords, and a substring search rules them out many times
// faster than the regular expression could.
type filterExpr struct {
	re      *regexp.Regexp
	needles []string
}

func (e filterExpr) match(hay string) bool {
	if len(e.needles) > 0 {
		found := false
		for _, n := range e.needles {
			if strings.Contains(hay, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return e.re.MatchString(hay)
}

// CompileFilter validates and compiles include and exclude expressions, with a clear
// error for any that is invalid or too costly to run.
func CompileFilter(include, exclude []string) (*Filter, error) {
	f := &Filter{}
	for _, e := range include {
		re, err := compileFilterExpr("include", e)
		if err != nil {
			return nil, err
		}
		f.include = append(f.include, re)
	}
	for _, e := range exclude {
		re, err := compileFilterExpr("exclude", e)
		if err != nil {
			return nil, err
		}
		f.exclude = append(f.exclude, re)
	}
	return f, nil
}

// Empty reports whether the filter keeps everything.
func (f *Filter) Empty() bool { return f == nil || len(f.include)+len(f.exclude) == 0 }

// compileFilterExpr compiles e for matching against lower-cased text: case-folded
// literals are lower-cased instead of folded, which lets RE2 use its fast literal
// search (a list of keywords runs about ten times faster than with (?i)).
func compileFilterExpr(kind, e string) (filterExpr, error) {
	parsed, err := syntax.Parse("(?i)"+e, syntax.Perl)
	if err != nil {
		return filterExpr{}, fmt.Errorf("%s filter %q is not a valid RE2 expression: %w", kind, e, err)
	}
	if n := maxRepeat(parsed); n > MaxFilterRepeat {
		return filterExpr{}, fmt.Errorf("%s filter %q repeats something %d times; at most %d are allowed (a filter must stay quick to run for every article)", kind, e, n, MaxFilterRepeat)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return filterExpr{}, fmt.Errorf("%s filter %q is not a valid RE2 expression: %w", kind, e, err)
	}
	if len(prog.Inst) > MaxFilterProgram {
		return filterExpr{}, fmt.Errorf("%s filter %q is too complex to run for every article; split it into simpler filters", kind, e)
	}
	lowerLiterals(parsed)
	re, err := regexp.Compile(parsed.String())
	if err != nil {
		return filterExpr{}, fmt.Errorf("%s filter %q: %w", kind, e, err)
	}
	needles, _ := required(parsed)
	return filterExpr{re: re, needles: needles}, nil
}

// required returns literals one of which every match of re contains, and whether such
// a set is known (the idea of RE2's prefilter, kept small: literals, concatenation,
// alternation, capture and repetition of at least one).
func required(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}, len(re.Rune) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Any one part's set will do: take the one whose shortest literal is longest.
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			set, ok := required(sub)
			if !ok {
				continue
			}
			shortest := len(set[0])
			for _, n := range set {
				shortest = min(shortest, len(n))
			}
			if shortest > bestLen {
				best, bestLen = set, shortest
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			set, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, set...)
		}
		return all, len(all) > 0
	}
	return nil, false
}

// maxRepeat is the largest count of any counted repetition in re.
func maxRepeat(re *syntax.Regexp) int {
	n := 0
	if re.Op == syntax.OpRepeat {
		n = max(re.Min, re.Max)
	}
	for _, sub := range re.Sub {
		n = max(n, maxRepeat(sub))
	}
	return n
}

// lowerLiterals turns literals into lower-case ones without case folding (character
// classes were already expanded to both cases by the parser). Filters are always
// case-insensitive, so a (?-i:...) group is too: its literals are lower-cased, and its
// classes gain the lower case of every letter they hold, since [A-Z] could otherwise
// never match the lower-cased text.
func lowerLiterals(re *syntax.Regexp) {
	switch {
	case re.Op == syntax.OpLiteral:
		for i, r := range re.Rune {
			re.Rune[i] = unicode.ToLower(r)
		}
		re.Flags &^= syntax.FoldCase
	case re.Op == syntax.OpCharClass && re.Flags&syntax.FoldCase == 0:
		re.Rune = withLowerCase(re.Rune)
	}
	for _, sub := range re.Sub {
		lowerLiterals(sub)
	}
}

// withLowerCase returns the class of ranges (lo, hi pairs) with the lower case of each
// letter in it added, sorted and merged as RE2 expects. Only runes with a case are
// visited (unicode.CaseRanges), so a class as wide as [^a] costs no more than [A-Z].
func withLowerCase(ranges []rune) []rune {
	out := append([]rune(nil), ranges...)
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for _, cr := range unicode.CaseRanges {
			for r := max(lo, rune(cr.Lo)); r <= min(hi, rune(cr.Hi)); r++ {
				if l := unicode.ToLower(r); l != r {
					out = append(out, l, l)
				}
			}
		}
	}
	return mergeRanges(out)
}

// mergeRanges sorts lo, hi pairs and joins those that overlap or touch.
func mergeRanges(ranges []rune) []rune {
	pairs := make([][2]rune, 0, len(ranges)/2)
	for i := 0; i+1 < len(ranges); i += 2 {
		pairs = append(pairs, [2]rune{ranges[i], ranges[i+1]})
	}
	slices.SortFunc(pairs, func(a, b [2]rune) int { return cmp.Compare(a[0], b[0]) })
	out := make([]rune, 0, len(ranges))
	for _, p := range pairs {
		if n := len(out); n > 0 && p[0] <= out[n-1]+1 {
			out[n-1] = max(out[n-1], p[1])
			continue
		}
		out = append(out, p[0], p[1])
	}
	return out
}

// Haystack is what filters are matched against: an item's title and text, lower-cased.
func Haystack(it Item) string { return strings.ToLower(it.Title + "\n" + it.Text) }

// Match reports whether an item with this haystack is kept, and how many include
// expressions it matched.
func (f *Filter) Match(hay string) (keep bool, hits int) {
	if f == nil {
		return true, 0
	}
	for _, e := range f.exclude {
		if e.match(hay) {
			return false, 0
		}
	}
	for _, e := range f.include {
		if e.match(hay) {
			hits++
		}
	}
	return len(f.include) == 0 || hits > 0, hits
}
