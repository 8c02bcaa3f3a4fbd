package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutMessage is one queued Bot API call. The outbox is written before anything is
// sent, so a crash loses nothing; a message is deleted only after Telegram accepted it.
type OutMessage struct {
	ID     uint64            `json:"id"`
	ChatID int64             `json:"chat_id"`
	Method string            `json:"method"` // sendMessage, sendDocument, editMessageText...
	Params map[string]string `json:"params"`
	// Plain is the message as plain text, sent instead if Telegram cannot parse the
	// HTML.
	Plain    string `json:"plain,omitempty"`
	FileName string `json:"file_name,omitempty"`
	File     []byte `json:"file,omitempty"`
	// Record says what the sent message is about, for replies later (item IDs of a
	// digest or card).
	Record   *MessageRecord `json:"record,omitempty"`
	Created  time.Time      `json:"created"`
	Attempts int            `json:"attempts,omitempty"`
	// Class ranks the message for the sender: it serves the chats with an answer to a
	// reader queued first, then those waiting for a digest or a story's update, then
	// those with an erasure, then those waiting for a comment's copy; within a chat, a
	// message goes before those of a lower class queued before it. One comment to
	// thousands of followers delays no one's answer nor anyone's digest.
	Class MessageClass `json:"class,omitempty"`
}

// MessageClass is a sender's rank of a queued message. The values are stored: never
// change them; Classes gives the order they are served in.
type MessageClass uint8

// Message classes.
const (
	ClassAnswer MessageClass = iota // a reader's answer, and anything else
	ClassDigest                     // scheduled digests, followed stories' updates
	ClassCopy                       // relayed comments' copies and their edits
	ClassErase                      // deletions: served after the digests, before the copies
)

// DeletedText is what a message the bot may no longer delete (older than Telegram's 48
// hours) is edited to instead: such an edit is a deletion, and is kept as one.
const DeletedText = "(deleted)"

// Erases reports whether the message takes words off a screen (a deletion, or the edit
// that stands for one): /forget keeps it.
func (m OutMessage) Erases() bool {
	return m.Method == "deleteMessage" || m.Method == "editMessageText" && m.Params["text"] == DeletedText
}

// Classes are every MessageClass, in the order the sender serves them. Deletions are
// ranked apart: with the digests, one author's deletions of comments a thousand chats
// follow held back every digest (review 75); with the copies, every erasure waited
// behind all the copies queued for others (review 77: 20 s behind 1,200).
func Classes() []MessageClass {
	return []MessageClass{ClassAnswer, ClassDigest, ClassErase, ClassCopy}
}

// Rank is the class's place in Classes; a class this version does not know ranks last.
func (c MessageClass) Rank() int {
	if i := slices.Index(Classes(), c); i >= 0 {
		return i
	}
	return len(Classes()) - 1
}

// RecordKind says what a sent (or received) message is about.
type RecordKind string

// Record kinds. The values are stored: never change them.
const (
	KindDigest        RecordKind = "digest"         // a digest part: Items in story order
	KindCard          RecordKind = "card"           // a story card: Items[0]
	KindComment       RecordKind = "comment"        // a relayed copy of Comment
	KindCommentSource RecordKind = "comment-source" // the author's own message that posted Comment
	KindReport        RecordKind = "report"         // a moderator's copy of a report on Comment
	KindThreadPage    RecordKind = "thread-page"    // a discussion page: Items[0]'s thread, showing Comments
	KindPassedBy      RecordKind = "passed-by"      // a note that comments' copies passed the chat by (RelayComment)
)

// Copy reports whether messages of this kind show a comment's text, so that an edit,
// a deletion or an erasure must reach them.
func (k RecordKind) Copy() bool { return k == KindComment || k == KindReport }

// MessageRecord is stored for each sent message that is about stories.
type MessageRecord struct {
	Kind    RecordKind `json:"kind"`
	Items   []uint64   `json:"items"`
	Comment uint64     `json:"comment,omitempty"`
	// First is the number of the first story in a digest part (numbering continues
	// across parts).
	First int `json:"first,omitempty"`
	// Rev is the revision of Comment a copy was rendered from (Comment.Rev).
	Rev int `json:"rev,omitempty"`
	// Comments are the comments a discussion page shows (KindThreadPage), so that their
	// deletion takes the page down (thread_pages).
	Comments []uint64 `json:"comments,omitempty"`
	// Queued is when the message was queued, in Unix seconds on the bot's clock (0 in
	// records stored before it was kept): a digest's or a card's record goes with
	// retention even when a discussion keeps its story (pruneMessageRecords).
	Queued int64 `json:"at,omitempty"`
	// Unquoted marks a comment's copy drawn quoting no parent (it has none, or the
	// parent was gone): a parent's going takes nothing off it, so redrawing it brings
	// words and takes none away (review 81). Records from before it count as quoting.
	Unquoted bool `json:"unquoted,omitempty"`
	// Rewrite marks an edit of a message recorded when it was sent (a report rewritten
	// after its comment was deleted): it is queued under its comment, so that erasing
	// the comment drops it, and takes down nothing when it lands late.
	Rewrite bool `json:"rewrite,omitempty"`
}

