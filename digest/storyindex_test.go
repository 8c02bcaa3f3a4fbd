package digest

import (
	"slices"
	"testing"
	"time"
)

var storyT0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func ferryReport(id uint64, title, text string, hours int) Item {
	return Item{ID: id, Title: title, Text: text, Lang: "en", Source: "Outlet " + string(rune('A'+id%5)),
		Published: storyT0.Add(time.Duration(hours) * time.Hour)}
}

// A story keeps its identity from call to call and across a restart; an unrelated
// report starts its own; a closed story takes no more reports.
func TestStoryIndexKeepsStoriesAcrossCalls(t *testing.T) {
	x := NewStoryIndex(NewGrouper(GroupOptions{}), GroupOptions{}, 100)
	first := ferryReport(1, "Ferry capsizes off Greek island of Lesbos, 12 dead",
		"A ferry carrying 80 passengers capsized off the Greek island of Lesbos on Sunday, coast guard officials said. Twelve people died.", 0)
	id, isNew, _ := x.Add(first, storyT0)
	if !isNew || id != 100 {
		t.Fatalf("first report: story %d, new %v", id, isNew)
	}
	second := ferryReport(2, "Lesbos ferry capsizing: death toll rises to 19",
		"The death toll from the ferry that capsized off the Greek island of Lesbos rose to 19, the coast guard said on Monday.", 20)
	// Twenty hours on, the report is too far in time for a story of one event...
	probe := NewStoryIndex(nil, GroupOptions{}, 500)
	probe.Add(first, storyT0)
	if _, isNew, _ := probe.Add(second, storyT0.Add(20*time.Hour)); !isNew {
		t.Fatal("an unfollowed story took a report twenty hours after its last")
	}
	// ...but when the story is followed, it starts a story that carries the followed one on.
	x.SetFollowed(map[uint64]bool{id: true})
	p := x.AddAll([]Item{second}, storyT0.Add(20*time.Hour))[0]
	if p.Story == id || !p.New || p.Continues != id {
		t.Fatalf("the follow-up report: %+v, want a new story continuing %d", p, id)
	}
	contID := p.Story
	other := ferryReport(3, "Central bank raises interest rates by half a point",
		"The central bank raised its key interest rate by half a percentage point on Monday to fight inflation.", 21)
	q := x.AddAll([]Item{other}, storyT0.Add(21*time.Hour))[0]
	if q.Story == id || q.Story == contID || !q.New || q.Continues != 0 {
		t.Fatalf("an unrelated report: %+v", q)
	}
	otherID := q.Story

	// A restart: a new index restored from what was stored places the next report the
	// same. The followers have moved to the continuation, which takes the next report.
	y := NewStoryIndex(NewGrouper(GroupOptions{}), GroupOptions{}, x.NextID())
	y.SetFollowed(map[uint64]bool{contID: true})
	if m := x.Members(id); len(m) != 1 || m[0].Text != "" {
		t.Fatalf("members of the story: %+v", m)
	}
	y.Restore(id, []Item{first}, storyT0)
	y.Restore(contID, []Item{second}, storyT0.Add(20*time.Hour))
	y.Restore(otherID, []Item{other}, storyT0.Add(21*time.Hour))
	y.Continues(contID, id)
	third := ferryReport(4, "Greek ferry disaster off Lesbos: captain arrested",
		"Greek police arrested the captain of the ferry that capsized off Lesbos, killing 19 people, coast guard officials said.", 30)
	if r := y.AddAll([]Item{third}, storyT0.Add(30*time.Hour))[0]; !r.New || r.Continues != contID {
		t.Fatalf("after a restart the report ten hours on: %+v, want a story continuing %d", r, contID)
	}
	// The first two stories went quiet, and their followers moved on to the third: they
	// close.
	if closed := y.Close(storyT0.Add(21 * time.Hour)); !slices.Equal(closed, []uint64{id, contID}) {
		t.Fatalf("closed %v, want [%d %d]", closed, id, contID)
	}
	if y.Open() != 2 {
		t.Fatalf("%d open stories, want 2", y.Open())
	}

	// Nothing joined the rate story for three days: it closes, and a report of it starts anew.
	closed := y.Close(storyT0.Add(29 * time.Hour))
	if len(closed) != 1 || closed[0] != otherID {
		t.Fatalf("closed %v, want [%d]", closed, otherID)
	}
	late := ferryReport(5, "Central bank raises interest rates again",
		"The central bank raised its key interest rate by another half point to fight inflation.", 100)
	if got, isNew, _ := y.Add(late, storyT0.Add(100*time.Hour)); got == otherID || !isNew {
		t.Fatalf("a report joined closed story %d", got)
	}
	if len(y.Members(otherID)) != 0 {
		t.Fatal("a closed story still lists members")
	}
}

