package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Subscriber is a chat that receives digests: a private chat with a user, or a group.
type Subscriber struct {
	ChatID int64  `json:"chat_id"`
	Kind   string `json:"kind"` // private, group, supergroup, channel
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
	// Active is false once Telegram says the chat is gone (blocked, deactivated, not
	// found); Subscribed is the user's own choice.
	Active     bool `json:"active"`
	Subscribed bool `json:"subscribed"`

	TimeZone         string   `json:"tz"`
	Times            []string `json:"times"` // "08:00", local to TimeZone
	Stories          int      `json:"stories"`
	SummarySentences int      `json:"summary_sentences"`
	// Feeds are the chosen built-in feeds (empty: all); OwnFeeds were added by the user.
	Feeds    []string `json:"feeds,omitempty"`
	OwnFeeds []string `json:"own_feeds,omitempty"`
	Include  []string `json:"include,omitempty"`
	Exclude  []string `json:"exclude,omitempty"`
	// ThreadID is the forum topic digests go to, in groups with topics.
	ThreadID int `json:"thread_id,omitempty"`
	// RelayComments: a group receives relayed discussion comments only when its
	// administrators turned this on.
	RelayComments bool `json:"relay_comments,omitempty"`
	// Quiet is when followed stories' updates wait for the digest: "HH:MM-HH:MM" local
	// to TimeZone, "off", or "" for the default (22:00-07:00).
	Quiet string `json:"quiet,omitempty"`

	LastDigest time.Time `json:"last_digest"`
	// DigestedTo is the newest item the last digest considered: the next takes the
	// items stored after it (0: none yet, the next starts at LastDigest's clock).
	DigestedTo uint64    `json:"digested_to,omitempty"`
	NextDigest time.Time `json:"next_digest"`
	CreatedAt  time.Time `json:"created_at"`
	// GoneAt is when a group was first seen inactive with feeds of its own
	// (ReleaseGoneGroups); zero while it is active.
	GoneAt time.Time `json:"gone_at,omitzero"`

	// fitted says its own feeds were fitted under the readers' cap for a return from
	// inactive (fitReturning): putSubscriber makes a chat active again only then.
	fitted bool
}

func i64(v int64) []byte { return u64(uint64(v)) }

// ownedFeeds are the feeds this chat keeps polled: its own feeds while it is active. A
// chat that blocked the bot keeps its list (for when it comes back) but no feed.
func (s *Subscriber) ownedFeeds() []string {
	if !s.Active {
		return nil
	}
	return s.OwnFeeds
}

func subDueKey(s *Subscriber) []byte { return concat(timeKey(s.NextDigest), i64(s.ChatID)) }

func getSubscriber(tx *bolt.Tx, chatID int64) (*Subscriber, error) {
	return getJSON[Subscriber](tx.Bucket(bucketSubscribers), i64(chatID), "subscriber", chatID)
}

// putSubscriber writes s and keeps its indexes in step: only active, subscribed chats
// with a next digest time are in the due index, and the chat owns exactly its own feeds
// (a feed nobody owns any more stops being polled).
func putSubscriber(tx *bolt.Tx, s *Subscriber) error {
	due := tx.Bucket(bucketSubDue)
	var before []string
	if old, err := getSubscriber(tx, s.ChatID); err == nil {
		if !old.Active && s.Active && !s.fitted {
			return fmt.Errorf("put subscriber %d: %w", s.ChatID, errActivation)
		}
		if err := due.Delete(subDueKey(old)); err != nil {
			return err
		}
		before = old.ownedFeeds()
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if s.Active {
		s.GoneAt = time.Time{}
	}
	if s.Active && s.Subscribed && !s.NextDigest.IsZero() {
		if err := due.Put(subDueKey(s), nil); err != nil {
			return err
		}
	}
	if err := setOwnFeeds(tx, s.ChatID, before, s.ownedFeeds(), time.Now()); err != nil {
		return err
	}
	if err := dropAdders(tx, s.ChatID, s.OwnFeeds); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketSubscribers), i64(s.ChatID), s)
}

