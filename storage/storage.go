// Package storage persists newsbot's records in one embedded bbolt file: feeds and their
// owners, items, subscribers, the bot's inbox and outbox, records of sent messages, and
// the discussion threads with their profiles, follows and reports.
//
// Key layout (all integers big-endian so byte order is numeric order):
//
//	meta            "schema" -> uint64 schema version; "tg_offset"; "names_version"
//	feeds           feed URL -> Feed (JSON)
//	feed_due        nextPoll(8) | feed URL -> nil      ("due at T" range scans)
//	feed_owners     feed URL | 0x00 | chat(8) -> taken up (8, Unix ns; nil before)   (readers' feeds: no owner, no polling)
//	items           id(8) -> Item (JSON)               (ids from NextSequence)
//	dedup_keys      feedID(16) | hash of dedup key(16) -> id(8)  (kept after pruning: tombstones)
//	idx_added       added(8) | id(8) -> nil            ("items added in [from, to)", newest first)
//	idx_published   published(8) | id(8) -> nil        (newest-first listing)
//	idx_feed_time   feedID(16) | added(8) | id(8) -> nil  (one feed's window)
//	feed_last       feedID(16) -> id(8)                (a feed's newest item: LastItemIDOf)
//	                (feedID: 16 bytes of the address's SHA-256, so keys do not grow with it)
//	threads         item id(8) -> Thread (JSON)        (pins items against pruning)
//	subscribers     chat id(8) -> Subscriber (JSON)
//	sub_due         nextDigest(8) | chat id(8) -> nil  ("due at T" range scans)
//	outbox          id(8) -> OutMessage (JSON)         (a persistent send queue, in order)
//	outbox_refs     comment(8) | id(8) -> nil          (queued messages that show a comment)
//	outbox_chats    chat id(8) | id(8) -> nil          (queued messages by chat)
//	parked          chat id(8) | id(8) -> OutMessage   (erasures waiting for a gone chat)
//	inbox           update id(8) -> raw update         (stored before the offset is confirmed)
//	msgmap          chat id(8) | message id(8) -> MessageRecord (what a message is about)
//	cards           canonical URL -> cached story card (summaries of URLs users send)
//	feed_usage      account(8) -> FeedUsage (JSON)     (today's use of a reader's feeds)
//	feed_adders     chat id(8) | feed URL -> user(8)   (who added a group's own feed)
//	feeds_gone      feed URL -> goneFeed (JSON)        (a collected feed's schedule, a week)
//	slow_lane       chat id(8) -> until(8, Unix ns)    (chats whose filters are costly: slowlane.go)
//	reader_spend    user id(8) -> JSON                 (readers' spent allowances, kept over a restart: readerspend.go)
//	comments, thread_idx, followers, copies, profiles, names, blocks, pending, reports,
//	by_author, follows, bans: the discussion (see comments.go)
//	stories, story_open, item_story, story_follows, chat_stories, story_due,
//	story_cards: stories that reports joined as they arrived, and who follows them
//	(see stories.go)
//
// Every change that touches more than one record runs in one transaction, so a crash
// never leaves an index entry without its record or half an item.
package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bucket names.
var (
	bucketMeta           = []byte("meta")
	bucketFeeds          = []byte("feeds")
	bucketFeedDue        = []byte("feed_due")
	bucketItems          = []byte("items")
	bucketItemKeys       = []byte("dedup_keys")
	bucketItemKeysV1     = []byte("item_keys") // keyed by the feed's address: until schema 20
	bucketIdxAdded       = []byte("idx_added")
	bucketIdxPublished   = []byte("idx_published")
	bucketThreads        = []byte("threads")
	bucketSubscribers    = []byte("subscribers")
	bucketSubscriptions  = []byte("subscriptions") // created by schema 1, never used, dropped by 4
	bucketSubDue         = []byte("sub_due")
	bucketDigests        = []byte("digests") // as subscriptions
	bucketComments       = []byte("comments")
	bucketFeedOwners     = []byte("feed_owners")
	bucketIdxFeedAdded   = []byte("idx_feed_time")
	bucketFeedLast       = []byte("feed_last")
	bucketIdxFeedAddedV1 = []byte("idx_feed_added") // keyed by the feed's address: until schema 20
	bucketOutbox         = []byte("outbox")
	bucketOutboxRefs     = []byte("outbox_refs")
	bucketOutboxChats    = []byte("outbox_chats")
	bucketParked         = []byte("parked")
	bucketInbox          = []byte("inbox")
	bucketMsgMap         = []byte("msgmap")
	bucketCards          = []byte("cards")

	keySchema       = []byte("schema")
	keyOffset       = []byte("tg_offset")
	keyNamesVersion = []byte("names_version")
)

