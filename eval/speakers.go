package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
)

// SpeakerCase is one hand-labelled paragraph: the quotes in it and who said them.
type SpeakerCase struct {
	ID     string        `json:"id"`
	Lang   string        `json:"lang"`
	Text   string        `json:"text"`
	Quotes []SpeakerGold `json:"quotes"`
	// Source names where the text is, for a label file that may not carry it (the
	// articles belong to their publishers): read from the data folder at load time.
	Source *TextSource `json:"source,omitempty"`
}

// TextSource locates an article's text under a data folder (../shared/data): a
// plain-text article whose first line is its headline (File alone; UTF-8, or
// Windows-1252 when not valid UTF-8), or the "text" of
// the row with URL in a CSV with "url" and "text" columns. LiteralN: the file wrote
// each line break as a literal Latin "n" (the ODS news dump); it is restored.
type TextSource struct {
	File     string `json:"file"`
	URL      string `json:"url,omitempty"`
	LiteralN bool   `json:"literal_n,omitempty"`
	// HTML: the file is an article's HTML (a readability extraction); its text is what
	// the bot reads of a page, feed.HTMLToText, headline not included.
	HTML bool `json:"html,omitempty"`
}

// SpeakerGold is one quote's gold attribution. Quote is a substring of the quotation;
// Speaker is the name as the text gives it (inflected as written, "Степана Мирошника"
// after "за словами"); Role, when set, is words the returned role must contain.
type SpeakerGold struct {
	Quote   string `json:"quote"`
	Speaker string `json:"speaker"`
	Role    string `json:"role,omitempty"`
}

// DefaultDataDir is where TextSource files are read from unless a caller says.
const DefaultDataDir = "../shared/data"

// LoadSpeakerCases reads a JSON array of SpeakerCase; texts given by Source are read
// from dataDir (DefaultDataDir when empty).
func LoadSpeakerCases(path string, dataDir ...string) ([]SpeakerCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load speaker cases: %w", err)
	}
	var cases []SpeakerCase
	if err := json.Unmarshal(data, &cases); err != nil {
		return nil, fmt.Errorf("load speaker cases %s: %w", path, err)
	}
	root := DefaultDataDir
	if len(dataDir) > 0 && dataDir[0] != "" {
		root = dataDir[0]
	}
	texts := map[string]map[string]string{} // CSV file -> url -> text, read once
	for i := range cases {
		if cases[i].Text != "" || cases[i].Source == nil {
			continue
		}
		t, err := cases[i].Source.read(root, texts)
		if err != nil {
			return nil, fmt.Errorf("load speaker cases %s: case %d (%s): %w", path, i, cases[i].ID, err)
		}
		cases[i].Text = t
	}
	for i, c := range cases {
		for _, q := range c.Quotes {
			if q.Quote == "" || q.Speaker == "" || !strings.Contains(c.Text, q.Quote) {
				return nil, fmt.Errorf("load speaker cases %s: case %d (%s): quote %q is empty, has no speaker or is not in the text", path, i, c.ID, q.Quote)
			}
		}
	}
	return cases, nil
}

// SpeakerScore is attribution on a hand-labelled set, for one language or all.
type SpeakerScore struct {
	Lang  string `json:"lang"`
	Cases int    `json:"cases"`
	Gold  int    `json:"gold_quotes"`
	// Found: gold quotes the finder returned; Correct shares a name word with the gold
	// speaker, Strict carries all of its words; roles are scored where gold gives one.
	Found          int     `json:"found"`
	Correct        int     `json:"correct"`
	Strict         int     `json:"strict"`
	RoleGold       int     `json:"role_gold"`
	RoleCorrect    int     `json:"role_correct"`
	Accuracy       float64 `json:"accuracy"`
	StrictAccuracy float64 `json:"strict_accuracy"`
	RoleAccuracy   float64 `json:"role_accuracy"`
	// Named: found quotes given a speaker at all; NamedPrecision is Correct / Named,
	// how often a speaker a reader is shown is the right one.
	Named          int     `json:"named"`
	NamedPrecision float64 `json:"named_precision"`
	// Key: the quotes the finder chose for a digest (Quote.Key) that match a gold
	// quote; KeyCorrect of them have the right speaker (protocol match), KeyPrecision
	// is their share: what a digest's reader is shown. KeyUnlabelled counts chosen
	// quotes no gold quote matches (not scored). Meaningful where a case is a whole
	// article, as the digest runs the finder on one.
	Key           int     `json:"key"`
	KeyCorrect    int     `json:"key_correct"`
	KeyPrecision  float64 `json:"key_precision"`
	KeyUnlabelled int     `json:"key_unlabelled"`
	// WrongBy counts the quotes whose speaker is wrong (protocol match) by how the
	// finder reached it (see mentionKind): where a held-out set's errors lie, told
	// without showing any of them.
	WrongBy map[string]int `json:"wrong_by,omitempty"`
	Misses  []string       `json:"misses,omitempty"`
}

