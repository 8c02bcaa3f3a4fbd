package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Discussion buckets (schema 3):
//
//	comments    id(8) -> Comment
//	thread_idx  item(8) | comment(8) -> parent(8)     (a story's thread in time order; nil before)
//	followers   item(8) | chat(8) -> Follower
//	copies      comment(8) | chat(8) | message(8) -> nil  (relayed copies, for edits and deletes)
//	profiles    user(8) -> Profile;  names  name key -> user(8)  (unique display names)
//	blocks      user(8) | author(8) -> nil
//	pending     chat(8) | id(8) -> PendingComment  (a reply to a digest waiting for "which story?")
//	reports     comment(8) | reporter(8) -> time  (one report per reader and comment)
//	by_author   author(8) | comment(8) -> nil      (a user's comments, for /forget)
//	follows     chat(8) | item(8) -> nil           (a chat's follows, for /forget)
//	bans        user(8) -> time                    (outlives /forget: a ban is not undone by it)
var (
	bucketThreadIdx = []byte("thread_idx")
	bucketFollowers = []byte("followers")
	bucketCopies    = []byte("copies")
	// stale_copies  comment(8) -> mark(8): copies sent from an older revision, to redo
	bucketStaleCopies = []byte("stale_copies")
	// thread_pages  item(8) | chat(8) | message(8) -> [comment IDs]: open discussion pages
	bucketThreadPages = []byte("thread_pages")
	bucketProfiles    = []byte("profiles")
	bucketNames       = []byte("names")
	bucketBlocks      = []byte("blocks")
	bucketPending     = []byte("pending")
	bucketReports     = []byte("reports")
	bucketByAuthor    = []byte("by_author")
	bucketFollows     = []byte("follows")
	bucketBans        = []byte("bans")
	// unrelayed  comment(8) -> nil: stored, not yet relayed (RelayComment clears it)
	bucketUnrelayed = []byte("unrelayed")
)

// Comment is one comment in a story's discussion thread.
type Comment struct {
	ID         uint64    `json:"id"`
	ItemID     uint64    `json:"item"`
	ParentID   uint64    `json:"parent,omitempty"`
	Depth      int       `json:"depth"`
	AuthorID   int64     `json:"author"`
	AuthorName string    `json:"author_name"`
	Text       string    `json:"text"`
	Created    time.Time `json:"created"`
	Edited     time.Time `json:"edited,omitempty"`
	Deleted    bool      `json:"deleted,omitempty"` // by its author
	Removed    bool      `json:"removed,omitempty"` // by a moderator
	// Erased comments are tombstones: text, author and source are gone (the author used
	// /forget); only their place in the thread is kept.
	Erased  bool  `json:"erased,omitempty"`
	SrcChat int64 `json:"src_chat"`
	SrcMsg  int   `json:"src_msg"`
	// Relayed is set, with the relayed copies queued in the same transaction, once the
	// comment went to the thread's followers.
	Relayed bool `json:"relayed,omitempty"`
	// Rev counts the changes to what a copy of the comment shows: its own edits and
	// removal, and its parent's removal or erasure (a reply quotes its parent; a
	// parent's edit leaves the quote of what was answered). A copy is rendered from one
	// revision (MessageRecord.Rev); one sent from an older one is rendered again.
	Rev int `json:"rev,omitempty"`
	// RepliesPending: the comment went, and its replies' copies (they quote it) are
	// still to be marked for a redraw (MarkReplies). Its own stale mark, written with
	// its removal, has the refresh of stale copies mark them if the bot stops before:
	// a crash between the removal and the marking loses neither. (Set when it goes, so
	// that comments gone before it existed read as done: review 49.)
	RepliesPending bool `json:"replies_pending,omitempty"`
	// FromPending, not stored, is the pending comment (in SrcChat) this one posts:
	// AddComment takes it in the same transaction, and finds nothing to post if it is
	// gone (review 47: a /forget between reading it and posting it was undone).
	FromPending uint64 `json:"-"`
}

// Gone reports whether the comment no longer shows its text.
func (c Comment) Gone() bool { return c.Deleted || c.Removed || c.Erased }

// Follower is a chat that receives a thread's comments.
type Follower struct {
	ChatID int64 `json:"chat"`
	Muted  bool  `json:"muted,omitempty"`
}

// Profile is what the discussion knows about a user. Names arrive normalised by the
// caller, with a key that says which names look alike (empty: the name may not be
// claimed, e.g. a reserved one).
type Profile struct {
	UserID    int64  `json:"user"`
	FirstName string `json:"first_name"`
	FirstKey  string `json:"first_key,omitempty"`
	// FirstOwned: the user holds the claim on FirstKey, so the first name is shown as it
	// is; someone else holding it means the first name is shown with a tag.
	FirstOwned bool      `json:"first_owned,omitempty"`
	Name       string    `json:"name,omitempty"` // chosen with /name
	NameKey    string    `json:"name_key,omitempty"`
	FirstSeen  time.Time `json:"first_seen"`
	Banned     bool      `json:"banned,omitempty"`
	// Shown are the names the user's comments show (the newest MaxShownNames): their
	// claims stay the user's after a rename, so that nobody else can answer in a
	// thread under a name someone's earlier comments carry.
	Shown []ShownName `json:"shown,omitempty"`
}

// ShownName is a name a user's comments show, with its look-alike key.
type ShownName struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// MaxShownNames bounds the names one user keeps by commenting under them: a user who
// comments under more names gives up the oldest (a reader renaming every day keeps
// their last 16 names; hoarding names costs a comment each and stays bounded).
const MaxShownNames = 16

// displayKey is the key of the name DisplayName shows ("" for a tagged name, which
// its tag keeps apart).
func (p Profile) displayKey() string {
	switch {
	case p.Name != "":
		return p.NameKey
	case p.FirstName != "" && p.FirstOwned:
		return p.FirstKey
	}
	return ""
}

// shows reports whether key is one of the names the user's comments show.
func (p Profile) shows(key string) bool {
	return slices.ContainsFunc(p.Shown, func(n ShownName) bool { return n.Key == key })
}

// markShown records, in tx, that a comment of the user shows their current name: it
// becomes the newest of their shown names, the last to go free (the name reindex keeps
// the most recently used too).
func markShown(tx *bolt.Tx, p *Profile) error {
	key := p.displayKey()
	if key == "" {
		return nil
	}
	if i := slices.IndexFunc(p.Shown, func(n ShownName) bool { return n.Key == key }); i >= 0 {
		if i == len(p.Shown)-1 {
			return nil
		}
		p.Shown = slices.Delete(p.Shown, i, i+1)
	}
	p.Shown = append(p.Shown, ShownName{Name: p.DisplayName(), Key: key})
	if len(p.Shown) > MaxShownNames {
		oldest := p.Shown[0].Key
		p.Shown = slices.Delete(p.Shown, 0, 1)
		if err := releaseName(tx.Bucket(bucketNames), oldest, *p); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bucketProfiles), i64(p.UserID), p)
}