// dropSubscriber deletes chatID's subscriber and its index entries.
func dropSubscriber(tx *bolt.Tx, chatID int64) error {
	s, err := getSubscriber(tx, chatID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketSubDue).Delete(subDueKey(s)); err != nil {
		return err
	}
	// Deleted means deleted: the feeds it alone kept leave no record behind (a zero
	// time keeps none), nor do those it removed or kept before it went inactive (found
	// by review). Someone taking up a feed another chat left and deleting their chat
	// thus wipes its schedule; that costs a fetch a feed, and adds are bounded (40 a
	// day), as new feeds would cost.
	if err := setOwnFeeds(tx, chatID, s.ownedFeeds(), nil, time.Time{}); err != nil {
		return err
	}
	if err := forgetGoneFeeds(tx, chatID); err != nil {
		return err
	}
	if err := dropAdders(tx, chatID, nil); err != nil {
		return err
	}
	return tx.Bucket(bucketSubscribers).Delete(i64(chatID))
}

// Subscriber returns the subscriber for chatID, or ErrNotFound.
func (db *DB) Subscriber(ctx context.Context, chatID int64) (Subscriber, error) {
	if err := ctxErr(ctx, "get subscriber"); err != nil {
		return Subscriber{}, err
	}
	var s *Subscriber
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		s, err = getSubscriber(tx, chatID)
		return err
	})
	if err != nil {
		return Subscriber{}, fmt.Errorf("get subscriber %d: %w", chatID, err)
	}
	return *s, nil
}

// PutSubscriber creates or replaces a subscriber.
func (db *DB) PutSubscriber(ctx context.Context, s Subscriber) error {
	if err := ctxErr(ctx, "put subscriber"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return putSubscriber(tx, &s) })
}

// PutSubscribers creates or replaces many subscribers in one transaction (bulk loads:
// one commit, not one per subscriber).
func (db *DB) PutSubscribers(ctx context.Context, subs []Subscriber) error {
	if err := ctxErr(ctx, "put subscribers"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for i := range subs {
			if err := putSubscriber(tx, &subs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put subscribers: %w", err)
	}
	return nil
}

// UpdateSubscriber applies fn to the stored subscriber (or to a new one made by
// create when none exists and create is not nil) in one transaction.
func (db *DB) UpdateSubscriber(ctx context.Context, chatID int64, create func() Subscriber, fn func(*Subscriber) error) (Subscriber, error) {
	return db.updateSubscriber(ctx, "update subscriber", chatID, create, func(_ *bolt.Tx, s *Subscriber) error { return fn(s) })
}

// updateSubscriber is UpdateSubscriber with the transaction given to fn; op names it.
func (db *DB) updateSubscriber(ctx context.Context, op string, chatID int64, create func() Subscriber, fn func(*bolt.Tx, *Subscriber) error) (Subscriber, error) {
	if err := ctxErr(ctx, op); err != nil {
		return Subscriber{}, err
	}
	var out Subscriber
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := getSubscriber(tx, chatID)
		if errors.Is(err, ErrNotFound) && create != nil {
			n := create()
			s, err = &n, nil
		}
		if err != nil {
			return err
		}
		if err := fn(tx, s); err != nil {
			return err
		}
		out = *s
		return putSubscriber(tx, s)
	})
	if err != nil {
		return Subscriber{}, fmt.Errorf("%s %d: %w", op, chatID, err)
	}
	return out, nil
}

// ReleaseGoneGroups empties the own feeds of groups that have been inactive (the bot
// removed, the group deleted) for longer than after, and starts that clock for groups
// found inactive with feeds. Their feeds count against the members who added them
// (FeedLimits.PerAccount) and come back with the bot, so they count while the group is
// gone; but a member cannot remove feeds from a group without the bot, so after a while
// the group lets go of them: one that comes back later starts afresh. It returns how
// many groups let go of their feeds.
func (db *DB) ReleaseGoneGroups(ctx context.Context, now time.Time, after time.Duration) (int, error) {
	if err := ctxErr(ctx, "release gone groups"); err != nil {
		return 0, err
	}
	due := func(s *Subscriber) bool {
		return !s.Active && len(s.OwnFeeds) > 0 && (s.GoneAt.IsZero() || !s.GoneAt.After(now.Add(-after)))
	}
	// Read first, written only for the groups found: the write lock is not held over
	// every chat's record.
	var gone []int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSubscribers).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 || int64(beU64(k)) >= 0 {
				continue // private chats keep their own feeds: their reader can remove them
			}
			var s Subscriber
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("subscriber %d: %w", int64(beU64(k)), err)
			}
			if due(&s) {
				gone = append(gone, s.ChatID)
			}
		}
		return nil
	})
	if err != nil || len(gone) == 0 {
		return 0, err
	}
	released := 0
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, chat := range gone {
			s, err := getSubscriber(tx, chat)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !due(s) {
				continue // back meanwhile
			}
			if s.GoneAt.IsZero() {
				s.GoneAt = now
			} else {
				s.OwnFeeds = nil
				released++
			}
			if err := putSubscriber(tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("release gone groups: %w", err)
	}
	return released, nil
}

