package storage

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Discussion buckets (schema 3):
//
//	comments    id(8) -> Comment
//	thread_idx  item(8) | comment(8) -> nil           (a story's thread in time order)
//	followers   item(8) | chat(8) -> Follower
//	copies      comment(8) | chat(8) | message(8) -> nil  (relayed copies, for edits and deletes)
//	profiles    user(8) -> Profile;  names  lower(name) -> user(8)  (unique display names)
//	blocks      user(8) | author(8) -> nil
//	pending     id(8) -> PendingComment  (a reply to a digest waiting for "which story?")
var (
	bucketThreadIdx = []byte("thread_idx")
	bucketFollowers = []byte("followers")
	bucketCopies    = []byte("copies")
	bucketProfiles  = []byte("profiles")
	bucketNames     = []byte("names")
	bucketBlocks    = []byte("blocks")
	bucketPending   = []byte("pending")
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
	SrcChat    int64     `json:"src_chat"`
	SrcMsg     int       `json:"src_msg"`
}

// Gone reports whether the comment no longer shows its text.
func (c Comment) Gone() bool { return c.Deleted || c.Removed }

// Follower is a chat that receives a thread's comments.
type Follower struct {
	ChatID int64 `json:"chat"`
	Muted  bool  `json:"muted,omitempty"`
}

// Profile is what the discussion knows about a user.
type Profile struct {
	UserID    int64     `json:"user"`
	FirstName string    `json:"first_name"`
	Name      string    `json:"name,omitempty"` // chosen with /name
	FirstSeen time.Time `json:"first_seen"`
	Banned    bool      `json:"banned,omitempty"`
}

// DisplayName is the chosen name, or the Telegram first name.
func (p Profile) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	if p.FirstName != "" {
		return p.FirstName
	}
	return "Reader"
}

// PendingComment waits for its author to say which story of a digest it is about.
type PendingComment struct {
	ID       uint64 `json:"id"`
	AuthorID int64  `json:"author"`
	Chat     int64  `json:"chat"`
	Msg      int    `json:"msg"`
	Text     string `json:"text"`
}

// ErrNameTaken is returned when a display name belongs to someone else.
var ErrNameTaken = errors.New("that name is taken")

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
// author's own message mapped to it (for edits and /delete).
func (db *DB) AddComment(ctx context.Context, c Comment) (Comment, error) {
	if err := ctxErr(ctx, "add comment"); err != nil {
		return Comment{}, err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := getItem(tx, u64(c.ItemID)); err != nil {
			return fmt.Errorf("story %d: %w", c.ItemID, err)
		}
		c.Depth = 0
		if c.ParentID != 0 {
			p, err := getComment(tx, c.ParentID)
			if err != nil {
				return fmt.Errorf("parent comment %d: %w", c.ParentID, err)
			}
			if p.ItemID != c.ItemID {
				return fmt.Errorf("parent comment %d is on another story", c.ParentID)
			}
			c.Depth = p.Depth + 1
		}
		b := tx.Bucket(bucketComments)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		c.ID = id
		if err := putJSON(b, u64(id), &c); err != nil {
			return err
		}
		if err := tx.Bucket(bucketThreadIdx).Put(concat(u64(c.ItemID), u64(id)), nil); err != nil {
			return err
		}
		if tb := tx.Bucket(bucketThreads); tb.Get(u64(c.ItemID)) == nil {
			if err := putJSON(tb, u64(c.ItemID), map[string]any{"item": c.ItemID, "created": c.Created}); err != nil {
				return err
			}
		}
		fk := concat(u64(c.ItemID), i64(c.SrcChat))
		if tx.Bucket(bucketFollowers).Get(fk) == nil {
			if err := putJSON(tx.Bucket(bucketFollowers), fk, Follower{ChatID: c.SrcChat}); err != nil {
				return err
			}
		}
		if c.SrcMsg != 0 {
			rec := MessageRecord{Kind: "comment-source", Items: []uint64{c.ItemID}, Comment: id}
			return putJSON(tx.Bucket(bucketMsgMap), concat(i64(c.SrcChat), u64(uint64(c.SrcMsg))), &rec)
		}
		return nil
	})
	if err != nil {
		return Comment{}, fmt.Errorf("add comment: %w", err)
	}
	return c, nil
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