// mentionKind classes how a quote's speaker was reached, from its mention: "not found"
// (the quote itself was missed), "none" (no attribution), "pronoun" ("he", "вона"),
// "role phrase" (no capitalised word: "the minister", "— сказав голова"), or "name"
// (a name, surname or organisation as written).
func mentionKind(q *digest.Quote) string {
	if q == nil {
		return "not found"
	}
	switch m := strings.TrimSpace(q.Mention); {
	case m == "" && q.Speaker == "":
		return "none"
	case digest.IsPronoun(m):
		return "pronoun"
	case !slices.ContainsFunc([]rune(m), unicode.IsUpper):
		return "role phrase"
	}
	return "name"
}

// ScoreSpeakerCases runs digest.FindQuotes on each case and scores its speakers per
// language, then over all (Lang "all"), in that order.
func ScoreSpeakerCases(cases []SpeakerCase) []SpeakerScore {
	by := map[string]*SpeakerScore{}
	all := &SpeakerScore{Lang: "all"}
	for _, c := range cases {
		s, ok := by[c.Lang]
		if !ok {
			s = &SpeakerScore{Lang: c.Lang}
			by[c.Lang] = s
		}
		qs := digest.FindQuotes(c.Text, c.Lang)
		for _, sc := range []*SpeakerScore{s, all} {
			sc.Cases++
		}
		for i := range qs {
			if !qs[i].Key {
				continue
			}
			j := slices.IndexFunc(c.Quotes, func(g SpeakerGold) bool { return strings.Contains(qs[i].Text, g.Quote) })
			for _, sc := range []*SpeakerScore{s, all} {
				switch {
				case j < 0:
					sc.KeyUnlabelled++
				case wordsShared(qs[i].Speaker, c.Quotes[j].Speaker) > 0:
					sc.KeyCorrect++
					fallthrough
				default:
					sc.Key++
				}
			}
		}
		for _, g := range c.Quotes {
			var got *digest.Quote
			for i := range qs {
				if strings.Contains(qs[i].Text, g.Quote) {
					got = &qs[i]
					break
				}
			}
			for _, sc := range []*SpeakerScore{s, all} {
				sc.Gold++
				if g.Role != "" {
					sc.RoleGold++
				}
				if got == nil {
					if sc.WrongBy == nil {
						sc.WrongBy = map[string]int{}
					}
					sc.WrongBy["not found"]++
					continue
				}
				sc.Found++
				if got.Speaker != "" {
					sc.Named++
				}
				if wordsShared(got.Speaker, g.Speaker) > 0 {
					sc.Correct++
				} else {
					if sc.WrongBy == nil {
						sc.WrongBy = map[string]int{}
					}
					sc.WrongBy[mentionKind(got)]++
				}
				if allWords(got.Speaker, g.Speaker) {
					sc.Strict++
				}
				if g.Role != "" && allWords(got.Role, g.Role) {
					sc.RoleCorrect++
				}
			}
			if got == nil || !allWords(got.Speaker, g.Speaker) || (g.Role != "" && !allWords(got.Role, g.Role)) {
				var sp, role string
				if got != nil {
					sp, role = got.Speaker, got.Role
				}
				all.Misses = append(all.Misses, fmt.Sprintf("%s %q: got %q (role %q), want %q (role %q)", c.ID, g.Quote, sp, role, g.Speaker, g.Role))
			}
		}
	}
	var langs []string
	for l := range by {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var out []SpeakerScore
	for _, l := range append(langs, "all") {
		s := all
		if l != "all" {
			s = by[l]
		}
		if s.Gold > 0 {
			s.Accuracy = float64(s.Correct) / float64(s.Gold)
			s.StrictAccuracy = float64(s.Strict) / float64(s.Gold)
		}
		if s.RoleGold > 0 {
			s.RoleAccuracy = float64(s.RoleCorrect) / float64(s.RoleGold)
		}
		if s.Named > 0 {
			s.NamedPrecision = float64(s.Correct) / float64(s.Named)
		}
		if s.Key > 0 {
			s.KeyPrecision = float64(s.KeyCorrect) / float64(s.Key)
		}
		out = append(out, *s)
	}
	return out
}

// urlTextColumns finds the "url" and "text" columns of a header (Toloka pools name
// them "INPUT:url", "INPUT:text").
func urlTextColumns(path string, header []string) (u, t int, err error) {
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), "INPUT:")] = i
	}
	u, okU := col["url"]
	t, okT := col["text"]
	if !okU || !okT {
		return 0, 0, fmt.Errorf("read %s: want url and text columns", path)
	}
	return u, t, nil
}

