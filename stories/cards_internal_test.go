package stories

import (
	"testing"

	"github.com/newsbot/newsbot/digest"
)

// A card is fresh only while no news arrived since it was composed; a redraw past its
// budget takes it anyway (review DD: the cache was emptied at each stored item, so the
// fallback rarely found a card). A full cache lets the stale go first.
func TestCardCacheKeepsStaleCardsForRedraws(t *testing.T) {
	var c cardCache
	k := cardKey{item: 1}
	c.put(k, 10, digest.StoryCard{Title: "composed at 10"})
	if _, ok := c.get(k, 11, false); ok {
		t.Error("a card composed before the newest item is fresh")
	}
	if card, ok := c.get(k, 11, true); !ok || card.Title != "composed at 10" {
		t.Errorf("a redraw past its budget finds %q (%v), want the card composed at 10", card.Title, ok)
	}
	for i := range maxCachedCards - 1 {
		c.put(cardKey{item: uint64(100 + i)}, 11, digest.StoryCard{})
	}
	c.put(cardKey{item: 99}, 11, digest.StoryCard{}) // full: the stale card goes
	if _, ok := c.get(k, 11, true); ok {
		t.Error("the stale card stayed in a full cache")
	}
	if len(c.cards) != maxCachedCards {
		t.Errorf("%d cards cached, want %d", len(c.cards), maxCachedCards)
	}
}