// putOutbox appends messages to the outbox inside tx, assigning IDs in order.
func putOutbox(tx *bolt.Tx, msgs []OutMessage, now time.Time) error {
	b := tx.Bucket(bucketOutbox)
	for i := range msgs {
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		msgs[i].ID = id
		if msgs[i].Created.IsZero() {
			msgs[i].Created = now
		}
		if r := msgs[i].Record; r != nil && r.Queued == 0 {
			r.Queued = msgs[i].Created.Unix()
		}
		if err := putQueued(tx, &msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

// The outbox is listed two ways, so that a change to a few queued messages reads those
// few, not the queue: by the comments its messages show (outbox_refs: an edit or a
// removal of a comment) and by chat (outbox_chats: a chat that blocked the bot,
// /forget, a group's upgrade). Scanned while a digest run of 100,000 waited to be
// sent, an edit held every other writer for 0.28 s and a chat's block for 1.5 s. Every
// message goes in through putQueued and out through dropQueued; a listing whose
// message is gone is skipped, and removed, when read.

// queuedListing is what a queued message is listed under.
type queuedListing struct {
	ChatID int64 `json:"chat_id"`
	Record *struct {
		Kind     RecordKind `json:"kind"`
		Items    []uint64   `json:"items"`
		Comment  uint64     `json:"comment"`
		Comments []uint64   `json:"comments"`
	} `json:"record"`
}

// listingKeys returns the keys of a stored message's listings: its chat's (with its
// tag), and one per comment it shows (a copy's or a report's comment, a discussion
// page's).
func listingKeys(id uint64, v []byte) (chat, tag []byte, refs [][]byte, err error) {
	var l queuedListing
	if err := json.Unmarshal(v, &l); err != nil {
		return nil, nil, nil, fmt.Errorf("queued message %d: %w", id, err)
	}
	var comments []uint64
	if r := l.Record; r != nil {
		comments = append(slices.Clone(r.Comments), r.Comment)
		tag = listingTag(r.Kind, r.Items)
	}
	chat, refs = keysOf(id, l.ChatID, comments)
	return chat, tag, refs, nil
}

// A chat's listing of a comment's copy (or an edit of one) holds tagCopy and the
// story, of a note of copies passed by tagNote and the story: so that RelayComment
// counts what waits for a follower from the listings alone (chatCopies).
const (
	tagCopy = 'c'
	tagNote = 'n'
)

// listingTag is the value of a chat's listing of a message with a record of kind about
// items (nil for any other message).
func listingTag(kind RecordKind, items []uint64) []byte {
	if len(items) == 0 {
		return nil
	}
	switch kind {
	case KindComment:
		return append([]byte{tagCopy}, u64(items[0])...)
	case KindPassedBy:
		return append([]byte{tagNote}, u64(items[0])...)
	}
	return nil
}

// tagOf is the listing tag of m.
func tagOf(m *OutMessage) []byte {
	if m.Record == nil {
		return nil
	}
	return listingTag(m.Record.Kind, m.Record.Items)
}

// keysOf returns the listing keys of message id, queued for chat and showing comments
// (a 0 among them is none).
func keysOf(id uint64, chat int64, comments []uint64) ([]byte, [][]byte) {
	var refs [][]byte
	for _, c := range comments {
		if c != 0 {
			refs = append(refs, concat(u64(c), u64(id)))
		}
	}
	return concat(i64(chat), u64(id)), refs
}

// list lists (or, with drop, unlists) a message under the keys keysOf gave, its
// chat's listing holding tag.
func list(tx *bolt.Tx, chat, tag []byte, refs [][]byte, drop bool) error {
	if drop {
		if err := tx.Bucket(bucketOutboxChats).Delete(chat); err != nil {
			return err
		}
	} else if err := tx.Bucket(bucketOutboxChats).Put(chat, tag); err != nil {
		return err
	}
	for _, k := range refs {
		var err error
		if drop {
			err = tx.Bucket(bucketOutboxRefs).Delete(k)
		} else {
			err = tx.Bucket(bucketOutboxRefs).Put(k, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// listStored lists (or unlists) the stored message v of id. A damaged one cannot be
// listed; its listings are dropped when read.
func listStored(tx *bolt.Tx, id uint64, v []byte, drop bool) error {
	chat, tag, refs, err := listingKeys(id, v)
	if err != nil {
		return nil
	}
	return list(tx, chat, tag, refs, drop)
}

// shownComments returns the comments a queued message shows: a copy's or a report's
// comment, a discussion page's.
func shownComments(m *OutMessage) []uint64 {
	if m.Record == nil {
		return nil
	}
	ids := slices.Clone(m.Record.Comments)
	if m.Record.Comment != 0 {
		ids = append(ids, m.Record.Comment)
	}
	return ids
}

// putQueued stores m under its ID and lists it (in place of what was stored there).
func putQueued(tx *bolt.Tx, m *OutMessage) error {
	b := tx.Bucket(bucketOutbox)
	if old := b.Get(u64(m.ID)); old != nil {
		if err := listStored(tx, m.ID, old, true); err != nil {
			return err
		}
	}
	if err := putJSON(b, u64(m.ID), m); err != nil {
		return err
	}
	// From m itself: decoding what was just encoded would cost every message queued.
	chat, refs := keysOf(m.ID, m.ChatID, shownComments(m))
	return list(tx, chat, tagOf(m), refs, false)
}

// dropQueued deletes the queued message id, and its listings.
func dropQueued(tx *bolt.Tx, id uint64) error {
	b := tx.Bucket(bucketOutbox)
	v := b.Get(u64(id))
	if v == nil {
		return nil
	}
	if err := listStored(tx, id, v, true); err != nil {
		return err
	}
	return b.Delete(u64(id))
}

// listed returns the IDs of the queued messages listed in bucket under any of the
// prefixes, in order, and unlists those no longer queued.
func listed(tx *bolt.Tx, bucket []byte, prefixes ...[]byte) ([]uint64, error) {
	b := tx.Bucket(bucket)
	ob := tx.Bucket(bucketOutbox)
	var ids []uint64
	var gone [][]byte
	for _, prefix := range prefixes {
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := beU64(k[len(k)-8:])
			if ob.Get(u64(id)) == nil {
				gone = append(gone, bytes.Clone(k))
				continue
			}
			ids = append(ids, id)
		}
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return nil, err
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// queuedShowing returns the IDs of the queued messages that show any of comments.
func queuedShowing(tx *bolt.Tx, comments []uint64) ([]uint64, error) {
	prefixes := make([][]byte, len(comments))
	for i, c := range comments {
		prefixes[i] = u64(c)
	}
	return listed(tx, bucketOutboxRefs, prefixes...)
}

// queuedFor returns the IDs of the messages queued for chat.
func queuedFor(tx *bolt.Tx, chat int64) ([]uint64, error) {
	return listed(tx, bucketOutboxChats, i64(chat))
}

// CheckOutbox reports every way the outbox's listings disagree with what is queued: a
// message not listed under its chat or a comment it shows, or a listing of a message
// not about it. It reads the whole queue in one read transaction: the tests of every
// package that queues through the store call it at their end.
func (db *DB) CheckOutbox(ctx context.Context) error {
	if err := ctxErr(ctx, "check outbox"); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		if err := hasBuckets(tx, bucketOutbox, bucketOutboxRefs, bucketOutboxChats); err != nil {
			return fmt.Errorf("check outbox: %w", err)
		}
		want := map[string]map[string]bool{string(bucketOutboxRefs): {}, string(bucketOutboxChats): {}}
		tags := map[string]string{}
		if err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			chat, tag, refs, err := listingKeys(beU64(k), v)
			if err != nil {
				return err
			}
			want[string(bucketOutboxChats)][string(chat)] = true
			tags[string(chat)] = string(tag)
			for _, r := range refs {
				want[string(bucketOutboxRefs)][string(r)] = true
			}
			return nil
		}); err != nil {
			return fmt.Errorf("check outbox: %w", err)
		}
		var d differences
		for _, bucket := range slices.Sorted(maps.Keys(want)) {
			keys := want[bucket]
			have := map[string]bool{}
			if err := tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error {
				have[string(k)] = true
				if !keys[string(k)] && len(k) >= 8 {
					d.add(bucket, fmt.Sprintf("lists message %d under %x, which it is not about", beU64(k[len(k)-8:]), k[:len(k)-8]))
				}
				if bucket == string(bucketOutboxChats) && keys[string(k)] && string(v) != tags[string(k)] {
					d.add(bucket, fmt.Sprintf("tags message %d %x, not %x", beU64(k[len(k)-8:]), v, tags[string(k)]))
				}
				return nil
			}); err != nil {
				return err
			}
			for _, k := range slices.Sorted(maps.Keys(keys)) {
				if !have[k] {
					d.add(bucket, fmt.Sprintf("does not list message %d under %x", beU64([]byte(k[len(k)-8:])), k[:len(k)-8]))
				}
			}
		}
		return d.err()
	})
}

// indexOutbox lists the queued messages by comment and by chat (schema 15).
func indexOutbox(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketOutboxRefs, bucketOutboxChats} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error { return listStored(tx, beU64(k), v, false) })
}

// EnqueueCopyChanges queues msgs (edits or deletions of a comment's copies, rendered
// from revision rev; a ClassCopy edit for a reader the copies pass by is left out) and
// unlists, in the same transaction, every copy of comment a
// deletion among them takes down: a later refresh of the comment's copies (StaleCopies)
// finds only what still shows, not thousands of copies gone already. It fails with
// ErrStale, queueing nothing, when the comment is no longer at rev (its parent erased
// meanwhile, say: the render may quote it).
func (db *DB) EnqueueCopyChanges(ctx context.Context, comment uint64, rev int, msgs []OutMessage, now time.Time) error {
	if err := ctxErr(ctx, "enqueue copy changes"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := atRevision(tx, comment, rev); err != nil {
			return err
		}
		var kept []OutMessage
		for _, m := range msgs {
			// New words for a reader the copies pass by do not wait for them: the copy
			// keeps what it showed (review 79: edits of delivered copies queued without
			// bound). Edits that take words away come as ClassErase, and always go.
			if m.Method == "editMessageText" && m.Class == ClassCopy && m.Record != nil && m.Record.Kind == KindComment &&
				len(m.Record.Items) > 0 && chatCopies(tx, m.ChatID, m.Record.Items[0]).overFull() {
				continue
			}
			kept = append(kept, m)
		}
		msgs = kept
		for _, m := range msgs {
			msg, err := strconv.ParseInt(m.Params["message_id"], 10, 64)
			if m.Method != "deleteMessage" || err != nil {
				continue
			}
			if err := tx.Bucket(bucketCopies).Delete(concat(u64(comment), i64(m.ChatID), u64(uint64(msg)))); err != nil {
				return err
			}
			if err := tx.Bucket(bucketMsgMap).Delete(concat(i64(m.ChatID), u64(uint64(msg)))); err != nil {
				return err
			}
		}
		return putOutbox(tx, msgs, now)
	})
}

