package digest

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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
	// Checked as written first: the rewrite below must not make an invalid expression
	// valid, and folding classes is what the parse under (?i) costs.
	if _, err := syntax.Parse(e, syntax.Perl); err != nil {
		return filterExpr{}, fmt.Errorf("%s filter %q is not a valid RE2 expression: %w", kind, e, err)
	}
	rewritten, foldCost := withoutCaseOff(e)
	if foldCost > MaxFilterFoldRunes {
		return filterExpr{}, fmt.Errorf("%s filter %q has character ranges spanning %d letters; at most %d are allowed (a filter must stay quick to run for every article)", kind, e, foldCost, MaxFilterFoldRunes)
	}
	parsed, err := syntax.Parse("(?i)"+rewritten, syntax.Perl)
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
	if len(prog.Inst) > MaxFilterProgram || classRanges(parsed) > MaxFilterClassRanges || programRanges(prog) > MaxFilterProgramRanges {
		return filterExpr{}, fmt.Errorf("%s filter %q is too complex to run for every article; split it into simpler filters", kind, e)
	}
	lowerLiterals(parsed)
	var src strings.Builder
	writeRE(&src, parsed)
	re, err := regexp.Compile(src.String())
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

// lowerLiterals turns case-folded literals into the runes they match in a Haystack
// (foldLower), without case folding (character classes were already expanded to every
// case by the parser), so that RE2 can use its fast literal search. Filters are always
// case-insensitive: withoutCaseOff took (?-i) out before parsing.
func lowerLiterals(re *syntax.Regexp) {
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
		for i, r := range re.Rune {
			re.Rune[i] = foldLower(r)
		}
		re.Flags &^= syntax.FoldCase
	}
	for _, sub := range re.Sub {
		lowerLiterals(sub)
	}
}

// foldLower is the one rune that r and every rune case-folding to it (its orbit under
// unicode.SimpleFold) become in a Haystack: most often unicode.ToLower(r). Where the
// orbit holds several lower cases (σ and final ς, ι and the iota subscript, μ and the
// micro sign, s and the long s), it is the lower case of the upper case; where
// lower-casing leaves the orbit (İ lower-cases to i, which it does not fold to), r
// stays itself. The parser keeps the smallest rune of an orbit (Σ, U+0345), and
// lower-casing that alone made Greek words never match (review 66); a class of the
// lower cases instead cost keywords their fast search (review 67).
func foldLower(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if r > maxFold {
		return unicode.ToLower(r)
	}
	if ex := foldExceptions(); ex.has(r) {
		return ex.to[r]
	}
	return unicode.ToLower(r)
}

// foldExceptionSet is the runes whose foldLower is not unicode.ToLower, with a bit
// for each rune up to maxFold, which a haystack asks of every rune (review 68: a map
// lookup for each made Cyrillic text twice as slow to prepare).
type foldExceptionSet struct {
	to   map[rune]rune
	bits []uint64
}

func (s foldExceptionSet) has(r rune) bool {
	return r >= 0 && r <= maxFold && s.bits[r/64]&(1<<(r%64)) != 0
}

// foldExceptions are the runes whose foldLower is not unicode.ToLower (a few dozen),
// found once, when first asked for (some 10 ms).
var foldExceptions = sync.OnceValue(func() foldExceptionSet {
	out := foldExceptionSet{to: map[rune]rune{}, bits: make([]uint64, maxFold/64+1)}
	for r := rune(utf8.RuneSelf); r <= maxFold; r++ {
		if c := orbitLower(r); c != unicode.ToLower(r) {
			out.to[r] = c
			out.bits[r/64] |= 1 << (r % 64)
		}
	}
	return out
})

// orbitLower is foldLower worked out from r's orbit: the smallest of its runes that is
// the lower case of an upper case in it, else of its runes' lower cases in it, else of
// its runes; chosen over the whole orbit, so that every rune of it gets the same.
func orbitLower(r rune) rune {
	orbit := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		orbit = append(orbit, f)
	}
	best := func(of func(rune) rune) rune {
		c := rune(-1)
		for _, x := range orbit {
			if l := of(x); slices.Contains(orbit, l) && (c < 0 || l < c) {
				c = l
			}
		}
		return c
	}
	if c := best(func(x rune) rune { return unicode.ToLower(unicode.ToUpper(x)) }); c >= 0 {
		return c
	}
	if c := best(unicode.ToLower); c >= 0 {
		return c
	}
	return slices.Min(orbit)
}

// Bounds on the character classes of one expression, which its program counts as one
// instruction each however large: \pL alone is 685 ranges, and 66 × \PL, within 200
// characters, printed half a megabyte of source and took 37 ms to compile (review 67).
// [\pL\pN ]{20}x, among the largest a reader would write, is 780 and 15,600.
const (
	// MaxFilterClassRanges bounds the ranges of the expression's classes as written.
	MaxFilterClassRanges = 2000
	// MaxFilterProgramRanges bounds them in its program, where repeats copy them.
	MaxFilterProgramRanges = 20000
)