// readTSVTexts is readCSVTexts for the Toloka pools: one row a line, fields split at
// tabs, a field wrapped in quotes with doubled quotes inside unwrapped; the pair pools
// give two articles a row. A title that
// merely opens with a quotation ("\"Это может случиться…\": свадьба …") is no quoted
// field; encoding/csv, even with LazyQuotes, read on from it into the next rows and
// lost them.
func readTSVTexts(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	header := strings.Split(lines[0], "\t")
	type column struct{ u, t int }
	var cols []column
	if u, t, err := urlTextColumns(path, header); err == nil {
		cols = append(cols, column{u, t})
	} else {
		// The tgcontest pair pools hold two articles a row: first_url and first_text,
		// second_url and second_text.
		col := map[string]int{}
		for i, h := range header {
			col[strings.TrimPrefix(strings.TrimSpace(h), "INPUT:")] = i
		}
		for _, side := range []string{"first", "second"} {
			u, okU := col[side+"_url"]
			t, okT := col[side+"_text"]
			if okU && okT {
				cols = append(cols, column{u, t})
			}
		}
		if len(cols) == 0 {
			return nil, err
		}
	}
	unquote := func(f string) string {
		if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
			return strings.ReplaceAll(f[1:len(f)-1], `""`, `"`)
		}
		return f
	}
	out := map[string]string{}
	for _, line := range lines[1:] {
		rec := strings.Split(line, "\t")
		for _, c := range cols {
			if c.u < len(rec) && c.t < len(rec) {
				// A text the crawl quoted twice (the honey pool's) is read as written.
				out[unquote(rec[c.u])] = unquoteTwice(unquote(rec[c.t]))
			}
		}
	}
	return out, nil
}

// unicodeWords lower-cases s and splits it into words of letters and digits, in any
// script (the PolNeAR protocol's tokens are ASCII only).
func unicodeWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' })
}

// wordsShared counts the words of want that also occur in got.
func wordsShared(got, want string) int {
	have := unicodeWords(got)
	n := 0
	for _, w := range contentWords(want) {
		if slices.ContainsFunc(have, func(h string) bool { return sameWord(h, w) }) {
			n++
		}
	}
	return n
}

// contentWords are a gold speaker's words less function words and titles: "the" or
// "у" shared by "the company" and "the chief executive of a car maker" is no match
// (until 2026-11-30 it counted as one).
func contentWords(s string) []string {
	var out []string
	all := unicodeWords(s)
	for _, w := range all {
		if !digest.IsFunctionWord(w) && !nonNameTitles[w] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return all // a role of titles only ("President", "judge") is those words
	}
	return out
}

// sameWord compares two lower-case words; Ukrainian and Russian names inflect (the
// gold speaker is written as at its attribution, "за словами Борреля", the finder
// gives "Боррель"), so Cyrillic words match by digest.SameCyrillicStem.
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	return len(ra) > 0 && len(rb) > 0 && unicode.Is(unicode.Cyrillic, ra[0]) && unicode.Is(unicode.Cyrillic, rb[0]) &&
		digest.SameCyrillicStem(a, b)
}

// allWords reports whether got carries every word of want (and want has some).
func allWords(got, want string) bool {
	n := len(contentWords(want))
	return n > 0 && wordsShared(got, want) == n
}

// restoreNewlines turns each run of Latin "n" between two characters that are not
// ASCII letters or digits back into line breaks: the ODS dump wrote line breaks as a
// letter, and such a run is never Russian text.
func restoreNewlines(s string) string {
	r := []rune(s)
	asciiAlnum := func(c rune) bool { return c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)) }
	for i := 0; i < len(r); {
		if r[i] != 'n' {
			i++
			continue
		}
		j := i
		for j < len(r) && r[j] == 'n' {
			j++
		}
		if i > 0 && j < len(r) && !asciiAlnum(r[i-1]) && !asciiAlnum(r[j]) {
			for k := i; k < j; k++ {
				r[k] = '\n'
			}
		}
		i = j
	}
	return string(r)
}

func (src TextSource) read(root string, csvs map[string]map[string]string) (string, error) {
	path := filepath.Join(root, filepath.FromSlash(src.File))
	var text string
	if src.HTML {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		text = feed.HTMLToText(string(b))
	} else if src.URL == "" {
		// Older corpora are Windows-1252 with CRLF line ends (WikiRef220).
		whole, err := readText(path)
		if err != nil {
			return "", err
		}
		_, body, _ := strings.Cut(whole, "\n")
		text = strings.TrimSpace(body)
	} else {
		rows, ok := csvs[path]
		if !ok {
			var err error
			if rows, err = readCSVTexts(path); err != nil {
				return "", err
			}
			csvs[path] = rows
		}
		if text, ok = rows[src.URL]; !ok {
			return "", fmt.Errorf("%s has no row for %s", path, src.URL)
		}
	}
	if src.LiteralN {
		text = restoreNewlines(text)
	}
	return text, nil
}

// readCSVTexts maps each row's "url" to its "text" (a .tsv file is tab-separated).
func readCSVTexts(path string) (map[string]string, error) {
	if strings.HasSuffix(path, ".tsv") {
		return readTSVTexts(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	u, t, err := urlTextColumns(path, header)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if u < len(rec) && t < len(rec) {
			out[rec[u]] = rec[t]
		}
	}
	return out, nil
}
