package digest

import (
	"testing"
	"time"
)

// Publication times and sources are evidence about stories, never the only evidence:
// each case that shows one at work has a twin with that evidence turned off, so the
// test fails if the words alone would have done the job.
func TestGroupStoriesTimeAndSource(t *testing.T) {
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	at := func(d, h, m int) time.Time {
		return day.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	// Daily reports in one template: the same words every morning, another event each day.
	daily := []Item{
		{ID: 1, Source: "Wire 24", Published: at(0, 7, 52), Title: "General Staff: enemy lost 1,210 troops and 12 tanks over the past day"},
		{ID: 2, Source: "Daily Ledger", Published: at(0, 8, 5), Title: "Enemy losses in a day: 1,210 soldiers and 12 tanks, General Staff says"},
		{ID: 3, Source: "Wire 24", Published: at(1, 7, 48), Title: "General Staff: enemy lost 1,340 troops and 9 tanks over the past day"},
		{ID: 4, Source: "Daily Ledger", Published: at(1, 8, 2), Title: "Enemy losses in a day: 1,340 soldiers and 9 tanks, General Staff says"},
	}
	// One outlet files two stories in the same words seven minutes apart.
	twoRaids := []Item{
		{ID: 1, Source: "Wire 24", Published: at(0, 10, 2), Title: "Police detain official over bribe for draft exemption in Lviv region"},
		{ID: 2, Source: "Wire 24", Published: at(0, 10, 9), Title: "Police detain two men over bribe for draft exemption in Odesa region"},
		{ID: 3, Source: "Daily Ledger", Published: at(0, 10, 40), Title: "Official detained over bribe for draft exemption in Lviv region"},
	}
	tests := []struct {
		name  string
		items []Item
		opts  GroupOptions
		same  [][2]int
		apart [][2]int
	}{
		{
			name:  "the same words a day apart are two events",
			items: daily,
			same:  [][2]int{{0, 1}, {2, 3}},
			apart: [][2]int{{0, 2}, {1, 3}, {0, 3}},
		},
		{
			name:  "without time evidence the daily reports run together",
			items: daily,
			opts:  GroupOptions{TimeDecay: -1},
			same:  [][2]int{{0, 2}},
		},
		{
			name:  "without times at all the daily reports run together",
			items: withoutTimes(daily),
			same:  [][2]int{{0, 2}},
		},
		{
			name:  "one outlet's two reports in the same words minutes apart are two stories",
			items: twoRaids,
			same:  [][2]int{{0, 2}},
			apart: [][2]int{{0, 1}, {1, 2}},
		},
		{
			name:  "without source evidence the two raids run together",
			items: twoRaids,
			opts:  GroupOptions{SameSource: 1},
			same:  [][2]int{{0, 1}},
		},
		{
			// Same names, new numbers: an update, not another story.
			name: "an outlet's update of its own report stays in the story",
			items: []Item{
				{ID: 1, Source: "Wire 24", Published: at(0, 13, 0), Title: "Ferry capsizes in the Danube delta, five missing"},
				{ID: 2, Source: "Wire 24", Published: at(0, 13, 40), Title: "Ferry capsizes in the Danube delta: death toll rises to seven"},
				{ID: 3, Source: "Radio Meridian", Published: at(0, 14, 10), Title: "Seven dead as ferry capsizes in Danube delta"},
			},
			same: [][2]int{{0, 1}, {1, 2}},
		},
		{
			name: "a rewrite the next morning joins the story",
			items: []Item{
				{ID: 1, Source: "Wire 24", Published: at(0, 18, 5), Title: "Parliament passes 2027 budget in final reading"},
				{ID: 2, Source: "City Post", Published: at(0, 18, 30), Title: "Parliament approves 2027 state budget in final reading"},
				{ID: 3, Source: "Northern Courier", Published: at(1, 7, 30), Title: "Parliament passed the 2027 budget in its final reading: what changes"},
			},
			same: [][2]int{{0, 1}, {0, 2}},
		},
		{
			name: "reports published in the same minute share no story for that",
			items: []Item{
				{ID: 1, Source: "Wire 24", Published: at(0, 9, 0), Title: "City zoo welcomes two snow leopard cubs"},
				{ID: 2, Source: "City Post", Published: at(0, 9, 0), Title: "Metro opens new station on the green line"},
			},
			apart: [][2]int{{0, 1}},
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

func withoutTimes(items []Item) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		it.Published = time.Time{}
		out[i] = it
	}
	return out
}

// The time factor is 1 within the grace period and falls with the gap after it; a
// negative decay turns it off.
func TestTimeFactor(t *testing.T) {
	o := DefaultGroupOptions()
	tests := []struct {
		gap  time.Duration
		want float64
	}{
		{0, 1},
		{o.TimeGrace, 1},
		{4 * o.TimeGrace, 0.5}, // (1/4)^0.5
		{16 * o.TimeGrace, 0.25},
	}
	for _, tc := range tests {
		if got := o.timeFactor(tc.gap); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("timeFactor(%v) = %.4f, want %.4f", tc.gap, got, tc.want)
		}
	}
	if o.timeFactor(12*time.Hour) <= o.timeFactor(24*time.Hour) {
		t.Error("the factor does not fall with the gap")
	}
	off := GroupOptions{TimeDecay: -1}.withDefaults()
	if got := off.timeFactor(48 * time.Hour); got != 1 {
		t.Errorf("time evidence off: factor %.3f at 48h, want 1", got)
	}
}

// Zero fields take the defaults; set fields are kept.
func TestGroupOptionsDefaults(t *testing.T) {
	d := DefaultGroupOptions()
	if d.JoinHeadline != JoinThreshold || d.MergeText != MergeThresholdText || d.NameMismatch != DefaultNameMismatch ||
		d.TimeGrace != DefaultTimeGrace || d.SameSource != DefaultSameSource || d.Window != 72*time.Hour {
		t.Fatalf("defaults %+v", d)
	}
	o := GroupOptions{JoinText: 0.5, SameSource: 1, TimeGrace: time.Hour}.withDefaults()
	if o.JoinText != 0.5 || o.SameSource != 1 || o.TimeGrace != time.Hour || o.JoinHeadline != JoinThreshold {
		t.Fatalf("set fields lost: %+v", o)
	}
	both := GroupOptions{Threshold: 0.4}.withDefaults()
	if o.join(true) != 0.5 || o.join(false) != JoinThreshold || both.join(true) != 0.4 || both.join(false) != 0.4 {
		t.Fatal("join thresholds")
	}
}
