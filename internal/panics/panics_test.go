package panics

import (
	"strings"
	"testing"
)

// Every panic is counted; one place's stack is handed out once per StackEvery, so a
// fault met by every chat logs one stack, and another place's still gets its own.
func TestStacksAreHandedOutOncePerPlace(t *testing.T) {
	before := Total()
	var stacks []string
	for range 3 {
		func() {
			defer func() {
				recover()
				stacks = append(stacks, Recovered("test place"))
			}()
			panic("planted")
		}()
	}
	if got := Total() - before; got != 3 {
		t.Errorf("counted %d panics, want 3", got)
	}
	if !strings.Contains(stacks[0], "TestStacksAreHandedOutOncePerPlace") || stacks[1] != "" || stacks[2] != "" {
		t.Errorf("stacks handed out: first %d bytes, then %q, %q; want the first only", len(stacks[0]), stacks[1], stacks[2])
	}
	if Recovered("another place") == "" {
		t.Error("another place's first stack was withheld")
	}
}
