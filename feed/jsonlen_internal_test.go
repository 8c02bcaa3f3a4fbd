package feed

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/storage"
)

// jsonLen is the length the store's encoder writes (quotes aside), on every kind of
// rune that it escapes or replaces, and on random mixes of them.
func TestJSONLenIsWhatTheStoreWrites(t *testing.T) {
	encoded := func(s string) int {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		return b.Len() - 3 // quotes and newline
	}
	pieces := []string{"a", "Ж", "€", "😀", "\x00", "\x01", "\x1f", "\n", "\r", "\t", "\b", "\f", `"`, `\`, "<", ">", "&",
		"\u2028", "\u2029", "\x7f", "\u0085", "\xff", "\xe2\x82", " "}
	for _, p := range pieces {
		if got, want := jsonLen(p), encoded(p); got != want {
			t.Errorf("jsonLen(%q) = %d, the encoder writes %d", p, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if got, want := jsonLen(b.String()), encoded(b.String()); got != want {
			t.Fatalf("jsonLen(%q) = %d, the encoder writes %d", b.String(), got, want)
		}
	}
}

// Text keeps no control characters: none is shown, and each costs six bytes stored.
func TestTextKeepsNoControlCharacters(t *testing.T) {
	if got := collapseSpaces("a\x01\x02b \x7fc\u009f"); got != "ab c" {
		t.Errorf("collapseSpaces kept controls: %q", got)
	}
}

// An item is charged what its record takes: a GUID of control characters (which no
// text cleaning touches) six bytes each (review 78).
func TestItemBytesCountsEscapes(t *testing.T) {
	it := storage.Item{GUID: strings.Repeat("\x01", 1000), Key: "g:" + strings.Repeat("\x01", 1000), Title: "t"}
	// The GUID and the key in the record, 6,000 bytes each.
	if got := itemBytes(it); got < 12000 {
		t.Errorf("itemBytes = %d for a record of 12,000 bytes", got)
	}
}
