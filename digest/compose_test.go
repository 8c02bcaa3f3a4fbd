package digest

import (
	"os"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

func fixture(t *testing.T, name string) (title, body string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/articles/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ = strings.Cut(string(raw), "\n\n")
	return title, body
}

func TestComposeGroupsFiltersAndRanks(t *testing.T) {
	bTitle, bBody := fixture(t, "bbc_business_001")
	sTitle, sBody := fixture(t, "bbc_sport_020")
	eTitle, eBody := fixture(t, "bbc_entertainment_010")
	items := []Item{
		{ID: 1, Title: bTitle, Text: bBody, Source: "BBC", FeedURL: "bbc", Published: now.Add(-2 * time.Hour)},
		// The same story from another outlet, shorter: shown once, as "also reported by".
		{ID: 2, Title: "Time Warner profit boosted by ad sales", Text: strings.Join(strings.SplitN(bBody, "\n\n", 3)[:2], "\n\n"), Source: "Wire", FeedURL: "wire", Published: now.Add(-time.Hour)},
		{ID: 3, Title: sTitle, Text: sBody, Source: "BBC Sport", FeedURL: "bbc", Published: now.Add(-30 * time.Hour)},
		{ID: 4, Title: eTitle, Text: eBody, Source: "Arts", FeedURL: "arts", Published: now.Add(-time.Hour)},
	}
	dg, err := Compose(items, nil, Preferences{Exclude: []string{`vagina`}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if dg.Filtered != 1 {
		t.Fatalf("filtered %d, want the excluded item", dg.Filtered)
	}
	if len(dg.Stories) != 2 {
		t.Fatalf("%d stories, want 2 (two reports of one story merged)", len(dg.Stories))
	}
	top := dg.Stories[0]
	if top.ItemID != 1 || len(top.AlsoReportedBy) != 1 || top.AlsoReportedBy[0].Name != "Wire" {
		t.Fatalf("top story %+v", top)
	}
	if len(top.Summary) != 3 || top.Quote == nil || top.Quote.Speaker != "Richard Parsons" {
		t.Fatalf("card incomplete: summary %d, quote %+v", len(top.Summary), top.Quote)
	}
	// The subscriber's own feed wins as the shown source.
	dg, _ = Compose(items[:2], nil, Preferences{OwnFeeds: []string{"wire"}}, now)
	if dg.Stories[0].ItemID != 2 {
		t.Fatalf("own feed not preferred: %d", dg.Stories[0].ItemID)
	}
	// Include filters keep only matching stories; feed choice drops others.
	dg, _ = Compose(items, nil, Preferences{Include: []string{`triple\s+jump`}}, now)
	if len(dg.Stories) != 1 || dg.Stories[0].ItemID != 3 {
		t.Fatalf("include filter: %+v", dg.Stories)
	}
	dg, _ = Compose(items, nil, Preferences{Feeds: []string{"arts"}, MaxStories: 5}, now)
	if len(dg.Stories) != 1 || dg.Stories[0].ItemID != 4 || dg.Filtered != 3 {
		t.Fatalf("feed choice: %+v filtered %d", dg.Stories, dg.Filtered)
	}
}

func TestComposeBadFilter(t *testing.T) {
	_, err := Compose(nil, nil, Preferences{Include: []string{`(unclosed`}}, now)
	if err == nil || !strings.Contains(err.Error(), `include filter "(unclosed" is not a valid RE2 expression`) {
		t.Fatalf("err = %v", err)
	}
	// RE2 has no backreferences: a clear error rather than a slow match.
	if _, err := Compose(nil, nil, Preferences{Exclude: []string{`(a)\1`}}, now); err == nil {
		t.Fatal("backreference accepted")
	}
}

func TestRelatedStories(t *testing.T) {
	item := Item{ID: 10, Title: "Parliament approves new energy price cap for households", Text: "Parliament on Tuesday approved an energy price cap for households after months of debate over gas prices.", Published: now}
	cands := []Item{
		{ID: 1, Title: "Government proposes energy price cap as gas prices soar", Text: "The government proposed a cap on household energy prices after gas prices soared in the spring.", Published: now.Add(-30 * 24 * time.Hour)},
		{ID: 2, Title: "Energy price cap debate stalls in parliament committee", Text: "A parliament committee failed to agree on the household energy price cap on Monday.", Published: now.Add(-7 * 24 * time.Hour)},
		{ID: 3, Title: "Local football club wins cup final", Text: "The club won the cup final on Saturday with a late goal.", Published: now.Add(-2 * 24 * time.Hour)},
		{ID: 10, Title: item.Title, Text: item.Text, Published: now},                                                               // the item itself
		{ID: 11, Title: item.Title, Text: item.Text, Published: now.Add(-time.Minute)},                                             // a duplicate report
		{ID: 12, Title: "Energy price cap takes effect", Text: "The energy price cap took effect.", Published: now.Add(time.Hour)}, // later
	}
	got := RelatedStories(item, cands, 3)
	var ids []uint64
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if len(ids) != 2 || ids[0] != 2 || ids[1] != 1 {
		t.Fatalf("related = %v, want [2 1] (newest first, no self, duplicate, later or unrelated item)", ids)
	}
}

func TestGroupStoriesOrderIndependent(t *testing.T) {
	items := []Item{
		{ID: 1, Title: "Earthquake of magnitude 6.1 hits central Italy", Published: now.Add(-3 * time.Hour)},
		{ID: 2, Title: "Magnitude 6.1 earthquake strikes central Italy, buildings damaged", Published: now.Add(-2 * time.Hour)},
		{ID: 3, Title: "Central bank raises interest rates by a quarter point", Published: now.Add(-time.Hour)},
		{ID: 4, Title: "Italy earthquake: magnitude 6.1 quake hits central region", Published: now},
	}
	a := GroupStories(items, GroupOptions{})
	rev := []Item{items[3], items[2], items[1], items[0]}
	b := GroupStories(rev, GroupOptions{})
	if a[0] != a[1] || a[0] != a[3] || a[2] == a[0] {
		t.Fatalf("groups %v", a)
	}
	// Same partition whatever the input order.
	if (b[3] == b[2]) != (a[0] == a[1]) || (b[1] == b[3]) != (a[2] == a[0]) {
		t.Fatalf("order-dependent: %v vs %v", a, b)
	}
	// Outside the window the same headline starts a new story.
	late := append(items[:1:1], Item{ID: 9, Title: items[0].Title, Published: now.Add(100 * time.Hour)})
	if g := GroupStories(late, GroupOptions{Window: 72 * time.Hour}); g[0] == g[1] {
		t.Fatalf("window ignored: %v", g)
	}
}

func TestContextSection(t *testing.T) {
	text := "The minister resigned on Friday after a vote of no confidence in parliament.\n\nShe said she would stay in politics and keep her seat in the assembly.\n\nWhat came before\n\nThe coalition collapsed in March 2023 when two parties left over the budget dispute.\n\nOfficials expect a new government to be formed within weeks."
	d := Analyze(Article{Title: "Minister resigns after no-confidence vote", Text: text})
	ctx := d.Context(1, d.Summarize(2))
	if len(ctx) != 1 || !strings.HasPrefix(ctx[0].Text, "The coalition collapsed") {
		t.Fatalf("context = %+v", ctx)
	}
}

func TestRepeatsOfReceivedStories(t *testing.T) {
	old := Item{ID: 1, Title: "Earthquake of magnitude 6.1 hits central Italy", Source: "Wire",
		Text: "An earthquake of magnitude 6.1 struck central Italy on Tuesday near the town of Norcia, officials said.", Published: now.Add(-26 * time.Hour)}
	repeat := Item{ID: 2, Title: "Magnitude 6.1 earthquake strikes central Italy", Source: "Other",
		Text: "A magnitude 6.1 earthquake struck central Italy near Norcia on Tuesday, officials said.", Published: now.Add(-2 * time.Hour)}
	update := Item{ID: 3, Title: "Italy earthquake: magnitude 6.1 quake toll rises to 12 in Norcia",
		Text: "The toll from the magnitude 6.1 earthquake in central Italy rose to 12, Civil Protection chief Fabrizio Curcio said in Rome on Wednesday.", Published: now.Add(-time.Hour)}
	other := Item{ID: 4, Title: "Central bank raises interest rates by a quarter point", Text: "The central bank raised rates on Wednesday.", Published: now}
	if same, material := UpdateOf(repeat, old); !same || material {
		t.Fatalf("repeat: same=%v material=%v", same, material)
	}
	if same, material := UpdateOf(update, old); !same || !material {
		t.Fatalf("update: same=%v material=%v", same, material)
	}
	if same, _ := UpdateOf(other, old); same {
		t.Fatal("an unrelated story counted as the same")
	}
	dg, err := Compose([]Item{repeat, other}, nil, Preferences{Received: []Item{old}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.Stories) != 1 || dg.Stories[0].ItemID != 4 || dg.AlreadyReceived != 1 {
		t.Fatalf("repeat not left out: %+v", dg)
	}
	dg, _ = Compose([]Item{update}, nil, Preferences{Received: []Item{old}}, now)
	if len(dg.Stories) != 1 || !dg.Stories[0].Update {
		t.Fatalf("update not marked: %+v", dg.Stories)
	}
}

// A text of 30,000 one-line paragraphs ranks only its first maxRanked sentences (the
// graph rankings cost the square of what they rank), and the summary comes from them.
func TestRankingIsBounded(t *testing.T) {
	d := Analyze(Article{Title: "T", Text: hostileText("paragraphs")})
	if len(d.Sentences) <= maxRanked {
		t.Fatalf("%d sentences: the text does not test the bound", len(d.Sentences))
	}
	if got := len(d.lexRank()); got != len(d.Sentences) {
		t.Fatalf("%d ranks for %d sentences", got, len(d.Sentences))
	}
	for _, s := range d.Summarize(3) {
		if s.Index >= maxRanked {
			t.Fatalf("summary sentence %d is past the ranked %d", s.Index, maxRanked)
		}
	}
}
