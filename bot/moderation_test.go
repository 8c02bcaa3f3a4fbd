package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// discussion sets up readers with private chats who each opened story 1's card and
// follow its discussion.
type discussion struct {
	h     *harness
	chats map[int64]telegramtest.Chat
	cards map[int64]telegramtest.Message
}

func newDiscussion(t *testing.T, h *harness, users ...telegramtest.User) *discussion {
	t.Helper()
	d := &discussion{h: h, chats: map[int64]telegramtest.Chat{}, cards: map[int64]telegramtest.Message{}}
	for _, u := range users {
		d.chats[u.ID] = h.tg.PrivateChat(u)
		h.tg.Send(u, d.chats[u.ID], "/summary 1")
		d.cards[u.ID] = h.wait(u.ID, "reply to this message", waitLong)
		q, _ := h.tg.Press(u, d.chats[u.ID], d.cards[u.ID].MessageID, "fl:1")
		if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// sync waits until every update u sent before is handled: it sends /help and waits for
// a new answer (updates of one chat are handled in order).
func (d *discussion) sync(t *testing.T, u telegramtest.User) {
	t.Helper()
	before := countText(d.h.tg.Messages(u.ID), "Commands")
	d.h.tg.Send(u, d.chats[u.ID], "/help")
	deadline := time.Now().Add(waitLong)
	for countText(d.h.tg.Messages(u.ID), "Commands") == before {
		if time.Now().After(deadline) {
			t.Fatalf("chat %d: /help not answered", u.ID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// An answer goes before what was queued for the chat (copies, deletions): those
	// are sent too once none is left in the outbox.
	chat := d.chats[u.ID].ID
	for {
		msgs, err := d.h.db.Outbox(context.Background(), 0, 0)
		if err == nil && !slices.ContainsFunc(msgs, func(m storage.OutMessage) bool { return m.ChatID == chat }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d: messages still queued for it", u.ID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func discussionHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020", "bbc_entertainment_010"))
	return h
}

// A banned author cannot edit old comments (the copies stay as they were), nor report;
// edits pass the checks of new comments, and edited copies keep link previews off.
func TestEditsPassTheChecksOfComments(t *testing.T) {
	h := discussionHarness(t)
	h.opts.NewUserLinkBan = true
	h.start()
	h.ingest()
	ctx := context.Background()
	a := telegramtest.User{ID: 851, FirstName: "Ava"}
	b := telegramtest.User{ID: 852, FirstName: "Ben"}
	d := newDiscussion(t, h, a, b)
	orig, _ := h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "Original words")
	copyB := h.wait(b.ID, "Original words", waitLong)

	// A new reader may not edit a link in, in any form Telegram would link
	// (review S: upper case, no scheme and t.me got through, and an address as a name).
	for i, link := range []string{"https://spam.example/x", "HTTPS://spam.example/x", "spam.com/x", "t.me/spambot", "`scam@evil.com`"} {
		h.tg.Edit(a, d.chats[a.ID], orig.MessageID, "Now with "+link)
		waitUntilT(t, func() bool {
			return countText(h.tg.Messages(a.ID), "The edit was not applied. New readers can post links") > i
		})
	}
	h.tg.Send(a, d.chats[a.ID], "/name spam.com")
	h.wait(a.ID, "may not look like a web address", waitLong)
	// A plain edit goes through, and the copy shows no link preview.
	h.tg.Edit(a, d.chats[a.ID], orig.MessageID, "Better words")
	h.waitEdited(b.ID, copyB.MessageID, "Better words")
	if m, _ := h.tg.Message(b.ID, copyB.MessageID); m.Preview {
		t.Fatal("an edited copy has link previews on")
	}
	// A day later links are fine, still without previews.
	h.clock.Add(25 * time.Hour)
	h.tg.Edit(a, d.chats[a.ID], orig.MessageID, "See https://news.example/a")
	h.waitEdited(b.ID, copyB.MessageID, "See https://news.example/a")
	if m, _ := h.tg.Message(b.ID, copyB.MessageID); m.Preview {
		t.Fatal("an edited copy with a link has link previews on")
	}
	// An edit over the length limit is refused.
	h.tg.Edit(a, d.chats[a.ID], orig.MessageID, strings.Repeat("x", MaxCommentLen+1))
	h.wait(a.ID, fmt.Sprintf("the limit is %d", MaxCommentLen), waitLong)

	// Banned: no edit reaches the copies, no report leaves.
	if err := h.db.SetBanned(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	h.tg.Edit(a, d.chats[a.ID], orig.MessageID, "Banned but editing https://evil.example")
	h.wait(a.ID, "The edit was not applied. You can no longer comment here.", waitLong)
	if m, _ := h.tg.Message(b.ID, copyB.MessageID); strings.Contains(m.Text, "evil") {
		t.Fatal("a banned author's edit reached a copy")
	}
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "Reply from Ben")
	copyA := h.wait(a.ID, "Reply from Ben", waitLong)
	q, _ := h.tg.Press(a, d.chats[a.ID], copyA.MessageID, copyA.Keyboard()[0][0].CallbackData)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "can no longer report") {
		t.Fatalf("a banned reader's report: %q", txt)
	}
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "New comment while banned")
	h.wait(a.ID, "You can no longer comment here.", waitLong)
}

// Reports: only from a copy of that very comment, once per reader, never for a comment
// that is gone, and the moderators never see a deleted comment's text.
func TestReportsCannotBeForgedOrRepeated(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	a := telegramtest.User{ID: 861, FirstName: "Amy"}
	b := telegramtest.User{ID: 862, FirstName: "Bo"}
	c := telegramtest.User{ID: 863, FirstName: "Cy"}
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	h.tg.PrivateChat(admin)
	d := newDiscussion(t, h, a, b, c)
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "Amy's first")
	copyB := h.wait(b.ID, "Amy's first", waitLong)
	copyC := h.wait(c.ID, "Amy's first", waitLong)
	rp := copyB.Keyboard()[0][0].CallbackData // rp:<id>
	if !strings.HasPrefix(rp, "rp:") {
		t.Fatalf("first button %q", rp)
	}
	// Forged: the report button's data pressed under the card, and for another ID.
	for _, forged := range []struct {
		on   int
		data string
	}{{d.cards[b.ID].MessageID, rp}, {copyB.MessageID, "rp:99999"}, {copyB.MessageID, "rp:1' OR 1=1"}} {
		q, _ := h.tg.Press(b, d.chats[b.ID], forged.on, forged.data)
		if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "no longer valid") {
			t.Fatalf("forged %q: %q", forged.data, txt)
		}
	}
	q, _ := h.tg.Press(b, d.chats[b.ID], copyB.MessageID, rp)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "moderators will look") {
		t.Fatalf("report: %q", txt)
	}
	h.wait(admin.ID, "Amy's first", waitLong)
	q, _ = h.tg.Press(b, d.chats[b.ID], copyB.MessageID, rp)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "reported this comment already") {
		t.Fatalf("repeat report: %q", txt)
	}
	// A moderator removes it: the copies say so, and pressing a report on one (the
	// button is gone, but data can be forged) reaches nobody.
	report := h.wait(admin.ID, "Amy's first", waitLong)
	q, _ = h.tg.Press(admin, h.tg.PrivateChat(admin), report.MessageID, report.Keyboard()[0][0].CallbackData)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); txt != "Removed." {
		t.Fatalf("moderator: %q", txt)
	}
	h.waitEdited(c.ID, copyC.MessageID, "removed by a moderator")
	q, _ = h.tg.Press(c, d.chats[c.ID], copyC.MessageID, rp)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "gone") {
		t.Fatalf("report of a removed comment: %q", txt)
	}
	time.Sleep(100 * time.Millisecond)
	if n := countText(h.tg.Messages(admin.ID), "Report"); n != 1 {
		t.Fatalf("the moderators have %d reports, want the first one only", n)
	}
	// An author's deletion erases the text, the moderators' copies included.
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "Amy's second")
	copy2 := h.wait(b.ID, "Amy's second", waitLong)
	rp2 := copy2.Keyboard()[0][0].CallbackData
	q, _ = h.tg.Press(b, d.chats[b.ID], copy2.MessageID, rp2)
	h.tg.WaitAnswered(q, waitLong)
	h.wait(admin.ID, "Amy's second", waitLong)
	src, _ := findText(allUserMessages(h, a.ID), "Amy's second")
	h.tg.Reply(a, d.chats[a.ID], src.MessageID, "/delete")
	h.wait(a.ID, "Comment deleted", waitLong)
	deadline := time.Now().Add(waitLong)
	for countText(h.tg.Messages(admin.ID), "Amy's second") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the moderators' copy of a deleted comment stays")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rp = rp2
	cm, err := h.db.Comment(context.Background(), mustUint(t, strings.TrimPrefix(rp, "rp:")))
	if err != nil || cm.Text != "" {
		t.Fatalf("a deleted comment's text is still stored: %q %v", cm.Text, err)
	}
}