// DeleteSubscriber removes a chat's subscriber, its index entries and its queued
// messages; its own feeds go too unless another chat reads them.
func (db *DB) DeleteSubscriber(ctx context.Context, chatID int64) error {
	if err := ctxErr(ctx, "delete subscriber"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := dropSubscriber(tx, chatID); err != nil {
			return err
		}
		_, err := dropOutbox(tx, chatID)
		return err
	})
}

// ErrLimit is returned when a cap on readers' feeds would be exceeded.
var ErrLimit = errors.New("limit reached")

// ErrAccountLimit is the ErrLimit of the cap on one account's feeds.
var ErrAccountLimit = fmt.Errorf("%w: feeds per account", ErrLimit)

// MaxURLBytes bounds a web address the store keeps (a feed's, an item's): every item
// repeats its feed's address in its record and in two index keys, and bbolt refuses a
// key over 32 KiB (review 76: a 30 KB address made 1,000 tiny items 161 MB). No real
// feed or article has a longer one.
const MaxURLBytes = 2048

// ErrURLTooLong is returned for a feed address longer than MaxURLBytes.
var ErrURLTooLong = fmt.Errorf("feed address longer than %d bytes", MaxURLBytes)

// FeedLimits cap readers' feeds: per chat, and over all chats (0: no cap).
type FeedLimits struct {
	PerChat, Global int
	// PerAccount caps the distinct feeds charged to one account: its own chat's and
	// those it added to groups. Without it one account could fill the global cap alone,
	// twenty feeds to a group it made, and no other reader could add a feed.
	PerAccount int
	// MakeRoom, when set (with PerAccount), lets an add over the global cap take a feed
	// from readers keeping more than the adder then would and more than Floor (room.go).
	// It renders what each chat that lost feeds is told, queued in the same transaction.
	MakeRoom func(s Subscriber, urls []string) []OutMessage
	// Floor is the feeds no account is cut below to make room.
	Floor int
	// Returned, when set, renders what a chat coming back (ActivateChat) is told of the
	// feeds of its own that found no room under Global, queued in the same transaction.
	Returned func(s Subscriber, urls []string) []OutMessage
}

// takesRoom reports whether url would count against the global cap once kept: it is
// no operator's feed, and no active chat keeps it now (readerFeedCount's rule).
func takesRoom(tx *bolt.Tx, url string) bool {
	if hasOwners(tx, url) {
		return false
	}
	f, err := getFeed(tx, url)
	return err != nil || !f.Operator()
}

// errActivation is a write that would make an inactive chat active without fitting its
// feeds under the readers' cap: a bug, refused so that no path brings them back past it.
var errActivation = errors.New("an inactive chat comes back through ActivateChat, which fits its feeds under the cap")

// SetFeedLimits sets the caps a chat coming back fits its own feeds under (Global) and
// what it is told of those that found no room (Returned): ActivateChat and MigrateChat
// use them. Without them a chat's feeds come back whole.
func (db *DB) SetFeedLimits(lim FeedLimits) { db.limits.Store(&lim) }

func (db *DB) feedLimits() FeedLimits {
	if l := db.limits.Load(); l != nil {
		return *l
	}
	return FeedLimits{}
}

// fitReturning fits s's own feeds, s coming back from inactive, under lim.Global,
// oldest first: a feed that would take room past the cap is dropped, and the chat told
// (lim.Returned). An inactive chat's feeds take no room, so without this accounts
// could park feeds in chats the bot was removed from, let others fill the room, and
// bring them back past the cap. No room is made for them: an add would, and costs one
// of the day's adds.
func fitReturning(tx *bolt.Tx, s *Subscriber, lim FeedLimits, now time.Time) error {
	s.fitted = true
	if lim.Global <= 0 || len(s.OwnFeeds) == 0 {
		return nil
	}
	n := -1 // counted once, when a feed new to the index first needs it
	var kept, dropped []string
	for _, u := range s.OwnFeeds {
		if takesRoom(tx, u) {
			if n < 0 {
				n = readerFeedCount(tx)
			}
			if n >= lim.Global {
				dropped = append(dropped, u)
				continue
			}
			n++
		}
		kept = append(kept, u)
	}
	s.OwnFeeds = kept
	if len(dropped) == 0 || lim.Returned == nil {
		return nil
	}
	return putOutbox(tx, lim.Returned(*s, dropped), now)
}