// classRanges counts the ranges of re's character classes.
func classRanges(re *syntax.Regexp) int {
	n := 0
	if re.Op == syntax.OpCharClass {
		n = len(re.Rune) / 2
	}
	for _, sub := range re.Sub {
		n += classRanges(sub)
	}
	return n
}

// programRanges counts the ranges of prog's rune instructions.
func programRanges(prog *syntax.Prog) int {
	n := 0
	for _, inst := range prog.Inst {
		if inst.Op == syntax.InstRune {
			n += len(inst.Rune) / 2
		}
	}
	return n
}

// withoutCaseOff returns e with i taken out of the flags its groups turn off: (?-i:x)
// becomes (?:x), (?s-i) becomes (?s). Filters match lower-cased text, always without
// case, and a class in a (?-i:) group cannot be made to once parsed: [^a-z] is by then
// its complement, upper case included (review 65). Escapes, \Q...\E and classes are
// read past, so that only flag groups change; foldCost sums classEnd's cost of the
// classes read (what the parse under (?i) will fold rune by rune).
func withoutCaseOff(e string) (out string, foldCost int) {
	var b strings.Builder
	for i := 0; i < len(e); {
		switch {
		case strings.HasPrefix(e[i:], `\Q`):
			end := strings.Index(e[i+2:], `\E`)
			if end < 0 {
				b.WriteString(e[i:])
				return b.String(), foldCost
			}
			b.WriteString(e[i : i+end+4])
			i += end + 4
		case e[i] == '\\':
			_, j := classChar(e, i)
			b.WriteString(e[i:j])
			i = j
		case e[i] == '[':
			j, cost := classEnd(e, i)
			foldCost += cost
			b.WriteString(e[i:j])
			i = j
		case strings.HasPrefix(e[i:], "(?"):
			j := i + 2
			for j < len(e) && strings.IndexByte("imsU-", e[j]) >= 0 {
				j++
			}
			on, off, _ := strings.Cut(e[i+2:min(j, len(e))], "-")
			if j == len(e) || (e[j] != ':' && e[j] != ')') || !strings.Contains(off, "i") {
				b.WriteString("(?")
				i += 2
				continue
			}
			flags := on
			if off = strings.ReplaceAll(off, "i", ""); off != "" {
				flags += "-" + off
			}
			switch {
			case flags != "":
				b.WriteString("(?" + flags + e[j:j+1])
			case e[j] == ':':
				b.WriteString("(?:")
			default:
				b.WriteString("(?i)") // a flag group that changes nothing, as a bare (?-i) now is: a(?-i)*b keeps its meaning
			}
			i = j + 1
		default:
			b.WriteByte(e[i])
			i++
		}
	}
	return b.String(), foldCost
}

// classEnd returns the index just past the character class that starts at e[i] ('['),
// or len(e) when it does not end, and what case folding its items costs the parser
// (foldCost).
func classEnd(e string, i int) (end, cost int) {
	k := i + 1
	if k < len(e) && e[k] == '^' {
		k++
	}
	first := true
	for k < len(e) {
		if e[k] == ']' && !first {
			return k + 1, cost
		}
		first = false
		// A named class, [:alpha:], folds from a table.
		if strings.HasPrefix(e[k:], "[:") {
			if n := strings.Index(e[k+2:], ":]"); n >= 0 {
				k += n + 4
				continue
			}
		}
		lo, next := classChar(e, k)
		hi := lo
		k = next
		// A range: a - that neither ends the class nor follows a class escape.
		if lo >= 0 && k+1 < len(e) && e[k] == '-' && e[k+1] != ']' {
			hi, k = classChar(e, k+1)
		}
		if lo >= 0 && hi >= lo {
			cost += foldCost(lo, hi)
		}
	}
	return len(e), cost
}

// classChar reads one character of a class at e[k], returning it (-1 for an escape
// that names a class, such as \pL or \d, or one it cannot read) and the index past it.
func classChar(e string, k int) (rune, int) {
	if e[k] != '\\' {
		r, size := utf8.DecodeRuneInString(e[k:])
		return r, k + size
	}
	j := k + 1
	if j >= len(e) {
		return -1, j
	}
	switch c := e[j]; {
	case c == 'p' || c == 'P':
		if j+1 < len(e) && e[j+1] == '{' {
			if n := strings.IndexByte(e[j+1:], '}'); n >= 0 {
				return -1, j + 1 + n + 1
			}
			return -1, len(e)
		}
		_, size := utf8.DecodeRuneInString(e[min(j+1, len(e)):])
		return -1, j + 1 + size
	case strings.IndexByte("dDsSwW", c) >= 0:
		return -1, j + 1
	case c == 'x' && j+1 < len(e) && e[j+1] == '{':
		if n := strings.IndexByte(e[j+1:], '}'); n >= 0 {
			j += 1 + n + 1
		} else {
			j = len(e)
		}
	case c == 'x':
		j = min(j+3, len(e))
	case '0' <= c && c <= '7':
		for n := 0; n < 3 && j < len(e) && '0' <= e[j] && e[j] <= '7'; n++ {
			j++
		}
	default:
		_, size := utf8.DecodeRuneInString(e[j:])
		j += size
	}
	// The parser reads the escape, alone, as it would in the class.
	if re, err := syntax.Parse(e[k:j], syntax.Perl); err == nil && re.Op == syntax.OpLiteral && len(re.Rune) == 1 {
		return re.Rune[0], j
	}
	return -1, j
}