// Enqueue adds messages to the outbox in one transaction.
func (db *DB) Enqueue(ctx context.Context, msgs []OutMessage, now time.Time) error {
	if err := ctxErr(ctx, "enqueue"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return putOutbox(tx, msgs, now) })
}

// ErrConflict is returned when a record changed since it was read.
var ErrConflict = errors.New("changed concurrently")

// CommitDigest records a digest run for one subscriber in one transaction: the
// messages go into the outbox, the subscriber's last and next digest times move, and
// the followed stories' developments the digest took (held[story] of each, held back
// in quiet hours) are cleared, so a crash either does all or none (audit 50: cleared
// apart, a crash between repeated them in the next digest). It fails with ErrConflict,
// changing nothing, when the subscriber's last digest is no longer expectLast (another
// run got there first), so a digest is never queued twice. through is the newest item
// the digest considered (its DigestedTo never moves back).
func (db *DB) CommitDigest(ctx context.Context, chatID int64, msgs []OutMessage, expectLast, last, next time.Time, through uint64, held map[uint64][]uint64) error {
	if err := ctxErr(ctx, "commit digest"); err != nil {
		return err
	}
	// Not bbolt's Batch: with a couple of digest workers a batch rarely fills, so each
	// commit would wait out its delay (measured: a 10,000-digest run four times
	// slower).
	return db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := getSubscriber(tx, chatID)
		if err != nil {
			return fmt.Errorf("commit digest for %d: %w", chatID, err)
		}
		if !s.LastDigest.Equal(expectLast) {
			return fmt.Errorf("commit digest for %d: %w", chatID, ErrConflict)
		}
		if err := putOutbox(tx, msgs, last); err != nil {
			return err
		}
		if len(held) > 0 {
			if err := clearHeld(tx, chatID, held, last); err != nil {
				return err
			}
		}
		s.LastDigest, s.NextDigest = last, next
		s.DigestedTo = max(s.DigestedTo, through)
		return putSubscriber(tx, s)
	})
}