// DisplayName is the chosen name; else the first name when no one else uses a name like
// it; else the first name with a tag derived from the user ID, so that a reader can
// never appear under another reader's name; and "Reader" with the tag when the first
// name may not be shown at all (empty, or like a reserved name: no key).
func (p Profile) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	if p.FirstName != "" && p.FirstOwned {
		return p.FirstName
	}
	base := p.FirstName
	if base == "" || p.FirstKey == "" {
		base = "Reader"
	}
	return base + " #" + userTag(p.UserID)
}

// userTag is a short, stable tag for a user: five digits of a hash of the ID (the ID
// itself is not shown).
func userTag(id int64) string {
	h := fnv.New32a()
	_, _ = h.Write(i64(id))
	return fmt.Sprintf("%05d", h.Sum32()%100000)
}

// PendingComment waits for its author to say which story of a digest it is about.
type PendingComment struct {
	ID       uint64 `json:"id"`
	AuthorID int64  `json:"author"`
	Chat     int64  `json:"chat"`
	Msg      int    `json:"msg"`
	Text     string `json:"text"`
	// Items are the stories of the digest it replied to: the only ones it may join.
	Items   []uint64  `json:"items"`
	Created time.Time `json:"created"`
}

// ErrNameTaken is returned when a display name belongs to someone else.
var ErrNameTaken = errors.New("that name is taken")

// ErrNotYours is returned when a user acts on another user's pending comment.
var ErrNotYours = errors.New("belongs to another user")

// ErrGone is returned for a comment that was deleted, removed or erased.
var ErrGone = errors.New("comment is gone")

func discussionBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketThreadIdx, bucketFollowers, bucketCopies, bucketProfiles, bucketNames, bucketBlocks, bucketPending} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

func getComment(tx *bolt.Tx, id uint64) (*Comment, error) {
	return getJSON[Comment](tx.Bucket(bucketComments), u64(id), "comment", id)
}

// AddComment stores a comment in one transaction: the comment, its place in the
// thread, the story pinned against pruning, the author following the thread, and the
// author's own message mapped to it (for edits and /delete). The message is the
// comment's identity: a replayed update finds the comment it already created, and
// created is false.
func (db *DB) AddComment(ctx context.Context, c Comment) (stored Comment, created bool, err error) {
	if err := ctxErr(ctx, "add comment"); err != nil {
		return Comment{}, false, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		created = false
		srcKey := concat(i64(c.SrcChat), u64(uint64(c.SrcMsg)))
		var pendingGone error
		if c.FromPending != 0 {
			key := pendingKey(c.SrcChat, c.FromPending)
			if p, err := getJSON[PendingComment](tx.Bucket(bucketPending), key, "pending comment", c.FromPending); err != nil || p.AuthorID != c.AuthorID {
				pendingGone = fmt.Errorf("pending comment %d: %w", c.FromPending, ErrNotFound)
			} else if err := tx.Bucket(bucketPending).Delete(key); err != nil {
				return err
			}
		}
		if c.SrcMsg != 0 {
			if rec, err := getJSON[MessageRecord](tx.Bucket(bucketMsgMap), srcKey, "message record", c.SrcMsg); err == nil && rec.Kind == KindCommentSource {
				prev, err := getComment(tx, rec.Comment)
				if err != nil {
					return err
				}
				stored = *prev
				return nil
			}
		}
		if pendingGone != nil {
			return pendingGone
		}
		if _, err := getItem(tx, u64(c.ItemID)); err != nil {
			return fmt.Errorf("story %d: %w", c.ItemID, err)
		}
		if threadCount(tx, c.ItemID) >= db.maxThread {
			return ErrThreadFull
		}
		c.Depth = 0
		var back []ThreadNode
		if c.ParentID != 0 {
			p, err := getComment(tx, c.ParentID)
			if err != nil {
				return fmt.Errorf("parent comment %d: %w", c.ParentID, err)
			}
			if p.ItemID != c.ItemID {
				return fmt.Errorf("parent comment %d is on another story", c.ParentID)
			}
			c.Depth = p.Depth + 1
			if back, err = db.outlineBack(tx, *p); err != nil {
				return err
			}
		}
		// The name is read where it is marked shown, so that a rename meanwhile cannot
		// free the name this comment carries.
		if p, found, err := getProfile(tx.Bucket(bucketProfiles), c.AuthorID); err != nil {
			return err
		} else if found {
			c.AuthorName = p.DisplayName()
			if err := markShown(tx, &p); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketComments)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		c.ID, c.Relayed = id, false
		if err := putJSON(b, u64(id), &c); err != nil {
			return err
		}
		// The value is the parent: a page of the thread is laid out from the index alone.
		idx := tx.Bucket(bucketThreadIdx)
		for _, n := range append(back, ThreadNode{ID: id, Parent: c.ParentID}) {
			if err := idx.Put(concat(u64(c.ItemID), u64(n.ID)), u64(n.Parent)); err != nil {
				return err
			}
		}
		if tb := tx.Bucket(bucketThreads); tb.Get(u64(c.ItemID)) == nil {
			if err := putJSON(tb, u64(c.ItemID), map[string]any{"item": c.ItemID, "created": c.Created}); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketByAuthor).Put(concat(i64(c.AuthorID), u64(id)), nil); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUnrelayed).Put(u64(id), nil); err != nil {
			return err
		}
		if tx.Bucket(bucketFollowers).Get(concat(u64(c.ItemID), i64(c.SrcChat))) == nil {
			if err := putFollow(tx, c.ItemID, c.SrcChat, false); err != nil {
				return err
			}
		}
		stored, created = c, true
		if c.SrcMsg != 0 {
			rec := MessageRecord{Kind: KindCommentSource, Items: []uint64{c.ItemID}, Comment: id}
			return putJSON(tx.Bucket(bucketMsgMap), srcKey, &rec)
		}
		return nil
	})
	if err != nil {
		return Comment{}, false, fmt.Errorf("add comment: %w", err)
	}
	return stored, created, nil
}

// ErrStale is returned when messages were rendered from a revision of a comment that
// is no longer its current one: render them again.
var ErrStale = errors.New("rendered from an older revision")