// ErrInUse is returned by Open when another process holds the database.
var ErrInUse = errors.New("database is in use by another newsbot process")

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// migrations[i] upgrades a database at schema version i to version i+1. Append only.
var migrations = []func(tx *bolt.Tx) error{
	// 0 -> 1: the initial layout.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFeeds, bucketFeedDue, bucketItems, bucketItemKeysV1,
			bucketIdxAdded, bucketIdxPublished, bucketThreads, bucketSubscribers,
			bucketSubscriptions, bucketSubDue, bucketDigests, bucketComments, bucketOutbox} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 -> 2: the bot's inbox (durable updates), sent-message records, card cache.
	func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketInbox); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketCards); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketMsgMap)
		return err
	},
	// 2 -> 3: discussion threads.
	discussionBuckets,
	// 3 -> 4: feeds have owners, reports are kept per reader, pending comments are
	// keyed by chat (old ones are dropped: they were only ever minutes old), and the two
	// buckets that were never used go.
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketReports, bucketFeedOwners} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		for _, b := range [][]byte{bucketSubscriptions, bucketDigests, bucketPending} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		if _, err := tx.CreateBucket(bucketPending); err != nil {
			return err
		}
		owners := tx.Bucket(bucketFeedOwners)
		return tx.Bucket(bucketSubscribers).ForEach(func(k, v []byte) error {
			var s Subscriber
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("decode subscriber %d: %w", beU64(k), err)
			}
			for _, u := range s.OwnFeeds {
				if err := owners.Put(ownerKey(u, s.ChatID), nil); err != nil {
					return err
				}
			}
			return nil
		})
	},
	// 4 -> 5: indexes that let /forget and the digest read only what they need
	// (comments by author, follows by chat, items by feed), bans kept apart from
	// profiles, only active chats own feeds, and a group's record names no user.
	migrateIndexes,
	// 5 -> 6: followed stories (stories.go).
	storyBuckets,
	// 6 -> 7: merged stories resolve through a one-step alias (stories.go).
	storyAliases,
	// 7 -> 8: comments whose copies went out from an older revision, to be redone.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketStaleCopies)
		return err
	},
	// 8 -> 9: open discussion pages, by story.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketThreadPages)
		return err
	},
	// 9 -> 10: readers' feeds are charged to accounts: who added a group's feed, and
	// what each account's feeds used today (usage.go).
	func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFeedUsage, bucketFeedAdders} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	// 10 -> 11: collected feeds' schedules, kept a week (feeds.go, goneFeed).
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketFeedsGone)
		return err
	},
	// 11 -> 12: outlines hold only what pages show, each entry with its parent
	// (comments.go, pruneOutline).
	pruneOutlines,
	// 12 -> 13: erasures wait for a chat that is gone to come back (outbox.go, dropOutbox).
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketParked)
		return err
	},
	// 13 -> 14: comments stored and not yet relayed, for the relay to finish them
	// (comments.go, Unrelayed).
	schema14,
	// 14 -> 15: the outbox listed by the comments its messages show and by chat
	// (outbox.go, putQueued).
	indexOutbox,
	// 15 -> 16: who keeps which readers' feeds, by account (holdings.go).
	indexHoldings,
	// 16 -> 17: the slow lane's chats, kept over a restart (slowlane.go).
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketSlowLane)
		return err
	},
	// 17 -> 18: what readers spent of the bot's allowances, kept over a restart
	// (readerspend.go).
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketReaderSpend)
		return err
	},
	// 18 -> 19: a chat's listing of a queued copy or note tells its story (outbox.go,
	// listingTag), so that relays count what waits for a follower without reading it.
	func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error { return listStored(tx, beU64(k), v, false) })
	},
	// 19 -> 20: dedup keys and the feed-by-time index name a feed by a hash of its
	// address, not the address (items.go, feedID); each feed's newest item is noted.
	hashFeedKeys,
}

