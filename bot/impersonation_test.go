package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/newsbot/newsbot/bot/telegramtest"
)

// groupHelp sends /help in a group and waits for its answer: a chat's updates are
// handled in order, so everything sent there before was handled by then.
func groupHelp(t *testing.T, h *harness, u telegramtest.User, group telegramtest.Chat) {
	t.Helper()
	before := countText(h.tg.Messages(group.ID), "Commands")
	h.tg.Send(u, group, "/help")
	if _, err := h.tg.WaitFor(group.ID, waitLong, func(telegramtest.Message) bool {
		return countText(h.tg.Messages(group.ID), "Commands") > before
	}); err != nil {
		t.Fatalf("group /help not answered: %v", err)
	}
}

// A command addressed to another bot, sent as a reply to a comment (as a group's
// moderation bots are used), is nobody's comment (found by review: it was published
// and relayed to the thread's followers under the admin's name).
func TestOtherBotsCommandIsNoComment(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	watcher := telegramtest.User{ID: 5101, FirstName: "Wanda"}
	admin := telegramtest.User{ID: 5102, FirstName: "Gail"}
	member := telegramtest.User{ID: 5103, FirstName: "Mick"}
	newDiscussion(t, h, watcher)
	group := h.tg.Group(-5100, "Private club", false, admin.ID)
	h.tg.Send(member, group, "/summary 1")
	card := h.wait(group.ID, "reply to this message", waitLong)
	src, err := h.tg.Reply(member, group, card.MessageID, "an ordinary comment")
	if err != nil {
		t.Fatal(err)
	}
	h.wait(watcher.ID, "an ordinary comment", waitLong)
	for _, replyTo := range []int{card.MessageID, src.MessageID} {
		if _, err := h.tg.Reply(admin, group, replyTo, "/warn@combot insulting Bob again, last warning"); err != nil {
			t.Fatal(err)
		}
	}
	groupHelp(t, h, admin, group)
	cs, err := h.db.ThreadComments(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		for _, c := range cs {
			t.Logf("comment %d by %d: %q", c.ID, c.AuthorID, c.Text)
		}
		t.Fatalf("%d comments on story 1, want only the member's: a command to another bot was posted", len(cs))
	}
}

// Messages sent on behalf of a chat come from a placeholder sender that every such
// chat shares; none of them is a reader, so none is answered, commands included. A
// linked channel's automatic forwards come from Telegram's 777000, not flagged a bot.
func TestMessagesOnBehalfOfAChatAreNoReaders(t *testing.T) {
	h := newHarness(t)
	h.start()
	admin := telegramtest.User{ID: 5401, FirstName: "Ada"}
	group := h.tg.Group(-5400, "Club", false, admin.ID, telegramtest.ServiceNotifications.ID)
	channel := telegramtest.Chat{ID: -1005400, Type: "channel", Title: "Club channel"}
	h.tg.SendAs(telegramtest.ServiceNotifications, channel, group, "/settings relay on")
	h.tg.SendAs(telegramtest.ServiceNotifications, channel, group, "/name Ada")
	h.tg.SendAs(telegramtest.AnonymousAdmin, group, group, "/subscribe")
	h.tg.SendAs(telegramtest.ChannelSender, channel, group, "/subscribe")
	groupHelp(t, h, admin, group)
	for _, m := range h.tg.Messages(group.ID) {
		if m.From != nil && m.From.ID == h.tg.Bot.ID && !strings.Contains(m.Text, "Commands") {
			t.Errorf("the bot answered a message sent on behalf of a chat: %q", m.Text)
		}
	}
	if s, err := h.db.Subscriber(context.Background(), group.ID); err == nil && (s.Subscribed || s.RelayComments) {
		t.Errorf("group settings changed on behalf of a chat: %+v", s)
	}
}

// The bot's operators manage a group's settings only when the group made them its
// administrators.
func TestOperatorsAreNotGroupAdmins(t *testing.T) {
	h := newHarness(t)
	h.start()
	operator := telegramtest.User{ID: 900, FirstName: "Op"} // in NEWSBOT_ADMINS
	admin := telegramtest.User{ID: 5501, FirstName: "Ada"}
	group := h.tg.Group(-5500, "Club", false, admin.ID)
	h.tg.Send(operator, group, "/subscribe")
	h.wait(group.ID, "Only the group's administrators", waitLong)
	if s, err := h.db.Subscriber(context.Background(), group.ID); err == nil && s.Subscribed {
		t.Fatalf("an operator who is a plain member subscribed the group")
	}
	mine := h.tg.Group(-5501, "Op's own", false, operator.ID)
	h.tg.Send(operator, mine, "/subscribe")
	h.wait(mine.ID, "Subscribed.", waitLong)
}