// RelayComment queues msgs (the comment's copies for its followers) and marks the
// comment relayed, in one transaction; a comment already relayed gets ErrConflict and
// nothing is queued, so a replayed update never relays twice. A comment gone, or whose
// author is banned, is marked relayed with nothing queued. Copies rendered from an
// older revision than the comment's (it or its parent changed meanwhile) get ErrStale.
// A follower for whom MaxQueuedForCopies copies of this story's discussion, or
// MaxQueuedCopies of any, wait already gets no copy (overFull): passedBy[i] (when
// given, parallel to msgs; of KindPassedBy) goes in its place, to say so, unless a
// note of this discussion waits for the chat already. So a follower in a flood gets a
// note after each MaxQueuedForCopies copies at most. queued is how many copies went in.
func (db *DB) RelayComment(ctx context.Context, id uint64, msgs, passedBy []OutMessage, now time.Time) (queued int, err error) {
	if err := ctxErr(ctx, "relay comment"); err != nil {
		return 0, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		queued = 0
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		if c.Relayed {
			return ErrConflict
		}
		if c.Gone() || tx.Bucket(bucketBans).Get(i64(c.AuthorID)) != nil {
			// Deleted, or its author banned, before it went out: it goes to nobody, and
			// is done (review 51: a relay cut off, finished later, sent placeholders).
			msgs = nil
		}
		var kept []OutMessage
		for i, m := range msgs {
			if m.Record != nil && m.Record.Rev != c.Rev {
				return ErrStale
			}
			w := chatCopies(tx, m.ChatID, c.ItemID)
			switch {
			case !w.overFull():
				kept = append(kept, m)
				queued++
			case i < len(passedBy) && !w.note:
				kept = append(kept, passedBy[i]) // the note takes the place over the limit
			}
		}
		c.Relayed = true
		if err := putJSON(tx.Bucket(bucketComments), u64(id), c); err != nil {
			return err
		}
		if err := tx.Bucket(bucketUnrelayed).Delete(u64(id)); err != nil {
			return err
		}
		return putOutbox(tx, kept, now)
	})
	if err != nil {
		return 0, fmt.Errorf("relay comment %d: %w", id, err)
	}
	return queued, nil
}

// MaxQueuedForCopies is how many copies of one discussion may wait for a chat, and
// MaxQueuedCopies of all, before comments' copies (and edits of them) pass it by: a
// follower that far behind reads the discussion's page instead. Without it, K accounts
// commenting in one discussion they all follow queued K² copies, and everyone's copies
// waited behind them (review 75: 100 accounts, 5 comments each, 49,500 copies, half an
// hour). Counted by discussion, one discussion's flood does not pass the reader by in
// the others (review 77).
const (
	MaxQueuedForCopies = 20
	MaxQueuedCopies    = 100
)

// waiting is what waits for a chat of comments' copies: of one story's discussion, of
// all, and whether a note of copies passed by of that discussion waits.
type waiting struct {
	thread, all int
	note        bool
}

// overFull reports whether copies pass the chat by.
func (w waiting) overFull() bool {
	return w.thread >= MaxQueuedForCopies || w.all >= MaxQueuedCopies
}

// chatCopies counts what waits for chat from its listings' tags (listingTag), reading
// at most maxScannedListings of them: a chat with more waiting counts as full.
func chatCopies(tx *bolt.Tx, chat int64, item uint64) waiting {
	var w waiting
	prefix, story := i64(chat), u64(item)
	c := tx.Bucket(bucketOutboxChats).Cursor()
	n := 0
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if n++; n > maxScannedListings {
			// Full, and as if noted: past the scan a note could not be seen (review 79:
			// each comment queued one).
			w.all, w.note = MaxQueuedCopies, true
			return w
		}
		if len(v) != 9 {
			continue
		}
		mine := bytes.Equal(v[1:], story)
		switch v[0] {
		case tagCopy:
			w.all++
			if mine {
				w.thread++
			}
		case tagNote:
			w.note = w.note || mine
		}
	}
	return w
}

// maxScannedListings bounds the listings chatCopies reads for one chat: the copies it
// counts, notes of the discussions the chat follows, and answers and digests.
const maxScannedListings = 2000

// Unrelayed returns up to limit comments numbered above after, stored before before
// and not yet relayed (a crash or an error came between AddComment and RelayComment:
// audit 50 found a comment picked for a story, or the one that filled a discussion,
// never relayed, its replay finding nothing left to do), and forgets those that need
// no relay any more (relayed meanwhile, gone, erased, or damaged).
func (db *DB) Unrelayed(ctx context.Context, after uint64, before time.Time, limit int) ([]Comment, error) {
	if err := ctxErr(ctx, "unrelayed comments"); err != nil {
		return nil, err
	}
	var out []Comment
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out = nil
		b := tx.Bucket(bucketUnrelayed)
		var done [][]byte
		cur := b.Cursor()
		for k, _ := cur.Seek(u64(after + 1)); k != nil && len(out) < limit; k, _ = cur.Next() {
			c, err := getComment(tx, beU64(k))
			switch {
			case err != nil || c.Relayed || c.Gone():
				// Missing or damaged: nothing to relay, and it must not hold back the
				// others (review 51).
				done = append(done, append([]byte(nil), k...))
			case c.Created.Before(before):
				out = append(out, *c)
			}
		}
		for _, k := range done {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unrelayed comments: %w", err)
	}
	return out, nil
}

// schema14 is the migration to comments listed while they wait for their relay. It
// lists none of those stored before: a comment written before the relayed mark existed
// reads as not relayed, and listing them relayed every old comment again (review 51).
// (Nor does it set RepliesPending: no released binary wrote a removal's own mark, so
// none was cut off between that mark and its replies'.)
func schema14(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketUnrelayed)
	return err
}

// Comment returns one comment.
func (db *DB) Comment(ctx context.Context, id uint64) (Comment, error) {
	var c *Comment
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		c, err = getComment(tx, id)
		return err
	})
	if err != nil {
		return Comment{}, fmt.Errorf("get comment %d: %w", id, err)
	}
	return *c, nil
}