// SchemaVersion is the version a freshly opened database is migrated to.
var SchemaVersion = uint64(len(migrations))

// DB is the newsbot database. It is safe for concurrent use.
type DB struct {
	bolt *bolt.DB
	path string
	// sent joins the sender's records of delivered messages into shared commits.
	sent groupCommit
	// limits are the caps on readers' feeds a chat coming back fits under.
	limits atomic.Pointer[FeedLimits]
	// maxThread is Options.MaxThreadComments.
	maxThread int
}

// Options tunes Open.
type Options struct {
	// Timeout is how long Open waits for another process's file lock (default 1s).
	Timeout time.Duration
	// ReadOnly opens without the write lock.
	ReadOnly bool
	// MaxSize caps the file (bytes); writes past it fail with an error. 0: no cap.
	MaxSize int
	// MaxThreadComments bounds one story's discussion (0: DefaultMaxThreadComments).
	MaxThreadComments int
}

// Open opens (creating if needed) the database at path and migrates it to SchemaVersion.
// It fails with ErrInUse, rather than hanging, when another process has it open.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, MaxSize: opts.MaxSize})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if opts.MaxThreadComments <= 0 {
		opts.MaxThreadComments = DefaultMaxThreadComments
	}
	db := &DB{bolt: bdb, path: path, maxThread: opts.MaxThreadComments}
	if !opts.ReadOnly {
		if err := db.migrate(); err != nil {
			bdb.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		// A backup cut off by a crash left its copy beside the file, holding what has
		// been deleted since (review 48). Holding the write lock, no backup runs now.
		// Only our own names: an operator's copy is theirs (review 49).
		if entries, err := os.ReadDir(filepath.Dir(path)); err == nil {
			prefix := backupTempPrefix(path)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), prefix) && !e.IsDir() {
					_ = os.Remove(filepath.Join(filepath.Dir(path), e.Name())) // best effort: the next start tries again
				}
			}
		}
	}
	return db, nil
}

// preMigrations[v] runs before migrations[v], in transactions of its own: work too
// large for one transaction's memory. It must leave the store as migrations[v] expects
// it, and may be cut off and run again.
var preMigrations = map[uint64]func(db *DB) error{
	19: (*DB).moveFeedKeys,
}

// preMigrating marks a stored schema version whose pre-migration has begun: the store
// is neither that version nor the next, and a binary of that version, which would
// misread it (review 85: a rollback after a cut-off move stored every moved feed's
// entries again), refuses it as newer than it understands.
const preMigrating = 1 << 32

func (db *DB) migrate() error {
	prepared := map[uint64]bool{}
	for {
		var v uint64
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			v = 0
			if b := meta.Get(keySchema); b != nil {
				v = binary.BigEndian.Uint64(b) &^ preMigrating
			}
			if v > SchemaVersion {
				return fmt.Errorf("schema version %d is newer than this binary understands (%d); upgrade newsbot", v, SchemaVersion)
			}
			for ; v < SchemaVersion; v++ {
				if preMigrations[v] != nil && !prepared[v] {
					// Committed up to v: its pre-migration runs next.
					return meta.Put(keySchema, u64(v|preMigrating))
				}
				if err := migrations[v](tx); err != nil {
					return fmt.Errorf("migrate schema %d->%d: %w", v, v+1, err)
				}
			}
			return meta.Put(keySchema, u64(v))
		})
		if err != nil || v == SchemaVersion {
			return err
		}
		if err := preMigrations[v](db); err != nil {
			return fmt.Errorf("migrate schema %d->%d: %w", v, v+1, err)
		}
		prepared[v] = true
	}
}