// Outbox returns up to limit queued messages with ID > after, in order.
func (db *DB) Outbox(ctx context.Context, after uint64, limit int) ([]OutMessage, error) {
	if err := ctxErr(ctx, "read outbox"); err != nil {
		return nil, err
	}
	var out []OutMessage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			var m OutMessage
			if json.Unmarshal(v, &m) != nil {
				// Damaged: it cannot be sent, and failing the page would hold back every
				// message queued after it, for good (review 56). It stays for an operator
				// to see (newsbot_outbox_depth counts it).
				continue
			}
			out = append(out, m)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// OutboxStats reports the queue depth and the age of the oldest message.
func (db *DB) OutboxStats(ctx context.Context, now time.Time) (depth int, oldest time.Duration, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		depth = b.Stats().KeyN
		if _, v := b.Cursor().First(); v != nil {
			var m OutMessage
			if json.Unmarshal(v, &m) == nil {
				oldest = now.Sub(m.Created)
			}
		}
		return nil
	})
	return depth, oldest, err
}

// SentCopy says what Sent found of a delivered copy of a comment: its comment went
// while it was in flight (Deleted: a deleteMessage for it is queued), or changed (Stale:
// the comment's copies must be rendered again, this one included).
type SentCopy struct {
	Deleted bool
	Stale   uint64 // the comment, when stale
}

// Sent removes a delivered message from the outbox and stores what it was about under
// (chat, message ID), in one transaction. A copy of a comment that was deleted or
// erased while it was in flight is not recorded but deleted at once; one rendered from
// an older revision is recorded and reported stale.
func (db *DB) Sent(ctx context.Context, id uint64, chatID int64, messageID int, rec *MessageRecord) (SentCopy, error) {
	// The sender's workers record their sends at once: a group commit joins them
	// (one fsync for many), which is what bounded the fan-out rate. The function is
	// free of effects outside the transaction, as a group commit requires (it may run
	// twice): out is set afresh on each run.
	var out SentCopy
	err := db.sent.update(db.bolt, func(tx *bolt.Tx) error {
		out = SentCopy{}
		if rec != nil && messageID != 0 && rec.Kind == KindCard && len(rec.Items) > 0 {
			// A card of a followed story is edited when the story develops (issue 15):
			// remember it, as of when it was queued (the clock the bot runs on).
			queued := time.Time{}
			if m, err := getJSON[OutMessage](tx.Bucket(bucketOutbox), u64(id), "outbox message", id); err == nil {
				queued = m.Created
			}
			if err := recordStoryCard(tx, chatID, messageID, rec.Items[0], queued); err != nil {
				return err
			}
		}
		if rec != nil && messageID != 0 && rec.Kind == KindThreadPage && len(rec.Items) > 0 {
			gone, err := anyGone(tx, rec.Comments)
			if err != nil {
				return err
			}
			if gone {
				// A comment it shows went while it was in flight: take the page down, and
				// unlist it if it was a page turned in place.
				if err := tx.Bucket(bucketThreadPages).Delete(concat(u64(rec.Items[0]), i64(chatID), u64(uint64(messageID)))); err != nil {
					return err
				}
				if err := deleteNow(tx, chatID, messageID); err != nil {
					return err
				}
				out.Deleted = true
				return dropQueued(tx, id)
			}
			replaced, err := putThreadPage(tx, rec.Items[0], chatID, messageID, rec.Comments)
			if err != nil {
				return err
			}
			out.Deleted = out.Deleted || replaced // the earlier page's deletion: send it now
		}
		if rec != nil && messageID != 0 {
			if rec.Comment != 0 && rec.Kind.Copy() {
				c, err := getComment(tx, rec.Comment)
				switch {
				case rec.Rewrite && (errors.Is(err, ErrNotFound) || err == nil && c.Erased):
					// /delete's rewrite of a report, in flight when the author's /forget
					// came (or the comment was pruned): EraseChat queued the report's own
					// rewrite after it. Deleting the report would leave the moderators no
					// ban button.
					return dropQueued(tx, id)
				case err == nil && rec.Kind == KindReport && c.Deleted && !c.Erased:
					// The moderators' report of a comment its author deleted stays, so
					// that they can still ban the author. One sent as it was (in flight
					// when the comment went) is rewritten without the text by the
					// refresh of stale copies; one rewritten while it waited is done.
					if c.Rev != rec.Rev {
						out.Stale = c.ID
						if err := markStale(tx, c.ID); err != nil {
							return err
						}
					}
				case errors.Is(err, ErrNotFound) || err == nil && (c.Deleted || c.Erased):
					// Deleted or erased while this copy was in flight, after its copies
					// were listed: delete this one too, now.
					if err := deleteNow(tx, chatID, messageID); err != nil {
						return err
					}
					out.Deleted = true
					return dropQueued(tx, id)
				case err != nil:
					return err
				case c.Rev != rec.Rev && rec.Kind == KindComment:
					// A report shows what was reported: never redone. A copy is, even if
					// the bot stops before it gets to it: the mark is stored.
					out.Stale = c.ID
					if err := markStale(tx, c.ID); err != nil {
						return err
					}
				}
			}
			if err := putJSON(tx.Bucket(bucketMsgMap), concat(i64(chatID), u64(uint64(messageID))), rec); err != nil {
				return err
			}
			if rec.Comment != 0 && rec.Kind.Copy() {
				if err := tx.Bucket(bucketCopies).Put(concat(u64(rec.Comment), i64(chatID), u64(uint64(messageID))), nil); err != nil {
					return err
				}
			}
		}
		return dropQueued(tx, id)
	})
	return out, err
}

