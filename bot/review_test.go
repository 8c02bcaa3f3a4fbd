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
	"github.com/newsbot/newsbot/stories"
)

// The attacks an outside review found after the first round of hardening, each as a
// hostile reader would try it.

// /forget neither lifts a ban nor resets a reader's limits, and cannot be repeated at
// once.
func TestForgetIsNoWayOut(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	a := telegramtest.User{ID: 1101, FirstName: "Evi"}
	b := telegramtest.User{ID: 1102, FirstName: "Fox"}
	d := newDiscussion(t, h, a, b)
	if err := h.db.SetBanned(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	forget := func(want string) {
		t.Helper()
		h.tg.Send(a, d.chats[a.ID], "/forget")
		m := h.wait(a.ID, "This cannot be undone", waitLong)
		q, _ := h.tg.Press(a, d.chats[a.ID], m.MessageID, "forget:yes")
		if txt, _ := h.tg.WaitAnswered(q, waitLong); !strings.Contains(txt, want) {
			t.Fatalf("/forget answered %q, want %q", txt, want)
		}
		h.tg.ForgetMessages()
	}
	forget("Deleted.")
	forget("wait a few minutes")
	h.tg.Send(a, d.chats[a.ID], "/summary 1")
	card := h.wait(a.ID, "reply to this message", waitLong)
	h.tg.Reply(a, d.chats[a.ID], card.MessageID, "back after the ban")
	h.wait(a.ID, "You can no longer comment here.", waitLong)
	if n := countText(h.tg.Messages(b.ID), "back after the ban"); n != 0 {
		t.Fatal("a banned reader's comment was relayed after /forget")
	}
}

// Item numbers are sequential: /thread, a forged th: or fl: button and /mute on a
// number must not reveal or follow another reader's private feed.
func TestPrivateItemsCannotBeProbed(t *testing.T) {
	h := discussionHarness(t)
	ctx := context.Background()
	const private = "https://secret.example/rss"
	got, err := h.db.AddItems(ctx, private, []storage.Item{{Key: "s", Title: "SECRET TITLE of a private feed", Text: "x", Published: t0}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := got[0].ID
	owner := telegramtest.User{ID: 1111, FirstName: "Own"}
	if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: owner.ID, Kind: "private", Active: true, OwnFeeds: []string{private}}); err != nil {
		t.Fatal(err)
	}
	h.start()
	prober := telegramtest.User{ID: 1112, FirstName: "Pro"}
	c := h.tg.PrivateChat(prober)
	h.tg.Send(prober, c, fmt.Sprintf("/thread %d", id))
	h.wait(c.ID, "no longer available", waitLong)
	h.tg.Send(prober, c, fmt.Sprintf("/mute %d", id))
	h.wait(c.ID, "no longer available", waitLong)
	h.tg.Send(prober, c, "/help")
	help := h.wait(c.ID, "Commands", waitLong)
	for _, data := range []string{fmt.Sprintf("th:%d:0", id), fmt.Sprintf("fl:%d", id)} {
		q, _ := h.tg.Press(prober, c, help.MessageID, data)
		h.tg.WaitAnswered(q, waitLong)
	}
	time.Sleep(100 * time.Millisecond)
	for _, m := range h.tg.Messages(c.ID) {
		if strings.Contains(m.Text, "SECRET") {
			t.Fatalf("a private item shows: %q", m.Text)
		}
	}
	fs, _ := h.db.Followers(ctx, id)
	for _, f := range fs {
		if f.ChatID == c.ID {
			t.Fatal("a reader follows another reader's private item")
		}
	}
	// Its owner sees it.
	oc := h.tg.PrivateChat(owner)
	h.tg.Send(owner, oc, fmt.Sprintf("/thread %d", id))
	h.wait(oc.ID, "SECRET TITLE", waitLong)
}

// A reader's feeds that flood the store cannot push the public news out of another
// reader's digest; their owner's digest reads only the newest MaxOwnItems of them.
func TestFloodingFeedKeepsToItself(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond}
	h.opts.Windows = stories.Windows{MaxItems: 1000, MaxOwnItems: 50}
	ctx := context.Background()
	const flood = "https://flood.example/rss"
	now := t0.Add(6 * time.Hour)
	h.clock.Set(now)
	public := []storage.Item{{Key: "p", Title: "Council approves the harbour budget", Text: "The council approved the budget.", Published: now.Add(-3 * time.Hour)}}
	if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], public, now.Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var junk []storage.Item
	for i := range 5000 {
		junk = append(junk, storage.Item{Key: fmt.Sprint("j", i), Title: fmt.Sprintf("junk %d %d", i, i*7), Text: "junk", Published: now.Add(-time.Hour)})
	}
	if _, err := h.db.AddItems(ctx, flood, junk, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []storage.Subscriber{
		{ChatID: 1121, Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC", Times: []string{"08:00"}, Stories: 8, SummarySentences: 1,
			LastDigest: now.Add(-5 * time.Hour), NextDigest: now.Add(-time.Minute)},
		{ChatID: 1122, Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC", Times: []string{"08:00"}, Stories: 8, SummarySentences: 1,
			LastDigest: now.Add(-5 * time.Hour), NextDigest: now.Add(-time.Minute), OwnFeeds: []string{flood}},
	} {
		h.tg.PrivateChat(telegramtest.User{ID: s.ChatID, FirstName: "R"})
		if err := h.db.PutSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	h.start()
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(1121, "Your news digest", waitLong)
	if !strings.Contains(dg.Text, "harbour budget") {
		t.Fatalf("the public story was pushed out of another reader's digest:\n%s", dg.Text)
	}
	h.wait(1122, "Your news digest", waitLong) // the flood's owner reads their own flood
	if n := h.bot.Stats().WindowDropped; n != 5000-50 {
		t.Fatalf("window dropped %d, want the flood's surplus over its own cap (4950)", n)
	}
}

// A chat that blocked the bot no longer keeps its feeds polled.
func TestGoneChatsReleaseTheirFeeds(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond}
	h.setPage("/other.xml", strings.Replace(articleFeed(t, h.web.URL, "bbc_sport_020"), "Fixture News", "Other News", 1))
	h.start()
	ctx := context.Background()
	u := telegramtest.User{ID: 1131, FirstName: "Gon"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, "/add "+h.web.URL+"/other.xml")
	h.wait(c.ID, "Added Other News", waitLong)
	if _, err := h.db.Feed(ctx, h.web.URL+"/other.xml"); err != nil {
		t.Fatal(err)
	}
	h.tg.Block(u.ID)
	h.tg.Send(u, c, "/help") // the answer meets the block: the chat is deactivated
	deadline := time.Now().Add(waitLong)
	for {
		if _, err := h.db.Feed(ctx, h.web.URL+"/other.xml"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the feed of a chat that blocked the bot is still polled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s, _ := h.db.Subscriber(ctx, c.ID); len(s.OwnFeeds) != 1 {
		t.Fatalf("the chat's own list was lost: %+v", s.OwnFeeds)
	}
}

// In a group: one member's burst cannot crowd out the others, refusals do not fill the
// group, and /digest is the administrators'.
func TestGroupMembersCannotCrowdEachOther(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	admin := telegramtest.User{ID: 1141, FirstName: "Adm"}
	loud := telegramtest.User{ID: 1142, FirstName: "Lou"}
	quiet := telegramtest.User{ID: 1143, FirstName: "Qui"}
	group := h.tg.Group(-1140, "Club", false, admin.ID)
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)
	h.tg.Send(loud, group, "/digest")
	h.wait(group.ID, "Only the group's administrators", waitLong)
	for i := range 40 {
		h.tg.Send(loud, group, fmt.Sprintf("/summary %d", 1+i%3))
	}
	h.tg.Send(quiet, group, "/help")
	h.wait(group.ID, "Commands", waitLong)
	// Too-long comments, again and again: one refusal in the group, not one each.
	h.tg.Send(admin, group, "/summary 1")
	card := h.wait(group.ID, "reply to this message", waitLong)
	for range 5 {
		h.tg.Reply(quiet, group, card.MessageID, strings.Repeat("x", MaxCommentLen+1))
	}
	h.tg.Send(quiet, group, "/help")
	deadline := time.Now().Add(waitLong)
	for countText(h.tg.Messages(group.ID), "Commands") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the second /help was not answered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := countText(h.tg.Messages(group.ID), "the limit is"); n != 1 {
		t.Fatalf("%d refusals in the group, want 1", n)
	}
}

// Small things: a filter kind in capitals, a pending comment refused by the rate stays,
// the moderators hear of a comment at the first report and at thresholds only, and a
// huge OPML file is read once and capped.
func TestReviewSmallThings(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	u := telegramtest.User{ID: 1151, FirstName: "Sam"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, "/filters INCLUDE kyiv")
	h.wait(c.ID, "Added include filter", waitLong)
	s, _ := h.db.Subscriber(ctx, c.ID)
	if len(s.Include) != 1 || len(s.Exclude) != 0 {
		t.Fatalf("filters %+v / %+v", s.Include, s.Exclude)
	}

	var doc strings.Builder
	doc.WriteString(`<opml version="2.0"><body>`)
	for i := range 50_000 {
		fmt.Fprintf(&doc, `<outline xmlUrl="https://f%d.example/rss"/>`, i%60_000)
	}
	doc.WriteString(`</body></opml>`)
	urls, _, err := ParseOPML([]byte(doc.String()))
	if err != nil || len(urls) != maxOPMLFeeds {
		t.Fatalf("%d feeds from a huge OPML file, %v", len(urls), err)
	}

	admin := telegramtest.User{ID: 900, FirstName: "Moe"}
	h.tg.PrivateChat(admin)
	author := telegramtest.User{ID: 1152, FirstName: "Aut"}
	var readers []telegramtest.User
	for i := range 4 {
		readers = append(readers, telegramtest.User{ID: int64(1160 + i), FirstName: fmt.Sprint("R", i)})
	}
	d := newDiscussion(t, h, append([]telegramtest.User{author}, readers...)...)
	h.tg.Reply(author, d.chats[author.ID], d.cards[author.ID].MessageID, "reported by many")
	for _, r := range readers {
		cp := h.wait(r.ID, "reported by many", waitLong)
		q, _ := h.tg.Press(r, d.chats[r.ID], cp.MessageID, cp.Keyboard()[0][0].CallbackData)
		h.tg.WaitAnswered(q, waitLong)
	}
	time.Sleep(200 * time.Millisecond)
	if n := countText(h.tg.Messages(admin.ID), "reported by many"); n != 2 {
		t.Fatalf("the moderators got %d reports from 4 readers, want 2 (the 1st and the 3rd)", n)
	}
}

// A chat's 30 longest filters are listed in full, over as many messages as they need,
// and the last one carries the buttons that remove them (found by a later review: one
// message of ~6,300 characters was refused by Telegram and dropped).
func TestLongFilterListIsSplit(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond}
	h.start()
	u := telegramtest.User{ID: 311, FirstName: "Fil"}
	c := h.tg.PrivateChat(u)
	for i := range 30 {
		// 200 characters, the longest a filter may be; \x{0061} is "a".
		h.tg.Send(u, c, fmt.Sprintf("/filters include %02d%s", i, strings.Repeat(`\x{0061}`, 24)+"xxxxxx"))
		h.wait(u.ID, fmt.Sprintf("Added include filter %02d", i), waitLong)
	}
	h.tg.Send(u, c, "/filters")
	last := h.wait(u.ID, "/filters clear", waitLong)
	if n := len(last.Keyboard()); n != 30 {
		t.Fatalf("the last part has %d remove buttons, want 30", n)
	}
	listed := 0
	for _, m := range h.tg.Messages(u.ID) {
		listed += strings.Count(m.Text, "include: ")
	}
	if listed != 30 {
		t.Fatalf("%d filters listed, want 30", listed)
	}
}

