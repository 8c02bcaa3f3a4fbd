package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

// Discussion limits.
const (
	MaxCommentLen   = 2000
	commentsPerPage = 15
)

var storyNumberRE = regexp.MustCompile(`^#?(\d{1,2})[\s.:)]+(.*)$`)

// isOurs reports whether m was sent by this bot.
func (b *Bot) isOurs(m *telegram.Message) bool {
	return m != nil && m.From != nil && m.From.IsBot && strings.EqualFold(m.From.UserName, b.Username())
}

// handleReply turns a reply to one of our messages into a comment. It reports
// whether the message was a discussion reply.
func (b *Bot) handleReply(ctx context.Context, r *request) (bool, error) {
	m := r.msg
	target := m.ReplyToMessage
	if target == nil {
		return false, nil
	}
	rec, err := b.db.MessageRecordFor(ctx, r.chatID, target.MessageID)
	if errors.Is(err, storage.ErrNotFound) {
		if b.isOurs(target) && !r.group {
			return true, b.say(ctx, r.chatID, r.thread, "To discuss a story, reply to its card or to a comment. Open a card with the number buttons under a digest.")
		}
		return false, nil // not about a story
	}
	if err != nil {
		return true, fmt.Errorf("look up the message replied to: %w", err)
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return true, b.say(ctx, r.chatID, r.thread, "Comments are text only.")
	}
	switch rec.Kind {
	case storage.KindCard:
		return true, b.postComment(ctx, r, rec.Items[0], 0, text)
	case storage.KindComment, storage.KindCommentSource:
		return true, b.postComment(ctx, r, rec.Items[0], rec.Comment, text)
	case storage.KindDigest:
		if mm := storyNumberRE.FindStringSubmatch(text); mm != nil {
			n, _ := strconv.Atoi(mm[1])
			idx := n - max(rec.First, 1) // numbers continue across the parts of a long digest
			if idx >= 0 && idx < len(rec.Items) && strings.TrimSpace(mm[2]) != "" {
				return true, b.postComment(ctx, r, rec.Items[idx], 0, strings.TrimSpace(mm[2]))
			}
		}
		if len(rec.Items) == 1 {
			return true, b.postComment(ctx, r, rec.Items[0], 0, text)
		}
		return true, b.askWhichStory(ctx, r, rec, text)
	}
	return false, nil
}