// Deletion is the queued deletion of a message the bot sent (a comment's copy, a
// discussion page), in a class of its own (see Classes).
func Deletion(chat int64, msg int64) OutMessage {
	return OutMessage{ChatID: chat, Method: "deleteMessage", Class: ClassErase,
		Params: map[string]string{"chat_id": strconv.FormatInt(chat, 10), "message_id": strconv.FormatInt(msg, 10)}}
}

// deleteNow queues the deletion of a message the bot sent, and forgets its record.
func deleteNow(tx *bolt.Tx, chat int64, msg int) error {
	if err := putOutbox(tx, []OutMessage{Deletion(chat, int64(msg))}, time.Now()); err != nil {
		return err
	}
	return tx.Bucket(bucketMsgMap).Delete(concat(i64(chat), u64(uint64(msg))))
}

// putThreadPage lists a discussion page sent to chat, and takes down the chat's
// earlier page of that story: one open page per story and chat, so that no reader can
// make a comment's deletion fan out to thousands of pages.
func putThreadPage(tx *bolt.Tx, item uint64, chat int64, msg int, comments []uint64) (replaced bool, err error) {
	b := tx.Bucket(bucketThreadPages)
	prefix := concat(u64(item), i64(chat))
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if int(beU64(k[16:24])) != msg {
			old = append(old, append([]byte(nil), k...))
		}
	}
	for _, k := range old {
		if err := deleteNow(tx, chat, int(beU64(k[16:24]))); err != nil {
			return false, err
		}
		if err := b.Delete(k); err != nil {
			return false, err
		}
	}
	raw, err := json.Marshal(comments)
	if err != nil {
		return false, err
	}
	return len(old) > 0, b.Put(concat(prefix, u64(uint64(msg))), raw)
}

// ThreadPageListed reports whether message msg of chat is the open discussion page of
// item (turning its pages may edit it in place).
func (db *DB) ThreadPageListed(ctx context.Context, item uint64, chat int64, msg int) (bool, error) {
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketThreadPages).Get(concat(u64(item), i64(chat), u64(uint64(msg)))) != nil
		return nil
	})
	return ok, err
}

// takeDownPages queues the deletion of every discussion page of item that shows
// comment, in any chat, and unlists them; it returns them as (chat, message ID).
func takeDownPages(tx *bolt.Tx, item, comment uint64) ([][2]int64, error) {
	b := tx.Bucket(bucketThreadPages)
	prefix := u64(item)
	var hit [][]byte
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var shown []uint64
		if json.Unmarshal(v, &shown) == nil && slices.Contains(shown, comment) {
			hit = append(hit, append([]byte(nil), k...))
		}
	}
	var out [][2]int64
	for _, k := range hit {
		chat, msg := int64(beU64(k[8:16])), int(beU64(k[16:24]))
		if err := deleteNow(tx, chat, msg); err != nil {
			return nil, err
		}
		if err := b.Delete(k); err != nil {
			return nil, err
		}
		out = append(out, [2]int64{chat, int64(msg)})
	}
	return out, nil
}

// TakeDownPages queues the deletion of the discussion pages that show a comment (it was
// deleted or removed) and unlists them, and drops those still queued; it returns how
// many were sent.
func (db *DB) TakeDownPages(ctx context.Context, item, comment uint64) (int, error) {
	if err := ctxErr(ctx, "take down pages"); err != nil {
		return 0, err
	}
	var n int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		pages, err := takeDownPages(tx, item, comment)
		n = len(pages)
		if err != nil {
			return err
		}
		_, err = rewriteQueued(tx, []uint64{comment}, func(m *OutMessage) (bool, bool) {
			return m.Record == nil || m.Record.Kind != KindThreadPage || !slices.Contains(m.Record.Comments, comment), false
		})
		return err
	})
	return n, err
}