// A Telegram first name cannot imitate the tag that tells two readers of one name
// apart: the tag is shown outside the bold name, and a name is bold to its end, so
// "Ann ⋕71154" (U+22D5, which no table folds to "#") reads differently from the second
// Ann's "Ann #71154" (found by a later review).
func TestFirstNameCannotImitateATag(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	ann := telegramtest.User{ID: 891, FirstName: "Ann"}
	ann2 := telegramtest.User{ID: 892, FirstName: "Ann"}
	watcher := telegramtest.User{ID: 893, FirstName: "Wes"}
	d := newDiscussion(t, h, ann, ann2, watcher)
	shown := func(u telegramtest.User, text string) string {
		t.Helper()
		h.tg.Reply(u, d.chats[u.ID], d.cards[u.ID].MessageID, text)
		m := h.wait(watcher.ID, text, waitLong)
		head, _, _ := strings.Cut(strings.TrimPrefix(m.HTML, "💬 "), " on ")
		return head
	}
	shown(ann, "first Ann here")
	tagged := shown(ann2, "second Ann here")
	tag, ok := strings.CutPrefix(tagged, "<b>Ann</b> #")
	if !ok {
		t.Fatalf("the second Ann is shown as %q", tagged)
	}
	forger := telegramtest.User{ID: 894, FirstName: "Ann \u22D5" + tag}
	d2 := newDiscussion(t, h, forger)
	d.chats[forger.ID], d.cards[forger.ID] = d2.chats[forger.ID], d2.cards[forger.ID]
	if got := shown(forger, "forged Ann here"); got != "<b>Ann \u22D5"+tag+"</b>" {
		t.Fatalf("the forger is shown as %q, beside the real %q", got, tagged)
	}
}