// askWhichStory keeps a reply to a multi-story digest for a while (a few per chat) and
// asks which story it is about.
func (b *Bot) askWhichStory(ctx context.Context, r *request, rec storage.MessageRecord, text string) error {
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	if why := b.commentRefusal(prof, text, now); why != "" {
		return b.refuseComment(ctx, r, why)
	}
	p, err := b.db.AddPending(ctx, storage.PendingComment{AuthorID: r.userID, Chat: r.chatID, Msg: r.msg.MessageID, Text: text,
		Items: rec.Items, Created: now},
		now.Add(-b.opts.PendingTTL), b.opts.PendingPerReader, 10*b.opts.PendingPerReader)
	if err != nil {
		return err
	}
	var row []telegram.Button
	var rows [][]telegram.Button
	for i := range rec.Items {
		row = append(row, telegram.Button{Text: strconv.Itoa(i + max(rec.First, 1)), Data: fmt.Sprintf("pc:%d:%d", p.ID, rec.Items[i])})
		if len(row) == 8 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return b.say(ctx, r.chatID, r.thread, "Which story is your comment about? (Next time start it with the number, like “2 …”.)", rows...)
}

// profile returns the reader's profile, recording their current Telegram first name
// under the same rules as chosen names.
func (b *Bot) profile(ctx context.Context, r *request) (storage.Profile, error) {
	first := normalizeName(r.fromName)
	return b.db.Profile(ctx, r.userID, first, b.nameKey(first), b.opts.Now())
}

// commentRefusal says why text may not be posted by this reader now ("" when it may),
// before any rate is spent: banned, too long, or a link from a reader new today.
func (b *Bot) commentRefusal(prof storage.Profile, text string, now time.Time) string {
	if prof.Banned {
		return "You can no longer comment here."
	}
	if n := utf8.RuneCountInString(text); n > MaxCommentLen {
		return fmt.Sprintf("Your comment has %d characters; the limit is %d. It was not posted — please shorten it and send it again.", n, MaxCommentLen)
	}
	if b.opts.NewUserLinkBan && now.Sub(prof.FirstSeen) < 24*time.Hour && urlRE.MatchString(text) {
		return "New readers can post links after their first day. Your comment was not posted; send it without the link."
	}
	return ""
}

// refuseComment tells the reader why a comment was refused: in a private chat each
// time (it costs only that reader's own rate), in a group at most once per noticeEvery,
// so that refusals cannot fill the group (20 messages a minute at most).
func (b *Bot) refuseComment(ctx context.Context, r *request, why string) error {
	if r.group && !b.noticeDue(r.userID, b.opts.Now()) {
		return nil
	}
	return b.say(ctx, r.chatID, r.thread, escape(why))
}

// postComment checks limits, stores the comment, confirms it and relays it.
func (b *Bot) postComment(ctx context.Context, r *request, item, parent uint64, text string) error {
	_, err := b.tryComment(ctx, r, item, parent, text)
	return err
}

// tryComment is postComment that also reports whether the comment is posted. A
// replayed update finds its comment already stored and only finishes what was left:
// the relay.
func (b *Bot) tryComment(ctx context.Context, r *request, item, parent uint64, text string) (bool, error) {
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return false, err
	}
	if why := b.commentRefusal(prof, text, now); why != "" {
		return false, b.refuseComment(ctx, r, why)
	}
	if ok, why := b.allowComment(r.userID, now); !ok {
		return false, b.refuseComment(ctx, r, why)
	}
	c, created, err := b.db.AddComment(ctx, storage.Comment{ItemID: item, ParentID: parent, AuthorID: r.userID,
		AuthorName: prof.DisplayName(), Text: text, Created: now, SrcChat: r.chatID, SrcMsg: r.msg.MessageID})
	if errors.Is(err, storage.ErrNotFound) {
		return false, b.say(ctx, r.chatID, r.thread, "That story or comment is no longer available.")
	}
	if err != nil {
		return false, err
	}
	if created {
		b.confirm(ctx, r)
	}
	if c.Relayed {
		return true, nil
	}
	return true, b.relay(ctx, c)
}

// confirm acknowledges a comment quietly with a reaction, or a short reply when
// reactions are not available.
func (b *Bot) confirm(ctx context.Context, r *request) {
	_, err := b.api.Call(ctx, "setMessageReaction", map[string]string{
		"chat_id": strconv.FormatInt(r.chatID, 10), "message_id": strconv.Itoa(r.msg.MessageID),
		"reaction": `[{"type":"emoji","emoji":"👍"}]`,
	})
	if err != nil {
		b.log.Debug("reaction failed; confirming with a reply", "error", err)
		_ = b.say(ctx, r.chatID, r.thread, "Comment posted.")
	}
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, n)
}

// relayHTML renders a comment as followers see it.
func (b *Bot) relayHTML(ctx context.Context, c storage.Comment) (string, string) {
	title := "a story"
	if it, err := b.db.Item(ctx, c.ItemID); err == nil && it.Title != "" {
		title = it.Title
	}
	var h, p strings.Builder
	fmt.Fprintf(&h, "💬 <b>%s</b> on <i>%s</i>", escape(c.AuthorName), escape(truncate(title, 120)))
	fmt.Fprintf(&p, "💬 %s on %s", c.AuthorName, truncate(title, 120))
	if c.ParentID != 0 {
		if pc, err := b.db.Comment(ctx, c.ParentID); err == nil {
			if pc.Gone() {
				h.WriteString("\n↪ replying to a deleted comment")
				p.WriteString("\n↪ replying to a deleted comment")
			} else {
				quoted := excerpt(pc.Text, 80)
				fmt.Fprintf(&h, "\n↪ replying to <b>%s</b>: “%s”", escape(pc.AuthorName), escape(quoted))
				fmt.Fprintf(&p, "\n↪ replying to %s: “%s”", pc.AuthorName, quoted)
			}
		}
	}
	body := c.Text
	switch {
	case c.Removed:
		body = "(removed by a moderator)"
	case c.Deleted || c.Erased:
		body = "(comment deleted)"
	}
	fmt.Fprintf(&h, "\n\n%s", escape(body))
	fmt.Fprintf(&p, "\n\n%s", body)
	return h.String(), p.String()
}