// UpdateComment applies fn to a stored comment and counts a revision (Rev): a change
// to a comment, or to its parent, changes what its copies show. The copies are marked
// for the refresh of stale copies in the same transaction (StaleCopies).
func (db *DB) UpdateComment(ctx context.Context, id uint64, fn func(*Comment) error) (Comment, error) {
	var out Comment
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		wasGone := c.Gone()
		if err := fn(c); err != nil {
			return err
		}
		c.Rev++
		// Its copies (and a gone comment's replies') are redrawn from this mark if the
		// bot stops before it gets to them: a crash right after a /delete left every
		// copy showing the words, and /delete again answered that the comment was
		// deleted already (found in the eighteenth session); after an edit, the replayed
		// edit found nothing changed (audit 50). The refresh redraws only copies drawn
		// from an older revision, so the mark costs little when the caller finished.
		if err := markStale(tx, c.ID); err != nil {
			return err
		}
		if c.Gone() && !wasGone {
			c.RepliesPending = true
		}
		out = *c
		if err := putJSON(tx.Bucket(bucketComments), u64(id), c); err != nil {
			return err
		}
		if c.Gone() {
			return pruneOutline(tx, c.ItemID, []uint64{c.ID})
		}
		return nil
	})
	if err != nil {
		return Comment{}, fmt.Errorf("update comment %d: %w", id, err)
	}
	return out, nil
}

// MarkReplies marks for a redraw the copies of the replies to c, gone (they quote
// it), a few hundred to a transaction (MarkCommentsStale), and then clears c's
// RepliesPending. A damaged entry or record is passed over: it must not keep the
// others quoting (review 49). It returns how many it marked.
func (db *DB) MarkReplies(ctx context.Context, c Comment) (int, error) {
	if err := ctxErr(ctx, "mark replies"); err != nil {
		return 0, err
	}
	var replies []uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		nodes, _ := readOutline(tx, c.ItemID)
		for _, n := range nodes {
			if n.Parent == c.ID {
				replies = append(replies, n.ID)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark replies of %d: %w", c.ID, err)
	}
	if err := db.MarkCommentsStale(ctx, replies); err != nil {
		return 0, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		stored, err := getComment(tx, c.ID)
		if err != nil {
			return err
		}
		stored.RepliesPending = false
		return putJSON(tx.Bucket(bucketComments), u64(c.ID), stored)
	})
	if err != nil {
		return 0, fmt.Errorf("mark replies of %d: %w", c.ID, err)
	}
	return len(replies), nil
}

// A story's outline (the thread index) holds what its pages show: the comments that
// show, and the gone ones that still hold replies, shown as deleted so that their
// replies keep their place. A gone comment that holds no reply leaves it, and so does
// each gone parent it leaves without replies. They take no room in the discussion, so
// that a moderator's removals reopen a full one (review KK: removed comments stayed
// in the outline, and a filled discussion stayed full), and a page no longer lists
// what was deleted with nothing under it. A gone comment's copies quote no parent
// (renderRelay), so one that left the outline needs no redraw when its parent goes.

// pruneOutline takes the gone comments ids of item's thread that hold no reply out of
// its outline, then each gone parent they leave without replies.
func pruneOutline(tx *bolt.Tx, item uint64, ids []uint64) error {
	idx := tx.Bucket(bucketThreadIdx)
	prefix := u64(item)
	nodes, damaged := readOutline(tx, item)
	if damaged {
		// A damaged entry may hold up any comment: the thread keeps its outline, and
		// the removal goes on (review 48: it failed, and the words stayed).
		return nil
	}
	parents := map[uint64]uint64{}
	replies := map[uint64]int{}
	for _, n := range nodes {
		parents[n.ID] = n.Parent
		replies[n.Parent]++
	}
	for _, id := range ids {
		for id != 0 {
			parent, indexed := parents[id]
			if !indexed || replies[id] > 0 {
				break
			}
			c, err := getComment(tx, id)
			if err != nil {
				return err
			}
			if !c.Gone() {
				break
			}
			if err := idx.Delete(concat(prefix, u64(id))); err != nil {
				return err
			}
			delete(parents, id)
			replies[parent]--
			id = parent
		}
	}
	return nil
}

// outlineBack returns the nodes a reply to parent brings back into the outline: the
// parent, when it left it, and each gone parent above it that left too, so that the
// reply keeps its place under them. Each takes room in the discussion.
func (db *DB) outlineBack(tx *bolt.Tx, parent Comment) ([]ThreadNode, error) {
	idx := tx.Bucket(bucketThreadIdx)
	var back []ThreadNode
	for p := &parent; idx.Get(concat(u64(p.ItemID), u64(p.ID))) == nil; {
		if len(back) >= db.maxThread {
			return nil, ErrThreadFull
		}
		back = append(back, ThreadNode{ID: p.ID, Parent: p.ParentID})
		if p.ParentID == 0 {
			break
		}
		var err error
		if p, err = getComment(tx, p.ParentID); err != nil {
			return nil, fmt.Errorf("parent comment %d: %w", back[len(back)-1].Parent, err)
		}
	}
	if len(back) > 0 && threadCount(tx, parent.ItemID)+len(back) >= db.maxThread {
		return nil, ErrThreadFull
	}
	slices.Reverse(back) // parents first
	return back, nil
}

// pruneOutlines is the migration to outlines that hold only what pages show: every
// entry gets its parent, and gone comments holding no reply leave. A gone comment's
// copies that quoted its parent are marked to be drawn again without the quote.
func pruneOutlines(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketThreadIdx)
	// One thread at a time: what is held is one thread's entries, not the store's.
	for k, _ := idx.Cursor().First(); k != nil; {
		if len(k) < 8 {
			break // no thread index key is shorter
		}
		item := beU64(k[:8])
		if err := pruneThreadOutline(tx, item); err != nil {
			return err
		}
		if item == ^uint64(0) {
			break
		}
		k, _ = idx.Cursor().Seek(u64(item + 1))
	}
	return nil
}