// In a group, buttons make the bot post (a story card, a discussion page, or a page
// turned) only a few times per member and per group in a while: a press is no
// message, so slow mode and a member's "cannot send messages" do not bound it (found by
// later reviews: one member could take the group's whole 20 messages a minute, by
// cards or by turning pages). A press over the bound is answered with why, and one
// member's presses leave the others' buttons working.
func TestGroupButtonPostsAreBounded(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond, GroupPerMinute: 1000}
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001", "bbc_sport_020", "bbc_entertainment_010"))
	h.start()
	h.ingest()
	admin := telegramtest.User{ID: 301, FirstName: "Ada"}
	member := telegramtest.User{ID: 302, FirstName: "Max"}
	group := h.tg.Group(-1002, "News room", false, admin.ID)
	h.tg.Send(admin, group, "/summary 1")
	card := h.wait(group.ID, "reply to this message", waitLong)
	posts := func() int {
		return countText(h.tg.Messages(group.ID), "reply to this message") + countText(h.tg.Messages(group.ID), "Discussion")
	}
	before := posts()
	busy := 0
	for i := range 10 {
		data := fmt.Sprintf("card:%d", i%3+1)
		if i%2 == 1 {
			data = fmt.Sprintf("th:%d:0", i%3+1)
		}
		q, _ := h.tg.Press(member, group, card.MessageID, data)
		if txt, _ := h.tg.WaitAnswered(q, waitLong); strings.Contains(txt, "try again in a minute") {
			busy++
		}
	}
	// The group's updates are handled in order: once /help is answered, every post the
	// presses made is sent.
	h.tg.Send(admin, group, "/help")
	h.wait(group.ID, "Commands", waitLong)
	if n := posts() - before; n > memberPostsBurst || busy != 10-n {
		t.Fatalf("10 presses made %d posts (bound %d), %d were told to wait", n, memberPostsBurst, busy)
	}
	other := telegramtest.User{ID: 303, FirstName: "Eve"}
	q, _ := h.tg.Press(other, group, card.MessageID, "card:2")
	if txt, _ := h.tg.WaitAnswered(q, waitLong); strings.Contains(txt, "try again") {
		t.Fatalf("another member's button was held back: %q", txt)
	}
}

