package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// EraseOptions is what EraseChat queues in its transaction, so that a failure or a
// crash after it cannot leave an erased comment's words on a screen.
type EraseOptions struct {
	// Notice (the chat's confirmation) is queued first, ahead of the chat's deletions.
	Notice []OutMessage
	// Report renders the rewrites of a reported, erased comment's moderators' reports.
	Report func(ErasedReport) []OutMessage
	// Reply renders a reply to an erased comment (parent, its tombstone) as its copies
	// show it now: queued copies take it at once, so none goes out quoting the erased
	// words; sent copies are edited by the refresh of stale copies.
	Reply func(reply, parent Comment, storyTitle string) (html, plain string)
}

// Erasure is what EraseChat removed. Deletions of the copies and the rewrites of the
// reports are queued; the replies' queued copies are rendered again (EraseOptions.Reply)
// and the comments marked stale (StaleCopies), so that their sent copies are edited too.
type Erasure struct {
	// Copies are the messages (chat, message ID) in other chats that showed an erased
	// comment: relayed copies. Their deletions are queued.
	Copies [][2]int64
	// Replies are comments, still showing, that answer an erased one: their copies quote
	// it, so they must be shown again without the quote.
	Replies []uint64
	// Comments counts the comments turned into tombstones.
	Comments int
	// Reports are the erased comments that readers had reported: their moderators'
	// report messages are to be rewritten, without the text, not deleted, so that
	// /forget is no way out of a pending report.
	Reports []ErasedReport
}

// ErasedReport is a reported comment that EraseChat erased.
type ErasedReport struct {
	Comment, Item uint64
	Author        int64
	Reporters     int
	// Copies are the report messages sent to moderators (chat, message ID); their
	// records are gone, like those of the comment's other copies.
	Copies [][2]int64
}

// EraseChat removes everything stored about a chat: its subscriber and settings, its
// own feeds (a feed another chat still reads stays), queued messages, records of sent
// messages, relayed copies it received, follows, pending comments and its place in the
// slow lane. With user != 0 it
// removes the user as well: profile and name, blocks in both directions, reports made,
// and every comment the user wrote becomes a tombstone (text, author and source erased;
// its place in the thread kept, so replies keep their shape). All in one transaction,
// with what it queues (EraseOptions).
func (db *DB) EraseChat(ctx context.Context, chat, user int64, opts EraseOptions) (Erasure, error) {
	if err := ctxErr(ctx, "erase chat"); err != nil {
		return Erasure{}, err
	}
	var out Erasure
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out = Erasure{}
		notice := slices.Clone(opts.Notice)
		if err := putOutbox(tx, notice, time.Now()); err != nil {
			return err
		}
		keep := map[uint64]bool{}
		for _, m := range notice {
			keep[m.ID] = true
		}
		if err := dropSubscriber(tx, chat); err != nil {
			return err
		}
		// Erasures parked while the chat was gone go out with the rest (it wrote: it is
		// back), and nothing stays under its ID.
		if _, err := unpark(tx, chat, time.Now()); err != nil {
			return err
		}
		// Copies of other readers' comments that were relayed to this chat: see
		// dropCopiesIn. Its message records go next.
		if err := dropCopiesIn(tx, chat); err != nil {
			return err
		}
		if err := dropMessageRecords(tx, chat); err != nil {
			return err
		}
		if err := deletePrefix(tx.Bucket(bucketPending), i64(chat)); err != nil {
			return err
		}
		if err := unfollowChat(tx, chat); err != nil {
			return err
		}
		if err := eraseChatStories(tx, chat); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSlowLane).Delete(i64(chat)); err != nil {
			return err
		}
		erased := map[uint64]bool{}
		if user != 0 {
			var err error
			if erased, err = eraseUser(tx, user, &out); err != nil {
				return err
			}
		}
		// The chat's own messages, through the outbox's listing by chat (a digest run's
		// whole outbox is not read inside this write). Queued deletions stay, in this
		// chat too: they take deleted text off screens.
		ids, err := queuedFor(tx, chat)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var m OutMessage
			if keep[id] || json.Unmarshal(tx.Bucket(bucketOutbox).Get(u64(id)), &m) != nil || m.ChatID != chat || m.Erases() {
				continue
			}
			if err := dropQueued(tx, id); err != nil {
				return err
			}
		}
		// Copies and reports of an erased comment, and discussion pages showing one.
		if _, err := rewriteQueued(tx, slices.Sorted(maps.Keys(erased)), func(m *OutMessage) (bool, bool) {
			shows := slices.ContainsFunc(shownComments(m), func(id uint64) bool { return erased[id] })
			return keep[m.ID] || m.Erases() || !shows, false
		}); err != nil {
			return err
		}
		var msgs []OutMessage
		for _, cp := range out.Copies {
			msgs = append(msgs, Deletion(cp[0], cp[1]))
		}
		if opts.Report != nil {
			for _, r := range out.Reports {
				msgs = append(msgs, opts.Report(r)...)
			}
		}
		for _, id := range out.Replies {
			if err := markStale(tx, id); err != nil {
				return err
			}
		}
		if opts.Reply != nil && len(out.Replies) > 0 {
			if err := rewriteQueuedReplies(tx, out.Replies, opts.Reply); err != nil {
				return err
			}
		}
		return putOutbox(tx, msgs, time.Now())
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("erase chat %d: %w", chat, err)
	}
	return out, nil
}

