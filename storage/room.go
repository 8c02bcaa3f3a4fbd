package storage

import (
	"cmp"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Making room under the global cap on readers' feeds. The per-account cap alone lets a
// few dozen accounts fill the cap, after which no reader could add a feed. An add over
// the cap therefore takes a slot from the account that keeps the most readers' feeds,
// when it keeps more than the adder then would: max-min fairness over accounts. Accounts
// filling the cap lose slots to newcomers, never to each other, and a reader keeping
// fewer feeds than every other account loses none.

// readerHoldings is who keeps which readers' feeds, read from the owners index (active
// chats only: an inactive chat's feeds are not polled, nor counted).
type readerHoldings struct {
	held   map[int64]map[string]bool // account -> feeds charged to it
	payers map[string]map[int64]bool // feed -> accounts it is charged to
	chats  map[string][]int64        // feed -> chats keeping it
}

func readHoldings(tx *bolt.Tx) readerHoldings {
	h := readerHoldings{held: map[int64]map[string]bool{}, payers: map[string]map[int64]bool{}, chats: map[string][]int64{}}
	operator := map[string]bool{}
	feeds := tx.Bucket(bucketFeeds)
	c := tx.Bucket(bucketFeedOwners).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
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
		if op {
			continue
		}
		account := accountOf(tx, chat, url)
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
	return h
}

// makeRoom frees one slot of the global cap for account by, which is adding a feed
// that would make it keep have feeds: it removes, from every chat keeping it, the
// newest feed charged to no one but the account keeping the most feeds, if that account
// keeps more than have. changing is the chat being changed in memory (its record is
// written by the caller), which loses the feed in memory if it keeps it. notice renders
// what each chat that loses the feed is told. It reports whether a slot was freed.
// h is read once per transaction (readHoldings) and kept up to date here.
func makeRoom(tx *bolt.Tx, h readerHoldings, by int64, have int, changing *Subscriber, notice func(Subscriber, string) []OutMessage, now time.Time) (bool, error) {
	type account struct {
		id    int64
		feeds int
	}
	var heavier []account
	for id, fs := range h.held {
		if id != by && len(fs) > have {
			heavier = append(heavier, account{id, len(fs)})
		}
	}
	slices.SortFunc(heavier, func(a, b account) int {
		return cmp.Or(cmp.Compare(b.feeds, a.feeds), cmp.Compare(a.id, b.id))
	})
	for _, a := range heavier {
		// Its newest feed that only it pays for: taking one another account also pays
		// for would free no slot. Its oldest feeds are the ones it keeps.
		var pick string
		var pickAdded time.Time
		for u := range h.held[a.id] {
			if len(h.payers[u]) != 1 {
				continue
			}
			f, err := getFeed(tx, u)
			if err != nil {
				continue
			}
			if pick == "" || f.AddedAt.After(pickAdded) || f.AddedAt.Equal(pickAdded) && u > pick {
				pick, pickAdded = u, f.AddedAt
			}
		}
		if pick == "" {
			continue
		}
		chats := h.chats[pick]
		delete(h.held[a.id], pick)
		delete(h.payers, pick)
		delete(h.chats, pick)
		for _, chat := range chats {
			s := changing
			if s == nil || s.ChatID != chat {
				var err error
				if s, err = getSubscriber(tx, chat); err != nil {
					return false, err
				}
			}
			s.OwnFeeds = slices.DeleteFunc(s.OwnFeeds, func(u string) bool { return u == pick })
			if s != changing {
				if err := putSubscriber(tx, s); err != nil {
					return false, err
				}
			}
			if notice != nil {
				if err := putOutbox(tx, notice(*s, pick), now); err != nil {
					return false, err
				}
			}
		}
		return true, nil
	}
	return false, nil
}
