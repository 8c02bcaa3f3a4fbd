package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// TestDiscussionScenario follows the issue: three readers get a digest; A opens story
// 2 and replies to its card; B and C follow and get the relay; B replies to the
// relayed copy and A and C get it nested; /thread shows the nesting; A edits and every
// copy changes; C mutes; A reports B and an admin removes the comment; limits and
// injection attempts behave. The bot restarts between steps.
func TestDiscussionScenario(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020", "bbc_entertainment_010"))
	h.start()
	ctx := context.Background()
	a := telegramtest.User{ID: 11, FirstName: "Alice"}
	b := telegramtest.User{ID: 12, FirstName: "Bob"}
	c := telegramtest.User{ID: 13, FirstName: "Cleo"}
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	h.tg.PrivateChat(admin)
	chats := map[int64]telegramtest.Chat{}
	for _, u := range []telegramtest.User{a, b, c} {
		chats[u.ID] = h.tg.PrivateChat(u)
		h.tg.Send(u, chats[u.ID], "/subscribe")
		h.wait(u.ID, "Subscribed.", waitLong)
	}
	h.ingest()
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	digests := map[int64]telegramtest.Message{}
	for _, u := range []telegramtest.User{a, b, c} {
		digests[u.ID] = h.wait(u.ID, "Your news digest", waitLong)
	}
	h.restart()

	// A opens story 2 and replies to its card.
	story2 := digests[a.ID].Keyboard()[0][1].CallbackData // "card:<id>"
	itemID := strings.TrimPrefix(story2, "card:")
	openCard := func(u telegramtest.User) telegramtest.Message {
		before := len(h.tg.Messages(u.ID))
		h.tg.Press(u, chats[u.ID], digests[u.ID].MessageID, story2)
		msgs, err := h.tg.WaitMessages(u.ID, before+1, waitLong)
		if err != nil {
			t.Fatal(err)
		}
		card := msgs[len(msgs)-1]
		if !strings.Contains(card.Text, "comments · reply to this message") {
			t.Fatalf("not a card: %q", card.Text)
		}
		return card
	}
	cardA := openCard(a)
	cardB := openCard(b)
	cardC := openCard(c)
	// B and C follow the discussion from their cards.
	for _, x := range []struct {
		u    telegramtest.User
		card telegramtest.Message
	}{{b, cardB}, {c, cardC}} {
		q, _ := h.tg.Press(x.u, chats[x.u.ID], x.card.MessageID, "fl:"+itemID)
		if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, "You follow") {
			t.Fatalf("follow answer %q", txt)
		}
	}
	aComment, _ := h.tg.Reply(a, chats[a.ID], cardA.MessageID, "I think <b>this</b> matters & deserves a look </blockquote> 🙂 שלום")
	relayB := h.wait(b.ID, "💬 Alice on", waitLong)
	relayC := h.wait(c.ID, "💬 Alice on", waitLong)
	if !strings.Contains(relayB.Text, "I think <b>this</b> matters & deserves a look </blockquote> 🙂 שלום") {
		t.Fatalf("injection not shown as plain text: %q", relayB.Text)
	}
	if _, err := telegramtest.ParseHTML(relayB.HTML); err != nil {
		t.Fatalf("relay HTML invalid: %v", err)
	}
	if strings.Contains(relayB.HTML, "<b>this</b>") {
		t.Fatal("a comment produced formatting")
	}
	if got, _ := h.tg.Message(a.ID, aComment.MessageID); !strings.Contains(got.Reaction, "👍") {
		t.Fatalf("comment not confirmed with a reaction: %+v", got)
	}
	for _, m := range h.tg.Messages(a.ID) {
		if strings.Contains(m.Text, "💬 Alice") {
			t.Fatal("the author received their own comment")
		}
	}
	h.restart()

	// B replies to the relayed copy: A and C get it nested under A's comment.
	h.tg.Reply(b, chats[b.ID], relayB.MessageID, "Agreed, good point")
	nestedA := h.wait(a.ID, "💬 Bob on", waitLong)
	nestedC := h.wait(c.ID, "💬 Bob on", waitLong)
	if !strings.Contains(nestedA.Text, "↪ replying to Alice") || !strings.Contains(nestedC.Text, "↪ replying to Alice") {
		t.Fatalf("not nested: %q", nestedA.Text)
	}
	// A replies to B's reply: depth 2.
	h.tg.Reply(a, chats[a.ID], nestedA.MessageID, "Thanks Bob")
	h.wait(b.ID, "Thanks Bob", waitLong)

	// /thread shows the outline with nesting.
	h.tg.Send(c, chats[c.ID], "/thread "+itemID)
	th := h.wait(c.ID, "Discussion:", waitLong)
	lines := strings.Split(th.Text, "\n")
	var outline []string
	for _, l := range lines {
		if strings.Contains(l, "Alice:") || strings.Contains(l, "Bob:") {
			outline = append(outline, l)
		}
	}
	if len(outline) != 3 || !strings.HasPrefix(outline[0], "• Alice") || !strings.HasPrefix(outline[1], "    ↳ Bob") || !strings.HasPrefix(outline[2], "        ↳ Alice") {
		t.Fatalf("outline %q", outline)
	}
	h.restart()

	// A edits the comment: every relayed copy changes.
	if err := h.tg.Edit(a, chats[a.ID], aComment.MessageID, "Edited: this matters"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{b.ID, c.ID} {
		relay := relayB
		if id == c.ID {
			relay = relayC
		}
		h.waitEdited(id, relay.MessageID, "Edited: this matters")
	}

	// C mutes the thread and gets nothing more.
	h.tg.Reply(c, chats[c.ID], relayC.MessageID, "/mute")
	h.wait(c.ID, "Muted", waitLong)
	before := len(h.tg.Messages(c.ID))
	h.tg.Reply(b, chats[b.ID], relayB.MessageID, "One more thought")
	h.wait(a.ID, "One more thought", waitLong)
	time.Sleep(200 * time.Millisecond)
	if after := len(h.tg.Messages(c.ID)); after != before {
		t.Fatalf("muted reader got %d new messages", after-before)
	}

	// A reports B's comment; the admin removes it; the copies say so.
	q, _ := h.tg.Press(a, chats[a.ID], nestedA.MessageID, nestedA.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q, waitLong)
	report := h.wait(admin.ID, "Report, 1 so far", waitLong)
	if strings.Contains(report.Text, "Alice") {
		t.Fatalf("the report names its reporter: %q", report.Text)
	}
	q, _ = h.tg.Press(admin, h.tg.PrivateChat(admin), report.MessageID, report.Keyboard()[0][0].CallbackData)
	if txt, _ := h.tg.WaitAnswered(q, waitLong); txt != "Removed." {
		t.Fatalf("moderation answer %q", txt)
	}
	h.waitEdited(a.ID, nestedA.MessageID, "removed by a moderator")
	h.restart()

	// Limits: too long a comment is refused with a clear message, nothing posted.
	long := strings.Repeat("ы", MaxCommentLen+1)
	h.tg.Reply(b, chats[b.ID], relayB.MessageID, long)
	h.wait(b.ID, "the limit is 2000", waitLong)
	// Six comments in a row: the sixth is refused politely.
	for i := range 6 {
		h.tg.Reply(b, chats[b.ID], relayB.MessageID, "quick comment "+string(rune('A'+i)))
	}
	h.wait(b.ID, "5 comments a minute", waitLong)
	cs, err := h.db.ThreadComments(ctx, mustUint(t, itemID))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, cm := range cs {
		texts = append(texts, cm.Text)
	}
	if strings.Contains(strings.Join(texts, "|"), "ыыы") || strings.Contains(strings.Join(texts, "|"), "quick comment F") {
		t.Fatalf("a refused comment was stored: %q", texts)
	}
	var removed storage.Comment
	for _, cm := range cs {
		if cm.AuthorID == b.ID && cm.Text == "Agreed, good point" {
			removed = cm
		}
	}
	if !removed.Removed {
		t.Fatalf("moderated comment not marked: %+v", removed)
	}
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDigestReplyNeedsStoryNumber(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 200, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020"))
	h.start()
	u := telegramtest.User{ID: 21, FirstName: "Dan"}
	chat := h.tg.PrivateChat(u)
	h.tg.Send(u, chat, "/subscribe")
	h.wait(u.ID, "Subscribed.", waitLong)
	h.ingest()
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(u.ID, "Your news digest", waitLong)
	// "2 ..." goes straight to story 2.
	h.tg.Reply(u, chat, dg.MessageID, "2 Interesting numbers here")
	deadline := time.Now().Add(waitLong)
	second := mustUint(t, strings.TrimPrefix(dg.Keyboard()[0][1].CallbackData, "card:"))
	for {
		cs, _ := h.db.ThreadComments(context.Background(), second)
		if len(cs) == 1 && cs[0].Text == "Interesting numbers here" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("numbered reply not stored: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Without a number the bot asks which story, then posts it there.
	h.tg.Reply(u, chat, dg.MessageID, "Which one is this about?")
	ask := h.wait(u.ID, "Which story is your comment about?", waitLong)
	first := mustUint(t, strings.TrimPrefix(dg.Keyboard()[0][0].CallbackData, "card:"))
	q, _ := h.tg.Press(u, chat, ask.MessageID, ask.Keyboard()[0][0].CallbackData)
	h.tg.WaitAnswered(q, waitLong)
	deadline = time.Now().Add(waitLong)
	for {
		cs, _ := h.db.ThreadComments(context.Background(), first)
		if len(cs) == 1 && cs[0].Text == "Which one is this about?" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("asked comment not stored: %+v", cs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Names: unique and validated.
	h.tg.Send(u, chat, "/name <b>x</b>")
	h.wait(u.ID, "A name has 3 to 32", waitLong)
	h.tg.Send(u, chat, "/name Daniel K")
	h.wait(u.ID, "Your comments will show Daniel K", waitLong)
	v := telegramtest.User{ID: 22, FirstName: "Eva"}
	vc := h.tg.PrivateChat(v)
	h.tg.Send(v, vc, "/name daniel k")
	h.wait(v.ID, "Someone else uses that name", waitLong)
}

func TestDeleteBlockForgetGroupsAndPages(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: 5 * time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 10 * time.Millisecond, GroupPerMinute: 1000, GlobalPerSecond: 400}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	ctx := context.Background()
	h.ingest()
	a := telegramtest.User{ID: 31, FirstName: "Ana"}
	b := telegramtest.User{ID: 32, FirstName: "Ben"}
	ca, cb := h.tg.PrivateChat(a), h.tg.PrivateChat(b)
	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	group := h.tg.Group(-5000, "Readers club", false, admin.ID)

	h.tg.Send(a, ca, "/start s_1")
	cardA := h.wait(a.ID, "comments · reply", waitLong)
	h.tg.Send(b, cb, "/start s_1")
	cardB := h.wait(b.ID, "comments · reply", waitLong)
	h.tg.Press(b, cb, cardB.MessageID, "fl:1")
	// The group shares the thread but gets relays only after its admins opt in.
	h.tg.Send(admin, group, "/start s_1")
	cardG := h.wait(group.ID, "comments · reply", waitLong)
	h.tg.Reply(admin, group, cardG.MessageID, "Group view: interesting")
	h.wait(b.ID, "Group view: interesting", waitLong)
	h.tg.Send(admin, group, "/settings relay on")
	h.wait(group.ID, "will be relayed here", waitLong)

	// A link in a comment is only text.
	h.tg.Reply(a, ca, cardA.MessageID, `see <a href="https://evil.example">here</a>`)
	relay := h.wait(b.ID, "see <a href=", waitLong)
	if strings.Contains(relay.HTML, `<a href="https://evil.example">`) {
		t.Fatal("a comment produced a hidden link")
	}
	h.wait(group.ID, "see <a href=", waitLong)

	// B blocks A: A's next comments are hidden from B.
	h.tg.Reply(b, cb, relay.MessageID, "/block")
	if m := h.wait(b.ID, "no longer see this author's comments", waitLong); strings.Contains(m.Text, "Ana") {
		t.Fatalf("the block's answer names the author: %q", m.Text)
	}
	before := len(h.tg.Messages(b.ID))

	// A deletes the comment: copies are deleted, a reply to it stays under "comment deleted".
	aMsgs := h.tg.Messages(a.ID)
	_ = aMsgs
	var aSrc int
	for _, m := range allUserMessages(h, a.ID) {
		if strings.HasPrefix(m.Text, "see <a") {
			aSrc = m.MessageID
		}
	}
	h.tg.Reply(admin, group, mustRelay(t, h, group.ID, "see <a").MessageID, "Reply to Ana")
	h.wait(a.ID, "Reply to Ana", waitLong)
	// B blocked Ana, not the moderator: B gets the reply (quoting Ana's comment).
	h.wait(b.ID, "Reply to Ana", waitLong)
	h.tg.Reply(a, ca, aSrc, "/delete")
	h.wait(a.ID, "Comment deleted", waitLong)
	deadline := time.Now().Add(waitLong)
	for {
		if _, ok := findText(h.tg.Messages(b.ID), "see <a href="); !ok {
			break
		}
		if time.Now().After(deadline) {
			cs, _ := h.db.ThreadComments(ctx, 1)
			for _, c := range cs {
				cp, _ := h.db.Copies(ctx, c.ID)
				t.Logf("comment %+v copies %v", c, cp)
			}
			m, _ := findText(h.tg.Messages(b.ID), "see <a href=")
			t.Logf("B copy id %d", m.MessageID)
			t.Fatal("relayed copy not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.tg.Reply(a, ca, cardA.MessageID, "Another from Ana")
	h.wait(group.ID, "Another from Ana", waitLong)
	time.Sleep(150 * time.Millisecond)
	for _, m := range h.tg.Messages(b.ID)[before-1:] {
		if strings.Contains(m.Text, "Another from Ana") {
			t.Fatal("blocked author's comment reached the blocker")
		}
	}
	h.tg.Send(b, cb, "/thread 1")
	th := h.wait(b.ID, "Discussion:", waitLong)
	if !strings.Contains(th.Text, "(comment deleted)") || !strings.Contains(th.Text, "↳ Moe: Reply to Ana") {
		t.Fatalf("thread after delete: %q", th.Text)
	}

	// Pagination: 20 more comments make two pages with a button to the next.
	for i := range 20 {
		if _, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: 1, AuthorID: 40, AuthorName: "Bulk", Text: "bulk " + strconv.Itoa(i), Created: time.Now(), SrcChat: 40}); err != nil {
			t.Fatal(err)
		}
	}
	h.tg.Send(b, cb, "/thread 1")
	page1 := h.wait(b.ID, "page 1 of 2", waitLong)
	// A page turns in place once the sender has listed it as the open page; pressed
	// before that, it is posted anew (CI pressed within that moment once).
	waitUntilT(t, func() bool {
		listed, err := h.db.ThreadPageListed(ctx, 1, cb.ID, page1.MessageID)
		return err == nil && listed
	})
	var next string
	for _, row := range page1.Keyboard() {
		for _, btn := range row {
			if strings.HasPrefix(btn.Text, "Older") {
				next = btn.CallbackData
			}
		}
	}
	q, _ := h.tg.Press(b, cb, page1.MessageID, next)
	h.tg.WaitAnswered(q, waitLong)
	h.waitEdited(b.ID, page1.MessageID, "page 2 of 2")

	// /forget deletes A's comments too; replies stay.
	h.tg.Send(a, ca, "/forget")
	fg := h.wait(a.ID, "Delete everything", waitLong)
	h.tg.Press(a, ca, fg.MessageID, "forget:yes")
	h.wait(a.ID, "has been deleted", waitLong)
	cs, _ := h.db.ThreadComments(ctx, 1)
	for _, c := range cs {
		if c.AuthorID == a.ID && !c.Deleted {
			t.Fatalf("comment survived /forget: %+v", c)
		}
	}
}

func allUserMessages(h *harness, chat int64) []telegramtest.Message {
	var out []telegramtest.Message
	for id := 1; id < 200; id++ {
		if m, ok := h.tg.Message(chat, id); ok && m.From != nil && !m.From.IsBot {
			out = append(out, m)
		}
	}
	return out
}

func findText(ms []telegramtest.Message, s string) (telegramtest.Message, bool) {
	for _, m := range ms {
		if strings.Contains(m.Text, s) {
			return m, true
		}
	}
	return telegramtest.Message{}, false
}

func mustRelay(t *testing.T, h *harness, chat int64, s string) telegramtest.Message {
	t.Helper()
	m, ok := findText(h.tg.Messages(chat), s)
	if !ok {
		t.Fatalf("no message with %q in chat %d", s, chat)
	}
	return m
}

// A reader may reply to a relayed comment before the bot has heard the copy's message
// ID back from Telegram (a slow link, a slow disk): the reply still nests under the
// comment instead of being refused as "not about a story".
func TestReplyBeforeTheBotKnowsItsMessage(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	a := telegramtest.User{ID: 861, FirstName: "Ada"}
	b := telegramtest.User{ID: 862, FirstName: "Bea"}
	d := newDiscussion(t, h, a, b)
	// The lag is long against the time the reply takes to reach the bot, so the reply
	// surely arrives while the copy's send is under way; short against recordWait.
	h.tg.SetLag(func(method string) time.Duration {
		if method == "sendmessage" {
			return 1200 * time.Millisecond
		}
		return 0
	})
	t.Cleanup(func() { h.tg.SetLag(nil) })
	h.tg.Reply(a, d.chats[a.ID], d.cards[a.ID].MessageID, "first thoughts")
	copyB := h.wait(b.ID, "first thoughts", waitLong)
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "an answer at once")
	relayed := h.wait(a.ID, "an answer at once", waitLong)
	if !strings.Contains(relayed.Text, "replying to Ada") {
		t.Fatalf("the answer is not nested under Ada's comment: %q", relayed.Text)
	}
	for _, m := range h.tg.Messages(b.ID) {
		if strings.Contains(m.Text, "To discuss a story") {
			t.Fatalf("Bea's reply was refused: %q", m.Text)
		}
	}
	// A report button pressed as soon as the copy shows is not a stale button.
	h.tg.Reply(b, d.chats[b.ID], copyB.MessageID, "and a second one")
	second := h.wait(a.ID, "and a second one", waitLong)
	q, _ := h.tg.Press(a, d.chats[a.ID], second.MessageID, second.Keyboard()[0][0].CallbackData)
	if answer, err := h.tg.WaitAnswered(q, waitLong); err != nil || !strings.Contains(answer, "moderators will look") {
		t.Fatalf("report pressed at once: answer %q, %v", answer, err)
	}
}
