package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A reader's feeds are charged to an account: the user who added them. In a private
// chat that is the chat itself (Telegram gives a private chat its user's ID); in a
// group it is the member who added the feed, so one user's feeds share one allowance
// over every chat they added feeds to. A group feed whose adder is not known (added
// before adders were recorded) is charged to the group.
var (
	// feed_usage: account(8) -> JSON FeedUsage, what an account's feeds stored and
	// fetched on one UTC day. Resource accounting, not a reader's data: numbers only,
	// it outlives the feeds and /forget (so neither removing and re-adding a feed nor
	// forgetting gives a new allowance for the day), and is pruned the next day.
	bucketFeedUsage = []byte("feed_usage")
	// feed_adders: chat(8) | feed URL -> user(8), who added a group's own feed; kept
	// while the group has the feed, whether or not it is active.
	bucketFeedAdders = []byte("feed_adders")
)

// FeedUsage is what an account's feeds stored (items, and their text in bytes), the
// article pages fetched for them and the time their polls took, on Day (UTC,
// "2006-01-02").
type FeedUsage struct {
	Day   string `json:"day"`
	Items int    `json:"items,omitempty"`
	Bytes int64  `json:"bytes,omitempty"`
	Pages int    `json:"pages,omitempty"`
	// PollTime is the time the account's feeds held a poller worker fetching, reading
	// and storing the feeds themselves: a feed that trickles its body costs time and
	// nothing else. PageTime is the time their article pages took, counted apart: the
	// pages a feed links to are chosen by whoever writes the feed, not by the reader.
	PollTime time.Duration `json:"poll_time,omitempty"`
	PageTime time.Duration `json:"page_time,omitempty"`
}

// used reports whether u counts anything.
func (u FeedUsage) used() bool {
	return u.Items != 0 || u.Bytes != 0 || u.Pages != 0 || u.PollTime != 0 || u.PageTime != 0
}

// On returns u if it counts day, else the zero usage of day.
func (u FeedUsage) On(day string) FeedUsage {
	if u.Day != day {
		return FeedUsage{Day: day}
	}
	return u
}

// FeedUsage returns account's usage on day (zero when it used nothing that day).
func (db *DB) FeedUsage(ctx context.Context, account int64, day string) (FeedUsage, error) {
	if err := ctxErr(ctx, "feed usage"); err != nil {
		return FeedUsage{}, err
	}
	var u FeedUsage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		u = getUsage(tx, account).On(day)
		return nil
	})
	return u, err
}

// FeedAccountsUsage returns, for every account the feed at url is charged to, its usage
// on day. A feed the operator keeps is charged to no one: it returns nil.
func (db *DB) FeedAccountsUsage(ctx context.Context, url, day string) (map[int64]FeedUsage, error) {
	if err := ctxErr(ctx, "feed accounts usage"); err != nil {
		return nil, err
	}
	var out map[int64]FeedUsage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		accounts, err := feedAccounts(tx, url)
		if err != nil || len(accounts) == 0 {
			return err
		}
		out = make(map[int64]FeedUsage, len(accounts))
		for _, a := range accounts {
			out[a] = getUsage(tx, a).On(day)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feed accounts usage %s: %w", url, err)
	}
	return out, nil
}

// FeedsAccountsUsage is FeedAccountsUsage for many feeds, read in one transaction (the
// poller ranks every due reader's feed by it); a feed charged to no one has no entry.
func (db *DB) FeedsAccountsUsage(ctx context.Context, urls []string, day string) (map[string]map[int64]FeedUsage, error) {
	if err := ctxErr(ctx, "feeds accounts usage"); err != nil {
		return nil, err
	}
	out := make(map[string]map[int64]FeedUsage, len(urls))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		usage := map[int64]FeedUsage{} // an account's usage, read once
		for _, url := range urls {
			accounts, err := feedAccounts(tx, url)
			if err != nil {
				return fmt.Errorf("%s: %w", url, err)
			}
			if len(accounts) == 0 {
				continue
			}
			m := make(map[int64]FeedUsage, len(accounts))
			for _, a := range accounts {
				u, ok := usage[a]
				if !ok {
					u = getUsage(tx, a).On(day)
					usage[a] = u
				}
				m[a] = u
			}
			out[url] = m
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feeds accounts usage: %w", err)
	}
	return out, nil
}