// ActivateChat marks chatID's subscriber active (the bot is back in the group, or its
// reader wrote), creating it with create when there is none and create is not nil. A
// chat coming back brings its own feeds back only as far as the global cap allows
// (fitReturning, with the limits of SetFeedLimits). A chat already active costs a read,
// no write.
func (db *DB) ActivateChat(ctx context.Context, chatID int64, create func() Subscriber) (Subscriber, error) {
	if err := ctxErr(ctx, "activate chat"); err != nil {
		return Subscriber{}, err
	}
	var out Subscriber
	active, parked := false, false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s, err := getSubscriber(tx, chatID)
		if err == nil && s.Active {
			out, active = *s, true
		}
		parked = hasParked(tx, chatID)
		return nil
	})
	if err == nil && parked {
		// Apart from the record: a chat with none (a reader of discussions only) gets
		// its erasures too.
		_, err = db.ReturnErasures(ctx, chatID)
	}
	if err != nil || active {
		return out, err
	}
	lim := db.feedLimits()
	return db.updateSubscriber(ctx, "activate chat", chatID, create, func(tx *bolt.Tx, s *Subscriber) error {
		if s.Active {
			return nil // made active meanwhile, or created so
		}
		s.Active = true
		return fitReturning(tx, s, lim, time.Now())
	})
}

// ReturnErasures queues again what was parked for chatID while it was gone (deletions
// of copies, and the edits that stand for them) and marks for a redraw the comments
// its copies show at an older revision: the chat is back (it wrote, or took the bot
// back). It returns how many messages it queued and comments it marked (0: nothing to
// wake the sender or the refresh of stale copies for); a chat with nothing parked
// costs a read.
func (db *DB) ReturnErasures(ctx context.Context, chatID int64) (int, error) {
	if err := ctxErr(ctx, "return erasures"); err != nil {
		return 0, err
	}
	parked := false
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		parked = hasParked(tx, chatID)
		return nil
	}); err != nil || !parked {
		return 0, err
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = unpark(tx, chatID, time.Now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("return erasures to chat %d: %w", chatID, err)
	}
	return n, nil
}

