package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Who keeps which readers' feeds, kept in step with every change so that no add reads
// everyone's. The global cap counts the feeds in reader_feeds; making room (room.go)
// walks accounts from the heaviest down through held_rank and stops at the first that
// can lose a feed, reading only the feeds and payers on its way. Before these indexes
// (schema 16) an add over a full cap read every owner entry in its write transaction:
// 365 ms at 505,000 entries, every other write waiting meanwhile (BENCHMARKS.md).
//
// The owners index (feed_owners: url|0|chat) holds, for each active chat keeping a
// feed, when it took the feed up and the account the feed is charged to (accountOf).
// Every change goes through setOwner and deleteOwner, and every change of an adder
// record through recharge, which keep these in step:
var (
	// bucketHoldings lists the owner entries by account: account|url|0|chat.
	bucketHoldings = []byte("holdings")
	// bucketReaderFeeds holds the feeds the cap counts: kept by an active chat, known,
	// and no operator's (url -> present: bbolt reads an empty value back as nil).
	bucketReaderFeeds = []byte("reader_feeds")
	// bucketAccountHeld is how many of those each account keeps (account -> count), for
	// accounts keeping any.
	bucketAccountHeld = []byte("account_held")
	// bucketHeldRank orders the accounts by that count, the largest first:
	// ^count|account.
	bucketHeldRank = []byte("held_rank")
	// bucketAddersBy lists the adder records by user: user|chat|url (accountFeeds).
	bucketAddersBy = []byte("adders_by")
	// bucketFeedPayers lists the accounts each feed is charged to, with how many of
	// their chats keep it: url|0|account -> chats.
	bucketFeedPayers = []byte("feed_payers")
	// bucketPayerCount is how many accounts each feed is charged to: url -> count.
	bucketPayerCount = []byte("payer_count")
)

var holdingsBuckets = [][]byte{bucketHoldings, bucketReaderFeeds, bucketAccountHeld, bucketHeldRank, bucketAddersBy,
	bucketFeedPayers, bucketPayerCount}

// present is reader_feeds' value.
var present = []byte{1}

func holdingKey(account int64, url string, chat int64) []byte {
	return concat(i64(account), []byte(url), []byte{0}, i64(chat))
}

func heldRankKey(account int64, held uint64) []byte { return concat(u64(^held), i64(account)) }

func payerKey(url string, account int64) []byte { return concat([]byte(url), []byte{0}, i64(account)) }

// ownerValue is an owner entry's value: when the chat took the feed up, and the account
// it is charged to.
func ownerValue(since []byte, account int64) []byte { return concat(since, i64(account)) }

// ownerAccount reads the account from an owner entry's value; ok is false for a value
// written before schema 16 (only the migration reads those).
func ownerAccount(v []byte) (account int64, ok bool) {
	if len(v) != 16 {
		return 0, false
	}
	return int64(beU64(v[8:])), true
}

// indexed reports whether tx's store has the holdings indexes: migrations before schema
// 16 change owners and adders without them, and indexHoldings builds them after.
func indexed(tx *bolt.Tx) bool { return tx.Bucket(bucketHoldings) != nil }

// setOwner records that chat keeps url, taken up at since (an 8-byte time key), charged
// to the account accountOf gives.
func setOwner(tx *bolt.Tx, url string, chat int64, since []byte) error {
	owners := tx.Bucket(bucketFeedOwners)
	key := ownerKey(url, chat)
	if !indexed(tx) {
		return owners.Put(key, since)
	}
	account := accountOf(tx, chat, url)
	prev, had := ownerAccount(owners.Get(key))
	if err := owners.Put(key, ownerValue(since, account)); err != nil {
		return err
	}
	if had && prev == account {
		return nil // the time only
	}
	if had {
		if err := tx.Bucket(bucketHoldings).Delete(holdingKey(prev, url, chat)); err != nil {
			return err
		}
		if err := countPayer(tx, url, prev, -1); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketHoldings).Put(holdingKey(account, url, chat), nil); err != nil {
		return err
	}
	if err := countPayer(tx, url, account, 1); err != nil {
		return err
	}
	if tx.Bucket(bucketReaderFeeds).Get([]byte(url)) != nil {
		return nil // counted already, and one more owner changes nothing
	}
	return refreshReaderFeed(tx, url)
}

