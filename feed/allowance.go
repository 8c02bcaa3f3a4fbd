package feed

import (
	"sync"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// ledger is the poller's running account of what readers' feeds used today, by
// account (storage.FeedUsage: the user who added a feed). The stored usage is read once
// per account and day; from then on every grant is decided here, under one lock, so
// feeds of one account polled at the same time cannot each spend the same allowance (a
// reader's 20 new feeds are all due at once). One process owns the database, so the
// ledger sees every charge.
type ledger struct {
	mu    sync.Mutex
	day   string // the newest day seen; it never goes back
	used  map[int64]storage.FeedUsage
	limit storage.FeedUsage // Items, Bytes and Pages an account may use a day
}

// today moves the ledger to day if day is newer, and returns the day it counts: a poll
// that began before midnight UTC is charged to the new day once it has begun, so no
// grant can flip the ledger back and hand out the day again.
func (l *ledger) today(day string) string {
	if day > l.day { // ISO dates order as strings
		l.day, l.used = day, map[int64]storage.FeedUsage{}
	}
	return l.day
}

// usage is account's use today: the ledger's, or as stored (read at the poll's start)
// when the ledger has not seen it today.
func (l *ledger) usage(account int64, stored storage.FeedUsage) storage.FeedUsage {
	u, ok := l.used[account]
	if !ok {
		u = stored.On(l.day)
		l.used[account] = u
	}
	return u
}

// grant charges want to every account if at least one of them has room for it, and
// reports whether it did. A feed several readers added thus serves them while one has
// room, and each pays: a reader who used up their day cannot stop another's feed. An
// item's bytes are granted while the account is under its allowance, so the last item
// granted may pass it.
func (l *ledger) grant(day string, stored map[int64]storage.FeedUsage, want storage.FeedUsage) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.today(day)
	room := false
	for a, s := range stored {
		u := l.usage(a, s)
		if u.Items+want.Items <= l.limit.Items && (want.Bytes == 0 || u.Bytes < l.limit.Bytes) &&
			u.Pages+want.Pages <= l.limit.Pages {
			room = true
		}
	}
	if room {
		l.add(stored, want, 1)
	}
	return room
}

// pageTimeLeft is the most page time one of the accounts has left today: a feed several
// readers added fetches pages while one of them has time.
func (l *ledger) pageTimeLeft(day string, stored map[int64]storage.FeedUsage) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.today(day)
	var left time.Duration
	for a, s := range stored {
		left = max(left, l.limit.PageTime-l.usage(a, s).PageTime)
	}
	return left
}

// sharePageTime shares page time, known only once it is spent, among the accounts with
// page time left (all of them, when none has), and returns each one's share. Split,
// not charged to each in full: links in a popular feed must not cost each of its
// readers the whole (found by review).
func (l *ledger) sharePageTime(day string, stored map[int64]storage.FeedUsage, took time.Duration) map[int64]time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.today(day) != day || len(stored) == 0 {
		return nil // spent on a day no longer counted
	}
	payers := map[int64]storage.FeedUsage{}
	for a, s := range stored {
		if l.usage(a, s).PageTime < l.limit.PageTime {
			payers[a] = s
		}
	}
	if len(payers) == 0 {
		payers = stored
	}
	share := took / time.Duration(len(payers))
	l.add(payers, storage.FeedUsage{PageTime: share}, 1)
	out := make(map[int64]time.Duration, len(payers))
	for a := range payers {
		out[a] = share
	}
	return out
}

// refund takes back what was granted and not used.
func (l *ledger) refund(day string, stored map[int64]storage.FeedUsage, use storage.FeedUsage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.today(day) != day {
		return // granted on a day no longer counted
	}
	l.add(stored, use, -1)
}

func (l *ledger) add(stored map[int64]storage.FeedUsage, use storage.FeedUsage, sign int) {
	for a, s := range stored {
		u := l.usage(a, s)
		u.Items += sign * use.Items
		u.Bytes += int64(sign) * use.Bytes
		u.Pages += sign * use.Pages
		u.PageTime += time.Duration(sign) * use.PageTime
		l.used[a] = u
	}
}

// counting is the day the ledger counts, day or a newer one.
func (l *ledger) counting(day string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.today(day)
}