// Close closes the database file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Schema returns the stored schema version.
func (db *DB) Schema() (uint64, error) {
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta); b != nil {
			if raw := b.Get(keySchema); raw != nil {
				v = binary.BigEndian.Uint64(raw)
			}
		}
		return nil
	})
	return v, err
}

// Bolt exposes the underlying handle for packages that keep their own buckets.
func (db *DB) Bolt() *bolt.DB { return db.bolt }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// timeKey encodes t as a sortable 8-byte key; times before 1970 clamp to 0.
func timeKey(t time.Time) []byte {
	n := t.UnixNano()
	if n < 0 || t.IsZero() {
		n = 0
	}
	return u64(uint64(n))
}

func concat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// getJSON decodes the record under key in b, or returns ErrNotFound; what and id name
// the record in a decode error ("decode item 42: ...").
func getJSON[T, K any](b *bolt.Bucket, key []byte, what string, id K) (*T, error) {
	raw := b.Get(key)
	if raw == nil {
		return nil, ErrNotFound
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode %s %v: %w", what, id, err)
	}
	return v, nil
}

// jsonUnmarshal decodes raw, naming what in the error.
func jsonUnmarshal(raw []byte, v any, what string) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// "<", ">" and "&" stored as themselves, not as six bytes each: feed text is full of
	// them, and escaped they made a stored item up to six times what its feed was
	// charged (found by review).
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return b.Put(key, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// Compact copies src into a new, compacted file dst. The source must not be open in
// another process; dst must not exist.
func Compact(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("compact: %s already exists", dst)
	}
	in, err := bolt.Open(src, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return fmt.Errorf("compact %s: %w", src, ErrInUse)
		}
		return fmt.Errorf("compact: open %s: %w", src, err)
	}
	defer in.Close()
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("compact: create %s: %w", dst, err)
	}
	if err := bolt.Compact(out, in, 64<<20); err != nil {
		out.Close()
		return fmt.Errorf("compact: %w", err)
	}
	return out.Close()
}

// Stats counts records, for the CLI and metrics.
type Stats struct {
	Feeds, BrokenFeeds, Items, Threads int
	FileBytes                          int64
}

// Stats returns record counts.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	if err := ctxErr(ctx, "stats"); err != nil {
		return s, err
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s.Items = tx.Bucket(bucketItems).Stats().KeyN
		s.Threads = tx.Bucket(bucketThreads).Stats().KeyN
		s.FileBytes = tx.Size()
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			s.Feeds++
			var f Feed
			if json.Unmarshal(v, &f) == nil && f.Broken {
				s.BrokenFeeds++
			}
			return nil
		})
	})
	return s, err
}

// Backup writes a consistent snapshot of the database to w (a read transaction, so the
// bot keeps running) and returns the number of bytes written. The snapshot is
// compacted: it holds the live records only. A copy of the file's pages would carry
// deleted and erased records in the pages bbolt freed and has not reused (review 47:
// a backup taken after a reader's /forget still held their words and name). It is
// written beside the database first (BackupTo), then copied to w.
func (db *DB) Backup(w io.Writer) (int64, error) {
	// Beside the database: it is the database's size, and the tmpfs of a hardened
	// service is small; and Open removes it there if a crash leaves it.
	tmp, err := os.CreateTemp(filepath.Dir(db.path), backupTempPrefix(db.path)+"*")
	if err != nil {
		return 0, fmt.Errorf("backup: a copy beside the database: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := db.BackupTo(tmp.Name()); err != nil {
		return 0, err
	}
	n, err := io.Copy(w, tmp)
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupTo writes a compacted snapshot of the database (as Backup) into the empty file
// at path, and returns its size: what /backup serves from directly, so that a backup
// holds one copy on disk, not two. A copy cut off by an error is left at path, for the
// caller to remove.
func (db *DB) BackupTo(path string) (int64, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		// bbolt would open it as a database, and the snapshot would merge into it.
		return 0, fmt.Errorf("backup: %s is not empty", path)
	}
	out, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	// Written in transactions of 16 MiB: each holds its pages in memory until it commits.
	if err := bolt.Compact(out, db.bolt, 16<<20); err != nil {
		out.Close()
		return 0, fmt.Errorf("backup: compact: %w", err)
	}
	var n int64
	err = out.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	// The copy's pages up to its high-water mark, not the room the file grew by.
	if err := os.Truncate(path, n); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// backupTempPrefix names Backup's copies of the database at path: hidden, and unlike
// any name an operator would give a copy of their own.
func backupTempPrefix(path string) string {
	return "." + filepath.Base(path) + ".newsbot-backup-"
}

// Size returns the database file size in bytes.
func (db *DB) Size() int64 {
	var n int64
	// View fails only on a closed database, whose size is then reported as 0.
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n
}

// Check verifies the file's internal consistency (bbolt's tx.Check).
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("consistency check: %w", err)
		}
		return nil
	})
}