// Turning a discussion's pages in a group is bounded like a post: a page that packs
// into more than one message is posted anew, and the page pressed keeps its buttons,
// so every press posted the whole page again (found by a later review).
func TestThreadPagingInAGroupIsBounded(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	var users []telegramtest.User
	for i := range 6 {
		users = append(users, telegramtest.User{ID: int64(1500 + i), FirstName: fmt.Sprint("U", i)})
	}
	d := newDiscussion(t, h, users...)
	for i, u := range users {
		for j := range 5 {
			text := fmt.Sprintf("short %d.%d", i, j)
			if i >= 3 {
				text = strings.Repeat("😀", 300)
			}
			h.tg.Reply(u, d.chats[u.ID], d.cards[u.ID].MessageID, text)
		}
		d.sync(t, u)
	}
	admin := telegramtest.User{ID: 1510, FirstName: "Adm"}
	member := telegramtest.User{ID: 1511, FirstName: "Mem"}
	group := h.tg.Group(-1512, "Club", false, admin.ID)
	h.tg.Send(admin, group, "/summary 1")
	card := h.wait(group.ID, "reply to this message", waitLong)
	q, _ := h.tg.Press(member, group, card.MessageID, "th:1:0")
	h.tg.WaitAnswered(q, waitLong)
	page := h.wait(group.ID, "Discussion:", waitLong)
	before := len(h.tg.Messages(group.ID))
	for range 10 {
		q, _ := h.tg.Press(member, group, page.MessageID, "th:1:1")
		h.tg.WaitAnswered(q, waitLong)
	}
	h.tg.Send(admin, group, "/help")
	h.wait(group.ID, "Commands", waitLong)
	time.Sleep(300 * time.Millisecond)
	if n := len(h.tg.Messages(group.ID)) - before - 1; n > memberPostsBurst*3 {
		t.Fatalf("10 presses of a page's button posted %d messages into the group (bound %d presses)", n, memberPostsBurst)
	}
}

