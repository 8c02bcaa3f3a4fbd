package digest

import (
	"fmt"
	"testing"
)

// The feature cache is what a long-running bot's heap grows with (see the soak in
// BENCHMARKS.md): it must hold at most two generations, however many items pass.
func TestFeatureCacheIsBounded(t *testing.T) {
	g := NewGrouper(GroupOptions{})
	for i := range 3*featureCacheGen + 7 {
		g.features(Item{ID: uint64(i + 1), Title: fmt.Sprintf("Minister %d visits port city", i), Lang: "en"})
	}
	g.cache.Lock()
	n := len(g.cache.cur) + len(g.cache.prev)
	g.cache.Unlock()
	if n > 2*featureCacheGen {
		t.Fatalf("cache holds %d entries, bound %d", n, 2*featureCacheGen)
	}
	// The newest item stays cached.
	last := Item{ID: uint64(3*featureCacheGen + 7), Title: fmt.Sprintf("Minister %d visits port city", 3*featureCacheGen+6), Lang: "en"}
	g.cache.Lock()
	_, ok := g.cache.cur[last.ID]
	g.cache.Unlock()
	if !ok {
		t.Error("the newest item is not cached")
	}
}
