package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// A reader's feed is charged to whoever added it: in a private chat the reader, in a
// group the member who added it; the operator's feeds to no one. The records follow a
// group to its new chat ID and go with the feed or the group; the usage outlives them
// and is pruned after its day.
func TestFeedUsageByAccount(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "u.db"))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const day, next = "2026-11-30", "2026-12-01"
	const reader, admin, group, supergroup = 7, 8, -100, -1001
	shared, wire, own := "https://example.com/shared.xml", "https://example.com/wire.xml", "https://example.com/own.xml"
	if _, err := db.SyncConfiguredFeeds(ctx, []string{wire}, now); err != nil {
		t.Fatal(err)
	}
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	if _, _, err := db.AddOwnFeeds(ctx, reader, reader, activeSub(reader), []string{shared, wire}, nil, lim); err != nil {
		t.Fatal(err)
	}
	// The reader adds two feeds to the group, the admin one: the group is no account.
	if _, _, err := db.AddOwnFeeds(ctx, group, reader, activeSub(group), []string{shared, own}, nil, lim); err != nil {
		t.Fatal(err)
	}
	accounts := func(url string) []int64 {
		t.Helper()
		got, err := db.FeedAccountsUsage(ctx, url, day)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for a := range got {
			out = append(out, a)
		}
		slices.Sort(out)
		return out
	}
	if got := accounts(wire); got != nil {
		t.Fatalf("the operator's feed is charged to %v", got)
	}
	if got := accounts(shared); !slices.Equal(got, []int64{reader}) {
		t.Fatalf("a feed one reader added to their chat and a group is charged to %v, want the reader alone", got)
	}
	if got := accounts(own); !slices.Equal(got, []int64{reader}) {
		t.Fatalf("a group feed is charged to %v, want the member who added it", got)
	}
	use := storage.FeedUsage{Day: day, Items: 3, Bytes: 300, Pages: 1}
	for range 2 {
		if err := db.ChargeAccounts(ctx, []int64{reader, admin}, use); err != nil {
			t.Fatal(err)
		}
	}
	// Poll time alone is a charge too: a slow feed that stores nothing still costs it.
	if err := db.ChargeAccounts(ctx, []int64{admin}, storage.FeedUsage{Day: day, PollTime: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	want := storage.FeedUsage{Day: day, Items: 6, Bytes: 600, Pages: 2, PollTime: 1500 * time.Millisecond}
	if u, err := db.FeedUsage(ctx, admin, day); err != nil || u != want {
		t.Fatalf("usage %+v (%v), want %+v", u, err, want)
	}
	// A charge for a day before the one counted is dropped, not a reset of the newer day.
	if err := db.ChargeAccounts(ctx, []int64{admin}, storage.FeedUsage{Day: next, Items: 5}); err != nil {
		t.Fatal(err)
	}
	if err := db.ChargeAccounts(ctx, []int64{admin}, storage.FeedUsage{Day: day, Items: 1}); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FeedUsage(ctx, admin, next); u.Items != 5 {
		t.Fatalf("a late charge for yesterday left today's usage %+v", u)
	}
	// The group migrates: its feeds keep their adders.
	if err := db.MigrateChat(ctx, group, supergroup); err != nil {
		t.Fatal(err)
	}
	if got := accounts(own); !slices.Equal(got, []int64{reader}) {
		t.Fatalf("after the group's migration its feed is charged to %v", got)
	}
	setOwn := func(chat int64, urls ...string) {
		t.Helper()
		if _, err := db.UpdateSubscriber(ctx, chat, activeSub(chat), func(s *storage.Subscriber) error {
			s.OwnFeeds = urls
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The group drops the reader's feed: the record that they added it goes with it
	// (a feed set again without an adder is the group's own).
	setOwn(supergroup, shared)
	setOwn(supergroup, shared, own)
	if got := accounts(own); !slices.Equal(got, []int64{supergroup}) {
		t.Fatalf("a feed the group dropped and took back is charged to %v, want the group", got)
	}
	// Another member adds it again: now it is theirs.
	setOwn(supergroup, shared)
	if _, _, err := db.AddOwnFeeds(ctx, supergroup, admin, nil, []string{own}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if got := accounts(own); !slices.Equal(got, []int64{admin}) {
		t.Fatalf("a feed re-added by another member is charged to %v", got)
	}
	// The group forgets itself: its feeds and adder records go; the usage stays.
	if _, err := db.EraseChat(ctx, supergroup, 0, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := accounts(own); got != nil {
		t.Fatalf("a forgotten group's feed is still charged to %v", got)
	}
	setOwn(supergroup, own)
	if got := accounts(own); !slices.Equal(got, []int64{supergroup}) {
		t.Fatalf("after the group's /forget its feed is still charged to %v", got)
	}
	setOwn(supergroup)
	if u, _ := db.FeedUsage(ctx, admin, next); u.Items != 5 {
		t.Fatalf("forgetting the group reset its adder's usage: %+v", u)
	}
	if n, err := db.PruneFeedUsage(ctx, day); err != nil || n != 0 {
		t.Fatalf("pruned %d (%v) of today's", n, err)
	}
	if n, err := db.PruneFeedUsage(ctx, next); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v) of yesterday's, want 1 (the reader's)", n, err)
	}
}

// DeferFeed only ever puts a reader's feed later: its due entry moves with it, a feed
// already due later keeps its time, a feed someone added since the decision is not put
// off, and a feed that is gone is not brought back. A chat or the operator taking the
// feed up brings it back at once.
func TestDeferFeed(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "d.db"))
	// Adds schedule a feed on the wall clock, so the times are taken from it: fixed
	// dates passed, and "tomorrow" was put off to a time already gone (2026-12-01).
	now := time.Now().UTC()
	tomorrow := now.Truncate(24 * time.Hour).Add(48*time.Hour + 5*time.Minute) // after a day at least
	lim := storage.FeedLimits{PerChat: 20, Global: 100}
	add := func(chat int64, url string) {
		t.Helper()
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, activeSub(chat), []string{url}, nil, lim); err != nil {
			t.Fatal(err)
		}
	}
	deferFeed := func(url string, accounts []int64, until time.Time) bool {
		t.Helper()
		ok, err := db.DeferFeed(ctx, url, accounts, until)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	feedOf := func(url string) storage.Feed {
		t.Helper()
		f, err := db.Feed(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	due := func(url string, at time.Time) bool {
		t.Helper()
		fs, err := db.DueFeeds(ctx, at, 0)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(fs, func(f storage.Feed) bool { return f.URL == url })
	}

	url := "https://example.com/slow.xml"
	add(7, url)
	if !deferFeed(url, []int64{7}, tomorrow) {
		t.Fatal("a feed whose one reader is out of time was not put off")
	}
	if due(url, tomorrow.Add(-time.Second)) || !due(url, tomorrow) {
		t.Fatal("the deferred feed is not due exactly at its new time")
	}
	if next, ok, err := db.NextDue(ctx); err != nil || !ok || !next.Equal(tomorrow) {
		t.Fatalf("next due %v %v %v, want %v", next, ok, err, tomorrow)
	}
	// An earlier time does not bring it forward.
	if deferFeed(url, []int64{7}, now.Add(time.Hour)) || !feedOf(url).NextPoll.Equal(tomorrow) {
		t.Fatalf("feed %+v: an earlier defer moved it", feedOf(url))
	}
	// The chat that has it adding it again changes nothing; another chat brings it back.
	add(7, url)
	if f := feedOf(url); !f.Deferred || !f.NextPoll.Equal(tomorrow) {
		t.Fatalf("the chat that has the feed added it again and brought it forward: %+v", f)
	}
	add(8, url)
	if f := feedOf(url); f.Deferred || !f.NextPoll.Before(tomorrow) {
		t.Fatalf("feed %+v: another chat added it, and it still waits for tomorrow", f)
	}
	// A decision made before reader 8 added it does not put it off (found by review: a
	// stale read of the adders deferred a feed a reader with time had just added).
	if deferFeed(url, []int64{7}, tomorrow) || feedOf(url).Deferred {
		t.Fatal("a feed was put off on the time of its old readers alone")
	}
	if !deferFeed(url, []int64{7, 8}, tomorrow) {
		t.Fatal("a feed whose readers are all out of time was not put off")
	}

	// The operator taking a deferred feed up, by pin or configuration, makes it due.
	pinned, configured := "https://example.com/pinned.xml", "https://example.com/configured.xml"
	for _, u := range []string{pinned, configured} {
		add(9, u)
		if !deferFeed(u, []int64{9}, tomorrow) {
			t.Fatalf("%s was not put off", u)
		}
	}
	if _, err := db.AddFeed(ctx, pinned, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncConfiguredFeeds(ctx, []string{configured}, now); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{pinned, configured} {
		if f := feedOf(u); f.Deferred || !due(u, now) {
			t.Fatalf("the operator took up %s, and it still waits: %+v", u, f)
		}
		if deferFeed(u, []int64{9}, tomorrow) {
			t.Fatalf("the operator's feed %s was put off for a reader's time", u)
		}
	}

	// A feed that is gone stays gone.
	if err := db.RemoveFeed(ctx, url); err != nil {
		t.Fatal(err)
	}
	if deferFeed(url, []int64{7, 8}, tomorrow.Add(time.Hour)) {
		t.Fatal("a removed feed was put off")
	}
	if _, err := db.Feed(ctx, url); !errors.Is(err, storage.ErrNotFound) || due(url, tomorrow.Add(2*time.Hour)) {
		t.Fatalf("deferring a removed feed brought it back: %v", err)
	}
}

// A poll writes back the copy of its feed it took at the start; a pin or the
// configuration set while it ran survives that write (found by review H).
func TestUpdateFeedKeepsWhoKeepsIt(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "k.db"))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	pinned, configured := "https://example.com/pinned.xml", "https://example.com/configured.xml"
	if _, _, err := db.AddOwnFeeds(ctx, 7, 7, activeSub(7), []string{pinned, configured}, nil, storage.FeedLimits{PerChat: 20, Global: 100}); err != nil {
		t.Fatal(err)
	}
	var polled []storage.Feed // the poller's copies, taken before the operator acts
	for _, u := range []string{pinned, configured} {
		f, err := db.Feed(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		polled = append(polled, f)
	}
	if _, err := db.AddFeed(ctx, pinned, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncConfiguredFeeds(ctx, []string{configured}, now); err != nil {
		t.Fatal(err)
	}
	for _, f := range polled {
		f.LastPoll, f.ETag = now, `"v2"`
		if err := db.UpdateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := db.Feed(ctx, pinned)
	c, _ := db.Feed(ctx, configured)
	if !p.Pinned || !c.Configured || p.ETag != `"v2"` || c.ETag != `"v2"` {
		t.Fatalf("after the polls' writes: pinned %+v, configured %+v", p, c)
	}
}

// BenchmarkFeedsAccountsUsage reads who added 5,000 readers' feeds (250 readers with 20
// each) and their usage: what the poller does at each look while a reader's worker is
// free and every readers' feed is due.
func BenchmarkFeedsAccountsUsage(b *testing.B) {
	ctx := context.Background()
	db := mustOpen(b, filepath.Join(b.TempDir(), "db"))
	defer db.Close()
	var urls []string
	for reader := range int64(250) {
		var mine []string
		for i := range 20 {
			mine = append(mine, fmt.Sprintf("https://feeds%d.example/%d.xml", reader, i))
		}
		if _, _, err := db.AddOwnFeeds(ctx, reader+1, reader+1, activeSub(reader+1), mine, nil, storage.FeedLimits{}); err != nil {
			b.Fatal(err)
		}
		urls = append(urls, mine...)
	}
	day := t0.Format(time.DateOnly)
	b.ResetTimer()
	for b.Loop() {
		got, err := db.FeedsAccountsUsage(ctx, urls, day)
		if err != nil || len(got) != len(urls) {
			b.Fatalf("%d feeds' accounts, %v", len(got), err)
		}
	}
}

// A feed kept by thousands of accounts is charged to every one of them, a few hundred
// to a write transaction (audit 54): none is left out at a batch's edge, and each is
// charged once.
func TestChargesReachEveryAccountOfAPopularFeed(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "c.db"))
	const n = 1201
	accounts := make([]int64, n)
	for i := range accounts {
		accounts[i] = int64(1000 + i)
	}
	use := storage.FeedUsage{Day: "2026-12-01", PollTime: time.Millisecond}
	for range 2 {
		if err := db.ChargeAccounts(ctx, accounts, use); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range accounts {
		got, err := db.FeedUsage(ctx, a, use.Day)
		if err != nil || got.PollTime != 2*time.Millisecond {
			t.Fatalf("account %d: %+v (%v), want 2 ms", a, got, err)
		}
	}
}