func migrateIndexes(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketByAuthor, bucketFollows, bucketBans, bucketIdxFeedAddedV1} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketComments).ForEach(func(k, v []byte) error {
		var c Comment
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode comment %d: %w", beU64(k), err)
		}
		if c.AuthorID == 0 {
			return nil
		}
		return tx.Bucket(bucketByAuthor).Put(concat(i64(c.AuthorID), u64(c.ID)), nil)
	}); err != nil {
		return err
	}
	if err := tx.Bucket(bucketFollowers).ForEach(func(k, _ []byte) error {
		if len(k) != 16 {
			return nil
		}
		return tx.Bucket(bucketFollows).Put(concat(k[8:], k[:8]), nil)
	}); err != nil {
		return err
	}
	if err := tx.Bucket(bucketProfiles).ForEach(func(k, v []byte) error {
		var p Profile
		if json.Unmarshal(v, &p) == nil && p.Banned {
			return tx.Bucket(bucketBans).Put(k, timeKey(time.Now()))
		}
		return nil
	}); err != nil {
		return err
	}
	if err := tx.Bucket(bucketItems).ForEach(func(k, v []byte) error {
		var it Item
		if err := json.Unmarshal(v, &it); err != nil {
			return fmt.Errorf("decode item %d: %w", beU64(k), err)
		}
		return tx.Bucket(bucketIdxFeedAddedV1).Put(concat([]byte(it.FeedURL), []byte{0}, timeKey(it.Added), u64(it.ID)), nil)
	}); err != nil {
		return err
	}
	var subs []Subscriber
	if err := tx.Bucket(bucketSubscribers).ForEach(func(k, v []byte) error {
		var s Subscriber
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("decode subscriber %d: %w", beU64(k), err)
		}
		subs = append(subs, s)
		return nil
	}); err != nil {
		return err
	}
	for _, s := range subs {
		if s.ChatID < 0 {
			s.UserID, s.Name = 0, ""
		}
		if !s.Active {
			for _, u := range s.OwnFeeds {
				if err := tx.Bucket(bucketFeedOwners).Delete(ownerKey(u, s.ChatID)); err != nil {
					return err
				}
			}
		}
		if err := putJSON(tx.Bucket(bucketSubscribers), i64(s.ChatID), &s); err != nil {
			return err
		}
	}
	// Feeds that only inactive chats had are collected at the next start (SweepFeeds).
	return nil
}

// SaveBackup writes a backup to dest through write, into a temporary file beside it
// first; only a copy that opens and passes the consistency check is moved into place.
// It returns the bytes written.
func SaveBackup(dest string, write func(w io.Writer) (int64, error)) (int64, error) {
	tmp := dest + ".partial"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp)
	n, err := write(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := CheckFile(tmp); err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// CheckFile opens the database file at path read-only and checks its consistency: what
// a backup must pass before it is called one.
func CheckFile(path string) error {
	db, err := Open(path, Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		return fmt.Errorf("the copy is damaged: %w", err)
	}
	return nil
}
