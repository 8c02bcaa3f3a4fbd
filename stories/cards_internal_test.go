package stories

import (
	"testing"

	"github.com/newsbot/newsbot/digest"
)

// A card is fresh only while no news arrived since it was composed; a redraw past its
// budget takes it anyway (review DD: the cache was emptied at each stored item, so the
// fallback rarely found a card). A full cache lets the least recently used go.
func TestCardCacheKeepsStaleCardsForRedraws(t *testing.T) {
	var c cardCache
	k := cardKey{item: 1}
	c.put(k, 10, 0, 1, digest.StoryCard{Title: "composed at 10"})
	if _, ok := c.get(k, 11, 1, false); ok {
		t.Error("a card composed before the newest item is fresh")
	}
	if card, ok := c.get(k, 11, 1, true); !ok || card.Title != "composed at 10" {
		t.Errorf("a redraw past its budget finds %q (%v), want the card composed at 10", card.Title, ok)
	}
	for i := range maxCachedCards - 1 {
		c.put(cardKey{item: uint64(100 + i)}, 11, 0, 1, digest.StoryCard{})
	}
	c.put(cardKey{item: 99}, 11, 0, 1, digest.StoryCard{}) // full: the stale card goes
	if _, ok := c.get(k, 11, 1, true); ok {
		t.Error("the stale card stayed in a full cache")
	}
	if len(c.cards) != maxCachedCards {
		t.Errorf("%d cards cached, want %d", len(c.cards), maxCachedCards)
	}
}

// A full cache lets one card go for a new one: a card known stale first, else the least
// recently used. Readers' cards carry different lasts (each reads its own feeds), so
// a card composed with another last is no staler: judged so, one stranger's card
// emptied the cache (review 84).
func TestAFullCardCacheLetsOneCardGo(t *testing.T) {
	var c cardCache
	for i := range maxCachedCards {
		c.put(cardKey{item: uint64(i)}, 10, 0, 1, digest.StoryCard{})
	}
	c.get(cardKey{item: 0}, 10, 1, false) // used again: card 1 is now the least recently used
	c.put(cardKey{item: 1000, feeds: "https://stranger.example/rss"}, 99, 0, 1, digest.StoryCard{})
	if len(c.cards) != maxCachedCards {
		t.Fatalf("%d cards cached after a stranger's card, want %d", len(c.cards), maxCachedCards)
	}
	if _, ok := c.get(cardKey{item: 1}, 10, 1, true); ok {
		t.Error("the least recently used card stayed")
	}
	for _, i := range []uint64{0, 2, maxCachedCards - 1} {
		if _, ok := c.get(cardKey{item: i}, 10, 1, false); !ok {
			t.Errorf("card %d, fresh for its reader, went for a stranger's card", i)
		}
	}
	c.put(cardKey{item: 5}, 10, 1, 1, digest.StoryCard{}) // composed from run 1, held back
	if _, ok := c.get(cardKey{item: 5}, 10, 1, false); !ok {
		t.Error("a card composed from the held run is not fresh while that run is")
	}
	// The run is built again (generation 2): the card composed from run 1 is stale.
	if _, ok := c.get(cardKey{item: 5}, 10, 2, false); ok {
		t.Error("a card composed from a held run is fresh after the run was built again")
	}
	c.put(cardKey{item: 2000}, 10, 0, 2, digest.StoryCard{})
	if _, ok := c.get(cardKey{item: 5}, 10, 2, true); ok {
		t.Error("a card known stale stayed while a fresh one went")
	}
	if _, ok := c.get(cardKey{item: 3}, 10, 1, false); !ok {
		t.Error("card 3 went though a stale card was there to go")
	}
}