// A private feed's discussion reaches only chats that still keep the feed: a reader
// who removed it no longer gets new comments (found by review EE), nor edits of those
// they were shown (review HH); its author's deletion still takes their copy down.
func TestRelaysOfPrivateItemsNeedTheFeed(t *testing.T) {
	h := discussionHarness(t)
	ctx := context.Background()
	const private = "https://secret.example/rss"
	got, err := h.db.AddItems(ctx, private, []storage.Item{{Key: "s", Title: "SECRET TITLE of a private feed", Text: "The council met today.", Published: t0}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := got[0].ID
	ana, bo, cy := telegramtest.User{ID: 1111, FirstName: "Ana"}, telegramtest.User{ID: 1112, FirstName: "Bo"}, telegramtest.User{ID: 1113, FirstName: "Cy"}
	readers := []telegramtest.User{ana, bo, cy}
	for _, u := range readers {
		if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: u.ID, Kind: "private", Active: true, OwnFeeds: []string{private}}); err != nil {
			t.Fatal(err)
		}
	}
	h.start()
	cards := map[int64]telegramtest.Message{}
	for _, u := range readers {
		c := h.tg.PrivateChat(u)
		h.tg.Send(u, c, fmt.Sprintf("/summary %d", id))
		cards[u.ID] = h.wait(u.ID, "reply to this message", waitLong)
		q, _ := h.tg.Press(u, c, cards[u.ID].MessageID, fmt.Sprintf("fl:%d", id))
		if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
			t.Fatal(err)
		}
	}
	ac := h.tg.PrivateChat(ana)
	first, _ := h.tg.Reply(ana, ac, cards[ana.ID].MessageID, "First words")
	h.wait(bo.ID, "First words", waitLong)
	copyCy := h.wait(cy.ID, "First words", waitLong)
	// Cy replies while Bo still keeps the feed: Bo's copy of the reply quotes Ana.
	h.tg.Reply(cy, h.tg.PrivateChat(cy), copyCy.MessageID, "A reply from Cy")
	replyBo := h.wait(bo.ID, "A reply from Cy", waitLong)
	replyAna := h.wait(ana.ID, "A reply from Cy", waitLong)
	if _, err := h.db.UpdateSubscriber(ctx, bo.ID, nil, func(s *storage.Subscriber) error { s.OwnFeeds = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	settled := func(comments int) { // relayed, and every copy queued gone out
		t.Helper()
		waitUntilT(t, func() bool {
			cs, err := h.db.ThreadComments(ctx, id)
			q, qerr := h.db.Outbox(ctx, 0, 0)
			return err == nil && qerr == nil && len(cs) == comments && cs[comments-1].Relayed && len(q) == 0
		})
	}
	h.tg.Reply(ana, ac, cards[ana.ID].MessageID, "Second words")
	h.wait(cy.ID, "Second words", waitLong)
	settled(3)
	if n := countText(h.tg.Messages(bo.ID), "Second words"); n != 0 {
		t.Fatalf("a reader who removed the private feed still got its discussion (%d copies)", n)
	}
	// Ana edits her comment: Bo's copy of it is taken down, not edited.
	h.tg.Edit(ana, ac, first.MessageID, "EDITED words")
	h.waitEdited(cy.ID, copyCy.MessageID, "EDITED words")
	settled(3)
	for _, m := range h.tg.Messages(bo.ID) {
		if strings.Contains(m.Text, "EDITED") {
			t.Fatalf("a reader who removed the private feed got an edit of its discussion: %q", m.Text)
		}
	}
	// Ana deletes it: the reply's copies quoting it are redrawn where the feed is kept,
	// and Bo's is taken down (review II: a former reader's copy of a reply kept quoting
	// the deleted comment).
	h.tg.Reply(ana, ac, first.MessageID, "/delete")
	waitUntilT(t, func() bool {
		m, _ := h.tg.Message(ana.ID, replyAna.MessageID)
		return !strings.Contains(m.Text, "First words")
	})
	h.waitDeleted(bo.ID, replyBo.MessageID)
	for _, m := range h.tg.Messages(bo.ID) {
		if strings.Contains(m.Text, "First words") || strings.Contains(m.Text, "EDITED") {
			t.Fatalf("a former reader still sees the deleted words: %q", m.Text)
		}
	}
}