// ErrWithdrawn is OutMessage's answer for a queued discussion page that shows a comment
// gone since it was rendered: the sender drops it rather than show the comment.
var ErrWithdrawn = errors.New("shows a comment that is gone")

// anyGone reports whether any of the comments is deleted, removed or erased (or no
// longer stored).
func anyGone(tx *bolt.Tx, ids []uint64) (bool, error) {
	for _, id := range ids {
		c, err := getComment(tx, id)
		if errors.Is(err, ErrNotFound) || err == nil && c.Gone() {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// MarkStale marks a comment's copies to be rendered again by the refresh (StaleCopies).
func (db *DB) MarkStale(ctx context.Context, comment uint64) error {
	if err := ctxErr(ctx, "mark stale"); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return markStale(tx, comment) })
}

// MarkCommentsStale gives each of ids that still shows a new revision (a copy of it
// in flight is redone) and marks its copies to be rendered again (StaleCopies), a few
// hundred to a transaction: the replies to a removed comment may be thousands.
func (db *DB) MarkCommentsStale(ctx context.Context, ids []uint64) error {
	for len(ids) > 0 {
		if err := ctxErr(ctx, "mark comments stale"); err != nil {
			return err
		}
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for _, id := range batch {
				c, err := getComment(tx, id)
				if err != nil || c.Gone() {
					continue // damaged or gone: nothing to redraw (review 49)
				}
				c.Rev++
				if err := putJSON(tx.Bucket(bucketComments), u64(id), c); err != nil {
					return err
				}
				if err := markStale(tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("mark comments stale: %w", err)
		}
	}
	return nil
}

// atRevision fails with ErrStale unless the comment is at revision rev.
func atRevision(tx *bolt.Tx, comment uint64, rev int) error {
	c, err := getComment(tx, comment)
	if err != nil {
		return err
	}
	if c.Rev != rev {
		return fmt.Errorf("comment %d is at revision %d, not %d: %w", comment, c.Rev, rev, ErrStale)
	}
	return nil
}

// markStale marks a comment's copies to be rendered again (StaleCopies). Numbered, not
// by revision: two copies of one revision reported apart are two marks (the first
// refresh may not have seen the second).
func markStale(tx *bolt.Tx, comment uint64) error {
	marks := tx.Bucket(bucketStaleCopies)
	seq, err := marks.NextSequence()
	if err != nil {
		return err
	}
	return marks.Put(u64(comment), u64(seq))
}

// StaleCopy is a comment some of whose copies went out from an older revision (Sent).
type StaleCopy struct {
	Comment uint64
	Mark    uint64 // the latest report's number
}

// StaleCopies returns up to limit comments whose copies are to be redone.
func (db *DB) StaleCopies(ctx context.Context, limit int) ([]StaleCopy, error) {
	return db.StaleCopiesAfter(ctx, 0, limit)
}

// StaleCopiesAfter is StaleCopies from the comments numbered above after: a page.
func (db *DB) StaleCopiesAfter(ctx context.Context, after uint64, limit int) ([]StaleCopy, error) {
	if err := ctxErr(ctx, "stale copies"); err != nil {
		return nil, err
	}
	var out []StaleCopy
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketStaleCopies).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			out = append(out, StaleCopy{Comment: beU64(k), Mark: beU64(v)})
		}
		return nil
	})
	return out, err
}

// ClearStaleCopy forgets a stale mark once its copies were redone, unless a newer
// report marked it again meanwhile (its copy may not have been listed).
func (db *DB) ClearStaleCopy(ctx context.Context, s StaleCopy) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStaleCopies)
		if v := b.Get(u64(s.Comment)); v != nil && beU64(v) == s.Mark {
			return b.Delete(u64(s.Comment))
		}
		return nil
	})
}

// OutMessage returns one queued message as stored now, or ErrNotFound once it was
// sent, dropped or erased. The sender reads each message afresh before it sends it,
// so a comment deleted or edited while its copies wait is never sent as it was.
func (db *DB) OutMessage(ctx context.Context, id uint64) (OutMessage, error) {
	if err := ctxErr(ctx, "read outbox message"); err != nil {
		return OutMessage{}, err
	}
	var m OutMessage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		got, err := getJSON[OutMessage](tx.Bucket(bucketOutbox), u64(id), "outbox message", id)
		if err != nil {
			return err
		}
		m = *got
		if r := m.Record; r != nil && r.Kind == KindThreadPage {
			gone, err := anyGone(tx, r.Comments)
			if err != nil {
				return err
			}
			if gone {
				return ErrWithdrawn
			}
		}
		return nil
	})
	return m, err
}

