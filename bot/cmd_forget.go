package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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
// the user's comments become tombstones, and their copies in other chats are deleted.
// The confirmation is queued with the erasure, ahead of the chat's own deletions (of
// comments relayed to it), which would otherwise hold it back a second each.
func (b *Bot) forget(ctx context.Context, r *request, confirmation string) error {
	user := int64(0)
	if !r.group {
		user = r.userID
	}
	notice := message(r.chatID, r.thread, Rendered{HTML: confirmation, Plain: stripTags(confirmation)}, nil)
	notice.Created = b.opts.Now()
	er, err := b.db.EraseChat(ctx, r.chatID, user, notice)
	if err != nil {
		return err
	}
	var msgs []storage.OutMessage
	for _, cp := range er.Copies {
		msgs = append(msgs, storage.Deletion(cp[0], cp[1]))
	}
	msgs = append(msgs, b.erasedReports(er.Reports)...)
	if len(msgs) > 0 {
		if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
			return err
		}
	}
	// Replies to the erased comments stop quoting them: every one is tried, and a
	// failure is reported, not skipped.
	var errs []error
	for _, id := range er.Replies {
		c, err := b.db.Comment(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // the reply itself is gone
		}
		if err == nil {
			err = b.updateCopies(ctx, c, false)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("forget: unquote reply %d: %w", id, err))
		}
	}
	b.log.Info("a chat was forgotten", "comments_erased", er.Comments, "copies_deleted", len(er.Copies))
	b.sender.Wake()
	return errors.Join(errs...)
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

// erasedReports rewrites the moderators' reports of comments erased by /forget without
// their text (reportGone); a moderator whose report had not gone out yet (EraseChat drops
// it from the queue) gets the rewritten one instead.
func (b *Bot) erasedReports(reports []storage.ErasedReport) []storage.OutMessage {
	var msgs []storage.OutMessage
	for _, er := range reports {
		gone := reportGone(storage.Comment{ID: er.Comment, ItemID: er.Item, AuthorID: er.Author}, er.Reporters, true)
		told := map[int64]bool{}
		for _, cp := range er.Copies {
			told[cp[0]] = true
			p := map[string]string{"chat_id": strconv.FormatInt(cp[0], 10), "message_id": strconv.FormatInt(cp[1], 10),
				"text": gone.HTML, "parse_mode": "HTML", "reply_markup": keyboard(gone.Buttons)}
			msgs = append(msgs, storage.OutMessage{ChatID: cp[0], Method: "editMessageText", Params: p, Plain: gone.Plain, Class: storage.ClassCopy})
		}
		for _, admin := range b.opts.Admins {
			if !told[admin] {
				msgs = append(msgs, message(admin, 0, gone, nil))
			}
		}
	}
	return msgs
}
