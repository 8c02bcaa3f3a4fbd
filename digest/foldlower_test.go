package digest

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Every rune a letter case-folds to becomes the same rune in a Haystack, one of
// them, so that a literal (kept by the parser as the smallest of them) and a folded
// class both match it: σ, ς and Σ alike (review 66), and İ, which folds to nothing,
// stays itself rather than becoming i (review 67).
func TestFoldLowerIsOneRuneOfEachOrbit(t *testing.T) {
	for r := rune(0); r <= maxFold+1; r++ {
		c := foldLower(r)
		orbit := []rune{r}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			orbit = append(orbit, f)
		}
		if !slices.Contains(orbit, c) {
			t.Fatalf("foldLower(%U) = %U, outside its orbit %U", r, c, orbit)
		}
		for _, f := range orbit {
			if foldLower(f) != c {
				t.Fatalf("foldLower(%U) = %U but foldLower(%U) = %U", r, c, f, foldLower(f))
			}
		}
	}
	for r, want := range map[rune]rune{'ς': 'σ', 'Σ': 'σ', 'ſ': 's', 'µ': 'μ', 0x345: 'ι', 'İ': 'İ', 'ı': 'ı', 'K': 'k', 'Д': 'д'} {
		if got := foldLower(r); got != want {
			t.Errorf("foldLower(%U) = %U, want %U", r, got, want)
		}
	}
}

// A keyword keeps its fast literal search: its needle is the whole word, in Cyrillic
// and Greek too (review 67: a class for every letter with a rare case form, s or о,
// cut needles to a letter or two, and keywords ran 25-270 times slower).
func TestKeywordsKeepTheirNeedles(t *testing.T) {
	for expr, want := range map[string][]string{
		`россия`: {"россия"}, `sanctions`: {"sanctions"}, `москва|кремль`: {"москва", "кремль"}, `Σεισμός`: {"σεισμόσ"},
	} {
		f, err := compileFilterExpr("include", expr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.needles, want) {
			t.Errorf("%q: needles %q, want %q", expr, f.needles, want)
		}
	}
}

// BenchmarkHaystack prepares an 8.6 KB article for filters, against strings.ToLower:
// a Cyrillic one (no rune of it is an exception) and a Greek one (ς is).
func BenchmarkHaystack(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"cyrillic", strings.Repeat("Москва заявила о новых санкциях против России. ", 180)},
		{"greek", strings.Repeat("Ο σεισμός στην Κρήτη προκάλεσε ζημιές στους δρόμους. ", 160)},
	} {
		it := Item{Title: "t", Text: c.text}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Haystack(it)
			}
		})
		b.Run(c.name+"/strings.ToLower", func(b *testing.B) {
			for b.Loop() {
				strings.ToLower(it.Title + "\n" + it.Text)
			}
		})
	}
}