func relayButtons(c storage.Comment) [][]telegram.Button {
	return [][]telegram.Button{{{Text: "Report", Data: fmt.Sprintf("rp:%d", c.ID)}, {Text: "Mute thread", Data: fmt.Sprintf("mt:%d", c.ItemID)}}}
}

// relay queues a comment for the thread's followers: not its author, not those who
// muted the thread or blocked the author, and groups only when they opted in. The
// copies and the comment's relayed mark are written together, so it happens once.
func (b *Bot) relay(ctx context.Context, c storage.Comment) error {
	followers, err := b.db.Followers(ctx, c.ItemID)
	if err != nil {
		return err
	}
	html, plain := b.relayHTML(ctx, c)
	var msgs []storage.OutMessage
	for _, f := range followers {
		if f.Muted || f.ChatID == c.SrcChat || f.ChatID == c.AuthorID {
			continue
		}
		blocked, err := b.db.Blocked(ctx, f.ChatID, c.AuthorID)
		if err != nil {
			return err
		}
		if blocked {
			continue
		}
		thread := 0
		s, err := b.db.Subscriber(ctx, f.ChatID)
		switch {
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return err
		case f.ChatID < 0 && (err != nil || !s.RelayComments || !s.Active):
			continue
		case f.ChatID < 0:
			thread = s.ThreadID
		case err == nil && !s.Active:
			continue
		}
		msgs = append(msgs, message(f.ChatID, thread, Rendered{HTML: html, Plain: plain, Buttons: relayButtons(c)},
			&storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{c.ItemID}, Comment: c.ID}))
	}
	if err := b.db.RelayComment(ctx, c.ID, msgs, b.opts.Now()); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil // relayed already (a replayed update)
		}
		return err
	}
	b.stats.commentsRelayed.add(int64(len(msgs)))
	b.sender.Wake()
	return nil
}

// updateCopies rewrites every relayed copy of a comment (after an edit or removal), or
// deletes them all, moderators' reports included. An edit leaves the reports as they
// were: a moderator judges what was reported.
func (b *Bot) updateCopies(ctx context.Context, c storage.Comment, del bool) error {
	copies, err := b.db.Copies(ctx, c.ID)
	if err != nil {
		return err
	}
	html, plain := b.relayHTML(ctx, c)
	var msgs []storage.OutMessage
	for _, cp := range copies {
		p := map[string]string{"chat_id": strconv.FormatInt(cp[0], 10), "message_id": strconv.FormatInt(cp[1], 10)}
		if del {
			msgs = append(msgs, storage.OutMessage{ChatID: cp[0], Method: "deleteMessage", Params: p})
			continue
		}
		rec, err := b.db.MessageRecordFor(ctx, cp[0], int(cp[1]))
		if err == nil && rec.Kind == storage.KindReport {
			continue
		}
		p["text"], p["parse_mode"], p["disable_web_page_preview"] = html, "HTML", "true"
		if !c.Gone() {
			p["reply_markup"] = keyboard(relayButtons(c))
		}
		msgs = append(msgs, storage.OutMessage{ChatID: cp[0], Method: "editMessageText", Params: p, Plain: plain})
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

// handleEdit updates a comment when its author edits the message that posted it. An
// edit passes the checks a new comment does: a banned author cannot edit, and the
// length, link and rate limits apply.
func (b *Bot) handleEdit(ctx context.Context, m *telegram.Message) error {
	if m.From == nil {
		return nil
	}
	rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.MessageID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && rec.Kind != storage.KindCommentSource) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up the edited message: %w", err)
	}
	r := &request{msg: m, chatID: m.Chat.ID, userID: m.From.ID, group: m.Chat.Type != "private", fromName: m.From.FirstName}
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return b.refuseComment(ctx, r, fmt.Sprintf("The edit was not applied: a comment must have 1 to %d characters.", MaxCommentLen))
	}
	if why := b.commentRefusal(prof, text, now); why != "" {
		return b.refuseComment(ctx, r, "The edit was not applied. "+why)
	}
	if ok, why := b.allowComment(r.userID, now); !ok {
		return b.refuseComment(ctx, r, "The edit was not applied. "+why)
	}
	c, err := b.db.UpdateComment(ctx, rec.Comment, func(c *storage.Comment) error {
		if c.AuthorID != m.From.ID || c.Gone() {
			return errNotYours
		}
		c.Text, c.Edited = text, now
		return nil
	})
	if errors.Is(err, errNotYours) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.updateCopies(ctx, c, false)
}