// Closing most stories rebuilds the index from the open ones: it keeps placing reports
// the same, and holds only the open stories' reports.
func TestStoryIndexCompacts(t *testing.T) {
	x := NewStoryIndex(nil, GroupOptions{}, 1)
	for i := range 40 {
		x.Add(Item{ID: uint64(i + 1), Title: "Storm " + string(rune('A'+i%26)) + string(rune('a'+i/26)) + " hits the coast of region " + string(rune('A'+i)), Lang: "en",
			Published: storyT0.Add(time.Duration(i) * time.Minute)}, storyT0)
	}
	keep := Item{ID: 100, Title: "Parliament passes the budget for next year after a long debate", Lang: "en", Published: storyT0.Add(time.Hour)}
	id, _, _ := x.Add(keep, storyT0.Add(48*time.Hour))
	x.Close(storyT0.Add(24 * time.Hour))
	if n := len(x.gr.items); n != 1 {
		t.Fatalf("after closing, the index holds %d reports, want 1", n)
	}
	again := Item{ID: 101, Title: "Parliament passes next year's budget after long debate", Lang: "en", Published: storyT0.Add(2 * time.Hour)}
	if got, _, _ := x.Add(again, storyT0.Add(49*time.Hour)); got != id {
		t.Fatalf("after compaction the report went to story %d, want %d", got, id)
	}
}

// Everything followed groups as nothing followed: the report a day later, which only a
// followed story would take, starts a story that continues it instead of joining it.
func TestFollowingLeavesGroupingAlone(t *testing.T) {
	items := []Item{
		ferryReport(1, "Ferry capsizes off Greek island of Lesbos, 12 dead",
			"A ferry carrying 80 passengers capsized off the Greek island of Lesbos on Sunday, coast guard officials said. Twelve people died.", 0),
		ferryReport(2, "Central bank raises interest rates by half a point",
			"The central bank raised its key interest rate by half a percentage point on Monday to fight inflation.", 1),
		ferryReport(3, "Lesbos ferry capsizing: death toll rises to 19",
			"The death toll from the ferry that capsized off the Greek island of Lesbos rose to 19, the coast guard said on Monday.", 20),
	}
	plain, none := groupIncrementally(items, GroupOptions{}, false)
	all, continued := groupIncrementally(items, GroupOptions{}, true)
	if !slices.Equal(plain, all) || none != 0 {
		t.Fatalf("grouping with everything followed %v, with nothing %v (%d continued)", all, plain, none)
	}
	if continued != 1 || all[2] == all[0] {
		t.Fatalf("%d stories continued a followed one, grouping %v: want the toll report to continue the ferry story", continued, all)
	}
}

// Two reports of one poll that would both carry a followed story on: the first starts
// a story that continues it, and the second continues that one, not the followed
// story again (its followers have moved on).
func TestStoryIndexContinuesOncePerPass(t *testing.T) {
	x := NewStoryIndex(nil, GroupOptions{}, 100)
	first := ferryReport(1, "Ferry capsizes off Greek island of Lesbos, 12 dead",
		"A ferry carrying 80 passengers capsized off the Greek island of Lesbos on Sunday, coast guard officials said. Twelve people died.", 0)
	id, _, _ := x.Add(first, storyT0)
	x.SetFollowed(map[uint64]bool{id: true})
	toll := ferryReport(2, "Lesbos ferry capsizing: death toll rises to 19",
		"The death toll from the ferry that capsized off the Greek island of Lesbos rose to 19, the coast guard said on Monday.", 20)
	toll2 := ferryReport(7, "Greek ferry disaster off Lesbos: captain arrested",
		"Greek police arrested the captain of the ferry that capsized off the Greek island of Lesbos, killing 19 people, coast guard officials said.", 30)
	ps := x.AddAll([]Item{toll, toll2}, storyT0.Add(20*time.Hour))
	if ps[0].Continues != id {
		t.Fatalf("the first report: %+v, want it to continue %d", ps[0], id)
	}
	if ps[1].Story != ps[0].Story && ps[1].Continues != ps[0].Story {
		t.Fatalf("the second report: %+v, want it to join or continue story %d, not %d again", ps[1], ps[0].Story, id)
	}
}