// deleteOwner records that chat no longer keeps url.
func deleteOwner(tx *bolt.Tx, url string, chat int64) error {
	owners := tx.Bucket(bucketFeedOwners)
	key := ownerKey(url, chat)
	v := owners.Get(key)
	if v == nil || !indexed(tx) {
		return owners.Delete(key)
	}
	account, ok := ownerAccount(v)
	if !ok {
		account = accountOf(tx, chat, url)
	}
	if err := owners.Delete(key); err != nil {
		return err
	}
	if err := tx.Bucket(bucketHoldings).Delete(holdingKey(account, url, chat)); err != nil {
		return err
	}
	if err := countPayer(tx, url, account, -1); err != nil {
		return err
	}
	if hasOwners(tx, url) {
		return nil // as counted before: the feed is the operator's, or not, as it was
	}
	return refreshReaderFeed(tx, url)
}

// countPayer counts one chat more (delta 1) or fewer (-1) keeping url charged to
// account, and with it the feed's accounts and, when the cap counts the feed, the
// account's feeds. Counting, rather than reading an account's entries again, keeps a
// change's cost its own: one account may keep a feed in a thousand groups.
func countPayer(tx *bolt.Tx, url string, account int64, delta int64) error {
	payers, counts := tx.Bucket(bucketFeedPayers), tx.Bucket(bucketPayerCount)
	key := payerKey(url, account)
	chats := getCount(payers, key)
	var step int64 // the account starts or stops paying for url
	switch {
	case chats == 0 && delta > 0:
		step = 1
	case chats > 0 && chats+delta <= 0:
		step = -1
	}
	if err := putCount(payers, key, chats+delta); err != nil {
		return err
	}
	if step == 0 {
		return nil
	}
	if err := putCount(counts, []byte(url), getCount(counts, []byte(url))+step); err != nil {
		return err
	}
	if tx.Bucket(bucketReaderFeeds).Get([]byte(url)) == nil {
		return nil // refreshReaderFeed counts it for every payer if it comes to count
	}
	return addHeld(tx, account, step)
}

func getCount(b *bolt.Bucket, key []byte) int64 {
	if v := b.Get(key); len(v) == 8 {
		return int64(beU64(v))
	}
	return 0
}

// putCount writes n under key, or deletes key when n is not positive.
func putCount(b *bolt.Bucket, key []byte, n int64) error {
	if n <= 0 {
		return b.Delete(key)
	}
	return b.Put(key, i64(n))
}

// recharge moves chat's owner entry of url, if any, to the account accountOf now gives:
// an adder record was written, dropped or moved.
func recharge(tx *bolt.Tx, chat int64, url string) error {
	if !indexed(tx) {
		return nil
	}
	v := tx.Bucket(bucketFeedOwners).Get(ownerKey(url, chat))
	if v == nil {
		return nil
	}
	if a, ok := ownerAccount(v); ok && a == accountOf(tx, chat, url) {
		return nil
	}
	return setOwner(tx, url, chat, sinceOf(v))
}

// sinceOf is the time key of an owner entry's value (zero for the oldest entries, which
// carry none).
func sinceOf(v []byte) []byte {
	if len(v) >= 8 {
		return bytes.Clone(v[:8])
	}
	return make([]byte, 8)
}

// isReaderFeed reports whether the cap counts url: an active chat keeps it, it is
// known, and it is no operator's.
func isReaderFeed(tx *bolt.Tx, url string) bool {
	if !hasOwners(tx, url) {
		return false
	}
	f, err := getFeed(tx, url)
	return err == nil && !f.Operator()
}