// pruneThreadOutline is pruneOutlines for one story's thread.
func pruneThreadOutline(tx *bolt.Tx, item uint64) error {
	idx := tx.Bucket(bucketThreadIdx)
	prefix := u64(item)
	type entry struct {
		key        []byte
		node       ThreadNode
		gone, kept bool // kept: the entry holds its parent already
	}
	var entries []entry
	replies := map[uint64]int{}
	unsure := false // an entry whose parent is unknown: nothing leaves
	cur := idx.Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(k) != 16 {
			continue
		}
		c, err := getComment(tx, beU64(k[8:]))
		if err != nil {
			// A damaged record keeps its entry, and the bot still starts; the reply it
			// may be keeps its parent in the outline.
			if len(v) == 8 {
				replies[beU64(v)]++
			} else {
				unsure = true
			}
			continue
		}
		entries = append(entries, entry{key: append([]byte(nil), k...), node: ThreadNode{ID: c.ID, Parent: c.ParentID},
			gone: c.Gone(), kept: len(v) == 8})
		if c.Gone() && c.ParentID != 0 {
			if k, _ := tx.Bucket(bucketCopies).Cursor().Seek(u64(c.ID)); k != nil && bytes.HasPrefix(k, u64(c.ID)) {
				// A new revision: its copies were drawn at the current one, with the
				// quote, and the refresh redraws only copies behind (review 52).
				c.Rev++
				if err := putJSON(tx.Bucket(bucketComments), u64(c.ID), c); err != nil {
					return err
				}
				if err := markStale(tx, c.ID); err != nil {
					return err
				}
			}
		}
	}
	for _, e := range entries {
		replies[e.node.Parent]++
	}
	// A reply is written after what it answers: from the newest back, a gone comment
	// whose replies have all left holds none.
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.gone && replies[e.node.ID] == 0 && !unsure {
			replies[e.node.Parent]--
			if err := idx.Delete(e.key); err != nil {
				return err
			}
			continue
		}
		if !e.kept {
			if err := idx.Put(e.key, u64(e.node.Parent)); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOutline reads item's outline as far as it can: the entries it could read, and
// whether any could not be (a damaged comment record behind an entry without its
// parent).
func readOutline(tx *bolt.Tx, item uint64) (nodes []ThreadNode, damaged bool) {
	prefix := u64(item)
	cur := tx.Bucket(bucketThreadIdx).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		n, err := indexedNode(tx, k, v)
		if err != nil {
			damaged = true
			continue
		}
		nodes = append(nodes, n)
	}
	return nodes, damaged
}

// indexedNode reads a thread index entry (a comment indexed before the index kept its
// parent is read for it).
func indexedNode(tx *bolt.Tx, k, v []byte) (ThreadNode, error) {
	n := ThreadNode{ID: beU64(k[8:])}
	if len(v) == 8 {
		n.Parent = beU64(v)
		return n, nil
	}
	c, err := getComment(tx, n.ID)
	if err != nil {
		return n, err
	}
	n.Parent = c.ParentID
	return n, nil
}

// DefaultMaxThreadComments bounds one story's discussion (Options.MaxThreadComments).
// A page reads the thread's outline from the index and decodes only its own comments
// (review JJ: every page read the whole thread, 93 ms at 5,000 comments, growing by
// the day); the bound keeps the outline's read and the store's share small, and high
// enough that filling one story's discussion takes hundreds of account-days at 50
// comments a day each (review KK: removed comments stay in the outline, so a filled
// discussion stays full).
const DefaultMaxThreadComments = 20_000

// ThreadNode is a comment's place in its thread's outline.
type ThreadNode struct {
	ID, Parent uint64
}

// ThreadOutline returns the places of the comments item's pages show (those that
// show, and gone ones holding replies: see pruneOutline), in the order they were
// written, from the thread index alone.
func (db *DB) ThreadOutline(ctx context.Context, itemID uint64) ([]ThreadNode, error) {
	if err := ctxErr(ctx, "thread outline"); err != nil {
		return nil, err
	}
	var out []ThreadNode
	err := db.bolt.View(func(tx *bolt.Tx) error {
		prefix := u64(itemID)
		c := tx.Bucket(bucketThreadIdx).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			n, err := indexedNode(tx, k, v)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("thread outline of %d: %w", itemID, err)
	}
	return out, nil
}

// CommentsByID returns the comments ids name, in that order, in one read.
func (db *DB) CommentsByID(ctx context.Context, ids []uint64) ([]Comment, error) {
	if err := ctxErr(ctx, "comments by id"); err != nil {
		return nil, err
	}
	out := make([]Comment, 0, len(ids))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			c, err := getComment(tx, id)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("comments by id: %w", err)
	}
	return out, nil
}

// ErrThreadFull is AddComment's answer for a story whose discussion holds
// Options.MaxThreadComments.
var ErrThreadFull = errors.New("the discussion is full")

// threadCount counts item's comments from the thread index's keys (no comment decoded).
func threadCount(tx *bolt.Tx, itemID uint64) int {
	n := 0
	prefix := u64(itemID)
	c := tx.Bucket(bucketThreadIdx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}

// ThreadFull reports whether item's discussion takes no more comments under parent
// (0: none), counting the gone comments above it that a reply brings back into the
// outline (review 48: they made AddComment refuse after the reader's rates were spent).
func (db *DB) ThreadFull(ctx context.Context, itemID, parent uint64) (bool, error) {
	if err := ctxErr(ctx, "thread full"); err != nil {
		return false, err
	}
	full := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if threadCount(tx, itemID) >= db.maxThread {
			full = true
			return nil
		}
		if parent == 0 {
			return nil
		}
		p, err := getComment(tx, parent)
		if err != nil || p.ItemID != itemID {
			return nil // AddComment says what is wrong with it
		}
		_, err = db.outlineBack(tx, *p)
		full = errors.Is(err, ErrThreadFull)
		return nil
	})
	return full, err
}

// ThreadCommentCount is len(ThreadComments) without reading the comments: what a card
// shows, for every card drawn (a redraw pass draws up to 500).
func (db *DB) ThreadCommentCount(ctx context.Context, itemID uint64) (int, error) {
	if err := ctxErr(ctx, "count comments"); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = threadCount(tx, itemID)
		return nil
	})
	return n, err
}

// ThreadComments returns a story's comments in the order they were written.
func (db *DB) ThreadComments(ctx context.Context, itemID uint64) ([]Comment, error) {
	var out []Comment
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketThreadIdx).Cursor()
		prefix := u64(itemID)
		for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
			cm, err := getComment(tx, beU64(k[8:]))
			if err != nil {
				return err
			}
			out = append(out, *cm)
		}
		return nil
	})
	return out, err
}

// SetFollow makes chat follow (or, muted, stop receiving) a story's thread. The story
// must exist.
func (db *DB) SetFollow(ctx context.Context, itemID uint64, chat int64, muted bool) error {
	if err := ctxErr(ctx, "set follow"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := getItem(tx, u64(itemID)); err != nil {
			return fmt.Errorf("follow story %d: %w", itemID, err)
		}
		if muted {
			// The copies still waiting go too: a muted flood must not stay queued ahead
			// of the reader's answer and digest (review 75).
			if err := dropUnsentCopies(tx, chat, func(m *OutMessage, _ *Comment) bool { return m.Record.Items[0] == itemID }); err != nil {
				return fmt.Errorf("mute story %d: %w", itemID, err)
			}
		}
		return putFollow(tx, itemID, chat, muted)
	})
}