// Bounds of the runes that case folding maps, as regexp/syntax has them.
const (
	minFold = 0x0041
	maxFold = 0x1e943
)

// foldCost is how many runes the parser folds one by one for the class range lo-hi
// under (?i): the part of it between minFold and maxFold, unless it spans them all.
func foldCost(lo, hi rune) int {
	if lo <= minFold && hi >= maxFold {
		return 0
	}
	return max(0, int(min(hi, maxFold)-max(lo, minFold))+1)
}

// MaxFilterFoldRunes bounds the runes one expression's classes make the parser fold one
// by one (foldCost): 27 ns each, so about 1.5 ms an expression. [一-龥], all of CJK's
// common ideographs, is 20,902; [B-𞥂], 125,000 of them, cost 3.4 ms a class, and 25 in
// one expression 86 ms, at every digest (review 66).
const MaxFilterFoldRunes = 50_000

// Haystack is what filters are matched against: an item's title and text, each rune
// as foldLower has it (lower-cased, but for a few letters such as ς and ſ).
func Haystack(it Item) string {
	s := it.Title + "\n" + it.Text
	if !strings.ContainsFunc(s, isFoldException) {
		return strings.ToLower(s)
	}
	return strings.Map(foldLower, s)
}

func isFoldException(r rune) bool { return r >= utf8.RuneSelf && foldExceptions().has(r) }

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

// writeRE prints re as RE2 syntax that means the same with no flags set: each node
// says what it matches (classes as explicit ranges, literals exact, flags where an
// operator needs one), so printing computes no case folds. syntax.Regexp.String does,
// over every rune of a wide class (some 125,000 for \S): 30 filters of 97 × \S each
// cost 5-7 s a digest, outside the filters' budget (review 65).
func writeRE(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpNoMatch:
		b.WriteString(`[^\x00-\x{10FFFF}]`)
	case syntax.OpEmptyMatch:
		b.WriteString(`(?:)`)
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			writeRune(b, r)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			b.WriteString(`[^\x00-\x{10FFFF}]`)
			return
		}
		b.WriteByte('[')
		for i := 0; i+1 < len(re.Rune); i += 2 {
			writeRune(b, re.Rune[i])
			if re.Rune[i+1] != re.Rune[i] {
				b.WriteByte('-')
				writeRune(b, re.Rune[i+1])
			}
		}
		b.WriteByte(']')
	case syntax.OpAnyCharNotNL:
		b.WriteString(`(?-s:.)`)
	case syntax.OpAnyChar:
		b.WriteString(`(?s:.)`)
	case syntax.OpBeginLine:
		b.WriteString(`(?m:^)`)
	case syntax.OpEndLine:
		b.WriteString(`(?m:$)`)
	case syntax.OpBeginText:
		b.WriteString(`\A`)
	case syntax.OpEndText:
		b.WriteString(`\z`)
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture:
		b.WriteByte('(')
		writeRE(b, re.Sub[0])
		b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		b.WriteString("(?:")
		writeRE(b, re.Sub[0])
		b.WriteByte(')')
		switch re.Op {
		case syntax.OpStar:
			b.WriteByte('*')
		case syntax.OpPlus:
			b.WriteByte('+')
		case syntax.OpQuest:
			b.WriteByte('?')
		default:
			fmt.Fprintf(b, "{%d,", re.Min)
			if re.Max >= 0 {
				fmt.Fprint(b, re.Max)
			}
			b.WriteByte('}')
		}
		if re.Flags&syntax.NonGreedy != 0 {
			b.WriteByte('?')
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			writeRE(b, sub)
		}
	case syntax.OpAlternate:
		b.WriteString("(?:")
		for i, sub := range re.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			writeRE(b, sub)
		}
		b.WriteByte(')')
	default:
		// No other op comes out of the parser; should one appear, it matches nothing
		// rather than something it does not say.
		b.WriteString(`[^\x00-\x{10FFFF}]`)
	}
}

// writeRune writes r as itself when it is a letter or digit (which mean themselves
// anywhere in RE2), else escaped.
func writeRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) && utf8.ValidRune(r) {
		b.WriteRune(r)
		return
	}
	b.WriteString(`\x{`)
	b.WriteString(strconv.FormatInt(int64(r), 16))
	b.WriteByte('}')
}
