package digest

import (
	"testing"
	"time"
)

func TestGroupStoriesBehaviour(t *testing.T) {
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name  string
		items []Item
		opts  GroupOptions
		same  [][2]int // index pairs that must share a story
		apart [][2]int // index pairs that must not
	}{
		{
			// The third headline shares one word with the first, but the story's
			// centroid has grown through the second.
			name: "a story's vocabulary grows with its reports",
			items: []Item{
				{ID: 1, Title: "Neil Young launches PonoMusic service for high-resolution music", Published: at(0)},
				{ID: 2, Title: "Neil Young's PonoMusic player to cost $399 on Kickstarter", Published: at(1)},
				{ID: 3, Title: "PonoMusic player hits Kickstarter for $399", Published: at(2)},
				{ID: 4, Title: "Oil prices fall as China exports slump", Published: at(3)},
			},
			same:  [][2]int{{0, 1}, {1, 2}, {0, 2}},
			apart: [][2]int{{0, 3}, {2, 3}},
		},
		{
			// One shared word ("review") is not a story, however rare it is.
			name: "one common word does not join",
			items: []Item{
				{ID: 1, Title: "Titanfall reviewed", Published: at(0)},
				{ID: 2, Title: "Neighbors review: raunchy comedy premieres", Published: at(1)},
			},
			apart: [][2]int{{0, 1}},
		},
		{
			// Slugs and the publisher's tag are packaging, not shared news.
			name: "wire slugs and publisher tags do not join",
			items: []Item{
				{ID: 1, Title: "UPDATE 2-Oil falls on China data - Reuters UK", Source: "Reuters UK", Published: at(0)},
				{ID: 2, Title: "UPDATE 2-Ford recalls pickups - Reuters UK", Source: "Reuters UK", Published: at(1)},
				{ID: 3, Title: "Lagos vote delayed - Daily Planet", Published: at(2)},
				{ID: 4, Title: "Seville heatwave shuts schools - Daily Planet", Published: at(3)},
				{ID: 5, Title: "Zoo welcomes pandas - Daily Planet", Published: at(4)},
			},
			apart: [][2]int{{0, 1}, {2, 3}, {2, 4}, {3, 4}},
		},
		{
			name: "different events of one kind stay apart",
			items: []Item{
				{ID: 1, Title: "Earthquake of magnitude 6.4 strikes southern Turkey", Published: at(0)},
				{ID: 2, Title: "Magnitude 6.4 quake hits Adana province in Turkey", Published: at(1)},
				{ID: 3, Title: "Ferry capsizes off Lesbos, twelve dead", Published: at(2)},
				{ID: 4, Title: "Greek coastguard searches for ferry survivors off Lesbos", Published: at(3)},
			},
			same:  [][2]int{{0, 1}, {2, 3}},
			apart: [][2]int{{0, 2}, {1, 3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := GroupStories(tc.items, tc.opts)
			for _, p := range tc.same {
				if g[p[0]] != g[p[1]] {
					t.Errorf("%q and %q in stories %d and %d, want one", tc.items[p[0]].Title, tc.items[p[1]].Title, g[p[0]], g[p[1]])
				}
			}
			for _, p := range tc.apart {
				if g[p[0]] == g[p[1]] {
					t.Errorf("%q and %q both in story %d", tc.items[p[0]].Title, tc.items[p[1]].Title, g[p[0]])
				}
			}
		})
	}
}

// Two stories started apart become one when later reports bridge them; with merging
// off they stay two, so it is the merge that joins them.
func TestGroupStoriesMergesConvergingStories(t *testing.T) {
	var items []Item
	for i, title := range []string{
		"Senate leaders agree on plan to wind down Fannie Mae and Freddie Mac",
		"Senators reach deal to replace Fannie Mae and Freddie Mac",
		"Mortgage giants' shares plunge",
		"Shares of mortgage giants plunge after Senate plan",
		"Fannie and Freddie shares plunge after Senate deal",
		"Mortgage giants Fannie and Freddie: shares plunge on Senate wind-down plan",
	} {
		items = append(items, Item{ID: uint64(i + 1), Title: title, Published: now.Add(time.Duration(i) * time.Minute)})
	}
	merged := GroupStories(items, GroupOptions{})
	apart := GroupStories(items, GroupOptions{Merge: -1})
	count := func(g []int) int {
		n := map[int]bool{}
		for _, s := range g {
			n[s] = true
		}
		return len(n)
	}
	if count(merged) != 1 {
		t.Errorf("with merging: stories %v, want one", merged)
	}
	if count(apart) < 2 {
		t.Errorf("without merging: stories %v, want the first reports apart", apart)
	}
}

// The feature cache is keyed by item ID; an item seen again with other text (a teaser
// replaced by the full article) must not get the old features.
func TestFeatureCacheNoticesNewText(t *testing.T) {
	const id = 987654321
	g := NewGrouper(GroupOptions{})
	short := g.features(Item{ID: id, Title: "Minister resigns"})
	long := g.features(Item{ID: id, Title: "Minister resigns", Text: "The finance minister resigned on Friday over the budget dispute."})
	if len(long.terms) <= len(short.terms) {
		t.Fatalf("features with text %v, without %v: cache returned stale features", long.terms, short.terms)
	}
}