// UpdateComment applies fn to a stored comment.
func (db *DB) UpdateComment(ctx context.Context, id uint64, fn func(*Comment) error) (Comment, error) {
	var out Comment
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		out = *c
		return putJSON(tx.Bucket(bucketComments), u64(id), c)
	})
	if err != nil {
		return Comment{}, fmt.Errorf("update comment %d: %w", id, err)
	}
	return out, nil
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

// SetFollow makes chat follow (or, muted, stop receiving) a story's thread.
func (db *DB) SetFollow(ctx context.Context, itemID uint64, chat int64, muted bool) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketFollowers), concat(u64(itemID), i64(chat)), Follower{ChatID: chat, Muted: muted})
	})
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

// Profile returns a user's profile, creating it from firstName when new.
func (db *DB) Profile(ctx context.Context, userID int64, firstName string, now time.Time) (Profile, error) {
	var p Profile
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		stored, found, err := getProfile(b, userID)
		switch {
		case err != nil:
			return err
		case !found:
			p = Profile{UserID: userID, FirstName: firstName, FirstSeen: now}
		case firstName == "" || stored.FirstName == firstName:
			p = stored
			return nil
		default:
			p = stored
			p.FirstName = firstName
		}
		return putJSON(b, i64(userID), &p)
	})
	return p, err
}

// SetName sets a user's display name, unique across users (case-insensitive); an
// empty name goes back to the Telegram first name.
func (db *DB) SetName(ctx context.Context, userID int64, name string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		p, _, err := getProfile(b, userID)
		if err != nil {
			return err
		}
		names := tx.Bucket(bucketNames)
		if name != "" {
			key := []byte(strings.ToLower(name))
			if owner := names.Get(key); owner != nil && int64(beU64(owner)) != userID {
				return ErrNameTaken
			}
			if err := names.Put(key, i64(userID)); err != nil {
				return err
			}
		}
		if p.Name != "" && !strings.EqualFold(p.Name, name) {
			if err := names.Delete([]byte(strings.ToLower(p.Name))); err != nil {
				return err
			}
		}
		p.Name = name
		return putJSON(b, i64(userID), &p)
	})
}

// SetBanned bans (or unbans) a user from commenting.
func (db *DB) SetBanned(ctx context.Context, userID int64, banned bool) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		p, _, err := getProfile(b, userID)
		if err != nil {
			return err
		}
		p.Banned = banned
		return putJSON(b, i64(userID), &p)
	})
}

// Block hides author's comments from user.
func (db *DB) Block(ctx context.Context, user, author int64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
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

// AddPending stores a comment that waits for its story.
func (db *DB) AddPending(ctx context.Context, p PendingComment) (PendingComment, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPending)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.ID = id
		return putJSON(b, u64(id), &p)
	})
	return p, err
}

// TakePending removes and returns a pending comment.
func (db *DB) TakePending(ctx context.Context, id uint64) (PendingComment, error) {
	var p PendingComment
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPending)
		stored, err := getJSON[PendingComment](b, u64(id), "pending comment", id)
		if err != nil {
			return err
		}
		p = *stored
		return b.Delete(u64(id))
	})
	return p, err
}

// CommentsBy returns the IDs of a user's comments that still show their text.
func (db *DB) CommentsBy(ctx context.Context, userID int64) ([]uint64, error) {
	var out []uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketComments).ForEach(func(k, v []byte) error {
			var c Comment
			if json.Unmarshal(v, &c) == nil && c.AuthorID == userID && !c.Gone() {
				out = append(out, c.ID)
			}
			return nil
		})
	})
	return out, err
}

// UnfollowChat removes a chat from every thread (it blocked the bot).
func (db *DB) UnfollowChat(ctx context.Context, chat int64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return unfollowChat(tx, chat) })
}

func unfollowChat(tx *bolt.Tx, chat int64) error {
	b := tx.Bucket(bucketFollowers)
	var keys [][]byte
	suffix := string(i64(chat))
	if err := b.ForEach(func(k, v []byte) error {
		if len(k) == 16 && string(k[8:]) == suffix {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