// refreshReaderFeed brings url's place in reader_feeds up to date, and with it the
// counts of the accounts it is charged to: its first owner came or its last went, or
// the operator took it up or gave it up.
func refreshReaderFeed(tx *bolt.Tx, url string) error {
	if !indexed(tx) {
		return nil
	}
	b := tx.Bucket(bucketReaderFeeds)
	want, have := isReaderFeed(tx, url), b.Get([]byte(url)) != nil
	if want == have {
		return nil
	}
	var err error
	if want {
		err = b.Put([]byte(url), present)
	} else {
		err = b.Delete([]byte(url))
	}
	if err != nil {
		return err
	}
	step := int64(1)
	if !want {
		step = -1
	}
	for _, a := range payerAccounts(tx, url) {
		if err := addHeld(tx, a, step); err != nil {
			return err
		}
	}
	return nil
}

// heldFeeds lists the readers' feeds charged to account, sorted. isReader remembers
// which feeds reader_feeds holds, for callers reading many accounts.
func heldFeeds(tx *bolt.Tx, account int64, isReader map[string]bool) []string {
	var out []string
	readers := tx.Bucket(bucketReaderFeeds)
	prefix := i64(account)
	c := tx.Bucket(bucketHoldings).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); {
		if len(k) < 8+9 {
			k, _ = c.Next()
			continue
		}
		url := bytes.Clone(k[8 : len(k)-9])
		if k, _ = c.Next(); k != nil && len(k) >= 8+9 && bytes.Equal(k[8:len(k)-9], url) {
			// Past the url's other chats at once: an account may keep it in many.
			k, _ = c.Seek(concat(prefix, url, []byte{1}))
		}
		r, ok := isReader[string(url)]
		if !ok {
			r = readers.Get(url) != nil
			isReader[string(url)] = r
		}
		if r {
			out = append(out, string(url))
		}
	}
	return out
}

// addHeld changes account's count of readers' feeds by step and moves it in held_rank.
func addHeld(tx *bolt.Tx, account int64, step int64) error {
	counts, rank := tx.Bucket(bucketAccountHeld), tx.Bucket(bucketHeldRank)
	old := getCount(counts, i64(account))
	n := max(old+step, 0)
	if old > 0 {
		if err := rank.Delete(heldRankKey(account, uint64(old))); err != nil {
			return err
		}
	}
	if n > 0 {
		if err := rank.Put(heldRankKey(account, uint64(n)), nil); err != nil {
			return err
		}
	}
	return putCount(counts, i64(account), n)
}

// heldCount is how many readers' feeds are charged to account.
func heldCount(tx *bolt.Tx, account int64) int {
	return int(getCount(tx.Bucket(bucketAccountHeld), i64(account)))
}

// payerAccounts lists the accounts url is charged to.
func payerAccounts(tx *bolt.Tx, url string) []int64 {
	var out []int64
	prefix := concat([]byte(url), []byte{0})
	c := tx.Bucket(bucketFeedPayers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8 {
			out = append(out, int64(beU64(k[len(prefix):])))
		}
	}
	return out
}

// feedChats lists the active chats keeping url, and when one last took it up (entries
// older than the time in them read as the oldest).
func feedChats(tx *bolt.Tx, url string) ([]int64, time.Time) {
	var chats []int64
	var since time.Time
	prefix := concat([]byte(url), []byte{0})
	c := tx.Bucket(bucketFeedOwners).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		chats = append(chats, int64(beU64(k[len(prefix):])))
		if len(v) >= 8 {
			if t := time.Unix(0, int64(beU64(v[:8]))); t.After(since) {
				since = t
			}
		}
	}
	return chats, since
}

