package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

func cmdDelete(ctx context.Context, b *Bot, r *request) error {
	c, ok, err := b.commentOf(ctx, r)
	if err != nil {
		return err
	}
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
		switch {
		case c.Deleted || c.Erased || moderator && c.Removed:
			return errAlreadyGone // done before: nothing to redo
		case moderator:
			c.Removed = true
		default:
			c.Deleted, c.Text = true, ""
		}
		return nil
	})
	if errors.Is(err, errAlreadyGone) {
		if r != nil {
			return b.say(ctx, r.chatID, r.thread, "That comment is deleted already.")
		}
		return nil
	}
	if err != nil {
		return err
	}
	if err := b.finishChange(ctx, c.ID); err != nil {
		return err
	}
	if r != nil {
		return b.say(ctx, r.chatID, r.thread, "Comment deleted. Replies to it stay in the thread.")
	}
	return nil
}

var errAlreadyGone = errors.New("comment gone already")

func cmdMute(ctx context.Context, b *Bot, r *request) error {
	item := uint64(0)
	if r.msg.ReplyToMessage != nil {
		rec, err := b.recordOfReply(ctx, r.chatID, r.msg)
		switch {
		case err == nil && len(rec.Items) == 1:
			item = rec.Items[0]
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("mute: look up message: %w", err)
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
	c, ok, err := b.commentOf(ctx, r)
	if err != nil {
		return err
	}
	if !ok {
		return b.say(ctx, r.chatID, r.thread, "Reply <code>/block</code> to a comment to hide its author's comments.")
	}
	if c.AuthorID == r.userID {
		return b.say(ctx, r.chatID, r.thread, "That is your own comment.")
	}
	if err := b.db.Block(ctx, r.userID, c.AuthorID); err != nil {
		return err
	}
	// The author goes unnamed: this answer is no copy of their comment, and would keep
	// their name on the screen after their /forget.
	return b.say(ctx, r.chatID, r.thread, "You will no longer see this author's comments.")
}

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._\-']{1,30}[\p{L}\p{N}.]$`)

func cmdName(ctx context.Context, b *Bot, r *request) error {
	name := normalizeName(r.args)
	if name == "" {
		p, err := b.profile(ctx, r)
		if err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Others see your comments as %s. Choose another name with <code>/name Your Name</code>; <code>/name -</code> goes back to your first name.", authorHTML(p.DisplayName())))
	}
	key := ""
	if name == "-" {
		name = ""
	} else {
		if !nameRE.MatchString(name) || !hasLetterRune(name) {
			return b.say(ctx, r.chatID, r.thread, "A name has 3 to 32 letters, digits, spaces or . _ - ' and must contain a letter.")
		}
		if looksLikeLink(name) {
			return b.say(ctx, r.chatID, r.thread, "A name may not look like a web address or a handle (example.com, @someone); please choose another.")
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
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Your comments will show %s.", authorHTML(p.DisplayName())))
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

// threadOutline orders a thread's comments as its pages show them: each followed by
// its replies, depth first, in the order they were written.
func threadOutline(nodes []storage.ThreadNode) []storage.ThreadNode {
	children := map[uint64][]storage.ThreadNode{}
	for _, n := range nodes {
		children[n.Parent] = append(children[n.Parent], n)
	}
	out := make([]storage.ThreadNode, 0, len(nodes))
	var walk func(parent uint64)
	walk = func(parent uint64) {
		for _, n := range children[parent] {
			out = append(out, n)
			walk(n.ID)
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
	// The outline from the index; only the page's own comments are read (review JJ:
	// reading the whole thread made a page cost 93 ms at 5,000 comments).
	nodes, err := b.db.ThreadOutline(ctx, item)
	if err != nil {
		return err
	}
	outline := threadOutline(nodes)
	pages := max(1, (len(outline)+commentsPerPage-1)/commentsPerPage)
	page = min(max(page, 0), pages-1)
	ids := make([]uint64, 0, commentsPerPage)
	for _, n := range outline[min(page*commentsPerPage, len(outline)):min((page+1)*commentsPerPage, len(outline))] {
		ids = append(ids, n.ID)
	}
	onPage, err := b.db.CommentsByID(ctx, ids)
	if err != nil {
		return err
	}
	// A page is one message: a page cut in two would take its own first part down (one
	// open page per story and chat). Long comments are cut shorter until it fits.
	var html string
	var shown []uint64
	for _, limit := range []int{300, 120, 60} {
		html, shown = threadPageHTML(it.Title, len(nodes), onPage, page, pages, limit)
		if textLen(stripTags(html)) <= packLimit {
			break
		}
	}
	var nav []telegram.Button
	if page > 0 {
		nav = append(nav, telegram.Button{Text: "◀ Newer", Data: threadData(item, page-1)})
	}
	if page < pages-1 {
		nav = append(nav, telegram.Button{Text: "Older ▶", Data: threadData(item, page+1)})
	}
	rows := [][]telegram.Button{{{Text: "Follow discussion", Data: followData(item)}}}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	parts := pack([]block{{html: html, plain: stripTags(html)}}, "")
	parts = parts[:1] // cut as a last resort: never two messages of one page
	// The page is listed under its story with the comments it shows: a deletion or a
	// moderator's removal takes it down (storage.DB.TakeDownPages).
	rec := &storage.MessageRecord{Kind: storage.KindThreadPage, Items: []uint64{item}, Comments: shown}
	if editMsg != 0 {
		// Only the open page of this story turns in place: not one a newer page
		// replaced (it is being taken down), nor a page of another story.
		listed, err := b.db.ThreadPageListed(ctx, item, r.chatID, editMsg)
		if err != nil {
			return err
		}
		if !listed {
			editMsg = 0
		}
	}
	if editMsg != 0 {
		if err := b.editText(ctx, r.chatID, editMsg, parts[0].HTML, rows); err != nil {
			return err
		}
		got, err := b.db.Sent(ctx, 0, r.chatID, editMsg, rec)
		if got.Deleted {
			b.sender.Wake()
		}
		return err
	}
	parts[len(parts)-1].Buttons = rows
	return b.send(ctx, r.chatID, r.thread, parts, func(Rendered) *storage.MessageRecord { return rec })
}

// cbFollow and cbMute follow or mute a discussion the chat may see.
func cbFollow(ctx context.Context, b *Bot, p press) error { return b.setFollow(ctx, p, false) }
func cbMute(ctx context.Context, b *Bot, p press) error   { return b.setFollow(ctx, p, true) }

func (b *Bot) setFollow(ctx context.Context, p press, muted bool) error {
	id, ok := p.id(0)
	if !ok {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if _, err := b.visibleItem(ctx, p.r.chatID, id); errors.Is(err, storage.ErrNotFound) {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	} else if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	if err := b.db.SetFollow(ctx, id, p.r.chatID, muted); err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	if muted {
		b.answer(ctx, p.q.ID, "Muted: no more comments from this discussion.")
	} else {
		b.answer(ctx, p.q.ID, "You follow this discussion: new comments will come here.")
	}
	return nil
}

// cbThread pages through a discussion; a page already showing is edited in place.
func cbThread(ctx context.Context, b *Bot, p press) error {
	id, ok := p.id(0)
	page, err := strconv.Atoi(p.args[1])
	if !ok || err != nil {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if !b.groupPostAllowed(p.r.chatID, p.r.userID) {
		// Paging edits a page in place, or posts it anew when it no longer fits one
		// message: bounded like a post.
		b.answer(ctx, p.q.ID, groupPostsBusy)
		return nil
	}
	edit := 0
	if strings.HasPrefix(p.q.Message.Text, "Discussion:") {
		edit = p.q.Message.MessageID
	}
	b.answer(ctx, p.q.ID, "")
	return b.sendThread(ctx, p.r, id, page, edit)
}

// threadPageHTML renders one page of a discussion, each comment cut to limit
// characters, and the comments it shows (not the gone ones).
func threadPageHTML(title string, total int, onPage []storage.Comment, page, pages, limit int) (string, []uint64) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "<b>Discussion: %s</b>\n%d comments", escape(truncate(title, 120)), total)
	if pages > 1 {
		fmt.Fprintf(&sb, " · page %d of %d", page+1, pages)
	}
	if total == 0 {
		sb.WriteString("\n\nNo comments yet. Reply to the story card to start the discussion.")
	}
	var shown []uint64
	for _, c := range onPage {
		if !c.Gone() {
			shown = append(shown, c.ID)
		}
		indent := strings.Repeat("    ", min(c.Depth, 8))
		marker := "•"
		if c.Depth > 0 {
			marker = "↳"
		}
		body := excerpt(c.Text, limit)
		switch {
		case c.Removed:
			body = "(removed by a moderator)"
		case c.Deleted:
			body = "(comment deleted)"
		}
		if c.Gone() {
			// No name either: a page is no way to keep a deleted comment's author on
			// screen after they are gone.
			fmt.Fprintf(&sb, "\n\n%s%s %s", indent, marker, escape(body))
			continue
		}
		fmt.Fprintf(&sb, "\n\n%s%s %s: %s", indent, marker, authorHTML(c.AuthorName), escape(body))
	}
	return sb.String(), shown
}