// dropUnsentCopies drops the comments' copies queued for chat and not yet sent for
// which drop says so. Edits and deletions of copies sent stay: they may take words off
// the reader's screen.
func dropUnsentCopies(tx *bolt.Tx, chat int64, drop func(*OutMessage, *Comment) bool) error {
	ids, err := queuedFor(tx, chat)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var m OutMessage
		if json.Unmarshal(tx.Bucket(bucketOutbox).Get(u64(id)), &m) != nil || m.ChatID != chat {
			continue // damaged, or listed wrongly: the listing is not trusted alone
		}
		if m.Method != "sendMessage" || m.Record == nil || m.Record.Kind != KindComment || len(m.Record.Items) == 0 {
			continue
		}
		c, err := getComment(tx, m.Record.Comment)
		if err != nil {
			continue // gone or damaged: its copy is the sender's to drop
		}
		if drop(&m, c) {
			if err := dropQueued(tx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxFollowedDiscussions bounds the discussions one chat follows (muted ones count): a
// new follow past it lets go of the oldest story's (review 75: follows had no bound;
// pressing "Follow discussion" on every story kept a record each for good).
const MaxFollowedDiscussions = 500

// putFollow writes a follow and its index entry by chat, letting go of the chat's
// oldest follow when a new one would pass MaxFollowedDiscussions.
func putFollow(tx *bolt.Tx, item uint64, chat int64, muted bool) error {
	idx := tx.Bucket(bucketFollows)
	if idx.Get(concat(i64(chat), u64(item))) == nil {
		var oldest []byte
		n := 0
		c := idx.Cursor()
		for k, _ := c.Seek(i64(chat)); k != nil && bytes.HasPrefix(k, i64(chat)) && n < MaxFollowedDiscussions; k, _ = c.Next() {
			if n == 0 {
				oldest = bytes.Clone(k) // keys go by story, oldest first
			}
			n++
		}
		if n >= MaxFollowedDiscussions {
			if err := tx.Bucket(bucketFollowers).Delete(concat(oldest[8:16], oldest[:8])); err != nil {
				return err
			}
			if err := idx.Delete(oldest); err != nil {
				return err
			}
		}
	}
	if err := idx.Put(concat(i64(chat), u64(item)), nil); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketFollowers), concat(u64(item), i64(chat)), Follower{ChatID: chat, Muted: muted})
}

// Followers returns a thread's followers (muted ones included, marked).
func (db *DB) Followers(ctx context.Context, itemID uint64) ([]Follower, error) {
	var out []Follower
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketFollowers).Cursor()
		prefix := u64(itemID)
		for k, v := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, v = c.Next() {
			var f Follower
			if err := json.Unmarshal(v, &f); err != nil {
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// Copies returns where a comment was relayed: (chat, message) pairs.
func (db *DB) Copies(ctx context.Context, commentID uint64) ([][2]int64, error) {
	var out [][2]int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCopies).Cursor()
		prefix := u64(commentID)
		for k, _ := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, _ = c.Next() {
			out = append(out, [2]int64{int64(binary.BigEndian.Uint64(k[8:16])), int64(binary.BigEndian.Uint64(k[16:24]))})
		}
		return nil
	})
	return out, err
}

// getProfile reads a user's profile; a user with none gets an empty one (found false).
func getProfile(b *bolt.Bucket, userID int64) (Profile, bool, error) {
	p, err := getJSON[Profile](b, i64(userID), "profile", userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Profile{UserID: userID}, false, nil
	case err != nil:
		return Profile{}, false, err
	}
	return *p, true, nil
}

// Profile returns a user's profile, creating it when new, and records the user's
// current first name (normalised by the caller) with its look-alike key: the first
// name claims the key when no one holds it, so it is shown without a tag.
func (db *DB) Profile(ctx context.Context, userID int64, firstName, firstKey string, now time.Time) (Profile, error) {
	if err := ctxErr(ctx, "profile"); err != nil {
		return Profile{}, err
	}
	var p Profile
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		stored, found, err := getProfile(b, userID)
		if err != nil {
			return err
		}
		p = stored
		if !found {
			p.FirstSeen = now
			// A banned user who used /forget comes back banned.
			p.Banned = tx.Bucket(bucketBans).Get(i64(userID)) != nil
			if p.Banned {
				if err := putJSON(b, i64(userID), &p); err != nil {
					return err
				}
			}
		}
		if found && p.FirstName == firstName && p.FirstKey == firstKey && (p.FirstOwned || firstKey == "") {
			return nil
		}
		names := tx.Bucket(bucketNames)
		oldKey, wasOwned := p.FirstKey, p.FirstOwned
		p.FirstName, p.FirstKey, p.FirstOwned = firstName, firstKey, false
		if firstKey != "" {
			if p.FirstOwned, err = claimName(names, firstKey, userID); err != nil {
				return err
			}
		}
		if wasOwned && oldKey != firstKey {
			if err := releaseName(names, oldKey, p); err != nil {
				return err
			}
		}
		return putJSON(b, i64(userID), &p)
	})
	if err != nil {
		return Profile{}, fmt.Errorf("profile %d: %w", userID, err)
	}
	return p, nil
}

// claimName gives key to userID unless another user holds it.
func claimName(names *bolt.Bucket, key string, userID int64) (bool, error) {
	if owner := names.Get([]byte(key)); owner != nil {
		return int64(beU64(owner)) == userID, nil
	}
	return true, names.Put([]byte(key), i64(userID))
}

// releaseName frees key if p's user holds it, uses it for neither name any more, and
// no comment of theirs shows it.
func releaseName(names *bolt.Bucket, key string, p Profile) error {
	if key == "" || key == p.NameKey || (p.FirstOwned && key == p.FirstKey) || p.shows(key) {
		return nil
	}
	if owner := names.Get([]byte(key)); owner != nil && int64(beU64(owner)) == p.UserID {
		return names.Delete([]byte(key))
	}
	return nil
}

// SetName sets a user's chosen display name (normalised by the caller), unique by key
// across users; an empty name goes back to the Telegram first name.
func (db *DB) SetName(ctx context.Context, userID int64, name, key string) error {
	if err := ctxErr(ctx, "set name"); err != nil {
		return err
	}
	if name != "" && key == "" {
		return ErrNameTaken // reserved: nobody may claim it
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		p, _, err := getProfile(b, userID)
		if err != nil {
			return err
		}
		names := tx.Bucket(bucketNames)
		if name != "" {
			ok, err := claimName(names, key, userID)
			if err != nil {
				return err
			}
			if !ok {
				return ErrNameTaken
			}
		}
		oldKey := p.NameKey
		p.Name, p.NameKey = name, key
		if oldKey != key {
			if err := releaseName(names, oldKey, p); err != nil {
				return err
			}
		}
		return putJSON(b, i64(userID), &p)
	})
}