// eraseUser removes a user's profile, name claims, blocks, reports and pending
// comments, and turns their comments into tombstones. It returns the erased comment IDs.
//
// It is long on purpose: every bucket that holds something of a user is visited here,
// in one transaction, so what "delete" means can be audited in one place.
func eraseUser(tx *bolt.Tx, user int64, out *Erasure) (map[uint64]bool, error) {
	profiles := tx.Bucket(bucketProfiles)
	if p, found, err := getProfile(profiles, user); err != nil {
		return nil, err
	} else if found {
		names := tx.Bucket(bucketNames)
		keys := []string{p.NameKey, p.FirstKey}
		for _, n := range p.Shown {
			keys = append(keys, n.Key)
		}
		for _, k := range keys {
			if owner := names.Get([]byte(k)); k != "" && owner != nil && int64(beU64(owner)) == user {
				if err := names.Delete([]byte(k)); err != nil {
					return nil, err
				}
			}
		}
		if err := profiles.Delete(i64(user)); err != nil {
			return nil, err
		}
	}
	if err := deleteWhere(tx.Bucket(bucketBlocks), func(k, _ []byte) bool {
		return len(k) == 16 && (int64(beU64(k[:8])) == user || int64(beU64(k[8:])) == user)
	}); err != nil {
		return nil, err
	}
	if err := deleteWhere(tx.Bucket(bucketPending), func(_, v []byte) bool {
		var p PendingComment
		return json.Unmarshal(v, &p) == nil && p.AuthorID == user
	}); err != nil {
		return nil, err
	}

	comments := tx.Bucket(bucketComments)
	var mine []Comment
	byAuthor := tx.Bucket(bucketByAuthor)
	prefixA := i64(user)
	cur := byAuthor.Cursor()
	for k, _ := cur.Seek(prefixA); k != nil && bytes.HasPrefix(k, prefixA); k, _ = cur.Next() {
		c, err := getComment(tx, beU64(k[8:]))
		if err != nil {
			return nil, err
		}
		mine = append(mine, *c)
	}
	if err := deletePrefix(byAuthor, prefixA); err != nil {
		return nil, err
	}
	erased := map[uint64]bool{}
	for _, c := range mine {
		erased[c.ID] = true
	}
	copies, msgmap, reports := tx.Bucket(bucketCopies), tx.Bucket(bucketMsgMap), tx.Bucket(bucketReports)
	for _, c := range mine {
		prefix := u64(c.ID)
		report := ErasedReport{Comment: c.ID, Item: c.ItemID, Author: user}
		cur := reports.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			report.Reporters++
		}
		cur = copies.Cursor()
		var keys [][]byte
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			at := [2]int64{int64(beU64(k[8:16])), int64(beU64(k[16:24]))}
			rec, err := getJSON[MessageRecord](msgmap, concat(k[8:16], k[16:24]), "message record", at[1])
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			if err == nil && rec.Kind == KindReport {
				report.Copies = append(report.Copies, at)
			} else {
				out.Copies = append(out.Copies, at)
			}
			if err := msgmap.Delete(concat(k[8:16], k[16:24])); err != nil {
				return nil, err
			}
			if err := copies.Delete(k); err != nil {
				return nil, err
			}
		}
		if c.SrcMsg != 0 {
			if err := msgmap.Delete(concat(i64(c.SrcChat), u64(uint64(c.SrcMsg)))); err != nil {
				return nil, err
			}
		}
		if report.Reporters > 0 || len(report.Copies) > 0 {
			// Reported, even if every reporter has since been forgotten.
			out.Reports = append(out.Reports, report)
		}
		if err := deletePrefix(reports, prefix); err != nil {
			return nil, err
		}
		if _, err := takeDownPages(tx, c.ItemID, c.ID); err != nil {
			return nil, err
		}
		tomb := Comment{ID: c.ID, ItemID: c.ItemID, ParentID: c.ParentID, Depth: c.Depth,
			Created: c.Created, Deleted: true, Erased: true, Relayed: true, Rev: c.Rev + 1}
		// Its replies are marked below, in this transaction: nothing pending.
		if err := putJSON(comments, prefix, &tomb); err != nil {
			return nil, err
		}
		out.Comments++
	}
	// Replies by others to an erased comment, still showing: their copies quote it.
	threads := map[uint64]bool{}
	for _, c := range mine {
		threads[c.ItemID] = true
	}
	for item := range threads {
		prefixT := u64(item)
		cur := tx.Bucket(bucketThreadIdx).Cursor()
		for k, v := cur.Seek(prefixT); k != nil && bytes.HasPrefix(k, prefixT); k, v = cur.Next() {
			if len(v) == 8 && !erased[beU64(v)] {
				continue // the index knows its parent: not a reply to what was erased (review)
			}
			c, err := getComment(tx, beU64(k[8:]))
			if err != nil {
				return nil, err
			}
			if erased[c.ParentID] && !erased[c.ID] && !c.Gone() {
				out.Replies = append(out.Replies, c.ID)
				c.Rev++ // its copies quote the erased comment: a copy in flight is redone
				if err := putJSON(comments, u64(c.ID), c); err != nil {
					return nil, err
				}
			}
		}
	}
	// What was erased and holds no reply leaves the outline (pruneOutline).
	byThread := map[uint64][]uint64{}
	for _, c := range mine {
		byThread[c.ItemID] = append(byThread[c.ItemID], c.ID)
	}
	for item, ids := range byThread {
		if err := pruneOutline(tx, item, ids); err != nil {
			return nil, err
		}
	}
	if err := deleteWhere(tx.Bucket(bucketReports), func(k, _ []byte) bool {
		return len(k) == 16 && int64(beU64(k[8:])) == user
	}); err != nil {
		return nil, err
	}
	return erased, nil
}