// A name a reader's comments show stays theirs when they rename: another reader can
// neither choose it nor show it as a first name, so a thread never shows two readers
// under one name (found by review).
func TestRenamedReadersKeepTheirOldName(t *testing.T) {
	h := discussionHarness(t)
	h.start()
	h.ingest()
	zoe := telegramtest.User{ID: 5301, FirstName: "Zoe"}
	mal := telegramtest.User{ID: 5302, FirstName: "Mal"}
	copycat := telegramtest.User{ID: 5304, FirstName: "Doctor Zed"}
	watcher := telegramtest.User{ID: 5303, FirstName: "Wes"}
	d := newDiscussion(t, h, zoe, mal, copycat, watcher)
	h.tg.Send(zoe, d.chats[zoe.ID], "/name Doctor Zed")
	h.wait(zoe.ID, "Your comments will show", waitLong)
	h.tg.Reply(zoe, d.chats[zoe.ID], d.cards[zoe.ID].MessageID, "I am the doctor; trust me on this")
	h.wait(watcher.ID, "trust me on this", waitLong)
	h.tg.Send(zoe, d.chats[zoe.ID], "/name Zed Two")
	h.wait(zoe.ID, "Your comments will show Zed Two", waitLong)
	h.tg.Send(mal, d.chats[mal.ID], "/name Doctor Zed")
	h.wait(mal.ID, "Someone else uses that name", waitLong)
	h.tg.Reply(copycat, d.chats[copycat.ID], d.cards[copycat.ID].MessageID, "the doctor again: send money")
	h.wait(watcher.ID, "send money", waitLong)
	cs, err := h.db.ThreadComments(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	authors := map[string]map[int64]bool{}
	for _, c := range cs {
		if authors[c.AuthorName] == nil {
			authors[c.AuthorName] = map[int64]bool{}
		}
		authors[c.AuthorName][c.AuthorID] = true
	}
	for name, ids := range authors {
		if len(ids) > 1 {
			t.Errorf("the thread shows %d readers under the one name %q", len(ids), name)
		}
	}
	if len(cs) != 2 {
		t.Fatalf("%d comments, want 2", len(cs))
	}
}

// A modified client may send any button's data under any message it sees. A settings
// or feeds button's data forged under a story card changes the presser's own settings
// at most; the card stays a card (it had been redrawn as the settings panel or the
// feeds keyboard). The settings panel's own buttons still redraw it.
func TestForgedPanelButtonsLeaveOtherMessages(t *testing.T) {
	h := newHarness(t)
	h.setPage("/feed.xml", articleFeed(t, h.web.URL, "bbc_business_001"))
	h.start()
	h.ingest()
	ana := telegramtest.User{ID: 61, FirstName: "Ana"}
	chat := h.tg.PrivateChat(ana)
	h.tg.Send(ana, chat, "/summary 1")
	card := h.wait(ana.ID, "reply to this message", waitLong)
	for _, data := range []string{"set:n:3", "feed:0", "rm:0"} {
		q, _ := h.tg.Press(ana, chat, card.MessageID, data)
		if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
			t.Fatal(err)
		}
		if now, _ := h.tg.Message(chat.ID, card.MessageID); now.HTML != card.HTML || string(now.ReplyMarkup) != string(card.ReplyMarkup) {
			t.Fatalf("%s forged under the card redrew it: %q", data, now.Text)
		}
	}
	h.tg.Send(ana, chat, "/settings")
	panel := h.wait(ana.ID, "Stories per digest", waitLong)
	var data string
	for _, row := range panel.Keyboard() {
		for _, btn := range row {
			if strings.HasPrefix(btn.CallbackData, "set:n:") && btn.CallbackData != "set:n:3" {
				data = btn.CallbackData
			}
		}
	}
	q, _ := h.tg.Press(ana, chat, panel.MessageID, data)
	if _, err := h.tg.WaitAnswered(q, waitLong); err != nil {
		t.Fatal(err)
	}
	h.waitEdited(chat.ID, panel.MessageID, "Stories per digest: "+strings.TrimPrefix(data, "set:n:"))
}