// namesShown are the names a user's standing comments show, one per key (the newest
// spelling), by last use, oldest first, at most MaxShownNames, as markShown keeps
// them (a tagged name, which the tag keeps apart, is none).
func namesShown(tx *bolt.Tx, user int64, key func(string) string) ([]ShownName, error) {
	type use struct {
		name string
		at   int
	}
	lastUse := map[string]use{} // by key
	tagged := " #" + userTag(user)
	c := tx.Bucket(bucketByAuthor).Cursor()
	prefix := i64(user)
	n := 0
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		cm, err := getComment(tx, beU64(k[8:]))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if cm.Deleted || cm.Removed || cm.Erased || cm.AuthorName == "" || strings.HasSuffix(cm.AuthorName, tagged) {
			continue
		}
		if k := key(cm.AuthorName); k != "" {
			n++
			lastUse[k] = use{cm.AuthorName, n}
		}
	}
	keys := slices.SortedFunc(maps.Keys(lastUse), func(a, b string) int { return cmp.Compare(lastUse[a].at, lastUse[b].at) })
	if over := len(keys) - MaxShownNames; over > 0 {
		keys = keys[over:]
	}
	out := make([]ShownName, len(keys))
	for i, k := range keys {
		out[i] = ShownName{Name: lastUse[k].name, Key: k}
	}
	return out, nil
}

// ReindexNames rebuilds the name claims with key (a new normalisation) unless they were
// built with version already. Chosen names claim first, in user order; a chosen name
// that now clashes with an earlier one, or is no longer allowed, is dropped (its user
// falls back to the first name). It returns how many chosen names were dropped.
func (db *DB) ReindexNames(ctx context.Context, version string, key func(string) string) (int, error) {
	if err := ctxErr(ctx, "reindex names"); err != nil {
		return 0, err
	}
	dropped := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		dropped = 0
		meta := tx.Bucket(bucketMeta)
		if string(meta.Get(keyNamesVersion)) == version {
			return nil
		}
		if err := tx.DeleteBucket(bucketNames); err != nil {
			return err
		}
		names, err := tx.CreateBucket(bucketNames)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketProfiles)
		var profiles []Profile
		if err := b.ForEach(func(k, v []byte) error {
			var p Profile
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("decode profile %d: %w", beU64(k), err)
			}
			profiles = append(profiles, p)
			return nil
		}); err != nil {
			return err
		}
		// Current names claim first (chosen names, then the first names shown untagged),
		// then the names comments show, then the other first names: a rebuild takes no
		// one's current name, and gives no first name a name someone's comments show
		// (found by review).
		ownedFirst := make([]bool, len(profiles))
		for i := range profiles {
			p := &profiles[i]
			ownedFirst[i] = p.FirstOwned
			p.NameKey, p.FirstOwned = "", false
			if p.Name == "" {
				continue
			}
			k := key(p.Name)
			ok := false
			if k != "" {
				if ok, err = claimName(names, k, p.UserID); err != nil {
					return err
				}
			}
			if !ok {
				p.Name = ""
				dropped++
				continue
			}
			p.NameKey = k
		}
		firstName := func(p *Profile) error {
			p.FirstKey = ""
			if p.FirstName != "" {
				p.FirstKey = key(p.FirstName)
			}
			if p.FirstKey == "" {
				return nil
			}
			var err error
			p.FirstOwned, err = claimName(names, p.FirstKey, p.UserID)
			return err
		}
		for i := range profiles {
			if ownedFirst[i] {
				if err := firstName(&profiles[i]); err != nil {
					return err
				}
			}
		}
		// Names comments show are read from the comments (profiles written before Shown
		// have none).
		for i := range profiles {
			p := &profiles[i]
			shown, err := namesShown(tx, p.UserID, key)
			if err != nil {
				return err
			}
			p.Shown = p.Shown[:0]
			for _, n := range shown {
				if ok, err := claimName(names, n.Key, p.UserID); err != nil {
					return err
				} else if ok {
					p.Shown = append(p.Shown, n)
				}
			}
		}
		for i := range profiles {
			p := &profiles[i]
			if !ownedFirst[i] {
				if err := firstName(p); err != nil {
					return err
				}
			}
			if err := putJSON(b, i64(p.UserID), p); err != nil {
				return err
			}
		}
		return meta.Put(keyNamesVersion, []byte(version))
	})
	if err != nil {
		return 0, fmt.Errorf("reindex names: %w", err)
	}
	return dropped, nil
}

// SetBanned bans (or unbans) a user from commenting. The ban is also kept apart from
// the profile, so that /forget, which deletes the profile, does not lift it.
func (db *DB) SetBanned(ctx context.Context, userID int64, banned bool) error {
	if err := ctxErr(ctx, "set banned"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		p, _, err := getProfile(b, userID)
		if err != nil {
			return err
		}
		p.Banned = banned
		if banned {
			err = tx.Bucket(bucketBans).Put(i64(userID), timeKey(time.Now()))
		} else {
			err = tx.Bucket(bucketBans).Delete(i64(userID))
		}
		if err != nil {
			return err
		}
		return putJSON(b, i64(userID), &p)
	})
}

// Block hides author's comments from user, those queued for the user's chat included.
func (db *DB) Block(ctx context.Context, user, author int64) error {
	if err := ctxErr(ctx, "block author"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := dropUnsentCopies(tx, user, func(_ *OutMessage, c *Comment) bool { return c.AuthorID == author }); err != nil {
			return fmt.Errorf("block author: %w", err)
		}
		return tx.Bucket(bucketBlocks).Put(concat(i64(user), i64(author)), nil)
	})
}

// Blocked reports whether user blocked author.
func (db *DB) Blocked(ctx context.Context, user, author int64) (bool, error) {
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketBlocks).Get(concat(i64(user), i64(author))) != nil
		return nil
	})
	return ok, err
}

func pendingKey(chat int64, id uint64) []byte { return concat(i64(chat), u64(id)) }

