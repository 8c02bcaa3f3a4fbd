package digest

import (
	"slices"
	"testing"
	"time"
)

// Reports that share their words but name other actors are other stories: "Sbarro
// files for Chapter 11" and "Mt. Gox files for Chapter 15". With the name check turned
// off the two bankruptcies run together, so it is the names that keep them apart.
func TestGroupStoriesNamesKeepActorsApart(t *testing.T) {
	var items []Item
	for i, title := range []string{
		"Pizza chain Sbarro files for Chapter 11 bankruptcy protection",
		"Sbarro files for bankruptcy protection for the second time",
		"Mt. Gox files for Chapter 15 bankruptcy protection in the US",
		"Sbarro files for Chapter 11 again as mall traffic falls",
		"Bitcoin exchange Mt. Gox files for bankruptcy protection in the US",
		"Mt. Gox files for US bankruptcy protection as hackers leak data",
	} {
		items = append(items, Item{ID: uint64(i + 1), Title: title, Published: now.Add(time.Duration(i) * time.Minute)})
	}
	sbarro, gox := []int{0, 1, 3}, []int{2, 4, 5}
	check := func(g []int) (together, apart bool) {
		together, apart = true, true
		for _, set := range [][]int{sbarro, gox} {
			for _, i := range set {
				together = together && g[i] == g[set[0]]
			}
		}
		for _, i := range sbarro {
			apart = apart && !slices.ContainsFunc(gox, func(j int) bool { return g[i] == g[j] })
		}
		return together, apart
	}
	if together, apart := check(GroupStories(items, GroupOptions{})); !together || !apart {
		t.Errorf("with names: stories %v, want Sbarro %v and Mt. Gox %v as two stories", GroupStories(items, GroupOptions{}), sbarro, gox)
	}

	noNames := GroupOptions{NameMismatch: 1}
	if _, apart := check(GroupStories(items, noNames)); apart {
		t.Errorf("without the name check the bankruptcies stay apart (%v): the test no longer shows what names add", GroupStories(items, noNames))
	}
}

// Stories are about their main names; two stories about the same two names merge more
// easily, two whose main names the other never mentions less easily.
func TestStoryNameRelations(t *testing.T) {
	story := func(members int, names map[string]int) *storyCluster {
		return &storyCluster{members: make([]int, members), names: names}
	}
	swiftList := story(4, map[string]int{"taylor": 4, "swift": 4, "billboard": 3})
	swiftEarnings := story(3, map[string]int{"taylor": 3, "swift": 3, "kenny": 1})
	googleApps := story(5, map[string]int{"googl": 5, "app": 4})
	googleWear := story(5, map[string]int{"googl": 5, "android": 4, "wear": 4})
	sbarro := story(4, map[string]int{"sbarro": 4, "chapter": 1})
	gox := story(4, map[string]int{"gox": 4, "mt": 4, "chapter": 2})
	tests := []struct {
		name        string
		a, b        *storyCluster
		same, clash bool
	}{
		{"two shared main names", swiftList, swiftEarnings, true, false},
		{"one shared name is not enough, and the rest differ", googleApps, googleWear, false, true},
		{"each has a main name the other never used", sbarro, gox, false, true},
		{"one story's main names all occur in the other", gox, story(2, map[string]int{"chapter": 2}), false, false},
	}
	for _, tc := range tests {
		am, bm := tc.a.mainNames(), tc.b.mainNames()
		if got := sameMainNames(am, bm); got != tc.same {
			t.Errorf("%s: sameMainNames = %v, want %v", tc.name, got, tc.same)
		}
		if got := storiesClash(tc.a, am, tc.b, bm); got != tc.clash {
			t.Errorf("%s: storiesClash = %v, want %v", tc.name, got, tc.clash)
		}
	}

	// An item joins a story it names, or one whose names it does not contradict.
	for _, tc := range []struct {
		names []string
		want  bool
	}{
		{[]string{"gox", "mt"}, true},      // names none of Sbarro's and brings its own
		{[]string{"sbarro", "gox"}, false}, // names the story's main name
		{[]string{"chapter"}, false},       // a name the story has used
		{nil, false},                       // no names: nothing to contradict
		{[]string{"pizza"}, true},          // a new name, none of the story's
	} {
		if got := namesClash(tc.names, sbarro); got != tc.want {
			t.Errorf("namesClash(%v, Sbarro story) = %v, want %v", tc.names, got, tc.want)
		}
	}
}

func TestHeadlineTitleCase(t *testing.T) {
	tests := []struct {
		headline string
		want     bool
	}{
		{"Mt. Gox Files For US Chapter 15 Bankruptcy", true},
		{"Sbarro Files Second Bankruptcy as Mall Traffic Dwindles", true},
		{"Mt. Gox files for Chapter 15 bankruptcy in the US", false},
		{"Pizza chain Sbarro files for bankruptcy", false},
		{"Fed", false},
	}
	for _, tc := range tests {
		if got := headlineTitleCase(tc.headline); got != tc.want {
			t.Errorf("headlineTitleCase(%q) = %v, want %v", tc.headline, got, tc.want)
		}
	}
}

