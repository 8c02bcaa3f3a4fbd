package storage

import (
	"cmp"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Making room under the global cap on readers' feeds. The per-account cap alone lets a
// few dozen accounts fill the cap, after which no reader could add a feed. An add over
// the cap therefore takes a feed from readers keeping more than the adder then would
// (counting, for the adder, feeds of chats where the bot is not now, which come back
// with it) and more than a floor: max-min fairness over accounts. A slot is freed by
// taking a feed from every account that keeps it, so each must be over that line: a
// reader at or under it keeps the feed, and the feeds it shares. Feeds are ranked by
// their lightest payer, the one whose cut matters most: the feed whose lightest payer
// keeps the most feeds goes first, then uses the most room (a feed shared by n accounts
// is 1/n to each). Accounts filling the cap lose room to newcomers, never to each other,
// and nobody is cut below the floor or the adder, nor while a reader keeping more could
// be.

// readerHoldings is who keeps which readers' feeds, read from the owners index (active
// chats only: an inactive chat's feeds are not polled, nor counted), with the adds of
// the transaction reading it.
type readerHoldings struct {
	held   map[int64]map[string]bool // account -> feeds charged to it
	payers map[string]map[int64]bool // feed -> accounts it is charged to
	chats  map[string][]int64        // feed -> chats keeping it
	since  map[string]time.Time      // feed -> when a chat last took it up
}

func readHoldings(tx *bolt.Tx) readerHoldings {
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
			if len(v) == 8 {
				since = time.Unix(0, int64(beU64(v)))
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

// drop forgets url altogether.
func (h readerHoldings) drop(url string) {
	for a := range h.payers[url] {
		delete(h.held[a], url)
	}
	delete(h.payers, url)
	delete(h.chats, url)
	delete(h.since, url)
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

// makeRoom frees one slot of the global cap for account by, which is adding a feed and
// then keeps have feeds (those of inactive chats too): line is max(have, floor). A feed
// is taken whose every payer keeps more than line feeds, other than by, from every chat
// keeping it: of those, the one whose lightest payer keeps the most feeds (then uses the
// most room, then is the newer account), then the one with the fewest payers, then the
// one a chat took up last. The cut so lands where fairness says, whoever else pays for
// the feed. changing is the chat being changed in memory (its record is written by the
// caller), which loses the feed in memory if it keeps it. waiting are the feeds the
// same call adds next: taking one would make it new again, and cost a second cut. It
// returns the feed and the chats that lost it, "" when no slot could be freed. h is
// read once per transaction and kept up to date, here and by the caller's take.
func makeRoom(tx *bolt.Tx, h readerHoldings, by int64, have, floor int, changing *Subscriber, waiting map[string]bool) (string, []int64, error) {
	line := max(have, floor)
	use := map[int64]float64{}
	useOf := func(a int64) float64 {
		u, ok := use[a]
		if !ok {
			u = h.use(a)
			use[a] = u
		}
		return u
	}
	// lighter orders payers: fewer feeds, less room, the older account.
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
				kept = true // the adder, or a reader at or under the line, keeps it
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
		return "", nil, nil
	}
	pick := best.url
	chats := slices.Clone(h.chats[pick])
	h.drop(pick)
	for _, chat := range chats {
		s := changing
		if s == nil || s.ChatID != chat {
			var err error
			if s, err = getSubscriber(tx, chat); err != nil {
				return "", nil, err
			}
		}
		s.OwnFeeds = slices.DeleteFunc(s.OwnFeeds, func(u string) bool { return u == pick })
		if s != changing {
			if err := putSubscriber(tx, s); err != nil {
				return "", nil, err
			}
		}
	}
	return pick, chats, nil
}