// readerFeedCount is the number of distinct feeds readers keep that the operator does
// not: what the global cap on readers' feeds counts.
func readerFeedCount(tx *bolt.Tx) int {
	n := 0
	c := tx.Bucket(bucketReaderFeeds).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// holdingsFromScratch is what the holdings indexes hold by the owners index, the adder
// records and the feeds: bucket -> key -> value, and the account each owner entry
// (by its key) is charged to.
func holdingsFromScratch(tx *bolt.Tx) (map[string]map[string][]byte, map[string]int64, error) {
	want := map[string]map[string][]byte{}
	for _, name := range holdingsBuckets {
		want[string(name)] = map[string][]byte{}
	}
	if err := tx.Bucket(bucketFeedAdders).ForEach(func(k, v []byte) error {
		if len(k) > 8 && len(v) == 8 {
			want[string(bucketAddersBy)][string(concat(v, k))] = nil
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	charged := map[string]int64{}
	chats := map[string]int64{}  // url|0|account -> chats
	payers := map[string]int64{} // url -> accounts
	held := map[int64]int64{}    // account -> readers' feeds
	reader := map[string]bool{}
	if err := tx.Bucket(bucketFeedOwners).ForEach(func(k, _ []byte) error {
		if len(k) < 9 {
			return nil
		}
		url, chat := string(k[:len(k)-9]), int64(beU64(k[len(k)-8:]))
		a := accountOf(tx, chat, url)
		charged[string(k)] = a
		want[string(bucketHoldings)][string(holdingKey(a, url, chat))] = nil
		r, ok := reader[url]
		if !ok {
			r = isReaderFeed(tx, url)
			reader[url] = r
			if r {
				want[string(bucketReaderFeeds)][url] = present
			}
		}
		pk := string(payerKey(url, a))
		if chats[pk] == 0 {
			payers[url]++
			if r {
				held[a]++
			}
		}
		chats[pk]++
		return nil
	}); err != nil {
		return nil, nil, err
	}
	for k, n := range chats {
		want[string(bucketFeedPayers)][k] = i64(n)
	}
	for url, n := range payers {
		want[string(bucketPayerCount)][url] = i64(n)
	}
	for a, n := range held {
		want[string(bucketAccountHeld)][string(i64(a))] = i64(n)
		want[string(bucketHeldRank)][string(heldRankKey(a, uint64(n)))] = nil
	}
	return want, charged, nil
}

// indexHoldings gives every owner entry its account and builds the holdings indexes
// (schema 16). They are counted in memory and written in key order: bbolt splits a
// node only at commit, so keys put out of order into a new bucket shift an ever larger
// node (151 s at 505,000 owner entries, review 58).
func indexHoldings(tx *bolt.Tx) error {
	want, charged, err := holdingsFromScratch(tx)
	if err != nil {
		return err
	}
	owners := tx.Bucket(bucketFeedOwners)
	for _, k := range slices.Sorted(maps.Keys(charged)) {
		if err := owners.Put([]byte(k), ownerValue(sinceOf(owners.Get([]byte(k))), charged[k])); err != nil {
			return err
		}
	}
	for name, kv := range want {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(kv)) {
			if err := b.Put([]byte(k), kv[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckHoldings reports every way the holdings indexes, and the accounts in the owner
// entries, differ from what the owners index, the adder records and the feeds say (nil:
// none). The store's and the bot's tests run it at their end.
func (db *DB) CheckHoldings(ctx context.Context) error {
	if err := ctxErr(ctx, "check holdings"); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		if err := hasBuckets(tx, append([][]byte{bucketFeedOwners, bucketFeedAdders, bucketFeeds}, holdingsBuckets...)...); err != nil {
			return fmt.Errorf("check holdings: %w", err)
		}
		want, charged, err := holdingsFromScratch(tx)
		if err != nil {
			return err
		}
		var d differences
		owners := tx.Bucket(bucketFeedOwners)
		for _, k := range slices.Sorted(maps.Keys(charged)) {
			if got, ok := ownerAccount(owners.Get([]byte(k))); !ok || got != charged[k] {
				d.add("feed_owners", fmt.Sprintf("the entry %q is charged to %d (%v), not %d", k, got, ok, charged[k]))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			kv := want[name]
			have := map[string][]byte{}
			if err := tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				have[string(k)] = bytes.Clone(v)
				if w, ok := kv[string(k)]; !ok || !bytes.Equal(w, v) {
					d.add(name, fmt.Sprintf("holds %x = %x, which it should not", k, v))
				}
				return nil
			}); err != nil {
				return err
			}
			for _, k := range slices.Sorted(maps.Keys(kv)) {
				if v, ok := have[k]; !ok || !bytes.Equal(v, kv[k]) {
					d.add(name, fmt.Sprintf("lacks %x = %x", k, kv[k]))
				}
			}
		}
		return d.err()
	})
}

// hasBuckets reports the first of names tx's store lacks: a store of an older schema,
// opened read-only and so not migrated, has not all (review 59: the check dereferenced
// them).
func hasBuckets(tx *bolt.Tx, names ...[]byte) error {
	for _, n := range names {
		if tx.Bucket(n) == nil {
			return fmt.Errorf("no bucket %s", n)
		}
	}
	return nil
}

// differences collects what a check found, a few of each bucket's spelled out and the
// rest counted: a store out of step may differ in every entry, and a report of a
// million lines helps nobody (review 59).
type differences struct {
	shown  []string
	counts map[string]int
}

const differencesShown = 5

func (d *differences) add(bucket, what string) {
	if d.counts == nil {
		d.counts = map[string]int{}
	}
	d.counts[bucket]++
	if d.counts[bucket] <= differencesShown {
		d.shown = append(d.shown, bucket+" "+what)
	}
}

func (d *differences) err() error {
	if len(d.counts) == 0 {
		return nil
	}
	errs := make([]error, 0, len(d.shown)+len(d.counts))
	for _, s := range d.shown {
		errs = append(errs, errors.New(s))
	}
	for _, b := range slices.Sorted(maps.Keys(d.counts)) {
		if n := d.counts[b]; n > differencesShown {
			errs = append(errs, fmt.Errorf("%s: %d differences in all", b, n))
		}
	}
	return errors.Join(errs...)
}

// roomReader reads, for one search for room, the counts and shares it needs, each
// once.
type roomReader struct {
	tx       *bolt.Tx
	held     map[int64]int
	uses     map[int64]float64
	feeds    map[int64][]string
	payers   map[string]int64
	isReader map[string]bool
	// lighterPayer is, for each feed looked at, a payer as light as any seen: a is not
	// the feed's lightest payer when that one is lighter than a. lightest marks those
	// that are the lightest.
	lighterPayer map[string]int64
	lightest     map[string]bool
}

func newRoomReader(tx *bolt.Tx) *roomReader {
	return &roomReader{tx: tx, held: map[int64]int{}, uses: map[int64]float64{}, feeds: map[int64][]string{},
		payers: map[string]int64{}, isReader: map[string]bool{}, lighterPayer: map[string]int64{}, lightest: map[string]bool{}}
}

func (r *roomReader) heldOf(a int64) int {
	n, ok := r.held[a]
	if !ok {
		n = heldCount(r.tx, a)
		r.held[a] = n
	}
	return n
}

// feedsOf is heldFeeds(a).
func (r *roomReader) feedsOf(a int64) []string {
	f, ok := r.feeds[a]
	if !ok {
		f = heldFeeds(r.tx, a, r.isReader)
		r.feeds[a] = f
	}
	return f
}

// payersOf is how many accounts url is charged to.
func (r *roomReader) payersOf(url string) int64 {
	n, ok := r.payers[url]
	if !ok {
		n = getCount(r.tx.Bucket(bucketPayerCount), []byte(url))
		r.payers[url] = n
	}
	return n
}

// use is an account's share of the room: 1/payers for each feed it keeps, summed in a
// fixed order and rounded, so that equal shares compare equal.
func (r *roomReader) use(a int64) float64 {
	if u, ok := r.uses[a]; ok {
		return u
	}
	feeds := r.feedsOf(a)
	shares := make([]float64, 0, len(feeds))
	for _, url := range feeds {
		shares = append(shares, 1/float64(r.payersOf(url)))
	}
	slices.Sort(shares)
	u := 0.0
	for _, s := range shares {
		u += s
	}
	u = math.Round(u*1e6) / 1e6
	r.uses[a] = u
	return u
}

// lighter orders accounts: fewer feeds, less room, the older account.
func (r *roomReader) lighter(a, b int64) int {
	if a == b {
		return 0
	}
	if c := r.heldOf(a) - r.heldOf(b); c != 0 {
		return c
	}
	if ua, ub := r.use(a), r.use(b); ua != ub {
		if ua < ub {
			return -1
		}
		return 1
	}
	if a < b {
		return -1
	}
	return 1
}

// lightestIs reports whether a is url's lightest payer: every other payer is heavier.
// The first time it stops at the first payer that is not, and remembers it: accounts
// are asked about from the heaviest down, and one lighter than a is likely lighter
// than the next too. When it is not, the feed's lightest payer is found and kept, so a
// feed's payers are read twice at most (review 58: payers whose order by key is their
// order by weight would otherwise be read again for each).
func (r *roomReader) lightestIs(url string, a int64) bool {
	p, seen := r.lighterPayer[url]
	if seen && (r.lightest[url] || r.lighter(p, a) < 0) {
		return p == a
	}
	prefix := concat([]byte(url), []byte{0})
	c := r.tx.Bucket(bucketFeedPayers).Cursor()
	l := a
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		if p := int64(beU64(k[len(prefix):])); r.lighter(p, l) < 0 {
			if l = p; !seen {
				break // the first time, one lighter payer answers
			}
		}
	}
	r.lighterPayer[url], r.lightest[url] = l, l == a || seen
	return l == a
}

// pays reports whether url is charged to account.
func (r *roomReader) pays(account int64, url string) bool {
	return getCount(r.tx.Bucket(bucketFeedPayers), payerKey(url, account)) > 0
}

// heavyAccounts calls visit for each account keeping more than line readers' feeds,
// the heaviest first (lighter's order, reversed), until visit returns true.
func (r *roomReader) heavyAccounts(line int, visit func(a int64) bool) {
	c := r.tx.Bucket(bucketHeldRank).Cursor()
	k, _ := c.First()
	for k != nil {
		n := ^beU64(k[:8])
		if n <= uint64(line) {
			return
		}
		// Accounts keeping as many feeds are ordered by their room and age: read them
		// all, then visit.
		var group []int64
		for ; k != nil && ^beU64(k[:8]) == n; k, _ = c.Next() {
			a := int64(beU64(k[8:]))
			r.held[a] = int(n)
			group = append(group, a)
		}
		slices.SortFunc(group, func(a, b int64) int { return r.lighter(b, a) })
		for _, a := range group {
			if visit(a) {
				return
			}
		}
	}
}

// ErrOtherSchema is CheckIndexes' answer for a store of another schema than this
// binary's: its indexes are not the ones this binary checks (a store opened read-write
// is migrated first, so only one opened read-only can be).
var ErrOtherSchema = errors.New("the store is of another schema: its indexes were not checked")

// CheckIndexes runs every check of the store's indexes against what they index
// (CheckOutbox, CheckHoldings).
func (db *DB) CheckIndexes(ctx context.Context) error {
	if v, err := db.Schema(); err != nil {
		return fmt.Errorf("check indexes: %w", err)
	} else if v != SchemaVersion {
		return fmt.Errorf("schema %d, this binary's %d: %w", v, SchemaVersion, ErrOtherSchema)
	}
	return errors.Join(db.CheckOutbox(ctx), db.CheckHoldings(ctx))
}