// RewriteQueuedCopies applies rewrite to every queued, unsent message that shows the
// comment (a relayed copy or a moderators' report): it may change the message, and
// returns false to drop it. It returns how many messages were dropped. It reads only
// the comment's own messages, through the outbox's listing by comment.
//
// The caller rendered from the comment's revision rev: if the comment has moved on, it
// fails with ErrStale and changes nothing.
func (db *DB) RewriteQueuedCopies(ctx context.Context, comment uint64, rev int, rewrite func(*OutMessage) (keep bool)) (int, error) {
	if err := ctxErr(ctx, "rewrite queued copies"); err != nil {
		return 0, err
	}
	dropped := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := atRevision(tx, comment, rev); err != nil {
			return err
		}
		var err error
		dropped, err = rewriteQueued(tx, []uint64{comment}, func(m *OutMessage) (bool, bool) {
			if m.Record == nil || m.Record.Comment != comment || !m.Record.Kind.Copy() {
				return true, false
			}
			return rewrite(m), true
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rewrite queued copies of comment %d: %w", comment, err)
	}
	return dropped, nil
}

// rewriteQueued passes every queued message that shows any of comments to rewrite,
// which changes it in place and says whether to keep it and whether it changed; it
// returns how many were dropped.
func rewriteQueued(tx *bolt.Tx, comments []uint64, rewrite func(*OutMessage) (keep, changed bool)) (int, error) {
	ids, err := queuedShowing(tx, comments)
	if err != nil {
		return 0, err
	}
	b := tx.Bucket(bucketOutbox)
	dropped := 0
	for _, id := range ids {
		var m OutMessage
		if json.Unmarshal(b.Get(u64(id)), &m) != nil {
			continue
		}
		switch keep, changed := rewrite(&m); {
		case !keep:
			dropped++
			if err := dropQueued(tx, id); err != nil {
				return 0, err
			}
		case changed:
			if err := putQueued(tx, &m); err != nil {
				return 0, err
			}
		}
	}
	return dropped, nil
}

// Retry counts a failed attempt on the stored message (not the caller's copy, which
// may be older than a rewrite); a message dropped meanwhile stays dropped.
func (db *DB) Retry(ctx context.Context, id uint64, attempts int) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		m, err := getJSON[OutMessage](b, u64(id), "outbox message", id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		m.Attempts = attempts
		return putQueued(tx, m)
	})
}

// Replace stores m over the queued message of its ID; ErrNotFound when that one was
// sent or dropped meanwhile.
func (db *DB) Replace(ctx context.Context, m OutMessage) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		if b.Get(u64(m.ID)) == nil {
			return ErrNotFound
		}
		if err := dropQueued(tx, m.ID); err != nil { // m may show other comments
			return err
		}
		return putQueued(tx, &m)
	})
}

// PlainFallback turns the stored message into its plain-text version (Telegram could
// not parse its HTML) and returns it; ErrNotFound when it was dropped meanwhile.
func (db *DB) PlainFallback(ctx context.Context, id uint64) (OutMessage, error) {
	var out OutMessage
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		m, err := getJSON[OutMessage](b, u64(id), "outbox message", id)
		if err != nil {
			return err
		}
		if m.Plain != "" {
			params := maps.Clone(m.Params)
			delete(params, "parse_mode")
			params["text"] = m.Plain
			m.Params = params
		}
		out = *m
		return putQueued(tx, m)
	})
	return out, err
}

// Drop removes one message from the outbox (undeliverable).
func (db *DB) Drop(ctx context.Context, id uint64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return dropQueued(tx, id) })
}

// DeactivateChat marks a chat's subscriber inactive (Telegram said it is gone), drops
// its follows of discussions and stories (leaveChat), and drops its queued messages but
// those that take words off its screen, which wait for the chat to come back
// (parkErasures); it returns how many were dropped.
func (db *DB) DeactivateChat(ctx context.Context, chatID int64) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := leaveChat(tx, chatID); err != nil {
			return err
		}
		var err error
		n, err = dropOutbox(tx, chatID)
		return err
	})
	return n, err
}

// LeaveChat marks a chat's subscriber inactive and drops its follows of discussions
// and stories: the bot was removed from it, or blocked. Its queue stays, and goes when
// Telegram refuses it (DeactivateChat).
func (db *DB) LeaveChat(ctx context.Context, chatID int64) error {
	if err := ctxErr(ctx, "leave chat"); err != nil {
		return err
	}
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return leaveChat(tx, chatID) }); err != nil {
		return fmt.Errorf("leave chat %d: %w", chatID, err)
	}
	return nil
}

// leaveChat is LeaveChat in tx. Followed stories go too: kept, they held their stories
// open for a week and took a write at every development, for a chat nothing can reach
// (review 70).
func leaveChat(tx *bolt.Tx, chatID int64) error {
	if s, err := getSubscriber(tx, chatID); err == nil {
		s.Active = false
		if err := putSubscriber(tx, s); err != nil {
			return err
		}
	}
	if err := unfollowChat(tx, chatID); err != nil {
		return err
	}
	fs, err := followsOfChat(tx, chatID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := dropStoryFollow(tx, f); err != nil {
			return err
		}
	}
	return nil
}

// dropOutbox takes chatID's messages out of the outbox. Those that take words off
// its screen (OutMessage.Erases) are parked, to go when the chat comes back: a
// deletion is queued once, with its copy unlisted, and dropped it was lost for good
// (review 47: a reader who blocked the bot and unblocked it kept the words an author
// had deleted). It returns how many were dropped.
func dropOutbox(tx *bolt.Tx, chatID int64) (int, error) {
	ids, err := queuedFor(tx, chatID)
	if err != nil {
		return 0, err
	}
	var erasures []OutMessage
	redraw, dropped := false, 0
	for _, id := range ids {
		var m OutMessage
		if json.Unmarshal(tx.Bucket(bucketOutbox).Get(u64(id)), &m) != nil || m.ChatID != chatID {
			continue // damaged, or listed wrongly: the listing is not trusted alone
		}
		dropped++
		switch {
		case m.Erases():
			erasures = append(erasures, m)
		case m.Record != nil && m.Record.Comment != 0:
			redraw = true // an edit of a copy: drawn again on return (unpark)
		}
		if err := dropQueued(tx, id); err != nil {
			return 0, err
		}
	}
	parked := tx.Bucket(bucketParked)
	if redraw {
		// The edit itself may carry words since deleted: only the mark is kept.
		if err := parked.Put(concat(i64(chatID), u64(0)), nil); err != nil {
			return 0, err
		}
	}
	for _, m := range erasures {
		m.Attempts = 0
		if err := putJSON(parked, concat(i64(chatID), u64(m.ID)), &m); err != nil {
			return 0, err
		}
	}
	return dropped - len(erasures), nil
}