// rewriteQueuedReplies renders again the queued copies of replies whose parent was just
// erased, in one pass over the outbox, with the rule updateCopies applies to a comment's
// queued copies: deletions stay, edits go (the refresh edits what was sent), copies take
// the new text and revision.
func rewriteQueuedReplies(tx *bolt.Tx, replies []uint64, render func(reply, parent Comment, storyTitle string) (string, string)) error {
	type rendered struct {
		html, plain string
		rev         int
	}
	now := map[uint64]rendered{}
	for _, id := range replies {
		c, err := getComment(tx, id)
		if err != nil {
			return err
		}
		parent, err := getComment(tx, c.ParentID)
		if err != nil {
			return err
		}
		title := ""
		if it, err := getItem(tx, u64(c.ItemID)); err == nil {
			title = it.Title
		}
		html, plain := render(*c, *parent, title)
		now[id] = rendered{html, plain, c.Rev}
	}
	_, err := rewriteQueued(tx, replies, func(m *OutMessage) (bool, bool) {
		if m.Record == nil || m.Record.Kind != KindComment {
			return true, false
		}
		r, ok := now[m.Record.Comment]
		switch {
		case !ok || m.Method == "deleteMessage":
			return true, false
		case m.Method == "editMessageText":
			return false, false
		}
		m.Params = maps.Clone(m.Params)
		m.Params["text"], m.Params["parse_mode"] = r.html, "HTML"
		// Drawn replying to a deleted comment: it quotes no parent (review 82).
		m.Plain, m.Record.Rev, m.Record.Unquoted = r.plain, r.rev, true
		return true, true
	})
	return err
}