// AddPending stores a comment that waits for its story. The chat's pending comments
// created before expired go first; when the author still has perAuthor or more in the
// chat, their oldest make room, and the chat as a whole holds at most perChat (the
// oldest go). So a chat holds only a few, for a short while, and one member cannot push
// out another's.
func (db *DB) AddPending(ctx context.Context, p PendingComment, expired time.Time, perAuthor, perChat int) (PendingComment, error) {
	if err := ctxErr(ctx, "add pending comment"); err != nil {
		return PendingComment{}, err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPending)
		prefix := i64(p.Chat)
		var live, mine, dead [][]byte
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var old PendingComment
			switch {
			case json.Unmarshal(v, &old) != nil || old.Created.Before(expired):
				dead = append(dead, append([]byte(nil), k...))
			case old.AuthorID == p.AuthorID:
				mine = append(mine, append([]byte(nil), k...))
			default:
				live = append(live, append([]byte(nil), k...))
			}
		}
		if perAuthor > 0 && len(mine) >= perAuthor {
			dead = append(dead, mine[:len(mine)-perAuthor+1]...)
			mine = mine[len(mine)-perAuthor+1:]
		}
		// Keys are in ID order, so the oldest of the others come first.
		if all := append(live, mine...); perChat > 0 && len(all) >= perChat {
			slices.SortFunc(all, bytes.Compare)
			dead = append(dead, all[:len(all)-perChat+1]...)
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		return putJSON(b, pendingKey(p.Chat, id), &p)
	})
	if err != nil {
		return PendingComment{}, fmt.Errorf("add pending comment: %w", err)
	}
	return p, nil
}

// Pending returns chat's pending comment id for author. It fails with ErrNotFound when
// there is none or it was created before expired, and with ErrNotYours, changing
// nothing, when it is another user's.
func (db *DB) Pending(ctx context.Context, chat int64, id uint64, author int64, expired time.Time) (PendingComment, error) {
	if err := ctxErr(ctx, "pending comment"); err != nil {
		return PendingComment{}, err
	}
	var p PendingComment
	err := db.bolt.View(func(tx *bolt.Tx) error {
		stored, err := getJSON[PendingComment](tx.Bucket(bucketPending), pendingKey(chat, id), "pending comment", id)
		if err != nil {
			return err
		}
		if stored.Created.Before(expired) {
			return ErrNotFound
		}
		if stored.AuthorID != author {
			return ErrNotYours
		}
		p = *stored
		return nil
	})
	if err != nil {
		return PendingComment{}, fmt.Errorf("pending comment %d: %w", id, err)
	}
	return p, nil
}

// EditPending gives the pending comment that author's message msg in chat left the
// text edit returns, or, when that is "", deletes it. edit is called only when there is
// one, outside any transaction. It fails with ErrNotFound when there is none (posted,
// expired, or never pending).
func (db *DB) EditPending(ctx context.Context, chat int64, msg int, author int64, edit func() (string, error)) error {
	if err := ctxErr(ctx, "edit pending comment"); err != nil {
		return err
	}
	find := func(tx *bolt.Tx) ([]byte, *PendingComment) {
		prefix := i64(chat)
		c := tx.Bucket(bucketPending).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var p PendingComment
			if json.Unmarshal(v, &p) == nil && p.Msg == msg && p.AuthorID == author {
				return bytes.Clone(k), &p
			}
		}
		return nil, nil
	}
	// Most edits are of no pending comment: looked for first without the writer.
	var found bool
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := find(tx)
		found = k != nil
		return nil
	}); err != nil {
		return fmt.Errorf("edit pending comment: %w", err)
	}
	if !found {
		return fmt.Errorf("edit pending comment: %w", ErrNotFound)
	}
	text, err := edit()
	if err != nil {
		return fmt.Errorf("edit pending comment: %w", err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		k, p := find(tx)
		switch {
		case k == nil:
			return ErrNotFound // picked meanwhile
		case text == "":
			return tx.Bucket(bucketPending).Delete(k)
		}
		p.Text = text
		return putJSON(tx.Bucket(bucketPending), k, p)
	})
	if err != nil {
		return fmt.Errorf("edit pending comment: %w", err)
	}
	return nil
}

// DeletePending removes a pending comment (posted, or given up).
func (db *DB) DeletePending(ctx context.Context, chat int64, id uint64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).Delete(pendingKey(chat, id))
	})
}

// PrunePending deletes every pending comment created before expired and returns how
// many.
func (db *DB) PrunePending(ctx context.Context, expired time.Time) (int, error) {
	if err := ctxErr(ctx, "prune pending comments"); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(bucketPending)
		var dead [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			var p PendingComment
			if json.Unmarshal(v, &p) != nil || p.Created.Before(expired) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}

// AddReport records that reporter reported comment id and returns how many readers
// have reported it, or 0 when this reader already had. It fails with ErrGone for a
// comment that no longer shows its text, and ErrNotFound for one that does not exist.
// What notify (when not nil) returns for the comment and the count is queued in the
// same transaction: the moderators' notice cannot be lost to a crash after the report
// was counted (audit 50: the replayed press answered "reported already").
func (db *DB) AddReport(ctx context.Context, id uint64, reporter int64, now time.Time, notify func(c Comment, reporters int) []OutMessage) (int, error) {
	if err := ctxErr(ctx, "add report"); err != nil {
		return 0, err
	}
	count := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		if c.Gone() {
			return ErrGone
		}
		b := tx.Bucket(bucketReports)
		k := concat(u64(id), i64(reporter))
		count = 0
		if b.Get(k) != nil {
			return nil
		}
		if err := b.Put(k, timeKey(now)); err != nil {
			return err
		}
		prefix := u64(id)
		cur := b.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			count++
		}
		if notify == nil {
			return nil
		}
		return putOutbox(tx, notify(*c, count), now)
	})
	if err != nil {
		return 0, fmt.Errorf("report comment %d: %w", id, err)
	}
	return count, nil
}

// moveDiscussionFollows makes the threads from follows followed by to instead; a thread
// to follows already keeps to's choice (muted or not).
func moveDiscussionFollows(tx *bolt.Tx, from, to int64) error {
	followers := tx.Bucket(bucketFollowers)
	moving := map[uint64]bool{} // thread -> muted
	c := tx.Bucket(bucketFollows).Cursor()
	for k, _ := c.Seek(i64(from)); k != nil && bytes.HasPrefix(k, i64(from)); k, _ = c.Next() {
		item := beU64(k[8:16])
		f, err := getJSON[Follower](followers, concat(u64(item), i64(from)), "follower", item)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		moving[item] = f.Muted
	}
	if err := unfollowChat(tx, from); err != nil {
		return err
	}
	for item, muted := range moving {
		if followers.Get(concat(u64(item), i64(to))) != nil {
			continue
		}
		if err := putFollow(tx, item, to, muted); err != nil {
			return err
		}
	}
	return nil
}

// UnfollowChat removes a chat from every thread (it blocked the bot).
func (db *DB) UnfollowChat(ctx context.Context, chat int64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return unfollowChat(tx, chat) })
}

func unfollowChat(tx *bolt.Tx, chat int64) error {
	idx, followers := tx.Bucket(bucketFollows), tx.Bucket(bucketFollowers)
	prefix := i64(chat)
	var keys [][]byte
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := followers.Delete(concat(k[8:16], k[:8])); err != nil {
			return err
		}
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
