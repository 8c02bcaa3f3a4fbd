package bot

import (
	"context"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

func cmdForget(ctx context.Context, b *Bot, r *request) error {
	what := "subscription, feeds, filters and settings"
	if !r.group {
		what += ", and your comments (replies to them stay, under “comment deleted”), your name and your profile"
	}
	return b.say(ctx, r.chatID, r.thread, "Delete everything I store about this chat: "+what+"? This cannot be undone.",
		[]telegram.Button{{Text: "Yes, delete", Data: forgetData(true)}, {Text: "Cancel", Data: forgetData(false)}})
}

// forget erases everything stored about the chat, and in a private chat about its user:
// the user's comments become tombstones, their copies in other chats are deleted, and
// the moderators' reports of them rewritten. All of it is queued with the erasure, the
// confirmation first: the chat's own deletions (of comments relayed to it) would
// otherwise hold it back a second each. Replies that quoted an erased comment are
// rendered again in the queue there, and edited where sent by refreshStaleCopies.
func (b *Bot) forget(ctx context.Context, r *request, confirmation string) error {
	user := int64(0)
	if !r.group {
		user = r.userID
	}
	notice := message(r.chatID, r.thread, Rendered{HTML: confirmation, Plain: stripTags(confirmation)}, nil)
	notice.Created = b.opts.Now()
	er, err := b.db.EraseChat(ctx, r.chatID, user, storage.EraseOptions{
		Notice: []storage.OutMessage{notice},
		Report: b.erasedReport,
		Reply: func(reply, parent storage.Comment, title string) (string, string) {
			return renderRelay(reply, &parent, title)
		},
	})
	if err != nil {
		return err
	}
	b.slow.forget(r.chatID) // a new record gets the lane's budget all the same (filterBudget)
	b.log.Info("a chat was forgotten", "comments_erased", er.Comments, "copies_deleted", len(er.Copies))
	b.staleCopy(0)
	b.sender.Wake()
	return nil
}

// cbForget is the confirmation under /forget.
func cbForget(ctx context.Context, b *Bot, p press) error {
	if p.args[0] != "yes" {
		b.answer(ctx, p.q.ID, "Nothing was deleted.")
		return nil
	}
	if !b.forgetAllowed(p.r.userID, b.opts.Now()) {
		b.answer(ctx, p.q.ID, "You used /forget a short while ago; please wait a few minutes.")
		return nil
	}
	if err := b.forget(ctx, p.r, "Everything stored about this chat has been deleted. /start to begin again."); err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, "Deleted.")
	return nil
}

// erasedReport rewrites the moderators' reports of a comment erased by /forget without
// its text (reportGone); a moderator whose report had not gone out yet (EraseChat drops
// it from the queue) gets the rewritten one instead. It runs inside EraseChat's
// transaction: it renders, and reads nothing.
func (b *Bot) erasedReport(er storage.ErasedReport) []storage.OutMessage {
	gone := reportGone(storage.Comment{ID: er.Comment, ItemID: er.Item, AuthorID: er.Author}, er.Reporters, true)
	var msgs []storage.OutMessage
	told := map[int64]bool{}
	for _, cp := range er.Copies {
		told[cp[0]] = true
		msgs = append(msgs, edit(cp[0], cp[1], gone, storage.ClassErase, nil))
	}
	for _, admin := range b.opts.Admins {
		if !told[admin] {
			msgs = append(msgs, message(admin, 0, gone, nil))
		}
	}
	return msgs
}