// hasParked reports whether chatID has erasures waiting for it to come back.
func hasParked(tx *bolt.Tx, chatID int64) bool {
	k, _ := tx.Bucket(bucketParked).Cursor().Seek(i64(chatID))
	return k != nil && bytes.HasPrefix(k, i64(chatID))
}

// unpark queues again, in their order, the erasures parked while chatID was gone,
// and marks for a redraw the comments whose copies there show an older revision than
// theirs (an edit that took a removed comment's words or a deleted parent's quote off
// the screen was dropped with the queue; the refresh of stale copies draws it again).
// It returns how many messages it queued and comments it marked.
func unpark(tx *bolt.Tx, chatID int64, now time.Time) (int, error) {
	prefix := i64(chatID)
	parked := tx.Bucket(bucketParked)
	var msgs []OutMessage
	cur := parked.Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var m OutMessage
		if len(v) > 0 && json.Unmarshal(v, &m) == nil {
			msgs = append(msgs, m)
		}
	}
	if err := deletePrefix(parked, prefix); err != nil {
		return 0, err
	}
	if err := putOutbox(tx, msgs, now); err != nil {
		return 0, err
	}
	stale := map[uint64]bool{}
	cur = tx.Bucket(bucketMsgMap).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if !bytes.Contains(v, []byte(`"comment":`)) {
			continue // not a comment's copy, report or page: nothing to decode
		}
		var rec MessageRecord
		if json.Unmarshal(v, &rec) != nil || rec.Comment == 0 || stale[rec.Comment] ||
			rec.Kind != KindComment && rec.Kind != KindReport {
			continue
		}
		c, err := getComment(tx, rec.Comment)
		if err != nil || c.Rev == rec.Rev {
			continue
		}
		stale[rec.Comment] = true
		if err := markStale(tx, rec.Comment); err != nil {
			return 0, err
		}
	}
	return len(msgs) + len(stale), nil
}

// MessageRecordFor returns what a sent message was about.
func (db *DB) MessageRecordFor(ctx context.Context, chatID int64, messageID int) (MessageRecord, error) {
	var rec MessageRecord
	err := db.bolt.View(func(tx *bolt.Tx) error {
		stored, err := getJSON[MessageRecord](tx.Bucket(bucketMsgMap), concat(i64(chatID), u64(uint64(messageID))), "message record", messageID)
		if err != nil {
			return err
		}
		rec = *stored
		return nil
	})
	return rec, err
}

// Inbox: updates are stored before their getUpdates offset is confirmed, so a crash
// never loses one; handled updates are deleted.

// StoreUpdates saves raw updates (by update ID) and the next offset in one transaction.
func (db *DB) StoreUpdates(ctx context.Context, updates map[int64][]byte, nextOffset int64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for id, raw := range updates {
			if err := b.Put(i64(id), raw); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyOffset, i64(nextOffset))
	})
}

// Offset returns the stored getUpdates offset.
func (db *DB) Offset(ctx context.Context) (int64, error) {
	var off int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if raw := tx.Bucket(bucketMeta).Get(keyOffset); raw != nil {
			off = int64(beU64(raw))
		}
		return nil
	})
	return off, err
}

// PendingUpdates returns up to limit stored, unhandled updates with IDs above after, in
// order, leaving out those skip reports (limit <= 0: all; skip may be nil).
func (db *DB) PendingUpdates(ctx context.Context, after int64, limit int, skip func(id int64) bool) ([]int64, [][]byte, error) {
	if err := ctxErr(ctx, "pending updates"); err != nil {
		return nil, nil, err
	}
	var ids []int64
	var raws [][]byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketInbox).Cursor()
		for k, v := c.Seek(i64(after + 1)); k != nil; k, v = c.Next() {
			id := int64(beU64(k))
			if skip != nil && skip(id) {
				continue
			}
			ids = append(ids, id)
			raws = append(raws, append([]byte(nil), v...))
			if limit > 0 && len(ids) >= limit {
				break
			}
		}
		return nil
	})
	return ids, raws, err
}

// UpdatesHandled deletes handled (or dropped) updates from the inbox.
func (db *DB) UpdatesHandled(ctx context.Context, ids []int64) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for _, id := range ids {
			if err := b.Delete(i64(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReceivedItems returns the IDs of stories sent to chat in digests and cards that are
// still stored (their records are pruned with them).
func (db *DB) ReceivedItems(ctx context.Context, chatID int64) ([]uint64, error) {
	var out []uint64
	seen := map[uint64]bool{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMsgMap).Cursor()
		prefix := i64(chatID)
		for k, v := c.Seek(prefix); k != nil && string(k[:8]) == string(prefix); k, v = c.Next() {
			var rec MessageRecord
			if json.Unmarshal(v, &rec) != nil || (rec.Kind != KindDigest && rec.Kind != KindCard) {
				continue
			}
			for _, id := range rec.Items {
				if !seen[id] && tx.Bucket(bucketItems).Get(u64(id)) != nil {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
		return nil
	})
	return out, err
}
