package storage

import (
	"cmp"
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

// makeRoom frees one slot of the global cap for account by, which is adding a feed and
// then keeps have feeds (those of inactive chats too): line is max(have, floor). A feed
// is taken whose every payer keeps more than line feeds, other than by, from every chat
// keeping it: of those, the one whose lightest payer keeps the most feeds (then uses the
// most room, then is the newer account), then the one with the fewest payers, then the
// one a chat took up last. The cut so lands where fairness says, whoever else pays for
// the feed. waiting are the feeds the same call adds next: taking one would make it new
// again, and cost a second cut. It returns the feed and the chats that lost it, "" when
// no slot could be freed. The caller's own chat is read from the store: write it first.
func makeRoom(tx *bolt.Tx, by int64, have, floor int, waiting map[string]bool) (string, []int64, error) {
	pick := pickRoom(tx, by, max(have, floor), waiting)
	if pick == "" {
		return "", nil, nil
	}
	chats, _ := feedChats(tx, pick)
	for _, chat := range chats {
		s, err := getSubscriber(tx, chat)
		if err != nil {
			return "", nil, err
		}
		s.OwnFeeds = slices.DeleteFunc(s.OwnFeeds, func(u string) bool { return u == pick })
		if err := putSubscriber(tx, s); err != nil {
			return "", nil, err
		}
	}
	return pick, chats, nil
}

// pickRoom chooses the feed makeRoom takes. The feed fairness picks is one whose
// lightest payer is the heaviest of all such lightest payers: walking the accounts
// keeping more than line feeds from the heaviest down, the first with a feed it is the
// lightest payer of (no payer at or under the line, nor by) has it. Only the accounts
// on the way, their feeds and those feeds' payers are read: a few accounts in the usual
// case, however many readers there are.
func pickRoom(tx *bolt.Tx, by int64, line int, waiting map[string]bool) string {
	r := newRoomReader(tx)
	// An adder at or under the line is lighter than every account visited, so a feed
	// it pays for has a lighter payer than them and is passed over without asking.
	byHeavy := r.heldOf(by) > line
	pick := ""
	var pickPayers int64
	var pickSince time.Time
	r.heavyAccounts(line, func(a int64) bool {
		if a == by {
			return false
		}
		for _, u := range r.feedsOf(a) {
			if waiting[u] || !r.lightestIs(u, a) || byHeavy && r.pays(by, u) {
				continue
			}
			payers := r.payersOf(u)
			_, since := feedChats(tx, u)
			if pick == "" || cmp.Or(cmp.Compare(payers, pickPayers), -since.Compare(pickSince), -cmp.Compare(u, pick)) < 0 {
				pick, pickPayers, pickSince = u, payers, since
			}
		}
		return pick != ""
	})
	return pick
}
