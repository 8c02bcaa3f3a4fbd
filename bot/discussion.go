package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsbot/newsbot/storage"
	"golang.org/x/time/rate"
)

// Discussion limits.
const (
	MaxCommentLen   = 2000
	commentsPerPage = 15
)

// commentLimits keeps the per-user comment rate: 5 a minute, 50 a day.
type commentLimits struct {
	mu    sync.Mutex
	users map[int64]*commenter
}

type commenter struct {
	minute *rate.Limiter
	day    string
	count  int
}

func (l *commentLimits) allow(user int64, now time.Time) (bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil {
		l.users = map[int64]*commenter{}
	}
	c, ok := l.users[user]
	if !ok {
		c = &commenter{minute: rate.NewLimiter(rate.Every(12*time.Second), 5)}
		l.users[user] = c
	}
	day := now.UTC().Format("2006-01-02")
	if c.day != day {
		c.day, c.count = day, 0
	}
	if c.count >= 50 {
		return false, "You have posted 50 comments today, the daily limit. Your comment was not posted; you can post again tomorrow (UTC)."
	}
	if !c.minute.AllowN(now, 1) {
		return false, "You are commenting very fast (5 comments a minute at most). Your comment was not posted; send it again in a minute."
	}
	c.count++
	return true, ""
}

var storyNumberRE = regexp.MustCompile(`^#?(\d{1,2})[\s.:)]+(.*)$`)

// isOurs reports whether m was sent by this bot.
func (b *Bot) isOurs(m *Message) bool {
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
	if err != nil {
		if b.isOurs(target) && !r.group {
			return true, b.say(ctx, r.chatID, r.thread, "To discuss a story, reply to its card or to a comment. Open a card with the number buttons under a digest.")
		}
		return false, nil // not about a story
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return true, b.say(ctx, r.chatID, r.thread, "Comments are text only.")
	}
	switch rec.Kind {
	case "card":
		return true, b.postComment(ctx, r, rec.Items[0], 0, text)
	case "comment", "comment-source":
		return true, b.postComment(ctx, r, rec.Items[0], rec.Comment, text)
	case "digest":
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
		p, err := b.db.AddPending(ctx, storage.PendingComment{AuthorID: r.userID, Chat: r.chatID, Msg: m.MessageID, Text: text})
		if err != nil {
			return true, err
		}
		var row []Button
		var rows [][]Button
		for i := range rec.Items {
			row = append(row, Button{Text: strconv.Itoa(i + max(rec.First, 1)), Data: fmt.Sprintf("pc:%d:%d", p.ID, rec.Items[i])})
			if len(row) == 8 {
				rows, row = append(rows, row), nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		return true, b.say(ctx, r.chatID, r.thread, "Which story is your comment about? (Next time start it with the number, like “2 …”.)", rows...)
	}
	return false, nil
}

// postComment checks limits, stores the comment, confirms it and relays it.
func (b *Bot) postComment(ctx context.Context, r *request, item, parent uint64, text string) error {
	now := b.opts.Now()
	prof, err := b.db.Profile(ctx, r.userID, r.fromName, now)
	if err != nil {
		return err
	}
	if prof.Banned {
		return b.say(ctx, r.chatID, r.thread, "You can no longer comment here.")
	}
	if n := utf8.RuneCountInString(text); n > MaxCommentLen {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Your comment has %d characters; the limit is %d. It was not posted — please shorten it and send it again.", n, MaxCommentLen))
	}
	if b.opts.NewUserLinkBan && now.Sub(prof.FirstSeen) < 24*time.Hour && urlRE.MatchString(text) {
		return b.say(ctx, r.chatID, r.thread, "New readers can post links after their first day. Your comment was not posted; send it without the link.")
	}
	if ok, why := b.comments.allow(r.userID, now); !ok {
		return b.say(ctx, r.chatID, r.thread, why)
	}
	c, err := b.db.AddComment(ctx, storage.Comment{ItemID: item, ParentID: parent, AuthorID: r.userID,
		AuthorName: prof.DisplayName(), Text: text, Created: now, SrcChat: r.chatID, SrcMsg: r.msg.MessageID})
	if errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, "That story or comment is no longer available.")
	}
	if err != nil {
		return err
	}
	b.confirm(ctx, r)
	return b.relay(ctx, c)
}