var errNotYours = errors.New("not the author's comment")

// commentOf finds the comment a command replies to: the user's own message that
// posted it, or a relayed copy.
func (b *Bot) commentOf(ctx context.Context, r *request) (storage.Comment, bool) {
	if r.msg.ReplyToMessage == nil {
		return storage.Comment{}, false
	}
	rec, err := b.db.MessageRecordFor(ctx, r.chatID, r.msg.ReplyToMessage.MessageID)
	if err != nil || rec.Comment == 0 {
		return storage.Comment{}, false
	}
	c, err := b.db.Comment(ctx, rec.Comment)
	return c, err == nil
}

func cmdDelete(ctx context.Context, b *Bot, r *request) error {
	c, ok := b.commentOf(ctx, r)
	if !ok {
		return b.say(ctx, r.chatID, r.thread, "Reply <code>/delete</code> to one of your comments.")
	}
	if c.AuthorID != r.userID {
		return b.say(ctx, r.chatID, r.thread, "You can delete only your own comments.")
	}
	return b.removeComment(ctx, c.ID, false, r)
}

// removeComment marks a comment deleted (by its author: the text is erased) or removed
// (by a moderator: the text is kept for the moderators, and never shown). Replies stay
// in the thread under it; relayed copies are deleted, or edited to say a moderator
// removed them.
func (b *Bot) removeComment(ctx context.Context, id uint64, moderator bool, r *request) error {
	c, err := b.db.UpdateComment(ctx, id, func(c *storage.Comment) error {
		if moderator {
			c.Removed = true
		} else {
			c.Deleted, c.Text = true, ""
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := b.updateCopies(ctx, c, !moderator); err != nil {
		return err
	}
	// Replies keep their place; their copies stop quoting the removed text.
	thread, err := b.db.ThreadComments(ctx, c.ItemID)
	if err != nil {
		return err
	}
	for _, child := range thread {
		if child.ParentID == c.ID && !child.Gone() {
			if err := b.updateCopies(ctx, child, false); err != nil {
				return err
			}
		}
	}
	if r != nil {
		return b.say(ctx, r.chatID, r.thread, "Comment deleted. Replies to it stay in the thread.")
	}
	return nil
}

func cmdMute(ctx context.Context, b *Bot, r *request) error {
	item := uint64(0)
	if r.msg.ReplyToMessage != nil {
		if rec, err := b.db.MessageRecordFor(ctx, r.chatID, r.msg.ReplyToMessage.MessageID); err == nil && len(rec.Items) == 1 {
			item = rec.Items[0]
		}
	}
	if n, err := strconv.ParseUint(strings.TrimSpace(r.args), 10, 64); err == nil {
		item = n
	}
	if item == 0 {
		return b.say(ctx, r.chatID, r.thread, "Reply <code>/mute</code> to a comment or a story card.")
	}
	if _, err := b.visibleItem(ctx, r.chatID, item); errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, "That story is no longer available.")
	} else if err != nil {
		return err
	}
	if err := b.db.SetFollow(ctx, item, r.chatID, true); err != nil {
		return err
	}
	return b.say(ctx, r.chatID, r.thread, "Muted: you will get no more comments from this discussion.")
}

func cmdBlock(ctx context.Context, b *Bot, r *request) error {
	c, ok := b.commentOf(ctx, r)
	if !ok {
		return b.say(ctx, r.chatID, r.thread, "Reply <code>/block</code> to a comment to hide its author's comments.")
	}
	if c.AuthorID == r.userID {
		return b.say(ctx, r.chatID, r.thread, "That is your own comment.")
	}
	if err := b.db.Block(ctx, r.userID, c.AuthorID); err != nil {
		return err
	}
	return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("You will no longer see comments by %s.", escape(c.AuthorName)))
}

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._\-']{1,30}[\p{L}\p{N}.]$`)

