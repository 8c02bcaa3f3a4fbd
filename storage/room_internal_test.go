package storage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkMakeRoom times one slot freed with the readers' cap of 5,000 full, held by
// 50 accounts of 100 feeds each (the Sybil case the per-account cap leaves): read who
// keeps what, pick, take the feed from its chat. Each run is rolled back.
func BenchmarkMakeRoom(b *testing.B) {
	ctx := context.Background()
	db := benchDB(b)
	lim := FeedLimits{PerChat: 100, Global: 5000, PerAccount: 100}
	for a := int64(1); a <= 50; a++ {
		urls := make([]string, 100)
		for i := range urls {
			urls[i] = fmt.Sprintf("https://feeds%d.example/%d.xml", a, i)
		}
		create := func() Subscriber { return Subscriber{ChatID: a, Kind: "private", Active: true} }
		if _, _, err := db.AddOwnFeeds(ctx, a, a, create, urls, nil, lim); err != nil {
			b.Fatal(err)
		}
	}
	rollback := errors.New("rollback")
	for b.Loop() {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			freed, _, err := makeRoom(tx, 999, 1, 0, nil)
			if err != nil {
				return err
			}
			if freed == "" {
				b.Fatal("no room made")
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			b.Fatal(err)
		}
	}
}

// fullCapStore fills the readers' cap of 5,000 with 50 accounts of 100 feeds each and
// adds light readers, each keeping five of those feeds: light*5 more owner entries,
// written straight to the store (putChats).
func fullCapStore(b *testing.B, light int) *DB {
	b.Helper()
	db := benchDB(b)
	heavyURL := func(a, i int) string { return fmt.Sprintf("https://feeds%d.example/%d.xml", a, i) }
	putChats(b, db, 1, 51, func(c int) []string {
		urls := make([]string, 100)
		for i := range urls {
			urls[i] = heavyURL(c, i)
		}
		return urls
	})
	putChats(b, db, 1000, 1000+light, func(c int) []string {
		urls := make([]string, 5)
		for i := range urls {
			// Light readers share the first 20 feeds of each heavy account.
			urls[i] = heavyURL(1+(c*7+i*13)%50, (c+i*3)%20)
		}
		return urls
	})
	return db
}