// confirm acknowledges a comment quietly with a reaction, or a short reply when
// reactions are not available.
func (b *Bot) confirm(ctx context.Context, r *request) {
	_, err := b.api.Call("setMessageReaction", map[string]string{
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
			quoted := excerpt(pc.Text, 80)
			if pc.Gone() {
				quoted = "comment deleted"
			}
			fmt.Fprintf(&h, "\n↪ replying to <b>%s</b>: “%s”", escape(pc.AuthorName), escape(quoted))
			fmt.Fprintf(&p, "\n↪ replying to %s: “%s”", pc.AuthorName, quoted)
		}
	}
	body := c.Text
	switch {
	case c.Removed:
		body = "(removed by a moderator)"
	case c.Deleted:
		body = "(comment deleted)"
	}
	fmt.Fprintf(&h, "\n\n%s", escape(body))
	fmt.Fprintf(&p, "\n\n%s", body)
	return h.String(), p.String()
}

func relayButtons(c storage.Comment) [][]Button {
	return [][]Button{{{Text: "Report", Data: fmt.Sprintf("rp:%d", c.ID)}, {Text: "Mute thread", Data: fmt.Sprintf("mt:%d", c.ItemID)}}}
}

// relay queues a comment for the thread's followers: not its author, not those who
// muted the thread or blocked the author, and groups only when they opted in.
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
		if blocked, _ := b.db.Blocked(ctx, f.ChatID, c.AuthorID); blocked {
			continue
		}
		thread := 0
		if f.ChatID < 0 {
			s, err := b.db.Subscriber(ctx, f.ChatID)
			if err != nil || !s.RelayComments || !s.Active {
				continue
			}
			thread = s.ThreadID
		} else if s, err := b.db.Subscriber(ctx, f.ChatID); err == nil && !s.Active {
			continue
		}
		msgs = append(msgs, message(f.ChatID, thread, Rendered{HTML: html, Plain: plain, Buttons: relayButtons(c)},
			&storage.MessageRecord{Kind: "comment", Items: []uint64{c.ItemID}, Comment: c.ID}))
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
		return err
	}
	b.comRelayed.add(int64(len(msgs)))
	b.sender.Wake()
	return nil
}

// updateCopies rewrites every relayed copy of a comment (after an edit or removal).
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
		p["text"], p["parse_mode"] = html, "HTML"
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