func cmdName(ctx context.Context, b *Bot, r *request) error {
	name := normalizeName(r.args)
	if name == "" {
		p, err := b.profile(ctx, r)
		if err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Others see your comments as <b>%s</b>. Choose another name with <code>/name Your Name</code>; <code>/name -</code> goes back to your first name.", escape(p.DisplayName())))
	}
	key := ""
	if name == "-" {
		name = ""
	} else {
		if !nameRE.MatchString(name) || !hasLetterRune(name) {
			return b.say(ctx, r.chatID, r.thread, "A name has 3 to 32 letters, digits, spaces or . _ - ' and must contain a letter.")
		}
		if key = b.nameKey(name); key == "" {
			return b.say(ctx, r.chatID, r.thread, "That name is reserved (it looks like the bot's, an administrator's or a moderator's); please choose another.")
		}
	}
	if _, err := b.profile(ctx, r); err != nil {
		return err
	}
	if err := b.db.SetName(ctx, r.userID, name, key); err != nil {
		if errors.Is(err, storage.ErrNameTaken) {
			return b.say(ctx, r.chatID, r.thread, "Someone else uses that name, or one that looks just like it; please choose another.")
		}
		return err
	}
	if name == "" {
		p, err := b.profile(ctx, r)
		if err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Your comments will show <b>%s</b>.", escape(p.DisplayName())))
	}
	return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Your comments will show <b>%s</b>.", escape(name)))
}

func hasLetterRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func cmdThread(ctx context.Context, b *Bot, r *request) error {
	n, err := strconv.ParseUint(strings.TrimSpace(r.args), 10, 64)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, "Send <code>/thread 123</code> with a story number, or press Discussion on a story card.")
	}
	return b.sendThread(ctx, r, n, 0, 0)
}