// In a group: a bystander's tap on another member's story buttons changes nothing,
// forged story numbers are refused, pending comments expire and are few; thread
// settings and /export are for the group's administrators.
func TestGroupPendingCommentsAndSettings(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	admin := telegramtest.User{ID: 871, FirstName: "Gia"}
	author := telegramtest.User{ID: 872, FirstName: "Hal"}
	bystander := telegramtest.User{ID: 873, FirstName: "Ivo"}
	group := h.tg.Group(-870, "Readers", false, admin.ID)
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(group.ID, "Your news digest", waitLong)
	h.tg.Reply(author, group, dg.MessageID, "Which one am I about?")
	ask := h.wait(group.ID, "Which story is your comment about?", waitLong)
	btn := ask.Keyboard()[0][1].CallbackData // pc:<pending>:<item>
	q, _ := h.tg.Press(bystander, group, ask.MessageID, btn)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "another reader's") {
		t.Fatalf("bystander: %q", txt)
	}
	parts := strings.Split(btn, ":")
	q, _ = h.tg.Press(author, group, ask.MessageID, "pc:"+parts[1]+":99999")
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "no longer valid") {
		t.Fatalf("forged story: %q", txt)
	}
	q, _ = h.tg.Press(author, group, ask.MessageID, btn)
	h.tg.WaitAnswered(q, waitLong)
	item := mustUint(t, parts[2])
	deadline := time.Now().Add(waitLong)
	for {
		cs, _ := h.db.ThreadComments(ctx, item)
		if len(cs) == 1 && cs[0].AuthorID == author.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the author's comment was not posted: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Few, short-lived pending comments. In a group a member is asked once every
	// noticeEvery at most (review 75: chatter under a digest made the bot talk).
	for i := range 5 {
		h.clock.Add(noticeEvery)
		h.tg.Reply(author, group, dg.MessageID, fmt.Sprintf("pending %d", i))
		deadline = time.Now().Add(waitLong)
		for countText(h.tg.Messages(group.ID), "Which story is your comment about?") < 2+i {
			if time.Now().After(deadline) {
				t.Fatal("pending comments were not asked about")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	h.tg.Reply(author, group, dg.MessageID, "asked about no more: not a noticeEvery since")
	reactions := h.tg.Calls("setMessageReaction")
	h.tg.Reply(author, group, dg.MessageID, "1 a numbered one, posted")
	waitUntilT(t, func() bool { return h.tg.Calls("setMessageReaction") > reactions })
	if n := countText(h.tg.Messages(group.ID), "Which story is your comment about?"); n != 6 {
		t.Fatalf("asked %d times, want 6", n)
	}
	n := 0
	h.db.Buckets(ctx, func(bucket string, k, v []byte) error {
		if bucket == "pending" {
			n++
		}
		return nil
	})
	if n > h.bot.opts.PendingPerReader {
		t.Fatalf("%d pending comments stored, at most %d per reader and chat", n, h.bot.opts.PendingPerReader)
	}
	asks := h.tg.Messages(group.ID)
	last := asks[len(asks)-1]
	h.clock.Add(h.bot.opts.PendingTTL + time.Minute)
	q, _ = h.tg.Press(author, group, last.MessageID, last.Keyboard()[0][0].CallbackData)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "expired") {
		t.Fatalf("expired pending comment: %q", txt)
	}

	// Thread settings and the feed list are the group's administrators' business.
	for _, data := range []string{"mt:" + parts[2], "fl:" + parts[2]} {
		q, _ := h.tg.Press(bystander, group, dg.MessageID, data)
		if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "administrators") {
			t.Fatalf("a member pressed %s: %q", data, txt)
		}
	}
	f, _ := h.db.Followers(ctx, item)
	for _, x := range f {
		if x.ChatID == group.ID && x.Muted {
			t.Fatal("a member muted the group's thread")
		}
	}
	for _, cmd := range []string{"/export", "/mute " + parts[2]} {
		before := countText(h.tg.Messages(group.ID), "Only the group's administrators")
		h.tg.Send(bystander, group, cmd)
		deadline := time.Now().Add(waitLong)
		for countText(h.tg.Messages(group.ID), "Only the group's administrators") == before {
			if time.Now().After(deadline) {
				t.Fatalf("a member's %s was not refused", cmd)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	q, _ = h.tg.Press(admin, group, dg.MessageID, "mt:"+parts[2])
	if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "Muted") {
		t.Fatalf("the admin's mute: %q", txt)
	}
}

// Names: a first name that clashes with another reader's, looks like a reserved name
// or hides characters is shown with a tag; /name refuses look-alikes and reserved names.
func TestNamesCannotImpersonate(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ann := telegramtest.User{ID: 881, FirstName: "Ann"}
	ann2 := telegramtest.User{ID: 882, FirstName: "ANN\u200b"}       // zero-width space
	fake := telegramtest.User{ID: 883, FirstName: "\u0410dmin"}      // Cyrillic А
	bidi := telegramtest.User{ID: 884, FirstName: "\u202eBob\u2066"} // bidi overrides
	filler := telegramtest.User{ID: 885, FirstName: "\u3164\u3164"}  // Hangul fillers only
	bot := telegramtest.User{ID: 886, FirstName: "newsbot_test_bot"} // the bot's username
	watcher := telegramtest.User{ID: 887, FirstName: "Wes"}
	d := newDiscussion(t, h, ann, ann2, fake, bidi, filler, bot, watcher)
	shown := func(u telegramtest.User, text string) string {
		t.Helper()
		h.tg.Reply(u, d.chats[u.ID], d.cards[u.ID].MessageID, text)
		m := h.wait(watcher.ID, text, waitLong)
		head, _, _ := strings.Cut(strings.TrimPrefix(m.Text, "💬 "), " on ")
		return head
	}
	if got := shown(ann, "from the first Ann"); got != "Ann" {
		t.Fatalf("first Ann shown as %q", got)
	}
	for _, c := range []struct {
		u    telegramtest.User
		text string
		base string
	}{
		{ann2, "from the second Ann", "ANN #"},
		{fake, "from the fake admin", "Reader #"},
		{filler, "from the invisible one", "Reader #"},
		{bot, "from the fake bot", "Reader #"},
	} {
		if got := shown(c.u, c.text); !strings.HasPrefix(got, c.base) {
			t.Errorf("%q shown as %q, want a tag after %q", c.u.FirstName, got, c.base)
		}
	}
	if got := shown(bidi, "from the bidi one"); got != "Bob" {
		t.Errorf("bidi first name shown as %q, want Bob", got)
	}
	for _, c := range []struct{ name, want string }{
		{"/name A\u200dnn", "looks just like it"},
		{"/name ΑΝΝ", "looks just like it"}, // Greek capitals
		{"/name Moderator", "reserved"},
		{"/name \u0410DMIN", "reserved"}, // Cyrillic А
		{"/name news bot", "reserved"},
		{"/name Ｎｅｗｓｂｏｔ Team", "reserved"}, // full-width
	} {
		h.tg.Send(watcher, d.chats[watcher.ID], c.name)
		h.wait(watcher.ID, c.want, waitLong)
		h.tg.ForgetMessages()
	}
	h.tg.Send(watcher, d.chats[watcher.ID], "/name Wes Ley")
	h.wait(watcher.ID, "Your comments will show Wes Ley", waitLong)
	p, err := h.db.Profile(context.Background(), watcher.ID, "Wes", "wes", h.clock.Now())
	if err != nil || p.DisplayName() != "Wes Ley" {
		t.Fatalf("profile %+v %v", p, err)
	}
	_ = storage.ErrNameTaken
}

// A reported comment that its author deletes, or erases with /forget, loses its text
// everywhere, the moderators' report included; the report itself stays, rewritten,
// with a button that still bans the author. Deleting is no way past the moderators,
// whether the report was on their screen or still waiting in the queue.
func TestReportOutlivesItsCommentsDeletion(t *testing.T) {
	for _, tc := range []struct {
		how    string
		queued bool // the report still waits in the outbox when the author acts
		says   string
	}{
		{"delete", false, "deleted by its author"},
		{"forget", false, "erased by its author (id 881)"},
		{"delete", true, "deleted by its author"},
		{"forget", true, "erased by its author (id 881)"},
		{"delete+forget", false, "erased by its author (id 881)"},
	} {
		t.Run(fmt.Sprintf("%s/queued=%v", tc.how, tc.queued), func(t *testing.T) {
			a := telegramtest.User{ID: 881, FirstName: "Abe"}
			b := telegramtest.User{ID: 882, FirstName: "Bix"}
			admin := telegramtest.User{ID: 900, FirstName: "Moe"}
			h, d := pacedDiscussion(t, 2*time.Second, a, b)
			adminChat := h.tg.PrivateChat(admin)
			const secret = "reportable words 8812"
			src, _ := h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, secret)
			copyB := h.wait(b.ID, secret, waitLong)
			if tc.queued {
				// The moderator's chat has just been written to: the report waits.
				h.tg.Send(admin, adminChat, "/help")
				h.wait(admin.ID, "/subscribe", waitLong)
			}
			q, _ := h.tg.Press(b, d.chats[b.ID], copyB.MessageID, copyB.Keyboard()[0][0].CallbackData)
			if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "moderators will look") {
				t.Fatalf("report: %q", txt)
			}
			if tc.queued {
				deadline := time.Now().Add(waitLong)
				for {
					msgs, _ := h.db.Outbox(context.Background(), 0, 0)
					if slices.ContainsFunc(msgs, func(m storage.OutMessage) bool {
						return m.Record != nil && m.Record.Kind == storage.KindReport
					}) {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the report was not queued")
					}
					time.Sleep(5 * time.Millisecond)
				}
			} else {
				h.wait(admin.ID, secret, waitLong)
			}
			if tc.how == "delete+forget" {
				// The moderator's chat has answers queued: the rewrite /delete queues
				// for the report on their screen waits behind them, and /forget finds it.
				for range 6 {
					h.tg.Send(admin, adminChat, "/help")
				}
				h.wait(admin.ID, "Commands", waitLong) // the first answered, five queued
			}
			if strings.HasPrefix(tc.how, "delete") {
				h.tg.Reply(a, d.chats[a.ID], src.MessageID, "/delete")
				h.wait(a.ID, "Comment deleted.", waitLong)
			}
			if strings.HasSuffix(tc.how, "forget") {
				h.tg.Send(a, d.chats[a.ID], "/forget")
				ask := h.wait(a.ID, "Delete everything", waitLong)
				q, _ := h.tg.Press(a, d.chats[a.ID], ask.MessageID, "forget:yes")
				h.tg.WaitAnswered(q, waitLong)
			}
			// Behind five answers paced 2 s apart, the rewrite can take past waitLong
			// on a busy machine (CI failed so once).
			stub := h.wait(admin.ID, tc.says, 3*waitLong)
			if strings.HasSuffix(tc.how, "forget") {
				// Served past the rewrites: the author's name shows nowhere, and
				// nothing queued names them.
				d.chats[admin.ID] = adminChat
				d.sync(t, admin)
				stub = h.wait(admin.ID, tc.says, waitLong)
				if everText(h, admin.ID, "deleted by its author") {
					t.Fatal("a /delete rewrite went out after /forget")
				}
			}
			if strings.Contains(stub.Text, secret) || strings.HasSuffix(tc.how, "forget") && strings.Contains(stub.Text, "Abe") {
				t.Fatalf("the rewritten report keeps what was deleted: %q", stub.Text)
			}
			if tc.queued && everText(h, admin.ID, secret) {
				t.Fatal("the queued report went out with the deleted text")
			}
			deadline := time.Now().Add(waitLong)
			for countText(h.tg.Messages(admin.ID), secret) > 0 {
				if time.Now().After(deadline) {
					t.Fatal("the moderator still sees the deleted text")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if n := countText(h.tg.Messages(admin.ID), "Report"); n != 1 {
				t.Fatalf("the moderator has %d reports, want 1", n)
			}
			// A reader cannot press it; the moderator can, and the author is banned.
			ban := stub.Keyboard()[0][0]
			if ban.Text != "Ban author" {
				t.Fatalf("button %q", ban.Text)
			}
			q, _ = h.tg.Press(b, d.chats[b.ID], d.cards[b.ID].MessageID, ban.CallbackData)
			if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "Only moderators") {
				t.Fatalf("a reader pressed ban: %q", txt)
			}
			q, _ = h.tg.Press(admin, adminChat, stub.MessageID, ban.CallbackData)
			if txt, _ := h.tg.WaitAnswered(q, waitLong); txt != "Author banned." {
				t.Fatalf("ban: %q", txt)
			}
			if p, err := h.db.Profile(context.Background(), a.ID, "", "", time.Now()); err != nil || !p.Banned {
				t.Fatalf("the author is not banned: %+v %v", p, err)
			}
			// The rewritten report stands once the moderator's chat is served past it.
			d.chats[admin.ID] = adminChat
			d.sync(t, admin)
			if m, _ := h.tg.Message(admin.ID, stub.MessageID); m.Deleted {
				t.Fatal("the rewritten report was deleted")
			}
		})
	}
}

// A first name that Telegram would show as a link (an address, a handle) heads the
// comment's copies as the tagged fallback, never as itself (review S).
func TestLinkLikeFirstNamesAreNotShown(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	for i, first := range []string{"deals.com", "@spamchannel"} {
		a := telegramtest.User{ID: int64(861 + 2*i), FirstName: first}
		b := telegramtest.User{ID: int64(862 + 2*i), FirstName: "Ben"}
		d := newDiscussion(t, h, a, b)
		h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "hello from "+strconv.Itoa(i))
		m := h.wait(b.ID, "hello from "+strconv.Itoa(i), waitLong)
		if strings.Contains(m.Text, first) || !strings.Contains(m.Text, "Reader #") {
			t.Errorf("a comment by %q is headed %q", first, m.Text)
		}
	}
}
