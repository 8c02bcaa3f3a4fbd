package feed

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// A reader's item is charged what it takes in the store (within 5% below, and at most
// twice), measured as what a compacted copy of the store grows by: records as pages
// hold them and their index keys (review 84: charged the record's text alone, 2,000
// tiny items took 12.8 times their charge, and records of 2.1 KB twice).
func TestItemChargeIsWhatTheStoreTakes(t *testing.T) {
	short := "https://a.example/f"
	long := "https://a.example/f?q=" + strings.Repeat("a", storage.MaxURLBytes-len("https://a.example/f?q="))
	for _, c := range []struct {
		name, feed, text string
	}{
		{"tiny", short, ""},
		{"a 2,048-byte address", long, ""},
		{"1 KB of text", short, strings.Repeat("word ", 200)},
		{"3 KB of text", short, strings.Repeat("word ", 600)},
		{"9 KB of text", short, strings.Repeat("word ", 1800)},
		{"60 KB of text", short, strings.Repeat("word ", 12000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			before, err := db.BackupTo(filepath.Join(t.TempDir(), "before"))
			if err != nil {
				t.Fatal(err)
			}
			const n = 400
			var items []storage.Item
			var charged int64
			for i := range n {
				it := storage.Item{FeedURL: c.feed, Key: fmt.Sprint("g:", i), GUID: fmt.Sprint(i), Title: fmt.Sprint("Title ", i), Text: c.text}
				charged += itemBytes(it)
				items = append(items, it)
			}
			at := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
			for i := 0; i < n; i += 50 { // a poll at a time
				if _, err := db.AddItems(context.Background(), c.feed, items[i:i+50], at.Add(time.Duration(i)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			after, err := db.BackupTo(filepath.Join(t.TempDir(), "after"))
			if err != nil {
				t.Fatal(err)
			}
			took := after - before
			t.Logf("%d items charged %d bytes; the compacted store grew %d (%.2f of the charge)", n, charged, took, float64(took)/float64(charged))
			if charged < took*95/100 || charged > 2*took {
				t.Errorf("%d items charged %d bytes took %d in the store; want a charge between 95%% of that and twice it", n, charged, took)
			}
		})
	}
}
