package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/storage"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func mustOpen(t testing.TB, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Whatever a test did, the indexes must still hold what they index: a message
	// missing from the outbox's listings would be sent as it was after its comment or
	// chat went, and a feed missing from the holdings would escape the readers' cap.
	// The store is closed first (cleanups run last first), and read again.
	t.Cleanup(func() {
		db, err := storage.Open(path, storage.Options{ReadOnly: true})
		if err != nil {
			t.Errorf("open to check the indexes: %v", err)
			return
		}
		defer db.Close()
		if err := db.CheckIndexes(context.Background()); err != nil {
			t.Errorf("store indexes: %v", err)
		}
	})
	t.Cleanup(func() { db.Close() })
	return db
}

// activeSub returns the subscriber record AddOwnFeeds makes for a new chat.
func activeSub(chat int64) func() storage.Subscriber {
	return func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Active: true} }
}

// groupSub returns the record AddOwnFeeds makes for a new group of kind, in time zone tz.
func groupSub(chat int64, kind, tz string) func() storage.Subscriber {
	return func() storage.Subscriber {
		return storage.Subscriber{ChatID: chat, Kind: kind, Active: true, TimeZone: tz}
	}
}

func item(key, title string, published time.Time) storage.Item {
	return storage.Item{Key: key, Title: title, Published: published, Text: "Body of " + title, Words: 3}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newsbot.db")
	db := mustOpen(t, path)
	if _, err := db.AddFeed(ctx, "https://a.example/feed", t0); err != nil {
		t.Fatal(err)
	}
	f, _ := db.Feed(ctx, "https://a.example/feed")
	f.ETag, f.ErrorStreak, f.LastError, f.NextPoll = `"v1"`, 2, "HTTP 500", t0.Add(time.Hour)
	if err := db.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	added, err := db.AddItems(ctx, f.URL, []storage.Item{item("g:1", "One", t0), item("g:2", "Two", t0.Add(time.Minute))}, t0)
	if err != nil || len(added) != 2 {
		t.Fatalf("added %d, %v", len(added), err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpen(t, path)
	defer db.Close()
	got, err := db.Feed(ctx, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != `"v1"` || got.ErrorStreak != 2 || got.LastError != "HTTP 500" || !got.NextPoll.Equal(t0.Add(time.Hour)) {
		t.Fatalf("feed after reopen: %+v", got)
	}
	items, err := db.Items(ctx, 0)
	if err != nil || len(items) != 2 {
		t.Fatalf("items after reopen: %d, %v", len(items), err)
	}
	if items[0].Title != "Two" || items[1].Title != "One" {
		t.Fatalf("not newest first: %q, %q", items[0].Title, items[1].Title)
	}
	if items[0].ID != added[1].ID || items[0].Text != "Body of Two" {
		t.Fatalf("item changed: %+v", items[0])
	}
	// IDs keep increasing after a reopen.
	more, _ := db.AddItems(ctx, f.URL, []storage.Item{item("g:3", "Three", t0)}, t0)
	if more[0].ID <= added[1].ID {
		t.Fatalf("id %d not after %d", more[0].ID, added[1].ID)
	}
	if v, _ := db.Schema(); v != storage.SchemaVersion {
		t.Fatalf("schema %d, want %d", v, storage.SchemaVersion)
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newsbot.db")
	mustOpen(t, path) // held open until the test ends
	// bbolt's flock is per open file description, so a second Open in the same process
	// already conflicts, just as a second process would.
	start := time.Now()
	_, err := storage.Open(path, storage.Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, storage.ErrInUse) {
		t.Fatalf("second open: %v, want ErrInUse", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("second open hung for %s", time.Since(start))
	}
	if want := "database is in use by another newsbot process"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
}

// TestSecondProcessFailsFast opens the database from a child process.
func TestSecondProcessFailsFast(t *testing.T) {
	if path := os.Getenv("NEWSBOT_TEST_OPEN_DB"); path != "" {
		_, err := storage.Open(path, storage.Options{Timeout: 200 * time.Millisecond})
		fmt.Print(err)
		return
	}
	path := filepath.Join(t.TempDir(), "newsbot.db")
	mustOpen(t, path) // held open until the test ends
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessFailsFast$")
	cmd.Env = append(os.Environ(), "NEWSBOT_TEST_OPEN_DB="+path)
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "database is in use by another newsbot process") {
		t.Fatalf("child process output: %s", out)
	}
}

func TestAddItemsDedup(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	batch := []storage.Item{item("g:1", "One", t0), item("g:1", "One again", t0), item("u:https://x/2", "Two", t0)}
	added, err := db.AddItems(ctx, "feedA", batch, t0)
	if err != nil || len(added) != 2 {
		t.Fatalf("added %d, %v", len(added), err)
	}
	added, _ = db.AddItems(ctx, "feedA", batch, t0)
	if len(added) != 0 {
		t.Fatalf("re-adding stored %d duplicates", len(added))
	}
	// Keys are per feed: another feed may carry the same GUID.
	added, _ = db.AddItems(ctx, "feedB", batch[:1], t0)
	if len(added) != 1 {
		t.Fatalf("feedB: %d", len(added))
	}
	has, _ := db.HasItemKeys(ctx, "feedA", []string{"g:1", "g:9"})
	if !has[0] || has[1] {
		t.Fatalf("HasItemKeys = %v", has)
	}
	if _, err := db.AddItems(ctx, "feedA", []storage.Item{{Title: "no key"}}, t0); err == nil {
		t.Fatal("item without key accepted")
	}
}

func TestDueFeedsAndItemsSince(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	for i, u := range []string{"c", "a", "b"} {
		db.AddFeed(ctx, u, t0)
		f, _ := db.Feed(ctx, u)
		f.NextPoll = t0.Add(time.Duration(i) * time.Hour)
		db.UpdateFeed(ctx, f)
	}
	due, _ := db.DueFeeds(ctx, t0.Add(90*time.Minute), 0)
	if len(due) != 2 || due[0].URL != "c" || due[1].URL != "a" {
		t.Fatalf("due = %v", due)
	}
	next, ok, _ := db.NextDue(ctx)
	if !ok || !next.Equal(t0) {
		t.Fatalf("next due %v %v", next, ok)
	}
	db.AddItems(ctx, "a", []storage.Item{item("k1", "early", t0)}, t0)
	db.AddItems(ctx, "a", []storage.Item{item("k2", "late", t0)}, t0.Add(time.Hour))
	since, dropped, _ := db.ItemsAdded(ctx, t0.Add(time.Minute), t0.Add(2*time.Hour), 0)
	if len(since) != 1 || since[0].Title != "late" || dropped != 0 {
		t.Fatalf("since = %v (dropped %d)", since, dropped)
	}
}

// A window over more items than its limit keeps the newest and counts the rest.
func TestItemsAddedKeepsTheNewest(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	for i := range 50 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if _, err := db.AddItems(ctx, "f", []storage.Item{item(fmt.Sprint("k", i), fmt.Sprint("item ", i), at)}, at); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name      string
		from, to  time.Time
		limit     int
		first     string
		n, droppd int
	}{
		{"all", t0, t0.Add(time.Hour), 0, "item 49", 50, 0},
		{"capped", t0, t0.Add(time.Hour), 10, "item 49", 10, 40},
		{"bounded above", t0, t0.Add(20 * time.Minute), 5, "item 19", 5, 15},
		{"bounded below", t0.Add(45 * time.Minute), t0.Add(time.Hour), 0, "item 49", 5, 0},
		{"empty", t0.Add(2 * time.Hour), t0.Add(3 * time.Hour), 0, "", 0, 0},
	}
	for _, c := range cases {
		got, dropped, err := db.ItemsAdded(ctx, c.from, c.to, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.n || dropped != c.droppd {
			t.Errorf("%s: %d items, %d dropped; want %d, %d", c.name, len(got), dropped, c.n, c.droppd)
			continue
		}
		if c.n > 0 && got[0].Title != c.first {
			t.Errorf("%s: first %q, want %q", c.name, got[0].Title, c.first)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Added.After(got[i-1].Added) {
				t.Errorf("%s: not newest first at %d", c.name, i)
			}
		}
	}
}

func TestPruneKeepsPinnedItems(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	db.AddFeed(ctx, "f", t0) // tombstones are kept for feeds that are still polled
	longAgo := t0.Add(-60 * 24 * time.Hour)
	old, _ := db.AddItems(ctx, "f", []storage.Item{item("k1", "old", longAgo), item("k2", "old pinned", longAgo)}, longAgo)
	// Published long ago but stored now: retention counts from when we stored it.
	db.AddItems(ctx, "f", []storage.Item{item("k3", "new", longAgo)}, t0)
	if err := db.PinThread(ctx, old[1].ID, t0); err != nil {
		t.Fatal(err)
	}
	n, err := db.Prune(ctx, t0.Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	items, _ := db.Items(ctx, 0)
	if len(items) != 2 {
		t.Fatalf("%d items left", len(items))
	}
	if _, err := db.Item(ctx, old[0].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("pruned item still there: %v", err)
	}
	if _, err := db.Item(ctx, old[1].ID); err != nil {
		t.Fatalf("pinned item pruned: %v", err)
	}
	// The tombstone keeps a feed that still lists the item from re-adding it.
	again, _ := db.AddItems(ctx, "f", []storage.Item{item("k1", "old", t0.Add(-60*24*time.Hour))}, t0)
	if len(again) != 0 {
		t.Fatal("pruned item came back")
	}
	since, _, _ := db.ItemsAdded(ctx, time.Time{}, t0.Add(time.Hour), 0)
	if len(since) != 2 {
		t.Fatalf("added index has %d entries, want 2", len(since))
	}
}

func TestPruneInBatches(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	var batch []storage.Item
	for i := range 2500 {
		batch = append(batch, item(fmt.Sprintf("k%d", i), "x", t0.Add(-time.Duration(i+1)*time.Hour*24)))
	}
	db.AddItems(ctx, "f", batch, t0.Add(-time.Hour))
	n, err := db.Prune(ctx, t0)
	if err != nil || n != 2500 {
		t.Fatalf("pruned %d, %v", n, err)
	}
}

// TestPruneInBatchesPastPinnedItems has items that discussions pin before, between and
// across the batches of 1,000 (each batch starts where the last stopped): every other
// old item goes, every pinned one stays.
func TestPruneInBatchesPastPinnedItems(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	var stored []storage.Item
	for day := range 5 { // stored on five days, 500 a day
		var batch []storage.Item
		for i := range 500 {
			batch = append(batch, item(fmt.Sprintf("k%d-%d", day, i), "x", t0.Add(-90*24*time.Hour)))
		}
		got, err := db.AddItems(ctx, "f", batch, t0.Add(-time.Duration(40-day)*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, got...)
	}
	pinned := map[uint64]bool{}
	for i, it := range stored {
		if i < 1200 || i%7 == 0 { // a run longer than a batch, then scattered
			if err := db.PinThread(ctx, it.ID, t0); err != nil {
				t.Fatal(err)
			}
			pinned[it.ID] = true
		}
	}
	n, err := db.Prune(ctx, t0)
	if err != nil || n != len(stored)-len(pinned) {
		t.Fatalf("pruned %d (%v), want %d", n, err, len(stored)-len(pinned))
	}
	for _, it := range stored {
		_, err := db.Item(ctx, it.ID)
		if pinned[it.ID] != (err == nil) {
			t.Fatalf("item %d, pinned %v: %v", it.ID, pinned[it.ID], err)
		}
	}
}

func TestCompact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "db")
	db := mustOpen(t, src)
	db.AddFeed(ctx, "f", t0)
	var batch []storage.Item
	for i := range 500 {
		batch = append(batch, item(fmt.Sprintf("k%d", i), "x", t0.Add(-48*time.Hour)))
	}
	db.AddItems(ctx, "f", batch, t0.Add(-48*time.Hour))
	db.Prune(ctx, t0)
	db.AddItems(ctx, "f", []storage.Item{item("keep", "kept", t0)}, t0)
	db.Close()
	dst := filepath.Join(dir, "compact.db")
	if err := storage.Compact(src, dst); err != nil {
		t.Fatal(err)
	}
	c := mustOpen(t, dst)
	items, _ := c.Items(ctx, 0)
	if len(items) != 1 || items[0].Title != "kept" {
		t.Fatalf("compacted items %v", items)
	}
	if err := storage.Compact(src, dst); err == nil {
		t.Fatal("compact over an existing file succeeded")
	}
}

func TestPruneDropsRecordsOfPrunedStories(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	old, _ := db.AddItems(ctx, "f", []storage.Item{item("k1", "old", t0)}, t0.Add(-100*time.Hour))
	kept, _ := db.AddItems(ctx, "f", []storage.Item{item("k2", "new", t0)}, t0)
	if _, err := db.Sent(ctx, 0, 7, 1, &storage.MessageRecord{Kind: "digest", Items: []uint64{old[0].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Sent(ctx, 0, 7, 2, &storage.MessageRecord{Kind: "digest", Items: []uint64{old[0].ID, kept[0].ID}}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Prune(ctx, t0.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if _, err := db.MessageRecordFor(ctx, 7, 1); err == nil {
		t.Fatal("record of a pruned story kept")
	}
	if _, err := db.MessageRecordFor(ctx, 7, 2); err != nil {
		t.Fatalf("record with a live story dropped: %v", err)
	}
}

// A discussion keeps its story for good, but not the records of every digest and card
// of it: those go with retention, by when they were queued (audit 62: a reader asking
// for the card of a discussed story again and again grew the store for good). A
// comment's copy stays, to be blanked if the comment goes; so does a record written
// before records kept their time.
func TestRecordsOfDiscussedStoriesGoWithRetention(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	added, err := db.AddItems(ctx, "f", []storage.Item{item("k1", "discussed", t0)}, t0.Add(-100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	story := added[0].ID
	c, _, err := db.AddComment(ctx, storage.Comment{ItemID: story, AuthorID: 5, Text: "x", SrcChat: 5, SrcMsg: 1, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	queued := []struct {
		msg int
		at  time.Time
		rec storage.MessageRecord
	}{
		{1, t0.Add(-90 * time.Hour), storage.MessageRecord{Kind: storage.KindCard, Items: []uint64{story}}},
		{2, t0.Add(-90 * time.Hour), storage.MessageRecord{Kind: storage.KindDigest, Items: []uint64{story}}},
		{3, t0.Add(-90 * time.Hour), storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{story}, Comment: c.ID}},
		{4, t0.Add(-time.Minute), storage.MessageRecord{Kind: storage.KindCard, Items: []uint64{story}}},
		{6, t0.Add(-90 * time.Hour), storage.MessageRecord{Kind: storage.KindPassedBy, Items: []uint64{story}}}, // review 77
	}
	for _, q := range queued {
		rec := q.rec
		if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 7, Method: "sendMessage", Record: &rec}}, q.at); err != nil {
			t.Fatal(err)
		}
	}
	out, err := db.Outbox(ctx, 0, 10)
	if err != nil || len(out) != len(queued) {
		t.Fatalf("queued %d (%v)", len(out), err)
	}
	for i, m := range out {
		if _, err := db.Sent(ctx, m.ID, m.ChatID, queued[i].msg, m.Record); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Sent(ctx, 0, 7, 5, &storage.MessageRecord{Kind: storage.KindCard, Items: []uint64{story}}); err != nil { // from before
		t.Fatal(err)
	}
	if n, err := db.Prune(ctx, t0.Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d items (%v), want none: the story is discussed", n, err)
	}
	for msg, want := range map[int]bool{1: false, 2: false, 3: true, 4: true, 5: true, 6: false} {
		_, err := db.MessageRecordFor(ctx, 7, msg)
		if got := err == nil; got != want {
			t.Errorf("message %d: record kept %v, want %v (%v)", msg, got, want, err)
		}
	}
}

// Past retention a discussed story keeps the start of its text, not all of it: one
// comment a day kept 100,000 characters of a stranger's feed for good, outside the
// readers' store budget (audit 62). A small one, and one still within retention, keep
// theirs.
func TestDiscussedItemsPastRetentionKeepTheStartOfTheirText(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	long := strings.Repeat("Слово за словом. ", 6000) // 102,000 runes
	big, small, recent := item("big", "big", t0), item("small", "small", t0), item("recent", "recent", t0)
	big.Text, big.Teaser, recent.Text = long, long[:20000], long
	old, err := db.AddItems(ctx, "f", []storage.Item{big, small}, t0.Add(-100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := db.AddItems(ctx, "f", []storage.Item{recent}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range append(old, fresh...) {
		if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "x", SrcChat: 5, SrcMsg: i + 1, Created: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // a second pass finds nothing more to cut
		if n, err := db.Prune(ctx, t0.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("pruned %d (%v), want none: all are discussed", n, err)
		}
	}
	got := func(id uint64) storage.Item {
		t.Helper()
		it, err := db.Item(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	if it := got(old[0].ID); utf8.RuneCountInString(it.Text) != 4000 || !strings.HasPrefix(long, it.Text) || utf8.RuneCountInString(it.Teaser) != 1000 || it.Title != "big" {
		t.Errorf("the big discussed item keeps %d runes of text and %d of teaser, title %q; want its first 4,000 and 1,000", utf8.RuneCountInString(it.Text), utf8.RuneCountInString(it.Teaser), it.Title)
	}
	if it := got(old[1].ID); it.Text != small.Text {
		t.Errorf("the small discussed item's text changed to %q", it.Text)
	}
	if it := got(fresh[0].ID); it.Text != long {
		t.Errorf("the discussed item within retention keeps %d runes", utf8.RuneCountInString(it.Text))
	}
}

// A chat gone (blocked, or the bot removed) loses its queue but what takes words off
// its screen: deletions, and the edits standing for them, wait for it to come back
// and go then, in order; a dropped edit of a copy leaves a mark that redraws it. An
// upgraded group's are dropped (the old chat takes no requests), and a chat's /forget
// sends them (found by review 47: a deletion was lost with the queue for good).
func TestErasuresWaitForAChatToComeBack(t *testing.T) {
	ctx := context.Background()
	const chat, other = int64(77), int64(78)
	blank := storage.OutMessage{ChatID: chat, Method: "editMessageText",
		Params: map[string]string{"chat_id": "77", "message_id": "6", "text": storage.DeletedText}}
	answer := storage.OutMessage{ChatID: chat, Method: "sendMessage", Params: map[string]string{"chat_id": "77", "text": "an answer"}}
	queue := func(db *storage.DB) {
		t.Helper()
		msgs := []storage.OutMessage{storage.Deletion(chat, 5), answer, blank, storage.Deletion(other, 9), storage.Deletion(chat, 7)}
		if err := db.Enqueue(ctx, msgs, t0); err != nil {
			t.Fatal(err)
		}
	}
	queued := func(db *storage.DB, chatID int64) []string {
		t.Helper()
		q, err := db.Outbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range q {
			if m.ChatID == chatID {
				out = append(out, m.Method+" "+m.Params["message_id"])
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		back func(db *storage.DB) error
		want []string
	}{
		{"it writes", func(db *storage.DB) error { _, err := db.ReturnErasures(ctx, chat); return err },
			[]string{"deleteMessage 5", "editMessageText 6", "deleteMessage 7"}},
		{"the bot is added back", func(db *storage.DB) error {
			if _, err := db.ActivateChat(ctx, chat, nil); !errors.Is(err, storage.ErrNotFound) {
				return err // a chat with no record: its erasures return all the same
			}
			return nil
		},
			[]string{"deleteMessage 5", "editMessageText 6", "deleteMessage 7"}},
		{"it forgets", func(db *storage.DB) error { _, err := db.EraseChat(ctx, chat, 0, storage.EraseOptions{}); return err },
			[]string{"deleteMessage 5", "editMessageText 6", "deleteMessage 7"}},
		{"it upgrades", func(db *storage.DB) error {
			if err := db.MigrateChat(ctx, chat, -1000); err != nil {
				return err
			}
			_, err := db.ReturnErasures(ctx, chat)
			return err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
			defer db.Close()
			queue(db)
			n, err := db.DeactivateChat(ctx, chat)
			if err != nil || n != 1 {
				t.Fatalf("deactivate: %d dropped (%v), want the answer only", n, err)
			}
			if got := queued(db, chat); len(got) != 0 {
				t.Fatalf("queued for a gone chat: %v", got)
			}
			if got := queued(db, other); len(got) != 1 {
				t.Fatalf("another chat's queue: %v", got)
			}
			if err := tc.back(db); err != nil {
				t.Fatal(err)
			}
			if got := queued(db, chat); !slices.Equal(got, tc.want) {
				t.Fatalf("queued on return: %v, want %v", got, tc.want)
			}
			if n, err := db.ReturnErasures(ctx, chat); err != nil || n != 0 {
				t.Fatalf("returned twice: %d (%v)", n, err)
			}
		})
	}
}

// A backup holds the live records only: not what was deleted or erased before it was
// taken, which the file's freed pages still carry until bbolt reuses them (found by
// review 47).
func TestBackupsHoldNoDeletedWords(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	deleted := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, AuthorName: "Zebulon", Text: "words deleted by their author", SrcChat: 5, SrcMsg: 1, Created: t0})
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 6, AuthorName: "Quenby", Text: "words erased by a forget", SrcChat: 6, SrcMsg: 1, Created: t0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 7, AuthorName: "Kept", Text: "words that stay", SrcChat: 7, SrcMsg: 1, Created: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateComment(ctx, deleted.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, 6, 6, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("backup: %d bytes of %d (%v)", n, buf.Len(), err)
	}
	for _, s := range []string{"words deleted by their author", "words erased by a forget", "Quenby"} {
		if bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("the backup holds %q", s)
		}
	}
	// What lives is there, and the copy opens as a database.
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := storage.CheckFile(path); err != nil {
		t.Fatal(err)
	}
	restored := mustOpen(t, path)
	cs, err := restored.ThreadComments(ctx, it.ID)
	if err != nil || len(cs) != 1 || cs[0].Text != "words that stay" {
		t.Fatalf("the restored thread: %+v (%v)", cs, err)
	}
	// What /backup sends is written by BackupTo into its own file, trimmed to its pages;
	// a file that is not empty is refused, never merged into.
	served := filepath.Join(t.TempDir(), "served.db")
	if err := os.WriteFile(served, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := db.BackupTo(served); err != nil {
		t.Fatal(err)
	} else if fi, err := os.Stat(served); err != nil || fi.Size() != n || storage.CheckFile(served) != nil {
		t.Fatalf("the served copy: %d bytes, file %+v (%v)", n, fi, err)
	}
	if _, err := db.BackupTo(served); err == nil {
		t.Fatal("a backup into a file holding a database was not refused")
	}
	if err := storage.CheckFile(served); err != nil {
		t.Fatal(err)
	}
	// A copy a crash left beside the database is removed at the next start; an
	// operator's own copy is not (review 49).
	left := filepath.Join(filepath.Dir(path), ".db.newsbot-backup-123")
	mine := filepath.Join(filepath.Dir(path), "db.backup-20261201")
	for _, f := range []string{left, mine} {
		if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reopened := mustOpen(t, filepath.Join(filepath.Dir(path), "db"))
	reopened.Close()
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("a backup's leftover copy stays: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("an operator's copy went: %v", err)
	}
	// Sequences go with the records: the next comment takes a new number.
	next, _, err := restored.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 8, Text: "after", Created: t0})
	if err != nil || next.ID <= cs[0].ID {
		t.Fatalf("a comment after the restore: %+v (%v)", next, err)
	}
}

// FeedItemsWhere reads only the items its filter picks by their clock and ID, however
// their clocks fall, and its limit counts only those: items it leaves neither take a
// place nor count as left out.
func TestFeedItemsWhere(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	ctx := context.Background()
	const feed, other = "https://a.example/rss", "https://b.example/rss"
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var ids, others []uint64
	for i := range 6 {
		// Clocks out of ID order: the fourth item was stamped first.
		at := base.Add(time.Duration(i) * time.Minute)
		if i == 3 {
			at = base.Add(-time.Hour)
		}
		got, err := db.AddItems(ctx, feed, []storage.Item{{Key: fmt.Sprint(i), Title: fmt.Sprint("item ", i)}}, at)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got[0].ID)
		got, err = db.AddItems(ctx, other, []storage.Item{{Key: fmt.Sprint(i), Title: "other"}}, at)
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, got[0].ID)
	}
	between := func(after, through uint64) func(time.Time, uint64) bool {
		return func(_ time.Time, id uint64) bool { return id > after && id <= through }
	}
	for _, c := range []struct {
		name    string
		feeds   []string
		from    time.Time
		to      time.Time // zero: storage.Forever
		keep    func(time.Time, uint64) bool
		limit   int
		want    []uint64
		dropped int
	}{
		{"the window's end bounds it", nil, base.Add(-2 * time.Hour), base.Add(3 * time.Minute), nil, 0, []uint64{ids[2], ids[1], ids[0], ids[3]}, 0},
		{"the window's end, and a limit", nil, base.Add(-2 * time.Hour), base.Add(3 * time.Minute), nil, 2, []uint64{ids[2], ids[1]}, 2},
		// The newest of both feeds, by clock then ID, the limit over both.
		{"two feeds", []string{feed, other}, base.Add(-2 * time.Hour), time.Time{}, nil, 3, []uint64{others[5], ids[5], others[4]}, 9},
		{"two feeds, one picked from", []string{feed, other}, base.Add(-2 * time.Hour), time.Time{}, func(_ time.Time, id uint64) bool { return !slices.Contains(others, id) }, 2, []uint64{ids[5], ids[4]}, 4},
		{"a range of IDs", nil, base.Add(-2 * time.Hour), time.Time{}, between(ids[1], ids[4]), 0, []uint64{ids[4], ids[2], ids[3]}, 0},
		{"the limit counts what is picked alone", nil, base.Add(-2 * time.Hour), time.Time{}, between(ids[1], ids[4]), 2, []uint64{ids[4], ids[2]}, 1},
		{"the window's start still bounds it", nil, base, time.Time{}, between(ids[1], ids[4]), 0, []uint64{ids[4], ids[2]}, 0},
		{"nothing picked", nil, base.Add(-2 * time.Hour), time.Time{}, between(ids[5], ids[5]), 0, nil, 0},
		{"by the stored clock", nil, base.Add(-2 * time.Hour), time.Time{}, func(added time.Time, _ uint64) bool { return added.Before(base) }, 0, []uint64{ids[3]}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			feeds := c.feeds
			if feeds == nil {
				feeds = []string{feed}
			}
			to := c.to
			if to.IsZero() {
				to = storage.Forever
			}
			items, dropped, err := db.FeedItemsWhere(ctx, feeds, c.from, to, c.keep, c.limit)
			var got []uint64
			for _, it := range items {
				got = append(got, it.ID)
			}
			if err != nil || !slices.Equal(got, c.want) || dropped != c.dropped {
				t.Errorf("got %v, %d dropped (%v); want %v, %d dropped", got, dropped, err, c.want, c.dropped)
			}
		})
	}
}
