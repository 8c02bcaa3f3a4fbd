package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// postAndRelay stores and relays a comment as handleReply does for a reply to a card.
func postAndRelay(t *testing.T, h *harness, item uint64, author int64, msg int, text string) storage.Comment {
	t.Helper()
	ctx := context.Background()
	c, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: item, AuthorID: author, AuthorName: "Reader",
		Text: text, Created: h.clock.Now(), SrcChat: author, SrcMsg: msg})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.relay(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// One author's deletions of comments many chats follow go with the copies, not ahead
// of the digests queued after them (review 75: 50 deletions to 1,000 followers held
// back every digest 42 minutes).
func TestDeletionsOfCopiesDoNotHoldBackDigests(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{GlobalPerSecond: 20, PrivateEvery: 50 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.ingest()
	h.start()
	ctx := context.Background()
	items, err := h.db.Items(ctx, 10)
	if err != nil || len(items) < 1 {
		t.Fatal(items, err)
	}
	x := items[0].ID
	const followers, comments = 24, 3 // more followers than a sweep's 20 sends
	for i := range followers {
		id := int64(5000 + i)
		h.tg.PrivateChat(telegramtest.User{ID: id, FirstName: "Follower"})
		if err := h.db.SetFollow(ctx, x, id, false); err != nil {
			t.Fatal(err)
		}
	}
	author := telegramtest.User{ID: 11, FirstName: "Ann"}
	h.tg.PrivateChat(author)
	var ids []uint64
	for c := range comments {
		ids = append(ids, postAndRelay(t, h, x, author.ID, c+1, "words "+string(rune('a'+c))).ID)
	}
	waitUntilT(t, func() bool { // every copy sent, so that each deletion is queued
		for _, id := range ids {
			if cps, _ := h.db.Copies(ctx, id); len(cps) < followers {
				return false
			}
		}
		return true
	})
	for _, id := range ids {
		if err := h.bot.removeComment(ctx, id, false, nil); err != nil { // /delete, each
			t.Fatal(err)
		}
	}
	reader := telegramtest.User{ID: 12, FirstName: "Ben"}
	h.tg.PrivateChat(reader)
	digest := storage.OutMessage{ChatID: reader.ID, Method: "sendMessage", Class: storage.ClassDigest,
		Params: map[string]string{"chat_id": "12", "text": "Your news digest"}}
	if err := h.db.Enqueue(ctx, []storage.OutMessage{digest}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.bot.sender.Wake()
	before := h.tg.Calls("deleteMessage")
	h.wait(reader.ID, "Your news digest", time.Minute)
	if ahead := h.tg.Calls("deleteMessage") - before; ahead > followers {
		t.Errorf("a digest waited behind %d of %d deletions of one author's comments", ahead, followers*comments)
	}
}

// In a group, a member answering another member's comment is talking to them: it is
// no comment, and goes to no follower (review 75: a phone number went to a stranger).
// Answering one's own comment, or the bot's copy, still is one.
func TestGroupMembersAnsweringEachOtherAreNotComments(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: 5 * time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	h.ingest()
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	ana, ben := telegramtest.User{ID: 31, FirstName: "Ana"}, telegramtest.User{ID: 32, FirstName: "Ben"}
	stranger := telegramtest.User{ID: 33, FirstName: "Sam"}
	cs := h.tg.PrivateChat(stranger)
	h.tg.Send(stranger, cs, "/start s_1")
	card := h.wait(stranger.ID, "comments · reply", waitLong)
	h.tg.Press(stranger, cs, card.MessageID, "fl:1")
	group := h.tg.Group(-5002, "Friends", false, admin.ID)
	h.tg.Send(admin, group, "/start s_1")
	cardG := h.wait(group.ID, "comments · reply", waitLong)
	anaMsg, _ := h.tg.Reply(ana, group, cardG.MessageID, "Interesting")
	h.wait(stranger.ID, "Interesting", waitLong)
	h.tg.Reply(ben, group, anaMsg.MessageID, "Ana, my new number is 555-0142, call me tonight")
	h.tg.Reply(ana, group, anaMsg.MessageID, "Also the second paragraph")
	h.wait(stranger.ID, "the second paragraph", waitLong)
	if m, ok := findText(h.tg.Messages(stranger.ID), "555-0142"); ok {
		t.Errorf("a member's answer to another member's message reached a stranger: %q", m.Text)
	}
	cs2, err := h.db.ThreadComments(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs2 {
		if strings.Contains(c.Text, "555-0142") {
			t.Errorf("stored as a comment: %q", c.Text)
		}
	}
}

// groupDigest starts the bot, subscribes a group and returns it with its first
// digest of two stories.
func groupDigest(t *testing.T, h *harness, id int64) (telegramtest.Chat, telegramtest.Message) {
	t.Helper()
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: 5 * time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020"))
	h.start()
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	group := h.tg.Group(id, "Club", false, admin.ID)
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed", waitLong)
	h.ingest()
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	return group, h.wait(group.ID, "Your news digest", waitLong)
}

// Members answering the group's digest among themselves ("lol", a sticker) do not
// make the bot talk at every reply (review 75: five replies, five bot messages).
func TestGroupChatterUnderADigestIsAnsweredOnceAWhile(t *testing.T) {
	h := newHarness(t)
	member := telegramtest.User{ID: 41, FirstName: "Max"}
	group, dg := groupDigest(t, h, -5001)
	before, reactions := len(h.tg.Messages(group.ID)), h.tg.Calls("setMessageReaction")
	for _, text := range []string{"lol", "same", "", "ok", "", "2 this one"} {
		h.tg.Reply(member, group, dg.MessageID, text)
	}
	// The numbered reply is posted and confirmed: the replies before it are handled.
	waitUntilT(t, func() bool { return h.tg.Calls("setMessageReaction") > reactions })
	waitUntilT(t, func() bool { n, _, _ := h.db.OutboxStats(context.Background(), h.clock.Now()); return n == 0 })
	var said []string
	for _, m := range h.tg.Messages(group.ID)[before:] {
		if m.From != nil && m.From.IsBot {
			said = append(said, m.Text)
		}
	}
	if len(said) > 1 {
		t.Errorf("one member's replies to the group's digest made the bot post %d messages: %q", len(said), said)
	}
}

// digestFor subscribes a reader and returns their first digest of two stories.
func digestFor(t *testing.T, h *harness, u telegramtest.User) (telegramtest.Chat, telegramtest.Message) {
	t.Helper()
	chat := h.tg.PrivateChat(u)
	h.tg.Send(u, chat, "/subscribe")
	h.wait(u.ID, "Subscribed.", waitLong)
	h.ingest()
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	return chat, h.wait(u.ID, "Your news digest", waitLong)
}

// A reply to a digest waits for its story to be picked; an edit meanwhile is what the
// pick posts (review 75: the words edited out were posted), and an edit that may not
// be posted withdraws it.
func TestAnEditBeforeThePickIsWhatIsPosted(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020"))
	h.start()
	u := telegramtest.User{ID: 21, FirstName: "Dan"}
	chat, dg := digestFor(t, h, u)
	first := mustUint(t, strings.TrimPrefix(dg.Keyboard()[0][0].CallbackData, "card:"))
	ctx := context.Background()

	m, _ := h.tg.Reply(u, chat, dg.MessageID, "Call me on 555-0199 about this")
	ask := h.wait(u.ID, "Which story is your comment about?", waitLong)
	if err := h.tg.Edit(u, chat, m.MessageID, "Interesting story"); err != nil {
		t.Fatal(err)
	}
	pending := mustUint(t, strings.Split(strings.TrimPrefix(ask.Keyboard()[0][0].CallbackData, "pc:"), ":")[0])
	waitUntilT(t, func() bool {
		p, err := h.db.Pending(ctx, chat.ID, pending, u.ID, time.Time{})
		return err == nil && p.Text == "Interesting story"
	})
	q, _ := h.tg.Press(u, chat, ask.MessageID, ask.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q, waitLong)
	var cs []storage.Comment
	waitUntilT(t, func() bool { cs, _ = h.db.ThreadComments(ctx, first); return len(cs) == 1 })
	if cs[0].Text != "Interesting story" {
		t.Fatalf("posted %q, want the edited text", cs[0].Text)
	}

	// Edited past the length limit: withdrawn, and the reader told.
	m2, _ := h.tg.Reply(u, chat, dg.MessageID, "A second thought")
	var ask2 telegramtest.Message
	waitUntilT(t, func() bool { // the question about this reply, not the first one's
		for _, m := range h.tg.Messages(u.ID) {
			if m.MessageID > m2.MessageID && strings.Contains(m.Text, "Which story is your comment about?") {
				ask2 = m
				return true
			}
		}
		return false
	})
	if err := h.tg.Edit(u, chat, m2.MessageID, strings.Repeat("a", MaxCommentLen+1)); err != nil {
		t.Fatal(err)
	}
	h.wait(u.ID, "The comment was withdrawn.", waitLong)
	q2, _ := h.tg.Press(u, chat, ask2.MessageID, ask2.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q2, waitLong)
	if cs, _ = h.db.ThreadComments(ctx, first); len(cs) != 1 {
		t.Errorf("a withdrawn comment was posted: %+v", cs[1:])
	}
}

// "2 …" over several lines comments on story 2 (review 75: "." stopped at the line's
// end), and an edit of it keeps the number out of the comment.
func TestANumberedCommentOverSeveralLines(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020"))
	h.start()
	u := telegramtest.User{ID: 22, FirstName: "Eve"}
	chat, dg := digestFor(t, h, u)
	second := mustUint(t, strings.TrimPrefix(dg.Keyboard()[0][1].CallbackData, "card:"))
	ctx := context.Background()
	m, _ := h.tg.Reply(u, chat, dg.MessageID, "2 First thought.\nSecond thought.")
	var cs []storage.Comment
	waitUntilT(t, func() bool { cs, _ = h.db.ThreadComments(ctx, second); return len(cs) == 1 })
	if cs[0].Text != "First thought.\nSecond thought." {
		t.Fatalf("posted %q on story 2", cs[0].Text)
	}
	if err := h.tg.Edit(u, chat, m.MessageID, "2 First thought, edited."); err != nil {
		t.Fatal(err)
	}
	waitUntilT(t, func() bool {
		cs, _ = h.db.ThreadComments(ctx, second)
		return len(cs) == 1 && cs[0].Text != "First thought.\nSecond thought."
	})
	if cs[0].Text != "First thought, edited." {
		t.Errorf("edited to %q", cs[0].Text)
	}
}

// A burst of replies faster than they can be sent passes the follower by: at most
// storage.MaxQueuedForCopies copies wait for them, then one note sends them to the
// discussion's page (review 75: K accounts in one discussion queued K² copies).
func TestABurstOfCommentsPassesAFollowerByWithANote(t *testing.T) {
	h := discussionHarness(t)
	h.opts.Send.PrivateEvery = 100 * time.Millisecond // a follower is sent 10 a second
	h.start()
	h.ingest()
	ana := telegramtest.User{ID: 881, FirstName: "Ana"}
	var repliers []telegramtest.User
	for i := range 6 {
		repliers = append(repliers, telegramtest.User{ID: int64(890 + i), FirstName: fmt.Sprintf("R%d", i)})
	}
	d := newDiscussion(t, h, append([]telegramtest.User{ana}, repliers...)...)
	h.tg.Reply(ana, d.chats[ana.ID], d.cards[ana.ID].MessageID, "Words to answer")
	var copies []telegramtest.Message
	for _, u := range repliers {
		copies = append(copies, h.wait(u.ID, "Words to answer", waitLong))
	}
	const replies = 30 // five each, within the readers' 5 a minute
	for i := range replies {
		k := i % len(repliers)
		h.tg.Reply(repliers[k], d.chats[repliers[k].ID], copies[k].MessageID, fmt.Sprintf("Reply %d", i))
	}
	note := h.wait(ana.ID, "More comments arrived than can be sent to you", time.Minute)
	waitUntilT(t, func() bool { n, _, _ := h.db.OutboxStats(context.Background(), h.clock.Now()); return n == 0 })
	// At most MaxQueuedForCopies waited at once; a few more went out meanwhile.
	got := countText(h.tg.Messages(ana.ID), "replying to Ana")
	if got >= replies-2 || got < storage.MaxQueuedForCopies/2 {
		t.Errorf("Ana got %d of %d copies, want about %d", got, replies, storage.MaxQueuedForCopies)
	}
	if n := countText(h.tg.Messages(ana.ID), "More comments arrived"); n != 1 {
		t.Errorf("%d notes", n)
	}
	if kb := note.Keyboard(); len(kb) == 0 || !strings.HasPrefix(kb[0][0].CallbackData, "th:") {
		t.Errorf("the note's buttons: %+v", kb)
	}
	if h.bot.Stats().CopiesPassedBy == 0 {
		t.Error("no copy counted as passed by")
	}
}

// A deletion goes ahead of the copies queued for other chats (review 77: ranked with
// the copies, an erasure waited behind 1,020 of 1,200, 20 s).
func TestAnErasureGoesAheadOfOtherChatsCopies(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 10000, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{GlobalPerSecond: 50, PrivateEvery: time.Second}
	ctx := context.Background()
	victim := telegramtest.User{ID: 4242, FirstName: "Vic"}
	vc := h.tg.PrivateChat(victim)
	h.start()
	h.tg.Send(victim, vc, "/help")
	shown := h.wait(victim.ID, "", waitLong) // a message of ours on the reader's screen
	const chats, each = 120, 10              // more chats than a second of sends, each paced to one a second
	var flood []storage.OutMessage
	for i := range chats {
		id := int64(7000 + i)
		h.tg.PrivateChat(telegramtest.User{ID: id, FirstName: "F"})
		for range each {
			flood = append(flood, storage.OutMessage{ChatID: id, Method: "sendMessage", Class: storage.ClassCopy,
				Params: map[string]string{"chat_id": fmt.Sprint(id), "text": "copy"}})
		}
	}
	if err := h.db.Enqueue(ctx, flood, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Enqueue(ctx, []storage.OutMessage{storage.Deletion(victim.ID, int64(shown.MessageID))}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	before := h.tg.Calls("sendMessage")
	h.bot.sender.Wake()
	waitUntilT(t, func() bool {
		for _, m := range h.tg.Messages(victim.ID) {
			if m.MessageID == shown.MessageID {
				return false
			}
		}
		return true
	})
	if ahead := h.tg.Calls("sendMessage") - before; ahead > chats {
		t.Errorf("the erasure waited behind %d of %d copies queued for other chats", ahead, chats*each)
	}
}

// Redrawing a comment's copies takes words off screens when it or the parent its
// copies quote is gone: such edits go with the deletions, and always (review 79: a
// moderator's removal waited behind every copy; edits of delivered copies that bring
// new words are what the bound leaves out).
func TestEditsThatTakeWordsAwayAreErasures(t *testing.T) {
	h := newHarness(t)
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	h.ingest()
	ctx := context.Background()
	items, err := h.db.Items(ctx, 1)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	add := func(parent uint64, msg int) storage.Comment {
		c, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: items[0].ID, ParentID: parent, AuthorID: 11, AuthorName: "A",
			Text: "words", Created: h.clock.Now(), SrcChat: 11, SrcMsg: msg})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	parent := add(0, 1)
	reply := add(parent.ID, 2)
	for _, c := range []storage.Comment{parent, reply} {
		if erasing, err := h.bot.takesWordsAway(ctx, c); err != nil || erasing {
			t.Errorf("comment %d before any removal: erasing %v (%v)", c.ID, erasing, err)
		}
	}
	removed, err := h.db.UpdateComment(ctx, parent.ID, func(c *storage.Comment) error { c.Removed = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []storage.Comment{removed, reply} {
		if erasing, err := h.bot.takesWordsAway(ctx, c); err != nil || !erasing {
			t.Errorf("comment %d after the parent's removal: erasing %v (%v)", c.ID, erasing, err)
		}
	}
}

// Through the bot: a reply's copy that still quotes a parent that went is redrawn as
// an erasure, whoever asks (the refresh, or the author's edit before it: review 81
// found that edit dropped for a full chat, with nothing left to redraw the copy); once
// a copy is drawn without the quote, edits of it bring words and go with the copies,
// under the bound (review 80: every edit of such a reply skipped it).
func TestRedrawsAfterAParentWentAreErasuresAndEditsAreNot(t *testing.T) {
	h := newHarness(t)
	h.opts.Send = queue.SenderOptions{GlobalPerSecond: 0.001} // nothing drains: the queue is read
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	h.ingest()
	ctx := context.Background()
	// The sender's one send until the test is over goes to a chat of its own: the
	// follower's messages stay queued, delivered by the test alone.
	warm := telegramtest.User{ID: 607, FirstName: "W"}
	h.tg.PrivateChat(warm)
	if err := h.db.Enqueue(ctx, []storage.OutMessage{{ChatID: warm.ID, Method: "sendMessage",
		Params: map[string]string{"chat_id": "607", "text": "warm"}}}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.bot.sender.Wake()
	h.wait(warm.ID, "warm", waitLong)
	items, err := h.db.Items(ctx, 1)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	const follower = 606
	if err := h.db.SetFollow(ctx, items[0].ID, follower, false); err != nil {
		t.Fatal(err)
	}
	msgID := 0
	deliver := func() { // what waits for the follower is sent, as the sender records it
		q, err := h.db.Outbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range q {
			if m.ChatID != follower {
				continue
			}
			id := 0
			if m.Method == "editMessageText" {
				id = int(mustUint(t, m.Params["message_id"]))
			} else {
				msgID++
				id = msgID
			}
			if _, err := h.db.Sent(ctx, m.ID, m.ChatID, id, m.Record); err != nil {
				t.Fatal(err)
			}
		}
	}
	post := func(parent uint64, author int64) storage.Comment {
		c, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: items[0].ID, ParentID: parent, AuthorID: author, AuthorName: "A",
			Text: "words", Created: h.clock.Now(), SrcChat: author, SrcMsg: int(author)})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.bot.relay(ctx, c); err != nil {
			t.Fatal(err)
		}
		deliver()
		return c
	}
	parent := post(0, 11)
	reply := post(parent.ID, 12)
	classOfEdit := func() (storage.MessageClass, bool) {
		q, _ := h.db.Outbox(ctx, 0, 0)
		for _, m := range q {
			if m.ChatID == follower && m.Method == "editMessageText" && m.Record != nil && m.Record.Comment == reply.ID {
				return m.Class, true
			}
		}
		return 0, false
	}
	editReply := func(text string) {
		if _, err := h.db.UpdateComment(ctx, reply.ID, func(c *storage.Comment) error { c.Text, c.Edited = text, h.clock.Now(); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := h.bot.finishChange(ctx, reply.ID); err != nil { // as handleEdit does
			t.Fatal(err)
		}
	}
	if err := h.bot.removeComment(ctx, parent.ID, true, nil); err != nil {
		t.Fatal(err)
	}
	// The author edits the reply before the refresh: the copy quotes the parent still.
	editReply("new words")
	if class, ok := classOfEdit(); !ok || class != storage.ClassErase {
		t.Errorf("the author's edit of a copy quoting a parent that went: class %d queued %v, want an erasure", class, ok)
	}
	if err := h.bot.finishChange(ctx, reply.ID); err != nil { // the refresh
		t.Fatal(err)
	}
	if class, ok := classOfEdit(); !ok || class != storage.ClassErase {
		t.Errorf("the refresh: class %d queued %v, want an erasure", class, ok)
	}
	deliver() // the copy is drawn without the quote now
	editReply("newer words")
	if class, ok := classOfEdit(); !ok || class != storage.ClassCopy {
		t.Errorf("an edit of a copy drawn without the quote: class %d queued %v, want a copy's", class, ok)
	}
}

// A group asks a member which story a reply is about on a clock of its own: a notice
// just before (a refused comment) does not leave their real reply unanswered (review 77).
func TestAGroupAsksWhichStoryAfterANotice(t *testing.T) {
	h := newHarness(t)
	member := telegramtest.User{ID: 42, FirstName: "Max"}
	group, dg := groupDigest(t, h, -5003)
	h.tg.Reply(member, group, dg.MessageID, "1 "+strings.Repeat("a", MaxCommentLen+1))
	h.wait(group.ID, "the limit is", waitLong)
	h.tg.Reply(member, group, dg.MessageID, "A real reply about one of them")
	h.wait(group.ID, "Which story is your comment about?", waitLong)
}