// ChargeAccounts adds use (its Day included) to each account's usage. A charge for a
// day older than the one an account already counts is dropped: it belongs to a day no
// longer counted, and must not wipe the newer day's usage.
func (db *DB) ChargeAccounts(ctx context.Context, accounts []int64, use FeedUsage) error {
	uses := make(map[int64]FeedUsage, len(accounts))
	for _, a := range accounts {
		uses[a] = use
	}
	return db.ChargeEach(ctx, uses)
}

// chargeBatch bounds the accounts ChargeEach charges in one write transaction.
const chargeBatch = 500

// ChargeEach adds to each account its own use, as ChargeAccounts does: a feed several
// readers added shares some costs among them. Accounts are charged a few hundred to a
// write transaction: a feed thousands of accounts keep is charged to each on every
// poll, and in one transaction 40,000 held every other write for 0.26 s (audit 54).
// Each account's charge stands alone, so a failure loses at most the batch's.
func (db *DB) ChargeEach(ctx context.Context, uses map[int64]FeedUsage) error {
	if err := ctxErr(ctx, "charge accounts"); err != nil {
		return err
	}
	var accounts []int64
	for a, use := range uses {
		if use.used() {
			accounts = append(accounts, a)
		}
	}
	slices.Sort(accounts) // in key order: each batch writes neighbouring records
	for batch := range slices.Chunk(accounts, chargeBatch) {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for _, a := range batch {
				if err := chargeUsage(tx, a, uses[a]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("charge accounts: %w", err)
		}
	}
	return nil
}

// PruneFeedUsage deletes the usage of every day before today; it returns how many it
// deleted. A sweep, a page of accounts at a time.
func (db *DB) PruneFeedUsage(ctx context.Context, today string) (int, error) {
	n, err := db.sweep(ctx, bucketFeedUsage, func(_ *bolt.Tx, _, v []byte) bool {
		var u FeedUsage
		return jsonUnmarshal(v, &u, "feed usage") != nil || u.Day < today
	}, deleteKey(bucketFeedUsage))
	if err != nil {
		return n, fmt.Errorf("prune feed usage: %w", err)
	}
	return n, nil
}

// getUsage reads an account's usage. An unreadable record counts as nothing used (it
// is overwritten by the next charge): it must not stop the feeds charged to it, or to
// other accounts beside it.
func getUsage(tx *bolt.Tx, account int64) FeedUsage {
	u, err := getJSON[FeedUsage](tx.Bucket(bucketFeedUsage), i64(account), "feed usage", account)
	if err != nil {
		return FeedUsage{}
	}
	return *u
}

// feedAccounts lists the accounts the feed at url is charged to, one per distinct
// account, or none when the operator keeps it (or it is gone).
func feedAccounts(tx *bolt.Tx, url string) ([]int64, error) {
	f, err := getFeed(tx, url)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if f.Operator() {
		return nil, nil
	}
	prefix := concat([]byte(url), []byte{0})
	seen := map[int64]bool{}
	var accounts []int64
	c := tx.Bucket(bucketFeedOwners).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue
		}
		a := accountOf(tx, int64(beU64(k[len(prefix):])), url)
		if !seen[a] {
			seen[a] = true
			accounts = append(accounts, a)
		}
	}
	return accounts, nil
}

// accountOf is the account chat's feed at url is charged to.
func accountOf(tx *bolt.Tx, chat int64, url string) int64 {
	if v := tx.Bucket(bucketFeedAdders).Get(adderKey(chat, url)); len(v) == 8 {
		return int64(beU64(v))
	}
	return chat
}

// AccountFeeds lists the feeds charged to account (FeedLimits.PerAccount counts them),
// sorted.
func (db *DB) AccountFeeds(ctx context.Context, account int64) ([]string, error) {
	if err := ctxErr(ctx, "account feeds"); err != nil {
		return nil, err
	}
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = slices.Sorted(maps.Keys(accountFeeds(tx, account, 0, nil)))
		return nil
	})
	return out, err
}

// accountFeeds is the set of feeds charged to account: its own chat's (own, when chat
// is that chat and its record is being changed) and those it added to groups. A chat
// that blocked the bot keeps its feeds, and gets them back with the bot, so they count.
func accountFeeds(tx *bolt.Tx, account, chat int64, own []string) map[string]bool {
	mine := map[string]bool{}
	if chat != account {
		if s, err := getSubscriber(tx, account); err == nil {
			own = s.OwnFeeds
		} else {
			own = nil
		}
	}
	for _, u := range own {
		mine[u] = true
	}
	prefix := i64(account)
	c := tx.Bucket(bucketAddersBy).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) > 16 {
			mine[string(k[16:])] = true
		}
	}
	return mine
}