// AddOwnFeeds adds urls to chat's own feeds in one transaction, skipping the ones it
// already reads (or that are in catalogue), and stops at the per-chat cap and at the
// global cap on readers' feeds. by is the user adding them: in a group, the feeds are
// charged to that user's daily allowance (usage.go). It returns the subscriber and the
// URLs added; the error wraps ErrLimit when a cap left some out and none could be added,
// and ErrURLTooLong, adding none, when an address is longer than MaxURLBytes.
func (db *DB) AddOwnFeeds(ctx context.Context, chatID, by int64, create func() Subscriber, urls, catalogue []string, lim FeedLimits) (Subscriber, []string, error) {
	if err := ctxErr(ctx, "add own feeds"); err != nil {
		return Subscriber{}, nil, err
	}
	for _, u := range urls {
		if len(u) > MaxURLBytes {
			return Subscriber{}, nil, fmt.Errorf("add own feeds to chat %d: %w (%d bytes)", chatID, ErrURLTooLong, len(u))
		}
	}
	var out Subscriber
	var added []string
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		added = nil
		s, err := getSubscriber(tx, chatID)
		if errors.Is(err, ErrNotFound) && create != nil {
			n := create()
			s, err = &n, nil
		}
		if err != nil {
			return err
		}
		skip := map[string]bool{}
		for _, u := range append(append([]string{}, s.OwnFeeds...), catalogue...) {
			skip[u] = true
		}
		readerFeeds := -1             // counted once, when a new feed first needs it
		taken := map[int64][]string{} // chat -> feeds taken from it to make room
		var mine map[string]bool
		if lim.PerAccount > 0 && by != 0 {
			mine = accountFeeds(tx, by, chatID, s.OwnFeeds)
		}
		capped, accountCapped := false, false
		waiting := map[string]bool{} // the call's feeds not yet added: no room is made from them
		for _, u := range urls {
			waiting[u] = true
		}
		for _, u := range urls {
			delete(waiting, u)
			if skip[u] {
				continue
			}
			if lim.PerChat > 0 && len(s.OwnFeeds) >= lim.PerChat {
				capped = true
				break
			}
			if mine != nil && !mine[u] && len(mine) >= lim.PerAccount {
				capped, accountCapped = true, true
				break
			}
			if lim.Global > 0 && tx.Bucket(bucketFeeds).Get([]byte(u)) == nil {
				if readerFeeds < 0 {
					readerFeeds = readerFeedCount(tx)
				}
				if readerFeeds >= lim.Global {
					freed := ""
					// An inactive chat's feeds take no room (nor is any made for them).
					if lim.MakeRoom != nil && mine != nil && s.Active {
						// Room is chosen from the store's indexes: the chat's adds so far
						// go in first, and it is read again after, when it lost a feed.
						if err := putSubscriber(tx, s); err != nil {
							return err
						}
						var lost []int64
						have := len(mine) // its count after the add: one more unless it pays for u already
						if !mine[u] {
							have++
						}
						if freed, lost, err = makeRoom(tx, by, have, lim.Floor, waiting); err != nil {
							return err
						}
						for _, c := range lost {
							taken[c] = append(taken[c], freed)
							if c == chatID {
								if s, err = getSubscriber(tx, chatID); err != nil {
									return err
								}
							}
						}
					}
					if freed == "" {
						capped = true
						break
					}
					readerFeeds--
				}
				readerFeeds++
			}
			skip[u] = true
			if mine != nil {
				mine[u] = true
			}
			s.OwnFeeds = append(s.OwnFeeds, u)
			added = append(added, u)
			if err := recordAdder(tx, chatID, u, by); err != nil {
				return err
			}
		}
		out = *s
		if capped && len(added) == 0 {
			if accountCapped {
				return ErrAccountLimit
			}
			return ErrLimit
		}
		if err := putSubscriber(tx, s); err != nil {
			return err
		}
		// One notice for each chat that lost feeds, however many.
		for _, c := range slices.Sorted(maps.Keys(taken)) {
			lost := s
			if c != chatID {
				if lost, err = getSubscriber(tx, c); err != nil {
					return err
				}
			}
			if err := putOutbox(tx, lim.MakeRoom(*lost, taken[c]), time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Subscriber{}, nil, fmt.Errorf("add own feeds for %d: %w", chatID, err)
	}
	return out, added, nil
}

// DueSubscribers returns up to limit subscribers whose next digest is at or before
// now, by a range scan over the due index (no full scan).
func (db *DB) DueSubscribers(ctx context.Context, now time.Time, limit int) ([]Subscriber, error) {
	return db.DueSubscribersExcept(ctx, now, limit, nil)
}

// DueSubscribersExcept is DueSubscribers without the chats skip reports (nil: none):
// they are passed over in the index, so a limit counts only the others.
func (db *DB) DueSubscribersExcept(ctx context.Context, now time.Time, limit int, skip func(chat int64) bool) ([]Subscriber, error) {
	if err := ctxErr(ctx, "due subscribers"); err != nil {
		return nil, err
	}
	var out []Subscriber
	end := string(timeKey(now))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSubDue).Cursor()
		for k, _ := c.First(); k != nil && string(k[:8]) <= end; k, _ = c.Next() {
			chat := int64(binary.BigEndian.Uint64(k[8:]))
			if skip != nil && skip(chat) {
				continue
			}
			s, err := getSubscriber(tx, chat)
			if err != nil {
				return err
			}
			out = append(out, *s)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// Subscribers calls fn for every subscriber (for admin statistics).
func (db *DB) Subscribers(ctx context.Context, fn func(Subscriber) error) error {
	if err := ctxErr(ctx, "list subscribers"); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubscribers).ForEach(func(k, v []byte) error {
			var s Subscriber
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			return fn(s)
		})
	})
}

