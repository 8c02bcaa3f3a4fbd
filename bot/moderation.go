package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

// cbReport sends a comment to the moderators. The button must sit on a copy of that very
// comment in this chat, the reporter must not be banned, the comment must still show,
// and each reader reports a comment once.
func cbReport(ctx context.Context, b *Bot, p press) error {
	q, r := p.q, p.r
	id, ok := p.id(0)
	if !ok {
		b.answer(ctx, q.ID, staleButton)
		return nil
	}
	// A button can be pressed before the sender has recorded its message.
	rec, err := b.recordOf(ctx, r.chatID, q.Message.MessageID, pressedFresh(q.Message))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		b.answer(ctx, q.ID, tryAgain)
		return fmt.Errorf("report: look up message: %w", err)
	}
	if err != nil || rec.Comment != id || rec.Kind != storage.KindComment {
		b.answer(ctx, q.ID, staleButton)
		return nil
	}
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	if prof.Banned {
		b.answer(ctx, q.ID, "You can no longer report comments.")
		return nil
	}
	reporters, err := b.db.AddReport(ctx, id, q.From.ID, b.opts.Now(), b.reportNotice)
	switch {
	case errors.Is(err, storage.ErrGone), errors.Is(err, storage.ErrNotFound):
		b.answer(ctx, q.ID, "That comment is gone.")
		return nil
	case err != nil:
		b.answer(ctx, q.ID, tryAgain)
		return err
	case reporters == 0:
		b.answer(ctx, q.ID, "You have reported this comment already.")
		return nil
	}
	b.sender.Wake()
	b.answer(ctx, q.ID, "Thank you; the moderators will look at it.")
	return nil
}

// reportNotice is what the moderators are sent of a comment reported by reporters
// readers, queued with the report (storage.DB.AddReport). They hear of a comment at
// its first report and again as reports mount, not once per reporter: many accounts
// cannot flood them.
func (b *Bot) reportNotice(c storage.Comment, reporters int) []storage.OutMessage {
	if reporters != 1 && reporters != 3 && reporters != 10 {
		return nil
	}
	var msgs []storage.OutMessage
	for _, admin := range b.opts.Admins {
		// Reporters go unnamed: a report outlives its reporter's /forget on the
		// moderators' screens, and the count is what they act on.
		html := fmt.Sprintf("<b>Report</b>, %d so far\nComment %d by %s (id %d) on story %d:\n\n%s",
			reporters, c.ID, authorHTML(c.AuthorName), c.AuthorID, c.ItemID, escape(c.Text))
		msgs = append(msgs, message(admin, 0, Rendered{HTML: html, Plain: stripTags(html), Buttons: [][]telegram.Button{{
			{Text: "Remove comment", Data: moderateData(false, c.ID)}, {Text: "Remove and ban author", Data: moderateData(true, c.ID)}}}},
			&storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{c.ItemID}, Comment: c.ID, Rev: c.Rev}))
	}
	return msgs
}

// cbModerate handles a moderator's button on a report.
func cbModerate(ctx context.Context, b *Bot, p press) error {
	q := p.q
	if !b.isAdmin(q.From.ID) {
		b.answer(ctx, q.ID, "Only moderators can do that.")
		return nil
	}
	if p.args[0] == "banid" {
		user, err := strconv.ParseInt(p.args[1], 10, 64)
		if err != nil || user <= 0 {
			b.answer(ctx, q.ID, staleButton)
			return nil
		}
		if err := b.db.SetBanned(ctx, user, true); err != nil {
			b.answer(ctx, q.ID, tryAgain)
			return err
		}
		b.answer(ctx, q.ID, "Author banned.")
		return nil
	}
	cid, ok := p.id(1)
	if !ok || (p.args[0] != "rm" && p.args[0] != "ban") {
		b.answer(ctx, q.ID, staleButton)
		return nil
	}
	c, err := b.db.Comment(ctx, cid)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		b.answer(ctx, q.ID, tryAgain)
		return fmt.Errorf("moderate: %w", err)
	}
	if err != nil || c.Erased {
		b.answer(ctx, q.ID, "That comment is gone.")
		return nil
	}
	if p.args[0] == "ban" {
		if err := b.db.SetBanned(ctx, c.AuthorID, true); err != nil {
			return err
		}
	}
	if !c.Removed && !c.Deleted {
		if err := b.removeComment(ctx, cid, true, nil); err != nil {
			return err
		}
	}
	if p.args[0] == "ban" {
		b.answer(ctx, q.ID, "Author banned.")
		return nil
	}
	b.answer(ctx, q.ID, "Removed.")
	return nil
}

// reportGone is what the moderators' report of a comment becomes when its author deletes
// it: the text goes, as the author asked, and the report stays, so that deleting a
// reported comment is no way past the moderators. After /delete the comment's record
// still names its author; after /forget (erased) only the button holds their ID.
func reportGone(c storage.Comment, reporters int, erased bool) Rendered {
	var html string
	ban := telegram.Button{Text: "Ban author", Data: moderateData(true, c.ID)}
	if erased {
		html = fmt.Sprintf("<b>Report</b>: comment %d on story %d, reported by %d, was erased by its author (id %d) with /forget; its text and the author's name are gone. You can still ban the author.",
			c.ID, c.ItemID, reporters, c.AuthorID)
		ban.Data = banAuthorData(c.AuthorID)
	} else {
		html = fmt.Sprintf("<b>Report</b>: comment %d by %s (id %d) on story %d was deleted by its author after it was reported; its text is gone. You can still ban the author.",
			c.ID, authorHTML(c.AuthorName), c.AuthorID, c.ItemID)
	}
	return Rendered{HTML: html, Plain: stripTags(html), Buttons: [][]telegram.Button{{ban}}}
}