// handleEdit updates a comment when its author edits the message that posted it.
func (b *Bot) handleEdit(ctx context.Context, m *Message) error {
	if m.From == nil {
		return nil
	}
	rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.MessageID)
	if err != nil || rec.Kind != "comment-source" {
		return nil
	}
	text := strings.TrimSpace(m.Text)
	if text == "" || utf8.RuneCountInString(text) > MaxCommentLen {
		return b.say(ctx, m.Chat.ID, 0, fmt.Sprintf("The edit was not applied: a comment must have 1 to %d characters.", MaxCommentLen))
	}
	c, err := b.db.UpdateComment(ctx, rec.Comment, func(c *storage.Comment) error {
		if c.AuthorID != m.From.ID || c.Gone() {
			return errNotYours
		}
		c.Text, c.Edited = text, b.opts.Now()
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

// removeComment marks a comment deleted (by its author) or removed (by a moderator):
// replies stay in the thread under it; relayed copies are deleted, or edited to say
// a moderator removed them.
func (b *Bot) removeComment(ctx context.Context, id uint64, moderator bool, r *request) error {
	c, err := b.db.UpdateComment(ctx, id, func(c *storage.Comment) error {
		if moderator {
			c.Removed = true
		} else {
			c.Deleted = true
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
	name := strings.Join(strings.Fields(r.args), " ")
	if name == "" {
		p, err := b.db.Profile(ctx, r.userID, r.fromName, b.opts.Now())
		if err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Others see your comments as <b>%s</b>. Choose another name with <code>/name Your Name</code>; <code>/name -</code> goes back to your first name.", escape(p.DisplayName())))
	}
	if name == "-" {
		name = ""
	} else if !nameRE.MatchString(name) || !hasLetterRune(name) {
		return b.say(ctx, r.chatID, r.thread, "A name has 3 to 32 letters, digits, spaces or . _ - ' and must contain a letter.")
	}
	if _, err := b.db.Profile(ctx, r.userID, r.fromName, b.opts.Now()); err != nil {
		return err
	}
	if err := b.db.SetName(ctx, r.userID, name); err != nil {
		if errors.Is(err, storage.ErrNameTaken) {
			return b.say(ctx, r.chatID, r.thread, "Someone else uses that name; please choose another.")
		}
		return err
	}
	if name == "" {
		return b.say(ctx, r.chatID, r.thread, "Your comments will show your first name.")
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
	it, err := b.db.Item(ctx, item)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, "That story is no longer available.")
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
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: "◀ Newer", Data: fmt.Sprintf("th:%d:%d", item, page-1)})
	}
	if page < pages-1 {
		nav = append(nav, Button{Text: "Older ▶", Data: fmt.Sprintf("th:%d:%d", item, page+1)})
	}
	rows := [][]Button{{{Text: "Follow discussion", Data: fmt.Sprintf("fl:%d", item)}}}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	parts := pack([]block{{html: sb.String(), plain: stripTags(sb.String())}}, "")
	if editMsg != 0 && len(parts) == 1 {
		return b.editText(r.chatID, editMsg, parts[0].HTML, rows)
	}
	parts[len(parts)-1].Buttons = rows
	return b.send(ctx, r.chatID, r.thread, parts, nil)
}

// handleDiscussionCallback handles fl, th, mt, rp, mod and pc buttons.
func (b *Bot) handleDiscussionCallback(ctx context.Context, q *CallbackQuery, r *request, cb callback) error {
	id, err := strconv.ParseUint(cb.args[0], 10, 64)
	if err != nil && cb.verb != "mod" {
		b.answer(q.ID, "This button is no longer valid.")
		return nil
	}
	switch cb.verb {
	case "fl":
		if err := b.db.SetFollow(ctx, id, r.chatID, false); err != nil {
			b.answer(q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(q.ID, "You follow this discussion: new comments will come here.")
	case "mt":
		if err := b.db.SetFollow(ctx, id, r.chatID, true); err != nil {
			b.answer(q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(q.ID, "Muted: no more comments from this discussion.")
	case "th":
		page, err := strconv.Atoi(cb.args[1])
		if err != nil {
			b.answer(q.ID, "This button is no longer valid.")
			return nil
		}
		b.answer(q.ID, "")
		edit := 0
		if strings.HasPrefix(q.Message.Text, "Discussion:") {
			edit = q.Message.MessageID
		}
		return b.sendThread(ctx, r, id, page, edit)
	case "rp":
		c, err := b.db.Comment(ctx, id)
		if err != nil {
			b.answer(q.ID, "That comment is gone.")
			return nil
		}
		b.answer(q.ID, "Thank you; the moderators will look at it.")
		for _, admin := range b.opts.Admins {
			html := fmt.Sprintf("<b>Report</b> from %s (id %d)\nComment %d by <b>%s</b> (id %d) on story %d:\n\n%s",
				escape(q.From.FirstName), q.From.ID, c.ID, escape(c.AuthorName), c.AuthorID, c.ItemID, escape(c.Text))
			if err := b.say(ctx, admin, 0, html, []Button{{Text: "Remove comment", Data: fmt.Sprintf("mod:rm:%d", c.ID)}, {Text: "Remove and ban author", Data: fmt.Sprintf("mod:ban:%d", c.ID)}}); err != nil {
				return err
			}
		}
	case "mod":
		if !b.isAdmin(q.From.ID) {
			b.answer(q.ID, "Only moderators can do that.")
			return nil
		}
		cid, err := strconv.ParseUint(cb.args[1], 10, 64)
		if err != nil || (cb.args[0] != "rm" && cb.args[0] != "ban") {
			b.answer(q.ID, "This button is no longer valid.")
			return nil
		}
		c, err := b.db.Comment(ctx, cid)
		if err != nil {
			b.answer(q.ID, "That comment is gone.")
			return nil
		}
		if cb.args[0] == "ban" {
			if err := b.db.SetBanned(ctx, c.AuthorID, true); err != nil {
				return err
			}
		}
		if err := b.removeComment(ctx, cid, true, nil); err != nil {
			return err
		}
		b.answer(q.ID, "Removed.")
	case "pc":
		item, err := strconv.ParseUint(cb.args[1], 10, 64)
		if err != nil {
			b.answer(q.ID, "This button is no longer valid.")
			return nil
		}
		p, err := b.db.TakePending(ctx, id)
		if err != nil || p.AuthorID != q.From.ID {
			b.answer(q.ID, "That comment was already posted or has expired.")
			return nil
		}
		b.answer(q.ID, "")
		r.msg = &Message{MessageID: p.Msg, Chat: q.Message.Chat, From: &q.From}
		return b.postComment(ctx, r, item, 0, p.Text)
	}
	return nil
}
