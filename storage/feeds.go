package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Feed is a polled feed and its polling state.
type Feed struct {
	URL          string    `json:"url"`
	Title        string    `json:"title,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	AddedAt      time.Time `json:"added_at"`
	LastPoll     time.Time `json:"last_poll,omitempty"`
	LastSuccess  time.Time `json:"last_success,omitempty"`
	NextPoll     time.Time `json:"next_poll"`
	ErrorStreak  int       `json:"error_streak,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
	// Broken is set after a long error streak; the feed is still polled (at the backoff
	// cap) and never deleted, so an operator can see why it stopped.
	Broken bool `json:"broken,omitempty"`
	// GUIDsUnreliable is set once the feed was seen reusing one GUID for different items;
	// from then on its items are keyed by link or content hash.
	GUIDsUnreliable bool `json:"guids_unreliable,omitempty"`
}

// AddFeed registers url if it is not known yet; a new feed is due immediately.
// It reports whether the feed was added.
func (db *DB) AddFeed(ctx context.Context, url string, now time.Time) (bool, error) {
	if err := ctxErr(ctx, "add feed"); err != nil {
		return false, err
	}
	added := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFeeds)
		if b.Get([]byte(url)) != nil {
			return nil
		}
		added = true
		f := Feed{URL: url, AddedAt: now, NextPoll: now}
		return putFeed(tx, nil, &f)
	})
	if err != nil {
		return false, fmt.Errorf("add feed %s: %w", url, err)
	}
	return added, nil
}

// putFeed writes f and moves its due-index entry from old (if any) to f.NextPoll.
func putFeed(tx *bolt.Tx, old *Feed, f *Feed) error {
	due := tx.Bucket(bucketFeedDue)
	if old != nil {
		if err := due.Delete(concat(timeKey(old.NextPoll), []byte(old.URL))); err != nil {
			return err
		}
	}
	if err := due.Put(concat(timeKey(f.NextPoll), []byte(f.URL)), nil); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketFeeds), []byte(f.URL), f)
}

func getFeed(tx *bolt.Tx, url string) (*Feed, error) {
	return getJSON[Feed](tx.Bucket(bucketFeeds), []byte(url), "feed", url)
}

// Feed returns the feed stored under url, or ErrNotFound.
func (db *DB) Feed(ctx context.Context, url string) (Feed, error) {
	if err := ctxErr(ctx, "get feed"); err != nil {
		return Feed{}, err
	}
	var f *Feed
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		f, err = getFeed(tx, url)
		return err
	})
	if err != nil {
		return Feed{}, fmt.Errorf("get feed %s: %w", url, err)
	}
	return *f, nil
}

// UpdateFeed stores the polling state of an existing feed and reindexes its due time.
func (db *DB) UpdateFeed(ctx context.Context, f Feed) error {
	if err := ctxErr(ctx, "update feed"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getFeed(tx, f.URL)
		if err != nil {
			return err
		}
		return putFeed(tx, old, &f)
	})
	if err != nil {
		return fmt.Errorf("update feed %s: %w", f.URL, err)
	}
	return nil
}

// RemoveFeed deletes a feed record and its due entry; its items stay.
func (db *DB) RemoveFeed(ctx context.Context, url string) error {
	if err := ctxErr(ctx, "remove feed"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getFeed(tx, url)
		if err != nil {
			return fmt.Errorf("remove feed %s: %w", url, err)
		}
		if err := tx.Bucket(bucketFeedDue).Delete(concat(timeKey(old.NextPoll), []byte(url))); err != nil {
			return err
		}
		return tx.Bucket(bucketFeeds).Delete([]byte(url))
	})
}

// Feeds returns every feed, ordered by URL.
func (db *DB) Feeds(ctx context.Context) ([]Feed, error) {
	if err := ctxErr(ctx, "list feeds"); err != nil {
		return nil, err
	}
	var out []Feed
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var f Feed
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode feed %s: %w", k, err)
			}
			out = append(out, f)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// DueFeeds returns up to limit feeds whose next poll is at or before now, earliest
// first, by a range scan over the due index (limit <= 0 means no limit).
func (db *DB) DueFeeds(ctx context.Context, now time.Time, limit int) ([]Feed, error) {
	if err := ctxErr(ctx, "due feeds"); err != nil {
		return nil, err
	}
	var out []Feed
	end := timeKey(now)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFeedDue).Cursor()
		for k, _ := c.First(); k != nil && string(k[:8]) <= string(end); k, _ = c.Next() {
			f, err := getFeed(tx, string(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, *f)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due feeds: %w", err)
	}
	return out, nil
}

// NextDue returns the earliest next-poll time of any feed, or false when there are none.
func (db *DB) NextDue(ctx context.Context) (time.Time, bool, error) {
	if err := ctxErr(ctx, "next due"); err != nil {
		return time.Time{}, false, err
	}
	var t time.Time
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketFeedDue).Cursor().First()
		if k != nil {
			ok = true
			t = time.Unix(0, int64(beU64(k[:8])))
		}
		return nil
	})
	return t, ok, err
}