// benchDB opens a store in b's temporary directory, closed at the end.
func benchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(b.TempDir()+"/db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// putChats writes private chats from to to-1, each keeping feeds(chat), straight to the
// store in transactions of 5,000 (an add each would take hours).
func putChats(b *testing.B, db *DB, from, to int, feeds func(chat int) []string) {
	b.Helper()
	for start := from; start < to; start += 5000 {
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			for c := start; c < min(start+5000, to); c++ {
				s := &Subscriber{ChatID: int64(c), Kind: "private", Active: true, OwnFeeds: feeds(c), fitted: true}
				if err := putSubscriber(tx, s); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddOverFullCap times a newcomer's /add of a new feed with the readers' cap
// full: the whole write transaction, making room included. Each run takes one feed
// from a heavy account, as a real add does.
func BenchmarkAddOverFullCap(b *testing.B) {
	for _, light := range []int{0, 20_000, 100_000} {
		b.Run(fmt.Sprintf("owners=%d", 5000+light*5), func(b *testing.B) {
			ctx := context.Background()
			db := fullCapStore(b, light)
			lim := FeedLimits{PerChat: 20, Global: 5000, PerAccount: 100, Floor: 10,
				MakeRoom: func(Subscriber, []string) []OutMessage { return nil }}
			n := int64(0)
			for b.Loop() {
				n++
				chat := int64(1_000_000_000) + n
				create := func() Subscriber { return Subscriber{ChatID: chat, Kind: "private", Active: true} }
				_, added, err := db.AddOwnFeeds(ctx, chat, chat, create, []string{fmt.Sprintf("https://new.example/%d.xml", n)}, nil, lim)
				if err != nil || len(added) != 1 {
					b.Fatalf("add over a full cap: %v, added %v", err, added)
				}
			}
		})
	}
}

// BenchmarkAddUnderCap times an /add of a new feed with room under the readers' cap: the
// cap's count and the account's feeds are read, nothing is taken.
func BenchmarkAddUnderCap(b *testing.B) {
	for _, light := range []int{20_000, 100_000} {
		b.Run(fmt.Sprintf("owners=%d", 5000+light*5), func(b *testing.B) {
			ctx := context.Background()
			db := fullCapStore(b, light)
			lim := FeedLimits{PerChat: 20, Global: 1_000_000, PerAccount: 100, Floor: 10}
			n := int64(0)
			for b.Loop() {
				n++
				chat := int64(1_000_000_000) + n
				create := func() Subscriber { return Subscriber{ChatID: chat, Kind: "private", Active: true} }
				_, added, err := db.AddOwnFeeds(ctx, chat, chat, create, []string{fmt.Sprintf("https://new.example/%d.xml", n)}, nil, lim)
				if err != nil || len(added) != 1 {
					b.Fatalf("add under the cap: %v, added %v", err, added)
				}
			}
		})
	}
}

// readerHoldings is who keeps which readers' feeds, read from the whole owners index
// (active chats only: an inactive chat's feeds are not polled, nor counted): how making
// room read them before the holdings indexes, kept as the reference they must agree
// with. It reads the account of each entry from the adder records, not from the entry.
type readerHoldings struct {
	held   map[int64]map[string]bool // account -> feeds charged to it
	payers map[string]map[int64]bool // feed -> accounts it is charged to
	chats  map[string][]int64        // feed -> chats keeping it
	since  map[string]time.Time      // feed -> when a chat last took it up
}

func referenceHoldings(tx *bolt.Tx) readerHoldings {
	h := readerHoldings{held: map[int64]map[string]bool{}, payers: map[string]map[int64]bool{}, chats: map[string][]int64{},
		since: map[string]time.Time{}}
	operator := map[string]bool{}
	feeds := tx.Bucket(bucketFeeds)
	c := tx.Bucket(bucketFeedOwners).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 9 {
			continue
		}
		url, chat := string(k[:len(k)-9]), int64(beU64(k[len(k)-8:]))
		op, seen := operator[url]
		if !seen {
			f, err := getJSON[Feed](feeds, []byte(url), "feed", url)
			op = err != nil || f.Operator()
			operator[url] = op
		}
		if !op {
			var since time.Time // entries older than the time in them read as the oldest
			if len(v) >= 8 {
				since = time.Unix(0, int64(beU64(v[:8])))
			}
			h.take(accountOf(tx, chat, url), chat, url, since)
		}
	}
	return h
}

// take records that chat keeps url, charged to account, since then. Each (chat, url) is
// taken once: the owners index has one entry for it, and an add skips a feed the chat
// keeps.
func (h readerHoldings) take(account, chat int64, url string, since time.Time) {
	if since.After(h.since[url]) {
		h.since[url] = since
	}
	if h.held[account] == nil {
		h.held[account] = map[string]bool{}
	}
	h.held[account][url] = true
	if h.payers[url] == nil {
		h.payers[url] = map[int64]bool{}
	}
	h.payers[url][account] = true
	h.chats[url] = append(h.chats[url], chat)
}

// use is an account's share of the room: 1/payers for each feed it keeps, summed in a
// fixed order and rounded, so that equal shares compare equal.
func (h readerHoldings) use(account int64) float64 {
	shares := make([]float64, 0, len(h.held[account]))
	for url := range h.held[account] {
		shares = append(shares, 1/float64(len(h.payers[url])))
	}
	slices.Sort(shares)
	u := 0.0
	for _, s := range shares {
		u += s
	}
	return math.Round(u*1e6) / 1e6
}

// referencePick is the feed makeRoom took before the holdings indexes, over holdings
// read whole: every feed weighed against every other.
func referencePick(h readerHoldings, by int64, line int, waiting map[string]bool) string {
	use := map[int64]float64{}
	useOf := func(a int64) float64 {
		u, ok := use[a]
		if !ok {
			u = h.use(a)
			use[a] = u
		}
		return u
	}
	lighter := func(a, b int64) int {
		return cmp.Or(cmp.Compare(len(h.held[a]), len(h.held[b])), cmp.Compare(useOf(a), useOf(b)), cmp.Compare(a, b))
	}
	type candidate struct {
		url      string
		lightest int64
		payers   int
		since    time.Time
	}
	var best *candidate
	for u, payers := range h.payers {
		if waiting[u] || len(payers) == 0 {
			continue
		}
		c := candidate{url: u, payers: len(payers), since: h.since[u]}
		kept, found := false, false
		for p := range payers {
			if p == by || len(h.held[p]) <= line {
				kept = true
				break
			}
			if !found || lighter(p, c.lightest) < 0 {
				c.lightest, found = p, true
			}
		}
		if kept {
			continue
		}
		if best == nil || cmp.Or(-lighter(c.lightest, best.lightest), cmp.Compare(c.payers, best.payers),
			-c.since.Compare(best.since), -cmp.Compare(c.url, best.url)) < 0 {
			best = &c
		}
	}
	if best == nil {
		return ""
	}
	return best.url
}

// referenceReaderFeedCount counts the readers' feeds as the cap did before reader_feeds:
// every owner entry read.
func referenceReaderFeedCount(tx *bolt.Tx) int {
	n := 0
	var last []byte
	feeds := tx.Bucket(bucketFeeds)
	c := tx.Bucket(bucketFeedOwners).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) < 9 {
			continue
		}
		url := k[:len(k)-9]
		if bytes.Equal(url, last) {
			continue
		}
		last = append(last[:0], url...)
		if f, err := getJSON[Feed](feeds, url, "feed", string(url)); err == nil && !f.Operator() {
			n++
		}
	}
	return n
}

// TestPickRoomAgreesWithTheWholeRead drives a store through random changes of who keeps
// which feeds (adds by private chats and by members of groups, some over a full cap,
// removals, chats leaving and coming back, groups upgraded, the operator taking feeds up
// and giving them up) and checks, after each, that the feed the indexes pick to make
// room is the one a read of every owner entry picks, for adders of every size, and that
// the cap counts as many feeds.
func TestPickRoomAgreesWithTheWholeRead(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			db, err := Open(t.TempDir()+"/db", Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rng := rand.New(rand.NewPCG(seed, 99))
			// Some feeds are popular: many payers, in every order of weight.
			url := func() string { return fmt.Sprintf("https://f%d.example/", min(rng.IntN(40), rng.IntN(40))) }
			urls := func(n int) []string {
				out := make([]string, n)
				for i := range out {
					out[i] = url()
				}
				return out
			}
			var chats []int64
			for c := int64(1); c <= 24; c++ {
				chats = append(chats, c)
			}
			chats = append(chats, -1, -2, -3, -4)
			users := []int64{1, 2, 3, 4, 5, 6, 11, 12, 25}
			picks, found := 0, 0
			for step := 0; step < 250; step++ {
				chat := chats[rng.IntN(len(chats))]
				by := chat
				kind := "private"
				if chat < 0 {
					by, kind = users[rng.IntN(len(users))], "group"
				}
				create := func() Subscriber { return Subscriber{ChatID: chat, Kind: kind, Active: true} }
				switch op := rng.IntN(10); {
				case op < 4:
					lim := FeedLimits{PerChat: 30, PerAccount: 30}
					if rng.IntN(3) == 0 { // over a cap that is full, or nearly
						n, err := db.ReaderFeedCount(ctx)
						if err != nil {
							t.Fatal(err)
						}
						lim.Global, lim.Floor = max(n-rng.IntN(2), 1), rng.IntN(4)
						lim.MakeRoom = func(Subscriber, []string) []OutMessage { return nil }
					}
					if _, _, err := db.AddOwnFeeds(ctx, chat, by, create, urls(1+rng.IntN(4)), nil, lim); err != nil && !errors.Is(err, ErrLimit) {
						t.Fatal(err)
					}
				case op < 6:
					if _, err := db.UpdateSubscriber(ctx, chat, create, func(s *Subscriber) error {
						if len(s.OwnFeeds) > 0 {
							s.OwnFeeds = slices.Delete(s.OwnFeeds, 0, rng.IntN(len(s.OwnFeeds))+1)
						}
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				case op < 7:
					if _, err := db.UpdateSubscriber(ctx, chat, create, func(s *Subscriber) error {
						s.Active = false
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				case op < 8:
					if _, err := db.ActivateChat(ctx, chat, create); err != nil {
						t.Fatal(err)
					}
				case op < 9:
					if rng.IntN(2) == 0 {
						if _, err := db.AddFeed(ctx, url(), time.Now()); err != nil {
							t.Fatal(err)
						}
					} else if _, err := db.SyncConfiguredFeeds(ctx, urls(rng.IntN(3)), time.Now()); err != nil {
						t.Fatal(err)
					}
				default:
					if chat < 0 && chat > -100 {
						to := chat - 100 // the upgraded group takes the old one's place in the draw
						if err := db.MigrateChat(ctx, chat, to); err != nil {
							t.Fatal(err)
						}
						chats[slices.Index(chats, chat)] = to
					} else if err := db.DeleteSubscriber(ctx, chat); err != nil {
						t.Fatal(err)
					}
				}
				if err := db.bolt.View(func(tx *bolt.Tx) error {
					if got, want := readerFeedCount(tx), referenceReaderFeedCount(tx); got != want {
						t.Errorf("step %d: the cap counts %d feeds, the whole read %d", step, got, want)
					}
					h := referenceHoldings(tx)
					for _, by := range append(slices.Clone(users), 99) {
						for _, line := range []int{0, 2, 4, 7, 10, 14, 20} {
							waiting := map[string]bool{}
							if rng.IntN(3) == 0 {
								waiting[url()] = true
							}
							got, want := pickRoom(tx, by, line, waiting), referencePick(h, by, line, waiting)
							picks++
							if want != "" {
								found++
							}
							if got != want {
								t.Errorf("step %d, by %d, line %d: the indexes pick %q, the whole read %q", step, by, line, got, want)
							}
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if t.Failed() {
					return
				}
			}
			if err := db.CheckHoldings(ctx); err != nil {
				t.Error(err)
			}
			// The draw must reach both outcomes often, or it checks little.
			if found < picks/10 || found > picks*9/10 {
				t.Errorf("%d of %d searches found room: the draw is lopsided", found, picks)
			}
		})
	}
}

// TestMigrationIndexesHoldings opens a store of schema 15 (owner entries holding a time
// or nothing, no holdings indexes) and finds every index built, each entry charged to
// its account, and the accounts' feeds and the cap read from them.
func TestMigrationIndexesHoldings(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/db"
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	private := func(id int64) func() Subscriber {
		return func() Subscriber { return Subscriber{ChatID: id, Kind: "private", Active: true} }
	}
	group := func() Subscriber { return Subscriber{ChatID: -5, Kind: "group", Active: true} }
	steps := []struct {
		chat, by int64
		create   func() Subscriber
		urls     []string
	}{
		{1, 1, private(1), []string{"https://a.example/", "https://b.example/", "https://c.example/"}},
		{2, 2, private(2), []string{"https://b.example/", "https://d.example/"}},
		{-5, 7, group, []string{"https://e.example/", "https://a.example/"}},
		{-5, 8, group, []string{"https://f.example/"}},
		{3, 3, private(3), []string{"https://g.example/"}},
	}
	for _, s := range steps {
		if _, _, err := db.AddOwnFeeds(ctx, s.chat, s.by, s.create, s.urls, nil, FeedLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddFeed(ctx, "https://d.example/", time.Now()); err != nil { // the operator's now
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, 3, nil, func(s *Subscriber) error { s.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	var wantCount int
	var wantPick string
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		wantCount, wantPick = referenceReaderFeedCount(tx), referencePick(referenceHoldings(tx), 99, 0, nil)
		for _, name := range holdingsBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		owners := tx.Bucket(bucketFeedOwners)
		var keys [][]byte
		if err := owners.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil }); err != nil {
			return err
		}
		for i, k := range keys {
			v := timeKey(time.Now())
			if i%2 == 0 {
				v = nil // written before the owners index kept times
			}
			if err := owners.Put(k, v); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(15))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckHoldings(ctx); err != nil {
		t.Error(err)
	}
	if n, err := db.ReaderFeedCount(ctx); err != nil || n != wantCount || n != 5 {
		t.Errorf("the cap counts %d feeds (%v), want %d: a, b, c, e, f", n, err, wantCount)
	}
	for account, want := range map[int64][]string{
		1: {"https://a.example/", "https://b.example/", "https://c.example/"},
		7: {"https://a.example/", "https://e.example/"},
		8: {"https://f.example/"},
		3: {"https://g.example/"}, // its chat left, and its feeds come back with it
	} {
		if got, err := db.AccountFeeds(ctx, account); err != nil || !slices.Equal(got, want) {
			t.Errorf("account %d's feeds: %v (%v), want %v", account, got, err, want)
		}
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if got := pickRoom(tx, 99, 0, nil); got != wantPick || got == "" {
			t.Errorf("room after the migration: %q, before it %q", got, wantPick)
		}
		if got, want := heldCount(tx, 7), 2; got != want {
			t.Errorf("account 7 keeps %d readers' feeds, want %d", got, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// tiedStore is the case the indexes help least: n accounts keeping the same twenty
// feeds and nothing else, all equally heavy, so that ranking them reads each one's
// feeds for its share of the room, and the feed to take is the lightest's (review 58's
// case: Sybil accounts would make exactly this tie).
func tiedStore(b *testing.B, n int) *DB {
	b.Helper()
	db := benchDB(b)
	shared := make([]string, 20)
	for i := range shared {
		shared[i] = fmt.Sprintf("https://shared.example/%d.xml", i)
	}
	putChats(b, db, 10_000, 10_000+n, func(int) []string { return shared })
	return db
}

// BenchmarkPickRoom times the choice of the feed to take, from the indexes and from a
// read of every owner entry (as before them), on the same stores.
func BenchmarkPickRoom(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) *DB
	}{
		{"light=100000", func(b *testing.B) *DB { return fullCapStore(b, 100_000) }},
		{"tied=10000x20", func(b *testing.B) *DB { return tiedStore(b, 10_000) }},
	}
	for _, s := range stores {
		db := s.open(b)
		for _, way := range []string{"indexes", "whole-read"} {
			b.Run(s.name+"/"+way, func(b *testing.B) {
				for b.Loop() {
					if err := db.bolt.View(func(tx *bolt.Tx) error {
						var pick string
						if way == "indexes" {
							pick = pickRoom(tx, 999, 10, nil)
						} else {
							pick = referencePick(referenceHoldings(tx), 999, 10, nil)
						}
						if pick == "" {
							b.Fatal("no room")
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
