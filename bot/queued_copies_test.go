package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// pacedDiscussion starts a discussion between a and b whose chats Telegram paces at one
// message per interval, as it does (1 a second; wider here, so that a test has time to
// act): b has just been sent its card, so a comment's copy for b waits in the outbox.
func pacedDiscussion(t *testing.T, interval time.Duration, a, b telegramtest.User) (*harness, *discussion) {
	t.Helper()
	h := discussionHarness(t)
	h.opts.Send = queue.SenderOptions{PrivateEvery: interval, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.start()
	h.ingest()
	return h, newDiscussion(t, h, a, b)
}

// everText reports whether any message the chat ever got (deleted ones included)
// holds s: a deleted comment must never reach a follower, not even for a moment.
func everText(h *harness, chat int64, s string) bool {
	for _, m := range h.tg.AllMessages(chat) {
		if strings.Contains(m.Text, s) {
			return true
		}
	}
	return false
}

// A comment deleted, or erased by /forget, while its copies wait in the outbox never
// reaches the followers (found by review: the sender sent its own copy of the queue).
func TestQueuedCopiesOfGoneCommentsAreNeverSent(t *testing.T) {
	for _, how := range []string{"delete", "forget"} {
		t.Run(how, func(t *testing.T) {
			a := telegramtest.User{ID: 871, FirstName: "Ann"}
			b := telegramtest.User{ID: 872, FirstName: "Bea"}
			h, d := pacedDiscussion(t, 3*time.Second, a, b)
			secret := "my phone number is 555-0100, please ignore"
			src, _ := h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, secret)
			switch how {
			case "delete":
				h.tg.Reply(a, d.chats[a.ID], src.MessageID, "/delete")
				h.wait(a.ID, "Comment deleted.", waitLong)
			case "forget":
				h.tg.Send(a, d.chats[a.ID], "/forget")
				ask := h.wait(a.ID, "Delete everything", waitLong)
				q, _ := h.tg.Press(a, d.chats[a.ID], ask.MessageID, "forget:yes")
				if txt, _ := h.tg.WaitAnswered(q, waitLong); txt != "Deleted." {
					t.Fatalf("forget answered %q", txt)
				}
			}
			// B's chat is served in order: once /help is answered, the copy queued
			// before it was sent or dropped.
			d.sync(t, b)
			if everText(h, b.ID, "555-0100") {
				t.Fatal("the comment reached the follower after it was gone")
			}
		})
	}
}

// waitQueuedCopy waits until a relayed copy of a comment waits in the outbox.
func waitQueuedCopy(t *testing.T, h *harness) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		msgs, err := h.db.Outbox(context.Background(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(msgs, func(m storage.OutMessage) bool { return m.Record != nil && m.Record.Kind == storage.KindComment }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no copy of the comment was queued")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A comment edited while its copy waits in the outbox reaches the follower as edited.
func TestQueuedCopiesOfEditedCommentsAreSentAsEdited(t *testing.T) {
	a := telegramtest.User{ID: 873, FirstName: "Ann"}
	b := telegramtest.User{ID: 874, FirstName: "Bea"}
	h, d := pacedDiscussion(t, 3*time.Second, a, b)
	src, _ := h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "First words, with a typo")
	waitQueuedCopy(t, h)
	h.tg.Edit(a, d.chats[a.ID], src.MessageID, "Second words, spelt right")
	got := h.wait(b.ID, "Second words", waitLong)
	// The fake edits a message in place: a copy sent as it was and edited after would
	// show the new words too, but only through an edit.
	if everText(h, b.ID, "First words") || h.tg.Calls("editMessageText") != 0 {
		t.Fatalf("the follower got the comment as it was before the edit (%d edits)", h.tg.Calls("editMessageText"))
	}
	if len(got.Keyboard()) == 0 || !strings.HasPrefix(got.Keyboard()[0][0].CallbackData, "rp:") {
		t.Fatalf("the edited copy lost its buttons: %+v", got.Keyboard())
	}
}

// Lengths are counted as Telegram counts them, in UTF-16 code units: a comment of
// 2,000 emoji is 4,000 units and refused as too long (found by review: counted in
// runes it passed, and its report to the moderators, longer than Telegram accepts, was
// dropped); one at the limit is relayed and reaches the moderators when reported.
func TestCommentLengthCountsAsTelegramDoes(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	h.tg.PrivateChat(admin)
	a := telegramtest.User{ID: 5012345678, FirstName: "Alexander"}
	b := telegramtest.User{ID: 5087654321, FirstName: "Bartholomew"}
	d := newDiscussion(t, h, a, b)
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "𝐓𝐎𝐎 "+strings.Repeat("😀", MaxCommentLen-4))
	h.wait(a.ID, "the limit is 2000", waitLong)

	atLimit := "𝐀𝐁 " + strings.Repeat("😀", MaxCommentLen/2-3) // 2,000 units
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, atLimit)
	copyB := h.wait(b.ID, "𝐀𝐁", waitLong)
	q, _ := h.tg.Press(b, d.chats[b.ID], copyB.MessageID, copyB.Keyboard()[0][0].CallbackData)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "moderators will look") {
		t.Fatalf("report answered %q", txt)
	}
	h.wait(admin.ID, "𝐀𝐁", waitLong) // the fake refuses what Telegram would
}