// threadOutline orders a thread as a tree: oldest first, replies under their parents.
func threadOutline(cs []storage.Comment) []storage.Comment {
	children := map[uint64][]storage.Comment{}
	for _, c := range cs {
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	var out []storage.Comment
	var walk func(parent uint64)
	walk = func(parent uint64) {
		for _, c := range children[parent] {
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk(0)
	return out
}

// sendThread shows a page of a story's discussion; editing replaces the page in place.
func (b *Bot) sendThread(ctx context.Context, r *request, item uint64, page, editMsg int) error {
	it, err := b.visibleItem(ctx, r.chatID, item)
	if errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, "That story is no longer available.")
	}
	if err != nil {
		return err
	}
	cs, err := b.db.ThreadComments(ctx, item)
	if err != nil {
		return err
	}
	outline := threadOutline(cs)
	pages := max(1, (len(outline)+commentsPerPage-1)/commentsPerPage)
	page = min(max(page, 0), pages-1)
	var sb strings.Builder
	fmt.Fprintf(&sb, "<b>Discussion: %s</b>\n%d comments", escape(truncate(it.Title, 120)), len(cs))
	if pages > 1 {
		fmt.Fprintf(&sb, " · page %d of %d", page+1, pages)
	}
	if len(outline) == 0 {
		sb.WriteString("\n\nNo comments yet. Reply to the story card to start the discussion.")
	}
	for _, c := range outline[min(page*commentsPerPage, len(outline)):min((page+1)*commentsPerPage, len(outline))] {
		indent := strings.Repeat("    ", min(c.Depth, 8))
		marker := "•"
		if c.Depth > 0 {
			marker = "↳"
		}
		body := excerpt(c.Text, 300)
		switch {
		case c.Removed:
			body = "(removed by a moderator)"
		case c.Deleted:
			body = "(comment deleted)"
		}
		fmt.Fprintf(&sb, "\n\n%s%s <b>%s</b>: %s", indent, marker, escape(c.AuthorName), escape(body))
	}
	var nav []telegram.Button
	if page > 0 {
		nav = append(nav, telegram.Button{Text: "◀ Newer", Data: fmt.Sprintf("th:%d:%d", item, page-1)})
	}
	if page < pages-1 {
		nav = append(nav, telegram.Button{Text: "Older ▶", Data: fmt.Sprintf("th:%d:%d", item, page+1)})
	}
	rows := [][]telegram.Button{{{Text: "Follow discussion", Data: fmt.Sprintf("fl:%d", item)}}}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	parts := pack([]block{{html: sb.String(), plain: stripTags(sb.String())}}, "")
	if editMsg != 0 && len(parts) == 1 {
		return b.editText(ctx, r.chatID, editMsg, parts[0].HTML, rows)
	}
	parts[len(parts)-1].Buttons = rows
	return b.send(ctx, r.chatID, r.thread, parts, nil)
}

// handleDiscussionCallback handles fl, th, mt, rp, mod and pc buttons. Button data comes
// from the client and may be forged: every verb checks what it acts on against the
// message the button sits on, the reader's rights, or both.
func (b *Bot) handleDiscussionCallback(ctx context.Context, q *telegram.CallbackQuery, r *request, cb callback) error {
	id, err := strconv.ParseUint(cb.args[0], 10, 64)
	if err != nil && cb.verb != "mod" {
		b.answer(ctx, q.ID, "This button is no longer valid.")
		return nil
	}
	switch cb.verb {
	case "fl", "mt":
		// A group's follows are the group's settings.
		if r.group {
			if ok, err := b.isGroupAdmin(ctx, r.chatID, r.userID); err != nil || !ok {
				b.answer(ctx, q.ID, "Only the group's administrators can change what this group follows.")
				return nil
			}
		}
		muted := cb.verb == "mt"
		if _, err := b.visibleItem(ctx, r.chatID, id); errors.Is(err, storage.ErrNotFound) {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		} else if err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		if err := b.db.SetFollow(ctx, id, r.chatID, muted); err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		if muted {
			b.answer(ctx, q.ID, "Muted: no more comments from this discussion.")
		} else {
			b.answer(ctx, q.ID, "You follow this discussion: new comments will come here.")
		}
	case "th":
		page, err := strconv.Atoi(cb.args[1])
		if err != nil {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		b.answer(ctx, q.ID, "")
		edit := 0
		if strings.HasPrefix(q.Message.Text, "Discussion:") {
			edit = q.Message.MessageID
		}
		return b.sendThread(ctx, r, id, page, edit)
	case "rp":
		return b.report(ctx, q, r, id)
	case "mod":
		return b.moderate(ctx, q, cb)
	case "pc":
		item, err := strconv.ParseUint(cb.args[1], 10, 64)
		if err != nil {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		p, err := b.db.Pending(ctx, r.chatID, id, q.From.ID, b.opts.Now().Add(-b.opts.PendingTTL))
		switch {
		case errors.Is(err, storage.ErrNotYours):
			b.answer(ctx, q.ID, "That is another reader's comment.")
			return nil
		case errors.Is(err, storage.ErrNotFound):
			b.answer(ctx, q.ID, "That comment was already posted or has expired.")
			return nil
		case err != nil:
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		if !slices.Contains(p.Items, item) {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		b.answer(ctx, q.ID, "")
		r.msg = &telegram.Message{MessageID: p.Msg, Chat: q.Message.Chat, From: &q.From}
		posted, err := b.tryComment(ctx, r, item, 0, p.Text)
		if err != nil || !posted {
			return err // refused (the reader was told): it waits, and may be picked again
		}
		return b.db.DeletePending(ctx, r.chatID, p.ID)
	}
	return nil
}

// report sends a comment to the moderators. The button must sit on a copy of that very
// comment in this chat, the reporter must not be banned, the comment must still show,
// and each reader reports a comment once.
func (b *Bot) report(ctx context.Context, q *telegram.CallbackQuery, r *request, id uint64) error {
	rec, err := b.db.MessageRecordFor(ctx, r.chatID, q.Message.MessageID)
	if err != nil || rec.Comment != id || rec.Kind != storage.KindComment {
		b.answer(ctx, q.ID, "This button is no longer valid.")
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
	reporters, err := b.db.AddReport(ctx, id, q.From.ID, b.opts.Now())
	switch {
	case errors.Is(err, storage.ErrGone), errors.Is(err, storage.ErrNotFound):
		b.answer(ctx, q.ID, "That comment is gone.")
		return nil
	case err != nil:
		b.answer(ctx, q.ID, "Something went wrong; please try again.")
		return err
	case reporters == 0:
		b.answer(ctx, q.ID, "You have reported this comment already.")
		return nil
	}
	b.answer(ctx, q.ID, "Thank you; the moderators will look at it.")
	// The moderators hear of a comment at its first report and again as reports mount,
	// not once per reporter: many accounts cannot flood them.
	if reporters != 1 && reporters != 3 && reporters != 10 {
		return nil
	}
	c, err := b.db.Comment(ctx, id)
	if err != nil {
		return err
	}
	var msgs []storage.OutMessage
	for _, admin := range b.opts.Admins {
		html := fmt.Sprintf("<b>Report</b> from %s (id %d), %d so far\nComment %d by <b>%s</b> (id %d) on story %d:\n\n%s",
			escape(prof.DisplayName()), q.From.ID, reporters, c.ID, escape(c.AuthorName), c.AuthorID, c.ItemID, escape(c.Text))
		msgs = append(msgs, message(admin, 0, Rendered{HTML: html, Plain: stripTags(html), Buttons: [][]telegram.Button{{
			{Text: "Remove comment", Data: fmt.Sprintf("mod:rm:%d", c.ID)}, {Text: "Remove and ban author", Data: fmt.Sprintf("mod:ban:%d", c.ID)}}}},
			&storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{c.ItemID}, Comment: c.ID}))
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

// moderate handles a moderator's button on a report.
func (b *Bot) moderate(ctx context.Context, q *telegram.CallbackQuery, cb callback) error {
	if !b.isAdmin(q.From.ID) {
		b.answer(ctx, q.ID, "Only moderators can do that.")
		return nil
	}
	cid, err := strconv.ParseUint(cb.args[1], 10, 64)
	if err != nil || (cb.args[0] != "rm" && cb.args[0] != "ban") {
		b.answer(ctx, q.ID, "This button is no longer valid.")
		return nil
	}
	c, err := b.db.Comment(ctx, cid)
	if err != nil || c.Erased {
		b.answer(ctx, q.ID, "That comment is gone.")
		return nil
	}
	if cb.args[0] == "ban" {
		if err := b.db.SetBanned(ctx, c.AuthorID, true); err != nil {
			return err
		}
	}
	if !c.Removed {
		if err := b.removeComment(ctx, cid, true, nil); err != nil {
			return err
		}
	}
	b.answer(ctx, q.ID, "Removed.")
	return nil
}