// MigrateChat moves a group's subscriber, follows and queued messages to its new chat
// ID (Telegram's migrate_to_chat_id). What refers to the group's sent messages is
// dropped: edits and deletions of them, and the records of them.
func (db *DB) MigrateChat(ctx context.Context, from, to int64) error {
	if err := ctxErr(ctx, "migrate chat"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := getSubscriber(tx, from)
		if errors.Is(err, ErrNotFound) {
			// A group with no record (it ran /forget, or only members' comments and
			// replies reached the bot) may still have follows, records and queued
			// messages (found by review); and the upgrade message or a failed send may
			// have moved the record already.
			return migrateChatRefs(tx, from, to)
		}
		if err != nil {
			return fmt.Errorf("migrate chat %d: %w", from, err)
		}
		// The supergroup may have a record already: a member wrote there before the old
		// group's upgrade message was handled (found by review).
		target, err := getSubscriber(tx, to)
		if errors.Is(err, ErrNotFound) {
			target, err = nil, nil
		}
		if err != nil {
			return err
		}
		// The feeds change hands without a moment unowned, so none is collected.
		if err := tx.Bucket(bucketSubDue).Delete(subDueKey(s)); err != nil {
			return err
		}
		moving := s.ownedFeeds()
		for _, u := range s.ownedFeeds() {
			if err := deleteOwner(tx, u, from); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketSubscribers).Delete(i64(from)); err != nil {
			return err
		}
		s.ChatID, s.Kind = to, "supergroup"
		if target != nil {
			// The group's settings stand (the supergroup's record is minutes old, most
			// often a member's command's defaults), its feeds joined by the supergroup's;
			// whether the bot is there is the supergroup's to say (found by review). The
			// feeds may pass the per-chat cap, once: no group upgrades twice.
			for _, u := range target.OwnFeeds {
				if !slices.Contains(s.OwnFeeds, u) {
					s.OwnFeeds = append(s.OwnFeeds, u)
				}
			}
			if !s.Active && target.Active {
				// The group's feeds, parked while the bot was not there, come back with
				// the supergroup only as far as the cap allows (found by review).
				if err := fitReturning(tx, s, db.feedLimits(), time.Now()); err != nil {
					return err
				}
			}
			s.Active, s.GoneAt = target.Active, target.GoneAt
			if target.ThreadID != 0 {
				s.ThreadID = target.ThreadID // a basic group has no topics
			}
			if target.LastDigest.After(s.LastDigest) {
				s.LastDigest = target.LastDigest
			}
			s.DigestedTo = max(s.DigestedTo, target.DigestedTo)
		}
		// The group's feeds keep their adders, and the day's use of those charged to
		// the group itself goes with them. The adders move first: the supergroup's
		// record then drops those of feeds that found no room (review 58: they went on
		// counting against their adders' caps).
		if err := moveAdders(tx, from, to); err != nil {
			return err
		}
		if err := putSubscriber(tx, s); err != nil {
			return err
		}
		// An inactive supergroup takes none of them up: a feed nobody owns any more
		// stops being polled (found by review).
		for _, u := range moving {
			if _, err := collectFeed(tx, u, time.Now(), to); err != nil {
				return err
			}
		}
		if err := moveUsage(tx, from, to); err != nil {
			return err
		}
		return migrateChatRefs(tx, from, to)
	})
}

// migrateChatRefs moves what else a group has under its ID to its supergroup: story and
// discussion follows and queued messages; and drops what refers to the group's sent
// messages.
func migrateChatRefs(tx *bolt.Tx, from, to int64) error {
	if err := migrateChatStories(tx, from, to); err != nil {
		return err
	}
	if err := moveSlowMark(tx, from, to); err != nil {
		return err
	}
	if err := moveDiscussionFollows(tx, from, to); err != nil {
		return err
	}
	// The group's messages stay in the old chat, which takes no more requests, and
	// the supergroup numbers its own afresh: a record of one, or a queued edit or
	// deletion of one, would reach the supergroup's message of that number.
	if _, err := unlistCopiesIn(tx, from); err != nil {
		return err
	}
	for _, b := range [][]byte{bucketMsgMap, bucketPending, bucketParked} {
		if err := deletePrefix(tx.Bucket(b), i64(from)); err != nil {
			return err
		}
	}
	ids, err := queuedFor(tx, from)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var m OutMessage
		switch {
		case json.Unmarshal(tx.Bucket(bucketOutbox).Get(u64(id)), &m) != nil || m.ChatID != from:
			// Damaged, or listed wrongly: moving it would send another chat's message here.
		case m.Params["message_id"] != "":
			if err := dropQueued(tx, id); err != nil {
				return err
			}
		default:
			m.ChatID = to
			if m.Params != nil {
				m.Params["chat_id"] = fmt.Sprint(to)
			}
			if err := putQueued(tx, &m); err != nil {
				return err
			}
		}
	}
	return nil
}
