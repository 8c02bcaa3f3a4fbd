package bot

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// traces lists every record of every bucket that holds id: as an 8-byte big-endian key
// part or value, or as a decimal number in a JSON value.
func traces(t *testing.T, db *storage.DB, id int64) []string {
	t.Helper()
	be := make([]byte, 8)
	binary.BigEndian.PutUint64(be, uint64(id))
	dec := []byte(strconv.FormatInt(id, 10))
	var out []string
	err := db.Buckets(context.Background(), func(bucket string, k, v []byte) error {
		if bucket == "reader_spend" && spendOnly(t, v) {
			return nil // what the reader spent of their allowances: /forget must not reset it
		}
		if bytes.Contains(k, be) || bytes.Contains(v, be) || bytes.Contains(k, dec) || bytes.Contains(v, dec) {
			out = append(out, fmt.Sprintf("%s: %q = %.200q", bucket, k, v))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// spendOnly reports whether a reader_spend record holds counters and times only.
func spendOnly(t *testing.T, v []byte) bool {
	t.Helper()
	_, err := storage.DecodeReaderSpend(v)
	return err == nil
}

// After /forget, no bucket holds the chat's or the user's ID, nor the user's words:
// the user's comments are tombstones, their copies elsewhere are deleted, and replies
// to them stop quoting them.
func TestForgetLeavesNoTrace(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	const secret = "my very private opinion"
	a := telegramtest.User{ID: 734561289, FirstName: "Quinn"}
	b := telegramtest.User{ID: 734561290, FirstName: "Rae"}
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	h.tg.PrivateChat(admin)
	d := newDiscussion(t, h, a, b)
	ca := d.chats[a.ID]
	// Everything a reader can leave behind: a subscription with settings and filters,
	// an own feed, a chosen name, comments (one relayed, one replied to, one reported,
	// one in a group), a pending comment, blocks both ways, and queued messages.
	h.tg.Send(a, ca, "/subscribe")
	h.wait(a.ID, "Subscribed.", waitLong)
	h.tg.Send(a, ca, "/filters exclude zzyzx-never-seen")
	h.wait(a.ID, "Added exclude filter", waitLong)
	h.setPage("/mine.xml", strings.Replace(articleFeed(t, h.web.URL, "bbc_sport_020"), "Fixture News", "Quinn's Own Feed", 1))
	h.tg.Send(a, ca, "/add "+h.web.URL+"/mine.xml")
	h.wait(a.ID, "Added Quinn's Own Feed", waitLong)
	h.tg.Send(a, ca, "/name Quinn Q")
	h.wait(a.ID, "Your comments will show Quinn Q", waitLong)
	h.tg.Reply(a, ca, d.cards[a.ID].MessageID, secret)
	copyB := h.wait(b.ID, secret, waitLong)
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "Rae answers")
	replyToB := h.wait(a.ID, "Rae answers", waitLong)
	h.tg.Send(a, ca, "/block")                              // nothing to block: a plain command
	h.tg.Reply(a, ca, replyToB.MessageID, "/block")         // A blocks B
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "/block") // B blocks A
	q, _ := h.tg.Press(b, d.chats[b.ID], copyB.MessageID, copyB.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q, waitLong)
	h.wait(admin.ID, secret, waitLong)
	group := h.tg.Group(-734500, "Club", false, b.ID)
	h.tg.Send(b, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)
	// A group A runs: its record is the group's, and must not name A.
	own := h.tg.Group(-734501, "Quinn's club", false, a.ID)
	h.tg.Send(a, own, "/subscribe")
	h.wait(own.ID, "Subscribed.", waitLong)
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(a.ID, "Your news digest", waitLong)
	h.tg.Reply(a, ca, dg.MessageID, "which story, you ask")
	h.wait(a.ID, "Which story is your comment about?", waitLong)
	gdg := h.wait(group.ID, "Your news digest", waitLong)
	h.tg.Reply(a, group, gdg.MessageID, "1 said in the group: "+secret)
	deadline := time.Now().Add(waitLong)
	for {
		n := 0
		for id := uint64(1); id <= 3; id++ {
			cs, _ := h.db.ThreadComments(ctx, id)
			n += len(cs)
		}
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the group comment was not posted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.sync(t, a)
	if len(traces(t, h.db, a.ID)) == 0 {
		t.Fatal("the walk finds nothing before /forget: it proves nothing after")
	}

	h.tg.Send(a, ca, "/forget")
	confirm := h.wait(a.ID, "This cannot be undone", waitLong)
	q, _ = h.tg.Press(a, ca, confirm.MessageID, "forget:yes")
	h.tg.WaitAnswered(q, waitLong)
	h.wait(a.ID, "Everything stored about this chat has been deleted", waitLong)
	// Let the sender drain: the goodbye and the deletions leave the outbox.
	deadline = time.Now().Add(waitLong)
	for {
		depth, _, _ := h.db.OutboxStats(ctx, time.Now())
		if depth == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox still holds %d messages", depth)
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.stop()
	if tr := traces(t, h.db, a.ID); len(tr) > 0 {
		t.Fatalf("traces of the user after /forget:\n%s", strings.Join(tr, "\n"))
	}
	found := []string{}
	h.db.Buckets(ctx, func(bucket string, k, v []byte) error {
		for _, word := range []string{secret, "Quinn", "which story, you ask", "/mine.xml", "zzyzx"} {
			if bytes.Contains(k, []byte(word)) || bytes.Contains(v, []byte(word)) {
				found = append(found, fmt.Sprintf("%s: %q in %.120q", bucket, word, v))
			}
		}
		return nil
	})
	if len(found) > 0 {
		t.Fatalf("the user's words after /forget:\n%s", strings.Join(found, "\n"))
	}
	// The copies B and the moderator had are deleted; B's reply stays, no longer quoting.
	if m, _ := h.tg.Message(b.ID, copyB.MessageID); !m.Deleted {
		t.Fatal("the relayed copy of an erased comment stays")
	}
	if n := countText(h.tg.Messages(admin.ID), secret); n != 0 {
		t.Fatal("the moderator's report copy stays")
	}
	// The threads keep their shape: a tombstone where B's reply hangs; the group
	// comment nobody answered leaves its thread's outline.
	var cs []storage.Comment
	for id := uint64(1); id <= 3; id++ {
		more, _ := h.db.ThreadComments(ctx, id)
		cs = append(cs, more...)
	}
	tombs := 0
	for _, c := range cs {
		if c.Erased {
			tombs++
		}
	}
	if tombs != 1 || len(cs) != 2 {
		t.Fatalf("%d comments shown, %d tombstones; want 2 and 1", len(cs), tombs)
	}
	for id := uint64(1); id <= 3; id++ {
		c, err := h.db.Comment(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Erased && (c.Text != "" || c.AuthorID != 0 || c.AuthorName != "" || c.SrcChat != 0) {
			t.Fatalf("a tombstone keeps data: %+v", c)
		}
	}
}

// /forget answers before it cleans up: the chat's own deletions (of comments relayed to
// it, one a second in a private chat) queue behind the confirmation, not ahead of it.
func TestForgetConfirmsBeforeItsDeletions(t *testing.T) {
	a := telegramtest.User{ID: 891, FirstName: "Ada"}
	b := telegramtest.User{ID: 892, FirstName: "Bob"}
	h, d := pacedDiscussion(t, time.Second, a, b)
	var copies []telegramtest.Message
	for i := range 3 {
		text := fmt.Sprintf("Bob's comment %d", i)
		h.tg.Reply(b, d.chats[b.ID], d.cards[b.ID].MessageID, text)
		copies = append(copies, h.wait(a.ID, text, waitLong))
	}
	deleted := func() int {
		n := 0
		for _, c := range copies {
			if m, _ := h.tg.Message(a.ID, c.MessageID); m.Deleted {
				n++
			}
		}
		return n
	}
	h.tg.Send(a, d.chats[a.ID], "/forget")
	ask := h.wait(a.ID, "Delete everything", waitLong)
	q, _ := h.tg.Press(a, d.chats[a.ID], ask.MessageID, "forget:yes")
	h.tg.WaitAnswered(q, waitLong)
	h.wait(a.ID, "Everything stored about this chat has been deleted", waitLong)
	if n := deleted(); n == len(copies) {
		t.Fatalf("the confirmation came after all %d deletions", n)
	}
	deadline := time.Now().Add(waitLong)
	for deleted() < len(copies) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d relayed comments deleted", deleted(), len(copies))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reply's copy still queued when the comment it answers is erased by /forget goes
// out rewritten ("replying to a deleted comment"): it never shows the erased words.
func TestQueuedReplyNeverQuotesErasedComment(t *testing.T) {
	a := telegramtest.User{ID: 893, FirstName: "Ava"}
	b := telegramtest.User{ID: 894, FirstName: "Ben"}
	c := telegramtest.User{ID: 895, FirstName: "Cat"}
	h := discussionHarness(t)
	h.opts.Send = queue.SenderOptions{PrivateEvery: 2 * time.Second, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.start()
	h.ingest()
	d := newDiscussion(t, h, a, b, c)
	const secret = "words soon erased 8931"
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, secret)
	copyB := h.wait(b.ID, secret, waitLong)
	h.wait(c.ID, secret, waitLong)
	// C's chat has answers queued: they go before B's reply.
	for range 6 {
		h.tg.Send(c, d.chats[c.ID], "/help")
	}
	h.wait(c.ID, "Commands", waitLong)
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "Ben's reply")
	h.tg.Send(a, d.chats[a.ID], "/forget")
	ask := h.wait(a.ID, "Delete everything", waitLong)
	q, _ := h.tg.Press(a, d.chats[a.ID], ask.MessageID, "forget:yes")
	h.tg.WaitAnswered(q, waitLong)
	reply := h.wait(c.ID, "Ben's reply", 30*time.Second)
	if !strings.Contains(reply.Text, "replying to a deleted comment") || strings.Contains(reply.Text, secret) {
		t.Fatalf("the reply's copy: %q", reply.Text)
	}
	// Its record says it quotes nothing: Ben's edits of it bring words (review 82).
	waitUntilT(t, func() bool {
		rec, err := h.db.MessageRecordFor(context.Background(), c.ID, reply.MessageID)
		return err == nil && rec.Unquoted
	})
	for _, shown := range reply.Shown {
		if strings.Contains(shown, secret) {
			t.Fatalf("the reply's copy showed the erased words: %q", shown)
		}
	}
}

// A group's /forget leaves its members their comments: each may still edit or delete
// what they wrote there, and the copies follow (found by review: the group's message
// records went with it, so the comment could no longer be reached from the group).
func TestGroupForgetLeavesMembersTheirComments(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ben := telegramtest.User{ID: 32, FirstName: "Ben"}
	cb := h.tg.PrivateChat(ben)
	admin := telegramtest.User{ID: 77, FirstName: "Moe"}
	mia := telegramtest.User{ID: 78, FirstName: "Mia"}
	group := h.tg.Group(-5000, "Readers club", false, admin.ID)
	h.tg.Send(ben, cb, "/start s_1")
	cardB := h.wait(ben.ID, "comments · reply", waitLong)
	h.tg.Press(ben, cb, cardB.MessageID, "fl:1")
	h.tg.Send(admin, group, "/start s_1")
	cardG := h.wait(group.ID, "comments · reply", waitLong)
	first, _ := h.tg.Reply(mia, group, cardG.MessageID, "my phone is 555-0100 oops")
	second, _ := h.tg.Reply(mia, group, cardG.MessageID, "a second thought")
	copyFirst := h.wait(ben.ID, "555-0100", waitLong)
	h.wait(ben.ID, "a second thought", waitLong)

	h.tg.Send(admin, group, "/forget")
	fg := h.wait(group.ID, "Delete everything", waitLong)
	h.tg.Press(admin, group, fg.MessageID, "forget:yes")
	h.wait(group.ID, "has been deleted", waitLong)

	if err := h.tg.Edit(mia, group, second.MessageID, "a second thought, edited"); err != nil {
		t.Fatal(err)
	}
	h.wait(ben.ID, "a second thought, edited", waitLong)
	h.tg.Reply(mia, group, first.MessageID, "/delete")
	h.wait(group.ID, "Comment deleted", waitLong)
	h.waitDeleted(ben.ID, copyFirst.MessageID)
}