func adderKey(chat int64, url string) []byte { return concat(i64(chat), []byte(url)) }

// recordAdder notes that user added the feed at url to chat, a group (a private chat is
// its own user's account and needs no record).
func recordAdder(tx *bolt.Tx, chat int64, url string, user int64) error {
	if chat > 0 || user == 0 || user == chat {
		return nil
	}
	return putAdder(tx, chat, url, i64(user))
}

// putAdder writes the adder record of chat's feed at url, user an 8-byte ID, and keeps
// the records by user and the owners index's charge in step.
func putAdder(tx *bolt.Tx, chat int64, url string, user []byte) error {
	key := adderKey(chat, url)
	b := tx.Bucket(bucketFeedAdders)
	if old := b.Get(key); old != nil && indexed(tx) {
		if err := tx.Bucket(bucketAddersBy).Delete(concat(old, key)); err != nil {
			return err
		}
	}
	if err := b.Put(key, user); err != nil {
		return err
	}
	if indexed(tx) {
		if err := tx.Bucket(bucketAddersBy).Put(concat(user, key), nil); err != nil {
			return err
		}
	}
	return recharge(tx, chat, url)
}

// deleteAdder deletes the adder record of chat's feed at url, as putAdder keeps it.
func deleteAdder(tx *bolt.Tx, chat int64, url string) error {
	key := adderKey(chat, url)
	b := tx.Bucket(bucketFeedAdders)
	old := b.Get(key)
	if old == nil {
		return nil
	}
	if indexed(tx) {
		if err := tx.Bucket(bucketAddersBy).Delete(concat(old, key)); err != nil {
			return err
		}
	}
	if err := b.Delete(key); err != nil {
		return err
	}
	return recharge(tx, chat, url)
}

// dropAdders deletes the adder records of chat's feeds that are not in keep (nil: all).
func dropAdders(tx *bolt.Tx, chat int64, keep []string) error {
	kept := map[string]bool{}
	for _, u := range keep {
		kept[u] = true
	}
	prefix := i64(chat)
	var gone []string
	c := tx.Bucket(bucketFeedAdders).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if u := string(k[len(prefix):]); !kept[u] {
			gone = append(gone, u)
		}
	}
	for _, u := range gone {
		if err := deleteAdder(tx, chat, u); err != nil {
			return err
		}
	}
	return nil
}

// moveAdders moves chat from's adder records to chat to (a group's migration).
func moveAdders(tx *bolt.Tx, from, to int64) error {
	b := tx.Bucket(bucketFeedAdders)
	prefix := i64(from)
	type rec struct {
		url  string
		user []byte
	}
	var recs []rec
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		recs = append(recs, rec{string(k[len(prefix):]), bytes.Clone(v)})
	}
	for _, r := range recs {
		if err := deleteAdder(tx, from, r.url); err != nil {
			return err
		}
		if b.Get(adderKey(to, r.url)) != nil {
			continue // the new chat's own record of it stands
		}
		if err := putAdder(tx, to, r.url, r.user); err != nil {
			return err
		}
	}
	return nil
}

// chargeUsage adds use to account's usage of use.Day; a charge for a day older than the
// one the account counts is dropped.
func chargeUsage(tx *bolt.Tx, account int64, use FeedUsage) error {
	u := getUsage(tx, account)
	if u.Day > use.Day { // ISO dates order as strings
		return nil
	}
	sum := u.On(use.Day)
	sum.Items += use.Items
	sum.Bytes += use.Bytes
	sum.Pages += use.Pages
	sum.PollTime += use.PollTime
	sum.PageTime += use.PageTime
	return putJSON(tx.Bucket(bucketFeedUsage), i64(account), sum)
}

// moveUsage moves account from's usage to account to (a group's migration).
func moveUsage(tx *bolt.Tx, from, to int64) error {
	usage := tx.Bucket(bucketFeedUsage)
	if usage.Get(i64(from)) == nil {
		return nil
	}
	// Added to what the new chat used the same day, not written over it.
	if err := chargeUsage(tx, to, getUsage(tx, from)); err != nil {
		return err
	}
	return usage.Delete(i64(from))
}