func TestEndsSentence(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"bankruptcy.", true},
		{"again!", true},
		{"REVEALED:", true},
		{`said."`, true},
		{"Mt.", false},
		{"U.S.", false},
		{"Dr.", false},
		{"Sbarro", false},
		{"-", true},
		{"", false},
	}
	for _, tc := range tests {
		if got := endsSentence(tc.word); got != tc.want {
			t.Errorf("endsSentence(%q) = %v, want %v", tc.word, got, tc.want)
		}
	}
}

// A batch learns its names from how words are written where case tells: after
// "Mt." and inside sentence-case headlines, not at the start or in Title Case.
func TestBatchNames(t *testing.T) {
	titles := []string{
		"Mt. Gox files for Chapter 15 bankruptcy in the US",
		"Pizza chain Sbarro files for bankruptcy again",
		"Bankruptcy Court Hears Sbarro Lenders", // Title Case: no evidence either way
		"Sbarro closes stores as mall traffic falls",
	}
	feats := make([]storyFeatures, len(titles))
	for i, title := range titles {
		feats[i] = computeStoryFeatures(Item{Title: title, Lang: LangEnglish})
	}
	names := batchNames(feats)
	tk := newTokenizer(LangEnglish)
	has := func(i int, word string) bool { return slices.Contains(names[i], tk.stem(word)) }
	for _, tc := range []struct {
		item int
		word string
		want bool
	}{
		{0, "gox", true},
		{0, "chapter", true},
		{0, "bankruptcy", false},
		{0, "files", false},
		{1, "sbarro", true},
		{1, "pizza", false}, // sentence-initial: no evidence, and no capital anywhere else
		{2, "sbarro", true},
		{2, "court", false}, // only ever seen in Title Case
		{3, "mall", false},
	} {
		if got := has(tc.item, tc.word); got != tc.want {
			t.Errorf("item %d (%q): %q a name = %v, want %v (names %v)", tc.item, titles[tc.item], tc.word, got, tc.want, names[tc.item])
		}
	}
}

// German capitalises every noun, so capitals there say nothing about names.
func TestNoNameEvidenceInGerman(t *testing.T) {
	f := computeStoryFeatures(Item{Title: "Die Regierung plant neue Steuern für Unternehmen", Lang: "de"})
	if len(f.capital) != 0 || len(f.lower) != 0 {
		t.Errorf("German headline: capital %v, lower %v, want no evidence", f.capital, f.lower)
	}
	f = computeStoryFeatures(Item{Title: "The government plans new taxes on Siemens", Lang: LangEnglish})
	if !f.capital["siemen"] && !f.capital["siemens"] {
		t.Errorf("English headline: capital %v, want Siemens", f.capital)
	}
}

// GroupStories takes any headlines: it never panics, numbers stories densely in order
// of first appearance, and partitions the same items the same way in any input order
// (times and sources included).
func FuzzGroupStories(f *testing.F) {
	f.Add("Mt. Gox files for Chapter 15 in the U.S.", "Sbarro Files For Bankruptcy Again", "Gox: hackers say — \"it's gone.\"", "Die Regierung plant Steuern")
	f.Add("", " ", "....", "Путин: Кремль ответит")
	f.Fuzz(func(t *testing.T, a, b, c, text string) {
		// Two outlets, one of them filing twice within minutes, and a report a day
		// later, so the time and source evidence is exercised too.
		items := []Item{
			{ID: 1, Title: a, Source: "Wire", Published: now},
			{ID: 2, Title: b, Text: text, Source: "Post", Published: now.Add(time.Minute)},
			{ID: 3, Title: c, Source: "Wire", Published: now.Add(time.Minute)},
			{ID: 4, Title: a + " " + c, Source: "Post", Published: now.Add(2 * time.Minute)},
			{ID: 5, Title: c + " " + a, Published: now.Add(26 * time.Hour)},
		}
		g := GroupStories(items, GroupOptions{})
		if len(g) != len(items) {
			t.Fatalf("%d assignments for %d items", len(g), len(items))
		}
		next := 0
		for _, s := range g { // items are already in time order
			if s > next || s < 0 {
				t.Fatalf("story numbers %v not dense in order of appearance", g)
			}
			if s == next {
				next++
			}
		}
		rev := slices.Clone(items)
		slices.Reverse(rev)
		r := GroupStories(rev, GroupOptions{})
		for i := range items {
			for j := range items {
				if (g[i] == g[j]) != (r[len(items)-1-i] == r[len(items)-1-j]) {
					t.Fatalf("partition depends on input order: %v vs reversed %v", g, r)
				}
			}
		}
	})
}