// deletePrefix deletes every key of b that starts with prefix, holding none of them in
// memory (the schema 20 move deletes a feed's keys, any number of them).
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// deletePrefixWhere deletes the records of b under prefix for which match is true (nil:
// all of them).
func deletePrefixWhere(b *bolt.Bucket, prefix []byte, match func(k, v []byte) bool) error {
	var keys [][]byte
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if match == nil || match(k, v) {
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// deleteWhere deletes every record of b for which match is true.
func deleteWhere(b *bolt.Bucket, match func(k, v []byte) bool) error {
	var keys [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if match(k, v) {
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

// Buckets calls fn for every record of every bucket (nested buckets included, with
// their path): what a test uses to prove that nothing about a chat is left.
func (db *DB) Buckets(ctx context.Context, fn func(bucket string, k, v []byte) error) error {
	if err := ctxErr(ctx, "walk buckets"); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		var walk func(path string, b *bolt.Bucket) error
		walk = func(path string, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					if nb := b.Bucket(k); nb != nil {
						return walk(path+"/"+string(k), nb)
					}
				}
				return fn(path, k, v)
			})
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	})
}

// dropMessageRecords deletes the records of a forgotten chat's messages. In a group,
// those of members' own messages that posted a comment still showing stay: they hold no
// text, and they are how a member edits or deletes that comment there (found by review:
// a group's /forget left its members no way to delete what they wrote).
func dropMessageRecords(tx *bolt.Tx, chat int64) error {
	return deletePrefixWhere(tx.Bucket(bucketMsgMap), i64(chat), func(_, v []byte) bool {
		var rec MessageRecord
		if chat < 0 && json.Unmarshal(v, &rec) == nil && rec.Kind == KindCommentSource {
			cm, err := getComment(tx, rec.Comment)
			return err != nil || cm.Gone()
		}
		return true
	})
}

// dropCopiesIn settles what other readers' comments left in a chat that is being
// forgotten: relayed copies and discussion pages, found through the chat's message
// records. A reader's private chat keeps no trace: they are deleted from it and
// unlisted. A group's stay listed (comment or story, group, message ID; no text):
// their authors may still delete them there, and "delete" must reach every copy,
// whatever the group's administrator erased.
func dropCopiesIn(tx *bolt.Tx, chat int64) error {
	if chat < 0 {
		return nil
	}
	dels, err := unlistCopiesIn(tx, chat)
	if err != nil {
		return err
	}
	return putOutbox(tx, dels, time.Now())
}

// unlistCopiesIn deletes the records of the relayed copies and discussion pages in
// chat, and returns the deletions that would take them off its screen.
func unlistCopiesIn(tx *bolt.Tx, chat int64) ([]OutMessage, error) {
	copies, pages := tx.Bucket(bucketCopies), tx.Bucket(bucketThreadPages)
	prefix := i64(chat)
	c := tx.Bucket(bucketMsgMap).Cursor()
	var copyKeys, pageKeys [][]byte
	var dels []OutMessage
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var rec MessageRecord
		if json.Unmarshal(v, &rec) != nil {
			continue
		}
		switch {
		case rec.Kind.Copy() && rec.Comment != 0:
			copyKeys = append(copyKeys, concat(u64(rec.Comment), k))
		case rec.Kind == KindThreadPage && len(rec.Items) > 0:
			pageKeys = append(pageKeys, concat(u64(rec.Items[0]), k))
		default:
			continue
		}
		dels = append(dels, Deletion(chat, int64(beU64(k[8:16]))))
	}
	for _, k := range copyKeys {
		if err := copies.Delete(k); err != nil {
			return nil, err
		}
	}
	for _, k := range pageKeys {
		if err := pages.Delete(k); err != nil {
			return nil, err
		}
	}
	return dels, nil
}
