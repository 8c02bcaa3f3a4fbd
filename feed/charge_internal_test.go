package feed

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/storage"
	bolt "go.etcd.io/bbolt"
)

// A reader's item is charged what it takes in the store: at least what the store's
// pages grow by (less 5%), and at most twice that. Pages are counted as bbolt holds
// them while the bot runs (each bucket's branch and leaf pages), with one feed
// storing, or two storing in turn, whose keys land in the middle of the indexes
// (review 84: charged the record's text alone, 2,000 tiny items took 12.8 times their
// charge, and records of 2.1 KB twice; review 85: counted as a compacted store holds
// them, a live store held up to 1.56 times the count).
func TestItemChargeIsWhatTheStoreTakes(t *testing.T) {
	short := "https://a.example/f"
	long := "https://a.example/f?q=" + strings.Repeat("a", storage.MaxURLBytes-len("https://a.example/f?q="))
	for _, c := range []struct {
		name, feed, text string
		feeds            int
	}{
		{"tiny", short, "", 1},
		{"tiny, two feeds in turn", short, "", 2},
		{"a 2,048-byte address", long, "", 1},
		{"1 KB of text", short, strings.Repeat("word ", 200), 1},
		{"1 KB of text, two feeds in turn", short, strings.Repeat("word ", 210), 2},
		{"3 KB of text", short, strings.Repeat("word ", 600), 1},
		{"9 KB of text", short, strings.Repeat("word ", 1800), 1},
		{"60 KB of text", short, strings.Repeat("word ", 12000), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			before := pagesInUse(t, db)
			const n = 400
			var charged int64
			at := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
			for poll := 0; poll < n/25; poll++ { // 25 items a poll, feeds in turn
				feed := fmt.Sprintf("%s%d", c.feed, poll%c.feeds)
				var items []storage.Item
				for i := poll * 25; i < (poll+1)*25; i++ {
					it := storage.Item{FeedURL: feed, Key: fmt.Sprint("g:", i), GUID: fmt.Sprint(i), Title: fmt.Sprint("Title ", i), Text: c.text}
					charged += itemBytes(it)
					items = append(items, it)
				}
				if _, err := db.AddItems(context.Background(), feed, items, at.Add(time.Duration(poll)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			took := pagesInUse(t, db) - before
			t.Logf("%d items charged %d bytes; the store's pages grew %d (%.2f of the charge)", n, charged, took, float64(took)/float64(charged))
			if charged < took*95/100 || charged > 2*took {
				t.Errorf("%d items charged %d bytes took %d in the store; want a charge between 95%% of that and twice it", n, charged, took)
			}
		})
	}
}

// pagesInUse is what the store's buckets hold in pages (branch and leaf, allocated).
func pagesInUse(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			st := b.Stats()
			n += int64(st.BranchAlloc + st.LeafAlloc)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// A page's lang attribute is kept only as a language tag, and an item is charged for
// it: 7,900 control characters in it were stored with each item, uncharged, 36.8
// times what 20 items were charged (review 85).
func TestPageLanguageIsATagAndCharged(t *testing.T) {
	for lang, want := range map[string]string{
		"en": "en", " uk-UA ": "uk-UA", "zh-Hant-TW": "zh-Hant-TW", "": "",
		strings.Repeat("\x01", 7900): "", "en\x01": "", "en US": "", strings.Repeat("a", 36): "",
		`en"><script>`: "",
	} {
		if got := languageTag(lang); got != want {
			t.Errorf("languageTag(%q) = %q, want %q", lang, got, want)
		}
	}
	body := strings.Repeat("The council met on Tuesday to discuss the new ferry timetable and the harbour works. ", 3)
	page := `<!DOCTYPE html><html lang="` + strings.Repeat("\x01", 7900) + `"><head><title>A</title></head><body><article><h1>Ferry</h1><p>` + body + `</p><p>` + body + `</p></article></body></html>`
	art, err := ExtractArticleContext(context.Background(), []byte(page), "text/html", "https://a.example/a")
	if err != nil {
		t.Fatal(err)
	}
	if art.Language != "" {
		t.Errorf("a page's lang of 7,900 control characters was kept as %d bytes", len(art.Language))
	}
	plain := storage.Item{Title: "t", Key: "g:1"}
	tagged := plain
	tagged.Language = strings.Repeat("x", 4000) // as if a longer one got through
	if itemBytes(tagged) <= itemBytes(plain) {
		t.Error("an item's language is not charged")
	}
}

// A failed poll's error is kept cut at 500 bytes: it may quote what the server sent.
func TestAFeedsErrorIsCut(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const u = "https://a.example/f"
	if _, err := db.AddFeed(ctx, u, time.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := db.Feed(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	NewPoller(db, nil, PollerOptions{}).recordError(ctx, &f, fmt.Errorf("parse: %s", strings.Repeat("é", 5000)), 0, time.Now())
	if f, err = db.Feed(ctx, u); err != nil {
		t.Fatal(err)
	}
	if len(f.LastError) > 500 || !strings.HasPrefix(f.LastError, "parse: é") || !utf8.ValidString(f.LastError) {
		t.Errorf("kept an error of %d bytes (valid UTF-8: %v)", len(f.LastError), utf8.ValidString(f.LastError))
	}
}

// A feed's record keeps its distinct entries listed, and a shorter listing lowers it an
// eighth a poll at most (review 87: copies of one entry inflated it; one short document
// let the keys of entries the feed still lists go).
func TestListedCountsDistinctEntriesAndFallsSlowly(t *testing.T) {
	var same, distinct []Entry
	for i := range 1000 {
		same = append(same, Entry{GUID: "one"})
		distinct = append(distinct, Entry{GUID: fmt.Sprint(i)})
	}
	if n := listed(storage.Feed{}, same); n != 1 {
		t.Errorf("1,000 copies of one entry count %d", n)
	}
	f := storage.Feed{Listed: 15_000}
	if n := listed(f, distinct); n != 13_125 {
		t.Errorf("a listing of 1,000 after 15,000 counts %d, want 13,125", n)
	}
	if n := listed(storage.Feed{Listed: 10}, distinct); n != 1000 {
		t.Errorf("a listing of 1,000 after 10 counts %d", n)
	}
}
