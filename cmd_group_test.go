package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const groupInputLines = `{"id":"a","title":"Magnitude 6.1 earthquake hits central Italy","published":"2026-11-20T10:00:00Z","source":"Wire"}
{"id":"b","title":"Central bank raises interest rates by a quarter point","published":1763640000000}
{"id":"c","title":"Italy earthquake: magnitude 6.1 quake strikes central region","published":"2026-11-20T12:00:00Z"}
{"id":7,"title":"Magnitude 6.1 earthquake in central Italy damages buildings","published":"2026-11-20T11:00:00Z"}
`

// groupOutput is the `newsbot group --json` contract, as a script reads it.
type groupOutput struct {
	ID    json.RawMessage `json:"id"`
	Story int             `json:"story"`
	Size  int             `json:"size"`
}

func parseGroupOutput(t *testing.T, out string) map[string]groupOutput {
	t.Helper()
	got := map[string]groupOutput{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var g groupOutput
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		got[string(g.ID)] = g
	}
	return got
}

func TestGroupJSONContractAndOrder(t *testing.T) {
	r := runMainStdin(t, nil, groupInputLines, "group", "--json", "-")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	got := parseGroupOutput(t, r.stdout)
	if len(got) != 4 {
		t.Fatalf("%d lines", len(got))
	}
	quake := got[`"a"`].Story
	if got[`"c"`].Story != quake || got[`7`].Story != quake || got[`"b"`].Story == quake {
		t.Fatalf("grouping %+v", got)
	}
	if got[`"a"`].Size != 3 || got[`"b"`].Size != 1 {
		t.Fatalf("sizes %+v", got)
	}
	// The same items in another order give the same result.
	lines := strings.Split(strings.TrimSpace(groupInputLines), "\n")
	reversed := strings.Join([]string{lines[3], lines[2], lines[1], lines[0]}, "\n")
	r2 := runMainStdin(t, nil, reversed, "group", "--json", "-")
	got2 := parseGroupOutput(t, r2.stdout)
	for id, g := range got {
		if got2[id].Story != g.Story || got2[id].Size != g.Size {
			t.Fatalf("order-dependent: %s %+v vs %+v", id, g, got2[id])
		}
	}
	// Text output lists the stories.
	r = runMainStdin(t, nil, groupInputLines, "group", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "4 items, 2 stories (1 with more than one report)") {
		t.Fatalf("%+v", r)
	}
}

func TestGroupBadInput(t *testing.T) {
	cases := map[string]string{
		`{"title":"no id"}`: `"id" is required`,
		`{"id":1}`:          `"title" is required`,
		`not json`:          "not a JSON object",
		`{"id":1,"title":"x","published":"monday"}`: "neither RFC 3339 nor Unix milliseconds",
	}
	for in, want := range cases {
		r := runMainStdin(t, nil, in, "group", "-")
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: %+v", in, r)
		}
	}
}

// --threshold and --merge reach the grouping: with merging off and a join threshold
// no pair of these headlines reaches, every item is its own story.
func TestGroupThresholdFlags(t *testing.T) {
	r := runMainStdin(t, nil, groupInputLines, "group", "--json", "--threshold", "0.99", "--merge", "-1", "-")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	got := parseGroupOutput(t, r.stdout)
	stories := map[int]bool{}
	for _, g := range got {
		stories[g.Story] = true
		if g.Size != 1 {
			t.Fatalf("%+v", got)
		}
	}
	if len(stories) != 4 {
		t.Fatalf("%d stories, want 4: %+v", len(stories), got)
	}
	if r := runMainStdin(t, nil, groupInputLines, "group", "--threshold", "1.5", "-"); r.code != 2 {
		t.Fatalf("bad threshold: %+v", r)
	}
}

// --no-times ignores "published": two daily reports in one template a day apart are
// two stories with times and one story without.
func TestGroupNoTimes(t *testing.T) {
	in := `{"id":1,"title":"General Staff: enemy lost 1,210 troops and 12 tanks over the past day","published":"2026-03-10T07:52:00Z","source":"Wire 24"}
{"id":2,"title":"Enemy losses in a day: 1,210 soldiers and 12 tanks, General Staff says","published":"2026-03-10T08:05:00Z","source":"Daily Ledger"}
{"id":3,"title":"General Staff: enemy lost 1,340 troops and 9 tanks over the past day","published":"2026-03-11T07:48:00Z","source":"Wire 24"}
{"id":4,"title":"Enemy losses in a day: 1,340 soldiers and 9 tanks, General Staff says","published":"2026-03-11T08:02:00Z","source":"Daily Ledger"}
`
	stories := func(args ...string) map[int]bool {
		t.Helper()
		r := runMainStdin(t, nil, in, append([]string{"group", "--json"}, append(args, "-")...)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		n := map[int]bool{}
		for _, g := range parseGroupOutput(t, r.stdout) {
			n[g.Story] = true
		}
		return n
	}
	if n := stories(); len(n) != 2 {
		t.Errorf("with times: %d stories, want 2 (one a day)", len(n))
	}
	if n := stories("--no-times"); len(n) != 1 {
		t.Errorf("--no-times: %d stories, want 1", len(n))
	}
}
